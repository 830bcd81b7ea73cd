/*
 * The daemon's life: open (config, store, keys, trust, sync engine,
 * metrics, handoff, server, peers, timers, signals — in that order, each
 * step undone by daemon_stop/daemon_close if a later one fails), run on
 * the loop, reload on SIGHUP, stop on SIGTERM/SIGINT, close.
 *
 * Stopping: timers closed, the HTTP server stopped (requests in flight
 * answered), the store jobs finished and the state files written a last
 * time — all the store work before any nng socket closes, since nng's
 * close is what can hang — then every nng aio is stopped (nng waits for
 * its callback, which only posts to the handoff queue), queued
 * completions are taken back, sockets closed and the signal and async
 * handles closed; the loop then has nothing left and uv_run returns.
 * The shutdown watchdog (daemon/watchdog.h), armed first, bounds all of
 * it up to daemon_finish and names the step that hangs. A round in
 * flight is abandoned:
 * what it fetched is committed page by page, a page being taken in is
 * never half done (signal callbacks run between loop callbacks), and the
 * peer's side of an abandoned request only read or was idempotent.
 */
#include "daemon/daemon.h"
#include "daemon/storejob.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/path.h"
#include "common/text.h"
#include "node/config_file.h"
#include "proto/replay.h"
#include "store/feed.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

int64_t daemon_now(void)
{
	return (int64_t)time(NULL);
}

/* --check: the pages signaald would serve ([http] web_dir) load as at
 * start, so a missing or incomplete directory is found now rather than
 * by a start that fails. */
static int check_pages(struct daemon *d, const char *dir, struct ls_errinfo *e)
{
	struct node_api_config ac;
	struct node_api *api = NULL;
	char web[4096];
	int rc;
	if (d->cfg.http_listen[0] == '\0' || d->cfg.web_dir[0] == '\0')
		return LS_OK;
	if (ls_path_join(dir, d->cfg.web_dir, web, sizeof web) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "[http] web_dir: pad te lang");
	memset(&ac, 0, sizeof ac);
	ac.store = d->store;
	ac.config = &d->cfg;
	ac.web_dir = web;
	if ((rc = node_api_new(&ac, &api, e)) != LS_OK)
		return ls_errf(e, rc == LS_ENOMEM ? rc : LS_ECONFIG,
		               "[http] web_dir: %s", e->msg);
	node_api_free(api);
	return LS_OK;
}

void daemon_note_own_write(struct daemon *d)
{
	uint64_t gen;
	if (store_feed_generation(d->store, &gen) == LS_OK)
		d->known_gen = gen;
}

void daemon_new_docs(struct daemon *d, const struct peer *from)
{
	if (!d->stopping)
		daemon_peers_kick(d, from);
}

void daemon_trust_changed(struct daemon *d)
{
	if (d->stopping)
		return;
	LS_INFO("daemon", "trust_changed", "federation_seq=%llu",
	        (unsigned long long)d->trust.head.seq);
	(void)daemon_peers_refresh(d);
	daemon_apipool_trust_changed(d->http.pool);
	(void)daemon_ownkey_check(d);
}

static void sync_options(const struct ls_config *c, struct node_sync_options *o)
{
	memset(o, 0, sizeof *o);
	o->page_docs = (uint32_t)c->page_docs;
	o->page_bytes = (uint32_t)c->page_bytes;
	o->push = c->push == LS_YES;
}

