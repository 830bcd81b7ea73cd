/*
 * The verify pool: a queue of jobs (pages), oldest first, whose items
 * are handed out one at a time under the mutex, so a thread that
 * finishes early takes the next one (of this page or the next) and big
 * documents do not leave a core idle. The mutex is held only to take an
 * item and to count it finished: a verification is some 70 us, a lock
 * well under one. Workers sleep on `wake` while no queued job has an
 * item left; a thread that waits for an item, a job or the drain sleeps
 * on `done`, broadcast whenever an item finishes while someone waits.
 *
 * Pipelined use (node/ingest): the engine starts a job and takes its
 * items in order with node_vpool_wait, which verifies untaken items
 * itself while the one it needs is not done, so its store work on item
 * i overlaps the workers' verification of the items after it; a second
 * job queued behind the first (a page asked ahead) keeps the workers
 * busy while the engine stores and commits the first. Each item's
 * `done` is set with release order after its result is written, and
 * read with acquire order. An item is claimed once (`claim`,
 * compare-and-swap): by the thread that verifies it, or by the engine
 * skipping it (node_vpool_skip), so the engine can look its items up in
 * the store after the job started.
 *
 * A job given up (node_vpool_job_abandon, e.g. a sync round that fails
 * with a page asked ahead) hands out nothing more; the last of its items
 * in flight releases it.
 */
#include "node/vpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common/alloc.h"

#define VPOOL_MAX 16

struct node_vpool {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* workers: a job queued, or stop */
	pthread_cond_t done; /* waiters: an item finished */
	pthread_t threads[VPOOL_MAX];
	unsigned n_threads;
	int stop;
	struct node_vpool_job *head, *tail; /* queued jobs, oldest first */
	unsigned waiting;                   /* threads sleeping on done */
	struct node_vpool_job own;          /* node_vpool_start's */
};

enum { CLAIM_FREE, CLAIM_TAKEN, CLAIM_SKIPPED };

/* Under mu: the oldest queued job with an item left to hand out. */
static struct node_vpool_job *job_open(struct node_vpool *p)
{
	for (struct node_vpool_job *j = p->head; j != NULL; j = j->q_next)
		if (j->next < j->n)
			return j;
	return NULL;
}

/* Under mu: take the job off the queue. */
static void job_unlink(struct node_vpool *p, struct node_vpool_job *job)
{
	struct node_vpool_job **jp, *prev = NULL;
	for (jp = &p->head; *jp != NULL; prev = *jp, jp = &(*jp)->q_next)
		if (*jp == job) {
			*jp = job->q_next;
			if (p->tail == job)
				p->tail = prev;
			break;
		}
	job->q_next = NULL;
	job->queued = 0;
}

/* Under mu (released while verifying): hand out the job's next item to
 * this thread and verify it, unless the engine skipped it first. */
static void run_next(struct node_vpool *p, struct node_vpool_job *j)
{
	struct node_vpool_item *it = &j->items[j->next++];
	const struct ls_trust *view = j->view;
	int64_t now = j->now;
	int expect = CLAIM_FREE;

	pthread_mutex_unlock(&p->mu);
	if (atomic_compare_exchange_strong(&it->claim, &expect, CLAIM_TAKEN))
		it->rc = proto_doc_verify(view, it->env, it->len, now, &it->doc,
		                          &it->info, &it->e);
	atomic_store_explicit(&it->done, 1, memory_order_release);
	pthread_mutex_lock(&p->mu);
	j->finished++;
	if (p->waiting > 0)
		pthread_cond_broadcast(&p->done);
	if (j->abandoned && j->finished == j->n) {
		job_unlink(p, j);
		j->release(j); /* frees memory only */
	}
}

int node_vpool_skip(struct node_vpool_item *it)
{
	int expect = CLAIM_FREE;
	if (!atomic_compare_exchange_strong(&it->claim, &expect, CLAIM_SKIPPED))
		return expect == CLAIM_SKIPPED;
	it->skip = 1;
	return 1;
}

