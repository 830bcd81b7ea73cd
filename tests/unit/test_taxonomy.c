/* core/taxonomy: code rules, TSV parsing, local sub-codes, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "core/taxonomy.h"
#include "tests/fixture.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	assert_non_null(fp);
	*len = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	return buf;
}

static void test_code_rules(void **state)
{
	(void)state;
	assert_true(ls_code_valid("wonen", 5));
	assert_true(ls_code_valid("12-17", 5));
	assert_true(ls_code_valid("a_b-c9", 6));
	assert_false(ls_code_valid("", 0));
	assert_false(ls_code_valid("Wonen", 5));
	assert_false(ls_code_valid("-x", 2));
	assert_false(ls_code_valid("a b", 3));
	assert_false(ls_code_valid("wonen'; drop", 12));
	assert_false(ls_code_valid("abcdefghijabcdefghijabcdefghijab", 32));
}

static void test_shipped_tsv_loads(void **state)
{
	struct ls_taxonomy t;
	struct ls_errinfo e;
	size_t len, counts[LS_DIM_COUNT_] = {0};
	char *text = read_all("configs/taxonomy.tsv", &len);
	const struct ls_taxonomy_entry *x;
	(void)state;
	ls_taxonomy_init(&t);
	assert_int_equal(ls_taxonomy_parse_tsv(text, len, &t, &e), LS_OK);
	for (size_t i = 0; i < t.n; i++)
		counts[t.entries[i].dim]++;
	assert_int_equal(counts[LS_DIM_THEME], 18);
	assert_int_equal(counts[LS_DIM_PROBLEM], 6);
	assert_int_equal(counts[LS_DIM_AGE], 6);
	assert_int_equal(counts[LS_DIM_TARGET], 11);
	assert_int_equal(counts[LS_DIM_SECTOR], 12);
	x = ls_taxonomy_find(&t, LS_DIM_THEME, "mentaal", 7);
	assert_non_null(x);
	assert_string_equal(x->label_nl, "Mentaal welzijn");
	/* the same code in two dimensions is two entries */
	assert_non_null(ls_taxonomy_find(&t, LS_DIM_SECTOR, "onderwijs", 9));
	assert_non_null(ls_taxonomy_find(&t, LS_DIM_THEME, "onderwijs", 9));
	assert_null(ls_taxonomy_find(&t, LS_DIM_AGE, "mentaal", 7));
	/* sorted by (dim, code) */
	for (size_t i = 1; i < t.n; i++)
		assert_true(
		    t.entries[i - 1].dim < t.entries[i].dim ||
		    (t.entries[i - 1].dim == t.entries[i].dim &&
		     strcmp(t.entries[i - 1].code, t.entries[i].code) < 0));
	ls_taxonomy_fini(&t);
	free(text);
}

static void test_local_subcodes(void **state)
{
	static const char tsv[] =
	    "dimension\tcode\tlabel_nl\tlabel_en\tparent\n"
	    "theme\twonen\tWonen\tHousing\t\n"
	    "theme\twonen-studenten\tKoten\tStudent rooms\twonen\n";
	struct ls_taxonomy t;
	struct ls_errinfo e;
	struct ls_taxonomy_entry x = {.dim = LS_DIM_THEME, .local = 1};
	const struct ls_taxonomy_entry *f;
	(void)state;
	ls_taxonomy_init(&t);
	assert_int_equal(ls_taxonomy_parse_tsv(tsv, strlen(tsv), &t, &e),
	                 LS_OK);
	f = ls_taxonomy_find(&t, LS_DIM_THEME, "wonen-studenten", 15);
	assert_non_null(f);
	assert_true(f->local);
	assert_string_equal(ls_taxonomy_shared_code(f), "wonen");
	/* a local code must map onto an existing shared code */
	strcpy(x.code, "lokaal");
	strcpy(x.parent, "bestaatniet");
	x.label_nl = x.label_en = (char *)"L";
	assert_int_equal(ls_taxonomy_add(&t, &x, &e), LS_EINVAL);
	/* ... and not onto another local code */
	strcpy(x.parent, "wonen-studenten");
	assert_int_equal(ls_taxonomy_add(&t, &x, &e), LS_EINVAL);
	/* duplicates are refused */
	strcpy(x.code, "wonen-studenten");
	strcpy(x.parent, "wonen");
	assert_int_equal(ls_taxonomy_add(&t, &x, &e), LS_EEXISTS);
	ls_taxonomy_fini(&t);
}

