/*
 * msgpack reader and writer (see mp.h).
 *
 * The reader is a cursor in the style of dqlite's serialize.h: `need()`
 * guards every access, so no read ever passes r->end, and array/map counts
 * are compared with the bytes that remain, so a 5-byte array32 that claims
 * four billion elements is refused before any caller sizes an allocation
 * from it. Integers are accepted in any msgpack int format (the signed
 * bytes are what count, never a re-encoding), then range-checked.
 *
 * The writer drives msgpack-c's packer with a callback that appends to a
 * buffer grown by ls_realloc (so allocation failures can be injected in
 * tests) and bounded by a maximum; the first failure sticks.
 */
#include "proto/mp.h"
#include "common/alloc.h"
#include "common/err.h"
#include "proto/limits.h"

#include <msgpack.h>
#include <string.h>

void proto_mp_reader_init(struct mp_reader *r, const uint8_t *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->base = buf;
}

int proto_mp_read_end(const struct mp_reader *r)
{
	return r->p == r->end ? LS_OK : LS_EDECODE;
}

static int need(const struct mp_reader *r, size_t n)
{
	return proto_mp_left(r) >= n ? LS_OK : LS_EDECODE;
}

static uint64_t be_load(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Read a big-endian length/count of n bytes after the type byte. */
static int read_be(struct mp_reader *r, unsigned n, uint64_t *out)
{
	if (need(r, n) != LS_OK)
		return LS_EDECODE;
	*out = be_load(r->p, n);
	r->p += n;
	return LS_OK;
}

/*
 * Any integer format: *neg = 1 and *mag = |v| for negatives, else *neg = 0
 * and *mag = v.
 */
static int read_integer(struct mp_reader *r, int *neg, uint64_t *mag)
{
	uint8_t t;
	uint64_t v;
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	t = *r->p++;
	if (t <= 0x7f) {
		*neg = 0;
		*mag = t;
		return LS_OK;
	}
	if (t >= 0xe0) {
		*neg = 1;
		*mag = (uint64_t)(0x100 - t);
		return LS_OK;
	}
	switch (t) {
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf:
		if (read_be(r, 1u << (t - 0xcc), &v) != LS_OK)
			return LS_EDECODE;
		*neg = 0;
		*mag = v;
		return LS_OK;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3: {
		unsigned n = 1u << (t - 0xd0);
		uint64_t sign = (uint64_t)1 << (8 * n - 1);
		if (read_be(r, n, &v) != LS_OK)
			return LS_EDECODE;
		if (v & sign) {
			/* two's complement of an n-byte value */
			uint64_t mask =
			    n == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * n)) - 1;
			*neg = 1;
			*mag = ((~v) & mask) + 1;
		} else {
			*neg = 0;
			*mag = v;
		}
		return LS_OK;
	}
	default:
		return LS_EDECODE;
	}
}

int proto_mp_read_uint_any(struct mp_reader *r, uint64_t min, uint64_t max,
                           uint64_t *out)
{
	int neg;
	uint64_t mag;
	if (read_integer(r, &neg, &mag) != LS_OK)
		return LS_EDECODE;
	if ((neg && mag != 0) || mag < min || mag > max)
		return LS_EDECODE;
	*out = mag;
	return LS_OK;
}

int proto_mp_read_u32(struct mp_reader *r, uint32_t min, uint32_t max,
                      uint32_t *out)
{
	uint64_t v;
	int rc = proto_mp_read_uint(r, min, max, &v);
	if (rc == LS_OK)
		*out = (uint32_t)v;
	return rc;
}

int proto_mp_read_int(struct mp_reader *r, int64_t min, int64_t max,
                      int64_t *out)
{
	int neg;
	uint64_t mag;
	int64_t v;
	if (read_integer(r, &neg, &mag) != LS_OK)
		return LS_EDECODE;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return LS_EDECODE;
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return LS_EDECODE;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		return LS_EDECODE;
	*out = v;
	return LS_OK;
}

int proto_mp_read_bool(struct mp_reader *r, int *out)
{
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	if (*r->p != 0xc2 && *r->p != 0xc3)
		return LS_EDECODE;
	*out = *r->p == 0xc3;
	r->p++;
	return LS_OK;
}

