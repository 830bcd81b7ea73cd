/* core/policy: the release rules (one set for releasing node and
 * receivers), the node's stricter settings, correction reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "core/config.h"
#include "core/policy.h"

static void test_default_and_check(void **state)
{
	struct ls_policy p;
	struct ls_errinfo e;
	(void)state;
	ls_policy_default(&p, LS_MODE_THRESHOLD);
	assert_int_equal(ls_policy_check(&p, &e), LS_OK);
	assert_int_equal(p.params.mode, LS_MODE_THRESHOLD);
	assert_int_equal(p.params.k, DISCLOSURE_K_DEFAULT);
	assert_int_equal(p.params.epsilon_milli, 0); /* canonical */
	assert_int_equal(p.params.withhold_below, 0);
	assert_int_equal(p.params.persons_cap, DISCLOSURE_PERSONS_CAP_DEFAULT);
	assert_int_equal(p.period_months, 1);
	assert_int_equal(p.settle_days, LS_SETTLE_DAYS_DEFAULT);
	assert_int_equal(ls_policy_budget_default(&p), 0);

	ls_policy_default(&p, LS_MODE_NOISE);
	assert_int_equal(ls_policy_check(&p, &e), LS_OK);
	assert_int_equal(p.params.k, 0);
	assert_int_equal(p.params.epsilon_milli,
	                 DISCLOSURE_EPSILON_MILLI_DEFAULT);
	assert_int_equal(ls_policy_budget_default(&p),
	                 NOISE_BUDGET_YEAR_DEFAULT_MILLI);
	p.period_months = 3;
	assert_int_equal(ls_policy_budget_default(&p), (4 + 3) * 1000);

	/* every rule of the format, refused */
	ls_policy_default(&p, LS_MODE_THRESHOLD);
	p.params.k = 2;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.k = 101;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.k = 5;
	p.params.epsilon_milli = 1000; /* not canonical */
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.epsilon_milli = 0;
	p.params.persons_cap = 0;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.persons_cap = 1001;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.persons_cap = 10;
	p.period_months = 5;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.period_months = 1;
	p.settle_days = LS_SETTLE_DAYS_MAX + 1;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	ls_policy_default(&p, LS_MODE_NOISE);
	p.params.k = 5; /* noise mode states no k */
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.k = 0;
	p.params.epsilon_milli = DISCLOSURE_EPSILON_MILLI_MIN - 1;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
	p.params.epsilon_milli = 1000;
	p.params.withhold_below = DISCLOSURE_WITHHOLD_MAX + 1;
	assert_int_equal(ls_policy_check(&p, &e), LS_EINVAL);
}

static void test_release_check(void **state)
{
	struct ls_policy p;
	struct ls_disclosure_params s;
	struct ls_period oct = {2025, 10, 1};
	struct ls_errinfo e;
	int64_t ok;
	(void)state;
	ls_policy_default(&p, LS_MODE_THRESHOLD);
	s = p.params;
	ok = ls_policy_release_time(&p, &oct);
	assert_int_equal(ok, 1761955200LL + 7 * 86400); /* 2025-11-01 + 7 */
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e), LS_OK);
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok - 1, &e),
	                 LS_EPOLICY);
	s.k = 9; /* stricter */
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e), LS_OK);
	s.k = 4; /* looser */
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e),
	                 LS_EPOLICY);
	s.k = 5;
	s.persons_cap = 5; /* a different cap is neither */
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e),
	                 LS_EPOLICY);
	s.persons_cap = 10;
	s.mode = LS_MODE_NOISE;
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e),
	                 LS_EPOLICY);
	s.mode = LS_MODE_THRESHOLD;
	/* periods: length and alignment */
	assert_int_equal(
	    ls_policy_release_check(&p, &s, &(struct ls_period){2025, 10, 3},
	                            ok + 1e8, &e),
	    LS_EPOLICY);
	p.period_months = 3;
	assert_int_equal(
	    ls_policy_release_check(&p, &s, &(struct ls_period){2025, 11, 3},
	                            ok + 1e8, &e),
	    LS_EPOLICY);
	assert_int_equal(
	    ls_policy_release_check(&p, &s, &(struct ls_period){2025, 10, 3},
	                            ok + 1e8, &e),
	    LS_OK);
	/* noise: epsilon only smaller, withhold only larger */
	ls_policy_default(&p, LS_MODE_NOISE);
	s = p.params;
	s.epsilon_milli = 500;
	s.withhold_below = 10;
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e), LS_OK);
	s.epsilon_milli = 1001;
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e),
	                 LS_EPOLICY);
	s.epsilon_milli = 1000;
	s.withhold_below = 4;
	assert_int_equal(ls_policy_release_check(&p, &s, &oct, ok, &e),
	                 LS_EPOLICY);
}

