/*
 * node/release: the release pipeline on a real store — due periods and
 * the settle delay, refusing a re-release, corrections, the noise-mode
 * budget, atomicity (a failure after the publish, every allocation
 * failure), the audit log against the feed, the canary test — and the
 * round trip raw -> disclosure -> sign -> verify -> decode -> equal in
 * both modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "common/text.h"
#include "core/period.h"
#include "node/feed.h"
#include "node/ledger.h"
#include "store/backup.h"
#include "node/release.h"
#include "node/secret.h"
#include "store/signal.h"
#include "store/summary.h"
#include "tests/fixture.h"
#include "tests/unit/fixture_store.h"
#include "tests/unit/synth.h"
#include "tests/unit/fixture.h"

#define ORIGIN "gent"

/* memmem without _GNU_SOURCE. */
static const void *find(const void *hay, size_t n, const void *needle, size_t m)
{
	const uint8_t *h = hay;
	if (m == 0 || m > n)
		return NULL;
	for (size_t i = 0; i + m <= n; i++)
		if (h[i] == *(const uint8_t *)needle &&
		    memcmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

struct rx {
	struct fx f;
	struct ls_keypair *key;
	char secret_path[160];
	struct node_release_env env;
	int n_signals;
};

static int setup(void **state)
{
	struct rx *r = calloc(1, sizeof *r);
	char keys[128];
	fx_open(&r->f);
	r->key = fx_key("gent");
	snprintf(keys, sizeof keys, "%s/keys", r->f.dir);
	if (mkdir(keys, 0700) != 0)
		return -1;
	snprintf(r->secret_path, sizeof r->secret_path, "%s/noise.secret",
	         keys);
	r->env.store = r->f.s;
	r->env.origin = ORIGIN;
	r->env.key = r->key;
	r->env.noise_secret_path = r->secret_path;
	r->env.actor = "dpo-test";
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rx *r = *state;
	proto_keypair_free(r->key);
	fx_close(&r->f);
	free(r);
	return 0;
}

static int64_t at(int y, int m, int d)
{
	return ls_date_to_time(&(struct ls_date){y, m, d});
}

static void set(struct rx *r, struct ls_signal *s, enum ls_signal_field fld,
                const char *v)
{
	struct ls_errinfo e;
	if (ls_signal_set_field(s, fld, v, strlen(v), store_taxonomy(r->f.s),
	                        &e) != LS_OK)
		fail_msg("%s: %s", v, e.msg);
}

/* One signal registered on `date`; i varies the codes. */
static void add_signal(struct rx *r, const char *date, int i)
{
	static const char *const themes[] = {"wonen", "mentaal", "energie",
	                                     "inkomen|wonen", "werk"};
	static const char *const ages[] = {"12-17", "25-64", "65plus",
	                                   "onbekend"};
	static const char *const sectors[] = {"caw", "ocmw", "ggz"};
	char org[32], rep[32], persons[8];
	struct ls_signal s;
	struct ls_errinfo e;
	ls_signal_init(&s);
	set(r, &s, LS_FIELD_REGISTERED_AT, date);
	set(r, &s, LS_FIELD_THEME, themes[i % 5]);
	set(r, &s, LS_FIELD_AGE, ages[i % 4]);
	set(r, &s, LS_FIELD_SECTOR, sectors[i % 3]);
	snprintf(org, sizeof org, "Organisatie %d", i % 7);
	set(r, &s, LS_FIELD_ORGANISATION, org);
	snprintf(rep, sizeof rep, "mw-%d", i % 11);
	set(r, &s, LS_FIELD_REPORTER, rep);
	snprintf(persons, sizeof persons, "%d", 1 + i % 4);
	set(r, &s, LS_FIELD_PERSONS, persons);
	if (i % 2)
		set(r, &s, LS_FIELD_TARGET, "gezin");
	if (i % 3 == 0)
		set(r, &s, LS_FIELD_PROBLEM, "werking");
	assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
	assert_int_equal(store_signal_insert(r->f.s, &s, &e), LS_OK);
	r->n_signals++;
}

/* n signals spread over the first 28 days of year-month. */
static void fill_month(struct rx *r, int year, int month, int n)
{
	char date[32];
	for (int i = 0; i < n; i++) {
		snprintf(date, sizeof date, "%04d-%02d-%02d", year, month,
		         1 + i % 28);
		add_signal(r, date, r->n_signals);
	}
}

static void digest(struct rx *r, char hex[65])
{
	fx_digest(r->f.path, hex);
}

static const struct ls_period *P(int y, int m)
{
	static struct ls_period p[8];
	static int i;
	i = (i + 1) % 8;
	p[i] = (struct ls_period){y, m, 1};
	return &p[i];
}

/* ---- due periods, settle delay, refusals ------------------------------ */

static void test_due_and_settle(void **state)
{
	struct rx *r = *state;
	struct ls_period due[8];
	struct ls_errinfo e;
	struct node_release_result res;
	char before[65], after[65];
	size_t n;
	int more;

	/* nothing to release without signals */
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 6, 1), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 0);
	fill_month(r, 2025, 1, 30);
	fill_month(r, 2025, 3, 12);
	/* 5 April: January and February are due (February has no
	 * signals: it is released as an empty summary), March is inside
	 * the settle delay of 7 days. */
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 5), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(more, 0);
	assert_int_equal(due[0].month, 1);
	assert_int_equal(due[1].month, 2);
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 5), due, 1, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(more, 1);
	/* 8 April 00:00 is the first second March may be released */
	assert_int_equal(node_release_due(&r->env, at(2025, 4, 8) - 1, due, 8,
	                                  &n, &more, &e),
	                 LS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 8), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 3);

	digest(r, before);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 3), at(2025, 4, 5), &res, &e),
	    LS_ESTATE);
	assert_non_null(strstr(e.msg, "wachttijd"));
	assert_non_null(strstr(e.msg, "2025-04-08"));
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 4), at(2025, 4, 5), &res, &e),
	    LS_ESTATE);
	assert_non_null(strstr(e.msg, "nog niet afgesloten"));
	assert_int_equal(node_release_period(&r->env,
	                                     &(struct ls_period){2025, 1, 3},
	                                     at(2025, 9, 1), &res, &e),
	                 LS_EPOLICY);
	assert_int_equal(node_release_period(&r->env,
	                                     &(struct ls_period){2025, 13, 1},
	                                     at(2025, 9, 1), &res, &e),
	                 LS_EINVAL);
	/* a node's settings may only be stricter */
	r->env.local.k = 3;
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 4, 5), &res, &e),
	    LS_EPOLICY);
	r->env.local.k = 0;
	r->env.key = NULL;
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 4, 5), &res, &e),
	    LS_EKEY);
	r->env.key = r->key;
	digest(r, after);
	assert_string_equal(before, after);

	/* January goes out; then it is released and no longer due */
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 4, 5), &res, &e),
	    LS_OK);
	assert_int_equal(res.doc.seq, 1);
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 5), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].month, 2);
	/* a released period never changes */
	digest(r, before);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 5, 1), &res, &e),
	    LS_EEXISTS);
	assert_non_null(strstr(e.msg, "correct"));
	digest(r, after);
	assert_string_equal(before, after);
	/* a stricter settle delay of the node moves the due date */
	r->env.local.settle_days = 30;
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 5), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 1); /* February: 1 March + 30 days */
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 3, 30), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 0);
}

