/*
 * The signal model: one field worker's observation, its fields, and their
 * validation. Shared by every way of capturing a signal (CSV import,
 * `signaalctl signal add`, later the HTTP API), so that the same input is
 * accepted or refused the same way everywhere.
 *
 * A struct ls_signal is filled field by field from text
 * (ls_signal_set_field), then checked as a whole (ls_signal_validate).
 * Coded fields point at taxonomy entries; text fields are borrowed
 * (struct ls_text points into the caller's buffer, which must outlive the
 * signal's use). Nothing here allocates.
 *
 * Error messages (struct ls_errinfo) are Dutch: the person fixing a
 * spreadsheet reads them.
 */
#ifndef LS_CORE_SIGNAL_H
#define LS_CORE_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/period.h"
#include "core/taxonomy.h"

#define LS_SIGNAL_ID_BYTES 16
#define LS_SIGNAL_ID_HEX_SIZE (2 * LS_SIGNAL_ID_BYTES + 1)

#define LS_SIGNAL_MAX_THEMES 3
#define LS_SIGNAL_MAX_TARGETS 8

/* Byte limits of the text fields (UTF-8). */
#define LS_ORGANISATION_MAX 120
#define LS_REPORTER_MAX 64
#define LS_NEIGHBOURHOOD_MAX 120
#define LS_DESCRIPTION_MAX 4000
/* A field of any kind is never longer than this (the description). */
#define LS_FIELD_MAX LS_DESCRIPTION_MAX

#define LS_PERSONS_MAX 10000

enum ls_signal_status {
	LS_STATUS_NEW = 0,    /* "nieuw": not yet followed up */
	LS_STATUS_LINKED = 1, /* "gekoppeld": part of a dossier */
	LS_STATUS_CLOSED = 2, /* "afgesloten": followed up, feedback given */
	LS_STATUS_COUNT_
};

/* The fields, in the order of the CSV format table (docs/OPERATING.md). */
enum ls_signal_field {
	LS_FIELD_ID = 0,        /* optional on import: 32 hex digits */
	LS_FIELD_STATUS,        /* optional on import */
	LS_FIELD_REGISTERED_AT, /* required date */
	LS_FIELD_OBSERVED_ON,   /* optional date */
	LS_FIELD_THEME,         /* 1..3 codes, '|'-separated */
	LS_FIELD_PROBLEM,       /* optional code */
	LS_FIELD_AGE,           /* required code */
	LS_FIELD_TARGET,        /* 0..8 codes, '|'-separated */
	LS_FIELD_SECTOR,        /* required code */
	LS_FIELD_ORGANISATION,  /* required text */
	LS_FIELD_REPORTER,      /* optional text */
	LS_FIELD_PERSONS,       /* optional integer 1..LS_PERSONS_MAX */
	LS_FIELD_SEVERITY,      /* optional integer 1..4 */
	LS_FIELD_NEIGHBOURHOOD, /* optional text */
	LS_FIELD_DESCRIPTION,   /* optional text */
	LS_FIELD_COUNT_
};

struct ls_text {
	const char *ptr; /* borrowed; not NUL-terminated; NULL when len 0 */
	size_t len;
};

struct ls_signal {
	uint8_t id[LS_SIGNAL_ID_BYTES];
	uint8_t has_id; /* 0: the store draws a random id */
	uint8_t status; /* enum ls_signal_status */
	struct ls_date registered_at;
	struct ls_date observed_on;
	uint8_t has_registered_at;
	uint8_t has_observed_on;
	uint8_t severity; /* 1..4, 0 when not given */
	size_t n_themes;
	const struct ls_taxonomy_entry *themes[LS_SIGNAL_MAX_THEMES];
	const struct ls_taxonomy_entry *problem; /* NULL when none */
	const struct ls_taxonomy_entry *age;
	size_t n_targets;
	const struct ls_taxonomy_entry *targets[LS_SIGNAL_MAX_TARGETS];
	const struct ls_taxonomy_entry *sector;
	int64_t persons; /* estimated number of persons affected, >= 1 */
	struct ls_text organisation;
	struct ls_text reporter; /* len 0: unknown */
	struct ls_text neighbourhood;
	struct ls_text description;
};

/* Column names of a field in the CSV format: Dutch and English. */
const char *ls_signal_field_name_nl(enum ls_signal_field f);
const char *ls_signal_field_name_en(enum ls_signal_field f);

/* 1 if the field must be present and non-empty in every signal. */
int ls_signal_field_required(enum ls_signal_field f);

/* Field for a column name, Dutch or English, case-insensitive, with '-'
 * accepted for '_'. LS_EINVAL if unknown. */
int ls_signal_field_parse(const char *name, size_t len,
                          enum ls_signal_field *out);

/* Dutch status name ("nieuw", "gekoppeld", "afgesloten"). */
const char *ls_signal_status_name(enum ls_signal_status st);
int ls_signal_status_parse(const char *text, size_t len,
                           enum ls_signal_status *out);

/* Zero a signal: no id, status nieuw, persons 1, nothing else set. */
void ls_signal_init(struct ls_signal *s);

/* Set one field from its text form text[0..len) (surrounding spaces are
 * ignored; empty means "not given"). Codes are looked up in *tax. Text is
 * borrowed, not copied. Checks the value itself (format, range, code
 * exists, UTF-8, length); LS_EINVAL or LS_ELIMIT with a Dutch message in
 * *e that does not repeat the column name (the caller adds it). */
int ls_signal_set_field(struct ls_signal *s, enum ls_signal_field f,
                        const char *text, size_t len,
                        const struct ls_taxonomy *tax, struct ls_errinfo *e);

/* Cross-field checks once every field is set: required fields present,
 * observed_on not after registered_at, no two themes (or target groups)
 * that count under the same shared code. On failure *bad names the
 * field at fault (may be NULL). */
int ls_signal_validate(const struct ls_signal *s, enum ls_signal_field *bad,
                       struct ls_errinfo *e);

/* Lower-case hex of a signal id (LS_SIGNAL_ID_HEX_SIZE bytes). */
void ls_signal_id_format(const uint8_t id[LS_SIGNAL_ID_BYTES],
                         char out[LS_SIGNAL_ID_HEX_SIZE]);

/* Parse exactly 32 hex digits. LS_EINVAL otherwise. */
int ls_signal_id_parse(const char *text, uint8_t id[LS_SIGNAL_ID_BYTES]);

#endif
