/* node/sync: the sync engine between engines in memory — convergence,
 * cheap rounds when nothing changed, pages and resumption, membership
 * both ways, replays and bad frames, forks, restore from backup. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/log.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/sync.h"
#include "node/trust.h"
#include "proto/session.h"
#include "store/audit.h"
#include "store/feed.h"
#include "tests/fixture.h"
#include "tests/unit/fixture.h"

#define MAX_NODES 8

/* Every test runs twice: ingest on the caller's thread only (a round
 * takes each page in before its next request), and on a verify pool of
 * two threads (the client asks ahead: node/sync_client.c). */
static unsigned g_workers;

struct tnode {
	char id[LS_NODE_ID_SIZE];
	char dir[64];
	char path[128];
	struct store *s;
	struct node_trust trust;
	struct node_ingest in;
	struct node_sync ns;
	struct ls_keypair *kp;
};

struct world {
	struct tnode n[MAX_NODES];
	size_t count;
	struct ls_keypair *fed;
	struct ls_feed_head fed_head;
	uint8_t *fed_env[8];
	size_t fed_len[8];
	size_t n_fed;
};

static void fed_sign(struct world *w, struct ls_doc *d)
{
	strcpy(d->hdr.origin, FX_FEDERATION);
	w->fed_env[w->n_fed] = fx_sign(d, &w->fed_head, FX_NOW - 86400,
	                               "federation", &w->fed_len[w->n_fed]);
	w->n_fed++;
}

static void node_open(struct world *w, struct tnode *t, const char *id,
                      const char *key, const struct node_sync_options *opt)
{
	struct store_options so = {
	    .create = 1, .synchronous = LS_SYNC_NORMAL, .busy_timeout_ms = -1};
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", id);
	fixture_tmpdir(t->dir, sizeof t->dir);
	snprintf(t->path, sizeof t->path, "%s/signaal.db", t->dir);
	assert_int_equal(store_open(t->path, &so, &t->s, NULL), LS_OK);
	node_trust_init(&t->trust, FX_FEDERATION, w->fed->pk);
	node_ingest_init(&t->in, t->s, &t->trust);
	if (g_workers > 1)
		assert_int_equal(node_ingest_set_workers(&t->in, g_workers),
		                 LS_OK);
	t->kp = fx_key(key);
	assert_int_equal(node_sync_init(&t->ns, t->s, &t->in, id, t->kp, opt),
	                 LS_OK);
}

static void node_close(struct tnode *t)
{
	node_sync_fini(&t->ns);
	node_ingest_fini(&t->in);
	node_trust_fini(&t->trust);
	store_close(t->s);
	proto_keypair_free(t->kp);
	fixture_rmdir(t->dir);
}

/* The federation feed handed over out of band (like a bundle). */
static void node_bootstrap(struct world *w, struct tnode *t)
{
	struct ls_bytes b[8];
	struct node_ingest_page pg;
	for (size_t i = 0; i < w->n_fed; i++) {
		b[i].data = w->fed_env[i];
		b[i].len = w->fed_len[i];
	}
	assert_int_equal(node_ingest_page(&t->in, b, w->n_fed, FX_NOW, "bundle",
	                                  NULL, &pg, NULL),
	                 LS_OK);
	assert_int_equal(pg.stored, w->n_fed);
}

static struct tnode *add(struct world *w, const char *id, const char *key)
{
	struct tnode *t = &w->n[w->count++];
	node_open(w, t, id, key, NULL);
	node_bootstrap(w, t);
	return t;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct ls_doc d;
	ls_log_set_level(getenv("TEST_LOG") ? LS_LOG_DEBUG : LS_LOG_OFF);
	w->fed = fx_key("federation");
	proto_doc_init(&d, LS_DOC_ROSTER);
	fx_roster(&d.body.roster);
	fed_sign(w, &d);
	proto_doc_fini(&d);
	proto_doc_init(&d, LS_DOC_POLICY);
	fx_policy(&d.body.policy);
	fed_sign(w, &d);
	proto_doc_fini(&d);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	for (size_t i = 0; i < w->count; i++)
		node_close(&w->n[i]);
	for (size_t i = 0; i < w->n_fed; i++)
		ls_free(w->fed_env[i]);
	proto_keypair_free(w->fed);
	free(w);
	return 0;
}

/* Publish n status documents in t's own feed; every one different (a
 * twin with the same key must sign other documents). */
static void publish(struct tnode *t, unsigned n)
{
	static unsigned uniq;
	for (unsigned i = 0; i < n; i++) {
		struct ls_doc d;
		proto_doc_init(&d, LS_DOC_STATUS);
		strcpy(d.hdr.origin, t->id);
		fx_status(&d.body.status, 1 + i % 5);
		d.body.status.uptime = ++uniq;
		assert_int_equal(node_feed_publish(t->s, t->kp, &d,
		                                   FX_NOW - 3600 + i, NULL,
		                                   NULL),
		                 LS_OK);
		proto_doc_fini(&d);
	}
}

/* One whole round of a with b, frames handed over in memory; returns
 * the round's final info (copied) and stops after max_requests
 * requests when that is > 0 (an interrupted round). */
