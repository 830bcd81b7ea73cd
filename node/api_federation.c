/*
 * Routes over the federation's data: trends (local beside the
 * federation's), the preview of a summary, and the federation's health.
 *
 * Trends: local counts come from the signals (store_signal_theme_months:
 * exact, this node only); the federation's are core/trends over the
 * summaries held (node_trends_load: the latest document per origin and
 * month, so a correction supersedes), exactly as `signaalctl trends`
 * computes them, with the node's [trends] settings: each month's value
 * per theme is ls_trends_value_interval() of the sum, so a suppressed cell
 * is never read as zero or guessed, and a month without any summary is
 * null, not 0. Where a month has a federation summary (type 7, secure
 * aggregation), its total is that month's value (noisy, with a 90%
 * interval, and how many municipalities are in it), next to the sum of
 * the municipalities' ranges it replaces.
 *
 * Preview: node_release_preview(), the release pipeline's own preview
 * (the policy this node applies, the period's state, the summary and the
 * note per cell of why it is released as it is). Threshold mode only:
 * noise mode needs the node's noise secret, which the API never reads.
 *
 * Federation: node/fedview.h (every node of the roster and every origin
 * the store holds documents of, with its latest status document, its
 * latest summary, its feed position here and its forks) as JSON; the
 * same view `signaalctl status` prints.
 */
#include "common/alloc.h"
#include "common/text.h"
#include "core/disclosure.h"
#include "core/trends.h"
#include "view/trends_json.h"
#include "core/member.h"
#include "node/api_internal.h"
#include "node/fedview.h"
#include "node/feed.h"
#include "node/release.h"
#include "node/trends_load.h"
#include "node/trust.h"
#include "store/feed.h"
#include "store/signal.h"
#include "store/store.h"
#include "store/summary.h"

#include <stdio.h>
#include <string.h>

/* --- trends ----------------------------------------------------------- */

#define TREND_THEMES DISCLOSURE_MAX_CODES

/* The local side: this node's signals per shared theme and month. */
struct local_counts {
	const struct ls_taxonomy *tax;
	int32_t first; /* month index */
	int32_t n;     /* months */
	size_t n_themes;
	const struct ls_taxonomy_entry *themes[TREND_THEMES];
	uint64_t count[TREND_THEMES][NODE_API_TREND_MONTHS_MAX];
};

static int theme_index(const struct local_counts *t, const char *code)
{
	for (size_t i = 0; i < t->n_themes; i++)
		if (strcmp(t->themes[i]->code, code) == 0)
			return (int)i;
	return -1;
}

static int local_cb(void *ctx, int32_t month, const char *theme, uint64_t count)
{
	struct local_counts *t = ctx;
	int i = theme_index(t, theme);
	if (i >= 0 && month >= t->first && month < t->first + t->n)
		t->count[i][month - t->first] += count;
	return 0;
}

/* The federation's side, as `signaalctl trends` computes it: every
 * summary held (the latest per origin and month) combined by
 * core/trends over the window, with the node's [trends] settings. */
static const char *names_cb(void *ctx, const char *origin)
{
	return node_names_get(ctx, origin);
}

static int federation_trends(struct api_call *c, const struct ls_period *first,
                             const struct ls_period *last,
                             struct node_names *names, struct trends **out,
                             struct ls_errinfo *e)
{
	struct trends_options o;
	int rc;
	*out = NULL;
	ls_trends_options_default(&o, last);
	o.first = *first;
	node_trends_options_config(c->api->config, &o);
	if ((rc = ls_trends_options_check(&o, e)) != LS_OK ||
	    (rc = ls_trends_new(store_taxonomy(c->api->store), &o, out, e)) !=
	        LS_OK)
		return rc;
	/* the explanations name the municipality a rise depends on */
	ls_trends_set_names(*out, names_cb, names);
	if ((rc = node_trends_load(c->api->store, *out, NULL, NULL, e)) !=
	        LS_OK ||
	    (rc = ls_trends_finish(*out, e)) != LS_OK) {
		ls_trends_free(*out);
		*out = NULL;
	}
	return rc;
}

