/*
 * Disclosure control: noise mode (see core/disclosure_internal.h for the
 * module's files).
 */
#include "core/disclosure_internal.h"
#include "common/alloc.h"

#include <string.h>

/* ---- noise mode ------------------------------------------------------ */

static int noisy_cell(const struct nplan *np, int table, int measure,
                      const char *theme, const char *other, int64_t truth,
                      struct ls_cell *c, struct disclosure_note *nt)
{
	struct noise_cell_id id = {np->raw->origin, np->raw->period, table,
	                           measure,         theme,           other};
	int64_t z, v, h = np->half[table][measure];
	int rc = ls_noise_cell_draw(np->secret, &id, np->scale[table][measure],
	                            truth, np->epoch, &z);
	if (rc != LS_OK)
		return rc;
	v = truth + z;
	/* Every noisy value is published, however small or negative: a
	 * value withheld because its noise came out low would leave the
	 * published ones biased upwards, and every sum of them (the
	 * association's totals) with it. withhold_below is for display
	 * only: readers show a value below it as "fewer than w"
	 * (docs/DISCLOSURE.md 4.6). The interval [max(0, v - h),
	 * max(0, v + h)] holds the true count with probability >= 90%.
	 * Every released number stays within LS_COUNT_MAX, the wire
	 * format's limit: lowering v is post-processing (it costs no
	 * privacy); with the parameter limits it can only happen for a
	 * count near 10^9 or noise of many hundred million, never in
	 * practice. */
	if (v > LS_COUNT_MAX - h)
		v = LS_COUNT_MAX - h;
	if (v < -LS_COUNT_MAX)
		v = -LS_COUNT_MAX;
	c->kind = LS_CELL_NOISY;
	c->value = v;
	c->lo = max64(0, v - h);
	c->hi = max64(0, v + h);
	if (nt != NULL) {
		memset(nt, 0, sizeof *nt);
		nt->cell.table = (uint8_t)table;
		nt->cell.measure = (uint8_t)measure;
		memcpy(nt->cell.theme, theme, strlen(theme) + 1);
		memcpy(nt->cell.other, other, strlen(other) + 1);
		nt->raw = truth;
		nt->released = *c;
		nt->reason = c->kind == LS_CELL_WITHHELD ? DISCLOSURE_WITHHELD
		                                         : DISCLOSURE_NOISY;
		nt->feasible_lo = c->lo;
		nt->feasible_hi = c->hi;
		nt->scale = np->scale[table][measure];
		nt->halfwidth = h;
	}
	return LS_OK;
}

int ls_disclosure_noise_scales(const struct dom *d,
                               const struct ls_disclosure_params *p,
                               struct noise_scale scale[][LS_MEASURE_COUNT_],
                               int64_t half[][LS_MEASURE_COUNT_])
{
	for (int t = 0; t < LS_QUERY_TABLES; t++)
		for (int m = 0; m < LS_MEASURE_COUNT_; m++) {
			int rc = ls_noise_scale_for(
			    p->epsilon_milli, p->persons_cap,
			    d->n[LS_TABLE_THEME_TARGET], t, m, &scale[t][m]);
			if (rc != LS_OK)
				return rc;
			half[t][m] = ls_noise_halfwidth90(scale[t][m]);
			/* The parameter limits keep h near 7 x 10^8 at
			 * most (cap 1000, 64 target groups, epsilon
			 * 0.01), so a noisy value always fits below
			 * LS_COUNT_MAX; refuse rather than break that. */
			if (half[t][m] < 0 || half[t][m] > LS_COUNT_MAX / 2)
				return LS_EINVAL;
		}
	return LS_OK;
}

int ls_disclosure_apply_noise(const struct dom *d, const struct theme_sys *ts,
                              struct nplan *np, struct ls_summary *out,
                              struct disclosure_report *rep)
{
	size_t nt = d->n[LS_TABLE_THEME], counts[LS_TABLE_COUNT_], k = 0;
	size_t nnotes;
	int rc;

	if ((rc = ls_disclosure_noise_scales(d, np->p, np->scale, np->half)) !=
	    LS_OK)
		return rc;
	counts[LS_TABLE_THEME] = nt;
	for (int t = LS_TABLE_THEME_AGE; t < LS_TABLE_COUNT_; t++)
		counts[t] = nt * d->n[t];
	if ((rc = ls_disclosure_out_alloc(out, counts, nt)) != LS_OK)
		return rc;
	nnotes = 2 * nt;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		nnotes += 2 * counts[t];
	if (rep != NULL) {
		rep->notes = ls_calloc(nnotes, sizeof *rep->notes);
		if (rep->notes == NULL)
			return LS_ENOMEM;
	}
	/* Every cell of the domain, zeros included: which rows exist must
	 * not depend on the data. */
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t r = 0;
		size_t nother = t == LS_TABLE_THEME ? 1 : d->n[t];
		for (size_t ti = 0; ti < nt; ti++)
			for (size_t oi = 0; oi < nother; oi++) {
				struct ls_summary_row *row =
				    &out->tables[t].rows[r++];
				size_t i =
				    t == LS_TABLE_THEME ? 0 : d->first[t] + oi;
				memcpy(row->theme, d->code[0][ti],
				       LS_CODE_SIZE);
				if (t != LS_TABLE_THEME)
					memcpy(row->other, d->code[t][oi],
					       LS_CODE_SIZE);
				rc = noisy_cell(np, t, LS_MEASURE_SIGNALS,
				                row->theme, row->other,
				                ts[ti].x[i], &row->signals,
				                rep ? &rep->notes[k++] : NULL);
				if (rc == LS_OK)
					rc = noisy_cell(
					    np, t, LS_MEASURE_PERSONS,
					    row->theme, row->other, ts[ti].y[i],
					    &row->persons,
					    rep ? &rep->notes[k++] : NULL);
				if (rc != LS_OK)
					return rc;
			}
	}
	for (size_t ti = 0; ti < nt; ti++) {
		struct ls_recurrence_row *row = &out->recurrence[ti];
		size_t o = d->first[G_REC];
		memcpy(row->theme, d->code[0][ti], LS_CODE_SIZE);
		rc = noisy_cell(np, LS_TABLE_RECURRENCE,
		                LS_MEASURE_ORGANISATIONS, row->theme, "",
		                ts[ti].x[o], &row->organisations,
		                rep ? &rep->notes[k++] : NULL);
		if (rc == LS_OK)
			rc = noisy_cell(np, LS_TABLE_RECURRENCE,
			                LS_MEASURE_REPORTERS, row->theme, "",
			                ts[ti].x[o + 1], &row->reporters,
			                rep ? &rep->notes[k++] : NULL);
		if (rc != LS_OK)
			return rc;
	}
	if (rep != NULL) {
		rep->n_notes = k;
		ls_disclosure_report_count(rep);
	}
	return LS_OK;
}
