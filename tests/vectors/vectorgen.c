/*
 * vectorgen: writes the protocol's test vectors (tests/vectors/README.md).
 *
 *   build/tests/vectorgen DIR
 *
 * Deterministic: every key comes from a fixed seed (TEST keys, see
 * test-keys.txt), every time is fixed, every ephemeral secret and nonce is
 * derived from the vector's name. Running it twice gives the same bytes;
 * tests/integration/vectors.sh checks that the checked-in vectors are
 * exactly what this program writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/text.h"
#include "proto/body.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "proto/mp.h"
#include "proto/secagg_msg.h"
#include "proto/secagg_req.h"
#include "proto/session.h"
#include "proto/sync.h"
#include "tests/fixture.h"

static const char *dir;
static FILE *manifest;

struct blob {
	uint8_t *data;
	size_t len;
};

static void die(const char *what)
{
	fprintf(stderr, "vectorgen: %s\n", what);
	exit(1);
}

/* Write NAME.hex: lower-case hex, 64 digits a line. */
static void write_hex(const char *name, const uint8_t *b, size_t len)
{
	char path[512], hex[3];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s.hex", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		die(strerror(errno));
	for (size_t i = 0; i < len; i++) {
		ls_hex_encode(&b[i], 1, hex);
		fputs(hex, f);
		if (i % 32 == 31 || i == len - 1)
			fputc('\n', f);
	}
	if (fclose(f) != 0)
		die("write");
}

/* The section of PROTOCOL.md each vector tests (its `section`
 * parameter). Every vector must be listed. */
static const struct {
	const char *name, *section;
} sections[] = {
    {"roster", "6"},
    {"taxonomy", "5.2"},
    {"policy", "5.3"},
    {"summary_gent", "5.4"},
    {"unknown_extension_fields", "1"},
    {"unknown_core_field", "1"},
    {"ext_depth_8", "1"},
    {"ext_depth_9", "1"},
    {"ext_any_msgpack", "1"},
    {"ext_never_used_byte", "1"},
    {"ext_count_beyond_bytes", "1"},
    {"ext_map_count_beyond_bytes", "1"},
    {"ext_str_beyond_bytes", "1"},
    {"ext_depth_8_body", "1"},
    {"summary_period_array_2", "1"},
    {"envelope_array_6", "1"},
    {"chain_gap", "4"},
    {"policy_k9_same_second", "5.3"},
    {"summary_same_second_two", "5.3"},
    {"summary_before_settled_utc", "5.4"},
    {"summary_settled_utc", "5.4"},
    {"roster_successor", "6"},
    {"roster_left_seq_changed", "6"},
    {"roster_left_seq_dropped", "6"},
    {"session_reply_low_order", "8"},
    {"policy_violation", "5.4"},
    {"range_lo_equals_hi", "5.4"},
    {"oversized_row_count", "1"},
    {"note_gent", "5.6"},
    {"chain_ok", "4"},
    {"personal_data_headline", "5.6"},
    {"headline_too_long", "1"},
    {"headline_empty", "1"},
    {"key_id_9_bytes", "1"},
    {"prev_set_at_seq_1", "4"},
    {"sync_max_docs_1025", "1"},
    {"roster_role_changed", "6"},
    {"status_long_integers", "1"},
    {"status_keys_out_of_order", "1"},
    {"status_key_uint8", "1"},
    {"status_uptime_negative", "1"},
    {"status_uptime_nil", "1"},
    {"fork_proof_reversed", "4"},
    {"roster_key_id_mismatch", "2"},
    {"sync_push_bad_document", "7"},
    {"session_expired_sender", "8"},
    {"session_federation_sender", "8"},
    {"chain_broken", "4"},
    {"created_backwards", "4"},
    {"bad_signature", "3"},
    {"truncated", "3"},
    {"trailing_bytes", "1"},
    {"format_version_2", "3"},
    {"wrong_type_key_id", "3"},
    {"oversized_payload_length", "3"},
    {"wrong_type_seq", "4"},
    {"unknown_key", "6"},
    {"revoked_key", "6"},
    {"revoked_key_after", "6"},
    {"revoked_key_history", "6"},
    {"expired_key", "6"},
    {"rotated_key_history", "6"},
    {"member_left", "6"},
    {"member_left_history", "6"},
    {"member_left_after_seq", "6"},
    {"wrong_origin", "6"},
    {"aggregator_summary", "5"},
    {"member_policy", "5"},
    {"future_document", "3"},
    {"status_vvsg", "5.5"},
    {"status_legacy", "5.5"},
    {"status_result_timeout", "5.5"},
    {"status_missing_field", "1"},
    {"status_peer_array_4", "1"},
    {"status_peers_beyond_bytes", "11"},
    {"policy_k7", "5.3"},
    {"policy_backdated", "5.3"},
    {"summary_older_policy", "5.3"},
    {"summary_after_tightening", "5.3"},
    {"summary_same_second", "5.3"},
    {"policy_k5_loosened", "5.3"},
    {"summary_below_every_policy", "5.3"},
    {"summary_after_tightening_loosened", "5.3"},
    {"fork_a", "4"},
    {"fork_b", "4"},
    {"fork_proof", "4"},
    {"fork_proof_same", "4"},
    {"session_low_order", "8"},
    {"session_reply", "8"},
    {"session_refusal", "8"},
    {"session_resend", "9"},
    {"session_replay", "9"},
    {"fedsum_vvsg", "15.5"},
    {"fedsum_by_municipality", "15.5"},
    {"secagg_open", "15.3"},
    {"secagg_key", "15.3"},
    {"secagg_contrib", "15.3"},
    {"secagg_bad_signature", "15.3"},
    {"secagg_wrong_key", "15.3"},
    {"secagg_trailing", "15.3"},
    {"secagg_odd_vector", "15.3"},
    {"secagg_req_open", "15.7"},
    {"secagg_req_key", "15.7"},
    {"secagg_req_close", "15.7"},
    {"secagg_req_error", "15.7"},
    {"secagg_req_missing_field", "15.7"},
    {"secagg_req_unknown_core_field", "15.7"},
    {"secagg_req_extension_field", "15.7"},
    {"secagg_req_empty_field", "15.7"},
    {"secagg_req_trailing", "15.7"},
    {"secagg_req_type_not_first", "15.7"},
};

static const char *section_of(const char *name)
{
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (strcmp(sections[i].name, name) == 0)
			return sections[i].section;
	if (strncmp(name, "sync_", 5) == 0)
		return "7";
	if (strncmp(name, "session_", 8) == 0)
		return "8";
	fprintf(stderr, "vectorgen: no section for %s\n", name);
	exit(1);
}

/* One manifest line: name, kind, expected outcome, parameters (with the
 * section of PROTOCOL.md it tests), what. */
static void vector(const char *name, const uint8_t *b, size_t len,
                   const char *kind, const char *expect, const char *params,
                   const char *what)
{
	write_hex(name, b, len);
	fprintf(manifest, "%s\t%s\t%s\t%s%ssection=%s\t%s\n", name, kind,
	        expect, params, params[0] ? " " : "", section_of(name), what);
}

static struct blob dup_blob(const uint8_t *b, size_t len)
{
	struct blob x = {malloc(len + 16), len};
	if (x.data == NULL)
		die("alloc");
	memcpy(x.data, b, len);
	return x;
}

/* Overwrite element `index` of a session frame (an array of 8 whose
 * element there is a 32-byte bin: E of a request, F of a reply) with the
 * all-zero X25519 point. */
static void zero_frame_key(uint8_t *frame, size_t len, int index,
                           const char *what)
{
	struct mp_reader r;
	const uint8_t *bin;
	size_t blen;
	uint32_t n;
	proto_mp_reader_init(&r, frame, len);
	if (proto_mp_read_array(&r, 8, 1, &n) != LS_OK)
		die(what);
	for (int i = 0; i < index; i++)
		if (proto_mp_skip(&r, 1) != LS_OK)
			die(what);
	if (proto_mp_read_bin(&r, 32, &bin, &blen) != LS_OK || blen != 32)
		die(what);
	memset(frame + (bin - frame), 0, 32);
}

/* 32 bytes derived from a label (ephemeral secrets, nonces). */
static void derive(const char *label, uint8_t *out, size_t len)
{
	crypto_generichash(out, len, (const uint8_t *)label, strlen(label),
	                   (const uint8_t *)"vectorgen", 9);
}

static uint8_t *sign_doc(struct ls_doc *d, struct ls_feed_head *head,
                         int64_t created, const char *key, size_t *len)
{
	return fx_sign(d, head, created, key, len);
}

/* Payload bytes without validation (for invalid vectors). */
static struct blob raw_payload(const struct ls_doc *d, int ext_payload,
                               int ext_body_key)
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
	struct mp_writer w, bw;
	struct blob out, body;
	proto_mp_writer_init(&bw, LS_PAYLOAD_MAX);
	c[d->hdr.type]->encode(&bw, d);
	if (proto_mp_writer_finish(&bw, &body.data, &body.len) != LS_OK)
		die("body");
	if (ext_body_key >= 0) {
		/* one more entry at the end of the body map */
		body.data = ls_realloc(body.data, body.len + 2);
		if ((body.data[0] & 0xf0) != 0x80)
			die("body map");
		body.data[0]++;
		body.data[body.len++] = (uint8_t)ext_body_key;
		body.data[body.len++] = 0xc0;
	}
	proto_mp_writer_init(&w, LS_PAYLOAD_MAX);
	proto_mp_write_map(&w, ext_payload ? 7 : 6);
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
	proto_mp_write_raw(&w, body.data, body.len);
	if (ext_payload) {
		proto_mp_write_uint(&w, 64);
		proto_mp_write_cstr(&w, "an extension a v1 decoder ignores");
	}
	ls_free(body.data);
	if (proto_mp_writer_finish(&w, &out.data, &out.len) != LS_OK)
		die("payload");
	return out;
}

static struct blob sign_raw(const struct blob *payload, const char *key)
{
	struct ls_keypair *kp = fx_key(key);
	struct blob env;
	if (proto_envelope_sign(kp, payload->data, payload->len, &env.data,
	                        &env.len) != LS_OK)
		die("sign");
	proto_keypair_free(kp);
	return env;
}

/* The offset in payload p of the value of body field `field`. */
static size_t body_field_offset(const struct blob *p, int field)
{
	struct mp_reader r;
	struct mp_map m;
	int key = -1;
	proto_mp_reader_init(&r, p->data, p->len);
	if (proto_mp_map_begin(&r, &m, 128) != LS_OK)
		die("payload map");
	while (key != 5) {
		if (proto_mp_map_key(&r, &m, &key) != LS_OK)
			die("payload key");
		if (key != 5 && proto_mp_skip(&r, 8) != LS_OK)
			die("payload skip");
	}
	if (proto_mp_map_begin(&r, &m, 128) != LS_OK)
		die("body map");
	while (key != field) {
		if (proto_mp_map_key(&r, &m, &key) != LS_OK || key < 0)
			die("body key");
		if (key != field && proto_mp_skip(&r, 8) != LS_OK)
			die("body skip");
	}
	return proto_mp_offset(&r);
}

