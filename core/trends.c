/*
 * Trends: happy path.
 *
 * ls_trends_new() compiles the taxonomy's shared codes into a fixed layout of
 * row keys (themes; theme x age band; theme x target group; theme x
 * sector; theme x problem type) and allocates the federation cube: a
 * struct trends_value per period, row key and measure, and per theme the
 * recurrence indicators.
 *
 * ls_trends_add() checks a whole summary first (codes, order, cells) and maps
 * every row to its key; only then, with every allocation done, it adds the
 * cells to the cube and to the origin's own block (the signals of the
 * ranked items: themes, theme x age, theme x target group, per period, in
 * a compact form). A summary that fails any check changes nothing.
 *
 * ls_trends_finish() walks the items: spread from each origin's window total;
 * recurrence and scale from the cube; growth from the series of the origins
 * that have every period of the growth window (so a municipality whose
 * last month is not in yet cannot fake a fall), with a least-squares slope
 * whose bounds come from the interval ends, a robust lower bound that
 * leaves out each origin in turn, and the start of the rise from a hinge
 * fit; then the components, the score, the ranking and the explanation.
 *
 * All sums are integers (noise variances in units of 1/256), and origins
 * are kept sorted by id, so the result does not depend on the order of
 * ls_trends_add calls. Floating point starts only in ls_trends_finish, which
 * visits everything in a fixed order.
 */
#include "core/trends_internal.h"
#include "common/alloc.h"
#include "core/noise.h"
#include "core/period.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t table_dim[LS_TABLE_COUNT_] = {
    LS_DIM_THEME, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR, LS_DIM_PROBLEM};

/* ---- values --------------------------------------------------------- */

static int64_t var_to_q8(double var)
{
	if (!(var > 0))
		return 0;
	if (var > 1e15)
		var = 1e15;
	return (int64_t)llround(var * 256.0);
}

int ls_trends_value_add_cell(struct trends_value *v, const struct ls_cell *c,
                             double var)
{
	switch (c->kind) {
	case LS_CELL_EXACT:
		if (c->value < 0 || c->value > TRENDS_CELL_MAX)
			return LS_EINVAL;
		v->lo += c->value;
		v->hi += c->value;
		v->n_exact++;
		return LS_OK;
	case LS_CELL_RANGE:
	case LS_CELL_WITHHELD:
		if (c->lo < 0 || c->lo > c->hi || c->hi > TRENDS_CELL_MAX)
			return LS_EINVAL;
		if (c->kind == LS_CELL_RANGE) {
			v->lo += c->lo;
			v->n_range++;
		} else {
			v->n_withheld++;
		}
		v->hi += c->hi;
		return LS_OK;
	case LS_CELL_NOISY: /* may be below 0: sums stay unbiased */
		if (c->value < -TRENDS_CELL_MAX || c->value > TRENDS_CELL_MAX)
			return LS_EINVAL;
		v->noisy += c->value;
		v->var_q8 += var_to_q8(var);
		v->n_noisy++;
		return LS_OK;
	}
	return LS_EINVAL;
}

void ls_trends_value_add(struct trends_value *a, const struct trends_value *b)
{
	a->lo += b->lo;
	a->hi += b->hi;
	a->noisy += b->noisy;
	a->var_q8 += b->var_q8;
	a->n_exact += b->n_exact;
	a->n_range += b->n_range;
	a->n_noisy += b->n_noisy;
	a->n_withheld += b->n_withheld;
}

void ls_trends_value_sub(struct trends_value *a, const struct trends_value *b)
{
	a->lo -= b->lo;
	a->hi -= b->hi;
	a->noisy -= b->noisy;
	a->var_q8 -= b->var_q8;
	a->n_exact -= b->n_exact;
	a->n_range -= b->n_range;
	a->n_noisy -= b->n_noisy;
	a->n_withheld -= b->n_withheld;
}

double ls_trends_value_var(const struct trends_value *v)
{
	return (double)v->var_q8 / 256.0;
}

void ls_trends_value_interval(const struct trends_value *v, int64_t *lo,
                              int64_t *hi)
{
	double h, nlo, nhi;
	if (v->n_noisy == 0) {
		*lo = v->lo;
		*hi = v->hi;
		return;
	}
	h = TRENDS_Z90 * sqrt(ls_trends_value_var(v));
	nlo = (double)v->noisy - h;
	nhi = (double)v->noisy + h;
	*lo = v->lo + (nlo > 0 ? (int64_t)floor(nlo) : 0);
	*hi = v->hi + (nhi > 0 ? (int64_t)ceil(nhi) : 0);
}

double ls_trends_value_mid(const struct trends_value *v)
{
	int64_t lo, hi;
	ls_trends_value_interval(v, &lo, &hi);
	return ((double)lo + (double)hi) / 2.0;
}

int ls_trends_value_is_exact(const struct trends_value *v)
{
	return v->n_range == 0 && v->n_noisy == 0 && v->n_withheld == 0;
}

/* ---- options -------------------------------------------------------- */

static const char *const component_names[TRENDS_C_COUNT_] = {
    "spread", "rising", "growth", "recurrence", "breadth", "scale", "youth"};
static const char *const component_labels[TRENDS_C_COUNT_] = {
    "spreiding", "stijgend in gemeenten",
    "groei",     "terugkeer",
    "sectoren",  "omvang",
    "jongeren"};

const char *ls_trends_component_name(int c)
{
	return c >= 0 && c < TRENDS_C_COUNT_ ? component_names[c] : "?";
}

const char *ls_trends_component_label_nl(int c)
{
	return c >= 0 && c < TRENDS_C_COUNT_ ? component_labels[c] : "?";
}

