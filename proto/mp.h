/*
 * msgpack for proto/: a bounds-checked reader for untrusted bytes and a
 * writer for our own output.
 *
 * Reader: a cursor over a caller's buffer. Every read checks the bytes
 * that remain before it touches them; every count and length is checked
 * against the caller's maximum and against the bytes left before anything
 * is allocated (by the caller: the reader itself never allocates). Strings
 * and binaries are returned as pointers into the buffer (zero copy): they
 * live as long as the buffer. msgpack-c's unpacker is never given
 * untrusted bytes (it allocates from declared counts).
 *
 * Errors: LS_EDECODE for truncated or malformed input, a wrong type, a
 * value out of range, a bad map key; LS_ELIMIT for a count or length
 * beyond its maximum, and for an array or map count the bytes left cannot
 * hold. The cursor's position is unspecified after an error.
 *
 * Maps (see PROTOCOL.md, "Maps and the unknown-field rule"): keys are
 * positive fixints 0..127 in strictly ascending order. Keys 0..63 are core
 * fields: one a decoder does not know is refused. Keys 64..127 are
 * extensions: one a decoder does not know is skipped (it must still be
 * well-formed, within the depth limit).
 *
 * Writer: msgpack-c's packer over a growable buffer from ls_realloc, with a
 * hard maximum size and a sticky error, so a sequence of writes is checked
 * once at the end (proto_mp_writer_finish).
 */
#ifndef LS_PROTO_MP_H
#define LS_PROTO_MP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MP_KEY_MAX 127
#define MP_KEY_EXT_FIRST 64

struct mp_reader {
	const uint8_t *p;    /* next byte */
	const uint8_t *end;  /* one past the last byte */
	const uint8_t *base; /* start of the buffer, for offsets */
};

void proto_mp_reader_init(struct mp_reader *r, const uint8_t *buf, size_t len);

static inline size_t proto_mp_left(const struct mp_reader *r)
{
	return (size_t)(r->end - r->p);
}

static inline size_t proto_mp_offset(const struct mp_reader *r)
{
	return (size_t)(r->p - r->base);
}

/* LS_OK when every byte was consumed; trailing bytes are LS_EDECODE. */
int proto_mp_read_end(const struct mp_reader *r);

/* An integer (any msgpack int format) in [min, max]. proto_mp_read_uint is
 * inline for the common positive fixint and calls proto_mp_read_uint_any for
 * every other format (same checks, same errors). */
int proto_mp_read_uint_any(struct mp_reader *r, uint64_t min, uint64_t max,
                           uint64_t *out);
static inline int proto_mp_read_uint(struct mp_reader *r, uint64_t min,
                                     uint64_t max, uint64_t *out)
{
	if (r->p < r->end && *r->p <= 0x7f) {
		uint64_t v = *r->p;
		if (v < min || v > max)
			return LS_EDECODE;
		r->p++;
		*out = v;
		return LS_OK;
	}
	return proto_mp_read_uint_any(r, min, max, out);
}
int proto_mp_read_int(struct mp_reader *r, int64_t min, int64_t max,
                      int64_t *out);
int proto_mp_read_u32(struct mp_reader *r, uint32_t min, uint32_t max,
                      uint32_t *out);

/* true/false into *out (0 or 1). */
int proto_mp_read_bool(struct mp_reader *r, int *out);

/* A str of at most max bytes; *s points into the buffer (not NUL-ended).
 * Contents are not checked here: fields check their own charset. */
int proto_mp_read_str_any(struct mp_reader *r, size_t max, const char **s,
                          size_t *len);
static inline int proto_mp_read_str(struct mp_reader *r, size_t max,
                                    const char **s, size_t *len)
{
	/* fixstr inline: most strings on the wire are codes and ids */
	if (r->p < r->end && (*r->p & 0xe0) == 0xa0) {
		size_t n = *r->p & 0x1f;
		if (n > max)
			return LS_ELIMIT;
		if (n > (size_t)(r->end - r->p) - 1)
			return LS_EDECODE;
		*s = (const char *)r->p + 1;
		*len = n;
		r->p += 1 + n;
		return LS_OK;
	}
	return proto_mp_read_str_any(r, max, s, len);
}

