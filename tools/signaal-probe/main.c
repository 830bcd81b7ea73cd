/*
 * signaal-probe: speaks the sync protocol to a running signaald, to test
 * that bad messages are refused (tests/integration/sync_badmsg.sh) and to
 * ask a node for its digest. It builds every frame with proto/ (the
 * reference encoder and session code); the only "damage" is done to
 * finished bytes, as an attacker would.
 *
 *   signaal-probe --url tcp://HOST:PORT --key KEYFILE --peer-key PUBFILE
 *                 [--as NODE_ID] [--fed-dir DIR] CASE...
 *
 * Cases and the answer each must get (exit 0 only if all do):
 *   digest     a good digest_req            -> digest_rep
 *   unknown    sealed with a key the roster does not know -> refusal key
 *   forged     a member's key id, another key's secret -> refusal sig
 *   stale      ten minutes old               -> refusal replay
 *   replay     a nonce used again with other bytes -> refusal replay
 *   resend     the same bytes again          -> the same reply (ok)
 *   truncated  a good frame cut short        -> refusal decode
 *   oversized  one byte over the frame limit -> refusal limit
 *   junk       bytes that are no frame       -> refusal decode
 *   wrongtype  a digest_rep as request, in a good session -> error decode
 *   forgeddoc  a pushed document with a broken signature -> push result
 *              sig (needs --as: the probe key's node id)
 *   backdatedpolicy
 *              a pushed federation policy, signed with the federation key,
 *              at the next position of the federation feed but created a
 *              second before the policy in force -> push result policy
 *              (needs --fed-dir: the association's directory, whose
 *              keys/federation.key signs it and whose store gives the
 *              federation feed's head; PROTOCOL.md 5.3)
 *
 *   signaal-probe fill --dir DIR --count N [--salt S]
 *
 * publishes N status documents in the own feed of the node in DIR (with
 * its key, through node_feed_publish), to give tests many documents to
 * sync; documents with another salt differ (a twin with the same key
 * makes a fork that way).
 *
 *   signaal-probe fill --dir DIR --loose-k K
 *
 * publishes instead one summary of the month three months ago made with
 * threshold k = K and no signals, whatever the federation's policy says
 * (as a broken or dishonest node would: signaalctl never releases under
 * a looser policy), so tests can see receivers refuse it (`policy`).
 */
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/path.h"
#include "common/text.h"
#include "proto/doc.h"
#include "proto/key.h"
#include "proto/session.h"
#include "proto/sync.h"
#include "core/config.h"
#include "core/policy.h"
#include "node/config_file.h"
#include "node/feed.h"
#include "store/feed.h"
#include "store/store.h"

struct probe {
	const char *url;
	const char *as;
	const char *fed_dir;
	struct ls_keypair *kp;
	struct proto_session_self *self;
	uint8_t peer_pk[LS_PUBKEY_BYTES];
	uint8_t peer_id[LS_KEY_ID_BYTES];
	nng_socket sock;
};

static int64_t now(void)
{
	return (int64_t)time(NULL);
}

/* One exchange; *reply is the caller's (ls_free). */
static int exchange(struct probe *p, const uint8_t *frame, size_t len,
                    uint8_t **reply, size_t *reply_len)
{
	nng_msg *msg;
	int rv;
	if ((rv = nng_msg_alloc(&msg, 0)) != 0 ||
	    (rv = nng_msg_append(msg, frame, len)) != 0 ||
	    (rv = nng_sendmsg(p->sock, msg, 0)) != 0) {
		fprintf(stderr, "probe: send: %s\n", nng_strerror(rv));
		return LS_ENET;
	}
	if ((rv = nng_recvmsg(p->sock, &msg, 0)) != 0) {
		fprintf(stderr, "probe: recv: %s\n", nng_strerror(rv));
		return rv == NNG_ETIMEDOUT ? LS_ETIMEOUT : LS_ENET;
	}
	*reply_len = nng_msg_len(msg);
	*reply = ls_malloc(*reply_len ? *reply_len : 1);
	memcpy(*reply, nng_msg_body(msg), *reply_len);
	nng_msg_free(msg);
	return LS_OK;
}

