/*
 * One peer: an nng REQ socket dialing its endpoint (nng reconnects by
 * itself), one context with one aio, a timer, and at most one round at a
 * time. A round is a chain of request/reply exchanges driven by the sync
 * engine:
 *
 *   timer -> step: node_sync_round_new + node_sync_round_next ->
 *   nng_ctx_send --(post)--> io_cb: nng_ctx_recv --(post)--> io_cb:
 *   step: node_sync_round_reply + node_sync_round_next -> ...
 *   -> round done -> next timer
 *
 * A step runs on the sync engine's thread (daemon/syncwork.c: it reads
 * and writes the store), its result comes back to the loop in
 * peer_job_done; everything else here is the loop's.
 *
 * Every send and receive has the [sync] timeout_ms; a timeout, a refused
 * request or a bad reply ends the round (what it fetched is committed
 * already) and the next one waits longer: interval x 2^failures, capped
 * by backoff_max_s, each with a random factor in [0.5, 1] so that nodes
 * restarted together do not stay in step. Successful rounds repeat every
 * interval_s x [0.8, 1.2]. When this node gets something new (published
 * or received), peers are kicked: their next round runs within a second,
 * which is what makes a release spread in seconds rather than intervals.
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/log.h"
#include "proto/limits.h"

#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define RECV_SLACK 4096
/* A kicked peer's round starts within [KICK_MIN_MS, KICK_MIN_MS +
 * KICK_SPREAD_MS). */
#define KICK_MIN_MS 100
#define KICK_SPREAD_MS 400

/* ms scaled by a random factor in [lo, hi] (per mille). */
static uint64_t jitter(uint64_t ms, uint32_t lo, uint32_t hi)
{
	uint32_t f = lo + randombytes_uniform(hi - lo + 1);
	return ms * f / 1000;
}

static uint64_t next_delay_ms(const struct peer *p)
{
	const struct ls_config *c = &p->d->cfg;
	uint64_t base = (uint64_t)c->sync_interval_s * 1000;
	uint64_t cap = (uint64_t)c->backoff_max_s * 1000;
	unsigned n = p->failures > 0 ? p->failures : p->stalls;
	if (n == 0)
		return jitter(base, 800, 1200);
	for (unsigned i = 0; i < n && base < cap; i++)
		base *= 2;
	if (base > cap)
		base = cap;
	return jitter(base, 500, 1000);
}

static void peer_timer_cb(uv_timer_t *t);

static void schedule(struct peer *p, uint64_t ms)
{
	if (p->closing || p->d->stopping)
		return;
	uv_timer_start(&p->timer, peer_timer_cb, ms, 0);
}

static void round_finish(struct peer *p)
{
	struct daemon *d = p->d;
	const struct node_sync_round_info *info =
	    node_sync_round_info(p->round);
	int ok = info->state == NODE_SYNC_DONE;

	if (ok) {
		if (p->failures > 0)
			LS_INFO("peer", "peer_recovered",
			        "peer=%s after_failures=%u", p->id,
			        p->failures);
		p->failures = 0;
		p->last_ok = daemon_now();
		p->last_code = LS_OK;
		p->rounds_ok++;
		/* Nothing more to get from this peer until something changes:
		 * what differs is held back or refused. Back off. */
		if (!info->in_sync && info->docs_stored == 0 &&
		    info->push_stored == 0 && info->forks == 0 &&
		    !info->trust_changed &&
		    (info->held_back > 0 || info->rejected > 0 ||
		     info->push_refused > 0)) {
			if (p->stalls == 0)
				LS_WARN("peer", "round_stalled",
				        "peer=%s held_back=%llu rejected=%llu "
				        "push_refused=%llu action=backoff",
				        p->id,
				        (unsigned long long)info->held_back,
				        (unsigned long long)info->rejected,
				        (unsigned long long)info->push_refused);
			p->stalls++;
		} else {
			p->stalls = 0;
		}
	} else {
		if (p->failures == 0 || info->code != p->last_code)
			LS_WARN("peer", "round_failed",
			        "peer=%s endpoint=%s state_reached=%s "
			        "reason=%s failures=%u",
			        p->id, p->endpoint,
			        node_sync_state_name(info->state),
			        ls_errname(info->code), p->failures + 1);
		p->failures++;
		p->last_code = info->code;
		p->rounds_failed++;
	}
	daemon_state_round_done(d, p, info);
	if (info->docs_stored > 0 || info->forks > 0 || info->trust_changed) {
		daemon_note_own_write(d);
		if (info->trust_changed) {
			/* the engine put it in force; the loop's view follows
			 */
			(void)node_ingest_reload_trust(&d->ingest, daemon_now(),
			                               NULL, NULL);
			daemon_trust_changed(d);
		}
		if (info->docs_stored > 0)
			daemon_new_docs(d, p);
	}
	node_sync_round_free(p->round);
	p->round = NULL;
	if (p->closing)
		return;
	if (p->kicked && p->failures == 0) {
		p->kicked = 0;
		schedule(p, KICK_MIN_MS + randombytes_uniform(KICK_SPREAD_MS));
	} else {
		p->kicked = 0;
		schedule(p, next_delay_ms(p));
	}
}

