/*
 * Secure aggregation messages: validate, encode and sign; peek, verify
 * and decode strictly (proto/secagg_msg.h, PROTOCOL.md "Secure
 * aggregation").
 *
 * Verification follows minisign's order: the envelope's exact structure,
 * version and type, the key id against the key the caller looked up for
 * the signer, the signature over context || version || type || signer ||
 * key id || payload, and only then the payload. Every count is checked
 * against its hard limit and the bytes left before anything is allocated;
 * trailing bytes are refused at both levels.
 */
#include "proto/secagg_msg.h"

#include "common/alloc.h"
#include "core/period.h"
#include "proto/field.h"
#include "proto/mp.h"

#include <sodium.h>
#include <string.h>

#define CONTEXT_LEN (sizeof LS_SECAGG_SIG_CONTEXT - 1)
#define ID_MIN_BYTES 2 /* a str header and at least one byte */

static const char *const type_names[] = {
    [LS_SECAGG_OPEN] = "open",     [LS_SECAGG_KEY] = "key",
    [LS_SECAGG_KEYSET] = "keyset", [LS_SECAGG_CONTRIB] = "contrib",
    [LS_SECAGG_CLOSE] = "close",   [LS_SECAGG_REVEAL] = "reveal",
    [LS_SECAGG_TOTAL] = "total",
};

const char *proto_secagg_type_name(uint8_t type)
{
	return type >= 1 && type <= LS_SECAGG_TYPE_MAX_ ? type_names[type]
	                                                : NULL;
}

void proto_secagg_msg_fini(struct ls_secagg_msg *m)
{
	switch (m->type) {
	case LS_SECAGG_OPEN:
		ls_free(m->u.open.members);
		break;
	case LS_SECAGG_KEYSET:
		ls_free((void *)m->u.keyset.msgs);
		ls_free(m->u.keyset.lens);
		break;
	case LS_SECAGG_CLOSE:
		ls_free(m->u.close.included);
		break;
	case LS_SECAGG_REVEAL:
		ls_free(m->u.reveal.pairs);
		break;
	case LS_SECAGG_TOTAL:
		ls_free(m->u.total.included);
		break;
	default:
		break;
	}
	memset(m, 0, sizeof *m);
}

uint64_t proto_secagg_word(const uint8_t *bytes, size_t i)
{
	uint64_t v = 0;
	for (int b = 0; b < 8; b++)
		v |= (uint64_t)bytes[i * 8 + (size_t)b] << (8 * b);
	return v;
}

/* ---- validation ------------------------------------------------------ */

static int ids_valid(const ls_secagg_id *ids, size_t n, size_t min)
{
	if (n < min || n > LS_SECAGG_MAX_PARTIES || (n > 0 && ids == NULL))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!proto_field_node_id_valid(
		        ids[i], strnlen(ids[i], LS_NODE_ID_SIZE)))
			return 0;
		if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
			return 0;
	}
	return 1;
}

static int vector_valid(size_t n, const uint8_t *bytes)
{
	return n >= 2 && n <= LS_SECAGG_MAX_ENTRIES && bytes != NULL;
}

static int time_valid(int64_t t)
{
	return t >= LS_TIME_MIN && t < LS_TIME_MAX;
}

