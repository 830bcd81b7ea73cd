/*
 * core/secagg and proto/secagg: the vector layout, masks that cancel,
 * dropouts at every point, bounds, the exact Skellam shares and their
 * privacy accounting.
 *
 * Statistical checks use fixed keys, so every run draws the same samples:
 * the tests are deterministic; thresholds are set so that a correct
 * sampler passes with a wide margin while a wrong mean, a missing share
 * or a biased sign fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "core/secagg.h"
#include "proto/secagg.h"
#include "tests/unit/synth.h"

#define MAXP 12

struct party {
	char id[LS_NODE_ID_SIZE];
	uint8_t secret[LS_SECAGG_SECRET_BYTES];
	uint8_t sk[LS_X25519_BYTES], pk[LS_X25519_BYTES];
	uint64_t *x;     /* true vector */
	uint64_t *y;     /* masked contribution */
	int in_keys;     /* announced a key */
	int contributed; /* its masked vector arrived */
};

struct world {
	struct synth_domain sd;
	struct secagg_layout l;
	uint8_t round_id[LS_SECAGG_ID_BYTES];
	size_t n;
	struct party p[MAXP];
	struct ls_secagg_member keys[MAXP];
	size_t n_keys;
	size_t key_of[MAXP]; /* party -> index in keys */
};

static const char *const names[MAXP] = {
    "berlaar",   "bornem",       "dendermonde", "eeklo",
    "gent",      "kortrijk",     "mortsel",     "oud-turnhout",
    "roeselare", "sint-niklaas", "zulte",       "zwevegem"};

static void world_init(struct world *w, size_t n, uint64_t seed)
{
	struct synth_rng r = {seed};
	memset(w, 0, sizeof *w);
	synth_domain_init(&w->sd, NULL);
	assert_int_equal(ls_secagg_layout_init(&w->l, &w->sd.dom, NULL), LS_OK);
	randombytes_buf_deterministic(w->round_id, sizeof w->round_id,
	                              (const uint8_t[32]){(uint8_t)seed});
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		struct party *p = &w->p[i];
		strcpy(p->id, names[i]);
		memset(p->secret, (int)(i + 1), sizeof p->secret);
		p->x = calloc(w->l.n_entries, sizeof *p->x);
		p->y = calloc(w->l.n_entries, sizeof *p->y);
		assert_non_null(p->x);
		assert_non_null(p->y);
		for (size_t k = 0; k < w->l.n_entries; k++)
			p->x[k] =
			    synth_below(&r, 4) == 0 ? synth_below(&r, 30) : 0;
		assert_int_equal(proto_secagg_ephemeral(p->secret, w->round_id,
		                                        p->sk, p->pk),
		                 LS_OK);
	}
}

static void world_fini(struct world *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->p[i].x);
		free(w->p[i].y);
	}
}

/* The key set: the parties that announced, in id order (names are
 * sorted already). */
static void keyset(struct world *w)
{
	w->n_keys = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (!w->p[i].in_keys)
			continue;
		w->key_of[i] = w->n_keys;
		strcpy(w->keys[w->n_keys].id, w->p[i].id);
		memcpy(w->keys[w->n_keys].pk, w->p[i].pk, LS_X25519_BYTES);
		w->n_keys++;
	}
}

static void contribute(struct world *w, size_t i)
{
	struct party *p = &w->p[i];
	uint8_t self[LS_SECAGG_SEED_BYTES];
	memcpy(p->y, p->x, w->l.n_entries * sizeof *p->y);
	proto_secagg_derive(p->secret, w->round_id, LS_SECAGG_SELF, self);
	assert_int_equal(proto_secagg_mask(w->round_id, w->keys, w->n_keys,
	                                   w->key_of[i], p->sk, self, p->y,
	                                   w->l.n_entries),
	                 LS_OK);
	p->contributed = 1;
}

/* Unmask the contributions of the parties that contributed; every
 * contributor reveals its self seed and its seeds with the members that
 * announced a key but did not contribute. Returns the unmask result and
 * the total in *sum (n_entries, caller frees). */
