/*
 * Signal routes: capture (POST /api/v1/signals), listing with filters
 * and pages, one signal, and erasure.
 *
 * Capture takes a JSON object whose members are the Dutch field names of
 * the CSV format and of `signal export --formaat json`. Each member is
 * type-checked, then turned into the field's text form and handed to the
 * same parser and validation as the CSV import and `signaalctl signal
 * add` (core/signal.h), so the API accepts and refuses exactly what the
 * CLI does. Unknown members are refused, not ignored: a misspelt
 * "omschrijvng" would otherwise drop the description silently. The
 * registration date, id and status are the node's to set (a registration
 * in the past could change a period already released to the federation).
 * The organisation (and reporter) of a field worker's token are the
 * signal's; a body that names another is refused.
 *
 * A 201 is sent only after the signal is committed; the answer is the
 * signal as stored (store_signal_capture leaves it as a read would give
 * it back), without reading it again.
 *
 * Every signal comes with its follow-up ("opvolging"): the dossiers it
 * is linked to and the feedback they gave its organisation.
 *
 * Field workers see only their own signals: the listing is filtered on
 * the token's organisation (and person), and another signal is a 404, so
 * that its existence is not revealed either.
 */
#include "common/log.h"
#include "common/text.h"
#include "view/signal_json.h"
#include "node/api_internal.h"
#include "store/dossier.h"
#include "store/signal.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum in_kind { IN_CODE, IN_CODES, IN_TEXT, IN_INT, IN_DATE };

/* The members a capture may have, and the field each one sets. */
static const struct {
	const char *name;
	enum ls_signal_field field;
	uint8_t kind;
	uint8_t dim;
	uint8_t max;
} inputs[] = {
    {"thema", LS_FIELD_THEME, IN_CODES, LS_DIM_THEME, LS_SIGNAL_MAX_THEMES},
    {"probleemtype", LS_FIELD_PROBLEM, IN_CODE, LS_DIM_PROBLEM, 1},
    {"leeftijd", LS_FIELD_AGE, IN_CODE, LS_DIM_AGE, 1},
    {"doelgroep", LS_FIELD_TARGET, IN_CODES, LS_DIM_TARGET,
     LS_SIGNAL_MAX_TARGETS},
    {"sector", LS_FIELD_SECTOR, IN_CODE, LS_DIM_SECTOR, 1},
    {"organisatie", LS_FIELD_ORGANISATION, IN_TEXT, 0, 0},
    {"melder", LS_FIELD_REPORTER, IN_TEXT, 0, 0},
    {"aantal_personen", LS_FIELD_PERSONS, IN_INT, 0, 0},
    {"ernst", LS_FIELD_SEVERITY, IN_INT, 0, 0},
    {"wijk", LS_FIELD_NEIGHBOURHOOD, IN_TEXT, 0, 0},
    {"omschrijving", LS_FIELD_DESCRIPTION, IN_TEXT, 0, 0},
    {"vastgesteld_op", LS_FIELD_OBSERVED_ON, IN_DATE, 0, 0},
};
#define N_INPUTS (sizeof inputs / sizeof inputs[0])

/* Members that exist in the export format but are the node's to set. */
static const char *const node_owned[] = {"id", "status", "geregistreerd_op",
                                         "bewaard_op"};

static const char *input_name(enum ls_signal_field f)
{
	for (size_t i = 0; i < N_INPUTS; i++)
		if (inputs[i].field == f)
			return inputs[i].name;
	return ls_signal_field_name_nl(f);
}

/* --- output ----------------------------------------------------------- */

struct followup {
	json_t *list; /* [{dossier, titel, fase, feedback: [...]}] */
	int failed;
};

