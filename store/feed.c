/*
 * Feeds and forks (see feed.h for the rules).
 *
 * feed_doc holds the envelopes; feed_head keeps each origin's head so that
 * the version vector costs one row per origin, not a scan of every
 * document. Both change only together, in one transaction, in
 * store_feed_append and store_fork_resolve. An append checks, in order:
 * is this (origin, seq) held already (same hash: EEXISTS, else EFORK), is
 * the origin quarantined (EDENIED), is it the next document (ECHAIN).
 * The head and the quarantine are read in one statement: a feed holds
 * seq 1..head, so only a seq at or below the head is looked up. A caller
 * that made these checks itself in its own transaction (node/ingest,
 * once per page and origin) skips them: store_feed_append_checked; the
 * two writes and the UNIQUE (origin, seq) constraint stay. A caller that
 * holds its checked appends back until a page is done hands them over
 * at once (store_feed_append_checked_n): multi-row inserts, and each
 * origin's head moved once.
 */
#include "store/feed.h"
#include "store/internal.h"

#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

static const uint8_t zero_hash[LS_HASH_BYTES];

static int origin_ok(const char *origin)
{
	return origin != NULL &&
	       ls_node_id_valid(origin, strnlen(origin, LS_NODE_ID_SIZE));
}

static void meta_read(sqlite3_stmt *st, int col, struct store_doc_meta *m)
{
	const void *hash = sqlite3_column_blob(st, col + 3);
	const void *prev = sqlite3_column_blob(st, col + 4);
	memset(m, 0, sizeof *m);
	snprintf(m->origin, sizeof m->origin, "%s",
	         (const char *)sqlite3_column_text(st, col));
	m->seq = (uint64_t)sqlite3_column_int64(st, col + 1);
	m->type = (uint8_t)sqlite3_column_int(st, col + 2);
	/* The schema CHECKs both lengths, so the copies are exact. */
	if (hash != NULL)
		memcpy(m->hash, hash, LS_HASH_BYTES);
	if (prev != NULL)
		memcpy(m->prev, prev, LS_HASH_BYTES);
	m->created = sqlite3_column_int64(st, col + 5);
	m->received_at = sqlite3_column_int64(st, col + 6);
	m->uncounted = (uint64_t)sqlite3_column_int64(st, col + 7);
}

/* The columns meta_read expects, then the envelope. */
#define META_COLS                                                              \
	"origin, seq, type, hash, prev, created, received_at, uncounted"
#define ENVELOPE_COL 8

/* Run a prepared query and hand each row (meta + envelope at
 * ENVELOPE_COL) to cb. */
static int walk_docs(struct store *s, sqlite3_stmt *st, store_doc_cb cb,
                     void *arg, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_doc_meta m;
		int stop;
		meta_read(st, 0, &m);
		stop = cb(arg, &m, sqlite3_column_blob(st, ENVELOPE_COL),
		          (size_t)sqlite3_column_bytes(st, ENVELOPE_COL));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, what);
}

int store_feed_head(struct store *s, const char *origin, uint64_t *seq,
                    uint8_t hash[LS_HASH_BYTES])
{
	static const char sql[] =
	    "SELECT seq, hash FROM feed_head WHERE origin = ?";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin))
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), LS_HASH_BYTES);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		memset(hash, 0, LS_HASH_BYTES);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "feed_head");
}

int store_fork_quarantined(struct store *s, const char *origin,
                           int *quarantined)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM feed_fork "
	                          "WHERE origin = ? AND resolved_at IS NULL)";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin))
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*quarantined = sqlite3_column_int(st, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "fork_quarantined");
}

/* LS_OK if nothing is held at (origin, seq), LS_EEXISTS if the same
 * document is, LS_EFORK if another one is. */
static int held_at(struct store *s, const struct store_doc_meta *m)
{
	static const char sql[] =
	    "SELECT hash FROM feed_doc WHERE origin = ? AND seq = ?";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, m->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = memcmp(sqlite3_column_blob(st, 0), m->hash,
		                  LS_HASH_BYTES) == 0;
		sqlite3_reset(st);
		return same ? LS_EEXISTS : LS_EFORK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "feed_held");
}

