/* common/: error table, allocation fault injection, text helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/path.h"
#include "common/prom.h"
#include "common/text.h"
#include "tests/unit/fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_error_table_is_complete(void **state)
{
	(void)state;
	for (int code = 0; code < LS_ERR_COUNT_; code++) {
		assert_true(strlen(ls_strerror(code)) > 0);
		assert_true(strlen(ls_strerror_nl(code)) > 0);
		assert_true(strlen(ls_errname(code)) > 0);
		assert_string_not_equal(ls_errname(code), "unknown");
	}
	assert_string_equal(ls_errname(LS_ESIG), "sig");
	assert_string_equal(ls_errname(-1), "unknown");
	assert_string_equal(ls_errname(LS_ERR_COUNT_), "unknown");
}

static void test_errf_records_and_returns_code(void **state)
{
	struct ls_errinfo e;
	(void)state;
	ls_errinfo_clear(&e);
	assert_int_equal(ls_errf(&e, LS_EINVAL, "line %d", 7), LS_EINVAL);
	assert_int_equal(e.code, LS_EINVAL);
	assert_string_equal(e.msg, "line 7");
	assert_int_equal(ls_errf(NULL, LS_EIO, "ignored"), LS_EIO);
	/* Wrapping the message in context reads what it writes over. */
	assert_int_equal(ls_errf(&e, LS_ECONFIG, "file.ini: %s", e.msg),
	                 LS_ECONFIG);
	assert_string_equal(e.msg, "file.ini: line 7");
}

static void test_alloc_fault_injection(void **state)
{
	void *a, *b;
	(void)state;
	ls_alloc_fail_nth(2);
	a = ls_malloc(8);
	b = ls_malloc(8);
	assert_non_null(a);
	assert_null(b);
	assert_int_equal(ls_alloc_fail_nth(0), 2);
	ls_free(a);
	assert_null(ls_calloc(SIZE_MAX / 2, 4)); /* overflow is refused */
}