struct order {
	size_t i;
	uint64_t total;
};

/* Largest total first; ties in taxonomy order. */
static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

/* A month without any summary is unknown (null), never zero. */
static json_t *fed_bound(const struct trends *t, size_t slot, int64_t v)
{
	return ls_trends_coverage(t, slot) > 0 ? json_integer((json_int_t)v)
	                                       : json_null();
}

/* The window and the level from the query (defaults: [trends] window
 * months up to the latest month at least half of the municipalities
 * released, theme level, top 10). Replies and returns -1 on a bad
 * parameter. */
static int trends_query(struct api_call *c, struct ls_period *first,
                        struct ls_period *end, int64_t *months,
                        struct ls_trends_select *sel, const char **level)
{
	static const struct {
		const char *name;
		int level, youth;
	} levels[] = {{"thema", TRENDS_LEVEL_THEME, 0},
	              {"leeftijd", TRENDS_LEVEL_AGE, 0},
	              {"doelgroep", TRENDS_LEVEL_TARGET, 0},
	              {"jongeren", TRENDS_LEVEL_AGE, 1}};
	struct ls_date today;
	struct ls_errinfo e;
	const char *v;
	int64_t top = 10;
	size_t k;
	int rc;

	/* Never the running month: it has no summaries yet, and would draw
	 * as a fall. */
	node_api_today(c, &today);
	if (ls_period_add(&(struct ls_period){today.year, today.month, 1}, -1,
	                  end) != LS_OK)
		*end = (struct ls_period){today.year, today.month, 1};
	*months = c->api->config->trends_window;
	if (*months < 1 || *months > NODE_API_TREND_MONTHS_MAX)
		*months = *months < 1 ? 12 : NODE_API_TREND_MONTHS_MAX;
	if ((v = node_api_param(c, "tot")) != NULL &&
	    (ls_period_parse(v, end) != LS_OK || end->months != 1))
		return node_api_fail(c, API_E_BAD_PARAMETER, "tot",
		                     "Ongeldige maand '%.20s' (JJJJ-MM).", v);
	if ((v = node_api_param(c, "maanden")) != NULL &&
	    ls_parse_i64(v, 1, NODE_API_TREND_MONTHS_MAX, months) != LS_OK)
		return node_api_fail(c, API_E_BAD_PARAMETER, "maanden",
		                     "Het aantal maanden is 1 tot %d.",
		                     NODE_API_TREND_MONTHS_MAX);
	v = node_api_param(c, "niveau");
	for (k = 0; k < sizeof levels / sizeof levels[0]; k++)
		if (strcmp(v != NULL ? v : "thema", levels[k].name) == 0)
			break;
	if (k == sizeof levels / sizeof levels[0])
		return node_api_fail(
		    c, API_E_BAD_PARAMETER, "niveau",
		    "Onbekend niveau '%.20s' (thema, leeftijd, "
		    "doelgroep of jongeren).",
		    v);
	sel->levels = 1u << levels[k].level;
	sel->youth = levels[k].youth;
	*level = levels[k].name;
	if ((v = node_api_param(c, "top")) != NULL &&
	    ls_parse_i64(v, 1, 500, &top) != LS_OK)
		return node_api_fail(c, API_E_BAD_PARAMETER, "top",
		                     "top is 1 tot 500.");
	sel->top = (size_t)top;
	if (node_api_param(c, "tot") == NULL) {
		struct ls_period latest;
		int found = 0;
		ls_errinfo_clear(&e);
		if ((rc = node_trends_latest(c->api->store, NULL, &latest,
		                             &found, &e)) != LS_OK)
			return node_api_fail_code(c, rc, &e, NULL);
		if (found && latest.months == 1)
			*end = latest;
	}
	if (ls_period_add(end, -(int32_t)(*months - 1), first) != LS_OK)
		return node_api_fail(c, API_E_BAD_PARAMETER, "maanden",
		                     "De trend begint vóór %d.", LS_YEAR_MIN);
	return 0;
}