static int aggregate(struct world *w, uint64_t **sum_out)
{
	uint8_t included[MAXP] = {0};
	uint8_t self[MAXP][LS_SECAGG_SEED_BYTES];
	struct ls_secagg_pair_reveal pr[MAXP][MAXP];
	const struct ls_secagg_pair_reveal *prp[MAXP];
	size_t npr[MAXP] = {0};
	uint64_t *sum = calloc(w->l.n_entries, sizeof *sum);
	int rc;

	assert_non_null(sum);
	for (size_t i = 0; i < w->n; i++) {
		struct party *p = &w->p[i];
		size_t k;
		if (!p->in_keys)
			continue;
		k = w->key_of[i];
		prp[k] = pr[k];
		if (!p->contributed)
			continue;
		included[k] = 1;
		ls_secagg_vec_add(sum, p->y, w->l.n_entries);
		proto_secagg_derive(p->secret, w->round_id, LS_SECAGG_SELF,
		                    self[k]);
		for (size_t j = 0; j < w->n; j++) {
			if (!w->p[j].in_keys || w->p[j].contributed)
				continue;
			strcpy(pr[k][npr[k]].peer, w->p[j].id);
			assert_int_equal(proto_secagg_pair_seed(
			                     w->round_id, p->id, p->sk, p->pk,
			                     w->p[j].id, w->p[j].pk,
			                     pr[k][npr[k]].seed),
			                 LS_OK);
			npr[k]++;
		}
	}
	rc = proto_secagg_unmask(w->round_id, w->keys, w->n_keys, included,
	                         (const uint8_t(*)[LS_SECAGG_SEED_BYTES])self,
	                         prp, npr, sum, w->l.n_entries, NULL);
	*sum_out = sum;
	return rc;
}

static void assert_total_of_contributors(struct world *w, const uint64_t *sum)
{
	for (size_t k = 0; k < w->l.n_entries; k++) {
		uint64_t want = 0;
		for (size_t i = 0; i < w->n; i++)
			if (w->p[i].contributed)
				want += w->p[i].x[k];
		assert_int_equal(sum[k], want);
	}
}

/* ---- layout ---------------------------------------------------------- */

static void test_layout(void **state)
{
	struct synth_domain sd, rev;
	struct secagg_layout a, b;
	(void)state;
	synth_domain_init(&sd, NULL);
	assert_int_equal(ls_secagg_layout_init(&a, &sd.dom, NULL), LS_OK);
	/* 18 themes x (1 + 6 ages + 11 targets + 12 sectors + 7 problem
	 * types with "geen") x 2 measures. */
	assert_int_equal(a.n_entries, 18 * (1 + 6 + 11 + 12 + 7) * 2);

	/* The same codes in another order: the same layout and digest. */
	rev = sd;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = sd.dom.n_codes[t];
		for (size_t i = 0; i < n; i++)
			rev.ptr[t][i] = sd.codes[t][n - 1 - i];
		rev.dom.codes[t] = rev.ptr[t];
	}
	assert_int_equal(ls_secagg_layout_init(&b, &rev.dom, NULL), LS_OK);
	assert_memory_equal(a.digest, b.digest, sizeof a.digest);

	for (size_t i = 0; i < a.n_entries; i++) {
		int t, m;
		const char *theme, *other;
		size_t back;
		ls_secagg_layout_describe(&a, i, &t, &theme, &other, &m);
		assert_int_equal(
		    ls_secagg_layout_index(&a, t, theme, other, m, &back),
		    LS_OK);
		assert_int_equal(back, i);
	}
	size_t idx;
	assert_int_equal(ls_secagg_layout_index(&a, LS_TABLE_THEME_AGE, "wonen",
	                                        "99-99", 0, &idx),
	                 LS_ENOTFOUND);

	/* A duplicate code changes the meaning: refused. */
	rev.ptr[LS_TABLE_THEME_AGE][0] = rev.ptr[LS_TABLE_THEME_AGE][1];
	assert_int_equal(ls_secagg_layout_init(&b, &rev.dom, NULL), LS_EINVAL);
}

