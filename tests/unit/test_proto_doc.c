/*
 * proto/doc: every document type round-trips through sign and verify;
 * every rejection path returns a clear error and leaves the output alone;
 * the feed chain, forks and fork proofs; the unknown-field rule;
 * allocation failures unwind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "proto/body.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "proto/mp.h"
#include "tests/fixture.h"

struct world {
	struct ls_roster roster;
	struct ls_trust trust;
	struct ls_keypair *fed;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	fx_roster(&w->roster);
	w->fed = fx_key("federation");
	w->trust.roster = &w->roster;
	w->trust.federation = FX_FEDERATION;
	w->trust.anchor_pk = w->fed->pk;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	proto_roster_fini(&w->roster);
	proto_keypair_free(w->fed);
	free(w);
	return 0;
}

/* A document of each type with its body filled in. */
static void make_doc(struct ls_doc *d, enum ls_doc_type type,
                     const char *origin)
{
	proto_doc_init(d, type);
	strcpy(d->hdr.origin, origin);
	switch (type) {
	case LS_DOC_ROSTER:
		fx_roster(&d->body.roster);
		break;
	case LS_DOC_TAXONOMY:
		fx_taxonomy(&d->body.taxonomy);
		break;
	case LS_DOC_POLICY:
		fx_policy(&d->body.policy);
		break;
	case LS_DOC_SUMMARY:
		fx_summary(&d->body.summary, origin, 2025, 10, 160, 11);
		break;
	case LS_DOC_STATUS:
		fx_status(&d->body.status, 5);
		break;
	case LS_DOC_DOSSIER_NOTE:
		fx_note(&d->body.note);
		break;
	case LS_DOC_FEDSUM:
		fx_fedsum(&d->body.fedsum);
		break;
	}
}

/* Sign d as the first document of its feed. */
static uint8_t *sign_first(struct ls_doc *d, int64_t created, const char *key,
                           size_t *len)
{
	struct ls_feed_head head = {0};
	return fx_sign(d, &head, created, key, len);
}

/* The payload inside an envelope. */
static void payload_of(const uint8_t *env, size_t len, const uint8_t **p,
                       size_t *plen)
{
	struct ls_envelope e;
	assert_int_equal(proto_envelope_decode(env, len, &e, NULL), LS_OK);
	*p = e.payload;
	*plen = e.payload_len;
}

/* Sign, verify, and check that the decoded document encodes to the very
 * same payload bytes (nothing lost, nothing invented). */
static void round_trip(struct world *w, enum ls_doc_type type,
                       const char *origin, const char *key)
{
	struct ls_doc d, out;
	struct ls_doc_info info;
	struct ls_errinfo e;
	uint8_t *env, *again;
	const uint8_t *payload;
	size_t len, plen, again_len;
	uint8_t hash[LS_HASH_BYTES];

	make_doc(&d, type, origin);
	env = sign_first(&d, FX_NOW - 3600, key, &len);
	assert_int_equal(
	    proto_doc_verify(&w->trust, env, len, FX_NOW, &out, &info, &e),
	    LS_OK);
	assert_int_equal(out.hdr.type, type);
	assert_string_equal(out.hdr.origin, origin);
	assert_int_equal(out.hdr.seq, 1);
	assert_int_equal(out.hdr.created, FX_NOW - 3600);
	payload_of(env, len, &payload, &plen);
	assert_int_equal(info.payload_len, plen);
	assert_ptr_equal(env + info.payload_off, payload);
	proto_doc_hash(payload, plen, hash);
	assert_memory_equal(info.hash, hash, LS_HASH_BYTES);
	assert_int_equal(proto_doc_encode_payload(&out, &again, &again_len, &e),
	                 LS_OK);
	assert_int_equal(again_len, plen);
	assert_memory_equal(again, payload, plen);
	ls_free(again);
	ls_free(env);
	proto_doc_fini(&out);
	proto_doc_fini(&d);
}

static void test_every_type_round_trips(void **state)
{
	struct world *w = *state;
	round_trip(w, LS_DOC_ROSTER, FX_FEDERATION, "federation");
	round_trip(w, LS_DOC_TAXONOMY, FX_FEDERATION, "federation");
	round_trip(w, LS_DOC_POLICY, FX_FEDERATION, "federation");
	round_trip(w, LS_DOC_SUMMARY, "kortrijk", "kortrijk");
	round_trip(w, LS_DOC_STATUS, "vvsg", "vvsg");
	round_trip(w, LS_DOC_STATUS, "eeklo", "eeklo");
	round_trip(w, LS_DOC_DOSSIER_NOTE, "gent", "gent");
	round_trip(w, LS_DOC_FEDSUM, "vvsg", "vvsg");
}

static void test_summary_fields_survive(void **state)
{
	struct world *w = *state;
	struct ls_doc d, out;
	uint8_t *env;
	size_t len;
	const struct ls_summary *a, *b;

	make_doc(&d, LS_DOC_SUMMARY, "gent");
	/* a correction, with a noisy-mode-free threshold summary */
	d.body.summary.supersedes_seq = 0;
	env = sign_first(&d, FX_NOW - 60, "gent", &len);
	assert_int_equal(
	    proto_doc_verify(&w->trust, env, len, FX_NOW, &out, NULL, NULL),
	    LS_OK);
	a = &d.body.summary;
	b = &out.body.summary;
	assert_string_equal(b->origin, "gent");
	assert_memory_equal(&a->period, &b->period, sizeof a->period);
	assert_memory_equal(&a->params, &b->params, sizeof a->params);
	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		assert_int_equal(a->tables[t].n_rows, b->tables[t].n_rows);
		for (size_t i = 0; i < a->tables[t].n_rows; i++) {
			const struct ls_summary_row *x = &a->tables[t].rows[i];
			const struct ls_summary_row *y = &b->tables[t].rows[i];
			assert_string_equal(x->theme, y->theme);
			assert_string_equal(x->other, y->other);
			assert_int_equal(x->signals.kind, y->signals.kind);
			assert_int_equal(x->signals.lo, y->signals.lo);
			assert_int_equal(x->signals.hi, y->signals.hi);
			if (x->signals.kind == LS_CELL_EXACT)
				assert_int_equal(x->signals.value,
				                 y->signals.value);
		}
	}
	assert_int_equal(a->n_recurrence, b->n_recurrence);
	ls_free(env);
	proto_doc_fini(&out);
	proto_doc_fini(&d);
}

static void test_range_cells_never_carry_their_value(void **state)
{
	struct world *w = *state;
	struct ls_doc d, out;
	uint8_t *env;
	size_t len;
	struct ls_summary_row *row = NULL;

	make_doc(&d, LS_DOC_SUMMARY, "gent");
	for (size_t i = 0; i < d.body.summary.tables[1].n_rows; i++)
		if (d.body.summary.tables[1].rows[i].signals.kind ==
		    LS_CELL_RANGE) {
			row = &d.body.summary.tables[1].rows[i];
			break;
		}
	assert_non_null(row);
	/* a careless producer leaves the true count in `value` */
	row->signals.value = 3;
	env = sign_first(&d, FX_NOW - 60, "gent", &len);
	assert_int_equal(
	    proto_doc_verify(&w->trust, env, len, FX_NOW, &out, NULL, NULL),
	    LS_OK);
	for (size_t i = 0; i < out.body.summary.tables[1].n_rows; i++)
		if (out.body.summary.tables[1].rows[i].signals.kind ==
		    LS_CELL_RANGE)
			assert_int_equal(
			    out.body.summary.tables[1].rows[i].signals.value,
			    0);
	ls_free(env);
	proto_doc_fini(&out);
	proto_doc_fini(&d);
}

/* Verify must fail with `want`, and leave *out exactly as it was. */
static void expect_refused(const struct ls_trust *t, const uint8_t *env,
                           size_t len, int64_t now, int want)
{
	struct ls_doc out;
	struct ls_doc_info info;
	struct ls_errinfo e;
	uint8_t pattern[sizeof out];
	memset(&out, 0xab, sizeof out);
	memset(&info, 0xab, sizeof info);
	memset(pattern, 0xab, sizeof pattern);
	ls_errinfo_clear(&e);
	assert_int_equal(proto_doc_verify(t, env, len, now, &out, &info, &e),
	                 want);
	assert_int_equal(e.code, want);
	assert_true(strlen(e.msg) > 0);
	assert_memory_equal(&out, pattern, sizeof out);
	assert_memory_equal(&info, pattern, sizeof info);
}

