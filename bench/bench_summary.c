/*
 * The release pipeline on a Ghent-size city: about 15,000 signals a month
 * in a real store, one month and a year of months. Prints a Markdown
 * section for bench/RESULTS.md.
 *
 * Baseline (the floor), measured in the same run on the same rows: one
 * plain SQL GROUP BY on a separate SQLite connection — signals and capped
 * persons per theme over the month's signals joined with their themes,
 * by ids. For reference also the six GROUP BY queries that compute every
 * number the raw summary holds (theme; theme x age band, target group,
 * sector, problem type; distinct organisations and reporters), which is
 * how the store computed it before it counted in one pass.
 *
 * Measured: the pipeline up to the signature, as node/release.c runs it
 * (store_summary_raw, ls_disclosure_apply with the notes for the preview and
 * the audit log, the release gate ls_attack_gate() of a first release,
 * ls_disclosure_check as a receiver, proto_doc_sign), the whole
 * node_release_period() of every month of a year, which adds the durable
 * writes (feed, ledger, audit log: one fsynced commit a month), and one
 * correction (node_release_correct), whose gate models two versions.
 *
 * BENCH_QUICK=1: 3,000 signals a month and fewer repetitions.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/clock.h"
#include "common/alloc.h"
#include "common/log.h"
#include "core/attack.h"
#include "core/disclosure.h"
#include "core/period.h"
#include "core/signal.h"
#include "node/release.h"
#include "proto/doc.h"
#include "store/signal.h"
#include "store/store.h"
#include "store/summary.h"
#include "store/taxonomy.h"

#define YEAR 2025
#define CAP 10

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_summary: %s: %s\n", what, msg ? msg : "");
	exit(1);
}

/* ---- data ------------------------------------------------------------ */

static uint64_t rng = 0x2025;
static uint32_t below(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng >> 33) % n);
}

/* Skewed: small indices more often, like real themes and codes. */
static uint32_t skewed(uint32_t n)
{
	uint32_t a = below(n), b = below(n);
	return a < b ? a : b;
}

static const char *code_of(const struct ls_taxonomy *t, int dim, uint32_t i)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->entries[k].dim == dim && !t->entries[k].local &&
		    i-- == 0)
			return t->entries[k].code;
	return NULL;
}

static uint32_t n_codes(const struct ls_taxonomy *t, int dim)
{
	uint32_t n = 0;
	for (size_t k = 0; k < t->n; k++)
		n += t->entries[k].dim == dim && !t->entries[k].local;
	return n;
}

static void set(struct store *s, struct ls_signal *sig, enum ls_signal_field f,
                const char *v)
{
	struct ls_errinfo e;
	if (ls_signal_set_field(sig, f, v, strlen(v), store_taxonomy(s), &e) !=
	    LS_OK)
		die(v, e.msg);
}

static void fill(struct store *s, size_t per_month)
{
	const struct ls_taxonomy *t = store_taxonomy(s);
	uint32_t nt = n_codes(t, LS_DIM_THEME), na = n_codes(t, LS_DIM_AGE),
	         ng = n_codes(t, LS_DIM_TARGET), ns = n_codes(t, LS_DIM_SECTOR),
	         np = n_codes(t, LS_DIM_PROBLEM);
	struct ls_errinfo e;
	if (store_tx_begin(s) != LS_OK)
		die("begin", NULL);
	for (int m = 1; m <= 12; m++)
		for (size_t i = 0; i < per_month; i++) {
			struct ls_signal sig;
			char date[32], org[32], rep[32], num[16];
			char themes[100] = "";
			uint32_t nth = 1 + skewed(3), first = skewed(nt);
			ls_signal_init(&sig);
			snprintf(date, sizeof date, "%04d-%02d-%02d", YEAR, m,
			         1 + (int)below(28));
			set(s, &sig, LS_FIELD_REGISTERED_AT, date);
			for (uint32_t k = 0; k < nth; k++) {
				if (k)
					strcat(themes, "|");
				strcat(themes, code_of(t, LS_DIM_THEME,
				                       (first + k * 5) % nt));
			}
			set(s, &sig, LS_FIELD_THEME, themes);
			set(s, &sig, LS_FIELD_AGE,
			    code_of(t, LS_DIM_AGE, skewed(na)));
			set(s, &sig, LS_FIELD_SECTOR,
			    code_of(t, LS_DIM_SECTOR, skewed(ns)));
			if (below(3))
				set(s, &sig, LS_FIELD_PROBLEM,
				    code_of(t, LS_DIM_PROBLEM, skewed(np)));
			if (below(2))
				set(s, &sig, LS_FIELD_TARGET,
				    code_of(t, LS_DIM_TARGET, skewed(ng)));
			snprintf(org, sizeof org, "Organisatie %u",
			         skewed(220));
			set(s, &sig, LS_FIELD_ORGANISATION, org);
			if (below(3)) {
				snprintf(rep, sizeof rep, "mw-%u", below(1000));
				set(s, &sig, LS_FIELD_REPORTER, rep);
			}
			snprintf(num, sizeof num, "%u", 1 + skewed(15));
			set(s, &sig, LS_FIELD_PERSONS, num);
			if (store_signal_insert(s, &sig, &e) != LS_OK)
				die("insert", e.msg);
		}
	if (store_tx_commit(s) != LS_OK)
		die("commit", NULL);
}

