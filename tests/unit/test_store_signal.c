/* store/signal: capture, listing, erasure and retention (down to the
 * bytes of the database files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "core/signal.h"
#include "fixture_store.h"
#include "store/taxonomy.h"
#include "store/dossier.h"
#include "store/internal.h"
#include "store/signal.h"

FX_GLOBAL_STORE

/* Build and store a signal from text fields; returns its id in id. */
static int add(const char *date, const char *themes, const char *age,
               const char *org, const char *reporter, const char *desc,
               uint8_t id[LS_SIGNAL_ID_BYTES])
{
	struct ls_signal s;
	struct ls_errinfo e;
	const struct ls_taxonomy *t = store_taxonomy(f.s);
	int rc;
	ls_signal_init(&s);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, date,
	                                     strlen(date), t, &e),
	                 LS_OK);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_THEME, themes,
	                                     strlen(themes), t, &e),
	                 LS_OK);
	assert_int_equal(
	    ls_signal_set_field(&s, LS_FIELD_AGE, age, strlen(age), t, &e),
	    LS_OK);
	assert_int_equal(
	    ls_signal_set_field(&s, LS_FIELD_SECTOR, "caw", 3, t, &e), LS_OK);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_ORGANISATION, org,
	                                     strlen(org), t, &e),
	                 LS_OK);
	if (reporter)
		assert_int_equal(ls_signal_set_field(&s, LS_FIELD_REPORTER,
		                                     reporter, strlen(reporter),
		                                     t, &e),
		                 LS_OK);
	if (desc)
		assert_int_equal(ls_signal_set_field(&s, LS_FIELD_DESCRIPTION,
		                                     desc, strlen(desc), t, &e),
		                 LS_OK);
	rc = store_signal_insert(f.s, &s, &e);
	if (rc == LS_OK && id != NULL)
		memcpy(id, s.id, LS_SIGNAL_ID_BYTES);
	return rc;
}

struct collect {
	int n;
	char desc[8][64];
	char themes[8][64];
};

static int collect_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct collect *c = ctx;
	(void)created;
	if (c->n < 8) {
		snprintf(c->desc[c->n], sizeof c->desc[0], "%.*s",
		         (int)sig->description.len,
		         sig->description.ptr ? sig->description.ptr : "");
		c->themes[c->n][0] = '\0';
		for (size_t i = 0; i < sig->n_themes; i++) {
			strcat(c->themes[c->n], sig->themes[i]->code);
			strcat(c->themes[c->n], " ");
		}
	}
	c->n++;
	return 0;
}

static int query(struct store_signal_filter *flt, struct collect *c)
{
	struct ls_errinfo e;
	memset(c, 0, sizeof *c);
	return store_signal_list(f.s, flt, collect_cb, c, &e);
}

static int raw_count(const char *sql)
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

static void test_insert_get_and_filters(void **state)
{
	uint8_t id[LS_SIGNAL_ID_BYTES], id2[LS_SIGNAL_ID_BYTES];
	struct store_signal_filter flt = {.status = -1};
	struct collect c;
	struct ls_errinfo e;
	uint64_t n;
	int64_t last = -1;
	(void)state;
	assert_int_equal(store_signal_last_capture(f.s, &last), LS_OK);
	assert_int_equal(last, 0);
	assert_int_equal(add("2025-03-01", "mentaal|wonen", "12-17", "A",
	                     "mw-1", "eerste", id),
	                 LS_OK);
	assert_int_equal(
	    add("2025-03-31", "wonen", "65plus", "A", "mw-2", "tweede", id2),
	    LS_OK);
	assert_int_equal(
	    add("2025-04-01", "energie", "12-17", "B", NULL, "derde", NULL),
	    LS_OK);
	assert_memory_not_equal(id, id2, sizeof id);
	assert_int_equal(store_signal_count(f.s, &n), LS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_signal_last_capture(f.s, &last), LS_OK);
	assert_int_equal(last, raw_count("SELECT max(created_at) FROM signal"));
	assert_true(last > 0);
	assert_int_equal(raw_count("SELECT count(*) FROM organisation"), 2);
	assert_int_equal(raw_count("SELECT count(*) FROM reporter"), 2);

	memset(&c, 0, sizeof c);
	assert_int_equal(store_signal_get(f.s, id, collect_cb, &c, &e), LS_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.desc[0], "eerste");
	assert_string_equal(c.themes[0], "mentaal wonen "); /* code order */

	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 3);
	flt.has_period = 1;
	flt.period = (struct ls_period){2025, 3, 1};
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 2);
	flt.theme = "mentaal";
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 1);
	flt.theme = NULL;
	flt.has_period = 0;
	flt.age = "12-17";
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 2);
	flt.age = NULL;
	flt.status = LS_STATUS_LINKED;
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 0);
	flt.status = -1;
	flt.limit = 1;
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 1);
	flt.theme = "nope";
	assert_int_equal(query(&flt, &c), LS_EINVAL);
}

