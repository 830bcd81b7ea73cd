/*
 * The sync engine (see sync.h for the shape of a round and the server's
 * order of checks).
 *
 * The engine itself lives here: options, the version-vector cache, the
 * arena, and the pages of documents and fork proofs that both the server
 * (node/sync_server.c) and the client (node/sync_client.c) fill from the
 * store.
 */
#include "node/sync_internal.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "proto/envelope.h"
#include "proto/replay.h"
#include "proto/doc.h"
#include "proto/session.h"
#include "store/audit.h"
#include "store/feed.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_PAGE_DOCS 256
#define DEFAULT_MAX_PAGES 64
#define DEFAULT_REPLAY_ENTRIES 65536
#define DEFAULT_REPLAY_BYTES (1024u * 1024)

static const char *const state_names[] = {
    [NODE_SYNC_DIGEST] = "digest", [NODE_SYNC_VV] = "vv",
    [NODE_SYNC_DOCS] = "docs",     [NODE_SYNC_FORK] = "fork",
    [NODE_SYNC_PUSH] = "push",     [NODE_SYNC_DONE] = "done",
    [NODE_SYNC_FAILED] = "failed",
};

const char *node_sync_state_name(int state)
{
	if (state < NODE_SYNC_DIGEST || state > NODE_SYNC_FAILED)
		return "unknown";
	return state_names[state];
}

/* --- copies of envelopes that a message being built points to -------- */

/* The arena takes buf (LS_OK); on LS_ENOMEM the caller keeps it. */
int node_sync_arena_take(struct arena *a, uint8_t *buf)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		uint8_t **grown = ls_realloc(a->bufs, cap * sizeof *grown);
		if (grown == NULL)
			return LS_ENOMEM;
		a->bufs = grown;
		a->cap = cap;
	}
	a->bufs[a->n++] = buf;
	return LS_OK;
}

uint8_t *node_sync_arena_copy(struct arena *a, const uint8_t *p, size_t len)
{
	uint8_t *copy = ls_malloc(len);
	if (copy == NULL)
		return NULL;
	memcpy(copy, p, len);
	if (node_sync_arena_take(a, copy) != LS_OK) {
		ls_free(copy);
		return NULL;
	}
	return copy;
}

void node_sync_arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		ls_free(a->bufs[i]);
	ls_free(a->bufs);
	memset(a, 0, sizeof *a);
}

/* --- engine ---------------------------------------------------------- */

int node_sync_init(struct node_sync *ns, struct store *store,
                   struct node_ingest *ingest, const char *self_id,
                   const struct ls_keypair *kp,
                   const struct node_sync_options *opt)
{
	int rc;

	memset(ns, 0, sizeof *ns);
	if (store == NULL || ingest == NULL || self_id == NULL || kp == NULL ||
	    !ls_node_id_valid(self_id, strnlen(self_id, LS_NODE_ID_SIZE)))
		return LS_EINVAL;
	ns->store = store;
	ns->ingest = ingest;
	memcpy(ns->self_id, self_id, strlen(self_id) + 1);
	if (opt != NULL)
		ns->opt = *opt;
	if (ns->opt.page_docs == 0 || ns->opt.page_docs > LS_SYNC_PAGE_MAX_DOCS)
		ns->opt.page_docs = opt != NULL && opt->page_docs != 0
		                        ? LS_SYNC_PAGE_MAX_DOCS
		                        : DEFAULT_PAGE_DOCS;
	if (ns->opt.page_bytes < LS_ENVELOPE_MAX ||
	    ns->opt.page_bytes > LS_SYNC_PAGE_MAX_BYTES)
		ns->opt.page_bytes = LS_SYNC_PAGE_MAX_BYTES;
	if (opt == NULL)
		ns->opt.push = 1;
	if (ns->opt.max_pages == 0)
		ns->opt.max_pages = DEFAULT_MAX_PAGES;
	if (ns->opt.replay_entries == 0)
		ns->opt.replay_entries = DEFAULT_REPLAY_ENTRIES;
	if (ns->opt.replay_reply_bytes == 0)
		ns->opt.replay_reply_bytes = DEFAULT_REPLAY_BYTES;
	memcpy(ns->key_id, kp->key_id, LS_KEY_ID_BYTES);
	if ((rc = proto_session_self_new(kp, &ns->session)) != LS_OK)
		goto err;
	rc = proto_replay_new(ns->opt.replay_entries,
	                      ns->opt.replay_reply_bytes, &ns->replay);
	if (rc != LS_OK)
		goto err_after_session;
	return LS_OK;

err_after_session:
	proto_session_self_free(ns->session);
err:
	memset(ns, 0, sizeof *ns);
	return rc;
}

