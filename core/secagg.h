/*
 * Secure aggregation, the arithmetic half: the federation's cell vector,
 * bounds on its entries, sums modulo 2^64 and the distributed Skellam
 * noise every participant adds (docs/SECAGG.md). Pure logic, no I/O; the
 * cryptography (key agreement, masks, signatures) is proto/secagg.h's.
 *
 * The vector. A round sums, per participant, one fixed-length vector of
 * exact counts over the federation's cell domain: the five tables of a
 * summary (core/summary.h), every (theme, other) pair of the domain, two
 * entries per pair (signals, then persons with each signal's persons
 * capped as in a summary). The layout is canonical: tables in enum order,
 * themes and other codes sorted in byte order, so two nodes with the same
 * taxonomy compute the same layout and the same digest, and a round binds
 * that digest. The recurrence indicators are not in the vector (distinct
 * organisations and reporters are a municipality's own figures).
 *
 * Arithmetic is modulo 2^64 (uint64_t wrap-around): masks are uniform in
 * that group, and a total of at most LS_SECAGG_MAX_PARTIES vectors of
 * counts below DISCLOSURE_COUNT_MAX x cap plus noise never wraps, so the
 * sum read as int64_t is the true sum plus the noise.
 *
 * Noise. Each participant adds Skellam(mu/n, mu/n) to every entry: the
 * difference of two Poisson(mu/n) samples, drawn exactly with integers
 * (core/noise.h's uniform and Bernoulli draws on a ChaCha20 stream), so
 * that n shares add up to Skellam(mu, mu) on the total (variance 2 mu) and
 * no party, the aggregator included, knows the noise of the total.
 * Accounting is by Renyi differential privacy, computed numerically from
 * the exact Skellam distribution (ls_secagg_noise_epsilon).
 *
 * Ownership: a struct secagg_layout points into the caller's domain
 * strings (valid while they are); nothing here allocates except where a
 * function says so.
 */
#ifndef LS_CORE_SECAGG_H
#define LS_CORE_SECAGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/disclosure.h"
#include "core/noise.h"
#include "core/summary.h"

/* Most entries of a vector (the shipped taxonomy gives 1332) and most
 * participants of one round (the roster's limit). */
#define LS_SECAGG_MAX_ENTRIES 32768
#define LS_SECAGG_MAX_PARTIES 4096
#define LS_SECAGG_DIGEST_BYTES 32

/* Measures of an entry: the same numbering as core/noise.h. */
#define SECAGG_MEASURES 2

struct secagg_layout {
	size_t n_entries;
	size_t n_themes;
	size_t n_other[LS_TABLE_COUNT_]; /* the theme table: 1 */
	size_t offset[LS_TABLE_COUNT_];  /* first entry of each table */
	const char *themes[DISCLOSURE_MAX_CODES];
	const char *other[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES]; /* sorted;
	                                                  theme table: "" */
	uint8_t digest[LS_SECAGG_DIGEST_BYTES]; /* BLAKE2b-256 of the codes */
};

/* The layout of a domain (core/disclosure.h: codes per table, any order,
 * no duplicates). LS_EINVAL for a duplicate code or an empty dimension,
 * LS_ELIMIT beyond LS_SECAGG_MAX_ENTRIES. The strings stay the domain's. */
int ls_secagg_layout_init(struct secagg_layout *l, const struct ls_domain *dom,
                          struct ls_errinfo *e);

/* The entry of (table, theme, other, measure), other "" for the theme
 * table. LS_OK or LS_ENOTFOUND for a code outside the layout. */
int ls_secagg_layout_index(const struct secagg_layout *l, int table,
                           const char *theme, const char *other, int measure,
                           size_t *idx);

/* What an entry is: table, measure and codes (pointers into the layout). */
void ls_secagg_layout_describe(const struct secagg_layout *l, size_t idx,
                               int *table, const char **theme,
                               const char **other, int *measure);

