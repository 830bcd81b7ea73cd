/*
 * Signal rows. A signal is one row in `signal` plus one row per theme in
 * signal_theme and per target group in signal_target; organisations and
 * reporters are found or created by name (local ids). Bulk inserts keep
 * the last organisation and reporter ids in small direct-mapped caches so
 * that an import does not look them up for every row.
 */
#include "store/signal.h"
#include "common/alloc.h"
#include "common/log.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 256

struct org_slot {
	int64_t id; /* 0: empty */
	size_t len;
	char name[LS_ORGANISATION_MAX];
};

struct rep_slot {
	int64_t id;
	int64_t org;
	size_t len;
	char local[LS_REPORTER_MAX];
};

struct store_insert_cache {
	struct org_slot org[CACHE_SLOTS];
	struct rep_slot rep[CACHE_SLOTS];
};

int store_insert_cache_new(struct store_insert_cache **out)
{
	*out = ls_calloc(1, sizeof **out);
	return *out ? LS_OK : LS_ENOMEM;
}

void store_insert_cache_free(struct store_insert_cache *c)
{
	ls_free(c);
}

static uint32_t fnv1a(const char *p, size_t len, uint32_t h)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)p[i];
		h *= 16777619u;
	}
	return h;
}

static const char SQL_ORG_FIND[] = "SELECT id FROM organisation WHERE name = ?";
static const char SQL_ORG_ADD[] = "INSERT INTO organisation (name) VALUES (?)";
static const char SQL_REP_FIND[] =
    "SELECT id FROM reporter WHERE organisation_id = ? AND local_id = ?";
static const char SQL_REP_ADD[] =
    "INSERT INTO reporter (organisation_id, local_id) VALUES (?, ?)";
static const char SQL_SIGNAL_ADD[] =
    "INSERT INTO signal (uid, registered_at, observed_on, age_id, "
    "problem_id, sector_id, organisation_id, reporter_id, persons, "
    "severity, neighbourhood, description, status, created_at) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_THEME_ADD[] =
    "INSERT INTO signal_theme (signal_id, theme_id) VALUES (?, ?)";
static const char SQL_TARGET_ADD[] =
    "INSERT INTO signal_target (signal_id, target_id) VALUES (?, ?)";

