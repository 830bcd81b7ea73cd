/*
 * Trends: happy path.
 *
 * trends_new() compiles the taxonomy's shared codes into a fixed layout of
 * row keys (themes; theme x age band; theme x target group; theme x
 * sector; theme x problem type) and allocates the federation cube: a
 * struct trends_value per period, row key and measure, and per theme the
 * recurrence indicators.
 *
 * trends_add() checks a whole summary first (codes, order, cells) and maps
 * every row to its key; only then, with every allocation done, it adds the
 * cells to the cube and to the origin's own block (the signals of the
 * ranked items: themes, theme x age, theme x target group, per period, in
 * a compact form). A summary that fails any check changes nothing.
 *
 * trends_finish() walks the items: spread from each origin's window total;
 * recurrence and scale from the cube; growth from the series of the origins
 * that have every period of the growth window (so a municipality whose
 * last month is not in yet cannot fake a fall), with a least-squares slope
 * whose bounds come from the interval ends, a robust lower bound that
 * leaves out each origin in turn, and the start of the rise from a hinge
 * fit; then the components, the score, the ranking and the explanation.
 *
 * All sums are integers (noise variances in units of 1/256), and origins
 * are kept sorted by id, so the result does not depend on the order of
 * trends_add calls. Floating point starts only in trends_finish, which
 * visits everything in a fixed order.
 */
#include "core/trends.h"
#include "common/alloc.h"
#include "core/noise.h"
#include "core/period.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CODES 64

/* The item tables, in item order. */
static const int item_table[TRENDS_LEVEL_COUNT_] = {
    LS_TABLE_THEME, LS_TABLE_THEME_AGE, LS_TABLE_THEME_TARGET};

static const uint8_t table_dim[LS_TABLE_COUNT_] = {
    LS_DIM_THEME, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR, LS_DIM_PROBLEM};

/* One origin's signals cell of an item in one period. kind is 0 for
 * "no row" (an exact 0), else the cell kind + 1. */
struct ocell {
	int32_t lo, hi, noisy;
	uint8_t kind;
};

struct origin {
	char id[LS_NODE_ID_SIZE];
	uint8_t *has;        /* per slot */
	struct ocell *cells; /* [item * n_slots + slot] */
	int64_t *var_q8;     /* [slot * 3 + level]: noise variance of one
	                        signals cell of that item table */
	int complete;        /* every slot of the growth window */
	int8_t *direction;   /* per item, after finish */
	uint8_t *reported;   /* per item, after finish */
};

struct param_count {
	struct ls_disclosure_params p;
	size_t count;
};

struct trends {
	struct trends_options opt;
	int finished;
	size_t n_slots;
	size_t growth_first; /* first slot of the growth window */

	/* the domain: codes per table dimension, sorted, with labels */
	size_t n_codes[LS_TABLE_COUNT_];
	char codes[LS_TABLE_COUNT_][MAX_CODES][LS_CODE_SIZE];
	char *labels[LS_TABLE_COUNT_][MAX_CODES];
	size_t youth[2]; /* age indices of the youth bands; SIZE_MAX: none */

	/* row keys */
	size_t base[LS_TABLE_COUNT_];
	size_t n_keys, n_items;

	struct trends_value *cube; /* [(slot * n_keys + key) * 2 + measure] */
	struct trends_value *rec;  /* [(slot * n_themes + theme) * 2 + m] */
	uint32_t *coverage;        /* per slot */

	size_t n_origins, cap_origins;
	struct origin **origins; /* sorted by id */

	size_t n_sources, cap_sources;
	struct trends_docref *sources;
	uint8_t digest[LS_HASH_BYTES];

	size_t n_params, cap_params;
	struct param_count *params;
	size_t n_ignored;

	/* scratch for trends_add: the row key of every row */
	uint32_t *scratch;
	size_t cap_scratch;

	trends_name_fn names;
	void *names_ctx;

	struct trends_item *items;
	const struct trends_item **ranked[TRENDS_LEVEL_COUNT_];
	size_t n_ranked[TRENDS_LEVEL_COUNT_];
};

/* ---- values --------------------------------------------------------- */

static int64_t var_to_q8(double var)
{
	if (!(var > 0))
		return 0;
	if (var > 1e15)
		var = 1e15;
	return (int64_t)llround(var * 256.0);
}

