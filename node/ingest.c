/*
 * Ingest: one envelope after another through cheap checks, verification,
 * fork detection, trust and policy, and the append — all inside the
 * page's transaction (see ingest.h for the order and why).
 *
 * Failure modes: a bad document is an outcome, never an error of the
 * page; only the store failing aborts the page, which is then rolled
 * back whole, and the trust (which may have admitted a federation
 * document of that page) is rebuilt from what the store really holds.
 */
#include "node/ingest.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "node/feed.h"
#include "node/secagg_sync.h"
#include "node/vpool.h"
#include "proto/envelope.h"
#include "store/feed.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static const char *const outcome_names[NODE_INGEST_OUTCOMES_] = {
    [NODE_INGEST_STORED] = "stored",
    [NODE_INGEST_EXISTS] = "exists",
    [NODE_INGEST_FORK] = "fork",
    [NODE_INGEST_CHAIN] = "chain",
    [NODE_INGEST_QUARANTINED] = "quarantined",
    [NODE_INGEST_REJECTED] = "rejected",
};

const char *node_ingest_outcome_name(int outcome)
{
	if (outcome < 0 || outcome >= NODE_INGEST_OUTCOMES_)
		return "unknown";
	return outcome_names[outcome];
}

void node_ingest_init(struct node_ingest *in, struct store *store,
                      struct node_trust *trust)
{
	memset(in, 0, sizeof *in);
	in->store = store;
	in->trust = trust;
	in->recount_from = INT64_MAX;
}

int node_ingest_set_workers(struct node_ingest *in, unsigned threads)
{
	struct node_vpool *p = NULL;
	int rc;
	if (threads > 16)
		return LS_EINVAL;
	if (threads >= 2 && (rc = node_vpool_new(threads, &p)) != LS_OK)
		return rc;
	node_vpool_free(in->pool);
	in->pool = p;
	return LS_OK;
}

void node_ingest_fini(struct node_ingest *in)
{
	node_vpool_free(in->pool);
	in->pool = NULL;
}

/*
 * What the page knows of an origin's feed in the store: its head and
 * whether it is stopped (a fork). The page runs in one transaction that
 * holds the write lock (store_tx_begin: BEGIN IMMEDIATE; or the caller's),
 * so the store changes under it only by what the page itself does: an
 * append moves the head, a fork stops the feed, and a federation
 * document admitted (which may change anything the trust governs)
 * forgets everything. The page keeps these up to date itself instead of
 * asking the store three times for every document. A feed is contiguous
 * from 1 to its head (the store appends only at head + 1, and a fork's
 * resolution cuts it back to what is left), so a seq above the head is
 * not held.
 */
#define PAGE_FEEDS 8
struct page_feed {
	char origin[LS_NODE_ID_SIZE];
	uint64_t head_seq;
	uint8_t head_hash[LS_HASH_BYTES]; /* zero when head_seq is 0 */
	int quarantined;                  /* -1: not asked yet */
};

struct page_feeds {
	struct page_feed feed[PAGE_FEEDS];
	size_t n;
	struct page_feed spare; /* for a page of many origins: asked anew */
};

/*
 * The page's checked appends, held back and handed to the store at once
 * (store_feed_append_checked_n: multi-row inserts, each origin's head
 * moved once) when the page is done, or earlier, before anything of the
 * page reads the store's feeds again (a head it does not know yet, a
 * held document, the store's own checks, a federation document put in
 * force). Every document in it has its verdict `stored` already; if the
 * store then fails, the page fails whole, as it would have at the
 * document itself. No memory for it: each append goes in at once.
 */
struct page_run {
	struct store_feed_new *docs;
	size_t n, cap;
};

static int run_flush(struct page_run *run, struct store *s)
{
	int rc;
	if (run == NULL || run->n == 0)
		return LS_OK;
	rc = store_feed_append_checked_n(s, run->docs, run->n);
	run->n = 0;
	return rc;
}

/* The page's record of origin's feed into *out (its head read from the
 * store on first use, after the appends held back), or a store failure. */
static int page_feed(struct page_feeds *pf, struct page_run *run,
                     struct store *s, const char *origin,
                     struct page_feed **out)
{
	struct page_feed *f = NULL;
	int rc;

	for (size_t i = 0; i < pf->n; i++)
		if (strcmp(pf->feed[i].origin, origin) == 0) {
			*out = &pf->feed[i];
			return LS_OK;
		}
	if ((rc = run_flush(run, s)) != LS_OK)
		return rc;
	f = pf->n < PAGE_FEEDS ? &pf->feed[pf->n] : &pf->spare;
	rc = store_feed_head(s, origin, &f->head_seq, f->head_hash);
	if (rc != LS_OK)
		return rc;
	snprintf(f->origin, sizeof f->origin, "%s", origin);
	f->quarantined = -1;
	if (f != &pf->spare)
		pf->n++;
	*out = f;
	return LS_OK;
}

/* Whether the feed is stopped (from the store on first use). */
static int page_feed_quarantined(struct page_feed *f, struct store *s,
                                 int *quarantined)
{
	int rc;
	if (f->quarantined < 0) {
		rc = store_fork_quarantined(s, f->origin, quarantined);
		if (rc != LS_OK)
			return rc;
		f->quarantined = *quarantined != 0;
	}
	*quarantined = f->quarantined;
	return LS_OK;
}

/*
 * A page's parallel verification (node_ingest_prefetch, or started by
 * node_ingest_page itself): a job of the pool over copies of the
 * envelopes (so that it can be given up from any thread while a worker
 * still reads them), the trust view it was made with, and which trust
 * that was: its results count only while the trust is still that one.
 */
