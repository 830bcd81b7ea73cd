/*
 * API tokens: text form, roles, hashing (see token.h for the choice of
 * BLAKE2b over a password hash). Parsing is exact: the prefix, two hex
 * runs of fixed length and one separator; anything else is refused
 * before any hashing happens.
 */
#include "core/token.h"
#include "common/text.h"
#include "core/signal.h"

#include <sodium.h>
#include <string.h>

/* Exactly 16 bytes: crypto_generichash_blake2b_PERSONALBYTES. */
static const unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] =
    "LokaalSignaalTk1";

static const char *const role_names[] = {
    [LS_TOKEN_VELDWERKER] = "veldwerker",
    [LS_TOKEN_COORDINATOR] = "coordinator",
    [LS_TOKEN_BEHEERDER] = "beheerder",
};

const char *ls_token_role_name(int role)
{
	if (role < LS_TOKEN_VELDWERKER || role > LS_TOKEN_BEHEERDER)
		return "?";
	return role_names[role];
}

int ls_token_role_parse(const char *text, int *role)
{
	for (int r = LS_TOKEN_VELDWERKER; r <= LS_TOKEN_BEHEERDER; r++) {
		if (strcmp(text, role_names[r]) == 0) {
			*role = r;
			return LS_OK;
		}
	}
	if (strcmp(text, "admin") == 0) {
		*role = LS_TOKEN_BEHEERDER;
		return LS_OK;
	}
	if (strcmp(text, "co\xc3\xb6rdinator") == 0) {
		*role = LS_TOKEN_COORDINATOR;
		return LS_OK;
	}
	return LS_EINVAL;
}

void ls_token_generate(uint8_t id[LS_TOKEN_ID_BYTES],
                       uint8_t secret[LS_TOKEN_SECRET_BYTES])
{
	randombytes_buf(id, LS_TOKEN_ID_BYTES);
	randombytes_buf(secret, LS_TOKEN_SECRET_BYTES);
}

void ls_token_format(const uint8_t id[LS_TOKEN_ID_BYTES],
                     const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                     char out[LS_TOKEN_TEXT_SIZE])
{
	size_t p = sizeof LS_TOKEN_PREFIX - 1;
	memcpy(out, LS_TOKEN_PREFIX, p);
	ls_hex_encode(id, LS_TOKEN_ID_BYTES, out + p);
	p += 2 * LS_TOKEN_ID_BYTES;
	out[p++] = '_';
	ls_hex_encode(secret, LS_TOKEN_SECRET_BYTES, out + p);
}

int ls_token_parse(const char *text, size_t len, uint8_t id[LS_TOKEN_ID_BYTES],
                   uint8_t secret[LS_TOKEN_SECRET_BYTES])
{
	const size_t pre = sizeof LS_TOKEN_PREFIX - 1;
	char idhex[2 * LS_TOKEN_ID_BYTES + 1];
	char sechex[2 * LS_TOKEN_SECRET_BYTES + 1];
	uint8_t tid[LS_TOKEN_ID_BYTES], tsec[LS_TOKEN_SECRET_BYTES];
	int rc = LS_EINVAL;

	if (len != LS_TOKEN_TEXT_LEN ||
	    memcmp(text, LS_TOKEN_PREFIX, pre) != 0 ||
	    text[pre + 2 * LS_TOKEN_ID_BYTES] != '_')
		return LS_EINVAL;
	memcpy(idhex, text + pre, 2 * LS_TOKEN_ID_BYTES);
	idhex[2 * LS_TOKEN_ID_BYTES] = '\0';
	memcpy(sechex, text + pre + 2 * LS_TOKEN_ID_BYTES + 1,
	       2 * LS_TOKEN_SECRET_BYTES);
	sechex[2 * LS_TOKEN_SECRET_BYTES] = '\0';
	if (ls_hex_decode(idhex, tid, sizeof tid) == LS_OK &&
	    ls_hex_decode(sechex, tsec, sizeof tsec) == LS_OK) {
		memcpy(id, tid, sizeof tid);
		memcpy(secret, tsec, sizeof tsec);
		rc = LS_OK;
	}
	sodium_memzero(sechex, sizeof sechex);
	sodium_memzero(tsec, sizeof tsec);
	return rc;
}

