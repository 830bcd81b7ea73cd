/*
 * Streaming CSV reader and signal mapper.
 *
 * The reader is a byte-at-a-time state machine over a refillable input
 * buffer; a record's unescaped bytes are collected in a second fixed
 * buffer (each field NUL-terminated), so neither buffer ever grows and a
 * hostile file cannot make us allocate. Separator detection looks at the
 * header line before any byte is consumed.
 */
#include "core/csv.h"
#include "common/alloc.h"
#include "common/text.h"

#include <stdio.h>
#include <string.h>

struct ls_csv {
	ls_csv_read_fn read;
	void *ctx;
	size_t in_pos, in_len;
	int eof;
	int started;
	int failed;
	int skip_lf; /* a CR ended the last line; swallow one LF */
	char sep;
	uint64_t line;
	uint64_t consumed;
	struct ls_errinfo err; /* sticky error after failure */
	size_t rec_len;
	size_t off[LS_CSV_MAX_FIELDS];
	size_t flen[LS_CSV_MAX_FIELDS];
	char in[LS_CSV_BUFFER];
	/* field bytes plus one NUL per field */
	char rec[LS_CSV_MAX_RECORD + LS_CSV_MAX_FIELDS + 1];
};

int ls_csv_open(struct ls_csv **out, ls_csv_read_fn read, void *ctx)
{
	struct ls_csv *c = ls_malloc(sizeof *c);
	if (c == NULL)
		return LS_ENOMEM;
	memset(c, 0, offsetof(struct ls_csv, in));
	c->read = read;
	c->ctx = ctx;
	c->line = 1;
	c->sep = ',';
	*out = c;
	return LS_OK;
}

void ls_csv_close(struct ls_csv *c)
{
	ls_free(c);
}

char ls_csv_separator(const struct ls_csv *c)
{
	return c->sep;
}

uint64_t ls_csv_bytes_read(const struct ls_csv *c)
{
	return c->consumed;
}

/* Append more input after in_len (or restart at 0 when all is used).
 * 1: bytes added, 0: end of input, -1: read error. */
static int fill(struct ls_csv *c)
{
	long got;
	if (c->eof)
		return 0;
	if (c->in_pos == c->in_len)
		c->in_pos = c->in_len = 0;
	if (c->in_len == sizeof c->in)
		return 1;
	got = c->read(c->ctx, c->in + c->in_len, sizeof c->in - c->in_len);
	if (got < 0)
		return -1;
	if (got == 0) {
		c->eof = 1;
		return 0;
	}
	if ((size_t)got > sizeof c->in - c->in_len)
		return -1; /* a broken callback must not overflow us */
	c->in_len += (size_t)got;
	return 1;
}

/* Before the first record: read until the header line is in the buffer
 * (or the buffer is full), skip a BOM, and pick the separator. */
static int start(struct ls_csv *c, struct ls_errinfo *e)
{
	size_t semis = 0, commas = 0;
	int quoted = 0;
	for (;;) {
		int r;
		if (memchr(c->in, '\n', c->in_len) != NULL ||
		    memchr(c->in, '\r', c->in_len) != NULL ||
		    c->in_len == sizeof c->in)
			break;
		r = fill(c);
		if (r < 0)
			return ls_errf(e, LS_EIO,
			               "het bestand kan niet gelezen "
			               "worden");
		if (r == 0)
			break;
	}
	if (c->in_len >= 3 && memcmp(c->in, "\xEF\xBB\xBF", 3) == 0) {
		c->in_pos = 3;
		c->consumed = 3;
	}
	for (size_t i = c->in_pos; i < c->in_len; i++) {
		char ch = c->in[i];
		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && (ch == '\n' || ch == '\r'))
			break;
		else if (!quoted && ch == ';')
			semis++;
		else if (!quoted && ch == ',')
			commas++;
	}
	c->sep = semis > commas ? ';' : ',';
	c->started = 1;
	return LS_OK;
}

static int fail(struct ls_csv *c, struct ls_errinfo *e, int code, uint64_t line,
                const char *what)
{
	c->failed = 1;
	ls_errf(&c->err, code, "regel %llu: %s", (unsigned long long)line,
	        what);
	if (e != NULL)
		*e = c->err;
	return code;
}

enum { S_FIELD_START, S_UNQUOTED, S_QUOTED, S_QUOTE_SEEN };

/* What one character does (csv_step). */
enum {
	ACT_NONE,      /* nothing more (a quote opened or seen) */
	ACT_APPEND,    /* the character belongs to the field */
	ACT_FIELD,     /* a separator: the field ends */
	ACT_RECORD,    /* a line end: the field and the record end */
	ACT_ERR_QUOTE, /* a quote inside an unquoted field */
	ACT_ERR_AFTER, /* something else after a closing quote */
};