static int followup_cb(void *ctx, const struct store_dossier_followup *f)
{
	struct followup *fu = ctx;
	size_t n = json_array_size(fu->list);
	json_t *last = n > 0 ? json_array_get(fu->list, n - 1) : NULL;
	if (last == NULL || json_integer_value(json_object_get(
	                        last, "dossier")) != f->dossier) {
		last = json_pack("{s:I, s:s, s:s, s:[]}", "dossier",
		                 (json_int_t)f->dossier, "titel", f->title,
		                 "fase", ls_phase_name((enum ls_phase)f->phase),
		                 "feedback");
		if (last == NULL ||
		    json_array_append_new(fu->list, last) != 0) {
			fu->failed = 1;
			return 0;
		}
	}
	if (f->feedback != NULL &&
	    json_array_append_new(json_object_get(last, "feedback"),
	                          json_pack("{s:o, s:s}", "op",
	                                    node_api_json_time(f->feedback_at),
	                                    "tekst", f->feedback)) != 0)
		fu->failed = 1;
	return 0;
}

/* What became of the signal ("opvolging"): the dossiers it is linked to
 * and the feedback they gave its own organisation — what a field worker
 * sees of the follow-up. NULL when it cannot be read (the caller then
 * fails: a signal shown without its follow-up would tell the field
 * worker that nothing happened). */
static json_t *followup_json(const struct api_call *c,
                             const uint8_t id[LS_SIGNAL_ID_BYTES])
{
	struct followup fu = {.list = json_array()};
	struct ls_errinfo e;
	int rc;
	if (fu.list == NULL)
		return NULL;
	ls_errinfo_clear(&e);
	rc = store_dossier_followup(c->api->store, id, followup_cb, &fu, &e);
	if (rc != LS_OK || fu.failed) {
		LS_WARN("http", "followup_unreadable", "rc=%s",
		        ls_errname(rc != LS_OK ? rc : LS_ENOMEM));
		json_decref(fu.list);
		return NULL;
	}
	return fu.list;
}

/* The signal as JSON: the export's shape plus when it was stored and
 * its follow-up. (A capture's answer is the same as text:
 * capture_answer.) */
