/*
 * Trends: finishing and explanation (see core/trends_internal.h for the
 * module's files): per item growth, spread, scale and recurrence, the
 * components, the score, the ranking and one Dutch sentence per item.
 */
#include "core/trends_internal.h"
#include "common/alloc.h"
#include "core/noise.h"
#include "core/period.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- finishing ------------------------------------------------------- */

/* The box a point of a slope lives in: certain bounds with the noisy
 * part as its (unbiased) value; its noise variance goes separately. */
static void value_box(const struct trends_value *v, double *lo, double *hi,
                      double *var)
{
	*lo = (double)(v->lo + v->noisy);
	*hi = (double)(v->hi + v->noisy);
	*var = ls_trends_value_var(v);
}

void ls_trends_set_names(struct trends *t, trends_name_fn fn, void *ctx)
{
	t->names = fn;
	t->names_ctx = ctx;
}

void ls_trends_ocell_value(const struct trends *t, const struct origin *o,
                           size_t item, size_t slot, struct trends_value *v)
{
	const struct ocell *c = &o->cells[item * t->n_slots + slot];
	int level = key_level(t, item);
	memset(v, 0, sizeof *v);
	if (!o->has[slot])
		return;
	v->lo = c->lo;
	v->hi = c->hi;
	v->noisy = c->noisy;
	switch (c->kind) {
	case 0:
	case LS_CELL_EXACT + 1:
		v->n_exact = c->kind != 0;
		break;
	case LS_CELL_RANGE + 1:
		v->n_range = 1;
		break;
	case LS_CELL_NOISY + 1:
		v->n_noisy = 1;
		v->var_q8 = o->var_q8[slot * 3 + (size_t)level];
		break;
	case LS_CELL_WITHHELD + 1:
		v->n_withheld = 1;
		break;
	}
}

static int cmp_params(const void *a, const void *b)
{
	const struct ls_disclosure_params *x =
	    &((const struct param_count *)a)->p;
	const struct ls_disclosure_params *y =
	    &((const struct param_count *)b)->p;
	uint32_t xa[5] = {x->mode, x->k, x->epsilon_milli, x->withhold_below,
	                  x->persons_cap};
	uint32_t ya[5] = {y->mode, y->k, y->epsilon_milli, y->withhold_below,
	                  y->persons_cap};
	for (int i = 0; i < 5; i++)
		if (xa[i] != ya[i])
			return xa[i] < ya[i] ? -1 : 1;
	return 0;
}

static int cmp_source(const void *a, const void *b)
{
	const struct trends_docref *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);
	if (c != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void digest_sources(struct trends *t)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, LS_HASH_BYTES);
	for (size_t i = 0; i < t->n_sources; i++) {
		const struct trends_docref *r = &t->sources[i];
		uint8_t seq[8];
		for (int b = 0; b < 8; b++)
			seq[b] = (uint8_t)(r->seq >> (56 - 8 * b));
		crypto_generichash_update(&st, (const uint8_t *)r->origin,
		                          strlen(r->origin) + 1);
		crypto_generichash_update(&st, seq, sizeof seq);
		crypto_generichash_update(&st, r->hash, LS_HASH_BYTES);
	}
	crypto_generichash_final(&st, t->digest, LS_HASH_BYTES);
}

/* Scratch arrays for one item's series. */
struct series {
	size_t n;                      /* growth window length */
	struct trends_value *complete; /* n */
	struct trends_value *rest;     /* n */
	double *lo, *hi, *var, *mid;   /* n */
};

static void series_points(const struct trends_value *v, size_t n,
                          struct series *s)
{
	for (size_t i = 0; i < n; i++) {
		value_box(&v[i], &s->lo[i], &s->hi[i], &s->var[i]);
		s->mid[i] = (s->lo[i] + s->hi[i]) / 2.0;
	}
}

/* Reporting of a window total: 2 certainly, 1 possibly, 0 not. */
static uint8_t reporting(const struct trends_value *v)
{
	int64_t lo, hi;
	ls_trends_value_interval(v, &lo, &hi);
	return lo >= 1 ? 2 : hi >= 1 ? 1 : 0;
}

