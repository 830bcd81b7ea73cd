/*
 * The protocol test vectors (tests/vectors/): the C implementation must
 * reach exactly the outcome the manifest states for every vector. This
 * program reads only the vector files and the documented key derivation;
 * it does not use the generator's code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/text.h"
#include "proto/doc.h"
#include "proto/doc_policy.h"
#include "proto/doc_roster.h"
#include "proto/replay.h"
#include "proto/secagg_msg.h"
#include "proto/session.h"
#include "proto/secagg_req.h"
#include "proto/sync.h"

#define MAX_VECTORS 256

struct vec {
	char name[64], kind[32], expect[32], params[512];
	uint8_t *data;
	size_t len;
	int used;
};

static struct vec vecs[MAX_VECTORS];
static size_t n_vecs;
static const char *vdir = "tests/vectors";
static struct ls_roster *roster;
static struct ls_doc roster_doc;
static int64_t now;

static uint8_t *read_hex(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	uint8_t *out;
	size_t cap = 4096, n = 0;
	int c, hi = -1;
	snprintf(path, sizeof path, "%s/%s.hex", vdir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	out = malloc(cap);
	while ((c = fgetc(f)) != EOF) {
		int v;
		if (c == '\n' || c == ' ')
			continue;
		v = c >= '0' && c <= '9'   ? c - '0'
		    : c >= 'a' && c <= 'f' ? c - 'a' + 10
		                           : -1;
		if (v < 0) {
			fclose(f);
			free(out);
			return NULL;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			out = realloc(out, cap *= 2);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	fclose(f);
	*len = n;
	return out;
}

static struct vec *find(const char *name)
{
	for (size_t i = 0; i < n_vecs; i++)
		if (strcmp(vecs[i].name, name) == 0)
			return &vecs[i];
	return NULL;
}

/* The value of key in a vector's parameters, or NULL. */
static const char *param(const struct vec *v, const char *key, char *buf,
                         size_t size)
{
	size_t klen = strlen(key);
	const char *p = v->params;
	while (*p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			size_t vlen = len - klen - 1;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return buf;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

/* TEST key: seed = BLAKE2b-256("lokaal-signaal test key " || name). */
static struct ls_keypair *key_named(const char *name)
{
	static const char prefix[] = "lokaal-signaal test key ";
	crypto_generichash_state st;
	uint8_t seed[32];
	struct ls_keypair *kp;
	crypto_generichash_init(&st, NULL, 0, sizeof seed);
	crypto_generichash_update(&st, (const uint8_t *)prefix,
	                          sizeof prefix - 1);
	crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&st, seed, sizeof seed);
	assert_int_equal(proto_keypair_from_seed(seed, &kp), LS_OK);
	return kp;
}

/* Compare an outcome with the manifest. */
static void outcome(const struct vec *v, int rc, const struct ls_errinfo *e)
{
	const char *got = rc == LS_OK ? "ok" : ls_errname(rc);
	if (strcmp(got, v->expect) != 0)
		fail_msg("vector %s (%s): expected %s, got %s: %s", v->name,
		         v->kind, v->expect, got, e != NULL ? e->msg : "");
}

static int load(void **state)
{
	char path[512], line[2048];
	FILE *f;
	(void)state;
	if (getenv("VECTORS") != NULL)
		vdir = getenv("VECTORS");
	if (sodium_init() < 0)
		return -1;
	snprintf(path, sizeof path, "%s/MANIFEST", vdir);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		struct vec *v = &vecs[n_vecs];
		char *fields[5], *save = NULL, *p;
		int n = 0;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		for (p = strtok_r(line, "\t", &save); p != NULL && n < 5;
		     p = strtok_r(NULL, "\t", &save))
			fields[n++] = p;
		if (n != 5 || n_vecs == MAX_VECTORS)
			return -1;
		ls_strlcpy(v->name, fields[0], sizeof v->name);
		ls_strlcpy(v->kind, fields[1], sizeof v->kind);
		ls_strlcpy(v->expect, fields[2], sizeof v->expect);
		ls_strlcpy(v->params,
		           strcmp(fields[3], "-") == 0 ? "" : fields[3],
		           sizeof v->params);
		v->data = read_hex(v->name, &v->len);
		if (v->data == NULL) {
			fprintf(stderr, "cannot read vector %s\n", v->name);
			return -1;
		}
		n_vecs++;
	}
	fclose(f);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++)
		free(vecs[i].data);
	proto_doc_fini(&roster_doc);
	return 0;
}

