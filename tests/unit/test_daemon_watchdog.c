/* daemon/watchdog: a stop that hangs is ended with exit 70 and one log
 * line naming the step; a stop that finishes is not touched.
 *
 * Each case runs in a forked child (the watchdog ends the process it
 * guards). The parent waits for the child with a generous bound and
 * reads what it logged on stderr; nothing here asserts how long a step
 * took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "daemon/watchdog.h"

/* How long the parent waits for a child before it fails the test: far
 * beyond the 1 s the children arm their watchdog with. */
#define CHILD_BOUND_S 60

struct child {
	int status; /* waitpid's */
	char log[8192];
	size_t log_len;
};

/* Run fn in a child with stderr into a pipe; wait (bounded) and collect
 * its exit status and its log. */
static void run_child(void (*fn)(void), struct child *out)
{
	int fds[2];
	pid_t pid;
	time_t until = time(NULL) + CHILD_BOUND_S;
	int done = 0;

	memset(out, 0, sizeof *out);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDERR_FILENO) < 0)
			_exit(99);
		close(fds[1]);
		fn();
		_exit(98); /* fn never returns */
	}
	close(fds[1]);
	while (!done) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		int n = poll(&p, 1, 100);
		if (n > 0) {
			ssize_t r = read(fds[0], out->log + out->log_len,
			                 sizeof out->log - 1 - out->log_len);
			if (r > 0)
				out->log_len += (size_t)r;
			else if (r == 0)
				done = 1; /* every writer gone */
		}
		if (time(NULL) > until) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
			close(fds[0]);
			fail_msg("the child did not end within %d s",
			         CHILD_BOUND_S);
		}
	}
	close(fds[0]);
	out->log[out->log_len] = '\0';
	assert_int_equal(waitpid(pid, &out->status, 0), pid);
}

static void block_for_ever(void)
{
	for (;;)
		pause();
}

static void child_hangs_in_a_step(void)
{
	static struct daemon_watchdog w;
	ls_log_set_level(LS_LOG_INFO);
	if (daemon_watchdog_arm(&w, 1, "timers") != LS_OK)
		_exit(97);
	daemon_watchdog_step(&w, "store_jobs");
	daemon_watchdog_step(&w, "sync_server");
	block_for_ever();
}

static void test_a_stop_that_hangs_is_ended(void **state)
{
	struct child c;
	(void)state;
	run_child(child_hangs_in_a_step, &c);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), DAEMON_EXIT_SHUTDOWN_STUCK);
	assert_non_null(strstr(c.log, "level=error mod=daemon "
	                              "event=shutdown_stuck step=sync_server "
	                              "waited_ms="));
	assert_non_null(strstr(c.log, " timeout_s=1 exit=70 "));
	/* one line: the steps themselves are debug */
	assert_int_equal(strchr(c.log, '\n') - c.log + 1, (long)c.log_len);
}

static void child_finishes(void)
{
	static struct daemon_watchdog w;
	ls_log_set_level(LS_LOG_INFO);
	/* 600 s: the steps below end long before it */
	if (daemon_watchdog_arm(&w, 600, "timers") != LS_OK)
		_exit(97);
	daemon_watchdog_step(&w, "http");
	daemon_watchdog_step(&w, "nng_fini");
	daemon_watchdog_disarm(&w);
	/* disarmed twice, stepped after: no-ops */
	daemon_watchdog_disarm(&w);
	daemon_watchdog_step(&w, "after");
	_exit(0);
}

static void test_a_stop_that_finishes_is_left_alone(void **state)
{
	struct child c;
	(void)state;
	run_child(child_finishes, &c);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 0);
	/* nothing at info level: a normal stop does not flood the log */
	assert_int_equal(c.log_len, 0);
}

static void child_finishes_at_debug(void)
{
	static struct daemon_watchdog w;
	ls_log_set_level(LS_LOG_DEBUG);
	if (daemon_watchdog_arm(&w, 600, "timers") != LS_OK)
		_exit(97);
	daemon_watchdog_step(&w, "store_jobs");
	daemon_watchdog_disarm(&w);
	_exit(0);
}

static void test_steps_are_logged_at_debug(void **state)
{
	struct child c;
	(void)state;
	run_child(child_finishes_at_debug, &c);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), 0);
	assert_non_null(strstr(c.log, "level=debug mod=daemon "
	                              "event=shutdown_step step=timers "
	                              "timeout_s=600"));
	assert_non_null(strstr(c.log, "event=shutdown_step step=store_jobs"));
	assert_non_null(strstr(c.log, "event=shutdown_done ms="));
	assert_null(strstr(c.log, "shutdown_stuck"));
}

static void child_arms_twice(void)
{
	static struct daemon_watchdog w;
	ls_log_set_level(LS_LOG_INFO);
	if (daemon_watchdog_arm(&w, 1, "first") != LS_OK)
		_exit(97);
	/* a second arming (a failed start's stop, then another) keeps the
	 * first deadline and step */
	if (daemon_watchdog_arm(&w, 600, "second") != LS_ESTATE)
		_exit(96);
	block_for_ever();
}

static void test_the_first_arming_stays_in_force(void **state)
{
	struct child c;
	(void)state;
	run_child(child_arms_twice, &c);
	assert_true(WIFEXITED(c.status));
	assert_int_equal(WEXITSTATUS(c.status), DAEMON_EXIT_SHUTDOWN_STUCK);
	assert_non_null(strstr(c.log, "event=shutdown_stuck step=first "));
}

/* Not armed: stepping and disarming do nothing (daemon_close after a
 * start that failed before any handle existed). */
static void test_unarmed_is_a_no_op(void **state)
{
	struct daemon_watchdog w;
	(void)state;
	memset(&w, 0, sizeof w);
	daemon_watchdog_step(&w, "x");
	daemon_watchdog_disarm(&w);
	assert_false(w.armed);
	assert_null(w.step);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_stop_that_hangs_is_ended),
	    cmocka_unit_test(test_a_stop_that_finishes_is_left_alone),
	    cmocka_unit_test(test_steps_are_logged_at_debug),
	    cmocka_unit_test(test_the_first_arming_stays_in_force),
	    cmocka_unit_test(test_unarmed_is_a_no_op),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
