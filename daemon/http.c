/*
 * The HTTP server: libmicrohttpd (one internal thread, epoll, suspend and
 * resume) in front of node/api.h.
 *
 * Why libmicrohttpd: it is a server library made for hostile clients —
 * a connection cap, per-address limits, a memory bound per connection
 * (431 for oversized headers), inactivity timeouts, strict parsing and
 * the status texts of every code — and at the descriptor limit it stops
 * accepting until a connection closes instead of spinning on accept().
 *
 * One request's way:
 *
 *   MHD thread: uri_cb (the raw request line's URI) -> access_cb with
 *     the headers: request_flaw() refuses what a proxy and this server
 *     could read differently (400: a header twice that the API reads,
 *     controls in a value, no Host, a blank in the URI),
 *     Transfer-Encoding refused (411), Content-Length
 *     checked; a body of at most NODE_API_BODY_MAX bytes is collected
 *     (a larger one is not read: the API answers 413 and the
 *     connection closes); then the connection is suspended and the
 *     request handed on (dispatch()).
 *   the API's thread: node_api_handle() -> an MHD response ->
 *     req_done(): MHD_resume_connection; MHD calls access_cb again,
 *     which queues the response.
 *
 * Limits ([http]): max_connections and max_per_client are checked when
 * a connection is accepted (accept_cb): over them it is closed at once
 * and counted (signaal_http_refused_total{reason="cap"|"per_client"});
 * max_connections is also kept below what RLIMIT_NOFILE leaves after
 * DAEMON_FD_RESERVE and the sync listener's cap, so the descriptor limit
 * is not reached through HTTP, and if it is anyway libmicrohttpd pauses
 * accepting (counted as "fd_limit"; with no connection of its own it
 * retries at once, which logger_cb paces). header_max_bytes is checked
 * in begin() (431); the connection's memory pool is 4096 bytes larger,
 * so that libmicrohttpd's own refusal comes only beyond it. A sweeper
 * thread cuts connections whose request line and headers take longer
 * than header_timeout_s, or whose body takes longer than
 * body_timeout_s (slow clients); libmicrohttpd closes connections
 * silent for idle_timeout_s. The sweeper logs the refusals at most once
 * a minute, with their counts.
 *
 * Shutdown (daemon_http_close, on the loop): new requests are answered 503;
 * requests in flight are answered 503 and resumed, since
 * libmicrohttpd must not be stopped with a suspended connection; then
 * the server is stopped (its thread joins, every connection closes).
 *
 * The URL: [http] listen is HOST:PORT (or http://HOST:PORT); the default
 * 127.0.0.1:8080 keeps the node on loopback, behind the municipality's
 * reverse proxy, which terminates TLS (docs/OPERATING.md, "Serving the
 * pages and the API": the nginx configuration).
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_SWEEP_MS 200
#define HTTP_LOG_EVERY_MS 60000

enum conn_phase {
	PHASE_HEADERS = 0, /* waiting for the request line and headers */
	PHASE_BODY,        /* reading the body */
	PHASE_HANDLING,    /* with the API, or answering */
	PHASE_KEEPALIVE,   /* between two requests */
};

struct http_conn {
	struct http_conn *next, *prev; /* h->conns, under h->mu */
	int fd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int phase;            /* enum conn_phase */
	uint64_t deadline_ms; /* of the phase; 0: none */
	int cut;              /* the sweeper shut it down */
};

enum req_state {
	R_NEW = 0, /* headers seen, not yet checked */
	R_BODY,    /* collecting the body */
	R_QUEUED,  /* suspended, with the API */
	R_DONE,    /* answered, resumed: queue mres */
	R_SENT,
};

struct http_req {
	struct http *h;
	struct http_req *next, *prev; /* h->inflight, under h->mu */
	struct MHD_Connection *mc;
	struct http_conn *conn; /* may be NULL (out of memory at accept) */
	int state;              /* enum req_state */
	char *uri;              /* the raw URI of the request line */
	char *method, *authorization, *content_type, *if_none_match;
	char *idempotency_key;
	uint8_t *body;
	size_t body_len; /* bytes read into body */
	size_t declared; /* Content-Length */
	int unread;      /* a body is left on the connection */
	int bad_header;  /* a header name with blanks or controls */
	int bad_value; /* a header value with CR, LF, NUL or another control */
	int chunked;   /* a Transfer-Encoding header */
	int n_lengths; /* Content-Length headers */
	int n_hosts;   /* Host headers */
	int repeated;  /* a header that may come once came again */
	unsigned once_seen;  /* bit i: once_headers[i] seen */
	size_t header_bytes; /* the headers as sent: name, value, ": ", CRLF */
	struct MHD_Response *mres;
	unsigned status;
	struct api_job job;
};

static const char json_ctype[] = "application/json; charset=utf-8";

