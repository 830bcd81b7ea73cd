/*
 * Federation summary body codec (type 7): validate, encode, decode, fini.
 * The tables use the summary's encoding (proto_body_tables_read/write); the
 * rules on their rows and cells are the noise-mode ones, checked here.
 */
#include "proto/body.h"
#include "proto/field.h"

#include "common/alloc.h"
#include "core/disclosure.h"
#include "core/period.h"

#include <string.h>

enum {
	K_PERIOD = 0,
	K_ROUND = 1,
	K_INCLUDED = 2,
	K_NOISE = 3,
	K_EPSILON = 4,
	K_WITHHOLD = 5,
	K_CAP = 6,
	K_TABLES = 7,
};
#define FEDSUM_REQUIRED 0xffu

static int cell_ok(const struct ls_cell *c, uint32_t withhold)
{
	if (c->kind == LS_CELL_NOISY)
		return c->value >= (int64_t)withhold && c->lo >= 0 &&
		       c->lo <= c->value && c->value <= c->hi &&
		       c->hi <= LS_COUNT_MAX;
	if (c->kind == LS_CELL_WITHHELD)
		return c->lo >= 0 && c->lo <= c->hi && c->hi <= LS_COUNT_MAX;
	return 0;
}

static int fedsum_included_valid(const struct ls_fedsum *f,
                                 struct ls_errinfo *e)
{
	if (f->n_included < 2 || f->n_included > LS_SECAGG_MAX_PARTIES ||
	    f->included == NULL)
		return ls_errf(e, LS_EINVAL, "fedsum: %zu included",
		               f->n_included);
	for (size_t i = 0; i < f->n_included; i++)
		if (!proto_field_node_id_valid(
		        f->included[i],
		        strnlen(f->included[i], LS_NODE_ID_SIZE)) ||
		    (i > 0 && strcmp(f->included[i - 1], f->included[i]) >= 0))
			return ls_errf(e, LS_EINVAL,
			               "fedsum: included not sorted, unique "
			               "node ids");
	return LS_OK;
}

/* Row i of table t: its codes, its place after row i - 1, its cells. */
static int fedsum_row_valid(const struct ls_summary_table *tab, int t, size_t i,
                            uint32_t withhold, struct ls_errinfo *e)
{
	const struct ls_summary_row *row = &tab->rows[i];
	size_t tl = strnlen(row->theme, LS_CODE_SIZE);
	size_t ol = strnlen(row->other, LS_CODE_SIZE);
	if (!proto_field_code_valid(row->theme, tl) ||
	    (t == LS_TABLE_THEME ? ol != 0
	                         : !proto_field_code_valid(row->other, ol)))
		return ls_errf(e, LS_EINVAL,
		               "fedsum: table %d row %zu: bad "
		               "codes",
		               t, i);
	if (i > 0) {
		const struct ls_summary_row *p = &tab->rows[i - 1];
		int c = strcmp(p->theme, row->theme);
		if (c > 0 || (c == 0 && strcmp(p->other, row->other) >= 0))
			return ls_errf(e, LS_EINVAL,
			               "fedsum: table %d not "
			               "sorted and unique at "
			               "row %zu",
			               t, i);
	}
	if (!cell_ok(&row->signals, withhold) ||
	    !cell_ok(&row->persons, withhold))
		return ls_errf(e, LS_EINVAL,
		               "fedsum: table %d row %s/%s: "
		               "a cell that is not noisy or "
		               "withheld as the rules say",
		               t, row->theme, row->other);
	return LS_OK;
}

int proto_fedsum_validate(const struct ls_fedsum *f, struct ls_errinfo *e)
{
	int rc;
	if (ls_period_check(&f->period) != LS_OK)
		return ls_errf(e, LS_EINVAL, "fedsum: period out of range");
	if ((rc = fedsum_included_valid(f, e)) != LS_OK)
		return rc;
	/* Both measures noisy: an exact total would be a hard relation on
	 * the municipalities' cells (docs/SECAGG.md, "Differencing"). */
	if (ls_secagg_noise_check(&f->noise, e) != LS_OK ||
	    f->noise.mu[0].num == 0 || f->noise.mu[1].num == 0)
		return ls_errf(e, LS_EINVAL,
		               "fedsum: noise out of range or missing on a "
		               "measure");
	if (f->epsilon_milli < 1 ||
	    f->epsilon_milli > LS_FEDSUM_EPSILON_MILLI_MAX ||
	    f->withhold_below > DISCLOSURE_WITHHOLD_MAX || f->persons_cap < 1 ||
	    f->persons_cap > DISCLOSURE_PERSONS_CAP_MAX)
		return ls_errf(e, LS_EINVAL,
		               "fedsum: epsilon, withhold or cap out of range");
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		const struct ls_summary_table *tab = &f->tables[t];
		if (tab->n_rows > LS_SUMMARY_MAX_ROWS ||
		    (tab->n_rows > 0 && tab->rows == NULL))
			return ls_errf(e, LS_EINVAL, "fedsum: table %d rows",
			               t);
		for (size_t i = 0; i < tab->n_rows; i++)
			if ((rc = fedsum_row_valid(tab, t, i, f->withhold_below,
			                           e)) != LS_OK)
				return rc;
	}
	return LS_OK;
}

void proto_fedsum_fini(struct ls_fedsum *f)
{
	ls_free(f->included);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		ls_free(f->tables[t].rows);
	memset(f, 0, sizeof *f);
}

