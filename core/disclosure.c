/*
 * Disclosure control: raw summary in, released summary and notes out.
 *
 * Happy path (threshold mode): compile the taxonomy domain; read the raw
 * summary into one small system of cells per theme (the theme total, one
 * cell per age band, target group, sector and problem type, and the two
 * recurrence indicators) and check that it is consistent; mark counts
 * 1..k-1 as primary suppressions; then, per theme, repeatedly ask the
 * oracle for the exact range of every suppressed count that follows from
 * everything that would be released, and while some primary cell is pinned
 * to a single value, take the cheapest protective step that unpins it
 * (hide the zeros of a row, or suppress a count >= k). Every step only
 * releases less, so ranges only widen and the loop ends; when everything
 * that can be hidden is hidden, all-zero is a feasible solution, so every
 * primary cell ranges over at least {0, its true count}: the loop cannot
 * end with a pinned cell. Finally write the rows and a note per cell.
 *
 * Themes are independent: no released value links two themes (docs/
 * DISCLOSURE.md, "Relations"), so each theme is protected on its own.
 *
 * The oracle is exact for the integer model of docs/DISCLOSURE.md: for a
 * given theme total x_T the tables decouple, every suppressed persons range
 * is derived from its signals range, and so each table's feasible values
 * have a closed form (interval arithmetic, plus a greedy count of non-zero
 * sectors for the organisations bound). The unit test checks it against a
 * brute-force dynamic programme on thousands of generated summaries.
 *
 * Noise mode: check the budget, then give every cell of the domain (zeros
 * included, so that the presence of a row reveals nothing) keyed discrete
 * Laplace noise from core/noise.c and withhold small noisy values.
 *
 * Failure modes: bad parameters, domain or raw summary are LS_EINVAL with
 * the field at fault; an exhausted budget is LS_EBUDGET; allocation failure
 * LS_ENOMEM. On any error the output summary is empty.
 */
#include "core/disclosure.h"
#include "common/alloc.h"
#include "common/log.h"
#include "core/member.h"
#include "core/period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the domain and a theme's cells ---------------------------------- */

/* Cell groups of a theme: the five tables, in the order of
 * enum ls_table_kind, then the recurrence indicators. */
enum group {
	G_TOTAL = LS_TABLE_THEME,
	G_AGE = LS_TABLE_THEME_AGE,
	G_TARGET = LS_TABLE_THEME_TARGET,
	G_SECTOR = LS_TABLE_THEME_SECTOR,
	G_PROBLEM = LS_TABLE_THEME_PROBLEM,
	G_REC = LS_TABLE_RECURRENCE,
	G_N
};

#define MAXC (1 + 4 * DISCLOSURE_MAX_CODES + 2)

/* A theme's total can only be a wide range when it was suppressed to
 * protect a row of small counts; a received summary that claims a wider
 * range is refused rather than searched. */
#define AUDIT_SPAN_MAX 100000

struct dom {
	size_t n[LS_TABLE_COUNT_];
	char code[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES][LS_CODE_SIZE];
	/* Layout of a theme's cells: group g is [first[g], first[g+1]);
	 * the total is cell 0, the organisations and reporters the last
	 * two. */
	size_t first[G_N + 1];
	size_t ncells;
	uint8_t grp[MAXC];
};

static const char *const dim_name[LS_TABLE_COUNT_] = {
    "themes", "age bands", "target groups", "sectors", "problem types"};
static const char *const table_name[LS_QUERY_TABLES] = {
    "theme",          "theme x age",          "theme x target group",
    "theme x sector", "theme x problem type", "recurrence"};

/* Codes follow the taxonomy's rule (ls_code_valid): one rule for the
 * taxonomy, this check and the wire format. */
static int code_valid(const char *s)
{
	return ls_code_valid(s, strnlen(s, LS_CODE_SIZE));
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Index of code in dimension t, or -1. code may be any char array of
 * LS_CODE_SIZE bytes; one without a NUL is simply not found. */
static int dom_find(const struct dom *d, int t, const char *code)
{
	const char *hit;
	if (strnlen(code, LS_CODE_SIZE) == LS_CODE_SIZE)
		return -1;
	hit = bsearch(code, d->code[t], d->n[t], LS_CODE_SIZE, cmp_code);
	return hit == NULL ? -1 : (int)((hit - d->code[t][0]) / LS_CODE_SIZE);
}

static int dom_compile(const struct ls_domain *in, struct dom *d,
                       struct ls_errinfo *e)
{
	memset(d, 0, sizeof *d);
	if (in == NULL)
		return ls_errf(e, LS_EINVAL, "no taxonomy domain given");
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = in->n_codes[t];
		if (n == 0 || n > DISCLOSURE_MAX_CODES || in->codes[t] == NULL)
			return ls_errf(e, LS_EINVAL,
			               "domain: %zu %s, expected 1..%d", n,
			               dim_name[t], DISCLOSURE_MAX_CODES);
		for (size_t i = 0; i < n; i++) {
			const char *c = in->codes[t][i];
			if (c == NULL || !code_valid(c))
				return ls_errf(e, LS_EINVAL,
				               "domain: %s code %zu is not a "
				               "code of 1..%d [a-z0-9_-]",
				               dim_name[t], i, LS_CODE_MAX);
			memcpy(d->code[t][i], c, strlen(c) + 1);
		}
		qsort(d->code[t], n, LS_CODE_SIZE, cmp_code);
		for (size_t i = 1; i < n; i++)
			if (strcmp(d->code[t][i - 1], d->code[t][i]) == 0)
				return ls_errf(e, LS_EINVAL,
				               "domain: %s code '%s' twice",
				               dim_name[t], d->code[t][i]);
		d->n[t] = n;
	}
	if (dom_find(d, LS_TABLE_THEME_PROBLEM, LS_PROBLEM_NONE) < 0)
		return ls_errf(e, LS_EINVAL,
		               "domain: problem types lack '%s' (no problem "
		               "type)",
		               LS_PROBLEM_NONE);
	d->first[G_TOTAL] = 0;
	d->first[G_AGE] = 1;
	for (int g = G_AGE; g <= G_PROBLEM; g++)
		d->first[g + 1] = d->first[g] + d->n[g];
	d->first[G_N] = d->first[G_REC] + 2;
	d->ncells = d->first[G_N];
	for (int g = 0; g < G_N; g++)
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++)
			d->grp[i] = (uint8_t)g;
	return LS_OK;
}

/* Name cell i of theme ti (measure 1 = persons; ignored for recurrence,
 * whose two cells are the two measures). */
static void ref_of(const struct dom *d, size_t ti, size_t i, int measure,
                   struct disclosure_ref *r)
{
	int g = d->grp[i];
	memset(r, 0, sizeof *r);
	r->table = (uint8_t)g;
	memcpy(r->theme, d->code[LS_TABLE_THEME][ti], LS_CODE_SIZE);
	if (g == G_REC)
		r->measure = (uint8_t)(i - d->first[G_REC]);
	else
		r->measure = (uint8_t)measure;
	if (g != G_TOTAL && g != G_REC)
		memcpy(r->other, d->code[g][i - d->first[g]], LS_CODE_SIZE);
}

static int has_persons(const struct dom *d, size_t i)
{
	return d->grp[i] != G_REC;
}

/* ---- the oracle ------------------------------------------------------ */

/* What is released about one cell: exact (x = lo = hi, persons y), or a
 * range [lo, hi] of the count whose persons range is [lo, cap x hi]. */
struct ocell {
	uint8_t exact;
	int64_t lo, hi, y;
};

/* The exact feasible ranges of a cell's count (x) and persons (y). */
struct orange {
	int64_t xlo, xhi, ylo, yhi;
};

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void widen(int64_t *lo, int64_t *hi, int64_t l, int64_t h)
{
	if (l < *lo)
		*lo = l;
	if (h > *hi)
		*hi = h;
}

/* Sums over one additive row (age, sector or problem type). */
struct addsum {
	int64_t ex, ey; /* exact counts and persons */
	int64_t ls, hs; /* suppressed: sum of lo, sum of hi */
};

/* The sector row seen from the organisations indicator: a theme has at
 * least as many organisations as sectors with signals (an organisation
 * belongs to one sector). */
struct nzinfo {
	int64_t e_nz; /* exact sector cells > 0 */
	int64_t m;    /* suppressed with lo >= 1: certainly > 0 */
	int64_t mh;   /* their sum of hi */
	size_t nopt;  /* suppressed with lo = 0: maybe 0 */
	int64_t pref[DISCLOSURE_MAX_CODES + 1]; /* sums of the largest hi */
	int rank[DISCLOSURE_MAX_CODES];         /* cell -> place, or -1 */
};

struct optcell {
	int64_t hi;
	size_t idx;
};

