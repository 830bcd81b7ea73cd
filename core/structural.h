/*
 * Structural signals recognised by municipalities, from their dossier
 * notes: per theme, which municipalities recognised a problem as
 * structural and what they did about it (the action headline), so that
 * municipalities can learn from each other.
 *
 * A note names a dossier by a random id; a later note on the same dossier
 * (same origin, same id, higher seq) replaces the earlier one, so each
 * dossier appears once, in its latest phase. A dossier counts as
 * *recognised* from the phase rapporteren on: a dossier can only enter it
 * when all four criteria hold (core/dossier.h).
 *
 * The notes are kept with the document they came from (origin, seq,
 * hash), so the list can be checked against the documents.
 *
 * Ownership: a struct structural owns its notes (ls_structural_free).
 * Nothing here does I/O.
 */
#ifndef LS_CORE_STRUCTURAL_H
#define LS_CORE_STRUCTURAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/member.h"
#include "core/summary.h"

/* The headline's limit (the wire's LS_HEADLINE_MAX, proto/limits.h). */
#define STRUCTURAL_HEADLINE_MAX 140
#define STRUCTURAL_DOSSIER_BYTES 16

struct structural_note {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
	int64_t created; /* the document's time */
	uint8_t dossier[STRUCTURAL_DOSSIER_BYTES];
	char theme[LS_CODE_SIZE];
	uint8_t phase;                   /* enum ls_phase */
	char problem_type[LS_CODE_SIZE]; /* may be "" */
	char headline[STRUCTURAL_HEADLINE_MAX + 1];
};

struct structural;

/* A new, empty collection; *out is the caller's. LS_ENOMEM. */
int ls_structural_new(struct structural **out);
void ls_structural_free(struct structural *st);

/* Add a copy of a note. A note on a dossier already held replaces it if
 * its seq is higher and is dropped otherwise (both LS_OK). LS_EINVAL for
 * a bad origin, theme or phase; LS_ENOMEM. */
int ls_structural_add(struct structural *st, const struct structural_note *n);

/* 1 if a dossier in this phase is recognised as structural. */
int ls_structural_recognised(uint8_t phase);

/* The notes, sorted by theme, then recognised first and the later phase
 * first, then origin, then headline. Sorting happens lazily on the first
 * call after an add. */
size_t ls_structural_count(struct structural *st);
const struct structural_note *ls_structural_at(struct structural *st, size_t i);

/* How many distinct municipalities hold a note on the theme (only
 * recognised ones when recognised_only). */
size_t ls_structural_theme_origins(struct structural *st, const char *theme,
                                   int recognised_only);

#endif
