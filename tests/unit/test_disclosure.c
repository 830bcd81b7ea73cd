/*
 * core/disclosure, threshold mode: no suppressed count can be computed from
 * everything released in the same summary.
 *
 * The auditor here is deliberately a second, independent implementation of
 * the attacker: from the released summary alone (rows, ranges, the stated
 * persons cap) it computes by brute-force dynamic programming the exact set
 * of integer solutions of every relation of docs/DISCLOSURE.md and from it
 * the feasible range of each suppressed cell. It asserts that no cell with
 * a true count 1..k-1 is pinned (neither its count nor its persons), that
 * the truth lies in every released and every feasible range, and that the
 * library's own oracle (the ranges in the notes) agrees exactly. It runs on
 * hand-made adversarial summaries and on thousands of generated ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "core/disclosure.h"
#include "tests/unit/synth.h"

/* ---- the brute-force auditor ---------------------------------------- */

#define BX 64 /* theme totals up to 63 signals */
#define BW 8  /* persons up to 511 */
#define BY (64 * BW)

/* Cell layout of a theme, as in docs/DISCLOSURE.md: total, age bands,
 * target groups, sectors, problem types, organisations, reporters. */
enum { R_TOTAL, R_AGE, R_TARGET, R_SECTOR, R_PROBLEM, R_REC, R_N };
#define RMAXC (1 + 4 * SYNTH_MAX_CODES + 2)

struct layout {
	size_t first[R_N + 1];
	size_t n;
};

static void layout_init(struct layout *l, const struct synth_domain *sd)
{
	l->first[R_TOTAL] = 0;
	l->first[R_AGE] = 1;
	for (int g = R_AGE; g <= R_PROBLEM; g++)
		l->first[g + 1] = l->first[g] + sd->dom.n_codes[g];
	l->first[R_N] = l->first[R_REC] + 2;
	l->n = l->first[R_N];
}

typedef struct {
	uint64_t w[BW];
} yset;

static void ys_or_shl(yset *d, const yset *s, int k)
{
	int q = k / 64, r = k % 64;
	for (int i = BW - 1; i >= 0; i--) {
		int j = i - q;
		uint64_t v = 0;
		if (j >= 0) {
			v = s->w[j] << r;
			if (r != 0 && j > 0)
				v |= s->w[j - 1] >> (64 - r);
		}
		d->w[i] |= v;
	}
}

static void ys_or_shr(yset *d, const yset *s, int k)
{
	int q = k / 64, r = k % 64;
	for (int i = 0; i < BW; i++) {
		int j = i + q;
		uint64_t v = 0;
		if (j < BW) {
			v = s->w[j] >> r;
			if (r != 0 && j + 1 < BW)
				v |= s->w[j + 1] << (64 - r);
		}
		d->w[i] |= v;
	}
}

static int ys_empty(const yset *s)
{
	for (int i = 0; i < BW; i++)
		if (s->w[i] != 0)
			return 0;
	return 1;
}

static int ys_test(const yset *s, int64_t b)
{
	return b >= 0 && b < BY && (s->w[b / 64] >> (b % 64) & 1);
}

static void ys_set(yset *s, int64_t b)
{
	s->w[b / 64] |= UINT64_C(1) << (b % 64);
}

/* (a << k) & b != 0 */
static int ys_meets(const yset *a, int k, const yset *b)
{
	yset t;
	memset(&t, 0, sizeof t);
	ys_or_shl(&t, a, k);
	for (int i = 0; i < BW; i++)
		if (t.w[i] & b->w[i])
			return 1;
	return 0;
}

/* What the released summary says about one cell. */
struct bcell {
	int exact;
	int64_t xl, xh, yl, yh;
};

struct bres {
	int64_t xlo, xhi, ylo, yhi;
};

static void res_add(struct bres *r, int64_t x, int64_t y)
{
	if (x < r->xlo)
		r->xlo = x;
	if (x > r->xhi)
		r->xhi = x;
	if (y < r->ylo)
		r->ylo = y;
	if (y > r->yhi)
		r->yhi = y;
}

/* The persons a cell with x signals can have, given its box. */
static void yrange(const struct bcell *c, int64_t x, int64_t cap, int64_t *a,
                   int64_t *b)
{
	*a = c->yl > x ? c->yl : x;
	*b = c->yh < cap * x ? c->yh : cap * x;
}

/* One additive table's sets: F[i] reachable (nz, X, Y) after cells < i;
 * B[i] states after cells < i from which the rest reaches an allowed
 * total. */
struct btab {
	size_t first, m, nzn, nx;
	int sector;
	yset *F, *B;
};

#define AT(T, i, nz, X) ((T)->F[(((i) * (T)->nzn) + (nz)) * (T)->nx + (X)])
#define BT(T, i, nz, X) ((T)->B[(((i) * (T)->nzn) + (nz)) * (T)->nx + (X)])

static void btab_forward(struct btab *t, const struct bcell *c, int64_t Xm,
                         int64_t cap)
{
	ys_set(&AT(t, 0, 0, 0), 0);
	for (size_t i = 0; i < t->m; i++) {
		const struct bcell *cc = &c[t->first + i];
		for (size_t nz = 0; nz < t->nzn; nz++)
			for (int64_t X = 0; X <= Xm; X++) {
				const yset *src = &AT(t, i, nz, X);
				if (ys_empty(src))
					continue;
				for (int64_t x = cc->xl; x <= cc->xh; x++) {
					int64_t a, b;
					size_t nz2 = nz + (t->sector && x >= 1);
					if (X + x > Xm || nz2 >= t->nzn)
						break;
					yrange(cc, x, cap, &a, &b);
					for (int64_t y = a; y <= b && y < BY;
					     y++)
						ys_or_shl(
						    &AT(t, i + 1, nz2, X + x),
						    src, (int)y);
				}
			}
	}
}

static void btab_backward(struct btab *t, const struct bcell *c, int64_t Xm,
                          int64_t cap)
{
	for (size_t i = t->m; i-- > 0;) {
		const struct bcell *cc = &c[t->first + i];
		for (size_t nz2 = 0; nz2 < t->nzn; nz2++)
			for (int64_t X2 = 0; X2 <= Xm; X2++) {
				const yset *src = &BT(t, i + 1, nz2, X2);
				if (ys_empty(src))
					continue;
				for (int64_t x = cc->xl; x <= cc->xh && x <= X2;
				     x++) {
					int64_t a, b;
					int s = t->sector && x >= 1;
					if (s && nz2 == 0)
						continue;
					yrange(cc, x, cap, &a, &b);
					for (int64_t y = a; y <= b && y < BY;
					     y++)
						ys_or_shr(&BT(t, i,
						              nz2 - (size_t)s,
						              X2 - x),
						          src, (int)y);
				}
			}
	}
}

/* Feasible (x, y) of each suppressed cell of the table. */
static void btab_cells(struct btab *t, const struct bcell *c, int64_t Xm,
                       int64_t cap, struct bres *res)
{
	for (size_t i = 0; i < t->m; i++) {
		const struct bcell *cc = &c[t->first + i];
		struct bres *r = &res[t->first + i];
		if (cc->exact)
			continue;
		for (int64_t x = cc->xl; x <= cc->xh && x <= Xm; x++) {
			int64_t a, b;
			int s = t->sector && x >= 1;
			yrange(cc, x, cap, &a, &b);
			for (size_t nz = 0; nz < t->nzn; nz++)
				for (int64_t X = 0; X + x <= Xm; X++) {
					const yset *f = &AT(t, i, nz, X);
					const yset *bb;
					if (nz + (size_t)s >= t->nzn ||
					    ys_empty(f))
						continue;
					bb = &BT(t, i + 1, nz + (size_t)s,
					         X + x);
					if (ys_empty(bb))
						continue;
					for (int64_t y = a; y <= b && y < BY;
					     y++)
						if (ys_meets(f, (int)y, bb))
							res_add(r, x, y);
				}
		}
	}
}

