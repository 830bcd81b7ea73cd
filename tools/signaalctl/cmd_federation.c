/*
 * signaalctl federation: what the association does to set up and run the
 * federation — its key, the roster (members, roles, keys, endpoints,
 * removals, revocations), the disclosure policy and the shared taxonomy,
 * published into its node's federation feed; and, at every node, taking
 * in the federation documents that start it off (a bundle).
 *
 * Changes are made to drafts first ("concepten", DIR/federatie/NAME.concept:
 * the unsigned payload of the next document, in the wire format, written
 * and read with proto/), so that an administrator can look at them
 * (`federation show --concept`) before `federation publish` signs them
 * with the federation key. Publishing signs each draft as the next
 * document of the federation feed and takes it in through node/ingest,
 * exactly as a peer's document: verified against the trust in force, the
 * roster checked as a valid successor of the one in force, all drafts in
 * one transaction. Nothing here is a second implementation of a rule.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/text.h"
#include "core/policy.h"
#include "core/taxonomy.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/trust.h"
#include "proto/doc.h"
#include "proto/key.h"
#include "proto/sync.h"
#include "store/feed.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Gebruik: signaalctl federation OPDRACHT [opties]\n"
    "\n"
    "Voor de koepel (met de federatiesleutel):\n"
    "  init [--adres tcp://HOST:POORT]   federatiesleutel maken (als die er\n"
    "                                    nog niet is) en een concept van het\n"
    "                                    ledenregister (met dit knooppunt),\n"
    "                                    het beleid en de codelijst\n"
    "  member add ID --naam NAAM --sleutel BESTAND.pub [--rol "
    "gemeente|koepel]\n"
    "             [--adres tcp://HOST:POORT]...\n"
    "                                    een lid toevoegen\n"
    "  member remove ID                  een lid laten vertrekken (vanaf nu)\n"
    "  member revoke-key ID [--sleutel-id HEX] [--na-seq N] [--reden CODE]\n"
    "                                    een (gestolen) sleutel intrekken:\n"
    "                                    geen handtekeningen meer vanaf nu,\n"
    "                                    en geen na plaats N in de feed\n"
    "                                    (standaard: wat dit knooppunt heeft)\n"
    "  member rotate-key ID --sleutel BESTAND.pub [--overgang DAGEN]\n"
    "                                    een nieuwe sleutel vanaf nu; de oude\n"
    "                                    tekent nog DAGEN (standaard 7) na de\n"
    "                                    publicatie en blijft geldig voor wat\n"
    "                                    ze tekende\n"
    "  member address ID --adres tcp://HOST:POORT...\n"
    "                                    de adressen van een lid vervangen\n"
    "  policy [--k N] [--maanden N] [--wachttijd DAGEN] [--modus "
    "drempel|ruis]\n"
    "         [--epsilon-milli N] [--onder N] [--plafond N]\n"
    "                                    het openbaarmakingsbeleid\n"
    "  taxonomy                          de codelijst van deze databank\n"
    "  show [--concept]                  wat van kracht is (of de concepten)\n"
    "  publish [--sleutel BESTAND]       de concepten ondertekenen en\n"
    "                                    publiceren (standaard\n"
    "                                    keys/federation.key)\n"
    "  discard                           de concepten weggooien\n"
    "  export BESTAND                    de federatiedocumenten voor een\n"
    "                                    nieuw lid\n"
    "\n"
    "Voor elk knooppunt:\n"
    "  import BESTAND                    de federatiedocumenten inlezen\n"
    "                                    (gecontroleerd met [federation]\n"
    "                                    anchor uit signaal.ini)\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 3 ongeldige invoer\n"
    "(niets gewijzigd), 4 niet gevonden, 5 bestaat al of nu niet\n"
    "toegelaten, 1 andere fout.\n";

enum draft { D_ROSTER, D_TAXONOMY, D_POLICY, D_COUNT };
static const char *const draft_file[D_COUNT] = {"federatie/roster.concept",
                                                "federatie/taxonomy.concept",
                                                "federatie/policy.concept"};
static const uint8_t draft_type[D_COUNT] = {LS_DOC_ROSTER, LS_DOC_TAXONOMY,
                                            LS_DOC_POLICY};
static const char *const draft_name[D_COUNT] = {"ledenregister", "codelijst",
                                                "beleid"};

struct fed {
	const struct ctl_context *ctx;
	struct ctl_node node;
	struct node_trust trust;
	int open;
};

static uint64_t held_head(struct fed *f, const char *origin);

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* for_init: the federation key (and so the anchor) may not exist yet. */
static int fed_open(struct fed *f, const struct ctl_context *ctx, int for_init)
{
	int rc;
	memset(f, 0, sizeof *f);
	f->ctx = ctx;
	if ((rc = ctl_node_open(ctx, &f->node)) != CTL_EXIT_OK)
		return rc;
	if (f->node.config.federation_id[0] == '\0') {
		ctl_node_close(&f->node);
		ctl_error("dit knooppunt hoort bij geen federatie: zet "
		          "[federation] id in signaal.ini");
		return CTL_EXIT_CONFLICT;
	}
	if (for_init) {
		/* Nothing of the federation may be here yet (checked by
		 * init); its trust starts empty. */
		node_trust_init(&f->trust, f->node.config.federation_id, NULL);
		f->trust.head.seq = held_head(f, f->node.config.federation_id);
	} else if ((rc = ctl_trust_load(ctx, &f->node, &f->trust)) !=
	           CTL_EXIT_OK) {
		ctl_node_close(&f->node);
		return rc;
	}
	f->open = 1;
	return CTL_EXIT_OK;
}

static void fed_close(struct fed *f)
{
	if (!f->open)
		return;
	node_trust_fini(&f->trust);
	ctl_node_close(&f->node);
	f->open = 0;
}

/* --- files ------------------------------------------------------------ */

static int draft_path(struct fed *f, enum draft k, char *buf, size_t size)
{
	return ctl_node_path(f->ctx, draft_file[k], buf, size) != NULL ? 0 : -1;
}

/* The draft of kind k into *doc: from its file, else a copy of the
 * document in force, else empty. *from_file says which. */
static int draft_load(struct fed *f, enum draft k, struct ls_doc *doc,
                      int *exists)
{
	char path[4096];
	size_t len = 0;
	char *buf;
	struct ls_errinfo e;
	const struct ls_doc *in_force[D_COUNT] = {
	    &f->trust.roster, &f->trust.taxonomy, &f->trust.policy};

	*exists = 0;
	memset(doc, 0, sizeof *doc);
	if (draft_path(f, k, path, sizeof path) != 0)
		return CTL_EXIT_FAIL;
	if (ls_file_read_all(path, LS_PAYLOAD_MAX, &buf, &len) == LS_OK) {
		ls_errinfo_clear(&e);
		if (proto_doc_decode_payload((const uint8_t *)buf, len, doc,
		                             &e) != LS_OK ||
		    doc->hdr.type != draft_type[k]) {
			ls_free(buf);
			ctl_error("concept %s is beschadigd (%s); gooi het weg "
			          "met 'signaalctl federation discard'",
			          path, ctl_errmsg_dev(LS_EDECODE, &e));
			return CTL_EXIT_FAIL;
		}
		ls_free(buf);
		*exists = 1;
		return CTL_EXIT_OK;
	}
	if (errno != ENOENT) {
		ctl_error("kan %s niet lezen: %s", path, ls_errno_nl(errno));
		return CTL_EXIT_FAIL;
	}
	if (in_force[k]->hdr.seq != 0) {
		ls_errinfo_clear(&e);
		if (node_feed_read(f->node.store, f->node.config.federation_id,
		                   in_force[k]->hdr.seq, doc, &e) != LS_OK) {
			ctl_error("kan het %s van kracht niet lezen: %s",
			          draft_name[k],
			          ctl_errmsg_dev(LS_ECORRUPT, &e));
			return CTL_EXIT_FAIL;
		}
		return CTL_EXIT_OK;
	}
	proto_doc_init(doc, draft_type[k]);
	return CTL_EXIT_OK;
}