/* The change of the fitted line over the window, relative to where it
 * starts: (end - start) / start, with the line's ends read as counts
 * (never below zero; a start below one signal counts as one). So a fall
 * is never more than -100%, and "+40%" means what a reader expects: the
 * end 1.4 times the start. The score's growth part stays relative to the
 * level (robust_growth_lo), which a start near zero cannot blow up. */
static double growth_change(double slope, double level, size_t n)
{
	double half = slope * (double)(n - 1) / 2.0;
	double start = level - half, end = level + half;
	if (start < 1.0)
		start = 1.0;
	if (end < 0.0)
		end = 0.0;
	return (end - start) / start;
}

/* Every period of the growth window has a federation summary. */
static int growth_on_federation(const struct trends *t)
{
	for (size_t slot = t->growth_first; slot < t->n_slots; slot++)
		if (t->fed_included[slot] == 0)
			return 0;
	return t->n_slots > t->growth_first;
}

/* a minus one municipality's value b, where a is a federation total that
 * b is part of but was not added to: the certain bounds flip (a range
 * [lo, hi] taken away leaves [-hi, -lo]), noisy values subtract and their
 * (independent) noise variances add. */
static void value_remove(struct trends_value *a, const struct trends_value *b)
{
	int64_t lo = a->lo - b->hi, hi = a->hi - b->lo;
	a->lo = lo;
	a->hi = hi;
	a->noisy -= b->noisy;
	a->var_q8 += b->var_q8;
}

static void item_growth(struct trends *t, struct trends_item *it,
                        struct series *s)
{
	size_t n = s->n, g0 = t->growth_first;
	double best = INFINITY;
	int fed = growth_on_federation(t);

	memset(s->complete, 0, n * sizeof *s->complete);
	it->n_complete = 0;
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct ls_trends_slope sl;
		if (!o->complete)
			continue;
		it->n_complete++;
		for (size_t i = 0; i < n; i++) {
			struct trends_value v;
			ls_trends_ocell_value(t, o, it->index, g0 + i, &v);
			ls_trends_value_add(&s->complete[i], &v);
			s->rest[i] = v;
		}
		series_points(s->rest, n, s);
		if (n >= TRENDS_MIN_GROWTH_PERIODS &&
		    ls_trends_slope(s->lo, s->hi, s->var, n, &sl) == LS_OK) {
			o->direction[it->index] = (int8_t)sl.direction;
			it->n_rising += sl.direction > 0;
			it->n_falling += sl.direction < 0;
		}
	}
	it->robust_origin = -1;
	if (n < TRENDS_MIN_GROWTH_PERIODS || (it->n_complete == 0 && !fed))
		return;
	if (fed) {
		/* The federation totals are the series: the sum of the
		 * complete municipalities' cells is kept aside in rest. */
		for (size_t i = 0; i < n; i++)
			s->complete[i] =
			    *series_at(t, g0 + i, item_key(t, it), 0);
		it->growth_federation = 1;
	}
	series_points(s->complete, n, s);
	if (ls_trends_slope(s->lo, s->hi, s->var, n, &it->slope) != LS_OK)
		return;
	it->has_growth = 1;
	it->growth_lo = growth_change(it->slope.lo, it->slope.level, n);
	it->growth_mid = growth_change(it->slope.mid, it->slope.level, n);
	it->growth_hi = growth_change(it->slope.hi, it->slope.level, n);
	it->level_growth_mid =
	    it->slope.mid * (double)(n - 1) / it->slope.level;
	if (it->slope.direction > 0)
		it->rising_since = ls_trends_rising_since(s->mid, n);
	it->robust_growth_lo = it->slope.lo * (double)(n - 1) / it->slope.level;
	if (it->n_complete < 2)
		return;
	/* Leave each complete municipality out in turn: growth that one
	 * municipality carries alone is not a shared trend. The federation's
	 * lower bound already says the growth is real; without one
	 * municipality the rest is smaller and less certain, so its central
	 * estimate (not its lower bound) is what must stay up, measured
	 * against the level of all municipalities: the part of the growth
	 * that does not come from that one. */
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct ls_trends_slope sl;
		double g;
		if (!o->complete)
			continue;
		for (size_t i = 0; i < n; i++) {
			struct trends_value v;
			ls_trends_ocell_value(t, o, it->index, g0 + i, &v);
			s->rest[i] = s->complete[i];
			if (fed)
				value_remove(&s->rest[i], &v);
			else
				ls_trends_value_sub(&s->rest[i], &v);
		}
		series_points(s->rest, n, s);
		if (ls_trends_slope(s->lo, s->hi, s->var, n, &sl) != LS_OK)
			continue;
		/* the growth that remains, against the level of all */
		g = sl.mid * (double)(n - 1) / it->slope.level;
		if (g < best) {
			best = g;
			it->robust_origin = (int)oi;
		}
	}
	if (best < it->robust_growth_lo)
		it->robust_growth_lo = best;
}

