/*
 * Disclosure control: raw summary in, released summary and notes out.
 *
 * Happy path (threshold mode): compile the taxonomy domain; read the raw
 * summary into one small system of cells per theme (the theme total, one
 * cell per age band, target group, sector and problem type, and the two
 * recurrence indicators) and check that it is consistent; mark counts
 * 1..k-1 as primary suppressions; then, per theme, repeatedly ask the
 * oracle for the exact range of every suppressed count that follows from
 * everything that would be released, and while some primary cell is pinned
 * to a single value, take the cheapest protective step that unpins it
 * (hide the zeros of a row, or suppress a count >= k). Every step only
 * releases less, so ranges only widen and the loop ends; when everything
 * that can be hidden is hidden, all-zero is a feasible solution, so every
 * primary cell ranges over at least {0, its true count}: the loop cannot
 * end with a pinned cell. Finally write the rows and a note per cell.
 *
 * Themes are independent: no released value links two themes (docs/
 * DISCLOSURE.md, "Relations"), so each theme is protected on its own.
 *
 * The oracle is exact for the integer model of docs/DISCLOSURE.md: for a
 * given theme total x_T the tables decouple, every suppressed persons range
 * is derived from its signals range, and so each table's feasible values
 * have a closed form (interval arithmetic, plus a greedy count of non-zero
 * sectors for the organisations bound). The unit test checks it against a
 * brute-force dynamic programme on thousands of generated summaries.
 *
 * Noise mode: check the budget, then give every cell of the domain (zeros
 * included, so that the presence of a row reveals nothing) keyed discrete
 * Laplace noise from core/noise.c and withhold small noisy values.
 *
 * Failure modes: bad parameters, domain or raw summary are LS_EINVAL with
 * the field at fault; an exhausted budget is LS_EBUDGET; allocation failure
 * LS_ENOMEM. On any error the output summary is empty.
 *
 * The module's files, one concern each, are listed in
 * core/disclosure_internal.h: this file keeps the domain, the raw
 * summary, the parameters and ls_disclosure_apply().
 */
#include "core/disclosure.h"
#include "common/alloc.h"
#include "core/disclosure_internal.h"
#include "core/member.h"
#include "core/period.h"

#include <stdlib.h>
#include <string.h>

/* ---- the domain and a theme's cells ---------------------------------- */

static const char *const dim_name[LS_TABLE_COUNT_] = {
    "themes", "age bands", "target groups", "sectors", "problem types"};

/* Codes follow the taxonomy's rule (ls_code_valid): one rule for the
 * taxonomy, this check and the wire format. */
static int code_valid(const char *s)
{
	return ls_code_valid(s, strnlen(s, LS_CODE_SIZE));
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Index of code in dimension t, or -1. code may be any char array of
 * LS_CODE_SIZE bytes; one without a NUL is simply not found. */
int ls_disclosure_dom_find(const struct dom *d, int t, const char *code)
{
	const char *hit;
	if (strnlen(code, LS_CODE_SIZE) == LS_CODE_SIZE)
		return -1;
	hit = bsearch(code, d->code[t], d->n[t], LS_CODE_SIZE, cmp_code);
	return hit == NULL ? -1 : (int)((hit - d->code[t][0]) / LS_CODE_SIZE);
}

int ls_disclosure_dom_compile(const struct ls_domain *in, struct dom *d,
                              struct ls_errinfo *e)
{
	memset(d, 0, sizeof *d);
	if (in == NULL)
		return ls_errf(e, LS_EINVAL, "no taxonomy domain given");
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = in->n_codes[t];
		if (n == 0 || n > DISCLOSURE_MAX_CODES || in->codes[t] == NULL)
			return ls_errf(e, LS_EINVAL,
			               "domain: %zu %s, expected 1..%d", n,
			               dim_name[t], DISCLOSURE_MAX_CODES);
		for (size_t i = 0; i < n; i++) {
			const char *c = in->codes[t][i];
			if (c == NULL || !code_valid(c))
				return ls_errf(e, LS_EINVAL,
				               "domain: %s code %zu is not a "
				               "code of 1..%d [a-z0-9_-]",
				               dim_name[t], i, LS_CODE_MAX);
			memcpy(d->code[t][i], c, strlen(c) + 1);
		}
		qsort(d->code[t], n, LS_CODE_SIZE, cmp_code);
		for (size_t i = 1; i < n; i++)
			if (strcmp(d->code[t][i - 1], d->code[t][i]) == 0)
				return ls_errf(e, LS_EINVAL,
				               "domain: %s code '%s' twice",
				               dim_name[t], d->code[t][i]);
		d->n[t] = n;
	}
	if (ls_disclosure_dom_find(d, LS_TABLE_THEME_PROBLEM, LS_PROBLEM_NONE) <
	    0)
		return ls_errf(e, LS_EINVAL,
		               "domain: problem types lack '%s' (no problem "
		               "type)",
		               LS_PROBLEM_NONE);
	d->first[G_TOTAL] = 0;
	d->first[G_AGE] = 1;
	for (int g = G_AGE; g <= G_PROBLEM; g++)
		d->first[g + 1] = d->first[g] + d->n[g];
	d->first[G_N] = d->first[G_REC] + 2;
	d->ncells = d->first[G_N];
	for (int g = 0; g < G_N; g++)
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++)
			d->grp[i] = (uint8_t)g;
	return LS_OK;
}

