/*
 * Federation documents: the feed fields, the seven document types, signing,
 * verification against the roster, the feed chain and fork proofs
 * (PROTOCOL.md, "Documents" and "Envelope").
 *
 * A document travels as an envelope: the payload's exact bytes (a msgpack
 * bin) beside a detached Ed25519 signature, the signer's key id and the
 * format version. Nothing is re-encoded before verification. A document's
 * hash (its identity in the feed) is BLAKE2b-256 over the payload bytes.
 *
 * The daemon's calls, in order:
 *   publish:  proto_doc_sign(doc, head, created, keypair) -> envelope
 *             bytes + the new head of its feed
 *   receive:  proto_doc_verify(trust, bytes, now) -> decoded document and
 *             its hash; then, against what the store holds for that origin,
 *             proto_doc_check_chain() with the predecessor (or
 *             proto_doc_check_fork() with a document at the same seq:
 *             LS_EFORK -> proto_fork_proof_encode() of both envelopes);
 *             summaries: proto_summary_check_policy() with the policy in
 *             force; rosters: proto_roster_check_successor() with the
 *             roster in force.
 *
 * libsodium must be initialised (sodium_init(), once per process; the key
 * and session constructors do it) before these functions run.
 *
 * Ownership: a struct ls_doc owns its body's arrays (proto_doc_fini()).
 * Buffers returned through uint8_t **out are the caller's (ls_free).
 * Nothing here keeps a pointer to a caller's buffer.
 */
#ifndef LS_PROTO_DOC_H
#define LS_PROTO_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"
#include "proto/doc_fedsum.h"
#include "proto/doc_note.h"
#include "proto/doc_policy.h"
#include "proto/doc_roster.h"
#include "proto/doc_status.h"
#include "proto/doc_summary.h"
#include "proto/doc_taxonomy.h"
#include "proto/key.h"
#include "proto/limits.h"

enum ls_doc_type {
	LS_DOC_ROSTER = 1,
	LS_DOC_TAXONOMY = 2,
	LS_DOC_POLICY = 3,
	LS_DOC_SUMMARY = 4,
	LS_DOC_STATUS = 5,
	LS_DOC_DOSSIER_NOTE = 6,
	LS_DOC_FEDSUM = 7, /* federation summary (secure aggregation) */
	LS_DOC_TYPE_MAX_ = LS_DOC_FEDSUM
};

/* The feed fields every document carries. */
struct ls_doc_header {
	uint8_t type; /* enum ls_doc_type */
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;                /* 1.. LS_SEQ_MAX, per origin */
	uint8_t prev[LS_HASH_BYTES]; /* hash of seq - 1; zeros for seq 1 */
	int64_t created;             /* Unix seconds */
};

struct ls_doc {
	struct ls_doc_header hdr;
	union {
		struct ls_roster roster;
		struct ls_taxonomy_doc taxonomy;
		struct ls_policy policy;
		struct ls_summary summary;
		struct ls_status status;
		struct ls_dossier_note note;
		struct ls_fedsum fedsum;
	} body;
};

/* The position after the last document of a feed: seq 0 and a zero hash
 * for an empty feed. */
struct ls_feed_head {
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
};

/* Zero *d and set its type. */
void proto_doc_init(struct ls_doc *d, enum ls_doc_type type);

/* Free the body and zero *d. Safe on a zeroed or failed document. */
void proto_doc_fini(struct ls_doc *d);

/* Stable name of a type ("roster", ..., "federation_summary") or NULL. */
const char *proto_doc_type_name(uint8_t type);

/* Check header and body against the rules of the format (what a decoder
 * would refuse). LS_OK or LS_EINVAL with details. */
int proto_doc_validate(const struct ls_doc *d, struct ls_errinfo *e);

/* Encode the payload (validated first). *out is the caller's. */
int proto_doc_encode_payload(const struct ls_doc *d, uint8_t **out, size_t *len,
                             struct ls_errinfo *e);

/* Decode a payload strictly into *out (which must be zeroed or
 * initialised; it is untouched on failure). LS_EDECODE, LS_ELIMIT,
 * LS_ENOMEM with details. */
int proto_doc_decode_payload(const uint8_t *buf, size_t len, struct ls_doc *out,
                             struct ls_errinfo *e);

/* Decode only the feed fields of a payload (no allocation): what a
 * receiver needs before it spends a signature check. */
int proto_doc_decode_header(const uint8_t *buf, size_t len,
                            struct ls_doc_header *out, struct ls_errinfo *e);

/* BLAKE2b-256 of a payload: the document's hash. */
void proto_doc_hash(const uint8_t *payload, size_t len,
                    uint8_t out[LS_HASH_BYTES]);