static const char *const level_names[TRENDS_LEVEL_COUNT_] = {"theme", "age",
                                                             "target"};
static const char *const level_names_nl[TRENDS_LEVEL_COUNT_] = {
    "thema", "leeftijd", "doelgroep"};

const char *ls_trends_level_name(int level)
{
	return level >= 0 && level < TRENDS_LEVEL_COUNT_ ? level_names[level]
	                                                 : "?";
}

const char *ls_trends_level_name_nl(int level)
{
	return level >= 0 && level < TRENDS_LEVEL_COUNT_ ? level_names_nl[level]
	                                                 : "?";
}

void ls_trends_options_default(struct trends_options *o,
                               const struct ls_period *last)
{
	memset(o, 0, sizeof *o);
	o->last = *last;
	if (ls_period_add(last, -(TRENDS_DEFAULT_WINDOW - 1), &o->first) !=
	    LS_OK)
		o->first = *last;
	o->growth_periods = TRENDS_DEFAULT_GROWTH_PERIODS;
	o->growth_full_pct = TRENDS_DEFAULT_GROWTH_FULL;
	o->weight[TRENDS_C_SPREAD] = TRENDS_DEFAULT_W_SPREAD;
	o->weight[TRENDS_C_RISING] = TRENDS_DEFAULT_W_RISING;
	o->weight[TRENDS_C_GROWTH] = TRENDS_DEFAULT_W_GROWTH;
	o->weight[TRENDS_C_RECURRENCE] = TRENDS_DEFAULT_W_RECURRENCE;
	o->weight[TRENDS_C_BREADTH] = TRENDS_DEFAULT_W_BREADTH;
	o->weight[TRENDS_C_SCALE] = TRENDS_DEFAULT_W_SCALE;
	o->weight[TRENDS_C_YOUTH] = TRENDS_DEFAULT_W_YOUTH;
}

/* Slots of the window, or 0 when first and last do not make one. */
static size_t window_slots(const struct trends_options *o)
{
	int32_t a = ls_month_index(o->first.year, o->first.month);
	int32_t b = ls_month_index(o->last.year, o->last.month);
	if (o->first.months != o->last.months || b < a ||
	    (b - a) % o->first.months != 0)
		return 0;
	return (size_t)((b - a) / o->first.months) + 1;
}

int ls_trends_options_check(const struct trends_options *o,
                            struct ls_errinfo *e)
{
	char a[LS_PERIOD_SIZE], b[LS_PERIOD_SIZE];
	uint64_t wsum = 0;
	size_t n;
	if (ls_period_check(&o->first) != LS_OK ||
	    ls_period_check(&o->last) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	ls_period_format(&o->first, a);
	ls_period_format(&o->last, b);
	if (o->first.months != o->last.months)
		return ls_errf(e, LS_EINVAL,
		               "%s en %s zijn perioden van een andere lengte",
		               a, b);
	n = window_slots(o);
	if (n == 0)
		return ls_errf(e, LS_EINVAL,
		               "%s ligt na %s, of de perioden liggen niet op "
		               "hetzelfde raster",
		               a, b);
	if (n > TRENDS_MAX_PERIODS)
		return ls_errf(e, LS_EINVAL,
		               "van %s tot %s zijn %zu perioden; hoogstens %d",
		               a, b, n, TRENDS_MAX_PERIODS);
	if (o->growth_periods < TRENDS_MIN_GROWTH_PERIODS ||
	    o->growth_periods > TRENDS_MAX_PERIODS)
		return ls_errf(e, LS_EINVAL,
		               "groei over %u perioden: kies %d tot %d",
		               o->growth_periods, TRENDS_MIN_GROWTH_PERIODS,
		               TRENDS_MAX_PERIODS);
	if (o->growth_full_pct < 1 || o->growth_full_pct > 100000)
		return ls_errf(e, LS_EINVAL,
		               "volle groei %u%%: kies 1 tot 100000",
		               o->growth_full_pct);
	for (int c = 0; c < TRENDS_C_COUNT_; c++) {
		if (o->weight[c] > 1000)
			return ls_errf(e, LS_EINVAL,
			               "gewicht van %s is %u; hoogstens 1000",
			               component_labels[c], o->weight[c]);
		wsum += o->weight[c];
	}
	if (wsum == 0)
		return ls_errf(e, LS_EINVAL,
		               "alle gewichten van de prioriteitsscore zijn 0");
	return LS_OK;
}

/* ---- building -------------------------------------------------------- */

static size_t code_find(const struct trends *t, int table, const char *code)
{
	size_t lo = 0, hi = t->n_codes[table];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, t->codes[table][mid]);
		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

static int label_copy(struct trends *t, int table, size_t i, const char *label)
{
	t->labels[table][i] = ls_strdup(label != NULL ? label : "");
	return t->labels[table][i] != NULL ? LS_OK : LS_ENOMEM;
}

static int domain_build(struct trends *t, const struct ls_taxonomy *tax,
                        struct ls_errinfo *e)
{
	for (size_t i = 0; i < tax->n; i++) {
		const struct ls_taxonomy_entry *x = &tax->entries[i];
		int table = -1;
		if (x->local)
			continue;
		for (int k = 0; k < LS_TABLE_COUNT_; k++)
			if (table_dim[k] == x->dim)
				table = k;
		if (table < 0)
			continue;
		if (t->n_codes[table] + 1 >= MAX_CODES)
			return ls_errf(e, LS_EINVAL,
			               "te veel codes voor %s (hoogstens %d)",
			               ls_dim_name_nl(x->dim), MAX_CODES - 1);
		strcpy(t->codes[table][t->n_codes[table]], x->code);
		if (label_copy(t, table, t->n_codes[table], x->label_nl) !=
		    LS_OK)
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		t->n_codes[table]++;
	}
	/* Signals without a problem type count under "geen"; keep the
	 * codes in byte order (taxonomy entries already are). */
	{
		int p = LS_TABLE_THEME_PROBLEM;
		size_t at = 0, n = t->n_codes[p];
		while (at < n && strcmp(t->codes[p][at], LS_PROBLEM_NONE) < 0)
			at++;
		memmove(t->codes[p][at + 1], t->codes[p][at],
		        (n - at) * LS_CODE_SIZE);
		memmove(&t->labels[p][at + 1], &t->labels[p][at],
		        (n - at) * sizeof t->labels[p][0]);
		strcpy(t->codes[p][at], LS_PROBLEM_NONE);
		t->labels[p][at] = NULL;
		t->n_codes[p]++;
		if (label_copy(t, p, at, "geen probleemtype") != LS_OK)
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	}
	for (int k = 0; k < LS_TABLE_COUNT_; k++)
		if (t->n_codes[k] == 0)
			return ls_errf(e, LS_EINVAL,
			               "de taxonomie heeft geen codes voor %s",
			               ls_dim_name_nl(table_dim[k]));
	t->youth[0] = code_find(t, LS_TABLE_THEME_AGE, TRENDS_YOUTH_1);
	t->youth[1] = code_find(t, LS_TABLE_THEME_AGE, TRENDS_YOUTH_2);
	return LS_OK;
}

int ls_trends_new(const struct ls_taxonomy *tax, const struct trends_options *o,
                  struct trends **out, struct ls_errinfo *e)
{
	struct trends *t;
	size_t nth, growth;
	int rc;