struct node_ingest_pre {
	struct node_vpool_job job; /* first: release gets &job */
	struct node_vpool *pool;
	struct ls_trust view;
	uint64_t trust_seq;
	uint8_t trust_hash[LS_HASH_BYTES];
	size_t n;
	struct node_vpool_item *items;
	uint8_t *copy; /* the envelopes, back to back */
};

static void pre_release(struct node_vpool_job *job)
{
	struct node_ingest_pre *pre = (struct node_ingest_pre *)job;
	/* Documents the page took in were finished there (type 0: a
	 * zeroed document holds nothing): only the rest are. */
	for (size_t i = 0; i < pre->n; i++)
		if (pre->items[i].doc.hdr.type != 0)
			proto_doc_fini(&pre->items[i].doc);
	ls_free(pre->items);
	ls_free(pre->copy);
	ls_free(pre);
}

/* Start verifying envs on the pool: NULL when there is no pool, a page
 * of fewer than two, or no memory (then everything is verified in turn,
 * as without a pool). */
static struct node_ingest_pre *pre_start(struct node_ingest *in,
                                         const struct ls_bytes *envs, size_t n,
                                         int64_t now)
{
	struct node_ingest_pre *pre;
	size_t total = 0, off = 0;

	if (in->pool == NULL || n < 2)
		return NULL;
	for (size_t i = 0; i < n; i++)
		total += envs[i].len;
	pre = ls_calloc(1, sizeof *pre);
	if (pre == NULL)
		return NULL;
	/* Not zeroed: node_vpool_job_start resets every item (a page's
	 * items are some 3 KB each; zeroing them twice costs). */
	pre->items = ls_malloc(n * sizeof *pre->items);
	pre->copy = ls_malloc(total > 0 ? total : 1);
	if (pre->items == NULL || pre->copy == NULL) {
		ls_free(pre->items);
		ls_free(pre->copy);
		ls_free(pre);
		return NULL;
	}
	pre->pool = in->pool;
	pre->n = n;
	for (size_t i = 0; i < n; i++) {
		if (envs[i].len > 0)
			memcpy(pre->copy + off, envs[i].data, envs[i].len);
		pre->items[i].env = pre->copy + off;
		pre->items[i].len = envs[i].len;
		pre->items[i].skip = 0;
		off += envs[i].len;
	}
	node_trust_view(in->trust, &pre->view);
	pre->trust_seq = in->trust->head.seq;
	memcpy(pre->trust_hash, in->trust->head.hash, LS_HASH_BYTES);
	node_vpool_job_start(in->pool, &pre->job, &pre->view, now, pre->items,
	                     n);
	return pre;
}

/* The verification counts only while the trust is the one it was made
 * with. */
static int pre_current(const struct node_ingest *in,
                       const struct node_ingest_pre *pre)
{
	return pre->trust_seq == in->trust->head.seq &&
	       memcmp(pre->trust_hash, in->trust->head.hash, LS_HASH_BYTES) ==
	           0;
}

/* When the page is taken in: skip the items at a position held already
 * (the common case of a resend: `exists` without a signature; a fork
 * there is verified in turn) while the pool works: the lookups overlap
 * the first verifications (at most one item per worker thread, taken
 * before its lookup, is verified in vain). The heads it reads stay in
 * feeds for the page. */
static void pre_skip_held(struct node_ingest *in, struct page_feeds *feeds,
                          struct page_run *run, struct node_ingest_pre *pre)
{
	for (size_t i = 0; i < pre->n; i++) {
		struct node_vpool_item *it = &pre->items[i];
		struct ls_envelope ev;
		struct ls_doc_header hdr;
		struct page_feed *feed;
		if (atomic_load_explicit(&it->done, memory_order_acquire))
			continue; /* verified already (asked ahead) */
		if (proto_envelope_decode(it->env, it->len, &ev, NULL) !=
		        LS_OK ||
		    proto_doc_decode_header(ev.payload, ev.payload_len, &hdr,
		                            NULL) != LS_OK) {
			/* refused in turn, cheaply (or by the pool) */
			(void)node_vpool_skip(it);
			continue;
		}
		/* Held: at or below the feed's head (no hash here: it is
		 * made once, by the verification). A store failure shows in
		 * turn. */
		if (page_feed(feeds, run, in->store, hdr.origin, &feed) ==
		        LS_OK &&
		    hdr.seq <= feed->head_seq)
			(void)node_vpool_skip(it); /* exists, or a fork */
	}
}

/* Done with a page's verification (on the engine's thread): every item
 * final, then freed. */
static void pre_free(struct node_ingest_pre *pre)
{
	if (pre == NULL)
		return;
	node_vpool_job_finish(pre->pool, &pre->job);
	pre_release(&pre->job);
}

int node_ingest_prefetch(struct node_ingest *in, const struct ls_bytes *envs,
                         size_t n, int64_t now, struct node_ingest_pre **out)
{
	*out = pre_start(in, envs, n, now);
	return *out == NULL && in->pool != NULL && n >= 2 ? LS_ENOMEM : LS_OK;
}

void node_ingest_pre_drop(struct node_ingest_pre *pre)
{
	if (pre != NULL)
		node_vpool_job_abandon(pre->pool, &pre->job, pre_release);
}

/* Before the trust changes: no thread may read a view into it. */
static void pool_drain(struct node_ingest *in)
{
	if (in->pool != NULL)
		node_vpool_drain(in->pool);
}

