/*
 * Releasing anonymised summaries: the one path from a closed period's
 * signals to a signed summary in the node's own feed.
 *
 *   policy in force   the federation's signed policy (node_trust), made
 *                     stricter by the node's [disclosure] settings, or the
 *                     built-in defaults while there is none (core/policy.h)
 *   raw summary       store_summary_raw(): exact counts, never leave
 *   disclosure        ls_disclosure_apply(): threshold or noise mode, with
 *                     the node's noise secret and the year's budget
 *   document          a summary document, checked as a receiver would
 *                     (the policy, ls_disclosure_check), signed and appended
 *                     to the own feed (node_feed_publish)
 *   record            a row in the release ledger (what it spent) and an
 *                     entry in the hash-chained audit log
 *
 * The last three happen in ONE store transaction: a crash or an error at
 * any point leaves no published summary without its ledger row and audit
 * entry, and no ledger charge without its summary.
 *
 * A released period never changes. Releasing it again is refused
 * (LS_EEXISTS); the only way to replace it is node_release_correct(): a
 * new summary that supersedes the latest one by seq, with a reason code
 * (on the wire) and a justification (only in the local audit log), paid
 * in full in noise mode, where it is a whole new draw of every cell (the
 * noise epoch is the number of earlier releases of the period), so that
 * comparing it with the release shows nothing of which cells changed. A
 * period overlapping a released one (e.g. a quarter after its months were
 * released, when the federation changed the period length) is never
 * released.
 *
 * What is released, and what it cost, is decided from the ledger, which
 * is first rebuilt from the node's own feed (node/ledger.h): a store
 * restored from an old backup learns there what it published and spent
 * after the backup, before it releases anything.
 *
 * Who calls what: signaalctl summary preview/release/correct, and the
 * daemon on schedule: node_release_due() then node_release_period() per
 * period (each its own transaction). None of this keeps state between
 * calls; everything is read from the store.
 */
#ifndef LS_NODE_RELEASE_H
#define LS_NODE_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/attack.h"
#include "core/disclosure.h"
#include "core/policy.h"
#include "node/feed.h"
#include "node/trust.h"
#include "proto/key.h"
#include "store/audit.h"
#include "store/feed.h"
#include "store/ledger.h"

/* What a release needs from the node. Nothing here is owned. */
struct node_release_env {
	struct store *store;
	/* The trust in force; NULL (or one without a policy yet): the
	 * built-in defaults stand in for the federation's policy. */
	const struct node_trust *trust;
	/* The node's own [disclosure] settings (ls_policy_local_from_config);
	 * all zero: none. */
	struct ls_policy_local local;
	const char *origin; /* this node's id (its feed) */
	/* Signs the summary; may be NULL for a preview. */
	const struct ls_keypair *key;
	/* The daemon's: what the roster it holds says of key
	 * (node_feed_key_of); a release it would not allow is refused with
	 * its code (LS_EEXPIRED, LS_EREVOKED, LS_EKEY) and nothing written.
	 * NULL: not checked (a preview, or a test that must write what
	 * receivers refuse). signaald and signaalctl always set it. */
	const struct node_feed_key *own_key;
	/* The noise secret file (NODE_NOISE_SECRET_FILE in the node
	 * directory): read, or made, only when noise mode needs it. */
	const char *noise_secret_path;
	const char *actor; /* who releases: a user name, or "signaald" */
};

enum node_period_state {
	NODE_PERIOD_OPEN = 0,     /* not ended yet */
	NODE_PERIOD_SETTLING = 1, /* ended, inside the settle delay */
	NODE_PERIOD_DUE = 2,      /* may be released, not released yet */
	NODE_PERIOD_RELEASED = 3, /* released (a correction is possible) */
	NODE_PERIOD_BLOCKED = 4,  /* overlaps a released period of another
	                             length: can never be released */
};

/* Dutch name of a state ("open", "wachttijd", ...). */
const char *node_period_state_name(int state);

