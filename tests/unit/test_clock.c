/* common/clock.h: the monotonic clock and its timed waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "common/clock.h"

static void test_timespec_of_ms(void **state)
{
	struct timespec ts = ls_mono_timespec(12345);
	(void)state;
	assert_int_equal(ts.tv_sec, 12);
	assert_int_equal(ts.tv_nsec, 345000000L);
	ts = ls_mono_timespec(999);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 999000000L);
}

/* A timed wait on a monotonic condition ends at its deadline on that
 * clock: not before it (the bound is generous; nothing is timed). */
static void test_a_timed_wait_ends_at_its_monotonic_deadline(void **state)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv;
	uint64_t t0 = ls_mono_ms(), deadline = t0 + 50;
	struct timespec ts = ls_mono_timespec(deadline);
	int rc = 0;
	(void)state;

	assert_int_equal(ls_mono_cond_init(&cv), 0);
	pthread_mutex_lock(&mu);
	while (rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&cv, &mu, &ts);
	pthread_mutex_unlock(&mu);
	assert_true(ls_mono_ms() >= deadline);
	assert_true(ls_mono_ms() >= t0);
	pthread_cond_destroy(&cv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timespec_of_ms),
	    cmocka_unit_test(test_a_timed_wait_ends_at_its_monotonic_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
