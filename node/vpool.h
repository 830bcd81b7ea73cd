/*
 * A small pool of threads that verify documents in parallel: node/ingest
 * hands it the envelopes of a page (PROTOCOL.md 3, steps 1-6:
 * proto_doc_verify, the signature, the strict decode and the document
 * hash, all pure functions of the bytes and the trust), and then takes
 * the verified documents in one by one on its own thread, as before
 * (chain, fork, trust, store). Nothing here touches the store, the event
 * loop or the log.
 *
 * The caller's thread works too: a pool of n threads starts n - 1.
 * node_vpool_run returns when every item is done. The trust view must
 * not change while it runs (ingest takes a page with one trust; a page
 * that changes the trust re-verifies what follows on its own thread).
 *
 * Ownership: the pool owns its threads (node_vpool_free joins them);
 * each item owns the document it got (proto_doc_fini), which its caller
 * may take over.
 */
#ifndef LS_NODE_VPOOL_H
#define LS_NODE_VPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/doc.h"

struct node_vpool;

struct node_vpool_item {
	/* in */
	const uint8_t *env;
	size_t len;
	int skip; /* 1: leave this one (rc stays LS_ENOTFOUND); after
	           * node_vpool_start only through node_vpool_skip */
	/* out: proto_doc_verify's result, document, info and error */
	_Atomic int done;  /* 1 once the out fields are final */
	_Atomic int claim; /* the pool's: free, taken, or skipped */
	int rc;
	struct ls_doc doc;
	struct ls_doc_info info;
	struct ls_errinfo e;
};

/* A pool of `threads` (2..16: 1 is no pool). LS_EINVAL, LS_ENOMEM, or
 * LS_EINTERNAL when a thread cannot start. */
int node_vpool_new(unsigned threads, struct node_vpool **out);

/* Stop and join the threads. p may be NULL. */
void node_vpool_free(struct node_vpool *p);

/* proto_doc_verify(view, items[i].env, .len, now) for every item not
 * skipped, spread over the pool and the caller. Items are reset first
 * (rc = LS_ENOTFOUND, doc zeroed). */
void node_vpool_run(struct node_vpool *p, const struct ls_trust *view,
                    int64_t now, struct node_vpool_item *items, size_t n);

/* The same in steps, so that the caller works on item i while the pool
 * verifies the ones after it: start returns at once (the items and the
 * view must stay valid and unchanged until finish); wait(it) returns
 * when item it (of the job, or of one finished) is final (verifying other items
 * on the caller's thread meanwhile); finish returns when every item is (call it
 * before the items are freed, also after an error). One job at a time, from one
 * caller thread. */
void node_vpool_start(struct node_vpool *p, const struct ls_trust *view,
                      int64_t now, struct node_vpool_item *items, size_t n);
void node_vpool_wait(struct node_vpool *p, struct node_vpool_item *it);
/* Skip an item of the running job that no thread has taken yet: 1 when
 * it is skipped (it->skip is then 1, rc stays LS_ENOTFOUND), 0 when a
 * thread took it first (it is verified as usual). From the caller's
 * thread, between start and the item's wait, so that the caller can
 * look its items up while the pool already verifies. */
int node_vpool_skip(struct node_vpool_item *it);
void node_vpool_finish(struct node_vpool *p);

#endif
