/*
 * The federation as one node sees it: roster members first, then a walk
 * over the store's feeds (heads, forks, the latest status and summary of
 * every origin), each adding to the node it names (or a new one for an
 * origin outside the roster).
 */
#include "node/fedview.h"

#include "common/alloc.h"
#include "common/text.h"
#include "node/feed.h"
#include "node/trust.h"
#include "store/feed.h"

#include <string.h>

struct walk {
	struct node_fedview *v;
	size_t cap;
	const char *federation; /* its own feed is not a node */
	int rc;
	struct ls_errinfo *e;
};

static struct node_fedview_node *node_get(struct walk *w, const char *id)
{
	struct node_fedview *v = w->v;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->nodes[i].id, id) == 0)
			return &v->nodes[i];
	if (w->federation != NULL && strcmp(id, w->federation) == 0)
		return NULL;
	{
		struct node_fedview_node *p = ls_array_grow(
		    v->nodes, &w->cap, v->n + 1, sizeof *v->nodes, 16);
		if (p == NULL) {
			w->rc =
			    ls_errf(w->e, LS_ENOMEM, "onvoldoende geheugen");
			return NULL;
		}
		v->nodes = p;
	}
	memset(&v->nodes[v->n], 0, sizeof v->nodes[v->n]);
	ls_strlcpy(v->nodes[v->n].id, id, sizeof v->nodes[v->n].id);
	return &v->nodes[v->n++];
}

static int head_cb(void *arg, const char *origin, uint64_t seq,
                   const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct walk *w = arg;
	struct node_fedview_node *n = node_get(w, origin);
	(void)head;
	if (n != NULL) {
		n->seq = seq;
		n->quarantined = forked;
	}
	return w->rc != LS_OK;
}

static int fork_cb(void *arg, const struct store_fork *f, const uint8_t *proof,
                   size_t len)
{
	struct walk *w = arg;
	struct node_fedview_node *n = node_get(w, f->origin);
	(void)proof;
	(void)len;
	if (n != NULL)
		n->forks++;
	return w->rc != LS_OK;
}

/* Decode a stored document of the expected type into *doc. */
static int decode(struct walk *w, const uint8_t *env, size_t len, uint8_t type,
                  struct ls_doc *doc)
{
	memset(doc, 0, sizeof *doc);
	if (node_feed_decode(env, len, doc, NULL) != LS_OK ||
	    doc->hdr.type != type) {
		proto_doc_fini(doc);
		memset(doc, 0, sizeof *doc);
		w->rc = ls_errf(w->e, LS_ECORRUPT,
		                "een bewaard document is onleesbaar");
		return -1;
	}
	return 0;
}

static int status_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *env, size_t len)
{
	struct walk *w = arg;
	struct node_fedview_node *n = node_get(w, m->origin);
	const struct ls_status *st;
	if (n == NULL)
		return w->rc != LS_OK;
	proto_doc_fini(&n->status);
	if (decode(w, env, len, LS_DOC_STATUS, &n->status) != 0)
		return 1;
	st = &n->status.body.status;
	n->seen = n->status.hdr.created;
	n->synced = 0;
	for (size_t i = 0; i < st->n_peers; i++)
		if (strcmp(st->peers[i].result, "ok") == 0 &&
		    st->peers[i].last_sync > n->synced)
			n->synced = st->peers[i].last_sync;
	return 0;
}

static int summary_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *env, size_t len)
{
	struct walk *w = arg;
	struct node_fedview_node *n = node_get(w, m->origin);
	struct ls_doc doc;
	if (n == NULL)
		return w->rc != LS_OK;
	if (decode(w, env, len, LS_DOC_SUMMARY, &doc) != 0)
		return 1;
	ls_period_format(&doc.body.summary.period, n->release_period);
	n->release_seq = doc.hdr.seq;
	n->release_created = doc.hdr.created;
	n->release_uncounted = m->uncounted != 0;
	proto_doc_fini(&doc);
	return 0;
}

static int uncounted_cb(void *arg, const struct store_doc_meta *m,
                        const uint8_t *env, size_t len)
{
	struct walk *w = arg;
	struct node_fedview_node *n = node_get(w, m->origin);
	(void)env;
	(void)len;
	if (n == NULL)
		return w->rc != LS_OK;
	n->uncounted++;
	return 0;
}

int node_fedview_load(struct store *s, const struct node_trust *trust,
                      struct node_fedview *out, struct ls_errinfo *e)
{
	const struct ls_roster *roster =
	    trust != NULL ? node_trust_roster(trust) : NULL;
	struct walk w = {.v = out, .rc = LS_OK, .e = e};
	int rc;

	memset(out, 0, sizeof *out);
	w.federation =
	    trust != NULL && trust->has_anchor ? trust->federation : NULL;
	out->has_roster = roster != NULL;
	for (size_t i = 0; roster != NULL && i < roster->n_members; i++) {
		const struct ls_roster_member *m = &roster->members[i];
		struct node_fedview_node *n = node_get(&w, m->node_id);
		if (n == NULL)
			return w.rc;
		n->name = m->name;
		n->role = m->role;
		n->member = 1;
		n->left = m->left;
	}
	if ((rc = store_feed_vector(s, head_cb, &w)) == LS_OK &&
	    (rc = store_fork_list(s, 0, fork_cb, &w)) == LS_OK &&
	    (rc = store_feed_latest(s, LS_DOC_STATUS, status_cb, &w)) == LS_OK)
		rc = store_feed_latest(s, LS_DOC_SUMMARY, summary_cb, &w);
	if (rc == LS_OK)
		rc = store_feed_list_uncounted(s, uncounted_cb, &w);
	if (w.rc != LS_OK)
		return w.rc;
	if (rc != LS_OK)
		return ls_errf(e, rc, "de databank: %s", ls_strerror(rc));
	return LS_OK;
}

void node_fedview_fini(struct node_fedview *v)
{
	for (size_t i = 0; i < v->n; i++)
		proto_doc_fini(&v->nodes[i].status);
	ls_free(v->nodes);
	memset(v, 0, sizeof *v);
}

const struct node_fedview_node *node_fedview_find(const struct node_fedview *v,
                                                  const char *id)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->nodes[i].id, id) == 0)
			return &v->nodes[i];
	return NULL;
}
