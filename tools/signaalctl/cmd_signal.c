/*
 * signaalctl signal: add | import | list | show | export | erase.
 *
 * Every way in goes through the same field parser and validation as the
 * CSV import (core/signal.h): `signal add` turns its options into fields
 * by their Dutch column names (--thema is the column "thema",
 * --aantal-personen is "aantal_personen").
 */
#include "common/err.h"
#include "common/file.h"
#include "common/text.h"
#include "core/csv.h"
#include "core/period.h"
#include "core/signal.h"
#include "view/signal_json.h"
#include "store/import.h"
#include "store/signal.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char filter_help[] =
    "Filters:\n"
    "  --periode P      JJJJ-MM (een maand) of JJJJ-MM+N (N maanden), op\n"
    "                   registratiedatum\n"
    "  --thema CODE     een thema (een gedeelde code omvat haar lokale\n"
    "                   subcodes)\n"
    "  --leeftijd CODE  een leeftijdsgroep\n"
    "  --status S       nieuw, gekoppeld of afgesloten\n";

/* --- signal add ------------------------------------------------------ */

static const char add_help[] =
    "Gebruik: signaalctl signal add --thema CODE[|CODE...] --leeftijd CODE\n"
    "         --sector CODE --organisatie NAAM [opties]\n"
    "\n"
    "Registreert één signaal en toont zijn id. De opties zijn de kolommen\n"
    "van het CSV-formaat (zie de handleiding):\n"
    "  --geregistreerd-op DATUM  JJJJ-MM-DD (standaard vandaag)\n"
    "  --vastgesteld-op DATUM    wanneer het werd vastgesteld\n"
    "  --thema CODES             1 tot 3 thema's, gescheiden door '|'\n"
    "  --probleemtype CODE\n"
    "  --leeftijd CODE           leeftijdsgroep ('onbekend' mag)\n"
    "  --doelgroep CODES         doelgroepen, gescheiden door '|'\n"
    "  --sector CODE             sector van de meldende organisatie\n"
    "  --organisatie NAAM        de meldende organisatie\n"
    "  --melder ID               lokale id van de veldwerker\n"
    "  --aantal-personen N       geschat aantal betrokken personen (1)\n"
    "  --ernst N                 1 tot 4\n"
    "  --wijk TEKST\n"
    "  --omschrijving TEKST      vrije tekst (wordt na de bewaartermijn\n"
    "                            gewist)\n"
    "\n"
    "Afsluitcodes: 0 bewaard, 3 ongeldige invoer (niets bewaard), 1 fout.\n";

static int signal_add(const struct ctl_context *ctx, int argc, char **argv)
{
	struct option opts[LS_FIELD_COUNT_ + 2];
	char names[LS_FIELD_COUNT_][40];
	const char *given[LS_FIELD_COUNT_] = {0};
	struct ctl_node node;
	struct ls_signal sig;
	struct ls_errinfo e;
	enum ls_signal_field bad;
	char today[LS_DATE_SIZE], hex[LS_SIGNAL_ID_HEX_SIZE];
	size_t n = 0;
	int c, rc;

	/* One long option per field except id and status: the column
	 * name with '-' for '_'. */
	for (int f = LS_FIELD_REGISTERED_AT; f < LS_FIELD_COUNT_; f++) {
		snprintf(names[f], sizeof names[f], "%s",
		         ls_signal_field_name_nl((enum ls_signal_field)f));
		for (char *p = names[f]; *p; p++)
			if (*p == '_')
				*p = '-';
		opts[n].name = names[f];
		opts[n].has_arg = required_argument;
		opts[n].flag = NULL;
		opts[n].val = 256 + f;
		n++;
	}
	opts[n] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n + 1] = (struct option){NULL, 0, NULL, 0};
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(add_help, stdout);
			return CTL_EXIT_OK;
		}
		if (c < 256)
			return ctl_usage_option("signal add", argv);
		given[c - 256] = optarg;
	}
	if (optind != argc)
		return ctl_usage("signal add", "onverwacht argument '%s'",
		                 argv[optind]);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_signal_init(&sig);
	if (given[LS_FIELD_REGISTERED_AT] == NULL) {
		struct ls_date d;
		ls_date_today(&d);
		ls_date_format(&d, today);
		given[LS_FIELD_REGISTERED_AT] = today;
	}
	for (int f = 0; f < LS_FIELD_COUNT_; f++) {
		if (given[f] == NULL)
			continue;
		ls_errinfo_clear(&e);
		rc = ls_signal_set_field(&sig, (enum ls_signal_field)f,
		                         given[f], strlen(given[f]),
		                         store_taxonomy(node.store), &e);
		if (rc != LS_OK) {
			ctl_error("--%s: %s", names[f], e.msg);
			ctl_node_close(&node);
			return CTL_EXIT_INPUT;
		}
	}
	if (ls_signal_validate(&sig, &bad, &e) != LS_OK) {
		ctl_error("--%s: %s", names[bad], e.msg);
		ctl_node_close(&node);
		return CTL_EXIT_INPUT;
	}
	rc = store_signal_insert(node.store, &sig, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	ls_signal_id_format(sig.id, hex);
	printf("%s\n", hex);
	return CTL_EXIT_OK;
}

