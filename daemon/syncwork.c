/*
 * The sync engine off the loop thread (docs/DAEMON.md, "Threads").
 *
 * Everything a sync session does with the store — answering a peer's
 * request (digest, version vector, pages, fork proofs, pushes taken in)
 * and a round's steps (building a request from the store, taking in a
 * page: verify, check, store, commit) — runs here, on libuv's work queue,
 * with a store connection, trust, ingest and engine of its own (struct
 * syncwork). The loop thread only moves frames: nng hands a request or
 * a reply to the loop (daemon/handoff.c), the loop queues a job here, and
 * the job's done callback sends what the engine made.
 *
 * One job runs at a time (the engine is not thread-safe; SQLite's write
 * lock orders this connection's commits with the other writers'), in the
 * order submitted. After a job, on the loop, while nothing runs here:
 *   - what the loop reads of the engine (refusal memory, ingest counts,
 *     trust alarms, whether the own head is known) is copied into the
 *     loop's d->sync and d->ingest, which state.c and tasks.c read;
 *   - the job's done callback runs (it may touch its round);
 *   - the next job starts.
 * Before a job, on the worker: the page options and the own-head gate
 * of the loop's engine (config reload, peers.c) are taken over, and the
 * trust is brought up to the store's federation feed (a document some
 * other writer stored), which is one indexed read.
 *
 * A job waiting for SQLite's lock (another process importing, a backup)
 * waits here, up to [store] busy_timeout_ms; the loop answers /metrics,
 * timers and other peers meanwhile, and only sync requests queue.
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/path.h"
#include "proto/replay.h"

#include <string.h>
#include <unistd.h>

struct syncwork {
	struct daemon *d;
	uv_loop_t *loop;
	struct store *store;
	struct node_trust trust;
	struct node_ingest ingest;
	struct node_sync sync;
	int trust_ready, ingest_ready, sync_ready;
	/* loop thread: */
	struct syncjob *head, *tail; /* queued, not started */
	struct syncjob *running;     /* on the work queue */
	int closing;
	uv_work_t work;
	/* copied by the loop when a job starts (no job runs then) */
	struct node_sync_options opt;
	const struct ls_keypair *kp; /* d->kp: a reload's key (SIGHUP) */
	int key_failed; /* worker's: taking kp failed (logged once) */
	int own_head_known;
	uint64_t jobs_run;
	size_t replay_entries; /* the engine's replay guard, after a job */
};

/* Whether each held summary counts (PROTOCOL.md 5.3, "Epochs") is kept
 * right by ingest as policies arrive; at start it is checked whole (a
 * store from before the marks, a writer that did not recount). It costs
 * about 21 us a summary held (docs/PERFORMANCE.md, "Start-up recount"),
 * so it is not worth a marker that could go stale. A failure is told and
 * the node goes on: the marks only decide what is counted. */
static void recount_at_start(struct syncwork *w)
{
	struct node_ingest_recount_info info;
	struct ls_errinfo e;
	uint64_t t0 = uv_hrtime();
	int rc = node_ingest_recount(&w->ingest, &info, &e);
	unsigned long long ms = (uv_hrtime() - t0) / 1000000u;

	if (rc != LS_OK)
		LS_ERROR("sync", "recount_failed",
		         "reason=%s detail=\"%.120s\" action=\"signaalctl check; "
		         "restart signaald\"",
		         ls_errname(rc), e.msg);
	else if (info.changed > 0)
		LS_WARN("sync", "recount_done", "judged=%zu changed=%zu ms=%llu",
		        info.judged, info.changed, ms);
	else
		LS_INFO("sync", "recount_done", "judged=%zu changed=0 ms=%llu",
		        info.judged, ms);
}

int daemon_syncwork_open(struct daemon *d, const char *store_path,
                         struct ls_errinfo *e)
{
	struct syncwork *w;
	struct store_options so;
	unsigned n;
	long cpus;
	int rc;

	w = ls_calloc(1, sizeof *w);
	if (w == NULL)
		return ls_errf(e, LS_ENOMEM, "sync: geen geheugen");
	w->d = d;
	w->loop = d->loop;
	memset(&so, 0, sizeof so);
	so.synchronous = d->cfg.synchronous;
	so.busy_timeout_ms = d->cfg.busy_timeout_ms;
	so.check = STORE_CHECK_NONE; /* the loop's open checked it */
	if ((rc = store_open(store_path, &so, &w->store, e)) != LS_OK)
		goto err;
	if (d->trust.federation[0] != '\0')
		node_trust_init(&w->trust, d->trust.federation,
		                d->trust.has_anchor ? d->trust.anchor_pk
		                                    : NULL);
	else
		node_trust_init(&w->trust, NULL, NULL);
	w->trust_ready = 1;
	if ((rc = node_trust_load(&w->trust, w->store, daemon_now(), e)) !=
	    LS_OK)
		goto err;
	node_ingest_init(&w->ingest, w->store, &w->trust);
	w->ingest_ready = 1;
	recount_at_start(w);
	/* Verify received pages on every core (PROTOCOL.md 3: pure work
	 * on the bytes). */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	n = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
	if (node_ingest_set_workers(&w->ingest, n) != LS_OK)
		LS_WARN("sync", "verify_threads_failed",
		        "threads=%u action=single_thread", n);
	if ((rc = node_sync_init(&w->sync, w->store, &w->ingest, d->cfg.node_id,
	                         d->kp, &d->sync.opt)) != LS_OK) {
		rc = ls_errf(e, rc, "sync: %s", ls_strerror(rc));
		goto err;
	}
	w->sync_ready = 1;
	if (node_sync_own_head_known(&d->sync))
		node_sync_set_own_head_known(&w->sync);
	d->syncwork = w;
	return LS_OK;
err:
	d->syncwork = w;
	daemon_syncwork_free(d);
	return rc;
}