static void test_roster_bootstrap(void **state)
{
	struct vec *v = find("roster");
	char fed[64], anchor[64], buf[64];
	struct ls_keypair *kp;
	struct ls_trust t;
	struct ls_errinfo e;
	int rc;
	(void)state;
	assert_non_null(v);
	assert_string_equal(v->kind, "roster-bootstrap");
	assert_non_null(param(v, "federation", fed, sizeof fed));
	assert_non_null(param(v, "anchor", anchor, sizeof anchor));
	assert_non_null(param(v, "now", buf, sizeof buf));
	assert_int_equal(ls_parse_i64(buf, 0, INT64_MAX, &now), LS_OK);
	kp = key_named(anchor);
	t.roster = NULL;
	t.federation = fed;
	t.anchor_pk = kp->pk;
	rc = proto_doc_verify(&t, v->data, v->len, now, &roster_doc, NULL, &e);
	outcome(v, rc, &e);
	assert_int_equal(roster_doc.hdr.type, LS_DOC_ROSTER);
	roster = &roster_doc.body.roster;
	v->used = 1;
	proto_keypair_free(kp);
}

static int verify(const struct vec *v, struct ls_doc *out,
                  struct ls_doc_info *info, struct ls_errinfo *e)
{
	struct ls_trust t = {.roster = roster};
	return proto_doc_verify(&t, v->data, v->len, now, out, info, e);
}

static void test_documents(void **state)
{
	(void)state;
	assert_non_null(roster);
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_doc d;
		struct ls_errinfo e;
		int rc;
		if (strcmp(v->kind, "doc") != 0)
			continue;
		ls_errinfo_clear(&e);
		rc = verify(v, &d, NULL, &e);
		outcome(v, rc, &e);
		if (rc == LS_OK)
			proto_doc_fini(&d);
		v->used = 1;
	}
}

static void test_chains_and_forks(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i], *o;
		struct ls_doc a, b;
		struct ls_doc_info ia, ib;
		struct ls_errinfo e;
		char name[64];
		int rc;
		if (strcmp(v->kind, "chain") == 0) {
			o = find(param(v, "pred", name, sizeof name));
			assert_non_null(o);
			assert_int_equal(verify(o, &a, &ia, NULL), LS_OK);
			assert_int_equal(verify(v, &b, &ib, NULL), LS_OK);
			rc = proto_doc_check_chain(&a.hdr, ia.hash, &b.hdr, &e);
		} else if (strcmp(v->kind, "fork") == 0) {
			o = find(param(v, "other", name, sizeof name));
			assert_non_null(o);
			assert_int_equal(verify(o, &a, &ia, NULL), LS_OK);
			assert_int_equal(verify(v, &b, &ib, NULL), LS_OK);
			rc = proto_doc_check_fork(&a.hdr, ia.hash, &b.hdr,
			                          ib.hash);
			ls_errf(&e, rc, "check_fork");
		} else if (strcmp(v->kind, "forkproof") == 0) {
			struct ls_trust t = {.roster = roster};
			struct ls_fork_info fi;
			ls_errinfo_clear(&e);
			rc = proto_fork_proof_verify(&t, v->data, v->len, now,
			                             &fi, &e);
			outcome(v, rc, &e);
			v->used = 1;
			continue;
		} else {
			continue;
		}
		outcome(v, rc, &e);
		proto_doc_fini(&a);
		proto_doc_fini(&b);
		v->used = 1;
	}
}