/* Sync engine's thread: the round's next step with the store. A start
 * makes the round (p->job_round, handed to the loop in done); a step
 * takes in the peer's reply (p->job_msg) first. Then the next request
 * (p->job_frame), or LS_ENOTFOUND when the round is over. */
static void peer_job_run(struct syncjob *job, struct node_sync *ns)
{
	struct peer *p =
	    (struct peer *)((char *)job - offsetof(struct peer, job));
	struct node_sync_round *round = p->round;
	int64_t now = daemon_now();

	p->job_frame = NULL;
	p->job_len = 0;
	if (p->job_start) {
		p->job_rc = node_sync_round_new(ns, p->id, now, &p->job_round);
		if (p->job_rc != LS_OK)
			return;
		round = p->job_round;
	} else if (p->job_msg != NULL) {
		p->job_rc =
		    node_sync_round_reply(round, now, nng_msg_body(p->job_msg),
		                          nng_msg_len(p->job_msg));
		nng_msg_free(p->job_msg);
		p->job_msg = NULL;
		if (p->job_rc != LS_OK)
			return;
	}
	p->job_rc =
	    node_sync_round_next(round, now, &p->job_frame, &p->job_len);
}

static void peer_send(struct peer *p, uint8_t *frame, size_t len)
{
	struct daemon *d = p->d;
	nng_msg *msg;
	if (nng_msg_alloc(&msg, 0) != 0 || nng_msg_append(msg, frame, len)) {
		ls_free(frame);
		node_sync_round_abort(p->round, LS_ENOMEM);
		round_finish(p);
		return;
	}
	ls_free(frame);
	nng_aio_set_msg(p->aio, msg);
	nng_aio_set_timeout(p->aio, (nng_duration)d->cfg.timeout_ms);
	p->io = PEER_SENDING;
	nng_ctx_send(p->ctx, p->aio);
}

static void peer_free_if_done(struct peer *p)
{
	if (p->timer_closed && p->job.state == SYNCJOB_IDLE)
		ls_free(p);
}

/* Loop: what the step made. */
static void peer_job_done(struct syncjob *job, int rc)
{
	struct peer *p =
	    (struct peer *)((char *)job - offsetof(struct peer, job));
	int start = p->job_start;

	if (rc != LS_OK) { /* not run */
		p->job_rc = rc;
		p->job_frame = NULL;
		if (p->job_msg != NULL) {
			nng_msg_free(p->job_msg);
			p->job_msg = NULL;
		}
	}
	if (start && p->job_round != NULL) {
		p->round = p->job_round;
		p->job_round = NULL;
	}
	if (p->closing) {
		ls_free(p->job_frame);
		p->job_frame = NULL;
		if (p->round != NULL) {
			node_sync_round_abort(p->round, LS_ESTATE);
			node_sync_round_free(p->round);
			p->round = NULL;
		}
		peer_free_if_done(p);
		return;
	}
	if (start && p->round == NULL) {
		/* Not (or no longer) a member we may sync with. */
		if (p->failures == 0 || p->job_rc != p->last_code)
			LS_WARN("peer", "round_refused", "peer=%s reason=%s",
			        p->id, ls_errname(p->job_rc));
		p->failures++;
		p->last_code = p->job_rc;
		p->rounds_failed++;
		schedule(p, next_delay_ms(p));
		return;
	}
	if (p->job_rc != LS_OK) {
		if (rc != LS_OK)
			node_sync_round_abort(p->round, rc);
		round_finish(p);
		return;
	}
	peer_send(p, p->job_frame, p->job_len);
	p->job_frame = NULL;
}

