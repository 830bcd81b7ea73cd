/*
 * Exact discrete Laplace noise, keyed per cell, and the budget arithmetic.
 *
 * Happy path for one cell: derive a 32-byte key with keyed BLAKE2b over the
 * cell's identity, start a ChaCha20 stream with it, and run the sampler of
 * Canonne, Kamath and Steinke ("The Discrete Gaussian for Differential
 * Privacy", 2020, algorithms 1 and 2) on that stream. Every step draws
 * uniform integers by rejection and compares integers, so the output
 * distribution is exactly the discrete Laplace distribution (up to the
 * pseudo-randomness of ChaCha20); there is no floating-point rounding that
 * could leak the true count through the low bits of the output.
 *
 * Failure modes: bad identities or parameters are LS_EINVAL before any
 * randomness is drawn; libsodium failing to start is LS_ECRYPTO.
 */
#include "core/noise.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

/* ---- the stream ------------------------------------------------------ */

void ls_noise_stream_init(struct noise_stream *st,
                          const uint8_t key[NOISE_KEY_BYTES])
{
	memcpy(st->key, key, NOISE_KEY_BYTES);
	st->block = 0;
	st->pos = sizeof st->buf; /* empty: refill on first use */
}

void ls_noise_stream_wipe(struct noise_stream *st)
{
	sodium_memzero(st, sizeof *st);
}

static void stream_refill(struct noise_stream *st)
{
	static const uint8_t zero[64];
	static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	/* Key stream block `block`: ChaCha20 of zeros from that counter. */
	crypto_stream_chacha20_xor_ic(st->buf, zero, sizeof st->buf, nonce,
	                              st->block, st->key);
	st->block++;
	st->pos = 0;
}

static uint64_t stream_u64(struct noise_stream *st)
{
	uint64_t v = 0;
	if (st->pos + 8 > sizeof st->buf)
		stream_refill(st);
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)st->buf[st->pos + i] << (8 * i);
	st->pos += 8;
	return v;
}

uint64_t ls_noise_uniform(struct noise_stream *st, uint64_t n)
{
	/* Accept r >= 2^64 mod n: the accepted range has a multiple of n
	 * values, so r mod n is exactly uniform. */
	uint64_t floor = (0 - n) % n;
	for (;;) {
		uint64_t r = stream_u64(st);
		if (r >= floor)
			return r % n;
	}
}

int ls_noise_bernoulli(struct noise_stream *st, uint64_t num, uint64_t den)
{
	return ls_noise_uniform(st, den) < num;
}

/* Bernoulli(exp(-num/den)) for 0 <= num/den <= 1: CKS algorithm 1. Draw
 * A_k ~ Bernoulli(gamma / k) for k = 1, 2, ... until one is 0; the
 * probability that this happens at an odd k is exp(-gamma). gamma / k is
 * drawn as Bernoulli(gamma) and Bernoulli(1/k), which never overflows. */
static int bernoulli_exp_le1(struct noise_stream *st, uint64_t num,
                             uint64_t den)
{
	uint64_t k = 1;
	for (;;) {
		if (!ls_noise_bernoulli(st, num, den))
			break;
		if (k > 1 && ls_noise_uniform(st, k) != 0)
			break;
		k++;
	}
	return (int)(k & 1);
}

int ls_noise_bernoulli_exp(struct noise_stream *st, uint64_t num, uint64_t den)
{
	/* exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))) */
	for (uint64_t i = num / den; i > 0; i--)
		if (!bernoulli_exp_le1(st, 1, 1))
			return 0;
	return bernoulli_exp_le1(st, num % den, den);
}

int64_t ls_noise_dlap(struct noise_stream *st, struct noise_scale s)
{
	/* CKS algorithm 2 with scale t/s where t = s.num and s = s.den. */
	uint64_t t = s.num, d = s.den;
	for (;;) {
		uint64_t u = ls_noise_uniform(st, t), v = 0, x, y;
		if (!ls_noise_bernoulli_exp(st, u, t))
			continue;
		/* V ~ Geometric(1 - exp(-1)); X = U + tV is geometric with
		 * parameter exp(-1/t). */
		while (ls_noise_bernoulli_exp(st, 1, 1))
			v++;
		if (v > (UINT64_C(1) << 62) / t) /* probability < e^-2^22 */
			continue;
		x = u + t * v;
		y = x / d; /* geometric with parameter exp(-d/t) */
		if (ls_noise_bernoulli(st, 1, 2)) {
			if (y == 0)
				continue; /* so that 0 is not counted twice */
			return -(int64_t)y;
		}
		return (int64_t)y;
	}
}

