/*
 * Sessions: sealing and opening requests and replies.
 *
 * Frames (PROTOCOL.md, "Sessions"):
 *   request  [1, 1, sender_kid, recipient_kid, ts, nonce, E, ct]
 *   reply    [1, 2, sender_kid, recipient_kid, nonce, F, ct]
 *   refusal  [1, 3, code, server_time]
 * The associated data of the AEAD is the frame's exact bytes in front of
 * the ciphertext field, so every header field is authenticated as
 * received, never re-encoded.
 *
 * Keys (X_* are X25519 public keys, x_* secrets; C client, S server):
 *   es = X25519(e, X_S)   ss = X25519(x_C, X_S)
 *   k_req = BLAKE2b-256("lokaal-signaal/session/1/req" || es || ss ||
 *                       X_C || X_S || E)
 *   ee = X25519(f, E)     se = X25519(f, X_C)
 *   k_rep = BLAKE2b-256("lokaal-signaal/session/1/rep" || k_req || ee ||
 *                       se || F)
 * ss authenticates the client to the server (only C or S can compute
 * it), es the server to the client; the ephemerals make every request key
 * fresh, and ee gives the reply (which carries the documents) forward
 * secrecy. An all-zero X25519 output (a low-order point) is refused.
 *
 * Failure modes: every check runs before any allocation that outlives the
 * call; secrets on the stack are wiped on every path.
 */
#include "proto/session.h"
#include "common/alloc.h"
#include "common/text.h"
#include "proto/mp.h"
#include "proto/sync.h"

#include <sodium.h>
#include <string.h>

#define X_BYTES crypto_scalarmult_curve25519_BYTES
#define K_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define LABEL_REQ "lokaal-signaal/session/1/req"
#define LABEL_REP "lokaal-signaal/session/1/rep"

struct proto_session_self {
	uint8_t key_id[LS_KEY_ID_BYTES];
	uint8_t x_pk[X_BYTES];
	uint8_t x_sk[X_BYTES];
};

struct proto_session_call {
	uint8_t self_kid[LS_KEY_ID_BYTES];
	uint8_t peer_kid[LS_KEY_ID_BYTES];
	uint8_t nonce[LS_SESSION_NONCE_BYTES];
	uint8_t e_sk[X_BYTES];
	uint8_t x_sk[X_BYTES]; /* the client's static secret, for se */
	uint8_t k_req[K_BYTES];
};

struct proto_session_reply {
	uint8_t self_kid[LS_KEY_ID_BYTES];
	uint8_t peer_kid[LS_KEY_ID_BYTES];
	uint8_t nonce[LS_SESSION_NONCE_BYTES];
	uint8_t e_pk[X_BYTES];   /* the client's ephemeral E */
	uint8_t peer_x[X_BYTES]; /* the client's static X_C */
	uint8_t k_req[K_BYTES];
};

/* A decoded frame (pointers into the message). */
struct frame {
	uint8_t kind;
	const uint8_t *sender, *recipient, *nonce, *eph;
	int64_t ts;
	const uint8_t *ct;
	size_t ct_len;
	size_t ad_len;
	uint64_t code; /* refusal */
};

static void *secret_alloc(size_t size)
{
	void *p;
	if (sodium_init() < 0)
		return NULL;
	p = sodium_malloc(size);
	if (p != NULL)
		sodium_memzero(p, size);
	return p;
}

