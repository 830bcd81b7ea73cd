/* core/period: strict dates, periods and month arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/err.h"
#include "core/period.h"

static void test_date_parse_strict(void **state)
{
	struct ls_date d;
	static const char *const bad[] = {
	    "2025-02-29",  "2025-13-01",  "2025-00-10",
	    "2025-1-01",   "2025-01-1",   "25-01-01",
	    "1999-12-31",  "3000-01-01",  "2025/01/01",
	    "2025-01-01x", " 2025-01-01", "2025-01-32",
	    "+025-01-01",  "2025-04-31",  ""};
	(void)state;
	assert_int_equal(ls_date_parse("2024-02-29", 10, &d), LS_OK);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	assert_int_equal(ls_date_parse("2000-01-01", 10, &d), LS_OK);
	assert_int_equal(ls_date_parse("2999-12-31", 10, &d), LS_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ls_date_parse(bad[i], strlen(bad[i]), &d),
		                 LS_EINVAL);
	/* length is honoured: a longer buffer is not read past len */
	assert_int_equal(ls_date_parse("2025-01-01 and more", 10, &d), LS_OK);
}

static void test_date_format_and_compare(void **state)
{
	struct ls_date a = {2025, 3, 7}, b = {2025, 3, 8};
	char buf[LS_DATE_SIZE];
	(void)state;
	ls_date_format(&a, buf);
	assert_string_equal(buf, "2025-03-07");
	assert_true(ls_date_cmp(&a, &b) < 0);
	assert_true(ls_date_cmp(&b, &a) > 0);
	assert_int_equal(ls_date_cmp(&a, &a), 0);
}

static void test_add_months_clamps_day(void **state)
{
	struct ls_date d = {2025, 3, 31}, r;
	(void)state;
	assert_int_equal(ls_date_add_months(&d, -1, &r), LS_OK);
	assert_int_equal(r.month, 2);
	assert_int_equal(r.day, 28);
	assert_int_equal(ls_date_add_months(&d, -25, &r), LS_OK);
	assert_int_equal(r.year, 2023);
	assert_int_equal(r.month, 2);
	assert_int_equal(r.day, 28);
	d = (struct ls_date){2024, 1, 31};
	assert_int_equal(ls_date_add_months(&d, 1, &r), LS_OK);
	assert_int_equal(r.day, 29);
	d = (struct ls_date){2000, 1, 1};
	assert_int_equal(ls_date_add_months(&d, -1, &r), LS_EINVAL);
}

static void test_period_parse_format(void **state)
{
	struct ls_period p;
	char buf[LS_PERIOD_SIZE];
	static const char *const bad[] = {
	    "2025-13",  "2025-00",    "2025-1",  "2025-01+0", "2025-01+13",
	    "2025-01+", "2025-01-01", "1999-12", "2999-12+2", "abcd-01",
	    ""};
	(void)state;
	assert_int_equal(ls_period_parse("2025-03", &p), LS_OK);
	assert_int_equal(p.year, 2025);
	assert_int_equal(p.month, 3);
	assert_int_equal(p.months, 1);
	ls_period_format(&p, buf);
	assert_string_equal(buf, "2025-03");
	assert_int_equal(ls_period_parse("2025-10+3", &p), LS_OK);
	assert_int_equal(p.months, 3);
	ls_period_format(&p, buf);
	assert_string_equal(buf, "2025-10+3");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ls_period_parse(bad[i], &p), LS_EINVAL);
}

static void test_period_bounds_and_add(void **state)
{
	struct ls_period p = {2025, 11, 3}, q;
	struct ls_date first, after, d;
	(void)state;
	ls_period_bounds(&p, &first, &after);
	assert_int_equal(first.year, 2025);
	assert_int_equal(first.month, 11);
	assert_int_equal(after.year, 2026);
	assert_int_equal(after.month, 2);
	assert_int_equal(after.day, 1);
	d = (struct ls_date){2026, 1, 31};
	assert_true(ls_period_contains(&p, &d));
	d = (struct ls_date){2026, 2, 1};
	assert_false(ls_period_contains(&p, &d));
	d = (struct ls_date){2025, 10, 31};
	assert_false(ls_period_contains(&p, &d));
	assert_int_equal(ls_period_add(&p, 1, &q), LS_OK);
	assert_int_equal(q.year, 2026);
	assert_int_equal(q.month, 2);
	assert_int_equal(ls_period_add(&p, -9, &q), LS_OK);
	assert_int_equal(q.year, 2023);
	assert_int_equal(q.month, 8);
	assert_int_equal(ls_month_index(2025, 1), 2025 * 12);
}