static void expect_accepted(const struct ls_trust *t, const uint8_t *env,
                            size_t len, int64_t now)
{
	struct ls_doc out;
	struct ls_errinfo e;
	int rc = proto_doc_verify(t, env, len, now, &out, NULL, &e);
	if (rc != LS_OK)
		fail_msg("refused: %s", e.msg);
	proto_doc_fini(&out);
}

static void test_damaged_envelopes_are_refused(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	uint8_t *env, *bad;
	size_t len;

	make_doc(&d, LS_DOC_STATUS, "kortrijk");
	env = sign_first(&d, FX_NOW - 60, "kortrijk", &len);
	expect_accepted(&w->trust, env, len, FX_NOW);
	bad = malloc(len + 1);

	/* every truncation */
	for (size_t cut = 0; cut < len; cut++) {
		struct ls_doc out;
		memset(&out, 0, sizeof out);
		assert_int_not_equal(proto_doc_verify(&w->trust, env, cut,
		                                      FX_NOW, &out, NULL, NULL),
		                     LS_OK);
	}
	/* a trailing byte */
	memcpy(bad, env, len);
	bad[len] = 0xc0;
	expect_refused(&w->trust, bad, len + 1, FX_NOW, LS_EDECODE);
	/* the signature's last byte */
	memcpy(bad, env, len);
	bad[len - 1] ^= 0x01;
	expect_refused(&w->trust, bad, len, FX_NOW, LS_ESIG);
	/* a byte of the payload's status body (the uptime's last byte) */
	{
		struct ls_envelope ev;
		assert_int_equal(proto_envelope_decode(env, len, &ev, NULL),
		                 LS_OK);
		memcpy(bad, env, len);
		bad[ev.payload_off + ev.payload_len - 1] ^= 0x01;
		expect_refused(&w->trust, bad, len, FX_NOW, LS_ESIG);
		/* the key id: now an unknown key */
		memcpy(bad, env, len);
		bad[ev.payload_off - 4] ^= 0x01;
		expect_refused(&w->trust, bad, len, FX_NOW, LS_EKEY);
	}
	/* format version 2 */
	memcpy(bad, env, len);
	assert_int_equal(bad[1], 0x01);
	bad[1] = 0x02;
	expect_refused(&w->trust, bad, len, FX_NOW, LS_EDECODE);
	/* algorithm 9 */
	memcpy(bad, env, len);
	bad[2] = 0x09;
	expect_refused(&w->trust, bad, len, FX_NOW, LS_EDECODE);
	/* a str where the key id bin belongs */
	memcpy(bad, env, len);
	assert_int_equal(bad[3], 0xc4);
	bad[3] = 0xd9;
	expect_refused(&w->trust, bad, len, FX_NOW, LS_EDECODE);
	/* four elements instead of five */
	memcpy(bad, env, len);
	bad[0] = 0x94;
	expect_refused(&w->trust, bad, len, FX_NOW, LS_EDECODE);
	free(bad);
	ls_free(env);
	proto_doc_fini(&d);
}

static uint8_t *raw_payload(const struct ls_doc *d, size_t *len);

static void test_authenticate_is_steps_one_to_five(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	struct ls_doc_header h;
	struct ls_keypair *kp = fx_key("gent");
	uint8_t *env, *payload, *bad;
	size_t len, plen;

	make_doc(&d, LS_DOC_STATUS, "kortrijk");
	env = sign_first(&d, FX_NOW - 60, "kortrijk", &len);
	assert_int_equal(
	    proto_doc_authenticate(&w->trust, env, len, FX_NOW, &h, NULL),
	    LS_OK);
	assert_string_equal(h.origin, "kortrijk");
	assert_int_equal(h.type, LS_DOC_STATUS);
	bad = malloc(len);
	memcpy(bad, env, len);
	bad[len - 1] ^= 1;
	assert_int_equal(
	    proto_doc_authenticate(&w->trust, bad, len, FX_NOW, &h, NULL),
	    LS_ESIG);
	assert_int_equal(
	    proto_doc_authenticate(&w->trust, env, len - 1, FX_NOW, &h, NULL),
	    LS_EDECODE);
	free(bad);
	ls_free(env);
	proto_doc_fini(&d);
	/* a well-signed body that breaks its schema passes steps 1-5 only */
	make_doc(&d, LS_DOC_DOSSIER_NOTE, "gent");
	strcpy(d.body.note.headline, "Bel 0470");
	d.hdr.seq = 1;
	d.hdr.created = FX_NOW - 60;
	payload = raw_payload(&d, &plen);
	assert_int_equal(proto_envelope_sign(kp, payload, plen, &env, &len),
	                 LS_OK);
	assert_int_equal(
	    proto_doc_authenticate(&w->trust, env, len, FX_NOW, NULL, NULL),
	    LS_OK);
	expect_refused(&w->trust, env, len, FX_NOW, LS_EDECODE);
	ls_free(env);
	ls_free(payload);
	proto_keypair_free(kp);
	proto_doc_fini(&d);
}

static void test_oversized_envelope_and_payload(void **state)
{
	struct world *w = *state;
	uint8_t *big = calloc(1, LS_ENVELOPE_MAX + 16);
	uint8_t sig[LS_SIG_BYTES] = {0}, kid[LS_KEY_ID_BYTES] = {0};
	uint8_t *env;
	size_t len;
	expect_refused(&w->trust, big, LS_ENVELOPE_MAX + 1, FX_NOW, LS_ELIMIT);
	/* a payload bin that claims more than the limit */
	{
		uint8_t hdr[] = {0x95, 0x01, 0x01, 0xc4, 0x08, 0,
		                 0,    0,    0,    0,    0,    0,
		                 0,    0xc6, 0x00, 0x10, 0x00, 0x01};
		expect_refused(&w->trust, hdr, sizeof hdr, FX_NOW, LS_ELIMIT);
	}
	assert_int_equal(proto_envelope_encode(1, 1, kid, big,
	                                       LS_PAYLOAD_MAX + 1, sig, &env,
	                                       &len),
	                 LS_ELIMIT);
	free(big);
}

/* Sign a document of `type` for origin with `key` at (seq, created). */
static uint8_t *sign_at(enum ls_doc_type type, const char *origin,
                        const char *key, uint64_t seq, int64_t created,
                        size_t *len)
{
	struct ls_doc d;
	struct ls_feed_head head = {.seq = seq - 1};
	uint8_t *env;
	if (seq > 1)
		memset(head.hash, 0x11, sizeof head.hash);
	make_doc(&d, type, origin);
	env = fx_sign(&d, &head, created, key, len);
	proto_doc_fini(&d);
	return env;
}

static void test_keys_judged_at_creation_time(void **state)
{
	struct world *w = *state;
	uint8_t *env;
	size_t len;
	struct {
		const char *origin, *key;
		uint64_t seq;
		int64_t created;
		int want;
	} cases[] = {
	    /* rotated: the old key's documents stay valid */
	    {"gent", "gent-2025a", 5, FX_T_ROTATE - 1, LS_OK},
	    {"gent", "gent-2025a", 6, FX_T_ROTATE, LS_EEXPIRED},
	    {"gent", "gent", 6, FX_T_ROTATE, LS_OK},
	    {"gent", "gent", 1, FX_T_ROTATE - 1, LS_EEXPIRED},
	    /* expired long ago, and signed while valid */
	    {"eeklo", "eeklo-2024", 1, FX_T_BASE - 86400, LS_OK},
	    {"eeklo", "eeklo-2024", 2, FX_T_BASE + 86400, LS_EEXPIRED},
	    /* revoked: by time and by position */
	    {"roeselare", "roeselare-stolen", 3, FX_T_REVOKE - 1, LS_OK},
	    {"roeselare", "roeselare-stolen", 4, FX_T_REVOKE - 86400,
	     LS_EREVOKED},
	    {"roeselare", "roeselare-stolen", 2, FX_T_REVOKE, LS_EREVOKED},
	    {"roeselare", "roeselare", 4, FX_T_REVOKE + 1, LS_OK},
	    /* a member that left */
	    {"mortsel", "mortsel", 2, FX_T_LEFT - 1, LS_OK},
	    {"mortsel", "mortsel", 3, FX_T_LEFT, LS_EREVOKED},
	    /* the future, beyond the allowed skew */
	    {"kortrijk", "kortrijk", 1, FX_NOW + LS_CLOCK_SKEW, LS_OK},
	    {"kortrijk", "kortrijk", 1, FX_NOW + LS_CLOCK_SKEW + 1,
	     LS_EEXPIRED},
	    /* an unknown key */
	    {"kortrijk", "intruder", 1, FX_NOW - 1, LS_EKEY},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		env = sign_at(LS_DOC_STATUS, cases[i].origin, cases[i].key,
		              cases[i].seq, cases[i].created, &len);
		if (cases[i].want == LS_OK)
			expect_accepted(&w->trust, env, len, FX_NOW);
		else
			expect_refused(&w->trust, env, len, FX_NOW,
			               cases[i].want);
		ls_free(env);
	}
}

