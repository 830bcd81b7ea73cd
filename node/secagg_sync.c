/*
 * Secure-aggregation rounds over sync sessions (see secagg_sync.h).
 *
 * Aggregator, happy path: tick -> a period every municipality released
 * and no federation summary covers -> open (stored) -> the sync rounds
 * carry open_req to each member, its key comes back (stored) -> with
 * every key, or when the wait ran out with at least min_parties keys:
 * keyset (stored) -> keyset_req, contributions come back (stored) ->
 * close (stored) -> close_req, reveals come back (stored) -> finish,
 * the federation summary is signed into the own feed, the round is
 * marked published. Failure modes: too few keys or contributions in time
 * (the attempt is abandoned, the next one starts with whoever is there),
 * an included member silent after the close (abandoned; the next attempt
 * leaves it out), 16 attempts (the period is given up until a restart).
 * A message that does not verify is refused by node_secagg_agg_take and
 * changes nothing; a member's ERROR reply is logged, and a member that
 * refuses for good (not taking part, no release) is not asked again in
 * that attempt.
 *
 * Member: every request is answered from the request alone plus the
 * store and the secret; a request from anyone but an aggregator of the
 * roster, or while [secagg] is off, is refused with `denied`.
 */
#include "node/secagg_sync.h"

#include "common/alloc.h"
#include "common/log.h"
#include "core/disclosure.h"
#include "core/member.h"
#include "node/feed.h"
#include "node/secret.h"
#include "proto/doc.h"
#include "proto/envelope.h"
#include "proto/secagg_req.h"
#include "store/feed.h"
#include "store/secagg.h"
#include "store/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per member of a round at the aggregator. */
#define HAS_KEY 0x1
#define HAS_CONTRIB 0x2
#define HAS_REVEAL 0x4
#define SAID_NO 0x8 /* refused for good in this attempt */
#define ASKED 0x10  /* a request is out (at most one per peer) */

struct node_secagg_round {
	struct ls_period period;
	uint32_t attempt;
	struct disclosure_domain_buf dom;
	struct secagg_layout layout; /* points into dom */
	struct node_secagg_agg agg;
	struct node_secagg_peer *peers; /* owned, sorted */
	size_t n_peers;
	uint8_t *open, *keyset, *close; /* owned */
	size_t open_len, keyset_len, close_len;
	uint8_t *has; /* owned, per invited member (agg.open.u.open.members) */
	uint32_t persons_cap;
	int64_t started, phase_since;
};

/* ---- common ---------------------------------------------------------- */

static int period_eq(const struct ls_period *a, const struct ls_period *b)
{
	return a->year == b->year && a->month == b->month &&
	       a->months == b->months;
}

static int period_cmp(const struct ls_period *a, const struct ls_period *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	return a->months - b->months;
}

/* A member's keys that may hold sessions now besides its newest
 * (a rotation's overlap), newest first, as many as p holds. */
static void member_other_keys(const struct ls_roster *r,
                              const struct ls_roster_member *m,
                              const struct ls_roster_key *newest,
                              int64_t now, struct node_secagg_peer *p)
{
	const struct ls_roster_key *taken[NODE_SECAGG_PEER_KEYS];
	size_t n_taken = 1;
	taken[0] = newest;
	p->n_other = 0;
	while (n_taken < NODE_SECAGG_PEER_KEYS) {
		const struct ls_roster_key *best = NULL;
		for (size_t i = 0; i < m->n_keys; i++) {
			const struct ls_roster_key *k = &m->keys[i];
			struct ls_key_ref ref;
			size_t j;
			for (j = 0; j < n_taken && taken[j] != k; j++)
				;
			if (j < n_taken ||
			    proto_roster_find_key(r, k->key_id, &ref) !=
			        LS_OK ||
			    proto_key_check_session(&ref, now) != LS_OK)
				continue;
			if (best == NULL || k->valid_from > best->valid_from)
				best = k;
		}
		if (best == NULL)
			break;
		memcpy(p->other_pk[p->n_other++], best->pk, LS_PUBKEY_BYTES);
		taken[n_taken++] = best;
	}
}

/* The roster's members with a key that may hold sessions now, sorted by
 * id (the roster's order), each with all such keys (newest first).
 * *out is the caller's (ls_free). */
static int roster_peers(const struct node_trust *t, int64_t now,
                        struct node_secagg_peer **out, size_t *n)
{
	const struct ls_roster *r = node_trust_roster(t);
	struct node_secagg_peer *p;

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return LS_ESTATE;
	p = ls_calloc(r->n_members ? r->n_members : 1, sizeof *p);
	if (p == NULL)
		return LS_ENOMEM;
	for (size_t i = 0; i < r->n_members; i++) {
		const struct ls_roster_member *m = &r->members[i];
		const struct ls_roster_key *k =
		    proto_roster_member_key(r, m, now);
		if (k == NULL)
			continue;
		snprintf(p[*n].id, sizeof p[*n].id, "%s", m->node_id);
		memcpy(p[*n].pk, k->pk, LS_PUBKEY_BYTES);
		member_other_keys(r, m, k, now, &p[*n]);
		(*n)++;
	}
	*out = p;
	return LS_OK;
}

static int layout_from_store(struct store *s, struct disclosure_domain_buf *dom,
                             struct secagg_layout *l, struct ls_errinfo *e)
{
	int rc = ls_disclosure_domain_from_taxonomy(store_taxonomy(s), dom, e);
	if (rc == LS_OK)
		rc = ls_secagg_layout_init(l, &dom->dom, e);
	return rc;
}

/* ---- member ------------------------------------------------------------ */

struct own_release {
	const struct ls_period *period;
	struct ls_doc doc; /* the latest summary of the period, if found */
	int found;
	int rc;
};

static int own_release_cb(void *arg, const struct store_doc_meta *m,
                          const uint8_t *env, size_t len)
{
	struct own_release *o = arg;
	struct ls_envelope ev;
	struct ls_doc d;
	(void)m;
	if (proto_envelope_decode(env, len, &ev, NULL) != LS_OK)
		return 0; /* verified when stored; skip what does not decode */
	memset(&d, 0, sizeof d);
	o->rc = proto_doc_decode_payload(ev.payload, ev.payload_len, &d, NULL);
	if (o->rc == LS_ENOMEM)
		return 1;
	o->rc = LS_OK;
	if (d.hdr.type == LS_DOC_SUMMARY &&
	    period_eq(&d.body.summary.period, o->period)) {
		if (o->found)
			proto_doc_fini(&o->doc);
		o->doc = d; /* a later seq supersedes */
		o->found = 1;
		return 0;
	}
	proto_doc_fini(&d);
	return 0;
}

/* The member's exact counts of the open's period as a vector, checked
 * against the bounds of its own latest release. *vec is the caller's. */
static int member_counts(struct node_secagg_sync *ss,
                         const struct ls_secagg_open *o, uint64_t **vec,
                         struct ls_errinfo *e)
{
	struct disclosure_domain_buf dom;
	struct secagg_layout l;
	struct own_release rel;
	struct ls_summary raw;
	uint64_t *v = NULL, *lo = NULL, *hi = NULL;
	int rc;