static struct node_sync_round_info round_with(struct tnode *a, struct tnode *b,
                                              uint32_t max_requests)
{
	struct node_sync_round *r;
	struct node_sync_round_info info;
	uint8_t *frame, *reply;
	size_t len, reply_len;

	assert_int_equal(node_sync_round_new(&a->ns, b->id, FX_NOW, &r), LS_OK);
	for (;;) {
		int rc;
		if (max_requests > 0 &&
		    node_sync_round_info(r)->requests >= max_requests) {
			node_sync_round_abort(r, LS_ETIMEOUT);
			break;
		}
		rc = node_sync_round_next(r, FX_NOW, &frame, &len);
		if (rc == LS_ENOTFOUND)
			break;
		assert_int_equal(rc, LS_OK);
		assert_int_equal(node_sync_handle_frame(&b->ns, FX_NOW, frame,
		                                        len, &reply, &reply_len,
		                                        NULL),
		                 LS_OK);
		ls_free(frame);
		rc = node_sync_round_reply(r, FX_NOW, reply, reply_len);
		ls_free(reply);
		if (rc != LS_OK)
			break;
	}
	info = *node_sync_round_info(r);
	info.peer_vv = NULL;
	node_sync_round_free(r);
	return info;
}

static void digest_of(struct tnode *t, uint8_t out[LS_HASH_BYTES])
{
	const uint8_t *d;
	assert_int_equal(node_sync_vector(&t->ns, NULL, &d), LS_OK);
	memcpy(out, d, LS_HASH_BYTES);
}

static int all_equal(struct world *w)
{
	uint8_t first[LS_HASH_BYTES], d[LS_HASH_BYTES];
	digest_of(&w->n[0], first);
	for (size_t i = 1; i < w->count; i++) {
		digest_of(&w->n[i], d);
		if (memcmp(first, d, LS_HASH_BYTES) != 0)
			return 0;
	}
	return 1;
}

static void test_star_converges_and_idle_round_is_cheap(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	const char *ids[] = {"berlaar", "bornem", "dendermonde", "eeklo",
	                     "kortrijk"};
	struct node_sync_round_info info;
	uint64_t docs, bytes;

	for (size_t i = 0; i < 5; i++)
		publish(add(w, ids[i], ids[i]), (unsigned)(3 + i));
	publish(hub, 2);
	assert_false(all_equal(w));
	/* Every member syncs with the hub (push and pull), twice. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 1; i < w->count; i++) {
			info = round_with(&w->n[i], hub, 0);
			assert_int_equal(info.state, NODE_SYNC_DONE);
		}
	assert_true(all_equal(w));
	for (size_t i = 0; i < w->count; i++) {
		assert_int_equal(store_feed_count(w->n[i].s, &docs, &bytes),
		                 LS_OK);
		assert_int_equal(docs, 2 + 2 + 3 + 4 + 5 + 6 + 7);
		assert_true(node_sync_own_head_known(&w->n[i].ns));
	}
	/* Nothing changed: one request, digests only, a few hundred bytes. */
	info = round_with(&w->n[1], hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(info.in_sync);
	assert_int_equal(info.requests, 1);
	assert_true(info.bytes_out + info.bytes_in < 400);
	/* A new document at one member reaches another through the hub. */
	publish(&w->n[3], 1);
	info = round_with(&w->n[3], hub, 0);
	assert_int_equal(info.push_stored, 1);
	info = round_with(&w->n[5], hub, 0);
	assert_int_equal(info.docs_stored, 1);
}

static void test_pages_resume_after_an_interruption(void **state)
{
	struct world *w = *state;
	struct node_sync_options opt = {.page_docs = 4, .push = 0};
	struct tnode *a = add(w, "gent", "gent");
	struct tnode *b = &w->n[w->count++];
	struct node_sync_round_info info;
	uint64_t docs, bytes;

	node_open(w, b, "kortrijk", "kortrijk", &opt);
	node_bootstrap(w, b);
	publish(a, 50);
	/* digest, vv, then two pages of 4: cut off (the transport gives
	 * up, as on a peer that disconnects). Asking ahead, the second page
	 * was held while the third request would go out: the abort drops
	 * it unstored (the round may be ended from another thread), and
	 * the next round fetches it again. */
	info = round_with(b, a, 4);
	assert_int_equal(info.state, NODE_SYNC_FAILED);
	assert_int_equal(info.docs_stored, g_workers > 1 ? 4 : 8);
	assert_int_equal(info.pages_ahead, g_workers > 1 ? 1 : 0);
	assert_int_equal(store_feed_count(b->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 2 + info.docs_stored);
	/* The next round goes on from there, nothing twice. */
	{
		uint64_t before = info.docs_stored;
		info = round_with(b, a, 0);
		assert_int_equal(info.state, NODE_SYNC_DONE);
		assert_int_equal(info.docs_stored, 50 - before);
		assert_int_equal(info.docs_in, 50 - before);
		assert_int_equal(info.pages_stale, 0);
	}
	assert_true(all_equal(w));
}

/* A reply that cannot be opened (a peer gone wrong mid-round): the round
 * fails, and the pages before it are stored — also the one held ahead
 * when the bad reply came — and nothing of the bad one. */
static void test_bad_reply_keeps_the_pages_before(void **state)
{
	struct world *w = *state;
	struct node_sync_options opt = {.page_docs = 4, .push = 0};
	struct tnode *a = add(w, "gent", "gent");
	struct tnode *b = &w->n[w->count++];
	struct node_sync_round *r;
	uint8_t *frame, *reply;
	size_t len, reply_len;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
	int rc = LS_OK;

	node_open(w, b, "kortrijk", "kortrijk", &opt);
	node_bootstrap(w, b);
	publish(a, 20);
	assert_int_equal(node_sync_round_new(&b->ns, a->id, FX_NOW, &r), LS_OK);
	/* digest, vv, page 1, page 2; the reply to the fifth is bad */
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len),
		                 LS_OK);
		assert_int_equal(node_sync_handle_frame(&a->ns, FX_NOW, frame,
		                                        len, &reply, &reply_len,
		                                        NULL),
		                 LS_OK);
		ls_free(frame);
		if (i == 5)
			reply[reply_len / 2] ^= 0x40;
		rc = node_sync_round_reply(r, FX_NOW, reply, reply_len);
		ls_free(reply);
		if (i < 5)
			assert_int_equal(rc, LS_OK);
	}
	assert_int_not_equal(rc, LS_OK);
	assert_int_equal(node_sync_round_info(r)->state, NODE_SYNC_FAILED);
	assert_int_equal(node_sync_round_info(r)->docs_stored, 8);
	assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len),
	                 LS_ENOTFOUND);
	node_sync_round_free(r);
	assert_int_equal(store_feed_head(b->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 8);
	/* and the next round completes it */
	assert_int_equal(round_with(b, a, 0).state, NODE_SYNC_DONE);
	assert_true(all_equal(w));
}

