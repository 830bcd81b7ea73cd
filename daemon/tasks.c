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
 *
 * Nothing here publishes before the own feed's head is known
 * (node_sync_own_head_known: restore from backup, PROTOCOL.md §7).
 */
#include "daemon/daemon.h"

#include "common/log.h"
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

int daemon_tasks_publish_status(struct daemon *d)
{
	struct ls_doc doc;
	struct ls_errinfo e;
	struct store_doc_meta meta;
	int rc;

	if (!node_sync_own_head_known(&d->sync))
		return LS_ESTATE;
	if ((rc = daemon_state_status_doc(d, &doc)) != LS_OK)
		return rc;
	rc = node_feed_publish(d->store, d->kp, &doc, daemon_now(), &meta, &e);
	proto_doc_fini(&doc);
	if (rc != LS_OK) {
		LS_ERROR("tasks", "status_publish_failed",
		         "reason=%s detail=\"%s\"", ls_errname(rc), e.msg);
		return rc;
	}
	d->last_status_created = meta.created;
	d->status_published++;
	daemon_note_own_write(d);
	LS_INFO("tasks", "status_published", "seq=%llu",
	        (unsigned long long)meta.seq);
	daemon_new_docs(d, NULL);
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
		if (daemon_tasks_publish_status(d) == LS_OK)
			d->status_since_start = 1;
}

static void release_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	size_t released = 0;
	int rc;
	if (d->stopping)
		return;
	if (!node_sync_own_head_known(&d->sync)) {
		LS_DEBUG("tasks", "release_waits", "reason=own_head_unknown");
		return;
	}
	rc = daemon_release_due(d, &released);
	if (rc != LS_OK)
		LS_ERROR("tasks", "release_failed", "reason=%s",
		         ls_errname(rc));
	if (released > 0) {
		d->releases += released;
		daemon_note_own_write(d);
		daemon_new_docs(d, NULL);
	}
}

static void purge_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	struct ls_date today, before;
	struct ls_errinfo e;
	uint64_t count = 0;
	int wiped = 0, rc;

	if (d->stopping)
		return;
	ls_date_today(&today);
	if (ls_date_add_months(&today, -(int32_t)d->cfg.description_months,
	                       &before) != LS_OK)
		return;
	rc = store_signal_purge(d->store, &before, 0, &count, &wiped, &e);
	if (rc != LS_OK) {
		LS_ERROR("tasks", "purge_failed", "reason=%s detail=\"%s\"",
		         ls_errname(rc), e.msg);
		return;
	}
	d->purged += count;
	if (count > 0)
		LS_INFO("tasks", "purged", "descriptions=%llu wiped=%d",
		        (unsigned long long)count, wiped);
}

static void state_cb(uv_timer_t *t)
{
	struct daemon *d = t->data;
	uint64_t gen;
	int changed = 0;

	if (d->stopping)
		return;
	/* Another process may have written: a federation document (the
	 * roster takes effect now) or our own documents (tell the peers). */
	if (node_ingest_reload_trust(&d->ingest, daemon_now(), &changed,
	                             NULL) == LS_OK &&
	    changed)
		daemon_trust_changed(d);
	if (store_feed_generation(d->store, &gen) == LS_OK &&
	    gen != d->known_gen) {
		d->known_gen = gen;
		daemon_new_docs(d, NULL);
	}
	daemon_state_write(d);
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
	uv_timer_start(&d->t_purge, purge_cb, 60 * FIRST_RUN_MS,
	               (uint64_t)d->cfg.purge_interval_s * 1000);
	uv_timer_start(&d->t_state, state_cb, FIRST_RUN_MS,
	               (uint64_t)d->cfg.state_interval_s * 1000);
}

int daemon_tasks_start(struct daemon *d)
{
	struct latest_own l = {.self = d->cfg.node_id};
	uv_timer_t *timers[] = {&d->t_status, &d->t_release, &d->t_purge,
	                        &d->t_state};

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
	                        &d->t_state};
	if (!d->tasks_ready)
		return;
	for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
		uv_timer_stop(timers[i]);
		uv_close((uv_handle_t *)timers[i], NULL);
	}
	d->tasks_ready = 0;
}