/* What an append must know of the origin, in one statement: its head
 * (seq 0 and the zero hash when none) and whether it is quarantined. */
static int origin_state(struct store *s, const char *origin, uint64_t *head_seq,
                        uint8_t head_hash[LS_HASH_BYTES], int *quarantined)
{
	static const char sql[] =
	    "SELECT h.seq, h.hash, EXISTS (SELECT 1 FROM feed_fork f "
	    "WHERE f.origin = ?1 AND f.resolved_at IS NULL) "
	    "FROM (SELECT 1) LEFT JOIN feed_head h ON h.origin = ?1";
	sqlite3_stmt *st;
	int rc;

	*head_seq = 0;
	memset(head_hash, 0, LS_HASH_BYTES);
	*quarantined = 0;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *hash = sqlite3_column_blob(st, 1);
		*head_seq = (uint64_t)sqlite3_column_int64(st, 0);
		/* The schema CHECKs the length: the copy is exact. */
		if (hash != NULL)
			memcpy(head_hash, hash, LS_HASH_BYTES);
		*quarantined = sqlite3_column_int(st, 2);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "feed_origin");
}

/* The inserts: one row, or RUN_ROWS rows in one statement (a run of
 * checked appends, store_feed_append_checked_n). One statement for 16
 * documents costs less than half of 16 single inserts (SQLite 3.40,
 * callgrind: about 12.9k against 28.5k instructions a document with the
 * head moved once per run; docs/PERFORMANCE.md). */
#define RUN_ROWS 16
#define ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define ROW_PARAMS 10
#define ROWS4 ROW ", " ROW ", " ROW ", " ROW
#define INSERT_DOC                                                             \
	"INSERT INTO feed_doc (" META_COLS ", size, envelope) VALUES "
static const char sql_insert[] = INSERT_DOC ROW;
static const char sql_insert_run[] =
    INSERT_DOC ROWS4 ", " ROWS4 ", " ROWS4 ", " ROWS4;
static const char sql_head[] =
    "INSERT INTO feed_head (origin, seq, hash) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (origin) DO UPDATE SET seq = ?2, hash = ?3";

/* Bind one document's row at parameter base + 1 .. base + ROW_PARAMS. */
static void bind_row(sqlite3_stmt *st, int base, const struct store_doc_meta *m,
                     const uint8_t *envelope, size_t len, int64_t now)
{
	sqlite3_bind_text(st, base + 1, m->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 2, (sqlite3_int64)m->seq);
	sqlite3_bind_int(st, base + 3, m->type);
	sqlite3_bind_blob(st, base + 4, m->hash, LS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, base + 5, m->prev, LS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, base + 6, m->created);
	sqlite3_bind_int64(st, base + 7, now);
	sqlite3_bind_int64(st, base + 8, (sqlite3_int64)m->uncounted);
	sqlite3_bind_int64(st, base + 9, (sqlite3_int64)len);
	sqlite3_bind_blob(st, base + 10, envelope, (int)len, SQLITE_STATIC);
}

/* Move origin's head to (seq, hash). */
static int head_set(struct store *s, const char *origin, uint64_t seq,
                    const uint8_t hash[LS_HASH_BYTES])
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql_head, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_blob(st, 3, hash, LS_HASH_BYTES, SQLITE_STATIC);
	return store_step_done(s, st, "feed_head_set");
}

/* The checks in the order the file comment gives (unless the caller
 * made them: `checked`, store_feed_append_checked). A feed's documents
 * are seq 1..head (the head moves only with an append or a fork's
 * resolution), so only a seq at or below the head can be held. */