	*vec = NULL;
	if ((rc = layout_from_store(ss->store, &dom, &l, e)) != LS_OK)
		return rc;
	if (l.n_entries != o->n_entries ||
	    memcmp(l.digest, o->layout, sizeof l.digest) != 0)
		return ls_errf(e, LS_EINVAL,
		               "the round's layout is not this node's "
		               "taxonomy");
	memset(&rel, 0, sizeof rel);
	rel.period = &o->period;
	rc = store_feed_list(ss->store, LS_DOC_SUMMARY, ss->self,
	                     own_release_cb, &rel);
	if (rc == 1)
		rc = rel.rc;
	if (rc != LS_OK) {
		if (rel.found)
			proto_doc_fini(&rel.doc);
		return ls_errf(e, rc, "cannot read the own summaries");
	}
	if (!rel.found)
		return ls_errf(e, LS_ENOTFOUND,
		               "no own release of the period: not taking part");
	ls_summary_init(&raw);
	v = ls_calloc(l.n_entries, sizeof *v);
	lo = ls_calloc(l.n_entries, sizeof *lo);
	hi = ls_calloc(l.n_entries, sizeof *hi);
	if (v == NULL || lo == NULL || hi == NULL) {
		rc = LS_ENOMEM;
		goto out;
	}
	rc = store_summary_raw(ss->store, &o->period,
	                       rel.doc.body.summary.params.persons_cap, &raw, e);
	if (rc == LS_OK)
		rc = ls_secagg_vector_from_raw(&l, &raw, v, e);
	if (rc == LS_OK)
		rc = ls_secagg_bounds_from_release(
		    &l, &rel.doc.body.summary,
		    rel.doc.body.summary.params.persons_cap, lo, hi, e);
	if (rc == LS_OK)
		rc = ls_secagg_vector_check(&l, v, lo, hi, e);
out:
	ls_summary_fini(&raw);
	proto_doc_fini(&rel.doc);
	ls_free(lo);
	ls_free(hi);
	if (rc != LS_OK) {
		ls_free(v);
		return rc;
	}
	*vec = v;
	return LS_OK;
}

/* The aggregator's entry in peers, or NULL: its messages are verified
 * with the key they name, of those it may sign with now (a rotation's
 * overlap). */
static const struct node_secagg_peer *
aggregator_find(const struct node_secagg_peer *peers, size_t n,
                const char *peer)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(peers[i].id, peer) == 0)
			return &peers[i];
	return NULL;
}

/* The open message a keyset or close request carries, verified into
 * *om: the aggregator's. */
static int aggregator_open(const struct node_secagg_self *self,
                           const char *peer,
                           const struct ls_secagg_req *q,
                           struct ls_secagg_msg *om, struct ls_errinfo *e)
{
	int rc = self->aggregator != NULL
	         ? node_secagg_peer_verify(self->aggregator, q->open.data,
	                                   q->open.len, om, e)
	         : proto_secagg_msg_verify(q->open.data, q->open.len,
	                                   self->aggregator_pk, om, e);
	if (rc == LS_OK &&
	    (om->type != LS_SECAGG_OPEN || strcmp(om->signer, peer) != 0))
		rc = ls_errf(e, LS_EDENIED, "not an open message of %s", peer);
	return rc;
}

/* Answer one request; *out (the member's signed message) is the
 * caller's. */
static int member_answer(struct node_secagg_sync *ss, const char *peer,
                         int64_t now, const struct ls_secagg_req *q,
                         uint8_t **out, size_t *len, struct ls_errinfo *e)
{
	const struct ls_roster *r = node_trust_roster(ss->trust);
	const struct ls_roster_member *m;
	const struct ls_roster_key *k;
	struct node_secagg_self self;
	struct node_secagg_peer *peers = NULL;
	struct ls_secagg_msg om;
	uint64_t *vec = NULL;
	uint8_t held[32], close_hash[32];
	size_t n_peers = 0;
	int rc, have_held = 0;

	if (!ss->cfg.enabled || ss->aggregator || ss->secret == NULL)
		return ls_errf(e, LS_EDENIED,
		               "secure aggregation is off at this node");
	if (r == NULL || (m = proto_roster_find_member(r, peer)) == NULL ||
	    m->role != LS_ROLE_AGGREGATOR ||
	    (k = proto_roster_member_key(r, m, now)) == NULL)
		return ls_errf(e, LS_EDENIED, "%s is no aggregator", peer);
	if ((rc = roster_peers(ss->trust, now, &peers, &n_peers)) != LS_OK)
		return ls_errf(e, rc, "no roster");
	self = (struct node_secagg_self){
	    .id = ss->self,
	    .kp = ss->kp,
	    .secret = ss->secret,
	    .aggregator_pk = k->pk,
	    .peers = peers,
	    .n_peers = n_peers,
	    .aggregator = aggregator_find(peers, n_peers, peer),
	};
	memset(&om, 0, sizeof om);
	if (q->type != LS_SECAGG_OPEN_REQ &&
	    (rc = aggregator_open(&self, peer, q, &om, e)) != LS_OK)
		goto out;
	switch (q->type) {
	case LS_SECAGG_OPEN_REQ:
		rc = node_secagg_part_key(&self, q->open.data, q->open.len,
		                          out, len, e);
		break;
	case LS_SECAGG_KEYSET_REQ:
		rc = member_counts(ss, &om.u.open, &vec, e);
		if (rc == LS_OK)
			rc = node_secagg_part_contrib(
			    &self, q->open.data, q->open.len, q->keyset.data,
			    q->keyset.len, vec, om.u.open.n_entries, out, len,
			    e);
		break;
	case LS_SECAGG_CLOSE_REQ:
		rc = store_secagg_revealed_get(ss->store, om.round, held);
		if (rc == LS_OK)
			have_held = 1;
		else if (rc != LS_ENOTFOUND)
			break;
		rc = node_secagg_part_reveal(
		    &self, q->open.data, q->open.len, q->keyset.data,
		    q->keyset.len, q->close.data, q->close.len,
		    have_held ? held : NULL, close_hash, out, len, e);
		if (rc != LS_OK || have_held)
			break;
		/* Remembered before the reveal leaves: never a second one. */
		rc = store_secagg_revealed_put(ss->store, om.round, close_hash,
		                               now);
		if (rc != LS_OK) {
			ls_free(*out);
			*out = NULL;
			ls_errf(e, rc, "cannot remember the close");
		}
		break;
	default:
		rc = ls_errf(e, LS_EDECODE, "a reply type sent as a request");
	}
out:
	proto_secagg_msg_fini(&om);
	ls_free(vec);
	ls_free(peers);
	return rc;
}

static int encode_error(int code, uint8_t **reply, size_t *len)
{
	struct ls_sync_msg m;
	proto_sync_msg_init(&m, LS_SYNC_ERROR);
	m.code = proto_wire_code(code);
	return proto_sync_encode(&m, reply, len, NULL);
}

static int serve_cb(void *arg, const char *peer, int64_t now,
                    const uint8_t *plain, size_t len, uint8_t **reply,
                    size_t *reply_len)
{
	struct node_secagg_sync *ss = arg;
	struct ls_secagg_req q, a;
	struct ls_errinfo e;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	int rc;

	if (!proto_secagg_req_is(plain, len))
		return LS_ENOTFOUND;
	ss->served++;
	ls_errinfo_clear(&e);
	rc = proto_secagg_req_decode(plain, len, &q, &e);
	if (rc == LS_OK && proto_secagg_req_reply_type(q.type) == 0)
		rc = ls_errf(&e, LS_EDECODE, "%s is no request",
		             proto_secagg_req_type_name(q.type));
	if (rc == LS_OK)
		rc = member_answer(ss, peer, now, &q, &msg, &msg_len, &e);
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK) {
		ss->refused++;
		LS_WARN("secagg", "request_refused",
		        "peer=%s reason=%s detail=\"%.120s\"", peer,
		        ls_errname(rc), e.msg);
		return encode_error(rc, reply, reply_len);
	}
	memset(&a, 0, sizeof a);
	a.type = proto_secagg_req_reply_type(q.type);
	a.msg.data = msg;
	a.msg.len = msg_len;
	rc = proto_secagg_req_encode(&a, reply, reply_len, &e);
	ls_free(msg);
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK)
		return encode_error(rc, reply, reply_len);
	LS_DEBUG("secagg", "answered", "peer=%s type=%s", peer,
	         proto_secagg_req_type_name(a.type));
	return LS_OK;
}