/* Find or create a row keyed by text (and optionally a parent id). */
static int find_or_add(struct store *s, const char *find_sql,
                       const char *add_sql, int64_t parent,
                       const struct ls_text *t, int64_t *id)
{
	sqlite3_stmt *st;
	int rc, col = 1;
	if ((rc = store_stmt(s, find_sql, &st)) != LS_OK)
		return rc;
	if (parent != 0)
		sqlite3_bind_int64(st, col++, parent);
	sqlite3_bind_text(st, col, t->ptr, (int)t->len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return LS_OK;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_err(s, rc, "find");
	if ((rc = store_stmt(s, add_sql, &st)) != LS_OK)
		return rc;
	col = 1;
	if (parent != 0)
		sqlite3_bind_int64(st, col++, parent);
	sqlite3_bind_text(st, col, t->ptr, (int)t->len, SQLITE_STATIC);
	if ((rc = store_step_done(s, st, "add")) != LS_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	return LS_OK;
}

static int organisation_id(struct store *s, struct store_insert_cache *c,
                           const struct ls_text *name, int64_t *id)
{
	struct org_slot *slot = NULL;
	int rc;
	if (c != NULL) {
		slot = &c->org[fnv1a(name->ptr, name->len, 2166136261u) %
		               CACHE_SLOTS];
		if (slot->id != 0 && slot->len == name->len &&
		    memcmp(slot->name, name->ptr, name->len) == 0) {
			*id = slot->id;
			return LS_OK;
		}
	}
	rc = find_or_add(s, SQL_ORG_FIND, SQL_ORG_ADD, 0, name, id);
	if (rc == LS_OK && slot != NULL && name->len <= sizeof slot->name) {
		slot->id = *id;
		slot->len = name->len;
		memcpy(slot->name, name->ptr, name->len);
	}
	return rc;
}

static int reporter_id(struct store *s, struct store_insert_cache *c,
                       int64_t org, const struct ls_text *local, int64_t *id)
{
	struct rep_slot *slot = NULL;
	int rc;
	if (c != NULL) {
		uint32_t h = fnv1a((const char *)&org, sizeof org, 2166136261u);
		slot = &c->rep[fnv1a(local->ptr, local->len, h) % CACHE_SLOTS];
		if (slot->id != 0 && slot->org == org &&
		    slot->len == local->len &&
		    memcmp(slot->local, local->ptr, local->len) == 0) {
			*id = slot->id;
			return LS_OK;
		}
	}
	rc = find_or_add(s, SQL_REP_FIND, SQL_REP_ADD, org, local, id);
	if (rc == LS_OK && slot != NULL && local->len <= sizeof slot->local) {
		slot->id = *id;
		slot->org = org;
		slot->len = local->len;
		memcpy(slot->local, local->ptr, local->len);
	}
	return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int col,
                              const struct ls_text *t)
{
	if (t->len == 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, t->ptr, (int)t->len, SQLITE_STATIC);
}

/* A signal's codes in the store's order: taxonomy row id ascending (at
 * most LS_SIGNAL_MAX_TARGETS of them: insertion sort). */
static void codes_in_order(const struct ls_taxonomy_entry **list, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct ls_taxonomy_entry *x = list[i];
		size_t j = i;
		for (; j > 0 && list[j - 1]->id > x->id; j--)
			list[j] = list[j - 1];
		list[j] = x;
	}
}

int store_signal_insert_row(struct store *s, struct ls_signal *sig, int64_t now,
                            struct store_insert_cache *cache,
                            struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	char reg[LS_DATE_SIZE], obs[LS_DATE_SIZE];
	int64_t org, rep = 0, rowid;
	int rc;

	if (!sig->has_id)
		store_random_id(s, sig->id);
	/* sig is left as a read would give it back (store_signal_capture) */
	codes_in_order(sig->themes, sig->n_themes);
	codes_in_order(sig->targets, sig->n_targets);
	if ((rc = organisation_id(s, cache, &sig->organisation, &org)) != LS_OK)
		return ls_errf(e, rc, "kan de organisatie niet bewaren");
	if (sig->reporter.len > 0 &&
	    (rc = reporter_id(s, cache, org, &sig->reporter, &rep)) != LS_OK)
		return ls_errf(e, rc, "kan de melder niet bewaren");
	if ((rc = store_stmt(s, SQL_SIGNAL_ADD, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	ls_date_format(&sig->registered_at, reg);
	sqlite3_bind_blob(st, 1, sig->id, LS_SIGNAL_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reg, 10, SQLITE_STATIC);
	if (sig->has_observed_on) {
		ls_date_format(&sig->observed_on, obs);
		sqlite3_bind_text(st, 3, obs, 10, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 4, sig->age->id);
	if (sig->problem != NULL)
		sqlite3_bind_int64(st, 5, sig->problem->id);
	sqlite3_bind_int64(st, 6, sig->sector->id);
	sqlite3_bind_int64(st, 7, org);
	if (rep != 0)
		sqlite3_bind_int64(st, 8, rep);
	sqlite3_bind_int64(st, 9, sig->persons);
	if (sig->severity != 0)
		sqlite3_bind_int(st, 10, sig->severity);
	bind_text_or_null(st, 11, &sig->neighbourhood);
	bind_text_or_null(st, 12, &sig->description);
	sqlite3_bind_int(st, 13, sig->status);
	sqlite3_bind_int64(st, 14, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int ext = sqlite3_extended_errcode(s->db);
		sqlite3_reset(st);
		if (ext == SQLITE_CONSTRAINT_UNIQUE) {
			char hex[LS_SIGNAL_ID_HEX_SIZE];
			ls_signal_id_format(sig->id, hex);
			return ls_errf(e, LS_EEXISTS,
			               "een signaal met id %s bestaat al", hex);
		}
		return ls_errf(e, store_err(s, ext, "signal_insert"),
		               "kan het signaal niet bewaren");
	}
	sqlite3_reset(st);
	rowid = sqlite3_last_insert_rowid(s->db);
	for (size_t i = 0; i < sig->n_themes; i++) {
		if ((rc = store_stmt(s, SQL_THEME_ADD, &st)) != LS_OK)
			return ls_errf(e, rc, "interne fout");
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_int64(st, 2, sig->themes[i]->id);
		if ((rc = store_step_done(s, st, "theme_insert")) != LS_OK)
			return ls_errf(e, rc, "kan het signaal niet bewaren");
	}
	for (size_t i = 0; i < sig->n_targets; i++) {
		if ((rc = store_stmt(s, SQL_TARGET_ADD, &st)) != LS_OK)
			return ls_errf(e, rc, "interne fout");
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_int64(st, 2, sig->targets[i]->id);
		if ((rc = store_step_done(s, st, "target_insert")) != LS_OK)
			return ls_errf(e, rc, "kan het signaal niet bewaren");
	}
	return LS_OK;
}

int store_signal_insert(struct store *s, struct ls_signal *sig,
                        struct ls_errinfo *e)
{
	return store_signal_capture(s, sig, NULL, NULL, NULL, e);
}

static const char SQL_KEY_ADD[] =
    "INSERT INTO capture_key(key, request, signal_uid, created_at) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char SQL_KEY_FIND[] =
    "SELECT request, signal_uid FROM capture_key WHERE key = ?1";

int store_signal_insert_keyed(struct store *s, struct ls_signal *sig,
                              const uint8_t key[STORE_CAPTURE_HASH_BYTES],
                              const uint8_t request[STORE_CAPTURE_HASH_BYTES],
                              struct ls_errinfo *e)
{
	return store_signal_capture(s, sig, key, request, NULL, e);
}

int store_signal_capture(struct store *s, struct ls_signal *sig,
                         const uint8_t *key, const uint8_t *request,
                         int64_t *created_at, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t now = store_now();
	int owned, rc = LS_OK;
	if ((rc = ls_signal_validate(sig, NULL, e)) != LS_OK)
		return rc;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	/* With a key, the id first, so that the key row can name it; the
	 * key before the signal, so that a known key stores nothing. */
	if (key != NULL && !sig->has_id) {
		store_random_id(s, sig->id);
		sig->has_id = 1;
	}
	if (key != NULL)
		rc = store_stmt(s, SQL_KEY_ADD, &st);
	if (key != NULL && rc == LS_OK) {
		sqlite3_bind_blob(st, 1, key, STORE_CAPTURE_HASH_BYTES,
		                  SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, request, STORE_CAPTURE_HASH_BYTES,
		                  SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, sig->id, LS_SIGNAL_ID_BYTES,
		                  SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		if (sqlite3_step(st) == SQLITE_DONE) {
			sqlite3_reset(st);
		} else {
			int ext = sqlite3_extended_errcode(s->db);
			sqlite3_reset(st);
			rc = ext == SQLITE_CONSTRAINT_PRIMARYKEY
			         ? ls_errf(e, LS_EEXISTS,
			                   "deze sleutel werd al gebruikt")
			         : ls_errf(e, store_err(s, ext, "key_insert"),
			                   "kan het signaal niet bewaren");
		}
	}
	if (rc == LS_OK)
		rc = store_signal_insert_row(s, sig, now, NULL, e);
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK && e != NULL && e->code == LS_OK)
		ls_errf(e, rc, "kan het signaal niet bewaren");
	if (rc == LS_OK && created_at != NULL)
		*created_at = now;
	return rc;
}

int store_capture_key_find(struct store *s,
                           const uint8_t key[STORE_CAPTURE_HASH_BYTES],
                           const uint8_t request[STORE_CAPTURE_HASH_BYTES],
                           int *found, int *same,
                           uint8_t id[LS_SIGNAL_ID_BYTES])
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_KEY_FIND, &st);
	*found = *same = 0;
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_blob(st, 1, key, STORE_CAPTURE_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *req = sqlite3_column_blob(st, 0);
		const void *uid = sqlite3_column_blob(st, 1);
		if (req == NULL || uid == NULL ||
		    sqlite3_column_bytes(st, 0) != STORE_CAPTURE_HASH_BYTES ||
		    sqlite3_column_bytes(st, 1) != LS_SIGNAL_ID_BYTES) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		*found = 1;
		*same = memcmp(req, request, STORE_CAPTURE_HASH_BYTES) == 0;
		memcpy(id, uid, LS_SIGNAL_ID_BYTES);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "key_find");
}

/* --- reading ------------------------------------------------------- */

/* The listing, in both orders. ?1/?2 period, ?3 age, ?4 status, ?5
 * theme, ?6 one id, ?7 limit, ?8 organisation, ?9 reporter, ?10/?11 the
 * keyset cursor (row values compare lexicographically), ?12 target
 * group, ?13 sector, ?14 a LIKE pattern (escaped with '\'), ?15 a
 * dossier. */
#define SQL_SELECT_BODY                                                        \
	"SELECT s.uid, s.registered_at, s.observed_on, s.age_id, "             \
	"s.problem_id,"                                                        \
	" s.sector_id, o.name, r.local_id, s.persons, s.severity,"             \
	" s.neighbourhood, s.description, s.status, s.created_at,"             \
	" (SELECT group_concat(theme_id) FROM signal_theme"                    \
	"   WHERE signal_id = s.id),"                                          \
	" (SELECT group_concat(target_id) FROM signal_target"                  \
	"   WHERE signal_id = s.id), s.id "                                    \
	"FROM signal s JOIN organisation o ON o.id = s.organisation_id"        \
	" LEFT JOIN reporter r ON r.id = s.reporter_id "                       \
	"WHERE (?1 IS NULL OR s.registered_at >= ?1)"                          \
	" AND (?2 IS NULL OR s.registered_at < ?2)"                            \
	" AND (?3 IS NULL OR s.age_id IN"                                      \
	"   (SELECT id FROM taxonomy WHERE id = ?3 OR parent_id = ?3))"        \
	" AND (?4 IS NULL OR s.status = ?4)"                                   \
	" AND (?5 IS NULL OR EXISTS (SELECT 1 FROM signal_theme t"             \
	"   JOIN taxonomy x ON x.id = t.theme_id WHERE t.signal_id = s.id"     \
	"   AND (x.id = ?5 OR x.parent_id = ?5)))"                             \
	" AND (?6 IS NULL OR s.uid = ?6)"                                      \
	" AND (?8 IS NULL OR o.name = ?8)"                                     \
	" AND (?9 IS NULL OR r.local_id = ?9)"                                 \
	" AND (?12 IS NULL OR EXISTS (SELECT 1 FROM signal_target g"           \
	"   JOIN taxonomy y ON y.id = g.target_id WHERE g.signal_id = s.id"    \
	"   AND (y.id = ?12 OR y.parent_id = ?12)))"                           \
	" AND (?13 IS NULL OR s.sector_id IN"                                  \
	"   (SELECT id FROM taxonomy WHERE id = ?13 OR parent_id = ?13))"      \
	" AND (?14 IS NULL OR s.description LIKE ?14 ESCAPE '\\'"              \
	"   OR s.neighbourhood LIKE ?14 ESCAPE '\\'"                           \
	"   OR o.name LIKE ?14 ESCAPE '\\')"                                   \
	" AND (?15 IS NULL OR EXISTS (SELECT 1 FROM dossier_signal ds"         \
	"   WHERE ds.signal_id = s.id AND ds.dossier_id = ?15))"
static const char SQL_SELECT[] = SQL_SELECT_BODY
    " AND (?10 IS NULL OR (s.registered_at, s.id) > (?10, ?11)) "
    "ORDER BY s.registered_at, s.id LIMIT ?7";
/* One signal by its id: "s.uid = ?6" outside the (?N IS NULL OR ...)
 * terms lets SQLite find it by the uid index instead of scanning every
 * signal (the API reads a capture back after every insert). */
static const char SQL_SELECT_ONE[] = SQL_SELECT_BODY " AND s.uid = ?6 LIMIT ?7";
static const char SQL_SELECT_DESC[] = SQL_SELECT_BODY
    " AND (?10 IS NULL OR (s.registered_at, s.id) < (?10, ?11)) "
    "ORDER BY s.registered_at DESC, s.id DESC LIMIT ?7";

static struct ls_text column_text(sqlite3_stmt *st, int col)
{
	struct ls_text t;
	t.ptr = (const char *)sqlite3_column_text(st, col);
	t.len = t.ptr ? (size_t)sqlite3_column_bytes(st, col) : 0;
	return t;
}

/* "3,17,4" -> entries; unknown ids are a corrupt store. */
static int decode_ids(const struct store *s, const char *list,
                      const struct ls_taxonomy_entry **out, size_t max,
                      size_t *n)
{
	*n = 0;
	while (list != NULL && *list != '\0') {
		char *end;
		long long id = strtoll(list, &end, 10);
		const struct ls_taxonomy_entry *x = store_tax_entry(s, id);
		if (end == list || x == NULL || *n == max)
			return LS_ECORRUPT;
		out[(*n)++] = x;
		list = *end == ',' ? end + 1 : end;
	}
	return LS_OK;
}

static int decode_row(struct store *s, sqlite3_stmt *st, struct ls_signal *sig)
{
	struct ls_text t;
	ls_signal_init(sig);
	if (sqlite3_column_bytes(st, 0) != LS_SIGNAL_ID_BYTES)
		return LS_ECORRUPT;
	memcpy(sig->id, sqlite3_column_blob(st, 0), LS_SIGNAL_ID_BYTES);
	sig->has_id = 1;
	t = column_text(st, 1);
	if (ls_date_parse(t.ptr ? t.ptr : "", t.len, &sig->registered_at) !=
	    LS_OK)
		return LS_ECORRUPT;
	sig->has_registered_at = 1;
	t = column_text(st, 2);
	if (t.len > 0) {
		if (ls_date_parse(t.ptr, t.len, &sig->observed_on) != LS_OK)
			return LS_ECORRUPT;
		sig->has_observed_on = 1;
	}
	sig->age = store_tax_entry(s, sqlite3_column_int64(st, 3));
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		sig->problem = store_tax_entry(s, sqlite3_column_int64(st, 4));
	sig->sector = store_tax_entry(s, sqlite3_column_int64(st, 5));
	if (sig->age == NULL || sig->sector == NULL)
		return LS_ECORRUPT;
	sig->organisation = column_text(st, 6);
	sig->reporter = column_text(st, 7);
	sig->persons = sqlite3_column_int64(st, 8);
	sig->severity = (uint8_t)sqlite3_column_int(st, 9);
	sig->neighbourhood = column_text(st, 10);
	sig->description = column_text(st, 11);
	sig->status = (uint8_t)sqlite3_column_int(st, 12);
	if (decode_ids(s, (const char *)sqlite3_column_text(st, 14),
	               sig->themes, LS_SIGNAL_MAX_THEMES,
	               &sig->n_themes) != LS_OK ||
	    decode_ids(s, (const char *)sqlite3_column_text(st, 15),
	               sig->targets, LS_SIGNAL_MAX_TARGETS,
	               &sig->n_targets) != LS_OK)
		return LS_ECORRUPT;
	/* In that order already (the primary keys' order); said here, so
	 * that a capture's answer (store_signal_capture) and a read agree
	 * whatever plan SQLite picks. */
	codes_in_order(sig->themes, sig->n_themes);
	codes_in_order(sig->targets, sig->n_targets);
	return LS_OK;
}

/* Bind a code filter of dimension dim at col; LS_EINVAL if unknown. */
static int bind_code(struct store *s, sqlite3_stmt *st, int col,
                     enum ls_dim dim, const char *code, struct ls_errinfo *e)
{
	const struct ls_taxonomy_entry *x;
	if (code == NULL)
		return LS_OK;
	x = ls_taxonomy_find(&s->tax, dim, code, strlen(code));
	if (x == NULL)
		return ls_errf(e, LS_EINVAL, "onbekende %s-code '%.40s'",
		               ls_dim_name_nl(dim), code);
	sqlite3_bind_int64(st, col, x->id);
	return LS_OK;
}

/* The coordinator's search filters (?12..?15). The words become a LIKE
 * pattern "%words%" in which %, _ and \ stand for themselves. pattern
 * must hold 2 * STORE_SIGNAL_SEARCH_MAX + 3 bytes and outlive the
 * statement's run. */
static int bind_search(struct store *s, sqlite3_stmt *st,
                       const struct store_signal_filter *f, char *pattern,
                       struct ls_errinfo *e)
{
	int rc;
	if ((rc = bind_code(s, st, 12, LS_DIM_TARGET, f->target, e)) != LS_OK ||
	    (rc = bind_code(s, st, 13, LS_DIM_SECTOR, f->sector, e)) != LS_OK)
		return rc;
	if (f->text != NULL && f->text[0] != '\0') {
		size_t len = strlen(f->text), out = 0;
		if (len > STORE_SIGNAL_SEARCH_MAX)
			return ls_errf(e, LS_EINVAL,
			               "de zoektekst is te lang (hoogstens %d "
			               "tekens)",
			               STORE_SIGNAL_SEARCH_MAX);
		pattern[out++] = '%';
		for (size_t i = 0; i < len; i++) {
			char ch = f->text[i];
			if (ch == '%' || ch == '_' || ch == '\\')
				pattern[out++] = '\\';
			pattern[out++] = ch;
		}
		pattern[out++] = '%';
		pattern[out] = '\0';
		sqlite3_bind_text(st, 14, pattern, (int)out, SQLITE_STATIC);
	}
	if (f->dossier > 0)
		sqlite3_bind_int64(st, 15, f->dossier);
	return LS_OK;
}

/* Text bound to the listing's statement: it must outlive the run. */
struct select_text {
	char first[LS_DATE_SIZE], after[LS_DATE_SIZE], cur[LS_DATE_SIZE];
	char pattern[2 * STORE_SIGNAL_SEARCH_MAX + 3];
};

/* The period (?1, ?2) and the cursor (?10, ?11) of the listing. */
static int bind_dates(sqlite3_stmt *st, const struct store_signal_filter *f,
                      struct select_text *tx, struct ls_errinfo *e)
{
	if (f->has_period) {
		struct ls_date a, b;
		if (ls_period_check(&f->period) != LS_OK)
			return ls_errf(e, LS_EINVAL, "ongeldige periode");
		ls_period_bounds(&f->period, &a, &b);
		ls_date_format(&a, tx->first);
		ls_date_format(&b, tx->after);
		sqlite3_bind_text(st, 1, tx->first, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, tx->after, -1, SQLITE_STATIC);
	}
	if (f->has_cursor) {
		const struct ls_date *d = &f->cursor.registered_at;
		if (d->year < LS_YEAR_MIN || d->year > LS_YEAR_MAX ||
		    d->day < 1 || d->day > ls_days_in_month(d->year, d->month))
			return ls_errf(e, LS_EINVAL, "ongeldige positie");
		ls_date_format(&f->cursor.registered_at, tx->cur);
		sqlite3_bind_text(st, 10, tx->cur, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, f->cursor.seq);
	}
	return LS_OK;
}

/* Every filter of f bound to st (all parameters but ?6 and ?7). */
static int bind_filters(struct store *s, sqlite3_stmt *st,
                        const struct store_signal_filter *f,
                        struct select_text *tx, struct ls_errinfo *e)
{
	int rc;
	if ((rc = bind_dates(st, f, tx, e)) != LS_OK)
		return rc;
	if ((rc = bind_code(s, st, 3, LS_DIM_AGE, f->age, e)) != LS_OK)
		return rc;
	if (f->status >= 0)
		sqlite3_bind_int(st, 4, f->status);
	if ((rc = bind_code(s, st, 5, LS_DIM_THEME, f->theme, e)) != LS_OK)
		return rc;
	if (f->organisation != NULL)
		sqlite3_bind_text(st, 8, f->organisation, -1, SQLITE_STATIC);
	if (f->reporter != NULL)
		sqlite3_bind_text(st, 9, f->reporter, -1, SQLITE_STATIC);
	return bind_search(s, st, f, tx->pattern, e);
}

/* The listing's statement: one signal by id (no filter), newest first,
 * or oldest first. */
static const char *select_sql(const struct store_signal_filter *f,
                              const uint8_t *uid)
{
	if (f == NULL && uid != NULL)
		return SQL_SELECT_ONE;
	return f != NULL && f->newest_first ? SQL_SELECT_DESC : SQL_SELECT;
}

/* Run the listing. With page set, one row more than f->limit is read to
 * learn whether the page is the last; it is not handed to cb. */
static int run_select(struct store *s, const struct store_signal_filter *f,
                      const uint8_t *uid, store_signal_cb cb, void *ctx,
                      uint64_t *found, int page,
                      struct store_signal_cursor *last, int *more,
                      struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	struct select_text tx;
	uint64_t limit = f != NULL ? f->limit : 0;
	int rc;

	*found = 0;
	if (more != NULL)
		*more = 0;
	if ((rc = store_stmt(s, select_sql(f, uid), &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	if (f != NULL && (rc = bind_filters(s, st, f, &tx, e)) != LS_OK)
		return rc;
	if (uid != NULL)
		sqlite3_bind_blob(st, 6, uid, LS_SIGNAL_ID_BYTES,
		                  SQLITE_STATIC);
	if (page && limit > 0 && limit < INT64_MAX)
		limit++; /* one more, to know whether there is a next page */
	sqlite3_bind_int64(
	    st, 7, limit > 0 && limit < INT64_MAX ? (int64_t)limit : -1);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ls_signal sig;
		int stop;
		if (page && f->limit > 0 && *found == f->limit) {
			*more = 1;
			break;
		}
		if (decode_row(s, st, &sig) != LS_OK) {
			sqlite3_reset(st);
			return ls_errf(
			    e, LS_ECORRUPT,
			    "een signaal in de databank is "
			    "beschadigd; voer 'signaalctl check' uit");
		}
		(*found)++;
		if (last != NULL) {
			last->registered_at = sig.registered_at;
			last->seq = sqlite3_column_int64(st, 16);
		}
		stop = cb(ctx, &sig, sqlite3_column_int64(st, 13));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	if (page && *more)
		return LS_OK;
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "signal_select"),
		               "kan de signalen niet lezen");
	return LS_OK;
}

int store_signal_list(struct store *s, const struct store_signal_filter *f,
                      store_signal_cb cb, void *ctx, struct ls_errinfo *e)
{
	uint64_t found;
	return run_select(s, f, NULL, cb, ctx, &found, 0, NULL, NULL, e);
}

int store_signal_page(struct store *s, const struct store_signal_filter *f,
                      store_signal_cb cb, void *ctx,
                      struct store_signal_cursor *last, int *more,
                      struct ls_errinfo *e)
{
	uint64_t found;
	if (f == NULL || f->limit == 0)
		return ls_errf(e, LS_EINVAL, "een pagina heeft een limiet");
	return run_select(s, f, NULL, cb, ctx, &found, 1, last, more, e);
}

static const char SQL_THEME_MONTHS[] =
    "SELECT substr(s.registered_at, 1, 7), coalesce(p.code, x.code), "
    "count(*) FROM signal s JOIN signal_theme t ON t.signal_id = s.id "
    "JOIN taxonomy x ON x.id = t.theme_id "
    "LEFT JOIN taxonomy p ON p.id = x.parent_id "
    "WHERE s.registered_at >= ?1 AND s.registered_at < ?2 "
    "GROUP BY 1, 2 ORDER BY 1, 2";

int store_signal_theme_months(struct store *s, int32_t first, int32_t n_months,
                              int (*cb)(void *ctx, int32_t month,
                                        const char *theme, uint64_t count),
                              void *ctx, struct ls_errinfo *e)
{
	struct ls_period p = {.months = 1}, end;
	struct ls_date a, b;
	char from[LS_DATE_SIZE], to[LS_DATE_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (n_months < 1 || n_months > 120)
		return ls_errf(e, LS_EINVAL, "1 tot 120 maanden");
	p.year = first / 12;
	p.month = first % 12 + 1;
	if (ls_period_check(&p) != LS_OK ||
	    ls_period_add(&p, n_months - 1, &end) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	ls_period_bounds(&p, &a, &b);
	ls_date_format(&a, from);
	ls_period_bounds(&end, &a, &b);
	ls_date_format(&b, to);
	if ((rc = store_stmt(s, SQL_THEME_MONTHS, &st)) != LS_OK)
		return ls_errf(e, rc, "interne fout");
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ym = (const char *)sqlite3_column_text(st, 0);
		const char *code = (const char *)sqlite3_column_text(st, 1);
		struct ls_date d;
		char day[LS_DATE_SIZE];
		int stop;
		if (ym == NULL || code == NULL || strlen(ym) != 7) {
			sqlite3_reset(st);
			return ls_errf(
			    e, LS_ECORRUPT,
			    "een signaal in de databank is "
			    "beschadigd; voer 'signaalctl check' uit");
		}
		snprintf(day, sizeof day, "%s-01", ym);
		if (ls_date_parse(day, 10, &d) != LS_OK) {
			sqlite3_reset(st);
			return ls_errf(
			    e, LS_ECORRUPT,
			    "een signaal in de databank is "
			    "beschadigd; voer 'signaalctl check' uit");
		}
		stop = cb(ctx, ls_month_index(d.year, d.month), code,
		          (uint64_t)sqlite3_column_int64(st, 2));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "theme_months"),
		               "kan de signalen niet lezen");
	return LS_OK;
}

int store_signal_get(struct store *s, const uint8_t id[LS_SIGNAL_ID_BYTES],
                     store_signal_cb cb, void *ctx, struct ls_errinfo *e)
{
	uint64_t found;
	int rc = run_select(s, NULL, id, cb, ctx, &found, 0, NULL, NULL, e);
	if (rc == LS_OK && found == 0) {
		char hex[LS_SIGNAL_ID_HEX_SIZE];
		ls_signal_id_format(id, hex);
		return ls_errf(e, LS_ENOTFOUND, "geen signaal met id %s", hex);
	}
	return rc;
}

int store_signal_organisations(struct store *s,
                               int (*cb)(void *ctx, const char *name,
                                         uint64_t n_signals),
                               void *ctx, struct ls_errinfo *e)
{
	static const char sql[] =
	    "SELECT o.name, count(*) FROM signal s JOIN organisation o "
	    "ON o.id = s.organisation_id GROUP BY o.id ORDER BY o.name";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return ls_errf(e, rc, "interne fout");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int stop;
		if (name == NULL)
			continue;
		stop = cb(ctx, name, (uint64_t)sqlite3_column_int64(st, 1));
		if (stop != 0) {
			sqlite3_reset(st);
			return stop;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ls_errf(e, store_err(s, rc, "organisations"),
		               "kan de organisaties niet lezen");
	return LS_OK;
}

int store_signal_count(struct store *s, uint64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM signal";
	sqlite3_stmt *st;
	int64_t v;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK ||
	    (rc = store_one_row(s, st, &v, 1, "signal_count")) != LS_OK)
		return rc;
	*n = (uint64_t)v;
	return LS_OK;
}

int store_signal_last_capture(struct store *s, int64_t *t)
{
	/* The newest row by rowid is the one stored last: no scan. */
	static const char sql[] =
	    "SELECT created_at FROM signal ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);
	if (rc != LS_OK)
		return rc;
	return store_one_row(s, st, t, 1, "signal_last_capture");
}

/* --- erasure and retention ----------------------------------------- */

static const char SQL_FIND_UID[] =
    "SELECT id, reporter_id FROM signal WHERE uid = ?";
static const char SQL_DELETE[] = "DELETE FROM signal WHERE id = ?";
static const char SQL_DELETE_REPORTER[] =
    "DELETE FROM reporter WHERE id = ?1 AND NOT EXISTS "
    "(SELECT 1 FROM signal WHERE reporter_id = ?1)";
static const char SQL_PURGE_COUNT[] =
    "SELECT count(*) FROM signal WHERE registered_at < ? "
    "AND description IS NOT NULL";
static const char SQL_PURGE[] =
    "UPDATE signal SET description = NULL WHERE registered_at < ? "
    "AND description IS NOT NULL";

static void finish_wipe(struct store *s, int *wiped)
{
	int rc = store_checkpoint(s);
	if (rc != LS_OK)
		LS_WARN("store", "wipe_checkpoint_incomplete", "err=%s",
		        ls_errname(rc));
	if (wiped != NULL)
		*wiped = rc == LS_OK;
}

int store_signal_erase(struct store *s, const uint8_t id[LS_SIGNAL_ID_BYTES],
                       int *wiped, struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	int64_t rowid = 0, reporter = 0;
	int rc, owned;

	if (wiped != NULL)
		*wiped = 0;
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = store_stmt(s, SQL_FIND_UID, &st)) != LS_OK)
		goto out;
	sqlite3_bind_blob(st, 1, id, LS_SIGNAL_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rowid = sqlite3_column_int64(st, 0);
		reporter = sqlite3_column_int64(st, 1);
		rc = LS_OK;
	} else if (rc == SQLITE_DONE) {
		char hex[LS_SIGNAL_ID_HEX_SIZE];
		ls_signal_id_format(id, hex);
		rc = ls_errf(e, LS_ENOTFOUND, "geen signaal met id %s", hex);
	} else {
		rc = store_err(s, rc, "erase_find");
	}
	sqlite3_reset(st);
	if (rc != LS_OK)
		goto out;
	if ((rc = store_stmt(s, SQL_DELETE, &st)) != LS_OK)
		goto out;
	sqlite3_bind_int64(st, 1, rowid);
	if ((rc = store_step_done(s, st, "erase")) != LS_OK)
		goto out;
	if (reporter != 0) {
		if ((rc = store_stmt(s, SQL_DELETE_REPORTER, &st)) != LS_OK)
			goto out;
		sqlite3_bind_int64(st, 1, reporter);
		rc = store_step_done(s, st, "erase_reporter");
	}
out:
	rc = store_tx_end(s, owned, rc);
	if (rc != LS_OK) {
		if (e != NULL && e->code == LS_OK)
			ls_errf(e, rc, "wissen mislukt");
		return rc;
	}
	if (owned)
		finish_wipe(s, wiped);
	return LS_OK;
}

int store_signal_purge(struct store *s, const struct ls_date *before,
                       int dry_run, uint64_t *count, int *wiped,
                       struct ls_errinfo *e)
{
	sqlite3_stmt *st;
	char date[LS_DATE_SIZE];
	int rc, owned;

	if (wiped != NULL)
		*wiped = 0;
	ls_date_format(before, date);
	if ((rc = store_tx_enter(s, &owned)) != LS_OK)
		return ls_errf(e, rc, "de databank is bezet; probeer opnieuw");
	if ((rc = store_stmt(s, SQL_PURGE_COUNT, &st)) != LS_OK)
		goto out;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = store_err(s, rc, "purge_count");
		sqlite3_reset(st);
		goto out;
	}
	*count = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	rc = LS_OK;
	if (dry_run || *count == 0)
		goto out;
	if ((rc = store_stmt(s, SQL_PURGE, &st)) != LS_OK)
		goto out;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
	rc = store_step_done(s, st, "purge");
out:
	rc = store_tx_end(s, owned, dry_run && rc == LS_OK ? LS_OK : rc);
	if (rc != LS_OK)
		return ls_errf(e, rc, "opschonen mislukt");
	if (owned && !dry_run)
		finish_wipe(s, wiped);
	return LS_OK;
}
