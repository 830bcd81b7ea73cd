/*
 * Sync messages: encode, strict decode, page building, version-vector
 * digests and differences, wire error codes.
 *
 * A message is a map whose key 0 is the type; the other keys depend on the
 * type (PROTOCOL.md lists them) and follow the unknown-field rule of every
 * map. Decoding checks each count against its limit and the bytes left
 * before it allocates, sums the bytes of the documents a page carries, and
 * validates what it read with the same rules the encoder applies. The
 * documents in a page are not decoded here: they are envelopes, verified
 * one by one by proto_doc_verify().
 */
#include "proto/sync.h"
#include "common/alloc.h"
#include "proto/field.h"
#include "proto/mp.h"

#include <sodium.h>
#include <string.h>

enum { K_TYPE = 0, K_A = 1, K_B = 2, K_C = 3 };

#define VV_ENTRY_MIN 39 /* fixarray, origin (>= 2), seq, bin 32, flags */
#define WANT_MIN 5      /* fixarray, origin (>= 2), from, to */
#define DOC_MIN 2       /* bin8 header + at least one byte */

static const char *const type_names[LS_SYNC_TYPE_MAX_ + 1] = {
    [LS_SYNC_DIGEST_REQ] = "digest_req", [LS_SYNC_DIGEST_REP] = "digest_rep",
    [LS_SYNC_VV_REQ] = "vv_req",         [LS_SYNC_VV_REP] = "vv_rep",
    [LS_SYNC_DOCS_REQ] = "docs_req",     [LS_SYNC_DOCS_REP] = "docs_rep",
    [LS_SYNC_PUSH_REQ] = "push_req",     [LS_SYNC_PUSH_REP] = "push_rep",
    [LS_SYNC_FORK_REQ] = "fork_req",     [LS_SYNC_FORK_REP] = "fork_rep",
    [LS_SYNC_ERROR] = "error",
};

/* Core keys each type must carry (bit k = key k). */
static const uint64_t required_keys[LS_SYNC_TYPE_MAX_ + 1] = {
    [LS_SYNC_DIGEST_REQ] = 0x7, [LS_SYNC_DIGEST_REP] = 0x7,
    [LS_SYNC_VV_REQ] = 0x1,     [LS_SYNC_VV_REP] = 0x3,
    [LS_SYNC_DOCS_REQ] = 0xf,   [LS_SYNC_DOCS_REP] = 0x7,
    [LS_SYNC_PUSH_REQ] = 0x3,   [LS_SYNC_PUSH_REP] = 0x3,
    [LS_SYNC_FORK_REQ] = 0x3,   [LS_SYNC_FORK_REP] = 0x3,
    [LS_SYNC_ERROR] = 0x7,
};

const char *proto_sync_type_name(uint8_t type)
{
	return type >= 1 && type <= LS_SYNC_TYPE_MAX_ ? type_names[type] : NULL;
}

uint8_t proto_sync_reply_type(uint8_t t)
{
	if (t >= 1 && t < LS_SYNC_ERROR && (t & 1))
		return (uint8_t)(t + 1);
	return 0;
}

void proto_sync_msg_init(struct ls_sync_msg *m, enum ls_sync_type type)
{
	memset(m, 0, sizeof *m);
	m->type = (uint8_t)type;
}

void proto_vv_fini(struct ls_vv *vv)
{
	ls_free(vv->entries);
	memset(vv, 0, sizeof *vv);
}

void proto_sync_msg_fini(struct ls_sync_msg *m)
{
	proto_vv_fini(&m->vv);
	ls_free(m->wants);
	ls_free(m->docs);
	ls_free(m->results);
	memset(m, 0, sizeof *m);
}

/* Wire codes. */

static const struct {
	uint16_t wire;
	int err;
} wire_codes[] = {
    {0, LS_OK},         {1, LS_EDECODE},    {2, LS_ELIMIT},   {3, LS_ESIG},
    {4, LS_EKEY},       {5, LS_EREVOKED},   {6, LS_EEXPIRED}, {7, LS_EFORK},
    {8, LS_ECHAIN},     {9, LS_EREPLAY},    {10, LS_EDENIED}, {11, LS_EBUSY},
    {12, LS_EINTERNAL}, {13, LS_ENOTFOUND}, {14, LS_EPOLICY}, {15, LS_ESTATE},
    {16, LS_EEXISTS},   {17, LS_EINVAL},
};
#define WIRE_INTERNAL 12

