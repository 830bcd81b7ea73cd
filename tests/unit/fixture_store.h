/*
 * Store fixtures for unit tests: a fresh store in a temporary directory
 * with the shipped taxonomy, a content digest of a database (to prove
 * that a failed operation changed nothing), and raw file scans (to prove
 * that erased text is gone from every file of the store).
 */
#ifndef LS_TESTS_UNIT_FIXTURE_STORE_H
#define LS_TESTS_UNIT_FIXTURE_STORE_H

#include <sodium.h>
#include <sqlite3.h>

#include "fixture.h"
#include "store/store.h"
#include "store/taxonomy.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
};

static inline void fx_open(struct fx *f)
{
	struct store_options opt = {.create = 1, .synchronous = LS_SYNC_NORMAL};
	struct ls_errinfo e;
	size_t len;
	char *text;
	fixture_tmpdir(f->dir, sizeof f->dir);
	snprintf(f->path, sizeof f->path, "%s/signaal.db", f->dir);
	if (store_open(f->path, &opt, &f->s, &e) != LS_OK) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		abort();
	}
	text = fixture_read(FIXTURE_TAXONOMY, &len);
	if (text == NULL ||
	    store_taxonomy_load_tsv(f->s, text, len, NULL, NULL, &e) != LS_OK) {
		fprintf(stderr, "taxonomy: %s\n", e.msg);
		abort();
	}
	free(text);
}

static inline void fx_close(struct fx *f)
{
	store_close(f->s);
	f->s = NULL;
	fixture_rmdir(f->dir);
}

/* For test files whose tests share a global `f`: defines it and the
 * cmocka setup and teardown that give each test a fresh store. */
#define FX_GLOBAL_STORE                                                        \
	static struct fx f;                                                    \
	static int setup(void **state)                                         \
	{                                                                      \
		(void)state;                                                   \
		fx_open(&f);                                                   \
		return 0;                                                      \
	}                                                                      \
	static int teardown(void **state)                                      \
	{                                                                      \
		(void)state;                                                   \
		fx_close(&f);                                                  \
		return 0;                                                      \
	}

/* cmocka setup and teardown: a fresh store per test in *state (a
 * struct fx *). */
static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	fx_open(f);
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	fx_close(f);
	free(f);
	return 0;
}

/* BLAKE2b over every row of every table (in name and rowid order) and
 * the schema version: equal digests mean equal content. */
static inline void fx_digest(const char *path, char hex[65])
{
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;
	crypto_generichash_state h;
	unsigned char out[32];
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		abort();
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	sqlite3_prepare_v2(db,
	                   "SELECT name FROM sqlite_schema WHERE type = "
	                   "'table' ORDER BY name",
	                   -1, &tables, NULL);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[256];
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1",
		         name);
		crypto_generichash_update(&h, (const unsigned char *)name,
		                          strlen(name) + 1);
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
			abort();
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const void *b = sqlite3_column_blob(rows, c);
				int n = sqlite3_column_bytes(rows, c);
				unsigned char t =
				    (unsigned char)sqlite3_column_type(rows, c);
				crypto_generichash_update(&h, &t, 1);
				if (b != NULL)
					crypto_generichash_update(
					    &h, b, (unsigned long long)n);
			}
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &rows, NULL);
	if (sqlite3_step(rows) == SQLITE_ROW) {
		int v = sqlite3_column_int(rows, 0);
		crypto_generichash_update(&h, (const unsigned char *)&v,
		                          sizeof v);
	}
	sqlite3_finalize(rows);
	sqlite3_close(db);
	crypto_generichash_final(&h, out, sizeof out);
	sodium_bin2hex(hex, 65, out, sizeof out);
}

/* 1 if `needle` occurs in the file at path (missing file: 0). */
static inline int fx_file_contains(const char *path, const char *needle)
{
	size_t len, n = strlen(needle);
	char *buf = fixture_read(path, &len);
	int found = 0;
	if (buf == NULL)
		return 0;
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

/* 1 if needle occurs in the database or its -wal or -journal files. */
static inline int fx_store_files_contain(const char *db, const char *needle)
{
	char side[160];
	int found = fx_file_contains(db, needle);
	snprintf(side, sizeof side, "%s-wal", db);
	found |= fx_file_contains(side, needle);
	snprintf(side, sizeof side, "%s-journal", db);
	found |= fx_file_contains(side, needle);
	return found;
}

#endif