/* Check and write a draft. The feed fields are placeholders (seq 1, now):
 * `publish` sets the real ones. */
static int draft_save(struct fed *f, enum draft k, struct ls_doc *doc)
{
	char path[4096], dir[4096];
	struct ls_errinfo e;
	uint8_t *payload = NULL;
	size_t len = 0;
	snprintf(doc->hdr.origin, sizeof doc->hdr.origin, "%s",
	         f->node.config.federation_id);
	doc->hdr.seq = 1;
	memset(doc->hdr.prev, 0, sizeof doc->hdr.prev);
	doc->hdr.created = now_s();
	ls_errinfo_clear(&e);
	if (proto_doc_encode_payload(doc, &payload, &len, &e) != LS_OK) {
		ctl_error("het concept %s is niet geldig: %s", draft_name[k],
		          ctl_errmsg_dev(LS_EINVAL, &e));
		return CTL_EXIT_INPUT;
	}
	if (draft_path(f, k, path, sizeof path) != 0 ||
	    ctl_node_path(f->ctx, "federatie", dir, sizeof dir) == NULL ||
	    (mkdir(dir, 0750) != 0 && errno != EEXIST) ||
	    ls_file_write_atomic(path, payload, len, 0640, 1) != LS_OK) {
		ls_free(payload);
		ctl_error("kan het concept niet schrijven: %s",
		          ls_errno_nl(errno));
		return CTL_EXIT_FAIL;
	}
	ls_free(payload);
	return CTL_EXIT_OK;
}

/* --- roster editing ----------------------------------------------------- */

static int roster_reindex(struct ls_roster *r)
{
	struct ls_errinfo e;
	ls_errinfo_clear(&e);
	if (proto_roster_index(r) != LS_OK ||
	    proto_roster_validate(r, &e) != LS_OK) {
		ctl_error("het ledenregister zou ongeldig worden: %s",
		          e.msg[0] ? ctl_errmsg_dev(LS_EINVAL, &e)
		                   : "dubbele sleutel");
		return CTL_EXIT_INPUT;
	}
	return CTL_EXIT_OK;
}

static int key_from_file(const char *path, struct ls_roster_key *k)
{
	struct ls_errinfo e;
	ls_errinfo_clear(&e);
	memset(k, 0, sizeof *k);
	if (proto_pubkey_load(path, k->pk, k->key_id, &e) != LS_OK) {
		ctl_error("publieke sleutel %s: %s", path,
		          ctl_errmsg_dev(LS_EKEY, &e));
		return CTL_EXIT_INPUT;
	}
	k->valid_from = now_s();
	return CTL_EXIT_OK;
}

static int endpoint_ok(const char *ep)
{
	return ls_endpoint_valid(ep, strlen(ep));
}

static int add_member(struct ls_roster *r, const char *id, const char *name,
                      uint8_t role, const struct ls_roster_key *key,
                      char (*eps)[LS_ENDPOINT_MAX + 1], size_t n_eps)
{
	struct ls_roster_member *grown, *m;
	size_t pos = 0;

	if (proto_roster_find_member(r, id) != NULL) {
		ctl_error("'%s' is al lid", id);
		return CTL_EXIT_CONFLICT;
	}
	grown = ls_realloc(r->members, (r->n_members + 1) * sizeof *grown);
	if (grown == NULL)
		return CTL_EXIT_FAIL;
	r->members = grown;
	while (pos < r->n_members && strcmp(r->members[pos].node_id, id) < 0)
		pos++;
	memmove(&r->members[pos + 1], &r->members[pos],
	        (r->n_members - pos) * sizeof *r->members);
	r->n_members++;
	m = &r->members[pos];
	memset(m, 0, sizeof *m);
	snprintf(m->node_id, sizeof m->node_id, "%s", id);
	snprintf(m->name, sizeof m->name, "%s", name);
	m->role = role;
	m->keys = ls_calloc(1, sizeof *m->keys);
	if (m->keys == NULL)
		return CTL_EXIT_FAIL;
	m->keys[0] = *key;
	m->n_keys = 1;
	if (n_eps > 0) {
		m->endpoints = ls_calloc(n_eps, sizeof *m->endpoints);
		if (m->endpoints == NULL)
			return CTL_EXIT_FAIL;
		memcpy(m->endpoints, eps, n_eps * sizeof *eps);
		m->n_endpoints = n_eps;
	}
	return roster_reindex(r);
}

static struct ls_roster_member *member_of(struct ls_roster *r, const char *id)
{
	for (size_t i = 0; i < r->n_members; i++)
		if (strcmp(r->members[i].node_id, id) == 0)
			return &r->members[i];
	ctl_error("'%s' is geen lid van de federatie", id);
	return NULL;
}

/* Head of an origin in this node's store (what the federation learned
 * from the network). */
static uint64_t held_head(struct fed *f, const char *origin)
{
	uint8_t hash[LS_HASH_BYTES];
	uint64_t seq = 0;
	(void)store_feed_head(f->node.store, origin, &seq, hash);
	return seq;
}

/* --- subcommands --------------------------------------------------------- */

static uint8_t role_parse(const char *s)
{
	if (strcmp(s, "gemeente") == 0)
		return LS_ROLE_MUNICIPALITY;
	if (strcmp(s, "koepel") == 0)
		return LS_ROLE_AGGREGATOR;
	return 0;
}

/* A new federation's policy is the built-in one (core/policy.h), so a
 * node applies the same settle delay before and after it holds the
 * federation's policy. */
static int policy_defaults(struct ls_policy *p)
{
	ls_policy_default(p, LS_MODE_THRESHOLD);
	return 0;
}

/* The shared codes of this store as a taxonomy document body. */
static int taxonomy_from_store(struct fed *f, struct ls_taxonomy_doc *t)
{
	const struct ls_taxonomy *tax = store_taxonomy(f->node.store);
	memset(t, 0, sizeof *t);
	t->entries = ls_calloc(tax->n ? tax->n : 1, sizeof *t->entries);
	if (t->entries == NULL)
		return CTL_EXIT_FAIL;
	for (size_t i = 0; i < tax->n; i++) {
		const struct ls_taxonomy_entry *x = &tax->entries[i];
		struct ls_taxonomy_doc_entry *y;
		if (x->local)
			continue; /* local sub-codes never leave the node */
		y = &t->entries[t->n_entries++];
		y->dim = x->dim;
		snprintf(y->code, sizeof y->code, "%s", x->code);
		snprintf(y->label_nl, sizeof y->label_nl, "%s", x->label_nl);
		snprintf(y->label_en, sizeof y->label_en, "%s",
		         x->label_en ? x->label_en : "");
	}
	if (t->n_entries == 0) {
		ctl_error("deze databank heeft geen gedeelde codes");
		return CTL_EXIT_INPUT;
	}
	return CTL_EXIT_OK;
}