static int seal(struct probe *p, const struct proto_session_self *self,
                int64_t ts, const struct ls_sync_msg *m, uint8_t **frame,
                size_t *len, struct proto_session_call **call)
{
	uint8_t *plain;
	size_t plain_len;
	int rc = proto_sync_encode(m, &plain, &plain_len, NULL);
	if (rc != LS_OK)
		return rc;
	rc = proto_session_seal_request(self, p->peer_id, p->peer_pk, ts, plain,
	                                plain_len, frame, len, call);
	ls_free(plain);
	return rc;
}

/* The outcome of a reply to `call`: the refusal's code, or the sync
 * reply's type (as a positive number > 100) or its error code. */
struct outcome {
	int refused;
	int code;     /* refusal or ERROR code */
	uint8_t type; /* sync reply type when it opened */
	struct ls_sync_msg msg;
	uint8_t *plain;
};

static void outcome_of(const struct proto_session_call *call,
                       const uint8_t *reply, size_t len, struct outcome *o)
{
	size_t plain_len;
	int rc;
	memset(o, 0, sizeof *o);
	rc = proto_session_open_reply(call, reply, len, &o->plain, &plain_len,
	                              NULL);
	if (rc != LS_OK) {
		o->refused =
		    proto_session_frame_kind(reply, len) == LS_SESSION_REFUSAL;
		o->code = rc;
		return;
	}
	if (proto_sync_decode(o->plain, plain_len, &o->msg, NULL) != LS_OK) {
		o->code = LS_EDECODE;
		return;
	}
	o->type = o->msg.type;
	if (o->msg.type == LS_SYNC_ERROR)
		o->code = proto_wire_code_to_err(o->msg.code);
}

static void outcome_fini(struct outcome *o)
{
	proto_sync_msg_fini(&o->msg);
	ls_free(o->plain);
}

static int report(const char *name, int ok, const char *want, const char *got)
{
	printf("%s %s: want %s, got %s\n", ok ? "ok" : "FAIL", name, want, got);
	return ok ? 0 : 1;
}

/* Send frame and judge: want_refusal != 0 means a refusal with that code. */
static int judge(struct probe *p, const char *name,
                 const struct proto_session_call *call, const uint8_t *frame,
                 size_t len, int want_refusal, uint8_t want_type, int want_err)
{
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	struct outcome o;
	char want[64], got[64];
	int ok;
	if (exchange(p, frame, len, &reply, &reply_len) != LS_OK)
		return report(name, 0, "a reply", "no reply");
	outcome_of(call, reply, reply_len, &o);
	if (want_refusal)
		snprintf(want, sizeof want, "refusal %s",
		         ls_errname(want_refusal));
	else if (want_err)
		snprintf(want, sizeof want, "error %s", ls_errname(want_err));
	else
		snprintf(want, sizeof want, "%s",
		         proto_sync_type_name(want_type));
	if (o.refused)
		snprintf(got, sizeof got, "refusal %s", ls_errname(o.code));
	else if (o.type == LS_SYNC_ERROR)
		snprintf(got, sizeof got, "error %s", ls_errname(o.code));
	else if (o.type != 0)
		snprintf(got, sizeof got, "%s", proto_sync_type_name(o.type));
	else
		snprintf(got, sizeof got, "unreadable (%s)",
		         ls_errname(o.code));
	ok = strcmp(want, got) == 0;
	outcome_fini(&o);
	ls_free(reply);
	return report(name, ok, want, got);
}

static void digest_req(struct ls_sync_msg *m)
{
	proto_sync_msg_init(m, LS_SYNC_DIGEST_REQ);
	m->n_origins = 0;
}

/* The frames a probe case sent; case_run frees them. */
struct sent {
	struct proto_session_call *call, *call2;
	uint8_t *frame, *frame2;
	size_t len, len2;
};