static void signal_cb(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;
	if (signum == SIGHUP) {
		LS_INFO("daemon", "reload", "signal=SIGHUP");
		daemon_reload(d);
		return;
	}
	LS_INFO("daemon", "stop", "signal=%s",
	        signum == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_stop(d);
}

static int signals_start(struct daemon *d)
{
	struct {
		uv_signal_t *h;
		int sig;
	} sigs[] = {
	    {&d->s_term, SIGTERM}, {&d->s_int, SIGINT}, {&d->s_hup, SIGHUP}};
	for (size_t i = 0; i < 3; i++) {
		uv_signal_init(d->loop, sigs[i].h);
		sigs[i].h->data = d;
	}
	d->signals_ready = 1;
	for (size_t i = 0; i < 3; i++)
		if (uv_signal_start(sigs[i].h, signal_cb, sigs[i].sig) != 0)
			return LS_EINTERNAL;
	return LS_OK;
}

struct fork_log {
	int n;
};

static int fork_log_cb(void *arg, const struct store_fork *f,
                       const uint8_t *proof, size_t len)
{
	struct fork_log *fl = arg;
	(void)proof;
	(void)len;
	fl->n++;
	LS_ERROR("daemon", "origin_quarantined",
	         "origin=%s seq=%llu detected_at=%lld action=operator_resolve",
	         f->origin, (unsigned long long)f->seq,
	         (long long)f->detected_at);
	return 0;
}

/* The store at the configured path, quick-checked: the daemon never
 * creates one (signaalctl init does). */
static int open_store(struct daemon *d, const char *dir, struct ls_errinfo *e)
{
	char path[DAEMON_PATH_SIZE];
	int rc;

	if (ls_path_join(dir, d->cfg.store_path, path, sizeof path) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "pad te lang");
	/* quick_check before anything else: a damaged store is refused,
	 * never served from (signaalctl check runs the full check). */
	if ((rc = store_open_node(path, &d->cfg, STORE_CHECK_QUICK, &d->store,
	                          e)) != LS_OK) {
		LS_ERROR(
		    "daemon", "store_refused",
		    "file=%s reason=%s action=\"%s\"", path, ls_errname(rc),
		    rc == LS_ECORRUPT
		        ? "stop, keep the node directory as it is, restore "
		          "the last backup (signaalctl check shows details)"
		    : rc == LS_ENOTFOUND
		        ? "create the node with signaalctl init"
		        : "see the message above");
		return rc;
	}
	daemon_health_init(d, path);
	daemon_ownkey_init(d);
	return LS_OK;
}

/* The node's key, the federation's anchor (federated) and the trust
 * state the store holds. */
static int open_identity(struct daemon *d, const char *dir, int federated,
                         struct ls_errinfo *e)
{
	char path[DAEMON_PATH_SIZE];
	uint8_t anchor[LS_PUBKEY_BYTES], anchor_id[LS_KEY_ID_BYTES];
	int rc;

	if (ls_path_join(dir, "keys/node.key", path, sizeof path) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "pad te lang");
	/* A key we may not read stays LS_EDENIED (and no memory stays
	 * LS_ENOMEM): the operator's fix differs from a bad key's. */
	if ((rc = proto_keypair_load(path, &d->kp, e)) != LS_OK) {
		if (rc != LS_EDENIED && rc != LS_ENOMEM)
			rc = LS_EKEY;
		LS_ERROR("daemon", "key_refused", "file=%s detail=\"%s\"", path,
		         e->msg);
		rc = ls_errf(e, rc, "sleutel %s: %s", path, ls_strerror_nl(rc));
		return rc;
	}
	if (federated) {
		if (ls_path_join(dir, d->cfg.anchor_path, path, sizeof path) !=
		        LS_OK ||
		    (rc = proto_pubkey_load(path, anchor, anchor_id, e)) !=
		        LS_OK) {
			LS_ERROR("daemon", "anchor_refused",
			         "file=%s detail=\"%s\"", path, e->msg);
			rc = ls_errf(
			    e, LS_ECONFIG,
			    "[federation] anchor: %s: %s (de publieke "
			    "sleutel van de federatie)",
			    path, ls_strerror_nl(rc != LS_OK ? rc : LS_ELIMIT));
			return rc;
		}
		node_trust_init(&d->trust, d->cfg.federation_id, anchor);
	} else {
		node_trust_init(&d->trust, NULL, NULL);
	}
	if ((rc = node_trust_load(&d->trust, d->store, daemon_now(), e)) !=
	    LS_OK) {
		LS_ERROR("daemon", "trust_refused", "reason=%s detail=\"%s\"",
		         ls_errname(rc), e->msg);
		rc = ls_errf(e, rc,
		             "de federatiedocumenten in de databank zijn niet "
		             "geldig: %s (het log zegt welk document)",
		             ls_strerror_nl(rc));
		return rc;
	}
	return LS_OK;
}

/* What serves: the sync worker, the sync listener, HTTP, the store jobs
 * and the timed tasks. */
static int open_serving(struct daemon *d, const char *dir, int federated,
                        struct ls_errinfo *e)
{
	char path[DAEMON_PATH_SIZE];
	int rc;

	if (ls_path_join(dir, d->cfg.store_path, path, sizeof path) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "pad te lang");
	if ((rc = daemon_syncwork_open(d, path, e)) != LS_OK)
		return rc;
	if (federated && d->cfg.listen[0] != '\0' &&
	    (rc = daemon_server_open(d)) != LS_OK) {
		return ls_errf(e, rc, "[sync] listen: kan niet luisteren op %s",
		               d->cfg.listen);
	}
	if (d->cfg.http_listen[0] != '\0' &&
	    (rc = daemon_http_open(d, e)) != LS_OK)
		return rc;
	if (federated)
		(void)daemon_peers_refresh(d);
	if ((rc = daemon_storejobs_open(d, &d->jobs, e)) != LS_OK)
		return rc;
	if ((rc = daemon_tasks_start(d)) != LS_OK)
		return rc;
	return daemon_secagg_start(d);
}

int daemon_open(struct daemon *d, uv_loop_t *loop, const char *dir, int flags,
                struct ls_errinfo *e)
{
	struct node_sync_options sopt;
	struct fork_log fl = {0};
	int rc, federated;

	memset(d, 0, sizeof *d);
	d->loop = loop;
	d->started_at = daemon_now();
	snprintf(d->dir, sizeof d->dir, "%s", dir);
	if (ls_path_join(dir, "signaal.ini", d->config_path,
	                 sizeof d->config_path) != LS_OK)
		return ls_errf(e, LS_ECONFIG, "pad te lang: %s", dir);
	if ((rc = node_config_load(d->config_path, &d->cfg, e)) != LS_OK)
		return rc == LS_ECONFIG
		           ? ls_errf(e, rc, "%s: %s", d->config_path, e->msg)
		           : rc;
	ls_log_set_level((enum ls_log_level)d->cfg.log_level);
	federated = d->cfg.federation_id[0] != '\0';

	if ((rc = open_store(d, dir, e)) != LS_OK ||
	    (rc = open_identity(d, dir, federated, e)) != LS_OK)
		goto err;
	/* The loop's view of the sync engine (the engine itself works off
	 * the loop: daemon/syncwork.c, opened below). */
	node_ingest_init(&d->ingest, d->store, &d->trust);
	sync_options(&d->cfg, &sopt);
	if ((rc = node_sync_init(&d->sync, d->store, &d->ingest, d->cfg.node_id,
	                         d->kp, &sopt)) != LS_OK) {
		rc = ls_errf(e, rc, "sync: %s", ls_strerror_nl(rc));
		goto err;
	}
	d->sync_ready = 1;
	if ((rc = daemon_secagg_open(d, e)) != LS_OK)
		goto err;
	if ((rc = daemon_metrics_new(&d->metrics)) != LS_OK ||
	    (rc = daemon_state_metrics_declare(d)) != LS_OK ||
	    (rc = daemon_secagg_metrics_declare(d)) != LS_OK) {
		rc = ls_errf(e, rc, "metrics: %s", ls_strerror_nl(rc));
		goto err;
	}
	if ((rc = daemon_handoff_init(&d->handoff, loop)) != LS_OK) {
		rc = ls_errf(e, rc, "handoff: %s", ls_strerror_nl(rc));
		goto err;
	}
	d->handoff_ready = 1;
	if ((rc = signals_start(d)) != LS_OK) {
		rc =
		    ls_errf(e, rc, "signalen opvangen: %s", ls_strerror_nl(rc));
		goto err_stop;
	}
	daemon_note_own_write(d);
	(void)store_fork_list(d->store, 0, fork_log_cb, &fl);
	/* From the first scrape on (the state tick refreshes it). */
	daemon_metrics_set(d->metrics, "signaal_forks_unresolved",
	                   (double)fl.n);
	if ((flags & DAEMON_CHECK_ONLY) &&
	    (rc = check_pages(d, dir, e)) != LS_OK)
		goto err_stop;
	if (flags & DAEMON_CHECK_ONLY)
		return LS_OK;
	if ((rc = open_serving(d, dir, federated, e)) != LS_OK)
		goto err_stop;
	LS_INFO("daemon", "started",
	        "node=%s version=%s federation=%s federation_seq=%llu "
	        "listen=%s http=%s peers=\"%s\" own_head_known=%d forks=%d",
	        d->cfg.node_id, SIGNAALD_VERSION,
	        federated ? d->cfg.federation_id : "-",
	        (unsigned long long)d->trust.head.seq,
	        d->cfg.listen[0] ? d->cfg.listen : "-",
	        d->cfg.http_listen[0] ? d->cfg.http_listen : "-", d->cfg.peers,
	        node_sync_own_head_known(&d->sync), fl.n);
	if (federated && node_trust_roster(&d->trust) == NULL)
		LS_WARN("daemon", "no_roster",
		        "hint=\"import the federation documents with "
		        "'signaalctl federation import'\"");
	/* Says at once when keys/node.key may not sign (or closes soon). */
	(void)daemon_ownkey_check(d);
	if (node_sync_own_head_known(&d->sync)) {
		d->own_head_was_known = 1;
		daemon_tasks_own_head_known(d);
	}
	return LS_OK;

err_stop:
	/* Handles exist: close them and let the loop finish the closes. */
	daemon_stop(d);
	uv_run(loop, UV_RUN_DEFAULT);
err:
	daemon_close(d);
	return rc;
}

unsigned daemon_fd_budget(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return UINT_MAX;
	if (rl.rlim_cur < (rlim_t)DAEMON_FD_RESERVE + 16)
		return 16;
	if (rl.rlim_cur - DAEMON_FD_RESERVE > UINT_MAX)
		return UINT_MAX;
	return (unsigned)(rl.rlim_cur - DAEMON_FD_RESERVE);
}

/* libmicrohttpd takes its limits when it starts, and its connection cap
 * is what the sync listener's cap leaves of the descriptors (see
 * daemon/http.c): a change to any of them reopens the HTTP server. */
static int http_limits_changed(const struct ls_config *a,
                               const struct ls_config *b)
{
	return a->http_max_connections != b->http_max_connections ||
	       a->http_max_per_client != b->http_max_per_client ||
	       a->http_header_timeout_s != b->http_header_timeout_s ||
	       a->http_body_timeout_s != b->http_body_timeout_s ||
	       a->http_idle_timeout_s != b->http_idle_timeout_s ||
	       a->http_header_max_bytes != b->http_header_max_bytes ||
	       a->sync_max_connections != b->sync_max_connections;
}

int daemon_key_reload(struct daemon *d)
{
	char path[DAEMON_PATH_SIZE], old_id[2 * LS_KEY_ID_BYTES + 1],
	    new_id[2 * LS_KEY_ID_BYTES + 1];
	struct ls_keypair *kp = NULL, **grown;
	struct ls_errinfo e;
	int rc;

	ls_errinfo_clear(&e);
	ls_hex_encode(d->kp->key_id, LS_KEY_ID_BYTES, old_id);
	if (ls_path_join(d->dir, "keys/node.key", path, sizeof path) != LS_OK)
		return LS_ECONFIG;
	rc = proto_keypair_load(path, &kp, &e);
	if (rc != LS_OK) {
		LS_ERROR("daemon", "key_reload_refused",
		         "file=%s reason=%s detail=\"%s\" key_id=%s "
		         "action=keep_old_key",
		         path, ls_errname(rc), e.msg, old_id);
		return rc;
	}
	if (memcmp(kp->key_id, d->kp->key_id, LS_KEY_ID_BYTES) == 0) {
		proto_keypair_free(kp);
		return LS_OK;
	}
	ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, new_id);
	/* Everything that can fail comes first: the old key stays whole
	 * until the new one is in place everywhere on the loop. */
	grown = ls_realloc(d->kp_retired,
	                   (d->n_kp_retired + 1) * sizeof *d->kp_retired);
	if (grown == NULL)
		rc = LS_ENOMEM;
	else
		d->kp_retired = grown;
	if (rc == LS_OK && d->sync_ready)
		rc = node_sync_set_key(&d->sync, kp);
	if (rc != LS_OK) {
		LS_ERROR("daemon", "key_reload_refused",
		         "file=%s reason=%s key_id=%s action=keep_old_key",
		         path, ls_errname(rc), old_id);
		proto_keypair_free(kp);
		return rc;
	}
	/* Jobs that took the old key (a release, a status) finish with it;
	 * the sync engine takes the new one before its next job. */
	d->kp_retired[d->n_kp_retired++] = d->kp;
	d->kp = kp;
	LS_INFO("daemon", "key_reloaded", "node=%s old_key_id=%s key_id=%s",
	        d->cfg.node_id, old_id, new_id);
	/* A new key is news, like a restart: a status signed with it tells
	 * the federation at once (if the roster lets it sign; if busy,
	 * the status timer's next one). */
	d->status_since_start = 0;
	if (d->cfg.federation_id[0] != '\0' &&
	    daemon_tasks_publish_status(d) != LS_OK)
		(void)daemon_ownkey_check(d);
	return LS_OK;
}