/* d's payload (no extensions) with payload extension key 64 holding the
 * raw MessagePack value val, signed by d's origin. */
static void with_extension(const struct ls_doc *d, const uint8_t *val,
                           size_t n, const char *name, const char *expect,
                           const char *what)
{
	struct blob p = raw_payload(d, 0, -1), e2;
	if (p.data[0] != 0x86)
		die("payload map");
	p.data = ls_realloc(p.data, p.len + 1 + n);
	p.data[0] = 0x87;
	p.data[p.len++] = 0x40;
	memcpy(p.data + p.len, val, n);
	p.len += n;
	e2 = sign_raw(&p, d->hdr.origin);
	vector(name, e2.data, e2.len, "doc", expect, "", what);
	ls_free(e2.data);
	ls_free(p.data);
}

/* A kortrijk status (seq 1) encoded by hand: without key 4 (variant 0),
 * with a peer entry of 4 elements (variant 1), with a peers array
 * claiming 10 entries where one follows (variant 2), with integers in
 * their longest formats (3), body keys 1 before 0 (4), body key 0 as a
 * uint 8 (5), uptime -1 (6) or nil (7). */
static void status_raw(const char *name, int variant, const char *expect,
                       const char *what)
{
	struct mp_writer w;
	struct blob p, e2;
	proto_mp_writer_init(&w, 4096);
	proto_mp_write_map(&w, 6);
	proto_mp_write_uint(&w, 0);
	proto_mp_write_uint(&w, LS_DOC_STATUS);
	proto_mp_write_uint(&w, 1);
	proto_mp_write_cstr(&w, "kortrijk");
	proto_mp_write_uint(&w, 2);
	if (variant == 3)
		proto_mp_write_raw(
		    &w, (const uint8_t[]){0xcf, 0, 0, 0, 0, 0, 0, 0, 1}, 9);
	else
		proto_mp_write_uint(&w, 1);
	proto_mp_write_uint(&w, 3);
	proto_mp_write_bin(&w, (uint8_t[LS_HASH_BYTES]){0}, LS_HASH_BYTES);
	proto_mp_write_uint(&w, 4);
	if (variant == 3) {
		uint8_t t[9] = {0xd3};
		uint64_t v = (uint64_t)(FX_NOW - 60);
		for (int i = 0; i < 8; i++)
			t[8 - i] = (uint8_t)(v >> (8 * i));
		proto_mp_write_raw(&w, t, sizeof t);
	} else {
		proto_mp_write_int(&w, FX_NOW - 60);
	}
	proto_mp_write_uint(&w, 5);
	proto_mp_write_map(&w, variant == 0 ? 4 : 5);
	if (variant == 4) {
		proto_mp_write_uint(&w, 1);
		proto_mp_write_uint(&w, 3600);
	}
	if (variant == 5)
		proto_mp_write_raw(&w, (const uint8_t[]){0xcc, 0x00}, 2);
	else
		proto_mp_write_uint(&w, 0);
	proto_mp_write_cstr(&w, "0.2.0");
	if (variant != 4) {
		proto_mp_write_uint(&w, 1);
		if (variant == 3)
			proto_mp_write_raw(
			    &w, (const uint8_t[]){0xce, 0, 0, 0x0e, 0x10}, 5);
		else if (variant == 6)
			proto_mp_write_raw(&w, (const uint8_t[]){0xff}, 1);
		else if (variant == 7)
			proto_mp_write_raw(&w, (const uint8_t[]){0xc0}, 1);
		else
			proto_mp_write_uint(&w, 3600);
	}
	proto_mp_write_uint(&w, 2);
	proto_mp_write_uint(&w, 0);
	proto_mp_write_uint(&w, 3);
	proto_mp_write_array(&w, variant == 2 ? 10 : 1);
	proto_mp_write_array(&w, variant == 1 ? 4 : 3);
	proto_mp_write_cstr(&w, "vvsg");
	proto_mp_write_int(&w, FX_NOW - 120);
	proto_mp_write_cstr(&w, "ok");
	if (variant == 1)
		proto_mp_write_uint(&w, 0);
	if (variant != 0) {
		proto_mp_write_uint(&w, 4);
		proto_mp_write_array(&w, 0);
	}
	if (proto_mp_writer_finish(&w, &p.data, &p.len) != LS_OK)
		die("status payload");
	e2 = sign_raw(&p, "kortrijk");
	vector(name, e2.data, e2.len, "doc", expect, "", what);
	ls_free(e2.data);
	ls_free(p.data);
}

static void doc_init(struct ls_doc *d, enum ls_doc_type type,
                     const char *origin, uint64_t seq, int64_t created)
{
	proto_doc_init(d, type);
	strcpy(d->hdr.origin, origin);
	d->hdr.seq = seq;
	d->hdr.created = created;
	if (seq > 1)
		memset(d->hdr.prev, 0x5e, LS_HASH_BYTES);
}

static struct blob encode_sync(struct ls_sync_msg *m)
{
	struct blob b;
	struct ls_errinfo e;
	if (proto_sync_encode(m, &b.data, &b.len, &e) != LS_OK)
		die(e.msg);
	return b;
}

/* A summary-epoch vector: kortrijk seq 1, October 2025 under k = 5,
 * created at `at`. */
static void summary_epoch(const char *name, int64_t at, const char *expect,
                          const char *params, const char *what)
{
	struct ls_doc d;
	struct ls_feed_head h = {0};
	size_t len;
	uint8_t *env;
	doc_init(&d, LS_DOC_SUMMARY, "kortrijk", 1, at);
	fx_summary(&d.body.summary, "kortrijk", 2025, 10, 40, 9);
	env = sign_doc(&d, &h, at, "kortrijk", &len);
	vector(name, env, len, "summary-epoch", expect, params, what);
	ls_free(env);
	proto_doc_fini(&d);
}

