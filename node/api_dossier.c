/*
 * Dossier routes: the follow-up of structural signals (store/dossier.h)
 * for coordinators — list, create, show with its history, and the
 * changes: phase, criteria, linked signals, actions, feedback.
 *
 * Every change goes through the store function the CLI uses, so the
 * transition table, the criteria rule and the text limits are the same;
 * the history records the token's person or organisation as the actor.
 * Each route first makes sure the dossier exists, so that a missing
 * dossier is a 404 and a missing signal or organisation named in the
 * body is a 422.
 */
#include "common/alloc.h"
#include "common/text.h"
#include "core/dossier.h"
#include "node/api_internal.h"
#include "store/dossier.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static json_t *criteria_json(unsigned mask)
{
	json_t *a = json_array();
	for (unsigned bit = 1; bit <= LS_CRIT_GEDEELD; bit <<= 1)
		if (mask & bit)
			json_array_append_new(
			    a, json_string(ls_criterion_name(bit)));
	return a;
}

static json_t *dossier_json(const struct store_dossier *d)
{
	enum ls_phase next[LS_PHASE_COUNT_];
	size_t n_next = ls_dossier_next_phases((enum ls_phase)d->phase, next,
	                                       LS_PHASE_COUNT_);
	json_t *o = json_object(), *themes = json_array(), *nx = json_array();
	for (size_t i = 0; i < d->n_themes; i++)
		json_array_append_new(themes, json_string(d->themes[i]->code));
	for (size_t i = 0; i < n_next; i++)
		json_array_append_new(nx, json_string(ls_phase_name(next[i])));
	json_object_set_new(o, "nr", json_integer(d->id));
	json_object_set_new(o, "titel", json_string(d->title));
	json_object_set_new(o, "trekker", json_string(d->owner));
	json_object_set_new(
	    o, "fase", json_string(ls_phase_name((enum ls_phase)d->phase)));
	json_object_set_new(o, "criteria", criteria_json(d->criteria));
	json_object_set_new(o, "thema", themes);
	json_object_set_new(o, "probleemtype",
	                    d->problem ? json_string(d->problem->code)
	                               : json_null());
	json_object_set_new(o, "aantal_signalen",
	                    json_integer((json_int_t)d->n_signals));
	json_object_set_new(o, "aantal_acties",
	                    json_integer((json_int_t)d->n_actions));
	json_object_set_new(o, "volgende_fasen", nx);
	json_object_set_new(o, "aangemaakt_op",
	                    node_api_json_time(d->created_at));
	json_object_set_new(o, "bijgewerkt_op",
	                    node_api_json_time(d->updated_at));
	return o;
}

/* --- show ----------------------------------------------------------- */

struct show {
	json_t *doc, *signals, *history, *actions, *feedback;
};

static int show_dossier(void *ctx, const struct store_dossier *d)
{
	struct show *s = ctx;
	s->doc = dossier_json(d);
	return 0;
}

static int show_signal(void *ctx, const uint8_t id[LS_SIGNAL_ID_BYTES],
                       const struct ls_date *registered_at,
                       const struct ls_taxonomy_entry *first_theme)
{
	struct show *s = ctx;
	char hex[LS_SIGNAL_ID_HEX_SIZE], date[LS_DATE_SIZE];
	ls_signal_id_format(id, hex);
	ls_date_format(registered_at, date);
	json_array_append_new(
	    s->signals, json_pack("{s:s, s:s, s:o}", "id", hex,
	                          "geregistreerd_op", date, "thema",
	                          first_theme ? json_string(first_theme->code)
	                                      : json_null()));
	return 0;
}

static int show_event(void *ctx, const struct store_dossier_event *ev)
{
	struct show *s = ctx;
	json_array_append_new(
	    s->history,
	    json_pack(
	        "{s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "op",
	        node_api_json_time(ev->at), "soort", ev->kind, "van",
	        ev->from_phase >= 0
	            ? json_string(ls_phase_name((enum ls_phase)ev->from_phase))
	            : json_null(),
	        "naar",
	        ev->to_phase >= 0
	            ? json_string(ls_phase_name((enum ls_phase)ev->to_phase))
	            : json_null(),
	        "criteria",
	        ev->criteria >= 0 ? criteria_json((unsigned)ev->criteria)
	                          : json_null(),
	        "door", node_api_json_text(ev->actor), "notitie",
	        node_api_json_text(ev->note)));
	return 0;
}

static int show_action(void *ctx, const struct store_dossier_action *a)
{
	struct show *s = ctx;
	json_array_append_new(
	    s->actions,
	    json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "nr",
	              (json_int_t)a->id, "wat", a->what, "wie", a->who, "tegen",
	              node_api_json_text(a->due), "resultaat",
	              node_api_json_text(a->result), "aangemaakt_op",
	              node_api_json_time(a->created_at), "bijgewerkt_op",
	              node_api_json_time(a->updated_at)));
	return 0;
}