static void test_secagg_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_secagg_req q;
		struct ls_errinfo e;
		char buf[64];
		int rc;
		if (strcmp(v->kind, "secagg_req") != 0)
			continue;
		ls_errinfo_clear(&e);
		assert_int_equal(proto_secagg_req_is(v->data, v->len),
		                 strcmp(v->name, "secagg_req_type_not_first") !=
		                     0);
		rc = proto_secagg_req_decode(v->data, v->len, &q, &e);
		outcome(v, rc, &e);
		v->used = 1;
		if (rc == LS_OK && param(v, "type", buf, sizeof buf) != NULL)
			assert_string_equal(proto_secagg_req_type_name(q.type),
			                    buf);
	}
}

static void test_sync_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_sync_msg m;
		struct ls_errinfo e;
		char buf[512];
		int rc;
		if (strcmp(v->kind, "sync") != 0)
			continue;
		ls_errinfo_clear(&e);
		rc = proto_sync_decode(v->data, v->len, &m, &e);
		outcome(v, rc, &e);
		v->used = 1;
		if (rc != LS_OK)
			continue;
		if (param(v, "type", buf, sizeof buf) != NULL)
			assert_string_equal(proto_sync_type_name(m.type), buf);
		if (param(v, "digest", buf, sizeof buf) != NULL) {
			uint8_t d[32];
			char hex[65];
			proto_vv_digest(&m.vv, d);
			ls_hex_encode(d, 32, hex);
			assert_string_equal(hex, buf);
		}
		if (param(v, "docs", buf, sizeof buf) != NULL) {
			char *save = NULL;
			size_t k = 0;
			for (char *name = strtok_r(buf, ",", &save);
			     name != NULL; name = strtok_r(NULL, ",", &save)) {
				const struct vec *d = find(name);
				assert_non_null(d);
				assert_true(k < m.n_docs);
				assert_int_equal(m.docs[k].len, d->len);
				assert_memory_equal(m.docs[k].data, d->data,
				                    d->len);
				k++;
			}
			assert_int_equal(k, m.n_docs);
		}
		proto_sync_msg_fini(&m);
	}
}

/* Open v as the node named by its `to` parameter; with `after`, a fresh
 * replay guard has first seen that vector. Returns the outcome name. */
static void session_request(struct vec *v)
{
	char to[64], buf[128], after[64];
	struct ls_keypair *kp;
	struct proto_session_self *self;
	struct proto_replay *guard = NULL;
	struct ls_session_request info;
	struct proto_session_reply *reply;
	struct ls_errinfo e;
	uint8_t *plain;
	size_t plain_len, clen;
	const uint8_t *cached;
	int64_t at;
	int rc, opened, verdict = PROTO_REPLAY_NEW;

	assert_non_null(param(v, "to", to, sizeof to));
	assert_non_null(param(v, "now", buf, sizeof buf));
	assert_int_equal(ls_parse_i64(buf, 0, INT64_MAX, &at), LS_OK);
	kp = key_named(to);
	assert_int_equal(proto_session_self_new(kp, &self), LS_OK);
	if (param(v, "after", after, sizeof after) != NULL) {
		const struct vec *first = find(after);
		assert_non_null(first);
		assert_int_equal(proto_replay_new(64, 0, &guard), LS_OK);
		assert_int_equal(proto_session_open_request(
		                     self, roster, at, first->data, first->len,
		                     &info, &plain, &plain_len, &reply, NULL),
		                 LS_OK);
		ls_free(plain);
		proto_session_reply_free(reply);
		assert_int_equal(proto_replay_check(guard, &info, at, &verdict,
		                                    &cached, &clen),
		                 LS_OK);
	}
	ls_errinfo_clear(&e);
	plain = NULL;
	reply = NULL;
	rc = proto_session_open_request(self, roster, at, v->data, v->len,
	                                &info, &plain, &plain_len, &reply, &e);
	opened = rc == LS_OK;
	if (rc == LS_OK && guard != NULL)
		rc = proto_replay_check(guard, &info, at, &verdict, &cached,
		                        &clen);
	if (rc == LS_OK && verdict == PROTO_REPLAY_RESEND) {
		if (strcmp(v->expect, "resend") != 0)
			fail_msg("vector %s: a resend, expected %s", v->name,
			         v->expect);
	} else {
		outcome(v, rc, &e);
	}
	if (opened) {
		if (rc == LS_OK && param(v, "plain", buf, sizeof buf) != NULL) {
			size_t want_len;
			uint8_t *want = read_hex(buf, &want_len);
			assert_non_null(want);
			assert_int_equal(plain_len, want_len);
			assert_memory_equal(plain, want, want_len);
			free(want);
		}
		ls_free(plain);
		proto_session_reply_free(reply);
	}
	proto_replay_free(guard);
	proto_session_self_free(self);
	proto_keypair_free(kp);
}