int trends_value_add_cell(struct trends_value *v, const struct ls_cell *c,
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

void trends_value_add(struct trends_value *a, const struct trends_value *b)
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

void trends_value_sub(struct trends_value *a, const struct trends_value *b)
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

double trends_value_var(const struct trends_value *v)
{
	return (double)v->var_q8 / 256.0;
}

void trends_value_interval(const struct trends_value *v, int64_t *lo,
                           int64_t *hi)
{
	double h, nlo, nhi;
	if (v->n_noisy == 0) {
		*lo = v->lo;
		*hi = v->hi;
		return;
	}
	h = TRENDS_Z90 * sqrt(trends_value_var(v));
	nlo = (double)v->noisy - h;
	nhi = (double)v->noisy + h;
	*lo = v->lo + (nlo > 0 ? (int64_t)floor(nlo) : 0);
	*hi = v->hi + (nhi > 0 ? (int64_t)ceil(nhi) : 0);
}

double trends_value_mid(const struct trends_value *v)
{
	int64_t lo, hi;
	trends_value_interval(v, &lo, &hi);
	return ((double)lo + (double)hi) / 2.0;
}

int trends_value_is_exact(const struct trends_value *v)
{
	return v->n_range == 0 && v->n_noisy == 0 && v->n_withheld == 0;
}

/* The box a point of a slope lives in: certain bounds with the noisy
 * part as its (unbiased) value; its noise variance goes separately. */
static void value_box(const struct trends_value *v, double *lo, double *hi,
                      double *var)
{
	*lo = (double)(v->lo + v->noisy);
	*hi = (double)(v->hi + v->noisy);
	*var = trends_value_var(v);
}

/* ---- slopes ---------------------------------------------------------- */

/* One-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
static const double t95[30] = {
    6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
    1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
    1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697};

static double t_quantile(size_t df)
{
	if (df == 0)
		return t95[0];
	if (df <= 30)
		return t95[df - 1];
	return TRENDS_Z90 + (t95[29] - TRENDS_Z90) * 30.0 / (double)df;
}

int trends_slope(const double *lo, const double *hi, const double *var,
                 size_t n, struct trends_slope *out)
{
	double xbar = (double)(n - 1) / 2.0, sxx = 0, ybar = 0, sxy = 0;
	double sse = 0, nvar = 0, se_res, eps;
	memset(out, 0, sizeof *out);
	if (n < TRENDS_MIN_GROWTH_PERIODS)
		return LS_EINVAL;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)i - xbar;
		sxx += dx * dx;
		ybar += (lo[i] + hi[i]) / 2.0;
	}
	ybar /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dx = (double)i - xbar, w = dx / sxx;
		double y = (lo[i] + hi[i]) / 2.0;
		sxy += dx * (y - ybar);
		/* The OLS slope is sum w_i y_i: its extremes over the box
		 * take each y_i at the end its weight's sign favours. */
		out->box_lo += w * (w > 0 ? lo[i] : hi[i]);
		out->box_hi += w * (w > 0 ? hi[i] : lo[i]);
		if (var != NULL)
			nvar += w * w * var[i];
	}
	out->n = n;
	out->mid = sxy / sxx;
	for (size_t i = 0; i < n; i++) {
		double y = (lo[i] + hi[i]) / 2.0;
		double r = y - (ybar + out->mid * ((double)i - xbar));
		sse += r * r;
	}
	se_res = sqrt(sse / (double)(n - 2) / sxx);
	/* The residuals already carry the noise; the noise that was added
	 * on purpose is a floor for the slope's uncertainty all the same,
	 * since a few points can scatter less than their noise. */
	out->se = se_res > sqrt(nvar) ? se_res : sqrt(nvar);
	out->t = t_quantile(n - 2);
	out->lo = out->box_lo - out->t * out->se;
	out->hi = out->box_hi + out->t * out->se;
	out->level = ybar < 1.0 ? 1.0 : ybar;
	/* A flat series can come out at +-1e-17 from rounding: a direction
	 * needs a slope that is not zero at the scale of the level. */
	eps = 1e-9 * out->level;
	out->direction = out->lo > eps ? 1 : out->hi < -eps ? -1 : 0;
	return LS_OK;
}

uint32_t trends_rising_since(const double *mid, size_t n)
{
	double best_sse = INFINITY, best_b = 0;
	size_t best = 0;
	if (n < 2)
		return 0;
	/* y = a + b * max(0, i - c): a simple regression on the hinge
	 * variable, for every start c; the start with the least squared
	 * error wins (the earliest on ties). */
	for (size_t c = 0; c + 1 < n; c++) {
		double xbar = 0, ybar = 0, sxx = 0, sxy = 0, sse = 0, b, a;
		for (size_t i = 0; i < n; i++) {
			xbar += i > c ? (double)(i - c) : 0.0;
			ybar += mid[i];
		}
		xbar /= (double)n;
		ybar /= (double)n;
		for (size_t i = 0; i < n; i++) {
			double x = i > c ? (double)(i - c) : 0.0;
			sxx += (x - xbar) * (x - xbar);
			sxy += (x - xbar) * (mid[i] - ybar);
		}
		if (sxx <= 0)
			continue;
		b = sxy / sxx;
		a = ybar - b * xbar;
		for (size_t i = 0; i < n; i++) {
			double x = i > c ? (double)(i - c) : 0.0;
			double r = mid[i] - (a + b * x);
			sse += r * r;
		}
		if (c == 0 || sse < best_sse - 1e-9 * (1.0 + best_sse)) {
			best_sse = sse;
			best = c;
			best_b = b;
		}
	}
	if (!(best_b > 0))
		return 0;
	return (uint32_t)(n - 1 - best);
}

/* ---- options -------------------------------------------------------- */

static const char *const component_names[TRENDS_C_COUNT_] = {
    "spread", "rising", "growth", "recurrence", "breadth", "scale", "youth"};
static const char *const component_labels[TRENDS_C_COUNT_] = {
    "spreiding", "stijgend in gemeenten",
    "groei",     "terugkeer",
    "sectoren",  "omvang",
    "jongeren"};

const char *trends_component_name(int c)
{
	return c >= 0 && c < TRENDS_C_COUNT_ ? component_names[c] : "?";
}

const char *trends_component_label_nl(int c)
{
	return c >= 0 && c < TRENDS_C_COUNT_ ? component_labels[c] : "?";
}

static const char *const level_names[TRENDS_LEVEL_COUNT_] = {"theme", "age",
                                                             "target"};
static const char *const level_names_nl[TRENDS_LEVEL_COUNT_] = {
    "thema", "leeftijd", "doelgroep"};

const char *trends_level_name(int level)
{
	return level >= 0 && level < TRENDS_LEVEL_COUNT_ ? level_names[level]
	                                                 : "?";
}

const char *trends_level_name_nl(int level)
{
	return level >= 0 && level < TRENDS_LEVEL_COUNT_ ? level_names_nl[level]
	                                                 : "?";
}

