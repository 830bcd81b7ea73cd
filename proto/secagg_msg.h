/*
 * Secure aggregation messages (PROTOCOL.md, "Secure aggregation"): the
 * seven signed messages of a round, their strict decoder and signing.
 *
 *   1 open      aggregator  the round: period, attempt, layout, noise,
 *                           threshold, deadline, the members invited
 *   2 key       member      its ephemeral X25519 key for the round
 *   3 keyset    aggregator  the key messages it received, verbatim
 *   4 contrib   member      its masked vector, naming the key set
 *   5 close     aggregator  the members whose contribution is in
 *   6 reveal    member      its self seed and its pair seeds with the
 *                           members left out, naming the close
 *   7 total     aggregator  the federation total: who is in it, the
 *                           noise, the noisy vector
 *
 * On the wire a message is a msgpack array
 *   [version, type, signer (str), key_id (bin 8), payload (bin), sig]
 * signed with the signer's Ed25519 node key over
 *   "lokaal-signaal/secagg/1" || u8 version || u8 type || u8 len(signer)
 *   || signer || key_id || payload.
 * The payload is a map with integer keys (mp.h's key rule). The round id
 * is BLAKE2b-256("ls-secagg-round-v1" || payload of the open message), so
 * every later message binds everything the open message says. A
 * message's hash is BLAKE2b-256 of its payload.
 *
 * Ownership: a decoded struct ls_secagg_msg owns its id lists and key
 * list (proto_secagg_msg_fini) and points into the caller's buffer for
 * byte strings (vectors, key envelopes): keep the buffer while using it.
 */
#ifndef LS_PROTO_SECAGG_MSG_H
#define LS_PROTO_SECAGG_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/secagg.h"
#include "core/summary.h"
#include "proto/key.h"
#include "proto/limits.h"
#include "proto/secagg.h"

#define LS_SECAGG_VERSION 1
#define LS_SECAGG_SIG_CONTEXT "lokaal-signaal/secagg/1"
/* A whole message: a key set of LS_SECAGG_MAX_PARTIES keys, or a vector
 * of LS_SECAGG_MAX_ENTRIES words, with room to spare. */
#define LS_SECAGG_MSG_MAX (1024 * 1024)
#define LS_SECAGG_KEY_MSG_MAX 256 /* one key message */
#define LS_SECAGG_ATTEMPT_MAX 16  /* attempts per period */

enum ls_secagg_type {
	LS_SECAGG_OPEN = 1,
	LS_SECAGG_KEY = 2,
	LS_SECAGG_KEYSET = 3,
	LS_SECAGG_CONTRIB = 4,
	LS_SECAGG_CLOSE = 5,
	LS_SECAGG_REVEAL = 6,
	LS_SECAGG_TOTAL = 7,
	LS_SECAGG_TYPE_MAX_ = LS_SECAGG_TOTAL
};

typedef char ls_secagg_id[LS_NODE_ID_SIZE];

struct ls_secagg_open {
	struct ls_period period;
	uint32_t attempt; /* 1..LS_SECAGG_ATTEMPT_MAX */
	uint8_t layout[LS_SECAGG_DIGEST_BYTES];
	uint32_t n_entries; /* 2..LS_SECAGG_MAX_ENTRIES */
	struct secagg_noise noise;
	uint32_t k;           /* federation threshold */
	uint32_t min_parties; /* fewest contributions a total may have */
	int64_t created;
	int64_t deadline; /* contributions after it are refused */
	size_t n_members;
	ls_secagg_id *members; /* owned; sorted, unique */
};

struct ls_secagg_key {
	uint8_t pk[LS_X25519_BYTES];
};

struct ls_secagg_keyset {
	size_t n;
	const uint8_t **msgs; /* owned array of pointers into the buffer */
	size_t *lens;         /* owned */
};

struct ls_secagg_vector {
	uint8_t keyset[LS_HASH_BYTES]; /* hash of the key set it used */
	size_t n;                      /* words */
	const uint8_t *bytes;          /* 8 n bytes, little endian */
};

