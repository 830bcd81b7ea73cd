/*
 * Test federation for proto/ tests, fuzz harnesses, benchmarks and the
 * test-vector generator: deterministic TEST keys (never use them for
 * anything else), a roster of the ten pilot municipalities plus the
 * association, the shared taxonomy, a policy, and realistic synthetic
 * summaries. Everything here is synthetic and public.
 *
 * Header-only (static inline) so that each program can include it; the
 * helpers abort on failure, they are not under test.
 */
#ifndef LS_TESTS_FIXTURE_H
#define LS_TESTS_FIXTURE_H

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "core/summary.h"
#include "proto/doc.h"
#include "proto/key.h"

#define FX_FEDERATION "federatie"
#define FX_T_BASE 1735689600LL   /* 2025-01-01: keys valid from */
#define FX_T_ROTATE 1751328000LL /* 2025-07-01: gent rotates its key */
#define FX_T_REVOKE 1756684800LL /* 2025-09-01: roeselare's key stolen */
#define FX_T_LEFT 1759276800LL   /* 2025-10-01: mortsel leaves */
#define FX_NOW 1764547200LL      /* 2025-12-01: "now" of the tests */
#define FX_REVOKE_AFTER_SEQ 3    /* roeselare's last good position */
#define FX_LEFT_AFTER_SEQ 100    /* mortsel's feed closed after 100 */
#define FX_YEAR (365LL * 86400)

static inline void fx_die(const char *what)
{
	fprintf(stderr, "fixture: %s\n", what);
	abort();
}

/* The TEST keypair named `name`: seed = BLAKE2b-256("lokaal-signaal
 * test key " || name). Caller frees (proto_keypair_free). */
static inline struct ls_keypair *fx_key(const char *name)
{
	static const char prefix[] = "lokaal-signaal test key ";
	uint8_t seed[32];
	crypto_generichash_state st;
	struct ls_keypair *kp;
	if (sodium_init() < 0)
		fx_die("sodium_init");
	crypto_generichash_init(&st, NULL, 0, sizeof seed);
	crypto_generichash_update(&st, (const uint8_t *)prefix,
	                          sizeof prefix - 1);
	crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&st, seed, sizeof seed);
	if (proto_keypair_from_seed(seed, &kp) != LS_OK)
		fx_die("key");
	return kp;
}

static inline void fx_roster_key(struct ls_roster_key *k, const char *name,
                                 int64_t from, int64_t until)
{
	struct ls_keypair *kp = fx_key(name);
	memcpy(k->key_id, kp->key_id, LS_KEY_ID_BYTES);
	memcpy(k->pk, kp->pk, LS_PUBKEY_BYTES);
	k->valid_from = from;
	k->valid_until = until;
	proto_keypair_free(kp);
}

/* The ten pilots (sorted) and the association's aggregator node. */
static const char *const fx_members[] __attribute__((unused)) = {
    "berlaar",   "bornem",       "dendermonde", "eeklo",
    "gent",      "kortrijk",     "mortsel",     "oud-turnhout",
    "roeselare", "sint-niklaas", "vvsg",
};
#define FX_N_MEMBERS (sizeof fx_members / sizeof fx_members[0])
#define FX_N_PILOTS 10

/* Monthly signals of a pilot in the synthetic data (rough size). */
static const unsigned fx_pilot_signals[FX_N_PILOTS] __attribute__((unused)) = {
    18, 34, 95, 40, 420, 160, 45, 25, 120, 150,
};

/*
 * The test roster. Key names (fx_key):
 *   "federation"          federation key, from FX_T_BASE
 *   "<member>"            each member's key, from FX_T_BASE, except:
 *   "gent-2025a"          gent's first key, [FX_T_BASE, FX_T_ROTATE)
 *   "gent"                gent's current key, from FX_T_ROTATE
 *   "eeklo-2024"          eeklo's old key, [FX_T_BASE - 1y, FX_T_BASE)
 *   "roeselare-stolen"    revoked at FX_T_REVOKE after seq 3
 *   "roeselare"           roeselare's new key, from FX_T_REVOKE
 *   "mortsel"             mortsel left the federation at FX_T_LEFT
 * The caller owns *r (proto_roster_fini).
 */
