/*
 * The release ledger (see ledger.h). An add runs, in one transaction (its
 * own or the caller's): check the entry, sum the year's spending and hold
 * it against the budget with core's rule (ls_noise_budget_check), insert.
 * BEGIN IMMEDIATE makes the sum and the insert one step for every other
 * writer, so two releases can never both fit in the last of a budget.
 */
#include "store/ledger.h"
#include "store/internal.h"

#include "core/noise.h"
#include "core/period.h"

#include <stdio.h>
#include <string.h>

#define LEDGER_COLS                                                            \
	"id, origin, seq, period_start, months, supersedes, mode, "            \
	"epsilon_milli, cost_milli, budget_milli, at"

static int origin_ok(const char *origin)
{
	return origin != NULL &&
	       ls_node_id_valid(origin, strnlen(origin, LS_NODE_ID_SIZE));
}

static void entry_read(sqlite3_stmt *st, struct store_ledger_entry *x)
{
	int64_t start = sqlite3_column_int64(st, 3);
	memset(x, 0, sizeof *x);
	x->id = sqlite3_column_int64(st, 0);
	snprintf(x->origin, sizeof x->origin, "%s",
	         (const char *)sqlite3_column_text(st, 1));
	x->seq = (uint64_t)sqlite3_column_int64(st, 2);
	x->period.year = (int32_t)(start / 12);
	x->period.month = (int32_t)(start % 12) + 1;
	x->period.months = sqlite3_column_int(st, 4);
	x->supersedes = (uint64_t)sqlite3_column_int64(st, 5);
	x->mode = (uint8_t)sqlite3_column_int(st, 6);
	x->epsilon_milli = (uint32_t)sqlite3_column_int64(st, 7);
	x->cost_milli = (uint64_t)sqlite3_column_int64(st, 8);
	x->budget_milli = (uint64_t)sqlite3_column_int64(st, 9);
	x->at = sqlite3_column_int64(st, 10);
}

int store_ledger_spent(struct store *s, int32_t year, uint64_t *spent_milli)
{
	static const char sql[] = "SELECT coalesce(sum(cost_milli), 0) FROM "
	                          "release_ledger WHERE budget_year = ?";
	sqlite3_stmt *st;
	int64_t v;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_int(st, 1, year);
	if ((rc = store_one_row(s, st, &v, 1, "ledger_spent")) != LS_OK)
		return rc;
	*spent_milli = (uint64_t)v;
	return LS_OK;
}

static int add_in_tx(struct store *s, struct store_ledger_entry *x,
                     int check_budget, struct ls_errinfo *e)
{
	static const char sql[] =
	    "INSERT INTO release_ledger (origin, seq, period_start, months, "
	    "budget_year, supersedes, mode, epsilon_milli, cost_milli, "
	    "budget_milli, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct noise_budget b;
	sqlite3_stmt *st;
	int rc;

	if (check_budget && x->cost_milli > 0) {
		if ((rc = store_ledger_spent(s, x->period.year,
		                             &b.spent_milli)) != LS_OK)
			return ls_errf(e, rc,
			               "kan het privacybudget niet lezen");
		b.yearly_milli = x->budget_milli;
		if ((rc = ls_noise_budget_check(&b, x->cost_milli, NULL)) !=
		    LS_OK)
			return ls_errf(
			    e, LS_EBUDGET,
			    "het privacybudget van %d is op: al %llu/1000 "
			    "van %llu/1000 besteed, deze vrijgave kost "
			    "%llu/1000",
			    (int)x->period.year,
			    (unsigned long long)b.spent_milli,
			    (unsigned long long)b.yearly_milli,
			    (unsigned long long)x->cost_milli);
	}
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_text(st, 1, x->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)x->seq);
	sqlite3_bind_int(st, 3,
	                 ls_month_index(x->period.year, x->period.month));
	sqlite3_bind_int(st, 4, x->period.months);
	sqlite3_bind_int(st, 5, x->period.year);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)x->supersedes);
	sqlite3_bind_int(st, 7, x->mode);
	sqlite3_bind_int64(st, 8, x->epsilon_milli);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)x->cost_milli);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)x->budget_milli);
	sqlite3_bind_int64(st, 11, x->at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		char p[LS_PERIOD_SIZE];
		ls_period_format(&x->period, p);
		return ls_errf(e, LS_EEXISTS,
		               "periode %s is al vrijgegeven (of seq %llu is "
		               "al geboekt)",
		               p, (unsigned long long)x->seq);
	}
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "ledger_add"),
		               "kan de vrijgave niet boeken");
	x->id = sqlite3_last_insert_rowid(s->db);
	return LS_OK;
}

