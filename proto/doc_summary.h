/*
 * The summary document: struct ls_summary (core/summary.h) on the wire
 * (see PROTOCOL.md, "Summary").
 *
 * Nothing in a summary can carry personal data: every string is a short
 * code ([a-z0-9_-], at most 31 bytes), every number a bounded count or a
 * parameter. A cell is encoded by kind, so a suppressed (range) or
 * withheld cell carries no value at all, whatever the struct holds.
 */
#ifndef LS_PROTO_DOC_SUMMARY_H
#define LS_PROTO_DOC_SUMMARY_H

#include "common/err.h"
#include "core/summary.h"

/*
 * Every rule a receiver checks on its own, without the policy: origin is
 * a node id; period and parameters in range; codes valid; every table's
 * rows sorted by (theme, other) and unique, with other = "" exactly in the
 * theme table; recurrence sorted by theme and unique; at most
 * LS_SUMMARY_MAX_ROWS rows each; every cell well-formed (kinds, 0 <= lo <=
 * value <= hi <= LS_COUNT_MAX where they apply) and allowed by the
 * summary's own parameters:
 *   threshold: exact cells are 0 or >= k; a range has lo < hi and, when
 *              it reaches below k, covers all of 1..k-1; no noisy cells.
 *   noise:     only noisy and withheld cells; a noisy value is at least
 *              withhold_below.
 * A correction (supersedes_seq > 0) names a reason code; a first release
 * has none. LS_OK, LS_EPOLICY (a cell its parameters do not allow) or
 * LS_EINVAL, with details.
 */
int proto_summary_validate(const struct ls_summary *s, struct ls_errinfo *e);

#endif