/* Name cell i of theme ti (measure 1 = persons; ignored for recurrence,
 * whose two cells are the two measures). */
void ls_disclosure_ref_of(const struct dom *d, size_t ti, size_t i, int measure,
                          struct disclosure_ref *r)
{
	int g = d->grp[i];
	memset(r, 0, sizeof *r);
	r->table = (uint8_t)g;
	memcpy(r->theme, d->code[LS_TABLE_THEME][ti], LS_CODE_SIZE);
	if (g == G_REC)
		r->measure = (uint8_t)(i - d->first[G_REC]);
	else
		r->measure = (uint8_t)measure;
	if (g != G_TOTAL && g != G_REC)
		memcpy(r->other, d->code[g][i - d->first[g]], LS_CODE_SIZE);
}

/* ---- reading and checking a raw summary ------------------------------ */

/* A raw cell: exact, 0..max (DISCLOSURE_COUNT_MAX for counts of signals,
 * organisations and reporters; LS_COUNT_MAX for persons, which the
 * consistency check then bounds by cap x signals). */
static int raw_cell(const struct ls_cell *c, int64_t max, int64_t *v)
{
	if (c->kind != LS_CELL_EXACT || c->value < 0 || c->value > max ||
	    c->lo != c->value || c->hi != c->value)
		return 0;
	*v = c->value;
	return 1;
}

/* Rows strictly sorted by (theme, other), codes of the domain. Stores each
 * row's theme and cell index. */
int ls_disclosure_rows_locate(const struct dom *d, int t,
                              const struct ls_summary *s, const char *what,
                              int *theme_of, size_t *cell_of,
                              struct ls_errinfo *e)
{
	const struct ls_summary_table *tb = &s->tables[t];
	for (size_t r = 0; r < tb->n_rows; r++) {
		const struct ls_summary_row *row = &tb->rows[r];
		int ti = ls_disclosure_dom_find(d, LS_TABLE_THEME, row->theme),
		    oi = 0;
		if (ti < 0)
			return ls_errf(e, LS_EINVAL,
			               "%s: %s row %zu: theme is not in the "
			               "taxonomy",
			               what, table_name[t], r);
		if (t == LS_TABLE_THEME) {
			if (row->other[0] != '\0')
				return ls_errf(e, LS_EINVAL,
				               "%s: theme row %zu (%s) has a "
				               "second code",
				               what, r, d->code[0][ti]);
		} else if ((oi = ls_disclosure_dom_find(d, t, row->other)) <
		           0) {
			return ls_errf(e, LS_EINVAL,
			               "%s: %s row %zu (theme %s): code is not "
			               "one of the %s",
			               what, table_name[t], r, d->code[0][ti],
			               dim_name[t]);
		}
		if (r > 0) {
			int pt = theme_of[r - 1];
			size_t pc = cell_of[r - 1];
			if (pt > ti ||
			    (pt == ti && pc >= d->first[t] + (size_t)oi))
				return ls_errf(
				    e, LS_EINVAL,
				    "%s: %s row %zu (theme %s) is out "
				    "of order or repeated",
				    what, table_name[t], r, d->code[0][ti]);
		}
		theme_of[r] = ti;
		cell_of[r] = t == LS_TABLE_THEME ? 0 : d->first[t] + (size_t)oi;
	}
	return LS_OK;
}

