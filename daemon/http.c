/*
 * The HTTP server: nng's HTTP server (one handler for every path, tree
 * match, every method) in front of node/api.h, whose node_api_handle()
 * runs on the loop thread because it uses the loop's store connection.
 *
 * One request's way:
 *
 *   nng thread: handler_cb -- Content-Length checked; a body of at most
 *     NODE_API_BODY_MAX bytes is read into our buffer (conn_read_all,
 *     bounded by [sync] timeout_ms); a larger one is not read at all --
 *     then handoff_post
 *   loop: request_loop_cb -- node_api_handle() -> nng_http_res ->
 *     nng_aio_finish(the handler's aio): nng writes the response.
 *
 * nng's own body collection answers an oversized body with a bare 400;
 * reading the body ourselves lets the API answer 413 with its Dutch
 * message and count it, without reading a byte of it (the connection is
 * then closed, since the unread body is still on it). Chunked request
 * bodies are refused (411): no client of this API needs them.
 *
 * Shutdown (http_close, on the loop): new requests are answered 503 on
 * nng's thread from then on; each request in flight has its body read
 * stopped, is taken out of the handoff queue and finished with an error
 * (nng closes its connection); only then is the server stopped, because
 * nng_http_server_stop waits for every connection, and a connection
 * waits for its handler's aio.
 *
 * The URL: [http] listen is HOST:PORT (or http://HOST:PORT); the default
 * 127.0.0.1:8080 keeps the node on loopback, behind the municipality's
 * reverse proxy, which terminates TLS (README, "HTTP").
 */
#include "daemon/daemon.h"

#include "common/alloc.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <nng/supplemental/http/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_req {
	struct http *h;
	struct http_req *next, *prev; /* h->inflight, under h->mu */
	nng_aio *cbaio;               /* the handler's aio (nng's) */
	nng_http_req *req;
	nng_http_conn *conn;
	nng_aio *read_aio; /* body read; NULL when none */
	uint8_t *body;
	size_t body_len; /* bytes read into body */
	size_t declared; /* Content-Length */
	int unread;      /* a body is left on the connection */
	int reading;     /* read_aio was started */
	struct handoff_item item;
};

static const char json_ctype[] = "application/json; charset=utf-8";

/* A response built on nng's thread, without the API (no store): 503
 * while stopping, 411 for a chunked body, 500 without memory. */
const char *const http_refused_names[HTTP_REFUSED_COUNT_] = {
    [HTTP_REFUSED_CHUNKED] = "length_required",
    [HTTP_REFUSED_BAD_LENGTH] = "bad_length",
    [HTTP_REFUSED_BUSY] = "busy",
    [HTTP_REFUSED_STOPPING] = "stopping",
};

