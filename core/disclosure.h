/*
 * Disclosure control: turn a raw summary (exact counts, never leaves the
 * node) into the summary that is released, under the federation's policy.
 *
 *   threshold (default): counts 1..k-1 become ranges; complementary
 *     suppression makes sure that no suppressed count can be computed from
 *     everything released in the same summary.
 *   noise: every cell of the taxonomy gets keyed discrete Laplace noise
 *     (core/noise.h); small noisy counts are withheld; every value carries
 *     a 90% interval; the release spends privacy budget.
 *
 * Besides the released summary, ls_disclosure_apply() returns a report with a
 * note per released cell: its true count, what was released, why (released
 * as is, primary suppression, zero hidden, complementary suppression to
 * protect cell X, noisy, withheld) and, in threshold mode, the exact range
 * that anyone can derive for it from everything released. The preview and
 * the audit log show these notes; nothing has to re-run the heuristics.
 *
 * Everything is pure and deterministic: the same input gives a
 * byte-identical output. The method, every relation between released
 * values the protection accounts for, and what a receiver may assume are in
 * docs/DISCLOSURE.md.
 */
#ifndef LS_CORE_DISCLOSURE_H
#define LS_CORE_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/noise.h"
#include "core/summary.h"
#include "core/taxonomy.h"

/* Most codes in one dimension of the taxonomy. */
#define DISCLOSURE_MAX_CODES 64

/* Defaults of the federation policy (docs/DISCLOSURE.md, "Parameters"). */
#define DISCLOSURE_K_DEFAULT 5u
#define DISCLOSURE_EPSILON_MILLI_DEFAULT 1000u
#define DISCLOSURE_WITHHOLD_DEFAULT 5u
#define DISCLOSURE_PERSONS_CAP_DEFAULT 10u

/* Hard limits of the parameters and of a raw count. */
/* k >= 3: with k = 2 the range 1..k-1 would be the count itself. */
#define DISCLOSURE_K_MIN 3u
#define DISCLOSURE_K_MAX 100u
#define DISCLOSURE_EPSILON_MILLI_MIN 10u     /* epsilon 0.01 */
#define DISCLOSURE_EPSILON_MILLI_MAX 100000u /* epsilon 100 */
#define DISCLOSURE_WITHHOLD_MAX 1000u
#define DISCLOSURE_PERSONS_CAP_MAX NOISE_PERSONS_CAP_MAX
/* Signals in one cell of a raw summary. Chosen so that every number a
 * release can carry stays within LS_COUNT_MAX (core/summary.h): persons
 * are at most cap x signals <= 1000 x 10^6 = 10^9. */
#define DISCLOSURE_COUNT_MAX 1000000

/*
 * The cells a summary can have: the taxonomy codes of each dimension, from
 * the federation's signed taxonomy. codes[LS_TABLE_THEME] are the themes;
 * codes[LS_TABLE_THEME_AGE] the age bands; codes[LS_TABLE_THEME_TARGET] the
 * target groups; codes[LS_TABLE_THEME_SECTOR] the sectors;
 * codes[LS_TABLE_THEME_PROBLEM] the problem types, which must include
 * LS_PROBLEM_NONE. Any order, no duplicates, 1..DISCLOSURE_MAX_CODES codes
 * each. The caller keeps ownership of the strings.
 */
struct ls_domain {
	const char *const *codes[LS_TABLE_COUNT_];
	size_t n_codes[LS_TABLE_COUNT_];
};

