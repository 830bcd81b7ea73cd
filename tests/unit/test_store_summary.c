/* store/summary: the raw summary against counts computed independently
 * in the test from the signals it inserted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/period.h"
#include "core/signal.h"
#include "fixture_store.h"
#include "store/signal.h"
#include "store/summary.h"
#include "store/taxonomy.h"

#define N_SIGNALS 3000
#define CAP 5

static struct fx f;

/* What the test knows about each signal, in shared codes. */
struct known {
	struct ls_date reg;
	int n_themes;
	char themes[3][LS_CODE_SIZE];
	char age[LS_CODE_SIZE], sector[LS_CODE_SIZE], problem[LS_CODE_SIZE];
	int n_targets;
	char targets[3][LS_CODE_SIZE];
	int64_t persons;
	int org, reporter; /* reporter -1: none */
};

static struct known known[N_SIGNALS];

struct exp_row {
	char theme[LS_CODE_SIZE], other[LS_CODE_SIZE];
	int64_t signals, persons;
};

struct exp_table {
	size_t n;
	struct exp_row rows[2048];
};

static uint64_t rng = 12345;
static uint32_t next(uint32_t n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((rng >> 33) % n);
}

static const char *const themes[] = {"wonen", "mentaal", "energie", "werk",
                                     "wonen-koten"};
static const char *const ages[] = {"0-11", "12-17", "25-64", "onbekend"};
static const char *const sectors[] = {"caw", "ocmw", "ggz"};
static const char *const problems[] = {"", "werking", "regelgeving"};
static const char *const targets[] = {"gezin", "student", "dakloos"};

static const char *shared(const char *code)
{
	return strcmp(code, "wonen-koten") == 0 ? "wonen" : code;
}

static void set(struct ls_signal *s, enum ls_signal_field fld, const char *v)
{
	struct ls_errinfo e;
	if (ls_signal_set_field(s, fld, v, strlen(v), store_taxonomy(f.s),
	                        &e) != LS_OK)
		fail_msg("%s: %s", v, e.msg);
}

static int setup(void **state)
{
	struct ls_errinfo e;
	(void)state;
	fx_open(&f);
	assert_int_equal(store_taxonomy_add_local(f.s, LS_DIM_THEME,
	                                          "wonen-koten", "wonen",
	                                          "Koten", "Student rooms", &e),
	                 LS_OK);
	assert_int_equal(store_tx_begin(f.s), LS_OK);
	for (int i = 0; i < N_SIGNALS; i++) {
		struct known *k = &known[i];
		struct ls_signal s;
		char date[LS_DATE_SIZE], buf[128], org[32], rep[32];
		memset(k, 0, sizeof *k);
		/* Feb..Apr 2025, so March has neighbours on both sides */
		k->reg.year = 2025;
		k->reg.month = 2 + (int)next(3);
		k->reg.day =
		    1 +
		    (int)next((uint32_t)ls_days_in_month(2025, k->reg.month));
		ls_date_format(&k->reg, date);
		ls_signal_init(&s);
		set(&s, LS_FIELD_REGISTERED_AT, date);
		/* 1-3 themes whose shared codes differ */
		{
			int n = 1 + (int)next(3), got = 0;
			buf[0] = '\0';
			for (int t = 0; t < 8 && got < n; t++) {
				const char *c = themes[next(5)];
				int dup = 0;
				for (int j = 0; j < got; j++)
					dup |= strcmp(k->themes[j],
					              shared(c)) == 0;
				if (dup)
					continue;
				strcpy(k->themes[got++], shared(c));
				if (buf[0])
					strcat(buf, "|");
				strcat(buf, c);
			}
			k->n_themes = got;
			set(&s, LS_FIELD_THEME, buf);
		}
		strcpy(k->age, ages[next(4)]);
		set(&s, LS_FIELD_AGE, k->age);
		strcpy(k->sector, sectors[next(3)]);
		set(&s, LS_FIELD_SECTOR, k->sector);
		strcpy(k->problem, problems[next(3)]);
		set(&s, LS_FIELD_PROBLEM, k->problem);
		if (k->problem[0] == '\0')
			strcpy(k->problem, "geen");
		{
			int n = (int)next(3);
			buf[0] = '\0';
			for (int t = 0; t < n; t++) {
				const char *c = targets[(i + t) % 3];
				strcpy(k->targets[t], c);
				if (buf[0])
					strcat(buf, "|");
				strcat(buf, c);
			}
			k->n_targets = n;
			set(&s, LS_FIELD_TARGET, buf);
		}
		k->persons = 1 + (int64_t)next(9);
		snprintf(buf, sizeof buf, "%lld", (long long)k->persons);
		set(&s, LS_FIELD_PERSONS, buf);
		k->org = (int)next(7);
		snprintf(org, sizeof org, "Org %d (fictief)", k->org);
		set(&s, LS_FIELD_ORGANISATION, org);
		k->reporter = next(4) == 0 ? -1 : (int)next(11);
		if (k->reporter >= 0) {
			/* reporter ids are per organisation */
			snprintf(rep, sizeof rep, "mw-%d", k->reporter);
			set(&s, LS_FIELD_REPORTER, rep);
			k->reporter = k->org * 100 + k->reporter;
		}
		assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
	}
	assert_int_equal(store_tx_commit(f.s), LS_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_close(&f);
	return 0;
}

static void add_exp(struct exp_table *t, const char *theme, const char *other,
                    int64_t persons)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->rows[i].theme, theme) == 0 &&
		    strcmp(t->rows[i].other, other) == 0) {
			t->rows[i].signals++;
			t->rows[i].persons += persons;
			return;
		}
	}
	assert_true(t->n < 2048);
	strcpy(t->rows[t->n].theme, theme);
	strcpy(t->rows[t->n].other, other);
	t->rows[t->n].signals = 1;
	t->rows[t->n].persons = persons;
	t->n++;
}

