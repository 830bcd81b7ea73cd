/* store/backup: online backup and the consistency check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/file.h"

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

/* Files named like a temporary file of ls_file_tmp_create in dir. */
static int leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *x;
	int n = 0;
	assert_non_null(d);
	while ((x = readdir(d)) != NULL)
		if (strstr(x->d_name, ".tmp.") != NULL)
			n++;
	closedir(d);
	return n;
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
	assert_int_equal(leftovers(f.dir), 0);
	/* the copy holds free text: its owner's only, whatever the umask */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
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

/* A backup under umask 000 is 0600 from its first byte: the file is
 * ours before SQLite opens it. */
static void test_backup_private_under_any_umask(void **state)
{
	static const mode_t masks[] = {0, 022, 077};
	struct ls_errinfo e;
	struct stat st;
	char path[160];
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		mode_t old = umask(masks[i]);
		snprintf(path, sizeof path, "%s/b%zu.db", f.dir, i);
		assert_int_equal(store_backup(f.s, path, NULL, &e), LS_OK);
		umask(old);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	assert_int_equal(leftovers(f.dir), 0);
}

/* The atomic writer gives exactly the mode asked, whatever the umask,
 * and leaves no temporary file on success or failure. */
static void test_atomic_writer_modes(void **state)
{
	static const mode_t masks[] = {0, 077};
	char path[160];
	struct stat st;
	(void)state;
	snprintf(path, sizeof path, "%s/state.json", f.dir);
	for (size_t i = 0; i < 2; i++) {
		mode_t old = umask(masks[i]);
		assert_int_equal(ls_file_write_atomic(path, "{}", 2, 0640, 1),
		                 0);
		umask(old);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	/* replace == 0 never overwrites */
	assert_int_equal(ls_file_write_atomic(path, "x", 1, 0600, 0),
	                 LS_EEXISTS);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(leftovers(f.dir), 0);
	snprintf(path, sizeof path, "%s/no/such/dir/x", f.dir);
	assert_int_equal(ls_file_write_atomic(path, "x", 1, 0600, 1),
	                 LS_ENOTFOUND);
}

/* Nothing but create makes a store: an empty file stays empty. */
static void test_empty_file_is_not_a_new_store(void **state)
{
	struct store_options opt = {.create = 0};
	struct store *s = NULL;
	struct ls_errinfo e;
	struct stat st;
	char path[160], side[200];
	int fd;
	(void)state;
	snprintf(path, sizeof path, "%s/empty.db", f.dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_open(path, &opt, &s, &e), LS_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "leeg"));
	assert_non_null(strstr(e.msg, "back-up"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	snprintf(side, sizeof side, "%s-wal", path);
	assert_int_not_equal(stat(side, &st), 0);
	/* signaalctl init's way still makes one */
	opt.create = 1;
	assert_int_equal(store_open(path, &opt, &s, &e), LS_OK);
	store_close(s);
}

/* Overwrite two pages in the middle of a copy of the store. */
static void damaged_copy(char *path, size_t size)
{
	char buf[8192];
	struct stat st;
	int fd;
	struct ls_errinfo e;
	snprintf(path, size, "%s/damaged.db", f.dir);
	assert_int_equal(store_backup(f.s, path, NULL, &e), LS_OK);
	assert_int_equal(stat(path, &st), 0);
	memset(buf, 0xff, sizeof buf);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(
	    pwrite(fd, buf, sizeof buf, (st.st_size / 4096 / 2) * 4096),
	    (ssize_t)sizeof buf);
	close(fd);
}

static int insert_one(struct store *s);

static void test_damage_is_found(void **state)
{
	struct store_options quick = {.check = STORE_CHECK_QUICK};
	struct store *s = NULL;
	struct ls_errinfo e;
	char path[160];
	(void)state;
	/* more signals, so that the middle pages are the signals' */
	for (int i = 0; i < 200; i++)
		assert_int_equal(insert_one(f.s), LS_OK);
	damaged_copy(path, sizeof path);
	assert_int_equal(store_open(path, &quick, &s, &e), LS_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "beschadigd"));
	assert_non_null(strstr(e.msg, "back-up terug"));
	assert_null(strchr(e.msg, '\n'));
	assert_int_equal(store_verify_path(path, STORE_CHECK_FULL, &e),
	                 LS_ECORRUPT);
	assert_non_null(strstr(e.msg, "integrity_check"));
	/* the sound store passes */
	assert_int_equal(store_verify(f.s, STORE_CHECK_FULL, &e), LS_OK);
	assert_int_equal(store_verify_path(f.path, STORE_CHECK_QUICK, &e),
	                 LS_OK);
	/* damaged under an open connection: verify reads the disk (not the
	 * connection's cache) and the store remembers it */
	assert_int_equal(store_checkpoint(f.s), LS_OK);
	{
		char buf[8192];
		struct stat st;
		int fd = open(f.path, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(fstat(fd, &st), 0);
		memset(buf, 0xff, sizeof buf);
		assert_int_equal(
		    pwrite(fd, buf, sizeof buf, (st.st_size / 4096 / 2) * 4096),
		    (ssize_t)sizeof buf);
		close(fd);
	}
	assert_int_equal(store_write_health(f.s), LS_OK);
	assert_int_equal(store_verify(f.s, STORE_CHECK_QUICK, &e), LS_ECORRUPT);
	assert_non_null(strstr(e.msg, f.path));
	assert_int_equal(store_write_health(f.s), LS_ECORRUPT);
	/* a file that is not there is not made */
	snprintf(path, sizeof path, "%s/gone.db", f.dir);
	assert_int_equal(store_verify_path(path, STORE_CHECK_QUICK, &e),
	                 LS_EIO);
	assert_int_equal(access(path, F_OK), -1);
}

/* A WAL left behind beside path: a child process writes a little
 * (outside the signals' pages) and exits without closing. */
static void leave_wal(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *db;
		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db,
		                 "PRAGMA wal_autocheckpoint=0;"
		                 "CREATE TABLE scratch(a); "
		                 "INSERT INTO scratch VALUES (1);",
		                 NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The header level (read-only commands): a truncated file is refused
 * by its length alone; damage in the middle is beyond its reach (quick
 * finds it), unless a WAL was left behind by a process that is gone:
 * then it raises itself to quick_check. Refusals change no byte. */
static void test_header_check(void **state)
{
	struct store_options header = {.check = STORE_CHECK_HEADER};
	struct store_options quick = {.check = STORE_CHECK_QUICK};
	struct store *s = NULL;
	struct ls_errinfo e;
	struct stat st, st2;
	char path[160], wal[200];
	(void)state;
	for (int i = 0; i < 200; i++)
		assert_int_equal(insert_one(f.s), LS_OK);
	snprintf(path, sizeof path, "%s/copy.db", f.dir);
	assert_int_equal(store_backup(f.s, path, NULL, &e), LS_OK);
	assert_int_equal(store_open(path, &header, &s, &e), LS_OK);
	store_close(s);
	s = NULL;
	/* truncated by one page */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - 4096), 0);
	assert_int_equal(store_open(path, &header, &s, &e), LS_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "afgekapt"));
	assert_non_null(strstr(e.msg, "back-up terug"));
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size - 4096);
	/* damaged pages in the middle: the header check passes, quick not */
	damaged_copy(path, sizeof path);
	assert_int_equal(store_open(path, &header, &s, &e), LS_OK);
	store_close(s);
	s = NULL;
	assert_int_equal(store_open(path, &quick, &s, &e), LS_ECORRUPT);
	assert_null(s);
	/* with a WAL left behind the header check runs quick_check */
	leave_wal(path);
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size > 0);
	assert_int_equal(store_open(path, &header, &s, &e), LS_ECORRUPT);
	assert_null(s);
	assert_non_null(strstr(e.msg, "quick_check"));
	assert_int_equal(stat(wal, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size); /* not written back */
}

