/*
 * The monotonic clock, for timeouts and bounded waits (never wall time):
 * milliseconds since an arbitrary start, and condition variables whose
 * timed waits use the same clock, so that a change of the system time
 * neither shortens nor stretches a wait.
 */
#ifndef LS_COMMON_CLOCK_H
#define LS_COMMON_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC. Any thread. */
uint64_t ls_mono_ms(void);

/* The moment ms (of ls_mono_ms) as a timespec, for
 * pthread_cond_timedwait on a condition made by ls_mono_cond_init. */
struct timespec ls_mono_timespec(uint64_t ms);

/* A condition variable whose timed waits run on CLOCK_MONOTONIC: 0, or
 * the pthread error (nothing made). */
int ls_mono_cond_init(pthread_cond_t *cv);

#endif