/*
 * Publish: set d->hdr.seq = head->seq + 1, d->hdr.prev = head->hash and
 * d->hdr.created, encode the payload, sign it with kp and return the
 * envelope in *out (caller's) and the feed's new head in *new_head.
 * d->hdr.type, d->hdr.origin and the body must be set. On failure
 * nothing is returned (d->hdr may have been updated).
 */
int proto_doc_sign(struct ls_doc *d, const struct ls_feed_head *head,
                   int64_t created, const struct ls_keypair *kp, uint8_t **out,
                   size_t *len, struct ls_feed_head *new_head,
                   struct ls_errinfo *e);

/* Whom a receiver trusts. */
struct ls_trust {
	/* The roster in force, or NULL before the first one is known. */
	const struct ls_roster *roster;
	/* The federation's id and key from the node's configuration: used
	 * only while roster is NULL, to accept the first roster. */
	const char *federation;
	const uint8_t *anchor_pk; /* LS_PUBKEY_BYTES, may be NULL */
};

/* What verification learned besides the document. */
struct ls_doc_info {
	uint8_t hash[LS_HASH_BYTES];
	uint8_t key_id[LS_KEY_ID_BYTES];
	size_t payload_off, payload_len; /* the payload inside the envelope */
};

/*
 * Verify an envelope and decode its document, in this order:
 *  1. the envelope's structure and exact lengths, no trailing bytes
 *     (LS_EDECODE, LS_ELIMIT);
 *  2. format version and algorithm (LS_EDECODE);
 *  3. the payload's feed fields; created no later than now + skew
 *     (LS_EDECODE, LS_EEXPIRED);
 *  4. the key id is known (LS_EKEY), belongs to the origin and may author
 *     this type (LS_EDENIED), and was valid for (created, seq)
 *     (LS_EEXPIRED, LS_EREVOKED);
 *  5. crypto_sign_verify_detached over the signing input (LS_ESIG);
 *  6. the payload strictly against its schema (LS_EDECODE, LS_ELIMIT).
 * On success *out holds the document (caller's: proto_doc_fini) and *info
 * its hash; on failure both are untouched. info may be NULL.
 */
int proto_doc_verify(const struct ls_trust *t, const uint8_t *buf, size_t len,
                     int64_t now, struct ls_doc *out, struct ls_doc_info *info,
                     struct ls_errinfo *e);

/* Steps 1-5 of proto_doc_verify only: the envelope, the feed fields, the
 * key and the signature, without decoding the body (so without its
 * allocations). *hdr (may be NULL) gets the feed fields on success. A
 * document must still pass proto_doc_verify before it is stored or
 * relayed; this is the check that throws out forgeries and junk first. */
int proto_doc_authenticate(const struct ls_trust *t, const uint8_t *buf,
                           size_t len, int64_t now, struct ls_doc_header *hdr,
                           struct ls_errinfo *e);

/* Does doc follow pred in its feed (same origin, seq + 1, prev = hash of
 * pred)? LS_OK or LS_ECHAIN with details. */
int proto_doc_check_chain(const struct ls_doc_header *pred,
                          const uint8_t pred_hash[LS_HASH_BYTES],
                          const struct ls_doc_header *doc,
                          struct ls_errinfo *e);

/* Two documents at the same feed position: LS_OK if they are the same
 * document (equal hashes), LS_EFORK if not, LS_EINVAL if they are not at
 * the same position. */
int proto_doc_check_fork(const struct ls_doc_header *a,
                         const uint8_t a_hash[LS_HASH_BYTES],
                         const struct ls_doc_header *b,
                         const uint8_t b_hash[LS_HASH_BYTES]);

/* A portable fork proof: both envelopes, the one with the smaller hash
 * first (so a proof has one encoding). *out is the caller's. LS_EINVAL if
 * the two are not a fork (checked on their payloads, not signatures). */
int proto_fork_proof_encode(const uint8_t *a, size_t a_len, const uint8_t *b,
                            size_t b_len, uint8_t **out, size_t *len);

/* Split a fork proof into its two envelopes (pointers into buf), checking
 * only its structure (array of two bins, sizes, no trailing bytes):
 * LS_OK, LS_EDECODE, LS_ELIMIT. The envelopes are not verified; a node
 * that received the proof from elsewhere uses proto_fork_proof_verify(). */
int proto_fork_proof_decode(const uint8_t *buf, size_t len, const uint8_t **a,
                            size_t *a_len, const uint8_t **b, size_t *b_len,
                            struct ls_errinfo *e);

struct ls_fork_info {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	uint8_t hash_a[LS_HASH_BYTES], hash_b[LS_HASH_BYTES];
};

/* Check a fork proof: well-formed, both documents verify (with t at
 * now), same origin and seq, different hashes, in canonical order.
 * LS_OK with *out filled, or the first failure. */
int proto_fork_proof_verify(const struct ls_trust *t, const uint8_t *buf,
                            size_t len, int64_t now, struct ls_fork_info *out,
                            struct ls_errinfo *e);

#endif
