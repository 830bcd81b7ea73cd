/* node/trends_load and node/dossier_share against a real store: the
 * latest correction wins, recomputation from the listed documents gives
 * identical results, filters and the default window, damaged documents,
 * dossier notes and member names, and sharing a dossier (only when it is
 * recognised as structural, with a clean headline; a refusal writes
 * nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "view/trends_json.h"
#include "node/dossier_share.h"
#include "node/feed.h"
#include "node/trends_load.h"
#include "store/dossier.h"
#include "tests/fixture.h"
#include "tests/unit/fixture_store.h"
#include "tests/unit/trends_util.h"

/* Sign and store a summary as the next document of its origin. */
static struct store_doc_meta publish_summary(struct fx *f, struct ls_summary *s)
{
	struct ls_keypair *kp = fx_key(s->origin);
	struct store_doc_meta m;
	struct ls_errinfo e;
	struct ls_doc doc;
	proto_doc_init(&doc, LS_DOC_SUMMARY);
	strcpy(doc.hdr.origin, s->origin);
	doc.body.summary = *s; /* the document owns the rows now */
	ls_summary_init(s);
	if (node_feed_publish(f->s, kp, &doc, FX_NOW - 86400, &m, &e) != LS_OK)
		fail_msg("publish: %s", e.msg);
	proto_doc_fini(&doc);
	proto_keypair_free(kp);
	return m;
}

static struct trends *new_trends(struct fx *f, int y0, int m0, int y1, int m1)
{
	struct trends_options o;
	struct ls_period last = {y1, m1, 1};
	struct trends *t;
	struct ls_errinfo e;
	ls_trends_options_default(&o, &last);
	o.first.year = y0;
	o.first.month = m0;
	o.growth_periods = 4;
	if (ls_trends_new(store_taxonomy(f->s), &o, &t, &e) != LS_OK)
		fail_msg("ls_trends_new: %s", e.msg);
	return t;
}

/* Ten pilots, six months of realistic released summaries (k = 5). */
static void ten_pilots(struct fx *f, int months)
{
	for (int m = 1; m <= months; m++)
		for (int p = 0; p < FX_N_PILOTS; p++) {
			struct ls_summary s;
			fx_summary(&s, fx_members[p], 2025, m,
			           fx_pilot_signals[p] + (unsigned)(m * p),
			           (uint32_t)(p * 100 + m));
			publish_summary(f, &s);
		}
}

static void test_latest_correction_wins(void **state)
{
	struct fx *f = *state;
	struct node_trends_report r;
	struct trends *t;
	struct ls_summary s;
	struct trends_value v;
	struct ls_errinfo e;
	const struct trends_item *it;
	int64_t lo, hi;

	tu_summary(&s, "kortrijk", 2025, 1, LS_MODE_THRESHOLD);
	s.params.epsilon_milli = 0;
	s.params.withhold_below = 0;
	tu_theme(&s, "wonen", 12, "18-24", "ocmw");
	tu_finish(&s);
	publish_summary(f, &s);
	tu_summary(&s, "kortrijk", 2025, 2, LS_MODE_THRESHOLD);
	s.params.epsilon_milli = 0;
	s.params.withhold_below = 0;
	tu_theme(&s, "wonen", 20, "18-24", "ocmw");
	tu_finish(&s);
	publish_summary(f, &s);
	/* a correction of January: 30, not 12 */
	tu_summary(&s, "kortrijk", 2025, 1, LS_MODE_THRESHOLD);
	s.params.epsilon_milli = 0;
	s.params.withhold_below = 0;
	s.supersedes_seq = 1;
	strcpy(s.correction_reason, "herberekend");
	tu_theme(&s, "wonen", 30, "18-24", "ocmw");
	tu_finish(&s);
	publish_summary(f, &s);

	t = new_trends(f, 2025, 1, 2025, 3);
	assert_int_equal(node_trends_load(f->s, t, NULL, &r, &e), LS_OK);
	assert_int_equal(r.docs, 3);
	assert_int_equal(r.superseded, 1);
	assert_int_equal(r.used, 2);
	assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_int_equal(ls_trends_cell(t, LS_TABLE_THEME, it->theme, 0, 0, 0, &v),
	                 LS_OK);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 30);
	assert_int_equal(hi, 30);
	assert_int_equal(ls_trends_n_sources(t), 2);
	assert_int_equal(ls_trends_source_at(t, 0)->seq, 2);
	assert_int_equal(ls_trends_source_at(t, 1)->seq, 3);
	ls_trends_free(t);
}

