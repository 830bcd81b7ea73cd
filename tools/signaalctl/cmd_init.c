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
#include "node/config_file.h"
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

struct init_opts {
	const char *id, *name, *role, *sync, *taxonomy, *config, *dir;
	int given; /* any of --id, --naam, --rol, --sync */
};

/* The command line into *o. -1 to go on, else the exit code. */
static int parse_opts(int argc, char **argv, struct init_opts *o)
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
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->id = optarg;
			o->given = 1;
			break;
		case 'n':
			o->name = optarg;
			o->given = 1;
			break;
		case 'r':
			o->role = optarg;
			o->given = 1;
			break;
		case 's':
			o->sync = optarg;
			o->given = 1;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 't':
			o->taxonomy = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_option("init", argv);
		}
	}
	if (optind < argc - 1)
		return ctl_usage("init", "te veel argumenten");
	if (optind == argc - 1)
		o->dir = argv[optind];
	if (o->config != NULL && o->given)
		return ctl_usage("init", "--config gaat niet samen met --id, "
		                         "--naam, --rol of --sync");
	return -1;
}

/* The new node's config: the file given with --config, or one made from
 * the options (through the parser, so that the same checks apply as when
 * it is read back). CTL_EXIT_OK or the exit code. */
static int make_config(const struct init_opts *o, const char *node_dir,
                       struct ls_config *cfg)
{
	char dir_copy[4096], ini_text[2 * LS_CONFIG_NAME_SIZE + 256];
	const char *id = o->id;
	struct ls_errinfo e;

	ls_errinfo_clear(&e);
	if (o->config != NULL) {
		if (node_config_load(o->config, cfg, &e) == LS_OK)
			return CTL_EXIT_OK;
		ctl_error("%s: %s", o->config, e.msg);
		return e.code == LS_ECONFIG ? CTL_EXIT_INPUT
		                            : CTL_EXIT_NOTFOUND;
	}
	if (id == NULL) {
		snprintf(dir_copy, sizeof dir_copy, "%s", node_dir);
		id = basename(dir_copy);
		if (!ls_node_id_valid(id, strlen(id)))
			return ctl_usage("init",
			                 "de mapnaam '%s' is geen geldige id; "
			                 "geef --id",
			                 id);
	}
	snprintf(ini_text, sizeof ini_text,
	         "[node]\nid = %s\nname = %s\nrole = %s\n[store]\n"
	         "synchronous = %s\n",
	         id, o->name ? o->name : id, o->role, o->sync);
	if (strchr(id, '\n') || (o->name && strchr(o->name, '\n')) ||
	    strchr(o->role, '\n') || strchr(o->sync, '\n') ||
	    ls_config_parse(ini_text, strlen(ini_text), cfg, &e) != LS_OK) {
		const char *why = strchr(e.msg, ':');
		ctl_error("ongeldige waarde%s", why ? why : "");
		return CTL_EXIT_INPUT;
	}
	return CTL_EXIT_OK;
}

struct node_files {
	char ini[4096], db[4096], keys[4096], sec[4096], pub[4096];
};

/* The store holds personal data: create it readable for the owner (and
 * group) only, before SQLite writes a byte; -wal and -shm get its mode. */
static int create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	return close(fd);
}

static void remove_store_files(const char *db)
{
	char side[4200];
	unlink(db);
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
}

/*
 * Make the node in node_dir: folders, config, key pair, store with the
 * taxonomy. All or nothing: a failure removes what this call made. The
 * key pair is handed back in *kp (the caller's) for the report.
 */
static int create_node(const char *node_dir, const struct ls_config *cfg,
                       const struct node_files *f, const char *tax_path,
                       const char *tax_text, size_t tax_len, int taxonomy_given,
                       struct ls_keypair **kp, size_t *added)
{
	struct store_options sopt = {.create = 1};
	struct store *store = NULL;
	struct ls_errinfo e;
	char text[8192];
	int made_dir = 0, rc, exit_code = CTL_EXIT_FAIL;

