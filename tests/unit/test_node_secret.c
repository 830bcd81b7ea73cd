/* node/secret: the web secret file (made once, refused when bad, never
 * replaced) and the key of an owner's kept web queue derived from it
 * (node_web_queue_key): one key per owner, unrelated keys for any other
 * owner or secret, framed fields, pinned by a vector computed outside C
 * (Python's hashlib.blake2b over the framed input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/text.h"
#include "node/secret.h"
#include "tests/unit/fixture.h"

static uint8_t secret_a[NODE_SECRET_BYTES];
static uint8_t secret_b[NODE_SECRET_BYTES];

static void init_secrets(void)
{
	for (int i = 0; i < NODE_SECRET_BYTES; i++) {
		secret_a[i] = (uint8_t)i;
		secret_b[i] = (uint8_t)(i + 1);
	}
}

static void key_of(const uint8_t *secret, const char *role, const char *org,
                   const char *person, uint8_t out[NODE_WEB_QUEUE_KEY_BYTES])
{
	assert_int_equal(node_web_queue_key(secret, role, org, person, out),
	                 LS_OK);
}

/* The same owner always gets the same key; the key is pinned. */
static void test_key_same_owner_same_key(void **state)
{
	uint8_t k1[NODE_WEB_QUEUE_KEY_BYTES], k2[NODE_WEB_QUEUE_KEY_BYTES];
	char hex[2 * NODE_WEB_QUEUE_KEY_BYTES + 1];
	(void)state;
	init_secrets();
	key_of(secret_a, "veldwerker", "CLB Noord", "mw-12", k1);
	key_of(secret_a, "veldwerker", "CLB Noord", "mw-12", k2);
	assert_memory_equal(k1, k2, sizeof k1);
	/* BLAKE2b-256 keyed with bytes 0..31 over
	 * len4("ls-web-queue-v1") len4("veldwerker") len4("CLB Noord")
	 * len4("mw-12"), lengths 4 bytes big-endian (hashlib.blake2b) */
	ls_hex_encode(k1, sizeof k1, hex);
	assert_string_equal(hex,
	                    "33cb2eb6987b1ca7062972619e7a4e2cbe3ec3108ab901"
	                    "6cf1cd84d3eb6969dd");
	/* the key is not the secret, nor a part of it */
	assert_memory_not_equal(k1, secret_a, sizeof k1);
}

