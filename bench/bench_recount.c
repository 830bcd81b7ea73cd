/*
 * bench_recount: what signaald's start pays to check whether each held
 * summary counts (PROTOCOL.md 5.3, "Epochs"; node_ingest_recount,
 * called by daemon/syncwork.c at every start).
 *
 * A store with 20,000 received summaries (250 origins x 80, realistic
 * threshold-mode tables from tests/fixture.h, signed by each origin's
 * TEST key) and a federation feed of a roster and two policies, k = 5
 * and a tightening to k = 7 that 5% of the summaries were made after
 * under k = 5 (held, not counted). Measured, the median of three: the
 * whole recount (every summary decoded and judged again), as every
 * start runs it, against the baseline of the same run: PRAGMA
 * quick_check on the same store, which every start of signaald pays
 * already (store_verify, STORE_CHECK_QUICK). No target: the number
 * decides whether the recount may stay unconditional (it may while it
 * costs a small multiple of the quick_check: a marker that lets a start
 * skip it would be one more thing to keep right).
 *
 * Warm page cache (the store was just written); BENCH_QUICK=1: 2,000
 * summaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/clock.h"
#include "common/log.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/trust.h"
#include "store/feed.h"
#include "store/store.h"
#include "tests/fixture.h"
#include "tests/unit/fixture.h"

#define RUNS 3

static int64_t t0;      /* the first policy */
static int64_t t_tight; /* the tightening to k = 7 */

