/*
 * signaalctl dossier: new | link | advance | criteria | act | feedback |
 * show | list | share — the follow-up of structural signals
 * (store/dossier.h); share publishes a recognised one as a dossier note
 * (node/dossier_share.h).
 * Every change records who made it (--door, else $SIGNAAL_USER or $USER)
 * in the dossier's append-only history.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"
#include "core/dossier.h"
#include "core/signal.h"
#include "node/dossier_share.h"
#include "proto/key.h"
#include "store/dossier.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Gebruik: signaalctl dossier OPDRACHT ...\n"
    "\n"
    "Opvolging van structurele signalen, zoals de werkgroep signalen het\n"
    "doet. Een dossier doorloopt de fasen\n"
    "  opmerken -> verzamelen -> bundelen -> analyseren -> rapporteren ->\n"
    "  beslissing -> actie -> feedback\n"
    "Toegelaten overgangen: vooruit naar de volgende fase; terug van\n"
    "verzamelen naar opmerken, van bundelen of analyseren naar\n"
    "verzamelen; van beslissing meteen naar feedback (geen actie); van\n"
    "feedback terug naar verzamelen (het probleem blijft). Naar\n"
    "rapporteren pas als de vier criteria voldaan zijn: duidelijk,\n"
    "neutraal, herkend en gedeeld.\n"
    "\n"
    "  new --titel T --trekker NAAM --thema CODE[|CODE] [--probleemtype C]\n"
    "  link NR SIGNAAL-ID...          signalen koppelen\n"
    "  advance NR FASE [--notitie T]  naar een andere fase\n"
    "  criteria NR [--voldaan LIJST] [--niet-voldaan LIJST] [--notitie T]\n"
    "                                 LIJST: duidelijk,neutraal,herkend,\n"
    "                                 gedeeld of alle\n"
    "  act NR --wat T --wie NAAM [--tegen DATUM] [--resultaat T]\n"
    "  act NR --actie N --resultaat T resultaat van een actie\n"
    "  feedback NR --tekst T [--organisatie NAAM]\n"
    "                                 zonder --organisatie: aan elke\n"
    "                                 organisatie die een gekoppeld\n"
    "                                 signaal meldde\n"
    "  show NR                        alles over een dossier, met\n"
    "                                 geschiedenis\n"
    "  list [--fase FASE]             alle dossiers\n"
    "  share NR [--thema CODE] [--kop TEKST] [--proef]\n"
    "                                 een erkend structureel signaal\n"
    "                                 delen met de federatie: thema, fase,\n"
    "                                 soort probleem en een kop over de\n"
    "                                 actie (standaard de laatste actie);\n"
    "                                 pas vanaf fase rapporteren; de kop\n"
    "                                 mag geen cijfers of '@' bevatten;\n"
    "                                 --proef toont wat gedeeld zou worden\n"
    "\n"
    "Elke wijziging komt in de geschiedenis, met wie ze deed: --door NAAM\n"
    "(anders $SIGNAAL_USER of $USER).\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 3 ongeldige invoer,\n"
    "4 dossier, signaal of organisatie niet gevonden, 5 overgang of\n"
    "wijziging nu niet toegelaten (of delen: nog niet erkend), 1 fout.\n";

enum {
	O_TITLE = 400,
	O_OWNER,
	O_THEME,
	O_PROBLEM,
	O_NOTE,
	O_MET,
	O_UNMET,
	O_WHAT,
	O_WHO,
	O_DUE,
	O_RESULT,
	O_ACTION,
	O_TEXT,
	O_ORG,
	O_PHASE,
	O_BY,
	O_HEADLINE,
	O_DRYRUN,
	O_HELP
};

static const struct option all_opts[] = {
    {"titel", required_argument, NULL, O_TITLE},
    {"trekker", required_argument, NULL, O_OWNER},
    {"thema", required_argument, NULL, O_THEME},
    {"probleemtype", required_argument, NULL, O_PROBLEM},
    {"notitie", required_argument, NULL, O_NOTE},
    {"voldaan", required_argument, NULL, O_MET},
    {"niet-voldaan", required_argument, NULL, O_UNMET},
    {"wat", required_argument, NULL, O_WHAT},
    {"wie", required_argument, NULL, O_WHO},
    {"tegen", required_argument, NULL, O_DUE},
    {"resultaat", required_argument, NULL, O_RESULT},
    {"actie", required_argument, NULL, O_ACTION},
    {"tekst", required_argument, NULL, O_TEXT},
    {"organisatie", required_argument, NULL, O_ORG},
    {"fase", required_argument, NULL, O_PHASE},
    {"door", required_argument, NULL, O_BY},
    {"kop", required_argument, NULL, O_HEADLINE},
    {"proef", no_argument, NULL, O_DRYRUN},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0}};

/* Options of one invocation; which are allowed is checked per verb. */
struct args {
	const char *v[O_HELP - O_TITLE + 1];
	int n_pos;
	char **pos;
};

