/*
 * The verify pool: one job at a time (a page), items handed out by an
 * atomic counter, so a thread that finishes early takes the next one and
 * big documents do not leave a core idle. A job is announced by bumping
 * `gen` under the mutex; the caller takes items too and then waits until
 * every taken item is finished and no worker is still inside the job.
 * A job starts only when no worker is inside one (`busy` = 0), so a
 * worker always sees one job's items, count and counter together.
 *
 * Pipelined use (node/ingest): node_vpool_start returns at once; the
 * caller takes the items in order with node_vpool_wait, which verifies
 * untaken items itself while the one it needs is not done, so the
 * caller's store work on item i overlaps the workers' verification of
 * the items after it. Each item's `done` is set with release order after
 * its result is written, and read with acquire order. An item is
 * claimed once (`claim`, compare-and-swap): by the thread that verifies
 * it, or by the caller skipping it (node_vpool_skip), so the caller can
 * look its items up in the store after the job started.
 */
#include "node/vpool.h"

#include "common/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define VPOOL_MAX 16

struct node_vpool {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* workers: a new job, or stop */
	pthread_cond_t done; /* caller: the job is finished */
	pthread_t threads[VPOOL_MAX];
	unsigned n_threads;
	int stop;
	uint64_t gen;
	/* The job. */
	const struct ls_trust *view;
	int64_t now;
	struct node_vpool_item *items;
	size_t n;
	atomic_size_t next;
	size_t finished;          /* under mu */
	unsigned busy;            /* workers inside work(), under mu */
	size_t caller_did;        /* items the caller verified (its own) */
	pthread_cond_t item_done; /* caller: an item is finished */
	int waiting;              /* the caller waits on item_done (mu) */
};

enum { CLAIM_FREE, CLAIM_TAKEN, CLAIM_SKIPPED };

/* Verify item i (taken from the counter by this thread), unless the
 * caller skipped it first. */
static void verify_one(struct node_vpool *p, size_t i)
{
	struct node_vpool_item *it = &p->items[i];
	int expect = CLAIM_FREE;
	if (atomic_compare_exchange_strong(&it->claim, &expect, CLAIM_TAKEN))
		it->rc = proto_doc_verify(p->view, it->env, it->len, p->now,
		                          &it->doc, &it->info, &it->e);
	atomic_store_explicit(&it->done, 1, memory_order_release);
}

int node_vpool_skip(struct node_vpool_item *it)
{
	int expect = CLAIM_FREE;
	if (!atomic_compare_exchange_strong(&it->claim, &expect, CLAIM_SKIPPED))
		return expect == CLAIM_SKIPPED;
	it->skip = 1;
	return 1;
}

/* Take items until none is left; returns how many this thread did. */
static size_t work(struct node_vpool *p)
{
	size_t did = 0;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			return did;
		verify_one(p, i);
		did++;
		/* the caller may be waiting for just this one (cheap check:
		 * a mutex only when it waits) */
		pthread_mutex_lock(&p->mu);
		if (p->waiting)
			pthread_cond_signal(&p->item_done);
		pthread_mutex_unlock(&p->mu);
	}
}

static void *worker(void *arg)
{
	struct node_vpool *p = arg;
	uint64_t seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t did;
		while (!p->stop && p->gen == seen)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->stop)
			break;
		seen = p->gen;
		p->busy++;
		pthread_mutex_unlock(&p->mu);
		did = work(p);
		pthread_mutex_lock(&p->mu);
		p->finished += did;
		p->busy--;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int node_vpool_new(unsigned threads, struct node_vpool **out)
{
	struct node_vpool *p;
	*out = NULL;
	if (threads < 2 || threads > VPOOL_MAX)
		return LS_EINVAL;
	p = ls_calloc(1, sizeof *p);
	if (p == NULL)
		return LS_ENOMEM;
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		goto err_after_alloc;
	if (pthread_cond_init(&p->wake, NULL) != 0)
		goto err_after_mu;
	if (pthread_cond_init(&p->done, NULL) != 0)
		goto err_after_wake;
	if (pthread_cond_init(&p->item_done, NULL) != 0) {
		pthread_cond_destroy(&p->done);
		goto err_after_wake;
	}
	atomic_init(&p->next, 0);
	for (unsigned i = 0; i + 1 < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
			node_vpool_free(p);
			return LS_EINTERNAL;
		}
		p->n_threads++;
	}
	*out = p;
	return LS_OK;

err_after_wake:
	pthread_cond_destroy(&p->wake);
err_after_mu:
	pthread_mutex_destroy(&p->mu);
err_after_alloc:
	ls_free(p);
	return LS_EINTERNAL;
}

void node_vpool_free(struct node_vpool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->item_done);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	ls_free(p);
}

void node_vpool_start(struct node_vpool *p, const struct ls_trust *view,
                      int64_t now, struct node_vpool_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		items[i].rc = LS_ENOTFOUND;
		memset(&items[i].doc, 0, sizeof items[i].doc);
		ls_errinfo_clear(&items[i].e);
		atomic_init(&items[i].done, 0);
		atomic_init(&items[i].claim,
		            items[i].skip ? CLAIM_SKIPPED : CLAIM_FREE);
	}
	pthread_mutex_lock(&p->mu);
	while (p->busy > 0) /* a worker that woke late for the last job */
		pthread_cond_wait(&p->done, &p->mu);
	p->view = view;
	p->now = now;
	p->items = items;
	p->n = n;
	p->finished = 0;
	p->caller_did = 0;
	atomic_store(&p->next, 0);
	if (n > 0) {
		p->gen++;
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_wait(struct node_vpool *p, struct node_vpool_item *it)
{
	while (!atomic_load_explicit(&it->done, memory_order_acquire)) {
		/* Not done: verify the next untaken item here (maybe this
		 * one), or, when every item is taken, wait for the thread
		 * that has it. */
		size_t j = atomic_fetch_add(&p->next, 1);
		if (j < p->n) {
			verify_one(p, j);
			p->caller_did++;
			continue;
		}
		pthread_mutex_lock(&p->mu);
		p->waiting = 1;
		while (!atomic_load_explicit(&it->done, memory_order_acquire))
			pthread_cond_wait(&p->item_done, &p->mu);
		p->waiting = 0;
		pthread_mutex_unlock(&p->mu);
	}
}

void node_vpool_finish(struct node_vpool *p)
{
	if (p->n == 0)
		return;
	p->caller_did += work(p);
	pthread_mutex_lock(&p->mu);
	p->finished += p->caller_did;
	while (p->finished < p->n || p->busy > 0)
		pthread_cond_wait(&p->done, &p->mu);
	p->items = NULL;
	p->n = 0;
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_run(struct node_vpool *p, const struct ls_trust *view,
                    int64_t now, struct node_vpool_item *items, size_t n)
{
	node_vpool_start(p, view, now, items, n);
	node_vpool_finish(p);
}
