/*
 * What the sync engine's parts share (node/sync.c: the engine, its
 * version vector and the pages both sides fill from the store;
 * node/sync_server.c: answering a peer's request frame;
 * node/sync_client.c: a round with a peer). Not an API: only node/sync*.c
 * include this; everything else uses node/sync.h.
 */
#ifndef LS_NODE_SYNC_INTERNAL_H
#define LS_NODE_SYNC_INTERNAL_H

#include "node/sync.h"

#include "store/feed.h"

#include <stddef.h>
#include <stdint.h>

/* What a store walk's callback returns to stop it: not an LS_E* code,
 * so that it cannot be mistaken for the store's own errors. */
#define WALK_STOP 1000

/* --- copies of envelopes that a message being built points to -------- */

struct arena {
	uint8_t **bufs;
	size_t n, cap;
};

/* The arena takes buf (LS_OK); on LS_ENOMEM the caller keeps it. */
int node_sync_arena_take(struct arena *a, uint8_t *buf);
/* A copy of p[0..len) owned by the arena, or NULL (out of memory). */
uint8_t *node_sync_arena_copy(struct arena *a, const uint8_t *p, size_t len);
/* Frees everything the arena owns and empties it. */
void node_sync_arena_free(struct arena *a);

/* --- own summaries handed to a peer (audit log, "sent") ------------- */

struct sent_doc {
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
};

struct sent_docs {
	struct sent_doc *v;
	size_t n, cap;
};

/*
 * Record in the audit log, in one transaction, that the own summaries in
 * sd go to peer. Called before the page leaves: a summary whose sending
 * cannot be recorded is not sent (the request fails instead). A document
 * already recorded for that peer (a resend, a peer that lost it) stays
 * one entry. sd stays the caller's.
 */
int node_sync_sent_record(struct node_sync *ns, const char *peer,
                          const struct sent_docs *sd, int64_t now);

/* --- pages from the store -------------------------------------------- */

struct page_fill {
	struct ls_sync_msg *page;
	const struct ls_sync_msg *req; /* DOCS_REQ bounds, or NULL */
	size_t max_docs, max_bytes;    /* own bounds (push) */
	struct arena *arena;
	int full;
	uint64_t last;
	int rc;
	/* The own summaries on the page (seq and hash), for the audit log's
	 * "sent" entries; NULL: not tracked. */
	const char *self;
	struct sent_docs *sent;
};

/* Add the documents of want w to the page, as far as they fit. */
int node_sync_page_fill_want(struct store *s, struct page_fill *pf,
                             const struct ls_sync_want *w);

/* --- fork proofs from the store -------------------------------------- */

struct fork_find {
	const char *origin;
	uint8_t *proof;
	size_t len;
	int rc;
};

/* store_fork_list callback: copies the proof for ff->origin into
 * ff->proof (ls_malloc, the caller's) and stops the walk (WALK_STOP). */
int node_sync_fork_find_cb(void *arg, const struct store_fork *f,
                           const uint8_t *proof, size_t len);

#endif