#define ARG(a, o) ((a)->v[(o)-O_TITLE])

static int parse_args(const char *verb, const char *allowed, int argc,
                      char **argv, struct args *a)
{
	char cmd[32];
	int c;
	snprintf(cmd, sizeof cmd, "dossier %s", verb);
	memset(a, 0, sizeof *a);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", all_opts, NULL)) != -1) {
		if (c == O_HELP || c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (c < O_TITLE || c > O_HELP)
			return ctl_usage_option(cmd, argv);
		if (c != O_BY &&
		    strchr(allowed, (char)('a' + (c - O_TITLE))) == NULL) {
			for (const struct option *o = all_opts; o->name; o++)
				if (o->val == c)
					return ctl_usage(
					    cmd, "--%s hoort niet bij '%s'",
					    o->name, verb);
		}
		ARG(a, c) = optarg != NULL ? optarg : "1";
	}
	a->n_pos = argc - optind;
	a->pos = argv + optind;
	return CTL_EXIT_OK;
}

/* Allowed-option strings: one letter per option, 'a' + (O_x - O_TITLE). */
#define L(o) (char)('a' + ((o)-O_TITLE))

static int parse_number(const char *cmd, const char *text, int64_t *out)
{
	if (ls_parse_i64(text, 1, INT64_MAX, out) != LS_OK)
		return ctl_usage(cmd, "ongeldig nummer '%.40s'", text);
	return CTL_EXIT_OK;
}

static int finish(struct ctl_node *node, int rc, const struct ls_errinfo *e)
{
	ctl_node_close(node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, e));
		return ctl_exit_for(rc);
	}
	return CTL_EXIT_OK;
}