/* The shared themes of the taxonomy (only the one asked for, if any). */
static void local_themes(struct local_counts *t, const char *only)
{
	for (size_t i = 0; i < t->tax->n && t->n_themes < TREND_THEMES; i++) {
		const struct ls_taxonomy_entry *x = &t->tax->entries[i];
		if (x->dim == LS_DIM_THEME && !x->local &&
		    (only == NULL || strcmp(only, x->code) == 0))
			t->themes[t->n_themes++] = x;
	}
}

/* The node's own themes, most signals first (*total: all of them). */
static json_t *local_json(const struct local_counts *t, const char *only,
                          uint64_t *total)
{
	struct order ol[TREND_THEMES];
	json_t *local = json_array();

	*total = 0;
	for (size_t i = 0; i < t->n_themes; i++) {
		ol[i] = (struct order){.i = i};
		for (int32_t m = 0; m < t->n; m++)
			ol[i].total += t->count[i][m];
		*total += ol[i].total;
	}
	qsort(ol, t->n_themes, sizeof *ol, cmp_order);
	for (size_t k = 0; k < t->n_themes; k++) {
		size_t i = ol[k].i;
		json_t *a;
		if (ol[k].total == 0 && only == NULL)
			continue;
		a = json_array();
		for (int32_t m = 0; m < t->n; m++)
			json_array_append_new(
			    a, json_integer((json_int_t)t->count[i][m]));
		json_array_append_new(
		    local,
		    json_pack("{s:s, s:s, s:o}", "code", t->themes[i]->code,
		              "label", t->themes[i]->label_nl, "signalen", a));
	}
	return local;
}

/* One federation theme: per month its bounds, the federation summary's
 * value (noise included, never outside the bounds; null where the month
 * has none) and the sum of the municipalities' ranges, and the window's
 * total as text. */
static json_t *fed_theme_json(const struct trends *fed_t, size_t j,
                              size_t n_months)
{
	json_t *lo_a = json_array(), *hi_a = json_array(),
	       *val_a = json_array(), *rlo_a = json_array(),
	       *rhi_a = json_array();
	struct trends_value total;
	uint32_t inc_lo = 0, inc_hi = 0;
	char text[160];

	for (size_t m = 0; m < n_months; m++) {
		struct trends_value tv, rv;
		int64_t lo = 0, hi = 0, rlo = 0, rhi = 0, val;
		memset(&tv, 0, sizeof tv);
		memset(&rv, 0, sizeof rv);
		uint32_t inc = ls_trends_federation_at(fed_t, m);
		if (ls_trends_cell(fed_t, LS_TABLE_THEME, j, 0,
		                   LS_MEASURE_SIGNALS, m, &tv) == LS_OK)
			ls_trends_value_interval(&tv, &lo, &hi);
		if (ls_trends_cell_ranges(fed_t, LS_TABLE_THEME, j, 0,
		                          LS_MEASURE_SIGNALS, m, &rv) == LS_OK)
			ls_trends_value_interval(&rv, &rlo, &rhi);
		json_array_append_new(lo_a, fed_bound(fed_t, m, lo));
		json_array_append_new(hi_a, fed_bound(fed_t, m, hi));
		json_array_append_new(rlo_a, fed_bound(fed_t, m, rlo));
		json_array_append_new(rhi_a, fed_bound(fed_t, m, rhi));
		val = tv.noisy + tv.lo;
		val = val < lo ? lo : val > hi ? hi : val;
		json_array_append_new(val_a, inc != 0
		                                 ? json_integer((json_int_t)val)
		                                 : json_null());
		if (inc != 0 && (inc_lo == 0 || inc < inc_lo))
			inc_lo = inc;
		if (inc > inc_hi)
			inc_hi = inc;
	}
	ls_trends_cell_total(fed_t, LS_TABLE_THEME, j, 0, LS_MEASURE_SIGNALS,
	                     &total);
	ls_trends_format_federation(&total, inc_lo, inc_hi,
	                            (uint32_t)ls_trends_n_origins(fed_t), text,
	                            sizeof text);
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "code",
	                 ls_trends_code(fed_t, LS_TABLE_THEME, j), "label",
	                 ls_trends_label(fed_t, LS_TABLE_THEME, j), "min", lo_a,
	                 "max", hi_a, "waarde", val_a, "som_van_bereiken_min",
	                 rlo_a, "som_van_bereiken_max", rhi_a, "totaal_tekst",
	                 text);
}

