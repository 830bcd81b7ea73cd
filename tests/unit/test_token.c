/* core/token and store/token: the text form, hashing bound to the id,
 * constant-time verification, roles, the checks on a token's texts, and
 * the token table (add, get, list, revoke). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/text.h"
#include "core/token.h"
#include "fixture_store.h"
#include "store/token.h"

static void test_format_parse_roundtrip(void **state)
{
	uint8_t id[LS_TOKEN_ID_BYTES], sec[LS_TOKEN_SECRET_BYTES];
	uint8_t id2[LS_TOKEN_ID_BYTES], sec2[LS_TOKEN_SECRET_BYTES];
	char text[LS_TOKEN_TEXT_SIZE];
	(void)state;
	assert_true(sodium_init() >= 0);
	ls_token_generate(id, sec);
	ls_token_format(id, sec, text);
	assert_int_equal(strlen(text), LS_TOKEN_TEXT_LEN);
	assert_int_equal(strncmp(text, "lst1_", 5), 0);
	assert_int_equal(ls_token_parse(text, strlen(text), id2, sec2), LS_OK);
	assert_memory_equal(id, id2, sizeof id);
	assert_memory_equal(sec, sec2, sizeof sec);
}

static void test_parse_refuses_everything_else(void **state)
{
	uint8_t id[LS_TOKEN_ID_BYTES] = {0}, sec[LS_TOKEN_SECRET_BYTES] = {0};
	uint8_t zero_id[LS_TOKEN_ID_BYTES] = {0};
	char good[LS_TOKEN_TEXT_SIZE], bad[LS_TOKEN_TEXT_SIZE + 2];
	uint8_t gid[LS_TOKEN_ID_BYTES], gsec[LS_TOKEN_SECRET_BYTES];
	(void)state;
	ls_token_generate(gid, gsec);
	ls_token_format(gid, gsec, good);
	/* too short, too long, wrong prefix, wrong separator, not hex */
	assert_int_equal(ls_token_parse(good, LS_TOKEN_TEXT_LEN - 1, id, sec),
	                 LS_EINVAL);
	snprintf(bad, sizeof bad, "%sa", good);
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_EINVAL);
	memcpy(bad, good, sizeof good);
	bad[3] = '2';
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_EINVAL);
	memcpy(bad, good, sizeof good);
	bad[5 + 16] = '-';
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_EINVAL);
	memcpy(bad, good, sizeof good);
	bad[LS_TOKEN_TEXT_LEN - 1] = 'g';
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_EINVAL);
	memcpy(bad, good, sizeof good);
	bad[10] = ' ';
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_EINVAL);
	assert_int_equal(ls_token_parse("", 0, id, sec), LS_EINVAL);
	/* nothing was written on failure */
	assert_memory_equal(id, zero_id, sizeof id);
	/* upper-case hex is the same token */
	memcpy(bad, good, sizeof good);
	for (char *p = bad + 5; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	assert_int_equal(ls_token_parse(bad, strlen(bad), id, sec), LS_OK);
	assert_memory_equal(id, gid, sizeof id);
}

static void test_hash_is_bound_to_id_and_secret(void **state)
{
	uint8_t id[LS_TOKEN_ID_BYTES], sec[LS_TOKEN_SECRET_BYTES];
	uint8_t h[LS_TOKEN_HASH_BYTES], h2[LS_TOKEN_HASH_BYTES];
	uint8_t plain[LS_TOKEN_HASH_BYTES];
	(void)state;
	ls_token_generate(id, sec);
	ls_token_hash(id, sec, h);
	ls_token_hash(id, sec, h2);
	assert_memory_equal(h, h2, sizeof h); /* deterministic */
	assert_true(ls_token_verify(id, sec, h));
	/* another secret */
	sec[31] ^= 1;
	assert_false(ls_token_verify(id, sec, h));
	sec[31] ^= 1;
	/* the same secret under another id */
	id[0] ^= 1;
	assert_false(ls_token_verify(id, sec, h));
	id[0] ^= 1;
	/* not a plain hash of the secret (salted and personalised) */
	crypto_generichash(plain, sizeof plain, sec, sizeof sec, NULL, 0);
	assert_memory_not_equal(plain, h, sizeof h);
	/* a stored hash with one bit flipped */
	h[5] ^= 0x10;
	assert_false(ls_token_verify(id, sec, h));
}