static int collect_endpoints(const char *arg, char (*eps)[LS_ENDPOINT_MAX + 1],
                             size_t *n, const char *cmd)
{
	if (!endpoint_ok(arg))
		return ctl_usage(cmd, "ongeldig adres '%s' (tcp://HOST:POORT)",
		                 arg);
	if (*n >= LS_ROSTER_MAX_ENDPOINTS)
		return ctl_usage(cmd, "hoogstens %d adressen",
		                 LS_ROSTER_MAX_ENDPOINTS);
	snprintf(eps[(*n)++], LS_ENDPOINT_MAX + 1, "%s", arg);
	return CTL_EXIT_OK;
}

/* Only a node without a federation (and without drafts) starts one. */
static int init_fresh(struct fed *f)
{
	if (f->trust.head.seq != 0) {
		ctl_error("federatie '%s' bestaat al in deze databank (%llu "
		          "documenten); wijzig ze met 'member', 'policy' en "
		          "'publish'",
		          f->node.config.federation_id,
		          (unsigned long long)f->trust.head.seq);
		return CTL_EXIT_CONFLICT;
	}
	{
		char path[4096];
		if (draft_path(f, D_ROSTER, path, sizeof path) == 0 &&
		    access(path, F_OK) == 0) {
			ctl_error(
			    "er zijn al concepten; publiceer ze, of gooi ze "
			    "weg met 'signaalctl federation discard'");
			return CTL_EXIT_CONFLICT;
		}
	}
	return CTL_EXIT_OK;
}

/* The federation key (made when keys/federation.key is missing) as the
 * roster's first federation key FK; it must be the configured anchor. */
static int init_fed_key(struct fed *f, struct ls_roster_key *fk)
{
	char sec[4096], pub[4096], anchor[4096], kid[LS_KEY_ID_HEX_SIZE];
	uint8_t anchor_pk[LS_PUBKEY_BYTES], anchor_id[LS_KEY_ID_BYTES];
	struct ls_keypair *kp = NULL;
	struct ls_errinfo e;

	if (ctl_node_path(f->ctx, "keys/federation.key", sec, sizeof sec) ==
	        NULL ||
	    ctl_node_path(f->ctx, "keys/federation.pub", pub, sizeof pub) ==
	        NULL ||
	    ctl_node_path(f->ctx, f->node.config.anchor_path, anchor,
	                  sizeof anchor) == NULL)
		return CTL_EXIT_FAIL;
	ls_errinfo_clear(&e);
	if (access(sec, F_OK) != 0) {
		char keys[4096];
		if (ctl_node_path(f->ctx, "keys", keys, sizeof keys) == NULL ||
		    (mkdir(keys, 0700) != 0 && errno != EEXIST) ||
		    proto_keypair_generate(&kp) != LS_OK ||
		    proto_keypair_save(kp, sec,
		                       access(pub, F_OK) == 0 ? NULL : pub) !=
		        LS_OK) {
			proto_keypair_free(kp);
			ctl_error("kan de federatiesleutel niet maken in %s",
			          sec);
			return CTL_EXIT_FAIL;
		}
		ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, kid);
		printf("federatiesleutel gemaakt: %s (sleutel-id %s)\n", sec,
		       kid);
	} else if (proto_keypair_load(sec, &kp, &e) != LS_OK) {
		ctl_error("federatiesleutel %s: %s", sec,
		          ctl_errmsg_dev(LS_EKEY, &e));
		return CTL_EXIT_FAIL;
	}
	/* The anchor every node is configured with must be this key. */
	if (proto_pubkey_load(anchor, anchor_pk, anchor_id, &e) != LS_OK ||
	    memcmp(anchor_pk, kp->pk, LS_PUBKEY_BYTES) != 0) {
		proto_keypair_free(kp);
		ctl_error("[federation] anchor (%s) is niet de publieke helft "
		          "van %s",
		          anchor, sec);
		return CTL_EXIT_CONFLICT;
	}
	memset(fk, 0, sizeof *fk);
	memcpy(fk->key_id, kp->key_id, LS_KEY_ID_BYTES);
	memcpy(fk->pk, kp->pk, LS_PUBKEY_BYTES);
	fk->valid_from = now_s();
	proto_keypair_free(kp);
	return CTL_EXIT_OK;
}

/* Drafts of the roster (with FK and this node, at ENDPOINTS), the
 * default policy and the store's taxonomy. */
static int init_drafts(struct fed *f, const struct ls_roster_key *fk,
                       char (*eps)[LS_ENDPOINT_MAX + 1], size_t n_eps)
{
	struct ls_roster_key nk;
	struct ls_doc roster, policy, tax;
	int rc, exists;

	/* This node is the first member. */
	{
		char path[4096];
		if (ctl_node_path(f->ctx, "keys/node.pub", path, sizeof path) ==
		        NULL ||
		    (rc = key_from_file(path, &nk)) != CTL_EXIT_OK)
			return CTL_EXIT_FAIL;
	}
	if ((rc = draft_load(f, D_ROSTER, &roster, &exists)) != CTL_EXIT_OK)
		return rc;
	proto_doc_fini(&roster);
	proto_doc_init(&roster, LS_DOC_ROSTER);
	snprintf(roster.body.roster.federation,
	         sizeof roster.body.roster.federation, "%s",
	         f->node.config.federation_id);
	roster.body.roster.fed_keys = ls_calloc(1, sizeof *fk);
	if (roster.body.roster.fed_keys == NULL) {
		proto_doc_fini(&roster);
		return CTL_EXIT_FAIL;
	}
	roster.body.roster.fed_keys[0] = *fk;
	roster.body.roster.n_fed_keys = 1;
	rc = add_member(&roster.body.roster, f->node.config.node_id,
	                f->node.config.node_name, f->node.config.role, &nk, eps,
	                n_eps);
	if (rc == CTL_EXIT_OK)
		rc = draft_save(f, D_ROSTER, &roster);
	proto_doc_fini(&roster);
	if (rc != CTL_EXIT_OK)
		return rc;
	proto_doc_init(&policy, LS_DOC_POLICY);
	policy_defaults(&policy.body.policy);
	rc = draft_save(f, D_POLICY, &policy);
	proto_doc_fini(&policy);
	if (rc != CTL_EXIT_OK)
		return rc;
	proto_doc_init(&tax, LS_DOC_TAXONOMY);
	rc = taxonomy_from_store(f, &tax.body.taxonomy);
	if (rc == CTL_EXIT_OK)
		rc = draft_save(f, D_TAXONOMY, &tax);
	proto_doc_fini(&tax);
	return rc;
}

static int cmd_init_fed(struct fed *f, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"adres", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	char eps[LS_ROSTER_MAX_ENDPOINTS][LS_ENDPOINT_MAX + 1];
	char kid[LS_KEY_ID_HEX_SIZE];
	struct ls_roster_key fk;
	struct ls_policy d;
	size_t n_eps = 0;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'a')
			return ctl_usage_option("federation", argv);
		if ((rc = collect_endpoints(optarg, eps, &n_eps,
		                            "federation")) != CTL_EXIT_OK)
			return rc;
	}
	if (optind != argc)
		return ctl_usage("federation", "onverwacht argument '%s'",
		                 argv[optind]);
	if ((rc = init_fresh(f)) != CTL_EXIT_OK ||
	    (rc = init_fed_key(f, &fk)) != CTL_EXIT_OK ||
	    (rc = init_drafts(f, &fk, eps, n_eps)) != CTL_EXIT_OK)
		return rc;
	ls_hex_encode(fk.key_id, LS_KEY_ID_BYTES, kid);
	ls_policy_default(&d, LS_MODE_THRESHOLD);
	printf("concepten gemaakt voor federatie '%s' (sleutel-id "
	       "%s):\n"
	       "  ledenregister met '%s', beleid (drempel k=%u, per "
	       "maand, %u dagen wachttijd), codelijst\n"
	       "Voeg leden toe met 'signaalctl federation member add', "
	       "kijk na met\n'signaalctl federation show --concept' en "
	       "publiceer met 'signaalctl federation publish'.\n",
	       f->node.config.federation_id, kid,
	       f->node.config.node_id, (unsigned)d.params.k,
	       (unsigned)d.settle_days);
	return CTL_EXIT_OK;
}