/* The federation's themes (the taxonomy's shared ones), by the upper
 * bound of their window total. */
static json_t *fed_json(const struct trends *fed_t, const char *only,
                        size_t n_months)
{
	struct order of[TREND_THEMES];
	size_t n_fed = 0;
	json_t *fed = json_array();

	for (size_t i = 0; i < ls_trends_n_codes(fed_t, LS_TABLE_THEME) &&
	                   n_fed < TREND_THEMES;
	     i++) {
		struct trends_value tv;
		int64_t lo, hi;
		if (only != NULL &&
		    strcmp(only, ls_trends_code(fed_t, LS_TABLE_THEME, i)) != 0)
			continue;
		if (ls_trends_cell_total(fed_t, LS_TABLE_THEME, i, 0,
		                         LS_MEASURE_SIGNALS, &tv) != LS_OK)
			continue;
		ls_trends_value_interval(&tv, &lo, &hi);
		of[n_fed++] = (struct order){.i = i, .total = (uint64_t)hi};
	}
	qsort(of, n_fed, sizeof *of, cmp_order);
	for (size_t k = 0; k < n_fed; k++)
		if (of[k].total != 0 || only != NULL)
			json_array_append_new(
			    fed, fed_theme_json(fed_t, of[k].i, n_months));
	return fed;
}

/* The months of the window, with how many municipalities released and
 * how many are in a federation summary, per month. */
static void months_json(const struct trends *fed_t, size_t n_months,
                        json_t **periods, json_t **count, json_t **fed_inc)
{
	*periods = json_array();
	*count = json_array();
	*fed_inc = json_array();
	for (size_t m = 0; m < n_months; m++) {
		char p[LS_PERIOD_SIZE];
		struct ls_period per;
		ls_trends_period_at(fed_t, m, &per);
		ls_period_format(&per, p);
		json_array_append_new(*periods, json_string(p));
		json_array_append_new(
		    *count, json_integer(ls_trends_coverage(fed_t, m)));
		json_array_append_new(
		    *fed_inc, json_integer(ls_trends_federation_at(fed_t, m)));
	}
}

/* The ranking, as `signaalctl trends --format json` gives it: the same
 * window, score, explanations and levels. NULL when out of memory. */
static json_t *ranking_json(const struct trends *fed_t,
                            const struct ls_trends_select *sel,
                            const char *level, struct node_names *names)
{
	json_t *tj = ls_trends_json(fed_t, sel, NULL, names_cb, names);
	json_t *ranking =
	    tj != NULL
	        ? json_pack("{s:s, s:O, s:O, s:O}", "niveau", level, "items",
	                    json_object_get(tj, "items"), "venster",
	                    json_object_get(tj, "venster"), "gewichten",
	                    json_object_get(tj, "gewichten"))
	        : NULL;
	json_decref(tj);
	return ranking;
}

