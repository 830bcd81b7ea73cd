/*
 * Taxonomy model: a sorted array of entries with binary-search lookup.
 * Adding keeps the array sorted by moving the tail (the taxonomy has tens
 * of entries, rarely changes, and is read on every imported row).
 */
#include "core/taxonomy.h"
#include "common/alloc.h"
#include "common/text.h"

#include <string.h>

static const char *const dim_names[LS_DIM_COUNT_] = {
    [LS_DIM_THEME] = "theme",   [LS_DIM_PROBLEM] = "problem_type",
    [LS_DIM_AGE] = "age_band",  [LS_DIM_TARGET] = "target_group",
    [LS_DIM_SECTOR] = "sector",
};

static const char *const dim_names_nl[LS_DIM_COUNT_] = {
    [LS_DIM_THEME] = "thema",   [LS_DIM_PROBLEM] = "probleemtype",
    [LS_DIM_AGE] = "leeftijd",  [LS_DIM_TARGET] = "doelgroep",
    [LS_DIM_SECTOR] = "sector",
};

/* Code characters (core/taxonomy.h): a table, because every code of
 * every document received passes here (proto/field.h reads codes with
 * it while it copies them). */
#define CODE_ANY (LS_CODE_FIRST | LS_CODE_NEXT)
const unsigned char ls_code_chars[256] = {
    ['0'] = CODE_ANY,     ['1'] = CODE_ANY,     ['2'] = CODE_ANY,
    ['3'] = CODE_ANY,     ['4'] = CODE_ANY,     ['5'] = CODE_ANY,
    ['6'] = CODE_ANY,     ['7'] = CODE_ANY,     ['8'] = CODE_ANY,
    ['9'] = CODE_ANY,     ['a'] = CODE_ANY,     ['b'] = CODE_ANY,
    ['c'] = CODE_ANY,     ['d'] = CODE_ANY,     ['e'] = CODE_ANY,
    ['f'] = CODE_ANY,     ['g'] = CODE_ANY,     ['h'] = CODE_ANY,
    ['i'] = CODE_ANY,     ['j'] = CODE_ANY,     ['k'] = CODE_ANY,
    ['l'] = CODE_ANY,     ['m'] = CODE_ANY,     ['n'] = CODE_ANY,
    ['o'] = CODE_ANY,     ['p'] = CODE_ANY,     ['q'] = CODE_ANY,
    ['r'] = CODE_ANY,     ['s'] = CODE_ANY,     ['t'] = CODE_ANY,
    ['u'] = CODE_ANY,     ['v'] = CODE_ANY,     ['w'] = CODE_ANY,
    ['x'] = CODE_ANY,     ['y'] = CODE_ANY,     ['z'] = CODE_ANY,
    ['-'] = LS_CODE_NEXT, ['_'] = LS_CODE_NEXT,
};

int ls_code_valid(const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	unsigned all = LS_CODE_NEXT;
	if (len == 0 || len > LS_CODE_MAX ||
	    !(ls_code_chars[u[0]] & LS_CODE_FIRST))
		return 0;
	for (size_t i = 1; i < len; i++)
		all &= ls_code_chars[u[i]];
	return all != 0;
}

const char *ls_dim_name(enum ls_dim dim)
{
	return (unsigned)dim < LS_DIM_COUNT_ ? dim_names[dim] : "?";
}

const char *ls_dim_name_nl(enum ls_dim dim)
{
	return (unsigned)dim < LS_DIM_COUNT_ ? dim_names_nl[dim] : "?";
}

int ls_dim_parse(const char *text, enum ls_dim *out)
{
	for (int i = 0; i < LS_DIM_COUNT_; i++) {
		if (strcmp(text, dim_names[i]) == 0 ||
		    strcmp(text, dim_names_nl[i]) == 0) {
			*out = (enum ls_dim)i;
			return LS_OK;
		}
	}
	return LS_EINVAL;
}

void ls_taxonomy_init(struct ls_taxonomy *t)
{
	memset(t, 0, sizeof *t);
}

void ls_taxonomy_fini(struct ls_taxonomy *t)
{
	for (size_t i = 0; i < t->n; i++) {
		ls_free(t->entries[i].label_nl);
		ls_free(t->entries[i].label_en);
	}
	ls_free(t->entries);
	memset(t, 0, sizeof *t);
}

/* Compare (dim, code[0..len)) with an entry. */
static int entry_cmp(enum ls_dim dim, const char *code, size_t len,
                     const struct ls_taxonomy_entry *x)
{
	size_t xlen;
	int c;
	if ((int)dim != x->dim)
		return (int)dim < x->dim ? -1 : 1;
	xlen = strlen(x->code);
	c = memcmp(code, x->code, len < xlen ? len : xlen);
	if (c != 0)
		return c;
	return len < xlen ? -1 : len > xlen ? 1 : 0;
}

