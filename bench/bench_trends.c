/*
 * Trends over a federation of all Flemish municipalities: 300
 * municipalities x 24 months of released summaries (threshold mode, k = 5,
 * every theme, sparse tables as a real release has them), combined and
 * ranked by core/trends (every table summed with ranges carried through,
 * spread, recurrence, growth with leave-one-out, scores, explanations).
 * Prints a Markdown section for bench/RESULTS.md.
 *
 * Baseline, measured in the same run: the same cells in an in-memory
 * SQLite table and one plain aggregate over them (GROUP BY period, table,
 * theme, other code and measure, summing lower and upper bounds) — the
 * least any SQL-based aggregator would do. The target is at most 3x the
 * baseline and well under a second.
 *
 * The summaries are built in memory (tests/fixture.h); decoding them from
 * a store is not part of either side. BENCH_QUICK=1: 60 municipalities x
 * 12 months.
 *
 * Second section: the sparse federation of the issue-12 target
 * (tests/unit/secagg_fed.h: ten pilots, 24 months of real secure-
 * aggregation rounds) combined by core/trends twice in one run: from the
 * municipalities' releases alone (the sum of ranges: before) and with the
 * federation summaries (after). Reported: the median 90%-interval width
 * of the 24-month theme and theme x age totals as trends reports them,
 * the planted rise and the decoys as trends judges them, and the time of
 * both (the first is the baseline).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/clock.h"
#include "core/period.h"
#include "core/trends.h"
#include "tests/fixture.h"
#include "tests/unit/fixture.h"
#include "tests/unit/secagg_fed.h"

struct doc {
	struct ls_summary s;
	struct trends_docref ref;
};

static int run_trends(const struct ls_taxonomy *tax, struct doc *docs, size_t n,
                      int months, double *t_add, double *t_fin,
                      size_t *cells_out, double *top_score)
{
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct trends *t;
	struct ls_errinfo e;
	double t0;
	size_t nr;
	const struct trends_item *const *r;

	ls_trends_options_default(&o, &last);
	if (ls_period_add(&last, -(months - 1), &o.first) != LS_OK)
		return -1;
	t0 = bench_now_ms();
	if (ls_trends_new(tax, &o, &t, &e) != LS_OK) {
		fprintf(stderr, "ls_trends_new: %s\n", e.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (ls_trends_add(t, &docs[i].s, &docs[i].ref, NULL, &e) !=
		    LS_OK) {
			fprintf(stderr, "ls_trends_add: %s\n", e.msg);
			return -1;
		}
	*t_add = bench_now_ms() - t0;
	t0 = bench_now_ms();
	if (ls_trends_finish(t, &e) != LS_OK) {
		fprintf(stderr, "ls_trends_finish: %s\n", e.msg);
		return -1;
	}
	*t_fin = bench_now_ms() - t0;
	r = ls_trends_ranked(t, TRENDS_LEVEL_THEME, &nr);
	*top_score = nr > 0 ? r[0]->score : 0;
	*cells_out = ls_trends_n_items(t);
	ls_trends_free(t);
	return 0;
}

/* ---- federation summaries: widths before and after ------------------ */

struct fed_bench {
	struct trends *ranges, *fed; /* without and with type 7 */
	uint64_t seq[FED_NM + 1];
	double t_ranges, t_fed; /* ms spent in each, adding */
};

static int fb_release(struct fed_sim *W, void *ctx, struct ls_summary *s)
{
	struct fed_bench *b = ctx;
	struct trends_docref r;
	struct ls_errinfo e;
	double t0;
	size_t i = 0;
	while (i < FED_NM && strcmp(fed_town[i], s->origin) != 0)
		i++;
	memset(&r, 0, sizeof r);
	strcpy(r.origin, s->origin);
	r.seq = ++b->seq[i];
	t0 = bench_now_ms();
	if (ls_trends_add(b->ranges, s, &r, NULL, &e) != LS_OK)
		return fed_fail(W, "ls_trends_add", &e);
	b->t_ranges += bench_now_ms() - t0;
	t0 = bench_now_ms();
	if (ls_trends_add(b->fed, s, &r, NULL, &e) != LS_OK)
		return fed_fail(W, "ls_trends_add", &e);
	b->t_fed += bench_now_ms() - t0;
	return 0;
}

