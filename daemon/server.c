/*
 * The server: one nng REP socket listening on [sync] listen, and
 * max_requests contexts, each a small loop of its own:
 *
 *   nng_ctx_recv --(nng thread: post)--> worker_cb on the loop:
 *     a job for the sync engine (daemon/syncwork.c) -> on its thread:
 *     node_sync_handle_frame() -> serve_done on the loop: the reply
 *     into the same message ->
 *   nng_ctx_send --(post)--> worker_cb: recv again
 *
 * so several peers are served at once (requests arrive in parallel; they
 * are answered one after the other by the sync engine, off the loop,
 * each bounded by the page limits). Contexts with aio are what PLATFORM.md asks
 * for: a REP reply sent without them can be lost.
 *
 * Connections: nng's listener has no cap, and a REP socket keeps an idle
 * connection for ever, so a flood of connections (4100 at a descriptor
 * limit of 4096) would take every descriptor of the process: no HTTP
 * request, no file, no store connection any more. The pipe callback
 * (NNG_PIPE_EV_ADD_PRE, on nng's threads) closes a connection at once
 * when max_conns are open, or max_per_client from its address; both
 * counted in signaal_sync_connections_refused_total{reason} and logged
 * at most once a minute. max_conns is kept to half of what
 * RLIMIT_NOFILE leaves after DAEMON_FD_RESERVE (HTTP takes its cap from
 * the rest). A connection is seen only once it sent nng's 8-byte
 * greeting; until then nng holds it at most 10 s.
 *
 * Limits: NNG_OPT_RECVMAXSZ is the largest session frame plus a little,
 * so that a frame just over the maximum still reaches the session layer
 * and is refused and counted there (anything larger nng drops with the
 * connection); SENDTIMEO bounds a reply to a peer that stopped reading.
 * Receiving waits without a timeout: a server waits for requests.
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/log.h"
#include "proto/limits.h"

#include <nng/protocol/reqrep0/rep.h>
#include <string.h>
#include <sys/resource.h>

/* Room beyond the largest frame, so that "slightly too large" is
 * refused (and counted) by the session layer rather than by nng. */
#define RECV_SLACK 4096

static void worker_recv(struct worker *w)
{
	w->sending = 0;
	nng_aio_set_timeout(w->aio, NNG_DURATION_INFINITE);
	nng_ctx_recv(w->ctx, w->aio);
}

static void worker_aio_cb(void *arg)
{
	struct worker *w = arg;
	daemon_handoff_post(&w->d->handoff, &w->item);
}

/* A request with the sync engine (daemon/syncwork.c). */
struct serve_job {
	struct syncjob job;
	struct daemon *d;
	struct worker *w; /* NULL: the server closed while it ran */
	nng_msg *msg;     /* the request; reused for the reply */
	size_t in_len;
	int rc;
	uint8_t *reply;
	size_t reply_len;
	struct node_sync_served served;
};

static void serve_job_free(struct serve_job *j)
{
	if (j->msg != NULL)
		nng_msg_free(j->msg);
	ls_free(j->reply);
	ls_free(j);
}

/* Sync engine's thread. */
static void serve_run(struct syncjob *job, struct node_sync *ns)
{
	struct serve_job *j = (struct serve_job *)job;
	j->rc = node_sync_handle_frame(ns, daemon_now(), nng_msg_body(j->msg),
	                               j->in_len, &j->reply, &j->reply_len,
	                               &j->served);
}

/* Loop: send what the engine made. */
static void serve_done(struct syncjob *job, int rc)
{
	struct serve_job *j = (struct serve_job *)job;
	struct daemon *d = j->d;
	struct worker *w = j->w;
	nng_msg *msg;

	if (rc == LS_OK)
		rc = j->rc;
	if (w == NULL || d->stopping) {
		serve_job_free(j);
		return;
	}
	w->job = NULL;
	if (rc != LS_OK) {
		/* A store failure or a lack of memory: no answer, the peer
		 * retries later. */
		LS_ERROR("server", "request_dropped", "reason=%s",
		         ls_errname(rc));
		serve_job_free(j);
		worker_recv(w);
		return;
	}
	daemon_state_served(d, &j->served, j->in_len, j->reply_len);
	if (j->served.push.stored > 0 || j->served.push.trust_changed) {
		daemon_note_own_write(d);
		if (j->served.push.trust_changed) {
			/* the engine put it in force; the loop's view follows
			 */
			(void)node_ingest_reload_trust(&d->ingest, daemon_now(),
			                               NULL, NULL);
			daemon_trust_changed(d);
		}
		daemon_new_docs(d, daemon_peers_find(d, j->served.peer));
	}
	msg = j->msg;
	j->msg = NULL;
	nng_msg_clear(msg);
	if (nng_msg_append(msg, j->reply, j->reply_len) != 0) {
		nng_msg_free(msg);
		serve_job_free(j);
		worker_recv(w);
		return;
	}
	serve_job_free(j);
	nng_aio_set_msg(w->aio, msg);
	nng_aio_set_timeout(w->aio, (nng_duration)d->cfg.timeout_ms);
	w->sending = 1;
	nng_ctx_send(w->ctx, w->aio);
}