static json_t *signal_json(const struct api_call *c,
                           const struct ls_signal *sig, int64_t created)
{
	json_t *o = ls_signal_json(sig);
	if (o != NULL &&
	    (json_object_set_new(o, "bewaard_op",
	                         node_api_json_time(created)) != 0 ||
	     json_object_set_new(o, "opvolging", followup_json(c, sig->id)) !=
	         0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Is the signal the caller's to see? Field workers: same organisation,
 * and same reporter when the token names a person. */
static int visible(const struct api_call *c, const struct ls_signal *sig)
{
	if (c->who.role != LS_TOKEN_VELDWERKER)
		return 1;
	if (sig->organisation.len != strlen(c->who.organisation) ||
	    memcmp(sig->organisation.ptr, c->who.organisation,
	           sig->organisation.len) != 0)
		return 0;
	if (c->who.person[0] == '\0')
		return 1;
	return sig->reporter.len == strlen(c->who.person) &&
	       memcmp(sig->reporter.ptr, c->who.person, sig->reporter.len) == 0;
}

struct one {
	const struct api_call *c;
	json_t *json;
	int hidden;
};

static int one_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct one *o = ctx;
	if (!visible(o->c, sig)) {
		o->hidden = 1;
		return 0;
	}
	o->json = signal_json(o->c, sig, created);
	return 0;
}

/* --- capture ---------------------------------------------------------- */

/* A code (or each code of a list) must exist in the taxonomy; a capital
 * is forgiven as the CSV import does. */
static int check_code(struct api_call *c, const char *member, uint8_t dim,
                      const char *code)
{
	char lower[LS_CODE_SIZE];
	size_t len = strlen(code);
	if (len > 0 && len <= LS_CODE_MAX) {
		for (size_t i = 0; i <= len; i++)
			lower[i] = (code[i] >= 'A' && code[i] <= 'Z')
			               ? (char)(code[i] + 32)
			               : code[i];
		if (ls_code_valid(lower, len) &&
		    ls_taxonomy_find(store_taxonomy(c->api->store),
		                     (enum ls_dim)dim, lower, len) != NULL)
			return 0;
	}
	return node_api_fail(c, API_E_UNKNOWN_CODE, member,
	                     "Onbekende %s-code '%.40s' in het veld '%s'.",
	                     ls_dim_name_nl((enum ls_dim)dim), code, member);
}

/* Set one member's field through core/signal.h. */
static int set_member(struct api_call *c, struct ls_signal *sig, size_t which,
                      json_t *v)
{
	const char *name = inputs[which].name;
	struct ls_errinfo e;
	char buf[LS_SIGNAL_MAX_TARGETS * (LS_CODE_SIZE + 1) + 1];
	const char *text = NULL;
	size_t len = 0;

	ls_errinfo_clear(&e);
	if (json_is_null(v))
		return 0; /* not given */
	switch (inputs[which].kind) {
	case IN_CODE:
		if (!json_is_string(v))
			return node_api_fail(
			    c, API_E_WRONG_TYPE, name,
			    "Het veld '%s' moet een code (tekst) "
			    "zijn.",
			    name);
		if (check_code(c, name, inputs[which].dim,
		               json_string_value(v)) != 0)
			return -1;
		text = json_string_value(v);
		len = json_string_length(v);
		break;
	case IN_CODES: {
		size_t i;
		json_t *item;
		if (!json_is_array(v))
			return node_api_fail(
			    c, API_E_WRONG_TYPE, name,
			    "Het veld '%s' moet een lijst van codes "
			    "zijn, bv. [\"wonen\"].",
			    name);
		if (json_array_size(v) > inputs[which].max)
			return node_api_fail(
			    c, API_E_INVALID_VALUE, name,
			    "Het veld '%s' heeft te veel codes "
			    "(hoogstens %d).",
			    name, inputs[which].max);
		json_array_foreach(v, i, item)
		{
			if (!json_is_string(item))
				return node_api_fail(
				    c, API_E_WRONG_TYPE, name,
				    "Het veld '%s' moet een lijst "
				    "van codes (teksten) zijn.",
				    name);
			if (check_code(c, name, inputs[which].dim,
			               json_string_value(item)) != 0)
				return -1;
			/* Checked codes hold no '|': joining is safe. */
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			                        "%s%s", i ? "|" : "",
			                        json_string_value(item));
		}
		text = buf;
		break;
	}
	case IN_TEXT:
	case IN_DATE:
		if (!json_is_string(v))
			return node_api_fail(
			    c, API_E_WRONG_TYPE, name,
			    "Het veld '%s' moet een tekst zijn.", name);
		text = json_string_value(v);
		len = json_string_length(v);
		break;
	case IN_INT:
		if (!json_is_integer(v))
			return node_api_fail(
			    c, API_E_WRONG_TYPE, name,
			    "Het veld '%s' moet een geheel getal "
			    "zijn.",
			    name);
		len = (size_t)snprintf(buf, sizeof buf, "%lld",
		                       (long long)json_integer_value(v));
		text = buf;
		break;
	}
	if (ls_signal_set_field(sig, inputs[which].field, text, len,
	                        store_taxonomy(c->api->store), &e) != LS_OK)
		return node_api_fail(c, API_E_INVALID_VALUE, name,
		                     "Veld '%s': %s.", name, e.msg);
	return 0;
}

/* A field worker's token binds the signal to its organisation (and
 * person): a body may repeat them but not name others. For other roles
 * they are defaults the body may override. */
static int bind_owner(struct api_call *c, struct ls_signal *sig,
                      const char *member, enum ls_signal_field field,
                      const char *own)
{
	const struct ls_text *t = field == LS_FIELD_ORGANISATION
	                              ? &sig->organisation
	                              : &sig->reporter;
	struct ls_errinfo e;
	if (own[0] == '\0')
		return 0;
	/* Coordinators and admins capture for any organisation; theirs
	 * is only the default. */
	if (c->who.role != LS_TOKEN_VELDWERKER && t->len > 0)
		return 0;
	if (t->len > 0 &&
	    (t->len != strlen(own) || memcmp(t->ptr, own, t->len) != 0))
		return node_api_fail(
		    c, API_E_FORBIDDEN, member,
		    "Met dit token registreert u signalen voor "
		    "'%s'; laat het veld '%s' weg.",
		    own, member);
	if (ls_signal_set_field(sig, field, own, strlen(own),
	                        store_taxonomy(c->api->store), &e) != LS_OK)
		return node_api_fail(c, API_E_INVALID_VALUE, member,
		                     "Veld '%s': %s.", member, e.msg);
	return 0;
}

/* --- idempotent capture ------------------------------------------------ */

/* The Idempotency-Key: 1 to NODE_API_IDEMPOTENCY_KEY_MAX visible ASCII
 * characters. key_hash binds it to the token (another token's equal key
 * is another key), req_hash is the body's. */
static int capture_key(struct api_call *c, uint8_t *key_hash,
                       uint8_t *req_hash)
{
	const char *k = c->req->idempotency_key;
	size_t n = strlen(k);
	crypto_generichash_state st;
	int ok = n >= 1 && n <= NODE_API_IDEMPOTENCY_KEY_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = k[i] > ' ' && k[i] < 0x7f;
	if (!ok)
		return node_api_fail(
		    c, API_E_BAD_PARAMETER, "Idempotency-Key",
		    "De Idempotency-Key moet 1 tot %d zichtbare "
		    "tekens zijn (letters, cijfers, leestekens).",
		    NODE_API_IDEMPOTENCY_KEY_MAX);
	crypto_generichash_init(&st, NULL, 0, STORE_CAPTURE_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"signaal-capture-key",
	                          19);
	crypto_generichash_update(&st, (const uint8_t *)c->who.id,
	                          strlen(c->who.id) + 1);
	crypto_generichash_update(&st, (const uint8_t *)k, n);
	crypto_generichash_final(&st, key_hash, STORE_CAPTURE_HASH_BYTES);
	crypto_generichash(req_hash, STORE_CAPTURE_HASH_BYTES,
	                   c->req->body_len > 0 ? c->req->body
	                                        : (const uint8_t *)"",
	                   c->req->body_len, NULL, 0);
	return 0;
}

/* A key seen before: answer as the first time (201 with the signal as
 * it is now, Idempotent-Replayed: true), or 422 when it came with other
 * data. *replied 0: the key is new. 0 or -1 (answered with an error). */
static int replay(struct api_call *c, const uint8_t *key_hash,
                  const uint8_t *req_hash, int *replied)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	struct one back = {.c = c};
	struct ls_errinfo e;
	int found, same, rc;

	*replied = 0;
	rc = store_capture_key_find(c->api->store, key_hash, req_hash, &found,
	                            &same, id);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, NULL, NULL);
	if (!found)
		return 0;
	if (!same)
		return node_api_fail(c, API_E_KEY_REUSED, "Idempotency-Key",
		                     NULL);
	ls_signal_id_format(id, hex);
	ls_errinfo_clear(&e);
	rc = store_signal_get(c->api->store, id, one_cb, &back, &e);
	if (rc == LS_ENOTFOUND || (rc == LS_OK && back.json == NULL)) {
		json_decref(back.json);
		return node_api_fail(c, API_E_CONFLICT, "Idempotency-Key",
		                     "Dit signaal werd al bewaard (%s) en is "
		                     "intussen gewist.",
		                     hex);
	}
	if (rc != LS_OK) {
		json_decref(back.json);
		return node_api_fail_code(c, rc, &e, NULL);
	}
	node_api_header_add(c, "Location", "/api/v1/signals/%s", hex);
	node_api_header_add(c, "Idempotent-Replayed", "true");
	*replied = 1;
	if (node_api_reply_json(c, 201, back.json) != 0)
		return -1;
	return 0;
}

