/*
 * node/secagg_sync: secure-aggregation rounds carried by sync engines in
 * memory — the association (vvsg) is the client, four municipalities
 * answer; a round completes and its federation summary reaches every
 * member; a contribution that arrives after the close is refused and
 * left out; a restarted aggregator resumes the same round; a request from
 * a municipality, or with secure aggregation off, is refused; a federation
 * summary naming a node that is no municipality is refused on ingest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/log.h"
#include "core/period.h"
#include "node/feed.h"
#include "node/ingest.h"
#include "node/release.h"
#include "node/secagg_sync.h"
#include "node/sync.h"
#include "node/trust.h"
#include "proto/envelope.h"
#include "proto/secagg_req.h"
#include "store/feed.h"
#include "store/secagg.h"
#include "store/signal.h"
#include "tests/fixture.h"
#include "tests/unit/fixture_store.h"

#define NM 4 /* municipalities */
#define WAIT 60
#define T0 FX_NOW

static const char *const member_ids[NM] = {"berlaar", "bornem", "eeklo",
                                           "kortrijk"};

struct tnode {
	const char *id;
	struct fx f;
	struct node_trust trust;
	struct node_ingest in;
	struct node_sync ns;
	struct node_secagg_sync sa;
	struct ls_keypair *kp;
	char secret[160];
};

struct world {
	struct tnode agg, m[NM];
	struct ls_keypair *fed;
	struct ls_feed_head fed_head;
	uint8_t *fed_env[4];
	size_t fed_len[4];
	size_t n_fed;
	int kicks;
};

static void kick_cb(void *arg)
{
	((struct world *)arg)->kicks++;
}

static struct node_secagg_sync_config config(struct world *w, int enabled)
{
	struct node_secagg_sync_config c;
	memset(&c, 0, sizeof c);
	c.enabled = enabled;
	c.noise.mu[0] = (struct secagg_rational){1, 4};
	c.noise.mu[1] = (struct secagg_rational){25, 1};
	c.min_parties = 3;
	c.wait_s = WAIT;
	c.kick = kick_cb;
	c.kick_arg = w;
	return c;
}

static void fed_sign(struct world *w, struct ls_doc *d)
{
	strcpy(d->hdr.origin, FX_FEDERATION);
	w->fed_env[w->n_fed] = fx_sign(d, &w->fed_head, FX_NOW - 86400,
	                               "federation", &w->fed_len[w->n_fed]);
	w->n_fed++;
}

static void secagg_open(struct world *w, struct tnode *t, int aggregator,
                        int enabled, int64_t now)
{
	struct node_secagg_sync_config c = config(w, enabled);
	assert_int_equal(node_secagg_sync_init(&t->sa, t->f.s, &t->trust, t->kp,
	                                       t->id, aggregator, t->secret, &c,
	                                       now, NULL),
	                 LS_OK);
	node_sync_set_ext(&t->ns, &t->sa.ext);
}

static void node_open(struct world *w, struct tnode *t, const char *id,
                      int aggregator)
{
	struct ls_bytes b[4];
	struct node_ingest_page pg;
	char keys[128];

	t->id = id;
	fx_open(&t->f);
	snprintf(keys, sizeof keys, "%s/keys", t->f.dir);
	assert_int_equal(mkdir(keys, 0700), 0);
	snprintf(t->secret, sizeof t->secret, "%s/secagg.secret", keys);
	node_trust_init(&t->trust, FX_FEDERATION, w->fed->pk);
	node_ingest_init(&t->in, t->f.s, &t->trust);
	t->kp = fx_key(id);
	assert_int_equal(node_sync_init(&t->ns, t->f.s, &t->in, id, t->kp,
	                                NULL),
	                 LS_OK);
	for (size_t i = 0; i < w->n_fed; i++) {
		b[i].data = w->fed_env[i];
		b[i].len = w->fed_len[i];
	}
	assert_int_equal(node_ingest_page(&t->in, b, w->n_fed, T0, "bundle",
	                                  NULL, &pg, NULL),
	                 LS_OK);
	assert_int_equal(pg.stored, w->n_fed);
	secagg_open(w, t, aggregator, 1, T0);
}

