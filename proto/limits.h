/*
 * Every hard limit of the wire format in one place.
 *
 * Decoders check each count and length against these maxima (and against
 * the bytes that remain) before they allocate anything; encoders refuse to
 * produce what a decoder would refuse. proto/PROTOCOL.md repeats these
 * numbers: a change here is a change of the protocol.
 */
#ifndef LS_PROTO_LIMITS_H
#define LS_PROTO_LIMITS_H

#include "core/member.h"

/* Format version of envelopes and sessions (the only one defined). */
#define LS_FORMAT_VERSION 1
/* Signature algorithm of envelopes: 1 = Ed25519. */
#define LS_ALG_ED25519 1

/* BLAKE2b-256 document hashes and version-vector digests. */
/* LS_HASH_BYTES (a document hash, BLAKE2b-256) is core/node.h's. */

/* Nesting depth of any msgpack value (documents and messages). */
#define LS_MP_MAX_DEPTH 8

/* A signed payload, and the envelope that carries it. */
#define LS_PAYLOAD_MAX (1024 * 1024)
#define LS_ENVELOPE_MAX (LS_PAYLOAD_MAX + 128)

/* Times are Unix seconds (UTC); a document's creation time must lie in
 * [LS_TIME_MIN, LS_TIME_MAX) = [2000-01-01, 3000-01-01). */
#define LS_TIME_MIN 946684800LL
#define LS_TIME_MAX 32503680000LL
/* A document may be created at most this far in the future of the
 * receiver's clock (seconds). */
#define LS_CLOCK_SKEW 300

/* Sequence numbers stay exact in IEEE doubles (JSON, JavaScript). */
#define LS_SEQ_MAX 9007199254740991ULL /* 2^53 - 1 */

/* Released counts, values and interval bounds: LS_COUNT_MAX is
 * core/summary.h's (disclosure control guarantees it). */

/* Texts (bytes of UTF-8, NUL not counted). */
#define LS_NAME_MAX 64 /* display name of a member */
/* LS_LABEL_MAX (taxonomy label) is core/taxonomy.h's. */
/* LS_ENDPOINT_MAX ("tcp://host:port") is core/node.h's. */
#define LS_SOFTWARE_MAX 32  /* software version in a status */
#define LS_HEADLINE_MAX 140 /* action headline of a dossier note */

/* Roster. */
#define LS_ROSTER_MAX_MEMBERS 4096
#define LS_ROSTER_MAX_KEYS 16 /* per member, and federation keys */
#define LS_ROSTER_MAX_ENDPOINTS 4
#define LS_ROSTER_MAX_REVOCATIONS 4096

/* Taxonomy entries (54 today). */
#define LS_TAXONOMY_MAX_ENTRIES 2048

/* Status. */
#define LS_STATUS_MAX_PEERS 4096
#define LS_STATUS_MAX_COUNTERS 64

/* Sync: origins in a version vector (members plus the federation). */
#define LS_SYNC_MAX_ORIGINS (LS_ROSTER_MAX_MEMBERS + 1)
#define LS_SYNC_MAX_WANTS 256
#define LS_SYNC_PAGE_MAX_DOCS 1024
#define LS_SYNC_PAGE_MAX_BYTES (4 * 1024 * 1024)
/* A sync message (plaintext) and a sealed session message. The sealed
 * maximum is what a daemon sets as NNG_OPT_RECVMAXSZ. */
#define LS_SYNC_MSG_MAX (LS_SYNC_PAGE_MAX_BYTES + 64 * 1024)
#define LS_SESSION_MSG_MAX (LS_SYNC_MSG_MAX + 256)

/* Sessions: a request's timestamp must be within this many seconds of
 * the receiver's clock, either way. */
#define LS_SESSION_WINDOW 300

#endif
