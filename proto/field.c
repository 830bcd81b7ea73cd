/*
 * Field helpers: each reader takes the str from the cursor, checks its
 * length against the destination before copying and its charset on the
 * raw bytes (so an embedded NUL cannot shorten what a later check sees),
 * then copies and NUL-terminates.
 */
#include "proto/field.h"
#include "common/text.h"
#include "core/member.h"
#include "core/period.h"
#include "core/taxonomy.h"
#include "proto/limits.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int proto_field_node_id_valid(const char *s, size_t len)
{
	return ls_node_id_valid(s, len);
}

int proto_field_code_valid(const char *s, size_t len)
{
	return ls_code_valid(s, len);
}

int proto_field_text_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return ls_utf8_valid(s, len);
}

/* A str into out (max bytes), then checked by valid() — on the copy,
 * after an embedded NUL would have been refused by valid() too. */
static int read_checked(struct mp_reader *r, char *out, size_t max,
                        int (*valid)(const char *, size_t), int allow_empty)
{
	const char *s;
	size_t len;
	int rc = proto_mp_read_str(r, max, &s, &len);
	if (rc != LS_OK)
		return rc;
	if (len == 0 && !allow_empty)
		return LS_EDECODE;
	if (len == 0)
		goto done;
	if (!valid(s, len))
		return LS_EDECODE;
	memcpy(out, s, len);
done:
	out[len] = '\0';
	return LS_OK;
}

int proto_field_read_node_id(struct mp_reader *r, char *out)
{
	return read_checked(r, out, LS_NODE_ID_MAX, ls_node_id_valid, 0);
}

int proto_field_read_code_any(struct mp_reader *r, char *out, int allow_empty)
{
	return read_checked(r, out, LS_CODE_MAX, ls_code_valid, allow_empty);
}

int proto_field_read_text(struct mp_reader *r, char *out, size_t min,
                          size_t max)
{
	const char *s;
	size_t len;
	int rc = proto_mp_read_str(r, max, &s, &len);
	if (rc != LS_OK)
		return rc;
	if (len < min || !proto_field_text_valid(s, len))
		return LS_EDECODE;
	memcpy(out, s, len);
	out[len] = '\0';
	return LS_OK;
}

int proto_field_err(struct ls_errinfo *e, int rc, const struct mp_reader *r,
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
		               ls_strerror(rc), proto_mp_offset(r));
	return ls_errf(e, rc, "%s: %s", what, ls_strerror(rc));
}

int proto_field_map_done(struct ls_errinfo *e, const struct mp_reader *r,
                         const struct mp_map *m, uint64_t required,
                         const char *what)
{
	int missing = 0;
	if (proto_mp_map_require(m, required, &missing) != LS_OK)
		return proto_field_err(e, LS_EDECODE, r, "%s: field %d missing",
		                       what, missing);
	return LS_OK;
}

int proto_field_unknown(struct ls_errinfo *e, struct mp_reader *r, int key,
                        const char *what)
{
	int rc;
	if (key < MP_KEY_EXT_FIRST)
		return proto_field_err(e, LS_EDECODE, r, "%s: unknown field %d",
		                       what, key);
	rc = proto_mp_skip(r, LS_MP_MAX_DEPTH);
	if (rc != LS_OK)
		return proto_field_err(e, rc, r, "%s: extension field %d", what,
		                       key);
	return LS_OK;
}

int proto_field_invalid(struct ls_errinfo *e, int rc)
{
	if (rc != LS_EINVAL)
		return rc;
	if (e != NULL)
		e->code = LS_EDECODE;
	return LS_EDECODE;
}

int proto_field_read_period(struct mp_reader *r, struct ls_period *p,
                            const char *what, struct ls_errinfo *e)
{
	uint32_t y, m, n;
	FIELD_TRY(proto_mp_read_array_exact(r, 3), "%s: period", what);
	FIELD_TRY(proto_mp_read_u32(r, LS_YEAR_MIN, LS_YEAR_MAX, &y),
	          "%s: period year", what);
	FIELD_TRY(proto_mp_read_u32(r, 1, 12, &m), "%s: period month", what);
	FIELD_TRY(proto_mp_read_u32(r, 1, 12, &n), "%s: period months", what);
	p->year = (int32_t)y;
	p->month = (int32_t)m;
	p->months = (int32_t)n;
	return LS_OK;
}
