/*
 * The node's noise secret: the 32 random bytes that key the noise of
 * every cell in noise mode (core/noise.h, docs/DISCLOSURE.md 4.5).
 *
 * It lives in DIR/keys/noise.secret beside the node key: mode 0600, a
 * text file like a key file,
 *
 *   # Lokaal Signaal noise secret ...
 *   noise_secret=<64 hex digits>
 *
 * made once, at the first release that needs it, and never changed. It is
 * key material: whoever holds it and a released noisy value can test
 * guesses of the true count, so it is read into sodium_malloc memory,
 * wiped after use, never printed and never in a document or the audit log
 * (the log names it by a fingerprint, node_noise_secret_id()). Back it up
 * with keys/node.key: a node that loses it keeps its privacy guarantee
 * (every release is paid in the ledger) but can no longer regenerate a
 * released summary byte for byte, and a correction re-draws every cell
 * instead of the changed ones.
 */
#ifndef LS_NODE_SECRET_H
#define LS_NODE_SECRET_H

#include <stdint.h>

#include "common/err.h"
#include "core/noise.h"

/* The file, relative to the node directory. */
#define NODE_NOISE_SECRET_FILE "keys/noise.secret"
#define NODE_NOISE_SECRET_ID_BYTES 8

/*
 * Read the secret at path into *out (NOISE_SECRET_BYTES of sodium_malloc
 * memory, the caller's: node_noise_secret_free). If the file does not
 * exist and create is 1, make it first (32 bytes from randombytes_buf,
 * written to a temporary file, fsynced and linked into place, so that a
 * concurrent creator never sees half a file and exactly one secret wins).
 * LS_ENOTFOUND (absent and !create, or no keys folder), LS_EDENIED (the
 * file is readable by group or others), LS_EDECODE (not a secret file),
 * LS_EIO, LS_ENOMEM; details in *e.
 */
int node_noise_secret_load(const char *path, int create, uint8_t **out,
                           struct ls_errinfo *e);

/* Wipe and free; NULL is a no-op. */
void node_noise_secret_free(uint8_t *secret);

/* A fingerprint that names the secret without revealing it: the first 8
 * bytes of BLAKE2b-256 keyed with the secret over "ls-noise-secret-id". */
void node_noise_secret_id(const uint8_t secret[NOISE_SECRET_BYTES],
                          uint8_t out[NODE_NOISE_SECRET_ID_BYTES]);

#endif