/*
 * A raw summary (every cell LS_CELL_EXACT, codes of the layout, persons
 * capped: store_summary_raw) as a vector: vec[n_entries] is zeroed and
 * filled. LS_EINVAL naming the row for a cell that is not exact, a count
 * outside 0..DISCLOSURE_COUNT_MAX (persons: 0..cap x count), a code not in
 * the layout or a row given twice; vec is then unspecified.
 */
int ls_secagg_vector_from_raw(const struct secagg_layout *l,
                              const struct ls_summary *raw, uint64_t *vec,
                              struct ls_errinfo *e);

/*
 * The bounds of a participant's entries, from what it released for the
 * same period (its own signed summary, threshold mode): an exact cell
 * bounds the entry to its value, a range to [lo, hi], a row absent from
 * the release to 0. Noise-mode releases carry no bound for a cell (their
 * interval is a 90% statement): those entries get the structural bound
 * [0, DISCLOSURE_COUNT_MAX] (persons: x cap). lo and hi have n_entries
 * entries each. LS_EINVAL for a release whose rows are not of the layout.
 * released == NULL gives the structural bounds everywhere.
 */
int ls_secagg_bounds_from_release(const struct secagg_layout *l,
                                  const struct ls_summary *released,
                                  uint32_t persons_cap, uint64_t *lo,
                                  uint64_t *hi, struct ls_errinfo *e);

/* LS_OK if lo[i] <= vec[i] <= hi[i] for every entry, else LS_EPOLICY
 * naming the first entry outside its bounds (its table, codes, measure). */
int ls_secagg_vector_check(const struct secagg_layout *l, const uint64_t *vec,
                           const uint64_t *lo, const uint64_t *hi,
                           struct ls_errinfo *e);

/*
 * The aggregator's plausibility check of a noisy total against the bounds
 * of the included members' own releases (sum_lo, sum_hi: the sums of
 * their ls_secagg_bounds_from_release): LS_OK if sum_lo - slack <= total <=
 * sum_hi + slack for every entry, with slack[m] the tolerance of the
 * noise of measure m (e.g. 6 standard deviations); else LS_EPOLICY naming
 * the first entry outside. A member cannot be caught this way, only a
 * total that no honest set of contributions could give.
 */
int ls_secagg_total_check(const struct secagg_layout *l, const int64_t *total,
                          const uint64_t *sum_lo, const uint64_t *sum_hi,
                          const int64_t slack[SECAGG_MEASURES],
                          struct ls_errinfo *e);

/* dst[i] += src[i] (mod 2^64). */
void ls_secagg_vec_add(uint64_t *dst, const uint64_t *src, size_t n);
/* dst[i] -= src[i] (mod 2^64). */
void ls_secagg_vec_sub(uint64_t *dst, const uint64_t *src, size_t n);
/* dst[i] += (uint64_t)noise[i] (two's complement, mod 2^64). */
void ls_secagg_vec_add_signed(uint64_t *dst, const int64_t *noise, size_t n);

/* ---- distributed noise ---------------------------------------------- */

/* A rational mean num/den (den >= 1). */
struct secagg_rational {
	uint64_t num;
	uint64_t den;
};

/* Limits that keep every product exact: mu of a measure at most 2^20,
 * numerators and denominators at most 2^24. */
#define SECAGG_MU_MAX (UINT64_C(1) << 20)
#define SECAGG_RATIONAL_MAX (UINT64_C(1) << 24)

/* The federation noise of a round: Skellam(mu, mu) on every entry of the
 * total, mu per measure (signals, persons); mu 0 means no noise. */
struct secagg_noise {
	struct secagg_rational mu[SECAGG_MEASURES];
};

/* LS_OK if both means are within the limits above, else LS_EINVAL. */
int ls_secagg_noise_check(const struct secagg_noise *nz, struct ls_errinfo *e);

/* An exact Poisson(num/den) sample (num/den <= SECAGG_MU_MAX, den <=
 * SECAGG_RATIONAL_MAX x LS_SECAGG_MAX_PARTIES): the mean is cut into m
 * pieces of at most 1/2, and each piece is drawn by proposing a geometric
 * J and accepting it with probability 1/J! (so J is Poisson). */
