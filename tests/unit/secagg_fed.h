/*
 * A sparse synthetic federation run through secure aggregation, month by
 * month, for tests/unit/test_secagg_federation.c (which asserts the
 * issue's target) and bench/bench_secagg.c (which reports the widths
 * before and after).
 *
 * Ten municipalities of the pilots' sizes at 0.9 signals per 1000
 * inhabitants a month (random signals from tests/unit/synth.h), 24
 * months, a rise planted in five municipalities (one theme,
 * 18-24-year-olds, linear), and three decoys: a big flat theme, a rise in
 * one municipality only, a one-month spike.
 *
 * Every month runs the whole pipeline: each municipality's raw summary
 * becomes its vector (core/secagg), checked against the bounds of its own
 * threshold release (core/disclosure); the ten take part in a real round
 * (node/secagg: signed messages, masks, Skellam shares); the aggregator
 * checks the total against the members' released bounds (and that one
 * member adding 1000 to a cell would be caught); the total becomes the
 * federation tables (ls_secagg_federation_tables). Everything is seeded.
 * With sinks (struct fed_sinks) the month's documents go to the caller:
 * the towns' releases and the federation summary, so a test can publish
 * them into a store and read them back through node/trends_load.
 *
 * Header-only (static inline) because each test program is one .c file.
 * Functions return 0, or -1 with a message in sim->err.
 */
#ifndef LS_TESTS_SECAGG_FED_H
#define LS_TESTS_SECAGG_FED_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/disclosure.h"
#include "core/secagg.h"
#include "core/trends.h"
#include "node/secagg.h"
#include "tests/unit/synth.h"

#define FED_NM 10
#define FED_MONTHS 24
#define FED_T0 1764547200LL
#define FED_CAP 10
#define FED_MAX_SIGNALS 4096

static const char *const fed_town[FED_NM] = {
    "berlaar",  "bornem",  "dendermonde",  "eeklo",     "gent",
    "kortrijk", "mortsel", "oud-turnhout", "roeselare", "sint-niklaas"};
static const unsigned fed_population[FED_NM] = {
    11800, 21500, 46500, 21300, 265000, 78000, 26500, 14200, 64000, 80000};
/* The planted rise: in these five. */
static const int fed_rises_in[FED_NM] = {0, 1, 1, 0, 1, 1, 0, 0, 1, 0};

enum { FED_T_FLAT = 0, FED_T_RISE = 6, FED_T_ONE = 8, FED_T_SPIKE = 10 };
#define FED_ONE_TOWN 3 /* eeklo */
#define FED_SPIKE_MONTH 11

/* The cells watched for rises: planted, one-town, spike, flat. */
enum { FED_W_RISE, FED_W_ONE, FED_W_SPIKE, FED_W_FLAT, FED_WATCH };
static const char *const fed_watch_name[FED_WATCH] = {
    "planted rise", "one-town rise", "one-month spike", "big flat theme"};

struct fed_member {
	struct node_secagg_self self;
	struct ls_keypair *kp;
	uint8_t secret[LS_SECAGG_SECRET_BYTES];
};

/* Optional sinks for the documents a month produces (e.g. to publish
 * them into a store): every municipality's threshold release, and the
 * federation summary body the association would publish
 * (node_secagg_agg_fedsum). They may take the rows (leave *s / *f
 * zeroed-initialised: ls_summary_init / memset); 0 or -1 with W->err. */
struct fed_sim;
struct fed_sinks {
	int (*release)(struct fed_sim *W, void *ctx, struct ls_summary *s);
	int (*fedsum)(struct fed_sim *W, void *ctx, struct ls_fedsum *f);
	/* After the round: every member's exact vector and the noisy total
	 * (int64 per entry, before the tables clamp it) of month m; the
	 * ground truth for an attacking test. Not to be kept. */
	int (*round)(struct fed_sim *W, void *ctx, int m,
	             const uint64_t *const *vec, const int64_t *total);
	void *ctx;
};