/* signaald ends a failed round on its loop thread while the engine's
 * thread goes on with other rounds: abort and free there drop the page
 * held ahead (its verification given up in the pool) without touching
 * the store, and the next round fetches what it held. */
static void *abort_elsewhere(void *arg)
{
	struct node_sync_round *r = arg;
	node_sync_round_abort(r, LS_ETIMEOUT);
	node_sync_round_free(r);
	return NULL;
}

static void test_round_ended_on_another_thread(void **state)
{
	struct world *w = *state;
	struct node_sync_options opt = {.page_docs = 8, .push = 0};
	struct tnode *a = add(w, "gent", "gent");
	struct tnode *b = &w->n[w->count++], *c;
	struct node_sync_round *r;
	uint8_t *frame, *reply;
	size_t len, reply_len;
	pthread_t th;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];

	node_open(w, b, "kortrijk", "kortrijk", &opt);
	node_bootstrap(w, b);
	c = add(w, "vvsg", "vvsg");
	publish(a, 40);
	publish(c, 20);
	assert_int_equal(node_sync_round_new(&b->ns, a->id, FX_NOW, &r), LS_OK);
	/* digest, vv, page 1, page 2: page 1 stored, page 2 held */
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len),
		                 LS_OK);
		assert_int_equal(node_sync_handle_frame(&a->ns, FX_NOW, frame,
		                                        len, &reply, &reply_len,
		                                        NULL),
		                 LS_OK);
		ls_free(frame);
		assert_int_equal(
		    node_sync_round_reply(r, FX_NOW, reply, reply_len), LS_OK);
		ls_free(reply);
	}
	/* the request for page 3 goes out; the transport then fails */
	assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len), LS_OK);
	ls_free(frame);
	assert_int_equal(pthread_create(&th, NULL, abort_elsewhere, r), 0);
	/* meanwhile this thread runs another round of b's, with the same
	 * verify pool: b fetches vvsg's feed */
	assert_int_equal(round_with(b, c, 0).state, NODE_SYNC_DONE);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(store_feed_head(b->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, g_workers > 1 ? 8 : 16);
	assert_int_equal(store_feed_head(b->s, "vvsg", &seq, hash), LS_OK);
	assert_int_equal(seq, 20);
	assert_int_equal(round_with(b, a, 0).state, NODE_SYNC_DONE);
	assert_int_equal(store_feed_head(b->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 40);
}

/* A refusal in one page while the next one is fetched already: nothing
 * of that next page is stored (it asked for more of the refused origin,
 * which has stopped): it is stale and dropped, and the round asks
 * anew; the other origin's documents come in as without asking ahead. */
static void test_refusal_drops_the_page_asked_ahead(void **state)
{
	struct world *w = *state;
	struct node_sync_options opt = {.page_docs = 4, .push = 0};
	struct tnode *g = add(w, "gent", "gent");
	struct tnode *k = add(w, "kortrijk", "kortrijk");
	struct tnode *hub = &w->n[w->count++];
	struct node_sync_round_info info;
	struct ls_doc d;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];

	node_open(w, hub, "vvsg", "vvsg", &opt);
	node_bootstrap(w, hub);
	/* gent: two statuses, a summary under the federation's k, nine
	 * statuses more; kortrijk: six statuses, which gent holds too. */
	publish(g, 2);
	proto_doc_init(&d, LS_DOC_SUMMARY);
	strcpy(d.hdr.origin, "gent");
	fx_summary(&d.body.summary, "gent", 2025, 10, 160, 7);
	d.body.summary.params.k = 3;
	assert_int_equal(
	    node_feed_publish(g->s, g->kp, &d, FX_NOW - 60, NULL, NULL), LS_OK);
	proto_doc_fini(&d);
	publish(g, 9);
	publish(k, 6);
	assert_int_equal(round_with(g, k, 0).state, NODE_SYNC_DONE);

	/* gent 1-4 (3 refused, 4 then a gap); gent 5-8 asked ahead and
	 * dropped; kortrijk 1-4, kortrijk 5-6 asked ahead and kept. */
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.rejected, 1);
	assert_int_equal(info.docs_stored, 2 + 6);
	assert_int_equal(info.docs_in, 4 + 6);
	assert_int_equal(info.pages_ahead, g_workers > 1 ? 2 : 0);
	assert_int_equal(info.pages_stale, g_workers > 1 ? 1 : 0);
	assert_int_equal(store_feed_head(hub->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 2);
	for (uint64_t i = 3; i <= 12; i++)
		assert_int_equal(
		    store_feed_get(hub->s, "gent", i, NULL, NULL, NULL),
		    LS_ENOTFOUND);
	assert_int_equal(store_feed_head(hub->s, "kortrijk", &seq, hash),
	                 LS_OK);
	assert_int_equal(seq, 6);
	assert_int_equal(hub->ns.n_remembered, 1);
	assert_int_equal(hub->ns.remembered[0].seq, 3);
}