uint16_t proto_wire_code(int ls_code)
{
	for (size_t i = 0; i < sizeof wire_codes / sizeof wire_codes[0]; i++)
		if (wire_codes[i].err == ls_code)
			return wire_codes[i].wire;
	return WIRE_INTERNAL;
}

int proto_wire_code_to_err(uint16_t wire)
{
	for (size_t i = 0; i < sizeof wire_codes / sizeof wire_codes[0]; i++)
		if (wire_codes[i].wire == wire)
			return wire_codes[i].err;
	return LS_EINTERNAL;
}

/* Validation (the encoder's side; the decoder checks the same). */

int proto_vv_validate(const struct ls_vv *vv, struct ls_errinfo *e)
{
	if (vv->n > LS_SYNC_MAX_ORIGINS || (vv->n > 0 && vv->entries == NULL))
		return ls_errf(e, LS_EINVAL, "vv: too many origins");
	for (size_t i = 0; i < vv->n; i++) {
		const struct ls_vv_entry *x = &vv->entries[i];
		if (!proto_field_node_id_valid(
		        x->origin, strnlen(x->origin, LS_NODE_ID_SIZE)) ||
		    x->seq < 1 || x->seq > LS_SEQ_MAX ||
		    (x->flags & ~LS_VV_FLAGS_KNOWN) != 0)
			return ls_errf(e, LS_EINVAL, "vv: entry %zu invalid",
			               i);
		if (i > 0 && strcmp(vv->entries[i - 1].origin, x->origin) >= 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "vv: origins not sorted and unique at %s",
			    x->origin);
	}
	return LS_OK;
}

static int want_valid(const struct ls_sync_want *w)
{
	return proto_field_node_id_valid(w->origin,
	                                 strnlen(w->origin, LS_NODE_ID_SIZE)) &&
	       w->from >= 1 && w->from <= LS_SEQ_MAX && w->to <= LS_SEQ_MAX &&
	       (w->to == 0 || w->to >= w->from);
}

static int docs_valid(const struct ls_sync_msg *m, size_t min, size_t max,
                      struct ls_errinfo *e)
{
	size_t total = 0;
	if (m->n_docs < min || m->n_docs > max ||
	    (m->n_docs > 0 && m->docs == NULL))
		return ls_errf(e, LS_EINVAL,
		               "%s: %zu documents, allowed %zu..%zu",
		               type_names[m->type], m->n_docs, min, max);
	for (size_t i = 0; i < m->n_docs; i++) {
		if (m->docs[i].len < 1 || m->docs[i].len > LS_ENVELOPE_MAX)
			return ls_errf(e, LS_EINVAL, "%s: document %zu size",
			               type_names[m->type], i);
		total += m->docs[i].len;
	}
	if (total > LS_SYNC_PAGE_MAX_BYTES)
		return ls_errf(e, LS_ELIMIT, "%s: %zu bytes of documents",
		               type_names[m->type], total);
	return LS_OK;
}

static int docs_req_valid(const struct ls_sync_msg *m, struct ls_errinfo *e)
{
	if (m->n_wants < 1 || m->n_wants > LS_SYNC_MAX_WANTS ||
	    m->wants == NULL)
		return ls_errf(e, LS_EINVAL, "docs_req: 1..%d wants",
		               LS_SYNC_MAX_WANTS);
	for (size_t i = 0; i < m->n_wants; i++)
		if (!want_valid(&m->wants[i]))
			return ls_errf(e, LS_EINVAL,
			               "docs_req: want %zu invalid", i);
	if (m->max_docs < 1 || m->max_docs > LS_SYNC_PAGE_MAX_DOCS ||
	    m->max_bytes < LS_ENVELOPE_MAX ||
	    m->max_bytes > LS_SYNC_PAGE_MAX_BYTES)
		return ls_errf(e, LS_EINVAL,
		               "docs_req: page bounds out of range");
	return LS_OK;
}

