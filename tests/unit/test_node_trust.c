/* node/trust and node/feed: the trust in force rebuilt from the store,
 * roster succession, and publishing to the own feed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "node/feed.h"
#include "node/trust.h"
#include "tests/fixture.h"
#include "tests/unit/fixture_store.h"

/* A store (tests/unit/fixture_store.h) and the federation's key. */
struct tfx {
	struct fx base;
	struct ls_keypair *fed;
	struct ls_feed_head fed_head;
};

static int setup(void **state)
{
	struct tfx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	fx_open(&f->base);
	f->fed = fx_key("federation");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct tfx *f = *state;
	fx_close(&f->base);
	proto_keypair_free(f->fed);
	free(f);
	return 0;
}

/* Sign a federation document and store it as sync would: verify, check
 * against the trust, append, admit. Returns the first failing code. */
static int fed_publish(struct tfx *f, struct node_trust *t, struct ls_doc *d)
{
	struct ls_trust view;
	struct ls_doc got;
	struct ls_doc_info info;
	struct store_doc_meta m;
	size_t len;
	uint8_t *env;
	int rc;

	strcpy(d->hdr.origin, FX_FEDERATION);
	env = fx_sign(d, &f->fed_head, FX_NOW - 3600, "federation", &len);
	node_trust_view(t, &view);
	memset(&got, 0, sizeof got);
	rc = proto_doc_verify(&view, env, len, FX_NOW, &got, &info, NULL);
	if (rc == LS_OK)
		rc = node_trust_check(t, &got, info.hash, NULL);
	if (rc == LS_OK) {
		memset(&m, 0, sizeof m);
		strcpy(m.origin, got.hdr.origin);
		m.seq = got.hdr.seq;
		m.type = got.hdr.type;
		memcpy(m.hash, info.hash, LS_HASH_BYTES);
		memcpy(m.prev, got.hdr.prev, LS_HASH_BYTES);
		m.created = got.hdr.created;
		rc = store_feed_append(f->base.s, &m, env, len);
	}
	if (rc == LS_OK)
		rc = node_trust_admit(t, &got, info.hash, NULL);
	proto_doc_fini(&got);
	ls_free(env);
	return rc;
}

static void make_roster(struct ls_doc *d)
{
	proto_doc_init(d, LS_DOC_ROSTER);
	fx_roster(&d->body.roster);
}

static void test_trust_is_rebuilt_from_the_store(void **state)
{
	struct tfx *f = *state;
	struct node_trust t, again;
	struct ls_doc d;

	node_trust_init(&t, FX_FEDERATION, f->fed->pk);
	assert_null(node_trust_roster(&t));
	make_roster(&d);
	assert_int_equal(fed_publish(f, &t, &d), LS_OK);
	proto_doc_fini(&d);
	proto_doc_init(&d, LS_DOC_POLICY);
	fx_policy(&d.body.policy);
	assert_int_equal(fed_publish(f, &t, &d), LS_OK);
	proto_doc_fini(&d);
	assert_non_null(node_trust_roster(&t));
	assert_non_null(node_trust_policy(&t));
	assert_null(node_trust_taxonomy(&t));

	node_trust_init(&again, FX_FEDERATION, f->fed->pk);
	assert_int_equal(node_trust_load(&again, f->base.s, FX_NOW, NULL),
	                 LS_OK);
	assert_int_equal(again.head.seq, 2);
	assert_memory_equal(again.head.hash, t.head.hash, LS_HASH_BYTES);
	assert_non_null(node_trust_roster(&again));
	assert_int_equal(node_trust_policy(&again)->params.k, 5);
	node_trust_fini(&again);
	node_trust_fini(&t);
}

static void test_roster_that_drops_a_member_is_refused(void **state)
{
	struct tfx *f = *state;
	struct node_trust t;
	struct ls_doc d;
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];

	node_trust_init(&t, FX_FEDERATION, f->fed->pk);
	make_roster(&d);
	assert_int_equal(fed_publish(f, &t, &d), LS_OK);
	proto_doc_fini(&d);
	make_roster(&d);
	d.body.roster.n_members--; /* drops the last member */
	assert_int_equal(fed_publish(f, &t, &d), LS_EPOLICY);
	d.body.roster.n_members++;
	proto_doc_fini(&d);
	/* Nothing was stored, the old roster stays in force. */
	assert_int_equal(store_feed_head(f->base.s, FX_FEDERATION, &seq, hash),
	                 LS_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(t.head.seq, 1);
	node_trust_fini(&t);
}

