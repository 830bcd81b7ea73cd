/*
 * proto/session and proto/replay: requests and replies round-trip between
 * two members; every way a request can be wrong is refused with its own
 * code (another node's request, outside the clock window, unknown,
 * revoked, expired or departed sender, tampering, impersonation); the
 * replay guard tells a resend from a replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proto/replay.h"
#include "proto/session.h"
#include "tests/fixture.h"

struct world {
	struct ls_roster roster;
	struct ls_keypair *gent_kp, *kortrijk_kp;
	struct proto_session_self *gent, *kortrijk;
};

static const uint8_t hello[] = "digest please";

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	fx_roster(&w->roster);
	w->gent_kp = fx_key("gent");
	w->kortrijk_kp = fx_key("kortrijk");
	if (proto_session_self_new(w->gent_kp, &w->gent) != LS_OK ||
	    proto_session_self_new(w->kortrijk_kp, &w->kortrijk) != LS_OK)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	proto_session_self_free(w->gent);
	proto_session_self_free(w->kortrijk);
	proto_keypair_free(w->gent_kp);
	proto_keypair_free(w->kortrijk_kp);
	proto_roster_fini(&w->roster);
	free(w);
	return 0;
}

/* A request from the TEST key `from` to kortrijk, stamped ts. */
static uint8_t *request_from(struct world *w, const char *from, int64_t ts,
                             size_t *len, struct proto_session_call **call)
{
	struct ls_keypair *kp = fx_key(from);
	struct proto_session_self *self;
	uint8_t *out;
	assert_int_equal(proto_session_self_new(kp, &self), LS_OK);
	assert_int_equal(proto_session_seal_request(
	                     self, w->kortrijk_kp->key_id, w->kortrijk_kp->pk,
	                     ts, hello, sizeof hello, &out, len, call),
	                 LS_OK);
	proto_session_self_free(self);
	proto_keypair_free(kp);
	return out;
}

/* kortrijk opens msg at now and must refuse it with want, returning
 * nothing. */
static void expect_refused(struct world *w,
                           const struct proto_session_self *self,
                           const uint8_t *msg, size_t len, int64_t now,
                           int want)
{
	struct ls_session_request info;
	uint8_t *plain = (uint8_t *)"untouched";
	size_t plain_len = 7;
	struct proto_session_reply *reply = NULL;
	struct ls_errinfo e;
	ls_errinfo_clear(&e);
	assert_int_equal(proto_session_open_request(self, &w->roster, now, msg,
	                                            len, &info, &plain,
	                                            &plain_len, &reply, &e),
	                 want);
	assert_int_equal(e.code, want);
	assert_true(strlen(e.msg) > 0);
	assert_string_equal((char *)plain, "untouched");
	assert_int_equal(plain_len, 7);
	assert_null(reply);
}