static void documents_and_sync(void)
{
	struct ls_doc d;
	struct ls_feed_head fed = {0}, gent = {0}, head;
	struct blob roster, summary, note, b;
	struct blob fork_a = {NULL, 0}, fork_b = {NULL, 0};
	char params[512];
	size_t len;
	uint8_t *env;

	/* The federation feed: roster, taxonomy, policy. */
	proto_doc_init(&d, LS_DOC_ROSTER);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_roster(&d.body.roster);
	env = sign_doc(&d, &fed, FX_T_BASE, "federation", &len);
	roster = dup_blob(env, len);
	snprintf(params, sizeof params,
	         "anchor=federation federation=%s now=%lld", FX_FEDERATION,
	         (long long)FX_NOW);
	vector("roster", env, len, "roster-bootstrap", "ok", params,
	       "the test roster (federation seq 1), accepted through the "
	       "configured federation key; the trust of every doc vector");
	ls_free(env);
	proto_doc_fini(&d);

	proto_doc_init(&d, LS_DOC_TAXONOMY);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_taxonomy(&d.body.taxonomy);
	env = sign_doc(&d, &fed, FX_T_BASE + 60, "federation", &len);
	vector("taxonomy", env, len, "doc", "ok", "",
	       "the shared taxonomy (federation seq 2)");
	ls_free(env);
	proto_doc_fini(&d);

	proto_doc_init(&d, LS_DOC_POLICY);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_policy(&d.body.policy);
	env = sign_doc(&d, &fed, FX_T_BASE + 120, "federation", &len);
	vector("policy", env, len, "doc", "ok", "",
	       "threshold policy k=5, monthly, settle 7 days (federation "
	       "seq 3)");
	ls_free(env);
	proto_doc_fini(&d);

	/* gent's feed: a summary, then a dossier note. */
	proto_doc_init(&d, LS_DOC_SUMMARY);
	strcpy(d.hdr.origin, "gent");
	fx_summary(&d.body.summary, "gent", 2025, 10, fx_pilot_signals[4], 4);
	env = sign_doc(&d, &gent, FX_NOW - 86400, "gent", &len);
	summary = dup_blob(env, len);
	vector("summary_gent", env, len, "doc", "ok", "",
	       "a realistic released summary of gent, October 2025 (gent "
	       "seq 1)");
	ls_free(env);
	/* smaller summaries for the variants: the same rules apply */
	ls_summary_fini(&d.body.summary);
	fx_summary(&d.body.summary, "gent", 2025, 10, 30, 4);
	/* the same body with extension fields: accepted, ignored */
	d.hdr.seq = 1;
	memset(d.hdr.prev, 0, LS_HASH_BYTES);
	b = raw_payload(&d, 1, 64);
	{
		struct blob e2 = sign_raw(&b, "gent");
		vector("unknown_extension_fields", e2.data, e2.len, "doc", "ok",
		       "",
		       "summary with extension keys 64 in the payload and in "
		       "the body: skipped");
		ls_free(e2.data);
	}
	ls_free(b.data);
	b = raw_payload(&d, 0, 9);
	{
		struct blob e2 = sign_raw(&b, "gent");
		vector("unknown_core_field", e2.data, e2.len, "doc", "decode",
		       "", "summary with an unknown core key 9 in the body");
		ls_free(e2.data);
	}
	ls_free(b.data);
	/* Extension values: any well-formed MessagePack, at most 8 nested
	 * containers counted from the value itself (PROTOCOL.md 1). */
	{
		static const uint8_t any[] = {
		    0x83, 0xa1, 'b', 0xc0,                  /* "b": nil */
		    0xa1, 'a', 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, /* 1.5 */
		    0x05, 0xd4, 0x01, 0x00};                /* 5: fixext */
		uint8_t deep[10];
		memset(deep, 0x91, sizeof deep); /* [[[...]]] */
		deep[8] = 0x00;
		with_extension(&d, deep, 9, "ext_depth_8", "ok",
		               "summary whose payload extension 64 holds 8 "
		               "nested arrays (the most allowed)");
		deep[8] = 0x91;
		deep[9] = 0x00;
		with_extension(&d, deep, 10, "ext_depth_9", "limit",
		               "summary whose payload extension 64 holds 9 "
		               "nested arrays");
		with_extension(&d, any, sizeof any, "ext_any_msgpack", "ok",
		               "an extension value with str keys out of order, "
		               "nil, a float and a fixext: only well-formedness "
		               "and depth are checked in a skipped value");
		with_extension(&d, (const uint8_t[]){0x92, 0x01, 0xc1}, 3,
		               "ext_never_used_byte", "decode",
		               "summary whose payload extension 64 holds the "
		               "never-used byte 0xc1 inside an array: not "
		               "well-formed");
		with_extension(&d, (const uint8_t[]){0xdc, 0x03, 0xe8, 0x00}, 4,
		               "ext_count_beyond_bytes", "limit",
		               "summary whose payload extension 64 is an array "
		               "claiming 1000 elements with 1 byte left");
		with_extension(&d,
		               (const uint8_t[]){0xde, 0x00, 0x02, 0x01, 0x02,
		                                 0x03},
		               6, "ext_map_count_beyond_bytes", "limit",
		               "summary whose payload extension 64 is a map "
		               "claiming 2 entries with 3 bytes left (a map "
		               "entry takes at least 2)");
		with_extension(&d, (const uint8_t[]){0xd9, 0x10, 'a'}, 3,
		               "ext_str_beyond_bytes", "decode",
		               "summary whose payload extension 64 is a str "
		               "claiming 16 bytes with 1 left: a length beyond "
		               "the bytes is decode");
	}
	/* 8 levels in a body extension (at depth 2 of the payload): depth
	 * is counted from the extension value, not from the payload or the
	 * body. raw_payload ends the body, the payload's last value, with
	 * extension 64 = nil: that nil becomes the nested arrays. */
	{
		static const uint8_t deep8[] = {0x91, 0x91, 0x91, 0x91, 0x91,
		                                0x91, 0x91, 0x91, 0x00};
		struct blob p = raw_payload(&d, 0, 64), e2;
		if (p.data[p.len - 1] != 0xc0)
			die("body extension");
		p.data = ls_realloc(p.data, p.len - 1 + sizeof deep8);
		memcpy(p.data + p.len - 1, deep8, sizeof deep8);
		p.len += sizeof deep8 - 1;
		e2 = sign_raw(&p, "gent");
		vector("ext_depth_8_body", e2.data, e2.len, "doc", "ok", "",
		       "summary whose body extension 64 holds 8 nested arrays: "
		       "10 levels from the payload, accepted");
		ls_free(e2.data);
		ls_free(p.data);
	}
	/* The period, an array of exactly 3, with 2 elements. */
	{
		struct blob p = raw_payload(&d, 0, -1), e2;
		struct mp_reader r;
		size_t at = body_field_offset(&p, 0), months, end;
		if (p.data[at] != 0x93)
			die("period");
		proto_mp_reader_init(&r, p.data, p.len);
		r.p += at + 1;
		if (proto_mp_skip(&r, 1) != LS_OK ||
		    proto_mp_skip(&r, 1) != LS_OK)
			die("period year, month");
		months = proto_mp_offset(&r);
		if (proto_mp_skip(&r, 1) != LS_OK)
			die("period months");
		end = proto_mp_offset(&r);
		memmove(p.data + months, p.data + end, p.len - end);
		p.len -= end - months;
		p.data[at] = 0x92;
		e2 = sign_raw(&p, "gent");
		vector("summary_period_array_2", e2.data, e2.len, "doc",
		       "decode", "",
		       "summary whose period is an array of 2 (no months), "
		       "not 3: a fixed array with another count is decode");
		ls_free(e2.data);
		ls_free(p.data);
	}
	/* a disclosure violation: an exact count of 3 with k = 5 */
	d.body.summary.tables[0].rows[0].signals.kind = LS_CELL_EXACT;
	d.body.summary.tables[0].rows[0].signals.value = 3;
	b = raw_payload(&d, 0, -1);
	{
		struct blob e2 = sign_raw(&b, "gent");
		vector("policy_violation", e2.data, e2.len, "doc", "policy", "",
		       "threshold summary releasing an exact count of 3 under "
		       "k=5");
		ls_free(e2.data);
	}
	ls_free(b.data);
	/* a range that is no range: lo = hi = 6 */
	d.body.summary.tables[0].rows[0].signals =
	    (struct ls_cell){.kind = LS_CELL_RANGE, .lo = 6, .hi = 6};
	b = raw_payload(&d, 0, -1);
	{
		struct blob e2 = sign_raw(&b, "gent");
		vector("range_lo_equals_hi", e2.data, e2.len, "doc", "policy",
		       "",
		       "threshold summary with a range cell [1, 6, 6]: a "
		       "cell's own numbers are a disclosure rule (policy), "
		       "not decode");
		ls_free(e2.data);
	}
	ls_free(b.data);
	d.body.summary.tables[0].rows[0].signals =
	    (struct ls_cell){.kind = LS_CELL_EXACT, .value = 3};
	/* a table claiming 5000 rows */
	{
		struct blob p = raw_payload(&d, 0, -1), e2;
		/* the first table's array header becomes array16 5000 */
		struct mp_reader r;
		uint32_t n;
		size_t t0, t1;
		proto_mp_reader_init(&r, p.data, p.len);
		r.p += body_field_offset(&p, 4);
		if (proto_mp_read_array_exact(&r, 5) != LS_OK)
			die("tables");
		t0 = proto_mp_offset(&r);
		if (proto_mp_read_array(&r, 100000, 1, &n) != LS_OK)
			die("table");
		t1 = proto_mp_offset(&r);
		p.data = ls_realloc(p.data, p.len + 3);
		memmove(p.data + t0 + 3, p.data + t1, p.len - t1);
		p.len = p.len - (t1 - t0) + 3;
		p.data[t0] = 0xdc;
		p.data[t0 + 1] = 5000 >> 8;
		p.data[t0 + 2] = 5000 & 0xff;
		e2 = sign_raw(&p, "gent");
		vector("oversized_row_count", e2.data, e2.len, "doc", "limit",
		       "",
		       "summary whose first table claims 5000 rows (limit "
		       "4096)");
		ls_free(e2.data);
		ls_free(p.data);
	}
	proto_doc_fini(&d);

	proto_doc_init(&d, LS_DOC_DOSSIER_NOTE);
	strcpy(d.hdr.origin, "gent");
	fx_note(&d.body.note);
	head = gent;
	env = sign_doc(&d, &gent, FX_NOW - 3600, "gent", &len);
	note = dup_blob(env, len);
	vector("note_gent", env, len, "doc", "ok", "",
	       "a dossier note of gent (gent seq 2)");
	vector("chain_ok", env, len, "chain", "ok", "pred=summary_gent",
	       "note_gent follows summary_gent");
	ls_free(env);
	strcpy(d.body.note.headline, "Bel 0470 12 34 56 voor info");
	d.hdr.seq = 2;
	memcpy(d.hdr.prev, head.hash, LS_HASH_BYTES);
	b = raw_payload(&d, 0, -1);
	{
		struct blob e2 = sign_raw(&b, "gent");
		vector("personal_data_headline", e2.data, e2.len, "doc",
		       "decode", "",
		       "a dossier note whose headline carries a phone number");
		ls_free(e2.data);
	}
	ls_free(b.data);
	/* Lengths outside a str field's range (PROTOCOL.md 1): the
	 * headline is the payload's last value, so its fixstr "X" is
	 * the last two bytes; put another str there. */
	strcpy(d.body.note.headline, "X");
	for (int i = 0; i < 2; i++) {
		struct blob e2, p = raw_payload(&d, 0, -1);
		size_t at = p.len - 2;
		if (p.data[at] != 0xa1 || p.data[at + 1] != 'X')
			die("headline at the end");
		p.data = ls_realloc(p.data, at + 2 + LS_HEADLINE_MAX + 1);
		if (p.data == NULL)
			die("alloc");
		if (i == 0) {
			p.data[at++] = 0xd9;
			p.data[at++] = LS_HEADLINE_MAX + 1;
			memset(p.data + at, 'a', LS_HEADLINE_MAX + 1);
			p.len = at + LS_HEADLINE_MAX + 1;
		} else {
			p.data[at++] = 0xa0;
			p.len = at;
		}
		e2 = sign_raw(&p, "gent");
		if (i == 0)
			vector("headline_too_long", e2.data, e2.len, "doc",
			       "limit", "",
			       "a dossier note whose headline has 141 letters "
			       "(1..140): a str longer than its field's "
			       "maximum is limit");
		else
			vector(
			    "headline_empty", e2.data, e2.len, "doc", "decode",
			    "",
			    "a dossier note with an empty headline (1..140): "
			    "a str shorter than its field's minimum is "
			    "decode");
		ls_free(e2.data);
		ls_free(p.data);
	}
	fx_note(&d.body.note);
	{
		/* seq 1 naming a predecessor: prev is zero iff seq = 1 */
		struct blob e2, p;
		d.hdr.seq = 1;
		memset(d.hdr.prev, 0x77, LS_HASH_BYTES);
		p = raw_payload(&d, 0, -1);
		e2 = sign_raw(&p, "gent");
		vector("prev_set_at_seq_1", e2.data, e2.len, "doc", "decode",
		       "",
		       "gent seq 1 whose prev is not 32 zero bytes: a feed "
		       "field against its rule is decode (step 3)");
		ls_free(e2.data);
		ls_free(p.data);
	}
	/* seq 3 naming a predecessor that is not note_gent */
	fx_note(&d.body.note);
	head = gent;
	memset(head.hash, 0x77, LS_HASH_BYTES);
	env = sign_doc(&d, &head, FX_NOW - 1800, "gent", &len);
	vector("chain_broken", env, len, "chain", "chain", "pred=note_gent",
	       "gent seq 3 whose prev is not the hash of note_gent");
	ls_free(env);
	/* seq 3 following note_gent, created an hour before it */
	head = gent;
	env = sign_doc(&d, &head, FX_NOW - 7200, "gent", &len);
	vector("created_backwards", env, len, "chain", "ok", "pred=note_gent",
	       "gent seq 3 created before its predecessor note_gent: "
	       "created may go backwards along a feed");
	vector("chain_gap", env, len, "chain", "chain", "pred=summary_gent",
	       "created_backwards (gent seq 3) at a receiver whose head of "
	       "gent is summary_gent (seq 1): a gap is chain");
	ls_free(env);
	proto_doc_fini(&d);

	/* Damaged envelopes of note_gent. */
	b = dup_blob(note.data, note.len);
	b.data[b.len - 1] ^= 0x01;
	vector("bad_signature", b.data, b.len, "doc", "sig", "",
	       "note_gent with the last signature byte flipped");
	free(b.data);
	vector("truncated", note.data, note.len - 1, "doc", "decode", "",
	       "note_gent without its last byte");
	b = dup_blob(note.data, note.len);
	b.data[b.len] = 0xc0;
	vector("trailing_bytes", b.data, b.len + 1, "doc", "decode", "",
	       "note_gent followed by one byte (nil)");
	b.data[1] = 0x02;
	vector("format_version_2", b.data, b.len, "doc", "decode", "",
	       "note_gent claiming format version 2");
	b.data[1] = 0x01;
	b.data[0] = 0x96; /* six elements: the nil is the sixth */
	vector("envelope_array_6", b.data, b.len + 1, "doc", "decode", "",
	       "note_gent as an envelope of 6 elements (a nil after the "
	       "signature): a fixed array with another count is decode");
	b.data[0] = 0x95;
	b.data[3] = 0xd9; /* the key id as a str */
	vector("wrong_type_key_id", b.data, b.len, "doc", "decode", "",
	       "envelope whose key id is a str, not a bin");
	free(b.data);
	{
		/* the key id as a bin of 9: its 8 bytes and a zero */
		struct blob k9 = dup_blob(note.data, note.len); /* +16 room */
		memcpy(k9.data, note.data, 13);
		k9.data[4] = 0x09;
		k9.data[13] = 0x00;
		memcpy(k9.data + 14, note.data + 13, note.len - 13);
		vector("key_id_9_bytes", k9.data, note.len + 1, "doc", "decode",
		       "",
		       "note_gent whose key id is a bin of 9 bytes: \"bin "
		       "N\" is exactly N bytes, another length is decode, "
		       "not limit");
		free(k9.data);
	}
	{
		/* a payload bin32 claiming 2 MiB */
		static const uint8_t big[] = {
		    0x95, 0x01, 0x01, 0xc4, 0x08, 1,    2,
		    3,    4,    5,    6,    7,    8,    0xc6,
		    0x00, 0x20, 0x00, 0x00, 0x81, 0x00, 0x01};
		vector("oversized_payload_length", big, sizeof big, "doc",
		       "limit", "",
		       "envelope whose payload claims 2 MiB (limit 1 MiB)");
	}
	{
		/* the feed's seq as a str, correctly signed */
		struct mp_writer w;
		struct blob p, e2;
		proto_mp_writer_init(&w, 4096);
		proto_mp_write_map(&w, 6);
		proto_mp_write_uint(&w, 0);
		proto_mp_write_uint(&w, LS_DOC_STATUS);
		proto_mp_write_uint(&w, 1);
		proto_mp_write_cstr(&w, "kortrijk");
		proto_mp_write_uint(&w, 2);
		proto_mp_write_cstr(&w, "1");
		proto_mp_write_uint(&w, 3);
		proto_mp_write_bin(&w, (uint8_t[LS_HASH_BYTES]){0},
		                   LS_HASH_BYTES);
		proto_mp_write_uint(&w, 4);
		proto_mp_write_int(&w, FX_NOW - 60);
		proto_mp_write_uint(&w, 5);
		proto_mp_write_map(&w, 0);
		if (proto_mp_writer_finish(&w, &p.data, &p.len) != LS_OK)
			die("payload");
		e2 = sign_raw(&p, "kortrijk");
		vector("wrong_type_seq", e2.data, e2.len, "doc", "decode", "",
		       "a status whose seq is the str \"1\"");
		ls_free(e2.data);
		ls_free(p.data);
	}

	/* Keys and authors. */
	{
		struct {
			const char *name;
			enum ls_doc_type type;
			const char *origin, *key;
			uint64_t seq;
			int64_t created;
			const char *expect, *what;
		} cases[] = {
		    {"unknown_key", LS_DOC_STATUS, "kortrijk", "intruder", 1,
		     FX_NOW - 60, "key", "signed by a key no roster lists"},
		    {"revoked_key", LS_DOC_STATUS, "roeselare",
		     "roeselare-stolen", 4, FX_T_REVOKE - 86400, "revoked",
		     "revoked key, a position after its last good seq 3 "
		     "(backdated before the revocation)"},
		    {"revoked_key_after", LS_DOC_STATUS, "roeselare",
		     "roeselare-stolen", 3, FX_T_REVOKE, "revoked",
		     "revoked key, created at the revocation time"},
		    {"revoked_key_history", LS_DOC_STATUS, "roeselare",
		     "roeselare-stolen", 3, FX_T_REVOKE - 1, "ok",
		     "revoked key, signed before the revocation at a good "
		     "position: still valid"},
		    {"expired_key", LS_DOC_STATUS, "gent", "gent-2025a", 7,
		     FX_T_ROTATE + 60, "expired",
		     "gent's first key after its validity ended"},
		    {"rotated_key_history", LS_DOC_STATUS, "gent", "gent-2025a",
		     6, FX_T_ROTATE - 60, "ok",
		     "gent's first key while it was valid"},
		    {"member_left", LS_DOC_STATUS, "mortsel", "mortsel", 9,
		     FX_T_LEFT + 60, "revoked",
		     "mortsel after it left the federation"},
		    {"member_left_history", LS_DOC_STATUS, "mortsel",
		     "mortsel", 100, FX_T_LEFT - 60, "ok",
		     "mortsel before it left, at the last position of its "
		     "feed the removal kept (left_seq 100)"},
		    {"member_left_after_seq", LS_DOC_STATUS, "mortsel",
		     "mortsel", 101, FX_T_LEFT - 86400, "revoked",
		     "mortsel's key, dated before it left, at a position "
		     "after the removal's left_seq 100"},
		    {"wrong_origin", LS_DOC_STATUS, "kortrijk", "gent", 1,
		     FX_NOW - 60, "denied",
		     "gent's key signing for origin kortrijk"},
		    {"aggregator_summary", LS_DOC_SUMMARY, "vvsg", "vvsg", 1,
		     FX_NOW - 60, "denied",
		     "the aggregator may not author summaries"},
		    {"member_policy", LS_DOC_POLICY, FX_FEDERATION, "gent", 1,
		     FX_NOW - 60, "denied",
		     "a member key may not sign federation documents"},
		    {"future_document", LS_DOC_STATUS, "kortrijk", "kortrijk",
		     1, FX_NOW + 3600, "expired",
		     "created an hour after now (skew 300 s)"},
		    {"status_vvsg", LS_DOC_STATUS, "vvsg", "vvsg", 1,
		     FX_NOW - 60, "ok",
		     "the aggregator's status: peer results ok and net (a "
		     "failure name, no wire code)"},
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			doc_init(&d, cases[i].type, cases[i].origin,
			         cases[i].seq, cases[i].created);
			if (cases[i].type == LS_DOC_STATUS)
				fx_status(&d.body.status, 4);
			else if (cases[i].type == LS_DOC_SUMMARY)
				fx_summary(&d.body.summary, cases[i].origin,
				           2025, 10, 50, 1);
			else
				fx_policy(&d.body.policy);
			head.seq = cases[i].seq - 1;
			memcpy(head.hash, d.hdr.prev, LS_HASH_BYTES);
			env = sign_doc(&d, &head, cases[i].created,
			               cases[i].key, &len);
			vector(cases[i].name, env, len, "doc", cases[i].expect,
			       "", cases[i].what);
			ls_free(env);
			proto_doc_fini(&d);
		}
	}

	/* A status as software 0.1.0 wrote it: key 2 held the last capture
	 * time and a counter counted signals. Receivers still take it (its
	 * feed must stay whole) and show neither (PROTOCOL.md 5.5). */
	{
		doc_init(&d, LS_DOC_STATUS, "kortrijk", 1, FX_NOW - 60);
		fx_status(&d.body.status, 2);
		d.body.status.legacy_capture = FX_NOW - 3600;
		strcpy(d.body.status.counters[2].name, "signals_total");
		d.body.status.counters[2].value = 5678;
		head.seq = 0;
		memset(head.hash, 0, LS_HASH_BYTES);
		env = sign_doc(&d, &head, FX_NOW - 60, "kortrijk", &len);
		vector("status_legacy", env, len, "doc", "ok", "",
		       "a status of older software with a capture time in key "
		       "2 and a signals_total counter: decoded, never shown");
		ls_free(env);
		proto_doc_fini(&d);
	}

	/* Status variants (PROTOCOL.md 5.5), kortrijk seq 1. */
	{
		struct ls_feed_head h0 = {0};
		doc_init(&d, LS_DOC_STATUS, "kortrijk", 1, FX_NOW - 60);
		fx_status(&d.body.status, 3);
		strcpy(d.body.status.peers[2].result, "timeout");
		env = sign_doc(&d, &h0, FX_NOW - 60, "kortrijk", &len);
		vector("status_result_timeout", env, len, "doc", "ok", "",
		       "a status whose peer result is timeout (a failure name "
		       "that is no wire code): any code is accepted");
		ls_free(env);
		proto_doc_fini(&d);
		status_raw("status_missing_field", 0, "decode",
		           "a status body without key 4 (counters): every "
		           "field is required");
		status_raw("status_peer_array_4", 1, "decode",
		           "a status whose peer entry is an array of 4, not 3: "
		           "a wrong fixed-array count is decode");
		status_raw("status_long_integers", 3, "ok",
		           "a status whose seq is a uint 64, created an int 64 "
		           "and uptime a uint 32: every integer format whose "
		           "value is in range is accepted (shortest is only a "
		           "SHOULD for writers)");
		status_raw("status_keys_out_of_order", 4, "decode",
		           "a status body with key 1 before key 0: map keys "
		           "strictly ascending");
		status_raw("status_key_uint8", 5, "decode",
		           "a status body whose key 0 is written as a uint 8 "
		           "(0xcc 0x00): a key is a positive fixint");
		status_raw(
		    "status_uptime_negative", 6, "decode",
		    "a status whose uptime is -1 (a negative fixint): an "
		    "integer outside its range is decode");
		status_raw(
		    "status_uptime_nil", 7, "decode",
		    "a status whose uptime is nil: nil never appears in a "
		    "known field");
		status_raw("status_peers_beyond_bytes", 2, "limit",
		           "a status whose peers claim 10 entries (at least 5 "
		           "bytes each, section 11) with 16 bytes left: limit, "
		           "before any entry is read");
	}

	/* Policy epochs (PROTOCOL.md 5.3): a tightening to k = 7 at
	 * FX_NOW - 10 days (federation seq 4), summaries of kortrijk judged
	 * by the policy of their time, and a backdated policy. */
	{
		struct ls_feed_head f4 = fed, f5, after_k7;
		struct blob p7;
		proto_doc_init(&d, LS_DOC_POLICY);
		strcpy(d.hdr.origin, FX_FEDERATION);
		fx_policy(&d.body.policy);
		d.body.policy.params.k = 7;
		env = sign_doc(&d, &f4, FX_NOW - 10 * 86400, "federation",
		               &len);
		p7 = dup_blob(env, len);
		after_k7 = f4;
		vector("policy_k7", env, len, "doc", "ok", "",
		       "a tightening to k=7 (federation seq 4), created ten "
		       "days before now");
		ls_free(env);
		f5 = f4;
		d.body.policy.params.k = 9;
		env = sign_doc(&d, &f5, FX_NOW - 10 * 86400, "federation",
		               &len);
		vector("policy_k9_same_second", env, len, "policy-epoch", "ok",
		       "pred=policy_k7",
		       "federation seq 5 (k=9) created in the same second as "
		       "policy_k7: not earlier, accepted");
		ls_free(env);
		env = sign_doc(&d, &f4, FX_NOW - 11 * 86400, "federation",
		               &len);
		vector("policy_backdated", env, len, "policy-epoch", "policy",
		       "pred=policy_k7",
		       "federation seq 5 (k=9) created a day before policy_k7: "
		       "it would apply retroactively");
		ls_free(env);
		f5 = after_k7;
		d.body.policy.params.k = 5;
		env = sign_doc(&d, &f5, FX_NOW - 7 * 86400, "federation",
		               &len);
		vector("policy_k5_loosened", env, len, "policy-epoch", "ok",
		       "pred=policy_k7",
		       "federation seq 5: back to k=5, created seven days "
		       "before now (three after policy_k7)");
		ls_free(env);
		proto_doc_fini(&d);
		free(p7.data);
		for (int i = 0; i < 5; i++) {
			struct ls_feed_head hk = {0};
			static const char *const names[] = {
			    "summary_older_policy", "summary_after_tightening",
			    "summary_same_second", "summary_below_every_policy",
			    "summary_after_tightening_loosened"};
			static const char *const expect[] = {
			    "ok", "uncounted", "ok", "policy", "ok"};
			static const char *const policies[] = {
			    "policies=policy,policy_k7",
			    "policies=policy,policy_k7",
			    "policies=policy,policy_k7",
			    "policies=policy,policy_k7",
			    "policies=policy,policy_k7,policy_k5_loosened"};
			static const char *const what[] = {
			    "k=5, created before policy_k7: judged by policy "
			    "(k=5), not by the policy in force now",
			    "k=5, created after policy_k7 by a node that had "
			    "not learned it: policy_k7 refuses it, the earlier "
			    "policy allows it: held (its feed goes on), counted "
			    "nowhere",
			    "k=5, created in the second policy_k7 was: the "
			    "policy before it may judge it",
			    "k=4, created after policy_k7: no policy of the "
			    "feed up to its time allows it: refused",
			    "the bytes of summary_after_tightening, with "
			    "policy_k5_loosened (created before it) in the "
			    "feed: it counts"};
			const int64_t at[] = {FX_NOW - 20 * 86400,
			                      FX_NOW - 5 * 86400,
			                      FX_NOW - 10 * 86400,
			                      FX_NOW - 5 * 86400,
			                      FX_NOW - 5 * 86400};
			doc_init(&d, LS_DOC_SUMMARY, "kortrijk", 1, at[i]);
			fx_summary(&d.body.summary, "kortrijk", 2025, 10, 40,
			           9);
			/* k=5 cells are valid for k=4 too (0 or >= 5;
			 * ranges cover 1..4) */
			if (i == 3)
				d.body.summary.params.k = 4;
			env = sign_doc(&d, &hk, at[i], "kortrijk", &len);
			vector(names[i], env, len, "summary-epoch", expect[i],
			       policies[i], what[i]);
			ls_free(env);
			proto_doc_fini(&d);
		}
		summary_epoch("summary_same_second_two", FX_NOW - 10 * 86400,
		              "ok", "policies=policy,policy_k7,policy_k9_same_second",
		              "k=5, created in the second of policy_k7 and "
		              "policy_k9_same_second: judged by k=9 (fails) or "
		              "by the policy in force the second before, k=5 "
		              "(passes), never by k=7");
		/* October 2025 settles 7 days after 2025-11-01T00:00:00Z:
		 * at 1762560000 (2025-11-08T00:00:00Z), in UTC; in Brussels
		 * time (UTC+1) it would be an hour earlier. */
		summary_epoch("summary_before_settled_utc", 1762559999,
		              "policy", "policies=policy",
		              "October 2025 released at 2025-11-07T23:59:59Z, "
		              "a second before it settled in UTC (settle 7 "
		              "days; already settled in Brussels time)");
		summary_epoch("summary_settled_utc", 1762560000, "ok",
		              "policies=policy",
		              "October 2025 released at 2025-11-08T00:00:00Z, "
		              "the first second it settled (UTC)");
	}

	/* Roster successors (PROTOCOL.md 6, "Successor rule"): federation
	 * seq 4 after the test roster, the same roster, then with mortsel's
	 * left_seq changed or dropped. */
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = {
		    "roster_successor", "roster_left_seq_changed",
		    "roster_left_seq_dropped", "roster_role_changed"};
		static const char *const expect[] = {"ok", "policy", "policy",
		                                     "policy"};
		static const char *const what[] = {
		    "the test roster again as federation seq 4: a valid "
		    "successor",
		    "mortsel's left_seq 100 changed to 101: no valid successor",
		    "mortsel's left_seq 100 left out: no valid successor",
		    "gent made an aggregator: a role never changes (its "
		    "summaries would turn denied for late receivers)"};
		struct ls_feed_head f4 = fed;
		proto_doc_init(&d, LS_DOC_ROSTER);
		strcpy(d.hdr.origin, FX_FEDERATION);
		fx_roster(&d.body.roster);
		for (size_t j = 0; j < d.body.roster.n_members; j++) {
			struct ls_roster_member *m = &d.body.roster.members[j];
			if (i == 3 && strcmp(m->node_id, "gent") == 0)
				m->role = LS_ROLE_AGGREGATOR;
			if (strcmp(m->node_id, "mortsel") != 0)
				continue;
			if (i == 1)
				m->left_seq = FX_LEFT_AFTER_SEQ + 1;
			else if (i == 2)
				m->has_left_seq = 0;
		}
		env = sign_doc(&d, &f4, FX_NOW - 3600, "federation", &len);
		vector(names[i], env, len, "roster-successor", expect[i],
		       "pred=roster", what[i]);
		ls_free(env);
		proto_doc_fini(&d);
	}

	/* A roster whose member key id is not its key's (PROTOCOL.md 2). */
	{
		struct blob p, e2;
		proto_doc_init(&d, LS_DOC_ROSTER);
		strcpy(d.hdr.origin, FX_FEDERATION);
		fx_roster(&d.body.roster);
		d.body.roster.members[0].keys[0].key_id[0] ^= 0x01;
		d.hdr.seq = fed.seq + 1;
		memcpy(d.hdr.prev, fed.hash, LS_HASH_BYTES);
		d.hdr.created = FX_NOW - 3600;
		p = raw_payload(&d, 0, -1);
		e2 = sign_raw(&p, "federation");
		vector("roster_key_id_mismatch", e2.data, e2.len, "doc",
		       "decode", "",
		       "federation seq 4: a roster whose first member's key "
		       "id is not the first 8 bytes of BLAKE2b-256 of its key");
		ls_free(e2.data);
		ls_free(p.data);
		proto_doc_fini(&d);
	}

	/* A fork: two statuses of kortrijk at seq 1. */
	for (int i = 0; i < 2; i++) {
		struct ls_feed_head h = {0};
		doc_init(&d, LS_DOC_STATUS, "kortrijk", 1, FX_NOW - 600);
		fx_status(&d.body.status, 3);
		d.body.status.uptime = 1000 + (uint64_t)i;
		env = sign_doc(&d, &h, FX_NOW - 600, "kortrijk", &len);
		if (i == 0) {
			fork_a = dup_blob(env, len);
			vector("fork_a", env, len, "doc", "ok", "",
			       "kortrijk seq 1");
		} else {
			fork_b = dup_blob(env, len);
			vector("fork_b", env, len, "fork", "fork",
			       "other=fork_a",
			       "another kortrijk seq 1: with fork_a a fork");
		}
		ls_free(env);
		proto_doc_fini(&d);
	}
	if (proto_fork_proof_encode(fork_a.data, fork_a.len, fork_b.data,
	                            fork_b.len, &env, &len) != LS_OK)
		die("fork proof");
	vector("fork_proof", env, len, "forkproof", "ok", "",
	       "the portable proof of fork_a/fork_b (smaller hash first)");
	ls_free(env);
	{
		struct mp_writer w;
		proto_mp_writer_init(&w, 4 * LS_ENVELOPE_MAX);
		proto_mp_write_array(&w, 2);
		proto_mp_write_bin(&w, fork_a.data, fork_a.len);
		proto_mp_write_bin(&w, fork_a.data, fork_a.len);
		if (proto_mp_writer_finish(&w, &env, &len) != LS_OK)
			die("proof");
		vector("fork_proof_same", env, len, "forkproof", "inval", "",
		       "a \"proof\" holding the same document twice");
		ls_free(env);
	}
	{
		/* both, the larger hash first */
		struct mp_writer w;
		struct ls_envelope ea, eb;
		uint8_t ha[LS_HASH_BYTES], hb[LS_HASH_BYTES];
		struct blob *first = &fork_a, *second = &fork_b;
		if (proto_envelope_decode(fork_a.data, fork_a.len, &ea, NULL) !=
		        LS_OK ||
		    proto_envelope_decode(fork_b.data, fork_b.len, &eb, NULL) !=
		        LS_OK)
			die("fork envelopes");
		proto_doc_hash(ea.payload, ea.payload_len, ha);
		proto_doc_hash(eb.payload, eb.payload_len, hb);
		if (memcmp(ha, hb, LS_HASH_BYTES) < 0) {
			first = &fork_b;
			second = &fork_a;
		}
		proto_mp_writer_init(&w, 4 * LS_ENVELOPE_MAX);
		proto_mp_write_array(&w, 2);
		proto_mp_write_bin(&w, first->data, first->len);
		proto_mp_write_bin(&w, second->data, second->len);
		if (proto_mp_writer_finish(&w, &env, &len) != LS_OK)
			die("proof");
		vector("fork_proof_reversed", env, len, "forkproof", "decode",
		       "",
		       "fork_a and fork_b with the larger hash first: a proof "
		       "has one encoding, another order is decode");
		ls_free(env);
	}

	/* Sync messages. */
	{
		struct ls_sync_msg m;
		struct ls_vv_entry e[3];
		char hex[65];
		uint8_t digest[32];

		proto_sync_msg_init(&m, LS_SYNC_VV_REP);
		memset(e, 0, sizeof e);
		strcpy(e[0].origin, FX_FEDERATION);
		e[0].seq = 3;
		memset(e[0].head, 0xf1, 32);
		strcpy(e[1].origin, "gent");
		e[1].seq = 2;
		memset(e[1].head, 0xf2, 32);
		strcpy(e[2].origin, "kortrijk");
		e[2].seq = 1;
		memset(e[2].head, 0xf3, 32);
		e[2].flags = LS_VV_FORKED;
		m.vv.entries = e;
		m.vv.n = 3;
		b = encode_sync(&m);
		proto_vv_digest(&m.vv, digest);
		ls_hex_encode(digest, 32, hex);
		snprintf(params, sizeof params, "type=vv_rep digest=%s", hex);
		vector("sync_vv_rep", b.data, b.len, "sync", "ok", params,
		       "a version vector of three origins (one forked) and "
		       "its digest");
		ls_free(b.data);

		proto_sync_msg_init(&m, LS_SYNC_DIGEST_REQ);
		memcpy(m.digest, digest, 32);
		m.n_origins = 3;
		b = encode_sync(&m);
		vector("sync_digest_req", b.data, b.len, "sync", "ok",
		       "type=digest_req", "the digest of sync_vv_rep");
		ls_free(b.data);
		m.type = LS_SYNC_DIGEST_REP;
		b = encode_sync(&m);
		vector("sync_digest_rep", b.data, b.len, "sync", "ok",
		       "type=digest_rep", "the same digest: in sync");
		ls_free(b.data);

		proto_sync_msg_init(&m, LS_SYNC_VV_REQ);
		b = encode_sync(&m);
		vector("sync_vv_req", b.data, b.len, "sync", "ok",
		       "type=vv_req", "ask for the version vector");
		ls_free(b.data);

		{
			struct ls_sync_want wants[2];
			memset(wants, 0, sizeof wants);
			strcpy(wants[0].origin, "gent");
			wants[0].from = 1;
			wants[0].to = 0;
			strcpy(wants[1].origin, "kortrijk");
			wants[1].from = 1;
			wants[1].to = 1;
			proto_sync_msg_init(&m, LS_SYNC_DOCS_REQ);
			m.wants = wants;
			m.n_wants = 2;
			m.max_docs = 64;
			m.max_bytes = LS_SYNC_PAGE_MAX_BYTES;
			b = encode_sync(&m);
			vector("sync_docs_req", b.data, b.len, "sync", "ok",
			       "type=docs_req",
			       "gent from seq 1 to its head, kortrijk seq 1");
			ls_free(b.data);
		}
		{
			struct ls_bytes docs[2] = {{summary.data, summary.len},
			                           {note.data, note.len}};
			proto_sync_msg_init(&m, LS_SYNC_DOCS_REP);
			m.docs = docs;
			m.n_docs = 2;
			m.more = 1;
			b = encode_sync(&m);
			vector("sync_docs_rep", b.data, b.len, "sync", "ok",
			       "type=docs_rep docs=summary_gent,note_gent",
			       "a page with summary_gent and note_gent, more "
			       "to come");
			ls_free(b.data);
			m.type = LS_SYNC_PUSH_REQ;
			m.more = 0;
			b = encode_sync(&m);
			vector("sync_push_req", b.data, b.len, "sync", "ok",
			       "type=push_req docs=summary_gent,note_gent",
			       "push two documents");
			ls_free(b.data);
			/* Pages taken in order (PROTOCOL.md 7, "Order of a
			 * page"). */
			docs[1] = docs[0];
			b = encode_sync(&m);
			vector("sync_push_repeated", b.data, b.len, "push-page",
			       "ok",
			       "docs=summary_gent,summary_gent results=ok,exists",
			       "summary_gent twice in one push: stored once, the "
			       "second copy exists");
			ls_free(b.data);
			docs[0].data = note.data;
			docs[0].len = note.len;
			b = encode_sync(&m);
			vector("sync_push_out_of_order", b.data, b.len,
			       "push-page", "ok",
			       "docs=note_gent,summary_gent results=chain,ok",
			       "note_gent (seq 2) before summary_gent (seq 1): "
			       "taken in page order, so note_gent is chain and "
			       "only summary_gent is stored");
			ls_free(b.data);
			/* the vector `truncated`: note_gent less a byte */
			docs[0].data = note.data;
			docs[0].len = note.len - 1;
			docs[1].data = summary.data;
			docs[1].len = summary.len;
			b = encode_sync(&m);
			vector(
			    "sync_push_bad_document", b.data, b.len,
			    "push-page", "ok",
			    "docs=truncated,summary_gent results=decode,ok",
			    "a page whose first envelope is cut short: that "
			    "document's refusal (decode), not the message's; "
			    "the next is taken");
			ls_free(b.data);
			docs[0].data = fork_a.data;
			docs[0].len = fork_a.len;
			docs[1].data = fork_b.data;
			docs[1].len = fork_b.len;
			m.type = LS_SYNC_FORK_REP;
			b = encode_sync(&m);
			vector("sync_fork_rep", b.data, b.len, "sync", "ok",
			       "type=fork_rep docs=fork_a,fork_b",
			       "the two documents of kortrijk's fork");
			ls_free(b.data);
			{
				/* the same with a third document: a fixed
				 * array of 2 with 3 */
				struct ls_bytes three[3] = {docs[0], docs[1],
				                            docs[0]};
				m.docs = three;
				m.n_docs = 3;
				m.type = LS_SYNC_PUSH_REQ; /* encodes any count */
				b = encode_sync(&m);
				if (b.data[2] != LS_SYNC_PUSH_REQ)
					die("fork_rep type");
				b.data[2] = LS_SYNC_FORK_REP;
				vector("sync_fork_rep_3", b.data, b.len, "sync",
				       "decode", "",
				       "a fork_rep with 3 documents: its docs are "
				       "an array of exactly 2, another count is "
				       "decode");
				ls_free(b.data);
				m.docs = docs;
				m.n_docs = 2;
			}
		}
		{
			uint16_t results[2] = {0, 16};
			proto_sync_msg_init(&m, LS_SYNC_PUSH_REP);
			m.results = results;
			m.n_results = 2;
			b = encode_sync(&m);
			vector("sync_push_rep", b.data, b.len, "sync", "ok",
			       "type=push_rep",
			       "first stored, second already held (16)");
			ls_free(b.data);
		}
		proto_sync_msg_init(&m, LS_SYNC_FORK_REQ);
		strcpy(m.origin, "kortrijk");
		b = encode_sync(&m);
		vector("sync_fork_req", b.data, b.len, "sync", "ok",
		       "type=fork_req", "ask for kortrijk's fork proof");
		ls_free(b.data);
		proto_sync_msg_init(&m, LS_SYNC_ERROR);
		m.code = proto_wire_code(LS_EBUSY);
		strcpy(m.detail, "replay_guard_full");
		b = encode_sync(&m);
		vector("sync_error", b.data, b.len, "sync", "ok", "type=error",
		       "busy (11), try later");
		ls_free(b.data);
	}
	{
		static const uint8_t oversized[] = {
		    0x84, 0x00, 0x05, 0x01, 0xdd, 0xff, 0xff,
		    0xff, 0xff, 0x02, 0x01, 0x03, 0x00};
		static const uint8_t trailing[] = {0x81, 0x00, 0x03, 0xc0};
		static const uint8_t unknown[] = {0x82, 0x00, 0x03, 0x07, 0x00};
		static const uint8_t ext[] = {0x82, 0x00, 0x03, 0x41, 0x01};
		static const uint8_t wrong_type[] = {
		    0x83, 0x00, 0x01, 0x01, 0xa2, 'h', 'i', 0x02, 0x00};
		static const uint8_t many_docs[] = {0x83, 0x00, 0x06, 0x01,
		                                    0xdd, 0x00, 0x10, 0x00,
		                                    0x00, 0x02, 0xc2};
		vector("sync_oversized_count", oversized, sizeof oversized,
		       "sync", "limit", "",
		       "docs_req whose wants claim 4 Gi entries in 13 bytes");
		vector("sync_oversized_page", many_docs, sizeof many_docs,
		       "sync", "limit", "",
		       "docs_rep claiming 1 Mi documents (limit 1024)");
		vector("sync_trailing", trailing, sizeof trailing, "sync",
		       "decode", "", "vv_req followed by nil");
		vector("sync_push_empty", (const uint8_t[]){0x82, 0x00, 0x07,
		                                            0x01, 0x90},
		       5, "sync", "decode", "",
		       "a push_req with no documents (1..1024): a count below "
		       "a range's minimum is decode");
		vector("sync_max_docs_1025",
		       (const uint8_t[]){0x84, 0x00, 0x05, 0x01, 0x91, 0x93,
		                         0xa4, 'g',  'e',  'n',  't',  0x01,
		                         0x00, 0x02, 0xcd, 0x04, 0x01, 0x03,
		                         0xce, 0x00, 0x10, 0x00, 0x80},
		       23, "sync", "decode", "",
		       "a docs_req whose max_docs is 1025 (1..1024): an "
		       "integer outside its range is decode; limit is for "
		       "counts and lengths");
		vector("sync_unknown_core_field", unknown, sizeof unknown,
		       "sync", "decode", "", "vv_req with core key 7");
		vector("sync_extension_field", ext, sizeof ext, "sync", "ok",
		       "type=vv_req", "vv_req with extension key 65: skipped");
		vector("sync_wrong_type", wrong_type, sizeof wrong_type, "sync",
		       "decode", "", "digest_req whose digest is a str");
		{
			struct ls_sync_msg m;
			proto_sync_msg_init(&m, LS_SYNC_DIGEST_REQ);
			memset(m.digest, 0x42, sizeof m.digest);
			m.n_origins = 3;
			b = encode_sync(&m);
			vector("sync_truncated", b.data, 20, "sync", "decode",
			       "", "digest_req cut inside its digest");
			ls_free(b.data);
		}
	}
	free(roster.data);
	free(summary.data);
	free(note.data);
	free(fork_a.data);
	free(fork_b.data);
}