static void test_outsiders_and_removed_members_get_nothing(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *out = &w->n[w->count++];
	struct tnode *left = add(w, "mortsel", "mortsel");
	struct node_sync_round *r;
	struct node_sync_served served;
	uint8_t *frame, *reply;
	size_t len, reply_len;
	struct node_sync_round_info info;

	publish(hub, 3);
	/* "brugge" is in no roster: it cannot even start a round... */
	node_open(w, out, "brugge", "brugge", NULL);
	node_bootstrap(w, out);
	assert_int_equal(node_sync_round_new(&out->ns, "vvsg", FX_NOW, &r),
	                 LS_OK);
	assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len), LS_OK);
	/* ...and the hub refuses its request: unknown key. */
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &served),
	                 LS_OK);
	assert_true(served.refused);
	assert_int_equal(served.code, LS_EKEY);
	assert_int_equal(node_sync_round_reply(r, FX_NOW, reply, reply_len),
	                 LS_EKEY);
	assert_int_equal(node_sync_round_info(r)->state, NODE_SYNC_FAILED);
	ls_free(frame);
	ls_free(reply);
	node_sync_round_free(r);
	/* The hub does not sync with it either. */
	assert_int_equal(node_sync_round_new(&hub->ns, "brugge", FX_NOW, &r),
	                 LS_EDENIED);
	/* mortsel left the federation: refused both ways. */
	assert_int_equal(node_sync_round_new(&hub->ns, "mortsel", FX_NOW, &r),
	                 LS_EREVOKED);
	assert_int_equal(node_sync_round_new(&left->ns, "vvsg", FX_NOW, &r),
	                 LS_OK);
	assert_int_equal(node_sync_round_next(r, FX_NOW, &frame, &len), LS_OK);
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &served),
	                 LS_OK);
	assert_true(served.refused);
	assert_int_equal(served.code, LS_EREVOKED);
	ls_free(frame);
	ls_free(reply);
	node_sync_round_free(r);
	/* Nothing of the hub reached them. */
	{
		uint64_t seq;
		uint8_t h[LS_HASH_BYTES];
		assert_int_equal(store_feed_head(out->s, "vvsg", &seq, h),
		                 LS_OK);
		assert_int_equal(seq, 0);
	}
	/* A member with a roster: fine. */
	info = round_with(add(w, "eeklo", "eeklo"), hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.docs_stored, 3);
}

/* A sealed request from a to b carrying plain bytes. */
static uint8_t *seal_to(struct tnode *a, struct tnode *b, int64_t ts,
                        const uint8_t *plain, size_t plain_len, size_t *len,
                        struct proto_session_call **call)
{
	uint8_t *frame;
	assert_int_equal(
	    proto_session_seal_request(a->ns.session, b->kp->key_id, b->kp->pk,
	                               ts, plain, plain_len, &frame, len, call),
	    LS_OK);
	return frame;
}

