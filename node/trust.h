/*
 * The trust a node works under: the federation's roster, disclosure
 * policy and taxonomy in force.
 *
 * They are the latest documents of the federation feed (origin = the
 * federation id), which every node holds like any other feed. At start-up
 * node_trust_load() rebuilds them by verifying that feed from seq 1 in
 * order, starting from the anchor (the federation public key in the
 * node's configuration) — so a node trusts nothing it has not verified
 * itself, even from its own store. Later federation documents arrive by
 * sync: node_trust_check() says whether one may be stored, and after it
 * is stored node_trust_admit() puts it in force.
 *
 * A roster replaces the one in force only as its valid successor
 * (proto_roster_check_successor): keys and members are never dropped,
 * revocations never withdrawn.
 *
 * Policies have epochs (PROTOCOL.md 5.3): a policy is in force from its
 * document's `created` until the next policy's, and the trust keeps every
 * policy of the federation feed, so a summary is judged by the policy in
 * force when it was made (node_trust_policy_at), never by a later one. A
 * policy created before the one in force would apply retroactively and
 * is refused (LS_EPOLICY).
 *
 * Ownership: a struct node_trust owns its documents and its epochs
 * (node_trust_fini).
 * Pointers it hands out are valid until the next admit, load or fini.
 */
#ifndef LS_NODE_TRUST_H
#define LS_NODE_TRUST_H

#include <stdint.h>

#include "common/err.h"
#include "proto/doc.h"
#include "store/store.h"

/* One policy of the federation feed and the time it came into force. */
struct node_trust_epoch {
	int64_t from; /* the policy document's created */
	uint64_t seq; /* its seq in the federation feed */
	struct ls_policy policy;
};

struct node_trust {
	char federation[LS_NODE_ID_SIZE];
	int has_anchor;
	uint8_t anchor_pk[LS_PUBKEY_BYTES];
	/* The documents in force; hdr.seq == 0 where none is known yet. */
	struct ls_doc roster;
	struct ls_doc policy;
	struct ls_doc taxonomy;
	/* Every policy of the federation feed, in feed order (so `from`
	 * ascending). */
	struct node_trust_epoch *epochs;
	size_t n_epochs;
	/* The position of the federation feed the trust was built to. */
	struct ls_feed_head head;
};

/* An empty trust for the federation `federation` with its anchor key
 * (NULL: no anchor configured; then no roster can ever be accepted and
 * the node runs on its own). */
void node_trust_init(struct node_trust *t, const char *federation,
                     const uint8_t anchor_pk[LS_PUBKEY_BYTES]);

void node_trust_fini(struct node_trust *t);

/*
 * Rebuild from the federation feed in the store (t must be fresh from
 * node_trust_init). A stored document that does not verify or a roster
 * that is not a valid successor stops the load with that error: the
 * store was tampered with or written by a broken build; the node must not
 * run on it.
 */
int node_trust_load(struct node_trust *t, struct store *s, int64_t now,
                    struct ls_errinfo *e);

/* The view proto_doc_verify() and the sessions work with. Points into t. */
void node_trust_view(const struct node_trust *t, struct ls_trust *out);

/*
 * May this verified federation document be stored? It must be the next
 * one of the federation feed (LS_ECHAIN otherwise) and, for a roster, a
 * valid successor of the one in force (LS_EPOLICY otherwise). Documents
 * of other origins are no concern of the trust: LS_OK.
 */
int node_trust_check(const struct node_trust *t, const struct ls_doc *doc,
                     const uint8_t hash[LS_HASH_BYTES], struct ls_errinfo *e);

/*
 * Put a stored federation document in force (after node_trust_check and
 * store_feed_append succeeded). Takes the document: on LS_OK *doc is
 * zeroed and t owns what it held. A document of another origin is left
 * alone (LS_OK, *doc unchanged).
 */
int node_trust_admit(struct node_trust *t, struct ls_doc *doc,
                     const uint8_t hash[LS_HASH_BYTES], struct ls_errinfo *e);

/* The documents in force, or NULL where none is known yet. */
const struct ls_roster *node_trust_roster(const struct node_trust *t);
const struct ls_policy *node_trust_policy(const struct node_trust *t);
const struct ls_taxonomy_doc *node_trust_taxonomy(const struct node_trust *t);

/*
 * The policy a document created at `created` is judged by (PROTOCOL.md
 * 5.3): the last policy of the federation feed whose `created` is at or
 * before it; a document older than the federation's first policy is
 * judged by that first policy (the federation had no rule before it).
 * *seq_out (may be NULL) is the policy's seq in the federation feed.
 * NULL when the trust holds no policy at all (the federation feed has not
 * brought one yet). Points into t.
 */
const struct ls_policy *node_trust_policy_at(const struct node_trust *t,
                                             int64_t created,
                                             uint64_t *seq_out);

/* A document's own check against one policy (e.g. a summary's
 * parameters and period: proto_summary_check_policy). LS_OK or the
 * refusal, its message in e (which may be NULL). */
typedef int (*node_policy_check_fn)(const void *doc, const struct ls_policy *p,
                                    int64_t created, struct ls_errinfo *e);

/*
 * Judge a document made at `created` by the policies of the federation
 * feed (PROTOCOL.md 5.3, "Epochs"):
 *   LS_OK, *uncounted 0   the policy of its time allows it (or, made in
 *                         the second that policy was created, the one
 *                         before it does): it counts;
 *   LS_OK, *uncounted = the federation seq of the policy of its time
 *                         that policy refuses it, but an earlier policy of
 *                         the feed allows it (made by a node that had not
 *                         learned the change yet): it is held for its
 *                         feed's chain and counted nowhere; e says why;
 *   LS_EPOLICY            no policy in force at or before its time allows
 *                         it: refused;
 *   LS_ESTATE             no policy is known yet.
 * The verdict is a function of the document and the federation feed
 * held: a later policy can turn "counted" into "uncounted" and back, and
 * a refusal into either, never a held document into a refusal, so
 * receivers that learn the feed in different orders still hold the same
 * documents (their marks agree once they hold the same feed). e may be
 * NULL.
 */
int node_trust_judge(const struct node_trust *t, int64_t created,
                     node_policy_check_fn check, const void *doc,
                     uint64_t *uncounted, struct ls_errinfo *e);


#endif
