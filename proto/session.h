/*
 * Sessions: every sync request and its reply, mutually authenticated
 * against the roster and encrypted (PROTOCOL.md, "Sessions").
 *
 * One request/reply is one self-contained exchange, modelled on Noise KK
 * (both sides know each other's static key from the roster) squeezed into
 * a single round trip, so nothing breaks when nng reconnects or resends:
 *
 *   request: client ephemeral e; k_req = H(es, ss, identities, E);
 *            XChaCha20-Poly1305 under k_req, nonce = the request nonce,
 *            the frame header as associated data.
 *   reply:   server ephemeral f; k_rep = H(k_req, ee, se, F); same AEAD.
 *
 * Static X25519 keys are the nodes' Ed25519 keys converted with
 * libsodium (one key per node, listed in the roster). The request names
 * sender and recipient key ids and carries a timestamp and a random
 * 24-byte nonce: the receiver refuses a request for another key
 * (LS_EDENIED), one outside +-LS_SESSION_WINDOW seconds (LS_EREPLAY), and,
 * with proto/replay.h, a nonce it saw with other bytes.
 *
 * Server calls, in order: proto_session_open_request() (authenticates),
 * proto_replay_check() (fresh or resend), proto_sync_decode(), handle,
 * proto_sync_encode(), proto_session_seal_reply(),
 * proto_replay_remember_reply(). A request that cannot be opened is
 * answered with proto_session_encode_refusal() (unauthenticated, a code
 * and the server's clock only) or not at all.
 *
 * Client calls: proto_roster_member_key() (the peer's current key) ->
 * proto_session_seal_request() -> send -> receive ->
 * proto_session_open_reply() -> proto_sync_decode() ->
 * proto_sync_check_reply(); proto_session_call_free().
 *
 * Secrets (X25519 secret, ephemeral secrets, derived keys) live only in
 * sodium_malloc memory or briefly on the stack, wiped after use; they are
 * never logged. Returned plaintexts and frames are the caller's (ls_free).
 */
#ifndef LS_PROTO_SESSION_H
#define LS_PROTO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/doc_roster.h"
#include "proto/key.h"
#include "proto/limits.h"

#define LS_SESSION_NONCE_BYTES 24

enum ls_session_kind {
	LS_SESSION_REQUEST = 1,
	LS_SESSION_REPLY = 2,
	LS_SESSION_REFUSAL = 3,
};

/* A node's own identity for sessions. */
struct proto_session_self;

/* From the node's keypair (which need not outlive it). LS_ENOMEM,
 * LS_EKEY (not convertible). *out: proto_session_self_free(). */
int proto_session_self_new(const struct ls_keypair *kp,
                           struct proto_session_self **out);
void proto_session_self_free(struct proto_session_self *self);

/* Client state of one outstanding request (holds its secrets). */
struct proto_session_call;

/*
 * Seal plaintext (a sync message, at most LS_SYNC_MSG_MAX bytes) as a
 * request to the peer with key (peer_key_id, peer_pk), stamped `now`.
 * *out is the frame to send; *call must be kept to open the reply and
 * freed with proto_session_call_free(). LS_ELIMIT, LS_EKEY (peer key not
 * convertible), LS_ENOMEM, LS_ECRYPTO.
 */
int proto_session_seal_request(const struct proto_session_self *self,
                               const uint8_t peer_key_id[LS_KEY_ID_BYTES],
                               const uint8_t peer_pk[LS_PUBKEY_BYTES],
                               int64_t now, const uint8_t *plain, size_t len,
                               uint8_t **out, size_t *out_len,
                               struct proto_session_call **call);

/* The same with a given ephemeral secret and nonce, for test vectors and
 * other implementations checking theirs; never reuse either. */
int proto_session_seal_request_with(const struct proto_session_self *self,
                                    const uint8_t peer_key_id[LS_KEY_ID_BYTES],
                                    const uint8_t peer_pk[LS_PUBKEY_BYTES],
                                    int64_t now, const uint8_t *plain,
                                    size_t len, const uint8_t eph_sk[32],
                                    const uint8_t nonce[LS_SESSION_NONCE_BYTES],
                                    uint8_t **out, size_t *out_len,
                                    struct proto_session_call **call);

/*
 * Open the reply to `call`. LS_OK with *plain (caller's). A refusal frame
 * returns the code the peer sent (LS_EREPLAY, LS_EKEY, ...; it is not
 * authenticated: treat it as advice, change nothing) with details in *e.
 * LS_EDECODE (malformed), LS_EDENIED (not the reply to this request),
 * LS_ESIG (authentication failed), LS_ENOMEM.
 */
int proto_session_open_reply(const struct proto_session_call *call,
                             const uint8_t *msg, size_t len, uint8_t **plain,
                             size_t *plain_len, struct ls_errinfo *e);

void proto_session_call_free(struct proto_session_call *call);

/* What an opened request tells the server. */
struct ls_session_request {
	uint8_t sender_key_id[LS_KEY_ID_BYTES];
	char sender[LS_NODE_ID_SIZE]; /* the sender's node id (roster) */
	int64_t ts;
	uint8_t nonce[LS_SESSION_NONCE_BYTES];
	uint8_t digest[32]; /* BLAKE2b-256 of the whole frame */
};

/* Server state for sealing the reply to one request. */
struct proto_session_reply;

/*
 * Open a request frame addressed to self, checking in this order:
 * size (LS_ELIMIT), structure (LS_EDECODE), version and kind
 * (LS_EDECODE), recipient is self (LS_EDENIED), timestamp within the
 * window of now (LS_EREPLAY), sender key in the roster (LS_EKEY) and
 * allowed to hold a session now (LS_EDENIED: a federation key;
 * LS_EEXPIRED; LS_EREVOKED: revoked or left), then the AEAD (LS_ESIG).
 * On success *plain, *info and *reply are set (caller's); on failure none.
 */
int proto_session_open_request(const struct proto_session_self *self,
                               const struct ls_roster *roster, int64_t now,
                               const uint8_t *msg, size_t len,
                               struct ls_session_request *info, uint8_t **plain,
                               size_t *plain_len,
                               struct proto_session_reply **reply,
                               struct ls_errinfo *e);

/* Seal a reply (plaintext at most LS_SYNC_MSG_MAX bytes). May be called
 * more than once (each with a fresh ephemeral). */
int proto_session_seal_reply(const struct proto_session_reply *reply,
                             const uint8_t *plain, size_t len, uint8_t **out,
                             size_t *out_len);

/* The same with a given ephemeral secret (test vectors). */
int proto_session_seal_reply_with(const struct proto_session_reply *reply,
                                  const uint8_t *plain, size_t len,
                                  const uint8_t eph_sk[32], uint8_t **out,
                                  size_t *out_len);

void proto_session_reply_free(struct proto_session_reply *reply);

/* An unauthenticated refusal frame: [version, 3, wire code, now]. */
int proto_session_encode_refusal(int code, int64_t now, uint8_t **out,
                                 size_t *out_len);

/* The kind of a frame (enum ls_session_kind) from its first bytes, or 0
 * if it is not one; for logging and dispatch only. */
int proto_session_frame_kind(const uint8_t *msg, size_t len);

#endif
