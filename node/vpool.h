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
 *
 * Jobs: a page is a job (struct node_vpool_job, the caller's memory).
 * Jobs queue in the order they start and their items are handed out in
 * that order, so a second page (a sync client asking ahead) is verified
 * as soon as the first one's items are all taken: the threads never idle
 * while a page waits. The trust view of a job must not change while the
 * job has items left; node_vpool_drain finishes every job's items (ingest
 * calls it before the trust changes).
 *
 * Ownership: the pool owns its threads (node_vpool_free joins them);
 * each item owns the document it got (proto_doc_fini), which its caller
 * may take over. A job's items, envelopes and view stay the caller's and
 * must stay valid until node_vpool_job_finish returns, or until the
 * release callback of node_vpool_job_abandon runs.
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
	           * the start only through node_vpool_skip */
	/* out: proto_doc_verify's result, document, info and error */
	_Atomic int done;  /* 1 once the out fields are final */
	_Atomic int claim; /* the pool's: free, taken, or skipped */
	int rc;
	struct ls_doc doc;
	struct ls_doc_info info;
	struct ls_errinfo e;
};

/* One job: every field is the pool's (set by node_vpool_job_start). */
struct node_vpool_job {
	const struct ls_trust *view;
	int64_t now;
	struct node_vpool_item *items;
	size_t n;
	size_t next;     /* the next item to hand out (under the mutex) */
	size_t finished; /* items done or given up (under the mutex) */
	int queued;
	int abandoned;
	void (*release)(struct node_vpool_job *job);
	struct node_vpool_job *q_next;
};

/* A pool of `threads` (2..16: 1 is no pool). LS_EINVAL, LS_ENOMEM, or
 * LS_EINTERNAL when a thread cannot start. */
int node_vpool_new(unsigned threads, struct node_vpool **out);

/* Stop and join the threads; abandoned jobs still queued are released.
 * p may be NULL. Every other job must be finished first. */
void node_vpool_free(struct node_vpool *p);

/*
 * Queue a job: proto_doc_verify(view, items[i].env, .len, now) for every
 * item not skipped, spread over the pool's threads and whichever caller
 * waits. Returns at once. Items are reset first (rc = LS_ENOTFOUND, doc
 * zeroed). From the engine's thread (the one that waits and finishes).
 */
void node_vpool_job_start(struct node_vpool *p, struct node_vpool_job *job,
                          const struct ls_trust *view, int64_t now,
                          struct node_vpool_item *items, size_t n);

/* Return when item `it` (of a queued job, or of one finished) is final,
 * verifying the oldest untaken items of any queued job on the caller's
 * thread meanwhile. */
void node_vpool_wait(struct node_vpool *p, struct node_vpool_item *it);

/* Skip an item of a queued job that no thread has taken yet: 1 when it
 * is skipped (it->skip is then 1, rc stays LS_ENOTFOUND), 0 when a
 * thread took it first (it is verified as usual). From the engine's
 * thread, before the item's wait, so that it can look its items up
 * while the pool already verifies. */
int node_vpool_skip(struct node_vpool_item *it);

/* Return when every item of the job is done (verifying its untaken ones
 * here), and take the job off the queue. Call it before the items are
 * freed, also after an error. A job never started (or of no items) is
 * fine. */
void node_vpool_job_finish(struct node_vpool *p, struct node_vpool_job *job);

/* Return when no queued job has an item left or in flight (verifying
 * untaken items here): then no thread reads any job's view. The jobs
 * stay queued (their owners finish them). */
void node_vpool_drain(struct node_vpool *p);

/* Give a job up, from any thread: its untaken items are not verified
 * (rc stays LS_ENOTFOUND, done 0) and release(job) runs once no thread
 * reads its items any more: at once on this thread, or on the thread
 * that finishes its last item in flight. release must only free memory
 * (the job's items, documents and envelopes). */
void node_vpool_job_abandon(struct node_vpool *p, struct node_vpool_job *job,
                            void (*release)(struct node_vpool_job *job));

/* One job at a time, on the pool's own job: start returns at once,
 * finish returns when every item is done (as job_start, job_finish). */
void node_vpool_start(struct node_vpool *p, const struct ls_trust *view,
                      int64_t now, struct node_vpool_item *items, size_t n);
void node_vpool_finish(struct node_vpool *p);

#endif
