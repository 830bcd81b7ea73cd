/* store/signal: the API's listing needs — pages with a keyset cursor in
 * both orders, filters on organisation and reporter — and the monthly
 * theme counts of the trends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/signal.h"
#include "fixture_store.h"
#include "store/signal.h"

FX_GLOBAL_STORE

static void add(const char *date, const char *themes, const char *org,
                const char *reporter)
{
	const struct ls_taxonomy *t = store_taxonomy(f.s);
	const char *v[LS_FIELD_COUNT_] = {0};
	struct ls_signal s;
	struct ls_errinfo e;
	v[LS_FIELD_REGISTERED_AT] = date;
	v[LS_FIELD_THEME] = themes;
	v[LS_FIELD_AGE] = "12-17";
	v[LS_FIELD_SECTOR] = "caw";
	v[LS_FIELD_ORGANISATION] = org;
	v[LS_FIELD_REPORTER] = reporter;
	ls_signal_init(&s);
	for (int i = 0; i < LS_FIELD_COUNT_; i++)
		if (v[i] != NULL)
			assert_int_equal(
			    ls_signal_set_field(&s, (enum ls_signal_field)i,
			                        v[i], strlen(v[i]), t, &e),
			    LS_OK);
	assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
}

struct seen {
	int n;
	char dates[64][LS_DATE_SIZE];
	char orgs[64][32];
};

static int seen_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct seen *s = ctx;
	(void)created;
	ls_date_format(&sig->registered_at, s->dates[s->n]);
	snprintf(s->orgs[s->n], sizeof s->orgs[s->n], "%.*s",
	         (int)sig->organisation.len, sig->organisation.ptr);
	s->n++;
	return 0;
}

static void fill(void)
{
	char date[32];
	for (unsigned d = 1; d <= 9; d++) {
		snprintf(date, sizeof date, "2025-03-%02u", d);
		add(date, "wonen", d % 3 == 0 ? "CAW" : "CLB Noord",
		    d % 2 ? "mw-1" : "mw-2");
	}
}

static void test_pages_cover_everything_once(void **state)
{
	for (int newest = 0; newest <= 1; newest++) {
		struct store_signal_filter flt = {
		    .status = -1, .limit = 4, .newest_first = newest};
		struct store_signal_cursor cur;
		struct seen all = {0};
		struct ls_errinfo e;
		int more = 1, pages = 0;
		if (newest == 0)
			fill();
		(void)state;
		while (more) {
			assert_int_equal(store_signal_page(f.s, &flt, seen_cb,
			                                   &all, &cur, &more,
			                                   &e),
			                 LS_OK);
			pages++;
			flt.has_cursor = 1;
			flt.cursor = cur;
			assert_true(pages <= 3);
		}
		assert_int_equal(pages, 3);
		assert_int_equal(all.n, 9);
		for (int i = 1; i < all.n; i++)
			assert_true(
			    newest
			        ? strcmp(all.dates[i - 1], all.dates[i]) > 0
			        : strcmp(all.dates[i - 1], all.dates[i]) < 0);
	}
}

static void test_exact_page_size_has_no_next(void **state)
{
	struct store_signal_filter flt = {.status = -1, .limit = 9};
	struct store_signal_cursor cur;
	struct seen all = {0};
	int more = 1;
	(void)state;
	fill();
	assert_int_equal(
	    store_signal_page(f.s, &flt, seen_cb, &all, &cur, &more, NULL),
	    LS_OK);
	assert_int_equal(all.n, 9);
	assert_int_equal(more, 0);
	flt.limit = 0;
	assert_int_equal(
	    store_signal_page(f.s, &flt, seen_cb, &all, &cur, &more, NULL),
	    LS_EINVAL);
	flt.limit = 2;
	flt.has_cursor = 1;
	flt.cursor.registered_at = (struct ls_date){2025, 2, 30};
	assert_int_equal(
	    store_signal_page(f.s, &flt, seen_cb, &all, &cur, &more, NULL),
	    LS_EINVAL);
}

static void test_organisation_and_reporter_filters(void **state)
{
	struct store_signal_filter flt = {.status = -1};
	struct seen s = {0};
	(void)state;
	fill();
	flt.organisation = "CAW";
	assert_int_equal(store_signal_list(f.s, &flt, seen_cb, &s, NULL),
	                 LS_OK);
	assert_int_equal(s.n, 3);
	for (int i = 0; i < s.n; i++)
		assert_string_equal(s.orgs[i], "CAW");
	memset(&s, 0, sizeof s);
	flt.organisation = "CLB Noord";
	flt.reporter = "mw-2";
	assert_int_equal(store_signal_list(f.s, &flt, seen_cb, &s, NULL),
	                 LS_OK);
	assert_int_equal(s.n, 3); /* days 2, 4, 8 */
	memset(&s, 0, sizeof s);
	flt.organisation = "clb noord"; /* exact, not case-folded */
	assert_int_equal(store_signal_list(f.s, &flt, seen_cb, &s, NULL),
	                 LS_OK);
	assert_int_equal(s.n, 0);
}

struct month_row {
	int32_t month;
	char theme[LS_CODE_SIZE];
	uint64_t count;
};

struct months {
	int n;
	struct month_row rows[32];
};

static int month_cb(void *ctx, int32_t month, const char *theme, uint64_t count)
{
	struct months *m = ctx;
	assert_true(m->n < 32);
	m->rows[m->n].month = month;
	snprintf(m->rows[m->n].theme, LS_CODE_SIZE, "%s", theme);
	m->rows[m->n].count = count;
	m->n++;
	return 0;
}

static void test_theme_months(void **state)
{
	struct months m = {0};
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(store_taxonomy_add_local(f.s, LS_DIM_THEME,
	                                          "wonen-koten", "wonen",
	                                          "Koten", "Student rooms", &e),
	                 LS_OK);
	add("2025-01-31", "wonen", "A", NULL);
	add("2025-02-01", "wonen-koten|energie", "A", NULL);
	add("2025-02-15", "wonen", "B", NULL);
	add("2025-04-01", "energie", "B", NULL); /* outside the range */
	add("2024-12-31", "energie", "B", NULL); /* outside the range */
	assert_int_equal(store_signal_theme_months(f.s, ls_month_index(2025, 1),
	                                           3, month_cb, &m, &e),
	                 LS_OK);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.rows[0].month, ls_month_index(2025, 1));
	assert_string_equal(m.rows[0].theme, "wonen");
	assert_int_equal(m.rows[0].count, 1);
	assert_int_equal(m.rows[1].month, ls_month_index(2025, 2));
	assert_string_equal(m.rows[1].theme, "energie");
	assert_int_equal(m.rows[1].count, 1);
	assert_string_equal(m.rows[2].theme, "wonen"); /* koten counts here */
	assert_int_equal(m.rows[2].count, 2);
	assert_int_equal(store_signal_theme_months(f.s, ls_month_index(2025, 1),
	                                           0, month_cb, &m, &e),
	                 LS_EINVAL);
	assert_int_equal(store_signal_theme_months(f.s, ls_month_index(1999, 1),
	                                           1, month_cb, &m, &e),
	                 LS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pages_cover_everything_once,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exact_page_size_has_no_next,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_organisation_and_reporter_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_theme_months, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
