/*
 * The local store: one SQLite database per node (DIR/signaal.db).
 *
 * store_open() opens (or creates) the database, sets the connection up
 * (WAL journal, foreign keys on, busy timeout, secure_delete on, the
 * chosen `synchronous` level), brings the schema up to date by running
 * the migrations in store/schema.c, and loads the taxonomy into memory.
 * A database written by a newer version is refused (LS_ESCHEMA), a file
 * that is not a Lokaal Signaal database too (LS_ECORRUPT).
 *
 * Durability: every function that writes commits before it returns LS_OK
 * (unless the caller opened a transaction with store_tx_begin, in which
 * case store_tx_commit is that moment). With synchronous = FULL (the
 * default) a commit survives a power loss; with NORMAL it survives a
 * crash of the process but the last commits may be lost on power loss.
 *
 * Threads: a struct store is one SQLite connection and must be used by
 * one thread at a time. Several processes may open the same database
 * (WAL: readers never block the writer; writers wait up to the busy
 * timeout and then fail with LS_EBUSY).
 *
 * Every SQL statement of the project lives in store/ and is prepared
 * once per connection and cached.
 */
#ifndef LS_STORE_STORE_H
#define LS_STORE_STORE_H

#include <stdint.h>

#include "common/err.h"
#include "core/config.h"
#include "core/taxonomy.h"

struct store;

/*
 * How much of the database to check when opening or verifying it. Every
 * open of an existing store (create = 0) checks at least that the file
 * is a store of ours (not empty, not foreign) and that its schema is not
 * newer than this build; the levels add to that:
 *
 * NONE    nothing more: only for a further connection of a process that
 *         opened the store with a check already (signaald's threads).
 * HEADER  the start check of a read-only command (signaalctl status,
 *         list, show ...): costs a stat and a 100-byte read. With no WAL
 *         beside it the file must be as long as its header says (a
 *         truncated file is refused); a WAL left behind by a process
 *         that is gone (a crash, or a backup put back without removing
 *         it) raises the check to QUICK, because its pages are read over
 *         the file's. A WAL that another process has open (a running
 *         signaald, which checked the store at its start) is its own.
 * QUICK   HEADER's identity checks and PRAGMA quick_check: every page
 *         and b-tree (signaald's start, signaalctl commands that write).
 *         About 2 s warm, 6 s cold on a store of 1M signals (docs).
 * FULL    PRAGMA integrity_check: also the indexes (signaalctl check;
 *         about 16 s on 1M signals).
 */
enum store_check_level {
	STORE_CHECK_NONE = 0,
	STORE_CHECK_HEADER,
	STORE_CHECK_QUICK,
	STORE_CHECK_FULL,
};

struct store_options {
	/* 1: create the file if it does not exist (signaalctl init only).
	 * Without it an existing file must already be a store: an empty
	 * file is refused (LS_ECORRUPT), never taken as a new store. */
	int create;
	uint8_t check;           /* enum store_check_level, at open */
	uint8_t synchronous;     /* enum ls_synchronous; 0 means FULL */
	int64_t busy_timeout_ms; /* < 0 means the default, 5000 */
};

/* Open the database at path. *out is the caller's (store_close). On
 * failure *e says why in Dutch, naming the file and what to do, and the
 * file (and a WAL beside it) is left exactly as it was.
 * LS_ENOTFOUND (no file and !create), LS_ESCHEMA (newer schema),
 * LS_ECORRUPT (not our database, empty, truncated, or failing the
 * check asked for in opt->check), LS_EIO, LS_ESTORE, LS_ENOMEM. */
int store_open(const char *path, const struct store_options *opt,
               struct store **out, struct ls_errinfo *e);

/*
 * Open the existing store of a node for use: the one start check that
 * signaald and every signaalctl command (except init) go through. Never
 * creates a file; level is HEADER, QUICK or FULL (see above); the
 * connection settings are the node's (synchronous, busy timeout). The
 * results are those of store_open.
 */
int store_open_node(const char *path, const struct ls_config *cfg,
                    enum store_check_level level, struct store **out,
                    struct ls_errinfo *e);

/* Finalize every statement and close; NULL is a no-op. An open
 * transaction is rolled back. */
void store_close(struct store *s);

/* Explicit transactions, for callers that group several writes. begin
 * takes the write lock at once (BEGIN IMMEDIATE), so a transaction never
 * fails half-way for lack of the lock. They do not nest. */
int store_tx_begin(struct store *s);
int store_tx_commit(struct store *s);
void store_tx_rollback(struct store *s);

/* A savepoint inside the open transaction: what follows can be undone
 * alone (rollback) or kept (release) without ending the transaction.
 * Group commit wraps each request in one. They do not nest. */
int store_savepoint(struct store *s);
int store_savepoint_release(struct store *s);
void store_savepoint_rollback(struct store *s);

/* 1 while a transaction is open on this connection, else 0. */
int store_in_tx(struct store *s);

/* The taxonomy as loaded from the database (shared and local codes with
 * their store ids). Valid until the store is closed or the taxonomy
 * changes (store_taxonomy_* functions). */
const struct ls_taxonomy *store_taxonomy(const struct store *s);

/* The schema version of the open database, and the newest this build
 * knows. */
int store_schema_version(struct store *s, int *version);
int store_schema_latest(void);

/* Write the WAL back into the database file and truncate it, so that
 * deleted or blanked content no longer exists in any file of the store.
 * LS_EBUSY if another connection keeps an old snapshot open. */
int store_checkpoint(struct store *s);

/*
 * Check the database of s at `level` (QUICK or FULL) on a connection of
 * its own, so that what is on disk is read (not this connection's page
 * cache). LS_OK; LS_ECORRUPT with *e (Dutch) naming the file, the first
 * problem SQLite found and what to do; LS_EIO, LS_ENOMEM, LS_EBUSY when
 * the check could not run. Any thread (it does not touch s->db unless
 * the store is in memory).
 */
int store_verify(struct store *s, enum store_check_level level,
                 struct ls_errinfo *e);

/* The same for the database file at path (a daemon's worker thread). */
int store_verify_path(const char *path, enum store_check_level level,
                      struct ls_errinfo *e);

/*
 * Whether the store still takes writes: LS_OK, or the code of the last
 * failure that says it does not (LS_EFULL: the disk is full; LS_EIO:
 * the file cannot be written, e.g. read-only or gone; LS_ECORRUPT:
 * SQLite found damage), until a later commit succeeds (damage stays).
 * Any thread.
 */
int store_write_health(const struct store *s);

/* File name of the database (as given to store_open). */
const char *store_path(const struct store *s);

#endif
