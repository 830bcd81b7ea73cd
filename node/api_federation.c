/*
 * Routes over the federation's data: trends (local beside the
 * federation's), the preview of a summary, and the federation's health.
 *
 * Trends: local counts come from the signals (store_signal_theme_months:
 * exact, this node only); the federation's come from the summary
 * documents the node holds — per origin and month the latest document
 * (a correction supersedes), each released cell as the range it stands
 * for (an exact count n as [n, n], a suppressed count as its range, a
 * noisy one as its interval), summed per theme and month as ranges. A
 * suppressed cell is never read as zero or guessed.
 *
 * Preview: the raw summary of a period through disclosure control with
 * the policy in force (or the defaults), with the note per cell of why it
 * is released as it is — what would leave the node. Threshold mode only:
 * noise mode needs the node's noise secret and privacy-budget ledger,
 * which only the release (signaalctl summary) holds.
 *
 * Federation: every node of the roster (and every origin the store holds
 * documents of), with its latest status document (version, uptime, last
 * capture, its peers' last syncs), its latest summary, its feed position
 * here, and its forks.
 */
#include "common/alloc.h"
#include "common/text.h"
#include "core/disclosure.h"
#include "core/node.h"
#include "node/api_internal.h"
#include "node/feed.h"
#include "node/trust.h"
#include "store/feed.h"
#include "store/signal.h"
#include "store/store.h"
#include "store/summary.h"

#include <stdio.h>
#include <string.h>

/* --- trends ----------------------------------------------------------- */

#define TREND_THEMES DISCLOSURE_MAX_CODES

struct trend_range {
	int64_t lo, hi;
};

struct trends {
	const struct ls_taxonomy *tax;
	const char *only; /* theme filter or NULL */
	int32_t first;    /* month index */
	int32_t n;        /* months */
	size_t n_themes;
	const struct ls_taxonomy_entry *themes[TREND_THEMES];
	uint64_t local[TREND_THEMES][NODE_API_TREND_MONTHS_MAX];
	struct trend_range fed[TREND_THEMES][NODE_API_TREND_MONTHS_MAX];
	unsigned origins[NODE_API_TREND_MONTHS_MAX];
	unsigned docs;
	/* the current origin's latest summary per month */
	char origin[LS_NODE_ID_SIZE];
	uint8_t have[NODE_API_TREND_MONTHS_MAX];
	struct trend_range cur[TREND_THEMES][NODE_API_TREND_MONTHS_MAX];
	int failed;
};

static int theme_index(struct trends *t, const char *code)
{
	for (size_t i = 0; i < t->n_themes; i++)
		if (strcmp(t->themes[i]->code, code) == 0)
			return (int)i;
	return -1;
}

static int local_cb(void *ctx, int32_t month, const char *theme, uint64_t count)
{
	struct trends *t = ctx;
	int i = theme_index(t, theme);
	if (i >= 0 && month >= t->first && month < t->first + t->n)
		t->local[i][month - t->first] += count;
	return 0;
}

static void cell_range(const struct ls_cell *cell, struct trend_range *r)
{
	if (cell->kind == LS_CELL_EXACT) {
		r->lo = r->hi = cell->value;
	} else {
		r->lo = cell->lo;
		r->hi = cell->hi;
	}
}

/* Add the buffered origin's months into the sums. */
static void flush_origin(struct trends *t)
{
	for (int32_t m = 0; m < t->n; m++) {
		if (!t->have[m])
			continue;
		t->origins[m]++;
		for (size_t i = 0; i < t->n_themes; i++) {
			t->fed[i][m].lo += t->cur[i][m].lo;
			t->fed[i][m].hi += t->cur[i][m].hi;
		}
	}
	memset(t->have, 0, sizeof t->have);
	memset(t->cur, 0, sizeof t->cur);
}

