/* store/feed: feeds without gaps, forks and quarantine, pages, lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "store/feed.h"
#include "tests/unit/fixture_store.h"

/* A made-up document: the store does not verify, so any bytes do. The
 * hash is derived from (origin, seq, variant) so that tests can build
 * chains and conflicting twins. */
static void doc_make(struct store_doc_meta *m, const char *origin, uint64_t seq,
                     uint8_t type, int variant)
{
	memset(m, 0, sizeof *m);
	snprintf(m->origin, sizeof m->origin, "%s", origin);
	m->seq = seq;
	m->type = type;
	m->created = 1767225600 + (int64_t)seq;
	for (int i = 0; i < LS_HASH_BYTES; i++) {
		m->hash[i] = (uint8_t)(seq * 31 + (uint64_t)i + origin[0] +
		                       variant * 101);
		if (seq > 1)
			m->prev[i] =
			    (uint8_t)((seq - 1) * 31 + (uint64_t)i + origin[0]);
	}
}

static int append(struct store *s, const char *origin, uint64_t seq,
                  uint8_t type, int variant, size_t size)
{
	struct store_doc_meta m;
	uint8_t env[4096];
	memset(env, (int)(seq & 0xff), sizeof env);
	doc_make(&m, origin, seq, type, variant);
	return store_feed_append(s, &m, env, size);
}

static void test_empty_feed_has_head_zero(void **state)
{
	struct fx *f = *state;
	uint8_t hash[LS_HASH_BYTES], zero[LS_HASH_BYTES] = {0};
	uint64_t seq = 99, docs = 9, bytes = 9;
	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 0);
	assert_memory_equal(hash, zero, LS_HASH_BYTES);
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 0);
	assert_int_equal(bytes, 0);
	assert_int_equal(store_feed_get(f->s, "gent", 1, NULL, NULL, NULL),
	                 LS_ENOTFOUND);
}

static void test_chain_is_appended_and_read_back(void **state)
{
	struct fx *f = *state;
	struct store_doc_meta m, want;
	uint8_t hash[LS_HASH_BYTES], *env;
	uint64_t seq;
	size_t len;

	for (uint64_t i = 1; i <= 5; i++)
		assert_int_equal(append(f->s, "gent", i, 4, 0, 100 + i), LS_OK);
	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 5);
	doc_make(&want, "gent", 5, 4, 0);
	assert_memory_equal(hash, want.hash, LS_HASH_BYTES);

	assert_int_equal(store_feed_get(f->s, "gent", 3, &m, &env, &len),
	                 LS_OK);
	assert_int_equal(len, 103);
	assert_int_equal(env[0], 3);
	assert_int_equal(m.seq, 3);
	assert_int_equal(m.type, 4);
	assert_string_equal(m.origin, "gent");
	assert_true(m.received_at > 0);
	ls_free(env);

	/* Durable: a new connection sees it all. */
	store_close(f->s);
	assert_int_equal(store_open(f->path, NULL, &f->s, NULL), LS_OK);
	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 5);
}

static void test_refusals_change_nothing(void **state)
{
	struct fx *f = *state;
	struct store_doc_meta m;
	uint8_t env[8] = {1};
	uint64_t docs, bytes, seq;
	uint8_t hash[LS_HASH_BYTES];

	assert_int_equal(append(f->s, "eeklo", 1, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "eeklo", 2, 4, 0, 10), LS_OK);
	/* The same document again: nothing to do. */
	assert_int_equal(append(f->s, "eeklo", 2, 4, 0, 10), LS_EEXISTS);
	/* Another document at a held position: a fork. */
	assert_int_equal(append(f->s, "eeklo", 2, 4, 1, 10), LS_EFORK);
	/* A gap, and a document whose prev is not the head. */
	assert_int_equal(append(f->s, "eeklo", 4, 4, 0, 10), LS_ECHAIN);
	doc_make(&m, "eeklo", 3, 4, 0);
	m.prev[0] ^= 1;
	assert_int_equal(store_feed_append(f->s, &m, env, sizeof env),
	                 LS_ECHAIN);
	/* seq 1 must name no predecessor. */
	doc_make(&m, "bornem", 1, 4, 0);
	m.prev[5] = 1;
	assert_int_equal(store_feed_append(f->s, &m, env, sizeof env),
	                 LS_ECHAIN);
	/* Malformed arguments. */
	doc_make(&m, "Bornem", 1, 4, 0);
	assert_int_equal(store_feed_append(f->s, &m, env, sizeof env),
	                 LS_EINVAL);
	doc_make(&m, "bornem", 0, 4, 0);
	assert_int_equal(store_feed_append(f->s, &m, env, sizeof env),
	                 LS_EINVAL);
	doc_make(&m, "bornem", 1, 4, 0);
	assert_int_equal(store_feed_append(f->s, &m, env, 0), LS_EINVAL);
	assert_int_equal(store_feed_append(f->s, &m, NULL, 8), LS_EINVAL);

	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 2);
	assert_int_equal(bytes, 20);
	assert_int_equal(store_feed_head(f->s, "eeklo", &seq, hash), LS_OK);
	assert_int_equal(seq, 2);
	assert_int_equal(store_feed_head(f->s, "bornem", &seq, hash), LS_OK);
	assert_int_equal(seq, 0);
}

