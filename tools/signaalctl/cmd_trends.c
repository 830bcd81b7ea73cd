/*
 * signaalctl trends: the federation's trends and priorities from the
 * summaries this node holds, as a table (with a Dutch explanation per
 * item), CSV or JSON. The numbers come from core/trends.c; this file only
 * chooses and prints.
 */
#include "common/alloc.h"
#include "common/text.h"
#include "core/period.h"
#include "core/trends.h"
#include "view/trends_json.h"
#include "tools/signaalctl/commands.h"
#include "tools/signaalctl/trends_ctl.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl trends [opties]\n"
    "\n"
    "Trends en prioriteiten over de gemeenten heen, uit de geanonimiseerde\n"
    "samenvattingen die deze knoop heeft. Per thema (en per thema en\n"
    "leeftijd of doelgroep): in hoeveel gemeenten het gemeld wordt, of het\n"
    "stijgt (en in hoeveel gemeenten), hoeveel perioden op rij, door\n"
    "hoeveel sectoren, hoeveel signalen en personen, en een\n"
    "prioriteitsscore van 0 tot 100 met uitleg. Kleine aantallen zijn in\n"
    "de samenvattingen verborgen: zulke cijfers staan er als bereik\n"
    "(bv. 12\xe2\x80\x93"
    "20); met ruis als schatting met een 90%-interval. Waar de federatie\n"
    "voor een periode een federatietotaal (beveiligde optelling) heeft,\n"
    "toont de federatie dat: \"41 (40\xe2\x80\x93"
    "42), 9 van 10 gemeenten\" is het totaal\n"
    "van 9 gemeenten, met een beetje ruis; het echte aantal ligt met 90%\n"
    "zekerheid tussen 40 en 42. \"Stijgt in N gemeenten\" en de cijfers\n"
    "per gemeente komen uit de samenvattingen van de gemeenten zelf.\n"
    "\n"
    "Opties:\n"
    "  --van JJJJ-MM      eerste periode (ook --from); standaard zoveel\n"
    "                     perioden voor --tot als [trends] window zegt\n"
    "  --tot JJJJ-MM      laatste periode (ook --to); standaard de laatste\n"
    "                     die minstens de helft van de gemeenten heeft\n"
    "  --thema CODE       alleen dit thema\n"
    "  --leeftijd CODE    per thema en leeftijd, alleen deze leeftijd\n"
    "  --doelgroep CODE   per thema en doelgroep, alleen deze doelgroep\n"
    "  --niveau N         thema (standaard), leeftijd, doelgroep, jongeren\n"
    "                     (12-17 en 18-24) of alle\n"
    "  --gemeente ID      alleen deze gemeente (herhaalbaar)\n"
    "  --top N            alleen de eerste N per niveau\n"
    "  --format F         tekst (standaard), csv of json\n"
    "  --kort             tekst zonder uitleg per rij\n"
    "  --bronnen          tekst: ook de documenten waaruit alles berekend\n"
    "                     is (gemeente, nummer, hash)\n"
    "  --federatie        tekst: per item het federatietotaal over het\n"
    "                     venster (met het aantal gemeenten) naast de som\n"
    "                     van de bereiken van de gemeenten die het vervangt\n"
    "\n"
    "De score en de gewichten: zie [trends] in signaal.ini en\n"
    "docs/OPERATING.md.\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 4 geen samenvattingen,\n"
    "1 fout.\n";

enum { F_TEXT, F_CSV, F_JSON };

struct trends_args {
	struct trends_ctl_args load;
	struct ls_trends_select sel;
	int format, brief, sources, federation;
	const char *level, *age, *target;
};

/* --top N: how many themes to show. */
static int parse_top(const char *arg, struct ls_trends_select *sel)
{
	int64_t top;

	if (ls_parse_i64(arg, 1, 100000, &top) != LS_OK)
		return ctl_usage("trends", "ongeldig aantal voor --top: '%.20s'",
		                 arg);
	sel->top = (size_t)top;
	return CTL_EXIT_OK;
}

