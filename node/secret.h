/*
 * The node's 32-byte secrets: each a small text file under DIR/keys/,
 * mode 0600, made once at its first need and never changed,
 *
 *   # Lokaal Signaal ... secret of this node ...
 *   <field>=<64 hex digits>
 *
 * read into sodium_malloc memory, wiped after use, never printed and
 * never in a document or the audit log. One loader serves every kind
 * (struct node_secret_kind names the file's field and how messages call
 * it); back them all up with keys/node.key.
 *
 * The kinds:
 *
 * - noise (keys/noise.secret; keys/secagg.secret has the same format):
 *   keys the noise of every cell in noise mode (core/noise.h,
 *   docs/DISCLOSURE.md 4.5). Whoever holds it and a released noisy value
 *   can test guesses of the true count; the audit log names it by a
 *   fingerprint, node_noise_secret_id(). A node that loses it keeps its
 *   privacy guarantee (every release is paid in the ledger) but can no
 *   longer regenerate a released summary byte for byte, and a correction
 *   re-draws every cell instead of the changed ones.
 *
 * - web (keys/web.secret): keys the web queue keys. The pages keep a
 *   signal not yet sent in the browser; when its maker signs out and
 *   keeps it, the page seals it (AES-GCM) under a key that only a valid
 *   token of the same owner (role, organisation, person) receives from
 *   /api/v1/me: node_web_queue_key() (docs/WEB.md, docs/API.md). A node
 *   that loses this secret cannot open the signals kept in browsers
 *   any more; restoring the file from the backup opens them again.
 */
#ifndef LS_NODE_SECRET_H
#define LS_NODE_SECRET_H

#include <stdint.h>

#include "common/err.h"
#include "core/noise.h"

#define NODE_SECRET_BYTES 32

/* What a secret file is: the line's field ("noise_secret") and the
 * Dutch name of the secret in messages ("ruissleutel"). */
struct node_secret_kind {
	const char *field;
	const char *what_nl;
	const char *comment; /* the file's first line, after "# " */
};

extern const struct node_secret_kind node_secret_noise;
extern const struct node_secret_kind node_secret_web;

/* The files, relative to the node directory. */
#define NODE_NOISE_SECRET_FILE "keys/noise.secret"
#define NODE_WEB_SECRET_FILE "keys/web.secret"
#define NODE_NOISE_SECRET_ID_BYTES 8

/*
 * Read the secret of this kind at path into *out (NODE_SECRET_BYTES of
 * sodium_malloc memory, the caller's: node_secret_free). If the file
 * does not exist and create is 1, make it first (32 bytes from
 * randombytes_buf, written to a temporary file, fsynced and linked into
 * place, so that a concurrent creator never sees half a file and exactly
 * one secret wins). A file that exists is never replaced. LS_ENOTFOUND
 * (absent and !create, or no keys folder), LS_EDENIED (the file is
 * readable by group or others), LS_EDECODE (not a secret file of this
 * kind), LS_EIO, LS_ENOMEM; details (Dutch, naming the file) in *e.
 */
int node_secret_load(const struct node_secret_kind *kind, const char *path,
                     int create, uint8_t **out, struct ls_errinfo *e);

/* Wipe and free; NULL is a no-op. */
void node_secret_free(uint8_t *secret);

/* node_secret_load() of the noise kind. */
int node_noise_secret_load(const char *path, int create, uint8_t **out,
                           struct ls_errinfo *e);

/* node_secret_free(). */
void node_noise_secret_free(uint8_t *secret);

/* A fingerprint that names the secret without revealing it: the first 8
 * bytes of BLAKE2b-256 keyed with the secret over "ls-noise-secret-id". */
void node_noise_secret_id(const uint8_t secret[NOISE_SECRET_BYTES],
                          uint8_t out[NODE_NOISE_SECRET_ID_BYTES]);

/* --- the web queue key ------------------------------------------------- */

#define NODE_WEB_QUEUE_KEY_BYTES 32
#define NODE_WEB_QUEUE_VERSION_BYTES 8

/*
 * The key that seals an owner's kept signals in a browser: BLAKE2b-256
 * keyed with the web secret over the domain "ls-web-queue-v1" and the
 * owner (the role's name, the organisation, the person: "" when none),
 * each field framed by its length (4 bytes, big-endian), so that no two
 * different owners give the same input. Every token of one owner gets
 * the same key (a new token opens what the old one kept); any other
 * owner, and anyone without the secret, gets an unrelated one.
 * LS_EINVAL when a field is NULL.
 */
int node_web_queue_key(const uint8_t secret[NODE_SECRET_BYTES],
                       const char *role, const char *organisation,
                       const char *person,
                       uint8_t out[NODE_WEB_QUEUE_KEY_BYTES]);

/* A fingerprint of the web secret (BLAKE2b keyed with it over
 * "ls-web-secret-id", 8 bytes): sealed items carry it, so that a page
 * can tell an item sealed under a secret this node no longer has from
 * another person's. It says nothing about any owner. */
void node_web_queue_version(const uint8_t secret[NODE_SECRET_BYTES],
                            uint8_t out[NODE_WEB_QUEUE_VERSION_BYTES]);

#endif