/* --- signal import --------------------------------------------------- */

static const char import_help[] =
    "Gebruik: signaalctl signal import [--proef] BESTAND\n"
    "\n"
    "Leest signalen in uit een CSV-bestand (BESTAND '-' is de invoer):\n"
    "een kopregel met kolomnamen (Nederlands of Engels), scheidingsteken\n"
    "';' of ',' (wordt herkend), UTF-8 met of zonder BOM. De kolommen\n"
    "staan in de handleiding.\n"
    "\n"
    "Alles of niets: bij één foute regel wordt niets bewaard. De fout\n"
    "noemt de regel, de kolom en wat er mis is (de eerste 10 fouten en het\n"
    "totaal). Op een terminal toont een balk de voortgang.\n"
    "\n"
    "  --proef   alles controleren, niets bewaren\n"
    "\n"
    "Afsluitcodes: 0 ingelezen, 3 ongeldige invoer (niets bewaard),\n"
    "1 fout (niets bewaard).\n";

struct file_source {
	int fd;
};

static long read_fd_cb(void *ctx, char *buf, size_t cap)
{
	struct file_source *src = ctx;
	for (;;) {
		ssize_t n = read(src->fd, buf, cap);
		if (n >= 0)
			return (long)n;
		if (errno != EINTR)
			return -1;
	}
}

struct progress {
	uint64_t total; /* file size, 0 if unknown */
	int shown;
};

static void progress_cb(void *ctx, uint64_t bytes, uint64_t rows)
{
	struct progress *p = ctx;
	int pct, filled;
	char bar[31];
	if (p->total == 0)
		return;
	pct = (int)(bytes * 100 / p->total);
	if (pct > 100)
		pct = 100;
	filled = pct * 30 / 100;
	memset(bar, '#', (size_t)filled);
	memset(bar + filled, '.', (size_t)(30 - filled));
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %3d%%  %llu signalen", bar, pct,
	        (unsigned long long)rows);
	p->shown = 1;
}