/* --format: its names, Dutch and English. */
static int parse_format(const char *arg, int *format)
{
	static const struct {
		const char *name;
		int format;
	} names[] = {{"tekst", F_TEXT}, {"text", F_TEXT}, {"table", F_TEXT},
	             {"csv", F_CSV},    {"json", F_JSON}};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(arg, names[i].name) == 0) {
			*format = names[i].format;
			return CTL_EXIT_OK;
		}
	return ctl_usage("trends",
	                 "onbekend formaat '%.20s' (tekst, csv of json)", arg);
}

/* --niveau (or, without it, the level --leeftijd/--doelgroep imply). */
static int select_levels(struct trends_args *a)
{
	static const struct {
		const char *name;
		unsigned levels;
		int youth;
	} names[] = {
	    {"thema", 1u << TRENDS_LEVEL_THEME, 0},
	    {"leeftijd", 1u << TRENDS_LEVEL_AGE, 0},
	    {"doelgroep", 1u << TRENDS_LEVEL_TARGET, 0},
	    {"jongeren", 1u << TRENDS_LEVEL_AGE, 1},
	    {"alle", (1u << TRENDS_LEVEL_COUNT_) - 1, 0},
	};

	if (a->level == NULL) {
		a->sel.levels = a->age      ? 1u << TRENDS_LEVEL_AGE
		                : a->target ? 1u << TRENDS_LEVEL_TARGET
		                            : 1u << TRENDS_LEVEL_THEME;
		return CTL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(a->level, names[i].name) == 0) {
			a->sel.levels = names[i].levels;
			if (names[i].youth)
				a->sel.youth = 1;
			return CTL_EXIT_OK;
		}
	return ctl_usage("trends",
	                 "onbekend niveau '%.20s' (thema, leeftijd, "
	                 "doelgroep, jongeren of alle)",
	                 a->level);
}

static int parse(int argc, char **argv, struct trends_args *a)
{
	static const struct option opts[] = {
	    {"van", required_argument, NULL, 'v'},
	    {"from", required_argument, NULL, 'v'},
	    {"tot", required_argument, NULL, 't'},
	    {"to", required_argument, NULL, 't'},
	    {"thema", required_argument, NULL, 'T'},
	    {"leeftijd", required_argument, NULL, 'L'},
	    {"doelgroep", required_argument, NULL, 'D'},
	    {"niveau", required_argument, NULL, 'n'},
	    {"gemeente", required_argument, NULL, 'g'},
	    {"top", required_argument, NULL, 'k'},
	    {"format", required_argument, NULL, 'f'},
	    {"kort", no_argument, NULL, 'b'},
	    {"bronnen", no_argument, NULL, 's'},
	    {"federatie", no_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c, rc;

	memset(a, 0, sizeof *a);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			a->load.from = optarg;
			break;
		case 't':
			a->load.to = optarg;
			break;
		case 'T':
			a->sel.theme = optarg;
			break;
		case 'L':
			a->age = optarg;
			break;
		case 'D':
			a->target = optarg;
			break;
		case 'n':
			a->level = optarg;
			break;
		case 'g':
			if ((rc = trends_ctl_add_origin("trends", &a->load,
			                                optarg)) != CTL_EXIT_OK)
				return rc;
			break;
		case 'k':
			if ((rc = parse_top(optarg, &a->sel)) != CTL_EXIT_OK)
				return rc;
			break;
		case 'f':
			if ((rc = parse_format(optarg, &a->format)) !=
			    CTL_EXIT_OK)
				return rc;
			break;
		case 'b':
			a->brief = 1;
			break;
		case 's':
			a->sources = 1;
			break;
		case 'F':
			a->federation = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return ctl_usage("trends", "onbekende optie");
		}
	}
	if (optind != argc)
		return ctl_usage("trends", "onverwacht argument '%.40s'",
		                 argv[optind]);
	if (a->age != NULL && a->target != NULL)
		return ctl_usage("trends",
		                 "--leeftijd en --doelgroep gaan niet samen");
	if ((rc = select_levels(a)) != CTL_EXIT_OK)
		return rc;
	a->sel.other = a->age ? a->age : a->target;
	return CTL_EXIT_OK;
}

