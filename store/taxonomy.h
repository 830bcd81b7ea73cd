/*
 * The taxonomy in the store: shared codes loaded from configs/taxonomy.tsv
 * and a node's local sub-codes. Codes are never deleted (signals refer to
 * them); labels may be updated by loading a newer TSV.
 *
 * After any change the in-memory copy (store_taxonomy()) is reloaded, so
 * pointers obtained from it before the call become invalid.
 */
#ifndef LS_STORE_TAXONOMY_H
#define LS_STORE_TAXONOMY_H

#include <stddef.h>

#include "common/err.h"
#include "core/taxonomy.h"

struct store;

/* Load shared (and local, if the file has a parent column) codes from TSV
 * text: new codes are added, known codes get the file's labels. All or
 * nothing, in one transaction. *added / *updated (may be NULL) count
 * them. LS_EINVAL with the line in *e. */
int store_taxonomy_load_tsv(struct store *s, const char *text, size_t len,
                            size_t *added, size_t *updated,
                            struct ls_errinfo *e);

/* Add a local sub-code of `dim` under the shared code `parent`. Refused:
 * bad code, unknown parent, parent that is itself local (LS_EINVAL), code
 * that exists (LS_EEXISTS). */
int store_taxonomy_add_local(struct store *s, enum ls_dim dim, const char *code,
                             const char *parent, const char *label_nl,
                             const char *label_en, struct ls_errinfo *e);

#endif