/* Header of a str (is_bin = 0) or bin (is_bin = 1); *len checked against
 * max and the bytes left. */
static int read_blob(struct mp_reader *r, int is_bin, size_t max,
                     const uint8_t **b, size_t *len)
{
	uint8_t t;
	uint64_t n;
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	t = *r->p++;
	if (!is_bin && t >= 0xa0 && t <= 0xbf) {
		n = t & 0x1f;
	} else if (!is_bin && t >= 0xd9 && t <= 0xdb) {
		if (read_be(r, 1u << (t - 0xd9), &n) != LS_OK)
			return LS_EDECODE;
	} else if (is_bin && t >= 0xc4 && t <= 0xc6) {
		if (read_be(r, 1u << (t - 0xc4), &n) != LS_OK)
			return LS_EDECODE;
	} else {
		return LS_EDECODE;
	}
	if (n > max)
		return LS_ELIMIT;
	if (n > proto_mp_left(r))
		return LS_EDECODE;
	*b = r->p;
	*len = (size_t)n;
	r->p += n;
	return LS_OK;
}

int proto_mp_read_str_any(struct mp_reader *r, size_t max, const char **s,
                          size_t *len)
{
	const uint8_t *b;
	int rc = read_blob(r, 0, max, &b, len);
	if (rc == LS_OK)
		*s = (const char *)b;
	return rc;
}

int proto_mp_read_bin(struct mp_reader *r, size_t max, const uint8_t **b,
                      size_t *len)
{
	return read_blob(r, 1, max, b, len);
}

int proto_mp_read_bin_exact(struct mp_reader *r, size_t n, const uint8_t **b)
{
	size_t len;
	int rc = read_blob(r, 1, n, b, &len);
	if (rc == LS_ELIMIT || (rc == LS_OK && len != n))
		return LS_EDECODE; /* a fixed-size field has one right length */
	return rc;
}

/* Container header: kind 0 = array, 1 = map. */
static int read_container(struct mp_reader *r, int map, uint64_t *n)
{
	uint8_t t;
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	t = *r->p++;
	if (!map && t >= 0x90 && t <= 0x9f) {
		*n = t & 0x0f;
	} else if (map && t >= 0x80 && t <= 0x8f) {
		*n = t & 0x0f;
	} else if (!map && (t == 0xdc || t == 0xdd)) {
		return read_be(r, t == 0xdc ? 2 : 4, n);
	} else if (map && (t == 0xde || t == 0xdf)) {
		return read_be(r, t == 0xde ? 2 : 4, n);
	} else {
		return LS_EDECODE;
	}
	return LS_OK;
}

int proto_mp_read_array_any(struct mp_reader *r, uint32_t max, size_t min_elem,
                            uint32_t *n)
{
	uint64_t count;
	if (read_container(r, 0, &count) != LS_OK)
		return LS_EDECODE;
	if (count > max)
		return LS_ELIMIT;
	if (min_elem == 0)
		min_elem = 1;
	/* Each element takes at least min_elem bytes: a count the bytes
	 * left cannot hold is a lie, refused before anyone allocates.
	 * (count < 2^32 and min_elem is a small constant: no overflow.) */
	if (min_elem > UINT32_MAX || count * min_elem > proto_mp_left(r))
		return LS_ELIMIT;
	*n = (uint32_t)count;
	return LS_OK;
}

int proto_mp_read_array_exact_any(struct mp_reader *r, uint32_t n)
{
	uint64_t count;
	if (read_container(r, 0, &count) != LS_OK || count != n)
		return LS_EDECODE;
	return LS_OK;
}

/* One-byte values: positive/negative fixint, nil, false, true. */
static int skip_is_single_byte(uint8_t t)
{
	return t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3;
}

static int skip_is_container(uint8_t t)
{
	return (t >= 0x80 && t <= 0x9f) || (t >= 0xdc && t <= 0xdf);
}

/* Skips the array or map whose header starts at r->p, each element at
 * most depth - 1 deep. */