static void test_request_and_reply_round_trip(void **state)
{
	struct world *w = *state;
	struct proto_session_call *call;
	struct proto_session_reply *reply;
	struct ls_session_request info;
	uint8_t *req, *plain, *rep, *back;
	size_t req_len, plain_len, rep_len, back_len;
	struct ls_errinfo e;
	static const uint8_t answer[] = "here is my digest";

	req = request_from(w, "gent", FX_NOW, &req_len, &call);
	assert_int_equal(proto_session_frame_kind(req, req_len),
	                 LS_SESSION_REQUEST);
	assert_int_equal(proto_session_open_request(
	                     w->kortrijk, &w->roster, FX_NOW + 5, req, req_len,
	                     &info, &plain, &plain_len, &reply, &e),
	                 LS_OK);
	assert_int_equal(plain_len, sizeof hello);
	assert_memory_equal(plain, hello, sizeof hello);
	assert_string_equal(info.sender, "gent");
	assert_memory_equal(info.sender_key_id, w->gent_kp->key_id,
	                    LS_KEY_ID_BYTES);
	assert_int_equal(info.ts, FX_NOW);
	ls_free(plain);

	assert_int_equal(proto_session_seal_reply(reply, answer, sizeof answer,
	                                          &rep, &rep_len),
	                 LS_OK);
	assert_int_equal(proto_session_frame_kind(rep, rep_len),
	                 LS_SESSION_REPLY);
	assert_int_equal(
	    proto_session_open_reply(call, rep, rep_len, &back, &back_len, &e),
	    LS_OK);
	assert_int_equal(back_len, sizeof answer);
	assert_memory_equal(back, answer, sizeof answer);
	ls_free(back);

	/* a tampered reply, or one for another call, is refused */
	{
		struct proto_session_call *other;
		uint8_t *req2;
		size_t req2_len;
		req2 = request_from(w, "gent", FX_NOW, &req2_len, &other);
		assert_int_equal(proto_session_open_reply(other, rep, rep_len,
		                                          &back, &back_len, &e),
		                 LS_EDENIED);
		proto_session_call_free(other);
		ls_free(req2);
		rep[rep_len - 1] ^= 1;
		assert_int_equal(proto_session_open_reply(call, rep, rep_len,
		                                          &back, &back_len, &e),
		                 LS_ESIG);
		rep[rep_len - 1] ^= 1;
		rep[rep_len - 40] ^= 1; /* inside the ephemeral F */
		assert_int_equal(proto_session_open_reply(call, rep, rep_len,
		                                          &back, &back_len, &e),
		                 LS_ESIG);
	}
	/* an empty plaintext is fine too */
	ls_free(rep);
	assert_int_equal(
	    proto_session_seal_reply(reply, NULL, 0, &rep, &rep_len), LS_OK);
	assert_int_equal(
	    proto_session_open_reply(call, rep, rep_len, &back, &back_len, &e),
	    LS_OK);
	assert_int_equal(back_len, 0);
	ls_free(back);
	ls_free(rep);
	proto_session_reply_free(reply);
	proto_session_call_free(call);
	ls_free(req);
}

static void test_refused_requests(void **state)
{
	struct world *w = *state;
	struct proto_session_call *call;
	struct ls_keypair *kp = fx_key("roeselare");
	struct proto_session_self *roeselare;
	uint8_t *req;
	size_t len;
	struct {
		const char *from;
		int64_t ts, now;
		int want;
	} cases[] = {
	    {"gent", FX_NOW - LS_SESSION_WINDOW, FX_NOW, LS_OK},
	    {"gent", FX_NOW + LS_SESSION_WINDOW, FX_NOW, LS_OK},
	    {"gent", FX_NOW - LS_SESSION_WINDOW - 1, FX_NOW, LS_EREPLAY},
	    {"gent", FX_NOW + LS_SESSION_WINDOW + 1, FX_NOW, LS_EREPLAY},
	    {"intruder", FX_NOW, FX_NOW, LS_EKEY},
	    {"roeselare-stolen", FX_NOW, FX_NOW, LS_EREVOKED},
	    {"roeselare-stolen", FX_T_REVOKE - 10, FX_T_REVOKE - 10, LS_OK},
	    {"gent-2025a", FX_NOW, FX_NOW, LS_EEXPIRED},
	    {"mortsel", FX_NOW, FX_NOW, LS_EREVOKED},
	    {"mortsel", FX_T_LEFT - 10, FX_T_LEFT - 10, LS_OK},
	    {"federation", FX_NOW, FX_NOW, LS_EDENIED},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		req = request_from(w, cases[i].from, cases[i].ts, &len, &call);
		if (cases[i].want == LS_OK) {
			struct ls_session_request info;
			struct proto_session_reply *reply;
			uint8_t *plain;
			size_t plain_len;
			struct ls_errinfo e;
			int rc = proto_session_open_request(
			    w->kortrijk, &w->roster, cases[i].now, req, len,
			    &info, &plain, &plain_len, &reply, &e);
			if (rc != LS_OK)
				fail_msg("case %zu: %s", i, e.msg);
			ls_free(plain);
			proto_session_reply_free(reply);
		} else {
			expect_refused(w, w->kortrijk, req, len, cases[i].now,
			               cases[i].want);
		}
		proto_session_call_free(call);
		ls_free(req);
	}

	/* a request for kortrijk, received by roeselare */
	assert_int_equal(proto_session_self_new(kp, &roeselare), LS_OK);
	req = request_from(w, "gent", FX_NOW, &len, &call);
	expect_refused(w, roeselare, req, len, FX_NOW, LS_EDENIED);
	proto_session_call_free(call);
	ls_free(req);
	proto_session_self_free(roeselare);
	proto_keypair_free(kp);
}

