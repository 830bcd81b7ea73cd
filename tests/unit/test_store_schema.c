/* store/db + store/schema: connection settings and migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "fixture_store.h"
#include "store/internal.h"
#include "store/signal.h"

static int pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_new_store_is_current_and_configured(void **state)
{
	struct fx f;
	int v;
	(void)state;
	fx_open(&f);
	assert_int_equal(store_schema_version(f.s, &v), LS_OK);
	assert_int_equal(v, store_schema_latest());
	assert_true(v >= 2);
	assert_int_equal(pragma_int(f.s->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(pragma_int(f.s->db, "PRAGMA secure_delete"), 1);
	assert_int_equal(pragma_int(f.s->db, "PRAGMA synchronous"), 1);
	assert_int_equal(pragma_int(f.s->db, "PRAGMA application_id"),
	                 0x4c534731);
	{
		sqlite3_stmt *st;
		sqlite3_prepare_v2(f.s->db, "PRAGMA journal_mode", -1, &st,
		                   NULL);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		                    "wal");
		sqlite3_finalize(st);
	}
	assert_int_equal(store_taxonomy(f.s)->n, 53);
	fx_close(&f);
}

static void test_migration_table_is_consecutive(void **state)
{
	size_t n;
	const struct store_migration *m = store_schema_migrations(&n);
	(void)state;
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(m[i].version, (int)i + 1);
		assert_non_null(m[i].sql);
		assert_non_null(m[i].summary);
	}
	assert_int_equal(store_schema_latest(), m[n - 1].version);
}

/* A database as version 1 of the schema left it, with a signal in it,
 * is upgraded in place by store_open, keeping its data. */
static void test_old_database_upgrades_in_place(void **state)
{
	char dir[64], path[128];
	size_t n;
	const struct store_migration *m = store_schema_migrations(&n);
	struct store *s;
	struct ls_errinfo e;
	sqlite3 *db;
	uint64_t count = 0;
	int v;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/old.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "PRAGMA journal_mode=WAL;"
	                              "PRAGMA application_id=1280526129;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, m[0].sql, NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "INSERT INTO taxonomy VALUES (1,'theme','wonen',NULL,"
	                 "'Wonen','Housing'),(2,'age_band','onbekend',NULL,"
	                 "'Onbekend','Unknown'),(3,'sector','caw',NULL,'CAW',"
	                 "'CAW');"
	                 "INSERT INTO organisation VALUES (1,'CAW (fictief)');"
	                 "INSERT INTO signal (uid, registered_at, age_id, "
	                 "sector_id, organisation_id, persons, created_at) "
	                 "VALUES (zeroblob(16),'2024-05-01',2,3,1,1,0);"
	                 "INSERT INTO signal_theme VALUES (1,1);"
	                 "PRAGMA user_version=1;",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(path, NULL, &s, &e), LS_OK);
	assert_int_equal(store_schema_version(s, &v), LS_OK);
	assert_int_equal(v, store_schema_latest());
	assert_int_equal(store_signal_count(s, &count), LS_OK);
	assert_int_equal(count, 1);
	/* the new tables exist and work */
	assert_int_equal(pragma_int(s->db, "SELECT count(*) FROM dossier"), 0);
	assert_non_null(
	    ls_taxonomy_find(store_taxonomy(s), LS_DIM_THEME, "wonen", 5));
	store_close(s);
	/* opening again is a no-op */
	assert_int_equal(store_open(path, NULL, &s, &e), LS_OK);
	store_close(s);
	fixture_rmdir(dir);
}