static int cmp_exp(const void *a, const void *b)
{
	const struct exp_row *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	return c ? c : strcmp(x->other, y->other);
}

static void expect_equal(struct exp_table *want,
                         const struct ls_summary_table *got, const char *name)
{
	qsort(want->rows, want->n, sizeof want->rows[0], cmp_exp);
	if (got->n_rows != want->n)
		fail_msg("%s: %zu rows, want %zu", name, got->n_rows, want->n);
	for (size_t i = 0; i < want->n; i++) {
		const struct ls_summary_row *r = &got->rows[i];
		if (strcmp(r->theme, want->rows[i].theme) ||
		    strcmp(r->other, want->rows[i].other) ||
		    r->signals.value != want->rows[i].signals ||
		    r->persons.value != want->rows[i].persons)
			fail_msg("%s row %zu: got %s/%s %lld %lld, want %s/%s "
			         "%lld %lld",
			         name, i, r->theme, r->other,
			         (long long)r->signals.value,
			         (long long)r->persons.value,
			         want->rows[i].theme, want->rows[i].other,
			         (long long)want->rows[i].signals,
			         (long long)want->rows[i].persons);
		assert_int_equal(r->signals.kind, LS_CELL_EXACT);
		assert_int_equal(r->signals.lo, r->signals.value);
		assert_int_equal(r->signals.hi, r->signals.value);
		assert_int_equal(r->persons.lo, r->persons.value);
		assert_true(r->signals.value > 0);
	}
}

static void check_period(const struct ls_period *p, uint32_t cap)
{
	static struct exp_table want[LS_TABLE_COUNT_];
	struct ls_summary sum;
	struct ls_errinfo e;
	memset(want, 0, sizeof want);
	for (int i = 0; i < N_SIGNALS; i++) {
		const struct known *k = &known[i];
		int64_t pc = cap && k->persons > cap ? cap : k->persons;
		if (!ls_period_contains(p, &k->reg))
			continue;
		for (int t = 0; t < k->n_themes; t++) {
			const char *th = k->themes[t];
			add_exp(&want[LS_TABLE_THEME], th, "", pc);
			add_exp(&want[LS_TABLE_THEME_AGE], th, k->age, pc);
			add_exp(&want[LS_TABLE_THEME_SECTOR], th, k->sector,
			        pc);
			add_exp(&want[LS_TABLE_THEME_PROBLEM], th, k->problem,
			        pc);
			for (int g = 0; g < k->n_targets; g++)
				add_exp(&want[LS_TABLE_THEME_TARGET], th,
				        k->targets[g], pc);
		}
	}
	assert_int_equal(store_summary_raw(f.s, p, cap, &sum, &e), LS_OK);
	assert_int_equal(sum.period.month, p->month);
	assert_int_equal(sum.params.persons_cap, cap);
	expect_equal(&want[LS_TABLE_THEME], &sum.tables[LS_TABLE_THEME],
	             "theme");
	expect_equal(&want[LS_TABLE_THEME_AGE], &sum.tables[LS_TABLE_THEME_AGE],
	             "theme x age");
	expect_equal(&want[LS_TABLE_THEME_TARGET],
	             &sum.tables[LS_TABLE_THEME_TARGET], "theme x target");
	expect_equal(&want[LS_TABLE_THEME_SECTOR],
	             &sum.tables[LS_TABLE_THEME_SECTOR], "theme x sector");
	expect_equal(&want[LS_TABLE_THEME_PROBLEM],
	             &sum.tables[LS_TABLE_THEME_PROBLEM], "theme x problem");
	/* recurrence: distinct organisations and known reporters */
	assert_int_equal(sum.n_recurrence, want[LS_TABLE_THEME].n);
	for (size_t r = 0; r < sum.n_recurrence; r++) {
		const char *th = sum.recurrence[r].theme;
		/* an organisation counts once per sector it reported
		 * under (store/summary.c, org_sector) */
		char orgs[7][8][LS_CODE_SIZE];
		size_t n_sec[7] = {0};
		static uint8_t reps[800];
		int64_t n_orgs = 0, n_reps = 0;
		memset(reps, 0, sizeof reps);
		assert_string_equal(th, want[LS_TABLE_THEME].rows[r].theme);
		for (int i = 0; i < N_SIGNALS; i++) {
			const struct known *k = &known[i];
			int has = 0;
			if (!ls_period_contains(p, &k->reg))
				continue;
			for (int t = 0; t < k->n_themes; t++)
				has |= strcmp(k->themes[t], th) == 0;
			if (!has)
				continue;
			{
				size_t j = 0;
				while (j < n_sec[k->org] &&
				       strcmp(orgs[k->org][j], k->sector) != 0)
					j++;
				if (j == n_sec[k->org]) {
					assert_true(j < 8);
					snprintf(orgs[k->org][j], LS_CODE_SIZE,
					         "%s", k->sector);
					n_sec[k->org]++;
					n_orgs++;
				}
			}
			if (k->reporter >= 0 && !reps[k->reporter]) {
				reps[k->reporter] = 1;
				n_reps++;
			}
		}
		assert_int_equal(sum.recurrence[r].organisations.value, n_orgs);
		assert_int_equal(sum.recurrence[r].reporters.value, n_reps);
	}
	ls_summary_fini(&sum);
}

