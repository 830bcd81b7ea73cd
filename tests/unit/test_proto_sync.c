/*
 * proto/sync: every message round-trips; malformed, oversized and
 * inconsistent messages are refused without changing the output; pages
 * respect their bounds; version-vector digests and differences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/text.h"
#include "proto/mp.h"
#include "proto/sync.h"

static const uint8_t doc_a[] = {0x95, 1, 1, 0xc4, 1, 0xaa, 0xc4, 1, 0xbb};
static const uint8_t doc_b[] = {0x95, 1, 1, 0xc4, 1, 0xcc};

static struct ls_vv_entry vv_entry(const char *origin, uint64_t seq,
                                   uint8_t head, uint8_t flags)
{
	struct ls_vv_entry x;
	memset(&x, 0, sizeof x);
	strcpy(x.origin, origin);
	x.seq = seq;
	memset(x.head, head, sizeof x.head);
	x.flags = flags;
	return x;
}

/* One message of every type, with content. */
static void make_msg(struct ls_sync_msg *m, enum ls_sync_type type)
{
	proto_sync_msg_init(m, type);
	switch (type) {
	case LS_SYNC_DIGEST_REQ:
	case LS_SYNC_DIGEST_REP:
		memset(m->digest, 0x42, sizeof m->digest);
		m->n_origins = 11;
		break;
	case LS_SYNC_VV_REP:
		m->vv.entries = ls_calloc(3, sizeof *m->vv.entries);
		m->vv.entries[0] = vv_entry("federatie", 4, 1, 0);
		m->vv.entries[1] = vv_entry("gent", 17, 2, LS_VV_FORKED);
		m->vv.entries[2] = vv_entry("kortrijk", 3, 3, 0);
		m->vv.n = 3;
		break;
	case LS_SYNC_DOCS_REQ:
		m->wants = ls_calloc(2, sizeof *m->wants);
		strcpy(m->wants[0].origin, "gent");
		m->wants[0].from = 5;
		m->wants[0].to = 0;
		strcpy(m->wants[1].origin, "eeklo");
		m->wants[1].from = 2;
		m->wants[1].to = 2;
		m->n_wants = 2;
		m->max_docs = 100;
		m->max_bytes = LS_SYNC_PAGE_MAX_BYTES;
		break;
	case LS_SYNC_DOCS_REP:
	case LS_SYNC_PUSH_REQ:
	case LS_SYNC_FORK_REP:
		assert_int_equal(
		    proto_sync_page_add(m, NULL, doc_a, sizeof doc_a), LS_OK);
		assert_int_equal(
		    proto_sync_page_add(m, NULL, doc_b, sizeof doc_b), LS_OK);
		m->more = type == LS_SYNC_DOCS_REP;
		break;
	case LS_SYNC_PUSH_REP:
		m->results = ls_calloc(2, sizeof *m->results);
		m->results[0] = 0;
		m->results[1] = proto_wire_code(LS_EEXISTS);
		m->n_results = 2;
		break;
	case LS_SYNC_FORK_REQ:
		strcpy(m->origin, "oud-turnhout");
		break;
	case LS_SYNC_ERROR:
		m->code = proto_wire_code(LS_EBUSY);
		strcpy(m->detail, "try_later");
		break;
	default:
		break;
	}
}

static void test_every_message_round_trips(void **state)
{
	(void)state;
	for (uint8_t t = 1; t <= LS_SYNC_TYPE_MAX_; t++) {
		struct ls_sync_msg m, back;
		uint8_t *buf, *again;
		size_t len, again_len;
		struct ls_errinfo e;
		make_msg(&m, t);
		assert_int_equal(proto_sync_encode(&m, &buf, &len, &e), LS_OK);
		assert_int_equal(proto_sync_decode(buf, len, &back, &e), LS_OK);
		assert_int_equal(back.type, t);
		assert_int_equal(back.n_docs, m.n_docs);
		for (size_t i = 0; i < m.n_docs; i++) {
			assert_int_equal(back.docs[i].len, m.docs[i].len);
			assert_memory_equal(back.docs[i].data, m.docs[i].data,
			                    m.docs[i].len);
			/* zero copy: the page points into the buffer */
			assert_true(back.docs[i].data > buf &&
			            back.docs[i].data < buf + len);
		}
		assert_int_equal(back.n_wants, m.n_wants);
		assert_int_equal(back.vv.n, m.vv.n);
		assert_int_equal(back.more, m.more);
		assert_string_equal(back.origin, m.origin);
		assert_string_equal(back.detail, m.detail);
		/* and the same bytes again */
		assert_int_equal(
		    proto_sync_encode(&back, &again, &again_len, &e), LS_OK);
		assert_int_equal(again_len, len);
		assert_memory_equal(again, buf, len);
		ls_free(again);
		ls_free(buf);
		proto_sync_msg_fini(&back);
		proto_sync_msg_fini(&m);
	}
}

