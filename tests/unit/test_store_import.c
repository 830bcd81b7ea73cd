/* store/import: all-or-nothing CSV import; every bad input changes
 * nothing (content digest before and after). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "fixture_store.h"
#include "store/import.h"
#include "store/signal.h"

FX_GLOBAL_STORE

struct mem {
	const char *p;
	size_t len, pos;
	int fail_at;
};

static long mem_read(void *ctx, char *buf, size_t cap)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos;
	if (m->fail_at > 0 && m->pos >= (size_t)m->fail_at)
		return -1;
	if (n > cap)
		n = cap;
	if (n > 5000)
		n = 5000; /* several reads even for small inputs */
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (long)n;
}

static int import(const char *text, size_t len, int dry,
                  struct store_import_result *res)
{
	struct mem m = {text, len, 0, 0};
	struct store_import_options opt = {.dry_run = dry};
	return store_import_csv(f.s, mem_read, &m, &opt, res);
}

static const char good[] =
    "\xEF\xBB\xBFgeregistreerd_op;vastgesteld_op;thema;probleemtype;"
    "leeftijd;doelgroep;sector;organisatie;melder;aantal_personen;ernst;"
    "wijk;omschrijving\r\n"
    "2025-01-02;2025-01-01;mentaal|onderwijs;werking;12-17;student|gezin;"
    "onderwijs;CLB Test (fictief);mw-1;2;3;Wijk A;\"met ; en "
    "\"\"quotes\"\"\"\r\n"
    "2025-01-03;;wonen;;onbekend;;huisvesting;Woonmaatschappij (fictief);;"
    ";;;\r\n";

static void test_good_import_commits(void **state)
{
	struct store_import_result res;
	uint64_t n;
	(void)state;
	assert_int_equal(import(good, strlen(good), 0, &res), LS_OK);
	assert_int_equal(res.rows, 2);
	assert_int_equal(res.n_errors, 0);
	assert_int_equal(res.separator, ';');
	assert_int_equal(store_signal_count(f.s, &n), LS_OK);
	assert_int_equal(n, 2);
}

static void test_dry_run_changes_nothing(void **state)
{
	struct store_import_result res;
	char before[65], after[65];
	(void)state;
	fx_digest(f.path, before);
	assert_int_equal(import(good, strlen(good), 1, &res), LS_OK);
	assert_int_equal(res.rows, 2);
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

/* Every allocation of an import fails in turn (ours, the CSV reader's and
 * SQLite's, which allocates through ours): each failure is out of memory
 * and leaves the store as it was (content digest); each import that
 * succeeds has stored every row. A success ends the loop only when no
 * failure was injected (SQLite absorbs some), so every allocation of an
 * import is failed once. */
static void test_allocation_failures_change_nothing(void **state)
{
	struct store_import_result res;
	char before[65], after[65];
	uint64_t n = 0, count = 0;
	long fails = 0;
	int changed = 1;
	(void)state;
	for (long nth = 1;; nth++) {
		unsigned long injected;
		int rc;
		if (changed) {
			assert_int_equal(store_signal_count(f.s, &count),
			                 LS_OK);
			fx_digest(f.path, before);
			changed = 0;
		}
		injected = ls_alloc_failures();
		ls_alloc_fail_nth(nth);
		rc = import(good, strlen(good), 0, &res);
		ls_alloc_fail_nth(0);
		injected = ls_alloc_failures() - injected;
		assert_int_equal(store_signal_count(f.s, &n), LS_OK);
		if (rc == LS_OK) {
			assert_int_equal(res.rows, 2);
			assert_int_equal(res.n_errors, 0);
			assert_int_equal(n, count + 2);
			if (injected == 0)
				break;
			changed = 1;
			continue;
		}
		fails++;
		if (rc != LS_ENOMEM)
			fprintf(stderr, "alloc %ld: rc %d: %s\n", nth, rc,
			        res.n_listed ? res.errors[0].msg : "");
		assert_int_equal(rc, LS_ENOMEM);
		assert_int_equal(n, count);
		fx_digest(f.path, after);
		assert_string_equal(before, after);
		assert_true(nth < 100000);
	}
	assert_true(fails > 5);
}

/* Every kind of bad input of the issue: each refused with a clear error
 * naming line and column, and the store unchanged. */
static void test_bad_inputs_change_nothing(void **state)
{
	static const char hdr[] =
	    "geregistreerd_op;thema;leeftijd;sector;organisatie;"
	    "aantal_personen;omschrijving\n";
	static const char ok[] = "2025-02-01;wonen;25-64;ocmw;O;1;x\n";
	static const struct {
		const char *name;
		const char *rows; /* after hdr and one good row */
		const char *want;
	} cases[] = {
	    {"unknown theme", "2025-02-02;woonen;25-64;ocmw;O;1;x\n",
	     "regel 3, kolom 'thema': onbekende thema-code 'woonen'"},
	    {"unknown age", "2025-02-02;wonen;40-50;ocmw;O;1;x\n",
	     "regel 3, kolom 'leeftijd'"},
	    {"unknown sector", "2025-02-02;wonen;25-64;bank;O;1;x\n",
	     "regel 3, kolom 'sector'"},
	    {"bad date", "2025-02-29;wonen;25-64;ocmw;O;1;x\n",
	     "regel 3, kolom 'geregistreerd_op': ongeldige datum"},
	    {"date in other format", "01/02/2025;wonen;25-64;ocmw;O;1;x\n",
	     "regel 3, kolom 'geregistreerd_op'"},
	    {"bad number", "2025-02-02;wonen;25-64;ocmw;O;twee;x\n",
	     "regel 3, kolom 'aantal_personen': ongeldig getal"},
	    {"zero persons", "2025-02-02;wonen;25-64;ocmw;O;0;x\n",
	     "regel 3, kolom 'aantal_personen'"},
	    {"invalid utf-8", "2025-02-02;wonen;25-64;ocmw;O;1;caf\xe9\n",
	     "regel 3, kolom 'omschrijving': geen geldige UTF-8"},
	    {"too many columns", "2025-02-02;wonen;25-64;ocmw;O;1;x;y\n",
	     "regel 3: te veel kolommen"},
	    {"too few columns", "2025-02-02;wonen;25-64\n",
	     "regel 3: te weinig kolommen"},
	    {"missing required", "2025-02-02;;25-64;ocmw;O;1;x\n",
	     "regel 3, kolom 'thema': verplicht"},
	    {"broken quote", "2025-02-02;wonen;25-64;ocmw;O;1;\"open\n",
	     "regel 3: aanhalingsteken wordt nooit afgesloten"},
	    {"stray quote", "2025-02-02;wonen;25-64;oc\"mw;O;1;x\n",
	     "regel 3: aanhalingsteken midden"},
	    {"sql metacharacters",
	     "2025-02-02;\"wonen');DROP TABLE signal;--\";25-64;ocmw;O;1;x\n",
	     "regel 3, kolom 'thema'"},
	    {"error after many good rows",
	     "2025-02-02;wonen;25-64;ocmw;O;1;x\n"
	     "2025-02-03;wonen;25-64;ocmw;O;1;x\n"
	     "2025-02-04;wonen;25-64;ocmw;O;1;x\n"
	     "2025-02-05;wonen;25-64;ocmw;O;1;x\n"
	     "2025-02-06;wonen;25-64;ocmw;O;1;x\n"
	     "2025-02-07;wonen;25-64;xx;O;1;x\n",
	     "regel 8, kolom 'sector'"},
	};
	char before[65], after[65];
	(void)state;
	/* some data first, so "unchanged" is not trivially "empty" */
	{
		struct store_import_result res;
		assert_int_equal(import(good, strlen(good), 0, &res), LS_OK);
	}
	fx_digest(f.path, before);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[2048];
		struct store_import_result res;
		int rc;
		snprintf(text, sizeof text, "%s%s%s", hdr, ok, cases[i].rows);
		rc = import(text, strlen(text), 0, &res);
		if (rc == LS_OK)
			fail_msg("%s: accepted", cases[i].name);
		assert_true(res.n_errors >= 1);
		assert_true(res.n_listed >= 1);
		if (strstr(res.errors[0].msg, cases[i].want) == NULL)
			fail_msg("%s: '%s' lacks '%s'", cases[i].name,
			         res.errors[0].msg, cases[i].want);
		fx_digest(f.path, after);
		if (strcmp(before, after) != 0)
			fail_msg("%s: the store changed", cases[i].name);
	}
}

