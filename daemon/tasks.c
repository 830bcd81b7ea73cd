/*
 * The daemon's timers besides sync rounds:
 *
 *   status   once the own head is known after start-up, then every 30 s:
 *            if the latest own status document is older than [daemon]
 *            status_interval_s (default an hour), publish a new one. Hourly
 * because every node keeps every status of every node forever (feeds are
 * append-only): about 300 bytes x 24 x 365 = 2.6 MB per node per year at each
 * node — 29 MB a year for the eleven pilots, fine; a federation of 300 nodes
 *            should raise it (at 6 hours: 130 MB a year per node).
 *   release  every release_interval_s: release the summaries of periods
 *            that are due (daemon/release.c).
 *   purge    every purge_interval_s: blank free text older than
 *            [retention] description_months (store_signal_purge).
 *   state    every state_interval_s: pick up what another process wrote
 *            (a federation document published by signaalctl, a release
 *            made with signaalctl), then refresh the gauges and write the
 *            metrics and status files; after a busy spell, hand freed
 *            memory back to the system (malloc_trim).
 *   nngprobe every 6 state ticks (5-60 s; a minute by default): is nng's
 *            reaper stuck (daemon_watchdog_probe_nng, on libuv's thread
 *            pool; one at a time)? nng 1.5.2 can get stuck while
 *            signaald runs (a connection dropped while a transfer was
 *            half done): from then on no sync connection is ever
 *            removed, the sync server's table fills up to [sync]
 *            max_connections and the node stops syncing without a word.
 *            When the probe finds it stuck: one error line
 *            (event=nng_stuck), the gauge signaal_sync_engine_stuck 1,
 *            and signaald stops itself with exit 75
 *            (DAEMON_EXIT_NNG_STUCK) for the unit to restart it — the
 *            stop's bounded path, since nothing more of nng can close.
 *            Once found, never probed again (each stuck close keeps a
 *            thread), and a restart comes at most once per interval
 *            after a start. docs/OPERATING.md, "When the sync library
 *            gets stuck".
 *
 * Nothing here publishes before the own feed's head is known
 * (node_sync_own_head_known: restore from backup, PROTOCOL.md §7).
 */
#include "daemon/daemon.h"
#include "daemon/storejob.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "core/period.h"
#include "node/feed.h"
#include "store/feed.h"
#include "store/signal.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define STATUS_CHECK_MS 30000
#define FIRST_RUN_MS 1000
/* The first purge after start: soon (a node that was down past a
 * retention date purges at once), after the start-up's own work. */
#define PURGE_FIRST_MS 5000
/* The nng probe: every NNGPROBE_TICKS state ticks, within these bounds. */
#define NNGPROBE_TICKS 6
#define NNGPROBE_MIN_S 5
#define NNGPROBE_MAX_S 60

unsigned daemon_tasks_nngprobe_interval_s(unsigned state_interval_s)
{
	uint64_t s = (uint64_t)state_interval_s * NNGPROBE_TICKS;
	return s < NNGPROBE_MIN_S   ? NNGPROBE_MIN_S
	       : s > NNGPROBE_MAX_S ? NNGPROBE_MAX_S
	                            : (unsigned)s;
}

/* --- status documents: built on the loop, published on the write lane */

struct status_job {
	struct storejob job;
	struct daemon *d;
	const struct ls_keypair *key;
	struct node_feed_key own; /* what the roster held says of key */
	struct ls_doc doc;
	int ran;
	struct store_doc_meta meta;
	struct ls_errinfo e;
};

static int status_run(struct storejob *job, struct store *s)
{
	struct status_job *j = (struct status_job *)job;
	int rc;
	j->ran = 1;
	ls_errinfo_clear(&j->e);
	if ((rc = daemon_state_status_doc_counts(&j->doc, s)) != LS_OK)
		return ls_errf(&j->e, rc, "counts: %s", ls_strerror(rc));
	return node_feed_publish_checked(s, j->key, &j->own, &j->doc,
	                                 daemon_now(), &j->meta, &j->e);
}