static void test_effective(void **state)
{
	struct ls_policy fed;
	struct ls_policy_local l;
	struct ls_policy_effective x;
	struct ls_errinfo e;
	(void)state;
	/* no federation policy, no settings: the built-in defaults */
	assert_int_equal(ls_policy_effective(NULL, NULL, &x, &e), LS_OK);
	assert_int_equal(x.from_federation, 0);
	assert_int_equal(x.policy.params.mode, LS_MODE_THRESHOLD);
	assert_int_equal(x.policy.params.k, 5);
	/* without a federation policy the node picks the mode; the
	 * defaults of that mode are the floor */
	memset(&l, 0, sizeof l);
	l.mode = 1 + LS_MODE_NOISE;
	l.epsilon_milli = 500;
	assert_int_equal(ls_policy_effective(NULL, &l, &x, &e), LS_OK);
	assert_int_equal(x.policy.params.mode, LS_MODE_NOISE);
	assert_int_equal(x.policy.params.epsilon_milli, 500);
	assert_int_equal(x.budget_milli, 15 * 500);
	l.budget_milli = 3000;
	assert_int_equal(ls_policy_effective(NULL, &l, &x, &e), LS_OK);
	assert_int_equal(x.budget_milli, 3000);
	l.budget_milli = 15001; /* above the default of epsilon 1 */
	assert_int_equal(ls_policy_effective(NULL, &l, &x, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, "budget_milli"));
	l.budget_milli = 0;
	l.epsilon_milli = 2000;
	assert_int_equal(ls_policy_effective(NULL, &l, &x, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, "epsilon_milli"));
	assert_non_null(strstr(e.msg, "nooit soepeler"));

	/* a federation policy: stricter settings apply, looser ones and
	 * another mode are refused with the key named */
	ls_policy_default(&fed, LS_MODE_THRESHOLD);
	fed.params.k = 6;
	fed.settle_days = 10;
	memset(&l, 0, sizeof l);
	l.k = 8;
	l.settle_days = 30;
	l.epsilon_milli = 99; /* not used in threshold mode */
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_OK);
	assert_int_equal(x.from_federation, 1);
	assert_int_equal(x.policy.params.k, 8);
	assert_int_equal(x.policy.settle_days, 30);
	assert_int_equal(x.policy.params.epsilon_milli, 0);
	l.k = 5;
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, "k = 5"));
	l.k = 0;
	l.settle_days = 3;
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, "settle_days"));
	l.settle_days = 0;
	l.mode = 1 + LS_MODE_NOISE;
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_EPOLICY);
	assert_non_null(strstr(e.msg, "modus"));
	l.mode = 1 + LS_MODE_THRESHOLD; /* asking for the same mode is fine */
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_OK);
	l.mode = 7;
	assert_int_equal(ls_policy_effective(&fed, &l, &x, &e), LS_EINVAL);
	/* a broken federation policy is not used */
	fed.params.k = 2;
	assert_int_equal(ls_policy_effective(&fed, NULL, &x, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "federatie"));
}