static int org_ok(const struct bcell *o, int64_t nz, int64_t X)
{
	int64_t lo = o->xl > nz ? o->xl : nz, hi = o->xh < X ? o->xh : X;
	return lo <= hi;
}

/* Does target cell g fit a theme with totals (X, Y)? Records feasible
 * (x, y) into r when r is not NULL. */
static int target_fits(const struct bcell *g, int64_t X, int64_t Y, int64_t cap,
                       struct bres *r)
{
	int any = 0;
	for (int64_t x = g->xl; x <= g->xh && x <= X; x++) {
		int64_t a, b;
		yrange(g, x, cap, &a, &b);
		for (int64_t y = a; y <= b && y <= Y; y++) {
			if (X - x > Y - y || Y - y > cap * (X - x))
				continue;
			any = 1;
			if (r == NULL)
				return 1;
			res_add(r, x, y);
		}
	}
	return any;
}

/*
 * Exact feasible ranges of one theme's cells from the released boxes.
 * Returns 0, 1 if the theme is too large for the brute force, -1 if no
 * solution exists (the release contradicts itself).
 */
static int ref_theme(const struct layout *L, const struct bcell *c, int64_t cap,
                     struct bres *res)
{
	static const int add[3] = {R_AGE, R_SECTOR, R_PROBLEM};
	const struct bcell *tot = &c[0], *org = &c[L->first[R_REC]],
	                   *rep = &c[L->first[R_REC] + 1];
	int64_t Xm = tot->xh, Ym = tot->yh;
	struct btab tabs[3];
	yset T[BX];
	int rc = 0, any = 0;

	if (Xm >= BX || Ym >= BY)
		return 1;
	for (size_t i = 0; i < L->n; i++) {
		if (c[i].exact) {
			res[i] =
			    (struct bres){c[i].xl, c[i].xl, c[i].yl, c[i].yl};
		} else {
			res[i] = (struct bres){INT64_MAX, INT64_MIN, INT64_MAX,
			                       INT64_MIN};
		}
	}
	for (int k = 0; k < 3; k++) {
		struct btab *t = &tabs[k];
		size_t cells;
		t->first = L->first[add[k]];
		t->m = L->first[add[k] + 1] - t->first;
		t->sector = add[k] == R_SECTOR;
		t->nzn =
		    t->sector ? (t->m < (size_t)Xm ? t->m : (size_t)Xm) + 1 : 1;
		t->nx = (size_t)Xm + 1;
		cells = (t->m + 1) * t->nzn * t->nx;
		t->F = calloc(cells, sizeof(yset));
		t->B = calloc(cells, sizeof(yset));
		assert_non_null(t->F);
		assert_non_null(t->B);
		btab_forward(t, c, Xm, cap);
	}

	/* Totals every table, target group and indicator accepts. */
	memset(T, 0, sizeof T);
	for (int64_t X = tot->xl; X <= tot->xh; X++) {
		for (int64_t Y = tot->yl > X ? tot->yl : X;
		     Y <= tot->yh && Y <= cap * X; Y++) {
			int ok = ys_test(&AT(&tabs[0], tabs[0].m, 0, X), Y) &&
			         ys_test(&AT(&tabs[2], tabs[2].m, 0, X), Y);
			int sec = 0;
			for (size_t nz = 0; ok && nz < tabs[1].nzn; nz++)
				sec |= ys_test(&AT(&tabs[1], tabs[1].m, nz, X),
				               Y) &&
				       org_ok(org, (int64_t)nz, X);
			ok =
			    ok && sec && rep->xl <= (rep->xh < X ? rep->xh : X);
			for (size_t g = L->first[R_TARGET];
			     ok && g < L->first[R_TARGET + 1]; g++)
				ok = target_fits(&c[g], X, Y, cap, NULL);
			if (ok) {
				ys_set(&T[X], Y);
				any = 1;
			}
		}
	}
	if (!any) {
		rc = -1;
		goto out;
	}
	for (int k = 0; k < 3; k++) {
		struct btab *t = &tabs[k];
		for (size_t nz = 0; nz < t->nzn; nz++)
			for (int64_t X = 0; X <= Xm; X++) {
				yset *b = &BT(t, t->m, nz, X);
				if (t->sector && !org_ok(org, (int64_t)nz, X))
					continue;
				for (int w = 0; w < BW; w++)
					b->w[w] =
					    T[X].w[w] &
					    (t->sector ? AT(t, t->m, nz, X).w[w]
					               : ~UINT64_C(0));
			}
		btab_backward(t, c, Xm, cap);
		btab_cells(t, c, Xm, cap, res);
	}
	for (int64_t X = 0; X <= Xm; X++)
		for (int64_t Y = 0; Y < BY; Y++) {
			if (!ys_test(&T[X], Y))
				continue;
			if (!tot->exact)
				res_add(&res[0], X, Y);
			for (size_t g = L->first[R_TARGET];
			     g < L->first[R_TARGET + 1]; g++)
				if (!c[g].exact)
					target_fits(&c[g], X, Y, cap, &res[g]);
			if (!rep->exact)
				for (int64_t r = rep->xl;
				     r <= rep->xh && r <= X; r++)
					res_add(&res[L->first[R_REC] + 1], r,
					        0);
			if (!org->exact)
				for (size_t nz = 0; nz < tabs[1].nzn; nz++) {
					if (!ys_test(
					        &AT(&tabs[1], tabs[1].m, nz, X),
					        Y))
						continue;
					for (int64_t o = org->xl;
					     o <= org->xh && o <= X; o++)
						if (o >= (int64_t)nz)
							res_add(
							    &res[L->first
							             [R_REC]],
							    o, 0);
				}
		}
out:
	for (int k = 0; k < 3; k++) {
		free(tabs[k].F);
		free(tabs[k].B);
	}
	return rc;
}

/* ---- verification of one release ------------------------------------ */

struct stats {
	long releases, themes, audited, skipped;
	long primary, complementary, zero_hidden, widened, pinned_checked;
	long total_suppressed, total_suppressed_full;
};

static struct stats g_stats;

struct truth {
	int64_t x[SYNTH_MAX_CODES][RMAXC];
	int64_t y[SYNTH_MAX_CODES][RMAXC];
};

static void truth_fill(const struct layout *L, const struct synth_domain *sd,
                       const struct synth_counts *cnt, struct truth *tr)
{
	memset(tr, 0, sizeof *tr);
	for (size_t t = 0; t < sd->dom.n_codes[0]; t++) {
		for (int g = R_TOTAL; g <= R_PROBLEM; g++)
			for (size_t i = L->first[g]; i < L->first[g + 1]; i++) {
				size_t o = g == R_TOTAL ? 0 : i - L->first[g];
				tr->x[t][i] = cnt->x[t][g][o];
				tr->y[t][i] = cnt->y[t][g][o];
			}
		tr->x[t][L->first[R_REC]] = cnt->orgs[t];
		tr->x[t][L->first[R_REC] + 1] = cnt->reps[t];
	}
}

