/*
 * signaalctl taxonomy: list the codes, add a local sub-code.
 */
#include "common/err.h"
#include "core/taxonomy.h"
#include "store/store.h"
#include "store/taxonomy.h"
#include "tools/signaalctl/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl taxonomy list [--dimensie D]\n"
    "         signaalctl taxonomy add DIMENSIE CODE --onder CODE --label "
    "TEKST\n"
    "                                 [--label-en TEXT]\n"
    "\n"
    "De codes van signalen: thema, probleemtype, leeftijd, doelgroep,\n"
    "sector. De gedeelde codes zijn voor de hele federatie gelijk. Een\n"
    "gemeente kan lokale subcodes toevoegen onder een gedeelde code (bv.\n"
    "'wonen-studenten' onder 'wonen'); in samenvattingen tellen ze mee\n"
    "onder die gedeelde code en verlaten ze het knooppunt nooit.\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 3 ongeldige code, 5 code bestaat al.\n";

static int taxonomy_list(struct ctl_node *node, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dimensie", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
	const struct ls_taxonomy *t = store_taxonomy(node->store);
	int only = -1, c;
	enum ls_dim dim;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			return ctl_usage_option("taxonomy", argv);
		if (ls_dim_parse(optarg, &dim) != LS_OK)
			return ctl_usage("taxonomy",
			                 "onbekende dimensie '%s' (thema, "
			                 "probleemtype, leeftijd, doelgroep, "
			                 "sector)",
			                 optarg);
		only = (int)dim;
	}
	printf("%-13s %-20s %-14s %s\n", "DIMENSIE", "CODE", "ONDER", "LABEL");
	for (size_t i = 0; i < t->n; i++) {
		const struct ls_taxonomy_entry *x = &t->entries[i];
		if (only >= 0 && x->dim != only)
			continue;
		printf("%-13s %-20s %-14s %s\n",
		       ls_dim_name_nl((enum ls_dim)x->dim), x->code,
		       x->local ? x->parent : "-", x->label_nl);
	}
	return CTL_EXIT_OK;
}

static int taxonomy_add(struct ctl_node *node, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"onder", required_argument, NULL, 'o'},
	    {"label", required_argument, NULL, 'l'},
	    {"label-en", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0}};
	const char *parent = NULL, *label = NULL, *label_en = NULL;
	struct ls_errinfo e;
	enum ls_dim dim;
	int c, rc;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			parent = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'e':
			label_en = optarg;
			break;
		default:
			return ctl_usage_option("taxonomy", argv);
		}
	}
	if (optind != argc - 2 || parent == NULL || label == NULL)
		return ctl_usage("taxonomy",
		                 "geef DIMENSIE CODE --onder CODE --label "
		                 "TEKST");
	if (ls_dim_parse(argv[optind], &dim) != LS_OK)
		return ctl_usage("taxonomy", "onbekende dimensie '%s'",
		                 argv[optind]);
	ls_errinfo_clear(&e);
	rc = store_taxonomy_add_local(node->store, dim, argv[optind + 1],
	                              parent, label, label_en, &e);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return ctl_exit_for(rc);
	}
	printf("lokale code %s '%s' toegevoegd onder '%s'\n",
	       ls_dim_name_nl(dim), argv[optind + 1], parent);
	return CTL_EXIT_OK;
}

/* Open the node for a verb (after its --help) and close it after. */
static int on_node(const struct ctl_context *ctx, int argc, char **argv,
                   int (*verb)(struct ctl_node *node, int argc, char **argv),
                   int writes)
{
	struct ctl_node node;
	int rc;
	if (ctl_is_help(argc, argv)) {
		fputs(help, stdout);
		return CTL_EXIT_OK;
	}
	rc =
	    writes ? ctl_node_open(ctx, &node) : ctl_node_open_read(ctx, &node);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = verb(&node, argc, argv);
	ctl_node_close(&node);
	return rc;
}

static int verb_list(const struct ctl_context *ctx, int argc, char **argv)
{
	return on_node(ctx, argc, argv, taxonomy_list, 0);
}

static int verb_add(const struct ctl_context *ctx, int argc, char **argv)
{
	return on_node(ctx, argc, argv, taxonomy_add, 1);
}

int cmd_taxonomy(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct ctl_verb verbs[] = {
	    {"list", verb_list, NULL},
	    {"add", verb_add, NULL},
	};
	return ctl_run_verb("taxonomy", help, verbs,
	                    sizeof verbs / sizeof verbs[0], ctx, argc, argv);
}
