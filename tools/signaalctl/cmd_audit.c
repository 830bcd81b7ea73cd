/*
 * signaalctl audit: show | verify — the hash-chained log of everything
 * that left this node (store/audit.h), for the data protection officer.
 *
 * show prints every entry readably, or as JSON (--format json) with every
 * field the chain covers, so that the log can be archived and checked
 * with other tools (docs/DISCLOSURE.md has the chain rule). verify
 * recomputes the chain, checks it against the node's own feed and an
 * optional anchor, and exits 1 with the first entry at fault when
 * anything was changed, deleted, inserted or reordered.
 */
#include "common/err.h"
#include "common/text.h"
#include "core/period.h"
#include "core/policy.h"
#include "node/release.h"
#include "store/audit.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl audit OPDRACHT ...\n"
    "\n"
    "Het auditlog houdt bij wat dit knooppunt vrijgaf: elke samenvatting\n"
    "en correctie (wanneer, door wie, met welke parameters, hoeveel cellen\n"
    "onderdrukt of met ruis, wat het aan privacybudget kostte) en naar\n"
    "welke knooppunten ze verstuurd werd. Elke regel bevat de hash van de\n"
    "vorige: wie een regel wijzigt, wist, invoegt of verplaatst, breekt de\n"
    "keten.\n"
    "\n"
    "  show [--format tekst|json] [--vanaf N]\n"
    "        toon het log (vanaf regel N)\n"
    "  verify [--anker N:HASH]\n"
    "        herbereken de keten en vergelijk met de eigen feed; met\n"
    "        --anker ook dat regel N nog de hash heeft die u eerder\n"
    "        noteerde (zo valt ook een volledig herschreven of ingekort\n"
    "        log op)\n"
    "\n"
    "Afsluitcodes: 0 gelukt (verify: het log is in orde), 1 het log is\n"
    "NIET in orde of een fout, 2 verkeerd gebruik, 4 geen knooppunt.\n";

enum { O_FORMAT = 600, O_FROM, O_ANCHOR, O_HELP };

static const struct option opts[] = {
    {"format", required_argument, NULL, O_FORMAT},
    {"formaat", required_argument, NULL, O_FORMAT},
    {"vanaf", required_argument, NULL, O_FROM},
    {"anker", required_argument, NULL, O_ANCHOR},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0}};

static const char *period_of(const struct store_audit_entry *x,
                             char buf[LS_PERIOD_SIZE])
{
	if (x->period.year == 0)
		return "";
	ls_period_format(&x->period, buf);
	return buf;
}

/* ---- show ------------------------------------------------------------- */

static int show_text_cb(void *arg, const struct store_audit_entry *x)
{
	char when[40], hash[2 * LS_HASH_BYTES + 1], doc[2 * LS_HASH_BYTES + 1],
	    p[LS_PERIOD_SIZE], cost[LS_MILLI_TEXT_SIZE],
	    spent[LS_MILLI_TEXT_SIZE], budget[LS_MILLI_TEXT_SIZE];
	(void)arg;
	ls_hex_encode(x->hash, LS_HASH_BYTES, hash);
	ls_hex_encode(x->doc_hash, LS_HASH_BYTES, doc);
	printf("regel %llu  %s UTC  %s  door %s\n", (unsigned long long)x->id,
	       ctl_time(x->at, when, sizeof when),
	       store_audit_kind_name(x->kind), x->actor);
	if (x->kind == STORE_AUDIT_SENT) {
		printf("  document %s %llu (%.16s...) verzonden naar %s\n",
		       x->origin, (unsigned long long)x->seq, doc, x->peer);
	} else {
		printf("  document %s %llu (%.16s...), periode %s\n", x->origin,
		       (unsigned long long)x->seq, doc, period_of(x, p));
		if (x->kind == STORE_AUDIT_CORRECTION)
			printf("  vervangt document %llu, reden %s: %s\n",
			       (unsigned long long)x->supersedes, x->reason,
			       x->note);
		if (x->params.mode == LS_MODE_NOISE) {
			ls_policy_format_milli(x->params.epsilon_milli, cost);
			printf("  ruismodus, epsilon %s, achtergehouden onder "
			       "%u",
			       cost, (unsigned)x->params.withhold_below);
		} else
			printf("  drempelmodus, k = %u", (unsigned)x->params.k);
		printf(", personen per signaal hoogstens %u\n",
		       (unsigned)x->params.persons_cap);
		printf("  cellen: %u exact, %u klein (bereik), %u nul "
		       "verborgen, %u aanvullend onderdrukt, %u met ruis, %u "
		       "achtergehouden\n",
		       x->cells[STORE_CELLS_RELEASED],
		       x->cells[STORE_CELLS_PRIMARY],
		       x->cells[STORE_CELLS_ZERO_HIDDEN],
		       x->cells[STORE_CELLS_COMPLEMENTARY],
		       x->cells[STORE_CELLS_NOISY],
		       x->cells[STORE_CELLS_WITHHELD]);
		if (x->params.mode == LS_MODE_NOISE) {
			char sid[2 * STORE_AUDIT_SECRET_ID_BYTES + 1] = "-";
			ls_policy_format_milli(x->cost_milli, cost);
			ls_policy_format_milli(x->spent_milli, spent);
			ls_policy_format_milli(x->budget_milli, budget);
			if (x->has_secret_id)
				ls_hex_encode(x->secret_id,
				              STORE_AUDIT_SECRET_ID_BYTES, sid);
			printf("  privacybudget %d: kost %s, nu %s van %s "
			       "besteed; ruissleutel %s\n",
			       (int)x->period.year, cost, spent, budget, sid);
		}
	}
	printf("  hash %s\n\n", hash);
	return 0;
}