static void node_close(struct tnode *t)
{
	node_sync_set_ext(&t->ns, NULL);
	node_secagg_sync_fini(&t->sa);
	node_sync_fini(&t->ns);
	node_ingest_fini(&t->in);
	node_trust_fini(&t->trust);
	proto_keypair_free(t->kp);
	fx_close(&t->f);
}

static void set(struct tnode *t, struct ls_signal *s, enum ls_signal_field fld,
                const char *v)
{
	struct ls_errinfo e;
	if (ls_signal_set_field(s, fld, v, strlen(v), store_taxonomy(t->f.s),
	                        &e) != LS_OK)
		fail_msg("%s: %s", v, e.msg);
}

/* n signals in October 2025, released (threshold mode, the federation's
 * policy) at T0. */
static void signals_and_release(struct tnode *t, int n)
{
	static const char *const themes[] = {"wonen", "energie", "inkomen"};
	struct node_release_env env;
	struct node_release_result res;
	struct ls_errinfo e;
	char date[16], noise[160];

	for (int i = 0; i < n; i++) {
		struct ls_signal s;
		ls_signal_init(&s);
		snprintf(date, sizeof date, "2025-10-%02d", 1 + i % 28);
		set(t, &s, LS_FIELD_REGISTERED_AT, date);
		set(t, &s, LS_FIELD_THEME, themes[i % 3]);
		set(t, &s, LS_FIELD_AGE, i % 2 ? "25-64" : "65plus");
		set(t, &s, LS_FIELD_SECTOR, "ocmw");
		set(t, &s, LS_FIELD_ORGANISATION, "OCMW");
		set(t, &s, LS_FIELD_PERSONS, "1");
		assert_int_equal(ls_signal_validate(&s, NULL, &e), LS_OK);
		assert_int_equal(store_signal_insert(t->f.s, &s, &e), LS_OK);
	}
	snprintf(noise, sizeof noise, "%s/keys/noise.secret", t->f.dir);
	memset(&env, 0, sizeof env);
	env.store = t->f.s;
	env.trust = &t->trust;
	env.origin = t->id;
	env.key = t->kp;
	env.noise_secret_path = noise;
	env.actor = "test";
	assert_int_equal(node_release_period(&env,
	                                     &(struct ls_period){2025, 10, 1},
	                                     T0, &res, &e),
	                 LS_OK);
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
	node_open(w, &w->agg, "vvsg", 1);
	for (int i = 0; i < NM; i++) {
		node_open(w, &w->m[i], member_ids[i], 0);
		signals_and_release(&w->m[i], 8 + 3 * i);
	}
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	node_close(&w->agg);
	for (int i = 0; i < NM; i++)
		node_close(&w->m[i]);
	for (size_t i = 0; i < w->n_fed; i++)
		ls_free(w->fed_env[i]);
	proto_keypair_free(w->fed);
	free(w);
	return 0;
}

/* One whole sync round of a with b at now, frames handed over in
 * memory (the extension's requests included). */
static void round_with(struct tnode *a, struct tnode *b, int64_t now)
{
	struct node_sync_round *r;
	uint8_t *frame, *reply;
	size_t len, reply_len;

	assert_int_equal(node_sync_round_new(&a->ns, b->id, now, &r), LS_OK);
	for (;;) {
		int rc = node_sync_round_next(r, now, &frame, &len);
		if (rc == LS_ENOTFOUND)
			break;
		assert_int_equal(rc, LS_OK);
		assert_int_equal(node_sync_handle_frame(&b->ns, now, frame, len,
		                                        &reply, &reply_len,
		                                        NULL),
		                 LS_OK);
		ls_free(frame);
		rc = node_sync_round_reply(r, now, reply, reply_len);
		ls_free(reply);
		if (rc != LS_OK)
			break;
	}
	node_sync_round_free(r);
}

/* The aggregator's request to member m, taken from its extension (not
 * sent): the bytes a slow network would still deliver. */
static void request_for(struct world *w, int m, int64_t now, uint8_t **plain,
                        size_t *len)
{
	assert_int_equal(w->agg.sa.ext.next_cb(&w->agg.sa, member_ids[m], now,
	                                       plain, len),
	                 LS_OK);
}

/* Member m answers a plaintext request; the reply goes to the
 * aggregator's extension as if it arrived at now. */
