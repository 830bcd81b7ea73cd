/*
 * Documents: the payload (feed fields + body), publishing, verification,
 * the feed chain and fork proofs.
 *
 * Payload: a map {0 type, 1 origin, 2 seq, 3 prev, 4 created, 5 body}
 * plus, after the body, extension keys 64..127 that a decoder skips. The
 * feed fields come first, so a receiver reads them (no allocation) and
 * decides about the key before it spends a signature check; the body is
 * decoded strictly only after the signature held.
 *
 * Decoding always works on a private copy of struct ls_doc and hands it
 * over only on success, so a failed decode changes nothing the caller
 * holds and leaks nothing (every codec's fini accepts partial state).
 */
#include "proto/doc.h"
#include "common/alloc.h"
#include "common/text.h"
#include "proto/body.h"
#include "proto/envelope.h"
#include "proto/field.h"

#include <sodium.h>
#include <string.h>

enum {
	H_TYPE = 0,
	H_ORIGIN = 1,
	H_SEQ = 2,
	H_PREV = 3,
	H_CREATED = 4,
	H_BODY = 5,
};
#define HEADER_REQUIRED 0x1fu
#define PAYLOAD_REQUIRED 0x3fu

static const struct proto_body_codec *const codecs[LS_DOC_TYPE_MAX_ + 1] = {
    [LS_DOC_ROSTER] = &proto_body_roster,
    [LS_DOC_TAXONOMY] = &proto_body_taxonomy,
    [LS_DOC_POLICY] = &proto_body_policy,
    [LS_DOC_SUMMARY] = &proto_body_summary,
    [LS_DOC_STATUS] = &proto_body_status,
    [LS_DOC_DOSSIER_NOTE] = &proto_body_note,
    [LS_DOC_FEDSUM] = &proto_body_fedsum,
};

static const struct proto_body_codec *codec_of(uint8_t type)
{
	return type >= 1 && type <= LS_DOC_TYPE_MAX_ ? codecs[type] : NULL;
}

void proto_doc_init(struct ls_doc *d, enum ls_doc_type type)
{
	memset(d, 0, sizeof *d);
	d->hdr.type = (uint8_t)type;
}

void proto_doc_fini(struct ls_doc *d)
{
	const struct proto_body_codec *c = codec_of(d->hdr.type);
	if (c != NULL)
		c->fini(d);
	memset(d, 0, sizeof *d);
}

const char *proto_doc_type_name(uint8_t type)
{
	const struct proto_body_codec *c = codec_of(type);
	return c != NULL ? c->name : NULL;
}

static int prev_is_zero(const uint8_t prev[LS_HASH_BYTES])
{
	static const uint8_t zero[LS_HASH_BYTES];
	return sodium_memcmp(prev, zero, LS_HASH_BYTES) == 0;
}

static int header_validate(const struct ls_doc_header *h, struct ls_errinfo *e)
{
	if (codec_of(h->type) == NULL)
		return ls_errf(e, LS_EINVAL, "unknown document type %u",
		               h->type);
	if (!proto_field_node_id_valid(h->origin,
	                               strnlen(h->origin, LS_NODE_ID_SIZE)))
		return ls_errf(e, LS_EINVAL, "origin is not a node id");
	if (h->seq < 1 || h->seq > LS_SEQ_MAX)
		return ls_errf(e, LS_EINVAL, "seq out of range");
	/* The first document has no predecessor; every later one has one
	 * (a zero hash is not a BLAKE2b output anyone can find). */
	if ((h->seq == 1) != prev_is_zero(h->prev))
		return ls_errf(e, LS_EINVAL,
		               "prev must be zero exactly for seq 1");
	if (h->created < LS_TIME_MIN || h->created >= LS_TIME_MAX)
		return ls_errf(e, LS_EINVAL, "created out of range");
	return LS_OK;
}