static int cmp_opt(const void *a, const void *b)
{
	const struct optcell *x = a, *y = b;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

static void nz_prepare(const struct dom *d, const struct ocell *c,
                       struct nzinfo *z)
{
	struct optcell opt[DISCLOSURE_MAX_CODES];
	size_t f = d->first[G_SECTOR], n = d->n[LS_TABLE_THEME_SECTOR];
	memset(z, 0, sizeof *z);
	for (size_t j = 0; j < n; j++) {
		const struct ocell *s = &c[f + j];
		z->rank[j] = -1;
		if (s->exact)
			z->e_nz += s->lo >= 1;
		else if (s->lo >= 1) {
			z->m++;
			z->mh += s->hi;
		} else {
			opt[z->nopt].hi = s->hi;
			opt[z->nopt++].idx = j;
		}
	}
	qsort(opt, z->nopt, sizeof opt[0], cmp_opt);
	for (size_t q = 0; q < z->nopt; q++) {
		z->pref[q + 1] = z->pref[q] + opt[q].hi;
		z->rank[opt[q].idx] = (int)q;
	}
}

/* Capacity of the q largest optional cells (q may exceed their number). */
static int64_t nz_cap(const struct nzinfo *z, int64_t q)
{
	return q <= 0 ? 0
	              : z->pref[q < (int64_t)z->nopt ? q : (int64_t)z->nopt];
}

/* The least number of non-zero suppressed sector cells that can hold xs
 * (xs within the row's bounds). */
static int64_t nz_min(const struct nzinfo *z, int64_t xs)
{
	int64_t q = 0;
	while (q < (int64_t)z->nopt && z->mh + z->pref[q] < xs)
		q++;
	return z->m + q;
}

/*
 * The feasible values of suppressed sector cell j (with interval bounds
 * [*xl, *xh] from the row sum alone) when at most omax sectors may be
 * non-zero: v = 0 needs the others to hold the residual xr with the
 * allowed number of non-zero cells; v >= 1 uses one of them itself.
 */
static void nz_refine(const struct nzinfo *z, const struct ocell *s, size_t j,
                      int64_t xr, int64_t omax, int64_t *xl, int64_t *xh)
{
	int64_t mo = z->m, mho = z->mh, b0, b1, a1 = -1;
	int zero_ok = 0, one_ok = 0;
	int own_rank = -1;
	if (s->lo >= 1) {
		mo--;
		mho -= s->hi;
	} else {
		own_rank = z->rank[j];
	}
#define CAPO(q)                                                                \
	(own_rank >= 0 && own_rank < (q) ? nz_cap(z, (q) + 1) - s->hi          \
	                                 : nz_cap(z, (q)))
	b0 = omax - z->e_nz - mo;
	if (s->lo == 0 && *xl <= 0 && b0 >= 0 && xr <= mho + CAPO(b0))
		zero_ok = 1;
	b1 = b0 - 1;
	if (b1 >= 0) {
		a1 = max64(max64(*xl, 1), xr - mho - CAPO(b1));
		one_ok = a1 <= *xh;
	}
#undef CAPO
	if (zero_ok) {
		*xl = 0;
		if (!one_ok)
			*xh = 0;
	} else if (one_ok) {
		*xl = a1;
	} else {
		*xl = 1; /* empty: cannot happen for a feasible total */
		*xh = 0;
	}
}

/*
 * Exact feasible ranges of every cell of one theme from what is released
 * about it (c, laid out as d says). Exact cells get their value. Returns
 * LS_OK, LS_ECORRUPT if no theme total is consistent with the released
 * values, LS_ELIMIT if the total's range is too wide to search.
 */
static int oracle(const struct dom *d, const struct ocell *c, int64_t cap,
                  struct orange *out)
{
	static const int additive[3] = {G_AGE, G_SECTOR, G_PROBLEM};
	struct addsum a[G_N];
	struct nzinfo z;
	const struct ocell *tot = &c[0];
	const struct ocell *org = &c[d->first[G_REC]];
	const struct ocell *rep = &c[d->first[G_REC] + 1];
	int64_t tlo = tot->lo, thi = tot->exact ? tot->lo : tot->hi;
	int any = 0;

	memset(a, 0, sizeof a);
	for (int k = 0; k < 3; k++) {
		int g = additive[k];
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			if (c[i].exact) {
				a[g].ex += c[i].lo;
				a[g].ey += c[i].y;
			} else {
				a[g].ls += c[i].lo;
				a[g].hs += c[i].hi;
			}
		}
	}
	nz_prepare(d, c, &z);
	for (size_t i = 0; i < d->ncells; i++) {
		if (c[i].exact) {
			out[i].xlo = out[i].xhi = c[i].lo;
			out[i].ylo = out[i].yhi = c[i].y;
		} else {
			out[i].xlo = out[i].ylo = INT64_MAX;
			out[i].xhi = out[i].yhi = INT64_MIN;
		}
	}
	if (thi - tlo > AUDIT_SPAN_MAX)
		return LS_ELIMIT;

	for (int64_t xt = tlo; xt <= thi; xt++) {
		int64_t ylo = xt, yhi = cap * xt, omax, xs;
		int ok = 1;
		if (tot->exact) {
			ylo = max64(ylo, tot->y);
			yhi = min64(yhi, tot->y);
		} else {
			ylo = max64(ylo, tot->lo);
			yhi = min64(yhi, cap * tot->hi);
		}
		for (int k = 0; k < 3 && ok; k++) {
			const struct addsum *s = &a[additive[k]];
			int64_t xr = xt - s->ex;
			if (xr < s->ls || xr > s->hs) {
				ok = 0;
				break;
			}
			ylo = max64(ylo, s->ey + xr);
			yhi = min64(yhi, s->ey + cap * xr);
		}
		for (size_t i = d->first[G_TARGET];
		     ok && i < d->first[G_TARGET + 1]; i++) {
			/* A target group is a subset of the theme's
			 * signals, and so is its complement. */
			if (!c[i].exact) {
				ok = c[i].lo <= xt;
			} else if (c[i].lo > xt) {
				ok = 0;
			} else {
				ylo = max64(ylo, c[i].y + xt - c[i].lo);
				yhi = min64(yhi, c[i].y + cap * (xt - c[i].lo));
			}
		}
		if (!ok || ylo > yhi)
			continue;
		/* Organisations: o <= x_T, o >= non-zero sectors. */
		if (org->exact) {
			omax = org->lo;
			if (omax > xt)
				continue;
		} else {
			omax = min64(org->hi, xt);
			if (org->lo > omax)
				continue;
		}
		if (rep->exact ? rep->lo > xt : rep->lo > min64(rep->hi, xt))
			continue;
		xs = xt - a[G_SECTOR].ex;
		if (omax - z.e_nz < z.m ||
		    xs > z.mh + nz_cap(&z, omax - z.e_nz - z.m))
			continue;

		/* x_T is feasible: every table can be completed. */
		any = 1;
		if (!tot->exact) {
			widen(&out[0].xlo, &out[0].xhi, xt, xt);
			widen(&out[0].ylo, &out[0].yhi, ylo, yhi);
		}
		for (int k = 0; k < 3; k++) {
			int g = additive[k];
			const struct addsum *s = &a[g];
			int64_t xr = xt - s->ex;
			int64_t yrl = ylo - s->ey, yrh = yhi - s->ey;
			int bind = g == G_SECTOR &&
			           omax - z.e_nz < z.m + (int64_t)z.nopt;
			for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
				int64_t xl, xh;
				if (c[i].exact)
					continue;
				xl = max64(c[i].lo, xr - (s->hs - c[i].hi));
				xh = min64(c[i].hi, xr - (s->ls - c[i].lo));
				if (bind)
					nz_refine(&z, &c[i], i - d->first[g],
					          xr, omax, &xl, &xh);
				if (xl > xh)
					continue;
				widen(&out[i].xlo, &out[i].xhi, xl, xh);
				widen(&out[i].ylo, &out[i].yhi,
				      max64(xl, yrl - cap * (xr - xl)),
				      min64(cap * xh, yrh - (xr - xh)));
			}
		}
		for (size_t i = d->first[G_TARGET]; i < d->first[G_TARGET + 1];
		     i++) {
			int64_t xl, xh;
			if (c[i].exact)
				continue;
			xl = c[i].lo;
			xh = min64(c[i].hi, xt);
			widen(&out[i].xlo, &out[i].xhi, xl, xh);
			widen(&out[i].ylo, &out[i].yhi,
			      max64(xl, ylo - cap * (xt - xl)),
			      min64(cap * xh, yhi - xt + xh));
		}
		if (!org->exact) {
			size_t i = d->first[G_REC];
			widen(&out[i].xlo, &out[i].xhi,
			      max64(org->lo, z.e_nz + nz_min(&z, xs)), omax);
		}
		if (!rep->exact) {
			size_t i = d->first[G_REC] + 1;
			widen(&out[i].xlo, &out[i].xhi, rep->lo,
			      min64(rep->hi, xt));
		}
	}
	if (!any)
		return LS_ECORRUPT;
	for (size_t i = d->first[G_REC]; i < d->ncells; i++)
		out[i].ylo = out[i].yhi = 0; /* no persons measure */
	return LS_OK;
}

/* ---- reading and checking a raw summary ------------------------------ */

/* One theme's true counts: x = signals (organisations, reporters), y =
 * persons, per cell of the layout. */
struct theme_sys {
	int64_t x[MAXC], y[MAXC];
};

/* A raw cell: exact, 0..max (DISCLOSURE_COUNT_MAX for counts of signals,
 * organisations and reporters; LS_COUNT_MAX for persons, which the
 * consistency check then bounds by cap x signals). */
static int raw_cell(const struct ls_cell *c, int64_t max, int64_t *v)
{
	if (c->kind != LS_CELL_EXACT || c->value < 0 || c->value > max ||
	    c->lo != c->value || c->hi != c->value)
		return 0;
	*v = c->value;
	return 1;
}

/* Rows strictly sorted by (theme, other), codes of the domain. Stores each
 * row's theme and cell index. */
