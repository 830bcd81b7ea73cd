/*
 * The sync engine: anti-entropy between two nodes (PROTOCOL.md §7–9) as
 * pure logic over bytes — what to ask, what to answer, what to store —
 * with no sockets, threads or clocks of its own. signaald moves its
 * frames over nng; the unit tests and the network simulation (bench/)
 * hand them from one engine to another in memory. The same code runs in
 * all three.
 *
 * Server side: node_sync_handle_frame() takes a request frame as it came
 * off the wire and returns the frame to send back: it opens the session
 * against the roster in force (a node outside the roster, removed or
 * revoked gets a refusal and nothing else), applies the replay guard,
 * decodes the sync message, answers it from the store (digest, version
 * vector, pages of documents, fork proofs) or takes in pushed documents
 * (node/ingest), and seals the reply.
 *
 * Client side: a round with one peer is a small state machine,
 *
 *   DIGEST --equal--> DONE
 *     | differ
 *   VV --> DOCS pages (federation feed first) --> FORK proofs
 *      --> PUSH pages (what the peer lacks, if pushing) --> DONE
 *
 * driven by node_sync_round_next() (the next sealed request frame) and
 * node_sync_round_reply() (the peer's reply frame). Every page taken in
 * is committed in its own transaction, so progress is durable page by
 * page and an interrupted round resumes from the store's heads; requests
 * only read or are idempotent (PROTOCOL.md §7), so resends are harmless.
 *
 * Asking ahead (when the ingest has a verify pool): a docs page is held,
 * its verification running, while the next docs_req goes out; it is
 * taken in when the next reply arrives (whose verification then runs
 * meanwhile), or before the round leaves the DOCS state. A held page is
 * taken in before a failed reply fails the round; a page whose request
 * no longer matches what the round would ask after the page before was
 * taken in is dropped unstored (PROTOCOL.md §7, "Asking ahead";
 * docs/DAEMON.md). node_sync_round_abort and node_sync_round_free drop a
 * held page unstored and may run on another thread than the engine's
 * (they touch no store); every other round function runs on the engine's.
 *
 * Restore from backup: a node must learn its own feed's head from a peer
 * before it publishes (PROTOCOL.md §7). node_sync_own_head_known() stays
 * 0 until a round showed that a peer holds nothing newer of this node's
 * own origin than the store does (equal digests, or a version vector
 * whose entry for the own origin is not ahead — after fetching the own
 * documents the peer had). Callers gate every publication on it.
 *
 * Ownership: struct node_sync owns its session identity, replay guard and
 * version-vector cache; it borrows the store and the ingest (with its
 * trust), which must outlive it. Frames returned through uint8_t ** are
 * the caller's (ls_free). Not thread-safe: one thread at a time
 * (signaald runs its engine off the loop, daemon/syncwork.c).
 */
#ifndef LS_NODE_SYNC_H
#define LS_NODE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/ingest.h"
#include "proto/key.h"
#include "proto/sync.h"
#include "store/store.h"

struct node_sync_options {
	uint32_t page_docs;  /* max_docs asked per docs_req (1..1024) */
	uint32_t page_bytes; /* max_bytes asked (LS_ENVELOPE_MAX..4 MiB) */
	int push;            /* 1: push what a peer lacks */
	/* Most docs_req and push_req pages in one round (0: 64); the rest
	 * waits for the next round, so one round cannot hog its caller. */
	uint32_t max_pages;
	/* Replay guard: live requests and bytes of cached replies
	 * (0: 65536 and 1 MiB: a resend of a bigger reply is answered anew,
	 * which every request allows). */
	size_t replay_entries;
	size_t replay_reply_bytes;
};

