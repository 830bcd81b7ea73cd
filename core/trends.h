/*
 * Cross-municipality trends: released summaries of many municipalities
 * combined per period, theme, age band, target group, sector and problem
 * type, and per ranked item (a theme, a theme x age band, a theme x target
 * group) the indicators the association prioritises with: spread,
 * recurrence, growth, scale, the youth share, a priority score and a
 * Dutch explanation. The method is docs/TRENDS.md; users read
 * docs/OPERATING.md, "Trends and the signal bundle".
 *
 * Usage:
 *   ls_trends_new(taxonomy, options)      the window and the weights
 *   ls_trends_add(summary, docref) ...    every summary to combine, any order,
 *                                      at most one per (origin, period):
 *                                      resolve corrections first (the
 *                                      latest document of a period wins)
 *   ls_trends_add_federation(fed, ref) at most one federation summary per
 *                                      period: its totals become that
 *                                      period's federation series
 *                                      (docs/TRENDS.md 3a)
 *   ls_trends_finish()                    indicators, scores, ranking
 *   ls_trends_ranked(level) / accessors   read the results
 *   ls_trends_free()
 *
 * Values. A released cell is exact, a range [lo, hi] (threshold mode: the
 * true count certainly lies in it), noisy (an unbiased value with known
 * noise variance) or withheld ([0, hi] at 90%). A sum of cells is kept
 * exactly as a struct trends_value: the sums of the certain lower and
 * upper bounds, the sum of noisy values and the sum of their variances.
 * Nothing suppressed is ever replaced by a zero or a guess: a sum of a
 * range and anything is a range. ls_trends_value_interval() turns a value
 * into the interval a reader sees: certain bounds plus the 90% interval
 * of the noisy part.
 *
 * Determinism. Every sum is integer arithmetic (variances in fixed point),
 * origins are processed in byte order of their ids, so the same set of
 * documents gives the same results whatever the order of ls_trends_add. The
 * documents used are listed (trends_sources) with a digest, so anyone
 * holding them can recompute every number.
 *
 * Ownership: a struct trends owns everything it hands out; pointers stay
 * valid until ls_trends_free(). Nothing here does I/O.
 */
#ifndef LS_CORE_TRENDS_H
#define LS_CORE_TRENDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/secagg.h"
#include "core/summary.h"
#include "core/taxonomy.h"

/* Limits: a window of at most ten years of months; a federation of at
 * most as many origins as a roster holds members. */
#define TRENDS_MAX_PERIODS 120
#define TRENDS_MAX_ORIGINS 4096
/* The largest value a released cell carries (the wire's LS_COUNT_MAX,
 * proto/limits.h); larger cells are refused, so sums cannot overflow. */
#define TRENDS_CELL_MAX 1000000000LL
/* Growth needs at least three periods (a slope and its residual error). */
#define TRENDS_MIN_GROWTH_PERIODS 3

/* The two-sided 90% quantile of the normal distribution, used for the
 * noisy part of a sum. */
#define TRENDS_Z90 1.6448536269514722

/* Age bands of the youth view (taxonomy codes are stable identifiers). */
#define TRENDS_YOUTH_1 "12-17"
#define TRENDS_YOUTH_2 "18-24"

/* ---- values ------------------------------------------------------- */

/* A sum of released cells. */
struct trends_value {
	int64_t lo, hi;   /* sums of certain bounds (exact, range and
	                     withheld cells; withheld: [0, hi]) */
	int64_t noisy;    /* sum of noisy values */
	int64_t var_q8;   /* sum of their noise variances x 256 */
	uint32_t n_exact; /* cells of each kind that went in */
	uint32_t n_range;
	uint32_t n_noisy;
	uint32_t n_withheld;
};

/* Add one released cell; var is the noise variance of a noisy cell
 * (ignored otherwise). LS_EINVAL for a malformed cell (unknown kind,
 * negative or inverted bounds, above TRENDS_CELL_MAX). */