/* Seals the digest request M now; 0, or the failure reported. */
static int seal_digest(struct probe *p, const char *c,
                       const struct ls_sync_msg *m, struct sent *s)
{
	if (seal(p, p->self, now(), m, &s->frame, &s->len, &s->call) != LS_OK)
		return report(c, 0, "a frame", "seal failed");
	return 0;
}

static int case_digest(struct probe *p, const char *c,
                       const struct ls_sync_msg *m, struct sent *s)
{
	if (seal_digest(p, c, m, s) != 0)
		return 1;
	return judge(p, c, s->call, s->frame, s->len, 0, LS_SYNC_DIGEST_REP,
	             0);
}

static int case_resend(struct probe *p, const char *c,
                       const struct ls_sync_msg *m, struct sent *s)
{
	int fails;

	if (seal_digest(p, c, m, s) != 0)
		return 1;
	fails = judge(p, "resend(first)", s->call, s->frame, s->len, 0,
	              LS_SYNC_DIGEST_REP, 0);
	fails += judge(p, c, s->call, s->frame, s->len, 0, LS_SYNC_DIGEST_REP,
	               0);
	return fails;
}

static int case_truncated(struct probe *p, const char *c,
                          const struct ls_sync_msg *m, struct sent *s)
{
	if (seal_digest(p, c, m, s) != 0)
		return 1;
	return judge(p, c, s->call, s->frame, s->len - 17, LS_EDECODE, 0, 0);
}

static int case_oversized(struct probe *p, const char *c,
                          const struct ls_sync_msg *m, struct sent *s)
{
	size_t big = LS_SESSION_MSG_MAX + 1;
	uint8_t *huge;
	int fails;

	if (seal_digest(p, c, m, s) != 0)
		return 1;
	if ((huge = ls_calloc(1, big)) == NULL)
		return report(c, 0, "a frame", "out of memory");
	memcpy(huge, s->frame, s->len);
	fails = judge(p, c, s->call, huge, big, LS_ELIMIT, 0, 0);
	ls_free(huge);
	return fails;
}

static int case_junk(struct probe *p, const char *c,
                     const struct ls_sync_msg *m, struct sent *s)
{
	uint8_t j[64];

	if (seal_digest(p, c, m, s) != 0)
		return 1;
	randombytes_buf(j, sizeof j);
	j[0] = 0xc1; /* never valid msgpack */
	return judge(p, c, s->call, j, sizeof j, LS_EDECODE, 0, 0);
}

/* "unknown": sealed with a key the node does not know; "forged": the
 * same, claiming the member's key id. */
static int case_foreign(struct probe *p, const char *c,
                        const struct ls_sync_msg *m, struct sent *s)
{
	struct ls_keypair *other = NULL;
	struct proto_session_self *oself = NULL;
	int fails;

	if (proto_keypair_generate(&other) != LS_OK ||
	    proto_session_self_new(other, &oself) != LS_OK ||
	    seal(p, oself, now(), m, &s->frame, &s->len, &s->call) != LS_OK)
		return report(c, 0, "a frame", "seal failed");
	if (strcmp(c, "forged") == 0)
		/* [1, 1, bin8 sender ...]: claim the member's key
		 * id; the AEAD over the header must fail. */
		memcpy(s->frame + 5, p->kp->key_id, LS_KEY_ID_BYTES);
	fails = judge(p, c, s->call, s->frame, s->len,
	              strcmp(c, "forged") == 0 ? LS_ESIG : LS_EKEY, 0, 0);
	proto_session_self_free(oself);
	proto_keypair_free(other);
	return fails;
}

static int case_stale(struct probe *p, const char *c,
                      const struct ls_sync_msg *m, struct sent *s)
{
	if (seal(p, p->self, now() - 600, m, &s->frame, &s->len, &s->call) !=
	    LS_OK)
		return report(c, 0, "a frame", "seal failed");
	return judge(p, c, s->call, s->frame, s->len, LS_EREPLAY, 0, 0);
}