static void *worker(void *arg)
{
	struct node_vpool *p = arg;
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct node_vpool_job *j = job_open(p);
		if (j == NULL)
			pthread_cond_wait(&p->wake, &p->mu);
		else
			run_next(p, j);
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
	/* No thread is left to finish what is queued: an abandoned job's
	 * items in flight are done (their threads were joined). */
	while (p->head != NULL) {
		struct node_vpool_job *j = p->head;
		job_unlink(p, j);
		if (j->abandoned)
			j->release(j);
	}
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	ls_free(p);
}

void node_vpool_job_start(struct node_vpool *p, struct node_vpool_job *job,
                          const struct ls_trust *view, int64_t now,
                          struct node_vpool_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		items[i].rc = LS_ENOTFOUND;
		memset(&items[i].doc, 0, sizeof items[i].doc);
		ls_errinfo_clear(&items[i].e);
		atomic_init(&items[i].done, 0);
		atomic_init(&items[i].claim,
		            items[i].skip ? CLAIM_SKIPPED : CLAIM_FREE);
	}
	memset(job, 0, sizeof *job);
	job->view = view;
	job->now = now;
	job->items = items;
	job->n = n;
	if (n == 0)
		return;
	pthread_mutex_lock(&p->mu);
	job->queued = 1;
	if (p->tail != NULL)
		p->tail->q_next = job;
	else
		p->head = job;
	p->tail = job;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_wait(struct node_vpool *p, struct node_vpool_item *it)
{
	if (atomic_load_explicit(&it->done, memory_order_acquire))
		return;
	pthread_mutex_lock(&p->mu);
	while (!atomic_load_explicit(&it->done, memory_order_acquire)) {
		/* Not done: verify the oldest untaken item here (maybe this
		 * one), or, when every item is taken, wait for the thread
		 * that has it. */
		struct node_vpool_job *j = job_open(p);
		if (j != NULL) {
			run_next(p, j);
			continue;
		}
		p->waiting++;
		pthread_cond_wait(&p->done, &p->mu);
		p->waiting--;
	}
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_job_finish(struct node_vpool *p, struct node_vpool_job *job)
{
	pthread_mutex_lock(&p->mu);
	if (!job->queued) {
		pthread_mutex_unlock(&p->mu);
		return;
	}
	while (job->next < job->n)
		run_next(p, job);
	while (job->finished < job->n) {
		p->waiting++;
		pthread_cond_wait(&p->done, &p->mu);
		p->waiting--;
	}
	job_unlink(p, job);
	pthread_mutex_unlock(&p->mu);
}

/* Under mu: does a queued job have an item in flight? */
static int any_in_flight(struct node_vpool *p)
{
	for (struct node_vpool_job *j = p->head; j != NULL; j = j->q_next)
		if (j->finished < j->n)
			return 1;
	return 0;
}

void node_vpool_drain(struct node_vpool *p)
{
	struct node_vpool_job *j;
	pthread_mutex_lock(&p->mu);
	while ((j = job_open(p)) != NULL)
		run_next(p, j);
	while (any_in_flight(p)) {
		p->waiting++;
		pthread_cond_wait(&p->done, &p->mu);
		p->waiting--;
	}
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_job_abandon(struct node_vpool *p, struct node_vpool_job *job,
                            void (*release)(struct node_vpool_job *job))
{
	pthread_mutex_lock(&p->mu);
	if (!job->queued) {
		pthread_mutex_unlock(&p->mu);
		release(job);
		return;
	}
	job->finished += job->n - job->next;
	job->next = job->n;
	job->abandoned = 1;
	job->release = release;
	if (job->finished == job->n) {
		job_unlink(p, job);
		pthread_mutex_unlock(&p->mu);
		release(job);
		return;
	}
	pthread_mutex_unlock(&p->mu);
}

void node_vpool_start(struct node_vpool *p, const struct ls_trust *view,
                      int64_t now, struct node_vpool_item *items, size_t n)
{
	node_vpool_job_start(p, &p->own, view, now, items, n);
}

void node_vpool_finish(struct node_vpool *p)
{
	node_vpool_job_finish(p, &p->own);
}