struct fed_sim {
	struct fed_sinks sinks;
	struct secagg_noise noise;
	struct synth_domain sd;
	struct secagg_layout l;
	struct synth_world w[FED_NM];
	struct synth_rng rng;
	size_t age_young; /* index of 18-24 */
	struct node_secagg_peer peers[FED_NM + 1];
	struct fed_member mb[FED_NM];
	struct ls_keypair *akp;
	/* per layout entry, summed over the months */
	int64_t *truth, *fed_value, *fed_hi_extra, *own_lo, *own_hi;
	uint32_t *fed_noisy; /* months in which the cell was noisy */
	/* per month, for the slopes */
	double fed_series[FED_WATCH][FED_MONTHS];
	double own_lo_s[FED_WATCH][FED_NM][FED_MONTHS];
	double own_hi_s[FED_WATCH][FED_NM][FED_MONTHS];
	size_t watch[FED_WATCH];
	struct synth_signal sig[FED_MAX_SIGNALS];
	char err[600];
};

static inline int fed_fail(struct fed_sim *W, const char *what,
                           const struct ls_errinfo *e)
{
	snprintf(W->err, sizeof W->err, "%s: %s", what,
	         e != NULL ? e->msg : "");
	return -1;
}

static inline void fed_add_signal(struct synth_signal *s, size_t theme,
                                  size_t age, struct synth_rng *r)
{
	memset(s, 0, sizeof *s);
	s->n_themes = 1;
	s->themes[0] = (uint8_t)theme;
	s->age = (uint8_t)age;
	s->org = (uint16_t)synth_below(r, 10);
	s->reporter = -1;
	s->persons = 1 + synth_below(r, 3);
}

/* The signals of town i in month m into W->sig; their number. */
static inline size_t fed_month_signals(struct fed_sim *W, size_t i, int m)
{
	struct synth_rng *r = &W->rng;
	struct synth_signal *out = W->sig;
	double base = fed_population[i] * 0.0009; /* 0.9 per 1000 */
	size_t n =
	    (size_t)(base * (0.85 + 0.3 * synth_below(r, 1000) / 1000.0));
	size_t k = 0;
	for (; k < n && k < FED_MAX_SIGNALS; k++)
		synth_signal_random(&out[k], r, &W->sd, &W->w[i], 12);
	/* the planted rise: linear, 0 at month 0 */
	if (fed_rises_in[i]) {
		size_t extra = (size_t)(m * fed_population[i] / 110000.0 + 0.5);
		for (size_t j = 0; j < extra && k < FED_MAX_SIGNALS; j++)
			fed_add_signal(&out[k++], FED_T_RISE, W->age_young, r);
	}
	/* decoy: a rise in one town only */
	if (i == FED_ONE_TOWN)
		for (int j = 0; j < m / 3 && k < FED_MAX_SIGNALS; j++)
			fed_add_signal(&out[k++], FED_T_ONE, W->age_young, r);
	/* decoy: a one-month spike everywhere */
	if (m == FED_SPIKE_MONTH)
		for (size_t j = 0;
		     j < 2 + fed_population[i] / 20000 && k < FED_MAX_SIGNALS;
		     j++)
			fed_add_signal(&out[k++], FED_T_SPIKE, W->age_young, r);
	return k;
}

static inline void fed_sim_fini(struct fed_sim *W)
{
	proto_keypair_free(W->akp);
	for (size_t i = 0; i < FED_NM; i++)
		proto_keypair_free(W->mb[i].kp);
	free(W->truth);
	free(W->fed_value);
	free(W->fed_hi_extra);
	free(W->own_lo);
	free(W->own_hi);
	free(W->fed_noisy);
}