/* The request's members into sig: known inputs only; a field the node
 * sets itself or an unknown one is refused by name. */
static int members_set(struct api_call *c, struct ls_signal *sig, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t which = N_INPUTS;
		for (size_t i = 0; i < N_INPUTS; i++)
			if (strcmp(key, inputs[i].name) == 0)
				which = i;
		if (which == N_INPUTS) {
			for (size_t i = 0;
			     i < sizeof node_owned / sizeof node_owned[0]; i++)
				if (strcmp(key, node_owned[i]) == 0)
					return node_api_fail(
					    c, API_E_FIELD_NOT_ALLOWED, key,
					    "Het veld '%s' zet het knooppunt "
					    "zelf; laat het weg.",
					    key);
			return node_api_fail(c, API_E_UNKNOWN_FIELD, key,
			                     "Onbekend veld '%.60s'.", key);
		}
		if (set_member(c, sig, which, v) != 0)
			return -1;
	}
	return 0;
}

/* The owners the token binds: its organisation, and its person as the
 * reporter when the signal is of that organisation. */
static int owners_bind(struct api_call *c, struct ls_signal *sig)
{
	if (bind_owner(c, sig, "organisatie", LS_FIELD_ORGANISATION,
	               c->who.organisation) != 0)
		return -1;
	/* The token's person belongs to the token's organisation. */
	if ((c->who.role == LS_TOKEN_VELDWERKER ||
	     (sig->organisation.len > 0 &&
	      sig->organisation.len == strlen(c->who.organisation) &&
	      memcmp(sig->organisation.ptr, c->who.organisation,
	             sig->organisation.len) == 0)) &&
	    bind_owner(c, sig, "melder", LS_FIELD_REPORTER, c->who.person) !=
	        0)
		return -1;
	/* A field worker's token without a person names no reporter: the
	 * signal would show in that person's own list. */
	if (c->who.role == LS_TOKEN_VELDWERKER && c->who.person[0] == '\0' &&
	    sig->reporter.len > 0)
		return node_api_fail(
		    c, API_E_INVALID_VALUE, "melder",
		    "Dit token hoort niet bij een persoon en kan "
		    "geen melder opgeven; laat het veld 'melder' "
		    "weg (of vraag een token op naam).");
	return 0;
}

