/*
 * Taxonomy rows: the TSV is parsed into a scratch struct ls_taxonomy
 * first (so a bad file is refused before any write), then upserted in one
 * transaction, then the in-memory copy is reloaded from the table.
 */
#include "store/taxonomy.h"
#include "store/internal.h"
#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

static const char SQL_LOAD[] =
    "SELECT t.id, t.dim, t.code, p.code, t.label_nl, t.label_en "
    "FROM taxonomy t LEFT JOIN taxonomy p ON p.id = t.parent_id "
    "ORDER BY t.parent_id IS NOT NULL, t.id";
static const char SQL_UPSERT[] =
    "INSERT INTO taxonomy (dim, code, parent_id, label_nl, label_en) "
    "VALUES (?1, ?2, (SELECT id FROM taxonomy WHERE dim = ?1 AND code = ?3),"
    " ?4, ?5) "
    "ON CONFLICT (dim, code) DO UPDATE SET label_nl = excluded.label_nl, "
    "label_en = excluded.label_en";

const struct ls_taxonomy_entry *store_tax_entry(const struct store *s,
                                                int64_t id)
{
	if (id < 0 || (uint64_t)id >= s->tax_by_id_n)
		return NULL;
	return s->tax_by_id[id];
}

/* A taxonomy read from the table. */
struct tax_read {
	struct ls_taxonomy tax;
	const struct ls_taxonomy_entry **by_id; /* ls_calloc'd */
	size_t by_id_n;
};

static void tax_read_fini(struct tax_read *r)
{
	ls_free(r->by_id);
	ls_taxonomy_fini(&r->tax);
}

/* The store's taxonomy becomes r's (which is emptied). Cannot fail, so a
 * writer reads the new taxonomy inside its transaction and installs it
 * only after the commit: a failure anywhere leaves store and memory as
 * they were. */
static void tax_install(struct store *s, struct tax_read *r)
{
	ls_free(s->tax_by_id);
	ls_taxonomy_fini(&s->tax);
	s->tax = r->tax;
	for (size_t i = 0; i < s->tax.n; i++)
		r->by_id[s->tax.entries[i].id] = &s->tax.entries[i];
	s->tax_by_id = r->by_id;
	s->tax_by_id_n = r->by_id_n;
	ls_taxonomy_init(&r->tax);
	r->by_id = NULL;
}

/* 1 if column col of the current row is not NULL in the table but its
 * text is, for want of memory (sqlite3_column_text converts and may
 * allocate). */
static int column_oom(struct store *s, sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) != SQLITE_NULL &&
	       sqlite3_column_text(st, col) == NULL &&
	       sqlite3_errcode(s->db) == SQLITE_NOMEM;
}

static int tax_read(struct store *s, struct tax_read *out, struct ls_errinfo *e)
{
	struct ls_taxonomy fresh;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	ls_taxonomy_init(&out->tax);
	ls_taxonomy_init(&fresh);
	if ((rc = store_stmt(s, SQL_LOAD, &st)) != LS_OK)
		return ls_errf(e, rc, "kan de taxonomie niet lezen");
	/* Shared codes first, so that every parent exists when its local
	 * sub-codes are added. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ls_taxonomy_entry entry;
		enum ls_dim dim;
		const char *parent = (const char *)sqlite3_column_text(st, 3);
		memset(&entry, 0, sizeof entry);
		/* A text column comes back NULL when SQLite runs out of
		 * memory converting it: that is not a damaged table. */
		if (column_oom(s, st, 1) || column_oom(s, st, 2) ||
		    column_oom(s, st, 3) || column_oom(s, st, 4) ||
		    column_oom(s, st, 5)) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto fail;
		}
		entry.id = sqlite3_column_int64(st, 0);
		if (ls_dim_parse((const char *)sqlite3_column_text(st, 1),
		                 &dim) != LS_OK) {
			rc = ls_errf(e, LS_ECORRUPT,
			             "taxonomie in de databank is beschadigd");
			goto fail;
		}
		entry.dim = (uint8_t)dim;
		snprintf(entry.code, sizeof entry.code, "%s",
		         (const char *)sqlite3_column_text(st, 2));
		if (parent != NULL) {
			entry.local = 1;
			snprintf(entry.parent, sizeof entry.parent, "%s",
			         parent);
		}
		entry.label_nl = (char *)sqlite3_column_text(st, 4);
		entry.label_en = (char *)sqlite3_column_text(st, 5);
		if ((rc = ls_taxonomy_add(&fresh, &entry, e)) != LS_OK) {
			if (rc != LS_ENOMEM)
				rc = ls_errf(e, LS_ECORRUPT,
				             "taxonomie in de databank is "
				             "beschadigd (code '%s')",
				             entry.code);
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = ls_errf(e, store_err(s, rc, "taxonomy_load"),
		             "kan de taxonomie niet lezen");
		goto fail;
	}
	sqlite3_reset(st);
	{
		int64_t max_id = 0;
		const struct ls_taxonomy_entry **by_id;
		for (size_t i = 0; i < fresh.n; i++)
			if (fresh.entries[i].id > max_id)
				max_id = fresh.entries[i].id;
		/* ids are small (one per code), but a damaged table must
		 * not make us allocate gigabytes */
		if (max_id > 16 * LS_TAXONOMY_MAX) {
			rc = ls_errf(e, LS_ECORRUPT,
			             "taxonomie in de databank is beschadigd");
			goto fail_reset;
		}
		by_id = ls_calloc((size_t)max_id + 1, sizeof *by_id);
		if (by_id == NULL) {
			rc = ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
			goto fail_reset;
		}
		out->tax = fresh;
		out->by_id = by_id;
		out->by_id_n = (size_t)max_id + 1;
	}
	return LS_OK;