static void item_spread(struct trends *t, struct trends_item *it)
{
	it->n_origins = (uint32_t)t->n_origins;
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct trends_value total, v;
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++) {
			ls_trends_ocell_value(t, o, it->index, slot, &v);
			ls_trends_value_add(&total, &v);
		}
		o->reported[it->index] = reporting(&total);
		it->n_report_lo += o->reported[it->index] == 2;
		it->n_report_hi += o->reported[it->index] >= 1;
	}
}

static void item_scale_recurrence(struct trends *t, struct trends_item *it)
{
	size_t key = item_key(t, it), last = t->n_slots - 1;
	int counting = 1, counting_hi = 1;
	it->n_periods = (uint32_t)t->n_slots;
	for (size_t i = 0; i < t->n_slots; i++) {
		size_t slot = last - i;
		const struct trends_value *v = series_at(t, slot, key, 0);
		uint32_t inc = t->fed_included[slot];
		int64_t lo, hi;
		ls_trends_value_interval(v, &lo, &hi);
		if (counting && lo >= 1)
			it->run++;
		else
			counting = 0;
		if (counting_hi && hi >= 1)
			it->run_hi++;
		else
			counting_hi = 0;
		it->periods_reported += lo >= 1;
		ls_trends_value_add(&it->signals, v);
		ls_trends_value_add(&it->persons, series_at(t, slot, key, 1));
		ls_trends_value_add(&it->signals_ranges,
		                    cube_at(t, slot, key, 0));
		ls_trends_value_add(&it->persons_ranges,
		                    cube_at(t, slot, key, 1));
		if (inc != 0) {
			if (it->fed_periods == 0 || inc < it->fed_included_min)
				it->fed_included_min = inc;
			if (inc > it->fed_included_max)
				it->fed_included_max = inc;
			it->fed_periods++;
		}
	}
	it->last_signals = *series_at(t, last, key, 0);
}

/* Sectors and organisations are known per theme; items of a theme's
 * breakdowns take their theme's. */
static void theme_breadth(struct trends *t, struct trends_item *it)
{
	size_t nsec = t->n_codes[LS_TABLE_THEME_SECTOR];
	size_t nth = t->n_codes[LS_TABLE_THEME];
	it->n_sectors = (uint32_t)nsec;
	for (size_t j = 0; j < nsec; j++) {
		struct trends_value total;
		size_t key = row_key(t, LS_TABLE_THEME_SECTOR, it->theme, j);
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++)
			ls_trends_value_add(&total, series_at(t, slot, key, 0));
		switch (reporting(&total)) {
		case 2:
			it->sectors_lo++;
			it->sectors_hi++;
			break;
		case 1:
			it->sectors_hi++;
			break;
		}
	}
	for (size_t slot = 0; slot < t->n_slots; slot++) {
		int64_t lo, hi;
		ls_trends_value_interval(&t->rec[(slot * nth + it->theme) * 2],
		                         &lo, &hi);
		if (lo > it->organisations_lo)
			it->organisations_lo = lo;
	}
}