int node_api_trends(struct api_call *c)
{
	struct local_counts *t;
	struct trends *fed_t = NULL;
	struct ls_period end, first;
	struct ls_errinfo e;
	const char *only = node_api_param(c, "thema");
	int64_t months = 12;
	json_t *periods, *local, *fed, *count, *fed_inc, *ranking;
	struct ls_trends_select sel;
	struct node_names names;
	const char *level_name = NULL;
	uint64_t local_total = 0;
	int rc;

	memset(&sel, 0, sizeof sel);
	memset(&names, 0, sizeof names);
	if (trends_query(c, &first, &end, &months, &sel, &level_name) != 0)
		return -1;
	sel.theme = only;
	t = ls_calloc(1, sizeof *t);
	if (t == NULL)
		return node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	t->tax = store_taxonomy(c->api->store);
	t->n = (int32_t)months;
	t->first = ls_month_index(first.year, first.month);
	local_themes(t, only);
	if (only != NULL && t->n_themes == 0) {
		node_api_fail(c, API_E_UNKNOWN_CODE, "thema",
		              "Onbekende gedeelde themacode '%.40s'.", only);
		ls_free(t);
		return -1;
	}
	ls_errinfo_clear(&e);
	rc = store_signal_theme_months(c->api->store, t->first, t->n, local_cb,
	                               t, &e);
	if (rc == LS_OK)
		rc = node_names_load(c->api->store, &names, &e);
	if (rc == LS_OK)
		rc = federation_trends(c, &first, &end, &names, &fed_t, &e);
	if (rc != LS_OK) {
		node_names_fini(&names);
		ls_free(t);
		return node_api_fail_code(c, rc, &e, NULL);
	}
	months_json(fed_t, (size_t)t->n, &periods, &count, &fed_inc);
	local = local_json(t, only, &local_total);
	fed = fed_json(fed_t, only, (size_t)t->n);
	ranking = ranking_json(fed_t, &sel, level_name, &names);
	if (ranking == NULL) {
		json_decref(periods);
		json_decref(count);
		json_decref(fed_inc);
		json_decref(local);
		json_decref(fed);
		rc = node_api_fail_code(c, LS_ENOMEM, NULL, NULL);
	} else
		rc = node_api_reply_json(
		    c, 200,
		    json_pack("{s:o, s:o, s:{s:s, s:I, s:o}, "
		              "s:{s:o, s:o, s:i, s:o}, s:o}",
		              "perioden", periods, "thema",
		              node_api_json_text(only), "lokaal", "knooppunt",
		              c->api->config->node_id, "signalen_totaal",
		              (json_int_t)local_total, "themas", local,
		              "federatie", "gemeenten", count,
		              "federatietotaal_gemeenten", fed_inc, "documenten",
		              (int)ls_trends_n_sources(fed_t), "themas", fed,
		              "rangschikking", ranking));
	ls_trends_free(fed_t);
	node_names_fini(&names);
	ls_free(t);
	return rc;
}

/* --- summary preview -------------------------------------------------- */

static const char *const table_names[] = {
    "thema",        "thema_leeftijd",     "thema_doelgroep",
    "thema_sector", "thema_probleemtype", "herhaling"};

static json_t *released_json(const struct ls_cell *cell)
{
	switch (cell->kind) {
	case LS_CELL_EXACT:
		return json_pack("{s:s, s:I}", "soort", "exact", "waarde",
		                 (json_int_t)cell->value);
	case LS_CELL_RANGE:
		return json_pack("{s:s, s:I, s:I}", "soort", "bereik", "min",
		                 (json_int_t)cell->lo, "max",
		                 (json_int_t)cell->hi);
	case LS_CELL_NOISY:
		return json_pack("{s:s, s:I, s:I, s:I}", "soort", "ruis",
		                 "waarde", (json_int_t)cell->value, "min",
		                 (json_int_t)cell->lo, "max",
		                 (json_int_t)cell->hi);
	default:
		return json_pack("{s:s, s:I, s:I}", "soort", "achtergehouden",
		                 "min", (json_int_t)cell->lo, "max",
		                 (json_int_t)cell->hi);
	}
}

static const char *measure_name(int table, int measure)
{
	if (table == LS_TABLE_RECURRENCE)
		return measure == LS_MEASURE_ORGANISATIONS ? "organisaties"
		                                           : "melders";
	return measure == LS_MEASURE_SIGNALS ? "signalen" : "personen";
}

static json_t *ref_json(const struct disclosure_ref *r)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s}", "tabel",
	    table_names[r->table <= LS_TABLE_RECURRENCE ? r->table : 0], "maat",
	    measure_name(r->table, r->measure), "thema", r->theme, "ander",
	    r->other);
}

