/*
 * gen-federation: a synthetic federation in one node's store, for demos
 * and tests of the trends and the signal bundle.
 *
 * For every MAP/ID.csv (signals of municipality ID, e.g. from
 * `gen-signals --out-dir`), the signals are imported into a scratch store,
 * every month of the period is summarised (store_summary_raw) and
 * released under disclosure control (ls_disclosure_apply), and the released
 * summaries are signed with a key of ID and appended to the node's store
 * as ID's feed (node_feed_publish) — as if sync had brought them. With
 * --rooster a roster signed by a federation key names the members; with
 * --notitie a municipality shares a dossier note. With --federatietotalen
 * the node (the association) also publishes, per month, the federation
 * summary (type 7) a secure-aggregation round over every municipality
 * would give: the sum of their exact vectors (core/secagg) plus each
 * one's Skellam noise share, released by ls_secagg_federation_tables. The
 * pairwise masks of a real round cancel in the sum, so they are left
 * out: this is synthetic data for trends, dashboard and bundle, not a
 * round (node/secagg.c is that, and signaald drives it).
 *
 * Everything is synthetic and deterministic for a seed: keys are derived
 * from the seed and the municipality's id (TEST keys: never use them for
 * anything real), document times from the periods. Nothing here is a
 * second release pipeline: it only composes the store, disclosure and
 * feed functions the node uses.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/text.h"
#include "core/disclosure.h"
#include "core/dossier.h"
#include "core/period.h"
#include "core/secagg.h"
#include "node/feed.h"
#include "proto/doc.h"
#include "store/feed.h"
#include "store/import.h"
#include "store/store.h"
#include "store/summary.h"
#include "store/taxonomy.h"
#include "core/taxonomy.h"

static const char help[] =
    "Gebruik: gen-federation --knoop MAP --csv-map MAP --van JJJJ-MM "
    "--tot JJJJ-MM [opties]\n"
    "\n"
    "Maakt een synthetische federatie in de databank van een knoop: per\n"
    "CSV-bestand ID.csv in --csv-map (bv. van gen-signals --out-dir) de\n"
    "signalen inlezen, elke maand samenvatten en anonimiseren, en de\n"
    "samenvattingen ondertekend als feed van gemeente ID in de knoop\n"
    "zetten, alsof de synchronisatie ze bracht. Alles is verzonnen; de\n"
    "sleutels zijn TESTsleutels afgeleid van --seed.\n"
    "\n"
    "  --knoop MAP          de knoop (gemaakt met signaalctl init)\n"
    "  --csv-map MAP        de CSV-bestanden, een per gemeente\n"
    "  --van, --tot         de maanden die samengevat worden\n"
    "  --modus M            drempel (standaard) of ruis\n"
    "  --k N                drempel: aantallen 1..N-1 verborgen (5)\n"
    "  --epsilon-milli N    ruis: epsilon x 1000 (1000)\n"
    "  --plafond N          personen per signaal hoogstens N (10)\n"
    "  --seed N             startwaarde voor sleutels en ruis (1)\n"
    "  --rooster            ook een ledenlijst met de namen publiceren\n"
    "  --notitie SPEC       ID:THEMA:FASE:KOP, een gedeeld dossier\n"
    "                       (herhaalbaar)\n"
    "  --federatietotalen   de knoop publiceert ook per maand een\n"
    "                       federatiesamenvatting (type 7) over alle\n"
    "                       gemeenten, zoals een beveiligde optelling ze\n"
    "                       geeft (ruis mu 1/4 signalen, 25 personen),\n"
    "                       ondertekend met de TESTsleutel van de knoop\n";

static const struct {
	const char *id, *name;
} pilot_names[] = {
    {"berlaar", "Berlaar"},
    {"bornem", "Bornem"},
    {"dendermonde", "Dendermonde"},
    {"eeklo", "Eeklo"},
    {"gent", "Gent"},
    {"kortrijk", "Kortrijk"},
    {"mortsel", "Mortsel"},
    {"oud-turnhout", "Oud-Turnhout"},
    {"roeselare", "Roeselare"},
    {"sint-niklaas", "Sint-Niklaas"},
};

#define MAX_ORIGINS 512
#define MAX_NOTES 64

/* The federation totals being summed (--federatietotalen). */
struct fed_acc {
	struct secagg_layout l;
	struct secagg_noise nz;
	size_t n_months;
	uint32_t n_parties;
	int64_t *total; /* [month * l.n_entries + entry] */
	uint64_t *vec;  /* scratch: one vector */
	int64_t *share; /* scratch: one noise share */
};