static int rows_locate(const struct dom *d, int t, const struct ls_summary *s,
                       const char *what, int *theme_of, size_t *cell_of,
                       struct ls_errinfo *e)
{
	const struct ls_summary_table *tb = &s->tables[t];
	for (size_t r = 0; r < tb->n_rows; r++) {
		const struct ls_summary_row *row = &tb->rows[r];
		int ti = dom_find(d, LS_TABLE_THEME, row->theme), oi = 0;
		if (ti < 0)
			return ls_errf(e, LS_EINVAL,
			               "%s: %s row %zu: theme is not in the "
			               "taxonomy",
			               what, table_name[t], r);
		if (t == LS_TABLE_THEME) {
			if (row->other[0] != '\0')
				return ls_errf(e, LS_EINVAL,
				               "%s: theme row %zu (%s) has a "
				               "second code",
				               what, r, d->code[0][ti]);
		} else if ((oi = dom_find(d, t, row->other)) < 0) {
			return ls_errf(e, LS_EINVAL,
			               "%s: %s row %zu (theme %s): code is not "
			               "one of the %s",
			               what, table_name[t], r, d->code[0][ti],
			               dim_name[t]);
		}
		if (r > 0) {
			int pt = theme_of[r - 1];
			size_t pc = cell_of[r - 1];
			if (pt > ti ||
			    (pt == ti && pc >= d->first[t] + (size_t)oi))
				return ls_errf(
				    e, LS_EINVAL,
				    "%s: %s row %zu (theme %s) is out "
				    "of order or repeated",
				    what, table_name[t], r, d->code[0][ti]);
		}
		theme_of[r] = ti;
		cell_of[r] = t == LS_TABLE_THEME ? 0 : d->first[t] + (size_t)oi;
	}
	return LS_OK;
}

static int rec_locate(const struct dom *d, const struct ls_summary *s,
                      const char *what, int *theme_of, struct ls_errinfo *e)
{
	for (size_t r = 0; r < s->n_recurrence; r++) {
		int ti = dom_find(d, LS_TABLE_THEME, s->recurrence[r].theme);
		if (ti < 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "%s: recurrence row %zu: theme is not in "
			    "the taxonomy",
			    what, r);
		if (r > 0 && theme_of[r - 1] >= ti)
			return ls_errf(
			    e, LS_EINVAL,
			    "%s: recurrence row %zu (theme %s) is out "
			    "of order or repeated",
			    what, r, d->code[0][ti]);
		theme_of[r] = ti;
	}
	return LS_OK;
}

static size_t max_rows(const struct ls_summary *s)
{
	size_t m = s->n_recurrence;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		if (s->tables[t].n_rows > m)
			m = s->tables[t].n_rows;
	return m;
}

static int check_row_counts(const struct ls_summary *s, const char *what,
                            struct ls_errinfo *e)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		if (s->tables[t].n_rows > LS_SUMMARY_MAX_ROWS ||
		    (s->tables[t].n_rows > 0 && s->tables[t].rows == NULL))
			return ls_errf(e, LS_EINVAL,
			               "%s: %s table: bad row count", what,
			               table_name[t]);
	if (s->n_recurrence > LS_SUMMARY_MAX_ROWS ||
	    (s->n_recurrence > 0 && s->recurrence == NULL))
		return ls_errf(e, LS_EINVAL, "%s: recurrence: bad row count",
		               what);
	return LS_OK;
}

/* Consistency of one theme's true counts (the relations of the model). */
static int raw_theme_check(const struct dom *d, size_t ti,
                           const struct theme_sys *ts, int64_t cap,
                           struct ls_errinfo *e)
{
	static const int additive[3] = {G_AGE, G_SECTOR, G_PROBLEM};
	const char *th = d->code[LS_TABLE_THEME][ti];
	int64_t xt = ts->x[0], yt = ts->y[0], nz = 0;
	size_t org = d->first[G_REC];

	for (size_t i = 0; i < d->first[G_REC]; i++)
		if (ts->y[i] < ts->x[i] || ts->y[i] > cap * ts->x[i])
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s, %s: %lld persons "
			    "for %lld signals (must be between the "
			    "signals and %lld x the signals)",
			    th, table_name[d->grp[i]], (long long)ts->y[i],
			    (long long)ts->x[i], (long long)cap);
	for (int k = 0; k < 3; k++) {
		int g = additive[k];
		int64_t sx = 0, sy = 0;
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			sx += ts->x[i];
			sy += ts->y[i];
		}
		if (sx != xt || sy != yt)
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s: %s rows add up to "
			    "%lld signals / %lld persons, the theme "
			    "row says %lld / %lld",
			    th, table_name[g], (long long)sx, (long long)sy,
			    (long long)xt, (long long)yt);
	}
	for (size_t i = d->first[G_TARGET]; i < d->first[G_TARGET + 1]; i++) {
		int64_t rx = xt - ts->x[i], ry = yt - ts->y[i];
		if (rx < 0 || ry < rx || ry > cap * rx)
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s, target group %s: "
			    "%lld signals / %lld persons do not fit "
			    "in the theme's %lld / %lld",
			    th, d->code[G_TARGET][i - d->first[G_TARGET]],
			    (long long)ts->x[i], (long long)ts->y[i],
			    (long long)xt, (long long)yt);
	}
	for (size_t i = d->first[G_SECTOR]; i < d->first[G_SECTOR + 1]; i++)
		nz += ts->x[i] > 0;
	if (ts->x[org] > xt || ts->x[org + 1] > xt || ts->x[org] < nz)
		return ls_errf(e, LS_EINVAL,
		               "raw summary: theme %s: %lld organisations and "
		               "%lld reporters for %lld signals in %lld "
		               "sectors",
		               th, (long long)ts->x[org],
		               (long long)ts->x[org + 1], (long long)xt,
		               (long long)nz);
	return LS_OK;
}

static int period_valid(const struct ls_period *p)
{
	return ls_period_check(p) == LS_OK;
}

static int origin_valid(const char *o)
{
	return ls_node_id_valid(o, strnlen(o, LS_NODE_ID_SIZE));
}

/* Read the raw summary into per-theme systems (ts[ti]) and check it. */
static int raw_load(const struct dom *d, const struct ls_summary *raw,
                    int64_t cap, struct theme_sys *ts, struct ls_errinfo *e)
{
	int *theme_of = NULL;
	size_t *cell_of = NULL, n = max_rows(raw);
	int rc;

	if (!origin_valid(raw->origin))
		return ls_errf(e, LS_EINVAL, "raw summary: bad origin node id");
	if (!period_valid(&raw->period))
		return ls_errf(e, LS_EINVAL, "raw summary: bad period");
	if ((rc = check_row_counts(raw, "raw summary", e)) != LS_OK)
		return rc;
	theme_of = ls_calloc(n + 1, sizeof *theme_of);
	cell_of = ls_calloc(n + 1, sizeof *cell_of);
	if (theme_of == NULL || cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tb = &raw->tables[t];
		rc =
		    rows_locate(d, t, raw, "raw summary", theme_of, cell_of, e);
		if (rc != LS_OK)
			goto out;
		for (size_t r = 0; r < tb->n_rows; r++) {
			struct theme_sys *s = &ts[theme_of[r]];
			size_t i = cell_of[r];
			if (!raw_cell(&tb->rows[r].signals,
			              DISCLOSURE_COUNT_MAX, &s->x[i]) ||
			    !raw_cell(&tb->rows[r].persons, LS_COUNT_MAX,
			              &s->y[i])) {
				rc = ls_errf(e, LS_EINVAL,
				             "raw summary: %s row %zu: cells "
				             "must be exact counts 0..%d",
				             table_name[t], r,
				             DISCLOSURE_COUNT_MAX);
				goto out;
			}
		}
	}
	rc = rec_locate(d, raw, "raw summary", theme_of, e);
	if (rc != LS_OK)
		goto out;
	for (size_t r = 0; r < raw->n_recurrence; r++) {
		struct theme_sys *s = &ts[theme_of[r]];
		size_t i = d->first[G_REC];
		if (!raw_cell(&raw->recurrence[r].organisations,
		              DISCLOSURE_COUNT_MAX, &s->x[i]) ||
		    !raw_cell(&raw->recurrence[r].reporters,
		              DISCLOSURE_COUNT_MAX, &s->x[i + 1])) {
			rc = ls_errf(e, LS_EINVAL,
			             "raw summary: recurrence row %zu: cells "
			             "must be exact counts 0..%d",
			             r, DISCLOSURE_COUNT_MAX);
			goto out;
		}
	}
	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++)
		if ((rc = raw_theme_check(d, ti, &ts[ti], cap, e)) != LS_OK)
			goto out;
	rc = LS_OK;
out:
	ls_free(theme_of);
	ls_free(cell_of);
	return rc;
}

/* ---- threshold mode: complementary suppression ----------------------- */

enum cell_state {
	ST_EXACT = 0,   /* released as is (0 or >= k) */
	ST_PRIMARY = 1, /* 1..k-1 */
	ST_ZERO = 2,    /* 0 hidden as 0..k-1 */
	ST_COMPL = 3,   /* >= k suppressed as 0..x_T */
};

struct tstate {
	uint8_t st[MAXC];
	uint8_t wid[MAXC];   /* primary widened to 0..k-1 */
	int16_t prot[MAXC];  /* cell whose protection changed this one */
	uint8_t hidden[G_N]; /* group hides its zeros */
};

struct tctx {
	const struct dom *d;
	const struct theme_sys *ts;
	int64_t k, cap;
};

/* The released range of a suppressed count. */
static void rel_range(const struct tctx *c, const struct tstate *s, size_t i,
                      int64_t *lo, int64_t *hi)
{
	switch (s->st[i]) {
	case ST_PRIMARY:
		*lo = s->wid[i] ? 0 : 1;
		*hi = c->k - 1;
		break;
	case ST_ZERO:
		*lo = 0;
		*hi = c->k - 1;
		break;
	case ST_COMPL:
		/* Only in themes whose total is >= k; "at most the theme
		 * total" is implied by the rows, so it adds nothing. */
		*lo = 0;
		*hi = c->ts->x[0];
		break;
	default:
		*lo = *hi = c->ts->x[i];
	}
}

