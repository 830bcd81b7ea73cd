/*
 * The shutdown watchdog (daemon/watchdog.h).
 *
 * Happy path: daemon_stop arms it (a thread that waits on a condition
 * variable with a CLOCK_MONOTONIC deadline), names its steps, and main()
 * disarms it after the last teardown (nng_fini); the thread wakes, sees
 * it is disarmed and ends; main joins it.
 *
 * Failure: the deadline passes first. The thread then logs one error
 * line with the step that was running and _exit()s with
 * DAEMON_EXIT_SHUTDOWN_STUCK. This is the one place besides main() that
 * ends the process: the thread that would return to main() is the one
 * that hangs. _exit, not exit: exit() would run the process's teardown
 * (atexit handlers, destructors, stdio) here while the hung thread and
 * nng's threads still run and hold what they hold.
 *
 * The line must not hang either: stderr may be a pipe the journal no
 * longer drains, and another thread may be inside a log call. stderr is
 * made non-blocking first, so a full pipe costs the line, never the
 * exit (every thread's fprintf then returns at once).
 *
 * daemon_watchdog_close_socket bounds the one step known to hang (nng
 * 1.5.2's nng_close, watchdog.h): nng_close runs on a detached thread,
 * the loop waits for it at most a few seconds, and when it does not
 * return the stop goes on without nng (nothing more of it is closed or
 * finalised) instead of waiting for the watchdog.
 *
 * daemon_watchdog_probe_nng finds the same hang while signaald runs: a
 * close that needs the reaper (an inproc pair with a pipe), bounded the
 * same way.
 */
#include "daemon/watchdog.h"

#include "common/alloc.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"

#include <nng/protocol/pair0/pair.h>

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void stuck(struct daemon_watchdog *w, const char *step, uint64_t step_ms,
                  uint64_t now)
{
	int fl = fcntl(STDERR_FILENO, F_GETFL);
	if (fl >= 0)
		(void)fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK);
	LS_ERROR("daemon", "shutdown_stuck",
	         "step=%s waited_ms=%llu step_ms=%llu timeout_s=%u exit=%d "
	         "action=\"signaald ended itself; committed data is safe; "
	         "report this line and the lines before it\"",
	         step, (unsigned long long)(now - w->armed_ms),
	         (unsigned long long)(now - step_ms), w->timeout_s,
	         DAEMON_EXIT_SHUTDOWN_STUCK);
	_exit(DAEMON_EXIT_SHUTDOWN_STUCK);
}