/* Codes given on the command line must exist (a typo would otherwise
 * just give an empty table). */
static int check_codes(const struct trends *t, const struct trends_args *a)
{
	static const struct {
		int table;
		const char *opt;
	} checks[] = {{LS_TABLE_THEME, "--thema"},
	              {LS_TABLE_THEME_AGE, "--leeftijd"},
	              {LS_TABLE_THEME_TARGET, "--doelgroep"}};
	const char *given[3] = {a->sel.theme, a->age, a->target};
	for (int k = 0; k < 3; k++) {
		int found = 0;
		if (given[k] == NULL)
			continue;
		for (size_t i = 0; i < ls_trends_n_codes(t, checks[k].table);
		     i++)
			found |= strcmp(ls_trends_code(t, checks[k].table, i),
			                given[k]) == 0;
		if (!found)
			return ctl_usage("trends",
			                 "onbekende code '%.40s' voor %s (zie "
			                 "'signaalctl taxonomy')",
			                 given[k], checks[k].opt);
	}
	return CTL_EXIT_OK;
}

/* ---- text ------------------------------------------------------------ */

static void pad(const char *s, size_t width)
{
	size_t w = trends_ctl_width(s);
	fputs(s, stdout);
	while (w++ < width)
		fputc(' ', stdout);
}

static void rpad(const char *s, size_t width)
{
	size_t w = trends_ctl_width(s);
	while (w++ < width)
		fputc(' ', stdout);
	fputs(s, stdout);
}

static void item_name(const struct trends_item *it, char *out, size_t size)
{
	if (it->level == TRENDS_LEVEL_THEME)
		snprintf(out, size, "%s", it->theme_label);
	else
		snprintf(out, size, "%s \xe2\x80\x94 %s", it->theme_label,
		         it->other_label);
}

/* The rank shown: the item's rank in its level, but in the youth view
 * (a ranking of its own) the position in that view, from 1. */
static uint32_t shown_rank(const struct ls_trends_select *sel,
                           const struct trends_item *it, size_t pos)
{
	return sel->youth ? (uint32_t)(pos + 1) : it->rank;
}

/* The width of the name column of a level's table: the widest name of
 * that level selected (items[0..n) from the first of the level), so that
 * no name is cut (a theme x age band differs only at its end). */
static size_t name_width(const struct trends_item **items, size_t n)
{
	size_t w = 5; /* "THEMA" */
	for (size_t i = 0; i < n && items[i]->level == items[0]->level; i++) {
		char name[2 * LS_LABEL_MAX + 8];
		size_t x;
		item_name(items[i], name, sizeof name);
		x = trends_ctl_width(name);
		if (x > w)
			w = x;
	}
	return w;
}

static void score_text(double score, char *out, size_t size)
{
	snprintf(out, size, "%.1f", score);
	for (char *p = out; *p; p++)
		if (*p == '.')
			*p = ',';
}

static void print_wrapped(const char *text, const char *indent, size_t width)
{
	size_t col = 0;
	const char *p = text;
	fputs(indent, stdout);
	while (*p) {
		const char *end = p;
		size_t w;
		char word[700];
		while (*end && *end != ' ')
			end++;
		snprintf(word, sizeof word, "%.*s", (int)(end - p), p);
		w = trends_ctl_width(word);
		if (col > 0 && col + 1 + w > width) {
			fputc('\n', stdout);
			fputs(indent, stdout);
			col = 0;
		} else if (col > 0) {
			fputc(' ', stdout);
			col++;
		}
		fputs(word, stdout);
		col += w;
		p = *end ? end + 1 : end;
	}
	fputc('\n', stdout);
}

/* How many periods have a federation summary (beveiligde optelling), how
 * many municipalities are in them, and what the other periods show. */