const char *const daemon_http_refused_names[HTTP_REFUSED_COUNT_] = {
    [HTTP_REFUSED_CHUNKED] = "length_required",
    [HTTP_REFUSED_BAD_LENGTH] = "bad_length",
    [HTTP_REFUSED_BUSY] = "busy",
    [HTTP_REFUSED_STOPPING] = "stopping",
    [HTTP_REFUSED_CAP] = "cap",
    [HTTP_REFUSED_PER_CLIENT] = "per_client",
    [HTTP_REFUSED_FD_LIMIT] = "fd_limit",
    [HTTP_REFUSED_HEADER_TIMEOUT] = "header_timeout",
    [HTTP_REFUSED_BODY_TIMEOUT] = "body_timeout",
    [HTTP_REFUSED_HEADER_TOO_LARGE] = "header_too_large",
    [HTTP_REFUSED_BAD_REQUEST] = "bad_request",
};

static void count_refused(struct http *h, enum http_refused why)
{
	pthread_mutex_lock(&h->mu);
	h->refused[why]++;
	pthread_mutex_unlock(&h->mu);
}

/* --- responses ----------------------------------------------------------- */

/* A fixed answer (body static); a 503 says when to retry, like the
 * API's. */
static struct MHD_Response *plain_res(unsigned status, const char *body,
                                      int close_conn)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (res == NULL)
		return NULL;
	if (MHD_add_response_header(res, "Content-Type", json_ctype) != MHD_YES ||
	    (status == 503 &&
	     MHD_add_response_header(res, "Retry-After", "2") != MHD_YES) ||
	    (close_conn &&
	     MHD_add_response_header(res, "Connection", "close") != MHD_YES)) {
		MHD_destroy_response(res);
		return NULL;
	}
	return res;
}

/* Answer on the MHD thread without the API (counted as refused). */
static enum MHD_Result answer_plain(struct http *h, struct MHD_Connection *mc,
                                    enum http_refused why, unsigned status,
                                    const char *body)
{
	struct MHD_Response *res;
	enum MHD_Result ret;
	count_refused(h, why);
	if ((res = plain_res(status, body, 1)) == NULL)
		return MHD_NO; /* closes the connection */
	ret = MHD_queue_response(mc, status, res);
	MHD_destroy_response(res);
	return ret;
}

static const char busy_body[] =
    "{\"code\":\"busy\",\"melding\":\"Het knooppunt is even bezet. Probeer "
    "het zo opnieuw.\"}";
static const char stopping_body[] =
    "{\"code\":\"stopping\",\"melding\":\"Het knooppunt stopt. Probeer het "
    "zo opnieuw.\"}";

/* The API's response as an MHD response; Connection: close when a body
 * was left unread. NULL without memory. */
static struct MHD_Response *make_res(const struct node_api_response *resp,
                                     int close_conn)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(
	    resp->body_len, (void *)resp->body, MHD_RESPMEM_MUST_COPY);
	if (res == NULL)
		return NULL;
	if (resp->content_type != NULL &&
	    MHD_add_response_header(res, "Content-Type", resp->content_type) !=
	        MHD_YES)
		goto err;
	for (size_t i = 0; i < resp->n_headers; i++)
		if (MHD_add_response_header(res, resp->headers[i].name,
		                            resp->headers[i].value) != MHD_YES)
			goto err;
	if (resp->status == 503 &&
	    node_api_response_header(resp, "Retry-After") == NULL &&
	    MHD_add_response_header(res, "Retry-After", "2") != MHD_YES)
		goto err;
	if (close_conn &&
	    MHD_add_response_header(res, "Connection", "close") != MHD_YES)
		goto err;
	return res;
err:
	MHD_destroy_response(res);
	return NULL;
}

/* --- the request's life -------------------------------------------------- */

static void req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	if (r->mres != NULL)
		MHD_destroy_response(r->mres);
	ls_free(r->uri);
	ls_free(r->method);
	ls_free(r->authorization);
	ls_free(r->content_type);
	ls_free(r->if_none_match);
	ls_free(r->idempotency_key);
	ls_free(r->body);
	ls_free(r);
}

/* Any thread: the answer is in r->mres (NULL: close without one); wake
 * the connection. */
static void req_done(struct http_req *r, struct MHD_Response *mres,
                     unsigned status)
{
	struct http *h = r->h;
	pthread_mutex_lock(&h->mu);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		h->inflight = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
	h->n_inflight--;
	r->mres = mres;
	r->status = status;
	r->state = R_DONE;
	pthread_mutex_unlock(&h->mu);
	MHD_resume_connection(r->mc);
}

static void fill_request(struct http_req *r);
static void job_done(struct api_job *job, struct node_api_response *resp);
static enum MHD_Result answer_front(struct http *h, struct http_req *r);

/* MHD thread: the request is complete; hand it to the API's threads
 * (/healthz is answered here: it needs no store). */