static void worker_loop_cb(struct handoff_item *item)
{
	struct worker *w =
	    (struct worker *)((char *)item - offsetof(struct worker, item));
	struct daemon *d = w->d;
	int res = nng_aio_result(w->aio);
	struct serve_job *j;
	nng_msg *msg;

	if (w->sending) {
		if (res != 0) {
			nng_msg_free(nng_aio_get_msg(w->aio));
			LS_DEBUG("server", "reply_not_sent", "reason=\"%s\"",
			         nng_strerror(res));
		}
		if (!d->stopping)
			worker_recv(w);
		return;
	}
	if (res != 0) {
		if (res == NNG_ECLOSED || d->stopping)
			return;
		LS_WARN("server", "recv_failed", "reason=\"%s\"",
		        nng_strerror(res));
		worker_recv(w);
		return;
	}
	msg = nng_aio_get_msg(w->aio);
	if (d->stopping) {
		nng_msg_free(msg);
		return;
	}
	/* The engine answers on its own thread; this context waits for
	 * the reply (max_requests contexts: that many requests queue). */
	j = ls_calloc(1, sizeof *j);
	if (j == NULL) {
		LS_ERROR("server", "request_dropped", "reason=%s",
		         ls_errname(LS_ENOMEM));
		nng_msg_free(msg);
		worker_recv(w);
		return;
	}
	j->job.run = serve_run;
	j->job.done = serve_done;
	j->d = d;
	j->w = w;
	j->msg = msg;
	j->in_len = nng_msg_len(msg);
	if (daemon_syncwork_submit(d, &j->job) != LS_OK) {
		serve_job_free(j);
		if (!d->stopping)
			worker_recv(w);
		return;
	}
	w->job = j;
}

/* --- connections -------------------------------------------------------- */

#define SERVER_LOG_EVERY_S 60

static const char *const refused_names[SERVER_REFUSED_COUNT_] = {
    [SERVER_REFUSED_CAP] = "cap",
    [SERVER_REFUSED_PER_CLIENT] = "per_client",
};

static int same_host(const nng_sockaddr *a, const nng_sockaddr *b)
{
	if (a->s_family != b->s_family)
		return 0;
	if (a->s_family == NNG_AF_INET)
		return a->s_in.sa_addr == b->s_in.sa_addr;
	if (a->s_family == NNG_AF_INET6)
		return memcmp(a->s_in6.sa_addr, b->s_in6.sa_addr,
		              sizeof a->s_in6.sa_addr) == 0;
	return 0;
}

/* nng's thread: a peer's connection arrives (ADD_PRE: closing it here
 * refuses it) or leaves (REM_POST, also for one refused here). */
static void pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct server *s = arg;
	uint32_t id = (uint32_t)nng_pipe_id(p);
	nng_sockaddr sa;
	int why = -1;

	memset(&sa, 0, sizeof sa);
	if (ev == NNG_PIPE_EV_ADD_PRE &&
	    nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa) != 0)
		sa.s_family = NNG_AF_UNSPEC;
	pthread_mutex_lock(&s->mu);
	if (ev == NNG_PIPE_EV_ADD_PRE) {
		unsigned same = 0;
		for (size_t i = 0; i < s->n_pipes; i++)
			if (same_host(&s->pipes[i].addr, &sa))
				same++;
		if (s->n_pipes >= s->max_conns)
			why = SERVER_REFUSED_CAP;
		else if (same >= s->max_per_client)
			why = SERVER_REFUSED_PER_CLIENT;
		if (why >= 0) {
			s->refused[why]++;
		} else {
			s->pipes[s->n_pipes].id = id;
			s->pipes[s->n_pipes].addr = sa;
			s->n_pipes++;
		}
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		for (size_t i = 0; i < s->n_pipes; i++)
			if (s->pipes[i].id == id) {
				s->pipes[i] = s->pipes[--s->n_pipes];
				break;
			}
	}
	pthread_mutex_unlock(&s->mu);
	if (why >= 0)
		(void)nng_pipe_close(p);
}