/* Re-seal the request vector named req with its recorded randomness: the
 * bytes must be the vector's (sealing is deterministic given them), and
 * the call state opens the replies. */
static struct proto_session_call *call_of(const struct vec *req)
{
	char from[64], to[64], buf[128], hex[128];
	struct ls_keypair *kp, *peer;
	struct proto_session_self *self;
	struct proto_session_call *call;
	uint8_t eph[32], nonce[24], *plain, *out;
	size_t plain_len, out_len;
	int64_t at;

	assert_non_null(param(req, "from", from, sizeof from));
	assert_non_null(param(req, "to", to, sizeof to));
	assert_non_null(param(req, "now", buf, sizeof buf));
	assert_int_equal(ls_parse_i64(buf, 0, INT64_MAX, &at), LS_OK);
	assert_non_null(param(req, "eph", hex, sizeof hex));
	assert_int_equal(ls_hex_decode(hex, eph, 32), LS_OK);
	assert_non_null(param(req, "nonce", hex, sizeof hex));
	assert_int_equal(ls_hex_decode(hex, nonce, 24), LS_OK);
	assert_non_null(param(req, "plain", buf, sizeof buf));
	plain = read_hex(buf, &plain_len);
	assert_non_null(plain);
	kp = key_named(from);
	peer = key_named(to);
	assert_int_equal(proto_session_self_new(kp, &self), LS_OK);
	assert_int_equal(proto_session_seal_request_with(
	                     self, peer->key_id, peer->pk, at, plain, plain_len,
	                     eph, nonce, &out, &out_len, &call),
	                 LS_OK);
	assert_int_equal(out_len, req->len);
	assert_memory_equal(out, req->data, req->len);
	ls_free(out);
	free(plain);
	proto_session_self_free(self);
	proto_keypair_free(kp);
	proto_keypair_free(peer);
	return call;
}

static void session_reply(struct vec *v)
{
	char name[64], buf[128];
	const struct vec *req;
	struct proto_session_call *call;
	struct ls_errinfo e;
	uint8_t *plain = NULL;
	size_t plain_len;
	int rc;

	req = find(param(v, "request", name, sizeof name));
	assert_non_null(req);
	call = call_of(req);
	ls_errinfo_clear(&e);
	rc = proto_session_open_reply(call, v->data, v->len, &plain, &plain_len,
	                              &e);
	outcome(v, rc, &e);
	if (rc == LS_OK) {
		if (param(v, "plain", buf, sizeof buf) != NULL) {
			size_t want_len;
			uint8_t *want = read_hex(buf, &want_len);
			assert_non_null(want);
			assert_int_equal(plain_len, want_len);
			assert_memory_equal(plain, want, want_len);
			free(want);
		}
		ls_free(plain);
	}
	proto_session_call_free(call);
}

/* Secure-aggregation messages: verified against the TEST key `key`; for
 * ok, the message type `type`. */