void trends_options_default(struct trends_options *o,
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

int trends_options_check(const struct trends_options *o, struct ls_errinfo *e)
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

static size_t row_key(const struct trends *t, int table, size_t theme,
                      size_t other)
{
	if (table == LS_TABLE_THEME)
		return theme;
	return t->base[table] + theme * t->n_codes[table] + other;
}

static struct trends_value *cube_at(const struct trends *t, size_t slot,
                                    size_t key, int measure)
{
	return &t->cube[(slot * t->n_keys + key) * 2 + (size_t)measure];
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

int trends_new(const struct ls_taxonomy *tax, const struct trends_options *o,
               struct trends **out, struct ls_errinfo *e)
{
	struct trends *t;
	size_t nth, growth;
	int rc;

	*out = NULL;
	if ((rc = trends_options_check(o, e)) != LS_OK)
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
	if (t->cube == NULL || t->rec == NULL || t->coverage == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto fail;
	}
	*out = t;
	return LS_OK;
fail:
	trends_free(t);
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

void trends_free(struct trends *t)
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

/* Check a cell against the summary's mode (what trends_value_add_cell
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
			if (noise_scale_for(s->params.epsilon_milli,
			                    s->params.persons_cap,
			                    t->n_codes[LS_TABLE_THEME_TARGET],
			                    k, m, &sc) != LS_OK)
				return LS_EINVAL;
			var[k][m] = noise_variance(sc);
		}
	return LS_OK;
}

/* Check every row of s and put its key into t->scratch (tables in order,
 * then the recurrence rows as theme indices). */
static int summary_map(struct trends *t, const struct ls_summary *s,
                       struct ls_errinfo *e)
{
	size_t need = s->n_recurrence, at = 0;
	uint8_t mode = s->params.mode;
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
	for (int k = 0; k < LS_TABLE_COUNT_; k++) {
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
			t->scratch[at++] = (uint32_t)row_key(t, k, th, other);
			continue;
		unsorted:
			return ls_errf(
			    e, LS_EINVAL,
			    "tabel %s: rijen niet gesorteerd of dubbel "
			    "(%.31s %.31s)",
			    table_name_nl[k], r->theme, r->other);
		}
	}
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
		t->scratch[at++] = (uint32_t)th;
	}
	return LS_OK;
}

static int params_equal(const struct ls_disclosure_params *a,
                        const struct ls_disclosure_params *b)
{
	return a->mode == b->mode && a->k == b->k &&
	       a->epsilon_milli == b->epsilon_milli &&
	       a->withhold_below == b->withhold_below &&
	       a->persons_cap == b->persons_cap;
}

/* The item level of a row key, or -1 for sector and problem rows. */
static int key_level(const struct trends *t, size_t key)
{
	if (key < t->base[LS_TABLE_THEME_AGE])
		return TRENDS_LEVEL_THEME;
	if (key < t->base[LS_TABLE_THEME_TARGET])
		return TRENDS_LEVEL_AGE;
	if (key < t->n_items)
		return TRENDS_LEVEL_TARGET;
	return -1;
}

int trends_add(struct trends *t, const struct ls_summary *s,
               const struct trends_docref *ref, enum trends_added *added,
               struct ls_errinfo *e)
{
	double var[LS_QUERY_TABLES][2];
	struct origin *o = NULL;
	size_t pos, slot, param_at, at = 0;
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
			(void)trends_value_add_cell(cube_at(t, slot, key, 0),
			                            &r->signals, var[k][0]);
			(void)trends_value_add_cell(cube_at(t, slot, key, 1),
			                            &r->persons, var[k][1]);
			if (key_level(t, key) >= 0) {
				struct ocell *c =
				    &o->cells[key * t->n_slots + slot];
				const struct ls_cell *sc = &r->signals;
				c->kind = (uint8_t)(sc->kind + 1);
				c->lo = (int32_t)(sc->kind == LS_CELL_EXACT
				                      ? sc->value
				                  : sc->kind == LS_CELL_RANGE
				                      ? sc->lo
				                      : 0);
				c->hi = (int32_t)(sc->kind == LS_CELL_EXACT
				                      ? sc->value
				                  : sc->kind == LS_CELL_NOISY
				                      ? 0
				                      : sc->hi);
				c->noisy = (int32_t)(sc->kind == LS_CELL_NOISY
				                         ? sc->value
				                         : 0);
			}
		}
	}
	for (size_t i = 0; i < s->n_recurrence; i++) {
		size_t th = t->scratch[at++];
		size_t base = (slot * t->n_codes[LS_TABLE_THEME] + th) * 2;
		(void)trends_value_add_cell(&t->rec[base],
		                            &s->recurrence[i].organisations,
		                            var[LS_TABLE_RECURRENCE][0]);
		(void)trends_value_add_cell(&t->rec[base + 1],
		                            &s->recurrence[i].reporters,
		                            var[LS_TABLE_RECURRENCE][1]);
	}
	t->sources[t->n_sources++] = *ref;
	for (param_at = 0; param_at < t->n_params; param_at++)
		if (params_equal(&t->params[param_at].p, &s->params))
			break;
	if (param_at == t->n_params) {
		t->params[t->n_params].p = s->params;
		t->params[t->n_params].count = 0;
		t->n_params++;
	}
	t->params[param_at].count++;
	return LS_OK;
}

/* ---- finishing ------------------------------------------------------- */

void trends_set_names(struct trends *t, trends_name_fn fn, void *ctx)
{
	t->names = fn;
	t->names_ctx = ctx;
}

static void ocell_value(const struct trends *t, const struct origin *o,
                        size_t item, size_t slot, struct trends_value *v)
{
	const struct ocell *c = &o->cells[item * t->n_slots + slot];
	int level = key_level(t, item);
	memset(v, 0, sizeof *v);
	if (!o->has[slot])
		return;
	v->lo = c->lo;
	v->hi = c->hi;
	v->noisy = c->noisy;
	switch (c->kind) {
	case 0:
	case LS_CELL_EXACT + 1:
		v->n_exact = c->kind != 0;
		break;
	case LS_CELL_RANGE + 1:
		v->n_range = 1;
		break;
	case LS_CELL_NOISY + 1:
		v->n_noisy = 1;
		v->var_q8 = o->var_q8[slot * 3 + (size_t)level];
		break;
	case LS_CELL_WITHHELD + 1:
		v->n_withheld = 1;
		break;
	}
}