struct options {
	const char *node, *csv_dir;
	struct ls_period from, to;
	struct ls_disclosure_params params;
	uint64_t seed;
	int roster;
	struct fed_acc *fed; /* NULL: no federation totals */
	const char *notes[MAX_NOTES];
	int n_notes;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gen-federation: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A TEST key derived from the seed and a name. */
static struct ls_keypair *derive_key(uint64_t seed, const char *name)
{
	static const char label[] = "gen-federation TEST key ";
	uint8_t s[32], sb[8];
	crypto_generichash_state st;
	struct ls_keypair *kp;
	for (int i = 0; i < 8; i++)
		sb[i] = (uint8_t)(seed >> (56 - 8 * i));
	crypto_generichash_init(&st, NULL, 0, sizeof s);
	crypto_generichash_update(&st, (const uint8_t *)label,
	                          sizeof label - 1);
	crypto_generichash_update(&st, sb, sizeof sb);
	crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&st, s, sizeof s);
	if (proto_keypair_from_seed(s, &kp) != LS_OK)
		die("%s", "cannot derive a key");
	sodium_memzero(s, sizeof s);
	return kp;
}

/* The node's shared taxonomy as TSV, to load into a scratch store. */
static char *taxonomy_tsv(const struct ls_taxonomy *t, size_t *len)
{
	size_t cap = 256 + t->n * 400, used = 0;
	char *out = ls_malloc(cap);
	if (out == NULL)
		die("%s", "out of memory");
	used +=
	    (size_t)snprintf(out, cap, "dimension\tcode\tlabel_nl\tlabel_en\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct ls_taxonomy_entry *x = &t->entries[i];
		if (x->local)
			continue;
		used +=
		    (size_t)snprintf(out + used, cap - used, "%s\t%s\t%s\t%s\n",
		                     ls_dim_name((enum ls_dim)x->dim), x->code,
		                     x->label_nl, x->label_en);
	}
	*len = used;
	return out;
}

/* The domain of disclosure control: shared codes per table. */
struct domain {
	const char *codes[LS_TABLE_COUNT_][DISCLOSURE_MAX_CODES];
	struct ls_domain dom;
};

static void domain_build(const struct ls_taxonomy *t, struct domain *d)
{
	static const uint8_t dims[LS_TABLE_COUNT_] = {
	    LS_DIM_THEME, LS_DIM_AGE, LS_DIM_TARGET, LS_DIM_SECTOR,
	    LS_DIM_PROBLEM};
	memset(d, 0, sizeof *d);
	for (int k = 0; k < LS_TABLE_COUNT_; k++) {
		size_t n = 0;
		for (size_t i = 0; i < t->n; i++)
			if (!t->entries[i].local &&
			    t->entries[i].dim == dims[k] &&
			    n + 1 < DISCLOSURE_MAX_CODES)
				d->codes[k][n++] = t->entries[i].code;
		if (k == LS_TABLE_THEME_PROBLEM)
			d->codes[k][n++] = LS_PROBLEM_NONE;
		d->dom.codes[k] = d->codes[k];
		d->dom.n_codes[k] = n;
	}
}