static void test_tampering_and_impersonation(void **state)
{
	struct world *w = *state;
	struct proto_session_call *call;
	uint8_t *req, *bad;
	size_t len;

	req = request_from(w, "gent", FX_NOW, &len, &call);
	bad = malloc(len + 1);
	/* any bit of the header (here the timestamp's lowest byte, the
	 * nonce, the ephemeral) or the ciphertext */
	{
		size_t ts_at = 1 + 1 + 1 + 10 + 10 + 4; /* int32 payload end */
		size_t offsets[] = {ts_at, 30, 60, len - 20, len - 1};
		for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
			memcpy(bad, req, len);
			bad[offsets[i]] ^= 0x01;
			expect_refused(w, w->kortrijk, bad, len, FX_NOW,
			               LS_ESIG);
		}
	}
	/* a trailing byte, every truncation */
	memcpy(bad, req, len);
	bad[len] = 0;
	expect_refused(w, w->kortrijk, bad, len + 1, FX_NOW, LS_EDECODE);
	for (size_t cut = 0; cut < len; cut++) {
		struct ls_session_request info;
		uint8_t *plain;
		size_t plain_len;
		struct proto_session_reply *reply;
		assert_int_not_equal(
		    proto_session_open_request(w->kortrijk, &w->roster, FX_NOW,
		                               req, cut, &info, &plain,
		                               &plain_len, &reply, NULL),
		    LS_OK);
	}
	/* a reply frame where a request belongs, a version 2 frame */
	memcpy(bad, req, len);
	bad[2] = LS_SESSION_REPLY;
	expect_refused(w, w->kortrijk, bad, len, FX_NOW, LS_EDECODE);
	memcpy(bad, req, len);
	bad[1] = 2;
	expect_refused(w, w->kortrijk, bad, len, FX_NOW, LS_EDECODE);
	proto_session_call_free(call);
	ls_free(req);

	/* an outsider claiming gent's key id cannot compute ss */
	{
		struct ls_keypair *evil = fx_key("intruder");
		struct proto_session_self *self;
		memcpy(evil->key_id, w->gent_kp->key_id, LS_KEY_ID_BYTES);
		assert_int_equal(proto_session_self_new(evil, &self), LS_OK);
		assert_int_equal(proto_session_seal_request(
		                     self, w->kortrijk_kp->key_id,
		                     w->kortrijk_kp->pk, FX_NOW, hello,
		                     sizeof hello, &req, &len, &call),
		                 LS_OK);
		expect_refused(w, w->kortrijk, req, len, FX_NOW, LS_ESIG);
		proto_session_call_free(call);
		proto_session_self_free(self);
		proto_keypair_free(evil);
		ls_free(req);
	}
	free(bad);
}

