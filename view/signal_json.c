/*
 * The signal's JSON shape (view/signal_json.h): one function, so the CLI
 * export and the API cannot drift apart. jansson's setters ignore NULL
 * values, so an allocation failure anywhere shows as a missing key,
 * which the final size check turns into NULL.
 */
#include "view/signal_json.h"

static json_t *codes_json(const struct ls_taxonomy_entry *const *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(list[i]->code));
	return a;
}

static json_t *text_json(const struct ls_text *t)
{
	return t->len > 0 ? json_stringn(t->ptr, t->len) : json_null();
}

/* The number of keys ls_signal_json sets. */
#define SIGNAL_JSON_KEYS 15

json_t *ls_signal_json(const struct ls_signal *sig)
{
	char hex[LS_SIGNAL_ID_HEX_SIZE], date[LS_DATE_SIZE];
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	ls_signal_id_format(sig->id, hex);
	json_object_set_new(o, "id", json_string(hex));
	json_object_set_new(o, "status",
	                    json_string(ls_signal_status_name(
	                        (enum ls_signal_status)sig->status)));
	ls_date_format(&sig->registered_at, date);
	json_object_set_new(o, "geregistreerd_op", json_string(date));
	if (sig->has_observed_on) {
		ls_date_format(&sig->observed_on, date);
		json_object_set_new(o, "vastgesteld_op", json_string(date));
	} else {
		json_object_set_new(o, "vastgesteld_op", json_null());
	}
	json_object_set_new(o, "thema", codes_json(sig->themes, sig->n_themes));
	json_object_set_new(o, "probleemtype",
	                    sig->problem ? json_string(sig->problem->code)
	                                 : json_null());
	json_object_set_new(o, "leeftijd", json_string(sig->age->code));
	json_object_set_new(o, "doelgroep",
	                    codes_json(sig->targets, sig->n_targets));
	json_object_set_new(o, "sector", json_string(sig->sector->code));
	json_object_set_new(o, "organisatie", text_json(&sig->organisation));
	json_object_set_new(o, "melder", text_json(&sig->reporter));
	json_object_set_new(o, "aantal_personen", json_integer(sig->persons));
	json_object_set_new(o, "ernst",
	                    sig->severity ? json_integer(sig->severity)
	                                  : json_null());
	json_object_set_new(o, "wijk", text_json(&sig->neighbourhood));
	json_object_set_new(o, "omschrijving", text_json(&sig->description));
	if (json_object_size(o) != SIGNAL_JSON_KEYS) {
		json_decref(o);
		return NULL;
	}
	return o;
}