int ls_disclosure_rec_locate(const struct dom *d, const struct ls_summary *s,
                             const char *what, int *theme_of,
                             struct ls_errinfo *e)
{
	for (size_t r = 0; r < s->n_recurrence; r++) {
		int ti = ls_disclosure_dom_find(d, LS_TABLE_THEME,
		                                s->recurrence[r].theme);
		if (ti < 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "%s: recurrence row %zu: theme is not in "
			    "the taxonomy",
			    what, r);
		if (r > 0 && theme_of[r - 1] >= ti)
			return ls_errf(
			    e, LS_EINVAL,
			    "%s: recurrence row %zu (theme %s) is out "
			    "of order or repeated",
			    what, r, d->code[0][ti]);
		theme_of[r] = ti;
	}
	return LS_OK;
}

size_t ls_disclosure_max_rows(const struct ls_summary *s)
{
	size_t m = s->n_recurrence;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		if (s->tables[t].n_rows > m)
			m = s->tables[t].n_rows;
	return m;
}

int ls_disclosure_check_row_counts(const struct ls_summary *s, const char *what,
                                   struct ls_errinfo *e)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		if (s->tables[t].n_rows > LS_SUMMARY_MAX_ROWS ||
		    (s->tables[t].n_rows > 0 && s->tables[t].rows == NULL))
			return ls_errf(e, LS_EINVAL,
			               "%s: %s table: bad row count", what,
			               table_name[t]);
	if (s->n_recurrence > LS_SUMMARY_MAX_ROWS ||
	    (s->n_recurrence > 0 && s->recurrence == NULL))
		return ls_errf(e, LS_EINVAL, "%s: recurrence: bad row count",
		               what);
	return LS_OK;
}

/* Consistency of one theme's true counts (the relations of the model). */
static int raw_theme_check(const struct dom *d, size_t ti,
                           const struct theme_sys *ts, int64_t cap,
                           struct ls_errinfo *e)
{
	static const int additive[3] = {G_AGE, G_SECTOR, G_PROBLEM};
	const char *th = d->code[LS_TABLE_THEME][ti];
	int64_t xt = ts->x[0], yt = ts->y[0], nz = 0;
	size_t org = d->first[G_REC];

	for (size_t i = 0; i < d->first[G_REC]; i++)
		if (ts->y[i] < ts->x[i] || ts->y[i] > cap * ts->x[i])
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s, %s: %lld persons "
			    "for %lld signals (must be between the "
			    "signals and %lld x the signals)",
			    th, table_name[d->grp[i]], (long long)ts->y[i],
			    (long long)ts->x[i], (long long)cap);
	for (int k = 0; k < 3; k++) {
		int g = additive[k];
		int64_t sx = 0, sy = 0;
		for (size_t i = d->first[g]; i < d->first[g + 1]; i++) {
			sx += ts->x[i];
			sy += ts->y[i];
		}
		if (sx != xt || sy != yt)
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s: %s rows add up to "
			    "%lld signals / %lld persons, the theme "
			    "row says %lld / %lld",
			    th, table_name[g], (long long)sx, (long long)sy,
			    (long long)xt, (long long)yt);
	}
	for (size_t i = d->first[G_TARGET]; i < d->first[G_TARGET + 1]; i++) {
		int64_t rx = xt - ts->x[i], ry = yt - ts->y[i];
		if (rx < 0 || ry < rx || ry > cap * rx)
			return ls_errf(
			    e, LS_EINVAL,
			    "raw summary: theme %s, target group %s: "
			    "%lld signals / %lld persons do not fit "
			    "in the theme's %lld / %lld",
			    th, d->code[G_TARGET][i - d->first[G_TARGET]],
			    (long long)ts->x[i], (long long)ts->y[i],
			    (long long)xt, (long long)yt);
	}
	for (size_t i = d->first[G_SECTOR]; i < d->first[G_SECTOR + 1]; i++)
		nz += ts->x[i] > 0;
	if (ts->x[org] > xt || ts->x[org + 1] > xt || ts->x[org] < nz)
		return ls_errf(e, LS_EINVAL,
		               "raw summary: theme %s: %lld organisations and "
		               "%lld reporters for %lld signals in %lld "
		               "sectors",
		               th, (long long)ts->x[org],
		               (long long)ts->x[org + 1], (long long)xt,
		               (long long)nz);
	return LS_OK;
}

