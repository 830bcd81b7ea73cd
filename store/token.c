/*
 * API token rows. Adding checks the description (core/token.h) before
 * the insert; reading decodes a row into fixed buffers, refusing rows
 * whose blobs have the wrong size (a damaged store must not authenticate
 * anyone). Revoking is an UPDATE that only touches active tokens, so a
 * second revoke changes nothing and says so.
 */
#include "store/token.h"
#include "common/text.h"
#include "store/internal.h"

#include <string.h>

static const char SQL_ADD[] =
    "INSERT INTO api_token (token_id, hash, role, organisation, person, "
    "label, created_by, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_GET[] =
    "SELECT token_id, hash, role, organisation, person, label, created_by, "
    "created_at, expires_at, revoked_at FROM api_token WHERE token_id = ?";
static const char SQL_LIST[] =
    "SELECT token_id, hash, role, organisation, person, label, created_by, "
    "created_at, expires_at, revoked_at FROM api_token "
    "WHERE ?1 OR revoked_at IS NULL ORDER BY id";
static const char SQL_REVOKE[] = "UPDATE api_token SET revoked_at = ?2 "
                                 "WHERE token_id = ?1 AND revoked_at IS NULL";
static const char SQL_EXISTS[] = "SELECT 1 FROM api_token WHERE token_id = ?";

static void bind_opt(sqlite3_stmt *st, int col, const char *text)
{
	if (text[0] != '\0')
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

int store_token_add(struct store *s, const struct store_token *t,
                    struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int rc;
	char actor[LS_TOKEN_ACTOR_MAX + 1];

	if ((rc = ls_token_check(t->role, t->organisation, t->person, t->label,
	                         e)) != LS_OK)
		return rc;
	if (memchr(t->created_by, '\0', sizeof t->created_by) == NULL)
		return ls_errf(e, LS_EINVAL, "ongeldige naam van de maker");
	if ((rc = ls_text_check("de naam van wie het token maakt",
	                        t->created_by, sizeof t->created_by - 1, 0, 0,
	                        e)) != LS_OK)
		return rc;
	ls_strlcpy(actor, t->created_by, sizeof actor);
	if ((rc = store_stmt(s, SQL_ADD, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_blob(st, 1, t->id, LS_TOKEN_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, t->hash, LS_TOKEN_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, t->role);
	bind_opt(st, 4, t->organisation);
	bind_opt(st, 5, t->person);
	bind_opt(st, 6, t->label);
	bind_opt(st, 7, actor);
	sqlite3_bind_int64(st, 8, t->created_at);
	if (t->expires_at > 0)
		sqlite3_bind_int64(st, 9, t->expires_at);
	rc = store_step_done(s, st, "token_add");
	if (rc == LS_EEXISTS)
		return ls_errf(e, rc, "er bestaat al een token met deze id");
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan het token niet bewaren");
	return LS_OK;
}

static void column_copy(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	out[0] = '\0';
	if (t != NULL && n > 0 && (size_t)n < size) {
		memcpy(out, t, (size_t)n);
		out[n] = '\0';
	}
}

static int decode_row(sqlite3_stmt *st, struct store_token *t)
{
	memset(t, 0, sizeof *t);
	if (sqlite3_column_bytes(st, 0) != LS_TOKEN_ID_BYTES ||
	    sqlite3_column_bytes(st, 1) != LS_TOKEN_HASH_BYTES)
		return LS_ECORRUPT;
	memcpy(t->id, sqlite3_column_blob(st, 0), LS_TOKEN_ID_BYTES);
	memcpy(t->hash, sqlite3_column_blob(st, 1), LS_TOKEN_HASH_BYTES);
	t->role = (uint8_t)sqlite3_column_int(st, 2);
	column_copy(st, 3, t->organisation, sizeof t->organisation);
	column_copy(st, 4, t->person, sizeof t->person);
	column_copy(st, 5, t->label, sizeof t->label);
	column_copy(st, 6, t->created_by, sizeof t->created_by);
	t->created_at = sqlite3_column_int64(st, 7);
	t->expires_at = sqlite3_column_int64(st, 8);
	t->revoked_at = sqlite3_column_int64(st, 9);
	/* A row that would decode differently from what was stored (a
	 * text over its limit) is refused rather than truncated. */
	if ((size_t)sqlite3_column_bytes(st, 3) >= sizeof t->organisation ||
	    (size_t)sqlite3_column_bytes(st, 4) >= sizeof t->person ||
	    ls_token_check(t->role, t->organisation, t->person, NULL, NULL) !=
	        LS_OK)
		return LS_ECORRUPT;
	return LS_OK;
}

int store_token_get(struct store *s, const uint8_t id[LS_TOKEN_ID_BYTES],
                    struct store_token *out)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = store_stmt(s, SQL_GET, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, id, LS_TOKEN_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = decode_row(st, out);
	else if (rc == SQLITE_DONE)
		rc = LS_ENOTFOUND;
	else
		rc = store_err(s, rc, "token_get");
	sqlite3_reset(st);
	return rc;
}

int store_token_list(struct store *s, int include_revoked,
                     int (*cb)(void *ctx, const struct store_token *t),
                     void *ctx)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = store_stmt(s, SQL_LIST, &st)) != LS_OK)
		return rc;
	sqlite3_bind_int(st, 1, include_revoked ? 1 : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_token t;
		int stop;
		if (decode_row(st, &t) != LS_OK) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		if ((stop = cb(ctx, &t)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "token_list");
}

int store_token_revoke(struct store *s, const uint8_t id[LS_TOKEN_ID_BYTES],
                       int64_t at, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	char hex[LS_TOKEN_ID_HEX_SIZE];
	int rc;
	ls_token_id_format(id, hex);
	if ((rc = store_stmt(s, SQL_REVOKE, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_blob(st, 1, id, LS_TOKEN_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	if ((rc = store_step_done(s, st, "token_revoke")) != LS_OK)
		return ls_errf(e, rc, "kan het token niet intrekken");
	if (sqlite3_changes(s->db) == 1)
		return LS_OK;
	if ((rc = store_stmt(s, SQL_EXISTS, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_blob(st, 1, id, LS_TOKEN_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return ls_errf(e, LS_ESTATE, "token %s is al ingetrokken", hex);
	if (rc == SQLITE_DONE)
		return ls_errf(e, LS_ENOTFOUND, "geen token met id %s", hex);
	return ls_errf(e, store_err(s, rc, "token_exists"),
	               "kan het token niet lezen");
}
