/* core/signal: field parsing and validation shared by every capture path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/alloc.h"
#include "core/signal.h"
#include "view/signal_json.h"
#include "fixture.h"

static struct ls_taxonomy tax;

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

static int set(struct ls_signal *s, enum ls_signal_field f, const char *v,
               struct ls_errinfo *e)
{
	ls_errinfo_clear(e);
	return ls_signal_set_field(s, f, v, strlen(v), &tax, e);
}

static void fill_valid(struct ls_signal *s)
{
	struct ls_errinfo e;
	ls_signal_init(s);
	assert_int_equal(set(s, LS_FIELD_REGISTERED_AT, "2025-03-04", &e),
	                 LS_OK);
	assert_int_equal(set(s, LS_FIELD_THEME, "mentaal|wonen", &e), LS_OK);
	assert_int_equal(set(s, LS_FIELD_AGE, "12-17", &e), LS_OK);
	assert_int_equal(set(s, LS_FIELD_SECTOR, "caw", &e), LS_OK);
	assert_int_equal(set(s, LS_FIELD_ORGANISATION, "CAW Test", &e), LS_OK);
}

static void test_valid_signal(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	(void)state;
	fill_valid(&s);
	assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
	assert_int_equal(s.n_themes, 2);
	assert_string_equal(s.themes[0]->code, "mentaal");
	assert_int_equal(s.persons, 1);
	assert_int_equal(s.status, LS_STATUS_NEW);
	/* spaces around values and capitals in codes are forgiven */
	assert_int_equal(set(&s, LS_FIELD_THEME, " Wonen | ENERGIE ", &e),
	                 LS_OK);
	assert_string_equal(s.themes[1]->code, "energie");
	assert_int_equal(set(&s, LS_FIELD_PERSONS, " 12 ", &e), LS_OK);
	assert_int_equal(s.persons, 12);
}

static void test_bad_values(void **state)
{
	static const struct {
		enum ls_signal_field f;
		const char *v;
		int rc;
		const char *want;
	} cases[] = {
	    {LS_FIELD_REGISTERED_AT, "2025-02-30", LS_EINVAL, "datum"},
	    {LS_FIELD_REGISTERED_AT, "4/3/2025", LS_EINVAL, "JJJJ-MM-DD"},
	    {LS_FIELD_THEME, "wonen|xyz", LS_EINVAL, "onbekende thema-code"},
	    {LS_FIELD_THEME, "wonen|energie|inkomen|werk", LS_EINVAL,
	     "te veel"},
	    {LS_FIELD_THEME, "wonen|wonen", LS_EINVAL, "twee keer"},
	    {LS_FIELD_THEME, "wonen||werk", LS_EINVAL, "lege code"},
	    {LS_FIELD_AGE, "12-17|18-24", LS_EINVAL, "één code"},
	    {LS_FIELD_AGE, "mentaal", LS_EINVAL, "onbekende"},
	    {LS_FIELD_SECTOR, "caw'; DROP TABLE signal; --", LS_EINVAL,
	     "onbekende"},
	    {LS_FIELD_PERSONS, "0", LS_EINVAL, "getal"},
	    {LS_FIELD_PERSONS, "1.5", LS_EINVAL, "getal"},
	    {LS_FIELD_PERSONS, "99999999999999999999", LS_EINVAL, "getal"},
	    {LS_FIELD_PERSONS, "-3", LS_EINVAL, "getal"},
	    {LS_FIELD_SEVERITY, "5", LS_EINVAL, "1 tot 4"},
	    {LS_FIELD_SEVERITY, "twee", LS_EINVAL, "getal"},
	    {LS_FIELD_ORGANISATION, "bad \xc3\x28 utf8", LS_EINVAL, "UTF-8"},
	    {LS_FIELD_ORGANISATION, "two\nlines", LS_EINVAL, "stuurteken"},
	    {LS_FIELD_DESCRIPTION,
	     "huur \xe2\x80\xae"
	     "0051 euro",
	     LS_EINVAL, "U+202E"},
	    {LS_FIELD_DESCRIPTION, "\xe2\x80\xaaLRE", LS_EINVAL, "U+202A"},
	    {LS_FIELD_DESCRIPTION, "rood \xc2\x9b" "31m", LS_EINVAL,
	     "stuurteken"},
	    {LS_FIELD_NEIGHBOURHOOD, "Noord\xc2\x85", LS_EINVAL, "stuurteken"},
	    {LS_FIELD_REPORTER, "mw\xe2\x81\xa6-12", LS_EINVAL, "U+2066"},
	    {LS_FIELD_NEIGHBOURHOOD, "Noord\xe2\x81\xa9", LS_EINVAL, "U+2069"},
	    {LS_FIELD_ORGANISATION, "CAW \xe2\x80\xad", LS_EINVAL,
	     "richtingsteken"},
	    {LS_FIELD_ID, "abc", LS_EINVAL, "32 hexadecimale"},
	    {LS_FIELD_STATUS, "klaar", LS_EINVAL, "status"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ls_signal s;
		struct ls_errinfo e;
		fill_valid(&s);
		assert_int_equal(set(&s, cases[i].f, cases[i].v, &e),
		                 cases[i].rc);
		if (strstr(e.msg, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
			         cases[i].want);
	}
}

static void test_length_limits(void **state)
{
	char big[LS_DESCRIPTION_MAX + 2];
	struct ls_signal s;
	struct ls_errinfo e;
	(void)state;
	fill_valid(&s);
	memset(big, 'x', sizeof big);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_DESCRIPTION, big,
	                                     LS_DESCRIPTION_MAX, &tax, &e),
	                 LS_OK);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_DESCRIPTION, big,
	                                     LS_DESCRIPTION_MAX + 1, &tax, &e),
	                 LS_ELIMIT);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_ORGANISATION, big,
	                                     LS_ORGANISATION_MAX + 1, &tax, &e),
	                 LS_ELIMIT);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_REPORTER, big,
	                                     LS_REPORTER_MAX + 1, &tax, &e),
	                 LS_ELIMIT);
	/* multi-line text only in the description */
	assert_int_equal(set(&s, LS_FIELD_DESCRIPTION, "a\nb\tc", &e), LS_OK);
}