static void deliver(struct world *w, int m, const uint8_t *plain, size_t len,
                    int64_t now)
{
	uint8_t *rep;
	size_t rep_len;
	assert_int_equal(w->m[m].sa.ext.serve_cb(&w->m[m].sa, "vvsg", now,
	                                         plain, len, &rep, &rep_len),
	                 LS_OK);
	w->agg.sa.ext.reply_cb(&w->agg.sa, member_ids[m], now, LS_OK, rep,
	                       rep_len);
	ls_free(rep);
}

struct fedsum_find {
	struct ls_doc doc;
	int found;
};

static int fedsum_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *env, size_t len)
{
	struct fedsum_find *ff = arg;
	struct ls_envelope ev;
	(void)m;
	assert_int_equal(proto_envelope_decode(env, len, &ev, NULL), LS_OK);
	if (ff->found)
		proto_doc_fini(&ff->doc);
	assert_int_equal(proto_doc_decode_payload(ev.payload, ev.payload_len,
	                                          &ff->doc, NULL),
	                 LS_OK);
	ff->found = 1;
	return 0;
}

/* The latest federation summary t holds (the caller frees it). */
static int fedsum_of(struct tnode *t, struct ls_doc *out)
{
	struct fedsum_find ff;
	memset(&ff, 0, sizeof ff);
	assert_int_equal(store_feed_list(t->f.s, LS_DOC_FEDSUM, "vvsg",
	                                 fedsum_cb, &ff),
	                 LS_OK);
	*out = ff.doc;
	return ff.found;
}

/* Bring every member's release to the aggregator, then open the round
 * (all four released; the roster has ten municipalities, so the round
 * opens after three waits for the other six). */
static void open_round(struct world *w)
{
	for (int i = 0; i < NM; i++)
		round_with(&w->agg, &w->m[i], T0);
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, T0, 1), LS_OK);
	assert_int_equal(w->agg.sa.n_rounds, 0);
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, T0 + 3 * WAIT - 1, 1),
	                 LS_OK);
	assert_int_equal(w->agg.sa.n_rounds, 0);
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, T0 + 3 * WAIT, 1),
	                 LS_OK);
	assert_int_equal(w->agg.sa.n_rounds, 1);
}

static void test_round_completes_and_spreads(void **state)
{
	struct world *w = *state;
	struct ls_doc d, dm;
	int64_t now = T0 + 3 * WAIT;

	open_round(w);
	/* Keys, key set, contributions, close, reveals: each sync round
	 * carries what the member owes; the phase moves on with the last
	 * answer. */
	for (int pass = 0; pass < 3 && w->agg.sa.n_rounds > 0; pass++)
		for (int i = 0; i < NM; i++)
			round_with(&w->agg, &w->m[i], now + pass);
	assert_int_equal(w->agg.sa.n_rounds, 0);
	assert_int_equal(w->agg.sa.published, 1);
	assert_true(w->kicks > 0);
	assert_true(fedsum_of(&w->agg, &d));
	assert_int_equal(d.body.fedsum.n_included, NM);
	for (int i = 0; i < NM; i++)
		assert_string_equal(d.body.fedsum.included[i], member_ids[i]);
	assert_int_equal(d.body.fedsum.period.month, 10);
	/* Every member gets the same document from the association. */
	for (int i = 0; i < NM; i++) {
		round_with(&w->m[i], &w->agg, now + 10);
		assert_true(fedsum_of(&w->m[i], &dm));
		assert_memory_equal(dm.body.fedsum.round, d.body.fedsum.round,
		                    sizeof d.body.fedsum.round);
		proto_doc_fini(&dm);
	}
	/* The period is done: no second round for it. */
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, now + 20, 1), LS_OK);
	assert_int_equal(w->agg.sa.n_rounds, 0);
	proto_doc_fini(&d);
}