static int summary_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len)
{
	struct trends *t = arg;
	struct ls_doc doc;
	const struct ls_summary *s;
	int32_t month;
	if (strcmp(m->origin, t->origin) != 0) {
		flush_origin(t);
		ls_strlcpy(t->origin, m->origin, sizeof t->origin);
	}
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(envelope, len, &doc, NULL) != LS_OK) {
		t->failed = 1; /* stored documents were verified: a bug */
		return 1;
	}
	s = &doc.body.summary;
	month = ls_month_index(s->period.year, s->period.month);
	if (doc.hdr.type == LS_DOC_SUMMARY && s->period.months == 1 &&
	    month >= t->first && month < t->first + t->n) {
		/* Feeds come in seq order: a later summary of the same
		 * month (a correction) replaces the earlier one. */
		int32_t k = month - t->first;
		const struct ls_summary_table *tab = &s->tables[LS_TABLE_THEME];
		for (size_t i = 0; i < t->n_themes; i++)
			t->cur[i][k].lo = t->cur[i][k].hi = 0;
		for (size_t r = 0; r < tab->n_rows; r++) {
			int i = theme_index(t, tab->rows[r].theme);
			if (i >= 0)
				cell_range(&tab->rows[r].signals,
				           &t->cur[i][k]);
		}
		t->have[k] = 1;
		t->docs++;
	}
	proto_doc_fini(&doc);
	return 0;
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

int api_trends(struct api_call *c)
{
	struct trends *t;
	struct ls_date today;
	struct ls_period end;
	struct ls_errinfo e;
	const char *v;
	int64_t months = 12;
	struct order ol[TREND_THEMES], of[TREND_THEMES];
	json_t *periods, *local, *fed, *count;
	int rc;

	api_today(c, &today);
	end = (struct ls_period){today.year, today.month, 1};
	if ((v = api_param(c, "tot")) != NULL &&
	    (ls_period_parse(v, &end) != LS_OK || end.months != 1))
		return api_fail(c, API_E_BAD_PARAMETER, "tot",
		                "Ongeldige maand '%.20s' (JJJJ-MM).", v);
	if ((v = api_param(c, "maanden")) != NULL &&
	    ls_parse_i64(v, 1, NODE_API_TREND_MONTHS_MAX, &months) != LS_OK)
		return api_fail(c, API_E_BAD_PARAMETER, "maanden",
		                "Het aantal maanden is 1 tot %d.",
		                NODE_API_TREND_MONTHS_MAX);
	t = ls_calloc(1, sizeof *t);
	if (t == NULL)
		return api_fail_code(c, LS_ENOMEM, NULL, NULL);
	t->tax = store_taxonomy(c->api->store);
	t->n = (int32_t)months;
	t->first = ls_month_index(end.year, end.month) - t->n + 1;
	if (t->first < ls_month_index(LS_YEAR_MIN, 1)) {
		ls_free(t);
		return api_fail(c, API_E_BAD_PARAMETER, "maanden",
		                "De trend begint vóór %d.", LS_YEAR_MIN);
	}
	t->only = api_param(c, "thema");
	for (size_t i = 0; i < t->tax->n && t->n_themes < TREND_THEMES; i++) {
		const struct ls_taxonomy_entry *x = &t->tax->entries[i];
		if (x->dim == LS_DIM_THEME && !x->local &&
		    (t->only == NULL || strcmp(t->only, x->code) == 0))
			t->themes[t->n_themes++] = x;
	}
	if (t->only != NULL && t->n_themes == 0) {
		api_fail(c, API_E_UNKNOWN_CODE, "thema",
		         "Onbekende gedeelde themacode '%.40s'.", t->only);
		ls_free(t);
		return -1;
	}
	ls_errinfo_clear(&e);
	rc = store_signal_theme_months(c->api->store, t->first, t->n, local_cb,
	                               t, &e);
	if (rc == LS_OK)
		rc = store_feed_list(c->api->store, LS_DOC_SUMMARY, NULL,
		                     summary_cb, t);
	if (rc != LS_OK || t->failed) {
		ls_free(t);
		return api_fail_code(c, rc != LS_OK ? rc : LS_EINTERNAL, &e,
		                     NULL);
	}
	flush_origin(t);

	periods = json_array();
	count = json_array();
	for (int32_t m = 0; m < t->n; m++) {
		char p[LS_PERIOD_SIZE];
		struct ls_period per = {(t->first + m) / 12,
		                        (t->first + m) % 12 + 1, 1};
		ls_period_format(&per, p);
		json_array_append_new(periods, json_string(p));
		json_array_append_new(count, json_integer(t->origins[m]));
	}
	for (size_t i = 0; i < t->n_themes; i++) {
		ol[i] = of[i] = (struct order){.i = i};
		for (int32_t m = 0; m < t->n; m++) {
			ol[i].total += t->local[i][m];
			of[i].total += (uint64_t)t->fed[i][m].hi;
		}
	}
	/* Themes with the most signals first. */
	qsort(ol, t->n_themes, sizeof *ol, cmp_order);
	qsort(of, t->n_themes, sizeof *of, cmp_order);
	local = json_array();
	fed = json_array();
	for (size_t k = 0; k < t->n_themes; k++) {
		size_t i = ol[k].i, j = of[k].i;
		if (ol[k].total > 0 || t->only != NULL) {
			json_t *a = json_array();
			for (int32_t m = 0; m < t->n; m++)
				json_array_append_new(
				    a,
				    json_integer((json_int_t)t->local[i][m]));
			json_array_append_new(
			    local,
			    json_pack("{s:s, s:s, s:o}", "code",
			              t->themes[i]->code, "label",
			              t->themes[i]->label_nl, "signalen", a));
		}
		if (of[k].total > 0 || t->only != NULL) {
			json_t *lo = json_array(), *hi = json_array();
			for (int32_t m = 0; m < t->n; m++) {
				json_array_append_new(
				    lo, json_integer(t->fed[j][m].lo));
				json_array_append_new(
				    hi, json_integer(t->fed[j][m].hi));
			}
			json_array_append_new(
			    fed, json_pack("{s:s, s:s, s:o, s:o}", "code",
			                   t->themes[j]->code, "label",
			                   t->themes[j]->label_nl, "min", lo,
			                   "max", hi));
		}
	}
	rc = api_reply_json(
	    c, 200,
	    json_pack("{s:o, s:o, s:{s:s, s:o}, s:{s:o, s:i, s:o}}", "perioden",
	              periods, "thema", api_json_text(t->only), "lokaal",
	              "knooppunt", c->api->config->node_id, "themas", local,
	              "federatie", "gemeenten", count, "documenten",
	              (int)t->docs, "themas", fed));
	ls_free(t);
	return rc;
}

