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

int store_import_csv(struct store *s, ls_csv_read_fn read, void *ctx,
                     const struct store_import_options *opt,
                     struct store_import_result *res)
{
	struct store_import_options none = {0};
	struct ls_csv *csv = NULL;
	struct store_insert_cache *cache = NULL;
	struct ls_csv_map map;
	struct ls_csv_record rec;
	struct ls_errinfo err;
	int64_t now = store_now();
	int rc, fatal = LS_OK;

	memset(res, 0, sizeof *res);
	if (opt == NULL)
		opt = &none;
	ls_errinfo_clear(&err);
	if (ls_csv_open(&csv, read, ctx) != LS_OK ||
	    store_insert_cache_new(&cache) != LS_OK) {
		ls_errf(&err, LS_ENOMEM, "onvoldoende geheugen");
		add_error(res, &err);
		rc = LS_ENOMEM;
		goto out_free;
	}
	rc = ls_csv_next(csv, &rec, &err);
	if (rc == LS_OK)
		rc = ls_csv_map_header(&map, &rec, &err);
	res->separator = ls_csv_separator(csv);
	if (rc != LS_OK) {
		add_error(res, &err);
		rc = rc == LS_EIO ? LS_EIO : LS_EINVAL;
		goto out_free;
	}
	if ((rc = store_tx_begin(s)) != LS_OK) {
		ls_errf(&err, rc,
		        "de databank is bezet (schrijft een ander proces?); "
		        "probeer opnieuw");
		add_error(res, &err);
		goto out_free;
	}
	for (;;) {
		struct ls_signal sig;
		rc = ls_csv_next(csv, &rec, &err);
		if (rc != LS_OK) {
			add_error(res, &err);
			if (rc == LS_EIO)
				fatal = LS_EIO;
			break;
		}
		if (rec.n_fields == 0)
			break;
		rc = ls_csv_map_row(&map, &rec, store_taxonomy(s), &sig, &err);
		if (rc == LS_OK && res->n_errors == 0 && !opt->dry_run) {
			struct ls_errinfo why;
			ls_errinfo_clear(&why);
			rc = store_signal_insert_row(s, &sig, now, cache, &why);
			if (rc != LS_OK) {
				ls_errf(&err, rc, "regel %llu: %s",
				        (unsigned long long)rec.line, why.msg);
				if (rc != LS_EEXISTS)
					fatal = rc; /* the database failed */
			}
		}
		if (rc != LS_OK) {
			add_error(res, &err);
			if (fatal != LS_OK)
				break;
			continue;
		}
		res->rows++;
		if (opt->progress != NULL && res->rows % PROGRESS_EVERY == 0)
			opt->progress(opt->progress_ctx, ls_csv_bytes_read(csv),
			              res->rows);
	}
	if (res->n_errors > 0 || opt->dry_run) {
		store_tx_rollback(s);
		rc = res->n_errors > 0 ? (fatal != LS_OK ? fatal : LS_EINVAL)
		                       : LS_OK;
	} else {
		rc = store_tx_commit(s);
		if (rc != LS_OK) {
			ls_errf(&err, rc,
			        "bewaren mislukt: er is niets "
			        "ingelezen");
			add_error(res, &err);
		}
	}
	if (opt->progress != NULL)
		opt->progress(opt->progress_ctx, ls_csv_bytes_read(csv),
		              res->rows);
out_free:
	store_insert_cache_free(cache);
	ls_csv_close(csv);
	return rc;
}
