/* core/csv: the streaming reader and the header/row mapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/alloc.h"
#include "core/csv.h"
#include "fixture.h"

struct mem {
	const char *p;
	size_t len, pos, chunk;
	int fail_at; /* return -1 when pos reaches this (if > 0) */
};

static long mem_read(void *ctx, char *buf, size_t cap)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos;
	if (m->fail_at > 0 && m->pos >= (size_t)m->fail_at)
		return -1;
	if (n > cap)
		n = cap;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (long)n;
}

/* Read all records of text; fields joined as "a|b|c" per record, records
 * joined by "\n" into out. Returns the rc of the first failing next. */
static int read_all(const char *text, size_t len, size_t chunk, char *out,
                    size_t size, struct ls_errinfo *e)
{
	struct mem m = {text, len, 0, chunk, 0};
	struct ls_csv *c;
	struct ls_csv_record r;
	size_t used = 0;
	int rc;
	out[0] = '\0';
	assert_int_equal(ls_csv_open(&c, mem_read, &m), LS_OK);
	for (;;) {
		rc = ls_csv_next(c, &r, e);
		if (rc != LS_OK || r.n_fields == 0)
			break;
		for (size_t i = 0; i < r.n_fields; i++)
			used +=
			    (size_t)snprintf(out + used, size - used, "%s%s",
			                     i ? "|" : "", r.field[i]);
		used += (size_t)snprintf(out + used, size - used, "@%llu\n",
		                         (unsigned long long)r.line);
	}
	ls_csv_close(c);
	return rc;
}

static void test_reader_formats(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
	    {"a;b;c\n1;2;3\n", "a|b|c@1\n1|2|3@2\n"},
	    {"a,b,c\r\n1,2,3\r\n", "a|b|c@1\n1|2|3@2\n"},
	    {"a,b;c\n1,2;3\n", "a|b;c@1\n1|2;3@2\n"}, /* ',' wins 2:1 */
	    {"\xEF\xBB\xBFx;y\n1;2", "x|y@1\n1|2@2\n"},
	    {"a;b\r1;2\r", "a|b@1\n1|2@2\n"},
	    {"a;b\n\"x;y\";\"he said \"\"hi\"\"\"\n",
	     "a|b@1\nx;y|he said \"hi\"@2\n"},
	    {"a;b\n\"line1\nline2\";z\nq;r\n",
	     "a|b@1\nline1\nline2|z@2\nq|r@4\n"},
	    {"a;b\n\n;\n  ;\n1;2\n;;\n", "a|b@1\n  |@4\n1|2@5\n"},
	    {"a;b\n1;\n", "a|b@1\n1|@2\n"},
	    {"a;b\n\"\";x\n", "a|b@1\n|x@2\n"},
	    {"", ""},
	    {"\n\n", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* the same result whatever the read sizes */
		static const size_t chunks[] = {0, 1, 2, 3, 7};
		for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
			char out[512];
			struct ls_errinfo e;
			int rc = read_all(cases[i].in, strlen(cases[i].in),
			                  chunks[k], out, sizeof out, &e);
			if (rc != LS_OK)
				fail_msg("case %zu chunk %zu: %s", i, chunks[k],
				         e.msg);
			if (strcmp(out, cases[i].want) != 0)
				fail_msg("case %zu chunk %zu: got [%s] want "
				         "[%s]",
				         i, chunks[k], out, cases[i].want);
		}
	}
}

static void test_reader_errors_name_the_line(void **state)
{
	static const struct {
		const char *in;
		int rc;
		const char *want;
	} cases[] = {
	    {"a;b\n1;x\"y\n", LS_EDECODE, "regel 2: aanhalingsteken midden"},
	    {"a;b\n\"x\"y;2\n", LS_EDECODE, "regel 2: onverwacht teken"},
	    {"a;b\n1;2\n\"open;3\n4;5\n", LS_EDECODE,
	     "regel 3: aanhalingsteken wordt nooit afgesloten"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[512];
		struct ls_errinfo e;
		ls_errinfo_clear(&e);
		assert_int_equal(read_all(cases[i].in, strlen(cases[i].in), 0,
		                          out, sizeof out, &e),
		                 cases[i].rc);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
			         cases[i].want);
	}
}

static void test_reader_limits(void **state)
{
	char *big = malloc(LS_CSV_MAX_RECORD + 100);
	char out[512];
	struct ls_errinfo e;
	size_t n = 0;
	(void)state;
	/* too many fields */
	n = (size_t)sprintf(big, "a");
	for (int i = 0; i < LS_CSV_MAX_FIELDS; i++)
		n += (size_t)sprintf(big + n, ";a");
	big[n++] = '\n';
	assert_int_equal(read_all(big, n, 0, out, sizeof out, &e), LS_ELIMIT);
	assert_non_null(strstr(e.msg, "te veel kolommen"));
	/* a record longer than the limit */
	memcpy(big, "a\n\"", 3);
	memset(big + 3, 'x', LS_CSV_MAX_RECORD + 10);
	n = LS_CSV_MAX_RECORD + 13;
	assert_int_equal(read_all(big, n, 0, out, sizeof out, &e), LS_ELIMIT);
	assert_non_null(strstr(e.msg, "regel 2: regel te lang"));
	free(big);
}