static int cmp_params(const void *a, const void *b)
{
	const struct ls_disclosure_params *x =
	    &((const struct param_count *)a)->p;
	const struct ls_disclosure_params *y =
	    &((const struct param_count *)b)->p;
	uint32_t xa[5] = {x->mode, x->k, x->epsilon_milli, x->withhold_below,
	                  x->persons_cap};
	uint32_t ya[5] = {y->mode, y->k, y->epsilon_milli, y->withhold_below,
	                  y->persons_cap};
	for (int i = 0; i < 5; i++)
		if (xa[i] != ya[i])
			return xa[i] < ya[i] ? -1 : 1;
	return 0;
}

static int cmp_source(const void *a, const void *b)
{
	const struct trends_docref *x = a, *y = b;
	int c = strcmp(x->origin, y->origin);
	if (c != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void digest_sources(struct trends *t)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, LS_HASH_BYTES);
	for (size_t i = 0; i < t->n_sources; i++) {
		const struct trends_docref *r = &t->sources[i];
		uint8_t seq[8];
		for (int b = 0; b < 8; b++)
			seq[b] = (uint8_t)(r->seq >> (56 - 8 * b));
		crypto_generichash_update(&st, (const uint8_t *)r->origin,
		                          strlen(r->origin) + 1);
		crypto_generichash_update(&st, seq, sizeof seq);
		crypto_generichash_update(&st, r->hash, LS_HASH_BYTES);
	}
	crypto_generichash_final(&st, t->digest, LS_HASH_BYTES);
}

/* Scratch arrays for one item's series. */
struct series {
	size_t n;                      /* growth window length */
	struct trends_value *complete; /* n */
	struct trends_value *rest;     /* n */
	double *lo, *hi, *var, *mid;   /* n */
};

static void series_points(const struct trends_value *v, size_t n,
                          struct series *s)
{
	for (size_t i = 0; i < n; i++) {
		value_box(&v[i], &s->lo[i], &s->hi[i], &s->var[i]);
		s->mid[i] = (s->lo[i] + s->hi[i]) / 2.0;
	}
}

/* Reporting of a window total: 2 certainly, 1 possibly, 0 not. */
static uint8_t reporting(const struct trends_value *v)
{
	int64_t lo, hi;
	trends_value_interval(v, &lo, &hi);
	return lo >= 1 ? 2 : hi >= 1 ? 1 : 0;
}

/* The change of the fitted line over the window, relative to where it
 * starts: (end - start) / start, with the line's ends read as counts
 * (never below zero; a start below one signal counts as one). So a fall
 * is never more than -100%, and "+40%" means what a reader expects: the
 * end 1.4 times the start. The score's growth part stays relative to the
 * level (robust_growth_lo), which a start near zero cannot blow up. */
static double growth_change(double slope, double level, size_t n)
{
	double half = slope * (double)(n - 1) / 2.0;
	double start = level - half, end = level + half;
	if (start < 1.0)
		start = 1.0;
	if (end < 0.0)
		end = 0.0;
	return (end - start) / start;
}

static void item_growth(struct trends *t, struct trends_item *it,
                        struct series *s)
{
	size_t n = s->n, g0 = t->growth_first;
	double best = INFINITY;

	memset(s->complete, 0, n * sizeof *s->complete);
	it->n_complete = 0;
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct trends_slope sl;
		if (!o->complete)
			continue;
		it->n_complete++;
		for (size_t i = 0; i < n; i++) {
			struct trends_value v;
			ocell_value(t, o, it->index, g0 + i, &v);
			trends_value_add(&s->complete[i], &v);
			s->rest[i] = v;
		}
		series_points(s->rest, n, s);
		if (n >= TRENDS_MIN_GROWTH_PERIODS &&
		    trends_slope(s->lo, s->hi, s->var, n, &sl) == LS_OK) {
			o->direction[it->index] = (int8_t)sl.direction;
			it->n_rising += sl.direction > 0;
			it->n_falling += sl.direction < 0;
		}
	}
	it->robust_origin = -1;
	if (it->n_complete == 0 || n < TRENDS_MIN_GROWTH_PERIODS)
		return;
	series_points(s->complete, n, s);
	if (trends_slope(s->lo, s->hi, s->var, n, &it->slope) != LS_OK)
		return;
	it->has_growth = 1;
	it->growth_lo = growth_change(it->slope.lo, it->slope.level, n);
	it->growth_mid = growth_change(it->slope.mid, it->slope.level, n);
	it->growth_hi = growth_change(it->slope.hi, it->slope.level, n);
	it->level_growth_mid =
	    it->slope.mid * (double)(n - 1) / it->slope.level;
	if (it->slope.direction > 0)
		it->rising_since = trends_rising_since(s->mid, n);
	it->robust_growth_lo = it->slope.lo * (double)(n - 1) / it->slope.level;
	if (it->n_complete < 2)
		return;
	/* Leave each complete municipality out in turn: growth that one
	 * municipality carries alone is not a shared trend. The federation's
	 * lower bound already says the growth is real; without one
	 * municipality the rest is smaller and less certain, so its central
	 * estimate (not its lower bound) is what must stay up, measured
	 * against the level of all municipalities: the part of the growth
	 * that does not come from that one. */
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct trends_slope sl;
		double g;
		if (!o->complete)
			continue;
		for (size_t i = 0; i < n; i++) {
			struct trends_value v;
			ocell_value(t, o, it->index, g0 + i, &v);
			s->rest[i] = s->complete[i];
			trends_value_sub(&s->rest[i], &v);
		}
		series_points(s->rest, n, s);
		if (trends_slope(s->lo, s->hi, s->var, n, &sl) != LS_OK)
			continue;
		/* the growth that remains, against the level of all */
		g = sl.mid * (double)(n - 1) / it->slope.level;
		if (g < best) {
			best = g;
			it->robust_origin = (int)oi;
		}
	}
	if (best < it->robust_growth_lo)
		it->robust_growth_lo = best;
}

