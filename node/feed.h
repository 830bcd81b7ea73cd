/*
 * A node's own feed, and reading documents back from the store.
 *
 * node_feed_publish() is the one way a node adds to its own feed (a
 * released summary, a status, a dossier note): it takes the head from the
 * store, signs the next document and appends it, so the feed can never get
 * a gap or fork through this node's own doing. The daemon must not call it
 * before it has learned its own head from its peers after a restore
 * (PROTOCOL.md, "Restore from backup").
 */
#ifndef LS_NODE_FEED_H
#define LS_NODE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/doc.h"
#include "proto/key.h"
#include "store/feed.h"

/*
 * Sign doc as the next document of its origin's feed (doc->hdr.type,
 * origin and body set by the caller; seq, prev and created are filled in)
 * and append it. Joins the caller's transaction if one is open, else
 * commits. On LS_OK *meta (may be NULL) describes what was stored.
 * LS_EINVAL (doc fails the format's rules), LS_ESTORE, LS_ENOMEM.
 */
int node_feed_publish(struct store *s, const struct ls_keypair *kp,
                      struct ls_doc *doc, int64_t created,
                      struct store_doc_meta *meta, struct ls_errinfo *e);

/*
 * The own key as the roster a node holds lists it (PROTOCOL.md 6,
 * "Rotation"): a copy of its window, revocation and the member's
 * departure, small enough to hand to another thread by value. A node
 * MUST sign only with a key this allows for the document's created and
 * seq; a document it signs otherwise is refused by every receiver that
 * holds the roster and stops its feed there.
 */
struct node_feed_key {
	/* 0: the node holds no roster yet (before it joined): nothing to
	 * check, documents are signed as always. */
	int has_roster;
	/* 1: the roster lists the key as one of this node's keys. */
	int listed;
	struct ls_roster_key key;
	int revoked;
	struct ls_roster_revocation revocation;
	int64_t left; /* the member's departure; 0: none */
	int has_left_seq;
	uint64_t left_seq;
};

/*
 * Look up key_id as a key of node_id in roster r (NULL: no roster yet)
 * into *out. Copies what it needs: *out does not point into r.
 */
void node_feed_key_of(const struct ls_roster *r, const char *node_id,
                      const uint8_t key_id[LS_KEY_ID_BYTES],
                      struct node_feed_key *out);

/*
 * May the own key sign a document created at `created` at position seq
 * (0: the position is not known yet; only the time is judged)? LS_OK
 * (also when there is no roster); LS_EKEY (not listed for this node),
 * LS_EEXPIRED (created outside its window), LS_EREVOKED (revoked, or the
 * member left) — the codes a receiver would refuse it with.
 */
int node_feed_key_check(const struct node_feed_key *k, int64_t created,
                        uint64_t seq);

/*
 * When the own key stops being usable (the earliest of its valid_until,
 * its revocation's at and the member's left); 0 when nothing closes it
 * (or no roster, or not listed).
 */
int64_t node_feed_key_closes(const struct node_feed_key *k);

/*
 * node_feed_publish, but only if own (never NULL) allows the key to sign
 * at `created` and the next position (node_feed_key_check); otherwise
 * nothing is signed or written and its code is returned with *e saying
 * why. The daemon publishes only through this one; tools that must
 * write what a receiver refuses (tests of revocation) use
 * node_feed_publish.
 */
int node_feed_publish_checked(struct store *s, const struct ls_keypair *kp,
                              const struct node_feed_key *own,
                              struct ls_doc *doc, int64_t created,
                              struct store_doc_meta *meta,
                              struct ls_errinfo *e);

/*
 * The key id that signed the latest document of origin held in s (the
 * key its node signs with now, as far as this node knows). LS_ENOTFOUND
 * when none is held; LS_EDECODE, LS_ESTORE.
 */
int node_feed_signer(struct store *s, const char *origin,
                     uint8_t key_id[LS_KEY_ID_BYTES]);

/*
 * Decode a stored envelope into *out without verifying it again (it was
 * verified before it was stored). *out is the caller's (proto_doc_fini).
 */
int node_feed_decode(const uint8_t *envelope, size_t len, struct ls_doc *out,
                     struct ls_errinfo *e);

/* Read one stored document of (origin, seq) and decode it. LS_ENOTFOUND. */
int node_feed_read(struct store *s, const char *origin, uint64_t seq,
                   struct ls_doc *out, struct ls_errinfo *e);

#endif