/* --- federation member VERB ID [options] ----------------------------- */

/* The ID and options of a member verb: every verb takes the same set and
 * ignores what it has no use for. */
/* rotate-key --overgang: the default and the most (a year). */
#define ROTATE_OVERLAP_DAYS 7
#define ROTATE_OVERLAP_MAX_DAYS 365

struct member_args {
	const char *id;
	const char *name, *key, *kid_hex, *reason;
	uint8_t role;
	int64_t after_seq;
	int64_t overlap_days; /* rotate-key --overgang */
	int overlap_set;
	char eps[LS_ROSTER_MAX_ENDPOINTS][LS_ENDPOINT_MAX + 1];
	size_t n_eps;
};

/* argv: ID [options] (argv[0] the ID, as getopt's program name). */
static int member_args_parse(struct member_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"naam", required_argument, NULL, 'n'},
	    {"rol", required_argument, NULL, 'r'},
	    {"sleutel", required_argument, NULL, 's'},
	    {"adres", required_argument, NULL, 'a'},
	    {"sleutel-id", required_argument, NULL, 'i'},
	    {"na-seq", required_argument, NULL, 'q'},
	    {"reden", required_argument, NULL, 'w'},
	    {"overgang", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0}};
	int c, rc;

	memset(a, 0, sizeof *a);
	a->reason = "";
	a->role = LS_ROLE_MUNICIPALITY;
	a->after_seq = -1;
	a->overlap_days = ROTATE_OVERLAP_DAYS;
	a->id = argv[0];
	if (!ls_node_id_valid(a->id, strlen(a->id)))
		return ctl_usage("federation", "ongeldige id '%s'", a->id);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->name = optarg;
			break;
		case 'r':
			if ((a->role = role_parse(optarg)) == 0)
				return ctl_usage("federation",
				                 "rol: gemeente of koepel");
			break;
		case 's':
			a->key = optarg;
			break;
		case 'a':
			if ((rc = collect_endpoints(optarg, a->eps, &a->n_eps,
			                            "federation")) !=
			    CTL_EXIT_OK)
				return rc;
			break;
		case 'i':
			a->kid_hex = optarg;
			break;
		case 'q':
			if (ls_parse_i64(optarg, 0, (int64_t)LS_SEQ_MAX,
			                 &a->after_seq) != LS_OK)
				return ctl_usage("federation",
				                 "ongeldig --na-seq '%s'",
				                 optarg);
			break;
		case 'w':
			a->reason = optarg;
			break;
		case 'o':
			if (ls_parse_i64(optarg, 0, ROTATE_OVERLAP_MAX_DAYS,
			                 &a->overlap_days) != LS_OK)
				return ctl_usage(
				    "federation",
				    "ongeldige --overgang '%s': een "
				    "aantal dagen van 0 tot %d",
				    optarg, ROTATE_OVERLAP_MAX_DAYS);
			a->overlap_set = 1;
			break;
		default:
			return ctl_usage_option("federation", argv);
		}
	}
	if (optind != argc)
		return ctl_usage("federation", "onverwacht argument '%s'",
		                 argv[optind]);
	return CTL_EXIT_OK;
}

