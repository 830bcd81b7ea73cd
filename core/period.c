/*
 * Dates and periods: strict parsing ("2025-02-30" is refused, so is
 * "2025-2-3"), formatting, and month arithmetic on month indexes. Every
 * function is pure; the only clock read is ls_date_today().
 */
#include "core/period.h"
#include "common/err.h"
#include "common/text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int is_leap(int32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ls_days_in_month(int32_t year, int32_t month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
	                             31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

static int digits(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return 0;
	return 1;
}

int ls_date_parse(const char *text, size_t len, struct ls_date *out)
{
	int64_t y, m, d;

	if (len != 10 || text[4] != '-' || text[7] != '-')
		return LS_EINVAL;
	if (!digits(text, 4) || !digits(text + 5, 2) || !digits(text + 8, 2))
		return LS_EINVAL;
	if (ls_parse_i64_n(text, 4, LS_YEAR_MIN, LS_YEAR_MAX, &y) != LS_OK ||
	    ls_parse_i64_n(text + 5, 2, 1, 12, &m) != LS_OK ||
	    ls_parse_i64_n(text + 8, 2, 1, 31, &d) != LS_OK)
		return LS_EINVAL;
	if (d > ls_days_in_month((int32_t)y, (int32_t)m))
		return LS_EINVAL;
	out->year = (int32_t)y;
	out->month = (int32_t)m;
	out->day = (int32_t)d;
	return LS_OK;
}

void ls_date_format(const struct ls_date *d, char out[LS_DATE_SIZE])
{
	snprintf(out, LS_DATE_SIZE, "%04u-%02u-%02u",
	         (unsigned)d->year % 10000u, (unsigned)d->month % 100u,
	         (unsigned)d->day % 100u);
}

void ls_date_today(struct ls_date *out)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
}