static void test_authors_and_roles(void **state)
{
	struct world *w = *state;
	uint8_t *env;
	size_t len;
	struct {
		enum ls_doc_type type;
		const char *origin, *key;
		int want;
	} cases[] = {
	    {LS_DOC_SUMMARY, "kortrijk", "gent", LS_EDENIED}, /* not its own */
	    {LS_DOC_SUMMARY, "vvsg", "vvsg", LS_EDENIED},     /* aggregator */
	    {LS_DOC_DOSSIER_NOTE, "vvsg", "vvsg", LS_EDENIED},
	    {LS_DOC_FEDSUM, "gent", "gent", LS_EDENIED}, /* aggregator's */
	    {LS_DOC_STATUS, "vvsg", "vvsg", LS_OK},
	    {LS_DOC_POLICY, "gent", "gent", LS_EDENIED}, /* federation's */
	    {LS_DOC_TAXONOMY, FX_FEDERATION, "gent", LS_EDENIED},
	    {LS_DOC_STATUS, FX_FEDERATION, "federation", LS_EDENIED},
	    {LS_DOC_POLICY, "gent", "federation", LS_EDENIED},
	    {LS_DOC_POLICY, FX_FEDERATION, "federation", LS_OK},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		env = sign_at(cases[i].type, cases[i].origin, cases[i].key, 1,
		              FX_NOW - 60, &len);
		if (cases[i].want == LS_OK)
			expect_accepted(&w->trust, env, len, FX_NOW);
		else
			expect_refused(&w->trust, env, len, FX_NOW,
			               cases[i].want);
		ls_free(env);
	}
}

static void test_first_roster_through_the_anchor(void **state)
{
	struct world *w = *state;
	struct ls_trust bare = {.roster = NULL,
	                        .federation = FX_FEDERATION,
	                        .anchor_pk = w->fed->pk};
	struct ls_doc d;
	uint8_t *env;
	size_t len;

	env = sign_at(LS_DOC_ROSTER, FX_FEDERATION, "federation", 1, FX_T_BASE,
	              &len);
	expect_accepted(&bare, env, len, FX_NOW);
	ls_free(env);
	/* before a roster, member documents have no known key */
	env = sign_at(LS_DOC_STATUS, "gent", "gent", 1, FX_NOW - 60, &len);
	expect_refused(&bare, env, len, FX_NOW, LS_EKEY);
	ls_free(env);
	/* nor does a roster signed by another key */
	env = sign_at(LS_DOC_ROSTER, FX_FEDERATION, "gent", 1, FX_T_BASE, &len);
	expect_refused(&bare, env, len, FX_NOW, LS_EKEY);
	ls_free(env);
	/* a first roster must list the anchor as a federation key */
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	fx_roster_key(&d.body.roster.fed_keys[0], "other-federation", FX_T_BASE,
	              0);
	assert_int_equal(proto_roster_index(&d.body.roster), LS_OK);
	env = sign_first(&d, FX_T_BASE, "federation", &len);
	expect_refused(&bare, env, len, FX_NOW, LS_EKEY);
	ls_free(env);
	proto_doc_fini(&d);
	/* another federation's id */
	bare.federation = "andere";
	env = sign_at(LS_DOC_ROSTER, FX_FEDERATION, "federation", 1, FX_T_BASE,
	              &len);
	expect_refused(&bare, env, len, FX_NOW, LS_EDENIED);
	ls_free(env);
}

/* Payload bytes written without validation (to build what a careful
 * encoder never would). */
static uint8_t *raw_payload(const struct ls_doc *d, size_t *len)
{
	const struct proto_body_codec *c[] = {
	    NULL,
	    &proto_body_roster,
	    &proto_body_taxonomy,
	    &proto_body_policy,
	    &proto_body_summary,
	    &proto_body_status,
	    &proto_body_note,
	    &proto_body_fedsum,
	};
	struct mp_writer w;
	uint8_t *out;
	proto_mp_writer_init(&w, LS_PAYLOAD_MAX);
	proto_mp_write_map(&w, 6);
	proto_mp_write_uint(&w, 0);
	proto_mp_write_uint(&w, d->hdr.type);
	proto_mp_write_uint(&w, 1);
	proto_mp_write_cstr(&w, d->hdr.origin);
	proto_mp_write_uint(&w, 2);
	proto_mp_write_uint(&w, d->hdr.seq);
	proto_mp_write_uint(&w, 3);
	proto_mp_write_bin(&w, d->hdr.prev, LS_HASH_BYTES);
	proto_mp_write_uint(&w, 4);
	proto_mp_write_int(&w, d->hdr.created);
	proto_mp_write_uint(&w, 5);
	c[d->hdr.type]->encode(&w, d);
	assert_int_equal(proto_mp_writer_finish(&w, &out, len), LS_OK);
	return out;
}

/* The encoder refuses d with enc_want; its raw bytes, signed, are refused
 * by the verifier with dec_want; the plain decoder likewise. */
static void expect_invalid(struct world *w, struct ls_doc *d, const char *key,
                           int enc_want, int dec_want)
{
	uint8_t *payload, *env, *out;
	size_t plen, len, olen;
	struct ls_keypair *kp = fx_key(key);
	struct ls_doc back;
	struct ls_errinfo e;

	d->hdr.seq = 1;
	d->hdr.created = FX_NOW - 60;
	ls_errinfo_clear(&e);
	assert_int_equal(proto_doc_encode_payload(d, &out, &olen, &e),
	                 enc_want);
	assert_true(strlen(e.msg) > 0);
	payload = raw_payload(d, &plen);
	memset(&back, 0x5a, sizeof back);
	assert_int_equal(proto_doc_decode_payload(payload, plen, &back, &e),
	                 dec_want);
	assert_int_equal(proto_envelope_sign(kp, payload, plen, &env, &len),
	                 LS_OK);
	expect_refused(&w->trust, env, len, FX_NOW, dec_want);
	ls_free(env);
	ls_free(payload);
	proto_keypair_free(kp);
}

static void test_summary_rules(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	struct ls_summary *s;
	struct ls_summary_row *r0, *r1;

#define FRESH()                                                                \
	do {                                                                   \
		make_doc(&d, LS_DOC_SUMMARY, "gent");                          \
		s = &d.body.summary;                                           \
		r0 = &s->tables[LS_TABLE_THEME_AGE].rows[0];                   \
		r1 = &s->tables[LS_TABLE_THEME_AGE].rows[1];                   \
	} while (0)
#define CHECK(enc, dec)                                                        \
	do {                                                                   \
		expect_invalid(w, &d, "gent", enc, dec);                       \
		proto_doc_fini(&d);                                            \
	} while (0)

	/* an exact count below k: the disclosure rule */
	FRESH();
	r0->signals.kind = LS_CELL_EXACT;
	r0->signals.value = r0->signals.lo = r0->signals.hi = 3;
	CHECK(LS_EPOLICY, LS_EPOLICY);
	/* a range that pins the count down */
	FRESH();
	r0->signals.kind = LS_CELL_RANGE;
	r0->signals.lo = 2;
	r0->signals.hi = 3;
	CHECK(LS_EPOLICY, LS_EPOLICY);
	/* a noisy cell in threshold mode */
	FRESH();
	r0->persons.kind = LS_CELL_NOISY;
	r0->persons.value = 9;
	r0->persons.lo = 5;
	r0->persons.hi = 12;
	CHECK(LS_EPOLICY, LS_EPOLICY);
	/* lo > hi */
	FRESH();
	r0->signals.kind = LS_CELL_RANGE;
	r0->signals.lo = 4;
	r0->signals.hi = 0;
	CHECK(LS_EPOLICY, LS_EPOLICY);
	/* rows out of order, and duplicated */
	FRESH();
	{
		struct ls_summary_row tmp = *r0;
		*r0 = *r1;
		*r1 = tmp;
	}
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	*r1 = *r0;
	CHECK(LS_EINVAL, LS_EDECODE);
	/* codes: upper case, free text, empty */
	FRESH();
	r0->theme[0] = 'W';
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	strcpy(r0->other, "Jan Peeters");
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	r0->other[0] = '\0';
	CHECK(LS_EINVAL, LS_EDECODE);
	/* the theme table has no second code */
	FRESH();
	strcpy(s->tables[LS_TABLE_THEME].rows[0].other, "x");
	CHECK(LS_EINVAL, LS_EDECODE);
	/* parameters */
	FRESH();
	s->params.k = 1;
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	s->params.mode = 7;
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	s->params.epsilon_milli = 500; /* threshold mode has none */
	CHECK(LS_EINVAL, LS_EDECODE);
	FRESH();
	s->period.month = 13;
	CHECK(LS_EINVAL, LS_EDECODE);
	/* a correction needs a reason; a first release has none */
	FRESH();
	strcpy(s->correction_reason, "typo");
	CHECK(LS_EINVAL, LS_EDECODE);
	/* recurrence order */
	FRESH();
	{
		struct ls_recurrence_row tmp = s->recurrence[0];
		s->recurrence[0] = s->recurrence[1];
		s->recurrence[1] = tmp;
	}
	CHECK(LS_EINVAL, LS_EDECODE);
#undef FRESH
#undef CHECK
}

