/*
 * Trends, internal: the state shared by the files of the trends module
 * (not part of its interface; include only from core/trends*.c).
 *
 *   core/trends.c       values, options, building (ls_trends_new,
 *                       ls_trends_add) and the accessors
 *   core/trends_fit.c   slopes: least-squares fit with interval bounds,
 *                       the start of a rise
 *   core/trends_rank.c  finishing: growth, spread, scale, recurrence,
 *                       components, score, ranking and the explanation
 *
 * Ownership: everything below belongs to its struct trends (ls_trends_free).
 */
#ifndef LS_CORE_TRENDS_INTERNAL_H
#define LS_CORE_TRENDS_INTERNAL_H

#include "core/trends.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_CODES 64

/* The item tables, in item order. */
static const int item_table[TRENDS_LEVEL_COUNT_] = {
    LS_TABLE_THEME, LS_TABLE_THEME_AGE, LS_TABLE_THEME_TARGET};

/* One origin's signals cell of an item in one period. kind is 0 for
 * "no row" (an exact 0), else the cell kind + 1. */
struct ocell {
	int32_t lo, hi, noisy;
	uint8_t kind;
};

struct origin {
	char id[LS_NODE_ID_SIZE];
	uint8_t *has;        /* per slot */
	struct ocell *cells; /* [item * n_slots + slot] */
	int64_t *var_q8;     /* [slot * 3 + level]: noise variance of one
	                        signals cell of that item table */
	int complete;        /* every slot of the growth window */
	int8_t *direction;   /* per item, after finish */
	uint8_t *reported;   /* per item, after finish */
};

struct param_count {
	struct ls_disclosure_params p;
	size_t count;
};

struct trends {
	struct trends_options opt;
	int finished;
	size_t n_slots;
	size_t growth_first; /* first slot of the growth window */

	/* the domain: codes per table dimension, sorted, with labels */
	size_t n_codes[LS_TABLE_COUNT_];
	char codes[LS_TABLE_COUNT_][MAX_CODES][LS_CODE_SIZE];
	char *labels[LS_TABLE_COUNT_][MAX_CODES];
	size_t youth[2]; /* age indices of the youth bands; SIZE_MAX: none */

	/* row keys */
	size_t base[LS_TABLE_COUNT_];
	size_t n_keys, n_items;

	struct trends_value *cube; /* [(slot * n_keys + key) * 2 + measure] */
	struct trends_value *rec;  /* [(slot * n_themes + theme) * 2 + m] */
	uint32_t *coverage;        /* per slot */
	/* federation summaries: per slot the municipalities in it (0: none)
	 * and their totals, laid out like cube (allocated with the first) */
	uint32_t *fed_included;
	struct trends_value *fcube;
	size_t n_fed;

	size_t n_origins, cap_origins;
	struct origin **origins; /* sorted by id */

	size_t n_sources, cap_sources;
	struct trends_docref *sources;
	uint8_t digest[LS_HASH_BYTES];

	size_t n_params, cap_params;
	struct param_count *params;
	size_t n_ignored;

	/* scratch for ls_trends_add: the row key of every row */
	uint32_t *scratch;
	size_t cap_scratch;

	trends_name_fn names;
	void *names_ctx;

	struct trends_item *items;
	const struct trends_item **ranked[TRENDS_LEVEL_COUNT_];
	size_t n_ranked[TRENDS_LEVEL_COUNT_];
};

static inline size_t row_key(const struct trends *t, int table, size_t theme,
                             size_t other)
{
	if (table == LS_TABLE_THEME)
		return theme;
	return t->base[table] + theme * t->n_codes[table] + other;
}

static inline struct trends_value *cube_at(const struct trends *t, size_t slot,
                                           size_t key, int measure)
{
	return &t->cube[(slot * t->n_keys + key) * 2 + (size_t)measure];
}

/* The federation series: a period's federation summary where it has
 * one, else the sum of the municipalities' released cells. */
static inline struct trends_value *
series_at(const struct trends *t, size_t slot, size_t key, int measure)
{
	if (t->fed_included[slot] != 0)
		return &t->fcube[(slot * t->n_keys + key) * 2 +
		                 (size_t)measure];
	return cube_at(t, slot, key, measure);
}

/* The item level of a row key, or -1 for sector and problem rows. */
static inline int key_level(const struct trends *t, size_t key)
{
	if (key < t->base[LS_TABLE_THEME_AGE])
		return TRENDS_LEVEL_THEME;
	if (key < t->base[LS_TABLE_THEME_TARGET])
		return TRENDS_LEVEL_AGE;
	if (key < t->n_items)
		return TRENDS_LEVEL_TARGET;
	return -1;
}

static inline size_t item_key(const struct trends *t,
                              const struct trends_item *it)
{
	return row_key(t, item_table[it->level], it->theme, it->other);
}

/* One origin's value of an item in one slot (a cell not sent counts as
 * an exact 0). */
void ls_trends_ocell_value(const struct trends *t, const struct origin *o,
                           size_t item, size_t slot, struct trends_value *v);

#endif