static int append_in_tx(struct store *s, const struct store_doc_meta *m,
                        const uint8_t *envelope, size_t len, int checked)
{
	uint8_t head_hash[LS_HASH_BYTES];
	uint64_t head_seq;
	int quarantined, rc;
	sqlite3_stmt *st;

	if (!checked) {
		if ((rc = origin_state(s, m->origin, &head_seq, head_hash,
		                       &quarantined)) != LS_OK)
			return rc;
		if (m->seq <= head_seq && (rc = held_at(s, m)) != LS_OK)
			return rc;
		if (quarantined)
			return LS_EDENIED;
		if (m->seq != head_seq + 1 ||
		    memcmp(m->prev, head_seq == 0 ? zero_hash : head_hash,
		           LS_HASH_BYTES) != 0)
			return LS_ECHAIN;
	}

	if ((rc = store_stmt(s, sql_insert, &st)) != LS_OK)
		return rc;
	bind_row(st, 0, m, envelope, len, store_now());
	if ((rc = store_step_done(s, st, "feed_insert")) != LS_OK)
		return rc;
	return head_set(s, m->origin, m->seq, m->hash);
}

/* The arguments every append takes. */
static int append_args_ok(const struct store_doc_meta *m,
                          const uint8_t *envelope, size_t len)
{
	return origin_ok(m->origin) && m->seq != 0 &&
	       m->seq <= (uint64_t)INT64_MAX && m->type != 0 &&
	       envelope != NULL && len != 0 && len <= STORE_FEED_ENVELOPE_MAX;
}

/* Both appends: the arguments, then the checks (unless `checked`) and
 * the two writes in a transaction. */
static int append(struct store *s, const struct store_doc_meta *m,
                  const uint8_t *envelope, size_t len, int checked)
{
	int owned, rc;

	if (!append_args_ok(m, envelope, len))
		return LS_EINVAL;
	/* The caller's checks hold only inside the transaction that made
	 * them. */
	if (checked && !store_in_tx(s))
		return LS_ESTATE;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return rc;
	rc = append_in_tx(s, m, envelope, len, checked);
	if (rc == LS_OK)
		s->feed_writes++;
	/* EEXISTS, EFORK, ECHAIN and EDENIED changed nothing: end the
	 * transaction as a rollback, which is also a no-op. */
	return store_tx_end(s, owned, rc);
}

int store_feed_append(struct store *s, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len)
{
	return append(s, m, envelope, len, 0);
}

int store_feed_append_checked(struct store *s, const struct store_doc_meta *m,
                              const uint8_t *envelope, size_t len)
{
	return append(s, m, envelope, len, 1);
}

/* A run's arguments, and that each document follows the one of its
 * origin before it in the run (the nearest: a run is mostly one origin). */
static int run_ok(const struct store_feed_new *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct store_doc_meta *m = &docs[i].m;
		if (!append_args_ok(m, docs[i].envelope, docs[i].len))
			return LS_EINVAL;
		for (size_t j = i; j-- > 0;) {
			const struct store_doc_meta *p = &docs[j].m;
			if (strcmp(p->origin, m->origin) != 0)
				continue;
			if (m->seq != p->seq + 1 ||
			    memcmp(m->prev, p->hash, LS_HASH_BYTES) != 0)
				return LS_EINTERNAL;
			break;
		}
	}
	return LS_OK;
}

