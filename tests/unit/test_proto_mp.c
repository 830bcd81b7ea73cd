/* proto/mp: the bounded msgpack cursor and the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "core/taxonomy.h"
#include "proto/field.h"
#include "proto/limits.h"
#include "proto/mp.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define READER(r, ...)                                                         \
	do {                                                                   \
		static const uint8_t buf_[] = {__VA_ARGS__};                   \
		proto_mp_reader_init(r, buf_, sizeof buf_);                    \
	} while (0)

static void test_integers_in_every_format(void **state)
{
	struct mp_reader r;
	uint64_t u;
	int64_t i;
	(void)state;
	READER(&r, 0x05, 0xcc, 0xff, 0xcd, 0x01, 0x00, 0xce, 0, 1, 0, 0, 0xcf,
	       0, 0, 0, 1, 0, 0, 0, 0, 0xd0, 0x7f);
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_int_equal(u, 5);
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_int_equal(u, 255);
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_int_equal(u, 256);
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_int_equal(u, 65536);
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_true(u == 4294967296ULL);
	/* a non-negative int8 is a fine unsigned */
	assert_int_equal(proto_mp_read_uint(&r, 0, UINT64_MAX, &u), LS_OK);
	assert_int_equal(u, 127);
	assert_int_equal(proto_mp_read_end(&r), LS_OK);

	READER(&r, 0xff, 0xd0, 0x80, 0xd1, 0x80, 0x00, 0xd3, 0x80, 0, 0, 0, 0,
	       0, 0, 0, 0xd2, 0xff, 0xff, 0xff, 0xfe);
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_OK);
	assert_int_equal(i, -1);
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_OK);
	assert_int_equal(i, -128);
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_OK);
	assert_int_equal(i, -32768);
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_OK);
	assert_true(i == INT64_MIN);
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_OK);
	assert_int_equal(i, -2);
}

static void test_integers_out_of_range_or_wrong_type(void **state)
{
	struct mp_reader r;
	uint64_t u = 77;
	int64_t i;
	(void)state;
	READER(&r, 0xff); /* -1 is not unsigned */
	assert_int_equal(proto_mp_read_uint(&r, 0, 10, &u), LS_EDECODE);
	assert_int_equal(u, 77);
	READER(&r, 0x0b);
	assert_int_equal(proto_mp_read_uint(&r, 0, 10, &u), LS_EDECODE);
	READER(&r, 0x00);
	assert_int_equal(proto_mp_read_uint(&r, 1, 10, &u), LS_EDECODE);
	READER(&r, 0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0); /* 2^63 > INT64_MAX */
	assert_int_equal(proto_mp_read_int(&r, INT64_MIN, INT64_MAX, &i),
	                 LS_EDECODE);
	READER(&r, 0xa1, 'x'); /* a str is no integer */
	assert_int_equal(proto_mp_read_uint(&r, 0, 10, &u), LS_EDECODE);
	READER(&r, 0xca, 0, 0, 0, 0); /* nor is a float */
	assert_int_equal(proto_mp_read_uint(&r, 0, 10, &u), LS_EDECODE);
	READER(&r, 0xcd, 0x01); /* truncated */
	assert_int_equal(proto_mp_read_uint(&r, 0, 1000, &u), LS_EDECODE);
	proto_mp_reader_init(&r, NULL, 0); /* empty */
	assert_int_equal(proto_mp_read_uint(&r, 0, 1000, &u), LS_EDECODE);
}