struct ls_secagg_close {
	uint8_t keyset[LS_HASH_BYTES];
	size_t n_included;
	ls_secagg_id *included; /* owned; sorted, unique */
};

struct ls_secagg_reveal {
	uint8_t close[LS_HASH_BYTES];
	uint8_t self_seed[LS_SECAGG_SEED_BYTES];
	size_t n_pairs;
	struct ls_secagg_pair_reveal *pairs; /* owned; sorted by peer */
};

struct ls_secagg_total {
	uint8_t close[LS_HASH_BYTES];
	struct ls_period period;
	struct secagg_noise noise; /* the noise actually in the total */
	size_t n_included;
	ls_secagg_id *included; /* owned */
	size_t n;
	const uint8_t *bytes; /* 8 n bytes: int64 little endian */
};

struct ls_secagg_msg {
	uint8_t type;
	char signer[LS_NODE_ID_SIZE];
	uint8_t key_id[LS_KEY_ID_BYTES];
	uint8_t round[LS_SECAGG_ID_BYTES]; /* all but open */
	uint8_t hash[LS_HASH_BYTES];       /* of the payload (decode) */
	union {
		struct ls_secagg_open open;
		struct ls_secagg_key key;
		struct ls_secagg_keyset keyset;
		struct ls_secagg_vector contrib;
		struct ls_secagg_close close;
		struct ls_secagg_reveal reveal;
		struct ls_secagg_total total;
	} u;
};

/* Free what the message owns and zero it; safe on a zeroed message.
 * Encoders never free the caller's arrays: fini is for decoded ones. */
void proto_secagg_msg_fini(struct ls_secagg_msg *m);

/* Stable name of a type ("open", ...) or NULL. */
const char *proto_secagg_type_name(uint8_t type);

/* Encode m's payload (validated first: the rules the decoder enforces)
 * and sign it with kp as m->signer. *out is the caller's (ls_free).
 * LS_EINVAL with details, LS_ELIMIT, LS_ENOMEM, LS_ECRYPTO. */
int proto_secagg_msg_sign(const struct ls_secagg_msg *m,
                          const struct ls_keypair *kp, uint8_t **out,
                          size_t *len, struct ls_errinfo *e);

/* Read only the envelope: type, signer and key id (no allocation, no
 * signature check), so the caller can find the signer's key. LS_EDECODE,
 * LS_ELIMIT. */
int proto_secagg_msg_peek(const uint8_t *buf, size_t len, uint8_t *type,
                          char signer[LS_NODE_ID_SIZE],
                          uint8_t key_id[LS_KEY_ID_BYTES],
                          struct ls_errinfo *e);

/*
 * Verify and decode, in this order: the envelope's structure and exact
 * lengths (LS_EDECODE, LS_ELIMIT); version and type (LS_EDECODE); the key
 * id is pk's (LS_EKEY); the signature (LS_ESIG); the payload strictly
 * (LS_EDECODE, LS_ELIMIT, LS_ENOMEM). *out (zeroed by the caller) is
 * filled on success and untouched on failure.
 */
int proto_secagg_msg_verify(const uint8_t *buf, size_t len,
                            const uint8_t pk[LS_PUBKEY_BYTES],
                            struct ls_secagg_msg *out, struct ls_errinfo *e);

/* Decode a message inside another signed message (a key message inside
 * a verified key set) without checking its own signature: every other
 * step of proto_secagg_msg_verify. Never for bytes that arrived on their
 * own. */
int proto_secagg_msg_decode_signed(const uint8_t *buf, size_t len,
                                   struct ls_secagg_msg *out,
                                   struct ls_errinfo *e);

/* The round id of an open message is BLAKE2b-256("ls-secagg-round-v1"
 * || its payload); proto_secagg_msg_verify() puts it in `round` of a
 * decoded open message (the aggregator verifies its own to learn it). */

/* Read word i of a vector's bytes. */
uint64_t proto_secagg_word(const uint8_t *bytes, size_t i);

#endif
