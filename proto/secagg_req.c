/*
 * Secure-aggregation requests and replies in the sync session: encode and
 * strict decode (see secagg_req.h). The fields are signed messages carried
 * verbatim; only their presence and size are checked here, before the
 * round verifies them. A message whose type is not one of these is left
 * to proto/sync.c (proto_secagg_req_is says which decoder applies).
 */
#include "proto/secagg_req.h"

#include "proto/field.h"
#include "proto/mp.h"
#include "proto/secagg_msg.h"

#include <string.h>

enum { K_TYPE = 0, K_OPEN = 1, K_KEYSET = 2, K_CLOSE = 3, K_MSG = 1 };

#define N_TYPES (LS_SECAGG_REQ_LAST_ - LS_SECAGG_REQ_FIRST_ + 1)
#define IDX(t) ((t) - LS_SECAGG_REQ_FIRST_)

static const char *const type_names[N_TYPES] = {
    [IDX(LS_SECAGG_OPEN_REQ)] = "secagg_open_req",
    [IDX(LS_SECAGG_KEY_REP)] = "secagg_key_rep",
    [IDX(LS_SECAGG_KEYSET_REQ)] = "secagg_keyset_req",
    [IDX(LS_SECAGG_CONTRIB_REP)] = "secagg_contrib_rep",
    [IDX(LS_SECAGG_CLOSE_REQ)] = "secagg_close_req",
    [IDX(LS_SECAGG_REVEAL_REP)] = "secagg_reveal_rep",
};

/* How many fields (keys 1..n) each type carries. */
static const int n_fields[N_TYPES] = {
    [IDX(LS_SECAGG_OPEN_REQ)] = 1,   [IDX(LS_SECAGG_KEY_REP)] = 1,
    [IDX(LS_SECAGG_KEYSET_REQ)] = 2, [IDX(LS_SECAGG_CONTRIB_REP)] = 1,
    [IDX(LS_SECAGG_CLOSE_REQ)] = 3,  [IDX(LS_SECAGG_REVEAL_REP)] = 1,
};

static int known(uint8_t t)
{
	return t >= LS_SECAGG_REQ_FIRST_ && t <= LS_SECAGG_REQ_LAST_;
}

static int is_request(uint8_t t)
{
	return known(t) && (t - LS_SECAGG_REQ_FIRST_) % 2 == 0;
}

const char *proto_secagg_req_type_name(uint8_t type)
{
	return known(type) ? type_names[IDX(type)] : NULL;
}

uint8_t proto_secagg_req_reply_type(uint8_t request_type)
{
	return is_request(request_type) ? (uint8_t)(request_type + 1) : 0;
}

/* The field of m at key k (1..3) for its type. */
static struct ls_bytes *field_at(struct ls_secagg_req *m, int k)
{
	if (!is_request(m->type))
		return k == K_MSG ? &m->msg : NULL;
	switch (k) {
	case K_OPEN:
		return &m->open;
	case K_KEYSET:
		return &m->keyset;
	case K_CLOSE:
		return &m->close;
	default:
		return NULL;
	}
}

int proto_secagg_req_is(const uint8_t *buf, size_t len)
{
	struct mp_reader rd, *r = &rd;
	struct mp_map map;
	uint64_t type;
	int key;

	proto_mp_reader_init(r, buf, len);
	if (proto_mp_map_begin(r, &map, MP_KEY_MAX + 1) != LS_OK ||
	    proto_mp_map_key(r, &map, &key) != LS_OK || key != K_TYPE ||
	    proto_mp_read_uint(r, 0, UINT8_MAX, &type) != LS_OK)
		return 0;
	return known((uint8_t)type);
}