/* The rows of docs[0..n) (n is 1 or RUN_ROWS) in one statement. */
static int insert_rows(struct store *s, const struct store_feed_new *docs,
                       size_t n, int64_t now)
{
	sqlite3_stmt *st;
	int rc =
	    store_stmt(s, n == RUN_ROWS ? sql_insert_run : sql_insert, &st);
	if (rc != LS_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		bind_row(st, (int)(ROW_PARAMS * i), &docs[i].m,
		         docs[i].envelope, docs[i].len, now);
	return store_step_done(s, st, "feed_insert");
}

int store_feed_append_checked_n(struct store *s,
                                const struct store_feed_new *docs, size_t n)
{
	int64_t now = store_now();
	size_t i;
	int rc;

	if (n == 0)
		return LS_OK;
	if (!store_in_tx(s))
		return LS_ESTATE;
	if ((rc = run_ok(docs, n)) != LS_OK)
		return rc;
	for (i = 0; i + RUN_ROWS <= n; i += RUN_ROWS)
		if ((rc = insert_rows(s, &docs[i], RUN_ROWS, now)) != LS_OK)
			return rc;
	for (; i < n; i++)
		if ((rc = insert_rows(s, &docs[i], 1, now)) != LS_OK)
			return rc;
	/* Each origin's head: its last document in the run (an origin
	 * that comes back later in the run is moved again, further). */
	for (i = 0; i < n; i++) {
		const struct store_doc_meta *m = &docs[i].m;
		if (i + 1 < n && strcmp(docs[i + 1].m.origin, m->origin) == 0)
			continue;
		if ((rc = head_set(s, m->origin, m->seq, m->hash)) != LS_OK)
			return rc;
	}
	s->feed_writes += n;
	return LS_OK;
}

int store_feed_get(struct store *s, const char *origin, uint64_t seq,
                   struct store_doc_meta *m, uint8_t **envelope, size_t *len)
{
	static const char sql[] = "SELECT " META_COLS ", envelope FROM "
	                          "feed_doc WHERE origin = ? AND seq = ?";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin) || seq > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? LS_ENOTFOUND
		                         : store_err(s, rc, "feed_get");
	}
	if (m != NULL)
		meta_read(st, 0, m);
	if (envelope != NULL) {
		size_t n = (size_t)sqlite3_column_bytes(st, ENVELOPE_COL);
		uint8_t *copy = ls_malloc(n);
		if (copy == NULL) {
			sqlite3_reset(st);
			return LS_ENOMEM;
		}
		memcpy(copy, sqlite3_column_blob(st, ENVELOPE_COL), n);
		*envelope = copy;
		*len = n;
	}
	sqlite3_reset(st);
	return LS_OK;
}

int store_feed_vector(struct store *s, store_vv_cb cb, void *arg)
{
	static const char sql[] =
	    "SELECT h.origin, h.seq, h.hash, EXISTS (SELECT 1 FROM feed_fork f "
	    "WHERE f.origin = h.origin AND f.resolved_at IS NULL) "
	    "FROM feed_head h ORDER BY h.origin";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop =
		    cb(arg, (const char *)sqlite3_column_text(st, 0),
		       (uint64_t)sqlite3_column_int64(st, 1),
		       sqlite3_column_blob(st, 2), sqlite3_column_int(st, 3));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "feed_vector");
}

int store_feed_page(struct store *s, const char *origin, uint64_t from,
                    uint64_t to, size_t max_docs, size_t max_bytes,
                    store_doc_cb cb, void *arg, int *more)
{
	/* Sizes come from their own column, so the walk decides where the
	 * page ends before it reads an envelope it will not send. */
	static const char sql[] =
	    "SELECT " META_COLS ", size FROM feed_doc "
	    "WHERE origin = ?1 AND seq >= ?2 AND seq <= ?3 "
	    "ORDER BY seq";
	static const char sql_env[] =
	    "SELECT envelope FROM feed_doc WHERE origin = ? AND seq = ?";
	sqlite3_stmt *st, *env;
	size_t docs = 0, bytes = 0;
	int rc;

	*more = 0;
	if (!origin_ok(origin) || from == 0 || from > (uint64_t)INT64_MAX ||
	    (to != 0 && to < from) || max_docs == 0)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3,
	                   to == 0 || to > (uint64_t)INT64_MAX
	                       ? INT64_MAX
	                       : (sqlite3_int64)to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_doc_meta m;
		size_t size = (size_t)sqlite3_column_int64(st, ENVELOPE_COL);
		int stop;
		if (docs == max_docs ||
		    (docs > 0 && bytes + size > max_bytes)) {
			*more = 1;
			rc = SQLITE_DONE;
			break;
		}
		meta_read(st, 0, &m);
		if ((rc = store_stmt(s, sql_env, &env)) != LS_OK) {
			sqlite3_reset(st);
			return rc;
		}
		sqlite3_bind_text(env, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(env, 2, (sqlite3_int64)m.seq);
		if ((rc = sqlite3_step(env)) != SQLITE_ROW) {
			sqlite3_reset(env);
			sqlite3_reset(st);
			return store_err(s, rc, "feed_page_envelope");
		}
		stop = cb(arg, &m, sqlite3_column_blob(env, 0),
		          (size_t)sqlite3_column_bytes(env, 0));
		sqlite3_reset(env);
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
		docs++;
		bytes += size;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "feed_page");
}

