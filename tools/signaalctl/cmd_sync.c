/*
 * signaalctl sync: where this node stands in the federation's
 * anti-entropy, read from its store: the digest of its version vector
 * (equal digests: identical feeds — what tests and operators compare
 * across nodes) and the version vector itself.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/text.h"
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

struct vv_walk {
	struct ls_vv vv;
	size_t cap;
	int print;
	int rc;
};

static int vv_cb(void *arg, const char *origin, uint64_t seq,
                 const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct vv_walk *w = arg;
	struct ls_vv_entry *x;
	if (w->print) {
		char hex[2 * LS_HASH_BYTES + 1];
		ls_hex_encode(head, LS_HASH_BYTES, hex);
		printf("%-20s %8llu %s%s\n", origin, (unsigned long long)seq,
		       hex, forked ? " fork" : "");
	}
	if (w->vv.n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct ls_vv_entry *g =
		    ls_realloc(w->vv.entries, cap * sizeof *g);
		if (g == NULL) {
			w->rc = LS_ENOMEM;
			return 1;
		}
		w->vv.entries = g;
		w->cap = cap;
	}
	x = &w->vv.entries[w->vv.n++];
	memset(x, 0, sizeof *x);
	snprintf(x->origin, sizeof x->origin, "%s", origin);
	x->seq = seq;
	memcpy(x->head, head, LS_HASH_BYTES);
	x->flags = forked ? LS_VV_FORKED : 0;
	return 0;
}

int cmd_sync(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	struct vv_walk w;
	uint8_t digest[LS_HASH_BYTES];
	char hex[2 * LS_HASH_BYTES + 1];
	uint64_t docs = 0, bytes = 0;
	int rc;

	if (ctl_is_help(argc, argv)) {
		fputs(help, stdout);
		return CTL_EXIT_OK;
	}
	if (argc != 2 ||
	    (strcmp(argv[1], "digest") != 0 && strcmp(argv[1], "vv") != 0))
		return ctl_usage("sync", "sync digest of sync vv");
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	memset(&w, 0, sizeof w);
	w.print = strcmp(argv[1], "vv") == 0;
	rc = store_feed_vector(node.store, vv_cb, &w);
	if (rc == 1)
		rc = w.rc;
	if (rc == LS_OK)
		rc = store_feed_count(node.store, &docs, &bytes);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		proto_vv_fini(&w.vv);
		ctl_error("%s", ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	if (!w.print) {
		proto_vv_digest(&w.vv, digest);
		ls_hex_encode(digest, LS_HASH_BYTES, hex);
		printf("%s origins=%zu docs=%llu\n", hex, w.vv.n,
		       (unsigned long long)docs);
	}
	proto_vv_fini(&w.vv);
	return CTL_EXIT_OK;
}
