/*
 * Secure aggregation arithmetic: the canonical vector layout, raw
 * summaries as vectors, bounds, modular sums and exact Skellam shares.
 *
 * Happy path of a participant: ls_secagg_layout_init() on the federation's
 * domain, ls_secagg_vector_from_raw() on its raw summary,
 * ls_secagg_vector_check() against ls_secagg_bounds_from_release() of its own
 * release, ls_secagg_noise_shares() added with ls_secagg_vec_add_signed(); the
 * masks come from proto/secagg.c. Failure modes: malformed input is
 * LS_EINVAL with the row or entry named; nothing is half-written that a
 * caller would use (vectors are the caller's and are unspecified after an
 * error).
 */
#include "core/secagg.h"

#include "common/alloc.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- layout ---------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void digest_str(crypto_generichash_state *h, const char *s)
{
	/* Length-prefixed, so that code boundaries are unambiguous. */
	uint8_t n = (uint8_t)strlen(s);
	crypto_generichash_update(h, &n, 1);
	crypto_generichash_update(h, (const uint8_t *)s, n);
}

int ls_secagg_layout_init(struct secagg_layout *l, const struct ls_domain *dom,
                          struct ls_errinfo *e)
{
	static const char tag[] = "ls-secagg-layout-v1";
	crypto_generichash_state h;
	size_t off = 0;

	memset(l, 0, sizeof *l);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = dom->n_codes[t];
		if (n == 0 || n > DISCLOSURE_MAX_CODES)
			return ls_errf(e, n == 0 ? LS_EINVAL : LS_ELIMIT,
			               "secagg: table %d has %zu codes", t, n);
		for (size_t i = 0; i < n; i++) {
			const char *c = dom->codes[t][i];
			if (c == NULL || !ls_code_valid(c, strlen(c)))
				return ls_errf(e, LS_EINVAL,
				               "secagg: bad code in table %d",
				               t);
		}
	}
	l->n_themes = dom->n_codes[LS_TABLE_THEME];
	memcpy(l->themes, dom->codes[LS_TABLE_THEME],
	       l->n_themes * sizeof *l->themes);
	qsort(l->themes, l->n_themes, sizeof *l->themes, cmp_str);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const char *const *src =
		    t == LS_TABLE_THEME ? l->themes : dom->codes[t];
		size_t n = dom->n_codes[t];
		if (t == LS_TABLE_THEME) {
			l->other[t][0] = "";
			l->n_other[t] = 1;
		} else {
			memcpy(l->other[t], src, n * sizeof *src);
			qsort(l->other[t], n, sizeof *src, cmp_str);
			l->n_other[t] = n;
		}
		const char *const *sorted =
		    t == LS_TABLE_THEME ? l->themes : l->other[t];
		for (size_t i = 1; i < n; i++)
			if (strcmp(sorted[i - 1], sorted[i]) == 0)
				return ls_errf(e, LS_EINVAL,
				               "secagg: code %s twice in table "
				               "%d",
				               sorted[i], t);
		l->offset[t] = off;
		off += l->n_themes * l->n_other[t] * SECAGG_MEASURES;
	}
	if (off > LS_SECAGG_MAX_ENTRIES)
		return ls_errf(e, LS_ELIMIT, "secagg: %zu entries (max %d)",
		               off, LS_SECAGG_MAX_ENTRIES);
	l->n_entries = off;

	crypto_generichash_init(&h, NULL, 0, sizeof l->digest);
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag - 1);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const char *const *sorted =
		    t == LS_TABLE_THEME ? l->themes : l->other[t];
		uint8_t tb = (uint8_t)t;
		crypto_generichash_update(&h, &tb, 1);
		for (size_t i = 0; i < dom->n_codes[t]; i++)
			digest_str(&h, sorted[i]);
	}
	crypto_generichash_final(&h, l->digest, sizeof l->digest);
	return LS_OK;
}

