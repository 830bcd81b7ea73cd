/*
 * signaalctl fork: the forks this node has seen (two documents signed for
 * one position of a feed), and their resolution by an operator.
 *
 * A fork quarantines its origin: nothing more of that feed is taken in
 * until it is resolved here. The proof (both documents, signed) stays
 * kept either way; `show --uit` writes it to a file for the association
 * or another node, which can check it on its own.
 */
#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/text.h"
#include "node/trust.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "store/feed.h"
#include "store/store.h"
#include "tools/signaalctl/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "Gebruik: signaalctl fork list [--alle]\n"
    "         signaalctl fork show HERKOMST [--uit BESTAND]\n"
    "         signaalctl fork resolve HERKOMST [--vanaf SEQ]\n"
    "\n"
    "Een fork zijn twee verschillende documenten die dezelfde plaats in de\n"
    "feed van een knooppunt innemen: dat knooppunt (of wie zijn sleutel\n"
    "heeft) tekende twee geschiedenissen. Beide documenten worden als\n"
    "bewijs bewaard en van die herkomst wordt niets meer aanvaard tot een\n"
    "beheerder de fork oplost.\n"
    "\n"
    "  list       de forks die nog niet opgelost zijn (--alle: ook de\n"
    "             opgeloste)\n"
    "  show       beide documenten van een fork, en of het bewijs klopt;\n"
    "             --uit schrijft het bewijs naar BESTAND\n"
    "  resolve    de fork oplossen: de herkomst wordt weer aanvaard. Met\n"
    "             --vanaf SEQ worden de documenten van die herkomst vanaf\n"
    "             SEQ hier verwijderd, zodat de andere tak opgehaald kan\n"
    "             worden; zonder blijft de tak die dit knooppunt heeft.\n"
    "             Het bewijs blijft bewaard.\n"
    "\n"
    "Afsluitcodes: 0 gelukt, 2 verkeerd gebruik, 4 geen fork gevonden,\n"
    "1 andere fout.\n";

struct listing {
	int n;
	const char *origin; /* show: only this one */
	struct store_fork fork;
	uint8_t *proof;
	size_t len;
};

static int list_cb(void *arg, const struct store_fork *f, const uint8_t *proof,
                   size_t len)
{
	struct listing *l = arg;
	char t1[32], t2[32];
	(void)proof;
	if (l->n++ == 0)
		printf("%-16s %8s  %-16s  %s\n", "HERKOMST", "PLAATS",
		       "GEVONDEN", "OPGELOST");
	printf("%-16s %8llu  %-16s  %s\n", f->origin,
	       (unsigned long long)f->seq,
	       ctl_time(f->detected_at, t1, sizeof t1),
	       f->resolved_at ? ctl_time(f->resolved_at, t2, sizeof t2)
	                      : "nee (in quarantaine)");
	(void)len;
	return 0;
}

static int find_cb(void *arg, const struct store_fork *f, const uint8_t *proof,
                   size_t len)
{
	struct listing *l = arg;
	if (strcmp(f->origin, l->origin) != 0)
		return 0;
	ls_free(l->proof);
	l->proof = ls_malloc(len);
	if (l->proof == NULL)
		return 1;
	memcpy(l->proof, proof, len);
	l->len = len;
	l->fork = *f;
	l->n++;
	return 0;
}

static void print_doc(const char *label, const uint8_t *env, size_t len)
{
	struct ls_envelope ev;
	struct ls_doc_header h;
	uint8_t hash[LS_HASH_BYTES];
	char hex[2 * LS_HASH_BYTES + 1], kid[LS_KEY_ID_HEX_SIZE], t[32];
	if (proto_envelope_decode(env, len, &ev, NULL) != LS_OK ||
	    proto_doc_decode_header(ev.payload, ev.payload_len, &h, NULL) !=
	        LS_OK) {
		printf("%s: onleesbaar\n", label);
		return;
	}
	proto_doc_hash(ev.payload, ev.payload_len, hash);
	ls_hex_encode(hash, LS_HASH_BYTES, hex);
	ls_hex_encode(ev.key_id, LS_KEY_ID_BYTES, kid);
	printf("%s: %s, gemaakt %s, sleutel %s, %zu bytes\n  hash %s\n", label,
	       proto_doc_type_name(h.type) ? proto_doc_type_name(h.type) : "?",
	       ctl_time(h.created, t, sizeof t), kid, len, hex);
}

