/*
 * Summary body codec.
 *
 * Encoding walks struct ls_summary after proto_summary_validate() passed;
 * a cell is written by kind, so only the numbers that kind releases reach
 * the wire (a range never carries the value it hides). Decoding reads each
 * table's row count, checks it against LS_SUMMARY_MAX_ROWS and the bytes
 * left (a row takes at least SUMMARY_ROW_MIN bytes) before it allocates,
 * then runs the same validation as the encoder. The origin is not on the
 * wire: it is the document's origin.
 */
#include "proto/body.h"
#include "proto/field.h"

#include "common/alloc.h"
#include "core/period.h"

#include <string.h>

/* fixarray + theme (>= 2) + other (>= 1) + two cells (>= 3 each). */
#define SUMMARY_ROW_MIN 10
/* fixarray + theme (>= 2) + two cells. */
#define RECURRENCE_ROW_MIN 9

enum {
	K_PERIOD = 0,
	K_PARAMS = 1,
	K_SUPERSEDES = 2,
	K_REASON = 3,
	K_TABLES = 4,
	K_RECURRENCE = 5,
};
#define SUMMARY_REQUIRED 0x3fu

static const char *const table_names[LS_TABLE_COUNT_] = {
    "theme", "theme_age", "theme_target", "theme_sector", "theme_problem"};

/* Validation. */

/* Inlined always: the decoder checks every cell of every summary it
 * receives with it (GCC at -O2 would call it). */
static inline __attribute__((always_inline)) int
cell_check(const struct ls_cell *c, const struct ls_disclosure_params *p)
{
	int64_t k = p->k;
	switch (c->kind) {
	case LS_CELL_EXACT:
		if (c->value < 0 || c->value > LS_COUNT_MAX)
			return 0;
		/* threshold mode: a count of 1..k-1 is never a number */
		return p->mode == LS_MODE_THRESHOLD &&
		       (c->value == 0 || c->value >= k);
	case LS_CELL_RANGE:
		if (c->lo < 0 || c->lo >= c->hi || c->hi > LS_COUNT_MAX)
			return 0;
		if (p->mode != LS_MODE_THRESHOLD)
			return 0;
		/* a range reaching below k must hide all of 1..k-1 */
		return c->lo >= k || (c->lo <= 1 && c->hi >= k - 1);
	case LS_CELL_NOISY:
		/* every noisy value is published, also one below the
		 * withhold threshold or below 0; the interval bounds a
		 * count: 0 <= lo <= hi, and lo <= max(0, value) <= hi */
		if (c->lo < 0 || c->lo > c->hi || c->hi > LS_COUNT_MAX ||
		    c->value < -LS_COUNT_MAX || c->value > c->hi ||
		    c->lo > (c->value > 0 ? c->value : 0))
			return 0;
		return p->mode == LS_MODE_NOISE;
	case LS_CELL_WITHHELD:
		if (c->lo < 0 || c->lo > c->hi || c->hi > LS_COUNT_MAX)
			return 0;
		return p->mode == LS_MODE_NOISE;
	default:
		return 0;
	}
}

static int row_cmp(const char *t1, const char *o1, const char *t2,
                   const char *o2)
{
	int c = strcmp(t1, t2);
	return c != 0 ? c : strcmp(o1, o2);
}