int ls_trends_value_add_cell(struct trends_value *v, const struct ls_cell *c,
                             double var);

/* a += b; a -= b (b must have been added to a before). */
void ls_trends_value_add(struct trends_value *a, const struct trends_value *b);
void ls_trends_value_sub(struct trends_value *a, const struct trends_value *b);

/* Noise variance of the value. */
double ls_trends_value_var(const struct trends_value *v);

/* The interval for the true value: [lo + max(0, noisy - z sd),
 * hi + max(0, noisy + z sd)] with z = TRENDS_Z90, rounded outwards to
 * integers. Certain (not "probably") when the value has no noisy cells. */
void ls_trends_value_interval(const struct trends_value *v, int64_t *lo,
                              int64_t *hi);

/* The centre of that interval: used to order and to draw, never shown
 * as a count. */
double ls_trends_value_mid(const struct trends_value *v);

/* 1 if the value is known exactly (only exact cells, or none). */
int ls_trends_value_is_exact(const struct trends_value *v);

/* ---- growth: a least-squares slope on interval data --------------- */

struct ls_trends_slope {
	size_t n;      /* points used */
	double mid;    /* OLS slope through the interval centres */
	double box_lo; /* least and greatest OLS slope over every series */
	double box_hi; /* inside the intervals (exact bounds) */
	double se;     /* residual standard error of the centre fit */
	double t;      /* Student t quantile used (95% one-sided) */
	double lo, hi; /* box_lo - t se, box_hi + t se */
	double level;  /* mean of the centres (at least 1) */
	int direction; /* +1 rising (lo > 0), -1 falling (hi < 0), 0 */
};

/*
 * The slope per period of points (i, y_i), i = 0..n-1, where y_i is only
 * known to lie in [lo_i, hi_i]: the OLS slope is linear in the y_i, so
 * its least and greatest values over all series in the box are reached
 * at the interval ends (by the sign of each weight). The residual
 * standard error of the fit through the centres adds the ordinary
 * sampling uncertainty; var (may be NULL) gives each point's noise
 * variance, whose effect on the slope is a floor for that error.
 * n >= TRENDS_MIN_GROWTH_PERIODS, else LS_EINVAL.
 */
int ls_trends_slope(const double *lo, const double *hi, const double *var,
                    size_t n, struct ls_trends_slope *out);

/*
 * The start of a rise: the hinge (flat, then a straight rise) that fits
 * the centres best in least squares, over every start 0..n-2. Returns the
 * number of periods since the rise began (n - 1 - start; n - 1 when it
 * spans everything), 0 if the best hinge does not rise.
 */
uint32_t ls_trends_rising_since(const double *mid, size_t n);

/* ---- options ------------------------------------------------------ */

enum trends_component {
	TRENDS_C_SPREAD = 0, /* share of municipalities that report it */
	TRENDS_C_RISING,     /* share of municipalities where it rises */
	TRENDS_C_GROWTH,     /* robust growth over the growth window */
	TRENDS_C_RECURRENCE, /* periods in a row, up to the last */
	TRENDS_C_BREADTH,    /* sectors that report it */
	TRENDS_C_SCALE,      /* persons affected (log, relative) */
	TRENDS_C_YOUTH,      /* share of 12-24 year olds */
	TRENDS_C_COUNT_
};

/* Stable English name of a component ("spread", ...) and its Dutch label
 * for users ("spreiding", ...); "?" for a bad value. */
const char *ls_trends_component_name(int c);
const char *ls_trends_component_label_nl(int c);

struct trends_options {
	struct ls_period first; /* first period of the window */
	struct ls_period last;  /* last period (same length, aligned) */
	/* Growth over the last growth_periods periods of the window (or the
	 * whole window if shorter): TRENDS_MIN_GROWTH_PERIODS.. */
	uint32_t growth_periods;
	/* Relative growth over the growth window, in percent, that earns
	 * the full growth component (50: a rise of half the level). */
	uint32_t growth_full_pct;
	/* Weights of the components (any scale, not all 0). */
	uint32_t weight[TRENDS_C_COUNT_];
};

