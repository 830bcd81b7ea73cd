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

struct store_options {
	int create;              /* 1: create the file if it does not exist */
	uint8_t synchronous;     /* enum ls_synchronous; 0 means FULL */
	int64_t busy_timeout_ms; /* < 0 means the default, 5000 */
};

/* Open the database at path. *out is the caller's (store_close). On
 * failure *e says why in Dutch. LS_ENOTFOUND (no file and !create),
 * LS_ESCHEMA (newer schema), LS_ECORRUPT (not our database), LS_EIO,
 * LS_ESTORE, LS_ENOMEM. */
int store_open(const char *path, const struct store_options *opt,
               struct store **out, struct ls_errinfo *e);

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

/* File name of the database (as given to store_open). */
const char *store_path(const struct store *s);

#endif