static void item_spread(struct trends *t, struct trends_item *it)
{
	it->n_origins = (uint32_t)t->n_origins;
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		struct trends_value total, v;
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++) {
			ocell_value(t, o, it->index, slot, &v);
			trends_value_add(&total, &v);
		}
		o->reported[it->index] = reporting(&total);
		it->n_report_lo += o->reported[it->index] == 2;
		it->n_report_hi += o->reported[it->index] >= 1;
	}
}

static size_t item_key(const struct trends *t, const struct trends_item *it)
{
	return row_key(t, item_table[it->level], it->theme, it->other);
}

static void item_scale_recurrence(struct trends *t, struct trends_item *it)
{
	size_t key = item_key(t, it), last = t->n_slots - 1;
	int counting = 1, counting_hi = 1;
	it->n_periods = (uint32_t)t->n_slots;
	for (size_t i = 0; i < t->n_slots; i++) {
		size_t slot = last - i;
		const struct trends_value *v = cube_at(t, slot, key, 0);
		int64_t lo, hi;
		trends_value_interval(v, &lo, &hi);
		if (counting && lo >= 1)
			it->run++;
		else
			counting = 0;
		if (counting_hi && hi >= 1)
			it->run_hi++;
		else
			counting_hi = 0;
		it->periods_reported += lo >= 1;
		trends_value_add(&it->signals, v);
		trends_value_add(&it->persons, cube_at(t, slot, key, 1));
	}
	it->last_signals = *cube_at(t, last, key, 0);
}

/* Sectors and organisations are known per theme; items of a theme's
 * breakdowns take their theme's. */
static void theme_breadth(struct trends *t, struct trends_item *it)
{
	size_t nsec = t->n_codes[LS_TABLE_THEME_SECTOR];
	size_t nth = t->n_codes[LS_TABLE_THEME];
	it->n_sectors = (uint32_t)nsec;
	for (size_t j = 0; j < nsec; j++) {
		struct trends_value total;
		size_t key = row_key(t, LS_TABLE_THEME_SECTOR, it->theme, j);
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++)
			trends_value_add(&total, cube_at(t, slot, key, 0));
		switch (reporting(&total)) {
		case 2:
			it->sectors_lo++;
			it->sectors_hi++;
			break;
		case 1:
			it->sectors_hi++;
			break;
		}
	}
	for (size_t slot = 0; slot < t->n_slots; slot++) {
		int64_t lo, hi;
		trends_value_interval(&t->rec[(slot * nth + it->theme) * 2],
		                      &lo, &hi);
		if (lo > it->organisations_lo)
			it->organisations_lo = lo;
	}
}

static double youth_share(struct trends *t, const struct trends_item *it)
{
	double youth = 0, all = trends_value_mid(&it->signals);
	if (it->level == TRENDS_LEVEL_AGE)
		return it->other == t->youth[0] || it->other == t->youth[1];
	if (it->level != TRENDS_LEVEL_THEME || !(all > 0))
		return 0;
	for (int y = 0; y < 2; y++) {
		struct trends_value total;
		size_t key;
		if (t->youth[y] == SIZE_MAX)
			continue;
		key = row_key(t, LS_TABLE_THEME_AGE, it->theme, t->youth[y]);
		memset(&total, 0, sizeof total);
		for (size_t slot = 0; slot < t->n_slots; slot++)
			trends_value_add(&total, cube_at(t, slot, key, 0));
		youth += trends_value_mid(&total);
	}
	return youth / all > 1 ? 1 : youth / all;
}

static double clamp01(double x)
{
	return x > 1 ? 1 : x > 0 ? x : 0;
}

