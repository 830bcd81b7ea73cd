/*
 * The verify pool: one job at a time (a page), items handed out by an
 * atomic counter, so a thread that finishes early takes the next one and
 * big documents do not leave a core idle. A job is announced by bumping
 * `gen` under the mutex; the caller takes items too and then waits until
 * every taken item is finished and no worker is still inside the job.
 * A job starts only when no worker is inside one (`busy` = 0), so a
 * worker always sees one job's items, count and counter together.
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
	size_t finished; /* under mu */
	unsigned busy;   /* workers inside work(), under mu */
};

/* Take items until none is left; returns how many this thread did. */
static size_t work(struct node_vpool *p)
{
	size_t did = 0;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		struct node_vpool_item *it;
		if (i >= p->n)
			return did;
		it = &p->items[i];
		if (!it->skip)
			it->rc =
			    proto_doc_verify(p->view, it->env, it->len, p->now,
			                     &it->doc, &it->info, &it->e);
		did++;
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
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	ls_free(p);
}

void node_vpool_run(struct node_vpool *p, const struct ls_trust *view,
                    int64_t now, struct node_vpool_item *items, size_t n)
{
	size_t did;
	for (size_t i = 0; i < n; i++) {
		items[i].rc = LS_ENOTFOUND;
		memset(&items[i].doc, 0, sizeof items[i].doc);
		ls_errinfo_clear(&items[i].e);
	}
	if (n == 0)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->busy > 0) /* a worker that woke late for the last job */
		pthread_cond_wait(&p->done, &p->mu);
	p->view = view;
	p->now = now;
	p->items = items;
	p->n = n;
	p->finished = 0;
	atomic_store(&p->next, 0);
	p->gen++;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);

	did = work(p);

	pthread_mutex_lock(&p->mu);
	p->finished += did;
	while (p->finished < p->n || p->busy > 0)
		pthread_cond_wait(&p->done, &p->mu);
	p->items = NULL;
	p->n = 0;
	pthread_mutex_unlock(&p->mu);
}