/* Two requests under the same ephemeral key and nonce: the second is a
 * replay even though its content differs. */
static int case_replay(struct probe *p, const char *c,
                       const struct ls_sync_msg *m, struct sent *s)
{
	uint8_t eph[32], nonce[LS_SESSION_NONCE_BYTES], *plain;
	size_t plain_len;
	struct ls_sync_msg vv;
	int fails;

	randombytes_buf(eph, sizeof eph);
	randombytes_buf(nonce, sizeof nonce);
	proto_sync_msg_init(&vv, LS_SYNC_VV_REQ);
	if (proto_sync_encode(m, &plain, &plain_len, NULL) != LS_OK ||
	    proto_session_seal_request_with(p->self, p->peer_id, p->peer_pk,
	                                    now(), plain, plain_len, eph,
	                                    nonce, &s->frame, &s->len,
	                                    &s->call) != LS_OK)
		return report(c, 0, "a frame", "seal failed");
	ls_free(plain);
	if (proto_sync_encode(&vv, &plain, &plain_len, NULL) != LS_OK ||
	    proto_session_seal_request_with(p->self, p->peer_id, p->peer_pk,
	                                    now(), plain, plain_len, eph,
	                                    nonce, &s->frame2, &s->len2,
	                                    &s->call2) != LS_OK)
		return report(c, 0, "a frame", "seal failed");
	ls_free(plain);
	fails = judge(p, "replay(first)", s->call, s->frame, s->len, 0,
	              LS_SYNC_DIGEST_REP, 0);
	fails += judge(p, c, s->call2, s->frame2, s->len2, LS_EREPLAY, 0, 0);
	return fails;
}

static int case_wrongtype(struct probe *p, const char *c,
                          const struct ls_sync_msg *m, struct sent *s)
{
	struct ls_sync_msg rep;

	(void)m;
	proto_sync_msg_init(&rep, LS_SYNC_DIGEST_REP);
	if (seal(p, p->self, now(), &rep, &s->frame, &s->len, &s->call) !=
	    LS_OK)
		return report(c, 0, "a frame", "seal failed");
	return judge(p, c, s->call, s->frame, s->len, 0, 0, LS_EDECODE);
}

/* The node in directory dir: its configuration and its store (the
 * caller's, store_close). */
static int open_node(const char *dir, struct ls_config *cfg, struct store **s,
                     struct ls_errinfo *e)
{
	struct store_options so = {.create = 0, .busy_timeout_ms = 30000};
	char path[4096];
	int rc;
	if (snprintf(path, sizeof path, "%s/signaal.ini", dir) >=
	    (int)sizeof path)
		return ls_errf(e, LS_EINVAL, "pad te lang: %s", dir);
	if ((rc = node_config_load(path, cfg, e)) != LS_OK)
		return rc;
	if ((rc = ls_path_join(dir, cfg->store_path, path, sizeof path)) !=
	    LS_OK)
		return ls_errf(e, rc, "pad te lang: %s/%s", dir,
		               cfg->store_path);
	so.synchronous = LS_SYNC_NORMAL;
	return store_open(path, &so, s, e);
}

/* The push of one envelope; its result's name in got. */
static void push_one(struct probe *p, struct sent *s, const uint8_t *env,
                     size_t env_len, char *got, size_t size)
{
	struct ls_sync_msg push;
	uint8_t *reply = NULL;
	size_t reply_len;
	struct outcome o;
	proto_sync_msg_init(&push, LS_SYNC_PUSH_REQ);
	if (proto_sync_page_add(&push, NULL, env, env_len) != LS_OK) {
		snprintf(got, size, "no page");
		proto_sync_msg_fini(&push);
		return;
	}
	if (seal(p, p->self, now(), &push, &s->frame, &s->len, &s->call) !=
	    LS_OK) {
		snprintf(got, size, "no frame");
	} else if (exchange(p, s->frame, s->len, &reply, &reply_len) !=
	           LS_OK) {
		snprintf(got, size, "no reply");
	} else {
		outcome_of(s->call, reply, reply_len, &o);
		if (o.type == LS_SYNC_PUSH_REP && o.msg.n_results == 1)
			snprintf(got, size, "push result %s",
			         o.msg.results[0] == 0
			             ? "ok"
			             : ls_errname(proto_wire_code_to_err(
			                   o.msg.results[0])));
		else
			snprintf(got, size, "type %u code %s", o.type,
			         ls_errname(o.code));
		outcome_fini(&o);
	}
	proto_sync_msg_fini(&push);
	ls_free(reply);
}