static int cmp_ranked(const void *a, const void *b)
{
	const struct trends_item *x = *(const struct trends_item *const *)a;
	const struct trends_item *y = *(const struct trends_item *const *)b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static void explain(const struct trends *t, struct trends_item *it);

static void item_codes(struct trends *t, struct trends_item *it, size_t i)
{
	it->index = (uint32_t)i;
	if (i < t->base[LS_TABLE_THEME_AGE]) {
		it->level = TRENDS_LEVEL_THEME;
		it->theme = i;
	} else if (i < t->base[LS_TABLE_THEME_TARGET]) {
		size_t r = i - t->base[LS_TABLE_THEME_AGE];
		size_t n = t->n_codes[LS_TABLE_THEME_AGE];
		it->level = TRENDS_LEVEL_AGE;
		it->theme = r / n;
		it->other = r % n;
	} else {
		size_t r = i - t->base[LS_TABLE_THEME_TARGET];
		size_t n = t->n_codes[LS_TABLE_THEME_TARGET];
		it->level = TRENDS_LEVEL_TARGET;
		it->theme = r / n;
		it->other = r % n;
	}
	it->theme_code = t->codes[LS_TABLE_THEME][it->theme];
	it->theme_label = t->labels[LS_TABLE_THEME][it->theme];
	if (it->level == TRENDS_LEVEL_THEME) {
		it->other_code = "";
		it->other_label = "";
	} else {
		int table = item_table[it->level];
		it->other_code = t->codes[table][it->other];
		it->other_label = t->labels[table][it->other];
	}
}

int trends_finish(struct trends *t, struct ls_errinfo *e)
{
	struct series s;
	double max_scale[TRENDS_LEVEL_COUNT_] = {0};
	uint64_t wsum = 0;
	int rc = LS_OK;

	if (t->finished)
		return ls_errf(e, LS_ESTATE, "de trends zijn al berekend");
	memset(&s, 0, sizeof s);
	s.n = t->n_slots - t->growth_first;
	t->items = ls_calloc(t->n_items, sizeof *t->items);
	s.complete = ls_calloc(s.n, sizeof *s.complete);
	s.rest = ls_calloc(s.n, sizeof *s.rest);
	s.lo = ls_calloc(s.n * 4, sizeof *s.lo);
	if (t->items == NULL || s.complete == NULL || s.rest == NULL ||
	    s.lo == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	s.hi = s.lo + s.n;
	s.var = s.hi + s.n;
	s.mid = s.var + s.n;
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		t->ranked[l] = ls_calloc(t->n_items, sizeof *t->ranked[l]);
		if (t->ranked[l] == NULL) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto out;
		}
	}
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct origin *o = t->origins[oi];
		o->direction = ls_calloc(t->n_items, 1);
		o->reported = ls_calloc(t->n_items, 1);
		if (o->direction == NULL || o->reported == NULL) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto out;
		}
		o->complete = 1;
		for (size_t slot = t->growth_first; slot < t->n_slots; slot++)
			o->complete &= o->has[slot];
	}
	if (t->n_sources > 1)
		qsort(t->sources, t->n_sources, sizeof *t->sources, cmp_source);
	if (t->n_params > 1)
		qsort(t->params, t->n_params, sizeof *t->params, cmp_params);
	digest_sources(t);

	for (size_t i = 0; i < t->n_items; i++) {
		struct trends_item *it = &t->items[i];
		item_codes(t, it, i);
		item_spread(t, it);
		item_growth(t, it, &s);
		item_scale_recurrence(t, it);
		it->youth_share = youth_share(t, it);
		if (it->level == TRENDS_LEVEL_THEME) {
			theme_breadth(t, it);
		} else {
			const struct trends_item *th = &t->items[it->theme];
			it->breadth_of_theme = 1;
			it->n_sectors = th->n_sectors;
			it->sectors_lo = th->sectors_lo;
			it->sectors_hi = th->sectors_hi;
			it->organisations_lo = th->organisations_lo;
		}
		{
			double p = log1p(trends_value_mid(&it->persons));
			if (p > max_scale[it->level])
				max_scale[it->level] = p;
		}
	}
	for (int c = 0; c < TRENDS_C_COUNT_; c++)
		wsum += t->opt.weight[c];
	for (size_t i = 0; i < t->n_items; i++) {
		struct trends_item *it = &t->items[i];
		double *c = it->component, sum = 0;
		c[TRENDS_C_SPREAD] =
		    it->n_origins ? (double)it->n_report_lo / it->n_origins : 0;
		c[TRENDS_C_RISING] =
		    it->n_complete ? (double)it->n_rising / it->n_complete : 0;
		c[TRENDS_C_GROWTH] =
		    it->has_growth ? clamp01(it->robust_growth_lo * 100.0 /
		                             t->opt.growth_full_pct)
		                   : 0;
		c[TRENDS_C_RECURRENCE] =
		    it->n_periods ? (double)it->run / it->n_periods : 0;
		c[TRENDS_C_BREADTH] =
		    it->n_sectors ? (double)it->sectors_lo / it->n_sectors : 0;
		c[TRENDS_C_SCALE] =
		    max_scale[it->level] > 0
		        ? clamp01(log1p(trends_value_mid(&it->persons)) /
		                  max_scale[it->level])
		        : 0;
		c[TRENDS_C_YOUTH] = clamp01(it->youth_share);
		for (int k = 0; k < TRENDS_C_COUNT_; k++)
			sum += t->opt.weight[k] * c[k];
		/* Rounded to 0.01 so that scores compare equal across
		 * machines and orders of summation. */
		it->score = round(sum * 100.0 / (double)wsum * 100.0) / 100.0;
		t->ranked[it->level][t->n_ranked[it->level]++] = it;
	}
	for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
		qsort(t->ranked[l], t->n_ranked[l], sizeof *t->ranked[l],
		      cmp_ranked);
		for (size_t r = 0; r < t->n_ranked[l]; r++)
			((struct trends_item *)t->ranked[l][r])->rank =
			    (uint32_t)r + 1;
	}
	for (size_t i = 0; i < t->n_items; i++)
		explain(t, &t->items[i]);
	t->finished = 1;
out:
	ls_free(s.complete);
	ls_free(s.rest);
	ls_free(s.lo);
	if (rc != LS_OK) {
		/* Leave the aggregation as it was before the call. */
		ls_free(t->items);
		t->items = NULL;
		for (int l = 0; l < TRENDS_LEVEL_COUNT_; l++) {
			ls_free(t->ranked[l]);
			t->ranked[l] = NULL;
			t->n_ranked[l] = 0;
		}
		for (size_t oi = 0; oi < t->n_origins; oi++) {
			ls_free(t->origins[oi]->direction);
			ls_free(t->origins[oi]->reported);
			t->origins[oi]->direction = NULL;
			t->origins[oi]->reported = NULL;
		}
	}
	return rc;
}

/* ---- explanation ------------------------------------------------------ */

void trends_format_count(int64_t v, char *out, size_t size)
{
	char digits[32], tmp[48];
	size_t n, at = 0;
	int neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
	n = strlen(digits);
	if (neg)
		tmp[at++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			tmp[at++] = '.';
		tmp[at++] = digits[i];
	}
	tmp[at] = '\0';
	snprintf(out, size, "%s", tmp);
}