fail_reset:
	ls_taxonomy_fini(&fresh);
	return rc;
fail:
	sqlite3_reset(st);
	ls_taxonomy_fini(&fresh);
	return rc;
}

int store_taxonomy_reload(struct store *s, struct ls_errinfo *e)
{
	struct tax_read r;
	int rc = tax_read(s, &r, e);
	if (rc == LS_OK)
		tax_install(s, &r);
	tax_read_fini(&r);
	return rc;
}

static int upsert(struct store *s, const struct ls_taxonomy_entry *x,
                  int *was_new)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_UPSERT, &st);
	if (rc != LS_OK)
		return rc;
	/* SQLITE_STATIC: the strings outlive the step, and a bind that
	 * copies can fail for want of memory, which would store NULL and
	 * come back as a constraint error ("exists") instead. */
	sqlite3_bind_text(st, 1, ls_dim_name((enum ls_dim)x->dim), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->code, -1, SQLITE_STATIC);
	if (x->local)
		sqlite3_bind_text(st, 3, x->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, x->label_nl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, x->label_en, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, "taxonomy_upsert");
	*was_new =
	    rc == LS_OK && ls_taxonomy_find(&s->tax, (enum ls_dim)x->dim,
	                                    x->code, strlen(x->code)) == NULL;
	return rc;
}

int store_taxonomy_load_tsv(struct store *s, const char *text, size_t len,
                            size_t *added, size_t *updated,
                            struct ls_errinfo *e)
{
	struct ls_taxonomy file;
	struct tax_read fresh = {.by_id = NULL};
	size_t n_added = 0, n_updated = 0;
	int rc, owned;

	/* The file is checked on its own first (a local code in it must
	 * name a shared code of the same file), so a bad file changes
	 * nothing. */
	ls_taxonomy_init(&file);
	if ((rc = ls_taxonomy_parse_tsv(text, len, &file, e)) != LS_OK)
		goto out;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK) {
		ls_errf(e, rc, "de databank is bezet");
		goto out;
	}
	/* Shared codes first (parents before their sub-codes). */
	for (int pass = 0; pass < 2 && rc == LS_OK; pass++) {
		for (size_t i = 0; i < file.n && rc == LS_OK; i++) {
			const struct ls_taxonomy_entry *x = &file.entries[i];
			int was_new = 0;
			if ((int)x->local != pass)
				continue;
			rc = upsert(s, x, &was_new);
			if (rc != LS_OK)
				ls_errf(e, rc, "kan code '%s' niet bewaren",
				        x->code);
			else if (was_new)
				n_added++;
			else
				n_updated++;
		}
	}
	if (rc == LS_OK)
		rc = tax_read(s, &fresh, e);
	if (rc == LS_OK) {
		rc = store_tx_end(s, owned, LS_OK);
		if (rc == LS_OK)
			tax_install(s, &fresh);
		else
			ls_errf(e, rc, "kan de taxonomie niet bewaren");
	} else {
		(void)store_tx_end(s, owned, rc);
	}
	tax_read_fini(&fresh);
	if (rc == LS_OK) {
		if (added)
			*added = n_added;
		if (updated)
			*updated = n_updated;
	}
out:
	ls_taxonomy_fini(&file);
	return rc;
}

int store_taxonomy_add_local(struct store *s, enum ls_dim dim, const char *code,
                             const char *parent, const char *label_nl,
                             const char *label_en, struct ls_errinfo *e)
{
	struct ls_taxonomy check;
	struct ls_taxonomy_entry entry;
	struct tax_read fresh = {.by_id = NULL};
	int rc, was_new, owned;

	memset(&entry, 0, sizeof entry);
	if ((unsigned)dim >= LS_DIM_COUNT_ || strlen(code) > LS_CODE_MAX ||
	    strlen(parent) > LS_CODE_MAX)
		return ls_errf(e, LS_EINVAL, "ongeldige code");
	entry.dim = (uint8_t)dim;
	entry.local = 1;
	snprintf(entry.code, sizeof entry.code, "%s", code);
	snprintf(entry.parent, sizeof entry.parent, "%s", parent);
	entry.label_nl = (char *)label_nl;
	entry.label_en =
	    (char *)(label_en && label_en[0] ? label_en : label_nl);
	/* Validate against a copy of the loaded taxonomy. */
	ls_taxonomy_init(&check);
	for (size_t i = 0; i < s->tax.n; i++)
		if ((rc = ls_taxonomy_add(&check, &s->tax.entries[i], e)) !=
		    LS_OK) {
			ls_taxonomy_fini(&check);
			return rc;
		}
	rc = ls_taxonomy_add(&check, &entry, e);
	ls_taxonomy_fini(&check);
	if (rc != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet");
	rc = upsert(s, &entry, &was_new);
	if (rc != LS_OK)
		ls_errf(e, rc, "kan code '%s' niet bewaren", code);
	else
		rc = tax_read(s, &fresh, e);
	if (rc == LS_OK) {
		rc = store_tx_end(s, owned, LS_OK);
		if (rc == LS_OK)
			tax_install(s, &fresh);
		else
			ls_errf(e, rc, "kan code '%s' niet bewaren", code);
	} else {
		(void)store_tx_end(s, owned, rc);
	}
	tax_read_fini(&fresh);
	return rc;
}
