/*
 * Taking in documents from a peer: the one path by which a document that
 * another node sent (a sync page, a push, a federation bundle) enters the
 * store.
 *
 * For each envelope, in this order:
 *   1. cheap checks without a signature: the envelope and feed fields
 *      decode, and what the store holds at (origin, seq) — the very same
 *      document is `exists` at once (it was verified when it was stored);
 *      a position beyond the head + 1 is `chain` (a gap; nothing to verify
 *      it against yet);
 *   2. proto_doc_verify() against the trust in force (envelope, key,
 *      signature, schema): any failure is `rejected` with its reason;
 *   3. a verified document at a held position with another hash is a
 *      fork: the portable proof (both envelopes) is kept with
 *      store_fork_add(), which quarantines the origin; `fork`;
 *   4. an origin quarantined by an unresolved fork takes nothing:
 *      `quarantined` (wire code `state`);
 *   5. federation documents: node_trust_check() (next in the federation
 *      feed, roster succession, no backdated policy); summaries and
 *      federation summaries: by the policies in force up to when they
 *      were made (node_trust_judge; PROTOCOL.md 5.3, "Epochs": counted,
 *      held but not counted, or refused; no policy held yet: `state`);
 *   6. store_feed_append(): `stored` (or `chain` when it does not follow
 *      the head; a document that follows the head the page knows is held
 *      back and goes in with the page's others through
 *      store_feed_append_checked_n, without the store's lookups: multi-row
 *      inserts and one head update per origin, before the page reads
 *      the store's feeds again and before it commits); a stored
 *      federation document is put in force at once with
 *      node_trust_admit(), so the next document of the same page is
 *      verified against it.
 *
 * A page is taken in one transaction: one commit per page, so sync
 * progress is durable page by page and an interrupted sync resumes after
 * the last committed page. If the store fails (I/O, full disk, lock
 * timeout), the whole page is rolled back, the trust is rebuilt from the
 * store, and the error is returned; nothing of the page counts as stored.
 *
 * Stored envelopes are kept byte for byte, so a node relays a document
 * exactly as it received it.
 *
 * Receiving uses every core it is given (node_ingest_set_workers): the
 * signatures, strict decodes and hashes of a page (step 2) run on a small
 * pool of threads (node/vpool.h), pipelined with steps 3-6: document i is
 * taken in on the caller's thread as soon as it is verified, while the
 * pool verifies the ones after it (the caller verifies too while it
 * waits). The pool starts before the page's step-1 lookups, which then
 * skip what is held already (node_vpool_skip) while the pool works. The
 * payload's hash is made once, by the verification. Before the trust
 * changes (a federation document put in force, a reload), every
 * verification queued on the pool is finished, so no thread reads a
 * trust that goes away; a document verified under another trust is
 * verified again on the caller's thread. A page's verification may also
 * start before the page is taken in (node_ingest_prefetch: a sync client
 * asking ahead).
 *
 * Steps 1 and 4 ask the store once per origin and page (for the page's
 * first eight origins; a further one is asked at each document): the
 * page's transaction holds the write lock, so each feed's head and stop
 * change only by the page's own appends and forks, which it follows
 * itself (a stored federation document makes it ask again). A seq
 * above the head is not held; a store lookup is made only for a resend.
 *
 * Not thread-safe; the caller (the daemon's sync thread, a tool, a test)
 * owns the store and the trust it passes in.
 */
#ifndef LS_NODE_INGEST_H
#define LS_NODE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/trust.h"
#include "proto/sync.h"
#include "store/store.h"

enum node_ingest_outcome {
	NODE_INGEST_STORED = 0,      /* verified, checked and stored */
	NODE_INGEST_EXISTS = 1,      /* held already: nothing to do */
	NODE_INGEST_FORK = 2,        /* another document at a held position */
	NODE_INGEST_CHAIN = 3,       /* does not follow what is held */
	NODE_INGEST_QUARANTINED = 4, /* its origin is stopped by a fork */
	NODE_INGEST_REJECTED = 5,    /* failed a check; reason in the code */
	NODE_INGEST_OUTCOMES_
};

/* Counts of everything taken in since node_ingest_init (for metrics and
 * status documents). rejected[] is indexed by the LS_E* reason. */
struct node_ingest_tally {
	uint64_t outcome[NODE_INGEST_OUTCOMES_];
	uint64_t rejected[LS_ERR_COUNT_];
	uint64_t bytes_stored;
	uint64_t pages;
	uint64_t trust_admitted; /* federation documents put in force */
	uint64_t uncounted; /* stored, but counted nowhere (policy epochs) */
	uint64_t recounted; /* held documents whose mark a policy changed */
};