void node_sync_fini(struct node_sync *ns)
{
	proto_replay_free(ns->replay);
	proto_session_self_free(ns->session);
	proto_vv_fini(&ns->vv);
	ls_free(ns->peer_keys);
	memset(ns, 0, sizeof *ns);
}

int node_sync_own_head_known(const struct node_sync *ns)
{
	return ns->own_head_known;
}

int node_sync_set_key(struct node_sync *ns, const struct ls_keypair *kp)
{
	struct proto_session_self *self;
	int rc = proto_session_self_new(kp, &self);
	if (rc != LS_OK)
		return rc;
	proto_session_self_free(ns->session);
	ns->session = self;
	memcpy(ns->key_id, kp->key_id, LS_KEY_ID_BYTES);
	return LS_OK;
}

void node_sync_set_ext(struct node_sync *ns, const struct node_sync_ext *ext)
{
	ns->ext = ext;
}

void node_sync_set_own_head_known(struct node_sync *ns)
{
	if (!ns->own_head_known)
		LS_INFO("sync", "own_head_known", "node=%s source=config",
		        ns->self_id);
	ns->own_head_known = 1;
}

struct vv_build {
	struct ls_vv vv;
	size_t cap;
	int rc;
};

static int vv_cb(void *arg, const char *origin, uint64_t seq,
                 const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct vv_build *b = arg;
	struct ls_vv_entry *x;
	if (b->vv.n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct ls_vv_entry *grown =
		    ls_realloc(b->vv.entries, cap * sizeof *grown);
		if (grown == NULL) {
			b->rc = LS_ENOMEM;
			return WALK_STOP;
		}
		b->vv.entries = grown;
		b->cap = cap;
	}
	x = &b->vv.entries[b->vv.n++];
	memset(x, 0, sizeof *x);
	snprintf(x->origin, sizeof x->origin, "%s", origin);
	x->seq = seq;
	memcpy(x->head, head, LS_HASH_BYTES);
	x->flags = forked ? LS_VV_FORKED : 0;
	return 0;
}

int node_sync_vector_load(struct store *s, struct ls_vv *out)
{
	struct vv_build b;
	int rc;
	memset(&b, 0, sizeof b);
	rc = store_feed_vector(s, vv_cb, &b);
	if (rc == WALK_STOP)
		rc = b.rc;
	if (rc != LS_OK) {
		proto_vv_fini(&b.vv);
		return rc;
	}
	*out = b.vv;
	return LS_OK;
}

int node_sync_vector(struct node_sync *ns, const struct ls_vv **vv,
                     const uint8_t **digest)
{
	struct ls_vv fresh;
	uint64_t gen;
	int rc = store_feed_generation(ns->store, &gen);
	if (rc != LS_OK)
		return rc;
	if (!ns->vv_valid || gen != ns->vv_gen) {
		if ((rc = node_sync_vector_load(ns->store, &fresh)) != LS_OK)
			return rc;
		proto_vv_fini(&ns->vv);
		ns->vv = fresh;
		proto_vv_digest(&ns->vv, ns->vv_digest);
		ns->vv_gen = gen;
		ns->vv_valid = 1;
	}
	if (vv != NULL)
		*vv = &ns->vv;
	if (digest != NULL)
		*digest = ns->vv_digest;
	return LS_OK;
}

/* --- own summaries handed to a peer (audit log, "sent") ------------- */

static int sent_add(struct sent_docs *sd, const struct store_doc_meta *m)
{
	if (sd->n == sd->cap) {
		size_t cap = sd->cap ? 2 * sd->cap : 8;
		struct sent_doc *grown = ls_realloc(sd->v, cap * sizeof *grown);
		if (grown == NULL)
			return LS_ENOMEM;
		sd->v = grown;
		sd->cap = cap;
	}
	sd->v[sd->n].seq = m->seq;
	memcpy(sd->v[sd->n].hash, m->hash, LS_HASH_BYTES);
	sd->n++;
	return LS_OK;
}

