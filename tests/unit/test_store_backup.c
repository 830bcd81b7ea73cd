/* store/backup: online backup and the consistency check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "fixture_store.h"
#include "store/backup.h"
#include "store/internal.h"
#include "store/signal.h"

static struct fx f;

static int setup(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	const struct ls_taxonomy *t;
	(void)state;
	fx_open(&f);
	t = store_taxonomy(f.s);
	for (int i = 0; i < 50; i++) {
		ls_signal_init(&s);
		ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, "2025-06-01",
		                    10, t, &e);
		ls_signal_set_field(&s, LS_FIELD_THEME, "voedsel", 7, t, &e);
		ls_signal_set_field(&s, LS_FIELD_AGE, "65plus", 6, t, &e);
		ls_signal_set_field(&s, LS_FIELD_SECTOR, "vrijwilligers", 13, t,
		                    &e);
		ls_signal_set_field(&s, LS_FIELD_ORGANISATION, "Voedselbank",
		                    11, t, &e);
		assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_close(&f);
	return 0;
}

static void test_backup_is_a_complete_standalone_copy(void **state)
{
	char path[160], side[200], a[65], b[65];
	struct store *copy;
	struct ls_errinfo e;
	struct stat st;
	int64_t pages = 0;
	uint64_t n;
	(void)state;
	snprintf(path, sizeof path, "%s/backup.db", f.dir);
	assert_int_equal(store_backup(f.s, path, &pages, &e), LS_OK);
	assert_true(pages > 0);
	/* no journal or WAL needed beside it, no temporary file left */
	snprintf(side, sizeof side, "%s-wal", path);
	assert_int_not_equal(stat(side, &st), 0);
	snprintf(side, sizeof side, "%s.tmp.%ld", path, (long)getpid());
	assert_int_not_equal(stat(side, &st), 0);
	fx_digest(f.path, a);
	fx_digest(path, b);
	assert_string_equal(a, b);
	assert_int_equal(store_open(path, NULL, &copy, &e), LS_OK);
	assert_int_equal(store_signal_count(copy, &n), LS_OK);
	assert_int_equal(n, 50);
	store_close(copy);
	/* an existing target is never overwritten */
	assert_int_equal(store_backup(f.s, path, &pages, &e), LS_EEXISTS);
	snprintf(path, sizeof path, "%s/no/such/dir/b.db", f.dir);
	assert_int_not_equal(store_backup(f.s, path, &pages, &e), LS_OK);
}

static void test_check_reports(void **state)
{
	struct store_check_report r;
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(store_check(f.s, &r, &e), LS_OK);
	assert_true(r.integrity_ok);
	assert_int_equal(r.fk_violations, 0);
	assert_int_equal(r.signals, 50);
	assert_int_equal(r.schema_version, r.schema_latest);
	assert_int_equal(r.taxonomy_codes, 53);
	/* a broken reference (written around the store, FKs off) */
	assert_int_equal(sqlite3_exec(f.s->db,
	                              "PRAGMA foreign_keys=OFF;"
	                              "INSERT INTO signal_theme VALUES "
	                              "(9999, 1);"
	                              "PRAGMA foreign_keys=ON;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(store_check(f.s, &r, &e), LS_ECORRUPT);
	assert_int_equal(r.fk_violations, 1);
	assert_non_null(strstr(r.fk_first, "signal_theme"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_backup_is_a_complete_standalone_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_reports, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