	*out = NULL;
	if ((rc = ls_trends_options_check(o, e)) != LS_OK)
		return rc;
	t = ls_calloc(1, sizeof *t);
	if (t == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	t->opt = *o;
	t->n_slots = window_slots(o);
	growth =
	    o->growth_periods < t->n_slots ? o->growth_periods : t->n_slots;
	t->growth_first = t->n_slots - growth;
	if ((rc = domain_build(t, tax, e)) != LS_OK)
		goto fail;
	nth = t->n_codes[LS_TABLE_THEME];
	t->base[LS_TABLE_THEME] = 0;
	t->n_keys = nth;
	for (int k = 1; k < LS_TABLE_COUNT_; k++) {
		t->base[k] = t->n_keys;
		t->n_keys += nth * t->n_codes[k];
		if (k == LS_TABLE_THEME_TARGET)
			t->n_items = t->n_keys;
	}
	t->cube = ls_calloc(t->n_slots * t->n_keys * 2, sizeof *t->cube);
	t->rec = ls_calloc(t->n_slots * nth * 2, sizeof *t->rec);
	t->coverage = ls_calloc(t->n_slots, sizeof *t->coverage);
	t->fed_included = ls_calloc(t->n_slots, sizeof *t->fed_included);
	if (t->cube == NULL || t->rec == NULL || t->coverage == NULL ||
	    t->fed_included == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto fail;
	}
	*out = t;
	return LS_OK;
fail:
	ls_trends_free(t);
	return rc;
}

static void origin_free(struct origin *o)
{
	if (o == NULL)
		return;
	ls_free(o->has);
	ls_free(o->cells);
	ls_free(o->var_q8);
	ls_free(o->direction);
	ls_free(o->reported);
	ls_free(o);
}

void ls_trends_free(struct trends *t)
{
	if (t == NULL)
		return;
	for (int k = 0; k < LS_TABLE_COUNT_; k++)
		for (size_t i = 0; i < t->n_codes[k]; i++)
			ls_free(t->labels[k][i]);
	for (size_t i = 0; i < t->n_origins; i++)
		origin_free(t->origins[i]);
	ls_free(t->origins);
	ls_free(t->cube);
	ls_free(t->rec);
	ls_free(t->coverage);
	ls_free(t->fed_included);
	ls_free(t->fcube);
	ls_free(t->sources);
	ls_free(t->params);
	ls_free(t->scratch);
	ls_free(t->items);
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++)
		ls_free(t->ranked[l]);
	ls_free(t);
}

/* Position of origin id in the sorted array; *found says if it is there. */
static size_t origin_pos(const struct trends *t, const char *id, int *found)
{
	size_t lo = 0, hi = t->n_origins;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, t->origins[mid]->id);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = 0;
	return lo;
}

static struct origin *origin_alloc(const struct trends *t, const char *id)
{
	struct origin *o = ls_calloc(1, sizeof *o);
	if (o == NULL)
		return NULL;
	strcpy(o->id, id);
	o->has = ls_calloc(t->n_slots, 1);
	o->cells = ls_calloc(t->n_items * t->n_slots, sizeof *o->cells);
	o->var_q8 = ls_calloc(t->n_slots * 3, sizeof *o->var_q8);
	if (o->has == NULL || o->cells == NULL || o->var_q8 == NULL) {
		origin_free(o);
		return NULL;
	}
	return o;
}

/* Make room for one more element in a growing array. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p = ls_array_grow(*arr, cap, n + 1, size, 16);
	if (p == NULL)
		return LS_ENOMEM;
	*arr = p;
	return LS_OK;
}

static const char *const table_name_nl[LS_TABLE_COUNT_ + 1] = {
    "thema",          "thema x leeftijd",     "thema x doelgroep",
    "thema x sector", "thema x probleemtype", "terugkeer"};

/* Check a cell against the summary's mode (what ls_trends_value_add_cell
 * would accept, without adding it anywhere). */