/* Errors of the store itself (as opposed to verdicts on a document). */
static int is_store_failure(int rc)
{
	return rc == LS_ESTORE || rc == LS_EBUSY || rc == LS_EIO ||
	       rc == LS_ENOMEM || rc == LS_ECORRUPT || rc == LS_EINTERNAL;
}

struct one {
	struct node_ingest *in;
	struct page_feeds *feeds; /* the page's */
	struct page_feed *feed;   /* this document's origin, in feeds */
	struct page_run *run;     /* the page's appends held back, or NULL */
	/* The page's parallel verification of this envelope, or NULL; it
	 * counts only while the trust is the one it was made with
	 * (pre_ok). */
	struct node_vpool_item *pre;
	int pre_ok;
	int64_t now;
	struct node_ingest_doc *d;
	const char *peer;
	char *first_reject; /* the page's first rejection, for its log line */
	size_t first_size;
	struct node_ingest_tally *tally; /* the page's, merged on commit */
	struct ls_errinfo e;
};

/* Raise (or count again) the alarm (origin, reason). */
static void alarm(struct node_ingest *in, const char *origin,
                  const char *reason, uint64_t seq, int64_t now,
                  const char *detail, const char *peer)
{
	struct node_ingest_alarm *a = NULL;
	for (size_t i = 0; i < in->n_alarms; i++)
		if (strcmp(in->alarms[i].origin, origin) == 0 &&
		    strcmp(in->alarms[i].reason, reason) == 0)
			a = &in->alarms[i];
	if (a == NULL) {
		if (in->n_alarms == NODE_INGEST_ALARMS_MAX) {
			memmove(&in->alarms[0], &in->alarms[1],
			        (NODE_INGEST_ALARMS_MAX - 1) *
			            sizeof in->alarms[0]);
			in->n_alarms--;
		}
		a = &in->alarms[in->n_alarms++];
		memset(a, 0, sizeof *a);
		snprintf(a->origin, sizeof a->origin, "%s", origin);
		snprintf(a->reason, sizeof a->reason, "%s", reason);
		ls_strlcpy(a->detail, detail, sizeof a->detail);
		a->first = now;
		LS_ERROR("ingest", "trust_alarm",
		         "origin=%s reason=%s seq=%llu peer=%s "
		         "detail=\"%.120s\"",
		         origin, reason, (unsigned long long)seq, peer, detail);
	}
	a->seq = seq;
	a->last = now;
	a->count++;
}

static int reject(struct one *o, int code)
{
	struct node_ingest_doc *d = o->d;
	if (d->has_hdr && code == LS_EREVOKED)
		alarm(o->in, d->hdr.origin, "revoked", d->hdr.seq, o->now,
		      o->e.msg, o->peer);
	else if (d->has_hdr && code == LS_EPOLICY &&
	         (d->hdr.type == LS_DOC_ROSTER || d->hdr.type == LS_DOC_POLICY))
		alarm(o->in, d->hdr.origin, "successor", d->hdr.seq, o->now,
		      o->e.msg, o->peer);
	d->outcome = NODE_INGEST_REJECTED;
	d->code = code;
	ls_strlcpy(d->detail, o->e.msg, sizeof d->detail);
	o->tally->rejected[code > 0 && code < LS_ERR_COUNT_ ? code
	                                                    : LS_EINTERNAL]++;
	/* One line per document at debug; the page logs a summary at warn
	 * (a peer sending a page of junk must not flood the log). */
	if (d->has_hdr)
		LS_DEBUG("ingest", "doc_rejected",
		         "peer=%s origin=%s seq=%llu type=%u reason=%s "
		         "detail=\"%.120s\"",
		         o->peer, d->hdr.origin, (unsigned long long)d->hdr.seq,
		         d->hdr.type, ls_errname(code), o->e.msg);
	else
		LS_DEBUG("ingest", "doc_rejected",
		         "peer=%s reason=%s detail=\"%.120s\"", o->peer,
		         ls_errname(code), o->e.msg);
	if (o->first_reject[0] == '\0')
		snprintf(o->first_reject, o->first_size,
		         "origin=%s seq=%llu reason=%s detail=\"%.100s\"",
		         d->has_hdr ? d->hdr.origin : "-",
		         (unsigned long long)(d->has_hdr ? d->hdr.seq : 0),
		         ls_errname(code), o->e.msg);
	return LS_OK;
}

static void verdict(struct node_ingest_doc *d, uint8_t outcome, int code)
{
	d->outcome = outcome;
	d->code = code;
}

/* The fork at (origin, seq): keep the proof of the held envelope and the
 * new one (both verified), which quarantines the origin. */
static int record_fork(struct node_ingest *in, struct one *o,
                       const uint8_t *env, size_t len)
{
	struct node_ingest_doc *d = o->d;
	uint8_t *held = NULL, *proof = NULL;
	size_t held_len = 0, proof_len = 0;
	int rc;

	if ((rc = run_flush(o->run, in->store)) != LS_OK)
		return rc;
	rc = store_feed_get(in->store, d->hdr.origin, d->hdr.seq, NULL, &held,
	                    &held_len);
	if (rc != LS_OK)
		return rc;
	rc = proto_fork_proof_encode(held, held_len, env, len, &proof,
	                             &proof_len);
	ls_free(held);
	if (rc != LS_OK)
		return rc == LS_ENOMEM ? rc : LS_EINTERNAL;
	rc = store_fork_add(in->store, d->hdr.origin, d->hdr.seq, proof,
	                    proof_len);
	ls_free(proof);
	if (rc != LS_OK)
		return rc;
	o->feed->quarantined = 1;
	verdict(d, NODE_INGEST_FORK, LS_EFORK);
	alarm(in, d->hdr.origin, "fork", d->hdr.seq, o->now,
	      "two documents at one feed position", o->peer);
	LS_ERROR("ingest", "fork_detected",
	         "peer=%s origin=%s seq=%llu action=quarantine", o->peer,
	         d->hdr.origin, (unsigned long long)d->hdr.seq);
	return LS_OK;
}

