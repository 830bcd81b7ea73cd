/*
 * fuzz_secagg: the secure-aggregation message decoder (proto/secagg_msg).
 *
 * Two paths per input: the input as a whole message (envelope decoding,
 * key id and signature checks; proto_secagg_msg_peek too), and the input
 * as a payload that a fixed key signs (for each message type), so that
 * the strict payload decoder behind the signature check is reached.
 * Whatever decodes must re-encode (sign) without error.
 */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/mp.h"
#include "proto/secagg_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ls_keypair *kp;

static void check(const uint8_t *buf, size_t len)
{
	struct ls_secagg_msg m;
	uint8_t type, kid[LS_KEY_ID_BYTES], *again;
	char signer[LS_NODE_ID_SIZE];
	size_t again_len;

	(void)proto_secagg_msg_peek(buf, len, &type, signer, kid, NULL);
	memset(&m, 0, sizeof m);
	if (proto_secagg_msg_verify(buf, len, kp->pk, &m, NULL) != LS_OK)
		return;
	if (proto_secagg_msg_sign(&m, kp, &again, &again_len, NULL) != LS_OK)
		abort(); /* decoded, so it must encode */
	ls_free(again);
	proto_secagg_msg_fini(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char signer[] = "gent";
	if (kp == NULL) {
		uint8_t seed[32] = {7};
		if (sodium_init() < 0 ||
		    proto_keypair_from_seed(seed, &kp) != LS_OK)
			abort();
	}
	check(data, size);
	if (size > LS_SECAGG_MSG_MAX - 512)
		return 0;
	/* The input as a payload of each type, signed. */
	for (uint8_t type = 1; type <= LS_SECAGG_TYPE_MAX_; type++) {
		size_t n = sizeof "lokaal-signaal/secagg/1" - 1 + 3 +
		           sizeof signer - 1 + LS_KEY_ID_BYTES + size;
		uint8_t *in = malloc(n + 1), *p = in, sig[64];
		struct mp_writer w;
		uint8_t *msg;
		size_t msg_len;
		if (in == NULL)
			abort();
		memcpy(p, "lokaal-signaal/secagg/1", 23);
		p += 23;
		*p++ = LS_SECAGG_VERSION;
		*p++ = type;
		*p++ = sizeof signer - 1;
		memcpy(p, signer, sizeof signer - 1);
		p += sizeof signer - 1;
		memcpy(p, kp->key_id, LS_KEY_ID_BYTES);
		p += LS_KEY_ID_BYTES;
		if (size > 0)
			memcpy(p, data, size);
		crypto_sign_detached(sig, NULL, in, n, kp->sk);
		free(in);
		proto_mp_writer_init(&w, LS_SECAGG_MSG_MAX);
		proto_mp_write_array(&w, 6);
		proto_mp_write_uint(&w, LS_SECAGG_VERSION);
		proto_mp_write_uint(&w, type);
		proto_mp_write_cstr(&w, signer);
		proto_mp_write_bin(&w, kp->key_id, LS_KEY_ID_BYTES);
		proto_mp_write_bin(&w, data, size);
		proto_mp_write_bin(&w, sig, sizeof sig);
		if (proto_mp_writer_finish(&w, &msg, &msg_len) != LS_OK)
			continue;
		check(msg, msg_len);
		ls_free(msg);
	}
	return 0;
}