static int member_add(struct fed *f, struct ls_roster *r, struct member_args *a)
{
	struct ls_roster_key k;
	struct ls_errinfo e;
	int rc;
	(void)f;
	if (a->name == NULL || a->key == NULL)
		return ctl_usage("federation",
		                 "member add vraagt --naam en --sleutel");
	if (strlen(a->name) > LS_NAME_MAX)
		return ctl_usage("federation", "naam te lang (max %d)",
		                 LS_NAME_MAX);
	/* the name goes into the signed roster every node shows */
	if ((rc = ls_text_check("de naam", a->name, LS_NAME_MAX, 1, 0, &e)) !=
	    LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	if ((rc = key_from_file(a->key, &k)) != CTL_EXIT_OK)
		return rc;
	return add_member(r, a->id, a->name, a->role, &k, a->eps, a->n_eps);
}

static int member_remove(struct fed *f, struct ls_roster *r,
                         struct member_args *a)
{
	struct ls_roster_member *m;
	int rc;
	if ((m = member_of(r, a->id)) == NULL)
		return CTL_EXIT_NOTFOUND;
	if (m->left != 0) {
		ctl_error("'%s' is al vertrokken", a->id);
		return CTL_EXIT_CONFLICT;
	}
	/* Its feed closes at the head held here too (PROTOCOL.md 6,
	 * "Removal"): nothing after it counts, whatever its date. */
	m->left = now_s();
	m->has_left_seq = 1;
	m->left_seq = held_head(f, a->id);
	rc = roster_reindex(r);
	if (rc == CTL_EXIT_OK)
		printf("'%s' vertrekt nu; zijn feed sluit na plaats %llu (wat "
		       "dit knooppunt ervan heeft)\n",
		       a->id, (unsigned long long)m->left_seq);
	return rc;
}

static int member_revoke_key(struct fed *f, struct ls_roster *r,
                             struct member_args *a)
{
	struct ls_roster_revocation rv, *grown;
	struct ls_roster_member *m;
	size_t pos = 0;
	int rc;

	memset(&rv, 0, sizeof rv);
	if ((m = member_of(r, a->id)) == NULL)
		return CTL_EXIT_NOTFOUND;
	if (a->kid_hex != NULL) {
		if (ls_hex_decode(a->kid_hex, rv.key_id, LS_KEY_ID_BYTES) !=
		    LS_OK)
			return ctl_usage(
			    "federation",
			    "--sleutel-id: 16 hexadecimale tekens");
	} else {
		/* The member's newest key. */
		size_t newest = 0;
		for (size_t i = 1; i < m->n_keys; i++)
			if (m->keys[i].valid_from > m->keys[newest].valid_from)
				newest = i;
		memcpy(rv.key_id, m->keys[newest].key_id, LS_KEY_ID_BYTES);
	}
	rv.at = now_s();
	rv.after_seq =
	    a->after_seq >= 0 ? (uint64_t)a->after_seq : held_head(f, a->id);
	snprintf(rv.reason, sizeof rv.reason, "%s", a->reason);
	for (size_t i = 0; i < r->n_revocations; i++)
		if (memcmp(r->revocations[i].key_id, rv.key_id,
		           LS_KEY_ID_BYTES) == 0) {
			ctl_error("die sleutel is al ingetrokken");
			return CTL_EXIT_CONFLICT;
		}
	grown =
	    ls_realloc(r->revocations, (r->n_revocations + 1) * sizeof *grown);
	if (grown == NULL)
		return CTL_EXIT_FAIL;
	r->revocations = grown;
	while (pos < r->n_revocations &&
	       memcmp(grown[pos].key_id, rv.key_id, LS_KEY_ID_BYTES) < 0)
		pos++;
	memmove(&grown[pos + 1], &grown[pos],
	        (r->n_revocations - pos) * sizeof *grown);
	grown[pos] = rv;
	r->n_revocations++;
	rc = roster_reindex(r);
	if (rc == CTL_EXIT_OK)
		printf("sleutel van '%s' ingetrokken vanaf nu en na plaats "
		       "%llu van zijn feed\n",
		       a->id, (unsigned long long)rv.after_seq);
	return rc;
}

static int member_rotate_key(struct fed *f, struct ls_roster *r,
                             struct member_args *a)
{
	struct ls_roster_key k, *grown;
	struct ls_roster_member *m;
	int64_t overlap = a->overlap_days * 86400;
	int rc;
	(void)f;
	if (a->key == NULL)
		return ctl_usage("federation",
		                 "member rotate-key vraagt --sleutel");
	if ((m = member_of(r, a->id)) == NULL)
		return CTL_EXIT_NOTFOUND;
	if ((rc = key_from_file(a->key, &k)) != CTL_EXIT_OK)
		return rc;
	if (m->n_keys >= LS_ROSTER_MAX_KEYS) {
		ctl_error("'%s' heeft al %d sleutels", a->id,
		          LS_ROSTER_MAX_KEYS);
		return CTL_EXIT_CONFLICT;
	}
	grown = ls_realloc(m->keys, (m->n_keys + 1) * sizeof *grown);
	if (grown == NULL)
		return CTL_EXIT_FAIL;
	m->keys = grown;
	/* The old keys close `overlap` after the new one starts, so the
	 * member's node can sign on with its old key until its operator
	 * installs the new one (PROTOCOL.md 6, "Rotation"); publish moves
	 * both times by the wait until publication (roster_times). */
	for (size_t i = 0; i < m->n_keys; i++)
		if (grown[i].valid_until == 0)
			grown[i].valid_until = k.valid_from + overlap;
	grown[m->n_keys++] = k;
	rc = roster_reindex(r);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (overlap > 0)
		printf(
		    "nieuwe sleutel voor '%s' geldig vanaf de publicatie; de "
		    "oude tekent nog %lld dag(en) daarna. Zet de nieuwe "
		    "sleutel in die tijd in keys/node.key van '%s' en "
		    "herstart signaald daar\n",
		    a->id, (long long)a->overlap_days, a->id);
	else
		printf(
		    "LET OP: geen overgang. De oude sleutel van '%s' sluit "
		    "bij de publicatie: '%s' moet meteen overschakelen "
		    "(nieuwe sleutel in keys/node.key, signaald herstarten); "
		    "tot dan tekent het niets en kan het niet synchroniseren: "
		    "stuur het de bundel ('federation export'). Is de sleutel "
		    "gestolen? Gebruik dan 'member revoke-key'\n",
		    a->id, a->id);
	return CTL_EXIT_OK;
}

static int member_address(struct fed *f, struct ls_roster *r,
                          struct member_args *a)
{
	char(*copy)[LS_ENDPOINT_MAX + 1] = NULL;
	struct ls_roster_member *m;
	(void)f;
	if ((m = member_of(r, a->id)) == NULL)
		return CTL_EXIT_NOTFOUND;
	if (a->n_eps > 0 && (copy = ls_calloc(a->n_eps, sizeof *copy)) == NULL)
		return CTL_EXIT_FAIL;
	if (copy != NULL)
		memcpy(copy, a->eps, a->n_eps * sizeof *copy);
	ls_free(m->endpoints);
	m->endpoints = copy;
	m->n_endpoints = a->n_eps;
	return roster_reindex(r);
}

typedef int (*member_edit_fn)(struct fed *f, struct ls_roster *r,
                              struct member_args *a);

/* One member verb: argv is VERB ID [options]. Opens the node, parses the
 * ID and options, loads the draft roster, applies edit and saves the
 * draft if edit succeeded. */
static int member_run(const struct ctl_context *ctx, int argc, char **argv,
                      member_edit_fn edit)
{
	struct member_args a;
	struct ls_doc doc;
	struct ls_roster *r;
	struct fed f;
	int rc, exists;

	if ((rc = fed_open(&f, ctx, 0)) != CTL_EXIT_OK)
		return rc;
	if ((rc = member_args_parse(&a, argc - 1, argv + 1)) != CTL_EXIT_OK)
		goto out_fed;
	if ((rc = draft_load(&f, D_ROSTER, &doc, &exists)) != CTL_EXIT_OK)
		goto out_fed;
	r = &doc.body.roster;
	if (doc.hdr.type != LS_DOC_ROSTER || r->n_fed_keys == 0) {
		ctl_error("er is nog geen ledenregister: begin met "
		          "'signaalctl federation init'");
		rc = CTL_EXIT_CONFLICT;
		goto out_doc;
	}
	if (a.overlap_set && edit != member_rotate_key) {
		rc = ctl_usage("federation",
		               "--overgang hoort alleen bij rotate-key");
		goto out_doc;
	}
	rc = edit(&f, r, &a);
	if (rc == CTL_EXIT_OK)
		rc = draft_save(&f, D_ROSTER, &doc);
	if (rc == CTL_EXIT_OK)
		printf(
		    "concept-ledenregister bijgewerkt (%zu leden); publiceer "
		    "met 'signaalctl federation publish'\n",
		    r->n_members);
out_doc:
	proto_doc_fini(&doc);
out_fed:
	fed_close(&f);
	return rc;
}

static int member_add_verb(const struct ctl_context *ctx, int argc, char **argv)
{
	return member_run(ctx, argc, argv, member_add);
}

static int member_remove_verb(const struct ctl_context *ctx, int argc,
                              char **argv)
{
	return member_run(ctx, argc, argv, member_remove);
}

static int member_revoke_key_verb(const struct ctl_context *ctx, int argc,
                                  char **argv)
{
	return member_run(ctx, argc, argv, member_revoke_key);
}

static int member_rotate_key_verb(const struct ctl_context *ctx, int argc,
                                  char **argv)
{
	return member_run(ctx, argc, argv, member_rotate_key);
}

static int member_address_verb(const struct ctl_context *ctx, int argc,
                               char **argv)
{
	return member_run(ctx, argc, argv, member_address);
}

/* federation member VERB ID [options] (argv[0] "member"). */
static int cmd_member(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct ctl_verb verbs[] = {
	    {"add", member_add_verb, NULL},
	    {"remove", member_remove_verb, NULL},
	    {"revoke-key", member_revoke_key_verb, NULL},
	    {"rotate-key", member_rotate_key_verb, NULL},
	    {"address", member_address_verb, NULL},
	};
	if (argc < 3)
		return ctl_usage("federation",
		                 "gebruik: federation member add|remove|"
		                 "revoke-key|rotate-key|address ID ...");
	return ctl_run_verb("federation", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}

static int cmd_policy(struct fed *f, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"k", required_argument, NULL, 'k'},
	    {"maanden", required_argument, NULL, 'm'},
	    {"wachttijd", required_argument, NULL, 'w'},
	    {"modus", required_argument, NULL, 'o'},
	    {"epsilon-milli", required_argument, NULL, 'e'},
	    {"onder", required_argument, NULL, 'u'},
	    {"plafond", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0}};
	struct ls_doc doc;
	struct ls_policy *p;
	struct ls_errinfo e;
	int64_t v;
	int c, rc, exists;

	if ((rc = draft_load(f, D_POLICY, &doc, &exists)) != CTL_EXIT_OK)
		return rc;
	p = &doc.body.policy;
	if (!exists && f->trust.policy.hdr.seq == 0)
		policy_defaults(p);
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o') {
			if (strcmp(optarg, "drempel") == 0)
				p->params.mode = LS_MODE_THRESHOLD;
			else if (strcmp(optarg, "ruis") == 0)
				p->params.mode = LS_MODE_NOISE;
			else {
				proto_doc_fini(&doc);
				return ctl_usage("federation",
				                 "modus: drempel of ruis");
			}
			continue;
		}
		if (c == '?' ||
		    ls_parse_i64(optarg, 0, UINT32_MAX, &v) != LS_OK) {
			proto_doc_fini(&doc);
			return ctl_usage("federation", "ongeldige waarde");
		}
		switch (c) {
		case 'k':
			p->params.k = (uint32_t)v;
			break;
		case 'm':
			p->period_months = (uint32_t)v;
			break;
		case 'w':
			p->settle_days = (uint32_t)v;
			break;
		case 'e':
			p->params.epsilon_milli = (uint32_t)v;
			break;
		case 'u':
			p->params.withhold_below = (uint32_t)v;
			break;
		case 'p':
			p->params.persons_cap = (uint32_t)v;
			break;
		}
	}
	/* Canonical parameters of the mode; a mode switched to gets its
	 * defaults where nothing was given. */
	if (p->params.mode == LS_MODE_THRESHOLD) {
		p->params.epsilon_milli = 0;
		p->params.withhold_below = 0;
		if (p->params.k == 0)
			p->params.k = DISCLOSURE_K_DEFAULT;
	} else {
		p->params.k = 0;
		if (p->params.epsilon_milli == 0)
			p->params.epsilon_milli =
			    DISCLOSURE_EPSILON_MILLI_DEFAULT;
	}
	ls_errinfo_clear(&e);
	if (proto_policy_validate(p, &e) != LS_OK) {
		proto_doc_fini(&doc);
		ctl_error("ongeldig beleid: %s", ctl_errmsg(LS_EINVAL, &e));
		return CTL_EXIT_INPUT;
	}
	rc = draft_save(f, D_POLICY, &doc);
	proto_doc_fini(&doc);
	if (rc == CTL_EXIT_OK)
		printf("concept-beleid bijgewerkt\n");
	return rc;
}