/* Theme index and cell of a note or row. */
static void locate(const struct synth_domain *sd, const struct layout *L,
                   int table, const char *theme, const char *other, int measure,
                   size_t *ti, size_t *i)
{
	*ti = synth_find(sd, 0, theme);
	assert_true(*ti != SIZE_MAX);
	if (table == LS_TABLE_RECURRENCE) {
		*i = L->first[R_REC] + (size_t)measure;
	} else if (table == LS_TABLE_THEME) {
		*i = 0;
	} else {
		size_t o = synth_find(sd, table, other);
		assert_true(o != SIZE_MAX);
		*i = L->first[table] + o;
	}
}

static void cell_box(const struct ls_cell *sig, const struct ls_cell *per,
                     struct bcell *b)
{
	b->exact = sig->kind == LS_CELL_EXACT;
	b->xl = sig->lo;
	b->xh = sig->hi;
	b->yl = per ? per->lo : 0;
	b->yh = per ? per->hi : 0;
}

static void check_in(int64_t v, const struct ls_cell *c)
{
	if (v < c->lo || v > c->hi)
		fail_msg("true %lld outside released [%lld, %lld]",
		         (long long)v, (long long)c->lo, (long long)c->hi);
	if (c->kind == LS_CELL_EXACT)
		assert_true(c->value == v);
}

/*
 * Release raw (whose true counts are cnt) with params p and check
 * everything this file promises. Returns the number of suppressed cells.
 */
static long verify(const struct synth_domain *sd, const struct ls_summary *raw,
                   const struct synth_counts *cnt,
                   const struct ls_disclosure_params *p)
{
	struct disclosure_input in = {raw, &sd->dom, p, NULL, 0, NULL};
	struct ls_summary rel;
	struct disclosure_report rep, chk;
	struct ls_errinfo e;
	struct layout L;
	struct truth *tr = malloc(sizeof *tr);
	struct bcell(*box)[RMAXC] = calloc(SYNTH_MAX_CODES, sizeof *box);
	const struct disclosure_note *(*nx)[RMAXC] =
	    calloc(SYNTH_MAX_CODES, sizeof *nx);
	const struct disclosure_note *(*ny)[RMAXC] =
	    calloc(SYNTH_MAX_CODES, sizeof *ny);
	uint8_t(*present)[RMAXC] = calloc(SYNTH_MAX_CODES, sizeof *present);
	int64_t k = p->k, cap = p->persons_cap;
	long suppressed = 0;
	size_t rows = 0;

	assert_non_null(tr);
	assert_non_null(box);
	assert_non_null(nx);
	assert_non_null(ny);
	assert_non_null(present);
	layout_init(&L, sd);
	truth_fill(&L, sd, cnt, tr);
	ls_errinfo_clear(&e);
	ls_summary_init(&rel);
	if (ls_disclosure_apply(&in, &rel, &rep, &e) != LS_OK)
		fail_msg("ls_disclosure_apply: %s", e.msg);
	g_stats.releases++;

	/* What is released: absent cells are exactly 0. */
	for (size_t t = 0; t < sd->dom.n_codes[0]; t++)
		for (size_t i = 0; i < L.n; i++) {
			box[t][i].exact = 1;
			box[t][i].xl = box[t][i].xh = 0;
			box[t][i].yl = box[t][i].yh = 0;
		}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		rows += rel.tables[t].n_rows;
		for (size_t r = 0; r < rel.tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &rel.tables[t].rows[r];
			size_t ti, i;
			locate(sd, &L, t, row->theme, row->other, 0, &ti, &i);
			check_in(tr->x[ti][i], &row->signals);
			check_in(tr->y[ti][i], &row->persons);
			assert_int_equal(row->signals.kind, row->persons.kind);
			cell_box(&row->signals, &row->persons, &box[ti][i]);
			present[ti][i] = 1;
		}
	}
	rows += rel.n_recurrence;
	for (size_t r = 0; r < rel.n_recurrence; r++) {
		const struct ls_recurrence_row *row = &rel.recurrence[r];
		size_t ti = synth_find(sd, 0, row->theme);
		size_t o = L.first[R_REC];
		check_in(tr->x[ti][o], &row->organisations);
		check_in(tr->x[ti][o + 1], &row->reporters);
		cell_box(&row->organisations, NULL, &box[ti][o]);
		cell_box(&row->reporters, NULL, &box[ti][o + 1]);
		present[ti][o] = present[ti][o + 1] = 1;
	}
	/* A count 1..k-1 is never a number; absent rows are true zeros. */
	for (size_t t = 0; t < sd->dom.n_codes[0]; t++)
		for (size_t i = 0; i < L.n; i++) {
			const struct bcell *b = &box[t][i];
			if (!present[t][i]) {
				assert_true(tr->x[t][i] == 0);
				continue;
			}
			if (b->exact)
				assert_false(b->xl >= 1 && b->xl < k);
			else
				suppressed++;
		}

	/* Notes: two per row, in order, each pointing at a released cell. */
	assert_int_equal(rep.n_notes, 2 * rows);
	for (size_t n = 0; n < rep.n_notes; n++) {
		const struct disclosure_note *nt = &rep.notes[n];
		size_t ti, i;
		locate(sd, &L, nt->cell.table, nt->cell.theme, nt->cell.other,
		       nt->cell.measure, &ti, &i);
		if (nt->cell.table == LS_TABLE_RECURRENCE ||
		    nt->cell.measure == 0)
			nx[ti][i] = nt;
		else
			ny[ti][i] = nt;
		assert_true(nt->raw == (nt->cell.table != LS_TABLE_RECURRENCE &&
		                                nt->cell.measure == 1
		                            ? tr->y[ti][i]
		                            : tr->x[ti][i]));
		if (nt->cell.table != LS_TABLE_RECURRENCE &&
		    nt->cell.measure == 1)
			continue; /* count each row's cells once */
		switch (nt->reason) {
		case DISCLOSURE_RELEASED:
			assert_int_equal(nt->released.kind, LS_CELL_EXACT);
			break;
		case DISCLOSURE_PRIMARY:
			assert_true(tr->x[ti][i] >= 1 && tr->x[ti][i] < k);
			assert_int_equal(nt->released.lo, nt->widened ? 0 : 1);
			if (nt->widened)
				assert_true(nt->has_protects);
			g_stats.primary++;
			g_stats.widened += nt->widened;
			break;
		case DISCLOSURE_ZERO_HIDDEN:
			assert_true(tr->x[ti][i] == 0);
			assert_true(nt->has_protects);
			g_stats.zero_hidden++;
			break;
		case DISCLOSURE_COMPLEMENTARY:
			assert_true(tr->x[ti][i] >= k);
			assert_true(nt->has_protects);
			g_stats.complementary++;
			g_stats.total_suppressed += nt->cell.table == 0;
			g_stats.total_suppressed_full +=
			    nt->cell.table == 0 && sd->dom.n_codes[1] == 6 &&
			    sd->dom.n_codes[3] == 12;
			break;
		default:
			fail_msg("unexpected reason %d", nt->reason);
		}
	}

	/* The receiver's check accepts it, and its ranges are the notes'. */
	if (ls_disclosure_check(&rel, &sd->dom, &chk, &e) != LS_OK)
		fail_msg("ls_disclosure_check: %s", e.msg);
	assert_int_equal(chk.n_notes, rep.n_notes);
	for (size_t n = 0; n < chk.n_notes; n++) {
		assert_true(chk.notes[n].feasible_lo ==
		            rep.notes[n].feasible_lo);
		assert_true(chk.notes[n].feasible_hi ==
		            rep.notes[n].feasible_hi);
	}
	ls_disclosure_report_fini(&chk);

	/* The brute-force attacker, theme by theme. */
	for (size_t t = 0; t < sd->dom.n_codes[0]; t++) {
		struct bres res[RMAXC];
		int rc;
		if (tr->x[t][0] == 0)
			continue;
		g_stats.themes++;
		rc = ref_theme(&L, box[t], cap, res);
		assert_true(rc >= 0);
		if (rc == 1) {
			g_stats.skipped++;
		} else {
			g_stats.audited++;
		}
		for (size_t i = 0; i < L.n; i++) {
			int has_y = i < L.first[R_REC];
			const struct disclosure_note *a = nx[t][i],
			                             *b = ny[t][i];
			int64_t xlo, xhi, ylo = 0, yhi = 0;
			if (!present[t][i] || box[t][i].exact)
				continue;
			assert_non_null(a);
			if (rc == 0) {
				xlo = res[i].xlo;
				xhi = res[i].xhi;
				ylo = res[i].ylo;
				yhi = res[i].yhi;
				if (a->feasible_lo != xlo ||
				    a->feasible_hi != xhi ||
				    (has_y && (b->feasible_lo != ylo ||
				               b->feasible_hi != yhi)))
					fail_msg(
					    "theme %s cell %zu: oracle "
					    "[%lld,%lld]/[%lld,%lld], brute "
					    "force [%lld,%lld]/[%lld,%lld]",
					    sd->codes[0][t], i,
					    (long long)a->feasible_lo,
					    (long long)a->feasible_hi,
					    has_y ? (long long)b->feasible_lo
					          : 0,
					    has_y ? (long long)b->feasible_hi
					          : 0,
					    (long long)xlo, (long long)xhi,
					    (long long)ylo, (long long)yhi);
			} else {
				xlo = a->feasible_lo;
				xhi = a->feasible_hi;
				if (has_y) {
					ylo = b->feasible_lo;
					yhi = b->feasible_hi;
				}
			}
			assert_true(tr->x[t][i] >= xlo && tr->x[t][i] <= xhi);
			if (has_y)
				assert_true(tr->y[t][i] >= ylo &&
				            tr->y[t][i] <= yhi);
			if (tr->x[t][i] >= 1 && tr->x[t][i] < k) {
				g_stats.pinned_checked++;
				if (xlo == xhi || (has_y && ylo == yhi))
					fail_msg(
					    "theme %s cell %zu (true %lld) "
					    "is pinned: [%lld,%lld] persons "
					    "[%lld,%lld]",
					    sd->codes[0][t], i,
					    (long long)tr->x[t][i],
					    (long long)xlo, (long long)xhi,
					    (long long)ylo, (long long)yhi);
			}
		}
	}
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
	free(tr);
	free(box);
	free(nx);
	free(ny);
	free(present);
	return suppressed;
}