/* *W must be zeroed; fed_sim_fini afterwards, also after a failure. */
static inline int fed_sim_init(struct fed_sim *W, const struct secagg_noise *nz,
                               uint64_t seed)
{
	static const struct {
		int table, w, theme;
		const char *other;
	} watch[FED_WATCH] = {
	    {LS_TABLE_THEME_AGE, FED_W_RISE, FED_T_RISE, "18-24"},
	    {LS_TABLE_THEME_AGE, FED_W_ONE, FED_T_ONE, "18-24"},
	    {LS_TABLE_THEME, FED_W_SPIKE, FED_T_SPIKE, ""},
	    {LS_TABLE_THEME, FED_W_FLAT, FED_T_FLAT, ""},
	};
	struct ls_errinfo e;
	uint8_t key_seed[32];
	size_t n = 0;

	W->noise = *nz;
	W->rng.s = seed;
	synth_domain_init(&W->sd, NULL);
	if (ls_secagg_layout_init(&W->l, &W->sd.dom, &e) != LS_OK)
		return fed_fail(W, "layout", &e);
	W->age_young = synth_find(&W->sd, LS_TABLE_THEME_AGE, "18-24");
	if (W->age_young == SIZE_MAX)
		return fed_fail(W, "no age band 18-24", NULL);
	for (size_t i = 0; i < FED_NM; i++)
		synth_world_init(&W->w[i], &W->rng, &W->sd, 12, 30);
	n = W->l.n_entries;
	W->truth = calloc(n, sizeof *W->truth);
	W->fed_value = calloc(n, sizeof *W->fed_value);
	W->fed_hi_extra = calloc(n, sizeof *W->fed_hi_extra);
	W->own_lo = calloc(n, sizeof *W->own_lo);
	W->own_hi = calloc(n, sizeof *W->own_hi);
	W->fed_noisy = calloc(n, sizeof *W->fed_noisy);
	if (!W->truth || !W->fed_value || !W->fed_hi_extra || !W->own_lo ||
	    !W->own_hi || !W->fed_noisy)
		return fed_fail(W, "out of memory", NULL);
	for (int k = 0; k < FED_WATCH; k++)
		if (ls_secagg_layout_index(&W->l, watch[k].table,
		                           W->sd.codes[0][watch[k].theme],
		                           watch[k].other, LS_MEASURE_SIGNALS,
		                           &W->watch[watch[k].w]) != LS_OK)
			return fed_fail(W, "watched cell", NULL);

	memset(key_seed, 0xaa, sizeof key_seed);
	if (proto_keypair_from_seed(key_seed, &W->akp) != LS_OK)
		return fed_fail(W, "key", NULL);
	for (size_t i = 0; i < FED_NM; i++) {
		memset(key_seed, (int)i + 1, sizeof key_seed);
		if (proto_keypair_from_seed(key_seed, &W->mb[i].kp) != LS_OK)
			return fed_fail(W, "key", NULL);
		snprintf(W->peers[i].id, sizeof W->peers[i].id, "%s",
		         fed_town[i]);
		memcpy(W->peers[i].pk, W->mb[i].kp->pk, LS_PUBKEY_BYTES);
		memset(W->mb[i].secret, (int)(0x30 + i),
		       sizeof W->mb[i].secret);
	}
	snprintf(W->peers[FED_NM].id, sizeof W->peers[FED_NM].id, "vvsg");
	memcpy(W->peers[FED_NM].pk, W->akp->pk, LS_PUBKEY_BYTES);
	for (size_t i = 0; i < FED_NM; i++)
		W->mb[i].self = (struct node_secagg_self){
		    .id = fed_town[i],
		    .kp = W->mb[i].kp,
		    .secret = W->mb[i].secret,
		    .aggregator_pk = W->akp->pk,
		    .peers = W->peers,
		    .n_peers = FED_NM + 1,
		};
	return 0;
}

