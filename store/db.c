/*
 * Opening the store and the plumbing every store module uses.
 *
 * store_open: sqlite3_open_v2 -> connection settings (busy timeout,
 * journal_mode=WAL, foreign_keys, synchronous, secure_delete) -> check
 * the file is ours (application_id) -> migrate -> load the taxonomy. Any
 * failure closes the connection again (goto unwinding) and explains in
 * *e.
 *
 * Statements are prepared on first use with SQLITE_PREPARE_PERSISTENT and
 * cached for the life of the connection in a small open-addressing table
 * keyed by the address of the SQL text.
 */
#include "store/internal.h"
#include "common/alloc.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 'LSG1' in the database header: marks a Lokaal Signaal store. */
#define STORE_APPLICATION_ID 0x4c534731

int64_t store_now(void)
{
	return (int64_t)time(NULL);
}

/* Remember a failure that says the store cannot take writes. Damage
 * (LS_ECORRUPT) is never overwritten: a compare-and-swap, so that a
 * thread reading write_fail between the check and the store cannot
 * lose it. */
static void note_fail(struct store *s, int code)
{
	if (s == NULL)
		return;
	int seen = atomic_load(&s->write_fail);
	while (seen != LS_ECORRUPT &&
	       !atomic_compare_exchange_weak(&s->write_fail, &seen, code))
		;
}

/* 1 if this failure is news: the connection did not already know its
 * writes fail this way (a full or read-only disk refuses every write
 * until fixed; the first is logged, the rest at debug level). */
static int fail_is_news(const struct store *s, int code)
{
	return s == NULL ||
	       atomic_load(&((struct store *)s)->write_fail) != code;
}

/* A write was committed: the store takes writes again (damage stays). */
static void note_commit(struct store *s)
{
	int seen = atomic_load(&s->write_fail);
	while (seen != LS_OK && seen != LS_ECORRUPT &&
	       !atomic_compare_exchange_weak(&s->write_fail, &seen, LS_OK))
		;
}

int store_write_health(const struct store *s)
{
	return atomic_load(&((struct store *)s)->write_fail);
}

const char *store_errmsg_nl(sqlite3 *db, int code)
{
	LS_WARN("store", "sqlite_error", "code=%s msg=\"%s\"", ls_errname(code),
	        db != NULL ? sqlite3_errmsg(db) : "?");
	return ls_strerror_nl(code);
}

void store_note_damaged(struct store *s)
{
	note_fail(s, LS_ECORRUPT);
}

int store_err(struct store *s, int rc, const char *what)
{
	int primary = rc & 0xff;
	int repeat = 0;
	if (primary == SQLITE_FULL)
		repeat = !fail_is_news(s, LS_EFULL);
	else if (primary == SQLITE_IOERR || primary == SQLITE_READONLY ||
	         primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
		repeat = !fail_is_news(s, LS_EIO);
	if (repeat)
		LS_DEBUG("store", "sqlite_error", "what=%s rc=%d msg=\"%s\"",
		         what, rc,
		         s && s->db ? sqlite3_errmsg(s->db)
		                    : sqlite3_errstr(rc));
	else
		LS_WARN("store", "sqlite_error", "what=%s rc=%d msg=\"%s\"",
		        what, rc,
		        s && s->db ? sqlite3_errmsg(s->db)
		                   : sqlite3_errstr(rc));
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return LS_EBUSY;
	case SQLITE_NOMEM:
		return LS_ENOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		note_fail(s, LS_ECORRUPT);
		return LS_ECORRUPT;
	case SQLITE_FULL:
		note_fail(s, LS_EFULL);
		return LS_EFULL;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		note_fail(s, LS_EIO);
		return LS_EIO;
	case SQLITE_CONSTRAINT:
		return LS_EEXISTS;
	default:
		return LS_ESTORE;
	}
}

