/*
 * Noise mode: exact discrete Laplace noise, drawn consistently per cell, and
 * the privacy-budget arithmetic. Pure logic, no I/O; docs/DISCLOSURE.md
 * explains the method for developers and the data protection officer.
 *
 * Randomness. Every cell gets its own ChaCha20 key stream, keyed by
 * BLAKE2b(node secret; cell identity, noise scale, true count, epoch). The
 * same cell with the same true count therefore always gets the same noise
 * (a re-release is byte-identical and reveals nothing new), while a cell
 * whose true count changed in a correction gets fresh, independent noise
 * (re-using the old noise would reveal the exact difference).
 *
 * Sampling uses integers only (Canonne, Kamath and Steinke 2020): uniform
 * integers by rejection, Bernoulli(exp(-n/d)) by the alternating series,
 * geometric and discrete Laplace with a rational scale. No floating point
 * touches the noise; floating point is used only for interval half-widths,
 * which depend on public parameters alone.
 *
 * Nothing here allocates; secrets and derived keys live on the caller's side
 * and are wiped with sodium_memzero.
 */
#ifndef LS_CORE_NOISE_H
#define LS_CORE_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"

#define NOISE_SECRET_BYTES 32
#define NOISE_KEY_BYTES 32

/* A signal names 1 to 3 themes (DESIGN.md section 4). */
#define LS_MAX_THEMES_PER_SIGNAL 3

/* Cells are named by a table and a measure. The recurrence indicators are
 * a sixth "table" after the five of enum ls_table_kind. */
#define LS_TABLE_RECURRENCE ((int)LS_TABLE_COUNT_)
#define LS_QUERY_TABLES (LS_TABLE_RECURRENCE + 1)

enum ls_measure {
	LS_MEASURE_SIGNALS = 0, /* recurrence: organisations */
	LS_MEASURE_PERSONS = 1, /* recurrence: reporters */
	LS_MEASURE_COUNT_,
	LS_MEASURE_ORGANISATIONS = 0, /* aliases for the recurrence table */
	LS_MEASURE_REPORTERS = 1,
};

/* The scale t = num / den of a discrete Laplace distribution:
 * P(Z = z) = (1 - p) / (1 + p) * p^|z| with p = exp(-1/t). */
struct noise_scale {
	uint64_t num;
	uint64_t den;
};

/* Limits on parameters that reach the sampler (so no product overflows). */
#define NOISE_PERSONS_CAP_MAX 1000u
#define NOISE_TARGETS_MAX 64u
#define NOISE_SCALE_MAX_NUM (UINT64_C(1) << 40)
#define NOISE_SCALE_MAX_DEN (UINT64_C(1) << 40)

/* A deterministic stream of uniform random bits: ChaCha20 under a 32-byte
 * key, nonce 0, block counter from 0. Holds key material: wipe it. */
struct noise_stream {
	uint8_t key[NOISE_KEY_BYTES];
	uint8_t buf[64];
	uint64_t block;
	unsigned pos;
};

/* Start a stream; the key is copied. */
void ls_noise_stream_init(struct noise_stream *st,
                          const uint8_t key[NOISE_KEY_BYTES]);

/* Wipe the key and buffered bytes. */
void ls_noise_stream_wipe(struct noise_stream *st);

/* A uniform integer in [0, n), n >= 1 (exact: rejection sampling). */
uint64_t ls_noise_uniform(struct noise_stream *st, uint64_t n);

/* 1 with probability num/den (0 <= num <= den, den >= 1), else 0. */
int ls_noise_bernoulli(struct noise_stream *st, uint64_t num, uint64_t den);

/* 1 with probability exp(-num/den) (den >= 1), else 0. */
int ls_noise_bernoulli_exp(struct noise_stream *st, uint64_t num, uint64_t den);

/* A discrete Laplace sample with scale s.num/s.den (both in 1..the
 * NOISE_SCALE_MAX_* limits; the caller checks). */
int64_t ls_noise_dlap(struct noise_stream *st, struct noise_scale s);