/* A request from `from` to `to`, stamped ts, with name-derived
 * randomness; plain is sync_digest_req. */
static struct blob seal(const char *name, const char *from, const char *to,
                        int64_t ts, const uint8_t *plain, size_t plain_len,
                        const char *nonce_label)
{
	struct ls_keypair *kp = fx_key(from), *peer = fx_key(to);
	struct proto_session_self *self;
	struct proto_session_call *call;
	uint8_t eph[32], nonce[24];
	struct blob out;
	derive(name, eph, sizeof eph);
	derive(nonce_label, nonce, sizeof nonce);
	if (proto_session_self_new(kp, &self) != LS_OK ||
	    proto_session_seal_request_with(
	        self, peer->key_id, peer->pk, ts, plain, plain_len, eph, nonce,
	        &out.data, &out.len, &call) != LS_OK)
		die("seal");
	proto_session_call_free(call);
	proto_session_self_free(self);
	proto_keypair_free(kp);
	proto_keypair_free(peer);
	return out;
}

static void sessions(void)
{
	struct ls_sync_msg m;
	struct blob plain, reply_plain, req, b;
	char params[512], eph_hex[65], nonce_hex[49];
	uint8_t eph[32], nonce[24];

	proto_sync_msg_init(&m, LS_SYNC_DIGEST_REQ);
	memset(m.digest, 0xd1, 32);
	m.n_origins = 12;
	plain = encode_sync(&m);
	m.type = LS_SYNC_DIGEST_REP;
	reply_plain = encode_sync(&m);

	derive("session_request", eph, sizeof eph);
	derive("nonce:session_request", nonce, sizeof nonce);
	ls_hex_encode(eph, 32, eph_hex);
	ls_hex_encode(nonce, 24, nonce_hex);
	req = seal("session_request", "gent", "kortrijk", FX_NOW, plain.data,
	           plain.len, "nonce:session_request");
	write_hex("session_plain", plain.data, plain.len);
	write_hex("session_reply_plain", reply_plain.data, reply_plain.len);
	snprintf(params, sizeof params,
	         "from=gent to=kortrijk now=%lld plain=session_plain "
	         "eph=%s nonce=%s",
	         (long long)FX_NOW, eph_hex, nonce_hex);
	vector("session_request", req.data, req.len, "session-request", "ok",
	       params,
	       "gent asks kortrijk for its digest (plaintext "
	       "session_plain.hex)");
	vector("session_resend", req.data, req.len, "session-request", "resend",
	       "to=kortrijk now=1764547205 after=session_request",
	       "the same bytes again (an nng REQ resend): answered, not "
	       "re-executed as new");
	vector("session_for_another_node", req.data, req.len, "session-request",
	       "denied", "to=roeselare now=1764547200",
	       "gent's request to kortrijk, received by roeselare");
	b = dup_blob(req.data, req.len);
	b.data[b.len - 1] ^= 1;
	vector("session_tampered", b.data, b.len, "session-request", "sig",
	       "to=kortrijk now=1764547200",
	       "session_request with one ciphertext bit flipped");
	vector("session_truncated", req.data, req.len - 1, "session-request",
	       "decode", "to=kortrijk now=1764547200",
	       "session_request without its last byte");
	{
		/* E, the 7th element, replaced by the all-zero point */
		struct blob z = dup_blob(req.data, req.len);
		zero_frame_key(z.data, z.len, 6, "request frame E");
		vector("session_low_order", z.data, z.len, "session-request",
		       "sig", "to=kortrijk now=1764547200",
		       "session_request whose ephemeral key E is the all-zero "
		       "point: the X25519 result is all zero, refused as sig");
		free(z.data);
	}
	free(b.data);

	/* the reply, with a fixed server ephemeral */
	{
		struct proto_session_self *self;
		struct proto_session_reply *reply;
		struct ls_keypair *kp = fx_key("kortrijk");
		struct ls_roster r;
		struct ls_session_request info;
		uint8_t *p, f[32];
		size_t plen;
		fx_roster(&r);
		if (proto_session_self_new(kp, &self) != LS_OK ||
		    proto_session_open_request(self, &r, FX_NOW, req.data,
		                               req.len, &info, &p, &plen,
		                               &reply, NULL) != LS_OK)
			die("open");
		derive("session_reply", f, sizeof f);
		if (proto_session_seal_reply_with(reply, reply_plain.data,
		                                  reply_plain.len, f, &b.data,
		                                  &b.len) != LS_OK)
			die("reply");
		snprintf(params, sizeof params,
		         "request=session_request from=gent to=kortrijk "
		         "plain=session_reply_plain");
		vector("session_reply", b.data, b.len, "session-reply", "ok",
		       params,
		       "kortrijk's sealed answer (plaintext "
		       "session_reply_plain.hex)");
		{
			/* F, the 6th element, replaced by the all-zero
			 * point */
			zero_frame_key(b.data, b.len, 5, "reply frame F");
			vector("session_reply_low_order", b.data, b.len,
			       "session-reply", "sig",
			       "request=session_request from=gent to=kortrijk",
			       "session_reply whose ephemeral key F is the "
			       "all-zero point: the X25519 result is all zero, "
			       "refused as sig");
		}
		ls_free(b.data);
		ls_free(p);
		proto_session_reply_free(reply);
		proto_session_self_free(self);
		proto_keypair_free(kp);
		proto_roster_fini(&r);
	}
	if (proto_session_encode_refusal(LS_EREPLAY, FX_NOW, &b.data, &b.len) !=
	    LS_OK)
		die("refusal");
	vector("session_refusal", b.data, b.len, "session-reply", "replay",
	       "request=session_request from=gent to=kortrijk",
	       "an unauthenticated refusal: replay (9)");
	ls_free(b.data);

	/* same nonce, other bytes: a replay */
	b = seal("session_replay", "gent", "kortrijk", FX_NOW + 1, plain.data,
	         plain.len, "nonce:session_request");
	vector("session_replay", b.data, b.len, "session-request", "replay",
	       "to=kortrijk now=1764547205 after=session_request",
	       "a request reusing session_request's nonce with other bytes");
	ls_free(b.data);
	/* Requests refused for their time or their sender, each sealed
	 * with a nonce of its own ("nonce:" and its name). */
	static const struct {
		const char *name, *sender;
		int64_t skew; /* its ts against FX_NOW */
		const char *code, *note;
	} refused[] = {
	    {"session_stale", "gent", -400, "replay",
	     "stamped 400 s before now (window 300 s)"},
	    {"session_future", "gent", +400, "replay",
	     "stamped 400 s after now"},
	    {"session_unknown_sender", "intruder", 0, "key",
	     "from a key the roster does not list"},
	    {"session_revoked_sender", "roeselare-stolen", 0, "revoked",
	     "from roeselare's revoked key"},
	    {"session_removed_member", "mortsel", 0, "revoked",
	     "from mortsel, which left the federation"},
	    {"session_expired_sender", "gent-2025a", 0, "expired",
	     "from gent's first key, closed at its rotation"},
	    {"session_federation_sender", "federation", 0, "denied",
	     "from the federation key, which never holds sessions"},
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char label[64];
		snprintf(label, sizeof label, "nonce:%s", refused[i].name);
		b = seal(refused[i].name, refused[i].sender, "kortrijk",
		         FX_NOW + refused[i].skew, plain.data, plain.len, label);
		vector(refused[i].name, b.data, b.len, "session-request",
		       refused[i].code, "to=kortrijk now=1764547200",
		       refused[i].note);
		ls_free(b.data);
	}
	ls_free(req.data);
	ls_free(plain.data);
	ls_free(reply_plain.data);
}

