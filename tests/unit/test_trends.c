/* core/trends: range arithmetic, slopes on interval data, aggregation
 * across municipalities, spread/recurrence/growth/score, refusal of bad
 * input without change, order independence, allocation failures, and
 * core/structural. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "common/alloc.h"
#include "core/dossier.h"
#include "core/period.h"
#include "core/structural.h"
#include "core/trends.h"
#include "tests/unit/fixture.h"
#include "tests/unit/trends_util.h"

static struct ls_taxonomy tax;

static int group_setup(void **state)
{
	(void)state;
	fixture_taxonomy(&tax);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ls_taxonomy_fini(&tax);
	return 0;
}

static void options(struct trends_options *o, int y0, int m0, int y1, int m1)
{
	struct ls_period last = {y1, m1, 1};
	ls_trends_options_default(o, &last);
	o->first.year = y0;
	o->first.month = m0;
	o->first.months = 1;
}

/* ---- values ---------------------------------------------------------- */

static void test_value_ranges_add_up(void **state)
{
	struct trends_value v;
	struct ls_cell c;
	int64_t lo, hi;
	(void)state;
	memset(&v, 0, sizeof v);
	c = tu_exact(12);
	assert_int_equal(ls_trends_value_add_cell(&v, &c, 0), LS_OK);
	c = tu_range(1, 4);
	assert_int_equal(ls_trends_value_add_cell(&v, &c, 0), LS_OK);
	c = tu_range(0, 4);
	assert_int_equal(ls_trends_value_add_cell(&v, &c, 0), LS_OK);
	ls_trends_value_interval(&v, &lo, &hi);
	/* exact + [1,4] + [0,4]: never a zero or a guess */
	assert_int_equal(lo, 13);
	assert_int_equal(hi, 20);
	assert_false(ls_trends_value_is_exact(&v));
	assert_true(ls_trends_value_mid(&v) == 16.5);
	assert_int_equal(v.n_exact, 1);
	assert_int_equal(v.n_range, 2);

	/* exact cells alone stay exact */
	memset(&v, 0, sizeof v);
	c = tu_exact(7);
	ls_trends_value_add_cell(&v, &c, 0);
	ls_trends_value_add_cell(&v, &c, 0);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 14);
	assert_int_equal(hi, 14);
	assert_true(ls_trends_value_is_exact(&v));
}

static void test_value_noisy_interval(void **state)
{
	struct trends_value v, w;
	struct ls_cell c;
	int64_t lo, hi;
	double sd;
	(void)state;
	memset(&v, 0, sizeof v);
	c = tu_noisy(100, 28);
	assert_int_equal(ls_trends_value_add_cell(&v, &c, 289.0), LS_OK);
	c = tu_noisy(50, 28);
	assert_int_equal(ls_trends_value_add_cell(&v, &c, 289.0), LS_OK);
	/* variances add (not half-widths): sd = sqrt(578) */
	assert_true(fabs(ls_trends_value_var(&v) - 578.0) < 0.01);
	sd = sqrt(578.0);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, (int64_t)floor(150 - TRENDS_Z90 * sd));
	assert_int_equal(hi, (int64_t)ceil(150 + TRENDS_Z90 * sd));
	/* a withheld cell adds [0, hi] */
	w = v;
	c = tu_withheld(32);
	assert_int_equal(ls_trends_value_add_cell(&w, &c, 0), LS_OK);
	ls_trends_value_interval(&w, &lo, &hi);
	assert_int_equal(hi, (int64_t)ceil(150 + TRENDS_Z90 * sd) + 32);
	/* exact + range + noisy: certain part plus the noisy interval */
	c = tu_range(1, 4);
	ls_trends_value_add_cell(&w, &c, 0);
	ls_trends_value_interval(&w, &lo, &hi);
	assert_int_equal(lo, 1 + (int64_t)floor(150 - TRENDS_Z90 * sd));
	/* a noisy sum near zero never goes below the certain part */
	memset(&v, 0, sizeof v);
	c = tu_noisy(5, 111);
	ls_trends_value_add_cell(&v, &c, 4608.0);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 0);
	/* sub undoes add exactly */
	w = v;
	c = tu_noisy(40, 111);
	memset(&v, 0, sizeof v);
	ls_trends_value_add_cell(&v, &c, 4608.0);
	ls_trends_value_add(&w, &v);
	ls_trends_value_sub(&w, &v);
	memset(&v, 0, sizeof v);
	c = tu_noisy(5, 111);
	ls_trends_value_add_cell(&v, &c, 4608.0);
	assert_memory_equal(&v, &w, sizeof v);
}

static void test_value_bad_cells(void **state)
{
	struct trends_value v, before;
	struct ls_cell bad[] = {
	    {9, 0, 0, 0},                               /* unknown kind */
	    {LS_CELL_EXACT, -1, -1, -1},                /* negative */
	    {LS_CELL_RANGE, 0, 5, 2},                   /* inverted */
	    {LS_CELL_RANGE, 0, -1, 2},                  /* negative bound */
	    {LS_CELL_NOISY, TRENDS_CELL_MAX + 1, 0, 0}, /* too large */
	    {LS_CELL_WITHHELD, 0, 0, TRENDS_CELL_MAX + 1},
	};
	(void)state;
	memset(&v, 0, sizeof v);
	before = v;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ls_trends_value_add_cell(&v, &bad[i], 1.0),
		                 LS_EINVAL);
		assert_memory_equal(&v, &before, sizeof v);
	}
}

/* ---- slopes ---------------------------------------------------------- */

static void test_slope_exact_line(void **state)
{
	double y[12];
	struct ls_trends_slope s;
	(void)state;
	for (int i = 0; i < 12; i++)
		y[i] = 10 + 2.0 * i;
	assert_int_equal(ls_trends_slope(y, y, NULL, 12, &s), LS_OK);
	assert_true(fabs(s.mid - 2.0) < 1e-9);
	assert_true(fabs(s.box_lo - 2.0) < 1e-9);
	assert_true(fabs(s.se) < 1e-9);
	assert_int_equal(s.direction, 1);
	assert_true(fabs(s.level - 21.0) < 1e-9);
	/* too short */
	assert_int_equal(ls_trends_slope(y, y, NULL, 2, &s), LS_EINVAL);
}