/* One round: every member's message through the aggregator. */
static inline int fed_round(struct fed_sim *W, int m, uint64_t *const *vec,
                            int64_t *total)
{
	ls_secagg_id ids[FED_NM];
	struct node_secagg_agg a;
	struct ls_secagg_open o;
	struct ls_errinfo e;
	uint8_t *open = NULL, *keyset = NULL, *close = NULL, *tm = NULL, *msg;
	uint8_t h[32];
	size_t open_len, keyset_len, close_len, tm_len, len;
	int rc = -1;

	for (size_t i = 0; i < FED_NM; i++)
		snprintf(ids[i], sizeof ids[i], "%s", fed_town[i]);
	memset(&o, 0, sizeof o);
	o.period = (struct ls_period){2024 + m / 12, 1 + m % 12, 1};
	o.attempt = 1;
	memcpy(o.layout, W->l.digest, sizeof o.layout);
	o.n_entries = (uint32_t)W->l.n_entries;
	o.noise = W->noise;
	o.k = 0;
	o.min_parties = 3;
	o.created = FED_T0;
	o.deadline = FED_T0 + 3600;
	o.members = ids;
	o.n_members = FED_NM;
	memset(&a, 0, sizeof a);
	if (node_secagg_agg_open(&a, &o, "vvsg", W->akp, W->peers, FED_NM + 1,
	                         &open, &open_len, &e) != LS_OK)
		return fed_fail(W, "open", &e);
	for (size_t i = 0; i < FED_NM; i++) {
		if (node_secagg_part_key(&W->mb[i].self, open, open_len, &msg,
		                         &len, &e) != LS_OK)
			goto fail;
		rc = node_secagg_agg_take(&a, msg, len, FED_T0, &e);
		ls_free(msg);
		if (rc != LS_OK)
			goto fail;
	}
	if (node_secagg_agg_keyset(&a, W->akp, &keyset, &keyset_len, &e) !=
	    LS_OK)
		goto fail;
	for (size_t i = 0; i < FED_NM; i++) {
		if (node_secagg_part_contrib(
		        &W->mb[i].self, open, open_len, keyset, keyset_len,
		        vec[i], W->l.n_entries, &msg, &len, &e) != LS_OK)
			goto fail;
		rc = node_secagg_agg_take(&a, msg, len, FED_T0, &e);
		ls_free(msg);
		if (rc != LS_OK)
			goto fail;
	}
	if (node_secagg_agg_close(&a, W->akp, &close, &close_len, &e) != LS_OK)
		goto fail;
	for (size_t i = 0; i < FED_NM; i++) {
		if (node_secagg_part_reveal(
		        &W->mb[i].self, open, open_len, keyset, keyset_len,
		        close, close_len, NULL, h, &msg, &len, &e) != LS_OK)
			goto fail;
		rc = node_secagg_agg_take(&a, msg, len, FED_T0, &e);
		ls_free(msg);
		if (rc != LS_OK)
			goto fail;
	}
	if (node_secagg_agg_finish(&a, W->akp, total, &tm, &tm_len, &e) !=
	    LS_OK)
		goto fail;
	if (W->sinks.fedsum != NULL) {
		struct ls_fedsum fs;
		memset(&fs, 0, sizeof fs);
		if (node_secagg_agg_fedsum(&a, &W->l, total, FED_CAP, &fs,
		                           &e) != LS_OK)
			goto fail;
		rc = W->sinks.fedsum(W, W->sinks.ctx, &fs);
		proto_fedsum_fini(&fs);
		if (rc != 0)
			goto done;
	}
	rc = 0;
	goto done;
fail:
	rc = fed_fail(W, "round", &e);
done:
	node_secagg_agg_fini(&a);
	ls_free(open);
	ls_free(keyset);
	ls_free(close);
	ls_free(tm);
	return rc;
}

/* Fold the federation tables of month m's total into the sums. */
static inline int fed_fold(struct fed_sim *W, int m, int64_t *total)
{
	struct ls_summary fed;
	struct ls_errinfo e;
	ls_summary_init(&fed);
	if (ls_secagg_federation_tables(&W->l, total, &W->noise, 0, FED_CAP,
	                                &fed, &e) != LS_OK)
		return fed_fail(W, "federation tables", &e);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < fed.tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &fed.tables[t].rows[r];
			const struct ls_cell *c[2] = {&row->signals,
			                              &row->persons};
			for (int ms = 0; ms < 2; ms++) {
				size_t k;
				if (ls_secagg_layout_index(&W->l, t, row->theme,
				                           row->other, ms,
				                           &k) != LS_OK) {
					ls_summary_fini(&fed);
					return fed_fail(W, "row", NULL);
				}
				if (c[ms]->kind == LS_CELL_NOISY) {
					W->fed_value[k] += c[ms]->value;
					W->fed_noisy[k]++;
				} else {
					W->fed_hi_extra[k] += c[ms]->hi;
				}
			}
		}
	for (int w = 0; w < FED_WATCH; w++) {
		int64_t v = total[W->watch[w]];
		W->fed_series[w][m] = (double)(v < 0 ? 0 : v);
	}
	ls_summary_fini(&fed);
	return 0;
}