static void test_duplicate_id_is_refused(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	const struct ls_taxonomy *t = store_taxonomy(f.s);
	static const char id[] = "00112233445566778899aabbccddeeff";
	(void)state;
	ls_signal_init(&s);
	ls_signal_set_field(&s, LS_FIELD_ID, id, 32, t, &e);
	ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, "2025-01-01", 10, t,
	                    &e);
	ls_signal_set_field(&s, LS_FIELD_THEME, "werk", 4, t, &e);
	ls_signal_set_field(&s, LS_FIELD_AGE, "25-64", 5, t, &e);
	ls_signal_set_field(&s, LS_FIELD_SECTOR, "werk", 4, t, &e);
	ls_signal_set_field(&s, LS_FIELD_ORGANISATION, "C", 1, t, &e);
	assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
	assert_int_equal(store_signal_insert(f.s, &s, &e), LS_EEXISTS);
	assert_non_null(strstr(e.msg, id));
	/* the failed insert left no half signal behind */
	assert_int_equal(raw_count("SELECT count(*) FROM signal"), 1);
	assert_int_equal(raw_count("SELECT count(*) FROM signal_theme"), 1);
}

/* A key stores its signal once: the second insert with the same key is
 * LS_EEXISTS and stores nothing; the key finds the first signal and
 * tells whether the request was the same. */
static void test_capture_key(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	const struct ls_taxonomy *t = store_taxonomy(f.s);
	uint8_t key[STORE_CAPTURE_HASH_BYTES], req[STORE_CAPTURE_HASH_BYTES];
	uint8_t other[STORE_CAPTURE_HASH_BYTES], id[LS_SIGNAL_ID_BYTES],
	    first[LS_SIGNAL_ID_BYTES];
	int found, same;
	(void)state;
	memset(key, 1, sizeof key);
	memset(req, 2, sizeof req);
	memset(other, 3, sizeof other);
	assert_int_equal(store_capture_key_find(f.s, key, req, &found, &same,
	                                        id),
	                 LS_OK);
	assert_int_equal(found, 0);
	for (int i = 0; i < 2; i++) {
		ls_signal_init(&s);
		ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, "2025-01-01",
		                    10, t, &e);
		ls_signal_set_field(&s, LS_FIELD_THEME, "werk", 4, t, &e);
		ls_signal_set_field(&s, LS_FIELD_AGE, "25-64", 5, t, &e);
		ls_signal_set_field(&s, LS_FIELD_SECTOR, "werk", 4, t, &e);
		ls_signal_set_field(&s, LS_FIELD_ORGANISATION, "C", 1, t, &e);
		assert_int_equal(
		    store_signal_insert_keyed(f.s, &s, key, req, &e),
		    i == 0 ? LS_OK : LS_EEXISTS);
		if (i == 0)
			memcpy(first, s.id, sizeof first);
	}
	assert_int_equal(raw_count("SELECT count(*) FROM signal"), 1);
	assert_int_equal(raw_count("SELECT count(*) FROM capture_key"), 1);
	assert_int_equal(store_capture_key_find(f.s, key, req, &found, &same,
	                                        id),
	                 LS_OK);
	assert_int_equal(found, 1);
	assert_int_equal(same, 1);
	assert_memory_equal(id, first, sizeof id);
	assert_int_equal(store_capture_key_find(f.s, key, other, &found,
	                                        &same, id),
	                 LS_OK);
	assert_int_equal(found, 1);
	assert_int_equal(same, 0);
}

