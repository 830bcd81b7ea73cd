/*
 * The sync engine, server side (see sync.h for the order of checks).
 *
 * Server: frame -> proto_session_open_request (roster in force) ->
 * proto_replay_check -> proto_sync_decode -> serve_* from the store or
 * node_ingest_page for a push -> proto_sync_encode -> seal -> remember
 * the reply for resends. A frame that cannot be opened gets a refusal
 * frame (its code and our clock, unauthenticated); a message that opens
 * but is no valid request gets a sealed ERROR.
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
		rc = node_sync_page_fill_want(ns->store, &pf, &req->wants[i]);
	if (rc == LS_OK)
		rc = node_sync_sent_record(ns, peer, &sent, now);
	ls_free(sent.v);
	rep->more = pf.full;
	return rc;
}

static int serve_fork(struct node_sync *ns, const struct ls_sync_msg *req,
                      struct ls_sync_msg *rep, struct arena *a)
{
	struct fork_find ff = {.origin = req->origin};
	const uint8_t *d[2];
	size_t dl[2];
	int rc = store_fork_list(ns->store, 0, node_sync_fork_find_cb, &ff);

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
	if (node_sync_arena_take(a, ff.proof) != LS_OK) {
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

/* The answer to an opened request: the extension's own requests
 * (node_sync_ext, node/secagg_sync.c) get its plaintext reply in
 * *ext_rep (set only on LS_OK); a sync message is decoded into req and
 * answered into rep. */
static int answer(struct node_sync *ns, const uint8_t *plain, size_t len,
                  struct ls_sync_msg *req, struct ls_sync_msg *rep,
                  struct arena *a, int64_t now, struct node_sync_served *info,
                  int *borrowed_vv, uint8_t **ext_rep, size_t *ext_len,
                  struct ls_errinfo *e)
{
	int rc;

	if (ns->ext != NULL) {
		rc = ns->ext->serve_cb(ns->ext->arg, info->peer, now, plain,
		                       len, ext_rep, ext_len);
		if (rc != LS_ENOTFOUND)
			return rc;
	}
	rc = proto_sync_decode(plain, len, req, e);
	if (rc == LS_OK) {
		info->type = req->type;
		rc = serve(ns, req, rep, a, now, info->peer, info,
		           borrowed_vv);
	}
	return rc;
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
	rc = answer(ns, plain, plain_len, &req, &rep, &a, now, info,
	            &borrowed_vv, &rep_buf, &rep_len, &e);
	if (rep_buf != NULL) /* the extension answered */
		goto seal;
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
seal:
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
	node_sync_arena_free(&a);
	ls_free(rep_buf);
	ls_free(plain);
	proto_session_reply_free(sealer);
	return rc;
}