static int find_sorted(const char *const *codes, size_t n, const char *code,
                       size_t *out)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(codes[mid], code);
		if (c == 0) {
			*out = mid;
			return LS_OK;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return LS_ENOTFOUND;
}

int ls_secagg_layout_index(const struct secagg_layout *l, int table,
                           const char *theme, const char *other, int measure,
                           size_t *idx)
{
	size_t ti, oi = 0;
	if (table < 0 || table >= LS_TABLE_COUNT_ || measure < 0 ||
	    measure >= SECAGG_MEASURES)
		return LS_ENOTFOUND;
	if (find_sorted(l->themes, l->n_themes, theme, &ti) != LS_OK)
		return LS_ENOTFOUND;
	if (table == LS_TABLE_THEME) {
		if (other[0] != '\0')
			return LS_ENOTFOUND;
	} else if (find_sorted(l->other[table], l->n_other[table], other,
	                       &oi) != LS_OK) {
		return LS_ENOTFOUND;
	}
	*idx = l->offset[table] +
	       (ti * l->n_other[table] + oi) * SECAGG_MEASURES +
	       (size_t)measure;
	return LS_OK;
}

void ls_secagg_layout_describe(const struct secagg_layout *l, size_t idx,
                               int *table, const char **theme,
                               const char **other, int *measure)
{
	int t = LS_TABLE_COUNT_ - 1;
	while (t > 0 && idx < l->offset[t])
		t--;
	size_t rel = idx - l->offset[t];
	size_t row = rel / SECAGG_MEASURES;
	*table = t;
	*measure = (int)(rel % SECAGG_MEASURES);
	*theme = l->themes[row / l->n_other[t]];
	*other = l->other[t][row % l->n_other[t]];
}

/* ---- vectors --------------------------------------------------------- */

int ls_secagg_vector_from_raw(const struct secagg_layout *l,
                              const struct ls_summary *raw, uint64_t *vec,
                              struct ls_errinfo *e)
{
	uint32_t cap = raw->params.persons_cap;

	memset(vec, 0, l->n_entries * sizeof *vec);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tb = &raw->tables[t];
		for (size_t r = 0; r < tb->n_rows; r++) {
			const struct ls_summary_row *row = &tb->rows[r];
			const struct ls_cell *c[2] = {&row->signals,
			                              &row->persons};
			size_t idx;
			for (int m = 0; m < SECAGG_MEASURES; m++) {
				int64_t max = DISCLOSURE_COUNT_MAX;
				if (m == LS_MEASURE_PERSONS)
					max *= cap == 0 ? 1 : cap;
				if (c[m]->kind != LS_CELL_EXACT ||
				    c[m]->value < 0 || c[m]->value > max)
					return ls_errf(e, LS_EINVAL,
					               "secagg: table %d row "
					               "%s/%s: not an exact "
					               "count in range",
					               t, row->theme,
					               row->other);
				if (ls_secagg_layout_index(l, t, row->theme,
				                           row->other, m,
				                           &idx) != LS_OK)
					return ls_errf(e, LS_EINVAL,
					               "secagg: table %d row "
					               "%s/%s: not in the "
					               "federation's domain",
					               t, row->theme,
					               row->other);
				if (vec[idx] != 0)
					return ls_errf(e, LS_EINVAL,
					               "secagg: table %d row "
					               "%s/%s given twice",
					               t, row->theme,
					               row->other);
				vec[idx] = (uint64_t)c[m]->value;
			}
		}
	}
	return LS_OK;
}