static void test_reader_read_error_and_sticky_failure(void **state)
{
	static const char text[] = "a;b\n1;2\n3;4\n";
	struct mem m = {text, sizeof text - 1, 0, 1, 6};
	struct ls_csv *c;
	struct ls_csv_record r;
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(ls_csv_open(&c, mem_read, &m), LS_OK);
	assert_int_equal(ls_csv_next(c, &r, &e), LS_OK);
	assert_int_equal(ls_csv_next(c, &r, &e), LS_EIO);
	assert_int_equal(ls_csv_next(c, &r, &e), LS_EIO);
	ls_csv_close(c);
}

/* --- mapper ----------------------------------------------------------- */

static struct ls_taxonomy tax;

static int map_rows(const char *text, struct ls_signal *last,
                    struct ls_errinfo *e)
{
	struct mem m = {text, strlen(text), 0, 0, 0};
	struct ls_csv *c;
	struct ls_csv_record r;
	struct ls_csv_map map;
	int rc;
	assert_int_equal(ls_csv_open(&c, mem_read, &m), LS_OK);
	rc = ls_csv_next(c, &r, e);
	if (rc == LS_OK)
		rc = ls_csv_map_header(&map, &r, e);
	while (rc == LS_OK) {
		rc = ls_csv_next(c, &r, e);
		if (rc != LS_OK || r.n_fields == 0)
			break;
		rc = ls_csv_map_row(&map, &r, &tax, last, e);
	}
	ls_csv_close(c);
	return rc;
}

static void test_mapper_dutch_and_english(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(map_rows("registered_at,theme,age_band,sector,"
	                          "organisation,persons_affected\n"
	                          "2025-05-01,verslaving,18-24,ggz,X,4\n",
	                          &s, &e),
	                 LS_OK);
	assert_int_equal(s.persons, 4);
	assert_string_equal(s.themes[0]->code, "verslaving");
	assert_int_equal(map_rows("Thema;Leeftijd;Sector;Organisatie;"
	                          "Geregistreerd_op;Omschrijving\n"
	                          "werk;25-64;werk;VDAB (fictief);2025-05-02;"
	                          "\"tekst; met scheidingsteken\"\n",
	                          &s, &e),
	                 LS_OK);
	assert_int_equal(s.description.len, 26);
}

static void test_mapper_errors(void **state)
{
	static const char hdr[] =
	    "geregistreerd_op;thema;leeftijd;sector;organisatie;ernst\n";
	static const struct {
		const char *text;
		int with_header;
		const char *want;
	} cases[] = {
	    {"geregistreerd_op;thema;kleur\n", 0,
	     "kolom 3: onbekende kolomnaam 'kleur'"},
	    {"geregistreerd_op;thema;leeftijd;sector;organisatie;theme\n", 0,
	     "kolom 'thema' staat er twee keer"},
	    {"geregistreerd_op;thema;leeftijd;organisatie\n", 0,
	     "verplichte kolom 'sector'"},
	    {"2025-01-01;wonen;12-17;caw;X;2;extra\n", 1,
	     "regel 2: te veel kolommen (7, de kopregel heeft er 6)"},
	    {"2025-01-01;wonen;12-17;caw\n", 1, "regel 2: te weinig kolommen"},
	    {"2025-01-01;wonen;12-17;caw;X;9\n", 1, "regel 2, kolom 'ernst'"},
	    {"2025-01-01;wonen;;caw;X;1\n", 1,
	     "regel 2, kolom 'leeftijd': verplicht"},
	    {"2025-01-01;wonen;12-17;caw;\xff;1\n", 1,
	     "kolom 'organisatie': geen geldige UTF-8"},
	    {"", 0, "leeg"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		struct ls_signal s;
		struct ls_errinfo e;
		snprintf(text, sizeof text, "%s%s",
		         cases[i].with_header ? hdr : "", cases[i].text);
		ls_errinfo_clear(&e);
		assert_int_not_equal(map_rows(text, &s, &e), LS_OK);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
			         cases[i].want);
	}
}

static void test_open_fails_cleanly_without_memory(void **state)
{
	struct ls_csv *c = NULL;
	struct mem m = {"", 0, 0, 0, 0};
	(void)state;
	ls_alloc_fail_nth(1);
	assert_int_equal(ls_csv_open(&c, mem_read, &m), LS_ENOMEM);
	ls_alloc_fail_nth(0);
	/* nothing made, nothing read: the input is still all there */
	assert_null(c);
	assert_int_equal(m.pos, 0);
}

static int setup(void **state)
{
	(void)state;
	fixture_taxonomy(&tax);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ls_taxonomy_fini(&tax);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reader_formats),
	    cmocka_unit_test(test_reader_errors_name_the_line),
	    cmocka_unit_test(test_reader_limits),
	    cmocka_unit_test(test_reader_read_error_and_sticky_failure),
	    cmocka_unit_test(test_mapper_dutch_and_english),
	    cmocka_unit_test(test_mapper_errors),
	    cmocka_unit_test(test_open_fails_cleanly_without_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
