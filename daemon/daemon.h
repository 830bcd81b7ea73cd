/*
 * signaald's internals: the daemon context that the libuv loop owns, and
 * the modules that make it up, one file each behind this one header (the
 * libuv backend style of raft and dqlite):
 *
 *   handoff.c  nng completions -> the loop (mutex-protected queue and a
 *              uv_async_t; nng callbacks do nothing else)
 *   server.c   the REP socket and its contexts: requests from peers are
 *              answered by node_sync_handle_frame() on the sync thread
 *   syncwork.c the sync engine's thread (libuv work queue): its own
 *              store connection, trust, ingest and engine; one job at a
 *              time (serve a request, a round's step)
 *   peer.c     one REQ socket per peer and the rounds with it: timers,
 *              jittered backoff, kicks when there is something new
 *   peers.c    which peers: the [sync] peers list against the roster
 *   tasks.c    timers for status documents, releases, retention purge
 *   secagg.c   secure-aggregation rounds: the sync engine's extension,
 *              the aggregator's timer, metrics and status
 *   state.c    metrics and the status snapshot (DIR/signaald.prom and
 *              DIR/signaald.json), status documents
 *   http.c     the HTTP server (libmicrohttpd, its own thread, and a
 *              sweeper thread): limits, timeouts, then requests to
 *   apipool.c  the API's threads (a writer that group-commits captures,
 *              readers), each with its own store connection
 *   storejob.c store work the loop starts (releases, status documents,
 *              purge, the state tick's reads and files) on two threads
 *              with their own connections (storejob.h)
 *   daemon.c   open, reload (SIGHUP), stop (SIGTERM, SIGINT), close
 *   watchdog.c the bound on a stop: its own thread logs the step that
 *              hangs and ends the process (daemon/watchdog.h)
 *
 * Threads: the loop thread owns everything here, including its view of
 * the trust and of the sync engine (d->sync, d->ingest: copied from the
 * sync engine after each of its jobs). The sync engine that does the work
 * is syncwork.c's, on its own thread; releases, status documents, the
 * purge and the state tick's store reads run on storejob.c's lanes; each
 * has its own store connection. nng runs its own threads;
 * they touch nothing but the handoff queue. The HTTP server's threads
 * and the API's threads share only what struct http and struct apipool
 * guard with their mutexes; the API threads reach the loop's state only
 * through loop_call (handoff queue, bounded wait). docs/DAEMON.md tells
 * the whole story.
 */
#ifndef LS_DAEMON_DAEMON_H
#define LS_DAEMON_DAEMON_H

#include <nng/nng.h>
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

#include "common/err.h"
#include "core/config.h"
#include "daemon/metrics.h"
#include "daemon/watchdog.h"
#include "node/api.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/secagg_sync.h"
#include "node/sync.h"
#include "node/trust.h"

#define SIGNAALD_VERSION "0.1.0"

/* Path buffers (node directory, files in it). */
#define DAEMON_PATH_SIZE 4096

struct daemon;
typedef struct json_t json_t;

/* --- handoff.c --------------------------------------------------------- */

/* Something an nng callback hands to the loop: embedded in the struct
 * whose aio completed; cb runs on the loop thread. */
struct handoff_item {
	struct handoff_item *next;
	int queued;
	void (*cb)(struct handoff_item *item);
};

struct handoff {
	uv_async_t async;
	pthread_mutex_t mu;
	struct handoff_item *head, *tail;
	int mu_ready;
};

int daemon_handoff_init(struct handoff *h, uv_loop_t *loop);
/* Any thread: queue item (once) and wake the loop. */
void daemon_handoff_post(struct handoff *h, struct handoff_item *item);
/* Loop thread: take item out of the queue if it is there (1) or not (0). */
int daemon_handoff_cancel(struct handoff *h, struct handoff_item *item);
/* Loop thread, after every aio that posts was stopped. */
void daemon_handoff_close(struct handoff *h);

/* --- syncwork.c -------------------------------------------------------- */

