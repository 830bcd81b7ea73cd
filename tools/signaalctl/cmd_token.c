/*
 * signaalctl token: new | list | revoke — the bearer tokens of the HTTP
 * API and the web pages (core/token.h, store/token.h).
 *
 * `token new` draws a token, stores only its hash, and prints the token
 * once on standard output (alone on its line, so a script can capture
 * it); the explanation goes to standard error. The token cannot be shown
 * again: a lost token is revoked and replaced.
 */
#include "common/err.h"
#include "common/text.h"
#include "core/token.h"
#include "store/store.h"
#include "store/token.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Gebruik: signaalctl token OPDRACHT ...\n"
    "\n"
    "Toegangstokens voor de webpagina's en de API van dit knooppunt.\n"
    "Rollen:\n"
    "  veldwerker   signalen registreren; ziet alleen de signalen van de\n"
    "               eigen organisatie (en persoon, als het token er een\n"
    "               noemt)\n"
    "  coordinator  alle signalen lezen, dossiers opvolgen, trends, de\n"
    "               voorvertoning van samenvattingen en de federatie zien\n"
    "  beheerder    alles, ook een signaal wissen\n"
    "\n"
    "  new --rol ROL [--organisatie NAAM] [--persoon ID] [--label TEKST]\n"
    "      [--geldig DAGEN] [--door NAAM]\n"
    "                       maak een token; het wordt één keer getoond\n"
    "  list [--alle]        toon de tokens (--alle: ook ingetrokken)\n"
    "  revoke ID            trek een token in (ID: 16 hexadecimale\n"
    "                       tekens, zie 'list')\n"
    "\n"
    "Een token voor een veldwerker hoort bij een organisatie (de naam\n"
    "zoals in de signalen); met --persoon ook bij één veldwerker (de\n"
    "melder-id). Het knooppunt bewaart alleen een hash van het token.\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 3 ongeldige invoer,\n"
    "4 token niet gevonden, 5 al ingetrokken, 1 fout.\n";

enum { O_ROLE = 500, O_ORG, O_PERSON, O_LABEL, O_DAYS, O_BY, O_ALL, O_HELP };

static int token_new(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"rol", required_argument, NULL, O_ROLE},
	    {"organisatie", required_argument, NULL, O_ORG},
	    {"persoon", required_argument, NULL, O_PERSON},
	    {"label", required_argument, NULL, O_LABEL},
	    {"geldig", required_argument, NULL, O_DAYS},
	    {"door", required_argument, NULL, O_BY},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0}};
	const char *role_text = NULL, *org = "", *person = "", *label = "",
	           *by = NULL;
	int64_t days = 0;
	struct store_token t;
	struct ctl_node node;
	struct ls_errinfo e;
	uint8_t secret[LS_TOKEN_SECRET_BYTES];
	char text[LS_TOKEN_TEXT_SIZE], idhex[LS_TOKEN_ID_HEX_SIZE], when[32];
	int c, rc, role;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_ROLE:
			role_text = optarg;
			break;
		case O_ORG:
			org = optarg;
			break;
		case O_PERSON:
			person = optarg;
			break;
		case O_LABEL:
			label = optarg;
			break;
		case O_DAYS:
			if (ls_parse_i64(optarg, 1, 3650, &days) != LS_OK)
				return ctl_usage("token new",
				                 "--geldig verwacht 1 tot 3650 "
				                 "dagen");
			break;
		case O_BY:
			by = optarg;
			break;
		case O_HELP:
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_option("token new", argv);
		}
	}
	if (optind != argc)
		return ctl_usage("token new", "onverwacht argument '%s'",
		                 argv[optind]);
	if (role_text == NULL)
		return ctl_usage("token new",
		                 "geef een rol: --rol veldwerker, coordinator "
		                 "of beheerder");
	if (ls_token_role_parse(role_text, &role) != LS_OK)
		return ctl_usage("token new",
		                 "onbekende rol '%s' (veldwerker, coordinator "
		                 "of beheerder)",
		                 role_text);
	ls_errinfo_clear(&e);
	if (ls_token_check(role, org, person, label, &e) != LS_OK) {
		ctl_error("%s", ctl_errmsg(LS_EINVAL, &e));
		return CTL_EXIT_INPUT;
	}
	if (sodium_init() < 0) {
		ctl_error("libsodium kan niet starten");
		return CTL_EXIT_FAIL;
	}
	memset(&t, 0, sizeof t);
	t.role = (uint8_t)role;
	ls_strlcpy(t.organisation, org, sizeof t.organisation);
	ls_strlcpy(t.person, person, sizeof t.person);
	ls_strlcpy(t.label, label, sizeof t.label);
	ls_strlcpy(t.created_by, ctl_actor(by), sizeof t.created_by);
	t.created_at = (int64_t)time(NULL);
	t.expires_at = days > 0 ? t.created_at + days * 86400 : 0;
	ls_token_generate(t.id, secret);
	ls_token_hash(t.id, secret, t.hash);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK) {
		sodium_memzero(secret, sizeof secret);
		return rc;
	}
	rc = store_token_add(node.store, &t, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		sodium_memzero(secret, sizeof secret);
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	ls_token_format(t.id, secret, text);
	sodium_memzero(secret, sizeof secret);
	ls_token_id_format(t.id, idhex);
	fprintf(stderr,
	        "Nieuw token %s (%s%s%s%s%s). Het wordt maar één keer "
	        "getoond:\nbewaar het veilig en geef het alleen aan wie het "
	        "hoort te gebruiken.\n",
	        idhex, ls_token_role_name(role), org[0] ? ", " : "", org,
	        person[0] ? ", " : "", person);
	if (t.expires_at > 0)
		fprintf(stderr, "Geldig tot %s UTC.\n",
		        ctl_time(t.expires_at, when, sizeof when));
	fprintf(stderr, "Op een telefoon of tablet: open eenmaal "
	                "https://<uw-knooppunt>/invoer#token=<token>\n");
	printf("%s\n", text);
	fflush(stdout);
	sodium_memzero(text, sizeof text);
	return CTL_EXIT_OK;
}