static int skip_container(struct mp_reader *r, uint8_t t, unsigned depth)
{
	int map = (t >= 0x80 && t <= 0x8f) || t == 0xde || t == 0xdf;
	uint64_t n;
	if (depth == 0)
		return LS_ELIMIT;
	if (read_container(r, map, &n) != LS_OK)
		return LS_EDECODE;
	if (map) {
		if (2 * n > proto_mp_left(r))
			return LS_ELIMIT;
		n *= 2;
	} else if (n > proto_mp_left(r)) {
		return LS_ELIMIT;
	}
	for (uint64_t i = 0; i < n; i++) {
		int rc = proto_mp_skip(r, depth - 1);
		if (rc != LS_OK)
			return rc;
	}
	return LS_OK;
}

/* The number of payload bytes after type byte t (already consumed) and
 * its length field (read here): strings, bin, ext, floats, ints. */
static int skip_payload_len(struct mp_reader *r, uint8_t t, uint64_t *n)
{
	if (t >= 0xa0 && t <= 0xbf) { /* fixstr */
		*n = t & 0x1f;
	} else if (t >= 0xd9 && t <= 0xdb) { /* str 8/16/32 */
		return read_be(r, 1u << (t - 0xd9), n) == LS_OK ? LS_OK
		                                                : LS_EDECODE;
	} else if (t >= 0xc4 && t <= 0xc6) { /* bin 8/16/32 */
		return read_be(r, 1u << (t - 0xc4), n) == LS_OK ? LS_OK
		                                                : LS_EDECODE;
	} else if (t >= 0xc7 && t <= 0xc9) { /* ext: length, type, data */
		if (read_be(r, 1u << (t - 0xc7), n) != LS_OK)
			return LS_EDECODE;
		*n += 1;
	} else if (t == 0xca || t == 0xcb) { /* float 32/64 */
		*n = t == 0xca ? 4 : 8;
	} else if (t >= 0xcc && t <= 0xcf) { /* uint 8..64 */
		*n = 1u << (t - 0xcc);
	} else if (t >= 0xd0 && t <= 0xd3) { /* int 8..64 */
		*n = 1u << (t - 0xd0);
	} else if (t >= 0xd4 && t <= 0xd8) { /* fixext: type + 1..16 */
		*n = 1 + (1u << (t - 0xd4));
	} else { /* 0xc1 is never used */
		return LS_EDECODE;
	}
	return LS_OK;
}

int proto_mp_skip(struct mp_reader *r, unsigned depth)
{
	uint8_t t;
	uint64_t n;
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	t = *r->p;
	if (skip_is_single_byte(t)) {
		r->p++;
		return LS_OK;
	}
	if (skip_is_container(t))
		return skip_container(r, t, depth);
	r->p++;
	if (skip_payload_len(r, t, &n) != LS_OK || n > proto_mp_left(r))
		return LS_EDECODE;
	r->p += n;
	return LS_OK;
}

int proto_mp_map_begin(struct mp_reader *r, struct mp_map *m, uint32_t max)
{
	uint64_t n;
	if (read_container(r, 1, &n) != LS_OK)
		return LS_EDECODE;
	if (n > max || n > MP_KEY_MAX + 1)
		return LS_ELIMIT;
	if (2 * n > proto_mp_left(r))
		return LS_ELIMIT; /* a count the bytes left cannot hold */
	m->n = (uint32_t)n;
	m->i = 0;
	m->last = -1;
	m->seen = 0;
	return LS_OK;
}

int proto_mp_map_key(struct mp_reader *r, struct mp_map *m, int *key)
{
	uint8_t t;
	if (m->i == m->n) {
		*key = -1;
		return LS_OK;
	}
	if (need(r, 1) != LS_OK)
		return LS_EDECODE;
	t = *r->p;
	/* Keys are positive fixints, strictly ascending: one encoding per
	 * key, no duplicates, and a decoder can stop at the key it needs. */
	if (t > MP_KEY_MAX || (int)t <= m->last)
		return LS_EDECODE;
	r->p++;
	m->i++;
	m->last = t;
	if (t < MP_KEY_EXT_FIRST)
		m->seen |= (uint64_t)1 << t;
	*key = t;
	return LS_OK;
}

int proto_mp_map_unknown(struct mp_reader *r, int key)
{
	if (key < MP_KEY_EXT_FIRST)
		return LS_EDECODE;
	return proto_mp_skip(r, LS_MP_MAX_DEPTH);
}