static int cmd_taxonomy_fed(struct fed *f, int argc, char **argv)
{
	struct ls_doc doc;
	int rc;
	if (argc != 1)
		return ctl_usage("federation", "onbekende opdracht '%s'",
		                 argv[0]);
	proto_doc_init(&doc, LS_DOC_TAXONOMY);
	rc = taxonomy_from_store(f, &doc.body.taxonomy);
	if (rc == CTL_EXIT_OK)
		rc = draft_save(f, D_TAXONOMY, &doc);
	if (rc == CTL_EXIT_OK)
		printf("concept-codelijst gemaakt (%zu codes)\n",
		       doc.body.taxonomy.n_entries);
	proto_doc_fini(&doc);
	return rc;
}

static void show_roster(const struct ls_roster *r)
{
	char kid[LS_KEY_ID_HEX_SIZE], t[32];
	printf("federatiesleutels:\n");
	for (size_t i = 0; i < r->n_fed_keys; i++) {
		ls_hex_encode(r->fed_keys[i].key_id, LS_KEY_ID_BYTES, kid);
		printf("  %s  geldig vanaf %s%s\n", kid,
		       ctl_time(r->fed_keys[i].valid_from, t, sizeof t),
		       r->fed_keys[i].valid_until ? " (afgesloten)" : "");
	}
	printf("%-14s %-24s %-9s %-17s %s\n", "LID", "NAAM", "ROL", "SLEUTEL",
	       "ADRES");
	for (size_t i = 0; i < r->n_members; i++) {
		const struct ls_roster_member *m = &r->members[i];
		const struct ls_roster_key *k = &m->keys[m->n_keys - 1];
		ls_hex_encode(k->key_id, LS_KEY_ID_BYTES, kid);
		printf("%-14s %-24.24s %-9s %-17s %s%s\n", m->node_id, m->name,
		       ls_role_name(m->role), kid,
		       m->n_endpoints ? m->endpoints[0] : "-",
		       m->left ? "  (vertrokken)" : "");
	}
	for (size_t i = 0; i < r->n_revocations; i++) {
		ls_hex_encode(r->revocations[i].key_id, LS_KEY_ID_BYTES, kid);
		printf("ingetrokken: %s vanaf %s, na plaats %llu (%s)\n", kid,
		       ctl_time(r->revocations[i].at, t, sizeof t),
		       (unsigned long long)r->revocations[i].after_seq,
		       r->revocations[i].reason[0] ? r->revocations[i].reason
		                                   : "-");
	}
}

static void show_policy(const struct ls_policy *p)
{
	if (p->params.mode == LS_MODE_THRESHOLD)
		printf("beleid: drempel k=%u, personen tot %u per signaal, ",
		       p->params.k, p->params.persons_cap);
	else
		printf("beleid: ruis epsilon=%u/1000, achterhouden onder %u, "
		       "personen tot %u per signaal, ",
		       p->params.epsilon_milli, p->params.withhold_below,
		       p->params.persons_cap);
	printf("periodes van %u maand(en), %u dagen wachttijd\n",
	       p->period_months, p->settle_days);
}

static int cmd_show(struct fed *f, int argc, char **argv)
{
	int concept = argc == 2 && strcmp(argv[1], "--concept") == 0;
	if (argc > 1 && !concept)
		return ctl_usage("federation", "show [--concept]");
	printf("federatie '%s'", f->node.config.federation_id);
	if (!concept) {
		printf(", %llu documenten van kracht\n",
		       (unsigned long long)f->trust.head.seq);
		if (node_trust_roster(&f->trust) == NULL) {
			printf(
			    "(nog geen ledenregister: 'signaalctl federation "
			    "import' of 'init')\n");
			return CTL_EXIT_OK;
		}
		printf("ledenregister: plaats %llu\n",
		       (unsigned long long)f->trust.roster.hdr.seq);
		show_roster(node_trust_roster(&f->trust));
		if (node_trust_policy(&f->trust) != NULL)
			show_policy(node_trust_policy(&f->trust));
		if (node_trust_taxonomy(&f->trust) != NULL)
			printf("codelijst: %zu codes\n",
			       node_trust_taxonomy(&f->trust)->n_entries);
		return CTL_EXIT_OK;
	}
	printf(", concepten:\n");
	for (int k = 0; k < D_COUNT; k++) {
		char path[4096];
		struct ls_doc doc;
		int exists, rc;
		if (draft_path(f, (enum draft)k, path, sizeof path) != 0 ||
		    access(path, F_OK) != 0) {
			printf("%s: geen concept\n", draft_name[k]);
			continue;
		}
		if ((rc = draft_load(f, (enum draft)k, &doc, &exists)) !=
		    CTL_EXIT_OK)
			return rc;
		if (k == D_ROSTER)
			show_roster(&doc.body.roster);
		else if (k == D_POLICY)
			show_policy(&doc.body.policy);
		else
			printf("codelijst: %zu codes\n",
			       doc.body.taxonomy.n_entries);
		proto_doc_fini(&doc);
	}
	return CTL_EXIT_OK;
}

/*
 * A draft made earlier closes keys and lets members leave "now" — at the
 * time it was edited. The roster succession rule wants such times no
 * earlier than the new roster's creation (history is never rewritten), so
 * they move to the moment of publication. A rotation's overlap
 * (rotate-key --overgang) counts from publication too: a key the draft
 * closes moves by the time between the draft's newest new key of that
 * member (made when rotate-key ran) and publication.
 */