static void status_done(struct storejob *job)
{
	struct status_job *j = (struct status_job *)job;
	struct daemon *d = j->d;
	d->status_busy = 0;
	if (!j->ran) {
		/* the lanes closed first */
	} else if (job->rc != LS_OK) {
		LS_ERROR("tasks", "status_publish_failed",
		         "reason=%s detail=\"%s\"", ls_errname(job->rc),
		         j->e.msg);
	} else {
		d->last_status_created = j->meta.created;
		d->status_published++;
		d->status_since_start = 1;
		daemon_note_own_write(d);
		char kid[2 * LS_KEY_ID_BYTES + 1];
		ls_hex_encode(j->key->key_id, LS_KEY_ID_BYTES, kid);
		LS_INFO("tasks", "status_published", "seq=%llu key_id=%s",
		        (unsigned long long)j->meta.seq, kid);
		daemon_new_docs(d, NULL);
	}
	proto_doc_fini(&j->doc);
	ls_free(j);
}

int daemon_tasks_publish_status(struct daemon *d)
{
	struct status_job *j;
	int rc;

	if (!node_sync_own_head_known(&d->sync))
		return LS_ESTATE;
	if (d->status_busy)
		return LS_EBUSY;
	/* Never sign what the receivers would refuse (PROTOCOL.md 6,
	 * "Rotation"): said once by daemon_ownkey_check, tried again at
	 * the next check. */
	if ((rc = daemon_ownkey_check(d)) != LS_OK)
		return rc;
	if ((j = ls_calloc(1, sizeof *j)) == NULL)
		return LS_ENOMEM;
	if ((rc = daemon_state_status_doc(d, &j->doc)) != LS_OK) {
		proto_doc_fini(&j->doc);
		ls_free(j);
		return rc;
	}
	j->d = d;
	j->key = d->kp;
	j->own = d->ownkey.key;
	j->job.run = status_run;
	j->job.done = status_done;
	if ((rc = daemon_storejob_submit(d->jobs, STOREJOB_WRITE, &j->job)) !=
	    LS_OK) {
		proto_doc_fini(&j->doc);
		ls_free(j);
		return rc;
	}
	d->status_busy = 1;
	return LS_OK;
}

static void status_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	if (d->stopping || !node_sync_own_head_known(&d->sync) ||
	    d->cfg.federation_id[0] == '\0')
		return;
	/* One at start-up (a restart is news: uptime began again), then
	 * whenever the last one is older than the interval. */
	if (!d->status_since_start ||
	    daemon_now() - d->last_status_created >= d->cfg.status_interval_s)
		(void)daemon_tasks_publish_status(d);
}

static void release_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	int rc;
	if (d->stopping)
		return;
	if (!node_sync_own_head_known(&d->sync)) {
		LS_DEBUG("tasks", "release_waits", "reason=own_head_unknown");
		return;
	}
	rc = daemon_release_start(d);
	if (rc == LS_EBUSY)
		LS_DEBUG("tasks", "release_waits", "reason=running");
	else if (rc == LS_EKEY || rc == LS_EEXPIRED || rc == LS_EREVOKED)
		/* said once (event=own_key_invalid); tried next time */
		LS_DEBUG("tasks", "release_waits", "reason=own_key");
	else if (rc != LS_OK)
		LS_ERROR("tasks", "release_failed", "reason=%s",
		         ls_errname(rc));
}

/* --- the retention purge, on the write lane ------------------------------ */

struct purge_job {
	struct storejob job;
	struct daemon *d;
	struct ls_date before;
	int ran, wiped;
	uint64_t count, ms;
	struct ls_errinfo e;
};

static int purge_run(struct storejob *job, struct store *s)
{
	struct purge_job *j = (struct purge_job *)job;
	uint64_t t0 = uv_hrtime();
	int rc;
	j->ran = 1;
	ls_errinfo_clear(&j->e);
	rc = store_signal_purge(s, &j->before, 0, &j->count, &j->wiped, &j->e);
	j->ms = (uv_hrtime() - t0) / 1000000u;
	return rc;
}

static void purge_done(struct storejob *job)
{
	struct purge_job *j = (struct purge_job *)job;
	struct daemon *d = j->d;
	d->purge_busy = 0;
	if (!j->ran) {
		/* the lanes closed first */
	} else if (job->rc != LS_OK) {
		LS_ERROR("tasks", "purge_failed", "reason=%s detail=\"%s\"",
		         ls_errname(job->rc), j->e.msg);
	} else {
		d->purged += j->count;
		if (j->count > 0)
			LS_INFO("tasks", "purged",
			        "descriptions=%llu wiped=%d ms=%llu",
			        (unsigned long long)j->count, j->wiped,
			        (unsigned long long)j->ms);
	}
	ls_free(j);
}

