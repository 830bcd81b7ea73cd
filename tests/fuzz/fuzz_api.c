/*
 * libFuzzer harness for the API's request path (node/api.h): the JSON
 * bodies, the query strings and the Authorization header, through the
 * router, authentication, the strict input helpers and the routes that
 * write.
 *
 * Input: byte 0 picks the route and the token, the rest is the body (for
 * the routes that take one) or the query string. Checked on every run:
 * an answer is always given, with a status the API documents; a JSON
 * answer parses; a refusal carries a code and a Dutch message; and a
 * refused capture stores nothing (the signal count is unchanged), an
 * accepted one stores exactly one.
 *
 * The store lives in a temporary directory made once per process, with
 * the test taxonomy (tests/fixture.h) and one token per role.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "core/token.h"
#include "node/api.h"
#include "store/signal.h"
#include "store/store.h"
#include "store/taxonomy.h"
#include "store/token.h"
#include "tests/fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static struct node_api *api;
static struct ls_config cfg;
static char tokens[3][LS_TOKEN_TEXT_SIZE];
static char dir[64];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_api: %s\n", what);
	abort();
}

static void add_token(int i, int role, const char *org, const char *person)
{
	struct store_token t;
	uint8_t secret[LS_TOKEN_SECRET_BYTES];
	memset(&t, 0, sizeof t);
	ls_token_generate(t.id, secret);
	ls_token_hash(t.id, secret, t.hash);
	t.role = (uint8_t)role;
	snprintf(t.organisation, sizeof t.organisation, "%s", org);
	snprintf(t.person, sizeof t.person, "%s", person);
	t.created_at = 1;
	if (store_token_add(store, &t, NULL) != LS_OK)
		die("token");
	ls_token_format(t.id, secret, tokens[i]);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_api: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_options opt = {.create = 1, .synchronous = LS_SYNC_NORMAL};
	struct node_api_config ac = {0};
	char path[128], *tsv;
	size_t used = 0, cap = 64 * 1024;
	(void)argc;
	(void)argv;
	ls_log_set_level(LS_LOG_OFF);
	snprintf(dir, sizeof dir, "/tmp/signaal-fuzz-api.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	atexit(remove_dir);
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	if (store_open(path, &opt, &store, NULL) != LS_OK)
		die("store");
	/* The shared taxonomy as TSV, from the fixture's rows. */
	tsv = malloc(cap);
	if (tsv == NULL)
		die("alloc");
	used +=
	    (size_t)snprintf(tsv, cap, "dimension\tcode\tlabel_nl\tlabel_en\n");
	for (size_t i = 0; i < FX_N_TAXONOMY; i++)
		used += (size_t)snprintf(
		    tsv + used, cap - used, "%s\t%s\t%s\t%s\n",
		    ls_dim_name((enum ls_dim)fx_taxonomy_rows[i].dim),
		    fx_taxonomy_rows[i].code, fx_taxonomy_rows[i].nl,
		    fx_taxonomy_rows[i].en);
	if (store_taxonomy_load_tsv(store, tsv, used, NULL, NULL, NULL) !=
	    LS_OK)
		die("taxonomy");
	free(tsv);
	add_token(0, LS_TOKEN_VELDWERKER, "CLB Noord", "mw-12");
	add_token(1, LS_TOKEN_COORDINATOR, "Stad", "");
	add_token(2, LS_TOKEN_BEHEERDER, "", "");
	ls_config_defaults(&cfg);
	strcpy(cfg.node_id, "fuzz");
	strcpy(cfg.node_name, "Fuzz");
	ac.store = store;
	ac.config = &cfg;
	if (node_api_new(&ac, &api, NULL) != LS_OK)
		die("api");
	return 0;
}

static const struct {
	const char *method;
	const char *path;
	int body; /* 1: the input is the body, else the query */
} targets[] = {
    {"POST", "/api/v1/signals", 1},
    {"POST", "/api/v1/dossiers", 1},
    {"POST", "/api/v1/dossiers/1/phase", 1},
    {"POST", "/api/v1/dossiers/1/criteria", 1},
    {"POST", "/api/v1/dossiers/1/signals", 1},
    {"POST", "/api/v1/dossiers/1/actions", 1},
    {"POST", "/api/v1/dossiers/1/actions/1/result", 1},
    {"POST", "/api/v1/dossiers/1/feedback", 1},
    {"GET", "/api/v1/signals", 0},
    {"GET", "/api/v1/trends", 0},
    {"GET", "/api/v1/dossiers", 0},
    {"GET", "/api/v1/summaries/preview", 0},
    {"GET", "/api/v1/me", 2}, /* the input is the Authorization header */
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

static const int documented[] = {200, 201, 400, 401, 403, 404,
                                 405, 409, 413, 415, 422, 503};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_api_request r = {0};
	struct node_api_response resp;
	char auth[LS_TOKEN_TEXT_SIZE + 16], *text = NULL;
	uint64_t before = 0, after = 0;
	size_t t;
	int ok = 0;

	if (size < 1)
		return 0;
	t = data[0] % N_TARGETS;
	r.method = targets[t].method;
	r.path = targets[t].path;
	r.now = 1742040000;
	snprintf(auth, sizeof auth, "Bearer %s",
	         tokens[(data[0] / N_TARGETS) % 3]);
	r.authorization = auth;
	if (targets[t].body == 1) {
		r.content_type = "application/json";
		r.body = data + 1;
		r.body_len = size - 1;
	} else {
		/* query and header are C strings: stop at a NUL */
		text = strndup((const char *)data + 1, size - 1);
		if (text == NULL)
			return 0;
		if (targets[t].body == 0)
			r.query = text;
		else
			r.authorization = text;
	}
	if (store_signal_count(store, &before) != LS_OK)
		die("count");
	node_api_handle(api, &r, &resp);
	if (store_signal_count(store, &after) != LS_OK)
		die("count");

	for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
		ok |= resp.status == documented[i];
	if (!ok || resp.body == NULL || resp.content_type == NULL)
		__builtin_trap();
	if (strncmp(resp.content_type, "application/json", 16) == 0) {
		json_t *doc = json_loadb(resp.body, resp.body_len, 0, NULL);
		if (doc == NULL || !json_is_object(doc))
			__builtin_trap();
		if (resp.status >= 400 &&
		    (!json_is_string(json_object_get(doc, "code")) ||
		     !json_is_string(json_object_get(doc, "melding"))))
			__builtin_trap();
		json_decref(doc);
	}
	if (t == 0 && resp.status != 201 && after != before)
		__builtin_trap(); /* a refused capture stored something */
	if (t == 0 && resp.status == 201 && after != before + 1)
		__builtin_trap();
	if (targets[t].body != 1 && after != before)
		__builtin_trap(); /* a read stored something */
	node_api_response_fini(&resp);
	free(text);
	return 0;
}