int ls_date_cmp(const struct ls_date *a, const struct ls_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

int32_t ls_month_index(int32_t year, int32_t month)
{
	return year * 12 + month - 1;
}

static int from_index(int64_t idx, int32_t *year, int32_t *month)
{
	if (idx < (int64_t)LS_YEAR_MIN * 12 ||
	    idx > (int64_t)LS_YEAR_MAX * 12 + 11)
		return LS_EINVAL;
	*year = (int32_t)(idx / 12);
	*month = (int32_t)(idx % 12) + 1;
	return LS_OK;
}

int ls_date_add_months(const struct ls_date *d, int32_t months,
                       struct ls_date *out)
{
	struct ls_date r;
	int dim;
	if (from_index((int64_t)ls_month_index(d->year, d->month) + months,
	               &r.year, &r.month) != LS_OK)
		return LS_EINVAL;
	dim = ls_days_in_month(r.year, r.month);
	r.day = d->day > dim ? dim : d->day;
	*out = r;
	return LS_OK;
}

int ls_period_check(const struct ls_period *p)
{
	if (p->year < LS_YEAR_MIN || p->year > LS_YEAR_MAX || p->month < 1 ||
	    p->month > 12 || p->months < 1 || p->months > 12)
		return LS_EINVAL;
	/* The whole period must stay inside the year range. */
	if ((int64_t)ls_month_index(p->year, p->month) + p->months - 1 >
	    (int64_t)LS_YEAR_MAX * 12 + 11)
		return LS_EINVAL;
	return LS_OK;
}

int ls_period_parse(const char *text, struct ls_period *out)
{
	size_t len = strlen(text);
	int64_t y, m, n = 1;
	struct ls_period p;

	if (len < 7 || text[4] != '-' || !digits(text, 4) ||
	    !digits(text + 5, 2))
		return LS_EINVAL;
	if (ls_parse_i64_n(text, 4, LS_YEAR_MIN, LS_YEAR_MAX, &y) != LS_OK ||
	    ls_parse_i64_n(text + 5, 2, 1, 12, &m) != LS_OK)
		return LS_EINVAL;
	if (len > 7) {
		if (text[7] != '+' || len > 10 || !digits(text + 8, len - 8) ||
		    ls_parse_i64_n(text + 8, len - 8, 1, 12, &n) != LS_OK)
			return LS_EINVAL;
	}
	p.year = (int32_t)y;
	p.month = (int32_t)m;
	p.months = (int32_t)n;
	if (ls_period_check(&p) != LS_OK)
		return LS_EINVAL;
	*out = p;
	return LS_OK;
}

void ls_period_format(const struct ls_period *p, char out[LS_PERIOD_SIZE])
{
	/* Fields are clamped so the text always fits (a well-formed period
	 * is never changed by the clamping). */
	unsigned y = (unsigned)p->year % 10000u;
	unsigned m = (unsigned)p->month % 100u;
	unsigned n = (unsigned)p->months % 100u;
	if (n > 1)
		snprintf(out, LS_PERIOD_SIZE, "%04u-%02u+%u", y, m, n);
	else
		snprintf(out, LS_PERIOD_SIZE, "%04u-%02u", y, m);
}

int ls_period_add(const struct ls_period *p, int32_t n, struct ls_period *out)
{
	struct ls_period r = *p;
	int64_t idx =
	    (int64_t)ls_month_index(p->year, p->month) + (int64_t)n * p->months;
	if (from_index(idx, &r.year, &r.month) != LS_OK ||
	    ls_period_check(&r) != LS_OK)
		return LS_EINVAL;
	*out = r;
	return LS_OK;
}

void ls_period_bounds(const struct ls_period *p, struct ls_date *first,
                      struct ls_date *after)
{
	int32_t idx = ls_month_index(p->year, p->month) + p->months;
	first->year = p->year;
	first->month = p->month;
	first->day = 1;
	/* The day after the period may be in year LS_YEAR_MAX + 1; that is
	 * fine for a bound that is only compared against. */
	after->year = idx / 12;
	after->month = idx % 12 + 1;
	after->day = 1;
}

int ls_period_contains(const struct ls_period *p, const struct ls_date *d)
{
	struct ls_date first, after;
	ls_period_bounds(p, &first, &after);
	return ls_date_cmp(&first, d) <= 0 && ls_date_cmp(d, &after) < 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the
 * well-known era-based algorithm; exact integer arithmetic). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t ls_date_to_time(const struct ls_date *d)
{
	return days_from_civil(d->year, d->month, d->day) * 86400;
}

int ls_date_from_time(int64_t t, struct ls_date *out)
{
	/* The inverse of days_from_civil (same algorithm family). */
	int64_t z, era, doe, yoe, y, doy, mp, d, m;
	if (t < ls_date_to_time(&(struct ls_date){LS_YEAR_MIN, 1, 1}) ||
	    t >= ls_date_to_time(&(struct ls_date){LS_YEAR_MAX + 1, 1, 1}))
		return LS_EINVAL;
	z = t / 86400 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	out->year = (int32_t)(y + (m <= 2));
	out->month = (int32_t)m;
	out->day = (int32_t)d;
	return LS_OK;
}

int64_t ls_period_end_time(const struct ls_period *p)
{
	struct ls_date first, after;
	ls_period_bounds(p, &first, &after);
	return ls_date_to_time(&after);
}

int ls_period_length_valid(int64_t months)
{
	return months == 1 || months == 2 || months == 3 || months == 4 ||
	       months == 6 || months == 12;
}

int ls_period_aligned(const struct ls_period *p)
{
	return p->months >= 1 && p->month >= 1 &&
	       (p->month - 1) % p->months == 0;
}

void ls_period_containing(const struct ls_date *d, int32_t months,
                          struct ls_period *out)
{
	out->year = d->year;
	out->months = months;
	out->month = (d->month - 1) / months * months + 1;
}

int ls_period_overlaps(const struct ls_period *a, const struct ls_period *b)
{
	int64_t a0 = ls_month_index(a->year, a->month);
	int64_t b0 = ls_month_index(b->year, b->month);
	return a0 < b0 + b->months && b0 < a0 + a->months;
}