/* The identity of one released cell. theme and other are taxonomy codes
 * ("" for the theme table's other and the recurrence table's other). */
struct noise_cell_id {
	const char *origin;
	struct ls_period period;
	int table;   /* enum ls_table_kind or LS_TABLE_RECURRENCE */
	int measure; /* enum ls_measure */
	const char *theme;
	const char *other;
};

/*
 * The noise of one cell: a discrete Laplace sample with the given scale,
 * drawn from the stream keyed by BLAKE2b-256(secret; "ls-noise-v1", the
 * cell identity, the scale, the true count, the epoch). The epoch is the
 * node's noise epoch: it stays the same across corrections (so unchanged
 * cells keep their noise) and is raised only to re-draw every cell on
 * purpose, which the budget must pay as a fresh release.
 * LS_OK, or LS_EINVAL for an identity that does not encode (code too long,
 * table or measure out of range, bad scale); LS_ECRYPTO if libsodium cannot
 * start.
 */
int ls_noise_cell_draw(const uint8_t secret[NOISE_SECRET_BYTES],
                       const struct noise_cell_id *id, struct noise_scale scale,
                       int64_t true_value, uint32_t epoch, int64_t *noise);

/* The share of epsilon each (table, measure) query gets: weight / total
 * weight (docs/DISCLOSURE.md, "Budget split"). */
uint32_t ls_noise_weight(int table, int measure);
uint32_t ls_noise_weight_total(void);

/*
 * The L1 sensitivity of one query under adding or removing one signal: a
 * signal counts in up to LS_MAX_THEMES_PER_SIGNAL theme rows, in every
 * target group it names (up to n_targets), with at most persons_cap
 * persons, and adds at most one new organisation and reporter per theme.
 * 0 for an unknown table or measure.
 */
uint64_t ls_noise_sensitivity(int table, int measure, uint32_t persons_cap,
                              size_t n_targets);

/*
 * The noise scale of a query: sensitivity / (epsilon * weight / total
 * weight), as a reduced fraction. epsilon_milli and persons_cap come from
 * the disclosure parameters; n_targets is the number of target group codes
 * in the taxonomy. LS_EINVAL when a parameter is out of range.
 */
int ls_noise_scale_for(uint32_t epsilon_milli, uint32_t persons_cap,
                       size_t n_targets, int table, int measure,
                       struct noise_scale *out);

/* The smallest h >= 0 with P(|Z| <= h) >= 90% for Z with this scale: a
 * noisy value v has the 90% interval [v - h, v + h] for the true count.
 * Computed in floating point from public parameters, rounded up. */
int64_t ls_noise_halfwidth90(struct noise_scale s);

/* Exact probability P(|Z| <= h) (for tests and documentation). */
double ls_noise_coverage(struct noise_scale s, int64_t h);

/* Variance 2p / (1 - p)^2 of a sample with this scale. */
double ls_noise_variance(struct noise_scale s);

/* ---- privacy budget -------------------------------------------------- */

/* The yearly budget a node starts with unless its policy says otherwise:
 * twelve monthly releases at epsilon 1 plus three corrections. */
#define NOISE_BUDGET_YEAR_DEFAULT_MILLI 15000u

/* What the ledger knows about one budget year (the year of the period). */
struct noise_budget {
	uint64_t yearly_milli; /* the year's budget, epsilon x 1000 */
	uint64_t spent_milli;  /* spent by earlier releases that year */
};

/* The budget one release with these parameters spends, epsilon x 1000:
 * epsilon_milli in noise mode (every release, including a correction,
 * composes with what was released before), 0 in threshold mode. */
uint64_t ls_noise_release_cost(const struct ls_disclosure_params *p);

/* LS_OK if a release costing cost_milli fits in the budget; LS_EBUDGET
 * (details in *e) if it would overspend; LS_EINVAL if spent already exceeds
 * the budget (a corrupt ledger). */
int ls_noise_budget_check(const struct noise_budget *b, uint64_t cost_milli,
                          struct ls_errinfo *e);

#endif