static enum MHD_Result dispatch(struct http *h, struct http_req *r)
{
	fill_request(r);
	if (strcmp(r->job.q.path, "/healthz") == 0 &&
	    strcmp(r->job.q.method, "GET") == 0)
		return answer_front(h, r);
	pthread_mutex_lock(&h->mu);
	if (h->closing) {
		pthread_mutex_unlock(&h->mu);
		return answer_plain(h, r->mc, HTTP_REFUSED_STOPPING, 503,
		                    stopping_body);
	}
	if (r->conn != NULL) {
		r->conn->phase = PHASE_HANDLING;
		r->conn->deadline_ms = 0;
	}
	/* Submitted under h->mu, so that daemon_http_close, once it has set
	 * closing, knows that no request is on its way into the pool.
	 * Suspended before it is handed on, so that the resume always
	 * comes after the suspend. */
	MHD_suspend_connection(r->mc);
	if (daemon_apipool_submit(h->pool, &r->job) != LS_OK) {
		r->mres = plain_res(503, stopping_body, 1);
		r->status = 503;
		r->state = R_DONE;
		h->refused[HTTP_REFUSED_STOPPING]++;
		pthread_mutex_unlock(&h->mu);
		MHD_resume_connection(r->mc);
		return MHD_YES;
	}
	r->state = R_QUEUED;
	r->next = h->inflight;
	if (h->inflight != NULL)
		h->inflight->prev = r;
	h->inflight = r;
	h->n_inflight++;
	pthread_mutex_unlock(&h->mu);
	return MHD_YES;
}

/* Content-Length as a number; -1 when it is not one. */
static long long content_length(const char *v)
{
	char *end;
	unsigned long long n;
	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno != 0 || *end != '\0' || n > LLONG_MAX)
		return -1;
	return (long long)n;
}

/* The headers whose value the API takes: each at most once (two
 * Authorizations or two Idempotency-Keys: which one counts is a question
 * no client should make the server answer; an intermediary that joins
 * them would make another request of them). Host: RFC 9112 3.2. */
static const char *const once_headers[] = {
    "Host", "Authorization", "Content-Type", "If-None-Match", "Idempotency-Key",
};

/* Every header: a name without blanks or controls (a "Transfer-Encoding
 * :" must not pass for another header), a value without controls but
 * tab (a bare CR or a NUL is how one request hides in another behind a
 * proxy that reads them differently; RFC 9110 5.5), Transfer-Encoding
 * seen in any case, at most one Content-Length and one of each
 * once_headers. */
static enum MHD_Result header_cb(void *cls, enum MHD_ValueKind kind,
                                 const char *key, size_t key_size,
                                 const char *value, size_t value_size)
{
	struct http_req *r = cls;
	(void)kind;
	r->header_bytes += key_size + value_size + 4;
	if (key_size == 0 || strlen(key) != key_size)
		r->bad_header = 1;
	for (const char *p = key; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			r->bad_header = 1;
	for (size_t i = 0; i < value_size; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < ' ' && c != '\t') || c == 0x7f)
			r->bad_value = 1;
	}
	if (strcasecmp(key, "Transfer-Encoding") == 0)
		r->chunked = 1;
	/* Two lengths: which one frames the body is the smuggler's
	 * question; neither is taken. */
	if (strcasecmp(key, "Content-Length") == 0 && r->n_lengths++ > 0)
		r->bad_header = 1;
	if (strcasecmp(key, "Host") == 0)
		r->n_hosts++;
	for (unsigned i = 0; i < sizeof once_headers / sizeof once_headers[0];
	     i++) {
		if (strcasecmp(key, once_headers[i]) != 0)
			continue;
		if (r->once_seen & (1u << i))
			r->repeated = 1;
		r->once_seen |= 1u << i;
	}
	return MHD_YES;
}

static int dup_header(struct MHD_Connection *mc, const char *name, char **out)
{
	const char *v = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, name);
	*out = NULL;
	if (v == NULL)
		return 0;
	return (*out = ls_strdup(v)) == NULL ? -1 : 0;
}

/* The request line and headers, beyond what libmicrohttpd checks: a
 * Dutch answer, counted as bad_request; NULL when they are fine.
 * (libmicrohttpd's own strict mode refuses a missing Host too, but its
 * 0.9.75 sends that answer's status line and headers twice: the check
 * is here, with its strict mode off.) */
static const char *request_flaw(const struct http_req *r, const char *version)
{
	if (r->bad_header)
		return "{\"code\":\"bad_request\",\"melding\":\"Een headernaam "
		       "bevat spaties of stuurtekens, of de Content-Length "
		       "staat er twee keer.\"}";
	if (r->bad_value)
		return "{\"code\":\"bad_request\",\"melding\":\"Een "
		       "headerwaarde bevat een stuurteken (CR, LF, NUL of een "
		       "ander).\"}";
	if (r->repeated)
		return "{\"code\":\"bad_request\",\"melding\":\"Een header die "
		       "maar een keer mag voorkomen (Host, Authorization, "
		       "Content-Type, If-None-Match, Idempotency-Key) staat "
		       "er twee keer.\"}";
	if (r->n_hosts == 0 && strcmp(version, "HTTP/1.0") != 0)
		return "{\"code\":\"bad_request\",\"melding\":\"Een "
		       "HTTP/1.1-aanvraag moet een Host-header hebben.\"}";
	if (strchr(r->uri, ' ') != NULL)
		return "{\"code\":\"bad_request\",\"melding\":\"Het adres in "
		       "de aanvraagregel bevat een spatie.\"}";
	return NULL;
}