static void *watchdog_main(void *arg)
{
	struct daemon_watchdog *w = arg;
	uint64_t deadline = w->armed_ms + (uint64_t)w->timeout_s * 1000;
	struct timespec ts;

	ts = ls_mono_timespec(deadline);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		uint64_t now;
		if (w->disarmed)
			break;
		/* A spurious wake-up or EINTR: look at the clock again. */
		(void)pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		if (w->disarmed)
			break;
		now = ls_mono_ms();
		if (now >= deadline) {
			const char *step = w->step;
			uint64_t step_ms = w->step_ms;
			pthread_mutex_unlock(&w->mu);
			stuck(w, step, step_ms, now);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int daemon_watchdog_arm(struct daemon_watchdog *w, unsigned timeout_s,
                        const char *step)
{
	int rc;

	if (w->armed)
		return LS_ESTATE;
	memset(w, 0, sizeof *w);
	w->timeout_s = timeout_s > 0 ? timeout_s : 1;
	w->step = step;
	w->armed_ms = w->step_ms = ls_mono_ms();
	if ((rc = pthread_mutex_init(&w->mu, NULL)) != 0)
		goto err;
	if ((rc = ls_mono_cond_init(&w->cv)) != 0)
		goto err_after_mu;
	if ((rc = pthread_create(&w->thread, NULL, watchdog_main, w)) != 0)
		goto err_after_cv;
	w->armed = 1;
	LS_DEBUG("daemon", "shutdown_step", "step=%s timeout_s=%u", step,
	         w->timeout_s);
	return LS_OK;

err_after_cv:
	pthread_cond_destroy(&w->cv);
err_after_mu:
	pthread_mutex_destroy(&w->mu);
err:
	LS_ERROR("daemon", "shutdown_watchdog_failed",
	         "reason=\"%s\" action=\"the stop goes on without a time "
	         "limit\"",
	         strerror(rc));
	memset(w, 0, sizeof *w);
	return LS_EINTERNAL;
}

void daemon_watchdog_step(struct daemon_watchdog *w, const char *step)
{
	if (!w->armed)
		return;
	pthread_mutex_lock(&w->mu);
	w->step = step;
	w->step_ms = ls_mono_ms();
	pthread_mutex_unlock(&w->mu);
	LS_DEBUG("daemon", "shutdown_step", "step=%s", step);
}

void daemon_watchdog_disarm(struct daemon_watchdog *w)
{
	if (!w->armed)
		return;
	pthread_mutex_lock(&w->mu);
	w->disarmed = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	LS_DEBUG("daemon", "shutdown_done", "ms=%llu",
	         (unsigned long long)(ls_mono_ms() - w->armed_ms));
	memset(w, 0, sizeof *w);
}

/* --- a bounded nng_close ------------------------------------------------ */

/* Shared by the waiter and the closing thread; the last to let go frees
 * it (the thread never does when nng hangs: then it stays). */
struct closer {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	nng_socket sock;
	int done; /* under mu: nng_close returned */
	int refs; /* under mu */
};

static void closer_unref(struct closer *c)
{
	int last;
	pthread_mutex_lock(&c->mu);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->mu);
	if (!last)
		return;
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	ls_free(c);
}

static void *closer_main(void *arg)
{
	struct closer *c = arg;
	nng_close(c->sock);
	pthread_mutex_lock(&c->mu);
	c->done = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	closer_unref(c);
	return NULL;
}

/* The closer's lock, condition (monotonic) and detached thread; LS_OK or
 * LS_ENOMEM (nothing made). */
static int closer_start(struct closer *c)
{
	pthread_attr_t ta;
	pthread_t t;
	int rc;

	if (pthread_mutex_init(&c->mu, NULL) != 0)
		return LS_ENOMEM;
	if (ls_mono_cond_init(&c->cv) != 0)
		goto err_after_mu;
	if (pthread_attr_init(&ta) != 0)
		goto err_after_cv;
	rc = pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	if (rc == 0)
		rc = pthread_create(&t, &ta, closer_main, c);
	pthread_attr_destroy(&ta);
	if (rc != 0)
		goto err_after_cv;
	return LS_OK;

err_after_cv:
	pthread_cond_destroy(&c->cv);
err_after_mu:
	pthread_mutex_destroy(&c->mu);
	return LS_ENOMEM;
}

int daemon_watchdog_close_socket(nng_socket sock, unsigned wait_ms)
{
	struct closer *c = ls_calloc(1, sizeof *c);
	uint64_t deadline = ls_mono_ms() + wait_ms;
	struct timespec ts;
	int done;

	if (c != NULL) {
		c->sock = sock;
		c->refs = 2;
	}
	if (c == NULL || closer_start(c) != LS_OK) {
		ls_free(c);
		nng_close(sock);
		return LS_ENOMEM;
	}
	ts = ls_mono_timespec(deadline);
	pthread_mutex_lock(&c->mu);
	while (!c->done && ls_mono_ms() < deadline)
		(void)pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	done = c->done;
	pthread_mutex_unlock(&c->mu);
	closer_unref(c);
	return done ? LS_OK : LS_ETIMEOUT;
}

/* --- is nng's reaper stuck? --------------------------------------------- */

/* Close a probe socket bounded; 1 when it hung. */
static int probe_close(nng_socket s, unsigned wait_ms)
{
	return daemon_watchdog_close_socket(s, wait_ms) == LS_ETIMEOUT;
}

int daemon_watchdog_probe_nng(unsigned wait_ms)
{
	static atomic_uint seq;
	nng_socket lsn = NNG_SOCKET_INITIALIZER, dia = NNG_SOCKET_INITIALIZER;
	char url[96];
	const char *step = "open";
	void *msg = NULL;
	size_t len = 0;
	int rv;

	/* Its own URL: a probe that hung leaves its listener bound. */
	snprintf(url, sizeof url, "inproc://signaald-nng-probe-%ld-%u",
	         (long)getpid(), atomic_fetch_add(&seq, 1));
	if ((rv = nng_pair0_open(&lsn)) != 0)
		goto err;
	if ((rv = nng_pair0_open(&dia)) != 0)
		goto err_after_lsn;
	/* Bounded transfers: a stuck nng must not hold this thread longer
	 * than the closes' own waits. */
	step = "options";
	if ((rv = nng_socket_set_ms(lsn, NNG_OPT_RECVTIMEO, (int)wait_ms)) ||
	    (rv = nng_socket_set_ms(dia, NNG_OPT_SENDTIMEO, (int)wait_ms)) ||
	    (rv = nng_socket_set_size(lsn, NNG_OPT_RECVMAXSZ, 64)))
		goto err_after_dia;
	step = "listen";
	if ((rv = nng_listen(lsn, url, NULL, 0)) != 0)
		goto err_after_dia;
	step = "dial";
	if ((rv = nng_dial(dia, url, NULL, 0)) != 0)
		goto err_after_dia;
	/* One message across: both sides have their pipe now, so both
	 * closes go through the reaper. */
	step = "send";
	if ((rv = nng_send(dia, "probe", 5, 0)) != 0)
		goto err_after_dia;
	step = "recv";
	if ((rv = nng_recv(lsn, &msg, &len, NNG_FLAG_ALLOC)) != 0)
		goto err_after_dia;
	nng_free(msg, len);
	/* The dialer first: when it hangs the listener is left alone (a
	 * second close would only hang a second thread). */
	if (probe_close(dia, wait_ms) || probe_close(lsn, wait_ms))
		return LS_ETIMEOUT;
	return LS_OK;

err_after_dia:
	if (probe_close(dia, wait_ms))
		return LS_ETIMEOUT;
err_after_lsn:
	if (probe_close(lsn, wait_ms))
		return LS_ETIMEOUT;
err:
	LS_WARN("daemon", "nng_probe_failed", "step=%s reason=\"%s\"", step,
	        nng_strerror(rv));
	return LS_ENET;
}
