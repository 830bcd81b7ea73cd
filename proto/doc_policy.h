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
#include "core/summary.h"

/* Sane ranges of disclosure parameters (both policies and summaries). */
#define LS_K_MIN 2
#define LS_K_MAX 1000
#define LS_EPSILON_MILLI_MAX 100000 /* epsilon <= 100 */
#define LS_WITHHOLD_MAX 1000000
#define LS_PERSONS_CAP_MAX 100000
#define LS_SETTLE_DAYS_MAX 365

struct ls_policy {
	struct ls_disclosure_params params;
	uint32_t period_months; /* 1, 2, 3, 4, 6 or 12 */
	uint32_t settle_days;   /* release period end + settle delay */
};

/* The rules of the format for disclosure parameters: mode known;
 * threshold: k in [LS_K_MIN, LS_K_MAX], epsilon and withhold_below 0;
 * noise: epsilon_milli in [1, LS_EPSILON_MILLI_MAX], k <= LS_K_MAX,
 * withhold_below <= LS_WITHHOLD_MAX; persons_cap in
 * [1, LS_PERSONS_CAP_MAX]. LS_OK or LS_EINVAL. */
int proto_params_validate(const struct ls_disclosure_params *p,
                          struct ls_errinfo *e);

/* The parameters above plus period_months and settle_days. */
int proto_policy_validate(const struct ls_policy *p, struct ls_errinfo *e);

/*
 * Does a (schema-valid) summary, created at `created`, respect the policy?
 * Same mode; threshold: k >= policy k; noise: epsilon <= policy epsilon
 * and withhold_below >= policy withhold_below; persons_cap <= policy cap;
 * the period is policy.period_months long and was released no earlier
 * than its end plus the settle delay. LS_OK or LS_EPOLICY with details.
 */
int proto_summary_check_policy(const struct ls_summary *s,
                               const struct ls_policy *p, int64_t created,
                               struct ls_errinfo *e);

/* Unix time (UTC) of the first second after a period. */
int64_t proto_period_end(const struct ls_period *p);

#endif