/* ---- cell keys ------------------------------------------------------- */

static void put_u32(crypto_generichash_state *h, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	                (uint8_t)(v >> 8), (uint8_t)v};
	crypto_generichash_update(h, b, sizeof b);
}

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
	put_u32(h, (uint32_t)(v >> 32));
	put_u32(h, (uint32_t)v);
}

/* A length-prefixed string, so that no two identities encode alike. */
static void put_str(crypto_generichash_state *h, const char *s, size_t len)
{
	uint8_t n = (uint8_t)len;
	crypto_generichash_update(h, &n, 1);
	crypto_generichash_update(h, (const uint8_t *)s, len);
}

static int scale_ok(struct noise_scale s)
{
	return s.num >= 1 && s.den >= 1 && s.num <= NOISE_SCALE_MAX_NUM &&
	       s.den <= NOISE_SCALE_MAX_DEN;
}

int ls_noise_cell_draw(const uint8_t secret[NOISE_SECRET_BYTES],
                       const struct noise_cell_id *id, struct noise_scale scale,
                       int64_t true_value, uint32_t epoch, int64_t *noise)
{
	static const char tag[] = "ls-noise-v1";
	crypto_generichash_state h;
	uint8_t key[NOISE_KEY_BYTES];
	struct noise_stream st;
	size_t lo, lt, lx;

	if (id->origin == NULL || id->theme == NULL || id->other == NULL)
		return LS_EINVAL;
	lo = strnlen(id->origin, LS_NODE_ID_SIZE);
	lt = strnlen(id->theme, LS_CODE_SIZE);
	lx = strnlen(id->other, LS_CODE_SIZE);
	if (lo > LS_NODE_ID_MAX || lt > LS_CODE_MAX || lx > LS_CODE_MAX ||
	    id->table < 0 || id->table >= LS_QUERY_TABLES || id->measure < 0 ||
	    id->measure >= LS_MEASURE_COUNT_ || !scale_ok(scale))
		return LS_EINVAL;
	if (sodium_init() < 0)
		return LS_ECRYPTO;

	crypto_generichash_init(&h, secret, NOISE_SECRET_BYTES, sizeof key);
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag);
	put_str(&h, id->origin, lo);
	put_u32(&h, (uint32_t)id->period.year);
	put_u32(&h, (uint32_t)id->period.month);
	put_u32(&h, (uint32_t)id->period.months);
	put_u32(&h, (uint32_t)id->table);
	put_u32(&h, (uint32_t)id->measure);
	put_str(&h, id->theme, lt);
	put_str(&h, id->other, lx);
	/* The scale is part of the key: the same stream under two scales
	 * would give correlated samples, which composition does not cover. */
	put_u64(&h, scale.num);
	put_u64(&h, scale.den);
	put_u64(&h, (uint64_t)true_value);
	put_u32(&h, epoch);
	crypto_generichash_final(&h, key, sizeof key);
	sodium_memzero(&h, sizeof h);

	ls_noise_stream_init(&st, key);
	sodium_memzero(key, sizeof key);
	*noise = ls_noise_dlap(&st, scale);
	ls_noise_stream_wipe(&st);
	return LS_OK;
}

/* ---- sensitivity, split and scales ----------------------------------- */

/* Shares of epsilon per (table, measure), out of 32: the theme signal
 * totals, which every trend and every federation total starts from, get
 * half (docs/DISCLOSURE.md 4.3 gives the error this buys: a federation
 * theme total over 12 months of the ten pilots is off by a median 18%,
 * where 4/16 gave 36%); the age, sector and problem signal counts keep
 * the scale they had; persons, target groups and the recurrence
 * indicators get the rest. Receivers recompute the scales from these
 * weights: changing them is a protocol change. */
static const uint32_t weights[LS_QUERY_TABLES][LS_MEASURE_COUNT_] = {
    [LS_TABLE_THEME] = {16, 3},        [LS_TABLE_THEME_AGE] = {2, 1},
    [LS_TABLE_THEME_TARGET] = {1, 1},  [LS_TABLE_THEME_SECTOR] = {2, 1},
    [LS_TABLE_THEME_PROBLEM] = {2, 1}, [LS_TABLE_RECURRENCE] = {1, 1},
};

static int query_ok(int table, int measure)
{
	return table >= 0 && table < LS_QUERY_TABLES && measure >= 0 &&
	       measure < LS_MEASURE_COUNT_;
}

uint32_t ls_noise_weight(int table, int measure)
{
	return query_ok(table, measure) ? weights[table][measure] : 0;
}

