/*
 * The attack test of threshold mode (issue 11).
 *
 * Each case builds a store that is adversarial for one class of attack,
 * releases its period through the real release code (node_release_period),
 * changes the data (erasure, late registration) and corrects it
 * (node_release_correct), as an operator would. Then it plays the outside
 * attacker: it reads ONLY the signed documents of the node's feed, checks
 * their signatures and decodes them with proto/, and solves an integer
 * program (GLPK) built here, from those documents and the public rules,
 * by code that shares nothing with the release gate (core/attack.c). It
 * asserts:
 *   - no small count (a range within 0..k-1) of any version is pinned to
 *     one value in 1..k-1, nor the persons of such a row to one value >= 1;
 *   - no small count of a version is narrower with the later versions than
 *     with the versions up to it (what its preview promised);
 *   - every complementary range (a range reaching k or beyond) is exactly
 *     what the rest of its own summary implies, so it says nothing about
 *     the true value.
 * The attacker tries every combination of link hypotheses between
 * consecutive versions: "signals were removed" or "signals were added".
 *
 * Before the release gate existed, every case here failed (docs/
 * DISCLOSURE.md 3.9 lists what the old release code published and what
 * this attacker derived from it); they stay as regression cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glpk.h>
#include <math.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "core/attack.h"
#include "core/disclosure.h"
#include "core/period.h"
#include "core/signal.h"
#include "node/release.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "store/feed.h"
#include "store/signal.h"
#include "tests/fixture.h"
#include "tests/unit/fixture_store.h"

#define ORIGIN "gent"
#define MAXV 8       /* versions of a period read back */
#define OPEN 1000000 /* an opened bound */

/* ---- the node ---------------------------------------------------------- */

struct ax {
	struct fx f;
	struct ls_keypair *key;
	char secret_path[160];
	struct node_release_env env;
};

static int setup(void **state)
{
	struct ax *a = calloc(1, sizeof *a);
	char keys[128];
	fx_open(&a->f);
	a->key = fx_key(ORIGIN);
	snprintf(keys, sizeof keys, "%s/keys", a->f.dir);
	if (mkdir(keys, 0700) != 0)
		return -1;
	snprintf(a->secret_path, sizeof a->secret_path, "%s/noise.secret",
	         keys);
	a->env.store = a->f.s;
	a->env.origin = ORIGIN;
	a->env.key = a->key;
	a->env.noise_secret_path = a->secret_path;
	a->env.actor = "attack-test";
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	struct ax *a = *state;
	proto_keypair_free(a->key);
	fx_close(&a->f);
	free(a);
	return 0;
}

static int64_t at(int y, int m, int d)
{
	return ls_date_to_time(&(struct ls_date){y, m, d});
}

static const struct ls_period JAN = {2025, 1, 1};

/* A signal of January 2025. targets: '|'-separated or "". */
struct sig {
	const char *themes, *age, *sector, *org, *targets, *problem, *reporter;
	int persons;
};

static void put(struct ax *a, const struct sig *g, int day,
                uint8_t id[LS_SIGNAL_ID_BYTES])
{
	struct ls_signal s;
	struct ls_errinfo e;
	char date[16], persons[8];
	const struct {
		enum ls_signal_field f;
		const char *v;
	} fields[] = {
	    {LS_FIELD_THEME, g->themes},      {LS_FIELD_AGE, g->age},
	    {LS_FIELD_SECTOR, g->sector},     {LS_FIELD_ORGANISATION, g->org},
	    {LS_FIELD_TARGET, g->targets},    {LS_FIELD_PROBLEM, g->problem},
	    {LS_FIELD_REPORTER, g->reporter}, {LS_FIELD_PERSONS, persons},
	};
	ls_signal_init(&s);
	snprintf(date, sizeof date, "2025-01-%02d", 1 + day % 28);
	snprintf(persons, sizeof persons, "%d", g->persons ? g->persons : 1);
	if (ls_signal_set_field(&s, LS_FIELD_REGISTERED_AT, date, strlen(date),
	                        store_taxonomy(a->f.s), &e) != LS_OK)
		fail_msg("date: %s", e.msg);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (fields[i].v == NULL || fields[i].v[0] == '\0')
			continue;
		if (ls_signal_set_field(&s, fields[i].f, fields[i].v,
		                        strlen(fields[i].v),
		                        store_taxonomy(a->f.s), &e) != LS_OK)
			fail_msg("%s: %s", fields[i].v, e.msg);
	}
	assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
	assert_int_equal(store_signal_insert(a->f.s, &s, &e), LS_OK);
	if (id != NULL)
		memcpy(id, s.id, LS_SIGNAL_ID_BYTES);
}

static void put_n(struct ax *a, int n, struct sig g, uint8_t ids[][16])
{
	for (int i = 0; i < n; i++)
		put(a, &g, i, ids != NULL ? ids[i] : NULL);
}

static void release(struct ax *a)
{
	struct ls_errinfo e;
	int rc = node_release_period(&a->env, &JAN, at(2025, 3, 1), NULL, &e);
	if (rc != LS_OK)
		fail_msg("release: %s", e.msg);
}

/* A correction: published (1), or withheld by the gate (0). */
static int correct(struct ax *a, const char *reason)
{
	struct ls_errinfo e;
	int rc = node_release_correct(&a->env, &JAN, reason, "attack test",
	                              at(2025, 3, 2), NULL, &e);
	if (rc == LS_EPOLICY || rc == LS_ELIMIT) {
		assert_non_null(strstr(e.msg, "achtergehouden"));
		print_message("  correction withheld: %s\n", e.msg);
		return 0;
	}
	if (rc == LS_ESTATE) { /* the released tables did not change */
		print_message("  correction not needed: %s\n", e.msg);
		return 0;
	}
	if (rc != LS_OK)
		fail_msg("correction: %s (%s)", e.msg, ls_errname(rc));
	return 1;
}

