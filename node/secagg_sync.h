/*
 * Secure-aggregation rounds driven over sync sessions (docs/SECAGG.md,
 * "Running rounds"; PROTOCOL.md 15.7): both roles of node/secagg.h with
 * transport, scheduling and persistence.
 *
 * Transport. The aggregator is the client: after its sync exchanges with
 * a member, a round of node/sync.h asks this module for one more request
 * (node_sync_ext: open, keyset or close, whatever the member still owes)
 * and hands it the reply (key, contrib or reveal). A member answers those
 * requests in node_sync_handle_frame through the same hook; each answer
 * is a function of the request, the member's store and its secret, so
 * REQ resends and restarts are harmless. Session security is sync's: the
 * frames are sealed, the peer authenticated against the roster.
 *
 * Aggregator (role koepel, [secagg] enabled): node_secagg_sync_tick
 * (every second or so) starts rounds (up to NODE_SECAGG_PARALLEL at
 * once, oldest first) for the periods that municipalities released and
 * no federation summary covers yet (all of them released, or enough of
 * them after three waits for the rest),
 * moves the round on when every member answered or the phase's wait
 * ran out, and when every included member revealed publishes the
 * federation summary (type 7) in the own feed. A member silent after the
 * close makes the attempt fail; the next attempt leaves it out. The
 * round's messages are written to the store (store/secagg.h) as they are
 * accepted: a restarted aggregator replays them and re-sends the same
 * bytes.
 *
 * Member (role gemeente, [secagg] enabled): contributes its exact counts
 * of the period (store_summary_raw, persons capped as its own release),
 * checked against the bounds of its latest own release of the period; a
 * member without a release refuses (not found). It remembers the close it
 * revealed for before the reveal leaves (store_secagg_revealed_put).
 * Its secret is DIR/keys/secagg.secret (node/secret.h's format and
 * rules, mode 0600).
 *
 * Ownership: struct node_secagg_sync borrows the store, trust and key
 * pair (they must outlive it) and owns its secret (sodium memory), its
 * round and everything in it (node_secagg_sync_fini). Loop thread only.
 */
#ifndef LS_NODE_SECAGG_SYNC_H
#define LS_NODE_SECAGG_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/secagg.h"
#include "node/secagg.h"
#include "node/sync.h"
#include "node/trust.h"
#include "proto/key.h"
#include "store/store.h"

/* The secret, relative to the node directory. */
#define NODE_SECAGG_SECRET_FILE "keys/secagg.secret"

struct node_secagg_sync_config {
	int enabled;               /* [secagg] enabled */
	struct secagg_noise noise; /* mu per measure ([secagg] mu_*_milli) */
	uint32_t min_parties;      /* fewest contributions in a total */
	int64_t wait_s;            /* a phase's wait: intervals x interval */
	/* Something to send to the peers: the daemon kicks its sync rounds
	 * (may be NULL). */
	void (*kick)(void *arg);
	void *kick_arg;
};

/* What the aggregator's last round of a period did (status, metrics). */
struct node_secagg_period_state {
	struct ls_period period;
	uint32_t attempt;
	int state;          /* store_secagg_state */
	uint32_t invited, included, dropped;
	uint64_t fedsum_seq; /* published: the document's seq */
	int64_t ended;
};

struct node_secagg_round; /* the aggregator's round in progress */

/* Rounds of different periods the aggregator runs at once. */
#define NODE_SECAGG_PARALLEL 6

struct node_secagg_sync {
	struct store *store;
	struct node_trust *trust;
	const struct ls_keypair *kp;
	char self[LS_NODE_ID_SIZE];
	int aggregator; /* this node signs rounds (role koepel) */
	struct node_secagg_sync_config cfg;
	uint8_t *secret; /* members: LS_SECAGG_SECRET_BYTES, sodium memory */
	struct node_sync_ext ext;
	/* aggregator: the rounds in progress, oldest period first */
	struct node_secagg_round *rounds[NODE_SECAGG_PARALLEL];
	size_t n_rounds;
	/* Since when a period released by only some municipalities waits
	 * for the others (0: none waits). */
	int64_t waiting_since;
	uint64_t scanned_gen; /* store generation of the last period scan */
	int own_head_known;   /* publishing allowed (node_sync gate) */
	/* counters (metrics) */
	uint64_t published, abandoned, served, refused, taken, take_refused;
	/* the last rounds per period, newest periods last (status) */
	struct node_secagg_period_state last[24];
	size_t n_last;
};

/*
 * Set up for node self with key pair kp. A member loads (or makes) its
 * secret from secret_path; an aggregator needs none (NULL). Nothing runs
 * until node_sync_set_ext(ns, &ss->ext). An aggregator resumes the
 * rounds its store holds as running. LS_EDENIED (secret file readable by
 * others), LS_EIO, LS_ENOMEM, store errors; *e says why (Dutch).
 */
int node_secagg_sync_init(struct node_secagg_sync *ss, struct store *store,
                          struct node_trust *trust,
                          const struct ls_keypair *kp, const char *self,
                          int aggregator, const char *secret_path,
                          const struct node_secagg_sync_config *cfg,
                          int64_t now, struct ls_errinfo *e);

/* A new config (SIGHUP): enabled, noise, waits; a round in progress
 * keeps the parameters it was opened with. */
void node_secagg_sync_configure(struct node_secagg_sync *ss,
                                const struct node_secagg_sync_config *cfg);

/*
 * Aggregator: start, advance, finish or abandon the round at now.
 * own_head_known: the own feed's head is known (nothing is published
 * before). LS_OK, or a store failure (logged; the next tick tries again).
 */
int node_secagg_sync_tick(struct node_secagg_sync *ss, int64_t now,
                          int own_head_known);

/* The round in progress: its id and phase (enum node_secagg_phase);
 * LS_ENOTFOUND when idle. */
int node_secagg_sync_current(const struct node_secagg_sync *ss,
                             uint8_t round[LS_SECAGG_ID_BYTES], int *phase);

/* What the round in progress waits for, in one line for
 * status ("2025-06 poging 1: sleutels 3/4"), or "" when idle. */
void node_secagg_sync_describe(const struct node_secagg_sync *ss, char *out,
                               size_t size);

/*
 * The fedsum ingest check (a federation summary from another node): every
 * node named in the totals is a municipality of the roster in force, and
 * the persons cap is that of the policy of its time (node_trust_judge:
 * *uncounted is set as there). LS_OK, LS_EDENIED (a name that is no
 * municipality), LS_EPOLICY (a cap no policy up to its time had),
 * LS_ESTATE (no roster or policy yet); *e says which.
 */
int node_secagg_fedsum_check(const struct node_trust *t,
                             const struct ls_fedsum *f, int64_t created,
                             uint64_t *uncounted, struct ls_errinfo *e);

void node_secagg_sync_fini(struct node_secagg_sync *ss);

#endif