uint32_t ls_noise_weight_total(void)
{
	uint32_t w = 0;
	for (int t = 0; t < LS_QUERY_TABLES; t++)
		for (int m = 0; m < LS_MEASURE_COUNT_; m++)
			w += weights[t][m];
	return w;
}

uint64_t ls_noise_sensitivity(int table, int measure, uint32_t persons_cap,
                              size_t n_targets)
{
	uint64_t cells = LS_MAX_THEMES_PER_SIGNAL;
	if (!query_ok(table, measure))
		return 0;
	if (table == LS_TABLE_RECURRENCE)
		return cells; /* one new organisation or reporter per theme */
	if (table == LS_TABLE_THEME_TARGET)
		cells *= n_targets; /* every target group it names */
	return measure == LS_MEASURE_PERSONS ? cells * persons_cap : cells;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

int ls_noise_scale_for(uint32_t epsilon_milli, uint32_t persons_cap,
                       size_t n_targets, int table, int measure,
                       struct noise_scale *out)
{
	uint64_t sens, num, den, g;
	if (!query_ok(table, measure) || epsilon_milli == 0 ||
	    persons_cap == 0 || persons_cap > NOISE_PERSONS_CAP_MAX ||
	    n_targets == 0 || n_targets > NOISE_TARGETS_MAX)
		return LS_EINVAL;
	/* t = sens / (eps * w / W) = sens * W * 1000 / (eps_milli * w) */
	sens = ls_noise_sensitivity(table, measure, persons_cap, n_targets);
	num = sens * ls_noise_weight_total() * 1000;
	den = (uint64_t)epsilon_milli * ls_noise_weight(table, measure);
	g = gcd_u64(num, den);
	out->num = num / g;
	out->den = den / g;
	return scale_ok(*out) ? LS_OK : LS_EINVAL;
}

/* ---- intervals ------------------------------------------------------- */

int64_t ls_noise_halfwidth90(struct noise_scale s)
{
	/* P(|Z| > h) = 2 p^(h+1) / (1 + p) <= 0.1
	 *   <=> h + 1 >= t * ln(20 / (1 + p)), with ln p = -1/t. */
	double t = (double)s.num / (double)s.den;
	double p = exp(-1.0 / t);
	double need = t * log(20.0 / (1.0 + p));
	/* Round up, and a hair more, so floating-point error can only make
	 * the interval wider, never narrower. */
	int64_t h = (int64_t)ceil(need * (1.0 + 1e-12) + 1e-9) - 1;
	while (h > 0 && ls_noise_coverage(s, h - 1) >= 0.9 + 1e-9)
		h--;
	while (ls_noise_coverage(s, h) < 0.9)
		h++;
	return h < 0 ? 0 : h;
}

double ls_noise_coverage(struct noise_scale s, int64_t h)
{
	double t = (double)s.num / (double)s.den;
	double p = exp(-1.0 / t);
	if (h < 0)
		return 0.0;
	return 1.0 - 2.0 * exp(-(double)(h + 1) / t) / (1.0 + p);
}

double ls_noise_variance(struct noise_scale s)
{
	double t = (double)s.num / (double)s.den;
	double p = exp(-1.0 / t), q = -expm1(-1.0 / t); /* q = 1 - p */
	return 2.0 * p / (q * q);
}

/* ---- budget ---------------------------------------------------------- */

uint64_t ls_noise_release_cost(const struct ls_disclosure_params *p)
{
	return p->mode == LS_MODE_NOISE ? p->epsilon_milli : 0;
}

int ls_noise_budget_check(const struct noise_budget *b, uint64_t cost_milli,
                          struct ls_errinfo *e)
{
	uint64_t left;
	if (b->spent_milli > b->yearly_milli)
		return ls_errf(e, LS_EINVAL,
		               "budget ledger: spent %llu exceeds the yearly "
		               "budget %llu (milli-epsilon)",
		               (unsigned long long)b->spent_milli,
		               (unsigned long long)b->yearly_milli);
	left = b->yearly_milli - b->spent_milli;
	if (cost_milli > left)
		return ls_errf(e, LS_EBUDGET,
		               "release costs epsilon %llu.%03llu, only "
		               "%llu.%03llu of this year's %llu.%03llu is left",
		               (unsigned long long)(cost_milli / 1000),
		               (unsigned long long)(cost_milli % 1000),
		               (unsigned long long)(left / 1000),
		               (unsigned long long)(left % 1000),
		               (unsigned long long)(b->yearly_milli / 1000),
		               (unsigned long long)(b->yearly_milli % 1000));
	return LS_OK;
}
