/*
 * Online backup: a temporary file DEST.tmp.XXXXXX created 0600 (the
 * copy holds every signal's free text); sqlite3_backup_step into it in
 * chunks, sleeping briefly when the source is locked; integrity_check on
 * the copy, journal_mode=DELETE (a standalone file), fsync, link to
 * DEST, fsync of the directory. Any failure removes the temporary file.
 */
#include "store/backup.h"
#include "common/file.h"
#include "common/log.h"
#include "store/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_PAGES_PER_STEP 256
#define BACKUP_MAX_BUSY_RETRIES 3000 /* x 10 ms: give up after ~30 s */

static int check_copy(sqlite3 *db, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int ok = 0, rc;
	if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return ls_errf(e, LS_EIO, "kan de kopie niet afwerken: %s",
		               store_errmsg_nl(db, LS_EIO));
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
	    SQLITE_OK)
		return ls_errf(e, LS_EIO, "kan de kopie niet controleren");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		ok = t != NULL && strcmp((const char *)t, "ok") == 0;
		/* No text from a row: the check ran out of memory. */
		rc = t == NULL ? SQLITE_NOMEM : SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return ls_errf(e, (rc & 0xff) == SQLITE_NOMEM ? LS_ENOMEM : LS_EIO,
		               "kan de kopie niet controleren: %s",
		               store_errmsg_nl(
		                   db, (rc & 0xff) == SQLITE_NOMEM ? LS_ENOMEM
		                                                   : LS_EIO));
	return ok ? LS_OK : ls_errf(e, LS_ECORRUPT, "de kopie is niet in orde");
}

int store_backup(struct store *s, const char *path, int64_t *pages,
                 struct ls_errinfo *e)
{
	char tmp[4200];
	struct stat st;
	sqlite3 *dest = NULL;
	sqlite3_backup *b;
	int rc, busy = 0, fd;

	if (stat(path, &st) == 0)
		return ls_errf(e, LS_EEXISTS,
		               "%s bestaat al; kies een nieuwe bestandsnaam",
		               path);
	/* The copy holds everything, free text included: the file is made
	 * here, 0600 and under a name of its own, before SQLite (which
	 * would create it 0644) writes a byte into it. */
	if ((rc = ls_file_tmp_create(path, 0600, tmp, sizeof tmp, &fd)) != LS_OK)
		return ls_errf(e, rc,
		               "kan geen tijdelijk bestand naast %s aanmaken: %s",
		               path, ls_errno_nl(errno));
	close(fd);
	rc = sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		rc = ls_errf(e, LS_EIO, "kan %s niet openen: %s", tmp,
		             store_errmsg_nl(dest, LS_EIO));
		goto err_after_open;
	}
	b = sqlite3_backup_init(dest, "main", s->db, "main");
	if (b == NULL) {
		rc = ls_errf(e, LS_EIO, "back-up start niet: %s",
		             store_errmsg_nl(dest, LS_EIO));
		goto err_after_open;
	}
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_OK)
			continue;
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) &&
		    ++busy < BACKUP_MAX_BUSY_RETRIES) {
			sqlite3_sleep(10);
			continue;
		}
		break;
	}
	if (pages != NULL)
		*pages = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		int primary = rc & 0xff;
		int code = primary == SQLITE_BUSY || primary == SQLITE_LOCKED
		               ? LS_EBUSY
		           : primary == SQLITE_FULL ? LS_EFULL
		                                    : LS_EIO;
		rc = ls_errf(e, code, "back-up mislukt: %s",
		             store_errmsg_nl(dest, code));
		goto err_after_open;
	}
	if ((rc = check_copy(dest, e)) != LS_OK)
		goto err_after_open;
	if (sqlite3_close(dest) != SQLITE_OK) {
		rc = ls_errf(e, LS_EIO, "kan de kopie niet sluiten");
		dest = NULL;
		goto err_after_open;
	}
	dest = NULL;
	/* link(), not rename(): a file that appeared at `path` in the
	 * meantime is never replaced. */
	if ((rc = ls_file_tmp_commit(-1, tmp, path, 0)) != LS_OK)
		return ls_errf(e, rc, "kan %s niet aanmaken: %s", path,
		               ls_errno_nl(errno));
	LS_INFO("store", "backup_done", "pages=%lld",
	        pages ? (long long)*pages : -1LL);
	return LS_OK;