static void purge_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	struct ls_date today;
	struct purge_job *j;

	if (d->stopping || d->purge_busy)
		return;
	if ((j = ls_calloc(1, sizeof *j)) == NULL)
		return;
	ls_date_today(&today);
	if (ls_date_add_months(&today, -(int32_t)d->cfg.description_months,
	                       &j->before) != LS_OK) {
		ls_free(j);
		return;
	}
	j->d = d;
	j->job.run = purge_run;
	j->job.done = purge_done;
	if (daemon_storejob_submit(d->jobs, STOREJOB_WRITE, &j->job) != LS_OK) {
		ls_free(j);
		return;
	}
	d->purge_busy = 1;
}

static void state_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	uint64_t gen;
	int changed = 0;

	if (d->stopping)
		return;
	/* Another process may have written: a federation document (the
	 * roster takes effect now) or our own documents (tell the peers).
	 * Two point reads on the loop's own connection: the federation
	 * feed's head and PRAGMA data_version; a WAL reader does not wait
	 * for a writer. The rest of the tick reads on the read lane. */
	if (node_ingest_reload_trust(&d->ingest, daemon_now(), &changed,
	                             NULL) == LS_OK &&
	    changed)
		daemon_trust_changed(d);
	/* Time passes too: a rotation's overlap ends without a new roster. */
	(void)daemon_ownkey_check(d);
	if (store_feed_generation(d->store, &gen) == LS_OK &&
	    gen != d->known_gen) {
		d->known_gen = gen;
		daemon_new_docs(d, NULL);
	}
	(void)daemon_state_tick(d);
#ifdef __GLIBC__
	/* After a busy spell (a big sync, a release) glibc keeps the freed
	 * memory of every arena nng's threads used; give it back, so that an
	 * idle node is small again. Only when something happened. */
	if (d->ingest.tally.pages != d->trimmed_at_pages) {
		d->trimmed_at_pages = d->ingest.tally.pages;
		malloc_trim(0);
	}
#endif
}

/* --- is nng stuck? ------------------------------------------------------ */

/* nng is stuck while signaald runs: say so once and stop, for the unit
 * to restart (exit 75). The stop is the bounded one: with d->nng_stuck
 * set it closes no nng socket and skips nng_fini. */
static void nng_stuck_restart(struct daemon *d, const char *found_by)
{
	daemon_nng_mark_stuck(d);
	LS_ERROR("tasks", "nng_stuck",
	         "found_by=%s close_abandoned=%llu wait_ms=%u exit=%d "
	         "action=\"restart signaald\" meaning=\"the sync library's "
	         "reaper thread is stuck (nng 1.5.2): sync connections are "
	         "never removed any more and the node would stop syncing; "
	         "captures and HTTP still work; signaald stops itself now "
	         "(committed data is safe) and systemd starts it again\"",
	         found_by, (unsigned long long)d->nng_abandoned,
	         daemon_nng_close_wait_ms(d), DAEMON_EXIT_NNG_STUCK);
	d->exit_status = DAEMON_EXIT_NNG_STUCK;
	daemon_stop(d);
}

static void nngprobe_work_cb(uv_work_t *w)
{
	struct daemon *d = w->data;
	d->nngprobe_rc = daemon_watchdog_probe_nng(d->nngprobe_wait_ms);
}

static void nngprobe_after_cb(uv_work_t *w, int status)
{
	struct daemon *d = w->data;
	d->nngprobe_busy = 0;
	if (status != 0) /* cancelled at stop */
		return;
	if (d->nngprobe_rc == LS_ETIMEOUT) {
		if (d->stopping) {
			/* the stop goes on, without nng (daemon_finish) */
			daemon_nng_mark_stuck(d);
			LS_WARN("tasks", "nng_stuck",
			        "found_by=probe wait_ms=%u action=\"none: "
			        "signaald is stopping\"",
			        d->nngprobe_wait_ms);
			return;
		}
		nng_stuck_restart(d, "probe");
	} else if (d->nngprobe_rc == LS_OK) {
		LS_DEBUG("tasks", "nng_probe", "result=ok");
	}
	/* LS_ENET: logged by the probe; tried again next time */
}