int proto_doc_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	int rc = header_validate(&d->hdr, e);
	if (rc != LS_OK)
		return rc;
	return codec_of(d->hdr.type)->validate(d, e);
}

int proto_doc_encode_payload(const struct ls_doc *d, uint8_t **out, size_t *len,
                             struct ls_errinfo *e)
{
	struct mp_writer w;
	int rc = proto_doc_validate(d, e);
	if (rc != LS_OK)
		return rc;
	proto_mp_writer_init(&w, LS_PAYLOAD_MAX);
	proto_mp_write_map(&w, 6);
	proto_mp_write_uint(&w, H_TYPE);
	proto_mp_write_uint(&w, d->hdr.type);
	proto_mp_write_uint(&w, H_ORIGIN);
	proto_mp_write_cstr(&w, d->hdr.origin);
	proto_mp_write_uint(&w, H_SEQ);
	proto_mp_write_uint(&w, d->hdr.seq);
	proto_mp_write_uint(&w, H_PREV);
	proto_mp_write_bin(&w, d->hdr.prev, LS_HASH_BYTES);
	proto_mp_write_uint(&w, H_CREATED);
	proto_mp_write_int(&w, d->hdr.created);
	proto_mp_write_uint(&w, H_BODY);
	codec_of(d->hdr.type)->encode(&w, d);
	rc = proto_mp_writer_finish(&w, out, len);
	if (rc != LS_OK)
		return ls_errf(e, rc, "%s payload: %s",
		               proto_doc_type_name(d->hdr.type),
		               ls_strerror(rc));
	return LS_OK;
}

/*
 * Read the payload map's header and the feed fields, stopping in front of
 * the body's value (key 5), which must be present.
 */
static int header_read(struct mp_reader *r, struct mp_map *m,
                       struct ls_doc_header *h, struct ls_errinfo *e)
{
	int key, rc;
	uint64_t type;
	const uint8_t *b;

	memset(h, 0, sizeof *h);
	FIELD_TRY(proto_mp_map_begin(r, m, MP_KEY_MAX + 1), "payload");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, m, &key), "payload: key");
		if (key < 0 || key == H_BODY)
			break;
		switch (key) {
		case H_TYPE:
			FIELD_TRY(
			    proto_mp_read_uint(r, 1, LS_DOC_TYPE_MAX_, &type),
			    "payload: type");
			h->type = (uint8_t)type;
			break;
		case H_ORIGIN:
			FIELD_TRY(proto_field_read_node_id(r, h->origin),
			          "payload: origin");
			break;
		case H_SEQ:
			FIELD_TRY(proto_mp_read_uint(r, 1, LS_SEQ_MAX, &h->seq),
			          "payload: seq");
			break;
		case H_PREV:
			FIELD_TRY(proto_mp_read_bin_exact(r, LS_HASH_BYTES, &b),
			          "payload: prev");
			memcpy(h->prev, b, LS_HASH_BYTES);
			break;
		case H_CREATED:
			FIELD_TRY(proto_mp_read_int(r, LS_TIME_MIN,
			                            LS_TIME_MAX - 1,
			                            &h->created),
			          "payload: created");
			break;
		default: /* a core key below 5 we do not know, or 64+ */
			return proto_field_err(
			    e, LS_EDECODE, r, "payload: unknown field %d", key);
		}
	}
	rc = proto_field_map_done(e, r, m, PAYLOAD_REQUIRED & ~(1u << H_BODY),
	                          "payload");
	if (rc != LS_OK)
		return rc;
	if (key != H_BODY)
		return proto_field_err(e, LS_EDECODE, r,
		                       "payload: field 5 missing");
	rc = header_validate(h, e);
	return proto_field_invalid(e, rc);
}

int proto_doc_decode_header(const uint8_t *buf, size_t len,
                            struct ls_doc_header *out, struct ls_errinfo *e)
{
	struct mp_reader r;
	struct mp_map m;
	struct ls_doc_header h;
	int rc;
	if (len > LS_PAYLOAD_MAX)
		return ls_errf(e, LS_ELIMIT, "payload: too large");
	proto_mp_reader_init(&r, buf, len);
	rc = header_read(&r, &m, &h, e);
	if (rc == LS_OK)
		*out = h;
	return rc;
}