static char *json_text(const struct trends *t)
{
	struct ls_trends_select sel = {.levels = 7};
	json_t *j = ls_trends_json(t, &sel, NULL, NULL, NULL);
	char *s;
	assert_non_null(j);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void test_recompute_from_sources(void **state)
{
	struct fx *f = *state;
	struct trends *a, *b;
	struct ls_errinfo e;
	const char *diff;
	char *ja, *jb;
	size_t n;

	ten_pilots(f, 6);
	/* two corrections, so the listed documents are not simply all */
	for (int p = 2; p < 4; p++) {
		struct ls_summary s;
		fx_summary(&s, fx_members[p], 2025, 3, 77, 4242);
		s.supersedes_seq = 3;
		strcpy(s.correction_reason, "herberekend");
		publish_summary(f, &s);
	}
	a = new_trends(f, 2025, 1, 2025, 6);
	assert_int_equal(node_trends_load(f->s, a, NULL, NULL, &e), LS_OK);
	assert_int_equal(ls_trends_finish(a, &e), LS_OK);
	n = ls_trends_n_sources(a);
	assert_int_equal(n, 60);

	/* Anyone holding the listed documents: read exactly those (checking
	 * each hash), in another order, and compute again. */
	b = new_trends(f, 2025, 1, 2025, 6);
	for (size_t k = n; k-- > 0;) {
		const struct trends_docref *r = ls_trends_source_at(a, k);
		struct store_doc_meta m;
		struct ls_doc doc;
		uint8_t *env;
		size_t len;
		assert_int_equal(
		    store_feed_get(f->s, r->origin, r->seq, &m, &env, &len),
		    LS_OK);
		assert_memory_equal(m.hash, r->hash, LS_HASH_BYTES);
		memset(&doc, 0, sizeof doc);
		assert_int_equal(node_feed_decode(env, len, &doc, &e), LS_OK);
		ls_free(env);
		assert_int_equal(ls_trends_add(b, &doc.body.summary, r, NULL, &e),
		                 LS_OK);
		proto_doc_fini(&doc);
	}
	assert_int_equal(ls_trends_finish(b, &e), LS_OK);
	diff = tu_trends_diff(a, b);
	if (diff != NULL)
		fail_msg("recomputed trends differ: %s", diff);
	ja = json_text(a);
	jb = json_text(b);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	ls_trends_free(a);
	ls_trends_free(b);
}

static void test_filter_and_window(void **state)
{
	struct fx *f = *state;
	const char *only[] = {"gent", "eeklo"};
	struct node_trends_filter flt = {only, 2};
	struct node_trends_report r;
	struct ls_period last;
	struct ls_errinfo e;
	struct trends *t;
	int found;

	assert_int_equal(node_trends_latest(f->s, NULL, &last, &found, &e),
	                 LS_OK);
	assert_false(found);
	ten_pilots(f, 6);
	/* July: only three municipalities have released it yet */
	for (int p = 0; p < 3; p++) {
		struct ls_summary s;
		fx_summary(&s, fx_members[p], 2025, 7, 50, 7);
		publish_summary(f, &s);
	}
	assert_int_equal(node_trends_latest(f->s, NULL, &last, &found, &e),
	                 LS_OK);
	assert_true(found);
	assert_int_equal(last.month, 6);
	assert_int_equal(last.months, 1);
	/* for those three alone, July is the latest */
	{
		const char *three[] = {fx_members[0], fx_members[1],
		                       fx_members[2]};
		struct node_trends_filter f3 = {three, 3};
		assert_int_equal(
		    node_trends_latest(f->s, &f3, &last, &found, &e), LS_OK);
		assert_int_equal(last.month, 7);
	}
	t = new_trends(f, 2025, 2, 2025, 6);
	assert_int_equal(node_trends_load(f->s, t, &flt, &r, &e), LS_OK);
	assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	assert_int_equal(ls_trends_n_origins(t), 2);
	assert_string_equal(ls_trends_origin_id(t, 0), "eeklo");
	assert_int_equal(r.used, 10);
	assert_int_equal(r.filtered, 63 - 12);
	assert_int_equal(r.ignored, 2); /* their Januaries */
	ls_trends_free(t);
}

static void test_refused_and_corrupt(void **state)
{
	struct fx *f = *state;
	struct node_trends_report r;
	struct store_doc_meta m;
	struct ls_summary s;
	struct ls_errinfo e;
	struct trends *t;
	static const uint8_t junk[] = "not an envelope at all";

	ten_pilots(f, 2);
	/* a code this node's taxonomy does not know: refused, reported,
	 * the rest still counts */
	tu_summary(&s, "bornem", 2025, 3, LS_MODE_THRESHOLD);
	s.params.epsilon_milli = 0;
	s.params.withhold_below = 0;
	tu_theme(&s, "ruimtevaart", 9, "18-24", "ocmw");
	tu_finish(&s);
	publish_summary(f, &s);
	t = new_trends(f, 2025, 1, 2025, 3);
	assert_int_equal(node_trends_load(f->s, t, NULL, &r, &e), LS_OK);
	assert_int_equal(r.refused, 1);
	assert_non_null(strstr(r.first_refused, "ruimtevaart"));
	assert_int_equal(r.used, 20);
	ls_trends_free(t);

	/* bytes in the store that are no document: the store is damaged */
	memset(&m, 0, sizeof m);
	strcpy(m.origin, "zzz-kapot");
	m.seq = 1;
	m.type = LS_DOC_SUMMARY;
	m.hash[0] = 1;
	assert_int_equal(store_feed_append(f->s, &m, junk, sizeof junk), LS_OK);
	t = new_trends(f, 2025, 1, 2025, 3);
	assert_int_equal(node_trends_load(f->s, t, NULL, &r, &e), LS_ECORRUPT);
	assert_non_null(strstr(e.msg, "zzz-kapot"));
	ls_trends_free(t);
}

static void publish_note(struct fx *f, const char *origin, uint8_t id,
                         const char *theme, uint8_t phase, const char *head)
{
	struct ls_keypair *kp = fx_key(origin);
	struct ls_errinfo e;
	struct ls_doc doc;
	proto_doc_init(&doc, LS_DOC_DOSSIER_NOTE);
	strcpy(doc.hdr.origin, origin);
	doc.body.note.dossier[0] = id;
	strcpy(doc.body.note.theme, theme);
	doc.body.note.phase = phase;
	strcpy(doc.body.note.headline, head);
	if (node_feed_publish(f->s, kp, &doc, FX_NOW - 60, NULL, &e) != LS_OK)
		fail_msg("note: %s", e.msg);
	proto_keypair_free(kp);
}

static void test_notes_and_names(void **state)
{
	struct fx *f = *state;
	struct structural *st;
	struct node_names names;
	struct ls_errinfo e;
	struct ls_doc doc;
	struct ls_keypair *fed = fx_key("federation");
	uint64_t n = 0;

	publish_note(f, "gent", 1, "wonen", LS_PHASE_RAPPORTEREN,
	             "Woonbegeleiding voor jongeren");
	publish_note(f, "eeklo", 1, "wonen", LS_PHASE_ANALYSEREN, "In analyse");
	publish_note(f, "gent", 1, "wonen", LS_PHASE_ACTIE,
	             "Extra woonbegeleiders aangeworven");
	assert_int_equal(ls_structural_new(&st), LS_OK);
	assert_int_equal(node_structural_load(f->s, st, NULL, &n, &e), LS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ls_structural_count(st), 2);
	assert_string_equal(ls_structural_at(st, 0)->headline,
	                    "Extra woonbegeleiders aangeworven");
	assert_int_equal(ls_structural_theme_origins(st, "wonen", 1), 1);
	ls_structural_free(st);

	/* no roster yet: ids */
	assert_int_equal(node_names_load(f->s, &names, &e), LS_OK);
	assert_string_equal(node_names_get(&names, "gent"), "gent");
	node_names_fini(&names);
	proto_doc_init(&doc, LS_DOC_ROSTER);
	strcpy(doc.hdr.origin, FX_FEDERATION);
	fx_roster(&doc.body.roster);
	assert_int_equal(
	    node_feed_publish(f->s, fed, &doc, FX_NOW - 3600, NULL, &e), LS_OK);
	proto_doc_fini(&doc);
	proto_keypair_free(fed);
	assert_int_equal(node_names_load(f->s, &names, &e), LS_OK);
	assert_string_equal(node_names_get(&names, "gent"), "Gent");
	assert_string_equal(node_names_get(&names, "sint-niklaas"),
	                    "Sint-niklaas");
	assert_string_equal(node_names_get(&names, "brussel"), "brussel");
	node_names_fini(&names);
}

/* ---- sharing a dossier ------------------------------------------------- */

static int64_t recognised_dossier(struct fx *f, int up_to)
{
	const char *themes[] = {"mentaal", "onderwijs"};
	static const enum ls_phase path[] = {
	    LS_PHASE_VERZAMELEN, LS_PHASE_BUNDELEN, LS_PHASE_ANALYSEREN,
	    LS_PHASE_RAPPORTEREN};
	struct ls_errinfo e;
	int64_t id;
	assert_int_equal(store_dossier_new(f->s, "Wachtlijsten jeugd-GGZ",
	                                   "Sociale dienst", themes, 2,
	                                   "beleidsleemte", "test", &id, &e),
	                 LS_OK);
	for (int i = 0; i < up_to; i++) {
		if (path[i] == LS_PHASE_RAPPORTEREN)
			assert_int_equal(
			    store_dossier_criteria(f->s, id, LS_CRIT_ALL, 0,
			                           "test", NULL, &e),
			    LS_OK);
		assert_int_equal(
		    store_dossier_advance(f->s, id, path[i], "test", NULL, &e),
		    LS_OK);
	}
	return id;
}

static int share(struct fx *f, struct ls_keypair *kp, int64_t id,
                 const char *theme, const char *head,
                 struct node_share_result *res, struct ls_errinfo *e)
{
	struct node_share_request req = {id, theme, head, 0};
	return node_dossier_share(f->s, kp, "kortrijk", &req, FX_NOW, res, e);
}

static void test_share_refuses_unrecognised(void **state)
{
	struct fx *f = *state;
	struct ls_keypair *kp = fx_key("kortrijk");
	struct node_share_result res;
	struct ls_errinfo e;
	char before[65], after[65];
	int64_t id = recognised_dossier(f, 3); /* analyseren */

	fx_digest(f->path, before);
	assert_int_equal(share(f, kp, id, NULL, "Extra psychologen", &res, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "nog niet erkend"));
	assert_non_null(strstr(e.msg, "fase analyseren"));
	assert_int_equal(share(f, kp, 999, NULL, "Extra psychologen", &res, &e),
	                 LS_ENOTFOUND);
	fx_digest(f->path, after);
	assert_string_equal(before, after);
	proto_keypair_free(kp);
}

static void test_share_headline_rules(void **state)
{
	struct fx *f = *state;
	struct ls_keypair *kp = fx_key("kortrijk");
	struct node_share_result res;
	struct ls_errinfo e;
	char before[65], after[65];
	char longtext[200];
	int64_t id = recognised_dossier(f, 4);
	static const struct {
		const char *headline, *why;
	} bad[] = {
	    {"Bel 0470 12 34 56", "cijfer"},
	    {"Mail naar jan@example.org", "'@'"},
	    {"Actie <script>", "teken dat niet mag"},
	    {"", "leeg"},
	    {"Regel\neen", "stuurteken"},
	    {"Kop met \xff", "UTF-8"},
	};

	fx_digest(f->path, before);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(
		    share(f, kp, id, NULL, bad[i].headline, &res, &e),
		    LS_EINVAL);
		if (strstr(e.msg, bad[i].why) == NULL)
			fail_msg("'%s': %s", bad[i].headline, e.msg);
	}
	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	assert_int_equal(share(f, kp, id, NULL, longtext, &res, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "te lang"));
	/* no headline and no action to take one from */
	assert_int_equal(share(f, kp, id, NULL, NULL, &res, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "--kop"));
	/* a theme the dossier does not have */
	assert_int_equal(
	    share(f, kp, id, "wonen", "Extra psychologen", &res, &e),
	    LS_EINVAL);
	fx_digest(f->path, after);
	assert_string_equal(before, after);
	assert_int_equal(node_headline_check("Extra psychologen \xe2\x80\x93 "
	                                     "\xc3\xa9\xc3\xa9n per school",
	                                     &e),
	                 LS_OK);
	proto_keypair_free(kp);
}