int ls_secagg_bounds_from_release(const struct secagg_layout *l,
                                  const struct ls_summary *released,
                                  uint32_t persons_cap, uint64_t *lo,
                                  uint64_t *hi, struct ls_errinfo *e)
{
	uint64_t cap = persons_cap == 0 ? 1 : persons_cap;
	int bounded =
	    released != NULL && released->params.mode == LS_MODE_THRESHOLD;

	for (size_t i = 0; i < l->n_entries; i++) {
		lo[i] = 0;
		hi[i] = bounded ? 0
		        : i % SECAGG_MEASURES == LS_MEASURE_PERSONS
		            ? DISCLOSURE_COUNT_MAX * cap
		            : DISCLOSURE_COUNT_MAX;
	}
	if (!bounded)
		return LS_OK;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tb = &released->tables[t];
		for (size_t r = 0; r < tb->n_rows; r++) {
			const struct ls_summary_row *row = &tb->rows[r];
			const struct ls_cell *c[2] = {&row->signals,
			                              &row->persons};
			for (int m = 0; m < SECAGG_MEASURES; m++) {
				size_t idx;
				if (ls_secagg_layout_index(l, t, row->theme,
				                           row->other, m,
				                           &idx) != LS_OK)
					return ls_errf(
					    e, LS_EINVAL,
					    "secagg: release row "
					    "%s/%s not in the domain",
					    row->theme, row->other);
				if (c[m]->lo < 0 || c[m]->hi < c[m]->lo ||
				    (c[m]->kind != LS_CELL_EXACT &&
				     c[m]->kind != LS_CELL_RANGE))
					return ls_errf(e, LS_EINVAL,
					               "secagg: release row "
					               "%s/%s: no bound",
					               row->theme, row->other);
				lo[idx] = (uint64_t)c[m]->lo;
				hi[idx] = (uint64_t)c[m]->hi;
			}
		}
	}
	return LS_OK;
}

static const char *measure_name(int m)
{
	return m == LS_MEASURE_SIGNALS ? "signals" : "persons";
}

int ls_secagg_vector_check(const struct secagg_layout *l, const uint64_t *vec,
                           const uint64_t *lo, const uint64_t *hi,
                           struct ls_errinfo *e)
{
	for (size_t i = 0; i < l->n_entries; i++) {
		if (vec[i] >= lo[i] && vec[i] <= hi[i])
			continue;
		int t, m;
		const char *theme, *other;
		ls_secagg_layout_describe(l, i, &t, &theme, &other, &m);
		return ls_errf(e, LS_EPOLICY,
		               "secagg: entry %zu (table %d, %s/%s, %s) = "
		               "%llu outside its bounds %llu..%llu",
		               i, t, theme, other, measure_name(m),
		               (unsigned long long)vec[i],
		               (unsigned long long)lo[i],
		               (unsigned long long)hi[i]);
	}
	return LS_OK;
}

int ls_secagg_total_check(const struct secagg_layout *l, const int64_t *total,
                          const uint64_t *sum_lo, const uint64_t *sum_hi,
                          const int64_t slack[SECAGG_MEASURES],
                          struct ls_errinfo *e)
{
	for (size_t i = 0; i < l->n_entries; i++) {
		int64_t s = slack[i % SECAGG_MEASURES];
		/* bounds are sums of counts below 2^40: no overflow */
		if (total[i] >= (int64_t)sum_lo[i] - s &&
		    total[i] <= (int64_t)sum_hi[i] + s)
			continue;
		int t, m;
		const char *theme, *other;
		ls_secagg_layout_describe(l, i, &t, &theme, &other, &m);
		return ls_errf(e, LS_EPOLICY,
		               "secagg: total of entry %zu (table %d, %s/%s, "
		               "%s) = %lld outside what the members released "
		               "(%llu..%llu, noise %lld)",
		               i, t, theme, other, measure_name(m),
		               (long long)total[i],
		               (unsigned long long)sum_lo[i],
		               (unsigned long long)sum_hi[i], (long long)s);
	}
	return LS_OK;
}

void ls_secagg_vec_add(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

void ls_secagg_vec_sub(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] -= src[i];
}

void ls_secagg_vec_add_signed(uint64_t *dst, const int64_t *noise, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += (uint64_t)noise[i];
}

