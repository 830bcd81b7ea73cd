/*
 * Raw summary in one pass: two queries stream the period's signals (an
 * index range scan on registered_at) — one row per (signal, theme) with
 * the signal's codes, organisation, reporter and capped persons, and one
 * row per (signal, theme, target group) — and every table is counted in
 * memory at once. Codes are mapped to their shared code through the
 * in-memory taxonomy (a local sub-code counts under its parent), and
 * rows come out in byte order of (theme, other) because each dimension's
 * shared codes are walked in that order. Distinct organisations and
 * reporters per theme are counted with a bitmap per theme over their row
 * ids (by sorting when the ids are too large for one).
 *
 * One GROUP BY query per table would read the same rows six times; this
 * reads them twice and is several times faster on a city's month
 * (bench/bench_summary.c).
 */
#include "store/summary.h"
#include "common/alloc.h"
#include "core/period.h"
#include "core/taxonomy.h"
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both scans walk the index on registered_at, so both come in order of
 * (registered_at, id) without a sort; the targets scan reads only that
 * index and signal_target, and takes each signal's themes and persons
 * from the first scan. */
static const char SQL_SIGNALS[] =
    "SELECT s.id, st.theme_id, s.age_id, s.sector_id, s.problem_id, "
    "s.organisation_id, s.reporter_id, min(s.persons, ?3)"
    " FROM signal s JOIN signal_theme st ON st.signal_id = s.id"
    " WHERE s.registered_at >= ?1 AND s.registered_at < ?2"
    " ORDER BY s.registered_at, s.id";

static const char SQL_TARGETS[] =
    "SELECT s.id, sg.target_id"
    " FROM signal s JOIN signal_target sg ON sg.signal_id = s.id"
    " WHERE s.registered_at >= ?1 AND s.registered_at < ?2"
    " ORDER BY s.registered_at, s.id";

/* The dimension of each table's second code. */
static const uint8_t table_dim[LS_TABLE_COUNT_] = {
    [LS_TABLE_THEME] = LS_DIM_THEME,
    [LS_TABLE_THEME_AGE] = LS_DIM_AGE,
    [LS_TABLE_THEME_TARGET] = LS_DIM_TARGET,
    [LS_TABLE_THEME_SECTOR] = LS_DIM_SECTOR,
    [LS_TABLE_THEME_PROBLEM] = LS_DIM_PROBLEM,
};

/* Shared codes of one dimension in byte order, and where each taxonomy
 * entry (by store id) counts. */
struct codes {
	size_t n;
	const char **code;
};

struct counter {
	struct codes dim[LS_DIM_COUNT_];
	int32_t *idx; /* store id -> index in its dimension, -1 none */
	size_t n_ids;
	int32_t none; /* index of LS_PROBLEM_NONE among problem types */
	int64_t *x[LS_TABLE_COUNT_], *y[LS_TABLE_COUNT_];
	uint64_t *orgs, *reps; /* (theme << ID_BITS | id) pairs */
	size_t n_orgs, n_reps, cap_orgs, cap_reps;
	/* the (signal, theme) rows of the first scan, in its order, for
	 * the targets scan: signal id, theme index, capped persons */
	struct seen *seen;
	size_t n_seen, cap_seen;
};

struct seen {
	int64_t signal;
	int32_t theme;
	int64_t persons;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int32_t code_index(const struct codes *c, const char *code)
{
	const char **hit =
	    bsearch(&code, c->code, c->n, sizeof *c->code, cmp_str);
	return hit == NULL ? -1 : (int32_t)(hit - c->code);
}

static void counter_free(struct counter *c)
{
	for (int d = 0; d < LS_DIM_COUNT_; d++)
		ls_free(c->dim[d].code);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		ls_free(c->x[t]);
		ls_free(c->y[t]);
	}
	ls_free(c->idx);
	ls_free(c->orgs);
	ls_free(c->reps);
	ls_free(c->seen);
}

