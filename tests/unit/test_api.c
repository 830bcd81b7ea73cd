/* node/api: every route and every class of bad input through the handler
 * layer (no sockets): authentication and roles, strict JSON, the query,
 * capture through core/signal.h, what a field worker may see, dossiers,
 * trends, the summary preview, the federation's health, the pages, the
 * counters and metrics — and that every refusal leaves the store
 * unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "common/alloc.h"
#include "core/token.h"
#include "fixture_store.h"
#include "node/api.h"
#include "node/secret.h"
#include "node/trust.h"
#include "store/feed.h"
#include "store/signal.h"
#include "store/token.h"
#include "tests/fixture.h"

/* 2025-03-15 12:00:00 UTC */
#define NOW 1742040000LL

static struct fx f;
static struct ls_config cfg;
static struct node_api *api;
static struct node_api_response resp;
static json_t *J; /* the last response's JSON body, or NULL */

/* Tokens of the tests. */
static char tok_fw[LS_TOKEN_TEXT_SIZE];      /* veldwerker CLB Noord mw-12 */
static char tok_org[LS_TOKEN_TEXT_SIZE];     /* veldwerker CLB Noord */
static char tok_other[LS_TOKEN_TEXT_SIZE];   /* veldwerker CAW Zuid */
static char tok_coord[LS_TOKEN_TEXT_SIZE];   /* coordinator */
static char tok_admin[LS_TOKEN_TEXT_SIZE];   /* beheerder */
static char tok_revoked[LS_TOKEN_TEXT_SIZE]; /* coordinator, revoked */
static char tok_expired[LS_TOKEN_TEXT_SIZE]; /* coordinator, expired */

static void make_token(char out[LS_TOKEN_TEXT_SIZE], int role, const char *org,
                       const char *person, int64_t expires, int revoke)
{
	struct store_token t;
	uint8_t secret[LS_TOKEN_SECRET_BYTES];
	memset(&t, 0, sizeof t);
	ls_token_generate(t.id, secret);
	ls_token_hash(t.id, secret, t.hash);
	t.role = (uint8_t)role;
	snprintf(t.organisation, sizeof t.organisation, "%s", org);
	snprintf(t.person, sizeof t.person, "%s", person);
	t.created_at = NOW - 86400;
	t.expires_at = expires;
	assert_int_equal(store_token_add(f.s, &t, NULL), LS_OK);
	if (revoke)
		assert_int_equal(store_token_revoke(f.s, t.id, NOW - 60, NULL),
		                 LS_OK);
	ls_token_format(t.id, secret, out);
}

static int setup(void **state)
{
	struct node_api_config ac = {0};
	(void)state;
	fx_open(&f);
	ls_config_defaults(&cfg);
	strcpy(cfg.node_id, "kortrijk");
	strcpy(cfg.node_name, "Stad Kortrijk");
	cfg.role = LS_ROLE_MUNICIPALITY;
	make_token(tok_fw, LS_TOKEN_VELDWERKER, "CLB Noord", "mw-12", 0, 0);
	make_token(tok_org, LS_TOKEN_VELDWERKER, "CLB Noord", "", 0, 0);
	make_token(tok_other, LS_TOKEN_VELDWERKER, "CAW Zuid", "", 0, 0);
	make_token(tok_coord, LS_TOKEN_COORDINATOR, "Stad Kortrijk", "an", 0,
	           0);
	make_token(tok_admin, LS_TOKEN_BEHEERDER, "", "", 0, 0);
	make_token(tok_revoked, LS_TOKEN_COORDINATOR, "", "", 0, 1);
	make_token(tok_expired, LS_TOKEN_COORDINATOR, "", "", NOW - 1, 0);
	ac.store = f.s;
	ac.config = &cfg;
	ac.web_dir = "web";
	ac.software = "0.1.0-test";
	assert_int_equal(node_api_new(&ac, &api, NULL), LS_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(J);
	J = NULL;
	node_api_response_fini(&resp);
	node_api_free(api);
	api = NULL;
	fx_close(&f);
	return 0;
}

/* The Idempotency-Key the next requests carry (NULL: none). */
static const char *idem_key;

/* One request; the answer is in resp (and J when it is JSON). */
static int req_full(const char *method, const char *path, const char *query,
                    const char *token, const char *ctype, const char *body,
                    size_t body_len)
{
	struct node_api_request r = {0};
	char auth[LS_TOKEN_TEXT_SIZE + 16];
	json_decref(J);
	J = NULL;
	node_api_response_fini(&resp);
	r.method = method;
	r.path = path;
	r.query = query;
	if (token != NULL) {
		snprintf(auth, sizeof auth, "Bearer %s", token);
		r.authorization = auth;
	}
	r.content_type = ctype;
	r.idempotency_key = idem_key;
	r.body = (const uint8_t *)body;
	r.body_len = body_len;
	r.now = NOW;
	node_api_handle(api, &r, &resp);
	if (resp.content_type != NULL &&
	    strncmp(resp.content_type, "application/json", 16) == 0) {
		J = json_loadb(resp.body, resp.body_len, 0, NULL);
		assert_non_null(J);
	}
	return resp.status;
}

static int req(const char *method, const char *path, const char *query,
               const char *token, const char *body)
{
	return req_full(method, path, query, token,
	                body ? "application/json" : NULL, body,
	                body ? strlen(body) : 0);
}

static const char *jstr(const char *key)
{
	json_t *v = json_object_get(J, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Expect a refusal: status, stable code, and the field if given. */
static void refused(int status, const char *code, const char *field)
{
	assert_int_equal(resp.status, status);
	assert_non_null(J);
	assert_non_null(jstr("code"));
	assert_string_equal(jstr("code"), code);
	assert_non_null(jstr("melding"));
	assert_true(strlen(jstr("melding")) > 5);
	if (field != NULL) {
		assert_non_null(jstr("veld"));
		assert_string_equal(jstr("veld"), field);
	}
}

static const char good_signal[] =
    "{\"thema\":[\"mentaal\",\"onderwijs\"],\"leeftijd\":\"12-17\","
    "\"doelgroep\":[\"student\"],\"sector\":\"onderwijs\","
    "\"probleemtype\":\"werking\",\"aantal_personen\":3,\"ernst\":2,"
    "\"vastgesteld_op\":\"2025-03-10\",\"wijk\":\"Overleie\","
    "\"omschrijving\":\"Wachtlijst van 6 maanden (fictief)\"}";

static void count_signals(uint64_t *n)
{
	assert_int_equal(store_signal_count(f.s, n), LS_OK);
}

/* --- health, readiness, metrics ---------------------------------------- */

static int peers_none(void *arg, unsigned *configured, unsigned *reachable)
{
	(void)arg;
	*configured = 3;
	*reachable = 0;
	return LS_OK;
}

/* The daemon's health, as daemon/health.c reports it: *arg is the code. */
static int health_as(void *arg, char *reason, size_t size)
{
	int code = *(int *)arg;
	snprintf(reason, size, "%s",
	         code == LS_EFULL ? "de schijf van de databank is vol"
	                          : "de databank is beschadigd (quick_check)");
	return code;
}

/* /readyz says why the node is unfit; a damaged store takes no writes
 * (503, nothing stored) but still answers reads. */
static void test_readiness_follows_health(void **state)
{
	struct node_api_config ac = {0};
	struct node_api *other, *keep = api;
	char before[65], after[65];
	int code = LS_OK;
	(void)state;
	ac.store = f.s;
	ac.config = &cfg;
	ac.hooks.arg = &code;
	ac.hooks.health = health_as;
	assert_int_equal(node_api_new(&ac, &other, NULL), LS_OK);
	api = other;
	assert_int_equal(req("GET", "/readyz", NULL, NULL, NULL), 200);
	assert_true(json_is_true(json_object_get(
	    json_object_get(json_object_get(J, "controles"), "opslag"), "ok")));

	code = LS_EFULL;
	assert_int_equal(req("GET", "/readyz", NULL, NULL, NULL), 503);
	assert_true(json_is_false(json_object_get(J, "klaar")));
	assert_non_null(strstr(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(J, "controles"), "opslag"),
	        "melding")),
	    "vol"));

	code = LS_ECORRUPT;
	assert_int_equal(req("GET", "/readyz", NULL, NULL, NULL), 503);
	assert_non_null(strstr(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(J, "controles"), "opslag"),
	        "melding")),
	    "beschadigd"));
	fx_digest(f.path, before);
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_fw, good_signal), 503);
	refused(503, "store_damaged", NULL);
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_fw, NULL),
	                 200);
	api = keep;
	node_api_free(other);
}

static int daemon_metrics(void *arg, char **text, size_t *len)
{
	static const char m[] = "# TYPE signaal_signals_captured_total "
	                        "counter\nsignaal_signals_captured_total 7\n";
	(void)arg;
	*text = ls_strdup(m);
	*len = sizeof m - 1;
	return *text ? LS_OK : LS_ENOMEM;
}

/* A small Prometheus text-format reader: the value of the sample with
 * this name and exactly these labels (in any order), or -1. Checks that
 * every line is a comment or a well-formed sample. */