static void to_ocells(const struct tctx *c, const struct tstate *s,
                      struct ocell *oc)
{
	for (size_t i = 0; i < c->d->ncells; i++) {
		oc[i].exact = s->st[i] == ST_EXACT;
		rel_range(c, s, i, &oc[i].lo, &oc[i].hi);
		oc[i].y = c->ts->y[i];
	}
}

static int run_oracle(const struct tctx *c, const struct tstate *s,
                      struct orange *rg)
{
	struct ocell oc[MAXC];
	to_ocells(c, s, oc);
	return oracle(c->d, oc, c->cap, rg);
}

static int pinned(const struct tctx *c, const struct orange *rg, size_t i)
{
	return rg[i].xlo == rg[i].xhi ||
	       (has_persons(c->d, i) && rg[i].ylo == rg[i].yhi);
}

/* The first primary cell an attacker can compute, or -1. */
static int first_pinned(const struct tctx *c, const struct tstate *s,
                        const struct orange *rg)
{
	for (size_t i = 0; i < c->d->ncells; i++)
		if (s->st[i] == ST_PRIMARY && pinned(c, rg, i))
			return (int)i;
	return -1;
}

enum { ACT_HIDE = 0, ACT_SUPPRESS = 1 };

struct action {
	int64_t cost;
	uint8_t kind;
	uint16_t what; /* group to hide, or cell to suppress */
};

static int cmp_action(const void *a, const void *b)
{
	const struct action *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->what < y->what ? -1 : (x->what > y->what);
}

/*
 * Every step that would release less about this theme, cheapest first.
 * Hiding a row's zeros costs one per cell it touches (a zero that becomes
 * 0..k-1, a primary that becomes 0..k-1); suppressing a count v costs
 * x_T + v, so it is chosen only when hiding zeros cannot help and then the
 * smallest count goes first: the large counts, which carry the trends,
 * stay exact. The theme total costs four times more than any other cell.
 */
static size_t actions_list(const struct tctx *c, const struct tstate *s,
                           struct action *out)
{
	size_t n = 0;
	const struct dom *d = c->d;
	for (int g = G_AGE; g <= G_REC; g++) {
		int64_t zeros = 0, prim = 0;
		if (s->hidden[g])
			continue;
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			zeros += s->st[i] == ST_EXACT && c->ts->x[i] == 0;
			prim += s->st[i] == ST_PRIMARY && !s->wid[i];
		}
		if (zeros + prim > 0) {
			out[n].cost = zeros + prim;
			out[n].kind = ACT_HIDE;
			out[n++].what = (uint16_t)g;
		}
	}
	for (size_t i = 0; i < d->ncells; i++) {
		if (s->st[i] != ST_EXACT || c->ts->x[i] < c->k)
			continue;
		out[n].cost = (i == 0 ? 4 : 1) * (c->ts->x[0] + c->ts->x[i]);
		out[n].kind = ACT_SUPPRESS;
		out[n++].what = (uint16_t)i;
	}
	qsort(out, n, sizeof out[0], cmp_action);
	return n;
}

static void action_apply(const struct tctx *c, struct tstate *s,
                         const struct action *a, int target)
{
	const struct dom *d = c->d;
	if (a->kind == ACT_SUPPRESS) {
		s->st[a->what] = ST_COMPL;
		s->prot[a->what] = (int16_t)target;
		return;
	}
	s->hidden[a->what] = 1;
	for (size_t i = d->first[a->what]; i < d->first[a->what + 1]; i++) {
		if (s->st[i] == ST_EXACT && c->ts->x[i] == 0) {
			s->st[i] = ST_ZERO;
			s->prot[i] = (int16_t)target;
		} else if (s->st[i] == ST_PRIMARY && !s->wid[i]) {
			s->wid[i] = 1;
			s->prot[i] = (int16_t)target;
		}
	}
}

static int64_t target_width(const struct tctx *c, const struct orange *rg,
                            int target)
{
	return (rg[target].xhi - rg[target].xlo) +
	       (has_persons(c->d, (size_t)target)
	            ? rg[target].yhi - rg[target].ylo
	            : 0);
}

/* Take these steps on a copy of the state: is cell `target` still
 * computable (*unpinned 0) and how wide are its feasible ranges? Returns
 * the oracle's error, if any. */
static int try_actions(const struct tctx *c, const struct tstate *s,
                       const struct action *a, size_t n, int target,
                       int *unpinned, int64_t *width)
{
	struct tstate t = *s;
	struct orange rg[MAXC];
	int rc;
	for (size_t i = 0; i < n; i++)
		action_apply(c, &t, &a[i], target);
	if ((rc = run_oracle(c, &t, rg)) != LS_OK)
		return rc;
	*unpinned = !pinned(c, rg, (size_t)target);
	*width = target_width(c, rg, target);
	return LS_OK;
}

/*
 * Protect one theme: repeat until no primary cell is pinned. Each round
 * takes, for the first pinned primary cell, (1) the cheapest single step
 * that unpins it, else (2) the cheapest pair of steps that does, else (3)
 * the cheapest step that widens its range, else (4) the cheapest step.
 * Steps only ever release less, so ranges never narrow and cells already
 * protected stay protected.
 */
static int protect_theme(const struct tctx *c, struct tstate *s,
                         struct orange *rg, uint32_t *actions)
{
	struct action acts[MAXC + G_N];
	for (;;) {
		size_t n, pick = SIZE_MAX, pick2 = SIZE_MAX;
		int64_t base_w, w, best = INT64_MAX;
		int target, un, rc;

		if ((rc = run_oracle(c, s, rg)) != LS_OK)
			return rc;
		target = first_pinned(c, s, rg);
		if (target < 0)
			return LS_OK;
		n = actions_list(c, s, acts);
		if (n == 0)
			return LS_EINTERNAL; /* impossible: see the top */
		base_w = target_width(c, rg, target);
		for (size_t i = 0; i < n && pick == SIZE_MAX; i++) {
			rc = try_actions(c, s, &acts[i], 1, target, &un, &w);
			if (rc != LS_OK)
				return rc;
			if (un)
				pick = i;
		}
		/* Pairs (i, j), i < j, in a list sorted by cost: for a given
		 * i the first j that works is its cheapest, and no i whose
		 * cheapest partner i + 1 is too dear can beat the best. */
		if (pick == SIZE_MAX) {
			size_t bi = SIZE_MAX, bj = SIZE_MAX;
			for (size_t i = 0;
			     i + 1 < n &&
			     acts[i].cost + acts[i + 1].cost < best;
			     i++)
				for (size_t j = i + 1;
				     j < n &&
				     acts[i].cost + acts[j].cost < best;
				     j++) {
					struct action two[2] = {acts[i],
					                        acts[j]};
					rc = try_actions(c, s, two, 2, target,
					                 &un, &w);
					if (rc != LS_OK)
						return rc;
					if (un) {
						best =
						    acts[i].cost + acts[j].cost;
						bi = i;
						bj = j;
						break;
					}
				}
			pick2 = bi;
			pick = bj;
		}
		for (size_t i = 0; pick == SIZE_MAX && i < n; i++) {
			rc = try_actions(c, s, &acts[i], 1, target, &un, &w);
			if (rc != LS_OK)
				return rc;
			if (w > base_w)
				pick = i;
		}
		if (pick == SIZE_MAX)
			pick = 0;
		if (pick2 != SIZE_MAX) {
			action_apply(c, s, &acts[pick2], target);
			(*actions)++;
		}
		action_apply(c, s, &acts[pick], target);
		(*actions)++;
	}
}

/* ---- writing the released summary ------------------------------------ */

/* Per theme, what the threshold pass decided. */
struct theme_out {
	struct tstate s;
	struct orange rg[MAXC];
};

struct tplan {
	const struct dom *d;
	const struct theme_sys *ts;
	const struct theme_out *to;
	int64_t k, cap;
};

/* Is cell i of theme ti in the released summary? */
static int released_cell(const struct tplan *p, size_t ti, size_t i)
{
	const struct theme_sys *ts = &p->ts[ti];
	if (ts->x[0] == 0)
		return 0;
	if (i == 0 || p->d->grp[i] == G_REC)
		return 1;
	return ts->x[i] > 0 || p->to[ti].s.st[i] != ST_EXACT;
}

static void released_pair(const struct tplan *p, size_t ti, size_t i,
                          struct ls_cell *sig, struct ls_cell *per)
{
	struct tctx c = {p->d, &p->ts[ti], p->k, p->cap};
	const struct tstate *s = &p->to[ti].s;
	int64_t lo, hi;
	if (s->st[i] == ST_EXACT) {
		ls_cell_set_exact(sig, p->ts[ti].x[i]);
		ls_cell_set_exact(per, p->ts[ti].y[i]);
		return;
	}
	rel_range(&c, s, i, &lo, &hi);
	ls_cell_set_range(sig, lo, hi);
	/* Persons follow from the signals range: between one and cap
	 * persons per signal. Nothing more is said about them. */
	ls_cell_set_range(per, lo, p->cap * hi);
}

static const uint8_t reason_of[4] = {
    [ST_EXACT] = DISCLOSURE_RELEASED,
    [ST_PRIMARY] = DISCLOSURE_PRIMARY,
    [ST_ZERO] = DISCLOSURE_ZERO_HIDDEN,
    [ST_COMPL] = DISCLOSURE_COMPLEMENTARY,
};