/* [sync] max_connections, kept to half of daemon_fd_budget. */
static unsigned conn_cap(const struct daemon *d)
{
	unsigned cap = (unsigned)d->cfg.sync_max_connections;
	unsigned half = daemon_fd_budget() / 2;
	if (cap > half) {
		LS_WARN("server", "max_connections_lowered",
		        "configured=%u fd_budget=%u max_connections=%u", cap,
		        daemon_fd_budget(), half);
		cap = half;
	}
	return cap;
}

void daemon_server_metrics_flush(struct daemon *d)
{
	struct server *s = &d->server;
	uint64_t refused[SERVER_REFUSED_COUNT_];
	size_t n;
	int64_t now = daemon_now();

	if (!s->mu_ready) {
		/* no listener (listen = "", or closed by a reload): nothing
		 * open, nothing allowed; not the last listener's figures */
		daemon_metrics_set(d->metrics, "signaal_sync_connections", 0);
		daemon_metrics_set(d->metrics, "signaal_sync_max_connections",
		                   0);
		return;
	}
	pthread_mutex_lock(&s->mu);
	n = s->n_pipes;
	memcpy(refused, s->refused, sizeof refused);
	pthread_mutex_unlock(&s->mu);
	daemon_metrics_set(d->metrics, "signaal_sync_connections", (double)n);
	daemon_metrics_set(d->metrics, "signaal_sync_max_connections",
	                   (double)s->max_conns);
	for (int i = 0; i < SERVER_REFUSED_COUNT_; i++) {
		/* A line per reason at most every SERVER_LOG_EVERY_S; a
		 * reason new since the last line of another is said at
		 * once. */
		int log_now = s->refused_logged_at[i] == 0 ||
		              now - s->refused_logged_at[i] >= SERVER_LOG_EVERY_S;
		if (refused[i] > s->refused_seen[i])
			daemon_metrics_add(
			    d->metrics,
			    "signaal_sync_connections_refused_total",
			    (double)(refused[i] - s->refused_seen[i]),
			    refused_names[i]);
		s->refused_seen[i] = refused[i];
		if (log_now && refused[i] > s->refused_logged[i]) {
			LS_WARN(
			    "server", "refused",
			    "reason=%s count=%llu total=%llu connections=%zu "
			    "max_connections=%u",
			    refused_names[i],
			    (unsigned long long)(refused[i] -
			                         s->refused_logged[i]),
			    (unsigned long long)refused[i], n, s->max_conns);
			s->refused_logged[i] = refused[i];
			s->refused_logged_at[i] = now;
		}
	}
}

int daemon_server_open(struct daemon *d)
{
	struct server *s = &d->server;
	int rv;

	memset(s, 0, sizeof *s);
	snprintf(s->url, sizeof s->url, "%s", d->cfg.listen);
	s->max_conns = conn_cap(d);
	s->max_per_client = (unsigned)d->cfg.sync_max_per_client;
	s->pipes = ls_calloc(s->max_conns, sizeof *s->pipes);
	if (s->pipes == NULL || pthread_mutex_init(&s->mu, NULL) != 0) {
		ls_free(s->pipes);
		s->pipes = NULL;
		rv = NNG_ENOMEM;
		goto err;
	}
	s->mu_ready = 1;
	if ((rv = nng_rep0_open(&s->sock)) != 0)
		goto err;
	s->open = 1;
	if ((rv = nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_PRE, pipe_cb, s)) !=
	        0 ||
	    (rv = nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, pipe_cb, s)) !=
	        0)
		goto err;
	if ((rv = nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ,
	                              LS_SESSION_MSG_MAX + RECV_SLACK)) != 0 ||
	    (rv = nng_socket_set_ms(s->sock, NNG_OPT_SENDTIMEO,
	                            (nng_duration)d->cfg.timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(s->sock, NNG_OPT_RECVTIMEO,
	                            NNG_DURATION_INFINITE)) != 0)
		goto err;
	if ((rv = nng_listener_create(&s->listener, s->sock, s->url)) != 0 ||
	    (rv = nng_listener_set_size(s->listener, NNG_OPT_RECVMAXSZ,
	                                LS_SESSION_MSG_MAX + RECV_SLACK)) !=
	        0 ||
	    (rv = nng_listener_start(s->listener, 0)) != 0)
		goto err;
	s->workers = ls_calloc((size_t)d->cfg.max_requests, sizeof *s->workers);
	if (s->workers == NULL) {
		rv = NNG_ENOMEM;
		goto err;
	}
	for (size_t i = 0; i < (size_t)d->cfg.max_requests; i++) {
		struct worker *w = &s->workers[i];
		w->d = d;
		w->item.cb = worker_loop_cb;
		if ((rv = nng_aio_alloc(&w->aio, worker_aio_cb, w)) != 0)
			goto err;
		s->n_workers++;
		if ((rv = nng_ctx_open(&w->ctx, s->sock)) != 0)
			goto err;
		w->ctx_open = 1;
	}
	for (size_t i = 0; i < s->n_workers; i++)
		worker_recv(&s->workers[i]);
	LS_INFO("server", "listening",
	        "url=%s contexts=%zu recv_max=%d max_connections=%u "
	        "max_per_client=%u",
	        s->url, s->n_workers, LS_SESSION_MSG_MAX + RECV_SLACK,
	        s->max_conns, s->max_per_client);
	return LS_OK;
