/*
 * Disclosure control: the oracle (see core/disclosure_internal.h for the
 * module's files and core/disclosure.c for the method).
 */
#include "core/disclosure_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the oracle ------------------------------------------------------ */

/* A theme's total can only be a wide range when it was suppressed to
 * protect a row of small counts; a received summary that claims a wider
 * range is refused rather than searched. */
#define AUDIT_SPAN_MAX 100000

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

static void nz_prepare(const struct dom *d, const struct oracle_cell *c,
                       struct nzinfo *z)
{
	struct optcell opt[DISCLOSURE_MAX_CODES];
	size_t f = d->first[G_SECTOR], n = d->n[LS_TABLE_THEME_SECTOR];
	memset(z, 0, sizeof *z);
	for (size_t j = 0; j < n; j++) {
		const struct oracle_cell *s = &c[f + j];
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
static void nz_refine(const struct nzinfo *z, const struct oracle_cell *s,
                      size_t j, int64_t xr, int64_t omax, int64_t *xl,
                      int64_t *xh)
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

/* The rows whose cells add up to the theme total. */
static const int additive[3] = {G_AGE, G_SECTOR, G_PROBLEM};

/* What is released about one theme, with the sums the oracle needs: per
 * additive row, and the sector row seen from the organisations. */
struct oview {
	const struct dom *d;
	const struct oracle_cell *c;
	int64_t cap;
	struct addsum a[G_N];
	struct nzinfo z;
};

/* One candidate theme total x_T and what it implies: the theme's persons
 * range, the most organisations, the signals in suppressed sectors. */
struct ototal {
	int64_t xt, ylo, yhi, omax, xs;
};

static void view_init(struct oview *v, const struct dom *d,
                      const struct oracle_cell *c, int64_t cap)
{
	v->d = d;
	v->c = c;
	v->cap = cap;
	memset(v->a, 0, sizeof v->a);
	for (int k = 0; k < 3; k++) {
		int g = additive[k];
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			if (c[i].exact) {
				v->a[g].ex += c[i].lo;
				v->a[g].ey += c[i].y;
			} else {
				v->a[g].ls += c[i].lo;
				v->a[g].hs += c[i].hi;
			}
		}
	}
	nz_prepare(d, c, &v->z);
}

/* Exact cells get their value; suppressed ones start empty and widen with
 * every feasible total. */
static void ranges_init(const struct dom *d, const struct oracle_cell *c,
                        struct orange *out)
{
	for (size_t i = 0; i < d->ncells; i++) {
		if (c[i].exact) {
			out[i].xlo = out[i].xhi = c[i].lo;
			out[i].ylo = out[i].yhi = c[i].y;
		} else {
			out[i].xlo = out[i].ylo = INT64_MAX;
			out[i].xhi = out[i].yhi = INT64_MIN;
		}
	}
}

/* Can the total's, the additive rows' and the target groups' cells be
 * completed for x_T = t->xt? Sets the theme's persons range t->ylo..yhi
 * and says whether it is not empty. */
static int persons_fit(const struct oview *v, struct ototal *t)
{
	const struct oracle_cell *c = v->c, *tot = &c[0];
	const struct dom *d = v->d;
	int64_t xt = t->xt, cap = v->cap, ylo = xt, yhi = cap * xt;

	if (tot->exact) {
		ylo = max64(ylo, tot->y);
		yhi = min64(yhi, tot->y);
	} else {
		ylo = max64(ylo, tot->lo);
		yhi = min64(yhi, cap * tot->hi);
	}
	for (int k = 0; k < 3; k++) {
		const struct addsum *s = &v->a[additive[k]];
		int64_t xr = xt - s->ex;
		if (xr < s->ls || xr > s->hs)
			return 0;
		ylo = max64(ylo, s->ey + xr);
		yhi = min64(yhi, s->ey + cap * xr);
	}
	for (size_t i = d->first[G_TARGET]; i < d->first[G_TARGET + 1]; i++) {
		/* A target group is a subset of the theme's signals, and so
		 * is its complement. */
		if (c[i].lo > xt)
			return 0;
		if (c[i].exact) {
			ylo = max64(ylo, c[i].y + xt - c[i].lo);
			yhi = min64(yhi, c[i].y + cap * (xt - c[i].lo));
		}
	}
	t->ylo = ylo;
	t->yhi = yhi;
	return ylo <= yhi;
}

/* Organisations: o <= x_T, o >= non-zero sectors; reporters <= x_T. Sets
 * t->omax and t->xs and says whether they fit. */
static int recurrence_fit(const struct oview *v, struct ototal *t)
{
	const struct oracle_cell *org = &v->c[v->d->first[G_REC]],
	                         *rep = org + 1;
	const struct nzinfo *z = &v->z;
	int64_t xt = t->xt;

	if (org->exact) {
		t->omax = org->lo;
		if (t->omax > xt)
			return 0;
	} else {
		t->omax = min64(org->hi, xt);
		if (org->lo > t->omax)
			return 0;
	}
	if (rep->exact ? rep->lo > xt : rep->lo > min64(rep->hi, xt))
		return 0;
	t->xs = xt - v->a[G_SECTOR].ex;
	return t->omax - z->e_nz >= z->m &&
	       t->xs <= z->mh + nz_cap(z, t->omax - z->e_nz - z->m);
}

/* With x_T feasible: widen each suppressed cell of the additive rows by
 * what its row sum leaves it (the sectors also by how many of them can be
 * non-zero). */
static void widen_additive(const struct oview *v, const struct ototal *t,
                           struct orange *out)
{
	const struct dom *d = v->d;
	const struct oracle_cell *c = v->c;
	const struct nzinfo *z = &v->z;
	int64_t cap = v->cap;