static int fedsum_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	return proto_fedsum_validate(&d->body.fedsum, e);
}

static void fedsum_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_fedsum *f = &d->body.fedsum;
	proto_mp_write_map(w, 8);
	proto_mp_write_uint(w, K_PERIOD);
	proto_mp_write_array(w, 3);
	proto_mp_write_uint(w, (uint64_t)f->period.year);
	proto_mp_write_uint(w, (uint64_t)f->period.month);
	proto_mp_write_uint(w, (uint64_t)f->period.months);
	proto_mp_write_uint(w, K_ROUND);
	proto_mp_write_bin(w, f->round, sizeof f->round);
	proto_mp_write_uint(w, K_INCLUDED);
	proto_mp_write_array(w, (uint32_t)f->n_included);
	for (size_t i = 0; i < f->n_included; i++)
		proto_mp_write_cstr(w, f->included[i]);
	proto_mp_write_uint(w, K_NOISE);
	proto_mp_write_array(w, SECAGG_MEASURES);
	for (int m = 0; m < SECAGG_MEASURES; m++) {
		proto_mp_write_array(w, 2);
		proto_mp_write_uint(w, f->noise.mu[m].num);
		proto_mp_write_uint(w, f->noise.mu[m].den);
	}
	proto_mp_write_uint(w, K_EPSILON);
	proto_mp_write_uint(w, f->epsilon_milli);
	proto_mp_write_uint(w, K_WITHHOLD);
	proto_mp_write_uint(w, f->withhold_below);
	proto_mp_write_uint(w, K_CAP);
	proto_mp_write_uint(w, f->persons_cap);
	proto_mp_write_uint(w, K_TABLES);
	proto_body_tables_write(w, f->tables);
}

static int fedsum_decode(struct mp_reader *r, struct ls_doc *d,
                         struct ls_errinfo *e)
{
	struct ls_fedsum *f = &d->body.fedsum;
	struct mp_map m;
	int key, rc = LS_OK;
	uint32_t n;
	const uint8_t *b;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "fedsum");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "fedsum: key");
		if (key < 0)
			break;
		switch (key) {
		case K_PERIOD:
			if ((rc = proto_field_read_period(
			         r, &f->period, "fedsum", e)) != LS_OK)
				return rc;
			break;
		case K_ROUND:
			FIELD_TRY(
			    proto_mp_read_bin_exact(r, LS_SECAGG_ID_BYTES, &b),
			    "fedsum: round");
			memcpy(f->round, b, LS_SECAGG_ID_BYTES);
			break;
		case K_INCLUDED:
			/* a node id takes at least 2 bytes */
			FIELD_TRY(proto_mp_read_array(r, LS_SECAGG_MAX_PARTIES,
			                              2, &n),
			          "fedsum: included");
			f->included = ls_calloc(n + 1, sizeof *f->included);
			if (f->included == NULL)
				return proto_field_err(e, LS_ENOMEM, r,
				                       "fedsum: included");
			f->n_included = n;
			for (uint32_t i = 0; i < n; i++)
				FIELD_TRY(
				    proto_field_read_node_id(r, f->included[i]),
				    "fedsum: included[%u]", i);
			break;
		case K_NOISE:
			FIELD_TRY(proto_mp_read_array_exact(r, SECAGG_MEASURES),
			          "fedsum: noise");
			for (int i = 0; i < SECAGG_MEASURES; i++) {
				FIELD_TRY(proto_mp_read_array_exact(r, 2),
				          "fedsum: noise mean");
				FIELD_TRY(proto_mp_read_uint(
				              r, 0, SECAGG_RATIONAL_MAX,
				              &f->noise.mu[i].num),
				          "fedsum: noise numerator");
				FIELD_TRY(proto_mp_read_uint(
				              r, 1, SECAGG_RATIONAL_MAX,
				              &f->noise.mu[i].den),
				          "fedsum: noise denominator");
			}
			break;
		case K_EPSILON:
			FIELD_TRY(proto_mp_read_uint(
			              r, 1, LS_FEDSUM_EPSILON_MILLI_MAX,
			              &f->epsilon_milli),
			          "fedsum: epsilon");
			break;
		case K_WITHHOLD:
			FIELD_TRY(proto_mp_read_u32(r, 0,
			                            DISCLOSURE_WITHHOLD_MAX,
			                            &f->withhold_below),
			          "fedsum: withhold_below");
			break;
		case K_CAP:
			FIELD_TRY(proto_mp_read_u32(r, 1,
			                            DISCLOSURE_PERSONS_CAP_MAX,
			                            &f->persons_cap),
			          "fedsum: persons_cap");
			break;
		case K_TABLES:
			rc = proto_body_tables_read(r, f->tables, e);
			break;
		default:
			rc = proto_field_unknown(e, r, key, "fedsum");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, FEDSUM_REQUIRED, "fedsum");
	if (rc != LS_OK)
		return rc;
	return proto_field_invalid(e, proto_fedsum_validate(f, e));
}

static void fedsum_fini(struct ls_doc *d)
{
	proto_fedsum_fini(&d->body.fedsum);
}

const struct proto_body_codec proto_body_fedsum = {
    .type = LS_DOC_FEDSUM,
    .name = "federation_summary",
    .authors = PROTO_AUTHOR_AGGREGATOR,
    .validate = fedsum_validate,
    .encode = fedsum_encode,
    .decode = fedsum_decode,
    .fini = fedsum_fini,
};