/* ---- scenarios ------------------------------------------------------- */

struct scen {
	struct synth_domain sd;
	struct synth_world w;
	struct synth_signal sig[2048];
	size_t n;
};

/* One organisation per (sector, variant): org = sector + variant x nsec;
 * reporter r works for organisation r. */
static void scen_init(struct scen *s, const size_t *dims)
{
	size_t nsec;
	memset(s, 0, sizeof *s);
	synth_domain_init(&s->sd, dims);
	nsec = s->sd.dom.n_codes[LS_TABLE_THEME_SECTOR];
	s->w.n_orgs = 4 * nsec;
	for (size_t o = 0; o < s->w.n_orgs; o++)
		s->w.org_sector[o] = (uint8_t)(o % nsec);
	s->w.n_reporters = s->w.n_orgs;
	for (size_t r = 0; r < s->w.n_reporters; r++)
		s->w.reporter_org[r] = (uint16_t)r;
}

static size_t need(const struct scen *s, int t, const char *code)
{
	size_t i = synth_find(&s->sd, t, code);
	if (i == SIZE_MAX)
		fail_msg("no code '%s' in dimension %d", code, t);
	return i;
}

/* count signals with these attributes; themes and targets are
 * comma-separated lists ("" for no target group). */
static void scen_add(struct scen *s, int count, const char *themes,
                     const char *age, const char *sector, int org_variant,
                     const char *problem, const char *targets, uint32_t persons,
                     int reporter)
{
	for (int c = 0; c < count; c++) {
		struct synth_signal *g = &s->sig[s->n++];
		char buf[256], *tok, *save;
		size_t nsec = s->sd.dom.n_codes[LS_TABLE_THEME_SECTOR];
		assert_true(s->n <= sizeof s->sig / sizeof s->sig[0]);
		memset(g, 0, sizeof *g);
		strcpy(buf, themes);
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save))
			g->themes[g->n_themes++] =
			    (uint8_t)need(s, LS_TABLE_THEME, tok);
		g->age = (uint8_t)need(s, LS_TABLE_THEME_AGE, age);
		g->problem = (uint8_t)need(s, LS_TABLE_THEME_PROBLEM, problem);
		strcpy(buf, targets);
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save))
			g->targets |= UINT64_C(1)
			              << need(s, LS_TABLE_THEME_TARGET, tok);
		g->org = (uint16_t)(need(s, LS_TABLE_THEME_SECTOR, sector) +
		                    (size_t)org_variant * nsec);
		g->reporter = reporter < 0 ? -1 : (int32_t)g->org;
		g->persons = persons;
	}
}

/* Summarise and verify under k and each cap given; returns the number of
 * suppressed cells of the last run. */
static long scen_verify(struct scen *s, uint32_t k, const uint32_t *caps,
                        size_t ncaps)
{
	long sup = 0;
	for (size_t c = 0; c < ncaps; c++) {
		struct ls_disclosure_params p;
		struct ls_summary raw;
		struct synth_counts *cnt = NULL;
		ls_disclosure_params_default(&p);
		p.k = k;
		p.persons_cap = caps[c];
		ls_summary_init(&raw);
		synth_header(&raw, "kortrijk", 2026, 3);
		assert_int_equal(synth_summarise(&s->sd, &s->w, s->sig, s->n,
		                                 caps[c], 0, &raw, &cnt),
		                 0);
		sup = verify(&s->sd, &raw, cnt, &p);
		free(cnt);
		ls_summary_fini(&raw);
	}
	return sup;
}

static const uint32_t caps_all[] = {1, 2, 3, 10};

/* Release one scenario and return its released summary and notes (k 5,
 * cap 3). */
static void scen_release(struct scen *s, uint32_t k, struct ls_summary *rel,
                         struct disclosure_report *rep)
{
	struct ls_disclosure_params p;
	struct ls_summary raw;
	struct disclosure_input in;
	struct ls_errinfo e;
	ls_disclosure_params_default(&p);
	p.k = k;
	p.persons_cap = 3;
	ls_summary_init(&raw);
	synth_header(&raw, "kortrijk", 2026, 3);
	assert_int_equal(
	    synth_summarise(&s->sd, &s->w, s->sig, s->n, 3, 0, &raw, NULL), 0);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &s->sd.dom;
	in.params = &p;
	assert_int_equal(ls_disclosure_apply(&in, rel, rep, &e), LS_OK);
	ls_summary_fini(&raw);
	if (getenv("TEST_DUMP_NOTES") != NULL)
		for (size_t i = 0; i < rep->n_notes; i++) {
			const struct disclosure_note *n = &rep->notes[i];
			print_message("# %d %s %s m%d raw=%lld %s [%lld,%lld] "
			              "feasible [%lld,%lld] protects %s/%s\n",
			              n->cell.table, n->cell.theme,
			              n->cell.other, n->cell.measure,
			              (long long)n->raw,
			              ls_disclosure_reason_name(n->reason),
			              (long long)n->released.lo,
			              (long long)n->released.hi,
			              (long long)n->feasible_lo,
			              (long long)n->feasible_hi,
			              n->has_protects ? n->protects.theme : "",
			              n->has_protects ? n->protects.other : "");
		}
}