static void test_limits_and_refusals(void **state)
{
	struct world *w = *state;
	struct proto_session_call *call;
	uint8_t *big = calloc(1, LS_SESSION_MSG_MAX + 1), *out, *plain;
	size_t len, plain_len;
	struct ls_errinfo e;

	assert_int_equal(
	    proto_session_seal_request(w->gent, w->kortrijk_kp->key_id,
	                               w->kortrijk_kp->pk, FX_NOW, big,
	                               LS_SYNC_MSG_MAX + 1, &out, &len, &call),
	    LS_ELIMIT);
	expect_refused(w, w->kortrijk, big, LS_SESSION_MSG_MAX + 1, FX_NOW,
	               LS_ELIMIT);
	free(big);

	/* an unauthenticated refusal reaches the client as a code */
	out = request_from(w, "gent", FX_NOW, &len, &call);
	ls_free(out);
	assert_int_equal(
	    proto_session_encode_refusal(LS_EREPLAY, FX_NOW, &out, &len),
	    LS_OK);
	assert_int_equal(proto_session_frame_kind(out, len),
	                 LS_SESSION_REFUSAL);
	assert_int_equal(
	    proto_session_open_reply(call, out, len, &plain, &plain_len, &e),
	    LS_EREPLAY);
	assert_non_null(strstr(e.msg, "unauthenticated"));
	ls_free(out);
	assert_int_equal(
	    proto_session_encode_refusal(LS_OK, FX_NOW, &out, &len), LS_OK);
	assert_int_equal(
	    proto_session_open_reply(call, out, len, &plain, &plain_len, &e),
	    LS_EINTERNAL);
	ls_free(out);
	assert_int_equal(proto_session_frame_kind((const uint8_t *)"x", 1), 0);
	proto_session_call_free(call);
}

static void test_sealing_is_deterministic_given_randomness(void **state)
{
	struct world *w = *state;
	uint8_t eph[32], nonce[24], *a, *b;
	size_t alen, blen;
	struct proto_session_call *ca, *cb;
	memset(eph, 7, sizeof eph);
	memset(nonce, 9, sizeof nonce);
	assert_int_equal(proto_session_seal_request_with(
	                     w->gent, w->kortrijk_kp->key_id,
	                     w->kortrijk_kp->pk, FX_NOW, hello, sizeof hello,
	                     eph, nonce, &a, &alen, &ca),
	                 LS_OK);
	assert_int_equal(proto_session_seal_request_with(
	                     w->gent, w->kortrijk_kp->key_id,
	                     w->kortrijk_kp->pk, FX_NOW, hello, sizeof hello,
	                     eph, nonce, &b, &blen, &cb),
	                 LS_OK);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	ls_free(a);
	ls_free(b);
	proto_session_call_free(ca);
	proto_session_call_free(cb);
}

/* Open a request at now (must succeed). */
static void open_ok(struct world *w, const uint8_t *req, size_t len,
                    int64_t now, struct ls_session_request *info)
{
	uint8_t *plain;
	size_t plain_len;
	struct proto_session_reply *reply;
	assert_int_equal(proto_session_open_request(w->kortrijk, &w->roster,
	                                            now, req, len, info, &plain,
	                                            &plain_len, &reply, NULL),
	                 LS_OK);
	ls_free(plain);
	proto_session_reply_free(reply);
}

