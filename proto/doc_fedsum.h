/*
 * The federation summary document (type 7, PROTOCOL.md 15.4): the
 * protected federation totals of one period that a secure-aggregation
 * round produced, published by the association (an aggregator) and
 * relayed like every document. It names the round, exactly which
 * municipalities are in the totals, the noise in them and the epsilon
 * that noise gives, and carries the five tables of a summary with noisy
 * and withheld cells (core/secagg.h, ls_secagg_federation_tables).
 *
 * Ownership: the struct owns its included list and its tables' rows
 * (proto_doc_fini of the document frees them).
 */
#ifndef LS_PROTO_DOC_FEDSUM_H
#define LS_PROTO_DOC_FEDSUM_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/secagg.h"
#include "core/summary.h"
#include "proto/secagg.h"

/* Most epsilon a federation summary may state (x 1000): a weak
 * guarantee is stated as it is, not refused (docs/SECAGG.md). */
#define LS_FEDSUM_EPSILON_MILLI_MAX 100000000u

struct ls_fedsum {
	struct ls_period period;
	uint8_t round[LS_SECAGG_ID_BYTES];
	size_t n_included;
	char (*included)[LS_NODE_ID_SIZE]; /* owned; sorted, unique, >= 2 */
	struct secagg_noise noise;         /* Skellam mu in the totals */
	uint64_t epsilon_milli; /* per signal, at delta SECAGG_DELTA */
	uint32_t withhold_below;
	uint32_t persons_cap;
	struct ls_summary_table tables[LS_TABLE_COUNT_]; /* rows owned */
};

/* Every rule a receiver checks: period; 2..LS_SECAGG_MAX_PARTIES
 * included node ids, sorted and unique; noise within ls_secagg_noise_check
 * and not zero on either measure; epsilon 1..LS_FEDSUM_EPSILON_MILLI_MAX;
 * withhold_below <= DISCLOSURE_WITHHOLD_MAX; cap 1..
 * DISCLOSURE_PERSONS_CAP_MAX; every table's rows sorted by (theme,
 * other), unique, codes valid, other "" exactly in the theme table, at
 * most LS_SUMMARY_MAX_ROWS; cells only noisy (withhold_below <= value,
 * 0 <= lo <= value <= hi <= LS_COUNT_MAX) or withheld (0 <= lo <= hi <=
 * LS_COUNT_MAX). LS_OK or LS_EINVAL with details. */
int proto_fedsum_validate(const struct ls_fedsum *f, struct ls_errinfo *e);

/* Free the owned arrays and zero *f. */
void proto_fedsum_fini(struct ls_fedsum *f);

#endif
