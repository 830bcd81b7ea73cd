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
 * Decode a stored envelope into *out without verifying it again (it was
 * verified before it was stored). *out is the caller's (proto_doc_fini).
 */
int node_feed_decode(const uint8_t *envelope, size_t len, struct ls_doc *out,
                     struct ls_errinfo *e);

/* Read one stored document of (origin, seq) and decode it. LS_ENOTFOUND. */
int node_feed_read(struct store *s, const char *origin, uint64_t seq,
                   struct ls_doc *out, struct ls_errinfo *e);

#endif