static int dossier_new(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {L(O_TITLE), L(O_OWNER), L(O_THEME),
	                        L(O_PROBLEM), 0};
	char themes_buf[256], *themes[STORE_DOSSIER_MAX_THEMES + 1];
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	size_t n = 0;
	int64_t id;
	int rc;

	if ((rc = parse_args("new", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 0 || !ARG(&a, O_TITLE) || !ARG(&a, O_OWNER) ||
	    !ARG(&a, O_THEME))
		return ctl_usage("dossier new",
		                 "geef --titel, --trekker en --thema");
	snprintf(themes_buf, sizeof themes_buf, "%s", ARG(&a, O_THEME));
	for (char *p = strtok(themes_buf, "|"); p != NULL;
	     p = strtok(NULL, "|")) {
		if (n == STORE_DOSSIER_MAX_THEMES + 1)
			break;
		themes[n++] = p;
	}
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_new(node.store, ARG(&a, O_TITLE), ARG(&a, O_OWNER),
	                       (const char *const *)themes, n,
	                       ARG(&a, O_PROBLEM), ctl_actor(ARG(&a, O_BY)),
	                       &id, &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("dossier %lld gemaakt (fase opmerken)\n", (long long)id);
	return rc;
}

static int dossier_link(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {0};
	uint8_t(*ids)[LS_SIGNAL_ID_BYTES];
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	size_t linked = 0;
	int64_t id;
	int rc;

	if ((rc = parse_args("link", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos < 2)
		return ctl_usage("dossier link",
		                 "geef een dossiernummer en signaal-ids");
	if ((rc = parse_number("dossier link", a.pos[0], &id)) != CTL_EXIT_OK)
		return rc;
	ids = ls_calloc((size_t)a.n_pos - 1, sizeof *ids);
	if (ids == NULL)
		return CTL_EXIT_FAIL;
	for (int i = 1; i < a.n_pos; i++) {
		if (ls_signal_id_parse(a.pos[i], ids[i - 1]) != LS_OK) {
			ls_free(ids);
			return ctl_usage("dossier link",
			                 "ongeldige signaal-id '%.40s'",
			                 a.pos[i]);
		}
	}
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK) {
		ls_free(ids);
		return rc;
	}
	ls_errinfo_clear(&e);
	rc = store_dossier_link(
	    node.store, id, (const uint8_t(*)[LS_SIGNAL_ID_BYTES])ids,
	    (size_t)a.n_pos - 1, ctl_actor(ARG(&a, O_BY)), &linked, &e);
	ls_free(ids);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("%zu signaal/signalen gekoppeld aan dossier %lld\n",
		       linked, (long long)id);
	return rc;
}

static int dossier_advance(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {L(O_NOTE), 0};
	struct ctl_node node;
	struct ls_errinfo e;
	enum ls_phase to;
	struct args a;
	int64_t id;
	int rc;

	if ((rc = parse_args("advance", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 2)
		return ctl_usage("dossier advance", "geef NR en FASE");
	if ((rc = parse_number("dossier advance", a.pos[0], &id)) !=
	    CTL_EXIT_OK)
		return rc;
	if (ls_phase_parse(a.pos[1], &to) != LS_OK)
		return ctl_usage("dossier advance",
		                 "onbekende fase '%.40s' (opmerken, "
		                 "verzamelen, bundelen, analyseren, "
		                 "rapporteren, beslissing, actie, feedback)",
		                 a.pos[1]);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_advance(node.store, id, to, ctl_actor(ARG(&a, O_BY)),
	                           ARG(&a, O_NOTE), &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("dossier %lld is nu in fase %s\n", (long long)id,
		       ls_phase_name(to));
	return rc;
}

static int dossier_criteria(const struct ctl_context *ctx, int argc,
                            char **argv)
{
	const char allowed[] = {L(O_MET), L(O_UNMET), L(O_NOTE), 0};
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	unsigned set = 0, clear = 0;
	int64_t id;
	int rc;

	if ((rc = parse_args("criteria", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1 || (!ARG(&a, O_MET) && !ARG(&a, O_UNMET)))
		return ctl_usage("dossier criteria",
		                 "geef NR en --voldaan en/of --niet-voldaan");
	if ((rc = parse_number("dossier criteria", a.pos[0], &id)) !=
	    CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	if ((ARG(&a, O_MET) &&
	     ls_criteria_parse(ARG(&a, O_MET), &set, &e) != LS_OK) ||
	    (ARG(&a, O_UNMET) &&
	     ls_criteria_parse(ARG(&a, O_UNMET), &clear, &e) != LS_OK))
		return ctl_usage("dossier criteria", "%s", e.msg);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = store_dossier_criteria(node.store, id, set, clear,
	                            ctl_actor(ARG(&a, O_BY)), ARG(&a, O_NOTE),
	                            &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("criteria van dossier %lld bijgewerkt\n", (long long)id);
	return rc;
}

static int dossier_act(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {L(O_WHAT),   L(O_WHO),    L(O_DUE),
	                        L(O_RESULT), L(O_ACTION), 0};
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	int64_t id, action = 0;
	int rc;

	if ((rc = parse_args("act", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1)
		return ctl_usage("dossier act", "geef precies één NR");
	if ((rc = parse_number("dossier act", a.pos[0], &id)) != CTL_EXIT_OK)
		return rc;
	if (ARG(&a, O_ACTION)) {
		if (!ARG(&a, O_RESULT) || ARG(&a, O_WHAT) || ARG(&a, O_WHO) ||
		    ARG(&a, O_DUE))
			return ctl_usage("dossier act",
			                 "met --actie hoort enkel --resultaat");
		if ((rc = parse_number("dossier act", ARG(&a, O_ACTION),
		                       &action)) != CTL_EXIT_OK)
			return rc;
	} else if (!ARG(&a, O_WHAT) || !ARG(&a, O_WHO)) {
		return ctl_usage("dossier act", "geef --wat en --wie");
	}
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	if (action != 0)
		rc = store_dossier_action_result(node.store, id, action,
		                                 ARG(&a, O_RESULT),
		                                 ctl_actor(ARG(&a, O_BY)), &e);
	else
		rc = store_dossier_act(node.store, id, ARG(&a, O_WHAT),
		                       ARG(&a, O_WHO), ARG(&a, O_DUE),
		                       ARG(&a, O_RESULT),
		                       ctl_actor(ARG(&a, O_BY)), &action, &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("actie %lld van dossier %lld bewaard\n",
		       (long long)action, (long long)id);
	return rc;
}

static int dossier_feedback(const struct ctl_context *ctx, int argc,
                            char **argv)
{
	const char allowed[] = {L(O_TEXT), L(O_ORG), 0};
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	size_t n = 0;
	int64_t id;
	int rc;

	if ((rc = parse_args("feedback", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1 || !ARG(&a, O_TEXT))
		return ctl_usage("dossier feedback", "geef NR en --tekst");
	if ((rc = parse_number("dossier feedback", a.pos[0], &id)) !=
	    CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_feedback(node.store, id, ARG(&a, O_ORG),
	                            ARG(&a, O_TEXT), ctl_actor(ARG(&a, O_BY)),
	                            &n, &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("feedback aan %zu organisatie(s) bewaard\n", n);
	return rc;
}

/* --- show and list --------------------------------------------------- */

static void themes_text(const struct store_dossier *d, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < d->n_themes && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
		                         i ? "|" : "", d->themes[i]->code);
}

static int show_dossier_cb(void *ctx, const struct store_dossier *d)
{
	char th[200], crit[64], t1[32], t2[32];
	(void)ctx;
	themes_text(d, th, sizeof th);
	ls_criteria_format(d->criteria, crit, sizeof crit);
	printf("dossier      %lld\n", (long long)d->id);
	printf("titel        %s\n", d->title);
	printf("trekker      %s\n", d->owner);
	printf("fase         %s\n", ls_phase_name((enum ls_phase)d->phase));
	printf("thema        %s\n", th);
	printf("probleemtype %s\n", d->problem ? d->problem->code : "-");
	printf("criteria     %s\n", crit);
	printf("gemaakt      %s UTC, laatst gewijzigd %s UTC\n",
	       ctl_time(d->created_at, t1, sizeof t1),
	       ctl_time(d->updated_at, t2, sizeof t2));
	printf("\nGekoppelde signalen (%llu):\n",
	       (unsigned long long)d->n_signals);
	return 0;
}

static int show_signal_cb(void *ctx, const uint8_t id[LS_SIGNAL_ID_BYTES],
                          const struct ls_date *reg,
                          const struct ls_taxonomy_entry *theme)
{
	char hex[LS_SIGNAL_ID_HEX_SIZE], date[LS_DATE_SIZE];
	(void)ctx;
	ls_signal_id_format(id, hex);
	ls_date_format(reg, date);
	printf("  %s  %s  %s\n", hex, date, theme ? theme->code : "-");
	return 0;
}

static int show_event_cb(void *ctx, const struct store_dossier_event *ev)
{
	int *first = ctx;
	char when[32];
	if (*first) {
		printf("\nGeschiedenis:\n");
		*first = 0;
	}
	printf("  %s  %-9s", ctl_time(ev->at, when, sizeof when), ev->kind);
	if (strcmp(ev->kind, "fase") == 0)
		printf(" %s -> %s",
		       ls_phase_name((enum ls_phase)ev->from_phase),
		       ls_phase_name((enum ls_phase)ev->to_phase));
	if (strcmp(ev->kind, "criteria") == 0 && ev->criteria >= 0) {
		char crit[64];
		ls_criteria_format((unsigned)ev->criteria, crit, sizeof crit);
		printf(" voldaan: %s", crit);
	}
	if (ev->note)
		printf(" — %s", ev->note);
	if (ev->actor)
		printf(" (%s)", ev->actor);
	printf("\n");
	return 0;
}

struct show_state {
	int first_event, first_action, first_feedback;
};

static int show_action_cb(void *ctx, const struct store_dossier_action *a)
{
	struct show_state *st = ctx;
	if (st->first_action) {
		printf("\nActies:\n");
		st->first_action = 0;
	}
	printf("  %lld. %s — %s%s%s\n     resultaat: %s\n", (long long)a->id,
	       a->what, a->who, a->due ? ", tegen " : "", a->due ? a->due : "",
	       a->result ? a->result : "(nog open)");
	return 0;
}

static int show_feedback_cb(void *ctx, const struct store_dossier_feedback *f)
{
	struct show_state *st = ctx;
	char when[32];
	if (st->first_feedback) {
		printf("\nFeedback:\n");
		st->first_feedback = 0;
	}
	printf("  %s  aan %s: %s\n", ctl_time(f->at, when, sizeof when),
	       f->organisation, f->text);
	return 0;
}

static int event_adapter(void *ctx, const struct store_dossier_event *ev)
{
	struct show_state *st = ctx;
	return show_event_cb(&st->first_event, ev);
}

static int dossier_show(const struct ctl_context *ctx, int argc, char **argv)
{
	struct show_state st = {1, 1, 1};
	struct store_dossier_visitor v = {
	    .ctx = &st,
	    .dossier = show_dossier_cb,
	    .signal = show_signal_cb,
	    .event = event_adapter,
	    .action = show_action_cb,
	    .feedback = show_feedback_cb,
	};
	struct ctl_node node;
	struct ls_errinfo e;
	int64_t id;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2)
		return ctl_usage("dossier show", "geef precies één NR");
	if ((rc = parse_number("dossier show", argv[1], &id)) != CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_show(node.store, id, &v, &e);
	return finish(&node, rc, &e);
}

static int list_cb(void *ctx, const struct store_dossier *d)
{
	unsigned long long *n = ctx;
	char th[200];
	themes_text(d, th, sizeof th);
	if (*n == 0)
		printf("%5s  %-11s  %-20s  %8s  %-20s  %s\n", "NR", "FASE",
		       "THEMA", "SIGNALEN", "TREKKER", "TITEL");
	printf("%5lld  %-11s  %-20s  %8llu  %-20.20s  %s\n", (long long)d->id,
	       ls_phase_name((enum ls_phase)d->phase), th,
	       (unsigned long long)d->n_signals, d->owner, d->title);
	(*n)++;
	return 0;
}

static int dossier_list(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {L(O_PHASE), 0};
	unsigned long long n = 0;
	struct ctl_node node;
	struct ls_errinfo e;
	enum ls_phase phase;
	struct args a;
	int rc, only = -1;

	if ((rc = parse_args("list", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 0)
		return ctl_usage("dossier list", "onverwacht argument");
	if (ARG(&a, O_PHASE)) {
		if (ls_phase_parse(ARG(&a, O_PHASE), &phase) != LS_OK)
			return ctl_usage("dossier list", "onbekende fase '%s'",
			                 ARG(&a, O_PHASE));
		only = (int)phase;
	}
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_dossier_list(node.store, only, list_cb, &n, &e);
	if ((rc = finish(&node, rc, &e)) == CTL_EXIT_OK)
		printf("%llu %s\n", n, n == 1 ? "dossier" : "dossiers");
	return rc;
}

/* --- share ------------------------------------------------------------ */

static int dossier_share(const struct ctl_context *ctx, int argc, char **argv)
{
	const char allowed[] = {L(O_THEME), L(O_HEADLINE), L(O_DRYRUN), 0};
	struct node_share_request req;
	struct node_share_result res;
	struct ls_keypair *kp = NULL;
	struct ctl_node node;
	struct ls_errinfo e;
	struct args a;
	char keyfile[4096], hex[LS_HASH_BYTES * 2 + 1];
	int rc;

	if ((rc = parse_args("share", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1)
		return ctl_usage("dossier share",
		                 "geef precies \xc3\xa9\xc3\xa9n NR");
	memset(&req, 0, sizeof req);
	if ((rc = parse_number("dossier share", a.pos[0], &req.dossier)) !=
	    CTL_EXIT_OK)
		return rc;
	req.theme = ARG(&a, O_THEME);
	req.headline = ARG(&a, O_HEADLINE);
	req.dry_run = ARG(&a, O_DRYRUN) != NULL;
	ls_errinfo_clear(&e);
	if (req.headline != NULL &&
	    node_headline_check(req.headline, &e) != LS_OK) {
		ctl_error("%s; er is niets gedeeld", ctl_errmsg(LS_EINVAL, &e));
		return CTL_EXIT_INPUT;
	}
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	if (!req.dry_run) {
		if (ctl_node_path(ctx, "keys/node.key", keyfile,
		                  sizeof keyfile) == NULL) {
			ctl_node_close(&node);
			ctl_error("pad naar de sleutel is te lang");
			return CTL_EXIT_FAIL;
		}
		rc = proto_keypair_load(keyfile, &kp, &e);
		if (rc != LS_OK) {
			ctl_node_close(&node);
			ctl_error("de sleutel van de knoop (%s) is niet "
			          "bruikbaar: %s",
			          keyfile, ctl_errmsg_dev(rc, &e));
			return CTL_EXIT_FAIL;
		}
	}
	rc = node_dossier_share(node.store, kp, node.config.node_id, &req,
	                        (int64_t)time(NULL), &res, &e);
	proto_keypair_free(kp);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s; er is niets gedeeld", ctl_errmsg(LS_EINVAL, &e));
		return ctl_exit_for(rc);
	}
	if (res.unchanged) {
		printf("niets nieuws: de laatste gedeelde notitie over dossier "
		       "%lld zegt al hetzelfde\n",
		       (long long)req.dossier);
		return CTL_EXIT_OK;
	}
	printf("%s notitie over dossier %lld:\n",
	       req.dry_run ? "Proef, niet "
	                     "gedeeld:"
	                   : "Gedeeld:",
	       (long long)req.dossier);
	printf("  thema         %s\n", res.note.theme);
	printf("  fase          %s\n",
	       ls_phase_name((enum ls_phase)res.note.phase));
	printf("  probleemtype  %s\n",
	       res.note.problem_type[0] ? res.note.problem_type : "-");
	printf("  kop           %s\n", res.note.headline);
	if (res.published) {
		ls_hex_encode(res.meta.hash, LS_HASH_BYTES, hex);
		printf("  document      %s nr. %llu, hash %.16s\n",
		       res.meta.origin, (unsigned long long)res.meta.seq, hex);
	}
	return CTL_EXIT_OK;
}

static const struct ctl_verb verbs[] = {
    {"new", dossier_new, NULL},         {"link", dossier_link, NULL},
    {"advance", dossier_advance, NULL}, {"criteria", dossier_criteria, NULL},
    {"act", dossier_act, NULL},         {"feedback", dossier_feedback, NULL},
    {"show", dossier_show, NULL},       {"list", dossier_list, NULL},
    {"share", dossier_share, NULL},
};

int cmd_dossier(const struct ctl_context *ctx, int argc, char **argv)
{
	return ctl_run_verb("dossier", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
