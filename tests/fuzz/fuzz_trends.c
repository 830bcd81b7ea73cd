/*
 * libFuzzer harness for core/trends, core/structural, view/trends_json and
 * view/bundle.
 *
 * The bytes build a handful of released summaries — codes of the shared
 * taxonomy or garbage, rows in or out of order, cells of any kind with any
 * bounds, threshold or noise mode, any period — and a few dossier notes
 * with arbitrary headline bytes; some of the documents are federation
 * summaries instead (ls_trends_add_federation: the same tables, any
 * number of municipalities, any noise, zero included). Every document
 * must be combined or refused cleanly (LS_OK, LS_EINVAL, LS_EEXISTS),
 * never half-way; the finished
 * trends must be sane (intervals ordered, components in [0, 1], scores in
 * [0, 100], spread counts ordered, explanations valid UTF-8); and the JSON
 * and the HTML bundle must render, the bundle with no control bytes and no
 * raw '<' from the data (every headline is escaped).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/reader.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/text.h"
#include "view/bundle.h"
#include "core/trends.h"
#include "view/trends_json.h"
#include "tests/fixture.h"

static struct ls_taxonomy tax;

static void taxonomy_once(void)
{
	if (tax.n > 0)
		return;
	ls_taxonomy_init(&tax);
	for (size_t i = 0; i < FX_N_TAXONOMY; i++) {
		struct ls_taxonomy_entry x;
		memset(&x, 0, sizeof x);
		x.dim = fx_taxonomy_rows[i].dim;
		strcpy(x.code, fx_taxonomy_rows[i].code);
		x.label_nl = (char *)fx_taxonomy_rows[i].nl;
		x.label_en = (char *)fx_taxonomy_rows[i].en;
		if (ls_taxonomy_add(&tax, &x, NULL) != LS_OK)
			abort();
	}
}

static const char *pick_code(struct reader *r, int dim)
{
	const char *codes[64];
	size_t n = 0;
	uint8_t b = rd(r);
	for (size_t i = 0; i < FX_N_TAXONOMY && n < 64; i++)
		if (fx_taxonomy_rows[i].dim == dim)
			codes[n++] = fx_taxonomy_rows[i].code;
	if (dim == LS_DIM_PROBLEM && n < 64)
		codes[n++] = "geen";
	if (b == 255)
		return "onbekend-xyz"; /* not in the taxonomy */
	return codes[b % n];
}

static struct ls_cell pick_cell(struct reader *r, uint8_t mode)
{
	struct ls_cell c;
	uint8_t how = rd(r);
	memset(&c, 0, sizeof c);
	c.kind = (uint8_t)(how & 3);
	if (how & 0x80) /* sometimes the kind of the other mode */
		c.kind = (uint8_t)(mode == LS_MODE_THRESHOLD ? 2 + (how & 1)
		                                             : (how & 1));
	if (how == 0x7f)
		c.kind = 9;
	c.value = rd(r) * (how & 0x40 ? 1000 : 1);
	c.lo = rd(r);
	c.hi = c.lo + rd(r) - (how == 0x3f ? 300 : 0);
	if (how == 0x1f)
		c.value = TRENDS_CELL_MAX + 1;
	if (c.kind == LS_CELL_EXACT)
		c.lo = c.hi = c.value;
	return c;
}

static int cmp_row(const void *a, const void *b)
{
	const struct ls_summary_row *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	return c ? c : strcmp(x->other, y->other);
}

static void build(struct reader *r, struct ls_summary *s)
{
	static const char *const origins[] = {"gent", "eeklo", "kortrijk",
	                                      "mortsel"};
	static const uint8_t dims[LS_TABLE_COUNT_] = {
	    LS_DIM_THEME, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR,
	    LS_DIM_PROBLEM};
	uint8_t h = rd(r);
	ls_summary_init(s);
	strcpy(s->origin, origins[h & 3]);
	s->period.year = 2025;
	s->period.month = 5 + rd(r) % 10; /* 13, 14: invalid */
	s->period.months = h & 0x40 ? 3 : 1;
	s->params.mode = h & 0x80 ? LS_MODE_NOISE : LS_MODE_THRESHOLD;
	s->params.k = 5;
	s->params.epsilon_milli = 10 + rd(r) * 40u;
	s->params.withhold_below = 5;
	s->params.persons_cap = 1 + rd(r) % 20;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = rd(r) % 12;
		struct ls_summary_table *tab = &s->tables[t];
		tab->rows = ls_calloc(n ? n : 1, sizeof *tab->rows);
		if (tab->rows == NULL)
			abort();
		for (size_t i = 0; i < n; i++) {
			struct ls_summary_row *row = &tab->rows[tab->n_rows++];
			strcpy(row->theme, pick_code(r, LS_DIM_THEME));
			if (t != LS_TABLE_THEME)
				strcpy(row->other, pick_code(r, dims[t]));
			row->signals = pick_cell(r, s->params.mode);
			row->persons = pick_cell(r, s->params.mode);
		}
		if (!(h & 0x20))
			qsort(tab->rows, tab->n_rows, sizeof *tab->rows,
			      cmp_row);
	}
}