static int cell_ok(const struct ls_cell *c, uint8_t mode)
{
	switch (c->kind) {
	case LS_CELL_EXACT:
		return mode == LS_MODE_THRESHOLD && c->value >= 0 &&
		       c->value <= TRENDS_CELL_MAX;
	case LS_CELL_RANGE:
		return mode == LS_MODE_THRESHOLD && c->lo >= 0 &&
		       c->lo <= c->hi && c->hi <= TRENDS_CELL_MAX;
	case LS_CELL_NOISY:
		return mode == LS_MODE_NOISE && c->value >= -TRENDS_CELL_MAX &&
		       c->value <= TRENDS_CELL_MAX;
	case LS_CELL_WITHHELD:
		return mode == LS_MODE_NOISE && c->lo >= 0 && c->lo <= c->hi &&
		       c->hi <= TRENDS_CELL_MAX;
	}
	return 0;
}

/* The noise variance of one cell of each (table, measure) of a summary;
 * zeros in threshold mode. */
static int noise_vars(const struct trends *t, const struct ls_summary *s,
                      double var[LS_QUERY_TABLES][2])
{
	memset(var, 0, sizeof(double) * LS_QUERY_TABLES * 2);
	if (s->params.mode == LS_MODE_THRESHOLD)
		return LS_OK;
	if (s->params.mode != LS_MODE_NOISE)
		return LS_EINVAL;
	for (int k = 0; k < LS_QUERY_TABLES; k++)
		for (int m = 0; m < 2; m++) {
			struct noise_scale sc;
			if (ls_noise_scale_for(s->params.epsilon_milli,
			                    s->params.persons_cap,
			                    t->n_codes[LS_TABLE_THEME_TARGET],
			                    k, m, &sc) != LS_OK)
				return LS_EINVAL;
			var[k][m] = ls_noise_variance(sc);
		}
	return LS_OK;
}

/* The shape of s's tables, and t->scratch big enough for all its rows. */
static int summary_map_room(struct trends *t, const struct ls_summary *s,
                            struct ls_errinfo *e)
{
	size_t need = s->n_recurrence;
	for (int k = 0; k < LS_TABLE_COUNT_; k++) {
		if (s->tables[k].n_rows > LS_SUMMARY_MAX_ROWS ||
		    (s->tables[k].n_rows > 0 && s->tables[k].rows == NULL))
			return ls_errf(e, LS_EINVAL, "tabel %s: ongeldig",
			               table_name_nl[k]);
		need += s->tables[k].n_rows;
	}
	if (s->n_recurrence > LS_SUMMARY_MAX_ROWS ||
	    (s->n_recurrence > 0 && s->recurrence == NULL))
		return ls_errf(e, LS_EINVAL, "terugkeer: ongeldig");
	if (need > t->cap_scratch) {
		uint32_t *p = ls_realloc(t->scratch, need * sizeof *p + 1);
		if (p == NULL)
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		t->scratch = p;
		t->cap_scratch = need;
	}
	return LS_OK;
}

/*
 * Codes are compared only against the domain's own (NUL-terminated)
 * codes, so a row's code is never read past LS_CODE_SIZE bytes even
 * if it is not terminated: strcmp stops at the first difference or
 * at the known code's end. Rows are sorted by (theme, other) and the
 * domain's codes too, so the code indices must strictly increase:
 * that is the order check, and it lets the "other" code be found by
 * walking forward (about one comparison per row) instead of
 * searching.
 */
static int summary_map_table(struct trends *t, const struct ls_summary *s,
                             int k, size_t *at, struct ls_errinfo *e)
{
	uint8_t mode = s->params.mode;
	const struct ls_summary_table *tab = &s->tables[k];
	const char *prev_theme = NULL;
	size_t th = SIZE_MAX, pos = 0, nk = t->n_codes[k];
	for (size_t i = 0; i < tab->n_rows; i++) {
		const struct ls_summary_row *r = &tab->rows[i];
		size_t other = 0;
		int c = 1;
		if (prev_theme == NULL ||
		    strcmp(prev_theme, r->theme) != 0) {
			size_t next =
			    code_find(t, LS_TABLE_THEME, r->theme);
			if (next == SIZE_MAX)
				return ls_errf(
				    e, LS_EINVAL,
				    "tabel %s: onbekend thema '%.31s'",
				    table_name_nl[k], r->theme);
			if (th != SIZE_MAX && next <= th)
				goto unsorted;
			th = next;
			prev_theme = t->codes[LS_TABLE_THEME][th];
			pos = 0;
		} else if (k == LS_TABLE_THEME) {
			goto unsorted;
		}
		if (k == LS_TABLE_THEME) {
			if (r->other[0] != '\0')
				return ls_errf(
				    e, LS_EINVAL,
				    "tabel thema: rij %s heeft "
				    "een tweede code",
				    prev_theme);
		} else {
			while (pos < nk && (c = strcmp(t->codes[k][pos],
			                               r->other)) < 0)
				pos++;
			if (pos == nk || c != 0) {
				if (code_find(t, k, r->other) !=
				    SIZE_MAX)
					goto unsorted;
				return ls_errf(
				    e, LS_EINVAL,
				    "tabel %s: onbekende code '%.31s'",
				    table_name_nl[k], r->other);
			}
			other = pos++;
		}
		if (!cell_ok(&r->signals, mode) ||
		    !cell_ok(&r->persons, mode))
			return ls_errf(e, LS_EINVAL,
			               "tabel %s, %s %s: ongeldige cel",
			               table_name_nl[k], prev_theme,
			               k == LS_TABLE_THEME
			                   ? ""
			                   : t->codes[k][other]);
		t->scratch[(*at)++] = (uint32_t)row_key(t, k, th, other);
		continue;
	unsorted:
		return ls_errf(
		    e, LS_EINVAL,
		    "tabel %s: rijen niet gesorteerd of dubbel "
		    "(%.31s %.31s)",
		    table_name_nl[k], r->theme, r->other);
	}
	return LS_OK;
}

