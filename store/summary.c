/*
 * Raw summary: one GROUP BY query per table, over the signals whose
 * registered_at lies in [first day, first day after) of the period (an
 * index range scan), joining each code to its shared code. SQLite's
 * BINARY collation orders the codes by bytes, which is the order
 * core/summary.h requires, so rows are appended as they come.
 */
#include "store/summary.h"
#include "common/alloc.h"
#include "core/period.h"
#include "core/taxonomy.h"
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#define FROM_PERIOD                                                            \
	" FROM signal s"                                                       \
	" JOIN signal_theme st ON st.signal_id = s.id"                         \
	" JOIN taxonomy t0 ON t0.id = st.theme_id"                             \
	" JOIN taxonomy th ON th.id = coalesce(t0.parent_id, t0.id)"

#define IN_PERIOD " WHERE s.registered_at >= ?1 AND s.registered_at < ?2"

#define MEASURES " count(*), sum(min(s.persons, ?3))"

/* Join the code in column `col` of signal to its shared code `alias`. */
#define SHARED(col, alias)                                                     \
	" JOIN taxonomy " alias "0 ON " alias "0.id = s." col                  \
	" JOIN taxonomy " alias " ON " alias ".id = coalesce(" alias           \
	"0.parent_id, " alias "0.id)"

static const char SQL_THEME[] =
    "SELECT th.code, '', " MEASURES FROM_PERIOD IN_PERIOD
    " GROUP BY th.code ORDER BY th.code";

static const char SQL_THEME_AGE[] =
    "SELECT th.code, a.code, " MEASURES FROM_PERIOD SHARED("age_id", "a")
        IN_PERIOD " GROUP BY th.code, a.code"
                  " ORDER BY th.code, a.code";

static const char SQL_THEME_SECTOR[] =
    "SELECT th.code, c.code, " MEASURES FROM_PERIOD SHARED("sector_id", "c")
        IN_PERIOD " GROUP BY th.code, c.code"
                  " ORDER BY th.code, c.code";

static const char SQL_THEME_TARGET[] =
    "SELECT th.code, g.code, " MEASURES FROM_PERIOD
    " JOIN signal_target sg ON sg.signal_id = s.id"
    " JOIN taxonomy g0 ON g0.id = sg.target_id"
    " JOIN taxonomy g ON g.id = coalesce(g0.parent_id, g0.id)" IN_PERIOD
    " GROUP BY th.code, g.code ORDER BY th.code, g.code";

static const char SQL_THEME_PROBLEM[] =
    "SELECT th.code, coalesce(p.code, '" LS_PROBLEM_NONE
    "') AS pc, " MEASURES FROM_PERIOD
    " LEFT JOIN taxonomy p0 ON p0.id = s.problem_id"
    " LEFT JOIN taxonomy p ON p.id = coalesce(p0.parent_id,"
    " p0.id)" IN_PERIOD " GROUP BY th.code, pc"
    " ORDER BY th.code, pc";

static const char SQL_RECURRENCE[] =
    "SELECT th.code, count(DISTINCT s.organisation_id),"
    " count(DISTINCT s.reporter_id)" FROM_PERIOD IN_PERIOD
    " GROUP BY th.code ORDER BY th.code";

static const char *const table_sql[LS_TABLE_COUNT_] = {
    [LS_TABLE_THEME] = SQL_THEME,
    [LS_TABLE_THEME_AGE] = SQL_THEME_AGE,
    [LS_TABLE_THEME_TARGET] = SQL_THEME_TARGET,
    [LS_TABLE_THEME_SECTOR] = SQL_THEME_SECTOR,
    [LS_TABLE_THEME_PROBLEM] = SQL_THEME_PROBLEM,
};

static struct ls_cell exact(int64_t v)
{
	struct ls_cell c = {
	    .kind = LS_CELL_EXACT, .value = v, .lo = v, .hi = v};
	return c;
}

static void copy_code(char dst[LS_CODE_SIZE], sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, LS_CODE_SIZE, "%s", t ? (const char *)t : "");
}

static int bind_period(struct store *s, sqlite3_stmt *st, const char *first,
                       const char *after, int64_t cap)
{
	(void)s;
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3)
		sqlite3_bind_int64(st, 3, cap);
	return LS_OK;
}