static int payload_decode(const uint8_t *buf, size_t len, struct ls_doc *d,
                          struct ls_errinfo *e)
{
	struct mp_reader rd, *r = &rd;
	struct mp_map m;
	int key, rc;

	if (len > LS_PAYLOAD_MAX)
		return ls_errf(e, LS_ELIMIT, "payload: too large");
	proto_mp_reader_init(r, buf, len);
	rc = header_read(r, &m, &d->hdr, e);
	if (rc != LS_OK)
		return rc;
	rc = codec_of(d->hdr.type)->decode(r, d, e);
	if (rc != LS_OK)
		return rc;
	/* Extensions after the body. */
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "payload: key");
		if (key < 0)
			break;
		rc = proto_field_unknown(e, r, key, "payload");
		if (rc != LS_OK)
			return rc;
	}
	if (proto_mp_read_end(r) != LS_OK)
		return proto_field_err(e, LS_EDECODE, r,
		                       "payload: trailing bytes");
	return LS_OK;
}

int proto_doc_decode_payload(const uint8_t *buf, size_t len, struct ls_doc *out,
                             struct ls_errinfo *e)
{
	struct ls_doc d;
	int rc;
	memset(&d, 0, sizeof d);
	rc = payload_decode(buf, len, &d, e);
	if (rc != LS_OK) {
		proto_doc_fini(&d);
		return rc;
	}
	*out = d;
	return LS_OK;
}

void proto_doc_hash(const uint8_t *payload, size_t len,
                    uint8_t out[LS_HASH_BYTES])
{
	crypto_generichash(out, LS_HASH_BYTES, payload, len, NULL, 0);
}

int proto_doc_sign(struct ls_doc *d, const struct ls_feed_head *head,
                   int64_t created, const struct ls_keypair *kp, uint8_t **out,
                   size_t *len, struct ls_feed_head *new_head,
                   struct ls_errinfo *e)
{
	uint8_t *payload, *env;
	size_t payload_len, env_len;
	int rc;

	if (head->seq >= LS_SEQ_MAX)
		return ls_errf(e, LS_ELIMIT, "feed is full");
	d->hdr.seq = head->seq + 1;
	memcpy(d->hdr.prev, head->hash, LS_HASH_BYTES);
	d->hdr.created = created;
	rc = proto_doc_encode_payload(d, &payload, &payload_len, e);
	if (rc != LS_OK)
		return rc;
	rc = proto_envelope_sign(kp, payload, payload_len, &env, &env_len);
	if (rc != LS_OK) {
		ls_free(payload);
		return ls_errf(e, rc, "signing: %s", ls_strerror(rc));
	}
	new_head->seq = d->hdr.seq;
	proto_doc_hash(payload, payload_len, new_head->hash);
	ls_free(payload);
	*out = env;
	*len = env_len;
	return LS_OK;
}

/*
 * Step 4 of verification: who signed, and may they? For a federation key
 * the origin must be the federation; for a member key the origin must be
 * that member and its role must be allowed to author the type.
 */
static int author_check(const struct ls_trust *t, const struct ls_envelope *env,
                        const struct ls_doc_header *h, struct ls_key_ref *ref,
                        struct ls_roster_key *anchor, struct ls_errinfo *e)
{
	const struct proto_body_codec *c = codec_of(h->type);
	char kid[LS_KEY_ID_HEX_SIZE];
	int rc;