static void test_slope_interval_bounds(void **state)
{
	double lo[6], hi[6], v[6];
	struct ls_trends_slope s, t;
	(void)state;
	/* constant suppressed cells [1, 4]: no direction can be claimed,
	 * and the bounds are the extreme series in the box */
	for (int i = 0; i < 6; i++) {
		lo[i] = 1;
		hi[i] = 4;
	}
	assert_int_equal(ls_trends_slope(lo, hi, NULL, 6, &s), LS_OK);
	assert_int_equal(s.direction, 0);
	/* brute force: every corner of the box */
	{
		double mn = INFINITY, mx = -INFINITY;
		for (unsigned mask = 0; mask < 64; mask++) {
			for (int i = 0; i < 6; i++)
				v[i] = mask & (1u << i) ? hi[i] : lo[i];
			assert_int_equal(ls_trends_slope(v, v, NULL, 6, &t),
			                 LS_OK);
			if (t.mid < mn)
				mn = t.mid;
			if (t.mid > mx)
				mx = t.mid;
		}
		assert_true(fabs(s.box_lo - mn) < 1e-9);
		assert_true(fabs(s.box_hi - mx) < 1e-9);
	}
	/* a clear rise through ranges is still a rise */
	for (int i = 0; i < 6; i++) {
		lo[i] = 10 * i;
		hi[i] = 10 * i + 4;
	}
	assert_int_equal(ls_trends_slope(lo, hi, NULL, 6, &s), LS_OK);
	assert_int_equal(s.direction, 1);
	assert_true(s.box_lo < 10 && s.box_hi > 10);
}

static void test_slope_noise_floor(void **state)
{
	double y[5] = {10, 11, 12, 13, 14}, var[5] = {100, 100, 100, 100, 100};
	struct ls_trends_slope s;
	(void)state;
	/* with no scatter the residual error is 0 and the rise is certain;
	 * the noise put in on purpose still bounds what can be claimed:
	 * se = sqrt(sum w_i^2 var_i) = sqrt(100 / 10) */
	assert_int_equal(ls_trends_slope(y, y, NULL, 5, &s), LS_OK);
	assert_int_equal(s.direction, 1);
	assert_int_equal(ls_trends_slope(y, y, var, 5, &s), LS_OK);
	assert_true(fabs(s.se - sqrt(10.0)) < 1e-9);
	assert_int_equal(s.direction, 0);
	assert_true(fabs(s.mid - 1.0) < 1e-9);
}

static void test_rising_since(void **state)
{
	double y[12];
	(void)state;
	for (int i = 0; i < 12; i++)
		y[i] = i < 7 ? 20 : 20 + 6.0 * (i - 6);
	assert_int_equal(ls_trends_rising_since(y, 12), 5);
	for (int i = 0; i < 12; i++)
		y[i] = 20 + 3.0 * i;
	assert_int_equal(ls_trends_rising_since(y, 12), 11);
	for (int i = 0; i < 12; i++)
		y[i] = 40 - 2.0 * i;
	assert_int_equal(ls_trends_rising_since(y, 12), 0);
}

/* ---- options ---------------------------------------------------------- */

static void test_options_check(void **state)
{
	struct trends_options o;
	struct ls_errinfo e;
	struct trends *t;
	(void)state;
	options(&o, 2025, 1, 2025, 12);
	assert_int_equal(ls_trends_options_check(&o, &e), LS_OK);
	o.first.year = 2026;
	assert_int_equal(ls_trends_options_check(&o, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "ligt na"));
	options(&o, 2025, 1, 2025, 12);
	memset(o.weight, 0, sizeof o.weight);
	assert_int_equal(ls_trends_options_check(&o, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "gewichten"));
	options(&o, 2025, 1, 2025, 12);
	o.last.months = 3;
	assert_int_equal(ls_trends_options_check(&o, &e), LS_EINVAL);
	options(&o, 2000, 1, 2025, 12);
	assert_int_equal(ls_trends_options_check(&o, &e), LS_EINVAL);
	options(&o, 2025, 1, 2025, 12);
	o.growth_periods = 2;
	assert_int_equal(ls_trends_new(&tax, &o, &t, &e), LS_EINVAL);
	assert_null(t);
}

/* ---- aggregation ----------------------------------------------------- */

static struct trends *new_trends(int y0, int m0, int y1, int m1)
{
	struct trends_options o;
	struct trends *t;
	struct ls_errinfo e;
	options(&o, y0, m0, y1, m1);
	if (ls_trends_new(&tax, &o, &t, &e) != LS_OK)
		tu_die(e.msg);
	return t;
}

static void add_ok(struct trends *t, struct ls_summary *s, uint64_t seq)
{
	struct trends_docref r = tu_ref(s->origin, seq);
	struct ls_errinfo e;
	enum trends_added added;
	tu_finish(s);
	if (ls_trends_add(t, s, &r, &added, &e) != LS_OK)
		tu_die(e.msg);
	assert_int_equal(added, TRENDS_ADDED);
}