static void nngprobe_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	if (d->stopping || d->nngprobe_busy)
		return;
	/* A close that hung at a reload or a roster change found it
	 * already: no probe needed (nor possible: it would hang too). */
	if (d->nng_stuck) {
		nng_stuck_restart(d, "close_abandoned");
		return;
	}
	d->nngprobe_wait_ms = daemon_nng_close_wait_ms(d);
	d->nngprobe.data = d;
	if (uv_queue_work(d->loop, &d->nngprobe, nngprobe_work_cb,
	                  nngprobe_after_cb) == 0)
		d->nngprobe_busy = 1;
}

void daemon_tasks_release_soon(struct daemon *d)
{
	if (!d->tasks_ready || d->stopping)
		return;
	uv_timer_start(&d->t_release, release_cb, 200,
	               (uint64_t)d->cfg.release_interval_s * 1000);
}

void daemon_tasks_own_head_known(struct daemon *d)
{
	/* The gate just opened: what waited for it runs now. */
	if (!d->tasks_ready || d->stopping)
		return;
	uv_timer_start(&d->t_status, status_cb, 0, STATUS_CHECK_MS);
	uv_timer_start(&d->t_release, release_cb, 0,
	               (uint64_t)d->cfg.release_interval_s * 1000);
}

struct latest_own {
	const char *self;
	int64_t created;
};

static int latest_status_cb(void *arg, const struct store_doc_meta *m,
                            const uint8_t *env, size_t len)
{
	struct latest_own *l = arg;
	(void)env;
	(void)len;
	if (strcmp(m->origin, l->self) == 0)
		l->created = m->created;
	return 0;
}

/* (Re)start every timer from the current config: first runs soon, then
 * at the configured intervals. */
static void schedule(struct daemon *d)
{
	uv_timer_start(&d->t_status, status_cb, FIRST_RUN_MS, STATUS_CHECK_MS);
	uv_timer_start(&d->t_release, release_cb, 2 * FIRST_RUN_MS,
	               (uint64_t)d->cfg.release_interval_s * 1000);
	uv_timer_start(&d->t_purge, purge_cb, PURGE_FIRST_MS,
	               (uint64_t)d->cfg.purge_interval_s * 1000);
	uv_timer_start(&d->t_state, state_cb, FIRST_RUN_MS,
	               (uint64_t)d->cfg.state_interval_s * 1000);
	uint64_t probe_ms = (uint64_t)daemon_tasks_nngprobe_interval_s(
	                        (unsigned)d->cfg.state_interval_s) *
	                    1000;
	uv_timer_start(&d->t_nngprobe, nngprobe_cb, probe_ms, probe_ms);
}

int daemon_tasks_start(struct daemon *d)
{
	struct latest_own l = {.self = d->cfg.node_id};
	uv_timer_t *timers[] = {&d->t_status, &d->t_release, &d->t_purge,
	                        &d->t_state, &d->t_nngprobe};

	(void)store_feed_latest(d->store, LS_DOC_STATUS, latest_status_cb, &l);
	d->last_status_created = l.created;
	for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
		uv_timer_init(d->loop, timers[i]);
		timers[i]->data = d;
	}
	d->tasks_ready = 1;
	schedule(d);
	return LS_OK;
}

void daemon_tasks_reschedule(struct daemon *d)
{
	if (!d->tasks_ready || d->stopping)
		return;
	schedule(d);
}

void daemon_tasks_stop(struct daemon *d)
{
	uv_timer_t *timers[] = {&d->t_status, &d->t_release, &d->t_purge,
	                        &d->t_state, &d->t_nngprobe};
	if (!d->tasks_ready)
		return;
	for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
		uv_timer_stop(timers[i]);
		uv_close((uv_handle_t *)timers[i], NULL);
	}
	/* A probe not started yet is dropped; one that runs is bounded
	 * (daemon_watchdog_probe_nng) and the loop waits for it. */
	if (d->nngprobe_busy)
		(void)uv_cancel((uv_req_t *)&d->nngprobe);
	d->tasks_ready = 0;
}