static int csv_newline(struct ls_csv *c, char ch)
{
	c->skip_lf = ch == '\r';
	c->line++;
	return ACT_RECORD;
}

/* The state machine: character ch in *state (updated). */
static int csv_step(struct ls_csv *c, char ch, int *state, uint64_t *quote_line)
{
	switch (*state) {
	case S_FIELD_START:
		if (ch == '"') {
			*state = S_QUOTED;
			*quote_line = c->line;
			return ACT_NONE;
		}
		/* fall through */
	case S_UNQUOTED:
		if (ch == c->sep)
			return ACT_FIELD;
		if (ch == '\n' || ch == '\r')
			return csv_newline(c, ch);
		if (ch == '"')
			return ACT_ERR_QUOTE;
		*state = S_UNQUOTED;
		return ACT_APPEND;
	case S_QUOTED:
		if (ch == '"') {
			*state = S_QUOTE_SEEN;
			return ACT_NONE;
		}
		if (ch == '\n')
			c->line++;
		return ACT_APPEND;
	default: /* S_QUOTE_SEEN */
		if (ch == '"') {
			*state = S_QUOTED;
			return ACT_APPEND;
		}
		if (ch == c->sep)
			return ACT_FIELD;
		if (ch == '\n' || ch == '\r')
			return csv_newline(c, ch);
		return ACT_ERR_AFTER;
	}
}

/* A reader that failed before fails again the same way; the first call
 * reads the start (BOM, separator). */
static int csv_resume(struct ls_csv *c, struct ls_errinfo *e)
{
	int rc;
	if (c->failed) {
		if (e != NULL)
			*e = c->err;
		return c->err.code;
	}
	if (c->started)
		return LS_OK;
	rc = start(c, e);
	if (rc != LS_OK) {
		c->failed = 1;
		if (e != NULL)
			c->err = *e;
	}
	return rc;
}

/* No more records. */
static int csv_none(const struct ls_csv *c, struct ls_csv_record *rec)
{
	rec->n_fields = 0;
	rec->line = c->line;
	return LS_OK;
}

static int fields_all_empty(const struct ls_csv *c, size_t nf)
{
	for (size_t i = 0; i < nf; i++)
		if (c->flen[i] != 0)
			return 0;
	return 1;
}

static int record_emit(struct ls_csv *c, struct ls_csv_record *rec, size_t nf,
                       uint64_t rec_line)
{
	rec->n_fields = nf;
	for (size_t i = 0; i < nf; i++) {
		rec->field[i] = c->rec + c->off[i];
		rec->len[i] = c->flen[i];
	}
	rec->line = rec_line;
	return LS_OK;
}

int ls_csv_next(struct ls_csv *c, struct ls_csv_record *rec,
                struct ls_errinfo *e)
{
	int state = S_FIELD_START;
	size_t nf = 0, field_start = 0, any = 0;
	uint64_t rec_line, quote_line = 0;
	int rc = csv_resume(c, e);

	if (rc != LS_OK)
		return rc;
	c->rec_len = 0;
	rec_line = c->line;
	for (;;) {
		char ch = 0;
		int act, r = 1;

		if (c->in_pos == c->in_len && (r = fill(c)) <= 0) {
			if (r < 0)
				return fail(
				    c, e, LS_EIO, c->line,
				    "het bestand kan niet gelezen worden");
			if (state == S_QUOTED)
				return fail(c, e, LS_EDECODE, quote_line,
				            "aanhalingsteken wordt nooit "
				            "afgesloten");
			if (any == 0)
				return csv_none(c, rec);
			act = ACT_RECORD;
		} else {
			ch = c->in[c->in_pos++];
			c->consumed++;
			if (c->skip_lf) {
				c->skip_lf = 0;
				if (ch == '\n')
					continue;
			}
			any++;
			act = csv_step(c, ch, &state, &quote_line);
		}
		switch (act) {
		case ACT_NONE:
			continue;
		case ACT_ERR_QUOTE:
			return fail(c, e, LS_EDECODE, c->line,
			            "aanhalingsteken midden in een veld "
			            "zonder aanhalingstekens (zet het "
			            "veld tussen \"...\" en verdubbel het "
			            "teken)");
		case ACT_ERR_AFTER:
			return fail(c, e, LS_EDECODE, c->line,
			            "onverwacht teken na een afsluitend "
			            "aanhalingsteken");
		case ACT_APPEND:
			/* rec_len counts one NUL per finished field */
			if (c->rec_len - nf >= LS_CSV_MAX_RECORD)
				return fail(c, e, LS_ELIMIT, rec_line,
				            "regel te lang (max 64 KiB)");
			c->rec[c->rec_len++] = ch;
			continue;
		}
		/* ACT_FIELD or ACT_RECORD: the field ends */
		if (nf == LS_CSV_MAX_FIELDS)
			return fail(c, e, LS_ELIMIT, rec_line,
			            "te veel kolommen (max 64)");
		c->off[nf] = field_start;
		c->flen[nf] = c->rec_len - field_start;
		c->rec[c->rec_len++] = '\0';
		nf++;
		field_start = c->rec_len;
		state = S_FIELD_START;
		if (act == ACT_FIELD)
			continue;
		if (!fields_all_empty(c, nf))
			return record_emit(c, rec, nf, rec_line);
		/* blank line or ";;;;": skip */
		nf = 0;
		field_start = 0;
		any = 0;
		c->rec_len = 0;
		rec_line = c->line;
		if (c->eof && c->in_pos == c->in_len)
			return csv_none(c, rec);
	}
}