static int insert_one(struct store *s)
{
	const struct ls_taxonomy *t = store_taxonomy(s);
	struct ls_signal sig;
	struct ls_errinfo e;
	char desc[3000];
	memset(desc, 'x', sizeof desc - 1);
	desc[sizeof desc - 1] = '\0';
	ls_signal_init(&sig);
	ls_signal_set_field(&sig, LS_FIELD_REGISTERED_AT, "2025-06-01", 10, t,
	                    &e);
	ls_signal_set_field(&sig, LS_FIELD_THEME, "voedsel", 7, t, &e);
	ls_signal_set_field(&sig, LS_FIELD_AGE, "65plus", 6, t, &e);
	ls_signal_set_field(&sig, LS_FIELD_SECTOR, "vrijwilligers", 13, t, &e);
	ls_signal_set_field(&sig, LS_FIELD_ORGANISATION, "Voedselbank", 11, t,
	                    &e);
	ls_signal_set_field(&sig, LS_FIELD_DESCRIPTION, desc, strlen(desc), t,
	                    &e);
	return store_signal_insert(s, &sig, &e);
}

/* A full store answers LS_EFULL (the API's 507) and says so in its write
 * health until a write succeeds; a store that refuses writes, LS_EIO. */
static void test_write_health(void **state)
{
	char sql[64];
	int64_t pages;
	sqlite3_stmt *st;
	uint64_t before, after;
	(void)state;
	assert_int_equal(store_write_health(f.s), LS_OK);
	assert_int_equal(store_signal_count(f.s, &before), LS_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(f.s->db, "PRAGMA page_count", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld",
	         (long long)pages);
	assert_int_equal(store_exec(f.s, sql), LS_OK);
	{
		int rc = LS_OK;
		for (int i = 0; i < 20 && rc == LS_OK; i++)
			rc = insert_one(f.s);
		assert_int_equal(rc, LS_EFULL);
	}
	assert_int_equal(store_write_health(f.s), LS_EFULL);
	assert_int_equal(store_signal_count(f.s, &after), LS_OK);
	assert_int_equal(store_write_health(f.s), LS_EFULL); /* reads: no */
	assert_int_equal(store_exec(f.s, "PRAGMA max_page_count=1000000"),
	                 LS_OK);
	assert_int_equal(insert_one(f.s), LS_OK);
	assert_int_equal(store_write_health(f.s), LS_OK);
	(void)before;

	assert_int_equal(store_exec(f.s, "PRAGMA query_only=1"), LS_OK);
	assert_int_not_equal(insert_one(f.s), LS_OK);
	assert_int_equal(store_write_health(f.s), LS_EIO);
	assert_int_equal(store_exec(f.s, "PRAGMA query_only=0"), LS_OK);
	assert_int_equal(insert_one(f.s), LS_OK);
	assert_int_equal(store_write_health(f.s), LS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_backup_is_a_complete_standalone_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_reports, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_backup_private_under_any_umask,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_writer_modes, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_empty_file_is_not_a_new_store,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damage_is_found, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_write_health, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