/* A summary against one policy (node_policy_check_fn). */
static int summary_policy_check(const void *doc, const struct ls_policy *p,
                                int64_t created, struct ls_errinfo *e)
{
	return proto_summary_check_policy(doc, p, created, e);
}

/* A held document whose mark a recount changes. */
struct recount_change {
	char origin[LS_NODE_ID_SIZE];
	uint64_t seq;
	uint64_t uncounted;
};

struct recount {
	const struct node_trust *trust;
	struct recount_change *v;
	size_t n, cap;
	size_t judged; /* documents judged again */
	int rc;
	struct ls_errinfo *e;
};

/* One held summary or federation summary judged again (a callback of
 * store_feed_list_since: changes are collected, written after the
 * walk). */
static int recount_cb(void *arg, const struct store_doc_meta *m,
                      const uint8_t *env, size_t len)
{
	struct recount *r = arg;
	struct ls_doc doc;
	struct ls_errinfo e;
	uint64_t mark = 0;
	int rc;

	memset(&doc, 0, sizeof doc);
	rc = node_feed_decode(env, len, &doc, &e);
	if (rc == LS_OK && doc.hdr.type == LS_DOC_SUMMARY)
		rc =
		    node_trust_judge(r->trust, m->created, summary_policy_check,
		                     &doc.body.summary, &mark, &e);
	else if (rc == LS_OK)
		rc = node_secagg_fedsum_check(r->trust, &doc.body.fedsum,
		                              m->created, &mark, &e);
	proto_doc_fini(&doc);
	r->judged++;
	if (rc == LS_ENOMEM) {
		r->rc = ls_errf(r->e, rc, "recount: out of memory");
		return 1;
	}
	if (rc == LS_ESTATE) {
		/* No policy (for a federation summary, no roster) held yet:
		 * nothing says it does not count (a node's own releases
		 * under the built-in policy, before its first sync). */
		rc = LS_OK;
		mark = 0;
	}
	if (rc == LS_EPOLICY || rc == LS_EDENIED) {
		/* Cannot happen (a later policy never refuses what an
		 * earlier one allowed): count it nowhere, and say so. */
		LS_ERROR("ingest", "recount_refused",
		         "origin=%s seq=%llu reason=%s detail=\"%.120s\"",
		         m->origin, (unsigned long long)m->seq, ls_errname(rc),
		         e.msg);
		(void)node_trust_policy_at(r->trust, m->created, &mark);
	} else if (rc != LS_OK) {
		r->rc = ls_errf(r->e, LS_ECORRUPT,
		                "recount: held document %s/%llu: %s", m->origin,
		                (unsigned long long)m->seq, e.msg);
		return 1;
	}
	if (mark == m->uncounted)
		return 0;
	{
		struct recount_change *v =
		    ls_array_grow(r->v, &r->cap, r->n + 1, sizeof *v, 16);
		if (v == NULL) {
			r->rc =
			    ls_errf(r->e, LS_ENOMEM, "recount: out of memory");
			return 1;
		}
		r->v = v;
	}
	memcpy(r->v[r->n].origin, m->origin, sizeof r->v[r->n].origin);
	r->v[r->n].seq = m->seq;
	r->v[r->n].uncounted = mark;
	r->n++;
	return 0;
}

/* Judge again every held summary and federation summary made at or
 * after `from` (a policy that came into force then may change whether
 * it counts: PROTOCOL.md 5.3, "Epochs") and write the marks that
 * changed; *changed grows by their number, *judged (may be NULL) by the
 * documents judged. Inside the caller's transaction. */
static int recount(struct node_ingest *in, int64_t from, uint64_t *changed,
                   size_t *judged, struct ls_errinfo *e)
{
	static const uint8_t types[] = {LS_DOC_SUMMARY, LS_DOC_FEDSUM};
	struct recount r = {.trust = in->trust, .e = e};
	int rc = LS_OK;

	for (size_t t = 0; t < sizeof types && rc == LS_OK; t++) {
		rc = store_feed_list_since(in->store, types[t], from,
		                           recount_cb, &r);
		if (rc == 1)
			rc = r.rc;
	}
	for (size_t i = 0; i < r.n && rc == LS_OK; i++) {
		const struct recount_change *c = &r.v[i];
		rc = store_feed_set_uncounted(in->store, c->origin, c->seq,
		                              c->uncounted);
		if (rc == LS_OK)
			LS_WARN("ingest", "doc_recounted",
			        "origin=%s seq=%llu counted=%s policy_seq=%llu",
			        c->origin, (unsigned long long)c->seq,
			        c->uncounted ? "no" : "yes",
			        (unsigned long long)c->uncounted);
	}
	if (rc == LS_OK)
		*changed += r.n;
	if (rc == LS_OK && judged != NULL)
		*judged += r.judged;
	ls_free(r.v);
	return rc;
}

/* recount() in the caller's transaction, or in its own. */
static int recount_tx(struct node_ingest *in, int64_t from, uint64_t *changed,
                      size_t *judged, struct ls_errinfo *e)
{
	int rc, own = !store_in_tx(in->store);

	if (own && (rc = store_tx_begin(in->store)) != LS_OK)
		return ls_errf(e, rc, "recount: %s", ls_strerror(rc));
	rc = recount(in, from, changed, judged, e);
	if (own) {
		if (rc == LS_OK)
			rc = store_tx_commit(in->store);
		else
			store_tx_rollback(in->store);
	}
	return rc;
}