static void test_replay_guard(void **state)
{
	struct world *w = *state;
	struct proto_replay *g;
	struct proto_session_call *call, *call2;
	struct ls_session_request info, info2;
	uint8_t *req, *req2, eph[32], nonce[24];
	size_t len, len2, clen;
	const uint8_t *cached;
	int verdict;
	static const uint8_t sealed_reply[] = "sealed reply bytes";

	assert_int_equal(proto_replay_new(2, 64, &g), LS_OK);
	memset(eph, 1, sizeof eph);
	memset(nonce, 2, sizeof nonce);
	assert_int_equal(proto_session_seal_request_with(
	                     w->gent, w->kortrijk_kp->key_id,
	                     w->kortrijk_kp->pk, FX_NOW, hello, sizeof hello,
	                     eph, nonce, &req, &len, &call),
	                 LS_OK);
	open_ok(w, req, len, FX_NOW, &info);
	assert_int_equal(
	    proto_replay_check(g, &info, FX_NOW, &verdict, &cached, &clen),
	    LS_OK);
	assert_int_equal(verdict, PROTO_REPLAY_NEW);
	/* nng resends the same bytes: a resend, no cached reply yet */
	open_ok(w, req, len, FX_NOW + 2, &info);
	assert_int_equal(
	    proto_replay_check(g, &info, FX_NOW + 2, &verdict, &cached, &clen),
	    LS_OK);
	assert_int_equal(verdict, PROTO_REPLAY_RESEND);
	assert_null(cached);
	/* with the reply remembered, the resend gets it back */
	assert_int_equal(proto_replay_remember_reply(g, &info, sealed_reply,
	                                             sizeof sealed_reply),
	                 LS_OK);
	assert_int_equal(
	    proto_replay_check(g, &info, FX_NOW + 3, &verdict, &cached, &clen),
	    LS_OK);
	assert_int_equal(verdict, PROTO_REPLAY_RESEND);
	assert_int_equal(clen, sizeof sealed_reply);
	assert_memory_equal(cached, sealed_reply, clen);
	assert_int_equal(proto_replay_reply_bytes(g), sizeof sealed_reply);
	/* the same nonce with other bytes: a replay */
	assert_int_equal(
	    proto_session_seal_request_with(
	        w->gent, w->kortrijk_kp->key_id, w->kortrijk_kp->pk, FX_NOW + 1,
	        hello, sizeof hello - 1, eph, nonce, &req2, &len2, &call2),
	    LS_OK);
	open_ok(w, req2, len2, FX_NOW, &info2);
	assert_int_equal(
	    proto_replay_check(g, &info2, FX_NOW, &verdict, &cached, &clen),
	    LS_EREPLAY);
	proto_session_call_free(call2);
	ls_free(req2);
	/* a reply over the budget is not kept */
	{
		uint8_t big[100] = {0};
		assert_int_equal(
		    proto_replay_remember_reply(g, &info, big, sizeof big),
		    LS_ELIMIT);
	}
	/* a request too old for the window */
	info2 = info;
	info2.nonce[0] ^= 1;
	assert_int_equal(proto_replay_check(g, &info2,
	                                    info.ts + LS_SESSION_WINDOW + 1,
	                                    &verdict, &cached, &clen),
	                 LS_EREPLAY);
	/* full of live entries: busy; once they age out: room again */
	info2 = info;
	info2.nonce[0] ^= 1;
	assert_int_equal(
	    proto_replay_check(g, &info2, FX_NOW, &verdict, &cached, &clen),
	    LS_OK);
	assert_int_equal(proto_replay_entries(g), 2);
	info2.nonce[0] ^= 2;
	assert_int_equal(
	    proto_replay_check(g, &info2, FX_NOW, &verdict, &cached, &clen),
	    LS_EBUSY);
	info2.ts = FX_NOW + LS_SESSION_WINDOW + 1;
	assert_int_equal(proto_replay_check(g, &info2,
	                                    FX_NOW + LS_SESSION_WINDOW + 1,
	                                    &verdict, &cached, &clen),
	                 LS_OK);
	assert_int_equal(verdict, PROTO_REPLAY_NEW);
	assert_int_equal(proto_replay_entries(g), 1);
	assert_int_equal(proto_replay_reply_bytes(g), 0);
	/* the forgotten request would be refused as stale anyway */
	assert_int_equal(proto_replay_check(g, &info,
	                                    FX_NOW + LS_SESSION_WINDOW + 1,
	                                    &verdict, &cached, &clen),
	                 LS_EREPLAY);
	assert_int_equal(proto_replay_remember_reply(g, &info, sealed_reply, 4),
	                 LS_ENOTFOUND);
	proto_replay_free(g);
	proto_session_call_free(call);
	ls_free(req);
}

