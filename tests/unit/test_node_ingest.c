/* node/ingest: documents from a peer — verified, checked against the
 * store, the trust and the policy, stored a page per transaction; forks
 * kept as proof with the origin quarantined; bad documents change
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/trust.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "tests/fixture.h"
#include "tests/unit/fixture.h"
#include "tests/unit/fixture_store.h"

struct tfx {
	char dir[64];
	char path[128];
	struct store *s;
	struct ls_keypair *fed;
	struct node_trust trust;
	struct node_ingest in;
	struct ls_feed_head fed_head;
	/* Envelopes made by the test, freed at teardown. */
	uint8_t *env[64];
	size_t len[64];
	size_t n_env;
};

static int setup(void **state)
{
	struct tfx *f = calloc(1, sizeof *f);
	struct store_options opt = {.create = 1, .busy_timeout_ms = -1};
	ls_log_set_level(LS_LOG_OFF);
	fixture_tmpdir(f->dir, sizeof f->dir);
	snprintf(f->path, sizeof f->path, "%s/signaal.db", f->dir);
	if (store_open(f->path, &opt, &f->s, NULL) != LS_OK)
		return -1;
	f->fed = fx_key("federation");
	node_trust_init(&f->trust, FX_FEDERATION, f->fed->pk);
	node_ingest_init(&f->in, f->s, &f->trust);
	*state = f;
	return 0;
}

/* The same, verifying pages on a pool of two threads (node/vpool). */
static int setup_pool(void **state)
{
	struct tfx *f;
	if (setup(state) != 0)
		return -1;
	f = *state;
	return node_ingest_set_workers(&f->in, 2) == LS_OK ? 0 : -1;
}

static int teardown(void **state)
{
	struct tfx *f = *state;
	node_ingest_fini(&f->in);
	for (size_t i = 0; i < f->n_env; i++)
		ls_free(f->env[i]);
	node_trust_fini(&f->trust);
	store_close(f->s);
	proto_keypair_free(f->fed);
	fixture_rmdir(f->dir);
	free(f);
	return 0;
}

/* Keep an envelope; returns its index. */
static size_t keep(struct tfx *f, uint8_t *env, size_t len)
{
	assert_true(f->n_env < 64);
	f->env[f->n_env] = env;
	f->len[f->n_env] = len;
	return f->n_env++;
}

static size_t fed_doc(struct tfx *f, enum ls_doc_type type)
{
	struct ls_doc d;
	size_t len;
	uint8_t *env;
	proto_doc_init(&d, type);
	strcpy(d.hdr.origin, FX_FEDERATION);
	if (type == LS_DOC_ROSTER)
		fx_roster(&d.body.roster);
	else if (type == LS_DOC_POLICY)
		fx_policy(&d.body.policy);
	else
		fx_taxonomy(&d.body.taxonomy);
	env = fx_sign(&d, &f->fed_head, FX_NOW - 7200, "federation", &len);
	proto_doc_fini(&d);
	return keep(f, env, len);
}

static size_t status_doc(struct tfx *f, const char *origin,
                         struct ls_feed_head *head, const char *key,
                         unsigned peers)
{
	struct ls_doc d;
	size_t len;
	uint8_t *env;
	proto_doc_init(&d, LS_DOC_STATUS);
	strcpy(d.hdr.origin, origin);
	fx_status(&d.body.status, peers);
	env = fx_sign(&d, head, FX_NOW - 600, key, &len);
	proto_doc_fini(&d);
	return keep(f, env, len);
}

static size_t summary_doc(struct tfx *f, const char *origin,
                          struct ls_feed_head *head, int month, uint32_t k)
{
	struct ls_doc d;
	size_t len;
	uint8_t *env;
	proto_doc_init(&d, LS_DOC_SUMMARY);
	strcpy(d.hdr.origin, origin);
	fx_summary(&d.body.summary, origin, 2025, month, 160, 7);
	if (k != 5) {
		/* Claim a looser k than the policy (k = 5) allows; cells
		 * stay valid for the smaller k. */
		d.body.summary.params.k = k;
	}
	env = fx_sign(&d, head, FX_NOW - 3600, origin, &len);
	proto_doc_fini(&d);
	return keep(f, env, len);
}

/* A policy with threshold k, created at `created`. */
static size_t policy_doc_at(struct tfx *f, uint32_t k, int64_t created)
{
	struct ls_doc d;
	size_t len;
	uint8_t *env;
	proto_doc_init(&d, LS_DOC_POLICY);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_policy(&d.body.policy);
	d.body.policy.params.k = k;
	env = fx_sign(&d, &f->fed_head, created, "federation", &len);
	proto_doc_fini(&d);
	return keep(f, env, len);
}

/* A summary made with threshold k at `created` (k > 5: no signals, so
 * every cell is valid for it). */
static size_t summary_doc_at(struct tfx *f, const char *origin,
                             struct ls_feed_head *head, int month, uint32_t k,
                             int64_t created)
{
	struct ls_doc d;
	size_t len;
	uint8_t *env;
	proto_doc_init(&d, LS_DOC_SUMMARY);
	strcpy(d.hdr.origin, origin);
	fx_summary(&d.body.summary, origin, 2025, month, k > 5 ? 0 : 160, 7);
	d.body.summary.params.k = k;
	env = fx_sign(&d, head, created, origin, &len);
	proto_doc_fini(&d);
	return keep(f, env, len);
}

static int ingest(struct tfx *f, const size_t *idx, size_t n,
                  struct node_ingest_doc *docs)
{
	struct ls_bytes b[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		b[i].data = f->env[idx[i]];
		b[i].len = f->len[idx[i]];
	}
	return node_ingest_page(&f->in, b, n, FX_NOW, "test", docs, NULL, NULL);
}

/* The mark of the held document (origin, seq): 0 when it counts. */
static uint64_t mark_of(struct tfx *f, const char *origin, uint64_t seq)
{
	struct store_doc_meta m;
	assert_int_equal(store_feed_get(f->s, origin, seq, &m, NULL, NULL),
	                 LS_OK);
	return m.uncounted;
}