void trends_format_value(const struct trends_value *v, char *out, size_t size)
{
	char a[32], b[32], m[32];
	int64_t lo, hi;
	trends_value_interval(v, &lo, &hi);
	trends_format_count(lo, a, sizeof a);
	trends_format_count(hi, b, sizeof b);
	if (v->n_noisy > 0) {
		trends_format_count((int64_t)llround(trends_value_mid(v)), m,
		                    sizeof m);
		snprintf(out, size, "\xe2\x89\x88%s (%s\xe2\x80\x93%s)", m, a,
		         b);
	} else if (lo == hi) {
		snprintf(out, size, "%s", a);
	} else {
		snprintf(out, size, "%s\xe2\x80\x93%s", a, b);
	}
}

const char *trends_period_word(int32_t months, uint64_t n)
{
	switch (months) {
	case 1:
		return n == 1 ? "maand" : "maanden";
	case 3:
		return n == 1 ? "kwartaal" : "kwartalen";
	case 12:
		return "jaar";
	default:
		return n == 1 ? "periode" : "periodes";
	}
}

/* Append to the explanation; the first letter of the whole is made upper
 * case at the end. */
static void add(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char *out, size_t size, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;
	if (used >= size - 1)
		return;
	if (used > 0)
		used += (size_t)snprintf(out + used, size - used, ", ");
	if (used >= size - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, size - used, fmt, ap);
	va_end(ap);
}