/* A piece of sync work for the sync engine's thread (syncwork.c): the
 * submitter's memory, usually inside a bigger struct. */
enum syncjob_state { SYNCJOB_IDLE = 0, SYNCJOB_QUEUED, SYNCJOB_RUNNING };
struct syncjob {
	struct syncjob *next;
	int state; /* enum syncjob_state; the loop's */
	/* On a work-queue thread, with the engine that owns the sync's
	 * store connection: touch nothing of the loop's (struct daemon,
	 * struct peer), only the job and what it owns. */
	void (*run)(struct syncjob *job, struct node_sync *ns);
	/* On the loop, once, after run (rc LS_OK), or without it
	 * (LS_EINTERNAL: could not be queued). May free the job. */
	void (*done)(struct syncjob *job, int rc);
};

struct syncwork;

/* Open the sync engine's own store connection (store_path), trust,
 * ingest (verify threads) and engine, after the loop's d->sync (whose
 * options and own-head gate it follows). LS_* with *e. Loop thread. */
int daemon_syncwork_open(struct daemon *d, const char *store_path,
                         struct ls_errinfo *e);
/* After uv_run returned (no job can run). NULL is a no-op. */
void daemon_syncwork_free(struct daemon *d);
/* Loop: queue job (one runs at a time, in order). LS_ESTATE when
 * stopping or job is queued or running already (done is not called). */
int daemon_syncwork_submit(struct daemon *d, struct syncjob *job);
/* Loop: take job out of the queue if it has not started (1: done will
 * not be called); 0 when it is running (done will be) or idle. */
int daemon_syncwork_cancel(struct daemon *d, struct syncjob *job);
/* Loop: 1 when no job is queued or running. */
int daemon_syncwork_idle(const struct daemon *d);
/* The engine that does the work and its store connection, for what
 * plugs into it (an extension of the sync session, its state): use
 * them only inside a job's run, or on the loop at open before the first
 * job. NULL before daemon_syncwork_open. */
struct node_sync *daemon_syncwork_engine(struct daemon *d);
struct store *daemon_syncwork_store(struct daemon *d);
/* Loop: live entries of the engine's replay guard after its last job
 * (the loop's d->sync.replay is not the one in use). */
size_t daemon_syncwork_replay_entries(const struct daemon *d);

/* --- server.c ---------------------------------------------------------- */

struct serve_job;

struct worker {
	struct daemon *d;
	nng_ctx ctx;
	nng_aio *aio;
	struct handoff_item item;
	int sending;
	int ctx_open;
	struct serve_job *job; /* a request with the sync engine, or NULL */
};

/* Descriptors kept free for everything but the peers' and the HTTP
 * connections (store, outgoing sync, files, logs). */
#define DAEMON_FD_RESERVE 128

/* Connections for peers and HTTP together: what RLIMIT_NOFILE leaves
 * after DAEMON_FD_RESERVE (at least 16), or UINT_MAX without a limit.
 * The sync listener takes at most half, HTTP what the sync cap leaves. */
unsigned daemon_fd_budget(void);

/* What the sync listener refuses (signaal_sync_connections_refused_total). */
enum server_refused {
	SERVER_REFUSED_CAP = 0,    /* closed: [sync] max_connections */
	SERVER_REFUSED_PER_CLIENT, /* closed: [sync] max_per_client */
	SERVER_REFUSED_COUNT_
};

/* A peer's connection, as the listener's pipe callback tracks it. */
struct server_pipe {
	uint32_t id;
	nng_sockaddr addr;
};

struct server {
	int open;
	char url[LS_ENDPOINT_MAX + 1];
	nng_socket sock;
	nng_listener listener;
	size_t n_workers;
	struct worker *workers;
	/* Connections (nng has no cap of its own): guarded by mu, which
	 * nng's pipe callback takes on nng's threads. */
	pthread_mutex_t mu;
	int mu_ready;
	unsigned max_conns, max_per_client;
	size_t n_pipes;
	struct server_pipe *pipes; /* max_conns of them; owned */
	uint64_t refused[SERVER_REFUSED_COUNT_];
	/* the loop's: what reached /metrics and the log */
	uint64_t refused_seen[SERVER_REFUSED_COUNT_];
	uint64_t refused_logged[SERVER_REFUSED_COUNT_];
	/* per reason: Unix time of its last log line; 0: never */
	int64_t refused_logged_at[SERVER_REFUSED_COUNT_];
};