static const struct disclosure_note *
find_note(const struct disclosure_report *r, int table, const char *theme,
          const char *other, int measure)
{
	for (size_t i = 0; i < r->n_notes; i++) {
		const struct disclosure_note *n = &r->notes[i];
		if (n->cell.table == table && n->cell.measure == measure &&
		    strcmp(n->cell.theme, theme) == 0 &&
		    strcmp(n->cell.other, other) == 0)
			return n;
	}
	return NULL;
}

/* ---- tests ----------------------------------------------------------- */

static void test_params(void **state)
{
	struct ls_disclosure_params p, f;
	struct ls_errinfo e;
	(void)state;
	ls_disclosure_params_default(&p);
	assert_int_equal(p.mode, LS_MODE_THRESHOLD);
	assert_int_equal(p.k, 5);
	assert_int_equal(p.persons_cap, 10);
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_OK);
	p.k = 1;
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "k 1"));
	p.k = 5;
	p.persons_cap = 0;
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_EINVAL);
	p.persons_cap = 10;
	p.mode = 7;
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_EINVAL);
	p.mode = LS_MODE_NOISE;
	p.epsilon_milli = 0;
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_EINVAL);
	p.epsilon_milli = 1000;
	assert_int_equal(ls_disclosure_params_check(&p, &e), LS_OK);

	/* A node may be stricter than the federation, never looser. */
	ls_disclosure_params_default(&f);
	ls_disclosure_params_default(&p);
	p.k = 7;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_OK);
	p.k = 4;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_EPOLICY);
	p.k = 5;
	p.persons_cap = 5;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_EPOLICY);
	f.mode = p.mode = LS_MODE_NOISE;
	p.persons_cap = f.persons_cap;
	p.epsilon_milli = 500;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_OK);
	p.epsilon_milli = 2000;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_EPOLICY);
	p.epsilon_milli = 500;
	p.withhold_below = 2;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_EPOLICY);
	p.mode = LS_MODE_THRESHOLD;
	assert_int_equal(ls_disclosure_params_stricter(&p, &f, &e), LS_EPOLICY);
	assert_string_equal(ls_disclosure_reason_name(DISCLOSURE_COMPLEMENTARY),
	                    "complementary");
	assert_string_equal(ls_disclosure_reason_name(99), "unknown");
}

/* The case from the brief: one row with a single small cell. Releasing
 * the other sector and the theme total would give it away. */
static void test_single_small_cell_in_row(void **state)
{
	static struct scen s;
	struct ls_summary rel;
	struct disclosure_report rep;
	const struct disclosure_note *n;
	(void)state;
	scen_init(&s, NULL);
	scen_add(&s, 11, "wonen", "25-64", "ocmw", 0, "regelgeving", "", 2, 0);
	scen_add(&s, 1, "wonen", "25-64", "caw", 0, "regelgeving", "", 2, 0);
	scen_verify(&s, 5, caps_all, 4);

	scen_release(&s, 5, &rel, &rep);
	n = find_note(&rep, LS_TABLE_THEME_SECTOR, "wonen", "caw", 0);
	assert_non_null(n);
	assert_int_equal(n->reason, DISCLOSURE_PRIMARY);
	assert_int_equal(n->released.kind, LS_CELL_RANGE);
	assert_true(n->released.hi == 4);
	assert_true(n->feasible_lo < n->feasible_hi);
	/* The cheapest protection is to hide the zeros of the sector row:
	 * the small cell is then one of eleven 0-4 cells. */
	n = find_note(&rep, LS_TABLE_THEME_SECTOR, "wonen", "ggz", 0);
	assert_non_null(n);
	assert_int_equal(n->reason, DISCLOSURE_ZERO_HIDDEN);
	assert_true(n->has_protects);
	assert_string_equal(n->protects.other, "caw");
	assert_true(n->released.lo == 0 && n->released.hi == 4);
	/* The theme total and the large cell stay exact. */
	n = find_note(&rep, LS_TABLE_THEME, "wonen", "", 0);
	assert_int_equal(n->reason, DISCLOSURE_RELEASED);
	assert_true(n->released.value == 12);
	n = find_note(&rep, LS_TABLE_THEME_SECTOR, "wonen", "ocmw", 0);
	assert_int_equal(n->reason, DISCLOSURE_RELEASED);
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
}

/* A row without zeros to hide: a count >= k must be suppressed. */
static void test_complementary_when_no_zeros(void **state)
{
	static struct scen s;
	static const size_t dims[LS_TABLE_COUNT_] = {2, 2, 2, 2, 2};
	struct ls_summary rel;
	struct disclosure_report rep;
	const struct disclosure_note *n;
	(void)state;
	scen_init(&s, dims);
	scen_add(&s, 9, "energie", "0-11", "ocmw", 0, "geen", "", 1, 0);
	scen_add(&s, 2, "energie", "12-17", "ocmw", 0, "geen", "", 1, 0);
	scen_verify(&s, 5, caps_all, 4);
	scen_release(&s, 5, &rel, &rep);
	n = find_note(&rep, LS_TABLE_THEME_AGE, "energie", "0-11", 0);
	assert_int_equal(n->reason, DISCLOSURE_COMPLEMENTARY);
	assert_string_equal(n->protects.other, "12-17");
	assert_true(n->released.lo == 0 && n->released.hi == 11);
	n = find_note(&rep, LS_TABLE_THEME_AGE, "energie", "0-11", 1);
	assert_int_equal(n->reason, DISCLOSURE_COMPLEMENTARY);
	assert_true(n->released.lo == 0 && n->released.hi == 33);
	assert_true(rep.by_reason[DISCLOSURE_COMPLEMENTARY] == 2);
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
}