void daemon_syncwork_free(struct daemon *d)
{
	struct syncwork *w = d->syncwork;
	if (w == NULL)
		return;
	/* uv_run has returned: no job runs (libuv keeps the loop alive
	 * until a queued work's after_work ran). */
	if (w->sync_ready)
		node_sync_fini(&w->sync);
	if (w->ingest_ready)
		node_ingest_fini(&w->ingest);
	if (w->trust_ready)
		node_trust_fini(&w->trust);
	store_close(w->store);
	ls_free(w);
	d->syncwork = NULL;
}

/* Worker thread. */
static void work_cb(uv_work_t *req)
{
	struct syncwork *w = req->data;
	struct syncjob *job = w->running;
	w->sync.opt = w->opt;
	/* A key reloaded on the loop: sessions and secure aggregation
	 * sign with it from this job on. */
	if (memcmp(w->sync.key_id, w->kp->key_id, LS_KEY_ID_BYTES) != 0) {
		int rc = node_sync_set_key(&w->sync, w->kp);
		if (rc != LS_OK && !w->key_failed)
			LS_ERROR("sync", "engine_key_failed",
			         "reason=%s action=\"keep the old key, try "
			         "again at every job\"",
			         ls_errname(rc));
		w->key_failed = rc != LS_OK;
	}
	if (memcmp(w->sync.key_id, w->kp->key_id, LS_KEY_ID_BYTES) == 0)
		daemon_secagg_engine_key(w->d, w->kp);
	if (w->own_head_known && !node_sync_own_head_known(&w->sync))
		node_sync_set_own_head_known(&w->sync);
	/* A federation document another writer stored (a release at the
	 * association, signaalctl) is in force here before the job. */
	(void)node_ingest_reload_trust(&w->ingest, daemon_now(), NULL, NULL);
	(void)node_ingest_recount_pending(&w->ingest, NULL);
	job->run(job, &w->sync);
}

/* Loop thread, no job running: what state.c and tasks.c read. */
static void mirror(struct daemon *d, struct syncwork *w)
{
	d->ingest.tally = w->ingest.tally;
	memcpy(d->ingest.alarms, w->ingest.alarms,
	       w->ingest.n_alarms * sizeof w->ingest.alarms[0]);
	d->ingest.n_alarms = w->ingest.n_alarms;
	memcpy(d->sync.remembered, w->sync.remembered,
	       w->sync.n_remembered * sizeof w->sync.remembered[0]);
	d->sync.n_remembered = w->sync.n_remembered;
	if (node_sync_own_head_known(&w->sync) &&
	    !node_sync_own_head_known(&d->sync))
		node_sync_set_own_head_known(&d->sync);
	w->replay_entries = proto_replay_entries(w->sync.replay);
	daemon_secagg_mirror(d); /* secure aggregation (secagg.c) */
}

static void start_next(struct syncwork *w);

static void after_work_cb(uv_work_t *req, int status)
{
	struct syncwork *w = req->data;
	struct syncjob *job = w->running;
	(void)status; /* never cancelled: jobs are queued here, not there */
	w->running = NULL;
	w->jobs_run++;
	mirror(w->d, w);
	job->state = SYNCJOB_IDLE;
	job->done(job, LS_OK);
	start_next(w);
}

static void start_next(struct syncwork *w)
{
	struct syncjob *job;
	if (w->running != NULL || w->head == NULL)
		return;
	job = w->head;
	w->head = job->next;
	if (w->head == NULL)
		w->tail = NULL;
	job->next = NULL;
	job->state = SYNCJOB_RUNNING;
	w->running = job;
	w->opt = w->d->sync.opt;
	w->kp = w->d->kp;
	w->own_head_known = node_sync_own_head_known(&w->d->sync);
	w->work.data = w;
	if (uv_queue_work(w->loop, &w->work, work_cb, after_work_cb) != 0) {
		/* Only an invalid argument fails here; never expected. */
		LS_ERROR("sync", "queue_failed", "action=drop_job");
		w->running = NULL;
		job->state = SYNCJOB_IDLE;
		job->done(job, LS_EINTERNAL);
		start_next(w);
	}
}

int daemon_syncwork_submit(struct daemon *d, struct syncjob *job)
{
	struct syncwork *w = d->syncwork;
	if (w == NULL || d->stopping || job->state != SYNCJOB_IDLE)
		return LS_ESTATE;
	job->next = NULL;
	job->state = SYNCJOB_QUEUED;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	start_next(w);
	return LS_OK;
}

int daemon_syncwork_cancel(struct daemon *d, struct syncjob *job)
{
	struct syncwork *w = d->syncwork;
	struct syncjob **pp;
	if (w == NULL || job->state != SYNCJOB_QUEUED)
		return 0;
	for (pp = &w->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			if (w->tail == job) {
				w->tail = w->head;
				while (w->tail != NULL && w->tail->next != NULL)
					w->tail = w->tail->next;
			}
			job->next = NULL;
			job->state = SYNCJOB_IDLE;
			return 1;
		}
	return 0;
}

struct node_sync *daemon_syncwork_engine(struct daemon *d)
{
	return d->syncwork != NULL ? &d->syncwork->sync : NULL;
}

struct store *daemon_syncwork_store(struct daemon *d)
{
	return d->syncwork != NULL ? d->syncwork->store : NULL;
}

size_t daemon_syncwork_replay_entries(const struct daemon *d)
{
	return d->syncwork != NULL ? d->syncwork->replay_entries : 0;
}

int daemon_syncwork_idle(const struct daemon *d)
{
	const struct syncwork *w = d->syncwork;
	return w == NULL || (w->running == NULL && w->head == NULL);
}
