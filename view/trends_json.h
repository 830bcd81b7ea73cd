/*
 * Finished trends as JSON (jansson), for `signaalctl trends --format json`
 * and for the HTTP API: the window, the weights, the municipalities and
 * their coverage, the documents combined (origin, seq, hash) with their
 * digest, the disclosure parameters, and the selected items with every
 * indicator, score component, explanation and the series per period.
 * Keys are Dutch, like the project's other exports; the layout is
 * described in docs/TRENDS.md ("JSON").
 *
 * Every value is either exact ({"min": n, "max": n}) or a range
 * ({"min": lo, "max": hi}); "exact" says which, and noisy values carry
 * "ruis" (the sum of the noisy values) and "variantie". Nothing here does
 * I/O: the caller dumps the tree.
 */
#ifndef LS_VIEW_TRENDS_JSON_H
#define LS_VIEW_TRENDS_JSON_H

#include <jansson.h>

#include "core/structural.h"
#include "core/trends.h"

/*
 * The JSON tree of t (finished) with the items sel selects; notes (may
 * be NULL) adds the recognised structural signals. names (may be NULL)
 * gives display names. Returns a new reference (json_decref), or NULL
 * when out of memory.
 */
json_t *ls_trends_json(const struct trends *t, const struct ls_trends_select *sel,
                    struct structural *notes, trends_name_fn names,
                    void *names_ctx);

/* One value as {"min", "max", "exact"[, "ruis", "variantie"]}. */
json_t *ls_trends_json_value(const struct trends_value *v);

#endif