int store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		LS_WARN("store", "exec_failed", "rc=%d msg=\"%s\"", rc,
		        msg ? msg : "");
		sqlite3_free(msg);
		return store_err(s, rc, "exec");
	}
	return LS_OK;
}

static size_t slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) % STORE_STMT_SLOTS;
}

int store_stmt(struct store *s, const char *sql, sqlite3_stmt **out)
{
	size_t i = slot_of(sql);
	for (size_t probe = 0; probe < STORE_STMT_SLOTS; probe++) {
		struct store_stmt_slot *slot =
		    &s->stmts[(i + probe) % STORE_STMT_SLOTS];
		if (slot->sql == sql) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			*out = slot->stmt;
			return LS_OK;
		}
		if (slot->sql == NULL) {
			int rc = sqlite3_prepare_v3(s->db, sql, -1,
			                            SQLITE_PREPARE_PERSISTENT,
			                            &slot->stmt, NULL);
			if (rc != SQLITE_OK) {
				slot->stmt = NULL;
				return store_err(s, rc, "prepare");
			}
			slot->sql = sql;
			*out = slot->stmt;
			return LS_OK;
		}
	}
	LS_ERROR("store", "stmt_cache_full", "slots=%d", STORE_STMT_SLOTS);
	return LS_EINTERNAL;
}

int store_one_row(struct store *s, sqlite3_stmt *st, int64_t *out, int n,
                  const char *what)
{
	int rc = sqlite3_step(st);
	for (int i = 0; i < n; i++)
		out[i] = rc == SQLITE_ROW ? sqlite3_column_int64(st, i) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_err(s, sqlite3_extended_errcode(s->db), what);
	else
		rc = LS_OK;
	sqlite3_reset(st);
	return rc;
}

int store_each_row(struct store *s, sqlite3_stmt *st, store_row_cb row,
                   void *ctx, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = row(ctx, st);
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	if (rc != SQLITE_DONE)
		rc = store_err(s, sqlite3_extended_errcode(s->db), what);
	else
		rc = LS_OK;
	sqlite3_reset(st);
	return rc;
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		if (!sqlite3_stmt_readonly(st) && sqlite3_get_autocommit(s->db))
			note_commit(s);
		sqlite3_reset(st);
		return LS_OK;
	}
	rc = store_err(s, sqlite3_extended_errcode(s->db), what);
	sqlite3_reset(st);
	return rc;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

int store_tx_begin(struct store *s)
{
	sqlite3_stmt *st;
	int rc;
	if (s->in_tx || !sqlite3_get_autocommit(s->db))
		return LS_ESTATE;
	rc = store_stmt(s, SQL_BEGIN, &st);
	if (rc == LS_OK)
		rc = store_step_done(s, st, "begin");
	if (rc == LS_OK)
		s->in_tx = 1;
	return rc;
}

int store_tx_commit(struct store *s)
{
	sqlite3_stmt *st;
	int rc;
	if (!s->in_tx)
		return LS_ESTATE;
	rc = store_stmt(s, SQL_COMMIT, &st);
	if (rc == LS_OK)
		rc = store_step_done(s, st, "commit");
	if (rc != LS_OK) {
		store_tx_rollback(s);
		return rc;
	}
	s->in_tx = 0;
	note_commit(s);
	return LS_OK;
}

void store_tx_rollback(struct store *s)
{
	sqlite3_stmt *st;
	if (!sqlite3_get_autocommit(s->db) &&
	    store_stmt(s, SQL_ROLLBACK, &st) == LS_OK)
		(void)store_step_done(s, st, "rollback");
	s->in_tx = 0;
}

static int exec_one(struct store *s, const char *sql, const char *what)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	return rc == LS_OK ? store_step_done(s, st, what) : rc;
}

int store_savepoint(struct store *s)
{
	if (!s->in_tx)
		return LS_ESTATE;
	return exec_one(s, "SAVEPOINT request", "savepoint");
}

int store_savepoint_release(struct store *s)
{
	return exec_one(s, "RELEASE request", "release");
}