static void test_late_contribution_is_refused(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	uint8_t *late;
	size_t late_len;
	int64_t now = T0 + 3 * WAIT;
	uint64_t refused;

	open_round(w);
	/* Keys, kortrijk's first: eeklo's, the last, makes the key set,
	 * and eeklo contributes in the same sync round. */
	round_with(&w->agg, &w->m[3], now);
	for (int i = 0; i < NM - 1; i++)
		round_with(&w->agg, &w->m[i], now);
	/* kortrijk's key-set request leaves, its answer is slow. */
	request_for(w, 3, now, &late, &late_len);
	for (int i = 0; i < NM - 2; i++)
		round_with(&w->agg, &w->m[i], now + 1);
	/* The wait runs out: the close names the other three. */
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, now + WAIT + 1, 1),
	                 LS_OK);
	assert_int_equal(w->agg.sa.n_rounds, 1);
	refused = w->agg.sa.take_refused;
	deliver(w, 3, late, late_len, now + WAIT + 2);
	ls_free(late);
	assert_int_equal(w->agg.sa.take_refused, refused + 1);
	/* The reveals (with the pair seeds shared with kortrijk) finish it. */
	for (int i = 0; i < NM; i++)
		round_with(&w->agg, &w->m[i], now + WAIT + 3);
	assert_int_equal(w->agg.sa.published, 1);
	assert_true(fedsum_of(&w->agg, &d));
	assert_int_equal(d.body.fedsum.n_included, NM - 1);
	for (size_t i = 0; i < d.body.fedsum.n_included; i++)
		assert_string_not_equal(d.body.fedsum.included[i], "kortrijk");
	assert_int_equal(w->agg.sa.last[w->agg.sa.n_last - 1].dropped, 1);
	proto_doc_fini(&d);
}

static void test_restarted_aggregator_resumes_the_round(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	uint8_t round[32], again[32];
	int64_t now = T0 + 3 * WAIT;
	int phase;

	open_round(w);
	assert_int_equal(node_secagg_sync_current(&w->agg.sa, round, &phase),
	                 LS_OK);
	assert_int_equal(phase, NODE_SECAGG_KEYS);
	for (int i = 0; i < NM; i++) /* keys, key set */
		round_with(&w->agg, &w->m[i], now);
	round_with(&w->agg, &w->m[0], now + 1); /* one contribution */
	/* Restart: everything in memory is gone. */
	node_sync_set_ext(&w->agg.ns, NULL);
	node_secagg_sync_fini(&w->agg.sa);
	secagg_open(w, &w->agg, 1, 1, now + 2);
	assert_int_equal(node_secagg_sync_current(&w->agg.sa, again, &phase),
	                 LS_OK);
	assert_memory_equal(again, round, sizeof round);
	assert_int_equal(phase, NODE_SECAGG_CONTRIB);
	/* Nothing is published before the own feed's head is known again
	 * (the daemon's tick says so). */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < NM; i++)
			round_with(&w->agg, &w->m[i], now + 2 + pass);
	assert_int_equal(w->agg.sa.published, 0);
	assert_int_equal(node_secagg_sync_tick(&w->agg.sa, now + 4, 1), LS_OK);
	assert_int_equal(w->agg.sa.published, 1);
	assert_true(fedsum_of(&w->agg, &d));
	assert_memory_equal(d.body.fedsum.round, round, sizeof round);
	assert_int_equal(d.body.fedsum.n_included, NM);
	proto_doc_fini(&d);
}

/* The federation rotates vvsg's node key ("vvsg" -> "vvsg-next", a week
 * of overlap); every node takes the roster at `now`. */
static void rotate_aggregator_key(struct world *w, int64_t now)
{
	struct ls_doc d;
	struct ls_bytes b;
	struct node_ingest_page pg;
	struct ls_roster_member *v;

	proto_doc_init(&d, LS_DOC_ROSTER);
	fx_roster(&d.body.roster);
	v = (struct ls_roster_member *)proto_roster_find_member(&d.body.roster,
	                                                        "vvsg");
	v->keys[0].valid_until = T0 + 7 * 86400;
	fx_roster_key(&v->keys[1], "vvsg-next", T0 - 3600, 0);
	v->n_keys = 2;
	assert_int_equal(proto_roster_index(&d.body.roster), LS_OK);
	fed_sign(w, &d);
	proto_doc_fini(&d);
	b.data = w->fed_env[w->n_fed - 1];
	b.len = w->fed_len[w->n_fed - 1];
	assert_int_equal(node_ingest_page(&w->agg.in, &b, 1, now, "bundle",
	                                  NULL, &pg, NULL),
	                 LS_OK);
	assert_int_equal(pg.stored, 1);
	for (int i = 0; i < NM; i++) {
		assert_int_equal(node_ingest_page(&w->m[i].in, &b, 1, now,
		                                  "bundle", NULL, &pg, NULL),
		                 LS_OK);
		assert_int_equal(pg.stored, 1);
	}
}