struct list_state {
	int64_t now;
	unsigned n;
};

static int list_cb(void *ctx, const struct store_token *t)
{
	struct list_state *ls = ctx;
	char idhex[LS_TOKEN_ID_HEX_SIZE], made[32], until[32];
	const char *state = "actief";
	ls_token_id_format(t->id, idhex);
	if (t->revoked_at > 0)
		state = "ingetrokken";
	else if (t->expires_at > 0 && t->expires_at <= ls->now)
		state = "verlopen";
	if (ls->n == 0)
		printf("%-16s  %-11s  %-11s  %-24s  %-12s  %-16s  %-16s  %s\n",
		       "ID", "ROL", "STATUS", "ORGANISATIE", "PERSOON",
		       "AANGEMAAKT", "GELDIG TOT", "LABEL");
	printf("%-16s  %-11s  %-11s  %-24s  %-12s  %-16s  %-16s  %s\n", idhex,
	       ls_token_role_name(t->role), state,
	       t->organisation[0] ? t->organisation : "-",
	       t->person[0] ? t->person : "-",
	       ctl_time(t->created_at, made, sizeof made),
	       t->expires_at > 0 ? ctl_time(t->expires_at, until, sizeof until)
	                         : "-",
	       t->label[0] ? t->label : "-");
	ls->n++;
	return 0;
}

static int token_list(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"alle", no_argument, NULL, O_ALL},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0}};
	struct list_state ls = {.now = (int64_t)time(NULL)};
	struct ctl_node node;
	int all = 0, c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == O_ALL) {
			all = 1;
			continue;
		}
		if (c == O_HELP || c == 'h') {
			fputs(help, stdout);
			return CTL_EXIT_OK;
		}
		return ctl_usage_option("token list", argv);
	}
	if (optind != argc)
		return ctl_usage("token list", "onverwacht argument '%s'",
		                 argv[optind]);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = store_token_list(node.store, all, list_cb, &ls);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("kan de tokens niet lezen: %s", ls_strerror_nl(rc));
		return ctl_exit_for(rc);
	}
	printf("%u %s\n", ls.n, ls.n == 1 ? "token" : "tokens");
	return CTL_EXIT_OK;
}

static int token_revoke(const struct ctl_context *ctx, int argc, char **argv)
{
	uint8_t id[LS_TOKEN_ID_BYTES];
	struct ctl_node node;
	struct ls_errinfo e;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2)
		return ctl_usage("token revoke", "geef precies één token-id");
	if (ls_token_id_parse(argv[1], id) != LS_OK)
		return ctl_usage("token revoke",
		                 "ongeldige token-id '%.40s' (16 hexadecimale "
		                 "tekens, zie 'signaalctl token list')",
		                 argv[1]);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_token_revoke(node.store, id, (int64_t)time(NULL), &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	printf("token %s is ingetrokken\n", argv[1]);
	return CTL_EXIT_OK;
}

static const struct ctl_verb verbs[] = {
    {"new", token_new, NULL},
    {"list", token_list, NULL},
    {"revoke", token_revoke, NULL},
};

int cmd_token(const struct ctl_context *ctx, int argc, char **argv)
{
	return ctl_run_verb("token", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