static void test_sum_across_municipalities(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 3);
	struct ls_summary s;
	struct trends_value v;
	const struct trends_item *it;
	int64_t lo, hi;
	size_t th, age;
	(void)state;
	/* kortrijk: wonen 12 (exact); gent: wonen 3 -> [1,4]; mortsel:
	 * no wonen row at all (an exact 0) but energie 2 */
	tu_summary(&s, "kortrijk", 2025, 2, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 12, "18-24", "ocmw");
	add_ok(t, &s, 1);
	ls_summary_fini(&s);
	tu_summary(&s, "gent", 2025, 2, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 3, "18-24", "caw");
	add_ok(t, &s, 4);
	ls_summary_fini(&s);
	tu_summary(&s, "mortsel", 2025, 2, LS_MODE_THRESHOLD);
	tu_theme(&s, "energie", 2, "65plus", "ocmw");
	add_ok(t, &s, 2);
	ls_summary_fini(&s);
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);

	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_non_null(it);
	th = it->theme;
	assert_int_equal(ls_trends_cell(t, LS_TABLE_THEME, th, 0, 0, 1, &v),
	                 LS_OK);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 13);
	assert_int_equal(hi, 16);
	/* no summary in January: nothing, and coverage says so */
	assert_int_equal(ls_trends_coverage(t, 0), 0);
	assert_int_equal(ls_trends_coverage(t, 1), 3);
	/* spread: kortrijk and gent certainly, mortsel certainly not */
	assert_int_equal(it->n_origins, 3);
	assert_int_equal(it->n_report_lo, 2);
	assert_int_equal(it->n_report_hi, 2);
	/* the age breakdown sums the same way */
	it = ls_trends_item_find(t, TRENDS_LEVEL_AGE, "wonen", "18-24");
	assert_non_null(it);
	age = it->other;
	assert_int_equal(
	    ls_trends_cell(t, LS_TABLE_THEME_AGE, th, age, 0, 1, &v), LS_OK);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 13);
	assert_int_equal(hi, 16);
	assert_true(it->youth_share == 1.0);
	/* sectors: ocmw certainly (12), caw certainly ([1,4]) */
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_int_equal(it->sectors_lo, 2);
	/* recurrence run: only February (March has no data) */
	assert_int_equal(it->run, 0);
	assert_int_equal(it->periods_reported, 1);
	/* the sources, sorted */
	assert_int_equal(ls_trends_n_sources(t), 3);
	assert_string_equal(ls_trends_source_at(t, 0)->origin, "gent");
	assert_string_equal(ls_trends_source_at(t, 2)->origin, "mortsel");
	/* index checks */
	assert_int_equal(ls_trends_cell(t, LS_TABLE_THEME, 999, 0, 0, 0, &v),
	                 LS_EINVAL);
	assert_int_equal(ls_trends_cell(t, LS_TABLE_THEME, th, 0, 0, 3, &v),
	                 LS_EINVAL);
	assert_null(ls_trends_item_find(t, TRENDS_LEVEL_AGE, "wonen", "99"));
	ls_trends_free(t);
}

static void test_possible_reporting(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 1);
	struct ls_summary s;
	const struct trends_item *it;
	(void)state;
	/* a row released as 0..4 (a hidden zero or a small count) makes a
	 * municipality a "possible", never a certain reporter */
	tu_summary(&s, "eeklo", 2025, 1, LS_MODE_THRESHOLD);
	tu_row(&s, LS_TABLE_THEME, "werk", "", tu_range(0, 4), tu_range(0, 40));
	tu_finish(&s);
	add_ok(t, &s, 1);
	ls_summary_fini(&s);
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "werk", NULL);
	assert_int_equal(it->n_report_lo, 0);
	assert_int_equal(it->n_report_hi, 1);
	assert_non_null(
	    strstr(it->explanation, "minstens 0 en hoogstens 1 van de 1"));
	assert_int_equal(it->has_growth, 0);
	ls_trends_free(t);
}

/* ---- refusing bad input ---------------------------------------------- */

static void test_refuses_and_changes_nothing(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 6), *u;
	struct ls_summary s;
	struct trends_docref r;
	struct ls_errinfo e;
	enum trends_added added;
	const char *diff;
	(void)state;
	u = new_trends(2025, 1, 2025, 6);
	tu_summary(&s, "kortrijk", 2025, 2, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 12, "18-24", "ocmw");
	add_ok(t, &s, 1);
	add_ok(u, &s, 1);
	ls_summary_fini(&s);

	/* the same (origin, period) again */
	tu_summary(&s, "kortrijk", 2025, 2, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 13, "18-24", "ocmw");
	tu_finish(&s);
	r = tu_ref("kortrijk", 2);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EEXISTS);
	ls_summary_fini(&s);

	/* an unknown code, late in the summary (after good rows) */
	tu_summary(&s, "gent", 2025, 3, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 20, "18-24", "ocmw");
	tu_row(&s, LS_TABLE_THEME_SECTOR, "wonen", "ruimtevaart", tu_exact(5),
	       tu_exact(5));
	tu_finish(&s);
	r = tu_ref("gent", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "ruimtevaart"));
	ls_summary_fini(&s);

	/* rows out of order */
	tu_summary(&s, "gent", 2025, 3, LS_MODE_THRESHOLD);
	tu_theme(&s, "wonen", 20, "18-24", "ocmw");
	tu_theme(&s, "energie", 20, "18-24", "ocmw");
	r = tu_ref("gent", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "gesorteerd"));
	ls_summary_fini(&s);

	/* a noisy cell in a threshold summary */
	tu_summary(&s, "gent", 2025, 3, LS_MODE_THRESHOLD);
	tu_row(&s, LS_TABLE_THEME, "wonen", "", tu_noisy(30, 28),
	       tu_noisy(30, 28));
	r = tu_ref("gent", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EINVAL);
	ls_summary_fini(&s);

	/* origin of the document differs from the summary's */
	tu_summary(&s, "gent", 2025, 3, LS_MODE_THRESHOLD);
	r = tu_ref("eeklo", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EINVAL);
	ls_summary_fini(&s);

	/* a theme row with a second code */
	tu_summary(&s, "gent", 2025, 3, LS_MODE_THRESHOLD);
	tu_row(&s, LS_TABLE_THEME, "wonen", "x", tu_exact(5), tu_exact(5));
	r = tu_ref("gent", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_EINVAL);
	ls_summary_fini(&s);

	/* outside the window and another period length: ignored, LS_OK */
	tu_summary(&s, "gent", 2024, 12, LS_MODE_THRESHOLD);
	r = tu_ref("gent", 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_OK);
	assert_int_equal(added, TRENDS_OUTSIDE);
	s.period.year = 2025;
	s.period.month = 1;
	s.period.months = 3;
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_OK);
	assert_int_equal(added, TRENDS_MISALIGNED);
	ls_summary_fini(&s);
	assert_int_equal(ls_trends_n_ignored(t), 2);

	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	assert_int_equal(ls_trends_finish(u, NULL), LS_OK);
	diff = tu_trends_diff(t, u);
	if (diff != NULL)
		fail_msg("refused input changed the trends: %s", diff);
	assert_int_equal(ls_trends_n_origins(t), 1);
	assert_int_equal(ls_trends_add(t, &s, &r, &added, &e), LS_ESTATE);
	assert_int_equal(ls_trends_finish(t, &e), LS_ESTATE);
	ls_trends_free(t);
	ls_trends_free(u);
}