/* Every field a new signal must have, in the order the form asks. */
static int required_given(struct api_call *c, const struct ls_signal *sig)
{
	static const enum ls_signal_field required[] = {
	    LS_FIELD_THEME, LS_FIELD_AGE, LS_FIELD_SECTOR,
	    LS_FIELD_ORGANISATION};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		int given = 1;
		switch (required[i]) {
		case LS_FIELD_THEME:
			given = sig->n_themes > 0;
			break;
		case LS_FIELD_AGE:
			given = sig->age != NULL;
			break;
		case LS_FIELD_SECTOR:
			given = sig->sector != NULL;
			break;
		default:
			given = sig->organisation.len > 0;
			break;
		}
		if (!given)
			return node_api_fail(c, API_E_MISSING_FIELD,
			                     input_name(required[i]),
			                     "Het veld '%s' is verplicht.",
			                     input_name(required[i]));
	}
	return 0;
}

/* The 201 of a capture: the signal as signal_json shows it (what a GET
 * answers, byte for byte), written as text without building the object
 * (view/signal_json.h; a new signal's follow-up is empty). 0, or -1
 * with nothing answered. */
static int capture_answer(struct api_call *c, const struct ls_signal *sig,
                          int64_t created)
{
	struct ls_buf b;
	char when[32];
	char *text;
	size_t len;
	node_api_time_iso(created, when, sizeof when);
	ls_buf_init(&b, 0);
	if (ls_signal_json_open(sig, &b) != LS_OK) {
		ls_buf_fini(&b);
		return -1;
	}
	if (when[0] != '\0')
		ls_buf_printf(&b, ",\"bewaard_op\":\"%s\"", when);
	else
		ls_buf_puts(&b, ",\"bewaard_op\":null");
	ls_buf_puts(&b, ",\"opvolging\":[]}");
	if (ls_buf_error(&b) != LS_OK ||
	    (text = ls_buf_take(&b, &len)) == NULL) {
		ls_buf_fini(&b);
		return -1;
	}
	return node_api_reply_json_text(c, 201, text, len);
}