int ls_disclosure_period_valid(const struct ls_period *p)
{
	return ls_period_check(p) == LS_OK;
}

int ls_disclosure_origin_valid(const char *o)
{
	return ls_node_id_valid(o, strnlen(o, LS_NODE_ID_SIZE));
}

/* Read the raw summary into per-theme systems (ts[ti]) and check it. */
static int raw_load(const struct dom *d, const struct ls_summary *raw,
                    int64_t cap, struct theme_sys *ts, struct ls_errinfo *e)
{
	int *theme_of = NULL;
	size_t *cell_of = NULL, n = ls_disclosure_max_rows(raw);
	int rc;

	if (!ls_disclosure_origin_valid(raw->origin))
		return ls_errf(e, LS_EINVAL, "raw summary: bad origin node id");
	if (!ls_disclosure_period_valid(&raw->period))
		return ls_errf(e, LS_EINVAL, "raw summary: bad period");
	if ((rc = ls_disclosure_check_row_counts(raw, "raw summary", e)) !=
	    LS_OK)
		return rc;
	theme_of = ls_calloc(n + 1, sizeof *theme_of);
	cell_of = ls_calloc(n + 1, sizeof *cell_of);
	if (theme_of == NULL || cell_of == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tb = &raw->tables[t];
		rc = ls_disclosure_rows_locate(d, t, raw, "raw summary",
		                               theme_of, cell_of, e);
		if (rc != LS_OK)
			goto out;
		for (size_t r = 0; r < tb->n_rows; r++) {
			struct theme_sys *s = &ts[theme_of[r]];
			size_t i = cell_of[r];
			if (!raw_cell(&tb->rows[r].signals,
			              DISCLOSURE_COUNT_MAX, &s->x[i]) ||
			    !raw_cell(&tb->rows[r].persons, LS_COUNT_MAX,
			              &s->y[i])) {
				rc = ls_errf(e, LS_EINVAL,
				             "raw summary: %s row %zu: cells "
				             "must be exact counts 0..%d",
				             table_name[t], r,
				             DISCLOSURE_COUNT_MAX);
				goto out;
			}
		}
	}
	rc = ls_disclosure_rec_locate(d, raw, "raw summary", theme_of, e);
	if (rc != LS_OK)
		goto out;
	for (size_t r = 0; r < raw->n_recurrence; r++) {
		struct theme_sys *s = &ts[theme_of[r]];
		size_t i = d->first[G_REC];
		if (!raw_cell(&raw->recurrence[r].organisations,
		              DISCLOSURE_COUNT_MAX, &s->x[i]) ||
		    !raw_cell(&raw->recurrence[r].reporters,
		              DISCLOSURE_COUNT_MAX, &s->x[i + 1])) {
			rc = ls_errf(e, LS_EINVAL,
			             "raw summary: recurrence row %zu: cells "
			             "must be exact counts 0..%d",
			             r, DISCLOSURE_COUNT_MAX);
			goto out;
		}
	}
	for (size_t ti = 0; ti < d->n[LS_TABLE_THEME]; ti++)
		if ((rc = raw_theme_check(d, ti, &ts[ti], cap, e)) != LS_OK)
			goto out;
	rc = LS_OK;
out:
	ls_free(theme_of);
	ls_free(cell_of);
	return rc;
}

