/*
 * Disclosure control: the receiver's check of a released summary,
 * ls_disclosure_check() (see core/disclosure_internal.h for the module's
 * files).
 */
#include "core/disclosure_internal.h"
#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

/* ---- receiver's check ------------------------------------------------ */

static int check_cell_threshold(const struct ls_cell *c, int64_t k,
                                const char *where, struct ls_errinfo *e)
{
	if (c->kind == LS_CELL_EXACT) {
		if (c->lo != c->value || c->hi != c->value || c->value < 0 ||
		    c->value > LS_COUNT_MAX)
			return ls_errf(e, LS_EPOLICY,
			               "%s: malformed exact cell", where);
		if (c->value >= 1 && c->value < k)
			return ls_errf(e, LS_EPOLICY,
			               "%s: exact count %lld is below k = %lld",
			               where, (long long)c->value,
			               (long long)k);
		return LS_OK;
	}
	if (c->kind != LS_CELL_RANGE || c->value != 0 || c->lo < 0 ||
	    c->lo > c->hi || c->hi > LS_COUNT_MAX)
		return ls_errf(e, LS_EPOLICY,
		               "%s: not an exact count or a range", where);
	return LS_OK;
}

/* One released cell as the oracle sees it; checks the persons convention
 * (signals and persons suppressed together, persons range derived). */
static int check_row_threshold(const struct ls_cell *sig,
                               const struct ls_cell *per, int64_t k,
                               int64_t cap, const char *where,
                               struct oracle_cell *oc, struct ls_errinfo *e)
{
	int rc;
	if ((rc = check_cell_threshold(sig, k, where, e)) != LS_OK)
		return rc;
	oc->exact = sig->kind == LS_CELL_EXACT;
	oc->lo = sig->lo;
	oc->hi = sig->hi;
	oc->y = 0;
	if (per == NULL)
		return LS_OK;
	if ((rc = check_cell_threshold(per, k, where, e)) != LS_OK)
		return rc;
	if (sig->kind != per->kind)
		return ls_errf(e, LS_EPOLICY,
		               "%s: signals and persons not suppressed "
		               "together",
		               where);
	oc->y = per->value;
	if (oc->exact && (oc->y < oc->lo || oc->y > cap * oc->lo))
		return ls_errf(e, LS_EPOLICY, "%s: persons out of bounds",
		               where);
	if (!oc->exact && (per->lo != oc->lo || per->hi != cap * oc->hi))
		return ls_errf(e, LS_EPOLICY,
		               "%s: persons range is not derived from the "
		               "signals range",
		               where);
	return LS_OK;
}

static void bound_note(const struct dom *d, size_t ti, size_t i, int measure,
                       const struct ls_cell *rel, const struct orange *o,
                       struct disclosure_note *nt)
{
	int persons = measure == LS_MEASURE_PERSONS && has_persons(d, i);
	memset(nt, 0, sizeof *nt);
	ls_disclosure_ref_of(d, ti, i, measure, &nt->cell);
	nt->raw = -1;
	nt->released = *rel;
	nt->reason = rel->kind == LS_CELL_EXACT ? DISCLOSURE_RELEASED
	                                        : DISCLOSURE_SUPPRESSED;
	nt->feasible_lo = persons ? o->ylo : o->xlo;
	nt->feasible_hi = persons ? o->yhi : o->xhi;
}

/* A threshold-mode summary as the oracle sees it, theme by theme. A
 * theme without rows is not present; its cells are exactly 0. */
struct tview {
	const struct dom *d;
	const struct ls_summary *s;
	int64_t k, cap;
	struct oracle_cell (*oc)[MAXC];
	struct orange (*rg)[MAXC];
	uint8_t *present;
	int *theme_of;
	size_t *cell_of;
};