static void test_forged_federation_document_in_store_stops_load(void **state)
{
	struct tfx *f = *state;
	struct node_trust t;
	struct ls_doc d;
	struct ls_feed_head head = {0};
	struct store_doc_meta m;
	struct ls_errinfo e;
	uint8_t *env;
	size_t len;

	/* Someone writes a roster signed by a member key straight into the
	 * store: the store does not verify, the trust must. */
	make_roster(&d);
	strcpy(d.hdr.origin, FX_FEDERATION);
	env = fx_sign(&d, &head, FX_NOW - 60, "gent", &len);
	memset(&m, 0, sizeof m);
	strcpy(m.origin, FX_FEDERATION);
	m.seq = 1;
	m.type = LS_DOC_ROSTER;
	memcpy(m.hash, head.hash, LS_HASH_BYTES);
	assert_int_equal(store_feed_append(f->base.s, &m, env, len), LS_OK);
	ls_free(env);
	proto_doc_fini(&d);

	node_trust_init(&t, FX_FEDERATION, f->fed->pk);
	assert_int_equal(node_trust_load(&t, f->base.s, FX_NOW, &e), LS_EKEY);
	assert_null(node_trust_roster(&t));
	node_trust_fini(&t);
}

static void test_out_of_order_federation_document_is_refused(void **state)
{
	struct tfx *f = *state;
	struct node_trust t;
	struct ls_doc d;

	node_trust_init(&t, FX_FEDERATION, f->fed->pk);
	make_roster(&d);
	assert_int_equal(fed_publish(f, &t, &d), LS_OK);
	proto_doc_fini(&d);
	/* Pretend seq 2 exists: the next document claims seq 3. */
	f->fed_head.seq++;
	proto_doc_init(&d, LS_DOC_POLICY);
	fx_policy(&d.body.policy);
	assert_int_equal(fed_publish(f, &t, &d), LS_ECHAIN);
	proto_doc_fini(&d);
	node_trust_fini(&t);
}

static void test_publish_appends_verifiable_documents(void **state)
{
	struct tfx *f = *state;
	struct node_trust t;
	struct ls_keypair *kp = fx_key("kortrijk");
	struct store_doc_meta m1, m2;
	struct ls_doc d, back;
	struct ls_trust view;
	uint8_t *env;
	size_t len;

	node_trust_init(&t, FX_FEDERATION, f->fed->pk);
	make_roster(&d);
	assert_int_equal(fed_publish(f, &t, &d), LS_OK);
	proto_doc_fini(&d);

	for (int i = 0; i < 2; i++) {
		proto_doc_init(&d, LS_DOC_STATUS);
		strcpy(d.hdr.origin, "kortrijk");
		fx_status(&d.body.status, 3);
		assert_int_equal(node_feed_publish(f->base.s, kp, &d,
		                                   FX_NOW - 100 + i,
		                                   i ? &m2 : &m1, NULL),
		                 LS_OK);
		proto_doc_fini(&d);
	}
	assert_int_equal(m1.seq, 1);
	assert_int_equal(m2.seq, 2);
	assert_memory_equal(m2.prev, m1.hash, LS_HASH_BYTES);

	/* What was stored verifies against the trust and reads back. */
	assert_int_equal(
	    store_feed_get(f->base.s, "kortrijk", 2, NULL, &env, &len), LS_OK);
	node_trust_view(&t, &view);
	memset(&back, 0, sizeof back);
	assert_int_equal(
	    proto_doc_verify(&view, env, len, FX_NOW, &back, NULL, NULL),
	    LS_OK);
	proto_doc_fini(&back);
	ls_free(env);
	assert_int_equal(node_feed_read(f->base.s, "kortrijk", 1, &back, NULL),
	                 LS_OK);
	assert_int_equal(back.hdr.type, LS_DOC_STATUS);
	proto_doc_fini(&back);
	assert_int_equal(node_feed_read(f->base.s, "kortrijk", 3, &back, NULL),
	                 LS_ENOTFOUND);

	/* Inside a caller's transaction that is rolled back: nothing. */
	assert_int_equal(store_tx_begin(f->base.s), LS_OK);
	proto_doc_init(&d, LS_DOC_STATUS);
	strcpy(d.hdr.origin, "kortrijk");
	fx_status(&d.body.status, 1);
	assert_int_equal(
	    node_feed_publish(f->base.s, kp, &d, FX_NOW - 50, &m1, NULL),
	    LS_OK);
	proto_doc_fini(&d);
	store_tx_rollback(f->base.s);
	assert_int_equal(node_feed_read(f->base.s, "kortrijk", 3, &back, NULL),
	                 LS_ENOTFOUND);

	proto_keypair_free(kp);
	node_trust_fini(&t);
}

