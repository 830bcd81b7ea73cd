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

#include <nng/nng.h>
#include <pthread.h>
#include <stdint.h>

/* signaald's exit status when the watchdog ended a stop that hung
 * (EX_SOFTWARE). docs/OPERATING.md, "Stopping". */
#define DAEMON_EXIT_SHUTDOWN_STUCK 70
/* signaald's exit status when it stopped itself because nng's reaper
 * is stuck while it ran (EX_TEMPFAIL: a restart brings sync back;
 * docs/OPERATING.md, "When the sync library gets stuck"). */
#define DAEMON_EXIT_NNG_STUCK 75

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

/* Close an nng socket at stop, waiting at most wait_ms for nng_close.
 *
 * nng 1.5.2's close can hang for ever: when a connection is closed while
 * its TCP transport has a partial read or write in flight, the transport
 * re-arms the transfer on an aio that the close just stopped, the
 * transfer never completes, and nng's one reaper thread waits for it in
 * pipe_destroy (rep0_pipe_stop -> nni_aio_stop) — nng_close waits for
 * the reaper. The receive side was fixed upstream after 1.5.2 (nng
 * pull request #1636, in 1.6.0); the send side has the same shape (nng
 * issues #1543, #1813). Reproduced with Debian's 1.5.2: a REP socket
 * answering 2 MB requests from four REQ clients hung in nng_close within
 * a few closes, its reaper in rep0_pipe_stop. From then on every
 * nng_close and nng_fini of the process hangs too.
 *
 * So the close runs on a thread of its own. LS_OK: the socket is closed.
 * LS_ETIMEOUT: nng is stuck; the socket is left to the process's exit
 * (the kernel closes its connections): close or finalise nothing more
 * of nng, and free nothing its callbacks may still touch. LS_ENOMEM: no
 * thread; closed on the caller's thread, unbounded (the watchdog still
 * bounds the stop). Any thread that owns the socket. */
int daemon_watchdog_close_socket(nng_socket sock, unsigned wait_ms);

/* Is nng's reaper stuck (the hang above, while the process runs)? Make
 * a throwaway connected pair over nng's inproc transport (a pair0
 * listener and dialer on a URL of its own, one message across), then
 * close both with daemon_watchdog_close_socket(wait_ms): closing a
 * socket with a connected pipe waits for the reaper (nng 1.5.2:
 * nni_pipe_close hands every pipe, whatever its transport, to the one
 * reaper thread, whose pipe_destroy takes it out of the socket's list;
 * nni_sock_shutdown waits until that list is empty), so a stuck reaper
 * makes the close time out. Blocks up to about 4 x wait_ms: run it off
 * the loop. LS_OK: nng closed both; LS_ETIMEOUT: a close did not return
 * (nng is stuck; the closing thread and the sockets are left to the
 * process's exit: do not probe again); LS_ENET: the pair could not be
 * made or connected (nng's error logged at warn), both closed. Any
 * thread. */
int daemon_watchdog_probe_nng(unsigned wait_ms);

#endif