static void test_strings_and_binaries(void **state)
{
	struct mp_reader r;
	const char *s;
	const uint8_t *b;
	size_t len;
	(void)state;
	READER(&r, 0xa3, 'a', 'b', 'c', 0xd9, 0x02, 'h', 'i', 0xc4, 0x01, 0x09);
	assert_int_equal(proto_mp_read_str(&r, 10, &s, &len), LS_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "abc", 3);
	assert_int_equal(proto_mp_read_str(&r, 10, &s, &len), LS_OK);
	assert_int_equal(len, 2);
	assert_int_equal(proto_mp_read_bin(&r, 10, &b, &len), LS_OK);
	assert_int_equal(b[0], 9);

	READER(&r, 0xa3, 'a', 'b', 'c');
	assert_int_equal(proto_mp_read_str(&r, 2, &s, &len), LS_ELIMIT);
	READER(&r, 0xa3, 'a', 'b'); /* shorter than declared */
	assert_int_equal(proto_mp_read_str(&r, 10, &s, &len), LS_EDECODE);
	READER(&r, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a'); /* 4 GiB claimed */
	assert_int_equal(proto_mp_read_str(&r, UINT32_MAX, &s, &len),
	                 LS_EDECODE);
	READER(&r, 0xc4, 0x01, 0x00); /* bin is not str */
	assert_int_equal(proto_mp_read_str(&r, 10, &s, &len), LS_EDECODE);
	READER(&r, 0xa1, 'x'); /* str is not bin */
	assert_int_equal(proto_mp_read_bin(&r, 10, &b, &len), LS_EDECODE);
	READER(&r, 0xc4, 0x02, 1, 2); /* wrong fixed length */
	assert_int_equal(proto_mp_read_bin_exact(&r, 3, &b), LS_EDECODE);
	READER(&r, 0xc4, 0x04, 1, 2, 3, 4);
	assert_int_equal(proto_mp_read_bin_exact(&r, 3, &b), LS_EDECODE);
}

static void test_counts_are_checked_against_bytes_left(void **state)
{
	struct mp_reader r;
	uint32_t n;
	struct mp_map m;
	(void)state;
	/* The classic: 5 bytes that claim 16 Mi elements. */
	READER(&r, 0xdd, 0x01, 0x00, 0x00, 0x00);
	assert_int_equal(proto_mp_read_array(&r, UINT32_MAX, 1, &n), LS_ELIMIT);
	READER(&r, 0x93, 1, 2, 3);
	assert_int_equal(proto_mp_read_array(&r, 2, 1, &n), LS_ELIMIT);
	READER(&r, 0x93, 1, 2, 3);
	assert_int_equal(proto_mp_read_array(&r, 3, 1, &n), LS_OK);
	assert_int_equal(n, 3);
	/* each element at least 2 bytes: 3 elements need 6 */
	READER(&r, 0x93, 1, 2, 3);
	assert_int_equal(proto_mp_read_array(&r, 3, 2, &n), LS_ELIMIT);
	READER(&r, 0xdf, 0x00, 0x01, 0x00, 0x00, 0, 0);
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_ELIMIT);
	READER(&r, 0x82, 0x00, 0x01);
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_ELIMIT);
	READER(&r, 0x92, 1, 2);
	assert_int_equal(proto_mp_read_array_exact(&r, 3), LS_EDECODE);
}

