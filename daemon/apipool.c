/*
 * The API's threads: requests are answered off the loop, so that the loop
 * (sync, releases, timers) and the HTTP server's thread never wait on the
 * store, and a store busy with an import or a backup costs a bounded wait
 * and a 503 with Retry-After, never a stalled daemon.
 *
 *   writer   every request but GET/HEAD. Captures (POST /api/v1/signals)
 *            are group-committed: the writer takes what is queued (at
 *            most APIPOOL_BATCH), opens one transaction, answers each
 *            capture inside a savepoint of its own when there are
 *            several (a refused one is rolled back alone), commits,
 *            and only then hands the answers back: a 201 means
 *            committed with the configured [store] synchronous. If the
 *            commit fails, every 201 of the batch becomes 503. Other
 *            writes run one transaction each.
 *   readers  GET/HEAD, APIPOOL_READERS threads: WAL readers never wait
 *            for the writer.
 *
 * Each thread has its own store connection (DESIGN: one connection per
 * thread), its own struct node_api (the counters are shared, atomically)
 * and its own trust, loaded from its connection and reloaded when the
 * loop says it changed. The two hooks that need the loop's state
 * (/metrics, the peers of /readyz) are a bounded call into the loop
 * (loop_call): posted through the handoff queue, waited for at most
 * [http] store_wait_ms.
 *
 * A job that waits in the queue longer than store_wait_ms (the threads
 * are all busy with a slow store) is answered 503 by daemon_apipool_expire(),
 * which the HTTP server's sweeper calls.
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/clock.h"
#include "core/attack.h"
#include "common/log.h"
#include "common/path.h"
#include "common/text.h"
#include "node/secret.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define APIPOOL_READERS 2
#define APIPOOL_BATCH 64

enum call_what { CALL_METRICS = 1, CALL_PEERS, CALL_HEALTH };
enum call_state { CALL_IDLE = 0, CALL_POSTED, CALL_DONE };

struct loop_call {
	struct handoff_item item;
	struct apiworker *w;
	int state; /* enum call_state, under pool->mu */
	int what;  /* enum call_what */
	int rc;
	char *text; /* metrics, ls_malloc'd */
	size_t len;
	unsigned configured, reachable;
	char reason[600]; /* CALL_HEALTH: Dutch, "" when healthy */
};

struct apiworker {
	struct apipool *pool;
	pthread_t thread;
	int started;
	int writer;
	struct store *store;
	struct node_api *api;
	struct node_trust trust;
	int trust_ready;
	uint64_t trust_gen, cfg_gen;
	struct ls_config cfg; /* this thread's copy */
	struct loop_call call;
};

struct queue {
	struct api_job *head, *tail;
	size_t n;
};

struct apipool {
	struct daemon *d; /* the loop's: only d->handoff off the loop */
	char store_path[DAEMON_PATH_SIZE];
	int federated;
	uint8_t anchor[LS_PUBKEY_BYTES];
	uint64_t wait_ms;
	pthread_mutex_t mu;
	pthread_cond_t cv_write, cv_read, cv_call;
	int stopping;
	struct queue writes, reads;
	struct ls_config cfg; /* under mu: the newest */
	uint64_t cfg_gen, trust_gen;
	int writer_health; /* store_write_health of the writer's store */
	int damaged;       /* the loop's verdict: the store failed a check */
	size_t n_workers;
	struct apiworker w[1 + APIPOOL_READERS]; /* w[0]: the writer */
	uint8_t *web_secret; /* keys/web.secret, sodium memory; NULL: none */
};

static const char busy_body[] =
    "{\"code\":\"busy\",\"melding\":\"Het knooppunt is even bezet. Probeer "
    "het zo opnieuw.\"}";

/* A fixed JSON error answer (body static, of len bytes); retry_after
 * NULL for none. */
static void fixed_response(struct node_api_response *resp, int status,
                           const char *body, size_t len,
                           const char *retry_after)
{
	memset(resp, 0, sizeof *resp);
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	resp->body = body;
	resp->body_len = len;
	if (retry_after != NULL) {
		resp->n_headers = 1;
		resp->headers[0].name = "Retry-After";
		ls_strlcpy(resp->headers[0].value, retry_after,
		           sizeof resp->headers[0].value);
	}
}