static int add(struct store *s, struct store_ledger_entry *x, int check_budget,
               struct ls_errinfo *e)
{
	int owned, rc;

	if (!origin_ok(x->origin) || x->seq == 0 ||
	    x->seq > (uint64_t)INT64_MAX ||
	    ls_period_check(&x->period) != LS_OK || x->supersedes >= x->seq ||
	    x->mode > LS_MODE_NOISE || x->cost_milli > (uint64_t)INT64_MAX ||
	    x->budget_milli > (uint64_t)INT64_MAX)
		return ls_errf(e, LS_EINVAL,
		               "ongeldige boeking in het grootboek");
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "databank bezet");
	rc = add_in_tx(s, x, check_budget, e);
	return store_tx_end(s, owned, rc);
}

int store_ledger_add(struct store *s, struct store_ledger_entry *x,
                     struct ls_errinfo *e)
{
	return add(s, x, 1, e);
}

int store_ledger_recover(struct store *s, struct store_ledger_entry *x,
                         struct ls_errinfo *e)
{
	return add(s, x, 0, e);
}

int store_ledger_count(struct store *s, const char *origin,
                       const struct ls_period *p, uint32_t *n)
{
	static const char sql[] =
	    "SELECT count(*) FROM release_ledger WHERE origin = ? AND "
	    "period_start = ? AND months = ?";
	sqlite3_stmt *st;
	int64_t v;
	int rc;

	if (!origin_ok(origin) || ls_period_check(p) != LS_OK)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ls_month_index(p->year, p->month));
	sqlite3_bind_int(st, 3, p->months);
	if ((rc = store_one_row(s, st, &v, 1, "ledger_count")) != LS_OK)
		return rc;
	*n = (uint32_t)v;
	return LS_OK;
}

/* Step st for at most one entry into *out: LS_OK, LS_ENOTFOUND when
 * there is none, or store_err(what). st is reset either way. */
static int entry_one(struct store *s, sqlite3_stmt *st,
                     struct store_ledger_entry *out, const char *what)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		entry_read(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return LS_OK;
	return rc == SQLITE_DONE ? LS_ENOTFOUND : store_err(s, rc, what);
}

int store_ledger_get(struct store *s, const char *origin, uint64_t seq,
                     struct store_ledger_entry *out)
{
	static const char sql[] =
	    "SELECT " LEDGER_COLS " FROM release_ledger WHERE origin = ? AND "
	    "seq = ?";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin) || seq == 0 || seq > (uint64_t)INT64_MAX)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	return entry_one(s, st, out, "ledger_get");
}

int store_ledger_find(struct store *s, const char *origin,
                      const struct ls_period *p, struct store_ledger_entry *out)
{
	static const char sql[] =
	    "SELECT " LEDGER_COLS " FROM release_ledger WHERE origin = ?1 "
	    "AND period_start < ?2 + ?3 AND ?2 < period_start + months "
	    "ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (!origin_ok(origin) || ls_period_check(p) != LS_OK)
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ls_month_index(p->year, p->month));
	sqlite3_bind_int(st, 3, p->months);
	return entry_one(s, st, out, "ledger_find");
}

int store_ledger_list(struct store *s, const char *origin, store_ledger_cb cb,
                      void *arg)
{
	static const char sql[] =
	    "SELECT " LEDGER_COLS " FROM release_ledger WHERE ?1 IS NULL OR "
	    "origin = ?1 ORDER BY period_start, months, seq";
	sqlite3_stmt *st;
	int rc;

	if (origin != NULL && origin[0] != '\0' && !origin_ok(origin))
		return LS_EINVAL;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		return rc;
	if (origin != NULL && origin[0] != '\0')
		sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_ledger_entry x;
		int stop;
		entry_read(st, &x);
		if ((stop = cb(arg, &x)) != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "ledger_list");
}