/* The append for a caller that checked (node/ingest): only inside the
 * caller's transaction, the same rows as store_feed_append, and a held
 * position is still never written twice. */
static void test_checked_append(void **state)
{
	struct fx *f = *state;
	struct store_doc_meta m, got;
	uint8_t env[16], hash[LS_HASH_BYTES];
	uint64_t seq, docs, bytes;

	memset(env, 7, sizeof env);
	doc_make(&m, "gent", 1, 4, 0);
	/* Outside a transaction its checks would be stale: refused. */
	assert_int_equal(store_feed_append_checked(f->s, &m, env, sizeof env),
	                 LS_ESTATE);
	assert_int_equal(store_tx_begin(f->s), LS_OK);
	assert_int_equal(store_feed_append_checked(f->s, &m, env, sizeof env),
	                 LS_OK);
	doc_make(&m, "gent", 2, 4, 0);
	assert_int_equal(store_feed_append_checked(f->s, &m, env, sizeof env),
	                 LS_OK);
	/* A held position: the insert refuses it, nothing changes. */
	doc_make(&m, "gent", 2, 4, 1);
	assert_int_not_equal(
	    store_feed_append_checked(f->s, &m, env, sizeof env), LS_OK);
	/* Malformed arguments as for store_feed_append. */
	doc_make(&m, "gent", 0, 4, 0);
	assert_int_equal(store_feed_append_checked(f->s, &m, env, sizeof env),
	                 LS_EINVAL);
	assert_int_equal(store_tx_commit(f->s), LS_OK);

	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 2);
	doc_make(&m, "gent", 2, 4, 0);
	assert_memory_equal(hash, m.hash, LS_HASH_BYTES);
	assert_int_equal(store_feed_get(f->s, "gent", 2, &got, NULL, NULL),
	                 LS_OK);
	assert_memory_equal(got.prev, m.prev, LS_HASH_BYTES);
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 2);
	assert_int_equal(bytes, 2 * sizeof env);
	/* The unchecked append goes on from the same head. */
	assert_int_equal(append(f->s, "gent", 3, 4, 0, 10), LS_OK);
}

/* A run of checked appends (node/ingest holds a page's back): in the
 * caller's transaction, multi-row inserts across the 16-row statements,
 * each origin's head at its last document; a run that does not chain
 * within itself, or with a bad argument, writes nothing. */