/* Listen on d->cfg.listen with max_requests contexts, at most
 * [sync] max_connections peers' connections (lowered to what
 * RLIMIT_NOFILE leaves) and max_per_client of them from one address.
 * LS_ENET with a log line naming the address when it cannot. */
int daemon_server_open(struct daemon *d);
/* Stop every context (waits for nng callbacks), close the socket. */
void daemon_server_close(struct daemon *d);
/* Loop: the connection gauges and refusals into the metrics; refusals
 * logged at most once a minute, with their counts. */
void daemon_server_metrics_flush(struct daemon *d);

/* --- http.c ----------------------------------------------------------- */

struct http_req;
struct http_conn;
struct MHD_Daemon;
struct apipool;

/* What the server refuses or cuts off itself, before the API sees a
 * request (counted in signaal_http_refused_total{reason}). */
enum http_refused {
	HTTP_REFUSED_CHUNKED = 0,     /* 411: Transfer-Encoding */
	HTTP_REFUSED_BAD_LENGTH,      /* 400: Content-Length not a number */
	HTTP_REFUSED_BUSY,            /* 503: out of memory */
	HTTP_REFUSED_STOPPING,        /* 503: signaald is stopping */
	HTTP_REFUSED_CAP,             /* closed: [http] max_connections */
	HTTP_REFUSED_PER_CLIENT,      /* closed: [http] max_per_client */
	HTTP_REFUSED_FD_LIMIT,        /* accept(): out of descriptors */
	HTTP_REFUSED_HEADER_TIMEOUT,  /* closed: [http] header_timeout_s */
	HTTP_REFUSED_BODY_TIMEOUT,    /* closed: [http] body_timeout_s */
	HTTP_REFUSED_HEADER_TOO_LARGE, /* 431: [http] header_max_bytes */
	HTTP_REFUSED_BAD_REQUEST,     /* 400: malformed request or header */
	HTTP_REFUSED_COUNT_
};
extern const char *const daemon_http_refused_names[HTTP_REFUSED_COUNT_];

struct http {
	struct daemon *d;
	int open, mu_ready, sweeper_started;
	char url[LS_ENDPOINT_MAX + 16];
	struct MHD_Daemon *mhd;
	struct apipool *pool;    /* the API's threads */
	struct node_api *front;  /* /healthz, on the server's thread */
	/* limits in force ([http], max_connections clamped to what the
	 * descriptor limit leaves) */
	unsigned max_conns, max_per_client;
	size_t header_max_bytes; /* request line and headers; more: 431 */
	uint64_t header_timeout_ms, body_timeout_ms, idle_timeout_ms;
	pthread_t sweeper;
	pthread_cond_t sweeper_cv;
	pthread_mutex_t mu; /* guards what the threads share: */
	int closing;
	struct http_conn *conns; /* open connections */
	unsigned n_conns;
	struct http_req *inflight; /* handed to the API, not yet answered */
	size_t n_inflight;
	uint64_t refused[HTTP_REFUSED_COUNT_];
	uint64_t refused_logged[HTTP_REFUSED_COUNT_]; /* sweeper's */
	uint64_t last_refusal_log_ms;                 /* sweeper's */
	uint64_t captured; /* captures answered 201 */
	/* loop thread: what the metrics counted already */
	uint64_t refused_seen[HTTP_REFUSED_COUNT_];
	uint64_t captured_seen;
};

/* Serve HTTP on [http] listen with the pages of [http] web_dir, with the
 * limits of [http]. LS_ENET (cannot listen), LS_ECONFIG (web_dir lacks
 * a page), with *e in Dutch naming the key. */