/*
 * Record in the audit log, in one transaction, that the own summaries in
 * sd go to peer. Called before the page leaves: a summary whose sending
 * cannot be recorded is not sent (the request fails instead). A document
 * already recorded for that peer (a resend, a peer that lost it) stays
 * one entry.
 */
int node_sync_sent_record(struct node_sync *ns, const char *peer,
                          const struct sent_docs *sd, int64_t now)
{
	struct ls_errinfo e;
	int rc;

	if (sd->n == 0)
		return LS_OK;
	if ((rc = store_tx_begin(ns->store)) != LS_OK)
		return rc;
	for (size_t i = 0; i < sd->n; i++) {
		struct store_audit_entry x;
		memset(&x, 0, sizeof x);
		x.at = now;
		x.kind = STORE_AUDIT_SENT;
		snprintf(x.actor, sizeof x.actor, "signaald");
		memcpy(x.origin, ns->self_id, sizeof x.origin);
		x.seq = sd->v[i].seq;
		memcpy(x.doc_hash, sd->v[i].hash, LS_HASH_BYTES);
		snprintf(x.peer, sizeof x.peer, "%s", peer);
		ls_errinfo_clear(&e);
		rc = store_audit_append(ns->store, &x, &e);
		if (rc == LS_EEXISTS)
			continue;
		if (rc != LS_OK) {
			store_tx_rollback(ns->store);
			LS_ERROR("sync", "audit_sent_failed",
			         "peer=%s seq=%llu reason=%s detail=\"%s\"",
			         peer, (unsigned long long)x.seq,
			         ls_errname(rc), e.msg);
			return rc;
		}
	}
	return store_tx_commit(ns->store);
}

/* --- pages from the store -------------------------------------------- */

static int page_fill_cb(void *arg, const struct store_doc_meta *m,
                        const uint8_t *env, size_t len)
{
	struct page_fill *pf = arg;
	uint8_t *copy;
	int rc;
	if (pf->page->n_docs > 0 &&
	    (pf->page->n_docs >= pf->max_docs ||
	     len > pf->max_bytes - pf->page->docs_bytes)) {
		pf->full = 1;
		return WALK_STOP;
	}
	if ((copy = node_sync_arena_copy(pf->arena, env, len)) == NULL) {
		pf->rc = LS_ENOMEM;
		return WALK_STOP;
	}
	rc = proto_sync_page_add(pf->page, pf->req, copy, len);
	if (rc == LS_ELIMIT) {
		pf->full = 1;
		return WALK_STOP;
	}
	if (rc != LS_OK) {
		pf->rc = rc;
		return WALK_STOP;
	}
	pf->last = m->seq;
	if (pf->sent != NULL && m->type == LS_DOC_SUMMARY &&
	    strcmp(m->origin, pf->self) == 0 &&
	    (rc = sent_add(pf->sent, m)) != LS_OK) {
		pf->rc = rc;
		return WALK_STOP;
	}
	return 0;
}

/* Add the documents of want w to the page, as far as they fit. */
int node_sync_page_fill_want(struct store *s, struct page_fill *pf,
                             const struct ls_sync_want *w)
{
	size_t docs_left = pf->max_docs - pf->page->n_docs;
	size_t bytes_left = pf->max_bytes - pf->page->docs_bytes;
	int more = 0, rc;

	pf->last = 0;
	if (docs_left == 0) {
		pf->full = 1;
		return LS_OK;
	}
	rc = store_feed_page(s, w->origin, w->from, w->to, docs_left,
	                     bytes_left > 0 ? bytes_left : 1, page_fill_cb, pf,
	                     &more);
	if (rc == WALK_STOP)
		return pf->rc;
	if (rc == LS_EINVAL)
		return LS_OK; /* a want for no valid origin: nothing */
	if (rc != LS_OK)
		return rc;
	if (more)
		pf->full = 1;
	return LS_OK;
}

/* --- fork proofs from the store -------------------------------------- */

int node_sync_fork_find_cb(void *arg, const struct store_fork *f,
                           const uint8_t *proof, size_t len)
{
	struct fork_find *ff = arg;
	if (strcmp(f->origin, ff->origin) != 0)
		return 0;
	ff->proof = ls_malloc(len);
	if (ff->proof == NULL) {
		ff->rc = LS_ENOMEM;
		return WALK_STOP;
	}
	memcpy(ff->proof, proof, len);
	ff->len = len;
	return WALK_STOP;
}