	for (int k = 0; k < 3; k++) {
		int g = additive[k];
		const struct addsum *s = &v->a[g];
		int64_t xr = t->xt - s->ex;
		int64_t yrl = t->ylo - s->ey, yrh = t->yhi - s->ey;
		int bind = g == G_SECTOR &&
		           t->omax - z->e_nz < z->m + (int64_t)z->nopt;
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			int64_t xl, xh;
			if (c[i].exact)
				continue;
			xl = max64(c[i].lo, xr - (s->hs - c[i].hi));
			xh = min64(c[i].hi, xr - (s->ls - c[i].lo));
			if (bind)
				nz_refine(z, &c[i], i - d->first[g], xr,
				          t->omax, &xl, &xh);
			if (xl > xh)
				continue;
			widen(&out[i].xlo, &out[i].xhi, xl, xh);
			widen(&out[i].ylo, &out[i].yhi,
			      max64(xl, yrl - cap * (xr - xl)),
			      min64(cap * xh, yrh - (xr - xh)));
		}
	}
}

/* With x_T feasible: widen the total, the target groups and the
 * recurrence indicators, where suppressed. */
static void widen_others(const struct oview *v, const struct ototal *t,
                         struct orange *out)
{
	const struct dom *d = v->d;
	const struct oracle_cell *c = v->c, *tot = &c[0];
	const struct oracle_cell *org = &c[d->first[G_REC]], *rep = org + 1;
	int64_t xt = t->xt, cap = v->cap;

	if (!tot->exact) {
		widen(&out[0].xlo, &out[0].xhi, xt, xt);
		widen(&out[0].ylo, &out[0].yhi, t->ylo, t->yhi);
	}
	for (size_t i = d->first[G_TARGET]; i < d->first[G_TARGET + 1]; i++) {
		int64_t xl, xh;
		if (c[i].exact)
			continue;
		xl = c[i].lo;
		xh = min64(c[i].hi, xt);
		widen(&out[i].xlo, &out[i].xhi, xl, xh);
		widen(&out[i].ylo, &out[i].yhi,
		      max64(xl, t->ylo - cap * (xt - xl)),
		      min64(cap * xh, t->yhi - xt + xh));
	}
	if (!org->exact) {
		size_t i = d->first[G_REC];
		widen(&out[i].xlo, &out[i].xhi,
		      max64(org->lo, v->z.e_nz + nz_min(&v->z, t->xs)),
		      t->omax);
	}
	if (!rep->exact) {
		size_t i = d->first[G_REC] + 1;
		widen(&out[i].xlo, &out[i].xhi, rep->lo, min64(rep->hi, xt));
	}
}

/*
 * Exact feasible ranges of every cell of one theme from what is released
 * about it (c, laid out as d says). Exact cells get their value. Returns
 * LS_OK, LS_ECORRUPT if no theme total is consistent with the released
 * values, LS_ELIMIT if the total's range is too wide to search.
 *
 * Every candidate total x_T is tried: for a given x_T the tables
 * decouple, so x_T is feasible when each table can be completed, and
 * then each suppressed cell ranges over what its own table leaves it.
 */
int ls_disclosure_oracle(const struct dom *d, const struct oracle_cell *c,
                         int64_t cap, struct orange *out)
{
	const struct oracle_cell *tot = &c[0];
	int64_t tlo = tot->lo, thi = tot->exact ? tot->lo : tot->hi;
	struct oview v;
	int any = 0;

	view_init(&v, d, c, cap);
	ranges_init(d, c, out);
	if (thi - tlo > AUDIT_SPAN_MAX)
		return LS_ELIMIT;

	for (int64_t xt = tlo; xt <= thi; xt++) {
		struct ototal t = {xt, 0, 0, 0, 0};
		if (!persons_fit(&v, &t) || !recurrence_fit(&v, &t))
			continue;
		/* x_T is feasible: every table can be completed. */
		any = 1;
		widen_additive(&v, &t, out);
		widen_others(&v, &t, out);
	}
	if (!any)
		return LS_ECORRUPT;
	for (size_t i = d->first[G_REC]; i < d->ncells; i++)
		out[i].ylo = out[i].yhi = 0; /* no persons measure */
	return LS_OK;
}