/* ---- what a release records ------------------------------------------ */

static int count_notes(const struct node_release_plan *p, uint32_t *sum)
{
	*sum = 0;
	for (int i = 0; i < DISCLOSURE_REASON_COUNT_; i++)
		*sum += (uint32_t)p->report.by_reason[i];
	return 0;
}

static void test_release_records(void **state)
{
	struct rx *r = *state;
	struct node_release_plan plan;
	struct node_release_result res;
	struct store_audit_entry ax;
	struct store_ledger_entry lx;
	struct store_audit_verdict v;
	struct ls_errinfo e;
	struct ls_doc doc;
	char before[65], after[65];
	uint32_t notes, logged = 0;

	fill_month(r, 2025, 5, 60);
	/* the preview writes nothing and shows what goes out */
	digest(r, before);
	assert_int_equal(node_release_preview(&r->env, P(2025, 5),
	                                      at(2025, 6, 20), &plan, &e),
	                 LS_OK);
	digest(r, after);
	assert_string_equal(before, after);
	assert_int_equal(plan.state, NODE_PERIOD_DUE);
	assert_int_equal(plan.rules.from_federation, 0);
	assert_int_equal(plan.released.params.k, 5);
	assert_true(plan.report.n_notes > 0);
	count_notes(&plan, &notes);

	assert_int_equal(
	    node_release_period(&r->env, P(2025, 5), at(2025, 6, 20), &res, &e),
	    LS_OK);
	/* the document is exactly the preview */
	memset(&doc, 0, sizeof doc);
	assert_int_equal(node_feed_read(r->f.s, ORIGIN, res.doc.seq, &doc, &e),
	                 LS_OK);
	assert_int_equal(doc.hdr.type, LS_DOC_SUMMARY);
	assert_int_equal(doc.hdr.created, at(2025, 6, 20));
	assert_int_equal(doc.body.summary.tables[0].n_rows,
	                 plan.released.tables[0].n_rows);
	for (size_t i = 0; i < plan.released.tables[0].n_rows; i++)
		assert_memory_equal(&doc.body.summary.tables[0].rows[i].signals,
		                    &plan.released.tables[0].rows[i].signals,
		                    sizeof(struct ls_cell));
	proto_doc_fini(&doc);
	/* the ledger row (threshold: free) and the audit entry */
	assert_int_equal(store_ledger_find(r->f.s, ORIGIN, P(2025, 5), &lx),
	                 LS_OK);
	assert_int_equal(lx.seq, res.doc.seq);
	assert_int_equal(lx.cost_milli, 0);
	assert_int_equal(store_audit_find(r->f.s, ORIGIN, res.doc.seq, &ax),
	                 LS_OK);
	assert_int_equal(ax.kind, STORE_AUDIT_RELEASE);
	assert_string_equal(ax.actor, "dpo-test");
	assert_memory_equal(ax.doc_hash, res.doc.hash, LS_HASH_BYTES);
	assert_int_equal(ax.period.month, 5);
	assert_int_equal(ax.params.k, 5);
	assert_int_equal(ax.has_secret_id, 0);
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		logged += ax.cells[i];
	assert_int_equal(logged, notes);
	assert_true(ax.cells[STORE_CELLS_PRIMARY] > 0);
	assert_int_equal(node_audit_verify(r->f.s, ORIGIN, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	assert_int_equal(v.entries, 1);
	/* a preview of a released period is a correction preview: same
	 * numbers, nothing changed */
	node_release_plan_fini(&plan);
	assert_int_equal(node_release_preview(&r->env, P(2025, 5),
	                                      at(2025, 7, 1), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.state, NODE_PERIOD_RELEASED);
	assert_int_equal(plan.latest.seq, res.doc.seq);
	assert_int_equal(plan.changed, 0);
	node_release_plan_fini(&plan);
}

/* ---- corrections ----------------------------------------------------- */

static void test_correction(void **state)
{
	struct rx *r = *state;
	struct node_release_result res, fix;
	struct store_audit_entry ax;
	struct store_audit_verdict v;
	struct node_release_plan plan;
	struct ls_errinfo e;
	char before[65], after[65];
	char longtext[LS_JUSTIFICATION_MAX + 2];
	uint8_t *env_bytes;
	size_t env_len;
	static const char why[] = "CAW voerde 8 signalen van juni twee keer in";

	fill_month(r, 2025, 6, 40);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 6), at(2025, 7, 10), &res, &e),
	    LS_OK);
	digest(r, before);
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "typfout",
	                                      why, at(2025, 8, 1), &fix, &e),
	                 LS_EINVAL);
	assert_non_null(strstr(e.msg, "invoerfout"));
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      "", at(2025, 8, 1), &fix, &e),
	                 LS_EINVAL);
	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      longtext, at(2025, 8, 1), &fix,
	                                      &e),
	                 LS_ELIMIT);
	/* nothing changed since: a correction would republish the same */
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      why, at(2025, 8, 1), &fix, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "niet veranderd"));
	/* a period never released cannot be corrected */
	assert_int_equal(node_release_correct(&r->env, P(2025, 4), "invoerfout",
	                                      why, at(2025, 8, 1), &fix, &e),
	                 LS_ENOTFOUND);
	digest(r, after);
	assert_string_equal(before, after);

	/* the data change (late registrations for June) */
	fill_month(r, 2025, 6, 9);
	assert_int_equal(node_release_preview(&r->env, P(2025, 6),
	                                      at(2025, 8, 1), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.changed, 1);
	node_release_plan_fini(&plan);
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      why, at(2025, 8, 1), &fix, &e),
	                 LS_OK);
	assert_int_equal(fix.doc.seq, res.doc.seq + 1);
	assert_int_equal(fix.ledger.supersedes, res.doc.seq);
	/* the wire carries the reason code, never the justification */
	assert_int_equal(store_feed_get(r->f.s, ORIGIN, fix.doc.seq, NULL,
	                                &env_bytes, &env_len),
	                 LS_OK);
	assert_null(find(env_bytes, env_len, "twee keer", 9));
	assert_non_null(find(env_bytes, env_len, "invoerfout", 10));
	ls_free(env_bytes);
	{
		struct ls_doc doc;
		memset(&doc, 0, sizeof doc);
		assert_int_equal(
		    node_feed_read(r->f.s, ORIGIN, fix.doc.seq, &doc, &e),
		    LS_OK);
		assert_int_equal(doc.body.summary.supersedes_seq, res.doc.seq);
		assert_string_equal(doc.body.summary.correction_reason,
		                    "invoerfout");
		proto_doc_fini(&doc);
	}
	/* the justification is in the audit log */
	assert_int_equal(store_audit_find(r->f.s, ORIGIN, fix.doc.seq, &ax),
	                 LS_OK);
	assert_int_equal(ax.kind, STORE_AUDIT_CORRECTION);
	assert_string_equal(ax.note, why);
	assert_string_equal(ax.reason, "invoerfout");
	assert_int_equal(ax.supersedes, res.doc.seq);
	/* and the correction itself is now "the" release of June */
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      why, at(2025, 8, 2), &fix, &e),
	                 LS_ESTATE);
	assert_int_equal(node_audit_verify(r->f.s, ORIGIN, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	assert_int_equal(v.entries, 2);
}

/* ---- noise mode and the budget ---------------------------------------- */

static void test_noise_budget(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct node_release_plan plan;
	struct store_audit_entry ax;
	struct ls_errinfo e;
	struct stat st;
	char before[65], after[65];
	uint8_t *secret;
	uint64_t spent;

	r->env.local.mode = 1 + LS_MODE_NOISE;
	r->env.local.budget_milli = 2000; /* two releases at epsilon 1 */
	fill_month(r, 2025, 1, 50);
	fill_month(r, 2025, 2, 50);
	fill_month(r, 2025, 3, 50);
	assert_int_equal(stat(r->secret_path, &st), -1); /* made at need */
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 6, 1), &res, &e),
	    LS_OK);
	assert_int_equal(stat(r->secret_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(res.ledger.cost_milli, 1000);
	assert_int_equal(res.audit.spent_milli, 1000);
	assert_int_equal(res.audit.budget_milli, 2000);
	assert_int_equal(res.audit.has_secret_id, 1);
	assert_true(res.audit.cells[STORE_CELLS_NOISY] +
	                res.audit.cells[STORE_CELLS_WITHHELD] >
	            0);
	assert_int_equal(res.audit.cells[STORE_CELLS_PRIMARY], 0);
	/* the secret is named, never stored */
	assert_int_equal(node_noise_secret_load(r->secret_path, 0, &secret, &e),
	                 LS_OK);
	{
		uint8_t id[NODE_NOISE_SECRET_ID_BYTES];
		char hex[2 * NOISE_SECRET_BYTES + 1];
		node_noise_secret_id(secret, id);
		assert_memory_equal(id, res.audit.secret_id, sizeof id);
		ls_hex_encode(secret, NOISE_SECRET_BYTES, hex);
		assert_false(fx_store_files_contain(r->f.path, hex));
	}
	node_noise_secret_free(secret);
	/* consistent noise: made again, the summary is the same */
	assert_int_equal(node_release_preview(&r->env, P(2025, 1),
	                                      at(2025, 6, 2), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.changed, 0);
	node_release_plan_fini(&plan);

	assert_int_equal(
	    node_release_period(&r->env, P(2025, 2), at(2025, 6, 1), &res, &e),
	    LS_OK);
	assert_int_equal(store_ledger_spent(r->f.s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 2000);
	/* the budget is spent: March is refused, and so is a correction */
	digest(r, before);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 3), at(2025, 6, 1), &res, &e),
	    LS_EBUDGET);
	assert_non_null(strstr(e.msg, "privacybudget"));
	fill_month(r, 2025, 1, 3);
	digest(r, before);
	assert_int_equal(node_release_correct(&r->env, P(2025, 1), "dubbel",
	                                      "dubbele invoer", at(2025, 6, 3),
	                                      &res, &e),
	                 LS_EBUDGET);
	digest(r, after);
	assert_string_equal(before, after);
	/* the preview still shows it, and says the budget is too small */
	assert_int_equal(node_release_preview(&r->env, P(2025, 3),
	                                      at(2025, 6, 1), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.budget_ok, 0);
	assert_int_equal(plan.cost_milli, 1000);
	node_release_plan_fini(&plan);
	/* a looser budget than the default is refused */
	r->env.local.budget_milli = 16000;
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 3), at(2025, 6, 1), &res, &e),
	    LS_EPOLICY);
	r->env.local.budget_milli = 2000;
	/* the next year has its own budget */
	fill_month(r, 2026, 1, 5);
	assert_int_equal(
	    node_release_period(&r->env, P(2026, 1), at(2026, 3, 1), &res, &e),
	    LS_OK);
	assert_int_equal(store_audit_find(r->f.s, ORIGIN, res.doc.seq, &ax),
	                 LS_OK);
	assert_int_equal(ax.spent_milli, 1000);
	/* a secret file others can read is refused */
	assert_int_equal(chmod(r->secret_path, 0644), 0);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 12), at(2026, 3, 1), &res, &e),
	    LS_EDENIED);
}

