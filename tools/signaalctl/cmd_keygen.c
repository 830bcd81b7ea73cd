/*
 * signaalctl keygen: a new Ed25519 keypair in the node directory.
 *
 *   signaalctl [-d MAP] keygen               -> MAP/keys/node.{key,pub}
 *   signaalctl [-d MAP] keygen --federatie   -> MAP/keys/federation.{key,pub}
 *   signaalctl [-d MAP] keygen [--federatie] --toon
 *                                            -> show the existing public key
 *
 * The secret file is created with mode 0600 and never replaces an existing
 * file (proto_keypair_save uses O_EXCL); the keys folder is created 0700.
 * The secret stays in sodium_malloc memory and is never printed: what the
 * command shows is the key id and the public key, which an administrator
 * copies into the roster.
 */
#include "tools/signaalctl/commands.h"
#include "tools/signaalctl/ctl.h"

#include "common/err.h"
#include "common/text.h"
#include "proto/key.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fputs("gebruik: signaalctl [-d MAP] keygen [--federatie] [--toon]\n"
	      "\n"
	      "Maakt een nieuw Ed25519-sleutelpaar aan in MAP/keys/:\n"
	      "  node.key en node.pub              de sleutel van dit "
	      "knooppunt (standaard)\n"
	      "  federation.key en federation.pub  met --federatie: de "
	      "federatiesleutel\n"
	      "                                    waarmee de vereniging "
	      "ledenregister, taxonomie\n"
	      "                                    en beleid ondertekent\n"
	      "\n"
	      "Opties:\n"
	      "  -f, --federatie  de federatiesleutel in plaats van de "
	      "knooppuntsleutel\n"
	      "  -t, --toon       maak niets aan: toon sleutel-id en publieke "
	      "sleutel\n"
	      "                   van de bestaande sleutel\n"
	      "  -h, --help       deze hulp\n"
	      "\n"
	      "Een bestaande sleutel wordt nooit overschreven. Het geheime "
	      "bestand is\n"
	      "alleen voor de eigenaar leesbaar (0600); deel enkel het "
	      "publieke bestand.\n",
	      out);
}

/* dir/keys/<name>.<ext> into buf; 0 if it does not fit. */
static int key_path(char *buf, size_t size, const char *dir, const char *name,
                    const char *ext)
{
	int n = snprintf(buf, size, "%s/keys/%s.%s", dir, name, ext);
	return n > 0 && (size_t)n < size;
}

static void print_key(const char *label, const uint8_t key_id[],
                      const uint8_t pk[])
{
	char id_hex[LS_KEY_ID_HEX_SIZE];
	char pk_hex[2 * LS_PUBKEY_BYTES + 1];
	ls_hex_encode(key_id, LS_KEY_ID_BYTES, id_hex);
	ls_hex_encode(pk, LS_PUBKEY_BYTES, pk_hex);
	printf("%s\n  sleutel-id:       %s\n  publieke sleutel: %s\n", label,
	       id_hex, pk_hex);
}

static int show_key(const char *pub_path, int federation)
{
	uint8_t pk[LS_PUBKEY_BYTES], key_id[LS_KEY_ID_BYTES];
	struct ls_errinfo e;
	int rc = proto_pubkey_load(pub_path, pk, key_id, &e);
	if (rc == LS_ENOTFOUND) {
		fprintf(stderr,
		        "signaalctl: er is nog geen %s (%s); maak er een met "
		        "'signaalctl keygen%s'\n",
		        federation ? "federatiesleutel" : "knooppuntsleutel",
		        pub_path, federation ? " --federatie" : "");
		return CTL_EXIT_NOTFOUND;
	}
	if (rc != LS_OK) {
		ctl_error("%s: %s", pub_path, ctl_errmsg_dev(rc, &e));
		return rc == LS_EIO ? CTL_EXIT_FAIL : CTL_EXIT_INPUT;
	}
	print_key(federation ? "Federatiesleutel" : "Knooppuntsleutel", key_id,
	          pk);
	printf("  bestand:          %s\n", pub_path);
	return CTL_EXIT_OK;
}