static int error_valid(const struct ls_sync_msg *m, struct ls_errinfo *e)
{
	size_t dl = strnlen(m->detail, LS_CODE_SIZE);
	if (m->code == 0 || (dl > 0 && !proto_field_code_valid(m->detail, dl)))
		return ls_errf(e, LS_EINVAL,
		               "error: code must be non-zero, detail a "
		               "code");
	return LS_OK;
}

static int msg_validate(const struct ls_sync_msg *m, struct ls_errinfo *e)
{
	switch (m->type) {
	case LS_SYNC_DIGEST_REQ:
	case LS_SYNC_DIGEST_REP:
		if (m->n_origins > LS_SYNC_MAX_ORIGINS)
			return ls_errf(e, LS_EINVAL,
			               "digest: too many origins");
		return LS_OK;
	case LS_SYNC_VV_REQ:
		return LS_OK;
	case LS_SYNC_VV_REP:
		return proto_vv_validate(&m->vv, e);
	case LS_SYNC_DOCS_REQ:
		return docs_req_valid(m, e);
	case LS_SYNC_DOCS_REP:
		return docs_valid(m, 0, LS_SYNC_PAGE_MAX_DOCS, e);
	case LS_SYNC_PUSH_REQ:
		return docs_valid(m, 1, LS_SYNC_PAGE_MAX_DOCS, e);
	case LS_SYNC_FORK_REP:
		return docs_valid(m, 2, 2, e);
	case LS_SYNC_PUSH_REP:
		if (m->n_results > LS_SYNC_PAGE_MAX_DOCS ||
		    (m->n_results > 0 && m->results == NULL))
			return ls_errf(e, LS_EINVAL,
			               "push_rep: too many results");
		return LS_OK;
	case LS_SYNC_FORK_REQ:
		if (!proto_field_node_id_valid(
		        m->origin, strnlen(m->origin, LS_NODE_ID_SIZE)))
			return ls_errf(e, LS_EINVAL, "fork_req: bad origin");
		return LS_OK;
	case LS_SYNC_ERROR:
		return error_valid(m, e);
	default:
		return ls_errf(e, LS_EINVAL, "unknown sync message type %u",
		               m->type);
	}
}

/* Encoding. */

static void docs_write(struct mp_writer *w, const struct ls_sync_msg *m)
{
	proto_mp_write_array(w, (uint32_t)m->n_docs);
	for (size_t i = 0; i < m->n_docs; i++)
		proto_mp_write_bin(w, m->docs[i].data, m->docs[i].len);
}