/* The defaults of the [trends] block of the node config. */
#define TRENDS_DEFAULT_WINDOW 24
#define TRENDS_DEFAULT_GROWTH_PERIODS 12
#define TRENDS_DEFAULT_GROWTH_FULL 50
#define TRENDS_DEFAULT_TOP 5
#define TRENDS_DEFAULT_W_SPREAD 15
#define TRENDS_DEFAULT_W_RISING 25
#define TRENDS_DEFAULT_W_GROWTH 25
#define TRENDS_DEFAULT_W_RECURRENCE 10
#define TRENDS_DEFAULT_W_BREADTH 10
#define TRENDS_DEFAULT_W_SCALE 10
#define TRENDS_DEFAULT_W_YOUTH 5

/* Defaults: window of TRENDS_DEFAULT_WINDOW months ending at `last`. */
void ls_trends_options_default(struct trends_options *o,
                               const struct ls_period *last);

/* LS_OK or LS_EINVAL with a Dutch message (periods, lengths, weights). */
int ls_trends_options_check(const struct trends_options *o,
                            struct ls_errinfo *e);

/* ---- building ----------------------------------------------------- */

struct trends;

/* The document a summary came from. */
struct trends_docref {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
};

/* A new, empty aggregation over the shared codes of the taxonomy (local
 * sub-codes are ignored: summaries never carry them), with labels copied.
 * *out is the caller's (ls_trends_free). LS_EINVAL (options; Dutch message),
 * LS_ENOMEM. */
int ls_trends_new(const struct ls_taxonomy *tax, const struct trends_options *o,
                  struct trends **out, struct ls_errinfo *e);

void ls_trends_free(struct trends *t);

/* What ls_trends_add did with a summary. */
enum trends_added {
	TRENDS_ADDED = 0,     /* combined */
	TRENDS_OUTSIDE = 1,   /* period outside the window: ignored */
	TRENDS_MISALIGNED = 2 /* other period length or grid: ignored */
};

/*
 * Combine one released summary, from the document `ref` (its origin must
 * be the summary's). The summary is checked first (origin, period, codes
 * of the taxonomy, rows sorted and unique, cells well-formed); on any
 * error nothing is changed. *added (may be NULL) says whether it was used.
 *   LS_EINVAL  malformed, or a code the taxonomy does not know (details);
 *   LS_EEXISTS a summary of this (origin, period) was added already;
 *   LS_ELIMIT  more than TRENDS_MAX_ORIGINS origins;
 *   LS_ESTATE  after ls_trends_finish; LS_ENOMEM.
 */
int ls_trends_add(struct trends *t, const struct ls_summary *s,
                  const struct trends_docref *ref, enum trends_added *added,
                  struct ls_errinfo *e);

/*
 * A federation summary's totals (document type 7, docs/SECAGG.md): one
 * period's federation total of every cell of the five summary tables,
 * computed by secure aggregation over n_included municipalities. Every
 * cell is noisy (an unbiased value; Skellam noise of variance 2 mu of its
 * measure) or withheld (a bound: [0, hi]). There is no recurrence table.
 */
struct trends_federation {
	struct ls_period period;
	uint32_t n_included;       /* municipalities in the totals */
	struct secagg_noise noise; /* mu per measure in the totals */
	const struct ls_summary_table *tables; /* LS_TABLE_COUNT_ tables */
};

/*
 * Use a federation summary, from the document `ref` (the association's),
 * as the federation series of its period: the totals of every table for
 * that period are its cells instead of the sum of the municipalities'
 * released cells (which stays available: ls_trends_cell_ranges). The
 * municipalities' own summaries are still what spread, "rising in N
 * municipalities" and the municipalities' view use. Checked first like a
 * summary (period, codes, order, cells only noisy or withheld, n_included
 * >= 1, noise valid and not zero); on any error nothing changes.
 *   LS_EINVAL, LS_EEXISTS (a federation summary of this period was added
 *   already: choosing between two is the caller's job), LS_ESTATE (after
 *   ls_trends_finish), LS_ENOMEM. *added as for ls_trends_add.
 */