void daemon_reload(struct daemon *d)
{
	struct ls_config c;
	struct ls_errinfo e;
	struct node_sync_options sopt;
	int changed = 0, relisten, rehttp;

	if (d->stopping)
		return;
	if (node_config_load(d->config_path, &c, &e) != LS_OK) {
		LS_ERROR("daemon", "reload_failed",
		         "file=%s detail=\"%s\" action=keep_old_config",
		         d->config_path, e.msg);
		return;
	}
	if (strcmp(c.node_id, d->cfg.node_id) != 0 ||
	    strcmp(c.store_path, d->cfg.store_path) != 0 ||
	    strcmp(c.federation_id, d->cfg.federation_id) != 0 ||
	    strcmp(c.anchor_path, d->cfg.anchor_path) != 0 ||
	    c.role != d->cfg.role) {
		LS_WARN("daemon", "reload_needs_restart",
		        "keys=\"node.id store.path federation.id "
		        "federation.anchor node.role\" action=keep_old_values");
		memcpy(c.node_id, d->cfg.node_id, sizeof c.node_id);
		memcpy(c.store_path, d->cfg.store_path, sizeof c.store_path);
		memcpy(c.federation_id, d->cfg.federation_id,
		       sizeof c.federation_id);
		memcpy(c.anchor_path, d->cfg.anchor_path, sizeof c.anchor_path);
		c.role = d->cfg.role;
	}
	rehttp = strcmp(c.http_listen, d->cfg.http_listen) != 0 ||
	         strcmp(c.web_dir, d->cfg.web_dir) != 0 ||
	         http_limits_changed(&c, &d->cfg);
	relisten = strcmp(c.listen, d->cfg.listen) != 0 ||
	           c.max_requests != d->cfg.max_requests ||
	           c.timeout_ms != d->cfg.timeout_ms ||
	           c.sync_max_connections != d->cfg.sync_max_connections ||
	           c.sync_max_per_client != d->cfg.sync_max_per_client;
	d->cfg = c;
	ls_log_set_level((enum ls_log_level)d->cfg.log_level);
	sync_options(&d->cfg, &sopt);
	d->sync.opt.page_docs = sopt.page_docs;
	d->sync.opt.page_bytes = sopt.page_bytes;
	d->sync.opt.push = sopt.push;
	if (relisten && d->cfg.federation_id[0] != '\0') {
		daemon_server_close(d);
		if (d->cfg.listen[0] != '\0')
			(void)daemon_server_open(d);
	}
	daemon_apipool_config_changed(d->http.pool);
	daemon_apipool_trust_changed(d->http.pool);
	if (rehttp) {
		daemon_http_close(d);
		if (d->cfg.http_listen[0] != '\0' &&
		    daemon_http_open(d, &e) != LS_OK)
			LS_ERROR("daemon", "http_reopen_failed",
			         "detail=\"%s\"", e.msg);
	}
	/* Peers are rebuilt from scratch: new intervals and timeouts apply
	 * to their sockets too. */
	daemon_peers_close_all(d);
	(void)node_ingest_reload_trust(&d->ingest, daemon_now(), &changed,
	                               NULL);
	if (d->cfg.federation_id[0] != '\0')
		(void)daemon_peers_refresh(d);
	(void)daemon_key_reload(d);
	daemon_tasks_reschedule(d);
	daemon_secagg_reload(d);
	if (node_sync_own_head_known(&d->sync))
		daemon_tasks_own_head_known(d);
	daemon_health_check_start(d);
	LS_INFO("daemon", "reloaded", "federation_seq=%llu peers=\"%s\"",
	        (unsigned long long)d->trust.head.seq, d->cfg.peers);
}