static int utf8_clean(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			return 0;
	return ls_utf8_valid(s, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	struct trends_options o;
	struct ls_period last = {2025, 12, 1};
	struct trends *t;
	struct structural *st;
	struct ls_errinfo e;
	int n_docs = 1 + rd(&r) % 12;

	taxonomy_once();
	ls_trends_options_default(&o, &last);
	/* half a year keeps a run fast; periods before it are ignored */
	o.first.month = 7;
	o.first.year = 2025;
	o.growth_periods = 3 + rd(&r) % 4;
	if (ls_trends_new(&tax, &o, &t, &e) != LS_OK)
		abort();
	for (int d = 0; d < n_docs; d++) {
		struct ls_summary s;
		struct trends_docref ref;
		int rc;
		uint8_t kind;
		build(&r, &s);
		kind = rd(&r);
		memset(&ref, 0, sizeof ref);
		strcpy(ref.origin, s.origin);
		ref.seq = (uint64_t)d + 1;
		ref.hash[0] = (uint8_t)d;
		if (kind & 1) {
			/* a federation summary with these tables */
			struct trends_federation f;
			memset(&f, 0, sizeof f);
			f.period = s.period;
			f.n_included = kind >> 4;
			f.noise.mu[0] = (struct secagg_rational){
			    rd(&r) % 9, 1 + rd(&r) % 5};
			f.noise.mu[1] =
			    (struct secagg_rational){rd(&r), 1 + rd(&r) % 3};
			f.tables = s.tables;
			strcpy(ref.origin, "vvsg");
			rc = ls_trends_add_federation(t, &f, &ref, NULL, &e);
		} else {
			rc = ls_trends_add(t, &s, &ref, NULL, &e);
		}
		if (rc != LS_OK && rc != LS_EINVAL && rc != LS_EEXISTS)
			abort();
		ls_summary_fini(&s);
	}
	if (ls_trends_finish(t, &e) != LS_OK)
		abort();
	for (size_t i = 0; i < ls_trends_n_items(t); i++) {
		const struct trends_item *it = ls_trends_item_at(t, i);
		int64_t lo, hi;
		ls_trends_value_interval(&it->signals, &lo, &hi);
		if (lo > hi || lo < 0)
			abort();
		if (!(it->score >= 0 && it->score <= 100))
			abort();
		for (int k = 0; k < TRENDS_C_COUNT_; k++)
			if (!(it->component[k] >= 0 && it->component[k] <= 1))
				abort();
		if (it->n_report_lo > it->n_report_hi ||
		    it->n_report_hi > it->n_origins ||
		    it->n_rising + it->n_falling > it->n_complete)
			abort();
		if (!utf8_clean(it->explanation, strlen(it->explanation)))
			abort();
		if (it->fed_periods > it->n_periods ||
		    it->fed_included_min > it->fed_included_max ||
		    (it->has_growth && !(it->growth_lo >= -1.0)))
			abort();
	}

	if (ls_structural_new(&st) != LS_OK)
		abort();
	for (int i = 0; i < 3 && r.n > 0; i++) {
		struct structural_note n;
		size_t len = rd(&r) % (STRUCTURAL_HEADLINE_MAX + 1);
		memset(&n, 0, sizeof n);
		strcpy(n.origin, i ? "gent" : "eeklo");
		n.seq = (uint64_t)i + 1;
		n.dossier[0] = rd(&r);
		strcpy(n.theme, pick_code(&r, LS_DIM_THEME));
		n.phase = rd(&r) % 10;
		for (size_t k = 0; k < len && r.n > 0; k++)
			n.headline[k] = (char)(rd(&r) | 1); /* no NUL */
		(void)ls_structural_add(st, &n);
	}
	{
		struct ls_trends_select sel = {.levels = 1u << (rd(&r) % 3)};
		json_t *j = ls_trends_json(t, &sel, st, NULL, NULL);
		struct bundle_input in = {.trends = t,
		                          .notes = st,
		                          .generated = "2026-01-01",
		                          .top = 2};
		struct ls_buf b;
		if (j == NULL)
			abort();
		json_decref(j);
		ls_buf_init(&b, 0);
		if (ls_bundle_render(&in, &b, &e) != LS_OK)
			abort();
		if (!utf8_clean(b.data, b.len))
			abort();
		/* the headlines of the notes appear only escaped */
		for (size_t i = 0; i < ls_structural_count(st); i++)
			if (strchr(ls_structural_at(st, i)->headline, '<') !=
			        NULL &&
			    strstr(b.data, ls_structural_at(st, i)->headline) !=
			        NULL)
				abort();
		ls_buf_fini(&b);
	}
	ls_structural_free(st);
	ls_trends_free(t);
	return 0;
}