/* ---- a small planted federation -------------------------------------- */

/* Monthly signals: base level, plus `slope` per month from `from` on. */
static int64_t level_at(int64_t base, int64_t slope, int from, int month)
{
	return base + (month >= from ? slope * (month - from + 1) : 0);
}

struct plan {
	const char *theme;
	int64_t base[6];  /* per municipality */
	int64_t slope[6]; /* per municipality */
};

static const char *const towns[6] = {"berlaar", "bornem",   "eeklo",
                                     "gent",    "kortrijk", "mortsel"};

static void add_plan(struct trends *t, const struct plan *plans, size_t n,
                     const int *order, size_t n_order)
{
	/* order: a permutation of (town, month) pairs, 6 x 12 */
	for (size_t k = 0; k < n_order; k++) {
		int town = order[k] / 12, month = order[k] % 12 + 1;
		struct ls_summary s;
		tu_summary(&s, towns[town], 2025, month, LS_MODE_THRESHOLD);
		for (size_t p = 0; p < n; p++) {
			int64_t c = level_at(plans[p].base[town],
			                     plans[p].slope[town], 5, month);
			tu_theme(&s, plans[p].theme, c,
			         p == 0 ? "12-17" : "25-64",
			         p % 2 ? "ocmw" : "caw");
		}
		add_ok(t, &s, (uint64_t)month);
		ls_summary_fini(&s);
	}
}

static const struct plan plans[] = {
    /* planted: rises in four of six municipalities */
    {"mentaal", {6, 8, 5, 40, 20, 7}, {2, 0, 2, 6, 4, 0}},
    /* decoy: large but flat everywhere */
    {"wonen", {30, 30, 30, 200, 90, 30}, {0, 0, 0, 0, 0, 0}},
    /* decoy: rises fast, but in one municipality only */
    {"energie", {6, 6, 6, 60, 20, 6}, {0, 0, 0, 15, 0, 0}},
    /* quiet */
    {"werk", {5, 5, 5, 12, 8, 5}, {0, 0, 0, 0, 0, 0}},
};

static void test_planted_ranking(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 12);
	const struct trends_item *const *r;
	const struct trends_item *m, *en;
	int order[72];
	size_t n;
	(void)state;
	for (int i = 0; i < 72; i++)
		order[i] = i;
	add_plan(t, plans, 4, order, 72);
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	r = ls_trends_ranked(t, TRENDS_LEVEL_THEME, &n);
	assert_int_equal(n, ls_trends_n_codes(t, LS_TABLE_THEME));
	assert_string_equal(r[0]->theme_code, "mentaal");
	m = r[0];
	en = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "energie", NULL);
	/* the decoy rises at federation level, but not without gent */
	assert_int_equal(en->slope.direction, 1);
	assert_true(en->robust_growth_lo <= 0);
	assert_string_equal(ls_trends_origin_id(t, (size_t)en->robust_origin),
	                    "gent");
	assert_non_null(strstr(en->explanation, "komt vooral uit één gemeente "
	                                        "(gent)"));
	assert_true(m->score > en->score);
	assert_true(
	    m->score >
	    ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL)->score);
	assert_int_equal(m->n_rising, 4);
	assert_int_equal(m->n_report_lo, 6);
	assert_int_equal(m->rising_since, 8);
	assert_int_equal(m->run, 12);
	assert_non_null(strstr(m->explanation, "Gemeld in 6 van de 6 "
	                                       "gemeenten"));
	assert_non_null(strstr(m->explanation, "stijgend sinds 8 maanden"));
	assert_non_null(strstr(m->explanation, "stijgt in 4 gemeenten"));
	assert_non_null(strstr(m->explanation, "12 maanden op rij"));
	/* the youth view: mentaal for 12-17 */
	{
		const struct trends_item *y = ls_trends_item_find(
		    t, TRENDS_LEVEL_AGE, "mentaal", "12-17");
		assert_int_equal(y->rank, 1);
		assert_true(y->youth_share == 1.0);
		assert_true(m->youth_share > 0.99);
	}
	/* ranks are 1..n in score order */
	for (size_t i = 1; i < n; i++) {
		assert_true(r[i - 1]->score >= r[i]->score);
		assert_int_equal(r[i]->rank, i + 1);
	}
	ls_trends_free(t);
}

static void test_order_independent(void **state)
{
	struct trends *a = new_trends(2025, 1, 2025, 12);
	struct trends *b = new_trends(2025, 1, 2025, 12);
	int order[72];
	uint32_t x = 12345;
	const char *diff;
	(void)state;
	for (int i = 0; i < 72; i++)
		order[i] = i;
	add_plan(a, plans, 4, order, 72);
	for (int i = 71; i > 0; i--) {
		int j, tmp;
		x = x * 1103515245u + 12345u;
		j = (int)((x >> 8) % (uint32_t)(i + 1));
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	add_plan(b, plans, 4, order, 72);
	assert_int_equal(ls_trends_finish(a, NULL), LS_OK);
	assert_int_equal(ls_trends_finish(b, NULL), LS_OK);
	diff = tu_trends_diff(a, b);
	if (diff != NULL)
		fail_msg("order changed the result: %s", diff);
	ls_trends_free(a);
	ls_trends_free(b);
}

static void test_incomplete_municipality(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 12);
	const struct trends_item *m;
	int order[72];
	size_t n = 0;
	(void)state;
	/* mortsel's last two months are missing: it counts for spread, not
	 * for growth (no fake fall at the end) */
	for (int i = 0; i < 72; i++)
		if (!(i / 12 == 5 && i % 12 >= 10))
			order[n++] = i;
	add_plan(t, plans, 4, order, n);
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	m = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "mentaal", NULL);
	assert_int_equal(m->n_origins, 6);
	assert_int_equal(m->n_complete, 5);
	assert_false(ls_trends_origin_complete(t, 5));
	assert_int_equal(ls_trends_coverage(t, 11), 5);
	ls_trends_free(t);
}

