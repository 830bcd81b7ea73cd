/* core/dossier: the phase table, criteria, and text checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "core/dossier.h"

static void test_transition_table(void **state)
{
	/* The documented table, written out independently. */
	static const char *const allowed[][2] = {
	    {"opmerken", "verzamelen"},    {"verzamelen", "opmerken"},
	    {"verzamelen", "bundelen"},    {"bundelen", "verzamelen"},
	    {"bundelen", "analyseren"},    {"analyseren", "verzamelen"},
	    {"analyseren", "rapporteren"}, {"rapporteren", "beslissing"},
	    {"beslissing", "actie"},       {"beslissing", "feedback"},
	    {"actie", "feedback"},         {"feedback", "verzamelen"},
	};
	(void)state;
	for (int from = 0; from < LS_PHASE_COUNT_; from++) {
		for (int to = 0; to < LS_PHASE_COUNT_; to++) {
			int want = 0;
			for (size_t i = 0;
			     i < sizeof allowed / sizeof allowed[0]; i++)
				if (strcmp(allowed[i][0],
				           ls_phase_name(
				               (enum ls_phase)from)) == 0 &&
				    strcmp(allowed[i][1],
				           ls_phase_name((enum ls_phase)to)) ==
				        0)
					want = 1;
			assert_int_equal(
			    ls_dossier_transition_allowed((enum ls_phase)from,
			                                  (enum ls_phase)to),
			    want);
		}
	}
	assert_false(ls_dossier_transition_allowed(LS_PHASE_COUNT_, 0));
}

static void test_check_transition_messages(void **state)
{
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(ls_dossier_check_transition(LS_PHASE_OPMERKEN,
	                                             LS_PHASE_ACTIE, 0, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "toegelaten: verzamelen"));
	assert_int_equal(ls_dossier_check_transition(
	                     LS_PHASE_ANALYSEREN, LS_PHASE_RAPPORTEREN,
	                     LS_CRIT_DUIDELIJK | LS_CRIT_GEDEELD, &e),
	                 LS_ESTATE);
	assert_non_null(strstr(e.msg, "neutraal,herkend"));
	assert_int_equal(ls_dossier_check_transition(LS_PHASE_ANALYSEREN,
	                                             LS_PHASE_RAPPORTEREN,
	                                             LS_CRIT_ALL, &e),
	                 LS_OK);
	assert_int_equal(ls_dossier_check_transition(
	                     LS_PHASE_BUNDELEN, LS_PHASE_ANALYSEREN, 0, &e),
	                 LS_OK);
}

static void test_phase_names(void **state)
{
	enum ls_phase p;
	(void)state;
	for (int i = 0; i < LS_PHASE_COUNT_; i++) {
		assert_int_equal(
		    ls_phase_parse(ls_phase_name((enum ls_phase)i), &p), LS_OK);
		assert_int_equal(p, i);
	}
	assert_int_equal(ls_phase_parse("klaar", &p), LS_EINVAL);
}

static void test_criteria(void **state)
{
	unsigned m;
	struct ls_errinfo e;
	char buf[64];
	(void)state;
	assert_int_equal(ls_criteria_parse("duidelijk,gedeeld", &m, &e), LS_OK);
	assert_int_equal(m, LS_CRIT_DUIDELIJK | LS_CRIT_GEDEELD);
	assert_int_equal(ls_criteria_parse("alle", &m, &e), LS_OK);
	assert_int_equal(m, LS_CRIT_ALL);
	assert_int_equal(ls_criteria_parse("duidelijk,,x", &m, &e), LS_EINVAL);
	assert_int_equal(ls_criteria_parse("mooi", &m, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "mooi"));
	ls_criteria_format(LS_CRIT_HERKEND | LS_CRIT_NEUTRAAL, buf, sizeof buf);
	assert_string_equal(buf, "neutraal,herkend");
	ls_criteria_format(0, buf, sizeof buf);
	assert_string_equal(buf, "geen");
}

static void test_text_checks(void **state)
{
	struct ls_errinfo e;
	(void)state;
	assert_int_equal(ls_text_check("de titel", "", 10, 1, 0, &e),
	                 LS_EINVAL);
	assert_int_equal(ls_text_check("de titel", NULL, 10, 0, 0, &e), LS_OK);
	assert_int_equal(ls_text_check("de titel", "0123456789x", 10, 1, 0, &e),
	                 LS_ELIMIT);
	assert_int_equal(ls_text_check("de titel", "a\nb", 10, 1, 0, &e),
	                 LS_EINVAL);
	assert_int_equal(ls_text_check("de notitie", "a\nb", 10, 1, 1, &e),
	                 LS_OK);
	assert_int_equal(ls_text_check("x", "\xc0\xaf", 10, 1, 1, &e),
	                 LS_EINVAL);
	/* C1 controls (U+0080..U+009F: U+009B is a terminal's CSI, U+0085
	 * a line break) are controls like ESC; U+00A0 and U+007E are not */
	assert_int_equal(ls_text_check("de titel", "a\xc2\x9b" "31mb", 10, 1, 0,
	                               &e),
	                 LS_EINVAL);
	assert_non_null(strstr(e.msg, "stuurteken (teken 2)"));
	assert_int_equal(ls_text_check("de notitie", "a\xc2\x85" "b", 10, 1, 1,
	                               &e),
	                 LS_EINVAL);
	assert_int_equal(ls_text_check("x", "\xc2\x80", 10, 1, 1, &e), LS_EINVAL);
	assert_int_equal(ls_text_check("x", "\xc2\x9f", 10, 1, 1, &e), LS_EINVAL);
	assert_int_equal(ls_text_check("x", "a\xc2\xa0~b", 10, 1, 0, &e), LS_OK);
	/* bidirectional controls: U+202A..U+202E and U+2066..U+2069 are
	 * refused in every free text, their neighbours are not */
	for (unsigned cp = 0x2028; cp <= 0x206b; cp++) {
		char t[16];
		int bidi = (cp >= 0x202a && cp <= 0x202e) ||
		           (cp >= 0x2066 && cp <= 0x2069);
		snprintf(t, sizeof t, "a%c%c%cb", (char)(0xe0 | cp >> 12),
		         (char)(0x80 | ((cp >> 6) & 0x3f)),
		         (char)(0x80 | (cp & 0x3f)));
		if (cp == 0x2028 || cp == 0x2029)
			continue; /* line separators: not in the list */
		assert_int_equal(ls_text_check("de notitie", t, 100, 1, 1, &e),
		                 bidi ? LS_EINVAL : LS_OK);
		if (bidi) {
			char want[16];
			snprintf(want, sizeof want, "U+%04X", cp);
			assert_non_null(strstr(e.msg, want));
			assert_non_null(strstr(e.msg, "de notitie"));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transition_table),
	    cmocka_unit_test(test_check_transition_messages),
	    cmocka_unit_test(test_phase_names),
	    cmocka_unit_test(test_criteria),
	    cmocka_unit_test(test_text_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
