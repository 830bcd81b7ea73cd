/*
 * Key generation and key files.
 *
 * Happy path: generate -> save (secret 0600 via O_CREAT|O_EXCL, so a
 * key is never overwritten) -> later load, which checks the file mode,
 * the format, and that key id, public and secret halves agree.
 * Secrets are only ever in sodium_malloc memory or on the stack briefly,
 * and every stack copy is wiped with sodium_memzero.
 */
#include "proto/key.h"

#include "common/file.h"
#include "common/text.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A key file is a few short lines; anything longer is not one. */
#define KEY_FILE_MAX 1024

void proto_key_id(const uint8_t pk[LS_PUBKEY_BYTES],
                  uint8_t key_id[LS_KEY_ID_BYTES])
{
	uint8_t hash[32];
	crypto_generichash(hash, sizeof hash, pk, LS_PUBKEY_BYTES, NULL, 0);
	memcpy(key_id, hash, LS_KEY_ID_BYTES);
}

static struct ls_keypair *keypair_alloc(void)
{
	struct ls_keypair *kp;
	if (sodium_init() < 0)
		return NULL;
	kp = sodium_malloc(sizeof *kp);
	if (kp != NULL)
		sodium_memzero(kp, sizeof *kp);
	return kp;
}

int proto_keypair_generate(struct ls_keypair **out)
{
	struct ls_keypair *kp = keypair_alloc();
	if (kp == NULL)
		return LS_ENOMEM;
	if (crypto_sign_keypair(kp->pk, kp->sk) != 0) {
		proto_keypair_free(kp);
		return LS_ECRYPTO;
	}
	proto_key_id(kp->pk, kp->key_id);
	*out = kp;
	return LS_OK;
}

int proto_keypair_from_seed(const uint8_t seed[32], struct ls_keypair **out)
{
	struct ls_keypair *kp = keypair_alloc();
	if (kp == NULL)
		return LS_ENOMEM;
	if (crypto_sign_seed_keypair(kp->pk, kp->sk, seed) != 0) {
		proto_keypair_free(kp);
		return LS_ECRYPTO;
	}
	proto_key_id(kp->pk, kp->key_id);
	*out = kp;
	return LS_OK;
}

void proto_keypair_free(struct ls_keypair *kp)
{
	if (kp != NULL)
		sodium_free(kp); /* sodium_free wipes before releasing */
}

/* A key file never replaces another, nor is ever seen half-written. */
static int write_key_file(const char *path, unsigned mode, const char *text,
                          size_t len)
{
	int rc = ls_file_write_atomic(path, text, len, mode, 0);
	/* Any other failure is an I/O error to key generation's callers. */
	return rc == LS_OK || rc == LS_EEXISTS ? rc : LS_EIO;
}

int proto_keypair_save(const struct ls_keypair *kp, const char *secret_path,
                       const char *public_path)
{
	char id_hex[LS_KEY_ID_HEX_SIZE];
	char pk_hex[2 * LS_PUBKEY_BYTES + 1];
	int rc = LS_OK;

	ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, id_hex);
	ls_hex_encode(kp->pk, LS_PUBKEY_BYTES, pk_hex);
	if (secret_path != NULL) {
		/* The secret's text form lives in guarded memory too. */
		const size_t size = 256 + 2 * LS_SECKEY_BYTES;
		char *text = sodium_malloc(size);
		char *sk_hex = sodium_malloc(2 * LS_SECKEY_BYTES + 1);
		if (text == NULL || sk_hex == NULL) {
			rc = LS_ENOMEM;
		} else {
			ls_hex_encode(kp->sk, LS_SECKEY_BYTES, sk_hex);
			snprintf(text, size,
			         "# Lokaal Signaal Ed25519 secret key. Keep "
			         "private: mode 0600, never copy it.\n"
			         "key_id=%s\nsecret=%s\n",
			         id_hex, sk_hex);
			rc = write_key_file(secret_path, 0600, text,
			                    strlen(text));
		}
		if (text != NULL)
			sodium_free(text);
		if (sk_hex != NULL)
			sodium_free(sk_hex);
		if (rc != LS_OK)
			return rc;
	}
	if (public_path != NULL) {
		char text[256];
		int n;
		n = snprintf(text, sizeof text,
		             "# Lokaal Signaal Ed25519 public key\n"
		             "key_id=%s\npublic=%s\n",
		             id_hex, pk_hex);
		rc = write_key_file(public_path, 0644, text, (size_t)n);
	}
	return rc;
}