static int signal_import(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"proef", no_argument, NULL, 'p'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct store_import_options opt = {0};
	struct store_import_result res;
	struct file_source src = {.fd = -1};
	struct progress prog = {0};
	struct ctl_node node;
	const char *path;
	struct stat st;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt.dry_run = 1;
			break;
		case 'h':
			fputs(import_help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_option("signal import", argv);
		}
	}
	if (optind != argc - 1)
		return ctl_usage("signal import", "geef precies één bestand");
	path = argv[optind];
	if (strcmp(path, "-") == 0) {
		src.fd = STDIN_FILENO;
	} else {
		src.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (src.fd < 0) {
			ctl_error("kan %s niet openen: %s", path,
			          ls_errno_nl(errno));
			return errno == ENOENT ? CTL_EXIT_NOTFOUND
			                       : CTL_EXIT_FAIL;
		}
		if (fstat(src.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			ctl_error("%s is een map, geen bestand", path);
			close(src.fd);
			return CTL_EXIT_INPUT;
		}
	}
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK) {
		if (src.fd != STDIN_FILENO)
			close(src.fd);
		return rc;
	}
	if (isatty(STDERR_FILENO) && fstat(src.fd, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size > 0) {
		prog.total = (uint64_t)st.st_size;
		opt.progress = progress_cb;
		opt.progress_ctx = &prog;
	}
	rc = store_import_csv(node.store, read_fd_cb, &src, &opt, &res);
	ctl_node_close(&node);
	if (src.fd != STDIN_FILENO)
		close(src.fd);
	if (prog.shown)
		fputc('\n', stderr);
	if (rc != LS_OK) {
		for (size_t i = 0; i < res.n_listed; i++)
			fprintf(stderr, "  %s\n", res.errors[i].msg);
		if (res.n_errors > res.n_listed)
			fprintf(
			    stderr, "  ... en nog %llu\n",
			    (unsigned long long)(res.n_errors - res.n_listed));
		ctl_error("%llu %s in %s; er is niets ingelezen",
		          (unsigned long long)res.n_errors,
		          res.n_errors == 1 ? "fout" : "fouten", path);
		return rc == LS_EINVAL ? CTL_EXIT_INPUT : ctl_exit_for(rc);
	}
	if (opt.dry_run)
		printf("%llu signalen in orde in %s (proef: niets bewaard)\n",
		       (unsigned long long)res.rows, path);
	else
		printf("%llu signalen ingelezen uit %s\n",
		       (unsigned long long)res.rows, path);
	return CTL_EXIT_OK;
}

/* --- filters shared by list and export ------------------------------- */

enum {
	OPT_PERIOD = 300,
	OPT_THEME,
	OPT_AGE,
	OPT_STATUS,
	OPT_LIMIT,
	OPT_FORMAT,
	OPT_OUT,
	OPT_NO_BOM,
	OPT_HELP
};

static int parse_filter_opt(int c, const char *arg, const char *cmd,
                            struct store_signal_filter *f)
{
	enum ls_signal_status st;
	int64_t v;
	switch (c) {
	case OPT_PERIOD:
		if (ls_period_parse(arg, &f->period) != LS_OK)
			return ctl_usage(cmd,
			                 "ongeldige periode '%s' (JJJJ-MM of "
			                 "JJJJ-MM+N)",
			                 arg);
		f->has_period = 1;
		return CTL_EXIT_OK;
	case OPT_THEME:
		f->theme = arg;
		return CTL_EXIT_OK;
	case OPT_AGE:
		f->age = arg;
		return CTL_EXIT_OK;
	case OPT_STATUS:
		if (ls_signal_status_parse(arg, strlen(arg), &st) != LS_OK)
			return ctl_usage(cmd,
			                 "onbekende status '%s' (nieuw, "
			                 "gekoppeld, afgesloten)",
			                 arg);
		f->status = (int)st;
		return CTL_EXIT_OK;
	case OPT_LIMIT:
		if (ls_parse_i64(arg, 1, INT64_MAX, &v) != LS_OK)
			return ctl_usage(cmd, "ongeldige limiet '%s'", arg);
		f->limit = (uint64_t)v;
		return CTL_EXIT_OK;
	}
	return ctl_usage(cmd, "onbekende optie");
}

#define FILTER_OPTIONS                                                         \
	{"periode", required_argument, NULL, OPT_PERIOD},                      \
	    {"thema", required_argument, NULL, OPT_THEME},                     \
	    {"leeftijd", required_argument, NULL, OPT_AGE},                    \
	    {"status", required_argument, NULL, OPT_STATUS},                   \
	    {"limiet", required_argument, NULL, OPT_LIMIT},                    \
	{                                                                      \
		"help", no_argument, NULL, OPT_HELP                            \
	}

static void codes_text(const struct ls_taxonomy_entry *const *list, size_t n,
                       char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
		                         i ? "|" : "", list[i]->code);
}

/* --- signal list ----------------------------------------------------- */

static const char list_help_head[] =
    "Gebruik: signaalctl signal list [filters] [--limiet N]\n"
    "\n"
    "Toont signalen, oudste registratie eerst: id, registratiedatum,\n"
    "thema's, leeftijd, sector, aantal personen, status en organisatie.\n"
    "\n";

struct list_state {
	uint64_t n;
};