/* A signal ready to insert (built with no failure injected). */
static void make_signal(struct ls_signal *s)
{
	static const struct {
		enum ls_signal_field field;
		const char *text;
	} fields[] = {
	    {LS_FIELD_REGISTERED_AT, "2025-03-04"},
	    {LS_FIELD_THEME, "wonen"},
	    {LS_FIELD_AGE, "18-24"},
	    {LS_FIELD_SECTOR, "caw"},
	    {LS_FIELD_ORGANISATION, "CAW (fictief)"},
	    {LS_FIELD_DESCRIPTION, "tekst"},
	};
	struct ls_errinfo e;
	ls_signal_init(s);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		assert_int_equal(ls_signal_set_field(s, fields[i].field,
		                                     fields[i].text,
		                                     strlen(fields[i].text),
		                                     store_taxonomy(f.s), &e),
		                 LS_OK);
}

/* Every allocation of an insert, an erase and a new local code fails in
 * turn (SQLite allocates through ours too): each failure is out of memory
 * and leaves the store as it was (content digest) and the taxonomy in
 * memory as it was; each call that succeeds did all of its work. A
 * success does not end the loop while it came with an injected failure
 * (SQLite absorbs some): only a run past the last allocation does, so
 * every allocation of the call is failed once (every fifth for a new
 * code: each code added makes the next call allocate a few more). */
static void test_allocation_failures_change_nothing(void **state)
{
	char before[65], after[65];
	uint8_t id[LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	uint64_t n = 0, count = 0;
	long fails = 0;
	int wiped;
	(void)state;

	for (int op = 0; op < 3; op++) {
		int changed = 1; /* the store changed since `before` */
		for (long nth = 1;; nth += op == 2 ? 5 : 1) {
			struct ls_signal s;
			char code[LS_CODE_SIZE];
			unsigned long injected;
			int rc;

			/* the step before, with no failure */
			make_signal(&s);
			if (op == 1 && changed) {
				assert_int_equal(
				    store_signal_insert(f.s, &s, &e), LS_OK);
				memcpy(id, s.id, sizeof id);
			}
			snprintf(code, sizeof code, "wonen-k%ld", nth);
			if (changed) {
				assert_int_equal(
				    store_signal_count(f.s, &count), LS_OK);
				fx_digest(f.path, before);
				changed = 0;
			}

			injected = ls_alloc_failures();
			ls_alloc_fail_nth(nth);
			rc = op == 0   ? store_signal_insert(f.s, &s, &e)
			     : op == 1 ? store_signal_erase(f.s, id, &wiped, &e)
			               : store_taxonomy_add_local(
			                     f.s, LS_DIM_THEME, code, "wonen",
			                     "Koten", "Student rooms", &e);
			ls_alloc_fail_nth(0);
			injected = ls_alloc_failures() - injected;

			assert_int_equal(store_signal_count(f.s, &n), LS_OK);
			if (rc == LS_OK) {
				/* whole: the row is there (or gone) */
				assert_int_equal(n, op == 0   ? count + 1
				                    : op == 1 ? count - 1
				                              : count);
				if (op == 2)
					assert_non_null(ls_taxonomy_find(
					    store_taxonomy(f.s), LS_DIM_THEME,
					    code, strlen(code)));
				if (injected == 0)
					break;
				changed = 1;
				continue;
			}
			fails++;
			assert_int_equal(rc, LS_ENOMEM);
			fx_digest(f.path, after);
			assert_string_equal(before, after);
			assert_int_equal(n, count);
			assert_null(ls_taxonomy_find(store_taxonomy(f.s),
			                             LS_DIM_THEME, code,
			                             strlen(code)));
			assert_true(nth < 100000);
		}
	}
	assert_true(fails > 30);
}

static void test_erase_leaves_nothing_in_the_files(void **state)
{
	uint8_t id[LS_SIGNAL_ID_BYTES], other[LS_SIGNAL_ID_BYTES];
	static const char secret[] = "ZZ-GEHEIME-OMSCHRIJVING-4711";
	static const char reporter[] = "mw-UNIEK-9931";
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	struct ls_errinfo e;
	struct collect c;
	size_t linked;
	int64_t dossier;
	const char *theme = "mentaal";
	int wiped = 0;
	(void)state;
	assert_int_equal(add("2025-05-05", "mentaal", "18-24", "Org E",
	                     reporter, secret, id),
	                 LS_OK);
	assert_int_equal(add("2025-05-06", "mentaal", "18-24", "Org E",
	                     "mw-ander", "blijft", other),
	                 LS_OK);
	assert_int_equal(store_dossier_new(f.s, "D", "T", &theme, 1, NULL,
	                                   "test", &dossier, &e),
	                 LS_OK);
	assert_int_equal(store_dossier_link(f.s, dossier,
	                                    (const uint8_t(*)[16])id, 1, "test",
	                                    &linked, &e),
	                 LS_OK);
	assert_int_equal(store_checkpoint(f.s), LS_OK);
	assert_true(fx_store_files_contain(f.path, secret));
	assert_true(fx_store_files_contain(f.path, reporter));

	assert_int_equal(store_signal_erase(f.s, id, &wiped, &e), LS_OK);
	assert_true(wiped);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_signal_get(f.s, id, collect_cb, &c, &e),
	                 LS_ENOTFOUND);
	assert_int_equal(raw_count("SELECT count(*) FROM dossier_signal"), 0);
	assert_int_equal(raw_count("SELECT count(*) FROM reporter WHERE "
	                           "local_id = 'mw-UNIEK-9931'"),
	                 0);
	assert_int_equal(raw_count("SELECT count(*) FROM signal_theme"), 1);
	/* not in the database file, the WAL, or anywhere */
	assert_false(fx_store_files_contain(f.path, secret));
	assert_false(fx_store_files_contain(f.path, reporter));
	ls_signal_id_format(id, hex);
	assert_false(fx_store_files_contain(f.path, hex));
	/* the other signal is untouched */
	memset(&c, 0, sizeof c);
	assert_int_equal(store_signal_get(f.s, other, collect_cb, &c, &e),
	                 LS_OK);
	assert_string_equal(c.desc[0], "blijft");
	/* erasing again: not found, and nothing changes */
	assert_int_equal(store_signal_erase(f.s, id, &wiped, &e), LS_ENOTFOUND);
}