/* The federation feed (roster, policy) taken in. */
static void bootstrap(struct tfx *f)
{
	size_t idx[2] = {fed_doc(f, LS_DOC_ROSTER), fed_doc(f, LS_DOC_POLICY)};
	struct node_ingest_doc d[2];
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
	assert_non_null(node_trust_roster(&f->trust));
	assert_non_null(node_trust_policy(&f->trust));
}

static void test_page_is_stored_and_relayed_byte_for_byte(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0};
	struct node_ingest_doc d[4];
	struct node_ingest_page pg;
	struct ls_bytes b[3];
	size_t idx[3];
	uint8_t *back;
	size_t back_len;
	uint64_t docs, bytes;

	bootstrap(f);
	idx[0] = status_doc(f, "berlaar", &h, "berlaar", 2);
	idx[1] = status_doc(f, "berlaar", &h, "berlaar", 3);
	idx[2] = status_doc(f, "berlaar", &h, "berlaar", 4);
	for (int i = 0; i < 3; i++) {
		b[i].data = f->env[idx[i]];
		b[i].len = f->len[idx[i]];
	}
	assert_int_equal(
	    node_ingest_page(&f->in, b, 3, FX_NOW, "gent", d, &pg, NULL),
	    LS_OK);
	assert_int_equal(pg.stored, 3);
	assert_int_equal(pg.forks, 0);
	assert_int_equal(pg.trust_changed, 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(d[i].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[i].code, LS_OK);
		assert_int_equal(d[i].hdr.seq, (uint64_t)i + 1);
	}
	/* Served exactly as received. */
	assert_int_equal(
	    store_feed_get(f->s, "berlaar", 2, NULL, &back, &back_len), LS_OK);
	assert_int_equal(back_len, f->len[idx[1]]);
	assert_memory_equal(back, f->env[idx[1]], back_len);
	ls_free(back);

	/* The same page again: every document exists, nothing changes. */
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(
	    node_ingest_page(&f->in, b, 3, FX_NOW, "gent", d, &pg, NULL),
	    LS_OK);
	assert_int_equal(pg.stored, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(d[i].outcome, NODE_INGEST_EXISTS);
	{
		uint64_t docs2, bytes2;
		assert_int_equal(store_feed_count(f->s, &docs2, &bytes2),
		                 LS_OK);
		assert_int_equal(docs2, docs);
		assert_int_equal(bytes2, bytes);
	}
	assert_int_equal(f->in.tally.outcome[NODE_INGEST_STORED], 5);
	assert_int_equal(f->in.tally.outcome[NODE_INGEST_EXISTS], 3);
	assert_int_equal(f->in.tally.pages, 3);
}

static void test_bad_documents_are_refused_and_change_nothing(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, other = {0};
	struct node_ingest_doc d[6];
	char before[65], after[65];
	size_t idx[6], forged, truncated, wrong_key, junk;
	uint8_t *env;

	bootstrap(f);
	idx[0] = status_doc(f, "bornem", &h, "bornem", 1);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	fx_digest(f->path, before);

	/* A flipped bit in the signature of the next document. */
	other = h;
	forged = status_doc(f, "bornem", &h, "bornem", 2);
	f->env[forged][f->len[forged] - 1] ^= 0x01;
	/* The next document cut short. */
	env = ls_malloc(f->len[forged]);
	memcpy(env, f->env[forged], f->len[forged] - 10);
	truncated = keep(f, env, f->len[forged] - 10);
	/* Signed by another member's key for bornem's feed. */
	wrong_key = status_doc(f, "bornem", &other, "eeklo", 1);
	/* Not msgpack at all. */
	env = ls_malloc(8);
	memcpy(env, "\xc1\xc1\xc1\xc1\xc1\xc1\xc1\xc1", 8);
	junk = keep(f, env, 8);
	idx[0] = forged;
	idx[1] = truncated;
	idx[2] = wrong_key;
	idx[3] = junk;
	assert_int_equal(ingest(f, idx, 4, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[0].code, LS_ESIG);
	assert_int_equal(d[1].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[1].code, LS_EDECODE);
	assert_int_equal(d[2].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[2].code, LS_EDENIED);
	assert_int_equal(d[3].outcome, NODE_INGEST_REJECTED);
	assert_false(d[3].has_hdr);
	assert_int_equal(f->in.tally.rejected[LS_ESIG], 1);
	assert_int_equal(f->in.tally.rejected[LS_EDENIED], 1);
	assert_int_equal(f->in.tally.outcome[NODE_INGEST_REJECTED], 4);
	fx_digest(f->path, after);
	assert_string_equal(before, after);
}

static void test_gaps_and_broken_chains_are_not_stored(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, alt;
	struct node_ingest_doc d[2];
	size_t idx[2], s1, s2, s3;

	bootstrap(f);
	s1 = status_doc(f, "eeklo", &h, "eeklo", 1);
	alt = h;
	s2 = status_doc(f, "eeklo", &h, "eeklo", 2);
	s3 = status_doc(f, "eeklo", &h, "eeklo", 3);
	/* seq 3 before seq 2: a gap. */
	idx[0] = s1;
	idx[1] = s3;
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_CHAIN);
	assert_int_equal(d[1].code, LS_ECHAIN);
	/* A seq 2 whose prev names another seq 1 than the one held. */
	memset(alt.hash, 0x55, sizeof alt.hash);
	idx[0] = status_doc(f, "eeklo", &alt, "eeklo", 4);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_CHAIN);
	/* Then the real seq 2 and 3 follow. */
	idx[0] = s2;
	idx[1] = s3;
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
}

struct fork_seen {
	int n;
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
};

static int fork_cb(void *arg, const struct store_fork *fk, const uint8_t *proof,
                   size_t len)
{
	struct fork_seen *s = arg;
	assert_non_null(proof);
	assert_true(len > 0);
	s->n++;
	strcpy(s->origin, fk->origin);
	s->seq = fk->seq;
	return 0;
}

