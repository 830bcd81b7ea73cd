/*
 * Backup and consistency check of the store.
 *
 * store_backup copies the live database with SQLite's online backup API,
 * a few pages at a time, so it is safe while other processes read and
 * write (a write during the copy restarts it from the changed state; the
 * copy is always one consistent snapshot). The copy is written to a
 * temporary file beside the target (mode 0600 from the first byte),
 * checked (integrity_check), synced, and linked into place: FILE either
 * does not exist or is a complete, self-contained database (rollback
 * journal mode, no -wal needed), readable by its owner only.
 */
#ifndef LS_STORE_BACKUP_H
#define LS_STORE_BACKUP_H

#include <stdint.h>

#include "common/err.h"

struct store;

/* Copy the store to path, which must not exist (LS_EEXISTS). *pages
 * (may be NULL) gets the page count. LS_EIO, LS_EFULL, LS_EBUSY,
 * LS_ECORRUPT. */
int store_backup(struct store *s, const char *path, int64_t *pages,
                 struct ls_errinfo *e);

struct store_check_report {
	int schema_version;     /* of the database */
	int schema_latest;      /* this build */
	int integrity_ok;       /* PRAGMA integrity_check said "ok" */
	char integrity[256];    /* its first message otherwise */
	uint64_t fk_violations; /* rows PRAGMA foreign_key_check lists */
	char fk_first[128];     /* "table rowid -> parent" of the first */
	uint64_t signals;
	uint64_t dossiers;
	uint64_t taxonomy_codes;
};

/* Run the checks. LS_OK when everything is consistent, LS_ECORRUPT
 * otherwise (details in *r); other codes when the checks could not run. */
int store_check(struct store *s, struct store_check_report *r,
                struct ls_errinfo *e);

#endif