/* ---- the floor: plain GROUP BY ---------------------------------------- */

static const char *const floor_sql[] = {
    "SELECT st.theme_id, count(*), sum(min(s.persons, 10)) FROM signal s "
    "JOIN signal_theme st ON st.signal_id = s.id WHERE s.registered_at >= "
    "?1 AND s.registered_at < ?2 GROUP BY st.theme_id",
    "SELECT st.theme_id, s.age_id, count(*), sum(min(s.persons, 10)) FROM "
    "signal s JOIN signal_theme st ON st.signal_id = s.id WHERE "
    "s.registered_at >= ?1 AND s.registered_at < ?2 GROUP BY st.theme_id, "
    "s.age_id",
    "SELECT st.theme_id, sg.target_id, count(*), sum(min(s.persons, 10)) "
    "FROM signal s JOIN signal_theme st ON st.signal_id = s.id JOIN "
    "signal_target sg ON sg.signal_id = s.id WHERE s.registered_at >= ?1 "
    "AND s.registered_at < ?2 GROUP BY st.theme_id, sg.target_id",
    "SELECT st.theme_id, s.sector_id, count(*), sum(min(s.persons, 10)) "
    "FROM signal s JOIN signal_theme st ON st.signal_id = s.id WHERE "
    "s.registered_at >= ?1 AND s.registered_at < ?2 GROUP BY st.theme_id, "
    "s.sector_id",
    "SELECT st.theme_id, s.problem_id, count(*), sum(min(s.persons, 10)) "
    "FROM signal s JOIN signal_theme st ON st.signal_id = s.id WHERE "
    "s.registered_at >= ?1 AND s.registered_at < ?2 GROUP BY st.theme_id, "
    "s.problem_id",
    "SELECT st.theme_id, count(DISTINCT s.organisation_id), count(DISTINCT "
    "s.reporter_id) FROM signal s JOIN signal_theme st ON st.signal_id = "
    "s.id WHERE s.registered_at >= ?1 AND s.registered_at < ?2 GROUP BY "
    "st.theme_id",
};
#define N_FLOOR (sizeof floor_sql / sizeof floor_sql[0])

/* Run the plain queries for a month; returns the sum of the counts read
 * (so nothing is optimised away). only_first: just the theme query. */
static int64_t floor_month(sqlite3_stmt **st, int month, int only_first)
{
	char a[32], b[32];
	int64_t sum = 0;
	snprintf(a, sizeof a, "%04d-%02d-01", YEAR, month);
	if (month == 12)
		snprintf(b, sizeof b, "%04d-01-01", YEAR + 1);
	else
		snprintf(b, sizeof b, "%04d-%02d-01", YEAR, month + 1);
	for (size_t q = 0; q < (only_first ? 1 : N_FLOOR); q++) {
		sqlite3_reset(st[q]);
		sqlite3_bind_text(st[q], 1, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st[q], 2, b, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st[q]) == SQLITE_ROW)
			sum += sqlite3_column_int64(
			    st[q], sqlite3_column_count(st[q]) - 2);
	}
	return sum;
}

/* ---- the pipeline up to the signature --------------------------------- */

struct times {
	double raw, disclosure, gate, check, sign;
	struct attack_gate_stats st;
};