/* ---- aggregator: the round --------------------------------------------- */

static void round_free(struct node_secagg_round *r)
{
	if (r == NULL)
		return;
	node_secagg_agg_fini(&r->agg);
	ls_free(r->peers);
	ls_free(r->open);
	ls_free(r->keyset);
	ls_free(r->close);
	ls_free(r->has);
	ls_free(r);
}

static int member_index(const struct node_secagg_round *r, const char *id,
                        size_t *i)
{
	return node_secagg_member_index(&r->agg.open.u.open, id, i);
}

static size_t count_has(const struct node_secagg_round *r, uint8_t bit)
{
	size_t n = 0;
	for (size_t i = 0; i < r->agg.open.u.open.n_members; i++)
		n += (r->has[i] & bit) != 0;
	return n;
}

/* The row of the round as it stands. */
static int round_store(struct node_secagg_sync *ss,
                       const struct node_secagg_round *r, int state,
                       uint64_t seq, int64_t ended)
{
	struct store_secagg_round row;
	size_t included = count_has(r, HAS_CONTRIB);
	memset(&row, 0, sizeof row);
	row.period = r->period;
	row.attempt = r->attempt;
	memcpy(row.round, r->agg.round, sizeof row.round);
	row.open = r->open;
	row.open_len = r->open_len;
	row.keyset = r->keyset;
	row.keyset_len = r->keyset_len;
	row.close = r->close;
	row.close_len = r->close_len;
	row.state = state;
	row.fedsum_seq = seq;
	row.started = r->started;
	row.ended = ended;
	row.n_invited = (uint32_t)r->agg.open.u.open.n_members;
	row.n_included = r->close != NULL ? (uint32_t)included : 0;
	row.n_dropped = r->close != NULL ? row.n_invited - row.n_included : 0;
	return store_secagg_round_put(ss->store, &row);
}

/* The last round of p's period, kept sorted by period (the newest
 * periods when there are more than fit). */
static void note_last(struct node_secagg_sync *ss,
                      const struct node_secagg_period_state *p)
{
	const size_t max = sizeof ss->last / sizeof ss->last[0];
	size_t i;

	for (i = 0; i < ss->n_last; i++)
		if (period_eq(&ss->last[i].period, &p->period)) {
			ss->last[i] = *p;
			return;
		}
	if (ss->n_last == max) {
		if (period_cmp(&p->period, &ss->last[0].period) < 0)
			return;
		memmove(&ss->last[0], &ss->last[1],
		        (max - 1) * sizeof ss->last[0]);
		ss->n_last--;
	}
	for (i = ss->n_last; i > 0 &&
	                     period_cmp(&ss->last[i - 1].period, &p->period) > 0;
	     i--)
		ss->last[i] = ss->last[i - 1];
	ss->last[i] = *p;
	ss->n_last++;
}

static void round_note(struct node_secagg_sync *ss,
                       const struct node_secagg_round *r, int state,
                       uint64_t seq, int64_t ended)
{
	struct node_secagg_period_state p;
	memset(&p, 0, sizeof p);
	p.period = r->period;
	p.attempt = r->attempt;
	p.state = state;
	p.invited = (uint32_t)r->agg.open.u.open.n_members;
	p.included = r->close != NULL ? (uint32_t)count_has(r, HAS_CONTRIB) : 0;
	p.dropped = p.invited - p.included;
	p.fedsum_seq = seq;
	p.ended = ended;
	note_last(ss, &p);
}

static void kick(struct node_secagg_sync *ss)
{
	if (ss->cfg.kick != NULL)
		ss->cfg.kick(ss->cfg.kick_arg);
}

/* The federation's policy now (or the defaults). */
static void policy_now(const struct node_secagg_sync *ss, int64_t now,
                       struct ls_policy *out)
{
	uint64_t seq = 0;
	const struct ls_policy *p = node_trust_policy_at(ss->trust, now, &seq);
	if (p != NULL)
		*out = *p;
	else
		ls_policy_default(out, 0);
}

/* A new round (open signed, stored) for period with the invited ids,
 * or, with `from` (a stored open message), the same round again. */
static int round_open(struct node_secagg_sync *ss,
                      const struct ls_period *period, uint32_t attempt,
                      ls_secagg_id *invited, size_t n, int64_t now,
                      const struct ls_secagg_open *from,
                      struct node_secagg_round **out, struct ls_errinfo *e)
{
	struct node_secagg_round *r;
	struct ls_secagg_open o;
	struct ls_policy pol;
	int rc;

	*out = NULL;
	r = ls_calloc(1, sizeof *r);
	if (r == NULL)
		return LS_ENOMEM;
	r->period = *period;
	r->attempt = attempt;
	r->started = now;
	r->phase_since = now;
	policy_now(ss, now, &pol);
	r->persons_cap = pol.params.persons_cap;
	rc = layout_from_store(ss->store, &r->dom, &r->layout, e);
	if (rc == LS_OK)
		rc = roster_peers(ss->trust, now, &r->peers, &r->n_peers);
	if (rc != LS_OK)
		goto fail;
	if (from != NULL) {
		o = *from;
	} else {
		memset(&o, 0, sizeof o);
		o.period = *period;
		o.attempt = attempt;
		memcpy(o.layout, r->layout.digest, sizeof o.layout);
		o.n_entries = (uint32_t)r->layout.n_entries;
		o.noise = ss->cfg.noise;
		o.k = pol.params.mode == LS_MODE_NOISE
		          ? pol.params.withhold_below
		          : pol.params.k;
		if (o.k > 100)
			o.k = 100;
		o.min_parties = ss->cfg.min_parties < 2 ? 2
		                                        : ss->cfg.min_parties;
		if (o.min_parties > n)
			o.min_parties = (uint32_t)n;
		o.created = now;
		o.deadline = now + 4 * ss->cfg.wait_s;
		o.members = invited;
		o.n_members = n;
	}
	rc = node_secagg_agg_open(&r->agg, &o, ss->self, ss->kp, r->peers,
	                          r->n_peers, &r->open, &r->open_len, e);
	if (rc != LS_OK)
		goto fail;
	r->has = ls_calloc(r->agg.open.u.open.n_members, 1);
	if (r->has == NULL) {
		rc = LS_ENOMEM;
		goto fail;
	}
	*out = r;
	return LS_OK;
fail:
	round_free(r);
	return rc;
}

/* The slot of r among the rounds in progress. */
static size_t round_slot(const struct node_secagg_sync *ss,
                         const struct node_secagg_round *r)
{
	size_t i;
	for (i = 0; i < ss->n_rounds; i++)
		if (ss->rounds[i] == r)
			break;
	return i;
}

/* Take r out of the rounds in progress (or put next in its place) and
 * free it. */