/*
 * Refusal memory (PROTOCOL.md 7, "Refused documents"). A document a peer
 * sent and this node refused (or one this node pushed and the peer
 * refused) is remembered by (peer, origin, seq, direction) with its
 * reason; the rounds with that peer then neither fetch nor push from that
 * position, so a refusal is not repeated every round. An entry lapses
 * when the federation feed in force changes (a new roster or policy may
 * change the verdict), after NODE_SYNC_REFUSAL_RETRY_S (one retry an
 * hour: a document from the future becomes valid, a peer may have the
 * real document by now), or when the engine restarts. The first refusal
 * of an entry is logged once at error, with what the operator should do
 * (node_sync_refusal_advice).
 */
#define NODE_SYNC_REFUSALS_MAX 256
#define NODE_SYNC_REFUSAL_RETRY_S 3600
struct node_sync_refusal {
	char peer[LS_NODE_ID_SIZE];
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	int push;           /* 1: the peer refused what this node pushed */
	int code;           /* LS_E*: the reason */
	uint64_t trust_seq; /* federation feed head when it was refused */
	int64_t first;      /* first refused */
	int64_t last;       /* last refused (a retry refused again) */
	int64_t retry_at;   /* fetched or pushed again from then on */
	uint64_t count;     /* times refused */
	char detail[160];   /* the refusal's detail (English) */
};

/*
 * An extension of the sync session (node/secagg_sync.h): requests that a
 * round sends after its sync exchanges, and requests the server answers
 * instead of sync messages. Plaintexts only; sealing, the roster check
 * and the replay guard stay the engine's. Every callback runs on the
 * engine's thread; buffers returned through uint8_t ** are the caller's
 * (ls_free).
 */
#define NODE_SYNC_EXT_MAX 8 /* extension exchanges per round */
struct node_sync_ext {
	void *arg;
	/* Client: the next request for peer (LS_OK), or LS_ENOTFOUND. */
	int (*next_cb)(void *arg, const char *peer, int64_t now,
	               uint8_t **plain, size_t *len);
	/* Client: the opened reply to it; plain NULL when the exchange
	 * failed (code says why). */
	void (*reply_cb)(void *arg, const char *peer, int64_t now, int code,
	                 const uint8_t *plain, size_t len);
	/* Server: LS_ENOTFOUND when plain is not an extension request; else
	 * LS_OK with the reply in *reply (an ERROR reply included), or
	 * LS_ENOMEM / a store failure (nothing is sent back). */
	int (*serve_cb)(void *arg, const char *peer, int64_t now,
	                const uint8_t *plain, size_t len, uint8_t **reply,
	                size_t *reply_len);
};

/*
 * Session keys that worked (PROTOCOL.md 6, "Sessions in the overlap"):
 * per peer, the key id of the peer's key that last opened a reply of
 * ours. A round addresses it first while the roster still lets it hold
 * sessions. Kept in memory only (a restart starts from the signer of
 * the peer's latest document again); at most one entry per roster
 * member.
 */
struct node_sync_peer_key {
	char peer[LS_NODE_ID_SIZE];
	uint8_t key_id[LS_KEY_ID_BYTES];
};

struct node_sync {
	struct store *store;
	struct node_ingest *ingest;
	char self_id[LS_NODE_ID_SIZE];
	struct node_sync_options opt;
	struct proto_session_self *session;
	uint8_t key_id[LS_KEY_ID_BYTES];
	struct proto_replay *replay;
	/* The own version vector, rebuilt when the store's feed generation
	 * changes. */
	int vv_valid;
	uint64_t vv_gen;
	struct ls_vv vv;
	uint8_t vv_digest[LS_HASH_BYTES];
	int own_head_known;
	/* Remembered refusals, oldest first (when full, the oldest goes). */
	struct node_sync_refusal remembered[NODE_SYNC_REFUSALS_MAX];
	size_t n_remembered;
	/* Refusal logging: at most a few lines a minute. */
	int64_t refusal_window;
	uint32_t refusals_logged;
	uint64_t refusals_unlogged;
	const struct node_sync_ext *ext; /* borrowed; NULL: none */
	/* Peers' session keys that worked (owned; grown as peers appear). */
	struct node_sync_peer_key *peer_keys;
	size_t n_peer_keys;
};