int proto_session_self_new(const struct ls_keypair *kp,
                           struct proto_session_self **out)
{
	struct proto_session_self *s = secret_alloc(sizeof *s);
	if (s == NULL)
		return LS_ENOMEM;
	memcpy(s->key_id, kp->key_id, LS_KEY_ID_BYTES);
	if (crypto_sign_ed25519_sk_to_curve25519(s->x_sk, kp->sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(s->x_pk, kp->pk) != 0) {
		sodium_free(s);
		return LS_EKEY;
	}
	*out = s;
	return LS_OK;
}

void proto_session_self_free(struct proto_session_self *self)
{
	if (self != NULL)
		sodium_free(self);
}

void proto_session_call_free(struct proto_session_call *call)
{
	if (call != NULL)
		sodium_free(call);
}

void proto_session_reply_free(struct proto_session_reply *reply)
{
	if (reply != NULL)
		sodium_free(reply);
}

static void kdf_req(uint8_t k[K_BYTES], const uint8_t es[X_BYTES],
                    const uint8_t ss[X_BYTES], const uint8_t x_c[X_BYTES],
                    const uint8_t x_s[X_BYTES], const uint8_t e_pk[X_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, K_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)LABEL_REQ,
	                          sizeof LABEL_REQ - 1);
	crypto_generichash_update(&st, es, X_BYTES);
	crypto_generichash_update(&st, ss, X_BYTES);
	crypto_generichash_update(&st, x_c, X_BYTES);
	crypto_generichash_update(&st, x_s, X_BYTES);
	crypto_generichash_update(&st, e_pk, X_BYTES);
	crypto_generichash_final(&st, k, K_BYTES);
	sodium_memzero(&st, sizeof st);
}

static void kdf_rep(uint8_t k[K_BYTES], const uint8_t k_req[K_BYTES],
                    const uint8_t ee[X_BYTES], const uint8_t se[X_BYTES],
                    const uint8_t f_pk[X_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, K_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)LABEL_REP,
	                          sizeof LABEL_REP - 1);
	crypto_generichash_update(&st, k_req, K_BYTES);
	crypto_generichash_update(&st, ee, X_BYTES);
	crypto_generichash_update(&st, se, X_BYTES);
	crypto_generichash_update(&st, f_pk, X_BYTES);
	crypto_generichash_final(&st, k, K_BYTES);
	sodium_memzero(&st, sizeof st);
}

/* Append the ciphertext of plain under k (AD = everything written so
 * far) as a bin, and hand out the frame. */
static int frame_finish(struct mp_writer *w, const uint8_t k[K_BYTES],
                        const uint8_t nonce[LS_SESSION_NONCE_BYTES],
                        const uint8_t *plain, size_t len, uint8_t **out,
                        size_t *out_len)
{
	unsigned long long ct_len;
	uint8_t *ct;
	int rc;

	if (w->err != LS_OK) {
		rc = w->err;
		proto_mp_writer_fini(w);
		return rc;
	}
	ct = ls_malloc(len + TAG_BYTES);
	if (ct == NULL) {
		proto_mp_writer_fini(w);
		return LS_ENOMEM;
	}
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	        ct, &ct_len, plain, len, w->buf, w->len, NULL, nonce, k) != 0) {
		ls_free(ct);
		proto_mp_writer_fini(w);
		return LS_ECRYPTO;
	}
	proto_mp_write_bin(w, ct, (size_t)ct_len);
	ls_free(ct);
	return proto_mp_writer_finish(w, out, out_len);
}

int proto_session_seal_request_with(const struct proto_session_self *self,
                                    const uint8_t peer_key_id[LS_KEY_ID_BYTES],
                                    const uint8_t peer_pk[LS_PUBKEY_BYTES],
                                    int64_t now, const uint8_t *plain,
                                    size_t len, const uint8_t eph_sk[32],
                                    const uint8_t nonce[LS_SESSION_NONCE_BYTES],
                                    uint8_t **out, size_t *out_len,
                                    struct proto_session_call **call_out)
{
	uint8_t peer_x[X_BYTES], e_pk[X_BYTES], es[X_BYTES], ss[X_BYTES];
	struct proto_session_call *call;
	struct mp_writer w;
	int rc = LS_OK;

	if (len > LS_SYNC_MSG_MAX)
		return LS_ELIMIT;
	if (crypto_sign_ed25519_pk_to_curve25519(peer_x, peer_pk) != 0)
		return LS_EKEY;
	call = secret_alloc(sizeof *call);
	if (call == NULL)
		return LS_ENOMEM;
	memcpy(call->self_kid, self->key_id, LS_KEY_ID_BYTES);
	memcpy(call->peer_kid, peer_key_id, LS_KEY_ID_BYTES);
	memcpy(call->nonce, nonce, LS_SESSION_NONCE_BYTES);
	memcpy(call->e_sk, eph_sk, X_BYTES);
	memcpy(call->x_sk, self->x_sk, X_BYTES);
	if (crypto_scalarmult_base(e_pk, call->e_sk) != 0 ||
	    crypto_scalarmult(es, call->e_sk, peer_x) != 0 ||
	    crypto_scalarmult(ss, self->x_sk, peer_x) != 0) {
		rc = LS_EKEY;
		goto out;
	}
	kdf_req(call->k_req, es, ss, self->x_pk, peer_x, e_pk);

