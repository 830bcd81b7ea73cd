/*
 * gen-signals: synthetic signals for the ten pilot municipalities, in the
 * CSV import format of `signaalctl signal import`.
 *
 * Everything is invented: organisation names carry "(fictief)", reporter
 * ids are "mw-NNN", descriptions say they are synthetic. The output is a
 * pure function of the options: each municipality has its own random
 * stream (seed x municipality), so its rows do not depend on which other
 * municipalities are generated, and nothing reads the clock.
 *
 * Model: per municipality and month, about population/1000 x rate
 * signals (with a mild seasonal swing and +-15% noise), each with themes,
 * age band, target groups, sector and organisation drawn from fixed
 * weights. A planted trend adds, from a month on, extra signals of one
 * theme (and age band) that grow linearly month by month in a chosen set
 * of municipalities, e.g. "mentaal welzijn for 12-17 rising in 6
 * municipalities from month X":
 *
 *   --trend thema=mentaal,leeftijd=12-17,vanaf=2025-06,groei=40,gemeenten=6
 *
 * groei is the extra, in percent of that theme x age cell's normal
 * monthly count, added per month since `vanaf` (month 1: +40%, month 2:
 * +80%, ...). gemeenten is a count (picked with the seed) or a list
 * joined by '+', e.g. gemeenten=kortrijk+oud-turnhout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"
#include "core/period.h"

struct pilot {
	const char *id;
	const char *name;
	int population; /* rounded, 2023 */
};

static const struct pilot pilots[] = {
    {"berlaar", "Berlaar", 11900},
    {"bornem", "Bornem", 21700},
    {"dendermonde", "Dendermonde", 46800},
    {"eeklo", "Eeklo", 21400},
    {"gent", "Gent", 265000},
    {"kortrijk", "Kortrijk", 79300},
    {"mortsel", "Mortsel", 26500},
    {"oud-turnhout", "Oud-Turnhout", 14400},
    {"roeselare", "Roeselare", 64500},
    {"sint-niklaas", "Sint-Niklaas", 80800},
};
#define N_PILOTS (sizeof pilots / sizeof pilots[0])

struct weighted {
	const char *code;
	int weight;
};

/* Codes of configs/taxonomy.tsv (stable identifiers) with invented but
 * plausible weights. */