static int counter_init(struct store *s, struct counter *c)
{
	const struct ls_taxonomy *tax = &s->tax;
	memset(c, 0, sizeof *c);
	c->none = -1;
	for (int d = 0; d < LS_DIM_COUNT_; d++) {
		size_t n = d == LS_DIM_PROBLEM ? 1 : 0;
		for (size_t i = 0; i < tax->n; i++)
			n += tax->entries[i].dim == d && !tax->entries[i].local;
		c->dim[d].code = ls_calloc(n + 1, sizeof *c->dim[d].code);
		if (c->dim[d].code == NULL)
			return LS_ENOMEM;
		for (size_t i = 0; i < tax->n; i++)
			if (tax->entries[i].dim == d && !tax->entries[i].local)
				c->dim[d].code[c->dim[d].n++] =
				    tax->entries[i].code;
		if (d == LS_DIM_PROBLEM)
			c->dim[d].code[c->dim[d].n++] = LS_PROBLEM_NONE;
		qsort(c->dim[d].code, c->dim[d].n, sizeof *c->dim[d].code,
		      cmp_str);
	}
	c->none = code_index(&c->dim[LS_DIM_PROBLEM], LS_PROBLEM_NONE);
	c->n_ids = s->tax_by_id_n;
	c->idx = ls_calloc(c->n_ids + 1, sizeof *c->idx);
	if (c->idx == NULL)
		return LS_ENOMEM;
	for (size_t id = 0; id < c->n_ids; id++) {
		const struct ls_taxonomy_entry *x = s->tax_by_id[id];
		c->idx[id] = x == NULL ? -1
		                       : code_index(&c->dim[x->dim],
		                                    ls_taxonomy_shared_code(x));
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n = c->dim[LS_DIM_THEME].n *
		           (t == LS_TABLE_THEME ? 1 : c->dim[table_dim[t]].n);
		c->x[t] = ls_calloc(n + 1, sizeof *c->x[t]);
		c->y[t] = ls_calloc(n + 1, sizeof *c->y[t]);
		if (c->x[t] == NULL || c->y[t] == NULL)
			return LS_ENOMEM;
	}
	return LS_OK;
}

/* The index of a taxonomy id of dimension dim; -1 if it is not one. */
static int32_t idx_of(const struct store *s, const struct counter *c,
                      sqlite3_stmt *st, int col, int dim)
{
	int64_t id = sqlite3_column_int64(st, col);
	/* idx is an index within the entry's own dimension: a code of
	 * another dimension in this column is a damaged database */
	if (id < 0 || (uint64_t)id >= c->n_ids || c->idx[id] < 0 ||
	    s->tax_by_id[id]->dim != dim)
		return -1;
	return c->idx[id];
}

static void add(struct counter *c, int t, int32_t theme, int32_t other,
                int64_t persons)
{
	size_t no = t == LS_TABLE_THEME ? 1 : c->dim[table_dim[t]].n;
	size_t i = (size_t)theme * no + (size_t)other;
	c->x[t][i]++;
	c->y[t][i] += persons;
}

/* Organisation and reporter ids are row ids: far below 2^48. */
#define ID_BITS 48
#define ID_MASK ((UINT64_C(1) << ID_BITS) - 1)

static int pair_add(uint64_t **v, size_t *n, size_t *cap, int32_t theme,
                    int64_t id)
{
	uint64_t *bigger = ls_array_grow(*v, cap, *n + 1, sizeof *bigger, 1024);
	if (bigger == NULL)
		return LS_ENOMEM;
	*v = bigger;
	(*v)[(*n)++] = (uint64_t)theme << ID_BITS | (uint64_t)id;
	return LS_OK;
}

static int bind_period(sqlite3_stmt *st, const char *first, const char *after,
                       int64_t cap)
{
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cap);
	return LS_OK;
}

static int seen_add(struct counter *c, int64_t signal, int32_t theme,
                    int64_t persons)
{
	{
		struct seen *bigger = ls_array_grow(
		    c->seen, &c->cap_seen, c->n_seen + 1, sizeof *bigger, 1024);
		if (bigger == NULL)
			return LS_ENOMEM;
		c->seen = bigger;
	}
	c->seen[c->n_seen].signal = signal;
	c->seen[c->n_seen].theme = theme;
	c->seen[c->n_seen].persons = persons;
	c->n_seen++;
	return LS_OK;
}

/*
 * The organisation as the recurrence indicator counts it: one per
 * (organisation, sector). An organisation is meant to have one sector,
 * but nothing stops one name being used with two (a CAW's youth desk
 * entered as "jeugdhulp", its other signals as "caw"). Each signal
 * counts under the sector recorded on it, and the organisation counts
 * once per sector it reported under, so a theme always has at least as
 * many organisations as sectors with signals — a public relation the
 * disclosure model relies on (docs/DISCLOSURE.md, "Two sectors"). The
 * operator is told (store_summary_sector_conflicts).
 */