	proto_mp_writer_init(&w, LS_SESSION_MSG_MAX);
	proto_mp_write_array(&w, 8);
	proto_mp_write_uint(&w, LS_FORMAT_VERSION);
	proto_mp_write_uint(&w, LS_SESSION_REQUEST);
	proto_mp_write_bin(&w, self->key_id, LS_KEY_ID_BYTES);
	proto_mp_write_bin(&w, peer_key_id, LS_KEY_ID_BYTES);
	proto_mp_write_int(&w, now);
	proto_mp_write_bin(&w, nonce, LS_SESSION_NONCE_BYTES);
	proto_mp_write_bin(&w, e_pk, X_BYTES);
	rc = frame_finish(&w, call->k_req, nonce, plain, len, out, out_len);
out:
	sodium_memzero(es, sizeof es);
	sodium_memzero(ss, sizeof ss);
	if (rc != LS_OK) {
		sodium_free(call);
		return rc;
	}
	*call_out = call;
	return LS_OK;
}

int proto_session_seal_request(const struct proto_session_self *self,
                               const uint8_t peer_key_id[LS_KEY_ID_BYTES],
                               const uint8_t peer_pk[LS_PUBKEY_BYTES],
                               int64_t now, const uint8_t *plain, size_t len,
                               uint8_t **out, size_t *out_len,
                               struct proto_session_call **call)
{
	uint8_t e_sk[X_BYTES], nonce[LS_SESSION_NONCE_BYTES];
	int rc;
	if (sodium_init() < 0)
		return LS_ECRYPTO;
	randombytes_buf(e_sk, sizeof e_sk);
	randombytes_buf(nonce, sizeof nonce);
	rc = proto_session_seal_request_with(self, peer_key_id, peer_pk, now,
	                                     plain, len, e_sk, nonce, out,
	                                     out_len, call);
	sodium_memzero(e_sk, sizeof e_sk);
	return rc;
}

/* A request frame's header after version and kind: sender, recipient,
 * timestamp, nonce, ephemeral key; n is the frame's array length. */
static int frame_request_header(struct mp_reader *r, uint32_t n,
                                struct frame *f, struct ls_errinfo *e)
{
	if (n != 8 || proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &f->sender) ||
	    proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &f->recipient) ||
	    proto_mp_read_int(r, INT64_MIN, INT64_MAX, &f->ts) ||
	    proto_mp_read_bin_exact(r, LS_SESSION_NONCE_BYTES, &f->nonce) ||
	    proto_mp_read_bin_exact(r, X_BYTES, &f->eph))
		return ls_errf(e, LS_EDECODE,
		               "session: malformed request header "
		               "(byte %zu)",
		               proto_mp_offset(r));
	return LS_OK;
}

/* A reply frame's header: sender, recipient, nonce, ephemeral key. */
static int frame_reply_header(struct mp_reader *r, uint32_t n, struct frame *f,
                              struct ls_errinfo *e)
{
	if (n != 7 || proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &f->sender) ||
	    proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &f->recipient) ||
	    proto_mp_read_bin_exact(r, LS_SESSION_NONCE_BYTES, &f->nonce) ||
	    proto_mp_read_bin_exact(r, X_BYTES, &f->eph))
		return ls_errf(e, LS_EDECODE,
		               "session: malformed reply header (byte "
		               "%zu)",
		               proto_mp_offset(r));
	return LS_OK;
}

/*
 * Decode a frame's structure and exact lengths. The ciphertext must be
 * last, so ad_len is the offset of its bin header.
 */
static int frame_decode(const uint8_t *msg, size_t len, struct frame *f,
                        struct ls_errinfo *e)
{
	struct mp_reader r;
	uint64_t version, kind;
	uint32_t n;
	int rc;