/* Every row of the summary into v->oc, checking each cell's shape. */
static int read_rows(struct tview *v, struct ls_errinfo *e)
{
	const struct dom *d = v->d;
	const struct ls_summary *s = v->s;
	char where[160];
	int rc = LS_OK;

	for (int t = 0; t < LS_TABLE_COUNT_ && rc == LS_OK; t++) {
		const struct ls_summary_table *tb = &s->tables[t];
		rc = ls_disclosure_rows_locate(d, t, s, "summary", v->theme_of,
		                               v->cell_of, e);
		for (size_t r = 0; r < tb->n_rows && rc == LS_OK; r++) {
			const struct ls_summary_row *row = &tb->rows[r];
			int ti = v->theme_of[r];
			snprintf(where, sizeof where, "%s row %zu (%s %s)",
			         table_name[t], r, d->code[0][ti], row->other);
			v->present[ti] = 1;
			rc = check_row_threshold(&row->signals, &row->persons,
			                         v->k, v->cap, where,
			                         &v->oc[ti][v->cell_of[r]], e);
		}
	}
	if (rc == LS_OK)
		rc = ls_disclosure_rec_locate(d, s, "summary", v->theme_of, e);
	for (size_t r = 0; r < s->n_recurrence && rc == LS_OK; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		int ti = v->theme_of[r];
		size_t o = d->first[G_REC];
		snprintf(where, sizeof where, "recurrence row %zu (%s)", r,
		         d->code[0][ti]);
		v->present[ti] = 1;
		rc = check_row_threshold(&row->organisations, NULL, v->k,
		                         v->cap, where, &v->oc[ti][o], e);
		if (rc == LS_OK)
			rc = check_row_threshold(&row->reporters, NULL, v->k,
			                         v->cap, where,
			                         &v->oc[ti][o + 1], e);
	}
	return rc;
}

/* Theme ti: the oracle's exact ranges into v->rg[ti]; LS_EPOLICY if a
 * suppressed small count (or its persons) is a single value. */
static int audit_theme(const struct tview *v, size_t ti, struct ls_errinfo *e)
{
	const struct dom *d = v->d;
	const struct oracle_cell *oc = v->oc[ti];
	const struct orange *rg = v->rg[ti];
	int rc = ls_disclosure_oracle(d, oc, v->cap, v->rg[ti]);

	if (rc != LS_OK)
		return ls_errf(
		    e, LS_EPOLICY, "theme %s: the released values %s",
		    d->code[0][ti],
		    rc == LS_ELIMIT ? "leave the total too open to audit"
		                    : "are inconsistent");
	for (size_t i = 0; i < d->ncells; i++) {
		const struct orange *o = &rg[i];
		struct disclosure_ref ref;
		if (oc[i].exact)
			continue;
		ls_disclosure_ref_of(d, ti, i, LS_MEASURE_SIGNALS, &ref);
		if (o->xlo == o->xhi && o->xlo >= 1 && o->xlo < v->k)
			return ls_errf(e, LS_EPOLICY,
			               "%s %s %s: a suppressed count can be "
			               "computed from the released values",
			               table_name[ref.table], ref.theme,
			               ref.other);
		if (has_persons(d, i) && oc[i].hi < v->k && o->ylo == o->yhi &&
		    o->ylo >= 1)
			return ls_errf(e, LS_EPOLICY,
			               "%s %s %s: the persons of a small "
			               "count can be computed",
			               table_name[ref.table], ref.theme,
			               ref.other);
	}
	return LS_OK;
}

/* A note per cell of the summary with its feasible range, in (table,
 * theme, other, measure) order. */
static int bounds_write(const struct tview *v, struct disclosure_report *bounds)
{
	const struct dom *d = v->d;
	const struct ls_summary *s = v->s;
	size_t nnotes = 2 * s->n_recurrence, kk = 0;

	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		nnotes += 2 * s->tables[t].n_rows;
	bounds->notes = ls_calloc(nnotes + 1, sizeof *bounds->notes);
	if (bounds->notes == NULL)
		return LS_ENOMEM;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			size_t ti, i;
			ls_disclosure_row_cell(d, t, row, &ti, &i);
			bound_note(d, ti, i, LS_MEASURE_SIGNALS, &row->signals,
			           &v->rg[ti][i], &bounds->notes[kk++]);
			bound_note(d, ti, i, LS_MEASURE_PERSONS, &row->persons,
			           &v->rg[ti][i], &bounds->notes[kk++]);
		}
	for (size_t r = 0; r < s->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		size_t ti = (size_t)ls_disclosure_dom_find(d, 0, row->theme);
		size_t o = d->first[G_REC];
		bound_note(d, ti, o, 0, &row->organisations, &v->rg[ti][o],
		           &bounds->notes[kk++]);
		bound_note(d, ti, o + 1, 0, &row->reporters, &v->rg[ti][o + 1],
		           &bounds->notes[kk++]);
	}
	bounds->n_notes = kk;
	ls_disclosure_report_count(bounds);
	return LS_OK;
}