static void test_replay_guard_grows_and_sweeps(void **state)
{
	struct proto_replay *g;
	struct ls_session_request info;
	const uint8_t *cached;
	size_t clen;
	int verdict;
	(void)state;
	memset(&info, 0, sizeof info);
	info.ts = FX_NOW;
	assert_int_equal(proto_replay_new(1000, 0, &g), LS_OK);
	for (int i = 0; i < 1000; i++) {
		memcpy(info.nonce, &i, sizeof i);
		assert_int_equal(proto_replay_check(g, &info, FX_NOW, &verdict,
		                                    &cached, &clen),
		                 LS_OK);
		assert_int_equal(verdict, PROTO_REPLAY_NEW);
	}
	for (int i = 0; i < 1000; i++) {
		memcpy(info.nonce, &i, sizeof i);
		assert_int_equal(proto_replay_check(g, &info, FX_NOW, &verdict,
		                                    &cached, &clen),
		                 LS_OK);
		assert_int_equal(verdict, PROTO_REPLAY_RESEND);
	}
	assert_int_equal(proto_replay_entries(g), 1000);
	/* allocation failure while growing: refused, nothing recorded */
	proto_replay_free(g);
	assert_int_equal(proto_replay_new(1000, 0, &g), LS_OK);
	for (int i = 0; i < 64; i++) {
		memcpy(info.nonce, &i, sizeof i);
		assert_int_equal(proto_replay_check(g, &info, FX_NOW, &verdict,
		                                    &cached, &clen),
		                 LS_OK);
	}
	ls_alloc_fail_nth(1);
	info.nonce[10] = 1;
	assert_int_equal(
	    proto_replay_check(g, &info, FX_NOW, &verdict, &cached, &clen),
	    LS_ENOMEM);
	ls_alloc_fail_nth(0);
	assert_int_equal(proto_replay_entries(g), 64);
	proto_replay_free(g);
	assert_int_equal(proto_replay_new(0, 0, &g), LS_EINVAL);
}

static void test_allocation_failures_unwind(void **state)
{
	struct world *w = *state;
	struct proto_session_call *call;
	uint8_t *req;
	size_t len;
	long count;
	struct ls_session_request info;

	req = request_from(w, "gent", FX_NOW, &len, &call);
	ls_alloc_fail_nth(0);
	open_ok(w, req, len, FX_NOW, &info);
	count = ls_alloc_fail_nth(0);
	assert_true(count >= 1);
	for (long n = 1; n <= count; n++) {
		uint8_t *plain = NULL;
		size_t plain_len = 0;
		struct proto_session_reply *reply = NULL;
		int rc;
		ls_alloc_fail_nth(n);
		rc = proto_session_open_request(w->kortrijk, &w->roster, FX_NOW,
		                                req, len, &info, &plain,
		                                &plain_len, &reply, NULL);
		ls_alloc_fail_nth(0);
		assert_int_equal(rc, LS_ENOMEM);
		assert_null(plain);
		assert_null(reply);
	}
	for (long n = 1; n <= 3; n++) {
		uint8_t *out = NULL;
		struct proto_session_call *c2 = NULL;
		int rc;
		ls_alloc_fail_nth(n);
		rc = proto_session_seal_request(
		    w->gent, w->kortrijk_kp->key_id, w->kortrijk_kp->pk, FX_NOW,
		    hello, sizeof hello, &out, &len, &c2);
		ls_alloc_fail_nth(0);
		if (rc == LS_OK) {
			ls_free(out);
			proto_session_call_free(c2);
			break;
		}
		assert_int_equal(rc, LS_ENOMEM);
		assert_null(out);
		assert_null(c2);
	}
	proto_session_call_free(call);
	ls_free(req);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_request_and_reply_round_trip),
	    T(test_refused_requests),
	    T(test_tampering_and_impersonation),
	    T(test_limits_and_refusals),
	    T(test_sealing_is_deterministic_given_randomness),
	    T(test_replay_guard),
	    T(test_replay_guard_grows_and_sweeps),
	    T(test_allocation_failures_unwind),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
