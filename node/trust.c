/*
 * Trust in force: built by replaying the federation feed through the same
 * checks a document from a peer goes through (verify against the trust so
 * far, next in the feed, roster succession), then kept up to date by
 * node_trust_admit() as federation documents arrive.
 */
#include "node/trust.h"

#include "common/alloc.h"
#include "store/feed.h"

#include <stdio.h>
#include <string.h>

void node_trust_init(struct node_trust *t, const char *federation,
                     const uint8_t anchor_pk[LS_PUBKEY_BYTES])
{
	memset(t, 0, sizeof *t);
	if (federation != NULL)
		snprintf(t->federation, sizeof t->federation, "%s", federation);
	if (anchor_pk != NULL) {
		memcpy(t->anchor_pk, anchor_pk, LS_PUBKEY_BYTES);
		t->has_anchor = 1;
	}
}

void node_trust_fini(struct node_trust *t)
{
	proto_doc_fini(&t->roster);
	proto_doc_fini(&t->policy);
	proto_doc_fini(&t->taxonomy);
	ls_free(t->epochs);
	memset(t, 0, sizeof *t);
}

void node_trust_view(const struct node_trust *t, struct ls_trust *out)
{
	out->roster = node_trust_roster(t);
	out->federation = t->federation[0] != '\0' ? t->federation : NULL;
	out->anchor_pk = t->has_anchor ? t->anchor_pk : NULL;
}

const struct ls_roster *node_trust_roster(const struct node_trust *t)
{
	return t->roster.hdr.seq != 0 ? &t->roster.body.roster : NULL;
}

const struct ls_policy *node_trust_policy(const struct node_trust *t)
{
	return t->policy.hdr.seq != 0 ? &t->policy.body.policy : NULL;
}

const struct ls_taxonomy_doc *node_trust_taxonomy(const struct node_trust *t)
{
	return t->taxonomy.hdr.seq != 0 ? &t->taxonomy.body.taxonomy : NULL;
}

/* The index of the policy in force at `created` (PROTOCOL.md 5.3): the
 * last one created at or before it, else the first. t holds one. */
static size_t epoch_at(const struct node_trust *t, int64_t created)
{
	size_t i = t->n_epochs;
	while (i > 1 && t->epochs[i - 1].from > created)
		i--;
	return i - 1;
}

const struct ls_policy *node_trust_policy_at(const struct node_trust *t,
                                             int64_t created, uint64_t *seq_out)
{
	size_t i;
	if (t->n_epochs == 0)
		return NULL;
	i = epoch_at(t, created);
	if (seq_out != NULL)
		*seq_out = t->epochs[i].seq;
	return &t->epochs[i].policy;
}

int node_trust_judge(const struct node_trust *t, int64_t created,
                     node_policy_check_fn check, const void *doc,
                     uint64_t *uncounted, struct ls_errinfo *e)
{
	struct ls_errinfo local;
	char why[sizeof local.msg];
	size_t at;
	int rc;

	if (e == NULL)
		e = &local;
	*uncounted = 0;
	if (t->n_epochs == 0)
		return ls_errf(e, LS_ESTATE, "no disclosure policy in force");
	at = epoch_at(t, created);
	if ((rc = check(doc, &t->epochs[at].policy, created, e)) == LS_OK)
		return LS_OK;
	snprintf(why, sizeof why, "policy of federation seq %llu: %.400s",
	         (unsigned long long)t->epochs[at].seq, e->msg);
	/* Made in the very second that policy was created: the one in
	 * force the second before may judge it too (which came first
	 * cannot be told). */
	if (t->epochs[at].from == created) {
		size_t b = at;
		while (b > 0 && t->epochs[b - 1].from >= created)
			b--;
		b = b > 0 ? b - 1 : 0; /* the first, when all are later */
		if (b != at &&
		    check(doc, &t->epochs[b].policy, created, NULL) == LS_OK)
			return LS_OK;
	}
	/* An earlier policy of the feed: the maker had not learned the
	 * change yet (or ignores it); held, never counted. */
	for (size_t i = 0; i < at; i++)
		if (check(doc, &t->epochs[i].policy, created, NULL) == LS_OK) {
			*uncounted = t->epochs[at].seq;
			return ls_errf(e, LS_OK, "%s", why);
		}
	return ls_errf(e, rc, "%s", why);
}

static int is_federation_doc(const struct node_trust *t,
                             const struct ls_doc *doc)
{
	return t->federation[0] != '\0' &&
	       strcmp(doc->hdr.origin, t->federation) == 0;
}