static void test_checked_run(void **state)
{
	struct fx *f = *state;
	struct store_feed_new run[45];
	struct store_doc_meta got;
	uint8_t env[45][24], hash[LS_HASH_BYTES], *back;
	uint64_t seq, docs, bytes;
	size_t n = 0, len;
	uint64_t g = 0, b = 0;

	/* 36 of gent and 9 of bornem, interleaved: bornem every fifth. */
	for (size_t i = 0; i < 45; i++) {
		const char *origin = (i % 5 == 4) ? "bornem" : "gent";
		uint64_t next = origin[0] == 'g' ? ++g : ++b;
		doc_make(&run[n].m, origin, next, 4, 0);
		memset(env[n], (int)i + 1, sizeof env[n]);
		run[n].envelope = env[n];
		run[n].len = sizeof env[n] - (i % 3);
		n++;
	}
	assert_int_equal(store_feed_append_checked_n(f->s, run, n), LS_ESTATE);
	assert_int_equal(store_tx_begin(f->s), LS_OK);
	assert_int_equal(store_feed_append_checked_n(f->s, run, 0), LS_OK);
	/* Not a chain within the run: a gap, then a prev that is not the
	 * document before. */
	run[7].m.seq++;
	assert_int_equal(store_feed_append_checked_n(f->s, run, n),
	                 LS_EINTERNAL);
	run[7].m.seq--;
	run[12].m.prev[0] ^= 1;
	assert_int_equal(store_feed_append_checked_n(f->s, run, n),
	                 LS_EINTERNAL);
	run[12].m.prev[0] ^= 1;
	run[30].len = 0;
	assert_int_equal(store_feed_append_checked_n(f->s, run, n), LS_EINVAL);
	run[30].len = sizeof env[30];
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 0);

	assert_int_equal(store_feed_append_checked_n(f->s, run, n), LS_OK);
	/* A held position in a later run: the insert refuses it. */
	assert_int_not_equal(store_feed_append_checked_n(f->s, &run[44], 1),
	                     LS_OK);
	assert_int_equal(store_tx_commit(f->s), LS_OK);

	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(seq, 36);
	assert_int_equal(store_feed_head(f->s, "bornem", &seq, hash), LS_OK);
	assert_int_equal(seq, 9);
	assert_memory_equal(hash, run[44].m.hash, LS_HASH_BYTES);
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 45);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(store_feed_get(f->s, run[i].m.origin,
		                                run[i].m.seq, &got, &back,
		                                &len),
		                 LS_OK);
		assert_int_equal(len, run[i].len);
		assert_memory_equal(back, run[i].envelope, len);
		assert_memory_equal(got.hash, run[i].m.hash, LS_HASH_BYTES);
		assert_memory_equal(got.prev, run[i].m.prev, LS_HASH_BYTES);
		ls_free(back);
	}
	/* The unchecked append goes on from the heads the run left. */
	assert_int_equal(append(f->s, "gent", 37, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "bornem", 10, 4, 0, 10), LS_OK);
}

static void test_rollback_of_caller_transaction(void **state)
{
	struct fx *f = *state;
	uint64_t docs, bytes;
	assert_int_equal(store_tx_begin(f->s), LS_OK);
	assert_int_equal(append(f->s, "mortsel", 1, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "mortsel", 2, 4, 0, 10), LS_OK);
	store_tx_rollback(f->s);
	assert_int_equal(store_feed_count(f->s, &docs, &bytes), LS_OK);
	assert_int_equal(docs, 0);
	/* And the head went with it: seq 1 is the next one again. */
	assert_int_equal(append(f->s, "mortsel", 1, 4, 0, 10), LS_OK);
}

struct vv_seen {
	int n;
	char origins[4][LS_NODE_ID_SIZE];
	uint64_t seqs[4];
	int forked[4];
};

static int vv_cb(void *arg, const char *origin, uint64_t seq,
                 const uint8_t head[LS_HASH_BYTES], int forked)
{
	struct vv_seen *v = arg;
	(void)head;
	if (v->n == 4)
		return 1;
	snprintf(v->origins[v->n], LS_NODE_ID_SIZE, "%s", origin);
	v->seqs[v->n] = seq;
	v->forked[v->n] = forked;
	v->n++;
	return 0;
}

struct fork_seen {
	int n;
	int resolved;
	size_t proof_len;
};

static int fork_cb(void *arg, const struct store_fork *fk, const uint8_t *proof,
                   size_t len)
{
	struct fork_seen *s = arg;
	(void)proof;
	s->n++;
	s->resolved += fk->resolved_at != 0;
	s->proof_len = len;
	return 0;
}