static double prom_value(const char *text, size_t len, const char *name,
                         const char *labels)
{
	double found = -1;
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos,
		           *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		char buf[512], lab[256] = "", *sp, *br;
		pos += ll + 1;
		if (ll == 0 || line[0] == '#')
			continue;
		assert_true(ll < sizeof buf);
		memcpy(buf, line, ll);
		buf[ll] = '\0';
		sp = strrchr(buf, ' ');
		assert_non_null(sp); /* "name{...} value" */
		*sp = '\0';
		br = strchr(buf, '{');
		if (br != NULL) {
			size_t bl = strlen(br);
			assert_true(br[bl - 1] == '}');
			br[bl - 1] = '\0';
			snprintf(lab, sizeof lab, "%s", br + 1);
			*br = '\0';
		}
		for (char *p = buf; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		if (strcmp(buf, name) == 0) {
			/* compare label sets: each wanted pair occurs, same
			 * number of pairs */
			int n_have = 1, n_want = 1, ok = 1;
			char want[256], *save = NULL, *tok;
			for (char *p = lab; *p; p++)
				n_have += *p == ',';
			if (lab[0] == '\0')
				n_have = 0;
			snprintf(want, sizeof want, "%s", labels);
			for (char *p = want; *p; p++)
				n_want += *p == ',';
			if (want[0] == '\0')
				n_want = 0;
			for (tok = strtok_r(want, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (strstr(lab, tok) == NULL)
					ok = 0;
			if (ok && n_have == n_want)
				found = strtod(sp + 1, NULL);
		}
	}
	return found;
}

static void test_health_and_readiness(void **state)
{
	struct node_api_config ac = {0};
	struct node_trust trust;
	struct node_api *other;
	(void)state;
	assert_int_equal(req("GET", "/healthz", NULL, NULL, NULL), 200);
	assert_string_equal(jstr("status"), "ok");
	assert_string_equal(jstr("knooppunt"), "kortrijk");
	assert_string_equal(jstr("versie"), "0.1.0-test");
	assert_string_equal(node_api_response_header(&resp, "Cache-Control"),
	                    "no-store");

	assert_int_equal(req("GET", "/readyz", NULL, NULL, NULL), 200);
	assert_true(json_is_true(json_object_get(J, "klaar")));
	assert_true(json_is_true(json_object_get(
	    json_object_get(json_object_get(J, "controles"), "databank"),
	    "ok")));

	/* A federation is configured but no roster arrived, and no peer
	 * answers: not ready, and the body says which checks failed. */
	node_trust_init(&trust, FX_FEDERATION, (const uint8_t[32]){1});
	ac.store = f.s;
	ac.config = &cfg;
	ac.trust = &trust;
	ac.hooks.peers = peers_none;
	assert_int_equal(node_api_new(&ac, &other, NULL), LS_OK);
	{
		struct node_api *keep = api;
		api = other;
		assert_int_equal(req("GET", "/readyz", NULL, NULL, NULL), 503);
		api = keep;
	}
	assert_true(json_is_false(json_object_get(J, "klaar")));
	assert_true(json_is_false(json_object_get(
	    json_object_get(json_object_get(J, "controles"), "roster"), "ok")));
	assert_true(json_is_false(json_object_get(
	    json_object_get(json_object_get(J, "controles"), "peers"), "ok")));
	node_api_free(other);
	node_trust_fini(&trust);

	/* Health endpoints take no parameters either. */
	assert_int_equal(req("GET", "/healthz", "x=1", NULL, NULL), 400);
	refused(400, "unknown_parameter", NULL);
}

static void test_metrics_count_by_route_and_status(void **state)
{
	struct node_api_config ac = {0};
	struct node_api *m;
	(void)state;
	ac.store = f.s;
	ac.config = &cfg;
	ac.hooks.metrics = daemon_metrics;
	assert_int_equal(node_api_new(&ac, &m, NULL), LS_OK);
	node_api_free(api);
	api = m;
	req("GET", "/healthz", NULL, NULL, NULL);
	req("GET", "/healthz", NULL, NULL, NULL);
	req("GET", "/api/v1/signals", NULL, NULL, NULL);           /* 401 */
	req("POST", "/api/v1/signals", NULL, tok_fw, "{\"x\":1}"); /* 400 */
	req("POST", "/api/v1/signals", NULL, tok_fw, good_signal); /* 201 */
	req("GET", "/nergens", NULL, NULL, NULL);                  /* 404 */
	assert_int_equal(req("GET", "/metrics", NULL, NULL, NULL), 200);
	assert_string_equal(resp.content_type,
	                    "text/plain; version=0.0.4; charset=utf-8");
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_signals_captured_total", "") == 7);
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"healthz\",status=\"200\"") == 2);
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"signals_list\",status=\"401\"") == 1);
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"signals_create\",status=\"400\"") == 1);
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"signals_create\",status=\"201\"") == 1);
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"unknown\",status=\"404\"") == 1);
	assert_true(
	    prom_value(resp.body, resp.body_len, "signaal_http_rejected_total",
	               "route=\"signals_create\",code=\"unknown_field\"") == 1);
	assert_true(
	    prom_value(resp.body, resp.body_len, "signaal_http_rejected_total",
	               "route=\"signals_list\",code=\"unauthenticated\"") == 1);
	/* the /metrics request itself is counted after it answered */
	assert_true(prom_value(resp.body, resp.body_len,
	                       "signaal_http_requests_total",
	                       "route=\"metrics\",status=\"200\"") == -1);
}

/* --- authentication and roles ------------------------------------------ */

static void test_authentication(void **state)
{
	struct node_api_request r = {0};
	char bad[LS_TOKEN_TEXT_SIZE], huge[400];
	(void)state;
	assert_int_equal(req("GET", "/api/v1/me", NULL, NULL, NULL), 401);
	refused(401, "unauthenticated", NULL);
	assert_non_null(node_api_response_header(&resp, "WWW-Authenticate"));
	assert_int_equal(req("GET", "/api/v1/me", NULL, "nonsense", NULL), 401);
	refused(401, "invalid_token", NULL);
	assert_non_null(
	    strstr(node_api_response_header(&resp, "WWW-Authenticate"),
	           "invalid_token"));
	/* right id, wrong secret */
	memcpy(bad, tok_coord, sizeof bad);
	bad[LS_TOKEN_TEXT_LEN - 1] =
	    bad[LS_TOKEN_TEXT_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(req("GET", "/api/v1/me", NULL, bad, NULL), 401);
	refused(401, "invalid_token", NULL);
	/* unknown id */
	memcpy(bad, tok_coord, sizeof bad);
	bad[6] = bad[6] == '0' ? '1' : '0';
	assert_int_equal(req("GET", "/api/v1/me", NULL, bad, NULL), 401);
	refused(401, "invalid_token", NULL);
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_revoked, NULL),
	                 401);
	refused(401, "token_revoked", NULL);
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_expired, NULL),
	                 401);
	refused(401, "token_expired", NULL);
	/* another scheme, and a header too long to be ours */
	json_decref(J);
	J = NULL;
	node_api_response_fini(&resp);
	r.method = "GET";
	r.path = "/api/v1/me";
	r.authorization = "Basic YWRtaW46YWRtaW4=";
	r.now = NOW;
	node_api_handle(api, &r, &resp);
	assert_int_equal(resp.status, 401);
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	memcpy(huge, "Bearer ", 7);
	node_api_response_fini(&resp);
	r.authorization = huge;
	node_api_handle(api, &r, &resp);
	assert_int_equal(resp.status, 401);
	node_api_response_fini(&resp);
	/* lower-case scheme and surrounding spaces are accepted */
	{
		char h[LS_TOKEN_TEXT_SIZE + 20];
		snprintf(h, sizeof h, "bearer   %s  ", tok_coord);
		r.authorization = h;
		node_api_handle(api, &r, &resp);
		assert_int_equal(resp.status, 200);
		node_api_response_fini(&resp);
	}
	/* the valid one */
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_fw, NULL), 200);
	assert_string_equal(jstr("rol"), "veldwerker");
	assert_string_equal(jstr("organisatie"), "CLB Noord");
	assert_string_equal(jstr("persoon"), "mw-12");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(J, "knooppunt"), "id")),
	                    "kortrijk");
}

/* /api/v1/me gives the key of the caller's kept web queue: the same
 * for every token of one owner (a new token opens what the old one
 * kept), another for any other owner, none without the web secret;
 * never cached. */
static void test_me_queue_key(void **state)
{
	static const uint8_t secret[NODE_SECRET_BYTES] = {7, 1, 2, 3};
	struct node_api_config ac = {0};
	struct node_api *keyed, *keep = api;
	uint8_t key[NODE_WEB_QUEUE_KEY_BYTES];
	char b64[64], fw2[LS_TOKEN_TEXT_SIZE], first[64], version[32];
	(void)state;
	/* without the secret: no key, and nothing else changes */
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_fw, NULL), 200);
	assert_null(json_object_get(J, "wachtrij_sleutel"));
	assert_null(json_object_get(J, "wachtrij_versie"));

	ac.store = f.s;
	ac.config = &cfg;
	ac.web_secret = secret;
	assert_int_equal(node_api_new(&ac, &keyed, NULL), LS_OK);
	api = keyed;
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_fw, NULL), 200);
	assert_string_equal(node_api_response_header(&resp, "Cache-Control"),
	                    "no-store");
	assert_int_equal(node_web_queue_key(secret, "veldwerker", "CLB Noord",
	                                    "mw-12", key),
	                 LS_OK);
	sodium_bin2base64(b64, sizeof b64, key, sizeof key,
	                  sodium_base64_VARIANT_ORIGINAL);
	assert_non_null(jstr("wachtrij_sleutel"));
	assert_string_equal(jstr("wachtrij_sleutel"), b64);
	assert_non_null(jstr("wachtrij_versie"));
	snprintf(first, sizeof first, "%s", b64);
	snprintf(version, sizeof version, "%s", jstr("wachtrij_versie"));
	/* a new token of the same person: the same key and version */
	make_token(fw2, LS_TOKEN_VELDWERKER, "CLB Noord", "mw-12", 0, 0);
	assert_int_equal(req("GET", "/api/v1/me", NULL, fw2, NULL), 200);
	assert_string_equal(jstr("wachtrij_sleutel"), first);
	assert_string_equal(jstr("wachtrij_versie"), version);
	/* other owners: other keys, the same version */
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_org, NULL), 200);
	assert_string_not_equal(jstr("wachtrij_sleutel"), first);
	assert_string_equal(jstr("wachtrij_versie"), version);
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_coord, NULL), 200);
	assert_string_not_equal(jstr("wachtrij_sleutel"), first);
	/* a refused token learns no key */
	assert_int_equal(req("GET", "/api/v1/me", NULL, tok_revoked, NULL),
	                 401);
	assert_null(json_object_get(J, "wachtrij_sleutel"));
	api = keep;
	node_api_free(keyed);
}

static void test_roles(void **state)
{
	(void)state;
	/* field workers: no dossiers, trends, preview, federation, erasure */
	assert_int_equal(req("GET", "/api/v1/dossiers", NULL, tok_fw, NULL),
	                 403);
	refused(403, "forbidden", NULL);
	assert_non_null(strstr(jstr("melding"), "veldwerker"));
	assert_int_equal(req("GET", "/api/v1/trends", NULL, tok_fw, NULL), 403);
	assert_int_equal(req("GET", "/api/v1/summaries/preview",
	                     "periode=2025-03", tok_fw, NULL),
	                 403);
	assert_int_equal(req("GET", "/api/v1/federation", NULL, tok_fw, NULL),
	                 403);
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_fw, "{}"),
	                 403);
	/* coordinators: no erasure */
	assert_int_equal(req("DELETE",
	                     "/api/v1/signals/00112233445566778899aabbccddeeff",
	                     NULL, tok_coord, NULL),
	                 403);
	refused(403, "forbidden", NULL);
	/* admins may do what coordinators do */
	assert_int_equal(req("GET", "/api/v1/dossiers", NULL, tok_admin, NULL),
	                 200);
	assert_int_equal(req("GET", "/api/v1/taxonomy", NULL, tok_fw, NULL),
	                 200);
}

static void test_routing(void **state)
{
	static const char *const not_found[] = {
	    "/nergens",
	    "/api/v1/signals/",
	    "/api/v1//signals",
	    "/api/v1/../v1/signals",
	    "/api/v1/%73ignals",
	    "/api/v2/signals",
	    "api/v1/signals",
	    "",
	    "/static/../../etc/passwd",
	    "/static/signaal.css/",
	    "/api/v1/signals/a/b/c/d/e/f/g/h/i",
	};
	(void)state;
	for (size_t i = 0; i < sizeof not_found / sizeof not_found[0]; i++) {
		assert_int_equal(
		    req("GET", not_found[i], NULL, tok_admin, NULL), 404);
		refused(404, "not_found", NULL);
	}
	assert_int_equal(req("PUT", "/api/v1/signals", NULL, tok_admin, "{}"),
	                 405);
	refused(405, "method_not_allowed", NULL);
	assert_string_equal(node_api_response_header(&resp, "Allow"),
	                    "GET, POST");
	assert_int_equal(
	    req("PATCH", "/api/v1/dossiers/1", NULL, tok_admin, NULL), 405);
	assert_int_equal(req("POST", "/healthz", NULL, NULL, NULL), 405);
	assert_int_equal(req("POST", "/invoer", NULL, NULL, "{}"), 405);
	assert_string_equal(node_api_response_header(&resp, "Allow"), "GET");
	/* a bad id or number in the path is a 404, not a 400 */
	assert_int_equal(
	    req("GET", "/api/v1/signals/xyz", NULL, tok_admin, NULL), 404);
	assert_int_equal(
	    req("GET", "/api/v1/dossiers/0", NULL, tok_admin, NULL), 404);
	assert_int_equal(
	    req("GET", "/api/v1/dossiers/-1", NULL, tok_admin, NULL), 404);
}

/* --- capture ------------------------------------------------------------- */

/* The 201 of a capture is built from what was stored, not read again:
 * it must be byte for byte what a GET of the signal answers, with the
 * codes in the store's order (not the body's), the token's owners, the
 * node's date and an empty follow-up; keyed or not. */