/* ---- writing the released summary ------------------------------------ */

void ls_disclosure_report_count(struct disclosure_report *r)
{
	memset(r->by_reason, 0, sizeof r->by_reason);
	for (size_t i = 0; i < r->n_notes; i++)
		if (r->notes[i].reason < DISCLOSURE_REASON_COUNT_)
			r->by_reason[r->notes[i].reason]++;
}

/* Allocate the released tables: counts[t] rows per table, nrec recurrence
 * rows. */
int ls_disclosure_out_alloc(struct ls_summary *out, const size_t counts[],
                            size_t nrec)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		out->tables[t].rows =
		    ls_calloc(counts[t] + 1, sizeof *out->tables[t].rows);
		if (out->tables[t].rows == NULL)
			return LS_ENOMEM;
		out->tables[t].n_rows = counts[t];
	}
	out->recurrence = ls_calloc(nrec + 1, sizeof *out->recurrence);
	if (out->recurrence == NULL)
		return LS_ENOMEM;
	out->n_recurrence = nrec;
	return LS_OK;
}

static void out_header(struct ls_summary *out, const struct ls_summary *raw,
                       const struct ls_disclosure_params *p)
{
	memcpy(out->origin, raw->origin, sizeof out->origin);
	out->origin[LS_NODE_ID_MAX] = '\0';
	out->period = raw->period;
	out->params = *p;
	ls_disclosure_params_canonical(&out->params);
	out->supersedes_seq = raw->supersedes_seq;
	memcpy(out->correction_reason, raw->correction_reason,
	       sizeof out->correction_reason);
	out->correction_reason[LS_CODE_MAX] = '\0';
}

/* ---- parameters ------------------------------------------------------ */

void ls_disclosure_params_default(struct ls_disclosure_params *p)
{
	memset(p, 0, sizeof *p);
	p->mode = LS_MODE_THRESHOLD;
	p->k = DISCLOSURE_K_DEFAULT;
	p->epsilon_milli = DISCLOSURE_EPSILON_MILLI_DEFAULT;
	p->withhold_below = DISCLOSURE_WITHHOLD_DEFAULT;
	p->persons_cap = DISCLOSURE_PERSONS_CAP_DEFAULT;
}

int ls_disclosure_params_check(const struct ls_disclosure_params *p,
                               struct ls_errinfo *e)
{
	if (p == NULL)
		return ls_errf(e, LS_EINVAL, "no disclosure parameters");
	if (p->mode != LS_MODE_THRESHOLD && p->mode != LS_MODE_NOISE)
		return ls_errf(e, LS_EINVAL, "disclosure mode %u is unknown",
		               (unsigned)p->mode);
	if (p->persons_cap < 1 || p->persons_cap > NOISE_PERSONS_CAP_MAX)
		return ls_errf(e, LS_EINVAL, "persons cap %u is not in 1..%u",
		               (unsigned)p->persons_cap, NOISE_PERSONS_CAP_MAX);
	if (p->mode == LS_MODE_THRESHOLD &&
	    (p->k < DISCLOSURE_K_MIN || p->k > DISCLOSURE_K_MAX))
		return ls_errf(e, LS_EINVAL, "k %u is not in %u..%u",
		               (unsigned)p->k, DISCLOSURE_K_MIN,
		               DISCLOSURE_K_MAX);
	if (p->mode == LS_MODE_NOISE &&
	    (p->epsilon_milli < DISCLOSURE_EPSILON_MILLI_MIN ||
	     p->epsilon_milli > DISCLOSURE_EPSILON_MILLI_MAX))
		return ls_errf(e, LS_EINVAL,
		               "epsilon %u/1000 is not in %u..%u thousandths",
		               (unsigned)p->epsilon_milli,
		               DISCLOSURE_EPSILON_MILLI_MIN,
		               DISCLOSURE_EPSILON_MILLI_MAX);
	if (p->mode == LS_MODE_NOISE &&
	    p->withhold_below > DISCLOSURE_WITHHOLD_MAX)
		return ls_errf(e, LS_EINVAL, "withhold threshold %u above %u",
		               (unsigned)p->withhold_below,
		               DISCLOSURE_WITHHOLD_MAX);
	return LS_OK;
}