int node_api_signals_create(struct api_call *c)
{
	struct ls_signal sig;
	struct ls_errinfo e;
	enum ls_signal_field bad = LS_FIELD_COUNT_;
	struct ls_date today;
	char date[LS_DATE_SIZE], hex[LS_SIGNAL_ID_HEX_SIZE];
	int64_t created = 0;
	uint8_t key_hash[STORE_CAPTURE_HASH_BYTES];
	uint8_t req_hash[STORE_CAPTURE_HASH_BYTES];
	json_t *obj;
	int rc, keyed = 0;

	if (node_api_body(c, &obj) != 0)
		return -1;
	if (c->req->idempotency_key != NULL) {
		int replied = 0;
		if (capture_key(c, key_hash, req_hash) != 0)
			return -1;
		if (replay(c, key_hash, req_hash, &replied) != 0 || replied)
			return replied ? 0 : -1;
		keyed = 1;
	}
	ls_signal_init(&sig);
	if (members_set(c, &sig, obj) != 0 || owners_bind(c, &sig) != 0)
		return -1;
	node_api_today(c, &today);
	ls_date_format(&today, date);
	if (ls_signal_set_field(&sig, LS_FIELD_REGISTERED_AT, date,
	                        strlen(date), store_taxonomy(c->api->store),
	                        &e) != LS_OK)
		return node_api_fail(c, API_E_INTERNAL, NULL, NULL);
	if (required_given(c, &sig) != 0)
		return -1;
	ls_errinfo_clear(&e);
	if (ls_signal_validate(&sig, &bad, &e) != LS_OK)
		return node_api_fail(c, API_E_INVALID_VALUE,
		                     bad < LS_FIELD_COUNT_ ? input_name(bad)
		                                           : NULL,
		                     "%s.", e.msg);
	ls_errinfo_clear(&e);
	rc = store_signal_capture(c->api->store, &sig, keyed ? key_hash : NULL,
	                          keyed ? req_hash : NULL, &created, &e);
	if (rc == LS_EEXISTS && keyed) {
		/* The same key came in between (another connection). */
		int replied = 0;
		if (replay(c, key_hash, req_hash, &replied) != 0 || replied)
			return replied ? 0 : -1;
	}
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	/* Committed (or in the writer's open batch, committed before the
	 * answer leaves): from here on the answer is a 201, whatever else
	 * fails. It is what the store holds: sig as store_signal_capture
	 * left it is what a read gives back (test_capture_answer_is_stored
	 * compares the two), and a signal made in this transaction is in
	 * no dossier yet, so its follow-up is empty. No second read. When
	 * the encoding fails, the id alone. */
	ls_signal_id_format(sig.id, hex);
	node_api_header_add(c, "Location", "/api/v1/signals/%s", hex);
	if (visible(c, &sig) && capture_answer(c, &sig, created) == 0)
		return 0;
	LS_WARN("http", "capture_answer_short", "rc=%s", ls_errname(LS_ENOMEM));
	return node_api_reply_small(c, 201,
	                            "{\"id\":\"%s\",\"melding\":\"Het signaal "
	                            "is bewaard.\"}",
	                            hex);
}

/* --- reading -------------------------------------------------------- */

int node_api_signal_get(struct api_call *c)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	struct one o = {.c = c};
	struct ls_errinfo e;
	int rc;
	if (node_api_seg_signal_id(c, 3, id) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_signal_get(c->api->store, id, one_cb, &o, &e);
	if (rc == LS_ENOTFOUND || (rc == LS_OK && o.hidden))
		return node_api_fail(c, API_E_NOT_FOUND, NULL,
		                     "Geen signaal met deze id.");
	if (rc != LS_OK || o.json == NULL) {
		json_decref(o.json);
		return node_api_fail_code(c, rc != LS_OK ? rc : LS_EINTERNAL,
		                          &e, NULL);
	}
	return node_api_reply_json(c, 200, o.json);
}

struct page {
	const struct api_call *c;
	json_t *list;
	int failed; /* out of memory: the page would miss a signal */
};

static int page_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct page *p = ctx;
	if (json_array_append_new(p->list, signal_json(p->c, sig, created)) !=
	    0)
		p->failed = 1;
	return 0;
}