static void test_capture_answer_is_stored(void **state)
{
	static const char *const bodies[] = {
	    "{\"thema\":[\"onderwijs\",\"wonen\",\"mentaal\"],"
	    "\"leeftijd\":\"18-24\",\"doelgroep\":[\"student\",\"Gezin\","
	    "\"algemeen\"],\"sector\":\"caw\",\"probleemtype\":\"werking\","
	    "\"aantal_personen\":12,\"ernst\":4,\"vastgesteld_op\":"
	    "\"2025-03-01\",\"wijk\":\"Overleie\",\"omschrijving\":"
	    "\"Twee regels\\nmet \\\"aanhalingstekens\\\" en \\u00e9\"}",
	    "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	    "\"sector\":\"caw\"}",
	};
	(void)state;
	for (size_t i = 0; i < 2 * sizeof bodies / sizeof bodies[0]; i++) {
		char loc[80], *posted;
		size_t len;
		idem_key = i % 2 == 0 ? NULL
		           : i == 1   ? "answer-stored-a"
		                      : "answer-stored-b";
		assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw,
		                     bodies[i / 2]),
		                 201);
		assert_null(node_api_response_header(&resp,
		                                     "Idempotent-Replayed"));
		len = resp.body_len;
		posted = malloc(len);
		assert_non_null(posted);
		memcpy(posted, resp.body, len);
		snprintf(loc, sizeof loc, "/api/v1/signals/%s", jstr("id"));
		idem_key = NULL;
		assert_int_equal(req("GET", loc, NULL, tok_fw, NULL), 200);
		assert_int_equal(resp.body_len, len);
		assert_memory_equal(resp.body, posted, len);
		if (i / 2 == 0) {
			assert_int_equal(
			    json_array_size(json_object_get(J, "thema")), 3);
			assert_int_equal(
			    json_array_size(json_object_get(J, "doelgroep")), 3);
		}
		assert_int_equal(json_array_size(json_object_get(J, "opvolging")),
		                 0);
		free(posted);
	}
}


static void test_capture(void **state)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	char loc[80];
	uint64_t n;
	(void)state;
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_fw, good_signal), 201);
	assert_int_equal(strlen(jstr("id")), 32);
	snprintf(loc, sizeof loc, "/api/v1/signals/%s", jstr("id"));
	assert_string_equal(node_api_response_header(&resp, "Location"), loc);
	/* what the store holds: the token's organisation and person, today
	 * as registration date, status nieuw */
	assert_string_equal(jstr("organisatie"), "CLB Noord");
	assert_string_equal(jstr("melder"), "mw-12");
	assert_string_equal(jstr("geregistreerd_op"), "2025-03-15");
	assert_string_equal(jstr("vastgesteld_op"), "2025-03-10");
	assert_string_equal(jstr("status"), "nieuw");
	assert_string_equal(jstr("omschrijving"),
	                    "Wachtlijst van 6 maanden (fictief)");
	assert_int_equal(json_integer_value(json_object_get(J, "ernst")), 2);
	assert_int_equal(
	    json_integer_value(json_object_get(J, "aantal_personen")), 3);
	assert_int_equal(json_array_size(json_object_get(J, "thema")), 2);
	assert_non_null(jstr("bewaard_op"));
	count_signals(&n);
	assert_int_equal(n, 1);
	assert_int_equal(ls_signal_id_parse(jstr("id"), id), LS_OK);
	/* read it back through the API */
	assert_int_equal(req("GET", loc, NULL, tok_fw, NULL), 200);
	assert_string_equal(jstr("wijk"), "Overleie");

	/* minimal capture, codes in capitals forgiven like the CSV */
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_coord,
	        "{\"thema\":[\"Wonen\"],\"leeftijd\":\"onbekend\","
	        "\"sector\":\"caw\",\"ernst\":null,\"melder\":\"mw-7\","
	        "\"organisatie\":\"CLB Noord\"}"),
	    201);
	assert_string_equal(jstr("melder"), "mw-7");
	assert_true(json_is_null(json_object_get(J, "ernst")));
	assert_int_equal(
	    json_integer_value(json_object_get(J, "aantal_personen")), 1);
	/* SQL metacharacters are text like any other */
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_org,
	        "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	        "\"sector\":\"caw\",\"omschrijving\":\"x'); DROP TABLE "
	        "signal;--\"}"),
	    201);
	assert_string_equal(jstr("omschrijving"), "x'); DROP TABLE signal;--");
	count_signals(&n);
	assert_int_equal(n, 3);
	/* a coordinator captures for any organisation, and must name it
	 * when its token has none */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_coord,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	                     "\"sector\":\"caw\",\"organisatie\":\"CAW "
	                     "Zuid\"}"),
	                 201);
	assert_string_equal(jstr("organisatie"), "CAW Zuid");
	assert_true(json_is_null(json_object_get(J, "melder")));
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_coord,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	                     "\"sector\":\"caw\"}"),
	                 201);
	assert_string_equal(jstr("organisatie"), "Stad Kortrijk");
	assert_string_equal(jstr("melder"), "an");
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_admin,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	                     "\"sector\":\"caw\"}"),
	                 422);
	refused(422, "missing_field", "organisatie");
}

/* A retried capture with its Idempotency-Key stores nothing new and
 * gets the first answer; the key is the token's; bad keys and a key
 * reused for other data are refused and change nothing. */
static void test_capture_idempotent(void **state)
{
	char first[40], before[65], after[65];
	uint64_t n;
	(void)state;
	idem_key = "0b6f3c1e-2a44-4f6e-9d1a-7c3b2e1f0a99";
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_fw, good_signal), 201);
	snprintf(first, sizeof first, "%s", jstr("id"));
	assert_null(node_api_response_header(&resp, "Idempotent-Replayed"));
	count_signals(&n);
	assert_int_equal(n, 1);
	/* the retry: the same answer, nothing stored */
	fx_digest(f.path, before);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(
		    req("POST", "/api/v1/signals", NULL, tok_fw, good_signal),
		    201);
		assert_string_equal(jstr("id"), first);
		assert_string_equal(jstr("melder"), "mw-12");
		assert_string_equal(
		    node_api_response_header(&resp, "Idempotent-Replayed"),
		    "true");
	}
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	/* the same key with other data: refused, nothing stored */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\","
	                     "\"sector\":\"caw\"}"),
	                 422);
	refused(422, "idempotency_key_reused", "Idempotency-Key");
	/* another token's equal key is another key */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_coord,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"onbekend\","
	                     "\"sector\":\"caw\"}"),
	                 201);
	assert_string_not_equal(jstr("id"), first);
	count_signals(&n);
	assert_int_equal(n, 2);
	/* bad keys: empty, too long, control or non-ASCII characters */
	fx_digest(f.path, before);
	{
		static char long_key[NODE_API_IDEMPOTENCY_KEY_MAX + 2];
		const char *bad[] = {"", long_key, "a\tb", "sleutel \xc3\xa9",
		                     "a b"};
		memset(long_key, 'k', sizeof long_key - 1);
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			idem_key = bad[i];
			assert_int_equal(req("POST", "/api/v1/signals", NULL,
			                     tok_fw, good_signal),
			                 400);
			refused(400, "bad_parameter", "Idempotency-Key");
		}
	}
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	/* a signal erased since: the retry says so, and does not store it
	 * again */
	idem_key = "0b6f3c1e-2a44-4f6e-9d1a-7c3b2e1f0a99";
	{
		char path[80];
		idem_key = NULL;
		snprintf(path, sizeof path, "/api/v1/signals/%s", first);
		assert_int_equal(req("DELETE", path, NULL, tok_admin, NULL),
		                 200);
		idem_key = "0b6f3c1e-2a44-4f6e-9d1a-7c3b2e1f0a99";
	}
	assert_int_equal(
	    req("POST", "/api/v1/signals", NULL, tok_fw, good_signal), 409);
	refused(409, "conflict", "Idempotency-Key");
	count_signals(&n);
	assert_int_equal(n, 1);
	idem_key = NULL;
}

struct bad_case {
	const char *what;
	const char *ctype;
	const char *body;
	int status;
	const char *code;
	const char *field;
};

