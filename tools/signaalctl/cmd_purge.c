/*
 * signaalctl purge: retention. Blanks the free-text description of every
 * signal registered more than [retention] description_months ago; counts,
 * codes and dates stay, so trends are not affected.
 */
#include "common/err.h"
#include "core/period.h"
#include "store/signal.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl purge [--proef] [--peildatum JJJJ-MM-DD]\n"
    "\n"
    "Bewaartermijn: wist de vrije tekst (omschrijving) van signalen die\n"
    "langer dan [retention] description_months maanden geleden werden\n"
    "geregistreerd (zie signaal.ini). Tellingen, codes en datums blijven.\n"
    "De vrijgekomen ruimte wordt overschreven.\n"
    "\n"
    "  --proef              tel alleen, wis niets\n"
    "  --peildatum DATUM    reken vanaf DATUM in plaats van vandaag\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 1 fout.\n";

int cmd_purge(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"proef", no_argument, NULL, 'p'},
	    {"peildatum", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct ls_date ref, cutoff;
	struct ctl_node node;
	struct ls_errinfo e;
	char date[LS_DATE_SIZE];
	uint64_t count = 0;
	int c, rc, dry = 0, have_ref = 0, wiped = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			dry = 1;
			break;
		case 'r':
			if (ls_date_parse(optarg, strlen(optarg), &ref) !=
			    LS_OK)
				return ctl_usage("purge",
				                 "ongeldige datum '%s' "
				                 "(JJJJ-MM-DD)",
				                 optarg);
			have_ref = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_option("purge", argv);
		}
	}
	if (optind != argc)
		return ctl_usage("purge", "onverwacht argument '%s'",
		                 argv[optind]);
	if (!have_ref)
		ls_date_today(&ref);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	if (ls_date_add_months(&ref, -(int32_t)node.config.description_months,
	                       &cutoff) != LS_OK) {
		ctl_node_close(&node);
		ctl_error("de bewaartermijn valt buiten het datumbereik");
		return CTL_EXIT_INPUT;
	}
	ls_errinfo_clear(&e);
	rc = store_signal_purge(node.store, &cutoff, dry, &count, &wiped, &e);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	ls_date_format(&cutoff, date);
	printf("%llu %s van signalen geregistreerd vóór %s %s\n",
	       (unsigned long long)count,
	       count == 1 ? "omschrijving" : "omschrijvingen", date,
	       dry ? "zou(den) gewist worden (proef)" : "gewist");
	if (!dry && count > 0 && !wiped)
		fprintf(
		    stderr,
		    "let op: een ander proces gebruikt de databank; de oude "
		    "tekst wordt overschreven zodra het die loslaat\n");
	return CTL_EXIT_OK;
}
