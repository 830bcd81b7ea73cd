/*
 * Routes about the node itself: liveness (/healthz), readiness
 * (/readyz), the Prometheus metrics (/metrics), who the caller is
 * (/api/v1/me, with the key of their kept web queue) and the taxonomy the
 * capture form offers
 * (/api/v1/taxonomy).
 *
 * Readiness means "fully in service": the store answers with the schema
 * this build knows, the roster is loaded (when a federation is
 * configured), and at least one configured peer answered its last sync.
 * A node that is not ready still captures signals (capture needs no
 * peer), so /readyz is for monitoring and load balancers, /healthz for
 * restarts.
 */
#include "common/alloc.h"
#include "core/member.h"
#include "common/text.h"
#include "node/api_internal.h"
#include "node/secret.h"
#include "node/trust.h"
#include "store/store.h"

#include <sodium.h>
#include <string.h>

int node_api_healthz(struct api_call *c)
{
	const struct node_api *api = c->api;
	return node_api_reply_json(c, 200,
	                           json_pack("{s:s, s:s, s:s}", "status", "ok",
	                                     "knooppunt", api->config->node_id,
	                                     "versie", api->software));
}

int node_api_readyz(struct api_call *c)
{
	const struct node_api *api = c->api;
	json_t *checks = json_object(), *doc;
	int version = 0, db_ok, roster_ok = 1, peers_ok = 1, health_ok = 1;
	int ready;

	db_ok = store_schema_version(api->store, &version) == LS_OK &&
	        version == store_schema_latest();
	json_object_set_new(
	    checks, "databank",
	    json_pack("{s:b, s:s}", "ok", db_ok, "melding",
	              db_ok ? "de databank is open"
	                    : "de databank antwoordt niet of heeft een "
	                      "onbekende versie"));
	if (api->trust == NULL || !api->trust->has_anchor) {
		json_object_set_new(checks, "roster",
		                    json_pack("{s:b, s:s}", "ok", 1, "melding",
		                              "geen federatie ingesteld"));
	} else {
		roster_ok = node_trust_roster(api->trust) != NULL;
		json_object_set_new(
		    checks, "roster",
		    json_pack("{s:b, s:s}", "ok", roster_ok, "melding",
		              roster_ok ? "de ledenlijst is geladen"
		                        : "nog geen ledenlijst van de "
		                          "federatie ontvangen"));
	}
	if (api->hooks.peers != NULL) {
		unsigned configured = 0, reachable = 0;
		int rc =
		    api->hooks.peers(api->hooks.arg, &configured, &reachable);
		peers_ok = rc == LS_OK && (configured == 0 || reachable > 0);
		json_object_set_new(
		    checks, "peers",
		    json_pack("{s:b, s:i, s:i, s:s}", "ok", peers_ok,
		              "ingesteld", (int)configured, "bereikbaar",
		              (int)reachable, "melding",
		              peers_ok ? "bereikbaar"
		                       : "geen enkele peer antwoordde"));
	} else {
		json_object_set_new(checks, "peers",
		                    json_pack("{s:b, s:s}", "ok", 1, "melding",
		                              "geen synchronisatie op dit "
		                              "knooppunt"));
	}
	if (api->hooks.health != NULL) {
		char why[600] = "";
		health_ok =
		    api->hooks.health(api->hooks.arg, why, sizeof why) == LS_OK;
		json_object_set_new(
		    checks, "opslag",
		    json_pack("{s:b, s:s}", "ok", health_ok, "melding",
		              health_ok ? "de databank is in orde, neemt "
		                          "gegevens aan en heeft schijfruimte"
		                        : why));
	}
	ready = db_ok && roster_ok && peers_ok && health_ok;
	doc = json_pack("{s:b, s:o}", "klaar", ready, "controles", checks);
	return node_api_reply_json(c, ready ? 200 : 503, doc);
}