static void test_vector_from_raw(void **state)
{
	struct synth_domain sd;
	struct synth_world sw;
	struct synth_signal sig[200];
	struct synth_rng r = {7};
	struct secagg_layout l;
	struct ls_summary raw;
	uint64_t *v;
	struct ls_errinfo e;
	(void)state;

	synth_domain_init(&sd, NULL);
	assert_int_equal(ls_secagg_layout_init(&l, &sd.dom, NULL), LS_OK);
	synth_world_init(&sw, &r, &sd, 20, 40);
	for (size_t i = 0; i < 200; i++)
		synth_signal_random(&sig[i], &r, &sd, &sw, 30);
	ls_summary_init(&raw);
	assert_int_equal(synth_summarise(&sd, &sw, sig, 200, 10, 0, &raw, NULL),
	                 0);
	raw.params.persons_cap = 10;
	v = calloc(l.n_entries, sizeof *v);
	assert_non_null(v);
	assert_int_equal(ls_secagg_vector_from_raw(&l, &raw, v, &e), LS_OK);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t i = 0; i < raw.tables[t].n_rows; i++) {
			struct ls_summary_row *row = &raw.tables[t].rows[i];
			size_t s, p;
			assert_int_equal(
			    ls_secagg_layout_index(&l, t, row->theme,
			                           row->other, 0, &s),
			    LS_OK);
			assert_int_equal(
			    ls_secagg_layout_index(&l, t, row->theme,
			                           row->other, 1, &p),
			    LS_OK);
			assert_int_equal(v[s], row->signals.value);
			assert_int_equal(v[p], row->persons.value);
		}

	/* A released (range) cell is no input. */
	raw.tables[0].rows[0].signals.kind = LS_CELL_RANGE;
	assert_int_equal(ls_secagg_vector_from_raw(&l, &raw, v, &e), LS_EINVAL);
	raw.tables[0].rows[0].signals.kind = LS_CELL_EXACT;
	/* Persons above cap x count limit, and unknown codes. */
	raw.tables[0].rows[0].persons.value =
	    (int64_t)DISCLOSURE_COUNT_MAX * 10 + 1;
	assert_int_equal(ls_secagg_vector_from_raw(&l, &raw, v, &e), LS_EINVAL);
	raw.tables[0].rows[0].persons.value = 1;
	strcpy(raw.tables[1].rows[0].other, "nope");
	assert_int_equal(ls_secagg_vector_from_raw(&l, &raw, v, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "domain"));
	free(v);
	ls_summary_fini(&raw);
}

/* ---- masks ----------------------------------------------------------- */

static void test_masks_cancel(void **state)
{
	struct world w;
	uint64_t *sum;
	(void)state;
	world_init(&w, 7, 1);
	for (size_t i = 0; i < w.n; i++)
		w.p[i].in_keys = 1;
	keyset(&w);
	for (size_t i = 0; i < w.n; i++)
		contribute(&w, i);
	/* A masked vector alone says nothing recognisable: no entry of a
	 * contribution equals its true count except by chance (2^-64). */
	for (size_t i = 0; i < w.n; i++) {
		size_t same = 0;
		for (size_t k = 0; k < w.l.n_entries; k++)
			same += w.p[i].y[k] == w.p[i].x[k];
		assert_int_equal(same, 0);
	}
	assert_int_equal(aggregate(&w, &sum), LS_OK);
	assert_total_of_contributors(&w, sum);
	free(sum);

	/* Without a self seed revealed (a member that went silent after
	 * the close) the total is garbage, not a total without it. */
	{
		uint64_t *sum2 = calloc(w.l.n_entries, sizeof *sum2);
		assert_non_null(sum2);
		for (size_t i = 0; i < w.n; i++)
			ls_secagg_vec_add(sum2, w.p[i].y, w.l.n_entries);
		size_t same = 0;
		for (size_t k = 0; k < w.l.n_entries; k++) {
			uint64_t want = 0;
			for (size_t i = 0; i < w.n; i++)
				want += w.p[i].x[k];
			same += sum2[k] == want;
		}
		assert_int_equal(same, 0);
		free(sum2);
	}
	world_fini(&w);
}

/* Every drop point, for every single member and for pairs of members:
 *  - before announcing a key: not in the key set, nobody masks with it;
 *  - after announcing, before contributing: the survivors reveal their
 *    seeds with it and the aggregator removes them;
 *  - after contributing (before the close): the aggregator treats it as
 *    included (it counts; only the reveals are needed).
 * The total is always the exact sum over the contributors. */