/*
 * Set up an engine for node `self_id` with its keypair (copied into the
 * session identity; kp need not outlive it). opt may be NULL (defaults:
 * 256 documents, 4 MiB, push, 64 pages). LS_EINVAL, LS_EKEY, LS_ENOMEM.
 */
int node_sync_init(struct node_sync *ns, struct store *store,
                   struct node_ingest *ingest, const char *self_id,
                   const struct ls_keypair *kp,
                   const struct node_sync_options *opt);
void node_sync_fini(struct node_sync *ns);

/* The version vector of what the store holds, into *out (the caller's:
 * proto_vv_fini). For readers without an engine (signaalctl sync).
 * LS_ESTORE, LS_ENOMEM. */
int node_sync_vector_load(struct store *s, struct ls_vv *out);

/* The own version vector and its digest (valid until the next call or
 * fini). LS_ESTORE, LS_ENOMEM. */
int node_sync_vector(struct node_sync *ns, const struct ls_vv **vv,
                     const uint8_t **digest);

/* 1 if the remembered refusal x (an entry of ns->remembered) is in
 * force at `now`: the federation feed is where it was and the retry time
 * has not come. */
int node_sync_refusal_live(const struct node_sync *ns,
                           const struct node_sync_refusal *x, int64_t now);

/* What an operator should do about a remembered refusal: one sentence
 * in Dutch (static text). */
const char *node_sync_refusal_advice(const struct node_sync_refusal *x);

/* 1 once a peer showed that it holds nothing newer of the own feed. */
int node_sync_own_head_known(const struct node_sync *ns);

/*
 * Hold sessions with another key pair from now on (a key installed while
 * running: signaald's SIGHUP). kp is copied into a new session identity;
 * the old one is wiped. The replay guard, caches and the memory of
 * peers' keys stay. LS_OK; LS_EKEY (not convertible), LS_ENOMEM: the
 * engine keeps its old key.
 */
int node_sync_set_key(struct node_sync *ns, const struct ls_keypair *kp);

/* Install an extension (NULL: none); ext must outlive its use. */
void node_sync_set_ext(struct node_sync *ns, const struct node_sync_ext *ext);

/* Open the gate without a peer: for a node that has none to ask. */
void node_sync_set_own_head_known(struct node_sync *ns);

/* --- server ---------------------------------------------------------- */

/* What handling one request frame did (for logs and metrics). */
struct node_sync_served {
	char peer[LS_NODE_ID_SIZE]; /* the sender's node id, "" if unknown */
	uint8_t type;    /* the sync message type, 0 if not decoded */
	int refused;     /* 1: answered with a refusal frame (not opened) */
	int code;        /* LS_OK, or why it was refused or answered ERROR */
	int resend;      /* 1: a resend of a request seen before */
	size_t docs_out; /* documents served */
	size_t docs_in;  /* documents pushed to us */
	struct node_ingest_page push; /* a push_req: what it stored */
	size_t push_rejected;         /* pushed documents refused */
};

/*
 * Handle one request frame received at `now`. LS_OK with *reply (the
 * caller's; a sealed reply, or an unauthenticated refusal frame when the
 * request could not be opened) and *info; or a store failure while
 * answering (LS_ESTORE, LS_ENOMEM, ...: nothing to send back, the peer
 * retries). info may be NULL.
 */
int node_sync_handle_frame(struct node_sync *ns, int64_t now,
                           const uint8_t *frame, size_t len, uint8_t **reply,
                           size_t *reply_len, struct node_sync_served *info);

/* --- client ---------------------------------------------------------- */

enum node_sync_state {
	NODE_SYNC_DIGEST = 1,
	NODE_SYNC_VV,
	NODE_SYNC_DOCS,
	NODE_SYNC_FORK,
	NODE_SYNC_PUSH,
	NODE_SYNC_DONE,
	NODE_SYNC_FAILED,
};

