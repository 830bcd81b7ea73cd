/*
 * The dossier model: the follow-up of a structural signal as Ghent's
 * working group on signals runs it.
 *
 * Phases, in order:
 *   opmerken -> verzamelen -> bundelen -> analyseren -> rapporteren ->
 *   beslissing -> actie -> feedback
 * The allowed transitions are one explicit table (dossier.c, also in
 * docs/STORE.md): forward one phase, a few steps back where the process
 * goes back in practice (more signals needed, analysis not conclusive),
 * and a decision without action goes straight to feedback.
 *
 * The four criteria that make a signal structural (duidelijk, neutraal,
 * herkend, gedeeld) are a bit mask; a dossier can only move into
 * rapporteren (and so be published as structural) when all four hold.
 *
 * Nothing here allocates or does I/O.
 */
#ifndef LS_CORE_DOSSIER_H
#define LS_CORE_DOSSIER_H

#include <stddef.h>

#include "common/err.h"

enum ls_phase {
	LS_PHASE_OPMERKEN = 0, /* noticed */
	LS_PHASE_VERZAMELEN,   /* collecting signals */
	LS_PHASE_BUNDELEN,     /* bundling across organisations */
	LS_PHASE_ANALYSEREN,   /* analysing: is it structural? */
	LS_PHASE_RAPPORTEREN,  /* reporting (signal bundle) */
	LS_PHASE_BESLISSING,   /* policy decision */
	LS_PHASE_ACTIE,        /* action */
	LS_PHASE_FEEDBACK,     /* feedback to the reporting organisations */
	LS_PHASE_COUNT_
};

enum ls_criterion {
	LS_CRIT_DUIDELIJK = 1u << 0, /* clear */
	LS_CRIT_NEUTRAAL = 1u << 1,  /* neutral */
	LS_CRIT_HERKEND = 1u << 2,   /* recognised */
	LS_CRIT_GEDEELD = 1u << 3,   /* shared */
};
#define LS_CRIT_ALL 0x0fu
#define LS_CRIT_COUNT 4

/* Limits on a dossier's texts (bytes of UTF-8). */
#define LS_DOSSIER_TITLE_MAX 200
#define LS_DOSSIER_OWNER_MAX 120
#define LS_DOSSIER_TEXT_MAX 4000

/* The phase's name ("opmerken", ...); "?" for a bad value. */
const char *ls_phase_name(enum ls_phase phase);

/* Parse a phase name. LS_EINVAL if unknown. */
int ls_phase_parse(const char *text, enum ls_phase *out);

/* 1 if the table allows from -> to, else 0. */
int ls_dossier_transition_allowed(enum ls_phase from, enum ls_phase to);

/* The phases reachable from `from`, in phase order, into out[0..cap);
 * returns how many there are. */
size_t ls_dossier_next_phases(enum ls_phase from, enum ls_phase *out,
                              size_t cap);

/* Check a transition against the table and the criteria that must hold
 * for the target phase (rapporteren and later need LS_CRIT_ALL).
 * LS_ESTATE with a Dutch message naming the allowed phases or the missing
 * criteria. */
int ls_dossier_check_transition(enum ls_phase from, enum ls_phase to,
                                unsigned criteria, struct ls_errinfo *e);

/* Criteria a phase requires to be entered (LS_CRIT_ALL or 0). */
unsigned ls_dossier_phase_criteria(enum ls_phase phase);

/* Name of one criterion bit ("duidelijk", ...); "?" otherwise. */
const char *ls_criterion_name(unsigned bit);

/* Parse a comma-separated list of criterion names ("duidelijk,gedeeld",
 * or "alle") into a mask. LS_EINVAL (Dutch message) on an unknown name
 * or an empty item. */
int ls_criteria_parse(const char *text, unsigned *mask, struct ls_errinfo *e);

/* Write the names of the bits set, comma-separated, or "geen", into out
 * (at least 48 bytes). */
void ls_criteria_format(unsigned mask, char *out, size_t size);

#endif