	ls_hex_encode(env->key_id, LS_KEY_ID_BYTES, kid);
	if (t->roster != NULL) {
		if (proto_roster_find_key(t->roster, env->key_id, ref) != LS_OK)
			return ls_errf(e, LS_EKEY,
			               "key %s is not in the roster", kid);
	} else {
		/* Before the first roster only the configured federation
		 * key is known. */
		memset(anchor, 0, sizeof *anchor);
		if (t->anchor_pk != NULL) {
			memcpy(anchor->pk, t->anchor_pk, LS_PUBKEY_BYTES);
			proto_key_id(anchor->pk, anchor->key_id);
		}
		if (t->anchor_pk == NULL ||
		    memcmp(anchor->key_id, env->key_id, LS_KEY_ID_BYTES) != 0)
			return ls_errf(e, LS_EKEY,
			               "key %s is unknown (no roster yet)",
			               kid);
		ref->key = anchor;
		ref->member = NULL;
		ref->revocation = NULL;
	}
	if (ref->member == NULL) {
		const char *fed =
		    t->roster != NULL ? t->roster->federation : t->federation;
		if (!(c->authors & PROTO_AUTHOR_FEDERATION) || fed == NULL ||
		    strcmp(h->origin, fed) != 0)
			return ls_errf(
			    e, LS_EDENIED,
			    "the federation key may not author %s of "
			    "origin %s",
			    c->name, h->origin);
	} else {
		unsigned role = ref->member->role == LS_ROLE_MUNICIPALITY
		                    ? PROTO_AUTHOR_MUNICIPALITY
		                    : PROTO_AUTHOR_AGGREGATOR;
		if (strcmp(ref->member->node_id, h->origin) != 0)
			return ls_errf(e, LS_EDENIED,
			               "key %s belongs to %s, not to origin %s",
			               kid, ref->member->node_id, h->origin);
		if (!(c->authors & role))
			return ls_errf(e, LS_EDENIED, "%s may not author a %s",
			               h->origin, c->name);
	}
	rc = proto_key_check_doc(ref, h->created, h->seq);
	if (rc == LS_EEXPIRED)
		return ls_errf(e, rc, "key %s was not valid at %lld (created)",
		               kid, (long long)h->created);
	if (rc == LS_EREVOKED)
		return ls_errf(e, rc,
		               "key %s is revoked (or its node left) for "
		               "seq %llu created %lld",
		               kid, (unsigned long long)h->seq,
		               (long long)h->created);
	return rc;
}

/* Steps 1-5; *anchor holds the anchor key when the trust has no roster. */
static int authenticate(const struct ls_trust *t, const uint8_t *buf,
                        size_t len, int64_t now, struct ls_envelope *env,
                        struct ls_doc_header *h, struct ls_roster_key *anchor,
                        struct ls_errinfo *e)
{
	struct ls_key_ref ref;
	int rc;

	/* 1-2: envelope structure, lengths, version, algorithm */
	rc = proto_envelope_decode(buf, len, env, e);
	if (rc != LS_OK)
		return rc;
	/* 3: the feed fields, without allocating */
	rc = proto_doc_decode_header(env->payload, env->payload_len, h, e);
	if (rc != LS_OK)
		return rc;
	if (h->created > now + LS_CLOCK_SKEW)
		return ls_errf(e, LS_EEXPIRED,
		               "created %lld is in the future (now %lld)",
		               (long long)h->created, (long long)now);
	/* 4: the key and its right to sign this */
	rc = author_check(t, env, h, &ref, anchor, e);
	if (rc != LS_OK)
		return rc;
	/* 5: the signature over the exact bytes */
	rc = proto_envelope_verify(env, ref.key->pk);
	if (rc != LS_OK)
		return ls_errf(e, rc, "signature: %s", ls_strerror(rc));
	return LS_OK;
}

int proto_doc_authenticate(const struct ls_trust *t, const uint8_t *buf,
                           size_t len, int64_t now, struct ls_doc_header *hdr,
                           struct ls_errinfo *e)
{
	struct ls_envelope env;
	struct ls_doc_header h;
	struct ls_roster_key anchor;
	int rc = authenticate(t, buf, len, now, &env, &h, &anchor, e);
	if (rc == LS_OK && hdr != NULL)
		*hdr = h;
	return rc;
}