	if (len > LS_SESSION_MSG_MAX)
		return ls_errf(e, LS_ELIMIT, "session: %zu bytes, limit %d",
		               len, LS_SESSION_MSG_MAX);
	memset(f, 0, sizeof *f);
	proto_mp_reader_init(&r, msg, len);
	if ((rc = proto_mp_read_array(&r, 8, 1, &n)) != LS_OK ||
	    (rc = proto_mp_read_uint(&r, 0, 255, &version)) != LS_OK ||
	    (rc = proto_mp_read_uint(&r, 0, 255, &kind)) != LS_OK)
		return ls_errf(e, rc == LS_ELIMIT ? LS_EDECODE : rc,
		               "session: not a frame");
	if (version != LS_FORMAT_VERSION)
		return ls_errf(e, LS_EDECODE, "session: unsupported version %u",
		               (unsigned)version);
	f->kind = (uint8_t)kind;
	switch (kind) {
	case LS_SESSION_REQUEST:
		if ((rc = frame_request_header(&r, n, f, e)) != LS_OK)
			return rc;
		break;
	case LS_SESSION_REPLY:
		if ((rc = frame_reply_header(&r, n, f, e)) != LS_OK)
			return rc;
		break;
	case LS_SESSION_REFUSAL:
		if (n != 4 || proto_mp_read_uint(&r, 1, UINT16_MAX, &f->code) ||
		    proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &f->ts) ||
		    proto_mp_read_end(&r))
			return ls_errf(e, LS_EDECODE,
			               "session: malformed refusal");
		return LS_OK;
	default:
		return ls_errf(e, LS_EDECODE, "session: unknown frame kind %u",
		               (unsigned)kind);
	}
	f->ad_len = proto_mp_offset(&r);
	rc = proto_mp_read_bin(&r, LS_SYNC_MSG_MAX + TAG_BYTES, &f->ct,
	                       &f->ct_len);
	if (rc != LS_OK)
		return ls_errf(e, rc, "session: ciphertext: %s",
		               ls_strerror(rc));
	if (f->ct_len < TAG_BYTES)
		return ls_errf(e, LS_EDECODE, "session: ciphertext too short");
	if (proto_mp_read_end(&r) != LS_OK)
		return ls_errf(e, LS_EDECODE, "session: %zu trailing bytes",
		               proto_mp_left(&r));
	return LS_OK;
}

/* AEAD open into a new buffer. */
static int open_ct(const struct frame *f, const uint8_t *msg,
                   const uint8_t k[K_BYTES],
                   const uint8_t nonce[LS_SESSION_NONCE_BYTES], uint8_t **plain,
                   size_t *plain_len)
{
	unsigned long long n;
	uint8_t *p = ls_malloc(f->ct_len - TAG_BYTES);
	if (p == NULL)
		return LS_ENOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	        p, &n, NULL, f->ct, f->ct_len, msg, f->ad_len, nonce, k) != 0) {
		ls_free(p);
		return LS_ESIG;
	}
	*plain = p;
	*plain_len = (size_t)n;
	return LS_OK;
}

int proto_session_open_request(const struct proto_session_self *self,
                               const struct ls_roster *roster, int64_t now,
                               const uint8_t *msg, size_t len,
                               struct ls_session_request *info, uint8_t **plain,
                               size_t *plain_len,
                               struct proto_session_reply **reply_out,
                               struct ls_errinfo *e)
{
	struct frame f;
	struct ls_key_ref ref;
	struct proto_session_reply *reply;
	uint8_t es[X_BYTES], ss[X_BYTES];
	char kid[LS_KEY_ID_HEX_SIZE];
	int rc;

	rc = frame_decode(msg, len, &f, e);
	if (rc != LS_OK)
		return rc;
	if (f.kind != LS_SESSION_REQUEST)
		return ls_errf(e, LS_EDECODE, "session: not a request");
	ls_hex_encode(f.sender, LS_KEY_ID_BYTES, kid);
	if (sodium_memcmp(f.recipient, self->key_id, LS_KEY_ID_BYTES) != 0)
		return ls_errf(e, LS_EDENIED,
		               "session: request from %s is for another node",
		               kid);
	if (f.ts < now - LS_SESSION_WINDOW || f.ts > now + LS_SESSION_WINDOW)
		return ls_errf(e, LS_EREPLAY,
		               "session: request from %s stamped %lld, outside "
		               "%d s of %lld",
		               kid, (long long)f.ts, LS_SESSION_WINDOW,
		               (long long)now);
	if (proto_roster_find_key(roster, f.sender, &ref) != LS_OK)
		return ls_errf(e, LS_EKEY,
		               "session: key %s is not in the roster", kid);
	rc = proto_key_check_session(&ref, now);
	if (rc != LS_OK)
		return ls_errf(e, rc, "session: key %s may not connect: %s",
		               kid, ls_strerror(rc));

