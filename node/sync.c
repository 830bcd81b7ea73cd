/*
 * The sync engine (see sync.h for the shape of a round and the server's
 * order of checks).
 *
 * Server: frame -> proto_session_open_request (roster in force) ->
 * proto_replay_check -> proto_sync_decode -> serve_* from the store or
 * node_ingest_page for a push -> proto_sync_encode -> seal -> remember
 * the reply for resends. A frame that cannot be opened gets a refusal
 * frame (its code and our clock, unauthenticated); a message that opens
 * but is no valid request gets a sealed ERROR.
 *
 * Client: a round keeps the wants it still has to fetch (from the version
 * vectors), the forks to ask proofs for, and what to push. Each reply
 * is checked against its request (type, page bounds, one result per
 * pushed document) before anything is done with it; every page is taken
 * in by node_ingest in one transaction before the next request, so what
 * a round fetched is durable whatever happens to the next request.
 *
 * Fork detection beyond proto_vv_diff: where this node is ahead of the
 * peer, the hash of its own document at the peer's head is compared with
 * the peer's head; where a fetched document does not follow the held
 * head (a prev that names another document), the peer's document at the
 * held head is fetched too. Either way a diverged feed turns into a
 * fork proof instead of an endless `chain`.
 */
#include "node/sync.h"

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

/* What a store walk's callback returns to stop it: not an LS_E* code,
 * so that it cannot be mistaken for the store's own errors. */
#define WALK_STOP 1000

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

struct arena {
	uint8_t **bufs;
	size_t n, cap;
};

/* The arena takes buf (LS_OK); on LS_ENOMEM the caller keeps it. */
static int arena_take(struct arena *a, uint8_t *buf)
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

static uint8_t *arena_copy(struct arena *a, const uint8_t *p, size_t len)
{
	uint8_t *copy = ls_malloc(len);
	if (copy == NULL)
		return NULL;
	memcpy(copy, p, len);
	if (arena_take(a, copy) != LS_OK) {
		ls_free(copy);
		return NULL;
	}
	return copy;
}

static void arena_free(struct arena *a)
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
	memset(ns, 0, sizeof *ns);
}

