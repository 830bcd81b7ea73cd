/*
 * A secure-aggregation round, both roles, without I/O (docs/SECAGG.md):
 * the aggregator's state machine and the participant's steps, over the
 * signed messages of proto/secagg_msg.h. Transport, scheduling and
 * persistence are the caller's (signaald, the simulation in
 * bench/bench_secagg.c, the tests).
 *
 * Aggregator:  open -> take(key)* -> keyset -> take(contrib)* -> close
 *              -> take(reveal)* -> finish (the signed total)
 * Participant: key(open) -> contrib(open, keyset) -> reveal(open, keyset,
 *              close). Each step is a pure function of the messages, the
 *              node's secagg secret and its counts: repeating one after a
 *              restart gives the same bytes (idempotent, resumable). The
 *              one thing a participant must remember is the close it
 *              revealed for (`revealed`): it never reveals for a second,
 *              different close of the same round (an aggregator that
 *              equivocates about who dropped would otherwise unmask it).
 *
 * Refusals change nothing: a message with a bad signature, from a node
 * outside the round, for another round, a second different one from the
 * same member, or one that arrives in the wrong phase (a contribution
 * after the close: LS_ESTATE; after the deadline: LS_EEXPIRED) leaves the
 * state as it was.
 *
 * Ownership: the aggregator owns copies of everything it keeps
 * (node_secagg_agg_fini); returned messages are the caller's (ls_free).
 */
#ifndef LS_NODE_SECAGG_H
#define LS_NODE_SECAGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/secagg.h"
#include "proto/doc_fedsum.h"
#include "proto/key.h"
#include "proto/secagg.h"
#include "proto/secagg_msg.h"

/*
 * A member and its node keys that may hold sessions now, as the roster
 * vouches for them. During a key rotation's overlap (PROTOCOL.md 6) a
 * member has two valid keys and may sign with either: a message is
 * verified with the one its key id names (PROTOCOL.md 15.3), never
 * simply with the newest, so a member (or the aggregator) that has not
 * installed its new key yet still takes part.
 */
#define NODE_SECAGG_PEER_KEYS 4 /* keys valid at once, newest first */
struct node_secagg_peer {
	char id[LS_NODE_ID_SIZE];
	uint8_t pk[LS_PUBKEY_BYTES]; /* its newest valid key */
	/* Its other valid keys (0 outside an overlap); zeroed: none. */
	uint8_t other_pk[NODE_SECAGG_PEER_KEYS - 1][LS_PUBKEY_BYTES];
	uint8_t n_other;
};

/*
 * Verify a message signed by peer p (proto_secagg_msg_verify) with the
 * key of p that the message's key id names: LS_EKEY when it names none
 * of p's keys; otherwise as proto_secagg_msg_verify. Does not check the
 * message's signer name (callers match it against p). *m as there.
 */
int node_secagg_peer_verify(const struct node_secagg_peer *p,
                            const uint8_t *msg, size_t len,
                            struct ls_secagg_msg *m, struct ls_errinfo *e);

enum node_secagg_phase {
	NODE_SECAGG_KEYS = 0,
	NODE_SECAGG_CONTRIB = 1,
	NODE_SECAGG_REVEAL = 2,
	NODE_SECAGG_DONE = 3,
};

struct node_secagg_slot; /* one member's state at the aggregator */

struct node_secagg_agg {
	int phase;
	char self[LS_NODE_ID_SIZE];
	uint8_t round[LS_SECAGG_ID_BYTES];
	struct ls_secagg_msg open; /* decoded; owns its member list */
	uint8_t *open_bytes;       /* owned: the open message */
	size_t open_len;
	const struct node_secagg_peer *peers; /* caller's, sorted by id */
	size_t n_peers;
	struct node_secagg_slot *slots; /* owned, one per member */
	uint8_t keyset_hash[LS_HASH_BYTES];
	uint8_t close_hash[LS_HASH_BYTES];
	size_t n_keys, n_contrib, n_reveal;
	/* counters of refusals, by reason (for metrics and tests) */
	uint64_t refused;
};

/* Where id stands in the open message's sorted member list: 1 and *i,
 * or 0 when it is not invited. */
int node_secagg_member_index(const struct ls_secagg_open *o, const char *id,
                             size_t *i);

/*
 * Start a round: sign the open message (o->members must be members of
 * peers, sorted; o->n_entries the layout's size) as aggregator `self`.
 * *out (caller's) is the open message to send to every member.
 * peers must stay valid while the aggregator lives.
 */
int node_secagg_agg_open(struct node_secagg_agg *a,
                         const struct ls_secagg_open *o, const char *self,
                         const struct ls_keypair *kp,
                         const struct node_secagg_peer *peers, size_t n_peers,
                         uint8_t **out, size_t *len, struct ls_errinfo *e);