/* Origin, period, parameters and the correction's reason. */
static int summary_header_valid(const struct ls_summary *s,
                                struct ls_errinfo *e)
{
	int rc;
	if (!proto_field_node_id_valid(s->origin,
	                               strnlen(s->origin, sizeof s->origin)))
		return ls_errf(e, LS_EINVAL,
		               "summary: origin is not a node id");
	if (ls_period_check(&s->period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "summary: period out of range");
	rc = proto_params_validate(&s->params, e);
	if (rc != LS_OK)
		return rc;
	if (s->supersedes_seq > LS_SEQ_MAX)
		return ls_errf(e, LS_EINVAL,
		               "summary: supersedes out of range");
	if (s->supersedes_seq == 0
	        ? s->correction_reason[0] != '\0'
	        : !proto_field_code_valid(
	              s->correction_reason,
	              strnlen(s->correction_reason, LS_CODE_SIZE)))
		return ls_errf(e, LS_EINVAL,
		               "summary: a correction needs a reason code, a "
		               "first release none");
	return LS_OK;
}

/* Row i of table t: its codes, its place after row i - 1, its cells. */
static int summary_row_valid(const struct ls_summary_table *tab, int t,
                             size_t i, const struct ls_disclosure_params *p,
                             int codes_known, struct ls_errinfo *e)
{
	const struct ls_summary_row *row = &tab->rows[i];
	size_t olen = strnlen(row->other, LS_CODE_SIZE);
	if (!codes_known && !proto_field_code_valid(
	                        row->theme, strnlen(row->theme, LS_CODE_SIZE)))
		return ls_errf(e, LS_EINVAL, "summary: %s[%zu]: bad theme code",
		               table_names[t], i);
	if (t == LS_TABLE_THEME
	        ? olen != 0
	        : olen == 0 || (!codes_known &&
	                        !proto_field_code_valid(row->other, olen)))
		return ls_errf(e, LS_EINVAL,
		               "summary: %s[%zu]: bad second code",
		               table_names[t], i);
	if (i > 0 && row_cmp(tab->rows[i - 1].theme, tab->rows[i - 1].other,
	                     row->theme, row->other) >= 0)
		return ls_errf(e, LS_EINVAL,
		               "summary: %s[%zu]: rows not sorted "
		               "and unique",
		               table_names[t], i);
	if (!cell_check(&row->signals, p) || !cell_check(&row->persons, p))
		return ls_errf(e, LS_EPOLICY,
		               "summary: %s[%zu] (%s/%s): cell not "
		               "allowed under mode %u k %u",
		               table_names[t], i, row->theme, row->other,
		               p->mode, p->k);
	return LS_OK;
}

static int summary_recurrence_valid(const struct ls_summary *s, int codes_known,
                                    size_t from, struct ls_errinfo *e)
{
	const struct ls_disclosure_params *p = &s->params;
	if (s->n_recurrence > LS_SUMMARY_MAX_ROWS ||
	    (s->n_recurrence > 0 && s->recurrence == NULL))
		return ls_errf(e, LS_EINVAL, "summary: bad recurrence table");
	for (size_t i = from; i < s->n_recurrence; i++) {
		const struct ls_recurrence_row *row = &s->recurrence[i];
		if (!codes_known &&
		    !proto_field_code_valid(row->theme,
		                            strnlen(row->theme, LS_CODE_SIZE)))
			return ls_errf(e, LS_EINVAL,
			               "summary: recurrence[%zu]: bad theme",
			               i);
		if (i > 0 &&
		    strcmp(s->recurrence[i - 1].theme, row->theme) >= 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "summary: recurrence[%zu]: not sorted and "
			    "unique",
			    i);
		if (!cell_check(&row->organisations, p) ||
		    !cell_check(&row->reporters, p))
			return ls_errf(
			    e, LS_EPOLICY,
			    "summary: recurrence[%zu] (%s): cell not "
			    "allowed under mode %u k %u",
			    i, row->theme, p->mode, p->k);
	}
	return LS_OK;
}

/* Where validation starts: rows before from.table[t] (before
 * from.recurrence) passed every check already, in the decoder
 * (row_fast_ok); all zero for a summary that was not decoded. */
struct summary_from {
	size_t table[LS_TABLE_COUNT_];
	size_t recurrence;
};

/* codes_known: the decoder checked every code's charset while it read it,
 * so only shape, order and cells remain. */
static int summary_validate_struct(const struct ls_summary *s,
                                   struct ls_errinfo *e, int codes_known,
                                   const struct summary_from *from)
{
	int rc;

	if ((rc = summary_header_valid(s, e)) != LS_OK)
		return rc;
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tab = &s->tables[t];
		if (tab->n_rows > LS_SUMMARY_MAX_ROWS)
			return ls_errf(e, LS_EINVAL,
			               "summary: table %s has too many rows",
			               table_names[t]);
		if (tab->n_rows > 0 && tab->rows == NULL)
			return ls_errf(e, LS_EINVAL,
			               "summary: table %s has no rows array",
			               table_names[t]);
		for (size_t i = from->table[t]; i < tab->n_rows; i++)
			if ((rc = summary_row_valid(tab, t, i, &s->params,
			                            codes_known, e)) != LS_OK)
				return rc;
	}
	return summary_recurrence_valid(s, codes_known, from->recurrence, e);
}