static void test_roles(void **state)
{
	int r;
	(void)state;
	assert_int_equal(ls_token_role_parse("veldwerker", &r), LS_OK);
	assert_int_equal(r, LS_TOKEN_VELDWERKER);
	assert_int_equal(ls_token_role_parse("coordinator", &r), LS_OK);
	assert_int_equal(r, LS_TOKEN_COORDINATOR);
	assert_int_equal(ls_token_role_parse("co\xc3\xb6rdinator", &r), LS_OK);
	assert_int_equal(r, LS_TOKEN_COORDINATOR);
	assert_int_equal(ls_token_role_parse("beheerder", &r), LS_OK);
	assert_int_equal(r, LS_TOKEN_BEHEERDER);
	assert_int_equal(ls_token_role_parse("admin", &r), LS_OK);
	assert_int_equal(r, LS_TOKEN_BEHEERDER);
	assert_int_equal(ls_token_role_parse("root", &r), LS_EINVAL);
	assert_int_equal(ls_token_role_parse("", &r), LS_EINVAL);
	assert_string_equal(ls_token_role_name(LS_TOKEN_COORDINATOR),
	                    "coordinator");
	assert_string_equal(ls_token_role_name(0), "?");
	assert_string_equal(ls_token_role_name(4), "?");
}

static void test_check(void **state)
{
	struct ls_errinfo e;
	char long_org[LS_ORGANISATION_MAX + 2];
	(void)state;
	memset(long_org, 'x', sizeof long_org - 1);
	long_org[sizeof long_org - 1] = '\0';
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, "CLB", "mw-1", "tablet", &e),
	    LS_OK);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_COORDINATOR, NULL, NULL, NULL, &e), LS_OK);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, "", NULL, NULL, &e), LS_EINVAL);
	assert_non_null(strstr(e.msg, "organisatie"));
	assert_int_equal(
	    ls_token_check(LS_TOKEN_COORDINATOR, NULL, "mw-1", NULL, &e),
	    LS_EINVAL);
	assert_int_equal(ls_token_check(0, "CLB", NULL, NULL, &e), LS_EINVAL);
	assert_int_equal(ls_token_check(4, "CLB", NULL, NULL, &e), LS_EINVAL);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, long_org, NULL, NULL, &e),
	    LS_ELIMIT);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, " CLB", NULL, NULL, &e),
	    LS_EINVAL);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, "CLB\n", NULL, NULL, &e),
	    LS_EINVAL);
	assert_int_equal(
	    ls_token_check(LS_TOKEN_VELDWERKER, "CLB\xff", NULL, NULL, &e),
	    LS_EINVAL);
}

/* --- store ---------------------------------------------------------- */

FX_GLOBAL_STORE

static void make(struct store_token *t, int role, const char *org,
                 const char *person)
{
	uint8_t sec[LS_TOKEN_SECRET_BYTES];
	memset(t, 0, sizeof *t);
	ls_token_generate(t->id, sec);
	ls_token_hash(t->id, sec, t->hash);
	t->role = (uint8_t)role;
	snprintf(t->organisation, sizeof t->organisation, "%s", org);
	snprintf(t->person, sizeof t->person, "%s", person);
	snprintf(t->created_by, sizeof t->created_by, "test");
	t->created_at = 1000;
}

static int count_cb(void *ctx, const struct store_token *t)
{
	(void)t;
	(*(int *)ctx)++;
	return 0;
}