static void print_federation_note(const struct trends *t)
{
	const struct trends_options *o = ls_trends_options_get(t);
	size_t periods = ls_trends_n_periods(t), nf = ls_trends_n_federation(t);
	uint32_t lo = 0, hi = 0;
	if (nf == 0) {
		printf("Nog geen federatietotalen (beveiligde optelling) in "
		       "dit venster: de cijfers\nvan de federatie zijn sommen "
		       "van de bereiken van de gemeenten.\n");
		return;
	}
	for (size_t slot = 0; slot < periods; slot++) {
		uint32_t n = ls_trends_federation_at(t, slot);
		if (n == 0)
			continue;
		if (lo == 0 || n < lo)
			lo = n;
		if (n > hi)
			hi = n;
	}
	printf("Federatietotalen (beveiligde optelling) voor %zu van de %zu "
	       "%s, ",
	       nf, periods, ls_trends_period_word(o->first.months, periods));
	if (lo == hi)
		printf("telkens %u gemeenten.\n", hi);
	else
		printf("%u \xc3\xa0 %u gemeenten per periode.\n", lo, hi);
	printf("\"41 (40\xe2\x80\x93"
	       "42), 9 van 10 gemeenten\": het totaal van 9 gemeenten met een "
	       "beetje ruis;\nhet echte aantal ligt met 90%% zekerheid tussen "
	       "40 en 42.%s\n",
	       nf < periods ? "\nIn de andere perioden: som van de bereiken "
	                      "van de gemeenten."
	                    : "");
}

/* Under an item: the federation total next to the sum of the
 * municipalities' ranges it replaces. */
static void print_item_federation(const struct trends *t,
                                  const struct trends_item *it)
{
	char fed[160], ranges[64];
	if (it->fed_periods == 0)
		return;
	ls_trends_format_federation(
	    &it->signals, it->fed_included_min, it->fed_included_max,
	    (uint32_t)ls_trends_n_origins(t), fed, sizeof fed);
	ls_trends_format_value(&it->signals_ranges, ranges, sizeof ranges);
	{
		const char *comma = strstr(fed, ", ");
		printf("      Federatietotaal: %.*s signalen, %s (som van de "
		       "bereiken van de gemeenten: %s).\n",
		       comma != NULL ? (int)(comma - fed) : (int)strlen(fed),
		       fed, comma != NULL ? comma + 2 : "", ranges);
	}
}

/* --federatie: per item the federation total over the window next to
 * the sum of the municipalities' ranges it replaces. */
static void print_federation(const struct trends *t,
                             const struct ls_trends_select *sel,
                             const struct trends_item **items, size_t n)
{
	size_t nw = name_width(items, n), pos = 0;
	int level = -1;
	print_federation_note(t);
	if (ls_trends_n_federation(t) == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct trends_item *it = items[i];
		char name[2 * LS_LABEL_MAX + 8], fed[160], val[96], towns[64];
		char ranges[64];
		const char *comma;
		if ((int)it->level != level) {
			level = it->level;
			pos = 0;
			printf("\nRANG  ");
			pad(level == TRENDS_LEVEL_THEME
			        ? "THEMA"
			        : "THEMA EN UITSPLITSING",
			    nw);
			printf("  ");
			pad("FEDERATIETOTAAL", 24);
			printf("  ");
			pad("GEMEENTEN", 28);
			printf("  SOM VAN DE BEREIKEN\n");
		}
		item_name(it, name, sizeof name);
		ls_trends_format_federation(
		    &it->signals, it->fed_included_min, it->fed_included_max,
		    (uint32_t)ls_trends_n_origins(t), fed, sizeof fed);
		comma = strstr(fed, ", ");
		snprintf(val, sizeof val, "%.*s",
		         comma != NULL ? (int)(comma - fed) : (int)strlen(fed),
		         fed);
		snprintf(towns, sizeof towns, "%s",
		         comma != NULL ? comma + 2 : "");
		if (it->fed_periods == 0)
			snprintf(towns, sizeof towns, "geen");
		else if (it->fed_periods < it->n_periods)
			snprintf(towns + strlen(towns),
			         sizeof towns - strlen(towns), " (%u/%u)",
			         it->fed_periods, it->n_periods);
		ls_trends_format_value(&it->signals_ranges, ranges,
		                       sizeof ranges);
		printf("%4u  ", shown_rank(sel, it, pos++));
		pad(name, nw);
		printf("  ");
		pad(val, 24);
		printf("  ");
		pad(towns, 28);
		printf("  %s\n", ranges);
	}
}