int ls_trends_add_federation(struct trends *t,
                             const struct trends_federation *f,
                             const struct trends_docref *ref,
                             enum trends_added *added, struct ls_errinfo *e);

/* Display name of a municipality (NULL: use the id). */
typedef const char *(*trends_name_fn)(void *ctx, const char *origin);

/* Names for the explanations ls_trends_finish writes (they name the
 * municipality a rise depends on); without, ids are used. ctx must stay
 * valid until ls_trends_finish returns. */
void ls_trends_set_names(struct trends *t, trends_name_fn fn, void *ctx);

/* Compute every indicator, score and ranking. Once; LS_ESTATE after. */
int ls_trends_finish(struct trends *t, struct ls_errinfo *e);

/* ---- results ------------------------------------------------------ */

enum trends_level {
	TRENDS_LEVEL_THEME = 0,  /* a theme */
	TRENDS_LEVEL_AGE = 1,    /* theme x age band */
	TRENDS_LEVEL_TARGET = 2, /* theme x target group */
	TRENDS_LEVEL_COUNT_
};

/* "thema", "leeftijd", "doelgroep"; and the English names. */
const char *ls_trends_level_name(int level);
const char *ls_trends_level_name_nl(int level);

struct trends_item {
	uint8_t level;  /* enum trends_level */
	uint32_t index; /* position in ls_trends_item_at() order */
	size_t theme;   /* code index (ls_trends_code) */
	size_t other;   /* age band or target group index; 0 for a theme */
	const char *theme_code, *theme_label;
	const char *other_code, *other_label; /* "" for a theme */

	/* spread: municipalities with a summary in the window, of which
	 * certainly / possibly reporting the item */
	uint32_t n_origins;
	uint32_t n_report_lo, n_report_hi;
	/* municipalities with a summary for every period of the growth
	 * window, and of those where the item certainly rises or falls */
	uint32_t n_complete;
	uint32_t n_rising, n_falling;

	/* recurrence: periods in a row up to the last one in which it was
	 * certainly (run) / possibly (run_hi) reported; periods certainly
	 * reported in the window; sectors certainly / possibly reporting
	 * (for an age or target item: its theme's, see breadth_of_theme);
	 * the most distinct organisations certainly reporting the theme in
	 * one period. */
	uint32_t run, run_hi, periods_reported, n_periods;
	uint32_t sectors_lo, sectors_hi, n_sectors;
	int breadth_of_theme;
	int64_t organisations_lo;

	/* growth over the growth window, on the municipalities with every
	 * period (complete): the slope; the growth a reader sees, the change
	 * of the fitted line from its start to its end relative to its start
	 * (fractions, never below -1: a count cannot fall below zero), for
	 * the lower, central and upper slope; the same central change
	 * relative to the level (slope x (n - 1) / level); and the robust
	 * growth, relative to the level: the least of the lower bound and of
	 * the central growth without any one municipality, with the
	 * municipality whose absence weakens it most (-1: none). */
	int has_growth;
	struct ls_trends_slope slope;
	double growth_lo, growth_mid, growth_hi;
	double level_growth_mid;
	double robust_growth_lo;
	int robust_origin;
	uint32_t rising_since; /* periods; 0 when not rising */

	/* scale over the window, and in the last period: the federation
	 * series (federation summaries where a period has one, else the sum
	 * of the municipalities' released cells) */
	struct trends_value signals, persons, last_signals;
	/* the same window totals as the sum of the municipalities' own
	 * released cells only: what the federation summaries replace */
	struct trends_value signals_ranges, persons_ranges;
	/* periods of the window with a federation summary, and the fewest
	 * and most municipalities in one of them (0 when none) */
	uint32_t fed_periods, fed_included_min, fed_included_max;
	/* 1 when growth was computed on federation totals (every period of
	 * the growth window has a federation summary), 0 when on the sum of
	 * the complete municipalities' released cells */
	int growth_federation;

