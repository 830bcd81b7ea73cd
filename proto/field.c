/*
 * Field helpers: each reader takes the str from the cursor, checks its
 * length against the destination before copying and its charset on the
 * raw bytes (so an embedded NUL cannot shorten what a later check sees),
 * then copies and NUL-terminates.
 */
#include "proto/field.h"
#include "common/text.h"
#include "proto/limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Character classes: bit 1 node id, bit 2 code. */
#define C_NODE 1
#define C_CODE 2
static const uint8_t char_class[256] = {
    ['-'] = C_NODE | C_CODE, ['_'] = C_CODE,          ['0'] = C_NODE | C_CODE,
    ['1'] = C_NODE | C_CODE, ['2'] = C_NODE | C_CODE, ['3'] = C_NODE | C_CODE,
    ['4'] = C_NODE | C_CODE, ['5'] = C_NODE | C_CODE, ['6'] = C_NODE | C_CODE,
    ['7'] = C_NODE | C_CODE, ['8'] = C_NODE | C_CODE, ['9'] = C_NODE | C_CODE,
    ['a'] = C_NODE | C_CODE, ['b'] = C_NODE | C_CODE, ['c'] = C_NODE | C_CODE,
    ['d'] = C_NODE | C_CODE, ['e'] = C_NODE | C_CODE, ['f'] = C_NODE | C_CODE,
    ['g'] = C_NODE | C_CODE, ['h'] = C_NODE | C_CODE, ['i'] = C_NODE | C_CODE,
    ['j'] = C_NODE | C_CODE, ['k'] = C_NODE | C_CODE, ['l'] = C_NODE | C_CODE,
    ['m'] = C_NODE | C_CODE, ['n'] = C_NODE | C_CODE, ['o'] = C_NODE | C_CODE,
    ['p'] = C_NODE | C_CODE, ['q'] = C_NODE | C_CODE, ['r'] = C_NODE | C_CODE,
    ['s'] = C_NODE | C_CODE, ['t'] = C_NODE | C_CODE, ['u'] = C_NODE | C_CODE,
    ['v'] = C_NODE | C_CODE, ['w'] = C_NODE | C_CODE, ['x'] = C_NODE | C_CODE,
    ['y'] = C_NODE | C_CODE, ['z'] = C_NODE | C_CODE,
};

static int class_valid(const char *s, size_t len, size_t max, uint8_t cls)
{
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(char_class[(unsigned char)s[i]] & cls))
			return 0;
	return 1;
}

int field_node_id_valid(const char *s, size_t len)
{
	return class_valid(s, len, LS_NODE_ID_MAX, C_NODE);
}

int field_code_valid(const char *s, size_t len)
{
	return class_valid(s, len, LS_CODE_MAX, C_CODE);
}

int field_text_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return ls_utf8_valid(s, len);
}

/* A str of a character class into out, checked while copied. */
static int read_class(struct mp_reader *r, char *out, size_t max, uint8_t cls,
                      int allow_empty)
{
	const char *s;
	size_t len;
	int rc = mp_read_str(r, max, &s, &len);
	if (rc != LS_OK)
		return rc;
	if (len == 0 && !allow_empty)
		return LS_EDECODE;
	for (size_t i = 0; i < len; i++) {
		if (!(char_class[(unsigned char)s[i]] & cls))
			return LS_EDECODE;
		out[i] = s[i];
	}
	out[len] = '\0';
	return LS_OK;
}

int field_read_node_id(struct mp_reader *r, char *out)
{
	return read_class(r, out, LS_NODE_ID_MAX, C_NODE, 0);
}

int field_read_code(struct mp_reader *r, char *out, int allow_empty)
{
	return read_class(r, out, LS_CODE_MAX, C_CODE, allow_empty);
}

int field_read_text(struct mp_reader *r, char *out, size_t min, size_t max)
{
	const char *s;
	size_t len;
	int rc = mp_read_str(r, max, &s, &len);
	if (rc != LS_OK)
		return rc;
	if (len < min || !field_text_valid(s, len))
		return LS_EDECODE;
	memcpy(out, s, len);
	out[len] = '\0';
	return LS_OK;
}

int field_err(struct ls_errinfo *e, int rc, const struct mp_reader *r,
              const char *fmt, ...)
{
	char what[256];
	va_list ap;
	if (e == NULL)
		return rc;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (r != NULL)
		return ls_errf(e, rc, "%s: %s (byte %zu)", what,
		               ls_strerror(rc), mp_offset(r));
	return ls_errf(e, rc, "%s: %s", what, ls_strerror(rc));
}

int field_map_done(struct ls_errinfo *e, const struct mp_reader *r,
                   const struct mp_map *m, uint64_t required, const char *what)
{
	int missing = 0;
	if (mp_map_require(m, required, &missing) != LS_OK)
		return field_err(e, LS_EDECODE, r, "%s: field %d missing", what,
		                 missing);
	return LS_OK;
}

int field_unknown(struct ls_errinfo *e, struct mp_reader *r, int key,
                  const char *what)
{
	int rc;
	if (key < MP_KEY_EXT_FIRST)
		return field_err(e, LS_EDECODE, r, "%s: unknown field %d", what,
		                 key);
	rc = mp_skip(r, LS_MP_MAX_DEPTH);
	if (rc != LS_OK)
		return field_err(e, rc, r, "%s: extension field %d", what, key);
	return LS_OK;
}

int field_invalid(struct ls_errinfo *e, int rc)
{
	if (rc != LS_EINVAL)
		return rc;
	if (e != NULL)
		e->code = LS_EDECODE;
	return LS_EDECODE;
}