int node_ingest_recount(struct node_ingest *in,
                        struct node_ingest_recount_info *info,
                        struct ls_errinfo *e)
{
	uint64_t n = 0;
	size_t judged = 0;
	int rc = recount_tx(in, INT64_MIN, &n, &judged, e);
	if (info != NULL) {
		info->judged = rc == LS_OK ? judged : 0;
		info->changed = rc == LS_OK ? (size_t)n : 0;
	}
	return rc;
}

/* Step 5, trust and policy: *admit says whether the document goes on to
 * the append; when it does not, it has its outcome (unless a store
 * failure is returned). */
static int judge(struct node_ingest *in, struct one *o,
                 const struct ls_doc *doc, const struct ls_doc_info *info,
                 int is_fed, int *admit)
{
	int rc = LS_OK;

	*admit = 0;
	if (is_fed) {
		rc = node_trust_check(in->trust, doc, info->hash, &o->e);
		if (rc == LS_ECHAIN) {
			verdict(o->d, NODE_INGEST_CHAIN, LS_ECHAIN);
			return LS_OK;
		}
	} else if (doc->hdr.type == LS_DOC_FEDSUM) {
		/* node/secagg_sync.h: who is in the totals, the cap */
		rc = node_secagg_fedsum_check(in->trust, &doc->body.fedsum,
		                              doc->hdr.created,
		                              &o->d->uncounted, &o->e);
	} else if (doc->hdr.type == LS_DOC_SUMMARY) {
		/* by the policy of its time (PROTOCOL.md 5.3) */
		rc = node_trust_judge(in->trust, doc->hdr.created,
		                      summary_policy_check, &doc->body.summary,
		                      &o->d->uncounted, &o->e);
	}
	if (rc != LS_OK)
		return reject(o, rc);
	if (o->d->uncounted != 0)
		ls_strlcpy(o->d->detail, o->e.msg, sizeof o->d->detail);
	*admit = 1;
	return LS_OK;
}

/* A checked append: held back in the page's run (a federation
 * document, which the trust takes in at once, goes in with the run
 * before it). */
static int append_checked(struct node_ingest *in, struct page_run *run,
                          const struct store_doc_meta *m, const uint8_t *env,
                          size_t len, int is_fed)
{
	struct store_feed_new *x;
	if (run == NULL)
		return store_feed_append_checked(in->store, m, env, len);
	if (run->n == run->cap) {
		int rc = run_flush(run, in->store);
		if (rc != LS_OK)
			return rc;
	}
	x = &run->docs[run->n++];
	x->m = *m;
	x->envelope = env;
	x->len = len;
	return is_fed ? run_flush(run, in->store) : LS_OK;
}

/* Step 6, the append, and the trust follows a stored federation doc. */
static int admit(struct node_ingest *in, struct one *o, struct ls_doc *doc,
                 const struct ls_doc_info *info, int is_fed, const uint8_t *env,
                 size_t len, struct node_ingest_page *page)
{
	struct node_ingest_doc *d = o->d;
	struct store_doc_meta m;
	int rc;

	memset(&m, 0, sizeof m);
	memcpy(m.origin, doc->hdr.origin, sizeof m.origin);
	m.seq = doc->hdr.seq;
	m.type = doc->hdr.type;
	memcpy(m.hash, info->hash, LS_HASH_BYTES);
	memcpy(m.prev, doc->hdr.prev, LS_HASH_BYTES);
	m.created = doc->hdr.created;
	m.uncounted = d->uncounted;
	/* The page knows the feed's head and stop in its transaction
	 * (steps 1 and 4): when the document follows that head, the store
	 * need not look them up again; anything else gets the store's own
	 * checks and verdict. */
	if (o->feed->quarantined == 0 && m.seq == o->feed->head_seq + 1 &&
	    memcmp(m.prev, o->feed->head_hash, LS_HASH_BYTES) == 0 &&
	    store_in_tx(in->store))
		rc = append_checked(in, o->run, &m, env, len, is_fed);
	else if ((rc = run_flush(o->run, in->store)) == LS_OK)
		rc = store_feed_append(in->store, &m, env, len);
	switch (rc) {
	case LS_OK:
		break;
	case LS_EEXISTS: /* cannot happen after step 1, but harmless */
		verdict(d, NODE_INGEST_EXISTS, LS_EEXISTS);
		return LS_OK;
	case LS_ECHAIN:
		verdict(d, NODE_INGEST_CHAIN, LS_ECHAIN);
		LS_INFO("ingest", "doc_chain",
		        "peer=%s origin=%s seq=%llu reason=prev_mismatch",
		        o->peer, d->hdr.origin, (unsigned long long)d->hdr.seq);
		return LS_OK;
	case LS_EDENIED:
		verdict(d, NODE_INGEST_QUARANTINED, LS_ESTATE);
		return LS_OK;
	case LS_EFORK: /* step 1 saw nothing held: another writer raced */
	default:
		return is_store_failure(rc) ? rc : LS_ESTORE;
	}
	verdict(d, NODE_INGEST_STORED, LS_OK);
	o->feed->head_seq = m.seq;
	memcpy(o->feed->head_hash, m.hash, LS_HASH_BYTES);
	page->stored++;
	page->bytes += len;
	if (m.uncounted != 0) {
		o->tally->uncounted++;
		LS_WARN("ingest", "doc_uncounted",
		        "peer=%s origin=%s seq=%llu type=%s detail=\"%.120s\"",
		        o->peer, d->hdr.origin, (unsigned long long)d->hdr.seq,
		        proto_doc_type_name(d->hdr.type), d->detail);
	}
	if (!is_fed)
		return LS_OK;
	o->feeds->n = 0; /* the trust changes: ask the store again */
	o->feed = NULL;
	pool_drain(in);
	rc = node_trust_admit(in->trust, doc, info->hash, &o->e);
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK) {
		/* It passed node_trust_check a moment ago. */
		LS_ERROR("ingest", "trust_admit_failed",
		         "origin=%s seq=%llu detail=\"%.120s\"", d->hdr.origin,
		         (unsigned long long)d->hdr.seq, o->e.msg);
		return LS_EINTERNAL;
	}
	page->trust_changed = 1;
	o->tally->trust_admitted++;
	if (d->hdr.type == LS_DOC_POLICY &&
	    (rc = recount(in, d->hdr.created, &o->tally->recounted, NULL, &o->e)) !=
	        LS_OK)
		return rc;
	LS_WARN("ingest", "federation_doc_in_force", "peer=%s type=%s seq=%llu",
	        o->peer, proto_doc_type_name(d->hdr.type),
	        (unsigned long long)d->hdr.seq);
	return LS_OK;
}

