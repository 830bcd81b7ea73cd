#include "common/text.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

int ls_parse_i64_n(const char *text, size_t len, int64_t min, int64_t max,
                   int64_t *out)
{
	size_t i = 0;
	int negative = 0;
	uint64_t value = 0;
	uint64_t limit;

	if (len > 0 && text[0] == '-') {
		negative = 1;
		i = 1;
	}
	if (i == len)
		return LS_EINVAL;
	if (negative ? min >= 0 : max < 0)
		return LS_EINVAL;
	/* Magnitude limit: |min| for negatives (computed without overflow),
	 * max for positives. */
	limit = negative ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max;
	for (; i < len; i++) {
		unsigned digit;
		if (text[i] < '0' || text[i] > '9')
			return LS_EINVAL;
		digit = (unsigned)(text[i] - '0');
		if (value > limit / 10 ||
		    (value == limit / 10 && digit > limit % 10))
			return LS_EINVAL;
		value = value * 10 + digit;
	}
	if (negative) {
		int64_t v = value == 0 ? 0 : -(int64_t)(value - 1) - 1;
		if (v < min || v > max)
			return LS_EINVAL;
		*out = v;
	} else {
		if ((int64_t)value < min)
			return LS_EINVAL;
		*out = (int64_t)value;
	}
	return LS_OK;
}

int ls_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
	return ls_parse_i64_n(text, strlen(text), min, max, out);
}

/* Hex goes through libsodium's constant-time codec: the same calls encode
 * and decode node keys and the noise secret, so no table lookup or branch
 * may depend on a nibble. */
void ls_hex_encode(const uint8_t *bytes, size_t len, char *out)
{
	sodium_bin2hex(out, 2 * len + 1, bytes, len);
}

int ls_hex_decode(const char *text, uint8_t *bytes, size_t len)
{
	size_t text_len = strlen(text);
	size_t bin_len = 0;
	const char *end = NULL;

	if (text_len != 2 * len)
		return LS_EINVAL;
	if (sodium_hex2bin(bytes, len, text, text_len, NULL, &bin_len, &end) !=
	        0 ||
	    bin_len != len || end != text + text_len)
		return LS_EINVAL;
	return LS_OK;
}

int ls_utf8_valid(const char *bytes, size_t len)
{
	const unsigned char *s = (const unsigned char *)bytes;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t need;
		uint32_t cp, min;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (len - i <= need)
			return 0;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

size_t ls_strlcpy(char *dst, const char *src, size_t dstsize)
{
	size_t len = strlen(src);
	size_t n = len < dstsize - 1 ? len : dstsize - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return len;
}

int ls_text_check(const char *what, const char *text, size_t max, int required,
                  int multiline, struct ls_errinfo *e)
{
	size_t len = text == NULL ? 0 : strlen(text);
	char why[160];
	if (len == 0)
		return required ? ls_errf(e, LS_EINVAL, "%s is verplicht", what)
		                : LS_OK;
	if (len > max)
		return ls_errf(e, LS_ELIMIT,
		               "%s is te lang: %zu bytes, max %zu", what, len,
		               max);
	if (!ls_utf8_valid(text, len))
		return ls_errf(e, LS_EINVAL, "%s is geen geldige UTF-8-tekst",
		               what);
	if (ls_text_chars_flaw(text, len, multiline, why, sizeof why) != NULL)
		return ls_errf(e, LS_EINVAL, "%s %s", what, why);
	return LS_OK;
}

const char *ls_text_chars_flaw(const char *text, size_t len, int multiline,
                               char *why, size_t size)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t chars = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned c = u[i];
		int ws = multiline && (c == '\n' || c == '\r' || c == '\t');
		if ((c & 0xc0) != 0x80)
			chars++;
		/* C1 controls (U+0080..U+009F, C2 80..C2 9F) are controls
		 * too: U+009B is CSI, the 8-bit ESC [ that a terminal
		 * showing `signaalctl signal list` may obey; U+0085 is a
		 * line break to some readers. */
		if ((c < 0x20 && !ws) || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		     u[i + 1] <= 0x9f)) {
			snprintf(why, size,
			         "bevat een ongeldig stuurteken (teken %zu)",
			         chars);
			return why;
		}
		/* U+202A..U+202E are E2 80 AA..AE; U+2066..U+2069 are
		 * E2 81 A6..A9 (valid UTF-8, so the bytes follow). */
		if (c == 0xe2 && i + 2 < len &&
		    ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa &&
		      u[i + 2] <= 0xae) ||
		     (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 &&
		      u[i + 2] <= 0xa9))) {
			unsigned cp = 0x2000u | (u[i + 1] & 0x3fu) << 6 |
			              (u[i + 2] & 0x3fu);
			snprintf(
			    why, size,
			    "bevat een onzichtbaar richtingsteken (U+%04X, "
			    "teken %zu) dat de tekst in een andere "
			    "volgorde toont dan ze is; verwijder het",
			    cp, chars);
			return why;
		}
	}
	return NULL;
}
