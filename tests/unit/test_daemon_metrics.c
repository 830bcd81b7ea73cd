/* daemon/metrics: counters and gauges with labels, Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/alloc.h"
#include "daemon/metrics.h"

static const char *const peer_reason[] = {"peer", "reason", NULL};

static void test_render_counters_and_gauges(void **state)
{
	struct metrics *m;
	char *text;
	size_t len;
	(void)state;
	assert_int_equal(daemon_metrics_new(&m), LS_OK);
	assert_int_equal(daemon_metrics_declare(
	                     m, "signaal_docs_rejected_total", METRICS_COUNTER,
	                     "Documents refused.", peer_reason),
	                 LS_OK);
	assert_int_equal(daemon_metrics_declare(m, "signaal_up", METRICS_GAUGE,
	                                        "1 while running.", NULL),
	                 LS_OK);
	assert_int_equal(daemon_metrics_add(m, "signaal_docs_rejected_total", 2,
	                                    "gent", "sig"),
	                 LS_OK);
	assert_int_equal(daemon_metrics_add(m, "signaal_docs_rejected_total", 1,
	                                    "gent", "sig"),
	                 LS_OK);
	assert_int_equal(daemon_metrics_add(m, "signaal_docs_rejected_total", 1,
	                                    "a\"b\\c\nd", "decode"),
	                 LS_OK);
	assert_int_equal(daemon_metrics_set(m, "signaal_up", 1), LS_OK);
	assert_true(daemon_metrics_get(m, "signaal_docs_rejected_total", "gent",
	                               "sig") == 3);
	assert_true(daemon_metrics_get(m, "signaal_docs_rejected_total", "x",
	                               "y") == 0);
	assert_int_equal(daemon_metrics_render(m, &text, &len), LS_OK);
	assert_int_equal(strlen(text), len);
	assert_string_equal(
	    text,
	    "# HELP signaal_docs_rejected_total Documents refused.\n"
	    "# TYPE signaal_docs_rejected_total counter\n"
	    "signaal_docs_rejected_total{peer=\"gent\",reason=\"sig\"} 3\n"
	    "signaal_docs_rejected_total{peer=\"a\\\"b\\\\c\\nd\","
	    "reason=\"decode\"} 1\n"
	    "# HELP signaal_up 1 while running.\n"
	    "# TYPE signaal_up gauge\n"
	    "signaal_up 1\n");
	ls_free(text);
	/* A gauge can be cleared and rebuilt. */
	assert_int_equal(daemon_metrics_clear(m, "signaal_up"), LS_OK);
	assert_int_equal(daemon_metrics_render(m, &text, &len), LS_OK);
	assert_null(strstr(text, "\nsignaal_up 1\n"));
	ls_free(text);
	daemon_metrics_free(m);
}

static void test_misuse_is_refused(void **state)
{
	struct metrics *m;
	(void)state;
	assert_int_equal(daemon_metrics_new(&m), LS_OK);
	assert_int_equal(
	    daemon_metrics_declare(m, "9bad", METRICS_GAUGE, "x", NULL),
	    LS_EINVAL);
	assert_int_equal(
	    daemon_metrics_declare(m, "ok", METRICS_GAUGE, "two\nlines", NULL),
	    LS_EINVAL);
	assert_int_equal(
	    daemon_metrics_declare(m, "c_total", METRICS_COUNTER, "c", NULL),
	    LS_OK);
	assert_int_equal(
	    daemon_metrics_declare(m, "c_total", METRICS_COUNTER, "c", NULL),
	    LS_OK);
	assert_int_equal(
	    daemon_metrics_declare(m, "c_total", METRICS_GAUGE, "c", NULL),
	    LS_EEXISTS);
	assert_int_equal(daemon_metrics_add(m, "c_total", -1), LS_EINVAL);
	assert_int_equal(daemon_metrics_set(m, "c_total", 5), LS_EINVAL);
	assert_int_equal(daemon_metrics_add(m, "nope", 1), LS_ENOTFOUND);
	{
		const char *const bad[] = {"pe-er", NULL};
		assert_int_equal(
		    daemon_metrics_declare(m, "g", METRICS_GAUGE, "g", bad),
		    LS_EINVAL);
	}
	daemon_metrics_free(m);
}