	double youth_share; /* theme: 12-24 share; age item: 1 or 0 */

	double component[TRENDS_C_COUNT_]; /* each in [0, 1] */
	double score;                      /* 0..100 */
	uint32_t rank;                     /* 1.. within its level */
	char explanation[640];             /* Dutch, UTF-8 */
};

/* 1 if the item rises but the rise comes mostly from one municipality
 * (ls_trends_origin_id(t, it->robust_origin)): without it, less than a
 * quarter of the growth remains. The explanation then says "de stijging
 * komt vooral uit één gemeente (...)"; reports must show it too. */
int ls_trends_item_local_rise(const struct trends_item *it);

/* Items in a fixed order: themes, then theme x age band, then theme x
 * target group, by code index. */
size_t ls_trends_n_items(const struct trends *t);
const struct trends_item *ls_trends_item_at(const struct trends *t, size_t i);

/* The item of (level, theme code, other code) or NULL. */
const struct trends_item *ls_trends_item_find(const struct trends *t, int level,
                                              const char *theme,
                                              const char *other);

/* Items of one level by rank (score descending; ties by code order);
 * *n gets the count. Valid after ls_trends_finish. */
const struct trends_item *const *ls_trends_ranked(const struct trends *t,
                                                  int level, size_t *n);

/* A selection of ranked items, for tables and reports. */
struct ls_trends_select {
	unsigned levels;   /* bit (1 << level) per level; 0: themes only */
	const char *theme; /* only this theme code (NULL: all) */
	const char *other; /* only this age band or target code (NULL: all) */
	int youth;         /* only age items of the youth bands */
	size_t top;        /* at most this many per level (0: all) */
};

/* The selected items, level by level, each level by rank, into
 * out[0..cap); returns how many there are (may exceed cap). */
size_t ls_trends_select(const struct trends *t,
                        const struct ls_trends_select *sel,
                        const struct trends_item **out, size_t cap);

/* The window. */
size_t ls_trends_n_periods(const struct trends *t);
void ls_trends_period_at(const struct trends *t, size_t slot,
                         struct ls_period *out);
/* The first slot of the growth window. */
size_t ls_trends_growth_first(const struct trends *t);
const struct trends_options *ls_trends_options_get(const struct trends *t);

/* Municipalities with at least one summary in the window, by id. */
size_t ls_trends_n_origins(const struct trends *t);
const char *ls_trends_origin_id(const struct trends *t, size_t i);
/* 1 if origin i has a summary for the period in slot. */
int ls_trends_origin_has(const struct trends *t, size_t i, size_t slot);
/* 1 if origin i has a summary for every period of the growth window. */
int ls_trends_origin_complete(const struct trends *t, size_t i);
/* Municipalities with a summary for the period in slot. */
uint32_t ls_trends_coverage(const struct trends *t, size_t slot);

/* Codes of a table's "other" dimension (LS_TABLE_THEME: the themes). */
size_t ls_trends_n_codes(const struct trends *t, int table);
const char *ls_trends_code(const struct trends *t, int table, size_t i);
const char *ls_trends_label(const struct trends *t, int table, size_t i);

/* A federation cell (all municipalities) of one period: table, theme and
 * other code index (0 for the theme table), measure (0 signals, 1
 * persons). LS_EINVAL for an index out of range. */
int ls_trends_cell(const struct trends *t, int table, size_t theme,
                   size_t other, int measure, size_t slot,
                   struct trends_value *out);
/* The same summed over the window. Both give the federation series:
 * a period's federation summary where it has one, else the sum of the
 * municipalities' released cells. */
int ls_trends_cell_total(const struct trends *t, int table, size_t theme,
                         size_t other, int measure, struct trends_value *out);
/* The sum of the municipalities' released cells only, in one period
 * and over the window (what a federation summary replaces). */