int proto_doc_verify(const struct ls_trust *t, const uint8_t *buf, size_t len,
                     int64_t now, struct ls_doc *out, struct ls_doc_info *info,
                     struct ls_errinfo *e)
{
	struct ls_envelope env;
	struct ls_doc_header h;
	struct ls_roster_key anchor;
	struct ls_doc d;
	int rc;

	rc = authenticate(t, buf, len, now, &env, &h, &anchor, e);
	if (rc != LS_OK)
		return rc;
	/* 6: the body against its schema */
	memset(&d, 0, sizeof d);
	rc = payload_decode(env.payload, env.payload_len, &d, e);
	if (rc == LS_OK && t->roster == NULL && d.hdr.type == LS_DOC_ROSTER) {
		/* The first roster must list the key that vouched for it. */
		struct ls_key_ref self;
		if (proto_roster_find_key(&d.body.roster, anchor.key_id,
		                          &self) != LS_OK ||
		    self.member != NULL)
			rc = ls_errf(e, LS_EKEY,
			             "the first roster does not list the "
			             "configured federation key");
	}
	if (rc != LS_OK) {
		proto_doc_fini(&d);
		return rc;
	}
	if (info != NULL) {
		proto_doc_hash(env.payload, env.payload_len, info->hash);
		memcpy(info->key_id, env.key_id, LS_KEY_ID_BYTES);
		info->payload_off = env.payload_off;
		info->payload_len = env.payload_len;
	}
	*out = d;
	return LS_OK;
}

int proto_doc_check_chain(const struct ls_doc_header *pred,
                          const uint8_t pred_hash[LS_HASH_BYTES],
                          const struct ls_doc_header *doc, struct ls_errinfo *e)
{
	if (strcmp(pred->origin, doc->origin) != 0)
		return ls_errf(e, LS_ECHAIN, "different origins %s and %s",
		               pred->origin, doc->origin);
	if (doc->seq != pred->seq + 1)
		return ls_errf(e, LS_ECHAIN,
		               "%s: seq %llu does not follow %llu", doc->origin,
		               (unsigned long long)doc->seq,
		               (unsigned long long)pred->seq);
	if (sodium_memcmp(doc->prev, pred_hash, LS_HASH_BYTES) != 0)
		return ls_errf(e, LS_ECHAIN,
		               "%s: seq %llu names another predecessor",
		               doc->origin, (unsigned long long)doc->seq);
	return LS_OK;
}

int proto_doc_check_fork(const struct ls_doc_header *a,
                         const uint8_t a_hash[LS_HASH_BYTES],
                         const struct ls_doc_header *b,
                         const uint8_t b_hash[LS_HASH_BYTES])
{
	if (strcmp(a->origin, b->origin) != 0 || a->seq != b->seq)
		return LS_EINVAL;
	return memcmp(a_hash, b_hash, LS_HASH_BYTES) == 0 ? LS_OK : LS_EFORK;
}

/* Feed fields and hash of an envelope, without checking its signature. */
static int envelope_peek(const uint8_t *buf, size_t len,
                         struct ls_doc_header *h, uint8_t hash[LS_HASH_BYTES],
                         struct ls_errinfo *e)
{
	struct ls_envelope env;
	int rc = proto_envelope_decode(buf, len, &env, e);
	if (rc == LS_OK)
		rc =
		    proto_doc_decode_header(env.payload, env.payload_len, h, e);
	if (rc == LS_OK)
		proto_doc_hash(env.payload, env.payload_len, hash);
	return rc;
}