static void expect_refused(const uint8_t *buf, size_t len, int want)
{
	struct ls_sync_msg out;
	uint8_t pattern[sizeof out];
	struct ls_errinfo e;
	memset(&out, 0x3c, sizeof out);
	memset(pattern, 0x3c, sizeof pattern);
	ls_errinfo_clear(&e);
	assert_int_equal(proto_sync_decode(buf, len, &out, &e), want);
	assert_int_equal(e.code, want);
	assert_true(strlen(e.msg) > 0);
	assert_memory_equal(&out, pattern, sizeof out);
}

#define REFUSED(want, ...)                                                     \
	do {                                                                   \
		static const uint8_t b_[] = {__VA_ARGS__};                     \
		expect_refused(b_, sizeof b_, want);                           \
	} while (0)

static void test_malformed_messages_are_refused(void **state)
{
	(void)state;
	REFUSED(LS_EDECODE, 0x90);                   /* not a map */
	REFUSED(LS_EDECODE, 0x80);                   /* no type */
	REFUSED(LS_EDECODE, 0x81, 0x01, 0x01);       /* type not first */
	REFUSED(LS_EDECODE, 0x81, 0x00, 0x0c);       /* unknown type */
	REFUSED(LS_EDECODE, 0x81, 0x00, 0x00);       /* type 0 */
	REFUSED(LS_EDECODE, 0x81, 0x00, 0xa1, 'x');  /* a str type */
	REFUSED(LS_EDECODE, 0x81, 0x00, 0x03, 0xc0); /* trailing */
	/* VV_REQ with a core field it does not have */
	REFUSED(LS_EDECODE, 0x82, 0x00, 0x03, 0x01, 0x00);
	/* FORK_REQ without its origin */
	REFUSED(LS_EDECODE, 0x81, 0x00, 0x09);
	/* FORK_REQ with a bad origin */
	REFUSED(LS_EDECODE, 0x82, 0x00, 0x09, 0x01, 0xa2, 'G', 'x');
	/* ERROR with code 0 */
	REFUSED(LS_EDECODE, 0x83, 0x00, 0x0b, 0x01, 0x00, 0x02, 0xa0);
	/* DIGEST_REQ with a short digest */
	REFUSED(LS_EDECODE, 0x83, 0x00, 0x01, 0x01, 0xc4, 0x01, 0x00, 0x02,
	        0x00);
	/* DOCS_REQ with no wants */
	REFUSED(LS_EDECODE, 0x84, 0x00, 0x05, 0x01, 0x90, 0x02, 0x01, 0x03,
	        0xce, 0x00, 0x40, 0x00, 0x00);
	/* DOCS_REQ: to before from */
	REFUSED(LS_EDECODE, 0x84, 0x00, 0x05, 0x01, 0x91, 0x93, 0xa1, 'g', 0x05,
	        0x04, 0x02, 0x01, 0x03, 0xce, 0x00, 0x40, 0x00, 0x00);
	/* DOCS_REQ: a page byte bound below one envelope */
	REFUSED(LS_EDECODE, 0x84, 0x00, 0x05, 0x01, 0x91, 0x93, 0xa1, 'g', 0x01,
	        0x00, 0x02, 0x01, 0x03, 0xcd, 0x10, 0x00);
	/* DOCS_REP with an unknown extension field: fine */
	{
		static const uint8_t ok[] = {0x84, 0x00, 0x06, 0x01, 0x90,
		                             0x02, 0xc2, 0x50, 0x91, 0xc0};
		struct ls_sync_msg m;
		assert_int_equal(proto_sync_decode(ok, sizeof ok, &m, NULL),
		                 LS_OK);
		assert_int_equal(m.n_docs, 0);
		proto_sync_msg_fini(&m);
	}
	/* ... but not a core one */
	REFUSED(LS_EDECODE, 0x84, 0x00, 0x06, 0x01, 0x90, 0x02, 0xc2, 0x05,
	        0xc0);
	/* VV_REP: flags the version does not know, unsorted */
	{
		struct ls_sync_msg m;
		uint8_t *buf;
		size_t len;
		make_msg(&m, LS_SYNC_VV_REP);
		assert_int_equal(proto_sync_encode(&m, &buf, &len, NULL),
		                 LS_OK);
		buf[len - 1] = 0x02; /* flags of the last entry */
		expect_refused(buf, len, LS_EDECODE);
		ls_free(buf);
		m.vv.entries[2].origin[0] = 'a'; /* "aortrijk" < "gent" */
		assert_int_equal(proto_sync_encode(&m, &buf, &len, NULL),
		                 LS_EINVAL);
		proto_sync_msg_fini(&m);
	}
}

