/*
 * Feeds: the federation documents a node holds, per origin, in seq order;
 * and the forks it has seen.
 *
 * The store keeps envelopes as opaque bytes beside the few feed fields it
 * needs to index them (origin, seq, type, hash, prev, created), and the
 * mark of a summary its node holds but does not count. It never
 * decodes or verifies: callers verify with proto/ first and hand over what
 * they learned. What the store does enforce is the shape of a feed:
 *
 *   - no gaps: a document is accepted only as the next one of its origin
 *     (seq = head + 1 and prev = the head's hash), so the highest seq held
 *     is also the contiguous head the version vector reports;
 *   - no silent replacement: a second, different document at a held
 *     (origin, seq) is refused with LS_EFORK; the caller records the proof
 *     with store_fork_add, which quarantines the origin;
 *   - a quarantined origin (an unresolved fork) accepts nothing more until
 *     an operator resolves it (store_fork_resolve).
 *
 * Durability: as everywhere in the store, a write is committed when the
 * function returns LS_OK, unless the caller opened a transaction (then at
 * store_tx_commit). Batch appends of a sync page belong in one
 * transaction: one commit per page.
 *
 * Callbacks receive pointers valid only during the call and must not call
 * back into the same store. A callback returning non-zero stops the walk;
 * that value is returned.
 */
#ifndef LS_STORE_FEED_H
#define LS_STORE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "store/store.h"

/* Largest envelope the store accepts: a sanity bound well above the wire
 * format's (PROTOCOL.md), not a protocol limit. */
#define STORE_FEED_ENVELOPE_MAX (8u * 1024 * 1024)

/* The feed fields of a held document. */
struct store_doc_meta {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq; /* 1.. */
	uint8_t type; /* enum ls_doc_type (proto/doc.h) */
	uint8_t hash[LS_HASH_BYTES];
	uint8_t prev[LS_HASH_BYTES];
	int64_t created;     /* the document's own time */
	int64_t received_at; /* when this node stored it (set by append) */
	/* A summary held for its feed's chain but counted nowhere: the
	 * federation seq of the policy of its time that refuses it
	 * (node/ingest; PROTOCOL.md 5.3, "Epochs"). 0: it counts. */
	uint64_t uncounted;
};

typedef int (*store_doc_cb)(void *arg, const struct store_doc_meta *m,
                            const uint8_t *envelope, size_t len);

/*
 * Append a verified document (m->received_at is ignored and set to now;
 * m->uncounted is kept as given).
 *   LS_OK       stored;
 *   LS_EEXISTS  this very document (same hash) is held: nothing to do;
 *   LS_EFORK    another document holds (origin, seq): nothing changed;
 *   LS_ECHAIN   not the next document of its origin (gap, or prev is not
 *               the head's hash): nothing changed;
 *   LS_EDENIED  the origin is quarantined by an unresolved fork;
 *   LS_EINVAL   malformed arguments (seq 0, bad origin, empty envelope).
 */
int store_feed_append(struct store *s, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len);

/*
 * The same append for a caller that made its checks itself, inside the
 * transaction it holds open (store_tx_begin: the write lock, so nothing
 * else changes the feeds meanwhile): nothing is held at (m->origin,
 * m->seq), the origin is not quarantined, and m->seq is the head's seq
 * + 1 with m->prev the head's hash, all as this store showed them in
 * that transaction (node/ingest does, once per page and origin). The
 * store skips those lookups; a held position still fails (the insert's
 * UNIQUE constraint: LS_ESTORE). LS_ESTATE when no transaction is open;
 * else as store_feed_append. Every other caller uses store_feed_append.
 */
int store_feed_append_checked(struct store *s, const struct store_doc_meta *m,
                              const uint8_t *envelope, size_t len);

/* One document of a run of checked appends. */
struct store_feed_new {
	struct store_doc_meta m;
	const uint8_t *envelope; /* the caller's, read during the call */
	size_t len;
};

/*
 * n checked appends at once, for a caller that holds them back until a
 * page is done (node/ingest): as store_feed_append_checked for each, in
 * order, where each document follows the head or the document of its
 * origin before it in docs[] (the store checks that much: seq + 1 and
 * prev, else LS_EINTERNAL and nothing is written). The documents go in
 * with multi-row inserts and each origin's head moves once, to its last
 * document: one statement per 16 documents and one per origin instead
 * of two per document. On a failure some of them may be written: the
 * caller rolls its transaction back. LS_OK for n = 0.
 */
