/*
 * Dossier note: theme, phase and action headline of a structural signal a
 * municipality recognised (see PROTOCOL.md, "Dossier note"). No personal
 * data: the headline is short text of letters, spaces and punctuation
 * only (no digits in any script, no '@': no phone numbers, dates, house
 * numbers, e-mail addresses), everything else is a code. A random dossier id
 * lets later notes on the same dossier replace earlier ones.
 */
#ifndef LS_PROTO_DOC_NOTE_H
#define LS_PROTO_DOC_NOTE_H

#include <stdint.h>

#include "common/err.h"
#include "core/dossier.h"
#include "core/summary.h"
#include "proto/limits.h"

#define LS_DOSSIER_ID_BYTES 16

struct ls_dossier_note {
	uint8_t dossier[LS_DOSSIER_ID_BYTES]; /* random, not all zero */
	char theme[LS_CODE_SIZE];             /* not empty */
	uint8_t phase;                        /* enum ls_phase */
	char problem_type[LS_CODE_SIZE];      /* may be "" */
	char headline[LS_HEADLINE_MAX + 1];   /* UTF-8, see above */
};

int proto_note_validate(const struct ls_dossier_note *n, struct ls_errinfo *e);

/* Code of a phase ("opmerken", ...) or NULL; and back (-1 if unknown). */
const char *proto_phase_name(uint8_t phase);
int proto_phase_parse(const char *code, size_t len);

#endif
