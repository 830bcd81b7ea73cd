/*
 * signaalctl bundle: the signal bundle of a period as one self-contained
 * HTML file (view/bundle.c renders it; this file loads the trends, picks
 * the file name and writes it atomically: a temporary file in the same
 * directory, flushed and renamed, so a reader never sees half a report
 * and an existing file is only replaced when asked).
 */
#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/text.h"
#include "view/bundle.h"
#include "core/period.h"
#include "tools/signaalctl/commands.h"
#include "tools/signaalctl/trends_ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl bundle [--van JJJJ-MM] [--tot JJJJ-MM] [opties]\n"
    "\n"
    "Maakt de signalenbundel van een periode: \xc3\xa9\xc3\xa9n HTML-bestand "
    "in het\n"
    "Nederlands, zonder externe bestanden, om te lezen in een browser, te\n"
    "mailen of af te drukken naar PDF. Met: een korte samenvatting, de\n"
    "prioriteiten met hun uitleg, een hoofdstuk met grafiek per belangrijk\n"
    "thema, jongeren, de gemeenten naast elkaar, de erkende structurele\n"
    "signalen en acties, en de methode (bereiken, k, epsilon, de score en\n"
    "de documenten waaruit alles berekend is).\n"
    "\n"
    "Opties:\n"
    "  --van JJJJ-MM        eerste periode (ook --from); standaard zoveel\n"
    "                       perioden voor --tot als [trends] window zegt\n"
    "  --tot JJJJ-MM        laatste periode (ook --to); standaard de\n"
    "                       laatste die minstens de helft van de gemeenten\n"
    "                       heeft\n"
    "  --uit BESTAND        het HTML-bestand (ook --out, -o); standaard\n"
    "                       signalenbundel-VAN-TOT.html; '-' is de uitvoer\n"
    "  --overschrijven      een bestaand bestand vervangen\n"
    "  --titel T            titel (standaard 'Signalenbundel JJJJ\xe2\x80\x93"
    "JJJJ')\n"
    "  --gemeente ID        alleen deze gemeente (herhaalbaar)\n"
    "  --top N              zoveel thema's met een eigen hoofdstuk\n"
    "                       (standaard [trends] top)\n"
    "  --datum JJJJ-MM-DD   datum op de bundel (standaard vandaag)\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 4 geen samenvattingen,\n"
    "5 het bestand bestaat al, 1 fout.\n";

struct bundle_args {
	struct trends_ctl_args load;
	const char *out, *title, *date;
	int overwrite;
	int64_t top;
};

static int parse(int argc, char **argv, struct bundle_args *a)
{
	static const struct option opts[] = {
	    {"van", required_argument, NULL, 'v'},
	    {"from", required_argument, NULL, 'v'},
	    {"tot", required_argument, NULL, 't'},
	    {"to", required_argument, NULL, 't'},
	    {"uit", required_argument, NULL, 'o'},
	    {"out", required_argument, NULL, 'o'},
	    {"overschrijven", no_argument, NULL, 'w'},
	    {"titel", required_argument, NULL, 'T'},
	    {"gemeente", required_argument, NULL, 'g'},
	    {"top", required_argument, NULL, 'k'},
	    {"datum", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c, rc;
	memset(a, 0, sizeof *a);
	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			a->load.from = optarg;
			break;
		case 't':
			a->load.to = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'w':
			a->overwrite = 1;
			break;
		case 'T':
			if (optarg[0] == '\0' || strlen(optarg) > 150 ||
			    !ls_utf8_valid(optarg, strlen(optarg)))
				return ctl_usage(
				    "bundle", "de titel moet 1 tot 150 bytes "
				              "UTF-8 zijn");
			a->title = optarg;
			break;
		case 'g':
			if ((rc = trends_ctl_add_origin("bundle", &a->load,
			                                optarg)) != CTL_EXIT_OK)
				return rc;
			break;
		case 'k':
			if (ls_parse_i64(optarg, 1, 18, &a->top) != LS_OK)
				return ctl_usage(
				    "bundle",
				    "--top verwacht 1 tot 18, niet "
				    "'%.20s'",
				    optarg);
			break;
		case 'd': {
			struct ls_date d;
			if (ls_date_parse(optarg, strlen(optarg), &d) != LS_OK)
				return ctl_usage("bundle",
				                 "ongeldige datum '%.20s' "
				                 "(JJJJ-MM-DD)",
				                 optarg);
			a->date = optarg;
			break;
		}
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return ctl_usage("bundle", "onbekende optie");
		}
	}
	if (optind != argc)
		return ctl_usage("bundle", "onverwacht argument '%.40s'",
		                 argv[optind]);
	return CTL_EXIT_OK;
}

