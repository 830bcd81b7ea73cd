/*
 * Secure aggregation cryptography: derivations, X25519 pair seeds, mask
 * streams, masking and unmasking (proto/secagg.h).
 *
 * Happy path of a participant: proto_secagg_ephemeral() gives the round's
 * key; with the verified key set, proto_secagg_mask() adds the self-mask
 * and one XChaCha20 stream per peer. Of the aggregator:
 * proto_secagg_unmask() subtracts what the survivors revealed. Failure
 * modes: a low-order peer key (X25519 output all zero) is LS_ECRYPTO; a
 * key set out of order or a reveal that does not name exactly the dropped
 * members is LS_EINVAL. Every derived secret is wiped before returning.
 */
#include "proto/secagg.h"
#include "proto/field.h"

#include <sodium.h>
#include <string.h>

#define CHUNK_WORDS 512 /* 4 KiB of key stream at a time */

void proto_secagg_derive(const uint8_t secret[LS_SECAGG_SECRET_BYTES],
                         const uint8_t round_id[LS_SECAGG_ID_BYTES],
                         enum ls_secagg_purpose purpose,
                         uint8_t out[LS_SECAGG_SEED_BYTES])
{
	static const char tag[] = "ls-secagg-derive-v1";
	crypto_generichash_state h;
	uint8_t p = (uint8_t)purpose;

	crypto_generichash_init(&h, secret, LS_SECAGG_SECRET_BYTES,
	                        LS_SECAGG_SEED_BYTES);
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag - 1);
	crypto_generichash_update(&h, &p, 1);
	crypto_generichash_update(&h, round_id, LS_SECAGG_ID_BYTES);
	crypto_generichash_final(&h, out, LS_SECAGG_SEED_BYTES);
	sodium_memzero(&h, sizeof h);
}

int proto_secagg_ephemeral(const uint8_t secret[LS_SECAGG_SECRET_BYTES],
                           const uint8_t round_id[LS_SECAGG_ID_BYTES],
                           uint8_t sk[LS_X25519_BYTES],
                           uint8_t pk[LS_X25519_BYTES])
{
	proto_secagg_derive(secret, round_id, LS_SECAGG_EPHEMERAL, sk);
	if (crypto_scalarmult_base(pk, sk) != 0) {
		sodium_memzero(sk, LS_X25519_BYTES);
		return LS_ECRYPTO;
	}
	return LS_OK;
}

int proto_secagg_pair_sign(const char *a, const char *b)
{
	return strcmp(a, b) < 0 ? 1 : -1;
}

static void hash_id(crypto_generichash_state *h, const char *id)
{
	uint8_t n = (uint8_t)strlen(id);
	crypto_generichash_update(h, &n, 1);
	crypto_generichash_update(h, (const uint8_t *)id, n);
}

int proto_secagg_pair_seed(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                           const char *my_id,
                           const uint8_t my_sk[LS_X25519_BYTES],
                           const uint8_t my_pk[LS_X25519_BYTES],
                           const char *peer_id,
                           const uint8_t peer_pk[LS_X25519_BYTES],
                           uint8_t seed[LS_SECAGG_SEED_BYTES])
{
	static const char tag[] = "ls-secagg-pair-v1";
	uint8_t shared[crypto_scalarmult_BYTES];
	crypto_generichash_state h;
	int lo_is_me;

	if (!proto_field_node_id_valid(my_id,
	                               strnlen(my_id, LS_NODE_ID_SIZE)) ||
	    !proto_field_node_id_valid(peer_id,
	                               strnlen(peer_id, LS_NODE_ID_SIZE)) ||
	    strcmp(my_id, peer_id) == 0)
		return LS_EINVAL;
	/* libsodium refuses (returns -1) when the result is all zero, i.e.
	 * a low-order point that would make the seed public. */
	if (crypto_scalarmult(shared, my_sk, peer_pk) != 0)
		return LS_ECRYPTO;
	lo_is_me = strcmp(my_id, peer_id) < 0;
	crypto_generichash_init(&h, shared, sizeof shared,
	                        LS_SECAGG_SEED_BYTES);
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof tag - 1);
	crypto_generichash_update(&h, round_id, LS_SECAGG_ID_BYTES);
	hash_id(&h, lo_is_me ? my_id : peer_id);
	crypto_generichash_update(&h, lo_is_me ? my_pk : peer_pk,
	                          LS_X25519_BYTES);
	hash_id(&h, lo_is_me ? peer_id : my_id);
	crypto_generichash_update(&h, lo_is_me ? peer_pk : my_pk,
	                          LS_X25519_BYTES);
	crypto_generichash_final(&h, seed, LS_SECAGG_SEED_BYTES);
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(&h, sizeof h);
	return LS_OK;
}

/* The 24-byte XChaCha20 nonce of a mask: BLAKE2b-192 of a kind tag and
 * the round id. */
static void mask_nonce(const char *kind,
                       const uint8_t round_id[LS_SECAGG_ID_BYTES],
                       uint8_t nonce[crypto_stream_xchacha20_NONCEBYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0,
	                        crypto_stream_xchacha20_NONCEBYTES);
	crypto_generichash_update(&h, (const uint8_t *)kind, strlen(kind));
	crypto_generichash_update(&h, round_id, LS_SECAGG_ID_BYTES);
	crypto_generichash_final(&h, nonce, crypto_stream_xchacha20_NONCEBYTES);
}