static long read_fp(void *ctx, char *buf, size_t cap)
{
	FILE *fp = ctx;
	size_t n = fread(buf, 1, cap, fp);
	return n == 0 && ferror(fp) ? -1 : (long)n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t period_created(const struct ls_period *p)
{
	/* released after the period closed plus a settle week; noon UTC */
	struct ls_period next;
	int64_t days;
	int32_t y, m;
	if (ls_period_add(p, 1, &next) != LS_OK)
		next = *p;
	y = next.year;
	m = next.month;
	/* days since 1970-01-01 of y-m-08 (civil from days, inverted) */
	y -= m <= 2;
	{
		int64_t era = (y >= 0 ? y : y - 399) / 400;
		int64_t yoe = y - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + 8 - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		days = era * 146097 + doe - 719468;
	}
	return days * 86400 + 12 * 3600;
}

/* One municipality's month into the federation totals: its exact vector
 * and its noise share (keyed by seed, municipality and month). */
static void fed_add(const struct options *o, const char *origin, size_t month,
                    struct ls_summary *raw)
{
	struct fed_acc *f = o->fed;
	struct ls_errinfo e;
	struct ls_keypair *nk;
	char name[LS_NODE_ID_SIZE + 32];
	int64_t *t = f->total + month * f->l.n_entries;
	if (month >= f->n_months)
		die("%s", "month outside the federation totals");
	raw->params.persons_cap = o->params.persons_cap;
	if (ls_secagg_vector_from_raw(&f->l, raw, f->vec, &e) != LS_OK)
		die("%s: %s", origin, e.msg);
	snprintf(name, sizeof name, "%s/ruisaandeel/%zu", origin, month);
	nk = derive_key(o->seed, name);
	if (ls_secagg_noise_shares(&f->l, &f->nz, f->n_parties, nk->sk,
	                           f->share, &e) != LS_OK)
		die("%s: %s", origin, e.msg);
	proto_keypair_free(nk);
	for (size_t k = 0; k < f->l.n_entries; k++)
		t[k] += (int64_t)f->vec[k] + f->share[k];
}

/* Per month the federation summary of the totals, signed into the node's
 * own feed with the TEST key of its id (the one the roster names). */
static void publish_fedsums(struct store *node, const struct options *o,
                            char **ids, size_t n_ids, const char *self)
{
	struct fed_acc *f = o->fed;
	struct ls_keypair *kp = derive_key(o->seed, self);
	struct ls_period p = o->from;
	for (size_t m = 0; m < f->n_months; m++) {
		struct ls_summary tables;
		struct ls_errinfo e;
		struct ls_doc doc;
		struct ls_fedsum *fs;
		crypto_generichash_state st;
		double eps;
		proto_doc_init(&doc, LS_DOC_FEDSUM);
		snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "%s", self);
		fs = &doc.body.fedsum;
		fs->period = p;
		/* a round id of its own: the hash of what it covers */
		crypto_generichash_init(&st, NULL, 0, sizeof fs->round);
		crypto_generichash_update(
		    &st, (const uint8_t *)"gen-federation", 14);
		crypto_generichash_update(&st, (const uint8_t *)&o->seed,
		                          sizeof o->seed);
		crypto_generichash_update(&st, (const uint8_t *)&p, sizeof p);
		crypto_generichash_final(&st, fs->round, sizeof fs->round);
		fs->included = ls_calloc(n_ids, sizeof *fs->included);
		if (fs->included == NULL)
			die("%s", "out of memory");
		for (size_t i = 0; i < n_ids; i++)
			snprintf(fs->included[i], LS_NODE_ID_SIZE, "%s",
			         ids[i]);
		fs->n_included = n_ids;
		fs->noise = f->nz;
		eps = ls_secagg_total_epsilon(&f->nz, o->params.persons_cap);
		fs->epsilon_milli = (uint64_t)ceil(eps * 1000);
		fs->withhold_below = 0;
		fs->persons_cap = o->params.persons_cap;
		ls_summary_init(&tables);
		if (ls_secagg_federation_tables(
		        &f->l, f->total + m * f->l.n_entries, &f->nz, 0,
		        o->params.persons_cap, &tables, &e) != LS_OK)
			die("%s", e.msg);
		for (int t = 0; t < LS_TABLE_COUNT_; t++)
			fs->tables[t] = tables.tables[t]; /* moved */
		if (node_feed_publish(node, kp, &doc, period_created(&p) + 3600,
		                      NULL, &e) != LS_OK)
			die("federatiesamenvatting: %s", e.msg);
		proto_doc_fini(&doc);
		if (ls_period_add(&p, 1, &p) != LS_OK)
			break;
	}
	proto_keypair_free(kp);
	fprintf(stderr,
	        "gen-federation: %s: %zu federatiesamenvattingen over %zu "
	        "gemeenten\n",
	        self, f->n_months, n_ids);
}