/* MHD thread: the headers are in. */
static enum MHD_Result begin(struct http *h, struct http_req *r,
                             const char *method, const char *version)
{
	const char *flaw;
	struct MHD_Connection *mc = r->mc;
	long long len;
	int closing;

	pthread_mutex_lock(&h->mu);
	closing = h->closing;
	pthread_mutex_unlock(&h->mu);
	if (closing)
		return answer_plain(h, mc, HTTP_REFUSED_STOPPING, 503,
		                    stopping_body);
	MHD_get_connection_values_n(mc, MHD_HEADER_KIND, header_cb, r);
	/* libmicrohttpd's own 431 comes only where its memory pool ends
	 * (header_max_bytes + 4096); the limit is this one. */
	if (strlen(method) + strlen(r->uri) + r->header_bytes + 14 >
	    h->header_max_bytes)
		return answer_plain(
		    h, mc, HTTP_REFUSED_HEADER_TOO_LARGE, 431,
		    "{\"code\":\"header_too_large\",\"melding\":\"De "
		    "aanvraagregel en de headers zijn samen te groot.\"}");
	if ((flaw = request_flaw(r, version)) != NULL)
		return answer_plain(h, mc, HTTP_REFUSED_BAD_REQUEST, 400, flaw);
	if (r->chunked)
		return answer_plain(
		    h, mc, HTTP_REFUSED_CHUNKED, 411,
		    "{\"code\":\"length_required\",\"melding\":\"Stuur "
		    "de gegevens met een Content-Length, niet in "
		    "stukken (chunked).\"}");
	len = content_length(
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length"));
	if (len < 0)
		return answer_plain(h, mc, HTTP_REFUSED_BAD_LENGTH, 400,
		                    "{\"code\":\"bad_request\",\"melding\":\"De "
		                    "Content-Length is geen getal.\"}");
	if ((r->method = ls_strdup(method)) == NULL ||
	    dup_header(mc, "Authorization", &r->authorization) != 0 ||
	    dup_header(mc, "Content-Type", &r->content_type) != 0 ||
	    dup_header(mc, "If-None-Match", &r->if_none_match) != 0 ||
	    dup_header(mc, "Idempotency-Key", &r->idempotency_key) != 0)
		return answer_plain(h, mc, HTTP_REFUSED_BUSY, 503, busy_body);
	r->declared = (size_t)len;
	if (len > NODE_API_BODY_MAX) {
		r->unread = 1; /* refused by the API (413), unread */
		return dispatch(h, r);
	}
	/* Even without a body the request goes on only at the next call:
	 * a response queued at the first one makes libmicrohttpd close
	 * the connection after it (no keep-alive). */
	if (len > 0 && (r->body = ls_malloc((size_t)len)) == NULL)
		return answer_plain(h, mc, HTTP_REFUSED_BUSY, 503, busy_body);
	r->state = R_BODY;
	pthread_mutex_lock(&h->mu);
	if (r->conn != NULL) {
		r->conn->phase = PHASE_BODY;
		r->conn->deadline_ms = ls_mono_ms() + h->body_timeout_ms;
	}
	pthread_mutex_unlock(&h->mu);
	return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *mc,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct http_req *r = *con_cls;
	enum MHD_Result ret;
	(void)url;

	if (r == NULL) /* uri_cb had no memory */
		return answer_plain(h, mc, HTTP_REFUSED_BUSY, 503, busy_body);
	r->mc = mc;
	switch (r->state) {
	case R_NEW:
		return begin(h, r, method, version);
	case R_BODY:
		if (*upload_data_size > 0) {
			size_t n = *upload_data_size;
			if (n > r->declared - r->body_len)
				n = r->declared - r->body_len;
			memcpy(r->body + r->body_len, upload_data, n);
			r->body_len += n;
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (r->body_len != r->declared)
			return MHD_NO;
		return dispatch(h, r);
	case R_DONE:
		r->state = R_SENT;
		if (r->mres == NULL)
			return MHD_NO;
		ret = MHD_queue_response(mc, r->status, r->mres);
		MHD_destroy_response(r->mres);
		r->mres = NULL;
		return ret;
	default:
		/* Nothing more comes of a request with the API or
		 * answered; a body byte more than declared is MHD's. */
		*upload_data_size = 0;
		return MHD_YES;
	}
}

/* The raw URI of the request line: the first callback of a request,
 * whose return value becomes its *con_cls. */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct http *h = cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_req *r = ls_calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->h = h;
	r->mc = mc;
	r->conn = ci != NULL ? ci->socket_context : NULL;
	if ((r->uri = ls_strdup(uri != NULL ? uri : "/")) == NULL) {
		ls_free(r);
		return NULL;
	}
	pthread_mutex_lock(&h->mu);
	if (r->conn != NULL) {
		uint64_t dl = ls_mono_ms() + h->header_timeout_ms;
		r->conn->phase = PHASE_HEADERS;
		if (r->conn->deadline_ms == 0 || dl < r->conn->deadline_ms)
			r->conn->deadline_ms = dl;
	}
	pthread_mutex_unlock(&h->mu);
	return r;
}

static void completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct http_req *r = *con_cls;
	(void)mc;
	(void)toe;
	if (r == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	if (r->conn != NULL) {
		/* Silent up to idle_timeout_s (MHD's), then a request in
		 * header_timeout_s. */
		r->conn->phase = PHASE_KEEPALIVE;
		r->conn->deadline_ms =
		    ls_mono_ms() + h->idle_timeout_ms + h->header_timeout_ms;
	}
	pthread_mutex_unlock(&h->mu);
	req_free(r);
	*con_cls = NULL;
}

/* --- connections ----------------------------------------------------------- */

static int same_host(const struct sockaddr_storage *a,
                     const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return 0;
	if (b->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		              &((const struct sockaddr_in *)b)->sin_addr,
		              sizeof(struct in_addr)) == 0;
	if (b->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		              &((const struct sockaddr_in6 *)b)->sin6_addr,
		              sizeof(struct in6_addr)) == 0;
	return 0;
}

/* A new connection: within the cap and the per-address limit? */
static enum MHD_Result accept_cb(void *cls, const struct sockaddr *addr,
                                 socklen_t addrlen)
{
	struct http *h = cls;
	enum http_refused why = HTTP_REFUSED_COUNT_;
	unsigned same = 0;
	(void)addrlen;
	pthread_mutex_lock(&h->mu);
	if (h->n_conns >= h->max_conns) {
		why = HTTP_REFUSED_CAP;
	} else {
		for (const struct http_conn *c = h->conns; c != NULL;
		     c = c->next)
			if (same_host(&c->addr, addr))
				same++;
		if (same >= h->max_per_client)
			why = HTTP_REFUSED_PER_CLIENT;
	}
	if (why != HTTP_REFUSED_COUNT_)
		h->refused[why]++;
	pthread_mutex_unlock(&h->mu);
	return why == HTTP_REFUSED_COUNT_ ? MHD_YES : MHD_NO;
}

static void notify_conn_cb(void *cls, struct MHD_Connection *mc,
                           void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	struct http_conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd, *ad;
		*socket_context = NULL;
		if ((c = ls_calloc(1, sizeof *c)) == NULL)
			return; /* not tracked: no cap, no timeouts */
		fd = MHD_get_connection_info(mc,
		                             MHD_CONNECTION_INFO_CONNECTION_FD);
		ad = MHD_get_connection_info(mc,
		                             MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		c->fd = fd != NULL ? fd->connect_fd : -1;
		if (ad != NULL && ad->client_addr != NULL) {
			c->addr_len = ad->client_addr->sa_family == AF_INET6
			                  ? sizeof(struct sockaddr_in6)
			                  : sizeof(struct sockaddr_in);
			memcpy(&c->addr, ad->client_addr, c->addr_len);
		}
		pthread_mutex_lock(&h->mu);
		c->phase = PHASE_HEADERS;
		c->deadline_ms = ls_mono_ms() + h->header_timeout_ms;
		c->next = h->conns;
		if (h->conns != NULL)
			h->conns->prev = c;
		h->conns = c;
		h->n_conns++;
		pthread_mutex_unlock(&h->mu);
		*socket_context = c;
		return;
	}
	if ((c = *socket_context) == NULL)
		return;
	/* Unlinked before libmicrohttpd closes the descriptor: the
	 * sweeper never shuts down a number that was reused. */
	pthread_mutex_lock(&h->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	h->n_conns--;
	pthread_mutex_unlock(&h->mu);
	ls_free(c);
	*socket_context = NULL;
}

/* libmicrohttpd's own refusals reach us only as log lines: count them
 * by their format, log the rest at debug. The format is MHD's own. */
__attribute__((format(printf, 2, 0))) static void
logger_cb(void *cls, const char *fm, va_list ap)
{
	struct http *h = cls;
	char line[256];
	va_list cp;

	va_copy(cp, ap);
	if (strstr(fm, "resource limit") != NULL) {
		count_refused(h, HTTP_REFUSED_FD_LIMIT);
		/* Out of descriptors with no HTTP connection of its own,
		 * libmicrohttpd retries accept() at once, for ever ("at
		 * FIRST connection"): pace it, on its own thread, which
		 * has nothing else to serve. */
		if (strstr(fm, "FIRST") != NULL) {
			struct timespec ts = {0, 50 * 1000000L};
			(void)nanosleep(&ts, NULL);
		}
	} else if (strstr(fm, "Content-Length") != NULL) {
		count_refused(h, HTTP_REFUSED_BAD_LENGTH);
	} else if (strstr(fm, "reached connection limit") != NULL) {
		count_refused(h, HTTP_REFUSED_CAP);
	} else if (strncmp(fm, "Error processing request (HTTP response code "
	                       "is %u",
	                   47) == 0) {
		unsigned status = va_arg(cp, unsigned);
		count_refused(h, status == 431 || status == 414
		                     ? HTTP_REFUSED_HEADER_TOO_LARGE
		                 : status == 413 ? HTTP_REFUSED_BAD_LENGTH
		                                 : HTTP_REFUSED_BAD_REQUEST);
	}
	va_end(cp);
	if (ls_log_get_level() <= LS_LOG_DEBUG) {
		vsnprintf(line, sizeof line, fm, ap);
		line[strcspn(line, "\r\n\"")] = '\0';
		LS_DEBUG("http", "server", "detail=\"%s\"", line);
	}
}

/* --- the sweeper thread ------------------------------------------------------ */

static void log_refusals(struct http *h, uint64_t now)
{
	uint64_t fresh[HTTP_REFUSED_COUNT_], total[HTTP_REFUSED_COUNT_];
	int any = 0;
	/* under h->mu */
	if (h->last_refusal_log_ms != 0 &&
	    now - h->last_refusal_log_ms < HTTP_LOG_EVERY_MS)
		return;
	for (int i = 0; i < HTTP_REFUSED_COUNT_; i++) {
		fresh[i] = h->refused[i] - h->refused_logged[i];
		total[i] = h->refused[i];
		h->refused_logged[i] = h->refused[i];
		any |= fresh[i] != 0;
	}
	if (!any)
		return;
	h->last_refusal_log_ms = now;
	for (int i = 0; i < HTTP_REFUSED_COUNT_; i++)
		if (fresh[i] != 0)
			LS_WARN("http", "refused",
			        "reason=%s count=%llu total=%llu "
			        "connections=%u max_connections=%u",
			        daemon_http_refused_names[i],
			        (unsigned long long)fresh[i],
			        (unsigned long long)total[i], h->n_conns,
			        h->max_conns);
}

static void *sweeper_main(void *arg)
{
	struct http *h = arg;
	pthread_mutex_lock(&h->mu);
	while (!h->closing) {
		struct timespec ts;
		uint64_t now = ls_mono_ms();
		for (struct http_conn *c = h->conns; c != NULL; c = c->next) {
			if (c->cut || c->deadline_ms == 0 ||
			    c->deadline_ms > now || c->fd < 0 ||
			    c->phase == PHASE_HANDLING)
				continue;
			/* libmicrohttpd sees the end of the stream and
			 * closes the connection on its thread. */
			(void)shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
			if (c->phase == PHASE_HEADERS)
				h->refused[HTTP_REFUSED_HEADER_TIMEOUT]++;
			else if (c->phase == PHASE_BODY)
				h->refused[HTTP_REFUSED_BODY_TIMEOUT]++;
		}
		log_refusals(h, now);
		/* Outside the lock: answering takes it. */
		pthread_mutex_unlock(&h->mu);
		if (h->pool != NULL)
			daemon_apipool_expire(h->pool);
		pthread_mutex_lock(&h->mu);
		if (h->closing)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += HTTP_SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&h->sweeper_cv, &h->mu, &ts);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* --- the API ------------------------------------------------------------------ */

static void fill_request(struct http_req *r)
{
	struct node_api_request *q = &r->job.q;
	char *qm;

	memset(q, 0, sizeof *q);
	/* Whole, never cut (a cut query could look valid): the header
	 * limit bounds it, the API refuses what is over its limits. */
	qm = strchr(r->uri, '?');
	if (qm != NULL)
		*qm++ = '\0';
	/* HEAD is GET without the body (libmicrohttpd drops it, keeping
	 * the length). */
	q->method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	q->path = r->uri;
	q->query = qm;
	q->authorization = r->authorization;
	q->content_type = r->content_type;
	q->if_none_match = r->if_none_match;
	q->idempotency_key = r->idempotency_key;
	q->body = r->body;
	/* An unread body counts with its declared size: the API refuses
	 * it (413) before it would look at the bytes. */
	q->body_len = r->unread ? r->declared : r->body_len;
	q->now = daemon_now();
	r->job.done = job_done;
	r->job.capture = strcmp(q->method, "POST") == 0 &&
	                 strcmp(q->path, "/api/v1/signals") == 0;
}

/* A pool thread (or the sweeper, or the loop when stopping): the
 * answer. */
static void job_done(struct api_job *job, struct node_api_response *resp)
{
	struct http_req *r =
	    (struct http_req *)((char *)job - offsetof(struct http_req, job));
	struct http *h = r->h;
	struct MHD_Response *mres = make_res(resp, r->unread);
	unsigned status = (unsigned)resp->status;
	node_api_response_fini(resp);
	if (status == 201 && job->capture) {
		pthread_mutex_lock(&h->mu);
		h->captured++;
		pthread_mutex_unlock(&h->mu);
	}
	req_done(r, mres, status);
}

/* MHD thread: /healthz, through an API that only ever answers it. */
static enum MHD_Result answer_front(struct http *h, struct http_req *r)
{
	struct node_api_response resp;
	struct MHD_Response *mres;
	enum MHD_Result ret;
	unsigned status;
	node_api_handle(h->front, &r->job.q, &resp);
	mres = make_res(&resp, 0);
	status = (unsigned)resp.status;
	node_api_response_fini(&resp);
	if (mres == NULL)
		return MHD_NO;
	r->state = R_SENT;
	ret = MHD_queue_response(r->mc, status, mres);
	MHD_destroy_response(mres);
	return ret;
}

void daemon_http_metrics_flush(struct daemon *d)
{
	struct http *h = &d->http;
	uint64_t refused[HTTP_REFUSED_COUNT_], captured;
	size_t n;
	unsigned conns;
	if (!h->mu_ready)
		return;
	pthread_mutex_lock(&h->mu);
	n = h->n_inflight;
	conns = h->n_conns;
	captured = h->captured;
	memcpy(refused, h->refused, sizeof refused);
	pthread_mutex_unlock(&h->mu);
	daemon_metrics_set(d->metrics, "signaal_http_in_flight", (double)n);
	daemon_metrics_set(d->metrics, "signaal_http_connections",
	                   (double)conns);
	daemon_metrics_set(d->metrics, "signaal_http_max_connections",
	                   (double)h->max_conns);
	/* Every reason, at 0 from the start: a series that appears only
	 * with its first refusals loses them to rate() (the alert
	 * SignaalHttpSaturated reads it). */
	for (int i = 0; i < HTTP_REFUSED_COUNT_; i++) {
		daemon_metrics_add(d->metrics, "signaal_http_refused_total",
		                   (double)(refused[i] - h->refused_seen[i]),
		                   daemon_http_refused_names[i]);
		h->refused_seen[i] = refused[i];
	}
	if (captured > h->captured_seen)
		daemon_metrics_add(d->metrics, "signaal_signals_captured_total",
		                   (double)(captured - h->captured_seen));
	h->captured_seen = captured;
}

/* --- open and close ------------------------------------------------------ */

static int join(const struct daemon *d, const char *rel, char *out, size_t size)
{
	int n = rel[0] == '/' ? snprintf(out, size, "%s", rel)
	                      : snprintf(out, size, "%s/%s", d->dir, rel);
	return n > 0 && (size_t)n < size ? LS_OK : LS_EINVAL;
}

/* The listening socket for HOST:PORT (IPv6 in brackets); -1 with *why
 * (strerror or gai_strerror). */
static int listen_socket(const char *hp, int backlog, const char **why)
{
	char host[LS_ENDPOINT_MAX + 1], *port;
	struct addrinfo hints, *ai = NULL;
	int fd, one = 1, rv;

	ls_strlcpy(host, hp, sizeof host);
	if ((port = strrchr(host, ':')) == NULL) {
		*why = "geen poort";
		return -1;
	}
	*port++ = '\0';
	memmove(host, host[0] == '[' ? host + 1 : host, strlen(host) + 1);
	if (host[0] != '\0' && host[strlen(host) - 1] == ']')
		host[strlen(host) - 1] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rv = getaddrinfo(host, port, &hints, &ai)) != 0) {
		*why = gai_strerror(rv);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, backlog) != 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* max_connections, kept to what daemon_fd_budget leaves after the sync
 * listener's cap (at least 8). */
static unsigned conn_cap(const struct daemon *d)
{
	unsigned cap = (unsigned)d->cfg.http_max_connections;
	unsigned budget = daemon_fd_budget();
	unsigned fit = budget > d->server.max_conns + 8
	                   ? budget - d->server.max_conns
	                   : 8;
	if (cap > fit) {
		LS_WARN("http", "max_connections_lowered",
		        "configured=%u fd_budget=%u max_connections=%u", cap,
		        budget, fit);
		cap = fit;
	}
	return cap;
}

int daemon_http_open(struct daemon *d, struct ls_errinfo *e)
{
	struct http *h = &d->http;
	struct node_api_config ac;
	char web[DAEMON_PATH_SIZE];
	const char *hp = d->cfg.http_listen, *why = NULL;
	int rc, fd;

	memset(h, 0, sizeof *h);
	h->d = d;
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return ls_errf(e, LS_ENOMEM, "http: mutex");
	if (pthread_cond_init(&h->sweeper_cv, NULL) != 0) {
		pthread_mutex_destroy(&h->mu);
		return ls_errf(e, LS_ENOMEM, "http: condition");
	}
	h->mu_ready = 1;
	h->open = 1;
	h->max_conns = conn_cap(d);
	h->max_per_client = (unsigned)d->cfg.http_max_per_client;
	h->header_max_bytes = (size_t)d->cfg.http_header_max_bytes;
	h->header_timeout_ms = (uint64_t)d->cfg.http_header_timeout_s * 1000u;
	h->body_timeout_ms = (uint64_t)d->cfg.http_body_timeout_s * 1000u;
	h->idle_timeout_ms = (uint64_t)d->cfg.http_idle_timeout_s * 1000u;
	if (d->cfg.web_dir[0] != '\0' &&
	    join(d, d->cfg.web_dir, web, sizeof web) != LS_OK) {
		rc = ls_errf(e, LS_ECONFIG, "[http] web_dir: pad te lang");
		goto err;
	}
	if ((rc = daemon_apipool_open(d, d->cfg.web_dir[0] != '\0' ? web : NULL,
	                              &h->pool, e)) != LS_OK) {
		rc = ls_errf(e, rc == LS_ENOMEM ? rc : LS_ECONFIG,
		             "[http] web_dir: %s", e->msg);
		goto err;
	}
	/* /healthz on the server's thread: no pages, no hooks; the
	 * store is the loop's, which /healthz never touches. */
	memset(&ac, 0, sizeof ac);
	ac.store = d->store;
	ac.config = &d->cfg;
	ac.software = SIGNAALD_VERSION;
	ac.share_counters = daemon_apipool_counters(h->pool);
	if ((rc = node_api_new(&ac, &h->front, e)) != LS_OK)
		goto err;
	if (strncmp(hp, "http://", 7) == 0)
		hp += 7;
	snprintf(h->url, sizeof h->url, "http://%s", hp);
	if ((fd = listen_socket(hp, 511, &why)) < 0) {
		rc = ls_errf(e, LS_ENET,
		             "[http] listen: kan niet luisteren op %s: %s",
		             d->cfg.http_listen, why);
		LS_ERROR("http", "listen_failed", "url=%s reason=\"%s\"",
		         h->url, why);
		goto err;
	}
	h->mhd = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
	        MHD_USE_ERROR_LOG,
	    0, accept_cb, h, access_cb, h, MHD_OPTION_LISTEN_SOCKET, fd,
	    /* A backstop behind accept_cb's cap. */
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(h->max_conns + 8),
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)d->cfg.http_idle_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)d->cfg.http_header_max_bytes + 4096,
	    /* 0: request_flaw() has the checks of 1, without its
	     * answer sent twice. */
	    MHD_OPTION_STRICT_FOR_CLIENT, 0, MHD_OPTION_URI_LOG_CALLBACK,
	    uri_cb, h, MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn_cb, h,
	    MHD_OPTION_EXTERNAL_LOGGER, logger_cb, h, MHD_OPTION_END);
	if (h->mhd == NULL) {
		close(fd);
		rc = ls_errf(e, LS_ENET,
		             "[http] listen: kan niet luisteren op %s: de "
		             "HTTP-server start niet",
		             d->cfg.http_listen);
		LS_ERROR("http", "listen_failed",
		         "url=%s reason=\"MHD_start_daemon\"", h->url);
		goto err;
	}
	if (pthread_create(&h->sweeper, NULL, sweeper_main, h) != 0) {
		rc = ls_errf(e, LS_ENOMEM, "http: thread");
		goto err;
	}
	h->sweeper_started = 1;
	LS_INFO("http", "listening",
	        "url=%s web_dir=%s max_connections=%u max_per_client=%u",
	        h->url, d->cfg.web_dir[0] != '\0' ? web : "-", h->max_conns,
	        h->max_per_client);
	return LS_OK;
err:
	daemon_http_close(d);
	return rc;
}

void daemon_http_close(struct daemon *d)
{
	struct http *h = &d->http;
	struct http_req *r;

	if (!h->open)
		return;
	pthread_mutex_lock(&h->mu);
	h->closing = 1;
	pthread_cond_signal(&h->sweeper_cv);
	pthread_mutex_unlock(&h->mu);
	if (h->sweeper_started)
		pthread_join(h->sweeper, NULL);
	/* No request joins the list any more. The pool's threads finish
	 * what they hold; what waits for them is answered 503. Every
	 * request is then resumed: libmicrohttpd must not stop with a
	 * suspended connection. */
	daemon_apipool_close(h->pool);
	pthread_mutex_lock(&h->mu);
	r = h->inflight;
	pthread_mutex_unlock(&h->mu);
	if (r != NULL)
		LS_ERROR("http", "request_left", "path=%s", r->uri);
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	node_api_free(h->front);
	pthread_cond_destroy(&h->sweeper_cv);
	pthread_mutex_destroy(&h->mu);
	memset(h, 0, sizeof *h);
}