static inline void fx_roster(struct ls_roster *r)
{
	memset(r, 0, sizeof *r);
	strcpy(r->federation, FX_FEDERATION);
	r->fed_keys = ls_calloc(1, sizeof *r->fed_keys);
	r->members = ls_calloc(FX_N_MEMBERS, sizeof *r->members);
	r->revocations = ls_calloc(1, sizeof *r->revocations);
	if (r->fed_keys == NULL || r->members == NULL || r->revocations == NULL)
		fx_die("alloc");
	r->n_fed_keys = 1;
	fx_roster_key(&r->fed_keys[0], "federation", FX_T_BASE, 0);
	r->n_members = FX_N_MEMBERS;
	for (size_t i = 0; i < FX_N_MEMBERS; i++) {
		struct ls_roster_member *m = &r->members[i];
		const char *id = fx_members[i];
		strcpy(m->node_id, id);
		snprintf(m->name, sizeof m->name, "%c%s", id[0] - 'a' + 'A',
		         id + 1);
		m->role = strcmp(id, "vvsg") == 0 ? LS_ROLE_AGGREGATOR
		                                  : LS_ROLE_MUNICIPALITY;
		m->keys = ls_calloc(2, sizeof *m->keys);
		m->endpoints = ls_calloc(1, sizeof *m->endpoints);
		if (m->keys == NULL || m->endpoints == NULL)
			fx_die("alloc");
		m->n_endpoints = 1;
		snprintf(m->endpoints[0], sizeof m->endpoints[0],
		         "tcp://%s.test:7400", id);
		m->n_keys = 1;
		if (strcmp(id, "gent") == 0) {
			fx_roster_key(&m->keys[0], "gent-2025a", FX_T_BASE,
			              FX_T_ROTATE);
			fx_roster_key(&m->keys[1], "gent", FX_T_ROTATE, 0);
			m->n_keys = 2;
		} else if (strcmp(id, "eeklo") == 0) {
			fx_roster_key(&m->keys[0], "eeklo-2024",
			              FX_T_BASE - FX_YEAR, FX_T_BASE);
			fx_roster_key(&m->keys[1], "eeklo", FX_T_BASE, 0);
			m->n_keys = 2;
		} else if (strcmp(id, "roeselare") == 0) {
			fx_roster_key(&m->keys[0], "roeselare-stolen",
			              FX_T_BASE, 0);
			fx_roster_key(&m->keys[1], "roeselare", FX_T_REVOKE, 0);
			m->n_keys = 2;
			memcpy(r->revocations[0].key_id, m->keys[0].key_id,
			       LS_KEY_ID_BYTES);
			r->revocations[0].at = FX_T_REVOKE;
			r->revocations[0].after_seq = FX_REVOKE_AFTER_SEQ;
			strcpy(r->revocations[0].reason, "stolen");
			r->n_revocations = 1;
		} else {
			fx_roster_key(&m->keys[0], id, FX_T_BASE, 0);
		}
		if (strcmp(id, "mortsel") == 0) {
			m->left = FX_T_LEFT;
			m->has_left_seq = 1; /* its feed closes there too */
			m->left_seq = FX_LEFT_AFTER_SEQ;
		}
	}
	if (proto_roster_index(r) != LS_OK)
		fx_die("roster index");
}

static const struct {
	uint8_t dim;
	const char *code, *nl, *en;
} fx_taxonomy_rows[] __attribute__((unused)) = {
#include "tests/fixture_taxonomy.inc"
};
#define FX_N_TAXONOMY (sizeof fx_taxonomy_rows / sizeof fx_taxonomy_rows[0])

static inline int fx_tax_cmp(const void *a, const void *b)
{
	const struct ls_taxonomy_doc_entry *x = a, *y = b;
	if (x->dim != y->dim)
		return x->dim < y->dim ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* The shared taxonomy (../shared/taxonomy.tsv), sorted. */
static inline void fx_taxonomy(struct ls_taxonomy_doc *t)
{
	t->entries = ls_calloc(FX_N_TAXONOMY, sizeof *t->entries);
	if (t->entries == NULL)
		fx_die("alloc");
	t->n_entries = FX_N_TAXONOMY;
	for (size_t i = 0; i < FX_N_TAXONOMY; i++) {
		t->entries[i].dim = fx_taxonomy_rows[i].dim;
		strcpy(t->entries[i].code, fx_taxonomy_rows[i].code);
		strcpy(t->entries[i].label_nl, fx_taxonomy_rows[i].nl);
		strcpy(t->entries[i].label_en, fx_taxonomy_rows[i].en);
	}
	qsort(t->entries, t->n_entries, sizeof *t->entries, fx_tax_cmp);
}

/* Codes of one dimension, in taxonomy order. */
static inline size_t fx_codes(uint8_t dim, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < FX_N_TAXONOMY && n < max; i++)
		if (fx_taxonomy_rows[i].dim == dim)
			out[n++] = fx_taxonomy_rows[i].code;
	return n;
}

static inline void fx_policy(struct ls_policy *p)
{
	memset(p, 0, sizeof *p);
	p->params.mode = LS_MODE_THRESHOLD;
	p->params.k = 5;
	p->params.persons_cap = 20;
	p->period_months = 1;
	p->settle_days = 7;
}