static void round_remove(struct node_secagg_sync *ss,
                         struct node_secagg_round *r,
                         struct node_secagg_round *next)
{
	size_t i = round_slot(ss, r);
	if (i < ss->n_rounds) {
		if (next != NULL) {
			ss->rounds[i] = next;
		} else {
			memmove(&ss->rounds[i], &ss->rounds[i + 1],
			        (ss->n_rounds - i - 1) * sizeof ss->rounds[0]);
			ss->n_rounds--;
		}
	}
	round_free(r);
	ss->scanned_gen = 0; /* a slot may be free: look again */
}

/* Drop the attempt: stored as abandoned, and the next attempt of the
 * period opened in its place, without the members that went silent
 * after the close (at most LS_SECAGG_ATTEMPT_MAX attempts). */
static void round_abandon(struct node_secagg_sync *ss,
                          struct node_secagg_round *r, int64_t now,
                          const char *why)
{
	const struct ls_secagg_open *o = &r->agg.open.u.open;
	struct node_secagg_round *next = NULL;
	struct ls_errinfo e;
	ls_secagg_id *inv;
	size_t n_inv = 0;
	char p[LS_PERIOD_SIZE];
	int rc;

	ls_period_format(&r->period, p);
	rc = round_store(ss, r, STORE_SECAGG_ABANDONED, 0, now);
	if (rc != LS_OK)
		LS_ERROR("secagg", "round_store_failed", "period=%s reason=%s",
		         p, ls_errname(rc));
	LS_WARN("secagg", "attempt_abandoned",
	        "period=%s attempt=%u reason=%s keys=%zu contribs=%zu "
	        "reveals=%zu",
	        p, r->attempt, why, count_has(r, HAS_KEY),
	        count_has(r, HAS_CONTRIB), count_has(r, HAS_REVEAL));
	round_note(ss, r, STORE_SECAGG_ABANDONED, 0, now);
	ss->abandoned++;
	inv = ls_calloc(o->n_members, sizeof *inv);
	if (inv != NULL && r->attempt < LS_SECAGG_ATTEMPT_MAX) {
		for (size_t i = 0; i < o->n_members; i++)
			if (r->close == NULL || !(r->has[i] & HAS_CONTRIB) ||
			    (r->has[i] & HAS_REVEAL))
				snprintf(inv[n_inv++], LS_NODE_ID_SIZE, "%s",
				         o->members[i]);
		ls_errinfo_clear(&e);
		if (n_inv >= 2 && n_inv >= ss->cfg.min_parties) {
			rc = round_open(ss, &r->period, r->attempt + 1, inv,
			                n_inv, now, NULL, &next, &e);
			if (rc == LS_OK &&
			    (rc = round_store(ss, next, STORE_SECAGG_RUNNING, 0,
			                      0)) != LS_OK) {
				round_free(next);
				next = NULL;
			}
			if (rc != LS_OK)
				LS_ERROR("secagg", "open_failed",
				         "period=%s reason=%s detail=\"%.160s\"",
				         p, ls_errname(rc), e.msg);
		}
	}
	ls_free(inv);
	if (next != NULL) {
		LS_INFO("secagg", "round_opened",
		        "period=%s attempt=%u members=%zu", p, next->attempt,
		        n_inv);
		round_note(ss, next, STORE_SECAGG_RUNNING, 0, 0);
		kick(ss);
	}
	round_remove(ss, r, next);
}

/* Every included member revealed: the total, the federation summary in
 * the own feed, the round stored as published. */
static int round_publish(struct node_secagg_sync *ss,
                         struct node_secagg_round *r, int64_t now)
{
	struct store_doc_meta meta;
	struct ls_errinfo e;
	struct ls_doc doc;
	char p[LS_PERIOD_SIZE];
	int64_t *total;
	uint8_t *msg = NULL;
	size_t msg_len = 0;
	int rc;

	ls_period_format(&r->period, p);
	total = ls_calloc(r->layout.n_entries, sizeof *total);
	if (total == NULL)
		return LS_ENOMEM;
	ls_errinfo_clear(&e);
	proto_doc_init(&doc, LS_DOC_FEDSUM);
	snprintf(doc.hdr.origin, sizeof doc.hdr.origin, "%s", ss->self);
	rc = node_secagg_agg_finish(&r->agg, ss->kp, total, &msg, &msg_len,
	                            &e);
	ls_free(msg);
	if (rc == LS_OK)
		rc = node_secagg_agg_fedsum(&r->agg, &r->layout, total,
		                            r->persons_cap, &doc.body.fedsum,
		                            &e);
	ls_free(total);
	if (rc == LS_OK)
		rc = store_tx_begin(ss->store);
	if (rc == LS_OK) {
		/* Only with a key the roster held lets sign now
		 * (PROTOCOL.md 6, "Rotation"). */
		struct node_feed_key own;
		node_feed_key_of(node_trust_roster(ss->trust), ss->self,
		                 ss->kp->key_id, &own);
		rc = node_feed_publish_checked(ss->store, ss->kp, &own, &doc,
		                               now, &meta, &e);
		if (rc == LS_OK)
			rc = round_store(ss, r, STORE_SECAGG_PUBLISHED,
			                 meta.seq, now);
		if (rc == LS_OK)
			rc = store_tx_commit(ss->store);
		else
			store_tx_rollback(ss->store);
	}
	proto_doc_fini(&doc);
	if (rc != LS_OK) {
		LS_ERROR("secagg", "publish_failed",
		         "period=%s attempt=%u reason=%s detail=\"%.160s\"", p,
		         r->attempt, ls_errname(rc), e.msg);
		return rc;
	}
	LS_INFO("secagg", "fedsum_published",
	        "period=%s attempt=%u seq=%llu included=%zu invited=%zu", p,
	        r->attempt, (unsigned long long)meta.seq,
	        count_has(r, HAS_CONTRIB), r->agg.open.u.open.n_members);
	round_note(ss, r, STORE_SECAGG_PUBLISHED, meta.seq, now);
	ss->published++;
	round_remove(ss, r, NULL);
	return LS_OK;
}

/* Move the round on when its phase is complete or its wait ran out. */
static int round_advance(struct node_secagg_sync *ss,
                         struct node_secagg_round *r, int64_t now,
                         int own_head_known)
{
	struct node_secagg_agg *a = &r->agg;
	struct ls_errinfo e;
	size_t n = a->open.u.open.n_members, answered = 0;
	int expired = now - r->phase_since >= ss->cfg.wait_s, rc;

	ls_errinfo_clear(&e);
	switch (a->phase) {
	case NODE_SECAGG_KEYS:
		answered = count_has(r, HAS_KEY | SAID_NO);
		if (answered < n && !expired)
			return LS_OK;
		if (count_has(r, HAS_KEY) < a->open.u.open.min_parties) {
			round_abandon(ss, r, now, "too_few_keys");
			return LS_OK;
		}
		rc = node_secagg_agg_keyset(a, ss->kp, &r->keyset,
		                            &r->keyset_len, &e);
		break;
	case NODE_SECAGG_CONTRIB:
		for (size_t i = 0; i < n; i++)
			if ((r->has[i] & HAS_KEY) &&
			    !(r->has[i] & (HAS_CONTRIB | SAID_NO)))
				answered++;
		if (answered > 0 && !expired)
			return LS_OK;
		if (count_has(r, HAS_CONTRIB) < a->open.u.open.min_parties) {
			round_abandon(ss, r, now, "too_few_contributions");
			return LS_OK;
		}
		rc = node_secagg_agg_close(a, ss->kp, &r->close,
		                           &r->close_len, &e);
		break;
	case NODE_SECAGG_REVEAL:
		if (count_has(r, HAS_REVEAL) == count_has(r, HAS_CONTRIB)) {
			if (!own_head_known)
				return LS_OK;
			return round_publish(ss, r, now);
		}
		if (expired)
			round_abandon(ss, r, now, "silent_after_close");
		return LS_OK;
	default:
		return LS_OK;
	}
	if (rc != LS_OK) {
		LS_ERROR("secagg", "phase_failed",
		         "attempt=%u reason=%s detail=\"%.160s\"", r->attempt,
		         ls_errname(rc), e.msg);
		round_abandon(ss, r, now, ls_errname(rc));
		return LS_OK;
	}
	r->phase_since = now;
	rc = round_store(ss, r, STORE_SECAGG_RUNNING, 0, 0);
	if (rc != LS_OK)
		LS_ERROR("secagg", "round_store_failed", "reason=%s",
		         ls_errname(rc));
	{
		char p[LS_PERIOD_SIZE];
		ls_period_format(&r->period, p);
		LS_INFO("secagg", "phase",
		        "period=%s attempt=%u phase=%s keys=%zu contribs=%zu", p,
		        r->attempt, a->phase == NODE_SECAGG_CONTRIB ? "contrib"
	                                                    : "reveal",
		        count_has(r, HAS_KEY), count_has(r, HAS_CONTRIB));
	}
	kick(ss);
	return rc;
}