static void test_cross_field_rules(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	enum ls_signal_field bad;
	(void)state;
	fill_valid(&s);
	assert_int_equal(set(&s, LS_FIELD_OBSERVED_ON, "2025-03-05", &e),
	                 LS_OK);
	assert_int_equal(ls_signal_validate(&s, &bad, &e), LS_EINVAL);
	assert_int_equal(bad, LS_FIELD_OBSERVED_ON);
	fill_valid(&s);
	assert_int_equal(set(&s, LS_FIELD_AGE, "", &e), LS_OK);
	assert_int_equal(ls_signal_validate(&s, &bad, &e), LS_EINVAL);
	assert_int_equal(bad, LS_FIELD_AGE);
	assert_non_null(strstr(e.msg, "onbekend"));
	fill_valid(&s);
	assert_int_equal(set(&s, LS_FIELD_ORGANISATION, "   ", &e), LS_OK);
	assert_int_equal(ls_signal_validate(&s, &bad, &e), LS_EINVAL);
	assert_int_equal(bad, LS_FIELD_ORGANISATION);
	fill_valid(&s);
	s.has_registered_at = 0;
	assert_int_equal(ls_signal_validate(&s, &bad, &e), LS_EINVAL);
	assert_int_equal(bad, LS_FIELD_REGISTERED_AT);
}

static void test_local_codes_count_under_shared(void **state)
{
	struct ls_taxonomy t;
	struct ls_taxonomy_entry x = {.dim = LS_DIM_THEME, .local = 1};
	struct ls_signal s;
	struct ls_errinfo e;
	enum ls_signal_field bad;
	(void)state;
	fixture_taxonomy(&t);
	strcpy(x.code, "wonen-koten");
	strcpy(x.parent, "wonen");
	x.label_nl = x.label_en = (char *)"Koten";
	assert_int_equal(ls_taxonomy_add(&t, &x, &e), LS_OK);
	ls_signal_init(&s);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_THEME,
	                                     "wonen|wonen-koten", 17, &t, &e),
	                 LS_OK);
	assert_int_equal(ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT,
	                                     "2025-01-01", 10, &t, &e),
	                 LS_OK);
	assert_int_equal(
	    ls_signal_set_field(&s, LS_FIELD_AGE, "65plus", 6, &t, &e), LS_OK);
	assert_int_equal(
	    ls_signal_set_field(&s, LS_FIELD_SECTOR, "ggz", 3, &t, &e), LS_OK);
	assert_int_equal(
	    ls_signal_set_field(&s, LS_FIELD_ORGANISATION, "X", 1, &t, &e),
	    LS_OK);
	/* both count under "wonen": refused, it would count twice */
	assert_int_equal(ls_signal_validate(&s, &bad, &e), LS_EINVAL);
	assert_int_equal(bad, LS_FIELD_THEME);
	ls_taxonomy_fini(&t);
}

static void test_field_names(void **state)
{
	enum ls_signal_field f;
	(void)state;
	assert_int_equal(ls_signal_field_parse("Geregistreerd_Op", 16, &f),
	                 LS_OK);
	assert_int_equal(f, LS_FIELD_REGISTERED_AT);
	assert_int_equal(ls_signal_field_parse("persons-affected", 16, &f),
	                 LS_OK);
	assert_int_equal(f, LS_FIELD_PERSONS);
	assert_int_equal(ls_signal_field_parse("kleur", 5, &f), LS_EINVAL);
	assert_true(ls_signal_field_required(LS_FIELD_SECTOR));
	assert_false(ls_signal_field_required(LS_FIELD_REPORTER));
}

