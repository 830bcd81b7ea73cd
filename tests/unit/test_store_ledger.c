/* store/ledger: one row per release, the yearly privacy budget, at most
 * one first release per period, append-only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/ledger.h"
#include "tests/unit/fixture_store.h"

#define T_NOW 1764547200LL /* 2025-12-01 */

static struct store_ledger_entry entry(uint64_t seq, int year, int month,
                                       uint64_t supersedes, uint64_t cost)
{
	struct store_ledger_entry x;
	memset(&x, 0, sizeof x);
	strcpy(x.origin, "gent");
	x.seq = seq;
	x.period = (struct ls_period){year, month, 1};
	x.supersedes = supersedes;
	x.mode = cost > 0 ? LS_MODE_NOISE : LS_MODE_THRESHOLD;
	x.epsilon_milli = (uint32_t)cost;
	x.cost_milli = cost;
	x.budget_milli = 3000;
	x.at = T_NOW;
	return x;
}

static void test_budget(void **state)
{
	struct fx *f = *state;
	struct store_ledger_entry x;
	struct ls_errinfo e;
	uint64_t spent;
	char before[65], after[65];

	x = entry(1, 2025, 1, 0, 1000);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_true(x.id > 0);
	x = entry(2, 2025, 2, 0, 1500);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_int_equal(store_ledger_spent(f->s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 2500);
	/* 2500 + 600 > 3000: refused, nothing written */
	fx_digest(f->path, before);
	x = entry(3, 2025, 3, 0, 600);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EBUDGET);
	assert_non_null(strstr(e.msg, "privacybudget"));
	fx_digest(f->path, after);
	assert_string_equal(before, after);
	/* exactly the rest fits */
	x = entry(3, 2025, 3, 0, 500);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	/* another year has its own budget; threshold releases cost 0
	 * and always fit */
	x = entry(4, 2026, 1, 0, 1000);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_int_equal(store_ledger_spent(f->s, 2026, &spent), LS_OK);
	assert_int_equal(spent, 1000);
	x = entry(5, 2025, 4, 0, 0);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_int_equal(store_ledger_spent(f->s, 2024, &spent), LS_OK);
	assert_int_equal(spent, 0);
}

static void test_one_first_release(void **state)
{
	struct fx *f = *state;
	struct store_ledger_entry x, got;
	struct ls_errinfo e;
	char before[65], after[65];

	x = entry(1, 2025, 3, 0, 0);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	fx_digest(f->path, before);
	x = entry(2, 2025, 3, 0, 0); /* a second first release */
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EEXISTS);
	x = entry(1, 2025, 4, 0, 0); /* seq taken */
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EEXISTS);
	/* malformed */
	x = entry(0, 2025, 4, 0, 0);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EINVAL);
	x = entry(2, 2025, 13, 0, 0);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EINVAL);
	x = entry(2, 2025, 4, 2, 0); /* supersedes itself */
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EINVAL);
	x = entry(2, 2025, 4, 0, 0);
	strcpy(x.origin, "Gent!");
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EINVAL);
	fx_digest(f->path, after);
	assert_string_equal(before, after);
	/* a correction is fine, and becomes the latest */
	x = entry(2, 2025, 3, 1, 0);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_int_equal(store_ledger_find(f->s, "gent",
	                                   &(struct ls_period){2025, 3, 1},
	                                   &got),
	                 LS_OK);
	assert_int_equal(got.seq, 2);
	assert_int_equal(got.supersedes, 1);
	/* overlapping periods are found, others not */
	assert_int_equal(store_ledger_find(f->s, "gent",
	                                   &(struct ls_period){2025, 1, 3},
	                                   &got),
	                 LS_OK);
	assert_int_equal(got.period.month, 3);
	assert_int_equal(store_ledger_find(f->s, "gent",
	                                   &(struct ls_period){2025, 4, 3},
	                                   &got),
	                 LS_ENOTFOUND);
	assert_int_equal(store_ledger_find(f->s, "brugge",
	                                   &(struct ls_period){2025, 3, 1},
	                                   &got),
	                 LS_ENOTFOUND);
}

static int count_cb(void *arg, const struct store_ledger_entry *x)
{
	int *n = arg;
	(void)x;
	(*n)++;
	return 0;
}

static void test_append_only(void **state)
{
	struct fx *f = *state;
	struct store_ledger_entry x;
	struct ls_errinfo e;
	sqlite3 *db;
	int n = 0;

	x = entry(1, 2025, 3, 0, 1000);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	x = entry(2, 2025, 2, 0, 1000);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	assert_int_equal(store_ledger_list(f->s, "gent", count_cb, &n), LS_OK);
	assert_int_equal(n, 2);
	/* lowering what was spent, or forgetting a release, is refused */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db,
	                                  "UPDATE release_ledger SET "
	                                  "cost_milli = 0",
	                                  NULL, NULL, NULL),
	                     SQLITE_OK);
	assert_int_not_equal(
	    sqlite3_exec(db, "DELETE FROM release_ledger", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	n = 0;
	assert_int_equal(store_ledger_list(f->s, NULL, count_cb, &n), LS_OK);
	assert_int_equal(n, 2);
}

/* A release found in the own feed is recorded whatever the budget says
 * (it was spent); the count and the lookup by seq; bad input refused. */
static void test_recover_count_get(void **state)
{
	struct fx *f = *state;
	struct store_ledger_entry x, got;
	struct ls_errinfo e;
	uint32_t n = 99;
	uint64_t spent;
	char before[65], after[65];

	x = entry(1, 2025, 1, 0, 2000);
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_OK);
	x = entry(2, 2025, 1, 1, 2000); /* over the 3000: add refuses ... */
	assert_int_equal(store_ledger_add(f->s, &x, &e), LS_EBUDGET);
	assert_int_equal(store_ledger_recover(f->s, &x, &e), LS_OK); /* ... */
	assert_int_equal(store_ledger_spent(f->s, 2025, &spent), LS_OK);
	assert_int_equal(spent, 4000);
	/* still one first release per period, recovered or not */
	x = entry(3, 2025, 1, 0, 0);
	assert_int_equal(store_ledger_recover(f->s, &x, &e), LS_EEXISTS);
	assert_int_equal(store_ledger_count(f->s, "gent", &x.period, &n),
	                 LS_OK);
	assert_int_equal(n, 2);
	x.period.month = 2;
	assert_int_equal(store_ledger_count(f->s, "gent", &x.period, &n),
	                 LS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_ledger_get(f->s, "gent", 2, &got), LS_OK);
	assert_int_equal(got.supersedes, 1);
	assert_int_equal(got.cost_milli, 2000);
	assert_int_equal(store_ledger_get(f->s, "gent", 3, &got),
	                 LS_ENOTFOUND);
	/* bad input: refused, nothing written */
	fx_digest(f->path, before);
	assert_int_equal(store_ledger_get(f->s, "Gent!", 1, &got), LS_EINVAL);
	assert_int_equal(store_ledger_get(f->s, "gent", 0, &got), LS_EINVAL);
	assert_int_equal(store_ledger_count(f->s, "", &x.period, &n),
	                 LS_EINVAL);
	x.period.month = 13;
	assert_int_equal(store_ledger_count(f->s, "gent", &x.period, &n),
	                 LS_EINVAL);
	x = entry(0, 2025, 3, 0, 1000);
	assert_int_equal(store_ledger_recover(f->s, &x, &e), LS_EINVAL);
	fx_digest(f->path, after);
	assert_string_equal(before, after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_budget, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_recover_count_get, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_one_first_release, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_append_only, fx_setup,
	                                    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
