/*
 * CSV import of signals (format: docs/OPERATING.md, "Import a spreadsheet
 * (CSV)"): all or nothing.
 *
 * The file is streamed (core/csv.h): every row is mapped, validated and
 * inserted inside one transaction as it is read, so memory stays bounded
 * whatever the file size. After the first bad row nothing more is
 * inserted, but the rest of the file is still checked so the person gets
 * every error count at once (the first STORE_IMPORT_ERRORS_MAX listed).
 * Any error rolls the whole transaction back: the store is exactly as it
 * was. A malformed CSV structure (unterminated quote, ...) stops the
 * check at that point, since the rest cannot be read reliably.
 */
#ifndef LS_STORE_IMPORT_H
#define LS_STORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "core/csv.h"

struct store;

#define STORE_IMPORT_ERRORS_MAX 10

struct store_import_options {
	int dry_run; /* check everything, store nothing */
	/* Called every few thousand rows and at the end; may be NULL. */
	void (*progress)(void *ctx, uint64_t bytes, uint64_t rows);
	void *progress_ctx;
};

struct store_import_result {
	uint64_t rows;     /* rows stored (or, dry run / failure: valid) */
	uint64_t n_errors; /* bad rows (a CSV structure error counts 1) */
	size_t n_listed;   /* errors[0..n_listed) */
	struct ls_errinfo errors[STORE_IMPORT_ERRORS_MAX];
	char separator; /* detected ';' or ',' */
};

/* Import from read(ctx, ...). LS_OK: every row committed (or, dry run,
 * every row valid). LS_EINVAL: bad input, see res->errors; nothing
 * changed. Other codes (LS_EBUSY, LS_EIO, ...) also change nothing;
 * res->errors[0] says why. */
int store_import_csv(struct store *s, ls_csv_read_fn read, void *ctx,
                     const struct store_import_options *opt,
                     struct store_import_result *res);

#endif