/* The documents of a type (0: any) and origin ("": any) made at or
 * after created_from, in (origin, seq) order. */
static int list_docs(struct store *s, uint8_t type, const char *origin,
                     int64_t created_from, store_doc_cb cb, void *arg)
{
	static const char sql[] =
	    "SELECT " META_COLS ", envelope FROM feed_doc "
	    "WHERE (?1 = 0 OR type = ?1) AND (?2 = '' OR origin = ?2) "
	    "AND created >= ?3 ORDER BY origin, seq";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int(st, 1, type);
	sqlite3_bind_text(st, 2, origin ? origin : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created_from);
	return walk_docs(s, st, cb, arg, "feed_list");
}

int store_feed_list(struct store *s, uint8_t type, const char *origin,
                    store_doc_cb cb, void *arg)
{
	return list_docs(s, type, origin, INT64_MIN, cb, arg);
}

int store_feed_list_since(struct store *s, uint8_t type, int64_t created_from,
                          store_doc_cb cb, void *arg)
{
	return list_docs(s, type, NULL, created_from, cb, arg);
}

int store_feed_latest(struct store *s, uint8_t type, store_doc_cb cb, void *arg)
{
	/* One lookup per origin (feed_head is small; the max per origin
	 * comes from the feed_doc_type index), rather than one subquery per
	 * document of the type: the association holds a status document per
	 * node per hour, millions after a year. CROSS JOIN keeps feed_head
	 * the outer loop. */
	static const char sql[] =
	    "SELECT d.origin, d.seq, d.type, d.hash, d.prev, d.created, "
	    "d.received_at, d.uncounted, d.envelope "
	    "FROM feed_head h CROSS JOIN feed_doc d "
	    "WHERE d.origin = h.origin AND d.seq = (SELECT max(x.seq) FROM "
	    "feed_doc x WHERE x.origin = h.origin AND x.type = ?1) "
	    "ORDER BY h.origin";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int(st, 1, type);
	return walk_docs(s, st, cb, arg, "feed_latest");
}

int store_feed_set_uncounted(struct store *s, const char *origin, uint64_t seq,
                             uint64_t policy_seq)
{
	static const char sql[] =
	    "UPDATE feed_doc SET uncounted = ? WHERE origin = ? AND seq = ?";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin) || seq == 0 || seq > (uint64_t)INT64_MAX ||
	    policy_seq > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)policy_seq);
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
	if ((rc = store_step_done(s, st, "feed_set_uncounted")) != LS_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return LS_ENOTFOUND;
	s->feed_writes++;
	return LS_OK;
}

int store_feed_list_uncounted(struct store *s, store_doc_cb cb, void *arg)
{
	static const char sql[] =
	    "SELECT " META_COLS ", envelope FROM feed_doc "
	    "WHERE uncounted != 0 ORDER BY origin, seq";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	return walk_docs(s, st, cb, arg, "feed_list_uncounted");
}

int store_feed_count(struct store *s, uint64_t *docs, uint64_t *bytes)
{
	static const char sql[] =
	    "SELECT count(*), coalesce(sum(size), 0) FROM feed_doc";
	sqlite3_stmt *st;
	int64_t v[2];
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK ||
	    (rc = store_one_row(s, st, v, 2, "feed_count")) != LS_OK)
		return rc;
	*docs = (uint64_t)v[0];
	*bytes = (uint64_t)v[1];
	return LS_OK;
}