static void erase(struct ax *a, const uint8_t id[16])
{
	struct ls_errinfo e;
	assert_int_equal(store_signal_erase(a->f.s, id, NULL, &e), LS_OK);
}

/* ---- reading back what was published ---------------------------------- */

struct published {
	const struct ls_keypair *key;
	size_t n;
	struct ls_doc docs[MAXV];
};

static int read_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *buf, size_t len)
{
	struct published *p = arg;
	struct ls_envelope env;
	struct ls_errinfo e;
	(void)m;
	assert_int_equal(proto_envelope_decode(buf, len, &env, &e), LS_OK);
	assert_int_equal(proto_envelope_verify(&env, p->key->pk), LS_OK);
	assert_true(p->n < MAXV);
	assert_int_equal(proto_doc_decode_payload(env.payload, env.payload_len,
	                                          &p->docs[p->n], &e),
	                 LS_OK);
	assert_int_equal(p->docs[p->n].hdr.type, LS_DOC_SUMMARY);
	p->n++;
	return 0;
}

static void published_read(struct ax *a, struct published *p)
{
	memset(p, 0, sizeof *p);
	p->key = a->key;
	assert_int_equal(
	    store_feed_list(a->f.s, LS_DOC_SUMMARY, ORIGIN, read_cb, p), LS_OK);
}

static void published_fini(struct published *p)
{
	for (size_t i = 0; i < p->n; i++)
		proto_doc_fini(&p->docs[i]);
}

/* ---- the attacker's integer program (independent of core/attack.c) ---- */