/* Loop: the round's next step, with the peer's reply msg (NULL for the
 * first). */
static void peer_step(struct peer *p, int start, nng_msg *msg)
{
	p->job.run = peer_job_run;
	p->job.done = peer_job_done;
	p->job_start = start;
	p->job_msg = msg;
	if (daemon_syncwork_submit(p->d, &p->job) != LS_OK) {
		if (msg != NULL)
			nng_msg_free(msg);
		p->job_msg = NULL;
		if (p->round != NULL) {
			node_sync_round_abort(p->round, LS_ESTATE);
			round_finish(p);
		}
	}
}

static int translate(int nng_rc)
{
	return nng_rc == NNG_ETIMEDOUT ? LS_ETIMEOUT : LS_ENET;
}

static void peer_io_loop_cb(struct handoff_item *item)
{
	struct peer *p =
	    (struct peer *)((char *)item - offsetof(struct peer, item));
	int res = nng_aio_result(p->aio);

	if (p->io == PEER_SENDING) {
		if (res != 0) {
			nng_msg_free(nng_aio_get_msg(p->aio));
			p->io = PEER_IDLE;
			LS_DEBUG("peer", "send_failed", "peer=%s reason=\"%s\"",
			         p->id, nng_strerror(res));
			node_sync_round_abort(p->round, translate(res));
			round_finish(p);
			return;
		}
		p->io = PEER_RECEIVING;
		nng_aio_set_timeout(p->aio, (nng_duration)p->d->cfg.timeout_ms);
		nng_ctx_recv(p->ctx, p->aio);
		return;
	}
	p->io = PEER_IDLE;
	if (res != 0) {
		LS_DEBUG("peer", "recv_failed", "peer=%s reason=\"%s\"", p->id,
		         nng_strerror(res));
		node_sync_round_abort(p->round, translate(res));
		round_finish(p);
		return;
	}
	/* Taking in the reply (verify, store, commit) is the engine's. */
	peer_step(p, 0, nng_aio_get_msg(p->aio));
}

static void peer_aio_cb(void *arg)
{
	struct peer *p = arg;
	daemon_handoff_post(&p->d->handoff, &p->item);
}

static void peer_timer_cb(uv_timer_t *t)
{
	struct peer *p = t->data;
	struct daemon *d = p->d;

	if (p->round != NULL || p->job.state != SYNCJOB_IDLE || p->closing ||
	    d->stopping)
		return;
	p->last_attempt = daemon_now();
	p->round_start_ms = uv_now(d->loop);
	peer_step(p, 1, NULL);
}

int daemon_peer_open(struct daemon *d, const char *id, const char *endpoint,
                     struct peer **out)
{
	struct peer *p = ls_calloc(1, sizeof *p);
	int rv;