/* ---- noise corrections do not show which cells changed ----------------- */

static int cells_same(const struct ls_cell *a, const struct ls_cell *b);

/* The true count of a cell in a raw summary (absent rows are 0). */
static int64_t raw_cell(const struct ls_summary *raw, int t, const char *theme,
                        const char *other, int m)
{
	if (t == LS_TABLE_COUNT_) {
		for (size_t i = 0; i < raw->n_recurrence; i++)
			if (strcmp(raw->recurrence[i].theme, theme) == 0)
				return m ? raw->recurrence[i].reporters.value
				         : raw->recurrence[i]
				               .organisations.value;
		return 0;
	}
	for (size_t i = 0; i < raw->tables[t].n_rows; i++) {
		const struct ls_summary_row *row = &raw->tables[t].rows[i];
		if (strcmp(row->theme, theme) == 0 &&
		    strcmp(row->other, other) == 0)
			return m ? row->persons.value : row->signals.value;
	}
	return 0;
}

struct diff_score {
	size_t touched, untouched;             /* cells by truth */
	size_t changed_touched, changed_other; /* released cell differs */
};

static void diff_cell(struct diff_score *d, const struct ls_cell *a,
                      const struct ls_cell *b, int64_t before, int64_t after)
{
	int changed = !cells_same(a, b);
	if (before != after) {
		d->touched++;
		d->changed_touched += changed;
	} else {
		d->untouched++;
		d->changed_other += changed;
	}
}

/*
 * The attacker of issue 11, class 5: diff a noise-mode release and its
 * correction, and take the cells that changed as the corrected signal's
 * cells. With a correction that re-draws only the changed cells this
 * finds exactly the late signal's themes, age band, sector, problem type
 * and target groups (precision and recall 1). A correction must be a
 * whole new draw: then most cells the signal did not touch change too,
 * and "changed" says next to nothing about "touched".
 */