/* The public taxonomy, in its own order. */
struct codes {
	size_t n[LS_TABLE_COUNT_];
	const char *code[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
};

/* What one version says about one theme: bounds per number. */
struct bnd {
	int64_t lo, hi;
	int range; /* released as a range */
};

struct view {
	int present;
	struct bnd x[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	struct bnd y[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	struct bnd org, rep;
};

static struct bnd from_cell(const struct ls_cell *c)
{
	struct bnd b = {c->lo, c->hi, c->kind == LS_CELL_RANGE};
	if (c->kind == LS_CELL_EXACT)
		b.lo = b.hi = c->value;
	return b;
}

static void view_of(const struct codes *C, const struct ls_summary *s,
                    const char *theme, struct view *v)
{
	memset(v, 0, sizeof *v); /* absent: exactly 0 */
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t r = 0; r < s->tables[t].n_rows; r++) {
			const struct ls_summary_row *row =
			    &s->tables[t].rows[r];
			size_t j = 0;
			if (strcmp(row->theme, theme) != 0)
				continue;
			if (t != LS_TABLE_THEME)
				while (strcmp(C->code[t][j], row->other) != 0)
					j++;
			v->x[t][j] = from_cell(&row->signals);
			v->y[t][j] = from_cell(&row->persons);
			if (t == LS_TABLE_THEME)
				v->present = 1;
		}
	for (size_t r = 0; r < s->n_recurrence; r++)
		if (strcmp(s->recurrence[r].theme, theme) == 0) {
			v->org = from_cell(&s->recurrence[r].organisations);
			v->rep = from_cell(&s->recurrence[r].reporters);
		}
}

static size_t width(const struct codes *C, int t)
{
	return t == LS_TABLE_THEME ? 1 : C->n[t];
}

/* Columns of one version (or of one set of changed signals). */
struct cols {
	int x[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	int y[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	int org, rep;
};

static int ivar(glp_prob *P, double lo, double hi)
{
	int j = glp_add_cols(P, 1);
	glp_set_col_kind(P, j, GLP_IV);
	glp_set_col_bnds(P, j, lo == hi ? GLP_FX : GLP_DB, lo, hi);
	return j;
}

/* sum coef_i col_i in [lo, hi] (type GLP_UP/GLP_LO/GLP_FX). */
static void lin(glp_prob *P, int n, const int *col, const double *coef,
                int type, double lo, double hi)
{
	int ind[2 * DISCLOSURE_MAX_CODES + 8];
	double val[2 * DISCLOSURE_MAX_CODES + 8];
	int r = glp_add_rows(P, 1);
	for (int i = 0; i < n; i++) {
		ind[i + 1] = col[i];
		val[i + 1] = coef[i];
	}
	glp_set_mat_row(P, r, n, ind, val);
	glp_set_row_bnds(P, r, type, lo, hi);
}

/* The public rules of one set of signals of a theme. */
static void rules(glp_prob *P, const struct codes *C, const struct cols *c,
                  int64_t cap, int with_rec, const struct view *v)
{
	int col[2 * DISCLOSURE_MAX_CODES + 8];
	double coef[2 * DISCLOSURE_MAX_CODES + 8];
	const int tx = c->x[0][0], ty = c->y[0][0];

	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t j = 0; j < width(C, t); j++) {
			/* 1..cap persons per signal */
			lin(P, 2, (int[]){c->x[t][j], c->y[t][j]},
			    (double[]){1, -1}, GLP_UP, 0, 0);
			lin(P, 2, (int[]){c->y[t][j], c->x[t][j]},
			    (double[]){1, -(double)cap}, GLP_UP, 0, 0);
		}
	/* one age band, one sector, one problem type ("geen" for none) */
	for (int t = LS_TABLE_THEME_AGE; t < LS_TABLE_COUNT_; t++) {
		if (t == LS_TABLE_THEME_TARGET)
			continue;
		for (int meas = 0; meas < 2; meas++) {
			int n = 0;
			for (size_t j = 0; j < C->n[t]; j++) {
				col[n] = meas ? c->y[t][j] : c->x[t][j];
				coef[n++] = 1;
			}
			col[n] = meas ? ty : tx;
			coef[n++] = -1;
			lin(P, n, col, coef, GLP_FX, 0, 0);
		}
	}
	/* target groups: each a subset, at most 8 per signal */
	for (int meas = 0; meas < 2; meas++) {
		int n = 0;
		for (size_t j = 0; j < C->n[LS_TABLE_THEME_TARGET]; j++) {
			int g = meas ? c->y[LS_TABLE_THEME_TARGET][j]
			             : c->x[LS_TABLE_THEME_TARGET][j];
			lin(P, 2, (int[]){g, meas ? ty : tx}, (double[]){1, -1},
			    GLP_UP, 0, 0);
			col[n] = g;
			coef[n++] = 1;
		}
		col[n] = meas ? ty : tx;
		coef[n++] = -(double)LS_SIGNAL_MAX_TARGETS;
		lin(P, n, col, coef, GLP_UP, 0, 0);
	}
	for (size_t j = 0; j < C->n[LS_TABLE_THEME_TARGET]; j++) {
		int gx = c->x[LS_TABLE_THEME_TARGET][j],
		    gy = c->y[LS_TABLE_THEME_TARGET][j];
		/* the signals outside the group: 1..cap persons each */
		lin(P, 4, (int[]){tx, gx, ty, gy}, (double[]){1, -1, -1, 1},
		    GLP_UP, 0, 0);
		lin(P, 4, (int[]){ty, gy, tx, gx},
		    (double[]){1, -1, -(double)cap, (double)cap}, GLP_UP, 0, 0);
	}
	if (!with_rec)
		return;
	/* organisations: at least the sectors in use, at most the signals;
	 * reporters at most the signals */
	{
		int n = 0;
		for (size_t j = 0; j < C->n[LS_TABLE_THEME_SECTOR]; j++) {
			int s = c->x[LS_TABLE_THEME_SECTOR][j];
			int z = glp_add_cols(P, 1);
			double m = (double)v->x[LS_TABLE_THEME_SECTOR][j].hi;
			glp_set_col_kind(P, z, GLP_BV);
			lin(P, 2, (int[]){s, z},
			    (double[]){1, -(m > 0 ? m : 1)}, GLP_UP, 0, 0);
			lin(P, 2, (int[]){z, s}, (double[]){1, -1}, GLP_UP, 0,
			    0);
			col[n] = z;
			coef[n++] = 1;
		}
		col[n] = c->org;
		coef[n++] = -1;
		lin(P, n, col, coef, GLP_UP, 0, 0);
	}
	lin(P, 2, (int[]){c->org, tx}, (double[]){1, -1}, GLP_UP, 0, 0);
	lin(P, 2, (int[]){c->rep, tx}, (double[]){1, -1}, GLP_UP, 0, 0);
}

static void version_cols(glp_prob *P, const struct codes *C,
                         const struct view *v, struct cols *c)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t j = 0; j < width(C, t); j++) {
			struct bnd bx = v->x[t][j], by = v->y[t][j];
			if (t == LS_TABLE_THEME && v->present && bx.lo < 1)
				bx.lo = 1; /* a released theme has signals */
			c->x[t][j] = ivar(P, (double)bx.lo, (double)bx.hi);
			c->y[t][j] = ivar(P, (double)by.lo, (double)by.hi);
		}
	c->org = ivar(P, (double)v->org.lo, (double)v->org.hi);
	c->rep = ivar(P, (double)v->rep.lo, (double)v->rep.hi);
}

/* Link hypothesis of step d in hyp (base 3): 0 removed, 1 added, 2 a
 * change in both directions (no link). */
static unsigned digit(unsigned hyp, size_t d)
{
	while (d-- > 0)
		hyp /= 3;
	return hyp % 3;
}

/* The model of versions v[0..n) linked by hyp. Column handles of each
 * version in c[]. */
static glp_prob *model(const struct codes *C, const struct view *v, size_t n,
                       unsigned hyp, int64_t cap, struct cols *c)
{
	glp_prob *P = glp_create_prob();
	for (size_t d = 0; d < n; d++) {
		version_cols(P, C, &v[d], &c[d]);
		rules(P, C, &c[d], cap, 1, &v[d]);
	}
	for (size_t d = 0; d + 1 < n; d++) {
		int added = digit(hyp, d) == 1;
		struct cols ch;
		if (digit(hyp, d) == 2)
			continue;
		memset(&ch, 0, sizeof ch);
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			for (size_t j = 0; j < width(C, t); j++) {
				ch.x[t][j] = ivar(P, 0, OPEN);
				ch.y[t][j] = ivar(P, 0, OPEN);
				/* later - earlier = +/- changed */
				lin(P, 3,
				    (int[]){c[d + 1].x[t][j], c[d].x[t][j],
				            ch.x[t][j]},
				    (double[]){1, -1, added ? -1 : 1}, GLP_FX,
				    0, 0);
				lin(P, 3,
				    (int[]){c[d + 1].y[t][j], c[d].y[t][j],
				            ch.y[t][j]},
				    (double[]){1, -1, added ? -1 : 1}, GLP_FX,
				    0, 0);
			}
		rules(P, C, &ch, cap, 0, NULL);
		/* distinct organisations and reporters follow the change */
		{
			const int pairs[2][2] = {{c[d].org, c[d + 1].org},
			                         {c[d].rep, c[d + 1].rep}};
			for (int k = 0; k < 2; k++) {
				int small = added ? pairs[k][0] : pairs[k][1];
				int big = added ? pairs[k][1] : pairs[k][0];
				lin(P, 2, (int[]){small, big},
				    (double[]){1, -1}, GLP_UP, 0, 0);
				lin(P, 3, (int[]){big, small, ch.x[0][0]},
				    (double[]){1, -1, -1}, GLP_UP, 0, 0);
			}
		}
	}
	return P;
}

/* min or max of column j; 0 if infeasible. */
static int optimise(glp_prob *P, int j, int maximise, int64_t *out)
{
	glp_iocp parm;
	for (int k = 1; k <= glp_get_num_cols(P); k++)
		glp_set_obj_coef(P, k, k == j ? 1 : 0);
	glp_set_obj_dir(P, maximise ? GLP_MAX : GLP_MIN);
	glp_init_iocp(&parm);
	parm.presolve = GLP_ON;
	parm.msg_lev = GLP_MSG_OFF;
	if (glp_intopt(P, &parm) != 0 || glp_mip_status(P) != GLP_OPT)
		return 0;
	*out = (int64_t)llround(glp_mip_obj_val(P));
	return 1;
}

/* A number of a version, by kind: signals/persons of a table cell, or
 * organisations/reporters. */
struct ref {
	int t;
	size_t j;
	int what; /* 0 signals, 1 persons, 2 organisations, 3 reporters */
};

static int col_of(const struct cols *c, struct ref r)
{
	return r.what == 0   ? c->x[r.t][r.j]
	       : r.what == 1 ? c->y[r.t][r.j]
	       : r.what == 2 ? c->org
	                     : c->rep;
}

static struct bnd bnd_of(const struct view *v, struct ref r)
{
	return r.what == 0   ? v->x[r.t][r.j]
	       : r.what == 1 ? v->y[r.t][r.j]
	       : r.what == 2 ? v->org
	                     : v->rep;
}

struct verdict {
	int pinned, narrowed, not_derived, hypotheses;
};

static const char *what_name[] = {"signals", "persons", "organisations",
                                  "reporters"};

/* Every small number of every version, under every hypothesis. */
static void attack_theme(const struct codes *C, const struct published *p,
                         const char *theme, int64_t k, int64_t cap,
                         struct verdict *vd)
{
	struct view v[MAXV];
	struct cols c[MAXV], cp[MAXV];
	size_t n = p->n;
	int any = 0;