int daemon_http_open(struct daemon *d, struct ls_errinfo *e);
/* Answer what is in flight with 503, stop the server (waits for its
 * thread). A no-op when not open. */
void daemon_http_close(struct daemon *d);
/* Loop: the server's counters into the metrics registry (refusals,
 * captures, requests in flight). */
void daemon_http_metrics_flush(struct daemon *d);

/* --- apipool.c ---------------------------------------------------------- */

/* One API request for the pool. The submitter fills q (its strings stay
 * valid until done) and done; the pool sets resp. */
struct api_job {
	struct api_job *next;
	struct node_api_request q;
	int capture;        /* POST /api/v1/signals: group-committed */
	uint64_t queued_ms; /* monotonic, set by daemon_apipool_submit */
	/* Called once, on a pool thread (or the loop when the pool stops,
	 * or the sweeper when the job waited too long): resp is the
	 * answer (the callee calls node_api_response_fini). */
	void (*done)(struct api_job *job, struct node_api_response *resp);
};

struct apipool;

/* Start the API's threads: one writer (every request but GET and HEAD;
 * captures group-committed: one transaction per batch, a savepoint per
 * capture, answered after the commit) and readers, each with its own
 * store connection ([http] store_wait_ms busy timeout), API and trust.
 * web_dir: the pages (NULL: none). Loop thread. */
int daemon_apipool_open(struct daemon *d, const char *web_dir,
                        struct apipool **out, struct ls_errinfo *e);
/* signaald --check: whether DIR's keys/web.secret, if it exists yet,
 * can be read (node/secret.h). LS_OK (also when absent: the first HTTP
 * start makes it), else the loader's error with the reason in *e. */
int daemon_web_secret_check(const char *dir, struct ls_errinfo *e);
/* The API whose counters every thread of the pool shares (for an API
 * on another thread that shares them too). */
struct node_api *daemon_apipool_counters(struct apipool *p);
/* Any thread: queue a job (done is never called from here). LS_ESTATE
 * when the pool stops: the caller answers. The caller keeps
 * daemon_apipool_close from running until this returns (the HTTP
 * server: under its lock, with closing checked). */
int daemon_apipool_submit(struct apipool *p, struct api_job *job);
/* Any thread: answer 503 (Retry-After) every job that waited in the
 * queue longer than [http] store_wait_ms. */
void daemon_apipool_expire(struct apipool *p);
/* store_write_health() of the writer's connection after its last batch
 * (LS_OK for NULL): captures are written there, not on the loop's. */
int daemon_apipool_writer_health(struct apipool *p);
/* Loop: the store failed (damaged != 0) or passed its check; the
 * writer refuses writes on this verdict without asking the loop. */
void daemon_apipool_damaged(struct apipool *p, int damaged);
/* The config or the trust changed (loop): the threads take the new ones
 * before their next request. */
void daemon_apipool_config_changed(struct apipool *p);
void daemon_apipool_trust_changed(struct apipool *p);
/* Loop thread: stop the threads (after their current request), answer
 * queued jobs 503, free. NULL is a no-op. */
void daemon_apipool_close(struct apipool *p);
/* A 503 "busy" answer with Retry-After, without memory. */
void daemon_apipool_busy_response(struct node_api_response *resp);

/* --- peer.c ------------------------------------------------------------ */

enum peer_io { PEER_IDLE = 0, PEER_SENDING, PEER_RECEIVING };