/* Everything about one period's release, before it happens. */
struct node_release_plan {
	struct ls_policy_effective rules; /* the policy this node applies */
	struct ls_period period;
	int state;            /* enum node_period_state */
	int64_t release_time; /* the period's end + the settle delay */
	/* RELEASED or BLOCKED: the latest release of (a period overlapping)
	 * this period. */
	struct store_ledger_entry latest;
	/* What would be published now (for a released period: as a
	 * correction of `latest`), and why each cell is what it is. The
	 * report's notes hold true counts: they never leave the node. */
	struct ls_summary released;
	struct disclosure_report report;
	/* threshold mode: what the release gate did (core/attack.h) */
	struct attack_gate_stats gate;
	/* RELEASED: 1 if `released` differs from the latest published
	 * summary (the data changed since), else 0. */
	int changed;
	/* noise mode: the budget year's state and what this costs */
	struct noise_budget budget;
	uint64_t cost_milli;
	int budget_ok; /* 1 if the cost fits in the year's budget */
	uint8_t has_secret_id;
	uint8_t secret_id[STORE_AUDIT_SECRET_ID_BYTES];
	/* noise mode: the epoch of this release's draw, = the releases of
	 * the period before it (0 first, 1 first correction, ...) */
	uint32_t noise_epoch;
	/* organisations that reported under more than one sector in the
	 * period: each counts once per sector among the organisations
	 * (store_summary_sector_conflicts); the operator is told */
	uint32_t sector_conflicts;
};

void node_release_plan_init(struct node_release_plan *p);
void node_release_plan_fini(struct node_release_plan *p);

/*
 * Work out, without publishing anything, what a release of `period`
 * would publish at `now` (the CLI's preview): its state, the policy, the
 * summary and the note of every cell, the budget, the organisations used
 * with two sectors. The one write: ledger rows (and audit entries) of
 * own summaries the ledger lacks (node_ledger_recover). Noise mode
 * reads the noise secret (making it, the first time). An open or
 * settling period is previewed too (with its state), so that the DPO can
 * look ahead. LS_EPOLICY: the node's settings are looser than the
 * federation's, or the period is not one of the policy's (length,
 * alignment); LS_EINVAL: a bad period. *out is the caller's
 * (node_release_plan_fini, also after an error).
 */
int node_release_preview(const struct node_release_env *env,
                         const struct ls_period *period, int64_t now,
                         struct node_release_plan *out, struct ls_errinfo *e);

/* What a release or correction published. */
struct node_release_result {
	struct store_doc_meta doc;      /* the summary in the own feed */
	struct store_audit_entry audit; /* its audit entry */
	struct store_ledger_entry ledger;
	uint32_t sector_conflicts; /* as in struct node_release_plan */
};

/*
 * Release a period: the whole pipeline in one transaction. Refused with a
 * Dutch message, and nothing written:
 *   LS_ESTATE    the period is open, inside the settle delay, or overlaps
 *                a released period of another length;
 *   LS_EEXISTS   already released (node_release_correct replaces it);
 *   LS_EPOLICY   settings looser than the policy, or not a policy period;
 *   LS_EBUDGET   noise mode: the year's privacy budget does not allow it;
 *   LS_EKEY      no key to sign with;
 *   and store, secret-file and allocation errors.
 * On LS_OK, *out (may be NULL) describes what was published.
 */
int node_release_period(const struct node_release_env *env,
                        const struct ls_period *period, int64_t now,
                        struct node_release_result *out, struct ls_errinfo *e);

/*
 * Correct a released period: a new summary of it, made from the store as
 * it is now, superseding the latest release, with reason (a code of
 * ls_correction_reasons()) and a justification (for the audit log only;
 * ls_correction_justification_check). Refused, nothing written:
 * LS_EINVAL (unknown reason, bad justification), LS_ELIMIT (justification
 * too long), LS_ENOTFOUND (the period was never released), LS_ESTATE (the
 * data did not change since the latest release: the correction would
 * publish the same numbers again), LS_EBUDGET, LS_EPOLICY, LS_EKEY, store
 * errors.
 */
int node_release_correct(const struct node_release_env *env,
                         const struct ls_period *period, const char *reason,
                         const char *justification, int64_t now,
                         struct node_release_result *out, struct ls_errinfo *e);

/*
 * The periods due at `now`, oldest first, at most max into out: every
 * policy period from the one holding the earliest signal on that has
 * ended plus the settle delay and is not released, and overlaps no
 * released period. *n gets how many were written; *more (may be NULL) is
 * 1 when more are due than max. LS_EPOLICY as for a release.
 */
int node_release_due(const struct node_release_env *env, int64_t now,
                     struct ls_period *out, size_t max, size_t *n, int *more,
                     struct ls_errinfo *e);

/*
 * Verify the audit log (store_audit_verify, with an optional anchor) and
 * cross-check it with the own feed: every summary of `origin` in the feed
 * has its release entry with the same document hash, and every release
 * entry names a document the feed holds. The first fault goes into *v.
 * LS_OK when the check ran.
 */
int node_audit_verify(struct store *s, const char *origin, uint64_t anchor_id,
                      const uint8_t anchor_hash[LS_HASH_BYTES],
                      struct store_audit_verdict *v);

#endif