err_after_open:
	if (dest != NULL)
		sqlite3_close(dest);
	ls_file_tmp_abort(-1, tmp);
	return rc;
}

static int count_rows(struct store *s, const char *sql, uint64_t *out)
{
	sqlite3_stmt *st;
	int64_t n;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK || (rc = store_one_row(s, st, &n, 1, "count")) != LS_OK)
		return rc;
	*out = (uint64_t)n;
	return LS_OK;
}

int store_check(struct store *s, struct store_check_report *r,
                struct ls_errinfo *e)
{
	static const char SQL_SIGNALS[] = "SELECT count(*) FROM signal";
	static const char SQL_DOSSIERS[] = "SELECT count(*) FROM dossier";
	static const char SQL_CODES[] = "SELECT count(*) FROM taxonomy";
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	r->schema_latest = store_schema_latest();
	if ((rc = store_schema_version(s, &r->schema_version)) != LS_OK)
		return ls_errf(e, rc, "kan de schemaversie niet lezen");
	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(20)", -1, &st,
	                       NULL) != SQLITE_OK)
		return ls_errf(
		    e, store_err(s, sqlite3_errcode(s->db), "integrity_check"),
		    "controle kan niet starten");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t != NULL && strcmp(t, "ok") == 0) {
			r->integrity_ok = 1;
		} else if (r->integrity[0] == '\0') {
			snprintf(r->integrity, sizeof r->integrity, "%s",
			         t ? t : "?");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		r->integrity_ok = 0;
		if (r->integrity[0] == '\0')
			snprintf(r->integrity, sizeof r->integrity, "%s",
			         sqlite3_errmsg(s->db));
	}
	store_check_line(r->integrity);
	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st,
	                       NULL) != SQLITE_OK)
		return ls_errf(
		    e,
		    store_err(s, sqlite3_errcode(s->db), "foreign_key_check"),
		    "controle kan niet starten");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->fk_violations++ == 0)
			snprintf(r->fk_first, sizeof r->fk_first,
			         "%s rij %lld -> %s",
			         (const char *)sqlite3_column_text(st, 0),
			         (long long)sqlite3_column_int64(st, 1),
			         (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	/* A check cut short is no verdict: never "in orde" from half a list. */
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "foreign_key_check"),
		               "de controle van %s is afgebroken", s->path);
	if (r->integrity_ok &&
	    ((rc = count_rows(s, SQL_SIGNALS, &r->signals)) != LS_OK ||
	     (rc = count_rows(s, SQL_DOSSIERS, &r->dossiers)) != LS_OK ||
	     (rc = count_rows(s, SQL_CODES, &r->taxonomy_codes)) != LS_OK))
		return ls_errf(e, rc, "kan de inhoud van %s niet tellen",
		               s->path);
	if (!r->integrity_ok || r->fk_violations > 0 ||
	    r->schema_version != r->schema_latest) {
		LS_ERROR("store", "check_failed",
		         "file=%s check=integrity_check detail=\"%s\" "
		         "fk_violations=%llu schema=%d/%d",
		         s->path, r->integrity_ok ? "ok" : r->integrity,
		         (unsigned long long)r->fk_violations,
		         r->schema_version, r->schema_latest);
		/* kept as found: no checkpoint into it when it closes */
		store_note_damaged(s);
		(void)ls_errf(e, LS_ECORRUPT, "de databank %s is niet in orde",
		              s->path);
		return store_stale_wal_hint(s->path, e);
	}
	return LS_OK;
}