int store_feed_generation(struct store *s, uint64_t *gen)
{
	static const char sql[] = "PRAGMA data_version";
	sqlite3_stmt *st;
	int64_t v;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK ||
	    (rc = store_one_row(s, st, &v, 1, "data_version")) != LS_OK)
		return rc;
	*gen = ((uint64_t)v << 32) ^ s->feed_writes;
	return LS_OK;
}

/* --- forks ---------------------------------------------------------- */

int store_fork_add(struct store *s, const char *origin, uint64_t seq,
                   const uint8_t *proof, size_t len)
{
	/* A fork already recorded at (origin, seq) keeps its first proof
	 * and time: a second proof of the same fork adds nothing. */
	static const char sql[] =
	    "INSERT INTO feed_fork (origin, seq, detected_at, proof) "
	    "VALUES (?, ?, ?, ?) ON CONFLICT (origin, seq) DO NOTHING";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin) || seq == 0 || seq > (uint64_t)INT64_MAX ||
	    proof == NULL || len == 0 || len > 2 * STORE_FEED_ENVELOPE_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 3, store_now());
	sqlite3_bind_blob(st, 4, proof, (int)len, SQLITE_STATIC);
	s->feed_writes++;
	return store_step_done(s, st, "fork_add");
}

int store_fork_list(struct store *s, int include_resolved, store_fork_cb cb,
                    void *arg)
{
	static const char sql[] =
	    "SELECT origin, seq, detected_at, coalesce(resolved_at, 0), proof "
	    "FROM feed_fork WHERE ?1 OR resolved_at IS NULL "
	    "ORDER BY origin, seq";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int(st, 1, include_resolved != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fork f;
		int stop;
		memset(&f, 0, sizeof f);
		snprintf(f.origin, sizeof f.origin, "%s",
		         (const char *)sqlite3_column_text(st, 0));
		f.seq = (uint64_t)sqlite3_column_int64(st, 1);
		f.detected_at = sqlite3_column_int64(st, 2);
		f.resolved_at = sqlite3_column_int64(st, 3);
		stop = cb(arg, &f, sqlite3_column_blob(st, 4),
		          (size_t)sqlite3_column_bytes(st, 4));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "fork_list");
}

static int resolve_in_tx(struct store *s, const char *origin,
                         uint64_t drop_from)
{
	static const char sql_resolve[] =
	    "UPDATE feed_fork SET resolved_at = ? "
	    "WHERE origin = ? AND resolved_at IS NULL";
	static const char sql_drop[] =
	    "DELETE FROM feed_doc WHERE origin = ? AND seq >= ?";
	static const char sql_head_drop[] =
	    "DELETE FROM feed_head WHERE origin = ?";
	static const char sql_head_reset[] =
	    "INSERT INTO feed_head (origin, seq, hash) "
	    "SELECT origin, seq, hash FROM feed_doc WHERE origin = ?1 AND "
	    "seq = (SELECT max(seq) FROM feed_doc WHERE origin = ?1)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_stmt(s, sql_resolve, &st)) != LS_OK)
		return rc;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, st, "fork_resolve")) != LS_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return LS_ENOTFOUND;
	if (drop_from == 0)
		return LS_OK;

	if ((rc = store_stmt(s, sql_drop, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)drop_from);
	if ((rc = store_step_done(s, st, "fork_drop")) != LS_OK)
		return rc;
	if ((rc = store_stmt(s, sql_head_drop, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if ((rc = store_step_done(s, st, "fork_head_drop")) != LS_OK)
		return rc;
	if ((rc = store_stmt(s, sql_head_reset, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	return store_step_done(s, st, "fork_head_reset");
}

int store_fork_resolve(struct store *s, const char *origin, uint64_t drop_from)
{
	int owned, rc;

	if (!origin_ok(origin) || drop_from > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return rc;
	rc = resolve_in_tx(s, origin, drop_from);
	s->feed_writes++;
	return store_tx_end(s, owned, rc);
}