int node_api_summary_preview(struct api_call *c)
{
	const char *v = node_api_param(c, "periode");
	struct node_release_env env;
	struct node_release_plan plan;
	const struct ls_disclosure_params *params;
	struct ls_period period;
	struct ls_errinfo e;
	char ptext[LS_PERIOD_SIZE], when[32];
	json_t *cells;
	int rc;

	if (v == NULL)
		return node_api_fail(c, API_E_BAD_PARAMETER, "periode",
		                     "Geef de periode: ?periode=JJJJ-MM.");
	if (ls_period_parse(v, &period) != LS_OK)
		return node_api_fail(c, API_E_BAD_PARAMETER, "periode",
		                     "Ongeldige periode '%.20s' (JJJJ-MM of "
		                     "JJJJ-MM+N).",
		                     v);
	/* The release pipeline's own preview (what `signaalctl summary
	 * preview` shows), without the noise secret: the API never makes or
	 * reads it. */
	memset(&env, 0, sizeof env);
	env.store = c->api->store;
	env.trust = c->api->trust;
	ls_policy_local_from_config(c->api->config, &env.local);
	env.origin = c->api->config->node_id;
	env.actor = node_api_actor(c);
	ls_errinfo_clear(&e);
	rc = node_release_preview(&env, &period, c->req->now, &plan, &e);
	if (plan.rules.policy.params.mode == LS_MODE_NOISE) {
		node_release_plan_fini(&plan);
		return node_api_fail(
		    c, API_E_UNAVAILABLE, NULL,
		    "De federatie gebruikt ruis: de voorvertoning "
		    "daarvan toont 'signaalctl summary preview' op "
		    "het knooppunt zelf.");
	}
	if (rc != LS_OK) {
		node_release_plan_fini(&plan);
		if (rc == LS_EPOLICY)
			return node_api_fail(c, API_E_INVALID_VALUE, "periode",
			                     "%s.", e.msg);
		return node_api_fail_code(c, rc, &e, "periode");
	}
	params = &plan.rules.policy.params;
	cells = json_array();
	for (size_t i = 0; i < plan.report.n_notes; i++) {
		const struct disclosure_note *n = &plan.report.notes[i];
		json_t *o = ref_json(&n->cell);
		json_object_set_new(o, "echt", json_integer(n->raw));
		json_object_set_new(o, "vrijgegeven",
		                    released_json(&n->released));
		json_object_set_new(
		    o, "reden", json_string(ls_disclosure_reason_name(n->reason)));
		json_object_set_new(o, "beschermt",
		                    n->has_protects ? ref_json(&n->protects)
		                                    : json_null());
		json_object_set_new(o, "afleidbaar",
		                    json_pack("{s:I, s:I}", "min",
		                              (json_int_t)n->feasible_lo, "max",
		                              (json_int_t)n->feasible_hi));
		json_array_append_new(cells, o);
	}
	ls_period_format(&plan.period, ptext);
	node_api_time_iso(plan.release_time, when, sizeof when);
	rc = node_api_reply_json(
	    c, 200,
	    json_pack("{s:s, s:s, s:s, s:s, s:b, s:{s:i, s:i}, s:i, s:o}",
	              "periode", ptext, "toestand",
	              node_period_state_name(plan.state), "vrij_vanaf", when,
	              "modus", "drempel", "beleid_federatie",
	              plan.rules.from_federation, "parameters", "k",
	              (int)params->k, "plafond_personen",
	              (int)params->persons_cap, "beschermingsstappen",
	              (int)plan.report.actions, "cellen", cells));
	node_release_plan_fini(&plan);
	return rc;
}

/* --- federation ------------------------------------------------------- */

