/* node/vpool: a page verified on a pool of threads gives each item what
 * proto_doc_verify gives it alone; an item is claimed once, by the
 * thread that verifies it or by the caller skipping it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "node/vpool.h"
#include "tests/fixture.h"

#define N_DOCS 24

struct world {
	struct ls_roster roster;
	struct ls_trust trust;
	uint8_t *env[N_DOCS];
	size_t len[N_DOCS];
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	struct ls_feed_head head = {0};
	fx_roster(&w->roster);
	w->trust.roster = &w->roster;
	for (int i = 0; i < N_DOCS; i++) {
		struct ls_doc d;
		proto_doc_init(&d, LS_DOC_STATUS);
		strcpy(d.hdr.origin, "gent");
		fx_status(&d.body.status, 3);
		d.body.status.uptime = (uint64_t)i;
		w->env[i] = fx_sign(&d, &head, FX_NOW - 600 + i, "gent",
		                    &w->len[i]);
		proto_doc_fini(&d);
	}
	/* one that fails verification: a flipped signature bit */
	w->env[5][w->len[5] - 1] ^= 1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	for (int i = 0; i < N_DOCS; i++)
		ls_free(w->env[i]);
	proto_roster_fini(&w->roster);
	free(w);
	return 0;
}

static void items_of(struct world *w, struct node_vpool_item *items)
{
	memset(items, 0, N_DOCS * sizeof *items);
	for (int i = 0; i < N_DOCS; i++) {
		items[i].env = w->env[i];
		items[i].len = w->len[i];
	}
}

/* Item i as proto_doc_verify alone judges it. */
static void expect_verified(struct world *w, struct node_vpool_item *it,
                            int i)
{
	struct ls_doc d;
	struct ls_doc_info info;
	int rc = proto_doc_verify(&w->trust, w->env[i], w->len[i], FX_NOW, &d,
	                          &info, NULL);
	assert_int_equal(it->rc, rc);
	assert_int_equal(it->skip, 0);
	if (rc == LS_OK) {
		assert_int_equal(it->doc.hdr.seq, d.hdr.seq);
		assert_memory_equal(it->info.hash, info.hash, LS_HASH_BYTES);
		proto_doc_fini(&d);
	}
}

static void test_run_matches_verify(void **state)
{
	struct world *w = *state;
	struct node_vpool_item items[N_DOCS];
	struct node_vpool *p;

	assert_int_equal(node_vpool_new(2, &p), LS_OK);
	items_of(w, items);
	items[7].skip = 1; /* skipped before the start */
	node_vpool_start(p, &w->trust, FX_NOW, items, N_DOCS);
	node_vpool_finish(p);
	for (int i = 0; i < N_DOCS; i++) {
		assert_int_equal(items[i].done, 1);
		if (i == 7) {
			assert_int_equal(items[i].rc, LS_ENOTFOUND);
			continue;
		}
		expect_verified(w, &items[i], i);
		proto_doc_fini(&items[i].doc);
	}
	assert_int_equal(items[5].rc, LS_ESIG);
	node_vpool_free(p);
}

/* Skipping after the start: each item is either skipped (never
 * verified: rc LS_ENOTFOUND, no document) or verified (then the skip
 * fails and changes nothing), never both, whatever the threads did. */
static void test_skip_after_start_claims_once(void **state)
{
	struct world *w = *state;
	struct node_vpool_item items[N_DOCS];
	struct node_vpool *p;

	assert_int_equal(node_vpool_new(3, &p), LS_OK);
	for (int round = 0; round < 20; round++) {
		int got[N_DOCS];
		items_of(w, items);
		node_vpool_start(p, &w->trust, FX_NOW, items, N_DOCS);
		for (int i = N_DOCS - 1; i >= 0; i -= 2)
			got[i] = node_vpool_skip(&items[i]);
		for (int i = 0; i < N_DOCS; i++) {
			node_vpool_wait(p, &items[i]);
			if (i % 2 == 1 && got[i]) {
				assert_int_equal(items[i].skip, 1);
				assert_int_equal(items[i].rc, LS_ENOTFOUND);
				assert_int_equal(items[i].doc.hdr.seq, 0);
			} else {
				expect_verified(w, &items[i], i);
			}
		}
		node_vpool_finish(p);
		/* everything is claimed now: nothing more can be skipped */
		for (int i = 0; i < N_DOCS; i += 2)
			assert_int_equal(node_vpool_skip(&items[i]), 0);
		for (int i = 0; i < N_DOCS; i++)
			proto_doc_fini(&items[i].doc);
	}
	node_vpool_free(p);
	/* an item nobody took is skipped once */
	items_of(w, items);
	assert_int_equal(node_vpool_skip(&items[0]), 1);
	assert_int_equal(items[0].skip, 1);
	assert_int_equal(node_vpool_skip(&items[0]), 1);
}

