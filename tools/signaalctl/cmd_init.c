/*
 * signaalctl init: create a node directory.
 *
 *   DIR/signaal.ini    config (id, name, role, store, retention)
 *   DIR/keys/node.key  fresh Ed25519 secret key, mode 0600
 *   DIR/keys/node.pub  its public half
 *   DIR/signaal.db     the store, schema up to date, taxonomy loaded
 *
 * Nothing that exists is overwritten. If a step fails, the files made by
 * the earlier steps are removed again (in reverse order), so `init` can
 * simply be run again.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/text.h"
#include "core/config.h"
#include "proto/key.h"
#include "store/store.h"
#include "store/taxonomy.h"
#include "tools/signaalctl/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAXONOMY_MAX_BYTES (1024 * 1024)

static const char help[] =
    "Gebruik: signaalctl [-d MAP] init [opties] [MAP]\n"
    "\n"
    "Maakt een nieuw knooppunt in MAP (of de map van -d): de configuratie\n"
    "signaal.ini, de databank signaal.db met de gedeelde codes, en een\n"
    "nieuwe sleutel keys/node.key (alleen leesbaar voor de eigenaar) met\n"
    "keys/node.pub. Bestaande bestanden worden nooit overschreven.\n"
    "\n"
    "Opties:\n"
    "  --id ID            naam van het knooppunt (a-z, 0-9, '-'); standaard\n"
    "                     de naam van de map\n"
    "  --naam NAAM        naam voor mensen, bv. 'Gemeente Kortrijk'\n"
    "  --rol ROL          gemeente (standaard) of koepel\n"
    "  --sync NIVEAU      full (standaard: bestand tegen stroomuitval) of\n"
    "                     normal (sneller)\n"
    "  --taxonomie BESTAND de codes (standaard configs/taxonomy.tsv van de\n"
    "                     installatie, of $SIGNAAL_TAXONOMY)\n"
    "  --config BESTAND   neem de configuratie uit BESTAND over (bv. een\n"
    "                     voorbeeld uit configs/nodes/, aangepast); niet\n"
    "                     samen met --id, --naam, --rol of --sync\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 3 ongeldige invoer,\n"
    "5 er staat al een knooppunt, 1 andere fout.\n";

/* Where the shared taxonomy is: given, $SIGNAAL_TAXONOMY, or beside the
 * program (source tree build/ or build/asan/, or an installed
 * PREFIX/bin with PREFIX/share/signaal). */
