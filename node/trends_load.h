/*
 * What a node holds, gathered for the trends: the summaries of every
 * origin (the latest document per origin and period: a correction
 * replaces what it corrects), the dossier notes, and the display names of
 * the members from the latest roster.
 *
 * Documents in the store were verified when they were stored, so they
 * are decoded here without verifying again (node_feed_decode). A summary
 * that the trends refuse (a code this node's taxonomy does not know, say)
 * is skipped and reported, not fatal: one bad document must not hide the
 * federation's trends.
 */
#ifndef LS_NODE_TRENDS_LOAD_H
#define LS_NODE_TRENDS_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/structural.h"
#include "core/summary.h"
#include "core/trends.h"
#include "store/store.h"

/* Which municipalities to take (NULL or n_origins 0: all). The ids are
 * the caller's and must stay valid during the call. */
struct node_trends_filter {
	const char *const *origins;
	size_t n_origins;
};

struct node_trends_report {
	uint64_t docs;       /* summary documents read */
	uint64_t superseded; /* replaced by a later one of the same period */
	uint64_t filtered;   /* of other municipalities than asked for */
	uint64_t used;       /* combined */
	uint64_t ignored;    /* outside the window or another length */
	uint64_t refused;    /* refused by ls_trends_add(_federation) */
	/* held but counted nowhere (PROTOCOL.md 5.3, "Epochs"): summaries
	 * and federation summaries, left out before anything else */
	uint64_t uncounted;
	/* federation summaries (type 7): read, replaced by another of the
	 * same period, outside the window, used (none are read when the
	 * filter selects municipalities: a federation total covers all) */
	uint64_t fed_docs, fed_superseded, fed_ignored, fed_used;
	char first_refused[320]; /* why the first one was refused */
};

struct ls_config;

/* The [trends] settings of a node's config (growth window, full growth,
 * weights) into *o; the window itself (first, last) is left alone. The
 * one mapping, for `signaalctl trends`, the bundle and the HTTP API. */
void node_trends_options_config(const struct ls_config *c,
                                struct trends_options *o);

/*
 * Add every summary the store holds (filtered) to t, the latest document
 * per (origin, period), and, without a filter, one federation summary per
 * period of the window (of each origin the latest; of several origins
 * the one with the most municipalities in it, then the lowest id). r (may be
 * NULL) says what happened. LS_OK even when some were refused (see r); store
 * errors, LS_ENOMEM, or a document that does not decode (LS_ECORRUPT: the store
 * holds what it should not) are returned with details.
 */
int node_trends_load(struct store *s, struct trends *t,
                     const struct node_trends_filter *f,
                     struct node_trends_report *r, struct ls_errinfo *e);

struct ls_doc;

/* A decoded summary (type 3) or federation summary (type 7) from the
 * document ref into t: ls_trends_add or ls_trends_add_federation. The one
 * step for anyone recomputing trends from listed documents. LS_EINVAL for
 * another type; else as those. */
int node_trends_add_doc(struct trends *t, const struct ls_doc *doc,
                        const struct trends_docref *ref,
                        enum trends_added *added, struct ls_errinfo *e);

/*
 * The default window's end: of the period length most summaries have,
 * the latest period for which at least half of the municipalities hold a
 * summary (so a month that only a few have released yet is not the end).
 * *found is 0 when the store holds no summary.
 */
int node_trends_latest(struct store *s, const struct node_trends_filter *f,
                       struct ls_period *last, int *found,
                       struct ls_errinfo *e);

/* Add every dossier note the store holds (filtered) to st. *n_docs (may
 * be NULL) counts the documents read. */
int node_structural_load(struct store *s, struct structural *st,
                         const struct node_trends_filter *f, uint64_t *n_docs,
                         struct ls_errinfo *e);

/* Display names of the members, from the latest roster held. */
struct node_names {
	size_t n;
	struct node_name {
		char id[LS_NODE_ID_SIZE];
		char name[65];
	} * v; /* owned, sorted by id */
};

/* Fill *out (empty when no roster is held); the caller frees it with
 * node_names_fini. */
int node_names_load(struct store *s, struct node_names *out,
                    struct ls_errinfo *e);
void node_names_fini(struct node_names *n);

/* The name of a member, or its id when the roster does not list it. */
const char *node_names_get(const struct node_names *n, const char *id);

#endif
