/*
 * Sharing a recognised structural signal with the federation: a dossier
 * that has reached the phase rapporteren (so all four criteria hold:
 * duidelijk, neutraal, herkend, gedeeld) is published as a dossier note —
 * theme, phase, problem type and an action headline, nothing else — on
 * the node's own feed, where sync carries it to the association.
 *
 * The note's dossier id is derived, not stored: the first 16 bytes of
 * BLAKE2b-256 over a fixed label, the origin, the dossier's number, its
 * creation time and its title. So every share of the same dossier carries
 * the same id (a later note replaces the earlier one at every receiver),
 * and the id reveals nothing: the title never leaves the node, so nobody
 * can confirm a guessed number. The derivation does not depend on the
 * node key, so a key rotation keeps the ids.
 */
#ifndef LS_NODE_DOSSIER_SHARE_H
#define LS_NODE_DOSSIER_SHARE_H

#include <stdint.h>

#include "common/err.h"
#include "proto/doc.h"
#include "proto/key.h"
#include "store/feed.h"
#include "store/store.h"

/*
 * Check an action headline before it is published, with a Dutch message
 * that names the problem (empty, too long, a digit, an '@', or another
 * character a headline may not carry — PROTOCOL.md, "Dossier note").
 * LS_OK or LS_EINVAL.
 */
int node_headline_check(const char *headline, struct ls_errinfo *e);

struct node_share_request {
	int64_t dossier;      /* the dossier's number in the local store */
	const char *theme;    /* NULL: the dossier's first theme; else one
	                         of its themes (a local sub-code is shared
	                         as its parent) */
	const char *headline; /* NULL: the "what" of its latest action */
	int dry_run;          /* build and check, do not publish */
};

struct node_share_result {
	struct ls_dossier_note note; /* what is (or would be) published */
	int published;               /* 1 when a note was published now */
	int unchanged; /* the latest note on this dossier says the same:
	                  nothing was published */
	struct store_doc_meta meta; /* the published document */
};

/*
 * Share dossier req->dossier of this node (origin) as a dossier note
 * signed with kp, created at `now`. Refuses, with a Dutch message that
 * says why and what to do:
 *   LS_ENOTFOUND  no such dossier;
 *   LS_ESTATE     not (yet) recognised as structural: its phase is
 *                 before rapporteren or a criterion is not met;
 *   LS_EINVAL     a theme that is not the dossier's, no headline and no
 *                 action to take one from, or a headline with what a note
 *                 may not carry (node_headline_check);
 * and store errors. Nothing is written unless a note is published.
 */
int node_dossier_share(struct store *s, const struct ls_keypair *kp,
                       const char *origin, const struct node_share_request *req,
                       int64_t now, struct node_share_result *out,
                       struct ls_errinfo *e);

#endif