/* The recurrence rows: known themes in order, as theme indices. */
static int summary_map_recurrence(struct trends *t,
                                  const struct ls_summary *s, size_t *at,
                                  struct ls_errinfo *e)
{
	uint8_t mode = s->params.mode;
	for (size_t i = 0, prev = SIZE_MAX; i < s->n_recurrence; i++) {
		const struct ls_recurrence_row *r = &s->recurrence[i];
		size_t th = code_find(t, LS_TABLE_THEME, r->theme);
		if (th == SIZE_MAX)
			return ls_errf(e, LS_EINVAL,
			               "terugkeer: onbekend thema '%.31s'",
			               r->theme);
		if (prev != SIZE_MAX && th <= prev)
			return ls_errf(e, LS_EINVAL,
			               "terugkeer: rijen niet gesorteerd of "
			               "dubbel (%s)",
			               t->codes[LS_TABLE_THEME][th]);
		prev = th;
		if (!cell_ok(&r->organisations, mode) ||
		    !cell_ok(&r->reporters, mode))
			return ls_errf(e, LS_EINVAL,
			               "terugkeer, %s: ongeldige cel",
			               t->codes[LS_TABLE_THEME][th]);
		t->scratch[(*at)++] = (uint32_t)th;
	}
	return LS_OK;
}

/* Check every row of s and put its key into t->scratch (tables in order,
 * then the recurrence rows as theme indices). */
static int summary_map(struct trends *t, const struct ls_summary *s,
                       struct ls_errinfo *e)
{
	size_t at = 0;
	int rc = summary_map_room(t, s, e);
	for (int k = 0; k < LS_TABLE_COUNT_ && rc == LS_OK; k++)
		rc = summary_map_table(t, s, k, &at, e);
	if (rc != LS_OK)
		return rc;
	return summary_map_recurrence(t, s, &at, e);
}

static int params_equal(const struct ls_disclosure_params *a,
                        const struct ls_disclosure_params *b)
{
	return a->mode == b->mode && a->k == b->k &&
	       a->epsilon_milli == b->epsilon_milli &&
	       a->withhold_below == b->withhold_below &&
	       a->persons_cap == b->persons_cap;
}

/* An origin's own cell: its kind (+1; 0 is none), bounds and noisy
 * value, from the summary's signals cell sc. */
static void ocell_set(struct ocell *c, const struct ls_cell *sc)
{
	c->kind = (uint8_t)(sc->kind + 1);
	c->lo = (int32_t)(sc->kind == LS_CELL_EXACT   ? sc->value
	                  : sc->kind == LS_CELL_RANGE ? sc->lo
	                                              : 0);
	c->hi = (int32_t)(sc->kind == LS_CELL_EXACT   ? sc->value
	                  : sc->kind == LS_CELL_NOISY ? 0
	                                              : sc->hi);
	c->noisy = (int32_t)(sc->kind == LS_CELL_NOISY ? sc->value : 0);
}

/* Summary s, mapped into t->scratch, into slot of origin o and the
 * cubes. Nothing fails. */
static void slot_fill(struct trends *t, struct origin *o,
                      const struct ls_summary *s, size_t slot,
                      double var[LS_QUERY_TABLES][2])
{
	size_t at = 0;

	o->has[slot] = 1;
	t->coverage[slot]++;
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++)
		o->var_q8[slot * 3 + (size_t)l] =
		    var_to_q8(var[item_table[l]][0]);
	for (int k = 0; k < LS_TABLE_COUNT_; k++) {
		const struct ls_summary_table *tab = &s->tables[k];
		for (size_t i = 0; i < tab->n_rows; i++) {
			const struct ls_summary_row *r = &tab->rows[i];
			size_t key = t->scratch[at++];
			(void)ls_trends_value_add_cell(cube_at(t, slot, key, 0),
			                               &r->signals, var[k][0]);
			(void)ls_trends_value_add_cell(cube_at(t, slot, key, 1),
			                               &r->persons, var[k][1]);
			if (key_level(t, key) >= 0)
				ocell_set(&o->cells[key * t->n_slots + slot],
				          &r->signals);
		}
	}
	for (size_t i = 0; i < s->n_recurrence; i++) {
		size_t th = t->scratch[at++];
		size_t base = (slot * t->n_codes[LS_TABLE_THEME] + th) * 2;
		(void)ls_trends_value_add_cell(&t->rec[base],
		                               &s->recurrence[i].organisations,
		                               var[LS_TABLE_RECURRENCE][0]);
		(void)ls_trends_value_add_cell(&t->rec[base + 1],
		                               &s->recurrence[i].reporters,
		                               var[LS_TABLE_RECURRENCE][1]);
	}
}

/* One more summary under parameters p (room made beforehand). */
static void params_count(struct trends *t,
                         const struct ls_disclosure_params *p)
{
	size_t at;
	for (at = 0; at < t->n_params; at++)
		if (params_equal(&t->params[at].p, p))
			break;
	if (at == t->n_params) {
		t->params[t->n_params].p = *p;
		t->params[t->n_params].count = 0;
		t->n_params++;
	}
	t->params[at].count++;
}

int ls_trends_add(struct trends *t, const struct ls_summary *s,
                  const struct trends_docref *ref, enum trends_added *added,
                  struct ls_errinfo *e)
{
	double var[LS_QUERY_TABLES][2];
	struct origin *o = NULL;
	size_t pos, slot;
	int found, rc;
	int32_t idx;
	char ptext[LS_PERIOD_SIZE];