static int show_feedback(void *ctx, const struct store_dossier_feedback *f)
{
	struct show *s = ctx;
	json_array_append_new(
	    s->feedback,
	    json_pack("{s:o, s:s, s:s}", "op", node_api_json_time(f->at),
	              "organisatie", f->organisation, "tekst", f->text));
	return 0;
}

/* The dossier of the path (segment 3): 0 if it exists, else answered. */
static int dossier_id(struct api_call *c, int64_t *id)
{
	struct store_dossier_visitor v = {0};
	struct ls_errinfo e;
	int rc;
	if (node_api_seg_number(c, 3, id) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_dossier_show(c->api->store, *id, &v, &e);
	if (rc == LS_ENOTFOUND)
		return node_api_fail(c, API_E_NOT_FOUND, NULL,
		                     "Geen dossier met nummer %lld.",
		                     (long long)*id);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return 0;
}

/* Answer with the dossier as it is now, plus one extra member. */
static int reply_dossier(struct api_call *c, int status, int64_t id,
                         const char *key, json_t *extra)
{
	struct show s = {0};
	struct store_dossier_visitor v = {.ctx = &s, .dossier = show_dossier};
	struct ls_errinfo e;
	int rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_show(c->api->store, id, &v, &e);
	if (rc != LS_OK || s.doc == NULL) {
		json_decref(s.doc);
		json_decref(extra);
		return node_api_fail_code(c, rc != LS_OK ? rc : LS_EINTERNAL,
		                          &e, NULL);
	}
	if (key != NULL)
		json_object_set_new(s.doc, key, extra);
	if (status == 201)
		node_api_header_add(c, "Location", "/api/v1/dossiers/%lld",
		                    (long long)id);
	return node_api_reply_json(c, status, s.doc);
}

int node_api_dossier_get(struct api_call *c)
{
	struct show s = {0};
	struct store_dossier_visitor v = {.ctx = &s,
	                                  .dossier = show_dossier,
	                                  .signal = show_signal,
	                                  .event = show_event,
	                                  .action = show_action,
	                                  .feedback = show_feedback};
	struct ls_errinfo e;
	int64_t id;
	int rc;
	if (node_api_seg_number(c, 3, &id) != 0)
		return -1;
	s.signals = json_array();
	s.history = json_array();
	s.actions = json_array();
	s.feedback = json_array();
	ls_errinfo_clear(&e);
	rc = store_dossier_show(c->api->store, id, &v, &e);
	if (rc != LS_OK || s.doc == NULL) {
		json_decref(s.doc);
		json_decref(s.signals);
		json_decref(s.history);
		json_decref(s.actions);
		json_decref(s.feedback);
		if (rc == LS_ENOTFOUND)
			return node_api_fail(c, API_E_NOT_FOUND, NULL,
			                     "Geen dossier met nummer %lld.",
			                     (long long)id);
		return node_api_fail_code(c, rc != LS_OK ? rc : LS_EINTERNAL,
		                          &e, NULL);
	}
	json_object_set_new(s.doc, "signalen", s.signals);
	json_object_set_new(s.doc, "geschiedenis", s.history);
	json_object_set_new(s.doc, "acties", s.actions);
	json_object_set_new(s.doc, "feedback", s.feedback);
	return node_api_reply_json(c, 200, s.doc);
}

static int list_cb(void *ctx, const struct store_dossier *d)
{
	json_array_append_new(ctx, dossier_json(d));
	return 0;
}

int node_api_dossiers_list(struct api_call *c)
{
	const char *v = node_api_param(c, "fase");
	enum ls_phase phase;
	struct ls_errinfo e;
	json_t *list;
	int rc;
	if (v != NULL && ls_phase_parse(v, &phase) != LS_OK)
		return node_api_fail(c, API_E_BAD_PARAMETER, "fase",
		                     "Onbekende fase '%.20s'.", v);
	list = json_array();
	ls_errinfo_clear(&e);
	rc = store_dossier_list(c->api->store, v != NULL ? (int)phase : -1,
	                        list_cb, list, &e);
	if (rc != LS_OK) {
		json_decref(list);
		return node_api_fail_code(c, rc, &e, NULL);
	}
	return node_api_reply_json(c, 200,
	                           json_pack("{s:o}", "dossiers", list));
}

/* --- changes -------------------------------------------------------- */

static int check_codes(struct api_call *c, json_t *list, const char *member,
                       enum ls_dim dim, const char **out, size_t *n)
{
	size_t i;
	json_t *item;
	*n = 0;
	json_array_foreach(list, i, item)
	{
		const char *code = json_string_value(item);
		if (ls_taxonomy_find(store_taxonomy(c->api->store), dim, code,
		                     strlen(code)) == NULL)
			return node_api_fail(c, API_E_UNKNOWN_CODE, member,
			                     "Onbekende %s-code '%.40s'.",
			                     ls_dim_name_nl(dim), code);
		out[(*n)++] = code;
	}
	return 0;
}

int node_api_dossiers_create(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"titel", API_T_STRING, 1, 0},
	    {"trekker", API_T_STRING, 1, 0},
	    {"thema", API_T_STRINGS, 1, STORE_DOSSIER_MAX_THEMES},
	    {"probleemtype", API_T_STRING, 0, 0},
	};
	const char *themes[STORE_DOSSIER_MAX_THEMES], *problem;
	struct ls_errinfo e;
	size_t n;
	int64_t id;
	json_t *obj;
	int rc;
	if (node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 4) != 0 ||
	    check_codes(c, json_object_get(obj, "thema"), "thema", LS_DIM_THEME,
	                themes, &n) != 0)
		return -1;
	problem = node_api_string(obj, "probleemtype");
	if (problem != NULL &&
	    ls_taxonomy_find(store_taxonomy(c->api->store), LS_DIM_PROBLEM,
	                     problem, strlen(problem)) == NULL)
		return node_api_fail(c, API_E_UNKNOWN_CODE, "probleemtype",
		                     "Onbekende probleemtype-code '%.40s'.",
		                     problem);
	ls_errinfo_clear(&e);
	rc = store_dossier_new(c->api->store, node_api_string(obj, "titel"),
	                       node_api_string(obj, "trekker"), themes, n,
	                       problem, node_api_actor(c), &id, &e);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 201, id, NULL, NULL);
}

