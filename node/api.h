/*
 * The HTTP API and the web pages of a node, as a function from a parsed
 * request to a response — independent of any transport.
 *
 * The HTTP server (daemon/) parses a request into a struct
 * node_api_request, hands it to node_api_handle() on the thread that
 * owns the API's store connection (signaald: a pool of API threads, one
 * connection each), and writes the struct node_api_response
 * back. Nothing here blocks on the network; every write the API reports
 * as done (201) is committed in the store before node_api_handle()
 * returns — unless the caller opened a transaction around the call
 * (group commit: daemon/apipool.c), and then the caller commits before
 * it sends the answer. docs/API.md is the contract for clients: routes, JSON
 * fields, error codes, roles, limits.
 *
 * What the layer does per request, in order: match the route (404, 405);
 * authenticate the bearer token against the store (401) and check the
 * route's role (403); check the query (400), the body's size (413), its
 * content type (415) and its JSON (400: malformed, wrong type, unknown
 * field); validate values as the CLI does (core/signal.h, 422); then act.
 * Every response is counted by route and status, every refusal also by
 * its error code; node_api_metrics_format() renders the counters for
 * /metrics (after the daemon's own families, hooks.metrics).
 *
 * Threads: a struct node_api is used by one thread at a time, the one
 * that owns its store connection; it keeps no locks. APIs on several
 * threads may share their counters (share_counters). Memory: the caller owns
 * request buffers; a response owns its body until node_api_response_fini().
 */
#ifndef LS_NODE_API_H
#define LS_NODE_API_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/config.h"

struct store;
struct node_trust;

/* Hard limits on a request; the transport should refuse larger ones
 * before reading them (nng: nng_http_handler_collect_body). */
#define NODE_API_BODY_MAX (64 * 1024) /* JSON bodies */
#define NODE_API_PATH_MAX 256
#define NODE_API_QUERY_MAX 1024
#define NODE_API_AUTH_MAX 256            /* the Authorization header */
#define NODE_API_IDEMPOTENCY_KEY_MAX 128 /* the Idempotency-Key header */

/* Listing limits (docs/API.md, "Pagination"). */
#define NODE_API_PAGE_DEFAULT 50
#define NODE_API_PAGE_MAX 500
/* Trends cover at most this many months. */
#define NODE_API_TREND_MONTHS_MAX 36

struct node_api_request {
	const char *method;          /* "GET", "POST", "DELETE", ... */
	const char *path;            /* without the query; NUL-terminated */
	const char *query;           /* after '?'; NULL or "" when none */
	const char *authorization;   /* the header's value, or NULL */
	const char *content_type;    /* the header's value, or NULL */
	const char *if_none_match;   /* the header's value, or NULL */
	const char *idempotency_key; /* Idempotency-Key, or NULL */
	const uint8_t *body;         /* may be NULL when body_len is 0 */
	size_t body_len;
	int64_t now; /* Unix seconds: token expiry, today's date, lags */
};

#define NODE_API_MAX_HEADERS 10
#define NODE_API_HEADER_VALUE_MAX 320

struct node_api_header {
	const char *name; /* static string */
	char value[NODE_API_HEADER_VALUE_MAX];
};

struct node_api_response {
	int status;               /* HTTP status code */
	const char *content_type; /* static string; NULL when no body */
	const char *body;         /* body_len bytes (not NUL-terminated) */
	size_t body_len;
	size_t n_headers; /* besides Content-Type and Content-Length */
	struct node_api_header headers[NODE_API_MAX_HEADERS];
	/* private: */
	char *owned;     /* the body when the response owns it */
	char small[160]; /* a body that must not need memory */
};

/* What the daemon supplies; every member may be NULL. Called on the
 * API's thread during node_api_handle(). */
struct node_api_hooks {
	void *arg;
	/* Append the daemon's own metrics (everything but signaal_http_*,
	 * which this layer adds) in the Prometheus text format to *text
	 * (ls_malloc'd, *len bytes; the layer frees it). LS_OK or an
	 * error (then /metrics answers 500). */
	int (*metrics)(void *arg, char **text, size_t *len);
	/* The peers this node syncs with: how many are configured and how
	 * many answered their last sync (for /readyz). */
	int (*peers)(void *arg, unsigned *configured, unsigned *reachable);
	/* The node's own health (store damaged, disk full, store refusing
	 * writes, for /readyz): LS_OK, or the code with a Dutch reason in
	 * reason[0..size). */
	int (*health)(void *arg, char *reason, size_t size);
};

struct node_api_config {
	struct store *store;            /* required; this thread's */
	const struct ls_config *config; /* required: node id, name, role */
	const struct node_trust *trust; /* NULL: no federation loaded */
	const char *web_dir;  /* the pages (web/); NULL: serve no pages */
	const char *software; /* version string for /healthz; NULL: "?" */
	/* The web secret (node/secret.h, NODE_SECRET_BYTES, borrowed: it
	 * must outlive the API), from which /api/v1/me gives each caller
	 * the key of their kept web queue; NULL: /me gives none, and the
	 * pages do not offer to keep signals at sign-out. */
	const uint8_t *web_secret;
	struct node_api_hooks hooks;
	/* NULL: counters of its own. Else count into this API's counters
	 * (atomically), so that APIs on several threads (one per store
	 * connection) report as one; it must outlive this API. */
	struct node_api *share_counters;
};

struct node_api;

/* Make the API. With web_dir, every page of the page table is read
 * into memory now (a missing or oversized file is LS_EIO / LS_ELIMIT
 * naming it in *e): an installation without its pages does not start
 * half-working. The config, store and trust are borrowed and must
 * outlive the API. *out is the caller's (node_api_free). */
int node_api_new(const struct node_api_config *cfg, struct node_api **out,
                 struct ls_errinfo *e);

/* Free; NULL is a no-op. */
void node_api_free(struct node_api *api);

/* Replace the trust in force (after a reload); NULL: none. */
void node_api_set_trust(struct node_api *api, const struct node_trust *trust);

/* Answer one request. Always fills *resp (also on internal failure: a
 * 500 with a JSON body); the caller releases it with
 * node_api_response_fini() after sending it. */
void node_api_handle(struct node_api *api, const struct node_api_request *req,
                     struct node_api_response *resp);

void node_api_response_fini(struct node_api_response *resp);

/* The value of a response header, or NULL. */
const char *node_api_response_header(const struct node_api_response *resp,
                                     const char *name);

/* The counters in the Prometheus text format (signaal_http_requests_total
 * by route and status, signaal_http_rejected_total by route and error
 * code; route names and error codes are stable, low-cardinality labels,
 * requests that match no route count as "unknown"), written with
 * common/prom.h and appended to what /metrics serves.
 * *text is the caller's (ls_free). */
int node_api_metrics_format(const struct node_api *api, char **text,
                            size_t *len);

#endif