static void test_noise_correction_diff(void **state)
{
	struct rx *r = *state;
	struct node_release_result res, fix;
	struct ls_summary raw0, raw1;
	struct ls_doc d0, d1;
	struct diff_score sc = {0};
	struct ls_errinfo e;
	double precision;

	r->env.local.mode = 1 + LS_MODE_NOISE;
	fill_month(r, 2025, 6, 40);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 6), at(2025, 7, 10), &res, &e),
	    LS_OK);
	assert_int_equal(store_summary_raw(r->f.s, P(2025, 6), 10, &raw0, &e),
	                 LS_OK);
	add_signal(r, "2025-06-15", 3); /* a late registration */
	assert_int_equal(store_summary_raw(r->f.s, P(2025, 6), 10, &raw1, &e),
	                 LS_OK);
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      "laat ingevoerd", at(2025, 8, 1),
	                                      &fix, &e),
	                 LS_OK);
	assert_int_equal(fix.ledger.cost_milli, 1000); /* paid in full */

	/* only what was published: the two signed documents */
	memset(&d0, 0, sizeof d0);
	memset(&d1, 0, sizeof d1);
	assert_int_equal(node_feed_read(r->f.s, ORIGIN, res.doc.seq, &d0, &e),
	                 LS_OK);
	assert_int_equal(node_feed_read(r->f.s, ORIGIN, fix.doc.seq, &d1, &e),
	                 LS_OK);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *a = &d0.body.summary.tables[t],
		                              *b = &d1.body.summary.tables[t];
		assert_int_equal(a->n_rows, b->n_rows);
		for (size_t i = 0; i < a->n_rows; i++) {
			const struct ls_summary_row *x = &a->rows[i],
			                            *y = &b->rows[i];
			assert_string_equal(x->theme, y->theme);
			assert_string_equal(x->other, y->other);
			for (int m = 0; m < 2; m++)
				diff_cell(
				    &sc, m ? &x->persons : &x->signals,
				    m ? &y->persons : &y->signals,
				    raw_cell(&raw0, t, x->theme, x->other, m),
				    raw_cell(&raw1, t, x->theme, x->other, m));
		}
	}
	for (size_t i = 0; i < d0.body.summary.n_recurrence; i++) {
		const struct ls_recurrence_row
		    *x = &d0.body.summary.recurrence[i],
		    *y = &d1.body.summary.recurrence[i];
		diff_cell(&sc, &x->organisations, &y->organisations,
		          raw_cell(&raw0, LS_TABLE_COUNT_, x->theme, "", 0),
		          raw_cell(&raw1, LS_TABLE_COUNT_, x->theme, "", 0));
		diff_cell(&sc, &x->reporters, &y->reporters,
		          raw_cell(&raw0, LS_TABLE_COUNT_, x->theme, "", 1),
		          raw_cell(&raw1, LS_TABLE_COUNT_, x->theme, "", 1));
	}
	/* the late signal touched a handful of cells out of hundreds */
	assert_true(sc.touched >= 4 && sc.touched < 40);
	assert_true(sc.untouched > 500);
	/* most untouched cells changed as well ... */
	assert_true(sc.changed_other * 2 > sc.untouched);
	/* ... so "changed" is no guide to "touched": of the cells the
	 * attacker flags, the touched ones are a few percent, the share
	 * any guess would have */
	precision = (double)sc.changed_touched /
	            (double)(sc.changed_touched + sc.changed_other);
	assert_true(precision < 0.1);
	ls_summary_fini(&raw0);
	ls_summary_fini(&raw1);
	proto_doc_fini(&d0);
	proto_doc_fini(&d1);
}

/* A noise correction needs a change of the data, like a threshold one:
 * the latest release made again with its own epoch is the same. */
static void test_noise_correction_unchanged(void **state)
{
	struct rx *r = *state;
	struct node_release_result res, fix;
	struct node_release_plan plan;
	struct ls_errinfo e;

	r->env.local.mode = 1 + LS_MODE_NOISE;
	fill_month(r, 2025, 6, 30);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 6), at(2025, 7, 10), &res, &e),
	    LS_OK);
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      "niets", at(2025, 8, 1), &fix,
	                                      &e),
	                 LS_ESTATE);
	add_signal(r, "2025-06-03", 1);
	assert_int_equal(node_release_preview(&r->env, P(2025, 6),
	                                      at(2025, 8, 1), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.changed, 1);
	assert_int_equal(plan.noise_epoch, 1);
	node_release_plan_fini(&plan);
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      "laat", at(2025, 8, 1), &fix, &e),
	                 LS_OK);
	/* the correction made again (epoch 1) is the same: refused */
	assert_int_equal(node_release_correct(&r->env, P(2025, 6), "invoerfout",
	                                      "nog eens", at(2025, 8, 2), &fix,
	                                      &e),
	                 LS_ESTATE);
	assert_int_equal(node_release_preview(&r->env, P(2025, 6),
	                                      at(2025, 8, 2), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.changed, 0);
	assert_int_equal(plan.noise_epoch, 2);
	node_release_plan_fini(&plan);
}

/* ---- the ledger survives a restore ------------------------------------ */

struct envs {
	struct store_doc_meta meta[16];
	uint64_t seq[16];
	uint8_t *env[16];
	size_t len[16], n;
};

static int envs_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *envelope, size_t len)
{
	struct envs *v = arg;
	assert_true(v->n < 16);
	v->seq[v->n] = m->seq;
	v->meta[v->n] = *m;
	v->env[v->n] = malloc(len);
	memcpy(v->env[v->n], envelope, len);
	v->len[v->n++] = len;
	return 0;
}

/* The store goes back to the backup; what the peers hold comes back. */
static void restore(struct rx *r, const char *backup, const struct envs *peer)
{
	struct store_options opt = {.synchronous = LS_SYNC_NORMAL};
	struct ls_errinfo e;
	char cmd[512];
	store_close(r->f.s);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'",
	         backup, r->f.path, r->f.path, r->f.path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(store_open(r->f.path, &opt, &r->f.s, &e), LS_OK);
	r->env.store = r->f.s;
	/* sync brings the own documents back (verified, as ingest does) */
	for (size_t i = 0; i < peer->n; i++) {
		uint64_t head;
		uint8_t hash[LS_HASH_BYTES];
		assert_int_equal(store_feed_head(r->f.s, ORIGIN, &head, hash),
		                 LS_OK);
		if (peer->seq[i] <= head)
			continue;
		assert_int_equal(store_feed_append(r->f.s, &peer->meta[i],
		                                   peer->env[i], peer->len[i]),
		                 LS_OK);
	}
}

static int cost_cb(void *arg, const struct store_ledger_entry *x)
{
	*(uint64_t *)arg += x->cost_milli;
	return 0;
}