int node_trust_check(const struct node_trust *t, const struct ls_doc *doc,
                     const uint8_t hash[LS_HASH_BYTES], struct ls_errinfo *e)
{
	static const uint8_t zero[LS_HASH_BYTES];
	const struct ls_roster *in_force = node_trust_roster(t);
	(void)hash;

	if (!is_federation_doc(t, doc))
		return LS_OK;
	if (doc->hdr.seq != t->head.seq + 1 ||
	    memcmp(doc->hdr.prev, t->head.seq == 0 ? zero : t->head.hash,
	           LS_HASH_BYTES) != 0)
		return ls_errf(e, LS_ECHAIN,
		               "federation document %llu does not follow %llu",
		               (unsigned long long)doc->hdr.seq,
		               (unsigned long long)t->head.seq);
	if (doc->hdr.type == LS_DOC_POLICY && t->n_epochs > 0 &&
	    doc->hdr.created < t->epochs[t->n_epochs - 1].from)
		return ls_errf(e, LS_EPOLICY,
		               "policy %llu was created before policy %llu "
		               "(it would apply retroactively)",
		               (unsigned long long)doc->hdr.seq,
		               (unsigned long long)t->epochs[t->n_epochs - 1].seq);
	if (doc->hdr.type == LS_DOC_ROSTER && in_force != NULL) {
		int rc = proto_roster_check_successor(
		    in_force, &doc->body.roster, doc->hdr.created, e);
		if (rc != LS_OK)
			return ls_errf(e, LS_EPOLICY,
			               "roster %llu is no valid successor of "
			               "roster %llu: %s",
			               (unsigned long long)doc->hdr.seq,
			               (unsigned long long)t->roster.hdr.seq,
			               e != NULL ? e->msg : "");
	}
	return LS_OK;
}

int node_trust_admit(struct node_trust *t, struct ls_doc *doc,
                     const uint8_t hash[LS_HASH_BYTES], struct ls_errinfo *e)
{
	struct ls_doc *slot;
	int rc;

	if (!is_federation_doc(t, doc))
		return LS_OK;
	if ((rc = node_trust_check(t, doc, hash, e)) != LS_OK)
		return rc;
	switch (doc->hdr.type) {
	case LS_DOC_ROSTER:
		slot = &t->roster;
		break;
	case LS_DOC_POLICY: {
		struct node_trust_epoch *grown = ls_realloc(
		    t->epochs, (t->n_epochs + 1) * sizeof *t->epochs);
		if (grown == NULL)
			return ls_errf(e, LS_ENOMEM, "policy epochs");
		t->epochs = grown;
		grown[t->n_epochs].from = doc->hdr.created;
		grown[t->n_epochs].seq = doc->hdr.seq;
		grown[t->n_epochs].policy = doc->body.policy;
		t->n_epochs++;
		slot = &t->policy;
		break;
	}
	case LS_DOC_TAXONOMY:
		slot = &t->taxonomy;
		break;
	default:
		/* Verification lets the federation key sign only these
		 * three types; anything else here is a caller's bug. */
		return ls_errf(e, LS_EINTERNAL,
		               "federation document of type %u", doc->hdr.type);
	}
	proto_doc_fini(slot);
	*slot = *doc;
	memset(doc, 0, sizeof *doc);
	t->head.seq = slot->hdr.seq;
	memcpy(t->head.hash, hash, LS_HASH_BYTES);
	return LS_OK;
}

struct load_walk {
	struct node_trust *t;
	int64_t now;
	struct ls_errinfo *e;
};

static int load_doc_cb(void *arg, const struct store_doc_meta *m,
                       const uint8_t *envelope, size_t len)
{
	struct load_walk *w = arg;
	struct ls_trust view;
	struct ls_doc doc;
	struct ls_doc_info info;
	int rc;

	node_trust_view(w->t, &view);
	memset(&doc, 0, sizeof doc);
	rc = proto_doc_verify(&view, envelope, len, w->now, &doc, &info, w->e);
	if (rc == LS_OK && memcmp(info.hash, m->hash, LS_HASH_BYTES) != 0)
		rc = ls_errf(w->e, LS_ECORRUPT,
		             "stored hash of federation document %llu is wrong",
		             (unsigned long long)m->seq);
	if (rc == LS_OK)
		rc = node_trust_admit(w->t, &doc, info.hash, w->e);
	proto_doc_fini(&doc);
	return rc;
}

int node_trust_load(struct node_trust *t, struct store *s, int64_t now,
                    struct ls_errinfo *e)
{
	struct load_walk w = {.t = t, .now = now, .e = e};
	if (t->federation[0] == '\0')
		return LS_OK; /* a node on its own: nothing to trust */
	return store_feed_list(s, 0, t->federation, load_doc_cb, &w);
}
