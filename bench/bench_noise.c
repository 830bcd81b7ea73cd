/*
 * Noise mode's usefulness and calibration on the demo's data: how far is
 * the association's federation theme total over 12 months from the truth,
 * and how often does its 90% interval hold the truth? Prints a Markdown
 * section for bench/RESULTS.md (docs/DISCLOSURE.md 4.6 quotes it).
 *
 * Data: `gen-signals` for the ten pilots, 12 months from 2025-01 at its
 * default rate (0.5 signals per 1,000 inhabitants a month, as `make demo`),
 * imported into scratch stores and summarised per month
 * (store_summary_raw). Each of S draws gives every municipality its own
 * noise secret (the draw number and its id) and releases every month with
 * ls_disclosure_apply() in noise mode at epsilon 1; the association adds the
 * released theme cells of every municipality and month with the trends
 * code (ls_trends_value_add_cell, ls_trends_value_interval), as its pages do.
 *
 * Two readings of the same draws: as released (every cell's noisy value
 * is published) and as the older releases were read (a noisy value below
 * withhold_below = 5 withheld: it adds nothing to the noisy sum and
 * [0, 4 + h] to the certain bounds), which biased the sums upwards and
 * made intervals miss low.
 *
 * No baseline in time: this measures error, not speed. BENCH_QUICK=1:
 * fewer draws. The numbers are deterministic for a build.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "core/disclosure.h"
#include "core/noise.h"
#include "core/period.h"
#include "core/trends.h"
#include "store/import.h"
#include "store/store.h"
#include "store/summary.h"
#include "store/taxonomy.h"

#define PILOTS 10
#define MONTHS 12
#define MAX_THEMES DISCLOSURE_MAX_CODES
#define WITHHOLD 5

static const char *const pilots[PILOTS] = {
    "berlaar",  "bornem",  "dendermonde",  "eeklo",     "gent",
    "kortrijk", "mortsel", "oud-turnhout", "roeselare", "sint-niklaas"};

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_noise: %s: %s\n", what, msg);
	exit(1);
}

static long read_fp(void *ctx, char *buf, size_t cap)
{
	FILE *fp = ctx;
	size_t n = fread(buf, 1, cap, fp);
	return n == 0 && ferror(fp) ? -1 : (long)n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		die(path, "cannot read");
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n)
		die(path, "cannot read");
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static size_t theme_index(const struct disclosure_domain_buf *dom,
                          const char *code)
{
	size_t t = 0;
	while (t < dom->dom.n_codes[0] &&
	       strcmp(dom->dom.codes[0][t], code) != 0)
		t++;
	if (t == dom->dom.n_codes[0])
		die(code, "not a theme of the taxonomy");
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	int quick = getenv("BENCH_QUICK") && atoi(getenv("BENCH_QUICK"));
	int draws = quick ? 10 : 100;
	char dir[] = "/tmp/bench-noise.XXXXXX", cmd[512], path[256];
	static struct ls_summary raw[PILOTS][MONTHS];
	struct disclosure_domain_buf dom;
	struct ls_disclosure_params p;
	struct noise_scale sc;
	struct store *s[PILOTS];
	struct ls_errinfo e;
	size_t n_themes, tsv_len, n_err = 0;
	int64_t truth[MAX_THEMES] = {0};
	double *rel_new, *rel_old, var;
	size_t cover_new = 0, cover_old = 0, n_cases = 0;
	char *tsv;

	ls_log_set_level(LS_LOG_ERROR);
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(cmd, sizeof cmd,
	         "'%s/gen-signals' --start 2025-01 --months %d --out-dir '%s'",
	         build, MONTHS, dir);
	if (system(cmd) != 0)
		die("gen-signals", "failed");
	tsv = slurp("configs/taxonomy.tsv", &tsv_len);
	for (int m = 0; m < PILOTS; m++) {
		struct store_options o = {.create = 1,
		                          .synchronous = LS_SYNC_NORMAL};
		struct store_import_options io = {0};
		struct store_import_result ir;
		FILE *fp;
		snprintf(path, sizeof path, "%s/%s.db", dir, pilots[m]);
		if (store_open(path, &o, &s[m], &e) != LS_OK ||
		    store_taxonomy_load_tsv(s[m], tsv, tsv_len, NULL, NULL,
		                            &e) != LS_OK)
			die(path, e.msg);
		snprintf(path, sizeof path, "%s/%s.csv", dir, pilots[m]);
		if ((fp = fopen(path, "rb")) == NULL)
			die(path, "cannot read");
		if (store_import_csv(s[m], read_fp, fp, &io, &ir) != LS_OK)
			die(path, ir.errors[0].msg);
		fclose(fp);
		for (int k = 0; k < MONTHS; k++) {
			struct ls_period per = {2025, k + 1, 1};
			if (store_summary_raw(s[m], &per, 10, &raw[m][k], &e) !=
			    LS_OK)
				die("summary", e.msg);
			snprintf(raw[m][k].origin, sizeof raw[m][k].origin,
			         "%s", pilots[m]);
		}
	}
	if (ls_disclosure_domain_from_taxonomy(store_taxonomy(s[0]), &dom, &e) !=
	    LS_OK)
		die("domain", e.msg);
	n_themes = dom.dom.n_codes[LS_TABLE_THEME];
	ls_disclosure_params_default(&p);
	p.mode = LS_MODE_NOISE;
	p.k = 0;
	p.withhold_below = WITHHOLD;
	if (ls_noise_scale_for(p.epsilon_milli, p.persons_cap,
	                    dom.dom.n_codes[LS_TABLE_THEME_TARGET],
	                    LS_TABLE_THEME, LS_MEASURE_SIGNALS, &sc) != LS_OK)
		die("scale", "out of range");
	var = ls_noise_variance(sc);

	rel_new = calloc((size_t)draws * n_themes, sizeof *rel_new);
	rel_old = calloc((size_t)draws * n_themes, sizeof *rel_old);
	if (rel_new == NULL || rel_old == NULL)
		die("calloc", "out of memory");
	/* the true federation totals of each theme over the year */
	for (int m = 0; m < PILOTS; m++)
		for (int k = 0; k < MONTHS; k++)
			for (size_t r = 0; r < raw[m][k].tables[0].n_rows; r++)
				for (size_t t = 0; t < n_themes; t++)
					if (strcmp(raw[m][k]
					               .tables[0]
					               .rows[r]
					               .theme,
					           dom.dom.codes[0][t]) == 0)
						truth[t] += raw[m][k]
						                .tables[0]
						                .rows[r]
						                .signals.value;
	for (int d = 0; d < draws; d++) {
		struct trends_value vn[MAX_THEMES], vo[MAX_THEMES];
		int64_t h = ls_noise_halfwidth90(sc);
		memset(vn, 0, sizeof vn);
		memset(vo, 0, sizeof vo);
		for (int m = 0; m < PILOTS; m++) {
			uint8_t secret[NOISE_SECRET_BYTES] = {0};
			struct noise_budget b = {UINT64_C(1) << 40, 0};
			secret[0] = (uint8_t)d;
			secret[1] = (uint8_t)(d >> 8);
			secret[2] = (uint8_t)m;
			for (int k = 0; k < MONTHS; k++) {
				struct disclosure_input in = {.raw = &raw[m][k],
				                              .domain =
				                                  &dom.dom,
				                              .params = &p,
				                              .secret = secret,
				                              .budget = &b};
				struct ls_summary out;
				const struct ls_summary_table *tt;
				if (ls_disclosure_apply(&in, &out, NULL, &e) !=
				    LS_OK)
					die("apply", e.msg);
				tt = &out.tables[LS_TABLE_THEME];
				for (size_t r = 0; r < tt->n_rows; r++) {
					struct ls_cell c = tt->rows[r].signals;
					size_t t = theme_index(
					    &dom, tt->rows[r].theme);
					/* as released */
					n_err += ls_trends_value_add_cell(
					             &vn[t], &c, var) != LS_OK;
					/* as the older releases read */
					if (c.kind == LS_CELL_NOISY &&
					    c.value < WITHHOLD) {
						c.kind = LS_CELL_WITHHELD;
						c.lo = 0;
						c.hi = WITHHOLD - 1 + h;
						c.value = 0;
					}
					n_err += ls_trends_value_add_cell(
					             &vo[t], &c, var) != LS_OK;
				}
				ls_summary_fini(&out);
			}
		}
		for (size_t t = 0; t < n_themes; t++) {
			int64_t lo, hi;
			double tr = (double)truth[t];
			if (truth[t] == 0)
				continue;
			rel_new[n_cases] = fabs((double)vn[t].noisy - tr) / tr;
			ls_trends_value_interval(&vn[t], &lo, &hi);
			cover_new += lo <= truth[t] && truth[t] <= hi;
			rel_old[n_cases] = fabs((double)vo[t].noisy - tr) / tr;
			ls_trends_value_interval(&vo[t], &lo, &hi);
			cover_old += lo <= truth[t] && truth[t] <= hi;
			n_cases++;
		}
	}
	qsort(rel_new, n_cases, sizeof *rel_new, cmp_double);
	qsort(rel_old, n_cases, sizeof *rel_old, cmp_double);
	{
		int64_t sum = 0, small = INT64_MAX, large = 0;
		for (size_t t = 0; t < n_themes; t++) {
			sum += truth[t];
			if (truth[t] > 0 && truth[t] < small)
				small = truth[t];
			if (truth[t] > large)
				large = truth[t];
		}
		printf("### Noise mode: federation theme totals over 12 "
		       "months\n\n");
		printf("The demo's data (gen-signals, ten pilots, 12 months, "
		       "%lld theme counts of signals in %zu themes: %lld to %lld "
		       "a theme), "
		       "epsilon 1 a month, theme signals at scale %.2f "
		       "(standard deviation %.1f a cell, %.0f for a total "
		       "of %d cells); %d draws of every municipality's "
		       "noise.\n\n",
		       (long long)sum, n_themes, (long long)small,
		       (long long)large, (double)sc.num / (double)sc.den,
		       sqrt(var), sqrt(var * PILOTS * MONTHS), PILOTS * MONTHS,
		       draws);
	}
	printf("| read as | median relative error | 90th percentile | 90%% "
	       "interval holds the truth |\n|---|---:|---:|---:|\n");
	printf("| every noisy value (as released) | %.1f%% | %.1f%% | "
	       "%.1f%% |\n",
	       100 * rel_new[n_cases / 2], 100 * rel_new[n_cases * 9 / 10],
	       100.0 * (double)cover_new / (double)n_cases);
	printf("| values below %d withheld, as older releases did (same "
	       "draws) | %.1f%% | "
	       "%.1f%% | %.1f%% |\n",
	       WITHHOLD, 100 * rel_old[n_cases / 2],
	       100 * rel_old[n_cases * 9 / 10],
	       100.0 * (double)cover_old / (double)n_cases);
	if (n_err > 0)
		printf("\n%zu cells the trends code refused.\n", n_err);
	for (int m = 0; m < PILOTS; m++) {
		for (int k = 0; k < MONTHS; k++)
			ls_summary_fini(&raw[m][k]);
		store_close(s[m]);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_noise: could not remove %s\n", dir);
	free(tsv);
	free(rel_new);
	free(rel_old);
	return n_err > 0;
}