static void test_share_publishes(void **state)
{
	struct fx *f = *state;
	struct ls_keypair *kp = fx_key("kortrijk");
	struct node_share_result res, res2;
	struct node_share_request dry = {0, NULL, "Proef", 1};
	struct ls_errinfo e;
	struct ls_doc doc;
	uint64_t head;
	uint8_t hash[LS_HASH_BYTES];
	int64_t id = recognised_dossier(f, 4), action;

	assert_int_equal(share(f, kp, id, "onderwijs",
	                       "Extra psychologen in de scholen", &res, &e),
	                 LS_OK);
	assert_true(res.published);
	assert_int_equal(res.meta.seq, 1);
	memset(&doc, 0, sizeof doc);
	assert_int_equal(node_feed_read(f->s, "kortrijk", 1, &doc, &e), LS_OK);
	assert_int_equal(doc.hdr.type, LS_DOC_DOSSIER_NOTE);
	assert_string_equal(doc.body.note.theme, "onderwijs");
	assert_int_equal(doc.body.note.phase, LS_PHASE_RAPPORTEREN);
	assert_string_equal(doc.body.note.problem_type, "beleidsleemte");
	assert_string_equal(doc.body.note.headline,
	                    "Extra psychologen in de scholen");
	proto_doc_fini(&doc);

	/* the same again: nothing new is published */
	assert_int_equal(share(f, kp, id, "onderwijs",
	                       "Extra psychologen in de scholen", &res2, &e),
	                 LS_OK);
	assert_true(res2.unchanged);
	assert_false(res2.published);
	assert_int_equal(store_feed_head(f->s, "kortrijk", &head, hash), LS_OK);
	assert_int_equal(head, 1);

	/* an action: its "what" becomes the default headline; same id */
	assert_int_equal(store_dossier_advance(f->s, id, LS_PHASE_BESLISSING,
	                                       "test", NULL, &e),
	                 LS_OK);
	assert_int_equal(
	    store_dossier_advance(f->s, id, LS_PHASE_ACTIE, "test", NULL, &e),
	    LS_OK);
	assert_int_equal(store_dossier_act(f->s, id, "Twee extra psychologen",
	                                   "OCMW", NULL, NULL, "test", &action,
	                                   &e),
	                 LS_OK);
	assert_int_equal(share(f, kp, id, NULL, NULL, &res2, &e), LS_OK);
	assert_true(res2.published);
	assert_string_equal(res2.note.headline, "Twee extra psychologen");
	assert_string_equal(res2.note.theme, "mentaal");
	assert_int_equal(res2.note.phase, LS_PHASE_ACTIE);
	assert_memory_equal(res.note.dossier, res2.note.dossier,
	                    LS_DOSSIER_ID_BYTES);

	/* a dry run writes nothing */
	dry.dossier = id;
	assert_int_equal(
	    node_dossier_share(f->s, NULL, "kortrijk", &dry, FX_NOW, &res2, &e),
	    LS_OK);
	assert_false(res2.published);
	assert_int_equal(store_feed_head(f->s, "kortrijk", &head, hash), LS_OK);
	assert_int_equal(head, 2);
	proto_keypair_free(kp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_latest_correction_wins,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_recompute_from_sources,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_filter_and_window, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refused_and_corrupt, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_notes_and_names, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_share_refuses_unrecognised,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_share_headline_rules, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_share_publishes, fx_setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