int proto_summary_validate(const struct ls_summary *s, struct ls_errinfo *e)
{
	static const struct summary_from none;
	return summary_validate_struct(s, e, 0, &none);
}

static int summary_check_doc(const struct ls_doc *d, struct ls_errinfo *e,
                             int codes_known, const struct summary_from *from)
{
	const struct ls_summary *s = &d->body.summary;
	if (strcmp(s->origin, d->hdr.origin) != 0)
		return ls_errf(e, LS_EINVAL,
		               "summary: origin differs from the document's");
	if (s->supersedes_seq >= d->hdr.seq)
		return ls_errf(e, LS_EINVAL,
		               "summary: supersedes a later document");
	return summary_validate_struct(s, e, codes_known, from);
}

static int summary_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	static const struct summary_from none;
	return summary_check_doc(d, e, 0, &none);
}

/* Encoding. */

static void cell_write(struct mp_writer *w, const struct ls_cell *c)
{
	switch (c->kind) {
	case LS_CELL_EXACT:
		proto_mp_write_array(w, 2);
		proto_mp_write_uint(w, c->kind);
		proto_mp_write_int(w, c->value);
		break;
	case LS_CELL_NOISY:
		proto_mp_write_array(w, 4);
		proto_mp_write_uint(w, c->kind);
		proto_mp_write_int(w, c->value);
		proto_mp_write_int(w, c->lo);
		proto_mp_write_int(w, c->hi);
		break;
	default: /* range, withheld: the bounds only */
		proto_mp_write_array(w, 3);
		proto_mp_write_uint(w, c->kind);
		proto_mp_write_int(w, c->lo);
		proto_mp_write_int(w, c->hi);
		break;
	}
}

void proto_body_tables_write(
    struct mp_writer *w, const struct ls_summary_table tables[LS_TABLE_COUNT_])
{
	proto_mp_write_array(w, LS_TABLE_COUNT_);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tab = &tables[t];
		proto_mp_write_array(w, (uint32_t)tab->n_rows);
		for (size_t i = 0; i < tab->n_rows; i++) {
			const struct ls_summary_row *row = &tab->rows[i];
			proto_mp_write_array(w, 4);
			proto_mp_write_cstr(w, row->theme);
			proto_mp_write_cstr(w, row->other);
			cell_write(w, &row->signals);
			cell_write(w, &row->persons);
		}
	}
}

static void summary_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_summary *s = &d->body.summary;

	proto_mp_write_map(w, 6);
	proto_mp_write_uint(w, K_PERIOD);
	proto_mp_write_array(w, 3);
	proto_mp_write_uint(w, (uint64_t)s->period.year);
	proto_mp_write_uint(w, (uint64_t)s->period.month);
	proto_mp_write_uint(w, (uint64_t)s->period.months);
	proto_mp_write_uint(w, K_PARAMS);
	proto_body_params_write(w, &s->params);
	proto_mp_write_uint(w, K_SUPERSEDES);
	proto_mp_write_uint(w, s->supersedes_seq);
	proto_mp_write_uint(w, K_REASON);
	proto_mp_write_cstr(w, s->correction_reason);
	proto_mp_write_uint(w, K_TABLES);
	proto_body_tables_write(w, s->tables);
	proto_mp_write_uint(w, K_RECURRENCE);
	proto_mp_write_array(w, (uint32_t)s->n_recurrence);
	for (size_t i = 0; i < s->n_recurrence; i++) {
		const struct ls_recurrence_row *row = &s->recurrence[i];
		proto_mp_write_array(w, 3);
		proto_mp_write_cstr(w, row->theme);
		cell_write(w, &row->organisations);
		cell_write(w, &row->reporters);
	}
}

/* Decoding. */