/* Write data to path (never a partial file); refuses to replace an
 * existing file unless overwrite. Dutch errors. */
static int write_file(const char *path, const char *data, size_t len,
                      int overwrite)
{
	int rc = ls_file_write_atomic(path, data, len, 0644, overwrite);
	if (rc == LS_OK)
		return CTL_EXIT_OK;
	if (rc == LS_EEXISTS) {
		ctl_error("%s bestaat al; kies een andere naam met --uit of "
		          "vervang het met --overschrijven",
		          path);
		return CTL_EXIT_CONFLICT;
	}
	ctl_error("kan %s niet maken: %s", path, strerror(errno));
	return CTL_EXIT_FAIL;
}

int cmd_bundle(const struct ctl_context *ctx, int argc, char **argv)
{
	struct bundle_args a;
	struct trends_ctl c;
	struct bundle_input in;
	struct ls_errinfo e;
	struct ls_buf buf;
	struct ls_date today;
	char date[LS_DATE_SIZE], path[512];
	char from[LS_PERIOD_SIZE], to[LS_PERIOD_SIZE];
	const char *out;
	int rc;

	if ((rc = parse(argc, argv, &a)) != CTL_EXIT_OK)
		return rc < 0 ? CTL_EXIT_OK : rc;
	rc = trends_ctl_load(ctx, "bundle", &a.load, 1, &c);
	if (rc != CTL_EXIT_OK) {
		trends_ctl_close(&c);
		return rc;
	}
	/* the window chosen (given, or the [trends] window up to the
	 * latest period), for messages and the file name */
	ls_period_format(&ls_trends_options_get(c.t)->first, from);
	ls_period_format(&ls_trends_options_get(c.t)->last, to);
	if (ls_trends_n_sources(c.t) == 0) {
		trends_ctl_close(&c);
		ctl_error("geen samenvattingen van %s tot %s in deze knoop",
		          from, to);
		return CTL_EXIT_NOTFOUND;
	}
	if (a.date == NULL) {
		ls_date_today(&today);
		ls_date_format(&today, date);
	} else {
		snprintf(date, sizeof date, "%s", a.date);
	}
	memset(&in, 0, sizeof in);
	in.trends = c.t;
	in.notes = c.notes;
	in.names = trends_ctl_name;
	in.names_ctx = &c;
	in.title = a.title;
	in.publisher = c.node.config.node_name;
	in.generated = date;
	in.top = (size_t)(a.top ? a.top : c.node.config.trends_top);
	ls_buf_init(&buf, 64u * 1024 * 1024);
	ls_errinfo_clear(&e);
	rc = ls_bundle_render(&in, &buf, &e);
	trends_ctl_close(&c);
	if (rc != LS_OK) {
		ls_buf_fini(&buf);
		ctl_error("de bundel maken lukt niet: %s", e.msg);
		return CTL_EXIT_FAIL;
	}
	if (a.out != NULL && strcmp(a.out, "-") == 0) {
		rc = fwrite(buf.data, 1, buf.len, stdout) == buf.len &&
		             fflush(stdout) == 0
		         ? CTL_EXIT_OK
		         : CTL_EXIT_FAIL;
		if (rc != CTL_EXIT_OK)
			ctl_error("kan de uitvoer niet schrijven");
		ls_buf_fini(&buf);
		return rc;
	}
	if (a.out != NULL) {
		out = a.out;
	} else {
		snprintf(path, sizeof path, "signalenbundel-%s-%s.html", from,
		         to);
		for (char *p = path; *p; p++)
			if (*p == '+')
				*p = 'p';
		out = path;
	}
	rc = write_file(out, buf.data, buf.len, a.overwrite);
	if (rc == CTL_EXIT_OK)
		printf("signalenbundel geschreven naar %s (%zu kB)\n", out,
		       (buf.len + 1023) / 1024);
	ls_buf_fini(&buf);
	return rc;
}