	for (size_t d = 0; d < n; d++)
		view_of(C, &p->docs[d].body.summary, theme, &v[d]);
	unsigned nhyp = 1;
	for (size_t d = 1; d < n; d++)
		nhyp *= 3;
	for (unsigned hyp = 0; hyp < nhyp; hyp++) {
		glp_prob *P;
		int64_t dummy;
		int weaker = 0;
		/* "no link" is the attacker's belief only where neither
		 * direction fits the documents */
		for (size_t d = 0, unit = 1; d + 1 < n; d++, unit *= 3) {
			if (digit(hyp, d) != 2)
				continue;
			for (unsigned dir = 0; dir < 2; dir++) {
				glp_prob *Q = model(
				    C, v, n, hyp - (2 - dir) * (unsigned)unit,
				    cap, c);
				weaker |= optimise(Q, c[0].x[0][0], 0, &dummy);
				glp_delete_prob(Q);
			}
		}
		if (weaker)
			continue;
		P = model(C, v, n, hyp, cap, c);
		if (!optimise(P, c[0].x[0][0], 0, &dummy)) {
			glp_delete_prob(P);
			continue;
		}
		any = 1;
		vd->hypotheses++;
		for (size_t d = 0; d < n; d++) {
			/* the versions up to d: what d's preview promised */
			glp_prob *Q = model(C, v, d + 1, hyp, cap, cp);
			for (int t = 0; t < LS_TABLE_COUNT_; t++)
				for (size_t j = 0; j < width(C, t); j++)
					for (int w = 0; w < 2; w++) {
						struct ref r = {t, j, w};
						struct bnd sig = v[d].x[t][j];
						int64_t lo, hi, plo, phi;
						if (!sig.range || sig.hi >= k)
							continue;
						assert_true(optimise(
						    P, col_of(&c[d], r), 0,
						    &lo));
						assert_true(optimise(
						    P, col_of(&c[d], r), 1,
						    &hi));
						assert_true(optimise(
						    Q, col_of(&cp[d], r), 0,
						    &plo));
						assert_true(optimise(
						    Q, col_of(&cp[d], r), 1,
						    &phi));
						if (lo == hi && lo >= 1) {
							vd->pinned++;
							print_message(
							    "  pinned: version "
							    "%zu %s "
							    "table %d %s %s = "
							    "%lld "
							    "(hypothesis %u)\n",
							    d, theme, t,
							    t ? C->code[t][j]
							      : "",
							    what_name[w],
							    (long long)lo, hyp);
						} else if (lo != plo ||
						           hi != phi) {
							vd->narrowed++;
							print_message(
							    "  narrowed: "
							    "version %zu "
							    "%s table %d %s %s "
							    "%lld..%lld -> "
							    "%lld..%lld\n",
							    d, theme, t,
							    t ? C->code[t][j]
							      : "",
							    what_name[w],
							    (long long)plo,
							    (long long)phi,
							    (long long)lo,
							    (long long)hi);
						}
					}
			glp_delete_prob(Q);
		}
		glp_delete_prob(P);
	}
	/* the versions are true: some hypothesis, or a change in both
	 * directions (which links nothing), explains them */
	(void)any;
}

static void open_complementary(const struct codes *C, struct view *o, int64_t k,
                               int64_t cap)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t j = 0; j < width(C, t); j++)
			if (o->x[t][j].range && o->x[t][j].hi >= k) {
				o->x[t][j].lo = o->y[t][j].lo = 0;
				o->x[t][j].hi = OPEN;
				o->y[t][j].hi = cap * OPEN;
			}
	if (o->org.range && o->org.hi >= k)
		o->org = (struct bnd){0, OPEN, 1};
	if (o->rep.range && o->rep.hi >= k)
		o->rep = (struct bnd){0, OPEN, 1};
}

/* A complementary range (one reaching k) must be what the rest of its
 * own summary implies: open it and solve. */