int proto_secagg_req_encode(const struct ls_secagg_req *m, uint8_t **out,
                            size_t *len, struct ls_errinfo *e)
{
	struct ls_secagg_req c = *m;
	struct mp_writer w;
	int n, rc;

	*out = NULL;
	*len = 0;
	if (!known(m->type))
		return ls_errf(e, LS_EINVAL, "secagg request: type %u",
		               (unsigned)m->type);
	n = n_fields[IDX(m->type)];
	for (int k = 1; k <= n; k++) {
		const struct ls_bytes *b = field_at(&c, k);
		if (b->data == NULL || b->len == 0 ||
		    b->len > LS_SECAGG_MSG_MAX)
			return ls_errf(e, LS_EINVAL,
			               "%s: field %d empty or over %d bytes",
			               type_names[IDX(m->type)], k,
			               LS_SECAGG_MSG_MAX);
	}
	proto_mp_writer_init(&w, LS_SYNC_MSG_MAX);
	proto_mp_write_map(&w, (uint32_t)(n + 1));
	proto_mp_write_uint(&w, K_TYPE);
	proto_mp_write_uint(&w, m->type);
	for (int k = 1; k <= n; k++) {
		const struct ls_bytes *b = field_at(&c, k);
		proto_mp_write_uint(&w, (uint64_t)k);
		proto_mp_write_bin(&w, b->data, b->len);
	}
	rc = proto_mp_writer_finish(&w, out, len);
	if (rc != LS_OK)
		return ls_errf(e, rc, "secagg request: encoding failed");
	return LS_OK;
}

static int decode(struct mp_reader *r, struct ls_secagg_req *m,
                  struct ls_errinfo *e)
{
	struct mp_map map;
	uint64_t type;
	const char *what;
	int key, n;

	FIELD_TRY(proto_mp_map_begin(r, &map, MP_KEY_MAX + 1),
	          "secagg request");
	FIELD_TRY(proto_mp_map_key(r, &map, &key), "secagg request: key");
	if (key != K_TYPE)
		return proto_field_err(
		    e, LS_EDECODE, r,
		    "secagg request: the type must come first");
	FIELD_TRY(proto_mp_read_uint(r, LS_SECAGG_REQ_FIRST_,
	                             LS_SECAGG_REQ_LAST_, &type),
	          "secagg request: type");
	m->type = (uint8_t)type;
	what = type_names[IDX(m->type)];
	n = n_fields[IDX(m->type)];
	for (;;) {
		struct ls_bytes *b;
		FIELD_TRY(proto_mp_map_key(r, &map, &key), "%s: key", what);
		if (key < 0)
			break;
		if (key > n) {
			int rc = proto_field_unknown(e, r, key, what);
			if (rc != LS_OK)
				return rc;
			continue;
		}
		b = field_at(m, key);
		FIELD_TRY(
		    proto_mp_read_bin(r, LS_SECAGG_MSG_MAX, &b->data, &b->len),
		    "%s: field %d", what, key);
		if (b->len == 0)
			return proto_field_err(e, LS_EDECODE, r,
			                       "%s: field %d empty", what, key);
	}
	{
		int rc = proto_field_map_done(e, r, &map,
		                              (UINT64_C(2) << n) - 1, what);
		if (rc != LS_OK)
			return rc;
	}
	if (proto_mp_read_end(r) != LS_OK)
		return proto_field_err(e, LS_EDECODE, r, "%s: trailing bytes",
		                       what);
	return LS_OK;
}

int proto_secagg_req_decode(const uint8_t *buf, size_t len,
                            struct ls_secagg_req *out, struct ls_errinfo *e)
{
	struct mp_reader r;
	struct ls_secagg_req m;
	int rc;

	if (len > LS_SYNC_MSG_MAX)
		return ls_errf(e, LS_ELIMIT, "secagg request: %zu bytes", len);
	memset(&m, 0, sizeof m);
	proto_mp_reader_init(&r, buf, len);
	rc = decode(&r, &m, e);
	if (rc != LS_OK)
		return rc;
	*out = m;
	return LS_OK;
}