/* Step 1's store part: what is held at the document's (origin, seq)
 * (nothing above its feed's head). The very same document gets `exists`,
 * a position beyond the head + 1 `chain` (then *decided is 1); else
 * *has_held says whether another one is held (*held). LS_OK, or a store
 * failure. */
static int held_there(struct node_ingest *in, struct one *o,
                      struct store_doc_meta *held, int *has_held, int *decided)
{
	struct node_ingest_doc *d = o->d;
	uint64_t head_seq;
	int rc;

	if ((rc = page_feed(o->feeds, o->run, in->store, d->hdr.origin,
	                    &o->feed)) != LS_OK)
		return rc;
	head_seq = o->feed->head_seq;
	*has_held = 0;
	*decided = 1;
	if (d->hdr.seq <= head_seq) {
		if ((rc = run_flush(o->run, in->store)) != LS_OK)
			return rc;
		rc = store_feed_get(in->store, d->hdr.origin, d->hdr.seq, held,
		                    NULL, NULL);
		if (rc != LS_OK && rc != LS_ENOTFOUND)
			return rc;
		*has_held = rc == LS_OK;
	}
	if (*has_held && memcmp(held->hash, d->hash, LS_HASH_BYTES) == 0) {
		/* The same payload: the held copy was verified when it was
		 * stored; a different signature on it changes nothing. */
		verdict(d, NODE_INGEST_EXISTS, LS_EEXISTS);
		return LS_OK;
	}
	if (!*has_held && d->hdr.seq > head_seq + 1) {
		verdict(d, NODE_INGEST_CHAIN, LS_ECHAIN);
		LS_DEBUG("ingest", "doc_gap",
		         "peer=%s origin=%s seq=%llu head=%llu", o->peer,
		         d->hdr.origin, (unsigned long long)d->hdr.seq,
		         (unsigned long long)head_seq);
		return LS_OK;
	}
	*decided = 0;
	return LS_OK;
}

/*
 * One envelope. Returns LS_OK when the document got an outcome in *o->d,
 * or a store failure (the page must be rolled back).
 */
static int ingest_one(struct node_ingest *in, struct one *o, const uint8_t *env,
                      size_t len, int64_t now, struct node_ingest_page *page)
{
	struct node_ingest_doc *d = o->d;
	struct ls_envelope ev;
	struct store_doc_meta held;
	struct ls_trust view;
	struct ls_doc own, *doc;
	struct ls_doc_info own_info;
	const struct ls_doc_info *info;
	int rc, has_held, decided, quarantined, is_fed, go_on;

	/* 1. cheap checks: no signature spent on junk or on what we hold */
	if ((rc = proto_envelope_decode(env, len, &ev, &o->e)) != LS_OK)
		return reject(o, rc);
	if ((rc = proto_doc_decode_header(ev.payload, ev.payload_len, &d->hdr,
	                                  &o->e)) != LS_OK)
		return reject(o, rc);
	d->has_hdr = 1;
	/* The hash of the payload: the parallel verification made it. */
	if (o->pre != NULL && !o->pre->skip && o->pre->rc == LS_OK)
		memcpy(d->hash, o->pre->info.hash, LS_HASH_BYTES);
	else
		proto_doc_hash(ev.payload, ev.payload_len, d->hash);

	if ((rc = held_there(in, o, &held, &has_held, &decided)) != LS_OK ||
	    decided)
		return rc;

	/* 2. verification against the trust in force (done already, in
	 * parallel, if the trust is still the one the page began with: its
	 * document is used where the pool left it, and finished here) */
	if (o->pre != NULL && !o->pre->skip && o->pre_ok) {
		rc = o->pre->rc;
		doc = &o->pre->doc;
		info = &o->pre->info;
		if (rc != LS_OK)
			o->e = o->pre->e;
	} else {
		memset(&own, 0, sizeof own);
		doc = &own;
		info = &own_info;
		node_trust_view(in->trust, &view);
		rc = proto_doc_verify(&view, env, len, now, doc, &own_info,
		                      &o->e);
	}
	if (rc == LS_ENOMEM)
		return rc;
	if (rc != LS_OK)
		return reject(o, rc);

	/* 3. a verified document where another one is held: a fork */
	if (has_held) {
		rc = record_fork(in, o, env, len);
		proto_doc_fini(doc);
		if (rc == LS_OK)
			page->forks++;
		return rc;
	}

	/* 4. a stopped feed takes nothing */
	rc = page_feed_quarantined(o->feed, in->store, &quarantined);
	if (rc != LS_OK)
		goto out;
	if (quarantined) {
		verdict(d, NODE_INGEST_QUARANTINED, LS_ESTATE);
		goto out;
	}

	/* 5. trust and policy; 6. the append */
	is_fed = in->trust->federation[0] != '\0' &&
	         strcmp(d->hdr.origin, in->trust->federation) == 0;
	rc = judge(in, o, doc, info, is_fed, &go_on);
	if (rc == LS_OK && go_on)
		rc = admit(in, o, doc, info, is_fed, env, len, page);
out:
	proto_doc_fini(doc);
	return rc;
}

