/*
 * API access tokens: their text form, their roles, and how they are
 * hashed for storage.
 *
 * A token is 8 random bytes of id (public: it names the token in lists,
 * logs and revocations) and 32 random bytes of secret, written
 *
 *   lst1_<16 hex digits of id>_<64 hex digits of secret>
 *
 * The node stores only a hash of the secret. Because the secret is 256
 * random bits, a fast cryptographic hash is the right tool: nobody can
 * guess or brute-force 2^256 candidates whatever the hash costs, so a
 * slow password hash (Argon2id via crypto_pwhash) would only add about
 * 0.1 s and tens of MB per request — a throughput cap and a
 * denial-of-service lever — without any gain. The hash is BLAKE2b-256
 * with a personalisation string (domain separation from every other
 * BLAKE2b use) and the token id as salt, so a stored hash is bound to
 * its id: copying a row's hash onto another id does not make a working
 * token. Comparison is constant-time (sodium_memcmp).
 *
 * Roles, from least to most:
 *   veldwerker  (field worker) captures signals and sees only the
 *               signals of its own organisation (and person, when the
 *               token names one);
 *   coordinator reads every signal of the municipality, follows up
 *               dossiers, sees trends, the summary preview and the
 *               federation;
 *   beheerder   (admin) everything, including erasing a signal.
 *
 * Nothing here allocates. The secret passes through caller buffers the
 * caller wipes (sodium_memzero) when done.
 */
#ifndef LS_CORE_TOKEN_H
#define LS_CORE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define LS_TOKEN_ID_BYTES 8
#define LS_TOKEN_SECRET_BYTES 32
#define LS_TOKEN_HASH_BYTES 32
#define LS_TOKEN_ID_HEX_SIZE (2 * LS_TOKEN_ID_BYTES + 1)

/* "lst1_" + id hex + "_" + secret hex. */
#define LS_TOKEN_PREFIX "lst1_"
#define LS_TOKEN_TEXT_LEN                                                      \
	(sizeof LS_TOKEN_PREFIX - 1 + 2 * LS_TOKEN_ID_BYTES + 1 +              \
	 2 * LS_TOKEN_SECRET_BYTES)
#define LS_TOKEN_TEXT_SIZE (LS_TOKEN_TEXT_LEN + 1)

/* Byte limits of a token's texts (UTF-8). The organisation and the
 * person are compared with the signals' organisation and reporter, so
 * they share those limits. */
#define LS_TOKEN_LABEL_MAX 120
#define LS_TOKEN_ACTOR_MAX 64

enum ls_token_role {
	LS_TOKEN_VELDWERKER = 1,
	LS_TOKEN_COORDINATOR = 2,
	LS_TOKEN_BEHEERDER = 3,
};

/* The Dutch role name ("veldwerker", "coordinator", "beheerder"); "?"
 * for another value. */
const char *ls_token_role_name(int role);

/* Parse a role name (also "admin" for beheerder and "coördinator").
 * LS_EINVAL if unknown. */
int ls_token_role_parse(const char *text, int *role);

/* Draw a fresh id and secret (libsodium's randombytes). */
void ls_token_generate(uint8_t id[LS_TOKEN_ID_BYTES],
                       uint8_t secret[LS_TOKEN_SECRET_BYTES]);

/* The text form into out (LS_TOKEN_TEXT_SIZE bytes). */
void ls_token_format(const uint8_t id[LS_TOKEN_ID_BYTES],
                     const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                     char out[LS_TOKEN_TEXT_SIZE]);

/* Parse exactly the text form (len bytes, lower-case or upper-case hex).
 * LS_EINVAL for anything else; id and secret are then untouched. */
int ls_token_parse(const char *text, size_t len, uint8_t id[LS_TOKEN_ID_BYTES],
                   uint8_t secret[LS_TOKEN_SECRET_BYTES]);

/* Parse a token id (16 hex digits). LS_EINVAL otherwise. */
int ls_token_id_parse(const char *text, uint8_t id[LS_TOKEN_ID_BYTES]);

/* Lower-case hex of an id (LS_TOKEN_ID_HEX_SIZE bytes). */
void ls_token_id_format(const uint8_t id[LS_TOKEN_ID_BYTES],
                        char out[LS_TOKEN_ID_HEX_SIZE]);

/* The stored hash of a token: BLAKE2b-256 of the secret, salted with the
 * id, personalised "LokaalSignaalTk1". */
void ls_token_hash(const uint8_t id[LS_TOKEN_ID_BYTES],
                   const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                   uint8_t out[LS_TOKEN_HASH_BYTES]);

/* Does the secret belong to the stored hash? Computes the hash and
 * compares in constant time. 1 if it does, else 0. */
int ls_token_verify(const uint8_t id[LS_TOKEN_ID_BYTES],
                    const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                    const uint8_t stored[LS_TOKEN_HASH_BYTES]);

/* Check a token's description before it is stored: a known role; the
 * organisation (required for a veldwerker) and the person as the
 * signal fields they are compared with (UTF-8, no control characters,
 * no surrounding spaces, at most LS_ORGANISATION_MAX / LS_REPORTER_MAX
 * bytes); a person only together with an organisation; the label at most
 * LS_TOKEN_LABEL_MAX bytes. NULL or "" means absent. LS_EINVAL or
 * LS_ELIMIT with a Dutch message. */
int ls_token_check(int role, const char *organisation, const char *person,
                   const char *label, struct ls_errinfo *e);

#endif