/* What became of one document of a page. */
struct node_ingest_doc {
	uint8_t outcome; /* enum node_ingest_outcome */
	/* LS_OK (stored), LS_EEXISTS, LS_EFORK, LS_ECHAIN, LS_ESTATE
	 * (quarantined, or no policy in force for a summary) or the reason
	 * of a rejection: what a push_rep reports (proto_wire_code). */
	int code;
	char detail[128];         /* a rejection's detail (English) */
	int has_hdr;              /* hdr is filled (the feed fields decoded) */
	struct ls_doc_header hdr; /* type, origin, seq, prev, created */
	uint8_t hash[LS_HASH_BYTES];
	/* Stored but counted nowhere: the federation seq of the policy of
	 * its time that refuses it (why in detail); 0 when it counts. */
	uint64_t uncounted;
};

/* What a page did as a whole. */
struct node_ingest_page {
	size_t stored;     /* documents stored by this page */
	size_t forks;      /* forks detected by this page */
	int trust_changed; /* a federation document was put in force */
	uint64_t bytes;    /* envelope bytes stored */
};

/*
 * A trust alarm (PROTOCOL.md 6, "Alarms"): a document refused because the
 * trust says its author must not be heard — a roster that is no valid
 * successor of the one in force ("successor"), a document signed with a
 * revoked key or by a departed member ("revoked"), or a fork ("fork").
 * One entry per (origin, reason): what an operator sees in `signaalctl
 * status`, signaald.json and /metrics (signaal_trust_alarm), and logged
 * at error once when it is first raised.
 */
#define NODE_INGEST_ALARMS_MAX 64
struct node_ingest_alarm {
	char origin[LS_NODE_ID_SIZE];
	char reason[16];  /* "successor", "revoked", "fork" */
	uint64_t seq;     /* the position of the last document refused */
	uint64_t count;   /* documents refused for it */
	int64_t first;    /* when it was raised */
	int64_t last;     /* the last refusal */
	char detail[160]; /* the first refusal's detail (English) */
};

struct node_vpool;

struct node_ingest {
	struct store *store;
	struct node_vpool *pool;  /* NULL: verify on the caller's thread */
	struct node_trust *trust; /* the trust in force, updated by admits */
	struct node_ingest_tally tally;
	/* Trust alarms since start, oldest first; when full, the oldest
	 * entry goes. */
	struct node_ingest_alarm alarms[NODE_INGEST_ALARMS_MAX];
	size_t n_alarms;
	/* Policies another writer stored came into force from here on
	 * (node_ingest_reload_trust): what was judged before them is
	 * judged again at the next page or node_ingest_recount_pending.
	 * INT64_MAX: nothing waits. */
	int64_t recount_from;
};

/* Bind a store and a trust (both stay the caller's and must outlive *in). */
void node_ingest_init(struct node_ingest *in, struct store *store,
                      struct node_trust *trust);

/* Verify pages on `threads` threads, the caller's included (0 or 1: on
 * the caller's only, the default). Not while a prefetch (below) is
 * held: it belongs to the pool it was started on. LS_EINVAL (more than
 * 16), LS_ENOMEM, LS_EINTERNAL (a thread did not start; then the ingest
 * stays single-threaded). */
int node_ingest_set_workers(struct node_ingest *in, unsigned threads);

/* Stop the worker threads, if any. The store and trust stay the
 * caller's. */
void node_ingest_fini(struct node_ingest *in);

/*
 * Take in n envelopes (n may be 0) received from `peer` (a node id or
 * another short label for logs; may be NULL) at time `now`, in one
 * transaction (or in the caller's, if one is open: then the caller
 * commits, and on a store error must roll back and call
 * node_ingest_reload_trust()). docs[i] is the outcome of envelope i
 * (docs may be NULL); *page (may be NULL) what the page did.
 * Returns LS_OK when every envelope got an outcome (some may have been
 * rejected: that is the peer's problem, not a failure of the page), or a
 * store error (LS_ESTORE, LS_EBUSY, LS_EIO, LS_ENOMEM): then nothing of
 * the page is stored and docs[] is undefined.
 */
int node_ingest_page(struct node_ingest *in, const struct ls_bytes *envs,
                     size_t n, int64_t now, const char *peer,
                     struct node_ingest_doc *docs,
                     struct node_ingest_page *page, struct ls_errinfo *e);