static void test_keys(void)
{
	static const char *const names[] = {
	    "federation",
	    "berlaar",
	    "bornem",
	    "dendermonde",
	    "eeklo",
	    "eeklo-2024",
	    "gent",
	    "gent-2025a",
	    "kortrijk",
	    "mortsel",
	    "oud-turnhout",
	    "roeselare",
	    "roeselare-stolen",
	    "sint-niklaas",
	    "vvsg",
	    "intruder",
	};
	char path[512], hex[129];
	FILE *f;
	snprintf(path, sizeof path, "%s/test-keys.txt", dir);
	f = fopen(path, "w");
	if (f == NULL)
		die(strerror(errno));
	fprintf(f, "# TEST keys of the test vectors. Public test data: never "
	           "use them for anything else.\n"
	           "# seed = BLAKE2b-256(\"lokaal-signaal test key \" || "
	           "name); Ed25519 keypair from the seed.\n"
	           "# name\tkey_id\tpublic key\tseed\n");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct ls_keypair *kp = fx_key(names[i]);
		fprintf(f, "%s\t", names[i]);
		ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, hex);
		fprintf(f, "%s\t", hex);
		ls_hex_encode(kp->pk, LS_PUBKEY_BYTES, hex);
		fprintf(f, "%s\t", hex);
		ls_hex_encode(kp->sk, 32, hex); /* the seed half */
		fprintf(f, "%s\n", hex);
		proto_keypair_free(kp);
	}
	if (fclose(f) != 0)
		die("write");
}

