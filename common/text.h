/*
 * Small text helpers shared by every parser: strict number parsing, hex,
 * UTF-8 validation, bounded copies. No allocation unless stated.
 */
#ifndef LS_COMMON_TEXT_H
#define LS_COMMON_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Parse a whole string as a base-10 integer in [min, max]. Leading '+' or
 * spaces, trailing characters, empty input and overflow are LS_EINVAL. */
int ls_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out);

/* Same, for a byte range that need not be NUL-terminated. */
int ls_parse_i64_n(const char *text, size_t len, int64_t min, int64_t max,
                   int64_t *out);

/* Lower-case hex of len bytes into out, which must hold 2*len+1 bytes.
 * Constant-time (libsodium): safe for secret keys. */
void ls_hex_encode(const uint8_t *bytes, size_t len, char *out);

/* Decode exactly 2*len hex digits (either case) from text into bytes.
 * Returns LS_EINVAL if text is not exactly that long or not hex. */
int ls_hex_decode(const char *text, uint8_t *bytes, size_t len);

/* 1 if bytes[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF), else 0. NUL bytes count as invalid text. */
int ls_utf8_valid(const char *bytes, size_t len);

/* Copy src into dst (size dstsize, > 0), always NUL-terminated. Returns
 * strlen(src); a result >= dstsize means it was truncated. */
size_t ls_strlcpy(char *dst, const char *src, size_t dstsize);

struct ls_errinfo;

/*
 * The characters of a free text a person typed: NULL when every
 * character is allowed, else a Dutch phrase saying what is not (for
 * "<what> <phrase>"): a control character, C0 or C1 (U+0080-U+009F;
 * newlines and tabs allowed when multiline), or a bidirectional control character (U+202A-U+202E,
 * U+2066-U+2069), which makes a text display in another order than it
 * is stored ("Trojan Source"). why (size bytes) holds the phrase. text
 * must be valid UTF-8 (ls_utf8_valid).
 */
const char *ls_text_chars_flaw(const char *text, size_t len, int multiline,
                               char *why, size_t size);

/* Check a free text a person typed (a dossier title, a note, a token's
 * label): valid UTF-8, at most max bytes, no control characters
 * (newlines and tabs allowed when multiline) and no bidirectional
 * controls (ls_text_chars_flaw), not empty when required.
 * `what` is the Dutch name used in the message ("de titel"). LS_EINVAL /
 * LS_ELIMIT. text may be NULL (= empty). */
int ls_text_check(const char *what, const char *text, size_t max, int required,
                  int multiline, struct ls_errinfo *e);

#endif