/*
 * Parse "key_id=" and one "<field>=" line; comments and a final newline
 * allowed, nothing else. value must hold value_len bytes.
 */
static int parse_key_text(char *text, const char *path, const char *field,
                          uint8_t key_id[LS_KEY_ID_BYTES], uint8_t *value,
                          size_t value_len, struct ls_errinfo *e)
{
	int have_id = 0, have_value = 0, line_no = 0;
	size_t field_len = strlen(field);
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		line_no++;
		if (line[0] == '#')
			continue;
		if (strncmp(line, "key_id=", 7) == 0 && !have_id) {
			if (ls_hex_decode(line + 7, key_id, LS_KEY_ID_BYTES))
				goto bad_line;
			have_id = 1;
		} else if (strncmp(line, field, field_len) == 0 &&
		           line[field_len] == '=' && !have_value) {
			if (ls_hex_decode(line + field_len + 1, value,
			                  value_len))
				goto bad_line;
			have_value = 1;
		} else {
			goto bad_line;
		}
	}
	if (!have_id || !have_value)
		return ls_errf(e, LS_EDECODE, "%s: missing key_id or %s", path,
		               field);
	return LS_OK;
bad_line:
	return ls_errf(e, LS_EDECODE, "%s: line %d is not a valid key line",
	               path, line_no);
}

static int derive_public(const uint8_t sk[LS_SECKEY_BYTES],
                         uint8_t pk[LS_PUBKEY_BYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES];
	uint8_t sk2[LS_SECKEY_BYTES];
	int rc = LS_OK;
	if (crypto_sign_ed25519_sk_to_seed(seed, sk) != 0 ||
	    crypto_sign_seed_keypair(pk, sk2, seed) != 0)
		rc = LS_ECRYPTO;
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk2, sizeof sk2);
	return rc;
}

int proto_keypair_load(const char *secret_path, struct ls_keypair **out,
                       struct ls_errinfo *e)
{
	uint8_t file_id[LS_KEY_ID_BYTES];
	uint8_t derived_pk[LS_PUBKEY_BYTES];
	char *text;
	struct ls_keypair *kp;
	int rc;

	kp = keypair_alloc();
	text = sodium_malloc(KEY_FILE_MAX);
	if (kp == NULL || text == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "no memory for a key");
		goto out;
	}
	rc = ls_file_read_small(secret_path, 1, "geheime sleutel", text,
	                        KEY_FILE_MAX, e);
	if (rc != LS_OK)
		goto out;
	rc = parse_key_text(text, secret_path, "secret", file_id, kp->sk,
	                    LS_SECKEY_BYTES, e);
	if (rc != LS_OK)
		goto out;
	/* libsodium's secret is seed || public: re-derive the public half
	 * from the seed, so a damaged file cannot pair with a wrong key. */
	if (derive_public(kp->sk, derived_pk) != LS_OK ||
	    sodium_memcmp(derived_pk, kp->sk + 32, LS_PUBKEY_BYTES) != 0) {
		rc = ls_errf(e, LS_EKEY, "%s: secret key is inconsistent",
		             secret_path);
		goto out;
	}
	memcpy(kp->pk, derived_pk, LS_PUBKEY_BYTES);
	proto_key_id(kp->pk, kp->key_id);
	if (memcmp(file_id, kp->key_id, LS_KEY_ID_BYTES) != 0) {
		rc = ls_errf(e, LS_EKEY, "%s: key_id does not match the key",
		             secret_path);
		goto out;
	}
	*out = kp;
	kp = NULL;
out:
	if (text != NULL)
		sodium_free(text);
	proto_keypair_free(kp);
	return rc;
}

int proto_pubkey_load(const char *public_path, uint8_t pk[LS_PUBKEY_BYTES],
                      uint8_t key_id[LS_KEY_ID_BYTES], struct ls_errinfo *e)
{
	char text[KEY_FILE_MAX];
	uint8_t file_id[LS_KEY_ID_BYTES];
	int rc = ls_file_read_small(public_path, 0, "publieke sleutel", text,
	                            sizeof text, e);
	if (rc != LS_OK)
		return rc;
	rc = parse_key_text(text, public_path, "public", file_id, pk,
	                    LS_PUBKEY_BYTES, e);
	if (rc != LS_OK)
		return rc;
	proto_key_id(pk, key_id);
	if (memcmp(file_id, key_id, LS_KEY_ID_BYTES) != 0)
		return ls_errf(e, LS_EKEY, "%s: key_id does not match the key",
		               public_path);
	return LS_OK;
}