/* Any cell form (cell_read takes the common ones inline). */
static int cell_read_any(struct mp_reader *r, struct ls_cell *c)
{
	uint32_t n;
	uint64_t kind, a, b, v;
	int64_t sv;
	int rc = proto_mp_read_array(r, 4, 1, &n);
	if (rc != LS_OK)
		return rc == LS_ELIMIT ? LS_EDECODE : rc;
	if (n < 2)
		return LS_EDECODE;
	rc = proto_mp_read_uint(r, 0, LS_CELL_WITHHELD, &kind);
	if (rc != LS_OK)
		return rc;
	/* zeroed whole, padding too: a decoded cell compares equal to the
	 * one encoded, byte for byte (32 bytes: inlined stores) */
	memset(c, 0, sizeof *c);
	c->kind = (uint8_t)kind;
	switch (kind) {
	case LS_CELL_EXACT:
		if (n != 2 ||
		    proto_mp_read_uint(r, 0, LS_COUNT_MAX, &v) != LS_OK)
			return LS_EDECODE;
		c->value = c->lo = c->hi = (int64_t)v;
		return LS_OK;
	case LS_CELL_NOISY:
		if (n != 4 || proto_mp_read_int(r, -LS_COUNT_MAX, LS_COUNT_MAX,
		                                &sv) != LS_OK)
			return LS_EDECODE;
		c->value = sv;
		break;
	default:
		if (n != 3)
			return LS_EDECODE;
		break;
	}
	if (proto_mp_read_uint(r, 0, LS_COUNT_MAX, &a) != LS_OK ||
	    proto_mp_read_uint(r, 0, LS_COUNT_MAX, &b) != LS_OK)
		return LS_EDECODE;
	c->lo = (int64_t)a;
	c->hi = (int64_t)b;
	return LS_OK;
}

/* A cell whose numbers are all fixints, inline (always: four call sites,
 * hundreds of cells a summary): the same result as cell_read_any (which
 * reads every other form, and gives every error). */
static inline __attribute__((always_inline)) int cell_read(struct mp_reader *r,
                                                           struct ls_cell *c)
{
	const uint8_t *p = r->p;
	size_t left = (size_t)(r->end - p);
	if (left >= 3 && p[0] == 0x92 && p[1] == LS_CELL_EXACT &&
	    p[2] <= 0x7f) {
		memset(c, 0, sizeof *c);
		c->value = c->lo = c->hi = p[2];
		r->p = p + 3;
		return LS_OK;
	}
	if (left >= 4 && p[0] == 0x93 &&
	    (p[1] == LS_CELL_RANGE || p[1] == LS_CELL_WITHHELD) &&
	    p[2] <= 0x7f && p[3] <= 0x7f) {
		memset(c, 0, sizeof *c);
		c->kind = p[1];
		c->lo = p[2];
		c->hi = p[3];
		r->p = p + 4;
		return LS_OK;
	}
	if (left >= 5 && p[0] == 0x94 && p[1] == LS_CELL_NOISY &&
	    (p[2] <= 0x7f || p[2] >= 0xe0) && p[3] <= 0x7f && p[4] <= 0x7f) {
		memset(c, 0, sizeof *c);
		c->kind = LS_CELL_NOISY;
		c->value = (int8_t)p[2];
		c->lo = p[3];
		c->hi = p[4];
		r->p = p + 5;
		return LS_OK;
	}
	return cell_read_any(r, c);
}

/* The strcmp order of two codes in LS_CODE_SIZE fields padded with
 * zeros after their NUL (as the decoder leaves them: rows from
 * ls_calloc, codes NUL-ended): the first byte that differs decides, as
 * in strcmp. Eight bytes at a time, read big-endian. */
