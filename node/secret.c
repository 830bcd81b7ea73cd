/*
 * A node secret file: read it (refusing a file others may read), or
 * make it once. Creation writes a uniquely named temporary file in the
 * same folder, fsyncs it, and link()s it to the final name: link fails if
 * the name exists, so of two processes creating at once exactly one
 * wins and the other reads the winner's complete file. Every buffer that
 * holds the secret or its hex is sodium_malloc memory, wiped when freed.
 */
#include "node/secret.h"

#include "common/file.h"
#include "common/text.h"

#include <assert.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SECRET_FILE_MAX 512

_Static_assert(NOISE_SECRET_BYTES == NODE_SECRET_BYTES,
               "the noise secret is a node secret");

const struct node_secret_kind node_secret_noise = {
    .field = "noise_secret",
    .what_nl = "ruissleutel",
    .comment = "Lokaal Signaal noise secret of this node. Never share it; "
               "back it up with node.key.",
};

const struct node_secret_kind node_secret_web = {
    .field = "web_secret",
    .what_nl = "sleutel voor bewaarde websignalen",
    .comment = "Lokaal Signaal web queue secret of this node (opens the "
               "signals kept in browsers). Never share it; back it up "
               "with node.key.",
};

/* Comment lines and exactly one "<field>=<64 hex>" line. */
static int parse_secret(const struct node_secret_kind *kind, char *text,
                        const char *path, uint8_t *out, struct ls_errinfo *e)
{
	size_t flen = strlen(kind->field);
	char *save = NULL;
	int have = 0;
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (have || strncmp(line, kind->field, flen) != 0 ||
		    line[flen] != '=' ||
		    ls_hex_decode(line + flen + 1, out, NODE_SECRET_BYTES) !=
		        LS_OK)
			return ls_errf(e, LS_EDECODE, "%s: geen geldige %s",
			               path, kind->what_nl);
		have = 1;
	}
	if (!have)
		return ls_errf(e, LS_EDECODE, "%s: geen %s gevonden", path,
		               kind->what_nl);
	return LS_OK;
}

/* Make the file unless it exists. LS_OK also when another process made
 * it first (the caller then reads theirs). */
static int create_secret(const struct node_secret_kind *kind, const char *path,
                         struct ls_errinfo *e)
{
	const size_t size = SECRET_FILE_MAX;
	uint8_t *bytes = sodium_malloc(NODE_SECRET_BYTES);
	char *text = sodium_malloc(size);
	char *hex = sodium_malloc(2 * NODE_SECRET_BYTES + 1);
	int rc = LS_OK, n;

	if (bytes == NULL || text == NULL || hex == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	randombytes_buf(bytes, NODE_SECRET_BYTES);
	ls_hex_encode(bytes, NODE_SECRET_BYTES, hex);
	n = snprintf(text, size, "# %s\n%s=%s\n", kind->comment, kind->field,
	             hex);
	/* the kinds are ours: a comment that does not fit is a bug */
	assert(n > 0 && (size_t)n < size);
	/* Linked into place: of two processes creating at once, one wins
	 * and the other reads the winner's file. */
	rc = ls_file_write_atomic(path, text, strlen(text), 0600, 0);
	if (rc == LS_EEXISTS)
		rc = LS_OK;
	else if (rc != LS_OK)
		rc = ls_errf(e, rc, "kan %s niet maken: %s", path,
		             ls_errno_nl(errno));
out:
	if (bytes != NULL)
		sodium_free(bytes);
	if (text != NULL)
		sodium_free(text);
	if (hex != NULL)
		sodium_free(hex);
	return rc;
}

int node_secret_load(const struct node_secret_kind *kind, const char *path,
                     int create, uint8_t **out, struct ls_errinfo *e)
{
	char *text;
	uint8_t *secret;
	int rc;

	if (sodium_init() < 0)
		return ls_errf(e, LS_ECRYPTO, "libsodium start niet");
	text = sodium_malloc(SECRET_FILE_MAX);
	secret = sodium_malloc(NODE_SECRET_BYTES);
	if (text == NULL || secret == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	rc = ls_file_read_small(path, 1, kind->what_nl, text, SECRET_FILE_MAX,
	                        e);
	if (rc == LS_ENOTFOUND && create) {
		if ((rc = create_secret(kind, path, e)) != LS_OK)
			goto out;
		rc = ls_file_read_small(path, 1, kind->what_nl, text,
		                        SECRET_FILE_MAX, e);
	}
	if (rc != LS_OK)
		goto out;
	if ((rc = parse_secret(kind, text, path, secret, e)) != LS_OK)
		goto out;
	*out = secret;
	secret = NULL;
out:
	if (text != NULL)
		sodium_free(text);
	if (secret != NULL)
		sodium_free(secret);
	return rc;
}

void node_secret_free(uint8_t *secret)
{
	if (secret != NULL)
		sodium_free(secret);
}

int node_noise_secret_load(const char *path, int create, uint8_t **out,
                           struct ls_errinfo *e)
{
	return node_secret_load(&node_secret_noise, path, create, out, e);
}

void node_noise_secret_free(uint8_t *secret)
{
	node_secret_free(secret);
}

/* A fingerprint that names a secret without revealing it: the first n
 * (<= 32) bytes of BLAKE2b-256 keyed with the secret over tag. */
static void fingerprint(const uint8_t secret[NODE_SECRET_BYTES],
                        const char *tag, uint8_t *out, size_t n)
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, (const uint8_t *)tag, strlen(tag),
	                   secret, NODE_SECRET_BYTES);
	memcpy(out, h, n);
	sodium_memzero(h, sizeof h);
}

void node_noise_secret_id(const uint8_t secret[NOISE_SECRET_BYTES],
                          uint8_t out[NODE_NOISE_SECRET_ID_BYTES])
{
	fingerprint(secret, "ls-noise-secret-id", out,
	            NODE_NOISE_SECRET_ID_BYTES);
}

/* One field into the hash, framed by its length (4 bytes, big-endian):
 * "a" then "bc" and "ab" then "c" are different inputs. */
static void hash_field(crypto_generichash_state *h, const char *s)
{
	size_t n = strlen(s);
	uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
	                  (uint8_t)(n >> 8), (uint8_t)n};
	crypto_generichash_update(h, len, sizeof len);
	crypto_generichash_update(h, (const uint8_t *)s, n);
}

int node_web_queue_key(const uint8_t secret[NODE_SECRET_BYTES],
                       const char *role, const char *organisation,
                       const char *person,
                       uint8_t out[NODE_WEB_QUEUE_KEY_BYTES])
{
	crypto_generichash_state h;

	if (role == NULL || organisation == NULL || person == NULL)
		return LS_EINVAL;
	crypto_generichash_init(&h, secret, NODE_SECRET_BYTES,
	                        NODE_WEB_QUEUE_KEY_BYTES);
	hash_field(&h, "ls-web-queue-v1");
	hash_field(&h, role);
	hash_field(&h, organisation);
	hash_field(&h, person);
	crypto_generichash_final(&h, out, NODE_WEB_QUEUE_KEY_BYTES);
	sodium_memzero(&h, sizeof h);
	return LS_OK;
}

void node_web_queue_version(const uint8_t secret[NODE_SECRET_BYTES],
                            uint8_t out[NODE_WEB_QUEUE_VERSION_BYTES])
{
	fingerprint(secret, "ls-web-secret-id", out,
	            NODE_WEB_QUEUE_VERSION_BYTES);
}