static int64_t org_sector(const struct counter *c, int64_t org, int32_t se)
{
	return org * (int64_t)c->dim[LS_DIM_SECTOR].n + se;
}

static int scan_signals(struct store *s, struct counter *c, const char *first,
                        const char *after, int64_t cap)
{
	sqlite3_stmt *st;
	int rc = store_stmt(s, SQL_SIGNALS, &st);
	if (rc != LS_OK)
		return rc;
	bind_period(st, first, after, cap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t th = idx_of(s, c, st, 1, LS_DIM_THEME);
		int32_t ag = idx_of(s, c, st, 2, LS_DIM_AGE);
		int32_t se = idx_of(s, c, st, 3, LS_DIM_SECTOR);
		int32_t pr = sqlite3_column_type(st, 4) == SQLITE_NULL
		                 ? c->none
		                 : idx_of(s, c, st, 4, LS_DIM_PROBLEM);
		int64_t p = sqlite3_column_int64(st, 7);
		if (th < 0 || ag < 0 || se < 0 || pr < 0 ||
		    (uint64_t)sqlite3_column_int64(st, 5) >
		        ID_MASK / c->dim[LS_DIM_SECTOR].n ||
		    (uint64_t)sqlite3_column_int64(st, 6) > ID_MASK) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		add(c, LS_TABLE_THEME, th, 0, p);
		add(c, LS_TABLE_THEME_AGE, th, ag, p);
		add(c, LS_TABLE_THEME_SECTOR, th, se, p);
		add(c, LS_TABLE_THEME_PROBLEM, th, pr, p);
		if ((rc = seen_add(c, sqlite3_column_int64(st, 0), th, p)) !=
		        LS_OK ||
		    (rc = pair_add(&c->orgs, &c->n_orgs, &c->cap_orgs, th,
		                   org_sector(c, sqlite3_column_int64(st, 5),
		                              se))) != LS_OK ||
		    (sqlite3_column_type(st, 6) != SQLITE_NULL &&
		     (rc = pair_add(&c->reps, &c->n_reps, &c->cap_reps, th,
		                    sqlite3_column_int64(st, 6))) != LS_OK)) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "summary");
}

/* Targets: the same signals in the same order; each target counts in
 * every theme the first scan saw for its signal. */
static int scan_targets(struct store *s, struct counter *c, const char *first,
                        const char *after)
{
	sqlite3_stmt *st;
	size_t at = 0;
	int rc = store_stmt(s, SQL_TARGETS, &st);
	if (rc != LS_OK)
		return rc;
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sig = sqlite3_column_int64(st, 0);
		int32_t tg = idx_of(s, c, st, 1, LS_DIM_TARGET);
		size_t j = at;
		if (tg < 0) {
			sqlite3_reset(st);
			return LS_ECORRUPT;
		}
		while (j < c->n_seen && c->seen[j].signal != sig)
			j++;
		if (j == c->n_seen)
			continue; /* a signal without themes counts nowhere */
		at = j;
		for (; j < c->n_seen && c->seen[j].signal == sig; j++)
			add(c, LS_TABLE_THEME_TARGET, c->seen[j].theme, tg,
			    c->seen[j].persons);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "summary_targets");
}

static struct ls_cell exact(int64_t v)
{
	struct ls_cell c = {
	    .kind = LS_CELL_EXACT, .value = v, .lo = v, .hi = v};
	return c;
}

/* Distinct ids per theme of (theme << ID_BITS | id) pairs: a bitmap per
 * theme when the ids are small enough (they are row ids, so they usually
 * are), else by sorting. */
#define DISTINCT_BITMAP_MAX (16u * 1024 * 1024) /* bytes */

