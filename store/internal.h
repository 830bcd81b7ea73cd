/*
 * Internals shared by the store's modules (never included outside
 * store/ and its tests): the connection struct, the statement cache, and
 * SQLite error translation.
 */
#ifndef LS_STORE_INTERNAL_H
#define LS_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/taxonomy.h"
#include "core/signal.h"
#include "store/store.h"

#define STORE_STMT_SLOTS 128
#define STORE_IDPOOL_BYTES 4096

struct store_stmt_slot {
	const char *sql; /* key: the address of a static SQL string */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	int in_tx; /* inside store_tx_begin */
	/* The last failure that says the store cannot take writes (LS_EFULL,
	 * LS_EIO, LS_ECORRUPT; LS_OK when none), set by store_err and
	 * cleared by the next commit; read by store_write_health from any
	 * thread. LS_ECORRUPT is never cleared. */
	_Atomic int write_fail;
	/* Bumped by every write to the feeds on this connection; other
	 * connections' writes show in PRAGMA data_version. */
	uint64_t feed_writes;
	struct ls_taxonomy tax;
	/* tax_by_id[id] -> entry of tax, for decoding rows quickly */
	const struct ls_taxonomy_entry **tax_by_id;
	size_t tax_by_id_n;
	struct store_stmt_slot stmts[STORE_STMT_SLOTS];
	/* Random bytes for signal ids, drawn from libsodium in blocks so
	 * that a bulk import does not make a system call per signal. */
	size_t idpool_pos;
	uint8_t idpool[STORE_IDPOOL_BYTES];
};

/* The cached prepared statement for a static SQL string (compared by
 * address, so pass the same `static const char[]` each time), reset and
 * with its bindings cleared. LS_ESTORE if it does not prepare (a bug). */
int store_stmt(struct store *s, const char *sql, sqlite3_stmt **out);

/* Run SQL without results (schema, pragmas). */
int store_exec(struct store *s, const char *sql);

/* Route SQLite's allocations through common/alloc.h (store/alloc.c);
 * idempotent, called before every sqlite3_open. */
void store_alloc_setup(void);

/* The store was found damaged (a failed check): it takes no writes, and
 * closing it leaves the file and its WAL as they are (no checkpoint). */
void store_note_damaged(struct store *s);

/* A damaged store (LS_ECORRUPT in *e) with a WAL beside it: *e gets a
 * sentence that says to remove the -wal and -shm if a backup was put
 * back (e may be NULL, as for ls_errf). Returns LS_ECORRUPT. */
int store_stale_wal_hint(const char *path, struct ls_errinfo *e);

/* Translate a SQLite result code into LS_E*, logging the original with
 * the connection's message under `what`. */
int store_err(struct store *s, int rc, const char *what);

/* For a message an operator reads: logs SQLite's own (English) message of
 * db (may be NULL) and returns the Dutch description of code. */
const char *store_errmsg_nl(sqlite3 *db, int code);

/*
 * Step st (from store_stmt, bound by the caller) for at most one row and
 * read its first n (1 or 2) columns as integers into out[0..n-1]; no row
 * leaves them 0. st is reset either way. LS_OK, or store_err(what).
 */
int store_one_row(struct store *s, sqlite3_stmt *st, int64_t *out, int n,
                  const char *what);

/*
 * Step st (bound by the caller) through every row, calling row(ctx, st)
 * for each; a non-zero return stops the walk and is returned as is (a
 * visitor's "stop" or an LS_E* code). Every step result is checked: a
 * failed step is store_err(what), never a short list. st is reset.
 */
typedef int (*store_row_cb)(void *ctx, sqlite3_stmt *st);
int store_each_row(struct store *s, sqlite3_stmt *st, store_row_cb row,
                   void *ctx, const char *what);

/* Step a statement that returns no rows; LS_OK on SQLITE_DONE. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);

/* Begin a transaction unless one is open (savepoint semantics for the
 * caller): *owned says whether store_tx_end must finish it. */
int store_tx_enter(struct store *s, int *owned);
/* Commit (rc == LS_OK) or roll back a transaction begun by
 * store_tx_enter when owned; returns rc, or the commit's error. */
int store_tx_end(struct store *s, int owned, int rc);

/* Draw 16 random bytes for a signal id. */
void store_random_id(struct store *s, uint8_t id[16]);

/* Reload the in-memory taxonomy from the database. */
int store_taxonomy_reload(struct store *s, struct ls_errinfo *e);

/* The taxonomy entry with store id `id`, or NULL. */
const struct ls_taxonomy_entry *store_tax_entry(const struct store *s,
                                                int64_t id);

/* Small caches of organisation and reporter ids for bulk inserts
 * (store/signal.c). Only valid inside one transaction. */
struct store_insert_cache;
int store_insert_cache_new(struct store_insert_cache **out);
void store_insert_cache_free(struct store_insert_cache *c);

/* Insert one validated signal inside the caller's transaction: draws an
 * id unless sig->has_id (and writes it into sig->id), finds or creates
 * the organisation and reporter. cache may be NULL. LS_EEXISTS when the
 * id is taken. */
int store_signal_insert_row(struct store *s, struct ls_signal *sig, int64_t now,
                            struct store_insert_cache *cache,
                            struct ls_errinfo *e);

/* Migrations (store/schema.c). */
struct store_migration {
	int version;         /* user_version after this step */
	const char *summary; /* one line, English */
	const char *sql;     /* the step, run in its own transaction */
	int fk_off;          /* 1: run with foreign keys off (table
	                        rebuilds), checked before commit */
};

/* The ordered table of migrations; *n gets its length. */
const struct store_migration *store_schema_migrations(size_t *n);

/* LS_ESCHEMA if the database is newer than this build (reads only). */
int store_schema_check(struct store *s, struct ls_errinfo *e);

/* Bring the schema up to date, one step per transaction. */
int store_schema_migrate(struct store *s, struct ls_errinfo *e);

/* Make a message of quick_check or integrity_check one line (for logs
 * and one-line messages): no "*** in database main ***" header, line
 * breaks become ';', double quotes single. */
void store_check_line(char *text);

/* Seconds since the epoch (UTC). */
int64_t store_now(void);

#endif
