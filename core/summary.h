/*
 * The anonymised summary of one closed period: the data model shared by the
 * summariser (raw counts from the store), disclosure control (core/), the
 * wire format (proto/) and the aggregator (trends).
 *
 * One struct serves both stages:
 *  - raw: produced from the local store, every cell LS_CELL_EXACT with the
 *    true count. A raw summary never leaves the node.
 *  - released: after disclosure control, cells are exact (>= k), ranges
 *    (suppressed), noisy values with an interval, or withheld.
 *
 * Codes are taxonomy codes (see configs/taxonomy.tsv): short, stable ASCII
 * identifiers such as "mentaal" or "12-17". A table's rows are sorted by
 * (theme, other) in byte order, so equal summaries have equal tables.
 *
 * Ownership: a struct ls_summary owns its tables' row arrays; release them
 * with ls_summary_fini(). Nothing else in it is heap memory.
 */
#ifndef LS_CORE_SUMMARY_H
#define LS_CORE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "core/member.h"   /* LS_NODE_ID_SIZE */
#include "core/period.h"   /* struct ls_period */
#include "core/taxonomy.h" /* LS_CODE_SIZE */

/* Hard limit on rows in one table, for decoders: 18 themes x 18 codes is
 * 324 today; the limit leaves room for taxonomy growth. */
#define LS_SUMMARY_MAX_ROWS 4096

/* Largest count, value or bound a released summary may carry (the wire
 * format's limit too, PROTOCOL.md 5.4). */
#define LS_COUNT_MAX 1000000000LL

enum ls_disclosure_mode {
	LS_MODE_THRESHOLD = 0, /* small counts as ranges, complementary
	                          suppression */
	LS_MODE_NOISE = 1,     /* discrete Laplace noise, keyed per cell */
};

/* The parameters a summary was made with; every released summary states
 * them so receivers can interpret and check it. */
struct ls_disclosure_params {
	uint8_t mode;            /* enum ls_disclosure_mode */
	uint32_t k;              /* threshold: counts 1..k-1 suppressed */
	uint32_t epsilon_milli;  /* noise: epsilon per period x 1000 */
	uint32_t withhold_below; /* noise: noisy counts below are withheld */
	uint32_t persons_cap;    /* persons affected counted per signal, max */
};

enum ls_cell_kind {
	LS_CELL_EXACT = 0,    /* value is the count; lo = hi = value */
	LS_CELL_RANGE = 1,    /* suppressed: the true count is in [lo, hi] */
	LS_CELL_NOISY = 2,    /* value is a noisy count; [lo, hi] is its 90%
	                         interval for the true count */
	LS_CELL_WITHHELD = 3, /* noisy count below the withhold threshold;
	                         [lo, hi] bounds the true count at 90% */
};

struct ls_cell {
	uint8_t kind; /* enum ls_cell_kind */
	int64_t value;
	int64_t lo;
	int64_t hi;
};

/* Make *c an exact count v, or a suppressed range [lo, hi]. */
static inline void ls_cell_set_exact(struct ls_cell *c, int64_t v)
{
	c->kind = LS_CELL_EXACT;
	c->value = c->lo = c->hi = v;
}

static inline void ls_cell_set_range(struct ls_cell *c, int64_t lo, int64_t hi)
{
	c->kind = LS_CELL_RANGE;
	c->value = 0;
	c->lo = lo;
	c->hi = hi;
}

enum ls_table_kind {
	LS_TABLE_THEME = 0,         /* other = "" */
	LS_TABLE_THEME_AGE = 1,     /* other = age band code */
	LS_TABLE_THEME_TARGET = 2,  /* other = target group code */
	LS_TABLE_THEME_SECTOR = 3,  /* other = sector code */
	LS_TABLE_THEME_PROBLEM = 4, /* other = problem type code, or "geen" */
	LS_TABLE_COUNT_
};

/* One row: a cell per measure. */
struct ls_summary_row {
	char theme[LS_CODE_SIZE];
	char other[LS_CODE_SIZE];
	struct ls_cell signals; /* number of signals */
	struct ls_cell persons; /* persons affected, each signal capped */
};

struct ls_summary_table {
	size_t n_rows;
	struct ls_summary_row *rows; /* owned */
};

/* Recurrence indicators per theme. */
struct ls_recurrence_row {
	char theme[LS_CODE_SIZE];
	struct ls_cell organisations; /* distinct reporting organisations */
	struct ls_cell reporters;     /* distinct reporters (known ones) */
};

struct ls_summary {
	char origin[LS_NODE_ID_SIZE];
	struct ls_period period;
	struct ls_disclosure_params params;
	/* A correction supersedes an earlier summary of the same period;
	 * 0 when this is the first release. */
	uint64_t supersedes_seq;
	char correction_reason[LS_CODE_SIZE]; /* code, "" if none */
	struct ls_summary_table tables[LS_TABLE_COUNT_];
	size_t n_recurrence;
	struct ls_recurrence_row *recurrence; /* owned */
};

/* Zero *s; safe to ls_summary_fini afterwards. */
void ls_summary_init(struct ls_summary *s);

/* Free the rows and zero *s. */
void ls_summary_fini(struct ls_summary *s);

#endif
