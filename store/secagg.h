/*
 * Secure-aggregation round state in the store (schema version 7), so that
 * a round survives a restart of any party (docs/SECAGG.md, "Running
 * rounds").
 *
 *   secagg_round     the aggregator's rounds: one row per (period,
 *                    attempt) with the open message, the key set and the
 *                    close it sent (once made), its state and, once
 *                    published, the seq of the federation summary
 *   secagg_msg       the members' messages the aggregator accepted (key,
 *                    contrib, reveal) with the time they were taken: a
 *                    restarted aggregator replays them into a fresh state
 *                    machine and gets the same key set and close bytes
 *   secagg_revealed  a member's memory: per round, the hash of the close
 *                    it revealed for, written before the reveal is sent,
 *                    so it never reveals for a second, different close
 *
 * Blobs handed to callbacks point into SQLite's memory and are valid only
 * during the callback; nothing is allocated for the caller.
 */
#ifndef LS_STORE_SECAGG_H
#define LS_STORE_SECAGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/period.h"

struct store;

#define STORE_SECAGG_ID_BYTES 32

enum store_secagg_state {
	STORE_SECAGG_RUNNING = 0,
	STORE_SECAGG_PUBLISHED = 1, /* the federation summary is out */
	STORE_SECAGG_ABANDONED = 2, /* superseded by a later attempt */
};

struct store_secagg_round {
	struct ls_period period;
	uint32_t attempt;
	uint8_t round[STORE_SECAGG_ID_BYTES];
	const uint8_t *open; /* required */
	size_t open_len;
	const uint8_t *keyset; /* NULL until made */
	size_t keyset_len;
	const uint8_t *close; /* NULL until made */
	size_t close_len;
	int state;            /* enum store_secagg_state */
	uint64_t fedsum_seq;  /* published: its seq in the own feed */
	int64_t started;      /* Unix time */
	int64_t ended;        /* 0 while running */
	uint32_t n_invited, n_included, n_dropped;
};

/* Insert the round, or update the row of its (period, attempt): the
 * key set and close once set stay (a different one is LS_EEXISTS), the
 * rest is overwritten. LS_ESTORE, LS_EFULL, LS_EIO. */
int store_secagg_round_put(struct store *s, const struct store_secagg_round *r);

/* Every round, by period then attempt; cb's non-zero return stops the
 * walk and is returned. */
int store_secagg_round_list(struct store *s,
                            int (*cb)(void *ctx,
                                      const struct store_secagg_round *r),
                            void *ctx);

/* Record a member's accepted message (type: LS_SECAGG_KEY, _CONTRIB or
 * _REVEAL). The same (round, member, type) again is a no-op when the
 * bytes are equal, LS_EEXISTS when they differ. */
int store_secagg_msg_put(struct store *s,
                         const uint8_t round[STORE_SECAGG_ID_BYTES],
                         const char *member, int type, int64_t at,
                         const uint8_t *msg, size_t len);

/* The accepted messages of a round, by type then member. */
int store_secagg_msg_list(struct store *s,
                          const uint8_t round[STORE_SECAGG_ID_BYTES],
                          int (*cb)(void *ctx, const char *member, int type,
                                    int64_t at, const uint8_t *msg,
                                    size_t len),
                          void *ctx);

/* A member's revealed close for round into close_hash: LS_OK or
 * LS_ENOTFOUND. */
int store_secagg_revealed_get(struct store *s,
                              const uint8_t round[STORE_SECAGG_ID_BYTES],
                              uint8_t close_hash[32]);

/* Remember that this node reveals for close_hash in round (durable when
 * it returns): LS_OK, also when that same hash is held; LS_EEXISTS when
 * another close is held (nothing changes). */
int store_secagg_revealed_put(struct store *s,
                              const uint8_t round[STORE_SECAGG_ID_BYTES],
                              const uint8_t close_hash[32], int64_t at);

#endif