static void test_capture_refusals_change_nothing(void **state)
{
	static const struct bad_case cases[] = {
	    {"malformed", "application/json", "{\"thema\":", 400, "bad_json",
	     NULL},
	    {"trailing garbage", "application/json",
	     "{\"thema\":[\"wonen\"]} x", 400, "bad_json", NULL},
	    {"empty", "application/json", "", 400, "bad_json", NULL},
	    {"not an object", "application/json", "[\"wonen\"]", 400,
	     "wrong_type", NULL},
	    {"a string", "application/json", "\"wonen\"", 400, "bad_json",
	     NULL},
	    {"duplicate member", "application/json",
	     "{\"leeftijd\":\"12-17\",\"leeftijd\":\"0-11\"}", 400, "bad_json",
	     NULL},
	    {"NUL in a string", "application/json",
	     "{\"omschrijving\":\"a\\u0000b\"}", 400, "bad_json", NULL},
	    {"integer too big", "application/json",
	     "{\"aantal_personen\":123456789012345678901234567890}", 400,
	     "bad_json", NULL},
	    {"theme not a list", "application/json",
	     "{\"thema\":\"wonen\",\"leeftijd\":\"12-17\",\"sector\":\"caw\","
	     "\"organisatie\":\"x\"}",
	     400, "wrong_type", "thema"},
	    {"theme list of numbers", "application/json", "{\"thema\":[1]}",
	     400, "wrong_type", "thema"},
	    {"persons as text", "application/json",
	     "{\"aantal_personen\":\"3\"}", 400, "wrong_type",
	     "aantal_personen"},
	    {"persons as fraction", "application/json",
	     "{\"aantal_personen\":2.5}", 400, "wrong_type", "aantal_personen"},
	    {"severity as boolean", "application/json", "{\"ernst\":true}", 400,
	     "wrong_type", "ernst"},
	    {"age as object", "application/json", "{\"leeftijd\":{}}", 400,
	     "wrong_type", "leeftijd"},
	    {"description as number", "application/json",
	     "{\"omschrijving\":12}", 400, "wrong_type", "omschrijving"},
	    {"unknown member", "application/json",
	     "{\"thema\":[\"wonen\"],\"omschrijvng\":\"typo\"}", 400,
	     "unknown_field", "omschrijvng"},
	    {"id is the node's", "application/json",
	     "{\"id\":\"00112233445566778899aabbccddeeff\"}", 400,
	     "field_not_allowed", "id"},
	    {"registration date is the node's", "application/json",
	     "{\"geregistreerd_op\":\"2024-01-01\"}", 400, "field_not_allowed",
	     "geregistreerd_op"},
	    {"status is the node's", "application/json",
	     "{\"status\":\"afgesloten\"}", 400, "field_not_allowed", "status"},
	    {"unknown theme", "application/json",
	     "{\"thema\":[\"nope\"],\"leeftijd\":\"12-17\",\"sector\":\"caw\"}",
	     422, "unknown_code", "thema"},
	    {"two codes in one string", "application/json",
	     "{\"thema\":[\"wonen|energie\"]}", 422, "unknown_code", "thema"},
	    {"unknown age band", "application/json", "{\"leeftijd\":\"99\"}",
	     422, "unknown_code", "leeftijd"},
	    {"theme code of the wrong dimension", "application/json",
	     "{\"sector\":\"wonen\"}", 422, "unknown_code", "sector"},
	    {"four themes", "application/json",
	     "{\"thema\":[\"wonen\",\"energie\",\"inkomen\",\"werk\"]}", 422,
	     "invalid_value", "thema"},
	    {"a theme twice", "application/json",
	     "{\"thema\":[\"wonen\",\"wonen\"],\"leeftijd\":\"12-17\","
	     "\"sector\":\"caw\"}",
	     422, "invalid_value", "thema"},
	    {"missing age", "application/json",
	     "{\"thema\":[\"wonen\"],\"sector\":\"caw\"}", 422, "missing_field",
	     "leeftijd"},
	    {"empty theme list", "application/json",
	     "{\"thema\":[],\"leeftijd\":\"12-17\",\"sector\":\"caw\"}", 422,
	     "missing_field", "thema"},
	    {"null sector", "application/json",
	     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\",\"sector\":null}",
	     422, "missing_field", "sector"},
	    {"severity 5", "application/json",
	     "{\"thema\":[\"wonen\"],\"ernst\":5}", 422, "invalid_value",
	     "ernst"},
	    {"no persons", "application/json", "{\"aantal_personen\":0}", 422,
	     "invalid_value", "aantal_personen"},
	    {"negative persons", "application/json", "{\"aantal_personen\":-3}",
	     422, "invalid_value", "aantal_personen"},
	    {"impossible date", "application/json",
	     "{\"vastgesteld_op\":\"2025-02-30\"}", 422, "invalid_value",
	     "vastgesteld_op"},
	    {"observed after today", "application/json",
	     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\",\"sector\":\"caw\","
	     "\"vastgesteld_op\":\"2025-03-16\"}",
	     422, "invalid_value", "vastgesteld_op"},
	    {"neighbourhood with a control character", "application/json",
	     "{\"wijk\":\"a\\u0007b\"}", 422, "invalid_value", "wijk"},
	    {"description with a right-to-left override", "application/json",
	     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\",\"sector\":\"caw\","
	     "\"omschrijving\":\"huur \\u202e0051 euro\"}",
	     422, "invalid_value", "omschrijving"},
	    {"neighbourhood with a raw isolate (U+2067)", "application/json",
	     "{\"wijk\":\"Noord\xe2\x81\xa7\"}", 422, "invalid_value", "wijk"},
	    {"neighbourhood with a pop isolate (U+2069)", "application/json",
	     "{\"wijk\":\"\\u2069\"}", 422, "invalid_value", "wijk"},
	    {"another organisation", "application/json",
	     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\",\"sector\":\"caw\","
	     "\"organisatie\":\"CAW Zuid\"}",
	     403, "forbidden", "organisatie"},
	    {"another reporter", "application/json",
	     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\",\"sector\":\"caw\","
	     "\"melder\":\"mw-99\"}",
	     403, "forbidden", "melder"},
	    {"text/plain", "text/plain", good_signal, 415,
	     "unsupported_media_type", NULL},
	    {"no content type", NULL, good_signal, 415,
	     "unsupported_media_type", NULL},
	    {"another charset", "application/json; charset=iso-8859-1",
	     good_signal, 415, "unsupported_media_type", NULL},
	    {"json lookalike", "application/jsonp", good_signal, 415,
	     "unsupported_media_type", NULL},
	};
	char before[65], after[65];
	char *big, *deep, *longdesc;
	(void)state;
	fx_digest(f.path, before);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct bad_case *k = &cases[i];
		req_full("POST", "/api/v1/signals", NULL, tok_fw, k->ctype,
		         k->body, strlen(k->body));
		if (resp.status != k->status || J == NULL ||
		    strcmp(jstr("code"), k->code) != 0)
			fail_msg("%s: got %d %s", k->what, resp.status,
			         J ? jstr("code") : "(no json)");
		refused(k->status, k->code, k->field);
	}
	/* charset=utf-8 is fine (and accepted from here on) */
	assert_int_equal(req_full("POST", "/api/v1/signals", NULL, tok_fw,
	                          "application/json; charset=UTF-8",
	                          "{\"x\":1}", 7),
	                 400);
	refused(400, "unknown_field", "x");
	/* invalid UTF-8 */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw,
	                     "{\"wijk\":\"\xc3\x28\"}"),
	                 400);
	refused(400, "bad_json", NULL);
	/* too large */
	big = malloc(NODE_API_BODY_MAX + 2);
	memset(big, ' ', NODE_API_BODY_MAX + 1);
	big[0] = '{';
	big[NODE_API_BODY_MAX] = '}';
	big[NODE_API_BODY_MAX + 1] = '\0';
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw, big),
	                 413);
	refused(413, "too_large", NULL);
	free(big);
	/* deeply nested */
	deep = malloc(20001);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw, deep),
	                 400);
	free(deep);
	/* a description over 4000 bytes */
	longdesc = malloc(4200);
	{
		size_t l;
		strcpy(longdesc,
		       "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\","
		       "\"sector\":\"caw\",\"omschrijving\":\"");
		l = strlen(longdesc);
		memset(longdesc + l, 'x', 4001);
		strcpy(longdesc + l + 4001, "\"}");
	}
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_fw, longdesc),
	                 422);
	refused(422, "invalid_value", "omschrijving");
	free(longdesc);
	/* a field worker's refusals never stored anything */
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

/* Every allocation of a capture can fail: the answer is then a 5xx and
 * nothing is stored, or a 201 and the signal is there — never a 201
 * without the signal, never a half-stored one. */
static void test_capture_under_allocation_failure(void **state)
{
	long total;
	uint64_t before, after;
	(void)state;
	ls_alloc_fail_nth(0);
	req("POST", "/api/v1/signals", NULL, tok_fw, good_signal);
	assert_int_equal(resp.status, 201);
	(void)ls_alloc_fail_nth(0);
	json_decref(J);
	J = NULL;
	node_api_response_fini(&resp);
	{
		struct node_api_request r = {.method = "POST",
		                             .path = "/api/v1/signals",
		                             .content_type = "application/json",
		                             .body =
		                                 (const uint8_t *)good_signal,
		                             .body_len = sizeof good_signal - 1,
		                             .now = NOW};
		char auth[LS_TOKEN_TEXT_SIZE + 16];
		snprintf(auth, sizeof auth, "Bearer %s", tok_fw);
		r.authorization = auth;
		(void)ls_alloc_fail_nth(0);
		node_api_handle(api, &r, &resp);
		total = ls_alloc_fail_nth(0);
		node_api_response_fini(&resp);
		assert_true(total > 0);
		for (long n = 1; n <= total; n++) {
			count_signals(&before);
			ls_alloc_fail_nth(n);
			node_api_handle(api, &r, &resp);
			ls_alloc_fail_nth(0);
			count_signals(&after);
			if (resp.status == 201)
				assert_int_equal(after, before + 1);
			else {
				if (resp.status <
				    500) /* say which, on failure */
					fprintf(stderr,
					        "alloc %ld of %ld: %d %.*s\n",
					        n, total, resp.status,
					        (int)resp.body_len,
					        (const char *)resp.body);
				assert_true(resp.status >= 500);
				assert_int_equal(after, before);
			}
			node_api_response_fini(&resp);
		}
	}
}

/* --- reading signals ------------------------------------------------------ */

static void capture(const char *token, const char *theme, const char *extra)
{
	char body[300];
	snprintf(body, sizeof body,
	         "{\"thema\":[\"%s\"],\"leeftijd\":\"18-24\",\"sector\":\"caw\""
	         "%s}",
	         theme, extra ? extra : "");
	assert_int_equal(req("POST", "/api/v1/signals", NULL, token, body),
	                 201);
}

static size_t listed(void)
{
	return json_array_size(json_object_get(J, "signalen"));
}

static void test_field_worker_sees_own_signals_only(void **state)
{
	char other_id[40], own_path[80], other_path[80];
	(void)state;
	capture(tok_fw, "wonen", NULL); /* mw-12 */
	snprintf(own_path, sizeof own_path, "/api/v1/signals/%s", jstr("id"));
	capture(tok_org, "wonen", NULL);     /* same org, no person */
	capture(tok_other, "energie", NULL); /* CAW Zuid */
	snprintf(other_id, sizeof other_id, "%s", jstr("id"));
	snprintf(other_path, sizeof other_path, "/api/v1/signals/%s", other_id);

	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_fw, NULL),
	                 200);
	assert_int_equal(listed(), 1); /* only mw-12's */
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_org, NULL),
	                 200);
	assert_int_equal(listed(), 2); /* the organisation's */
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_other, NULL),
	                 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_coord, NULL),
	                 200);
	assert_int_equal(listed(), 3); /* the municipality's */

	assert_int_equal(req("GET", other_path, NULL, tok_fw, NULL), 404);
	refused(404, "not_found", NULL);
	assert_int_equal(req("GET", own_path, NULL, tok_other, NULL), 404);
	assert_int_equal(req("GET", own_path, NULL, tok_org, NULL), 200);
	assert_int_equal(req("GET", other_path, NULL, tok_coord, NULL), 200);
	assert_int_equal(req("GET",
	                     "/api/v1/signals/00000000000000000000000000000000",
	                     NULL, tok_coord, NULL),
	                 404);
}

/* A field worker's token without a person cannot name a reporter: the
 * signal would then show in that person's own list. */
static void test_personless_token_names_no_reporter(void **state)
{
	char before[65], after[65];
	(void)state;
	fx_digest(f.path, before);
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_org,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\","
	                     "\"sector\":\"caw\",\"melder\":\"mw-12\"}"),
	                 422);
	refused(422, "invalid_value", "melder");
	assert_non_null(strstr(jstr("melding"), "melder"));
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	/* mw-12 sees nothing that was not theirs */
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_fw, NULL),
	                 200);
	assert_int_equal(listed(), 0);
	/* without the member it is captured, with no reporter */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_org,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\","
	                     "\"sector\":\"caw\"}"),
	                 201);
	assert_true(json_object_get(J, "melder") == NULL ||
	            json_is_null(json_object_get(J, "melder")));
	/* a coordinator still names any reporter */
	assert_int_equal(req("POST", "/api/v1/signals", NULL, tok_coord,
	                     "{\"thema\":[\"wonen\"],\"leeftijd\":\"12-17\","
	                     "\"sector\":\"caw\",\"organisatie\":\"CLB Noord\","
	                     "\"melder\":\"mw-12\"}"),
	                 201);
}