/* A theme that falls steeply to nothing, and one that rises from
 * nothing: the growth a reader sees is the change of the fitted line
 * from its start, so a fall is never below -100% (the old measure,
 * relative to the mean level, said -240% here), and the explanation
 * says the same number. */
static void test_growth_bounds(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 12);
	const struct trends_item *f, *r;
	char pct[32];
	(void)state;
	for (int town = 0; town < 3; town++)
		for (int month = 1; month <= 12; month++) {
			struct ls_summary s;
			int64_t down = month <= 6 ? 130 - 26 * (month - 1) : 0;
			int64_t up = month <= 6 ? 0 : 26 * (month - 6);
			tu_summary(&s, towns[town], 2025, month,
			           LS_MODE_THRESHOLD);
			tu_theme(&s, "mentaal", down, "25-64", "caw");
			tu_theme(&s, "wonen", up, "25-64", "ocmw");
			add_ok(t, &s, (uint64_t)month);
			ls_summary_fini(&s);
		}
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	f = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "mentaal", NULL);
	r = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_true(f->has_growth && r->has_growth);
	assert_int_equal(f->slope.direction, -1);
	/* the old measure would be far below -100% */
	assert_true(f->slope.mid * 11 / f->slope.level < -2.0);
	assert_true(f->growth_lo >= -1.0 && f->growth_mid >= -1.0 &&
	            f->growth_hi >= -1.0);
	assert_true(f->growth_lo <= f->growth_mid &&
	            f->growth_mid <= f->growth_hi);
	assert_true(f->growth_mid <= -0.99);
	snprintf(pct, sizeof pct, "(%+.0f%% over 12 maanden)",
	         f->growth_mid * 100.0);
	assert_non_null(strstr(f->explanation, pct));
	/* a rise from nothing: large, finite, and rising */
	assert_int_equal(r->slope.direction, 1);
	assert_true(isfinite(r->growth_mid) && r->growth_mid > 1.0);
	assert_true(r->growth_lo <= r->growth_mid &&
	            r->growth_mid <= r->growth_hi);
	ls_trends_free(t);
}

static void test_noise_mode_growth(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 12);
	const struct trends_item *it;
	(void)state;
	/* three municipalities in noise mode: a strong rise is seen, a
	 * flat series is not called rising */
	for (int o = 0; o < 3; o++)
		for (int month = 1; month <= 12; month++) {
			struct ls_summary s;
			int64_t up = 300 + 60 * month, flat = 400;
			tu_summary(&s, towns[o], 2025, month, LS_MODE_NOISE);
			tu_row(&s, LS_TABLE_THEME, "mentaal", "",
			       tu_noisy(up, 28), tu_noisy(up, 553));
			tu_row(&s, LS_TABLE_THEME, "wonen", "",
			       tu_noisy(flat + (month % 3) * 5, 28),
			       tu_noisy(flat, 553));
			tu_row(&s, LS_TABLE_THEME, "werk", "", tu_withheld(32),
			       tu_withheld(557));
			add_ok(t, &s, (uint64_t)month);
			ls_summary_fini(&s);
		}
	assert_int_equal(ls_trends_finish(t, NULL), LS_OK);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "mentaal", NULL);
	assert_int_equal(it->slope.direction, 1);
	assert_int_equal(it->n_rising, 3);
	assert_true(it->slope.se > 0); /* the noise floor */
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_int_equal(it->slope.direction, 0);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "werk", NULL);
	assert_int_equal(it->n_report_lo, 0);
	assert_int_equal(it->n_report_hi, 3);
	assert_int_equal(ls_trends_n_params(t), 1);
	assert_int_equal(ls_trends_params_at(t, 0, NULL)->mode, LS_MODE_NOISE);
	ls_trends_free(t);
}

/* The run of test_alloc_failures: 72 summaries (six towns, twelve months),
 * each added with the nth allocation from now failing (0: none). A failed
 * add must have changed nothing: the same add then succeeds, as a new
 * summary (never LS_EEXISTS, never a half-added one). */
static struct trends *alloc_run(long nth, long *failures, long *allocs)
{
	struct trends_options o;
	struct trends *t = NULL;
	struct ls_errinfo e;
	int rc;

	options(&o, 2025, 1, 2025, 12);
	ls_alloc_fail_nth(nth);
	rc = ls_trends_new(&tax, &o, &t, &e);
	*allocs += ls_alloc_fail_nth(0);
	if (rc != LS_OK) {
		assert_int_equal(rc, LS_ENOMEM);
		assert_null(t);
		(*failures)++;
		assert_int_equal(ls_trends_new(&tax, &o, &t, &e), LS_OK);
	}
	for (int k = 0; k < 72; k++) {
		struct ls_summary s;
		struct trends_docref r;
		enum trends_added added;
		int town = k / 12, month = k % 12 + 1;
		tu_summary(&s, towns[town], 2025, month, LS_MODE_THRESHOLD);
		tu_theme(&s, "mentaal", 10 + month, "12-17", "caw");
		tu_finish(&s);
		r = tu_ref(towns[town], (uint64_t)month);
		ls_alloc_fail_nth(nth > 40 ? nth - 40 : nth);
		rc = ls_trends_add(t, &s, &r, &added, &e);
		*allocs += ls_alloc_fail_nth(0);
		if (rc != LS_OK) {
			assert_int_equal(rc, LS_ENOMEM);
			(*failures)++;
			assert_int_equal(ls_trends_add(t, &s, &r, &added, &e),
			                 LS_OK);
		}
		assert_int_equal(added, TRENDS_ADDED);
		ls_summary_fini(&s);
	}
	ls_alloc_fail_nth(nth > 0 ? nth % 5 + 1 : 0);
	rc = ls_trends_finish(t, &e);
	*allocs += ls_alloc_fail_nth(0);
	if (rc != LS_OK) {
		/* a failed finish can be retried */
		assert_int_equal(rc, LS_ENOMEM);
		(*failures)++;
		assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	}
	return t;
}

