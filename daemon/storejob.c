/*
 * Store jobs off the loop (daemon/storejob.h): two lanes, a thread and a
 * store connection each, FIFO queues under one mutex. A job that ran is
 * handed back to the loop through the handoff queue (daemon_handoff_post);
 * its done runs there.
 */
#include "daemon/storejob.h"

#include "common/alloc.h"
#include "core/attack.h"
#include "common/path.h"
#include "common/log.h"
#include "store/store.h"

#include <string.h>

struct lane {
	struct storejobs *owner;
	enum storejob_lane which;
	pthread_t thread;
	int started;
	struct store *store;
	pthread_cond_t cv;
	struct storejob *head, *tail; /* queued, not yet run */
};

struct storejobs {
	struct daemon *d; /* only d->handoff off the loop */
	pthread_mutex_t mu;
	int stopping;     /* under mu */
	int write_health; /* the write lane's, after its last job (mu) */
	/* ran, posted to the loop, done not yet called (under mu) */
	struct storejob *posted;
	struct lane lanes[STOREJOB_LANES_];
};

static const char *const lane_names[STOREJOB_LANES_] = {"write", "read"};

/* Loop thread: the job is back. */
static void job_back_cb(struct handoff_item *item)
{
	struct storejob *job =
	    (struct storejob *)((char *)item - offsetof(struct storejob, item));
	struct storejobs *j = job->owner;
	struct storejob **pp;

	pthread_mutex_lock(&j->mu);
	for (pp = &j->posted; *pp != NULL; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			break;
		}
	pthread_mutex_unlock(&j->mu);
	job->next = NULL;
	job->busy = 0;
	job->done(job);
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	struct storejobs *j = l->owner;

	for (;;) {
		struct storejob *job;
		pthread_mutex_lock(&j->mu);
		while (!j->stopping && l->head == NULL)
			pthread_cond_wait(&l->cv, &j->mu);
		if (j->stopping) {
			pthread_mutex_unlock(&j->mu);
			break;
		}
		job = l->head;
		l->head = job->next;
		if (l->head == NULL)
			l->tail = NULL;
		job->next = NULL;
		pthread_mutex_unlock(&j->mu);

		job->rc = job->run(job, l->store);

		pthread_mutex_lock(&j->mu);
		if (l->which == STOREJOB_WRITE)
			j->write_health = store_write_health(l->store);
		job->next = j->posted;
		j->posted = job;
		pthread_mutex_unlock(&j->mu);
		daemon_handoff_post(&j->d->handoff, &job->item);
	}
	ls_attack_thread_fini(); /* a release or preview ran the gate */
	return NULL;
}

int daemon_storejob_submit(struct storejobs *j, enum storejob_lane lane,
                           struct storejob *job)
{
	struct lane *l;
	if (j == NULL || (unsigned)lane >= STOREJOB_LANES_)
		return LS_ESTATE;
	if (job->busy)
		return LS_EBUSY;
	l = &j->lanes[lane];
	pthread_mutex_lock(&j->mu);
	if (j->stopping) {
		pthread_mutex_unlock(&j->mu);
		return LS_ESTATE;
	}
	job->owner = j;
	job->next = NULL;
	job->rc = LS_OK;
	job->busy = 1;
	memset(&job->item, 0, sizeof job->item);
	job->item.cb = job_back_cb;
	if (l->tail != NULL)
		l->tail->next = job;
	else
		l->head = job;
	l->tail = job;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&j->mu);
	return LS_OK;
}

int daemon_storejob_busy(const struct storejob *job)
{
	return job->busy;
}

int daemon_storejobs_write_health(struct storejobs *j)
{
	int rc;
	if (j == NULL)
		return LS_OK;
	pthread_mutex_lock(&j->mu);
	rc = j->write_health;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int daemon_storejob_stopping(const struct storejob *job)
{
	struct storejobs *j = job->owner;
	int stopping;
	pthread_mutex_lock(&j->mu);
	stopping = j->stopping;
	pthread_mutex_unlock(&j->mu);
	return stopping;
}

int daemon_storejobs_open(struct daemon *d, struct storejobs **out,
                          struct ls_errinfo *e)
{
	struct store_options so = {.create = 0};
	struct storejobs *j;
	char path[DAEMON_PATH_SIZE];
	int rc;

	*out = NULL;
	if (ls_path_join(d->dir, d->cfg.store_path, path, sizeof path) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "[store] path: pad te lang");
	if ((j = ls_calloc(1, sizeof *j)) == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	j->d = d;
	if (pthread_mutex_init(&j->mu, NULL) != 0) {
		ls_free(j);
		return ls_errf(e, LS_ENOMEM, "store jobs: mutex");
	}
	/* Off the loop a job may wait for the write lock as long as the
	 * loop used to; the loop no longer waits with it. */
	so.synchronous = d->cfg.synchronous;
	so.busy_timeout_ms = d->cfg.busy_timeout_ms;
	for (int i = 0; i < STOREJOB_LANES_; i++) {
		struct lane *l = &j->lanes[i];
		l->owner = j;
		l->which = (enum storejob_lane)i;
		pthread_cond_init(&l->cv, NULL);
	}
	for (int i = 0; i < STOREJOB_LANES_; i++) {
		struct lane *l = &j->lanes[i];
		if ((rc = store_open(path, &so, &l->store, e)) != LS_OK) {
			daemon_storejobs_close(j);
			return rc;
		}
		if (pthread_create(&l->thread, NULL, lane_main, l) != 0) {
			daemon_storejobs_close(j);
			return ls_errf(e, LS_ENOMEM, "store jobs: thread");
		}
		l->started = 1;
	}
	LS_DEBUG("daemon", "storejobs_started", "lanes=%s,%s", lane_names[0],
	         lane_names[1]);
	*out = j;
	return LS_OK;
}

static void finish_list(struct storejob *list, int rc)
{
	while (list != NULL) {
		struct storejob *job = list;
		list = job->next;
		job->next = NULL;
		job->busy = 0;
		if (rc != LS_OK)
			job->rc = rc;
		job->done(job);
	}
}

void daemon_storejobs_close(struct storejobs *j)
{
	struct storejob *posted, *ran = NULL;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->stopping = 1;
	for (int i = 0; i < STOREJOB_LANES_; i++)
		pthread_cond_broadcast(&j->lanes[i].cv);
	pthread_mutex_unlock(&j->mu);
	for (int i = 0; i < STOREJOB_LANES_; i++)
		if (j->lanes[i].started)
			pthread_join(j->lanes[i].thread, NULL);
	/* No lane runs any more: jobs that ran and wait in the loop's queue
	 * are taken back and done here, in the order they ran. */
	posted = j->posted;
	j->posted = NULL;
	while (posted != NULL) {
		struct storejob *job = posted;
		posted = job->next;
		(void)daemon_handoff_cancel(&j->d->handoff, &job->item);
		job->next = ran;
		ran = job;
	}
	finish_list(ran, LS_OK);
	for (int i = 0; i < STOREJOB_LANES_; i++) {
		struct lane *l = &j->lanes[i];
		finish_list(l->head, LS_ESTATE);
		l->head = l->tail = NULL;
		store_close(l->store);
		pthread_cond_destroy(&l->cv);
	}
	pthread_mutex_destroy(&j->mu);
	ls_free(j);
}
