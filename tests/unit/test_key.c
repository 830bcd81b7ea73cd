/* proto/key: generation, key files, and refusal of unsafe or bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/key.h"
#include "tests/unit/fixture.h"

struct fixture {
	char dir[64];
	char sec[128];
	char pub[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/signaal-keytest.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->sec, sizeof f->sec, "%s/node.key", f->dir);
	snprintf(f->pub, sizeof f->pub, "%s/node.pub", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->sec);
	unlink(f->pub);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The file written with its mode, or the test fails. */
#define write_file(path, text, mode)                                           \
	assert_int_equal(fixture_write((path), (text), (mode_t)(mode)), 0)

static void test_generate_save_load_round_trip(void **state)
{
	struct fixture *f = *state;
	struct ls_keypair *kp, *back;
	uint8_t pk[LS_PUBKEY_BYTES], id[LS_KEY_ID_BYTES];
	struct stat st;

	assert_int_equal(proto_keypair_generate(&kp), LS_OK);
	assert_int_equal(proto_keypair_save(kp, f->sec, f->pub), LS_OK);
	assert_int_equal(stat(f->sec, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(proto_keypair_load(f->sec, &back, NULL), LS_OK);
	assert_memory_equal(kp->pk, back->pk, LS_PUBKEY_BYTES);
	assert_memory_equal(kp->sk, back->sk, LS_SECKEY_BYTES);
	assert_memory_equal(kp->key_id, back->key_id, LS_KEY_ID_BYTES);
	assert_int_equal(proto_pubkey_load(f->pub, pk, id, NULL), LS_OK);
	assert_memory_equal(kp->pk, pk, LS_PUBKEY_BYTES);
	/* Never overwrites an existing key. */
	assert_int_equal(proto_keypair_save(kp, f->sec, NULL), LS_EEXISTS);
	proto_keypair_free(kp);
	proto_keypair_free(back);
}

static void test_secret_readable_by_others_is_refused(void **state)
{
	struct fixture *f = *state;
	struct ls_keypair *kp, *back = NULL;
	struct ls_errinfo e;
	assert_int_equal(proto_keypair_generate(&kp), LS_OK);
	assert_int_equal(proto_keypair_save(kp, f->sec, NULL), LS_OK);
	chmod(f->sec, 0644);
	assert_int_equal(proto_keypair_load(f->sec, &back, &e), LS_EDENIED);
	assert_null(back);
	assert_non_null(strstr(e.msg, "chmod 600"));
	proto_keypair_free(kp);
}

static void test_malformed_and_mismatched_files_are_refused(void **state)
{
	struct fixture *f = *state;
	struct ls_keypair *kp, *back = NULL;
	char text[512], id_hex[LS_KEY_ID_HEX_SIZE], sk_hex[129];

	assert_int_equal(proto_keypair_generate(&kp), LS_OK);
	write_file(f->sec, "key_id=00\nsecret=zz\n", 0600);
	assert_int_equal(proto_keypair_load(f->sec, &back, NULL), LS_EDECODE);
	unlink(f->sec);
	write_file(f->sec, "hello\n", 0600);
	assert_int_equal(proto_keypair_load(f->sec, &back, NULL), LS_EDECODE);
	unlink(f->sec);

	/* Right format, wrong key id. */
	memset(id_hex, '0', 16);
	id_hex[16] = '\0';
	for (int i = 0; i < 64; i++)
		snprintf(sk_hex + 2 * i, 3, "%02x", kp->sk[i]);
	snprintf(text, sizeof text, "key_id=%s\nsecret=%s\n", id_hex, sk_hex);
	write_file(f->sec, text, 0600);
	assert_int_equal(proto_keypair_load(f->sec, &back, NULL), LS_EKEY);
	unlink(f->sec);

	/* Public half of the secret damaged. */
	sk_hex[127] = sk_hex[127] == '0' ? '1' : '0';
	snprintf(text, sizeof text, "key_id=%s\nsecret=%s\n", id_hex, sk_hex);
	write_file(f->sec, text, 0600);
	assert_int_equal(proto_keypair_load(f->sec, &back, NULL), LS_EKEY);
	assert_null(back);
	proto_keypair_free(kp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_generate_save_load_round_trip,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_secret_readable_by_others_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_malformed_and_mismatched_files_are_refused, setup,
	        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