static void test_replays_and_bad_frames_are_refused(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *a = add(w, "berlaar", "berlaar");
	struct node_sync_served sv;
	struct ls_sync_msg m;
	struct proto_session_call *call;
	uint8_t *plain, *frame, *frame2, *reply, *reply2, *opened;
	size_t plain_len, len, len2, reply_len, reply2_len, opened_len;
	uint8_t before[LS_HASH_BYTES], after[LS_HASH_BYTES];

	publish(hub, 2);
	digest_of(hub, before);
	proto_sync_msg_init(&m, LS_SYNC_VV_REQ);
	assert_int_equal(proto_sync_encode(&m, &plain, &plain_len, NULL),
	                 LS_OK);
	frame = seal_to(a, hub, FX_NOW, plain, plain_len, &len, &call);

	/* First time: answered. The same bytes again (a resend): the same
	 * reply, which opens for the caller. */
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &sv),
	                 LS_OK);
	assert_false(sv.refused);
	assert_string_equal(sv.peer, "berlaar");
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW + 1, frame,
	                                        len, &reply2, &reply2_len, &sv),
	                 LS_OK);
	assert_true(sv.resend);
	assert_int_equal(reply_len, reply2_len);
	assert_memory_equal(reply, reply2, reply_len);
	assert_int_equal(proto_session_open_reply(call, reply2, reply2_len,
	                                          &opened, &opened_len, NULL),
	                 LS_OK);
	ls_free(opened);
	ls_free(reply);
	ls_free(reply2);
	proto_session_call_free(call);

	/* Tampered: one bit of the ciphertext. */
	frame[len - 3] ^= 0x10;
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &sv),
	                 LS_OK);
	assert_true(sv.refused);
	assert_int_equal(sv.code, LS_ESIG);
	assert_int_equal(proto_session_frame_kind(reply, reply_len),
	                 LS_SESSION_REFUSAL);
	ls_free(reply);
	frame[len - 3] ^= 0x10;
	/* Truncated. */
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame,
	                                        len - 20, &reply, &reply_len,
	                                        &sv),
	                 LS_OK);
	assert_true(sv.refused);
	assert_int_equal(sv.code, LS_EDECODE);
	ls_free(reply);
	/* Oversized. */
	{
		size_t big = LS_SESSION_MSG_MAX + 1;
		uint8_t *huge = ls_calloc(1, big);
		memcpy(huge, frame, len);
		assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, huge,
		                                        big, &reply, &reply_len,
		                                        &sv),
		                 LS_OK);
		assert_int_equal(sv.code, LS_ELIMIT);
		ls_free(reply);
		ls_free(huge);
	}
	ls_free(frame);
	/* Stale: sealed ten minutes ago. */
	frame = seal_to(a, hub, FX_NOW - 600, plain, plain_len, &len, &call);
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &sv),
	                 LS_OK);
	assert_int_equal(sv.code, LS_EREPLAY);
	ls_free(reply);
	ls_free(frame);
	proto_session_call_free(call);
	ls_free(plain);

	/* Wrong type inside a good session: a reply type as a request. */
	proto_sync_msg_init(&m, LS_SYNC_DIGEST_REP);
	m.n_origins = 1;
	assert_int_equal(proto_sync_encode(&m, &plain, &plain_len, NULL),
	                 LS_OK);
	frame = seal_to(a, hub, FX_NOW, plain, plain_len, &len, &call);
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame, len,
	                                        &reply, &reply_len, &sv),
	                 LS_OK);
	assert_false(sv.refused);
	assert_int_equal(sv.code, LS_EDECODE);
	assert_int_equal(proto_session_open_reply(call, reply, reply_len,
	                                          &opened, &opened_len, NULL),
	                 LS_OK);
	assert_int_equal(proto_sync_decode(opened, opened_len, &m, NULL),
	                 LS_OK);
	assert_int_equal(m.type, LS_SYNC_ERROR);
	assert_int_equal(m.code, proto_wire_code(LS_EDECODE));
	proto_sync_msg_fini(&m);
	ls_free(opened);
	ls_free(reply);
	/* Garbage plaintext in a good session. */
	ls_free(frame);
	proto_session_call_free(call);
	frame2 = seal_to(a, hub, FX_NOW, (const uint8_t *)"\x81\x00\x63", 3,
	                 &len2, &call);
	assert_int_equal(node_sync_handle_frame(&hub->ns, FX_NOW, frame2, len2,
	                                        &reply, &reply_len, &sv),
	                 LS_OK);
	assert_int_equal(sv.code, LS_EDECODE);
	ls_free(reply);
	ls_free(frame2);
	proto_session_call_free(call);
	ls_free(plain);
	/* None of it changed the hub. */
	digest_of(hub, after);
	assert_memory_equal(before, after, LS_HASH_BYTES);
}