/* ---- aggregator: which period next ------------------------------------ */

struct scan_period {
	struct ls_period period;
	size_t n;
	ls_secagg_id *ids; /* owned, the municipalities that released it */
};

struct scan {
	const struct ls_roster *roster;
	struct scan_period *v;
	size_t n, cap;
	int rc;
};

static int scan_add(struct scan *s, const struct ls_period *p, const char *id)
{
	struct scan_period *sp = NULL;
	ls_secagg_id *grown;
	for (size_t i = 0; i < s->n; i++)
		if (period_eq(&s->v[i].period, p))
			sp = &s->v[i];
	if (sp == NULL) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 32;
			struct scan_period *g =
			    ls_realloc(s->v, cap * sizeof *g);
			if (g == NULL)
				return LS_ENOMEM;
			s->v = g;
			s->cap = cap;
		}
		sp = &s->v[s->n++];
		memset(sp, 0, sizeof *sp);
		sp->period = *p;
	}
	for (size_t i = 0; i < sp->n; i++)
		if (strcmp(sp->ids[i], id) == 0)
			return LS_OK;
	grown = ls_realloc(sp->ids, (sp->n + 1) * sizeof *grown);
	if (grown == NULL)
		return LS_ENOMEM;
	sp->ids = grown;
	snprintf(sp->ids[sp->n++], LS_NODE_ID_SIZE, "%s", id);
	return LS_OK;
}

static int scan_cb(void *arg, const struct store_doc_meta *m,
                   const uint8_t *env, size_t len)
{
	struct scan *s = arg;
	const struct ls_roster_member *mem;
	struct ls_envelope ev;
	struct ls_doc d;
	int rc;

	mem = proto_roster_find_member(s->roster, m->origin);
	if (mem == NULL || mem->role != LS_ROLE_MUNICIPALITY)
		return 0;
	if (proto_envelope_decode(env, len, &ev, NULL) != LS_OK)
		return 0;
	memset(&d, 0, sizeof d);
	rc = proto_doc_decode_payload(ev.payload, ev.payload_len, &d, NULL);
	if (rc == LS_ENOMEM) {
		s->rc = rc;
		return 1;
	}
	if (rc == LS_OK && d.hdr.type == LS_DOC_SUMMARY)
		rc = scan_add(s, &d.body.summary.period, m->origin);
	proto_doc_fini(&d);
	if (rc == LS_ENOMEM) {
		s->rc = rc;
		return 1;
	}
	return 0;
}

struct done_scan {
	struct ls_period *done; /* published, or 16 attempts */
	size_t n, cap;
	struct ls_period last_p;
	uint32_t last_attempt;
	int rc;
};

static int done_cb(void *arg, const struct store_secagg_round *r)
{
	struct done_scan *d = arg;
	if (r->state == STORE_SECAGG_PUBLISHED ||
	    r->attempt >= LS_SECAGG_ATTEMPT_MAX) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? 2 * d->cap : 32;
			struct ls_period *g =
			    ls_realloc(d->done, cap * sizeof *g);
			if (g == NULL) {
				d->rc = LS_ENOMEM;
				return 1;
			}
			d->done = g;
			d->cap = cap;
		}
		d->done[d->n++] = r->period;
	}
	return 0;
}

/* Attempts a period had so far (the next is one more). */
struct attempts {
	const struct ls_period *p;
	uint32_t max;
};

static int attempts_cb(void *arg, const struct store_secagg_round *r)
{
	struct attempts *a = arg;
	if (period_eq(&r->period, a->p) && r->attempt > a->max)
		a->max = r->attempt;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static size_t municipalities(const struct ls_roster *r, int64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_members; i++)
		if (r->members[i].role == LS_ROLE_MUNICIPALITY &&
		    proto_roster_member_key(r, &r->members[i], now) != NULL)
			n++;
	return n;
}

static int period_running(const struct node_secagg_sync *ss,
                          const struct ls_period *p)
{
	for (size_t i = 0; i < ss->n_rounds; i++)
		if (period_eq(&ss->rounds[i]->period, p))
			return 1;
	return 0;
}

static int scan_period_cmp(const void *a, const void *b)
{
	return period_cmp(&((const struct scan_period *)a)->period,
	                  &((const struct scan_period *)b)->period);
}

/* Open the round of one period with the municipalities that released
 * it, as the next attempt. */
static int round_start_one(struct node_secagg_sync *ss,
                           const struct scan_period *sp, int64_t now)
{
	struct node_secagg_round *r = NULL;
	struct attempts at;
	struct ls_errinfo e;
	ls_secagg_id *inv;
	char p[LS_PERIOD_SIZE];
	int rc;

	ls_period_format(&sp->period, p);
	inv = ls_calloc(sp->n, sizeof *inv);
	if (inv == NULL)
		return LS_ENOMEM;
	memcpy(inv, sp->ids, sp->n * sizeof *inv);
	qsort(inv, sp->n, sizeof *inv, id_cmp);
	at.p = &sp->period;
	at.max = 0;
	rc = store_secagg_round_list(ss->store, attempts_cb, &at);
	ls_errinfo_clear(&e);
	if (rc == LS_OK)
		rc = round_open(ss, &sp->period, at.max + 1, inv, sp->n, now,
		                NULL, &r, &e);
	if (rc == LS_OK)
		rc = round_store(ss, r, STORE_SECAGG_RUNNING, 0, 0);
	ls_free(inv);
	if (rc != LS_OK) {
		LS_ERROR("secagg", "open_failed",
		         "period=%s reason=%s detail=\"%.160s\"", p,
		         ls_errname(rc), e.msg);
		round_free(r);
		return rc;
	}
	ss->rounds[ss->n_rounds++] = r;
	LS_INFO("secagg", "round_opened", "period=%s attempt=%u members=%zu",
	        p, r->attempt, sp->n);
	round_note(ss, r, STORE_SECAGG_RUNNING, 0, 0);
	kick(ss);
	return LS_OK;
}

/* Open rounds for the oldest periods due (up to NODE_SECAGG_PARALLEL
 * at once): released by municipalities, no federation summary yet, not
 * given up. A period released by some of the municipalities waits three
 * waits for the others. */