/* The decoder checks each summary row as it reads it and validation
 * then starts after the rows that passed (doc_summary.c): a defect
 * anywhere gives what proto_summary_validate gives on the same summary,
 * code and message, the first defect in validation order winning. */
static void expect_decode_as_validate(struct ls_doc *d)
{
	struct ls_errinfo ev, ed;
	struct ls_doc back;
	uint8_t *payload;
	size_t plen;
	int want;

	d->hdr.seq = 1;
	d->hdr.created = FX_NOW - 60;
	ls_errinfo_clear(&ev);
	want = proto_summary_validate(&d->body.summary, &ev);
	assert_int_not_equal(want, LS_OK);
	payload = raw_payload(d, &plen);
	ls_errinfo_clear(&ed);
	assert_int_equal(proto_doc_decode_payload(payload, plen, &back, &ed),
	                 want == LS_EINVAL ? LS_EDECODE : want);
	assert_string_equal(ed.msg, ev.msg);
	ls_free(payload);
	proto_doc_fini(d);
}

static void set_exact(struct ls_cell *c, int64_t v)
{
	memset(c, 0, sizeof *c);
	c->kind = LS_CELL_EXACT;
	c->value = c->lo = c->hi = v;
}

/* A code that repeats one already read (a theme in every table, the
 * same age bands under every theme) is checked like the first: with a
 * NUL after it, a NUL or a byte out of the charset as its last byte, it
 * is refused wherever it stands (a decoder that took a repeat by
 * comparing it with the code before, a shortcut measured and dropped,
 * would have to keep this). */
static void decode_patched(const uint8_t *payload, size_t plen, size_t at,
                           size_t n, int how, int want)
{
	uint8_t *v = ls_malloc(plen + 1);
	struct ls_doc back;
	struct ls_errinfo e;
	int rc;
	assert_non_null(v);
	memcpy(v, payload, at + 1 + n);
	if (how == 0) { /* the same code with a NUL after it */
		v[at] = (uint8_t)(0xa0 | (n + 1));
		v[at + 1 + n] = 0;
		memcpy(v + at + 2 + n, payload + at + 1 + n,
		       plen - at - 1 - n);
	} else { /* its last byte out of the charset */
		v[at + n] = how == 1 ? 'A' : 0;
		memcpy(v + at + 1 + n, payload + at + 1 + n,
		       plen - at - 1 - n);
	}
	ls_errinfo_clear(&e);
	rc = proto_doc_decode_payload(v, plen + (how == 0), &back, &e);
	if (rc == LS_OK)
		proto_doc_fini(&back);
	assert_int_equal(rc, want);
	ls_free(v);
}

static void test_repeated_codes_are_checked(void **state)
{
	struct ls_doc d, back;
	struct ls_errinfo e;
	uint8_t *payload, pat[LS_CODE_SIZE];
	size_t plen, n, found[64], nf = 0;
	(void)state;
	make_doc(&d, LS_DOC_SUMMARY, "gent");
	d.hdr.seq = 1;
	d.hdr.created = FX_NOW - 60;
	n = strlen(d.body.summary.tables[LS_TABLE_THEME_AGE].rows[0].theme);
	pat[0] = (uint8_t)(0xa0 | n);
	memcpy(pat + 1,
	       d.body.summary.tables[LS_TABLE_THEME_AGE].rows[0].theme, n);
	payload = raw_payload(&d, &plen);
	proto_doc_fini(&d);
	ls_errinfo_clear(&e);
	assert_int_equal(proto_doc_decode_payload(payload, plen, &back, &e),
	                 LS_OK);
	proto_doc_fini(&back);
	for (size_t i = 0; i + 1 + n <= plen && nf < 64; i++)
		if (memcmp(payload + i, pat, 1 + n) == 0)
			found[nf++] = i;
	assert_true(nf >= 4);
	/* the first occurrence (nothing remembered yet), a repeat right
	 * after it, one in the middle and the last */
	for (size_t k = 0; k < 4; k++) {
		size_t at = found[k == 0 ? 0 : k == 1 ? 1 : k == 2 ? nf / 2
		                                                   : nf - 1];
		for (int how = 0; how < 3; how++)
			decode_patched(payload, plen, at, n, how, LS_EDECODE);
	}
	ls_free(payload);
}

static void test_summary_decoder_validates_every_row(void **state)
{
	struct ls_doc d;
	struct ls_summary *s;
	size_t n, at[3];
	int cases = 0;
	(void)state;

	for (int t = 0; t < LS_TABLE_COUNT_; t++) {
		make_doc(&d, LS_DOC_SUMMARY, "gent");
		n = d.body.summary.tables[t].n_rows;
		proto_doc_fini(&d);
		assert_true(n >= 3);
		at[0] = 0;
		at[1] = n / 2;
		at[2] = n - 1;
		for (int k = 0; k < 3; k++) {
			size_t i = at[k];
			struct ls_summary_row *rows, tmp;
			for (int m = 0; m < 6; m++) {
				make_doc(&d, LS_DOC_SUMMARY, "gent");
				s = &d.body.summary;
				rows = s->tables[t].rows;
				switch (m) {
				case 0: /* out of order */
					if (i + 1 == n)
						i--;
					tmp = rows[i];
					rows[i] = rows[i + 1];
					rows[i + 1] = tmp;
					break;
				case 1: /* a duplicate */
					rows[i > 0 ? i : 1] =
					    rows[i > 0 ? i - 1 : 0];
					break;
				case 2: /* an exact count below k */
					set_exact(&rows[i].signals, 3);
					break;
				case 3: /* a range that pins the count down */
					memset(&rows[i].persons, 0,
					       sizeof rows[i].persons);
					rows[i].persons.kind = LS_CELL_RANGE;
					rows[i].persons.lo = 2;
					rows[i].persons.hi = 3;
					break;
				case 4: /* a noisy cell in threshold mode */
					rows[i].persons.kind = LS_CELL_NOISY;
					rows[i].persons.value = 9;
					rows[i].persons.lo = 5;
					rows[i].persons.hi = 12;
					break;
				case 5: /* a second code where none belongs, or
				         * a theme out of order */
					if (t == LS_TABLE_THEME)
						strcpy(rows[i].other, "x");
					else
						strcpy(rows[i].theme,
						       i == 0 ? "zzz" : "0");
					break;
				}
				expect_decode_as_validate(&d);
				cases++;
			}
		}
	}
	/* two defects: the one validation meets first is reported */
	make_doc(&d, LS_DOC_SUMMARY, "gent");
	s = &d.body.summary;
	set_exact(&s->tables[LS_TABLE_THEME_SECTOR].rows[0].persons, 2);
	s->tables[LS_TABLE_THEME_AGE]
	    .rows[s->tables[LS_TABLE_THEME_AGE].n_rows - 1] =
	    s->tables[LS_TABLE_THEME_AGE].rows[0];
	expect_decode_as_validate(&d);
	/* a header defect before any row's */
	make_doc(&d, LS_DOC_SUMMARY, "gent");
	s = &d.body.summary;
	set_exact(&s->tables[LS_TABLE_THEME].rows[0].signals, 1);
	strcpy(s->correction_reason, "typo"); /* a first release */
	expect_decode_as_validate(&d);
	/* the parameters (read before the tables) judge the cells: every
	 * exact count is refused in noise mode */
	make_doc(&d, LS_DOC_SUMMARY, "gent");
	s = &d.body.summary;
	s->params.mode = LS_MODE_NOISE;
	s->params.k = 0;
	s->params.epsilon_milli = 1000;
	s->params.withhold_below = 5;
	expect_decode_as_validate(&d);
	/* recurrence: order, a cell, and a table's defect before both */
	for (int m = 0; m < 3; m++) {
		make_doc(&d, LS_DOC_SUMMARY, "gent");
		s = &d.body.summary;
		assert_true(s->n_recurrence >= 2);
		if (m == 0 || m == 2) {
			struct ls_recurrence_row tmp = s->recurrence[0];
			s->recurrence[0] = s->recurrence[s->n_recurrence - 1];
			s->recurrence[s->n_recurrence - 1] = tmp;
		}
		if (m == 1)
			set_exact(
			    &s->recurrence[s->n_recurrence - 1].organisations,
			    4);
		if (m == 2)
			set_exact(
			    &s->tables[LS_TABLE_THEME_PROBLEM].rows[1].signals,
			    4);
		expect_decode_as_validate(&d);
	}
	assert_int_equal(cases, LS_TABLE_COUNT_ * 3 * 6);
}