static void signal_close(struct daemon *d)
{
	uv_signal_t *sigs[] = {&d->s_term, &d->s_int, &d->s_hup};
	if (!d->signals_ready)
		return;
	for (size_t i = 0; i < 3; i++) {
		uv_signal_stop(sigs[i]);
		uv_close((uv_handle_t *)sigs[i], NULL);
	}
	d->signals_ready = 0;
}

void daemon_stop(struct daemon *d)
{
	struct daemon_watchdog *wd = &d->watchdog;

	if (d->stopping)
		return;
	d->stopping = 1;
	/* From here the whole stop is bounded (daemon/watchdog.h): a step
	 * that hangs is logged by name and the process ends. */
	(void)daemon_watchdog_arm(wd, (unsigned)d->cfg.shutdown_timeout_s,
	                          "timers");
	daemon_tasks_stop(d);
	daemon_secagg_stop(d);
	if (d->handoff_ready) {
		daemon_watchdog_step(wd, "http");
		daemon_http_close(d);
	}
	/* The store's work first, the sockets after: nng's close is the
	 * step that can hang (nng 1.5.2), and if it does, the watchdog's
	 * _exit finds the store jobs done and the state files written.
	 * Safe before the sockets close: the jobs' done callbacks only
	 * kick peers through daemon_new_docs, which does nothing while
	 * stopping, and nng's callbacks only post to the handoff queue,
	 * which is drained below. After the HTTP server (nothing asks the
	 * loop any more): jobs on the lanes finish or are done with
	 * LS_ESTATE. */
	daemon_watchdog_step(wd, "store_jobs");
	daemon_storejobs_close(d->jobs);
	d->jobs = NULL;
	if (d->metrics != NULL && d->store != NULL && d->sync_ready) {
		daemon_watchdog_step(wd, "state_write");
		daemon_state_write_now(d);
	}
	if (d->handoff_ready) {
		daemon_watchdog_step(wd, "sync_server");
		daemon_server_close(d);
		daemon_watchdog_step(wd, "peers");
		daemon_peers_close_all(d);
	}
	daemon_watchdog_step(wd, "handles");
	signal_close(d);
	if (d->handoff_ready) {
		daemon_handoff_close(&d->handoff);
		d->handoff_ready = 0;
	}
	LS_INFO("daemon", "stopped", "node=%s", d->cfg.node_id);
	/* uv_run finishes: a sync job on the engine's thread completes
	 * (a page is one transaction), the handles' close callbacks run. */
	daemon_watchdog_step(wd, "loop");
}