static int validate_open(const struct ls_secagg_open *o, struct ls_errinfo *e)
{
	if (ls_period_check(&o->period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "secagg open: period");
	if (o->attempt < 1 || o->attempt > LS_SECAGG_ATTEMPT_MAX)
		return ls_errf(e, LS_EINVAL, "secagg open: attempt");
	if (o->n_entries < 2 || o->n_entries > LS_SECAGG_MAX_ENTRIES)
		return ls_errf(e, LS_EINVAL, "secagg open: entries");
	if (ls_secagg_noise_check(&o->noise, e) != LS_OK)
		return LS_EINVAL;
	if (o->k > DISCLOSURE_K_MAX)
		return ls_errf(e, LS_EINVAL, "secagg open: k");
	if (!time_valid(o->created) || !time_valid(o->deadline) ||
	    o->deadline <= o->created)
		return ls_errf(e, LS_EINVAL, "secagg open: times");
	if (!ids_valid(o->members, o->n_members, 2))
		return ls_errf(e, LS_EINVAL,
		               "secagg open: members not sorted, "
		               "unique, 2..%d",
		               LS_SECAGG_MAX_PARTIES);
	if (o->min_parties < 2 || o->min_parties > o->n_members)
		return ls_errf(e, LS_EINVAL, "secagg open: min_parties");
	return LS_OK;
}

static int validate_keyset(const struct ls_secagg_keyset *k,
                           struct ls_errinfo *e)
{
	if (k->n < 2 || k->n > LS_SECAGG_MAX_PARTIES)
		return ls_errf(e, LS_EINVAL, "secagg keyset: %zu keys", k->n);
	for (size_t i = 0; i < k->n; i++)
		if (k->msgs[i] == NULL || k->lens[i] < 1 ||
		    k->lens[i] > LS_SECAGG_KEY_MSG_MAX)
			return ls_errf(e, LS_EINVAL, "secagg keyset: key %zu",
			               i);
	return LS_OK;
}

static int validate_reveal(const struct ls_secagg_reveal *r,
                           struct ls_errinfo *e)
{
	if (r->n_pairs > LS_SECAGG_MAX_PARTIES ||
	    (r->n_pairs > 0 && r->pairs == NULL))
		return ls_errf(e, LS_EINVAL, "secagg reveal: pairs");
	for (size_t i = 0; i < r->n_pairs; i++) {
		const char *p = r->pairs[i].peer;
		if (!proto_field_node_id_valid(p,
		                               strnlen(p, LS_NODE_ID_SIZE)) ||
		    (i > 0 && strcmp(r->pairs[i - 1].peer, p) >= 0))
			return ls_errf(e, LS_EINVAL,
			               "secagg reveal: pairs not "
			               "sorted and unique");
	}
	return LS_OK;
}

static int validate_total(const struct ls_secagg_total *t, struct ls_errinfo *e)
{
	if (ls_period_check(&t->period) != LS_OK ||
	    ls_secagg_noise_check(&t->noise, e) != LS_OK ||
	    !ids_valid(t->included, t->n_included, 2) ||
	    !vector_valid(t->n, t->bytes))
		return ls_errf(e, LS_EINVAL, "secagg total: invalid");
	return LS_OK;
}

static int validate(const struct ls_secagg_msg *m, struct ls_errinfo *e)
{
	if (proto_secagg_type_name(m->type) == NULL)
		return ls_errf(e, LS_EINVAL, "secagg: unknown type %u",
		               m->type);
	if (!proto_field_node_id_valid(m->signer,
	                               strnlen(m->signer, LS_NODE_ID_SIZE)))
		return ls_errf(e, LS_EINVAL, "secagg: bad signer");
	switch (m->type) {
	case LS_SECAGG_OPEN:
		return validate_open(&m->u.open, e);
	case LS_SECAGG_KEY:
		return LS_OK;
	case LS_SECAGG_KEYSET:
		return validate_keyset(&m->u.keyset, e);
	case LS_SECAGG_CONTRIB:
		if (!vector_valid(m->u.contrib.n, m->u.contrib.bytes))
			return ls_errf(e, LS_EINVAL, "secagg contrib: vector");
		return LS_OK;
	case LS_SECAGG_CLOSE:
		if (!ids_valid(m->u.close.included, m->u.close.n_included, 2))
			return ls_errf(e, LS_EINVAL,
			               "secagg close: included list");
		return LS_OK;
	case LS_SECAGG_REVEAL:
		return validate_reveal(&m->u.reveal, e);
	case LS_SECAGG_TOTAL:
		return validate_total(&m->u.total, e);
	}
	return LS_EINVAL;
}

/* ---- encoding -------------------------------------------------------- */

static void write_period(struct mp_writer *w, const struct ls_period *p)
{
	proto_mp_write_array(w, 3);
	proto_mp_write_uint(w, (uint64_t)p->year);
	proto_mp_write_uint(w, (uint64_t)p->month);
	proto_mp_write_uint(w, (uint64_t)p->months);
}

static void write_noise(struct mp_writer *w, const struct secagg_noise *n)
{
	proto_mp_write_array(w, SECAGG_MEASURES);
	for (int m = 0; m < SECAGG_MEASURES; m++) {
		proto_mp_write_array(w, 2);
		proto_mp_write_uint(w, n->mu[m].num);
		proto_mp_write_uint(w, n->mu[m].den);
	}
}

static void write_ids(struct mp_writer *w, const ls_secagg_id *ids, size_t n)
{
	proto_mp_write_array(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_mp_write_cstr(w, ids[i]);
}

static void encode_payload(struct mp_writer *w, const struct ls_secagg_msg *m)
{
	switch (m->type) {
	case LS_SECAGG_OPEN: {
		const struct ls_secagg_open *o = &m->u.open;
		proto_mp_write_map(w, 10);
		proto_mp_write_uint(w, 0);
		write_period(w, &o->period);
		proto_mp_write_uint(w, 1);
		proto_mp_write_uint(w, o->attempt);
		proto_mp_write_uint(w, 2);
		proto_mp_write_bin(w, o->layout, sizeof o->layout);
		proto_mp_write_uint(w, 3);
		proto_mp_write_uint(w, o->n_entries);
		proto_mp_write_uint(w, 4);
		write_noise(w, &o->noise);
		proto_mp_write_uint(w, 5);
		proto_mp_write_uint(w, o->k);
		proto_mp_write_uint(w, 6);
		proto_mp_write_uint(w, o->min_parties);
		proto_mp_write_uint(w, 7);
		proto_mp_write_int(w, o->created);
		proto_mp_write_uint(w, 8);
		proto_mp_write_int(w, o->deadline);
		proto_mp_write_uint(w, 9);
		write_ids(w, o->members, o->n_members);
		return;
	}
	case LS_SECAGG_KEY:
		proto_mp_write_map(w, 2);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_bin(w, m->u.key.pk, sizeof m->u.key.pk);
		return;
	case LS_SECAGG_KEYSET:
		proto_mp_write_map(w, 2);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_array(w, (uint32_t)m->u.keyset.n);
		for (size_t i = 0; i < m->u.keyset.n; i++)
			proto_mp_write_bin(w, m->u.keyset.msgs[i],
			                   m->u.keyset.lens[i]);
		return;
	case LS_SECAGG_CONTRIB:
		proto_mp_write_map(w, 3);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_bin(w, m->u.contrib.keyset,
		                   sizeof m->u.contrib.keyset);
		proto_mp_write_uint(w, 2);
		proto_mp_write_bin(w, m->u.contrib.bytes, 8 * m->u.contrib.n);
		return;
	case LS_SECAGG_CLOSE:
		proto_mp_write_map(w, 3);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_bin(w, m->u.close.keyset,
		                   sizeof m->u.close.keyset);
		proto_mp_write_uint(w, 2);
		write_ids(w, m->u.close.included, m->u.close.n_included);
		return;
	case LS_SECAGG_REVEAL: {
		const struct ls_secagg_reveal *r = &m->u.reveal;
		proto_mp_write_map(w, 4);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_bin(w, r->close, sizeof r->close);
		proto_mp_write_uint(w, 2);
		proto_mp_write_bin(w, r->self_seed, sizeof r->self_seed);
		proto_mp_write_uint(w, 3);
		proto_mp_write_array(w, (uint32_t)r->n_pairs);
		for (size_t i = 0; i < r->n_pairs; i++) {
			proto_mp_write_array(w, 2);
			proto_mp_write_cstr(w, r->pairs[i].peer);
			proto_mp_write_bin(w, r->pairs[i].seed,
			                   sizeof r->pairs[i].seed);
		}
		return;
	}
	case LS_SECAGG_TOTAL: {
		const struct ls_secagg_total *t = &m->u.total;
		proto_mp_write_map(w, 6);
		proto_mp_write_uint(w, 0);
		proto_mp_write_bin(w, m->round, sizeof m->round);
		proto_mp_write_uint(w, 1);
		proto_mp_write_bin(w, t->close, sizeof t->close);
		proto_mp_write_uint(w, 2);
		write_period(w, &t->period);
		proto_mp_write_uint(w, 3);
		write_noise(w, &t->noise);
		proto_mp_write_uint(w, 4);
		write_ids(w, t->included, t->n_included);
		proto_mp_write_uint(w, 5);
		proto_mp_write_bin(w, t->bytes, 8 * t->n);
		return;
	}
	}
}

/* The signing input: context || version || type || len || signer ||
 * key id || payload (heap; caller frees). */
static uint8_t *sig_input(uint8_t type, const char *signer,
                          const uint8_t key_id[LS_KEY_ID_BYTES],
                          const uint8_t *payload, size_t len, size_t *out_len)
{
	size_t sl = strlen(signer);
	size_t n = CONTEXT_LEN + 3 + sl + LS_KEY_ID_BYTES + len;
	uint8_t *in = ls_malloc(n), *p = in;
	if (in == NULL)
		return NULL;
	memcpy(p, LS_SECAGG_SIG_CONTEXT, CONTEXT_LEN);
	p += CONTEXT_LEN;
	*p++ = LS_SECAGG_VERSION;
	*p++ = type;
	*p++ = (uint8_t)sl;
	memcpy(p, signer, sl);
	p += sl;
	memcpy(p, key_id, LS_KEY_ID_BYTES);
	p += LS_KEY_ID_BYTES;
	memcpy(p, payload, len);
	*out_len = n;
	return in;
}

int proto_secagg_msg_sign(const struct ls_secagg_msg *m,
                          const struct ls_keypair *kp, uint8_t **out,
                          size_t *len, struct ls_errinfo *e)
{
	struct mp_writer w;
	uint8_t *payload = NULL, *in;
	uint8_t sig[LS_SIG_BYTES];
	size_t plen, ilen;
	int rc;

	if ((rc = validate(m, e)) != LS_OK)
		return rc;
	proto_mp_writer_init(&w, LS_SECAGG_MSG_MAX - 256);
	encode_payload(&w, m);
	if ((rc = proto_mp_writer_finish(&w, &payload, &plen)) != LS_OK)
		return ls_errf(e, rc, "secagg: payload does not encode");
	in = sig_input(m->type, m->signer, kp->key_id, payload, plen, &ilen);
	if (in == NULL) {
		ls_free(payload);
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	}
	rc = crypto_sign_detached(sig, NULL, in, ilen, kp->sk);
	ls_free(in);
	if (rc != 0) {
		ls_free(payload);
		return ls_errf(e, LS_ECRYPTO, "secagg: signing failed");
	}
	proto_mp_writer_init(&w, LS_SECAGG_MSG_MAX);
	proto_mp_write_array(&w, 6);
	proto_mp_write_uint(&w, LS_SECAGG_VERSION);
	proto_mp_write_uint(&w, m->type);
	proto_mp_write_cstr(&w, m->signer);
	proto_mp_write_bin(&w, kp->key_id, LS_KEY_ID_BYTES);
	proto_mp_write_bin(&w, payload, plen);
	proto_mp_write_bin(&w, sig, sizeof sig);
	ls_free(payload);
	rc = proto_mp_writer_finish(&w, out, len);
	return rc == LS_OK ? LS_OK : ls_errf(e, rc, "secagg: too large");
}

/* ---- decoding -------------------------------------------------------- */

struct env {
	uint8_t type;
	char signer[LS_NODE_ID_SIZE];
	const uint8_t *key_id;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig;
};

static int env_read(const uint8_t *buf, size_t len, struct env *out,
                    struct ls_errinfo *e)
{
	struct mp_reader rd, *r = &rd;
	uint64_t version, type;

	if (len > LS_SECAGG_MSG_MAX)
		return ls_errf(e, LS_ELIMIT, "secagg: %zu bytes, limit %d", len,
		               LS_SECAGG_MSG_MAX);
	proto_mp_reader_init(r, buf, len);
	FIELD_TRY(proto_mp_read_array_exact(r, 6), "secagg: envelope");
	FIELD_TRY(proto_mp_read_uint(r, 0, 255, &version), "secagg: version");
	FIELD_TRY(proto_mp_read_uint(r, 0, 255, &type), "secagg: type");
	if (version != LS_SECAGG_VERSION)
		return proto_field_err(e, LS_EDECODE, r, "secagg: version %llu",
		                       (unsigned long long)version);
	if (proto_secagg_type_name((uint8_t)type) == NULL)
		return proto_field_err(e, LS_EDECODE, r, "secagg: type %llu",
		                       (unsigned long long)type);
	out->type = (uint8_t)type;
	FIELD_TRY(proto_field_read_node_id(r, out->signer), "secagg: signer");
	FIELD_TRY(proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &out->key_id),
	          "secagg: key id");
	FIELD_TRY(proto_mp_read_bin(r, LS_SECAGG_MSG_MAX, &out->payload,
	                            &out->payload_len),
	          "secagg: payload");
	FIELD_TRY(proto_mp_read_bin_exact(r, LS_SIG_BYTES, &out->sig),
	          "secagg: signature");
	FIELD_TRY(proto_mp_read_end(r), "secagg: trailing bytes");
	return LS_OK;
}

int proto_secagg_msg_peek(const uint8_t *buf, size_t len, uint8_t *type,
                          char signer[LS_NODE_ID_SIZE],
                          uint8_t key_id[LS_KEY_ID_BYTES], struct ls_errinfo *e)
{
	struct env v;
	int rc = env_read(buf, len, &v, e);
	if (rc != LS_OK)
		return rc;
	*type = v.type;
	memcpy(signer, v.signer, LS_NODE_ID_SIZE);
	memcpy(key_id, v.key_id, LS_KEY_ID_BYTES);
	return LS_OK;
}

static int read_noise(struct mp_reader *r, struct secagg_noise *nz,
                      struct ls_errinfo *e)
{
	FIELD_TRY(proto_mp_read_array_exact(r, SECAGG_MEASURES),
	          "secagg: noise");
	for (int m = 0; m < SECAGG_MEASURES; m++) {
		FIELD_TRY(proto_mp_read_array_exact(r, 2),
		          "secagg: noise mean");
		FIELD_TRY(proto_mp_read_uint(r, 0, SECAGG_RATIONAL_MAX,
		                             &nz->mu[m].num),
		          "secagg: noise numerator");
		FIELD_TRY(proto_mp_read_uint(r, 1, SECAGG_RATIONAL_MAX,
		                             &nz->mu[m].den),
		          "secagg: noise denominator");
	}
	return LS_OK;
}

static int read_ids(struct mp_reader *r, ls_secagg_id **ids, size_t *n,
                    struct ls_errinfo *e)
{
	uint32_t cnt;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_SECAGG_MAX_PARTIES, ID_MIN_BYTES, &cnt),
	    "secagg: id list");
	*ids = ls_calloc(cnt + 1, sizeof **ids);
	if (*ids == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	*n = cnt;
	for (uint32_t i = 0; i < cnt; i++)
		FIELD_TRY(proto_field_read_node_id(r, (*ids)[i]),
		          "secagg: id %u", i);
	return LS_OK;
}