static void test_noise_mode_summaries(void **state)
{
	struct world *w = *state;
	struct ls_doc d, out;
	uint8_t *env;
	size_t len;
	struct ls_summary *s;

	make_doc(&d, LS_DOC_SUMMARY, "gent");
	s = &d.body.summary;
	s->params.mode = LS_MODE_NOISE;
	s->params.k = 0;
	s->params.epsilon_milli = 1000;
	s->params.withhold_below = 5;
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		for (size_t i = 0; i < s->tables[t].n_rows; i++) {
			struct ls_cell *c = &s->tables[t].rows[i].signals;
			if (c->kind == LS_CELL_EXACT) {
				c->kind = LS_CELL_NOISY;
				c->lo = c->value > 3 ? c->value - 3 : 0;
				c->hi = c->value + 3;
			} else {
				c->kind = LS_CELL_WITHHELD;
			}
			s->tables[t].rows[i].persons = *c;
		}
	for (size_t i = 0; i < s->n_recurrence; i++) {
		s->recurrence[i].organisations.kind = LS_CELL_WITHHELD;
		s->recurrence[i].organisations.lo = 0;
		s->recurrence[i].organisations.hi = 9;
		s->recurrence[i].reporters = s->recurrence[i].organisations;
	}
	env = sign_first(&d, FX_NOW - 60, "gent", &len);
	assert_int_equal(
	    proto_doc_verify(&w->trust, env, len, FX_NOW, &out, NULL, NULL),
	    LS_OK);
	assert_int_equal(out.body.summary.params.mode, LS_MODE_NOISE);
	ls_free(env);
	proto_doc_fini(&out);
	/* every noisy value is published, also one under the withhold
	 * threshold or below 0 (docs/DISCLOSURE.md 4.6) ... */
	s->tables[0].rows[0].signals.kind = LS_CELL_NOISY;
	s->tables[0].rows[0].signals.value = -2;
	s->tables[0].rows[0].signals.lo = 0;
	s->tables[0].rows[0].signals.hi = 1;
	env = sign_first(&d, FX_NOW - 60, "gent", &len);
	assert_int_equal(
	    proto_doc_verify(&w->trust, env, len, FX_NOW, &out, NULL, NULL),
	    LS_OK);
	assert_int_equal(out.body.summary.tables[0].rows[0].signals.value, -2);
	ls_free(env);
	proto_doc_fini(&out);
	/* ... but its interval bounds a count: lo never above max(0, v) */
	s->tables[0].rows[0].signals.lo = 1;
	s->tables[0].rows[0].signals.hi = 7;
	expect_invalid(w, &d, "gent", LS_EPOLICY, LS_EPOLICY);
	s->tables[0].rows[0].signals.value = 4;
	s->tables[0].rows[0].signals.lo = 5;
	expect_invalid(w, &d, "gent", LS_EPOLICY, LS_EPOLICY);
	proto_doc_fini(&d);
}

static void test_other_type_rules(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	const char *bad_headlines[] = {
	    "Bel 0470 12 34 56",
	    "Mail jan@example.be",
	    "Tab\there",
	    "",
	    "Wijk \xef\xbc\x91\xef\xbc\x92", /* fullwidth digits */
	    "Huis \xd9\xa3",                 /* Arabic-Indic three */
	    "Dossier #A",
	    "Kamer \xc2\xbd", /* one half */
	};
	for (size_t i = 0; i < sizeof bad_headlines / sizeof *bad_headlines;
	     i++) {
		make_doc(&d, LS_DOC_DOSSIER_NOTE, "gent");
		strcpy(d.body.note.headline, bad_headlines[i]);
		expect_invalid(w, &d, "gent", LS_EINVAL, LS_EDECODE);
		proto_doc_fini(&d);
	}
	/* Dutch text with accents, quotes, dashes and the euro sign */
	make_doc(&d, LS_DOC_DOSSIER_NOTE, "gent");
	strcpy(d.body.note.headline,
	       "Energiearmoede: \xc3\xa9\xc3\xa9n loket \xe2\x80\x93 "
	       "\xe2\x80\x98snel\xe2\x80\x99, ook voor \xe2\x82\xac-hulp!");
	{
		uint8_t *out;
		size_t olen;
		d.hdr.seq = 1;
		d.hdr.created = FX_NOW;
		assert_int_equal(
		    proto_doc_encode_payload(&d, &out, &olen, NULL), LS_OK);
		ls_free(out);
	}
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_DOSSIER_NOTE, "gent");
	memset(d.body.note.dossier, 0, LS_DOSSIER_ID_BYTES);
	expect_invalid(w, &d, "gent", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);

	make_doc(&d, LS_DOC_STATUS, "gent");
	strcpy(d.body.status.peers[1].node_id, "aaa"); /* out of order */
	expect_invalid(w, &d, "gent", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_STATUS, "gent");
	strcpy(d.body.status.software, "1.0 (beta)");
	expect_invalid(w, &d, "gent", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);

	make_doc(&d, LS_DOC_POLICY, FX_FEDERATION);
	d.body.policy.period_months = 5;
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);

	make_doc(&d, LS_DOC_TAXONOMY, FX_FEDERATION);
	d.body.taxonomy.entries[3].label_nl[0] = '\0';
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);

	/* roster: a key id that does not match its key, a duplicate key,
	 * a revocation of an unknown key, an endpoint with a path */
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	d.body.roster.members[2].keys[0].key_id[0] ^= 1;
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	d.body.roster.members[2].keys[0] = d.body.roster.members[3].keys[0];
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	d.body.roster.revocations[0].key_id[0] ^= 1;
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	strcpy(d.body.roster.members[0].endpoints[0], "tcp://x:7400/a");
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_ROSTER, FX_FEDERATION);
	strcpy(d.body.roster.members[0].node_id, FX_FEDERATION);
	expect_invalid(w, &d, "federation", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
}

/* Federation summaries: who is in the total, the noise, the cells. */
static void test_fedsum_rules(void **state)
{
	struct world *w = *state;
	struct ls_doc d;

	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	strcpy(d.body.fedsum.included[3], "aaa"); /* out of order */
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	d.body.fedsum.n_included = 1; /* a total of one is no total */
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	d.body.fedsum.noise.mu[0].num = 0; /* exact signals totals */
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	/* an exact cell: federation totals are only noisy or withheld */
	d.body.fedsum.tables[0].rows[0].signals =
	    (struct ls_cell){LS_CELL_EXACT, 41, 41, 41};
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	d.body.fedsum.withhold_below = 50; /* a noisy 41 below it */
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	d.body.fedsum.tables[1].rows[1] = d.body.fedsum.tables[1].rows[0];
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
	make_doc(&d, LS_DOC_FEDSUM, "vvsg");
	d.body.fedsum.epsilon_milli = 0;
	expect_invalid(w, &d, "vvsg", LS_EINVAL, LS_EDECODE);
	proto_doc_fini(&d);
}