static void test_month_matches_independent_counts(void **state)
{
	struct ls_period march = {2025, 3, 1};
	(void)state;
	check_period(&march, CAP);
}

static void test_no_cap_and_longer_periods(void **state)
{
	struct ls_period p = {2025, 2, 1};
	(void)state;
	check_period(&p, 0);
	p.months = 3;
	check_period(&p, 2);
}

static void test_empty_and_bad_periods(void **state)
{
	struct ls_period empty = {2024, 1, 1}, bad = {2025, 13, 1};
	struct ls_summary sum;
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(store_summary_raw(f.s, &empty, CAP, &sum, &e), LS_OK);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		assert_int_equal(sum.tables[t].n_rows, 0);
	assert_int_equal(sum.n_recurrence, 0);
	ls_summary_fini(&sum);
	assert_int_equal(store_summary_raw(f.s, &bad, CAP, &sum, &e),
	                 LS_EINVAL);
	ls_summary_fini(&sum);
}

/* Organisation and reporter ids are row ids; huge ones (a database that
 * was written by hand, or renumbered) are counted right too, and ids that
 * cannot be are refused, not miscounted. */
static void add_one(const char *date, const char *org, const char *rep)
{
	struct ls_signal s;
	struct ls_errinfo e;
	ls_signal_init(&s);
	set(&s, LS_FIELD_REGISTERED_AT, date);
	set(&s, LS_FIELD_THEME, "wonen");
	set(&s, LS_FIELD_AGE, "25-64");
	set(&s, LS_FIELD_SECTOR, "caw");
	set(&s, LS_FIELD_ORGANISATION, org);
	set(&s, LS_FIELD_REPORTER, rep);
	assert_int_equal(store_signal_insert(f.s, &s, &e), LS_OK);
}

static void test_huge_row_ids(void **state)
{
	struct ls_period june = {2026, 6, 1}, july = {2026, 7, 1};
	struct ls_summary sum;
	struct ls_errinfo e;
	sqlite3 *db;
	(void)state;
	assert_int_equal(sqlite3_open(f.path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "INSERT INTO organisation (id, name) VALUES "
	                 "(5000000000000, 'Groot (fictief)'), "
	                 "(1125899906842624, 'Te groot (fictief)');"
	                 "INSERT INTO reporter (id, organisation_id, local_id) "
	                 "VALUES (4000000000000, 5000000000000, 'mw-a'), "
	                 "(4000000000001, 5000000000000, 'mw-b');",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	add_one("2026-06-02", "Groot (fictief)", "mw-a");
	add_one("2026-06-03", "Groot (fictief)", "mw-a");
	add_one("2026-06-04", "Groot (fictief)", "mw-b");
	add_one("2026-06-05", "Org 1 (fictief)", "mw-1");
	assert_int_equal(store_summary_raw(f.s, &june, CAP, &sum, &e), LS_OK);
	assert_int_equal(sum.n_recurrence, 1);
	assert_int_equal(sum.tables[LS_TABLE_THEME].rows[0].signals.value, 4);
	assert_int_equal(sum.recurrence[0].organisations.value, 2);
	assert_int_equal(sum.recurrence[0].reporters.value, 3);
	ls_summary_fini(&sum);
	/* 2^50 does not fit the counter's ids: refused */
	add_one("2026-07-02", "Te groot (fictief)", "mw-c");
	assert_int_equal(store_summary_raw(f.s, &july, CAP, &sum, &e),
	                 LS_ECORRUPT);
	ls_summary_fini(&sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_month_matches_independent_counts),
	    cmocka_unit_test(test_no_cap_and_longer_periods),
	    cmocka_unit_test(test_empty_and_bad_periods),
	    cmocka_unit_test(test_huge_row_ids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