static void test_fork_quarantines_until_resolved(void **state)
{
	struct fx *f = *state;
	struct vv_seen vv = {0};
	struct fork_seen fs = {0};
	uint8_t proof[64] = {7}, hash[LS_HASH_BYTES];
	uint64_t seq;
	int q;

	for (uint64_t i = 1; i <= 3; i++)
		assert_int_equal(append(f->s, "kortrijk", i, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "gent", 1, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "kortrijk", 2, 4, 1, 10), LS_EFORK);
	assert_int_equal(store_fork_add(f->s, "kortrijk", 2, proof, 64), LS_OK);
	/* Recording it twice keeps one record. */
	assert_int_equal(store_fork_add(f->s, "kortrijk", 2, proof, 32), LS_OK);
	assert_int_equal(store_fork_quarantined(f->s, "kortrijk", &q), LS_OK);
	assert_true(q);
	assert_int_equal(store_fork_quarantined(f->s, "gent", &q), LS_OK);
	assert_false(q);
	assert_int_equal(append(f->s, "kortrijk", 4, 4, 0, 10), LS_EDENIED);
	/* The order of the checks (store/feed.c): held, then quarantined,
	 * then the chain. */
	assert_int_equal(append(f->s, "kortrijk", 2, 4, 0, 10), LS_EEXISTS);
	assert_int_equal(append(f->s, "kortrijk", 3, 4, 1, 10), LS_EFORK);
	assert_int_equal(append(f->s, "kortrijk", 9, 4, 0, 10), LS_EDENIED);

	assert_int_equal(store_feed_vector(f->s, vv_cb, &vv), LS_OK);
	assert_int_equal(vv.n, 2);
	assert_string_equal(vv.origins[0], "gent");
	assert_string_equal(vv.origins[1], "kortrijk");
	assert_int_equal(vv.seqs[1], 3);
	assert_false(vv.forked[0]);
	assert_true(vv.forked[1]);

	assert_int_equal(store_fork_list(f->s, 0, fork_cb, &fs), LS_OK);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.proof_len, 64);

	/* Resolve by dropping our branch from seq 2: the head goes back to
	 * 1, the other branch's seq 2 is accepted, the proof stays. */
	assert_int_equal(store_fork_resolve(f->s, "kortrijk", 2), LS_OK);
	assert_int_equal(store_feed_head(f->s, "kortrijk", &seq, hash), LS_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(append(f->s, "kortrijk", 2, 4, 0, 10), LS_OK);
	assert_int_equal(store_fork_resolve(f->s, "kortrijk", 0), LS_ENOTFOUND);
	memset(&fs, 0, sizeof fs);
	assert_int_equal(store_fork_list(f->s, 1, fork_cb, &fs), LS_OK);
	assert_int_equal(fs.n, 1);
	assert_int_equal(fs.resolved, 1);
	memset(&fs, 0, sizeof fs);
	assert_int_equal(store_fork_list(f->s, 0, fork_cb, &fs), LS_OK);
	assert_int_equal(fs.n, 0);
}

struct page_seen {
	int n;
	uint64_t seqs[16];
};

static int page_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *env, size_t len)
{
	struct page_seen *p = arg;
	(void)env;
	(void)len;
	p->seqs[p->n++] = m->seq;
	return 0;
}

static void test_pages_respect_bounds(void **state)
{
	struct fx *f = *state;
	struct page_seen p = {0};
	int more;

	for (uint64_t i = 1; i <= 10; i++)
		assert_int_equal(append(f->s, "gent", i, 4, 0, 1000), LS_OK);
	/* By count. */
	assert_int_equal(
	    store_feed_page(f->s, "gent", 3, 0, 4, 1 << 20, page_cb, &p, &more),
	    LS_OK);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.seqs[0], 3);
	assert_int_equal(p.seqs[3], 6);
	assert_true(more);
	/* By bytes: 2500 bytes hold two documents of 1000. */
	memset(&p, 0, sizeof p);
	assert_int_equal(
	    store_feed_page(f->s, "gent", 1, 0, 100, 2500, page_cb, &p, &more),
	    LS_OK);
	assert_int_equal(p.n, 2);
	assert_true(more);
	/* The first document always fits. */
	memset(&p, 0, sizeof p);
	assert_int_equal(
	    store_feed_page(f->s, "gent", 9, 0, 100, 10, page_cb, &p, &more),
	    LS_OK);
	assert_int_equal(p.n, 1);
	assert_true(more);
	/* A bounded range that ends exactly: no more. */
	memset(&p, 0, sizeof p);
	assert_int_equal(store_feed_page(f->s, "gent", 8, 10, 100, 1 << 20,
	                                 page_cb, &p, &more),
	                 LS_OK);
	assert_int_equal(p.n, 3);
	assert_false(more);
	/* Bad ranges. */
	assert_int_equal(
	    store_feed_page(f->s, "gent", 0, 0, 1, 1, page_cb, &p, &more),
	    LS_EINVAL);
	assert_int_equal(
	    store_feed_page(f->s, "gent", 5, 4, 1, 1, page_cb, &p, &more),
	    LS_EINVAL);
}