/* ---- secure aggregation (PROTOCOL.md section 15) ---------------------- */

static struct blob sign_secagg(struct ls_secagg_msg *m, const char *key)
{
	struct ls_keypair *kp = fx_key(key);
	struct ls_errinfo e;
	struct blob b;
	if (proto_secagg_msg_sign(m, kp, &b.data, &b.len, &e) != LS_OK)
		die(e.msg);
	proto_keypair_free(kp);
	return b;
}

static void secagg_vector(const char *name, struct blob b, const char *expect,
                          const char *key, const char *type, const char *what)
{
	char params[128];
	snprintf(params, sizeof params, "key=%s type=%s", key, type);
	vector(name, b.data, b.len, "secagg", expect, params, what);
}

/* Secure-aggregation requests and replies in the sync session (15.7):
 * a map, key 0 the type (13..18), then the signed messages as bins. */
static void req_vector(const char *name, const uint8_t *b, size_t len,
                       const char *expect, const char *type,
                       const char *what)
{
	char params[64];
	snprintf(params, sizeof params, "type=%s", type);
	vector(name, b, len, "secagg_req", expect, params, what);
}

static struct blob raw_map(int n, const int *keys, const uint8_t *const *bins,
                           const size_t *lens, int type, int trailing)
{
	struct mp_writer w;
	struct blob b;
	proto_mp_writer_init(&w, 1 << 22);
	proto_mp_write_map(&w, (uint32_t)n + 1);
	proto_mp_write_uint(&w, 0);
	proto_mp_write_uint(&w, (uint64_t)type);
	for (int i = 0; i < n; i++) {
		proto_mp_write_uint(&w, (uint64_t)keys[i]);
		proto_mp_write_bin(&w, bins[i], lens[i]);
	}
	if (trailing)
		proto_mp_write_raw(&w, "\xc0", 1);
	if (proto_mp_writer_finish(&w, &b.data, &b.len) != LS_OK)
		die("secagg request");
	return b;
}