int node_api_dossier_phase(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"fase", API_T_STRING, 1, 0},
	    {"notitie", API_T_STRING, 0, 0},
	};
	enum ls_phase to;
	struct ls_errinfo e;
	int64_t id;
	json_t *obj;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 2) != 0)
		return -1;
	if (ls_phase_parse(node_api_string(obj, "fase"), &to) != LS_OK)
		return node_api_fail(
		    c, API_E_INVALID_VALUE, "fase",
		    "Onbekende fase '%.20s' (opmerken, verzamelen, "
		    "bundelen, analyseren, rapporteren, beslissing, "
		    "actie, feedback).",
		    node_api_string(obj, "fase"));
	ls_errinfo_clear(&e);
	rc = store_dossier_advance(c->api->store, id, to, node_api_actor(c),
	                           node_api_string(obj, "notitie"), &e);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e,
		                          rc == LS_ESTATE ? "fase" : NULL);
	return reply_dossier(c, 200, id, NULL, NULL);
}

static int criteria_mask(struct api_call *c, json_t *list, const char *member,
                         unsigned *mask)
{
	size_t i;
	json_t *item;
	*mask = 0;
	json_array_foreach(list, i, item)
	{
		unsigned one;
		struct ls_errinfo e;
		const char *name = json_string_value(item);
		if (strchr(name, ',') != NULL ||
		    ls_criteria_parse(name, &one, &e) != LS_OK)
			return node_api_fail(
			    c, API_E_INVALID_VALUE, member,
			    "Onbekend criterium '%.30s' (duidelijk, "
			    "neutraal, herkend, gedeeld of alle).",
			    name);
		*mask |= one;
	}
	return 0;
}

int node_api_dossier_criteria(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"voldaan", API_T_STRINGS, 0, LS_CRIT_COUNT + 1},
	    {"niet_voldaan", API_T_STRINGS, 0, LS_CRIT_COUNT + 1},
	    {"notitie", API_T_STRING, 0, 0},
	};
	unsigned set = 0, clear = 0;
	struct ls_errinfo e;
	int64_t id;
	json_t *obj, *v;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 3) != 0)
		return -1;
	if ((v = json_object_get(obj, "voldaan")) != NULL && json_is_array(v) &&
	    criteria_mask(c, v, "voldaan", &set) != 0)
		return -1;
	if ((v = json_object_get(obj, "niet_voldaan")) != NULL &&
	    json_is_array(v) &&
	    criteria_mask(c, v, "niet_voldaan", &clear) != 0)
		return -1;
	if (set == 0 && clear == 0)
		return node_api_fail(
		    c, API_E_MISSING_FIELD, "voldaan",
		    "Geef 'voldaan' of 'niet_voldaan' met minstens "
		    "één criterium.");
	if (set & clear)
		return node_api_fail(
		    c, API_E_INVALID_VALUE, "niet_voldaan",
		    "Een criterium kan niet tegelijk voldaan en niet "
		    "voldaan zijn.");
	ls_errinfo_clear(&e);
	rc = store_dossier_criteria(c->api->store, id, set, clear,
	                            node_api_actor(c),
	                            node_api_string(obj, "notitie"), &e);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 200, id, NULL, NULL);
}

