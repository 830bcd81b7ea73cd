/*
 * Ed25519 keys: generation, key ids, and the key files of a node.
 *
 * A key id is the first 8 bytes of BLAKE2b-256 over the 32-byte public key,
 * written as 16 lower-case hex digits. It names a key in documents and in
 * the roster; it is derived, so it cannot disagree with the key.
 *
 * Key files are small text files (see proto/PROTOCOL.md, "Key files"):
 *   secret key: mode 0600, lines "key_id=<16 hex>" and "secret=<128 hex>"
 *   public key: lines "key_id=<16 hex>" and "public=<64 hex>"
 * Lines starting with '#' are comments. Anything else is refused.
 *
 * Ownership: a struct ls_keypair lives in sodium_malloc memory (guarded,
 * locked, wiped on free); release it with proto_keypair_free().
 */
#ifndef LS_PROTO_KEY_H
#define LS_PROTO_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define LS_PUBKEY_BYTES 32
#define LS_SECKEY_BYTES 64
#define LS_SIG_BYTES 64
#define LS_KEY_ID_BYTES 8
#define LS_KEY_ID_HEX_SIZE (2 * LS_KEY_ID_BYTES + 1)

struct ls_keypair {
	uint8_t pk[LS_PUBKEY_BYTES];
	uint8_t sk[LS_SECKEY_BYTES];
	uint8_t key_id[LS_KEY_ID_BYTES];
};

/* Derive the key id of a public key. */
void proto_key_id(const uint8_t pk[LS_PUBKEY_BYTES],
                  uint8_t key_id[LS_KEY_ID_BYTES]);

/* A fresh random keypair; *out is the caller's (proto_keypair_free). */
int proto_keypair_generate(struct ls_keypair **out);

/* The keypair of a 32-byte seed (crypto_sign_seed_keypair): the same seed
 * gives the same key. For reproducible test keys and test vectors; a real
 * key comes from proto_keypair_generate(). *out as above. */
int proto_keypair_from_seed(const uint8_t seed[32], struct ls_keypair **out);

/* Wipe and free; NULL is a no-op. */
void proto_keypair_free(struct ls_keypair *kp);

/* Write the secret key file (created with mode 0600, refused if it exists)
 * and the public key file (mode 0644, refused if it exists). Either file
 * path may be NULL to skip it. LS_EEXISTS, LS_EIO. */
int proto_keypair_save(const struct ls_keypair *kp, const char *secret_path,
                       const char *public_path);

/* Read a secret key file. Refuses a file readable by group or others
 * (LS_EDENIED), a malformed one (LS_EDECODE, details in *e) and one whose
 * key id or public half does not match its secret (LS_EKEY). */
int proto_keypair_load(const char *secret_path, struct ls_keypair **out,
                       struct ls_errinfo *e);

/* Read a public key file into pk and key_id. LS_EDECODE, LS_EKEY, LS_EIO. */
int proto_pubkey_load(const char *public_path, uint8_t pk[LS_PUBKEY_BYTES],
                      uint8_t key_id[LS_KEY_ID_BYTES], struct ls_errinfo *e);

#endif
