/*
 * signaalctl summary: preview | release | correct | due | list | show —
 * the anonymised summaries this node releases (node/release.h) and the
 * ones it holds of others.
 *
 * preview prints, for every cell of a period's summary, its true count,
 * what would be released and why (from the disclosure report), and writes
 * nothing. release and correct run the whole pipeline in one transaction
 * and print what went out. Refusals are Dutch, change nothing, and map to
 * the exit codes of ctl.h.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"
#include "core/period.h"
#include "core/policy.h"
#include "node/feed.h"
#include "node/release.h"
#include "node/secret.h"
#include "node/trust.h"
#include "proto/doc.h"
#include "store/feed.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "Gebruik: signaalctl summary OPDRACHT ...\n"
    "\n"
    "Geanonimiseerde samenvattingen: per afgesloten periode een\n"
    "ondertekende samenvatting met alleen gecodeerde aantallen (nooit\n"
    "vrije tekst, namen, signaal-ids, exacte datums of wijken). Een\n"
    "periode wordt pas vrijgegeven na haar einde plus de wachttijd, en\n"
    "verandert daarna nooit meer; een correctie is een nieuwe samenvatting\n"
    "die de vorige vervangt.\n"
    "\n"
    "  preview PERIODE [--thema CODE]\n"
    "        toon per cel het echte aantal, wat vrijgegeven zou worden en\n"
    "        waarom (onderdrukt, ruis, ...); schrijft niets weg\n"
    "  release [PERIODE]\n"
    "        geef PERIODE vrij, of zonder PERIODE elke periode die klaar is\n"
    "  correct PERIODE --reden CODE --toelichting TEKST\n"
    "        vervang een vrijgegeven periode door een correctie; de\n"
    "        toelichting komt alleen in het lokale auditlog\n"
    "  due   welke periodes klaar zijn om vrij te geven\n"
    "  list [--herkomst KNOOPPUNT]\n"
    "        de samenvattingen in dit knooppunt (eigen en van anderen)\n"
    "  show PERIODE [--herkomst KNOOPPUNT] [--seq N]\n"
    "        de tabellen van een samenvatting (standaard de geldende van\n"
    "        dit knooppunt)\n"
    "\n"
    "PERIODE is JJJJ-MM (of JJJJ-MM+N als het beleid periodes van N\n"
    "maanden gebruikt). Redenen voor een correctie: invoerfout, codering,\n"
    "dubbel, gewist, periode, software, beleid. --door NAAM zet wie het\n"
    "deed in het auditlog (anders $SIGNAAL_USER of $USER).\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 3 ongeldige invoer,\n"
    "4 niet gevonden, 5 nu niet toegelaten (open periode, wachttijd, al\n"
    "vrijgegeven, budget op, strijdig met het beleid), 1 fout.\n";

enum {
	O_REASON = 500,
	O_TEXT,
	O_ORIGIN,
	O_SEQ,
	O_THEME,
	O_BY,
	O_HELP,
};

static const struct option opts[] = {
    {"reden", required_argument, NULL, O_REASON},
    {"toelichting", required_argument, NULL, O_TEXT},
    {"herkomst", required_argument, NULL, O_ORIGIN},
    {"seq", required_argument, NULL, O_SEQ},
    {"thema", required_argument, NULL, O_THEME},
    {"door", required_argument, NULL, O_BY},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0}};

struct args {
	const char *reason, *text, *origin, *seq, *theme, *by;
	int n_pos;
	char **pos;
};

/* Parse options; `allowed` lists the option values the verb takes. */
static int parse_args(const char *verb, const int *allowed, int argc,
                      char **argv, struct args *a)
{
	char cmd[32];
	int c;
	snprintf(cmd, sizeof cmd, "summary %s", verb);
	memset(a, 0, sizeof *a);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int ok = c == O_BY;
		if (c == O_HELP || c == 'h') {
			fputs(help, stdout);
			return -1;
		}
		if (c < O_REASON || c > O_HELP)
			return ctl_usage_option("summary", argv);
		for (const int *x = allowed; *x; x++)
			ok |= *x == c;
		if (!ok) {
			for (const struct option *o = opts; o->name; o++)
				if (o->val == c)
					return ctl_usage(
					    "summary",
					    "--%s hoort niet bij '%s'", o->name,
					    cmd);
		}
		switch (c) {
		case O_REASON:
			a->reason = optarg;
			break;
		case O_TEXT:
			a->text = optarg;
			break;
		case O_ORIGIN:
			a->origin = optarg;
			break;
		case O_SEQ:
			a->seq = optarg;
			break;
		case O_THEME:
			a->theme = optarg;
			break;
		case O_BY:
			a->by = optarg;
			break;
		}
	}
	a->n_pos = argc - optind;
	a->pos = argv + optind;
	return CTL_EXIT_OK;
}

