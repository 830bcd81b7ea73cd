/*
 * Helpers shared by the subcommands: opening a node (config + store),
 * mapping error codes to exit codes, and uniform Dutch error output.
 */
#include "tools/signaalctl/ctl.h"
#include "common/err.h"
#include "common/log.h"
#include "common/path.h"
#include "node/config_file.h"
#include "node/trust.h"
#include "proto/key.h"
#include "store/store.h"

#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ctl_error(const char *fmt, ...)
{
	va_list ap;
	fputs("signaalctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *ctl_errmsg(int code, const struct ls_errinfo *e)
{
	if (e != NULL && e->code != LS_OK)
		code = e->code;
	if (e != NULL && e->msg[0] != '\0')
		return e->msg;
	return ls_strerror_nl(code);
}

/* The part of a document a developer message names first ("roster: ..."),
 * in the operator's words. Only these names are shown: the rest of the
 * message is English and may name anything. */
static const struct {
	const char *dev;
	const char *nl;
} where_names[] = {
    {"roster", "ledenregister"},
    {"envelope", "envelop"},
    {"summary", "samenvatting"},
    {"policy", "beleid"},
    {"taxonomy", "taxonomie"},
    {"status", "statusbericht"},
    {"fedsum", "federatiesamenvatting"},
    {"dossier_note", "dossiernotitie"},
    {"payload", "inhoud"},
    {"signature", "handtekening"},
    {"signing", "ondertekening"},
    {"session", "sessie"},
    {"secagg", "veilige aggregatie"},
    {"fork proof", "forkbewijs"},
    {"sync message", "synchronisatiebericht"},
    {"vv", "versievector"},
    {"digest", "digest"},
};

const char *ctl_errmsg_dev(int code, const struct ls_errinfo *e)
{
	static char buf[256];
	const char *colon;
	const char *where = NULL;

	if (e != NULL && e->code != LS_OK)
		code = e->code;
	if (code == LS_OK)
		code = LS_EINTERNAL;
	if (e != NULL && e->msg[0] != '\0') {
		LS_INFO("ctl", "error_detail", "code=%s detail=\"%.400s\"",
		        ls_errname(code), e->msg);
		colon = strchr(e->msg, ':');
		for (size_t i = 0; colon != NULL &&
		                   i < sizeof where_names / sizeof *where_names;
		     i++)
			if (strlen(where_names[i].dev) ==
			        (size_t)(colon - e->msg) &&
			    strncmp(e->msg, where_names[i].dev,
			            (size_t)(colon - e->msg)) == 0)
				where = where_names[i].nl;
	}
	if (where != NULL)
		snprintf(buf, sizeof buf, "%s (in: %s)", ls_strerror_nl(code),
		         where);
	else
		snprintf(buf, sizeof buf, "%s", ls_strerror_nl(code));
	return buf;
}

int ctl_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("signaalctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nZie 'signaalctl %s --help'.\n", cmd);
	return CTL_EXIT_USAGE;
}

int ctl_usage_option(const char *cmd, char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";
	return ctl_usage(
	    cmd, "onbekende optie, of een optie zonder waarde: '%.60s'", opt);
}

int ctl_is_help(int argc, char **argv)
{
	return argc >= 2 &&
	       (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

static void print_verbs(FILE *out, const char *command,
                        const struct ctl_verb *verbs, size_t n)
{
	fprintf(out, "Gebruik: signaalctl %s OPDRACHT ...\n\n", command);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", verbs[i].name,
		        verbs[i].summary ? verbs[i].summary : "");
	fprintf(out, "\n'signaalctl %s OPDRACHT --help' voor meer.\n", command);
}

int ctl_run_verb(const char *command, const char *help,
                 const struct ctl_verb *verbs, size_t n,
                 const struct ctl_context *ctx, int argc, char **argv)
{
	if (argc < 2 || ctl_is_help(argc, argv)) {
		FILE *out = argc < 2 ? stderr : stdout;
		if (help != NULL)
			fputs(help, out);
		else
			print_verbs(out, command, verbs, n);
		return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(ctx, argc - 1, argv + 1);
	return ctl_usage(command, "onbekende opdracht '%.40s'", argv[1]);
}

int ctl_exit_for(int code)
{
	switch (code) {
	case LS_OK:
		return CTL_EXIT_OK;
	case LS_EINVAL:
	case LS_EDECODE:
	case LS_ELIMIT:
		return CTL_EXIT_INPUT;
	case LS_ENOTFOUND:
		return CTL_EXIT_NOTFOUND;
	case LS_EEXISTS:
	case LS_ESTATE:
	case LS_EDENIED:
		return CTL_EXIT_CONFLICT;
	default:
		return CTL_EXIT_FAIL;
	}
}

char *ctl_node_path(const struct ctl_context *ctx, const char *rel, char *buf,
                    size_t size)
{
	return ls_path_join(ctx->node_dir, rel, buf, size) == LS_OK ? buf
	                                                            : NULL;
}

/* Read DIR/signaal.ini and open its store with the start check at
 * level (store_open_node: the check signaald makes at its start). */
static int node_open(const struct ctl_context *ctx, struct ctl_node *node,
                     enum store_check_level level)
{
	char ini[4096], db[4096];
	struct ls_errinfo e;
	int rc;

	memset(node, 0, sizeof *node);
	ls_errinfo_clear(&e);
	if (ctl_node_path(ctx, "signaal.ini", ini, sizeof ini) == NULL) {
		ctl_error("pad naar de knooppuntmap is te lang");
		return CTL_EXIT_USAGE;
	}
	rc = node_config_load(ini, &node->config, &e);
	if (rc == LS_ENOTFOUND || rc == LS_EIO || rc == LS_EDENIED) {
		ctl_error("geen knooppunt in %s (%s ontbreekt of is niet "
		          "leesbaar); maak er een met 'signaalctl init' of "
		          "kies de map met -d",
		          ctx->node_dir, ini);
		return CTL_EXIT_NOTFOUND;
	}
	if (rc != LS_OK) {
		ctl_error("%s: %s", ini, e.msg);
		return CTL_EXIT_FAIL;
	}
	if (ctl_node_path(ctx, node->config.store_path, db, sizeof db) ==
	    NULL) {
		ctl_error("pad naar de databank is te lang");
		return CTL_EXIT_FAIL;
	}
	rc = store_open_node(db, &node->config, level, &node->store, &e);
	if (rc != LS_OK) {
		ctl_error("%s", ctl_errmsg(rc, &e));
		return rc == LS_ENOTFOUND ? CTL_EXIT_NOTFOUND : CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int ctl_node_open(const struct ctl_context *ctx, struct ctl_node *node)
{
	return node_open(ctx, node, STORE_CHECK_QUICK);
}

int ctl_node_open_read(const struct ctl_context *ctx, struct ctl_node *node)
{
	return node_open(ctx, node, STORE_CHECK_HEADER);
}

void ctl_node_close(struct ctl_node *node)
{
	store_close(node->store);
	node->store = NULL;
}

const char *ctl_actor(const char *given)
{
	const char *v;
	if (given != NULL && given[0] != '\0')
		return given;
	if ((v = getenv("SIGNAAL_USER")) != NULL && v[0] != '\0')
		return v;
	if ((v = getenv("USER")) != NULL && v[0] != '\0')
		return v;
	return "onbekend";
}

const char *ctl_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

int ctl_trust_load(const struct ctl_context *ctx, struct ctl_node *node,
                   struct node_trust *t)
{
	char path[4096];
	uint8_t pk[LS_PUBKEY_BYTES], id[LS_KEY_ID_BYTES];
	struct ls_errinfo e;
	int rc;

	ls_errinfo_clear(&e);
	if (node->config.federation_id[0] == '\0') {
		node_trust_init(t, NULL, NULL);
		return CTL_EXIT_OK;
	}
	if (ctl_node_path(ctx, node->config.anchor_path, path, sizeof path) ==
	        NULL ||
	    proto_pubkey_load(path, pk, id, &e) != LS_OK) {
		ctl_error("de publieke sleutel van de federatie ([federation] "
		          "anchor = %s) is niet leesbaar: %s",
		          node->config.anchor_path,
		          ctl_errmsg_dev(LS_EKEY, &e));
		return CTL_EXIT_FAIL;
	}
	node_trust_init(t, node->config.federation_id, pk);
	rc = node_trust_load(t, node->store, (int64_t)time(NULL), &e);
	if (rc != LS_OK) {
		node_trust_fini(t);
		ctl_error("de federatiedocumenten in de databank zijn niet "
		          "geldig: %s",
		          ctl_errmsg_dev(rc, &e));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}