static void finish_plain(struct http *h, int why, nng_aio *aio, uint16_t status,
                         const char *body)
{
	nng_http_res *res;
	pthread_mutex_lock(&h->mu);
	h->refused[why]++;
	pthread_mutex_unlock(&h->mu);
	if (nng_http_res_alloc(&res) != 0) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	if (nng_http_res_set_status(res, status) != 0 ||
	    nng_http_res_set_header(res, "Content-Type", json_ctype) != 0 ||
	    nng_http_res_set_header(res, "Connection", "close") != 0 ||
	    nng_http_res_copy_data(res, body, strlen(body)) != 0) {
		nng_http_res_free(res);
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void req_unlink(struct http *h, struct http_req *r)
{
	pthread_mutex_lock(&h->mu);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		h->inflight = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	h->n_inflight--;
	pthread_mutex_unlock(&h->mu);
}

static void req_free(struct http_req *r)
{
	if (r->read_aio != NULL)
		nng_aio_free(r->read_aio);
	ls_free(r->body);
	ls_free(r);
}

static void read_done_cb(void *arg)
{
	struct http_req *r = arg;
	handoff_post(&r->h->d->handoff, &r->item);
}

/* Content-Length as a number; -1 when it is not one. */
static long long content_length(const char *v)
{
	char *end;
	unsigned long long n;
	if (v == NULL)
		return 0;
	while (*v == ' ')
		v++;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || *end != '\0' || n > LLONG_MAX)
		return -1;
	return (long long)n;
}

static void request_loop_cb(struct handoff_item *item);

/* nng's thread: take the request in; never touches the store. */
static void handler_cb(nng_aio *aio)
{
	nng_http_handler *hh = nng_aio_get_input(aio, 1);
	struct http *h = nng_http_handler_get_data(hh);
	nng_http_req *req = nng_aio_get_input(aio, 0);
	struct http_req *r;
	long long len;

	if (nng_http_req_get_header(req, "Transfer-Encoding") != NULL) {
		finish_plain(
		    h, HTTP_REFUSED_CHUNKED, aio, 411,
		    "{\"code\":\"length_required\",\"melding\":\"Stuur "
		    "de gegevens met een Content-Length, niet in "
		    "stukken (chunked).\"}");
		return;
	}
	len = content_length(nng_http_req_get_header(req, "Content-Length"));
	if (len < 0) {
		finish_plain(h, HTTP_REFUSED_BAD_LENGTH, aio, 400,
		             "{\"code\":\"bad_request\",\"melding\":\"De "
		             "Content-Length is geen getal.\"}");
		return;
	}
	if ((r = ls_calloc(1, sizeof *r)) == NULL) {
		finish_plain(
		    h, HTTP_REFUSED_BUSY, aio, 503,
		    "{\"code\":\"busy\",\"melding\":\"Het knooppunt is "
		    "even bezet. Probeer het zo opnieuw.\"}");
		return;
	}
	r->h = h;
	r->cbaio = aio;
	r->req = req;
	r->conn = nng_aio_get_input(aio, 2);
	r->declared = (size_t)len;
	r->item.cb = request_loop_cb;
	if (len > 0 && len <= NODE_API_BODY_MAX) {
		nng_iov iov;
		if ((r->body = ls_malloc((size_t)len)) == NULL ||
		    nng_aio_alloc(&r->read_aio, read_done_cb, r) != 0) {
			req_free(r);
			finish_plain(h, HTTP_REFUSED_BUSY, aio, 503,
			             "{\"code\":\"busy\",\"melding\":\"Het "
			             "knooppunt is even bezet. Probeer het zo "
			             "opnieuw.\"}");
			return;
		}
		iov.iov_buf = r->body;
		iov.iov_len = (size_t)len;
		if (nng_aio_set_iov(r->read_aio, 1, &iov) != 0) {
			req_free(r);
			nng_aio_finish(aio, NNG_ENOMEM);
			return;
		}
		nng_aio_set_timeout(r->read_aio, h->body_timeout_ms);
		r->body_len = (size_t)len;
	} else if (len > 0) {
		r->unread = 1; /* refused by the API (413) unread */
	}
	pthread_mutex_lock(&h->mu);
	if (h->closing) {
		pthread_mutex_unlock(&h->mu);
		req_free(r);
		finish_plain(h, HTTP_REFUSED_STOPPING, aio, 503,
		             "{\"code\":\"stopping\",\"melding\":\"Het "
		             "knooppunt stopt. Probeer het zo opnieuw.\"}");
		return;
	}
	r->next = h->inflight;
	if (h->inflight != NULL)
		h->inflight->prev = r;
	h->inflight = r;
	h->n_inflight++;
	if (r->read_aio != NULL) {
		/* Started under the lock, so that http_close sees it as
		 * reading and stops it. */
		r->reading = 1;
		nng_http_conn_read_all(r->conn, r->read_aio);
	} else {
		handoff_post(&h->d->handoff, &r->item);
	}
	pthread_mutex_unlock(&h->mu);
}

/* The response into nng's structure; Connection: close when a body was
 * left unread. */
static int make_res(const struct node_api_response *resp, int close_conn,
                    nng_http_res **out)
{
	nng_http_res *res;
	int rv;
	if ((rv = nng_http_res_alloc(&res)) != 0)
		return rv;
	if ((rv = nng_http_res_set_status(res, (uint16_t)resp->status)) != 0)
		goto err;
	if (resp->content_type != NULL &&
	    (rv = nng_http_res_set_header(res, "Content-Type",
	                                  resp->content_type)) != 0)
		goto err;
	for (size_t i = 0; i < resp->n_headers; i++)
		if ((rv = nng_http_res_add_header(res, resp->headers[i].name,
		                                  resp->headers[i].value)) != 0)
			goto err;
	if (close_conn &&
	    (rv = nng_http_res_set_header(res, "Connection", "close")) != 0)
		goto err;
	/* nng's copy allocates the length, and fails for 0 (304, 204). */
	rv = resp->body_len > 0
	         ? nng_http_res_copy_data(res, resp->body, resp->body_len)
	         : nng_http_res_set_data(res, NULL, 0);
	if (rv != 0)
		goto err;
	*out = res;
	return 0;
err:
	nng_http_res_free(res);
	return rv;
}

static const char *req_header(nng_http_req *req, const char *name)
{
	return nng_http_req_get_header(req, name);
}

/* The loop: answer through the API. */
static void request_loop_cb(struct handoff_item *item)
{
	struct http_req *r =
	    (struct http_req *)((char *)item - offsetof(struct http_req, item));
	struct http *h = r->h;
	struct daemon *d = h->d;
	struct node_api_request q;
	struct node_api_response resp;
	char *uri, *qm;
	const char *raw, *method;
	nng_http_res *res = NULL;
	int rv;

	if (r->reading && (rv = nng_aio_result(r->read_aio)) != 0) {
		/* The client went away or stalled: no answer. */
		LS_DEBUG("http", "body_not_read", "reason=\"%s\"",
		         nng_strerror(rv));
		req_unlink(h, r);
		nng_aio_finish(r->cbaio, rv);
		req_free(r);
		return;
	}
	memset(&q, 0, sizeof q);
	raw = nng_http_req_get_uri(r->req);
	/* Whole, never cut (a cut query could look valid): nng's read
	 * buffer bounds it, the API refuses what is over its limits. */
	if ((uri = ls_strdup(raw != NULL ? raw : "/")) == NULL) {
		req_unlink(h, r);
		nng_aio_finish(r->cbaio, NNG_ENOMEM);
		req_free(r);
		return;
	}
	qm = strchr(uri, '?');
	if (qm != NULL)
		*qm++ = '\0';
	method = nng_http_req_get_method(r->req);
	/* HEAD is GET without the body (nng drops it, keeping the
	 * length). */
	q.method = strcmp(method, "HEAD") == 0 ? "GET" : method;
	q.path = uri;
	q.query = qm;
	q.authorization = req_header(r->req, "Authorization");
	q.content_type = req_header(r->req, "Content-Type");
	q.if_none_match = req_header(r->req, "If-None-Match");
	q.body = r->body;
	/* An unread body counts with its declared size: the API refuses
	 * it (413) before it would look at the bytes. */
	q.body_len = r->unread ? r->declared : r->body_len;
	q.now = daemon_now();
	node_api_handle(h->api, &q, &resp);
	if (resp.status == 201 && strcmp(q.method, "POST") == 0 &&
	    strcmp(q.path, "/api/v1/signals") == 0)
		metrics_add(d->metrics, "signaal_signals_captured_total", 1);
	rv = make_res(&resp, r->unread, &res);
	node_api_response_fini(&resp);
	ls_free(uri);
	req_unlink(h, r);
	if (rv != 0) {
		nng_aio_finish(r->cbaio, rv);
	} else {
		nng_aio_set_output(r->cbaio, 0, res);
		nng_aio_finish(r->cbaio, 0);
	}
	req_free(r);
}

/* --- hooks for the API --------------------------------------------------- */

static int hook_metrics(void *arg, char **text, size_t *len)
{
	return state_metrics_text(arg, text, len);
}

static int hook_peers(void *arg, unsigned *configured, unsigned *reachable)
{
	struct daemon *d = arg;
	*configured = *reachable = 0;
	for (const struct peer *p = d->peers; p != NULL; p = p->next) {
		(*configured)++;
		if (p->last_attempt != 0 && p->last_code == LS_OK)
			(*reachable)++;
	}
	return LS_OK;
}

/* --- open and close ------------------------------------------------------ */

static int join(const struct daemon *d, const char *rel, char *out, size_t size)
{
	int n = rel[0] == '/' ? snprintf(out, size, "%s", rel)
	                      : snprintf(out, size, "%s/%s", d->dir, rel);
	return n > 0 && (size_t)n < size ? LS_OK : LS_EINVAL;
}

int http_open(struct daemon *d, struct ls_errinfo *e)
{
	struct http *h = &d->http;
	struct node_api_config ac;
	char web[DAEMON_PATH_SIZE], url[LS_ENDPOINT_MAX + 16];
	const char *hp = d->cfg.http_listen;
	nng_http_handler *hh = NULL;
	int rc, rv;

	memset(h, 0, sizeof *h);
	h->d = d;
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return ls_errf(e, LS_ENOMEM, "http: mutex");
	h->mu_ready = 1;
	h->body_timeout_ms = (nng_duration)d->cfg.timeout_ms;
	memset(&ac, 0, sizeof ac);
	ac.store = d->store;
	ac.config = &d->cfg;
	ac.trust = d->cfg.federation_id[0] != '\0' ? &d->trust : NULL;
	ac.software = SIGNAALD_VERSION;
	ac.hooks.arg = d;
	ac.hooks.metrics = hook_metrics;
	ac.hooks.peers = hook_peers;
	ac.hooks.health = daemon_health_hook;
	if (d->cfg.web_dir[0] != '\0') {
		if (join(d, d->cfg.web_dir, web, sizeof web) != LS_OK) {
			rc = ls_errf(e, LS_ECONFIG,
			             "[http] web_dir: pad te lang");
			goto err;
		}
		ac.web_dir = web;
	}
	if ((rc = node_api_new(&ac, &h->api, e)) != LS_OK) {
		rc = ls_errf(e, rc == LS_ENOMEM ? rc : LS_ECONFIG,
		             "[http] web_dir: %s", e->msg);
		goto err;
	}
	if (strncmp(hp, "http://", 7) == 0)
		hp += 7;
	snprintf(url, sizeof url, "http://%s", hp);
	snprintf(h->url, sizeof h->url, "%s", url);
	if ((rv = nng_url_parse(&h->nurl, url)) != 0 ||
	    (rv = nng_http_server_hold(&h->srv, h->nurl)) != 0)
		goto err_nng;
	if ((rv = nng_http_handler_alloc(&hh, "/", handler_cb)) != 0)
		goto err_nng;
	if ((rv = nng_http_handler_set_method(hh, NULL)) != 0 ||
	    (rv = nng_http_handler_set_tree(hh)) != 0 ||
	    (rv = nng_http_handler_collect_body(hh, false, 0)) != 0 ||
	    (rv = nng_http_handler_set_data(hh, h, NULL)) != 0 ||
	    (rv = nng_http_server_add_handler(h->srv, hh)) != 0) {
		nng_http_handler_free(hh);
		goto err_nng;
	}
	if ((rv = nng_http_server_start(h->srv)) != 0)
		goto err_nng;
	h->started = 1;
	h->open = 1;
	LS_INFO("http", "listening", "url=%s web_dir=%s", h->url,
	        ac.web_dir != NULL ? ac.web_dir : "-");
	return LS_OK;
err_nng:
	rc = ls_errf(e, LS_ENET, "[http] listen: kan niet luisteren op %s: %s",
	             d->cfg.http_listen, nng_strerror(rv));
	LS_ERROR("http", "listen_failed", "url=%s reason=\"%s\"", url,
	         nng_strerror(rv));
err:
	h->open = 1;
	http_close(d);
	return rc;
}

void http_close(struct daemon *d)
{
	struct http *h = &d->http;
	struct http_req *list;

	if (!h->open)
		return;
	if (h->mu_ready) {
		pthread_mutex_lock(&h->mu);
		h->closing = 1;
		list = h->inflight;
		pthread_mutex_unlock(&h->mu);
		/* No request joins the list any more; stop the body reads
		 * (their callbacks post), then take the posts back. */
		for (struct http_req *r = list; r != NULL; r = r->next)
			if (r->reading)
				nng_aio_stop(r->read_aio);
		while ((list = h->inflight) != NULL) {
			(void)handoff_cancel(&d->handoff, &list->item);
			req_unlink(h, list);
			nng_aio_finish(list->cbaio, NNG_ECLOSED);
			req_free(list);
		}
	}
	if (h->srv != NULL) {
		if (h->started)
			nng_http_server_stop(h->srv);
		nng_http_server_release(h->srv);
	}
	if (h->nurl != NULL)
		nng_url_free(h->nurl);
	node_api_free(h->api);
	if (h->mu_ready)
		pthread_mutex_destroy(&h->mu);
	memset(h, 0, sizeof *h);
}