void daemon_apipool_busy_response(struct node_api_response *resp)
{
	fixed_response(resp, 503, busy_body, sizeof busy_body - 1, "2");
}

/* The API's 507 (node/api_internal.h, disk_full), for a group commit
 * that failed for lack of space. */
static const char full_body[] =
    "{\"code\":\"disk_full\",\"melding\":\"De schijf van dit knooppunt "
    "is vol; er is niets bewaard. Verwittig de beheerder en probeer later "
    "opnieuw.\"}";

static void full_response(struct node_api_response *resp)
{
	fixed_response(resp, 507, full_body, sizeof full_body - 1, NULL);
}

static void answer_busy(struct api_job *job)
{
	struct node_api_response resp;
	daemon_apipool_busy_response(&resp);
	job->done(job, &resp);
}

/* --- calls into the loop -------------------------------------------------- */

static void loop_call_cb(struct handoff_item *item)
{
	struct loop_call *c =
	    (struct loop_call *)((char *)item -
	                         offsetof(struct loop_call, item));
	struct apipool *p = c->w->pool;
	struct daemon *d = p->d;
	char *text = NULL, reason[sizeof c->reason] = "";
	size_t len = 0;
	unsigned configured = 0, reachable = 0;
	int rc = LS_OK;

	if (c->what == CALL_METRICS) {
		rc = daemon_state_metrics_text(d, &text, &len);
	} else if (c->what == CALL_HEALTH) {
		rc = daemon_health_hook(d, reason, sizeof reason);
	} else {
		for (const struct peer *q = d->peers; q != NULL; q = q->next) {
			configured++;
			if (q->last_attempt != 0 && q->last_code == LS_OK)
				reachable++;
		}
	}
	pthread_mutex_lock(&p->mu);
	ls_free(c->text); /* an abandoned call's */
	c->text = text;
	c->len = len;
	c->rc = rc;
	c->configured = configured;
	c->reachable = reachable;
	memcpy(c->reason, reason, sizeof c->reason);
	c->state = CALL_DONE;
	pthread_cond_broadcast(&p->cv_call);
	pthread_mutex_unlock(&p->mu);
}

/* Worker thread: run `what` on the loop, waiting at most wait_ms.
 * LS_EBUSY when the loop did not answer in time (or an earlier call is
 * still out, or the pool stops). */