int store_feed_append_checked_n(struct store *s,
                                const struct store_feed_new *docs, size_t n);

/* Mark a held document counted (policy_seq 0) or not (see
 * store_doc_meta.uncounted). LS_ENOTFOUND when nothing is held there. */
int store_feed_set_uncounted(struct store *s, const char *origin, uint64_t seq,
                             uint64_t policy_seq);

/* Every document marked uncounted, in (origin, seq) order. */
int store_feed_list_uncounted(struct store *s, store_doc_cb cb, void *arg);

/* The head of an origin's feed: its highest seq and that document's hash;
 * seq 0 and a zero hash when nothing of the origin is held. */
int store_feed_head(struct store *s, const char *origin, uint64_t *seq,
                    uint8_t hash[LS_HASH_BYTES]);

/* One document. m and/or envelope may be NULL; *envelope is the caller's
 * (ls_free). LS_ENOTFOUND. */
int store_feed_get(struct store *s, const char *origin, uint64_t seq,
                   struct store_doc_meta *m, uint8_t **envelope, size_t *len);

/* The version vector: for every origin held, in byte order of origin, its
 * head and whether it has an unresolved fork. */
typedef int (*store_vv_cb)(void *arg, const char *origin, uint64_t seq,
                           const uint8_t head[LS_HASH_BYTES], int forked);
int store_feed_vector(struct store *s, store_vv_cb cb, void *arg);

/*
 * A page of an origin's feed: documents from seq `from` to `to` (0: to the
 * head) in seq order, stopping before max_docs or max_bytes (envelope
 * bytes) would be exceeded — except that the first document is always
 * given, so a page is never empty while documents remain. *more is 1 when
 * the page stopped at a bound with documents left in the range.
 */
int store_feed_page(struct store *s, const char *origin, uint64_t from,
                    uint64_t to, size_t max_docs, size_t max_bytes,
                    store_doc_cb cb, void *arg, int *more);

/* Every document of a type (0: any) and origin (NULL or "": any), in
 * (origin, seq) order. */
int store_feed_list(struct store *s, uint8_t type, const char *origin,
                    store_doc_cb cb, void *arg);

/* Every document of a type (0: any) made at or after `created_from`
 * (its `created`), in (origin, seq) order: older rows are skipped
 * before their envelopes are read. */
int store_feed_list_since(struct store *s, uint8_t type, int64_t created_from,
                          store_doc_cb cb, void *arg);

/* Per origin, its latest document of a type (e.g. the latest status). */
int store_feed_latest(struct store *s, uint8_t type, store_doc_cb cb,
                      void *arg);

/* A number that changes whenever the feeds may have changed, through
 * this connection (an append, a fork recorded or resolved) or another
 * one (another process's commit, e.g. signaalctl publishing): compare it
 * for inequality to know when a cached version vector is stale. It may
 * also change when nothing in the feeds did. */
int store_feed_generation(struct store *s, uint64_t *gen);

/* Documents held and their envelope bytes in total. */
int store_feed_count(struct store *s, uint64_t *docs, uint64_t *bytes);

/* --- forks ---------------------------------------------------------- */

struct store_fork {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	int64_t detected_at;
	int64_t resolved_at; /* 0 while unresolved (origin quarantined) */
};

/* Keep the portable proof of a fork at (origin, seq) (proto's fork proof
 * bytes) and quarantine the origin. Recording the same fork again changes
 * nothing (LS_OK). */
int store_fork_add(struct store *s, const char *origin, uint64_t seq,
                   const uint8_t *proof, size_t len);

/* 1 in *quarantined if the origin has an unresolved fork. */
int store_fork_quarantined(struct store *s, const char *origin,
                           int *quarantined);

typedef int (*store_fork_cb)(void *arg, const struct store_fork *f,
                             const uint8_t *proof, size_t len);
/* Recorded forks in (origin, seq) order; resolved ones too if asked. */
int store_fork_list(struct store *s, int include_resolved, store_fork_cb cb,
                    void *arg);

/*
 * An operator's resolution of an origin's forks: they are marked resolved
 * (the proofs stay) and the origin accepts documents again. With
 * drop_from > 0 the documents of the origin from that seq on are deleted
 * first, so that the other branch can be fetched and accepted.
 * LS_ENOTFOUND if the origin has no unresolved fork.
 */
int store_fork_resolve(struct store *s, const char *origin, uint64_t drop_from);

#endif