static void test_alloc_failures(void **state)
{
	struct trends *want;
	long total = 0, ignored = 0, failures = 0;
	(void)state;
	/* count the allocations of a whole run, then fail each (in steps of
	 * seven) in turn: every failure is reported and changes nothing,
	 * and the finished result equals the run without failures. */
	ls_alloc_fail_nth(0);
	want = alloc_run(0, &failures, &total);
	assert_int_equal(failures, 0);
	assert_true(total > 10);
	assert_true(ls_trends_n_items(want) > 0);
	for (long nth = 1; nth <= total; nth += 7) {
		struct trends *t = alloc_run(nth, &failures, &ignored);
		assert_int_equal(ls_trends_n_items(t), ls_trends_n_items(want));
		for (size_t i = 0; i < ls_trends_n_items(t); i++) {
			const struct trends_item *a = ls_trends_item_at(t, i);
			const struct trends_item *b = ls_trends_item_at(want, i);
			assert_true(a->score == b->score);
			assert_int_equal(a->rank, b->rank);
			assert_string_equal(a->explanation, b->explanation);
		}
		ls_trends_free(t);
	}
	assert_true(failures > total / 7 / 2);
	ls_trends_free(want);
}

/* ---- formatting -------------------------------------------------------- */

static void test_format(void **state)
{
	char buf[64];
	struct trends_value v;
	struct ls_cell c;
	(void)state;
	ls_trends_format_count(1234567, buf, sizeof buf);
	assert_string_equal(buf, "1.234.567");
	ls_trends_format_count(999, buf, sizeof buf);
	assert_string_equal(buf, "999");
	ls_trends_format_count(-1000, buf, sizeof buf);
	assert_string_equal(buf, "-1.000");
	memset(&v, 0, sizeof v);
	c = tu_exact(1230);
	ls_trends_value_add_cell(&v, &c, 0);
	ls_trends_format_value(&v, buf, sizeof buf);
	assert_string_equal(buf, "1.230");
	c = tu_range(1, 4);
	ls_trends_value_add_cell(&v, &c, 0);
	ls_trends_format_value(&v, buf, sizeof buf);
	assert_string_equal(buf, "1.231\xe2\x80\x93"
	                         "1.234");
	assert_string_equal(ls_trends_period_word(1, 1), "maand");
	assert_string_equal(ls_trends_period_word(1, 5), "maanden");
	assert_string_equal(ls_trends_period_word(3, 2), "kwartalen");
	assert_string_equal(ls_trends_component_name(TRENDS_C_GROWTH),
	                    "growth");
	assert_string_equal(ls_trends_component_name(99), "?");
	assert_string_equal(ls_trends_level_name_nl(TRENDS_LEVEL_AGE),
	                    "leeftijd");
}

/* ---- structural notes -------------------------------------------------- */

static struct structural_note note(const char *origin, uint64_t seq, uint8_t id,
                                   const char *theme, uint8_t phase,
                                   const char *headline)
{
	struct structural_note n;
	memset(&n, 0, sizeof n);
	snprintf(n.origin, sizeof n.origin, "%s", origin);
	n.seq = seq;
	n.dossier[0] = id;
	snprintf(n.theme, sizeof n.theme, "%s", theme);
	n.phase = phase;
	snprintf(n.headline, sizeof n.headline, "%s", headline);
	return n;
}

static void test_structural(void **state)
{
	struct structural *st;
	struct structural_note n;
	(void)state;
	assert_int_equal(ls_structural_new(&st), LS_OK);
	n = note("gent", 3, 1, "wonen", LS_PHASE_RAPPORTEREN,
	         "Woonbegeleiding");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	/* a later note on the same dossier replaces it, an older not */
	n = note("gent", 9, 1, "wonen", LS_PHASE_ACTIE,
	         "Extra woonbegeleiders");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	n = note("gent", 2, 1, "wonen", LS_PHASE_OPMERKEN, "Oud");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	n = note("eeklo", 4, 1, "wonen", LS_PHASE_BESLISSING, "Huurpremie");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	n = note("eeklo", 5, 2, "wonen", LS_PHASE_ANALYSEREN, "In analyse");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	n = note("eeklo", 6, 3, "energie", LS_PHASE_FEEDBACK, "Energiescan");
	assert_int_equal(ls_structural_add(st, &n), LS_OK);
	assert_int_equal(ls_structural_count(st), 4);
	/* sorted: energie; wonen recognised (later phase first), then the
	 * dossier still in analysis */
	assert_string_equal(ls_structural_at(st, 0)->theme, "energie");
	assert_string_equal(ls_structural_at(st, 1)->headline,
	                    "Extra woonbegeleiders");
	assert_int_equal(ls_structural_at(st, 1)->seq, 9);
	assert_string_equal(ls_structural_at(st, 2)->origin, "eeklo");
	assert_string_equal(ls_structural_at(st, 3)->headline, "In analyse");
	assert_int_equal(ls_structural_theme_origins(st, "wonen", 1), 2);
	assert_int_equal(ls_structural_theme_origins(st, "wonen", 0), 2);
	assert_int_equal(ls_structural_theme_origins(st, "werk", 0), 0);
	assert_true(ls_structural_recognised(LS_PHASE_RAPPORTEREN));
	assert_false(ls_structural_recognised(LS_PHASE_ANALYSEREN));
	/* bad notes */
	n = note("Gent!", 1, 7, "wonen", LS_PHASE_ACTIE, "x");
	assert_int_equal(ls_structural_add(st, &n), LS_EINVAL);
	n = note("gent", 1, 7, "wonen", 42, "x");
	assert_int_equal(ls_structural_add(st, &n), LS_EINVAL);
	assert_int_equal(ls_structural_count(st), 4);
	ls_structural_free(st);
}