/* The window, what it is computed from, the weights, and whether there
 * are federation totals. */
static void print_header(const struct trends *t)
{
	const struct trends_options *o = ls_trends_options_get(t);
	char from[LS_PERIOD_SIZE], to[LS_PERIOD_SIZE];
	size_t periods = ls_trends_n_periods(t);
	size_t gp = periods - ls_trends_growth_first(t);

	ls_period_format(&o->first, from);
	ls_period_format(&o->last, to);
	printf("Trends van %s tot %s (%zu %s): %zu gemeenten, %zu "
	       "samenvattingen",
	       from, to, periods,
	       ls_trends_period_word(o->first.months, periods),
	       ls_trends_n_origins(t),
	       ls_trends_n_sources(t) - ls_trends_n_federation(t));
	if (ls_trends_n_federation(t) > 0)
		printf(" en %zu federatiesamenvattingen",
		       ls_trends_n_federation(t));
	printf("\n");
	printf("Groei over de laatste %zu %s. Gewichten:", gp,
	       ls_trends_period_word(o->first.months, gp));
	for (int k = 0; k < TRENDS_C_COUNT_; k++)
		printf("%s %s %u", k ? "," : "",
		       ls_trends_component_label_nl(k), o->weight[k]);
	printf(".\n");
	print_federation_note(t);
}

