/*
 * Secure aggregation, the cryptographic half (docs/SECAGG.md;
 * PROTOCOL.md, "Secure aggregation"): per-round ephemeral X25519 keys,
 * pairwise seeds, masks expanded with XChaCha20, self-masks, and the
 * aggregator's removal of what the survivors reveal.
 *
 * A participant i of a round with key set K adds to its vector
 *   + PRG(b_i)                         (its self-mask)
 *   + sum over j in K, j != i of  sign(i, j) PRG(s_ij)
 * where sign(i, j) = +1 if id_i < id_j (byte order) else -1, s_ij is the
 * pairwise seed both compute from their ephemeral keys, and PRG is
 * XChaCha20's key stream read as little-endian uint64 words (mod 2^64).
 * Summed over all of K the pairwise masks cancel. When the contributions
 * of C (a subset of K) arrived, each i in C reveals b_i and s_ij for every
 * j in K \ C, never for a j in C; the aggregator subtracts them and holds
 * the sum over C.
 *
 * Per-round secrets are derived, not stored: BLAKE2b-256 keyed by the
 * node's secagg secret over the round id and a purpose, so a node that
 * restarts mid-round recomputes the same ephemeral key, self-mask and
 * noise and its contribution is byte-identical (idempotent, resumable).
 *
 * Key material lives in the caller's buffers; functions here wipe what
 * they derive on their stack. libsodium must be initialised.
 */
#ifndef LS_PROTO_SECAGG_H
#define LS_PROTO_SECAGG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"

#define LS_SECAGG_ID_BYTES 32   /* a round id */
#define LS_SECAGG_SEED_BYTES 32 /* pairwise seeds, self-mask seeds */
#define LS_SECAGG_SECRET_BYTES 32
#define LS_X25519_BYTES 32

/* What a per-round secret is for (the purpose in its derivation). */
enum ls_secagg_purpose {
	LS_SECAGG_EPHEMERAL = 1, /* the X25519 secret key */
	LS_SECAGG_SELF = 2,      /* the self-mask seed */
	LS_SECAGG_NOISE = 3,     /* the key of the noise shares */
};

/* out = BLAKE2b-256(key = secret; "ls-secagg-derive-v1" || u8 purpose
 * || round id). */
void proto_secagg_derive(const uint8_t secret[LS_SECAGG_SECRET_BYTES],
                         const uint8_t round_id[LS_SECAGG_ID_BYTES],
                         enum ls_secagg_purpose purpose,
                         uint8_t out[LS_SECAGG_SEED_BYTES]);

/* The round's ephemeral X25519 key pair of a node (sk derived as above,
 * pk = X25519 base point times sk). sk is the caller's to wipe. */
int proto_secagg_ephemeral(const uint8_t secret[LS_SECAGG_SECRET_BYTES],
                           const uint8_t round_id[LS_SECAGG_ID_BYTES],
                           uint8_t sk[LS_X25519_BYTES],
                           uint8_t pk[LS_X25519_BYTES]);

/*
 * The pairwise seed of nodes a and b in a round: X25519(my sk, peer pk),
 * refused if all zero (a low-order peer key: LS_ECRYPTO), hashed with
 * BLAKE2b-256 keyed by the shared secret over "ls-secagg-pair-v1" ||
 * round id || the two (id, pk) pairs in byte order of the ids. Both ends
 * get the same seed. LS_EINVAL if the ids are equal or not node ids.
 */
int proto_secagg_pair_seed(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                           const char *my_id,
                           const uint8_t my_sk[LS_X25519_BYTES],
                           const uint8_t my_pk[LS_X25519_BYTES],
                           const char *peer_id,
                           const uint8_t peer_pk[LS_X25519_BYTES],
                           uint8_t seed[LS_SECAGG_SEED_BYTES]);

/* +1 if a adds the pair's mask (a < b in byte order), -1 if it
 * subtracts it. */
int proto_secagg_pair_sign(const char *a, const char *b);

/* vec[0..n) += sign * PRG(seed) (mod 2^64), sign +1 or -1; PRG is
 * XChaCha20 under seed with a nonce that names the round and the kind
 * (pairwise or self), so no two masks of the federation share a stream. */
void proto_secagg_mask_pair(const uint8_t seed[LS_SECAGG_SEED_BYTES],
                            const uint8_t round_id[LS_SECAGG_ID_BYTES],
                            int sign, uint64_t *vec, size_t n);
void proto_secagg_mask_self(const uint8_t seed[LS_SECAGG_SEED_BYTES],
                            const uint8_t round_id[LS_SECAGG_ID_BYTES],
                            int sign, uint64_t *vec, size_t n);

/* A member of a round's key set. */
struct ls_secagg_member {
	char id[LS_NODE_ID_SIZE];
	uint8_t pk[LS_X25519_BYTES]; /* its ephemeral key for the round */
};

/*
 * A participant's masked vector: vec (its counts plus its noise shares)
 * plus its self-mask plus the pairwise masks with every other member of
 * keys[0..n_keys) (sorted by id, unique, including the participant itself
 * at index me). vec is masked in place. LS_EINVAL for a key set that is
 * not sorted or does not hold the participant's own key at `me`,
 * LS_ECRYPTO for a bad peer key (nothing usable is left in vec then).
 */
int proto_secagg_mask(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                      const struct ls_secagg_member *keys, size_t n_keys,
                      size_t me, const uint8_t my_sk[LS_X25519_BYTES],
                      const uint8_t self_seed[LS_SECAGG_SEED_BYTES],
                      uint64_t *vec, size_t n);

/* What a surviving participant reveals: its self seed, and the pairwise
 * seeds it shares with the members that did not contribute. */
struct ls_secagg_pair_reveal {
	char peer[LS_NODE_ID_SIZE];
	uint8_t seed[LS_SECAGG_SEED_BYTES];
};

/*
 * The aggregator's last step: sum (the sum of the included members'
 * masked vectors) minus each included member's self-mask minus the
 * pairwise masks between included members and dropped ones, in place.
 * included[i] says whether keys[i] is in the total; self_seeds[i] is the
 * revealed self seed of keys[i] (read only for included members);
 * pairs[i][0..n_pairs[i]) are keys[i]'s revealed pair seeds, which must
 * name exactly the dropped members (LS_EINVAL otherwise: a reveal that
 * names an included member, or misses a dropped one).
 */
int proto_secagg_unmask(const uint8_t round_id[LS_SECAGG_ID_BYTES],
                        const struct ls_secagg_member *keys, size_t n_keys,
                        const uint8_t *included,
                        const uint8_t (*self_seeds)[LS_SECAGG_SEED_BYTES],
                        const struct ls_secagg_pair_reveal *const *pairs,
                        const size_t *n_pairs, uint64_t *sum, size_t n,
                        struct ls_errinfo *e);

#endif
