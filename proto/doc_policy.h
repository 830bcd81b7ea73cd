/*
 * The disclosure policy of the federation, signed by the federation key,
 * and the check of a summary against it (see PROTOCOL.md, "Policy").
 *
 * A node may be stricter than the policy, never looser: a summary states
 * the parameters it was made with, and proto_summary_check_policy() holds
 * them against the policy in force.
 */
#ifndef LS_PROTO_DOC_POLICY_H
#define LS_PROTO_DOC_POLICY_H

#include <stdint.h>

#include "common/err.h"
#include "core/policy.h"
#include "core/summary.h"

/*
 * The rules themselves are core's (core/policy.h, core/disclosure.h): one
 * set for the node that releases and every receiver. struct ls_policy is
 * core/policy.h's; the functions below are the wire format's names for
 * them.
 */

/* The parameters a policy or summary may state:
 * ls_disclosure_params_check_canonical() (ranges of core/disclosure.h, the
 * fields the mode does not use 0). LS_OK or LS_EINVAL. */
int proto_params_validate(const struct ls_disclosure_params *p,
                          struct ls_errinfo *e);

/* The parameters above plus period_months and settle_days:
 * ls_policy_check(). */
int proto_policy_validate(const struct ls_policy *p, struct ls_errinfo *e);

/*
 * Does a (schema-valid) summary, created at `created`, respect the policy?
 * ls_policy_release_check() on its parameters and period: same mode and
 * persons cap; threshold: k >= policy k; noise: epsilon <= policy epsilon
 * and withhold_below >= policy withhold_below; the period is
 * policy.period_months long, aligned, and was released no earlier than
 * its end plus the settle delay. LS_OK or LS_EPOLICY with details.
 */
int proto_summary_check_policy(const struct ls_summary *s,
                               const struct ls_policy *p, int64_t created,
                               struct ls_errinfo *e);

/* Unix time (UTC) of the first second after a period:
 * ls_period_end_time() (core/period.h). */
int64_t proto_period_end(const struct ls_period *p);

#endif