static void test_every_drop_point(void **state)
{
	const size_t n = 6;
	(void)state;
	for (int point = 0; point < 2; point++) {
		for (size_t a = 0; a < n; a++) {
			for (size_t b = a; b < n; b++) {
				struct world w;
				uint64_t *sum;
				world_init(&w, n, 100 + a * 10 + b);
				for (size_t i = 0; i < n; i++)
					w.p[i].in_keys =
					    !(point == 0 && (i == a || i == b));
				keyset(&w);
				for (size_t i = 0; i < n; i++)
					if (w.p[i].in_keys && i != a && i != b)
						contribute(&w, i);
				assert_int_equal(aggregate(&w, &sum), LS_OK);
				assert_total_of_contributors(&w, sum);
				free(sum);
				world_fini(&w);
			}
		}
	}
}

/* The aggregator refuses reveals that do not name exactly the dropped
 * members: revealing a seed with an included member would expose it. */
static void test_reveal_must_match_dropped(void **state)
{
	struct world w;
	uint8_t included[MAXP] = {1, 1, 0, 1};
	uint8_t self[MAXP][LS_SECAGG_SEED_BYTES] = {{0}};
	struct ls_secagg_pair_reveal pr[MAXP][MAXP];
	const struct ls_secagg_pair_reveal *prp[MAXP];
	size_t npr[MAXP] = {1, 1, 0, 1};
	uint64_t *sum;
	struct ls_errinfo e;
	(void)state;

	world_init(&w, 4, 3);
	for (size_t i = 0; i < 4; i++)
		w.p[i].in_keys = 1;
	keyset(&w);
	sum = calloc(w.l.n_entries, sizeof *sum);
	assert_non_null(sum);
	for (size_t i = 0; i < 4; i++) {
		prp[i] = pr[i];
		strcpy(pr[i][0].peer, names[2]);
	}
	/* Member 1 names an included member instead of the dropped one. */
	strcpy(pr[1][0].peer, names[3]);
	assert_int_equal(
	    proto_secagg_unmask(w.round_id, w.keys, 4, included,
	                        (const uint8_t(*)[LS_SECAGG_SEED_BYTES])self,
	                        prp, npr, sum, w.l.n_entries, &e),
	    LS_EINVAL);
	for (size_t k = 0; k < w.l.n_entries; k++)
		assert_int_equal(sum[k], 0); /* untouched */
	/* One seed too many. */
	strcpy(pr[1][0].peer, names[2]);
	strcpy(pr[1][1].peer, names[3]);
	npr[1] = 2;
	assert_int_equal(
	    proto_secagg_unmask(w.round_id, w.keys, 4, included,
	                        (const uint8_t(*)[LS_SECAGG_SEED_BYTES])self,
	                        prp, npr, sum, w.l.n_entries, &e),
	    LS_EINVAL);
	free(sum);
	world_fini(&w);
}

static void test_pair_seed(void **state)
{
	struct world w;
	uint8_t s1[32], s2[32], low[32] = {0};
	uint8_t other_round[LS_SECAGG_ID_BYTES];
	(void)state;
	world_init(&w, 3, 4);
	assert_int_equal(proto_secagg_pair_seed(w.round_id, "berlaar",
	                                        w.p[0].sk, w.p[0].pk, "bornem",
	                                        w.p[1].pk, s1),
	                 LS_OK);
	assert_int_equal(proto_secagg_pair_seed(w.round_id, "bornem", w.p[1].sk,
	                                        w.p[1].pk, "berlaar", w.p[0].pk,
	                                        s2),
	                 LS_OK);
	assert_memory_equal(s1, s2, 32);
	/* Another round: another seed (ephemeral keys are per round, and
	 * the round id is hashed in even with the same keys). */
	memcpy(other_round, w.round_id, sizeof other_round);
	other_round[0] ^= 1;
	assert_int_equal(proto_secagg_pair_seed(other_round, "bornem",
	                                        w.p[1].sk, w.p[1].pk, "berlaar",
	                                        w.p[0].pk, s2),
	                 LS_OK);
	assert_memory_not_equal(s1, s2, 32);
	/* A low-order peer key (all zero) would make the seed public. */
	assert_int_equal(proto_secagg_pair_seed(w.round_id, "berlaar",
	                                        w.p[0].sk, w.p[0].pk, "bornem",
	                                        low, s1),
	                 LS_ECRYPTO);
	assert_int_equal(proto_secagg_pair_seed(w.round_id, "berlaar",
	                                        w.p[0].sk, w.p[0].pk, "berlaar",
	                                        w.p[1].pk, s1),
	                 LS_EINVAL);
	/* Resumable: the same secret and round give the same key. */
	{
		uint8_t sk[32], pk[32];
		assert_int_equal(
		    proto_secagg_ephemeral(w.p[0].secret, w.round_id, sk, pk),
		    LS_OK);
		assert_memory_equal(pk, w.p[0].pk, 32);
	}
	/* A key set whose own entry is not the participant's key. */
	w.p[0].in_keys = w.p[1].in_keys = 1;
	keyset(&w);
	{
		uint8_t self[32] = {0};
		assert_int_equal(proto_secagg_mask(w.round_id, w.keys, 2, 0,
		                                   w.p[1].sk, self, w.p[0].y,
		                                   w.l.n_entries),
		                 LS_EINVAL);
		struct ls_secagg_member swapped[2] = {w.keys[1], w.keys[0]};
		assert_int_equal(proto_secagg_mask(w.round_id, swapped, 2, 1,
		                                   w.p[0].sk, self, w.p[0].y,
		                                   w.l.n_entries),
		                 LS_EINVAL);
	}
	world_fini(&w);
}