static void test_fork_is_kept_as_proof_and_quarantines(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, branch;
	struct node_ingest_doc d[2];
	struct fork_seen seen = {0};
	struct ls_trust view;
	struct ls_fork_info info;
	size_t idx[2], a2, b2, a3;
	int q;

	bootstrap(f);
	idx[0] = status_doc(f, "gent", &h, "gent", 1);
	branch = h;
	a2 = status_doc(f, "gent", &h, "gent", 2);
	a3 = status_doc(f, "gent", &h, "gent", 3);
	b2 = status_doc(f, "gent", &branch, "gent", 5); /* other body */
	idx[1] = a2;
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);

	/* A forged "fork" (bad signature) is no fork. */
	f->env[b2][f->len[b2] - 1] ^= 0x80;
	idx[0] = b2;
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(store_fork_quarantined(f->s, "gent", &q), LS_OK);
	assert_false(q);
	f->env[b2][f->len[b2] - 1] ^= 0x80;

	/* The real second branch: a fork, the proof verifies. */
	idx[0] = b2;
	idx[1] = a3;
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_FORK);
	assert_int_equal(d[0].code, LS_EFORK);
	assert_int_equal(d[1].outcome, NODE_INGEST_QUARANTINED);
	/* An alarm an operator sees, named by origin. */
	assert_int_equal(f->in.n_alarms, 1);
	assert_string_equal(f->in.alarms[0].origin, "gent");
	assert_string_equal(f->in.alarms[0].reason, "fork");
	assert_int_equal(f->in.alarms[0].seq, 2);
	assert_int_equal(d[1].code, LS_ESTATE);
	assert_int_equal(store_fork_quarantined(f->s, "gent", &q), LS_OK);
	assert_true(q);
	assert_int_equal(store_fork_list(f->s, 0, fork_cb, &seen), LS_OK);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.origin, "gent");
	assert_int_equal(seen.seq, 2);
	{
		/* The proof is portable: it verifies on its own. */
		uint8_t *proof = NULL;
		size_t plen = 0;
		assert_int_equal(proto_fork_proof_encode(f->env[a2], f->len[a2],
		                                         f->env[b2], f->len[b2],
		                                         &proof, &plen),
		                 LS_OK);
		node_trust_view(&f->trust, &view);
		assert_int_equal(proto_fork_proof_verify(&view, proof, plen,
		                                         FX_NOW, &info, NULL),
		                 LS_OK);
		ls_free(proof);
	}
	/* Other origins carry on. */
	{
		struct ls_feed_head hb = {0};
		idx[0] = status_doc(f, "berlaar", &hb, "berlaar", 1);
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	}
	assert_int_equal(f->in.tally.outcome[NODE_INGEST_FORK], 1);
}

/* One page that repeats a document, forks a feed and then goes on with
 * it: each document is judged by what the page stored before it (the
 * page keeps each feed's head and stop as it goes, node/ingest.c). */
static void test_one_page_sees_its_own_appends(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, branch;
	struct node_ingest_doc d[5];
	size_t idx[5];

	bootstrap(f);
	idx[0] = status_doc(f, "gent", &h, "gent", 1);
	idx[1] = idx[0];
	branch = h;
	idx[2] = status_doc(f, "gent", &h, "gent", 2);
	idx[3] = status_doc(f, "gent", &branch, "gent", 5); /* other body */
	idx[4] = status_doc(f, "gent", &h, "gent", 3);
	assert_int_equal(ingest(f, idx, 5, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_EXISTS);
	assert_int_equal(d[2].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[3].outcome, NODE_INGEST_FORK);
	assert_int_equal(d[4].outcome, NODE_INGEST_QUARANTINED);
}

/* A page of more origins than it keeps feeds for: the rest are asked
 * of the store each time, with the same verdicts. */
static void test_page_of_many_origins(void **state)
{
	static const char *const origins[] = {
	    "berlaar",  "bornem",       "dendermonde", "eeklo",       "gent",
	    "kortrijk", "oud-turnhout", "roeselare",   "sint-niklaas"};
	struct tfx *f = *state;
	struct ls_feed_head h[9];
	struct node_ingest_doc d[16];
	size_t idx[16], n = 0;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];

	bootstrap(f);
	memset(h, 0, sizeof h);
	for (int i = 0; i < 9; i++)
		idx[n++] = status_doc(f, origins[i], &h[i], origins[i], 1);
	idx[n++] = status_doc(f, origins[8], &h[8], origins[8], 2);
	idx[n++] = idx[8]; /* the last origin's first again */
	for (int i = 0; i < 5; i++)
		idx[n++] = status_doc(f, origins[i], &h[i], origins[i], 2);
	assert_int_equal(n, 16);
	assert_int_equal(ingest(f, idx, n, d), LS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(d[i].outcome, i == 10 ? NODE_INGEST_EXISTS
		                                       : NODE_INGEST_STORED);
	for (int i = 0; i < 9; i++) {
		assert_int_equal(store_feed_head(f->s, origins[i], &seq, hash),
		                 LS_OK);
		assert_int_equal(seq, i < 5 || i == 8 ? 2 : 1);
	}
}

/* A page longer than one multi-row insert, of two origins, with a
 * resend of a document the page itself stored: the appends held back
 * go in whole, each byte for byte, the heads where the page left them. */
static void test_long_page_goes_in_whole(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head hg = {0}, hb = {0};
	struct node_ingest_doc d[40];
	struct ls_bytes b[40];
	uint64_t seq, docs, bytes;
	uint8_t hash[LS_HASH_BYTES], *back;
	size_t len;

	bootstrap(f);
	for (size_t i = 0; i < 40; i++) {
		size_t k;
		if (i == 20) { /* the resend */
			b[i] = b[3];
			continue;
		}
		k = i % 7 == 6 ? status_doc(f, "bornem", &hb, "bornem", 1)
		               : status_doc(f, "gent", &hg, "gent", 1);
		b[i].data = f->env[k];
		b[i].len = f->len[k];
	}
	assert_int_equal(
	    node_ingest_page(&f->in, b, 40, FX_NOW, "test", d, NULL, NULL),
	    LS_OK);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(d[i].outcome, i == 20 ? NODE_INGEST_EXISTS
		                                       : NODE_INGEST_STORED);
	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, hg.seq);
	assert_memory_equal(hash, hg.hash, LS_HASH_BYTES);
	assert_int_equal(store_feed_head(f->s, "bornem", &seq, hash), LS_OK);
	assert_int_equal(seq, hb.seq);
	assert_memory_equal(hash, hb.hash, LS_HASH_BYTES);
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 2 + 39); /* the federation feed's two */
	for (size_t i = 0; i < 40; i++) {
		assert_int_equal(store_feed_get(f->s, d[i].hdr.origin,
		                                d[i].hdr.seq, NULL, &back,
		                                &len),
		                 LS_OK);
		assert_int_equal(len, b[i].len);
		assert_memory_equal(back, b[i].data, len);
		ls_free(back);
	}
}

