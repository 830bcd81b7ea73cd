/*
 * The noise secret file: read it (refusing a file others may read), or
 * make it once. Creation writes a uniquely named temporary file in the
 * same folder, fsyncs it, and link()s it to the final name: link fails if
 * the name exists, so of two processes creating at once exactly one
 * wins and the other reads the winner's complete file. Every buffer that
 * holds the secret or its hex is sodium_malloc memory, wiped when freed.
 */
#include "node/secret.h"

#include "common/file.h"
#include "common/text.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SECRET_FILE_MAX 512
#define SECRET_FIELD "noise_secret="

/* Comment lines and exactly one "noise_secret=<64 hex>" line. */
static int parse_secret(char *text, const char *path, uint8_t *out,
                        struct ls_errinfo *e)
{
	char *save = NULL;
	int have = 0;
	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (have ||
		    strncmp(line, SECRET_FIELD, sizeof SECRET_FIELD - 1) != 0 ||
		    ls_hex_decode(line + sizeof SECRET_FIELD - 1, out,
		                  NOISE_SECRET_BYTES) != LS_OK)
			return ls_errf(e, LS_EDECODE,
			               "%s: geen geldige ruissleutel", path);
		have = 1;
	}
	if (!have)
		return ls_errf(e, LS_EDECODE, "%s: geen ruissleutel gevonden",
		               path);
	return LS_OK;
}

/* Make the file unless it exists. LS_OK also when another process made
 * it first (the caller then reads theirs). */
static int create_secret(const char *path, struct ls_errinfo *e)
{
	const size_t size = 256;
	uint8_t *bytes = sodium_malloc(NOISE_SECRET_BYTES);
	char *text = sodium_malloc(size);
	char *hex = sodium_malloc(2 * NOISE_SECRET_BYTES + 1);
	int rc = LS_OK;

	if (bytes == NULL || text == NULL || hex == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	randombytes_buf(bytes, NOISE_SECRET_BYTES);
	ls_hex_encode(bytes, NOISE_SECRET_BYTES, hex);
	snprintf(text, size,
	         "# Lokaal Signaal noise secret of this node. Never share it; "
	         "back it up with node.key.\n" SECRET_FIELD "%s\n",
	         hex);
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

int node_noise_secret_load(const char *path, int create, uint8_t **out,
                           struct ls_errinfo *e)
{
	char *text;
	uint8_t *secret;
	int rc;

	if (sodium_init() < 0)
		return ls_errf(e, LS_ECRYPTO, "libsodium start niet");
	text = sodium_malloc(SECRET_FILE_MAX);
	secret = sodium_malloc(NOISE_SECRET_BYTES);
	if (text == NULL || secret == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
		goto out;
	}
	rc = ls_file_read_small(path, 1, "ruissleutel", text, SECRET_FILE_MAX,
	                        e);
	if (rc == LS_ENOTFOUND && create) {
		if ((rc = create_secret(path, e)) != LS_OK)
			goto out;
		rc = ls_file_read_small(path, 1, "ruissleutel", text,
		                        SECRET_FILE_MAX, e);
	}
	if (rc != LS_OK)
		goto out;
	if ((rc = parse_secret(text, path, secret, e)) != LS_OK)
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

void node_noise_secret_free(uint8_t *secret)
{
	if (secret != NULL)
		sodium_free(secret);
}

void node_noise_secret_id(const uint8_t secret[NOISE_SECRET_BYTES],
                          uint8_t out[NODE_NOISE_SECRET_ID_BYTES])
{
	static const char tag[] = "ls-noise-secret-id";
	uint8_t h[32];
	crypto_generichash(h, sizeof h, (const uint8_t *)tag, sizeof tag - 1,
	                   secret, NOISE_SECRET_BYTES);
	memcpy(out, h, NODE_NOISE_SECRET_ID_BYTES);
	sodium_memzero(h, sizeof h);
}