static int loop_call(struct apiworker *w, int what)
{
	struct apipool *p = w->pool;
	struct loop_call *c = &w->call;
	struct timespec ts;
	uint64_t ns;
	int rc;

	pthread_mutex_lock(&p->mu);
	if (c->state == CALL_POSTED || p->stopping) {
		pthread_mutex_unlock(&p->mu);
		return LS_EBUSY;
	}
	ls_free(c->text);
	c->text = NULL;
	c->state = CALL_POSTED;
	c->what = what;
	pthread_mutex_unlock(&p->mu);
	daemon_handoff_post(&p->d->handoff, &c->item);
	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (uint64_t)ts.tv_nsec + p->wait_ms * 1000000u;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	pthread_mutex_lock(&p->mu);
	while (c->state == CALL_POSTED && !p->stopping)
		if (pthread_cond_timedwait(&p->cv_call, &p->mu, &ts) ==
		    ETIMEDOUT)
			break;
	if (c->state != CALL_DONE) {
		pthread_mutex_unlock(&p->mu);
		LS_WARN("http", "loop_call_timeout", "what=%s wait_ms=%llu",
		        what == CALL_METRICS ? "metrics"
		        : what == CALL_PEERS ? "peers"
		                             : "health",
		        (unsigned long long)p->wait_ms);
		return LS_EBUSY;
	}
	c->state = CALL_IDLE;
	rc = c->rc;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static int hook_metrics(void *arg, char **text, size_t *len)
{
	struct apiworker *w = arg;
	int rc = loop_call(w, CALL_METRICS);
	if (rc != LS_OK)
		return rc;
	*text = w->call.text;
	*len = w->call.len;
	w->call.text = NULL;
	return LS_OK;
}

static int hook_peers(void *arg, unsigned *configured, unsigned *reachable)
{
	struct apiworker *w = arg;
	int rc = loop_call(w, CALL_PEERS);
	*configured = w->call.configured;
	*reachable = w->call.reachable;
	return rc;
}

static int hook_health(void *arg, char *reason, size_t size)
{
	struct apiworker *w = arg;
	int rc = loop_call(w, CALL_HEALTH);
	if (rc == LS_EBUSY) {
		snprintf(reason, size, "%s",
		         "signaald antwoordt niet op tijd (de hoofdlus is "
		         "bezet)");
		return rc;
	}
	snprintf(reason, size, "%s", w->call.reason);
	return rc;
}

/* The writer's health hook: only whether the store is damaged (the API
 * refuses writes then, node/api.c store_damaged), from the verdict the
 * loop hands over (daemon_apipool_damaged) and the writer's own
 * connection: no call into the loop per capture. */
static int hook_health_writer(void *arg, char *reason, size_t size)
{
	struct apiworker *w = arg;
	struct apipool *p = w->pool;
	int damaged;
	pthread_mutex_lock(&p->mu);
	damaged = p->damaged;
	pthread_mutex_unlock(&p->mu);
	if (!damaged && store_write_health(w->store) != LS_ECORRUPT) {
		if (size > 0)
			reason[0] = '\0';
		return LS_OK;
	}
	snprintf(reason, size, "%s",
	         "de databank is beschadigd: stop signaald en zet de laatste "
	         "back-up terug");
	return LS_ECORRUPT;
}

/* --- the threads
 * -------------------------------------------------------------- */

static int trust_load(struct apiworker *w)
{
	struct ls_errinfo e;
	int rc;
	if (w->trust_ready)
		node_trust_fini(&w->trust);
	if (w->pool->federated)
		node_trust_init(&w->trust, w->cfg.federation_id,
		                w->pool->anchor);
	else
		node_trust_init(&w->trust, NULL, NULL);
	w->trust_ready = 1;
	rc = node_trust_load(&w->trust, w->store, daemon_now(), &e);
	if (rc != LS_OK)
		LS_ERROR("http", "trust_load_failed", "detail=\"%s\"", e.msg);
	return rc;
}

/* Before a request: the newest config and trust. */
static void refresh(struct apiworker *w)
{
	struct apipool *p = w->pool;
	uint64_t cg, tg;
	pthread_mutex_lock(&p->mu);
	cg = p->cfg_gen;
	tg = p->trust_gen;
	if (cg != w->cfg_gen)
		w->cfg = p->cfg;
	pthread_mutex_unlock(&p->mu);
	w->cfg_gen = cg;
	if (tg != w->trust_gen) {
		w->trust_gen = tg;
		(void)trust_load(w);
	}
}

static void answer(struct apiworker *w, struct api_job *job)
{
	struct node_api_response resp;
	node_api_handle(w->api, &job->q, &resp);
	job->done(job, &resp);
}

/* The API's 503 store_read_only (node/api_internal.h), for a group
 * commit the store could not write (a read-only file system, an I/O
 * error): the operator must act, so Retry-After is a minute. */
static const char read_only_body[] =
    "{\"code\":\"store_read_only\",\"melding\":\"De databank van dit "
    "knooppunt kan niet schrijven (alleen-lezen of een schijffout); er is "
    "niets bewaard. Verwittig de beheerder en probeer later opnieuw.\"}";

static void read_only_response(struct node_api_response *resp)
{
	fixed_response(resp, 503, read_only_body, sizeof read_only_body - 1,
	               "60");
}

/* The writer's batch: captures in one transaction, the rest alone. */
static void write_batch(struct apiworker *w, struct api_job *list)
{
	struct node_api_response resps[APIPOOL_BATCH];
	struct api_job *caps[APIPOOL_BATCH];
	size_t n = 0, stored = 0;
	int rc, several, before;

	for (struct api_job *j = list, *next; j != NULL; j = next) {
		next = j->next;
		if (j->capture)
			caps[n++] = j;
		else
			answer(w, j);
	}
	if (n == 0)
		return;
	before = store_write_health(w->store);
	if ((rc = store_tx_begin(w->store)) != LS_OK) {
		/* The store stayed busy for store_wait_ms. */
		LS_WARN("http", "store_busy", "captures=%zu rc=%s", n,
		        ls_strerror(rc));
		for (size_t i = 0; i < n; i++)
			answer_busy(caps[i]);
		return;
	}
	/* A savepoint each only when there are several: a capture alone
	 * that is refused is undone with the transaction. */
	several = n > 1;
	for (size_t i = 0; i < n; i++) {
		if (several && store_savepoint(w->store) != LS_OK) {
			daemon_apipool_busy_response(&resps[i]);
			continue;
		}
		node_api_handle(w->api, &caps[i]->q, &resps[i]);
		rc = LS_OK;
		if (several) {
			if (resps[i].status == 201)
				rc = store_savepoint_release(w->store);
			else
				store_savepoint_rollback(w->store);
		}
		if (resps[i].status == 201 && rc != LS_OK) {
			node_api_response_fini(&resps[i]);
			daemon_apipool_busy_response(&resps[i]);
		}
		if (resps[i].status == 201)
			stored++;
	}
	LS_DEBUG("http", "group_commit", "captures=%zu stored=%zu", n, stored);
	if (stored == 0) {
		/* Nothing to keep: no commit (it would also tell the store
		 * that writes work again, after a disk-full refusal). */
		store_tx_rollback(w->store);
	} else if ((rc = store_tx_commit(w->store)) != LS_OK) {
		/* Once per cause, not per batch: a refused capture a second
		 * on a full or read-only disk must not flood the log (the
		 * health tick says it, once, too). */
		if (rc != before)
			LS_ERROR("http", "group_commit_failed",
			         "captures=%zu rc=%s", n, ls_strerror(rc));
		else
			LS_DEBUG("http", "group_commit_failed",
			         "captures=%zu rc=%s", n, ls_strerror(rc));
		for (size_t i = 0; i < n; i++) {
			if (resps[i].status != 201)
				continue;
			node_api_response_fini(&resps[i]);
			if (rc == LS_EFULL)
				full_response(&resps[i]);
			else if (rc == LS_EIO)
				read_only_response(&resps[i]);
			else
				daemon_apipool_busy_response(&resps[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		caps[i]->done(caps[i], &resps[i]);
}

static struct api_job *take(struct queue *q, size_t max)
{
	struct api_job *head = q->head, *last = head;
	size_t n = 1;
	if (head == NULL)
		return NULL;
	while (n < max && last->next != NULL) {
		last = last->next;
		n++;
	}
	q->head = last->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->n -= n;
	last->next = NULL;
	return head;
}

static void *worker_main(void *arg)
{
	struct apiworker *w = arg;
	struct apipool *p = w->pool;
	struct queue *q = w->writer ? &p->writes : &p->reads;
	pthread_cond_t *cv = w->writer ? &p->cv_write : &p->cv_read;

	for (;;) {
		struct api_job *list;
		pthread_mutex_lock(&p->mu);
		while (!p->stopping && q->head == NULL)
			pthread_cond_wait(cv, &p->mu);
		if (p->stopping) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		list = take(q, w->writer ? APIPOOL_BATCH : 1);
		pthread_mutex_unlock(&p->mu);
		refresh(w);
		if (w->writer) {
			int wh;
			write_batch(w, list);
			wh = store_write_health(w->store);
			pthread_mutex_lock(&p->mu);
			p->writer_health = wh;
			pthread_mutex_unlock(&p->mu);
		} else {
			list->next = NULL;
			answer(w, list);
		}
	}
	ls_attack_thread_fini(); /* a release or preview ran the gate */
	return NULL;
}

/* --- the pool
 * ------------------------------------------------------------------ */

struct node_api *daemon_apipool_counters(struct apipool *p)
{
	return p->w[0].api;
}

int daemon_apipool_submit(struct apipool *p, struct api_job *job)
{
	int write = strcmp(job->q.method, "GET") != 0 &&
	            strcmp(job->q.method, "HEAD") != 0;
	struct queue *q = write ? &p->writes : &p->reads;
	job->next = NULL;
	job->queued_ms = ls_mono_ms();
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		return LS_ESTATE;
	}
	if (q->tail != NULL)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	q->n++;
	pthread_mutex_unlock(&p->mu);
	/* Signalled after the unlock, so that the woken thread does not
	 * at once block on the mutex still held here (a futex round trip
	 * per capture). The thread rechecks its queue under the mutex.
	 * The condition outlives this call: the HTTP server submits under
	 * its own lock, and daemon_http_close sets closing under it before
	 * daemon_apipool_close destroys the pool. */
	pthread_cond_signal(write ? &p->cv_write : &p->cv_read);
	return LS_OK;
}

static struct api_job *expire_queue(struct queue *q, uint64_t before,
                                    struct api_job *out)
{
	/* Jobs are queued in order: the old ones are at the head. */
	while (q->head != NULL && q->head->queued_ms < before) {
		struct api_job *j = q->head;
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
		j->next = out;
		out = j;
	}
	return out;
}

void daemon_apipool_expire(struct apipool *p)
{
	struct api_job *old = NULL;
	uint64_t now = ls_mono_ms();
	if (now < p->wait_ms)
		return;
	pthread_mutex_lock(&p->mu);
	old = expire_queue(&p->writes, now - p->wait_ms, old);
	old = expire_queue(&p->reads, now - p->wait_ms, old);
	pthread_mutex_unlock(&p->mu);
	if (old != NULL)
		LS_WARN("http", "queue_wait_exceeded", "wait_ms=%llu",
		        (unsigned long long)p->wait_ms);
	while (old != NULL) {
		struct api_job *j = old;
		old = j->next;
		answer_busy(j);
	}
}

int daemon_apipool_writer_health(struct apipool *p)
{
	int rc;
	if (p == NULL)
		return LS_OK;
	pthread_mutex_lock(&p->mu);
	rc = p->writer_health;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void daemon_apipool_damaged(struct apipool *p, int damaged)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->damaged = damaged != 0;
	pthread_mutex_unlock(&p->mu);
}

void daemon_apipool_config_changed(struct apipool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->cfg = p->d->cfg;
	p->cfg_gen++;
	pthread_mutex_unlock(&p->mu);
}

void daemon_apipool_trust_changed(struct apipool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->trust_gen++;
	pthread_mutex_unlock(&p->mu);
}

static int worker_open(struct apipool *p, struct apiworker *w,
                       const char *web_dir, struct ls_errinfo *e)
{
	struct store_options so = {.create = 0};
	struct node_api_config ac;
	int rc;

	w->pool = p;
	w->cfg = p->cfg;
	so.synchronous = p->cfg.synchronous;
	so.busy_timeout_ms = (int64_t)p->wait_ms;
	if ((rc = store_open(p->store_path, &so, &w->store, e)) != LS_OK)
		return rc;
	if ((rc = trust_load(w)) != LS_OK)
		return ls_errf(e, rc, "de federatiedocumenten laden niet");
	memset(&ac, 0, sizeof ac);
	ac.store = w->store;
	ac.config = &w->cfg;
	ac.trust = p->federated ? &w->trust : NULL;
	ac.web_dir = web_dir;
	ac.software = SIGNAALD_VERSION;
	ac.web_secret = p->web_secret;
	ac.hooks.arg = w;
	ac.hooks.metrics = hook_metrics;
	ac.hooks.peers = hook_peers;
	ac.hooks.health = w->writer ? hook_health_writer : hook_health;
	ac.share_counters = w == &p->w[0] ? NULL : p->w[0].api;
	if ((rc = node_api_new(&ac, &w->api, e)) != LS_OK)
		return rc;
	w->call.w = w;
	w->call.item.cb = loop_call_cb;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return ls_errf(e, LS_ENOMEM, "http: thread");
	w->started = 1;
	return LS_OK;
}

/* The web secret (node/secret.h), made at the first start that serves
 * HTTP. Without it the node still serves; /api/v1/me then gives no
 * queue key, and the pages do not offer to keep signals at sign-out
 * (logged once, with what to do). */
static void web_secret_load(struct apipool *p)
{
	struct ls_errinfo e = {0};
	char path[DAEMON_PATH_SIZE];
	int rc;

	if ((rc = ls_path_join(p->d->dir, NODE_WEB_SECRET_FILE, path,
	                       sizeof path)) == LS_OK)
		rc = node_secret_load(&node_secret_web, path, 1, &p->web_secret,
		                      &e);
	if (rc != LS_OK)
		LS_WARN("http", "web_secret_unavailable",
		        "file=%s code=%s reason=\"%s\" effect=\"the pages do "
		        "not offer to keep signals at sign-out\"",
		        NODE_WEB_SECRET_FILE, ls_strerror(rc), e.msg);
}

int daemon_web_secret_check(const char *dir, struct ls_errinfo *e)
{
	char path[DAEMON_PATH_SIZE];
	uint8_t *secret = NULL;
	int rc = ls_path_join(dir, NODE_WEB_SECRET_FILE, path, sizeof path);

	if (rc != LS_OK)
		return ls_errf(e, rc, "%s: pad te lang", NODE_WEB_SECRET_FILE);
	rc = node_secret_load(&node_secret_web, path, 0, &secret, e);
	node_secret_free(secret);
	return rc == LS_ENOTFOUND ? LS_OK : rc;
}

int daemon_apipool_open(struct daemon *d, const char *web_dir,
                        struct apipool **out, struct ls_errinfo *e)
{
	struct apipool *p;
	int n, rc;

	*out = NULL;
	if ((p = ls_calloc(1, sizeof *p)) == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	p->d = d;
	p->cfg = d->cfg;
	p->wait_ms = (uint64_t)d->cfg.http_store_wait_ms;
	p->damaged = d->health.check_rc != LS_OK;
	p->federated = d->cfg.federation_id[0] != '\0';
	if (p->federated)
		memcpy(p->anchor, d->trust.anchor_pk, sizeof p->anchor);
	n = d->cfg.store_path[0] == '/'
	        ? snprintf(p->store_path, sizeof p->store_path, "%s",
	                   d->cfg.store_path)
	        : snprintf(p->store_path, sizeof p->store_path, "%s/%s", d->dir,
	                   d->cfg.store_path);
	if (n <= 0 || (size_t)n >= sizeof p->store_path) {
		ls_free(p);
		return ls_errf(e, LS_ECONFIG, "[store] path: pad te lang");
	}
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		ls_free(p);
		return ls_errf(e, LS_ENOMEM, "http: mutex");
	}
	pthread_cond_init(&p->cv_write, NULL);
	pthread_cond_init(&p->cv_read, NULL);
	pthread_cond_init(&p->cv_call, NULL);
	web_secret_load(p);
	p->w[0].writer = 1;
	for (size_t i = 0; i < 1 + APIPOOL_READERS; i++) {
		p->n_workers = i + 1;
		if ((rc = worker_open(p, &p->w[i], web_dir, e)) != LS_OK) {
			daemon_apipool_close(p);
			return rc;
		}
	}
	*out = p;
	return LS_OK;
}

void daemon_apipool_close(struct apipool *p)
{
	struct api_job *left;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv_write);
	pthread_cond_broadcast(&p->cv_read);
	pthread_cond_broadcast(&p->cv_call);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n_workers; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].thread, NULL);
	/* No thread runs any more: what they left in the loop's queue is
	 * taken back, what is still queued for them answered 503. */
	for (size_t i = 0; i < p->n_workers; i++) {
		(void)daemon_handoff_cancel(&p->d->handoff, &p->w[i].call.item);
		ls_free(p->w[i].call.text);
	}
	left = take(&p->writes, SIZE_MAX);
	while (left != NULL) {
		struct api_job *j = left;
		left = j->next;
		answer_busy(j);
	}
	left = take(&p->reads, SIZE_MAX);
	while (left != NULL) {
		struct api_job *j = left;
		left = j->next;
		answer_busy(j);
	}
	/* The writer's API owns the shared counters: freed last. */
	for (size_t i = p->n_workers; i-- > 0;) {
		struct apiworker *w = &p->w[i];
		node_api_free(w->api);
		if (w->trust_ready)
			node_trust_fini(&w->trust);
		store_close(w->store);
	}
	pthread_cond_destroy(&p->cv_write);
	pthread_cond_destroy(&p->cv_read);
	pthread_cond_destroy(&p->cv_call);
	pthread_mutex_destroy(&p->mu);
	node_secret_free(p->web_secret);
	ls_free(p);
}