static int round_start(struct node_secagg_sync *ss, int64_t now)
{
	const struct ls_roster *roster = node_trust_roster(ss->trust);
	struct scan sc;
	struct done_scan ds;
	uint64_t gen = 0;
	size_t everyone;
	int rc, incomplete = 0;

	if (roster == NULL || ss->n_rounds == NODE_SECAGG_PARALLEL)
		return LS_OK;
	if ((rc = store_feed_generation(ss->store, &gen)) != LS_OK)
		return rc;
	if (gen == ss->scanned_gen && ss->waiting_since == 0)
		return LS_OK;
	memset(&sc, 0, sizeof sc);
	memset(&ds, 0, sizeof ds);
	sc.roster = roster;
	rc = store_feed_list(ss->store, LS_DOC_SUMMARY, NULL, scan_cb, &sc);
	if (rc == 1)
		rc = sc.rc;
	if (rc == LS_OK) {
		rc = store_secagg_round_list(ss->store, done_cb, &ds);
		if (rc == 1)
			rc = ds.rc;
	}
	if (rc != LS_OK)
		goto out;
	ss->scanned_gen = gen;
	if (sc.n > 1)
		qsort(sc.v, sc.n, sizeof *sc.v, scan_period_cmp);
	everyone = municipalities(roster, now);
	for (size_t i = 0; i < sc.n && ss->n_rounds < NODE_SECAGG_PARALLEL;
	     i++) {
		int done = period_running(ss, &sc.v[i].period);
		for (size_t j = 0; j < ds.n && !done; j++)
			done = period_eq(&ds.done[j], &sc.v[i].period);
		if (done || sc.v[i].n < 2 || sc.v[i].n < ss->cfg.min_parties)
			continue;
		if (sc.v[i].n < everyone) {
			incomplete = 1;
			if (ss->waiting_since == 0)
				ss->waiting_since = now;
			if (now - ss->waiting_since < 3 * ss->cfg.wait_s)
				continue;
		}
		if ((rc = round_start_one(ss, &sc.v[i], now)) != LS_OK)
			break;
	}
	if (!incomplete)
		ss->waiting_since = 0;
out:
	for (size_t i = 0; i < sc.n; i++)
		ls_free(sc.v[i].ids);
	ls_free(sc.v);
	ls_free(ds.done);
	return rc;
}

/* ---- aggregator: transport -------------------------------------------- */

static int round_request(struct node_secagg_round *r, size_t i,
                         uint8_t **plain, size_t *len);

static int next_cb(void *arg, const char *peer, int64_t now, uint8_t **plain,
                   size_t *len)
{
	struct node_secagg_sync *ss = arg;
	int rc = LS_ENOTFOUND;

	(void)now;
	for (size_t k = 0; k < ss->n_rounds; k++) { /* none is out now */
		size_t i;
		if (member_index(ss->rounds[k], peer, &i))
			ss->rounds[k]->has[i] &= (uint8_t)~ASKED;
	}
	/* The oldest period first; one request per exchange. */
	for (size_t k = 0; k < ss->n_rounds && rc == LS_ENOTFOUND; k++) {
		struct node_secagg_round *r = ss->rounds[k];
		size_t i;
		if (!member_index(r, peer, &i))
			continue;
		rc = round_request(r, i, plain, len);
		if (rc == LS_OK)
			r->has[i] |= ASKED;
	}
	return rc;
}

/* What member i owes r now, as a request (LS_ENOTFOUND: nothing). */
static int round_request(struct node_secagg_round *r, size_t i,
                         uint8_t **plain, size_t *len)
{
	struct ls_secagg_req q;
	uint8_t h = r->has[i];

	if (h & SAID_NO)
		return LS_ENOTFOUND;
	memset(&q, 0, sizeof q);
	q.open.data = r->open;
	q.open.len = r->open_len;
	switch (r->agg.phase) {
	case NODE_SECAGG_KEYS:
		if (h & HAS_KEY)
			return LS_ENOTFOUND;
		q.type = LS_SECAGG_OPEN_REQ;
		break;
	case NODE_SECAGG_CONTRIB:
		if (!(h & HAS_KEY) || (h & HAS_CONTRIB))
			return LS_ENOTFOUND;
		q.type = LS_SECAGG_KEYSET_REQ;
		q.keyset.data = r->keyset;
		q.keyset.len = r->keyset_len;
		break;
	case NODE_SECAGG_REVEAL:
		if (!(h & HAS_CONTRIB) || (h & HAS_REVEAL))
			return LS_ENOTFOUND;
		q.type = LS_SECAGG_CLOSE_REQ;
		q.keyset.data = r->keyset;
		q.keyset.len = r->keyset_len;
		q.close.data = r->close;
		q.close.len = r->close_len;
		break;
	default:
		return LS_ENOTFOUND;
	}
	return proto_secagg_req_encode(&q, plain, len, NULL);
}

/* A member's refusal that holds for the whole attempt. */
static int refusal_final(int code)
{
	switch (code) {
	case LS_EDENIED:
	case LS_ENOTFOUND:
	case LS_EPOLICY:
	case LS_EINVAL:
	case LS_EKEY:
	case LS_ESIG:
	case LS_EEXPIRED:
		return 1;
	default:
		return 0;
	}
}

static const uint8_t has_of_type[LS_SECAGG_TYPE_MAX_ + 1] = {
    [LS_SECAGG_KEY] = HAS_KEY,
    [LS_SECAGG_CONTRIB] = HAS_CONTRIB,
    [LS_SECAGG_REVEAL] = HAS_REVEAL,
};

/* Take a member's message into the round (and the store). */
static int round_take(struct node_secagg_sync *ss, struct node_secagg_round *r,
                      const char *peer, size_t i, const uint8_t *msg,
                      size_t len, int64_t now, int persist,
                      struct ls_errinfo *e)
{
	char signer[LS_NODE_ID_SIZE];
	uint8_t type, key_id[LS_KEY_ID_BYTES];
	int rc;

	rc = proto_secagg_msg_peek(msg, len, &type, signer, key_id, e);
	if (rc != LS_OK)
		return rc;
	if (strcmp(signer, peer) != 0 || type > LS_SECAGG_TYPE_MAX_ ||
	    has_of_type[type] == 0)
		return ls_errf(e, LS_EDENIED, "a %s message of %s from %s",
		               proto_secagg_type_name(type)
		                   ? proto_secagg_type_name(type)
		                   : "?",
		               signer, peer);
	if ((rc = node_secagg_agg_take(&r->agg, msg, len, now, e)) != LS_OK)
		return rc;
	r->has[i] |= has_of_type[type];
	if (persist &&
	    (rc = store_secagg_msg_put(ss->store, r->agg.round, peer, type,
	                               now, msg, len)) != LS_OK)
		LS_ERROR("secagg", "msg_store_failed", "peer=%s reason=%s",
		         peer, ls_errname(rc));
	return LS_OK;
}

