/*
 * Secure-aggregation requests and replies inside the sync session
 * (PROTOCOL.md 15.7): the aggregator is the client, a member the server.
 * They are sync messages (a map, key 0 the type) with types that follow
 * the sync types:
 *
 *   13 secagg_open_req    {1 open}                -> 14 secagg_key_rep {1 key}
 *   15 secagg_keyset_req  {1 open, 2 keyset}      -> 16 secagg_contrib_rep {1 contrib}
 *   17 secagg_close_req   {1 open, 2 keyset, 3 close} -> 18 secagg_reveal_rep {1 reveal}
 *   any of them           -> 11 error (proto/sync.h)
 *
 * Every field is a whole signed secure-aggregation message
 * (proto/secagg_msg.h) of at most LS_SECAGG_MSG_MAX bytes, carried
 * verbatim; this layer checks structure and sizes only, the round
 * (node/secagg_sync.h) verifies the messages. A member needs nothing from
 * an earlier request: each request carries everything its reply depends
 * on, so nng's resends and a restarted aggregator are harmless.
 *
 * Ownership: a decoded message points into the buffer it was decoded
 * from (keep it while using the message); nothing is allocated.
 */
#ifndef LS_PROTO_SECAGG_REQ_H
#define LS_PROTO_SECAGG_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/sync.h"

enum ls_secagg_req_type {
	LS_SECAGG_OPEN_REQ = 13,
	LS_SECAGG_KEY_REP = 14,
	LS_SECAGG_KEYSET_REQ = 15,
	LS_SECAGG_CONTRIB_REP = 16,
	LS_SECAGG_CLOSE_REQ = 17,
	LS_SECAGG_REVEAL_REP = 18,
	LS_SECAGG_REQ_FIRST_ = LS_SECAGG_OPEN_REQ,
	LS_SECAGG_REQ_LAST_ = LS_SECAGG_REVEAL_REP
};

/* One request or reply: the fields its type carries (the others empty). */
struct ls_secagg_req {
	uint8_t type;
	struct ls_bytes open;   /* requests */
	struct ls_bytes keyset; /* keyset_req, close_req */
	struct ls_bytes close;  /* close_req */
	struct ls_bytes msg;    /* replies: the member's message */
};

/* Stable name of a type ("secagg_open_req", ...) or NULL. */
const char *proto_secagg_req_type_name(uint8_t type);

/* The reply type of a request type (0 for anything else). */
uint8_t proto_secagg_req_reply_type(uint8_t request_type);

/* 1 if buf is a sync message whose type (key 0, first) is one of
 * 13..18, else 0. Reads only the map header and the type. */
int proto_secagg_req_is(const uint8_t *buf, size_t len);

/* Encode (every field of the type present, non-empty, within
 * LS_SECAGG_MSG_MAX). *out is the caller's (ls_free). LS_EINVAL,
 * LS_ENOMEM. */
int proto_secagg_req_encode(const struct ls_secagg_req *m, uint8_t **out,
                            size_t *len, struct ls_errinfo *e);

/* Decode strictly: a map with the type first, exactly the core keys of
 * the type (unknown extension keys 64.. skipped), each a bin of 1..
 * LS_SECAGG_MSG_MAX bytes, no trailing bytes. *out is untouched on
 * failure. LS_EDECODE, LS_ELIMIT. */
int proto_secagg_req_decode(const uint8_t *buf, size_t len,
                            struct ls_secagg_req *out, struct ls_errinfo *e);

#endif
