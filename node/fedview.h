/*
 * What a node knows about every node of its federation, from its own
 * store and the trust in force: the roster's members (name, role,
 * membership) and every origin it holds documents of, each with its feed
 * position here, quarantine and unresolved forks, its latest status
 * document (version, uptime, last capture, its peers' last syncs) and its
 * latest summary. At the association that is the health of the whole
 * federation; the HTTP API (/api/v1/federation) and `signaalctl status`
 * both show it, from this one function.
 *
 * Documents in the store were verified when they were stored: they are
 * decoded here without verifying again (node_feed_decode). Nothing is
 * written. The federation's own feed (roster, policy, taxonomy) is not a
 * node and is left out.
 */
#ifndef LS_NODE_FEDVIEW_H
#define LS_NODE_FEDVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/period.h"
#include "proto/doc.h"

struct store;
struct node_trust;

struct node_fedview_node {
	char id[LS_NODE_ID_SIZE];
	const char *name; /* the roster's (borrowed from the trust), or NULL */
	int role;         /* enum ls_role; 0 when not in the roster */
	int member;       /* in the roster in force */
	int64_t left;     /* the roster's "left" time; 0 none */
	uint64_t seq;     /* highest seq held of its feed; 0 none */
	int quarantined;  /* its feed is stopped by an unresolved fork */
	unsigned forks;   /* unresolved forks of its feed */
	/* Its latest status document (status.hdr.seq == 0: none held). */
	struct ls_doc status;
	int64_t seen;   /* that document's creation time; 0 none */
	int64_t synced; /* its latest good sync with any peer, as it says */
	/* Its latest summary. */
	uint64_t release_seq; /* 0: none held */
	int64_t release_created;
	char release_period[LS_PERIOD_SIZE];
	int release_uncounted; /* that summary is held but counted nowhere */
	/* Its documents held but counted nowhere (PROTOCOL.md 5.3). */
	uint64_t uncounted;
};

struct node_fedview {
	size_t n;
	struct node_fedview_node *nodes; /* owned; roster members first (by
	                                    id), then other origins held */
	int has_roster;                  /* a roster is in force */
};

/* Fill *out from the store and the trust (NULL: none; its strings are
 * borrowed and must outlive *out). LS_ENOMEM, a store error, or
 * LS_ECORRUPT for a stored document that does not decode. *out is the
 * caller's (node_fedview_fini), also after an error. */
int node_fedview_load(struct store *s, const struct node_trust *trust,
                      struct node_fedview *out, struct ls_errinfo *e);

void node_fedview_fini(struct node_fedview *v);

/* The node with this id, or NULL. */
const struct node_fedview_node *node_fedview_find(const struct node_fedview *v,
                                                  const char *id);

#endif