/* ---- Skellam shares -------------------------------------------------- */

static int rational_ok(struct secagg_rational r)
{
	return r.den >= 1 && r.den <= SECAGG_RATIONAL_MAX &&
	       r.num <= SECAGG_RATIONAL_MAX && r.num / r.den <= SECAGG_MU_MAX;
}

int ls_secagg_noise_check(const struct secagg_noise *nz, struct ls_errinfo *e)
{
	for (int m = 0; m < SECAGG_MEASURES; m++)
		if (!rational_ok(nz->mu[m]))
			return ls_errf(e, LS_EINVAL,
			               "secagg: noise mean of %s out of range",
			               measure_name(m));
	return LS_OK;
}

/* Poisson(a/b) with a/b <= 1/2: propose J geometric with ratio a/b
 * (count Bernoulli(a/b) successes before the first failure), accept with
 * probability 1/J! (J - 1 Bernoulli(1/i) draws, i = 2..J, all 1). The
 * accepted J has P(J = j) proportional to (a/b)^j / j!: Poisson(a/b).
 * Acceptance is at least e^(1/2)/2 > 0.8. */
static uint64_t poisson_small(struct noise_stream *st, uint64_t a, uint64_t b)
{
	for (;;) {
		uint64_t j = 0, i;
		while (ls_noise_bernoulli(st, a, b))
			j++;
		for (i = 2; i <= j; i++)
			if (ls_noise_uniform(st, i) != 0)
				break;
		if (i > j)
			return j;
	}
}

uint64_t ls_secagg_poisson(struct noise_stream *st, uint64_t num, uint64_t den)
{
	/* m pieces of num/(den m) <= 1/2 each: m = ceil(2 num / den). The
	 * sum of independent Poisson samples is Poisson of the sum. */
	uint64_t m, total = 0;
	if (num == 0)
		return 0;
	m = (2 * num + den - 1) / den;
	for (uint64_t i = 0; i < m; i++)
		total += poisson_small(st, num, den * m);
	return total;
}

int ls_secagg_noise_shares(const struct secagg_layout *l,
                           const struct secagg_noise *nz, uint32_t n_parties,
                           const uint8_t key[NOISE_KEY_BYTES], int64_t *out,
                           struct ls_errinfo *e)
{
	struct noise_stream st;
	int rc = ls_secagg_noise_check(nz, e);
	if (rc != LS_OK)
		return rc;
	if (n_parties < 1 || n_parties > LS_SECAGG_MAX_PARTIES)
		return ls_errf(e, LS_EINVAL, "secagg: %u parties", n_parties);
	ls_noise_stream_init(&st, key);
	for (size_t i = 0; i < l->n_entries; i++) {
		struct secagg_rational mu = nz->mu[i % SECAGG_MEASURES];
		uint64_t den = mu.den * n_parties;
		uint64_t a = ls_secagg_poisson(&st, mu.num, den);
		uint64_t b = ls_secagg_poisson(&st, mu.num, den);
		out[i] = (int64_t)a - (int64_t)b;
	}
	ls_noise_stream_wipe(&st);
	return LS_OK;
}

/* ---- the Skellam distribution (public parameters only) --------------- */

static double log_poisson(double mu, double k)
{
	return k * log(mu) - mu - lgamma(k + 1);
}

/* log P(Z = z): P(Z = z) = sum_j Pois(j) Pois(j + |z|), summed in log
 * space so that far tails (which Renyi divergences of high order weigh
 * heavily) do not underflow; terms beyond mu + 12 sqrt(mu) + 40 are below
 * 1e-30 relative. */