static void test_summaries_are_held_to_the_policy(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, h2;
	struct node_ingest_doc d[2];
	size_t idx[2], roster;

	/* Only a roster: no policy in force yet. */
	roster = fed_doc(f, LS_DOC_ROSTER);
	idx[0] = roster;
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	h2 = h;
	idx[0] = summary_doc(f, "kortrijk", &h2, 10, 5);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[0].code, LS_ESTATE);

	/* The policy, then a summary with a looser k in the same page. */
	idx[0] = fed_doc(f, LS_DOC_POLICY);
	h2 = h;
	idx[1] = summary_doc(f, "kortrijk", &h2, 10, 3);
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[1].code, LS_EPOLICY);
	/* A good one is stored. */
	idx[0] = summary_doc(f, "kortrijk", &h, 10, 5);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	/* An aggregator may not author summaries. */
	{
		struct ls_feed_head hv = {0};
		idx[0] = summary_doc(f, "vvsg", &hv, 10, 5);
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].code, LS_EDENIED);
	}
}

/* PROTOCOL.md 5.3: a summary is judged by the policy in force when it was
 * made; a tightening is never retroactive, a loosening applies from its
 * start; a policy dated before the one in force is refused. */
static void test_summaries_are_judged_by_the_policy_of_their_time(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0}, h2;
	struct node_ingest_doc d[4];
	size_t idx[4];
	uint64_t digest_docs, bytes;

	idx[0] = fed_doc(f, LS_DOC_ROSTER);          /* FX_NOW - 7200 */
	idx[1] = policy_doc_at(f, 5, FX_NOW - 7200); /* k = 5 */
	idx[2] = policy_doc_at(f, 7, FX_NOW - 5000); /* tightened */
	assert_int_equal(ingest(f, idx, 3, d), LS_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(d[i].outcome, NODE_INGEST_STORED);
	assert_int_equal(node_trust_policy(&f->trust)->params.k, 7);

	/* Released under k = 5 before the tightening: counted, though the
	 * policy now in force asks k = 7 (a node that joins late). */
	idx[0] = summary_doc_at(f, "kortrijk", &h, 8, 5, FX_NOW - 6000);
	/* Under k = 5 after it: the maker had not learned the tightening;
	 * held for the chain, counted nowhere, naming the policy. */
	idx[1] = summary_doc_at(f, "kortrijk", &h, 9, 5, FX_NOW - 4000);
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[0].uncounted, 0);
	assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].uncounted, 3);
	assert_non_null(strstr(d[1].detail, "policy of federation seq 3"));
	assert_int_equal(mark_of(f, "kortrijk", 2), 3);
	/* Under k = 3 after it: no policy of the feed ever allowed it. */
	h2 = h;
	idx[0] = summary_doc_at(f, "kortrijk", &h2, 10, 3, FX_NOW - 4000);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[0].code, LS_EPOLICY);
	/* Under k = 7 after it: counted. */
	{
		struct ls_feed_head hg = {0};
		idx[0] = summary_doc_at(f, "gent", &hg, 9, 7, FX_NOW - 4000);
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[0].uncounted, 0);
	}

	/* Made in the second the tightening was created: which came first
	 * cannot be told, so the policy before it may judge it too. */
	{
		struct ls_feed_head hb = {0};
		idx[0] = summary_doc_at(f, "berlaar", &hb, 8, 5, FX_NOW - 5000);
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[0].uncounted, 0);
	}

	/* Older than every policy: judged by the first (k = 5). */
	{
		struct ls_feed_head he = {0};
		idx[0] = summary_doc_at(f, "eeklo", &he, 8, 5, FX_NOW - 8000);
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[0].uncounted, 0);
	}

	/* A loosening back to k = 5 applies from its own start: what was
	 * made before it stays as it was, what comes after counts. */
	idx[0] = policy_doc_at(f, 5, FX_NOW - 3000);
	idx[1] = summary_doc_at(f, "kortrijk", &h, 10, 5, FX_NOW - 3500);
	idx[2] = summary_doc_at(f, "kortrijk", &h, 7, 5, FX_NOW - 2000);
	assert_int_equal(ingest(f, idx, 3, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[1].uncounted, 3); /* still under k = 7 */
	assert_int_equal(d[2].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[2].uncounted, 0);
	assert_int_equal(mark_of(f, "kortrijk", 2), 3);

	/* A policy dated before the one in force would be retroactive:
	 * refused, and nothing changes. */
	assert_int_equal(store_feed_count(f->s, &digest_docs, &bytes), LS_OK);
	idx[0] = policy_doc_at(f, 9, FX_NOW - 3100);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_REJECTED);
	assert_int_equal(d[0].code, LS_EPOLICY);
	assert_int_equal(node_trust_policy(&f->trust)->params.k, 5);
	{
		uint64_t docs2, bytes2;
		assert_int_equal(store_feed_count(f->s, &docs2, &bytes2),
		                 LS_OK);
		assert_int_equal(docs2, digest_docs);
	}

	/* A restart rebuilds every epoch from the store: same verdicts. */
	assert_int_equal(node_ingest_reload_trust(&f->in, FX_NOW, NULL, NULL),
	                 LS_OK);
	{
		struct node_trust again;
		uint64_t seq;
		node_trust_init(&again, FX_FEDERATION, f->fed->pk);
		assert_int_equal(node_trust_load(&again, f->s, FX_NOW, NULL),
		                 LS_OK);
		assert_int_equal(again.n_epochs, 3);
		assert_int_equal(
		    node_trust_policy_at(&again, FX_NOW - 4000, &seq)->params.k,
		    7);
		assert_int_equal(seq, 3);
		assert_int_equal(
		    node_trust_policy_at(&again, FX_NOW - 9000, &seq)->params.k,
		    5);
		assert_int_equal(seq, 2);
		assert_int_equal(
		    node_trust_policy_at(&again, FX_NOW, &seq)->params.k, 5);
		assert_int_equal(seq, 4);
		node_trust_fini(&again);
	}
}

