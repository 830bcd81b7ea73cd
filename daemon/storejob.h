/*
 * Store jobs: run a piece of store work off the loop thread, then a
 * callback on the loop with the result.
 *
 * The loop thread never waits on the store (docs/DAEMON.md, "Threads and
 * connections"). What it used to do on its own connection — releases,
 * status documents, the retention purge, the state tick's counts — it
 * now hands to one of two lanes, each a thread with a store connection
 * of its own ([store] busy_timeout_ms, [store] synchronous):
 *
 *   STOREJOB_WRITE  jobs that write, one after the other, in the order
 *                   submitted. With the API's writer thread (captures,
 *                   daemon/apipool.c) these are the daemon's only
 *                   writers; SQLite's write lock orders the two, and a
 *                   job that waits for it waits here, not on the loop.
 *   STOREJOB_READ   jobs that only read (counts, lists for the state
 *                   files). A WAL reader never waits for a writer, so a
 *                   long release or purge on the write lane does not hold
 *                   up the state tick.
 *
 * A job is the submitter's memory (usually embedded in a bigger struct):
 *
 *   run   on the lane's thread, with the lane's connection. It must not
 *         touch the loop's state (struct daemon): copy what it needs
 *         into the job before submitting, leave results in the job.
 *         Long jobs check daemon_storejob_stopping() between steps.
 *   done  on the loop thread, exactly once, after run (rc = its result)
 *         or without run (rc = LS_ESTATE) when the lanes close first.
 *         It may free the job.
 *
 * Usable by any part of the daemon (sync included): submit from the loop
 * thread, handle the result in done.
 */
#ifndef LS_DAEMON_STOREJOB_H
#define LS_DAEMON_STOREJOB_H

#include "daemon/daemon.h"

struct store;
struct daemon;
struct storejobs;
struct ls_errinfo;

enum storejob_lane { STOREJOB_WRITE = 0, STOREJOB_READ, STOREJOB_LANES_ };

struct storejob {
	/* the submitter's */
	int (*run)(struct storejob *job, struct store *s);
	void (*done)(struct storejob *job);
	/* run's result (LS_ESTATE: not run, the lanes closed) */
	int rc;
	/* the lanes' */
	struct storejob *next;
	struct storejobs *owner;
	struct handoff_item item;
	int busy; /* submitted, done not yet called (loop thread) */
};

/* Start the lanes on d's store (loop thread, after the handoff queue). */
int daemon_storejobs_open(struct daemon *d, struct storejobs **out,
                          struct ls_errinfo *e);
/* Loop thread: queue job on lane. LS_ESTATE when the lanes are closing
 * or closed (done is not called), LS_EBUSY when the job is still
 * submitted (done not yet called). */
int daemon_storejob_submit(struct storejobs *j, enum storejob_lane lane,
                           struct storejob *job);
/* Whether job is submitted and its done not yet called (loop thread). */
int daemon_storejob_busy(const struct storejob *job);
/* run: whether the lanes are stopping (finish early, the result is
 * thrown away or kept as the job sees fit). */
int daemon_storejob_stopping(const struct storejob *job);
/* Any thread: store_write_health() of the write lane's connection
 * after its last job (LS_OK for NULL). */
int daemon_storejobs_write_health(struct storejobs *j);
/* Loop thread: stop the lanes after their current job, call done of
 * every job not yet done (queued: rc = LS_ESTATE), close the
 * connections, free. NULL is a no-op. */
void daemon_storejobs_close(struct storejobs *j);

#endif