int proto_sync_encode(const struct ls_sync_msg *m, uint8_t **out, size_t *len,
                      struct ls_errinfo *e)
{
	struct mp_writer w;
	uint32_t n_keys;
	int rc = msg_validate(m, e);
	if (rc != LS_OK)
		return rc;
	n_keys = (uint32_t)__builtin_popcountll(required_keys[m->type]);
	proto_mp_writer_init(&w, LS_SYNC_MSG_MAX);
	proto_mp_write_map(&w, n_keys);
	proto_mp_write_uint(&w, K_TYPE);
	proto_mp_write_uint(&w, m->type);
	switch (m->type) {
	case LS_SYNC_DIGEST_REQ:
	case LS_SYNC_DIGEST_REP:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_bin(&w, m->digest, LS_HASH_BYTES);
		proto_mp_write_uint(&w, K_B);
		proto_mp_write_uint(&w, m->n_origins);
		break;
	case LS_SYNC_VV_REP:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_array(&w, (uint32_t)m->vv.n);
		for (size_t i = 0; i < m->vv.n; i++) {
			const struct ls_vv_entry *x = &m->vv.entries[i];
			proto_mp_write_array(&w, 4);
			proto_mp_write_cstr(&w, x->origin);
			proto_mp_write_uint(&w, x->seq);
			proto_mp_write_bin(&w, x->head, LS_HASH_BYTES);
			proto_mp_write_uint(&w, x->flags);
		}
		break;
	case LS_SYNC_DOCS_REQ:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_array(&w, (uint32_t)m->n_wants);
		for (size_t i = 0; i < m->n_wants; i++) {
			proto_mp_write_array(&w, 3);
			proto_mp_write_cstr(&w, m->wants[i].origin);
			proto_mp_write_uint(&w, m->wants[i].from);
			proto_mp_write_uint(&w, m->wants[i].to);
		}
		proto_mp_write_uint(&w, K_B);
		proto_mp_write_uint(&w, m->max_docs);
		proto_mp_write_uint(&w, K_C);
		proto_mp_write_uint(&w, m->max_bytes);
		break;
	case LS_SYNC_DOCS_REP:
		proto_mp_write_uint(&w, K_A);
		docs_write(&w, m);
		proto_mp_write_uint(&w, K_B);
		proto_mp_write_bool(&w, m->more);
		break;
	case LS_SYNC_PUSH_REQ:
	case LS_SYNC_FORK_REP:
		proto_mp_write_uint(&w, K_A);
		docs_write(&w, m);
		break;
	case LS_SYNC_PUSH_REP:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_array(&w, (uint32_t)m->n_results);
		for (size_t i = 0; i < m->n_results; i++)
			proto_mp_write_uint(&w, m->results[i]);
		break;
	case LS_SYNC_FORK_REQ:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_cstr(&w, m->origin);
		break;
	case LS_SYNC_ERROR:
		proto_mp_write_uint(&w, K_A);
		proto_mp_write_uint(&w, m->code);
		proto_mp_write_uint(&w, K_B);
		proto_mp_write_cstr(&w, m->detail);
		break;
	default: /* VV_REQ: the type alone */
		break;
	}
	rc = proto_mp_writer_finish(&w, out, len);
	if (rc != LS_OK)
		return ls_errf(e, rc, "%s: %s", type_names[m->type],
		               ls_strerror(rc));
	return LS_OK;
}

/* Decoding. */

static int vv_read(struct mp_reader *r, struct ls_vv *vv, struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_SYNC_MAX_ORIGINS, VV_ENTRY_MIN, &n),
	          "vv_rep: entries");
	if (n == 0)
		return LS_OK;
	vv->entries = ls_calloc(n, sizeof *vv->entries);
	if (vv->entries == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "vv_rep: entries");
	vv->n = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_vv_entry *x = &vv->entries[i];
		const uint8_t *b;
		uint32_t flags;
		FIELD_TRY(proto_mp_read_array_exact(r, 4), "vv_rep: entry %u",
		          i);
		FIELD_TRY(proto_field_read_node_id(r, x->origin),
		          "vv_rep: entry %u origin", i);
		FIELD_TRY(proto_mp_read_uint(r, 1, LS_SEQ_MAX, &x->seq),
		          "vv_rep: entry %u seq", i);
		FIELD_TRY(proto_mp_read_bin_exact(r, LS_HASH_BYTES, &b),
		          "vv_rep: entry %u head", i);
		memcpy(x->head, b, LS_HASH_BYTES);
		FIELD_TRY(proto_mp_read_u32(r, 0, LS_VV_FLAGS_KNOWN, &flags),
		          "vv_rep: entry %u flags", i);
		x->flags = (uint8_t)flags;
	}
	return LS_OK;
}

static int wants_read(struct mp_reader *r, struct ls_sync_msg *m,
                      struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_SYNC_MAX_WANTS, WANT_MIN, &n),
	          "docs_req: wants");
	if (n == 0)
		return proto_field_err(e, LS_EDECODE, r, "docs_req: no wants");
	m->wants = ls_calloc(n, sizeof *m->wants);
	if (m->wants == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "docs_req: wants");
	m->n_wants = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_sync_want *w = &m->wants[i];
		FIELD_TRY(proto_mp_read_array_exact(r, 3), "docs_req: want %u",
		          i);
		FIELD_TRY(proto_field_read_node_id(r, w->origin),
		          "docs_req: want %u origin", i);
		FIELD_TRY(proto_mp_read_uint(r, 1, LS_SEQ_MAX, &w->from),
		          "docs_req: want %u from", i);
		FIELD_TRY(proto_mp_read_uint(r, 0, LS_SEQ_MAX, &w->to),
		          "docs_req: want %u to", i);
		if (!want_valid(w))
			return proto_field_err(
			    e, LS_EDECODE, r,
			    "docs_req: want %u: to before from", i);
	}
	return LS_OK;
}