void store_savepoint_rollback(struct store *s)
{
	if (exec_one(s, "ROLLBACK TO request", "rollback_to") == LS_OK)
		(void)exec_one(s, "RELEASE request", "release");
}

int store_in_tx(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int store_tx_enter(struct store *s, int *owned)
{
	*owned = 0;
	if (!sqlite3_get_autocommit(s->db))
		return LS_OK; /* the caller's transaction */
	*owned = 1;
	return store_tx_begin(s);
}

int store_tx_end(struct store *s, int owned, int rc)
{
	if (!owned)
		return rc;
	if (rc == LS_OK)
		return store_tx_commit(s);
	store_tx_rollback(s);
	return rc;
}

void store_random_id(struct store *s, uint8_t id[16])
{
	if (s->idpool_pos + 16 > sizeof s->idpool) {
		randombytes_buf(s->idpool, sizeof s->idpool);
		s->idpool_pos = 0;
	}
	memcpy(id, s->idpool + s->idpool_pos, 16);
	/* ids are not secret, but never hand out the same bytes twice */
	sodium_memzero(s->idpool + s->idpool_pos, 16);
	s->idpool_pos += 16;
}

const struct ls_taxonomy *store_taxonomy(const struct store *s)
{
	return &s->tax;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

int store_schema_latest(void)
{
	size_t n;
	const struct store_migration *m = store_schema_migrations(&n);
	return n ? m[n - 1].version : 0;
}

int store_schema_version(struct store *s, int *version)
{
	static const char sql[] = "PRAGMA user_version";
	sqlite3_stmt *st;
	int64_t v;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK ||
	    (rc = store_one_row(s, st, &v, 1, "user_version")) != LS_OK)
		return rc;
	*version = (int)v;
	return LS_OK;
}

int store_checkpoint(struct store *s)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(
	    s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
	if (rc != SQLITE_OK)
		return store_err(s, rc, "checkpoint");
	return LS_OK;
}

/* One-value pragma query into *out (text). */
static int pragma_text(struct store *s, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_err(s, rc, "pragma");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int type = sqlite3_column_type(st, 0);
		const unsigned char *t = sqlite3_column_text(st, 0);
		/* NULL from a non-NULL value is a failed conversion (out of
		 * memory), not an empty answer: an empty application_id
		 * would read as "not our database". */
		if (t == NULL && type != SQLITE_NULL) {
			sqlite3_finalize(st);
			return store_err(s, SQLITE_NOMEM, "pragma");
		}
		snprintf(out, size, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		out[0] = '\0';
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? LS_OK : store_err(s, rc, "pragma");
}

static int configure(struct store *s, const struct store_options *opt,
                     struct ls_errinfo *e)
{
	char mode[32], sql[64];
	int64_t timeout =
	    opt->busy_timeout_ms < 0 ? 5000 : opt->busy_timeout_ms;
	int rc;

	sqlite3_busy_timeout(s->db, (int)timeout);
	rc = pragma_text(s, "PRAGMA journal_mode=WAL", mode, sizeof mode);
	if (rc == LS_ECORRUPT)
		return ls_errf(e, rc,
		               "%s is geen databank van Lokaal Signaal (of ze "
		               "is beschadigd)",
		               s->path);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan de databank %s niet openen: %s",
		               s->path, store_errmsg_nl(s->db, rc));
	if (strcmp(mode, "wal") != 0)
		return ls_errf(e, LS_ESTORE,
		               "kan de databank niet in WAL-modus zetten (%s)",
		               mode);
	snprintf(sql, sizeof sql, "PRAGMA synchronous=%s",
	         opt->synchronous == LS_SYNC_NORMAL ? "NORMAL" : "FULL");
	if ((rc = store_exec(s, sql)) != LS_OK ||
	    (rc = store_exec(s, "PRAGMA foreign_keys=ON")) != LS_OK ||
	    (rc = store_exec(s, "PRAGMA secure_delete=ON")) != LS_OK)
		return ls_errf(e, rc, "kan de databank niet instellen: %s",
		               store_errmsg_nl(s->db, rc));
	return LS_OK;
}

/* What to do about a damaged or emptied store, after what was found. */
#define STORE_RESTORE_HINT                                                     \
	"Stop signaald, bewaar de knooppuntmap zoals ze is (voor onderzoek) "  \
	"en zet de laatste back-up terug (zie 'Restore from backup' in de "    \
	"handleiding); 'signaalctl check' toont de details. Maak alleen met "  \
	"'signaalctl init' een nieuw knooppunt."

/* A new (empty) database gets our application id when we are creating
 * it; without create, an empty database is a store that lost its
 * content (an emptied or truncated file) and is refused. An existing
 * one must carry our id. */
static int check_identity(struct store *s, int create, struct ls_errinfo *e)
{
	char appid[32], version[32], tables[32];
	int rc;
	if ((rc = pragma_text(s, "PRAGMA application_id", appid,
	                      sizeof appid)) != LS_OK ||
	    (rc = pragma_text(s, "PRAGMA user_version", version,
	                      sizeof version)) != LS_OK ||
	    (rc = pragma_text(s, "SELECT count(*) FROM sqlite_schema", tables,
	                      sizeof tables)) != LS_OK) {
		if (rc == LS_ECORRUPT)
			return ls_errf(e, rc,
			               "de databank %s is beschadigd of geen "
			               "databank van Lokaal Signaal (%s). %s",
			               s->path, store_errmsg_nl(s->db, rc),
			               STORE_RESTORE_HINT);
		return ls_errf(e, rc, "kan de databank %s niet lezen: %s",
		               s->path, store_errmsg_nl(s->db, rc));
	}
	if (strcmp(appid, "0") == 0 && strcmp(version, "0") == 0 &&
	    strcmp(tables, "0") == 0) {
		if (!create)
			return ls_errf(e, LS_ECORRUPT,
			               "de databank %s is leeg: de signalen, "
			               "tokens en de taxonomie van dit "
			               "knooppunt ontbreken (geleegd of "
			               "afgekapt bestand). %s",
			               s->path, STORE_RESTORE_HINT);
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA application_id=%d",
		         STORE_APPLICATION_ID);
		return store_exec(s, sql);
	}
	if (strtol(appid, NULL, 10) != STORE_APPLICATION_ID)
		return ls_errf(e, LS_ECORRUPT,
		               "%s is geen databank van Lokaal Signaal: "
		               "controleer [store] path in signaal.ini. Staat "
		               "er de juiste naam, dan is de databank "
		               "vervangen: %s",
		               s->path, STORE_RESTORE_HINT);
	return LS_OK;
}