err:
	LS_ERROR("server", "listen_failed", "url=%s reason=\"%s\"", s->url,
	         nng_strerror(rv));
	daemon_server_close(d);
	return LS_ENET;
}

/* 1: the socket is closed; 0: it is not (nng is stuck). */
static int close_socket(struct daemon *d, struct server *s, unsigned wait_ms)
{
	char what[sizeof s->url + 8];

	if (d->stopping && d->nng_stuck)
		return 0; /* left to the process's exit */
	if (daemon_watchdog_close_socket(s->sock, wait_ms) != LS_ETIMEOUT)
		return 1;
	snprintf(what, sizeof what, "url=%s", s->url);
	daemon_nng_abandoned(d, "server", what, wait_ms);
	return 0;
}

void daemon_server_close(struct daemon *d)
{
	struct server *s = &d->server;
	unsigned wait_ms = daemon_nng_close_wait_ms(d);

	/* Stop every operation first (nng waits for running callbacks),
	 * then take what they posted out of the queue. */
	for (size_t i = 0; i < s->n_workers; i++)
		nng_aio_stop(s->workers[i].aio);
	for (size_t i = 0; i < s->n_workers; i++) {
		struct worker *w = &s->workers[i];
		int res;
		if (!daemon_handoff_cancel(&d->handoff, &w->item))
			continue;
		res = nng_aio_result(w->aio);
		/* A send that did not complete, or a receive that did,
		 * leaves a message with the aio. */
		if ((w->sending && res != 0) || (!w->sending && res == 0))
			nng_msg_free(nng_aio_get_msg(w->aio));
	}
	/* A request with the sync engine: dropped if it has not started,
	 * else its done sees it orphaned and frees it. */
	for (size_t i = 0; i < s->n_workers; i++) {
		struct serve_job *j = s->workers[i].job;
		if (j == NULL)
			continue;
		s->workers[i].job = NULL;
		if (daemon_syncwork_cancel(d, &j->job))
			serve_job_free(j);
		else
			j->w = NULL;
	}
	for (size_t i = 0; i < s->n_workers; i++)
		if (s->workers[i].ctx_open)
			nng_ctx_close(s->workers[i].ctx);
	/* nng 1.5.2's close can hang (daemon/watchdog.h): bounded, and at
	 * stop not even tried once one close hung. */
	if (s->open && !close_socket(d, s, wait_ms)) {
		/* Not closed, or closing for ever: its pipe callback may
		 * still run with s, so the lock, the pipes and the workers'
		 * (stopped) aios stay (a listener opened after this one, at
		 * a reload, does not know the old pipes' ids). */
		s->open = 0;
		s->n_workers = 0;
		return;
	}
	for (size_t i = 0; i < s->n_workers; i++)
		nng_aio_free(s->workers[i].aio);
	ls_free(s->workers);
	/* nng_close waited for every pipe's REM_POST */
	if (s->mu_ready)
		pthread_mutex_destroy(&s->mu);
	ls_free(s->pipes);
	memset(s, 0, sizeof *s);
}