/* A message's documents: up to max, or exactly `exact` when it is not 0
 * (a fixed-size array: another count is decode, PROTOCOL.md 1). */
static int docs_read(struct mp_reader *r, struct ls_sync_msg *m, uint32_t max,
                     uint32_t exact, struct ls_errinfo *e)
{
	const char *what = type_names[m->type];
	uint32_t n = exact;
	if (exact != 0)
		FIELD_TRY(proto_mp_read_array_exact(r, exact), "%s: documents",
		          what);
	else
		FIELD_TRY(proto_mp_read_array(r, max, DOC_MIN, &n),
		          "%s: documents", what);
	if (n == 0)
		return LS_OK;
	m->docs = ls_calloc(n, sizeof *m->docs);
	if (m->docs == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "%s: documents", what);
	m->n_docs = n;
	for (uint32_t i = 0; i < n; i++) {
		FIELD_TRY(proto_mp_read_bin(r, LS_ENVELOPE_MAX,
		                            &m->docs[i].data, &m->docs[i].len),
		          "%s: document %u", what, i);
		m->docs_bytes += m->docs[i].len;
		if (m->docs_bytes > LS_SYNC_PAGE_MAX_BYTES)
			return proto_field_err(e, LS_ELIMIT, r,
			                       "%s: page bytes", what);
	}
	return LS_OK;
}

static int results_read(struct mp_reader *r, struct ls_sync_msg *m,
                        struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_SYNC_PAGE_MAX_DOCS, 1, &n),
	          "push_rep: results");
	if (n == 0)
		return LS_OK;
	m->results = ls_calloc(n, sizeof *m->results);
	if (m->results == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "push_rep: results");
	m->n_results = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v;
		FIELD_TRY(proto_mp_read_u32(r, 0, UINT16_MAX, &v),
		          "push_rep: result %u", i);
		m->results[i] = (uint16_t)v;
	}
	return LS_OK;
}

/* The value of core key `key` for message type m->type. */
static int field_read(struct mp_reader *r, struct ls_sync_msg *m, int key,
                      struct ls_errinfo *e)
{
	const char *what = type_names[m->type];
	const uint8_t *b;
	uint32_t v;

	if (!(required_keys[m->type] & ((uint64_t)1 << key)))
		return proto_field_err(e, LS_EDECODE, r, "%s: unknown field %d",
		                       what, key);
	switch (m->type) {
	case LS_SYNC_DIGEST_REQ:
	case LS_SYNC_DIGEST_REP:
		if (key == K_A) {
			FIELD_TRY(proto_mp_read_bin_exact(r, LS_HASH_BYTES, &b),
			          "%s: digest", what);
			memcpy(m->digest, b, LS_HASH_BYTES);
		} else {
			FIELD_TRY(proto_mp_read_u32(r, 0, LS_SYNC_MAX_ORIGINS,
			                            &m->n_origins),
			          "%s: origins", what);
		}
		return LS_OK;
	case LS_SYNC_VV_REP:
		return vv_read(r, &m->vv, e);
	case LS_SYNC_DOCS_REQ:
		if (key == K_A)
			return wants_read(r, m, e);
		if (key == K_B) {
			FIELD_TRY(proto_mp_read_u32(r, 1, LS_SYNC_PAGE_MAX_DOCS,
			                            &m->max_docs),
			          "docs_req: max_docs");
			return LS_OK;
		}
		FIELD_TRY(proto_mp_read_u32(r, LS_ENVELOPE_MAX,
		                            LS_SYNC_PAGE_MAX_BYTES,
		                            &m->max_bytes),
		          "docs_req: max_bytes");
		return LS_OK;
	case LS_SYNC_DOCS_REP:
		if (key == K_A)
			return docs_read(r, m, LS_SYNC_PAGE_MAX_DOCS, 0, e);
		FIELD_TRY(proto_mp_read_bool(r, &m->more), "docs_rep: more");
		return LS_OK;
	case LS_SYNC_PUSH_REQ:
		return docs_read(r, m, LS_SYNC_PAGE_MAX_DOCS, 0, e);
	case LS_SYNC_FORK_REP:
		return docs_read(r, m, 2, 2, e);
	case LS_SYNC_PUSH_REP:
		return results_read(r, m, e);
	case LS_SYNC_FORK_REQ:
		FIELD_TRY(proto_field_read_node_id(r, m->origin),
		          "fork_req: origin");
		return LS_OK;
	case LS_SYNC_ERROR:
		if (key == K_A) {
			FIELD_TRY(proto_mp_read_u32(r, 1, UINT16_MAX, &v),
			          "error: code");
			m->code = (uint16_t)v;
			return LS_OK;
		}
		FIELD_TRY(proto_field_read_code(r, m->detail, 1),
		          "error: detail");
		return LS_OK;
	default:
		return proto_field_err(e, LS_EDECODE, r, "%s: unknown field %d",
		                       what, key);
	}
}