/* "YYYY-MM-DD.SEQ", the cursor the listing hands out. */
static int parse_cursor(const char *text, struct store_signal_cursor *cur)
{
	size_t len = strlen(text);
	if (len < LS_DATE_SIZE + 1 || text[LS_DATE_SIZE - 1] != '.')
		return LS_EINVAL;
	if (ls_date_parse(text, LS_DATE_SIZE - 1, &cur->registered_at) != LS_OK)
		return LS_EINVAL;
	return ls_parse_i64(text + LS_DATE_SIZE, 1, INT64_MAX, &cur->seq);
}

static int filter_code(struct api_call *c, const char *param, enum ls_dim dim,
                       const char *value)
{
	if (value == NULL)
		return 0;
	if (ls_taxonomy_find(store_taxonomy(c->api->store), dim, value,
	                     strlen(value)) == NULL)
		return node_api_fail(c, API_E_UNKNOWN_CODE, param,
		                     "Onbekende %s-code '%.40s'.",
		                     ls_dim_name_nl(dim), value);
	return 0;
}

/* The coordinator's search filters: doelgroep, sector, organisatie,
 * zoek (free text) and dossier. A field worker's list is its own
 * organisation's (and person's): naming another organisation, or a
 * dossier (which it may not read), is refused. */
static int search_filters(struct api_call *c, struct store_signal_filter *f)
{
	const char *v;
	f->target = node_api_param(c, "doelgroep");
	f->sector = node_api_param(c, "sector");
	if (filter_code(c, "doelgroep", LS_DIM_TARGET, f->target) != 0 ||
	    filter_code(c, "sector", LS_DIM_SECTOR, f->sector) != 0)
		return -1;
	if ((v = node_api_param(c, "zoek")) != NULL) {
		if (strlen(v) > STORE_SIGNAL_SEARCH_MAX)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, "zoek",
			    "De zoektekst is te lang (hoogstens %d "
			    "tekens).",
			    STORE_SIGNAL_SEARCH_MAX);
		f->text = v;
	}
	if ((v = node_api_param(c, "organisatie")) != NULL) {
		if (c->who.role == LS_TOKEN_VELDWERKER &&
		    strcmp(v, c->who.organisation) != 0)
			return node_api_fail(
			    c, API_E_FORBIDDEN, "organisatie",
			    "Met dit token ziet u alleen de signalen "
			    "van '%s'.",
			    c->who.organisation);
		f->organisation = v;
	}
	if ((v = node_api_param(c, "dossier")) != NULL) {
		int64_t n;
		if (c->who.role == LS_TOKEN_VELDWERKER)
			return node_api_fail(
			    c, API_E_FORBIDDEN, "dossier",
			    "Dossiers zijn voor coördinatoren.");
		if (ls_parse_i64(v, 1, INT64_MAX, &n) != LS_OK)
			return node_api_fail(c, API_E_BAD_PARAMETER, "dossier",
			                     "Het dossier is een nummer.");
		f->dossier = n;
	}
	return 0;
}

/* GET /api/v1/organisations: who reported signals here, for the
 * coordinator's filter. */
static int organisation_cb(void *ctx, const char *name, uint64_t n)
{
	return json_array_append_new(ctx,
	                             json_pack("{s:s, s:I}", "naam", name,
	                                       "signalen", (json_int_t)n)) != 0
	           ? LS_ENOMEM
	           : 0;
}

int node_api_organisations(struct api_call *c)
{
	struct ls_errinfo e;
	json_t *list = json_array();
	int rc;
	if (list == NULL)
		return node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	ls_errinfo_clear(&e);
	rc = store_signal_organisations(c->api->store, organisation_cb, list,
	                                &e);
	if (rc != LS_OK) {
		json_decref(list);
		return node_api_fail_code(c, rc, &e, NULL);
	}
	return node_api_reply_json(c, 200,
	                           json_pack("{s:o}", "organisaties", list));
}