static double skellam_logpmf(double mu, int64_t z)
{
	double az = (double)(z < 0 ? -z : z), top, sum = 0, mx = -INFINITY;
	if (mu <= 0)
		return z == 0 ? 0.0 : -INFINITY;
	top = mu + 12 * sqrt(mu) + 40;
	for (double j = 0; j <= top; j++) {
		double t = log_poisson(mu, j) + log_poisson(mu, j + az);
		if (t > mx)
			mx = t;
	}
	for (double j = 0; j <= top; j++)
		sum += exp(log_poisson(mu, j) + log_poisson(mu, j + az) - mx);
	return mx + log(sum);
}

double ls_secagg_skellam_pmf(double mu, int64_t z)
{
	return exp(skellam_logpmf(mu, z));
}

int64_t ls_secagg_skellam_halfwidth90(double mu)
{
	double p;
	int64_t h = 0;
	if (mu <= 0)
		return 0;
	p = ls_secagg_skellam_pmf(mu, 0);
	while (p < 0.9 && h < (int64_t)(100 * sqrt(mu) + 100)) {
		h++;
		p += 2 * ls_secagg_skellam_pmf(mu, h);
	}
	return h;
}

/* log P(Z = z) for a table of z in [-zmax, zmax], filled once per mu. */
struct pmf_table {
	double *logp;
	int64_t zmax;
};

static int pmf_table_fill(struct pmf_table *t, double mu, int64_t zmax)
{
	t->zmax = zmax;
	t->logp = ls_calloc((size_t)(2 * zmax + 1), sizeof *t->logp);
	if (t->logp == NULL)
		return LS_ENOMEM;
	for (int64_t z = 0; z <= zmax; z++) {
		double lp = skellam_logpmf(mu, z);
		t->logp[zmax + z] = lp;
		t->logp[zmax - z] = lp;
	}
	return LS_OK;
}

/* Renyi divergence of order alpha between Z + d and Z. */
static double renyi_shift(const struct pmf_table *t, int64_t d, double alpha)
{
	double mx = -INFINITY, sum = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (int64_t z = -t->zmax + d; z <= t->zmax; z++) {
			double a = t->logp[t->zmax + z - d]; /* P(Z+d = z) */
			double b = t->logp[t->zmax + z];
			double v;
			if (a == -INFINITY)
				continue;
			if (b == -INFINITY)
				return INFINITY;
			v = alpha * a + (1 - alpha) * b;
			if (pass == 0 && v > mx)
				mx = v;
			else if (pass == 1)
				sum += exp(v - mx);
		}
	}
	return (mx + log(sum)) / (alpha - 1);
}

double ls_secagg_noise_epsilon(const struct secagg_noise *nz,
                               const uint32_t cells[SECAGG_MEASURES],
                               const uint32_t sens[SECAGG_MEASURES],
                               double delta)
{
	static const double orders[] = {1.25, 1.5, 2,  3,  4,  6, 8,
	                                12,   16,  24, 32, 48, 64};
	enum { N_ORDERS = sizeof orders / sizeof orders[0] };
	double rdp[N_ORDERS] = {0}, best = INFINITY;

	for (int m = 0; m < SECAGG_MEASURES; m++) {
		struct pmf_table t;
		double mu;
		int64_t zmax;
		if (cells[m] == 0 || sens[m] == 0)
			continue;
		if (nz->mu[m].num == 0 || nz->mu[m].den == 0)
			return INFINITY;
		mu = (double)nz->mu[m].num / (double)nz->mu[m].den;
		/* Wide enough that the tails left out carry nothing at any
		 * order used: the summand of order alpha peaks near |z| =
		 * shift x (alpha - 1) for small mu, and within a few standard
		 * deviations for large mu. */
		zmax = (int64_t)(40 * sqrt(2 * mu) + 2 * sens[m] * 64 + 60);
		if (pmf_table_fill(&t, mu, zmax) != LS_OK)
			return INFINITY;
		for (int a = 0; a < N_ORDERS; a++)
			rdp[a] +=
			    cells[m] * renyi_shift(&t, sens[m], orders[a]);
		ls_free(t.logp);
	}
	for (int a = 0; a < N_ORDERS; a++) {
		double eps = rdp[a] + log(1 / delta) / (orders[a] - 1);
		if (eps < best)
			best = eps;
	}
	return best;
}