/*
 * Asking ahead (node/sync_client.c): start verifying a page before it is
 * taken in, so that the pool verifies it while the caller still stores
 * and commits the page before it. node_ingest_prefetch copies the n
 * envelopes and queues their verification against the trust in force;
 * *out is the caller's: hand it to node_ingest_page_pre with the same
 * envelopes, or give it up with node_ingest_pre_drop. *out is NULL
 * (LS_OK) when there is no pool or fewer than two envelopes: nothing to
 * start. LS_ENOMEM.
 *
 * Nothing is stored and nothing of the store is read until the page is
 * taken in; a verification made under another trust than the one in
 * force when the page is taken in is not used (that document is
 * verified again). The trust changes (a federation document admitted, a
 * reload) only after every queued verification has finished, so no
 * thread reads a trust that goes away.
 */
struct node_ingest_pre;
int node_ingest_prefetch(struct node_ingest *in, const struct ls_bytes *envs,
                         size_t n, int64_t now, struct node_ingest_pre **out);

/* node_ingest_page with the verification node_ingest_prefetch started
 * for these envelopes (pre may be NULL: as node_ingest_page). pre is
 * consumed whatever the result. */
int node_ingest_page_pre(struct node_ingest *in, struct node_ingest_pre *pre,
                         const struct ls_bytes *envs, size_t n, int64_t now,
                         const char *peer, struct node_ingest_doc *docs,
                         struct node_ingest_page *page, struct ls_errinfo *e);

/* Give a prefetch up (pre may be NULL). From any thread (signaald's loop
 * ends a failed round): what the pool has not taken is not verified,
 * and the memory goes when the last verification in flight is done. The
 * ingest (its pool) must outlive that: node_ingest_fini releases what
 * is left. */
void node_ingest_pre_drop(struct node_ingest_pre *pre);

/*
 * A fork proof received from a peer (the two envelopes of a fork_rep, in
 * either order): both must verify against the trust in force and be two
 * documents at one feed position (else that error, and nothing changes).
 * The proof is kept with store_fork_add(), which quarantines the origin,
 * whether or not this node holds either document. LS_OK also when the
 * fork was known already. Counted as outcome `fork`.
 */
int node_ingest_fork_proof(struct node_ingest *in, const uint8_t *a,
                           size_t a_len, const uint8_t *b, size_t b_len,
                           int64_t now, const char *peer, struct ls_errinfo *e);

/* What node_ingest_recount did. */
struct node_ingest_recount_info {
	size_t judged;  /* documents judged again */
	size_t changed; /* marks that changed */
};

/*
 * Judge every held summary and federation summary again by the policies
 * of the trust (PROTOCOL.md 5.3, "Epochs") and correct the marks of those
 * that count, or not, otherwise (a store written before the marks
 * existed, or by a writer that did not recount; ingest keeps them right
 * as policies arrive). A summary judged while no policy is held counts.
 * In the caller's transaction if one is open, else in its own. *info
 * (may be NULL): what was judged and changed (zeros on failure).
 * LS_ECORRUPT when a held document does not decode; store errors; then
 * no mark changed.
 *
 * signaald runs it at every start (docs/PERFORMANCE.md, "Start-up
 * recount": about 21 us a summary held).
 */
int node_ingest_recount(struct node_ingest *in,
                        struct node_ingest_recount_info *info,
                        struct ls_errinfo *e);

/*
 * The recount a trust reload left waiting (policies another writer
 * stored: see recount_from), in the caller's transaction or its own; a
 * page does it first. LS_OK when nothing waits; store errors (it stays
 * waiting). Writes: not on a thread that must not wait on the store.
 */
int node_ingest_recount_pending(struct node_ingest *in, struct ls_errinfo *e);

/*
 * Make sure the trust matches the federation feed in the store: if the
 * store's federation head differs from the trust's (another process, such
 * as `signaalctl federation publish`, appended to it, or a page was
 * rolled back), rebuild the trust from the store. *changed (may be NULL)
 * is set to 1 when it was rebuilt. Errors as node_trust_load(). It only
 * reads: a recount that new policies call for waits (recount_from).
 */
int node_ingest_reload_trust(struct node_ingest *in, int64_t now, int *changed,
                             struct ls_errinfo *e);

/* Stable lower-case name of an outcome ("stored", "exists", "fork",
 * "chain", "quarantined", "rejected"). */
const char *node_ingest_outcome_name(int outcome);

#endif