/* ---- bounds ---------------------------------------------------------- */

static void test_bounds(void **state)
{
	struct synth_domain sd;
	struct secagg_layout l;
	struct ls_summary rel;
	uint64_t *lo, *hi, *v;
	struct ls_errinfo e;
	size_t s, p;
	(void)state;

	synth_domain_init(&sd, NULL);
	assert_int_equal(ls_secagg_layout_init(&l, &sd.dom, NULL), LS_OK);
	lo = calloc(l.n_entries, sizeof *lo);
	hi = calloc(l.n_entries, sizeof *hi);
	v = calloc(l.n_entries, sizeof *v);
	assert_true(lo && hi && v);

	/* A threshold release with one theme row: 1-4 signals, 1-40
	 * persons. Every other entry is bounded to 0. */
	ls_summary_init(&rel);
	rel.params.mode = LS_MODE_THRESHOLD;
	rel.params.k = 5;
	rel.params.persons_cap = 10;
	rel.tables[0].rows = calloc(1, sizeof *rel.tables[0].rows);
	assert_non_null(rel.tables[0].rows);
	rel.tables[0].n_rows = 1;
	strcpy(rel.tables[0].rows[0].theme, sd.codes[0][3]);
	rel.tables[0].rows[0].signals =
	    (struct ls_cell){LS_CELL_RANGE, 0, 1, 4};
	rel.tables[0].rows[0].persons =
	    (struct ls_cell){LS_CELL_RANGE, 0, 1, 40};
	assert_int_equal(
	    ls_secagg_bounds_from_release(&l, &rel, 10, lo, hi, &e), LS_OK);
	assert_int_equal(
	    ls_secagg_layout_index(&l, 0, sd.codes[0][3], "", 0, &s), LS_OK);
	p = s + 1;
	v[s] = 4;
	v[p] = 40;
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_OK);
	v[s] = 5; /* more than it released as its maximum */
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, sd.codes[0][3]));
	v[s] = 0; /* less than its minimum */
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_EPOLICY);
	v[s] = 2;
	v[p + 2] = 1; /* a cell it released nothing for */
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_EPOLICY);
	v[p + 2] = 0;
	v[p] = UINT64_MAX; /* a "negative" entry wrapped modulo 2^64 */
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_EPOLICY);

	/* Structural bounds without a threshold release. */
	assert_int_equal(
	    ls_secagg_bounds_from_release(&l, NULL, 10, lo, hi, &e), LS_OK);
	assert_int_equal(hi[s], DISCLOSURE_COUNT_MAX);
	assert_int_equal(hi[p], (uint64_t)DISCLOSURE_COUNT_MAX * 10);
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_EPOLICY);
	v[p] = 20;
	assert_int_equal(ls_secagg_vector_check(&l, v, lo, hi, &e), LS_OK);

	/* A release with a code outside the layout is no bound. */
	strcpy(rel.tables[0].rows[0].theme, "nope");
	assert_int_equal(
	    ls_secagg_bounds_from_release(&l, &rel, 10, lo, hi, &e), LS_EINVAL);
	ls_summary_fini(&rel);
	free(lo);
	free(hi);
	free(v);
}