static int msg_decode(const uint8_t *buf, size_t len, struct ls_sync_msg *m,
                      struct ls_errinfo *e)
{
	struct mp_reader rd, *r = &rd;
	struct mp_map map;
	uint64_t type;
	int key, rc;

	if (len > LS_SYNC_MSG_MAX)
		return ls_errf(e, LS_ELIMIT, "sync message: %zu bytes", len);
	proto_mp_reader_init(r, buf, len);
	FIELD_TRY(proto_mp_map_begin(r, &map, MP_KEY_MAX + 1), "sync message");
	FIELD_TRY(proto_mp_map_key(r, &map, &key), "sync message: key");
	if (key != K_TYPE)
		return proto_field_err(
		    e, LS_EDECODE, r, "sync message: the type must come first");
	FIELD_TRY(proto_mp_read_uint(r, 1, LS_SYNC_TYPE_MAX_, &type),
	          "sync message: type");
	m->type = (uint8_t)type;
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &map, &key), "%s: key",
		          type_names[m->type]);
		if (key < 0)
			break;
		if (key < MP_KEY_EXT_FIRST)
			rc = field_read(r, m, key, e);
		else
			rc =
			    proto_field_unknown(e, r, key, type_names[m->type]);
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &map, required_keys[m->type],
	                          type_names[m->type]);
	if (rc != LS_OK)
		return rc;
	if (proto_mp_read_end(r) != LS_OK)
		return proto_field_err(e, LS_EDECODE, r, "%s: trailing bytes",
		                       type_names[m->type]);
	rc = msg_validate(m, e);
	return proto_field_invalid(e, rc);
}

int proto_sync_decode(const uint8_t *buf, size_t len, struct ls_sync_msg *out,
                      struct ls_errinfo *e)
{
	struct ls_sync_msg m;
	int rc;
	memset(&m, 0, sizeof m);
	rc = msg_decode(buf, len, &m, e);
	if (rc != LS_OK) {
		proto_sync_msg_fini(&m);
		return rc;
	}
	*out = m;
	return LS_OK;
}

int proto_sync_page_add(struct ls_sync_msg *page, const struct ls_sync_msg *req,
                        const uint8_t *doc, size_t len)
{
	size_t max_docs = LS_SYNC_PAGE_MAX_DOCS;
	size_t max_bytes = LS_SYNC_PAGE_MAX_BYTES;
	struct ls_bytes *grown;

	if (len < 1 || len > LS_ENVELOPE_MAX)
		return LS_EINVAL;
	if (req != NULL && req->type == LS_SYNC_DOCS_REQ) {
		max_docs = req->max_docs;
		max_bytes = req->max_bytes;
	}
	if (page->n_docs >= max_docs || len > max_bytes - page->docs_bytes)
		return LS_ELIMIT;
	grown = ls_realloc(page->docs, (page->n_docs + 1) * sizeof *grown);
	if (grown == NULL)
		return LS_ENOMEM;
	page->docs = grown;
	page->docs[page->n_docs].data = doc;
	page->docs[page->n_docs].len = len;
	page->n_docs++;
	page->docs_bytes += len;
	return LS_OK;
}