/* ---- the federation summary's tables -------------------------------- */

double ls_secagg_total_epsilon(const struct secagg_noise *nz, uint32_t cap)
{
	uint32_t cells[SECAGG_MEASURES] = {SECAGG_CELLS_PER_SIGNAL,
	                                   SECAGG_CELLS_PER_SIGNAL};
	uint32_t sens[SECAGG_MEASURES] = {1, cap == 0 ? 1 : cap};
	return ls_secagg_noise_epsilon(nz, cells, sens, SECAGG_DELTA);
}

static double mu_of(struct secagg_rational r)
{
	return r.den == 0 ? 0 : (double)r.num / (double)r.den;
}

int ls_secagg_federation_tables(const struct secagg_layout *l,
                                const int64_t *total,
                                const struct secagg_noise *nz,
                                uint32_t withhold_below, uint32_t cap,
                                struct ls_summary *out, struct ls_errinfo *e)
{
	int64_t h[SECAGG_MEASURES];
	double eps;
	int rc = ls_secagg_noise_check(nz, e);

	if (rc != LS_OK)
		return rc;
	if (withhold_below > DISCLOSURE_WITHHOLD_MAX || cap < 1 ||
	    cap > DISCLOSURE_PERSONS_CAP_MAX)
		return ls_errf(
		    e, LS_EINVAL,
		    "secagg: withhold threshold or cap out of range");
	eps = ls_secagg_total_epsilon(nz, cap);
	if (!(eps < 1e6))
		return ls_errf(e, LS_EINVAL,
		               "secagg: no noise on a measure: no epsilon to "
		               "state");
	for (int m = 0; m < SECAGG_MEASURES; m++)
		h[m] = ls_secagg_skellam_halfwidth90(mu_of(nz->mu[m]));

	out->params.mode = LS_MODE_NOISE;
	out->params.k = 0;
	out->params.epsilon_milli = (uint32_t)ceil(eps * 1000);
	out->params.withhold_below = withhold_below;
	out->params.persons_cap = cap;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		struct ls_summary_table *tb = &out->tables[t];
		size_t rows = l->n_themes * l->n_other[t];
		tb->rows = ls_calloc(rows, sizeof *tb->rows);
		if (tb->rows == NULL)
			return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		tb->n_rows = rows;
		for (size_t r = 0; r < rows; r++) {
			struct ls_summary_row *row = &tb->rows[r];
			size_t base = l->offset[t] + r * SECAGG_MEASURES;
			struct ls_cell *c[2] = {&row->signals, &row->persons};
			snprintf(row->theme, sizeof row->theme, "%s",
			         l->themes[r / l->n_other[t]]);
			snprintf(row->other, sizeof row->other, "%s",
			         l->other[t][r % l->n_other[t]]);
			for (int m = 0; m < SECAGG_MEASURES; m++) {
				int64_t v = total[base + (size_t)m];
				if (v > LS_COUNT_MAX - h[m])
					v = LS_COUNT_MAX - h[m];
				if (v >= (int64_t)withhold_below && v >= 0) {
					*c[m] = (struct ls_cell){
					    LS_CELL_NOISY, v,
					    v - h[m] > 0 ? v - h[m] : 0,
					    v + h[m]};
				} else if (withhold_below > 0) {
					*c[m] = (struct ls_cell){
					    LS_CELL_WITHHELD, 0, 0,
					    (int64_t)withhold_below - 1 + h[m]};
				} else {
					*c[m] = (struct ls_cell){
					    LS_CELL_NOISY, 0, 0,
					    v + h[m] > 0 ? v + h[m] : 0};
				}
			}
		}
	}
	return LS_OK;
}