static void test_store_add_get_list_revoke(void **state)
{
	struct store_token a, b, got;
	struct ls_errinfo e;
	int n;
	(void)state;
	make(&a, LS_TOKEN_VELDWERKER, "CLB Noord", "mw-12");
	make(&b, LS_TOKEN_COORDINATOR, "", "");
	b.expires_at = 5000;
	assert_int_equal(store_token_add(f.s, &a, &e), LS_OK);
	assert_int_equal(store_token_add(f.s, &b, &e), LS_OK);

	assert_int_equal(store_token_get(f.s, a.id, &got), LS_OK);
	assert_memory_equal(got.hash, a.hash, LS_TOKEN_HASH_BYTES);
	assert_int_equal(got.role, LS_TOKEN_VELDWERKER);
	assert_string_equal(got.organisation, "CLB Noord");
	assert_string_equal(got.person, "mw-12");
	assert_string_equal(got.created_by, "test");
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.expires_at, 0);
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(store_token_get(f.s, b.id, &got), LS_OK);
	assert_string_equal(got.organisation, "");
	assert_int_equal(got.expires_at, 5000);

	n = 0;
	assert_int_equal(store_token_list(f.s, 0, count_cb, &n), LS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_token_revoke(f.s, a.id, 2000, &e), LS_OK);
	assert_int_equal(store_token_get(f.s, a.id, &got), LS_OK);
	assert_int_equal(got.revoked_at, 2000);
	n = 0;
	assert_int_equal(store_token_list(f.s, 0, count_cb, &n), LS_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(store_token_list(f.s, 1, count_cb, &n), LS_OK);
	assert_int_equal(n, 2);

	/* revoking twice changes nothing and says so */
	assert_int_equal(store_token_revoke(f.s, a.id, 3000, &e), LS_ESTATE);
	assert_int_equal(store_token_get(f.s, a.id, &got), LS_OK);
	assert_int_equal(got.revoked_at, 2000);
}

static void test_store_refuses_bad_tokens_unchanged(void **state)
{
	struct store_token a, dup;
	struct ls_errinfo e;
	uint8_t unknown[LS_TOKEN_ID_BYTES] = {1, 2, 3};
	char before[65], after[65];
	(void)state;
	make(&a, LS_TOKEN_BEHEERDER, "Stad", "");
	assert_int_equal(store_token_add(f.s, &a, &e), LS_OK);
	fx_digest(f.path, before);

	dup = a; /* same id */
	assert_int_equal(store_token_add(f.s, &dup, &e), LS_EEXISTS);
	make(&dup, LS_TOKEN_VELDWERKER, "", ""); /* no organisation */
	assert_int_equal(store_token_add(f.s, &dup, &e), LS_EINVAL);
	make(&dup, 7, "X", "");
	assert_int_equal(store_token_add(f.s, &dup, &e), LS_EINVAL);
	make(&dup, LS_TOKEN_COORDINATOR, "", "iemand");
	assert_int_equal(store_token_add(f.s, &dup, &e), LS_EINVAL);
	assert_int_equal(store_token_revoke(f.s, unknown, 1, &e), LS_ENOTFOUND);
	{
		struct store_token got;
		assert_int_equal(store_token_get(f.s, unknown, &got),
		                 LS_ENOTFOUND);
	}
	fx_digest(f.path, after);
	assert_string_equal(before, after);
}

static void test_store_keeps_only_the_hash(void **state)
{
	uint8_t id[LS_TOKEN_ID_BYTES], sec[LS_TOKEN_SECRET_BYTES];
	struct store_token t;
	struct ls_errinfo e;
	char text[LS_TOKEN_TEXT_SIZE], sechex[2 * LS_TOKEN_SECRET_BYTES + 1];
	(void)state;
	ls_token_generate(id, sec);
	memset(&t, 0, sizeof t);
	memcpy(t.id, id, sizeof id);
	ls_token_hash(id, sec, t.hash);
	t.role = LS_TOKEN_COORDINATOR;
	assert_int_equal(store_token_add(f.s, &t, &e), LS_OK);
	ls_token_format(id, sec, text);
	ls_hex_encode(sec, sizeof sec, sechex);
	assert_int_equal(store_checkpoint(f.s), LS_OK);
	assert_false(fx_store_files_contain(f.path, text));
	assert_false(fx_store_files_contain(f.path, sechex));
	{
		/* the raw secret bytes are not in the files either */
		char raw[LS_TOKEN_SECRET_BYTES + 1];
		memcpy(raw, sec, sizeof sec);
		raw[sizeof sec] = '\0';
		if (strlen(raw) == sizeof sec)
			assert_false(fx_store_files_contain(f.path, raw));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_parse_roundtrip),
	    cmocka_unit_test(test_parse_refuses_everything_else),
	    cmocka_unit_test(test_hash_is_bound_to_id_and_secret),
	    cmocka_unit_test(test_roles),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test_setup_teardown(test_store_add_get_list_revoke,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_store_refuses_bad_tokens_unchanged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_keeps_only_the_hash,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