static void test_feed_header_rules(void **state)
{
	struct world *w = *state;
	struct ls_doc d;
	uint8_t *payload, *out;
	size_t plen, olen;
	struct ls_doc_header h;

	(void)w;
	make_doc(&d, LS_DOC_STATUS, "gent");
	d.hdr.seq = 1;
	d.hdr.created = FX_NOW;
	assert_int_equal(proto_doc_encode_payload(&d, &out, &olen, NULL),
	                 LS_OK);
	assert_int_equal(proto_doc_decode_header(out, olen, &h, NULL), LS_OK);
	assert_int_equal(h.seq, 1);
	assert_string_equal(h.origin, "gent");
	ls_free(out);
	/* seq 1 has a zero prev, every later one a non-zero prev */
	d.hdr.prev[0] = 1;
	assert_int_equal(proto_doc_encode_payload(&d, &out, &olen, NULL),
	                 LS_EINVAL);
	payload = raw_payload(&d, &plen);
	assert_int_equal(proto_doc_decode_header(payload, plen, &h, NULL),
	                 LS_EDECODE);
	ls_free(payload);
	d.hdr.seq = 2;
	d.hdr.prev[0] = 0;
	payload = raw_payload(&d, &plen);
	assert_int_equal(proto_doc_decode_header(payload, plen, &h, NULL),
	                 LS_EDECODE);
	ls_free(payload);
	d.hdr.prev[0] = 1;
	d.hdr.created = 100; /* 1970 */
	payload = raw_payload(&d, &plen);
	assert_int_equal(proto_doc_decode_header(payload, plen, &h, NULL),
	                 LS_EDECODE);
	ls_free(payload);
	strcpy(d.hdr.origin, "Gent");
	d.hdr.created = FX_NOW;
	payload = raw_payload(&d, &plen);
	assert_int_equal(proto_doc_decode_header(payload, plen, &h, NULL),
	                 LS_EDECODE);
	ls_free(payload);
	proto_doc_fini(&d);
}

/* Offset of the body map inside a payload. */
static size_t body_offset(const uint8_t *p, size_t len)
{
	struct mp_reader r;
	struct mp_map m;
	int key;
	proto_mp_reader_init(&r, p, len);
	assert_int_equal(proto_mp_map_begin(&r, &m, 128), LS_OK);
	for (;;) {
		assert_int_equal(proto_mp_map_key(&r, &m, &key), LS_OK);
		if (key == 5)
			return proto_mp_offset(&r);
		assert_int_equal(proto_mp_skip(&r, 8), LS_OK);
	}
}

/* payload with one more entry (key, nil) at the end of the map that starts
 * at `at` (the payload map or the body map, both of which end the
 * payload). */
static uint8_t *with_field(const uint8_t *p, size_t len, size_t at, int key,
                           size_t *out_len)
{
	uint8_t *q = malloc(len + 2);
	memcpy(q, p, len);
	assert_true((q[at] & 0xf0) == 0x80 && (q[at] & 0x0f) < 15);
	q[at]++;
	q[len] = (uint8_t)key;
	q[len + 1] = 0xc0;
	*out_len = len + 2;
	return q;
}

static void test_unknown_field_rule(void **state)
{
	struct world *w = *state;
	struct ls_doc d, out;
	struct ls_keypair *kp = fx_key("gent");
	uint8_t *payload, *q, *env;
	size_t plen, qlen, len;
	struct {
		int in_body, key, want;
	} cases[] = {
	    {0, 64, LS_OK},      {0, 127, LS_OK},     {0, 6, LS_EDECODE},
	    {0, 63, LS_EDECODE}, {1, 64, LS_OK},      {1, 100, LS_OK},
	    {1, 9, LS_EDECODE},  {1, 63, LS_EDECODE},
	};

	make_doc(&d, LS_DOC_DOSSIER_NOTE, "gent");
	d.hdr.seq = 1;
	d.hdr.created = FX_NOW - 60;
	assert_int_equal(proto_doc_encode_payload(&d, &payload, &plen, NULL),
	                 LS_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t at = cases[i].in_body ? body_offset(payload, plen) : 0;
		q = with_field(payload, plen, at, cases[i].key, &qlen);
		assert_int_equal(proto_envelope_sign(kp, q, qlen, &env, &len),
		                 LS_OK);
		if (cases[i].want == LS_OK) {
			/* accepted, and the field is ignored */
			assert_int_equal(proto_doc_verify(&w->trust, env, len,
			                                  FX_NOW, &out, NULL,
			                                  NULL),
			                 LS_OK);
			assert_string_equal(out.body.note.headline,
			                    d.body.note.headline);
			proto_doc_fini(&out);
		} else {
			expect_refused(&w->trust, env, len, FX_NOW,
			               cases[i].want);
		}
		ls_free(env);
		free(q);
	}
	ls_free(payload);
	proto_keypair_free(kp);
	proto_doc_fini(&d);
}

static void test_chain_and_forks(void **state)
{
	struct world *w = *state;
	struct ls_feed_head head = {0}, fork_head;
	struct ls_doc d, doc[3], other;
	struct ls_doc_info info[3], oinfo;
	uint8_t *env[3], *oenv, *proof, *proof2;
	size_t len[3], olen, plen, plen2;
	struct ls_fork_info fi;
	struct ls_errinfo e;

	for (int i = 0; i < 3; i++) {
		make_doc(&d, LS_DOC_STATUS, "kortrijk");
		d.body.status.uptime = (uint64_t)i;
		if (i == 1)
			fork_head = head;
		env[i] =
		    fx_sign(&d, &head, FX_NOW - 600 + i, "kortrijk", &len[i]);
		proto_doc_fini(&d);
		assert_int_equal(proto_doc_verify(&w->trust, env[i], len[i],
		                                  FX_NOW, &doc[i], &info[i],
		                                  NULL),
		                 LS_OK);
	}
	assert_int_equal(head.seq, 3);
	assert_memory_equal(head.hash, info[2].hash, LS_HASH_BYTES);
	assert_int_equal(
	    proto_doc_check_chain(&doc[0].hdr, info[0].hash, &doc[1].hdr, NULL),
	    LS_OK);
	assert_int_equal(
	    proto_doc_check_chain(&doc[1].hdr, info[1].hash, &doc[2].hdr, NULL),
	    LS_OK);
	/* a gap, a wrong predecessor */
	assert_int_equal(
	    proto_doc_check_chain(&doc[0].hdr, info[0].hash, &doc[2].hdr, &e),
	    LS_ECHAIN);
	assert_int_equal(
	    proto_doc_check_chain(&doc[1].hdr, info[0].hash, &doc[2].hdr, &e),
	    LS_ECHAIN);
	assert_non_null(strstr(e.msg, "predecessor"));

	/* another document at seq 2: a fork */
	make_doc(&d, LS_DOC_STATUS, "kortrijk");
	d.body.status.uptime = 999;
	oenv = fx_sign(&d, &fork_head, FX_NOW - 500, "kortrijk", &olen);
	proto_doc_fini(&d);
	assert_int_equal(proto_doc_verify(&w->trust, oenv, olen, FX_NOW, &other,
	                                  &oinfo, NULL),
	                 LS_OK);
	assert_int_equal(proto_doc_check_fork(&doc[1].hdr, info[1].hash,
	                                      &other.hdr, oinfo.hash),
	                 LS_EFORK);
	assert_int_equal(proto_doc_check_fork(&doc[1].hdr, info[1].hash,
	                                      &doc[1].hdr, info[1].hash),
	                 LS_OK);
	assert_int_equal(proto_doc_check_fork(&doc[1].hdr, info[1].hash,
	                                      &doc[2].hdr, info[2].hash),
	                 LS_EINVAL);

	/* the portable proof: one encoding whatever the order */
	assert_int_equal(
	    proto_fork_proof_encode(env[1], len[1], oenv, olen, &proof, &plen),
	    LS_OK);
	assert_int_equal(proto_fork_proof_encode(oenv, olen, env[1], len[1],
	                                         &proof2, &plen2),
	                 LS_OK);
	assert_int_equal(plen, plen2);
	assert_memory_equal(proof, proof2, plen);
	assert_int_equal(
	    proto_fork_proof_verify(&w->trust, proof, plen, FX_NOW, &fi, &e),
	    LS_OK);
	assert_string_equal(fi.origin, "kortrijk");
	assert_int_equal(fi.seq, 2);
	ls_free(proof2);
	/* not a fork: the same document twice, or different positions */
	assert_int_equal(proto_fork_proof_encode(env[1], len[1], env[1], len[1],
	                                         &proof2, &plen2),
	                 LS_EINVAL);
	assert_int_equal(proto_fork_proof_encode(env[1], len[1], env[2], len[2],
	                                         &proof2, &plen2),
	                 LS_EINVAL);
	/* a proof in the wrong order, or with a damaged document */
	{
		struct mp_writer mw;
		uint8_t *bad;
		size_t blen;
		int first_small = memcmp(info[1].hash, oinfo.hash, 32) < 0;
		proto_mp_writer_init(&mw, 4 * LS_ENVELOPE_MAX);
		proto_mp_write_array(&mw, 2);
		proto_mp_write_bin(&mw, first_small ? oenv : env[1],
		                   first_small ? olen : len[1]);
		proto_mp_write_bin(&mw, first_small ? env[1] : oenv,
		                   first_small ? len[1] : olen);
		assert_int_equal(proto_mp_writer_finish(&mw, &bad, &blen),
		                 LS_OK);
		assert_int_equal(proto_fork_proof_verify(&w->trust, bad, blen,
		                                         FX_NOW, &fi, &e),
		                 LS_EDECODE);
		ls_free(bad);
		bad = malloc(plen);
		memcpy(bad, proof, plen);
		bad[plen - 1] ^= 1;
		assert_int_equal(proto_fork_proof_verify(&w->trust, bad, plen,
		                                         FX_NOW, &fi, &e),
		                 LS_ESIG);
		assert_int_equal(proto_fork_proof_verify(
		                     &w->trust, bad, plen - 1, FX_NOW, &fi, &e),
		                 LS_EDECODE);
		free(bad);
	}
	ls_free(proof);
	ls_free(oenv);
	proto_doc_fini(&other);
	for (int i = 0; i < 3; i++) {
		ls_free(env[i]);
		proto_doc_fini(&doc[i]);
	}
}