static void distinct(uint64_t *v, size_t n, size_t nt, int64_t *per_theme)
{
	uint64_t max = 0, words;
	uint64_t *bits = NULL;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if ((v[i] & ID_MASK) > max)
			max = v[i] & ID_MASK;
	words = max / 64 + 1;
	if (words <= DISTINCT_BITMAP_MAX / sizeof *bits / nt)
		bits = ls_calloc(words * nt, sizeof *bits);
	if (bits != NULL) {
		for (size_t i = 0; i < n; i++) {
			uint64_t th = v[i] >> ID_BITS, id = v[i] & ID_MASK;
			uint64_t *w = &bits[th * words + id / 64];
			uint64_t bit = UINT64_C(1) << (id % 64);
			if (!(*w & bit)) {
				*w |= bit;
				per_theme[th]++;
			}
		}
		ls_free(bits);
		return;
	}
	/* Large ids, or no memory for the bitmap: sort in place. */
	qsort(v, n, sizeof *v, cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			per_theme[v[i] >> ID_BITS]++;
}

static int emit(struct counter *c, struct ls_summary *out)
{
	size_t nt = c->dim[LS_DIM_THEME].n, themes = 0;
	int64_t *orgs = ls_calloc(nt + 1, sizeof *orgs);
	int64_t *reps = ls_calloc(nt + 1, sizeof *reps);
	int rc = LS_OK;

	if (orgs == NULL || reps == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	distinct(c->orgs, c->n_orgs, nt, orgs);
	distinct(c->reps, c->n_reps, nt, reps);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct codes *o = &c->dim[table_dim[t]];
		size_t no = t == LS_TABLE_THEME ? 1 : o->n, rows = 0;
		struct ls_summary_table *tab = &out->tables[t];
		for (size_t i = 0; i < nt * no; i++)
			rows += c->x[t][i] > 0;
		if (rows > LS_SUMMARY_MAX_ROWS) {
			rc = LS_ELIMIT;
			goto out;
		}
		if (rows == 0)
			continue;
		tab->rows = ls_calloc(rows, sizeof *tab->rows);
		if (tab->rows == NULL) {
			rc = LS_ENOMEM;
			goto out;
		}
		for (size_t ti = 0; ti < nt; ti++)
			for (size_t oi = 0; oi < no; oi++) {
				size_t i = ti * no + oi;
				struct ls_summary_row *row;
				if (c->x[t][i] == 0)
					continue;
				row = &tab->rows[tab->n_rows++];
				snprintf(row->theme, sizeof row->theme, "%s",
				         c->dim[LS_DIM_THEME].code[ti]);
				if (t != LS_TABLE_THEME)
					snprintf(row->other, sizeof row->other,
					         "%s", o->code[oi]);
				row->signals = exact(c->x[t][i]);
				row->persons = exact(c->y[t][i]);
			}
	}
	for (size_t ti = 0; ti < nt; ti++)
		themes += c->x[LS_TABLE_THEME][ti] > 0;
	if (themes > 0) {
		out->recurrence = ls_calloc(themes, sizeof *out->recurrence);
		if (out->recurrence == NULL) {
			rc = LS_ENOMEM;
			goto out;
		}
	}
	for (size_t ti = 0; ti < nt; ti++) {
		struct ls_recurrence_row *row;
		if (c->x[LS_TABLE_THEME][ti] == 0)
			continue;
		row = &out->recurrence[out->n_recurrence++];
		snprintf(row->theme, sizeof row->theme, "%s",
		         c->dim[LS_DIM_THEME].code[ti]);
		row->organisations = exact(orgs[ti]);
		row->reporters = exact(reps[ti]);
	}
out:
	ls_free(orgs);
	ls_free(reps);
	return rc;
}

int store_summary_raw(struct store *s, const struct ls_period *period,
                      uint32_t persons_cap, struct ls_summary *out,
                      struct ls_errinfo *e)
{
	struct ls_date a, b;
	char first[LS_DATE_SIZE], after[LS_DATE_SIZE];
	int64_t cap = persons_cap == 0 ? INT64_MAX : (int64_t)persons_cap;
	struct counter c;
	int own, rc;

	ls_summary_init(out);
	if (ls_period_check(period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	out->period = *period;
	out->params.persons_cap = persons_cap;
	ls_period_bounds(period, &a, &b);
	ls_date_format(&a, first);
	ls_date_format(&b, after);
	if ((rc = counter_init(s, &c)) != LS_OK)
		goto out;
	/* One read transaction, so both scans see the same snapshot even
	 * while another process writes. */
	own = sqlite3_get_autocommit(s->db);
	if (own && (rc = store_exec(s, "BEGIN")) != LS_OK)
		goto out;
	rc = scan_signals(s, &c, first, after, cap);
	if (rc == LS_OK)
		rc = scan_targets(s, &c, first, after);
	if (own)
		(void)store_exec(s, "COMMIT");
	if (rc == LS_OK)
		rc = emit(&c, out);
out:
	counter_free(&c);
	if (rc != LS_OK) {
		ls_summary_fini(out);
		out->period = *period;
		out->params.persons_cap = persons_cap;
		return ls_errf(e, rc,
		               rc == LS_ELIMIT   ? "te veel rijen in een tabel"
		               : rc == LS_ENOMEM ? "onvoldoende geheugen"
		               : rc == LS_ECORRUPT
		                   ? "een signaal heeft een "
		                     "code die de taxonomie "
		                     "niet kent"
		                   : "kan de telling niet maken");
	}
	return LS_OK;
}

int store_summary_span(struct store *s, struct ls_date *first,
                       struct ls_date *last, int *any)
{
	static const char sql[] =
	    "SELECT min(registered_at), max(registered_at) FROM signal";
	sqlite3_stmt *st;
	int rc = store_stmt(s, sql, &st);

	memset(first, 0, sizeof *first);
	memset(last, 0, sizeof *last);
	*any = 0;
	if (rc != LS_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = SQLITE_DONE;
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			const char *a =
			    (const char *)sqlite3_column_text(st, 0);
			const char *b =
			    (const char *)sqlite3_column_text(st, 1);
			if (ls_date_parse(a, strlen(a), first) != LS_OK ||
			    ls_date_parse(b, strlen(b), last) != LS_OK) {
				sqlite3_reset(st);
				return LS_ECORRUPT;
			}
			*any = 1;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? LS_OK : store_err(s, rc, "summary_span");
}

/* (organisation, shared sector index) pairs, for the conflicts count. */
static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	if (x[0] != y[0])
		return (x[0] > y[0]) - (x[0] < y[0]);
	return (x[1] > y[1]) - (x[1] < y[1]);
}

int store_summary_sector_conflicts(struct store *s,
                                   const struct ls_period *period, uint32_t *n,
                                   struct ls_errinfo *e)
{
	static const char sql[] =
	    "SELECT DISTINCT organisation_id, sector_id FROM signal"
	    " WHERE registered_at >= ?1 AND registered_at < ?2";
	struct ls_date a, b;
	char first[LS_DATE_SIZE], after[LS_DATE_SIZE];
	struct counter c;
	int64_t *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (ls_period_check(period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "ongeldige periode");
	ls_period_bounds(period, &a, &b);
	ls_date_format(&a, first);
	ls_date_format(&b, after);
	if ((rc = counter_init(s, &c)) != LS_OK)
		goto out;
	if ((rc = store_stmt(s, sql, &st)) != LS_OK)
		goto out;
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t se = idx_of(s, &c, st, 1, LS_DIM_SECTOR);
		if (se < 0) {
			rc = LS_ECORRUPT;
			break;
		}
		{
			/* Pairs: (signal, sector). */
			int64_t *bigger =
			    ls_array_grow(v, &cap, len + 1, 2 * sizeof *v, 256);
			if (bigger == NULL) {
				rc = LS_ENOMEM;
				break;
			}
			v = bigger;
		}
		v[2 * len] = sqlite3_column_int64(st, 0);
		v[2 * len + 1] = se;
		len++;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		rc = LS_OK;
	else if (rc != LS_ECORRUPT && rc != LS_ENOMEM)
		rc = store_err(s, rc, "summary_sectors");
	if (rc != LS_OK)
		goto out;
	/* Sub-codes of one shared sector are one sector here: sort the
	 * pairs and count organisations with two different indexes. */
	if (len > 1) /* qsort(NULL, 0, ...) is undefined (UBSan) */
		qsort(v, len, 2 * sizeof *v, cmp_pair);
	for (size_t i = 0, j; i < len; i = j) {
		int many = 0;
		for (j = i + 1; j < len && v[2 * j] == v[2 * i]; j++)
			many |= v[2 * j + 1] != v[2 * i + 1];
		*n += (uint32_t)many;
	}
out:
	counter_free(&c);
	ls_free(v);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan de sectoren niet tellen");
	return LS_OK;
}