int node_api_metrics(struct api_call *c)
{
	const struct node_api *api = c->api;
	char *daemon = NULL, *own = NULL, *all;
	size_t dlen = 0, olen = 0;
	int rc;

	if (api->hooks.metrics != NULL &&
	    (rc = api->hooks.metrics(api->hooks.arg, &daemon, &dlen)) != LS_OK)
		return node_api_fail_code(c, rc, NULL, NULL);
	if ((rc = node_api_metrics_format(api, &own, &olen)) != LS_OK) {
		ls_free(daemon);
		return node_api_fail_code(c, rc, NULL, NULL);
	}
	all = ls_malloc(dlen + olen + 1);
	if (all == NULL) {
		ls_free(daemon);
		ls_free(own);
		return node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	}
	if (dlen > 0)
		memcpy(all, daemon, dlen);
	memcpy(all + dlen, own, olen);
	all[dlen + olen] = '\0';
	ls_free(daemon);
	ls_free(own);
	return node_api_reply_owned(c, 200,
	                            "text/plain; version=0.0.4; "
	                            "charset=utf-8",
	                            all, dlen + olen);
}

/* The caller's web queue key (node/secret.h: the same for every token
 * of one role, organisation and person) and the web secret's
 * fingerprint, into doc; nothing when the node has no web secret. The
 * answer is no-store, like every API answer. */
static void add_queue_key(const struct api_call *c, json_t *doc)
{
	uint8_t key[NODE_WEB_QUEUE_KEY_BYTES];
	uint8_t version[NODE_WEB_QUEUE_VERSION_BYTES];
	char b64[sodium_base64_ENCODED_LEN(NODE_WEB_QUEUE_KEY_BYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	char hex[2 * NODE_WEB_QUEUE_VERSION_BYTES + 1];

	if (c->api->web_secret == NULL || doc == NULL ||
	    node_web_queue_key(
	        c->api->web_secret, ls_token_role_name(c->who.role),
	        c->who.organisation, c->who.person, key) != LS_OK)
		return;
	sodium_bin2base64(b64, sizeof b64, key, sizeof key,
	                  sodium_base64_VARIANT_ORIGINAL);
	node_web_queue_version(c->api->web_secret, version);
	ls_hex_encode(version, sizeof version, hex);
	json_object_set_new(doc, "wachtrij_sleutel", json_string(b64));
	json_object_set_new(doc, "wachtrij_versie", json_string(hex));
	sodium_memzero(key, sizeof key);
	sodium_memzero(b64, sizeof b64);
}

int node_api_me(struct api_call *c)
{
	const struct node_api *api = c->api;
	const char *fed = api->trust != NULL && api->trust->has_anchor
	                      ? api->trust->federation
	                      : NULL;
	json_t *doc = json_pack(
	    "{s:s, s:s, s:o, s:o, s:{s:s, s:s, s:s}, s:o}", "token", c->who.id,
	    "rol", ls_token_role_name(c->who.role), "organisatie",
	    node_api_json_text(c->who.organisation), "persoon",
	    node_api_json_text(c->who.person), "knooppunt", "id",
	    api->config->node_id, "naam", api->config->node_name, "rol",
	    ls_role_name(api->config->role), "federatie",
	    node_api_json_text(fed));
	add_queue_key(c, doc);
	return node_api_reply_json(c, 200, doc);
}

int node_api_taxonomy(struct api_call *c)
{
	const struct ls_taxonomy *t = store_taxonomy(c->api->store);
	json_t *doc = json_object(), *dims[LS_DIM_COUNT_];
	for (int d = 0; d < LS_DIM_COUNT_; d++) {
		dims[d] = json_array();
		json_object_set_new(doc, ls_dim_name_nl((enum ls_dim)d),
		                    dims[d]);
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct ls_taxonomy_entry *x = &t->entries[i];
		if (x->dim >= LS_DIM_COUNT_)
			continue;
		json_array_append_new(
		    dims[x->dim],
		    json_pack("{s:s, s:s, s:s, s:b, s:o}", "code", x->code,
		              "label", x->label_nl, "label_en", x->label_en,
		              "lokaal", x->local, "onder",
		              node_api_json_text(x->parent)));
	}
	return node_api_reply_json(c, 200, doc);
}
