/*
 * Synthetic signals and their raw summary, for the disclosure tests, the
 * fuzz harness and the benchmark. Everything here is made up: codes come
 * from the shared taxonomy, organisations and reporters are numbers.
 *
 * The raw summary is computed here the slow, obvious way (count every
 * signal in every cell), so that the tests do not depend on the store.
 * The codes are those of the shared taxonomy (tests/fixture.h).
 *
 * Header-only (static inline) because each test program is one .c file.
 */
#ifndef LS_TESTS_SYNTH_H
#define LS_TESTS_SYNTH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/disclosure.h"
#include "core/summary.h"
#include "core/taxonomy.h"
#include "tests/fixture.h"

/* ---- a deterministic generator (splitmix64) ------------------------- */

struct synth_rng {
	uint64_t s;
};

static inline uint64_t synth_next(struct synth_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform-ish in [0, n) (bias irrelevant for test data). */
static inline uint32_t synth_below(struct synth_rng *r, uint32_t n)
{
	return n == 0 ? 0 : (uint32_t)(synth_next(r) % n);
}

/* ---- the domain ----------------------------------------------------- */

struct synth_domain {
	char codes[LS_TABLE_COUNT_][20][LS_CODE_SIZE];
	const char *ptr[LS_TABLE_COUNT_][20];
	struct ls_domain dom;
};

/* The dimension of each table's codes (the theme table: the themes). */
static const uint8_t synth_table_dim[LS_TABLE_COUNT_] = {
    LS_DIM_THEME, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR, LS_DIM_PROBLEM};

static inline int synth_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The first n[t] codes of each taxonomy dimension (0 = all), sorted, so
 * that an index order is also the byte order of the codes. The problem
 * types always include "geen". */
static inline void synth_domain_init(struct synth_domain *sd,
                                     const size_t n[LS_TABLE_COUNT_])
{
	memset(sd, 0, sizeof *sd);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const char *tax[20];
		size_t all = fx_codes(synth_table_dim[t], tax, 19), want;
		/* A signal without a problem type counts under "geen". */
		if (t == LS_TABLE_THEME_PROBLEM)
			tax[all++] = LS_PROBLEM_NONE;
		want = n == NULL || n[t] == 0 || n[t] > all ? all : n[t];
		for (size_t i = 0; i < want; i++)
			strcpy(sd->codes[t][i], tax[i]);
		if (t == LS_TABLE_THEME_PROBLEM && want < all)
			strcpy(sd->codes[t][want - 1], "geen");
		qsort(sd->codes[t], want, LS_CODE_SIZE, synth_cmp);
		for (size_t i = 0; i < want; i++)
			sd->ptr[t][i] = sd->codes[t][i];
		sd->dom.codes[t] = sd->ptr[t];
		sd->dom.n_codes[t] = want;
	}
}

static inline size_t synth_find(const struct synth_domain *sd, int t,
                                const char *code)
{
	for (size_t i = 0; i < sd->dom.n_codes[t]; i++)
		if (strcmp(sd->codes[t][i], code) == 0)
			return i;
	return SIZE_MAX;
}

/* ---- signals -------------------------------------------------------- */

#define SYNTH_MAX_ORGS 256
#define SYNTH_MAX_REPORTERS 1024

struct synth_signal {
	uint8_t n_themes;
	uint8_t themes[LS_MAX_THEMES_PER_SIGNAL]; /* distinct */
	uint8_t age, problem;                     /* domain indices */
	uint64_t targets;                         /* bit per target index */
	uint16_t org;
	int32_t reporter; /* -1: unknown */
	uint32_t persons; /* before the cap */
};

struct synth_world {
	size_t n_orgs, n_reporters;
	uint8_t org_sector[SYNTH_MAX_ORGS];
	uint16_t reporter_org[SYNTH_MAX_REPORTERS];
};

/* A skewed pick: small indices much more often, so real summaries have
 * both large and small cells. */
static inline uint32_t synth_skewed(struct synth_rng *r, uint32_t n)
{
	uint32_t a = synth_below(r, n), b = synth_below(r, n);
	return a < b ? a : b;
}

static inline void synth_world_init(struct synth_world *w, struct synth_rng *r,
                                    const struct synth_domain *sd,
                                    size_t n_orgs, size_t n_reporters)
{
	memset(w, 0, sizeof *w);
	w->n_orgs = n_orgs < 1                ? 1
	            : n_orgs > SYNTH_MAX_ORGS ? SYNTH_MAX_ORGS
	                                      : n_orgs;
	w->n_reporters = n_reporters > SYNTH_MAX_REPORTERS ? SYNTH_MAX_REPORTERS
	                                                   : n_reporters;
	for (size_t i = 0; i < w->n_orgs; i++)
		w->org_sector[i] = (uint8_t)synth_skewed(
		    r, (uint32_t)sd->dom.n_codes[LS_TABLE_THEME_SECTOR]);
	for (size_t i = 0; i < w->n_reporters; i++)
		w->reporter_org[i] =
		    (uint16_t)synth_skewed(r, (uint32_t)w->n_orgs);
}