static int find_taxonomy(const char *given, char *out, size_t size)
{
	static const char *const rel[] = {
	    "../configs/taxonomy.tsv", "../../configs/taxonomy.tsv",
	    "../share/signaal/configs/taxonomy.tsv"};
	char exe[4096];
	const char *env = getenv("SIGNAAL_TAXONOMY");
	char *slash;
	ssize_t n;
	if (given != NULL) {
		snprintf(out, size, "%s", given);
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		snprintf(out, size, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0'; /* the program's directory */
	for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		if ((size_t)snprintf(out, size, "%s/%s", exe, rel[i]) >= size)
			continue;
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

int cmd_init(const struct ctl_context *ctx_in, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"id", required_argument, NULL, 'i'},
	    {"naam", required_argument, NULL, 'n'},
	    {"rol", required_argument, NULL, 'r'},
	    {"sync", required_argument, NULL, 's'},
	    {"taxonomie", required_argument, NULL, 't'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct ctl_context ctx = *ctx_in;
	const char *id = NULL, *name = NULL, *role = "gemeente", *sync = "full",
	           *taxonomy = NULL, *config = NULL;
	int given = 0;
	char ini_path[4096], db_path[4096], keys_dir[4096], sec[4096],
	    pub[4096], tax_path[4096], dir_copy[4096], text[8192];
	char ini_text[2 * LS_CONFIG_NAME_SIZE + 256];
	struct ls_config cfg;
	struct ls_errinfo e;
	struct ls_keypair *kp = NULL;
	struct store *store = NULL;
	struct store_options sopt = {.create = 1};
	struct stat st;
	char *tax_text = NULL;
	size_t tax_len = 0, added = 0;
	int made_dir = 0, rc, c, exit_code = CTL_EXIT_FAIL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			id = optarg;
			given = 1;
			break;
		case 'n':
			name = optarg;
			given = 1;
			break;
		case 'r':
			role = optarg;
			given = 1;
			break;
		case 's':
			sync = optarg;
			given = 1;
			break;
		case 'c':
			config = optarg;
			break;
		case 't':
			taxonomy = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage("init", "onbekende optie");
		}
	}
	if (optind < argc - 1)
		return ctl_usage("init", "te veel argumenten");
	if (optind == argc - 1)
		ctx.node_dir = argv[optind];
	if (config != NULL) {
		if (given)
			return ctl_usage("init",
			                 "--config gaat niet samen met "
			                 "--id, --naam, --rol of --sync");
		ls_errinfo_clear(&e);
		if (ls_config_load(config, &cfg, &e) != LS_OK) {
			ctl_error("%s: %s", config, e.msg);
			return e.code == LS_EIO ? CTL_EXIT_NOTFOUND
			                        : CTL_EXIT_INPUT;
		}
		goto have_config;
	}
	if (id == NULL) {
		snprintf(dir_copy, sizeof dir_copy, "%s", ctx.node_dir);
		id = basename(dir_copy);
		if (!ls_node_id_valid(id, strlen(id)))
			return ctl_usage("init",
			                 "de mapnaam '%s' is geen geldige id; "
			                 "geef --id",
			                 id);
	}
	/* Build the config through the parser, so that the same checks
	 * apply as when it is read back. */
	snprintf(ini_text, sizeof ini_text,
	         "[node]\nid = %s\nname = %s\nrole = %s\n[store]\n"
	         "synchronous = %s\n",
	         id, name ? name : id, role, sync);
	ls_errinfo_clear(&e);
	if (strchr(id, '\n') || (name && strchr(name, '\n')) ||
	    strchr(role, '\n') || strchr(sync, '\n') ||
	    ls_config_parse(ini_text, strlen(ini_text), &cfg, &e) != LS_OK) {
		const char *why = strchr(e.msg, ':');
		ctl_error("ongeldige waarde%s", why ? why : "");
		return CTL_EXIT_INPUT;
	}
have_config:
	if (find_taxonomy(taxonomy, tax_path, sizeof tax_path) != 0) {
		ctl_error("de codelijst (taxonomy.tsv) is niet gevonden; geef "
		          "--taxonomie BESTAND");
		return CTL_EXIT_FAIL;
	}
	if (ls_file_read_all(tax_path, TAXONOMY_MAX_BYTES, &tax_text,
	                     &tax_len) != LS_OK) {
		ctl_error("kan %s niet lezen: %s", tax_path, strerror(errno));
		return taxonomy ? CTL_EXIT_INPUT : CTL_EXIT_FAIL;
	}
	if (!ctl_node_path(&ctx, "signaal.ini", ini_path, sizeof ini_path) ||
	    !ctl_node_path(&ctx, cfg.store_path, db_path, sizeof db_path) ||
	    !ctl_node_path(&ctx, "keys", keys_dir, sizeof keys_dir) ||
	    !ctl_node_path(&ctx, "keys/node.key", sec, sizeof sec) ||
	    !ctl_node_path(&ctx, "keys/node.pub", pub, sizeof pub)) {
		ctl_error("pad te lang");
		goto out;
	}
	if (stat(ini_path, &st) == 0 || stat(db_path, &st) == 0 ||
	    stat(sec, &st) == 0) {
		ctl_error("in %s staat al een knooppunt; er is niets gewijzigd",
		          ctx.node_dir);
		exit_code = CTL_EXIT_CONFLICT;
		goto out;
	}
	if (mkdir(ctx.node_dir, 0750) == 0)
		made_dir = 1;
	else if (errno != EEXIST) {
		ctl_error("kan map %s niet maken: %s", ctx.node_dir,
		          strerror(errno));
		goto out;
	}
	if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST) {
		ctl_error("kan map %s niet maken: %s", keys_dir,
		          strerror(errno));
		goto err_after_dir;
	}
	if ((rc = ls_config_format(&cfg, text, sizeof text)) != LS_OK ||
	    ls_file_write_atomic(ini_path, text, strlen(text), 0640, 0) != 0) {
		ctl_error("kan %s niet schrijven: %s", ini_path,
		          strerror(errno));
		goto err_after_keys_dir;
	}
	if (proto_keypair_generate(&kp) != LS_OK ||
	    proto_keypair_save(kp, sec, pub) != LS_OK) {
		ctl_error("kan de sleutel niet maken in %s", keys_dir);
		goto err_after_ini;
	}
	/* The store holds personal data: create it readable for the owner
	 * (and group) only; SQLite gives -wal and -shm the same mode. */
	{
		int fd = open(db_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		              0640);
		if (fd < 0) {
			ctl_error("kan %s niet aanmaken: %s", db_path,
			          strerror(errno));
			goto err_after_key;
		}
		close(fd);
	}
	sopt.synchronous = cfg.synchronous;
	sopt.busy_timeout_ms = cfg.busy_timeout_ms;
	if (store_open(db_path, &sopt, &store, &e) != LS_OK) {
		ctl_error("%s", e.msg);
		store = NULL;
		goto err_after_store;
	}
	if ((rc = store_taxonomy_load_tsv(store, tax_text, tax_len, &added,
	                                  NULL, &e)) != LS_OK) {
		ctl_error("%s: %s", tax_path, e.msg);
		exit_code = taxonomy ? ctl_exit_for(rc) : CTL_EXIT_FAIL;
		goto err_after_store;
	}
	store_close(store);
	printf("Knooppunt '%s' (%s) gemaakt in %s\n", cfg.node_id,
	       cfg.node_name, ctx.node_dir);
	{
		char kid[LS_KEY_ID_HEX_SIZE];
		ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, kid);
		printf("  sleutel-id  %s\n", kid);
	}
	printf("  databank    %s (%zu codes)\n", db_path, added);
	printf("  sleutel     %s (alleen leesbaar voor de eigenaar)\n", sec);
	proto_keypair_free(kp);
	ls_free(tax_text);
	return CTL_EXIT_OK;

err_after_store:
	store_close(store);
	{
		char side[4200];
		unlink(db_path);
		snprintf(side, sizeof side, "%s-wal", db_path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", db_path);
		unlink(side);
	}
err_after_key:
	unlink(sec);
	unlink(pub);
err_after_ini:
	unlink(ini_path);
err_after_keys_dir:
	rmdir(keys_dir);
err_after_dir:
	if (made_dir)
		rmdir(ctx.node_dir);
out:
	proto_keypair_free(kp);
	ls_free(tax_text);
	return exit_code;
}
