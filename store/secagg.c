/*
 * Secure-aggregation round state (see secagg.h). Plain rows; every
 * statement's result is checked, a row that does not decode (a blob of
 * the wrong length, a period that does not parse) is LS_ECORRUPT.
 */
#include "store/secagg.h"

#include "store/internal.h"

#include <string.h>

static const char SQL_ROUND_PUT[] =
    "INSERT INTO secagg_round (period, attempt, round, open, keyset, close,"
    " state, fedsum_seq, started, ended, n_invited, n_included, n_dropped)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT (period, attempt) DO UPDATE SET"
    " keyset = coalesce(keyset, excluded.keyset),"
    " close = coalesce(close, excluded.close),"
    " state = excluded.state, fedsum_seq = excluded.fedsum_seq,"
    " ended = excluded.ended, n_invited = excluded.n_invited,"
    " n_included = excluded.n_included, n_dropped = excluded.n_dropped"
    " WHERE round = excluded.round";
static const char SQL_ROUND_CHECK[] =
    "SELECT (round = ?3)"
    " AND (keyset IS NULL OR ?4 IS NULL OR keyset = ?4)"
    " AND (close IS NULL OR ?5 IS NULL OR close = ?5)"
    " FROM secagg_round WHERE period = ?1 AND attempt = ?2";
static const char SQL_ROUND_LIST[] =
    "SELECT period, attempt, round, open, keyset, close, state, fedsum_seq,"
    " started, ended, n_invited, n_included, n_dropped FROM secagg_round"
    " ORDER BY period, attempt";
static const char SQL_MSG_GET[] =
    "SELECT msg FROM secagg_msg WHERE round = ?1 AND type = ?2"
    " AND member = ?3";
static const char SQL_MSG_PUT[] =
    "INSERT INTO secagg_msg (round, member, type, at, msg)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_MSG_LIST[] =
    "SELECT member, type, at, msg FROM secagg_msg WHERE round = ?1"
    " ORDER BY type, member";
static const char SQL_REVEALED_GET[] =
    "SELECT close FROM secagg_revealed WHERE round = ?1";
static const char SQL_REVEALED_PUT[] =
    "INSERT INTO secagg_revealed (round, close, at) VALUES (?1, ?2, ?3)";