static void test_fork_is_detected_quarantined_and_spread(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *a = add(w, "bornem", "bornem");
	struct tnode *twin = &w->n[w->count++];
	struct tnode *c = add(w, "eeklo", "eeklo");
	struct node_sync_round_info info;
	int q;

	/* The twin has bornem's key and its own history from seq 1 on. */
	node_open(w, twin, "bornem", "bornem", NULL);
	node_bootstrap(w, twin);
	publish(a, 2);
	publish(twin, 3);
	info = round_with(a, hub, 0);
	assert_int_equal(info.push_stored, 2);
	/* The twin syncs: its seq 1 and 2 conflict with bornem's. It sees
	 * the fork in the hub's seq 2, and the hub in its pushed seq 2. */
	info = round_with(twin, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(info.forks >= 1);
	assert_int_equal(store_fork_quarantined(twin->s, "bornem", &q), LS_OK);
	assert_true(q);
	assert_int_equal(store_fork_quarantined(hub->s, "bornem", &q), LS_OK);
	assert_true(q);
	/* eeklo learns of the fork from the hub: the proof travels. */
	info = round_with(c, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(info.forks >= 1);
	assert_int_equal(store_fork_quarantined(c->s, "bornem", &q), LS_OK);
	assert_true(q);
	/* bornem itself learns it from the hub's proof. */
	info = round_with(a, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(store_fork_quarantined(a->s, "bornem", &q), LS_OK);
	assert_true(q);
}

static void test_restore_learns_own_head_before_publishing(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *a = add(w, "dendermonde", "dendermonde");
	char backup[640];
	uint64_t seq;
	uint8_t h[LS_HASH_BYTES];
	struct node_sync_round_info info;
	int q;

	publish(a, 1);
	snprintf(backup, sizeof backup, "cp %s %s.bak", a->path, a->path);
	node_sync_fini(&a->ns);
	store_close(a->s);
	assert_int_equal(system(backup), 0);
	{
		struct store_options so = {.create = 0, .busy_timeout_ms = -1};
		assert_int_equal(store_open(a->path, &so, &a->s, NULL), LS_OK);
	}
	node_ingest_init(&a->in, a->s, &a->trust);
	assert_int_equal(
	    node_sync_init(&a->ns, a->s, &a->in, a->id, a->kp, NULL), LS_OK);
	publish(a, 3);
	round_with(a, hub, 0);
	/* Restore the backup (seq 1 only) and start again. */
	node_sync_fini(&a->ns);
	store_close(a->s);
	snprintf(backup, sizeof backup, "cp %s.bak %s && rm -f %s-wal %s-shm",
	         a->path, a->path, a->path, a->path);
	assert_int_equal(system(backup), 0);
	{
		struct store_options so = {.create = 0, .busy_timeout_ms = -1};
		assert_int_equal(store_open(a->path, &so, &a->s, NULL), LS_OK);
	}
	node_ingest_init(&a->in, a->s, &a->trust);
	assert_int_equal(
	    node_sync_init(&a->ns, a->s, &a->in, a->id, a->kp, NULL), LS_OK);
	assert_int_equal(store_feed_head(a->s, a->id, &seq, h), LS_OK);
	assert_int_equal(seq, 1);
	assert_false(node_sync_own_head_known(&a->ns));
	/* One round: it fetches its own documents back first. */
	info = round_with(a, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(node_sync_own_head_known(&a->ns));
	assert_int_equal(store_feed_head(a->s, a->id, &seq, h), LS_OK);
	assert_int_equal(seq, 4);
	/* Publishing now continues the feed: no fork anywhere. */
	publish(a, 1);
	round_with(a, hub, 0);
	assert_int_equal(store_fork_quarantined(hub->s, a->id, &q), LS_OK);
	assert_false(q);
	assert_int_equal(store_feed_head(hub->s, a->id, &seq, h), LS_OK);
	assert_int_equal(seq, 5);
}

static void test_roster_update_cuts_off_a_revoked_member(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *k = add(w, "kortrijk", "kortrijk");
	struct tnode *b = add(w, "berlaar", "berlaar");
	struct node_sync_round *r;
	struct node_sync_round_info info;
	struct ls_doc d;
	struct ls_bytes bb;
	struct node_ingest_page pg;

	info = round_with(k, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	/* The federation revokes kortrijk's key (a new roster at the hub). */
	proto_doc_init(&d, LS_DOC_ROSTER);
	fx_roster(&d.body.roster);
	{
		struct ls_roster *ro = &d.body.roster;
		struct ls_roster_revocation *rv =
		    ls_realloc(ro->revocations, 2 * sizeof *ro->revocations);
		const struct ls_roster_member *m =
		    proto_roster_find_member(ro, "kortrijk");
		ro->revocations = rv;
		memset(&rv[1], 0, sizeof rv[1]);
		memcpy(rv[1].key_id, m->keys[0].key_id, LS_KEY_ID_BYTES);
		rv[1].at = FX_NOW - 3600;
		rv[1].after_seq = 0;
		strcpy(rv[1].reason, "stolen");
		ro->n_revocations = 2;
		if (memcmp(rv[0].key_id, rv[1].key_id, LS_KEY_ID_BYTES) > 0) {
			struct ls_roster_revocation tmp = rv[0];
			rv[0] = rv[1];
			rv[1] = tmp;
		}
		assert_int_equal(proto_roster_index(ro), LS_OK);
	}
	fed_sign(w, &d);
	proto_doc_fini(&d);
	bb.data = w->fed_env[w->n_fed - 1];
	bb.len = w->fed_len[w->n_fed - 1];
	assert_int_equal(
	    node_ingest_page(&hub->in, &bb, 1, FX_NOW, "ctl", NULL, &pg, NULL),
	    LS_OK);
	assert_int_equal(pg.stored, 1);
	/* It propagates like any document, and is in force at once. */
	info = round_with(b, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(info.trust_changed);
	/* kortrijk is refused by the hub and the hub will not call it. */
	info = round_with(k, hub, 0);
	assert_int_equal(info.state, NODE_SYNC_FAILED);
	assert_int_equal(info.code, LS_EREVOKED);
	assert_int_equal(node_sync_round_new(&hub->ns, "kortrijk", FX_NOW, &r),
	                 LS_EREVOKED);
	assert_int_equal(node_sync_round_new(&b->ns, "kortrijk", FX_NOW, &r),
	                 LS_EREVOKED);
}

/* Publish summaries of months 1..n in t's own feed. */
static void publish_summaries(struct tnode *t, int n)
{
	for (int m = 1; m <= n; m++) {
		struct ls_doc d;
		proto_doc_init(&d, LS_DOC_SUMMARY);
		strcpy(d.hdr.origin, t->id);
		fx_summary(&d.body.summary, t->id, 2025, m, 160, 7);
		assert_int_equal(node_feed_publish(t->s, t->kp, &d,
		                                   FX_NOW - 3600 + m, NULL,
		                                   NULL),
		                 LS_OK);
		proto_doc_fini(&d);
	}
}

struct sent_count {
	unsigned entries; /* "sent" entries */
	unsigned to[3];   /* to the peers of sent_count_of */
	const char *peers[3];
};

static int sent_cb(void *arg, const struct store_audit_entry *x)
{
	struct sent_count *c = arg;
	if (x->kind != STORE_AUDIT_SENT)
		return 0;
	c->entries++;
	for (int i = 0; i < 3; i++)
		if (c->peers[i] != NULL && strcmp(x->peer, c->peers[i]) == 0)
			c->to[i]++;
	return 0;
}

static struct sent_count sent_count_of(struct tnode *t, const char *p0,
                                       const char *p1, const char *p2)
{
	struct sent_count c = {.peers = {p0, p1, p2}};
	struct store_audit_verdict v;
	assert_int_equal(store_audit_list(t->s, 1, sent_cb, &c), LS_OK);
	assert_int_equal(store_audit_verify(t->s, 0, NULL, &v), LS_OK);
	assert_true(v.ok);
	return c;
}

/* Every own summary that leaves a node, pushed or served, is in its
 * audit log once per peer; relayed documents and statuses are not. */
static void test_sent_summaries_are_in_the_audit_log(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *a = add(w, "kortrijk", "kortrijk");
	struct tnode *b = add(w, "berlaar", "berlaar");
	struct sent_count c;

	publish_summaries(a, 3);
	publish(a, 2); /* statuses: not summaries */
	/* a pushes to the hub. */
	assert_int_equal(round_with(a, hub, 0).state, NODE_SYNC_DONE);
	c = sent_count_of(a, "vvsg", "berlaar", NULL);
	assert_int_equal(c.entries, 3);
	assert_int_equal(c.to[0], 3);
	/* b pulls them from the hub: the hub relays, a records nothing new
	 * and the hub records nothing (not its own). */
	assert_int_equal(round_with(b, hub, 0).state, NODE_SYNC_DONE);
	assert_int_equal(sent_count_of(a, NULL, NULL, NULL).entries, 3);
	assert_int_equal(sent_count_of(hub, NULL, NULL, NULL).entries, 0);
	/* A new month served to b directly by a (b pulls from a). */
	publish_summaries(a, 4); /* months 1..4 again: four more documents */
	assert_int_equal(round_with(b, a, 0).state, NODE_SYNC_DONE);
	c = sent_count_of(a, "vvsg", "berlaar", NULL);
	assert_int_equal(c.to[1], 4);
	/* Again: nothing new, nothing recorded twice. */
	assert_int_equal(round_with(b, a, 0).state, NODE_SYNC_DONE);
	assert_int_equal(round_with(a, hub, 0).state, NODE_SYNC_DONE);
	c = sent_count_of(a, "vvsg", "berlaar", NULL);
	assert_int_equal(c.to[0], 3 + 4);
	assert_int_equal(c.to[1], 4);
	assert_int_equal(c.entries, 3 + 4 + 4);
}

/* PROTOCOL.md 7, "Refused documents": a refused position is remembered
 * per peer and direction, not fetched or pushed again round after round,
 * and tried again once the federation feed changes. */
static void test_refusals_are_remembered_not_retried(void **state)
{
	struct world *w = *state;
	struct tnode *hub = add(w, "vvsg", "vvsg");
	struct tnode *g = add(w, "gent", "gent");
	struct node_sync_round_info info;
	struct ls_doc d;

	/* gent's feed: a status, then a summary claiming k = 3 under the
	 * federation's k = 5 (published past the release gate). */
	publish(g, 1);
	proto_doc_init(&d, LS_DOC_SUMMARY);
	strcpy(d.hdr.origin, "gent");
	fx_summary(&d.body.summary, "gent", 2025, 10, 160, 7);
	d.body.summary.params.k = 3;
	assert_int_equal(
	    node_feed_publish(g->s, g->kp, &d, FX_NOW - 60, NULL, NULL), LS_OK);
	proto_doc_fini(&d);

	/* The hub fetches: the status goes in, the summary is refused and
	 * remembered. */
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.docs_stored, 1);
	assert_int_equal(info.rejected, 1);
	assert_int_equal(hub->ns.n_remembered, 1);
	assert_string_equal(hub->ns.remembered[0].origin, "gent");
	assert_int_equal(hub->ns.remembered[0].seq, 2);
	assert_int_equal(hub->ns.remembered[0].code, LS_EPOLICY);
	assert_false(hub->ns.remembered[0].push);
	assert_non_null(node_sync_refusal_advice(&hub->ns.remembered[0]));
	/* Again: held back, nothing fetched or refused. */
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.docs_in, 0);
	assert_int_equal(info.rejected, 0);
	assert_true(info.held_back >= 1);
	assert_false(info.in_sync);

	/* gent pushes it: refused by the hub, remembered as a push; the
	 * next round does not push it again. */
	info = round_with(g, hub, 0);
	assert_int_equal(info.push_refused, 1);
	assert_int_equal(g->ns.n_remembered, 1);
	assert_true(g->ns.remembered[0].push);
	assert_int_equal(g->ns.remembered[0].code, LS_EPOLICY);
	info = round_with(g, hub, 0);
	assert_int_equal(info.docs_pushed, 0);
	assert_true(info.held_back >= 1);

	/* A new federation document lapses the memory: tried again. */
	{
		struct ls_bytes b;
		struct node_ingest_page pg;
		proto_doc_init(&d, LS_DOC_POLICY);
		fx_policy(&d.body.policy);
		d.body.policy.settle_days = 6;
		fed_sign(w, &d);
		proto_doc_fini(&d);
		b.data = w->fed_env[w->n_fed - 1];
		b.len = w->fed_len[w->n_fed - 1];
		assert_int_equal(node_ingest_page(&hub->in, &b, 1, FX_NOW,
		                                  "bundle", NULL, &pg, NULL),
		                 LS_OK);
		assert_int_equal(pg.stored, 1);
	}
	assert_false(
	    node_sync_refusal_live(&hub->ns, &hub->ns.remembered[0], FX_NOW));
	info = round_with(hub, g, 0);
	assert_int_equal(info.rejected, 1); /* judged again: still k = 3 */
	assert_int_equal(info.held_back, 0);
	assert_true(
	    node_sync_refusal_live(&hub->ns, &hub->ns.remembered[0], FX_NOW));
	assert_int_equal(hub->ns.remembered[0].count, 2);
	/* And an hour later too. */
	assert_false(
	    node_sync_refusal_live(&hub->ns, &hub->ns.remembered[0],
	                           FX_NOW + NODE_SYNC_REFUSAL_RETRY_S));
}

/* The federation rotates gent's key ("gent" -> "gent-next") with a week
 * of overlap: a roster in which both keys hold sessions. */
static void rotation_roster(struct world *w)
{
	struct ls_doc d;
	struct ls_roster_member *g;
	proto_doc_init(&d, LS_DOC_ROSTER);
	fx_roster(&d.body.roster);
	g = (struct ls_roster_member *)proto_roster_find_member(
	    &d.body.roster, "gent");
	g->keys[1].valid_until = FX_NOW + 7 * 86400;
	g->keys = ls_realloc(g->keys, 3 * sizeof *g->keys);
	assert_non_null(g->keys);
	fx_roster_key(&g->keys[2], "gent-next", FX_NOW - 3600, 0);
	g->n_keys = 3;
	assert_int_equal(proto_roster_index(&d.body.roster), LS_OK);
	fed_sign(w, &d);
	proto_doc_fini(&d);
}

/* The node's operator installs another key (a restart of the engine). */
static void switch_key(struct tnode *t, const char *key)
{
	node_sync_fini(&t->ns);
	proto_keypair_free(t->kp);
	t->kp = fx_key(key);
	assert_int_equal(
	    node_sync_init(&t->ns, t->s, &t->in, t->id, t->kp, NULL), LS_OK);
}

/* PROTOCOL.md 6, "Sessions in the overlap": a member that switched to
 * its new key and never pushes is addressed on the key of its latest
 * document held (the old one); it refuses that key (denied) and the
 * round tries its other valid key within the same round, remembers it,
 * and tries each key at most once. */
static void test_session_key_falls_back_in_a_rotation(void **state)
{
	struct world *w = *state;
	struct tnode *hub, *g;
	struct node_sync_round_info info;
	struct ls_keypair *next = fx_key("gent-next");

	rotation_roster(w);
	hub = add(w, "vvsg", "vvsg");
	g = add(w, "gent", "gent");
	publish(g, 1);
	/* The hub holds nothing of gent: it addresses the newest key,
	 * which gent has not installed yet, and falls back to the old. */
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.docs_stored, 1);
	assert_int_equal(info.key_fallbacks, 1);
	info = round_with(hub, g, 0);
	assert_int_equal(info.key_fallbacks, 0);

	/* gent switches keys and publishes nothing new: the hub holds only
	 * its old-key document and remembers the old key, addresses it, is
	 * refused, and syncs on the new one. */
	switch_key(g, "gent-next");
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_true(info.in_sync);
	assert_int_equal(info.key_fallbacks, 1);
	assert_int_equal(info.requests, 2);
	assert_int_equal(hub->ns.n_peer_keys, 1);
	assert_memory_equal(hub->ns.peer_keys[0].key_id, next->key_id,
	                    LS_KEY_ID_BYTES);
	/* Remembered: the next round addresses the new key at once. */
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.key_fallbacks, 0);
	assert_int_equal(info.requests, 1);
	/* What gent signs with its new key arrives. */
	publish(g, 1);
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_DONE);
	assert_int_equal(info.docs_stored, 1);
	assert_int_equal(info.key_fallbacks, 0);

	/* A peer on a key the roster does not list refuses both: each is
	 * tried once, the round fails denied, the memory keeps the key that
	 * worked. */
	switch_key(g, "gent-stray");
	info = round_with(hub, g, 0);
	assert_int_equal(info.state, NODE_SYNC_FAILED);
	assert_int_equal(info.code, LS_EDENIED);
	assert_int_equal(info.requests, 2);
	assert_int_equal(info.key_fallbacks, 1);
	assert_memory_equal(hub->ns.peer_keys[0].key_id, next->key_id,
	                    LS_KEY_ID_BYTES);

	/* Once the overlap ended, only the new key is left: no fallback
	 * to a closed key. */
	switch_key(g, "gent");
	{
		struct node_sync_round *r;
		uint8_t *frame, *reply;
		size_t len, reply_len;
		const int64_t later = FX_NOW + 8 * 86400;
		assert_int_equal(
		    node_sync_round_new(&hub->ns, "gent", later, &r), LS_OK);
		assert_int_equal(node_sync_round_next(r, later, &frame, &len),
		                 LS_OK);
		assert_int_equal(node_sync_handle_frame(&g->ns, later, frame,
		                                        len, &reply,
		                                        &reply_len, NULL),
		                 LS_OK);
		ls_free(frame);
		assert_int_equal(
		    node_sync_round_reply(r, later, reply, reply_len),
		    LS_EDENIED);
		ls_free(reply);
		assert_int_equal(node_sync_round_info(r)->key_fallbacks, 0);
		node_sync_round_free(r);
	}
	proto_keypair_free(next);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_star_converges_and_idle_round_is_cheap),
	    T(test_pages_resume_after_an_interruption),
	    T(test_outsiders_and_removed_members_get_nothing),
	    T(test_replays_and_bad_frames_are_refused),
	    T(test_fork_is_detected_quarantined_and_spread),
	    T(test_restore_learns_own_head_before_publishing),
	    T(test_roster_update_cuts_off_a_revoked_member),
	    T(test_sent_summaries_are_in_the_audit_log),
	    T(test_refusals_are_remembered_not_retried),
	    T(test_bad_reply_keeps_the_pages_before),
	    T(test_refusal_drops_the_page_asked_ahead),
	    T(test_round_ended_on_another_thread),
	    T(test_session_key_falls_back_in_a_rotation),
	};
#undef T
	int failed;
	g_workers = 1;
	failed = cmocka_run_group_tests_name("one thread", tests, NULL, NULL);
	g_workers = 2;
	failed += cmocka_run_group_tests_name("verify pool, asking ahead",
	                                      tests, NULL, NULL);
	return failed;
}