int proto_fork_proof_encode(const uint8_t *a, size_t a_len, const uint8_t *b,
                            size_t b_len, uint8_t **out, size_t *len)
{
	struct ls_doc_header ha, hb;
	uint8_t hash_a[LS_HASH_BYTES], hash_b[LS_HASH_BYTES];
	struct mp_writer w;

	if (envelope_peek(a, a_len, &ha, hash_a, NULL) != LS_OK ||
	    envelope_peek(b, b_len, &hb, hash_b, NULL) != LS_OK ||
	    proto_doc_check_fork(&ha, hash_a, &hb, hash_b) != LS_EFORK)
		return LS_EINVAL;
	if (memcmp(hash_a, hash_b, LS_HASH_BYTES) > 0) {
		const uint8_t *t = a;
		size_t tl = a_len;
		a = b, a_len = b_len;
		b = t, b_len = tl;
	}
	proto_mp_writer_init(&w, 2 * LS_ENVELOPE_MAX + 16);
	proto_mp_write_array(&w, 2);
	proto_mp_write_bin(&w, a, a_len);
	proto_mp_write_bin(&w, b, b_len);
	return proto_mp_writer_finish(&w, out, len);
}

int proto_fork_proof_decode(const uint8_t *buf, size_t len, const uint8_t **a,
                            size_t *a_len, const uint8_t **b, size_t *b_len,
                            struct ls_errinfo *e)
{
	struct mp_reader rd, *r = &rd;
	const uint8_t *doc[2];
	size_t doc_len[2];

	if (len > 2 * LS_ENVELOPE_MAX + 16)
		return ls_errf(e, LS_ELIMIT, "fork proof: too large");
	proto_mp_reader_init(r, buf, len);
	FIELD_TRY(proto_mp_read_array_exact(r, 2), "fork proof");
	FIELD_TRY(proto_mp_read_bin(r, LS_ENVELOPE_MAX, &doc[0], &doc_len[0]),
	          "fork proof: first document");
	FIELD_TRY(proto_mp_read_bin(r, LS_ENVELOPE_MAX, &doc[1], &doc_len[1]),
	          "fork proof: second document");
	FIELD_TRY(proto_mp_read_end(r), "fork proof: trailing bytes");
	*a = doc[0];
	*a_len = doc_len[0];
	*b = doc[1];
	*b_len = doc_len[1];
	return LS_OK;
}

int proto_fork_proof_verify(const struct ls_trust *t, const uint8_t *buf,
                            size_t len, int64_t now, struct ls_fork_info *out,
                            struct ls_errinfo *e)
{
	const uint8_t *doc[2];
	size_t doc_len[2];
	struct ls_doc d[2];
	struct ls_doc_info info[2];
	int rc;

	rc = proto_fork_proof_decode(buf, len, &doc[0], &doc_len[0], &doc[1],
	                             &doc_len[1], e);
	if (rc != LS_OK)
		return rc;
	for (int i = 0; i < 2; i++) {
		rc = proto_doc_verify(t, doc[i], doc_len[i], now, &d[i],
		                      &info[i], e);
		if (rc != LS_OK) {
			if (i == 1)
				proto_doc_fini(&d[0]);
			return rc;
		}
	}
	rc = proto_doc_check_fork(&d[0].hdr, info[0].hash, &d[1].hdr,
	                          info[1].hash);
	if (rc != LS_EFORK)
		rc = ls_errf(e, LS_EINVAL,
		             "fork proof: not two different documents at one "
		             "feed position");
	else if (memcmp(info[0].hash, info[1].hash, LS_HASH_BYTES) > 0)
		rc = ls_errf(e, LS_EDECODE,
		             "fork proof: documents not in hash order");
	else
		rc = LS_OK;
	if (rc == LS_OK) {
		memcpy(out->origin, d[0].hdr.origin, LS_NODE_ID_SIZE);
		out->seq = d[0].hdr.seq;
		memcpy(out->hash_a, info[0].hash, LS_HASH_BYTES);
		memcpy(out->hash_b, info[1].hash, LS_HASH_BYTES);
	}
	proto_doc_fini(&d[0]);
	proto_doc_fini(&d[1]);
	return rc;
}