static size_t pipeline_month(struct store *s, const struct ls_keypair *kp,
                             const struct ls_domain *dom,
                             const struct ls_disclosure_params *p, int month,
                             struct times *t)
{
	static const uint8_t secret[NOISE_SECRET_BYTES] = {42};
	struct noise_budget budget = {UINT64_MAX / 4, 0};
	struct ls_period period = {YEAR, month, 1};
	struct ls_feed_head head = {0};
	struct ls_summary raw;
	struct disclosure_report rep;
	struct disclosure_input in;
	struct ls_errinfo e;
	struct ls_doc doc;
	uint8_t *env;
	size_t len;
	double t0 = bench_now_ms(), t1, tg, t2, t3;

	if (store_summary_raw(s, &period, p->persons_cap, &raw, &e) != LS_OK)
		die("raw", e.msg);
	strcpy(raw.origin, "gent");
	t1 = bench_now_ms();
	proto_doc_init(&doc, LS_DOC_SUMMARY);
	strcpy(doc.hdr.origin, "gent");
	ls_disclosure_report_init(&rep);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = dom;
	in.params = p;
	in.secret = secret;
	in.budget = &budget;
	if (ls_disclosure_apply(&in, &doc.body.summary, &rep, &e) != LS_OK)
		die("disclosure", e.msg);
	tg = bench_now_ms();
	t->disclosure += tg - t1;
	/* The release gate, as node/release.c runs it on a first release. */
	if (p->mode == LS_MODE_THRESHOLD &&
	    ls_attack_gate(dom, NULL, 0, LS_SIGNAL_MAX_TARGETS, &doc.body.summary,
	                &rep, &t->st, &e) != LS_OK)
		die("gate", e.msg);
	t2 = bench_now_ms();
	t->gate += t2 - tg;
	if (ls_disclosure_check(&doc.body.summary, dom, NULL, &e) != LS_OK)
		die("check", e.msg);
	t3 = bench_now_ms();
	if (proto_doc_sign(&doc, &head, 1767225600, kp, &env, &len, &head,
	                   &e) != LS_OK)
		die("sign", e.msg);
	t->sign += bench_now_ms() - t3;
	t->check += t3 - t2;
	t->raw += t1 - t0;
	ls_free(env);
	ls_disclosure_report_fini(&rep);
	proto_doc_fini(&doc);
	ls_summary_fini(&raw);
	return len;
}