	*out = NULL;
	if (p == NULL)
		return LS_ENOMEM;
	p->d = d;
	snprintf(p->id, sizeof p->id, "%s", id);
	snprintf(p->endpoint, sizeof p->endpoint, "%s", endpoint);
	p->item.cb = peer_io_loop_cb;
	if ((rv = nng_req0_open(&p->sock)) != 0)
		goto err;
	p->sock_open = 1;
	/* The request timeout is ours (per aio); REQ's own resend would
	 * only repeat a request the replay guard answers from its cache,
	 * so it waits longer than any round step. */
	if ((rv = nng_socket_set_size(p->sock, NNG_OPT_RECVMAXSZ,
	                              LS_SESSION_MSG_MAX + RECV_SLACK)) != 0 ||
	    (rv = nng_socket_set_ms(p->sock, NNG_OPT_SENDTIMEO,
	                            (nng_duration)d->cfg.timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(p->sock, NNG_OPT_RECVTIMEO,
	                            (nng_duration)d->cfg.timeout_ms)) != 0 ||
	    (rv = nng_socket_set_ms(p->sock, NNG_OPT_REQ_RESENDTIME,
	                            (nng_duration)d->cfg.timeout_ms / 2)) !=
	        0 ||
	    (rv = nng_socket_set_ms(p->sock, NNG_OPT_RECONNMINT, 100)) != 0 ||
	    (rv = nng_socket_set_ms(p->sock, NNG_OPT_RECONNMAXT,
	                            (nng_duration)d->cfg.backoff_max_s *
	                                1000)) != 0)
		goto err;
	if ((rv = nng_dialer_create(&p->dialer, p->sock, p->endpoint)) != 0 ||
	    (rv = nng_dialer_set_size(p->dialer, NNG_OPT_RECVMAXSZ,
	                              LS_SESSION_MSG_MAX + RECV_SLACK)) != 0 ||
	    (rv = nng_dialer_start(p->dialer, NNG_FLAG_NONBLOCK)) != 0)
		goto err;
	if ((rv = nng_aio_alloc(&p->aio, peer_aio_cb, p)) != 0)
		goto err;
	if ((rv = nng_ctx_open(&p->ctx, p->sock)) != 0)
		goto err_after_aio;
	uv_timer_init(d->loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, peer_timer_cb, 200 + randombytes_uniform(800),
	               0);
	p->next = d->peers;
	d->peers = p;
	LS_INFO("peer", "peer_added", "peer=%s endpoint=%s", p->id,
	        p->endpoint);
	*out = p;
	return LS_OK;

err_after_aio:
	nng_aio_free(p->aio);
err:
	LS_ERROR("peer", "peer_open_failed",
	         "peer=%s endpoint=%s reason=\"%s\"", id, endpoint,
	         nng_strerror(rv));
	if (p->sock_open)
		nng_close(p->sock);
	ls_free(p);
	return LS_ENET;
}

static void peer_closed_cb(uv_handle_t *h)
{
	struct peer *p = h->data;
	p->timer_closed = 1;
	peer_free_if_done(p); /* else the running step's done frees it */
}

/* The peer's context and socket, the close bounded (nng 1.5.2's close
 * can hang for ever, daemon/watchdog.h); at stop, once one close hung,
 * nng is left alone: its sockets close with the process. The peer's aio
 * is stopped already, so the socket keeps nothing of p. */
static void close_socket(struct peer *p)
{
	struct daemon *d = p->d;
	unsigned wait_ms = daemon_nng_close_wait_ms(d);
	char what[LS_NODE_ID_SIZE + 8];

	if (d->stopping && d->nng_stuck)
		return;
	nng_ctx_close(p->ctx);
	if (daemon_watchdog_close_socket(p->sock, wait_ms) == LS_ETIMEOUT) {
		snprintf(what, sizeof what, "peer=%s", p->id);
		daemon_nng_abandoned(d, "peer", what, wait_ms);
	}
}

void daemon_peer_close(struct peer *p)
{
	struct daemon *d = p->d;
	struct peer **pp;

	p->closing = 1;
	for (pp = &d->peers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	uv_timer_stop(&p->timer);
	nng_aio_stop(p->aio);
	if (daemon_handoff_cancel(&d->handoff, &p->item)) {
		int res = nng_aio_result(p->aio);
		if ((p->io == PEER_SENDING && res != 0) ||
		    (p->io == PEER_RECEIVING && res == 0))
			nng_msg_free(nng_aio_get_msg(p->aio));
	}
	if (daemon_syncwork_cancel(d, &p->job) && p->job_msg != NULL) {
		nng_msg_free(p->job_msg);
		p->job_msg = NULL;
	}
	/* A step that is running keeps its round: its done frees both. */
	if (p->round != NULL && p->job.state == SYNCJOB_IDLE) {
		node_sync_round_abort(p->round, LS_ESTATE);
		node_sync_round_free(p->round);
		p->round = NULL;
	}
	close_socket(p);
	nng_aio_free(p->aio); /* stopped above: nng holds it no more */
	LS_INFO("peer", "peer_removed", "peer=%s", p->id);
	uv_close((uv_handle_t *)&p->timer, peer_closed_cb);
}

void daemon_peer_kick(struct peer *p)
{
	if (p->closing || p->d->stopping || p->failures > 0)
		return;
	if (p->round != NULL || p->job.state != SYNCJOB_IDLE) {
		p->kicked = 1;
		return;
	}
	if (uv_timer_get_due_in(&p->timer) > KICK_MIN_MS + KICK_SPREAD_MS)
		schedule(p, KICK_MIN_MS + randombytes_uniform(KICK_SPREAD_MS));
}

void daemon_peers_kick(struct daemon *d, const struct peer *except)
{
	for (struct peer *p = d->peers; p != NULL; p = p->next)
		if (p != except)
			daemon_peer_kick(p);
}

struct peer *daemon_peers_find(struct daemon *d, const char *id)
{
	for (struct peer *p = d->peers; p != NULL; p = p->next)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}