static void note_threshold(const struct tplan *p, size_t ti, size_t i,
                           int measure, const struct ls_cell *rel,
                           struct disclosure_note *nt)
{
	const struct tstate *s = &p->to[ti].s;
	const struct orange *rg = &p->to[ti].rg[i];
	memset(nt, 0, sizeof *nt);
	ref_of(p->d, ti, i, measure, &nt->cell);
	nt->raw =
	    measure == LS_MEASURE_PERSONS ? p->ts[ti].y[i] : p->ts[ti].x[i];
	nt->released = *rel;
	nt->reason = reason_of[s->st[i]];
	nt->widened = s->wid[i];
	if (s->st[i] != ST_EXACT && s->prot[i] >= 0) {
		nt->has_protects = 1;
		ref_of(p->d, ti, (size_t)s->prot[i], LS_MEASURE_SIGNALS,
		       &nt->protects);
	}
	nt->feasible_lo = measure == LS_MEASURE_PERSONS ? rg->ylo : rg->xlo;
	nt->feasible_hi = measure == LS_MEASURE_PERSONS ? rg->yhi : rg->xhi;
}

static void report_count(struct disclosure_report *r)
{
	memset(r->by_reason, 0, sizeof r->by_reason);
	for (size_t i = 0; i < r->n_notes; i++)
		if (r->notes[i].reason < DISCLOSURE_REASON_COUNT_)
			r->by_reason[r->notes[i].reason]++;
}

/* Allocate the released tables: counts[t] rows per table, nrec recurrence
 * rows. */
static int out_alloc(struct ls_summary *out, const size_t counts[], size_t nrec)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		out->tables[t].rows =
		    ls_calloc(counts[t] + 1, sizeof *out->tables[t].rows);
		if (out->tables[t].rows == NULL)
			return LS_ENOMEM;
		out->tables[t].n_rows = counts[t];
	}
	out->recurrence = ls_calloc(nrec + 1, sizeof *out->recurrence);
	if (out->recurrence == NULL)
		return LS_ENOMEM;
	out->n_recurrence = nrec;
	return LS_OK;
}

static void out_header(struct ls_summary *out, const struct ls_summary *raw,
                       const struct ls_disclosure_params *p)
{
	memcpy(out->origin, raw->origin, sizeof out->origin);
	out->origin[LS_NODE_ID_MAX] = '\0';
	out->period = raw->period;
	out->params = *p;
	disclosure_params_canonical(&out->params);
	out->supersedes_seq = raw->supersedes_seq;
	memcpy(out->correction_reason, raw->correction_reason,
	       sizeof out->correction_reason);
	out->correction_reason[LS_CODE_MAX] = '\0';
}

static int write_threshold(const struct tplan *p, struct ls_summary *out,
                           struct disclosure_report *rep)
{
	const struct dom *d = p->d;
	size_t counts[LS_TABLE_COUNT_] = {0}, nrec = 0, nnotes = 0, k = 0;
	size_t pos[LS_TABLE_COUNT_] = {0}, rpos = 0;
	int rc;

	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++) {
		if (p->ts[ti].x[0] == 0)
			continue;
		nrec++;
		for (size_t i = 0; i < d->first[G_REC]; i++)
			counts[d->grp[i]] += released_cell(p, ti, i);
	}
	if ((rc = out_alloc(out, counts, nrec)) != LS_OK)
		return rc;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		nnotes += 2 * counts[t];
	nnotes += 2 * nrec;
	if (rep != NULL) {
		rep->notes = ls_calloc(nnotes + 1, sizeof *rep->notes);
		if (rep->notes == NULL)
			return LS_ENOMEM;
	}
	/* Rows in (theme, other) order: themes and codes are sorted. */
	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++) {
		if (p->ts[ti].x[0] == 0)
			continue;
		for (size_t i = 0; i < d->first[G_REC]; i++) {
			int t = d->grp[i];
			struct ls_summary_row *row;
			if (!released_cell(p, ti, i))
				continue;
			row = &out->tables[t].rows[pos[t]++];
			memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
			if (t != G_TOTAL)
				memcpy(row->other, d->code[t][i - d->first[t]],
				       LS_CODE_SIZE);
			released_pair(p, ti, i, &row->signals, &row->persons);
		}
		{
			struct ls_recurrence_row *row =
			    &out->recurrence[rpos++];
			size_t o = d->first[G_REC];
			struct ls_cell dummy;
			memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
			released_pair(p, ti, o, &row->organisations, &dummy);
			released_pair(p, ti, o + 1, &row->reporters, &dummy);
		}
	}
	if (rep == NULL)
		return LS_OK;
	/* Notes in (table, theme, other, measure) order. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < out->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &out->tables[t].rows[r];
			size_t ti = (size_t)dom_find(d, 0, row->theme);
			size_t i = t == G_TOTAL
			               ? 0
			               : d->first[t] +
			                     (size_t)dom_find(d, t, row->other);
			note_threshold(p, ti, i, LS_MEASURE_SIGNALS,
			               &row->signals, &rep->notes[k++]);
			note_threshold(p, ti, i, LS_MEASURE_PERSONS,
			               &row->persons, &rep->notes[k++]);
		}
	for (size_t r = 0; r < out->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &out->recurrence[r];
		size_t ti = (size_t)dom_find(d, 0, row->theme);
		size_t o = d->first[G_REC];
		note_threshold(p, ti, o, 0, &row->organisations,
		               &rep->notes[k++]);
		note_threshold(p, ti, o + 1, 0, &row->reporters,
		               &rep->notes[k++]);
	}
	rep->n_notes = k;
	report_count(rep);
	return LS_OK;
}

static int apply_threshold(const struct dom *d, const struct theme_sys *ts,
                           const struct ls_disclosure_params *prm,
                           struct ls_summary *out,
                           struct disclosure_report *rep)
{
	size_t nt = d->n[LS_TABLE_THEME];
	struct theme_out *to = ls_calloc(nt, sizeof *to);
	struct tplan plan = {d, ts, to, prm->k, prm->persons_cap};
	uint32_t actions = 0;
	int rc = LS_OK;

	if (to == NULL)
		return LS_ENOMEM;
	for (size_t ti = 0; ti < nt && rc == LS_OK; ti++) {
		struct tctx c = {d, &ts[ti], prm->k, prm->persons_cap};
		struct tstate *s = &to[ti].s;
		if (ts[ti].x[0] == 0)
			continue;
		for (size_t i = 0; i < d->ncells; i++) {
			s->prot[i] = -1;
			s->st[i] = ts[ti].x[i] >= 1 && ts[ti].x[i] < c.k
			               ? ST_PRIMARY
			               : ST_EXACT;
		}
		rc = protect_theme(&c, s, to[ti].rg, &actions);
		if (rc != LS_OK)
			LS_ERROR("disclosure", "protect_failed",
			         "theme=%s err=%s", d->code[0][ti],
			         ls_errname(rc));
	}
	if (rc == LS_OK)
		rc = write_threshold(&plan, out, rep);
	if (rc == LS_OK && rep != NULL)
		rep->actions = actions;
	ls_free(to);
	return rc == LS_OK || rc == LS_ENOMEM ? rc : LS_EINTERNAL;
}

/* ---- noise mode ------------------------------------------------------ */