/* MAP must exist; MAP/keys is created (0700) when missing. */
static int keys_dir(const char *dir, char *keys, size_t size)
{
	struct stat st;
	int n;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
		        "signaalctl: de map %s bestaat niet; geef een "
		        "knooppuntmap met -d MAP of maak er een met "
		        "'signaalctl init MAP'\n",
		        dir);
		return CTL_EXIT_NOTFOUND;
	}
	n = snprintf(keys, size, "%s/keys", dir);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "signaalctl: pad te lang: %s\n", dir);
		return CTL_EXIT_USAGE;
	}
	if (mkdir(keys, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "signaalctl: kan de map %s niet aanmaken: %s\n",
		        keys, ls_errno_nl(errno));
		return CTL_EXIT_FAIL;
	}
	if (stat(keys, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "signaalctl: %s is geen map\n", keys);
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int cmd_keygen(const struct ctl_context *ctx, int argc, char **argv)
{
	char keys[PATH_MAX], sec[PATH_MAX], pub[PATH_MAX];
	int federation = 0, show = 0, rc;
	const char *dir = ctx->node_dir != NULL ? ctx->node_dir : ".";
	const char *name;
	struct ls_keypair *kp;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 ||
		    strcmp(argv[i], "--federatie") == 0) {
			federation = 1;
		} else if (strcmp(argv[i], "-t") == 0 ||
		           strcmp(argv[i], "--toon") == 0) {
			show = 1;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CTL_EXIT_OK;
		} else {
			fprintf(stderr,
			        "signaalctl keygen: onbekende optie "
			        "'%s'\n\n",
			        argv[i]);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	name = federation ? "federation" : "node";
	if (!key_path(sec, sizeof sec, dir, name, "key") ||
	    !key_path(pub, sizeof pub, dir, name, "pub")) {
		fprintf(stderr, "signaalctl: pad te lang: %s\n", dir);
		return CTL_EXIT_USAGE;
	}
	if (show)
		return show_key(pub, federation);

	rc = keys_dir(dir, keys, sizeof keys);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (lstat(sec, &st) == 0 || lstat(pub, &st) == 0) {
		fprintf(stderr,
		        "signaalctl: er bestaat al een %s in %s; een sleutel "
		        "wordt nooit overschreven (toon hem met 'signaalctl "
		        "keygen%s --toon')\n",
		        federation ? "federatiesleutel" : "knooppuntsleutel",
		        keys, federation ? " --federatie" : "");
		return CTL_EXIT_CONFLICT;
	}
	rc = proto_keypair_generate(&kp);
	if (rc != LS_OK) {
		fprintf(stderr, "signaalctl: kan geen sleutel maken: %s\n",
		        ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	/* Secret first (O_EXCL: never over another key), then the public
	 * half; if that fails, remove the secret we just wrote, so no half
	 * pair is left behind. */
	rc = proto_keypair_save(kp, sec, NULL);
	if (rc == LS_OK) {
		rc = proto_keypair_save(kp, NULL, pub);
		if (rc != LS_OK)
			(void)unlink(sec);
	}
	if (rc != LS_OK) {
		fprintf(stderr,
		        "signaalctl: kan de sleutel niet opslaan in %s: %s\n",
		        keys, ls_strerror_nl(rc));
		proto_keypair_free(kp);
		return rc == LS_EEXISTS ? CTL_EXIT_CONFLICT : CTL_EXIT_FAIL;
	}
	print_key(federation ? "Nieuwe federatiesleutel aangemaakt."
	                     : "Nieuwe knooppuntsleutel aangemaakt.",
	          kp->key_id, kp->pk);
	printf("  geheim bestand:   %s (alleen voor jou leesbaar)\n"
	       "  publiek bestand:  %s\n"
	       "Bewaar een reservekopie van het geheime bestand op een veilige "
	       "plaats.\n",
	       sec, pub);
	if (federation)
		printf(
		    "Zet deze sleutel-id en publieke sleutel in de "
		    "configuratie van elk knooppunt\n"
		    "en als federatiesleutel in het eerste ledenregister.\n");
	else
		printf("Laat de vereniging deze sleutel-id en publieke sleutel "
		       "in het ledenregister opnemen.\n");
	proto_keypair_free(kp);
	return CTL_EXIT_OK;
}