uint64_t ls_secagg_poisson(struct noise_stream *st, uint64_t num, uint64_t den);

/*
 * One participant's noise shares for a round of n_parties: entry i gets
 * Poisson(mu/n) - Poisson(mu/n) with the mu of its measure, drawn from the
 * ChaCha20 stream under key (32 bytes: the participant derives it from
 * its secret and the round, so that a resumed round redraws the same
 * shares). out[n_entries]. LS_EINVAL for bad parameters.
 */
int ls_secagg_noise_shares(const struct secagg_layout *l,
                           const struct secagg_noise *nz, uint32_t n_parties,
                           const uint8_t key[NOISE_KEY_BYTES], int64_t *out,
                           struct ls_errinfo *e);

/* The exact Skellam(mu, mu) probability P(Z = z) (double; for intervals
 * and tests). mu as a double > 0. */
double ls_secagg_skellam_pmf(double mu, int64_t z);

/* The smallest h >= 0 with P(|Z| <= h) >= 0.9 for Z ~ Skellam(mu, mu):
 * a noisy total v has the 90% interval [v - h, v + h]. 0 when mu = 0. */
int64_t ls_secagg_skellam_halfwidth90(double mu);

/*
 * The (epsilon, delta) guarantee of Skellam(mu, mu) noise on every entry
 * for one signal added or removed: the signal moves `cells[m]` entries of
 * measure m by at most `sens[m]` each (signals: 1; persons: the cap).
 * Computed from the Renyi divergences of the exact distribution (orders
 * 1.25..64, log space, tails included), composed over the cells, converted to
 * (epsilon, delta). Returns epsilon, or INFINITY when a measure with cells has
 * mu = 0.
 */
double ls_secagg_noise_epsilon(const struct secagg_noise *nz,
                               const uint32_t cells[SECAGG_MEASURES],
                               const uint32_t sens[SECAGG_MEASURES],
                               double delta);

/* ---- the federation summary's tables -------------------------------- */

/* The delta of every epsilon a federation summary states. */
#define SECAGG_DELTA 1e-6

/* The cells one signal can move, per measure: a signal has 1..3 themes,
 * and in each the theme row, one age band, one sector, one problem type
 * and up to 8 target groups (core/noise.h's limits). */
#define SECAGG_CELLS_PER_SIGNAL (LS_MAX_THEMES_PER_SIGNAL * (4 + 8))

/* The epsilon (at SECAGG_DELTA) of a federation total with noise nz for
 * one signal added or removed, with persons capped at cap: every
 * SECAGG_CELLS_PER_SIGNAL signals cell moves by 1 and every persons cell
 * by up to cap. INFINITY without noise. */
double ls_secagg_total_epsilon(const struct secagg_noise *nz, uint32_t cap);

/*
 * The released tables of a federation total (int64 per entry: the noisy
 * sum of the included members' vectors), in noise-mode form: every cell
 * of the layout gets a row (so a zero is no different from any other
 * value); a total v >= withhold_below is released as noisy with its 90%
 * interval [max(0, v - h), v + h] (h = ls_secagg_skellam_halfwidth90 of the
 * measure's mu in nz); a total below it is withheld with [0,
 * withhold_below - 1 + h]; with withhold_below = 0 a negative total is
 * released as 0 with [0, max(0, v + h)]. out->params: noise mode,
 * epsilon_milli from ls_secagg_total_epsilon (at least
 * DISCLOSURE_EPSILON_MILLI_MIN, LS_EINVAL above DISCLOSURE_EPSILON_MILLI_MAX:
 * too little noise to state), withhold_below, cap. origin and period
 * are the caller's. *out must be empty (ls_summary_init); the caller owns
 * it after LS_OK. LS_EINVAL, LS_ENOMEM.
 */
int ls_secagg_federation_tables(const struct secagg_layout *l,
                                const int64_t *total,
                                const struct secagg_noise *nz,
                                uint32_t withhold_below, uint32_t cap,
                                struct ls_summary *out, struct ls_errinfo *e);

#endif