static void test_adversarial_rows(void **state)
{
	static struct scen s;
	static const size_t small[LS_TABLE_COUNT_] = {3, 3, 3, 4, 3};
	static const size_t tiny[LS_TABLE_COUNT_] = {1, 1, 1, 1, 1};
	(void)state;

	/* Two small cells that add up to 2 next to a large one. */
	scen_init(&s, NULL);
	scen_add(&s, 10, "werk", "25-64", "werk", 0, "werking", "", 1, 0);
	scen_add(&s, 1, "werk", "18-24", "ocmw", 0, "werking", "", 1, 0);
	scen_add(&s, 1, "werk", "65plus", "caw", 0, "afstemming", "", 1, 0);
	scen_verify(&s, 5, caps_all, 4);

	/* Persons equal to signals everywhere, and persons = cap x
	 * signals everywhere. */
	for (uint32_t per = 1; per <= 10; per += 9) {
		scen_init(&s, small);
		scen_add(&s, 7, "inkomen", "0-11", "caw", 0, "afstemming",
		         "algemeen", per, 0);
		scen_add(&s, 2, "inkomen", "12-17", "caw", 0, "geen", "", per,
		         -1);
		scen_add(&s, 1, "inkomen", "12-17", "eerstelijn", 0, "geen",
		         "eenouder", per, 0);
		scen_verify(&s, 5, caps_all, 4);
	}

	/* A single-signal theme, in a full and in a one-code domain. */
	scen_init(&s, NULL);
	scen_add(&s, 1, "mentaal", "12-17", "ggz", 0, "informatie",
	         "jeugdhulp,gezin", 6, 0);
	scen_verify(&s, 5, caps_all, 4);
	scen_init(&s, tiny);
	scen_add(&s, 1, s.sd.codes[0][0], s.sd.codes[1][0], s.sd.codes[3][0], 0,
	         "geen", "", 3, -1);
	scen_verify(&s, 5, caps_all, 4);
	scen_add(&s, 9, s.sd.codes[0][0], s.sd.codes[1][0], s.sd.codes[3][0], 1,
	         "geen", "", 3, -1);
	scen_verify(&s, 5, caps_all, 4);

	/* All signals of one sector, one small age band. */
	scen_init(&s, NULL);
	scen_add(&s, 6, "gezondheid", "65plus", "thuiszorg", 0, "werking",
	         "alleenstaand", 2, 0);
	scen_add(&s, 1, "gezondheid", "25-64", "thuiszorg", 0, "werking",
	         "alleenstaand", 2, 0);
	scen_verify(&s, 5, caps_all, 4);

	/* Every cell of a row at k-1 and no zeros to hide: only the
	 * theme total can protect them. */
	scen_init(&s, small);
	scen_add(&s, 4, "energie", "0-11", "caw", 0, "geen", "", 1, 0);
	scen_add(&s, 4, "energie", "12-17", "caw", 0, "geen", "", 1, 0);
	scen_add(&s, 4, "energie", "18-24", "caw", 0, "geen", "", 1, 0);
	scen_verify(&s, 5, caps_all, 4);

	/* A theme total of k-1 spread over k-1 age bands: the total would
	 * follow from the bands' lower bounds. */
	scen_init(&s, NULL);
	scen_add(&s, 1, "sociaal", "0-11", "ocmw", 0, "geen", "", 1, 0);
	scen_add(&s, 1, "sociaal", "12-17", "ocmw", 1, "geen", "", 1, 0);
	scen_add(&s, 1, "sociaal", "18-24", "ocmw", 2, "geen", "", 1, 0);
	scen_add(&s, 1, "sociaal", "25-64", "ocmw", 3, "geen", "", 1, 0);
	scen_verify(&s, 5, caps_all, 4);

	/* A theme total of exactly k, and other k. */
	scen_init(&s, NULL);
	scen_add(&s, 3, "voedsel", "0-11", "vrijwilligers", 0, "geen", "", 4,
	         0);
	scen_add(&s, 2, "voedsel", "25-64", "ocmw", 0, "geen", "", 1, -1);
	scen_verify(&s, 5, caps_all, 4);
	scen_verify(&s, 3, caps_all, 4);
	scen_verify(&s, 4, caps_all, 4);
}

/* k-1 organisations in k-1 sectors that are all released: the number of
 * organisations would follow from the sector row. */
static void test_organisations_bound_by_sectors(void **state)
{
	static struct scen s;
	struct ls_summary rel;
	struct disclosure_report rep;
	const struct disclosure_note *n;
	(void)state;
	scen_init(&s, NULL);
	scen_add(&s, 6, "wonen", "25-64", "ocmw", 0, "geen", "", 1, 0);
	scen_add(&s, 7, "wonen", "25-64", "caw", 0, "geen", "", 1, 0);
	scen_add(&s, 5, "wonen", "18-24", "huisvesting", 0, "geen", "", 1, 0);
	scen_add(&s, 8, "wonen", "25-64", "thuiszorg", 0, "geen", "", 1, -1);
	scen_verify(&s, 5, caps_all, 4);
	scen_release(&s, 5, &rel, &rep);
	n = find_note(&rep, LS_TABLE_RECURRENCE, "wonen", "", 0);
	assert_int_equal(n->reason, DISCLOSURE_PRIMARY);
	assert_true(n->raw == 4);
	assert_true(n->feasible_lo < n->feasible_hi);
	assert_true(rep.by_reason[DISCLOSURE_COMPLEMENTARY] >= 2);
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
}

/* Many small generated summaries, brute-force audited. */
#define RANDOM_RUNS 4000
static void test_random_summaries(void **state)
{
	static struct scen s;
	static const uint32_t ks[] = {3, 4, 5, 5, 5, 7};
	static const uint32_t caps[] = {1, 2, 3, 5, 10};
	struct synth_rng rng = {20260301};
	long total_sup = 0;
	(void)state;
	memset(&g_stats, 0, sizeof g_stats);
	for (int run = 0; run < RANDOM_RUNS; run++) {
		size_t dims[LS_TABLE_COUNT_];
		uint32_t k = ks[synth_below(&rng, 6)];
		uint32_t cap = caps[synth_below(&rng, 5)];
		uint32_t n = 1 + synth_below(&rng, run % 3 == 0 ? 60 : 25);
		uint32_t maxp = 1 + synth_below(&rng, 12);
		struct ls_disclosure_params p;
		struct ls_summary raw;
		struct synth_counts *cnt = NULL;
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			dims[t] = run % 2 ? 0 : 1 + synth_below(&rng, 5);
		dims[LS_TABLE_THEME_PROBLEM] +=
		    dims[LS_TABLE_THEME_PROBLEM] == 1;
		memset(&s, 0, sizeof s);
		synth_domain_init(&s.sd, dims);
		synth_world_init(&s.w, &rng, &s.sd, 1 + synth_below(&rng, 12),
		                 synth_below(&rng, 20));
		if (run % 4 == 3) {
			/* Blocks of identical signals of 1, 2, k-1, k or k+1:
			 * cells right at the boundaries. */
			const uint32_t sizes[5] = {1, 2, k - 1, k, k + 1};
			uint32_t i = 0;
			while (i < n) {
				uint32_t b = sizes[synth_below(&rng, 5)];
				synth_signal_random(&s.sig[i], &rng, &s.sd,
				                    &s.w, maxp);
				for (uint32_t j = 1; j < b && i + j < n; j++)
					s.sig[i + j] = s.sig[i];
				i += b;
			}
		} else {
			for (uint32_t i = 0; i < n; i++)
				synth_signal_random(&s.sig[i], &rng, &s.sd,
				                    &s.w, maxp);
		}
		s.n = n;
		ls_disclosure_params_default(&p);
		p.k = k;
		p.persons_cap = cap;
		ls_summary_init(&raw);
		synth_header(&raw, "oud-turnhout", 2026, 1 + run % 12);
		assert_int_equal(synth_summarise(&s.sd, &s.w, s.sig, s.n, cap,
		                                 run % 5 == 0, &raw, &cnt),
		                 0);
		total_sup += verify(&s.sd, &raw, cnt, &p);
		free(cnt);
		ls_summary_fini(&raw);
	}
	print_message("# %ld releases, %ld themes (%ld brute-force audited, "
	              "%ld too large), %ld suppressed cells: %ld primary "
	              "(%ld widened), %ld zero hidden, %ld complementary "
	              "(%ld theme totals, %ld of them in the full "
	              "taxonomy); %ld small cells checked not pinned\n",
	              g_stats.releases, g_stats.themes, g_stats.audited,
	              g_stats.skipped, total_sup, g_stats.primary,
	              g_stats.widened, g_stats.zero_hidden,
	              g_stats.complementary, g_stats.total_suppressed,
	              g_stats.total_suppressed_full, g_stats.pinned_checked);
	assert_true(g_stats.audited > 9 * g_stats.themes / 10);
	assert_true(g_stats.complementary > 0 && g_stats.zero_hidden > 0);
}