/* A pushed status document whose signature is broken. */
static int case_forgeddoc(struct probe *p, const char *c,
                          const struct ls_sync_msg *m, struct sent *s)
{
	struct ls_doc d;
	struct ls_feed_head head = {0};
	uint8_t *env;
	size_t env_len;
	char got[64];

	(void)m;
	if (p->as == NULL)
		return report(c, 0, "--as", "no node id");
	proto_doc_init(&d, LS_DOC_STATUS);
	snprintf(d.hdr.origin, sizeof d.hdr.origin, "%s", p->as);
	snprintf(d.body.status.software, sizeof d.body.status.software,
	         "probe-1");
	/* Far beyond any real head: it must fail on its signature
	 * before its position matters. Seq 1 is what a new feed
	 * needs; the signature is broken either way. */
	if (proto_doc_sign(&d, &head, now(), p->kp, &env, &env_len, &head,
	                   NULL) != LS_OK)
		return report(c, 0, "a document", "sign failed");
	proto_doc_fini(&d);
	env[env_len - 1] ^= 0x01;
	push_one(p, s, env, env_len, got, sizeof got);
	ls_free(env);
	return report(c, strcmp(got, "push result sig") == 0,
	              "push result sig", got);
}

/* The last policy's created, from store_feed_list. */
static int last_created_cb(void *arg, const struct store_doc_meta *m,
                           const uint8_t *envelope, size_t len)
{
	(void)envelope;
	(void)len;
	*(int64_t *)arg = m->created;
	return 0;
}

/* A policy that would apply retroactively (PROTOCOL.md 5.3): the next
 * document of the federation feed the association holds, created a
 * second before the policy in force there. */
static int case_backdatedpolicy(struct probe *p, const char *c,
                                const struct ls_sync_msg *m, struct sent *s)
{
	struct ls_config cfg;
	struct ls_errinfo e;
	struct store *st = NULL;
	struct ls_keypair *fk = NULL;
	struct ls_feed_head head;
	struct ls_doc d;
	int64_t last = 0;
	uint8_t *env = NULL;
	size_t env_len;
	char path[4096], got[64];
	int rc;

	(void)m;
	if (p->fed_dir == NULL)
		return report(c, 0, "--fed-dir", "no directory");
	snprintf(path, sizeof path, "%s/keys/federation.key", p->fed_dir);
	rc = open_node(p->fed_dir, &cfg, &st, &e);
	if (rc == LS_OK)
		rc = proto_keypair_load(path, &fk, &e);
	if (rc == LS_OK)
		rc = store_feed_head(st, cfg.federation_id, &head.seq,
		                     head.hash);
	if (rc == LS_OK)
		rc = store_feed_list(st, LS_DOC_POLICY, cfg.federation_id,
		                     last_created_cb, &last);
	store_close(st);
	if (rc != LS_OK || last == 0) {
		proto_keypair_free(fk);
		return report(c, 0, "the federation's policy", ls_errname(rc));
	}
	proto_doc_init(&d, LS_DOC_POLICY);
	snprintf(d.hdr.origin, sizeof d.hdr.origin, "%s", cfg.federation_id);
	ls_policy_default(&d.body.policy, LS_MODE_THRESHOLD);
	rc = proto_doc_sign(&d, &head, last - 1, fk, &env, &env_len, &head,
	                    &e);
	proto_doc_fini(&d);
	proto_keypair_free(fk);
	if (rc != LS_OK)
		return report(c, 0, "a document", e.msg);
	push_one(p, s, env, env_len, got, sizeof got);
	ls_free(env);
	return report(c, strcmp(got, "push result policy") == 0,
	              "push result policy", got);
}