static int parse_period(const char *text, struct ls_period *p)
{
	if (ls_period_parse(text, p) != LS_OK)
		return ctl_usage("summary",
		                 "ongeldige periode '%.40s' (JJJJ-MM of "
		                 "JJJJ-MM+N)",
		                 text);
	return CTL_EXIT_OK;
}

/* Refusals of the release rules are "not allowed now" (5). */
static int exit_for(int rc)
{
	if (rc == LS_EPOLICY || rc == LS_EBUDGET)
		return CTL_EXIT_CONFLICT;
	return ctl_exit_for(rc);
}

/* ---- opening what a release needs ------------------------------------- */

struct rel {
	struct ctl_node node;
	struct ls_keypair *key;
	struct node_trust trust;
	struct node_feed_key own; /* what the roster says of key */
	struct node_release_env env;
	char secret_path[4096];
};

static void rel_close(struct rel *r)
{
	proto_keypair_free(r->key);
	node_trust_fini(&r->trust);
	ctl_node_close(&r->node);
}

/*
 * The node, the trust in force (the federation's policy from its feed,
 * checked against the [federation] anchor; ctl_trust_load) and
 * (need_key) its signing key. A node without [federation] id releases on
 * its own: the built-in policy, made stricter by [disclosure].
 */
static int rel_open(const struct ctl_context *ctx, int need_key, const char *by,
                    struct rel *r)
{
	char keypath[4096];
	struct ls_errinfo e;
	int rc;