/* ---- noise ----------------------------------------------------------- */

static double poisson_pmf(double mu, uint64_t k)
{
	return exp((double)k * log(mu) - mu - lgamma((double)k + 1));
}

/* Chi-square of observed counts against expected probabilities over
 * bins; bins with an expected count below 5 are pooled into the tails. */
static double chi2(const uint64_t *obs, const double *p, size_t nb, uint64_t n,
                   size_t *df)
{
	double x = 0, eo = 0, oo = 0;
	*df = 0;
	for (size_t i = 0; i < nb; i++) {
		double ex = p[i] * (double)n;
		eo += ex;
		oo += (double)obs[i];
		if (eo < 5)
			continue;
		x += (oo - eo) * (oo - eo) / eo;
		(*df)++;
		eo = oo = 0;
	}
	if (eo > 0)
		x += (oo - eo) * (oo - eo) / (eo > 1e-9 ? eo : 1e-9);
	return x;
}

static void test_poisson_exact(void **state)
{
	static const struct secagg_rational mus[] = {
	    {1, 7}, {1, 2}, {3, 1}, {25, 2}};
	(void)state;
	for (size_t m = 0; m < sizeof mus / sizeof mus[0]; m++) {
		enum { N = 40000, B = 64 };
		uint64_t obs[B] = {0};
		double p[B], mu = (double)mus[m].num / (double)mus[m].den;
		double sum = 0, sq = 0, x;
		uint8_t key[NOISE_KEY_BYTES];
		struct noise_stream st;
		size_t df;
		memset(key, (int)(m + 10), sizeof key);
		ls_noise_stream_init(&st, key);
		for (int i = 0; i < N; i++) {
			uint64_t k =
			    ls_secagg_poisson(&st, mus[m].num, mus[m].den);
			sum += (double)k;
			sq += (double)k * (double)k;
			obs[k < B - 1 ? k : B - 1]++;
		}
		for (int k = 0; k < B; k++)
			p[k] = poisson_pmf(mu, (uint64_t)k);
		x = chi2(obs, p, B, N, &df);
		/* Mean within 5 standard errors; chi-square far below its
		 * 1e-6 tail (df <= 40: about 90). */
		assert_true(fabs(sum / N - mu) < 5 * sqrt(mu / N));
		assert_true(fabs(sq / N - (sum / N) * (sum / N) - mu) <
		            0.1 * mu + 0.02);
		assert_true(x < 90);
		ls_noise_stream_wipe(&st);
	}
}

/* The sum of n participants' shares is Skellam(mu, mu): checked against
 * the exact distribution, for the signals measure. */