#define LINK_MAX 500

int node_api_dossier_link(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"signalen", API_T_STRINGS, 1, LINK_MAX},
	};
	uint8_t(*ids)[LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	size_t i, n, linked = 0;
	int64_t id;
	json_t *obj, *list, *item;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 1) != 0)
		return -1;
	list = json_object_get(obj, "signalen");
	n = json_array_size(list);
	ids = ls_calloc(n, sizeof *ids);
	if (ids == NULL)
		return node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	json_array_foreach(list, i, item)
	{
		if (ls_signal_id_parse(json_string_value(item), ids[i]) !=
		    LS_OK) {
			ls_free(ids);
			return node_api_fail(c, API_E_INVALID_VALUE, "signalen",
			                     "'%.40s' is geen signaal-id (32 "
			                     "hexadecimale tekens).",
			                     json_string_value(item));
		}
	}
	ls_errinfo_clear(&e);
	rc = store_dossier_link(c->api->store, id,
	                        (const uint8_t(*)[LS_SIGNAL_ID_BYTES])ids, n,
	                        node_api_actor(c), &linked, &e);
	ls_free(ids);
	if (rc == LS_ENOTFOUND)
		return node_api_fail(c, API_E_UNKNOWN_SIGNAL, "signalen", "%s.",
		                     e.msg[0] ? e.msg : "Onbekend signaal");
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 200, id, "gekoppeld",
	                     json_integer((json_int_t)linked));
}

/* DELETE /api/v1/dossiers/N/signals/ID: unlink one signal. A signal
 * that does not exist, or is not linked to this dossier, is a 404. */
int node_api_dossier_unlink(struct api_call *c)
{
	uint8_t sig[LS_SIGNAL_ID_BYTES];
	struct ls_errinfo e;
	int64_t id;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_seg_signal_id(c, 5, sig) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_dossier_unlink(c->api->store, id, sig, node_api_actor(c),
	                          NULL, &e);
	if (rc == LS_ENOTFOUND)
		return node_api_fail(c, API_E_NOT_FOUND, NULL, "%s.", e.msg);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 200, id, "ontkoppeld", json_integer(1));
}

int node_api_dossier_action_create(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"wat", API_T_STRING, 1, 0},
	    {"wie", API_T_STRING, 1, 0},
	    {"tegen", API_T_STRING, 0, 0},
	    {"resultaat", API_T_STRING, 0, 0},
	};
	struct ls_errinfo e;
	int64_t id, action = 0;
	json_t *obj;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 4) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_dossier_act(
	    c->api->store, id, node_api_string(obj, "wat"),
	    node_api_string(obj, "wie"), node_api_string(obj, "tegen"),
	    node_api_string(obj, "resultaat"), node_api_actor(c), &action, &e);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 201, id, "actie", json_integer(action));
}

int node_api_dossier_action_result(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"resultaat", API_T_STRING, 1, 0},
	};
	struct ls_errinfo e;
	int64_t id, action;
	json_t *obj;
	int rc;
	if (dossier_id(c, &id) != 0 ||
	    node_api_seg_number(c, 5, &action) != 0 ||
	    node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 1) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_dossier_action_result(c->api->store, id, action,
	                                 node_api_string(obj, "resultaat"),
	                                 node_api_actor(c), &e);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 200, id, "actie", json_integer(action));
}

int node_api_dossier_feedback(struct api_call *c)
{
	static const struct api_field fields[] = {
	    {"tekst", API_T_STRING, 1, 0},
	    {"organisatie", API_T_STRING, 0, 0},
	};
	struct ls_errinfo e;
	size_t n = 0;
	int64_t id;
	json_t *obj;
	int rc;
	if (dossier_id(c, &id) != 0 || node_api_body(c, &obj) != 0 ||
	    node_api_check_fields(c, obj, fields, 2) != 0)
		return -1;
	ls_errinfo_clear(&e);
	rc = store_dossier_feedback(
	    c->api->store, id, node_api_string(obj, "organisatie"),
	    node_api_string(obj, "tekst"), node_api_actor(c), &n, &e);
	if (rc == LS_ENOTFOUND)
		return node_api_fail(c, API_E_INVALID_VALUE, "organisatie",
		                     "%s.", e.msg);
	if (rc != LS_OK)
		return node_api_fail_code(c, rc, &e, NULL);
	return reply_dossier(c, 201, id, "organisaties",
	                     json_integer((json_int_t)n));
}