static int read_vector(struct mp_reader *r, const uint8_t **bytes, size_t *n,
                       struct ls_errinfo *e)
{
	size_t len;
	FIELD_TRY(proto_mp_read_bin(r, 8 * (size_t)LS_SECAGG_MAX_ENTRIES, bytes,
	                            &len),
	          "secagg: vector");
	if (len % 8 != 0)
		return proto_field_err(e, LS_EDECODE, r,
		                       "secagg: vector of %zu bytes", len);
	*n = len / 8;
	return LS_OK;
}

static int read_hash(struct mp_reader *r, uint8_t *out, size_t n,
                     struct ls_errinfo *e, const char *what)
{
	const uint8_t *b;
	FIELD_TRY(proto_mp_read_bin_exact(r, n, &b), "secagg: %s", what);
	memcpy(out, b, n);
	return LS_OK;
}

/* Open's payload key 0..9: period, attempt, layout, entries, noise, k,
 * min_parties, created, deadline, members. */
static int decode_open_key(struct mp_reader *r, struct ls_secagg_open *o,
                           int key, struct ls_errinfo *e)
{
	switch (key) {
	case 0:
		return proto_field_read_period(r, &o->period, "secagg", e);
	case 1:
		FIELD_TRY(
		    proto_mp_read_u32(r, 1, LS_SECAGG_ATTEMPT_MAX, &o->attempt),
		    "secagg open: attempt");
		return LS_OK;
	case 2:
		return read_hash(r, o->layout, sizeof o->layout, e, "layout");
	case 3:
		FIELD_TRY(proto_mp_read_u32(r, 2, LS_SECAGG_MAX_ENTRIES,
		                            &o->n_entries),
		          "secagg open: entries");
		return LS_OK;
	case 4:
		return read_noise(r, &o->noise, e);
	case 5:
		FIELD_TRY(proto_mp_read_u32(r, 0, DISCLOSURE_K_MAX, &o->k),
		          "secagg open: k");
		return LS_OK;
	case 6:
		FIELD_TRY(proto_mp_read_u32(r, 2, LS_SECAGG_MAX_PARTIES,
		                            &o->min_parties),
		          "secagg open: min_parties");
		return LS_OK;
	case 7:
	case 8:
		FIELD_TRY(
		    proto_mp_read_int(r, LS_TIME_MIN, LS_TIME_MAX - 1,
		                      key == 7 ? &o->created : &o->deadline),
		    "secagg open: time");
		return LS_OK;
	default:
		if (o->members != NULL)
			return ls_errf(e, LS_EDECODE, "secagg: members twice");
		return read_ids(r, &o->members, &o->n_members, e);
	}
}