static void reply_cb(void *arg, const char *peer, int64_t now, int code,
                     const uint8_t *plain, size_t len)
{
	struct node_secagg_sync *ss = arg;
	struct node_secagg_round *r = NULL;
	struct ls_secagg_req a;
	struct ls_sync_msg err;
	struct ls_errinfo e;
	size_t i = 0;
	int rc;

	/* The round this peer's outstanding request came from. */
	for (size_t k = 0; k < ss->n_rounds && r == NULL; k++)
		if (member_index(ss->rounds[k], peer, &i) &&
		    (ss->rounds[k]->has[i] & ASKED))
			r = ss->rounds[k];
	if (r == NULL)
		return;
	r->has[i] &= (uint8_t)~ASKED;
	if (code != LS_OK || plain == NULL) {
		LS_DEBUG("secagg", "exchange_failed", "peer=%s reason=%s", peer,
		         ls_errname(code));
		return;
	}
	ls_errinfo_clear(&e);
	if (!proto_secagg_req_is(plain, len)) {
		memset(&err, 0, sizeof err);
		rc = proto_sync_decode(plain, len, &err, &e);
		if (rc == LS_OK && err.type == LS_SYNC_ERROR)
			rc = proto_wire_code_to_err(err.code);
		else if (rc == LS_OK)
			rc = LS_EDECODE;
		proto_sync_msg_fini(&err);
		if (refusal_final(rc))
			r->has[i] |= SAID_NO;
		LS_WARN("secagg", "member_refused",
		        "peer=%s attempt=%u reason=%s", peer, r->attempt,
		        ls_errname(rc));
		return;
	}
	rc = proto_secagg_req_decode(plain, len, &a, &e);
	if (rc == LS_OK && (a.type < LS_SECAGG_KEY_REP || a.type % 2 != 0))
		rc = ls_errf(&e, LS_EDECODE, "a request as a reply");
	if (rc == LS_OK)
		rc = round_take(ss, r, peer, i, a.msg.data, a.msg.len, now, 1,
		                &e);
	if (rc != LS_OK) {
		ss->take_refused++;
		LS_WARN("secagg", "reply_refused",
		        "peer=%s reason=%s detail=\"%.120s\"", peer,
		        ls_errname(rc), e.msg);
		return;
	}
	ss->taken++;
	LS_DEBUG("secagg", "taken", "peer=%s attempt=%u type=%s", peer,
	         r->attempt,
	         a.type == LS_SECAGG_KEY_REP       ? "key"
	         : a.type == LS_SECAGG_CONTRIB_REP ? "contrib"
	                                           : "reveal");
	(void)round_advance(ss, r, now, ss->own_head_known);
}

/* ---- aggregator: resume ------------------------------------------------ */

/* The running rounds in the store, blobs copied. */
struct resume_row {
	struct store_secagg_round row;
	uint8_t *open, *keyset, *close;
};

struct resume {
	struct resume_row *v;
	size_t n;
	int rc;
};

static uint8_t *dup_blob(const uint8_t *b, size_t len)
{
	uint8_t *c;
	if (b == NULL || len == 0)
		return NULL;
	c = ls_malloc(len);
	if (c != NULL)
		memcpy(c, b, len);
	return c;
}

static int resume_cb(void *arg, const struct store_secagg_round *r)
{
	struct resume *rs = arg;
	struct resume_row *x;
	if (r->state != STORE_SECAGG_RUNNING ||
	    rs->n == NODE_SECAGG_PARALLEL)
		return 0;
	x = &rs->v[rs->n++];
	x->row = *r;
	x->open = dup_blob(r->open, r->open_len);
	x->keyset = dup_blob(r->keyset, r->keyset_len);
	x->close = dup_blob(r->close, r->close_len);
	if (x->open == NULL || (r->keyset && !x->keyset) ||
	    (r->close && !x->close)) {
		rs->rc = LS_ENOMEM;
		return 1;
	}
	return 0;
}

struct replay {
	struct node_secagg_sync *ss;
	struct node_secagg_round *r;
	int type;
};

static int replay_cb(void *arg, const char *member, int type, int64_t at,
                     const uint8_t *msg, size_t len)
{
	struct replay *rp = arg;
	size_t i;
	if (type != rp->type || !member_index(rp->r, member, &i))
		return 0;
	if (round_take(rp->ss, rp->r, member, i, msg, len, at, 0, NULL) !=
	    LS_OK)
		LS_WARN("secagg", "resume_msg_refused", "member=%s type=%d",
		        member, type);
	return 0;
}

static int replay_type(struct node_secagg_sync *ss,
                       struct node_secagg_round *r, int type)
{
	struct replay rp = {.ss = ss, .r = r, .type = type};
	return store_secagg_msg_list(ss->store, r->agg.round, replay_cb, &rp);
}