static void print_text(const struct trends_ctl *c, const struct trends_args *a,
                       const struct trends_item **items, size_t n)
{
	const struct trends *t = c->t;
	char hex[65];
	uint8_t digest[LS_HASH_BYTES];
	int level = -1;
	size_t nw = 0, pos = 0;

	print_header(t);
	if (ls_trends_n_origins(t) == 0)
		printf("\nGeen samenvattingen in dit venster.\n");
	for (size_t i = 0; i < n; i++) {
		const struct trends_item *it = items[i];
		char name[2 * LS_LABEL_MAX + 8], buf[64], spread[32],
		    rising[32], growth[32];
		char run[16], sectors[16], sig[64], per[64];
		if ((int)it->level != level) {
			static const char *const heads[] = {
			    "Per thema", "Per thema en leeftijd",
			    "Per thema en doelgroep"};
			level = it->level;
			pos = 0;
			nw = name_width(items + i, n - i);
			printf("\n%s\n", a->sel.youth
			                     ? "Jongeren (12\xe2\x80\x93"
			                       "17 en 18\xe2\x80\x93"
			                       "24)"
			                     : heads[level]);
			printf("RANG  ");
			pad("THEMA", nw);
			printf("  SCORE  GEMEENTEN  STIJGEND  GROEI   OP RIJ  "
			       "SECTOREN  ");
			pad("SIGNALEN", 18);
			printf("  PERSONEN\n");
		}
		item_name(it, name, sizeof name);
		if (it->n_report_lo == it->n_report_hi)
			snprintf(spread, sizeof spread, "%u/%u",
			         it->n_report_lo, it->n_origins);
		else
			snprintf(spread, sizeof spread, "%u\xe2\x80\x93%u/%u",
			         it->n_report_lo, it->n_report_hi,
			         it->n_origins);
		snprintf(rising, sizeof rising, "%u/%u", it->n_rising,
		         it->n_complete);
		if (it->has_growth && fabs(it->growth_mid) < 0.005)
			snprintf(growth, sizeof growth, "0%%");
		else if (it->has_growth)
			snprintf(growth, sizeof growth, "%+.0f%%",
			         it->growth_mid * 100.0);
		else
			snprintf(growth, sizeof growth, "\xe2\x80\x93");
		snprintf(run, sizeof run, "%u", it->run);
		if (it->sectors_lo == it->sectors_hi)
			snprintf(sectors, sizeof sectors, "%u", it->sectors_lo);
		else
			snprintf(sectors, sizeof sectors, "%u\xe2\x80\x93%u",
			         it->sectors_lo, it->sectors_hi);
		ls_trends_format_value(&it->signals, sig, sizeof sig);
		ls_trends_format_value(&it->persons, per, sizeof per);
		score_text(it->score, buf, sizeof buf);
		printf("%4u  ", shown_rank(&a->sel, it, pos++));
		pad(name, nw);
		printf("  ");
		rpad(buf, 5);
		printf("  ");
		pad(spread, 9);
		printf("  ");
		pad(rising, 8);
		printf("  ");
		rpad(growth, 5);
		printf("   ");
		rpad(run, 5);
		printf("  ");
		rpad(sectors, 8);
		printf("  ");
		pad(sig, 18);
		printf("  %s\n", per);
		if (!a->brief) {
			print_wrapped(it->explanation, "      ", 90);
			print_item_federation(t, it);
		}
	}
	if (n == 0 && ls_trends_n_origins(t) > 0)
		printf("\nGeen items voor deze keuze.\n");
	ls_trends_sources_digest(t, digest);
	ls_hex_encode(digest, sizeof digest, hex);
	printf("\nBerekend uit %zu documenten (digest %.16s\xe2\x80\xa6)",
	       ls_trends_n_sources(t), hex);
	if (c->report.superseded > 0)
		printf("; %llu vervangen door een correctie",
		       (unsigned long long)c->report.superseded);
	if (c->report.uncounted > 0)
		printf("; %llu niet meegeteld (gemaakt onder een eerder "
		       "beleid)",
		       (unsigned long long)c->report.uncounted);
	printf(".\n");
	if (a->sources) {
		printf("\nBronnen (gemeente, nummer, hash):\n");
		for (size_t i = 0; i < ls_trends_n_sources(t); i++) {
			const struct trends_docref *r =
			    ls_trends_source_at(t, i);
			ls_hex_encode(r->hash, LS_HASH_BYTES, hex);
			printf("  %-20s %6llu  %s\n", r->origin,
			       (unsigned long long)r->seq, hex);
		}
		printf("Digest van de bronnen: ");
		ls_hex_encode(digest, sizeof digest, hex);
		printf("%s\n", hex);
	}
}

/* ---- CSV ------------------------------------------------------------- */

static void csv_field(const char *s, int last)
{
	if (strpbrk(s, ",\"\n\r") != NULL) {
		fputc('"', stdout);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', stdout);
			fputc(*s, stdout);
		}
		fputc('"', stdout);
	} else {
		fputs(s, stdout);
	}
	fputc(last ? '\n' : ',', stdout);
}

static void csv_num(double v)
{
	printf("%.4f,", v);
}

static void csv_int(long long v)
{
	printf("%lld,", v);
}