static int check_threshold(const struct dom *d, const struct ls_summary *s,
                           struct disclosure_report *bounds,
                           struct ls_errinfo *e)
{
	size_t nt = d->n[LS_TABLE_THEME], n = ls_disclosure_max_rows(s);
	struct tview v = {d,
	                  s,
	                  s->params.k,
	                  s->params.persons_cap,
	                  ls_calloc(nt, sizeof *v.oc),
	                  ls_calloc(nt, sizeof *v.rg),
	                  ls_calloc(nt, 1),
	                  ls_calloc(n + 1, sizeof *v.theme_of),
	                  ls_calloc(n + 1, sizeof *v.cell_of)};
	int rc = LS_OK;

	if (v.oc == NULL || v.rg == NULL || v.present == NULL ||
	    v.theme_of == NULL || v.cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (size_t ti = 0; ti < nt; ti++)
		for (size_t i = 0; i < d->ncells; i++)
			v.oc[ti][i].exact = 1; /* absent: exactly 0 */

	rc = read_rows(&v, e);
	for (size_t ti = 0; ti < nt && rc == LS_OK; ti++)
		if (v.present[ti])
			rc = audit_theme(&v, ti, e);
	if (rc == LS_OK && bounds != NULL)
		rc = bounds_write(&v, bounds);
out:
	ls_free(v.oc);
	ls_free(v.rg);
	ls_free(v.present);
	ls_free(v.theme_of);
	ls_free(v.cell_of);
	return rc;
}

static int check_cell_noise(const struct ls_cell *c, int64_t w, int64_t h,
                            const char *where, struct ls_errinfo *e)
{
	/* Every noisy value, also one below w or below 0 (4.6); a
	 * withheld cell is what releases before that carried. */
	if (c->kind == LS_CELL_NOISY && c->value >= -LS_COUNT_MAX &&
	    c->value <= LS_COUNT_MAX - h && c->lo == max64(0, c->value - h) &&
	    c->hi == max64(0, c->value + h))
		return LS_OK;
	if (c->kind == LS_CELL_WITHHELD && c->value == 0 && c->lo == 0 &&
	    c->hi == max64(0, w - 1 + h))
		return LS_OK;
	return ls_errf(e, LS_EPOLICY,
	               "%s: not a noisy value or withheld cell with the "
	               "interval its parameters imply",
	               where);
}

static void noise_note(const struct dom *d, int t, int m, const char *theme,
                       const char *other, const struct ls_cell *c,
                       struct noise_scale sc, int64_t h,
                       struct disclosure_note *nt)
{
	(void)d;
	memset(nt, 0, sizeof *nt);
	nt->cell.table = (uint8_t)t;
	nt->cell.measure = (uint8_t)m;
	memcpy(nt->cell.theme, theme, strnlen(theme, LS_CODE_MAX));
	memcpy(nt->cell.other, other, strnlen(other, LS_CODE_MAX));
	nt->raw = -1;
	nt->released = *c;
	nt->reason = c->kind == LS_CELL_WITHHELD ? DISCLOSURE_WITHHELD
	                                         : DISCLOSURE_NOISY;
	nt->feasible_lo = c->lo;
	nt->feasible_hi = c->hi;
	nt->scale = sc;
	nt->halfwidth = h;
}

static int check_noise(const struct dom *d, const struct ls_summary *s,
                       struct disclosure_report *bounds, struct ls_errinfo *e)
{
	struct noise_scale sc[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	int64_t half[LS_QUERY_TABLES][LS_MEASURE_COUNT_];
	size_t nt = d->n[LS_TABLE_THEME], n = ls_disclosure_max_rows(s),
	       nnotes = 0, kk = 0;
	int64_t w = s->params.withhold_below;
	int *theme_of = ls_calloc(n + 1, sizeof *theme_of);
	size_t *cell_of = ls_calloc(n + 1, sizeof *cell_of);
	char where[160];
	int rc;

	if (theme_of == NULL || cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if ((rc = ls_disclosure_noise_scales(d, &s->params, sc, half)) !=
	    LS_OK) {
		rc = ls_errf(e, LS_EINVAL, "noise parameters out of range");
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t want = nt * (t == LS_TABLE_THEME ? 1 : d->n[t]);
		if (s->tables[t].n_rows != want) {
			rc = ls_errf(
			    e, LS_EPOLICY,
			    "%s table has %zu rows; noise mode releases "
			    "every cell of the taxonomy (%zu)",
			    table_name[t], s->tables[t].n_rows, want);
			goto out;
		}
		nnotes += 2 * want;
	}
	if (s->n_recurrence != nt) {
		rc =
		    ls_errf(e, LS_EPOLICY,
		            "recurrence has %zu rows, want one per theme (%zu)",
		            s->n_recurrence, nt);
		goto out;
	}
	nnotes += 2 * nt;
	if (bounds != NULL && (bounds->notes = ls_calloc(
	                           nnotes, sizeof *bounds->notes)) == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		if ((rc = ls_disclosure_rows_locate(
		         d, t, s, "summary", theme_of, cell_of, e)) != LS_OK)
			goto out;
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			snprintf(where, sizeof where, "%s row %zu (%s %s)",
			         table_name[t], r, row->theme, row->other);
			if ((rc = check_cell_noise(&row->signals, w, half[t][0],
			                           where, e)) != LS_OK ||
			    (rc = check_cell_noise(&row->persons, w, half[t][1],
			                           where, e)) != LS_OK)
				goto out;
			if (bounds == NULL)
				continue;
			noise_note(d, t, 0, row->theme, row->other,
			           &row->signals, sc[t][0], half[t][0],
			           &bounds->notes[kk++]);
			noise_note(d, t, 1, row->theme, row->other,
			           &row->persons, sc[t][1], half[t][1],
			           &bounds->notes[kk++]);
		}
	}
	if ((rc = ls_disclosure_rec_locate(d, s, "summary", theme_of, e)) !=
	    LS_OK)
		goto out;
	for (size_t r = 0; r < s->n_recurrence; r++) {
		const struct ls_recurrence_row *row = &s->recurrence[r];
		int t = LS_TABLE_RECURRENCE;
		snprintf(where, sizeof where, "recurrence row %zu (%s)", r,
		         row->theme);
		if ((rc = check_cell_noise(&row->organisations, w, half[t][0],
		                           where, e)) != LS_OK ||
		    (rc = check_cell_noise(&row->reporters, w, half[t][1],
		                           where, e)) != LS_OK)
			goto out;
		if (bounds == NULL)
			continue;
		noise_note(d, t, 0, row->theme, "", &row->organisations,
		           sc[t][0], half[t][0], &bounds->notes[kk++]);
		noise_note(d, t, 1, row->theme, "", &row->reporters, sc[t][1],
		           half[t][1], &bounds->notes[kk++]);
	}
	if (bounds != NULL) {
		bounds->n_notes = kk;
		ls_disclosure_report_count(bounds);
	}
	rc = LS_OK;
out:
	ls_free(theme_of);
	ls_free(cell_of);
	return rc;
}

int ls_disclosure_check(const struct ls_summary *released,
                        const struct ls_domain *domain,
                        struct disclosure_report *bounds, struct ls_errinfo *e)
{
	struct dom *d;
	int rc;

	if (bounds != NULL)
		ls_disclosure_report_init(bounds);
	if (released == NULL)
		return ls_errf(e, LS_EINVAL, "no summary given");
	if ((rc = ls_disclosure_params_check(&released->params, e)) != LS_OK)
		return rc;
	if (!ls_disclosure_origin_valid(released->origin) ||
	    !ls_disclosure_period_valid(&released->period))
		return ls_errf(e, LS_EINVAL, "summary: bad origin or period");
	if ((rc = ls_disclosure_check_row_counts(released, "summary", e)) !=
	    LS_OK)
		return rc;
	d = ls_malloc(sizeof *d);
	if (d == NULL)
		return ls_errf(e, LS_ENOMEM, "out of memory");
	if ((rc = ls_disclosure_dom_compile(domain, d, e)) == LS_OK)
		rc = released->params.mode == LS_MODE_THRESHOLD
		         ? check_threshold(d, released, bounds, e)
		         : check_noise(d, released, bounds, e);
	if (rc == LS_ENOMEM)
		ls_errf(e, rc, "out of memory");
	if (rc != LS_OK && bounds != NULL)
		ls_disclosure_report_fini(bounds);
	ls_free(d);
	return rc;
}