	if (added != NULL)
		*added = TRENDS_ADDED;
	if (t->finished)
		return ls_errf(e, LS_ESTATE, "de trends zijn al berekend");
	if (!ls_node_id_valid(s->origin, strnlen(s->origin, LS_NODE_ID_SIZE)) ||
	    strcmp(s->origin, ref->origin) != 0)
		return ls_errf(e, LS_EINVAL,
		               "samenvatting van '%.47s' in een document van "
		               "'%.47s'",
		               s->origin, ref->origin);
	if (ls_period_check(&s->period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "%s: ongeldige periode",
		               s->origin);
	ls_period_format(&s->period, ptext);
	idx = ls_month_index(s->period.year, s->period.month) -
	      ls_month_index(t->opt.first.year, t->opt.first.month);
	if (s->period.months != t->opt.first.months ||
	    idx % s->period.months != 0) {
		t->n_ignored++;
		if (added != NULL)
			*added = TRENDS_MISALIGNED;
		return LS_OK;
	}
	if (idx < 0 || (size_t)(idx / s->period.months) >= t->n_slots) {
		t->n_ignored++;
		if (added != NULL)
			*added = TRENDS_OUTSIDE;
		return LS_OK;
	}
	slot = (size_t)(idx / s->period.months);
	pos = origin_pos(t, s->origin, &found);
	if (found && t->origins[pos]->has[slot])
		return ls_errf(e, LS_EEXISTS,
		               "%s heeft al een samenvatting voor %s",
		               s->origin, ptext);
	if (noise_vars(t, s, var) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "%s %s: ongeldige parameters voor de "
		               "openbaarmaking",
		               s->origin, ptext);
	if ((rc = summary_map(t, s, e)) != LS_OK)
		return rc;

	/* Every allocation before the first change. */
	if (!found && t->n_origins >= TRENDS_MAX_ORIGINS)
		return ls_errf(e, LS_ELIMIT, "meer dan %d gemeenten",
		               TRENDS_MAX_ORIGINS);
	if (grow((void **)&t->sources, &t->cap_sources, t->n_sources,
	         sizeof *t->sources) != LS_OK ||
	    grow((void **)&t->params, &t->cap_params, t->n_params,
	         sizeof *t->params) != LS_OK)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	if (!found) {
		if (grow((void **)&t->origins, &t->cap_origins, t->n_origins,
		         sizeof *t->origins) != LS_OK ||
		    (o = origin_alloc(t, s->origin)) == NULL)
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		memmove(&t->origins[pos + 1], &t->origins[pos],
		        (t->n_origins - pos) * sizeof *t->origins);
		t->origins[pos] = o;
		t->n_origins++;
	}
	o = t->origins[pos];

	/* From here on nothing fails. */
	slot_fill(t, o, s, slot, var);
	t->sources[t->n_sources++] = *ref;
	params_count(t, &s->params);
	return LS_OK;
}

/* The slot of a period, or the reason it has none (*added). */
static int period_slot(struct trends *t, const struct ls_period *p,
                       size_t *slot, enum trends_added *added)
{
	int32_t idx = ls_month_index(p->year, p->month) -
	              ls_month_index(t->opt.first.year, t->opt.first.month);
	if (p->months != t->opt.first.months || idx % p->months != 0) {
		*added = TRENDS_MISALIGNED;
		return 0;
	}
	if (idx < 0 || (size_t)(idx / p->months) >= t->n_slots) {
		*added = TRENDS_OUTSIDE;
		return 0;
	}
	*slot = (size_t)(idx / p->months);
	*added = TRENDS_ADDED;
	return 1;
}

/* The noise variance of one federation cell of a measure: 2 mu (the sum
 * of the members' Skellam shares is Skellam(mu, mu)). */
static int fed_variance(const struct secagg_noise *nz, double var[2])
{
	for (int m = 0; m < 2; m++) {
		if (nz->mu[m].num == 0 || nz->mu[m].den == 0)
			return LS_EINVAL;
		var[m] = 2.0 * (double)nz->mu[m].num / (double)nz->mu[m].den;
	}
	return ls_secagg_noise_check(nz, NULL);
}

int ls_trends_add_federation(struct trends *t,
                             const struct trends_federation *f,
                             const struct trends_docref *ref,
                             enum trends_added *added, struct ls_errinfo *e)
{
	struct ls_summary view;
	enum trends_added why;
	double var[2];
	size_t slot = 0, at = 0;
	char ptext[LS_PERIOD_SIZE];
	int rc;

	if (added != NULL)
		*added = TRENDS_ADDED;
	if (t->finished)
		return ls_errf(e, LS_ESTATE, "de trends zijn al berekend");
	if (!ls_node_id_valid(ref->origin,
	                      strnlen(ref->origin, LS_NODE_ID_SIZE)) ||
	    f->tables == NULL)
		return ls_errf(e, LS_EINVAL,
		               "federatiesamenvatting zonder geldige afzender");
	if (ls_period_check(&f->period) != LS_OK)
		return ls_errf(
		    e, LS_EINVAL,
		    "federatiesamenvatting van %s: ongeldige periode",
		    ref->origin);
	ls_period_format(&f->period, ptext);
	if (f->n_included == 0 || f->n_included > TRENDS_MAX_ORIGINS)
		return ls_errf(e, LS_EINVAL,
		               "federatiesamenvatting %s: %u gemeenten", ptext,
		               f->n_included);
	if (fed_variance(&f->noise, var) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "federatiesamenvatting %s: ongeldige ruis",
		               ptext);
	if (!period_slot(t, &f->period, &slot, &why)) {
		t->n_ignored++;
		if (added != NULL)
			*added = why;
		return LS_OK;
	}
	if (t->fed_included[slot] != 0)
		return ls_errf(e, LS_EEXISTS,
		               "er is al een federatiesamenvatting voor %s",
		               ptext);