static int fb_fedsum(struct fed_sim *W, void *ctx, struct ls_fedsum *f)
{
	struct fed_bench *b = ctx;
	struct trends_federation tf;
	struct trends_docref r;
	struct ls_errinfo e;
	double t0;
	memset(&r, 0, sizeof r);
	strcpy(r.origin, "vvsg");
	r.seq = ++b->seq[FED_NM];
	memset(&tf, 0, sizeof tf);
	tf.period = f->period;
	tf.n_included = (uint32_t)f->n_included;
	tf.noise = f->noise;
	tf.tables = f->tables;
	t0 = bench_now_ms();
	if (ls_trends_add_federation(b->fed, &tf, &r, NULL, &e) != LS_OK)
		return fed_fail(W, "ls_trends_add_federation", &e);
	b->t_fed += bench_now_ms() - t0;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median width / truth of the 24-month signals totals of a table, as
 * trends reports them. */
static double fb_width(const struct fed_sim *W, const struct trends *t,
                       int table)
{
	size_t nth = ls_trends_n_codes(t, LS_TABLE_THEME);
	size_t no = table == LS_TABLE_THEME ? 1 : ls_trends_n_codes(t, table);
	double *r = calloc(nth * no, sizeof *r), med;
	size_t c = 0;
	if (r == NULL)
		return -1;
	for (size_t th = 0; th < nth; th++)
		for (size_t o = 0; o < no; o++) {
			struct trends_value v;
			int64_t lo, hi;
			size_t k;
			if (ls_secagg_layout_index(
			        &W->l, table,
			        ls_trends_code(t, LS_TABLE_THEME, th),
			        table == LS_TABLE_THEME
			            ? ""
			            : ls_trends_code(t, table, o),
			        LS_MEASURE_SIGNALS, &k) != LS_OK ||
			    W->truth[k] <= 0 ||
			    ls_trends_cell_total(t, table, th, o, 0, &v) !=
			        LS_OK)
				continue;
			ls_trends_value_interval(&v, &lo, &hi);
			r[c++] = (double)(hi - lo) / (double)W->truth[k];
		}
	qsort(r, c, sizeof *r, cmp_double);
	med = c == 0 ? -1 : r[c / 2];
	free(r);
	return med;
}

/* How trends judges an item: "+1 in 4, shared" */
static void fb_judge(const struct trends *t, int level, const char *theme,
                     char *out, size_t size)
{
	const struct trends_item *it =
	    ls_trends_item_find(t, level, theme, level ? "18-24" : NULL);
	if (it == NULL || !it->has_growth) {
		snprintf(out, size, "?");
		return;
	}
	snprintf(out, size, "%+d, rising in %u%s, growth %+.0f%%",
	         it->slope.direction, it->n_rising,
	         ls_trends_item_local_rise(it) ? ", one town" : "",
	         100 * it->growth_mid);
}

static int federation_widths(void)
{
	static const struct secagg_noise nz = {{{1, 4}, {25, 1}}};
	static struct fed_sim W;
	struct fed_bench b;
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct ls_errinfo e;
	struct ls_taxonomy tax;
	double t0;
	static const struct {
		const char *name;
		int theme, level;
	} watch[] = {{"planted rise (theme)", FED_T_RISE, 0},
	             {"planted rise (18-24)", FED_T_RISE, 1},
	             {"one-town rise (18-24)", FED_T_ONE, 1},
	             {"one-month spike", FED_T_SPIKE, 0},
	             {"big flat theme", FED_T_FLAT, 0}};

	fixture_taxonomy(&tax);
	memset(&b, 0, sizeof b);
	ls_trends_options_default(&o, &last);
	o.growth_periods = FED_MONTHS;
	if (ls_trends_new(&tax, &o, &b.ranges, &e) != LS_OK ||
	    ls_trends_new(&tax, &o, &b.fed, &e) != LS_OK) {
		fprintf(stderr, "ls_trends_new: %s\n", e.msg);
		return -1;
	}
	memset(&W, 0, sizeof W);
	if (fed_sim_init(&W, &nz, 2026) != 0) {
		fprintf(stderr, "federation: %s\n", W.err);
		return -1;
	}
	W.sinks = (struct fed_sinks){
	    .release = fb_release, .fedsum = fb_fedsum, .ctx = &b};
	for (int m = 0; m < FED_MONTHS; m++)
		if (fed_sim_month(&W, m) != 0) {
			fprintf(stderr, "federation: %s\n", W.err);
			return -1;
		}
	t0 = bench_now_ms();
	if (ls_trends_finish(b.ranges, &e) != LS_OK)
		return -1;
	b.t_ranges += bench_now_ms() - t0;
	t0 = bench_now_ms();
	if (ls_trends_finish(b.fed, &e) != LS_OK)
		return -1;
	b.t_fed += bench_now_ms() - t0;

	printf("\n### Federation summaries in the trends (sparse federation)"
	       "\n\nTen municipalities of the pilots' sizes at 0.9 signals "
	       "per 1000 inhabitants a month, 24 months of real secure-"
	       "aggregation rounds (tests/unit/secagg_fed.h, the data of "
	       "test_secagg_federation; noise mu 1/4 signals, 25 persons), "
	       "combined by core/trends in one run: *before* from the "
	       "municipalities' threshold releases alone (the sum of their "
	       "ranges), *after* with the %zu federation summaries. Median "
	       "90%%-interval width of the 24-month totals as a share of the "
	       "true value, as trends reports them (ls_trends_cell_total); "
	       "growth over all 24 months.\n\n",
	       ls_trends_n_federation(b.fed));
	printf("| | before (sum of ranges) | after (federation "
	       "summaries) |\n|---|---|---|\n");
	printf("| theme, median width | %.0f%% | %.1f%% |\n",
	       100 * fb_width(&W, b.ranges, LS_TABLE_THEME),
	       100 * fb_width(&W, b.fed, LS_TABLE_THEME));
	printf("| theme x age, median width | %.0f%% | %.1f%% |\n",
	       100 * fb_width(&W, b.ranges, LS_TABLE_THEME_AGE),
	       100 * fb_width(&W, b.fed, LS_TABLE_THEME_AGE));
	for (size_t i = 0; i < sizeof watch / sizeof watch[0]; i++) {
		char x[96], y[96];
		const char *code = W.sd.codes[0][watch[i].theme];
		fb_judge(b.ranges, watch[i].level, code, x, sizeof x);
		fb_judge(b.fed, watch[i].level, code, y, sizeof y);
		printf("| %s: direction | %s | %s |\n", watch[i].name, x, y);
	}
	printf("| time to combine and rank (baseline: before) | %.1f ms "
	       "(1.0x) | %.1f ms (%.2fx) |\n\n",
	       b.t_ranges, b.t_fed, b.t_fed / b.t_ranges);
	printf("Verdict: target median width <= 10%% of the true value: "
	       "theme %s, theme x age %s.\n",
	       fb_width(&W, b.fed, LS_TABLE_THEME) <= 0.10 ? "met" : "NOT met",
	       fb_width(&W, b.fed, LS_TABLE_THEME_AGE) <= 0.10 ? "met"
	                                                       : "NOT met");
	fed_sim_fini(&W);
	ls_trends_free(b.ranges);
	ls_trends_free(b.fed);
	ls_taxonomy_fini(&tax);
	return 0;
}

int main(void)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
	int n_muni = quick ? 60 : 300, months = quick ? 12 : 24;
	int reps = quick ? 3 : 5;
	size_t n = (size_t)n_muni * (size_t)months, rows = 0, items = 0;
	struct doc *docs = calloc(n, sizeof *docs);
	struct ls_taxonomy tax;
	double ta[8], tf[8], tt[8], ts[8], top = 0;
	sqlite3 *db;
	sqlite3_stmt *ins, *agg;
	char origin[32];
	size_t groups = 0;

	if (docs == NULL)
		return 1;
	fixture_taxonomy(&tax);
	/* municipalities from about 1,000 to 265,000 inhabitants: monthly
	 * signals from a handful to a few hundred */
	for (int m = 0; m < n_muni; m++) {
		unsigned size =
		    4 + (unsigned)((m * 7919u) % 97u) * (m % 10 == 0 ? 5u : 1u);
		snprintf(origin, sizeof origin, "gemeente-%03d", m);
		for (int mo = 0; mo < months; mo++) {
			struct doc *d =
			    &docs[(size_t)m * (size_t)months + (size_t)mo];
			int idx = 2025 * 12 + 11 - (months - 1) + mo;
			fx_summary(&d->s, origin, idx / 12, idx % 12 + 1,
			           size + (unsigned)(mo * (m % 3)),
			           (uint32_t)(m * 1000 + mo));
			strcpy(d->ref.origin, origin);
			d->ref.seq = (uint64_t)mo + 1;
			d->ref.hash[0] = (uint8_t)m;
			d->ref.hash[1] = (uint8_t)mo;
			for (int t = 0; t < LS_TABLE_COUNT_; t++)
				rows += d->s.tables[t].n_rows;
		}
	}

	/* the baseline's table, filled outside the timing */
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "CREATE TABLE cell (period INTEGER, origin TEXT, "
	                 "tab INTEGER, theme TEXT, other TEXT, measure "
	                 "INTEGER, lo INTEGER, hi INTEGER)",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "INSERT INTO cell VALUES (?, ?, ?, ?, ?, ?, ?, "
	                       "?)",
	                       -1, &ins, NULL) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct ls_summary *s = &docs[i].s;
		int period = s->period.year * 12 + s->period.month - 1;
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			for (size_t r = 0; r < s->tables[t].n_rows; r++) {
				const struct ls_summary_row *row =
				    &s->tables[t].rows[r];
				const struct ls_cell *c[2] = {&row->signals,
				                              &row->persons};
				for (int m = 0; m < 2; m++) {
					sqlite3_bind_int(ins, 1, period);
					sqlite3_bind_text(ins, 2, s->origin, -1,
					                  SQLITE_STATIC);
					sqlite3_bind_int(ins, 3, t);
					sqlite3_bind_text(ins, 4, row->theme,
					                  -1, SQLITE_STATIC);
					sqlite3_bind_text(ins, 5, row->other,
					                  -1, SQLITE_STATIC);
					sqlite3_bind_int(ins, 6, m);
					sqlite3_bind_int64(ins, 7, c[m]->lo);
					sqlite3_bind_int64(ins, 8, c[m]->hi);
					if (sqlite3_step(ins) != SQLITE_DONE)
						return 1;
					sqlite3_reset(ins);
				}
			}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ins);
	if (sqlite3_prepare_v2(db,
	                       "SELECT period, tab, theme, other, measure, "
	                       "sum(lo), sum(hi), count(*) FROM cell GROUP BY "
	                       "period, tab, theme, other, measure",
	                       -1, &agg, NULL) != SQLITE_OK)
		return 1;

	/* each side's runs together, so that neither pays for the other's
	 * memory traffic; the median drops the cold first run */
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now_ms();
		long long check = 0;
		groups = 0;
		while (sqlite3_step(agg) == SQLITE_ROW) {
			check += sqlite3_column_int64(agg, 6);
			groups++;
		}
		sqlite3_reset(agg);
		ts[r] = bench_now_ms() - t0;
		if (check <= 0)
			return 1;
	}
	sqlite3_finalize(agg);
	sqlite3_close(db);
	for (int r = 0; r < reps; r++) {
		if (run_trends(&tax, docs, n, months, &ta[r], &tf[r], &items,
		               &top) != 0)
			return 1;
		tt[r] = ta[r] + tf[r];
	}

	{
		double a = bench_median(ta, reps), f = bench_median(tf, reps);
		double t = bench_median(tt, reps), s = bench_median(ts, reps);
		printf("### Trends over a federation (core/trends)\n\n");
		printf("%d municipalities x %d months = %zu released summaries "
		       "(threshold mode, k = 5, all 18 themes; %zu table rows, "
		       "%zu cells with both measures)%s; median of %d runs. "
		       "Baseline: the same cells in an in-memory SQLite table, "
		       "one GROUP BY (period, table, theme, code, measure) "
		       "summing lower and upper bounds (%zu groups).\n\n",
		       n_muni, months, n, rows, 2 * rows,
		       quick ? " (BENCH_QUICK)" : "", reps, groups);
		printf("| step | time | vs baseline |\n|---|---:|---:|\n");
		printf("| SQL aggregate of the same cells (baseline) | %.1f ms "
		       "| 1.0x |\n",
		       s);
		printf("| trends: combine every summary (all tables, ranges "
		       "carried) | %.1f ms | %.2fx |\n",
		       a, a / s);
		printf("| trends: %zu items ranked (spread, recurrence, growth "
		       "with leave-one-out, scores, explanations) | %.1f ms | "
		       "%.2fx |\n",
		       items, f, f / s);
		printf("| **trends, total** | **%.1f ms** | **%.2fx** |\n\n", t,
		       t / s);
		printf("Verdict: %.0f ms for the whole federation, %.2fx the "
		       "plain SQL aggregate (target <= 3x): %s; %s.\n",
		       t, t / s, t / s <= 3.0 ? "met" : "NOT met",
		       t < 1000 ? "interactive (well under a second)"
		                : "NOT interactive");
		(void)top;
	}
	for (size_t i = 0; i < n; i++)
		ls_summary_fini(&docs[i].s);
	free(docs);
	ls_taxonomy_fini(&tax);
	return federation_widths() == 0 ? 0 : 1;
}