void store_check_line(char *text)
{
	static const char prefix[] = "*** in database main ***";
	size_t n = strlen(prefix), len;
	if (strncmp(text, prefix, n) == 0) {
		while (text[n] == '\n' || text[n] == ' ')
			n++;
		memmove(text, text + n, strlen(text + n) + 1);
	}
	len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	for (char *p = text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '"')
			*p = *p == '"' ? '\'' : ';';
}

/* Run quick_check or integrity_check on db (the file at path). */
static int run_check(sqlite3 *db, const char *path, int level,
                     struct ls_errinfo *e)
{
	const char *pragma = level == STORE_CHECK_FULL
	                         ? "PRAGMA integrity_check(1)"
	                         : "PRAGMA quick_check(1)";
	const char *name =
	    level == STORE_CHECK_FULL ? "integrity_check" : "quick_check";
	char first[200] = "";
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, pragma, -1, &st, NULL);
	int ok = 0;

	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *t =
			    (const char *)sqlite3_column_text(st, 0);
			if (t != NULL && strcmp(t, "ok") == 0)
				ok = 1;
			else if (first[0] == '\0')
				snprintf(first, sizeof first, "%s",
				         t ? t : "?");
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc == SQLITE_OK && ok && first[0] == '\0')
		return LS_OK;
	if (rc != SQLITE_OK && first[0] == '\0')
		snprintf(first, sizeof first, "%s", sqlite3_errmsg(db));
	store_check_line(first);
	LS_ERROR("store", "check_failed",
	         "file=%s check=%s rc=%d detail=\"%s\" "
	         "action=\"stop signaald, keep the directory, restore the "
	         "last backup\"",
	         path, name, rc, first);
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ls_errf(e, LS_ECORRUPT,
		               "de databank %s is beschadigd (%s: %s). %s",
		               path, name, first, STORE_RESTORE_HINT);
	case SQLITE_NOMEM:
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ls_errf(e, LS_EBUSY,
		               "de databank %s is bezet; probeer opnieuw",
		               path);
	default:
		return ls_errf(e, LS_EIO,
		               "kan de databank %s niet controleren: %s", path,
		               first);
	}
}

