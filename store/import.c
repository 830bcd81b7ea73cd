/*
 * The import loop: header -> map each row -> insert inside one
 * transaction -> commit only if no row failed. See import.h.
 */
#include "store/import.h"
#include "store/internal.h"

#include <string.h>

#define PROGRESS_EVERY 4096

static void add_error(struct store_import_result *res,
                      const struct ls_errinfo *err)
{
	if (res->n_listed < STORE_IMPORT_ERRORS_MAX)
		res->errors[res->n_listed++] = *err;
	res->n_errors++;
}

/* One import: the reader, the column map and where the result goes. */
struct import {
	struct store *s;
	const struct store_import_options *opt;
	struct store_import_result *res;
	struct ls_csv *csv;
	struct store_insert_cache *cache;
	struct ls_csv_map map;
	int64_t now;
	int fatal; /* the database or the input failed: stop */
};

static void progress(const struct import *im)
{
	if (im->opt->progress != NULL)
		im->opt->progress(im->opt->progress_ctx,
		                  ls_csv_bytes_read(im->csv), im->res->rows);
}

/* The reader, the insert cache and the header's column map, then the
 * transaction. Every failure is listed in the result. */
static int import_open(struct import *im, ls_csv_read_fn read, void *ctx)
{
	struct ls_csv_record rec;
	struct ls_errinfo err;
	int rc;

	ls_errinfo_clear(&err);
	if (ls_csv_open(&im->csv, read, ctx) != LS_OK ||
	    store_insert_cache_new(&im->cache) != LS_OK) {
		ls_errf(&err, LS_ENOMEM, "onvoldoende geheugen");
		add_error(im->res, &err);
		return LS_ENOMEM;
	}
	rc = ls_csv_next(im->csv, &rec, &err);
	if (rc == LS_OK)
		rc = ls_csv_map_header(&im->map, &rec, &err);
	im->res->separator = ls_csv_separator(im->csv);
	if (rc != LS_OK) {
		add_error(im->res, &err);
		return rc == LS_EIO ? LS_EIO : LS_EINVAL;
	}
	if ((rc = store_tx_begin(im->s)) != LS_OK) {
		ls_errf(&err, rc,
		        "de databank is bezet (schrijft een ander proces?); "
		        "probeer opnieuw");
		add_error(im->res, &err);
	}
	return rc;
}

/* Map one row and, while no row failed and this is no dry run, insert
 * it. A database failure (anything but a duplicate) is fatal. */
static int import_row(struct import *im, const struct ls_csv_record *rec,
                      struct ls_errinfo *err)
{
	struct ls_signal sig;
	struct ls_errinfo why;
	int rc =
	    ls_csv_map_row(&im->map, rec, store_taxonomy(im->s), &sig, err);

	if (rc != LS_OK || im->res->n_errors > 0 || im->opt->dry_run)
		return rc;
	ls_errinfo_clear(&why);
	rc = store_signal_insert_row(im->s, &sig, im->now, im->cache, &why);
	if (rc != LS_OK) {
		ls_errf(err, rc, "regel %llu: %s",
		        (unsigned long long)rec->line, why.msg);
		if (rc != LS_EEXISTS)
			im->fatal = rc; /* the database failed */
	}
	return rc;
}

/* Every data row, to the end of the input or a fatal error. A row that
 * fails is listed and the next one is read, so that one run reports
 * them all. */
static void import_rows(struct import *im)
{
	struct ls_csv_record rec;
	struct ls_errinfo err;

	ls_errinfo_clear(&err);
	for (;;) {
		int rc = ls_csv_next(im->csv, &rec, &err);
		if (rc != LS_OK) {
			add_error(im->res, &err);
			if (rc == LS_EIO)
				im->fatal = LS_EIO;
			return;
		}
		if (rec.n_fields == 0)
			return;
		if (import_row(im, &rec, &err) != LS_OK) {
			add_error(im->res, &err);
			if (im->fatal != LS_OK)
				return;
			continue;
		}
		im->res->rows++;
		if (im->res->rows % PROGRESS_EVERY == 0)
			progress(im);
	}
}

/* All or nothing: commit when every row went in and this is no dry run,
 * else roll back. */
static int import_finish(struct import *im)
{
	struct store_import_result *res = im->res;
	struct ls_errinfo err;
	int rc;

	if (res->n_errors > 0 || im->opt->dry_run) {
		store_tx_rollback(im->s);
		if (res->n_errors == 0)
			return LS_OK;
		return im->fatal != LS_OK ? im->fatal : LS_EINVAL;
	}
	rc = store_tx_commit(im->s);
	if (rc != LS_OK) {
		ls_errinfo_clear(&err);
		ls_errf(&err, rc, "bewaren mislukt: er is niets ingelezen");
		add_error(res, &err);
	}
	return rc;
}

int store_import_csv(struct store *s, ls_csv_read_fn read, void *ctx,
                     const struct store_import_options *opt,
                     struct store_import_result *res)
{
	static const struct store_import_options none = {0};
	struct import im;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&im, 0, sizeof im);
	im.s = s;
	im.opt = opt != NULL ? opt : &none;
	im.res = res;
	im.now = store_now();
	if ((rc = import_open(&im, read, ctx)) == LS_OK) {
		import_rows(&im);
		rc = import_finish(&im);
		progress(&im);
	}
	store_insert_cache_free(im.cache);
	ls_csv_close(im.csv);
	return rc;
}