/* The own-key check (PROTOCOL.md 6, "Rotation"): what the roster a node
 * holds says of its key, judged as every receiver judges it. */
static void test_own_key_check(void **state)
{
	struct ls_roster r;
	struct node_feed_key k;
	struct ls_keypair *gent = fx_key("gent"), *old = fx_key("gent-2025a"),
	                  *stolen = fx_key("roeselare-stolen"),
	                  *mortsel = fx_key("mortsel"),
	                  *stranger = fx_key("antwerpen");
	(void)state;

	/* No roster yet (before joining): signs as always. */
	node_feed_key_of(NULL, "gent", gent->key_id, &k);
	assert_int_equal(k.has_roster, 0);
	assert_int_equal(node_feed_key_check(&k, FX_NOW, 1), LS_OK);
	assert_int_equal(node_feed_key_closes(&k), 0);

	fx_roster(&r);
	node_feed_key_of(&r, "gent", gent->key_id, &k);
	assert_int_equal(node_feed_key_check(&k, FX_NOW, 7), LS_OK);
	assert_int_equal(node_feed_key_closes(&k), 0);
	assert_int_equal(node_feed_key_check(&k, FX_T_ROTATE - 1, 7),
	                 LS_EEXPIRED);

	/* The old key after the rotation: closed. */
	node_feed_key_of(&r, "gent", old->key_id, &k);
	assert_int_equal(node_feed_key_closes(&k), FX_T_ROTATE);
	assert_int_equal(node_feed_key_check(&k, FX_T_ROTATE - 1, 0), LS_OK);
	assert_int_equal(node_feed_key_check(&k, FX_T_ROTATE, 0), LS_EEXPIRED);

	/* Not this node's key, or not listed at all. */
	node_feed_key_of(&r, "kortrijk", gent->key_id, &k);
	assert_int_equal(node_feed_key_check(&k, FX_NOW, 1), LS_EKEY);
	assert_int_equal(node_feed_key_closes(&k), 0);
	node_feed_key_of(&r, "gent", stranger->key_id, &k);
	assert_int_equal(node_feed_key_check(&k, FX_NOW, 1), LS_EKEY);
	node_feed_key_of(&r, FX_FEDERATION, gent->key_id, &k);
	assert_int_equal(node_feed_key_check(&k, FX_NOW, 1), LS_EKEY);

	/* Revoked: from `at`, and after `after_seq` whatever the time. */
	node_feed_key_of(&r, "roeselare", stolen->key_id, &k);
	assert_int_equal(node_feed_key_closes(&k), FX_T_REVOKE);
	assert_int_equal(
	    node_feed_key_check(&k, FX_T_REVOKE - 1, FX_REVOKE_AFTER_SEQ),
	    LS_OK);
	assert_int_equal(
	    node_feed_key_check(&k, FX_T_REVOKE - 1, FX_REVOKE_AFTER_SEQ + 1),
	    LS_EREVOKED);
	assert_int_equal(node_feed_key_check(&k, FX_T_REVOKE, 1), LS_EREVOKED);

	/* A departed member: from `left`, and after left_seq. */
	node_feed_key_of(&r, "mortsel", mortsel->key_id, &k);
	assert_int_equal(node_feed_key_closes(&k), FX_T_LEFT);
	assert_int_equal(node_feed_key_check(&k, FX_T_LEFT - 1, 5), LS_OK);
	assert_int_equal(node_feed_key_check(&k, FX_T_LEFT, 5), LS_EREVOKED);
	assert_int_equal(
	    node_feed_key_check(&k, FX_T_LEFT - 1, FX_LEFT_AFTER_SEQ + 1),
	    LS_EREVOKED);

	/* *k is a copy: it outlives the roster (handed to another thread). */
	node_feed_key_of(&r, "gent", old->key_id, &k);
	proto_roster_fini(&r);
	assert_int_equal(node_feed_key_check(&k, FX_T_ROTATE, 0), LS_EEXPIRED);

	proto_keypair_free(gent);
	proto_keypair_free(old);
	proto_keypair_free(stolen);
	proto_keypair_free(mortsel);
	proto_keypair_free(stranger);
}