/* A damaged store with a WAL beside it: most often a backup put back
 * without removing the -wal and -shm of the store it replaced, whose
 * pages SQLite then reads over the backup's. Say so (LS_ECORRUPT). */
int store_stale_wal_hint(const char *path, struct ls_errinfo *e)
{
	char wal[4096], msg[sizeof e->msg];
	struct stat st;
	if (e == NULL) /* no message to add to (ls_errf's rule) */
		return LS_ECORRUPT;
	if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal ||
	    stat(wal, &st) != 0 || st.st_size == 0)
		return LS_ECORRUPT;
	snprintf(msg, sizeof msg, "%s", e->msg);
	/* before the general advice (a long path may cut the end off) */
	char *advice = strstr(msg, STORE_RESTORE_HINT);
	if (advice != NULL)
		*advice = '\0';
	return ls_errf(e, LS_ECORRUPT,
	               "%s%sEr staat een %s naast: zette u een back-up terug, "
	               "verwijder dan ook %s-wal en %s-shm van de vorige "
	               "databank (zie 'Restore from backup'); anders niet, "
	               "want dan bevat hij nog bewaarde gegevens%s%s",
	               msg, advice != NULL ? "" : ". ", wal, path, path,
	               advice != NULL ? ". Anders: " : "",
	               advice != NULL ? STORE_RESTORE_HINT : "");
}

/* The size of the WAL beside path (0 when there is none). */
static off_t wal_size(const char *path)
{
	char wal[4096];
	struct stat st;
	if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal ||
	    stat(wal, &st) != 0)
		return 0;
	return st.st_size;
}

/* 1 if a connection of another process has the store at path open.
 * SQLite's unix VFS holds a shared lock on the "DMS" byte of the -shm
 * file (offset 128: after the 120-byte header and the 8 lock bytes) for
 * as long as a connection uses the WAL; F_GETLK reports another
 * process's lock (never this process's own). */