static void test_noise_shares_sum_to_skellam(void **state)
{
	struct synth_domain sd;
	struct secagg_layout l;
	struct secagg_noise nz = {{{9, 2}, {0, 1}}}; /* mu 4.5, persons 0 */
	enum { PARTIES = 5, B = 61 };
	int64_t *share, *total;
	uint64_t obs[B] = {0};
	double p[B], x, var = 0;
	size_t df, n = 0;
	(void)state;

	synth_domain_init(&sd, NULL);
	assert_int_equal(ls_secagg_layout_init(&l, &sd.dom, NULL), LS_OK);
	share = calloc(l.n_entries, sizeof *share);
	total = calloc(l.n_entries, sizeof *total);
	assert_true(share && total);
	for (int round = 0; round < 20; round++) {
		memset(total, 0, l.n_entries * sizeof *total);
		for (int i = 0; i < PARTIES; i++) {
			uint8_t key[NOISE_KEY_BYTES];
			memset(key, round * PARTIES + i + 1, sizeof key);
			assert_int_equal(ls_secagg_noise_shares(&l, &nz,
			                                        PARTIES, key,
			                                        share, NULL),
			                 LS_OK);
			for (size_t k = 0; k < l.n_entries; k++)
				total[k] += share[k];
		}
		for (size_t k = 0; k < l.n_entries; k += 2) {
			int64_t z = total[k] + B / 2;
			obs[z < 0 ? 0 : z >= B ? B - 1 : z]++;
			var += (double)(total[k] * total[k]);
			n++;
			/* persons: mu 0, no noise at all */
			assert_int_equal(total[k + 1], 0);
		}
	}
	for (int z = 0; z < B; z++)
		p[z] = ls_secagg_skellam_pmf(4.5, z - B / 2);
	x = chi2(obs, p, B, n, &df);
	assert_true(x < 90);
	/* variance 2 mu = 9 */
	assert_true(fabs(var / (double)n - 9.0) < 0.5);

	/* Deterministic: the same key gives the same shares (a resumed
	 * round adds the same noise). */
	{
		uint8_t key[NOISE_KEY_BYTES];
		int64_t *again = calloc(l.n_entries, sizeof *again);
		assert_non_null(again);
		memset(key, 77, sizeof key);
		assert_int_equal(
		    ls_secagg_noise_shares(&l, &nz, 3, key, share, NULL),
		    LS_OK);
		assert_int_equal(
		    ls_secagg_noise_shares(&l, &nz, 3, key, again, NULL),
		    LS_OK);
		assert_memory_equal(share, again, l.n_entries * sizeof *share);
		free(again);
	}
	/* Bad parameters. */
	{
		uint8_t key[NOISE_KEY_BYTES] = {0};
		struct secagg_noise bad = {{{1, 0}, {1, 1}}};
		assert_int_equal(
		    ls_secagg_noise_shares(&l, &bad, 3, key, share, NULL),
		    LS_EINVAL);
		assert_int_equal(
		    ls_secagg_noise_shares(&l, &nz, 0, key, share, NULL),
		    LS_EINVAL);
	}
	free(share);
	free(total);
}

static void test_skellam_accounting(void **state)
{
	struct secagg_noise small = {{{2, 1}, {200, 1}}};
	struct secagg_noise big = {{{50, 1}, {5000, 1}}};
	uint32_t cells[2] = {1, 0}, sens[2] = {1, 10};
	double e1, e2, e3;
	(void)state;
	/* The pmf sums to 1 and is symmetric. */
	{
		double s = 0;
		for (int z = -60; z <= 60; z++)
			s += ls_secagg_skellam_pmf(4.0, z);
		assert_true(fabs(s - 1) < 1e-9);
		assert_true(fabs(ls_secagg_skellam_pmf(4.0, 3) -
		                 ls_secagg_skellam_pmf(4.0, -3)) < 1e-15);
	}
	/* 90% half-width: for mu = 50 (sd 10) about 1.645 sd. */
	{
		int64_t h = ls_secagg_skellam_halfwidth90(50);
		assert_true(h >= 16 && h <= 17);
		assert_int_equal(ls_secagg_skellam_halfwidth90(0), 0);
	}
	/* More noise, smaller epsilon; more cells, larger epsilon. */
	e1 = ls_secagg_noise_epsilon(&small, cells, sens, 1e-6);
	e2 = ls_secagg_noise_epsilon(&big, cells, sens, 1e-6);
	assert_true(e2 < e1);
	cells[0] = 36;
	e3 = ls_secagg_noise_epsilon(&big, cells, sens, 1e-6);
	assert_true(e3 > e2);
	/* Close to the Gaussian with the same variance for large mu:
	 * sigma^2 = 100, one cell of sensitivity 1: sqrt(2 ln(1/delta)) /
	 * sigma-ish, well under 1 and above 0.4. */
	assert_true(e2 > 0.4 && e2 < 0.8);
	/* No noise on a measure a signal moves: no guarantee. */
	{
		struct secagg_noise none = {{{0, 1}, {0, 1}}};
		assert_true(
		    isinf(ls_secagg_noise_epsilon(&none, cells, sens, 1e-6)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_vector_from_raw),
	    cmocka_unit_test(test_masks_cancel),
	    cmocka_unit_test(test_every_drop_point),
	    cmocka_unit_test(test_reveal_must_match_dropped),
	    cmocka_unit_test(test_pair_seed),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_poisson_exact),
	    cmocka_unit_test(test_noise_shares_sum_to_skellam),
	    cmocka_unit_test(test_skellam_accounting),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