/* A federation summary of "wonen" for a month: value v (signals, noisy),
 * persons withheld below 5, with mu 1/4 signals and 25 persons. */
static void fed_tables(struct ls_summary *s, int year, int month, int64_t v)
{
	tu_summary(s, "vvsg", year, month, LS_MODE_NOISE);
	tu_row(s, LS_TABLE_THEME, "wonen", "", tu_noisy(v, 1), tu_withheld(4));
	tu_row(s, LS_TABLE_THEME_AGE, "wonen", "18-24", tu_noisy(v, 1),
	       tu_withheld(4));
	tu_finish(s);
}

static struct trends_federation fed_of(const struct ls_summary *s,
                                       uint32_t n_included)
{
	struct trends_federation f;
	memset(&f, 0, sizeof f);
	f.period = s->period;
	f.n_included = n_included;
	f.noise.mu[0] = (struct secagg_rational){1, 4};
	f.noise.mu[1] = (struct secagg_rational){25, 1};
	f.tables = s->tables;
	return f;
}

static void test_federation_source(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 3), *u;
	struct ls_summary s, fs;
	struct trends_federation f;
	struct trends_docref r;
	struct trends_value v;
	struct ls_errinfo e;
	enum trends_added added;
	const struct trends_item *it;
	const char *diff;
	char text[128];
	int64_t lo, hi;
	(void)state;
	u = new_trends(2025, 1, 2025, 3);
	/* kortrijk 12 (exact) and gent 3 ([1, 4]) each month */
	for (int m = 1; m <= 3; m++) {
		tu_summary(&s, "kortrijk", 2025, m, LS_MODE_THRESHOLD);
		tu_theme(&s, "wonen", 12, "18-24", "ocmw");
		add_ok(t, &s, (uint64_t)m);
		add_ok(u, &s, (uint64_t)m);
		ls_summary_fini(&s);
		tu_summary(&s, "gent", 2025, m, LS_MODE_THRESHOLD);
		tu_theme(&s, "wonen", 3, "18-24", "ocmw");
		add_ok(t, &s, (uint64_t)m);
		add_ok(u, &s, (uint64_t)m);
		ls_summary_fini(&s);
	}
	/* the federation summary of February: 15, noise variance 2 x 1/4 */
	fed_tables(&fs, 2025, 2, 15);
	f = fed_of(&fs, 2);
	r = tu_ref("vvsg", 2);
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_OK);
	assert_int_equal(added, TRENDS_ADDED);

	/* Refusals change nothing (u is t without them). */
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_EEXISTS);
	assert_non_null(strstr(e.msg, "federatiesamenvatting"));
	f.n_included = 0;
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_EINVAL);
	f = fed_of(&fs, 2);
	f.noise.mu[0].num = 0; /* an exact total: never published */
	f.period.month = 3;
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_EINVAL);
	ls_summary_fini(&fs);
	/* an exact cell, and an unknown code */
	fed_tables(&fs, 2025, 3, 15);
	fs.tables[LS_TABLE_THEME].rows[0].signals = tu_exact(15);
	f = fed_of(&fs, 2);
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_EINVAL);
	ls_summary_fini(&fs);
	fed_tables(&fs, 2025, 3, 15);
	strcpy(fs.tables[LS_TABLE_THEME_AGE].rows[0].other, "99-100");
	f = fed_of(&fs, 2);
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_EINVAL);
	ls_summary_fini(&fs);
	/* outside the window: ignored */
	fed_tables(&fs, 2025, 7, 15);
	f = fed_of(&fs, 2);
	assert_int_equal(ls_trends_add_federation(t, &f, &r, &added, &e),
	                 LS_OK);
	assert_int_equal(added, TRENDS_OUTSIDE);
	ls_summary_fini(&fs);
	fed_tables(&fs, 2025, 2, 15);
	f = fed_of(&fs, 2);
	assert_int_equal(ls_trends_add_federation(u, &f, &r, &added, &e),
	                 LS_OK);
	ls_summary_fini(&fs);
	fed_tables(&fs, 2025, 7, 15);
	f = fed_of(&fs, 2);
	assert_int_equal(ls_trends_add_federation(u, &f, &r, &added, &e),
	                 LS_OK);
	ls_summary_fini(&fs);
	assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	assert_int_equal(ls_trends_finish(u, &e), LS_OK);
	diff = tu_trends_diff(t, u);
	if (diff != NULL)
		fail_msg("a refusal changed the trends: %s", diff);

	/* February is the federation total, the others the sum of ranges */
	assert_int_equal(ls_trends_n_federation(t), 1);
	assert_int_equal(ls_trends_federation_at(t, 0), 0);
	assert_int_equal(ls_trends_federation_at(t, 1), 2);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_int_equal(
	    ls_trends_cell(t, LS_TABLE_THEME, it->theme, 0, 0, 1, &v), LS_OK);
	assert_int_equal(v.n_noisy, 1);
	assert_int_equal(v.noisy, 15);
	assert_int_equal(v.var_q8, 128); /* 2 mu = 1/2 */
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 13); /* 15 -+ 1.645 x sqrt(1/2) */
	assert_int_equal(hi, 17);
	ls_trends_format_federation(&v, 2, 2, 2, text, sizeof text);
	assert_string_equal(text, "15 (13\xe2\x80\x93"
	                          "17), 2 van 2 gemeenten");
	ls_trends_format_federation(&v, 9, 10, 10, text, sizeof text);
	assert_string_equal(text, "15 (13\xe2\x80\x93"
	                          "17), 9 \xc3\xa0 10 van "
	                          "10 gemeenten");
	assert_int_equal(
	    ls_trends_cell_ranges(t, LS_TABLE_THEME, it->theme, 0, 0, 1, &v),
	    LS_OK);
	ls_trends_value_interval(&v, &lo, &hi);
	assert_int_equal(lo, 13);
	assert_int_equal(hi, 16);
	assert_int_equal(
	    ls_trends_cell(t, LS_TABLE_THEME, it->theme, 0, 0, 0, &v), LS_OK);
	assert_int_equal(v.n_noisy, 0);
	/* persons withheld: a bound [0, 4] */
	assert_int_equal(
	    ls_trends_cell(t, LS_TABLE_THEME, it->theme, 0, 1, 1, &v), LS_OK);
	assert_int_equal(v.n_withheld, 1);
	assert_int_equal(v.lo, 0);
	assert_int_equal(v.hi, 4);
	/* the item's window total mixes both, and says so */
	assert_int_equal(it->fed_periods, 1);
	assert_int_equal(it->fed_included_min, 2);
	assert_int_equal(it->fed_included_max, 2);
	assert_false(it->growth_federation); /* not every month has one */
	assert_non_null(
	    strstr(it->explanation, "federatietotaal in 1 van de 3"));
	assert_int_equal(it->signals_ranges.lo, 39);
	assert_int_equal(it->signals_ranges.hi, 48);
	/* the listed inputs include the federation summary */
	assert_int_equal(ls_trends_n_sources(t), 7);
	assert_string_equal(ls_trends_source_at(t, 6)->origin, "vvsg");
	ls_trends_free(t);
	ls_trends_free(u);
}