struct peer {
	struct daemon *d;
	struct peer *next;
	char id[LS_NODE_ID_SIZE];
	char endpoint[LS_ENDPOINT_MAX + 1];
	nng_socket sock;
	nng_dialer dialer;
	nng_ctx ctx;
	nng_aio *aio;
	int sock_open;
	uv_timer_t timer;
	struct handoff_item item;
	struct node_sync_round *round; /* set and freed on the loop */
	/* A round step with the sync engine (syncwork.c): while it is
	 * queued or running, only the job touches the round. */
	struct syncjob job;
	struct node_sync_round *job_round; /* round_new's, for the loop */
	nng_msg *job_msg;                  /* the reply being taken in */
	uint8_t *job_frame;                /* the next request */
	size_t job_len;
	int job_rc;       /* LS_OK: job_frame to send; else the round ends */
	int job_start;    /* 1: round_new + next; 0: reply + next */
	int timer_closed; /* the timer's close_cb ran (free when idle) */
	enum peer_io io;
	int kicked;  /* run another round soon after this one */
	int closing; /* being removed; freed in the timer's close_cb */
	unsigned failures;
	/* Good rounds in a row that left the digests different with
	 * nothing taken (remembered refusals held back, or refused):
	 * they back off like failures (PROTOCOL.md 7). */
	unsigned stalls;
	int64_t last_ok;      /* Unix time of the last good round, 0 never */
	int64_t last_attempt; /* Unix time of the last round's start */
	int last_code;        /* LS_OK or why the last round failed */
	uint64_t round_start_ms;
	uint64_t rounds_ok, rounds_failed;
};

/* A peer with a socket dialing endpoint; its first round is due after a
 * short random delay. */
int daemon_peer_open(struct daemon *d, const char *id, const char *endpoint,
                     struct peer **out);
/* Stop its I/O (waits for nng callbacks), abandon its round, close. */
void daemon_peer_close(struct peer *p);
/* Something new to share: run a round soon (unless backing off). */
void daemon_peer_kick(struct peer *p);
/* Kick every peer except `except` (may be NULL). */
void daemon_peers_kick(struct daemon *d, const struct peer *except);
/* The peer with this node id, or NULL. */
struct peer *daemon_peers_find(struct daemon *d, const char *id);

/* --- peers.c ----------------------------------------------------------- */

/* (Re)build the peer set from the [sync] peers list and the roster in
 * force: new peers are opened, dropped ones (left the roster, endpoint
 * changed) closed. */
int daemon_peers_refresh(struct daemon *d);
void daemon_peers_close_all(struct daemon *d);

/* --- tasks.c ----------------------------------------------------------- */
/* How often the nng probe runs (tasks.c): every 6 state ticks ([daemon]
 * state_interval_s), at least 5 s and at most 60 s apart, the first one
 * after one interval. */
unsigned daemon_tasks_nngprobe_interval_s(unsigned state_interval_s);

int daemon_tasks_start(struct daemon *d);
/* The intervals changed (SIGHUP): start the timers again with them. */
void daemon_tasks_reschedule(struct daemon *d);
void daemon_tasks_stop(struct daemon *d);
/* Publish a status document (if the own head is known): built on the
 * loop, counted and published on the store jobs' write lane. LS_EBUSY
 * while the last one is still being published. */
int daemon_tasks_publish_status(struct daemon *d);
/* The own feed's head became known: run the status and release checks
 * that waited for it now. */
void daemon_tasks_own_head_known(struct daemon *d);
/* More periods are due than one run released: run again shortly. */
void daemon_tasks_release_soon(struct daemon *d);

/* --- ownkey.c ---------------------------------------------------------- */

/* The own key as the roster held lists it (PROTOCOL.md 6, "Rotation"). */
struct daemon_ownkey {
	struct node_feed_key key; /* the last check's */
	char key_id[2 * LS_KEY_ID_BYTES + 1];
	int code;       /* node_feed_key_check at the last check */
	int64_t closes; /* when the key closes (0: not) while it is valid */
	int said;       /* what was logged last (each change once) */
	int64_t said_closes;
};

void daemon_ownkey_init(struct daemon *d);
/* Loop: check keys/node.key against the roster held, now; log a change,
 * set the gauges. LS_OK when the node may sign now (also with no roster
 * yet), else the code a receiver would refuse its documents with. */
int daemon_ownkey_check(struct daemon *d);
/* Loop: "own_key" of signaald.json (a new reference). */
json_t *daemon_ownkey_json(struct daemon *d);

/* --- release.c --------------------------------------------------------- */

