/*
 * The threshold-mode attacker as an integer program, and the release gate
 * built on it.
 *
 * Happy path of ls_attack_gate(): lay out the domain (codes sorted, a theme's
 * cells numbered as in attack.h); read every document into a grid of
 * cells per theme; per theme present anywhere:
 *   1. derive: every complementary range of the new summary (a count >= k
 *      suppressed to protect another) is first opened to [0, UNB], then set
 *      to the range the new summary's own other values imply (one solve of
 *      the single-document model). Projecting a cell onto what the rest
 *      already implies adds no information, so no published range says
 *      anything about the true value beyond the other cells;
 *   2. check: for every combination of link hypotheses, solve the joint
 *      model of all versions; no small count (a range within 0..k-1) of
 *      the new version may be pinned to 1..k-1 (its persons to >= 1), and
 *      no small count of an earlier version may have a narrower range than
 *      the earlier versions alone give;
 *   3. widen while a check fails: hide the zeros of the violated cell's
 *      table, then of the whole theme, then suppress the theme's exact
 *      counts one at a time (the violated table first, smallest first, the
 *      total last), each followed by 1 and 2. When nothing is left to
 *      widen the release is refused (LS_EPOLICY).
 * Then write the rows and notes back in their canonical order.
 *
 * Themes are independent: no released value relates two themes (the
 * number of signals, which would, is not released), and the link between
 * versions holds per theme (the removed or added signals of a theme).
 *
 * model_build() is the whole attacker model: one place, one constraint per
 * public relation (docs/DISCLOSURE.md 3.2).
 */
#include "core/attack.h"
#include "common/alloc.h"
#include "core/noise.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An opened range: larger than any count a raw summary may hold. */
#define UNB ((int64_t)DISCLOSURE_COUNT_MAX)
/* The receiver's check refuses a theme total wider than this (it matches
 * AUDIT_SPAN_MAX of core/disclosure_oracle.c). */
#define TOTAL_SPAN_MAX 100000
#define ROW_TERMS (2 * DISCLOSURE_MAX_CODES + 8)

/* ---- layout ---------------------------------------------------------- */

enum { G_REC = LS_TABLE_RECURRENCE, G_N = LS_QUERY_TABLES };