int ls_disclosure_domain_from_taxonomy(const struct ls_taxonomy *tax,
                                       struct disclosure_domain_buf *out,
                                       struct ls_errinfo *e)
{
	static const uint8_t dim_of[LS_TABLE_COUNT_] = {
	    [LS_TABLE_THEME] = LS_DIM_THEME,
	    [LS_TABLE_THEME_AGE] = LS_DIM_AGE,
	    [LS_TABLE_THEME_TARGET] = LS_DIM_TARGET,
	    [LS_TABLE_THEME_SECTOR] = LS_DIM_SECTOR,
	    [LS_TABLE_THEME_PROBLEM] = LS_DIM_PROBLEM,
	};
	memset(out, 0, sizeof *out);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = 0;
		for (size_t i = 0; i < tax->n; i++) {
			const struct ls_taxonomy_entry *x = &tax->entries[i];
			if (x->dim != dim_of[t] || x->local)
				continue;
			if (n == DISCLOSURE_MAX_CODES)
				return ls_errf(
				    e, LS_ELIMIT, "taxonomy: more than %d %s",
				    DISCLOSURE_MAX_CODES, dim_name[t]);
			out->codes[t][n++] = x->code;
		}
		if (t == LS_TABLE_THEME_PROBLEM) {
			if (n == DISCLOSURE_MAX_CODES)
				return ls_errf(
				    e, LS_ELIMIT, "taxonomy: more than %d %s",
				    DISCLOSURE_MAX_CODES - 1, dim_name[t]);
			out->codes[t][n++] = LS_PROBLEM_NONE;
		}
		if (n == 0)
			return ls_errf(e, LS_EINVAL, "taxonomy: no %s",
			               dim_name[t]);
		out->dom.codes[t] = out->codes[t];
		out->dom.n_codes[t] = n;
	}
	return LS_OK;
}

void ls_disclosure_params_canonical(struct ls_disclosure_params *p)
{
	if (p->mode == LS_MODE_NOISE) {
		p->k = 0;
	} else {
		p->epsilon_milli = 0;
		p->withhold_below = 0;
	}
}

int ls_disclosure_params_check_canonical(const struct ls_disclosure_params *p,
                                         struct ls_errinfo *e)
{
	int rc = ls_disclosure_params_check(p, e);
	if (rc != LS_OK)
		return rc;
	if (p->mode == LS_MODE_THRESHOLD &&
	    (p->epsilon_milli != 0 || p->withhold_below != 0))
		return ls_errf(e, LS_EINVAL,
		               "threshold mode states no epsilon and no "
		               "withhold threshold (both 0)");
	if (p->mode == LS_MODE_NOISE && p->k != 0)
		return ls_errf(e, LS_EINVAL, "noise mode states no k (0)");
	return LS_OK;
}

int ls_disclosure_params_stricter(const struct ls_disclosure_params *node,
                                  const struct ls_disclosure_params *fed,
                                  struct ls_errinfo *e)
{
	if (node->mode != fed->mode)
		return ls_errf(e, LS_EPOLICY,
		               "mode differs from the federation's");
	if (node->persons_cap != fed->persons_cap)
		return ls_errf(e, LS_EPOLICY,
		               "persons cap %u differs from the federation's "
		               "%u",
		               (unsigned)node->persons_cap,
		               (unsigned)fed->persons_cap);
	if (node->mode == LS_MODE_THRESHOLD && node->k < fed->k)
		return ls_errf(e, LS_EPOLICY,
		               "k %u is below the federation's %u",
		               (unsigned)node->k, (unsigned)fed->k);
	if (node->mode == LS_MODE_NOISE &&
	    node->epsilon_milli > fed->epsilon_milli)
		return ls_errf(e, LS_EPOLICY,
		               "epsilon %u/1000 is above the federation's "
		               "%u/1000",
		               (unsigned)node->epsilon_milli,
		               (unsigned)fed->epsilon_milli);
	if (node->mode == LS_MODE_NOISE &&
	    node->withhold_below < fed->withhold_below)
		return ls_errf(e, LS_EPOLICY,
		               "withhold threshold %u is below the "
		               "federation's %u",
		               (unsigned)node->withhold_below,
		               (unsigned)fed->withhold_below);
	return LS_OK;
}