static void test_parse_i64_is_strict(void **state)
{
	int64_t v;
	(void)state;
	assert_int_equal(ls_parse_i64("42", 0, 100, &v), LS_OK);
	assert_int_equal(v, 42);
	assert_int_equal(
	    ls_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v),
	    LS_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(
	    ls_parse_i64("9223372036854775808", INT64_MIN, INT64_MAX, &v),
	    LS_EINVAL);
	assert_int_equal(ls_parse_i64("101", 0, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64("", 0, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64("-", -5, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64(" 1", 0, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64("1x", 0, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64("-1", 0, 100, &v), LS_EINVAL);
	assert_int_equal(ls_parse_i64("5", -10, -1, &v), LS_EINVAL);
}

static void test_hex_round_trip(void **state)
{
	uint8_t bytes[3] = {0x00, 0xab, 0xff}, back[3];
	char hex[7];
	(void)state;
	ls_hex_encode(bytes, 3, hex);
	assert_string_equal(hex, "00abff");
	assert_int_equal(ls_hex_decode("00ABff", back, 3), LS_OK);
	assert_memory_equal(bytes, back, 3);
	assert_int_equal(ls_hex_decode("00abf", back, 3), LS_EINVAL);
	assert_int_equal(ls_hex_decode("00abfg", back, 3), LS_EINVAL);
	/* Right length, but a separator or sign where a digit belongs. */
	assert_int_equal(ls_hex_decode("00 bff", back, 3), LS_EINVAL);
	assert_int_equal(ls_hex_decode(":0abff", back, 3), LS_EINVAL);
	assert_int_equal(ls_hex_decode("00abff0", back, 3), LS_EINVAL);
	assert_int_equal(ls_hex_decode("", back, 0), LS_OK);
}

static void test_array_grow(void **state)
{
	size_t cap = 0;
	int *v = NULL, *grown;
	(void)state;
	/* The first block holds `first` items; then it doubles. */
	grown = ls_array_grow(v, &cap, 1, sizeof *v, 4);
	assert_non_null(grown);
	assert_int_equal(cap, 4);
	v = grown;
	assert_ptr_equal(ls_array_grow(v, &cap, 4, sizeof *v, 4), v);
	v[3] = 7;
	grown = ls_array_grow(v, &cap, 9, sizeof *v, 4);
	assert_non_null(grown);
	assert_int_equal(cap, 16);
	v = grown;
	assert_int_equal(v[3], 7);
	/* Overflow and out of memory: NULL, array and cap unchanged. */
	assert_null(ls_array_grow(v, &cap, SIZE_MAX / 2, sizeof *v, 4));
	assert_int_equal(cap, 16);
	ls_alloc_fail_nth(1);
	assert_null(ls_array_grow(v, &cap, 17, sizeof *v, 4));
	ls_alloc_fail_nth(0);
	assert_int_equal(cap, 16);
	assert_int_equal(v[3], 7);
	ls_free(v);
}

static void test_alloc_failures_are_counted(void **state)
{
	unsigned long before = ls_alloc_failures();
	json_error_t err;
	json_t *doc;
	(void)state;
	ls_free(ls_malloc(8));
	assert_int_equal(ls_alloc_failures(), before);
	ls_alloc_fail_nth(1);
	assert_null(ls_malloc(8));
	assert_int_equal(ls_alloc_failures(), before + 1);
	/* jansson allocates through the wrappers (hooked at start). */
	ls_alloc_fail_nth(1);
	doc = json_loads("{\"a\": [1, 2, 3]}", 0, &err);
	ls_alloc_fail_nth(0);
	assert_null(doc);
	assert_int_equal(ls_alloc_failures(), before + 2);
}

static void test_path_join(void **state)
{
	char out[20];
	(void)state;
	assert_int_equal(ls_path_join("/srv/n", "signaal.db", out, sizeof out),
	                 LS_OK);
	assert_string_equal(out, "/srv/n/signaal.db");
	/* An absolute value is taken as it is. */
	assert_int_equal(ls_path_join("/srv/n", "/var/x.db", out, sizeof out),
	                 LS_OK);
	assert_string_equal(out, "/var/x.db");
	/* Too long: an error and an empty string, never a cut path. */
	assert_int_equal(
	    ls_path_join("/srv/node", "keys/node.key.x", out, sizeof out),
	    LS_ELIMIT);
	assert_string_equal(out, "");
}

static void test_utf8_validation(void **state)
{
	(void)state;
	assert_true(ls_utf8_valid("Eeklo", 5));
	assert_true(ls_utf8_valid("caf\xc3\xa9", 5));
	assert_true(ls_utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(ls_utf8_valid("caf\xc3", 4));          /* truncated */
	assert_false(ls_utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(ls_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(ls_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(ls_utf8_valid("a\0b", 3));             /* NUL */
}

static void test_log_level_parse(void **state)
{
	enum ls_log_level level;
	(void)state;
	assert_int_equal(ls_log_level_parse("warn", &level), LS_OK);
	assert_int_equal(level, LS_LOG_WARN);
	assert_int_equal(ls_log_level_parse("loud", &level), LS_EINVAL);
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(ls_write_all(fd, text, strlen(text)), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void test_file_read_small(void **state)
{
	char dir[64], path[128], buf[16];
	struct ls_errinfo e;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);

	assert_int_equal(ls_file_read_small(path, 0, "x", buf, sizeof buf, &e),
	                 LS_ENOTFOUND);
	assert_int_equal(ls_file_read_small(dir, 0, "x", buf, sizeof buf, &e),
	                 LS_EIO);
	assert_non_null(strstr(e.msg, "geen gewoon bestand"));
	put(path, "geheim\n", 0644);
	assert_int_equal(
	    ls_file_read_small(path, 1, "sleutel", buf, sizeof buf, &e),
	    LS_EDENIED);
	assert_non_null(strstr(e.msg, "chmod 600"));
	assert_int_equal(ls_file_read_small(path, 0, "x", buf, sizeof buf, &e),
	                 LS_OK);
	assert_string_equal(buf, "geheim\n");
	put(path, "geheim\n", 0600);
	assert_int_equal(ls_file_read_small(path, 1, "x", buf, sizeof buf, &e),
	                 LS_OK);
	/* size - 1 bytes or more is too large: the cap is a hard limit. */
	put(path, "0123456789abcde", 0600);
	assert_int_equal(
	    ls_file_read_small(path, 1, "sleutel", buf, sizeof buf, &e),
	    LS_EDECODE);
	assert_non_null(strstr(e.msg, "te groot voor een sleutel"));
	put(path, "0123456789abcd", 0600);
	assert_int_equal(ls_file_read_small(path, 1, "x", buf, sizeof buf, &e),
	                 LS_OK);
	assert_int_equal(ls_fsync_dir_of(path), 0);
	assert_int_equal(unlink(path), 0);
	fixture_rmdir(dir);
}

static void test_file_write_atomic_and_read_all(void **state)
{
	char dir[64], path[128];
	struct stat st;
	size_t len;
	char *text;
	(void)state;
	fixture_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);

	assert_int_equal(ls_file_write_atomic(path, "een", 3, 0600, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Without replace an existing file stays as it is. */
	assert_int_equal(ls_file_write_atomic(path, "twee", 4, 0644, 0),
	                 LS_EEXISTS);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(ls_file_read_all(path, 16, &text, &len), LS_OK);
	assert_non_null(text);
	assert_int_equal(len, 3);
	assert_string_equal(text, "een");
	ls_free(text);
	/* With replace it is replaced whole. */
	assert_int_equal(ls_file_write_atomic(path, "twee", 4, 0640, 1), 0);
	assert_int_equal(ls_file_read_all(path, 4, &text, &len), LS_OK);
	assert_non_null(text);
	assert_string_equal(text, "twee");
	ls_free(text);
	/* More than max bytes: LS_ELIMIT (EFBIG), nothing returned. */
	assert_int_equal(ls_file_read_all(path, 3, &text, &len), LS_ELIMIT);
	assert_int_equal(errno, EFBIG);
	assert_null(text);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ls_file_read_all(path, 3, &text, &len), LS_ENOTFOUND);
	assert_int_equal(errno, ENOENT);
	assert_null(text);
	/* A folder that does not exist: an error, no temporary file left. */
	snprintf(path, sizeof path, "%s/nope/f", dir);
	assert_int_equal(ls_file_write_atomic(path, "x", 1, 0600, 1),
	                 LS_ENOTFOUND);
	fixture_rmdir(dir);
}

/* The one Prometheus text writer: names, escaping, value spelling. */
static void test_prom_text(void **state)
{
	static const char *const labels[] = {"peer", "reason"};
	const char *values[] = {"a\"b\\c\nd", NULL};
	struct ls_buf b;
	char *out;
	(void)state;
	assert_true(ls_prom_name_valid("signaal:up_total", 1));
	assert_false(ls_prom_name_valid("signaal:up", 0));
	assert_false(ls_prom_name_valid("9lives", 1));
	assert_false(ls_prom_name_valid("a-b", 1));
	assert_false(ls_prom_name_valid("", 1));
	assert_false(ls_prom_name_valid(NULL, 1));
	ls_buf_init(&b, 0);
	ls_prom_family(&b, "x_total", "counter", "Says \"hi\" \\ twice\nok");
	ls_prom_sample(&b, "x_total", labels, values, 2, 3);
	ls_prom_sample(&b, "x_total", NULL, NULL, 0, 0.5);
	ls_prom_sample(&b, "x_total", labels, values, 1, 1.0 / 0.0);
	ls_prom_sample(&b, "x_total", NULL, NULL, 0, -1.0 / 0.0);
	ls_prom_sample(&b, "x_total", NULL, NULL, 0, 0.0 / 0.0);
	ls_prom_sample(&b, "x_total", NULL, NULL, 0, 9007199254740992.0);
	out = ls_buf_take(&b, NULL);
	assert_non_null(out);
	assert_string_equal(out,
	                    "# HELP x_total Says \"hi\" \\\\ twice\\nok\n"
	                    "# TYPE x_total counter\n"
	                    "x_total{peer=\"a\\\"b\\\\c\\nd\",reason=\"\"} 3\n"
	                    "x_total 0.5\n"
	                    "x_total{peer=\"a\\\"b\\\\c\\nd\"} +Inf\n"
	                    "x_total -Inf\n"
	                    "x_total NaN\n"
	                    "x_total 9.00719925e+15\n");
	ls_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_table_is_complete),
	    cmocka_unit_test(test_prom_text),
	    cmocka_unit_test(test_errf_records_and_returns_code),
	    cmocka_unit_test(test_alloc_fault_injection),
	    cmocka_unit_test(test_parse_i64_is_strict),
	    cmocka_unit_test(test_hex_round_trip),
	    cmocka_unit_test(test_path_join),
	    cmocka_unit_test(test_array_grow),
	    cmocka_unit_test(test_alloc_failures_are_counted),
	    cmocka_unit_test(test_utf8_validation),
	    cmocka_unit_test(test_log_level_parse),
	    cmocka_unit_test(test_file_read_small),
	    cmocka_unit_test(test_file_write_atomic_and_read_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