static void test_id_hex(void **state)
{
	uint8_t id[LS_SIGNAL_ID_BYTES], back[LS_SIGNAL_ID_BYTES];
	char hex[LS_SIGNAL_ID_HEX_SIZE];
	(void)state;
	for (int i = 0; i < LS_SIGNAL_ID_BYTES; i++)
		id[i] = (uint8_t)(i * 17);
	ls_signal_id_format(id, hex);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(ls_signal_id_parse(hex, back), LS_OK);
	assert_memory_equal(id, back, sizeof id);
	assert_int_equal(ls_signal_id_parse("00", back), LS_EINVAL);
	assert_int_equal(
	    ls_signal_id_parse("zz112233445566778899aabbccddeeff", back),
	    LS_EINVAL);
}

/* The JSON shape the export and the API share: codes, lists, numbers,
 * null for what is absent, and never a key more or less. */
static void test_json_shape(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	json_t *o;
	char *text;
	(void)state;
	fill_valid(&s);
	assert_int_equal(set(&s, LS_FIELD_TARGET, "gezin|student", &e), LS_OK);
	assert_int_equal(set(&s, LS_FIELD_SEVERITY, "3", &e), LS_OK);
	assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
	memset(s.id, 0xab, sizeof s.id);
	o = ls_signal_json(&s);
	assert_non_null(o);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"thema\":[\"mentaal\",\"wonen\"]"));
	assert_non_null(strstr(text, "\"doelgroep\":[\"gezin\",\"student\"]"));
	assert_non_null(strstr(text, "\"geregistreerd_op\":\"2025-03-04\""));
	assert_non_null(strstr(text, "\"vastgesteld_op\":null"));
	assert_non_null(strstr(text, "\"probleemtype\":null"));
	assert_non_null(strstr(text, "\"melder\":null"));
	assert_non_null(strstr(text, "\"ernst\":3"));
	assert_non_null(strstr(text, "\"aantal_personen\":1"));
	assert_non_null(strstr(text, "\"organisatie\":\"CAW Test\""));
	assert_int_equal(json_object_size(o), 15);
	free(text);
	json_decref(o);
}


/* The text form (ls_signal_json_open, the API's capture answer) is byte
 * for byte jansson's compact dump of the object: every byte value in
 * every text (controls too: the view does not judge, it writes), non-ASCII
 * of two, three and four bytes, absent and present optional fields,
 * large and small numbers; bytes that are not UTF-8 are refused by both. */
static void dump_equal(const struct ls_signal *s)
{
	struct ls_buf b;
	json_t *o = ls_signal_json(s);
	char *want;
	size_t len;
	char *got;
	assert_non_null(o);
	want = json_dumps(o, JSON_COMPACT);
	assert_non_null(want);
	ls_buf_init(&b, 0);
	assert_int_equal(ls_signal_json_open(s, &b), LS_OK);
	ls_buf_add(&b, "}", 1);
	got = ls_buf_take(&b, &len);
	assert_non_null(got);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(got, want, len);
	free(want);
	ls_free(got);
	json_decref(o);
}

static void test_json_text_form(void **state)
{
	struct ls_signal s;
	struct ls_errinfo e;
	struct ls_buf b;
	char all[128], org[] = "\"CAW\" \\ Noord/Zuid \x7f \xc3\xa9\xe2\x82\xac"
	                        "\xf0\x9f\x98\x80";
	(void)state;
	fill_valid(&s);
	memset(s.id, 0x5c, sizeof s.id);
	dump_equal(&s);
	assert_int_equal(set(&s, LS_FIELD_TARGET, "gezin|student", &e), LS_OK);
	assert_int_equal(set(&s, LS_FIELD_SEVERITY, "4", &e), LS_OK);
	assert_int_equal(set(&s, LS_FIELD_PERSONS, "10000", &e), LS_OK);
	assert_int_equal(set(&s, LS_FIELD_REPORTER, "mw-1", &e), LS_OK);
	assert_int_equal(set(&s, LS_FIELD_OBSERVED_ON, "2025-03-01", &e),
	                 LS_OK);
	dump_equal(&s);
	/* every byte value from 1 to 127 in one text */
	for (int i = 1; i < 128; i++)
		all[i - 1] = (char)i;
	s.description.ptr = all;
	s.description.len = 127;
	dump_equal(&s);
	s.neighbourhood.ptr = org;
	s.neighbourhood.len = strlen(org);
	s.organisation = s.neighbourhood;
	dump_equal(&s);
	/* not UTF-8: jansson makes no object, the text form refuses */
	s.description.ptr = "ab\xc3";
	s.description.len = 3;
	assert_null(ls_signal_json(&s));
	ls_buf_init(&b, 0);
	assert_int_equal(ls_signal_json_open(&s, &b), LS_EINVAL);
	ls_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_signal),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_length_limits),
	    cmocka_unit_test(test_cross_field_rules),
	    cmocka_unit_test(test_local_codes_count_under_shared),
	    cmocka_unit_test(test_field_names),
	    cmocka_unit_test(test_id_hex),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_json_text_form),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