static void test_purge_blanks_old_text_only(void **state)
{
	static const char old_text[] = "OUDE-TEKST-BEWAARTERMIJN-1234";
	static const char new_text[] = "NIEUWE-TEKST-5678";
	struct ls_date cutoff = {2025, 1, 1};
	struct store_signal_filter flt = {.status = -1};
	struct collect c;
	struct ls_errinfo e;
	uint64_t count = 0;
	int wiped = 0;
	char before[65], after[65];
	(void)state;
	assert_int_equal(
	    add("2024-12-31", "voedsel", "25-64", "V", NULL, old_text, NULL),
	    LS_OK);
	assert_int_equal(
	    add("2025-01-01", "voedsel", "25-64", "V", NULL, new_text, NULL),
	    LS_OK);
	assert_int_equal(store_checkpoint(f.s), LS_OK);
	assert_true(fx_store_files_contain(f.path, old_text));
	/* a dry run counts and changes nothing */
	fx_digest(f.path, before);
	assert_int_equal(
	    store_signal_purge(f.s, &cutoff, 1, &count, &wiped, &e), LS_OK);
	assert_int_equal(count, 1);
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	assert_int_equal(
	    store_signal_purge(f.s, &cutoff, 0, &count, &wiped, &e), LS_OK);
	assert_int_equal(count, 1);
	assert_true(wiped);
	assert_false(fx_store_files_contain(f.path, old_text));
	assert_true(fx_store_files_contain(f.path, new_text));
	/* counts and codes stay */
	assert_int_equal(query(&flt, &c), LS_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.desc[0], "");
	assert_string_equal(c.themes[0], "voedsel ");
	assert_string_equal(c.desc[1], new_text);
	/* idempotent */
	assert_int_equal(
	    store_signal_purge(f.s, &cutoff, 0, &count, &wiped, &e), LS_OK);
	assert_int_equal(count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_insert_get_and_filters, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_id_is_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_capture_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_allocation_failures_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_erase_leaves_nothing_in_the_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purge_blanks_old_text_only,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
