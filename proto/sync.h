/*
 * Sync messages: the plaintext requests and replies of anti-entropy
 * between two nodes (PROTOCOL.md, "Sync"), carried inside a session
 * (proto/session.h).
 *
 *   DIGEST_REQ {digest, n_origins}   -> DIGEST_REP {digest, n_origins}
 *   VV_REQ {}                        -> VV_REP {entries}
 *   DOCS_REQ {wants, max_docs, max_bytes} -> DOCS_REP {docs, more}
 *   PUSH_REQ {docs}                  -> PUSH_REP {results}
 *   FORK_REQ {origin}                -> FORK_REP {docs: the two envelopes}
 *   any request                      -> ERROR {code, detail}
 *
 * Every request is idempotent: answering it twice gives the same answer
 * (as long as the replier's store did not change) and changes nothing
 * twice, because nng's REQ socket resends a request whose reply it did
 * not see.
 *
 * The daemon's calls: a client builds a message, proto_sync_encode(), and
 * seals it (proto_session_seal_request); a server opens it, then
 * proto_sync_decode() and dispatches on msg.type; it answers with the type
 * proto_sync_reply_type() names, or ERROR. Pages are filled with
 * proto_sync_page_add() until it says LS_ELIMIT (then set more = 1).
 *
 * Ownership: a decoded message's arrays are owned by the message
 * (proto_sync_msg_fini); its docs point into the buffer it was decoded
 * from, which the caller must keep while it uses them. For encoding the
 * caller fills the fields; docs may point anywhere.
 */
#ifndef LS_PROTO_SYNC_H
#define LS_PROTO_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"
#include "proto/limits.h"

enum ls_sync_type {
	LS_SYNC_DIGEST_REQ = 1,
	LS_SYNC_DIGEST_REP = 2,
	LS_SYNC_VV_REQ = 3,
	LS_SYNC_VV_REP = 4,
	LS_SYNC_DOCS_REQ = 5,
	LS_SYNC_DOCS_REP = 6,
	LS_SYNC_PUSH_REQ = 7,
	LS_SYNC_PUSH_REP = 8,
	LS_SYNC_FORK_REQ = 9,
	LS_SYNC_FORK_REP = 10,
	LS_SYNC_ERROR = 11,
	LS_SYNC_TYPE_MAX_ = LS_SYNC_ERROR
};

/* Version-vector entry flags. */
#define LS_VV_FORKED 0x01u /* the sender holds a fork proof for origin */
#define LS_VV_FLAGS_KNOWN LS_VV_FORKED

struct ls_vv_entry {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;                /* highest seq held, >= 1 */
	uint8_t head[LS_HASH_BYTES]; /* hash of that document */
	uint8_t flags;
};

/* A version vector: entries sorted by origin, unique. */
struct ls_vv {
	size_t n;
	struct ls_vv_entry *entries; /* owned */
};

/* Documents [from, to] of origin; to = 0: up to the replier's head. */
struct ls_sync_want {
	char origin[LS_NODE_ID_SIZE];
	uint64_t from;
	uint64_t to;
};

struct ls_bytes {
	const uint8_t *data;
	size_t len;
};

/* One message; only the fields of its type are used (and encoded). */
struct ls_sync_msg {
	uint8_t type; /* enum ls_sync_type */
	/* DIGEST_REQ, DIGEST_REP */
	uint8_t digest[LS_HASH_BYTES];
	uint32_t n_origins;
	/* VV_REP */
	struct ls_vv vv;
	/* DOCS_REQ */
	size_t n_wants;
	struct ls_sync_want *wants; /* owned */
	uint32_t max_docs;          /* 1..LS_SYNC_PAGE_MAX_DOCS */
	uint32_t max_bytes; /* LS_ENVELOPE_MAX..LS_SYNC_PAGE_MAX_BYTES */
	/* DOCS_REP, PUSH_REQ, FORK_REP (exactly 2) */
	size_t n_docs;
	struct ls_bytes *docs; /* owned array; the bytes are not */
	size_t docs_bytes;     /* sum of docs[i].len (page building) */
	int more;              /* DOCS_REP: the page stopped at a limit */
	/* PUSH_REP: one wire code per pushed document (0 stored, 16 had) */
	size_t n_results;
	uint16_t *results; /* owned */
	/* FORK_REQ */
	char origin[LS_NODE_ID_SIZE];
	/* ERROR */
	uint16_t code; /* wire code, see proto_wire_code() */
	char detail[LS_CODE_SIZE];
};