static void test_newer_database_is_refused_unchanged(void **state)
{
	struct fx f;
	struct store *s = NULL;
	struct ls_errinfo e;
	char before[65], after[65], sql[64];
	sqlite3 *db;
	(void)state;
	fx_open(&f);
	store_close(f.s);
	f.s = NULL;
	assert_int_equal(sqlite3_open(f.path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d",
	         store_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fx_digest(f.path, before);
	ls_errinfo_clear(&e);
	assert_int_equal(store_open(f.path, NULL, &s, &e), LS_ESCHEMA);
	assert_null(s);
	assert_non_null(strstr(e.msg, "schemaversie"));
	assert_non_null(strstr(e.msg, "nieuwere versie"));
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	fixture_rmdir(f.dir);
}

static void test_foreign_files_are_refused(void **state)
{
	char dir[64], path[128];
	struct store *s = NULL;
	struct ls_errinfo e;
	struct store_options create = {.create = 1};
	sqlite3 *db;
	FILE *fp;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/missing.db", dir);
	assert_int_equal(store_open(path, NULL, &s, &e), LS_ENOTFOUND);
	snprintf(path, sizeof path, "%s/text.db", dir);
	fp = fopen(path, "w");
	fputs("this is not a database, just text that is long enough to "
	      "fill a header of one hundred bytes or so............",
	      fp);
	fclose(fp);
	assert_int_equal(store_open(path, &create, &s, &e), LS_ECORRUPT);
	assert_non_null(strstr(e.msg, "geen databank van Lokaal Signaal"));
	/* another application's SQLite database */
	snprintf(path, sizeof path, "%s/other.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &create, &s, &e), LS_ECORRUPT);
	assert_null(s);
	fixture_rmdir(dir);
}

static void test_transactions(void **state)
{
	struct fx f;
	(void)state;
	fx_open(&f);
	assert_int_equal(store_tx_commit(f.s), LS_ESTATE);
	assert_int_equal(store_tx_begin(f.s), LS_OK);
	assert_int_equal(store_tx_begin(f.s), LS_ESTATE);
	store_tx_rollback(f.s);
	assert_int_equal(store_tx_begin(f.s), LS_OK);
	assert_int_equal(store_tx_commit(f.s), LS_OK);
	assert_int_equal(store_checkpoint(f.s), LS_OK);
	fx_close(&f);
}

static void test_open_survives_allocation_failures(void **state)
{
	struct fx f;
	long n;
	(void)state;
	fx_open(&f);
	store_close(f.s);
	f.s = NULL;
	ls_alloc_fail_nth(0);
	{
		struct store *s;
		assert_int_equal(store_open(f.path, NULL, &s, NULL), LS_OK);
		n = ls_alloc_fail_nth(0);
		store_close(s);
	}
	for (long i = 1; i <= n; i++) {
		struct ls_errinfo e = {0, ""};
		struct store *s = NULL;
		int rc;
		ls_alloc_fail_nth(i);
		rc = store_open(f.path, NULL, &s, &e);
		ls_alloc_fail_nth(0);
		if (rc != LS_OK && rc != LS_ENOMEM)
			fprintf(stderr, "alloc %ld of %ld: %s\n", i, n, e.msg);
		/* SQLite absorbs some failed allocations itself (an optional
		 * cache); then the store must open whole and work. */
		if (rc == LS_OK) {
			int version = 0;
			uint64_t signals = 1;
			assert_non_null(s);
			assert_int_equal(store_schema_version(s, &version),
			                 LS_OK);
			assert_int_equal(version, store_schema_latest());
			assert_int_equal(store_signal_count(s, &signals),
			                 LS_OK);
			assert_int_equal(signals, 0);
			store_close(s);
			continue;
		}
		assert_int_equal(rc, LS_ENOMEM);
		assert_null(s);
	}
	/* And the file is unharmed by all those failed opens. */
	assert_int_equal(store_verify_path(f.path, STORE_CHECK_FULL, NULL),
	                 LS_OK);
	fixture_rmdir(f.dir);
}

/* A damaged store with a WAL beside it: the hint about a stale WAL is
 * added to the message, and a caller without an errinfo (store_open and
 * store_verify_path take e == NULL) gets LS_ECORRUPT, not a crash. */
static void test_stale_wal_hint(void **state)
{
	char dir[64], path[128], wal[160];
	struct ls_errinfo e = {0, ""};
	FILE *fp;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	/* no WAL: the message stays as it was */
	(void)ls_errf(&e, LS_ECORRUPT, "kapot");
	assert_int_equal(store_stale_wal_hint(path, &e), LS_ECORRUPT);
	assert_string_equal(e.msg, "kapot");
	assert_int_equal(store_stale_wal_hint(path, NULL), LS_ECORRUPT);
	fp = fopen(wal, "wb");
	assert_non_null(fp);
	assert_int_equal(fputs("not a wal", fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(store_stale_wal_hint(path, NULL), LS_ECORRUPT);
	assert_int_equal(store_stale_wal_hint(path, &e), LS_ECORRUPT);
	assert_non_null(strstr(e.msg, "kapot. Er staat een "));
	assert_non_null(strstr(e.msg, wal));
	fixture_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_store_is_current_and_configured),
	    cmocka_unit_test(test_migration_table_is_consecutive),
	    cmocka_unit_test(test_old_database_upgrades_in_place),
	    cmocka_unit_test(test_newer_database_is_refused_unchanged),
	    cmocka_unit_test(test_foreign_files_are_refused),
	    cmocka_unit_test(test_transactions),
	    cmocka_unit_test(test_open_survives_allocation_failures),
	    cmocka_unit_test(test_stale_wal_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