static int show_json_cb(void *arg, const struct store_audit_entry *x)
{
	json_t *list = arg, *o = json_object(), *cells = json_object();
	char hash[2 * LS_HASH_BYTES + 1], iso[40], p[LS_PERIOD_SIZE];
	static const char *const cell_names[STORE_CELLS_COUNT_] = {
	    "exact",      "klein", "nul_verborgen",
	    "aanvullend", "ruis",  "achtergehouden"};

	if (o == NULL || cells == NULL) {
		json_decref(o);
		json_decref(cells);
		return LS_ENOMEM;
	}
	json_object_set_new(o, "regel", json_integer((json_int_t)x->id));
	json_object_set_new(o, "tijd", json_integer(x->at));
	ctl_time(x->at, iso, sizeof iso);
	json_object_set_new(o, "tijd_utc", json_string(iso));
	json_object_set_new(o, "soort",
	                    json_string(store_audit_kind_name(x->kind)));
	json_object_set_new(o, "soort_code", json_integer(x->kind));
	json_object_set_new(o, "door", json_string(x->actor));
	json_object_set_new(o, "herkomst", json_string(x->origin));
	json_object_set_new(o, "document", json_integer((json_int_t)x->seq));
	ls_hex_encode(x->doc_hash, LS_HASH_BYTES, hash);
	json_object_set_new(o, "document_hash", json_string(hash));
	json_object_set_new(o, "periode", json_string(period_of(x, p)));
	json_object_set_new(o, "modus", json_integer(x->params.mode));
	json_object_set_new(o, "k", json_integer(x->params.k));
	json_object_set_new(o, "epsilon_milli",
	                    json_integer(x->params.epsilon_milli));
	json_object_set_new(o, "withhold_below",
	                    json_integer(x->params.withhold_below));
	json_object_set_new(o, "persons_cap",
	                    json_integer(x->params.persons_cap));
	json_object_set_new(o, "vervangt",
	                    json_integer((json_int_t)x->supersedes));
	json_object_set_new(o, "reden", json_string(x->reason));
	json_object_set_new(o, "kost_milli",
	                    json_integer((json_int_t)x->cost_milli));
	json_object_set_new(o, "besteed_milli",
	                    json_integer((json_int_t)x->spent_milli));
	json_object_set_new(o, "budget_milli",
	                    json_integer((json_int_t)x->budget_milli));
	for (int i = 0; i < STORE_CELLS_COUNT_; i++)
		json_object_set_new(cells, cell_names[i],
		                    json_integer(x->cells[i]));
	json_object_set_new(o, "cellen", cells);
	if (x->has_secret_id) {
		char sid[2 * STORE_AUDIT_SECRET_ID_BYTES + 1];
		ls_hex_encode(x->secret_id, STORE_AUDIT_SECRET_ID_BYTES, sid);
		json_object_set_new(o, "ruissleutel", json_string(sid));
	} else {
		json_object_set_new(o, "ruissleutel", json_null());
	}
	json_object_set_new(o, "toelichting", json_string(x->note));
	json_object_set_new(o, "bestemming", json_string(x->peer));
	ls_hex_encode(x->prev, LS_HASH_BYTES, hash);
	json_object_set_new(o, "vorige_hash", json_string(hash));
	ls_hex_encode(x->hash, LS_HASH_BYTES, hash);
	json_object_set_new(o, "hash", json_string(hash));
	return json_array_append_new(list, o) == 0 ? 0 : LS_ENOMEM;
}