/* The federation rotates the association's node key with an overlap, and
 * the aggregator restarts on its new key in the middle of a round
 * (PROTOCOL.md 6, "Secure aggregation in the overlap"): it starts (the
 * stored open, signed with its old key, is read, not refused), abandons
 * that attempt, and the next one, under the new key, completes with
 * every member. */
static void test_aggregator_restarted_on_a_new_key(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	int64_t now = T0 + 3 * WAIT;
	struct ls_keypair *next = fx_key("vvsg-next");

	open_round(w);
	for (int i = 0; i < NM; i++) /* keys, key set */
		round_with(&w->agg, &w->m[i], now);
	round_with(&w->agg, &w->m[0], now + 1); /* one contribution */

	rotate_aggregator_key(w, now + 1);

	/* Restart on the new key. */
	node_sync_set_ext(&w->agg.ns, NULL);
	node_secagg_sync_fini(&w->agg.sa);
	node_sync_fini(&w->agg.ns);
	proto_keypair_free(w->agg.kp);
	w->agg.kp = next;
	assert_int_equal(node_sync_init(&w->agg.ns, w->agg.f.s, &w->agg.in,
	                                "vvsg", w->agg.kp, NULL),
	                 LS_OK);
	secagg_open(w, &w->agg, 1, 1, now + 2);
	for (int pass = 0; pass < 12 && w->agg.sa.published == 0; pass++) {
		int64_t t = now + 2 + pass;
		assert_int_equal(node_secagg_sync_tick(&w->agg.sa, t, 1),
		                 LS_OK);
		for (int i = 0; i < NM; i++)
			round_with(&w->agg, &w->m[i], t);
	}
	assert_int_equal(w->agg.sa.published, 1);
	assert_true(fedsum_of(&w->agg, &d));
	assert_int_equal(d.body.fedsum.n_included, NM);
	proto_doc_fini(&d);
	/* Signed with the new key, every member takes it. */
	for (int i = 0; i < NM; i++) {
		round_with(&w->m[i], &w->agg, now + 20 * WAIT);
		assert_true(fedsum_of(&w->m[i], &d));
		proto_doc_fini(&d);
	}
}

/* The aggregator takes its new key while running (signaald's SIGHUP) in
 * the middle of a round: the key set, close and total are signed with
 * the new key, the open with the old one, and the members take them all
 * (each verified with the key it names): the same attempt completes. */
static void test_aggregator_key_changes_mid_round(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	int64_t now = T0 + 3 * WAIT;
	struct ls_keypair *old = w->agg.kp, *next = fx_key("vvsg-next");

	rotate_aggregator_key(w, T0);
	open_round(w);
	round_with(&w->agg, &w->m[0], now); /* one key, signed open: old */
	assert_int_equal(node_sync_set_key(&w->agg.ns, next), LS_OK);
	w->agg.sa.kp = next;
	w->agg.kp = next;
	for (int pass = 0; pass < 3 && w->agg.sa.n_rounds > 0; pass++)
		for (int i = 0; i < NM; i++)
			round_with(&w->agg, &w->m[i], now + pass);
	assert_int_equal(w->agg.sa.published, 1);
	assert_true(fedsum_of(&w->agg, &d));
	assert_int_equal(d.body.fedsum.n_included, NM);
	proto_doc_fini(&d);
	for (int i = 0; i < NM; i++) {
		round_with(&w->m[i], &w->agg, now + 10);
		assert_true(fedsum_of(&w->m[i], &d));
		proto_doc_fini(&d);
	}
	proto_keypair_free(old);
}