/* What a round did so far. */
struct node_sync_round_info {
	uint8_t state;        /* enum node_sync_state */
	int code;             /* NODE_SYNC_FAILED: why (LS_E*) */
	int in_sync;          /* the digests were equal */
	uint32_t requests;    /* request frames sent */
	uint64_t bytes_out;   /* request frame bytes */
	uint64_t bytes_in;    /* reply frame bytes */
	uint64_t docs_in;     /* documents received in pages */
	uint64_t docs_stored; /* of which stored */
	uint64_t docs_pushed; /* documents pushed */
	uint64_t push_stored; /* of which the peer stored */
	uint64_t forks;       /* forks detected or proofs received */
	uint64_t rejected;    /* documents received and refused */
	uint64_t held_back;   /* wants and pushes skipped: remembered
	                         refusals (PROTOCOL.md 7) */
	uint64_t push_refused; /* documents pushed that the peer refused */
	/* Asking ahead: docs_req sent before the page before them was
	 * taken in, and of their pages those dropped unseen (taking in the
	 * page before changed what to ask). */
	uint64_t pages_ahead;
	uint64_t pages_stale;
	/* Session key fallbacks: the peer refused the key addressed
	 * (`denied`) before any reply opened, and the round tried another
	 * of its valid keys (at most one per key; PROTOCOL.md 6). */
	uint32_t key_fallbacks;
	int trust_changed;    /* a federation document was put in force */
	/* The peer's version vector (after the VV step): for lag metrics.
	 * Points into the round; valid until node_sync_round_free. */
	const struct ls_vv *peer_vv;
};

struct node_sync_round;

/*
 * Start a round with peer `peer_id` at `now`. The peer must be a member
 * of the roster in force with a key that may hold sessions now
 * (LS_EDENIED: not in the roster, or no roster yet; LS_EREVOKED,
 * LS_EEXPIRED: removed, revoked or expired) — a node syncs with members
 * only, both ways. *out: node_sync_round_free(). LS_ENOMEM.
 *
 * Which of the peer's keys the round addresses while a rotation's
 * overlap leaves it several (PROTOCOL.md 6, "Sessions in the overlap"):
 * the one that last worked with this peer (in memory), else the one that
 * signed its latest document held, else its newest. If the peer answers
 * the first exchange with a `denied` refusal frame (it holds another
 * key), the round tries its other valid keys, newest first, each once,
 * within the same round (info.key_fallbacks), and the key whose reply
 * opens is remembered.
 */
int node_sync_round_new(struct node_sync *ns, const char *peer_id, int64_t now,
                        struct node_sync_round **out);

/*
 * The next request to send, sealed, in *frame (caller's). LS_OK;
 * LS_ENOTFOUND when the round is over (DONE or FAILED); LS_ESTATE when a
 * request is outstanding (call node_sync_round_reply first); LS_ENOMEM,
 * store errors (the round fails).
 */
int node_sync_round_next(struct node_sync_round *r, int64_t now,
                         uint8_t **frame, size_t *len);

/*
 * The peer's reply frame to the outstanding request, received at `now`.
 * LS_OK: taken in (the round may now be DONE). Otherwise the round has
 * FAILED with that code: a refusal frame's code (unauthenticated: the
 * round simply stops), LS_ESIG/LS_EDENIED (not the peer's reply to this
 * request), LS_EDECODE/LS_ELIMIT (a malformed or out-of-bounds reply), a
 * sync ERROR's code, or a store failure.
 */
int node_sync_round_reply(struct node_sync_round *r, int64_t now,
                          const uint8_t *frame, size_t len);

/* The transport failed (timeout, connection): the round FAILS with code.
 * A page held ahead is dropped unstored (fetched again next round). */
void node_sync_round_abort(struct node_sync_round *r, int code);

const struct node_sync_round_info *
node_sync_round_info(const struct node_sync_round *r);

void node_sync_round_free(struct node_sync_round *r);

/* Stable name of a state ("digest", "vv", ...). */
const char *node_sync_state_name(int state);

#endif
