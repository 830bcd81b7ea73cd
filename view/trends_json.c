/*
 * The JSON view of finished trends. jansson reports allocation failures
 * by returning NULL from constructors and -1 from setters; the builders
 * below funnel both into one "ok" flag so that a failure anywhere gives
 * NULL for the whole tree rather than a tree with holes.
 */
#include "view/trends_json.h"
#include "common/alloc.h"
#include "common/text.h"
#include "core/dossier.h"
#include "core/period.h"

#include <string.h>

struct jb {
	int ok;
};

/* json_object_set_new and json_array_append_new take the reference
 * even when they fail; a value with nowhere to go is released here. */
static void set(struct jb *b, json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL) {
		json_decref(v);
		b->ok = 0;
	} else if (v == NULL || json_object_set_new(obj, key, v) != 0) {
		b->ok = 0;
	}
}

static void push(struct jb *b, json_t *arr, json_t *v)
{
	if (arr == NULL) {
		json_decref(v);
		b->ok = 0;
	} else if (v == NULL || json_array_append_new(arr, v) != 0) {
		b->ok = 0;
	}
}

static json_t *period_json(const struct ls_period *p)
{
	char text[LS_PERIOD_SIZE];
	ls_period_format(p, text);
	return json_string(text);
}

json_t *ls_trends_json_value(const struct trends_value *v)
{
	struct jb b = {1};
	json_t *o = json_object();
	int64_t lo, hi;
	ls_trends_value_interval(v, &lo, &hi);
	set(&b, o, "min", json_integer(lo));
	set(&b, o, "max", json_integer(hi));
	set(&b, o, "exact", json_boolean(ls_trends_value_is_exact(v)));
	if (v->n_noisy > 0) {
		set(&b, o, "ruis", json_integer(v->noisy));
		set(&b, o, "variantie", json_real(ls_trends_value_var(v)));
	}
	if (!b.ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *hex_json(const uint8_t *bytes, size_t len)
{
	char hex[2 * 64 + 1];
	ls_hex_encode(bytes, len, hex);
	return json_string(hex);
}

static const char *name_of(trends_name_fn names, void *ctx, const char *id)
{
	const char *n = names != NULL ? names(ctx, id) : NULL;
	return n != NULL ? n : id;
}

static json_t *slope_json(struct jb *b, const struct trends_item *it)
{
	json_t *g = json_object();
	set(b, g, "berekend", json_boolean(it->has_growth));
	if (!it->has_growth)
		return g;
	set(b, g, "richting", json_integer(it->slope.direction));
	set(b, g, "helling", json_real(it->slope.mid));
	set(b, g, "helling_min", json_real(it->slope.lo));
	set(b, g, "helling_max", json_real(it->slope.hi));
	set(b, g, "niveau", json_real(it->slope.level));
	set(b, g, "groei_pct", json_real(it->growth_mid * 100.0));
	set(b, g, "groei_pct_min", json_real(it->growth_lo * 100.0));
	set(b, g, "groei_pct_max", json_real(it->growth_hi * 100.0));
	set(b, g, "robuuste_groei_pct_min",
	    json_real(it->robust_growth_lo * 100.0));
	set(b, g, "stijgend_sinds", json_integer(it->rising_since));
	return g;
}

/* Where the scale comes from: the federation summaries' totals (periods
 * with one, municipalities in them, the text a reader sees) and the sum
 * of the municipalities' own ranges they replace. */
static json_t *federation_json(struct jb *b, const struct trends *t,
                               const struct trends_item *it)
{
	json_t *o = json_object();
	char text[160];
	set(b, o, "perioden", json_integer(it->fed_periods));
	set(b, o, "gemeenten_min", json_integer(it->fed_included_min));
	set(b, o, "gemeenten_max", json_integer(it->fed_included_max));
	set(b, o, "groei_op_federatietotaal",
	    json_boolean(it->growth_federation));
	ls_trends_format_federation(
	    &it->signals, it->fed_included_min, it->fed_included_max,
	    (uint32_t)ls_trends_n_origins(t), text, sizeof text);
	set(b, o, "signalen_tekst", json_string(text));
	ls_trends_format_value(&it->signals_ranges, text, sizeof text);
	set(b, o, "som_van_bereiken_tekst", json_string(text));
	set(b, o, "signalen_som_van_bereiken",
	    ls_trends_json_value(&it->signals_ranges));
	set(b, o, "personen_som_van_bereiken",
	    ls_trends_json_value(&it->persons_ranges));
	return o;
}

static json_t *item_json(struct jb *b, const struct trends *t,
                         const struct trends_item *it, uint32_t rank,
                         trends_name_fn names, void *ctx)
{
	json_t *o = json_object(), *c = json_object(), *sp = json_object();
	json_t *rec = json_object(), *sc = json_object(), *series;
	set(b, o, "rang", json_integer(rank));
	set(b, o, "niveau", json_string(ls_trends_level_name_nl(it->level)));
	set(b, o, "thema", json_string(it->theme_code));
	set(b, o, "thema_label", json_string(it->theme_label));
	if (it->level != TRENDS_LEVEL_THEME) {
		set(b, o, "uitsplitsing", json_string(it->other_code));
		set(b, o, "uitsplitsing_label", json_string(it->other_label));
	}
	set(b, o, "score", json_real(it->score));
	for (int k = 0; k < TRENDS_C_COUNT_; k++)
		set(b, c, ls_trends_component_name(k),
		    json_real(it->component[k]));
	set(b, o, "componenten", c);
	set(b, sp, "totaal", json_integer(it->n_origins));
	set(b, sp, "zeker", json_integer(it->n_report_lo));
	set(b, sp, "mogelijk", json_integer(it->n_report_hi));
	set(b, sp, "volledig", json_integer(it->n_complete));
	set(b, sp, "stijgend", json_integer(it->n_rising));
	set(b, sp, "dalend", json_integer(it->n_falling));
	if (it->robust_origin >= 0) {
		const char *id =
		    ls_trends_origin_id(t, (size_t)it->robust_origin);
		set(b, sp, "zwakste_schakel", json_string(id));
		set(b, sp, "zwakste_schakel_naam",
		    json_string(name_of(names, ctx, id)));
	}
	set(b, sp, "stijging_uit_een_gemeente",
	    json_boolean(ls_trends_item_local_rise(it)));
	set(b, o, "gemeenten", sp);
	set(b, o, "groei", slope_json(b, it));
	set(b, rec, "op_rij", json_integer(it->run));
	set(b, rec, "op_rij_mogelijk", json_integer(it->run_hi));
	set(b, rec, "perioden_gemeld", json_integer(it->periods_reported));
	set(b, rec, "perioden", json_integer(it->n_periods));
	set(b, rec, "sectoren_zeker", json_integer(it->sectors_lo));
	set(b, rec, "sectoren_mogelijk", json_integer(it->sectors_hi));
	set(b, rec, "sectoren_van_thema", json_boolean(it->breadth_of_theme));
	set(b, rec, "organisaties_min", json_integer(it->organisations_lo));
	set(b, o, "terugkeer", rec);
	set(b, sc, "signalen", ls_trends_json_value(&it->signals));
	set(b, sc, "personen", ls_trends_json_value(&it->persons));
	set(b, sc, "signalen_laatste_periode",
	    ls_trends_json_value(&it->last_signals));
	set(b, o, "omvang", sc);
	set(b, o, "federatie", federation_json(b, t, it));
	set(b, o, "jongeren_aandeel", json_real(it->youth_share));
	set(b, o, "uitleg", json_string(it->explanation));
	series = json_array();
	for (size_t slot = 0; slot < ls_trends_n_periods(t); slot++) {
		struct trends_value all, complete;
		struct ls_period p;
		json_t *pt = json_object();
		ls_trends_period_at(t, slot, &p);
		ls_trends_item_series(t, it, 0, slot, &all);
		ls_trends_item_series(t, it, 1, slot, &complete);
		set(b, pt, "periode", period_json(&p));
		set(b, pt, "signalen", ls_trends_json_value(&all));
		set(b, pt, "signalen_volledig",
		    ls_trends_json_value(&complete));
		set(b, pt, "federatie_gemeenten",
		    json_integer(ls_trends_federation_at(t, slot)));
		if (ls_trends_federation_at(t, slot) != 0) {
			struct trends_value ranges;
			size_t table = it->level == TRENDS_LEVEL_THEME
			                   ? LS_TABLE_THEME
			               : it->level == TRENDS_LEVEL_AGE
			                   ? LS_TABLE_THEME_AGE
			                   : LS_TABLE_THEME_TARGET;
			ls_trends_cell_ranges(t, (int)table, it->theme,
			                      it->other, 0, slot, &ranges);
			set(b, pt, "signalen_som_van_bereiken",
			    ls_trends_json_value(&ranges));
		}
		if (ls_trends_item_local_rise(it)) {
			/* the one municipality the rise comes from */
			struct trends_value own;
			ls_trends_origin_series(t, (size_t)it->robust_origin,
			                        it, slot, &own);
			set(b, pt, "signalen_gemeente",
			    ls_trends_json_value(&own));
		}
		push(b, series, pt);
	}
	set(b, o, "reeks", series);
	return o;
}

static const char *mode_name(uint8_t mode)
{
	return mode == LS_MODE_THRESHOLD ? "drempel"
	       : mode == LS_MODE_NOISE   ? "ruis"
	                                 : "?";
}

/* "venster": the window of periods and the growth window inside it. */
static json_t *window_json(struct jb *b, const struct trends *t)
{
	const struct trends_options *opt = ls_trends_options_get(t);
	json_t *w = json_object();

	set(b, w, "van", period_json(&opt->first));
	set(b, w, "tot", period_json(&opt->last));
	set(b, w, "perioden",
	    json_integer((json_int_t)ls_trends_n_periods(t)));
	set(b, w, "groei_perioden",
	    json_integer((json_int_t)(ls_trends_n_periods(t) -
	                              ls_trends_growth_first(t))));
	set(b, w, "groei_vol_pct", json_integer(opt->growth_full_pct));
	return w;
}

/* "gewichten": the weight of every score component. */
static json_t *weights_json(struct jb *b, const struct trends *t)
{
	const struct trends_options *opt = ls_trends_options_get(t);
	json_t *wt = json_object();

	for (int k = 0; k < TRENDS_C_COUNT_; k++)
		set(b, wt, ls_trends_component_name(k),
		    json_integer(opt->weight[k]));
	return wt;
}

/* "gemeenten": every origin, its name and the periods it covers. */
static json_t *origins_json(struct jb *b, const struct trends *t,
                            trends_name_fn names, void *names_ctx)
{
	json_t *orgs = json_array();

	for (size_t i = 0; i < ls_trends_n_origins(t); i++) {
		const char *id = ls_trends_origin_id(t, i);
		json_t *o = json_object(), *has = json_array();
		set(b, o, "id", json_string(id));
		set(b, o, "naam", json_string(name_of(names, names_ctx, id)));
		set(b, o, "volledig",
		    json_boolean(ls_trends_origin_complete(t, i)));
		for (size_t slot = 0; slot < ls_trends_n_periods(t); slot++)
			push(b, has,
			     json_boolean(ls_trends_origin_has(t, i, slot)));
		set(b, o, "perioden_aanwezig", has);
		push(b, orgs, o);
	}
	return orgs;
}

/* "dekking": per period, how many origins and federation members. */
static json_t *coverage_json(struct jb *b, const struct trends *t)
{
	json_t *cov = json_array();

	for (size_t slot = 0; slot < ls_trends_n_periods(t); slot++) {
		struct ls_period p;
		json_t *o = json_object();
		ls_trends_period_at(t, slot, &p);
		set(b, o, "periode", period_json(&p));
		set(b, o, "gemeenten",
		    json_integer(ls_trends_coverage(t, slot)));
		set(b, o, "federatie_gemeenten",
		    json_integer(ls_trends_federation_at(t, slot)));
		push(b, cov, o);
	}
	return cov;
}

/* "bronnen": the signed documents every number is computed from. */
static json_t *sources_json(struct jb *b, const struct trends *t)
{
	json_t *src = json_array();

	for (size_t i = 0; i < ls_trends_n_sources(t); i++) {
		const struct trends_docref *r = ls_trends_source_at(t, i);
		json_t *o = json_object();
		set(b, o, "origin", json_string(r->origin));
		set(b, o, "seq", json_integer((json_int_t)r->seq));
		set(b, o, "hash", hex_json(r->hash, LS_HASH_BYTES));
		push(b, src, o);
	}
	return src;
}

/* "parameters": the disclosure parameters met and how often. */
static json_t *params_json(struct jb *b, const struct trends *t)
{
	json_t *par = json_array();

	for (size_t i = 0; i < ls_trends_n_params(t); i++) {
		size_t count;
		const struct ls_disclosure_params *p =
		    ls_trends_params_at(t, i, &count);
		json_t *o = json_object();
		set(b, o, "modus", json_string(mode_name(p->mode)));
		if (p->mode == LS_MODE_THRESHOLD) {
			set(b, o, "k", json_integer(p->k));
		} else {
			set(b, o, "epsilon",
			    json_real(p->epsilon_milli / 1000.0));
			set(b, o, "achterhouden_onder",
			    json_integer(p->withhold_below));
		}
		set(b, o, "personen_plafond", json_integer(p->persons_cap));
		set(b, o, "samenvattingen", json_integer((json_int_t)count));
		push(b, par, o);
	}
	return par;
}

/* "items": the selected themes, in the selection's order. */
static json_t *items_json(struct jb *b, const struct trends *t,
                          const struct ls_trends_select *sel,
                          trends_name_fn names, void *names_ctx)
{
	json_t *items = json_array();
	const struct trends_item **sel_items = NULL;
	size_t n = ls_trends_select(t, sel, NULL, 0);

	if (n > 0) {
		sel_items = ls_calloc(n, sizeof *sel_items);
		if (sel_items == NULL)
			b->ok = 0;
		else
			ls_trends_select(t, sel, sel_items, n);
	}
	for (size_t i = 0; sel_items != NULL && i < n; i++)
		/* the youth view is a ranking of its own: 1, 2, ... */
		push(b, items,
		     item_json(b, t, sel_items[i],
		               sel->youth ? (uint32_t)(i + 1)
		                          : sel_items[i]->rank,
		               names, names_ctx));
	ls_free(sel_items);
	return items;
}

/* "structurele_signalen": the structural notes given. */
static json_t *notes_json(struct jb *b, struct structural *notes,
                          trends_name_fn names, void *names_ctx)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < ls_structural_count(notes); i++) {
		const struct structural_note *x = ls_structural_at(notes, i);
		json_t *o = json_object();
		set(b, o, "gemeente", json_string(x->origin));
		set(b, o, "naam",
		    json_string(name_of(names, names_ctx, x->origin)));
		set(b, o, "thema", json_string(x->theme));
		set(b, o, "fase",
		    json_string(ls_phase_name((enum ls_phase)x->phase)));
		set(b, o, "erkend",
		    json_boolean(ls_structural_recognised(x->phase)));
		set(b, o, "probleemtype", json_string(x->problem_type));
		set(b, o, "kop", json_string(x->headline));
		set(b, o, "seq", json_integer((json_int_t)x->seq));
		set(b, o, "hash", hex_json(x->hash, LS_HASH_BYTES));
		push(b, arr, o);
	}
	return arr;
}

json_t *ls_trends_json(const struct trends *t,
                       const struct ls_trends_select *sel,
                       struct structural *notes, trends_name_fn names,
                       void *names_ctx)
{
	struct jb b = {1};
	json_t *root = json_object();
	uint8_t digest[LS_HASH_BYTES];

	set(&b, root, "venster", window_json(&b, t));
	set(&b, root, "gewichten", weights_json(&b, t));
	set(&b, root, "gemeenten", origins_json(&b, t, names, names_ctx));
	set(&b, root, "dekking", coverage_json(&b, t));
	set(&b, root, "federatie_perioden",
	    json_integer((json_int_t)ls_trends_n_federation(t)));
	set(&b, root, "bronnen", sources_json(&b, t));
	ls_trends_sources_digest(t, digest);
	set(&b, root, "bronnen_digest", hex_json(digest, LS_HASH_BYTES));
	set(&b, root, "parameters", params_json(&b, t));
	set(&b, root, "items", items_json(&b, t, sel, names, names_ctx));
	if (notes != NULL)
		set(&b, root, "structurele_signalen",
		    notes_json(&b, notes, names, names_ctx));
	if (!b.ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}
