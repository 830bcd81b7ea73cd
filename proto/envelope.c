/*
 * Envelope: encode, sign, decode, verify.
 *
 * The signing input is built in one buffer (prefix + payload) because
 * libsodium's detached verify takes one contiguous message; the copy costs
 * about a microsecond for a typical summary, against ~80 us for the
 * curve arithmetic. A stack buffer serves payloads up to 4 KiB.
 */
#include "proto/envelope.h"
#include "common/alloc.h"
#include "proto/mp.h"

#include <sodium.h>
#include <string.h>

#define STACK_INPUT 4096

static void prefix_fill(uint8_t *p, uint8_t version, uint8_t alg,
                        const uint8_t key_id[LS_KEY_ID_BYTES])
{
	memcpy(p, LS_DOC_SIG_CONTEXT, LS_DOC_SIG_CONTEXT_LEN);
	p[LS_DOC_SIG_CONTEXT_LEN] = version;
	p[LS_DOC_SIG_CONTEXT_LEN + 1] = alg;
	memcpy(p + LS_DOC_SIG_CONTEXT_LEN + 2, key_id, LS_KEY_ID_BYTES);
}

/* The signing input in buf (stack) or a new heap buffer (*heap). */
static uint8_t *input_build(uint8_t *stack, uint8_t **heap, uint8_t version,
                            uint8_t alg, const uint8_t *key_id,
                            const uint8_t *payload, size_t len)
{
	uint8_t *in = stack;
	*heap = NULL;
	if (LS_DOC_SIG_PREFIX_LEN + len > STACK_INPUT) {
		in = *heap = ls_malloc(LS_DOC_SIG_PREFIX_LEN + len);
		if (in == NULL)
			return NULL;
	}
	prefix_fill(in, version, alg, key_id);
	memcpy(in + LS_DOC_SIG_PREFIX_LEN, payload, len);
	return in;
}

int proto_envelope_decode(const uint8_t *buf, size_t len,
                          struct ls_envelope *env, struct ls_errinfo *e)
{
	struct mp_reader rd, *r = &rd;
	struct ls_envelope out;
	uint64_t version, alg;
	const uint8_t *b;
	int rc;

	if (len > LS_ENVELOPE_MAX)
		return ls_errf(e, LS_ELIMIT, "envelope: %zu bytes, limit %d",
		               len, LS_ENVELOPE_MAX);
	proto_mp_reader_init(r, buf, len);
	/* 1. structure and exact lengths */
	if ((rc = proto_mp_read_array_exact(r, 5)) != LS_OK ||
	    (rc = proto_mp_read_uint(r, 0, 255, &version)) != LS_OK ||
	    (rc = proto_mp_read_uint(r, 0, 255, &alg)) != LS_OK)
		return ls_errf(e, rc, "envelope: header: %s (byte %zu)",
		               ls_strerror(rc), proto_mp_offset(r));
	if ((rc = proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &b)) != LS_OK)
		return ls_errf(e, rc, "envelope: key id: %s", ls_strerror(rc));
	memcpy(out.key_id, b, LS_KEY_ID_BYTES);
	out.payload_off = proto_mp_offset(r);
	if ((rc = proto_mp_read_bin(r, LS_PAYLOAD_MAX, &out.payload,
	                            &out.payload_len)) != LS_OK)
		return ls_errf(e, rc, "envelope: payload: %s", ls_strerror(rc));
	out.payload_off = (size_t)(out.payload - buf);
	if (out.payload_len == 0)
		return ls_errf(e, LS_EDECODE, "envelope: empty payload");
	if ((rc = proto_mp_read_bin_exact(r, LS_SIG_BYTES, &b)) != LS_OK)
		return ls_errf(e, rc, "envelope: signature: %s",
		               ls_strerror(rc));
	memcpy(out.sig, b, LS_SIG_BYTES);
	if (proto_mp_read_end(r) != LS_OK)
		return ls_errf(e, LS_EDECODE, "envelope: %zu trailing bytes",
		               proto_mp_left(r));
	/* 2. format version and algorithm */
	if (version != LS_FORMAT_VERSION || alg != LS_ALG_ED25519)
		return ls_errf(e, LS_EDECODE,
		               "envelope: unsupported version %u or algorithm "
		               "%u",
		               (unsigned)version, (unsigned)alg);
	out.version = (uint8_t)version;
	out.alg = (uint8_t)alg;
	*env = out;
	return LS_OK;
}

int proto_envelope_encode(uint8_t version, uint8_t alg,
                          const uint8_t key_id[LS_KEY_ID_BYTES],
                          const uint8_t *payload, size_t len,
                          const uint8_t sig[LS_SIG_BYTES], uint8_t **out,
                          size_t *out_len)
{
	struct mp_writer w;
	if (len == 0 || len > LS_PAYLOAD_MAX)
		return LS_ELIMIT;
	proto_mp_writer_init(&w, LS_ENVELOPE_MAX);
	proto_mp_write_array(&w, 5);
	proto_mp_write_uint(&w, version);
	proto_mp_write_uint(&w, alg);
	proto_mp_write_bin(&w, key_id, LS_KEY_ID_BYTES);
	proto_mp_write_bin(&w, payload, len);
	proto_mp_write_bin(&w, sig, LS_SIG_BYTES);
	return proto_mp_writer_finish(&w, out, out_len);
}

int proto_envelope_sign(const struct ls_keypair *kp, const uint8_t *payload,
                        size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t stack[STACK_INPUT], *heap, *in;
	uint8_t sig[LS_SIG_BYTES];
	int rc;

	if (len == 0 || len > LS_PAYLOAD_MAX)
		return LS_ELIMIT;
	in = input_build(stack, &heap, LS_FORMAT_VERSION, LS_ALG_ED25519,
	                 kp->key_id, payload, len);
	if (in == NULL)
		return LS_ENOMEM;
	rc = crypto_sign_detached(sig, NULL, in, LS_DOC_SIG_PREFIX_LEN + len,
	                          kp->sk) == 0
	         ? LS_OK
	         : LS_ECRYPTO;
	ls_free(heap);
	if (rc != LS_OK)
		return rc;
	return proto_envelope_encode(LS_FORMAT_VERSION, LS_ALG_ED25519,
	                             kp->key_id, payload, len, sig, out,
	                             out_len);
}

int proto_envelope_verify(const struct ls_envelope *env,
                          const uint8_t pk[LS_PUBKEY_BYTES])
{
	uint8_t stack[STACK_INPUT], *heap, *in;
	int ok;
	in = input_build(stack, &heap, env->version, env->alg, env->key_id,
	                 env->payload, env->payload_len);
	if (in == NULL)
		return LS_ENOMEM;
	ok = crypto_sign_verify_detached(
	         env->sig, in, LS_DOC_SIG_PREFIX_LEN + env->payload_len, pk) ==
	     0;
	ls_free(heap);
	return ok ? LS_OK : LS_ESIG;
}