static void test_listing_pages_and_filters(void **state)
{
	char cursor[64], seen[8][40];
	size_t n_seen = 0;
	char before[65], after[65];
	(void)state;
	for (int i = 0; i < 7; i++)
		capture(tok_coord, i % 2 ? "wonen" : "energie",
		        ",\"organisatie\":\"CLB Noord\"");
	/* three pages of 3, 3, 1 that cover all seven once */
	cursor[0] = '\0';
	for (int page = 0; page < 3; page++) {
		char q[100];
		json_t *v;
		snprintf(q, sizeof q, "limiet=3%s%s", cursor[0] ? "&na=" : "",
		         cursor);
		assert_int_equal(
		    req("GET", "/api/v1/signals", q, tok_coord, NULL), 200);
		assert_int_equal(listed(), page < 2 ? 3 : 1);
		for (size_t i = 0; i < listed(); i++) {
			const char *id = json_string_value(json_object_get(
			    json_array_get(json_object_get(J, "signalen"), i),
			    "id"));
			for (size_t k = 0; k < n_seen; k++)
				assert_string_not_equal(seen[k], id);
			snprintf(seen[n_seen++], sizeof seen[0], "%s", id);
		}
		v = json_object_get(J, "volgende");
		if (page < 2) {
			assert_true(json_is_string(v));
			snprintf(cursor, sizeof cursor, "%s",
			         json_string_value(v));
		} else {
			assert_true(json_is_null(v));
		}
	}
	assert_int_equal(n_seen, 7);
	/* filters, percent-encoded values */
	assert_int_equal(
	    req("GET", "/api/v1/signals", "thema=%77onen", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 3);
	assert_int_equal(req("GET", "/api/v1/signals",
	                     "periode=2025-03&status=nieuw&leeftijd=18-24&"
	                     "volgorde=oudste",
	                     tok_coord, NULL),
	                 200);
	assert_int_equal(listed(), 7);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "periode=2025-02", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 0);

	fx_digest(f.path, before);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "foo=1", tok_coord, NULL), 400);
	refused(400, "unknown_parameter", NULL);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "limiet=1&limiet=2", tok_coord, NULL),
	    400);
	refused(400, "bad_parameter", "limiet");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "limiet=0", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "limiet=501", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "limiet=abc", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "limiet", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "periode=2025-13", tok_coord, NULL),
	    400);
	refused(400, "bad_parameter", "periode");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "status=klaar", tok_coord, NULL),
	    400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "volgorde=random", tok_coord, NULL),
	    400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "na=2025-03-01", tok_coord, NULL),
	    400);
	refused(400, "bad_parameter", "na");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "na=2025-02-30.5", tok_coord, NULL),
	    400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "thema=nope", tok_coord, NULL), 422);
	refused(422, "unknown_code", "thema");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "thema=%zz", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "thema=%0a", tok_coord, NULL), 400);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "thema=%c3%28", tok_coord, NULL),
	    400);
	{
		char longq[NODE_API_QUERY_MAX + 20];
		memset(longq, 'a', sizeof longq - 1);
		longq[sizeof longq - 1] = '\0';
		memcpy(longq, "thema=", 6);
		assert_int_equal(
		    req("GET", "/api/v1/signals", longq, tok_coord, NULL), 400);
	}
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

static void test_erase(void **state)
{
	char path[80];
	(void)state;
	capture(tok_fw, "wonen", NULL);
	snprintf(path, sizeof path, "/api/v1/signals/%s", jstr("id"));
	assert_int_equal(req("DELETE", path, NULL, tok_admin, NULL), 200);
	assert_true(json_is_true(json_object_get(J, "gewist")));
	assert_int_equal(req("GET", path, NULL, tok_admin, NULL), 404);
	assert_int_equal(req("DELETE", path, NULL, tok_admin, NULL), 404);
	assert_int_equal(
	    req("DELETE", "/api/v1/signals/zz", NULL, tok_admin, NULL), 404);
}

/* --- dossiers ------------------------------------------------------------- */

static void test_dossier_follow_up(void **state)
{
	char s1[40], s2[40], body[200], before[65], after[65];
	json_t *hist;
	(void)state;
	capture(tok_fw, "mentaal", NULL);
	snprintf(s1, sizeof s1, "%s", jstr("id"));
	capture(tok_other, "mentaal", NULL);
	snprintf(s2, sizeof s2, "%s", jstr("id"));

	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"Wachtlijsten jeugd (fictief)\","
	                     "\"trekker\":\"Sociale dienst\",\"thema\":"
	                     "[\"mentaal\"],\"probleemtype\":\"werking\"}"),
	                 201);
	assert_int_equal(json_integer_value(json_object_get(J, "nr")), 1);
	assert_string_equal(jstr("fase"), "opmerken");
	assert_string_equal(node_api_response_header(&resp, "Location"),
	                    "/api/v1/dossiers/1");
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(J, "volgende_fasen"), 0)),
	                    "verzamelen");

	fx_digest(f.path, before);
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"trekker\":\"x\",\"thema\":[\"mentaal\"]}"),
	                 422);
	refused(422, "missing_field", "titel");
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"t\",\"trekker\":\"x\",\"thema\":"
	                     "[\"nope\"]}"),
	                 422);
	refused(422, "unknown_code", "thema");
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"t\",\"trekker\":\"x\",\"thema\":"
	                     "[\"mentaal\"],\"probleemtype\":\"nope\"}"),
	                 422);
	refused(422, "unknown_code", "probleemtype");
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"t\",\"trekker\":\"x\",\"thema\":"
	                     "[\"mentaal\"],\"fase\":\"actie\"}"),
	                 400);
	refused(400, "unknown_field", "fase");
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":1,\"trekker\":\"x\",\"thema\":"
	                     "[\"mentaal\"]}"),
	                 400);
	refused(400, "wrong_type", "titel");
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"a\\nb\",\"trekker\":\"x\","
	                     "\"thema\":[\"mentaal\"]}"),
	                 422);
	refused(422, "invalid_value", NULL);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/phase", NULL,
	                     tok_coord, "{\"fase\":\"rapporteren\"}"),
	                 409);
	refused(409, "conflict", "fase");
	assert_non_null(strstr(jstr("melding"), "verzamelen"));
	assert_int_equal(req("POST", "/api/v1/dossiers/1/phase", NULL,
	                     tok_coord, "{\"fase\":\"klaar\"}"),
	                 422);
	refused(422, "invalid_value", "fase");
	assert_int_equal(req("POST", "/api/v1/dossiers/9/phase", NULL,
	                     tok_coord, "{\"fase\":\"verzamelen\"}"),
	                 404);
	snprintf(body, sizeof body, "{\"signalen\":[\"%s\",\"%s\"]}", s1,
	         "00000000000000000000000000000000");
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/signals", NULL, tok_coord, body),
	    422);
	refused(422, "unknown_signal", "signalen");
	assert_int_equal(req("POST", "/api/v1/dossiers/1/signals", NULL,
	                     tok_coord, "{\"signalen\":[\"xyz\"]}"),
	                 422);
	refused(422, "invalid_value", "signalen");
	assert_int_equal(req("POST", "/api/v1/dossiers/1/criteria", NULL,
	                     tok_coord, "{\"voldaan\":[\"mooi\"]}"),
	                 422);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/criteria", NULL, tok_coord, "{}"),
	    422);
	refused(422, "missing_field", "voldaan");
	assert_int_equal(req("POST", "/api/v1/dossiers/1/actions/7/result",
	                     NULL, tok_coord, "{\"resultaat\":\"x\"}"),
	                 404);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/actions", NULL,
	                     tok_coord,
	                     "{\"wat\":\"x\",\"wie\":\"y\",\"tegen\":"
	                     "\"31-12-2025\"}"),
	                 422);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/feedback", NULL,
	                     tok_coord, "{\"tekst\":\"Bedankt\"}"),
	                 409); /* nobody reported a linked signal yet */
	fx_digest(f.path, after);
	assert_string_equal(before, after);

	snprintf(body, sizeof body, "{\"signalen\":[\"%s\",\"%s\"]}", s1, s2);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/signals", NULL, tok_coord, body),
	    200);
	assert_int_equal(json_integer_value(json_object_get(J, "gekoppeld")),
	                 2);
	assert_int_equal(
	    json_integer_value(json_object_get(J, "aantal_signalen")), 2);
	for (const char *const *p =
	         (const char *const[]){"verzamelen", "bundelen", "analyseren",
	                               NULL};
	     *p; p++) {
		snprintf(body, sizeof body,
		         "{\"fase\":\"%s\",\"notitie\":\"besproken\"}", *p);
		assert_int_equal(req("POST", "/api/v1/dossiers/1/phase", NULL,
		                     tok_coord, body),
		                 200);
		assert_string_equal(jstr("fase"), *p);
	}
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/criteria", NULL, tok_coord,
	        "{\"voldaan\":[\"alle\"],\"notitie\":\"werkgroep\"}"),
	    200);
	assert_int_equal(json_array_size(json_object_get(J, "criteria")), 4);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/phase", NULL,
	                     tok_coord, "{\"fase\":\"rapporteren\"}"),
	                 200);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/actions", NULL,
	                     tok_coord,
	                     "{\"wat\":\"Extra consulent\",\"wie\":\"OCMW\","
	                     "\"tegen\":\"2025-12-31\"}"),
	                 201);
	assert_int_equal(json_integer_value(json_object_get(J, "actie")), 1);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/actions/1/result",
	                     NULL, tok_coord,
	                     "{\"resultaat\":\"aangeworven\"}"),
	                 200);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/feedback", NULL, tok_coord,
	        "{\"tekst\":\"Bedankt\",\"organisatie\":\"Onbekend\"}"),
	    422);
	refused(422, "invalid_value", "organisatie");
	assert_int_equal(req("POST", "/api/v1/dossiers/1/feedback", NULL,
	                     tok_coord, "{\"tekst\":\"Bedankt\"}"),
	                 201);
	assert_int_equal(json_integer_value(json_object_get(J, "organisaties")),
	                 2);

	assert_int_equal(
	    req("GET", "/api/v1/dossiers/1", NULL, tok_coord, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(J, "signalen")), 2);
	assert_int_equal(json_array_size(json_object_get(J, "acties")), 1);
	assert_int_equal(json_array_size(json_object_get(J, "feedback")), 2);
	hist = json_object_get(J, "geschiedenis");
	assert_true(json_array_size(hist) >= 8);
	/* the history names the token's person and organisation */
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(hist, 0), "door")),
	    "an (Stad Kortrijk)");
	assert_int_equal(
	    req("GET", "/api/v1/dossiers", "fase=rapporteren", tok_coord, NULL),
	    200);
	assert_int_equal(json_array_size(json_object_get(J, "dossiers")), 1);
	assert_int_equal(
	    req("GET", "/api/v1/dossiers", "fase=opmerken", tok_coord, NULL),
	    200);
	assert_int_equal(json_array_size(json_object_get(J, "dossiers")), 0);
	assert_int_equal(
	    req("GET", "/api/v1/dossiers", "fase=x", tok_coord, NULL), 400);
	/* the linked signals follow the dossier */
	assert_int_equal(
	    req("GET", "/api/v1/signals", "status=gekoppeld", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 2);
}

/* The coordinator's search: target group, sector, organisation, free
 * text (literal: % and _ are no wildcards), dossier; a field worker
 * cannot widen its list with them; bad values change nothing. */