static void derived_theme(const struct codes *C, const struct ls_summary *s,
                          const char *theme, int64_t k, int64_t cap,
                          struct verdict *vd)
{
	struct view v;
	view_of(C, s, theme, &v);
	if (!v.present)
		return;
	for (int t = 0; t < LS_TABLE_COUNT_ + 2; t++)
		for (size_t j = 0; j < (t < LS_TABLE_COUNT_ ? width(C, t) : 1);
		     j++) {
			struct ref r = {t < LS_TABLE_COUNT_ ? t : 0, j,
			                t < LS_TABLE_COUNT_ ? 0 : t - 3};
			struct bnd b = bnd_of(&v, r), *bx, *by = NULL;
			struct view o = v;
			struct cols c;
			glp_prob *P;
			int64_t lo, hi;
			if (!b.range || b.hi < k)
				continue;
			bx = r.what == 0   ? &o.x[r.t][r.j]
			     : r.what == 2 ? &o.org
			                   : &o.rep;
			if (r.what == 0)
				by = &o.y[r.t][r.j];
			/* A suppressed total is the projection of everything
			 * else with every complementary range opened; when
			 * nothing bounds it, it is [lo, lo + 99999], a public
			 * function of that projection. */
			if (r.t == LS_TABLE_THEME && r.what == 0)
				open_complementary(C, &o, k, cap);
			bx->lo = 0;
			bx->hi = OPEN;
			if (by != NULL) {
				by->lo = 0;
				by->hi = cap * OPEN;
			}
			P = model(C, &o, 1, 0, cap, &c);
			assert_true(optimise(P, col_of(&c, r), 0, &lo));
			assert_true(optimise(P, col_of(&c, r), 1, &hi));
			glp_delete_prob(P);
			/* the wire's shape of a range (PROTOCOL.md) */
			if (lo >= 2 && lo < k)
				lo = 1;
			if (hi < k - 1)
				hi = k - 1;
			if (hi <= lo)
				hi = lo + 1;
			if (hi >= OPEN && r.t == LS_TABLE_THEME && r.what == 0)
				hi = lo + 99999;
			if (lo != b.lo || hi != b.hi) {
				vd->not_derived++;
				print_message("  not derived: %s table %d %s "
				              "released %lld..%lld, the rest "
				              "implies %lld..%lld\n",
				              theme, r.t,
				              r.t ? C->code[r.t][r.j] : "",
				              (long long)b.lo, (long long)b.hi,
				              (long long)lo, (long long)hi);
			}
		}
}

/* Read back, attack, and require zero findings. */
static struct verdict attack(struct ax *a)
{
	struct published p;
	struct disclosure_domain_buf dom;
	struct codes C;
	struct ls_errinfo e;
	struct verdict vd;
	int64_t k, cap;

	memset(&vd, 0, sizeof vd);
	assert_int_equal(ls_disclosure_domain_from_taxonomy(
	                     store_taxonomy(a->f.s), &dom, &e),
	                 LS_OK);
	memset(&C, 0, sizeof C);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		C.n[t] = dom.dom.n_codes[t];
		for (size_t j = 0; j < C.n[t]; j++)
			C.code[t][j] = dom.dom.codes[t][j];
	}
	published_read(a, &p);
	assert_true(p.n >= 1);
	k = p.docs[0].body.summary.params.k;
	cap = p.docs[0].body.summary.params.persons_cap;
	for (size_t ti = 0; ti < C.n[LS_TABLE_THEME]; ti++) {
		attack_theme(&C, &p, C.code[0][ti], k, cap, &vd);
		for (size_t d = 0; d < p.n; d++)
			derived_theme(&C, &p.docs[d].body.summary,
			              C.code[0][ti], k, cap, &vd);
	}
	published_fini(&p);
	return vd;
}

static void expect_safe(struct ax *a, int versions)
{
	struct published p;
	struct verdict vd = attack(a);
	published_read(a, &p);
	print_message("  %zu version(s) published, %d hypotheses feasible\n",
	              p.n, vd.hypotheses);
	if (versions > 0)
		assert_int_equal((int)p.n, versions);
	published_fini(&p);
	assert_int_equal(vd.pinned, 0);
	assert_int_equal(vd.narrowed, 0);
	assert_int_equal(vd.not_derived, 0);
}

/* ---- the cases ---------------------------------------------------------- */

/* Class 2: a hidden total printed as its own range. Six age bands of 4
 * (every band, so no zero to hide) force the theme total to be
 * suppressed; the old code released it as 0..24, the true total. */
static void test_hidden_total(void **state)
{
	struct ax *a = *state;
	static const char *const ages[] = {"0-11",  "12-17",  "18-24",
	                                   "25-64", "65plus", "onbekend"};
	for (int i = 0; i < 6; i++) {
		put_n(a, 2,
		      (struct sig){"wonen", ages[i], "ocmw", "Org A", "", "",
		                   "mw-1", 2},
		      NULL);
		put_n(a, 2,
		      (struct sig){"wonen", ages[i], "caw", "Org B", "", "",
		                   "mw-2", 3},
		      NULL);
	}
	release(a);
	expect_safe(a, 1);
}

/* Class 3: at most 8 target groups per signal. Six signals with 8 groups
 * each: exact cells of 6 (x5) and 5 (x3) add up to 45, so the three
 * groups of 1 ("1-4") can only be 1 each. */