static void secagg_requests(const uint8_t *open, size_t open_len,
                            const uint8_t *key, size_t key_len)
{
	struct ls_secagg_req q;
	struct ls_sync_msg err;
	struct blob b;
	const uint8_t *bins[3] = {open, open, open};
	size_t lens[3] = {open_len, open_len, open_len};
	int keys[3] = {1, 2, 3};

	memset(&q, 0, sizeof q);
	q.type = LS_SECAGG_OPEN_REQ;
	q.open.data = open;
	q.open.len = open_len;
	if (proto_secagg_req_encode(&q, &b.data, &b.len, NULL) != LS_OK)
		die("open_req");
	req_vector("secagg_req_open", b.data, b.len, "ok", "secagg_open_req",
	           "the aggregator asks a member for its key: secagg_open "
	           "as field 1");
	ls_free(b.data);

	memset(&q, 0, sizeof q);
	q.type = LS_SECAGG_KEY_REP;
	q.msg.data = key;
	q.msg.len = key_len;
	if (proto_secagg_req_encode(&q, &b.data, &b.len, NULL) != LS_OK)
		die("key_rep");
	req_vector("secagg_req_key", b.data, b.len, "ok", "secagg_key_rep",
	           "gent's answer: secagg_key as field 1");
	ls_free(b.data);

	b = raw_map(3, keys, bins, lens, LS_SECAGG_CLOSE_REQ, 0);
	req_vector("secagg_req_close", b.data, b.len, "ok", "secagg_close_req",
	           "a close request: open, key set and close as fields 1-3 "
	           "(here three copies of secagg_open: this layer checks "
	           "only structure and sizes)");
	ls_free(b.data);

	proto_sync_msg_init(&err, LS_SYNC_ERROR);
	err.code = proto_wire_code(LS_ENOTFOUND);
	if (proto_sync_encode(&err, &b.data, &b.len, NULL) != LS_OK)
		die("error");
	vector("secagg_req_error", b.data, b.len, "sync", "ok", "type=error",
	       "a member's refusal of a secagg request: a sync error "
	       "(not found: no release of the period)");
	ls_free(b.data);

	b = raw_map(2, keys, bins, lens, LS_SECAGG_CLOSE_REQ, 0);
	req_vector("secagg_req_missing_field", b.data, b.len, "decode",
	           "secagg_close_req", "a close request without its close");
	ls_free(b.data);

	b = raw_map(2, keys, bins, lens, LS_SECAGG_OPEN_REQ, 0);
	req_vector("secagg_req_unknown_core_field", b.data, b.len, "decode",
	           "secagg_open_req",
	           "an open request with a field 2 (core keys it does not "
	           "have are refused)");
	ls_free(b.data);

	keys[1] = 64;
	b = raw_map(2, keys, bins, lens, LS_SECAGG_OPEN_REQ, 0);
	req_vector("secagg_req_extension_field", b.data, b.len, "ok",
	           "secagg_open_req",
	           "an open request with extension field 64 (skipped)");
	ls_free(b.data);

	lens[0] = 0;
	b = raw_map(1, keys, bins, lens, LS_SECAGG_OPEN_REQ, 0);
	req_vector("secagg_req_empty_field", b.data, b.len, "decode",
	           "secagg_open_req", "an open request with an empty open");
	ls_free(b.data);
	lens[0] = open_len;

	b = raw_map(1, keys, bins, lens, LS_SECAGG_OPEN_REQ, 1);
	req_vector("secagg_req_trailing", b.data, b.len, "decode",
	           "secagg_open_req", "secagg_req_open and one byte (nil)");
	ls_free(b.data);

	{
		struct mp_writer w;
		proto_mp_writer_init(&w, 1 << 22);
		proto_mp_write_map(&w, 2);
		proto_mp_write_uint(&w, 1);
		proto_mp_write_bin(&w, open, open_len);
		proto_mp_write_uint(&w, 0);
		proto_mp_write_uint(&w, LS_SECAGG_OPEN_REQ);
		if (proto_mp_writer_finish(&w, &b.data, &b.len) != LS_OK)
			die("type not first");
		req_vector("secagg_req_type_not_first", b.data, b.len,
		           "decode", "secagg_open_req",
		           "the type after field 1");
		ls_free(b.data);
	}
}