/* The registry as text, rendered with no failure injected. */
static char *render_now(const struct metrics *m)
{
	char *text = NULL;
	size_t len;
	assert_int_equal(daemon_metrics_render(m, &text, &len), LS_OK);
	assert_int_equal(strlen(text), len);
	return text;
}

static void assert_renders(const struct metrics *m, const char *want)
{
	char *text = render_now(m);
	assert_string_equal(text, want);
	ls_free(text);
}

/* Fail each allocation of new, declare, add and render in turn. A failed
 * call changes nothing (the registry renders as before it) and can be
 * retried; a call that succeeds is complete (the end result is the text
 * of a run without failures). ASan/valgrind prove that nothing leaks. */
static void test_allocation_failures_unwind(void **state)
{
	struct metrics *m;
	char *stage[3], *text;
	size_t len;
	long total, failed = 0;
	(void)state;

	/* The run without failures, and what it renders after each step. */
	ls_alloc_fail_nth(0);
	assert_int_equal(daemon_metrics_new(&m), LS_OK);
	stage[0] = render_now(m);
	assert_int_equal(daemon_metrics_declare(m, "a_total", METRICS_COUNTER,
	                                        "a", peer_reason),
	                 LS_OK);
	stage[1] = render_now(m);
	assert_int_equal(daemon_metrics_add(m, "a_total", 1, "p", "r"), LS_OK);
	stage[2] = render_now(m);
	daemon_metrics_free(m);
	total = ls_alloc_fail_nth(0);
	assert_string_equal(stage[2], "# HELP a_total a\n"
	                              "# TYPE a_total counter\n"
	                              "a_total{peer=\"p\",reason=\"r\"} 1\n");

	for (long n = 1; n <= total; n++) {
		int rc;
		m = NULL;
		text = NULL;
		ls_alloc_fail_nth(n);
		rc = daemon_metrics_new(&m);
		ls_alloc_fail_nth(0);
		if (rc != LS_OK) {
			assert_int_equal(rc, LS_ENOMEM);
			assert_null(m);
			failed++;
			continue;
		}
		ls_alloc_fail_nth(n);
		rc = daemon_metrics_declare(m, "a_total", METRICS_COUNTER, "a",
		                            peer_reason);
		ls_alloc_fail_nth(0);
		if (rc != LS_OK) {
			assert_int_equal(rc, LS_ENOMEM);
			assert_renders(m, stage[0]);
			assert_int_equal(daemon_metrics_declare(
			                     m, "a_total", METRICS_COUNTER, "a",
			                     peer_reason),
			                 LS_OK);
			failed++;
		}
		assert_renders(m, stage[1]);
		ls_alloc_fail_nth(n);
		rc = daemon_metrics_add(m, "a_total", 1, "p", "r");
		ls_alloc_fail_nth(0);
		if (rc != LS_OK) {
			assert_int_equal(rc, LS_ENOMEM);
			assert_renders(m, stage[1]);
			assert_true(
			    daemon_metrics_get(m, "a_total", "p", "r") == 0);
			assert_int_equal(
			    daemon_metrics_add(m, "a_total", 1, "p", "r"),
			    LS_OK);
			failed++;
		}
		assert_renders(m, stage[2]);
		ls_alloc_fail_nth(n);
		rc = daemon_metrics_render(m, &text, &len);
		ls_alloc_fail_nth(0);
		if (rc != LS_OK) {
			assert_int_equal(rc, LS_ENOMEM);
			assert_null(text);
			failed++;
		} else {
			assert_string_equal(text, stage[2]);
			ls_free(text);
		}
		daemon_metrics_free(m);
	}
	/* every allocation counted was failed once, in some step */
	assert_true(failed >= 3);
	for (int i = 0; i < 3; i++)
		ls_free(stage[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_counters_and_gauges),
	    cmocka_unit_test(test_misuse_is_refused),
	    cmocka_unit_test(test_allocation_failures_unwind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