/* A domain built from a taxonomy, with the arrays it points into. */
struct disclosure_domain_buf {
	struct ls_domain dom;
	const char *codes[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
};

/* The domain of a taxonomy: its shared codes per dimension (a local
 * sub-code counts under its parent and is no cell of its own), plus
 * LS_PROBLEM_NONE among the problem types. The strings point into *tax
 * (valid while it is unchanged). LS_ELIMIT if a dimension has more codes
 * than DISCLOSURE_MAX_CODES allows, LS_EINVAL if one has none. */
int ls_disclosure_domain_from_taxonomy(const struct ls_taxonomy *tax,
                                       struct disclosure_domain_buf *out,
                                       struct ls_errinfo *e);

/* Fill *p with the defaults: threshold mode, k 5, epsilon 1, withhold
 * below 5, persons cap 10. */
void ls_disclosure_params_default(struct ls_disclosure_params *p);

/* LS_OK if the parameters are usable, else LS_EINVAL naming the field.
 * The fields the mode does not use are not looked at. Ranges: mode
 * threshold or noise; persons_cap 1..DISCLOSURE_PERSONS_CAP_MAX;
 * threshold: k DISCLOSURE_K_MIN..DISCLOSURE_K_MAX; noise: epsilon_milli
 * DISCLOSURE_EPSILON_MILLI_MIN..MAX, withhold_below 0..
 * DISCLOSURE_WITHHOLD_MAX. These are the federation's rules: proto/
 * checks every policy and summary with them (PROTOCOL.md 5.3). */
int ls_disclosure_params_check(const struct ls_disclosure_params *p,
                               struct ls_errinfo *e);

/* Zero the fields p's mode does not use (threshold: epsilon_milli and
 * withhold_below; noise: k), so that equal parameters have one form: the
 * form a document states and ls_disclosure_apply() writes. */
void ls_disclosure_params_canonical(struct ls_disclosure_params *p);

/* ls_disclosure_params_check() and canonical form: what a policy or summary
 * document may state. LS_OK or LS_EINVAL. */
int ls_disclosure_params_check_canonical(const struct ls_disclosure_params *p,
                                         struct ls_errinfo *e);

/* LS_OK if node is at least as strict as federation (same mode and persons
 * cap; threshold: k not smaller; noise: epsilon not larger, withhold
 * threshold not lower), else LS_EPOLICY naming the looser field. */
int ls_disclosure_params_stricter(const struct ls_disclosure_params *node,
                                  const struct ls_disclosure_params *federation,
                                  struct ls_errinfo *e);

/* Which cell: a table (enum ls_table_kind or LS_TABLE_RECURRENCE), a
 * measure (enum ls_measure) and the row's codes. */
struct disclosure_ref {
	uint8_t table;
	uint8_t measure;
	char theme[LS_CODE_SIZE];
	char other[LS_CODE_SIZE];
};

enum disclosure_reason {
	DISCLOSURE_RELEASED = 0,      /* released exactly: 0 or >= k */
	DISCLOSURE_PRIMARY = 1,       /* 1..k-1: released as a range */
	DISCLOSURE_ZERO_HIDDEN = 2,   /* 0 released as 0..k-1, so that the
	                                 zeros of its row cannot be told from
	                                 small counts */
	DISCLOSURE_COMPLEMENTARY = 3, /* >= k, suppressed so that `protects`
	                                 cannot be computed */
	DISCLOSURE_NOISY = 4,         /* noise mode: noisy value released */
	DISCLOSURE_WITHHELD = 5,      /* noise mode: noisy value too small */
	DISCLOSURE_SUPPRESSED = 6,    /* ls_disclosure_check(): a range whose
	                                 reason a receiver cannot know */
	DISCLOSURE_REASON_COUNT_
};

/* Stable lower-case name of a reason ("primary", ...); never NULL. */
const char *ls_disclosure_reason_name(int reason);

struct disclosure_note {
	struct disclosure_ref cell;
	int64_t raw; /* the true count; -1 when not known
	                (ls_disclosure_check) */
	struct ls_cell released;
	uint8_t reason;       /* enum disclosure_reason */
	uint8_t widened;      /* primary released as 0..k-1 (not 1..k-1)
	                         because its row hides zeros */
	uint8_t has_protects; /* `protects` is set */
	struct disclosure_ref protects; /* complementary, zero hidden or
	                                   widened: the small cell whose
	                                   protection needed this step */
	/* threshold mode: the exact range of the true count that follows
	 * from everything released in the summary (= the value for exact
	 * cells). */
	int64_t feasible_lo;
	int64_t feasible_hi;
	/* noise mode: the scale of the noise and the 90% half-width. */
	struct noise_scale scale;
	int64_t halfwidth;
};

/* The notes of one release, sorted by (table, theme, other, measure), one
 * per cell of the released summary (both measures of every row; the
 * recurrence table's "other" is ""). Owned by the report: release it with
 * ls_disclosure_report_fini(). */
struct disclosure_report {
	size_t n_notes;
	struct disclosure_note *notes;
	size_t by_reason[DISCLOSURE_REASON_COUNT_]; /* signals + persons */
	uint64_t cost_milli; /* privacy budget spent (noise mode) */
	uint32_t actions;    /* threshold: protective steps taken */
};

void ls_disclosure_report_init(struct disclosure_report *r);
void ls_disclosure_report_fini(struct disclosure_report *r);

/* Everything a release depends on. */
struct disclosure_input {
	const struct ls_summary *raw; /* exact counts */
	const struct ls_domain *domain;
	const struct ls_disclosure_params *params; /* the node's policy */
	/* noise mode only: */
	const uint8_t *secret;             /* NOISE_SECRET_BYTES, the node's
	                                      noise secret */
	uint32_t noise_epoch;              /* see ls_noise_cell_draw() */
	const struct noise_budget *budget; /* ledger state of the period's
	                                      year */
};

/*
 * Make the released summary from a raw one.
 *
 * The raw summary must be what the store produces: every cell
 * LS_CELL_EXACT, rows sorted by (theme, other) with codes of the domain
 * ("" as the theme table's other), zero rows optional, persons capped
 * (signals <= persons <= cap x signals), and consistent: per theme the
 * age, sector and problem rows add up to the theme row, target rows and
 * recurrence indicators do not exceed it, there are at least as many
 * organisations as sectors with signals. Anything else is LS_EINVAL with
 * the row at fault in *e, and *out is left empty.
 *
 * Noise mode also needs the secret and the budget: LS_EBUDGET when the
 * release does not fit (report->cost_milli says what it would cost).
 *
 * *out is overwritten without freeing anything in it (pass an empty
 * summary). On LS_OK it is the released summary: origin, period and
 * correction fields copied from raw, params from in->params in canonical
 * form (raw->params is ignored); every number in it lies in
 * 0..LS_COUNT_MAX (a noisy value v with half-width h is lowered to
 * LS_COUNT_MAX - h in the unreachable case that v + h would exceed it);
 * the caller owns it (ls_summary_fini). If report is not NULL it
 * receives the notes (the caller owns them: ls_disclosure_report_fini, also
 * after an error). LS_ENOMEM on allocation failure, LS_EINTERNAL if the
 * protection could not be completed (a bug: nothing is released).
 */
int ls_disclosure_apply(const struct disclosure_input *in,
                        struct ls_summary *out,
                        struct disclosure_report *report, struct ls_errinfo *e);

/*
 * Check a released summary against the disclosure policy it states, as a
 * receiver (or the preview) sees it: rows sorted and of the domain; the
 * cell kinds and ranges of its mode; threshold mode: exact values 0 or
 * >= k, the persons range of a suppressed row derived from its signals
 * range (lo, cap x hi), and no suppressed count that can be computed from
 * everything released (its exact feasible range is not a single value in
 * 1..k-1, nor the persons of a small row a single value >= 1); noise mode:
 * a row for every cell of the domain, intervals as the parameters imply.
 * LS_OK, LS_EPOLICY (the first violation in *e), LS_EINVAL for bad
 * parameters or domain, LS_ENOMEM. If bounds is not NULL it receives a note
 * per cell with the feasible range (raw -1; caller frees).
 */
int ls_disclosure_check(const struct ls_summary *released,
                        const struct ls_domain *domain,
                        struct disclosure_report *bounds, struct ls_errinfo *e);

#endif