/* Release the summaries of the periods that are due, as a job on the
 * store jobs' write lane (daemon/storejob.h); the results (counts, peers
 * kicked, the next run brought forward when more are due) are taken on
 * the loop when it ends. LS_EBUSY while the last run is still going.
 * Call only with the own head known. */
int daemon_release_start(struct daemon *d);

/* --- secagg.c ---------------------------------------------------------- */

/* Set up secure aggregation ([secagg]); *e in Dutch (a member's secret
 * is checked here). start: its timer, whose job on the sync engine's
 * thread sets the rounds up there (the engine's store and trust) and
 * installs them as the engine's extension, then ticks them; reload: a new
 * config; stop: the timer; close (after uv_run and the engine): free. */
struct daemon_secagg;
int daemon_secagg_open(struct daemon *d, struct ls_errinfo *e);
int daemon_secagg_start(struct daemon *d);
void daemon_secagg_reload(struct daemon *d);
void daemon_secagg_stop(struct daemon *d);
void daemon_secagg_close(struct daemon *d);
/* Loop, after every sync job (syncwork.c mirror()): copy what status
 * and metrics show, kick the peers and announce a published federation
 * summary when the rounds asked for it. */
void daemon_secagg_mirror(struct daemon *d);
/* Engine thread, before every job: the key pair the engine signs with
 * (secure-aggregation messages follow a reloaded key). */
void daemon_secagg_engine_key(struct daemon *d, const struct ls_keypair *kp);
/* Metrics: declare the families; refresh them (state timer). */
int daemon_secagg_metrics_declare(struct daemon *d);
void daemon_secagg_metrics(struct daemon *d);
/* The "secagg" object of the status snapshot (caller's reference). */
json_t *daemon_secagg_status_json(struct daemon *d);

/* --- state.c ----------------------------------------------------------- */

int daemon_state_metrics_declare(struct daemon *d);
/* A round with a peer ended: metrics, lag per origin, logs. */
void daemon_state_round_done(struct daemon *d, struct peer *p,
                             const struct node_sync_round_info *info);
/* A request was served. */
void daemon_state_served(struct daemon *d, const struct node_sync_served *s,
                         size_t bytes_in, size_t bytes_out);
/* The state tick: read what the gauges and the status file need from
 * the store on the store jobs' read lane, then (loop) refresh the gauges
 * and render the metrics and status files ([daemon] metrics_file,
 * status_file: node, feed digest, trust, peers, unresolved forks, the
 * latest status document of every node held), then write them on the
 * read lane. LS_EBUSY (skipped) while the last tick is still going. */
int daemon_state_tick(struct daemon *d);
/* The same at once on the loop's own connection, without the counts
 * (at stop, when the lanes are closed). */
void daemon_state_write_now(struct daemon *d);
/* The registry as Prometheus text (for /metrics), with the cheap gauges
 * (uptime, memory) refreshed first. *text is the caller's (ls_free). */
int daemon_state_metrics_text(struct daemon *d, char **text, size_t *len);
/* Build the status document of this node (caller: proto_doc_fini), loop
 * thread; its store counters (feed_bytes, feed_docs, forks_unresolved)
 * are 0 until daemon_state_status_doc_counts fills them from s (any
 * thread with its own connection). */
int daemon_state_status_doc(struct daemon *d, struct ls_doc *doc);
int daemon_state_status_doc_counts(struct ls_doc *doc, struct store *s);

/* --- health.c ---------------------------------------------------------- */

/* Whether the node is fit to serve: the store's last check, whether it
 * still takes writes, and the free space of its file system. */
struct daemon_health {
	uv_work_t work;      /* a quick_check on libuv's thread pool */
	int checking;        /* work is queued or running */
	int check_rc;        /* LS_OK, or why the last check failed */
	int64_t checked_at;  /* Unix time the last check ended */
	char check_msg[512]; /* Dutch, when check_rc != LS_OK */
	int said;            /* the condition last logged (LS_OK: none) */
	uv_work_t probe;     /* the write probe, on libuv's thread pool */
	int probing;         /* probe is queued or running */
	int64_t probed_at;   /* Unix time the last write probe started */
	int probe_ro;        /* it found the file system refusing writes */
	int probe_result;    /* the worker's finding, for probe_after_cb */
	/* for the worker: */
	char path[DAEMON_PATH_SIZE];
	struct ls_errinfo work_e;
	int work_rc;
};