static void roster_times(const struct ls_roster *prev, struct ls_roster *next,
                         int64_t created)
{
	for (size_t i = 0; i < next->n_members; i++) {
		struct ls_roster_member *m = &next->members[i];
		const struct ls_roster_member *old =
		    prev ? proto_roster_find_member(prev, m->node_id) : NULL;
		struct ls_key_ref ref;
		int64_t drafted = 0, shift = 0;
		if (m->left != 0 && (old == NULL || old->left == 0) &&
		    m->left < created)
			m->left = created;
		for (size_t j = 0; j < m->n_keys; j++)
			if ((prev == NULL ||
			     proto_roster_find_key(prev, m->keys[j].key_id,
			                           &ref) != LS_OK) &&
			    m->keys[j].valid_from > drafted)
				drafted = m->keys[j].valid_from;
		if (drafted > 0 && drafted < created)
			shift = created - drafted;
		for (size_t j = 0; j < m->n_keys; j++) {
			struct ls_roster_key *k = &m->keys[j];
			int known = prev != NULL &&
			            proto_roster_find_key(prev, k->key_id,
			                                  &ref) == LS_OK;
			if (k->valid_until == 0 ||
			    (known && ref.key->valid_until != 0))
				continue; /* open, or closed before */
			if (k->valid_until <= LS_TIME_MAX - shift)
				k->valid_until += shift;
			if (k->valid_until < created)
				k->valid_until = created;
			if (k->valid_until > LS_TIME_MAX)
				k->valid_until = LS_TIME_MAX;
		}
	}
}

/* Why the federation's own node refused a signed draft, as an exit. */
static int publish_refused(int k, const struct node_ingest_doc *res)
{
	ctl_error("%s niet gepubliceerd: %s%s", draft_name[k],
	          ls_strerror_nl(res->code),
	          res->code == LS_EPOLICY && k == D_ROSTER
	              ? " (leden en sleutels mogen niet "
	                "verdwijnen, intrekkingen niet vervallen)"
	          : res->code == LS_EKEY ? " (is dit de federatiesleutel?)"
	                                 : "");
	return ctl_exit_for(res->code == LS_EPOLICY || res->code == LS_EKEY ||
	                            res->code == LS_EDENIED
	                        ? LS_EINVAL
	                        : res->code);
}

/* Signs draft K with KP as the federation's next document and stores
 * it through IN (inside the caller's transaction); *SEQ gets its number. */
static int publish_draft(struct fed *f, int k, const struct ls_keypair *kp,
                         struct node_ingest *in, uint64_t *seq,
                         struct ls_errinfo *e)
{
	struct ls_doc doc;
	struct ls_feed_head head = f->trust.head, next;
	struct node_ingest_doc res;
	struct ls_bytes b;
	uint8_t *env = NULL;
	size_t len = 0;
	int exists, rc;

	if ((rc = draft_load(f, (enum draft)k, &doc, &exists)) != CTL_EXIT_OK)
		return rc;
	snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "%s",
	         f->node.config.federation_id);
	if (k == D_ROSTER) {
		roster_times(node_trust_roster(&f->trust), &doc.body.roster,
		             now_s());
		(void)proto_roster_index(&doc.body.roster);
	}
	if (proto_doc_sign(&doc, &head, now_s(), kp, &env, &len, &next, e) !=
	    LS_OK) {
		ctl_error("%s: %s", draft_name[k],
		          ctl_errmsg_dev(LS_EINVAL, e));
		proto_doc_fini(&doc);
		return CTL_EXIT_INPUT;
	}
	proto_doc_fini(&doc);
	b.data = env;
	b.len = len;
	if (node_ingest_page(in, &b, 1, now_s(), "signaalctl", &res, NULL,
	                     e) != LS_OK) {
		ctl_error("kan %s niet bewaren: %s", draft_name[k],
		          ctl_errmsg_dev(LS_ESTORE, e));
		rc = CTL_EXIT_FAIL;
	} else if (res.outcome != NODE_INGEST_STORED) {
		rc = publish_refused(k, &res);
	} else {
		*seq = res.hdr.seq;
	}
	ls_free(env);
	return rc;
}

static int cmd_publish(struct fed *f, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"sleutel", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
	char key_path[4096], path[4096];
	const char *key = NULL;
	struct ls_keypair *kp = NULL;
	struct node_ingest in;
	struct ls_errinfo e;
	int c, rc = CTL_EXIT_OK, n = 0, have[D_COUNT] = {0};
	uint64_t seqs[D_COUNT] = {0};

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			return ctl_usage_option("federation", argv);
		key = optarg;
	}
	if (key == NULL) {
		if (ctl_node_path(f->ctx, "keys/federation.key", key_path,
		                  sizeof key_path) == NULL)
			return CTL_EXIT_FAIL;
		key = key_path;
	}
	for (int k = 0; k < D_COUNT; k++)
		if (draft_path(f, (enum draft)k, path, sizeof path) == 0 &&
		    access(path, F_OK) == 0)
			have[k] = 1, n++;
	if (n == 0) {
		ctl_error("er zijn geen concepten om te publiceren");
		return CTL_EXIT_NOTFOUND;
	}
	ls_errinfo_clear(&e);
	if (proto_keypair_load(key, &kp, &e) != LS_OK) {
		ctl_error("federatiesleutel %s: %s", key,
		          ctl_errmsg_dev(LS_EKEY, &e));
		return CTL_EXIT_FAIL;
	}
	node_ingest_init(&in, f->node.store, &f->trust);
	if (store_tx_begin(f->node.store) != LS_OK) {
		proto_keypair_free(kp);
		ctl_error("de databank is bezet; probeer opnieuw");
		return CTL_EXIT_FAIL;
	}
	/* Roster first: the taxonomy and policy are verified against the
	 * roster in force, which may be the one being published. */
	for (int k = 0; k < D_COUNT && rc == CTL_EXIT_OK; k++)
		if (have[k])
			rc = publish_draft(f, k, kp, &in, &seqs[k], &e);
	proto_keypair_free(kp);
	if (rc != CTL_EXIT_OK) {
		store_tx_rollback(f->node.store);
		printf("niets gepubliceerd; de concepten blijven bewaard\n");
		return rc;
	}
	if (store_tx_commit(f->node.store) != LS_OK) {
		ctl_error("kon niet opslaan; niets gepubliceerd");
		return CTL_EXIT_FAIL;
	}
	for (int k = 0; k < D_COUNT; k++)
		if (have[k]) {
			if (draft_path(f, (enum draft)k, path, sizeof path) ==
			    0)
				unlink(path);
			printf("%s gepubliceerd als document %llu van de "
			       "federatie\n",
			       draft_name[k], (unsigned long long)seqs[k]);
		}
	printf("Een draaiende signaald verspreidt ze vanzelf.\n");
	return CTL_EXIT_OK;
}

static int cmd_discard(struct fed *f, int argc, char **argv)
{
	int n = 0;
	if (argc != 1)
		return ctl_usage("federation", "onbekende opdracht '%s'",
		                 argv[0]);
	for (int k = 0; k < D_COUNT; k++) {
		char path[4096];
		if (draft_path(f, (enum draft)k, path, sizeof path) == 0 &&
		    unlink(path) == 0)
			n++;
	}
	printf("%d concept(en) weggegooid\n", n);
	return CTL_EXIT_OK;
}

struct collect {
	struct ls_sync_msg *m;
	size_t n_alloc, cap;
	uint8_t **copies;
	int rc;
};

static int collect_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *env, size_t len)
{
	struct collect *c = arg;
	uint8_t *copy, **grown;
	(void)m;
	grown = ls_array_grow(c->copies, &c->cap, c->n_alloc + 1, sizeof *grown,
	                      16);
	if (grown == NULL) {
		c->rc = LS_ENOMEM;
		return 1;
	}
	c->copies = grown;
	if ((copy = ls_malloc(len)) == NULL) {
		c->rc = LS_ENOMEM;
		return 1;
	}
	memcpy(copy, env, len);
	c->copies[c->n_alloc++] = copy;
	c->rc = proto_sync_page_add(c->m, NULL, copy, len);
	return c->rc != LS_OK;
}