static int list_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct list_state *ls = ctx;
	char hex[LS_SIGNAL_ID_HEX_SIZE], date[LS_DATE_SIZE], themes[100];
	(void)created;
	ls_signal_id_format(sig->id, hex);
	ls_date_format(&sig->registered_at, date);
	codes_text(sig->themes, sig->n_themes, themes, sizeof themes);
	if (ls->n == 0)
		printf("%-32s  %-10s  %-24s  %-8s  %-12s  %6s  %-10s  %s\n",
		       "ID", "DATUM", "THEMA'S", "LEEFTIJD", "SECTOR", "AANTAL",
		       "STATUS", "ORGANISATIE");
	printf("%-32s  %-10s  %-24s  %-8s  %-12s  %6lld  %-10s  %.*s\n", hex,
	       date, themes, sig->age->code, sig->sector->code,
	       (long long)sig->persons,
	       ls_signal_status_name((enum ls_signal_status)sig->status),
	       (int)sig->organisation.len, sig->organisation.ptr);
	ls->n++;
	return 0;
}

static int signal_list(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {FILTER_OPTIONS,
	                                     {NULL, 0, NULL, 0}};
	struct store_signal_filter f = {.status = -1};
	struct list_state ls = {0};
	struct ctl_node node;
	struct ls_errinfo e;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == OPT_HELP || c == 'h') {
			fputs(list_help_head, stdout);
			fputs(filter_help, stdout);
			fputs("  --limiet N       hoogstens N signalen\n",
			      stdout);
			return CTL_EXIT_OK;
		}
		if ((rc = parse_filter_opt(c, optarg, "signal list", &f)) !=
		    CTL_EXIT_OK)
			return rc;
	}
	if (optind != argc)
		return ctl_usage("signal list", "onverwacht argument '%s'",
		                 argv[optind]);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_signal_list(node.store, &f, list_cb, &ls, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	printf("%llu %s\n", (unsigned long long)ls.n,
	       ls.n == 1 ? "signaal" : "signalen");
	return CTL_EXIT_OK;
}

/* --- signal show ----------------------------------------------------- */

static const char show_help[] =
    "Gebruik: signaalctl signal show ID\n"
    "\n"
    "Toont alle velden van één signaal (ID: 32 hexadecimale tekens).\n"
    "Afsluitcodes: 0 gevonden, 4 niet gevonden, 2 ongeldige id.\n";

static int show_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	char hex[LS_SIGNAL_ID_HEX_SIZE], date[LS_DATE_SIZE], buf[200], when[32];
	(void)ctx;
	ls_signal_id_format(sig->id, hex);
	printf("id               %s\n", hex);
	printf("status           %s\n",
	       ls_signal_status_name((enum ls_signal_status)sig->status));
	ls_date_format(&sig->registered_at, date);
	printf("geregistreerd_op %s\n", date);
	if (sig->has_observed_on) {
		ls_date_format(&sig->observed_on, date);
		printf("vastgesteld_op   %s\n", date);
	}
	codes_text(sig->themes, sig->n_themes, buf, sizeof buf);
	printf("thema            %s\n", buf);
	if (sig->problem)
		printf("probleemtype     %s\n", sig->problem->code);
	printf("leeftijd         %s\n", sig->age->code);
	if (sig->n_targets) {
		codes_text(sig->targets, sig->n_targets, buf, sizeof buf);
		printf("doelgroep        %s\n", buf);
	}
	printf("sector           %s\n", sig->sector->code);
	printf("organisatie      %.*s\n", (int)sig->organisation.len,
	       sig->organisation.ptr);
	if (sig->reporter.len)
		printf("melder           %.*s\n", (int)sig->reporter.len,
		       sig->reporter.ptr);
	printf("aantal_personen  %lld\n", (long long)sig->persons);
	if (sig->severity)
		printf("ernst            %d\n", sig->severity);
	if (sig->neighbourhood.len)
		printf("wijk             %.*s\n", (int)sig->neighbourhood.len,
		       sig->neighbourhood.ptr);
	if (sig->description.len)
		printf("omschrijving     %.*s\n", (int)sig->description.len,
		       sig->description.ptr);
	printf("bewaard_op       %s UTC\n",
	       ctl_time(created, when, sizeof when));
	return 0;
}