int ls_trends_cell_ranges(const struct trends *t, int table, size_t theme,
                          size_t other, int measure, size_t slot,
                          struct trends_value *out);
int ls_trends_cell_total_ranges(const struct trends *t, int table, size_t theme,
                                size_t other, int measure,
                                struct trends_value *out);

/* Municipalities in the federation summary of the period in slot (0: the
 * period has none), and how many periods of the window have one. */
uint32_t ls_trends_federation_at(const struct trends *t, size_t slot);
size_t ls_trends_n_federation(const struct trends *t);

/* Distinct organisations (measure 0) or reporters (1) of a theme in one
 * period, summed over municipalities. */
int ls_trends_recurrence(const struct trends *t, size_t theme, int measure,
                         size_t slot, struct trends_value *out);

/* The signals series of an item in one period: complete = 1, the series
 * growth is computed on (the federation totals when item->
 * growth_federation, else the sum over the municipalities complete in
 * the growth window); complete = 0, the federation series (the period's
 * federation summary, else the sum over every municipality). */
int ls_trends_item_series(const struct trends *t, const struct trends_item *it,
                          int complete, size_t slot, struct trends_value *out);

/* One municipality's view of an item: its signals in one period and over
 * the window, whether it reports it (0 no, 1 possibly, 2 certainly) and
 * its direction over the growth window (+1, 0, -1; 0 also when not
 * complete). */
struct ls_trends_origin_item {
	struct trends_value total;
	uint8_t reported;
	int8_t direction;
};
int ls_trends_origin_item(const struct trends *t, size_t origin,
                          const struct trends_item *it,
                          struct ls_trends_origin_item *out);
int ls_trends_origin_series(const struct trends *t, size_t origin,
                            const struct trends_item *it, size_t slot,
                            struct trends_value *out);

/* The documents combined, sorted by (origin, seq), and the digest over
 * them: BLAKE2b-256 of, per document, origin, NUL, seq (8 bytes big
 * endian) and hash. */
size_t ls_trends_n_sources(const struct trends *t);
const struct trends_docref *ls_trends_source_at(const struct trends *t,
                                                size_t i);
void ls_trends_sources_digest(const struct trends *t,
                              uint8_t out[LS_HASH_BYTES]);

/* The disclosure parameters of the summaries combined (distinct, sorted
 * by mode, k, epsilon, withhold threshold and persons cap), with how many
 * summaries used each. Valid after ls_trends_finish. */
size_t ls_trends_n_params(const struct trends *t);
const struct ls_disclosure_params *ls_trends_params_at(const struct trends *t,
                                                       size_t i, size_t *count);

/* Summaries ls_trends_add ignored because of their period. */
size_t ls_trends_n_ignored(const struct trends *t);

/* ---- formatting helpers (Dutch) ----------------------------------- */

/* "1.234" (Dutch thousands separator) into out. */
void ls_trends_format_count(int64_t v, char *out, size_t size);

/* A value as "1.234" when exact, "1.230–1.260" (en dash) otherwise; a
 * noisy value as "≈ 1.240 (1.200–1.280)". */
void ls_trends_format_value(const struct trends_value *v, char *out,
                            size_t size);

/* A federation total as a reader sees it: "41 (40–42)" (the noisy value,
 * never below 0, and its 90% interval) when v has noisy cells, else as
 * ls_trends_format_value; then ", 9 van 10 gemeenten" (n_min == n_max) or
 * ", 9 à 10 van 10 gemeenten" when n_max > 0. */
void ls_trends_format_federation(const struct trends_value *v, uint32_t n_min,
                                 uint32_t n_max, uint32_t n_all, char *out,
                                 size_t size);

/* The Dutch word for `n` periods of `months` months: "maand"/"maanden",
 * "kwartaal"/"kwartalen", "jaar"/"jaar", else "periode"/"periodes". */
const char *ls_trends_period_word(int32_t months, uint64_t n);

#endif