	reply = secret_alloc(sizeof *reply);
	if (reply == NULL)
		return ls_errf(e, LS_ENOMEM, "session: no memory");
	memcpy(reply->self_kid, self->key_id, LS_KEY_ID_BYTES);
	memcpy(reply->peer_kid, f.sender, LS_KEY_ID_BYTES);
	memcpy(reply->nonce, f.nonce, LS_SESSION_NONCE_BYTES);
	memcpy(reply->e_pk, f.eph, X_BYTES);
	if (crypto_sign_ed25519_pk_to_curve25519(reply->peer_x, ref.key->pk) !=
	        0 ||
	    crypto_scalarmult(es, self->x_sk, f.eph) != 0 ||
	    crypto_scalarmult(ss, self->x_sk, reply->peer_x) != 0) {
		rc = ls_errf(e, LS_ESIG, "session: bad key exchange from %s",
		             kid);
		goto out;
	}
	kdf_req(reply->k_req, es, ss, reply->peer_x, self->x_pk, f.eph);
	rc = open_ct(&f, msg, reply->k_req, f.nonce, plain, plain_len);
	if (rc == LS_ESIG)
		ls_errf(e, rc,
		        "session: request from %s failed to "
		        "authenticate",
		        kid);
	else if (rc != LS_OK)
		ls_errf(e, rc, "session: %s", ls_strerror(rc));
out:
	sodium_memzero(es, sizeof es);
	sodium_memzero(ss, sizeof ss);
	if (rc != LS_OK) {
		sodium_free(reply);
		return rc;
	}
	memcpy(info->sender_key_id, f.sender, LS_KEY_ID_BYTES);
	memcpy(info->sender, ref.member->node_id, LS_NODE_ID_SIZE);
	info->ts = f.ts;
	memcpy(info->nonce, f.nonce, LS_SESSION_NONCE_BYTES);
	crypto_generichash(info->digest, sizeof info->digest, msg, len, NULL,
	                   0);
	*reply_out = reply;
	return LS_OK;
}

int proto_session_seal_reply_with(const struct proto_session_reply *reply,
                                  const uint8_t *plain, size_t len,
                                  const uint8_t eph_sk[32], uint8_t **out,
                                  size_t *out_len)
{
	uint8_t f_pk[X_BYTES], ee[X_BYTES], se[X_BYTES], k[K_BYTES];
	struct mp_writer w;
	int rc;

	if (len > LS_SYNC_MSG_MAX)
		return LS_ELIMIT;
	if (crypto_scalarmult_base(f_pk, eph_sk) != 0 ||
	    crypto_scalarmult(ee, eph_sk, reply->e_pk) != 0 ||
	    crypto_scalarmult(se, eph_sk, reply->peer_x) != 0) {
		rc = LS_ECRYPTO;
		goto out;
	}
	kdf_rep(k, reply->k_req, ee, se, f_pk);
	proto_mp_writer_init(&w, LS_SESSION_MSG_MAX);
	proto_mp_write_array(&w, 7);
	proto_mp_write_uint(&w, LS_FORMAT_VERSION);
	proto_mp_write_uint(&w, LS_SESSION_REPLY);
	proto_mp_write_bin(&w, reply->self_kid, LS_KEY_ID_BYTES);
	proto_mp_write_bin(&w, reply->peer_kid, LS_KEY_ID_BYTES);
	proto_mp_write_bin(&w, reply->nonce, LS_SESSION_NONCE_BYTES);
	proto_mp_write_bin(&w, f_pk, X_BYTES);
	rc = frame_finish(&w, k, reply->nonce, plain, len, out, out_len);
out:
	sodium_memzero(ee, sizeof ee);
	sodium_memzero(se, sizeof se);
	sodium_memzero(k, sizeof k);
	return rc;
}