static void test_list_and_latest_by_type(void **state)
{
	struct fx *f = *state;
	struct page_seen p = {0};
	/* gent: summary, status, summary, status; eeklo: status */
	assert_int_equal(append(f->s, "gent", 1, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "gent", 2, 5, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "gent", 3, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "gent", 4, 5, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "eeklo", 1, 5, 0, 10), LS_OK);

	assert_int_equal(store_feed_list(f->s, 4, NULL, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 2);
	memset(&p, 0, sizeof p);
	assert_int_equal(store_feed_list(f->s, 0, "gent", page_cb, &p), LS_OK);
	assert_int_equal(p.n, 4);
	memset(&p, 0, sizeof p);
	assert_int_equal(store_feed_latest(f->s, 5, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.seqs[0], 1); /* eeklo */
	assert_int_equal(p.seqs[1], 4); /* gent */
}

/* The mark of a summary held but counted nowhere (PROTOCOL.md 5.3):
 * kept as appended, changed in place, listed, gone with its document. */
static void test_uncounted_marks(void **state)
{
	struct fx *f = *state;
	struct page_seen p = {0};
	struct store_doc_meta m;
	uint8_t env[64] = {0};

	doc_make(&m, "gent", 1, 4, 0);
	m.uncounted = 3;
	assert_int_equal(store_feed_append(f->s, &m, env, sizeof env), LS_OK);
	assert_int_equal(append(f->s, "gent", 2, 4, 0, 10), LS_OK);
	assert_int_equal(append(f->s, "gent", 3, 4, 0, 10), LS_OK);
	assert_int_equal(store_feed_get(f->s, "gent", 1, &m, NULL, NULL),
	                 LS_OK);
	assert_int_equal(m.uncounted, 3);
	assert_int_equal(store_feed_set_uncounted(f->s, "gent", 3, 4), LS_OK);
	assert_int_equal(store_feed_list_uncounted(f->s, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.seqs[0], 1);
	assert_int_equal(p.seqs[1], 3);
	/* Cleared: counted again. */
	assert_int_equal(store_feed_set_uncounted(f->s, "gent", 1, 0), LS_OK);
	memset(&p, 0, sizeof p);
	assert_int_equal(store_feed_list_uncounted(f->s, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 1);
	/* Nothing held there; bad arguments change nothing. */
	assert_int_equal(store_feed_set_uncounted(f->s, "gent", 9, 4),
	                 LS_ENOTFOUND);
	assert_int_equal(store_feed_set_uncounted(f->s, "gent", 0, 4),
	                 LS_EINVAL);
	assert_int_equal(store_feed_set_uncounted(f->s, "Gent!", 1, 4),
	                 LS_EINVAL);
	/* Made at or after a time: seq 2 and 3 (created = base + seq). */
	memset(&p, 0, sizeof p);
	assert_int_equal(
	    store_feed_list_since(f->s, 4, 1767225602, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.seqs[0], 2);
	/* A fork's resolution that drops seq 3 drops its mark. */
	assert_int_equal(
	    store_fork_add(f->s, "gent", 3, (const uint8_t *)"proof", 5),
	    LS_OK);
	assert_int_equal(store_fork_resolve(f->s, "gent", 3), LS_OK);
	memset(&p, 0, sizeof p);
	assert_int_equal(store_feed_list_uncounted(f->s, page_cb, &p), LS_OK);
	assert_int_equal(p.n, 0);
}

static void test_generation_changes_with_every_feed_write(void **state)
{
	struct fx *f = *state;
	struct store_options opt = {.create = 0, .busy_timeout_ms = -1};
	struct store *other;
	uint64_t g0, g1, g2, g3, g4;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];

	assert_int_equal(store_feed_generation(f->s, &g0), LS_OK);
	/* Reading changes nothing. */
	assert_int_equal(store_feed_head(f->s, "gent", &seq, hash), LS_OK);
	assert_int_equal(store_feed_generation(f->s, &g1), LS_OK);
	assert_true(g0 == g1);
	/* An append on this connection... */
	assert_int_equal(append(f->s, "gent", 1, 4, 0, 100), LS_OK);
	assert_int_equal(store_feed_generation(f->s, &g2), LS_OK);
	assert_true(g2 != g1);
	/* ...a refused one changes nothing... */
	assert_int_equal(append(f->s, "gent", 3, 4, 0, 100), LS_ECHAIN);
	assert_int_equal(store_feed_generation(f->s, &g3), LS_OK);
	assert_true(g3 == g2);
	/* ...and another process's commit shows too. */
	assert_int_equal(store_open(f->path, &opt, &other, NULL), LS_OK);
	assert_int_equal(append(other, "gent", 2, 4, 0, 100), LS_OK);
	store_close(other);
	assert_int_equal(store_feed_generation(f->s, &g4), LS_OK);
	assert_true(g4 != g3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_feed_has_head_zero,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_chain_is_appended_and_read_back, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_refusals_change_nothing,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_checked_run, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_checked_append, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_of_caller_transaction,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_fork_quarantines_until_resolved, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_pages_respect_bounds, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_generation_changes_with_every_feed_write, fx_setup,
	        fx_teardown),
	    cmocka_unit_test_setup_teardown(test_uncounted_marks, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_list_and_latest_by_type,
	                                    fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
