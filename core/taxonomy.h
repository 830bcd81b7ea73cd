/*
 * The taxonomy: the coded dimensions of a signal (themes, problem types,
 * age bands, target groups, sectors), their Dutch and English labels, and
 * a municipality's local sub-codes.
 *
 * Shared codes come from configs/taxonomy.tsv and are the same in the
 * whole federation. A local sub-code (e.g. "wonen-studenten") belongs to
 * one node and maps onto exactly one shared code of the same dimension
 * (its parent); summaries count it under its parent, so local codes never
 * leave the node. Codes are stable identifiers; labels may change.
 *
 * A struct ls_taxonomy keeps its entries sorted by (dimension, code) so
 * that lookups are binary searches; it owns the label strings. Pointers to
 * entries stay valid until the next ls_taxonomy_add or ls_taxonomy_fini.
 */
#ifndef LS_CORE_TAXONOMY_H
#define LS_CORE_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
/* A taxonomy code: at most LS_CODE_MAX bytes of [a-z0-9_-], NUL-ended. */
#define LS_CODE_MAX 31
#define LS_CODE_SIZE (LS_CODE_MAX + 1)

/* The dimensions, in the order of the TSV file. */
enum ls_dim {
	LS_DIM_THEME = 0,
	LS_DIM_PROBLEM = 1, /* "problem_type" */
	LS_DIM_AGE = 2,     /* "age_band" */
	LS_DIM_TARGET = 3,  /* "target_group" */
	LS_DIM_SECTOR = 4,
	LS_DIM_COUNT_
};

/* Limits: labels are short texts; the whole taxonomy stays small. */
#define LS_LABEL_MAX 128 /* bytes; also the wire limit (PROTOCOL.md) */
#define LS_TAXONOMY_MAX 2048

/* The problem-type "code" summaries use for signals without one; it can
 * never be a real code. */
#define LS_PROBLEM_NONE "geen"

struct ls_taxonomy_entry {
	int64_t id;                /* store row id; 0 when not stored */
	uint8_t dim;               /* enum ls_dim */
	uint8_t local;             /* 1 for a local sub-code */
	char code[LS_CODE_SIZE];   /* [a-z0-9_-], 1..LS_CODE_MAX bytes */
	char parent[LS_CODE_SIZE]; /* shared code it maps onto; "" if shared */
	char *label_nl;            /* owned by the taxonomy */
	char *label_en;            /* owned by the taxonomy */
};

struct ls_taxonomy {
	size_t n;
	size_t cap;
	struct ls_taxonomy_entry *entries; /* owned, sorted (dim, code) */
};

/* 1 if text[0..len) is a well-formed code: 1..LS_CODE_MAX bytes of
 * [a-z0-9_-] starting with a letter or digit; else 0. */
int ls_code_valid(const char *text, size_t len);

/* The rule of ls_code_valid as a table, for a reader that checks a code
 * while it copies it (proto/field.h): ls_code_chars[c] has LS_CODE_FIRST
 * when c may start a code, LS_CODE_NEXT when it may follow. */
#define LS_CODE_FIRST 1
#define LS_CODE_NEXT 2
extern const unsigned char ls_code_chars[256];

/* Stable English name of a dimension as in the TSV ("theme",
 * "problem_type", ...); "?" for a bad value. */
const char *ls_dim_name(enum ls_dim dim);

/* Dutch name for users ("thema", "probleemtype", "leeftijd",
 * "doelgroep", "sector"). */
const char *ls_dim_name_nl(enum ls_dim dim);

/* Parse an English or Dutch dimension name. LS_EINVAL if unknown. */
int ls_dim_parse(const char *text, enum ls_dim *out);

void ls_taxonomy_init(struct ls_taxonomy *t);
void ls_taxonomy_fini(struct ls_taxonomy *t);

/* Add a copy of *entry (labels are duplicated). Checks: code well-formed,
 * labels valid UTF-8 of 1..LS_LABEL_MAX bytes, "geen" not a problem type;
 * a local entry must name an existing shared parent of the same
 * dimension. LS_EEXISTS for a duplicate (dim, code), LS_EINVAL (details
 * in *e, Dutch), LS_ELIMIT past LS_TAXONOMY_MAX, LS_ENOMEM. */
int ls_taxonomy_add(struct ls_taxonomy *t,
                    const struct ls_taxonomy_entry *entry,
                    struct ls_errinfo *e);

/* The entry for (dim, code[0..len)), or NULL. */
const struct ls_taxonomy_entry *ls_taxonomy_find(const struct ls_taxonomy *t,
                                                 enum ls_dim dim,
                                                 const char *code, size_t len);

/* The entry with store id `id` (linear; for display paths), or NULL. */
const struct ls_taxonomy_entry *ls_taxonomy_find_id(const struct ls_taxonomy *t,
                                                    int64_t id);

/* The shared code an entry counts under: its parent for a local
 * sub-code, else its own code. */
const char *ls_taxonomy_shared_code(const struct ls_taxonomy_entry *entry);

/* Parse the TSV form (configs/taxonomy.tsv): a header line
 * "dimension\tcode\tlabel_nl\tlabel_en" with an optional fifth column
 * "parent" (for local sub-codes), then one entry per line; '#' lines and
 * empty lines are skipped. Entries are added to *t (which may already
 * hold entries). On error *t may hold the entries before the bad line;
 * *e names the line. */
int ls_taxonomy_parse_tsv(const char *text, size_t len, struct ls_taxonomy *t,
                          struct ls_errinfo *e);

#endif