/* --- summary preview -------------------------------------------------- */

static const char *const table_names[] = {
    "thema",        "thema_leeftijd",     "thema_doelgroep",
    "thema_sector", "thema_probleemtype", "herhaling"};

static const uint8_t table_dims[LS_TABLE_COUNT_] = {
    [LS_TABLE_THEME] = LS_DIM_THEME,
    [LS_TABLE_THEME_AGE] = LS_DIM_AGE,
    [LS_TABLE_THEME_TARGET] = LS_DIM_TARGET,
    [LS_TABLE_THEME_SECTOR] = LS_DIM_SECTOR,
    [LS_TABLE_THEME_PROBLEM] = LS_DIM_PROBLEM,
};

struct domain {
	const char *codes[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	struct ls_domain dom;
};

/* The shared codes of the taxonomy as the domain of a summary. */
static int build_domain(const struct ls_taxonomy *tax, struct domain *d)
{
	memset(d, 0, sizeof *d);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = 0;
		for (size_t i = 0; i < tax->n; i++) {
			const struct ls_taxonomy_entry *x = &tax->entries[i];
			if (x->dim != table_dims[t] || x->local)
				continue;
			if (n == DISCLOSURE_MAX_CODES)
				return LS_ELIMIT;
			d->codes[t][n++] = x->code;
		}
		if (t == LS_TABLE_THEME_PROBLEM) {
			if (n == DISCLOSURE_MAX_CODES)
				return LS_ELIMIT;
			d->codes[t][n++] = LS_PROBLEM_NONE;
		}
		d->dom.codes[t] = d->codes[t];
		d->dom.n_codes[t] = n;
	}
	return LS_OK;
}

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

