/*
 * signaalctl sync: where this node stands in the federation's
 * anti-entropy, read from its store: the digest of its version vector
 * (equal digests: identical feeds — what tests and operators compare
 * across nodes) and the version vector itself.
 */
#include "common/err.h"
#include "common/text.h"
#include "node/sync.h"
#include "proto/sync.h"
#include "store/feed.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "Gebruik: signaalctl sync digest\n"
    "         signaalctl sync vv\n"
    "\n"
    "  digest  de samenvatting (BLAKE2b) van de versievector van dit\n"
    "          knooppunt, het aantal herkomsten en documenten; twee\n"
    "          knooppunten met dezelfde digest hebben dezelfde feeds\n"
    "  vv      de versievector: per herkomst het hoogste volgnummer, de\n"
    "          hash van dat document en of er een fork is\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 1 fout.\n";

/* The version vector and the feed's document count of this node. */
static int load_vector(const struct ctl_context *ctx, const char *verb,
                       int argc, struct ls_vv *vv, uint64_t *docs)
{
	struct ctl_node node;
	uint64_t bytes = 0;
	int rc;

	if (argc != 1)
		return ctl_usage("sync", "sync %s heeft geen argumenten", verb);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = node_sync_vector_load(node.store, vv);
	if (rc == LS_OK)
		rc = store_feed_count(node.store, docs, &bytes);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		proto_vv_fini(vv);
		ctl_error("%s", ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

static int sync_vv(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ls_vv vv = {0};
	char hex[2 * LS_HASH_BYTES + 1];
	uint64_t docs = 0;
	int rc;

	(void)argv;
	if ((rc = load_vector(ctx, "vv", argc, &vv, &docs)) != CTL_EXIT_OK)
		return rc;
	for (size_t i = 0; i < vv.n; i++) {
		const struct ls_vv_entry *x = &vv.entries[i];
		ls_hex_encode(x->head, LS_HASH_BYTES, hex);
		printf("%-20s %8llu %s%s\n", x->origin,
		       (unsigned long long)x->seq, hex,
		       x->flags & LS_VV_FORKED ? " fork" : "");
	}
	proto_vv_fini(&vv);
	return CTL_EXIT_OK;
}

static int sync_digest(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ls_vv vv = {0};
	uint8_t digest[LS_HASH_BYTES];
	char hex[2 * LS_HASH_BYTES + 1];
	uint64_t docs = 0;
	int rc;

	(void)argv;
	if ((rc = load_vector(ctx, "digest", argc, &vv, &docs)) != CTL_EXIT_OK)
		return rc;
	proto_vv_digest(&vv, digest);
	ls_hex_encode(digest, LS_HASH_BYTES, hex);
	printf("%s origins=%zu docs=%llu\n", hex, vv.n,
	       (unsigned long long)docs);
	proto_vv_fini(&vv);
	return CTL_EXIT_OK;
}

int cmd_sync(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct ctl_verb verbs[] = {
	    {"digest", sync_digest, NULL},
	    {"vv", sync_vv, NULL},
	};
	return ctl_run_verb("sync", help, verbs, sizeof verbs / sizeof verbs[0],
	                    ctx, argc, argv);
}