/* Keyset's key 1: the array of sealed key messages. */
static int decode_keyset_keys(struct mp_reader *r, struct ls_secagg_keyset *k,
                              struct ls_errinfo *e)
{
	uint32_t cnt;
	FIELD_TRY(proto_mp_read_array(r, LS_SECAGG_MAX_PARTIES, 2, &cnt),
	          "secagg keyset: keys");
	k->msgs = ls_calloc(cnt + 1, sizeof *k->msgs);
	k->lens = ls_calloc(cnt + 1, sizeof *k->lens);
	if (k->msgs == NULL || k->lens == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	k->n = cnt;
	for (uint32_t i = 0; i < cnt; i++)
		FIELD_TRY(proto_mp_read_bin(r, LS_SECAGG_KEY_MSG_MAX,
		                            &k->msgs[i], &k->lens[i]),
		          "secagg keyset: key %u", i);
	return LS_OK;
}

/* Reveal's key 3: the [peer id, seed] pairs. */
static int decode_reveal_pairs(struct mp_reader *r, struct ls_secagg_reveal *v,
                               struct ls_errinfo *e)
{
	uint32_t cnt;
	/* [id, seed] >= 1 + 2 + 2 + 32 bytes */
	FIELD_TRY(proto_mp_read_array(r, LS_SECAGG_MAX_PARTIES, 37, &cnt),
	          "secagg reveal: pairs");
	v->pairs = ls_calloc(cnt + 1, sizeof *v->pairs);
	if (v->pairs == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	v->n_pairs = cnt;
	for (uint32_t i = 0; i < cnt; i++) {
		int rc;
		FIELD_TRY(proto_mp_read_array_exact(r, 2),
		          "secagg reveal: pair %u", i);
		FIELD_TRY(proto_field_read_node_id(r, v->pairs[i].peer),
		          "secagg reveal: pair %u", i);
		rc = read_hash(r, v->pairs[i].seed, LS_SECAGG_SEED_BYTES, e,
		               "seed");
		if (rc != LS_OK)
			return rc;
	}
	return LS_OK;
}

/* Reveal's key 1..3: close, self seed, pairs. */
static int decode_reveal_key(struct mp_reader *r, struct ls_secagg_reveal *v,
                             int key, struct ls_errinfo *e)
{
	if (key == 1)
		return read_hash(r, v->close, LS_HASH_BYTES, e, "close");
	if (key == 2)
		return read_hash(r, v->self_seed, LS_SECAGG_SEED_BYTES, e,
		                 "self");
	return decode_reveal_pairs(r, v, e);
}

/* Total's key 1..5: close, period, noise, included, vector. */
static int decode_total_key(struct mp_reader *r, struct ls_secagg_total *t,
                            int key, struct ls_errinfo *e)
{
	switch (key) {
	case 1:
		return read_hash(r, t->close, LS_HASH_BYTES, e, "close");
	case 2:
		return proto_field_read_period(r, &t->period, "secagg", e);
	case 3:
		return read_noise(r, &t->noise, e);
	case 4:
		return read_ids(r, &t->included, &t->n_included, e);
	default:
		return read_vector(r, &t->bytes, &t->n, e);
	}
}

/* One known payload key of m's type other than every non-open type's
 * key 0 (the round). */
static int decode_payload_key(struct mp_reader *r, struct ls_secagg_msg *m,
                              int key, struct ls_errinfo *e)
{
	switch (m->type) {
	case LS_SECAGG_OPEN:
		return decode_open_key(r, &m->u.open, key, e);
	case LS_SECAGG_KEY:
		return read_hash(r, m->u.key.pk, LS_X25519_BYTES, e, "key");
	case LS_SECAGG_KEYSET:
		return decode_keyset_keys(r, &m->u.keyset, e);
	case LS_SECAGG_CONTRIB:
		return key == 1 ? read_hash(r, m->u.contrib.keyset,
		                            LS_HASH_BYTES, e, "keyset")
		                : read_vector(r, &m->u.contrib.bytes,
		                              &m->u.contrib.n, e);
	case LS_SECAGG_CLOSE:
		return key == 1 ? read_hash(r, m->u.close.keyset, LS_HASH_BYTES,
		                            e, "keyset")
		                : read_ids(r, &m->u.close.included,
		                           &m->u.close.n_included, e);
	case LS_SECAGG_REVEAL:
		return decode_reveal_key(r, &m->u.reveal, key, e);
	case LS_SECAGG_TOTAL:
		return decode_total_key(r, &m->u.total, key, e);
	default:
		return LS_EDECODE;
	}
}

/* One payload map; the required keys are 0..n_keys-1, every one core. */
static int decode_payload(struct mp_reader *r, struct ls_secagg_msg *m,
                          struct ls_errinfo *e)
{
	static const int n_keys[] = {
	    [LS_SECAGG_OPEN] = 10,  [LS_SECAGG_KEY] = 2,
	    [LS_SECAGG_KEYSET] = 2, [LS_SECAGG_CONTRIB] = 3,
	    [LS_SECAGG_CLOSE] = 3,  [LS_SECAGG_REVEAL] = 4,
	    [LS_SECAGG_TOTAL] = 6,
	};
	struct mp_map map;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &map, 16), "secagg: payload map");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &map, &key),
		          "secagg: payload key");
		if (key < 0)
			break;
		if (key >= n_keys[m->type])
			rc = proto_field_unknown(e, r, key, "secagg");
		else if (m->type != LS_SECAGG_OPEN && key == 0)
			rc =
			    read_hash(r, m->round, sizeof m->round, e, "round");
		else
			rc = decode_payload_key(r, m, key, e);
		if (rc != LS_OK)
			return rc;
	}
	return proto_field_map_done(
	    e, r, &map, (UINT64_C(1) << n_keys[m->type]) - 1, "secagg payload");
}