static double youth_share(struct trends *t, const struct trends_item *it)
{
	double youth = 0, all = ls_trends_value_mid(&it->signals);
	if (it->level == TRENDS_LEVEL_AGE)
		return it->other == t->youth[0] || it->other == t->youth[1];
	if (it->level != TRENDS_LEVEL_THEME || !(all > 0))
		return 0;
	for (int y = 0; y < 2; y++) {
		struct trends_value total;
		size_t key;
		if (t->youth[y] == SIZE_MAX)
			continue;
		key = row_key(t, LS_TABLE_THEME_AGE, it->theme, t->youth[y]);
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++)
			ls_trends_value_add(&total, series_at(t, slot, key, 0));
		youth += ls_trends_value_mid(&total);
	}
	return youth / all > 1 ? 1 : youth / all;
}

static double clamp01(double x)
{
	return x > 1 ? 1 : x > 0 ? x : 0;
}

static int cmp_ranked(const void *a, const void *b)
{
	const struct trends_item *x = *(const struct trends_item *const *)a;
	const struct trends_item *y = *(const struct trends_item *const *)b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static void explain(const struct trends *t, struct trends_item *it);

static void item_codes(struct trends *t, struct trends_item *it, size_t i)
{
	it->index = (uint32_t)i;
	if (i < t->base[LS_TABLE_THEME_AGE]) {
		it->level = TRENDS_LEVEL_THEME;
		it->theme = i;
	} else if (i < t->base[LS_TABLE_THEME_TARGET]) {
		size_t r = i - t->base[LS_TABLE_THEME_AGE];
		size_t n = t->n_codes[LS_TABLE_THEME_AGE];
		it->level = TRENDS_LEVEL_AGE;
		it->theme = r / n;
		it->other = r % n;
	} else {
		size_t r = i - t->base[LS_TABLE_THEME_TARGET];
		size_t n = t->n_codes[LS_TABLE_THEME_TARGET];
		it->level = TRENDS_LEVEL_TARGET;
		it->theme = r / n;
		it->other = r % n;
	}
	it->theme_code = t->codes[LS_TABLE_THEME][it->theme];
	it->theme_label = t->labels[LS_TABLE_THEME][it->theme];
	if (it->level == TRENDS_LEVEL_THEME) {
		it->other_code = "";
		it->other_label = "";
	} else {
		int table = item_table[it->level];
		it->other_code = t->codes[table][it->other];
		it->other_label = t->labels[table][it->other];
	}
}

/* Item it's components, each 0..1, and its score: their weighted mean
 * (weights summing to wsum), rounded. max_scale: the largest log1p of
 * persons at each level. */
static void item_score(const struct trends *t, struct trends_item *it,
                       const double max_scale[TRENDS_LEVEL_COUNT_],
                       uint64_t wsum)
{
	double *c = it->component, sum = 0;
	c[TRENDS_C_SPREAD] =
	    it->n_origins ? (double)it->n_report_lo / it->n_origins : 0;
	c[TRENDS_C_RISING] =
	    it->n_complete ? (double)it->n_rising / it->n_complete : 0;
	c[TRENDS_C_GROWTH] =
	    it->has_growth ? clamp01(it->robust_growth_lo * 100.0 /
	                             t->opt.growth_full_pct)
	                   : 0;
	c[TRENDS_C_RECURRENCE] =
	    it->n_periods ? (double)it->run / it->n_periods : 0;
	c[TRENDS_C_BREADTH] =
	    it->n_sectors ? (double)it->sectors_lo / it->n_sectors : 0;
	c[TRENDS_C_SCALE] =
	    max_scale[it->level] > 0
	        ? clamp01(log1p(ls_trends_value_mid(&it->persons)) /
	                  max_scale[it->level])
	        : 0;
	c[TRENDS_C_YOUTH] = clamp01(it->youth_share);
	for (int k = 0; k < TRENDS_C_COUNT_; k++)
		sum += t->opt.weight[k] * c[k];
	/* Rounded to 0.01 so that scores compare equal across
	 * machines and orders of summation. */
	it->score = round(sum * 100.0 / (double)wsum * 100.0) / 100.0;
}

/* Leave the aggregation as it was before a failed ls_trends_finish. */
static void finish_undo(struct trends *t)
{
	ls_free(t->items);
	t->items = NULL;
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		ls_free(t->ranked[l]);
		t->ranked[l] = NULL;
		t->n_ranked[l] = 0;
	}
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		ls_free(t->origins[oi]->direction);
		ls_free(t->origins[oi]->reported);
		t->origins[oi]->direction = NULL;
		t->origins[oi]->reported = NULL;
	}
}