/* Index of the first entry >= (dim, code). */
static size_t lower_bound(const struct ls_taxonomy *t, enum ls_dim dim,
                          const char *code, size_t len)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (entry_cmp(dim, code, len, &t->entries[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ls_taxonomy_entry *ls_taxonomy_find(const struct ls_taxonomy *t,
                                                 enum ls_dim dim,
                                                 const char *code, size_t len)
{
	size_t i = lower_bound(t, dim, code, len);
	if (i < t->n && entry_cmp(dim, code, len, &t->entries[i]) == 0)
		return &t->entries[i];
	return NULL;
}

const struct ls_taxonomy_entry *ls_taxonomy_find_id(const struct ls_taxonomy *t,
                                                    int64_t id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->entries[i].id == id)
			return &t->entries[i];
	return NULL;
}

const char *ls_taxonomy_shared_code(const struct ls_taxonomy_entry *entry)
{
	return entry->local ? entry->parent : entry->code;
}

static int label_ok(const char *s)
{
	size_t len = s == NULL ? 0 : strlen(s);
	char why[160];
	return len >= 1 && len <= LS_LABEL_MAX && ls_utf8_valid(s, len) &&
	       ls_text_chars_flaw(s, len, 0, why, sizeof why) == NULL;
}

int ls_taxonomy_add(struct ls_taxonomy *t,
                    const struct ls_taxonomy_entry *entry, struct ls_errinfo *e)
{
	enum ls_dim dim = (enum ls_dim)entry->dim;
	size_t len = strnlen(entry->code, LS_CODE_SIZE);
	struct ls_taxonomy_entry copy, *grown;
	size_t at;

	if (entry->dim >= LS_DIM_COUNT_)
		return ls_errf(e, LS_EINVAL, "onbekende dimensie");
	if (!ls_code_valid(entry->code, len))
		return ls_errf(e, LS_EINVAL,
		               "ongeldige code '%.40s': 1 tot %d tekens uit "
		               "a-z, 0-9, '-' en '_'",
		               entry->code, LS_CODE_MAX);
	if (dim == LS_DIM_PROBLEM && strcmp(entry->code, LS_PROBLEM_NONE) == 0)
		return ls_errf(e, LS_EINVAL,
		               "'%s' is voorbehouden en kan geen probleemtype "
		               "zijn",
		               LS_PROBLEM_NONE);
	if (!label_ok(entry->label_nl) || !label_ok(entry->label_en))
		return ls_errf(e, LS_EINVAL,
		               "label ontbreekt, is te lang (max %d bytes) of "
		               "is geen geldige UTF-8",
		               LS_LABEL_MAX);
	if (entry->local) {
		const struct ls_taxonomy_entry *p =
		    ls_taxonomy_find(t, dim, entry->parent,
		                     strnlen(entry->parent, LS_CODE_SIZE));
		if (p == NULL || p->local)
			return ls_errf(
			    e, LS_EINVAL,
			    "lokale code '%s' moet verwijzen naar een "
			    "gedeelde code van dimensie %s; '%.40s' is "
			    "dat niet",
			    entry->code, ls_dim_name_nl(dim), entry->parent);
	} else if (entry->parent[0] != '\0') {
		return ls_errf(
		    e, LS_EINVAL,
		    "een gedeelde code heeft geen bovenliggende code");
	}
	at = lower_bound(t, dim, entry->code, len);
	if (at < t->n && entry_cmp(dim, entry->code, len, &t->entries[at]) == 0)
		return ls_errf(e, LS_EEXISTS, "code '%s' bestaat al voor %s",
		               entry->code, ls_dim_name_nl(dim));
	if (t->n >= LS_TAXONOMY_MAX)
		return ls_errf(e, LS_ELIMIT, "te veel codes (max %d)",
		               LS_TAXONOMY_MAX);
	grown = ls_array_grow(t->entries, &t->cap, t->n + 1, sizeof *grown, 64);
	if (grown == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	t->entries = grown;
	copy = *entry;
	copy.label_nl = ls_strdup(entry->label_nl);
	copy.label_en = ls_strdup(entry->label_en);
	if (copy.label_nl == NULL || copy.label_en == NULL) {
		ls_free(copy.label_nl);
		ls_free(copy.label_en);
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	}
	memmove(&t->entries[at + 1], &t->entries[at],
	        (t->n - at) * sizeof *t->entries);
	t->entries[at] = copy;
	t->n++;
	return LS_OK;
}

/* Split one TSV line into at most `max` fields (in place: tabs become
 * NULs). Returns the number of fields, or max + 1 if there are more. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		char *tab = strchr(p, '\t');
		if (n == max)
			return max + 1;
		fields[n++] = p;
		if (tab == NULL)
			return n;
		*tab = '\0';
		p = tab + 1;
	}
}

/* The header line's nf fields: dimension, code, label_nl, label_en and
 * an optional parent; *with_parent says whether it is there. */
static int tsv_header(char *const *fields, size_t nf, unsigned lineno,
                      int *with_parent, struct ls_errinfo *e)
{
	if (nf < 4 || strcmp(fields[0], "dimension") != 0 ||
	    strcmp(fields[1], "code") != 0 ||
	    strcmp(fields[2], "label_nl") != 0 ||
	    strcmp(fields[3], "label_en") != 0 ||
	    (nf == 5 && strcmp(fields[4], "parent") != 0) || nf > 5)
		return ls_errf(e, LS_EINVAL,
		               "taxonomie regel %u: kopregel moet "
		               "'dimension, code, label_nl, "
		               "label_en[, parent]' zijn",
		               lineno);
	*with_parent = nf == 5;
	return LS_OK;
}

/* One entry line's nf fields into t. */
static int tsv_entry(char *const *fields, size_t nf, int with_parent,
                     unsigned lineno, struct ls_taxonomy *t,
                     struct ls_errinfo *e)
{
	struct ls_taxonomy_entry entry;
	enum ls_dim dim;
	int rc;

	if (nf != (with_parent ? 5u : 4u) && !(with_parent && nf == 4))
		return ls_errf(e, LS_EINVAL,
		               "taxonomie regel %u: verwacht %d kolommen "
		               "gescheiden door tabs",
		               lineno, with_parent ? 5 : 4);
	if (ls_dim_parse(fields[0], &dim) != LS_OK)
		return ls_errf(e, LS_EINVAL,
		               "taxonomie regel %u: onbekende dimensie "
		               "'%.40s'",
		               lineno, fields[0]);
	memset(&entry, 0, sizeof entry);
	entry.dim = (uint8_t)dim;
	if (strlen(fields[1]) > LS_CODE_MAX ||
	    (nf == 5 && strlen(fields[4]) > LS_CODE_MAX))
		return ls_errf(e, LS_EINVAL,
		               "taxonomie regel %u: code te lang (max "
		               "%d)",
		               lineno, LS_CODE_MAX);
	ls_strlcpy(entry.code, fields[1], sizeof entry.code);
	if (nf == 5 && fields[4][0] != '\0') {
		entry.local = 1;
		ls_strlcpy(entry.parent, fields[4], sizeof entry.parent);
	}
	entry.label_nl = fields[2];
	entry.label_en = fields[3];
	rc = ls_taxonomy_add(t, &entry, e);
	if (rc != LS_OK) {
		char why[sizeof e->msg];
		ls_strlcpy(why, e ? e->msg : "", sizeof why);
		return ls_errf(e, rc, "taxonomie regel %u: %s", lineno, why);
	}
	return LS_OK;
}

int ls_taxonomy_parse_tsv(const char *text, size_t len, struct ls_taxonomy *t,
                          struct ls_errinfo *e)
{
	char line[1024];
	size_t pos = 0;
	unsigned lineno = 0;
	int have_header = 0, with_parent = 0;

	if (!ls_utf8_valid(text, len))
		return ls_errf(e, LS_EINVAL,
		               "taxonomie: geen geldige UTF-8 (of bevat NUL)");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *fields[6];
		size_t nf;
		int rc;

		lineno++;
		if (llen >= sizeof line)
			return ls_errf(e, LS_EINVAL,
			               "taxonomie regel %u: te lang", lineno);
		memcpy(line, text + pos, llen);
		line[llen] = '\0';
		if (llen > 0 && line[llen - 1] == '\r')
			line[--llen] = '\0';
		pos = nl ? (size_t)(nl - text) + 1 : len;
		if (llen == 0 || line[0] == '#')
			continue;
		nf = split_tabs(line, fields, 5);
		if (!have_header) {
			rc = tsv_header(fields, nf, lineno, &with_parent, e);
			have_header = 1;
		} else {
			rc = tsv_entry(fields, nf, with_parent, lineno, t, e);
		}
		if (rc != LS_OK)
			return rc;
	}
	if (!have_header)
		return ls_errf(e, LS_EINVAL, "taxonomie: kopregel ontbreekt");
	return LS_OK;
}
