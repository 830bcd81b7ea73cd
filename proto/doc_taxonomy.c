/*
 * Taxonomy body codec: one array of [dimension, code, label_nl, label_en]
 * entries sorted by (dimension, code), each pair unique.
 */
#include "proto/body.h"
#include "proto/field.h"

#include "common/alloc.h"

#include <string.h>

enum { K_ENTRIES = 0 };
#define TAXONOMY_REQUIRED 0x1u
/* fixarray, fixint, code (>= 2), label (>= 2), label (>= 1) */
#define ENTRY_MIN 7
/* On the wire dimensions are 1 theme, 2 problem_type, 3 age_band,
 * 4 target_group, 5 sector: core's enum ls_dim plus one. */
#define WIRE_DIM_OFFSET 1u

static int entry_cmp(uint8_t d1, const char *c1, uint8_t d2, const char *c2)
{
	if (d1 != d2)
		return d1 < d2 ? -1 : 1;
	return strcmp(c1, c2);
}

int proto_taxonomy_validate(const struct ls_taxonomy_doc *t,
                            struct ls_errinfo *e)
{
	if (t->n_entries > LS_TAXONOMY_MAX_ENTRIES ||
	    (t->n_entries > 0 && t->entries == NULL))
		return ls_errf(e, LS_EINVAL, "taxonomy: too many entries");
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct ls_taxonomy_doc_entry *x = &t->entries[i];
		size_t nl = strnlen(x->label_nl, sizeof x->label_nl);
		size_t en = strnlen(x->label_en, sizeof x->label_en);
		if (x->dim >= LS_DIM_COUNT_)
			return ls_errf(e, LS_EINVAL,
			               "taxonomy: entry %zu: unknown dimension",
			               i);
		if (!proto_field_code_valid(x->code,
		                            strnlen(x->code, LS_CODE_SIZE)))
			return ls_errf(e, LS_EINVAL,
			               "taxonomy: entry %zu: bad code", i);
		if (nl < 1 || nl > LS_LABEL_MAX ||
		    !proto_field_text_valid(x->label_nl, nl) ||
		    en > LS_LABEL_MAX ||
		    !proto_field_text_valid(x->label_en, en))
			return ls_errf(e, LS_EINVAL, "taxonomy: %s: bad label",
			               x->code);
		if (i > 0 &&
		    entry_cmp(t->entries[i - 1].dim, t->entries[i - 1].code,
		              x->dim, x->code) >= 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "taxonomy: entries not sorted and unique "
			    "at %s",
			    x->code);
	}
	return LS_OK;
}

const struct ls_taxonomy_doc_entry *
proto_taxonomy_find(const struct ls_taxonomy_doc *t, uint8_t dim,
                    const char *code)
{
	size_t lo = 0, hi = t->n_entries;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = entry_cmp(t->entries[mid].dim, t->entries[mid].code,
		                  dim, code);
		if (c == 0)
			return &t->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void proto_taxonomy_fini(struct ls_taxonomy_doc *t)
{
	ls_free(t->entries);
	memset(t, 0, sizeof *t);
}

static int taxonomy_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	return proto_taxonomy_validate(&d->body.taxonomy, e);
}

static void taxonomy_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_taxonomy_doc *t = &d->body.taxonomy;
	proto_mp_write_map(w, 1);
	proto_mp_write_uint(w, K_ENTRIES);
	proto_mp_write_array(w, (uint32_t)t->n_entries);
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct ls_taxonomy_doc_entry *x = &t->entries[i];
		proto_mp_write_array(w, 4);
		proto_mp_write_uint(w, (uint32_t)x->dim + WIRE_DIM_OFFSET);
		proto_mp_write_cstr(w, x->code);
		proto_mp_write_cstr(w, x->label_nl);
		proto_mp_write_cstr(w, x->label_en);
	}
}

static int entries_read(struct mp_reader *r, struct ls_taxonomy_doc *t,
                        struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_TAXONOMY_MAX_ENTRIES, ENTRY_MIN, &n),
	    "taxonomy: entries");
	if (n == 0)
		return LS_OK;
	t->entries = ls_calloc(n, sizeof *t->entries);
	if (t->entries == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "taxonomy: entries");
	t->n_entries = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_taxonomy_doc_entry *x = &t->entries[i];
		uint32_t dim;
		FIELD_TRY(proto_mp_read_array_exact(r, 4), "taxonomy: entry %u",
		          i);
		FIELD_TRY(proto_mp_read_u32(r, WIRE_DIM_OFFSET,
		                            LS_DIM_COUNT_ - 1 + WIRE_DIM_OFFSET,
		                            &dim),
		          "taxonomy: entry %u dimension", i);
		x->dim = (uint8_t)(dim - WIRE_DIM_OFFSET);
		FIELD_TRY(proto_field_read_code(r, x->code, 0),
		          "taxonomy: entry %u code", i);
		FIELD_TRY(
		    proto_field_read_text(r, x->label_nl, 1, LS_LABEL_MAX),
		    "taxonomy: entry %u label_nl", i);
		FIELD_TRY(
		    proto_field_read_text(r, x->label_en, 0, LS_LABEL_MAX),
		    "taxonomy: entry %u label_en", i);
	}
	return LS_OK;
}

static int taxonomy_decode(struct mp_reader *r, struct ls_doc *d,
                           struct ls_errinfo *e)
{
	struct mp_map m;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "taxonomy");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "taxonomy: key");
		if (key < 0)
			break;
		if (key == K_ENTRIES)
			rc = entries_read(r, &d->body.taxonomy, e);
		else
			rc = proto_field_unknown(e, r, key, "taxonomy");
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, TAXONOMY_REQUIRED, "taxonomy");
	if (rc != LS_OK)
		return rc;
	rc = taxonomy_validate(d, e);
	return proto_field_invalid(e, rc);
}

static void taxonomy_fini(struct ls_doc *d)
{
	proto_taxonomy_fini(&d->body.taxonomy);
}

const struct proto_body_codec proto_body_taxonomy = {
    .type = LS_DOC_TAXONOMY,
    .name = "taxonomy",
    .authors = PROTO_AUTHOR_FEDERATION,
    .validate = taxonomy_validate,
    .encode = taxonomy_encode,
    .decode = taxonomy_decode,
    .fini = taxonomy_fini,
};