static int decode_env(const struct env *v, struct ls_secagg_msg *out,
                      struct ls_errinfo *e)
{
	struct ls_secagg_msg m;
	struct mp_reader rd;
	int rc;

	memset(&m, 0, sizeof m);
	m.type = v->type;
	memcpy(m.signer, v->signer, sizeof m.signer);
	memcpy(m.key_id, v->key_id, sizeof m.key_id);
	crypto_generichash(m.hash, sizeof m.hash, v->payload, v->payload_len,
	                   NULL, 0);
	proto_mp_reader_init(&rd, v->payload, v->payload_len);
	rc = decode_payload(&rd, &m, e);
	if (rc == LS_OK && proto_mp_read_end(&rd) != LS_OK)
		rc = ls_errf(e, LS_EDECODE, "secagg: trailing payload bytes");
	if (rc == LS_OK && (rc = validate(&m, e)) != LS_OK)
		rc = proto_field_invalid(e, rc);
	if (rc != LS_OK) {
		proto_secagg_msg_fini(&m);
		return rc;
	}
	if (m.type == LS_SECAGG_OPEN) {
		static const char tag[] = "ls-secagg-round-v1";
		crypto_generichash_state h;
		crypto_generichash_init(&h, NULL, 0, sizeof m.round);
		crypto_generichash_update(&h, (const uint8_t *)tag,
		                          sizeof tag - 1);
		crypto_generichash_update(&h, v->payload, v->payload_len);
		crypto_generichash_final(&h, m.round, sizeof m.round);
	}
	*out = m;
	return LS_OK;
}

