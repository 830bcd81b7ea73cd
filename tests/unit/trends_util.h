/*
 * Helpers for the trends tests and benchmark: build released summaries
 * row by row (threshold or noise mode), and compare two finished trends
 * item by item. Header-only (static inline); helpers abort on misuse.
 */
#ifndef LS_TESTS_UNIT_TRENDS_UTIL_H
#define LS_TESTS_UNIT_TRENDS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/summary.h"
#include "core/trends.h"

static inline void tu_die(const char *what)
{
	fprintf(stderr, "trends_util: %s\n", what);
	abort();
}

static inline void tu_summary(struct ls_summary *s, const char *origin,
                              int year, int month, uint8_t mode)
{
	ls_summary_init(s);
	snprintf(s->origin, sizeof s->origin, "%s", origin);
	s->period.year = year;
	s->period.month = month;
	s->period.months = 1;
	s->params.mode = mode;
	s->params.k = 5;
	s->params.epsilon_milli = 1000;
	s->params.withhold_below = 5;
	s->params.persons_cap = 10;
}

static inline struct ls_cell tu_exact(int64_t v)
{
	struct ls_cell c = {LS_CELL_EXACT, v, v, v};
	return c;
}

static inline struct ls_cell tu_range(int64_t lo, int64_t hi)
{
	struct ls_cell c = {LS_CELL_RANGE, 0, lo, hi};
	return c;
}

static inline struct ls_cell tu_noisy(int64_t v, int64_t h)
{
	struct ls_cell c = {LS_CELL_NOISY, v, v - h < 0 ? 0 : v - h, v + h};
	return c;
}

static inline struct ls_cell tu_withheld(int64_t hi)
{
	struct ls_cell c = {LS_CELL_WITHHELD, 0, 0, hi};
	return c;
}

/* A threshold cell for a count under k = 5: 1..4 as [1, 4], else exact. */
static inline struct ls_cell tu_k5(int64_t v)
{
	return v >= 1 && v <= 4 ? tu_range(1, 4) : tu_exact(v);
}

/* Append a row (tables are sorted by tu_finish). */
static inline void tu_row(struct ls_summary *s, int table, const char *theme,
                          const char *other, struct ls_cell signals,
                          struct ls_cell persons)
{
	struct ls_summary_table *t = &s->tables[table];
	struct ls_summary_row *r;
	t->rows = ls_realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
	if (t->rows == NULL)
		tu_die("alloc");
	r = &t->rows[t->n_rows++];
	memset(r, 0, sizeof *r);
	snprintf(r->theme, sizeof r->theme, "%s", theme);
	snprintf(r->other, sizeof r->other, "%s", other);
	r->signals = signals;
	r->persons = persons;
}

static inline void tu_rec(struct ls_summary *s, const char *theme,
                          struct ls_cell orgs, struct ls_cell reporters)
{
	struct ls_recurrence_row *r;
	s->recurrence =
	    ls_realloc(s->recurrence, (s->n_recurrence + 1) * sizeof *r);
	if (s->recurrence == NULL)
		tu_die("alloc");
	r = &s->recurrence[s->n_recurrence++];
	memset(r, 0, sizeof *r);
	snprintf(r->theme, sizeof r->theme, "%s", theme);
	r->organisations = orgs;
	r->reporters = reporters;
}

static inline int tu_row_cmp(const void *a, const void *b)
{
	const struct ls_summary_row *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	return c != 0 ? c : strcmp(x->other, y->other);
}

static inline int tu_rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ls_recurrence_row *)a)->theme,
	              ((const struct ls_recurrence_row *)b)->theme);
}

static inline void tu_finish(struct ls_summary *s)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		if (s->tables[t].n_rows > 1)
			qsort(s->tables[t].rows, s->tables[t].n_rows,
			      sizeof *s->tables[t].rows, tu_row_cmp);
	if (s->n_recurrence > 1)
		qsort(s->recurrence, s->n_recurrence, sizeof *s->recurrence,
		      tu_rec_cmp);
}

/*
 * A threshold summary (k = 5) where theme `theme` has `n` signals, all in
 * age band `age`, sector `sector`, no problem type, no target group; each
 * with one person. Tables are consistent, small counts are ranges.
 */