static int status_publish(struct tfx *f, const struct ls_keypair *kp,
                          const struct node_feed_key *own, int64_t created)
{
	struct ls_doc d;
	struct ls_errinfo e;
	int rc;
	proto_doc_init(&d, LS_DOC_STATUS);
	strcpy(d.hdr.origin, "roeselare");
	fx_status(&d.body.status, 1);
	ls_errinfo_clear(&e);
	rc = node_feed_publish_checked(f->base.s, kp, own, &d, created, NULL,
	                               &e);
	if (rc != LS_OK) /* says why */
		assert_true(strstr(e.msg, "roster") != NULL ||
		            strstr(e.msg, "own key") != NULL);
	proto_doc_fini(&d);
	return rc;
}

/* The checked publish signs nothing a receiver would refuse: checked at
 * the next position of the feed, and nothing is written when refused. */
static void test_publish_checked_refuses_what_receivers_refuse(void **state)
{
	struct tfx *f = *state;
	struct ls_roster r;
	struct node_feed_key k;
	struct ls_keypair *stolen = fx_key("roeselare-stolen"),
	                  *now = fx_key("roeselare");
	uint8_t hash[LS_HASH_BYTES], kid[LS_KEY_ID_BYTES];
	uint64_t seq;

	fx_roster(&r);
	assert_int_equal(node_feed_signer(f->base.s, "roeselare", kid),
	                 LS_ENOTFOUND);
	node_feed_key_of(&r, "roeselare", stolen->key_id, &k);
	/* Before the theft was noticed: positions 1..after_seq are fine. */
	for (int i = 0; i < FX_REVOKE_AFTER_SEQ; i++)
		assert_int_equal(
		    status_publish(f, stolen, &k, FX_T_REVOKE - 100 + i),
		    LS_OK);
	/* The next position is closed, whatever the date. */
	assert_int_equal(status_publish(f, stolen, &k, FX_T_REVOKE - 50),
	                 LS_EREVOKED);
	assert_int_equal(store_feed_head(f->base.s, "roeselare", &seq, hash),
	                 LS_OK);
	assert_int_equal(seq, FX_REVOKE_AFTER_SEQ);
	assert_int_equal(node_feed_signer(f->base.s, "roeselare", kid), LS_OK);
	assert_memory_equal(kid, stolen->key_id, LS_KEY_ID_BYTES);
	/* No check is no option here. */
	assert_int_equal(status_publish(f, now, NULL, FX_NOW), LS_EINVAL);
	/* The new key: from its valid_from on. */
	node_feed_key_of(&r, "roeselare", now->key_id, &k);
	assert_int_equal(status_publish(f, now, &k, FX_T_REVOKE - 1),
	                 LS_EEXPIRED);
	assert_int_equal(status_publish(f, now, &k, FX_NOW), LS_OK);
	assert_int_equal(node_feed_signer(f->base.s, "roeselare", kid), LS_OK);
	assert_memory_equal(kid, now->key_id, LS_KEY_ID_BYTES);
	assert_int_equal(store_feed_head(f->base.s, "roeselare", &seq, hash),
	                 LS_OK);
	assert_int_equal(seq, FX_REVOKE_AFTER_SEQ + 1);

	proto_roster_fini(&r);
	proto_keypair_free(stolen);
	proto_keypair_free(now);
}