/* Same input, same bytes; zero rows in the raw summary change nothing. */
static void test_deterministic(void **state)
{
	static struct scen s;
	struct synth_rng rng = {7};
	struct ls_disclosure_params p;
	struct synth_buf b[3];
	(void)state;
	memset(&s, 0, sizeof s);
	synth_domain_init(&s.sd, NULL);
	synth_world_init(&s.w, &rng, &s.sd, 30, 60);
	s.n = 400;
	for (size_t i = 0; i < s.n; i++)
		synth_signal_random(&s.sig[i], &rng, &s.sd, &s.w, 8);
	ls_disclosure_params_default(&p);
	for (int v = 0; v < 3; v++) {
		struct ls_summary raw, rel;
		struct disclosure_input in = {&raw, &s.sd.dom, &p,
		                              NULL, 0,         NULL};
		struct ls_errinfo e;
		ls_summary_init(&raw);
		synth_header(&raw, "gent", 2026, 2);
		assert_int_equal(synth_summarise(&s.sd, &s.w, s.sig, s.n, 10,
		                                 v == 2, &raw, NULL),
		                 0);
		assert_int_equal(ls_disclosure_apply(&in, &rel, NULL, &e),
		                 LS_OK);
		synth_serialize(&rel, &b[v]);
		ls_summary_fini(&rel);
		ls_summary_fini(&raw);
	}
	assert_true(b[0].n == b[1].n && b[0].n == b[2].n);
	assert_memory_equal(b[0].b, b[1].b, b[0].n);
	assert_memory_equal(b[0].b, b[2].b, b[0].n);
	for (int v = 0; v < 3; v++)
		free(b[v].b);
}

/* Bad input: a clear error, and nothing released. */
static void test_rejects_bad_input(void **state)
{
	static struct scen s;
	struct ls_disclosure_params p;
	struct ls_summary raw, rel;
	struct disclosure_input in;
	struct disclosure_report rep;
	struct ls_errinfo e;
	const char *codes_dup[2] = {"wonen", "wonen"};
	const char *codes_bad[1] = {"Wonen"};
	struct ls_domain dom;
	(void)state;

	scen_init(&s, NULL);
	scen_add(&s, 8, "wonen", "25-64", "ocmw", 0, "geen", "gezin", 2, 0);
	scen_add(&s, 3, "wonen,energie", "0-11", "caw", 0, "werking", "", 2, 0);
	ls_disclosure_params_default(&p);
	ls_summary_init(&raw);
	synth_header(&raw, "kortrijk", 2026, 3);
	assert_int_equal(
	    synth_summarise(&s.sd, &s.w, s.sig, s.n, 10, 0, &raw, NULL), 0);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &s.sd.dom;
	in.params = &p;

#define EXPECT_REFUSED(code, fragment)                                         \
	do {                                                                   \
		ls_errinfo_clear(&e);                                          \
		assert_int_equal(ls_disclosure_apply(&in, &rel, &rep, &e),     \
		                 code);                                        \
		assert_int_equal(rel.tables[0].n_rows, 0);                     \
		assert_null(rel.tables[0].rows);                               \
		assert_null(rep.notes);                                        \
		if (strstr(e.msg, fragment) == NULL)                           \
			fail_msg("message '%s' lacks '%s'", e.msg, fragment);  \
	} while (0)

	assert_int_equal(ls_disclosure_apply(&in, &rel, &rep, &e), LS_OK);
	ls_summary_fini(&rel);
	ls_disclosure_report_fini(&rep);

	/* Domain. */
	dom = s.sd.dom;
	in.domain = &dom;
	dom.codes[0] = codes_dup;
	dom.n_codes[0] = 2;
	EXPECT_REFUSED(LS_EINVAL, "twice");
	dom.codes[0] = codes_bad;
	dom.n_codes[0] = 1;
	EXPECT_REFUSED(LS_EINVAL, "not a code");
	dom = s.sd.dom;
	dom.n_codes[LS_TABLE_THEME_PROBLEM]--; /* drops "geen" (sorted
	                                          middle), or another */
	{
		const char *probs[6] = {"afstemming",  "beleidsleemte",
		                        "informatie",  "regelgeving",
		                        "risicogroep", "werking"};
		dom.codes[LS_TABLE_THEME_PROBLEM] = probs;
		dom.n_codes[LS_TABLE_THEME_PROBLEM] = 6;
		EXPECT_REFUSED(LS_EINVAL, "geen");
	}
	dom.n_codes[LS_TABLE_THEME_AGE] = 0;
	EXPECT_REFUSED(LS_EINVAL, "age bands");
	in.domain = NULL;
	EXPECT_REFUSED(LS_EINVAL, "domain");
	in.domain = &s.sd.dom;

	/* Parameters. */
	p.k = 0;
	EXPECT_REFUSED(LS_EINVAL, "k 0");
	p.k = 5;
	p.mode = LS_MODE_NOISE;
	EXPECT_REFUSED(LS_EINVAL, "secret");
	p.mode = LS_MODE_THRESHOLD;

	/* Raw summaries that the store must never produce. */
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.value++;
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.lo++;
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.hi++;
	EXPECT_REFUSED(LS_EINVAL, "add up");
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.value--;
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.lo--;
	raw.tables[LS_TABLE_THEME_SECTOR].rows[0].signals.hi--;
	raw.tables[LS_TABLE_THEME_AGE].rows[0].persons.kind = LS_CELL_RANGE;
	EXPECT_REFUSED(LS_EINVAL, "exact counts");
	raw.tables[LS_TABLE_THEME_AGE].rows[0].persons.kind = LS_CELL_EXACT;
	strcpy(raw.tables[LS_TABLE_THEME_AGE].rows[0].other, "99-100");
	EXPECT_REFUSED(LS_EINVAL, "not one of the age bands");
	strcpy(raw.tables[LS_TABLE_THEME_AGE].rows[0].other, "0-11");
	{
		struct ls_summary_row tmp = raw.tables[LS_TABLE_THEME].rows[0];
		raw.tables[LS_TABLE_THEME].rows[0] =
		    raw.tables[LS_TABLE_THEME].rows[1];
		raw.tables[LS_TABLE_THEME].rows[1] = tmp;
		EXPECT_REFUSED(LS_EINVAL, "out of order");
		tmp = raw.tables[LS_TABLE_THEME].rows[0];
		raw.tables[LS_TABLE_THEME].rows[0] =
		    raw.tables[LS_TABLE_THEME].rows[1];
		raw.tables[LS_TABLE_THEME].rows[1] = tmp;
	}
	raw.recurrence[0].organisations.value = 0;
	raw.recurrence[0].organisations.lo = 0;
	raw.recurrence[0].organisations.hi = 0;
	EXPECT_REFUSED(LS_EINVAL, "organisations");
	raw.recurrence[0].organisations.value = 1;
	raw.recurrence[0].organisations.lo = 1;
	raw.recurrence[0].organisations.hi = 1;
	p.persons_cap = 1; /* the raw persons were capped at 10 */
	EXPECT_REFUSED(LS_EINVAL, "persons");
	p.persons_cap = 10;
	strcpy(raw.origin, "Kortrijk!");
	EXPECT_REFUSED(LS_EINVAL, "origin");
	strcpy(raw.origin, "kortrijk");
	raw.period.month = 13;
	EXPECT_REFUSED(LS_EINVAL, "period");
	raw.period.month = 3;
	memset(raw.tables[LS_TABLE_THEME].rows[0].theme, 'a', LS_CODE_SIZE);
	EXPECT_REFUSED(LS_EINVAL, "theme is not in the taxonomy");
#undef EXPECT_REFUSED
	ls_summary_fini(&raw);
}