static void test_summary_against_policy(void **state)
{
	struct ls_policy p;
	struct ls_summary s;
	struct ls_errinfo e;
	int64_t ok_time =
	    proto_period_end(&(struct ls_period){2025, 10, 1}) + 7 * 86400;
	(void)state;
	assert_int_equal(proto_period_end(&(struct ls_period){2025, 12, 1}),
	                 1767225600LL); /* 2026-01-01 */
	assert_int_equal(proto_period_end(&(struct ls_period){2024, 1, 3}),
	                 1711929600LL); /* 2024-04-01 */
	fx_policy(&p);
	fx_summary(&s, "gent", 2025, 10, 100, 5);
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_OK);
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time - 1, &e),
	                 LS_EPOLICY);
	/* stricter is fine, looser is not */
	s.params.k = 10;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_OK);
	s.params.k = 4;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_EPOLICY);
	s.params.k = 5;
	s.params.persons_cap = 50;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_EPOLICY);
	/* a lower cap is a different measure, not a stricter one */
	s.params.persons_cap = 10;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_EPOLICY);
	s.params.persons_cap = 20;
	s.params.mode = LS_MODE_NOISE;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time, &e),
	                 LS_EPOLICY);
	s.params.mode = LS_MODE_THRESHOLD;
	/* a quarter where the policy says months, and a misaligned one */
	s.period.months = 3;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time + 1e8, &e),
	                 LS_EPOLICY);
	p.period_months = 3;
	s.period.month = 11;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time + 1e8, &e),
	                 LS_EPOLICY);
	s.period.month = 10;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time + 1e8, &e),
	                 LS_OK);
	/* noise mode: epsilon may only shrink */
	p.params.mode = s.params.mode = LS_MODE_NOISE;
	p.params.epsilon_milli = 1000;
	s.params.epsilon_milli = 500;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time + 1e8, &e),
	                 LS_OK);
	s.params.epsilon_milli = 2000;
	assert_int_equal(proto_summary_check_policy(&s, &p, ok_time + 1e8, &e),
	                 LS_EPOLICY);
	ls_summary_fini(&s);
}

/* The parameter ranges are core/disclosure.h's: one set of rules for the
 * node that releases and every receiver. */
static void test_params_are_cores(void **state)
{
	struct ls_disclosure_params p;
	struct ls_errinfo e;
	(void)state;
	for (uint32_t k = 0; k <= 120; k++) {
		memset(&p, 0, sizeof p);
		p.mode = LS_MODE_THRESHOLD;
		p.k = k;
		p.persons_cap = 10;
		assert_int_equal(proto_params_validate(&p, &e) == LS_OK,
		                 ls_disclosure_params_check_canonical(&p, &e) ==
		                     LS_OK);
		assert_int_equal(proto_params_validate(&p, &e) == LS_OK,
		                 k >= DISCLOSURE_K_MIN &&
		                     k <= DISCLOSURE_K_MAX);
	}
	memset(&p, 0, sizeof p);
	p.mode = LS_MODE_NOISE;
	p.persons_cap = 10;
	p.epsilon_milli = DISCLOSURE_EPSILON_MILLI_MIN - 1;
	assert_int_equal(proto_params_validate(&p, &e), LS_EINVAL);
	p.epsilon_milli = DISCLOSURE_EPSILON_MILLI_MIN;
	assert_int_equal(proto_params_validate(&p, &e), LS_OK);
	p.k = 5; /* noise mode states no k */
	assert_int_equal(proto_params_validate(&p, &e), LS_EINVAL);
	p.k = 0;
	p.withhold_below = DISCLOSURE_WITHHOLD_MAX + 1;
	assert_int_equal(proto_params_validate(&p, &e), LS_EINVAL);
	p.withhold_below = 0;
	p.persons_cap = DISCLOSURE_PERSONS_CAP_MAX + 1;
	assert_int_equal(proto_params_validate(&p, &e), LS_EINVAL);
	assert_int_equal(proto_period_end(&(struct ls_period){2025, 3, 1}),
	                 ls_period_end_time(&(struct ls_period){2025, 3, 1}));
}

static void test_roster_lookup_and_successor(void **state)
{
	struct world *w = *state;
	struct ls_roster next;
	struct ls_key_ref ref;
	struct ls_keypair *kp = fx_key("roeselare-stolen");
	struct ls_errinfo e;
	uint8_t nobody[LS_KEY_ID_BYTES] = {0};

	assert_int_equal(proto_roster_find_key(&w->roster, kp->key_id, &ref),
	                 LS_OK);
	assert_string_equal(ref.member->node_id, "roeselare");
	assert_non_null(ref.revocation);
	assert_int_equal(proto_key_check_session(&ref, FX_T_REVOKE - 1), LS_OK);
	assert_int_equal(proto_key_check_session(&ref, FX_T_REVOKE),
	                 LS_EREVOKED);
	assert_int_equal(proto_roster_find_key(&w->roster, nobody, &ref),
	                 LS_EKEY);
	assert_null(proto_roster_find_member(&w->roster, "antwerpen"));
	assert_non_null(proto_roster_find_member(&w->roster, "oud-turnhout"));
	assert_int_equal(
	    proto_roster_find_key(&w->roster, w->fed->key_id, &ref), LS_OK);
	assert_null(ref.member);
	assert_int_equal(proto_key_check_session(&ref, FX_NOW), LS_EDENIED);
	proto_keypair_free(kp);

	/* the key a member holds sessions with */
	{
		const struct ls_roster_member *g =
		    proto_roster_find_member(&w->roster, "gent");
		const struct ls_roster_member *r =
		    proto_roster_find_member(&w->roster, "roeselare");
		const struct ls_roster_member *m =
		    proto_roster_find_member(&w->roster, "mortsel");
		assert_ptr_equal(
		    proto_roster_member_key(&w->roster, g, FX_T_ROTATE - 1),
		    &g->keys[0]);
		assert_ptr_equal(proto_roster_member_key(&w->roster, g, FX_NOW),
		                 &g->keys[1]);
		assert_ptr_equal(proto_roster_member_key(&w->roster, r, FX_NOW),
		                 &r->keys[1]);
		assert_ptr_equal(
		    proto_roster_member_key(&w->roster, r, FX_T_REVOKE - 1),
		    &r->keys[0]);
		assert_null(proto_roster_member_key(&w->roster, m, FX_NOW));
		assert_null(
		    proto_roster_member_key(&w->roster, g, FX_T_BASE - 1));
	}
	/* successors */
	fx_roster(&next);
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e), LS_OK);
	next.members[0].keys[0].valid_until = FX_NOW; /* close a key now */
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e), LS_OK);
	next.members[0].keys[0].valid_until = FX_NOW - 1; /* in the past */
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e),
	    LS_EINVAL);
	next.members[0].keys[0].valid_until = 0;
	next.n_revocations = 0; /* withdraw a revocation */
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e),
	    LS_EINVAL);
	next.n_revocations = 1;
	next.n_members--; /* drop vvsg */
	assert_int_equal(proto_roster_index(&next), LS_OK);
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e),
	    LS_EINVAL);
	assert_non_null(strstr(e.msg, "vvsg"));
	next.n_members++;
	/* A removal's feed point (left_seq) is set once, never changed or
	 * withdrawn, and only with a left time. */
	{
		struct ls_roster_member *m =
		    (struct ls_roster_member *)proto_roster_find_member(
		        &next, "mortsel");
		assert_non_null(m);
		assert_int_equal(proto_roster_index(&next), LS_OK);
		m->left_seq = FX_LEFT_AFTER_SEQ + 1;
		assert_int_equal(
		    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e),
		    LS_EINVAL);
		assert_non_null(strstr(e.msg, "left_seq"));
		m->has_left_seq = 0;
		assert_int_equal(
		    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e),
		    LS_EINVAL);
		m->has_left_seq = 1;
		m->left_seq = FX_LEFT_AFTER_SEQ;
		m = (struct ls_roster_member *)proto_roster_find_member(&next,
		                                                        "gent");
		m->has_left_seq = 1; /* gent has not left */
		assert_int_equal(proto_roster_validate(&next, &e), LS_EINVAL);
		m->has_left_seq = 0;
	}
	proto_roster_fini(&next);
}