static void test_eight_targets(void **state)
{
	struct ax *a = *state;
	static const char *const targets[6] = {
	    "algemeen|gezin|eenouder|alleenstaand|beperking|dakloos|"
	    "werkzoekend|student",
	    "algemeen|gezin|eenouder|alleenstaand|beperking|nieuwkomer|"
	    "werkzoekend|mantelzorger",
	    "algemeen|gezin|eenouder|alleenstaand|beperking|nieuwkomer|"
	    "dakloos|jeugdhulp",
	    "algemeen|gezin|eenouder|alleenstaand|beperking|nieuwkomer|"
	    "dakloos|werkzoekend",
	    "algemeen|gezin|eenouder|alleenstaand|beperking|nieuwkomer|"
	    "dakloos|werkzoekend",
	    "algemeen|gezin|eenouder|alleenstaand|beperking|nieuwkomer|"
	    "dakloos|werkzoekend",
	};
	for (int i = 0; i < 6; i++)
		put(a,
		    &(struct sig){"mentaal", "25-64", "ggz", "Org A",
		                  targets[i], "", "", 1 + i % 3},
		    i, NULL);
	release(a);
	expect_safe(a, 1);
}

/* Class 4a: a threshold correction after an erasure. 20 signals with an
 * age cell of exactly 5; one of them is erased: the correction shows 19
 * and the cell as a small range, which together with the release pins it
 * at 4. */
static void test_correction_erasure(void **state)
{
	struct ax *a = *state;
	uint8_t ids[5][16];
	put_n(a, 5,
	      (struct sig){"energie", "25-64", "ocmw", "Org A", "", "", "", 2},
	      ids);
	put_n(a, 8,
	      (struct sig){"energie", "18-24", "ocmw", "Org B", "", "", "", 1},
	      NULL);
	put_n(a, 7,
	      (struct sig){"energie", "65plus", "caw", "Org C", "", "", "", 3},
	      NULL);
	release(a);
	erase(a, ids[0]);
	correct(a, "gewist");
	expect_safe(a, 0);
}

/* Class 4b: a late registration. An age cell of 4 ("1-4") gets a fifth
 * signal registered late: the correction shows it as exactly 5 and the
 * total one higher, which pins the released cell at 4. */
static void test_correction_late(void **state)
{
	struct ax *a = *state;
	put_n(a, 4,
	      (struct sig){"werk", "25-64", "ocmw", "Org A", "", "", "", 2},
	      NULL);
	put_n(a, 9,
	      (struct sig){"werk", "18-24", "ocmw", "Org B", "", "", "", 1},
	      NULL);
	put_n(a, 8,
	      (struct sig){"werk", "65plus", "caw", "Org C", "", "", "", 3},
	      NULL);
	release(a);
	put(a, &(struct sig){"werk", "25-64", "ocmw", "Org A", "", "", "", 2},
	    3, NULL);
	correct(a, "invoerfout");
	expect_safe(a, 0);
}

/* Class 4c: a chain of corrections (erase, register late, erase), each
 * read together with all before it. */
static void test_correction_chain(void **state)
{
	struct ax *a = *state;
	uint8_t ids[6][16];
	put_n(a, 6,
	      (struct sig){"gezin|wonen", "0-11", "caw", "Org A", "gezin", "",
	                   "mw-1", 3},
	      ids);
	put_n(
	    a, 3,
	    (struct sig){"gezin", "12-17", "onderwijs", "Org B", "", "", "", 1},
	    NULL);
	put_n(a, 9,
	      (struct sig){"gezin", "25-64", "ocmw", "Org C", "eenouder",
	                   "werking", "mw-2", 2},
	      NULL);
	release(a);
	erase(a, ids[0]);
	correct(a, "gewist");
	put(a,
	    &(struct sig){"gezin", "12-17", "onderwijs", "Org B", "", "", "",
	                  1},
	    4, NULL);
	correct(a, "invoerfout");
	erase(a, ids[1]);
	correct(a, "gewist");
	expect_safe(a, 0);
}

/* A recoding moves a signal from one age band to another: a change in
 * both directions, which neither hypothesis explains. The correction is
 * published (the versions are then unlinked) and stays safe. */
static void test_correction_recoding(void **state)
{
	struct ax *a = *state;
	uint8_t ids[6][16];
	struct ls_errinfo e;
	put_n(a, 6,
	      (struct sig){"migratie", "18-24", "ocmw", "Org A", "", "", "", 2},
	      ids);
	put_n(a, 7,
	      (struct sig){"migratie", "25-64", "caw", "Org B", "", "", "", 1},
	      NULL);
	release(a);
	erase(a, ids[0]);
	put(a,
	    &(struct sig){"migratie", "25-64", "ocmw", "Org A", "", "", "", 2},
	    0, NULL);
	assert_int_equal(node_release_correct(&a->env, &JAN, "codering",
	                                      "attack test", at(2025, 3, 2),
	                                      NULL, &e),
	                 LS_OK);
	expect_safe(a, 2);
}

/* At most five versions of a period are modelled: the fifth correction
 * is withheld with a clear message, and what was published stays safe. */
static void test_correction_limit(void **state)
{
	struct ax *a = *state;
	struct ls_errinfo e;
	put_n(a, 9,
	      (struct sig){"voedsel", "25-64", "ocmw", "Org A", "", "", "", 1},
	      NULL);
	release(a);
	for (int i = 0; i < 4; i++) {
		put(a,
		    &(struct sig){"voedsel", "25-64", "ocmw", "Org A", "", "",
		                  "", 1},
		    i, NULL);
		assert_int_equal(correct(a, "invoerfout"), 1);
	}
	put(a,
	    &(struct sig){"voedsel", "25-64", "ocmw", "Org A", "", "", "", 1},
	    5, NULL);
	assert_int_equal(node_release_correct(&a->env, &JAN, "invoerfout",
	                                      "attack test", at(2025, 3, 2),
	                                      NULL, &e),
	                 LS_ELIMIT);
	assert_non_null(strstr(e.msg, "achtergehouden"));
	expect_safe(a, 5);
}

/* Generated months: small random themes, a release, then erasures and
 * late registrations with a correction after each. */