/* Tampered releases: what a receiver's check must catch. */
static void test_check_catches_leaks(void **state)
{
	static struct scen s;
	struct ls_summary rel;
	struct disclosure_report rep;
	struct ls_errinfo e;
	struct ls_summary_table *sec;
	size_t caw = SIZE_MAX, ocmw = SIZE_MAX;
	(void)state;
	scen_init(&s, NULL);
	scen_add(&s, 11, "wonen", "25-64", "ocmw", 0, "regelgeving", "", 2, 0);
	scen_add(&s, 1, "wonen", "25-64", "caw", 0, "regelgeving", "", 2, 0);
	scen_release(&s, 5, &rel, &rep);
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e), LS_OK);
	sec = &rel.tables[LS_TABLE_THEME_SECTOR];
	for (size_t r = 0; r < sec->n_rows; r++) {
		if (strcmp(sec->rows[r].other, "caw") == 0)
			caw = r;
		if (strcmp(sec->rows[r].other, "ocmw") == 0)
			ocmw = r;
	}
	assert_true(caw != SIZE_MAX && ocmw != SIZE_MAX);

	/* Zero hiding undone: every other sector is an exact zero again. */
	{
		struct ls_summary_table keep = *sec;
		struct ls_summary_row rows[2] = {sec->rows[caw],
		                                 sec->rows[ocmw]};
		rows[0].signals.lo = 1; /* the primary, as 1-4 */
		rows[0].persons.lo = 1;
		sec->rows = rows;
		sec->n_rows = 2;
		assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e),
		                 LS_EPOLICY);
		assert_non_null(strstr(e.msg, "computed"));
		*sec = keep;
	}
	/* An exact small count. */
	sec->rows[caw].signals.kind = LS_CELL_EXACT;
	sec->rows[caw].signals.value = sec->rows[caw].signals.lo =
	    sec->rows[caw].signals.hi = 1;
	sec->rows[caw].persons.kind = LS_CELL_EXACT;
	sec->rows[caw].persons.value = sec->rows[caw].persons.lo =
	    sec->rows[caw].persons.hi = 2;
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e),
	                 LS_EPOLICY);
	assert_non_null(strstr(e.msg, "below k"));
	/* A persons range that says more than the signals range. */
	sec->rows[caw].signals = (struct ls_cell){LS_CELL_RANGE, 0, 0, 4};
	sec->rows[caw].persons = (struct ls_cell){LS_CELL_RANGE, 0, 2, 2};
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e),
	                 LS_EPOLICY);
	assert_non_null(strstr(e.msg, "derived"));
	/* Inconsistent: the rows cannot add up to the total. */
	sec->rows[caw].persons = (struct ls_cell){LS_CELL_RANGE, 0, 0, 12};
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e), LS_OK);
	sec->rows[ocmw].signals.value = sec->rows[ocmw].signals.lo =
	    sec->rows[ocmw].signals.hi = 50;
	sec->rows[ocmw].persons.value = sec->rows[ocmw].persons.lo =
	    sec->rows[ocmw].persons.hi = 60;
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, NULL, &e),
	                 LS_EPOLICY);
	assert_non_null(strstr(e.msg, "inconsistent"));
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
}

/* Every allocation may fail: the error is LS_ENOMEM and nothing leaks. */
static void test_allocation_failures(void **state)
{
	static struct scen s;
	struct ls_disclosure_params p;
	struct ls_summary raw, rel;
	struct disclosure_input in;
	struct disclosure_report rep;
	struct ls_errinfo e;
	long count;
	(void)state;
	scen_init(&s, NULL);
	scen_add(&s, 8, "wonen", "25-64", "ocmw", 0, "geen", "gezin", 2, 0);
	scen_add(&s, 1, "wonen", "0-11", "caw", 0, "werking", "", 2, 0);
	ls_disclosure_params_default(&p);
	ls_summary_init(&raw);
	synth_header(&raw, "kortrijk", 2026, 3);
	assert_int_equal(
	    synth_summarise(&s.sd, &s.w, s.sig, s.n, 10, 0, &raw, NULL), 0);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &s.sd.dom;
	in.params = &p;
	ls_alloc_fail_nth(0);
	assert_int_equal(ls_disclosure_apply(&in, &rel, &rep, &e), LS_OK);
	count = ls_alloc_fail_nth(0);
	ls_summary_fini(&rel);
	ls_disclosure_report_fini(&rep);
	assert_true(count > 3);
	for (long i = 1; i <= count; i++) {
		ls_alloc_fail_nth(i);
		assert_int_equal(ls_disclosure_apply(&in, &rel, &rep, &e),
		                 LS_ENOMEM);
		assert_null(rel.recurrence);
		assert_null(rep.notes);
		ls_alloc_fail_nth(0);
	}
	/* And the receiver's check. */
	assert_int_equal(ls_disclosure_apply(&in, &rel, NULL, &e), LS_OK);
	ls_alloc_fail_nth(0);
	assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, &rep, &e), LS_OK);
	count = ls_alloc_fail_nth(0);
	ls_disclosure_report_fini(&rep);
	for (long i = 1; i <= count; i++) {
		ls_alloc_fail_nth(i);
		assert_int_equal(ls_disclosure_check(&rel, &s.sd.dom, &rep, &e),
		                 LS_ENOMEM);
		assert_null(rep.notes);
		ls_alloc_fail_nth(0);
	}
	ls_summary_fini(&rel);
	ls_summary_fini(&raw);
}

/* A city-sized month: too large for the brute force, but the release is
 * checked by the receiver's check and against the truth. */
static void test_city_month(void **state)
{
	static struct synth_signal sig[15000];
	struct synth_domain sd;
	struct synth_world w;
	struct synth_rng rng = {15000};
	struct ls_disclosure_params p;
	struct ls_summary raw;
	struct synth_counts *cnt = NULL;
	(void)state;
	synth_domain_init(&sd, NULL);
	synth_world_init(&w, &rng, &sd, 200, 900);
	for (size_t i = 0; i < 15000; i++)
		synth_signal_random(&sig[i], &rng, &sd, &w, 12);
	ls_disclosure_params_default(&p);
	ls_summary_init(&raw);
	synth_header(&raw, "gent", 2026, 4);
	assert_int_equal(
	    synth_summarise(&sd, &w, sig, 15000, 10, 0, &raw, &cnt), 0);
	verify(&sd, &raw, cnt, &p);
	free(cnt);
	ls_summary_fini(&raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_single_small_cell_in_row),
	    cmocka_unit_test(test_complementary_when_no_zeros),
	    cmocka_unit_test(test_adversarial_rows),
	    cmocka_unit_test(test_organisations_bound_by_sectors),
	    cmocka_unit_test(test_random_summaries),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_rejects_bad_input),
	    cmocka_unit_test(test_check_catches_leaks),
	    cmocka_unit_test(test_allocation_failures),
	    cmocka_unit_test(test_city_month),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