/* PROTOCOL.md 5.3, "Epochs": a summary released after a tightening was
 * created, by a node that had not learned it yet, reaches one receiver
 * before the tightening and another after it. Both hold it (and what
 * follows it in its feed), both count it nowhere once they hold the
 * tightening, and a later loosening from before it makes both count it
 * again: the marks are a function of the documents held, not of the
 * order they came in. (It used to be kept by the first and refused by
 * the second, with every later document of its origin: the two never
 * converged.) */
static void test_a_late_tightening_is_held_everywhere_and_counted_nowhere(
    void **state)
{
	struct tfx *b = *state, *c;
	void *st = NULL;
	struct ls_feed_head hk = {0};
	struct node_ingest_doc d[4];
	struct ls_bytes page[4];
	size_t roster, k5, k7, k5again, sum, status;
	uint64_t seq_b = 0, seq_c = 0;
	uint8_t hash_b[LS_HASH_BYTES], hash_c[LS_HASH_BYTES];
	struct node_ingest_recount_info ri = {9, 9};

	roster = fed_doc(b, LS_DOC_ROSTER);
	k5 = policy_doc_at(b, 5, FX_NOW - 7200);
	k7 = policy_doc_at(b, 7, FX_NOW - 5000);
	k5again = policy_doc_at(b, 5, FX_NOW - 4500);
	sum = summary_doc_at(b, "kortrijk", &hk, 9, 5, FX_NOW - 4000);
	status = status_doc(b, "kortrijk", &hk, "kortrijk", 1);

	/* b: the summary arrives before the tightening. */
	{
		size_t idx[2] = {roster, k5};
		assert_int_equal(ingest(b, idx, 2, d), LS_OK);
		idx[0] = sum;
		idx[1] = status;
		assert_int_equal(ingest(b, idx, 2, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[0].uncounted, 0);
		assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
		idx[0] = k7;
		assert_int_equal(ingest(b, idx, 1, d), LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(mark_of(b, "kortrijk", 1), 3);
		assert_int_equal(b->in.tally.recounted, 1);
	}
	/* c: the same bytes, the tightening first. */
	assert_int_equal(setup(&st), 0);
	c = st;
	{
		const size_t fedi[3] = {roster, k5, k7},
		             doci[2] = {sum, status};
		for (int i = 0; i < 3; i++)
			page[i] =
			    (struct ls_bytes){b->env[fedi[i]], b->len[fedi[i]]};
		assert_int_equal(node_ingest_page(&c->in, page, 3, FX_NOW,
		                                  "test", d, NULL, NULL),
		                 LS_OK);
		for (int i = 0; i < 2; i++)
			page[i] =
			    (struct ls_bytes){b->env[doci[i]], b->len[doci[i]]};
		assert_int_equal(node_ingest_page(&c->in, page, 2, FX_NOW,
		                                  "test", d, NULL, NULL),
		                 LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(d[0].uncounted, 3);
		assert_int_equal(d[1].outcome, NODE_INGEST_STORED);
		assert_int_equal(mark_of(c, "kortrijk", 1), 3);
	}
	/* The same holdings of kortrijk, the same marks. */
	assert_int_equal(store_feed_head(b->s, "kortrijk", &seq_b, hash_b),
	                 LS_OK);
	assert_int_equal(store_feed_head(c->s, "kortrijk", &seq_c, hash_c),
	                 LS_OK);
	assert_int_equal(seq_b, 2);
	assert_int_equal(seq_c, 2);
	assert_memory_equal(hash_b, hash_c, LS_HASH_BYTES);

	/* A loosening created before the summary: it counts again, at
	 * both. */
	for (int i = 0; i < 2; i++) {
		struct tfx *x = i == 0 ? b : c;
		page[0] = (struct ls_bytes){b->env[k5again], b->len[k5again]};
		assert_int_equal(node_ingest_page(&x->in, page, 1, FX_NOW,
		                                  "test", d, NULL, NULL),
		                 LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
		assert_int_equal(mark_of(x, "kortrijk", 1), 0);
	}

	/* A mark written wrongly (a store from before the marks): a
	 * recount puts it right, and a second changes nothing. */
	assert_int_equal(store_feed_set_uncounted(c->s, "kortrijk", 1, 3),
	                 LS_OK);
	assert_int_equal(node_ingest_recount(&c->in, &ri, NULL), LS_OK);
	assert_int_equal(ri.changed, 1);
	assert_true(ri.judged >= 1);
	assert_int_equal(mark_of(c, "kortrijk", 1), 0);
	assert_int_equal(node_ingest_recount(&c->in, &ri, NULL), LS_OK);
	assert_int_equal(ri.changed, 0);
	assert_int_equal(store_feed_set_uncounted(c->s, "kortrijk", 9, 3),
	                 LS_ENOTFOUND);
	teardown(&st);
}

/* A tightening another writer (signaalctl at the association) stored
 * while this ingest's trust was built before it: a page takes it in
 * force first (it holds the write lock), so a summary made after it is
 * not counted, and the reload leaves no recount waiting that the page
 * has not done. */
static void test_a_policy_stored_by_another_writer_judges_the_next_page(
    void **state)
{
	struct tfx *f = *state;
	struct node_trust other;
	struct node_ingest in2;
	struct ls_feed_head hk = {0};
	struct node_ingest_doc d[2];
	size_t idx[2];

	idx[0] = fed_doc(f, LS_DOC_ROSTER);
	idx[1] = policy_doc_at(f, 5, FX_NOW - 7200);
	assert_int_equal(ingest(f, idx, 2, d), LS_OK);
	node_trust_init(&other, FX_FEDERATION, f->fed->pk);
	assert_int_equal(node_trust_load(&other, f->s, FX_NOW, NULL), LS_OK);
	node_ingest_init(&in2, f->s, &other);
	{
		size_t k7 = policy_doc_at(f, 7, FX_NOW - 5000);
		struct ls_bytes b = {f->env[k7], f->len[k7]};
		assert_int_equal(
		    node_ingest_page(&in2, &b, 1, FX_NOW, "ctl", d, NULL, NULL),
		    LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	}
	assert_int_equal(node_trust_policy(&f->trust)->params.k, 5);
	idx[0] = summary_doc_at(f, "kortrijk", &hk, 9, 5, FX_NOW - 4000);
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[0].uncounted, 3);
	assert_int_equal(node_trust_policy(&f->trust)->params.k, 7);
	assert_int_equal(f->in.recount_from, INT64_MAX);
	assert_int_equal(node_ingest_recount_pending(&f->in, NULL), LS_OK);
	node_ingest_fini(&in2);
	node_trust_fini(&other);
}

/* PROTOCOL.md 6, "Alarms": every document refused for a trust reason
 * (a revoked key or departed member, a roster that is no valid successor)
 * raises an alarm by origin; other refusals do not. */
static void test_trust_refusals_raise_alarms(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0};
	struct node_ingest_doc d[4];
	size_t idx[4];

	bootstrap(f);
	/* roeselare's stolen key: good up to seq 3, refused after. */
	for (int i = 0; i < 4; i++) {
		struct ls_doc doc;
		size_t len;
		uint8_t *env;
		proto_doc_init(&doc, LS_DOC_STATUS);
		strcpy(doc.hdr.origin, "roeselare");
		fx_status(&doc.body.status, 1);
		doc.body.status.uptime = (uint64_t)i;
		env = fx_sign(&doc, &h, FX_T_REVOKE - 86400 + i,
		              "roeselare-stolen", &len);
		proto_doc_fini(&doc);
		idx[i] = keep(f, env, len);
	}
	assert_int_equal(ingest(f, idx, 4, d), LS_OK);
	assert_int_equal(d[2].outcome, NODE_INGEST_STORED);
	assert_int_equal(d[3].code, LS_EREVOKED);
	assert_int_equal(f->in.n_alarms, 1);
	assert_string_equal(f->in.alarms[0].origin, "roeselare");
	assert_string_equal(f->in.alarms[0].reason, "revoked");
	assert_int_equal(f->in.alarms[0].seq, 4);
	assert_int_equal(f->in.alarms[0].count, 1);
	/* Again: the same alarm, counted. */
	idx[0] = idx[3];
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(f->in.n_alarms, 1);
	assert_int_equal(f->in.alarms[0].count, 2);

	/* A roster that drops a member breaks the successor rule. */
	{
		struct ls_doc doc;
		size_t len;
		uint8_t *env;
		proto_doc_init(&doc, LS_DOC_ROSTER);
		strcpy(doc.hdr.origin, FX_FEDERATION);
		fx_roster(&doc.body.roster);
		doc.body.roster.n_members--; /* fini frees by count */
		env = fx_sign(&doc, &f->fed_head, FX_NOW - 60, "federation",
		              &len);
		doc.body.roster.n_members++;
		proto_doc_fini(&doc);
		idx[0] = keep(f, env, len);
	}
	assert_int_equal(ingest(f, idx, 1, d), LS_OK);
	assert_int_equal(d[0].code, LS_EPOLICY);
	assert_int_equal(f->in.n_alarms, 2);
	assert_string_equal(f->in.alarms[1].origin, FX_FEDERATION);
	assert_string_equal(f->in.alarms[1].reason, "successor");

	/* A bad signature is the sender's junk, not a trust alarm. */
	{
		struct ls_feed_head hk = {0};
		size_t k = status_doc(f, "kortrijk", &hk, "kortrijk", 1);
		f->env[k][f->len[k] - 1] ^= 1;
		idx[0] = k;
		assert_int_equal(ingest(f, idx, 1, d), LS_OK);
		assert_int_equal(d[0].code, LS_ESIG);
		assert_int_equal(f->in.n_alarms, 2);
	}
}

static void test_roster_in_a_page_admits_its_members_at_once(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0};
	struct node_ingest_doc d[2];
	struct node_ingest_page pg;
	struct ls_bytes b[2];
	size_t r = fed_doc(f, LS_DOC_ROSTER);
	size_t s = status_doc(f, "mortsel", &h, "mortsel", 1);

	/* Before the roster: a member document has no known key. */
	b[0].data = f->env[s];
	b[0].len = f->len[s];
	assert_int_equal(
	    node_ingest_page(&f->in, b, 1, FX_NOW, "x", d, &pg, NULL), LS_OK);
	assert_int_equal(d[0].code, LS_EKEY);
	/* Roster then member in one page. */
	b[0].data = f->env[r];
	b[0].len = f->len[r];
	b[1].data = f->env[s];
	b[1].len = f->len[s];
	assert_int_equal(
	    node_ingest_page(&f->in, b, 2, FX_NOW, "x", d, &pg, NULL), LS_OK);
	assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	/* mortsel left at FX_T_LEFT: its status of FX_NOW is refused. */
	assert_int_equal(d[1].code, LS_EREVOKED);
	assert_int_equal(pg.trust_changed, 1);
	assert_int_equal(f->trust.head.seq, 1);
}

static void test_failed_page_stores_nothing_and_keeps_trust_true(void **state)
{
	struct tfx *f = *state;
	struct ls_feed_head h = {0};
	struct ls_bytes b[3];
	size_t idx[3];
	long allocs;
	int stored_once = 0;

	idx[0] = fed_doc(f, LS_DOC_ROSTER);
	idx[1] = fed_doc(f, LS_DOC_POLICY);
	idx[2] = status_doc(f, "kortrijk", &h, "kortrijk", 3);
	for (int i = 0; i < 3; i++) {
		b[i].data = f->env[idx[i]];
		b[i].len = f->len[idx[i]];
	}
	/* Count the allocations of the whole page, then fail each. */
	ls_alloc_fail_nth(0);
	for (long n = 1; !stored_once && n < 10000; n++) {
		uint64_t docs, bytes;
		int rc;
		ls_alloc_fail_nth(n);
		rc = node_ingest_page(&f->in, b, 3, FX_NOW, "x", NULL, NULL,
		                      NULL);
		allocs = ls_alloc_fail_nth(0);
		(void)allocs;
		assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
		if (rc == LS_OK) {
			/* The injected failure came after the page (or never):
			 * everything is there. */
			assert_int_equal(docs, 3);
			stored_once = 1;
		} else {
			assert_int_equal(rc, LS_ENOMEM);
			assert_int_equal(docs, 0);
			assert_int_equal(f->trust.head.seq, 0);
			assert_null(node_trust_roster(&f->trust));
		}
	}
	assert_true(stored_once);
	assert_int_equal(f->trust.head.seq, 2);
}

static void test_trust_follows_an_external_append(void **state)
{
	struct tfx *f = *state;
	struct node_trust other;
	struct node_ingest in2;
	size_t idx[1];
	struct node_ingest_doc d[1];
	int changed = -1;

	bootstrap(f);
	/* A second writer (signaalctl) appends the taxonomy. */
	node_trust_init(&other, FX_FEDERATION, f->fed->pk);
	assert_int_equal(node_trust_load(&other, f->s, FX_NOW, NULL), LS_OK);
	node_ingest_init(&in2, f->s, &other);
	idx[0] = fed_doc(f, LS_DOC_TAXONOMY);
	{
		struct ls_bytes b = {f->env[idx[0]], f->len[idx[0]]};
		assert_int_equal(
		    node_ingest_page(&in2, &b, 1, FX_NOW, "ctl", d, NULL, NULL),
		    LS_OK);
		assert_int_equal(d[0].outcome, NODE_INGEST_STORED);
	}
	assert_null(node_trust_taxonomy(&f->trust));
	assert_int_equal(
	    node_ingest_reload_trust(&f->in, FX_NOW, &changed, NULL), LS_OK);
	assert_int_equal(changed, 1);
	assert_non_null(node_trust_taxonomy(&f->trust));
	assert_int_equal(
	    node_ingest_reload_trust(&f->in, FX_NOW, &changed, NULL), LS_OK);
	assert_int_equal(changed, 0);
	node_trust_fini(&other);
}

/*
 * The protocol vectors whose outcome depends on what a receiver holds
 * (tests/vectors/README.md: push-page, summary-epoch, policy-epoch,
 * roster-successor, chain), taken in by the node's ingest as a peer would send
 * them: each on a fresh store holding the federation vectors roster,
 * taxonomy and policy (and, for an epoch, the policies it names). The
 * node must reach the outcome the manifest states, document by document.
 */
struct vfile {
	char name[64];
	uint8_t *data;
	size_t len;
};

static void vector_read(const char *name, struct vfile *v)
{
	char path[256], line[256], hex[1 << 16];
	size_t n = 0;
	FILE *fp;
	snprintf(path, sizeof path, "tests/vectors/%s.hex", name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		size_t l = strcspn(line, "\n");
		assert_true(n + l < sizeof hex);
		memcpy(hex + n, line, l);
		n += l;
	}
	fclose(fp);
	hex[n] = '\0';
	ls_strlcpy(v->name, name, sizeof v->name);
	v->len = n / 2;
	v->data = ls_malloc(v->len + 1);
	assert_non_null(v->data);
	assert_int_equal(ls_hex_decode(hex, v->data, v->len), LS_OK);
}

/* The value of `key` in a manifest parameter list, or "". */
static void vector_param(const char *params, const char *key, char *out,
                         size_t size)
{
	size_t klen = strlen(key);
	const char *p = params;
	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		if ((p == params || p[-1] == ' ') && p[klen] == '=') {
			size_t l = strcspn(p + klen + 1, " ");
			snprintf(out, size, "%.*s", (int)l, p + klen + 1);
			return;
		}
		p += klen;
	}
}

/* Ingest the vectors named in the comma-separated list, one page; the
 * outcome names go to got (comma-separated). */
static void vector_ingest(struct tfx *f, const char *list, char *got,
                          size_t size)
{
	char buf[512], *save = NULL;
	struct vfile v[8];
	struct ls_bytes b[8];
	struct node_ingest_doc d[8];
	size_t n = 0;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		assert_true(n < 8);
		vector_read(t, &v[n]);
		b[n].data = v[n].data;
		b[n].len = v[n].len;
		n++;
	}
	memset(d, 0, sizeof d);
	assert_int_equal(
	    node_ingest_page(&f->in, b, n, FX_NOW, "vector", d, NULL, NULL),
	    LS_OK);
	got[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(got);
		snprintf(got + l, size - l, "%s%s", i ? "," : "",
		         d[i].code != LS_OK  ? ls_errname(d[i].code)
		         : d[i].uncounted ? "uncounted"
		                          : "ok");
		ls_free(v[i].data);
	}
}