static void print_csv(const struct ls_trends_select *sel,
                      const struct trends_item **items, size_t n)
{
	static const char header[] =
	    "niveau,rang,thema,thema_label,uitsplitsing,uitsplitsing_label,"
	    "score,gemeenten,gemeenten_zeker,gemeenten_mogelijk,volledig,"
	    "stijgend,dalend,groei_pct,groei_pct_min,groei_pct_max,"
	    "robuuste_groei_pct_min,stijgend_sinds,op_rij,perioden_gemeld,"
	    "perioden,sectoren_zeker,sectoren_mogelijk,signalen_min,"
	    "signalen_max,signalen_exact,personen_min,personen_max,"
	    "jongeren_aandeel,spreiding,stijgend_aandeel,groei,terugkeer,"
	    "sectoren,omvang,jongeren,federatie_perioden,"
	    "federatie_gemeenten_min,federatie_gemeenten_max,"
	    "som_bereiken_min,som_bereiken_max,uitleg\n";
	fputs(header, stdout);
	for (size_t i = 0; i < n; i++) {
		const struct trends_item *it = items[i];
		int64_t slo, shi, plo, phi;
		ls_trends_value_interval(&it->signals, &slo, &shi);
		ls_trends_value_interval(&it->persons, &plo, &phi);
		csv_field(ls_trends_level_name_nl(it->level), 0);
		csv_int(shown_rank(sel, it, i));
		csv_field(it->theme_code, 0);
		csv_field(it->theme_label, 0);
		csv_field(it->other_code, 0);
		csv_field(it->other_label, 0);
		printf("%.2f,", it->score);
		csv_int(it->n_origins);
		csv_int(it->n_report_lo);
		csv_int(it->n_report_hi);
		csv_int(it->n_complete);
		csv_int(it->n_rising);
		csv_int(it->n_falling);
		if (it->has_growth) {
			csv_num(it->growth_mid * 100.0);
			csv_num(it->growth_lo * 100.0);
			csv_num(it->growth_hi * 100.0);
			csv_num(it->robust_growth_lo * 100.0);
		} else {
			fputs(",,,,", stdout);
		}
		csv_int(it->rising_since);
		csv_int(it->run);
		csv_int(it->periods_reported);
		csv_int(it->n_periods);
		csv_int(it->sectors_lo);
		csv_int(it->sectors_hi);
		csv_int(slo);
		csv_int(shi);
		csv_int(ls_trends_value_is_exact(&it->signals));
		csv_int(plo);
		csv_int(phi);
		csv_num(it->youth_share);
		for (int k = 0; k < TRENDS_C_COUNT_; k++)
			csv_num(it->component[k]);
		ls_trends_value_interval(&it->signals_ranges, &slo, &shi);
		csv_int(it->fed_periods);
		csv_int(it->fed_included_min);
		csv_int(it->fed_included_max);
		csv_int(slo);
		csv_int(shi);
		csv_field(it->explanation, 1);
	}
}

int cmd_trends(const struct ctl_context *ctx, int argc, char **argv)
{
	struct trends_args a;
	struct trends_ctl c;
	const struct trends_item **items = NULL;
	size_t n;
	int rc;

	if ((rc = parse(argc, argv, &a)) != CTL_EXIT_OK)
		return rc < 0 ? CTL_EXIT_OK : rc;
	rc = trends_ctl_load(ctx, "trends", &a.load, a.format == F_JSON, &c);
	if (rc != CTL_EXIT_OK) {
		trends_ctl_close(&c);
		return rc;
	}
	if ((rc = check_codes(c.t, &a)) != CTL_EXIT_OK) {
		trends_ctl_close(&c);
		return rc;
	}
	if (a.format == F_JSON) {
		json_t *j =
		    ls_trends_json(c.t, &a.sel, c.notes, trends_ctl_name, &c);
		if (j == NULL ||
		    json_dumpf(j, stdout,
		               JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0) {
			json_decref(j);
			trends_ctl_close(&c);
			ctl_error("onvoldoende geheugen");
			return CTL_EXIT_FAIL;
		}
		fputc('\n', stdout);
		json_decref(j);
		trends_ctl_close(&c);
		return CTL_EXIT_OK;
	}
	n = ls_trends_select(c.t, &a.sel, NULL, 0);
	if (n > 0 && (items = ls_calloc(n, sizeof *items)) == NULL) {
		trends_ctl_close(&c);
		ctl_error("onvoldoende geheugen");
		return CTL_EXIT_FAIL;
	}
	ls_trends_select(c.t, &a.sel, items, n);
	if (a.format == F_CSV)
		print_csv(&a.sel, items, n);
	else if (a.federation)
		print_federation(c.t, &a.sel, items, n);
	else
		print_text(&c, &a, items, n);
	ls_free(items);
	trends_ctl_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_error("kan de uitvoer niet schrijven");
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}