/* ---- entry points ---------------------------------------------------- */

const char *ls_disclosure_reason_name(int reason)
{
	static const char *const names[DISCLOSURE_REASON_COUNT_] = {
	    "released", "primary",  "zero_hidden", "complementary",
	    "noisy",    "withheld", "suppressed"};
	if (reason < 0 || reason >= DISCLOSURE_REASON_COUNT_)
		return "unknown";
	return names[reason];
}

void ls_disclosure_report_init(struct disclosure_report *r)
{
	memset(r, 0, sizeof *r);
}

void ls_disclosure_report_fini(struct disclosure_report *r)
{
	if (r == NULL)
		return;
	ls_free(r->notes);
	memset(r, 0, sizeof *r);
}

int ls_disclosure_apply(const struct disclosure_input *in,
                        struct ls_summary *out,
                        struct disclosure_report *report, struct ls_errinfo *e)
{
	const struct ls_disclosure_params *p;
	struct dom *d = NULL;
	struct theme_sys *ts = NULL;
	int rc;

	ls_summary_init(out);
	if (report != NULL)
		ls_disclosure_report_init(report);
	if (in == NULL || in->raw == NULL)
		return ls_errf(e, LS_EINVAL, "no raw summary given");
	p = in->params;
	if ((rc = ls_disclosure_params_check(p, e)) != LS_OK)
		return rc;
	if (report != NULL)
		report->cost_milli = ls_noise_release_cost(p);
	if (p->mode == LS_MODE_NOISE) {
		if (in->secret == NULL)
			return ls_errf(e, LS_EINVAL,
			               "noise mode needs the node's noise "
			               "secret");
		if (in->budget == NULL)
			return ls_errf(e, LS_EINVAL,
			               "noise mode needs the budget ledger "
			               "state");
		rc = ls_noise_budget_check(in->budget, ls_noise_release_cost(p),
		                           e);
		if (rc != LS_OK)
			return rc;
	}
	d = ls_malloc(sizeof *d);
	if (d == NULL)
		return ls_errf(e, LS_ENOMEM, "out of memory");
	if ((rc = ls_disclosure_dom_compile(in->domain, d, e)) != LS_OK)
		goto out;
	ts = ls_calloc(d->n[LS_TABLE_THEME], sizeof *ts);
	if (ts == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	if ((rc = raw_load(d, in->raw, p->persons_cap, ts, e)) != LS_OK)
		goto out;
	out_header(out, in->raw, p);
	if (p->mode == LS_MODE_THRESHOLD) {
		rc = ls_disclosure_apply_threshold(d, ts, p, out, report);
	} else {
		struct nplan np;
		memset(&np, 0, sizeof np);
		np.d = d;
		np.p = p;
		np.raw = in->raw;
		np.secret = in->secret;
		np.epoch = in->noise_epoch;
		rc = ls_disclosure_apply_noise(d, ts, &np, out, report);
	}
out:
	if (rc != LS_OK) {
		if (rc == LS_ENOMEM)
			ls_errf(e, rc, "out of memory");
		else if (rc == LS_EINTERNAL)
			ls_errf(e, rc,
			        "disclosure control failed; nothing "
			        "is released");
		else if (rc == LS_ECRYPTO)
			ls_errf(e, rc, "libsodium could not start");
		ls_summary_fini(out);
		if (report != NULL) {
			uint64_t cost = report->cost_milli;
			ls_disclosure_report_fini(report);
			report->cost_milli = cost;
		}
	}
	ls_free(ts);
	ls_free(d);
	return rc;
}