int main(void)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
	size_t per_month = quick ? 3000 : 15000;
	int reps = quick ? 3 : 9;
	char dir[] = "/tmp/bench-summary.XXXXXX", path[128], secret_path[160];
	struct store_options opt = {.create = 1};
	struct disclosure_domain_buf dom;
	struct ls_disclosure_params thr, noi;
	struct ls_keypair *kp;
	struct store *s;
	struct ls_errinfo e;
	sqlite3 *db;
	sqlite3_stmt *st[N_FLOOR];
	double t_floor[16], t_theme[16], t_pipe[16], t_noise[16];
	struct times parts[16];
	double year_floor, year_pipe, year_gate = 0, year_release, t_fill,
	                              t_correct = 0;
	struct attack_gate_stats corr_st;
	int64_t sink = 0;
	size_t doc_bytes = 0, signals = 0;
	char *tsv;
	long tsv_len;
	FILE *fp;

	ls_log_set_level(LS_LOG_WARN); /* no line per release */
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		die("setup", NULL);
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	if (store_open(path, &opt, &s, &e) != LS_OK)
		die("open", e.msg);
	fp = fopen("configs/taxonomy.tsv", "rb");
	if (fp == NULL)
		die("configs/taxonomy.tsv", "run from the repository root");
	fseek(fp, 0, SEEK_END);
	tsv_len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	tsv = malloc((size_t)tsv_len);
	if (tsv == NULL ||
	    fread(tsv, 1, (size_t)tsv_len, fp) != (size_t)tsv_len)
		die("taxonomy", "read");
	fclose(fp);
	if (store_taxonomy_load_tsv(s, tsv, (size_t)tsv_len, NULL, NULL, &e) !=
	    LS_OK)
		die("taxonomy", e.msg);
	free(tsv);
	t_fill = bench_now_ms();
	fill(s, per_month);
	t_fill = bench_now_ms() - t_fill;
	if (ls_disclosure_domain_from_taxonomy(store_taxonomy(s), &dom, &e) !=
	    LS_OK)
		die("domain", e.msg);
	if (proto_keypair_generate(&kp) != LS_OK)
		die("key", NULL);
	ls_disclosure_params_default(&thr);
	ls_disclosure_params_canonical(&thr);
	noi = thr;
	noi.mode = LS_MODE_NOISE;
	noi.epsilon_milli = 1000;
	noi.withhold_below = 5;
	noi.k = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("sqlite", NULL);
	for (size_t i = 0; i < N_FLOOR; i++)
		if (sqlite3_prepare_v2(db, floor_sql[i], -1, &st[i], NULL) !=
		    SQLITE_OK)
			die("prepare", sqlite3_errmsg(db));

	/* Warm both paths once (page cache, statement caches). */
	sink += floor_month(st, 6, 0);
	memset(parts, 0, sizeof parts);
	doc_bytes = pipeline_month(s, kp, &dom.dom, &thr, 6, &parts[15]);

	for (int r = 0; r < reps; r++) {
		struct times tn = {0};
		double t0 = bench_now_ms();
		sink += floor_month(st, 6, 0);
		t_floor[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		sink += floor_month(st, 6, 1);
		t_theme[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		pipeline_month(s, kp, &dom.dom, &thr, 6, &parts[r]);
		t_pipe[r] = bench_now_ms() - t0;
		t0 = bench_now_ms();
		pipeline_month(s, kp, &dom.dom, &noi, 6, &tn);
		t_noise[r] = bench_now_ms() - t0;
	}

	year_floor = bench_now_ms();
	for (int m = 1; m <= 12; m++)
		sink += floor_month(st, m, 1);
	year_floor = bench_now_ms() - year_floor;
	{
		struct times ty = {0};
		year_pipe = bench_now_ms();
		for (int m = 1; m <= 12; m++)
			pipeline_month(s, kp, &dom.dom, &thr, m, &ty);
		year_pipe = bench_now_ms() - year_pipe;
		year_gate = ty.gate;
	}
	/* The whole release of every month, durable writes included. */
	{
		struct node_release_env env;
		snprintf(secret_path, sizeof secret_path, "%s/noise.secret",
		         dir);
		memset(&env, 0, sizeof env);
		env.store = s;
		env.origin = "gent";
		env.key = kp;
		env.noise_secret_path = secret_path;
		env.actor = "bench";
		year_release = bench_now_ms();
		for (int m = 1; m <= 12; m++)
			if (node_release_period(
			        &env, &(struct ls_period){YEAR, m, 1},
			        ls_date_to_time(
			            &(struct ls_date){YEAR + 1, 2, 1}),
			        NULL, &e) != LS_OK)
				die("release", e.msg);
		year_release = bench_now_ms() - year_release;
		/* A correction of June after a late registration: the gate
		 * models both versions under both link hypotheses. */
		{
			struct ls_signal sig;
			struct node_release_plan plan;
			ls_signal_init(&sig);
			set(s, &sig, LS_FIELD_REGISTERED_AT, "2025-06-15");
			set(s, &sig, LS_FIELD_THEME, "wonen");
			set(s, &sig, LS_FIELD_AGE, "18-24");
			set(s, &sig, LS_FIELD_SECTOR, "caw");
			set(s, &sig, LS_FIELD_ORGANISATION, "Organisatie 1");
			if (ls_signal_validate(&sig, NULL, &e) != LS_OK ||
			    store_signal_insert(s, &sig, &e) != LS_OK)
				die("late signal", e.msg);
			node_release_plan_init(&plan);
			if (node_release_preview(
			        &env, &(struct ls_period){YEAR, 6, 1},
			        ls_date_to_time(
			            &(struct ls_date){YEAR + 1, 2, 2}),
			        &plan, &e) != LS_OK)
				die("preview", e.msg);
			corr_st = plan.gate;
			node_release_plan_fini(&plan);
			t_correct = bench_now_ms();
			if (node_release_correct(
			        &env, &(struct ls_period){YEAR, 6, 1},
			        "invoerfout", "bench",
			        ls_date_to_time(
			            &(struct ls_date){YEAR + 1, 2, 2}),
			        NULL, &e) != LS_OK)
				die("correct", e.msg);
			t_correct = bench_now_ms() - t_correct;
		}
	}
	{
		uint64_t n;
		store_signal_count(s, &n);
		signals = (size_t)n;
	}

	for (size_t i = 0; i < N_FLOOR; i++)
		sqlite3_finalize(st[i]);
	sqlite3_close(db);
	store_close(s);
	proto_keypair_free(kp);
	{
		char cmd[160];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_summary: could not remove %s\n",
			        dir);
	}

	{
		double six = bench_median(t_floor, reps),
		       fl = bench_median(t_theme, reps);
		double pi = bench_median(t_pipe, reps),
		       no = bench_median(t_noise, reps);
		double raw[16], dis[16], gat[16], chk[16], sig[16],
		    ratio = pi / fl;
		for (int r = 0; r < reps; r++) {
			raw[r] = parts[r].raw;
			dis[r] = parts[r].disclosure;
			gat[r] = parts[r].gate;
			chk[r] = parts[r].check;
			sig[r] = parts[r].sign;
		}
		printf(
		    "### Release pipeline (node/release, bench_summary)\n\n");
		printf("A store of %zu synthetic signals (%s: %zu a month for "
		       "12 months, inserted in %.1f s), full taxonomy, "
		       "threshold mode k = 5; one month, median of %d runs. "
		       "Floor: one plain SQL GROUP BY over the same rows "
		       "(signals and capped persons per theme, by ids) on a "
		       "second connection.\n\n",
		       signals, quick ? "BENCH_QUICK" : "Ghent-size", per_month,
		       t_fill / 1000, reps);
		printf("| step | time | vs floor |\n|---|---:|---:|\n");
		printf("| plain GROUP BY theme (floor) | %.2f ms | 1.00x |\n",
		       fl);
		printf("| (for reference: every number of the raw summary by "
		       "6 GROUP BY queries) | %.2f ms | %.2fx |\n",
		       six, six / fl);
		printf(
		    "| raw summary in one pass (store_summary_raw) | %.2f ms "
		    "| %.2fx |\n",
		    bench_median(raw, reps), bench_median(raw, reps) / fl);
		printf("| disclosure control with notes | %.2f ms | %.2fx |\n",
		       bench_median(dis, reps), bench_median(dis, reps) / fl);
		printf("| release gate (core/attack: %u themes, %u integer "
		       "programs, %u widening steps) | %.2f ms | %.2fx |\n",
		       parts[0].st.themes, parts[0].st.solves,
		       parts[0].st.steps, bench_median(gat, reps),
		       bench_median(gat, reps) / fl);
		printf("| receiver's check (ls_disclosure_check) | %.2f ms | "
		       "%.2fx |\n",
		       bench_median(chk, reps), bench_median(chk, reps) / fl);
		printf("| encode + sign (%zu bytes) | %.2f ms | %.2fx |\n",
		       doc_bytes, bench_median(sig, reps),
		       bench_median(sig, reps) / fl);
		printf("| **whole pipeline, threshold** | **%.2f ms** | "
		       "**%.2fx** |\n",
		       pi, ratio);
		printf("| whole pipeline, noise mode | %.2f ms | %.2fx |\n", no,
		       no / fl);
		printf("| a year: 12 months, whole pipeline (vs 12 months of "
		       "the floor, %.1f ms) | %.1f ms | %.2fx |\n",
		       year_floor, year_pipe, year_pipe / year_floor);
		printf("| of which the release gate of the 12 months | %.1f ms "
		       "| %.2fx |\n",
		       year_gate, year_gate / year_floor);
		printf("| a year: 12 x node_release_period, with the durable "
		       "writes (feed, ledger, audit; synchronous=FULL) | %.1f "
		       "ms | %.2fx |\n",
		       year_release, year_release / year_floor);
		printf("| a correction of one month (node_release_correct: 2 "
		       "versions; its gate solved %u theme x hypothesis "
		       "models, %u integer programs) | %.1f ms | %.2fx |\n\n",
		       corr_st.hypotheses, corr_st.solves, t_correct,
		       t_correct / fl);
		{
			double g = bench_median(gat, reps),
			       base = (pi - g) / fl;
			printf(
			    "Verdict: without the release gate the pipeline "
			    "takes %.2fx the plain GROUP BY (target <= 3x): "
			    "%s; the gate takes %.2fx the plain GROUP BY for "
			    "a month (target <= 1x): %s, and %.0f ms for a "
			    "year of months (it grows with the taxonomy and "
			    "the suppressed cells, not with the signals).\n",
			    base, base <= 3.0 ? "met" : "NOT met", g / fl,
			    g <= fl ? "met" : "NOT met", year_gate);
		}
		if (sink == 42)
			printf("\n");
	}
	return 0;
}