static void test_secagg_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_secagg_msg m;
		struct ls_keypair *kp;
		struct ls_errinfo e;
		char key[64], type[32];
		int rc;
		if (strcmp(v->kind, "secagg") != 0)
			continue;
		kp = key_named(param(v, "key", key, sizeof key));
		memset(&m, 0, sizeof m);
		ls_errinfo_clear(&e);
		rc = proto_secagg_msg_verify(v->data, v->len, kp->pk, &m, &e);
		outcome(v, rc, &e);
		if (rc == LS_OK) {
			assert_string_equal(
			    proto_secagg_type_name(m.type),
			    param(v, "type", type, sizeof type));
			proto_secagg_msg_fini(&m);
		}
		proto_keypair_free(kp);
		v->used = 1;
	}
}

static void test_sessions(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		if (strcmp(v->kind, "session-request") == 0)
			session_request(v);
		else if (strcmp(v->kind, "session-reply") == 0)
			session_reply(v);
		else
			continue;
		v->used = 1;
	}
}

/*
 * Policy epochs (PROTOCOL.md 5.3), as the section states them:
 * summary-epoch: the summary is judged by the last of the listed policies
 * (federation feed order) created at or before it, or by the first if it
 * is older than all; if that policy was created in the very second of
 * the summary, the policy in force the second before may judge it too.
 * policy-epoch: a policy created before the
 * one in force (pred) is `policy`.
 */
/* The policy in force at t: the last one (feed order) created at or
 * before t, or the first if all are later. */
static size_t policy_in_force(const struct ls_doc *pol, size_t n, int64_t t)
{
	size_t at = 0;
	for (size_t j = 0; j < n; j++)
		if (pol[j].hdr.created <= t)
			at = j;
	return at;
}

static void test_policy_epochs(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_errinfo e;
		char buf[256], *save = NULL, *tok;
		struct ls_doc pol[8], doc;
		size_t n = 0, at = 0;
		int rc, uncounted = 0;

		ls_errinfo_clear(&e);
		if (strcmp(v->kind, "policy-epoch") == 0) {
			struct vec *o = find(param(v, "pred", buf, sizeof buf));
			assert_non_null(o);
			assert_int_equal(verify(o, &pol[0], NULL, NULL), LS_OK);
			assert_int_equal(verify(v, &doc, NULL, NULL), LS_OK);
			assert_int_equal(doc.hdr.type, LS_DOC_POLICY);
			rc = doc.hdr.created < pol[0].hdr.created ? LS_EPOLICY
			                                          : LS_OK;
			ls_errf(&e, rc, "policy epoch");
			outcome(v, rc, &e);
			proto_doc_fini(&pol[0]);
			proto_doc_fini(&doc);
			v->used = 1;
			continue;
		}
		if (strcmp(v->kind, "summary-epoch") != 0)
			continue;
		assert_non_null(param(v, "policies", buf, sizeof buf));
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			struct vec *o = find(tok);
			assert_non_null(o);
			assert_true(n < 8);
			assert_int_equal(verify(o, &pol[n], NULL, NULL), LS_OK);
			assert_int_equal(pol[n].hdr.type, LS_DOC_POLICY);
			n++;
		}
		assert_true(n > 0);
		assert_int_equal(verify(v, &doc, NULL, NULL), LS_OK);
		at = policy_in_force(pol, n, doc.hdr.created);
		rc = proto_summary_check_policy(&doc.body.summary,
		                                &pol[at].body.policy,
		                                doc.hdr.created, &e);
		if (rc != LS_OK && pol[at].hdr.created == doc.hdr.created) {
			size_t before =
			    policy_in_force(pol, n, doc.hdr.created - 1);
			if (before != at &&
			    proto_summary_check_policy(
			        &doc.body.summary, &pol[before].body.policy,
			        doc.hdr.created, NULL) == LS_OK)
				rc = LS_OK;
		}
		/* Refused by the policy of its time, allowed by an earlier
		 * one of the feed: held, counted nowhere. */
		for (size_t j = 0; rc != LS_OK && j < at; j++)
			if (proto_summary_check_policy(&doc.body.summary,
			                               &pol[j].body.policy,
			                               doc.hdr.created,
			                               NULL) == LS_OK) {
				uncounted = 1;
				rc = LS_OK;
			}
		if (!uncounted)
			outcome(v, rc, &e);
		else if (strcmp(v->expect, "uncounted") != 0)
			fail_msg("vector %s: expected %s, got uncounted",
			         v->name, v->expect);
		for (size_t j = 0; j < n; j++)
			proto_doc_fini(&pol[j]);
		proto_doc_fini(&doc);
		v->used = 1;
	}
}