static int open_elsewhere(const char *path)
{
	char shm[4096];
	struct flock fl = {.l_type = F_WRLCK,
	                   .l_whence = SEEK_SET,
	                   .l_start = 128,
	                   .l_len = 1};
	int fd, busy = 0;
	if (snprintf(shm, sizeof shm, "%s-shm", path) >= (int)sizeof shm)
		return 0;
	if ((fd = open(shm, O_RDONLY | O_CLOEXEC)) < 0)
		return 0; /* no -shm: nobody has the WAL open */
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		busy = 1;
	close(fd);
	return busy;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The start check's file part (level HEADER and above). A WAL left
 * behind by a process that is gone raises *level to QUICK: its pages
 * are read over the file's, and only a check of every page shows
 * whether they belong to it. Without a WAL the file is the whole store
 * and must be as long as its header says (page size at offset 16, page
 * count at 28, valid when the change counter at 24 equals the number at
 * 92): a truncated file is refused, LS_ECORRUPT.
 */
static int check_file(const char *path, enum store_check_level *level,
                      struct ls_errinfo *e)
{
	unsigned char h[100];
	struct stat st;
	uint64_t page, claimed;
	ssize_t n;
	int fd;

	if (wal_size(path) > 0) {
		if (open_elsewhere(path))
			return LS_OK; /* its owner checked it at its start */
		if (*level < STORE_CHECK_QUICK) {
			LS_INFO("store", "wal_left_over",
			        "file=%s action=quick_check", path);
			*level = STORE_CHECK_QUICK;
		}
		return LS_OK;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ls_errf(e, errno == EACCES ? LS_EDENIED : LS_EIO,
		               "kan de databank %s niet lezen: %s", path,
		               strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ls_errf(e, LS_EIO, "kan de databank %s niet lezen",
		               path);
	}
	n = pread(fd, h, sizeof h, 0);
	close(fd);
	if (n != (ssize_t)sizeof h)
		return LS_OK; /* too short for a header: SQLite said so */
	page = h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	if (be32(h + 24) != be32(h + 92) || page < 512)
		return LS_OK; /* the header does not say its size */
	claimed = page * be32(h + 28);
	if ((uint64_t)st.st_size < claimed) {
		LS_ERROR(
		    "store", "check_failed",
		    "file=%s check=header detail=\"truncated: %lld of %llu "
		    "bytes\" action=\"stop signaald, keep the directory, "
		    "restore the last backup\"",
		    path, (long long)st.st_size, (unsigned long long)claimed);
		return ls_errf(e, LS_ECORRUPT,
		               "de databank %s is afgekapt: het bestand is "
		               "%lld bytes, volgens zijn kop %llu. %s",
		               path, (long long)st.st_size,
		               (unsigned long long)claimed, STORE_RESTORE_HINT);
	}
	return LS_OK;
}

int store_verify_path(const char *path, enum store_check_level level,
                      struct ls_errinfo *e)
{
	sqlite3 *db = NULL;
	int rc;

	if (level == STORE_CHECK_NONE)
		return LS_OK;
	store_alloc_setup();
	/* No SQLITE_OPEN_CREATE: a file that vanished is not made anew. */
	rc = sqlite3_open_v2(path, &db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int code = (rc & 0xff) == SQLITE_NOMEM ? LS_ENOMEM : LS_EIO;
		rc = ls_errf(e, code, "kan de databank %s niet openen: %s",
		             path, store_errmsg_nl(db, code));
		sqlite3_close(db);
		return rc;
	}
	/* A check changes nothing, also not by checkpointing a WAL into
	 * the file when it closes (store_open says why). */
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_busy_timeout(db, 5000);
	rc = run_check(db, path, level, e);
	if (rc == LS_ECORRUPT)
		rc = store_stale_wal_hint(path, e);
	sqlite3_close(db);
	return rc;
}

int store_verify(struct store *s, enum store_check_level level,
                 struct ls_errinfo *e)
{
	int rc;
	if (level == STORE_CHECK_NONE)
		return LS_OK;
	if (s->path[0] == '\0' || strcmp(s->path, ":memory:") == 0 ||
	    strncmp(s->path, "file:", 5) == 0)
		rc = run_check(s->db, s->path, level, e);
	else
		rc = store_verify_path(s->path, level, e);
	if (rc == LS_ECORRUPT)
		note_fail(s, LS_ECORRUPT);
	return rc;
}

int store_open(const char *path, const struct store_options *opt,
               struct store **out, struct ls_errinfo *e)
{
	struct store_options defaults = {
	    .create = 0, .synchronous = LS_SYNC_FULL, .busy_timeout_ms = -1};
	struct store *s;
	struct stat st;
	enum store_check_level level;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	if (opt == NULL)
		opt = &defaults;
	store_alloc_setup();
	if (sodium_init() < 0)
		return ls_errf(e, LS_ECRYPTO, "libsodium start niet");
	if (!opt->create && stat(path, &st) != 0)
		return ls_errf(e, LS_ENOTFOUND,
		               "databank %s bestaat niet (maak een knooppunt "
		               "met 'signaalctl init')",
		               path);
	/* A directory (or a device) in its place: SQLite's "disk I/O
	 * error" would not say what is wrong. */
	if (!opt->create && !S_ISREG(st.st_mode))
		return ls_errf(e, LS_ECORRUPT,
		               "de databank %s is geen gewoon bestand (maar "
		               "een map of een apparaat). %s",
		               path, STORE_RESTORE_HINT);
	if (opt->create)
		flags |= SQLITE_OPEN_CREATE;
	s = ls_calloc(1, sizeof *s);
	if (s == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	s->idpool_pos = sizeof s->idpool; /* draw on first use */
	ls_taxonomy_init(&s->tax);
	s->path = ls_strdup(path);
	if (s->path == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto err_after_alloc;
	}
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		int code = store_err(s, rc, "open");
		rc = ls_errf(e, code, "kan de databank %s niet openen: %s",
		             path, ls_strerror_nl(code));
		goto err_after_open;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* Read-only checks first: a file that is not ours, or that a newer
	 * version wrote, is refused before anything (not even the journal
	 * mode) is changed in it. SQLite's last connection checkpoints the
	 * WAL into the file when it closes: a refused store keeps its WAL
	 * apart (a stale WAL over a restored backup would be written into
	 * it), until the checks passed. */
	(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	                        NULL);
	sqlite3_busy_timeout(s->db, 5000);
	/* the file first (a truncated file is named as such), then what
	 * SQLite reads in it */
	level = (enum store_check_level)opt->check;
	if (!opt->create && level >= STORE_CHECK_HEADER &&
	    (rc = check_file(s->path, &level, e)) != LS_OK)
		goto err_after_open;
	if ((rc = check_identity(s, opt->create, e)) != LS_OK)
		goto err_after_open;
	if (level >= STORE_CHECK_QUICK &&
	    (rc = run_check(s->db, s->path, level, e)) != LS_OK) {
		if (rc == LS_ECORRUPT)
			rc = store_stale_wal_hint(s->path, e);
		goto err_after_open;
	}
	if ((rc = store_schema_check(s, e)) != LS_OK)
		goto err_after_open;
	if ((rc = configure(s, opt, e)) != LS_OK)
		goto err_after_open;
	if ((rc = store_schema_migrate(s, e)) != LS_OK)
		goto err_after_open;
	if ((rc = store_taxonomy_reload(s, e)) != LS_OK)
		goto err_after_open;
	(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0,
	                        NULL);
	*out = s;
	return LS_OK;

err_after_open:
	store_close(s);
	return rc;
err_after_alloc:
	ls_free(s);
	return rc;
}

int store_open_node(const char *path, const struct ls_config *cfg,
                    enum store_check_level level, struct store **out,
                    struct ls_errinfo *e)
{
	struct store_options so = {.create = 0};
	so.check = (uint8_t)level;
	so.synchronous = cfg->synchronous;
	so.busy_timeout_ms = cfg->busy_timeout_ms;
	return store_open(path, &so, out, e);
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < STORE_STMT_SLOTS; i++)
		sqlite3_finalize(s->stmts[i].stmt);
	/* A damaged store is left as it was found: SQLite's last
	 * connection would checkpoint the WAL into the file as it closes
	 * (a stale WAL over a restored backup, written into it). */
	if (s->db != NULL && atomic_load(&s->write_fail) == LS_ECORRUPT)
		(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
		                        1, NULL);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		LS_ERROR("store", "close_failed", "msg=\"%s\"",
		         sqlite3_errmsg(s->db));
	ls_taxonomy_fini(&s->tax);
	ls_free(s->tax_by_id);
	ls_free(s->path);
	sodium_memzero(s->idpool, sizeof s->idpool);
	ls_free(s);
}