struct lay {
	size_t n[LS_TABLE_COUNT_];
	const char *code[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	size_t first[G_N + 1]; /* group g is [first[g], first[g+1]) */
	size_t ncells;
	uint8_t grp[1 + 4 * DISCLOSURE_MAX_CODES + 2];
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int lay_build(const struct ls_domain *dom, struct lay *l,
                     struct ls_errinfo *e)
{
	size_t k = 0;
	memset(l, 0, sizeof *l);
	if (dom == NULL)
		return ls_errf(e, LS_EINVAL, "no taxonomy domain given");
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = dom->n_codes[t];
		if (n == 0 || n > DISCLOSURE_MAX_CODES || dom->codes[t] == NULL)
			return ls_errf(e, LS_EINVAL, "domain: bad dimension %d",
			               t);
		for (size_t i = 0; i < n; i++) {
			if (dom->codes[t][i] == NULL ||
			    strnlen(dom->codes[t][i], LS_CODE_SIZE) ==
			        LS_CODE_SIZE)
				return ls_errf(e, LS_EINVAL,
				               "domain: bad code");
			l->code[t][i] = dom->codes[t][i];
		}
		qsort(l->code[t], n, sizeof l->code[t][0], cmp_str);
		for (size_t i = 1; i < n; i++)
			if (strcmp(l->code[t][i - 1], l->code[t][i]) == 0)
				return ls_errf(e, LS_EINVAL,
				               "domain: code '%s' twice",
				               l->code[t][i]);
		l->n[t] = n;
	}
	for (int g = 0; g < G_N; g++) {
		size_t cnt = g == LS_TABLE_THEME ? 1 : g == G_REC ? 2 : l->n[g];
		l->first[g] = k;
		for (size_t i = 0; i < cnt; i++)
			l->grp[k++] = (uint8_t)g;
	}
	l->first[G_N] = k;
	l->ncells = k;
	return LS_OK;
}

static int lay_find(const struct lay *l, int t, const char *code)
{
	const char *const *hit;
	if (strnlen(code, LS_CODE_SIZE) == LS_CODE_SIZE)
		return -1;
	hit =
	    bsearch(&code, l->code[t], l->n[t], sizeof l->code[t][0], cmp_str);
	return hit == NULL ? -1 : (int)(hit - l->code[t]);
}

static int lay_cell(const struct lay *l, int table, const char *other,
                    int measure)
{
	int j;
	if (table == LS_TABLE_THEME)
		return 0;
	if (table == G_REC)
		return (int)l->first[G_REC] + (measure != 0);
	if (table < 0 || table > G_REC)
		return -1;
	j = lay_find(l, table, other);
	return j < 0 ? -1 : (int)l->first[table] + j;
}

int ls_attack_cell_index(const struct ls_domain *dom, int table,
                         const char *other, int measure)
{
	struct lay l;
	if (lay_build(dom, &l, NULL) != LS_OK)
		return -1;
	return lay_cell(&l, table, other, measure);
}

size_t ls_attack_cells_per_theme(const struct ls_domain *dom)
{
	struct lay l;
	return lay_build(dom, &l, NULL) == LS_OK ? l.ncells : 0;
}

/* ---- a theme's cells in one document --------------------------------- */

struct tcell {
	uint8_t present;
	struct ls_cell sig, per; /* per unused for recurrence cells */
};

static int cell_ok(const struct ls_cell *c)
{
	if (c->kind == LS_CELL_EXACT)
		return c->value >= 0 && c->value <= LS_COUNT_MAX &&
		       c->lo == c->value && c->hi == c->value;
	return c->kind == LS_CELL_RANGE && c->lo >= 0 && c->lo <= c->hi &&
	       c->hi <= LS_COUNT_MAX;
}

/* Read theme `ti` of summary s into g[ncells]. */
static int grid_load(const struct lay *l, const struct ls_summary *s, size_t ti,
                     struct tcell *g, struct ls_errinfo *e)
{
	const char *theme = l->code[LS_TABLE_THEME][ti];
	memset(g, 0, l->ncells * sizeof *g);
	for (size_t i = 0; i < l->ncells; i++) {
		ls_cell_set_exact(&g[i].sig, 0);
		ls_cell_set_exact(&g[i].per, 0);
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			int i;
			if (strcmp(row->theme, theme) != 0)
				continue;
			i = lay_cell(l, t, row->other, 0);
			if (i < 0 || !cell_ok(&row->signals) ||
			    !cell_ok(&row->persons))
				return ls_errf(
				    e, LS_EINVAL,
				    "summary: bad row %s/%s in table "
				    "%d",
				    theme, row->other, t);
			g[i].present = 1;
			g[i].sig = row->signals;
			g[i].per = row->persons;
		}
	for (size_t r = 0; r < s->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		size_t o = l->first[G_REC];
		if (strcmp(row->theme, theme) != 0)
			continue;
		if (!cell_ok(&row->organisations) || !cell_ok(&row->reporters))
			return ls_errf(e, LS_EINVAL,
			               "summary: bad recurrence row %s", theme);
		g[o].present = g[o + 1].present = 1;
		g[o].sig = row->organisations;
		g[o + 1].sig = row->reporters;
	}
	return LS_OK;
}

/* ---- the model ------------------------------------------------------- */

struct model {
	glp_prob *P;
	const struct lay *l;
	size_t n_docs;
	int *x, *y; /* [d * ncells + i]: column of the count, of persons */
	int ind[ROW_TERMS + 1];
	double val[ROW_TERMS + 1];
	int nt;
};

static int col_new(struct model *m, int64_t lo, int64_t hi)
{
	int j = glp_add_cols(m->P, 1);
	glp_set_col_kind(m->P, j, GLP_IV);
	if (lo == hi)
		glp_set_col_bnds(m->P, j, GLP_FX, (double)lo, (double)lo);
	else
		glp_set_col_bnds(m->P, j, GLP_DB, (double)lo, (double)hi);
	return j;
}

static void term(struct model *m, int col, double coef)
{
	m->nt++;
	m->ind[m->nt] = col;
	m->val[m->nt] = coef;
}

/* End the row being built: lo <= sum <= hi (type GLP_UP, GLP_LO, GLP_FX). */
static void row_end(struct model *m, int type, double lo, double hi)
{
	int r = glp_add_rows(m->P, 1);
	glp_set_mat_row(m->P, r, m->nt, m->ind, m->val);
	glp_set_row_bnds(m->P, r, type, lo, hi);
	m->nt = 0;
}

/* a - b <= 0 */
static void le(struct model *m, int a, int b)
{
	term(m, a, 1);
	term(m, b, -1);
	row_end(m, GLP_UP, 0, 0);
}

/*
 * The relations every set of signals of one theme satisfies: x[] counts,
 * y[] persons (capped), o/p organisations and reporters (-1: none, for a
 * set of changed signals). cap: persons cap; mt: target groups per signal.
 */
static void signal_set(struct model *m, const int *x, const int *y, int o,
                       int p, int64_t cap, uint32_t mt, const int64_t *ub)
{
	const struct lay *l = m->l;
	size_t rec = l->first[G_REC];
	/* R2: every signal counts 1..cap persons, in every cell. */
	for (size_t i = 0; i < rec; i++) {
		le(m, x[i], y[i]);
		term(m, y[i], 1);
		term(m, x[i], -(double)cap);
		row_end(m, GLP_UP, 0, 0);
	}
	/* R1: exactly one age band, one sector, one problem type (or
	 * none): these tables add up to the total, counts and persons. */
	static const int additive[] = {
	    LS_TABLE_THEME_AGE, LS_TABLE_THEME_SECTOR, LS_TABLE_THEME_PROBLEM};
	for (size_t a = 0; a < 3; a++) {
		int t = additive[a];
		for (int meas = 0; meas < 2; meas++) {
			const int *v = meas ? y : x;
			for (size_t i = l->first[t]; i < l->first[t + 1]; i++)
				term(m, v[i], 1);
			term(m, v[0], -1);
			row_end(m, GLP_FX, 0, 0);
		}
	}
	/* R3: a target group is a subset of the theme's signals, and so is
	 * the rest; the limit: at most mt target groups per signal. */
	for (size_t i = l->first[LS_TABLE_THEME_TARGET];
	     i < l->first[LS_TABLE_THEME_TARGET + 1]; i++) {
		le(m, x[i], x[0]);
		le(m, y[i], y[0]);
		/* (x_T - x_G) <= (y_T - y_G) <= cap (x_T - x_G) */
		term(m, x[0], 1);
		term(m, x[i], -1);
		term(m, y[0], -1);
		term(m, y[i], 1);
		row_end(m, GLP_UP, 0, 0);
		term(m, y[0], 1);
		term(m, y[i], -1);
		term(m, x[0], -(double)cap);
		term(m, x[i], (double)cap);
		row_end(m, GLP_UP, 0, 0);
	}
	for (int meas = 0; meas < 2; meas++) {
		const int *v = meas ? y : x;
		for (size_t i = l->first[LS_TABLE_THEME_TARGET];
		     i < l->first[LS_TABLE_THEME_TARGET + 1]; i++)
			term(m, v[i], 1);
		term(m, v[0], -(double)mt);
		row_end(m, GLP_UP, 0, 0);
	}
	if (o < 0)
		return;
	/* R4: every signal has an organisation, which has one sector:
	 * non-zero sectors <= organisations <= total. z_s = [x_s > 0]. */
	int zs[DISCLOSURE_MAX_CODES];
	size_t ns = 0;
	for (size_t i = l->first[LS_TABLE_THEME_SECTOR];
	     i < l->first[LS_TABLE_THEME_SECTOR + 1]; i++) {
		int z = glp_add_cols(m->P, 1);
		glp_set_col_kind(m->P, z, GLP_BV);
		le(m, z, x[i]);
		term(m, x[i], 1);
		term(m, z, -(double)(ub[i] > 0 ? ub[i] : 1));
		row_end(m, GLP_UP, 0, 0);
		zs[ns++] = z;
	}
	for (size_t s = 0; s < ns; s++)
		term(m, zs[s], 1);
	term(m, o, -1);
	row_end(m, GLP_UP, 0, 0);
	le(m, o, x[0]);
	/* R5: at most one known reporter per signal. */
	le(m, p, x[0]);
}

/* The bounds of a released cell: what R6 says. */
static void bounds_of(const struct tcell *c, int persons, int64_t *lo,
                      int64_t *hi)
{
	const struct ls_cell *v = persons ? &c->per : &c->sig;
	*lo = v->lo;
	*hi = v->hi;
}

/* The joint model of grids g[d * ncells + i] under links[]. */
static int model_build(struct model *m, const struct lay *l,
                       const struct tcell *g, size_t n_docs,
                       const uint8_t *links, int64_t cap, uint32_t mt)
{
	size_t nc = l->ncells, rec = l->first[G_REC];
	int64_t *ub = ls_calloc(nc, sizeof *ub);
	int *dx = ls_calloc(nc, sizeof *dx), *dy = ls_calloc(nc, sizeof *dy);
	memset(m, 0, sizeof *m);
	m->l = l;
	m->n_docs = n_docs;
	m->x = ls_calloc(n_docs * nc, sizeof *m->x);
	m->y = ls_calloc(n_docs * nc, sizeof *m->y);
	if (m->x == NULL || m->y == NULL || ub == NULL || dx == NULL ||
	    dy == NULL) {
		ls_free(ub);
		ls_free(dx);
		ls_free(dy);
		return LS_ENOMEM;
	}
	m->P = glp_create_prob();
	for (size_t d = 0; d < n_docs; d++) {
		const struct tcell *c = &g[d * nc];
		int *x = &m->x[d * nc], *y = &m->y[d * nc];
		for (size_t i = 0; i < nc; i++) {
			int64_t lo, hi;
			bounds_of(&c[i], 0, &lo, &hi);
			/* A theme that is released has signals. */
			if (i == 0 && c[0].present && lo < 1)
				lo = 1;
			if (lo > hi)
				lo = hi; /* malformed: caught by the solve */
			x[i] = col_new(m, lo, hi);
			ub[i] = hi;
			if (i < rec) {
				bounds_of(&c[i], 1, &lo, &hi);
				y[i] = col_new(m, lo, hi);
			}
		}
		signal_set(m, x, y, x[rec], x[rec + 1], cap, mt, ub);
	}
	/* Links: the later version is the earlier minus (plus) one set of
	 * signals, which itself obeys the relations of a signal set. */
	for (size_t d = 0; d + 1 < n_docs; d++) {
		int removed = links[d] == ATTACK_LINK_REMOVED;
		if (links[d] == ATTACK_LINK_NONE)
			continue;
		int *xa = &m->x[d * nc], *ya = &m->y[d * nc];
		int *xb = &m->x[(d + 1) * nc], *yb = &m->y[(d + 1) * nc];
		for (size_t i = 0; i < rec; i++) {
			int64_t h = removed ? g[d * nc + i].sig.hi
			                    : g[(d + 1) * nc + i].sig.hi;
			dx[i] = col_new(m, 0, h);
			dy[i] = col_new(m, 0, cap * h);
			/* b = a -/+ delta */
			for (int meas = 0; meas < 2; meas++) {
				term(m, meas ? yb[i] : xb[i], 1);
				term(m, meas ? ya[i] : xa[i], -1);
				term(m, meas ? dy[i] : dx[i], removed ? 1 : -1);
				row_end(m, GLP_FX, 0, 0);
			}
		}
		signal_set(m, dx, dy, -1, -1, cap, mt, NULL);
		/* Distinct organisations and reporters move by at most the
		 * number of signals that changed, in its direction. */
		for (size_t r = rec; r < rec + 2; r++) {
			int lo = removed ? xb[r] : xa[r];
			int hi = removed ? xa[r] : xb[r];
			le(m, lo, hi);
			term(m, hi, 1);
			term(m, lo, -1);
			term(m, dx[0], -1);
			row_end(m, GLP_UP, 0, 0);
		}
	}
	ls_free(ub);
	ls_free(dx);
	ls_free(dy);
	return LS_OK;
}

static void model_free(struct model *m)
{
	if (m->P != NULL)
		glp_delete_prob(m->P);
	ls_free(m->x);
	ls_free(m->y);
	memset(m, 0, sizeof *m);
}

/* Solve the integer program for the objective already set: the LP
 * relaxation first, warm-started from the previous basis (the objective
 * is all that changes between solves), then branch and bound from it.
 * 1 if an optimum was found, 0 if infeasible. */
static int solve_set(struct model *m, uint32_t *solves)
{
	glp_smcp sp;
	glp_iocp parm;
	int st;
	if (solves != NULL)
		(*solves)++;
	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	if (glp_simplex(m->P, &sp) != 0) {
		/* a stale basis can fail; the presolver starts afresh */
		glp_init_iocp(&parm);
		parm.presolve = GLP_ON;
		parm.msg_lev = GLP_MSG_OFF;
		if (glp_intopt(m->P, &parm) != 0)
			return 0;
	} else {
		if (glp_get_status(m->P) != GLP_OPT)
			return 0; /* the relaxation is infeasible */
		glp_init_iocp(&parm);
		parm.msg_lev = GLP_MSG_OFF;
		if (glp_intopt(m->P, &parm) != 0)
			return 0;
	}
	st = glp_mip_status(m->P);
	return st == GLP_OPT || st == GLP_FEAS;
}

/* Optimise column j in direction dir. */
static int solve(struct model *m, int j, int dir, uint32_t *solves)
{
	int ncol = glp_get_num_cols(m->P);
	for (int c = 1; c <= ncol; c++)
		glp_set_obj_coef(m->P, c, c == j ? 1.0 : 0.0);
	glp_set_obj_dir(m->P, dir > 0 ? GLP_MAX : GLP_MIN);
	return solve_set(m, solves);
}

static int64_t colval(struct model *m, int j)
{
	return (int64_t)llround(glp_mip_col_val(m->P, j));
}

/* Exact ranges of every column in cols[0..n) (lo/hi out). Returns 0 if the
 * model is infeasible. Witnesses: every solution found narrows the work,
 * since a column seen at its bound needs no solve in that direction. */
static int ranges(struct model *m, const int *cols, size_t n, int64_t *lo,
                  int64_t *hi, uint32_t *solves)
{
	int64_t *wlo = lo, *whi = hi;
	/* First the sum of all of them, down and up: two solutions that put
	 * many cells at their bounds at once. */
	for (int dir = -1; dir <= 1; dir += 2) {
		int ncol = glp_get_num_cols(m->P);
		for (int c = 1; c <= ncol; c++)
			glp_set_obj_coef(m->P, c, 0.0);
		for (size_t i = 0; i < n; i++)
			glp_set_obj_coef(m->P, cols[i], 1.0);
		glp_set_obj_dir(m->P, dir > 0 ? GLP_MAX : GLP_MIN);
		if (!solve_set(m, solves))
			return 0;
		for (size_t i = 0; i < n; i++) {
			int64_t v = colval(m, cols[i]);
			if (dir < 0 || v < wlo[i])
				wlo[i] = dir < 0 ? v : wlo[i];
			if (dir < 0)
				whi[i] = v;
			else if (v > whi[i])
				whi[i] = v;
		}
	}
	for (int dir = -1; dir <= 1; dir += 2)
		for (size_t i = 0; i < n; i++) {
			double b = dir < 0 ? glp_get_col_lb(m->P, cols[i])
			                   : glp_get_col_ub(m->P, cols[i]);
			int64_t bound = (int64_t)llround(b);
			if ((dir < 0 ? wlo[i] : whi[i]) == bound)
				continue;
			if (!solve(m, cols[i], dir, solves))
				return 0; /* cannot happen: it was feasible */
			if (dir < 0)
				wlo[i] = colval(m, cols[i]);
			else
				whi[i] = colval(m, cols[i]);
			for (size_t k = 0; k < n; k++) {
				int64_t v = colval(m, cols[k]);
				if (v < wlo[k])
					wlo[k] = v;
				if (v > whi[k])
					whi[k] = v;
			}
		}
	return 1;
}

/* Solve grids g (n_docs x ncells) under links into sig/per ranges. */
/* Which range cells to solve: all of them, or (small_k > 0) only those
 * within 0..small_k-1, except in document full_doc (all of its). */
struct which {
	int64_t small_k;
	size_t full_doc;
};

static const struct which ALL = {0, 0};

static int wanted(const struct which *w, size_t d, const struct tcell *c)
{
	return w->small_k == 0 || d == w->full_doc || c->sig.hi < w->small_k;
}

static int grids_solve(const struct lay *l, const struct tcell *g,
                       size_t n_docs, const uint8_t *links, int64_t cap,
                       uint32_t mt, const struct which *w,
                       struct attack_range *sig, struct attack_range *per,
                       int *feasible, uint32_t *solves)
{
	size_t nc = l->ncells, rec = l->first[G_REC], n = 0;
	struct model m;
	int *cols = ls_calloc(2 * n_docs * nc + 1, sizeof *cols);
	size_t *where = ls_calloc(2 * n_docs * nc + 1, sizeof *where);
	int64_t *lo = ls_calloc(2 * n_docs * nc + 1, sizeof *lo);
	int64_t *hi = ls_calloc(2 * n_docs * nc + 1, sizeof *hi);
	int rc;

	if (cols == NULL || where == NULL || lo == NULL || hi == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if ((rc = model_build(&m, l, g, n_docs, links, cap, mt)) != LS_OK)
		goto out_model;
	/* Known cells are their value; only ranges are solved. */
	for (size_t d = 0; d < n_docs; d++)
		for (size_t i = 0; i < nc; i++) {
			const struct tcell *c = &g[d * nc + i];
			size_t at = d * nc + i;
			sig[at].lo = c->sig.lo;
			sig[at].hi = c->sig.hi;
			per[at].lo = i < rec ? c->per.lo : 0;
			per[at].hi = i < rec ? c->per.hi : 0;
			if (c->sig.kind == LS_CELL_EXACT || !wanted(w, d, c))
				continue;
			cols[n] = m.x[at];
			where[n++] = 2 * at;
			if (i < rec && c->per.kind != LS_CELL_EXACT) {
				cols[n] = m.y[at];
				where[n++] = 2 * at + 1;
			}
		}
	*feasible = ranges(&m, cols, n, lo, hi, solves);
	for (size_t k = 0; k < n && *feasible; k++) {
		struct attack_range *r =
		    where[k] % 2 ? &per[where[k] / 2] : &sig[where[k] / 2];
		r->lo = lo[k];
		r->hi = hi[k];
	}
	rc = LS_OK;
out_model:
	model_free(&m);
out:
	ls_free(cols);
	ls_free(where);
	ls_free(lo);
	ls_free(hi);
	return rc;
}

/* Is the joint model of g under links feasible? */
static int grids_feasible(const struct lay *l, const struct tcell *g,
                          size_t n_docs, const uint8_t *links, int64_t cap,
                          uint32_t mt, int *feasible, uint32_t *solves)
{
	struct model m;
	int rc = model_build(&m, l, g, n_docs, links, cap, mt);
	if (rc == LS_OK)
		*feasible = solve(&m, 0, 0, solves);
	model_free(&m);
	return rc;
}

static void combo_links(size_t h, size_t nlinks, uint8_t *links)
{
	for (size_t d = 0; d < nlinks; d++, h /= 3)
		links[d] = (uint8_t)(h % 3);
}

static int docs_check(const struct lay *l, const struct ls_summary *const *docs,
                      size_t n, struct ls_errinfo *e)
{
	(void)l;
	if (n == 0 || n > ATTACK_MAX_DOCS)
		return ls_errf(e, LS_ELIMIT,
		               "%zu versions of a period, at most "
		               "%d are modelled",
		               n, ATTACK_MAX_DOCS);
	for (size_t d = 0; d < n; d++) {
		if (docs[d] == NULL ||
		    docs[d]->params.mode != LS_MODE_THRESHOLD)
			return ls_errf(e, LS_EINVAL,
			               "version %zu is not a threshold-mode "
			               "summary",
			               d);
		if (docs[d]->params.persons_cap !=
		        docs[0]->params.persons_cap ||
		    docs[d]->params.persons_cap == 0)
			return ls_errf(e, LS_EINVAL,
			               "versions with different persons caps");
	}
	return LS_OK;
}

void ls_attack_thread_fini(void)
{
	(void)glp_free_env(); /* 1: this thread never used GLPK */
}

void ls_attack_theme_fini(struct attack_theme *t)
{
	ls_free(t->sig);
	ls_free(t->per);
	memset(t, 0, sizeof *t);
}

int ls_attack_theme_solve(const struct attack_input *in, const char *theme,
                          struct attack_theme *out, struct ls_errinfo *e)
{
	struct lay l;
	struct tcell *g = NULL;
	int ti, rc;

	memset(out, 0, sizeof *out);
	if ((rc = lay_build(in->domain, &l, e)) != LS_OK ||
	    (rc = docs_check(&l, in->docs, in->n_docs, e)) != LS_OK)
		return rc;
	if (in->n_docs > 1 && in->links == NULL)
		return ls_errf(e, LS_EINVAL, "links missing");
	ti = lay_find(&l, LS_TABLE_THEME, theme);
	if (ti < 0)
		return ls_errf(e, LS_EINVAL, "theme '%s' not in the domain",
		               theme);
	g = ls_calloc(in->n_docs * l.ncells, sizeof *g);
	out->sig = ls_calloc(in->n_docs * l.ncells, sizeof *out->sig);
	out->per = ls_calloc(in->n_docs * l.ncells, sizeof *out->per);
	if (g == NULL || out->sig == NULL || out->per == NULL) {
		ls_free(g);
		return LS_ENOMEM;
	}
	out->n_docs = in->n_docs;
	out->ncells = l.ncells;
	for (size_t d = 0; d < in->n_docs && rc == LS_OK; d++)
		rc =
		    grid_load(&l, in->docs[d], (size_t)ti, &g[d * l.ncells], e);
	if (rc == LS_OK)
		rc = grids_solve(&l, g, in->n_docs, in->links,
		                 in->docs[0]->params.persons_cap,
		                 in->max_targets, &ALL, out->sig, out->per,
		                 &out->feasible, NULL);
	ls_free(g);
	return rc;
}

/* ---- the gate -------------------------------------------------------- */

enum cstate { ST_EXACT = 0, ST_PRIMARY, ST_ZERO, ST_COMPL };

struct gate {
	const struct lay *l;
	size_t n_docs; /* history + the new one */
	int64_t k, cap;
	uint32_t mt;
	struct attack_gate_stats *st;
	/* per theme of the new document */
	uint8_t *state;                   /* [ti * nc + i] enum cstate */
	uint8_t *widened;                 /* primary shown as 0..k-1 */
	int *protects;                    /* cell index or -1 */
	int64_t *rawx, *rawy;             /* true counts (from the notes) */
	struct attack_range *fsig, *fper; /* narrowest ranges (notes) */
	struct attack_range *proj;        /* complementary: the projection */
};

static size_t gidx(const struct gate *G, size_t ti, size_t i)
{
	return ti * G->l->ncells + i;
}

/* Is a released cell "small": a range within 0..k-1? */
static int small(const struct gate *G, const struct tcell *c)
{
	return c->present && c->sig.kind == LS_CELL_RANGE && c->sig.hi < G->k;
}

/* The wire's shape of a suppressed range (PROTOCOL.md: lo < hi, and a
 * range reaching below k covers all of 1..k-1), applied to a derived
 * range: a public function of it, so it adds nothing. The true count of a
 * complementary cell is >= k, so lo == hi only happens at lo >= k. */
static void shape(int64_t k, int64_t *lo, int64_t *hi)
{
	if (*lo >= 2 && *lo < k)
		*lo = 1;
	if (*hi < k - 1)
		*hi = k - 1;
	if (*hi <= *lo)
		*hi = *lo + 1;
}

static void set_derived(const struct gate *G, struct tcell *c, int persons,
                        int64_t lo, int64_t hi)
{
	shape(G->k, &lo, &hi);
	ls_cell_set_range(&c->sig, lo, hi);
	if (persons)
		ls_cell_set_range(&c->per, lo, G->cap * hi);
}

/* Open every complementary range of the new grid nw (theme ti), from
 * cell `from` on. 1 if there is any. */
static int open_complementary(const struct gate *G, size_t ti, struct tcell *nw,
                              size_t from)
{
	size_t rec = G->l->first[G_REC];
	int any = 0;
	for (size_t i = from; i < G->l->ncells; i++)
		if (G->state[gidx(G, ti, i)] == ST_COMPL) {
			ls_cell_set_range(&nw[i].sig, 0, UNB);
			if (i < rec)
				ls_cell_set_range(&nw[i].per, 0, G->cap * UNB);
			any = 1;
		}
	return any;
}

/* Set the complementary cells of nw, from cell `from` on, to the solved
 * ranges sig and keep these as their projections. Returns the number of
 * them that are still open (no upper bound); counts them in *derived if
 * it is not NULL. */
static int take_derived(struct gate *G, size_t ti, struct tcell *nw,
                        const struct attack_range *sig, size_t from,
                        uint32_t *derived)
{
	size_t rec = G->l->first[G_REC];
	int open = 0;
	for (size_t i = from; i < G->l->ncells; i++) {
		if (G->state[gidx(G, ti, i)] != ST_COMPL)
			continue;
		set_derived(G, &nw[i], i < rec, sig[i].lo, sig[i].hi);
		G->proj[gidx(G, ti, i)] = sig[i];
		open += sig[i].hi >= UNB;
		if (derived != NULL)
			(*derived)++;
	}
	return open;
}

/* Nothing released bounds the total: bound it by a public function of
 * its derived lower end, then derive the other complementary cells
 * again with the total fixed. */
static int bound_total(struct gate *G, size_t ti, struct tcell *nw,
                       struct attack_range *sig, struct attack_range *per,
                       struct ls_errinfo *e)
{
	const struct lay *l = G->l;
	size_t at0 = gidx(G, ti, 0);
	int feasible = 0, rc;

	if (G->state[at0] != ST_COMPL)
		return ls_errf(e, LS_EINTERNAL, "theme %s: an open range",
		               l->code[0][ti]);
	ls_cell_set_range(&nw[0].sig, nw[0].sig.lo,
	                  nw[0].sig.lo + TOTAL_SPAN_MAX - 1);
	ls_cell_set_range(&nw[0].per, nw[0].sig.lo, G->cap * nw[0].sig.hi);
	open_complementary(G, ti, nw, 1);

	G->state[at0] = ST_EXACT; /* fixed this round */
	rc = grids_solve(l, nw, 1, NULL, G->cap, G->mt, &ALL, sig, per,
	                 &feasible, &G->st->solves);
	G->state[at0] = ST_COMPL;
	if (rc != LS_OK)
		return rc;
	if (!feasible)
		return ls_errf(e, LS_EINTERNAL,
		               "theme %s: the total's true value exceeds "
		               "%d plus its lower bound",
		               l->code[0][ti], TOTAL_SPAN_MAX);
	take_derived(G, ti, nw, sig, 1, NULL);
	G->proj[at0] = (struct attack_range){nw[0].sig.lo, nw[0].sig.hi};
	return LS_OK;
}

/* The truth must lie in what is released (it is a solution). */
static int truth_inside(const struct gate *G, size_t ti, const struct tcell *nw,
                        struct ls_errinfo *e)
{
	for (size_t i = 0; i < G->l->ncells; i++) {
		size_t at = gidx(G, ti, i);
		if (G->state[at] == ST_COMPL &&
		    (G->rawx[at] < nw[i].sig.lo || G->rawx[at] > nw[i].sig.hi))
			return ls_errf(e, LS_EINTERNAL,
			               "theme %s: a derived range misses the "
			               "true count",
			               G->l->code[0][ti]);
	}
	return LS_OK;
}

/* Open every complementary range of the new grid nw (theme ti) and set it
 * to what the new summary's other values imply. */
static int derive(struct gate *G, size_t ti, struct tcell *nw,
                  struct ls_errinfo *e)
{
	const struct lay *l = G->l;
	size_t nc = l->ncells;
	struct attack_range *sig = ls_calloc(nc, sizeof *sig),
	                    *per = ls_calloc(nc, sizeof *per);
	int feasible = 0, rc = LS_OK;

	if (sig == NULL || per == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if (!open_complementary(G, ti, nw, 0))
		goto out;

	rc = grids_solve(l, nw, 1, NULL, G->cap, G->mt, &ALL, sig, per,
	                 &feasible, &G->st->solves);
	if (rc != LS_OK)
		goto out;
	if (!feasible) {
		rc = ls_errf(e, LS_EINTERNAL,
		             "theme %s: the released values are "
		             "inconsistent",
		             l->code[0][ti]);
		goto out;
	}
	if (take_derived(G, ti, nw, sig, 0, &G->st->derived) > 0)
		rc = bound_total(G, ti, nw, sig, per, e);

	if (rc == LS_OK)
		rc = truth_inside(G, ti, nw, e);
out:
	ls_free(sig);
	ls_free(per);
	return rc;
}

struct violation {
	int found;
	size_t doc, cell;
	int persons;
};

/* The new grid's ranges as released (a complementary cell: its
 * projection), the start of the narrowest ranges for the notes. */
static void notes_start(struct gate *G, size_t ti, const struct tcell *nw)
{
	for (size_t i = 0; i < G->l->ncells; i++) {
		size_t at = gidx(G, ti, i);
		G->fsig[at] =
		    G->state[at] == ST_COMPL
		        ? G->proj[at]
		        : (struct attack_range){nw[i].sig.lo, nw[i].sig.hi};
		G->fper[at] = (struct attack_range){nw[i].per.lo, nw[i].per.hi};
	}
}

/* Hypothesis h leaves step d unlinked: that is only tried where neither
 * direction fits, so *skip is set when a linked alternative is feasible.
 * fz caches the feasibility per combination (-1 unknown). */
static int linked_fits(struct gate *G, const struct tcell *g, size_t n,
                       size_t nh, size_t h, const uint8_t *links, int8_t *fz,
                       int *skip)
{
	uint8_t alt[ATTACK_MAX_DOCS];
	*skip = 0;
	for (size_t d = 0; d < nh && !*skip; d++) {
		size_t unit = 1;
		if (links[d] != ATTACK_LINK_NONE)
			continue;
		for (size_t k = 0; k < d; k++)
			unit *= 3;
		for (int dir = 0; dir < 2 && !*skip; dir++) {
			size_t h2 = h - 2 * unit + (size_t)dir * unit;
			if (fz[h2] < 0) {
				int f = 0, rc;
				combo_links(h2, nh, alt);
				rc = grids_feasible(G->l, g, n, alt, G->cap,
				                    G->mt, &f, &G->st->solves);
				if (rc != LS_OK)
					return rc;
				fz[h2] = (int8_t)f;
			}
			*skip = fz[h2] == 1;
		}
	}
	return LS_OK;
}

/* The solved ranges of one hypothesis: after (every version) and, when
 * before_ok, before (the earlier versions alone), signals and persons. */
struct solved {
	struct attack_range *as, *ap, *bs, *bp;
	int before_ok;
};

/* The first small cell of any version that the hypothesis pins: a single
 * value >= 1 (signals or persons), or for an earlier version, narrower
 * than the earlier versions alone allowed. */
static void find_pinned(const struct gate *G, const struct tcell *g, size_t n,
                        size_t nh, const struct solved *r, struct violation *v)
{
	size_t nc = G->l->ncells, rec = G->l->first[G_REC];
	for (size_t d = 0; d < n && !v->found; d++)
		for (size_t i = 0; i < nc && !v->found; i++) {
			size_t at = d * nc + i;
			const struct attack_range *as = &r->as[at],
			                          *ap = &r->ap[at];
			int pin_x, pin_y;
			if (!small(G, &g[at]))
				continue;
			pin_x = as->lo == as->hi && as->lo >= 1;
			pin_y = i < rec && ap->lo == ap->hi && ap->lo >= 1;
			if (d < nh && r->before_ok) {
				/* an earlier version: not narrowed */
				pin_x = as->lo != r->bs[at].lo ||
				        as->hi != r->bs[at].hi;
				pin_y = i < rec && (ap->lo != r->bp[at].lo ||
				                    ap->hi != r->bp[at].hi);
			}
			if (pin_x || pin_y) {
				v->found = 1;
				v->doc = d;
				v->cell = i;
				v->persons = !pin_x;
			}
		}
}

/* The narrowest range any hypothesis gives, for the notes. */
static void notes_narrow(struct gate *G, size_t ti, const struct tcell *g,
                         size_t nh, const struct which *w,
                         const struct solved *r)
{
	size_t nc = G->l->ncells;
	for (size_t i = 0; i < nc; i++) {
		size_t at = gidx(G, ti, i), s = nh * nc + i;
		if (!wanted(w, nh, &g[s]))
			continue;
		if (r->as[s].hi - r->as[s].lo < G->fsig[at].hi - G->fsig[at].lo)
			G->fsig[at] = r->as[s];
		if (r->ap[s].hi - r->ap[s].lo < G->fper[at].hi - G->fper[at].lo)
			G->fper[at] = r->ap[s];
	}
}

/*
 * Check theme ti: g holds n_docs grids (history first, the new one last).
 * Records the narrowest ranges of the new grid's cells in G->fsig/fper.
 * Every combination of links between consecutive versions is a
 * hypothesis (three per step); a violation is a small cell that some
 * feasible hypothesis pins.
 */
static int check(struct gate *G, size_t ti, const struct tcell *g,
                 struct violation *v, struct ls_errinfo *e)
{
	const struct lay *l = G->l;
	size_t nc = l->ncells, n = G->n_docs;
	size_t nh = n > 0 ? n - 1 : 0, nhyp = 1;
	struct solved r = {ls_calloc(n * nc, sizeof *r.as),
	                   ls_calloc(n * nc, sizeof *r.ap),
	                   ls_calloc(n * nc, sizeof *r.bs),
	                   ls_calloc(n * nc, sizeof *r.bp), 0};
	uint8_t links[ATTACK_MAX_DOCS];
	int8_t fz[81]; /* feasibility per combination: -1 unknown */
	/* Small cells everywhere; every range of the new version only when
	 * earlier versions could narrow it (on its own, a complementary
	 * range is its projection: derive() solved it). */
	struct which w_after = {G->k, n > 1 ? nh : SIZE_MAX};
	struct which w_before = {G->k, SIZE_MAX};
	int rc = LS_OK, any = 0;

	memset(v, 0, sizeof *v);
	for (size_t d = 0; d < nh; d++)
		nhyp *= 3;
	memset(fz, -1, sizeof fz);
	if (r.as == NULL || r.ap == NULL || r.bs == NULL || r.bp == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	notes_start(G, ti, &g[nh * nc]);

	for (size_t h = 0; h < nhyp && !v->found; h++) {
		int fa = 0, skip = 0;
		combo_links(h, nh, links);
		rc = linked_fits(G, g, n, nh, h, links, fz, &skip);
		if (rc != LS_OK)
			goto out;
		if (skip)
			continue;

		G->st->hypotheses++;
		rc = grids_solve(l, g, n, links, G->cap, G->mt, &w_after, r.as,
		                 r.ap, &fa, &G->st->solves);
		if (rc != LS_OK)
			goto out;
		fz[h] = (int8_t)fa;
		if (!fa)
			continue;
		any = 1;
		r.before_ok = 0;
		if (nh > 0) {
			rc = grids_solve(l, g, nh, links, G->cap, G->mt,
			                 &w_before, r.bs, r.bp, &r.before_ok,
			                 &G->st->solves);
			if (rc != LS_OK)
				goto out;
		}
		find_pinned(G, g, n, nh, &r, v);
		notes_narrow(G, ti, g, nh, &w_after, &r);
	}
	if (!any && !v->found)
		rc = ls_errf(e, LS_EINTERNAL,
		             "theme %s: the published versions admit no "
		             "solution",
		             l->code[0][ti]);
out:
	ls_free(r.as);
	ls_free(r.ap);
	ls_free(r.bs);
	ls_free(r.bp);
	return rc;
}

/* Hide the zeros (and widen the primaries) of group grp (-1: every group)
 * of the new grid. 1 if something changed. */
static int hide_zeros(struct gate *G, size_t ti, struct tcell *nw, int grp,
                      int prot)
{
	const struct lay *l = G->l;
	size_t rec = l->first[G_REC];
	int changed = 0;
	for (size_t i = 1; i < l->ncells; i++) {
		size_t at = gidx(G, ti, i);
		if (grp >= 0 && l->grp[i] != grp)
			continue;
		if (G->state[at] == ST_EXACT && G->rawx[at] == 0) {
			G->state[at] = ST_ZERO;
		} else if (G->state[at] == ST_PRIMARY && !G->widened[at]) {
			G->widened[at] = 1;
		} else {
			continue;
		}
		nw[i].present = 1;
		ls_cell_set_range(&nw[i].sig, 0, G->k - 1);
		if (i < rec)
			ls_cell_set_range(&nw[i].per, 0, G->cap * (G->k - 1));
		G->protects[at] = prot;
		changed = 1;
	}
	return changed;
}

/* Suppress the smallest exact count >= k of the theme, in group grp first
 * (the total only when nothing else is left). 1 if one was found. */
static int suppress_one(struct gate *G, size_t ti, int grp, int prot)
{
	const struct lay *l = G->l;
	long best = -1;
	int best_key = 0;
	for (size_t i = 0; i < l->ncells; i++) {
		size_t at = gidx(G, ti, i);
		int key;
		if (G->state[at] != ST_EXACT || G->rawx[at] < G->k)
			continue;
		/* in the violated group first, the total last */
		key = i == 0 ? 2 : l->grp[i] == grp ? 0 : 1;
		if (best < 0 || key < best_key ||
		    (key == best_key &&
		     G->rawx[at] < G->rawx[gidx(G, ti, (size_t)best)])) {
			best = (long)i;
			best_key = key;
		}
	}
	if (best < 0)
		return 0;
	G->state[gidx(G, ti, (size_t)best)] = ST_COMPL;
	G->protects[gidx(G, ti, (size_t)best)] = prot;
	return 1;
}

static void ref_of(const struct lay *l, size_t ti, size_t i, int measure,
                   struct disclosure_ref *r)
{
	int g = l->grp[i];
	memset(r, 0, sizeof *r);
	r->table = (uint8_t)g;
	snprintf(r->theme, sizeof r->theme, "%s", l->code[0][ti]);
	r->measure =
	    (uint8_t)(g == G_REC ? (int)(i - l->first[G_REC]) : measure);
	if (g != LS_TABLE_THEME && g != G_REC)
		snprintf(r->other, sizeof r->other, "%s",
		         l->code[g][i - l->first[g]]);
}

static int gate_theme(struct gate *G, size_t ti, struct tcell *g,
                      struct ls_errinfo *e)
{
	const struct lay *l = G->l;
	size_t nc = l->ncells, nh = G->n_docs - 1;
	struct tcell *nw = &g[nh * nc];
	struct violation v;
	int rc, stage = 0;

	if (nw[0].present && (rc = derive(G, ti, nw, e)) != LS_OK)
		return rc;
	for (;;) {
		int grp, prot, changed = 0;
		if ((rc = check(G, ti, g, &v, e)) != LS_OK)
			return rc;
		if (!v.found)
			return LS_OK;
		grp = l->grp[v.cell];
		prot = v.doc == nh ? (int)v.cell : -1;
		if (nw[0].present) {
			if (stage == 0)
				changed = hide_zeros(G, ti, nw, grp, prot);
			if (!changed && stage <= 1) {
				stage = 1;
				changed = hide_zeros(G, ti, nw, -1, prot);
			}
			if (!changed) {
				stage = 2;
				changed = suppress_one(G, ti, grp, prot);
			}
		}
		if (!changed) {
			struct disclosure_ref r;
			ref_of(l, ti, v.cell, v.persons, &r);
			return ls_errf(
			    e, LS_EPOLICY,
			    "%s: thema %s, %s%s%s: %s; er is niets meer te "
			    "verbergen, dus wordt deze %s achtergehouden",
			    v.doc == nh ? "nieuwe versie" : "eerdere versie",
			    r.theme, r.table == G_REC ? "herhaling" : "cel",
			    r.other[0] ? " " : "", r.other,
			    v.doc == nh ? "zou berekenbaar worden"
			                : "zou nauwer te bepalen worden",
			    nh > 0 ? "correctie" : "vrijgave");
		}
		G->st->steps++;
		if ((rc = derive(G, ti, nw, e)) != LS_OK)
			return rc;
	}
}

/* The state of every cell of the new summary from its notes. */
static int gate_from_notes(struct gate *G, const struct disclosure_report *r,
                           struct ls_errinfo *e)
{
	const struct lay *l = G->l;
	for (size_t n = 0; n < r->n_notes; n++) {
		const struct disclosure_note *nt = &r->notes[n];
		int ti = lay_find(l, LS_TABLE_THEME, nt->cell.theme);
		int i = lay_cell(l, nt->cell.table, nt->cell.other,
		                 nt->cell.measure);
		size_t at;
		if (ti < 0 || i < 0)
			return ls_errf(e, LS_EINVAL, "note outside the domain");
		at = gidx(G, (size_t)ti, (size_t)i);
		if (nt->cell.measure == LS_MEASURE_PERSONS &&
		    nt->cell.table != G_REC) {
			G->rawy[at] = nt->raw;
			continue;
		}
		G->rawx[at] = nt->raw;
		G->widened[at] = nt->widened;
		switch (nt->reason) {
		case DISCLOSURE_PRIMARY:
			G->state[at] = ST_PRIMARY;
			break;
		case DISCLOSURE_ZERO_HIDDEN:
			G->state[at] = ST_ZERO;
			break;
		case DISCLOSURE_COMPLEMENTARY:
			G->state[at] = ST_COMPL;
			break;
		default:
			G->state[at] = ST_EXACT;
		}
		G->protects[at] =
		    nt->has_protects
		        ? lay_cell(l, nt->protects.table, nt->protects.other,
		                   nt->protects.measure)
		        : -1;
	}
	return LS_OK;
}

static const uint8_t reason_of[4] = {
    [ST_EXACT] = DISCLOSURE_RELEASED,
    [ST_PRIMARY] = DISCLOSURE_PRIMARY,
    [ST_ZERO] = DISCLOSURE_ZERO_HIDDEN,
    [ST_COMPL] = DISCLOSURE_COMPLEMENTARY,
};

static void note_of(const struct gate *G, size_t ti, size_t i, int measure,
                    const struct ls_cell *rel, struct disclosure_note *nt)
{
	size_t at = gidx(G, ti, i);
	int persons = measure == LS_MEASURE_PERSONS && G->l->grp[i] != G_REC;
	memset(nt, 0, sizeof *nt);
	ref_of(G->l, ti, i, measure, &nt->cell);
	nt->raw = persons ? G->rawy[at] : G->rawx[at];
	nt->released = *rel;
	nt->reason = reason_of[G->state[at]];
	nt->widened = G->widened[at];
	if (G->state[at] != ST_EXACT && G->protects[at] >= 0) {
		nt->has_protects = 1;
		ref_of(G->l, ti, (size_t)G->protects[at], LS_MEASURE_SIGNALS,
		       &nt->protects);
	}
	nt->feasible_lo = persons ? G->fper[at].lo : G->fsig[at].lo;
	nt->feasible_hi = persons ? G->fper[at].hi : G->fsig[at].hi;
}

/* Write the new grids (all themes: nw[ti * nc + i]) into *out and the
 * notes into *r. */
static int gate_write(struct gate *G, const struct tcell *nw,
                      struct ls_summary *out, struct disclosure_report *r)
{
	const struct lay *l = G->l;
	size_t nc = l->ncells, nt = l->n[0], rec = l->first[G_REC];
	size_t counts[LS_TABLE_COUNT_] = {0}, nrec = 0, nnotes = 0, k = 0;
	struct ls_summary s;
	struct disclosure_note *notes;

	ls_summary_init(&s);
	for (size_t ti = 0; ti < nt; ti++) {
		if (!nw[ti * nc].present)
			continue;
		nrec++;
		for (size_t i = 0; i < rec; i++)
			counts[l->grp[i]] += nw[ti * nc + i].present;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		s.tables[t].rows =
		    ls_calloc(counts[t] + 1, sizeof *s.tables[t].rows);
		if (s.tables[t].rows == NULL)
			goto nomem;
		nnotes += 2 * counts[t];
	}
	s.recurrence = ls_calloc(nrec + 1, sizeof *s.recurrence);
	notes = ls_calloc(nnotes + 2 * nrec + 1, sizeof *notes);
	if (s.recurrence == NULL || notes == NULL) {
		ls_free(notes);
		goto nomem;
	}
	/* Rows in (theme, other) order, notes in (table, theme, other,
	 * measure) order. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t ti = 0; ti < nt; ti++)
			for (size_t i = l->first[t]; i < l->first[t + 1]; i++) {
				const struct tcell *c = &nw[ti * nc + i];
				struct ls_summary_row *row;
				if (!c->present || !nw[ti * nc].present)
					continue;
				row = &s.tables[t].rows[s.tables[t].n_rows++];
				snprintf(row->theme, sizeof row->theme, "%s",
				         l->code[0][ti]);
				if (t != LS_TABLE_THEME)
					snprintf(row->other, sizeof row->other,
					         "%s",
					         l->code[t][i - l->first[t]]);
				row->signals = c->sig;
				row->persons = c->per;
				note_of(G, ti, i, LS_MEASURE_SIGNALS, &c->sig,
				        &notes[k++]);
				note_of(G, ti, i, LS_MEASURE_PERSONS, &c->per,
				        &notes[k++]);
			}
	for (size_t ti = 0; ti < nt; ti++) {
		const struct tcell *c = &nw[ti * nc + rec];
		struct ls_recurrence_row *row;
		if (!nw[ti * nc].present)
			continue;
		row = &s.recurrence[s.n_recurrence++];
		snprintf(row->theme, sizeof row->theme, "%s", l->code[0][ti]);
		row->organisations = c[0].sig;
		row->reporters = c[1].sig;
		note_of(G, ti, rec, 0, &c[0].sig, &notes[k++]);
		note_of(G, ti, rec + 1, 0, &c[1].sig, &notes[k++]);
	}
	/* Header fields stay; only the tables are replaced. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		ls_free(out->tables[t].rows);
		out->tables[t] = s.tables[t];
	}
	ls_free(out->recurrence);
	out->recurrence = s.recurrence;
	out->n_recurrence = s.n_recurrence;
	ls_free(r->notes);
	r->notes = notes;
	r->n_notes = k;
	memset(r->by_reason, 0, sizeof r->by_reason);
	for (size_t i = 0; i < k; i++)
		r->by_reason[notes[i].reason]++;
	return LS_OK;
nomem:
	ls_summary_fini(&s);
	return LS_ENOMEM;
}

/* The gate's per-cell arrays for tot cells (theme x cell); LS_ENOMEM
 * leaves the ones made for gate_free. */
static int gate_alloc(struct gate *G, size_t tot)
{
	G->state = ls_calloc(tot, 1);
	G->widened = ls_calloc(tot, 1);
	G->protects = ls_calloc(tot, sizeof *G->protects);
	G->rawx = ls_calloc(tot, sizeof *G->rawx);
	G->rawy = ls_calloc(tot, sizeof *G->rawy);
	G->fsig = ls_calloc(tot, sizeof *G->fsig);
	G->fper = ls_calloc(tot, sizeof *G->fper);
	G->proj = ls_calloc(tot, sizeof *G->proj);
	if (G->state == NULL || G->widened == NULL || G->protects == NULL ||
	    G->rawx == NULL || G->rawy == NULL || G->fsig == NULL ||
	    G->fper == NULL || G->proj == NULL)
		return LS_ENOMEM;
	for (size_t i = 0; i < tot; i++)
		G->protects[i] = -1;
	return LS_OK;
}

static void gate_free(struct gate *G)
{
	ls_free(G->state);
	ls_free(G->widened);
	ls_free(G->protects);
	ls_free(G->rawx);
	ls_free(G->rawy);
	ls_free(G->fsig);
	ls_free(G->fper);
	ls_free(G->proj);
}

/* Gate every theme that any version has: its grids of all versions into
 * g (scratch, n_docs x cells), the new version's result into nw (theme
 * x cells). */
static int gate_themes(struct gate *G, const struct ls_summary *const *docs,
                       struct tcell *g, struct tcell *nw, struct ls_errinfo *e)
{
	size_t nc = G->l->ncells, n = G->n_docs;
	int rc = LS_OK;
	for (size_t ti = 0; ti < G->l->n[0] && rc == LS_OK; ti++) {
		int anywhere = 0;
		for (size_t d = 0; d < n && rc == LS_OK; d++) {
			rc = grid_load(G->l, docs[d], ti, &g[d * nc], e);
			anywhere |= g[d * nc].present;
		}
		if (rc == LS_OK && anywhere) {
			G->st->themes++;
			rc = gate_theme(G, ti, g, e);
		}
		if (rc == LS_OK)
			memcpy(&nw[ti * nc], &g[(n - 1) * nc], nc * sizeof *nw);
	}
	return rc;
}

int ls_attack_gate(const struct ls_domain *domain,
                   const struct ls_summary *const *history, size_t n_history,
                   uint32_t max_targets, struct ls_summary *released,
                   struct disclosure_report *report,
                   struct attack_gate_stats *stats, struct ls_errinfo *e)
{
	struct attack_gate_stats local;
	const struct ls_summary *docs[ATTACK_MAX_DOCS];
	struct lay l;
	struct gate G;
	struct tcell *g = NULL, *nw = NULL;
	size_t n = n_history + 1, nc, tot;
	int rc;

	memset(&G, 0, sizeof G);
	memset(&local, 0, sizeof local);
	G.st = stats != NULL ? stats : &local;
	memset(G.st, 0, sizeof *G.st);
	if ((rc = lay_build(domain, &l, e)) != LS_OK)
		return rc;
	if (n > ATTACK_MAX_DOCS)
		return ls_errf(e, LS_ELIMIT,
		               "deze periode heeft al %zu versies; meer dan %d "
		               "kan de vrijgavecontrole niet samen doorrekenen",
		               n_history, ATTACK_MAX_DOCS);
	for (size_t d = 0; d < n_history; d++)
		docs[d] = history[d];
	docs[n_history] = released;
	if ((rc = docs_check(&l, docs, n, e)) != LS_OK)
		return rc;

	nc = l.ncells;
	tot = l.n[0] * nc;
	G.l = &l;
	G.n_docs = n;
	G.k = released->params.k;
	G.cap = released->params.persons_cap;
	G.mt = max_targets;
	rc = gate_alloc(&G, tot);
	g = ls_calloc(n * nc, sizeof *g);
	nw = ls_calloc(tot, sizeof *nw);
	if (rc != LS_OK || g == NULL || nw == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}

	if ((rc = gate_from_notes(&G, report, e)) != LS_OK)
		goto out;
	if ((rc = gate_themes(&G, docs, g, nw, e)) != LS_OK)
		goto out;
	if ((rc = gate_write(&G, nw, released, report)) != LS_OK)
		goto out;
	report->actions += G.st->steps;
out:
	gate_free(&G);
	ls_free(g);
	ls_free(nw);
	return rc;
}