static void test_generated(void **state)
{
	static const char *const themes[] = {"wonen", "energie", "werk|wonen"};
	static const char *const ages[] = {"12-17", "18-24", "25-64", "65plus"};
	static const char *const sectors[] = {"caw", "ocmw", "ggz"};
	static const char *const tg[] = {"", "gezin", "alleenstaand|gezin",
	                                 "dakloos"};
	uint32_t seed = 20250101;
	for (int round = 0; round < 3; round++) {
		struct ax *a;
		uint8_t ids[40][16];
		int n = 12 + round * 5;
		teardown(state);
		setup(state);
		a = *state;
		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			put(a,
			    &(struct sig){
			        themes[(seed >> 8) % 3], ages[(seed >> 12) % 4],
			        sectors[(seed >> 16) % 3],
			        sectors[(seed >> 16) % 3], tg[(seed >> 22) % 4],
			        "", "", 1 + (int)((seed >> 26) % 4)},
			    i, ids[i]);
		}
		release(a);
		erase(a, ids[(seed >> 5) % (uint32_t)n]);
		correct(a, "gewist");
		expect_safe(a, 0);
	}
}

/* ---- the solver module itself (core/attack.h) --------------------------- */

static int row_cmp(const void *a, const void *b)
{
	const struct ls_summary_row *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	return c != 0 ? c : strcmp(x->other, y->other);
}

static void add_row(struct ls_summary *s, int t, const char *other,
                    struct ls_cell x, struct ls_cell y)
{
	struct ls_summary_table *tb = &s->tables[t];
	struct ls_summary_row *r;
	tb->rows = realloc(tb->rows, (tb->n_rows + 1) * sizeof *tb->rows);
	assert_non_null(tb->rows);
	r = &tb->rows[tb->n_rows++];
	memset(r, 0, sizeof *r);
	strcpy(r->theme, "mentaal");
	strcpy(r->other, other);
	r->signals = x;
	r->persons = y;
	qsort(tb->rows, tb->n_rows, sizeof *tb->rows, row_cmp);
}

static struct ls_cell ex(int64_t v)
{
	return (struct ls_cell){LS_CELL_EXACT, v, v, v};
}

static struct ls_cell rg(int64_t lo, int64_t hi)
{
	return (struct ls_cell){LS_CELL_RANGE, 0, lo, hi};
}

/* The eight-target theme: raw (small = exact 1) or as the old release
 * code published it (small = 1..4). ls_summary_fini frees it (the rows
 * come from realloc, which ls_free accepts: common/alloc.c wraps
 * malloc). */
static void eight(struct ls_summary *s, int raw)
{
	static const char *const six[] = {"algemeen", "alleenstaand",
	                                  "beperking", "eenouder", "gezin"};
	static const char *const five[] = {"dakloos", "nieuwkomer",
	                                   "werkzoekend"};
	static const char *const one[] = {"jeugdhulp", "mantelzorger",
	                                  "student"};
	ls_summary_init(s);
	strcpy(s->origin, ORIGIN);
	s->period = JAN;
	ls_disclosure_params_default(&s->params);
	ls_disclosure_params_canonical(&s->params);
	add_row(s, LS_TABLE_THEME, "", ex(6), ex(12));
	add_row(s, LS_TABLE_THEME_AGE, "25-64", ex(6), ex(12));
	add_row(s, LS_TABLE_THEME_SECTOR, "ggz", ex(6), ex(12));
	add_row(s, LS_TABLE_THEME_PROBLEM, LS_PROBLEM_NONE, ex(6), ex(12));
	for (int i = 0; i < 5; i++)
		add_row(s, LS_TABLE_THEME_TARGET, six[i], ex(6), ex(12));
	for (int i = 0; i < 3; i++)
		add_row(s, LS_TABLE_THEME_TARGET, five[i], ex(5), ex(10));
	for (int i = 0; i < 3; i++)
		add_row(s, LS_TABLE_THEME_TARGET, one[i],
		        raw ? ex(1) : rg(1, 4), raw ? ex(2) : rg(1, 40));
	s->recurrence = calloc(1, sizeof *s->recurrence);
	assert_non_null(s->recurrence);
	s->n_recurrence = 1;
	strcpy(s->recurrence[0].theme, "mentaal");
	s->recurrence[0].organisations = raw ? ex(1) : rg(1, 4);
	s->recurrence[0].reporters = ex(0);
}

static void domain_of(struct ax *a, struct disclosure_domain_buf *dom)
{
	struct ls_errinfo e;
	assert_int_equal(
	    ls_disclosure_domain_from_taxonomy(store_taxonomy(a->f.s), dom, &e),
	    LS_OK);
}

/* The 8-target limit is one constraint: with it the three small cells
 * are pinned, without it (11 groups: no limit) they are not. */
static void test_solver_known_answer(void **state)
{
	struct ax *a = *state;
	struct disclosure_domain_buf dom;
	struct ls_summary s;
	const struct ls_summary *docs[1] = {&s};
	struct attack_input in = {&dom.dom, docs, 1, NULL, 8};
	struct attack_theme t;
	struct ls_errinfo e;
	int i;

	domain_of(a, &dom);
	eight(&s, 0);
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e), LS_OK);
	assert_true(t.feasible);
	i = ls_attack_cell_index(&dom.dom, LS_TABLE_THEME_TARGET, "student", 0);
	assert_true(i > 0);
	assert_int_equal(t.sig[i].lo, 1);
	assert_int_equal(t.sig[i].hi, 1);
	ls_attack_theme_fini(&t);
	in.max_targets = 11;
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e), LS_OK);
	assert_int_equal(t.sig[i].lo, 1);
	assert_int_equal(t.sig[i].hi, 4);
	ls_attack_theme_fini(&t);
	ls_summary_fini(&s);
}

