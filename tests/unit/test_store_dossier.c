/* store/dossier: phases by the table, criteria, append-only history,
 * links, actions and feedback, and the signal status that follows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_store.h"
#include "store/dossier.h"
#include "store/internal.h"
#include "store/signal.h"

static struct fx f;
static uint8_t sig_ids[3][LS_SIGNAL_ID_BYTES];

static void add_signal(const char *org, uint8_t id[LS_SIGNAL_ID_BYTES])
{
	struct ls_signal s;
	struct ls_errinfo e;
	const struct ls_taxonomy *t = store_taxonomy(f.s);
	ls_signal_init(&s);
	ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, "2025-06-01", 10, t,
	                    &e);
	ls_signal_set_field(&s, LS_FIELD_THEME, "mentaal", 7, t, &e);
	ls_signal_set_field(&s, LS_FIELD_AGE, "12-17", 5, t, &e);
	ls_signal_set_field(&s, LS_FIELD_SECTOR, "onderwijs", 9, t, &e);
	ls_signal_set_field(&s, LS_FIELD_ORGANISATION, org, strlen(org), t, &e);
	assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
	memcpy(id, s.id, LS_SIGNAL_ID_BYTES);
}

static int setup(void **state)
{
	(void)state;
	fx_open(&f);
	add_signal("CLB Noord (fictief)", sig_ids[0]);
	add_signal("CLB Noord (fictief)", sig_ids[1]);
	add_signal("CAW Zuid (fictief)", sig_ids[2]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_close(&f);
	return 0;
}

static int raw_int(const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;
	assert_int_equal(sqlite3_prepare_v2(f.s->db, sql, -1, &st, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int64_t new_dossier(void)
{
	const char *themes[] = {"mentaal", "onderwijs"};
	struct ls_errinfo e;
	int64_t id = 0;
	assert_int_equal(store_dossier_new(f.s, "Wachtlijsten jeugd-GGZ",
	                                   "Trekker (fictief)", themes, 2,
	                                   "werking", "tester", &id, &e),
	                 LS_OK);
	return id;
}

static void test_new_validates(void **state)
{
	const char *bad_theme[] = {"xyz"};
	const char *dup[] = {"wonen", "wonen"};
	struct ls_errinfo e;
	int64_t id;
	char before[65], after[65];
	(void)state;
	fx_digest(f.path, before);
	assert_int_equal(
	    store_dossier_new(f.s, "", "T", dup, 1, NULL, "x", &id, &e),
	    LS_EINVAL);
	assert_int_equal(
	    store_dossier_new(f.s, "T", "T", bad_theme, 1, NULL, "x", &id, &e),
	    LS_EINVAL);
	assert_int_equal(
	    store_dossier_new(f.s, "T", "T", dup, 2, NULL, "x", &id, &e),
	    LS_EINVAL);
	assert_int_equal(
	    store_dossier_new(f.s, "T", "T", dup, 1, "nope", "x", &id, &e),
	    LS_EINVAL);
	assert_int_equal(store_dossier_new(f.s, "T", "line\nbreak", dup, 1,
	                                   NULL, "x", &id, &e),
	                 LS_EINVAL);
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

static void test_phases_follow_the_table(void **state)
{
	struct ls_errinfo e;
	int64_t id;
	size_t linked;
	(void)state;
	id = new_dossier();
	assert_int_equal(store_dossier_link(f.s, id,
	                                    (const uint8_t(*)[16])sig_ids, 3,
	                                    "tester", &linked, &e),
	                 LS_OK);
	assert_int_equal(linked, 3);
	/* linking again adds nothing */
	assert_int_equal(store_dossier_link(f.s, id,
	                                    (const uint8_t(*)[16])sig_ids, 1,
	                                    "tester", &linked, &e),
	                 LS_OK);
	assert_int_equal(linked, 0);
	assert_int_equal(raw_int("SELECT count(*) FROM signal WHERE status=1"),
	                 3);
	/* skipping phases is refused */
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_ANALYSEREN,
	                                       "tester", NULL, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "toegelaten: verzamelen"));
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_VERZAMELEN,
	                                       "tester", NULL, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_BUNDELEN,
	                                       "tester", NULL, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_ANALYSEREN,
	                                       "tester", "notitie", &e),
	                 LS_OK);
	/* reporting needs all four criteria */
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_RAPPORTEREN,
	                                       "tester", NULL, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "duidelijk,neutraal,herkend,gedeeld"));
	assert_int_equal(
	    store_dossier_criteria(
	        f.s, id, LS_CRIT_DUIDELIJK | LS_CRIT_NEUTRAAL | LS_CRIT_HERKEND,
	        0, "tester", NULL, &e),
	    LS_OK);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_RAPPORTEREN,
	                                       "tester", NULL, &e),
	                 LS_ESTATE);
	assert_int_equal(store_dossier_criteria(f.s, id, LS_CRIT_GEDEELD, 0,
	                                        "tester", NULL, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_RAPPORTEREN,
	                                       "tester", NULL, &e),
	                 LS_OK);
	/* once reported, the criteria cannot be withdrawn */
	assert_int_equal(store_dossier_criteria(f.s, id, 0, LS_CRIT_HERKEND,
	                                        "tester", NULL, &e),
	                 LS_ESTATE);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_BESLISSING,
	                                       "tester", NULL, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_FEEDBACK,
	                                       "tester", "geen actie", &e),
	                 LS_OK);
	assert_int_equal(raw_int("SELECT count(*) FROM signal WHERE status=2"),
	                 3);
	assert_int_equal(store_dossier_advance(f.s, id, LS_PHASE_VERZAMELEN,
	                                       "tester", "blijft", &e),
	                 LS_OK);
	assert_int_equal(raw_int("SELECT count(*) FROM signal WHERE status=1"),
	                 3);
	/* every change is in the history: nieuw, koppeling, 5+1 fasen... */
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_history"), 11);
	assert_int_equal(store_dossier_advance(f.s, 999, LS_PHASE_VERZAMELEN,
	                                       "tester", NULL, &e),
	                 LS_ENOTFOUND);
}