	/* The tables are checked as a noise-mode summary's: only noisy and
	 * withheld cells, codes of the taxonomy, rows sorted and unique. */
	memset(&view, 0, sizeof view);
	memcpy(view.origin, ref->origin, sizeof view.origin);
	view.period = f->period;
	view.params.mode = LS_MODE_NOISE;
	memcpy(view.tables, f->tables, sizeof view.tables);
	if ((rc = summary_map(t, &view, e)) != LS_OK)
		return rc;

	/* Every allocation before the first change. */
	if (t->fcube == NULL) {
		t->fcube =
		    ls_calloc(t->n_slots * t->n_keys * 2, sizeof *t->fcube);
		if (t->fcube == NULL)
			return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	}
	if (grow((void **)&t->sources, &t->cap_sources, t->n_sources,
	         sizeof *t->sources) != LS_OK)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");

	/* From here on nothing fails. */
	t->fed_included[slot] = f->n_included;
	t->n_fed++;
	for (int k = 0; k < LS_TABLE_COUNT_; k++) {
		const struct ls_summary_table *tab = &f->tables[k];
		for (size_t i = 0; i < tab->n_rows; i++) {
			size_t key = t->scratch[at++];
			struct trends_value *v =
			    &t->fcube[(slot * t->n_keys + key) * 2];
			(void)ls_trends_value_add_cell(
			    &v[0], &tab->rows[i].signals, var[0]);
			(void)ls_trends_value_add_cell(
			    &v[1], &tab->rows[i].persons, var[1]);
		}
	}
	t->sources[t->n_sources++] = *ref;
	return LS_OK;
}

/* ---- accessors -------------------------------------------------------- */

int ls_trends_item_local_rise(const struct trends_item *it)
{
	return it->has_growth && it->slope.direction > 0 &&
	       it->robust_origin >= 0 &&
	       it->robust_growth_lo < 0.25 * it->level_growth_mid;
}

size_t ls_trends_n_items(const struct trends *t)
{
	return t->finished ? t->n_items : 0;
}

const struct trends_item *ls_trends_item_at(const struct trends *t, size_t i)
{
	return t->finished && i < t->n_items ? &t->items[i] : NULL;
}

const struct trends_item *ls_trends_item_find(const struct trends *t, int level,
                                              const char *theme,
                                              const char *other)
{
	size_t th, o = 0;
	if (!t->finished || level < 0 || level >= TRENDS_LEVEL_COUNT_)
		return NULL;
	th = code_find(t, LS_TABLE_THEME, theme);
	if (th == SIZE_MAX)
		return NULL;
	if (level != TRENDS_LEVEL_THEME) {
		o = code_find(t, item_table[level], other ? other : "");
		if (o == SIZE_MAX)
			return NULL;
	}
	return &t->items[row_key(t, item_table[level], th, o)];
}

const struct trends_item *const *ls_trends_ranked(const struct trends *t,
                                                  int level, size_t *n)
{
	if (!t->finished || level < 0 || level >= TRENDS_LEVEL_COUNT_) {
		*n = 0;
		return NULL;
	}
	*n = t->n_ranked[level];
	return t->ranked[level];
}

size_t ls_trends_select(const struct trends *t,
                        const struct ls_trends_select *sel,
                        const struct trends_item **out, size_t cap)
{
	unsigned levels = sel->levels ? sel->levels : 1u;
	size_t n = 0;
	if (!t->finished)
		return 0;
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		size_t taken = 0;
		if (!(levels & (1u << l)))
			continue;
		for (size_t r = 0; r < t->n_ranked[l]; r++) {
			const struct trends_item *it = t->ranked[l][r];
			if (sel->top != 0 && taken >= sel->top)
				break;
			if (sel->theme != NULL &&
			    strcmp(sel->theme, it->theme_code) != 0)
				continue;
			if (sel->other != NULL && l != TRENDS_LEVEL_THEME &&
			    strcmp(sel->other, it->other_code) != 0)
				continue;
			if (sel->youth &&
			    (l != TRENDS_LEVEL_AGE || !(it->youth_share > 0)))
				continue;
			if (n < cap)
				out[n] = it;
			n++;
			taken++;
		}
	}
	return n;
}

size_t ls_trends_n_periods(const struct trends *t)
{
	return t->n_slots;
}

void ls_trends_period_at(const struct trends *t, size_t slot,
                         struct ls_period *out)
{
	if (ls_period_add(&t->opt.first, (int32_t)slot, out) != LS_OK)
		*out = t->opt.first;
}

size_t ls_trends_growth_first(const struct trends *t)
{
	return t->growth_first;
}

const struct trends_options *ls_trends_options_get(const struct trends *t)
{
	return &t->opt;
}

size_t ls_trends_n_origins(const struct trends *t)
{
	return t->n_origins;
}

const char *ls_trends_origin_id(const struct trends *t, size_t i)
{
	return i < t->n_origins ? t->origins[i]->id : NULL;
}

int ls_trends_origin_has(const struct trends *t, size_t i, size_t slot)
{
	return i < t->n_origins && slot < t->n_slots &&
	       t->origins[i]->has[slot];
}

int ls_trends_origin_complete(const struct trends *t, size_t i)
{
	return t->finished && i < t->n_origins && t->origins[i]->complete;
}

uint32_t ls_trends_coverage(const struct trends *t, size_t slot)
{
	return slot < t->n_slots ? t->coverage[slot] : 0;
}

size_t ls_trends_n_codes(const struct trends *t, int table)
{
	return table >= 0 && table < LS_TABLE_COUNT_ ? t->n_codes[table] : 0;
}