void daemon_close(struct daemon *d)
{
	daemon_watchdog_step(&d->watchdog, "sync_engine");
	daemon_syncwork_free(d);
	daemon_secagg_close(d);
	if (d->sync_ready)
		node_sync_fini(&d->sync);
	d->sync_ready = 0;
	node_ingest_fini(&d->ingest);
	node_trust_fini(&d->trust);
	daemon_watchdog_step(&d->watchdog, "store_close");
	store_close(d->store);
	d->store = NULL;
	proto_keypair_free(d->kp);
	d->kp = NULL;
	for (size_t i = 0; i < d->n_kp_retired; i++)
		proto_keypair_free(d->kp_retired[i]);
	ls_free(d->kp_retired);
	d->kp_retired = NULL;
	d->n_kp_retired = 0;
	daemon_metrics_free(d->metrics);
	d->metrics = NULL;
	ls_free(d->seen);
	d->seen = NULL;
	d->n_seen = 0;
}

unsigned daemon_nng_close_wait_ms(const struct daemon *d)
{
	uint64_t ms = (uint64_t)d->cfg.shutdown_timeout_s * 1000 / 4;
	return ms > 5000 ? 5000 : ms < 100 ? 100 : (unsigned)ms;
}

void daemon_nng_mark_stuck(struct daemon *d)
{
	d->nng_stuck = 1;
	if (d->metrics != NULL)
		(void)daemon_metrics_set(d->metrics,
		                         "signaal_sync_engine_stuck", 1);
}