static void release_origin(struct store *node, const struct options *o,
                           const struct domain *dom, const char *tsv,
                           size_t tsv_len, const char *origin, const char *csv)
{
	char dir[] = "/tmp/gen-federation.XXXXXX", db[256];
	struct store_options sopt = {.create = 1,
	                             .synchronous = LS_SYNC_NORMAL};
	struct store_import_options iopt = {0};
	struct store_import_result ires;
	struct ls_keypair *kp = derive_key(o->seed, origin);
	struct store *s;
	struct ls_errinfo e;
	struct ls_period p = o->from;
	uint8_t secret[NOISE_SECRET_BYTES];
	FILE *fp;
	int n = 0;

	if (mkdtemp(dir) == NULL)
		die("cannot make a scratch directory: %s", strerror(errno));
	snprintf(db, sizeof db, "%s/signaal.db", dir);
	if (store_open(db, &sopt, &s, &e) != LS_OK)
		die("%s", e.msg);
	if (store_taxonomy_load_tsv(s, tsv, tsv_len, NULL, NULL, &e) != LS_OK)
		die("%s", e.msg);
	fp = fopen(csv, "rb");
	if (fp == NULL)
		die("cannot read %s", csv);
	if (store_import_csv(s, read_fp, fp, &iopt, &ires) != LS_OK)
		die("%s", ires.errors[0].msg);
	fclose(fp);
	{
		/* a per-origin noise secret, derived (synthetic data only) */
		struct ls_keypair *nk =
		    derive_key(o->seed ^ 0x6e6f697365ull, origin);
		memcpy(secret, nk->sk, sizeof secret);
		proto_keypair_free(nk);
	}
	for (;;) {
		struct ls_summary raw, rel;
		struct disclosure_input in;
		struct noise_budget budget = {UINT64_C(1) << 40, 0};
		struct ls_doc doc;
		int32_t a = ls_month_index(p.year, p.month);
		if (a > ls_month_index(o->to.year, o->to.month))
			break;
		ls_summary_init(&rel);
		if (store_summary_raw(s, &p, o->params.persons_cap, &raw, &e) !=
		    LS_OK)
			die("%s", e.msg);
		snprintf(raw.origin, sizeof raw.origin, "%s", origin);
		if (o->fed != NULL)
			fed_add(o, origin, (size_t)n, &raw);
		memset(&in, 0, sizeof in);
		in.raw = &raw;
		in.domain = &dom->dom;
		in.params = &o->params;
		in.secret = secret;
		in.budget = &budget;
		if (ls_disclosure_apply(&in, &rel, NULL, &e) != LS_OK)
			die("%s", e.msg);
		ls_summary_fini(&raw);
		proto_doc_init(&doc, LS_DOC_SUMMARY);
		snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "%s", origin);
		doc.body.summary = rel; /* the document owns the rows now */
		if (node_feed_publish(node, kp, &doc, period_created(&p), NULL,
		                      &e) != LS_OK)
			die("%s", e.msg);
		proto_doc_fini(&doc);
		n++;
		if (ls_period_add(&p, 1, &p) != LS_OK)
			break;
	}
	sodium_memzero(secret, sizeof secret);
	store_close(s);
	snprintf(db, sizeof db, "rm -rf '%s'", dir);
	if (system(db) != 0)
		fprintf(stderr, "gen-federation: could not remove %s\n", dir);
	proto_keypair_free(kp);
	fprintf(stderr,
	        "gen-federation: %s: %llu signalen, %d samenvattingen\n",
	        origin, (unsigned long long)ires.rows, n);
}

static const char *display_name(const char *id, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof pilot_names / sizeof pilot_names[0]; i++)
		if (strcmp(pilot_names[i].id, id) == 0)
			return pilot_names[i].name;
	snprintf(buf, size, "%s", id);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

