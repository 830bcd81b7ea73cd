/*
 * The API's router: the route table, authentication, the strict input
 * helpers shared by every route, answering, and the counters.
 *
 * node_api_handle() splits the path into segments (anything but
 * [A-Za-z0-9._~-] and '/' is a 404: nothing is percent-decoded in a
 * path), finds the route (405 with Allow when only the method differs;
 * GET of a page path serves the page), authenticates the bearer token
 * when the route needs a role, runs the handler, and counts the answer.
 * A handler that returns without answering is a bug: the router answers
 * 500 so the client never waits.
 *
 * Authentication: the token's id finds the row, the secret's hash is
 * compared in constant time (core/token.h), and only a caller who holds
 * the real secret learns that the token was revoked or expired. An
 * unknown id costs the same hash as a known one.
 */
#include "node/api.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/prom.h"
#include "common/log.h"
#include "common/text.h"
#include "node/api_internal.h"
#include "store/token.h"

#include <assert.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct api_route {
	const char *name;    /* metrics label */
	const char *method;  /* "GET", "POST", "DELETE" */
	const char *pattern; /* segments; "*" matches one segment */
	uint8_t role;        /* least role; 0: public */
	api_handler run;
	const char *const *params; /* query parameters, NULL-ended */
};

#define PARAMS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct api_route routes[] = {
    {.name = "healthz",
     .method = "GET",
     .pattern = "/healthz",
     .run = node_api_healthz},
    {.name = "readyz",
     .method = "GET",
     .pattern = "/readyz",
     .run = node_api_readyz},
    {.name = "metrics",
     .method = "GET",
     .pattern = "/metrics",
     .run = node_api_metrics},
    {.name = "me",
     .method = "GET",
     .pattern = "/api/v1/me",
     .role = LS_TOKEN_VELDWERKER,
     .run = node_api_me},
    {.name = "taxonomy",
     .method = "GET",
     .pattern = "/api/v1/taxonomy",
     .role = LS_TOKEN_VELDWERKER,
     .run = node_api_taxonomy},
    {.name = "signals_list",
     .method = "GET",
     .pattern = "/api/v1/signals",
     .role = LS_TOKEN_VELDWERKER,
     .run = node_api_signals_list,
     .params = PARAMS("periode", "thema", "leeftijd", "status", "limiet", "na",
                      "volgorde", "doelgroep", "sector", "organisatie", "zoek",
                      "dossier")},
    {.name = "signals_create",
     .method = "POST",
     .pattern = "/api/v1/signals",
     .role = LS_TOKEN_VELDWERKER,
     .run = node_api_signals_create},
    {.name = "signal_get",
     .method = "GET",
     .pattern = "/api/v1/signals/*",
     .role = LS_TOKEN_VELDWERKER,
     .run = node_api_signal_get},
    {.name = "signal_erase",
     .method = "DELETE",
     .pattern = "/api/v1/signals/*",
     .role = LS_TOKEN_BEHEERDER,
     .run = node_api_signal_erase},
    {.name = "organisations",
     .method = "GET",
     .pattern = "/api/v1/organisations",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_organisations},
    {.name = "dossiers_list",
     .method = "GET",
     .pattern = "/api/v1/dossiers",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossiers_list,
     .params = PARAMS("fase")},
    {.name = "dossiers_create",
     .method = "POST",
     .pattern = "/api/v1/dossiers",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossiers_create},
    {.name = "dossier_get",
     .method = "GET",
     .pattern = "/api/v1/dossiers/*",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_get},
    {.name = "dossier_phase",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/phase",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_phase},
    {.name = "dossier_criteria",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/criteria",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_criteria},
    {.name = "dossier_link",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/signals",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_link},
    {.name = "dossier_unlink",
     .method = "DELETE",
     .pattern = "/api/v1/dossiers/*/signals/*",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_unlink},
    {.name = "dossier_action_create",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/actions",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_action_create},
    {.name = "dossier_action_result",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/actions/*/result",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_action_result},
    {.name = "dossier_feedback",
     .method = "POST",
     .pattern = "/api/v1/dossiers/*/feedback",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_dossier_feedback},
    {.name = "trends",
     .method = "GET",
     .pattern = "/api/v1/trends",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_trends,
     .params = PARAMS("tot", "maanden", "thema", "niveau", "top")},
    {.name = "summary_preview",
     .method = "GET",
     .pattern = "/api/v1/summaries/preview",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_summary_preview,
     .params = PARAMS("periode")},
    {.name = "federation",
     .method = "GET",
     .pattern = "/api/v1/federation",
     .role = LS_TOKEN_COORDINATOR,
     .run = node_api_federation},
};

#define N_ROUTES (sizeof routes / sizeof routes[0])
/* Counter rows: 0 "unknown", 1..N_ROUTES the routes, then "page". */
#define ROW_UNKNOWN 0
#define ROW_PAGE (N_ROUTES + 1)
#define N_ROWS (N_ROUTES + 2)
#define ROUTE_PAGE ((int)N_ROUTES)

static const int status_slots[] = {
    200, 201, 204, 304, 400, 401, 403, 404,
    405, 409, 413, 415, 422, 500, 503, 507, 0 /* any other */};
#define N_SLOTS (sizeof status_slots / sizeof status_slots[0])

static const struct {
	int status;
	const char *code;
	const char *nl;
} errors[] = {
#define API_ERR_ROW_(name, st, code, nl) {st, code, nl},
    API_ERRORS(API_ERR_ROW_)
#undef API_ERR_ROW_
};

const char *node_api_error_code(enum api_error err)
{
	return (unsigned)err < API_E_COUNT_ ? errors[err].code : "internal";
}

static const char *row_name(size_t row)
{
	if (row == ROW_UNKNOWN)
		return "unknown";
	if (row == ROW_PAGE)
		return "page";
	return routes[row - 1].name;
}

/* --- lifecycle ------------------------------------------------------ */

int node_api_new(const struct node_api_config *cfg, struct node_api **out,
                 struct ls_errinfo *e)
{
	struct node_api *api;
	int rc;

	*out = NULL;
	if (cfg->store == NULL || cfg->config == NULL)
		return ls_errf(e, LS_EINVAL, "API without store or config");
	if (sodium_init() < 0)
		return ls_errf(e, LS_ECRYPTO, "libsodium kan niet starten");
	api = ls_calloc(1, sizeof *api);
	if (api == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	api->store = cfg->store;
	api->config = cfg->config;
	api->trust = cfg->trust;
	api->hooks = cfg->hooks;
	api->web_secret = cfg->web_secret;
	ls_strlcpy(api->software, cfg->software ? cfg->software : "?",
	           sizeof api->software);
	if (cfg->share_counters != NULL) {
		api->counts = cfg->share_counters->counts;
		api->rejects = cfg->share_counters->rejects;
		api->counters_shared = 1;
	} else {
		api->counts = ls_calloc(N_ROWS * N_SLOTS, sizeof *api->counts);
		if (api->counts == NULL)
			goto err_nomem;
		api->rejects =
		    ls_calloc(N_ROWS * API_E_COUNT_, sizeof *api->rejects);
		if (api->rejects == NULL)
			goto err_nomem;
	}
	if (cfg->web_dir != NULL &&
	    (rc = node_api_pages_load(api, cfg->web_dir, e)) != LS_OK) {
		node_api_free(api);
		return rc;
	}
	*out = api;
	return LS_OK;
err_nomem:
	node_api_free(api);
	return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
}

void node_api_free(struct node_api *api)
{
	if (api == NULL)
		return;
	node_api_pages_free(api);
	if (!api->counters_shared) {
		ls_free(api->counts);
		ls_free(api->rejects);
	}
	ls_free(api);
}

void node_api_set_trust(struct node_api *api, const struct node_trust *trust)
{
	api->trust = trust;
}

void node_api_response_fini(struct node_api_response *resp)
{
	ls_free(resp->owned);
	memset(resp, 0, sizeof *resp);
}

const char *node_api_response_header(const struct node_api_response *resp,
                                     const char *name)
{
	for (size_t i = 0; i < resp->n_headers; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* --- answering ------------------------------------------------------ */

void node_api_header_add(struct api_call *c, const char *name, const char *fmt,
                         ...)
{
	struct node_api_response *r = c->resp;
	struct node_api_header *h = NULL;
	va_list ap;
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			h = &r->headers[i];
	if (h == NULL) {
		if (r->n_headers == NODE_API_MAX_HEADERS)
			return; /* a bug: the table is sized for every use */
		h = &r->headers[r->n_headers++];
	}
	h->name = name;
	va_start(ap, fmt);
	vsnprintf(h->value, sizeof h->value, fmt, ap);
	va_end(ap);
}

static const char json_ctype[] = "application/json; charset=utf-8";

static void set_body(struct api_call *c, int status, const char *type,
                     const char *body, size_t len, char *owned)
{
	struct node_api_response *r = c->resp;
	ls_free(r->owned);
	r->owned = owned;
	r->status = status;
	r->content_type = type;
	r->body = body;
	r->body_len = len;
	c->answered = 1;
}

int node_api_reply_static(struct api_call *c, int status, const char *type,
                          const char *body, size_t len)
{
	set_body(c, status, type, body, len, NULL);
	return 0;
}

int node_api_reply_small(struct api_call *c, int status, const char *fmt, ...)
{
	struct node_api_response *r = c->resp;
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(r->small, sizeof r->small, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof r->small)
		n = 0; /* a bug: the callers' texts are short and fixed */
	set_body(c, status, json_ctype, r->small, (size_t)n, NULL);
	c->reject = -1;
	return 0;
}

int node_api_reply_owned(struct api_call *c, int status, const char *type,
                         char *body, size_t len)
{
	set_body(c, status, type, body, len, body);
	return 0;
}

int node_api_reply_json_text(struct api_call *c, int status, char *text,
                             size_t len)
{
	set_body(c, status, json_ctype, text, len, text);
	return 0;
}

/* The last resort: a fixed body that needs no allocation. */
static const char internal_body[] =
    "{\"code\":\"internal\",\"melding\":\"Er ging iets mis op het "
    "knooppunt. Probeer later opnieuw.\"}";

static void answer_internal(struct api_call *c)
{
	set_body(c, 500, json_ctype, internal_body, sizeof internal_body - 1,
	         NULL);
	c->reject = API_E_INTERNAL;
}

int node_api_reply_json(struct api_call *c, int status, json_t *doc)
{
	struct ls_buf d;
	char *text;
	size_t len;
	if (doc == NULL) {
		answer_internal(c);
		return -1;
	}
	ls_buf_init(&d, 0);
	if (json_dump_callback(doc, ls_buf_append_cb, &d, JSON_COMPACT) != 0 ||
	    (text = ls_buf_take(&d, &len)) == NULL) {
		json_decref(doc);
		ls_buf_fini(&d);
		LS_ERROR("http", "encode_failed", "route=%s",
		         c->route >= 0 && c->route < ROUTE_PAGE
		             ? routes[c->route].name
		             : "?");
		answer_internal(c);
		return -1;
	}
	json_decref(doc);
	set_body(c, status, json_ctype, text, len, text);
	return 0;
}

int node_api_fail(struct api_call *c, enum api_error err, const char *field,
                  const char *msg_fmt, ...)
{
	char msg[600];
	json_t *doc;
	if ((unsigned)err >= API_E_COUNT_)
		err = API_E_INTERNAL;
	if (msg_fmt != NULL) {
		va_list ap;
		va_start(ap, msg_fmt);
		vsnprintf(msg, sizeof msg, msg_fmt, ap);
		va_end(ap);
	} else {
		ls_strlcpy(msg, errors[err].nl, sizeof msg);
	}
	/* Messages quote the caller's input; keep them valid UTF-8 even
	 * when a quote was cut mid-character. */
	while (!ls_utf8_valid(msg, strlen(msg)) && msg[0] != '\0')
		msg[strlen(msg) - 1] = '\0';
	doc = json_pack("{s:s, s:s}", "code", errors[err].code, "melding", msg);
	if (doc != NULL && field != NULL)
		json_object_set_new(doc, "veld", json_string(field));
	c->reject = (int)err;
	if (errors[err].status == 401)
		node_api_header_add(
		    c, "WWW-Authenticate", "Bearer realm=\"signaal\"%s",
		    err == API_E_UNAUTHENTICATED ? ""
		                                 : ", error=\"invalid_token\"");
	if (err == API_E_BUSY)
		node_api_header_add(c, "Retry-After", "1");
	/* the operator has to act first: ask again in a minute */
	if (err == API_E_STORE_READ_ONLY)
		node_api_header_add(c, "Retry-After", "60");
	node_api_reply_json(c, errors[err].status, doc);
	if (c->resp->status == 500 && err != API_E_INTERNAL)
		c->reject = API_E_INTERNAL;
	return -1;
}

int node_api_fail_code(struct api_call *c, int rc, const struct ls_errinfo *e,
                       const char *field)
{
	const char *msg = e != NULL && e->code != LS_OK && e->msg[0] != '\0'
	                      ? e->msg
	                      : ls_strerror_nl(rc);
	switch (rc) {
	case LS_EINVAL:
	case LS_ELIMIT:
		return node_api_fail(c, API_E_INVALID_VALUE, field, "%s.", msg);
	case LS_ENOTFOUND:
		return node_api_fail(c, API_E_NOT_FOUND, field, "%s.", msg);
	case LS_ESTATE:
	case LS_EEXISTS:
		return node_api_fail(c, API_E_CONFLICT, field, "%s.", msg);
	case LS_EBUSY:
		return node_api_fail(c, API_E_BUSY, NULL, NULL);
	case LS_EFULL:
		LS_ERROR("http", "request_failed", "err=full");
		return node_api_fail(c, API_E_DISK_FULL, NULL, NULL);
	case LS_ECORRUPT:
		LS_ERROR("http", "request_failed", "err=corrupt");
		return node_api_fail(c, API_E_STORE_DAMAGED, NULL, NULL);
	default:
		LS_ERROR("http", "request_failed", "route=%s err=%s",
		         c->route >= 0 && c->route < ROUTE_PAGE
		             ? routes[c->route].name
		             : "?",
		         ls_errname(rc));
		return node_api_fail(c, API_E_INTERNAL, NULL, NULL);
	}
}

/* --- input helpers -------------------------------------------------- */

/* "application/json", optionally with "; charset=utf-8". */
static int is_json_type(const char *t)
{
	static const char want[] = "application/json";
	const char *p;
	if (t == NULL || strncasecmp(t, want, sizeof want - 1) != 0)
		return 0;
	p = t + sizeof want - 1;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 1;
	if (*p != ';')
		return 0;
	p++;
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return 0;
	p += 8;
	if (*p == '"')
		p++;
	return strncasecmp(p, "utf-8", 5) == 0 &&
	       (p[5] == '\0' || p[5] == '"' || p[5] == ' ');
}

int node_api_body(struct api_call *c, json_t **obj)
{
	const struct node_api_request *r = c->req;
	unsigned long failures;
	json_error_t err;
	if (r->body_len > NODE_API_BODY_MAX)
		return node_api_fail(
		    c, API_E_TOO_LARGE, NULL,
		    "De gegevens zijn te groot: %zu bytes, hoogstens "
		    "%d.",
		    r->body_len, NODE_API_BODY_MAX);
	if (!is_json_type(r->content_type))
		return node_api_fail(c, API_E_UNSUPPORTED_MEDIA_TYPE, NULL,
		                     NULL);
	if (r->body_len == 0 || r->body == NULL)
		return node_api_fail(c, API_E_BAD_JSON, NULL,
		                     "Er zijn geen gegevens meegestuurd.");
	failures = ls_alloc_failures();
	c->doc = json_loadb((const char *)r->body, r->body_len,
	                    JSON_REJECT_DUPLICATES, &err);
	/* Running out of memory while parsing is ours, not the caller's.
	 * jansson reports it as a syntax error, or (a failed append in its
	 * lexer) returns a document with a key cut short: after any failed
	 * allocation the document is not trusted. */
	if (ls_alloc_failures() != failures) {
		json_decref(c->doc);
		c->doc = NULL;
		return node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	}
	if (c->doc == NULL)
		return node_api_fail(
		    c, API_E_BAD_JSON, NULL,
		    "De gegevens zijn geen geldige JSON (regel %d, "
		    "teken %d).",
		    err.line, err.column);
	if (!json_is_object(c->doc))
		return node_api_fail(c, API_E_WRONG_TYPE, NULL,
		                     "Verwacht een JSON-object {...}.");
	*obj = c->doc;
	return 0;
}

static const char *type_nl(uint8_t type)
{
	switch (type) {
	case API_T_STRING:
		return "een tekst";
	case API_T_INTEGER:
		return "een geheel getal";
	case API_T_STRINGS:
		return "een lijst van teksten";
	case API_T_BOOLEAN:
		return "true of false";
	}
	return "?";
}

int node_api_check_fields(struct api_call *c, json_t *obj,
                          const struct api_field *fields, size_t n)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		const struct api_field *f = NULL;
		int ok = 0;
		for (size_t i = 0; i < n && f == NULL; i++)
			if (strcmp(key, fields[i].name) == 0)
				f = &fields[i];
		if (f == NULL)
			return node_api_fail(c, API_E_UNKNOWN_FIELD, key,
			                     "Onbekend veld '%.60s'.", key);
		if (json_is_null(v))
			continue;
		switch (f->type) {
		case API_T_STRING:
			ok = json_is_string(v);
			break;
		case API_T_INTEGER:
			ok = json_is_integer(v);
			break;
		case API_T_BOOLEAN:
			ok = json_is_boolean(v);
			break;
		case API_T_STRINGS: {
			size_t i, max = f->max_items ? f->max_items : 64;
			json_t *item;
			ok = json_is_array(v);
			if (!ok)
				break;
			json_array_foreach(
			    v, i, item) if (!json_is_string(item)) ok = 0;
			if (ok && json_array_size(v) > max)
				return node_api_fail(
				    c, API_E_INVALID_VALUE, key,
				    "Het veld '%s' heeft te veel "
				    "waarden (hoogstens %zu).",
				    key, max);
			break;
		}
		}
		if (!ok)
			return node_api_fail(c, API_E_WRONG_TYPE, key,
			                     "Het veld '%s' moet %s zijn.", key,
			                     type_nl(f->type));
	}
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_object_get(obj, fields[i].name);
		if (fields[i].required &&
		    (m == NULL || json_is_null(m) ||
		     (json_is_string(m) && json_string_length(m) == 0) ||
		     (json_is_array(m) && json_array_size(m) == 0)))
			return node_api_fail(
			    c, API_E_MISSING_FIELD, fields[i].name,
			    "Het veld '%s' is verplicht.", fields[i].name);
	}
	return 0;
}

const char *node_api_string(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int node_api_query(struct api_call *c, const char *const *names, size_t n,
                   const char **values)
{
	const char *q = c->req->query;
	size_t len = q != NULL ? strlen(q) : 0, pos = 0, out = 0;

	for (size_t i = 0; i < n; i++)
		values[i] = NULL;
	if (len > NODE_API_QUERY_MAX)
		return node_api_fail(
		    c, API_E_BAD_PARAMETER, NULL,
		    "De zoekparameters zijn te lang (hoogstens %d "
		    "tekens).",
		    NODE_API_QUERY_MAX);
	while (pos < len) {
		const char *amp = memchr(q + pos, '&', len - pos);
		size_t end = amp ? (size_t)(amp - q) : len;
		const char *eq = memchr(q + pos, '=', end - pos);
		size_t nlen = eq ? (size_t)(eq - (q + pos)) : end - pos;
		size_t which = n, vstart;
		char *v;
		if (end == pos) { /* "a=1&&b=2": an empty pair */
			pos = end + 1;
			continue;
		}
		for (size_t i = 0; i < n; i++)
			if (strlen(names[i]) == nlen &&
			    memcmp(names[i], q + pos, nlen) == 0)
				which = i;
		if (which == n)
			return node_api_fail(c, API_E_UNKNOWN_PARAMETER, NULL,
			                     "Onbekende parameter '%.*s'.",
			                     (int)(nlen > 40 ? 40 : nlen),
			                     q + pos);
		if (values[which] != NULL)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, names[which],
			    "De parameter '%s' staat er twee keer.",
			    names[which]);
		if (eq == NULL)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, names[which],
			    "De parameter '%s' heeft geen waarde.",
			    names[which]);
		v = c->qbuf + out;
		vstart = out;
		for (const char *p = eq + 1; p < q + end; p++) {
			char ch = *p;
			if (ch == '+') {
				ch = ' ';
			} else if (ch == '%') {
				int hi = p + 2 < q + end ? hexval(p[1]) : -1;
				int lo = hi >= 0 ? hexval(p[2]) : -1;
				if (lo < 0)
					return node_api_fail(
					    c, API_E_BAD_PARAMETER,
					    names[which],
					    "De parameter '%s' is verkeerd "
					    "gecodeerd.",
					    names[which]);
				ch = (char)(hi * 16 + lo);
				p += 2;
			}
			if ((unsigned char)ch < 0x20 || ch == 0x7f)
				return node_api_fail(
				    c, API_E_BAD_PARAMETER, names[which],
				    "De parameter '%s' bevat een "
				    "stuurteken.",
				    names[which]);
			c->qbuf[out++] = ch;
		}
		c->qbuf[out++] = '\0';
		if (!ls_utf8_valid(v, out - vstart - 1))
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, names[which],
			    "De parameter '%s' is geen geldige "
			    "UTF-8-tekst.",
			    names[which]);
		values[which] = v;
		pos = end + 1;
	}
	return 0;
}

const char *node_api_param(const struct api_call *c, const char *name)
{
	for (size_t i = 0; c->param_names != NULL && c->param_names[i]; i++)
		if (strcmp(c->param_names[i], name) == 0)
			return c->param[i];
	return NULL;
}

int node_api_seg_signal_id(struct api_call *c, size_t i,
                           uint8_t id[LS_SIGNAL_ID_BYTES])
{
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	if (i >= c->n_seg || c->seg_len[i] != 2 * LS_SIGNAL_ID_BYTES)
		return node_api_fail(c, API_E_NOT_FOUND, NULL,
		                     "Geen signaal met deze id (een id is 32 "
		                     "hexadecimale tekens).");
	memcpy(hex, c->seg[i], c->seg_len[i]);
	hex[c->seg_len[i]] = '\0';
	if (ls_signal_id_parse(hex, id) != LS_OK)
		return node_api_fail(c, API_E_NOT_FOUND, NULL,
		                     "Geen signaal met deze id (een id is 32 "
		                     "hexadecimale tekens).");
	return 0;
}

int node_api_seg_number(struct api_call *c, size_t i, int64_t *out)
{
	if (i >= c->n_seg || ls_parse_i64_n(c->seg[i], c->seg_len[i], 1,
	                                    INT64_MAX, out) != LS_OK)
		return node_api_fail(
		    c, API_E_NOT_FOUND, NULL,
		    "Niet gevonden: '%.*s' is geen nummer.",
		    i < c->n_seg
		        ? (int)(c->seg_len[i] > 30 ? 30 : c->seg_len[i])
		        : 0,
		    i < c->n_seg ? c->seg[i] : "");
	return 0;
}

void node_api_today(const struct api_call *c, struct ls_date *out)
{
	time_t t = (time_t)c->req->now;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL) {
		ls_date_today(out);
		return;
	}
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
}

const char *node_api_actor(struct api_call *c)
{
	if (c->who.person[0] != '\0')
		snprintf(c->actor, sizeof c->actor, "%s (%s)", c->who.person,
		         c->who.organisation);
	else if (c->who.organisation[0] != '\0')
		snprintf(c->actor, sizeof c->actor, "%s", c->who.organisation);
	else
		snprintf(c->actor, sizeof c->actor, "token %s", c->who.id);
	return c->actor;
}

void node_api_time_iso(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return;
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *node_api_json_time(int64_t t)
{
	char buf[32];
	node_api_time_iso(t, buf, sizeof buf);
	return buf[0] ? json_string(buf) : json_null();
}

json_t *node_api_json_text(const char *text)
{
	return text != NULL && text[0] != '\0' ? json_string(text)
	                                       : json_null();
}

/* --- routing -------------------------------------------------------- */

static int path_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
	       ch == '~' || ch == '-';
}

/* Split the path; 0 if it is well-formed, else -1. "/" has 0 segments. */
static int split_path(struct api_call *c, const char *path)
{
	size_t len = path != NULL ? strlen(path) : 0, pos = 1;
	c->n_seg = 0;
	if (len == 0 || len > NODE_API_PATH_MAX || path[0] != '/')
		return -1;
	if (len == 1)
		return 0;
	while (pos <= len) {
		const char *slash = memchr(path + pos, '/', len - pos);
		size_t end = slash ? (size_t)(slash - path) : len;
		if (end == pos || c->n_seg == API_MAX_SEGMENTS)
			return -1; /* "//", a trailing '/', too deep */
		for (size_t i = pos; i < end; i++)
			if (!path_char_ok(path[i]))
				return -1;
		if ((end - pos == 1 && path[pos] == '.') ||
		    (end - pos == 2 && path[pos] == '.' &&
		     path[pos + 1] == '.'))
			return -1;
		c->seg[c->n_seg] = path + pos;
		c->seg_len[c->n_seg] = end - pos;
		c->n_seg++;
		pos = end + 1;
	}
	return 0;
}

static int pattern_match(const struct api_call *c, const char *pattern)
{
	size_t i = 0, pos = 1, plen = strlen(pattern);
	while (pos <= plen && pattern[pos - 1] == '/') {
		const char *slash = strchr(pattern + pos, '/');
		size_t end = slash ? (size_t)(slash - pattern) : plen;
		if (i >= c->n_seg)
			return 0;
		if (!(end - pos == 1 && pattern[pos] == '*') &&
		    (c->seg_len[i] != end - pos ||
		     memcmp(c->seg[i], pattern + pos, end - pos) != 0))
			return 0;
		i++;
		pos = end + 1;
	}
	return i == c->n_seg;
}

static int authenticate(struct api_call *c, int least)
{
	const char *h = c->req->authorization, *tok;
	size_t len;
	uint8_t id[LS_TOKEN_ID_BYTES], secret[LS_TOKEN_SECRET_BYTES];
	struct store_token t;
	int rc, good;

	if (h == NULL || h[0] == '\0')
		return node_api_fail(c, API_E_UNAUTHENTICATED, NULL, NULL);
	len = strnlen(h, NODE_API_AUTH_MAX + 1);
	if (len > NODE_API_AUTH_MAX)
		return node_api_fail(c, API_E_INVALID_TOKEN, NULL, NULL);
	if (len < 7 || strncasecmp(h, "Bearer ", 7) != 0)
		return node_api_fail(c, API_E_UNAUTHENTICATED, NULL,
		                     "Meld u aan met 'Authorization: Bearer "
		                     "<token>'.");
	tok = h + 7;
	while (*tok == ' ')
		tok++;
	len = strlen(tok);
	while (len > 0 && tok[len - 1] == ' ')
		len--;
	if (ls_token_parse(tok, len, id, secret) != LS_OK)
		return node_api_fail(c, API_E_INVALID_TOKEN, NULL, NULL);
	rc = store_token_get(c->api->store, id, &t);
	if (rc == LS_ENOTFOUND) {
		/* The same work as for a known id. */
		memset(&t, 0, sizeof t);
		(void)ls_token_verify(id, secret, t.hash);
		sodium_memzero(secret, sizeof secret);
		return node_api_fail(c, API_E_INVALID_TOKEN, NULL, NULL);
	}
	if (rc != LS_OK) {
		sodium_memzero(secret, sizeof secret);
		return node_api_fail_code(c, rc, NULL, NULL);
	}
	good = ls_token_verify(id, secret, t.hash);
	sodium_memzero(secret, sizeof secret);
	ls_token_id_format(t.id, c->who.id);
	if (!good)
		return node_api_fail(c, API_E_INVALID_TOKEN, NULL, NULL);
	if (t.revoked_at > 0 && t.revoked_at <= c->req->now)
		return node_api_fail(c, API_E_TOKEN_REVOKED, NULL, NULL);
	if (t.expires_at > 0 && c->req->now >= t.expires_at)
		return node_api_fail(c, API_E_TOKEN_EXPIRED, NULL, NULL);
	c->who.role = t.role;
	ls_strlcpy(c->who.organisation, t.organisation,
	           sizeof c->who.organisation);
	ls_strlcpy(c->who.person, t.person, sizeof c->who.person);
	if (t.role < least)
		return node_api_fail(
		    c, API_E_FORBIDDEN, NULL,
		    "Uw rol (%s) mag dit niet; dit vraagt de rol "
		    "%s of hoger.",
		    ls_token_role_name(t.role), ls_token_role_name(least));
	return 0;
}

static size_t slot_of(int status)
{
	for (size_t i = 0; i + 1 < N_SLOTS; i++)
		if (status_slots[i] == status)
			return i;
	return N_SLOTS - 1;
}

static void count(struct api_call *c)
{
	size_t row = c->route < 0             ? ROW_UNKNOWN
	             : c->route == ROUTE_PAGE ? ROW_PAGE
	                                      : (size_t)c->route + 1;
	/* Atomic: APIs on several threads may share the counters. */
	__atomic_fetch_add(&c->api->counts[row * N_SLOTS +
	                                   slot_of(c->resp->status)],
	                   1, __ATOMIC_RELAXED);
	if (c->reject >= 0)
		__atomic_fetch_add(
		    &c->api->rejects[row * API_E_COUNT_ + (size_t)c->reject], 1,
		    __ATOMIC_RELAXED);
	if (c->resp->status >= 500)
		LS_WARN("http", "request_failed",
		        "route=%s status=%d code=%s token=%s", row_name(row),
		        c->resp->status,
		        c->reject >= 0 ? errors[c->reject].code : "-",
		        c->who.id[0] ? c->who.id : "-");
	else if (c->reject >= 0)
		LS_INFO("http", "request_refused",
		        "route=%s status=%d code=%s token=%s", row_name(row),
		        c->resp->status, errors[c->reject].code,
		        c->who.id[0] ? c->who.id : "-");
}

/* Nothing is written into a store that failed its check (the daemon's
 * health hook): 503 store_damaged, and 1. */
static int store_damaged(struct api_call *c)
{
	const struct node_api_hooks *h = &c->api->hooks;
	char why[600];
	if (h->health == NULL ||
	    h->health(h->arg, why, sizeof why) != LS_ECORRUPT)
		return 0;
	node_api_fail(c, API_E_STORE_DAMAGED, NULL, NULL);
	return 1;
}

static void route(struct api_call *c)
{
	const struct node_api_request *r = c->req;
	const char *method = r->method != NULL ? r->method : "";
	char allow[64] = "";
	const struct api_page *page;
	size_t n_params;

	if (split_path(c, r->path) != 0) {
		node_api_fail(c, API_E_NOT_FOUND, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (!pattern_match(c, routes[i].pattern))
			continue;
		if (strcmp(method, routes[i].method) != 0) {
			size_t used = strlen(allow);
			snprintf(allow + used, sizeof allow - used, "%s%s",
			         used ? ", " : "", routes[i].method);
			continue;
		}
		c->route = (int)i;
		if (routes[i].role > 0 && authenticate(c, routes[i].role) != 0)
			return;
		c->param_names = routes[i].params;
		n_params = 0;
		while (c->param_names != NULL && c->param_names[n_params])
			n_params++;
		assert(n_params <= API_MAX_PARAMS);
		if (node_api_query(c, c->param_names, n_params, c->param) != 0)
			return;
		if (strcmp(method, "GET") != 0 && store_damaged(c))
			return;
		routes[i].run(c);
		return;
	}
	if (allow[0] != '\0') {
		node_api_header_add(c, "Allow", "%s", allow);
		node_api_fail(
		    c, API_E_METHOD_NOT_ALLOWED, NULL,
		    "De methode %.10s is hier niet toegelaten (wel: %s).",
		    method, allow);
		return;
	}
	page = node_api_page_find(c->api, r->path);
	if (page != NULL) {
		c->route = ROUTE_PAGE;
		if (strcmp(method, "GET") != 0) {
			node_api_header_add(c, "Allow", "GET");
			node_api_fail(c, API_E_METHOD_NOT_ALLOWED, NULL, NULL);
			return;
		}
		node_api_page_serve(c, page);
		return;
	}
	node_api_fail(c, API_E_NOT_FOUND, NULL, NULL);
}

void node_api_handle(struct node_api *api, const struct node_api_request *req,
                     struct node_api_response *resp)
{
	struct api_call *c = ls_calloc(1, sizeof *c);

	memset(resp, 0, sizeof *resp);
	if (c == NULL) {
		/* Out of memory: answer 503 without allocating. */
		static const char busy[] =
		    "{\"code\":\"busy\",\"melding\":\"Het knooppunt is even "
		    "bezet. Probeer het zo opnieuw.\"}";
		resp->status = 503;
		resp->content_type = json_ctype;
		resp->body = busy;
		resp->body_len = sizeof busy - 1;
		return;
	}
	c->api = api;
	c->req = req;
	c->resp = resp;
	c->route = -1;
	c->reject = -1;
	route(c);
	if (!c->answered) {
		LS_ERROR("http", "no_answer", "route=%d", c->route);
		answer_internal(c);
	}
	json_decref(c->doc);
	node_api_header_add(c, "X-Content-Type-Options", "nosniff");
	node_api_header_add(c, "Referrer-Policy", "no-referrer");
	if (c->route != ROUTE_PAGE)
		node_api_header_add(c, "Cache-Control", "no-store");
	count(c);
	sodium_memzero(c, sizeof *c);
	ls_free(c);
}

/* --- counters ------------------------------------------------------- */

/* The counters: cb once per (route, status) seen, and once per (route,
 * error code) of a refusal. Route names and error codes are stable,
 * low-cardinality labels ("signals_create", "unknown_field"); requests
 * that match no route count as "unknown". */
static void counters(const struct node_api *api,
                       void (*status_cb)(void *arg, const char *route,
                                         int status, uint64_t n),
                       void (*reject_cb)(void *arg, const char *route,
                                         const char *code, uint64_t n),
                       void *arg)
{
	for (size_t row = 0; row < N_ROWS; row++) {
		for (size_t s = 0; status_cb != NULL && s < N_SLOTS; s++) {
			uint64_t n = __atomic_load_n(
			    &api->counts[row * N_SLOTS + s], __ATOMIC_RELAXED);
			if (n > 0)
				status_cb(arg, row_name(row), status_slots[s],
				          n);
		}
		for (size_t k = 0; reject_cb != NULL && k < API_E_COUNT_; k++) {
			uint64_t n = __atomic_load_n(
			    &api->rejects[row * API_E_COUNT_ + k],
			    __ATOMIC_RELAXED);
			if (n > 0)
				reject_cb(arg, row_name(row), errors[k].code,
				          n);
		}
	}
}

static void status_line(void *arg, const char *route, int status, uint64_t n)
{
	static const char *const labels[] = {"route", "status"};
	char code[16];
	const char *values[] = {route, code};
	if (status == 0)
		snprintf(code, sizeof code, "other");
	else
		snprintf(code, sizeof code, "%d", status);
	ls_prom_sample(arg, "signaal_http_requests_total", labels, values, 2,
	               (double)n);
}

static void reject_line(void *arg, const char *route, const char *code,
                        uint64_t n)
{
	static const char *const labels[] = {"route", "code"};
	const char *values[] = {route, code};
	ls_prom_sample(arg, "signaal_http_rejected_total", labels, values, 2,
	               (double)n);
}

int node_api_metrics_format(const struct node_api *api, char **text,
                            size_t *len)
{
	struct ls_buf d;
	ls_buf_init(&d, 0);
	ls_prom_family(&d, "signaal_http_requests_total", "counter",
	               "HTTP requests answered, by route and status.");
	counters(api, status_line, NULL, &d);
	ls_prom_family(&d, "signaal_http_rejected_total", "counter",
	               "HTTP requests refused, by route and error code.");
	counters(api, NULL, reject_line, &d);
	if ((*text = ls_buf_take(&d, len)) == NULL)
		return LS_ENOMEM;
	return LS_OK;
}
