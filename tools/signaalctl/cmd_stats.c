/*
 * signaalctl stats: the local, exact counts of a period (the raw summary
 * of store/summary.h), as a table. Local only: these numbers are not
 * anonymised and never leave the node this way.
 */
#include "common/err.h"
#include "common/text.h"
#include "core/period.h"
#include "core/summary.h"
#include "core/taxonomy.h"
#include "store/store.h"
#include "store/summary.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl stats [--tabel T] [--plafond N] PERIODE\n"
    "\n"
    "Lokale tellingen voor PERIODE (JJJJ-MM of JJJJ-MM+N), op\n"
    "registratiedatum: per thema het aantal signalen, het aantal\n"
    "betrokken personen (per signaal hoogstens het plafond), het aantal\n"
    "verschillende organisaties en melders. Een signaal met meerdere\n"
    "thema's telt bij elk thema. Deze cijfers zijn exact en niet\n"
    "geanonimiseerd: ze zijn alleen voor intern gebruik.\n"
    "\n"
    "  --tabel T     ook uitsplitsen naar leeftijd, doelgroep, sector of\n"
    "                probleemtype\n"
    "  --plafond N   personen per signaal hoogstens N (standaard 50; 0 is\n"
    "                geen plafond)\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 1 fout.\n";

static const struct {
	const char *name;
	enum ls_table_kind table;
} breakdowns[] = {
    {"leeftijd", LS_TABLE_THEME_AGE},
    {"doelgroep", LS_TABLE_THEME_TARGET},
    {"sector", LS_TABLE_THEME_SECTOR},
    {"probleemtype", LS_TABLE_THEME_PROBLEM},
};

static const char *theme_label(const struct ls_taxonomy *t, const char *code)
{
	const struct ls_taxonomy_entry *x =
	    ls_taxonomy_find(t, LS_DIM_THEME, code, strlen(code));
	return x ? x->label_nl : code;
}

int cmd_stats(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"tabel", required_argument, NULL, 't'},
	    {"plafond", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct ls_period period;
	struct ls_summary sum;
	struct ctl_node node;
	struct ls_errinfo e;
	char ptext[LS_PERIOD_SIZE];
	int table = -1, c, rc;
	int64_t cap = 50, total = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			for (size_t i = 0;
			     i < sizeof breakdowns / sizeof breakdowns[0]; i++)
				if (strcmp(optarg, breakdowns[i].name) == 0)
					table = (int)breakdowns[i].table;
			if (table < 0)
				return ctl_usage(
				    "stats",
				    "onbekende tabel '%s' "
				    "(leeftijd, doelgroep, sector, "
				    "probleemtype)",
				    optarg);
			break;
		case 'c':
			if (ls_parse_i64(optarg, 0, UINT32_MAX, &cap) != LS_OK)
				return ctl_usage(
				    "stats", "ongeldig plafond '%s'", optarg);
			break;
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_option("stats", argv);
		}
	}
	if (optind != argc - 1)
		return ctl_usage("stats", "geef precies één periode");
	if (ls_period_parse(argv[optind], &period) != LS_OK)
		return ctl_usage("stats",
		                 "ongeldige periode '%s' (JJJJ-MM of "
		                 "JJJJ-MM+N)",
		                 argv[optind]);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	ls_errinfo_clear(&e);
	rc = store_summary_raw(node.store, &period, (uint32_t)cap, &sum, &e);
	if (rc != LS_OK) {
		ls_summary_fini(&sum);
		ctl_node_close(&node);
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	ls_period_format(&period, ptext);
	printf("Lokale tellingen %s (knooppunt %s)\n\n", ptext,
	       node.config.node_id);
	printf("%-42s %9s %9s %13s %8s\n", "THEMA", "SIGNALEN", "PERSONEN",
	       "ORGANISATIES", "MELDERS");
	for (size_t i = 0; i < sum.tables[LS_TABLE_THEME].n_rows; i++) {
		const struct ls_summary_row *r =
		    &sum.tables[LS_TABLE_THEME].rows[i];
		const struct ls_recurrence_row *rec = NULL;
		for (size_t j = 0; j < sum.n_recurrence; j++)
			if (strcmp(sum.recurrence[j].theme, r->theme) == 0)
				rec = &sum.recurrence[j];
		printf("%-42.42s %9lld %9lld %13lld %8lld\n",
		       theme_label(store_taxonomy(node.store), r->theme),
		       (long long)r->signals.value, (long long)r->persons.value,
		       rec ? (long long)rec->organisations.value : 0LL,
		       rec ? (long long)rec->reporters.value : 0LL);
		total += r->signals.value;
	}
	if (sum.tables[LS_TABLE_THEME].n_rows == 0)
		printf("(geen signalen in deze periode)\n");
	else
		printf("%-42s %9lld  (een signaal telt bij elk van zijn "
		       "thema's)\n",
		       "totaal over de thema's", (long long)total);
	if (table >= 0) {
		const struct ls_summary_table *t = &sum.tables[table];
		printf("\n%-14s %-16s %9s %9s\n", "THEMA", "UITSPLITSING",
		       "SIGNALEN", "PERSONEN");
		for (size_t i = 0; i < t->n_rows; i++)
			printf("%-14s %-16s %9lld %9lld\n", t->rows[i].theme,
			       t->rows[i].other,
			       (long long)t->rows[i].signals.value,
			       (long long)t->rows[i].persons.value);
	}
	ls_summary_fini(&sum);
	ctl_node_close(&node);
	return CTL_EXIT_OK;
}