void daemon_nng_abandoned(struct daemon *d, const char *mod, const char *what,
                          unsigned wait_ms)
{
	daemon_nng_mark_stuck(d);
	d->nng_abandoned++;
	if (d->metrics != NULL)
		(void)daemon_metrics_add(
		    d->metrics, "signaal_sync_close_abandoned_total", 1);
	if (d->stopping) {
		LS_WARN(mod, "close_abandoned",
		        "%s waited_ms=%u reason=nng_close_hung action=\"none: "
		        "the store's work is done; the connections close with "
		        "the process\"",
		        what, wait_ms);
		return;
	}
	/* A reload or a roster change: signaald goes on (capture, HTTP,
	 * the store), but nng cannot close anything any more. */
	LS_ERROR(mod, "close_abandoned",
	         "%s waited_ms=%u reason=nng_close_hung action=\"signaald "
	         "restarts itself at the next nng probe: sync connections can "
	         "no longer be closed\"",
	         what, wait_ms);
}

int daemon_finish(struct daemon *d)
{
	int abandoned = d->nng_stuck;

	/* nng's teardown waits for its threads, the reaper among them: a
	 * reaper stuck on a pipe (the hang of nng_close) hangs it too. */
	if (!abandoned) {
		daemon_watchdog_step(&d->watchdog, "nng_fini");
		nng_fini();
	}
	daemon_watchdog_disarm(&d->watchdog);
	return abandoned;
}
