/*
 * libFuzzer harness for core/disclosure.
 *
 * The bytes choose the parameters, a small taxonomy domain and a list of
 * signals; the harness counts them into a raw summary (tests/unit/synth.h)
 * and may then corrupt some raw cells. ls_disclosure_apply() must either
 * refuse with LS_EINVAL or release a summary that
 *   - holds every raw count in its released range (threshold mode),
 *   - passes the receiver's check, ls_disclosure_check(), whose oracle finds
 *     no suppressed small count that can be computed,
 *   - leaves no primary (1..k-1) count pinned according to the notes,
 *   - is the same bytes when released again,
 *   - is what the wire format accepts: proto_summary_validate() passes
 *     (the release rules of core/ and the decoder's are one set).
 * Leftover bytes then damage the released summary, which the receiver's
 * check (fed untrusted summaries in production) must judge without
 * crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/reader.h"
#include "common/err.h"
#include "core/disclosure.h"
#include "proto/doc_summary.h"
#include "tests/unit/synth.h"

static const uint8_t secret[NOISE_SECRET_BYTES] = {7, 7, 7};

static int64_t raw_value(const struct ls_summary *raw, int table,
                         const char *theme, const char *other, int measure)
{
	if (table == LS_TABLE_RECURRENCE) {
		for (size_t r = 0; r < raw->n_recurrence; r++)
			if (strcmp(raw->recurrence[r].theme, theme) == 0)
				return measure
				           ? raw->recurrence[r].reporters.value
				           : raw->recurrence[r]
				                 .organisations.value;
		return 0;
	}
	for (size_t r = 0; r < raw->tables[table].n_rows; r++) {
		const struct ls_summary_row *row = &raw->tables[table].rows[r];
		if (strcmp(row->theme, theme) == 0 &&
		    strcmp(row->other, other) == 0)
			return measure ? row->persons.value
			               : row->signals.value;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct synth_signal sig[64];
	struct reader r = {data, size};
	struct synth_domain sd;
	struct synth_world w;
	struct synth_rng rng;
	struct ls_disclosure_params p;
	struct noise_budget budget = {NOISE_BUDGET_YEAR_DEFAULT_MILLI, 0};
	struct ls_summary raw, rel, again;
	struct disclosure_input in;
	struct disclosure_report rep;
	struct ls_errinfo e;
	size_t dims[LS_TABLE_COUNT_], n;
	uint8_t mode = rd(&r), corrupt;
	int rc;

	ls_disclosure_params_default(&p);
	p.mode = mode & 1 ? LS_MODE_NOISE : LS_MODE_THRESHOLD;
	p.k = 3 + rd(&r) % 6;
	p.persons_cap = 1 + rd(&r) % 5;
	p.epsilon_milli = 100 + 100u * (rd(&r) % 30);
	p.withhold_below = rd(&r) % 8;
	corrupt = rd(&r);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		dims[t] = 1 + rd(&r) % 4;
	dims[LS_TABLE_THEME_PROBLEM]++;
	synth_domain_init(&sd, dims);
	rng.s = rd(&r);
	synth_world_init(&w, &rng, &sd, 1 + rd(&r) % 8, rd(&r) % 8);

	n = rd(&r) % 64;
	for (size_t i = 0; i < n; i++) {
		struct synth_signal *s = &sig[i];
		uint8_t a = rd(&r), b = rd(&r), c = rd(&r), d = rd(&r);
		uint8_t nt = (uint8_t)sd.dom.n_codes[0];
		memset(s, 0, sizeof *s);
		s->n_themes = 1;
		s->themes[0] = (uint8_t)(a % nt);
		if (a >> 6 && nt > 1) {
			s->themes[s->n_themes++] =
			    (uint8_t)((s->themes[0] + 1 + (a >> 6) % (nt - 1)) %
			              nt);
		}
		s->age = (uint8_t)(b % sd.dom.n_codes[1]);
		s->problem = (uint8_t)((b >> 4) % sd.dom.n_codes[4]);
		s->targets = c & ((1u << sd.dom.n_codes[2]) - 1);
		s->org = (uint16_t)((c >> 4) % w.n_orgs);
		s->reporter = w.n_reporters && (d & 1)
		                  ? (int32_t)((d >> 1) % w.n_reporters)
		                  : -1;
		s->persons = 1 + (d >> 4);
	}

	ls_summary_init(&raw);
	synth_header(&raw, "fuzz", 2026, 1 + corrupt % 12);
	if (synth_summarise(&sd, &w, sig, n, p.persons_cap, corrupt & 1, &raw,
	                    NULL) != 0)
		abort();
	/* Damage some raw cells: the result must be a clean refusal or a
	 * protected release of whatever the cells now say. */
	for (int k = 0; k < (corrupt >> 5); k++) {
		int t = rd(&r) % LS_TABLE_COUNT_;
		struct ls_summary_table *tb = &raw.tables[t];
		uint8_t how = rd(&r);
		if (tb->n_rows == 0)
			continue;
		struct ls_cell *cell =
		    how & 1 ? &tb->rows[how % tb->n_rows].persons
		            : &tb->rows[how % tb->n_rows].signals;
		cell->value += (int8_t)rd(&r);
		if (how & 2)
			cell->lo = cell->hi = cell->value;
		if (how & 4)
			cell->kind = (uint8_t)(rd(&r) % 5);
	}

	memset(&in, 0, sizeof in);
	in.raw = &raw;
	in.domain = &sd.dom;
	in.params = &p;
	in.secret = secret;
	in.budget = &budget;
	rc = ls_disclosure_apply(&in, &rel, &rep, &e);
	if (rc != LS_OK) {
		if (rc != LS_EINVAL || rel.recurrence != NULL ||
		    rep.notes != NULL)
			abort();
		ls_summary_fini(&raw);
		return 0;
	}
	if (ls_disclosure_check(&rel, &sd.dom, NULL, &e) != LS_OK)
		abort();
	if (proto_summary_validate(&rel, &e) != LS_OK)
		abort();
	for (size_t i = 0; i < rep.n_notes; i++) {
		const struct disclosure_note *nt = &rep.notes[i];
		int64_t v = raw_value(&raw, nt->cell.table, nt->cell.theme,
		                      nt->cell.other, nt->cell.measure);
		if (v != nt->raw)
			abort();
		if (p.mode == LS_MODE_NOISE)
			continue;
		if (v < nt->released.lo || v > nt->released.hi ||
		    v < nt->feasible_lo || v > nt->feasible_hi)
			abort();
		if (nt->reason == DISCLOSURE_PRIMARY &&
		    nt->feasible_lo == nt->feasible_hi)
			abort();
	}
	/* Released again: the same bytes. */
	if (ls_disclosure_apply(&in, &again, NULL, &e) != LS_OK)
		abort();
	{
		struct synth_buf b1, b2;
		synth_serialize(&rel, &b1);
		synth_serialize(&again, &b2);
		if (b1.n != b2.n || memcmp(b1.b, b2.b, b1.n) != 0)
			abort();
		free(b1.b);
		free(b2.b);
	}
	/* A receiver's check of a damaged release: any verdict, no crash,
	 * and nothing allocated on refusal. */
	while (r.n >= 4) {
		int t = rd(&r) % (LS_TABLE_COUNT_ + 1);
		uint8_t how = rd(&r), what = rd(&r);
		int8_t delta = (int8_t)rd(&r);
		struct ls_cell *cell;
		if (t == LS_TABLE_COUNT_) {
			if (rel.n_recurrence == 0)
				continue;
			cell = how & 1
			           ? &rel.recurrence[what % rel.n_recurrence]
			                  .reporters
			           : &rel.recurrence[what % rel.n_recurrence]
			                  .organisations;
		} else {
			struct ls_summary_table *tb = &rel.tables[t];
			if (tb->n_rows == 0)
				continue;
			cell = how & 1 ? &tb->rows[what % tb->n_rows].persons
			               : &tb->rows[what % tb->n_rows].signals;
			if (how & 8)
				tb->n_rows--;
		}
		switch (how >> 4 & 3) {
		case 0:
			cell->lo += delta;
			break;
		case 1:
			cell->hi += delta * 1000;
			break;
		case 2:
			cell->value += delta;
			break;
		default:
			cell->kind = (uint8_t)(what % 5);
		}
		{
			struct disclosure_report b;
			rc = ls_disclosure_check(&rel, &sd.dom, &b, &e);
			if (rc != LS_OK &&
			    (b.notes != NULL ||
			     (rc != LS_EPOLICY && rc != LS_EINVAL)))
				abort();
			ls_disclosure_report_fini(&b);
		}
	}
	ls_summary_fini(&again);
	ls_disclosure_report_fini(&rep);
	ls_summary_fini(&rel);
	ls_summary_fini(&raw);
	return 0;
}