static const struct weighted themes[] = {
    {"wonen", 16},    {"energie", 8},    {"inkomen", 14}, {"gezondheid", 7},
    {"mentaal", 12},  {"onderwijs", 5},  {"werk", 5},     {"mobiliteit", 4},
    {"sociaal", 6},   {"digitaal", 5},   {"rechten", 6},  {"voedsel", 4},
    {"vrijetijd", 2}, {"veiligheid", 2}, {"gezin", 4},    {"verslaving", 2},
    {"migratie", 3},  {"overig", 1},
};
static const struct weighted ages[] = {
    {"0-11", 10},  {"12-17", 14},  {"18-24", 14},
    {"25-64", 40}, {"65plus", 16}, {"onbekend", 6},
};
static const struct weighted targets[] = {
    {"algemeen", 6},     {"gezin", 10},      {"eenouder", 8},
    {"alleenstaand", 8}, {"beperking", 6},   {"nieuwkomer", 6},
    {"dakloos", 4},      {"werkzoekend", 6}, {"student", 4},
    {"mantelzorger", 4}, {"jeugdhulp", 4},
};
static const struct weighted problems[] = {
    {"werking", 4},     {"afstemming", 3}, {"regelgeving", 3},
    {"risicogroep", 3}, {"informatie", 4}, {"beleidsleemte", 3},
};
static const struct weighted sectors[] = {
    {"thuiszorg", 8},     {"ocmw", 14},       {"caw", 12},
    {"eerstelijn", 8},    {"ggz", 6},         {"onderwijs", 6},
    {"jeugdwerk", 6},     {"huisvesting", 5}, {"werk", 4},
    {"vrijwilligers", 7}, {"politie", 2},     {"overig", 2},
};
/* Short organisation kinds per sector, for invented names. */
static const char *const sector_org[] = {
    "Thuiszorgdienst", "Sociale dienst", "CAW-team",  "Wijkgezondheidscentrum",
    "Centrum GGZ",     "Schoolteam",     "Jeugdhuis", "Woonmaatschappij",
    "Werkwinkel",      "Voedselbank",    "Wijkpost",  "Buurtwerking",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const descriptions[] = {
    "Synthetisch voorbeeld: wachttijd van enkele maanden voor hulp.",
    "Synthetisch voorbeeld: gezin kan de energiefactuur niet betalen.",
    "Synthetisch voorbeeld: jongere vindt geen betaalbare studio.",
    "Synthetisch voorbeeld: formulier alleen online, geen hulp ter plaatse.",
    "Synthetisch voorbeeld: oudere persoon zit geïsoleerd thuis.",
    "Synthetisch voorbeeld: schulden stapelen zich op na jobverlies.",
    "Synthetisch voorbeeld: geen vervoer naar afspraak in het ziekenhuis.",
    "Synthetisch voorbeeld: tiener met angstklachten, lange wachtlijst.",
    "Synthetisch voorbeeld: \"dringend\" volgens de begeleider; info "
    "ontbreekt.",
    "Synthetisch voorbeeld: rechten niet automatisch toegekend; aanvraag "
    "te complex.",
};

/* --- deterministic randomness -------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static size_t pick(struct rng *r, const struct weighted *w, size_t n)
{
	int total = 0, x;
	for (size_t i = 0; i < n; i++)
		total += w[i].weight;
	x = (int)rng_below(r, (uint32_t)total);
	for (size_t i = 0; i < n; i++) {
		if (x < w[i].weight)
			return i;
		x -= w[i].weight;
	}
	return n - 1;
}

static int weight_of(const struct weighted *w, size_t n, const char *code,
                     double *share)
{
	int total = 0, found = -1;
	for (size_t i = 0; i < n; i++) {
		total += w[i].weight;
		if (strcmp(w[i].code, code) == 0)
			found = (int)i;
	}
	if (found < 0)
		return -1;
	*share = (double)w[found].weight / total;
	return found;
}

/* --- options --------------------------------------------------------- */

#define MAX_TRENDS 8

struct trend {
	int theme;            /* index in themes */
	int age;              /* index in ages, -1: any */
	int32_t from;         /* month index */
	double growth;        /* fraction of the cell per month */
	uint8_t in[N_PILOTS]; /* municipalities with the trend */
};

struct options {
	uint64_t seed;
	struct ls_period start;
	int months;
	double rate; /* signals per 1000 inhabitants per month */
	int64_t rows;
	uint8_t selected[N_PILOTS];
	int n_selected;
	struct trend trends[MAX_TRENDS];
	int n_trends;
	const char *out;
	const char *out_dir;
	char sep;
	int english;
};

static const char help[] =
    "Gebruik: gen-signals [opties]\n"
    "\n"
    "Schrijft synthetische signalen (CSV, het importformaat van signaalctl)\n"
    "voor de tien pilootgemeenten, in verhouding tot hun bevolking.\n"
    "Alles is verzonnen; dezelfde opties geven altijd dezelfde uitvoer.\n"
    "\n"
    "  --seed N            startwaarde van het toeval (standaard 1)\n"
    "  --start JJJJ-MM     eerste maand (standaard 2025-01)\n"
    "  --months N          aantal maanden (standaard 12)\n"
    "  --rate R            signalen per 1000 inwoners per maand (0.5)\n"
    "  --rows N            ongeveer N signalen in totaal (in plaats van\n"
    "                      --rate)\n"
    "  --municipality ID   alleen deze gemeente (herhaalbaar); --list toont\n"
    "                      de ids\n"
    "  --trend SPEC        een trend planten, bv.\n"
    "                      thema=mentaal,leeftijd=12-17,vanaf=2025-06,\n"
    "                      groei=40,gemeenten=6 (groei: % van de gewone\n"
    "                      maandtelling erbij per maand; gemeenten: aantal\n"
    "                      of ids verbonden met '+'); herhaalbaar\n"
    "  --out BESTAND       één CSV (standaard de uitvoer)\n"
    "  --out-dir MAP       één CSV per gemeente: MAP/ID.csv\n"
    "  --separator C       ';' (standaard) of ','\n"
    "  --english           Engelse kolomnamen\n"
    "  --list              toon de gemeenten en stop\n";

static int find_pilot(const char *id, size_t len)
{
	for (size_t i = 0; i < N_PILOTS; i++)
		if (strlen(pilots[i].id) == len &&
		    memcmp(pilots[i].id, id, len) == 0)
			return (int)i;
	return -1;
}

/* gemeenten=: a number (*COUNT) or ids joined by '+' (marked in T). */
static int trend_pilots(const char *v, struct trend *t, int *count)
{
	int64_t n;

	if (ls_parse_i64(v, 1, N_PILOTS, &n) == LS_OK) {
		*count = (int)n;
		return 0;
	}
	for (const char *p = v; *p;) {
		const char *plus = strchr(p, '+');
		size_t len = plus ? (size_t)(plus - p) : strlen(p);
		int i = find_pilot(p, len);
		if (i < 0)
			return -1;
		t->in[i] = 1;
		p += len + (plus ? 1 : 0);
	}
	return 0;
}

/* The municipalities of trend number o->n_trends: COUNT of them by a
 * seeded shuffle, else the ids given, else all. */
static void trend_choose(const struct options *o, struct trend *t, int count)
{
	if (count > 0) {
		struct rng r = {o->seed ^ 0x7472656e64ull ^
		                (uint64_t)o->n_trends};
		int order[N_PILOTS];
		for (size_t i = 0; i < N_PILOTS; i++)
			order[i] = (int)i;
		for (size_t i = N_PILOTS - 1; i > 0; i--) {
			uint32_t j = rng_below(&r, (uint32_t)i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		for (int i = 0; i < count; i++)
			t->in[order[i]] = 1;
	} else {
		int any = 0;
		for (size_t i = 0; i < N_PILOTS; i++)
			any |= t->in[i];
		if (!any)
			memset(t->in, 1, sizeof t->in);
	}
}

static int parse_trend(struct options *o, const char *spec)
{
	struct trend t = {.theme = -1, .age = -1, .from = -1, .growth = 0.25};
	char buf[512];
	char *save = NULL;
	int count = -1;
	double share;
	if (o->n_trends == MAX_TRENDS) {
		fprintf(stderr, "gen-signals: te veel trends (max %d)\n",
		        MAX_TRENDS);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", spec);
	for (char *kv = strtok_r(buf, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *v;
		if (eq == NULL)
			goto bad;
		*eq = '\0';
		v = eq + 1;
		if (strcmp(kv, "thema") == 0) {
			t.theme = weight_of(themes, N(themes), v, &share);
			if (t.theme < 0)
				goto bad;
		} else if (strcmp(kv, "leeftijd") == 0) {
			t.age = weight_of(ages, N(ages), v, &share);
			if (t.age < 0)
				goto bad;
		} else if (strcmp(kv, "vanaf") == 0) {
			struct ls_period p;
			if (ls_period_parse(v, &p) != LS_OK || p.months != 1)
				goto bad;
			t.from = ls_month_index(p.year, p.month);
		} else if (strcmp(kv, "groei") == 0) {
			int64_t g;
			if (ls_parse_i64(v, 0, 10000, &g) != LS_OK)
				goto bad;
			t.growth = (double)g / 100.0;
		} else if (strcmp(kv, "gemeenten") == 0) {
			if (trend_pilots(v, &t, &count) != 0)
				goto bad;
		} else {
			goto bad;
		}
	}
	if (t.theme < 0 || t.from < 0)
		goto bad;
	trend_choose(o, &t, count);
	o->trends[o->n_trends++] = t;
	return 0;
bad:
	fprintf(stderr,
	        "gen-signals: ongeldige trend '%s' (bv. thema=mentaal,"
	        "leeftijd=12-17,vanaf=2025-06,groei=40,gemeenten=6)\n",
	        spec);
	return -1;
}

/* --- writing --------------------------------------------------------- */

static void write_header(FILE *out, const struct options *o)
{
	static const char *const nl[] = {
	    "geregistreerd_op", "vastgesteld_op",  "thema",  "probleemtype",
	    "leeftijd",         "doelgroep",       "sector", "organisatie",
	    "melder",           "aantal_personen", "ernst",  "wijk",
	    "omschrijving"};
	static const char *const en[] = {
	    "registered_at", "observed_on",      "theme",    "problem_type",
	    "age_band",      "target_group",     "sector",   "organisation",
	    "reporter",      "persons_affected", "severity", "neighbourhood",
	    "description"};
	for (size_t i = 0; i < N(nl); i++)
		fprintf(out, "%s%s", i ? (o->sep == ';' ? ";" : ",") : "",
		        o->english ? en[i] : nl[i]);
	fputs("\n", out);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The signal's themes: the first (forced, or drawn), sometimes a
 * second and rarely a third, all different. Returns how many. */
static size_t pick_themes(struct rng *r, int forced_theme, size_t th[3])
{
	size_t n_th = 1;

	th[0] = forced_theme >= 0 ? (size_t)forced_theme
	                          : pick(r, themes, N(themes));
	if (rng_below(r, 100) < 30) {
		size_t t2 = pick(r, themes, N(themes));
		if (t2 != th[0])
			th[n_th++] = t2;
		if (n_th == 2 && rng_below(r, 100) < 15) {
			size_t t3 = pick(r, themes, N(themes));
			if (t3 != th[0] && t3 != th[1])
				th[n_th++] = t3;
		}
	}
	return n_th;
}

/* Often an observation date up to 20 days before registration. */
static void write_observed(FILE *out, struct rng *r, struct ls_date reg)
{
	char date[LS_DATE_SIZE];
	struct ls_date obs = reg;
	int back;

	if (rng_below(r, 100) >= 60)
		return;
	back = (int)rng_below(r, 21);
	while (back-- > 0) {
		if (--obs.day == 0) {
			if (--obs.month == 0) {
				obs.month = 12;
				obs.year--;
			}
			obs.day = ls_days_in_month(obs.year, obs.month);
		}
	}
	if (obs.year >= LS_YEAR_MIN) {
		ls_date_format(&obs, date);
		fputs(date, out);
	}
}

/* No, one or two target groups (a drawn duplicate ends the list). */
static void write_targets(FILE *out, struct rng *r)
{
	size_t tg[2], n_tg;
	uint32_t x = rng_below(r, 100);

	n_tg = x < 40 ? 0 : x < 85 ? 1 : 2;
	for (size_t i = 0; i < n_tg; i++) {
		tg[i] = pick(r, targets, N(targets));
		if (i == 1 && tg[1] == tg[0])
			break;
		fprintf(out, "%s%s", i ? "|" : "", targets[tg[i]].code);
	}
}

/* Half the signals get a description, quoted CSV-style when needed. */
static void write_description(FILE *out, struct rng *r, char sep)
{
	const char *d;

	if (rng_below(r, 100) >= 50)
		return;
	d = descriptions[rng_below(r, N(descriptions))];
	if (strchr(d, sep) == NULL && strchr(d, '"') == NULL) {
		fputs(d, out);
		return;
	}
	fputc('"', out);
	for (const char *p = d; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

/* One signal; forced_theme/forced_age >= 0 for trend signals. Every
 * random draw happens in column order, so a seed gives the same file. */
static void write_signal(FILE *out, const struct options *o, struct rng *r,
                         size_t m, int year, int month, int day,
                         int forced_theme, int forced_age)
{
	char sep = o->sep;
	size_t th[3], n_th = pick_themes(r, forced_theme, th);
	size_t sector;
	struct ls_date reg = {year, month, day};
	char date[LS_DATE_SIZE];
	uint32_t x;

	ls_date_format(&reg, date);
	fprintf(out, "%s%c", date, sep);
	write_observed(out, r, reg);
	fputc(sep, out);
	for (size_t i = 0; i < n_th; i++)
		fprintf(out, "%s%s", i ? "|" : "", themes[th[i]].code);
	fputc(sep, out);
	if (rng_below(r, 100) < 50)
		fputs(problems[pick(r, problems, N(problems))].code, out);
	fputc(sep, out);
	fputs(
	    ages[forced_age >= 0 ? (size_t)forced_age : pick(r, ages, N(ages))]
	        .code,
	    out);
	fputc(sep, out);
	write_targets(out, r);
	fputc(sep, out);
	sector = pick(r, sectors, N(sectors));
	fprintf(out, "%s%c", sectors[sector].code, sep);
	/* Two invented organisations per sector and municipality. */
	fprintf(out, "%s %s %u (fictief)%c", sector_org[sector], pilots[m].name,
	        1 + rng_below(r, 2), sep);
	if (rng_below(r, 100) < 70)
		fprintf(out, "mw-%03u", 1 + rng_below(r, 40));
	fputc(sep, out);
	x = rng_below(r, 100);
	fprintf(out, "%u%c",
	        x < 70   ? 1
	        : x < 95 ? 2 + rng_below(r, 4)
	                 : 6 + rng_below(r, 35),
	        sep);
	if (rng_below(r, 100) < 80)
		fprintf(out, "%u", 1 + rng_below(r, 4));
	fputc(sep, out);
	if (rng_below(r, 100) < 60)
		fprintf(out, "Wijk %c (fictief)", 'A' + rng_below(r, 8));
	fputc(sep, out);
	write_description(out, r, sep);
	fputc('\n', out);
}

static double expected_per_month(const struct options *o, size_t m)
{
	return pilots[m].population / 1000.0 * o->rate;
}

static int generate(FILE *out, const struct options *o, size_t m,
                    int64_t *written)
{
	struct rng r = {o->seed * 0x100000001b3ull ^ hash_str(pilots[m].id)};
	int32_t first = ls_month_index(o->start.year, o->start.month);
	for (int k = 0; k < o->months; k++) {
		int32_t idx = first + k;
		int year = idx / 12, month = idx % 12 + 1;
		int dim = ls_days_in_month(year, month);
		double season = 1.0 + 0.12 * ((month == 1 || month == 2 ||
		                               month == 11 || month == 12)
		                                  ? 1
		                              : (month == 7 || month == 8) ? -1
		                                                           : 0);
		double base = expected_per_month(o, m) * season *
		              (0.85 + 0.30 * rng_unit(&r));
		long n = (long)(base + rng_unit(&r));
		long extra_total = 0;
		long extras[MAX_TRENDS] = {0};
		int *days;
		long total, at = 0;

		if (year > LS_YEAR_MAX)
			break;
		for (int t = 0; t < o->n_trends; t++) {
			const struct trend *tr = &o->trends[t];
			double share_t = 0, share_a = 1.0, cell;
			if (!tr->in[m] || idx < tr->from)
				continue;
			(void)weight_of(themes, N(themes),
			                themes[tr->theme].code, &share_t);
			if (tr->age >= 0)
				(void)weight_of(ages, N(ages),
				                ages[tr->age].code, &share_a);
			cell = expected_per_month(o, m) * share_t * share_a;
			extras[t] = (long)(cell * tr->growth *
			                       (double)(idx - tr->from + 1) +
			                   rng_unit(&r));
			extra_total += extras[t];
		}
		total = n + extra_total;
		if (total <= 0)
			continue;
		days = ls_calloc((size_t)total, sizeof *days);
		if (days == NULL)
			return -1;
		for (long i = 0; i < total; i++)
			days[i] = 1 + (int)rng_below(&r, (uint32_t)dim);
		qsort(days, (size_t)total, sizeof *days, cmp_int);
		/* Interleave trend signals among the ordinary ones. */
		for (long i = 0; i < total; i++) {
			int ft = -1, fa = -1;
			uint64_t pickx = rng_below(&r, (uint32_t)(total - i));
			if ((long)pickx < extra_total) {
				long acc = 0;
				for (int t = 0; t < o->n_trends; t++) {
					acc += extras[t];
					if ((long)pickx < acc) {
						ft = o->trends[t].theme;
						fa = o->trends[t].age;
						extras[t]--;
						break;
					}
				}
				extra_total--;
			}
			write_signal(out, o, &r, m, year, month, days[i], ft,
			             fa);
			at++;
		}
		ls_free(days);
		*written += at;
	}
	return ferror(out) ? -1 : 0;
}

/* What one command-line option means for the run. */
enum opt_result {
	OPT_NEXT,  /* taken; on to the next */
	OPT_USAGE, /* invalid: the help on stderr, exit 2 */
	OPT_FAIL,  /* invalid, already said why: exit 2 */
	OPT_DONE,  /* --list or --help done: exit 0 */
};

/* --municipality ID (repeatable). */
static enum opt_result select_pilot(struct options *o, const char *arg)
{
	int i = find_pilot(arg, strlen(arg));

	if (i < 0) {
		fprintf(stderr,
		        "gen-signals: onbekende gemeente '%s' (zie --list)\n",
		        arg);
		return OPT_FAIL;
	}
	if (!o->selected[i])
		o->n_selected++;
	o->selected[i] = 1;
	return OPT_NEXT;
}

/* --rate R: signals per 1000 inhabitants per month, above 0, below 1000. */
static enum opt_result parse_rate(struct options *o, const char *arg)
{
	char *end;

	errno = 0;
	o->rate = strtod(arg, &end);
	return errno || *end || !(o->rate > 0 && o->rate < 1000) ? OPT_USAGE
	                                                         : OPT_NEXT;
}

/* --list: id, name and population of every municipality. */
static void list_pilots(void)
{
	for (size_t i = 0; i < N_PILOTS; i++)
		printf("%-13s %-13s %7d\n", pilots[i].id, pilots[i].name,
		       pilots[i].population);
}

static enum opt_result option(struct options *o, int c, const char *arg)
{
	int64_t v;

	switch (c) {
	case 's':
		if (ls_parse_i64(arg, 0, INT64_MAX, &v) != LS_OK)
			return OPT_USAGE;
		o->seed = (uint64_t)v;
		return OPT_NEXT;
	case 'S':
		return ls_period_parse(arg, &o->start) != LS_OK ||
		               o->start.months != 1
		           ? OPT_USAGE
		           : OPT_NEXT;
	case 'm':
		if (ls_parse_i64(arg, 1, 120, &v) != LS_OK)
			return OPT_USAGE;
		o->months = (int)v;
		return OPT_NEXT;
	case 'r':
		return parse_rate(o, arg);
	case 'n':
		return ls_parse_i64(arg, 1, 100000000, &o->rows) != LS_OK
		           ? OPT_USAGE
		           : OPT_NEXT;
	case 'M':
		return select_pilot(o, arg);
	case 't':
		return parse_trend(o, arg) != 0 ? OPT_FAIL : OPT_NEXT;
	case 'o':
		o->out = arg;
		return OPT_NEXT;
	case 'O':
		o->out_dir = arg;
		return OPT_NEXT;
	case 'p':
		if (strcmp(arg, ";") && strcmp(arg, ","))
			return OPT_USAGE;
		o->sep = arg[0];
		return OPT_NEXT;
	case 'e':
		o->english = 1;
		return OPT_NEXT;
	case 'l':
		list_pilots();
		return OPT_DONE;
	case 'h':
		fputs(help, stdout);
		return OPT_DONE;
	default:
		return OPT_USAGE;
	}
}

/* Without --municipality: all of them; with --rows: the rate for it. */
static void finish_options(struct options *o)
{
	if (o->n_selected == 0) {
		memset(o->selected, 1, sizeof o->selected);
		o->n_selected = (int)N_PILOTS;
	}
	if (o->rows > 0) {
		double pop = 0;
		for (size_t i = 0; i < N_PILOTS; i++)
			if (o->selected[i])
				pop += pilots[i].population / 1000.0;
		o->rate = (double)o->rows / (pop * o->months);
	}
}

/* On stderr: every planted trend and where. */
static void report_trends(const struct options *o)
{
	for (int t = 0; t < o->n_trends; t++) {
		fprintf(stderr, "trend %s%s%s vanaf maand %d in:",
		        themes[o->trends[t].theme].code,
		        o->trends[t].age >= 0 ? " voor " : "",
		        o->trends[t].age >= 0 ? ages[o->trends[t].age].code
		                              : "",
		        o->trends[t].from % 12 + 1);
		for (size_t i = 0; i < N_PILOTS; i++)
			if (o->trends[t].in[i] && o->selected[i])
				fprintf(stderr, " %s", pilots[i].id);
		fputc('\n', stderr);
	}
}

/* --out-dir: one CSV per municipality. Returns the exit code. */
static int write_dir(const struct options *o, int64_t *written)
{
	if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen-signals: kan %s niet maken: %s\n",
		        o->out_dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < N_PILOTS; i++) {
		char path[4096];
		FILE *f;
		if (!o->selected[i])
			continue;
		snprintf(path, sizeof path, "%s/%s.csv", o->out_dir,
		         pilots[i].id);
		f = fopen(path, "w");
		if (f == NULL) {
			fprintf(stderr, "gen-signals: %s: %s\n", path,
			        strerror(errno));
			return 1;
		}
		write_header(f, o);
		if (generate(f, o, i, written) != 0 || fclose(f) != 0) {
			fprintf(stderr,
			        "gen-signals: schrijven naar %s mislukt\n",
			        path);
			return 1;
		}
	}
	return 0;
}

/* One CSV: --out or the standard output. Returns the exit code. */
static int write_one(const struct options *o, int64_t *written)
{
	FILE *f = o->out ? fopen(o->out, "w") : stdout;

	if (f == NULL) {
		fprintf(stderr, "gen-signals: %s: %s\n", o->out,
		        strerror(errno));
		return 1;
	}
	write_header(f, o);
	for (size_t i = 0; i < N_PILOTS; i++)
		if (o->selected[i] && generate(f, o, i, written) != 0)
			return 1;
	if (fflush(f) != 0 || (o->out && fclose(f) != 0)) {
		fprintf(stderr, "gen-signals: schrijven mislukt\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"seed", required_argument, NULL, 's'},
	    {"start", required_argument, NULL, 'S'},
	    {"months", required_argument, NULL, 'm'},
	    {"rate", required_argument, NULL, 'r'},
	    {"rows", required_argument, NULL, 'n'},
	    {"municipality", required_argument, NULL, 'M'},
	    {"trend", required_argument, NULL, 't'},
	    {"out", required_argument, NULL, 'o'},
	    {"out-dir", required_argument, NULL, 'O'},
	    {"separator", required_argument, NULL, 'p'},
	    {"english", no_argument, NULL, 'e'},
	    {"list", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct options o = {.seed = 1,
	                    .start = {2025, 1, 1},
	                    .months = 12,
	                    .rate = 0.5,
	                    .sep = ';'};
	int64_t written = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (option(&o, c, optarg)) {
		case OPT_NEXT:
			break;
		case OPT_USAGE:
			goto usage;
		case OPT_FAIL:
			return 2;
		case OPT_DONE:
			return 0;
		}
	}
	if (optind != argc || (o.out && o.out_dir))
		goto usage;
	finish_options(&o);
	report_trends(&o);
	rc = o.out_dir != NULL ? write_dir(&o, &written)
	                       : write_one(&o, &written);
	if (rc != 0)
		return rc;
	fprintf(stderr, "%lld synthetische signalen geschreven\n",
	        (long long)written);
	return 0;
usage:
	fputs(help, stderr);
	return 2;
}