int ls_token_id_parse(const char *text, uint8_t id[LS_TOKEN_ID_BYTES])
{
	return ls_hex_decode(text, id, LS_TOKEN_ID_BYTES);
}

void ls_token_id_format(const uint8_t id[LS_TOKEN_ID_BYTES],
                        char out[LS_TOKEN_ID_HEX_SIZE])
{
	ls_hex_encode(id, LS_TOKEN_ID_BYTES, out);
}

void ls_token_hash(const uint8_t id[LS_TOKEN_ID_BYTES],
                   const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                   uint8_t out[LS_TOKEN_HASH_BYTES])
{
	unsigned char salt[crypto_generichash_blake2b_SALTBYTES] = {0};
	memcpy(salt, id, LS_TOKEN_ID_BYTES);
	/* Cannot fail with these fixed, valid sizes. */
	(void)crypto_generichash_blake2b_salt_personal(
	    out, LS_TOKEN_HASH_BYTES, secret, LS_TOKEN_SECRET_BYTES, NULL, 0,
	    salt, personal);
}

int ls_token_verify(const uint8_t id[LS_TOKEN_ID_BYTES],
                    const uint8_t secret[LS_TOKEN_SECRET_BYTES],
                    const uint8_t stored[LS_TOKEN_HASH_BYTES])
{
	uint8_t h[LS_TOKEN_HASH_BYTES];
	int same;
	ls_token_hash(id, secret, h);
	same = sodium_memcmp(h, stored, LS_TOKEN_HASH_BYTES) == 0;
	sodium_memzero(h, sizeof h);
	return same;
}

/* One text of a token: UTF-8, no control characters, no surrounding
 * spaces (it is compared byte for byte with the trimmed signal field). */
static int check_text(const char *what, const char *text, size_t max,
                      struct ls_errinfo *e)
{
	size_t len = strlen(text);
	int rc = ls_text_check(what, text, max, 0, 0, e);
	if (rc != LS_OK)
		return rc;
	if (len > 0 && (text[0] == ' ' || text[len - 1] == ' '))
		return ls_errf(
		    e, LS_EINVAL,
		    "%s mag niet met een spatie beginnen of eindigen", what);
	return LS_OK;
}

int ls_token_check(int role, const char *organisation, const char *person,
                   const char *label, struct ls_errinfo *e)
{
	int has_org = organisation != NULL && organisation[0] != '\0';
	int has_person = person != NULL && person[0] != '\0';
	int rc;
	if (role < LS_TOKEN_VELDWERKER || role > LS_TOKEN_BEHEERDER)
		return ls_errf(e, LS_EINVAL,
		               "onbekende rol (veldwerker, coordinator of "
		               "beheerder)");
	if (role == LS_TOKEN_VELDWERKER && !has_org)
		return ls_errf(e, LS_EINVAL,
		               "een token voor een veldwerker hoort bij een "
		               "organisatie: geef de organisatie");
	if (has_person && !has_org)
		return ls_errf(
		    e, LS_EINVAL,
		    "een persoon hoort bij een organisatie: geef ook "
		    "de organisatie");
	if (has_org && (rc = check_text("de organisatie", organisation,
	                                LS_ORGANISATION_MAX, e)) != LS_OK)
		return rc;
	if (has_person && (rc = check_text("de persoon", person,
	                                   LS_REPORTER_MAX, e)) != LS_OK)
		return rc;
	if (label != NULL && label[0] != '\0' &&
	    (rc = check_text("het label", label, LS_TOKEN_LABEL_MAX, e)) !=
	        LS_OK)
		return rc;
	return LS_OK;
}