/* Two jobs queued (a page and the page asked ahead): items are handed
 * out oldest job first, each item of both is what verify alone gives,
 * and finishing the first leaves the second intact. */
static void test_two_jobs_queue_in_order(void **state)
{
	struct world *w = *state;
	struct node_vpool_item a[N_DOCS], b[N_DOCS];
	struct node_vpool_job ja, jb;
	struct node_vpool *p;

	assert_int_equal(node_vpool_new(2, &p), LS_OK);
	for (int round = 0; round < 10; round++) {
		items_of(w, a);
		items_of(w, b);
		node_vpool_job_start(p, &ja, &w->trust, FX_NOW, a, N_DOCS);
		node_vpool_job_start(p, &jb, &w->trust, FX_NOW, b, N_DOCS);
		for (int i = 0; i < N_DOCS; i++) {
			node_vpool_wait(p, &a[i]);
			expect_verified(w, &a[i], i);
		}
		node_vpool_job_finish(p, &ja);
		for (int i = 0; i < N_DOCS; i++) {
			node_vpool_wait(p, &b[i]);
			expect_verified(w, &b[i], i);
		}
		node_vpool_job_finish(p, &jb);
		for (int i = 0; i < N_DOCS; i++) {
			proto_doc_fini(&a[i].doc);
			proto_doc_fini(&b[i].doc);
		}
	}
	node_vpool_free(p);
}

/* A job given up: released exactly once, after its last item in
 * flight, whichever thread that is; a drain leaves no item in flight;
 * a job given up before it started is released at once. */
struct abandoned {
	struct node_vpool_job job; /* first */
	struct node_vpool_item items[N_DOCS];
	int *released;
};

static void release_cb(struct node_vpool_job *job)
{
	struct abandoned *x = (struct abandoned *)job;
	for (int i = 0; i < N_DOCS; i++)
		proto_doc_fini(&x->items[i].doc);
	(*x->released)++;
	free(x);
}

static void test_abandon_releases_once(void **state)
{
	struct world *w = *state;
	struct node_vpool_item a[N_DOCS];
	struct node_vpool_job ja;
	struct node_vpool *p;
	int released = 0;

	assert_int_equal(node_vpool_new(3, &p), LS_OK);
	for (int round = 0; round < 20; round++) {
		struct abandoned *x = calloc(1, sizeof *x);
		x->released = &released;
		items_of(w, x->items);
		items_of(w, a);
		node_vpool_job_start(p, &x->job, &w->trust, FX_NOW, x->items,
		                     N_DOCS);
		node_vpool_job_start(p, &ja, &w->trust, FX_NOW, a, N_DOCS);
		if (round % 2)
			node_vpool_wait(p, &x->items[0]);
		node_vpool_job_abandon(p, &x->job, release_cb);
		/* the job behind it is verified whole */
		for (int i = 0; i < N_DOCS; i++) {
			node_vpool_wait(p, &a[i]);
			expect_verified(w, &a[i], i);
		}
		node_vpool_drain(p);
		node_vpool_job_finish(p, &ja);
		for (int i = 0; i < N_DOCS; i++)
			proto_doc_fini(&a[i].doc);
		assert_int_equal(released, round + 1);
	}
	{
		struct abandoned *x = calloc(1, sizeof *x);
		x->released = &released;
		node_vpool_job_abandon(p, &x->job, release_cb);
		assert_int_equal(released, 21);
	}
	node_vpool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_run_matches_verify, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_skip_after_start_claims_once,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_jobs_queue_in_order, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_abandon_releases_once, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