_Static_assert(LS_CODE_SIZE % 8 == 0, "a code field is whole words");
#if !defined(__BYTE_ORDER__)
#error "the byte order is needed (GCC or Clang)"
#endif
static inline uint64_t be64_at(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline int code_cmp_padded(const char *a, const char *b)
{
	for (int w = 0; w < LS_CODE_SIZE; w += 8) {
		uint64_t x = be64_at(a + w), y = be64_at(b + w);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* cell_check, its most common case (an exact count) inline. */
static inline int cell_fast_ok(const struct ls_cell *c,
                               const struct ls_disclosure_params *p)
{
	if (c->kind != LS_CELL_EXACT)
		return cell_check(c, p);
	return c->value >= 0 && c->value <= LS_COUNT_MAX &&
	       p->mode == LS_MODE_THRESHOLD &&
	       (c->value == 0 || c->value >= (int64_t)p->k);
}

/* summary_row_valid's verdict on a row just decoded (codes known), as
 * a yes/no: 1 when row i passes every check; the decoder then need not
 * validate it again. prev is row i - 1, or NULL. */
static inline int row_fast_ok(const struct ls_summary_row *prev,
                              const struct ls_summary_row *row, int t,
                              const struct ls_disclosure_params *p)
{
	int c;
	if ((t == LS_TABLE_THEME) != (row->other[0] == '\0'))
		return 0;
	if (prev != NULL) {
		c = code_cmp_padded(prev->theme, row->theme);
		if (c > 0 ||
		    (c == 0 && code_cmp_padded(prev->other, row->other) >= 0))
			return 0;
	}
	return cell_fast_ok(&row->signals, p) && cell_fast_ok(&row->persons, p);
}

/* A row decoded is written whole, byte by byte (no padding between its
 * fields to leave unwritten): table_read and recurrence_read rely on
 * it, having no calloc. */
_Static_assert(sizeof(struct ls_summary_row) ==
                   2 * LS_CODE_SIZE + 2 * sizeof(struct ls_cell),
               "a summary row has no padding");
_Static_assert(sizeof(struct ls_recurrence_row) ==
                   LS_CODE_SIZE + 2 * sizeof(struct ls_cell),
               "a recurrence row has no padding");

/* Table t into tab. With p (the summary's parameters, read before its
 * tables): *from is the count of leading rows that row_fast_ok passed
 * (validation starts after them). */
static int table_read(struct mp_reader *r, struct ls_summary_table *tab, int t,
                      const struct ls_disclosure_params *p, size_t *from,
                      struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_SUMMARY_MAX_ROWS, SUMMARY_ROW_MIN, &n),
	    "summary: table %s", table_names[t]);
	if (n == 0)
		return LS_OK;
	/* Not zeroed here: each row is, as it is read (below); only the
	 * rows read so far count (n_rows grows). */
	tab->rows = ls_malloc((size_t)n * sizeof *tab->rows);
	if (tab->rows == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "summary: table %s",
		                       table_names[t]);
	for (uint32_t i = 0; i < n; i++) {
		struct ls_summary_row *row = &tab->rows[i];
		tab->n_rows = i;
		/* The bytes after a code's NUL are zero (code_cmp_padded
		 * reads whole words; a decoded row compares equal to the
		 * encoded one, byte for byte); cell_read zeroes each cell
		 * whole. So every byte of the row is written once, not
		 * zeroed by calloc first and then written again (a page
		 * of summaries: 30 KB a summary). */
		memset(row->theme, 0, sizeof row->theme);
		memset(row->other, 0, sizeof row->other);
		FIELD_TRY(proto_mp_read_array_exact(r, 4), "summary: %s[%u]",
		          table_names[t], i);
		FIELD_TRY(proto_field_read_code(r, row->theme, 0),
		          "summary: %s[%u] theme", table_names[t], i);
		FIELD_TRY(
		    proto_field_read_code(r, row->other, t == LS_TABLE_THEME),
		    "summary: %s[%u] second code", table_names[t], i);
		FIELD_TRY(cell_read(r, &row->signals),
		          "summary: %s[%u] signals", table_names[t], i);
		FIELD_TRY(cell_read(r, &row->persons),
		          "summary: %s[%u] persons", table_names[t], i);
		if (p != NULL && *from == i &&
		    row_fast_ok(i > 0 ? row - 1 : NULL, row, t, p))
			*from = i + 1;
	}
	tab->n_rows = n;
	return LS_OK;
}

static int tables_read(struct mp_reader *r,
                       struct ls_summary_table tables[LS_TABLE_COUNT_],
                       const struct ls_disclosure_params *p,
                       struct summary_from *from, struct ls_errinfo *e)
{
	int rc = LS_OK;
	FIELD_TRY(proto_mp_read_array_exact(r, LS_TABLE_COUNT_),
	          "summary: tables");
	for (int t = 0; t < LS_TABLE_COUNT_ && rc == LS_OK; t++)
		rc = table_read(r, &tables[t], t, p,
		                from != NULL ? &from->table[t] : NULL, e);
	return rc;
}

int proto_body_tables_read(struct mp_reader *r,
                           struct ls_summary_table tables[LS_TABLE_COUNT_],
                           struct ls_errinfo *e)
{
	return tables_read(r, tables, NULL, NULL, e);
}

/* The recurrence table; *from as for table_read (its rows in order,
 * their cells allowed: summary_recurrence_valid's checks). */
static int recurrence_read(struct mp_reader *r, struct ls_summary *s,
                           size_t *from, struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_SUMMARY_MAX_ROWS, RECURRENCE_ROW_MIN, &n),
	    "summary: recurrence");
	if (n == 0)
		return LS_OK;
	s->recurrence = ls_malloc((size_t)n * sizeof *s->recurrence);
	if (s->recurrence == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "summary: recurrence");
	for (uint32_t i = 0; i < n; i++) {
		struct ls_recurrence_row *row = &s->recurrence[i];
		s->n_recurrence = i;
		/* each byte written once, as in table_read */
		memset(row->theme, 0, sizeof row->theme);
		FIELD_TRY(proto_mp_read_array_exact(r, 3),
		          "summary: recurrence[%u]", i);
		FIELD_TRY(proto_field_read_code(r, row->theme, 0),
		          "summary: recurrence[%u] theme", i);
		FIELD_TRY(cell_read(r, &row->organisations),
		          "summary: recurrence[%u] organisations", i);
		FIELD_TRY(cell_read(r, &row->reporters),
		          "summary: recurrence[%u] reporters", i);
		if (*from == i &&
		    (i == 0 ||
		     code_cmp_padded(row[-1].theme, row->theme) < 0) &&
		    cell_fast_ok(&row->organisations, &s->params) &&
		    cell_fast_ok(&row->reporters, &s->params))
			*from = i + 1;
	}
	s->n_recurrence = n;
	return LS_OK;
}