/* A failed allocation while adding a federation summary changes
 * nothing: the period keeps the sum of ranges and no source is listed;
 * the same call succeeds afterwards. */
static void test_federation_alloc_failure(void **state)
{
	struct ls_summary s, fs;
	struct trends_federation f;
	struct trends_docref r = tu_ref("vvsg", 1);
	struct ls_errinfo e;
	long total;
	(void)state;
	fed_tables(&fs, 2025, 1, 15);
	f = fed_of(&fs, 2);
	/* how many allocations the call makes on fresh trends */
	for (long nth = 1;; nth++) {
		struct trends *t = new_trends(2025, 1, 2025, 3);
		int rc;
		tu_summary(&s, "gent", 2025, 1, LS_MODE_THRESHOLD);
		tu_theme(&s, "wonen", 3, "18-24", "ocmw");
		add_ok(t, &s, 1);
		ls_summary_fini(&s);
		ls_alloc_fail_nth(nth);
		rc = ls_trends_add_federation(t, &f, &r, NULL, &e);
		total = ls_alloc_fail_nth(0);
		if (rc == LS_OK) {
			assert_int_equal(ls_trends_n_federation(t), 1);
			ls_trends_free(t);
			break;
		}
		assert_int_equal(rc, LS_ENOMEM);
		assert_int_equal(ls_trends_n_federation(t), 0);
		assert_int_equal(ls_trends_federation_at(t, 0), 0);
		assert_int_equal(ls_trends_n_sources(t), 1);
		/* and it can be done after all */
		assert_int_equal(ls_trends_add_federation(t, &f, &r, NULL, &e),
		                 LS_OK);
		assert_int_equal(ls_trends_n_sources(t), 2);
		ls_trends_free(t);
		assert_true(nth < 100);
	}
	(void)total;
	ls_summary_fini(&fs);
}

/* Every month with a federation summary: growth on the federation
 * totals, and a rise carried by one municipality is still found to be. */
static void test_federation_growth(void **state)
{
	struct trends *t = new_trends(2025, 1, 2025, 12);
	const struct trends_item *it;
	struct ls_errinfo e;
	(void)state;
	for (int m = 1; m <= 12; m++) {
		static const char *const who[] = {"gent", "kortrijk",
		                                  "mortsel"};
		struct ls_summary s, fs;
		struct trends_federation f;
		struct trends_docref r = tu_ref("vvsg", (uint64_t)m);
		int64_t total = 0;
		for (int i = 0; i < 3; i++) {
			/* mortsel rises alone: 10 + 4 m; the others flat */
			int64_t n = i == 2 ? 10 + 4 * m : 20;
			tu_summary(&s, who[i], 2025, m, LS_MODE_THRESHOLD);
			tu_theme(&s, "wonen", n, "18-24", "ocmw");
			add_ok(t, &s, (uint64_t)m);
			ls_summary_fini(&s);
			total += n;
		}
		fed_tables(&fs, 2025, m, total);
		f = fed_of(&fs, 3);
		assert_int_equal(ls_trends_add_federation(t, &f, &r, NULL, &e),
		                 LS_OK);
		ls_summary_fini(&fs);
	}
	assert_int_equal(ls_trends_finish(t, &e), LS_OK);
	it = ls_trends_item_find(t, TRENDS_LEVEL_THEME, "wonen", NULL);
	assert_true(it->growth_federation);
	assert_int_equal(it->slope.direction, 1);
	assert_int_equal(it->n_rising, 1);
	assert_true(ls_trends_item_local_rise(it));
	assert_string_equal(ls_trends_origin_id(t, (size_t)it->robust_origin),
	                    "mortsel");
	assert_non_null(strstr(it->explanation, "federatietotaal (3 van 3"));
	ls_trends_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_value_ranges_add_up),
	    cmocka_unit_test(test_value_noisy_interval),
	    cmocka_unit_test(test_value_bad_cells),
	    cmocka_unit_test(test_slope_exact_line),
	    cmocka_unit_test(test_slope_interval_bounds),
	    cmocka_unit_test(test_slope_noise_floor),
	    cmocka_unit_test(test_rising_since),
	    cmocka_unit_test(test_options_check),
	    cmocka_unit_test(test_sum_across_municipalities),
	    cmocka_unit_test(test_possible_reporting),
	    cmocka_unit_test(test_refuses_and_changes_nothing),
	    cmocka_unit_test(test_planted_ranking),
	    cmocka_unit_test(test_order_independent),
	    cmocka_unit_test(test_incomplete_municipality),
	    cmocka_unit_test(test_growth_bounds),
	    cmocka_unit_test(test_noise_mode_growth),
	    cmocka_unit_test(test_alloc_failures),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_structural),
	    cmocka_unit_test(test_federation_source),
	    cmocka_unit_test(test_federation_growth),
	    cmocka_unit_test(test_federation_alloc_failure),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
