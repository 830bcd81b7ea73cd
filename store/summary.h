/*
 * Raw summaries: exact counts of one period, straight from the signals.
 * The input of disclosure control; a raw summary never leaves the node.
 *
 * Period membership is by registered_at (the day the signal entered the
 * system), not observed_on: registration dates are always present,
 * never in the future of the store, and a closed period stays closed —
 * a signal observed in March but registered in May belongs to May, so
 * March's summary never changes after its release (see docs/STORE.md).
 *
 * Every code is counted under its shared code (local sub-codes under
 * their parent). A signal with several themes counts once in each of its
 * themes' rows; likewise for target groups (and a signal without target
 * groups is in no theme x target-group row); a signal without problem
 * type counts under LS_PROBLEM_NONE ("geen").
 */
#ifndef LS_STORE_SUMMARY_H
#define LS_STORE_SUMMARY_H

#include <stdint.h>

#include "common/err.h"
#include "core/period.h"
#include "core/summary.h"

struct store;

/* Fill *out (initialised here; the caller releases it with
 * ls_summary_fini, also after a failure) with exact counts for the
 * period: every table of core/summary.h for both measures (signals;
 * persons affected with each signal's persons capped at persons_cap,
 * 0 = no cap), rows sorted by (theme, other) in byte order, only
 * non-zero rows, and the recurrence rows per theme (distinct
 * organisations — an organisation that reported under two sectors counts
 * once per sector — and distinct known reporters). out->period and
 * out->params.persons_cap are set; origin and the other params are left
 * for the caller. LS_EINVAL (bad period), LS_ELIMIT (a table over
 * LS_SUMMARY_MAX_ROWS), store errors. */
int store_summary_raw(struct store *s, const struct ls_period *period,
                      uint32_t persons_cap, struct ls_summary *out,
                      struct ls_errinfo *e);

/* How many organisations reported under more than one (shared) sector
 * in the period. store_summary_raw() counts such an organisation once
 * per sector in the recurrence indicator (each signal counts under the
 * sector recorded on it); the release tells the operator. LS_EINVAL (bad
 * period), LS_ECORRUPT, LS_ENOMEM, store errors. */
int store_summary_sector_conflicts(struct store *s,
                                   const struct ls_period *period, uint32_t *n,
                                   struct ls_errinfo *e);

/* The registration dates of the earliest and the latest signal in the
 * store (which periods have data at all); *any = 0 and the dates zeroed
 * when the store holds no signals. LS_ECORRUPT for a stored date that
 * does not parse. */
int store_summary_span(struct store *s, struct ls_date *first,
                       struct ls_date *last, int *any);

#endif