static void test_history_is_append_only(void **state)
{
	int64_t id;
	(void)state;
	id = new_dossier();
	(void)id;
	assert_int_not_equal(sqlite3_exec(f.s->db,
	                                  "UPDATE dossier_history SET note = "
	                                  "'x'",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(f.s->db,
	                                  "DELETE FROM dossier_history", NULL,
	                                  NULL, NULL),
	                     SQLITE_OK);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_history"), 1);
}

static void test_link_unknown_signal_links_nothing(void **state)
{
	uint8_t ids[2][LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	size_t linked = 99;
	int64_t id;
	(void)state;
	id = new_dossier();
	memcpy(ids[0], sig_ids[0], 16);
	memset(ids[1], 0xab, 16);
	assert_int_equal(store_dossier_link(f.s, id, (const uint8_t(*)[16])ids,
	                                    2, "tester", &linked, &e),
	                 LS_ENOTFOUND);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_signal"), 0);
	assert_int_equal(raw_int("SELECT count(*) FROM signal WHERE status=0"),
	                 3);
}

struct seen {
	int dossier, signals, events, actions, feedback;
	char last_action_result[64];
};

static int v_dossier(void *ctx, const struct store_dossier *d)
{
	struct seen *s = ctx;
	s->dossier++;
	assert_int_equal(d->n_themes, 2);
	assert_string_equal(d->problem->code, "werking");
	return 0;
}
static int v_signal(void *ctx, const uint8_t id[16], const struct ls_date *r,
                    const struct ls_taxonomy_entry *t)
{
	struct seen *s = ctx;
	(void)id;
	(void)r;
	assert_string_equal(t->code, "mentaal");
	s->signals++;
	return 0;
}
static int v_event(void *ctx, const struct store_dossier_event *ev)
{
	struct seen *s = ctx;
	(void)ev;
	s->events++;
	return 0;
}
static int v_action(void *ctx, const struct store_dossier_action *a)
{
	struct seen *s = ctx;
	s->actions++;
	snprintf(s->last_action_result, sizeof s->last_action_result, "%s",
	         a->result ? a->result : "");
	return 0;
}
static int v_feedback(void *ctx, const struct store_dossier_feedback *fb)
{
	struct seen *s = ctx;
	(void)fb;
	s->feedback++;
	return 0;
}

static void test_actions_feedback_and_show(void **state)
{
	struct seen seen = {0};
	struct store_dossier_visitor v = {&seen,   v_dossier, v_signal,
	                                  v_event, v_action,  v_feedback};
	struct ls_errinfo e;
	int64_t id, action;
	size_t n, linked;
	(void)state;
	id = new_dossier();
	assert_int_equal(
	    store_dossier_feedback(f.s, id, NULL, "bedankt", "tester", &n, &e),
	    LS_ESTATE);
	assert_int_equal(store_dossier_link(f.s, id,
	                                    (const uint8_t(*)[16])sig_ids, 3,
	                                    "tester", &linked, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_act(f.s, id, "Overleg met CLB",
	                                   "Schepen (fictief)", "2025-09-30",
	                                   NULL, "tester", &action, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_act(f.s, id, "x", "y", "2025-02-30",
	                                   NULL, "tester", &action, &e),
	                 LS_EINVAL);
	assert_int_equal(store_dossier_action_result(
	                     f.s, id, action, "extra consulent", "tester", &e),
	                 LS_OK);
	assert_int_equal(
	    store_dossier_action_result(f.s, id, 777, "x", "tester", &e),
	    LS_ENOTFOUND);
	/* to every organisation that reported a linked signal: 2 */
	assert_int_equal(
	    store_dossier_feedback(f.s, id, NULL, "bedankt", "tester", &n, &e),
	    LS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_dossier_feedback(f.s, id, "CAW Zuid (fictief)",
	                                        "extra info", "tester", &n, &e),
	                 LS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(
	    store_dossier_feedback(f.s, id, "Onbekend", "x", "tester", &n, &e),
	    LS_ENOTFOUND);
	assert_int_equal(store_dossier_show(f.s, id, &v, &e), LS_OK);
	assert_int_equal(seen.dossier, 1);
	assert_int_equal(seen.signals, 3);
	assert_int_equal(seen.actions, 1);
	assert_string_equal(seen.last_action_result, "extra consulent");
	assert_int_equal(seen.feedback, 3);
	assert_int_equal(seen.events, 6);
	assert_int_equal(store_dossier_show(f.s, 4242, &v, &e), LS_ENOTFOUND);
}

/* A signal visitor that interrupts the connection on its first row, so
 * the next sqlite3_step of the walk fails. */
static int v_signal_interrupt(void *ctx, const uint8_t id[16],
                              const struct ls_date *r,
                              const struct ls_taxonomy_entry *t)
{
	struct seen *s = ctx;
	(void)id;
	(void)r;
	(void)t;
	if (s->signals++ == 0)
		sqlite3_interrupt(f.s->db);
	return 0;
}

static void test_show_failed_step_is_an_error(void **state)
{
	struct seen seen = {0};
	struct store_dossier_visitor v = {
	    &seen, v_dossier, v_signal_interrupt, v_event, NULL, NULL};
	struct ls_errinfo e;
	int64_t id;
	size_t linked;
	(void)state;
	id = new_dossier();
	assert_int_equal(store_dossier_link(f.s, id,
	                                    (const uint8_t(*)[16])sig_ids, 3,
	                                    "tester", &linked, &e),
	                 LS_OK);
	ls_errinfo_clear(&e);
	/* A walk cut short by a failed step is an error, never a short
	 * list, and the later tables are not visited. */
	assert_int_not_equal(store_dossier_show(f.s, id, &v, &e), LS_OK);
	assert_int_equal(seen.signals, 1);
	assert_int_equal(seen.events, 0);
	assert_true(e.msg[0] != '\0');
	/* The connection is usable afterwards, outside any transaction. */
	assert_true(sqlite3_get_autocommit(f.s->db));
	memset(&seen, 0, sizeof seen);
	v.signal = v_signal;
	assert_int_equal(store_dossier_show(f.s, id, &v, &e), LS_OK);
	assert_int_equal(seen.signals, 3);
}

static int count_cb(void *ctx, const struct store_dossier *d)
{
	(void)d;
	(*(int *)ctx)++;
	return 0;
}

static int64_t to_feedback(int64_t id)
{
	static const enum ls_phase path[] = {
	    LS_PHASE_VERZAMELEN,  LS_PHASE_BUNDELEN,   LS_PHASE_ANALYSEREN,
	    LS_PHASE_RAPPORTEREN, LS_PHASE_BESLISSING, LS_PHASE_FEEDBACK};
	struct ls_errinfo e;
	assert_int_equal(
	    store_dossier_criteria(f.s, id, LS_CRIT_ALL, 0, "tester", NULL, &e),
	    LS_OK);
	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
		assert_int_equal(
		    store_dossier_advance(f.s, id, path[i], "tester", "r", &e),
		    LS_OK);
	return id;
}

static int status_of(int which)
{
	char sql[160], hex[LS_SIGNAL_ID_HEX_SIZE];
	ls_signal_id_format(sig_ids[which], hex);
	snprintf(sql, sizeof sql,
	         "SELECT status FROM signal WHERE lower(hex(uid)) = '%s'", hex);
	return raw_int(sql);
}

struct fu {
	int calls, with_feedback;
	char last[64];
};

static int fu_cb(void *ctx, const struct store_dossier_followup *x)
{
	struct fu *u = ctx;
	u->calls++;
	if (x->feedback != NULL) {
		u->with_feedback++;
		snprintf(u->last, sizeof u->last, "%s", x->feedback);
	}
	return 0;
}

/* Unlinking: the signal's status follows the dossiers it stays in
 * (afgesloten, gekoppeld, nieuw); a signal that is not linked, or does
 * not exist, changes nothing; the history never names it. The
 * follow-up holds only the feedback to the signal's own organisation. */
static void test_unlink_and_followup(void **state)
{
	uint8_t ghost[LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	struct fu u = {0};
	size_t linked, n;
	int64_t a, b;
	int events;
	(void)state;
	a = new_dossier();
	b = new_dossier();
	assert_int_equal(store_dossier_link(f.s, a,
	                                    (const uint8_t(*)[16])sig_ids, 3,
	                                    "tester", &linked, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_link(f.s, b,
	                                    (const uint8_t(*)[16])sig_ids, 1,
	                                    "tester", &linked, &e),
	                 LS_OK);
	to_feedback(b);
	assert_int_equal(status_of(0), 2); /* b is in feedback */
	assert_int_equal(store_dossier_feedback(f.s, a, "CAW Zuid (fictief)",
	                                        "Enkel voor CAW", "tester", &n,
	                                        &e),
	                 LS_OK);
	assert_int_equal(
	    store_dossier_feedback(f.s, b, NULL, "Voor CLB", "tester", &n, &e),
	    LS_OK);
	/* signal 0 (CLB): dossiers a and b, feedback only from b */
	assert_int_equal(store_dossier_followup(f.s, sig_ids[0], fu_cb, &u, &e),
	                 LS_OK);
	assert_int_equal(u.calls, 2);
	assert_int_equal(u.with_feedback, 1);
	assert_string_equal(u.last, "Voor CLB");
	memset(&u, 0, sizeof u);
	assert_int_equal(store_dossier_followup(f.s, sig_ids[2], fu_cb, &u, &e),
	                 LS_OK);
	assert_int_equal(u.calls, 1);
	assert_string_equal(u.last, "Enkel voor CAW");

	/* refusals change nothing */
	events = raw_int("SELECT count(*) FROM dossier_history");
	memset(ghost, 0xab, sizeof ghost);
	assert_int_equal(
	    store_dossier_unlink(f.s, a, ghost, "tester", NULL, &e),
	    LS_ENOTFOUND);
	assert_int_equal(
	    store_dossier_unlink(f.s, b, sig_ids[1], "tester", NULL, &e),
	    LS_ENOTFOUND);
	assert_int_equal(
	    store_dossier_unlink(f.s, 999, sig_ids[0], "tester", NULL, &e),
	    LS_ENOTFOUND);
	assert_int_equal(
	    store_dossier_unlink(f.s, a, sig_ids[0], "a\nb", NULL, &e),
	    LS_EINVAL);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_history"),
	                 events);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_signal"), 4);

	/* signal 0 leaves a but stays in b (feedback): afgesloten */
	assert_int_equal(
	    store_dossier_unlink(f.s, a, sig_ids[0], "tester", "dubbel", &e),
	    LS_OK);
	assert_int_equal(status_of(0), 2);
	/* leaves b too: nieuw */
	assert_int_equal(
	    store_dossier_unlink(f.s, b, sig_ids[0], "tester", NULL, &e),
	    LS_OK);
	assert_int_equal(status_of(0), 0);
	/* signal 1 leaves a, its only dossier: nieuw; 2 stays gekoppeld */
	assert_int_equal(
	    store_dossier_unlink(f.s, a, sig_ids[1], "tester", NULL, &e),
	    LS_OK);
	assert_int_equal(status_of(1), 0);
	assert_int_equal(status_of(2), 1);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_history WHERE "
	                         "note LIKE '1 signaal ontkoppeld%'"),
	                 3);
	assert_int_equal(raw_int("SELECT count(*) FROM dossier_history WHERE "
	                         "note = '1 signaal ontkoppeld: dubbel'"),
	                 1);
	memset(&u, 0, sizeof u);
	assert_int_equal(store_dossier_followup(f.s, sig_ids[0], fu_cb, &u, &e),
	                 LS_OK);
	assert_int_equal(u.calls, 0);
}

static void test_list_by_phase(void **state)
{
	struct ls_errinfo e;
	int n = 0;
	int64_t a, b;
	(void)state;
	a = new_dossier();
	b = new_dossier();
	(void)a;
	assert_int_equal(store_dossier_advance(f.s, b, LS_PHASE_VERZAMELEN,
	                                       "tester", NULL, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_list(f.s, -1, count_cb, &n, &e), LS_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(
	    store_dossier_list(f.s, LS_PHASE_VERZAMELEN, count_cb, &n, &e),
	    LS_OK);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_new_validates, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_phases_follow_the_table, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_history_is_append_only, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_link_unknown_signal_links_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_actions_feedback_and_show,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unlink_and_followup, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_list_by_phase, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_show_failed_step_is_an_error,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