struct nplan {
	const struct dom *d;
	const struct ls_disclosure_params *p;
	const struct ls_summary *raw;
	const uint8_t *secret;
	uint32_t epoch;
	struct noise_scale scale[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	int64_t half[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
};

static int noisy_cell(const struct nplan *np, int table, int measure,
                      const char *theme, const char *other, int64_t truth,
                      struct ls_cell *c, struct disclosure_note *nt)
{
	struct noise_cell_id id = {np->raw->origin, np->raw->period, table,
	                           measure,         theme,           other};
	int64_t z, v, h = np->half[table][measure];
	int rc = noise_cell_draw(np->secret, &id, np->scale[table][measure],
	                         truth, np->epoch, &z);
	if (rc != LS_OK)
		return rc;
	v = truth + z;
	/* Every noisy value is published, however small or negative: a
	 * value withheld because its noise came out low would leave the
	 * published ones biased upwards, and every sum of them (the
	 * association's totals) with it. withhold_below is for display
	 * only: readers show a value below it as "fewer than w"
	 * (docs/DISCLOSURE.md 4.6). The interval [max(0, v - h),
	 * max(0, v + h)] holds the true count with probability >= 90%.
	 * Every released number stays within LS_COUNT_MAX, the wire
	 * format's limit: lowering v is post-processing (it costs no
	 * privacy); with the parameter limits it can only happen for a
	 * count near 10^9 or noise of many hundred million, never in
	 * practice. */
	if (v > LS_COUNT_MAX - h)
		v = LS_COUNT_MAX - h;
	if (v < -LS_COUNT_MAX)
		v = -LS_COUNT_MAX;
	c->kind = LS_CELL_NOISY;
	c->value = v;
	c->lo = max64(0, v - h);
	c->hi = max64(0, v + h);
	if (nt != NULL) {
		memset(nt, 0, sizeof *nt);
		nt->cell.table = (uint8_t)table;
		nt->cell.measure = (uint8_t)measure;
		memcpy(nt->cell.theme, theme, strlen(theme) + 1);
		memcpy(nt->cell.other, other, strlen(other) + 1);
		nt->raw = truth;
		nt->released = *c;
		nt->reason = c->kind == LS_CELL_WITHHELD ? DISCLOSURE_WITHHELD
		                                         : DISCLOSURE_NOISY;
		nt->feasible_lo = c->lo;
		nt->feasible_hi = c->hi;
		nt->scale = np->scale[table][measure];
		nt->halfwidth = h;
	}
	return LS_OK;
}

static int noise_scales(const struct dom *d,
                        const struct ls_disclosure_params *p,
                        struct noise_scale scale[][LS_MEASURE_COUNT_],
                        int64_t half[][LS_MEASURE_COUNT_])
{
	for (int t = 0; t < LS_QUERY_TABLES; t++)
		for (int m = 0; m < LS_MEASURE_COUNT_; m++) {
			int rc = noise_scale_for(
			    p->epsilon_milli, p->persons_cap,
			    d->n[LS_TABLE_THEME_TARGET], t, m, &scale[t][m]);
			if (rc != LS_OK)
				return rc;
			half[t][m] = noise_halfwidth90(scale[t][m]);
			/* The parameter limits keep h near 7 x 10^8 at
			 * most (cap 1000, 64 target groups, epsilon
			 * 0.01), so a noisy value always fits below
			 * LS_COUNT_MAX; refuse rather than break that. */
			if (half[t][m] < 0 || half[t][m] > LS_COUNT_MAX / 2)
				return LS_EINVAL;
		}
	return LS_OK;
}

static int apply_noise(const struct dom *d, const struct theme_sys *ts,
                       struct nplan *np, struct ls_summary *out,
                       struct disclosure_report *rep)
{
	size_t nt = d->n[LS_TABLE_THEME], counts[LS_TABLE_COUNT_], k = 0;
	size_t nnotes;
	int rc;

	if ((rc = noise_scales(d, np->p, np->scale, np->half)) != LS_OK)
		return rc;
	counts[LS_TABLE_THEME] = nt;
	for (int t = LS_TABLE_THEME_AGE; t < LS_TABLE_COUNT_; t++)
		counts[t] = nt * d->n[t];
	if ((rc = out_alloc(out, counts, nt)) != LS_OK)
		return rc;
	nnotes = 2 * nt;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		nnotes += 2 * counts[t];
	if (rep != NULL) {
		rep->notes = ls_calloc(nnotes, sizeof *rep->notes);
		if (rep->notes == NULL)
			return LS_ENOMEM;
	}
	/* Every cell of the domain, zeros included: which rows exist must
	 * not depend on the data. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t r = 0;
		size_t nother = t == LS_TABLE_THEME ? 1 : d->n[t];
		for (size_t ti = 0; ti < nt; ti++)
			for (size_t oi = 0; oi < nother; oi++) {
				struct ls_summary_row *row =
				    &out->tables[t].rows[r++];
				size_t i =
				    t == LS_TABLE_THEME ? 0 : d->first[t] + oi;
				memcpy(row->theme, d->code[0][ti],
				       LS_CODE_SIZE);
				if (t != LS_TABLE_THEME)
					memcpy(row->other, d->code[t][oi],
					       LS_CODE_SIZE);
				rc = noisy_cell(np, t, LS_MEASURE_SIGNALS,
				                row->theme, row->other,
				                ts[ti].x[i], &row->signals,
				                rep ? &rep->notes[k++] : NULL);
				if (rc == LS_OK)
					rc = noisy_cell(
					    np, t, LS_MEASURE_PERSONS,
					    row->theme, row->other, ts[ti].y[i],
					    &row->persons,
					    rep ? &rep->notes[k++] : NULL);
				if (rc != LS_OK)
					return rc;
			}
	}
	for (size_t ti = 0; ti < nt; ti++) {
		struct ls_recurrence_row *row = &out->recurrence[ti];
		size_t o = d->first[G_REC];
		memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
		rc = noisy_cell(np, LS_TABLE_RECURRENCE,
		                LS_MEASURE_ORGANISATIONS, row->theme, "",
		                ts[ti].x[o], &row->organisations,
		                rep ? &rep->notes[k++] : NULL);
		if (rc == LS_OK)
			rc = noisy_cell(np, LS_TABLE_RECURRENCE,
			                LS_MEASURE_REPORTERS, row->theme, "",
			                ts[ti].x[o + 1], &row->reporters,
			                rep ? &rep->notes[k++] : NULL);
		if (rc != LS_OK)
			return rc;
	}
	if (rep != NULL) {
		rep->n_notes = k;
		report_count(rep);
	}
	return LS_OK;
}

/* ---- parameters ------------------------------------------------------ */

void disclosure_params_default(struct ls_disclosure_params *p)
{
	memset(p, 0, sizeof *p);
	p->mode = LS_MODE_THRESHOLD;
	p->k = DISCLOSURE_K_DEFAULT;
	p->epsilon_milli = DISCLOSURE_EPSILON_MILLI_DEFAULT;
	p->withhold_below = DISCLOSURE_WITHHOLD_DEFAULT;
	p->persons_cap = DISCLOSURE_PERSONS_CAP_DEFAULT;
}

int disclosure_params_check(const struct ls_disclosure_params *p,
                            struct ls_errinfo *e)
{
	if (p == NULL)
		return ls_errf(e, LS_EINVAL, "no disclosure parameters");
	if (p->mode != LS_MODE_THRESHOLD && p->mode != LS_MODE_NOISE)
		return ls_errf(e, LS_EINVAL, "disclosure mode %u is unknown",
		               (unsigned)p->mode);
	if (p->persons_cap < 1 || p->persons_cap > NOISE_PERSONS_CAP_MAX)
		return ls_errf(e, LS_EINVAL, "persons cap %u is not in 1..%u",
		               (unsigned)p->persons_cap, NOISE_PERSONS_CAP_MAX);
	if (p->mode == LS_MODE_THRESHOLD &&
	    (p->k < DISCLOSURE_K_MIN || p->k > DISCLOSURE_K_MAX))
		return ls_errf(e, LS_EINVAL, "k %u is not in %u..%u",
		               (unsigned)p->k, DISCLOSURE_K_MIN,
		               DISCLOSURE_K_MAX);
	if (p->mode == LS_MODE_NOISE &&
	    (p->epsilon_milli < DISCLOSURE_EPSILON_MILLI_MIN ||
	     p->epsilon_milli > DISCLOSURE_EPSILON_MILLI_MAX))
		return ls_errf(e, LS_EINVAL,
		               "epsilon %u/1000 is not in %u..%u thousandths",
		               (unsigned)p->epsilon_milli,
		               DISCLOSURE_EPSILON_MILLI_MIN,
		               DISCLOSURE_EPSILON_MILLI_MAX);
	if (p->mode == LS_MODE_NOISE &&
	    p->withhold_below > DISCLOSURE_WITHHOLD_MAX)
		return ls_errf(e, LS_EINVAL, "withhold threshold %u above %u",
		               (unsigned)p->withhold_below,
		               DISCLOSURE_WITHHOLD_MAX);
	return LS_OK;
}

int disclosure_domain_from_taxonomy(const struct ls_taxonomy *tax,
                                    struct disclosure_domain_buf *out,
                                    struct ls_errinfo *e)
{
	static const uint8_t dim_of[LS_TABLE_COUNT_] = {
	    [LS_TABLE_THEME] = LS_DIM_THEME,
	    [LS_TABLE_THEME_AGE] = LS_DIM_AGE,
	    [LS_TABLE_THEME_TARGET] = LS_DIM_TARGET,
	    [LS_TABLE_THEME_SECTOR] = LS_DIM_SECTOR,
	    [LS_TABLE_THEME_PROBLEM] = LS_DIM_PROBLEM,
	};
	memset(out, 0, sizeof *out);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = 0;
		for (size_t i = 0; i < tax->n; i++) {
			const struct ls_taxonomy_entry *x = &tax->entries[i];
			if (x->dim != dim_of[t] || x->local)
				continue;
			if (n == DISCLOSURE_MAX_CODES)
				return ls_errf(
				    e, LS_ELIMIT, "taxonomy: more than %d %s",
				    DISCLOSURE_MAX_CODES, dim_name[t]);
			out->codes[t][n++] = x->code;
		}
		if (t == LS_TABLE_THEME_PROBLEM) {
			if (n == DISCLOSURE_MAX_CODES)
				return ls_errf(
				    e, LS_ELIMIT, "taxonomy: more than %d %s",
				    DISCLOSURE_MAX_CODES - 1, dim_name[t]);
			out->codes[t][n++] = LS_PROBLEM_NONE;
		}
		if (n == 0)
			return ls_errf(e, LS_EINVAL, "taxonomy: no %s",
			               dim_name[t]);
		out->dom.codes[t] = out->codes[t];
		out->dom.n_codes[t] = n;
	}
	return LS_OK;
}

void disclosure_params_canonical(struct ls_disclosure_params *p)
{
	if (p->mode == LS_MODE_NOISE) {
		p->k = 0;
	} else {
		p->epsilon_milli = 0;
		p->withhold_below = 0;
	}
}

int disclosure_params_check_canonical(const struct ls_disclosure_params *p,
                                      struct ls_errinfo *e)
{
	int rc = disclosure_params_check(p, e);
	if (rc != LS_OK)
		return rc;
	if (p->mode == LS_MODE_THRESHOLD &&
	    (p->epsilon_milli != 0 || p->withhold_below != 0))
		return ls_errf(e, LS_EINVAL,
		               "threshold mode states no epsilon and no "
		               "withhold threshold (both 0)");
	if (p->mode == LS_MODE_NOISE && p->k != 0)
		return ls_errf(e, LS_EINVAL, "noise mode states no k (0)");
	return LS_OK;
}

int disclosure_params_stricter(const struct ls_disclosure_params *node,
                               const struct ls_disclosure_params *fed,
                               struct ls_errinfo *e)
{
	if (node->mode != fed->mode)
		return ls_errf(e, LS_EPOLICY,
		               "mode differs from the federation's");
	if (node->persons_cap != fed->persons_cap)
		return ls_errf(e, LS_EPOLICY,
		               "persons cap %u differs from the federation's "
		               "%u",
		               (unsigned)node->persons_cap,
		               (unsigned)fed->persons_cap);
	if (node->mode == LS_MODE_THRESHOLD && node->k < fed->k)
		return ls_errf(e, LS_EPOLICY,
		               "k %u is below the federation's %u",
		               (unsigned)node->k, (unsigned)fed->k);
	if (node->mode == LS_MODE_NOISE &&
	    node->epsilon_milli > fed->epsilon_milli)
		return ls_errf(e, LS_EPOLICY,
		               "epsilon %u/1000 is above the federation's "
		               "%u/1000",
		               (unsigned)node->epsilon_milli,
		               (unsigned)fed->epsilon_milli);
	if (node->mode == LS_MODE_NOISE &&
	    node->withhold_below < fed->withhold_below)
		return ls_errf(e, LS_EPOLICY,
		               "withhold threshold %u is below the "
		               "federation's %u",
		               (unsigned)node->withhold_below,
		               (unsigned)fed->withhold_below);
	return LS_OK;
}

/* ---- entry points ---------------------------------------------------- */

const char *disclosure_reason_name(int reason)
{
	static const char *const names[DISCLOSURE_REASON_COUNT_] = {
	    "released", "primary",  "zero_hidden", "complementary",
	    "noisy",    "withheld", "suppressed"};
	if (reason < 0 || reason >= DISCLOSURE_REASON_COUNT_)
		return "unknown";
	return names[reason];
}

void disclosure_report_init(struct disclosure_report *r)
{
	memset(r, 0, sizeof *r);
}

void disclosure_report_fini(struct disclosure_report *r)
{
	if (r == NULL)
		return;
	ls_free(r->notes);
	memset(r, 0, sizeof *r);
}

int disclosure_apply(const struct disclosure_input *in, struct ls_summary *out,
                     struct disclosure_report *report, struct ls_errinfo *e)
{
	const struct ls_disclosure_params *p;
	struct dom *d = NULL;
	struct theme_sys *ts = NULL;
	int rc;

	ls_summary_init(out);
	if (report != NULL)
		disclosure_report_init(report);
	if (in == NULL || in->raw == NULL)
		return ls_errf(e, LS_EINVAL, "no raw summary given");
	p = in->params;
	if ((rc = disclosure_params_check(p, e)) != LS_OK)
		return rc;
	if (report != NULL)
		report->cost_milli = noise_release_cost(p);
	if (p->mode == LS_MODE_NOISE) {
		if (in->secret == NULL)
			return ls_errf(e, LS_EINVAL,
			               "noise mode needs the node's noise "
			               "secret");
		if (in->budget == NULL)
			return ls_errf(e, LS_EINVAL,
			               "noise mode needs the budget ledger "
			               "state");
		rc = noise_budget_check(in->budget, noise_release_cost(p), e);
		if (rc != LS_OK)
			return rc;
	}
	d = ls_malloc(sizeof *d);
	if (d == NULL)
		return ls_errf(e, LS_ENOMEM, "out of memory");
	if ((rc = dom_compile(in->domain, d, e)) != LS_OK)
		goto out;
	ts = ls_calloc(d->n[LS_TABLE_THEME], sizeof *ts);
	if (ts == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if ((rc = raw_load(d, in->raw, p->persons_cap, ts, e)) != LS_OK)
		goto out;
	out_header(out, in->raw, p);
	if (p->mode == LS_MODE_THRESHOLD) {
		rc = apply_threshold(d, ts, p, out, report);
	} else {
		struct nplan np;
		memset(&np, 0, sizeof np);
		np.d = d;
		np.p = p;
		np.raw = in->raw;
		np.secret = in->secret;
		np.epoch = in->noise_epoch;
		rc = apply_noise(d, ts, &np, out, report);
	}
out:
	if (rc != LS_OK) {
		if (rc == LS_ENOMEM)
			ls_errf(e, rc, "out of memory");
		else if (rc == LS_EINTERNAL)
			ls_errf(e, rc,
			        "disclosure control failed; nothing "
			        "is released");
		else if (rc == LS_ECRYPTO)
			ls_errf(e, rc, "libsodium could not start");
		ls_summary_fini(out);
		if (report != NULL) {
			uint64_t cost = report->cost_milli;
			disclosure_report_fini(report);
			report->cost_milli = cost;
		}
	}
	ls_free(ts);
	ls_free(d);
	return rc;
}

/* ---- receiver's check ------------------------------------------------ */

static int check_cell_threshold(const struct ls_cell *c, int64_t k,
                                const char *where, struct ls_errinfo *e)
{
	if (c->kind == LS_CELL_EXACT) {
		if (c->lo != c->value || c->hi != c->value || c->value < 0 ||
		    c->value > LS_COUNT_MAX)
			return ls_errf(e, LS_EPOLICY,
			               "%s: malformed exact cell", where);
		if (c->value >= 1 && c->value < k)
			return ls_errf(e, LS_EPOLICY,
			               "%s: exact count %lld is below k = %lld",
			               where, (long long)c->value,
			               (long long)k);
		return LS_OK;
	}
	if (c->kind != LS_CELL_RANGE || c->value != 0 || c->lo < 0 ||
	    c->lo > c->hi || c->hi > LS_COUNT_MAX)
		return ls_errf(e, LS_EPOLICY,
		               "%s: not an exact count or a range", where);
	return LS_OK;
}

/* One released cell as the oracle sees it; checks the persons convention
 * (signals and persons suppressed together, persons range derived). */
static int check_row_threshold(const struct ls_cell *sig,
                               const struct ls_cell *per, int64_t k,
                               int64_t cap, const char *where, struct ocell *oc,
                               struct ls_errinfo *e)
{
	int rc;
	if ((rc = check_cell_threshold(sig, k, where, e)) != LS_OK)
		return rc;
	oc->exact = sig->kind == LS_CELL_EXACT;
	oc->lo = sig->lo;
	oc->hi = sig->hi;
	oc->y = 0;
	if (per == NULL)
		return LS_OK;
	if ((rc = check_cell_threshold(per, k, where, e)) != LS_OK)
		return rc;
	if (sig->kind != per->kind)
		return ls_errf(e, LS_EPOLICY,
		               "%s: signals and persons not suppressed "
		               "together",
		               where);
	oc->y = per->value;
	if (oc->exact && (oc->y < oc->lo || oc->y > cap * oc->lo))
		return ls_errf(e, LS_EPOLICY, "%s: persons out of bounds",
		               where);
	if (!oc->exact && (per->lo != oc->lo || per->hi != cap * oc->hi))
		return ls_errf(e, LS_EPOLICY,
		               "%s: persons range is not derived from the "
		               "signals range",
		               where);
	return LS_OK;
}

static void bound_note(const struct dom *d, size_t ti, size_t i, int measure,
                       const struct ls_cell *rel, const struct orange *o,
                       struct disclosure_note *nt)
{
	int persons = measure == LS_MEASURE_PERSONS && has_persons(d, i);
	memset(nt, 0, sizeof *nt);
	ref_of(d, ti, i, measure, &nt->cell);
	nt->raw = -1;
	nt->released = *rel;
	nt->reason = rel->kind == LS_CELL_EXACT ? DISCLOSURE_RELEASED
	                                        : DISCLOSURE_SUPPRESSED;
	nt->feasible_lo = persons ? o->ylo : o->xlo;
	nt->feasible_hi = persons ? o->yhi : o->xhi;
}

static int check_threshold(const struct dom *d, const struct ls_summary *s,
                           struct disclosure_report *bounds,
                           struct ls_errinfo *e)
{
	size_t nt = d->n[LS_TABLE_THEME], n = max_rows(s), nnotes = 0, kk = 0;
	int64_t k = s->params.k, cap = s->params.persons_cap;
	struct ocell(*oc)[MAXC] = ls_calloc(nt, sizeof *oc);
	struct orange(*rg)[MAXC] = ls_calloc(nt, sizeof *rg);
	uint8_t *present = ls_calloc(nt, 1);
	int *theme_of = ls_calloc(n + 1, sizeof *theme_of);
	size_t *cell_of = ls_calloc(n + 1, sizeof *cell_of);
	char where[160];
	int rc = LS_OK;

	if (oc == NULL || rg == NULL || present == NULL || theme_of == NULL ||
	    cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (size_t ti = 0; ti < nt; ti++)
		for (size_t i = 0; i < d->ncells; i++)
			oc[ti][i].exact = 1; /* absent: exactly 0 */
	for (int t = 0; t < LS_TABLE_COUNT_ && rc == LS_OK; t++) {
		const struct ls_summary_table *tb = &s->tables[t];
		rc = rows_locate(d, t, s, "summary", theme_of, cell_of, e);
		for (size_t r = 0; r < tb->n_rows && rc == LS_OK; r++) {
			const struct ls_summary_row *row = &tb->rows[r];
			snprintf(where, sizeof where, "%s row %zu (%s %s)",
			         table_name[t], r, d->code[0][theme_of[r]],
			         row->other);
			present[theme_of[r]] = 1;
			nnotes += 2;
			rc = check_row_threshold(
			    &row->signals, &row->persons, k, cap, where,
			    &oc[theme_of[r]][cell_of[r]], e);
		}
	}
	if (rc == LS_OK)
		rc = rec_locate(d, s, "summary", theme_of, e);
	for (size_t r = 0; r < s->n_recurrence && rc == LS_OK; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		size_t o = d->first[G_REC];
		snprintf(where, sizeof where, "recurrence row %zu (%s)", r,
		         d->code[0][theme_of[r]]);
		present[theme_of[r]] = 1;
		nnotes += 2;
		rc = check_row_threshold(&row->organisations, NULL, k, cap,
		                         where, &oc[theme_of[r]][o], e);
		if (rc == LS_OK)
			rc = check_row_threshold(&row->reporters, NULL, k, cap,
			                         where, &oc[theme_of[r]][o + 1],
			                         e);
	}
	for (size_t ti = 0; ti < nt && rc == LS_OK; ti++) {
		if (!present[ti])
			continue;
		rc = oracle(d, oc[ti], cap, rg[ti]);
		if (rc != LS_OK) {
			rc = ls_errf(e, LS_EPOLICY,
			             "theme %s: the released values %s",
			             d->code[0][ti],
			             rc == LS_ELIMIT
			                 ? "leave the total too open to audit"
			                 : "are inconsistent");
			break;
		}
		for (size_t i = 0; i < d->ncells && rc == LS_OK; i++) {
			const struct orange *o = &rg[ti][i];
			struct disclosure_ref ref;
			if (oc[ti][i].exact)
				continue;
			ref_of(d, ti, i, LS_MEASURE_SIGNALS, &ref);
			if (o->xlo == o->xhi && o->xlo >= 1 && o->xlo < k)
				rc = ls_errf(
				    e, LS_EPOLICY,
				    "%s %s %s: a suppressed count can be "
				    "computed from the released values",
				    table_name[ref.table], ref.theme,
				    ref.other);
			else if (has_persons(d, i) && oc[ti][i].hi < k &&
			         o->ylo == o->yhi && o->ylo >= 1)
				rc = ls_errf(e, LS_EPOLICY,
				             "%s %s %s: the persons of a small "
				             "count can be computed",
				             table_name[ref.table], ref.theme,
				             ref.other);
		}
	}
	if (rc == LS_OK && bounds != NULL) {
		bounds->notes = ls_calloc(nnotes + 1, sizeof *bounds->notes);
		if (bounds->notes == NULL) {
			rc = LS_ENOMEM;
			goto out;
		}
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			for (size_t r = 0; r < s->tables[t].n_rows; r++) {
				const struct ls_summary_row *row =
				    &s->tables[t].rows[r];
				size_t ti = (size_t)dom_find(d, 0, row->theme);
				size_t i =
				    t == G_TOTAL
				        ? 0
				        : d->first[t] + (size_t)dom_find(
				                            d, t, row->other);
				bound_note(d, ti, i, LS_MEASURE_SIGNALS,
				           &row->signals, &rg[ti][i],
				           &bounds->notes[kk++]);
				bound_note(d, ti, i, LS_MEASURE_PERSONS,
				           &row->persons, &rg[ti][i],
				           &bounds->notes[kk++]);
			}
		for (size_t r = 0; r < s->n_recurrence; r++) {
			const struct ls_recurrence_row *row = &s->recurrence[r];
			size_t ti = (size_t)dom_find(d, 0, row->theme);
			size_t o = d->first[G_REC];
			bound_note(d, ti, o, 0, &row->organisations, &rg[ti][o],
			           &bounds->notes[kk++]);
			bound_note(d, ti, o + 1, 0, &row->reporters,
			           &rg[ti][o + 1], &bounds->notes[kk++]);
		}
		bounds->n_notes = kk;
		report_count(bounds);
	}
out:
	ls_free(oc);
	ls_free(rg);
	ls_free(present);
	ls_free(theme_of);
	ls_free(cell_of);
	return rc;
}

static int check_cell_noise(const struct ls_cell *c, int64_t w, int64_t h,
                            const char *where, struct ls_errinfo *e)
{
	/* Every noisy value, also one below w or below 0 (4.6); a
	 * withheld cell is what releases before that carried. */
	if (c->kind == LS_CELL_NOISY && c->value >= -LS_COUNT_MAX &&
	    c->value <= LS_COUNT_MAX - h && c->lo == max64(0, c->value - h) &&
	    c->hi == max64(0, c->value + h))
		return LS_OK;
	if (c->kind == LS_CELL_WITHHELD && c->value == 0 && c->lo == 0 &&
	    c->hi == max64(0, w - 1 + h))
		return LS_OK;
	return ls_errf(e, LS_EPOLICY,
	               "%s: not a noisy value or withheld cell with the "
	               "interval its parameters imply",
	               where);
}

static void noise_note(const struct dom *d, int t, int m, const char *theme,
                       const char *other, const struct ls_cell *c,
                       struct noise_scale sc, int64_t h,
                       struct disclosure_note *nt)
{
	(void)d;
	memset(nt, 0, sizeof *nt);
	nt->cell.table = (uint8_t)t;
	nt->cell.measure = (uint8_t)m;
	memcpy(nt->cell.theme, theme, strnlen(theme, LS_CODE_MAX));
	memcpy(nt->cell.other, other, strnlen(other, LS_CODE_MAX));
	nt->raw = -1;
	nt->released = *c;
	nt->reason = c->kind == LS_CELL_WITHHELD ? DISCLOSURE_WITHHELD
	                                         : DISCLOSURE_NOISY;
	nt->feasible_lo = c->lo;
	nt->feasible_hi = c->hi;
	nt->scale = sc;
	nt->halfwidth = h;
}

static int check_noise(const struct dom *d, const struct ls_summary *s,
                       struct disclosure_report *bounds, struct ls_errinfo *e)
{
	struct noise_scale sc[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	int64_t half[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	size_t nt = d->n[LS_TABLE_THEME], n = max_rows(s), nnotes = 0, kk = 0;
	int64_t w = s->params.withhold_below;
	int *theme_of = ls_calloc(n + 1, sizeof *theme_of);
	size_t *cell_of = ls_calloc(n + 1, sizeof *cell_of);
	char where[160];
	int rc;

	if (theme_of == NULL || cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if ((rc = noise_scales(d, &s->params, sc, half)) != LS_OK) {
		rc = ls_errf(e, LS_EINVAL, "noise parameters out of range");
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t want = nt * (t == LS_TABLE_THEME ? 1 : d->n[t]);
		if (s->tables[t].n_rows != want) {
			rc = ls_errf(
			    e, LS_EPOLICY,
			    "%s table has %zu rows; noise mode releases "
			    "every cell of the taxonomy (%zu)",
			    table_name[t], s->tables[t].n_rows, want);
			goto out;
		}
		nnotes += 2 * want;
	}
	if (s->n_recurrence != nt) {
		rc =
		    ls_errf(e, LS_EPOLICY,
		            "recurrence has %zu rows, want one per theme (%zu)",
		            s->n_recurrence, nt);
		goto out;
	}
	nnotes += 2 * nt;
	if (bounds != NULL && (bounds->notes = ls_calloc(
	                           nnotes, sizeof *bounds->notes)) == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		if ((rc = rows_locate(d, t, s, "summary", theme_of, cell_of,
		                      e)) != LS_OK)
			goto out;
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			snprintf(where, sizeof where, "%s row %zu (%s %s)",
			         table_name[t], r, row->theme, row->other);
			if ((rc = check_cell_noise(&row->signals, w, half[t][0],
			                           where, e)) != LS_OK ||
			    (rc = check_cell_noise(&row->persons, w, half[t][1],
			                           where, e)) != LS_OK)
				goto out;
			if (bounds == NULL)
				continue;
			noise_note(d, t, 0, row->theme, row->other,
			           &row->signals, sc[t][0], half[t][0],
			           &bounds->notes[kk++]);
			noise_note(d, t, 1, row->theme, row->other,
			           &row->persons, sc[t][1], half[t][1],
			           &bounds->notes[kk++]);
		}
	}
	if ((rc = rec_locate(d, s, "summary", theme_of, e)) != LS_OK)
		goto out;
	for (size_t r = 0; r < s->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		int t = LS_TABLE_RECURRENCE;
		snprintf(where, sizeof where, "recurrence row %zu (%s)", r,
		         row->theme);
		if ((rc = check_cell_noise(&row->organisations, w, half[t][0],
		                           where, e)) != LS_OK ||
		    (rc = check_cell_noise(&row->reporters, w, half[t][1],
		                           where, e)) != LS_OK)
			goto out;
		if (bounds == NULL)
			continue;
		noise_note(d, t, 0, row->theme, "", &row->organisations,
		           sc[t][0], half[t][0], &bounds->notes[kk++]);
		noise_note(d, t, 1, row->theme, "", &row->reporters, sc[t][1],
		           half[t][1], &bounds->notes[kk++]);
	}
	if (bounds != NULL) {
		bounds->n_notes = kk;
		report_count(bounds);
	}
	rc = LS_OK;
out:
	ls_free(theme_of);
	ls_free(cell_of);
	return rc;
}

int disclosure_check(const struct ls_summary *released,
                     const struct ls_domain *domain,
                     struct disclosure_report *bounds, struct ls_errinfo *e)
{
	struct dom *d;
	int rc;

	if (bounds != NULL)
		disclosure_report_init(bounds);
	if (released == NULL)
		return ls_errf(e, LS_EINVAL, "no summary given");
	if ((rc = disclosure_params_check(&released->params, e)) != LS_OK)
		return rc;
	if (!origin_valid(released->origin) || !period_valid(&released->period))
		return ls_errf(e, LS_EINVAL, "summary: bad origin or period");
	if ((rc = check_row_counts(released, "summary", e)) != LS_OK)
		return rc;
	d = ls_malloc(sizeof *d);
	if (d == NULL)
		return ls_errf(e, LS_ENOMEM, "out of memory");
	if ((rc = dom_compile(domain, d, e)) == LS_OK)
		rc = released->params.mode == LS_MODE_THRESHOLD
		         ? check_threshold(d, released, bounds, e)
		         : check_noise(d, released, bounds, e);
	if (rc == LS_ENOMEM)
		ls_errf(e, rc, "out of memory");
	if (rc != LS_OK && bounds != NULL)
		disclosure_report_fini(bounds);
	ls_free(d);
	return rc;
}