static void test_search_filters(void **state)
{
	char before[65], after[65], body[200], s1[40];
	(void)state;
	capture(tok_coord, "wonen",
	        ",\"organisatie\":\"CLB Noord\",\"doelgroep\":[\"student\"],"
	        "\"omschrijving\":\"Kotstudenten betalen 100% te veel "
	        "(fictief)\"");
	snprintf(s1, sizeof s1, "%s", jstr("id"));
	capture(tok_coord, "wonen",
	        ",\"organisatie\":\"CAW Zuid\",\"wijk\":\"Overleie\","
	        "\"omschrijving\":\"Huur_waarborg ontbreekt (fictief)\"");
	capture(tok_coord, "energie",
	        ",\"organisatie\":\"OCMW\",\"omschrijving\":\"koude woning\"");
	capture(tok_fw, "energie", NULL); /* CLB Noord, mw-12 */

	assert_int_equal(
	    req("GET", "/api/v1/signals", "doelgroep=student", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "sector=caw", tok_coord, NULL), 200);
	assert_int_equal(listed(), 4);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "sector=ggz", tok_coord, NULL), 200);
	assert_int_equal(listed(), 0);
	assert_int_equal(req("GET", "/api/v1/signals", "organisatie=CLB+Noord",
	                     tok_coord, NULL),
	                 200);
	assert_int_equal(listed(), 2);
	/* free text: case-insensitive, in description, neighbourhood or
	 * organisation; combined with the other filters */
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=KOTSTUDENT", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(J, "signalen"), 0), "id")),
	    s1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=overleie", tok_coord, NULL),
	    200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=ocmw", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(req("GET", "/api/v1/signals",
	                     "zoek=fictief&thema=wonen&sector=caw", tok_coord,
	                     NULL),
	                 200);
	assert_int_equal(listed(), 2);
	/* % and _ stand for themselves */
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=100%25", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=%25", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=r_w", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=huur_", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=e_w", tok_coord, NULL), 200);
	assert_int_equal(listed(), 0);
	/* a field worker's list stays its own */
	assert_int_equal(
	    req("GET", "/api/v1/signals", "zoek=fictief", tok_fw, NULL), 200);
	assert_int_equal(listed(), 0);
	assert_int_equal(req("GET", "/api/v1/signals",
	                     "organisatie=CLB%20Noord", tok_fw, NULL),
	                 200);
	assert_int_equal(listed(), 1); /* mw-12's, not the organisation's */
	/* the organisations that reported, for the filter */
	assert_int_equal(
	    req("GET", "/api/v1/organisations", NULL, tok_coord, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(J, "organisaties")),
	                 3);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(J, "organisaties"), 0), "naam")),
	    "CAW Zuid");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_array_get(json_object_get(J, "organisaties"), 1),
	        "signalen")),
	    2);
	/* a dossier's signals */
	assert_int_equal(req("POST", "/api/v1/dossiers", NULL, tok_coord,
	                     "{\"titel\":\"Kotstudenten (fictief)\","
	                     "\"trekker\":\"Huisvesting\",\"thema\":"
	                     "[\"wonen\"]}"),
	                 201);
	snprintf(body, sizeof body, "{\"signalen\":[\"%s\"]}", s1);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/signals", NULL, tok_coord, body),
	    200);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "dossier=1", tok_coord, NULL), 200);
	assert_int_equal(listed(), 1);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "dossier=2", tok_coord, NULL), 200);
	assert_int_equal(listed(), 0);

	fx_digest(f.path, before);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "organisatie=CAW+Zuid", tok_fw, NULL),
	    403);
	refused(403, "forbidden", "organisatie");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "dossier=1", tok_fw, NULL), 403);
	refused(403, "forbidden", "dossier");
	assert_int_equal(
	    req("GET", "/api/v1/organisations", NULL, tok_fw, NULL), 403);
	assert_int_equal(
	    req("GET", "/api/v1/signals", "doelgroep=nope", tok_coord, NULL),
	    422);
	refused(422, "unknown_code", "doelgroep");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "sector=wonen", tok_coord, NULL),
	    422);
	refused(422, "unknown_code", "sector");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "dossier=0", tok_coord, NULL), 400);
	refused(400, "bad_parameter", "dossier");
	assert_int_equal(
	    req("GET", "/api/v1/signals", "dossier=x", tok_coord, NULL), 400);
	{
		char q[STORE_SIGNAL_SEARCH_MAX + 16];
		memcpy(q, "zoek=", 5);
		memset(q + 5, 'a', STORE_SIGNAL_SEARCH_MAX + 1);
		q[5 + STORE_SIGNAL_SEARCH_MAX + 1] = '\0';
		assert_int_equal(
		    req("GET", "/api/v1/signals", q, tok_coord, NULL), 400);
		refused(400, "bad_parameter", "zoek");
		q[5 + STORE_SIGNAL_SEARCH_MAX] = '\0';
		assert_int_equal(
		    req("GET", "/api/v1/signals", q, tok_coord, NULL), 200);
		assert_int_equal(listed(), 0);
	}
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

/* Does the last answer's body contain text anywhere? */
static int body_has(const char *text)
{
	size_t n = strlen(text);
	for (size_t i = 0; i + n <= resp.body_len; i++)
		if (memcmp(resp.body + i, text, n) == 0)
			return 1;
	return 0;
}

static const char *status_of(const char *id)
{
	char path[80];
	snprintf(path, sizeof path, "/api/v1/signals/%s", id);
	assert_int_equal(req("GET", path, NULL, tok_coord, NULL), 200);
	return jstr("status");
}

/* The follow-up a field worker sees, and unlinking. The attacker is a
 * field worker of another organisation whose signal sits in the same
 * dossier: it must not read feedback that was given to CLB Noord. */
static void test_followup_and_unlink(void **state)
{
	char s1[40], s2[40], body[200], path[120], before[65], after[65];
	json_t *op, *hist;
	(void)state;
	capture(tok_fw, "mentaal", NULL); /* CLB Noord, mw-12 */
	snprintf(s1, sizeof s1, "%s", jstr("id"));
	assert_int_equal(json_array_size(json_object_get(J, "opvolging")), 0);
	capture(tok_other, "mentaal", NULL); /* CAW Zuid */
	snprintf(s2, sizeof s2, "%s", jstr("id"));
	for (int i = 0; i < 2; i++)
		assert_int_equal(req("POST", "/api/v1/dossiers", NULL,
		                     tok_coord,
		                     "{\"titel\":\"Wachtlijsten (fictief)\","
		                     "\"trekker\":\"OCMW\",\"thema\":"
		                     "[\"mentaal\"]}"),
		                 201);
	snprintf(body, sizeof body, "{\"signalen\":[\"%s\",\"%s\"]}", s1, s2);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/1/signals", NULL, tok_coord, body),
	    200);
	snprintf(body, sizeof body, "{\"signalen\":[\"%s\"]}", s1);
	assert_int_equal(
	    req("POST", "/api/v1/dossiers/2/signals", NULL, tok_coord, body),
	    200);
	assert_int_equal(req("POST", "/api/v1/dossiers/1/feedback", NULL,
	                     tok_coord,
	                     "{\"tekst\":\"Alleen voor CLB\",\"organisatie\":"
	                     "\"CLB Noord\"}"),
	                 201);

	/* the field worker sees both dossiers and CLB's feedback */
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_fw, NULL),
	                 200);
	op = json_object_get(json_array_get(json_object_get(J, "signalen"), 0),
	                     "opvolging");
	assert_int_equal(json_array_size(op), 2);
	assert_int_equal(json_integer_value(
	                     json_object_get(json_array_get(op, 0), "dossier")),
	                 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(op, 0), "fase")),
	    "opmerken");
	assert_int_equal(
	    json_array_size(json_object_get(json_array_get(op, 0), "feedback")),
	    1);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_array_get(op, 0), "feedback"), 0),
	        "tekst")),
	    "Alleen voor CLB");
	assert_int_equal(
	    json_array_size(json_object_get(json_array_get(op, 1), "feedback")),
	    0);
	/* the other organisation's field worker: same dossier, no feedback
	 * that was not given to it, nowhere in the answer */
	snprintf(path, sizeof path, "/api/v1/signals/%s", s2);
	assert_int_equal(req("GET", path, NULL, tok_other, NULL), 200);
	assert_false(body_has("Alleen voor CLB"));
	op = json_object_get(J, "opvolging");
	assert_int_equal(json_array_size(op), 1);
	assert_int_equal(
	    json_array_size(json_object_get(json_array_get(op, 0), "feedback")),
	    0);
	assert_int_equal(req("GET", "/api/v1/signals", NULL, tok_other, NULL),
	                 200);
	assert_false(body_has("Alleen voor CLB"));
	/* feedback to every reporting organisation reaches it */
	assert_int_equal(req("POST", "/api/v1/dossiers/1/feedback", NULL,
	                     tok_coord, "{\"tekst\":\"Voor iedereen\"}"),
	                 201);
	assert_int_equal(req("GET", path, NULL, tok_other, NULL), 200);
	op = json_object_get(J, "opvolging");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_array_get(op, 0), "feedback"), 0),
	        "tekst")),
	    "Voor iedereen");

	/* unlinking: refusals change nothing */
	fx_digest(f.path, before);
	snprintf(path, sizeof path, "/api/v1/dossiers/1/signals/%s", s1);
	assert_int_equal(req("DELETE", path, NULL, tok_fw, NULL), 403);
	snprintf(path, sizeof path, "/api/v1/dossiers/9/signals/%s", s1);
	assert_int_equal(req("DELETE", path, NULL, tok_coord, NULL), 404);
	assert_int_equal(req("DELETE",
	                     "/api/v1/dossiers/1/signals/"
	                     "00000000000000000000000000000000",
	                     NULL, tok_coord, NULL),
	                 404);
	refused(404, "not_found", NULL);
	assert_int_equal(req("DELETE", "/api/v1/dossiers/1/signals/xyz", NULL,
	                     tok_coord, NULL),
	                 404);
	snprintf(path, sizeof path, "/api/v1/dossiers/2/signals/%s", s2);
	assert_int_equal(req("DELETE", path, NULL, tok_coord, NULL), 404);
	fx_digest(f.path, after);
	assert_string_equal(before, after);

	/* s1 leaves dossier 1 but stays in 2: still gekoppeld */
	snprintf(path, sizeof path, "/api/v1/dossiers/1/signals/%s", s1);
	assert_int_equal(req("DELETE", path, NULL, tok_coord, NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(J, "ontkoppeld")),
	                 1);
	assert_int_equal(
	    json_integer_value(json_object_get(J, "aantal_signalen")), 1);
	assert_string_equal(status_of(s1), "gekoppeld");
	assert_int_equal(req("DELETE", path, NULL, tok_coord, NULL), 404);
	snprintf(path, sizeof path, "/api/v1/dossiers/2/signals/%s", s1);
	assert_int_equal(req("DELETE", path, NULL, tok_coord, NULL), 200);
	assert_string_equal(status_of(s1), "nieuw");
	assert_int_equal(json_array_size(json_object_get(J, "opvolging")), 0);
	/* the history says that one was unlinked, never which */
	assert_int_equal(
	    req("GET", "/api/v1/dossiers/1", NULL, tok_coord, NULL), 200);
	hist = json_object_get(J, "geschiedenis");
	assert_non_null(strstr(
	    json_string_value(json_object_get(
	        json_array_get(hist, json_array_size(hist) - 1), "notitie")),
	    "ontkoppeld"));
	assert_false(body_has(s1));
}

/* --- taxonomy ------------------------------------------------------------- */

static void test_taxonomy(void **state)
{
	json_t *themes, *ages;
	int found = 0;
	size_t i;
	json_t *t;
	(void)state;
	assert_int_equal(
	    store_taxonomy_add_local(f.s, LS_DIM_THEME, "wonen-koten", "wonen",
	                             "Studentenkoten", "Student rooms", NULL),
	    LS_OK);
	assert_int_equal(req("GET", "/api/v1/taxonomy", NULL, tok_fw, NULL),
	                 200);
	themes = json_object_get(J, "thema");
	ages = json_object_get(J, "leeftijd");
	assert_int_equal(json_array_size(ages), 6);
	assert_non_null(json_object_get(J, "doelgroep"));
	assert_non_null(json_object_get(J, "sector"));
	assert_non_null(json_object_get(J, "probleemtype"));
	json_array_foreach(themes, i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "code")),
		           "wonen-koten") == 0) {
			found = 1;
			assert_true(json_is_true(json_object_get(t, "lokaal")));
			assert_string_equal(
			    json_string_value(json_object_get(t, "onder")),
			    "wonen");
			assert_string_equal(
			    json_string_value(json_object_get(t, "label")),
			    "Studentenkoten");
		}
	}
	assert_true(found);
	/* and a capture may use the local code */
	capture(tok_fw, "wonen-koten", NULL);
}

/* --- documents for the federation routes -------------------------------- */

struct heads {
	char origin[8][LS_NODE_ID_SIZE];
	struct ls_feed_head head[8];
	size_t n;
};

static struct heads heads;