	if (mkdir(node_dir, 0750) == 0)
		made_dir = 1;
	else if (errno != EEXIST) {
		ctl_error("kan map %s niet maken: %s", node_dir,
		          ls_errno_nl(errno));
		return CTL_EXIT_FAIL;
	}
	if (mkdir(f->keys, 0700) != 0 && errno != EEXIST) {
		ctl_error("kan map %s niet maken: %s", f->keys,
		          ls_errno_nl(errno));
		goto err_after_dir;
	}
	if (ls_config_format(cfg, text, sizeof text) != LS_OK ||
	    ls_file_write_atomic(f->ini, text, strlen(text), 0640, 0) !=
	        LS_OK) {
		ctl_error("kan %s niet schrijven: %s", f->ini,
		          ls_errno_nl(errno));
		goto err_after_keys_dir;
	}
	if (proto_keypair_generate(kp) != LS_OK ||
	    proto_keypair_save(*kp, f->sec, f->pub) != LS_OK) {
		ctl_error("kan de sleutel niet maken in %s", f->keys);
		goto err_after_ini;
	}
	if (create_private(f->db) != 0) {
		ctl_error("kan %s niet aanmaken: %s", f->db,
		          ls_errno_nl(errno));
		goto err_after_key;
	}
	sopt.synchronous = cfg->synchronous;
	sopt.busy_timeout_ms = cfg->busy_timeout_ms;
	ls_errinfo_clear(&e);
	if (store_open(f->db, &sopt, &store, &e) != LS_OK) {
		ctl_error("%s", ctl_errmsg(LS_ESTORE, &e));
		goto err_after_store;
	}
	if ((rc = store_taxonomy_load_tsv(store, tax_text, tax_len, added, NULL,
	                                  &e)) != LS_OK) {
		ctl_error("%s: %s", tax_path, e.msg);
		exit_code = taxonomy_given ? ctl_exit_for(rc) : CTL_EXIT_FAIL;
		goto err_after_store;
	}
	store_close(store);
	return CTL_EXIT_OK;

err_after_store:
	store_close(store);
	remove_store_files(f->db);
err_after_key:
	unlink(f->sec);
	unlink(f->pub);
	proto_keypair_free(*kp);
	*kp = NULL;
err_after_ini:
	unlink(f->ini);
err_after_keys_dir:
	rmdir(f->keys);
err_after_dir:
	if (made_dir)
		rmdir(node_dir);
	return exit_code;
}

int cmd_init(const struct ctl_context *ctx_in, int argc, char **argv)
{
	struct init_opts o = {.role = "gemeente", .sync = "full"};
	struct ctl_context ctx = *ctx_in;
	struct node_files f;
	struct ls_config cfg;
	struct ls_keypair *kp = NULL;
	struct stat st;
	char tax_path[4096], kid[LS_KEY_ID_HEX_SIZE];
	char *tax_text = NULL;
	size_t tax_len = 0, added = 0;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) >= 0)
		return rc;
	if (o.dir != NULL)
		ctx.node_dir = o.dir;
	if ((rc = make_config(&o, ctx.node_dir, &cfg)) != CTL_EXIT_OK)
		return rc;
	if (find_taxonomy(o.taxonomy, tax_path, sizeof tax_path) != 0) {
		ctl_error("de codelijst (taxonomy.tsv) is niet gevonden; geef "
		          "--taxonomie BESTAND");
		return CTL_EXIT_FAIL;
	}
	if (!ctl_node_path(&ctx, "signaal.ini", f.ini, sizeof f.ini) ||
	    !ctl_node_path(&ctx, cfg.store_path, f.db, sizeof f.db) ||
	    !ctl_node_path(&ctx, "keys", f.keys, sizeof f.keys) ||
	    !ctl_node_path(&ctx, "keys/node.key", f.sec, sizeof f.sec) ||
	    !ctl_node_path(&ctx, "keys/node.pub", f.pub, sizeof f.pub)) {
		ctl_error("pad te lang");
		return CTL_EXIT_FAIL;
	}
	/* Never overwrites: any file of a node there, and nothing changes. */
	if (stat(f.ini, &st) == 0 || stat(f.db, &st) == 0 ||
	    stat(f.sec, &st) == 0) {
		ctl_error("in %s staat al een knooppunt; er is niets gewijzigd",
		          ctx.node_dir);
		return CTL_EXIT_CONFLICT;
	}
	if (ls_file_read_all(tax_path, TAXONOMY_MAX_BYTES, &tax_text,
	                     &tax_len) != LS_OK) {
		ctl_error("kan %s niet lezen: %s", tax_path,
		          ls_errno_nl(errno));
		return o.taxonomy ? CTL_EXIT_INPUT : CTL_EXIT_FAIL;
	}
	rc = create_node(ctx.node_dir, &cfg, &f, tax_path, tax_text, tax_len,
	                 o.taxonomy != NULL, &kp, &added);
	ls_free(tax_text);
	if (rc != CTL_EXIT_OK) {
		proto_keypair_free(kp); /* made before a later step failed */
		return rc;
	}
	ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, kid);
	proto_keypair_free(kp);
	printf("Knooppunt '%s' (%s) gemaakt in %s\n", cfg.node_id,
	       cfg.node_name, ctx.node_dir);
	printf("  sleutel-id  %s\n", kid);
	printf("  databank    %s (%zu codes)\n", f.db, added);
	printf("  sleutel     %s (alleen leesbaar voor de eigenaar)\n", f.sec);
	return CTL_EXIT_OK;
}