int node_ingest_fork_proof(struct node_ingest *in, const uint8_t *a,
                           size_t a_len, const uint8_t *b, size_t b_len,
                           int64_t now, const char *peer, struct ls_errinfo *e)
{
	struct ls_trust view;
	struct ls_fork_info info;
	uint8_t *proof = NULL;
	size_t proof_len = 0;
	int rc, known;

	if (peer == NULL)
		peer = "-";
	rc = proto_fork_proof_encode(a, a_len, b, b_len, &proof, &proof_len);
	if (rc != LS_OK) {
		rc = rc == LS_ENOMEM ? rc : LS_EINVAL;
		in->tally.rejected[rc]++;
		return ls_errf(e, rc,
		               "fork proof: not two documents at one "
		               "feed position");
	}
	node_trust_view(in->trust, &view);
	rc = proto_fork_proof_verify(&view, proof, proof_len, now, &info, e);
	if (rc == LS_OK)
		rc = store_fork_quarantined(in->store, info.origin, &known);
	if (rc == LS_OK)
		rc = store_fork_add(in->store, info.origin, info.seq, proof,
		                    proof_len);
	ls_free(proof);
	if (rc != LS_OK) {
		if (!is_store_failure(rc))
			in->tally.rejected[rc > 0 && rc < LS_ERR_COUNT_
			                       ? rc
			                       : LS_EINTERNAL]++;
		LS_WARN("ingest", "fork_proof_rejected", "peer=%s reason=%s",
		        peer, ls_errname(rc));
		return rc;
	}
	in->tally.outcome[NODE_INGEST_FORK]++;
	alarm(in, info.origin, "fork", info.seq, now,
	      "fork proof: two documents at one feed position", peer);
	if (!known)
		LS_ERROR("ingest", "fork_detected",
		         "peer=%s origin=%s seq=%llu action=quarantine "
		         "source=proof",
		         peer, info.origin, (unsigned long long)info.seq);
	return LS_OK;
}

int node_ingest_reload_trust(struct node_ingest *in, int64_t now, int *changed,
                             struct ls_errinfo *e)
{
	struct node_trust *t = in->trust;
	char federation[LS_NODE_ID_SIZE];
	uint8_t anchor[LS_PUBKEY_BYTES], hash[LS_HASH_BYTES];
	int has_anchor = t->has_anchor, rc;
	uint64_t seq, old_seq;

	if (changed != NULL)
		*changed = 0;
	if (t->federation[0] == '\0')
		return LS_OK;
	rc = store_feed_head(in->store, t->federation, &seq, hash);
	if (rc != LS_OK)
		return ls_errf(e, rc, "federation feed head");
	if (seq == t->head.seq &&
	    (seq == 0 || memcmp(hash, t->head.hash, LS_HASH_BYTES) == 0))
		return LS_OK;
	memcpy(federation, t->federation, sizeof federation);
	memcpy(anchor, t->anchor_pk, sizeof anchor);
	old_seq = t->head.seq;
	pool_drain(in);
	node_trust_fini(t);
	node_trust_init(t, federation, has_anchor ? anchor : NULL);
	rc = node_trust_load(t, in->store, now, e);
	if (rc != LS_OK)
		return rc;
	if (changed != NULL)
		*changed = 1;
	LS_INFO("ingest", "trust_reloaded", "federation=%s seq=%llu",
	        federation, (unsigned long long)t->head.seq);
	/* Policies another writer stored: what this ingest took in with
	 * the trust before them is judged again from the first one's
	 * start (PROTOCOL.md 5.3; that writer recounted what it saw), by
	 * the next page or node_ingest_recount_pending. */
	for (size_t i = 0; i < t->n_epochs; i++)
		if (t->epochs[i].seq > old_seq &&
		    t->epochs[i].from < in->recount_from)
			in->recount_from = t->epochs[i].from;
	return LS_OK;
}

int node_ingest_recount_pending(struct node_ingest *in, struct ls_errinfo *e)
{
	int rc;
	if (in->recount_from == INT64_MAX)
		return LS_OK;
	rc = recount_tx(in, in->recount_from, &in->tally.recounted, NULL, e);
	if (rc == LS_OK)
		in->recount_from = INT64_MAX;
	return rc;
}

int node_ingest_page(struct node_ingest *in, const struct ls_bytes *envs,
                     size_t n, int64_t now, const char *peer,
                     struct node_ingest_doc *docs,
                     struct node_ingest_page *page, struct ls_errinfo *e)
{
	return node_ingest_page_pre(in, NULL, envs, n, now, peer, docs, page,
	                            e);
}

/* A page that failed: rolled back (when its transaction is the page's
 * own), the trust rebuilt if the page changed it; returns rc. */