void proto_vv_digest(const struct ls_vv *vv, uint8_t out[LS_HASH_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, LS_HASH_BYTES);
	for (size_t i = 0; i < vv->n; i++) {
		const struct ls_vv_entry *x = &vv->entries[i];
		uint8_t len = (uint8_t)strnlen(x->origin, LS_NODE_ID_MAX);
		uint8_t seq[8];
		for (int b = 0; b < 8; b++)
			seq[b] = (uint8_t)(x->seq >> (56 - 8 * b));
		crypto_generichash_update(&st, &len, 1);
		crypto_generichash_update(&st, (const uint8_t *)x->origin, len);
		crypto_generichash_update(&st, seq, sizeof seq);
		crypto_generichash_update(&st, x->head, LS_HASH_BYTES);
		crypto_generichash_update(&st, &x->flags, 1);
	}
	crypto_generichash_final(&st, out, LS_HASH_BYTES);
}

void proto_vv_diff_fini(struct ls_vv_diff *d)
{
	ls_free(d->wants);
	ls_free(d->forks);
	memset(d, 0, sizeof *d);
}

int proto_vv_diff(const struct ls_vv *mine, const struct ls_vv *theirs,
                  struct ls_vv_diff *out)
{
	struct ls_vv_diff d;
	size_t i = 0, j = 0;

	memset(&d, 0, sizeof d);
	if (theirs->n > 0) {
		/* At most one want and one fork per origin of theirs. */
		d.wants = ls_calloc(theirs->n, sizeof *d.wants);
		d.forks = ls_calloc(theirs->n, sizeof *d.forks);
		if (d.wants == NULL || d.forks == NULL) {
			proto_vv_diff_fini(&d);
			return LS_ENOMEM;
		}
	}
	while (j < theirs->n) {
		const struct ls_vv_entry *t = &theirs->entries[j];
		const struct ls_vv_entry *m = NULL;
		int c = i < mine->n ? strcmp(mine->entries[i].origin, t->origin)
		                    : 1;
		if (c < 0) {
			i++;
			continue;
		}
		if (c == 0)
			m = &mine->entries[i++];
		j++;
		if (m != NULL && (m->flags & LS_VV_FORKED))
			continue; /* that feed is stopped here */
		if ((t->flags & LS_VV_FORKED) != 0)
			memcpy(d.forks[d.n_forks++], t->origin,
			       LS_NODE_ID_SIZE);
		if (m == NULL || m->seq < t->seq) {
			struct ls_sync_want *w = &d.wants[d.n_wants++];
			memcpy(w->origin, t->origin, LS_NODE_ID_SIZE);
			w->from = m == NULL ? 1 : m->seq + 1;
			w->to = t->seq;
		} else if (m->seq == t->seq &&
		           memcmp(m->head, t->head, LS_HASH_BYTES) != 0) {
			struct ls_sync_want *w = &d.wants[d.n_wants++];
			memcpy(w->origin, t->origin, LS_NODE_ID_SIZE);
			w->from = w->to = t->seq;
		}
	}
	*out = d;
	return LS_OK;
}

int proto_sync_check_reply(const struct ls_sync_msg *req,
                           const struct ls_sync_msg *rep, struct ls_errinfo *e)
{
	if (rep->type == LS_SYNC_ERROR)
		return LS_OK;
	if (rep->type != proto_sync_reply_type(req->type))
		return ls_errf(e, LS_EDECODE, "%s answered with %s",
		               proto_sync_type_name(req->type),
		               proto_sync_type_name(rep->type));
	if (req->type == LS_SYNC_DOCS_REQ &&
	    (rep->n_docs > req->max_docs || rep->docs_bytes > req->max_bytes))
		return ls_errf(e, LS_ELIMIT,
		               "docs_rep: %zu documents, %zu bytes beyond the "
		               "asked %u, %u",
		               rep->n_docs, rep->docs_bytes, req->max_docs,
		               req->max_bytes);
	if (req->type == LS_SYNC_PUSH_REQ && rep->n_results != req->n_docs)
		return ls_errf(e, LS_EDECODE,
		               "push_rep: %zu results for %zu documents",
		               rep->n_results, req->n_docs);
	return LS_OK;
}