static void secagg(void)
{
	struct ls_doc d;
	struct ls_feed_head head = {0};
	struct ls_secagg_msg m, o;
	struct ls_keypair *kp;
	struct blob b;
	ls_secagg_id members[3] = {"eeklo", "gent", "kortrijk"};
	uint8_t vec[8 * 4], pk[32], seed[32], sk[32];
	size_t len, open_len, key_len;
	uint8_t *env, *open_copy, *key_copy;

	/* The federation summary document. */
	doc_init(&d, LS_DOC_FEDSUM, "vvsg", 1, FX_NOW - 3600);
	fx_fedsum(&d.body.fedsum);
	{
		/* PROTOCOL.md 15.5: the cap of the policy in force when it
		 * was made (the vector `policy`), else a receiver refuses it
		 * (`policy`). */
		struct ls_policy pol;
		fx_policy(&pol);
		d.body.fedsum.persons_cap = pol.params.persons_cap;
	}
	env = sign_doc(&d, &head, FX_NOW - 3600, "vvsg", &len);
	vector("fedsum_vvsg", env, len, "doc", "ok", "",
	       "a federation summary of October 2025 by the association: "
	       "the ten pilots in the total, Skellam noise mu 1/4 and 25");
	ls_free(env);
	proto_doc_fini(&d);
	doc_init(&d, LS_DOC_FEDSUM, "gent", 1, FX_NOW - 3600);
	fx_fedsum(&d.body.fedsum);
	memset(&head, 0, sizeof head);
	env = sign_doc(&d, &head, FX_NOW - 3600, "gent", &len);
	vector("fedsum_by_municipality", env, len, "doc", "denied", "",
	       "a federation summary authored by a municipality");
	ls_free(env);
	proto_doc_fini(&d);

	/* A round: open, a key, a contribution. */
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_OPEN;
	strcpy(m.signer, "vvsg");
	m.u.open.period = (struct ls_period){2025, 10, 1};
	m.u.open.attempt = 1;
	memset(m.u.open.layout, 0x11, sizeof m.u.open.layout);
	m.u.open.n_entries = 4;
	m.u.open.noise.mu[0] = (struct secagg_rational){1, 4};
	m.u.open.noise.mu[1] = (struct secagg_rational){25, 1};
	m.u.open.k = 0;
	m.u.open.min_parties = 2;
	m.u.open.created = FX_NOW;
	m.u.open.deadline = FX_NOW + 3600;
	m.u.open.members = members;
	m.u.open.n_members = 3;
	b = sign_secagg(&m, "vvsg");
	secagg_vector("secagg_open", b, "ok", "vvsg", "open",
	              "open: October 2025, attempt 1, 4 entries, members "
	              "eeklo, gent, kortrijk; its round id is BLAKE2b-256 of "
	              "\"ls-secagg-round-v1\" and the payload");
	kp = fx_key("vvsg");
	memset(&o, 0, sizeof o);
	if (proto_secagg_msg_verify(b.data, b.len, kp->pk, &o, NULL) != LS_OK)
		die("open");
	proto_keypair_free(kp);
	open_copy = b.data;
	open_len = b.len;

	derive("secagg gent", seed, sizeof seed);
	if (proto_secagg_ephemeral(seed, o.round, sk, pk) != LS_OK)
		die("ephemeral");
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_KEY;
	strcpy(m.signer, "gent");
	memcpy(m.round, o.round, sizeof m.round);
	memcpy(m.u.key.pk, pk, sizeof pk);
	b = sign_secagg(&m, "gent");
	secagg_vector("secagg_key", b, "ok", "gent", "key",
	              "gent's ephemeral X25519 key for the round of "
	              "secagg_open");
	key_copy = b.data;
	key_len = b.len;

	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_CONTRIB;
	strcpy(m.signer, "gent");
	memcpy(m.round, o.round, sizeof m.round);
	memset(m.u.contrib.keyset, 0x22, sizeof m.u.contrib.keyset);
	derive("secagg masked vector", vec, sizeof vec);
	m.u.contrib.n = 4;
	m.u.contrib.bytes = vec;
	b = sign_secagg(&m, "gent");
	secagg_vector("secagg_contrib", b, "ok", "gent", "contrib",
	              "gent's masked vector of 4 entries");
	b.data[b.len - 1] ^= 1;
	secagg_vector("secagg_bad_signature", b, "sig", "gent", "contrib",
	              "secagg_contrib with the last signature byte flipped");
	b.data[b.len - 1] ^= 1;
	secagg_vector("secagg_wrong_key", b, "key", "kortrijk", "contrib",
	              "secagg_contrib checked against kortrijk's key");
	b.data = ls_realloc(b.data, b.len + 1);
	if (b.data == NULL)
		die("alloc");
	b.data[b.len++] = 0xc0;
	secagg_vector("secagg_trailing", b, "decode", "gent", "contrib",
	              "secagg_contrib followed by one byte (nil)");
	ls_free(b.data);
	/* A vector whose length is not a multiple of 8 (signed as it is). */
	{
		struct ls_keypair *gk = fx_key("gent");
		struct mp_writer w;
		uint8_t *payload, *in, sig[64];
		size_t plen, n;
		proto_mp_writer_init(&w, 4096);
		proto_mp_write_map(&w, 3);
		proto_mp_write_uint(&w, 0);
		proto_mp_write_bin(&w, o.round, sizeof o.round);
		proto_mp_write_uint(&w, 1);
		proto_mp_write_bin(&w, m.u.contrib.keyset, 32);
		proto_mp_write_uint(&w, 2);
		proto_mp_write_bin(&w, vec, 31);
		if (proto_mp_writer_finish(&w, &payload, &plen) != LS_OK)
			die("payload");
		n = 23 + 3 + 4 + LS_KEY_ID_BYTES + plen;
		in = malloc(n);
		if (in == NULL)
			die("alloc");
		memcpy(in, LS_SECAGG_SIG_CONTEXT, 23);
		in[23] = LS_SECAGG_VERSION;
		in[24] = LS_SECAGG_CONTRIB;
		in[25] = 4;
		memcpy(in + 26, "gent", 4);
		memcpy(in + 30, gk->key_id, LS_KEY_ID_BYTES);
		memcpy(in + 30 + LS_KEY_ID_BYTES, payload, plen);
		crypto_sign_detached(sig, NULL, in, n, gk->sk);
		free(in);
		proto_mp_writer_init(&w, 8192);
		proto_mp_write_array(&w, 6);
		proto_mp_write_uint(&w, LS_SECAGG_VERSION);
		proto_mp_write_uint(&w, LS_SECAGG_CONTRIB);
		proto_mp_write_cstr(&w, "gent");
		proto_mp_write_bin(&w, gk->key_id, LS_KEY_ID_BYTES);
		proto_mp_write_bin(&w, payload, plen);
		proto_mp_write_bin(&w, sig, sizeof sig);
		ls_free(payload);
		if (proto_mp_writer_finish(&w, &b.data, &b.len) != LS_OK)
			die("message");
		secagg_vector("secagg_odd_vector", b, "decode", "gent",
		              "contrib",
		              "a contribution of 31 bytes (not 8 per entry), "
		              "correctly signed");
		ls_free(b.data);
		proto_keypair_free(gk);
	}
	secagg_requests(open_copy, open_len, key_copy, key_len);
	ls_free(open_copy);
	ls_free(key_copy);
	proto_secagg_msg_fini(&o);
	sodium_memzero(sk, sizeof sk);
}

int main(int argc, char **argv)
{
	char path[512];
	if (argc != 2) {
		fprintf(stderr, "usage: vectorgen DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die(strerror(errno));
	snprintf(path, sizeof path, "%s/MANIFEST", dir);
	manifest = fopen(path, "w");
	if (manifest == NULL)
		die(strerror(errno));
	fprintf(manifest, "# Lokaal Signaal protocol test vectors, written by "
	                  "build/tests/vectorgen (see README.md).\n"
	                  "# name\tkind\texpect\tparameters\tdescription\n");
	documents_and_sync();
	sessions();
	secagg();
	test_keys();
	if (fclose(manifest) != 0)
		die("write");
	return 0;
}