int ls_trends_finish(struct trends *t, struct ls_errinfo *e)
{
	struct series s;
	double max_scale[TRENDS_LEVEL_COUNT_] = {0};
	uint64_t wsum = 0;
	int rc = LS_OK;

	if (t->finished)
		return ls_errf(e, LS_ESTATE, "de trends zijn al berekend");
	memset(&s, 0, sizeof s);
	s.n = t->n_slots - t->growth_first;
	t->items = ls_calloc(t->n_items, sizeof *t->items);
	s.complete = ls_calloc(s.n, sizeof *s.complete);
	s.rest = ls_calloc(s.n, sizeof *s.rest);
	s.lo = ls_calloc(s.n * 4, sizeof *s.lo);
	if (t->items == NULL || s.complete == NULL || s.rest == NULL ||
	    s.lo == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	s.hi = s.lo + s.n;
	s.var = s.hi + s.n;
	s.mid = s.var + s.n;
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		t->ranked[l] = ls_calloc(t->n_items, sizeof *t->ranked[l]);
		if (t->ranked[l] == NULL) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto out;
		}
	}
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		o->direction = ls_calloc(t->n_items, 1);
		o->reported = ls_calloc(t->n_items, 1);
		if (o->direction == NULL || o->reported == NULL) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto out;
		}
		o->complete = 1;
		for (size_t slot = t->growth_first; slot < t->n_slots; slot++)
			o->complete &= o->has[slot];
	}
	if (t->n_sources > 1)
		qsort(t->sources, t->n_sources, sizeof *t->sources, cmp_source);
	if (t->n_params > 1)
		qsort(t->params, t->n_params, sizeof *t->params, cmp_params);
	digest_sources(t);

	for (size_t i = 0; i < t->n_items; i++) {
		struct trends_item *it = &t->items[i];
		item_codes(t, it, i);
		item_spread(t, it);
		item_growth(t, it, &s);
		item_scale_recurrence(t, it);
		it->youth_share = youth_share(t, it);
		if (it->level == TRENDS_LEVEL_THEME) {
			theme_breadth(t, it);
		} else {
			const struct trends_item *th = &t->items[it->theme];
			it->breadth_of_theme = 1;
			it->n_sectors = th->n_sectors;
			it->sectors_lo = th->sectors_lo;
			it->sectors_hi = th->sectors_hi;
			it->organisations_lo = th->organisations_lo;
		}
		{
			double p = log1p(ls_trends_value_mid(&it->persons));
			if (p > max_scale[it->level])
				max_scale[it->level] = p;
		}
	}
	for (int c = 0; c < TRENDS_C_COUNT_; c++)
		wsum += t->opt.weight[c];
	for (size_t i = 0; i < t->n_items; i++) {
		struct trends_item *it = &t->items[i];
		item_score(t, it, max_scale, wsum);
		t->ranked[it->level][t->n_ranked[it->level]++] = it;
	}
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		qsort(t->ranked[l], t->n_ranked[l], sizeof *t->ranked[l],
		      cmp_ranked);
		for (size_t r = 0; r < t->n_ranked[l]; r++)
			((struct trends_item *)t->ranked[l][r])->rank =
			    (uint32_t)r + 1;
	}
	for (size_t i = 0; i < t->n_items; i++)
		explain(t, &t->items[i]);
	t->finished = 1;
out:
	ls_free(s.complete);
	ls_free(s.rest);
	ls_free(s.lo);
	if (rc != LS_OK)
		finish_undo(t);
	return rc;
}

/* ---- explanation ------------------------------------------------------ */