static void test_every_truncation_is_refused(void **state)
{
	(void)state;
	for (uint8_t t = 1; t <= LS_SYNC_TYPE_MAX_; t++) {
		struct ls_sync_msg m, out;
		uint8_t *buf;
		size_t len;
		make_msg(&m, t);
		assert_int_equal(proto_sync_encode(&m, &buf, &len, NULL),
		                 LS_OK);
		for (size_t cut = 0; cut < len; cut++)
			assert_int_not_equal(
			    proto_sync_decode(buf, cut, &out, NULL), LS_OK);
		ls_free(buf);
		proto_sync_msg_fini(&m);
	}
}

static void test_oversized_counts_and_lengths(void **state)
{
	uint8_t *big;
	(void)state;
	/* wants: 4 Gi claimed in a few bytes */
	REFUSED(LS_ELIMIT, 0x84, 0x00, 0x05, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff,
	        0x02, 0x01, 0x03, 0x00);
	/* more wants than allowed, even if the bytes were there */
	REFUSED(LS_ELIMIT, 0x82, 0x00, 0x05, 0x01, 0xdc, 0x01, 0x01);
	/* a page with more documents than a page may hold */
	REFUSED(LS_ELIMIT, 0x83, 0x00, 0x06, 0x01, 0xdc, 0x04, 0x01);
	/* a document beyond the envelope limit */
	REFUSED(LS_ELIMIT, 0x83, 0x00, 0x07, 0x01, 0x91, 0xc6, 0x00, 0x20, 0x00,
	        0x00);
	/* a fork reply with three documents: its docs are an array of
	 * exactly 2, and a fixed-size array with another count is decode
	 * (PROTOCOL.md 1; vector sync_fork_rep_3), also a count far beyond
	 * the bytes */
	REFUSED(LS_EDECODE, 0x82, 0x00, 0x0a, 0x01, 0x93, 0xc4, 0x01, 0x00,
	        0xc4, 0x01, 0x00, 0xc4, 0x01, 0x00);
	REFUSED(LS_EDECODE, 0x82, 0x00, 0x0a, 0x01, 0xdd, 0xff, 0xff, 0xff,
	        0xff);
	/* a vector with more origins than a roster can have */
	REFUSED(LS_ELIMIT, 0x82, 0x00, 0x04, 0x01, 0xdd, 0x00, 0x01, 0x00,
	        0x00);
	/* a whole message beyond the limit */
	big = calloc(1, LS_SYNC_MSG_MAX + 1);
	expect_refused(big, LS_SYNC_MSG_MAX + 1, LS_ELIMIT);
	free(big);
	/* the documents of a page add up beyond the page limit */
	{
		struct mp_writer w;
		uint8_t *buf, *doc = calloc(1, LS_ENVELOPE_MAX);
		size_t len;
		int n = LS_SYNC_PAGE_MAX_BYTES / LS_ENVELOPE_MAX + 1;
		proto_mp_writer_init(&w, LS_SYNC_MSG_MAX + LS_ENVELOPE_MAX);
		proto_mp_write_map(&w, 3);
		proto_mp_write_uint(&w, 0);
		proto_mp_write_uint(&w, LS_SYNC_DOCS_REP);
		proto_mp_write_uint(&w, 1);
		proto_mp_write_array(&w, (uint32_t)n);
		for (int i = 0; i < n; i++)
			proto_mp_write_bin(&w, doc, LS_ENVELOPE_MAX);
		proto_mp_write_uint(&w, 2);
		proto_mp_write_bool(&w, 0);
		assert_int_equal(proto_mp_writer_finish(&w, &buf, &len), LS_OK);
		if (len <= LS_SYNC_MSG_MAX)
			expect_refused(buf, len, LS_ELIMIT);
		/* with one document fewer it fits */
		ls_free(buf);
		free(doc);
	}
}