/* Grow an array of `size`-byte rows to hold n + 1. */
static int grow(void **rows, size_t *cap, size_t n, size_t size)
{
	void *bigger;
	size_t want;
	if (n < *cap)
		return LS_OK;
	if (n >= LS_SUMMARY_MAX_ROWS)
		return LS_ELIMIT;
	want = *cap ? *cap * 2 : 32;
	if (want > LS_SUMMARY_MAX_ROWS)
		want = LS_SUMMARY_MAX_ROWS;
	bigger = ls_realloc(*rows, want * size);
	if (bigger == NULL)
		return LS_ENOMEM;
	*rows = bigger;
	*cap = want;
	return LS_OK;
}

static int fill_table(struct store *s, const char *sql, const char *first,
                      const char *after, int64_t cap,
                      struct ls_summary_table *t)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	bind_period(s, st, first, after, cap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ls_summary_row *row;
		void *rows = t->rows;
		int g = grow(&rows, &alloc, t->n_rows, sizeof *row);
		t->rows = rows;
		if (g != LS_OK) {
			sqlite3_reset(st);
			return g;
		}
		row = &t->rows[t->n_rows++];
		memset(row, 0, sizeof *row);
		copy_code(row->theme, st, 0);
		copy_code(row->other, st, 1);
		row->signals = exact(sqlite3_column_int64(st, 2));
		row->persons = exact(sqlite3_column_int64(st, 3));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "summary");
}

static int fill_recurrence(struct store *s, const char *first,
                           const char *after, struct ls_summary *out)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc = store_stmt(s, SQL_RECURRENCE, &st);
	if (rc != LS_OK)
		return rc;
	bind_period(s, st, first, after, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ls_recurrence_row *row;
		void *rows = out->recurrence;
		int g = grow(&rows, &alloc, out->n_recurrence, sizeof *row);
		out->recurrence = rows;
		if (g != LS_OK) {
			sqlite3_reset(st);
			return g;
		}
		row = &out->recurrence[out->n_recurrence++];
		memset(row, 0, sizeof *row);
		copy_code(row->theme, st, 0);
		row->organisations = exact(sqlite3_column_int64(st, 1));
		row->reporters = exact(sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "recurrence");
}

int store_summary_raw(struct store *s, const struct ls_period *period,
                      uint32_t persons_cap, struct ls_summary *out,
                      struct ls_errinfo *e)
{
	struct ls_date a, b;
	char first[LS_DATE_SIZE], after[LS_DATE_SIZE];
	int64_t cap = persons_cap == 0 ? INT64_MAX : (int64_t)persons_cap;
	int rc = LS_OK;

	ls_summary_init(out);
	if (ls_period_check(period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	out->period = *period;
	out->params.persons_cap = persons_cap;
	ls_period_bounds(period, &a, &b);
	ls_date_format(&a, first);
	ls_date_format(&b, after);
	/* One read transaction, so all tables see the same snapshot even
	 * while another process writes. */
	int own = sqlite3_get_autocommit(s->db);
	if (own && (rc = store_exec(s, "BEGIN")) != LS_OK)
		return ls_errf(e, rc, "kan de databank niet lezen");
	for (int t = 0; t < LS_TABLE_COUNT_ && rc == LS_OK; t++)
		rc = fill_table(s, table_sql[t], first, after, cap,
		                &out->tables[t]);
	if (rc == LS_OK)
		rc = fill_recurrence(s, first, after, out);
	if (own)
		(void)store_exec(s, "COMMIT");
	if (rc != LS_OK)
		return ls_errf(e, rc,
		               rc == LS_ELIMIT ? "te veel rijen in een tabel"
		                               : "kan de telling niet maken");
	return LS_OK;
}

int store_summary_span(struct store *s, struct ls_date *first,
                       struct ls_date *last, int *any)
{
	static const char sql[] =
	    "SELECT min(registered_at), max(registered_at) FROM signal";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);

	memset(first, 0, sizeof *first);
	memset(last, 0, sizeof *last);
	*any = 0;
	if (rc != LS_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = SQLITE_DONE;
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			const char *a =
			    (const char *)sqlite3_column_text(st, 0);
			const char *b =
			    (const char *)sqlite3_column_text(st, 1);
			if (ls_date_parse(a, strlen(a), first) != LS_OK ||
			    ls_date_parse(b, strlen(b), last) != LS_OK) {
				sqlite3_reset(st);
				return LS_ECORRUPT;
			}
			*any = 1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "summary_span");
}
