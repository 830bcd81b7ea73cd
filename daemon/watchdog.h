/*
 * The shutdown watchdog: a bound on how long signaald takes to stop.
 *
 * Armed when the stop begins (SIGTERM, SIGINT, or a start that fails
 * after its handles exist), it runs on a thread of its own and needs
 * nothing from the loop, nng or the store. The stop names each step it
 * enters (http, sync_server, peers, store_jobs, state_write, ...). If the
 * process has not disarmed it within the timeout, the watchdog logs one
 * line naming the step that was running
 *
 *   level=error mod=daemon event=shutdown_stuck step=sync_server \
 *       waited_ms=30001 step_ms=29950 timeout_s=30 exit=70 ...
 *
 * and ends the process with _exit(DAEMON_EXIT_SHUTDOWN_STUCK): a
 * library we do not own (nng 1.5.2's close, docs/OPERATING.md) can hang,
 * and a daemon that does not stop makes systemd wait TimeoutStopSec and
 * then SIGKILL it without a word. What _exit leaves behind is safe: the
 * store is SQLite in WAL mode (every acknowledged write is committed,
 * and an uncommitted transaction is rolled back at the next open), and
 * the state files are replaced by rename, never written in place.
 */
#ifndef LS_DAEMON_WATCHDOG_H
#define LS_DAEMON_WATCHDOG_H

#include <pthread.h>
#include <stdint.h>

/* signaald's exit status when the watchdog ended a stop that hung
 * (EX_SOFTWARE). docs/OPERATING.md, "Stopping". */
#define DAEMON_EXIT_SHUTDOWN_STUCK 70

struct daemon_watchdog {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	pthread_t thread;
	int armed;    /* the thread runs (the arming thread's view) */
	int disarmed; /* under mu: the stop finished */
	unsigned timeout_s;
	uint64_t armed_ms; /* monotonic */
	/* under mu: the step running and since when (a static string) */
	const char *step;
	uint64_t step_ms;
};

/* Start the watchdog: the process ends after timeout_s seconds (at
 * least 1) unless daemon_watchdog_disarm is called first. step names
 * the first step (a string that lives as long as the process). w is
 * zeroed or disarmed. LS_OK, LS_EINTERNAL when no thread could be made
 * (logged; the stop goes on without a bound); LS_ESTATE when armed
 * already (the first arming stays in force). */
int daemon_watchdog_arm(struct daemon_watchdog *w, unsigned timeout_s,
                        const char *step);
/* The stop enters step (a string that lives as long as the process;
 * logged at debug level). A no-op when not armed. */
void daemon_watchdog_step(struct daemon_watchdog *w, const char *step);
/* The stop finished: stop the thread (joined) and free what it held.
 * A no-op when not armed. Call from the thread that armed it. */
void daemon_watchdog_disarm(struct daemon_watchdog *w);

#endif