static void test_pages_respect_their_bounds(void **state)
{
	struct ls_sync_msg req, page, out;
	uint8_t *doc = calloc(1, LS_ENVELOPE_MAX), *buf;
	size_t len;
	struct ls_errinfo e;
	(void)state;
	make_msg(&req, LS_SYNC_DOCS_REQ);
	req.max_docs = 3;
	req.max_bytes = LS_ENVELOPE_MAX + 100;
	proto_sync_msg_init(&page, LS_SYNC_DOCS_REP);
	/* the first document always fits, even at the byte bound */
	assert_int_equal(proto_sync_page_add(&page, &req, doc, LS_ENVELOPE_MAX),
	                 LS_OK);
	assert_int_equal(proto_sync_page_add(&page, &req, doc, 101), LS_ELIMIT);
	assert_int_equal(page.n_docs, 1);
	assert_int_equal(proto_sync_page_add(&page, &req, doc, 60), LS_OK);
	assert_int_equal(proto_sync_page_add(&page, &req, doc, 40), LS_OK);
	assert_int_equal(proto_sync_page_add(&page, &req, doc, 1), LS_ELIMIT);
	assert_int_equal(page.n_docs, 3);
	assert_int_equal(page.docs_bytes, LS_ENVELOPE_MAX + 100);
	page.more = 1;
	assert_int_equal(proto_sync_check_reply(&req, &page, &e), LS_OK);
	/* a reply beyond what was asked is refused by the client */
	assert_int_equal(proto_sync_encode(&page, &buf, &len, &e), LS_OK);
	assert_int_equal(proto_sync_decode(buf, len, &out, &e), LS_OK);
	req.max_docs = 2;
	assert_int_equal(proto_sync_check_reply(&req, &out, &e), LS_ELIMIT);
	/* and a reply of the wrong type */
	out.type = LS_SYNC_VV_REP;
	assert_int_equal(proto_sync_check_reply(&req, &out, &e), LS_EDECODE);
	out.type = LS_SYNC_ERROR;
	assert_int_equal(proto_sync_check_reply(&req, &out, &e), LS_OK);
	out.type = LS_SYNC_DOCS_REP;
	proto_sync_msg_fini(&out);
	ls_free(buf);
	/* allocation failure leaves the page as it was */
	ls_alloc_fail_nth(1);
	assert_int_equal(proto_sync_page_add(&page, NULL, doc, 1), LS_ENOMEM);
	ls_alloc_fail_nth(0);
	assert_int_equal(page.n_docs, 3);
	proto_sync_msg_fini(&page);
	proto_sync_msg_fini(&req);
	free(doc);
	assert_int_equal(proto_sync_reply_type(LS_SYNC_PUSH_REQ),
	                 LS_SYNC_PUSH_REP);
	assert_int_equal(proto_sync_reply_type(LS_SYNC_PUSH_REP), 0);
	assert_int_equal(proto_sync_reply_type(LS_SYNC_ERROR), 0);
}

static void test_push_results_must_match(void **state)
{
	struct ls_sync_msg req, rep;
	struct ls_errinfo e;
	(void)state;
	make_msg(&req, LS_SYNC_PUSH_REQ);
	make_msg(&rep, LS_SYNC_PUSH_REP);
	assert_int_equal(proto_sync_check_reply(&req, &rep, &e), LS_OK);
	rep.n_results = 1;
	assert_int_equal(proto_sync_check_reply(&req, &rep, &e), LS_EDECODE);
	rep.n_results = 2;
	proto_sync_msg_fini(&req);
	proto_sync_msg_fini(&rep);
}