	memset(r, 0, sizeof *r);
	/* a release or correction writes (and node_release checks the
	 * store again right before it signs); preview and due only read */
	rc = need_key ? ctl_node_open(ctx, &r->node)
	              : ctl_node_open_read(ctx, &r->node);
	if (rc != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	if ((rc = ctl_trust_load(ctx, &r->node, &r->trust)) != CTL_EXIT_OK) {
		rel_close(r);
		return rc;
	}
	if (!ctl_node_path(ctx, NODE_NOISE_SECRET_FILE, r->secret_path,
	                   sizeof r->secret_path) ||
	    !ctl_node_path(ctx, "keys/node.key", keypath, sizeof keypath)) {
		ctl_error("pad naar de knooppuntmap is te lang");
		rel_close(r);
		return CTL_EXIT_USAGE;
	}
	if (need_key &&
	    (rc = proto_keypair_load(keypath, &r->key, &e)) != LS_OK) {
		if (rc == LS_ENOTFOUND)
			ctl_error("geen knooppuntsleutel %s: maak er een met "
			          "'signaalctl keygen'",
			          keypath);
		else
			ctl_error("knooppuntsleutel %s: %s", keypath,
			          ctl_errmsg_dev(rc, &e));
		rel_close(r);
		return rc == LS_ENOTFOUND ? CTL_EXIT_NOTFOUND : CTL_EXIT_FAIL;
	}
	r->env.store = r->node.store;
	r->env.trust = &r->trust;
	ls_policy_local_from_config(&r->node.config, &r->env.local);
	r->env.origin = r->node.config.node_id;
	r->env.key = r->key;
	if (r->key != NULL) {
		/* Never sign what every receiver would refuse (PROTOCOL.md
		 * 6, "Rotation"). */
		node_feed_key_of(node_trust_roster(&r->trust),
		                 r->node.config.node_id, r->key->key_id,
		                 &r->own);
		r->env.own_key = &r->own;
	}
	r->env.noise_secret_path = r->secret_path;
	r->env.actor = ctl_actor(by);
	return CTL_EXIT_OK;
}

/* ---- words for people ------------------------------------------------- */

static const char *const table_nl[LS_QUERY_TABLES] = {
    "thema", "leeftijd", "doelgroep", "sector", "probleemtype", "herhaling"};

static const char *measure_nl(int table, int measure)
{
	if (table == LS_TABLE_RECURRENCE)
		return measure == LS_MEASURE_ORGANISATIONS ? "organisaties"
		                                           : "melders";
	return measure == LS_MEASURE_SIGNALS ? "signalen" : "personen";
}

static const char *mode_nl(int mode)
{
	return mode == LS_MODE_NOISE ? "ruis" : "drempel";
}

static const char *theme_label(const struct store *s, const char *code)
{
	const struct ls_taxonomy_entry *x = ls_taxonomy_find(
	    store_taxonomy(s), LS_DIM_THEME, code, strlen(code));
	return x != NULL ? x->label_nl : code;
}

/* A cell as released: "23", "0-4", "57 (90%: 29-85)", "achtergehouden". */
/* w: the summary's withhold_below; a noisy value below it is shown as
 * "<w" (it is published as it is: docs/DISCLOSURE.md 4.6). */
static const char *cell_text(const struct ls_cell *c, uint32_t w, char *buf,
                             size_t size)
{
	switch (c->kind) {
	case LS_CELL_EXACT:
		snprintf(buf, size, "%lld", (long long)c->value);
		break;
	case LS_CELL_RANGE:
		snprintf(buf, size, "%lld-%lld", (long long)c->lo,
		         (long long)c->hi);
		break;
	case LS_CELL_NOISY:
		if (c->value < (int64_t)w)
			snprintf(buf, size, "<%u (%lld-%lld)", (unsigned)w,
			         (long long)c->lo, (long long)c->hi);
		else
			snprintf(buf, size, "%lld (%lld-%lld)",
			         (long long)c->value, (long long)c->lo,
			         (long long)c->hi);
		break;
	default:
		snprintf(buf, size, "achtergeh. 0-%lld", (long long)c->hi);
		break;
	}
	return buf;
}

static void ref_text(const struct disclosure_ref *r, char *buf, size_t size)
{
	if (r->table == LS_TABLE_THEME || r->table == LS_TABLE_RECURRENCE)
		snprintf(buf, size, "%s %s", table_nl[r->table],
		         measure_nl(r->table, r->measure));
	else
		snprintf(buf, size, "%s %s %s", table_nl[r->table], r->other,
		         measure_nl(r->table, r->measure));
}

static void why_text(const struct disclosure_note *n, uint32_t k, char *buf,
                     size_t size)
{
	char prot[96] = "";
	if (n->has_protects)
		ref_text(&n->protects, prot, sizeof prot);
	switch (n->reason) {
	case DISCLOSURE_RELEASED:
		snprintf(buf, size, "exact (0 of minstens %u)", (unsigned)k);
		break;
	case DISCLOSURE_PRIMARY:
		snprintf(buf, size, "klein aantal (1..%u): bereik%s%s",
		         (unsigned)k - 1,
		         n->widened ? ", verruimd tot 0 om " : "",
		         n->widened ? prot : "");
		break;
	case DISCLOSURE_ZERO_HIDDEN:
		snprintf(buf, size, "0 verborgen om %s te beschermen", prot);
		break;
	case DISCLOSURE_COMPLEMENTARY:
		snprintf(buf, size,
		         "aanvullend onderdrukt: anders is %s uit "
		         "de rest te berekenen",
		         prot);
		break;
	case DISCLOSURE_NOISY:
		snprintf(buf, size, "ruis (schaal %llu/%llu), 90%%-interval",
		         (unsigned long long)n->scale.num,
		         (unsigned long long)n->scale.den);
		break;
	case DISCLOSURE_WITHHELD:
		snprintf(buf, size, "ruiswaarde te klein: achtergehouden");
		break;
	default:
		snprintf(buf, size, "%s", ls_disclosure_reason_name(n->reason));
	}
}

static void policy_line(const struct ls_policy_effective *x)
{
	const struct ls_disclosure_params *p = &x->policy.params;
	char eps[LS_MILLI_TEXT_SIZE], budget[LS_MILLI_TEXT_SIZE];
	if (p->mode == LS_MODE_NOISE) {
		ls_policy_format_milli(p->epsilon_milli, eps);
		ls_policy_format_milli(x->budget_milli, budget);
		printf("Beleid: ruismodus, epsilon %s per periode, waarden "
		       "onder %u achtergehouden, jaarbudget %s",
		       eps, (unsigned)p->withhold_below, budget);
	} else {
		printf("Beleid: drempelmodus, k = %u (aantallen 1..%u nooit "
		       "als getal)",
		       (unsigned)p->k, (unsigned)p->k - 1);
	}
	printf("; personen per signaal hoogstens %u; periodes van %u "
	       "maand(en), wachttijd %u dagen\n",
	       (unsigned)p->persons_cap, (unsigned)x->policy.period_months,
	       (unsigned)x->policy.settle_days);
	printf("        (%s, strenger gemaakt door [disclosure] in "
	       "signaal.ini waar die dat vraagt)\n",
	       x->from_federation ? "beleid van de federatie"
	                          : "ingebouwd standaardbeleid: nog geen "
	                            "beleid van de federatie");
}

static const char *day_text(int64_t t, char buf[LS_DATE_SIZE])
{
	struct ls_date d;
	if (ls_date_from_time(t, &d) == LS_OK)
		ls_date_format(&d, buf);
	else
		snprintf(buf, LS_DATE_SIZE, "?");
	return buf;
}

/* ---- preview ---------------------------------------------------------- */

/* An organisation used with two sectors counts once per sector. */
static void sector_warning(uint32_t n)
{
	if (n == 0)
		return;
	printf("Let op: %u organisatie(s) meldden in deze periode onder meer "
	       "dan één sector. Elk signaal telt onder de sector die erop "
	       "staat, en zo'n organisatie telt als aparte organisatie per "
	       "sector. Klopt de sector niet, verbeter dan de signalen en "
	       "maak een correctie.\n",
	       (unsigned)n);
}

/* Where the period stands: open, settling, due, released or blocked. */
static void preview_state(const struct node_release_plan *p)
{
	char day[LS_DATE_SIZE], when[40];

	day_text(p->release_time, day);
	switch (p->state) {
	case NODE_PERIOD_OPEN:
		printf("Toestand: de periode loopt nog; vrij te geven vanaf "
		       "%s. De cijfers kunnen nog veranderen.\n",
		       day);
		break;
	case NODE_PERIOD_SETTLING:
		printf("Toestand: afgesloten, in de wachttijd; vrij te geven "
		       "vanaf %s.\n",
		       day);
		break;
	case NODE_PERIOD_DUE:
		printf("Toestand: klaar om vrij te geven (sinds %s).\n", day);
		break;
	case NODE_PERIOD_RELEASED:
		printf(
		    "Toestand: al vrijgegeven als document %llu (%s). Dit is "
		    "hoe een correctie er nu uit zou zien: %s.\n",
		    (unsigned long long)p->latest.seq,
		    ctl_time(p->latest.at, when, sizeof when),
		    p->changed ? "de cijfers zijn VERANDERD sinds de "
		                 "vrijgave"
		               : "dezelfde cijfers, er is niets te "
		                 "corrigeren");
		break;
	case NODE_PERIOD_BLOCKED: {
		char other[LS_PERIOD_SIZE];
		ls_period_format(&p->latest.period, other);
		printf("Toestand: kan nooit vrijgegeven worden, want ze "
		       "overlapt met de vrijgegeven periode %s.\n",
		       other);
		break;
	}
	}
}

/* Under noise: the year's privacy budget and what this release costs. */
static void preview_budget(const struct node_release_plan *p,
                           const struct ls_period *period)
{
	char spent[LS_MILLI_TEXT_SIZE], cost[LS_MILLI_TEXT_SIZE],
	    yearly[LS_MILLI_TEXT_SIZE];

	if (p->rules.policy.params.mode != LS_MODE_NOISE)
		return;
	ls_policy_format_milli(p->budget.spent_milli, spent);
	ls_policy_format_milli(p->cost_milli, cost);
	ls_policy_format_milli(p->budget.yearly_milli, yearly);
	printf("Privacybudget %d: %s van %s besteed; deze vrijgave kost "
	       "%s%s\n",
	       (int)period->year, spent, yearly, cost,
	       p->budget_ok ? ""
	                    : " -- DAT PAST NIET: ze zou "
	                      "geweigerd worden");
}

/* THEME's cells in table order, under a header; returns how many. */
static size_t preview_theme(const struct store *store,
                            const struct node_release_plan *p,
                            const char *theme)
{
	size_t shown = 0;

	for (size_t i = 0; i < p->report.n_notes; i++) {
		const struct disclosure_note *n = &p->report.notes[i];
		char released[64], why[200];
		if (strcmp(n->cell.theme, theme) != 0)
			continue;
		if (shown == 0)
			printf("\n%s (%s)\n  %-13s %-13s %-13s %8s  "
			       "%-20s %s\n",
			       theme_label(store, theme), theme, "TABEL",
			       "CODE", "MAAT", "ECHT", "VRIJGEGEVEN", "WAAROM");
		printf("  %-13s %-13s %-13s %8lld  %-20s ",
		       table_nl[n->cell.table],
		       n->cell.other[0] ? n->cell.other : "-",
		       measure_nl(n->cell.table, n->cell.measure),
		       (long long)n->raw,
		       cell_text(&n->released,
		                 p->released.params.withhold_below, released,
		                 sizeof released));
		why_text(n, p->released.params.k, why, sizeof why);
		fputs(why, stdout);
		if (p->released.params.mode == LS_MODE_THRESHOLD &&
		    n->reason != DISCLOSURE_RELEASED)
			printf("; af te leiden: %lld-%lld",
			       (long long)n->feasible_lo,
			       (long long)n->feasible_hi);
		fputc('\n', stdout);
		shown++;
	}
	return shown;
}

static int summary_preview(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {O_THEME, 0};
	struct node_release_plan plan;
	struct ls_period period;
	struct ls_errinfo e;
	struct args a;
	struct rel r;
	char ptext[LS_PERIOD_SIZE];
	size_t shown = 0;
	int rc;

	if ((rc = parse_args("preview", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1)
		return ctl_usage("summary", "geef precies één periode");
	if ((rc = parse_period(a.pos[0], &period)) != CTL_EXIT_OK)
		return rc;
	if (a.theme != NULL &&
	    !ls_code_valid(a.theme, strnlen(a.theme, LS_CODE_SIZE)))
		return ctl_usage("summary", "ongeldige themacode '%.40s'",
		                 a.theme);
	if ((rc = rel_open(ctx, 0, a.by, &r)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = node_release_preview(&r.env, &period, time(NULL), &plan, &e);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		node_release_plan_fini(&plan);
		rel_close(&r);
		return exit_for(rc);
	}
	ls_period_format(&period, ptext);
	printf("Voorbeeld van de samenvatting %s van knooppunt %s. Er wordt "
	       "niets weggeschreven.\n",
	       ptext, r.env.origin);
	preview_state(&plan);
	policy_line(&plan.rules);
	sector_warning(plan.sector_conflicts);
	preview_budget(&plan, &period);
	/* Per theme (in code order), its cells in table order. */
	for (size_t t = 0; t < plan.report.n_notes; t++) {
		const struct disclosure_note *n = &plan.report.notes[t];
		if (n->cell.table == LS_TABLE_THEME &&
		    n->cell.measure == LS_MEASURE_SIGNALS &&
		    (a.theme == NULL || strcmp(a.theme, n->cell.theme) == 0))
			shown +=
			    preview_theme(r.node.store, &plan, n->cell.theme);
	}
	if (shown == 0)
		printf("(geen cellen: %s)\n",
		       a.theme ? "dit thema komt niet voor"
		               : "geen signalen in deze periode");
	printf("\n%zu cellen: %zu exact, %zu klein (als bereik), %zu nul "
	       "verborgen, %zu aanvullend onderdrukt, %zu met ruis, %zu "
	       "achtergehouden.\n",
	       plan.report.n_notes, plan.report.by_reason[DISCLOSURE_RELEASED],
	       plan.report.by_reason[DISCLOSURE_PRIMARY],
	       plan.report.by_reason[DISCLOSURE_ZERO_HIDDEN],
	       plan.report.by_reason[DISCLOSURE_COMPLEMENTARY],
	       plan.report.by_reason[DISCLOSURE_NOISY],
	       plan.report.by_reason[DISCLOSURE_WITHHELD]);
	printf("ECHT is het ware aantal en blijft in dit knooppunt; alleen "
	       "VRIJGEGEVEN gaat naar de federatie.\n");
	node_release_plan_fini(&plan);
	rel_close(&r);
	return CTL_EXIT_OK;
}

/* ---- release and correct ---------------------------------------------- */

static void print_released(const char *verb, const struct ls_period *p,
                           const struct node_release_result *res)
{
	char ptext[LS_PERIOD_SIZE], cost[LS_MILLI_TEXT_SIZE];
	const uint32_t *c = res->audit.cells;
	ls_period_format(p, ptext);
	ls_policy_format_milli(res->ledger.cost_milli, cost);
	printf("%s %s: document %llu (%smodus), %u cellen exact, %u als "
	       "bereik, %u met ruis, %u achtergehouden; privacybudget %s; "
	       "auditregel %llu\n",
	       ptext, verb, (unsigned long long)res->doc.seq,
	       mode_nl(res->audit.params.mode), c[STORE_CELLS_RELEASED],
	       c[STORE_CELLS_PRIMARY] + c[STORE_CELLS_ZERO_HIDDEN] +
	           c[STORE_CELLS_COMPLEMENTARY],
	       c[STORE_CELLS_NOISY], c[STORE_CELLS_WITHHELD], cost,
	       (unsigned long long)res->audit.id);
}

#define DUE_MAX 240

static int summary_release(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {0};
	struct node_release_result res;
	struct ls_period period, due[DUE_MAX];
	struct ls_errinfo e;
	struct args a;
	struct rel r;
	size_t n = 0, done = 0;
	int rc, more = 0;

	if ((rc = parse_args("release", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos > 1)
		return ctl_usage("summary", "geef hoogstens één periode");
	if (a.n_pos == 1 &&
	    (rc = parse_period(a.pos[0], &period)) != CTL_EXIT_OK)
		return rc;
	if ((rc = rel_open(ctx, 1, a.by, &r)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	if (a.n_pos == 1) {
		due[0] = period;
		n = 1;
	} else {
		rc = node_release_due(&r.env, time(NULL), due, DUE_MAX, &n,
		                      &more, &e);
		if (rc != LS_OK) {
			ctl_error("%s", ctl_errmsg(rc, &e));
			rel_close(&r);
			return exit_for(rc);
		}
		if (n == 0)
			printf("niets vrij te geven: geen afgesloten periode "
			       "voorbij de wachttijd die nog niet vrijgegeven "
			       "is\n");
	}
	rc = LS_OK;
	for (size_t i = 0; i < n && rc == LS_OK; i++) {
		rc = node_release_period(&r.env, &due[i], time(NULL), &res, &e);
		if (rc == LS_OK) {
			print_released("vrijgegeven", &due[i], &res);
			sector_warning(res.sector_conflicts);
			done++;
		}
	}
	rel_close(&r);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		if (done > 0)
			fprintf(stderr,
			        "signaalctl: %zu periode(s) waren al "
			        "vrijgegeven voor de fout; die blijven\n",
			        done);
		return exit_for(rc);
	}
	if (more)
		printf("er zijn nog meer periodes klaar: voer 'signaalctl "
		       "summary release' opnieuw uit\n");
	return CTL_EXIT_OK;
}

static int summary_correct(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {O_REASON, O_TEXT, 0};
	struct node_release_result res;
	struct ls_period period;
	struct ls_errinfo e;
	struct args a;
	struct rel r;
	int rc;

	if ((rc = parse_args("correct", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1)
		return ctl_usage("summary", "geef precies één periode");
	if (a.reason == NULL || a.text == NULL)
		return ctl_usage("summary", "een correctie vraagt --reden en "
		                            "--toelichting");
	if ((rc = parse_period(a.pos[0], &period)) != CTL_EXIT_OK)
		return rc;
	/* Bad input is refused before anything is opened. */
	ls_errinfo_clear(&e);
	if (ls_correction_reason_find(a.reason) == NULL) {
		size_t n;
		const struct ls_correction_reason *x =
		    ls_correction_reasons(&n);
		ctl_error("onbekende reden '%.40s'; kies een van:", a.reason);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %-12s %s\n", x[i].code, x[i].label);
		return CTL_EXIT_INPUT;
	}
	if ((rc = ls_correction_justification_check(a.text, &e)) != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return CTL_EXIT_INPUT;
	}
	if ((rc = rel_open(ctx, 1, a.by, &r)) != CTL_EXIT_OK)
		return rc;
	rc = node_release_correct(&r.env, &period, a.reason, a.text, time(NULL),
	                          &res, &e);
	rel_close(&r);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return exit_for(rc);
	}
	print_released("gecorrigeerd", &period, &res);
	printf("document %llu vervangt document %llu (reden %s)\n",
	       (unsigned long long)res.doc.seq,
	       (unsigned long long)res.ledger.supersedes, a.reason);
	sector_warning(res.sector_conflicts);
	return CTL_EXIT_OK;
}

static int summary_due(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {0};
	struct ls_period due[DUE_MAX];
	struct ls_errinfo e;
	struct args a;
	struct rel r;
	size_t n;
	int rc, more;

	if ((rc = parse_args("due", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 0)
		return ctl_usage("summary", "'due' heeft geen argumenten");
	if ((rc = rel_open(ctx, 0, a.by, &r)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = node_release_due(&r.env, time(NULL), due, DUE_MAX, &n, &more, &e);
	rel_close(&r);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return exit_for(rc);
	}
	for (size_t i = 0; i < n; i++) {
		char p[LS_PERIOD_SIZE];
		ls_period_format(&due[i], p);
		printf("%s\n", p);
	}
	if (more)
		printf("(en meer)\n");
	if (n == 0)
		printf("(geen periode klaar om vrij te geven)\n");
	return CTL_EXIT_OK;
}

/* ---- list and show ---------------------------------------------------- */

struct held {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	int64_t created;
	struct ls_period period;
	uint8_t mode;
	uint64_t supersedes;
	char reason[LS_CODE_SIZE];
	uint64_t replaced_by; /* a later summary of the same period */
	uint64_t uncounted;   /* held, counted nowhere (store_doc_meta) */
};

struct held_list {
	struct held *v;
	size_t n, cap;
	int failed;
};

static int held_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *envelope, size_t len)
{
	struct held_list *l = arg;
	struct ls_doc doc;
	struct held *h, *v;
	memset(&doc, 0, sizeof doc);
	if (node_feed_decode(envelope, len, &doc, NULL) != LS_OK ||
	    doc.hdr.type != LS_DOC_SUMMARY) {
		proto_doc_fini(&doc);
		return 0; /* verified when stored; nothing to list */
	}
	v = ls_array_grow(l->v, &l->cap, l->n + 1, sizeof *v, 64);
	if (v == NULL) {
		proto_doc_fini(&doc);
		l->failed = 1;
		return 1;
	}
	l->v = v;
	h = &l->v[l->n++];
	memset(h, 0, sizeof *h);
	memcpy(h->origin, m->origin, sizeof h->origin);
	h->seq = m->seq;
	h->created = m->created;
	h->period = doc.body.summary.period;
	h->mode = doc.body.summary.params.mode;
	h->supersedes = doc.body.summary.supersedes_seq;
	memcpy(h->reason, doc.body.summary.correction_reason, sizeof h->reason);
	h->uncounted = m->uncounted;
	proto_doc_fini(&doc);
	return 0;
}

/* Every summary held (of origin, or all), with what replaced what. */
static int held_load(struct store *s, const char *origin, struct held_list *l)
{
	int rc;
	memset(l, 0, sizeof *l);
	rc = store_feed_list(s, LS_DOC_SUMMARY, origin, held_cb, l);
	if (l->failed)
		return LS_ENOMEM;
	if (rc != LS_OK)
		return rc;
	/* Within an origin, documents are in seq order: a later summary
	 * of the same period replaces an earlier one, unless it does not
	 * count (as the trends read them). */
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = i + 1; j < l->n; j++)
			if (l->v[j].uncounted == 0 &&
			    strcmp(l->v[i].origin, l->v[j].origin) == 0 &&
			    memcmp(&l->v[i].period, &l->v[j].period,
			           sizeof l->v[i].period) == 0)
				l->v[i].replaced_by = l->v[j].seq;
	return LS_OK;
}

static int origin_arg(const char *text)
{
	return text == NULL || ls_node_id_valid(text, strlen(text));
}

static int summary_list(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {O_ORIGIN, 0};
	struct ctl_node node;
	struct held_list l;
	struct args a;
	int rc;

	if ((rc = parse_args("list", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 0)
		return ctl_usage("summary", "'list' heeft geen argumenten");
	if (!origin_arg(a.origin))
		return ctl_usage("summary", "ongeldige herkomst '%.60s'",
		                 a.origin);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = held_load(node.store, a.origin, &l);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ls_free(l.v);
		ctl_error("kan de samenvattingen niet lezen: %s",
		          ls_strerror_nl(rc));
		return ctl_exit_for(rc);
	}
	printf("%-16s %6s %-10s %-8s %-22s %s\n", "HERKOMST", "DOC", "PERIODE",
	       "MODUS", "GEMAAKT", "STAAT");
	for (size_t i = 0; i < l.n; i++) {
		const struct held *h = &l.v[i];
		char p[LS_PERIOD_SIZE], when[40], state[80];
		ls_period_format(&h->period, p);
		if (h->replaced_by)
			snprintf(state, sizeof state, "vervangen door %llu",
			         (unsigned long long)h->replaced_by);
		else if (h->uncounted)
			snprintf(state, sizeof state,
			         "telt niet mee (beleid %llu)",
			         (unsigned long long)h->uncounted);
		else
			snprintf(state, sizeof state, "geldig");
		if (h->supersedes)
			snprintf(state + strlen(state),
			         sizeof state - strlen(state),
			         "; correctie van %llu (%s)",
			         (unsigned long long)h->supersedes, h->reason);
		printf("%-16s %6llu %-10s %-8s %-22s %s\n", h->origin,
		       (unsigned long long)h->seq, p, mode_nl(h->mode),
		       ctl_time(h->created, when, sizeof when), state);
	}
	if (l.n == 0)
		printf("(geen samenvattingen)\n");
	ls_free(l.v);
	return CTL_EXIT_OK;
}

static void show_table(const struct ls_summary *s, int t)
{
	const struct ls_summary_table *tab = &s->tables[t];
	char a[64], b[64];
	if (tab->n_rows == 0)
		return;
	printf("\nthema x %s\n", table_nl[t]);
	printf("  %-14s %-16s %22s %22s\n", "THEMA", table_nl[t], "SIGNALEN",
	       "PERSONEN");
	for (size_t i = 0; i < tab->n_rows; i++)
		printf("  %-14s %-16s %22s %22s\n", tab->rows[i].theme,
		       tab->rows[i].other,
		       cell_text(&tab->rows[i].signals,
		                 s->params.withhold_below, a, sizeof a),
		       cell_text(&tab->rows[i].persons,
		                 s->params.withhold_below, b, sizeof b));
}

/* The disclosure parameters the summary was made with. */
static void show_params(const struct ls_summary *s)
{
	if (s->params.mode == LS_MODE_NOISE) {
		char eps[LS_MILLI_TEXT_SIZE];
		ls_policy_format_milli(s->params.epsilon_milli, eps);
		printf("ruismodus, epsilon %s; waarden met hun "
		       "90%%-interval, onder %u getoond als <%u\n",
		       eps, (unsigned)s->params.withhold_below,
		       (unsigned)s->params.withhold_below);
	} else
		printf("drempelmodus, k = %u: a-b is een onderdrukt "
		       "aantal tussen a en b\n",
		       (unsigned)s->params.k);
	printf("personen per signaal hoogstens %u\n",
	       (unsigned)s->params.persons_cap);
	if (s->supersedes_seq)
		printf("correctie van document %llu, reden %s\n",
		       (unsigned long long)s->supersedes_seq,
		       s->correction_reason);
}

/* One theme's line: its counts and, when the summary has them, its
 * organisations and reporters. */
static void show_theme_row(const struct store *store,
                           const struct ls_summary *s,
                           const struct ls_summary_row *row)
{
	const struct ls_recurrence_row *rec = NULL;
	char label[27], a1[64], a2[64], a3[64], a4[64];

	for (size_t j = 0; j < s->n_recurrence; j++)
		if (strcmp(s->recurrence[j].theme, row->theme) == 0)
			rec = &s->recurrence[j];
	snprintf(label, sizeof label, "%s", theme_label(store, row->theme));
	printf(
	    "  %-26s %20s %20s %20s %20s\n", label,
	    cell_text(&row->signals, s->params.withhold_below, a1, sizeof a1),
	    cell_text(&row->persons, s->params.withhold_below, a2, sizeof a2),
	    rec ? cell_text(&rec->organisations, s->params.withhold_below, a3,
	                    sizeof a3)
	        : "-",
	    rec ? cell_text(&rec->reporters, s->params.withhold_below, a4,
	                    sizeof a4)
	        : "-");
}

/* The summary document SEQ of ORIGIN for period PERIOD_TEXT, as text. */
static void show_print(const struct store *store, const char *period_text,
                       const char *origin, uint64_t seq,
                       const struct ls_doc *doc)
{
	const struct ls_summary *s = &doc->body.summary;
	char when[40];

	printf("Samenvatting %s van %s, document %llu, gemaakt %s\n",
	       period_text, origin, (unsigned long long)seq,
	       ctl_time(doc->hdr.created, when, sizeof when));
	show_params(s);
	printf("\n  %-26s %20s %20s %20s %20s\n", "THEMA", "SIGNALEN",
	       "PERSONEN", "ORGANISATIES", "MELDERS");
	for (size_t i = 0; i < s->tables[0].n_rows; i++)
		show_theme_row(store, s, &s->tables[0].rows[i]);
	if (s->tables[0].n_rows == 0)
		printf("  (geen signalen in deze periode)\n");
	for (int t = LS_TABLE_THEME_AGE; t < LS_TABLE_COUNT_; t++)
		show_table(s, t);
}

static int summary_show(const struct ctl_context *ctx, int argc, char **argv)
{
	static const int allowed[] = {O_ORIGIN, O_SEQ, 0};
	struct ctl_node node;
	struct ls_period period;
	struct held_list l;
	struct ls_errinfo e;
	struct ls_doc doc;
	struct args a;
	const char *origin;
	int64_t want_seq = 0;
	uint64_t seq = 0;
	int rc;

	if ((rc = parse_args("show", allowed, argc, argv, &a)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if (a.n_pos != 1)
		return ctl_usage("summary", "geef precies één periode");
	if ((rc = parse_period(a.pos[0], &period)) != CTL_EXIT_OK)
		return rc;
	if (!origin_arg(a.origin))
		return ctl_usage("summary", "ongeldige herkomst '%.60s'",
		                 a.origin);
	if (a.seq != NULL &&
	    ls_parse_i64(a.seq, 1, (int64_t)LS_SEQ_MAX, &want_seq) != LS_OK)
		return ctl_usage("summary", "ongeldig documentnummer '%.30s'",
		                 a.seq);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	origin = a.origin != NULL ? a.origin : node.config.node_id;
	rc = held_load(node.store, origin, &l);
	if (rc != LS_OK) {
		ls_free(l.v);
		ctl_node_close(&node);
		ctl_error("kan de samenvattingen niet lezen: %s",
		          ls_strerror_nl(rc));
		return ctl_exit_for(rc);
	}
	for (size_t i = 0; i < l.n; i++)
		if (memcmp(&l.v[i].period, &period, sizeof period) == 0 &&
		    (want_seq ? l.v[i].seq == (uint64_t)want_seq
		              : l.v[i].replaced_by == 0))
			seq = l.v[i].seq;
	ls_free(l.v);
	if (seq == 0) {
		ctl_node_close(&node);
		ctl_error("geen samenvatting %s%s van %s in dit knooppunt",
		          a.pos[0], want_seq ? " met dat documentnummer" : "",
		          origin);
		return CTL_EXIT_NOTFOUND;
	}
	memset(&doc, 0, sizeof doc);
	ls_errinfo_clear(&e);
	if ((rc = node_feed_read(node.store, origin, seq, &doc, &e)) != LS_OK) {
		ctl_node_close(&node);
		ctl_error("document %s nr. %llu: %s", origin,
		          (unsigned long long)seq, ctl_errmsg_dev(rc, &e));
		return ctl_exit_for(rc);
	}
	show_print(node.store, a.pos[0], origin, seq, &doc);
	proto_doc_fini(&doc);
	ctl_node_close(&node);
	return CTL_EXIT_OK;
}

/* ---- dispatch --------------------------------------------------------- */

static const struct ctl_verb verbs[] = {
    {"preview", summary_preview, NULL}, {"release", summary_release, NULL},
    {"correct", summary_correct, NULL}, {"due", summary_due, NULL},
    {"list", summary_list, NULL},       {"show", summary_show, NULL},
};

int cmd_summary(const struct ctl_context *ctx, int argc, char **argv)
{
	return ctl_run_verb("summary", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