int node_sync_own_head_known(const struct node_sync *ns)
{
	return ns->own_head_known;
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

static const struct ls_vv_entry *vv_find(const struct ls_vv *vv,
                                         const char *origin)
{
	size_t lo = 0, hi = vv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(vv->entries[mid].origin, origin);
		if (c == 0)
			return &vv->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- pages from the store -------------------------------------------- */

/* --- own summaries handed to a peer (audit log, "sent") ------------- */

struct sent_doc {
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
};

struct sent_docs {
	struct sent_doc *v;
	size_t n, cap;
};

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
static int sent_record(struct node_sync *ns, const char *peer,
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

struct page_fill {
	struct ls_sync_msg *page;
	const struct ls_sync_msg *req; /* DOCS_REQ bounds, or NULL */
	size_t max_docs, max_bytes;    /* own bounds (push) */
	struct arena *arena;
	int full;
	uint64_t last;
	int rc;
	/* The own summaries on the page (seq and hash), for the audit log's
	 * "sent" entries; NULL: not tracked. */
	const char *self;
	struct sent_docs *sent;
};

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
	if ((copy = arena_copy(pf->arena, env, len)) == NULL) {
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
static int page_fill_want(struct store *s, struct page_fill *pf,
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

/* --- server ---------------------------------------------------------- */

static int serve_docs(struct node_sync *ns, const struct ls_sync_msg *req,
                      struct ls_sync_msg *rep, struct arena *a, int64_t now,
                      const char *peer)
{
	struct sent_docs sent = {0};
	struct page_fill pf;
	int rc = LS_OK;

	proto_sync_msg_init(rep, LS_SYNC_DOCS_REP);
	memset(&pf, 0, sizeof pf);
	pf.page = rep;
	pf.req = req;
	pf.max_docs = req->max_docs;
	pf.max_bytes = req->max_bytes;
	pf.arena = a;
	pf.self = ns->self_id;
	pf.sent = &sent;
	for (size_t i = 0; i < req->n_wants && !pf.full && rc == LS_OK; i++)
		rc = page_fill_want(ns->store, &pf, &req->wants[i]);
	if (rc == LS_OK)
		rc = sent_record(ns, peer, &sent, now);
	ls_free(sent.v);
	rep->more = pf.full;
	return rc;
}

struct fork_find {
	const char *origin;
	uint8_t *proof;
	size_t len;
	int rc;
};

static int fork_find_cb(void *arg, const struct store_fork *f,
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

static int serve_fork(struct node_sync *ns, const struct ls_sync_msg *req,
                      struct ls_sync_msg *rep, struct arena *a)
{
	struct fork_find ff = {.origin = req->origin};
	const uint8_t *d[2];
	size_t dl[2];
	int rc = store_fork_list(ns->store, 0, fork_find_cb, &ff);

	if (rc == WALK_STOP)
		rc = ff.rc;
	if (rc != LS_OK)
		return rc;
	if (ff.proof == NULL) {
		proto_sync_msg_init(rep, LS_SYNC_ERROR);
		rep->code = proto_wire_code(LS_ENOTFOUND);
		return LS_OK;
	}
	/* The arena owns the proof; the reply points into it. */
	if (arena_take(a, ff.proof) != LS_OK) {
		ls_free(ff.proof);
		return LS_ENOMEM;
	}
	rc = proto_fork_proof_decode(ff.proof, ff.len, &d[0], &dl[0], &d[1],
	                             &dl[1], NULL);
	if (rc != LS_OK)
		return LS_ECORRUPT;
	proto_sync_msg_init(rep, LS_SYNC_FORK_REP);
	rep->docs = ls_calloc(2, sizeof *rep->docs);
	if (rep->docs == NULL)
		return LS_ENOMEM;
	rep->n_docs = 2;
	for (int i = 0; i < 2; i++) {
		rep->docs[i].data = d[i];
		rep->docs[i].len = dl[i];
		rep->docs_bytes += dl[i];
	}
	return LS_OK;
}

static int serve_push(struct node_sync *ns, const struct ls_sync_msg *req,
                      struct ls_sync_msg *rep, int64_t now, const char *peer,
                      struct node_sync_served *info)
{
	struct node_ingest_doc *docs;
	struct ls_errinfo e;
	int rc;

	docs = ls_calloc(req->n_docs, sizeof *docs);
	if (docs == NULL)
		return LS_ENOMEM;
	info->docs_in = req->n_docs;
	rc = node_ingest_page(ns->ingest, req->docs, req->n_docs, now, peer,
	                      docs, &info->push, &e);
	if (rc != LS_OK) {
		ls_free(docs);
		return rc;
	}
	proto_sync_msg_init(rep, LS_SYNC_PUSH_REP);
	rep->results = ls_calloc(req->n_docs, sizeof *rep->results);
	if (rep->results == NULL) {
		ls_free(docs);
		return LS_ENOMEM;
	}
	rep->n_results = req->n_docs;
	for (size_t i = 0; i < req->n_docs; i++) {
		rep->results[i] = proto_wire_code(docs[i].code);
		if (docs[i].outcome == NODE_INGEST_REJECTED)
			info->push_rejected++;
	}
	ls_free(docs);
	return LS_OK;
}

/* Answer one decoded request. A failure is answered with ERROR by the
 * caller. rep is initialised here. */
static int serve(struct node_sync *ns, const struct ls_sync_msg *req,
                 struct ls_sync_msg *rep, struct arena *a, int64_t now,
                 const char *peer, struct node_sync_served *info,
                 int *borrowed_vv)
{
	const struct ls_vv *vv;
	const uint8_t *digest;
	int rc;

	switch (req->type) {
	case LS_SYNC_DIGEST_REQ:
		if ((rc = node_sync_vector(ns, &vv, &digest)) != LS_OK)
			return rc;
		proto_sync_msg_init(rep, LS_SYNC_DIGEST_REP);
		memcpy(rep->digest, digest, LS_HASH_BYTES);
		rep->n_origins = (uint32_t)vv->n;
		/* A peer that holds exactly what we hold holds nothing newer
		 * of our own feed either. */
		if (!ns->own_head_known &&
		    memcmp(req->digest, digest, LS_HASH_BYTES) == 0) {
			LS_INFO("sync", "own_head_known",
			        "node=%s peer=%s source=peer_digest",
			        ns->self_id, peer);
			ns->own_head_known = 1;
		}
		return LS_OK;
	case LS_SYNC_VV_REQ:
		if ((rc = node_sync_vector(ns, &vv, NULL)) != LS_OK)
			return rc;
		proto_sync_msg_init(rep, LS_SYNC_VV_REP);
		rep->vv = *vv; /* borrowed: not freed with rep */
		*borrowed_vv = 1;
		return LS_OK;
	case LS_SYNC_DOCS_REQ:
		rc = serve_docs(ns, req, rep, a, now, peer);
		if (rc == LS_OK)
			info->docs_out = rep->n_docs;
		return rc;
	case LS_SYNC_PUSH_REQ:
		return serve_push(ns, req, rep, now, peer, info);
	case LS_SYNC_FORK_REQ:
		return serve_fork(ns, req, rep, a);
	default:
		return LS_EDECODE; /* a reply type sent as a request */
	}
}

/* At most REFUSAL_LOGS refusals logged per minute: junk from the network
 * must not flood the log (every refusal is counted all the same). */
#define REFUSAL_LOGS 20

static int refusal_log_ok(struct node_sync *ns, int64_t now)
{
	if (now - ns->refusal_window >= 60) {
		if (ns->refusals_unlogged > 0)
			LS_WARN("sync", "request_refusals_not_logged",
			        "count=%llu seconds=60",
			        (unsigned long long)ns->refusals_unlogged);
		ns->refusal_window = now;
		ns->refusals_logged = 0;
		ns->refusals_unlogged = 0;
	}
	if (ns->refusals_logged < REFUSAL_LOGS) {
		ns->refusals_logged++;
		return 1;
	}
	ns->refusals_unlogged++;
	return 0;
}

static int refuse(int code, int64_t now, uint8_t **reply, size_t *reply_len,
                  struct node_sync_served *info)
{
	info->refused = 1;
	info->code = code;
	return proto_session_encode_refusal(code, now, reply, reply_len);
}

int node_sync_handle_frame(struct node_sync *ns, int64_t now,
                           const uint8_t *frame, size_t len, uint8_t **reply,
                           size_t *reply_len, struct node_sync_served *out)
{
	const struct ls_roster *roster = node_trust_roster(ns->ingest->trust);
	struct node_sync_served scratch, *info = out ? out : &scratch;
	struct ls_session_request sreq;
	struct proto_session_reply *sealer = NULL;
	struct ls_sync_msg req, rep;
	struct ls_errinfo e;
	struct arena a;
	const uint8_t *cached;
	size_t cached_len, plain_len = 0, rep_len = 0;
	uint8_t *plain = NULL, *rep_buf = NULL;
	int rc, verdict, borrowed_vv = 0;

	memset(info, 0, sizeof *info);
	memset(&a, 0, sizeof a);
	*reply = NULL;
	*reply_len = 0;
	if (roster == NULL)
		return refuse(LS_ESTATE, now, reply, reply_len, info);
	rc = proto_session_open_request(ns->session, roster, now, frame, len,
	                                &sreq, &plain, &plain_len, &sealer, &e);
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK) {
		if (refusal_log_ok(ns, now))
			LS_WARN("sync", "request_refused",
			        "frame_bytes=%zu reason=%s detail=\"%.100s\"",
			        len, ls_errname(rc), e.msg);
		return refuse(rc, now, reply, reply_len, info);
	}
	memcpy(info->peer, sreq.sender, sizeof info->peer);
	rc = proto_replay_check(ns->replay, &sreq, now, &verdict, &cached,
	                        &cached_len);
	if (rc != LS_OK) {
		ls_free(plain);
		proto_session_reply_free(sealer);
		if (rc == LS_ENOMEM)
			return rc;
		if (refusal_log_ok(ns, now))
			LS_WARN("sync", "request_refused", "peer=%s reason=%s",
			        info->peer, ls_errname(rc));
		return refuse(rc, now, reply, reply_len, info);
	}
	if (verdict == PROTO_REPLAY_RESEND) {
		info->resend = 1;
		if (cached != NULL) {
			ls_free(plain);
			proto_session_reply_free(sealer);
			*reply = ls_malloc(cached_len);
			if (*reply == NULL)
				return LS_ENOMEM;
			memcpy(*reply, cached, cached_len);
			*reply_len = cached_len;
			return LS_OK;
		}
	}

	memset(&req, 0, sizeof req);
	memset(&rep, 0, sizeof rep);
	rc = proto_sync_decode(plain, plain_len, &req, &e);
	if (rc == LS_OK) {
		info->type = req.type;
		rc = serve(ns, &req, &rep, &a, now, info->peer, info,
		           &borrowed_vv);
	}
	if (rc != LS_OK) {
		if (rc == LS_ENOMEM)
			goto out;
		if (rep.type != 0 && borrowed_vv)
			memset(&rep.vv, 0, sizeof rep.vv);
		proto_sync_msg_fini(&rep);
		borrowed_vv = 0;
		proto_sync_msg_init(&rep, LS_SYNC_ERROR);
		rep.code = proto_wire_code(rc);
		LS_WARN("sync", "request_failed", "peer=%s type=%s reason=%s",
		        info->peer,
		        proto_sync_type_name(req.type)
		            ? proto_sync_type_name(req.type)
		            : "?",
		        ls_errname(rc));
	}
	if (rep.type == LS_SYNC_ERROR)
		info->code = proto_wire_code_to_err(rep.code);
	rc = proto_sync_encode(&rep, &rep_buf, &rep_len, &e);
	if (rc != LS_OK) {
		/* Only a bug or no memory gets here: answer something. */
		LS_ERROR("sync", "reply_encode_failed", "peer=%s detail=\"%s\"",
		         info->peer, e.msg);
		if (borrowed_vv)
			memset(&rep.vv, 0, sizeof rep.vv);
		proto_sync_msg_fini(&rep);
		borrowed_vv = 0;
		proto_sync_msg_init(&rep, LS_SYNC_ERROR);
		rep.code = proto_wire_code(LS_EINTERNAL);
		info->code = LS_EINTERNAL;
		rc = proto_sync_encode(&rep, &rep_buf, &rep_len, &e);
		if (rc != LS_OK)
			goto out;
	}
	rc = proto_session_seal_reply(sealer, rep_buf, rep_len, reply,
	                              reply_len);
	if (rc == LS_OK)
		(void)proto_replay_remember_reply(ns->replay, &sreq, *reply,
		                                  *reply_len);
out:
	if (borrowed_vv)
		memset(&rep.vv, 0, sizeof rep.vv);
	proto_sync_msg_fini(&rep);
	proto_sync_msg_fini(&req);
	arena_free(&a);
	ls_free(rep_buf);
	ls_free(plain);
	proto_session_reply_free(sealer);
	return rc;
}

/* --- client ---------------------------------------------------------- */

struct node_sync_round {
	struct node_sync *ns;
	char peer[LS_NODE_ID_SIZE];
	uint8_t peer_key_id[LS_KEY_ID_BYTES];
	uint8_t peer_pk[LS_PUBKEY_BYTES];
	struct node_sync_round_info info;
	/* The outstanding request. */
	struct proto_session_call *call;
	struct ls_sync_msg req;
	struct arena req_arena;
	size_t req_wants; /* DOCS: how many of wants[] the request carries */
	/* The peer's vector. */
	struct ls_vv theirs;
	/* Pulls still to fetch, and origins whose fetch stopped. */
	struct ls_sync_want *wants;
	size_t n_wants, cap_wants;
	char (*stopped)[LS_NODE_ID_SIZE];
	size_t n_stopped;
	char (*probed)[LS_NODE_ID_SIZE];
	size_t n_probed;
	/* Origins where our document at the peer's head is another one. */
	char (*diverged)[LS_NODE_ID_SIZE];
	size_t n_diverged;
	/* Fork proofs to ask for. */
	char (*forks)[LS_NODE_ID_SIZE];
	size_t n_forks, i_fork;
	/* Pushes still to send; origins whose fork proof to push. */
	struct ls_sync_want *pushes;
	size_t n_pushes;
	char (*push_forks)[LS_NODE_ID_SIZE];
	size_t n_push_forks, i_push_fork;
	uint32_t pages;
	uint64_t own_needed; /* the peer's seq of our own origin, to reach */
};

static void round_fail(struct node_sync_round *r, int code)
{
	if (r->info.state == NODE_SYNC_FAILED ||
	    r->info.state == NODE_SYNC_DONE)
		return;
	r->info.state = NODE_SYNC_FAILED;
	r->info.code = code != LS_OK ? code : LS_EINTERNAL;
}

static void round_clear_request(struct node_sync_round *r)
{
	proto_session_call_free(r->call);
	r->call = NULL;
	proto_sync_msg_fini(&r->req);
	arena_free(&r->req_arena);
	r->req_wants = 0;
}

/* Why a member has no key it may hold sessions with: the verdict on its
 * newest key. */
static int member_refusal(const struct ls_roster *roster,
                          const struct ls_roster_member *m, int64_t now)
{
	const struct ls_roster_key *newest = NULL;
	struct ls_key_ref ref;
	int rc;
	for (size_t i = 0; i < m->n_keys; i++)
		if (newest == NULL ||
		    m->keys[i].valid_from > newest->valid_from)
			newest = &m->keys[i];
	if (newest == NULL ||
	    proto_roster_find_key(roster, newest->key_id, &ref) != LS_OK)
		return LS_EKEY;
	rc = proto_key_check_session(&ref, now);
	return rc != LS_OK ? rc : LS_EEXPIRED;
}

int node_sync_round_new(struct node_sync *ns, const char *peer_id, int64_t now,
                        struct node_sync_round **out)
{
	const struct ls_roster *roster = node_trust_roster(ns->ingest->trust);
	const struct ls_roster_member *m;
	const struct ls_roster_key *k;
	struct node_sync_round *r;

	*out = NULL;
	if (roster == NULL ||
	    (m = proto_roster_find_member(roster, peer_id)) == NULL)
		return LS_EDENIED;
	k = proto_roster_member_key(roster, m, now);
	if (k == NULL)
		return member_refusal(roster, m, now);
	if (strcmp(peer_id, ns->self_id) == 0)
		return LS_EINVAL;
	r = ls_calloc(1, sizeof *r);
	if (r == NULL)
		return LS_ENOMEM;
	r->ns = ns;
	snprintf(r->peer, sizeof r->peer, "%s", peer_id);
	memcpy(r->peer_key_id, k->key_id, LS_KEY_ID_BYTES);
	memcpy(r->peer_pk, k->pk, LS_PUBKEY_BYTES);
	r->info.state = NODE_SYNC_DIGEST;
	*out = r;
	return LS_OK;
}

void node_sync_round_free(struct node_sync_round *r)
{
	if (r == NULL)
		return;
	round_clear_request(r);
	proto_vv_fini(&r->theirs);
	ls_free(r->wants);
	ls_free(r->stopped);
	ls_free(r->probed);
	ls_free(r->diverged);
	ls_free(r->forks);
	ls_free(r->pushes);
	ls_free(r->push_forks);
	ls_free(r);
}

const struct node_sync_round_info *
node_sync_round_info(const struct node_sync_round *r)
{
	return &r->info;
}

void node_sync_round_abort(struct node_sync_round *r, int code)
{
	round_clear_request(r);
	round_fail(r, code);
}

static int id_in(char (*list)[LS_NODE_ID_SIZE], size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], id) == 0)
			return 1;
	return 0;
}

static int id_add(char (**list)[LS_NODE_ID_SIZE], size_t *n, const char *id)
{
	char(*grown)[LS_NODE_ID_SIZE] =
	    ls_realloc(*list, (*n + 1) * sizeof **list);
	if (grown == NULL)
		return LS_ENOMEM;
	*list = grown;
	snprintf(grown[*n], LS_NODE_ID_SIZE, "%s", id);
	(*n)++;
	return LS_OK;
}

static int want_add(struct node_sync_round *r, const char *origin,
                    uint64_t from, uint64_t to, int front)
{
	if (r->n_wants == r->cap_wants) {
		size_t cap = r->cap_wants ? 2 * r->cap_wants : 16;
		struct ls_sync_want *grown =
		    ls_realloc(r->wants, cap * sizeof *grown);
		if (grown == NULL)
			return LS_ENOMEM;
		r->wants = grown;
		r->cap_wants = cap;
	}
	if (front) {
		memmove(&r->wants[1], &r->wants[0],
		        r->n_wants * sizeof *r->wants);
	}
	{
		struct ls_sync_want *w = &r->wants[front ? 0 : r->n_wants];
		memset(w, 0, sizeof *w);
		snprintf(w->origin, sizeof w->origin, "%s", origin);
		w->from = from;
		w->to = to;
	}
	r->n_wants++;
	return LS_OK;
}

static void wants_remove(struct node_sync_round *r, size_t i)
{
	memmove(&r->wants[i], &r->wants[i + 1],
	        (r->n_wants - i - 1) * sizeof *r->wants);
	r->n_wants--;
}

/* The federation's feed first: every other document is verified against
 * the trust it brings. Stable, so the rest stays in origin order. */
static void wants_federation_first(struct node_sync_round *r)
{
	const char *fed = r->ns->ingest->trust->federation;
	for (size_t i = 0; i < r->n_wants && fed[0] != '\0'; i++)
		if (strcmp(r->wants[i].origin, fed) == 0 && i > 0) {
			struct ls_sync_want w = r->wants[i];
			memmove(&r->wants[1], &r->wants[0],
			        i * sizeof *r->wants);
			r->wants[0] = w;
			break;
		}
}

/* --- refusal memory (PROTOCOL.md 7, "Refused documents") ------------- */

int node_sync_refusal_live(const struct node_sync *ns,
                           const struct node_sync_refusal *x, int64_t now)
{
	return x->trust_seq == ns->ingest->trust->head.seq &&
	       now < x->retry_at;
}

const char *node_sync_refusal_advice(const struct node_sync_refusal *x)
{
	switch (x->code) {
	case LS_EPOLICY:
		return "het document schendt het beleid dat gold toen het "
		       "gemaakt werd: vraag de beheerder van de herkomst het "
		       "te corrigeren (een nieuw federatiedocument laat het "
		       "opnieuw beoordelen)";
	case LS_EREVOKED:
	case LS_EEXPIRED:
	case LS_EKEY:
	case LS_EDENIED:
		return "de sleutel of het lid mocht dit document niet "
		       "ondertekenen: controleer de ledenlijst ('signaalctl "
		       "federation show') en meld het aan de koepel";
	case LS_ESTATE:
		return "dit knooppunt kent het beleid van de federatie nog "
		       "niet: importeer de federatiebundel of laat het "
		       "synchroniseren met de koepel";
	case LS_ESIG:
	case LS_EDECODE:
	case LS_ELIMIT:
		return "de peer stuurt een beschadigd of vervalst document: "
		       "meld het aan de beheerder van de peer";
	default:
		return "meld het aan de beheerder van de peer";
	}
}

static struct node_sync_refusal *refusal_find(struct node_sync *ns,
                                              const char *peer,
                                              const char *origin,
                                              uint64_t seq, int push)
{
	for (size_t i = 0; i < ns->n_remembered; i++) {
		struct node_sync_refusal *x = &ns->remembered[i];
		if (x->seq == seq && x->push == push &&
		    strcmp(x->origin, origin) == 0 &&
		    strcmp(x->peer, peer) == 0)
			return x;
	}
	return NULL;
}

/* Remember that (peer, origin, seq) was refused for `code`; logged once
 * when it is new (or its reason changed). */
static void refusal_note(struct node_sync *ns, const char *peer,
                         const char *origin, uint64_t seq, int push,
                         int code, const char *detail, int64_t now)
{
	struct node_sync_refusal *x =
	    refusal_find(ns, peer, origin, seq, push);
	int fresh = x == NULL || x->code != code;
	if (x == NULL) {
		if (ns->n_remembered == NODE_SYNC_REFUSALS_MAX) {
			memmove(&ns->remembered[0], &ns->remembered[1],
			        (NODE_SYNC_REFUSALS_MAX - 1) *
			            sizeof ns->remembered[0]);
			ns->n_remembered--;
		}
		x = &ns->remembered[ns->n_remembered++];
		memset(x, 0, sizeof *x);
		snprintf(x->peer, sizeof x->peer, "%s", peer);
		snprintf(x->origin, sizeof x->origin, "%s", origin);
		x->seq = seq;
		x->push = push;
		x->first = now;
	}
	x->code = code;
	x->trust_seq = ns->ingest->trust->head.seq;
	x->last = now;
	x->retry_at = now + NODE_SYNC_REFUSAL_RETRY_S;
	x->count++;
	ls_strlcpy(x->detail, detail ? detail : "", sizeof x->detail);
	if (fresh)
		LS_ERROR("sync", "doc_refusal_remembered",
		         "peer=%s origin=%s seq=%llu direction=%s reason=%s "
		         "retry_s=%d detail=\"%.120s\" action=\"%s\"",
		         peer, origin, (unsigned long long)seq,
		         push ? "push" : "pull", ls_errname(code),
		         NODE_SYNC_REFUSAL_RETRY_S, x->detail,
		         node_sync_refusal_advice(x));
}

static int refusal_holds(struct node_sync *ns, const char *peer,
                         const char *origin, uint64_t seq, int push,
                         int64_t now)
{
	struct node_sync_refusal *x =
	    refusal_find(ns, peer, origin, seq, push);
	return x != NULL && node_sync_refusal_live(ns, x, now);
}

/* Codes a peer's push result names for a document it refused. */
static int push_refusal(int code)
{
	switch (code) {
	case LS_EDECODE:
	case LS_ELIMIT:
	case LS_ESIG:
	case LS_EKEY:
	case LS_EREVOKED:
	case LS_EEXPIRED:
	case LS_EDENIED:
	case LS_EPOLICY:
		return 1;
	default:
		return 0;
	}
}

static void own_head_learned(struct node_sync_round *r, const char *how)
{
	if (!r->ns->own_head_known)
		LS_INFO("sync", "own_head_known", "node=%s peer=%s source=%s",
		        r->ns->self_id, r->peer, how);
	r->ns->own_head_known = 1;
	r->own_needed = 0;
}

/* After a page: has the own feed reached what the peer holds of it? */
static int own_head_check(struct node_sync_round *r)
{
	uint8_t hash[LS_HASH_BYTES];
	uint64_t seq;
	int rc;
	if (r->own_needed == 0)
		return LS_OK;
	rc = store_feed_head(r->ns->store, r->ns->self_id, &seq, hash);
	if (rc != LS_OK)
		return rc;
	if (seq >= r->own_needed)
		own_head_learned(r, "fetched");
	return LS_OK;
}

/* The VV reply: plan the pulls, fork proofs and pushes. */
static int plan(struct node_sync_round *r, int64_t now)
{
	struct node_sync *ns = r->ns;
	const struct ls_vv *mine;
	const struct ls_vv_entry *own_theirs, *own_mine;
	struct ls_vv_diff pull, push;
	int rc;

	if ((rc = node_sync_vector(ns, &mine, NULL)) != LS_OK)
		return rc;
	memset(&pull, 0, sizeof pull);
	memset(&push, 0, sizeof push);
	if ((rc = proto_vv_diff(mine, &r->theirs, &pull)) != LS_OK)
		return rc;
	for (size_t i = 0; i < pull.n_wants && rc == LS_OK; i++)
		rc = want_add(r, pull.wants[i].origin, pull.wants[i].from,
		              pull.wants[i].to, 0);
	if (rc == LS_OK && pull.n_forks > 0) {
		r->forks = pull.forks;
		r->n_forks = pull.n_forks;
		pull.forks = NULL;
	}
	proto_vv_diff_fini(&pull);
	if (rc != LS_OK)
		return rc;

	/* Where we are ahead: does the peer's head match our document at
	 * that position? If not, fetch theirs: it proves a fork. */
	for (size_t j = 0; j < r->theirs.n; j++) {
		const struct ls_vv_entry *t = &r->theirs.entries[j];
		const struct ls_vv_entry *m = vv_find(mine, t->origin);
		struct store_doc_meta held;
		if (m == NULL || m->seq <= t->seq ||
		    ((m->flags | t->flags) & LS_VV_FORKED))
			continue;
		rc = store_feed_get(ns->store, t->origin, t->seq, &held, NULL,
		                    NULL);
		if (rc != LS_OK)
			return rc;
		if (memcmp(held.hash, t->head, LS_HASH_BYTES) != 0 &&
		    ((rc = want_add(r, t->origin, t->seq, t->seq, 0)) !=
		         LS_OK ||
		     (rc = id_add(&r->diverged, &r->n_diverged, t->origin)) !=
		         LS_OK))
			return rc;
	}
	wants_federation_first(r);
	/* Positions this peer sent before and we refused: not again. */
	for (size_t i = 0; i < r->n_wants;) {
		if (refusal_holds(ns, r->peer, r->wants[i].origin,
		                  r->wants[i].from, 0, now)) {
			LS_DEBUG("sync", "want_held_back",
			         "peer=%s origin=%s seq=%llu", r->peer,
			         r->wants[i].origin,
			         (unsigned long long)r->wants[i].from);
			r->info.held_back++;
			wants_remove(r, i);
		} else {
			i++;
		}
	}

	/* Restore from backup: what does the peer hold of our own feed? */
	own_theirs = vv_find(&r->theirs, ns->self_id);
	own_mine = vv_find(mine, ns->self_id);
	if (own_theirs == NULL ||
	    (own_mine != NULL && own_theirs->seq < own_mine->seq))
		own_head_learned(r, "vv");
	else if (own_mine != NULL && own_theirs->seq == own_mine->seq) {
		if (memcmp(own_theirs->head, own_mine->head, LS_HASH_BYTES) ==
		    0)
			own_head_learned(r, "vv");
		else
			LS_ERROR("sync", "own_feed_diverged",
			         "peer=%s seq=%llu", r->peer,
			         (unsigned long long)own_theirs->seq);
	} else {
		r->own_needed = own_theirs->seq;
		LS_WARN("sync", "own_feed_behind",
		        "peer=%s held=%llu peer_has=%llu action=fetch", r->peer,
		        (unsigned long long)(own_mine ? own_mine->seq : 0),
		        (unsigned long long)own_theirs->seq);
	}

	if (!ns->opt.push)
		return LS_OK;
	if ((rc = proto_vv_diff(&r->theirs, mine, &push)) != LS_OK)
		return rc;
	/* What the peer lacks, except feeds this node has stopped; for
	 * those, the peer gets the fork proof's documents instead. */
	r->pushes = push.wants;
	push.wants = NULL;
	r->n_pushes = 0;
	for (size_t i = 0; i < push.n_wants; i++) {
		const struct ls_vv_entry *m =
		    vv_find(mine, r->pushes[i].origin);
		if (m != NULL && (m->flags & LS_VV_FORKED))
			continue;
		if (refusal_holds(ns, r->peer, r->pushes[i].origin,
		                  r->pushes[i].from, 1, now)) {
			r->info.held_back++;
			continue;
		}
		/* A diverged feed: push our document at the peer's head
		 * too, so the peer sees the fork itself. */
		if (r->pushes[i].from > 1 &&
		    id_in(r->diverged, r->n_diverged, r->pushes[i].origin))
			r->pushes[i].from--;
		r->pushes[r->n_pushes++] = r->pushes[i];
	}
	r->push_forks = push.forks;
	r->n_push_forks = push.n_forks;
	push.forks = NULL;
	proto_vv_diff_fini(&push);
	return LS_OK;
}

/* The feed fields of an envelope (already verified or refused by the
 * ingest; this only locates it). */
static int envelope_header(const uint8_t *data, size_t len,
                           struct ls_doc_header *hdr)
{
	struct ls_envelope env;
	int rc = proto_envelope_decode(data, len, &env, NULL);
	if (rc != LS_OK)
		return rc;
	return proto_doc_decode_header(env.payload, env.payload_len, hdr, NULL);
}

/* A DOCS reply: take the page in, then advance the wants. */
static int took_page(struct node_sync_round *r, int64_t now,
                     const struct ls_sync_msg *rep)
{
	struct node_sync *ns = r->ns;
	struct node_ingest_doc *docs = NULL;
	struct node_ingest_page pg;
	struct ls_errinfo e;
	size_t sent = r->req_wants;
	int rc;

	if (rep->n_docs > 0) {
		docs = ls_calloc(rep->n_docs, sizeof *docs);
		if (docs == NULL)
			return LS_ENOMEM;
	}
	rc = node_ingest_page(ns->ingest, rep->docs, rep->n_docs, now, r->peer,
	                      docs, &pg, &e);
	if (rc != LS_OK) {
		ls_free(docs);
		return rc;
	}
	r->pages++;
	r->info.docs_in += rep->n_docs;
	r->info.docs_stored += pg.stored;
	r->info.forks += pg.forks;
	if (pg.trust_changed)
		r->info.trust_changed = 1;

	/* Origins whose documents did not go in stop for this round; a
	 * document that does not follow our head gets our head's position
	 * fetched, to prove a fork if there is one. */
	for (size_t i = 0; i < rep->n_docs; i++) {
		const struct node_ingest_doc *d = &docs[i];
		if (d->outcome == NODE_INGEST_STORED ||
		    d->outcome == NODE_INGEST_EXISTS)
			continue;
		if (d->outcome == NODE_INGEST_REJECTED)
			r->info.rejected++;
		if (!d->has_hdr)
			continue;
		if (d->outcome == NODE_INGEST_REJECTED)
			refusal_note(ns, r->peer, d->hdr.origin, d->hdr.seq, 0,
			             d->code, d->detail, now);
		if (!id_in(r->stopped, r->n_stopped, d->hdr.origin) &&
		    (rc = id_add(&r->stopped, &r->n_stopped, d->hdr.origin)) !=
		        LS_OK)
			break;
		if (d->outcome == NODE_INGEST_CHAIN && d->hdr.seq > 1 &&
		    !id_in(r->probed, r->n_probed, d->hdr.origin)) {
			uint64_t seq;
			uint8_t hash[LS_HASH_BYTES];
			if ((rc = store_feed_head(ns->store, d->hdr.origin,
			                          &seq, hash)) != LS_OK)
				break;
			if (seq + 1 == d->hdr.seq) {
				if ((rc = id_add(&r->probed, &r->n_probed,
				                 d->hdr.origin)) != LS_OK ||
				    (rc = want_add(r, d->hdr.origin, seq, seq,
				                   0)) != LS_OK)
					break;
			}
		}
	}
	ls_free(docs);
	if (rc != LS_OK)
		return rc;

	/* Advance: without `more` every want sent is done; with it, the
	 * wants before the last document's are done and that one goes on
	 * after its last seq. */
	if (!rep->more || rep->n_docs == 0) {
		for (size_t i = 0; i < sent; i++)
			wants_remove(r, 0);
	} else {
		struct ls_doc_header last;
		const struct ls_bytes *b = &rep->docs[rep->n_docs - 1];
		size_t k = sent;
		if (envelope_header(b->data, b->len, &last) != LS_OK) {
			for (size_t i = 0; i < sent; i++)
				wants_remove(r, 0);
		} else {
			for (size_t i = 0; i < sent; i++)
				if (strcmp(r->wants[i].origin, last.origin) ==
				    0) {
					k = i;
					break;
				}
			if (k == sent) {
				for (size_t i = 0; i < sent; i++)
					wants_remove(r, 0);
			} else {
				struct ls_sync_want *w = &r->wants[k];
				w->from = last.seq + 1;
				for (size_t i = 0; i < k; i++)
					wants_remove(r, 0);
				if (r->wants[0].to != 0 &&
				    r->wants[0].from > r->wants[0].to)
					wants_remove(r, 0);
			}
		}
	}
	/* Drop the wants of stopped origins (the probes stay). */
	for (size_t i = 0; i < r->n_wants;) {
		if (id_in(r->stopped, r->n_stopped, r->wants[i].origin) &&
		    !(r->wants[i].from == r->wants[i].to &&
		      id_in(r->probed, r->n_probed, r->wants[i].origin)))
			wants_remove(r, i);
		else
			i++;
	}
	return own_head_check(r);
}

/* Build the next push page from r->pushes (advancing them). */
static int build_push(struct node_sync_round *r, struct ls_sync_msg *m,
                      int64_t now)
{
	struct sent_docs sent = {0};
	struct page_fill pf;
	int rc = LS_OK;

	proto_sync_msg_init(m, LS_SYNC_PUSH_REQ);
	memset(&pf, 0, sizeof pf);
	pf.page = m;
	pf.max_docs = r->ns->opt.page_docs;
	pf.max_bytes = r->ns->opt.page_bytes;
	pf.arena = &r->req_arena;
	pf.self = r->ns->self_id;
	pf.sent = &sent;
	while (r->n_pushes > 0 && !pf.full) {
		struct ls_sync_want *w = &r->pushes[0];
		rc = page_fill_want(r->ns->store, &pf, w);
		if (rc != LS_OK)
			break;
		if (pf.full && pf.last != 0) {
			w->from = pf.last + 1;
			if (w->to == 0 || w->from <= w->to)
				break;
		} else if (pf.full) {
			break;
		}
		memmove(&r->pushes[0], &r->pushes[1],
		        (r->n_pushes - 1) * sizeof *r->pushes);
		r->n_pushes--;
	}
	if (rc == LS_OK)
		rc = sent_record(r->ns, r->peer, &sent, now);
	ls_free(sent.v);
	return rc;
}

/* The two envelopes of our proof for origin, as a push page. */
static int build_push_fork(struct node_sync_round *r, const char *origin,
                           struct ls_sync_msg *m)
{
	struct fork_find ff = {.origin = origin};
	const uint8_t *d[2];
	size_t dl[2];
	int rc = store_fork_list(r->ns->store, 0, fork_find_cb, &ff);
	if (rc == WALK_STOP)
		rc = ff.rc;
	if (rc != LS_OK)
		return rc;
	proto_sync_msg_init(m, LS_SYNC_PUSH_REQ);
	if (ff.proof == NULL)
		return LS_OK; /* resolved meanwhile: nothing to push */
	rc = proto_fork_proof_decode(ff.proof, ff.len, &d[0], &dl[0], &d[1],
	                             &dl[1], NULL);
	for (int i = 0; i < 2 && rc == LS_OK; i++) {
		uint8_t *copy = arena_copy(&r->req_arena, d[i], dl[i]);
		rc = copy == NULL ? LS_ENOMEM
		                  : proto_sync_page_add(m, NULL, copy, dl[i]);
	}
	ls_free(ff.proof);
	return rc;
}

/* The next request of the round in r->req, or the round ends. */
static int next_request(struct node_sync_round *r, int64_t now)
{
	struct node_sync *ns = r->ns;
	const struct ls_vv *vv;
	const uint8_t *digest;
	int rc;

	for (;;) {
		switch (r->info.state) {
		case NODE_SYNC_DIGEST:
			if ((rc = node_sync_vector(ns, &vv, &digest)) != LS_OK)
				return rc;
			proto_sync_msg_init(&r->req, LS_SYNC_DIGEST_REQ);
			memcpy(r->req.digest, digest, LS_HASH_BYTES);
			r->req.n_origins = (uint32_t)vv->n;
			return LS_OK;
		case NODE_SYNC_VV:
			proto_sync_msg_init(&r->req, LS_SYNC_VV_REQ);
			return LS_OK;
		case NODE_SYNC_DOCS:
			if (r->n_wants == 0 || r->pages >= ns->opt.max_pages) {
				r->info.state = NODE_SYNC_FORK;
				continue;
			}
			proto_sync_msg_init(&r->req, LS_SYNC_DOCS_REQ);
			r->req_wants = r->n_wants < LS_SYNC_MAX_WANTS
			                   ? r->n_wants
			                   : LS_SYNC_MAX_WANTS;
			r->req.wants =
			    ls_calloc(r->req_wants, sizeof *r->req.wants);
			if (r->req.wants == NULL)
				return LS_ENOMEM;
			memcpy(r->req.wants, r->wants,
			       r->req_wants * sizeof *r->req.wants);
			r->req.n_wants = r->req_wants;
			r->req.max_docs = ns->opt.page_docs;
			r->req.max_bytes = ns->opt.page_bytes;
			return LS_OK;
		case NODE_SYNC_FORK:
			if (r->i_fork >= r->n_forks) {
				r->info.state = NODE_SYNC_PUSH;
				continue;
			}
			proto_sync_msg_init(&r->req, LS_SYNC_FORK_REQ);
			memcpy(r->req.origin, r->forks[r->i_fork++],
			       LS_NODE_ID_SIZE);
			return LS_OK;
		case NODE_SYNC_PUSH:
			if (r->pages >= ns->opt.max_pages ||
			    (r->n_pushes == 0 &&
			     r->i_push_fork >= r->n_push_forks)) {
				r->info.state = NODE_SYNC_DONE;
				continue;
			}
			if (r->n_pushes > 0)
				rc = build_push(r, &r->req, now);
			else
				rc = build_push_fork(
				    r, r->push_forks[r->i_push_fork++],
				    &r->req);
			if (rc != LS_OK)
				return rc;
			if (r->req.n_docs == 0) {
				proto_sync_msg_fini(&r->req);
				arena_free(&r->req_arena);
				if (r->n_pushes > 0)
					r->n_pushes = 0; /* nothing held */
				continue;
			}
			return LS_OK;
		default:
			return LS_ENOTFOUND;
		}
	}
}

int node_sync_round_next(struct node_sync_round *r, int64_t now,
                         uint8_t **frame, size_t *len)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	struct ls_errinfo e;
	int rc;

	*frame = NULL;
	*len = 0;
	if (r->call != NULL)
		return LS_ESTATE;
	if (r->info.state == NODE_SYNC_DONE ||
	    r->info.state == NODE_SYNC_FAILED)
		return LS_ENOTFOUND;
	rc = next_request(r, now);
	if (rc == LS_ENOTFOUND ||
	    (rc == LS_OK && r->info.state == NODE_SYNC_DONE)) {
		round_clear_request(r);
		return LS_ENOTFOUND;
	}
	if (rc == LS_OK)
		rc = proto_sync_encode(&r->req, &plain, &plain_len, &e);
	if (rc == LS_OK)
		rc = proto_session_seal_request(
		    r->ns->session, r->peer_key_id, r->peer_pk, now, plain,
		    plain_len, frame, len, &r->call);
	ls_free(plain);
	if (rc != LS_OK) {
		round_clear_request(r);
		round_fail(r, rc);
		return rc;
	}
	r->info.requests++;
	r->info.bytes_out += *len;
	if (r->req.type == LS_SYNC_PUSH_REQ)
		r->info.docs_pushed += r->req.n_docs;
	return LS_OK;
}

int node_sync_round_reply(struct node_sync_round *r, int64_t now,
                          const uint8_t *frame, size_t len)
{
	struct node_sync *ns = r->ns;
	struct ls_sync_msg rep;
	struct ls_errinfo e;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc;

	if (r->call == NULL)
		return LS_ESTATE;
	r->info.bytes_in += len;
	memset(&rep, 0, sizeof rep);
	rc = proto_session_open_reply(r->call, frame, len, &plain, &plain_len,
	                              &e);
	if (rc == LS_OK)
		rc = proto_sync_decode(plain, plain_len, &rep, &e);
	if (rc == LS_OK)
		rc = proto_sync_check_reply(&r->req, &rep, &e);
	if (rc == LS_OK && rep.type == LS_SYNC_ERROR) {
		rc = proto_wire_code_to_err(rep.code);
		if (rc == LS_OK)
			rc = LS_EINTERNAL;
		ls_errf(&e, rc, "peer answered error %s", ls_errname(rc));
	}
	if (rc != LS_OK) {
		LS_WARN("sync", "reply_refused",
		        "peer=%s state=%s reason=%s detail=\"%.100s\"", r->peer,
		        node_sync_state_name(r->info.state), ls_errname(rc),
		        e.msg);
		goto fail;
	}

	switch (r->info.state) {
	case NODE_SYNC_DIGEST:
		if (memcmp(rep.digest, r->req.digest, LS_HASH_BYTES) == 0) {
			r->info.in_sync = 1;
			r->info.state = NODE_SYNC_DONE;
			own_head_learned(r, "digest");
		} else {
			r->info.state = NODE_SYNC_VV;
		}
		break;
	case NODE_SYNC_VV:
		r->theirs = rep.vv;
		memset(&rep.vv, 0, sizeof rep.vv);
		r->info.peer_vv = &r->theirs;
		if ((rc = plan(r, now)) != LS_OK)
			goto fail;
		r->info.state = NODE_SYNC_DOCS;
		break;
	case NODE_SYNC_DOCS:
		if ((rc = took_page(r, now, &rep)) != LS_OK)
			goto fail;
		break;
	case NODE_SYNC_FORK:
		rc = node_ingest_fork_proof(ns->ingest, rep.docs[0].data,
		                            rep.docs[0].len, rep.docs[1].data,
		                            rep.docs[1].len, now, r->peer, &e);
		if (rc == LS_ENOMEM || rc == LS_ESTORE || rc == LS_EIO ||
		    rc == LS_EBUSY)
			goto fail;
		if (rc == LS_OK)
			r->info.forks++;
		else
			r->info.rejected++;
		break;
	case NODE_SYNC_PUSH:
		r->pages++;
		for (size_t i = 0; i < rep.n_results; i++) {
			int code = proto_wire_code_to_err(rep.results[i]);
			struct ls_doc_header h;
			if (rep.results[i] == 0)
				r->info.push_stored++;
			if (!push_refusal(code) || i >= r->req.n_docs ||
			    envelope_header(r->req.docs[i].data,
			                    r->req.docs[i].len, &h) != LS_OK)
				continue;
			r->info.push_refused++;
			refusal_note(ns, r->peer, h.origin, h.seq, 1, code,
			             "the peer refused it", now);
		}
		break;
	default:
		rc = LS_ESTATE;
		goto fail;
	}
	proto_sync_msg_fini(&rep);
	ls_free(plain);
	round_clear_request(r);
	return LS_OK;

fail:
	proto_sync_msg_fini(&rep);
	ls_free(plain);
	round_clear_request(r);
	round_fail(r, rc);
	return rc;
}
