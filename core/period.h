/*
 * Calendar dates and periods.
 *
 * A date is a proleptic Gregorian calendar day written "YYYY-MM-DD"; a
 * period (struct ls_period) is `months` whole calendar
 * months starting at year-month, written "YYYY-MM" (a month) or
 * "YYYY-MM+N" (N months, N in 1..12). Years are limited to 2000..2999,
 * the range the store and the federation accept.
 *
 * A month index counts months since year 0 (year * 12 + month - 1), so
 * that month arithmetic is integer arithmetic.
 *
 * Nothing here allocates.
 */
#ifndef LS_CORE_PERIOD_H
#define LS_CORE_PERIOD_H

#include <stddef.h>
#include <stdint.h>

/* A period: `months` whole calendar months starting at year-month. */
struct ls_period {
	int32_t year;   /* 2000..2999 */
	int32_t month;  /* 1..12 */
	int32_t months; /* 1 (default, a month), 3 (quarter), ... 12 */
};

#define LS_YEAR_MIN 2000
#define LS_YEAR_MAX 2999

/* "YYYY-MM-DD" plus NUL. */
#define LS_DATE_SIZE 11
/* "YYYY-MM" or "YYYY-MM+NN" plus NUL. */
#define LS_PERIOD_SIZE 11

struct ls_date {
	int32_t year;  /* LS_YEAR_MIN..LS_YEAR_MAX */
	int32_t month; /* 1..12 */
	int32_t day;   /* 1..days in that month */
};

/* Days in a month of a year (leap years included); 0 for a bad month. */
int ls_days_in_month(int32_t year, int32_t month);

/* Parse exactly "YYYY-MM-DD" (len bytes, no NUL needed) into *out.
 * Anything else, or a day that does not exist, is LS_EINVAL. */
int ls_date_parse(const char *text, size_t len, struct ls_date *out);

/* Write "YYYY-MM-DD" into out (LS_DATE_SIZE bytes). */
void ls_date_format(const struct ls_date *d, char out[LS_DATE_SIZE]);

/* Today's date in UTC. */
void ls_date_today(struct ls_date *out);

/* Compare two dates: <0, 0, >0. */
int ls_date_cmp(const struct ls_date *a, const struct ls_date *b);

/* Move a date by `months` (may be negative); the day is clamped to the
 * length of the target month (31 March - 1 month = 28/29 February).
 * LS_EINVAL if the result leaves the year range. */
int ls_date_add_months(const struct ls_date *d, int32_t months,
                       struct ls_date *out);

/* Month index of a year and month: year * 12 + month - 1. */
int32_t ls_month_index(int32_t year, int32_t month);

/* Parse "YYYY-MM" (months = 1) or "YYYY-MM+N" (months = N, 1..12) from
 * a NUL-terminated string. LS_EINVAL on anything else. */
int ls_period_parse(const char *text, struct ls_period *out);

/* Write "YYYY-MM" (or "YYYY-MM+N" when months > 1) into out. */
void ls_period_format(const struct ls_period *p, char out[LS_PERIOD_SIZE]);

/* LS_OK if *p is well-formed (year range, month 1..12, months 1..12). */
int ls_period_check(const struct ls_period *p);

/* The period `n` periods of the same length after *p (n may be
 * negative). LS_EINVAL if the result leaves the year range. */
int ls_period_add(const struct ls_period *p, int32_t n, struct ls_period *out);

/* The first day of the period and the first day after it, so that a date
 * d is in the period when first <= d < after. Because dates are written
 * "YYYY-MM-DD", the same holds for the strings in byte order. */
void ls_period_bounds(const struct ls_period *p, struct ls_date *first,
                      struct ls_date *after);

/* 1 if the date lies in the period, else 0. */
int ls_period_contains(const struct ls_period *p, const struct ls_date *d);

/* ---- periods in time ------------------------------------------------
 *
 * Periods and dates are calendar days in UTC; the federation compares
 * them with Unix times (a document's `created`). These are the one
 * conversion between the two (exact integer arithmetic).
 */

/* Unix time (seconds, UTC) of 00:00 on date d. Any year in the range,
 * and LS_YEAR_MAX + 1 for a bound (ls_period_bounds). */
int64_t ls_date_to_time(const struct ls_date *d);

/* The UTC date of Unix time t. LS_EINVAL if that date is outside
 * LS_YEAR_MIN..LS_YEAR_MAX. */
int ls_date_from_time(int64_t t, struct ls_date *out);

/* Unix time of the first second after the period (its end). */
int64_t ls_period_end_time(const struct ls_period *p);

/* 1 if `months` is a period length a federation may use: a length that
 * divides the year (1, 2, 3, 4, 6 or 12), so that every period lies in
 * one year and periods of one length never overlap; else 0. */
int ls_period_length_valid(int64_t months);

/* 1 if the period starts at a multiple of its length within its year
 * ((month - 1) mod months = 0: a quarter starts in January, April, July
 * or October), else 0. */
int ls_period_aligned(const struct ls_period *p);

/* The aligned period of `months` months (a valid length) that contains
 * date d. */
void ls_period_containing(const struct ls_date *d, int32_t months,
                          struct ls_period *out);

/* 1 if the two periods share at least one month, else 0. */
int ls_period_overlaps(const struct ls_period *a, const struct ls_period *b);

#endif
