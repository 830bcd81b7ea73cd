/*
 * Field helpers shared by the document and message codecs (internal to
 * proto/): strict readers for node ids, codes and short texts into fixed
 * buffers, their validators, and error messages that name the field and
 * the byte offset.
 */
#ifndef LS_PROTO_FIELD_H
#define LS_PROTO_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/summary.h"
#include "core/taxonomy.h"
#include "proto/mp.h"

/* Charset rules (1 = valid). */
int proto_field_node_id_valid(const char *s, size_t len);
int proto_field_code_valid(const char *s, size_t len);
/* UTF-8 without control characters (U+0000..U+001F, U+007F). */
int proto_field_text_valid(const char *s, size_t len);

/* A node id into out (LS_NODE_ID_SIZE bytes). */
int proto_field_read_node_id(struct mp_reader *r, char *out);
/* A code into out (LS_CODE_SIZE bytes); "" only if allow_empty.
 * proto_field_read_code is inline for the common case, a fixstr of code
 * characters checked while it is copied (a summary has hundreds of
 * codes); every other input, and every failure, goes through
 * proto_field_read_code_any, which gives the verdict (same checks, same
 * errors). After a failure out holds unspecified bytes (callers return
 * the error and never read it). */
int proto_field_read_code_any(struct mp_reader *r, char *out, int allow_empty);
_Static_assert(LS_CODE_MAX <= 31, "a code fits a fixstr");
static inline int proto_field_read_code(struct mp_reader *r, char *out,
                                        int allow_empty)
{
	const uint8_t *p = r->p;
	if (p < r->end && (*p & 0xe0) == 0xa0) {
		size_t n = *p & 0x1f, i;
		unsigned all = LS_CODE_NEXT;
		/* n <= LS_CODE_MAX bounds the copy into out (a fixstr
		 * holds up to 31 bytes whatever LS_CODE_MAX is) */
		if (n == 0 || n > LS_CODE_MAX || n > (size_t)(r->end - p) - 1 ||
		    !(ls_code_chars[p[1]] & LS_CODE_FIRST))
			return proto_field_read_code_any(r, out, allow_empty);
		out[0] = (char)p[1];
		for (i = 1; i < n; i++) {
			all &= ls_code_chars[p[1 + i]];
			out[i] = (char)p[1 + i];
		}
		if (all == 0)
			return proto_field_read_code_any(r, out, allow_empty);
		out[n] = '\0';
		r->p = p + 1 + n;
		return LS_OK;
	}
	return proto_field_read_code_any(r, out, allow_empty);
}

/* Text of min..max bytes into out (max + 1 bytes). */
int proto_field_read_text(struct mp_reader *r, char *out, size_t min,
                          size_t max);

/* A period on the wire: [year 2000..2999, month 1..12, months 1..12].
 * what names the document in messages ("summary"). */
int proto_field_read_period(struct mp_reader *r, struct ls_period *p,
                            const char *what, struct ls_errinfo *e);

/* Record "<what>: <reason> (byte N)" in *e and return rc. r may be NULL
 * (no offset). */
int proto_field_err(struct ls_errinfo *e, int rc, const struct mp_reader *r,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A validation failure found while decoding is malformed input: turn
 * LS_EINVAL into LS_EDECODE (in *e too); other codes pass through. */
int proto_field_invalid(struct ls_errinfo *e, int rc);

/* Map helpers: the missing-field error, and "unknown core field". */
int proto_field_map_done(struct ls_errinfo *e, const struct mp_reader *r,
                         const struct mp_map *m, uint64_t required,
                         const char *what);

/* A map key the decoder does not know: a core key is refused ("<what>:
 * unknown field N"), an extension key's value is skipped. */
int proto_field_unknown(struct ls_errinfo *e, struct mp_reader *r, int key,
                        const char *what);

/* Return on the first failure of a reader call, naming the field. The
 * enclosing function must have `e` and `r` in scope. */
#define FIELD_TRY(call, ...)                                                   \
	do {                                                                   \
		int rc_ = (call);                                              \
		if (rc_ != LS_OK)                                              \
			return proto_field_err(e, rc_, r, __VA_ARGS__);        \
	} while (0)

#endif