static void test_solver_bad_input(void **state)
{
	struct ax *a = *state;
	struct disclosure_domain_buf dom;
	struct ls_summary s, s2;
	const struct ls_summary *docs[ATTACK_MAX_DOCS + 1];
	struct attack_input in = {NULL, docs, 1, NULL, 8};
	uint8_t links[ATTACK_MAX_DOCS] = {0};
	struct attack_theme t;
	struct ls_errinfo e;

	domain_of(a, &dom);
	eight(&s, 0);
	eight(&s2, 0);
	for (int i = 0; i <= ATTACK_MAX_DOCS; i++)
		docs[i] = &s;
	/* no domain */
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	in.domain = &dom.dom;
	/* a theme outside the taxonomy */
	assert_int_equal(ls_attack_theme_solve(&in, "ruimtevaart", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	/* too many versions */
	in.n_docs = ATTACK_MAX_DOCS + 1;
	in.links = links;
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_ELIMIT);
	ls_attack_theme_fini(&t);
	/* two versions without links */
	in.n_docs = 2;
	in.links = NULL;
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	/* different persons caps */
	in.links = links;
	docs[1] = &s2;
	s2.params.persons_cap = 5;
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	/* noise mode */
	s2.params = s.params;
	s2.params.mode = LS_MODE_NOISE;
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	/* a malformed range, and a code outside the taxonomy */
	s2.params = s.params;
	s2.tables[LS_TABLE_THEME].rows[0].signals = rg(7, 3);
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	ls_attack_theme_fini(&t);
	s2.tables[LS_TABLE_THEME].rows[0].signals = ex(6);
	strcpy(s2.tables[LS_TABLE_THEME_AGE].rows[0].other, "99-120");
	assert_int_equal(ls_attack_theme_solve(&in, "mentaal", &t, &e),
	                 LS_EINVAL);
	assert_non_null(strstr(e.msg, "99-120"));
	ls_attack_theme_fini(&t);
	/* a gate over too long a history refuses, naming it */
	{
		struct disclosure_report rep;
		ls_disclosure_report_init(&rep);
		assert_int_equal(ls_attack_gate(&dom.dom, docs, ATTACK_MAX_DOCS,
		                                8, &s, &rep, NULL, &e),
		                 LS_ELIMIT);
		assert_non_null(strstr(e.msg, "versies"));
		ls_disclosure_report_fini(&rep);
	}
	ls_summary_fini(&s);
	ls_summary_fini(&s2);
}

/* The gate on the raw eight-target theme: widened until safe, and every
 * allocation failure is a clean LS_ENOMEM after which a retry is whole. */
static void test_gate_widens_and_fails_cleanly(void **state)
{
	struct ax *a = *state;
	struct disclosure_domain_buf dom;
	struct ls_summary raw;
	struct ls_errinfo e;
	long n;
	unsigned long steps0 = 0;

	domain_of(a, &dom);
	eight(&raw, 1);
	for (long fail = 0;; fail++) {
		struct disclosure_input in = {&raw, &dom.dom, &raw.params,
		                              NULL, 0,        NULL};
		struct disclosure_report rep;
		struct attack_gate_stats st;
		struct ls_summary out;
		int rc;
		ls_summary_init(&out);
		ls_disclosure_report_init(&rep);
		assert_int_equal(ls_disclosure_apply(&in, &out, &rep, &e),
		                 LS_OK);
		ls_alloc_fail_nth(fail);
		rc = ls_attack_gate(&dom.dom, NULL, 0, 8, &out, &rep, &st, &e);
		n = ls_alloc_fail_nth(0);
		if (fail == 0 || rc == LS_OK) {
			const struct ls_summary *docs[1] = {&out};
			struct attack_input ai = {&dom.dom, docs, 1, NULL, 8};
			struct attack_theme t;
			int i = ls_attack_cell_index(
			    &dom.dom, LS_TABLE_THEME_TARGET, "student", 0);
			assert_int_equal(rc, LS_OK);
			assert_true(st.steps >= 1);
			assert_int_equal(
			    ls_disclosure_check(&out, &dom.dom, NULL, &e),
			    LS_OK);
			assert_int_equal(
			    ls_attack_theme_solve(&ai, "mentaal", &t, &e),
			    LS_OK);
			assert_true(t.sig[i].hi > t.sig[i].lo);
			ls_attack_theme_fini(&t);
			if (fail == 0)
				steps0 = st.steps;
		} else {
			/* Out of memory: the caller signs nothing from the
			 * unspecified *released; the gate run again from the same
			 * raw summary takes the same steps and gives a summary the
			 * receiver's check accepts. */
			struct ls_summary again;
			struct disclosure_report rep2;
			struct attack_gate_stats st2;
			assert_int_equal(rc, LS_ENOMEM);
			ls_summary_init(&again);
			ls_disclosure_report_init(&rep2);
			assert_int_equal(
			    ls_disclosure_apply(&in, &again, &rep2, &e), LS_OK);
			assert_int_equal(ls_attack_gate(&dom.dom, NULL, 0, 8,
			                                &again, &rep2, &st2, &e),
			                 LS_OK);
			assert_int_equal(st2.steps, steps0);
			assert_int_equal(
			    ls_disclosure_check(&again, &dom.dom, NULL, &e),
			    LS_OK);
			ls_disclosure_report_fini(&rep2);
			ls_summary_fini(&again);
		}
		ls_disclosure_report_fini(&rep);
		ls_summary_fini(&out);
		if (fail > 0 && rc == LS_OK && n < fail)
			break;
	}
	ls_summary_fini(&raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hidden_total, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eight_targets, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_erasure, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_late, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_chain, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_recoding, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_correction_limit, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_generated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_solver_known_answer, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_solver_bad_input, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_gate_widens_and_fails_cleanly,
	                                    setup, teardown),
	};
	ls_log_set_level(LS_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