static void test_members_refuse_what_they_must(void **state)
{
	struct world *w = *state;
	struct ls_sync_msg err;
	uint8_t *req, *rep;
	size_t req_len, rep_len;
	uint64_t served;

	open_round(w);
	request_for(w, 0, T0 + 3 * WAIT, &req, &req_len);
	/* From a municipality, not the association: denied. */
	assert_int_equal(w->m[0].sa.ext.serve_cb(&w->m[0].sa, "bornem",
	                                         T0 + 3 * WAIT, req, req_len,
	                                         &rep, &rep_len),
	                 LS_OK);
	assert_int_equal(proto_sync_decode(rep, rep_len, &err, NULL), LS_OK);
	assert_int_equal(err.type, LS_SYNC_ERROR);
	assert_int_equal(proto_wire_code_to_err(err.code), LS_EDENIED);
	proto_sync_msg_fini(&err);
	ls_free(rep);
	assert_int_equal(w->m[0].sa.refused, 1);
	/* With secure aggregation off: denied as well. */
	node_sync_set_ext(&w->m[1].ns, NULL);
	node_secagg_sync_fini(&w->m[1].sa);
	secagg_open(w, &w->m[1], 0, 0, T0);
	assert_int_equal(w->m[1].sa.ext.serve_cb(&w->m[1].sa, "vvsg",
	                                         T0 + 3 * WAIT, req, req_len,
	                                         &rep, &rep_len),
	                 LS_OK);
	assert_int_equal(proto_sync_decode(rep, rep_len, &err, NULL), LS_OK);
	assert_int_equal(proto_wire_code_to_err(err.code), LS_EDENIED);
	proto_sync_msg_fini(&err);
	ls_free(rep);
	/* A sync message is not the extension's. */
	{
		struct ls_sync_msg m;
		uint8_t *plain;
		size_t plain_len;
		proto_sync_msg_init(&m, LS_SYNC_VV_REQ);
		assert_int_equal(proto_sync_encode(&m, &plain, &plain_len, NULL),
		                 LS_OK);
		served = w->m[0].sa.served;
		assert_int_equal(w->m[0].sa.ext.serve_cb(&w->m[0].sa, "vvsg",
		                                         T0, plain, plain_len,
		                                         &rep, &rep_len),
		                 LS_ENOTFOUND);
		assert_int_equal(w->m[0].sa.served, served);
		ls_free(plain);
	}
	/* Truncated: a decode error, answered, nothing taken. */
	assert_int_equal(w->m[0].sa.ext.serve_cb(&w->m[0].sa, "vvsg",
	                                         T0 + 3 * WAIT, req,
	                                         req_len - 1, &rep, &rep_len),
	                 LS_OK);
	assert_int_equal(proto_sync_decode(rep, rep_len, &err, NULL), LS_OK);
	assert_int_equal(proto_wire_code_to_err(err.code), LS_EDECODE);
	proto_sync_msg_fini(&err);
	ls_free(rep);
	ls_free(req);
}

static void test_fedsum_check(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	struct ls_errinfo e;
	uint64_t uncounted = 7;

	proto_doc_init(&d, LS_DOC_FEDSUM);
	fx_fedsum(&d.body.fedsum);
	d.body.fedsum.persons_cap = 20;
	assert_int_equal(node_secagg_fedsum_check(&w->m[0].trust,
	                                          &d.body.fedsum, T0, &uncounted,
	                                          &e),
	                 LS_OK);
	assert_int_equal(uncounted, 0);
	/* The association itself in the total: no municipality. */
	strcpy(d.body.fedsum.included[d.body.fedsum.n_included - 1], "vvsg");
	assert_int_equal(node_secagg_fedsum_check(&w->m[0].trust,
	                                          &d.body.fedsum, T0, &uncounted,
	                                          &e),
	                 LS_EDENIED);
	strcpy(d.body.fedsum.included[d.body.fedsum.n_included - 1], "zz");
	assert_int_equal(node_secagg_fedsum_check(&w->m[0].trust,
	                                          &d.body.fedsum, T0, &uncounted,
	                                          &e),
	                 LS_EDENIED);
	proto_doc_fini(&d);
	proto_doc_init(&d, LS_DOC_FEDSUM);
	fx_fedsum(&d.body.fedsum);
	d.body.fedsum.persons_cap = 3;
	assert_int_equal(node_secagg_fedsum_check(&w->m[0].trust,
	                                          &d.body.fedsum, T0, &uncounted,
	                                          &e),
	                 LS_EPOLICY);
	proto_doc_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_completes_and_spreads,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_late_contribution_is_refused,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_restarted_aggregator_resumes_the_round, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_aggregator_restarted_on_a_new_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_aggregator_key_changes_mid_round, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_members_refuse_what_they_must,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fedsum_check, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