static json_t *status_json(const struct node_fedview_node *n)
{
	const struct ls_status *st = &n->status.body.status;
	json_t *peers, *counters;
	if (n->status.hdr.seq == 0)
		return json_null();
	peers = json_array();
	counters = json_object();
	for (size_t i = 0; i < st->n_peers; i++) {
		const struct ls_status_peer *p = &st->peers[i];
		json_array_append_new(
		    peers,
		    json_pack("{s:s, s:o, s:s}", "id", p->node_id,
		              "laatste_sync", node_api_json_time(p->last_sync),
		              "resultaat", p->result));
	}
	/* Nothing about signals, even from older software (PROTOCOL.md
	 * 5.5). */
	for (size_t i = 0; i < st->n_counters; i++)
		if (!proto_status_counter_private(st->counters[i].name))
			json_object_set_new(
			    counters, st->counters[i].name,
			    json_integer((json_int_t)st->counters[i].value));
	return json_pack("{s:o, s:s, s:I, s:o, s:o}", "op",
	                 node_api_json_time(n->seen), "versie", st->software,
	                 "uptime_s", (json_int_t)st->uptime, "peers", peers,
	                 "tellers", counters);
}

int node_api_federation(struct api_call *c)
{
	const struct node_trust *trust = c->api->trust;
	const int64_t now = c->req->now;
	struct node_fedview v;
	struct ls_errinfo e;
	json_t *nodes;
	int rc;

	ls_errinfo_clear(&e);
	if ((rc = node_fedview_load(c->api->store, trust, &v, &e)) != LS_OK) {
		node_fedview_fini(&v);
		return node_api_fail_code(
		    c, rc == LS_ECORRUPT ? LS_EINTERNAL : rc, NULL, NULL);
	}
	nodes = json_array();
	for (size_t i = 0; i < v.n; i++) {
		const struct node_fedview_node *n = &v.nodes[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(n->id));
		json_object_set_new(o, "naam", node_api_json_text(n->name));
		json_object_set_new(o, "rol",
		                    n->role ? json_string(ls_role_name(n->role))
		                            : json_null());
		/* Membership is known only with a roster in force. */
		json_object_set_new(
		    o, "lid",
		    !v.has_roster ? json_null()
		                  : json_boolean(n->member && (n->left == 0 ||
		                                               n->left > now)));
		json_object_set_new(o, "vertrokken_op",
		                    node_api_json_time(n->left));
		json_object_set_new(
		    o, "zelf",
		    json_boolean(strcmp(n->id, c->api->config->node_id) == 0));
		json_object_set_new(o, "feed_seq",
		                    json_integer((json_int_t)n->seq));
		json_object_set_new(o, "in_quarantaine",
		                    json_boolean(n->quarantined));
		json_object_set_new(o, "forks", json_integer(n->forks));
		json_object_set_new(o, "laatst_gezien",
		                    node_api_json_time(n->seen));
		json_object_set_new(o, "status_leeftijd_s",
		                    n->seen > 0 ? json_integer(now - n->seen)
		                                : json_null());
		json_object_set_new(o, "sync_achterstand_s",
		                    n->synced > 0
		                        ? json_integer(now - n->synced)
		                        : json_null());
		json_object_set_new(o, "status", status_json(n));
		json_object_set_new(
		    o, "laatste_vrijgave",
		    n->release_seq == 0
		        ? json_null()
		        : json_pack("{s:s, s:o, s:I, s:b}", "periode",
		                    n->release_period, "op",
		                    node_api_json_time(n->release_created),
		                    "seq", (json_int_t)n->release_seq,
		                    "telt_mee", !n->release_uncounted));
		json_object_set_new(o, "niet_geteld",
		                    json_integer((json_int_t)n->uncounted));
		json_array_append_new(nodes, o);
	}
	node_fedview_fini(&v);
	return node_api_reply_json(
	    c, 200,
	    json_pack("{s:o, s:s, s:s, s:o, s:o}", "federatie",
	              node_api_json_text(trust != NULL && trust->has_anchor
	                                     ? trust->federation
	                                     : NULL),
	              "knooppunt", c->api->config->node_id, "rol",
	              ls_role_name(c->api->config->role), "op",
	              node_api_json_time(now), "knooppunten", nodes));
}
