/*
 * The release ledger, rebuilt from the node's own feed.
 *
 * Every summary a node publishes is signed into its own feed, which its
 * peers hold. So the spent privacy budget, and which periods are released,
 * can always be derived from that feed: the ledger (store/ledger.h) is
 * only an index of it. A store restored from a backup older than some
 * releases has lost their ledger rows and audit entries; once the daemon
 * has fetched the later documents back from its peers (the restore gate,
 * docs/DAEMON.md), node_ledger_recover() finds every own summary the
 * ledger lacks and records it: a ledger row with the cost its parameters
 * imply (in noise mode ε, counted whatever the budget says: it was spent)
 * and an audit entry by the actor NODE_LEDGER_ACTOR. The release pipeline
 * runs it before every decision (what is due, a preview, a release), so a
 * restored node learns what it spent before it can release again, and a
 * period in its feed is never released afresh as a first release.
 *
 * A feed made by an older version may hold two first releases of one
 * period (a restored node that released again); the second is recorded as
 * superseding the first, so that both are paid.
 */
#ifndef LS_NODE_LEDGER_H
#define LS_NODE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"

/* The audit log's "who" of a recovered release. */
#define NODE_LEDGER_ACTOR "hersteld-uit-feed"

/*
 * Record every summary of origin's feed that the ledger lacks, in seq
 * order, in one transaction (the caller's, if one is open). budget_milli
 * is the yearly budget in force (stored beside the rows for the record);
 * now is the time of the audit entries. *n (may be NULL) gets how many
 * were recovered; each is logged (event ledger_recovered). LS_OK, or a
 * store, decode or allocation error with nothing written (Dutch details
 * in *e).
 */
int node_ledger_recover(struct store *s, const char *origin,
                        uint64_t budget_milli, int64_t now, size_t *n,
                        struct ls_errinfo *e);

#endif