static void die(const char *what, const struct ls_errinfo *e)
{
	fprintf(stderr, "bench_recount: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

/* The federation feed (roster, k = 5, k = 7) through a page, as sync
 * brings it. */
static void federation(struct store *s, struct node_trust *t)
{
	struct ls_feed_head h = {0};
	struct node_ingest in;
	struct node_ingest_doc d[3];
	struct ls_bytes b[3];
	struct ls_doc doc;
	struct ls_errinfo e;

	proto_doc_init(&doc, LS_DOC_ROSTER);
	strcpy(doc.hdr.origin, FX_FEDERATION);
	fx_roster(&doc.body.roster);
	b[0].data = fx_sign(&doc, &h, t0 - 100, "federation", &b[0].len);
	proto_doc_fini(&doc);
	for (int i = 1; i < 3; i++) {
		proto_doc_init(&doc, LS_DOC_POLICY);
		strcpy(doc.hdr.origin, FX_FEDERATION);
		fx_policy(&doc.body.policy);
		doc.body.policy.params.k = i == 1 ? 5 : 7;
		b[i].data = fx_sign(&doc, &h, i == 1 ? t0 - 50 : t_tight,
		                    "federation", &b[i].len);
		proto_doc_fini(&doc);
	}
	node_ingest_init(&in, s, t);
	if (node_ingest_page(&in, b, 3, FX_NOW, "bench", d, NULL, &e) != LS_OK)
		die("federation page", &e);
	for (int i = 0; i < 3; i++) {
		if (d[i].outcome != NODE_INGEST_STORED)
			die("federation document refused", NULL);
		ls_free((void *)b[i].data);
	}
	node_ingest_fini(&in);
}

/* n_origins x per summaries, as received (stored as each origin's
 * feed, without a judge: the recount marks them). */
static void summaries(struct store *s, int n_origins, int per)
{
	struct ls_errinfo e;
	for (int o = 0; o < n_origins; o++) {
		char origin[LS_NODE_ID_SIZE];
		struct ls_keypair *kp;
		struct ls_doc doc;
		snprintf(origin, sizeof origin, "gemeente-%03d", o);
		kp = fx_key(origin);
		proto_doc_init(&doc, LS_DOC_SUMMARY);
		strcpy(doc.hdr.origin, origin);
		fx_summary(&doc.body.summary, origin, 2010, 1, 160,
		           (uint32_t)o + 1);
		if (store_tx_begin(s) != LS_OK)
			die("begin", NULL);
		for (int i = 0; i < per; i++) {
			doc.body.summary.period.year = 2010 + i / 12;
			doc.body.summary.period.month = 1 + i % 12;
			if (node_feed_publish(s, kp, &doc,
			                      t0 + 3600LL * i + o, NULL,
			                      &e) != LS_OK)
				die("publish", &e);
		}
		if (store_tx_commit(s) != LS_OK)
			die("commit", NULL);
		proto_doc_fini(&doc);
		proto_keypair_free(kp);
	}
}

/* One start's recount on a fresh trust and ingest: ms, and what it
 * did. */
static double start_recount(struct store *s, const uint8_t *fed_pk,
                            struct node_ingest_recount_info *info)
{
	struct node_trust t;
	struct node_ingest in;
	struct ls_errinfo e;
	double a, b;
	int rc;

	node_trust_init(&t, FX_FEDERATION, fed_pk);
	if (node_trust_load(&t, s, FX_NOW, &e) != LS_OK)
		die("trust", &e);
	node_ingest_init(&in, s, &t);
	a = bench_now_ms();
	rc = node_ingest_recount(&in, info, &e);
	b = bench_now_ms();
	if (rc != LS_OK)
		die("recount", &e);
	node_ingest_fini(&in);
	node_trust_fini(&t);
	return b - a;
}

int main(void)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q != NULL && q[0] != '\0' && q[0] != '0';
	int n_origins = quick ? 50 : 250, per = quick ? 40 : 80;
	char dir[64], path[128];
	struct store_options opt = {.create = 1,
	                            .synchronous = LS_SYNC_NORMAL,
	                            .busy_timeout_ms = -1};
	struct ls_keypair *fed = fx_key("federation");
	struct node_trust trust;
	struct node_ingest_recount_info info;
	struct ls_errinfo e;
	struct store *s;
	struct stat st;
	double quick_ms[RUNS], full_ms[RUNS], first_ms, build;
	size_t judged = 0, first_changed;

	ls_log_set_level(getenv("BENCH_LOG") ? LS_LOG_DEBUG : LS_LOG_OFF);
	t0 = FX_T_BASE + 86400;
	t_tight = t0 + 3600LL * (per - per / 20) - 1800;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	if (store_open(path, &opt, &s, &e) != LS_OK)
		die("store_open", &e);
	build = bench_now_s();
	node_trust_init(&trust, FX_FEDERATION, fed->pk);
	federation(s, &trust);
	node_trust_fini(&trust);
	summaries(s, n_origins, per);
	build = bench_now_s() - build;

	/* The first start after the summaries came in without a judge:
	 * it marks the late ones. */
	first_ms = start_recount(s, fed->pk, &info);
	first_changed = info.changed;
	judged = info.judged;
	for (int r = 0; r < RUNS; r++) {
		double a = bench_now_ms();
		if (store_verify(s, STORE_CHECK_QUICK, &e) != LS_OK)
			die("quick_check", &e);
		quick_ms[r] = bench_now_ms() - a;
		full_ms[r] = start_recount(s, fed->pk, &info);
		if (info.changed != 0)
			die("a second recount changed marks", NULL);
	}
	if (stat(path, &st) != 0)
		st.st_size = 0;

	{
		double qm = bench_median(quick_ms, RUNS),
		       fm = bench_median(full_ms, RUNS);
		printf("### Start-up recount (node_ingest_recount)\n\n");
		printf("%d origins x %d summaries = %zu judged, %zu of them "
		       "marked uncounted by the first start; store %.1f MB "
		       "(built in %.1f s); warm cache; median of %d; load "
		       "%.1f.\n\n",
		       n_origins, per, judged, first_changed,
		       (double)st.st_size / 1e6, build, RUNS, bench_load1());
		printf("| step | ms | x quick_check |\n|---|---:|---:|\n");
		printf("| PRAGMA quick_check (baseline: every start) | %.1f "
		       "| 1.00 |\n",
		       qm);
		printf("| whole recount, first start (writes %zu marks) | "
		       "%.1f | %.2f |\n",
		       first_changed, first_ms, first_ms / qm);
		printf("| whole recount, every later start (nothing to "
		       "change) | %.1f | %.2f |\n",
		       fm, fm / qm);
		printf("\nPer summary judged: %.1f us.\n",
		       1e3 * fm / (double)judged);
	}
	store_close(s);
	proto_keypair_free(fed);
	fixture_rmdir(dir);
	return 0;
}