const char *ls_trends_code(const struct trends *t, int table, size_t i)
{
	return i < ls_trends_n_codes(t, table) ? t->codes[table][i] : NULL;
}

const char *ls_trends_label(const struct trends *t, int table, size_t i)
{
	return i < ls_trends_n_codes(t, table) ? t->labels[table][i] : NULL;
}

static int cell_index_ok(const struct trends *t, int table, size_t theme,
                         size_t other, int measure)
{
	return table >= 0 && table < LS_TABLE_COUNT_ &&
	       theme < t->n_codes[LS_TABLE_THEME] &&
	       (table == LS_TABLE_THEME ? other == 0
	                                : other < t->n_codes[table]) &&
	       (measure == 0 || measure == 1);
}

int ls_trends_cell(const struct trends *t, int table, size_t theme,
                   size_t other, int measure, size_t slot,
                   struct trends_value *out)
{
	if (!cell_index_ok(t, table, theme, other, measure) ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	*out = *series_at(t, slot, row_key(t, table, theme, other), measure);
	return LS_OK;
}

int ls_trends_cell_ranges(const struct trends *t, int table, size_t theme,
                          size_t other, int measure, size_t slot,
                          struct trends_value *out)
{
	if (!cell_index_ok(t, table, theme, other, measure) ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	*out = *cube_at(t, slot, row_key(t, table, theme, other), measure);
	return LS_OK;
}

int ls_trends_cell_total_ranges(const struct trends *t, int table, size_t theme,
                                size_t other, int measure,
                                struct trends_value *out)
{
	size_t key;
	if (!cell_index_ok(t, table, theme, other, measure))
		return LS_EINVAL;
	key = row_key(t, table, theme, other);
	memset(out, 0, sizeof *out);
	for (size_t slot = 0; slot < t->n_slots; slot++)
		ls_trends_value_add(out, cube_at(t, slot, key, measure));
	return LS_OK;
}

uint32_t ls_trends_federation_at(const struct trends *t, size_t slot)
{
	return slot < t->n_slots ? t->fed_included[slot] : 0;
}

size_t ls_trends_n_federation(const struct trends *t)
{
	return t->n_fed;
}

int ls_trends_cell_total(const struct trends *t, int table, size_t theme,
                         size_t other, int measure, struct trends_value *out)
{
	size_t key;
	if (!cell_index_ok(t, table, theme, other, measure))
		return LS_EINVAL;
	key = row_key(t, table, theme, other);
	memset(out, 0, sizeof *out);
	for (size_t slot = 0; slot < t->n_slots; slot++)
		ls_trends_value_add(out, series_at(t, slot, key, measure));
	return LS_OK;
}

int ls_trends_recurrence(const struct trends *t, size_t theme, int measure,
                         size_t slot, struct trends_value *out)
{
	if (theme >= t->n_codes[LS_TABLE_THEME] || slot >= t->n_slots ||
	    (measure != 0 && measure != 1))
		return LS_EINVAL;
	*out = t->rec[(slot * t->n_codes[LS_TABLE_THEME] + theme) * 2 +
	              (size_t)measure];
	return LS_OK;
}

int ls_trends_item_series(const struct trends *t, const struct trends_item *it,
                          int complete, size_t slot, struct trends_value *out)
{
	if (!t->finished || it == NULL || it->index >= t->n_items ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	if (!complete || it->growth_federation) {
		*out = *series_at(t, slot, item_key(t, it), 0);
		return LS_OK;
	}
	memset(out, 0, sizeof *out);
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct trends_value v;
		if (!t->origins[oi]->complete)
			continue;
		ls_trends_ocell_value(t, t->origins[oi], it->index, slot, &v);
		ls_trends_value_add(out, &v);
	}
	return LS_OK;
}

int ls_trends_origin_item(const struct trends *t, size_t origin,
                          const struct trends_item *it,
                          struct ls_trends_origin_item *out)
{
	const struct origin *o;
	if (!t->finished || origin >= t->n_origins || it == NULL ||
	    it->index >= t->n_items)
		return LS_EINVAL;
	o = t->origins[origin];
	memset(out, 0, sizeof *out);
	for (size_t slot = 0; slot < t->n_slots; slot++) {
		struct trends_value v;
		ls_trends_ocell_value(t, o, it->index, slot, &v);
		ls_trends_value_add(&out->total, &v);
	}
	out->reported = o->reported[it->index];
	out->direction = o->direction[it->index];
	return LS_OK;
}

int ls_trends_origin_series(const struct trends *t, size_t origin,
                            const struct trends_item *it, size_t slot,
                            struct trends_value *out)
{
	if (origin >= t->n_origins || it == NULL || it->index >= t->n_items ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	ls_trends_ocell_value(t, t->origins[origin], it->index, slot, out);
	return LS_OK;
}

size_t ls_trends_n_sources(const struct trends *t)
{
	return t->n_sources;
}

const struct trends_docref *ls_trends_source_at(const struct trends *t,
                                                size_t i)
{
	return i < t->n_sources ? &t->sources[i] : NULL;
}

void ls_trends_sources_digest(const struct trends *t,
                              uint8_t out[LS_HASH_BYTES])
{
	memcpy(out, t->digest, LS_HASH_BYTES);
}

size_t ls_trends_n_params(const struct trends *t)
{
	return t->n_params;
}

const struct ls_disclosure_params *ls_trends_params_at(const struct trends *t,
                                                       size_t i, size_t *count)
{
	if (i >= t->n_params)
		return NULL;
	if (count != NULL)
		*count = t->params[i].count;
	return &t->params[i].p;
}

size_t ls_trends_n_ignored(const struct trends *t)
{
	return t->n_ignored;
}