/* Any field different, or another secret: another key. */
static void test_key_any_field_changes_it(void **state)
{
	static const char *const owners[][3] = {
	    {"veldwerker", "CLB Noord", "mw-12"},
	    {"coordinator", "CLB Noord", "mw-12"},
	    {"veldwerker", "CLB Zuid", "mw-12"},
	    {"veldwerker", "CLB Noord", "mw-13"},
	    {"veldwerker", "CLB Noord", ""},
	    {"veldwerker", "", "mw-12"},
	    {"veldwerker", "", ""},
	    {"", "", ""},
	    {"veldwerker", "clb noord", "mw-12"}, /* case counts */
	    {"veldwerker", "CLB Noord ", "mw-12"},
	};
	const size_t n = sizeof owners / sizeof owners[0];
	uint8_t keys[sizeof owners / sizeof owners[0]]
	            [NODE_WEB_QUEUE_KEY_BYTES];
	uint8_t other[NODE_WEB_QUEUE_KEY_BYTES];
	(void)state;
	init_secrets();
	for (size_t i = 0; i < n; i++)
		key_of(secret_a, owners[i][0], owners[i][1], owners[i][2],
		       keys[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_memory_not_equal(keys[i], keys[j],
			                        NODE_WEB_QUEUE_KEY_BYTES);
	/* another node's secret: another key for the same owner */
	key_of(secret_b, owners[0][0], owners[0][1], owners[0][2], other);
	assert_memory_not_equal(keys[0], other, sizeof other);
}

/* Fields are framed: moving a boundary is another owner. */
static void test_key_framing(void **state)
{
	uint8_t k1[NODE_WEB_QUEUE_KEY_BYTES], k2[NODE_WEB_QUEUE_KEY_BYTES];
	(void)state;
	init_secrets();
	key_of(secret_a, "veldwerker", "a", "bc", k1);
	key_of(secret_a, "veldwerker", "ab", "c", k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	key_of(secret_a, "veldwerkera", "", "bc", k1);
	key_of(secret_a, "veldwerker", "a", "bc", k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	/* a separator inside a field does not fake a boundary */
	key_of(secret_a, "veldwerker", "a\nb", "c", k1);
	key_of(secret_a, "veldwerker", "a", "b\nc", k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	key_of(secret_a, "veldwerker", "", "ab", k1);
	key_of(secret_a, "veldwerker", "ab", "", k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	/* a missing field is refused, not taken as "" */
	assert_int_equal(
	    node_web_queue_key(secret_a, "veldwerker", NULL, "", k1),
	    LS_EINVAL);
	assert_int_equal(node_web_queue_key(secret_a, NULL, "", "", k1),
	                 LS_EINVAL);
	assert_int_equal(node_web_queue_key(secret_a, "", "", NULL, k1),
	                 LS_EINVAL);
}

/* The version names the secret, not an owner: one per secret. */
static void test_version(void **state)
{
	uint8_t va[NODE_WEB_QUEUE_VERSION_BYTES],
	    vb[NODE_WEB_QUEUE_VERSION_BYTES];
	char hex[2 * NODE_WEB_QUEUE_VERSION_BYTES + 1];
	(void)state;
	init_secrets();
	node_web_queue_version(secret_a, va);
	node_web_queue_version(secret_b, vb);
	assert_memory_not_equal(va, vb, sizeof va);
	ls_hex_encode(va, sizeof va, hex);
	assert_string_equal(hex, "4b48e1a9d3b13fa0");
}

/* The file written with its mode, or the test fails. */
#define write_file(path, text, mode)                                           \
	assert_int_equal(fixture_write((path), (text), (mode_t)(mode)), 0)

static char *read_text(const char *path)
{
	static char buf[1024];
	FILE *fp = fopen(path, "r");
	size_t n;
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

/* keys/web.secret: no key without it; made once (0600) when asked,
 * then the same bytes on every load; and the key follows the file. */
static void test_web_secret_file(void **state)
{
	char dir[64], keys[128], path[160];
	struct ls_errinfo e;
	uint8_t *a = NULL, *b = NULL;
	uint8_t ka[NODE_WEB_QUEUE_KEY_BYTES], kb[NODE_WEB_QUEUE_KEY_BYTES];
	struct stat st;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(keys, sizeof keys, "%s/keys", dir);
	snprintf(path, sizeof path, "%s/web.secret", keys);

	/* no keys folder: nothing made, nothing loaded */
	assert_int_equal(node_secret_load(&node_secret_web, path, 1, &a, &e),
	                 LS_ENOTFOUND);
	assert_null(a);
	assert_int_equal(mkdir(keys, 0700), 0);
	/* absent and not to be made: no secret, hence no key */
	assert_int_equal(node_secret_load(&node_secret_web, path, 0, &a, &e),
	                 LS_ENOTFOUND);
	assert_null(a);
	assert_int_equal(stat(path, &st), -1);

	assert_int_equal(node_secret_load(&node_secret_web, path, 1, &a, &e),
	                 LS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(strstr(read_text(path), "\nweb_secret="));
	assert_int_equal(node_secret_load(&node_secret_web, path, 1, &b, &e),
	                 LS_OK);
	assert_memory_equal(a, b, NODE_SECRET_BYTES);
	key_of(a, "veldwerker", "CLB Noord", "mw-12", ka);
	key_of(b, "veldwerker", "CLB Noord", "mw-12", kb);
	assert_memory_equal(ka, kb, sizeof ka);
	node_secret_free(a);
	node_secret_free(b);
	node_secret_free(NULL);
	fixture_rmdir(dir);
}

/* A bad file is refused with a message naming it, and left as it was:
 * never replaced by a new secret (that would lose every kept signal). */
static void test_web_secret_bad_file(void **state)
{
	static const char *const bad[] = {
	    "web_secret=1234\n",
	    "# only a comment\n",
	    "web_secret=zz00000000000000000000000000000000000000000000000000"
	    "000000000000\n",
	    "web_secret=000000000000000000000000000000000000000000000000000000"
	    "0000000000\nweb_secret=0000000000000000000000000000000000000000"
	    "000000000000000000000000\n",
	    /* the noise secret's field is not the web secret's */
	    "noise_secret=00000000000000000000000000000000000000000000000000"
	    "00000000000000\n",
	    "web_secret_x=0000000000000000000000000000000000000000000000000"
	    "000000000000000\n",
	    "",
	};
	char dir[64], path[160], before[1024];
	struct ls_errinfo e;
	uint8_t *a = NULL;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/web.secret", dir);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(path, bad[i], 0600);
		snprintf(before, sizeof before, "%s", read_text(path));
		memset(&e, 0, sizeof e);
		assert_int_equal(
		    node_secret_load(&node_secret_web, path, 1, &a, &e),
		    LS_EDECODE);
		assert_null(a);
		assert_non_null(strstr(e.msg, path));
		assert_non_null(strstr(e.msg, "websignalen"));
		assert_string_equal(read_text(path), before);
	}
	/* readable by others: refused, named, not replaced */
	write_file(path,
	           "web_secret=0000000000000000000000000000000000000000000000"
	           "000000000000000000\n",
	           0644);
	memset(&e, 0, sizeof e);
	assert_int_equal(node_secret_load(&node_secret_web, path, 1, &a, &e),
	                 LS_EDENIED);
	assert_null(a);
	assert_non_null(strstr(e.msg, path));
	/* and a good one is read: all zeros is still 32 bytes */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(node_secret_load(&node_secret_web, path, 0, &a, &e),
	                 LS_OK);
	node_secret_free(a);
	/* the noise loader refuses a web secret file: kinds do not mix */
	assert_int_equal(node_noise_secret_load(path, 0, &a, &e), LS_EDECODE);
	fixture_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_same_owner_same_key),
	    cmocka_unit_test(test_key_any_field_changes_it),
	    cmocka_unit_test(test_key_framing),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_web_secret_file),
	    cmocka_unit_test(test_web_secret_bad_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