int api_summary_preview(struct api_call *c)
{
	const char *v = api_param(c, "periode");
	const struct ls_policy *policy =
	    c->api->trust != NULL ? node_trust_policy(c->api->trust) : NULL;
	struct ls_disclosure_params params;
	struct disclosure_input in;
	struct disclosure_report report;
	struct ls_summary raw, out;
	struct ls_period period;
	struct ls_errinfo e;
	struct domain *dom;
	char ptext[LS_PERIOD_SIZE];
	json_t *cells;
	int rc;

	if (v == NULL)
		return api_fail(c, API_E_BAD_PARAMETER, "periode",
		                "Geef de periode: ?periode=JJJJ-MM.");
	if (ls_period_parse(v, &period) != LS_OK)
		return api_fail(c, API_E_BAD_PARAMETER, "periode",
		                "Ongeldige periode '%.20s' (JJJJ-MM of "
		                "JJJJ-MM+N).",
		                v);
	if (policy != NULL)
		params = policy->params;
	else
		disclosure_params_default(&params);
	if (params.mode != LS_MODE_THRESHOLD)
		return api_fail(c, API_E_UNAVAILABLE, NULL,
		                "De federatie gebruikt ruis: de voorvertoning "
		                "daarvan toont 'signaalctl summary preview' op "
		                "het knooppunt zelf.");
	dom = ls_calloc(1, sizeof *dom);
	if (dom == NULL)
		return api_fail_code(c, LS_ENOMEM, NULL, NULL);
	if ((rc = build_domain(store_taxonomy(c->api->store), dom)) != LS_OK) {
		ls_free(dom);
		return api_fail_code(c, rc, NULL, NULL);
	}
	ls_errinfo_clear(&e);
	rc = store_summary_raw(c->api->store, &period, params.persons_cap, &raw,
	                       &e);
	if (rc != LS_OK) {
		ls_summary_fini(&raw);
		ls_free(dom);
		return api_fail_code(c, rc, &e, "periode");
	}
	ls_strlcpy(raw.origin, c->api->config->node_id, sizeof raw.origin);
	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &dom->dom;
	in.params = &params;
	ls_summary_init(&out);
	disclosure_report_init(&report);
	rc = disclosure_apply(&in, &out, &report, &e);
	ls_summary_fini(&raw);
	ls_summary_fini(&out);
	ls_free(dom);
	if (rc != LS_OK) {
		disclosure_report_fini(&report);
		return api_fail_code(c, rc, &e, NULL);
	}
	cells = json_array();
	for (size_t i = 0; i < report.n_notes; i++) {
		const struct disclosure_note *n = &report.notes[i];
		json_t *o = ref_json(&n->cell);
		json_object_set_new(o, "echt", json_integer(n->raw));
		json_object_set_new(o, "vrijgegeven",
		                    released_json(&n->released));
		json_object_set_new(
		    o, "reden", json_string(disclosure_reason_name(n->reason)));
		json_object_set_new(o, "beschermt",
		                    n->has_protects ? ref_json(&n->protects)
		                                    : json_null());
		json_object_set_new(o, "afleidbaar",
		                    json_pack("{s:I, s:I}", "min",
		                              (json_int_t)n->feasible_lo, "max",
		                              (json_int_t)n->feasible_hi));
		json_array_append_new(cells, o);
	}
	ls_period_format(&period, ptext);
	rc = api_reply_json(
	    c, 200,
	    json_pack("{s:s, s:s, s:{s:i, s:i}, s:i, s:o}", "periode", ptext,
	              "modus", "drempel", "parameters", "k", (int)params.k,
	              "plafond_personen", (int)params.persons_cap,
	              "beschermingsstappen", (int)report.actions, "cellen",
	              cells));
	disclosure_report_fini(&report);
	return rc;
}

/* --- federation ------------------------------------------------------- */