static void publish_roster(struct store *node, const struct options *o,
                           char **ids, size_t n, const char *self)
{
	struct ls_keypair *fed = derive_key(o->seed, "federatie");
	struct ls_doc doc;
	struct ls_roster *r;
	struct ls_errinfo e;
	size_t total = n + 1, at = 0;
	proto_doc_init(&doc, LS_DOC_ROSTER);
	snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "federatie");
	r = &doc.body.roster;
	snprintf(r->federation, sizeof r->federation, "federatie");
	r->fed_keys = ls_calloc(1, sizeof *r->fed_keys);
	r->members = ls_calloc(total, sizeof *r->members);
	if (r->fed_keys == NULL || r->members == NULL)
		die("%s", "out of memory");
	r->n_fed_keys = 1;
	memcpy(r->fed_keys[0].pk, fed->pk, LS_PUBKEY_BYTES);
	memcpy(r->fed_keys[0].key_id, fed->key_id, LS_KEY_ID_BYTES);
	r->fed_keys[0].valid_from = 946684800;
	for (size_t i = 0; i <= n; i++) {
		const char *id = i < n ? ids[i] : self;
		struct ls_roster_member *m;
		struct ls_keypair *kp;
		char buf[LS_NODE_ID_SIZE];
		int dup = 0;
		for (size_t k = 0; k < at; k++)
			dup |= strcmp(r->members[k].node_id, id) == 0;
		if (dup)
			continue;
		m = &r->members[at++];
		kp = derive_key(o->seed, id);
		snprintf(m->node_id, sizeof m->node_id, "%s", id);
		snprintf(m->name, sizeof m->name, "%s",
		         display_name(id, buf, sizeof buf));
		m->role = i < n ? LS_ROLE_MUNICIPALITY : LS_ROLE_AGGREGATOR;
		m->keys = ls_calloc(1, sizeof *m->keys);
		if (m->keys == NULL)
			die("%s", "out of memory");
		m->n_keys = 1;
		memcpy(m->keys[0].pk, kp->pk, LS_PUBKEY_BYTES);
		memcpy(m->keys[0].key_id, kp->key_id, LS_KEY_ID_BYTES);
		m->keys[0].valid_from = 946684800;
		proto_keypair_free(kp);
	}
	r->n_members = at;
	/* members sorted by node id */
	for (size_t i = 1; i < at; i++)
		for (size_t j = i; j > 0 && strcmp(r->members[j - 1].node_id,
		                                   r->members[j].node_id) > 0;
		     j--) {
			struct ls_roster_member tmp = r->members[j];
			r->members[j] = r->members[j - 1];
			r->members[j - 1] = tmp;
		}
	if (proto_roster_index(r) != LS_OK)
		die("%s", "roster index");
	if (node_feed_publish(node, fed, &doc, period_created(&o->from), NULL,
	                      &e) != LS_OK)
		die("roster: %s", e.msg);
	proto_doc_fini(&doc);
	proto_keypair_free(fed);
}

static void publish_note(struct store *node, const struct options *o,
                         const char *spec, int index)
{
	char buf[512], *f[4];
	struct ls_doc doc;
	struct ls_keypair *kp;
	struct ls_errinfo e;
	int phase, k = 1;
	snprintf(buf, sizeof buf, "%s", spec);
	/* ID:THEMA:FASE:KOP, the headline may hold ':' itself */
	f[0] = buf;
	for (char *p = buf; *p != '\0' && k < 4; p++)
		if (*p == ':') {
			*p = '\0';
			f[k++] = p + 1;
		}
	if (k != 4)
		die("bad --notitie '%s' (ID:THEMA:FASE:KOP)", spec);
	phase = proto_phase_parse(f[2], strlen(f[2]));
	if (phase < 0)
		die("unknown phase in --notitie '%s'", spec);
	if (!ls_node_id_valid(f[0], strlen(f[0])) ||
	    !ls_code_valid(f[1], strlen(f[1])) ||
	    strlen(f[3]) > LS_HEADLINE_MAX)
		die("bad --notitie '%s' (ID:THEMA:FASE:KOP)", spec);
	proto_doc_init(&doc, LS_DOC_DOSSIER_NOTE);
	memcpy(doc.hdr.origin, f[0], strlen(f[0]) + 1);
	{
		/* a dossier id derived from the seed and the note's place */
		struct ls_keypair *idk =
		    derive_key(o->seed + (uint64_t)index, spec);
		memcpy(doc.body.note.dossier, idk->pk, LS_DOSSIER_ID_BYTES);
		proto_keypair_free(idk);
	}
	doc.body.note.dossier[0] |= 1;
	memcpy(doc.body.note.theme, f[1], strlen(f[1]) + 1);
	doc.body.note.phase = (uint8_t)phase;
	memcpy(doc.body.note.headline, f[3], strlen(f[3]) + 1);
	kp = derive_key(o->seed, f[0]);
	if (node_feed_publish(node, kp, &doc, period_created(&o->to) + index,
	                      NULL, &e) != LS_OK)
		die("note: %s", e.msg);
	proto_keypair_free(kp);
	proto_doc_fini(&doc);
}

/* The command line beyond struct options. */
struct cli {
	int have_from, have_to, fed_totals;
};