void ls_trends_format_count(int64_t v, char *out, size_t size)
{
	char digits[32], tmp[48];
	size_t n, at = 0;
	int neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
	n = strlen(digits);
	if (neg)
		tmp[at++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			tmp[at++] = '.';
		tmp[at++] = digits[i];
	}
	tmp[at] = '\0';
	snprintf(out, size, "%s", tmp);
}

void ls_trends_format_value(const struct trends_value *v, char *out,
                            size_t size)
{
	char a[32], b[32], m[32];
	int64_t lo, hi;
	ls_trends_value_interval(v, &lo, &hi);
	ls_trends_format_count(lo, a, sizeof a);
	ls_trends_format_count(hi, b, sizeof b);
	if (v->n_noisy > 0) {
		ls_trends_format_count((int64_t)llround(ls_trends_value_mid(v)),
		                       m, sizeof m);
		snprintf(out, size, "\xe2\x89\x88%s (%s\xe2\x80\x93%s)", m, a,
		         b);
	} else if (lo == hi) {
		snprintf(out, size, "%s", a);
	} else {
		snprintf(out, size, "%s\xe2\x80\x93%s", a, b);
	}
}

void ls_trends_format_federation(const struct trends_value *v, uint32_t n_min,
                                 uint32_t n_max, uint32_t n_all, char *out,
                                 size_t size)
{
	char val[112], a[32], b[32], c[32];
	size_t used;
	if (v->n_noisy > 0) {
		int64_t lo, hi, x = v->noisy + v->lo;
		ls_trends_value_interval(v, &lo, &hi);
		if (x < lo)
			x = lo;
		if (x > hi)
			x = hi;
		ls_trends_format_count(x, a, sizeof a);
		ls_trends_format_count(lo, b, sizeof b);
		ls_trends_format_count(hi, c, sizeof c);
		snprintf(val, sizeof val, "%s (%s\xe2\x80\x93%s)", a, b, c);
	} else {
		ls_trends_format_value(v, val, sizeof val);
	}
	snprintf(out, size, "%s", val);
	used = strlen(out);
	if (n_max == 0 || used + 1 >= size)
		return;
	if (n_all < n_max)
		n_all = n_max;
	if (n_min == n_max)
		snprintf(out + used, size - used, ", %u van %u gemeenten",
		         n_max, n_all);
	else
		snprintf(out + used, size - used,
		         ", %u \xc3\xa0 %u van %u gemeenten", n_min, n_max,
		         n_all);
}

const char *ls_trends_period_word(int32_t months, uint64_t n)
{
	switch (months) {
	case 1:
		return n == 1 ? "maand" : "maanden";
	case 3:
		return n == 1 ? "kwartaal" : "kwartalen";
	case 12:
		return "jaar";
	default:
		return n == 1 ? "periode" : "periodes";
	}
}

/* Append to the explanation; the first letter of the whole is made upper
 * case at the end. */
static void add(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char *out, size_t size, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;
	if (used >= size - 1)
		return;
	if (used > 0)
		used += (size_t)snprintf(out + used, size - used, ", ");
	if (used >= size - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, size - used, fmt, ap);
	va_end(ap);
}

/* The scale part of an explanation: signals and persons over the window,
 * as federation totals (with how many municipalities are in them) where
 * periods have federation summaries, else as sums of ranges. */
static void explain_scale(const struct trends *t, const struct trends_item *it,
                          char *out, size_t size)
{
	char a[48], b[48];
	int32_t months = t->opt.first.months;
	if (it->fed_periods > 0) {
		/* federation totals: "41 (40–42)" is a value with its 90%
		 * interval, not a range of certain bounds */
		char who[96];
		const char *n_in;
		ls_trends_format_federation(&it->signals, 0, 0, 0, a, sizeof a);
		ls_trends_format_federation(&it->persons, 0, 0, 0, b, sizeof b);
		ls_trends_format_federation(
		    &it->signals, it->fed_included_min, it->fed_included_max,
		    (uint32_t)t->n_origins, who, sizeof who);
		n_in = strstr(who, ", ");
		n_in = n_in != NULL ? n_in + 2 : "";
		if (it->fed_periods == it->n_periods)
			add(out, size,
			    "%s signalen over %s personen in het "
			    "federatietotaal (%s)",
			    a, b, n_in);
		else
			add(out, size,
			    "%s signalen over %s personen; federatietotaal "
			    "in %u van de %u %s (%s), in de andere een som "
			    "van bereiken",
			    a, b, it->fed_periods, it->n_periods,
			    ls_trends_period_word(months, it->n_periods), n_in);
	} else {
		ls_trends_format_value(&it->signals, a, sizeof a);
		ls_trends_format_value(&it->persons, b, sizeof b);
		add(out, size, "%s signalen over %s personen", a, b);
	}
}