static int audit_show(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	const char *format = "tekst";
	int64_t from = 1;
	json_t *list = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_FORMAT:
			format = optarg;
			break;
		case O_FROM:
			if (ls_parse_i64(optarg, 1, INT64_MAX, &from) != LS_OK)
				return ctl_usage("audit",
				                 "ongeldig regelnummer '%.30s'",
				                 optarg);
			break;
		case O_HELP:
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage("audit",
			                 "onbekende optie voor 'show'");
		}
	}
	if (strcmp(format, "tekst") != 0 && strcmp(format, "text") != 0 &&
	    strcmp(format, "json") != 0)
		return ctl_usage("audit",
		                 "onbekend formaat '%.20s' (tekst of "
		                 "json)",
		                 format);
	if (optind != argc)
		return ctl_usage("audit", "'show' heeft geen argumenten");
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	if (strcmp(format, "json") == 0) {
		list = json_array();
		rc = list == NULL ? LS_ENOMEM
		                  : store_audit_list(node.store, (uint64_t)from,
		                                     show_json_cb, list);
		if (rc == LS_OK) {
			if (json_dumpf(list, stdout,
			               JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0)
				rc = LS_EIO;
			fputc('\n', stdout);
		}
		json_decref(list);
	} else {
		rc = store_audit_list(node.store, (uint64_t)from, show_text_cb,
		                      NULL);
	}
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("kan het auditlog niet lezen: %s",
		          ls_strerror_nl(rc));
		return ctl_exit_for(rc);
	}
	return CTL_EXIT_OK;
}

/* ---- verify ----------------------------------------------------------- */

static int audit_verify(const struct ctl_context *ctx, int argc, char **argv)
{
	struct store_audit_verdict v;
	struct ctl_node node;
	uint8_t anchor_hash[LS_HASH_BYTES];
	int64_t anchor_id = 0;
	char hash[2 * LS_HASH_BYTES + 1];
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_ANCHOR: {
			const char *colon = strchr(optarg, ':');
			if (colon == NULL ||
			    ls_parse_i64_n(optarg, (size_t)(colon - optarg), 1,
			                   INT64_MAX, &anchor_id) != LS_OK ||
			    ls_hex_decode(colon + 1, anchor_hash,
			                  LS_HASH_BYTES) != LS_OK)
				return ctl_usage(
				    "audit",
				    "ongeldig anker '%.80s' (verwacht "
				    "REGEL:HASH, 64 hexadecimale "
				    "tekens)",
				    optarg);
			break;
		}
		case O_HELP:
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage("audit",
			                 "onbekende optie voor 'verify'");
		}
	}
	if (optind != argc)
		return ctl_usage("audit", "'verify' heeft geen argumenten");
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = node_audit_verify(node.store, node.config.node_id,
	                       (uint64_t)anchor_id,
	                       anchor_id ? anchor_hash : NULL, &v);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("kan het auditlog niet controleren: %s",
		          ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	if (!v.ok) {
		printf("auditlog NIET in orde (%llu regels gelezen)\n",
		       (unsigned long long)v.entries);
		if (v.bad_id)
			printf("eerste fout bij regel %llu: %s\n",
			       (unsigned long long)v.bad_id, v.what);
		else
			printf("fout: %s\n", v.what);
		return CTL_EXIT_FAIL;
	}
	ls_hex_encode(v.head_hash, LS_HASH_BYTES, hash);
	if (v.entries == 0) {
		printf("auditlog in orde: nog leeg\n");
		return CTL_EXIT_OK;
	}
	printf("auditlog in orde: %llu regels, de keten klopt en elke "
	       "vrijgegeven samenvatting staat erin%s\n",
	       (unsigned long long)v.entries,
	       anchor_id ? ", het anker ook" : "");
	printf("laatste regel %llu, hash %s\n", (unsigned long long)v.head_id,
	       hash);
	printf("bewaar als anker (buiten dit knooppunt): signaalctl audit "
	       "verify --anker %llu:%s\n",
	       (unsigned long long)v.head_id, hash);
	return CTL_EXIT_OK;
}

static const struct ctl_verb verbs[] = {
    {"show", audit_show, NULL},
    {"verify", audit_verify, NULL},
};

int cmd_audit(const struct ctl_context *ctx, int argc, char **argv)
{
	return ctl_run_verb("audit", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