/*
 * Issue 11, class 6: backup -> releases -> restore from the old backup.
 * The restored node learns its later summaries back from its peers; before
 * it decides anything, the ledger is rebuilt from them: no period is
 * released again as a first release, the budget spent is what was spent,
 * the next correction draws a new epoch, and the audit log names every
 * summary of the feed again.
 */
static void test_ledger_restore(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct node_release_plan plan;
	struct store_audit_verdict v;
	struct store_audit_entry ax;
	struct ls_period due[8];
	struct envs peer = {0};
	struct ls_errinfo e;
	char backup[192];
	uint64_t spent, sum = 0;
	size_t n;
	int more;

	r->env.local.mode = 1 + LS_MODE_NOISE;
	for (int m = 1; m <= 4; m++)
		fill_month(r, 2025, m, 20);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 6, 1), &res, &e),
	    LS_OK);
	snprintf(backup, sizeof backup, "%s/old.db", r->f.dir);
	assert_int_equal(store_backup(r->f.s, backup, NULL, &e), LS_OK);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 2), at(2025, 6, 1), &res, &e),
	    LS_OK);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 3), at(2025, 6, 1), &res, &e),
	    LS_OK);
	fill_month(r, 2025, 2, 2);
	assert_int_equal(node_release_correct(&r->env, P(2025, 2), "invoerfout",
	                                      "laat", at(2025, 6, 2), &res, &e),
	                 LS_OK);
	assert_int_equal(store_ledger_spent(r->f.s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 4000);
	assert_int_equal(
	    store_feed_list(r->f.s, LS_DOC_SUMMARY, ORIGIN, envs_cb, &peer),
	    LS_OK);
	assert_int_equal(peer.n, 4);

	/* restored from the backup: only January is in the ledger ... */
	restore(r, backup, &peer);
	/* ... and the noise secret is lost too */
	assert_int_equal(unlink(r->secret_path), 0);

	/* what is due: April only; February and March are in the feed */
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 6, 3), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].month, 4);
	assert_int_equal(store_ledger_spent(r->f.s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 4000);
	assert_int_equal(store_ledger_list(r->f.s, ORIGIN, cost_cb, &sum),
	                 LS_OK);
	assert_int_equal(sum, 4000);
	/* a released period is never released afresh */
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 3), at(2025, 6, 3), &res, &e),
	    LS_EEXISTS);
	/* the audit log names every summary again, and says how */
	assert_int_equal(store_audit_find(r->f.s, ORIGIN, peer.seq[3], &ax),
	                 LS_OK);
	assert_string_equal(ax.actor, NODE_LEDGER_ACTOR);
	assert_int_equal(ax.kind, STORE_AUDIT_CORRECTION);
	assert_int_equal(ax.cost_milli, 1000);
	assert_int_equal(node_audit_verify(r->f.s, ORIGIN, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	/* a correction of February: a new epoch (its third draw), paid,
	 * with the new secret */
	fill_month(r, 2025, 2, 1);
	assert_int_equal(node_release_preview(&r->env, P(2025, 2),
	                                      at(2025, 6, 4), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.noise_epoch, 2);
	node_release_plan_fini(&plan);
	assert_int_equal(node_release_correct(&r->env, P(2025, 2), "invoerfout",
	                                      "laat", at(2025, 6, 4), &res, &e),
	                 LS_OK);
	assert_int_equal(res.audit.spent_milli, 5000);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 4), at(2025, 6, 4), &res, &e),
	    LS_OK);
	assert_int_equal(store_ledger_spent(r->f.s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 6000);
	for (size_t i = 0; i < peer.n; i++)
		free(peer.env[i]);
}

/* A feed made by an older version may hold a period released twice as a
 * first release: both are paid. */
static void test_ledger_recover_double_first(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct node_release_plan plan;
	struct store_doc_meta meta;
	struct ls_doc doc;
	struct ls_errinfo e;
	struct envs mine = {0};
	char backup[192];
	uint64_t spent;
	size_t n;

	r->env.local.mode = 1 + LS_MODE_NOISE;
	fill_month(r, 2025, 1, 20);
	snprintf(backup, sizeof backup, "%s/old.db", r->f.dir);
	assert_int_equal(store_backup(r->f.s, backup, NULL, &e), LS_OK);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 6, 1), &res, &e),
	    LS_OK);
	assert_int_equal(
	    store_feed_list(r->f.s, LS_DOC_SUMMARY, ORIGIN, envs_cb, &mine),
	    LS_OK);
	restore(r, backup, &mine);
	/* the old way: the period published again as a first release,
	 * straight into the feed, without the ledger */
	memset(&doc, 0, sizeof doc);
	assert_int_equal(node_feed_read(r->f.s, ORIGIN, 1, &doc, &e), LS_OK);
	assert_int_equal(
	    node_feed_publish(r->f.s, r->key, &doc, at(2025, 6, 2), &meta, &e),
	    LS_OK);
	proto_doc_fini(&doc);
	assert_int_equal(
	    node_ledger_recover(r->f.s, ORIGIN, 15000, at(2025, 6, 3), &n, &e),
	    LS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_ledger_spent(r->f.s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 2000);
	/* nothing more to find */
	assert_int_equal(
	    node_ledger_recover(r->f.s, ORIGIN, 15000, at(2025, 6, 3), &n, &e),
	    LS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(node_release_preview(&r->env, P(2025, 1),
	                                      at(2025, 6, 3), &plan, &e),
	                 LS_OK);
	assert_int_equal(plan.state, NODE_PERIOD_RELEASED);
	assert_int_equal(plan.noise_epoch, 2);
	node_release_plan_fini(&plan);
	free(mine.env[0]);
}

/* ---- one organisation, two sectors -------------------------------------- */

/* A signal of "CAW Noord" in theme wonen with the given sector. */
static void add_org_signal(struct rx *r, const char *date, const char *sector)
{
	struct ls_signal s;
	struct ls_errinfo e;
	ls_signal_init(&s);
	set(r, &s, LS_FIELD_REGISTERED_AT, date);
	set(r, &s, LS_FIELD_THEME, "wonen");
	set(r, &s, LS_FIELD_AGE, "25-64");
	set(r, &s, LS_FIELD_SECTOR, sector);
	set(r, &s, LS_FIELD_ORGANISATION, "CAW Noord");
	set(r, &s, LS_FIELD_PERSONS, "1");
	assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
	assert_int_equal(store_signal_insert(r->f.s, &s, &e), LS_OK);
}

/*
 * One organisation name used with two sectors in a month made that
 * month's release fail ("... organisations in 2 sectors") and every later
 * month wait behind it. The rule: each signal counts under the sector on
 * it, the organisation once per sector; the release goes through and says
 * so, and the later months follow.
 */
static void test_two_sectors(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct node_release_plan plan;
	struct ls_period due[8];
	struct ls_errinfo e;
	size_t n;
	int more;

	for (int i = 0; i < 6; i++)
		add_org_signal(r, "2025-03-05", i % 2 ? "caw" : "ocmw");
	fill_month(r, 2025, 4, 10);
	fill_month(r, 2025, 5, 10);
	for (int mode = 0; mode < 2; mode++) {
		r->env.local.mode = 1 + mode;
		assert_int_equal(node_release_preview(&r->env, P(2025, 3),
		                                      at(2025, 7, 1), &plan,
		                                      &e),
		                 LS_OK);
		assert_int_equal(plan.sector_conflicts, 1);
		node_release_plan_fini(&plan);
	}
	r->env.local.mode = 1 + LS_MODE_THRESHOLD;
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 7, 1), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(node_release_period(&r->env, &due[i],
		                                     at(2025, 7, 1), &res, &e),
		                 LS_OK);
		if (i == 0)
			assert_int_equal(res.sector_conflicts, 1);
	}
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 7, 1), due, 8, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 0);
	/* the organisation counts once per sector: 2 for 2 sectors */
	{
		struct ls_summary raw;
		assert_int_equal(
		    store_summary_raw(r->f.s, P(2025, 3), 10, &raw, &e), LS_OK);
		assert_int_equal(raw.n_recurrence, 1);
		assert_int_equal(raw.recurrence[0].organisations.value, 2);
		ls_summary_fini(&raw);
	}
}