static void test_bad_headers_change_nothing(void **state)
{
	static const char *const cases[] = {
	    "",
	    "\n\n",
	    "geregistreerd_op;thema;leeftijd;sector\n2025-01-01;wonen;25-64;"
	    "caw\n",
	    "geregistreerd_op;thema;leeftijd;sector;organisatie;kleur\n",
	    "thema;thema;leeftijd;sector;organisatie;geregistreerd_op\n",
	};
	char before[65], after[65];
	(void)state;
	fx_digest(f.path, before);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct store_import_result res;
		assert_int_equal(import(cases[i], strlen(cases[i]), 0, &res),
		                 LS_EINVAL);
		assert_int_equal(res.n_errors, 1);
		fx_digest(f.path, after);
		assert_string_equal(before, after);
	}
}

static void test_errors_are_counted_and_listed(void **state)
{
	char text[64 * 1024];
	size_t used;
	struct store_import_result res;
	(void)state;
	used = (size_t)snprintf(text, sizeof text,
	                        "registered_at,theme,age_band,sector,"
	                        "organisation\n");
	for (int i = 0; i < 25; i++)
		used += (size_t)snprintf(text + used, sizeof text - used,
		                         "2025-01-%02d,%s,25-64,caw,O\n",
		                         1 + i % 28, i % 2 ? "nope" : "werk");
	assert_int_equal(import(text, used, 0, &res), LS_EINVAL);
	assert_int_equal(res.n_errors, 12);
	assert_int_equal(res.n_listed, STORE_IMPORT_ERRORS_MAX);
	assert_int_equal(res.rows, 13); /* valid rows, not stored */
	assert_non_null(strstr(res.errors[0].msg, "regel 3"));
	assert_non_null(strstr(res.errors[1].msg, "regel 5"));
}

static void test_duplicate_ids_and_read_errors(void **state)
{
	static const char dup[] =
	    "id,registered_at,theme,age_band,sector,organisation\n"
	    "00112233445566778899aabbccddeeff,2025-01-01,werk,25-64,caw,O\n"
	    "00112233445566778899aabbccddeeff,2025-01-02,werk,25-64,caw,O\n";
	struct store_import_result res;
	struct mem m = {good, strlen(good), 0, 200};
	char before[65], after[65];
	uint64_t n;
	(void)state;
	fx_digest(f.path, before);
	assert_int_equal(import(dup, strlen(dup), 0, &res), LS_EINVAL);
	assert_non_null(strstr(res.errors[0].msg, "regel 3"));
	assert_non_null(strstr(res.errors[0].msg, "bestaat al"));
	assert_int_equal(store_import_csv(f.s, mem_read, &m, NULL, &res),
	                 LS_EIO);
	fx_digest(f.path, after);
	assert_string_equal(before, after);
	assert_int_equal(store_signal_count(f.s, &n), LS_OK);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_good_import_commits, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_allocation_failures_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dry_run_changes_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_inputs_change_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_headers_change_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_are_counted_and_listed,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_ids_and_read_errors,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
