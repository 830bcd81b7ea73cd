/*
 * CSV import: a streaming reader (RFC 4180 with the habits of Belgian
 * spreadsheets) and the mapper from records to signals.
 *
 * The reader pulls bytes through a callback into a fixed 64 KiB buffer
 * and hands out one record at a time, so memory stays bounded whatever
 * the file size. It
 *   - skips a UTF-8 byte-order mark,
 *   - detects the separator (';' or ',') from the header line: the one
 *     that occurs more often outside quotes (Belgian Excel writes ';'),
 *   - accepts quoted fields with doubled quotes, separators and newlines
 *     inside, and LF, CRLF or CR line ends,
 *   - skips records whose fields are all empty (blank lines, the ";;;;"
 *     rows spreadsheets leave behind),
 *   - refuses a quote inside an unquoted field, text after a closing
 *     quote, an unterminated quote, more than LS_CSV_MAX_FIELDS fields
 *     and records over LS_CSV_MAX_RECORD bytes, naming the line.
 * After an error the reader stays failed (the structure of the rest of
 * the file is unknown).
 *
 * The mapper reads the header (column names in Dutch or English, see
 * core/signal.h) and turns each later record into a struct ls_signal
 * whose text fields point into the reader's buffer: valid until the next
 * ls_csv_next call.
 *
 * Error messages are Dutch and name the line and the column.
 */
#ifndef LS_CORE_CSV_H
#define LS_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/signal.h"
#include "core/taxonomy.h"

#define LS_CSV_MAX_FIELDS 64
#define LS_CSV_MAX_RECORD (64 * 1024)
#define LS_CSV_BUFFER (64 * 1024)

/* Read up to cap bytes into buf: returns the count (> 0), 0 at the end
 * of input, or a negative value on a read error. */
typedef long (*ls_csv_read_fn)(void *ctx, char *buf, size_t cap);

struct ls_csv;

struct ls_csv_record {
	size_t n_fields;                      /* 0: end of input */
	const char *field[LS_CSV_MAX_FIELDS]; /* NUL-terminated, borrowed */
	size_t len[LS_CSV_MAX_FIELDS];
	uint64_t line; /* line on which the record starts (1-based) */
};

/* A reader pulling from read(ctx, ...). *out is the caller's
 * (ls_csv_close). LS_ENOMEM. */
int ls_csv_open(struct ls_csv **out, ls_csv_read_fn read, void *ctx);

/* Release a reader; NULL is a no-op. */
void ls_csv_close(struct ls_csv *c);

/* The next non-empty record into *rec (n_fields 0 at the end of input).
 * Fields stay valid until the next call. LS_EDECODE (malformed CSV),
 * LS_ELIMIT (too many fields, record too long) or LS_EIO (the read
 * callback failed), with the line in *e. */
int ls_csv_next(struct ls_csv *c, struct ls_csv_record *rec,
                struct ls_errinfo *e);

/* The separator in use (';' or ','), known after the first record. */
char ls_csv_separator(const struct ls_csv *c);

/* Bytes consumed from the input so far (for progress). */
uint64_t ls_csv_bytes_read(const struct ls_csv *c);

/* Which signal field each column holds. */
struct ls_csv_map {
	size_t n_columns;
	int8_t field_of[LS_CSV_MAX_FIELDS]; /* enum ls_signal_field */
	char name[LS_CSV_MAX_FIELDS][40];   /* as written in the header */
};

/* Read the header record: every column must be a known field (Dutch or
 * English name), none twice, every required field present. LS_EINVAL
 * with a Dutch message in *e. */
int ls_csv_map_header(struct ls_csv_map *m, const struct ls_csv_record *hdr,
                      struct ls_errinfo *e);

/* Turn a record into a signal: the column count must equal the header's;
 * every field is parsed and the signal validated. LS_EINVAL or LS_ELIMIT
 * with "regel N, kolom X: ..." in *e; *out is then unspecified. */
int ls_csv_map_row(const struct ls_csv_map *m, const struct ls_csv_record *rec,
                   const struct ls_taxonomy *tax, struct ls_signal *out,
                   struct ls_errinfo *e);

#endif