static int case_run(struct probe *p, const char *c)
{
	static const struct {
		const char *name;
		int (*run)(struct probe *, const char *,
		           const struct ls_sync_msg *, struct sent *);
	} cases[] = {
	    {"digest", case_digest},       {"resend", case_resend},
	    {"truncated", case_truncated}, {"oversized", case_oversized},
	    {"junk", case_junk},           {"unknown", case_foreign},
	    {"forged", case_foreign},      {"stale", case_stale},
	    {"replay", case_replay},       {"wrongtype", case_wrongtype},
	    {"forgeddoc", case_forgeddoc},
	    {"backdatedpolicy", case_backdatedpolicy},
	};
	struct ls_sync_msg m;
	struct sent s = {0};
	int fails;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (strcmp(c, cases[i].name) == 0) {
			digest_req(&m);
			fails = cases[i].run(p, c, &m, &s);
			ls_free(s.frame);
			ls_free(s.frame2);
			proto_session_call_free(s.call);
			proto_session_call_free(s.call2);
			return fails;
		}
	fprintf(stderr, "probe: unknown case '%s'\n", c);
	return 1;
}

/* A summary of the month three months ago under threshold k, no
 * signals (every table empty). */
static void loose_summary(struct ls_doc *d, const char *origin, uint32_t k)
{
	time_t t = (time_t)now();
	struct tm tm;
	proto_doc_init(d, LS_DOC_SUMMARY);
	snprintf(d->hdr.origin, sizeof d->hdr.origin, "%s", origin);
	snprintf(d->body.summary.origin, sizeof d->body.summary.origin, "%s",
	         origin);
	gmtime_r(&t, &tm);
	tm.tm_mon -= 3;
	if (tm.tm_mon < 0) {
		tm.tm_mon += 12;
		tm.tm_year--;
	}
	d->body.summary.period.year = tm.tm_year + 1900;
	d->body.summary.period.month = tm.tm_mon + 1;
	d->body.summary.period.months = 1;
	d->body.summary.params.mode = LS_MODE_THRESHOLD;
	d->body.summary.params.k = k;
	d->body.summary.params.persons_cap = 10;
}

static int fill(int argc, char **argv)
{
	const char *dir = NULL;
	int64_t count = 0, salt = 0, loose_k = 0;
	char path[4096];
	struct ls_config cfg;
	struct ls_errinfo e;
	struct store *s = NULL;
	struct ls_keypair *kp = NULL;
	int rc;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--count") == 0)
			(void)ls_parse_i64(argv[i + 1], 1, 1000000, &count);
		else if (strcmp(argv[i], "--salt") == 0)
			(void)ls_parse_i64(argv[i + 1], 0, 1000000, &salt);
		else if (strcmp(argv[i], "--loose-k") == 0)
			(void)ls_parse_i64(argv[i + 1], 3, 100, &loose_k);
	}
	if (loose_k != 0)
		count = 1;
	if (dir == NULL || count == 0) {
		fprintf(stderr, "usage: signaal-probe fill --dir DIR "
		                "(--count N [--salt S] | --loose-k K)\n");
		return 2;
	}
	if ((rc = open_node(dir, &cfg, &s, &e)) != LS_OK)
		goto fail;
	snprintf(path, sizeof path, "%s/keys/node.key", dir);
	if ((rc = proto_keypair_load(path, &kp, &e)) != LS_OK)
		goto fail;
	if ((rc = store_tx_begin(s)) != LS_OK)
		goto fail;
	for (int64_t i = 0; i < count; i++) {
		struct ls_doc d;
		if (loose_k != 0) {
			loose_summary(&d, cfg.node_id, (uint32_t)loose_k);
		} else {
			proto_doc_init(&d, LS_DOC_STATUS);
			snprintf(d.hdr.origin, sizeof d.hdr.origin, "%s",
			         cfg.node_id);
			snprintf(d.body.status.software,
			         sizeof d.body.status.software, "fill-%lld",
			         (long long)salt);
			d.body.status.uptime = (uint64_t)i;
		}
		rc = node_feed_publish(s, kp, &d, now(), NULL, &e);
		proto_doc_fini(&d);
		if (rc != LS_OK) {
			store_tx_rollback(s);
			goto fail;
		}
	}
	if ((rc = store_tx_commit(s)) != LS_OK)
		goto fail;
	proto_keypair_free(kp);
	store_close(s);
	printf("published %lld documents in %s\n", (long long)count,
	       cfg.node_id);
	return 0;