/* ---- atomicity -------------------------------------------------------- */

static void raw_sql(struct rx *r, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;
	assert_int_equal(sqlite3_open(r->f.path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(db);
}

static void test_atomic(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct ls_errinfo e;
	char before[65], after[65];
	uint64_t seq;
	uint8_t head[LS_HASH_BYTES];
	long fails = 0;

	fill_month(r, 2025, 2, 25);
	/* The audit log refuses the entry: that is after the summary was
	 * signed, appended to the feed and charged to the ledger. Nothing
	 * of it may remain. */
	raw_sql(r, "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
	           "BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	digest(r, before);
	assert_int_not_equal(
	    node_release_period(&r->env, P(2025, 2), at(2025, 4, 1), &res, &e),
	    LS_OK);
	digest(r, after);
	assert_string_equal(before, after);
	assert_int_equal(store_feed_head(r->f.s, ORIGIN, &seq, head), LS_OK);
	assert_int_equal(seq, 0);
	raw_sql(r, "DROP TRIGGER fail_audit;");

	/* The same with the ledger refusing, and then every allocation of
	 * the pipeline failing in turn. */
	raw_sql(r, "CREATE TRIGGER fail_ledger BEFORE INSERT ON "
	           "release_ledger BEGIN SELECT RAISE(ABORT, 'injected'); "
	           "END;");
	digest(r, before);
	assert_int_not_equal(
	    node_release_period(&r->env, P(2025, 2), at(2025, 4, 1), &res, &e),
	    LS_OK);
	raw_sql(r, "DROP TRIGGER fail_ledger;");
	digest(r, before);
	r->env.local.mode = 1 + LS_MODE_NOISE; /* the longer path */
	for (long n = 1;; n++) {
		int rc;
		ls_alloc_fail_nth(n);
		rc = node_release_period(&r->env, P(2025, 2), at(2025, 4, 1),
		                         &res, &e);
		ls_alloc_fail_nth(0);
		if (rc == LS_OK)
			break;
		fails++;
		digest(r, after);
		assert_string_equal(before, after);
		assert_true(n < 100000);
	}
	assert_true(fails > 10);
	assert_int_equal(store_feed_head(r->f.s, ORIGIN, &seq, head), LS_OK);
	assert_int_equal(seq, 1);
}

/* ---- the audit log against the feed ----------------------------------- */

static void test_audit_cross_check(void **state)
{
	struct rx *r = *state;
	struct node_release_result res;
	struct store_audit_verdict v;
	struct ls_errinfo e;

	fill_month(r, 2025, 1, 10);
	fill_month(r, 2025, 2, 10);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 1), at(2025, 3, 1), &res, &e),
	    LS_OK);
	assert_int_equal(
	    node_release_period(&r->env, P(2025, 2), at(2025, 3, 9), &res, &e),
	    LS_OK);
	assert_int_equal(node_audit_verify(r->f.s, ORIGIN, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	/* the last entry cut off: the chain alone cannot tell, the feed
	 * can */
	raw_sql(r, "DROP TRIGGER audit_log_no_delete;"
	           "DELETE FROM audit_log WHERE id = 2;"
	           "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON "
	           "audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;");
	assert_int_equal(store_audit_verify(r->f.s, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	assert_int_equal(node_audit_verify(r->f.s, ORIGIN, 0, NULL, &v), LS_OK);
	assert_false(v.ok);
	assert_non_null(strstr(v.what, "niet in het auditlog"));
}

/* ---- the canary test -------------------------------------------------- */

#define N_CANARY 40

static void canary(char *out, size_t size, const char *what, int i)
{
	snprintf(out, size, "KANARIE-%s-%03d-ZQX", what, i);
}

struct ids {
	uint8_t id[N_CANARY * 12][LS_SIGNAL_ID_BYTES];
	char dates[N_CANARY * 12][LS_DATE_SIZE];
	size_t n;
};

static int collect_cb(void *arg, const struct ls_signal *s, int64_t created)
{
	struct ids *x = arg;
	(void)created;
	if (x->n < N_CANARY * 12) {
		memcpy(x->id[x->n], s->id, LS_SIGNAL_ID_BYTES);
		ls_date_format(&s->registered_at, x->dates[x->n]);
		x->n++;
	}
	return 0;
}

struct docs {
	uint8_t *buf[64];
	size_t len[64];
	size_t n;
};

static int docs_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *envelope, size_t len)
{
	struct docs *d = arg;
	(void)m;
	if (d->n < 64) {
		d->buf[d->n] = malloc(len);
		memcpy(d->buf[d->n], envelope, len);
		d->len[d->n++] = len;
	}
	return 0;
}

static int has(const struct docs *d, const void *needle, size_t n)
{
	for (size_t i = 0; i < d->n; i++)
		if (find(d->buf[i], d->len[i], needle, n) != NULL)
			return 1;
	return 0;
}

static void canary_run(struct rx *r, uint8_t mode)
{
	static const char *const themes[] = {"wonen", "mentaal", "energie"};
	struct ls_period due[16];
	struct ids *ids = calloc(1, sizeof *ids);
	struct docs docs;
	struct ls_errinfo e;
	size_t n;
	int more;

	r->env.local.mode = (uint8_t)(1 + mode);
	/* signals whose every free field is a unique canary, on dates in
	 * 2025-01..2025-03, observed a few days earlier */
	for (int i = 0; i < N_CANARY * 3; i++) {
		char desc[64], org[64], rep[64], hood[64], reg[32], obs[32];
		struct ls_signal s;
		ls_signal_init(&s);
		canary(desc, sizeof desc, "OMSCHRIJVING", i);
		canary(org, sizeof org, "ORGANISATIE", i % 17);
		canary(rep, sizeof rep, "MELDER", i);
		canary(hood, sizeof hood, "WIJK", i);
		snprintf(reg, sizeof reg, "2025-%02d-%02d", 1 + i % 3,
		         5 + i % 20);
		snprintf(obs, sizeof obs, "2025-%02d-%02d", 1 + i % 3,
		         1 + i % 4);
		set(r, &s, LS_FIELD_REGISTERED_AT, reg);
		set(r, &s, LS_FIELD_OBSERVED_ON, obs);
		set(r, &s, LS_FIELD_THEME, themes[i % 3]);
		set(r, &s, LS_FIELD_AGE, i % 2 ? "12-17" : "25-64");
		set(r, &s, LS_FIELD_SECTOR, "caw");
		set(r, &s, LS_FIELD_ORGANISATION, org);
		set(r, &s, LS_FIELD_REPORTER, rep);
		set(r, &s, LS_FIELD_NEIGHBOURHOOD, hood);
		set(r, &s, LS_FIELD_DESCRIPTION, desc);
		assert_int_equal(store_signal_insert(r->f.s, &s, &e), LS_OK);
	}
	/* release every period */
	assert_int_equal(
	    node_release_due(&r->env, at(2025, 4, 10), due, 16, &n, &more, &e),
	    LS_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(node_release_period(&r->env, &due[i],
		                                     at(2025, 4, 10), NULL, &e),
		                 LS_OK);
	memset(&docs, 0, sizeof docs);
	assert_int_equal(store_feed_list(r->f.s, 0, NULL, docs_cb, &docs),
	                 LS_OK);
	assert_int_equal(docs.n, 3);
	assert_int_equal(store_signal_list(r->f.s, NULL, collect_cb, ids, &e),
	                 LS_OK);
	assert_int_equal(ids->n, N_CANARY * 3);

	/* the test can find what it looks for */
	assert_true(has(&docs, "mentaal", 7));
	assert_false(has(&docs, "KANARIE", 7));
	for (int i = 0; i < N_CANARY * 3; i++) {
		const char *what[] = {"OMSCHRIJVING", "ORGANISATIE", "MELDER",
		                      "WIJK"};
		for (int w = 0; w < 4; w++) {
			char c[64];
			canary(c, sizeof c, what[w], i);
			assert_false(has(&docs, c, strlen(c)));
		}
	}
	for (size_t i = 0; i < ids->n; i++) {
		char hex[LS_SIGNAL_ID_HEX_SIZE];
		struct ls_date d;
		int64_t t;
		uint8_t be[4];
		/* the id, raw and as hex (either case) */
		assert_false(has(&docs, ids->id[i], LS_SIGNAL_ID_BYTES));
		assert_false(has(&docs, ids->id[i], 8));
		ls_signal_id_format(ids->id[i], hex);
		assert_false(has(&docs, hex, strlen(hex)));
		for (char *p = hex; *p; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
		assert_false(has(&docs, hex, strlen(hex)));
		/* the date, as text and as a msgpack uint32 of its Unix
		 * time */
		assert_false(has(&docs, ids->dates[i], 10));
		assert_int_equal(ls_date_parse(ids->dates[i], 10, &d), LS_OK);
		t = ls_date_to_time(&d);
		be[0] = (uint8_t)(t >> 24);
		be[1] = (uint8_t)(t >> 16);
		be[2] = (uint8_t)(t >> 8);
		be[3] = (uint8_t)t;
		assert_false(has(&docs, be, 4));
	}
	/* and the observation dates */
	for (int m = 1; m <= 3; m++)
		for (int day = 1; day <= 4; day++) {
			char obs[32];
			snprintf(obs, sizeof obs, "2025-%02d-%02d", m, day);
			assert_false(has(&docs, obs, 10));
		}
	for (size_t i = 0; i < docs.n; i++)
		free(docs.buf[i]);
	free(ids);
}

static void test_canary_threshold(void **state)
{
	canary_run(*state, LS_MODE_THRESHOLD);
}

static void test_canary_noise(void **state)
{
	canary_run(*state, LS_MODE_NOISE);
}

/* ---- round trip in both modes ----------------------------------------- */

static int cells_same(const struct ls_cell *a, const struct ls_cell *b)
{
	/* what the wire carries of each kind */
	if (a->kind != b->kind || a->lo != b->lo || a->hi != b->hi)
		return 0;
	return a->kind == LS_CELL_RANGE || a->kind == LS_CELL_WITHHELD ||
	       a->value == b->value;
}

static void assert_same_summary(const struct ls_summary *a,
                                const struct ls_summary *b)
{
	assert_string_equal(a->origin, b->origin);
	assert_memory_equal(&a->period, &b->period, sizeof a->period);
	assert_memory_equal(&a->params, &b->params, sizeof a->params);
	assert_int_equal(a->supersedes_seq, b->supersedes_seq);
	assert_string_equal(a->correction_reason, b->correction_reason);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		assert_int_equal(a->tables[t].n_rows, b->tables[t].n_rows);
		for (size_t i = 0; i < a->tables[t].n_rows; i++) {
			const struct ls_summary_row *x = &a->tables[t].rows[i],
			                            *y = &b->tables[t].rows[i];
			assert_string_equal(x->theme, y->theme);
			assert_string_equal(x->other, y->other);
			assert_true(cells_same(&x->signals, &y->signals));
			assert_true(cells_same(&x->persons, &y->persons));
		}
	}
	assert_int_equal(a->n_recurrence, b->n_recurrence);
	for (size_t i = 0; i < a->n_recurrence; i++) {
		assert_string_equal(a->recurrence[i].theme,
		                    b->recurrence[i].theme);
		assert_true(cells_same(&a->recurrence[i].organisations,
		                       &b->recurrence[i].organisations));
		assert_true(cells_same(&a->recurrence[i].reporters,
		                       &b->recurrence[i].reporters));
	}
}

static void roundtrip_one(const struct synth_domain *sd,
                          const struct ls_summary *raw,
                          const struct ls_disclosure_params *p,
                          const struct ls_trust *trust)
{
	static const uint8_t secret[NOISE_SECRET_BYTES] = {1, 2, 3};
	struct noise_budget budget = {UINT64_MAX / 4, 0};
	struct disclosure_input in = {.raw = raw,
	                              .domain = &sd->dom,
	                              .params = p,
	                              .secret = secret,
	                              .budget = &budget};
	/* a feed with 9 documents before, so that a correction can name
	 * an earlier one */
	struct ls_feed_head head = {.seq = 9, .hash = {9}};
	struct ls_doc doc, got;
	struct ls_errinfo e;
	uint8_t *env;
	size_t len;

	proto_doc_init(&doc, LS_DOC_SUMMARY);
	strcpy(doc.hdr.origin, "gent");
	if (ls_disclosure_apply(&in, &doc.body.summary, NULL, &e) != LS_OK)
		fail_msg("disclosure: %s", e.msg);
	/* canonical parameters, and the receiver's own checks pass */
	assert_int_equal(
	    ls_disclosure_params_check_canonical(&doc.body.summary.params, &e),
	    LS_OK);
	if (proto_summary_validate(&doc.body.summary, &e) != LS_OK)
		fail_msg("validate (mode %u): %s", p->mode, e.msg);
	assert_int_equal(
	    ls_disclosure_check(&doc.body.summary, &sd->dom, NULL, &e), LS_OK);
	env = fx_sign(&doc, &head, FX_NOW - 60, "gent", &len);
	memset(&got, 0, sizeof got);
	if (proto_doc_verify(trust, env, len, FX_NOW, &got, NULL, &e) != LS_OK)
		fail_msg("verify: %s", e.msg);
	assert_same_summary(&doc.body.summary, &got.body.summary);
	ls_free(env);
	proto_doc_fini(&got);
	proto_doc_fini(&doc);
}

static void test_roundtrip_both_modes(void **state)
{
	struct synth_domain sd;
	struct synth_world w;
	struct synth_rng rng = {77};
	struct ls_roster roster;
	struct ls_trust trust = {0};
	static struct synth_signal sig[3000];
	(void)state;

	fx_roster(&roster);
	trust.roster = &roster;
	synth_domain_init(&sd, NULL);
	for (int round = 0; round < 60; round++) {
		struct ls_disclosure_params thr, noi;
		struct ls_summary raw;
		size_t n = round == 0 ? 0
		           : round == 1
		               ? 1
		               : synth_below(&rng, round < 40 ? 200 : 3000);
		ls_disclosure_params_default(&thr);
		thr.k = 3 + synth_below(&rng, 5);
		thr.persons_cap = 1 + synth_below(&rng, 20);
		noi = thr;
		noi.mode = LS_MODE_NOISE;
		noi.epsilon_milli = 100 + synth_below(&rng, 5000);
		noi.withhold_below = synth_below(&rng, 10);
		if (round == 2) { /* a tiny scale: h = 0, withheld [0, 0] */
			noi.epsilon_milli = DISCLOSURE_EPSILON_MILLI_MAX;
			noi.withhold_below = 0;
		}
		if (round == 3) { /* the widest noise the limits allow */
			noi.epsilon_milli = DISCLOSURE_EPSILON_MILLI_MIN;
			noi.persons_cap = DISCLOSURE_PERSONS_CAP_MAX;
		}
		synth_world_init(&w, &rng, &sd, 1 + synth_below(&rng, 60),
		                 synth_below(&rng, 200));
		for (size_t i = 0; i < n; i++)
			synth_signal_random(&sig[i], &rng, &sd, &w, 30);
		ls_summary_init(&raw);
		synth_header(&raw, "gent", 2025, 1 + round % 12);
		if (round % 5 == 4) {
			raw.supersedes_seq = 3;
			strcpy(raw.correction_reason, "invoerfout");
		}
		assert_int_equal(synth_summarise(&sd, &w, sig, n,
		                                 thr.persons_cap, round % 2,
		                                 &raw, NULL),
		                 0);
		roundtrip_one(&sd, &raw, &thr, &trust);
		ls_summary_fini(&raw);
		ls_summary_init(&raw);
		synth_header(&raw, "gent", 2025, 1 + round % 12);
		assert_int_equal(synth_summarise(&sd, &w, sig, n,
		                                 noi.persons_cap, round % 2,
		                                 &raw, NULL),
		                 0);
		roundtrip_one(&sd, &raw, &noi, &trust);
		ls_summary_fini(&raw);
	}
	proto_roster_fini(&roster);
}

/* ---- the noise secret file ------------------------------------------- */

/* The file written with its mode, or the test fails. */
#define write_file(path, text, mode)                                           \
	assert_int_equal(fixture_write((path), (text), (mode_t)(mode)), 0)

static void test_secret_file(void **state)
{
	struct rx *r = *state;
	struct ls_errinfo e;
	uint8_t *a = NULL, *b = NULL;
	uint8_t ida[NODE_NOISE_SECRET_ID_BYTES],
	    idb[NODE_NOISE_SECRET_ID_BYTES];
	char path[200];

	assert_int_equal(node_noise_secret_load(r->secret_path, 0, &a, &e),
	                 LS_ENOTFOUND);
	assert_int_equal(node_noise_secret_load(r->secret_path, 1, &a, &e),
	                 LS_OK);
	/* made once: loading (or "creating") again gives the same bytes */
	assert_int_equal(node_noise_secret_load(r->secret_path, 1, &b, &e),
	                 LS_OK);
	assert_memory_equal(a, b, NOISE_SECRET_BYTES);
	node_noise_secret_id(a, ida);
	node_noise_secret_id(b, idb);
	assert_memory_equal(ida, idb, sizeof ida);
	/* the fingerprint is not the secret */
	assert_memory_not_equal(ida, a, sizeof ida);
	node_noise_secret_free(a);
	node_noise_secret_free(b);
	/* bad files are refused, never replaced */
	snprintf(path, sizeof path, "%s/keys/bad.secret", r->f.dir);
	write_file(path, "noise_secret=1234\n", 0600);
	assert_int_equal(node_noise_secret_load(path, 1, &a, &e), LS_EDECODE);
	write_file(path, "# nothing\n", 0600);
	assert_int_equal(node_noise_secret_load(path, 1, &a, &e), LS_EDECODE);
	write_file(path,
	           "noise_secret=00000000000000000000000000000000000000000000"
	           "00000000000000000000\nnoise_secret=0000000000000000000000"
	           "000000000000000000000000000000000000000000\n",
	           0600);
	assert_int_equal(node_noise_secret_load(path, 1, &a, &e), LS_EDECODE);
	write_file(path,
	           "noise_secret=00000000000000000000000000000000000000000000"
	           "00000000000000000000\n",
	           0640);
	assert_int_equal(node_noise_secret_load(path, 1, &a, &e), LS_EDENIED);
	/* no keys folder: not made */
	snprintf(path, sizeof path, "%s/nokeys/noise.secret", r->f.dir);
	assert_int_equal(node_noise_secret_load(path, 1, &a, &e), LS_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_due_and_settle, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_release_records, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_noise_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_noise_correction_diff, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_noise_correction_unchanged,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ledger_restore, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_ledger_recover_double_first,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_sectors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_cross_check, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_canary_threshold, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_canary_noise, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_secret_file, setup, teardown),
	    cmocka_unit_test(test_roundtrip_both_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