static void test_map_key_rules(void **state)
{
	struct mp_reader r;
	struct mp_map m;
	int key, missing;
	(void)state;
	/* ascending fixint keys: fine; core keys recorded */
	READER(&r, 0x83, 0x00, 0x01, 0x02, 0x02, 0x40, 0xc0);
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(key, 0);
	assert_int_equal(proto_mp_skip(&r, 1), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(key, 2);
	assert_int_equal(proto_mp_skip(&r, 1), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(key, 64);
	/* the extension field is skipped, a core one refused */
	assert_int_equal(proto_mp_map_unknown(&r, key), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(key, -1);
	assert_int_equal(proto_mp_map_require(&m, 0x5, &missing), LS_OK);
	assert_int_equal(proto_mp_map_require(&m, 0x7, &missing), LS_EDECODE);
	assert_int_equal(missing, 1);
	READER(&r, 0x0a, 0x00);
	assert_int_equal(proto_mp_map_unknown(&r, 10), LS_EDECODE);

	READER(&r, 0x82, 0x01, 0x00, 0x01, 0x00); /* duplicate */
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(proto_mp_skip(&r, 1), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_EDECODE);
	READER(&r, 0x82, 0x02, 0x00, 0x01, 0x00); /* descending */
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
	assert_int_equal(proto_mp_skip(&r, 1), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_EDECODE);
	READER(&r, 0x81, 0xa1, 'k', 0x00); /* string key */
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_EDECODE);
	READER(&r, 0x81, 0xcc, 0x05, 0x00); /* non-fixint encoding */
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_EDECODE);
}

static void test_skip_is_bounded(void **state)
{
	struct mp_reader r;
	uint8_t deep[LS_MP_MAX_DEPTH + 2];
	(void)state;
	memset(deep, 0x91, sizeof deep);
	deep[sizeof deep - 1] = 0xc0;
	proto_mp_reader_init(&r, deep, sizeof deep);
	assert_int_equal(proto_mp_skip(&r, LS_MP_MAX_DEPTH), LS_ELIMIT);
	proto_mp_reader_init(&r, deep + 2, sizeof deep - 2);
	assert_int_equal(proto_mp_skip(&r, LS_MP_MAX_DEPTH), LS_OK);
	assert_int_equal(proto_mp_read_end(&r), LS_OK);
	/* every type, including ext and float */
	READER(&r, 0x94, 0xc7, 0x01, 0x05, 0xaa, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0,
	       0xd4, 0x01, 0x02, 0x81, 0xa1, 'k', 0xc3);
	assert_int_equal(proto_mp_skip(&r, 2), LS_OK);
	assert_int_equal(proto_mp_read_end(&r), LS_OK);
	READER(&r, 0xc1);
	assert_int_equal(proto_mp_skip(&r, 2), LS_EDECODE);
	READER(&r, 0xc7, 0x05, 0x01, 0x00);
	assert_int_equal(proto_mp_skip(&r, 2), LS_EDECODE);
	READER(&r, 0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0);
	assert_int_equal(proto_mp_skip(&r, 2), LS_ELIMIT);
	READER(&r, 0xc0, 0xc0);
	assert_int_equal(proto_mp_skip(&r, 2), LS_OK);
	assert_int_equal(proto_mp_read_end(&r), LS_EDECODE); /* trailing */
}

static void test_writer_round_trip_and_limits(void **state)
{
	struct mp_writer w;
	struct mp_reader r;
	uint8_t *out;
	size_t len;
	int64_t i;
	uint64_t u;
	const char *s;
	const uint8_t *b;
	int flag;
	(void)state;
	proto_mp_writer_init(&w, 1024);
	proto_mp_write_array(&w, 5);
	proto_mp_write_int(&w, -300);
	proto_mp_write_uint(&w, 70000);
	proto_mp_write_cstr(&w, "gent");
	proto_mp_write_bin(&w, "\x01\x02", 2);
	proto_mp_write_bool(&w, 1);
	assert_int_equal(proto_mp_writer_finish(&w, &out, &len), LS_OK);
	proto_mp_reader_init(&r, out, len);
	assert_int_equal(proto_mp_read_array_exact(&r, 5), LS_OK);
	assert_int_equal(proto_mp_read_int(&r, -1000, 0, &i), LS_OK);
	assert_int_equal(i, -300);
	assert_int_equal(proto_mp_read_uint(&r, 0, 100000, &u), LS_OK);
	assert_int_equal(u, 70000);
	assert_int_equal(proto_mp_read_str(&r, 10, &s, &len), LS_OK);
	assert_int_equal(proto_mp_read_bin(&r, 10, &b, &len), LS_OK);
	assert_int_equal(proto_mp_read_bool(&r, &flag), LS_OK);
	assert_int_equal(flag, 1);
	assert_int_equal(proto_mp_read_end(&r), LS_OK);
	ls_free(out);

	/* over the maximum: refused, nothing handed out */
	proto_mp_writer_init(&w, 8);
	proto_mp_write_cstr(&w, "far too long for eight bytes");
	proto_mp_write_uint(&w, 1);
	out = NULL;
	assert_int_equal(proto_mp_writer_finish(&w, &out, &len), LS_ELIMIT);
	assert_null(out);

	/* allocation failure sticks */
	ls_alloc_fail_nth(1);
	proto_mp_writer_init(&w, 1024);
	proto_mp_write_cstr(&w, "x");
	assert_int_equal(proto_mp_writer_finish(&w, &out, &len), LS_ENOMEM);
	ls_alloc_fail_nth(0);
}

/* proto_field_read_code (its inline path, and the general reader it
 * hands everything else to) against the charset rule ls_code_valid:
 * every byte value at every position of codes of every length, as a
 * fixstr with and without bytes after it, and in a str8 (the general
 * reader). Accepted codes are copied whole and NUL-ended. */
static void read_one_code(const uint8_t *buf, size_t len, const char *code,
                          size_t n)
{
	struct mp_reader r;
	char out[LS_CODE_SIZE];
	int want = ls_code_valid(code, n);
	memset(out, 0x77, sizeof out);
	proto_mp_reader_init(&r, buf, len);
	assert_int_equal(proto_field_read_code(&r, out, 0),
	                 want ? LS_OK : LS_EDECODE);
	if (want) {
		assert_memory_equal(out, code, n);
		assert_int_equal(out[n], '\0');
		assert_ptr_equal(r.p, buf + (buf[0] == 0xd9 ? 2 : 1) + n);
	}
}

static void test_codes_are_checked_byte_for_byte(void **state)
{
	uint8_t buf[2 + LS_CODE_MAX + 40];
	char code[LS_CODE_MAX + 1];
	long checked = 0;
	(void)state;

	for (size_t n = 1; n <= LS_CODE_MAX; n++)
		for (size_t pos = 0; pos < n; pos++)
			for (int v = 0; v < 256; v++) {
				for (size_t i = 0; i < n; i++)
					code[i] = (char)('a' + i % 26);
				code[pos] = (char)v;
				memset(buf, 0xff, sizeof buf);
				buf[0] = (uint8_t)(0xa0 | n);
				memcpy(buf + 1, code, n);
				/* whole words readable, then only the code */
				read_one_code(buf, sizeof buf, code, n);
				read_one_code(buf, 1 + n, code, n);
				buf[0] = 0xd9; /* str8 */
				buf[1] = (uint8_t)n;
				memcpy(buf + 2, code, n);
				read_one_code(buf, 2 + n, code, n);
				checked++;
			}
	assert_int_equal(checked, 256L * LS_CODE_MAX * (LS_CODE_MAX + 1) / 2);
	{
		/* empty: only where allowed */
		static const uint8_t empty[] = {0xa0};
		struct mp_reader r;
		char out[LS_CODE_SIZE];
		proto_mp_reader_init(&r, empty, sizeof empty);
		assert_int_equal(proto_field_read_code(&r, out, 0), LS_EDECODE);
		proto_mp_reader_init(&r, empty, sizeof empty);
		assert_int_equal(proto_field_read_code(&r, out, 1), LS_OK);
		assert_int_equal(out[0], '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers_in_every_format),
	    cmocka_unit_test(test_integers_out_of_range_or_wrong_type),
	    cmocka_unit_test(test_strings_and_binaries),
	    cmocka_unit_test(test_counts_are_checked_against_bytes_left),
	    cmocka_unit_test(test_map_key_rules),
	    cmocka_unit_test(test_skip_is_bounded),
	    cmocka_unit_test(test_writer_round_trip_and_limits),
	    cmocka_unit_test(test_codes_are_checked_byte_for_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