/* The store at path passed its check just now (at start). */
void daemon_health_init(struct daemon *d, const char *store_path);
/* Check the store again on a worker thread (SIGHUP, and from the state
 * timer when the last check is older than HEALTH_CHECK_INTERVAL_S). A
 * no-op while one runs or while stopping. */
void daemon_health_check_start(struct daemon *d);
/* A check made elsewhere (before a release) found rc. */
void daemon_health_note_check(struct daemon *d, int rc, const char *msg_nl);
/* The state timer: start a check when one is due; set the gauges. */
void daemon_health_tick(struct daemon *d);
/* Why this node is not fit to serve: NULL when it is, else why (size
 * bytes, filled with a Dutch reason for /readyz); *code (may be NULL)
 * gets LS_OK, LS_ECORRUPT, LS_EFULL or LS_EIO. Loop thread. */
const char *daemon_health_reason(struct daemon *d, char *why, size_t size,
                                 int *code);
/* The same as a node_api hook (arg: the daemon). */
int daemon_health_hook(void *arg, char *reason, size_t size);

/* --- daemon.c ---------------------------------------------------------- */

struct origin_seen {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq; /* the highest seq a peer reported */
};

struct daemon {
	uv_loop_t *loop;
	char dir[DAEMON_PATH_SIZE];
	char config_path[DAEMON_PATH_SIZE];
	struct ls_config cfg;
	struct store *store;
	struct ls_keypair *kp;
	/* Keys replaced by a reload (SIGHUP): kept until close, since jobs
	 * that started before it may still sign with them. */
	struct ls_keypair **kp_retired;
	size_t n_kp_retired;
	struct node_trust trust;
	struct node_ingest ingest;
	struct node_sync sync; /* the loop's view (syncwork.c mirrors) */
	int sync_ready;
	struct syncwork *syncwork; /* the engine that does the work */
	struct daemon_secagg *secagg; /* daemon/secagg.c; NULL: none */
	struct metrics *metrics;
	struct handoff handoff;
	int handoff_ready;
	struct server server;
	struct http http;
	struct storejobs *jobs; /* store work off the loop (storejob.h) */
	struct peer *peers;
	uv_timer_t t_status, t_release, t_purge, t_state, t_nngprobe;
	int tasks_ready;
	/* the nng probe on libuv's thread pool (tasks.c): one at a time */
	uv_work_t nngprobe;
	int nngprobe_busy, nngprobe_rc;
	unsigned nngprobe_wait_ms;
	uv_signal_t s_term, s_int, s_hup;
	int signals_ready;
	int64_t started_at; /* Unix time */
	int stopping;
	uint64_t known_gen; /* store feed generation after our own writes */
	int64_t last_status_created;
	/* a job of this kind is on a store lane (one at a time) */
	int release_running, status_busy, purge_busy, state_busy;
	/* the state job's (one at a time): the last write of the metrics
	 * file [0] and the status file [1] failed (logged once) */
	int state_write_failed[2];
	int status_since_start;    /* published one since this start */
	uint64_t trimmed_at_pages; /* ingest pages at the last malloc_trim */
	uint64_t counted_gen;      /* feed generation of the last counts */
	int64_t counted_at;        /* when documents and signals were counted */
	int own_head_was_known;    /* to see the gate open */
	uint64_t status_published, releases, purged;
	/* What the metrics counted already (counters grow by deltas). */
	struct node_ingest_tally tally_seen;
	uint64_t seen_status, seen_releases, seen_purged;
	struct origin_seen *seen;
	size_t n_seen;
	struct daemon_health health;
	struct daemon_ownkey ownkey;
	uint64_t release_due; /* periods due and not released (last run) */
	/* organisations that reported under two sectors, summed over the
	 * periods released (each counts once per sector), and what the
	 * metrics counted of it already */
	uint64_t sector_conflicts, seen_sector_conflicts;
	/* armed by daemon_stop, disarmed by main() after the last step */
	struct daemon_watchdog watchdog;
	/* an nng_close did not return in time (nng 1.5.2's hang,
	 * daemon/watchdog.h): nothing more of nng is closed or freed */
	int nng_stuck;
	/* nng_close calls that did not return in time (close_abandoned) */
	uint64_t nng_abandoned;
	/* main()'s exit status when the stop was signaald's own choice
	 * (DAEMON_EXIT_NNG_STUCK); 0: none */
	int exit_status;
};