/* Zero *m and set its type. */
void proto_sync_msg_init(struct ls_sync_msg *m, enum ls_sync_type type);

/* Free the arrays and zero *m. */
void proto_sync_msg_fini(struct ls_sync_msg *m);

/* Stable name of a type ("digest_req", ...) or NULL. */
const char *proto_sync_type_name(uint8_t type);

/* The reply type a request expects (0 for a reply type). */
uint8_t proto_sync_reply_type(uint8_t request_type);

/* Encode (after checking every field against the limits and rules a
 * decoder applies). *out is the caller's. LS_EINVAL, LS_ELIMIT,
 * LS_ENOMEM. */
int proto_sync_encode(const struct ls_sync_msg *m, uint8_t **out, size_t *len,
                      struct ls_errinfo *e);

/* Decode strictly into *out (untouched on failure). LS_EDECODE,
 * LS_ELIMIT, LS_ENOMEM with details. */
int proto_sync_decode(const uint8_t *buf, size_t len, struct ls_sync_msg *out,
                      struct ls_errinfo *e);

/* A client's check of a decoded reply against its request: the right
 * type (or ERROR), a page within the asked bounds, one push result per
 * pushed document. LS_OK, LS_EDECODE, LS_ELIMIT. */
int proto_sync_check_reply(const struct ls_sync_msg *req,
                           const struct ls_sync_msg *rep, struct ls_errinfo *e);

/* A DOCS_REP or PUSH_REQ being filled: append doc if it stays within
 * LS_SYNC_PAGE_MAX_DOCS/_BYTES and the request's max_docs/max_bytes
 * (req may be NULL for a push). LS_ELIMIT when it does not fit (the page
 * is unchanged), LS_ENOMEM. The first document always fits. */
int proto_sync_page_add(struct ls_sync_msg *page, const struct ls_sync_msg *req,
                        const uint8_t *doc, size_t len);

/* The digest of a version vector: BLAKE2b-256 over, per entry in order,
 * u8 len(origin) || origin || u64be seq || head || u8 flags. */
void proto_vv_digest(const struct ls_vv *vv, uint8_t out[LS_HASH_BYTES]);

/* The version-vector rules (sorted, unique, seq >= 1, known flags, within
 * LS_SYNC_MAX_ORIGINS). LS_OK or LS_EINVAL. */
int proto_vv_validate(const struct ls_vv *vv, struct ls_errinfo *e);

void proto_vv_fini(struct ls_vv *vv);

/* What `mine` should fetch from `theirs`. */
struct ls_vv_diff {
	size_t n_wants;
	struct ls_sync_want *wants; /* owned: DOCS_REQ wants */
	size_t n_forks;
	char (*forks)[LS_NODE_ID_SIZE]; /* owned: origins to FORK_REQ */
};

/*
 * Compare two valid vectors. For each origin `theirs` is ahead on: a want
 * from mine.seq + 1 to theirs.seq. For an origin at the same seq with a
 * different head: a want of that one position (the two documents are a
 * fork; fetching theirs gives the proof). Origins `mine` marks forked are
 * skipped (that feed is stopped); origins only `theirs` marks forked are
 * listed in forks. Lags behind `theirs` (their seq below mine) need the
 * store and are left to the caller. *out is the caller's
 * (proto_vv_diff_fini). LS_ENOMEM.
 */
int proto_vv_diff(const struct ls_vv *mine, const struct ls_vv *theirs,
                  struct ls_vv_diff *out);

void proto_vv_diff_fini(struct ls_vv_diff *d);

/* Stable wire codes of errors (PROTOCOL.md, "Error codes"): 0 ok, then
 * one per project error; codes this version does not know map to
 * LS_EINTERNAL. */
uint16_t proto_wire_code(int ls_code);
int proto_wire_code_to_err(uint16_t wire);

#endif
