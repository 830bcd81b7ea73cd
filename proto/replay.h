/*
 * The replay guard of a server: which authenticated requests it has seen
 * within the clock window (PROTOCOL.md, "Replay protection").
 *
 * nng's REQ socket resends a request, byte for byte, when it does not see
 * the reply in time; an attacker can also capture and resend a request.
 * Both look the same, and both are made harmless the same way:
 *  - a request whose (sender key, nonce) is new is recorded and processed;
 *  - the same (sender key, nonce) with the same bytes (digest) is a
 *    resend: it gets the cached reply if the guard kept it, else it is
 *    processed again, which every sync request allows (idempotent, and
 *    the reply is sealed to the real sender, useless to anyone else);
 *  - the same (sender key, nonce) with other bytes is refused
 *    (LS_EREPLAY);
 *  - a request older than the window was already refused by
 *    proto_session_open_request(), so entries older than the window can be
 *    forgotten: the guard never grows beyond what one window holds.
 * Call it only after the request authenticated, so that no outsider can
 * fill it or claim a nonce in front of the real sender.
 *
 * Not thread-safe: owned by the loop thread like the rest of the node's
 * state. No I/O.
 */
#ifndef LS_PROTO_REPLAY_H
#define LS_PROTO_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/session.h"

struct proto_replay;

enum proto_replay_verdict {
	PROTO_REPLAY_NEW = 0,    /* process it */
	PROTO_REPLAY_RESEND = 1, /* resend the cached reply, or process */
};

/* A guard holding at most max_entries live requests and at most
 * reply_budget bytes of cached replies (0: cache none). *out is the
 * caller's (proto_replay_free). LS_EINVAL, LS_ENOMEM. */
int proto_replay_new(size_t max_entries, size_t reply_budget,
                     struct proto_replay **out);
void proto_replay_free(struct proto_replay *g);

/*
 * Judge an opened request at `now`. LS_OK with *verdict; for a resend,
 * *cached and *cached_len are the reply remembered for it or NULL/0 (pointer
 * valid until the next call on g). LS_EREPLAY: nonce reused with other
 * bytes, or stale. LS_EBUSY: the guard is full of live requests (try
 * later). LS_ENOMEM. A new request is recorded before this returns.
 */
int proto_replay_check(struct proto_replay *g,
                       const struct ls_session_request *req, int64_t now,
                       int *verdict, const uint8_t **cached,
                       size_t *cached_len);

/* Remember the sealed reply to a recorded request, if the budget allows
 * (LS_OK), else not (LS_ELIMIT: resends will be processed again).
 * LS_ENOTFOUND if the request is not recorded. The guard copies reply. */
int proto_replay_remember_reply(struct proto_replay *g,
                                const struct ls_session_request *req,
                                const uint8_t *reply, size_t len);

/* Live entries and cached reply bytes (for metrics). */
size_t proto_replay_entries(const struct proto_replay *g);
size_t proto_replay_reply_bytes(const struct proto_replay *g);

#endif