int ls_csv_map_header(struct ls_csv_map *m, const struct ls_csv_record *hdr,
                      struct ls_errinfo *e)
{
	int seen[LS_FIELD_COUNT_];
	memset(m, 0, sizeof *m);
	memset(seen, 0, sizeof seen);
	if (hdr->n_fields == 0)
		return ls_errf(e, LS_EINVAL,
		               "het bestand is leeg: een kopregel met de "
		               "kolomnamen ontbreekt");
	for (size_t i = 0; i < hdr->n_fields; i++) {
		const char *name = hdr->field[i];
		size_t len = hdr->len[i];
		enum ls_signal_field f;
		while (len > 0 && name[0] == ' ') {
			name++;
			len--;
		}
		while (len > 0 && name[len - 1] == ' ')
			len--;
		if (!ls_utf8_valid(name, len) ||
		    ls_signal_field_parse(name, len, &f) != LS_OK)
			return ls_errf(e, LS_EINVAL,
			               "regel %llu, kolom %zu: onbekende "
			               "kolomnaam '%.*s' (zie de tabel met "
			               "kolommen in de handleiding)",
			               (unsigned long long)hdr->line, i + 1,
			               (int)(len > 40 ? 40 : len),
			               ls_utf8_valid(name, len) ? name : "?");
		if (seen[f])
			return ls_errf(e, LS_EINVAL,
			               "regel %llu: kolom '%s' staat er twee "
			               "keer",
			               (unsigned long long)hdr->line,
			               ls_signal_field_name_nl(f));
		seen[f] = 1;
		m->field_of[i] = (int8_t)f;
		snprintf(m->name[i], sizeof m->name[i], "%.*s",
		         (int)(len < sizeof m->name[i] ? len
		                                       : sizeof m->name[i] - 1),
		         name);
	}
	for (int f = 0; f < LS_FIELD_COUNT_; f++)
		if (ls_signal_field_required((enum ls_signal_field)f) &&
		    !seen[f])
			return ls_errf(
			    e, LS_EINVAL,
			    "regel %llu: verplichte kolom '%s' (of "
			    "'%s') ontbreekt",
			    (unsigned long long)hdr->line,
			    ls_signal_field_name_nl((enum ls_signal_field)f),
			    ls_signal_field_name_en((enum ls_signal_field)f));
	m->n_columns = hdr->n_fields;
	return LS_OK;
}

int ls_csv_map_row(const struct ls_csv_map *m, const struct ls_csv_record *rec,
                   const struct ls_taxonomy *tax, struct ls_signal *out,
                   struct ls_errinfo *e)
{
	enum ls_signal_field bad;
	int rc;
	if (rec->n_fields > m->n_columns)
		return ls_errf(e, LS_EINVAL,
		               "regel %llu: te veel kolommen (%zu, de "
		               "kopregel heeft er %zu)",
		               (unsigned long long)rec->line, rec->n_fields,
		               m->n_columns);
	if (rec->n_fields < m->n_columns)
		return ls_errf(e, LS_EINVAL,
		               "regel %llu: te weinig kolommen (%zu, de "
		               "kopregel heeft er %zu)",
		               (unsigned long long)rec->line, rec->n_fields,
		               m->n_columns);
	ls_signal_init(out);
	for (size_t i = 0; i < rec->n_fields; i++) {
		struct ls_errinfo why;
		rc = ls_signal_set_field(out,
		                         (enum ls_signal_field)m->field_of[i],
		                         rec->field[i], rec->len[i], tax, &why);
		if (rc != LS_OK)
			return ls_errf(e, rc, "regel %llu, kolom '%s': %s",
			               (unsigned long long)rec->line,
			               m->name[i], why.msg);
	}
	{
		struct ls_errinfo why;
		rc = ls_signal_validate(out, &bad, &why);
		if (rc != LS_OK) {
			const char *col = ls_signal_field_name_nl(bad);
			for (size_t i = 0; i < m->n_columns; i++)
				if (m->field_of[i] == (int8_t)bad)
					col = m->name[i];
			return ls_errf(e, rc, "regel %llu, kolom '%s': %s",
			               (unsigned long long)rec->line, col,
			               why.msg);
		}
	}
	return LS_OK;
}