static void test_config_keys(void **state)
{
	static const char ini[] = "[node]\nid = gent\nname = Gent\n"
	                          "[disclosure]\nmode = ruis\n"
	                          "epsilon_milli = 500\nwithhold_below = 8\n"
	                          "settle_days = 20\nbudget_milli = 4000\n"
	                          "k = 7\n";
	struct ls_config c;
	struct ls_policy_local l;
	struct ls_errinfo e;
	char buf[8192];
	(void)state;
	ls_config_defaults(&c);
	ls_policy_local_from_config(&c, &l);
	assert_int_equal(l.mode, 0);
	assert_int_equal(l.k + l.epsilon_milli + l.withhold_below +
	                     l.settle_days + l.budget_milli,
	                 0);
	assert_int_equal(ls_config_parse(ini, sizeof ini - 1, &c, &e), LS_OK);
	ls_policy_local_from_config(&c, &l);
	assert_int_equal(l.mode, 1 + LS_MODE_NOISE);
	assert_int_equal(l.k, 7);
	assert_int_equal(l.epsilon_milli, 500);
	assert_int_equal(l.withhold_below, 8);
	assert_int_equal(l.settle_days, 20);
	assert_int_equal(l.budget_milli, 4000);
	/* written back, it reads the same */
	assert_int_equal(ls_config_format(&c, buf, sizeof buf), LS_OK);
	assert_non_null(strstr(buf, "[disclosure]\n"));
	assert_non_null(strstr(buf, "mode = ruis\n"));
	{
		struct ls_config again;
		assert_int_equal(ls_config_parse(buf, strlen(buf), &again, &e),
		                 LS_OK);
		assert_memory_equal(&again, &c, sizeof c);
	}
	/* bad values are configuration errors */
	{
		static const char *const bad[] = {
		    "[disclosure]\nmode = streng\n",
		    "[disclosure]\nk = 101\n",
		    "[disclosure]\nepsilon_milli = -1\n",
		    "[disclosure]\nsettle_days = 366\n",
		    "[disclosure]\nperiod = 3\n",
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			char t[256];
			snprintf(t, sizeof t, "[node]\nid = a\nname = A\n%s",
			         bad[i]);
			assert_int_equal(ls_config_parse(t, strlen(t), &c, &e),
			                 LS_ECONFIG);
		}
	}
}

static void test_corrections(void **state)
{
	size_t n;
	const struct ls_correction_reason *r = ls_correction_reasons(&n);
	struct ls_errinfo e;
	char long_text[LS_JUSTIFICATION_MAX + 2];
	(void)state;
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		assert_true(ls_code_valid(r[i].code, strlen(r[i].code)));
		assert_ptr_equal(ls_correction_reason_find(r[i].code), &r[i]);
	}
	assert_null(ls_correction_reason_find("typfout"));
	assert_null(ls_correction_reason_find(""));
	assert_null(ls_correction_reason_find(NULL));

	assert_int_equal(ls_correction_justification_check(
	                     "Dubbele invoer van 12 signalen door CAW", &e),
	                 LS_OK);
	assert_int_equal(
	    ls_correction_justification_check("regel 1\nregel 2\té", &e),
	    LS_OK);
	assert_int_equal(ls_correction_justification_check("", &e), LS_EINVAL);
	assert_int_equal(ls_correction_justification_check(NULL, &e),
	                 LS_EINVAL);
	assert_int_equal(ls_correction_justification_check("  \n ", &e),
	                 LS_EINVAL);
	assert_int_equal(ls_correction_justification_check("bel\x07", &e),
	                 LS_EINVAL);
	assert_int_equal(ls_correction_justification_check("\xff\xfe", &e),
	                 LS_EINVAL);
	memset(long_text, 'a', sizeof long_text - 1);
	long_text[LS_JUSTIFICATION_MAX] = '\0';
	assert_int_equal(ls_correction_justification_check(long_text, &e),
	                 LS_OK);
	long_text[LS_JUSTIFICATION_MAX] = 'a';
	long_text[LS_JUSTIFICATION_MAX + 1] = '\0';
	assert_int_equal(ls_correction_justification_check(long_text, &e),
	                 LS_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_and_check),
	    cmocka_unit_test(test_release_check),
	    cmocka_unit_test(test_effective),
	    cmocka_unit_test(test_config_keys),
	    cmocka_unit_test(test_corrections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