static inline void tu_theme(struct ls_summary *s, const char *theme, int64_t n,
                            const char *age, const char *sector)
{
	if (n <= 0)
		return;
	tu_row(s, LS_TABLE_THEME, theme, "", tu_k5(n), tu_k5(n));
	tu_row(s, LS_TABLE_THEME_AGE, theme, age, tu_k5(n), tu_k5(n));
	tu_row(s, LS_TABLE_THEME_SECTOR, theme, sector, tu_k5(n), tu_k5(n));
	tu_row(s, LS_TABLE_THEME_PROBLEM, theme, "geen", tu_k5(n), tu_k5(n));
	tu_rec(s, theme, tu_k5(1), tu_k5(n / 2));
}

static inline struct trends_docref tu_ref(const char *origin, uint64_t seq)
{
	struct trends_docref r;
	memset(&r, 0, sizeof r);
	snprintf(r.origin, sizeof r.origin, "%s", origin);
	r.seq = seq;
	for (int i = 0; i < 32; i++)
		r.hash[i] = (uint8_t)(seq * 31 + (uint64_t)i + origin[0]);
	return r;
}

/* Every result of two finished trends is the same; returns the first
 * difference as text, or NULL. */
static inline const char *tu_trends_diff(const struct trends *a,
                                         const struct trends *b)
{
	static char why[256];
	uint8_t da[32], db[32];
	if (ls_trends_n_items(a) != ls_trends_n_items(b))
		return "item count";
	if (ls_trends_n_origins(a) != ls_trends_n_origins(b))
		return "origin count";
	ls_trends_sources_digest(a, da);
	ls_trends_sources_digest(b, db);
	if (memcmp(da, db, 32) != 0)
		return "sources digest";
	for (size_t i = 0; i < ls_trends_n_items(a); i++) {
		const struct trends_item *x = ls_trends_item_at(a, i);
		const struct trends_item *y = ls_trends_item_at(b, i);
		/* scalar fields up to the strings, then the numeric block */
		if (x->n_origins != y->n_origins ||
		    x->n_report_lo != y->n_report_lo ||
		    x->n_report_hi != y->n_report_hi ||
		    x->n_complete != y->n_complete ||
		    x->n_rising != y->n_rising || x->run != y->run ||
		    x->sectors_lo != y->sectors_lo ||
		    memcmp(&x->signals, &y->signals, sizeof x->signals) != 0 ||
		    memcmp(&x->persons, &y->persons, sizeof x->persons) != 0 ||
		    memcmp(&x->signals_ranges, &y->signals_ranges,
		           sizeof x->signals_ranges) != 0 ||
		    x->fed_periods != y->fed_periods ||
		    x->fed_included_min != y->fed_included_min ||
		    x->fed_included_max != y->fed_included_max ||
		    x->growth_federation != y->growth_federation ||
		    x->has_growth != y->has_growth ||
		    memcmp(&x->slope, &y->slope, sizeof x->slope) != 0 ||
		    x->robust_growth_lo != y->robust_growth_lo ||
		    x->rising_since != y->rising_since ||
		    memcmp(x->component, y->component, sizeof x->component) !=
		        0 ||
		    x->score != y->score || x->rank != y->rank ||
		    strcmp(x->explanation, y->explanation) != 0) {
			snprintf(why, sizeof why, "item %zu (%s %s)", i,
			         x->theme_code, x->other_code);
			return why;
		}
	}
	for (size_t slot = 0; slot < ls_trends_n_periods(a); slot++)
		if (ls_trends_federation_at(a, slot) !=
		    ls_trends_federation_at(b, slot))
			return "federation periods";
	for (size_t slot = 0; slot < ls_trends_n_periods(a); slot++)
		for (size_t th = 0; th < ls_trends_n_codes(a, LS_TABLE_THEME);
		     th++)
			for (int t = 0; t < LS_TABLE_COUNT_; t++)
				for (size_t o = 0;
				     o < (t == 0 ? 1 : ls_trends_n_codes(a, t));
				     o++) {
					struct trends_value va, vb;
					ls_trends_cell(a, t, th, o, 1, slot,
					               &va);
					ls_trends_cell(b, t, th, o, 1, slot,
					               &vb);
					if (memcmp(&va, &vb, sizeof va) != 0)
						return "cube";
				}
	return NULL;
}

#endif