static int page_failed(struct node_ingest *in, int owned, int trust_changed,
                       int64_t now, const char *peer, size_t n, int rc)
{
	if (owned) {
		store_tx_rollback(in->store);
		/* The trust may hold a document that is not stored. */
		if (trust_changed)
			(void)node_ingest_reload_trust(in, now, NULL, NULL);
	}
	LS_ERROR("ingest", "page_failed", "peer=%s docs=%zu reason=%s", peer, n,
	         ls_errname(rc));
	return rc;
}

/* A committed page's counts into the node's tally (and its refusals
 * into one log line). */
static void page_counted(struct node_ingest *in,
                         const struct node_ingest_tally *tally,
                         const struct node_ingest_page *pg, size_t n,
                         const char *peer, const char *first_reject)
{
	for (int i = 0; i < NODE_INGEST_OUTCOMES_; i++)
		in->tally.outcome[i] += tally->outcome[i];
	for (int i = 0; i < LS_ERR_COUNT_; i++)
		in->tally.rejected[i] += tally->rejected[i];
	in->tally.trust_admitted += tally->trust_admitted;
	in->tally.uncounted += tally->uncounted;
	in->tally.recounted += tally->recounted;
	in->tally.pages++;
	in->tally.bytes_stored += pg->bytes;
	if (tally->outcome[NODE_INGEST_REJECTED] > 0)
		LS_WARN(
		    "ingest", "docs_rejected",
		    "peer=%s rejected=%llu of=%zu first_%s", peer,
		    (unsigned long long)tally->outcome[NODE_INGEST_REJECTED], n,
		    first_reject);
}

/* A page's transaction begun (when it is the page's own), and the trust
 * the store holds in force: with the write lock held, a federation
 * document another writer (signaalctl) stored is in force for this page,
 * and what it changed is counted again (a prefetched verification under
 * the trust before it is done again: pre_current). Nothing is left open
 * on a failure. */
static int page_begin(struct node_ingest *in, int owned, int64_t now,
                      struct ls_errinfo *e)
{
	int rc;
	if (owned && (rc = store_tx_begin(in->store)) != LS_OK)
		return ls_errf(e, rc, "cannot begin a transaction");
	if ((rc = node_ingest_reload_trust(in, now, NULL, e)) != LS_OK ||
	    (rc = node_ingest_recount_pending(in, e)) != LS_OK) {
		if (owned)
			store_tx_rollback(in->store);
		return rc;
	}
	return LS_OK;
}

int node_ingest_page_pre(struct node_ingest *in, struct node_ingest_pre *pre,
                         const struct ls_bytes *envs, size_t n, int64_t now,
                         const char *peer, struct node_ingest_doc *docs,
                         struct node_ingest_page *page, struct ls_errinfo *e)
{
	struct node_ingest_page pg;
	struct node_ingest_tally tally;
	struct node_ingest_doc scratch;
	char first_reject[256] = "";
	int owned = !store_in_tx(in->store), rc = LS_OK;
	struct page_feeds feeds;
	struct page_run run = {0}, *runp = NULL;

	memset(&pg, 0, sizeof pg);
	memset(&tally, 0, sizeof tally);
	feeds.n = 0;
	if (peer == NULL)
		peer = "-";
	if (pre != NULL && (pre->n != n || pre->pool != in->pool)) {
		pre_free(pre); /* not this page's: verified in turn */
		pre = NULL;
	}
	if ((rc = page_begin(in, owned, now, e)) != LS_OK) {
		pre_free(pre);
		return rc;
	}
	if (pre == NULL)
		pre = pre_start(in, envs, n, now);
	if (n >= 2 && (run.docs = ls_malloc(n * sizeof *run.docs)) != NULL) {
		run.cap = n;
		runp = &run;
	}
	if (pre != NULL)
		pre_skip_held(in, &feeds, runp, pre);
	for (size_t i = 0; i < n; i++) {
		struct one o;
		memset(&o, 0, sizeof o);
		o.in = in;
		o.feeds = &feeds;
		o.run = runp;
		o.now = now;
		o.pre = pre != NULL ? &pre->items[i] : NULL;
		if (pre != NULL) /* verifies what is left meanwhile */
			node_vpool_wait(in->pool, o.pre);
		/* A federation document of this page put in force changes
		 * the trust the rest was verified with. */
		o.pre_ok = pre != NULL && pre_current(in, pre);
		o.d = docs != NULL ? &docs[i] : &scratch;
		memset(o.d, 0, sizeof *o.d);
		o.peer = peer;
		o.tally = &tally;
		o.first_reject = first_reject;
		o.first_size = sizeof first_reject;
		rc = ingest_one(in, &o, envs[i].data, envs[i].len, now, &pg);
		if (rc != LS_OK) {
			ls_errf(e, rc,
			        "store failed on document %zu of the "
			        "page: %s",
			        i, ls_strerror(rc));
			break;
		}
		tally.outcome[o.d->outcome]++;
	}
	if (rc == LS_OK && (rc = run_flush(runp, in->store)) != LS_OK)
		ls_errf(e, rc, "store failed on the page's appends: %s",
		        ls_strerror(rc));
	ls_free(run.docs);
	pre_free(pre);
	if (rc == LS_OK && owned && (rc = store_tx_commit(in->store)) != LS_OK)
		ls_errf(e, rc, "commit of the page failed");
	if (rc != LS_OK)
		return page_failed(in, owned, pg.trust_changed, now, peer, n,
		                   rc);
	page_counted(in, &tally, &pg, n, peer, first_reject);
	if (page != NULL)
		*page = pg;
	return LS_OK;
}