int node_api_signals_list(struct api_call *c)
{
	struct store_signal_filter f = {
	    .status = -1, .limit = NODE_API_PAGE_DEFAULT, .newest_first = 1};
	struct store_signal_cursor last;
	struct page p = {.c = c};
	struct ls_errinfo e;
	const char *v;
	int more = 0, rc;
	int64_t n;
	json_t *doc;

	if ((v = node_api_param(c, "periode")) != NULL) {
		if (ls_period_parse(v, &f.period) != LS_OK)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, "periode",
			    "Ongeldige periode '%.20s' (JJJJ-MM of "
			    "JJJJ-MM+N).",
			    v);
		f.has_period = 1;
	}
	f.theme = node_api_param(c, "thema");
	f.age = node_api_param(c, "leeftijd");
	if (filter_code(c, "thema", LS_DIM_THEME, f.theme) != 0 ||
	    filter_code(c, "leeftijd", LS_DIM_AGE, f.age) != 0)
		return -1;
	if ((v = node_api_param(c, "status")) != NULL) {
		enum ls_signal_status st;
		if (ls_signal_status_parse(v, strlen(v), &st) != LS_OK)
			return node_api_fail(c, API_E_BAD_PARAMETER, "status",
			                     "Onbekende status '%.20s' (nieuw, "
			                     "gekoppeld of afgesloten).",
			                     v);
		f.status = (int)st;
	}
	if ((v = node_api_param(c, "limiet")) != NULL) {
		if (ls_parse_i64(v, 1, NODE_API_PAGE_MAX, &n) != LS_OK)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, "limiet",
			    "De limiet is een getal van 1 tot %d.",
			    NODE_API_PAGE_MAX);
		f.limit = (uint64_t)n;
	}
	if ((v = node_api_param(c, "volgorde")) != NULL) {
		if (strcmp(v, "nieuwste") == 0)
			f.newest_first = 1;
		else if (strcmp(v, "oudste") == 0)
			f.newest_first = 0;
		else
			return node_api_fail(c, API_E_BAD_PARAMETER, "volgorde",
			                     "De volgorde is 'nieuwste' of "
			                     "'oudste'.");
	}
	if ((v = node_api_param(c, "na")) != NULL) {
		if (parse_cursor(v, &f.cursor) != LS_OK)
			return node_api_fail(
			    c, API_E_BAD_PARAMETER, "na",
			    "Ongeldige positie; gebruik de waarde "
			    "van 'volgende' uit het vorige "
			    "antwoord.");
		f.has_cursor = 1;
	}
	if (search_filters(c, &f) != 0)
		return -1;
	if (c->who.role == LS_TOKEN_VELDWERKER) {
		f.organisation = c->who.organisation;
		if (c->who.person[0] != '\0')
			f.reporter = c->who.person;
	}
	p.list = json_array();
	ls_errinfo_clear(&e);
	rc =
	    store_signal_page(c->api->store, &f, page_cb, &p, &last, &more, &e);
	if (rc != LS_OK || p.failed) {
		json_decref(p.list);
		return node_api_fail_code(c, rc != LS_OK ? rc : LS_ENOMEM, &e,
		                          NULL);
	}
	doc = json_pack("{s:o}", "signalen", p.list);
	if (more) {
		char date[LS_DATE_SIZE], cur[64];
		ls_date_format(&last.registered_at, date);
		snprintf(cur, sizeof cur, "%s.%lld", date, (long long)last.seq);
		json_object_set_new(doc, "volgende", json_string(cur));
	} else {
		json_object_set_new(doc, "volgende", json_null());
	}
	return node_api_reply_json(c, 200, doc);
}

/* --- erasure -------------------------------------------------------- */

int node_api_signal_erase(struct api_call *c)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	int wiped = 0, rc;
	if (node_api_seg_signal_id(c, 3, id) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_signal_erase(c->api->store, id, &wiped, &e);
	if (rc == LS_ENOTFOUND)
		return node_api_fail(c, API_E_NOT_FOUND, NULL,
		                     "Geen signaal met deze id.");
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return node_api_reply_json(
	    c, 200,
	    json_pack("{s:b, s:b}", "gewist", 1, "overschreven", wiped));
}