static int parse_id(const char *cmd, const char *text,
                    uint8_t id[LS_SIGNAL_ID_BYTES])
{
	if (ls_signal_id_parse(text, id) != LS_OK)
		return ctl_usage(cmd,
		                 "ongeldige signaal-id '%.40s' (32 "
		                 "hexadecimale tekens)",
		                 text);
	return CTL_EXIT_OK;
}

static int signal_show(const struct ctl_context *ctx, int argc, char **argv)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	struct ctl_node node;
	struct ls_errinfo e;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(show_help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2)
		return ctl_usage("signal show", "geef precies één id");
	if ((rc = parse_id("signal show", argv[1], id)) != CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_signal_get(node.store, id, show_cb, NULL, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	return CTL_EXIT_OK;
}

/* --- signal export --------------------------------------------------- */

static const char export_help_head[] =
    "Gebruik: signaalctl signal export [--formaat csv|json] [--uit BESTAND]\n"
    "         [filters]\n"
    "\n"
    "Schrijft signalen weg, met alle velden. CSV gebruikt ';' en de\n"
    "Nederlandse kolomnamen van het importformaat (plus id en status, die\n"
    "'signal import' ook aanvaardt), met een BOM zodat Excel de tekens\n"
    "juist toont. JSON is een lijst van objecten met dezelfde namen.\n"
    "Een exportbestand bevat persoonsgegevens: het wordt aangemaakt met\n"
    "rechten 0600 en een bestaand bestand wordt niet overschreven. Het\n"
    "krijgt zijn naam pas als alles geschreven is: een mislukte export\n"
    "laat geen (half) bestand achter.\n"
    "\n"
    "  --formaat F      csv (standaard) of json\n"
    "  --uit BESTAND    schrijf naar BESTAND (standaard de uitvoer)\n"
    "  --zonder-bom     CSV zonder BOM\n"
    "\n";

struct export_state {
	FILE *out;
	int json;
	uint64_t n;
	int failed;
};

static void csv_field(FILE *out, const char *p, size_t len)
{
	int quote;
	if (len == 0)
		return; /* p may be NULL for an absent text */
	quote = p[0] == ' ' || p[len - 1] == ' ';
	for (size_t i = 0; i < len && !quote; i++)
		if (p[i] == ';' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
			quote = 1;
	if (!quote) {
		fwrite(p, 1, len, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"')
			fputc('"', out);
		fputc(p[i], out);
	}
	fputc('"', out);
}

static int export_cb(void *ctx, const struct ls_signal *sig, int64_t created)
{
	struct export_state *x = ctx;
	char hex[LS_SIGNAL_ID_HEX_SIZE], reg[LS_DATE_SIZE],
	    obs[LS_DATE_SIZE] = "", themes[100], targets[300], num[24];
	(void)created;
	ls_signal_id_format(sig->id, hex);
	ls_date_format(&sig->registered_at, reg);
	if (sig->has_observed_on)
		ls_date_format(&sig->observed_on, obs);
	codes_text(sig->themes, sig->n_themes, themes, sizeof themes);
	codes_text(sig->targets, sig->n_targets, targets, sizeof targets);
	if (!x->json) {
		const char *status =
		    ls_signal_status_name((enum ls_signal_status)sig->status);
		fprintf(x->out, "%s;%s;%s;%s;%s;%s;%s;%s;%s;", hex, status, reg,
		        obs, themes, sig->problem ? sig->problem->code : "",
		        sig->age->code, targets, sig->sector->code);
		csv_field(x->out, sig->organisation.ptr, sig->organisation.len);
		fputc(';', x->out);
		csv_field(x->out, sig->reporter.ptr, sig->reporter.len);
		fprintf(x->out, ";%lld;", (long long)sig->persons);
		if (sig->severity)
			fprintf(x->out, "%d", sig->severity);
		fputc(';', x->out);
		csv_field(x->out, sig->neighbourhood.ptr,
		          sig->neighbourhood.len);
		fputc(';', x->out);
		csv_field(x->out, sig->description.ptr, sig->description.len);
		fputs("\r\n", x->out);
	} else {
		json_t *o = ls_signal_json(sig);
		char *text;
		text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)
		         : NULL;
		json_decref(o);
		if (text == NULL) {
			x->failed = 1;
			return 1;
		}
		fprintf(x->out, "%s  %s", x->n ? ",\n" : "", text);
		free(text);
	}
	(void)num;
	x->n++;
	if (ferror(x->out)) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* The options of signal export; -1 after --help. */
static int export_parse(int argc, char **argv, struct store_signal_filter *f,
                        struct export_state *x, const char **out_path,
                        int *bom)
{
	static const struct option opts[] = {
	    FILTER_OPTIONS,
	    {"formaat", required_argument, NULL, OPT_FORMAT},
	    {"uit", required_argument, NULL, OPT_OUT},
	    {"zonder-bom", no_argument, NULL, OPT_NO_BOM},
	    {NULL, 0, NULL, 0}};
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == OPT_HELP || c == 'h') {
			fputs(export_help_head, stdout);
			fputs(filter_help, stdout);
			return -1;
		}
		if (c == OPT_FORMAT) {
			if (strcmp(optarg, "csv") == 0)
				x->json = 0;
			else if (strcmp(optarg, "json") == 0)
				x->json = 1;
			else
				return ctl_usage(
				    "signal export",
				    "onbekend formaat '%s' (csv of "
				    "json)",
				    optarg);
			continue;
		}
		if (c == OPT_OUT) {
			*out_path = optarg;
			continue;
		}
		if (c == OPT_NO_BOM) {
			*bom = 0;
			continue;
		}
		if ((rc = parse_filter_opt(c, optarg, "signal export", f)) !=
		    CTL_EXIT_OK)
			return rc;
	}
	if (optind != argc)
		return ctl_usage("signal export", "onverwacht argument '%s'",
		                 argv[optind]);
	return CTL_EXIT_OK;
}

/* A temporary file (0600 from the first byte) that gets the name
 * OUT_PATH only when everything was written: a failed export leaves
 * no file that looks complete. TMP receives its name. */
static int export_open(const char *out_path, char *tmp, size_t tmp_size,
                       FILE **out)
{
	struct stat st;
	int fd = -1;

	if (stat(out_path, &st) == 0)
		errno = EEXIST;
	else
		(void)ls_file_tmp_create(out_path, 0600, tmp, tmp_size, &fd);
	if (fd < 0 || (*out = fdopen(fd, "w")) == NULL) {
		int err = errno;
		ctl_error("kan %s niet aanmaken: %s", out_path,
		          ls_errno_nl(err));
		if (fd >= 0)
			ls_file_tmp_abort(fd, tmp);
		return err == EEXIST ? CTL_EXIT_CONFLICT : CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

/* CSV: the BOM (unless --zonder-bom) and the header row; JSON: "[". */
static void export_header(struct export_state *x, int bom)
{
	if (!x->json) {
		if (bom)
			fputs("\xEF\xBB\xBF", x->out);
		for (int fl = 0; fl < LS_FIELD_COUNT_; fl++)
			fprintf(
			    x->out, "%s%s", fl ? ";" : "",
			    ls_signal_field_name_nl((enum ls_signal_field)fl));
		fputs("\r\n", x->out);
	} else {
		fputs("[\n", x->out);
	}
}

/* Closes the --uit file and gives it its name when the listing (RC)
 * and every write succeeded, else removes it. */
static int export_commit(const char *out_path, const char *tmp, int rc,
                         struct export_state *x)
{
	int err = 0;

	if (fclose(x->out) != 0 && !x->failed) {
		err = errno;
		x->failed = 1;
	}
	if (rc == LS_OK && !x->failed &&
	    ls_file_tmp_commit(-1, tmp, out_path, 0) != LS_OK) {
		err = errno;
		x->failed = 1;
	} else if (rc != LS_OK || x->failed) {
		ls_file_tmp_abort(-1, tmp);
	}
	if (x->failed) {
		ctl_error("schrijven naar %s mislukt%s%s; er is geen "
		          "bestand gemaakt",
		          out_path, err ? ": " : "",
		          err ? ls_errno_nl(err) : "");
		return err == EEXIST ? CTL_EXIT_CONFLICT : CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

static int signal_export(const struct ctl_context *ctx, int argc, char **argv)
{
	struct store_signal_filter f = {.status = -1};
	struct export_state x = {0};
	struct ctl_node node;
	struct ls_errinfo e;
	const char *out_path = NULL;
	char tmp[4200];
	int rc, bom = 1;

	if ((rc = export_parse(argc, argv, &f, &x, &out_path, &bom)) != 0)
		return rc < 0 ? CTL_EXIT_OK : rc;
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	x.out = stdout;
	if (out_path != NULL &&
	    (rc = export_open(out_path, tmp, sizeof tmp, &x.out)) !=
	        CTL_EXIT_OK) {
		ctl_node_close(&node);
		return rc;
	}
	export_header(&x, bom);
	ls_errinfo_clear(&e);
	rc = store_signal_list(node.store, &f, export_cb, &x, &e);
	ctl_node_close(&node);
	if (x.json)
		fputs(x.n ? "\n]\n" : "]\n", x.out);
	if (fflush(x.out) != 0 || ferror(x.out))
		x.failed = 1;
	if (out_path != NULL) {
		int crc = export_commit(out_path, tmp, rc, &x);
		if (crc != CTL_EXIT_OK)
			return crc;
	}
	if (rc != LS_OK && !x.failed) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	if (x.failed) {
		ctl_error("schrijven mislukt");
		return CTL_EXIT_FAIL;
	}
	if (out_path != NULL)
		printf("%llu signalen geschreven naar %s\n",
		       (unsigned long long)x.n, out_path);
	return CTL_EXIT_OK;
}

/* --- signal erase ---------------------------------------------------- */

static const char erase_help[] =
    "Gebruik: signaalctl signal erase ID\n"
    "\n"
    "Recht op vergetelheid: verwijdert het signaal uit de databank, met\n"
    "zijn koppelingen aan dossiers (en de melder-id als geen ander signaal\n"
    "die nog gebruikt). De vrijgekomen ruimte wordt overschreven, zodat\n"
    "de tekst ook niet meer in de bestanden staat. Dossiergeschiedenis\n"
    "noemt nooit signalen, en samenvattingen die het knooppunt al heeft\n"
    "verlaten bevatten enkel tellingen.\n"
    "\n"
    "Afsluitcodes: 0 gewist, 4 niet gevonden, 2 ongeldige id, 1 fout.\n";

static int signal_erase(const struct ctl_context *ctx, int argc, char **argv)
{
	uint8_t id[LS_SIGNAL_ID_BYTES];
	struct ctl_node node;
	struct ls_errinfo e;
	int rc, wiped = 0;
	if (ctl_is_help(argc, argv)) {
		fputs(erase_help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2)
		return ctl_usage("signal erase", "geef precies één id");
	if ((rc = parse_id("signal erase", argv[1], id)) != CTL_EXIT_OK)
		return rc;
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_signal_erase(node.store, id, &wiped, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	printf("signaal %s gewist\n", argv[1]);
	if (!wiped)
		fprintf(
		    stderr,
		    "let op: een ander proces gebruikt de databank; de oude "
		    "gegevens worden overschreven zodra het die loslaat\n");
	return CTL_EXIT_OK;
}

/* --- dispatch -------------------------------------------------------- */

static const struct ctl_verb subcommands[] = {
    {.name = "add", .run = signal_add, .summary = "één signaal registreren"},
    {.name = "import",
     .run = signal_import,
     .summary = "signalen inlezen uit een CSV-bestand"},
    {.name = "list", .run = signal_list, .summary = "signalen tonen"},
    {.name = "show",
     .run = signal_show,
     .summary = "alle velden van één signaal"},
    {.name = "export",
     .run = signal_export,
     .summary = "signalen wegschrijven als CSV of JSON"},
    {.name = "erase",
     .run = signal_erase,
     .summary = "een signaal definitief wissen (recht op vergetelheid)"},
};

int cmd_signal(const struct ctl_context *ctx, int argc, char **argv)
{
	return ctl_run_verb("signal", NULL, subcommands,
	                    sizeof subcommands / sizeof subcommands[0], ctx,
	                    argc, argv);
}