struct fed_node {
	char id[LS_NODE_ID_SIZE];
	const char *name; /* roster's, or NULL */
	int role;         /* enum ls_role, 0 unknown */
	int member;       /* in the roster */
	int64_t left;
	uint64_t seq;
	int quarantined;
	unsigned forks;
	json_t *status;  /* status details or NULL */
	int64_t seen;    /* the latest status document's time */
	int64_t synced;  /* its latest successful sync with any peer */
	json_t *release; /* latest summary or NULL */
};

struct fed {
	const char *federation; /* origin of federation documents */
	size_t n, cap;
	struct fed_node *nodes;
	int failed;
};

static struct fed_node *fed_find(struct fed *f, const char *id, int add)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->nodes[i].id, id) == 0)
			return &f->nodes[i];
	if (!add || (f->federation != NULL && strcmp(id, f->federation) == 0))
		return NULL;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct fed_node *p =
		    ls_realloc(f->nodes, cap * sizeof *f->nodes);
		if (p == NULL) {
			f->failed = 1;
			return NULL;
		}
		f->nodes = p;
		f->cap = cap;
	}
	memset(&f->nodes[f->n], 0, sizeof f->nodes[f->n]);
	ls_strlcpy(f->nodes[f->n].id, id, sizeof f->nodes[f->n].id);
	return &f->nodes[f->n++];
}

static int vector_cb(void *arg, const char *origin, uint64_t seq,
                     const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct fed *f = arg;
	struct fed_node *n = fed_find(f, origin, 1);
	(void)head;
	if (n != NULL) {
		n->seq = seq;
		n->quarantined = forked;
	}
	return f->failed;
}

static int fork_cb(void *arg, const struct store_fork *fk, const uint8_t *proof,
                   size_t len)
{
	struct fed *f = arg;
	struct fed_node *n = fed_find(f, fk->origin, 1);
	(void)proof;
	(void)len;
	if (n != NULL)
		n->forks++;
	return f->failed;
}

static int status_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *envelope, size_t len)
{
	struct fed *f = arg;
	struct fed_node *n = fed_find(f, m->origin, 1);
	struct ls_doc doc;
	const struct ls_status *st;
	json_t *peers, *counters;
	if (n == NULL)
		return f->failed;
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(envelope, len, &doc, NULL) != LS_OK ||
	    doc.hdr.type != LS_DOC_STATUS) {
		proto_doc_fini(&doc);
		f->failed = 1;
		return 1;
	}
	st = &doc.body.status;
	peers = json_array();
	counters = json_object();
	for (size_t i = 0; i < st->n_peers; i++) {
		const struct ls_status_peer *p = &st->peers[i];
		json_array_append_new(peers,
		                      json_pack("{s:s, s:o, s:s}", "id",
		                                p->node_id, "laatste_sync",
		                                api_json_time(p->last_sync),
		                                "resultaat", p->result));
		if (strcmp(p->result, "ok") == 0 && p->last_sync > n->synced)
			n->synced = p->last_sync;
	}
	for (size_t i = 0; i < st->n_counters; i++)
		json_object_set_new(
		    counters, st->counters[i].name,
		    json_integer((json_int_t)st->counters[i].value));
	n->seen = doc.hdr.created;
	json_decref(n->status);
	n->status =
	    json_pack("{s:o, s:s, s:I, s:o, s:o, s:o}", "op",
	              api_json_time(doc.hdr.created), "versie", st->software,
	              "uptime_s", (json_int_t)st->uptime, "laatste_registratie",
	              api_json_time(st->last_capture), "peers", peers,
	              "tellers", counters);
	proto_doc_fini(&doc);
	return 0;
}

static int release_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *envelope, size_t len)
{
	struct fed *f = arg;
	struct fed_node *n = fed_find(f, m->origin, 1);
	struct ls_doc doc;
	char p[LS_PERIOD_SIZE];
	if (n == NULL)
		return f->failed;
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(envelope, len, &doc, NULL) != LS_OK ||
	    doc.hdr.type != LS_DOC_SUMMARY) {
		proto_doc_fini(&doc);
		f->failed = 1;
		return 1;
	}
	ls_period_format(&doc.body.summary.period, p);
	json_decref(n->release);
	n->release = json_pack("{s:s, s:o, s:I}", "periode", p, "op",
	                       api_json_time(doc.hdr.created), "seq",
	                       (json_int_t)doc.hdr.seq);
	proto_doc_fini(&doc);
	return 0;
}