/* A bin of at most max bytes, or of exactly n bytes. */
int proto_mp_read_bin(struct mp_reader *r, size_t max, const uint8_t **b,
                      size_t *len);
int proto_mp_read_bin_exact(struct mp_reader *r, size_t n, const uint8_t **b);

/* An array header: *n elements, n <= max and n <= bytes left / min_elem
 * (every element takes at least min_elem bytes, min_elem >= 1). */
int proto_mp_read_array_any(struct mp_reader *r, uint32_t max, size_t min_elem,
                            uint32_t *n);
static inline int proto_mp_read_array(struct mp_reader *r, uint32_t max,
                                      size_t min_elem, uint32_t *n)
{
	/* fixarray inline; the same checks as proto_mp_read_array_any */
	if (r->p < r->end && (*r->p & 0xf0) == 0x90) {
		uint32_t count = *r->p & 0x0f;
		if (count > max)
			return LS_ELIMIT;
		if (min_elem == 0)
			min_elem = 1;
		if (min_elem > UINT32_MAX ||
		    count * min_elem > (size_t)(r->end - r->p) - 1)
			return LS_ELIMIT;
		r->p++;
		*n = count;
		return LS_OK;
	}
	return proto_mp_read_array_any(r, max, min_elem, n);
}
/* An array header of exactly n elements. */
int proto_mp_read_array_exact_any(struct mp_reader *r, uint32_t n);
static inline int proto_mp_read_array_exact(struct mp_reader *r, uint32_t n)
{
	if (r->p < r->end && (*r->p & 0xf0) == 0x90) {
		if ((uint32_t)(*r->p & 0x0f) != n)
			return LS_EDECODE;
		r->p++;
		return LS_OK;
	}
	return proto_mp_read_array_exact_any(r, n);
}

/* Skip one value of any type, nested at most depth levels (an array or
 * map counts one level; scalars none). */
int proto_mp_skip(struct mp_reader *r, unsigned depth);

/* Map iteration with the key rule. */
struct mp_map {
	uint32_t n, i;
	int last; /* last key, -1 before the first */
	uint64_t seen;
};

/* A map header with at most max entries (max <= 128). */
int proto_mp_map_begin(struct mp_reader *r, struct mp_map *m, uint32_t max);

/* The next key into *key, or *key = -1 after the last entry. Refuses a key
 * that is not a positive fixint or not above the previous one. Records
 * core keys in m->seen. */
int proto_mp_map_key(struct mp_reader *r, struct mp_map *m, int *key);

/* For a key the caller does not know: LS_EDECODE for a core key, else
 * skip its value (extension). */
int proto_mp_map_unknown(struct mp_reader *r, int key);

/* LS_OK when every core key in `required` (bit k = key k) was seen. On
 * failure *missing is the lowest missing key. */
int proto_mp_map_require(const struct mp_map *m, uint64_t required,
                         int *missing);

struct mp_writer {
	uint8_t *buf;
	size_t len, cap, max;
	int err; /* first failure: LS_ENOMEM or LS_ELIMIT */
};

/* An empty writer that refuses to grow beyond max bytes. */
void proto_mp_writer_init(struct mp_writer *w, size_t max);

/* Release the buffer (after an error, or instead of finishing). */
void proto_mp_writer_fini(struct mp_writer *w);

/* The first error of any write, or hand the bytes to the caller: *out is
 * then the caller's (ls_free) and the writer is empty. */
int proto_mp_writer_finish(struct mp_writer *w, uint8_t **out, size_t *len);

void proto_mp_write_uint(struct mp_writer *w, uint64_t v);
void proto_mp_write_int(struct mp_writer *w, int64_t v);
void proto_mp_write_bool(struct mp_writer *w, int v);
void proto_mp_write_str(struct mp_writer *w, const char *s, size_t len);
void proto_mp_write_cstr(struct mp_writer *w, const char *s);
void proto_mp_write_bin(struct mp_writer *w, const void *b, size_t len);
void proto_mp_write_array(struct mp_writer *w, uint32_t n);
void proto_mp_write_map(struct mp_writer *w, uint32_t n);
/* Bytes copied as they are (an already encoded value). */
void proto_mp_write_raw(struct mp_writer *w, const void *b, size_t len);

#endif