int proto_mp_map_require(const struct mp_map *m, uint64_t required,
                         int *missing)
{
	uint64_t lack = required & ~m->seen;
	if (lack == 0)
		return LS_OK;
	*missing = __builtin_ctzll(lack);
	return LS_EDECODE;
}

/* Writer. */

static int writer_cb(void *data, const char *buf, size_t len)
{
	struct mp_writer *w = data;
	if (w->err != LS_OK)
		return -1;
	if (len > w->max - w->len) {
		w->err = LS_ELIMIT;
		return -1;
	}
	if (w->len + len > w->cap) {
		size_t cap = w->cap == 0 ? 256 : w->cap;
		uint8_t *grown;
		while (cap < w->len + len)
			cap = cap > w->max / 2 ? w->max : cap * 2;
		grown = ls_realloc(w->buf, cap);
		if (grown == NULL) {
			w->err = LS_ENOMEM;
			return -1;
		}
		w->buf = grown;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, buf, len);
	w->len += len;
	return 0;
}

void proto_mp_writer_init(struct mp_writer *w, size_t max)
{
	memset(w, 0, sizeof *w);
	w->max = max;
}

void proto_mp_writer_fini(struct mp_writer *w)
{
	ls_free(w->buf);
	memset(w, 0, sizeof *w);
}

int proto_mp_writer_finish(struct mp_writer *w, uint8_t **out, size_t *len)
{
	int rc = w->err;
	if (rc != LS_OK) {
		proto_mp_writer_fini(w);
		return rc;
	}
	if (w->buf == NULL) { /* nothing written: still hand out a buffer */
		w->buf = ls_malloc(1);
		if (w->buf == NULL)
			return LS_ENOMEM;
	}
	*out = w->buf;
	*len = w->len;
	w->buf = NULL;
	w->len = w->cap = 0;
	return LS_OK;
}

/* The packer is two words (data, callback): set up per call, so mp.h does
 * not expose msgpack-c. Its return value repeats what the callback
 * recorded in w->err. */
#define PACK(w, call)                                                          \
	do {                                                                   \
		msgpack_packer pk_;                                            \
		msgpack_packer_init(&pk_, (w), writer_cb);                     \
		(void)call;                                                    \
	} while (0)

void proto_mp_write_uint(struct mp_writer *w, uint64_t v)
{
	PACK(w, msgpack_pack_uint64(&pk_, v));
}

void proto_mp_write_int(struct mp_writer *w, int64_t v)
{
	PACK(w, msgpack_pack_int64(&pk_, v));
}

void proto_mp_write_bool(struct mp_writer *w, int v)
{
	if (v)
		PACK(w, msgpack_pack_true(&pk_));
	else
		PACK(w, msgpack_pack_false(&pk_));
}

void proto_mp_write_str(struct mp_writer *w, const char *s, size_t len)
{
	if (len > UINT32_MAX) {
		w->err = w->err ? w->err : LS_ELIMIT;
		return;
	}
	PACK(w, msgpack_pack_str(&pk_, len));
	if (len > 0)
		PACK(w, msgpack_pack_str_body(&pk_, s, len));
}

void proto_mp_write_cstr(struct mp_writer *w, const char *s)
{
	proto_mp_write_str(w, s, strlen(s));
}

void proto_mp_write_bin(struct mp_writer *w, const void *b, size_t len)
{
	if (len > UINT32_MAX) {
		w->err = w->err ? w->err : LS_ELIMIT;
		return;
	}
	PACK(w, msgpack_pack_bin(&pk_, len));
	if (len > 0)
		PACK(w, msgpack_pack_bin_body(&pk_, b, len));
}

void proto_mp_write_array(struct mp_writer *w, uint32_t n)
{
	PACK(w, msgpack_pack_array(&pk_, n));
}

void proto_mp_write_map(struct mp_writer *w, uint32_t n)
{
	PACK(w, msgpack_pack_map(&pk_, n));
}

void proto_mp_write_raw(struct mp_writer *w, const void *b, size_t len)
{
	if (len > 0)
		(void)writer_cb(w, b, len);
}