static int summary_decode(struct mp_reader *r, struct ls_doc *d,
                          struct ls_errinfo *e)
{
	struct ls_summary *s = &d->body.summary;
	struct summary_from from;
	struct mp_map m;
	int key, rc;

	memset(&from, 0, sizeof from);
	memcpy(s->origin, d->hdr.origin, sizeof s->origin);
	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "summary");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "summary: key");
		if (key < 0)
			break;
		switch (key) {
		case K_PERIOD:
			rc = proto_field_read_period(r, &s->period, "summary",
			                             e);
			break;
		case K_PARAMS:
			rc =
			    proto_body_params_read(r, &s->params, "summary", e);
			break;
		case K_SUPERSEDES:
			FIELD_TRY(proto_mp_read_uint(r, 0, LS_SEQ_MAX,
			                             &s->supersedes_seq),
			          "summary: supersedes");
			rc = LS_OK;
			break;
		case K_REASON:
			FIELD_TRY(
			    proto_field_read_code(r, s->correction_reason, 1),
			    "summary: reason");
			rc = LS_OK;
			break;
		case K_TABLES:
			/* the parameters came first (keys ascend) */
			rc = tables_read(r, s->tables, &s->params, &from, e);
			break;
		case K_RECURRENCE:
			rc = recurrence_read(r, s, &from.recurrence, e);
			break;
		default:
			rc = proto_field_unknown(e, r, key, "summary");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, SUMMARY_REQUIRED, "summary");
	if (rc != LS_OK)
		return rc;
	rc = summary_check_doc(d, e, 1, &from);
	return proto_field_invalid(e, rc);
}

static void summary_fini(struct ls_doc *d)
{
	ls_summary_fini(&d->body.summary);
}

const struct proto_body_codec proto_body_summary = {
    .type = LS_DOC_SUMMARY,
    .name = "summary",
    .authors = PROTO_AUTHOR_MUNICIPALITY,
    .validate = summary_validate,
    .encode = summary_encode,
    .decode = summary_decode,
    .fini = summary_fini,
};