static void bind_opt_blob(sqlite3_stmt *st, int col, const uint8_t *b,
                          size_t len)
{
	if (b != NULL && len > 0)
		sqlite3_bind_blob(st, col, b, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* A held row with another round id, key set or close: LS_EEXISTS. */
static int round_conflict(struct store *s, const struct store_secagg_round *r,
                          const char *period)
{
	sqlite3_stmt *st;
	int64_t same = 1;
	int rc;

	if ((rc = store_stmt(s, SQL_ROUND_CHECK, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->attempt);
	sqlite3_bind_blob(st, 3, r->round, STORE_SECAGG_ID_BYTES,
	                  SQLITE_STATIC);
	bind_opt_blob(st, 4, r->keyset, r->keyset_len);
	bind_opt_blob(st, 5, r->close, r->close_len);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		same = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		rc = store_err(s, rc, "secagg_round_check");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return same ? LS_OK : LS_EEXISTS;
}

int store_secagg_round_put(struct store *s, const struct store_secagg_round *r)
{
	char period[LS_PERIOD_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (r->open == NULL || r->open_len == 0 || r->attempt < 1 ||
	    r->attempt > 16 || r->state < STORE_SECAGG_RUNNING ||
	    r->state > STORE_SECAGG_ABANDONED)
		return LS_EINVAL;
	ls_period_format(&r->period, period);
	if ((rc = round_conflict(s, r, period)) != LS_OK)
		return rc;
	if ((rc = store_stmt(s, SQL_ROUND_PUT, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->attempt);
	sqlite3_bind_blob(st, 3, r->round, STORE_SECAGG_ID_BYTES,
	                  SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, r->open, (int)r->open_len, SQLITE_STATIC);
	bind_opt_blob(st, 5, r->keyset, r->keyset_len);
	bind_opt_blob(st, 6, r->close, r->close_len);
	sqlite3_bind_int(st, 7, r->state);
	sqlite3_bind_int64(st, 8, (int64_t)r->fedsum_seq);
	sqlite3_bind_int64(st, 9, r->started);
	sqlite3_bind_int64(st, 10, r->ended);
	sqlite3_bind_int64(st, 11, r->n_invited);
	sqlite3_bind_int64(st, 12, r->n_included);
	sqlite3_bind_int64(st, 13, r->n_dropped);
	return store_step_done(s, st, "secagg_round_put");
}

static int round_row(sqlite3_stmt *st, struct store_secagg_round *r)
{
	const char *period = (const char *)sqlite3_column_text(st, 0);

	memset(r, 0, sizeof *r);
	if (period == NULL || ls_period_parse(period, &r->period) != LS_OK ||
	    sqlite3_column_bytes(st, 2) != STORE_SECAGG_ID_BYTES)
		return LS_ECORRUPT;
	r->attempt = (uint32_t)sqlite3_column_int64(st, 1);
	memcpy(r->round, sqlite3_column_blob(st, 2), STORE_SECAGG_ID_BYTES);
	r->open = sqlite3_column_blob(st, 3);
	r->open_len = (size_t)sqlite3_column_bytes(st, 3);
	r->keyset = sqlite3_column_blob(st, 4);
	r->keyset_len = (size_t)sqlite3_column_bytes(st, 4);
	r->close = sqlite3_column_blob(st, 5);
	r->close_len = (size_t)sqlite3_column_bytes(st, 5);
	r->state = sqlite3_column_int(st, 6);
	r->fedsum_seq = (uint64_t)sqlite3_column_int64(st, 7);
	r->started = sqlite3_column_int64(st, 8);
	r->ended = sqlite3_column_int64(st, 9);
	r->n_invited = (uint32_t)sqlite3_column_int64(st, 10);
	r->n_included = (uint32_t)sqlite3_column_int64(st, 11);
	r->n_dropped = (uint32_t)sqlite3_column_int64(st, 12);
	if (r->open == NULL || r->open_len == 0)
		return LS_ECORRUPT;
	return LS_OK;
}

int store_secagg_round_list(struct store *s,
                            int (*cb)(void *ctx,
                                      const struct store_secagg_round *r),
                            void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, SQL_ROUND_LIST, &st)) != LS_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_secagg_round r;
		int stop;
		if (round_row(st, &r) != LS_OK) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		if ((stop = cb(ctx, &r)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK
	                         : store_err(s, rc, "secagg_round_list");
}

int store_secagg_msg_put(struct store *s,
                         const uint8_t round[STORE_SECAGG_ID_BYTES],
                         const char *member, int type, int64_t at,
                         const uint8_t *msg, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (msg == NULL || len == 0 || len > INT32_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, SQL_MSG_GET, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, round, STORE_SECAGG_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, type);
	sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = (size_t)sqlite3_column_bytes(st, 0) == len &&
		           memcmp(sqlite3_column_blob(st, 0), msg, len) == 0;
		sqlite3_reset(st);
		return same ? LS_OK : LS_EEXISTS;
	}
	if (rc != SQLITE_DONE) {
		rc = store_err(s, rc, "secagg_msg_get");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	if ((rc = store_stmt(s, SQL_MSG_PUT, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, round, STORE_SECAGG_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, type);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_blob(st, 5, msg, (int)len, SQLITE_STATIC);
	return store_step_done(s, st, "secagg_msg_put");
}

int store_secagg_msg_list(struct store *s,
                          const uint8_t round[STORE_SECAGG_ID_BYTES],
                          int (*cb)(void *ctx, const char *member, int type,
                                    int64_t at, const uint8_t *msg,
                                    size_t len),
                          void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, SQL_MSG_LIST, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, round, STORE_SECAGG_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *member = (const char *)sqlite3_column_text(st, 0);
		const uint8_t *msg = sqlite3_column_blob(st, 3);
		int n = sqlite3_column_bytes(st, 3), stop;
		if (member == NULL || msg == NULL || n <= 0) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		stop = cb(ctx, member, sqlite3_column_int(st, 1),
		          sqlite3_column_int64(st, 2), msg, (size_t)n);
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "secagg_msg_list");
}

int store_secagg_revealed_get(struct store *s,
                              const uint8_t round[STORE_SECAGG_ID_BYTES],
                              uint8_t close_hash[32])
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, SQL_REVEALED_GET, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, round, STORE_SECAGG_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32)
			rc = LS_ECORRUPT;
		else {
			memcpy(close_hash, sqlite3_column_blob(st, 0), 32);
			rc = LS_OK;
		}
	} else if (rc == SQLITE_DONE) {
		rc = LS_ENOTFOUND;
	} else {
		rc = store_err(s, rc, "secagg_revealed_get");
	}
	sqlite3_reset(st);
	return rc;
}

int store_secagg_revealed_put(struct store *s,
                              const uint8_t round[STORE_SECAGG_ID_BYTES],
                              const uint8_t close_hash[32], int64_t at)
{
	uint8_t held[32];
	sqlite3_stmt *st;
	int rc = store_secagg_revealed_get(s, round, held);

	if (rc == LS_OK)
		return memcmp(held, close_hash, 32) == 0 ? LS_OK : LS_EEXISTS;
	if (rc != LS_ENOTFOUND)
		return rc;
	if ((rc = store_stmt(s, SQL_REVEALED_PUT, &st)) != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, round, STORE_SECAGG_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, close_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	return store_step_done(s, st, "secagg_revealed_put");
}