/* One random signal; skew > 0 concentrates themes and codes. */
static inline void synth_signal_random(struct synth_signal *s,
                                       struct synth_rng *r,
                                       const struct synth_domain *sd,
                                       const struct synth_world *w,
                                       uint32_t max_persons)
{
	uint32_t nt = (uint32_t)sd->dom.n_codes[LS_TABLE_THEME];
	memset(s, 0, sizeof *s);
	s->n_themes = (uint8_t)(1 + synth_skewed(r, 3));
	if (s->n_themes > nt)
		s->n_themes = (uint8_t)nt;
	for (int i = 0; i < s->n_themes; i++) {
		uint8_t t;
		int dup;
		do {
			t = (uint8_t)synth_skewed(r, nt);
			dup = 0;
			for (int j = 0; j < i; j++)
				dup |= s->themes[j] == t;
		} while (dup);
		s->themes[i] = t;
	}
	s->age = (uint8_t)synth_skewed(
	    r, (uint32_t)sd->dom.n_codes[LS_TABLE_THEME_AGE]);
	s->problem = (uint8_t)synth_skewed(
	    r, (uint32_t)sd->dom.n_codes[LS_TABLE_THEME_PROBLEM]);
	for (size_t g = 0; g < sd->dom.n_codes[LS_TABLE_THEME_TARGET]; g++)
		if (synth_below(r, 4) == 0)
			s->targets |= UINT64_C(1) << g;
	s->org = (uint16_t)synth_skewed(r, (uint32_t)w->n_orgs);
	s->reporter = -1;
	if (w->n_reporters > 0 && synth_below(r, 3) != 0) {
		uint32_t rep = synth_below(r, (uint32_t)w->n_reporters);
		if (w->reporter_org[rep] == s->org)
			s->reporter = (int32_t)rep;
	}
	s->persons = 1 + synth_skewed(r, max_persons < 1 ? 1 : max_persons);
}

/* ---- the raw summary ------------------------------------------------ */

/* The synthetic taxonomy has 18 themes and at most 19 codes per
 * dimension. */
#define SYNTH_MAX_CODES 20

struct synth_counts {
	int64_t x[SYNTH_MAX_CODES][LS_TABLE_COUNT_][SYNTH_MAX_CODES];
	int64_t y[SYNTH_MAX_CODES][LS_TABLE_COUNT_][SYNTH_MAX_CODES];
	int64_t orgs[SYNTH_MAX_CODES], reps[SYNTH_MAX_CODES];
};

static inline void synth_cell(struct ls_cell *c, int64_t v)
{
	c->kind = LS_CELL_EXACT;
	c->value = c->lo = c->hi = v;
}

/*
 * Count the signals into *out (which must be ls_summary_init()ed): every
 * non-zero cell (all cells if with_zeros), rows in code order, persons
 * capped at cap. Returns 0, or -1 when out of memory. The counts used are
 * also left in *cnt (heap, caller frees) if cnt is not NULL.
 */
static inline int synth_summarise(const struct synth_domain *sd,
                                  const struct synth_world *w,
                                  const struct synth_signal *sig, size_t n,
                                  uint32_t cap, int with_zeros,
                                  struct ls_summary *out,
                                  struct synth_counts **cnt_out)
{
	const size_t nt = sd->dom.n_codes[LS_TABLE_THEME];
	struct synth_counts *c = calloc(1, sizeof *c);
	uint8_t *seen_org, *seen_rep;
	size_t rows[LS_TABLE_COUNT_] = {0}, nrec = 0;

	if (c == NULL)
		return -1;
	seen_org = calloc(nt * SYNTH_MAX_ORGS, 1);
	seen_rep = calloc(nt * SYNTH_MAX_REPORTERS, 1);
	if (seen_org == NULL || seen_rep == NULL) {
		free(c);
		free(seen_org);
		free(seen_rep);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct synth_signal *s = &sig[i];
		int64_t p = s->persons > cap ? cap : s->persons;
		size_t sector = w->org_sector[s->org];
		for (int k = 0; k < s->n_themes; k++) {
			size_t t = s->themes[k];
			size_t idx[LS_TABLE_COUNT_] = {0, s->age, 0, sector,
			                               s->problem};
			for (int tb = 0; tb < LS_TABLE_COUNT_; tb++) {
				if (tb == LS_TABLE_THEME_TARGET)
					continue;
				c->x[t][tb][idx[tb]]++;
				c->y[t][tb][idx[tb]] += p;
			}
			for (size_t g = 0; g < SYNTH_MAX_CODES; g++)
				if (s->targets >> g & 1) {
					c->x[t][LS_TABLE_THEME_TARGET][g]++;
					c->y[t][LS_TABLE_THEME_TARGET][g] += p;
				}
			if (!seen_org[t * SYNTH_MAX_ORGS + s->org]++)
				c->orgs[t]++;
			if (s->reporter >= 0 &&
			    !seen_rep[t * SYNTH_MAX_REPORTERS +
			              (size_t)s->reporter]++)
				c->reps[t]++;
		}
	}
	free(seen_org);
	free(seen_rep);

