/*
 * The release ledger: one row per summary this node released (a first
 * release or a correction), with what it cost in privacy budget. It is
 * the privacy-budget ledger of noise mode (what every release spent, per
 * budget year, refusing to overspend) and the index of which periods are
 * released (threshold releases are in it with cost 0).
 *
 * The budget year of a release is the year its period starts in
 * (docs/DISCLOSURE.md 4.7). Rows are never changed or deleted (triggers
 * refuse it), and a period has at most one first release (a unique
 * index): a second one can only be a correction that names the release it
 * supersedes.
 *
 * Durability: as everywhere in the store, a write is committed when the
 * function returns LS_OK, unless the caller opened a transaction (then at
 * store_tx_commit) — a release adds its ledger row in the transaction that
 * publishes the summary and appends the audit entry.
 */
#ifndef LS_STORE_LEDGER_H
#define LS_STORE_LEDGER_H

#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/summary.h"
#include "store/store.h"

struct store_ledger_entry {
	int64_t id; /* set by store_ledger_add */
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;            /* the summary's position in the feed */
	struct ls_period period; /* what it covers */
	uint64_t supersedes;     /* 0, or the seq of the release it corrects */
	uint8_t mode;            /* enum ls_disclosure_mode */
	uint32_t epsilon_milli;  /* noise mode; 0 in threshold mode */
	uint64_t cost_milli;     /* privacy budget spent, epsilon x 1000 */
	uint64_t budget_milli;   /* the yearly budget it was checked against */
	int64_t at;              /* when (Unix time) */
};

/*
 * Record a release. With cost_milli > 0 the year's spending (every row of
 * the period's start year) plus this cost must fit in x->budget_milli
 * (ls_noise_budget_check): else LS_EBUDGET and nothing is written, with a
 * Dutch message in *e. LS_EEXISTS: the period already has a first
 * release (x->supersedes == 0), or (origin, seq) is taken. LS_EINVAL for
 * a malformed entry (bad origin or period, seq 0, supersedes >= seq).
 * Sets x->id.
 */
int store_ledger_add(struct store *s, struct store_ledger_entry *x,
                     struct ls_errinfo *e);

/*
 * Record a release that is already published: one found in the node's own
 * feed without its ledger row (a store restored from a backup older than
 * the release learns its later documents back from its peers; see
 * node/ledger.h). The same as store_ledger_add() without the budget
 * check: what was published was spent, whether it fitted or not, and it
 * counts against the year from now on. LS_EEXISTS, LS_EINVAL as there.
 */
int store_ledger_recover(struct store *s, struct store_ledger_entry *x,
                         struct ls_errinfo *e);

/* How many releases (first release and corrections) origin made of
 * exactly period p, into *n. LS_EINVAL for a bad origin or period. */
int store_ledger_count(struct store *s, const char *origin,
                       const struct ls_period *p, uint32_t *n);

/* The release at (origin, seq) into *out; LS_ENOTFOUND if the ledger has
 * none. */
int store_ledger_get(struct store *s, const char *origin, uint64_t seq,
                     struct store_ledger_entry *out);

/* The privacy budget spent in a budget year (sum of the costs). */
int store_ledger_spent(struct store *s, int32_t year, uint64_t *spent_milli);

/*
 * The latest release (highest seq) of origin whose period overlaps p
 * (the same period, or another that shares a month with it), into *out.
 * LS_ENOTFOUND when there is none. The caller tells "this period" from
 * "an overlapping one" by comparing out->period.
 */
int store_ledger_find(struct store *s, const char *origin,
                      const struct ls_period *p,
                      struct store_ledger_entry *out);

/* Every release of origin (NULL or "": of any origin), in order of
 * period, then seq. The entry is valid during the call; a non-zero
 * return stops the walk and is returned. */
typedef int (*store_ledger_cb)(void *arg, const struct store_ledger_entry *x);
int store_ledger_list(struct store *s, const char *origin, store_ledger_cb cb,
                      void *arg);

#endif
