/*
 * A growing byte buffer for text output (reports, SVG, CSV): append,
 * printf, and HTML escaping.
 *
 * Errors are sticky: once an allocation fails (or the buffer would pass
 * its limit), every later append is a no-op and ls_buf_error() says
 * LS_ENOMEM or LS_ELIMIT. A renderer can therefore append freely and
 * check once at the end, the way stdio's ferror() is used.
 *
 * The contents are always NUL-terminated after a successful append (data
 * may contain NUL bytes; len counts them). Ownership: the buffer owns its
 * memory until ls_buf_take() hands it to the caller; ls_buf_fini() frees
 * what it still owns.
 */
#ifndef LS_COMMON_BUF_H
#define LS_COMMON_BUF_H

#include <stddef.h>

struct ls_buf {
	char *data; /* NULL while empty */
	size_t len;
	size_t cap;
	size_t limit; /* 0: no limit beyond memory */
	int err;      /* LS_OK, or the first error (sticky) */
};

/* An empty buffer; limit 0 means no limit. */
void ls_buf_init(struct ls_buf *b, size_t limit);

/* Free the memory and reset to empty (the error is cleared too). */
void ls_buf_fini(struct ls_buf *b);

/* LS_OK, or the sticky error (LS_ENOMEM, LS_ELIMIT). */
int ls_buf_error(const struct ls_buf *b);

/* Append len bytes. */
void ls_buf_add(struct ls_buf *b, const void *data, size_t len);

/* Append a NUL-terminated string (NULL appends nothing). */
void ls_buf_puts(struct ls_buf *b, const char *s);

/* Append printf-style output. */
void ls_buf_printf(struct ls_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An appender shaped for callbacks such as jansson's json_dump_callback():
 * appends size bytes of data to the struct ls_buf that arg points to.
 * Returns 0, or -1 once the buffer is in error (so the producer stops;
 * ls_buf_error() says why). */
int ls_buf_append_cb(const char *data, size_t size, void *arg);

/* Append s (NULL appends nothing) escaped for HTML text and attribute
 * values: & < > " ' become entities. Bytes that are not valid UTF-8 and
 * control characters other than tab and newline become U+FFFD, so that a
 * report never carries bytes a browser would misread. */
void ls_buf_html(struct ls_buf *b, const char *s);

/* Hand the contents to the caller (ls_free; never NULL on success: an
 * empty buffer gives ""), and reset the buffer to empty. *len (may be
 * NULL) gets the length. NULL if the buffer is in error (it is then
 * freed and reset as well). */
char *ls_buf_take(struct ls_buf *b, size_t *len);

#endif