static void mask_apply(const char *kind, const uint8_t seed[32],
                       const uint8_t round_id[LS_SECAGG_ID_BYTES], int sign,
                       uint64_t *vec, size_t n)
{
	static const uint8_t zero[CHUNK_WORDS * 8];
	uint8_t nonce[crypto_stream_xchacha20_NONCEBYTES];
	uint8_t buf[CHUNK_WORDS * 8];

	mask_nonce(kind, round_id, nonce);
	for (size_t off = 0; off < n; off += CHUNK_WORDS) {
		size_t words = n - off < CHUNK_WORDS ? n - off : CHUNK_WORDS;
		/* Block counter in 64-byte blocks: 8 words per block, and
		 * CHUNK_WORDS is a multiple of 8. */
		crypto_stream_xchacha20_xor_ic(buf, zero, words * 8, nonce,
		                               off / 8, seed);
		for (size_t w = 0; w < words; w++) {
			uint64_t v = 0;
			for (int b = 0; b < 8; b++)
				v |= (uint64_t)buf[w * 8 + (size_t)b]
				     << (8 * b);
			if (sign > 0)
				vec[off + w] += v;
			else
				vec[off + w] -= v;
		}
	}
	sodium_memzero(buf, sizeof buf);
}

void proto_secagg_mask_pair(const uint8_t seed[LS_SECAGG_SEED_BYTES],
                            const uint8_t round_id[LS_SECAGG_ID_BYTES],
                            int sign, uint64_t *vec, size_t n)
{
	mask_apply("ls-secagg-mask-pair-v1", seed, round_id, sign, vec, n);
}

void proto_secagg_mask_self(const uint8_t seed[LS_SECAGG_SEED_BYTES],
                            const uint8_t round_id[LS_SECAGG_ID_BYTES],
                            int sign, uint64_t *vec, size_t n)
{
	mask_apply("ls-secagg-mask-self-v1", seed, round_id, sign, vec, n);
}

static int keys_sorted(const struct ls_secagg_member *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!proto_field_node_id_valid(
		        keys[i].id, strnlen(keys[i].id, LS_NODE_ID_SIZE)))
			return 0;
		if (i > 0 && strcmp(keys[i - 1].id, keys[i].id) >= 0)
			return 0;
	}
	return 1;
}

int proto_secagg_mask(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                      const struct ls_secagg_member *keys, size_t n_keys,
                      size_t me, const uint8_t my_sk[LS_X25519_BYTES],
                      const uint8_t self_seed[LS_SECAGG_SEED_BYTES],
                      uint64_t *vec, size_t n)
{
	uint8_t pk[LS_X25519_BYTES], seed[LS_SECAGG_SEED_BYTES];

	if (me >= n_keys || !keys_sorted(keys, n_keys))
		return LS_EINVAL;
	if (crypto_scalarmult_base(pk, my_sk) != 0 ||
	    sodium_memcmp(pk, keys[me].pk, sizeof pk) != 0)
		return LS_EINVAL;
	proto_secagg_mask_self(self_seed, round_id, 1, vec, n);
	for (size_t j = 0; j < n_keys; j++) {
		int rc;
		if (j == me)
			continue;
		rc = proto_secagg_pair_seed(round_id, keys[me].id, my_sk, pk,
		                            keys[j].id, keys[j].pk, seed);
		if (rc != LS_OK) {
			sodium_memzero(vec, n * sizeof *vec);
			return rc;
		}
		proto_secagg_mask_pair(
		    seed, round_id,
		    proto_secagg_pair_sign(keys[me].id, keys[j].id), vec, n);
	}
	sodium_memzero(seed, sizeof seed);
	return LS_OK;
}

static const struct ls_secagg_pair_reveal *
find_pair(const struct ls_secagg_pair_reveal *p, size_t n, const char *peer)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].peer, peer) == 0)
			return &p[i];
	return NULL;
}

int proto_secagg_unmask(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                        const struct ls_secagg_member *keys, size_t n_keys,
                        const uint8_t *included,
                        const uint8_t (*self_seeds)[LS_SECAGG_SEED_BYTES],
                        const struct ls_secagg_pair_reveal *const *pairs,
                        const size_t *n_pairs, uint64_t *sum, size_t n,
                        struct ls_errinfo *e)
{
	size_t n_dropped = 0;

	if (!keys_sorted(keys, n_keys))
		return ls_errf(e, LS_EINVAL, "secagg: key set not sorted");
	for (size_t i = 0; i < n_keys; i++)
		n_dropped += !included[i];
	/* Check every reveal before touching sum. */
	for (size_t i = 0; i < n_keys; i++) {
		if (!included[i])
			continue;
		if (n_pairs[i] != n_dropped)
			return ls_errf(e, LS_EINVAL,
			               "secagg: %s revealed %zu pair seeds, "
			               "%zu members dropped",
			               keys[i].id, n_pairs[i], n_dropped);
		for (size_t j = 0; j < n_keys; j++)
			if (!included[j] &&
			    find_pair(pairs[i], n_pairs[i], keys[j].id) == NULL)
				return ls_errf(e, LS_EINVAL,
				               "secagg: %s did not reveal its "
				               "seed with dropped %s",
				               keys[i].id, keys[j].id);
	}
	for (size_t i = 0; i < n_keys; i++) {
		if (!included[i])
			continue;
		proto_secagg_mask_self(self_seeds[i], round_id, -1, sum, n);
		for (size_t j = 0; j < n_keys; j++) {
			const struct ls_secagg_pair_reveal *p;
			if (included[j])
				continue;
			p = find_pair(pairs[i], n_pairs[i], keys[j].id);
			/* i added sign(i, j) PRG(s_ij): take it away. */
			proto_secagg_mask_pair(
			    p->seed, round_id,
			    -proto_secagg_pair_sign(keys[i].id, keys[j].id),
			    sum, n);
		}
	}
	return LS_OK;
}