/* Set up everything in DIR (config, store, keys, trust, sync, sockets,
 * timers, signals) on loop. On failure *e says why (Dutch for the
 * operator, with the config line where it applies) and d is closed. */
#define DAEMON_CHECK_ONLY 0x1 /* open the node, but no sockets or timers */
int daemon_open(struct daemon *d, uv_loop_t *loop, const char *dir, int flags,
                struct ls_errinfo *e);
/* SIGHUP: read the config again and apply what can change while running
 * (log level, intervals, peers, push, listen address); re-read the
 * roster from the store; read keys/node.key again (daemon_key_reload).
 * A bad config is logged and the old one kept. */
void daemon_reload(struct daemon *d);
/* Read keys/node.key again (loop thread). A new key (another key id)
 * replaces d->kp: sessions use it from the sync engine's next job (and
 * secure aggregation with them), publications from the next one that
 * starts; the own-key check runs against it at once. A missing,
 * unreadable or malformed file is refused (event=key_reload_refused)
 * and the old key stays in use. LS_OK (also: the same key), or why it
 * was refused. */
int daemon_key_reload(struct daemon *d);
/* SIGTERM/SIGINT: stop taking work, let the store work finish and
 * write the state files a last time, then abandon rounds in flight
 * (what they stored is committed page by page) and close every handle;
 * the loop then runs out. Arms d->watchdog with [daemon]
 * shutdown_timeout_s: the whole stop, up to daemon_finish, is bounded. */
void daemon_stop(struct daemon *d);
/* After uv_run returned: free what is left. */
void daemon_close(struct daemon *d);
/* The process's last step (main(), after uv_loop_close): nng's
 * teardown, then the watchdog is disarmed. Also after a failed
 * daemon_open (d was zeroed by it). 1 when nng's teardown was abandoned
 * (d->nng_stuck): nng's threads still run and may still call into d, so
 * main ends the process with _exit (after fflush) instead of returning;
 * else 0. */
int daemon_finish(struct daemon *d);
/* How long one nng_close may take before nng counts as stuck (a
 * quarter of [daemon] shutdown_timeout_s, at least 100 ms, at most 5 s;
 * daemon_watchdog_close_socket). */
unsigned daemon_nng_close_wait_ms(const struct daemon *d);
/* An nng_close did not return within wait_ms: set d->nng_stuck and log
 * close_abandoned (mod, and what: "url=..." or "peer=..."): a warning
 * while stopping (nothing to do), an error asking for a restart while
 * running (a reload, a roster change). */
void daemon_nng_abandoned(struct daemon *d, const char *mod, const char *what,
                          unsigned wait_ms);
/* nng is stuck (a close hung, or the probe found it): set d->nng_stuck
 * and the gauge signaal_sync_engine_stuck (loop thread). */
void daemon_nng_mark_stuck(struct daemon *d);

/* Unix time now. */
int64_t daemon_now(void);
/* The store generation moved because of us: remember it, so the state
 * timer does not mistake it for another process's write. */
void daemon_note_own_write(struct daemon *d);
/* New documents in the store (stored, published): tell the peers. */
void daemon_new_docs(struct daemon *d, const struct peer *from);
/* The trust may have changed (a federation document was admitted or the
 * store changed under us): rebuild the peer set. */
void daemon_trust_changed(struct daemon *d);

#endif