/* The same bytes again, or the resumed round is not the stored one. */
static int same_blob(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Build the stored round x again; *same is 0 when it cannot be the same
 * round (another roster or taxonomy). */
static int resume_one(struct node_secagg_sync *ss, const struct resume_row *x,
                      int64_t now, struct node_secagg_round **out, int *same,
                      struct ls_errinfo *e)
{
	struct node_secagg_round *r = NULL;
	struct ls_secagg_msg om;
	int rc;

	*out = NULL;
	*same = 0;
	memset(&om, 0, sizeof om);
	rc = proto_secagg_msg_verify(x->open, x->row.open_len, ss->kp->pk, &om,
	                             e);
	/* Signed with this node's key before it installed a new one (a
	 * rotation): its own bytes, verified when it made them. The open
	 * made again below differs (another key), so the round is abandoned
	 * as a mismatch and the next attempt runs on the new key. */
	if (rc == LS_EKEY) {
		memset(&om, 0, sizeof om);
		rc = proto_secagg_msg_decode_signed(x->open, x->row.open_len,
		                                    &om, e);
		if (rc == LS_OK && (om.type != LS_SECAGG_OPEN ||
		                    strcmp(om.signer, ss->self) != 0))
			rc = ls_errf(e, LS_EKEY, "stored open is not ours");
	}
	if (rc == LS_OK)
		rc = round_open(ss, &x->row.period, x->row.attempt, NULL, 0, now,
		                &om.u.open, &r, e);
	proto_secagg_msg_fini(&om);
	if (rc != LS_OK)
		return rc;
	r->started = x->row.started;
	*same = same_blob(r->open, r->open_len, x->open, x->row.open_len);
	if (*same)
		rc = replay_type(ss, r, LS_SECAGG_KEY);
	if (rc == LS_OK && *same && x->keyset != NULL) {
		rc = node_secagg_agg_keyset(&r->agg, ss->kp, &r->keyset,
		                            &r->keyset_len, e);
		*same = rc == LS_OK && same_blob(r->keyset, r->keyset_len,
		                                 x->keyset, x->row.keyset_len);
		rc = *same ? replay_type(ss, r, LS_SECAGG_CONTRIB) : LS_OK;
	}
	if (rc == LS_OK && *same && x->close != NULL) {
		rc = node_secagg_agg_close(&r->agg, ss->kp, &r->close,
		                           &r->close_len, e);
		*same = rc == LS_OK && same_blob(r->close, r->close_len,
		                                 x->close, x->row.close_len);
		rc = *same ? replay_type(ss, r, LS_SECAGG_REVEAL) : LS_OK;
	}
	if (rc != LS_OK) {
		round_free(r);
		return rc;
	}
	*out = r;
	return LS_OK;
}

static int resume(struct node_secagg_sync *ss, int64_t now,
                  struct ls_errinfo *e)
{
	struct resume rs;
	char p[LS_PERIOD_SIZE];
	int rc;

	memset(&rs, 0, sizeof rs);
	rs.v = ls_calloc(NODE_SECAGG_PARALLEL, sizeof *rs.v);
	if (rs.v == NULL)
		return LS_ENOMEM;
	rc = store_secagg_round_list(ss->store, resume_cb, &rs);
	if (rc == 1)
		rc = rs.rc;
	for (size_t k = 0; k < rs.n && rc == LS_OK; k++) {
		struct node_secagg_round *r;
		int same;
		ls_period_format(&rs.v[k].row.period, p);
		rc = resume_one(ss, &rs.v[k], now, &r, &same, e);
		if (rc != LS_OK)
			break;
		ss->rounds[ss->n_rounds++] = r;
		if (!same) {
			LS_WARN("secagg", "resume_mismatch",
			        "period=%s attempt=%u", p, rs.v[k].row.attempt);
			round_abandon(ss, r, now, "resume_mismatch");
			continue;
		}
		LS_INFO("secagg", "round_resumed",
		        "period=%s attempt=%u keys=%zu contribs=%zu "
		        "reveals=%zu",
		        p, r->attempt, count_has(r, HAS_KEY),
		        count_has(r, HAS_CONTRIB), count_has(r, HAS_REVEAL));
		round_note(ss, r, STORE_SECAGG_RUNNING, 0, 0);
	}
	for (size_t k = 0; k < rs.n; k++) {
		ls_free(rs.v[k].open);
		ls_free(rs.v[k].keyset);
		ls_free(rs.v[k].close);
	}
	ls_free(rs.v);
	return rc;
}

/* What the store says about the last rounds (for status after a
 * restart). */
static int last_cb(void *arg, const struct store_secagg_round *r)
{
	struct node_secagg_sync *ss = arg;
	struct node_secagg_period_state p;
	memset(&p, 0, sizeof p);
	p.period = r->period;
	p.attempt = r->attempt;
	p.state = r->state;
	p.invited = r->n_invited;
	p.included = r->n_included;
	p.dropped = r->n_dropped;
	p.fedsum_seq = r->fedsum_seq;
	p.ended = r->ended;
	note_last(ss, &p);
	return 0;
}

/* ---- public ------------------------------------------------------------ */

int node_secagg_sync_init(struct node_secagg_sync *ss, struct store *store,
                          struct node_trust *trust,
                          const struct ls_keypair *kp, const char *self,
                          int aggregator, const char *secret_path,
                          const struct node_secagg_sync_config *cfg,
                          int64_t now, struct ls_errinfo *e)
{
	int rc;

	memset(ss, 0, sizeof *ss);
	ss->store = store;
	ss->trust = trust;
	ss->kp = kp;
	snprintf(ss->self, sizeof ss->self, "%s", self);
	ss->aggregator = aggregator;
	ss->cfg = *cfg;
	ss->ext.arg = ss;
	ss->ext.next_cb = next_cb;
	ss->ext.reply_cb = reply_cb;
	ss->ext.serve_cb = serve_cb;
	if (!aggregator && cfg->enabled && secret_path != NULL) {
		rc = node_noise_secret_load(secret_path, 1, &ss->secret, e);
		if (rc != LS_OK)
			return rc;
	}
	if (!aggregator)
		return LS_OK;
	rc = store_secagg_round_list(store, last_cb, ss);
	if (rc == LS_OK && cfg->enabled)
		rc = resume(ss, now, e);
	if (rc != LS_OK)
		node_secagg_sync_fini(ss);
	return rc;
}

void node_secagg_sync_configure(struct node_secagg_sync *ss,
                                const struct node_secagg_sync_config *cfg)
{
	ss->cfg = *cfg;
}

int node_secagg_sync_tick(struct node_secagg_sync *ss, int64_t now,
                          int own_head_known)
{
	int rc = LS_OK;

	ss->own_head_known = own_head_known;
	if (!ss->aggregator || !ss->cfg.enabled)
		return LS_OK;
	/* Backwards: a round that ends leaves the array. */
	for (size_t k = ss->n_rounds; k > 0; k--) {
		int one = round_advance(ss, ss->rounds[k - 1], now,
		                        own_head_known);
		if (rc == LS_OK)
			rc = one;
	}
	if (own_head_known) {
		int one = round_start(ss, now);
		if (rc == LS_OK)
			rc = one;
	}
	return rc;
}

int node_secagg_sync_current(const struct node_secagg_sync *ss,
                             uint8_t round[LS_SECAGG_ID_BYTES], int *phase)
{
	if (ss->n_rounds == 0)
		return LS_ENOTFOUND;
	memcpy(round, ss->rounds[0]->agg.round, LS_SECAGG_ID_BYTES);
	*phase = ss->rounds[0]->agg.phase;
	return LS_OK;
}

static const char *phase_name(int phase)
{
	switch (phase) {
	case NODE_SECAGG_KEYS:
		return "sleutels";
	case NODE_SECAGG_CONTRIB:
		return "bijdragen";
	case NODE_SECAGG_REVEAL:
		return "onthullingen";
	default:
		return "klaar";
	}
}

void node_secagg_sync_describe(const struct node_secagg_sync *ss, char *out,
                               size_t size)
{
	const struct node_secagg_round *r;
	char p[LS_PERIOD_SIZE];
	size_t have, of;
	int n;

	if (size == 0)
		return;
	out[0] = '\0';
	if (ss->n_rounds == 0)
		return;
	r = ss->rounds[0];
	ls_period_format(&r->period, p);
	switch (r->agg.phase) {
	case NODE_SECAGG_KEYS:
		have = count_has(r, HAS_KEY);
		of = r->agg.open.u.open.n_members;
		break;
	case NODE_SECAGG_CONTRIB:
		have = count_has(r, HAS_CONTRIB);
		of = count_has(r, HAS_KEY);
		break;
	default:
		have = count_has(r, HAS_REVEAL);
		of = count_has(r, HAS_CONTRIB);
	}
	n = snprintf(out, size, "%s poging %u: %s %zu/%zu", p, r->attempt,
	             phase_name(r->agg.phase), have, of);
	if (ss->n_rounds > 1 && n > 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, " (en nog %zu periode%s)",
		         ss->n_rounds - 1, ss->n_rounds > 2 ? "s" : "");
}

/* A federation summary against one policy: the persons cap is the
 * policy's (node_policy_check_fn). */
static int fedsum_policy_check(const void *doc, const struct ls_policy *p,
                               int64_t created, struct ls_errinfo *e)
{
	const struct ls_fedsum *f = doc;
	(void)created;
	if (f->persons_cap != p->params.persons_cap)
		return ls_errf(e, LS_EPOLICY,
		               "federation summary caps persons at %u, the "
		               "policy at %u",
		               f->persons_cap, p->params.persons_cap);
	return LS_OK;
}

int node_secagg_fedsum_check(const struct node_trust *t,
                             const struct ls_fedsum *f, int64_t created,
                             uint64_t *uncounted, struct ls_errinfo *e)
{
	const struct ls_roster *r = node_trust_roster(t);

	*uncounted = 0;
	if (r == NULL)
		return ls_errf(e, LS_ESTATE, "no roster in force");
	for (size_t i = 0; i < f->n_included; i++) {
		const struct ls_roster_member *m =
		    proto_roster_find_member(r, f->included[i]);
		if (m == NULL || m->role != LS_ROLE_MUNICIPALITY)
			return ls_errf(e, LS_EDENIED,
			               "federation summary names %s, no "
			               "municipality of the roster",
			               f->included[i]);
	}
	return node_trust_judge(t, created, fedsum_policy_check, f, uncounted,
	                        e);
}

void node_secagg_sync_fini(struct node_secagg_sync *ss)
{
	for (size_t k = 0; k < ss->n_rounds; k++)
		round_free(ss->rounds[k]);
	ss->n_rounds = 0;
	node_noise_secret_free(ss->secret);
	ss->secret = NULL;
}