static void explain(const struct trends *t, struct trends_item *it)
{
	char *out = it->explanation, a[48], b[48];
	size_t size = sizeof it->explanation;
	int32_t months = t->opt.first.months;
	size_t n = t->n_slots - t->growth_first;

	out[0] = '\0';
	if (it->n_origins == 0) {
		add(out, size, "geen samenvattingen in deze periode");
		return;
	}
	if (it->n_report_lo == it->n_report_hi)
		add(out, size, "gemeld in %u van de %u gemeenten",
		    it->n_report_lo, it->n_origins);
	else
		add(out, size,
		    "gemeld in minstens %u en hoogstens %u van de %u "
		    "gemeenten",
		    it->n_report_lo, it->n_report_hi, it->n_origins);
	if (!it->has_growth) {
		add(out, size, "te weinig volledige reeksen voor een trend");
	} else if (it->slope.direction > 0) {
		double pct = it->growth_mid * 100.0;
		if (it->rising_since > 0)
			add(out, size,
			    "stijgend sinds %u %s (%+.0f%% over %zu "
			    "%s)",
			    it->rising_since,
			    trends_period_word(months, it->rising_since), pct,
			    n, trends_period_word(months, n));
		else
			add(out, size, "stijgend (%+.0f%% over %zu %s)", pct, n,
			    trends_period_word(months, n));
		if (it->n_rising > 0)
			add(out, size, "stijgt in %u %s", it->n_rising,
			    it->n_rising == 1 ? "gemeente" : "gemeenten");
		/* most of the rise comes from one municipality */
		if (trends_item_local_rise(it)) {
			const char *id = t->origins[it->robust_origin]->id;
			const char *name = t->names != NULL
			                       ? t->names(t->names_ctx, id)
			                       : NULL;
			add(out, size,
			    "maar de stijging komt vooral uit één gemeente "
			    "(%s)",
			    name != NULL ? name : id);
		}
	} else if (it->slope.direction < 0) {
		add(out, size, "dalend (%+.0f%% over %zu %s)",
		    it->growth_mid * 100.0, n, trends_period_word(months, n));
	} else if (fabs(it->growth_mid) >= 0.05) {
		/* the central line moves, but not certainly: say both, so
		 * the text agrees with a chart that visibly moves */
		add(out, size,
		    "geen zekere stijging of daling (%+.0f%% over %zu %s, "
		    "binnen de onzekerheid)",
		    it->growth_mid * 100.0, n, trends_period_word(months, n));
	} else {
		add(out, size, "geen duidelijke stijging of daling");
	}
	if (it->run >= 2)
		add(out, size, "%u %s op rij gemeld", it->run,
		    trends_period_word(months, it->run));
	if (it->sectors_lo > 0 || it->sectors_hi > 0) {
		const char *who =
		    it->breadth_of_theme ? "het thema door " : "door ";
		if (it->sectors_lo == it->sectors_hi)
			add(out, size, "%s%u %s", who, it->sectors_lo,
			    it->sectors_lo == 1 ? "sector" : "sectoren");
		else
			add(out, size, "%s%u tot %u sectoren", who,
			    it->sectors_lo, it->sectors_hi);
	}
	trends_format_value(&it->signals, a, sizeof a);
	trends_format_value(&it->persons, b, sizeof b);
	add(out, size, "%s signalen over %s personen", a, b);
	if (it->level == TRENDS_LEVEL_THEME && it->youth_share >= 0.05)
		add(out, size,
		    "%.0f%% jongeren (12\xe2\x80\x93"
		    "24)",
		    it->youth_share * 100.0);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

/* ---- accessors -------------------------------------------------------- */

int trends_item_local_rise(const struct trends_item *it)
{
	return it->has_growth && it->slope.direction > 0 &&
	       it->robust_origin >= 0 &&
	       it->robust_growth_lo < 0.25 * it->level_growth_mid;
}

size_t trends_n_items(const struct trends *t)
{
	return t->finished ? t->n_items : 0;
}

const struct trends_item *trends_item_at(const struct trends *t, size_t i)
{
	return t->finished && i < t->n_items ? &t->items[i] : NULL;
}

const struct trends_item *trends_item_find(const struct trends *t, int level,
                                           const char *theme, const char *other)
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

const struct trends_item *const *trends_ranked(const struct trends *t,
                                               int level, size_t *n)
{
	if (!t->finished || level < 0 || level >= TRENDS_LEVEL_COUNT_) {
		*n = 0;
		return NULL;
	}
	*n = t->n_ranked[level];
	return t->ranked[level];
}

size_t trends_select(const struct trends *t, const struct trends_select *sel,
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

size_t trends_n_periods(const struct trends *t)
{
	return t->n_slots;
}

void trends_period_at(const struct trends *t, size_t slot,
                      struct ls_period *out)
{
	if (ls_period_add(&t->opt.first, (int32_t)slot, out) != LS_OK)
		*out = t->opt.first;
}

size_t trends_growth_first(const struct trends *t)
{
	return t->growth_first;
}

const struct trends_options *trends_options_get(const struct trends *t)
{
	return &t->opt;
}

size_t trends_n_origins(const struct trends *t)
{
	return t->n_origins;
}

const char *trends_origin_id(const struct trends *t, size_t i)
{
	return i < t->n_origins ? t->origins[i]->id : NULL;
}

int trends_origin_has(const struct trends *t, size_t i, size_t slot)
{
	return i < t->n_origins && slot < t->n_slots &&
	       t->origins[i]->has[slot];
}

int trends_origin_complete(const struct trends *t, size_t i)
{
	return t->finished && i < t->n_origins && t->origins[i]->complete;
}

uint32_t trends_coverage(const struct trends *t, size_t slot)
{
	return slot < t->n_slots ? t->coverage[slot] : 0;
}

size_t trends_n_codes(const struct trends *t, int table)
{
	return table >= 0 && table < LS_TABLE_COUNT_ ? t->n_codes[table] : 0;
}

const char *trends_code(const struct trends *t, int table, size_t i)
{
	return i < trends_n_codes(t, table) ? t->codes[table][i] : NULL;
}

const char *trends_label(const struct trends *t, int table, size_t i)
{
	return i < trends_n_codes(t, table) ? t->labels[table][i] : NULL;
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

int trends_cell(const struct trends *t, int table, size_t theme, size_t other,
                int measure, size_t slot, struct trends_value *out)
{
	if (!cell_index_ok(t, table, theme, other, measure) ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	*out = *cube_at(t, slot, row_key(t, table, theme, other), measure);
	return LS_OK;
}

int trends_cell_total(const struct trends *t, int table, size_t theme,
                      size_t other, int measure, struct trends_value *out)
{
	size_t key;
	if (!cell_index_ok(t, table, theme, other, measure))
		return LS_EINVAL;
	key = row_key(t, table, theme, other);
	memset(out, 0, sizeof *out);
	for (size_t slot = 0; slot < t->n_slots; slot++)
		trends_value_add(out, cube_at(t, slot, key, measure));
	return LS_OK;
}

int trends_recurrence(const struct trends *t, size_t theme, int measure,
                      size_t slot, struct trends_value *out)
{
	if (theme >= t->n_codes[LS_TABLE_THEME] || slot >= t->n_slots ||
	    (measure != 0 && measure != 1))
		return LS_EINVAL;
	*out = t->rec[(slot * t->n_codes[LS_TABLE_THEME] + theme) * 2 +
	              (size_t)measure];
	return LS_OK;
}

int trends_item_series(const struct trends *t, const struct trends_item *it,
                       int complete, size_t slot, struct trends_value *out)
{
	if (!t->finished || it == NULL || it->index >= t->n_items ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	if (!complete) {
		*out = *cube_at(t, slot, item_key(t, it), 0);
		return LS_OK;
	}
	memset(out, 0, sizeof *out);
	for (size_t oi = 0; oi < t->n_origins; oi++) {
		struct trends_value v;
		if (!t->origins[oi]->complete)
			continue;
		ocell_value(t, t->origins[oi], it->index, slot, &v);
		trends_value_add(out, &v);
	}
	return LS_OK;
}

int trends_origin_item(const struct trends *t, size_t origin,
                       const struct trends_item *it,
                       struct trends_origin_item *out)
{
	const struct origin *o;
	if (!t->finished || origin >= t->n_origins || it == NULL ||
	    it->index >= t->n_items)
		return LS_EINVAL;
	o = t->origins[origin];
	memset(out, 0, sizeof *out);
	for (size_t slot = 0; slot < t->n_slots; slot++) {
		struct trends_value v;
		ocell_value(t, o, it->index, slot, &v);
		trends_value_add(&out->total, &v);
	}
	out->reported = o->reported[it->index];
	out->direction = o->direction[it->index];
	return LS_OK;
}

int trends_origin_series(const struct trends *t, size_t origin,
                         const struct trends_item *it, size_t slot,
                         struct trends_value *out)
{
	if (origin >= t->n_origins || it == NULL || it->index >= t->n_items ||
	    slot >= t->n_slots)
		return LS_EINVAL;
	ocell_value(t, t->origins[origin], it->index, slot, out);
	return LS_OK;
}

size_t trends_n_sources(const struct trends *t)
{
	return t->n_sources;
}

const struct trends_docref *trends_source_at(const struct trends *t, size_t i)
{
	return i < t->n_sources ? &t->sources[i] : NULL;
}

void trends_sources_digest(const struct trends *t, uint8_t out[LS_HASH_BYTES])
{
	memcpy(out, t->digest, LS_HASH_BYTES);
}

size_t trends_n_params(const struct trends *t)
{
	return t->n_params;
}

const struct ls_disclosure_params *trends_params_at(const struct trends *t,
                                                    size_t i, size_t *count)
{
	if (i >= t->n_params)
		return NULL;
	if (count != NULL)
		*count = t->params[i].count;
	return &t->params[i].p;
}

size_t trends_n_ignored(const struct trends *t)
{
	return t->n_ignored;
}
