/*
 * The envelope of a document (PROTOCOL.md, "Envelope"): a msgpack array
 *   [version, alg, key_id (bin 8), payload (bin), sig (bin 64)]
 * whose signature covers the signing input
 *   "lokaal-signaal/doc/1" || u8 version || u8 alg || key_id || payload
 * (the context string is 20 ASCII bytes, no terminator). The payload is
 * carried and verified as the exact bytes received; it is never
 * re-encoded.
 *
 * Decoding returns pointers into the caller's buffer (zero copy): the
 * envelope lives as long as that buffer.
 */
#ifndef LS_PROTO_ENVELOPE_H
#define LS_PROTO_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/key.h"
#include "proto/limits.h"

#define LS_DOC_SIG_CONTEXT "lokaal-signaal/doc/1"
#define LS_DOC_SIG_CONTEXT_LEN 20
#define LS_DOC_SIG_PREFIX_LEN (LS_DOC_SIG_CONTEXT_LEN + 2 + LS_KEY_ID_BYTES)

struct ls_envelope {
	uint8_t version;
	uint8_t alg;
	uint8_t key_id[LS_KEY_ID_BYTES];
	const uint8_t *payload; /* into the decoded buffer */
	size_t payload_len;
	size_t payload_off; /* offset of the payload in that buffer */
	uint8_t sig[LS_SIG_BYTES];
};

/* Structure, exact lengths, no trailing bytes (LS_EDECODE, LS_ELIMIT),
 * then version and algorithm (LS_EDECODE). *env untouched on failure. */
int proto_envelope_decode(const uint8_t *buf, size_t len,
                          struct ls_envelope *env, struct ls_errinfo *e);

/* Sign payload with kp and encode the envelope; *out is the caller's.
 * LS_ELIMIT (payload too large or empty), LS_ENOMEM, LS_ECRYPTO. */
int proto_envelope_sign(const struct ls_keypair *kp, const uint8_t *payload,
                        size_t len, uint8_t **out, size_t *out_len);

/* Encode an envelope from its parts (used to build test vectors, e.g. a
 * signature that does not match). */
int proto_envelope_encode(uint8_t version, uint8_t alg,
                          const uint8_t key_id[LS_KEY_ID_BYTES],
                          const uint8_t *payload, size_t len,
                          const uint8_t sig[LS_SIG_BYTES], uint8_t **out,
                          size_t *out_len);

/* crypto_sign_verify_detached over the signing input with pk:
 * LS_OK, LS_ESIG, LS_ENOMEM. */
int proto_envelope_verify(const struct ls_envelope *env,
                          const uint8_t pk[LS_PUBKEY_BYTES]);

#endif