static inline int fed_sim_month(struct fed_sim *W, int m)
{
	uint64_t *vec[FED_NM] = {0};
	struct ls_disclosure_params p;
	struct ls_errinfo e;
	size_t n = W->l.n_entries;
	int64_t *total = calloc(n, sizeof *total);
	uint64_t *lo = calloc(n, sizeof *lo), *hi = calloc(n, sizeof *hi);
	uint64_t *sum_lo = calloc(n, sizeof *sum_lo);
	uint64_t *sum_hi = calloc(n, sizeof *sum_hi);
	int64_t slack[2];
	int rc = -1;

	/* 8 standard deviations of the noise in the total: a false alarm
	 * about once in 10^15 cells. */
	for (int ms = 0; ms < 2; ms++)
		slack[ms] =
		    1 + (int64_t)(8 * sqrt(2.0 * (double)W->noise.mu[ms].num /
		                           (double)W->noise.mu[ms].den));

	if (!total || !lo || !hi || !sum_lo || !sum_hi) {
		fed_fail(W, "out of memory", NULL);
		goto done;
	}
	ls_disclosure_params_default(&p);
	p.persons_cap = FED_CAP;
	for (size_t i = 0; i < FED_NM; i++) {
		struct ls_summary raw, rel;
		struct disclosure_input in = {&raw, &W->sd.dom, &p,
		                              NULL, 0,          NULL};
		size_t ns = fed_month_signals(W, i, m);
		int ok;
		ls_summary_init(&raw);
		ls_summary_init(&rel);
		synth_header(&raw, fed_town[i], 2024 + m / 12, 1 + m % 12);
		vec[i] = calloc(n, sizeof *vec[i]);
		ok = vec[i] != NULL &&
		     synth_summarise(&W->sd, &W->w[i], W->sig, ns, FED_CAP, 0,
		                     &raw, NULL) == 0;
		raw.params.persons_cap = FED_CAP;
		ok = ok && ls_secagg_vector_from_raw(&W->l, &raw, vec[i], &e) ==
		               LS_OK;
		ok = ok && ls_disclosure_apply(&in, &rel, NULL, &e) == LS_OK;
		/* The contribution stays within what the town released. */
		ok = ok && ls_secagg_bounds_from_release(&W->l, &rel, FED_CAP,
		                                         lo, hi, &e) == LS_OK;
		ok = ok &&
		     ls_secagg_vector_check(&W->l, vec[i], lo, hi, &e) == LS_OK;
		if (ok && W->sinks.release != NULL &&
		    W->sinks.release(W, W->sinks.ctx, &rel) != 0) {
			ls_summary_fini(&raw);
			ls_summary_fini(&rel);
			goto done;
		}
		ls_summary_fini(&raw);
		ls_summary_fini(&rel);
		if (!ok) {
			fed_fail(W, fed_town[i], &e);
			goto done;
		}
		for (size_t k = 0; k < n; k++) {
			W->truth[k] += (int64_t)vec[i][k];
			W->own_lo[k] += (int64_t)lo[k];
			W->own_hi[k] += (int64_t)hi[k];
			sum_lo[k] += lo[k];
			sum_hi[k] += hi[k];
		}
		for (int w = 0; w < FED_WATCH; w++) {
			W->own_lo_s[w][i][m] = (double)lo[W->watch[w]];
			W->own_hi_s[w][i][m] = (double)hi[W->watch[w]];
		}
	}
	if (fed_round(W, m, vec, total) != 0)
		goto done;
	/* The total is what honest members could give, and one member
	 * adding 1000 to a cell would be caught. */
	if (ls_secagg_total_check(&W->l, total, sum_lo, sum_hi, slack, &e) !=
	    LS_OK) {
		fed_fail(W, "total check", &e);
		goto done;
	}
	total[W->watch[FED_W_FLAT]] += 1000;
	if (ls_secagg_total_check(&W->l, total, sum_lo, sum_hi, slack, &e) !=
	    LS_EPOLICY) {
		fed_fail(W, "an inflated total passed the check", NULL);
		goto done;
	}
	total[W->watch[FED_W_FLAT]] -= 1000;
	if (W->sinks.round != NULL &&
	    W->sinks.round(W, W->sinks.ctx, m, (const uint64_t *const *)vec,
	                   total) != 0)
		goto done;
	rc = fed_fold(W, m, total);
done:
	for (size_t i = 0; i < FED_NM; i++)
		free(vec[i]);
	free(total);
	free(lo);
	free(hi);
	free(sum_lo);
	free(sum_hi);
	return rc;
}