static int cmd_export(struct fed *f, int argc, char **argv)
{
	struct ls_sync_msg m;
	struct collect c = {.m = &m};
	struct ls_errinfo e;
	uint8_t *out = NULL;
	size_t len = 0;
	char kid[LS_KEY_ID_HEX_SIZE];
	int rc;

	if (argc != 2)
		return ctl_usage("federation", "export BESTAND");
	if (f->trust.head.seq == 0) {
		ctl_error("er zijn nog geen federatiedocumenten om te "
		          "exporteren");
		return CTL_EXIT_NOTFOUND;
	}
	proto_sync_msg_init(&m, LS_SYNC_PUSH_REQ);
	rc = store_feed_list(f->node.store, 0, f->node.config.federation_id,
	                     collect_cb, &c);
	ls_errinfo_clear(&e);
	if (rc == LS_OK && c.rc == LS_OK)
		rc = proto_sync_encode(&m, &out, &len, &e);
	else if (c.rc != LS_OK)
		rc = c.rc;
	for (size_t i = 0; i < c.n_alloc; i++)
		ls_free(c.copies[i]);
	ls_free(c.copies);
	proto_sync_msg_fini(&m);
	if (rc != LS_OK) {
		ctl_error("kan de bundel niet maken: %s",
		          rc == LS_ELIMIT ? "te groot" : ls_strerror_nl(rc));
		ls_free(out);
		return CTL_EXIT_FAIL;
	}
	if (ls_file_write_atomic(argv[1], out, len, 0640, 1) != LS_OK) {
		ls_free(out);
		ctl_error("kan %s niet schrijven: %s", argv[1],
		          ls_errno_nl(errno));
		return CTL_EXIT_FAIL;
	}
	ls_free(out);
	{
		uint8_t id[LS_KEY_ID_BYTES];
		proto_key_id(f->trust.anchor_pk, id);
		ls_hex_encode(id, LS_KEY_ID_BYTES, kid);
	}
	printf("%s: %llu federatiedocumenten (%zu bytes)\n"
	       "Geef dit bestand samen met keys/federation.pub aan het nieuwe "
	       "lid;\nde sleutel-id van de federatie is %s (controleer die "
	       "langs een ander kanaal).\n",
	       argv[1], (unsigned long long)f->trust.head.seq, len, kid);
	return CTL_EXIT_OK;
}

static int cmd_import(struct fed *f, int argc, char **argv)
{
	struct ls_sync_msg m;
	struct node_ingest in;
	struct node_ingest_doc *docs;
	struct ls_errinfo e;
	size_t len = 0, stored = 0, held = 0, bad = 0;
	char *buf;
	int rc;

	if (argc != 2)
		return ctl_usage("federation", "import BESTAND");
	if ((rc = ls_file_read_all(argv[1], LS_SYNC_MSG_MAX, &buf, &len)) !=
	    LS_OK) {
		ctl_error("kan %s niet lezen: %s", argv[1],
		          rc == LS_ELIMIT ? "te groot" : ls_errno_nl(errno));
		return rc == LS_ENOTFOUND ? CTL_EXIT_NOTFOUND : CTL_EXIT_INPUT;
	}
	ls_errinfo_clear(&e);
	memset(&m, 0, sizeof m);
	if (proto_sync_decode((const uint8_t *)buf, len, &m, &e) != LS_OK ||
	    m.type != LS_SYNC_PUSH_REQ) {
		ctl_error("%s is geen bundel met federatiedocumenten: %s",
		          argv[1], ctl_errmsg_dev(LS_EDECODE, &e));
		proto_sync_msg_fini(&m);
		ls_free(buf);
		return CTL_EXIT_INPUT;
	}
	docs = ls_calloc(m.n_docs, sizeof *docs);
	if (docs == NULL) {
		proto_sync_msg_fini(&m);
		ls_free(buf);
		return CTL_EXIT_FAIL;
	}
	/* All or nothing: one transaction, rolled back if any document is
	 * refused. */
	node_ingest_init(&in, f->node.store, &f->trust);
	rc = store_tx_begin(f->node.store);
	if (rc == LS_OK)
		rc = node_ingest_page(&in, m.docs, m.n_docs, now_s(), "bundle",
		                      docs, NULL, &e);
	else
		ls_errf(&e, rc, "de databank is bezet; probeer opnieuw");
	if (rc == LS_OK)
		for (size_t i = 0; i < m.n_docs; i++) {
			if (docs[i].outcome == NODE_INGEST_STORED)
				stored++;
			else if (docs[i].outcome == NODE_INGEST_EXISTS)
				held++;
			else {
				if (bad == 0)
					ctl_error("document %zu: %s", i + 1,
					          ls_strerror_nl(docs[i].code));
				bad++;
			}
		}
	ls_free(docs);
	proto_sync_msg_fini(&m);
	ls_free(buf);
	if (rc == LS_OK && bad == 0)
		rc = store_tx_commit(f->node.store);
	else if (store_in_tx(f->node.store))
		store_tx_rollback(f->node.store);
	if (rc != LS_OK) {
		ctl_error("de bundel is niet ingelezen: %s",
		          ctl_errmsg_dev(rc, &e));
		return CTL_EXIT_FAIL;
	}
	if (bad > 0) {
		printf("niets ingelezen: %zu van de %zu documenten geweigerd\n",
		       bad, stored + held + bad);
		return CTL_EXIT_INPUT;
	}
	printf("%zu federatiedocumenten ingelezen, %zu had dit knooppunt al\n",
	       stored, held);
	if (node_trust_roster(&f->trust) != NULL)
		printf("ledenregister van kracht: plaats %llu, %zu leden\n",
		       (unsigned long long)f->trust.roster.hdr.seq,
		       node_trust_roster(&f->trust)->n_members);
	return CTL_EXIT_OK;
}

/* Open the node (for_init: before the federation key exists), run one
 * subcommand on it, close it. */
static int fed_run(const struct ctl_context *ctx, int for_init,
                   int (*run)(struct fed *f, int argc, char **argv), int argc,
                   char **argv)
{
	struct fed f;
	int rc;
	if ((rc = fed_open(&f, ctx, for_init)) != CTL_EXIT_OK)
		return rc;
	rc = run(&f, argc, argv);
	fed_close(&f);
	return rc;
}

static int fed_init(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 1, cmd_init_fed, argc, argv);
}

static int fed_policy(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_policy, argc, argv);
}

static int fed_taxonomy(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_taxonomy_fed, argc, argv);
}

static int fed_show(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_show, argc, argv);
}

static int fed_publish(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_publish, argc, argv);
}

static int fed_discard(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_discard, argc, argv);
}

static int fed_export(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_export, argc, argv);
}

static int fed_import(const struct ctl_context *ctx, int argc, char **argv)
{
	return fed_run(ctx, 0, cmd_import, argc, argv);
}

int cmd_federation(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct ctl_verb verbs[] = {
	    {"init", fed_init, NULL},       {"member", cmd_member, NULL},
	    {"policy", fed_policy, NULL},   {"taxonomy", fed_taxonomy, NULL},
	    {"show", fed_show, NULL},       {"publish", fed_publish, NULL},
	    {"discard", fed_discard, NULL}, {"export", fed_export, NULL},
	    {"import", fed_import, NULL},
	};
	return ctl_run_verb("federation", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
