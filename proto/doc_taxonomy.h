/*
 * The taxonomy: the codes the federation shares, with Dutch (and English)
 * labels; signed by the federation key. Codes are stable identifiers;
 * labels may change between versions (see PROTOCOL.md, "Taxonomy").
 *
 * Ownership: a struct ls_taxonomy_doc owns its entries; proto_taxonomy_fini().
 */
#ifndef LS_PROTO_DOC_TAXONOMY_H
#define LS_PROTO_DOC_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"
#include "core/taxonomy.h"
#include "proto/limits.h"

struct ls_taxonomy_doc_entry {
	uint8_t dim; /* enum ls_dim (core/taxonomy.h); on the wire dim + 1 */
	char code[LS_CODE_SIZE];
	char label_nl[LS_LABEL_MAX + 1]; /* UTF-8, not empty */
	char label_en[LS_LABEL_MAX + 1]; /* UTF-8, may be empty */
};

struct ls_taxonomy_doc {
	size_t n_entries;
	struct ls_taxonomy_doc_entry
	    *entries; /* owned, sorted by (dim, code) */
};

void proto_taxonomy_fini(struct ls_taxonomy_doc *t);

/* The rules of the format: dimensions, codes, labels, order. */
int proto_taxonomy_validate(const struct ls_taxonomy_doc *t,
                            struct ls_errinfo *e);

/* The entry for (dim, code), or NULL. */
const struct ls_taxonomy_doc_entry *
proto_taxonomy_find(const struct ls_taxonomy_doc *t, uint8_t dim,
                    const char *code);

#endif