int proto_session_seal_reply(const struct proto_session_reply *reply,
                             const uint8_t *plain, size_t len, uint8_t **out,
                             size_t *out_len)
{
	uint8_t f_sk[X_BYTES];
	int rc;
	randombytes_buf(f_sk, sizeof f_sk);
	rc = proto_session_seal_reply_with(reply, plain, len, f_sk, out,
	                                   out_len);
	sodium_memzero(f_sk, sizeof f_sk);
	return rc;
}

int proto_session_open_reply(const struct proto_session_call *call,
                             const uint8_t *msg, size_t len, uint8_t **plain,
                             size_t *plain_len, struct ls_errinfo *e)
{
	struct frame f;
	uint8_t ee[X_BYTES], se[X_BYTES], k[K_BYTES];
	int rc = frame_decode(msg, len, &f, e);
	if (rc != LS_OK)
		return rc;
	if (f.kind == LS_SESSION_REFUSAL) {
		int code = proto_wire_code_to_err((uint16_t)f.code);
		if (code == LS_OK)
			code = LS_EINTERNAL;
		return ls_errf(e, code,
		               "session: the peer refused the request: %s "
		               "(unauthenticated; peer clock %lld)",
		               ls_errname(code), (long long)f.ts);
	}
	if (f.kind != LS_SESSION_REPLY)
		return ls_errf(e, LS_EDECODE, "session: not a reply");
	if (sodium_memcmp(f.sender, call->peer_kid, LS_KEY_ID_BYTES) != 0 ||
	    sodium_memcmp(f.recipient, call->self_kid, LS_KEY_ID_BYTES) != 0 ||
	    sodium_memcmp(f.nonce, call->nonce, LS_SESSION_NONCE_BYTES) != 0)
		return ls_errf(e, LS_EDENIED,
		               "session: the reply is not for this request");
	if (crypto_scalarmult(ee, call->e_sk, f.eph) != 0 ||
	    crypto_scalarmult(se, call->x_sk, f.eph) != 0) {
		rc = ls_errf(e, LS_ESIG, "session: bad key exchange in reply");
		goto out;
	}
	{
		uint8_t f_pk[X_BYTES];
		memcpy(f_pk, f.eph, X_BYTES);
		kdf_rep(k, call->k_req, ee, se, f_pk);
	}
	rc = open_ct(&f, msg, k, call->nonce, plain, plain_len);
	if (rc == LS_ESIG)
		ls_errf(e, rc, "session: reply failed to authenticate");
	else if (rc != LS_OK)
		ls_errf(e, rc, "session: %s", ls_strerror(rc));
out:
	sodium_memzero(ee, sizeof ee);
	sodium_memzero(se, sizeof se);
	sodium_memzero(k, sizeof k);
	return rc;
}

int proto_session_encode_refusal(int code, int64_t now, uint8_t **out,
                                 size_t *out_len)
{
	struct mp_writer w;
	uint16_t wire = proto_wire_code(code);
	proto_mp_writer_init(&w, 64);
	proto_mp_write_array(&w, 4);
	proto_mp_write_uint(&w, LS_FORMAT_VERSION);
	proto_mp_write_uint(&w, LS_SESSION_REFUSAL);
	proto_mp_write_uint(&w,
	                    wire == 0 ? proto_wire_code(LS_EINTERNAL) : wire);
	proto_mp_write_int(&w, now);
	return proto_mp_writer_finish(&w, out, out_len);
}

int proto_session_frame_kind(const uint8_t *msg, size_t len)
{
	struct mp_reader r;
	uint32_t n;
	uint64_t version, kind;
	proto_mp_reader_init(&r, msg, len);
	if (proto_mp_read_array(&r, 8, 1, &n) != LS_OK ||
	    proto_mp_read_uint(&r, 0, 255, &version) != LS_OK ||
	    proto_mp_read_uint(&r, 1, LS_SESSION_REFUSAL, &kind) != LS_OK ||
	    version != LS_FORMAT_VERSION)
		return 0;
	return (int)kind;
}