/* What one command-line option means for the run. */
enum opt_result {
	OPT_NEXT,  /* taken; on to the next */
	OPT_USAGE, /* invalid: the help on stderr, exit 2 */
	OPT_DONE,  /* --help done: exit 0 */
};

/* --van/--tot: one month. */
static enum opt_result parse_month(const char *arg, struct ls_period *p,
                                   int *have)
{
	*have = ls_period_parse(arg, p) == LS_OK && p->months == 1;
	return *have ? OPT_NEXT : OPT_USAGE;
}

/* --modus drempel|ruis. */
static enum opt_result parse_mode(const char *arg, struct options *o)
{
	if (strcmp(arg, "drempel") == 0)
		o->params.mode = LS_MODE_THRESHOLD;
	else if (strcmp(arg, "ruis") == 0)
		o->params.mode = LS_MODE_NOISE;
	else
		return OPT_USAGE;
	return OPT_NEXT;
}

/* A number option in [MIN, MAX] into *OUT. */
static enum opt_result parse_u32(const char *arg, int64_t min, int64_t max,
                                 uint32_t *out)
{
	int64_t v;

	if (ls_parse_i64(arg, min, max, &v) != LS_OK)
		return OPT_USAGE;
	*out = (uint32_t)v;
	return OPT_NEXT;
}

static enum opt_result option(struct options *o, struct cli *cl, int c,
                              const char *arg)
{
	int64_t v;

	switch (c) {
	case 'n':
		o->node = arg;
		return OPT_NEXT;
	case 'c':
		o->csv_dir = arg;
		return OPT_NEXT;
	case 'f':
		return parse_month(arg, &o->from, &cl->have_from);
	case 't':
		return parse_month(arg, &o->to, &cl->have_to);
	case 'm':
		return parse_mode(arg, o);
	case 'k':
		return parse_u32(arg, DISCLOSURE_K_MIN, DISCLOSURE_K_MAX,
		                 &o->params.k);
	case 'e':
		return parse_u32(arg, DISCLOSURE_EPSILON_MILLI_MIN,
		                 DISCLOSURE_EPSILON_MILLI_MAX,
		                 &o->params.epsilon_milli);
	case 'p':
		return parse_u32(arg, 1, 1000, &o->params.persons_cap);
	case 's':
		if (ls_parse_i64(arg, 0, INT64_MAX, &v) != LS_OK)
			return OPT_USAGE;
		o->seed = (uint64_t)v;
		return OPT_NEXT;
	case 'r':
		o->roster = 1;
		return OPT_NEXT;
	case 'F':
		cl->fed_totals = 1;
		return OPT_NEXT;
	case 'N':
		if (o->n_notes == MAX_NOTES)
			return OPT_USAGE;
		o->notes[o->n_notes++] = arg;
		return OPT_NEXT;
	case 'h':
		fputs(help, stdout);
		return OPT_DONE;
	default:
		return OPT_USAGE;
	}
}

/* The node's own id from NODE_DIR/signaal.ini (for the roster), or "". */
static void read_self_id(const char *node_dir, char self[LS_NODE_ID_SIZE])
{
	char path[4096], line[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/signaal.ini", node_dir);
	fp = fopen(path, "r");
	while (fp != NULL && fgets(line, sizeof line, fp) != NULL)
		if (strncmp(line, "id = ", 5) == 0 && self[0] == '\0')
			sscanf(line + 5, "%47s", self);
	if (fp != NULL)
		fclose(fp);
}

/* The origins: every ID.csv in DIR with a valid node id, sorted;
 * the ids are allocated (the caller frees them). Returns how many. */
static size_t list_origins(const char *dir, char *ids[MAX_ORIGINS])
{
	size_t n_ids = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		die("cannot read %s", dir);
	while ((de = readdir(d)) != NULL && n_ids < MAX_ORIGINS) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".csv") != 0 ||
		    !ls_node_id_valid(de->d_name, len - 4))
			continue;
		ids[n_ids] = ls_strndup(de->d_name, len - 4);
		if (ids[n_ids] == NULL)
			die("%s", "out of memory");
		n_ids++;
	}
	closedir(d);
	qsort(ids, n_ids, sizeof *ids, cmp_str);
	return n_ids;
}

