/*
 * The release policy: when a period may be released and with which
 * disclosure parameters. One set of rules for the node that releases
 * (node/release.c), the receiver that checks a summary against the
 * federation's signed policy (proto/doc_policy.c), and the CLI.
 *
 * The federation sets the policy in a signed document (PROTOCOL.md,
 * "Policy"); until a node holds one, the built-in defaults below stand in
 * for it. A node may be stricter, never looser: its own settings
 * (signaal.ini, [disclosure]) can raise k, lower epsilon, raise the
 * withhold threshold, lengthen the settle delay or lower the yearly
 * privacy budget, but never the reverse, and never change the mode, the
 * persons cap or the period length of a federation's policy (summaries of
 * the federation must be comparable and must never overlap).
 *
 * Corrections: a released period never changes; a correction is a new
 * summary that supersedes the earlier one and names one of the reason
 * codes below (on the wire), with a justification that stays in the
 * node's local audit log.
 *
 * Pure logic, no I/O, no allocation.
 */
#ifndef LS_CORE_POLICY_H
#define LS_CORE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/config.h"
#include "core/disclosure.h"
#include "core/period.h"
#include "core/summary.h"

/* A period is released at the earliest this many days after it ended. */
#define LS_SETTLE_DAYS_MAX 365
#define LS_SETTLE_DAYS_DEFAULT 7
#define LS_PERIOD_MONTHS_DEFAULT 1

/* Corrections allowed per budget year on top of one release per period,
 * in the default yearly privacy budget (noise mode). */
#define LS_BUDGET_CORRECTIONS_DEFAULT 3

/* The federation's disclosure policy (the body of a policy document). */
struct ls_policy {
	struct ls_disclosure_params params; /* canonical (see below) */
	uint32_t period_months;             /* ls_period_length_valid */
	uint32_t settle_days;               /* 0..LS_SETTLE_DAYS_MAX */
};

/* The built-in policy: ls_disclosure_params_default() in canonical form (or
 * the noise-mode defaults when mode is LS_MODE_NOISE), monthly periods,
 * LS_SETTLE_DAYS_DEFAULT. */
void ls_policy_default(struct ls_policy *p, uint8_t mode);

/* Everything a policy document may say: parameters valid and canonical
 * (ls_disclosure_params_check_canonical), a valid period length, settle
 * delay in range. LS_OK or LS_EINVAL naming the field. */
int ls_policy_check(const struct ls_policy *p, struct ls_errinfo *e);

/* The first second at which the period may be released under p: its end
 * plus the settle delay. */
int64_t ls_policy_release_time(const struct ls_policy *p,
                               const struct ls_period *period);

/* LS_OK if the period is one of p's periods: p->period_months long and
 * aligned to the year; else LS_EPOLICY. */
int ls_policy_period_check(const struct ls_policy *p,
                           const struct ls_period *period,
                           struct ls_errinfo *e);

/*
 * May a summary made with `params` for `period` and created at `created`
 * be released under p? The parameters at least as strict as p's
 * (ls_disclosure_params_stricter: same mode and persons cap; k not smaller;
 * epsilon not larger; withhold threshold not lower), the period one of
 * p's, and created no earlier than ls_policy_release_time(). The check a
 * receiver makes on every summary, and the releasing node on its own.
 * LS_OK or LS_EPOLICY with details.
 */
int ls_policy_release_check(const struct ls_policy *p,
                            const struct ls_disclosure_params *params,
                            const struct ls_period *period, int64_t created,
                            struct ls_errinfo *e);

/* The default yearly privacy budget under p, epsilon x 1000: one release
 * per period of the year plus LS_BUDGET_CORRECTIONS_DEFAULT corrections
 * at the policy's epsilon (15 with the defaults); 0 in threshold mode. */
uint64_t ls_policy_budget_default(const struct ls_policy *p);

/* Write an amount of epsilon x 1000 as people read it, with a decimal
 * comma and no trailing zeros ("1", "0,5", "14,25") into out. */
#define LS_MILLI_TEXT_SIZE 32
void ls_policy_format_milli(uint64_t milli, char out[LS_MILLI_TEXT_SIZE]);

/* ---- the node's own settings ----------------------------------------- */

/* What a node's configuration asks for; 0 everywhere means "as the
 * federation". */
struct ls_policy_local {
	uint8_t mode; /* 0: the federation's; else 1 + enum
	                 ls_disclosure_mode: the only mode this node
	                 releases under */
	uint32_t k;
	uint32_t epsilon_milli;
	uint32_t withhold_below;
	uint32_t settle_days;
	uint64_t budget_milli; /* yearly privacy budget, epsilon x 1000 */
};

/* The [disclosure] settings of a node's configuration. */
void ls_policy_local_from_config(const struct ls_config *c,
                                 struct ls_policy_local *out);

/* The policy a node releases under. */
struct ls_policy_effective {
	struct ls_policy policy; /* canonical parameters */
	uint64_t budget_milli;   /* yearly privacy budget (noise mode) */
	uint8_t from_federation; /* 1: based on the federation's signed
	                            policy; 0: on the built-in defaults */
};

/*
 * Combine the federation's policy (NULL: none yet, the built-in defaults
 * of the mode the node asks for stand in) with the node's own settings
 * (NULL: none). A setting looser than the base, or a mode other than the
 * federation's, is LS_EPOLICY with a Dutch message that names the
 * setting; a federation policy that fails ls_policy_check is LS_EINVAL.
 */
int ls_policy_effective(const struct ls_policy *federation,
                        const struct ls_policy_local *local,
                        struct ls_policy_effective *out, struct ls_errinfo *e);

/* ---- corrections ----------------------------------------------------- */

/* Longest justification of a correction (bytes of UTF-8). */
#define LS_JUSTIFICATION_MAX 1000

struct ls_correction_reason {
	const char *code;  /* on the wire (a taxonomy-style code) */
	const char *label; /* Dutch, for people */
};

/* The reason codes, in a fixed order; *n gets their number. */
const struct ls_correction_reason *ls_correction_reasons(size_t *n);

/* The reason with this code, or NULL. */
const struct ls_correction_reason *ls_correction_reason_find(const char *code);

/* LS_OK if text is a usable justification: 1..LS_JUSTIFICATION_MAX bytes
 * of UTF-8 without control characters (a newline or tab is allowed) and
 * not only spaces; else LS_EINVAL or LS_ELIMIT with a Dutch message. */
int ls_correction_justification_check(const char *text, struct ls_errinfo *e);

#endif