static void publish(struct ls_doc *d, const char *origin, int64_t created)
{
	struct ls_feed_head *h = NULL;
	struct store_doc_meta m;
	uint8_t *env;
	size_t len, i;
	for (i = 0; i < heads.n; i++)
		if (strcmp(heads.origin[i], origin) == 0)
			h = &heads.head[i];
	if (h == NULL) {
		assert_true(heads.n < 8);
		snprintf(heads.origin[heads.n], LS_NODE_ID_SIZE, "%s", origin);
		memset(&heads.head[heads.n], 0, sizeof heads.head[0]);
		h = &heads.head[heads.n++];
	}
	snprintf(d->hdr.origin, sizeof d->hdr.origin, "%s", origin);
	env = fx_sign(d, h, created, origin, &len);
	memset(&m, 0, sizeof m);
	snprintf(m.origin, sizeof m.origin, "%s", origin);
	m.seq = d->hdr.seq;
	m.type = d->hdr.type;
	memcpy(m.hash, h->hash, LS_HASH_BYTES);
	memcpy(m.prev, d->hdr.prev, LS_HASH_BYTES);
	m.created = created;
	assert_int_equal(store_feed_append(f.s, &m, env, len), LS_OK);
	ls_free(env);
}

static void publish_summary(const char *origin, int month, unsigned n,
                            uint32_t seed, int64_t *theme_lo, int64_t *theme_hi,
                            const char *theme)
{
	struct ls_doc d;
	proto_doc_init(&d, LS_DOC_SUMMARY);
	fx_summary(&d.body.summary, origin, 2025, month, n, seed);
	for (size_t r = 0; r < d.body.summary.tables[LS_TABLE_THEME].n_rows;
	     r++) {
		const struct ls_summary_row *row =
		    &d.body.summary.tables[LS_TABLE_THEME].rows[r];
		if (strcmp(row->theme, theme) == 0) {
			*theme_lo += row->signals.kind == LS_CELL_EXACT
			                 ? row->signals.value
			                 : row->signals.lo;
			*theme_hi += row->signals.kind == LS_CELL_EXACT
			                 ? row->signals.value
			                 : row->signals.hi;
		}
	}
	publish(&d, origin, NOW - 86400 * (4 - month));
	proto_doc_fini(&d);
}

/* The association's federation summary of January 2025 (gent and
 * kortrijk): wonen 575 signals, noise mu 1/4 and 25. */
static void publish_fedsum(void)
{
	struct ls_doc d;
	struct ls_fedsum *fs;
	struct ls_summary_row *row;
	proto_doc_init(&d, LS_DOC_FEDSUM);
	fs = &d.body.fedsum;
	fs->period = (struct ls_period){2025, 1, 1};
	memset(fs->round, 0x5a, sizeof fs->round);
	fs->included = ls_calloc(2, sizeof *fs->included);
	assert_non_null(fs->included);
	strcpy(fs->included[0], "gent");
	strcpy(fs->included[1], "kortrijk");
	fs->n_included = 2;
	fs->noise.mu[0] = (struct secagg_rational){1, 4};
	fs->noise.mu[1] = (struct secagg_rational){25, 1};
	fs->epsilon_milli = 128000;
	fs->persons_cap = 10;
	fs->tables[LS_TABLE_THEME].rows = ls_calloc(1, sizeof *row);
	assert_non_null(fs->tables[LS_TABLE_THEME].rows);
	fs->tables[LS_TABLE_THEME].n_rows = 1;
	row = &fs->tables[LS_TABLE_THEME].rows[0];
	strcpy(row->theme, "wonen");
	row->signals = (struct ls_cell){LS_CELL_NOISY, 575, 574, 576};
	row->persons = (struct ls_cell){LS_CELL_NOISY, 900, 888, 912};
	publish(&d, "vvsg", NOW - 86400);
	proto_doc_fini(&d);
}

static int64_t series(json_t *list, const char *code, const char *key,
                      size_t month)
{
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "code")),
		           code) == 0)
			return json_integer_value(
			    json_array_get(json_object_get(t, key), month));
	}
	return -1;
}

static void test_trends(void **state)
{
	int64_t lo_jan = 0, hi_jan = 0, lo_feb = 0, hi_feb = 0, lo_x = 0,
	        hi_x = 0;
	json_t *fed, *local;
	(void)state;
	memset(&heads, 0, sizeof heads);
	/* local: three this month (March), two in wonen */
	capture(tok_fw, "wonen", NULL);
	capture(tok_fw, "wonen", NULL);
	capture(tok_fw, "energie", NULL);
	/* the federation: two origins in January, one in February; gent's
	 * January is corrected by a later document */
	publish_summary("gent", 1, 300, 1, &lo_x, &hi_x, "wonen");
	lo_x = hi_x = 0; /* superseded below */
	publish_summary("gent", 1, 420, 2, &lo_jan, &hi_jan, "wonen");
	publish_summary("kortrijk", 1, 160, 3, &lo_jan, &hi_jan, "wonen");
	publish_summary("kortrijk", 2, 150, 4, &lo_feb, &hi_feb, "wonen");
	publish_summary("kortrijk", 11, 150, 5, &lo_x, &hi_x, "wonen");

	/* the default window is `signaalctl trends`'s: [trends] window
	 * (24) months up to the latest month at least half of the
	 * municipalities released (kortrijk's November: one of two), not
	 * the running month */
	assert_int_equal(req("GET", "/api/v1/trends", NULL, tok_coord, NULL),
	                 200);
	assert_int_equal(json_array_size(json_object_get(J, "perioden")), 24);
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(J, "perioden"), 23)),
	                    "2025-11");
	/* the ranking as the CLI gives it: themes, ranks from 1, score and
	 * explanation */
	{
		json_t *r = json_object_get(J, "rangschikking");
		json_t *items = json_object_get(r, "items");
		assert_string_equal(
		    json_string_value(json_object_get(r, "niveau")), "thema");
		assert_true(json_array_size(items) >= 1 &&
		            json_array_size(items) <= 10);
		for (size_t i = 0; i < json_array_size(items); i++) {
			json_t *it = json_array_get(items, i);
			assert_int_equal(
			    json_integer_value(json_object_get(it, "rang")),
			    (json_int_t)i + 1);
			assert_true(json_is_real(json_object_get(it, "score")));
			assert_non_null(
			    json_string_value(json_object_get(it, "uitleg")));
		}
	}
	assert_int_equal(req("GET", "/api/v1/trends", "niveau=jongeren&top=3",
	                     tok_coord, NULL),
	                 200);
	{
		json_t *items = json_object_get(
		    json_object_get(J, "rangschikking"), "items");
		for (size_t i = 0; i < json_array_size(items); i++)
			assert_int_equal(json_integer_value(json_object_get(
			                     json_array_get(items, i), "rang")),
			                 (json_int_t)i + 1);
	}
	assert_int_equal(
	    req("GET", "/api/v1/trends", "niveau=wijk", tok_coord, NULL), 400);
	refused(400, "bad_parameter", "niveau");
	assert_int_equal(req("GET", "/api/v1/trends", "top=0", tok_coord, NULL),
	                 400);

	/* the association's federation summary of January */
	publish_fedsum();
	assert_int_equal(req("GET", "/api/v1/trends", "tot=2025-03&maanden=3",
	                     tok_coord, NULL),
	                 200);
	assert_int_equal(json_array_size(json_object_get(J, "perioden")), 3);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(J, "lokaal"), "signalen_totaal")),
	                 3);
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(J, "perioden"), 0)),
	                    "2025-01");
	local = json_object_get(json_object_get(J, "lokaal"), "themas");
	fed = json_object_get(json_object_get(J, "federatie"), "themas");
	assert_int_equal(series(local, "wonen", "signalen", 2), 2);
	assert_int_equal(series(local, "energie", "signalen", 2), 1);
	assert_int_equal(series(local, "wonen", "signalen", 0), 0);
	/* the local list starts with the biggest theme */
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(local, 0), "code")),
	                    "wonen");
	/* January is the federation total: 575 with its 90% interval
	 * (variance 2 x 1/4), 2 municipalities in it, next to the sum of
	 * the municipalities' ranges it replaces; February is that sum */
	assert_int_equal(series(fed, "wonen", "waarde", 0), 575);
	assert_int_equal(series(fed, "wonen", "min", 0), 573);
	assert_int_equal(series(fed, "wonen", "max", 0), 577);
	assert_int_equal(series(fed, "wonen", "som_van_bereiken_min", 0),
	                 lo_jan);
	assert_int_equal(series(fed, "wonen", "som_van_bereiken_max", 0),
	                 hi_jan);
	assert_true(json_is_null(json_array_get(
	    json_object_get(json_array_get(fed, 0), "waarde"), 1)));
	assert_int_equal(json_integer_value(json_array_get(
	                     json_object_get(json_object_get(J, "federatie"),
	                                     "federatietotaal_gemeenten"),
	                     0)),
	                 2);
	assert_int_equal(json_integer_value(json_array_get(
	                     json_object_get(json_object_get(J, "federatie"),
	                                     "federatietotaal_gemeenten"),
	                     1)),
	                 0);
	assert_non_null(strstr(json_string_value(json_object_get(
	                           json_array_get(fed, 0), "totaal_tekst")),
	                       ", 2 van 2 gemeenten"));
	assert_int_equal(series(fed, "wonen", "min", 1), lo_feb);
	assert_int_equal(series(fed, "wonen", "max", 1), hi_feb);
	/* March: no summary yet, unknown (null), not zero */
	assert_true(json_is_null(
	    json_array_get(json_object_get(json_array_get(fed, 0), "max"), 2)));
	assert_int_equal(
	    json_integer_value(json_array_get(
	        json_object_get(json_object_get(J, "federatie"), "gemeenten"),
	        0)),
	    2);
	/* 4 documents combined: gent's correction (it supersedes the
	 * first), kortrijk x2 (as `signaalctl trends` counts them) and the
	 * federation summary */
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(J, "federatie"), "documenten")),
	                 4);

	assert_int_equal(req("GET", "/api/v1/trends",
	                     "tot=2025-02&maanden=2&thema=wonen", tok_coord,
	                     NULL),
	                 200);
	fed = json_object_get(json_object_get(J, "federatie"), "themas");
	assert_int_equal(json_array_size(fed), 1);
	assert_int_equal(series(fed, "wonen", "max", 1), hi_feb);
	assert_int_equal(json_array_size(json_object_get(
	                     json_object_get(J, "lokaal"), "themas")),
	                 1);

	assert_int_equal(
	    req("GET", "/api/v1/trends", "maanden=37", tok_coord, NULL), 400);
	refused(400, "bad_parameter", "maanden");
	assert_int_equal(
	    req("GET", "/api/v1/trends", "tot=2025-02+2", tok_coord, NULL),
	    400);
	assert_int_equal(
	    req("GET", "/api/v1/trends", "thema=nope", tok_coord, NULL), 422);
	refused(422, "unknown_code", "thema");
	assert_int_equal(req("GET", "/api/v1/trends", "tot=2000-01&maanden=2",
	                     tok_coord, NULL),
	                 400);
}