static int fork_list(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	struct listing l;
	int rc;

	memset(&l, 0, sizeof l);
	int all = argc == 2 && strcmp(argv[1], "--alle") == 0;
	if (argc > 2 || (argc == 2 && !all))
		return ctl_usage("fork", "fork list [--alle]");
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = store_fork_list(node.store, all, list_cb, &l);
	ctl_node_close(&node);
	if (rc != LS_OK) {
		ctl_error("%s", ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	if (l.n == 0)
		printf("geen forks%s\n", all ? "" : " in quarantaine");
	return CTL_EXIT_OK;
}

/* fork show HERKOMST [--uit BESTAND]: both documents, whether the proof
 * verifies under the trust in force, and the proof's bytes on request. */
static int fork_show(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	struct listing l;
	int rc;

	memset(&l, 0, sizeof l);
	const char *out = NULL;
	struct node_trust trust;
	struct ls_trust view;
	struct ls_fork_info info;
	struct ls_errinfo e;
	const uint8_t *a, *b;
	size_t a_len, b_len;
	if (argc == 4 && strcmp(argv[2], "--uit") == 0)
		out = argv[3];
	else if (argc != 2)
		return ctl_usage("fork", "fork show HERKOMST [--uit "
		                         "BESTAND]");
	if (!ls_node_id_valid(argv[1], strlen(argv[1])))
		return ctl_usage("fork", "ongeldige herkomst '%s'", argv[1]);
	if ((rc = ctl_node_open_read(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	l.origin = argv[1];
	rc = store_fork_list(node.store, 1, find_cb, &l);
	if (rc != LS_OK || l.n == 0) {
		ctl_node_close(&node);
		ls_free(l.proof);
		ctl_error("geen fork van '%s'", argv[1]);
		return CTL_EXIT_NOTFOUND;
	}
	printf("fork van %s op plaats %llu%s\n", l.fork.origin,
	       (unsigned long long)l.fork.seq,
	       l.fork.resolved_at ? " (opgelost)" : " (in quarantaine)");
	if (proto_fork_proof_decode(l.proof, l.len, &a, &a_len, &b, &b_len,
	                            NULL) == LS_OK) {
		print_doc("document A", a, a_len);
		print_doc("document B", b, b_len);
	}
	if ((rc = ctl_trust_load(ctx, &node, &trust)) == CTL_EXIT_OK) {
		node_trust_view(&trust, &view);
		ls_errinfo_clear(&e);
		if (proto_fork_proof_verify(&view, l.proof, l.len,
		                            (int64_t)time(NULL), &info,
		                            &e) == LS_OK)
			printf("bewijs: geldig (beide documenten "
			       "correct ondertekend)\n");
		else
			printf("bewijs: niet te controleren met het "
			       "ledenregister van kracht (%s)\n",
			       ctl_errmsg_dev(LS_EINVAL, &e));
		node_trust_fini(&trust);
	}
	ctl_node_close(&node);
	rc = CTL_EXIT_OK;
	if (out != NULL) {
		/* Whole or not at all, 0644 whatever the umask, never over
		 * an existing file. */
		if (ls_file_write_atomic(out, l.proof, l.len, 0644, 0) !=
		    LS_OK) {
			int err = errno;
			ctl_error("kan %s niet schrijven: %s", out,
			          ls_errno_nl(err));
			rc = err == EEXIST ? CTL_EXIT_CONFLICT : CTL_EXIT_FAIL;
		} else {
			printf("bewijs geschreven naar %s\n", out);
		}
	}
	ls_free(l.proof);
	return rc;
}

static int fork_resolve(const struct ctl_context *ctx, int argc, char **argv)
{
	struct ctl_node node;
	int rc;

	int64_t from = 0;
	if (argc == 4 && strcmp(argv[2], "--vanaf") == 0) {
		if (ls_parse_i64(argv[3], 1, INT64_MAX, &from) != LS_OK)
			return ctl_usage("fork", "ongeldige --vanaf");
	} else if (argc != 2) {
		return ctl_usage("fork", "fork resolve HERKOMST "
		                         "[--vanaf SEQ]");
	}
	if (!ls_node_id_valid(argv[1], strlen(argv[1])))
		return ctl_usage("fork", "ongeldige herkomst '%s'", argv[1]);
	if ((rc = ctl_node_open(ctx, &node)) != CTL_EXIT_OK)
		return rc;
	rc = store_fork_resolve(node.store, argv[1], (uint64_t)from);
	ctl_node_close(&node);
	if (rc == LS_ENOTFOUND) {
		ctl_error("'%s' heeft geen fork in quarantaine", argv[1]);
		return CTL_EXIT_NOTFOUND;
	}
	if (rc != LS_OK) {
		ctl_error("%s", ls_strerror_nl(rc));
		return CTL_EXIT_FAIL;
	}
	if (from > 0)
		printf("fork van '%s' opgelost; documenten vanaf %lld "
		       "verwijderd, de andere tak wordt opgehaald\n",
		       argv[1], (long long)from);
	else
		printf("fork van '%s' opgelost; de herkomst wordt weer "
		       "aanvaard\n",
		       argv[1]);
	return CTL_EXIT_OK;
}

int cmd_fork(const struct ctl_context *ctx, int argc, char **argv)
{
	static const struct ctl_verb verbs[] = {
	    {"list", fork_list, NULL},
	    {"show", fork_show, NULL},
	    {"resolve", fork_resolve, NULL},
	};
	return ctl_run_verb("fork", help, verbs, sizeof verbs / sizeof verbs[0],
	                    ctx, argc, argv);
}