	for (size_t t = 0; t < nt; t++) {
		if (c->x[t][0][0] == 0 && !with_zeros)
			continue;
		nrec++;
		for (int tb = 0; tb < LS_TABLE_COUNT_; tb++) {
			size_t no = tb == 0 ? 1 : sd->dom.n_codes[tb];
			for (size_t o = 0; o < no; o++)
				rows[tb] += with_zeros || c->x[t][tb][o] > 0;
		}
	}
	for (int tb = 0; tb < LS_TABLE_COUNT_; tb++) {
		size_t r = 0, no = tb == 0 ? 1 : sd->dom.n_codes[tb];
		out->tables[tb].rows =
		    calloc(rows[tb] + 1, sizeof *out->tables[tb].rows);
		if (out->tables[tb].rows == NULL)
			goto oom;
		out->tables[tb].n_rows = rows[tb];
		for (size_t t = 0; t < nt; t++) {
			if (c->x[t][0][0] == 0 && !with_zeros)
				continue;
			for (size_t o = 0; o < no; o++) {
				struct ls_summary_row *row;
				if (!with_zeros && c->x[t][tb][o] == 0)
					continue;
				row = &out->tables[tb].rows[r++];
				strcpy(row->theme, sd->codes[0][t]);
				if (tb != 0)
					strcpy(row->other, sd->codes[tb][o]);
				synth_cell(&row->signals, c->x[t][tb][o]);
				synth_cell(&row->persons, c->y[t][tb][o]);
			}
		}
	}
	out->recurrence = calloc(nrec + 1, sizeof *out->recurrence);
	if (out->recurrence == NULL)
		goto oom;
	out->n_recurrence = nrec;
	nrec = 0;
	for (size_t t = 0; t < nt; t++) {
		struct ls_recurrence_row *row;
		if (c->x[t][0][0] == 0 && !with_zeros)
			continue;
		row = &out->recurrence[nrec++];
		strcpy(row->theme, sd->codes[0][t]);
		synth_cell(&row->organisations, c->orgs[t]);
		synth_cell(&row->reporters, c->reps[t]);
	}
	if (cnt_out != NULL)
		*cnt_out = c;
	else
		free(c);
	return 0;
oom:
	free(c);
	return -1;
}

/* The raw summary's tables were calloc()ed above, not ls_malloc()ed; both
 * end in free(), so ls_summary_fini() releases them too. */
static inline void synth_header(struct ls_summary *s, const char *origin,
                                int32_t year, int32_t month)
{
	strcpy(s->origin, origin);
	s->period.year = year;
	s->period.month = month;
	s->period.months = 1;
}

/* ---- canonical bytes of a summary (for "byte-identical" checks) ------ */

struct synth_buf {
	uint8_t *b;
	size_t n, cap;
};

static inline void synth_put(struct synth_buf *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		size_t c = o->cap ? o->cap * 2 : 4096;
		while (c < o->n + n)
			c *= 2;
		o->b = realloc(o->b, c);
		if (o->b == NULL)
			abort();
		o->cap = c;
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static inline void synth_put_i64(struct synth_buf *o, int64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	synth_put(o, b, 8);
}

static inline void synth_put_cell(struct synth_buf *o, const struct ls_cell *c)
{
	synth_put(o, &c->kind, 1);
	synth_put_i64(o, c->value);
	synth_put_i64(o, c->lo);
	synth_put_i64(o, c->hi);
}

static inline void synth_put_str(struct synth_buf *o, const char *s)
{
	synth_put(o, s, strlen(s) + 1);
}

/* Every field of *s in a fixed order; the caller frees o->b. */
static inline void synth_serialize(const struct ls_summary *s,
                                   struct synth_buf *o)
{
	memset(o, 0, sizeof *o);
	synth_put_str(o, s->origin);
	synth_put_i64(o, s->period.year);
	synth_put_i64(o, s->period.month);
	synth_put_i64(o, s->period.months);
	synth_put_i64(o, s->params.mode);
	synth_put_i64(o, s->params.k);
	synth_put_i64(o, s->params.epsilon_milli);
	synth_put_i64(o, s->params.withhold_below);
	synth_put_i64(o, s->params.persons_cap);
	synth_put_i64(o, (int64_t)s->supersedes_seq);
	synth_put_str(o, s->correction_reason);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		synth_put_i64(o, (int64_t)s->tables[t].n_rows);
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			synth_put_str(o, row->theme);
			synth_put_str(o, row->other);
			synth_put_cell(o, &row->signals);
			synth_put_cell(o, &row->persons);
		}
	}
	synth_put_i64(o, (int64_t)s->n_recurrence);
	for (size_t r = 0; r < s->n_recurrence; r++) {
		synth_put_str(o, s->recurrence[r].theme);
		synth_put_cell(o, &s->recurrence[r].organisations);
		synth_put_cell(o, &s->recurrence[r].reporters);
	}
}

#endif