/* --federatietotalen: the accumulator of the months' exact totals. */
static void fed_init(struct fed_acc *fed, const struct options *o,
                     const struct domain *dom, size_t n_ids)
{
	int32_t a = ls_month_index(o->from.year, o->from.month);
	int32_t b = ls_month_index(o->to.year, o->to.month);
	struct ls_errinfo e;

	if (b < a || n_ids < 2 || n_ids > LS_SECAGG_MAX_PARTIES)
		die("%s", "--federatietotalen: at least two "
		          "municipalities and a period");
	if (ls_secagg_layout_init(&fed->l, &dom->dom, &e) != LS_OK)
		die("%s", e.msg);
	fed->nz.mu[0] = (struct secagg_rational){1, 4};
	fed->nz.mu[1] = (struct secagg_rational){25, 1};
	fed->n_months = (size_t)(b - a + 1);
	fed->n_parties = (uint32_t)n_ids;
	fed->total =
	    ls_calloc(fed->n_months * fed->l.n_entries, sizeof *fed->total);
	fed->vec = ls_calloc(fed->l.n_entries, sizeof *fed->vec);
	fed->share = ls_calloc(fed->l.n_entries, sizeof *fed->share);
	if (fed->total == NULL || fed->vec == NULL || fed->share == NULL)
		die("%s", "out of memory");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"knoop", required_argument, NULL, 'n'},
	    {"csv-map", required_argument, NULL, 'c'},
	    {"van", required_argument, NULL, 'f'},
	    {"tot", required_argument, NULL, 't'},
	    {"modus", required_argument, NULL, 'm'},
	    {"k", required_argument, NULL, 'k'},
	    {"epsilon-milli", required_argument, NULL, 'e'},
	    {"plafond", required_argument, NULL, 'p'},
	    {"seed", required_argument, NULL, 's'},
	    {"rooster", no_argument, NULL, 'r'},
	    {"notitie", required_argument, NULL, 'N'},
	    {"federatietotalen", no_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct options o;
	struct cli cl = {0};
	struct store_options sopt = {.create = 0};
	struct store *node;
	struct ls_errinfo e;
	struct domain dom;
	char path[4096], *ids[MAX_ORIGINS], *tsv, self[LS_NODE_ID_SIZE] = "";
	size_t n_ids, tsv_len;
	struct fed_acc fed;
	int c;

	memset(&o, 0, sizeof o);
	ls_disclosure_params_default(&o.params);
	o.seed = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (option(&o, &cl, c, optarg)) {
		case OPT_NEXT:
			break;
		case OPT_USAGE:
			goto usage;
		case OPT_DONE:
			return 0;
		}
	}
	if (optind != argc || o.node == NULL || o.csv_dir == NULL ||
	    !cl.have_from || !cl.have_to)
		goto usage;
	/* the wire format states only what the mode uses */
	if (o.params.mode == LS_MODE_THRESHOLD) {
		o.params.epsilon_milli = 0;
		o.params.withhold_below = 0;
	}
	ls_log_set_level(LS_LOG_WARN);
	if (sodium_init() < 0)
		die("%s", "libsodium");
	snprintf(path, sizeof path, "%s/signaal.db", o.node);
	if (store_open(path, &sopt, &node, &e) != LS_OK)
		die("%s", e.msg);
	read_self_id(o.node, self);
	tsv = taxonomy_tsv(store_taxonomy(node), &tsv_len);
	domain_build(store_taxonomy(node), &dom);
	n_ids = list_origins(o.csv_dir, ids);
	if (o.roster)
		publish_roster(node, &o, ids, n_ids, self[0] ? self : "koepel");
	memset(&fed, 0, sizeof fed);
	if (cl.fed_totals) {
		fed_init(&fed, &o, &dom, n_ids);
		o.fed = &fed;
	}
	for (size_t i = 0; i < n_ids; i++) {
		snprintf(path, sizeof path, "%s/%s.csv", o.csv_dir, ids[i]);
		release_origin(node, &o, &dom, tsv, tsv_len, ids[i], path);
	}
	if (o.fed != NULL)
		publish_fedsums(node, &o, ids, n_ids,
		                self[0] ? self : "koepel");
	ls_free(fed.total);
	ls_free(fed.vec);
	ls_free(fed.share);
	for (int i = 0; i < o.n_notes; i++)
		publish_note(node, &o, o.notes[i], i);
	for (size_t i = 0; i < n_ids; i++)
		ls_free(ids[i]);
	ls_free(tsv);
	store_close(node);
	return 0;
usage:
	fputs(help, stderr);
	return 2;
}