static void explain(const struct trends *t, struct trends_item *it)
{
	char *out = it->explanation;
	size_t size = sizeof it->explanation;
	int32_t months = t->opt.first.months;
	size_t n = t->n_slots - t->growth_first;

	out[0] = '\0';
	if (it->n_origins == 0) {
		add(out, size, "geen samenvattingen in deze periode");
		return;
	}
	if (it->n_report_lo == it->n_report_hi)
		add(out, size, "gemeld in %u van de %u gemeenten",
		    it->n_report_lo, it->n_origins);
	else
		add(out, size,
		    "gemeld in minstens %u en hoogstens %u van de %u "
		    "gemeenten",
		    it->n_report_lo, it->n_report_hi, it->n_origins);
	if (!it->has_growth) {
		add(out, size, "te weinig volledige reeksen voor een trend");
	} else if (it->slope.direction > 0) {
		double pct = it->growth_mid * 100.0;
		if (it->rising_since > 0)
			add(out, size,
			    "stijgend sinds %u %s (%+.0f%% over %zu "
			    "%s)",
			    it->rising_since,
			    ls_trends_period_word(months, it->rising_since),
			    pct, n, ls_trends_period_word(months, n));
		else
			add(out, size, "stijgend (%+.0f%% over %zu %s)", pct, n,
			    ls_trends_period_word(months, n));
		if (it->n_rising > 0)
			add(out, size, "stijgt in %u %s", it->n_rising,
			    it->n_rising == 1 ? "gemeente" : "gemeenten");
		/* most of the rise comes from one municipality */
		if (ls_trends_item_local_rise(it)) {
			const char *id = t->origins[it->robust_origin]->id;
			const char *name = t->names != NULL
			                       ? t->names(t->names_ctx, id)
			                       : NULL;
			add(out, size,
			    "maar de stijging komt vooral uit één gemeente "
			    "(%s)",
			    name != NULL ? name : id);
		}
	} else if (it->slope.direction < 0) {
		add(out, size, "dalend (%+.0f%% over %zu %s)",
		    it->growth_mid * 100.0, n,
		    ls_trends_period_word(months, n));
	} else if (fabs(it->growth_mid) >= 0.05) {
		/* the central line moves, but not certainly: say both, so
		 * the text agrees with a chart that visibly moves */
		add(out, size,
		    "geen zekere stijging of daling (%+.0f%% over %zu %s, "
		    "binnen de onzekerheid)",
		    it->growth_mid * 100.0, n,
		    ls_trends_period_word(months, n));
	} else {
		add(out, size, "geen duidelijke stijging of daling");
	}
	if (it->run >= 2)
		add(out, size, "%u %s op rij gemeld", it->run,
		    ls_trends_period_word(months, it->run));
	if (it->sectors_lo > 0 || it->sectors_hi > 0) {
		const char *who =
		    it->breadth_of_theme ? "het thema door " : "door ";
		if (it->sectors_lo == it->sectors_hi)
			add(out, size, "%s%u %s", who, it->sectors_lo,
			    it->sectors_lo == 1 ? "sector" : "sectoren");
		else
			add(out, size, "%s%u tot %u sectoren", who,
			    it->sectors_lo, it->sectors_hi);
	}
	explain_scale(t, it, out, size);
	if (it->level == TRENDS_LEVEL_THEME && it->youth_share >= 0.05)
		add(out, size,
		    "%.0f%% jongeren (12\xe2\x80\x93"
		    "24)",
		    it->youth_share * 100.0);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}