static void test_periods_in_time(void **state)
{
	struct ls_date d, back;
	struct ls_period p;
	(void)state;
	/* known answers (date -u -d ... +%s) */
	assert_int_equal(ls_date_to_time(&(struct ls_date){2000, 1, 1}),
	                 946684800LL);
	assert_int_equal(ls_date_to_time(&(struct ls_date){2024, 2, 29}),
	                 1709164800LL);
	assert_int_equal(ls_date_to_time(&(struct ls_date){3000, 1, 1}),
	                 32503680000LL);
	assert_int_equal(ls_period_end_time(&(struct ls_period){2025, 12, 1}),
	                 1767225600LL); /* 2026-01-01 */
	assert_int_equal(ls_period_end_time(&(struct ls_period){2024, 1, 3}),
	                 1711929600LL); /* 2024-04-01 */
	/* from_time inverts to_time on every day of a few years, and the
	 * last second of a day still belongs to it */
	for (d = (struct ls_date){2023, 1, 1}; d.year < 2026;) {
		int64_t t = ls_date_to_time(&d);
		assert_int_equal(ls_date_from_time(t, &back), LS_OK);
		assert_int_equal(ls_date_cmp(&d, &back), 0);
		assert_int_equal(ls_date_from_time(t + 86399, &back), LS_OK);
		assert_int_equal(ls_date_cmp(&d, &back), 0);
		if (++d.day > ls_days_in_month(d.year, d.month)) {
			d.day = 1;
			if (++d.month > 12) {
				d.month = 1;
				d.year++;
			}
		}
	}
	assert_int_equal(ls_date_from_time(946684799LL, &back), LS_EINVAL);
	assert_int_equal(ls_date_from_time(32503680000LL, &back), LS_EINVAL);
	/* lengths, alignment, the containing period, overlaps */
	for (int m = -1; m <= 13; m++)
		assert_int_equal(ls_period_length_valid(m),
		                 m == 1 || m == 2 || m == 3 || m == 4 ||
		                     m == 6 || m == 12);
	assert_true(ls_period_aligned(&(struct ls_period){2025, 4, 3}));
	assert_false(ls_period_aligned(&(struct ls_period){2025, 5, 3}));
	assert_true(ls_period_aligned(&(struct ls_period){2025, 5, 1}));
	ls_period_containing(&(struct ls_date){2025, 8, 31}, 3, &p);
	assert_int_equal(p.year, 2025);
	assert_int_equal(p.month, 7);
	assert_int_equal(p.months, 3);
	ls_period_containing(&(struct ls_date){2025, 12, 1}, 12, &p);
	assert_int_equal(p.month, 1);
	ls_period_containing(&(struct ls_date){2025, 12, 1}, 1, &p);
	assert_int_equal(p.month, 12);
	assert_true(ls_period_overlaps(&(struct ls_period){2025, 7, 3},
	                               &(struct ls_period){2025, 9, 1}));
	assert_false(ls_period_overlaps(&(struct ls_period){2025, 7, 3},
	                                &(struct ls_period){2025, 10, 1}));
	assert_false(ls_period_overlaps(&(struct ls_period){2025, 6, 1},
	                                &(struct ls_period){2025, 7, 3}));
	assert_true(ls_period_overlaps(&(struct ls_period){2025, 1, 12},
	                               &(struct ls_period){2025, 12, 1}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_parse_strict),
	    cmocka_unit_test(test_date_format_and_compare),
	    cmocka_unit_test(test_add_months_clamps_day),
	    cmocka_unit_test(test_period_parse_format),
	    cmocka_unit_test(test_period_bounds_and_add),
	    cmocka_unit_test(test_periods_in_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