fail:
	fprintf(stderr, "probe fill: %s: %s\n", ls_errname(rc), e.msg);
	proto_keypair_free(kp);
	store_close(s);
	return 1;
}

/* The "--name value" options before the cases; returns the index of
 * the first case. */
static int options(int argc, char **argv, struct probe *p, const char **key,
                   const char **peer_key)
{
	int i;
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--url") == 0)
			p->url = argv[i + 1];
		else if (strcmp(argv[i], "--key") == 0)
			*key = argv[i + 1];
		else if (strcmp(argv[i], "--peer-key") == 0)
			*peer_key = argv[i + 1];
		else if (strcmp(argv[i], "--as") == 0)
			p->as = argv[i + 1];
		else if (strcmp(argv[i], "--fed-dir") == 0)
			p->fed_dir = argv[i + 1];
		else
			break;
	}
	return i;
}

int main(int argc, char **argv)
{
	struct probe p;
	const char *key = NULL, *peer_key = NULL;
	struct ls_errinfo e;
	int i, fails = 0, rv;

	if (argc > 1 && strcmp(argv[1], "fill") == 0) {
		if (sodium_init() < 0)
			return 1;
		return fill(argc, argv);
	}
	memset(&p, 0, sizeof p);
	i = options(argc, argv, &p, &key, &peer_key);
	if (p.url == NULL || key == NULL || peer_key == NULL || i >= argc) {
		fprintf(stderr, "usage: signaal-probe --url tcp://HOST:PORT "
		                "--key KEYFILE --peer-key PUBFILE [--as ID] "
		                "[--fed-dir DIR] CASE...\n");
		return 2;
	}
	if (sodium_init() < 0 || proto_keypair_load(key, &p.kp, &e) != LS_OK ||
	    proto_pubkey_load(peer_key, p.peer_pk, p.peer_id, &e) != LS_OK ||
	    proto_session_self_new(p.kp, &p.self) != LS_OK) {
		fprintf(stderr, "probe: keys: %s\n", e.msg);
		return 2;
	}
	if ((rv = nng_req0_open(&p.sock)) != 0 ||
	    (rv = nng_socket_set_size(p.sock, NNG_OPT_RECVMAXSZ,
	                              LS_SESSION_MSG_MAX)) != 0 ||
	    (rv = nng_socket_set_ms(p.sock, NNG_OPT_SENDTIMEO, 10000)) != 0 ||
	    (rv = nng_socket_set_ms(p.sock, NNG_OPT_RECVTIMEO, 10000)) != 0 ||
	    (rv = nng_dial(p.sock, p.url, NULL, 0)) != 0) {
		fprintf(stderr, "probe: %s: %s\n", p.url, nng_strerror(rv));
		return 1;
	}
	for (; i < argc; i++)
		fails += case_run(&p, argv[i]);
	nng_close(p.sock);
	proto_session_self_free(p.self);
	proto_keypair_free(p.kp);
	nng_fini();
	return fails == 0 ? 0 : 1;
}