static inline int fed_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of width / truth over the signals cells of a table with truth >
 * 0, for the 24-month totals. before: the sum of the municipalities' own
 * ranges; else the federation summary's interval as trends computes it
 * (ls_trends_value_interval: the noisy sum +- z sd, plus withheld cells'
 * [0, hi]). INFINITY when no cell has data. */
static inline double fed_median_ratio(const struct fed_sim *W, int table,
                                      int before)
{
	size_t n = W->l.n_themes * W->l.n_other[table], c = 0;
	double *r = calloc(n, sizeof *r), med;
	double var =
	    2.0 * (double)W->noise.mu[0].num / (double)W->noise.mu[0].den;
	if (r == NULL)
		return INFINITY;
	for (size_t i = 0; i < n; i++) {
		size_t k = W->l.offset[table] + i * SECAGG_MEASURES;
		double width;
		if (W->truth[k] <= 0)
			continue;
		if (before) {
			width = (double)(W->own_hi[k] - W->own_lo[k]);
		} else {
			double sd = sqrt(var * W->fed_noisy[k]);
			double lo = (double)W->fed_value[k] - TRENDS_Z90 * sd;
			double hi = (double)W->fed_value[k] + TRENDS_Z90 * sd +
			            (double)W->fed_hi_extra[k];
			width = hi - (lo > 0 ? lo : 0);
		}
		r[c++] = width / (double)W->truth[k];
	}
	qsort(r, c, sizeof *r, fed_cmp_double);
	med = c == 0 ? INFINITY : r[c / 2];
	free(r);
	return med;
}

/* The federation series' direction (ls_trends_slope, +1 rising). */
static inline int fed_direction(const struct fed_sim *W, int w)
{
	struct ls_trends_slope s;
	double var[FED_MONTHS];
	for (int m = 0; m < FED_MONTHS; m++)
		var[m] = 2.0 * (double)W->noise.mu[0].num /
		         (double)W->noise.mu[0].den;
	if (ls_trends_slope(W->fed_series[w], W->fed_series[w], var, FED_MONTHS,
	                    &s) != LS_OK)
		return -2;
	return s.direction;
}

/* In how many municipalities the cell rises, from their own ranges. */
static inline size_t fed_towns_rising(const struct fed_sim *W, int w)
{
	size_t n = 0;
	for (size_t i = 0; i < FED_NM; i++) {
		struct ls_trends_slope s;
		if (ls_trends_slope(W->own_lo_s[w][i], W->own_hi_s[w][i], NULL,
		                    FED_MONTHS, &s) == LS_OK)
			n += s.direction > 0;
	}
	return n;
}

/* Growth of the second year over the first in the federation series
 * (released totals are >= 0, so never below -100%). */
static inline double fed_growth(const struct fed_sim *W, int w, double *first,
                                double *second)
{
	*first = *second = 0;
	for (int m = 0; m < FED_MONTHS; m++)
		*(m < FED_MONTHS / 2 ? first : second) += W->fed_series[w][m];
	return *first > 0 ? (*second - *first) / *first : 0.0;
}

#endif