static inline uint32_t fx_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* A released cell under threshold k = 5: 1..4 as the range 0..4 (zeros
 * of a sparse table are absent, so 0 stays possible). */
static inline void fx_cell(struct ls_cell *c, int64_t count)
{
	memset(c, 0, sizeof *c);
	if (count >= 1 && count <= 4) {
		c->kind = LS_CELL_RANGE;
		c->lo = 0;
		c->hi = 4;
	} else {
		c->kind = LS_CELL_EXACT;
		c->value = c->lo = c->hi = count;
	}
}

static inline int fx_row_cmp(const void *a, const void *b)
{
	const struct ls_summary_row *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	return c != 0 ? c : strcmp(x->other, y->other);
}

/*
 * A realistic released summary (threshold mode, k = 5) of `signals`
 * signals in one month of `origin`: spread over all themes and, per
 * theme, over age bands, target groups, sectors and problem types, with
 * sparse tables (only non-zero rows), deterministic from seed. The caller
 * owns *s (ls_summary_fini).
 */
static inline void fx_summary(struct ls_summary *s, const char *origin,
                              int year, int month, unsigned signals,
                              uint32_t seed)
{
	static const uint8_t other_dims[LS_TABLE_COUNT_] = {
	    0, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR, LS_DIM_PROBLEM};
	const char *themes[32], *others[32];
	unsigned per_theme[32] = {0};
	size_t n_themes = fx_codes(LS_DIM_THEME, themes, 32);

	ls_summary_init(s);
	strcpy(s->origin, origin);
	s->period.year = year;
	s->period.month = month;
	s->period.months = 1;
	s->params.mode = LS_MODE_THRESHOLD;
	s->params.k = 5;
	s->params.persons_cap = 20;
	/* Themes are skewed: a few take most signals. */
	for (unsigned i = 0; i < signals; i++) {
		uint32_t r = fx_rand(&seed) % 100;
		size_t t = r < 30 ? r % 3 : r < 60 ? 3 + r % 4 : r % n_themes;
		per_theme[t]++;
	}
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		size_t n_others = 1;
		struct ls_summary_table *tab = &s->tables[t];
		if (t != LS_TABLE_THEME)
			n_others = fx_codes(other_dims[t], others, 31);
		if (t == LS_TABLE_THEME_PROBLEM)
			others[n_others++] = "geen";
		tab->rows = ls_calloc(n_themes * n_others, sizeof *tab->rows);
		if (tab->rows == NULL)
			fx_die("alloc");
		for (size_t th = 0; th < n_themes; th++) {
			unsigned split[32] = {0};
			for (unsigned i = 0; i < per_theme[th]; i++)
				split[t == LS_TABLE_THEME
				          ? 0
				          : fx_rand(&seed) % n_others]++;
			for (size_t o = 0; o < n_others; o++) {
				struct ls_summary_row *row;
				if (split[o] == 0)
					continue;
				row = &tab->rows[tab->n_rows++];
				strcpy(row->theme, themes[th]);
				strcpy(row->other,
				       t == LS_TABLE_THEME ? "" : others[o]);
				fx_cell(&row->signals, split[o]);
				fx_cell(&row->persons,
				        split[o] * (1 + fx_rand(&seed) % 3));
			}
		}
		qsort(tab->rows, tab->n_rows, sizeof *tab->rows, fx_row_cmp);
	}
	s->recurrence = ls_calloc(n_themes, sizeof *s->recurrence);
	if (s->recurrence == NULL)
		fx_die("alloc");
	for (size_t th = 0; th < n_themes; th++) {
		struct ls_recurrence_row *row;
		if (per_theme[th] == 0)
			continue;
		row = &s->recurrence[s->n_recurrence++];
		strcpy(row->theme, themes[th]);
		fx_cell(&row->organisations,
		        1 + fx_rand(&seed) %
		                (per_theme[th] < 12 ? per_theme[th] : 12));
		fx_cell(&row->reporters, per_theme[th] / 2 + 1);
	}
	{
		/* recurrence sorted by theme */
		for (size_t i = 1; i < s->n_recurrence; i++)
			for (size_t j = i;
			     j > 0 && strcmp(s->recurrence[j - 1].theme,
			                     s->recurrence[j].theme) > 0;
			     j--) {
				struct ls_recurrence_row tmp =
				    s->recurrence[j - 1];
				s->recurrence[j - 1] = s->recurrence[j];
				s->recurrence[j] = tmp;
			}
	}
}

