/*
 * Growing buffer: capacity doubles (from 256 bytes) so appends are
 * amortised O(1); the first failure is remembered and turns every later
 * call into a no-op, so renderers check once at the end.
 */
#include "common/buf.h"
#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ls_buf_init(struct ls_buf *b, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
}

void ls_buf_fini(struct ls_buf *b)
{
	size_t limit = b->limit;
	ls_free(b->data);
	ls_buf_init(b, limit);
}

int ls_buf_error(const struct ls_buf *b)
{
	return b->err;
}

/* Make room for `more` bytes plus the terminating NUL. */
static int reserve(struct ls_buf *b, size_t more)
{
	size_t need, cap;
	char *p;
	if (b->err != LS_OK)
		return 0;
	if (more > SIZE_MAX / 2 - b->len ||
	    (b->limit != 0 && b->len + more > b->limit)) {
		b->err = LS_ELIMIT;
		return 0;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = ls_realloc(b->data, cap);
	if (p == NULL) {
		b->err = LS_ENOMEM;
		return 0;
	}
	b->data = p;
	b->cap = cap;
	return 1;
}

void ls_buf_add(struct ls_buf *b, const void *data, size_t len)
{
	if (len == 0 || !reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

int ls_buf_append_cb(const char *data, size_t size, void *arg)
{
	struct ls_buf *b = arg;
	ls_buf_add(b, data, size);
	return b->err == LS_OK ? 0 : -1;
}

void ls_buf_puts(struct ls_buf *b, const char *s)
{
	if (s != NULL)
		ls_buf_add(b, s, strlen(s));
}

void ls_buf_printf(struct ls_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	if (b->err != LS_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = LS_EINTERNAL;
		return;
	}
	if ((size_t)n < sizeof small) {
		ls_buf_add(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the UTF-8 sequence starting at s (at most left bytes) if it
 * is well-formed, else 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80             ? 1
	           : (s[0] & 0xe0) == 0xc0 ? 2
	           : (s[0] & 0xf0) == 0xe0 ? 3
	           : (s[0] & 0xf8) == 0xf0 ? 4
	                                   : 0;
	if (n == 0 || n > left || !ls_utf8_valid((const char *)s, n))
		return 0;
	return n;
}

void ls_buf_html(struct ls_buf *b, const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t left, run = 0;

	if (s == NULL)
		return;
	left = strlen(s);
	while (left > 0) {
		const char *rep = NULL;
		size_t n = 1;
		switch (p[run]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			if ((p[run] < 0x20 && p[run] != '\t' &&
			     p[run] != '\n') ||
			    p[run] == 0x7f) {
				rep = replacement;
			} else {
				n = utf8_seq(p + run, left);
				if (n == 0) {
					rep = replacement;
					n = 1;
				}
			}
		}
		if (rep != NULL) {
			ls_buf_add(b, p, run);
			ls_buf_puts(b, rep);
			p += run + n;
			run = 0;
		} else {
			run += n;
		}
		left -= n;
	}
	ls_buf_add(b, p, run);
}

char *ls_buf_take(struct ls_buf *b, size_t *len)
{
	char *out;
	if (b->err != LS_OK) {
		ls_buf_fini(b);
		return NULL;
	}
	if (b->data == NULL && !reserve(b, 0)) {
		ls_buf_fini(b);
		return NULL;
	}
	b->data[b->len] = '\0';
	out = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return out;
}