/* roster-successor: the roster must be a valid successor of `pred`
 * (PROTOCOL.md 6, "Successor rule"); a violation is `policy`. */
static void test_roster_successors(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i], *o;
		struct ls_doc prev, next;
		struct ls_errinfo e;
		char name[64];
		int rc;
		if (strcmp(v->kind, "roster-successor") != 0)
			continue;
		o = find(param(v, "pred", name, sizeof name));
		assert_non_null(o);
		assert_int_equal(verify(o, &prev, NULL, NULL), LS_OK);
		assert_int_equal(verify(v, &next, NULL, NULL), LS_OK);
		assert_int_equal(prev.hdr.type, LS_DOC_ROSTER);
		assert_int_equal(next.hdr.type, LS_DOC_ROSTER);
		assert_true(next.hdr.seq > prev.hdr.seq);
		ls_errinfo_clear(&e);
		rc = proto_roster_check_successor(&prev.body.roster,
		                                  &next.body.roster,
		                                  next.hdr.created, &e);
		outcome(v, rc == LS_EINVAL ? LS_EPOLICY : rc, &e);
		proto_doc_fini(&prev);
		proto_doc_fini(&next);
		v->used = 1;
	}
}

/* push-page: a push_req whose documents are the vectors `docs`; what a
 * receiver answers (`results`) is checked on the node's ingest in
 * test_node_ingest.c. */
static void test_push_pages(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		struct ls_sync_msg m;
		struct ls_errinfo e;
		char buf[512], *save = NULL;
		size_t k = 0;
		if (strcmp(v->kind, "push-page") != 0)
			continue;
		ls_errinfo_clear(&e);
		outcome(v, proto_sync_decode(v->data, v->len, &m, &e), &e);
		assert_int_equal(m.type, LS_SYNC_PUSH_REQ);
		assert_non_null(param(v, "docs", buf, sizeof buf));
		for (char *name = strtok_r(buf, ",", &save); name != NULL;
		     name = strtok_r(NULL, ",", &save)) {
			const struct vec *d = find(name);
			assert_non_null(d);
			assert_true(k < m.n_docs);
			assert_int_equal(m.docs[k].len, d->len);
			assert_memory_equal(m.docs[k].data, d->data, d->len);
			k++;
		}
		assert_int_equal(k, m.n_docs);
		assert_non_null(param(v, "results", buf, sizeof buf));
		proto_sync_msg_fini(&m);
		v->used = 1;
	}
}

static void test_every_vector_was_checked(void **state)
{
	size_t errors = 0, ok = 0;
	(void)state;
	assert_true(n_vecs >= 60);
	for (size_t i = 0; i < n_vecs; i++) {
		if (!vecs[i].used)
			fail_msg("vector %s of kind %s was not checked",
			         vecs[i].name, vecs[i].kind);
		if (strcmp(vecs[i].expect, "ok") == 0)
			ok++;
		else
			errors++;
	}
	/* both sides are covered */
	assert_true(ok >= 20 && errors >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roster_bootstrap),
	    cmocka_unit_test(test_documents),
	    cmocka_unit_test(test_chains_and_forks),
	    cmocka_unit_test(test_sync_messages),
	    cmocka_unit_test(test_secagg_requests),
	    cmocka_unit_test(test_sessions),
	    cmocka_unit_test(test_policy_epochs),
	    cmocka_unit_test(test_roster_successors),
	    cmocka_unit_test(test_push_pages),
	    cmocka_unit_test(test_secagg_messages),
	    cmocka_unit_test(test_every_vector_was_checked),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