static void test_summary_preview(void **state)
{
	json_t *cells, *cell;
	size_t i;
	int primary = 0, exact = 0;
	struct node_trust trust;
	(void)state;
	for (int i2 = 0; i2 < 6; i2++)
		capture(tok_fw, "wonen", NULL);
	capture(tok_fw, "energie", NULL);
	assert_int_equal(req("GET", "/api/v1/summaries/preview",
	                     "periode=2025-03", tok_coord, NULL),
	                 200);
	assert_string_equal(jstr("modus"), "drempel");
	/* the release pipeline's preview: the period's state with it */
	assert_non_null(jstr("toestand"));
	assert_non_null(jstr("vrij_vanaf"));
	cells = json_object_get(J, "cellen");
	assert_true(json_array_size(cells) > 0);
	json_array_foreach(cells, i, cell)
	{
		const char *table =
		    json_string_value(json_object_get(cell, "tabel"));
		const char *theme =
		    json_string_value(json_object_get(cell, "thema"));
		const char *measure =
		    json_string_value(json_object_get(cell, "maat"));
		json_t *rel = json_object_get(cell, "vrijgegeven");
		if (strcmp(table, "thema") != 0 ||
		    strcmp(measure, "signalen") != 0)
			continue;
		if (strcmp(theme, "energie") == 0) {
			/* one signal is never released as a number */
			assert_string_equal(
			    json_string_value(json_object_get(rel, "soort")),
			    "bereik");
			assert_int_equal(
			    json_integer_value(json_object_get(cell, "echt")),
			    1);
			assert_string_equal(
			    json_string_value(json_object_get(cell, "reden")),
			    "primary");
			primary = 1;
		}
		if (strcmp(theme, "wonen") == 0 &&
		    strcmp(json_string_value(json_object_get(rel, "soort")),
		           "exact") == 0) {
			assert_int_equal(
			    json_integer_value(json_object_get(rel, "waarde")),
			    6);
			exact = 1;
		}
	}
	assert_true(primary);
	assert_true(exact);
	assert_int_equal(
	    req("GET", "/api/v1/summaries/preview", NULL, tok_coord, NULL),
	    400);
	refused(400, "bad_parameter", "periode");
	assert_int_equal(req("GET", "/api/v1/summaries/preview",
	                     "periode=maart", tok_coord, NULL),
	                 400);
	/* noise mode: the preview is the release's (signaalctl) */
	node_trust_init(&trust, FX_FEDERATION, NULL);
	proto_doc_init(&trust.policy, LS_DOC_POLICY);
	ls_policy_default(&trust.policy.body.policy, LS_MODE_NOISE);
	trust.policy.hdr.seq = 1;
	node_api_set_trust(api, &trust);
	assert_int_equal(req("GET", "/api/v1/summaries/preview",
	                     "periode=2025-03", tok_coord, NULL),
	                 503);
	refused(503, "unavailable", NULL);
	node_api_set_trust(api, NULL);
	node_trust_fini(&trust);
}

static json_t *node_entry(const char *id)
{
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(J, "knooppunten"), i, n)
	{
		if (strcmp(json_string_value(json_object_get(n, "id")), id) ==
		    0)
			return n;
	}
	return NULL;
}

static void test_federation(void **state)
{
	struct node_trust trust;
	struct ls_keypair *fed = fx_key("federation");
	struct ls_doc d;
	int64_t lo = 0, hi = 0;
	json_t *n;
	(void)state;
	memset(&heads, 0, sizeof heads);
	node_trust_init(&trust, FX_FEDERATION, fed->pk);
	proto_doc_init(&trust.roster, LS_DOC_ROSTER);
	fx_roster(&trust.roster.body.roster);
	trust.roster.hdr.seq = 1;
	node_api_set_trust(api, &trust);

	proto_doc_init(&d, LS_DOC_STATUS);
	fx_status(&d.body.status, 3); /* berlaar ok, bornem net, dendermonde
	                                 ok: last ok sync NOW-60 */
	publish(&d, "gent", NOW - 600);
	proto_doc_fini(&d);
	publish_summary("gent", 2, 300, 9, &lo, &hi, "wonen");
	publish_summary("eeklo", 1, 40, 9, &lo, &hi, "wonen");
	publish_summary("anders", 1, 40, 9, &lo, &hi, "wonen");
	assert_int_equal(
	    store_fork_add(f.s, "eeklo", 1, (const uint8_t *)"proof", 5),
	    LS_OK);
	/* anders's summary made under an earlier policy (PROTOCOL.md 5.3) */
	assert_int_equal(store_feed_set_uncounted(f.s, "anders", 1, 3), LS_OK);

	assert_int_equal(
	    req("GET", "/api/v1/federation", NULL, tok_coord, NULL), 200);
	assert_string_equal(jstr("federatie"), FX_FEDERATION);
	assert_int_equal(json_array_size(json_object_get(J, "knooppunten")),
	                 FX_N_MEMBERS + 1);
	n = node_entry("gent");
	assert_non_null(n);
	assert_string_equal(json_string_value(json_object_get(n, "naam")),
	                    "Gent");
	assert_true(json_is_true(json_object_get(n, "lid")));
	assert_int_equal(json_integer_value(json_object_get(n, "feed_seq")), 2);
	assert_int_equal(
	    json_integer_value(json_object_get(n, "status_leeftijd_s")), 600);
	assert_int_equal(
	    json_integer_value(json_object_get(n, "sync_achterstand_s")),
	    NOW - (FX_NOW - 60));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(n, "status"), "versie")),
	                    "0.1.0");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(n, "laatste_vrijgave"), "periode")),
	    "2025-02");
	assert_true(json_is_true(json_object_get(
	    json_object_get(n, "laatste_vrijgave"), "telt_mee")));
	assert_int_equal(json_integer_value(json_object_get(n, "niet_geteld")),
	                 0);
	assert_int_equal(json_integer_value(json_object_get(n, "forks")), 0);
	n = node_entry("eeklo");
	assert_int_equal(json_integer_value(json_object_get(n, "forks")), 1);
	assert_true(json_is_true(json_object_get(n, "in_quarantaine")));
	assert_true(json_is_null(json_object_get(n, "status")));
	n = node_entry("mortsel"); /* leaves the federation on 1 October */
	assert_true(json_is_true(json_object_get(n, "lid")));
	assert_string_equal(
	    json_string_value(json_object_get(n, "vertrokken_op")),
	    "2025-10-01T00:00:00Z");
	n = node_entry("anders"); /* documents from outside the roster */
	assert_non_null(n);
	assert_true(json_is_false(json_object_get(
	    json_object_get(n, "laatste_vrijgave"), "telt_mee")));
	assert_int_equal(json_integer_value(json_object_get(n, "niet_geteld")),
	                 1);
	assert_true(json_is_false(json_object_get(n, "lid")));
	assert_true(json_is_null(json_object_get(n, "naam")));
	n = node_entry("kortrijk");
	assert_true(json_is_true(json_object_get(n, "zelf")));
	assert_true(json_is_null(json_object_get(n, "laatst_gezien")));

	node_api_set_trust(api, NULL);
	node_trust_fini(&trust);
	proto_keypair_free(fed);
	/* without a roster: the origins the store holds */
	assert_int_equal(
	    req("GET", "/api/v1/federation", NULL, tok_coord, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(J, "knooppunten")), 3);
	assert_true(json_is_null(json_object_get(J, "federatie")));
	assert_true(json_is_null(json_object_get(
	    json_array_get(json_object_get(J, "knooppunten"), 0), "lid")));
}

/* --- pages ------------------------------------------------------------------
 */

/* Every src= and href= of a page: same origin ("/..." but not "//"), or a
 * fragment; and each same-origin reference is served. */
static void check_references(const char *body, size_t len)
{
	static const char *const attrs[] = {"src=\"", "href=\"", "action=\""};
	char *copy = strndup(body, len);
	assert_null(strstr(copy, "http://"));
	assert_null(strstr(copy, "https://"));
	assert_null(strstr(copy, "url("));
	assert_null(strstr(copy, "@import"));
	for (size_t a = 0; a < 3; a++) {
		for (char *p = strstr(copy, attrs[a]); p != NULL;
		     p = strstr(p + 1, attrs[a])) {
			char ref[200];
			char *v = p + strlen(attrs[a]);
			char *end = strchr(v, '"');
			assert_non_null(end);
			assert_true((size_t)(end - v) < sizeof ref);
			memcpy(ref, v, (size_t)(end - v));
			ref[end - v] = '\0';
			if (ref[0] == '#')
				continue;
			if (ref[0] != '/' || ref[1] == '/')
				fail_msg("external or relative reference '%s'",
				         ref);
			{
				struct node_api_response r2;
				struct node_api_request rq = {
				    .method = "GET", .path = ref, .now = NOW};
				node_api_handle(api, &rq, &r2);
				if (r2.status != 200)
					fail_msg("reference %s: %d", ref,
					         r2.status);
				node_api_response_fini(&r2);
			}
		}
	}
	free(copy);
}

static void test_pages(void **state)
{
	static const char *const pages[] = {
	    "/",
	    "/invoer",
	    "/dashboard",
	    "/federatie",
	    "/signalen",
	    "/dossiers",
	    "/static/signaal.css",
	    "/static/signaal.js",
	    "/static/invoer.js",
	    "/static/dashboard.js",
	    "/static/federatie.js",
	    "/static/signalen.js",
	    "/static/dossiers.js",
	    "/static/icoon.svg",
	};
	char etag[40];
	struct node_api_config ac = {0};
	struct node_api *bad;
	struct ls_errinfo e;
	(void)state;
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		const char *csp;
		assert_int_equal(req("GET", pages[i], NULL, NULL, NULL), 200);
		assert_true(resp.body_len > 100);
		csp =
		    node_api_response_header(&resp, "Content-Security-Policy");
		assert_non_null(csp);
		assert_non_null(strstr(csp, "default-src 'none'"));
		assert_non_null(strstr(csp, "script-src 'self'"));
		assert_null(strstr(csp, "unsafe"));
		assert_non_null(node_api_response_header(&resp, "ETag"));
		if (i < 6) {
			assert_string_equal(resp.content_type,
			                    "text/html; charset=utf-8");
			/* no inline script or style: the CSP would block
			 * them anyway */
			assert_null(strstr(resp.body, "<script>"));
			assert_null(strstr(resp.body, "style="));
			assert_null(strstr(resp.body, "<style"));
			assert_null(strstr(resp.body, " on"
			                              "click="));
			assert_non_null(strstr(resp.body, "lang=\"nl\""));
			assert_non_null(strstr(resp.body, "name=\"viewport\""));
		}
		if (strstr(pages[i], ".svg") == NULL) {
			char *copy = strndup(resp.body, resp.body_len);
			/* the SVG namespace is a name, not a download */
			char *ns;
			while (
			    (ns = strstr(copy, "http://www.w3.org/2000/svg")))
				memcpy(ns, "xxxx", 4);
			check_references(copy, strlen(copy));
			free(copy);
		}
	}
	assert_int_equal(req("GET", "/invoer", NULL, NULL, NULL), 200);
	snprintf(etag, sizeof etag, "%s",
	         node_api_response_header(&resp, "ETag"));
	{
		struct node_api_request r = {.method = "GET",
		                             .path = "/invoer",
		                             .if_none_match = etag,
		                             .now = NOW};
		node_api_response_fini(&resp);
		node_api_handle(api, &r, &resp);
		assert_int_equal(resp.status, 304);
		assert_int_equal(resp.body_len, 0);
	}
	/* a missing page directory stops the API from starting */
	ac.store = f.s;
	ac.config = &cfg;
	ac.web_dir = "/nonexistent/web";
	assert_int_equal(node_api_new(&ac, &bad, &e), LS_EIO);
	assert_null(bad);
	assert_non_null(strstr(e.msg, "index.html"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_health_and_readiness),
	    T(test_metrics_count_by_route_and_status),
	    T(test_authentication),
	    T(test_me_queue_key),
	    T(test_roles),
	    T(test_routing),
	    T(test_capture),
	    T(test_capture_answer_is_stored),
	    T(test_capture_idempotent),
	    T(test_capture_refusals_change_nothing),
	    T(test_capture_under_allocation_failure),
	    T(test_field_worker_sees_own_signals_only),
	    T(test_personless_token_names_no_reporter),
	    T(test_readiness_follows_health),
	    T(test_listing_pages_and_filters),
	    T(test_erase),
	    T(test_dossier_follow_up),
	    T(test_search_filters),
	    T(test_followup_and_unlink),
	    T(test_taxonomy),
	    T(test_trends),
	    T(test_summary_preview),
	    T(test_federation),
	    T(test_pages),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