/* Whether the vector is a well-formed envelope at seq 1 of a member's
 * feed (not the federation's, whose first documents are held already). */
static int vector_starts_feed(const char *name)
{
	struct vfile v;
	struct ls_envelope env;
	struct ls_doc_header h;
	int starts;
	vector_read(name, &v);
	starts = proto_envelope_decode(v.data, v.len, &env, NULL) == LS_OK &&
	         proto_doc_decode_header(env.payload, env.payload_len, &h,
	                                 NULL) == LS_OK &&
	         h.seq == 1 && strcmp(h.origin, FX_FEDERATION) != 0;
	ls_free(v.data);
	return starts;
}

/* A recount on a store that holds a summary but no policy yet (a node's
 * own release before its first sync): it counts, and the recount
 * succeeds (it failed at every start before). */
static void test_a_recount_without_a_policy_counts_them(void **state)
{
	struct tfx *f = *state;
	struct ls_doc doc;
	struct ls_keypair *kp = fx_key("kortrijk");
	struct node_ingest_recount_info info;

	proto_doc_init(&doc, LS_DOC_SUMMARY);
	strcpy(doc.hdr.origin, "kortrijk");
	fx_summary(&doc.body.summary, "kortrijk", 2025, 9, 160, 7);
	assert_int_equal(
	    node_feed_publish(f->s, kp, &doc, FX_NOW - 4000, NULL, NULL),
	    LS_OK);
	proto_doc_fini(&doc);
	proto_keypair_free(kp);
	assert_int_equal(store_feed_set_uncounted(f->s, "kortrijk", 1, 2),
	                 LS_OK);
	assert_int_equal(node_ingest_recount(&f->in, &info, NULL), LS_OK);
	assert_int_equal(info.judged, 1);
	assert_int_equal(info.changed, 1);
	assert_int_equal(mark_of(f, "kortrijk", 1), 0);
}