int proto_secagg_msg_decode_signed(const uint8_t *buf, size_t len,
                                   struct ls_secagg_msg *out,
                                   struct ls_errinfo *e)
{
	struct env v;
	int rc = env_read(buf, len, &v, e);
	return rc != LS_OK ? rc : decode_env(&v, out, e);
}

int proto_secagg_msg_verify(const uint8_t *buf, size_t len,
                            const uint8_t pk[LS_PUBKEY_BYTES],
                            struct ls_secagg_msg *out, struct ls_errinfo *e)
{
	struct env v;
	uint8_t kid[LS_KEY_ID_BYTES], *in;
	size_t ilen;
	int rc;

	if ((rc = env_read(buf, len, &v, e)) != LS_OK)
		return rc;
	proto_key_id(pk, kid);
	if (sodium_memcmp(kid, v.key_id, sizeof kid) != 0)
		return ls_errf(e, LS_EKEY, "secagg: %s signed with another key",
		               v.signer);
	in = sig_input(v.type, v.signer, v.key_id, v.payload, v.payload_len,
	               &ilen);
	if (in == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	rc = crypto_sign_verify_detached(v.sig, in, ilen, pk);
	ls_free(in);
	if (rc != 0)
		return ls_errf(e, LS_ESIG, "secagg: bad signature of %s",
		               v.signer);
	return decode_env(&v, out, e);
}