/* A rotation with an overlap (PROTOCOL.md 6, "Rotation"): the roster
 * that adds gent's next key and closes its current one a week after its
 * creation is a valid successor; in the overlap both keys sign and hold
 * sessions, and a client addresses the one the member signs with. */
static void test_rotation_overlap(void **state)
{
	struct world *w = *state;
	struct ls_roster next, later;
	struct ls_roster_member *g;
	struct ls_key_ref ref_old, ref_new;
	struct ls_errinfo e;
	struct ls_keypair *cur = fx_key("gent"), *nk = fx_key("gent-next");
	const int64_t until = FX_NOW + 7 * 86400;

	fx_roster(&next);
	g = (struct ls_roster_member *)proto_roster_find_member(&next, "gent");
	g->keys[1].valid_until = until;
	g->keys = ls_realloc(g->keys, 3 * sizeof *g->keys);
	assert_non_null(g->keys);
	fx_roster_key(&g->keys[2], "gent-next", FX_NOW, 0);
	g->n_keys = 3;
	assert_int_equal(proto_roster_index(&next), LS_OK);
	assert_int_equal(proto_roster_validate(&next, &e), LS_OK);
	assert_int_equal(
	    proto_roster_check_successor(&w->roster, &next, FX_NOW, &e), LS_OK);

	/* Both keys sign in the overlap; the old one not from its end. */
	assert_int_equal(proto_roster_find_key(&next, cur->key_id, &ref_old),
	                 LS_OK);
	assert_int_equal(proto_roster_find_key(&next, nk->key_id, &ref_new),
	                 LS_OK);
	assert_int_equal(proto_key_check_doc(&ref_old, until - 1, 9), LS_OK);
	assert_int_equal(proto_key_check_doc(&ref_new, FX_NOW, 9), LS_OK);
	assert_int_equal(proto_key_check_doc(&ref_old, until, 9), LS_EEXPIRED);
	assert_int_equal(proto_key_check_doc(&ref_new, FX_NOW - 1, 9),
	                 LS_EEXPIRED);

	/* Sessions: the newest by default, the used one while it is valid. */
	assert_ptr_equal(proto_roster_member_key(&next, g, FX_NOW), &g->keys[2]);
	assert_ptr_equal(
	    proto_roster_member_key_used(&next, g, FX_NOW, cur->key_id),
	    &g->keys[1]);
	assert_ptr_equal(
	    proto_roster_member_key_used(&next, g, until, cur->key_id),
	    &g->keys[2]);
	assert_ptr_equal(proto_roster_member_key_used(&next, g, FX_NOW, NULL),
	                 &g->keys[2]);
	/* a key id of another member is no hint */
	assert_ptr_equal(
	    proto_roster_member_key_used(&next, g, FX_NOW, w->fed->key_id),
	    &g->keys[2]);

	/* Once set, the end is never moved: not earlier, not later (a stolen
	 * key in the overlap is revoked instead). */
	fx_roster(&later);
	{
		struct ls_roster_member *l =
		    (struct ls_roster_member *)proto_roster_find_member(&later,
		                                                        "gent");
		fx_roster_key(&l->keys[1], "gent", FX_T_ROTATE, until - 1);
		l->keys = ls_realloc(l->keys, 3 * sizeof *l->keys);
		assert_non_null(l->keys);
		fx_roster_key(&l->keys[2], "gent-next", FX_NOW, 0);
		l->n_keys = 3;
		assert_int_equal(proto_roster_index(&later), LS_OK);
		assert_int_equal(proto_roster_check_successor(&next, &later,
		                                              FX_NOW + 60, &e),
		                 LS_EINVAL);
		l->keys[1].valid_until = until + 1;
		assert_int_equal(proto_roster_check_successor(&next, &later,
		                                              FX_NOW + 60, &e),
		                 LS_EINVAL);
		l->keys[1].valid_until = until;
		assert_int_equal(proto_roster_check_successor(&next, &later,
		                                              FX_NOW + 60, &e),
		                 LS_OK);
	}
	proto_roster_fini(&later);
	proto_roster_fini(&next);
	proto_keypair_free(cur);
	proto_keypair_free(nk);
}

/* Fail each allocation of fn in turn: every one must give LS_ENOMEM (or
 * succeed, for allocations whose failure is absorbed), leak nothing and
 * leave the output untouched. */
static void test_allocation_failures_unwind(void **state)
{
	struct world *w = *state;
	enum ls_doc_type types[] = {LS_DOC_ROSTER, LS_DOC_TAXONOMY,
	                            LS_DOC_SUMMARY, LS_DOC_STATUS};
	const char *origins[] = {FX_FEDERATION, FX_FEDERATION, "gent", "gent"};
	const char *keys[] = {"federation", "federation", "gent", "gent"};

	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		struct ls_doc d, out;
		uint8_t *env;
		size_t len;
		long count;
		make_doc(&d, types[t], origins[t]);
		env = sign_first(&d, FX_NOW - 60, keys[t], &len);
		ls_alloc_fail_nth(0);
		assert_int_equal(proto_doc_verify(&w->trust, env, len, FX_NOW,
		                                  &out, NULL, NULL),
		                 LS_OK);
		count = ls_alloc_fail_nth(0);
		proto_doc_fini(&out);
		assert_true(count > 0);
		for (long n = 1; n <= count; n++) {
			uint8_t pattern[sizeof out];
			int rc;
			memset(&out, 0x77, sizeof out);
			memset(pattern, 0x77, sizeof pattern);
			ls_alloc_fail_nth(n);
			rc = proto_doc_verify(&w->trust, env, len, FX_NOW, &out,
			                      NULL, NULL);
			ls_alloc_fail_nth(0);
			assert_int_equal(rc, LS_ENOMEM);
			assert_memory_equal(&out, pattern, sizeof out);
		}
		/* and the encoder */
		proto_doc_fini(&d);
		make_doc(&d, types[t], origins[t]);
		for (long n = 1;; n++) {
			struct ls_feed_head head = {0}, next = {0};
			struct ls_keypair *kp = fx_key(keys[t]);
			uint8_t *o;
			size_t olen;
			int rc;
			ls_alloc_fail_nth(n);
			rc = proto_doc_sign(&d, &head, FX_NOW - 60, kp, &o,
			                    &olen, &next, NULL);
			ls_alloc_fail_nth(0);
			proto_keypair_free(kp);
			if (rc == LS_OK) {
				assert_int_equal(olen, len);
				ls_free(o);
				break;
			}
			assert_int_equal(rc, LS_ENOMEM);
			assert_int_equal(next.seq, 0);
		}
		proto_doc_fini(&d);
		ls_free(env);
	}
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_every_type_round_trips),
	    T(test_summary_fields_survive),
	    T(test_range_cells_never_carry_their_value),
	    T(test_damaged_envelopes_are_refused),
	    T(test_oversized_envelope_and_payload),
	    T(test_authenticate_is_steps_one_to_five),
	    T(test_keys_judged_at_creation_time),
	    T(test_authors_and_roles),
	    T(test_first_roster_through_the_anchor),
	    T(test_summary_rules),
	    T(test_summary_decoder_validates_every_row),
	    T(test_repeated_codes_are_checked),
	    T(test_noise_mode_summaries),
	    T(test_other_type_rules),
	    T(test_fedsum_rules),
	    T(test_feed_header_rules),
	    T(test_unknown_field_rule),
	    T(test_chain_and_forks),
	    T(test_summary_against_policy),
	    T(test_params_are_cores),
	    T(test_roster_lookup_and_successor),
	    T(test_rotation_overlap),
	    T(test_allocation_failures_unwind),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