static void test_vectors_through_the_node(void **state)
{
	char line[2048], have[1100], want[512], got[512], buf[512];
	unsigned checked = 0;
	FILE *fp = fopen("tests/vectors/MANIFEST", "r");
	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *fld[5], *save = NULL, *t;
		void *st = NULL;
		struct tfx *f;
		int n = 0;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (t = strtok_r(line, "\t", &save); t != NULL && n < 5;
		     t = strtok_r(NULL, "\t", &save))
			fld[n++] = t;
		assert_int_equal(n, 5);
		snprintf(have, sizeof have, "roster,taxonomy,policy");
		if (strcmp(fld[1], "push-page") == 0) {
			vector_param(fld[3], "docs", buf, sizeof buf);
			vector_param(fld[3], "results", want, sizeof want);
		} else if (strcmp(fld[1], "summary-epoch") == 0) {
			/* the policies after the first (which is `policy`) */
			vector_param(fld[3], "policies", buf, sizeof buf);
			assert_int_equal(strncmp(buf, "policy", 6), 0);
			snprintf(have + strlen(have),
			         sizeof have - strlen(have), "%s", buf + 6);
			snprintf(buf, sizeof buf, "%s", fld[0]);
			snprintf(want, sizeof want, "%s", fld[2]);
		} else if (strcmp(fld[1], "policy-epoch") == 0) {
			vector_param(fld[3], "pred", buf, sizeof buf);
			snprintf(have + strlen(have),
			         sizeof have - strlen(have), ",%s", buf);
			snprintf(buf, sizeof buf, "%s", fld[0]);
			snprintf(want, sizeof want, "%s", fld[2]);
		} else if (strcmp(fld[1], "roster-successor") == 0) {
			snprintf(buf, sizeof buf, "%s", fld[0]);
			snprintf(want, sizeof want, "%s", fld[2]);
		} else if (strcmp(fld[1], "chain") == 0) {
			/* gent's feed up to pred (summary_gent is seq 1,
			 * note_gent seq 2), then the vector */
			vector_param(fld[3], "pred", buf, sizeof buf);
			snprintf(have + strlen(have),
			         sizeof have - strlen(have), "%s",
			         strcmp(buf, "note_gent") == 0
			             ? ",summary_gent,note_gent"
			             : ",summary_gent");
			assert_true(strcmp(buf, "note_gent") == 0 ||
			            strcmp(buf, "summary_gent") == 0);
			snprintf(buf, sizeof buf, "%s", fld[0]);
			snprintf(want, sizeof want, "%s", fld[2]);
		} else if (strcmp(fld[1], "doc") == 0) {
			/* A document at the start of a feed (a later
			 * position would be a gap here): the whole verdict
			 * of a receiver, trust and the policy of its time
			 * included, which proto_doc_verify alone does not
			 * give (test_proto_vectors.c). */
			if (!vector_starts_feed(fld[0]))
				continue;
			snprintf(buf, sizeof buf, "%s", fld[0]);
			snprintf(want, sizeof want, "%s", fld[2]);
		} else {
			continue;
		}
		assert_int_equal(setup(&st), 0);
		f = st;
		vector_ingest(f, have, got, sizeof got);
		for (t = got; *t != '\0'; t += strspn(t, ","))
			if (strncmp(t, "ok", 2) == 0)
				t += 2;
			else
				fail_msg("vector %s: the federation vectors %s "
				         "were refused: %s",
				         fld[0], have, got);
		vector_ingest(f, buf, got, sizeof got);
		if (strcmp(got, want) != 0)
			fail_msg(
			    "vector %s (%s): expected %s, the node says %s",
			    fld[0], fld[1], want, got);
		/* A refused successor is a trust alarm, by origin. */
		if (strcmp(fld[1], "roster-successor") == 0 ||
		    strcmp(fld[1], "policy-epoch") == 0) {
			int alarmed =
			    f->in.n_alarms == 1 &&
			    strcmp(f->in.alarms[0].reason, "successor") == 0 &&
			    strcmp(f->in.alarms[0].origin, FX_FEDERATION) == 0;
			assert_int_equal(alarmed, strcmp(want, "policy") == 0);
		}
		teardown(&st);
		checked++;
	}
	fclose(fp);
	/* 2 push pages, 6 summary epochs, 2 policy epochs, 3 rosters, 4
	 * chains, and the documents that start a feed */
	assert_true(checked >= 40);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_page_is_stored_and_relayed_byte_for_byte),
	    T(test_bad_documents_are_refused_and_change_nothing),
	    T(test_gaps_and_broken_chains_are_not_stored),
	    T(test_fork_is_kept_as_proof_and_quarantines),
	    T(test_one_page_sees_its_own_appends),
	    T(test_page_of_many_origins),
	    T(test_long_page_goes_in_whole),
	    T(test_summaries_are_held_to_the_policy),
	    T(test_summaries_are_judged_by_the_policy_of_their_time),
	    T(test_a_late_tightening_is_held_everywhere_and_counted_nowhere),
	    T(test_trust_refusals_raise_alarms),
	    T(test_roster_in_a_page_admits_its_members_at_once),
	    T(test_failed_page_stores_nothing_and_keeps_trust_true),
	    T(test_trust_follows_an_external_append),
	    T(test_a_policy_stored_by_another_writer_judges_the_next_page),
	    T(test_a_recount_without_a_policy_counts_them),
	    cmocka_unit_test(test_vectors_through_the_node),
	};
#undef T
	/* Every verdict again with pages verified in parallel. */
#define P(fn) cmocka_unit_test_setup_teardown(fn, setup_pool, teardown)
	const struct CMUnitTest pooled[] = {
	    P(test_page_is_stored_and_relayed_byte_for_byte),
	    P(test_bad_documents_are_refused_and_change_nothing),
	    P(test_gaps_and_broken_chains_are_not_stored),
	    P(test_fork_is_kept_as_proof_and_quarantines),
	    P(test_one_page_sees_its_own_appends),
	    P(test_page_of_many_origins),
	    P(test_long_page_goes_in_whole),
	    P(test_summaries_are_held_to_the_policy),
	    P(test_summaries_are_judged_by_the_policy_of_their_time),
	    P(test_trust_refusals_raise_alarms),
	    P(test_roster_in_a_page_admits_its_members_at_once),
	    P(test_trust_follows_an_external_append),
	};
#undef P
	return cmocka_run_group_tests(tests, NULL, NULL) +
	       cmocka_run_group_tests_name("pooled", pooled, NULL, NULL);
}
