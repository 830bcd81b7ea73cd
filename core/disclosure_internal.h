/*
 * Disclosure control, internal: the state shared by the files of the
 * disclosure module (not part of its interface; include only from
 * core/disclosure*.c).
 *
 *   core/disclosure.c            the domain, reading and checking a raw
 *                                summary, the parameters and the entry
 *                                point ls_disclosure_apply()
 *   core/disclosure_oracle.c     the oracle: exact feasible ranges of a
 *                                theme's cells from what is released
 *   core/disclosure_threshold.c  threshold mode: complementary
 *                                suppression and the released summary
 *   core/disclosure_noise.c      noise mode: keyed noise on every cell
 *   core/disclosure_check.c      the receiver's check, ls_disclosure_check()
 *
 * Nothing here allocates or owns memory unless it says so.
 */
#ifndef LS_CORE_DISCLOSURE_INTERNAL_H
#define LS_CORE_DISCLOSURE_INTERNAL_H

#include "core/disclosure.h"

#include <stddef.h>
#include <stdint.h>

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

static const char *const table_name[LS_QUERY_TABLES] = {
    "theme",          "theme x age",          "theme x target group",
    "theme x sector", "theme x problem type", "recurrence"};

/* The domain of in, checked and sorted, into *d. LS_OK or LS_EINVAL
 * naming the fault. */
int ls_disclosure_dom_compile(const struct ls_domain *in, struct dom *d,
                              struct ls_errinfo *e);

/* Index of code in dimension t, or -1. code may be any char array of
 * LS_CODE_SIZE bytes; one without a NUL is simply not found. */
int ls_disclosure_dom_find(const struct dom *d, int t, const char *code);
/* The theme index and the layout cell of row r of table t, for rows
 * ls_disclosure_rows_locate already accepted (every code in the domain). */
static inline void ls_disclosure_row_cell(const struct dom *d, int t,
                                          const struct ls_summary_row *row,
                                          size_t *ti, size_t *cell)
{
	*ti = (size_t)ls_disclosure_dom_find(d, 0, row->theme);
	*cell = t == G_TOTAL
	            ? 0
	            : d->first[t] +
	                  (size_t)ls_disclosure_dom_find(d, t, row->other);
}

/* Name cell i of theme ti (measure 1 = persons; ignored for recurrence,
 * whose two cells are the two measures). */
void ls_disclosure_ref_of(const struct dom *d, size_t ti, size_t i, int measure,
                          struct disclosure_ref *r);

static inline int has_persons(const struct dom *d, size_t i)
{
	return d->grp[i] != G_REC;
}

static inline int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static inline int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ---- the oracle (core/disclosure_oracle.c) --------------------------- */

/* What is released about one cell: exact (x = lo = hi, persons y), or a
 * range [lo, hi] of the count whose persons range is [lo, cap x hi]. */
struct oracle_cell {
	uint8_t exact;
	int64_t lo, hi, y;
};

/* The exact feasible ranges of a cell's count (x) and persons (y). */
struct orange {
	int64_t xlo, xhi, ylo, yhi;
};

/*
 * Exact feasible ranges of every cell of one theme from what is released
 * about it (c, laid out as d says). Exact cells get their value. Returns
 * LS_OK, LS_ECORRUPT if no theme total is consistent with the released
 * values, LS_ELIMIT if the total's range is too wide to search.
 */
int ls_disclosure_oracle(const struct dom *d, const struct oracle_cell *c,
                         int64_t cap, struct orange *out);

/* ---- a raw summary and the rows of any summary ----------------------- */

/* One theme's true counts: x = signals (organisations, reporters), y =
 * persons, per cell of the layout. */
struct theme_sys {
	int64_t x[MAXC], y[MAXC];
};

/* Rows strictly sorted by (theme, other), codes of the domain. Stores each
 * row's theme and cell index. */
int ls_disclosure_rows_locate(const struct dom *d, int t,
                              const struct ls_summary *s, const char *what,
                              int *theme_of, size_t *cell_of,
                              struct ls_errinfo *e);
/* Recurrence rows strictly sorted by theme; stores each row's theme. */
int ls_disclosure_rec_locate(const struct dom *d, const struct ls_summary *s,
                             const char *what, int *theme_of,
                             struct ls_errinfo *e);
/* The most rows of any table of s. */
size_t ls_disclosure_max_rows(const struct ls_summary *s);
/* Row counts within LS_SUMMARY_MAX_ROWS and rows present. */
int ls_disclosure_check_row_counts(const struct ls_summary *s, const char *what,
                                   struct ls_errinfo *e);
int ls_disclosure_period_valid(const struct ls_period *p);
int ls_disclosure_origin_valid(const char *o);

/* ---- writing a released summary -------------------------------------- */

/* Count r's notes by reason into r->by_reason. */
void ls_disclosure_report_count(struct disclosure_report *r);

/* Allocate the released tables: counts[t] rows per table, nrec recurrence
 * rows (owned by out: ls_summary_fini). */
int ls_disclosure_out_alloc(struct ls_summary *out, const size_t counts[],
                            size_t nrec);

/* Threshold mode (core/disclosure_threshold.c): protect every theme of
 * ts and write the released summary into out and, if rep is not NULL,
 * the notes. LS_OK, LS_ENOMEM or LS_EINTERNAL. */
int ls_disclosure_apply_threshold(const struct dom *d,
                                  const struct theme_sys *ts,
                                  const struct ls_disclosure_params *prm,
                                  struct ls_summary *out,
                                  struct disclosure_report *rep);

/* ---- noise mode (core/disclosure_noise.c) ---------------------------- */

struct nplan {
	const struct dom *d;
	const struct ls_disclosure_params *p;
	const struct ls_summary *raw;
	const uint8_t *secret;
	uint32_t epoch;
	struct noise_scale scale[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	int64_t half[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
};

/* The noise scale and the 90% half-width of every table and measure.
 * LS_EINVAL if the parameters would let a noisy value leave
 * LS_COUNT_MAX. */
int ls_disclosure_noise_scales(const struct dom *d,
                               const struct ls_disclosure_params *p,
                               struct noise_scale scale[][LS_MEASURE_COUNT_],
                               int64_t half[][LS_MEASURE_COUNT_]);

/* Noise mode: every cell of the domain into out (and the notes into rep
 * if not NULL). np->scale and np->half are filled here. */
int ls_disclosure_apply_noise(const struct dom *d, const struct theme_sys *ts,
                              struct nplan *np, struct ls_summary *out,
                              struct disclosure_report *rep);

#endif