/* A status body with a few peers and counters. */
static inline void fx_status(struct ls_status *st, unsigned n_peers)
{
	memset(st, 0, sizeof *st);
	strcpy(st->software, "0.1.0");
	st->uptime = 86400;
	if (n_peers > FX_N_MEMBERS)
		n_peers = FX_N_MEMBERS;
	st->peers = ls_calloc(n_peers ? n_peers : 1, sizeof *st->peers);
	if (st->peers == NULL)
		fx_die("alloc");
	st->n_peers = n_peers;
	for (unsigned i = 0; i < n_peers; i++) {
		strcpy(st->peers[i].node_id, fx_members[i]);
		st->peers[i].last_sync = FX_NOW - 60 * (i + 1);
		strcpy(st->peers[i].result, i == 1 ? "net" : "ok");
	}
	st->n_counters = 3;
	strcpy(st->counters[0].name, "docs_rejected");
	st->counters[0].value = 2;
	strcpy(st->counters[1].name, "docs_stored");
	st->counters[1].value = 1234;
	strcpy(st->counters[2].name, "summaries_released");
	st->counters[2].value = 12;
}

static inline void fx_note(struct ls_dossier_note *n)
{
	memset(n, 0, sizeof *n);
	for (int i = 0; i < LS_DOSSIER_ID_BYTES; i++)
		n->dossier[i] = (uint8_t)(0xa0 + i);
	strcpy(n->theme, "wonen");
	n->phase = LS_PHASE_ACTIE;
	strcpy(n->problem_type, "beleidsleemte");
	strcpy(n->headline,
	       "Extra begeleiding voor jongeren op zoek naar een woning");
}

/* A small federation summary of October 2025 by the association (vvsg):
 * the ten pilots in the total, Skellam noise mu 1/4 (signals) and 25
 * (persons), two theme rows and two theme x age rows (one withheld). */
static inline void fx_fedsum(struct ls_fedsum *f)
{
	memset(f, 0, sizeof *f);
	f->period = (struct ls_period){2025, 10, 1};
	for (int i = 0; i < LS_SECAGG_ID_BYTES; i++)
		f->round[i] = (uint8_t)(0x50 + i);
	f->included = ls_calloc(FX_N_PILOTS, sizeof *f->included);
	if (f->included == NULL)
		fx_die("alloc");
	f->n_included = FX_N_PILOTS;
	for (unsigned i = 0; i < FX_N_PILOTS; i++)
		strcpy(f->included[i], fx_members[i]);
	f->noise.mu[0] = (struct secagg_rational){1, 4};
	f->noise.mu[1] = (struct secagg_rational){25, 1};
	f->epsilon_milli = 127800;
	f->withhold_below = 0;
	f->persons_cap = 10;
	f->tables[0].rows = ls_calloc(2, sizeof *f->tables[0].rows);
	f->tables[1].rows = ls_calloc(2, sizeof *f->tables[1].rows);
	if (f->tables[0].rows == NULL || f->tables[1].rows == NULL)
		fx_die("alloc");
	f->tables[0].n_rows = f->tables[1].n_rows = 2;
	strcpy(f->tables[0].rows[0].theme, "energie");
	f->tables[0].rows[0].signals =
	    (struct ls_cell){LS_CELL_NOISY, 41, 40, 42};
	f->tables[0].rows[0].persons =
	    (struct ls_cell){LS_CELL_NOISY, 97, 88, 106};
	strcpy(f->tables[0].rows[1].theme, "wonen");
	f->tables[0].rows[1].signals =
	    (struct ls_cell){LS_CELL_NOISY, 187, 186, 188};
	f->tables[0].rows[1].persons =
	    (struct ls_cell){LS_CELL_NOISY, 402, 393, 411};
	strcpy(f->tables[1].rows[0].theme, "wonen");
	strcpy(f->tables[1].rows[0].other, "18-24");
	f->tables[1].rows[0].signals =
	    (struct ls_cell){LS_CELL_NOISY, 23, 22, 24};
	f->tables[1].rows[0].persons =
	    (struct ls_cell){LS_CELL_NOISY, 51, 42, 60};
	strcpy(f->tables[1].rows[1].theme, "wonen");
	strcpy(f->tables[1].rows[1].other, "65plus");
	f->tables[1].rows[1].signals =
	    (struct ls_cell){LS_CELL_WITHHELD, 0, 0, 5};
	f->tables[1].rows[1].persons =
	    (struct ls_cell){LS_CELL_WITHHELD, 0, 0, 14};
}

/* Sign d (type, origin and body set) after head with the TEST key
 * `key`; returns the envelope (ls_free) and advances head. */
static inline uint8_t *fx_sign(struct ls_doc *d, struct ls_feed_head *head,
                               int64_t created, const char *key, size_t *len)
{
	struct ls_keypair *kp = fx_key(key);
	struct ls_errinfo e;
	uint8_t *out;
	if (proto_doc_sign(d, head, created, kp, &out, len, head, &e) != LS_OK)
		fx_die(e.msg);
	proto_keypair_free(kp);
	return out;
}

#endif