/* Take a key, contrib or reveal message at time now. LS_OK (also for an
 * exact duplicate, which changes nothing), or the refusal: LS_EDECODE,
 * LS_ESIG, LS_EKEY, LS_EDENIED (not a member, wrong round, wrong key set
 * or close), LS_EEXISTS (a different second message), LS_ESTATE (wrong
 * phase, e.g. a contribution after the close), LS_EEXPIRED (after the
 * deadline), LS_EINVAL (a vector of the wrong length). */
int node_secagg_agg_take(struct node_secagg_agg *a, const uint8_t *msg,
                         size_t len, int64_t now, struct ls_errinfo *e);

/* Keys phase -> contributions: sign the key set (every key received).
 * LS_ESTATE with fewer than min_parties keys. */
int node_secagg_agg_keyset(struct node_secagg_agg *a,
                           const struct ls_keypair *kp, uint8_t **out,
                           size_t *len, struct ls_errinfo *e);

/* Contributions -> reveals: sign the close naming every member whose
 * contribution arrived. LS_ESTATE with fewer than min_parties. */
int node_secagg_agg_close(struct node_secagg_agg *a,
                          const struct ls_keypair *kp, uint8_t **out,
                          size_t *len, struct ls_errinfo *e);

/* Once every included member revealed: unmask, and sign the total
 * message (the noisy sum over the included members). total (may be NULL)
 * gets n_entries signed values. LS_ESTATE while reveals are missing (the
 * round is then re-run as a new attempt without the silent ones). */
int node_secagg_agg_finish(struct node_secagg_agg *a,
                           const struct ls_keypair *kp, int64_t *total,
                           uint8_t **out, size_t *len, struct ls_errinfo *e);

/*
 * After finish: the body of the federation summary document (type 7) the
 * association publishes: the round, the members in the total, the noise
 * in it (their shares of mu), the epsilon it gives, and the released
 * tables of total (ls_secagg_federation_tables with the layout the round
 * was opened with: LS_EINVAL if l's digest or size differ), totals below
 * the round's k withheld. *out must be zeroed; the caller owns it
 * (proto_fedsum_fini).
 */
int node_secagg_agg_fedsum(const struct node_secagg_agg *a,
                           const struct secagg_layout *l, const int64_t *total,
                           uint32_t persons_cap, struct ls_fedsum *out,
                           struct ls_errinfo *e);

/* Free everything; safe on a zeroed or failed aggregator. */
void node_secagg_agg_fini(struct node_secagg_agg *a);

/* ---- participant ------------------------------------------------------ */

/* What a participant brings to every step. */
struct node_secagg_self {
	const char *id;
	const struct ls_keypair *kp;          /* its node key */
	const uint8_t *secret;                /* LS_SECAGG_SECRET_BYTES */
	const uint8_t *aggregator_pk;         /* the aggregator's node key */
	/* Optional (NULL: aggregator_pk alone): the aggregator with every
	 * key it may sign with now, used instead of aggregator_pk. */
	const struct node_secagg_peer *aggregator;
	const struct node_secagg_peer *peers; /* node keys, sorted */
	size_t n_peers;
};

/* Verify the open message and answer with this node's key message.
 * LS_EDENIED when the node is not invited. */
int node_secagg_part_key(const struct node_secagg_self *s, const uint8_t *open,
                         size_t open_len, uint8_t **out, size_t *len,
                         struct ls_errinfo *e);

/*
 * Verify the key set (signed by the aggregator, for this round, every key
 * message signed by its member and for this round, sorted and unique,
 * this node's own key in it) and answer with the masked contribution of
 * counts (layout-sized, already checked against the node's bounds) plus
 * its noise shares (n = the key set's size).
 */
int node_secagg_part_contrib(const struct node_secagg_self *s,
                             const uint8_t *open, size_t open_len,
                             const uint8_t *keyset, size_t keyset_len,
                             const uint64_t *counts, size_t n, uint8_t **out,
                             size_t *len, struct ls_errinfo *e);

/*
 * Verify the close (signed by the aggregator, this round and key set, this
 * node included, every included member in the key set) and answer with
 * the reveal: the self seed and the pair seeds with the members of the key
 * set left out. revealed: the hash of the close this node already revealed
 * for in this round, or NULL; a different close is LS_EDENIED. The close's
 * hash goes to close_hash (to remember).
 */
int node_secagg_part_reveal(const struct node_secagg_self *s,
                            const uint8_t *open, size_t open_len,
                            const uint8_t *keyset, size_t keyset_len,
                            const uint8_t *close, size_t close_len,
                            const uint8_t *revealed, uint8_t close_hash[32],
                            uint8_t **out, size_t *len, struct ls_errinfo *e);

#endif