/* A stand-in for a summary's check against one policy: its k is at least
 * the policy's. */
static int k_check(const void *doc, const struct ls_policy *p, int64_t created,
                   struct ls_errinfo *e)
{
	uint32_t k = *(const uint32_t *)doc;
	(void)created;
	return k >= p->params.k
	           ? LS_OK
	           : ls_errf(e, LS_EPOLICY, "k %u is below %u", k, p->params.k);
}

/* PROTOCOL.md 5.3, "Epochs": counts, held uncounted, refused, by the
 * policies of the feed up to a document's time. */
static void test_judge_by_the_policies_of_the_feed(void **state)
{
	struct node_trust t;
	struct ls_errinfo e;
	/* seq 2: k 5 from 100; seq 3: k 7 from 200; seq 4: k 9 from 200
	 * (the same second); seq 5: k 6 from 300 (a loosening) */
	static const struct {
		uint64_t seq;
		int64_t from;
		uint32_t k;
	} pol[] = {{2, 100, 5}, {3, 200, 7}, {4, 200, 9}, {5, 300, 6}};
	static const struct {
		int64_t at;
		uint32_t k;
		int rc;
		uint64_t uncounted;
	} cases[] = {
	    {50, 5, LS_OK, 0},       /* before every policy: the first */
	    {50, 4, LS_EPOLICY, 0},  /* ... which refuses it */
	    {150, 5, LS_OK, 0},      /* k 5 in force */
	    {200, 5, LS_OK, 0},      /* k 9's second: k 5 the second before */
	    {200, 8, LS_OK, 0},      /* ditto (k 7 never judges alone) */
	    {250, 9, LS_OK, 0},      /* k 9 in force */
	    {250, 7, LS_OK, 4},      /* only earlier ones allow it */
	    {250, 5, LS_OK, 4},      /* ditto: the loosest ever had */
	    {250, 4, LS_EPOLICY, 0}, /* none ever allowed it */
	    {300, 6, LS_OK, 0},      /* the loosening, from its start */
	    {299, 6, LS_OK, 4},      /* not before it */
	};
	(void)state;
	node_trust_init(&t, FX_FEDERATION, NULL);
	assert_int_equal(node_trust_judge(&t, 1, k_check, &cases[0].k,
	                                  &(uint64_t){9}, &e),
	                 LS_ESTATE);
	t.epochs = ls_calloc(4, sizeof *t.epochs);
	assert_non_null(t.epochs);
	for (size_t i = 0; i < 4; i++) {
		t.epochs[i].seq = pol[i].seq;
		t.epochs[i].from = pol[i].from;
		t.epochs[i].policy.params.k = pol[i].k;
	}
	t.n_epochs = 4;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t unc = 99;
		int rc = node_trust_judge(&t, cases[i].at, k_check,
		                          &cases[i].k, &unc, &e);
		if (rc != cases[i].rc || unc != cases[i].uncounted)
			fail_msg("case %zu (at %lld, k %u): rc %d uncounted "
			         "%llu: %s",
			         i, (long long)cases[i].at, cases[i].k, rc,
			         (unsigned long long)unc, e.msg);
	}
	{ /* the reason may be left unasked */
		uint64_t unc = 0;
		uint32_t k = 5;
		assert_int_equal(node_trust_judge(&t, 250, k_check, &k, &unc,
		                                  NULL),
		                 LS_OK);
		assert_int_equal(unc, 4);
	}
	node_trust_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_trust_is_rebuilt_from_the_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_roster_that_drops_a_member_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_forged_federation_document_in_store_stops_load, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_out_of_order_federation_document_is_refused, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_publish_appends_verifiable_documents, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_own_key_check, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_publish_checked_refuses_what_receivers_refuse, setup,
	        teardown),
	    cmocka_unit_test(test_judge_by_the_policies_of_the_feed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