static void test_bad_tsv_names_the_line(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"code\tdimension\tlabel_nl\tlabel_en\n", "regel 1"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\ntheme\twonen\tW\n",
	     "regel 2"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\n# c\ncolour\tx\ty\tz\n",
	     "regel 3"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\ntheme\tWONEN\tW\tH\n",
	     "ongeldige code"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\nproblem_type\tgeen\tG\tN\n",
	     "voorbehouden"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\ntheme\ta\tA\tA\ntheme\ta\tB"
	     "\tB\n",
	     "bestaat al"},
	    {"dimension\tcode\tlabel_nl\tlabel_en\ntheme\ta\t\xff\tA\n",
	     "UTF-8"},
	    {"", "kopregel"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ls_taxonomy t;
		struct ls_errinfo e;
		ls_taxonomy_init(&t);
		ls_errinfo_clear(&e);
		assert_int_not_equal(
		    ls_taxonomy_parse_tsv(cases[i].text, strlen(cases[i].text),
		                          &t, &e),
		    LS_OK);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
			         cases[i].want);
		ls_taxonomy_fini(&t);
	}
}

static void test_dim_names(void **state)
{
	enum ls_dim d;
	(void)state;
	assert_int_equal(ls_dim_parse("age_band", &d), LS_OK);
	assert_int_equal(d, LS_DIM_AGE);
	assert_int_equal(ls_dim_parse("doelgroep", &d), LS_OK);
	assert_int_equal(d, LS_DIM_TARGET);
	assert_int_equal(ls_dim_parse("kleur", &d), LS_EINVAL);
	assert_string_equal(ls_dim_name(LS_DIM_PROBLEM), "problem_type");
}

static void test_add_survives_allocation_failures(void **state)
{
	static const char tsv[] = "dimension\tcode\tlabel_nl\tlabel_en\n"
	                          "theme\ta\tA\tA\ntheme\tb\tB\tB\n";
	long n;
	(void)state;
	/* count the allocations, then fail each in turn: no leak, no crash,
	 * and what *t holds afterwards is whole entries of the lines before
	 * (the header's contract), never a half-made one. */
	{
		struct ls_taxonomy t;
		ls_taxonomy_init(&t);
		ls_alloc_fail_nth(0);
		assert_int_equal(
		    ls_taxonomy_parse_tsv(tsv, strlen(tsv), &t, NULL), LS_OK);
		n = ls_alloc_fail_nth(0);
		ls_taxonomy_fini(&t);
	}
	for (long i = 1; i <= n; i++) {
		struct ls_taxonomy t;
		ls_taxonomy_init(&t);
		ls_alloc_fail_nth(i);
		assert_int_equal(
		    ls_taxonomy_parse_tsv(tsv, strlen(tsv), &t, NULL),
		    LS_ENOMEM);
		ls_alloc_fail_nth(0);
		assert_true(t.n < 2);
		for (size_t k = 0; k < t.n; k++) {
			assert_string_equal(t.entries[k].code, "a");
			assert_string_equal(t.entries[k].label_nl, "A");
			assert_string_equal(t.entries[k].label_en, "A");
		}
		ls_taxonomy_fini(&t);
		/* and the parse succeeds whole once memory is back */
		ls_taxonomy_init(&t);
		assert_int_equal(
		    ls_taxonomy_parse_tsv(tsv, strlen(tsv), &t, NULL), LS_OK);
		assert_int_equal(t.n, 2);
		assert_string_equal(t.entries[1].code, "b");
		assert_string_equal(t.entries[1].label_nl, "B");
		ls_taxonomy_fini(&t);
	}
}

/* tests/fixture_taxonomy.inc is the shipped file as C rows (for tests
 * that run without files); it must not drift from configs/. */
static void test_fixture_rows_match_the_shipped_tsv(void **state)
{
	struct ls_taxonomy t;
	size_t len;
	char *text = read_all("configs/taxonomy.tsv", &len);
	(void)state;
	ls_taxonomy_init(&t);
	assert_int_equal(ls_taxonomy_parse_tsv(text, len, &t, NULL), LS_OK);
	assert_int_equal(t.n, FX_N_TAXONOMY);
	for (size_t i = 0; i < FX_N_TAXONOMY; i++) {
		const char *code = fx_taxonomy_rows[i].code;
		const struct ls_taxonomy_entry *x = ls_taxonomy_find(
		    &t, fx_taxonomy_rows[i].dim, code, strlen(code));
		assert_non_null(x);
		assert_string_equal(x->label_nl, fx_taxonomy_rows[i].nl);
		assert_string_equal(x->label_en, fx_taxonomy_rows[i].en);
	}
	ls_taxonomy_fini(&t);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_rules),
	    cmocka_unit_test(test_shipped_tsv_loads),
	    cmocka_unit_test(test_fixture_rows_match_the_shipped_tsv),
	    cmocka_unit_test(test_local_subcodes),
	    cmocka_unit_test(test_bad_tsv_names_the_line),
	    cmocka_unit_test(test_dim_names),
	    cmocka_unit_test(test_add_survives_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