static void test_vv_digest(void **state)
{
	struct ls_vv a = {0}, b = {0};
	struct ls_vv_entry ea[2], eb[2];
	uint8_t da[32], db[32], empty[32];
	char hex[65];
	(void)state;
	proto_vv_digest(&a, empty);
	ls_hex_encode(empty, 32, hex);
	/* BLAKE2b-256 of nothing */
	assert_string_equal(
	    hex,
	    "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	ea[0] = vv_entry("eeklo", 3, 7, 0);
	ea[1] = vv_entry("gent", 9, 8, 0);
	eb[0] = ea[0];
	eb[1] = ea[1];
	a.entries = ea;
	a.n = 2;
	b.entries = eb;
	b.n = 2;
	proto_vv_digest(&a, da);
	proto_vv_digest(&b, db);
	assert_memory_equal(da, db, 32);
	/* every field counts */
	eb[1].seq = 10;
	proto_vv_digest(&b, db);
	assert_memory_not_equal(da, db, 32);
	eb[1].seq = 9;
	eb[1].head[31] ^= 1;
	proto_vv_digest(&b, db);
	assert_memory_not_equal(da, db, 32);
	eb[1].head[31] ^= 1;
	eb[1].flags = LS_VV_FORKED;
	proto_vv_digest(&b, db);
	assert_memory_not_equal(da, db, 32);
	eb[1].flags = 0;
	/* origin boundaries are unambiguous: "eeklo","gent" != "eeklog","ent"
	 */
	strcpy(eb[0].origin, "eeklog");
	strcpy(eb[1].origin, "ent");
	proto_vv_digest(&b, db);
	assert_memory_not_equal(da, db, 32);
}

static void test_vv_diff(void **state)
{
	struct ls_vv mine = {0}, theirs = {0};
	struct ls_vv_entry m[4], t[5];
	struct ls_vv_diff d;
	(void)state;
	m[0] = vv_entry("bornem", 5, 1, 0);
	m[1] = vv_entry("eeklo", 4, 2, 0);
	m[2] = vv_entry("gent", 9, 3, LS_VV_FORKED);
	m[3] = vv_entry("mortsel", 7, 4, 0);
	t[0] = vv_entry("berlaar", 2, 9, 0); /* new to me */
	t[1] = vv_entry("bornem", 8, 1, 0);  /* ahead */
	t[2] = vv_entry("eeklo", 4, 5, 0);   /* same seq, other head */
	t[3] = vv_entry("gent", 12, 3, 0);   /* I stopped this feed */
	t[4] = vv_entry("kortrijk", 1, 6, LS_VV_FORKED); /* they hold a proof */
	mine.entries = m;
	mine.n = 4;
	theirs.entries = t;
	theirs.n = 5;
	assert_int_equal(proto_vv_validate(&mine, NULL), LS_OK);
	assert_int_equal(proto_vv_diff(&mine, &theirs, &d), LS_OK);
	assert_int_equal(d.n_wants, 4);
	assert_string_equal(d.wants[0].origin, "berlaar");
	assert_int_equal(d.wants[0].from, 1);
	assert_int_equal(d.wants[0].to, 2);
	assert_string_equal(d.wants[1].origin, "bornem");
	assert_int_equal(d.wants[1].from, 6);
	assert_int_equal(d.wants[1].to, 8);
	assert_string_equal(d.wants[2].origin, "eeklo");
	assert_int_equal(d.wants[2].from, 4);
	assert_int_equal(d.wants[2].to, 4);
	assert_string_equal(d.wants[3].origin, "kortrijk");
	assert_int_equal(d.n_forks, 1);
	assert_string_equal(d.forks[0], "kortrijk");
	proto_vv_diff_fini(&d);
	/* equal vectors: nothing to do */
	assert_int_equal(proto_vv_diff(&mine, &mine, &d), LS_OK);
	assert_int_equal(d.n_wants, 0);
	assert_int_equal(d.n_forks, 0);
	proto_vv_diff_fini(&d);
	/* Out of memory at either allocation: *out untouched; then the
	 * same call gives the whole answer. */
	for (long n = 1; n <= 2; n++) {
		uint8_t pattern[sizeof d];
		memset(&d, 0x5a, sizeof d);
		memset(pattern, 0x5a, sizeof pattern);
		ls_alloc_fail_nth(n);
		assert_int_equal(proto_vv_diff(&mine, &theirs, &d), LS_ENOMEM);
		ls_alloc_fail_nth(0);
		assert_memory_equal(&d, pattern, sizeof d);
	}
	assert_int_equal(proto_vv_diff(&mine, &theirs, &d), LS_OK);
	assert_int_equal(d.n_wants, 4);
	assert_string_equal(d.wants[3].origin, "kortrijk");
	assert_int_equal(d.n_forks, 1);
	proto_vv_diff_fini(&d);
}

static void test_wire_codes_are_stable(void **state)
{
	(void)state;
	assert_int_equal(proto_wire_code(LS_OK), 0);
	assert_int_equal(proto_wire_code(LS_EDECODE), 1);
	assert_int_equal(proto_wire_code(LS_EREPLAY), 9);
	assert_int_equal(proto_wire_code(LS_EEXISTS), 16);
	assert_int_equal(proto_wire_code(LS_EIO), 12); /* internal */
	assert_int_equal(proto_wire_code_to_err(7), LS_EFORK);
	assert_int_equal(proto_wire_code_to_err(999), LS_EINTERNAL);
	for (int c = 0; c < LS_ERR_COUNT_; c++) {
		uint16_t w = proto_wire_code(c);
		int back = proto_wire_code_to_err(w);
		assert_true(back == c || back == LS_EINTERNAL);
	}
}

static void test_allocation_failures_unwind(void **state)
{
	(void)state;
	for (uint8_t t = 1; t <= LS_SYNC_TYPE_MAX_; t++) {
		struct ls_sync_msg m, out;
		uint8_t *buf;
		size_t len;
		long count;
		make_msg(&m, t);
		assert_int_equal(proto_sync_encode(&m, &buf, &len, NULL),
		                 LS_OK);
		ls_alloc_fail_nth(0);
		assert_int_equal(proto_sync_decode(buf, len, &out, NULL),
		                 LS_OK);
		count = ls_alloc_fail_nth(0);
		proto_sync_msg_fini(&out);
		for (long n = 1; n <= count; n++) {
			uint8_t pattern[sizeof out];
			int rc;
			/* *out untouched on failure (proto/sync.h) */
			memset(&out, 0x5a, sizeof out);
			memset(pattern, 0x5a, sizeof pattern);
			ls_alloc_fail_nth(n);
			rc = proto_sync_decode(buf, len, &out, NULL);
			ls_alloc_fail_nth(0);
			assert_int_equal(rc, LS_ENOMEM);
			assert_memory_equal(&out, pattern, sizeof out);
		}
		/* The encoder: a failed encode leaves *out and *len as they
		 * were (the earlier buffer stays the caller's); one that
		 * succeeds gives the same bytes as before. */
		for (long n = 1;; n++) {
			uint8_t *again = buf;
			size_t again_len = len;
			int rc;
			ls_alloc_fail_nth(n);
			rc = proto_sync_encode(&m, &again, &again_len, NULL);
			ls_alloc_fail_nth(0);
			if (rc == LS_OK) {
				assert_int_equal(again_len, len);
				assert_memory_equal(again, buf, len);
				ls_free(again);
				break;
			}
			assert_int_equal(rc, LS_ENOMEM);
			assert_ptr_equal(again, buf);
			assert_int_equal(again_len, len);
			assert_true(n < 1000);
		}
		ls_free(buf);
		proto_sync_msg_fini(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_round_trips),
	    cmocka_unit_test(test_malformed_messages_are_refused),
	    cmocka_unit_test(test_every_truncation_is_refused),
	    cmocka_unit_test(test_oversized_counts_and_lengths),
	    cmocka_unit_test(test_pages_respect_their_bounds),
	    cmocka_unit_test(test_push_results_must_match),
	    cmocka_unit_test(test_vv_digest),
	    cmocka_unit_test(test_vv_diff),
	    cmocka_unit_test(test_wire_codes_are_stable),
	    cmocka_unit_test(test_allocation_failures_unwind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