static void fed_free(struct fed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		json_decref(f->nodes[i].status);
		json_decref(f->nodes[i].release);
	}
	ls_free(f->nodes);
}

int api_federation(struct api_call *c)
{
	const struct node_trust *trust = c->api->trust;
	const struct ls_roster *roster =
	    trust != NULL ? node_trust_roster(trust) : NULL;
	const int64_t now = c->req->now;
	struct fed f = {0};
	json_t *nodes;
	int rc;

	f.federation =
	    trust != NULL && trust->has_anchor ? trust->federation : NULL;
	for (size_t i = 0; roster != NULL && i < roster->n_members; i++) {
		const struct ls_roster_member *m = &roster->members[i];
		struct fed_node *n = fed_find(&f, m->node_id, 1);
		if (n == NULL)
			break;
		n->name = m->name;
		n->role = m->role;
		n->member = 1;
		n->left = m->left;
	}
	rc = f.failed ? LS_ENOMEM : LS_OK;
	if (rc == LS_OK)
		rc = store_feed_vector(c->api->store, vector_cb, &f);
	if (rc == LS_OK)
		rc = store_fork_list(c->api->store, 0, fork_cb, &f);
	if (rc == LS_OK)
		rc = store_feed_latest(c->api->store, LS_DOC_STATUS, status_cb,
		                       &f);
	if (rc == LS_OK)
		rc = store_feed_latest(c->api->store, LS_DOC_SUMMARY,
		                       release_cb, &f);
	if (rc != LS_OK || f.failed) {
		fed_free(&f);
		return api_fail_code(c, f.failed ? LS_EINTERNAL : rc, NULL,
		                     NULL);
	}
	nodes = json_array();
	for (size_t i = 0; i < f.n; i++) {
		struct fed_node *n = &f.nodes[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(n->id));
		json_object_set_new(o, "naam", api_json_text(n->name));
		json_object_set_new(o, "rol",
		                    n->role ? json_string(ls_role_name(n->role))
		                            : json_null());
		/* Membership is known only with a roster in force. */
		json_object_set_new(
		    o, "lid",
		    roster == NULL
		        ? json_null()
		        : json_boolean(n->member &&
		                       (n->left == 0 || n->left > now)));
		json_object_set_new(o, "vertrokken_op", api_json_time(n->left));
		json_object_set_new(
		    o, "zelf",
		    json_boolean(strcmp(n->id, c->api->config->node_id) == 0));
		json_object_set_new(o, "feed_seq",
		                    json_integer((json_int_t)n->seq));
		json_object_set_new(o, "in_quarantaine",
		                    json_boolean(n->quarantined));
		json_object_set_new(o, "forks", json_integer(n->forks));
		json_object_set_new(o, "laatst_gezien", api_json_time(n->seen));
		json_object_set_new(o, "status_leeftijd_s",
		                    n->seen > 0 ? json_integer(now - n->seen)
		                                : json_null());
		json_object_set_new(o, "sync_achterstand_s",
		                    n->synced > 0
		                        ? json_integer(now - n->synced)
		                        : json_null());
		json_object_set_new(o, "status",
		                    n->status ? json_incref(n->status)
		                              : json_null());
		json_object_set_new(o, "laatste_vrijgave",
		                    n->release ? json_incref(n->release)
		                               : json_null());
		json_array_append_new(nodes, o);
	}
	fed_free(&f);
	return api_reply_json(
	    c, 200,
	    json_pack("{s:o, s:s, s:s, s:o, s:o}", "federatie",
	              api_json_text(trust != NULL && trust->has_anchor
	                                ? trust->federation
	                                : NULL),
	              "knooppunt", c->api->config->node_id, "rol",
	              ls_role_name(c->api->config->role), "op",
	              api_json_time(now), "knooppunten", nodes));
}
