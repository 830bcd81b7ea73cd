/*
 * The sync engine, client side: a round with one peer (see sync.h for
 * its states).
 *
 * Client: a round keeps the wants it still has to fetch (from the version
 * vectors), the forks to ask proofs for, and what to push. Each reply
 * is checked against its request (type, page bounds, one result per
 * pushed document) before anything is done with it; every page is taken
 * in by node_ingest in one transaction before the next request, so what
 * a round fetched is durable whatever happens to the next request.
 *
 * Fork detection beyond proto_vv_diff: where this node is ahead of the
 * peer, the hash of its own document at the peer's head is compared with
 * the peer's head; where a fetched document does not follow the held
 * head (a prev that names another document), the peer's document at the
 * held head is fetched too. Either way a diverged feed turns into a
 * fork proof instead of an endless `chain`.
 */
#include "node/sync_internal.h"

#include "common/alloc.h"
#include "common/log.h"
#include "common/text.h"
#include "node/feed.h"
#include "proto/envelope.h"
#include "proto/replay.h"
#include "proto/doc.h"
#include "proto/session.h"
#include "store/audit.h"
#include "store/feed.h"

#include <stdio.h>
#include <string.h>

static const struct ls_vv_entry *vv_find(const struct ls_vv *vv,
                                         const char *origin)
{
	size_t lo = 0, hi = vv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(vv->entries[mid].origin, origin);
		if (c == 0)
			return &vv->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- the round ------------------------------------------------------ */

struct node_sync_round {
	struct node_sync *ns;
	char peer[LS_NODE_ID_SIZE];
	uint8_t peer_key_id[LS_KEY_ID_BYTES];
	uint8_t peer_pk[LS_PUBKEY_BYTES];
	/* Keys of the peer addressed so far in this round (the first one
	 * included), and whether any reply of the round opened. */
	uint8_t tried[LS_ROSTER_MAX_KEYS][LS_KEY_ID_BYTES];
	size_t n_tried;
	int opened;
	struct node_sync_round_info info;
	/* The outstanding request. */
	struct proto_session_call *call;
	struct ls_sync_msg req;
	struct arena req_arena;
	size_t req_wants; /* DOCS: how many of wants[] the request carries */
	/* The peer's vector. */
	struct ls_vv theirs;
	/* Pulls still to fetch, and origins whose fetch stopped. */
	struct ls_sync_want *wants;
	size_t n_wants, cap_wants;
	char (*stopped)[LS_NODE_ID_SIZE];
	size_t n_stopped;
	char (*probed)[LS_NODE_ID_SIZE];
	size_t n_probed;
	/* Origins where our document at the peer's head is another one. */
	char (*diverged)[LS_NODE_ID_SIZE];
	size_t n_diverged;
	/* Fork proofs to ask for. */
	char (*forks)[LS_NODE_ID_SIZE];
	size_t n_forks, i_fork;
	/* Pushes still to send; origins whose fork proof to push. */
	struct ls_sync_want *pushes;
	size_t n_pushes;
	char (*push_forks)[LS_NODE_ID_SIZE];
	size_t n_push_forks, i_push_fork;
	uint32_t pages;
	/* Asking ahead: a page received but not yet taken in (its reply
	 * decoded, its docs pointing into plain; its verification started),
	 * while the next request is out. At most one. */
	struct {
		int has;
		uint8_t *plain;
		struct ls_sync_msg rep;
		struct node_ingest_pre *pre;
	} held;
	uint64_t own_needed; /* the peer's seq of our own origin, to reach */
	int ext_call;        /* the outstanding request is ns->ext's */
	unsigned n_ext;      /* extension exchanges this round */
};

static void round_fail(struct node_sync_round *r, int code)
{
	if (r->info.state == NODE_SYNC_FAILED ||
	    r->info.state == NODE_SYNC_DONE)
		return;
	r->info.state = NODE_SYNC_FAILED;
	r->info.code = code != LS_OK ? code : LS_EINTERNAL;
}

static void round_clear_request(struct node_sync_round *r)
{
	proto_session_call_free(r->call);
	r->call = NULL;
	proto_sync_msg_fini(&r->req);
	node_sync_arena_free(&r->req_arena);
	r->req_wants = 0;
}

/* Why a member has no key it may hold sessions with: the verdict on its
 * newest key. */
static int member_refusal(const struct ls_roster *roster,
                          const struct ls_roster_member *m, int64_t now)
{
	const struct ls_roster_key *newest = NULL;
	struct ls_key_ref ref;
	int rc;
	for (size_t i = 0; i < m->n_keys; i++)
		if (newest == NULL ||
		    m->keys[i].valid_from > newest->valid_from)
			newest = &m->keys[i];
	if (newest == NULL ||
	    proto_roster_find_key(roster, newest->key_id, &ref) != LS_OK)
		return LS_EKEY;
	rc = proto_key_check_session(&ref, now);
	return rc != LS_OK ? rc : LS_EEXPIRED;
}

/* The session key that last worked with peer, or NULL. */
static const uint8_t *peer_key_worked(const struct node_sync *ns,
                                      const char *peer)
{
	for (size_t i = 0; i < ns->n_peer_keys; i++)
		if (strcmp(ns->peer_keys[i].peer, peer) == 0)
			return ns->peer_keys[i].key_id;
	return NULL;
}

/* Remember that key_id opened a reply of peer's. Memory only: on
 * LS_ENOMEM, or with more peers than a roster can hold, nothing is
 * remembered and the next round starts from the signer again. */
static void peer_key_note(struct node_sync *ns, const char *peer,
                          const uint8_t key_id[LS_KEY_ID_BYTES])
{
	struct node_sync_peer_key *grown;
	for (size_t i = 0; i < ns->n_peer_keys; i++)
		if (strcmp(ns->peer_keys[i].peer, peer) == 0) {
			memcpy(ns->peer_keys[i].key_id, key_id,
			       LS_KEY_ID_BYTES);
			return;
		}
	if (ns->n_peer_keys >= LS_ROSTER_MAX_MEMBERS)
		return;
	grown = ls_realloc(ns->peer_keys,
	                   (ns->n_peer_keys + 1) * sizeof *ns->peer_keys);
	if (grown == NULL)
		return;
	ns->peer_keys = grown;
	snprintf(grown[ns->n_peer_keys].peer, LS_NODE_ID_SIZE, "%s", peer);
	memcpy(grown[ns->n_peer_keys].key_id, key_id, LS_KEY_ID_BYTES);
	ns->n_peer_keys++;
}

static void round_address(struct node_sync_round *r,
                          const struct ls_roster_key *k)
{
	memcpy(r->peer_key_id, k->key_id, LS_KEY_ID_BYTES);
	memcpy(r->peer_pk, k->pk, LS_PUBKEY_BYTES);
	memcpy(r->tried[r->n_tried++], k->key_id, LS_KEY_ID_BYTES);
}

int node_sync_round_new(struct node_sync *ns, const char *peer_id, int64_t now,
                        struct node_sync_round **out)
{
	const struct ls_roster *roster = node_trust_roster(ns->ingest->trust);
	const struct ls_roster_member *m;
	const struct ls_roster_key *k = NULL;
	const uint8_t *worked;
	struct node_sync_round *r;
	uint8_t used[LS_KEY_ID_BYTES];

	*out = NULL;
	if (roster == NULL ||
	    (m = proto_roster_find_member(roster, peer_id)) == NULL)
		return LS_EDENIED;
	/* During a rotation's overlap: the key that worked last, else the
	 * key the peer signs with. */
	if ((worked = peer_key_worked(ns, peer_id)) != NULL) {
		k = proto_roster_member_key_used(roster, m, now, worked);
		if (k != NULL &&
		    memcmp(k->key_id, worked, LS_KEY_ID_BYTES) != 0)
			k = NULL; /* no longer valid: as if never worked */
	}
	if (k == NULL)
		k = proto_roster_member_key_used(
		    roster, m, now,
		    node_feed_signer(ns->store, peer_id, used) == LS_OK
		        ? used
		        : NULL);
	if (k == NULL)
		return member_refusal(roster, m, now);
	if (strcmp(peer_id, ns->self_id) == 0)
		return LS_EINVAL;
	r = ls_calloc(1, sizeof *r);
	if (r == NULL)
		return LS_ENOMEM;
	r->ns = ns;
	snprintf(r->peer, sizeof r->peer, "%s", peer_id);
	round_address(r, k);
	r->info.state = NODE_SYNC_DIGEST;
	*out = r;
	return LS_OK;
}

/*
 * The peer refused the key the round addressed (a `denied` refusal
 * frame) before any reply of the round opened: address its newest
 * valid key not tried yet (PROTOCOL.md 6, "Sessions in the overlap").
 * 1 if the round now addresses another key (the refused request is to
 * be sent again), 0 if every valid key was tried. Bounded: each key of
 * the member at most once per round.
 */
static int round_key_fallback(struct node_sync_round *r, int64_t now)
{
	const struct ls_roster *roster =
	    node_trust_roster(r->ns->ingest->trust);
	const struct ls_roster_member *m;
	const struct ls_roster_key *best = NULL;

	if (r->opened || r->info.state != NODE_SYNC_DIGEST || roster == NULL ||
	    (m = proto_roster_find_member(roster, r->peer)) == NULL)
		return 0;
	for (size_t i = 0; i < m->n_keys; i++) {
		const struct ls_roster_key *k = &m->keys[i];
		struct ls_key_ref ref;
		size_t j;
		for (j = 0; j < r->n_tried; j++)
			if (memcmp(r->tried[j], k->key_id, LS_KEY_ID_BYTES) ==
			    0)
				break;
		if (j < r->n_tried ||
		    proto_roster_find_key(roster, k->key_id, &ref) != LS_OK ||
		    proto_key_check_session(&ref, now) != LS_OK)
			continue;
		if (best == NULL || k->valid_from > best->valid_from)
			best = k;
	}
	if (best == NULL || r->n_tried >= LS_ROSTER_MAX_KEYS)
		return 0;
	round_address(r, best);
	r->info.key_fallbacks++;
	return 1;
}

/* Give up the page held ahead, if any (from any thread: memory only,
 * its verification is abandoned). */
static void held_drop(struct node_sync_round *r)
{
	if (!r->held.has)
		return;
	node_ingest_pre_drop(r->held.pre);
	proto_sync_msg_fini(&r->held.rep);
	ls_free(r->held.plain);
	memset(&r->held, 0, sizeof r->held);
}

void node_sync_round_free(struct node_sync_round *r)
{
	if (r == NULL)
		return;
	held_drop(r);
	round_clear_request(r);
	proto_vv_fini(&r->theirs);
	ls_free(r->wants);
	ls_free(r->stopped);
	ls_free(r->probed);
	ls_free(r->diverged);
	ls_free(r->forks);
	ls_free(r->pushes);
	ls_free(r->push_forks);
	ls_free(r);
}

const struct node_sync_round_info *
node_sync_round_info(const struct node_sync_round *r)
{
	return &r->info;
}

void node_sync_round_abort(struct node_sync_round *r, int code)
{
	if (r->ext_call) {
		r->ext_call = 0;
		r->ns->ext->reply_cb(r->ns->ext->arg, r->peer, 0, code, NULL, 0);
	}
	held_drop(r);
	round_clear_request(r);
	round_fail(r, code);
}

static int id_in(char (*list)[LS_NODE_ID_SIZE], size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], id) == 0)
			return 1;
	return 0;
}

static int id_add(char (**list)[LS_NODE_ID_SIZE], size_t *n, const char *id)
{
	char(*grown)[LS_NODE_ID_SIZE] =
	    ls_realloc(*list, (*n + 1) * sizeof **list);
	if (grown == NULL)
		return LS_ENOMEM;
	*list = grown;
	snprintf(grown[*n], LS_NODE_ID_SIZE, "%s", id);
	(*n)++;
	return LS_OK;
}

static int want_add(struct node_sync_round *r, const char *origin,
                    uint64_t from, uint64_t to, int front)
{
	if (r->n_wants == r->cap_wants) {
		size_t cap = r->cap_wants ? 2 * r->cap_wants : 16;
		struct ls_sync_want *grown =
		    ls_realloc(r->wants, cap * sizeof *grown);
		if (grown == NULL)
			return LS_ENOMEM;
		r->wants = grown;
		r->cap_wants = cap;
	}
	if (front) {
		memmove(&r->wants[1], &r->wants[0],
		        r->n_wants * sizeof *r->wants);
	}
	{
		struct ls_sync_want *w = &r->wants[front ? 0 : r->n_wants];
		memset(w, 0, sizeof *w);
		snprintf(w->origin, sizeof w->origin, "%s", origin);
		w->from = from;
		w->to = to;
	}
	r->n_wants++;
	return LS_OK;
}

static void wants_remove(struct node_sync_round *r, size_t i)
{
	memmove(&r->wants[i], &r->wants[i + 1],
	        (r->n_wants - i - 1) * sizeof *r->wants);
	r->n_wants--;
}

/* The federation's feed first: every other document is verified against
 * the trust it brings. Stable, so the rest stays in origin order. */
static void wants_federation_first(struct node_sync_round *r)
{
	const char *fed = r->ns->ingest->trust->federation;
	for (size_t i = 0; i < r->n_wants && fed[0] != '\0'; i++)
		if (strcmp(r->wants[i].origin, fed) == 0 && i > 0) {
			struct ls_sync_want w = r->wants[i];
			memmove(&r->wants[1], &r->wants[0],
			        i * sizeof *r->wants);
			r->wants[0] = w;
			break;
		}
}

/* --- refusal memory (PROTOCOL.md 7, "Refused documents") ------------- */

int node_sync_refusal_live(const struct node_sync *ns,
                           const struct node_sync_refusal *x, int64_t now)
{
	return x->trust_seq == ns->ingest->trust->head.seq &&
	       now < x->retry_at;
}

const char *node_sync_refusal_advice(const struct node_sync_refusal *x)
{
	switch (x->code) {
	case LS_EPOLICY:
		return "het document schendt het beleid dat gold toen het "
		       "gemaakt werd: vraag de beheerder van de herkomst het "
		       "te corrigeren (een nieuw federatiedocument laat het "
		       "opnieuw beoordelen)";
	case LS_EREVOKED:
	case LS_EEXPIRED:
	case LS_EKEY:
	case LS_EDENIED:
		return "de sleutel of het lid mocht dit document niet "
		       "ondertekenen: controleer de ledenlijst ('signaalctl "
		       "federation show') en meld het aan de koepel";
	case LS_ESTATE:
		return "dit knooppunt kent het beleid van de federatie nog "
		       "niet: importeer de federatiebundel of laat het "
		       "synchroniseren met de koepel";
	case LS_ESIG:
	case LS_EDECODE:
	case LS_ELIMIT:
		return "de peer stuurt een beschadigd of vervalst document: "
		       "meld het aan de beheerder van de peer";
	default:
		return "meld het aan de beheerder van de peer";
	}
}

static struct node_sync_refusal *refusal_find(struct node_sync *ns,
                                              const char *peer,
                                              const char *origin,
                                              uint64_t seq, int push)
{
	for (size_t i = 0; i < ns->n_remembered; i++) {
		struct node_sync_refusal *x = &ns->remembered[i];
		if (x->seq == seq && x->push == push &&
		    strcmp(x->origin, origin) == 0 &&
		    strcmp(x->peer, peer) == 0)
			return x;
	}
	return NULL;
}

/* Remember that (peer, origin, seq) was refused for `code`; logged once
 * when it is new (or its reason changed). */
static void refusal_note(struct node_sync *ns, const char *peer,
                         const char *origin, uint64_t seq, int push,
                         int code, const char *detail, int64_t now)
{
	struct node_sync_refusal *x =
	    refusal_find(ns, peer, origin, seq, push);
	int fresh = x == NULL || x->code != code;
	if (x == NULL) {
		if (ns->n_remembered == NODE_SYNC_REFUSALS_MAX) {
			memmove(&ns->remembered[0], &ns->remembered[1],
			        (NODE_SYNC_REFUSALS_MAX - 1) *
			            sizeof ns->remembered[0]);
			ns->n_remembered--;
		}
		x = &ns->remembered[ns->n_remembered++];
		memset(x, 0, sizeof *x);
		snprintf(x->peer, sizeof x->peer, "%s", peer);
		snprintf(x->origin, sizeof x->origin, "%s", origin);
		x->seq = seq;
		x->push = push;
		x->first = now;
	}
	x->code = code;
	x->trust_seq = ns->ingest->trust->head.seq;
	x->last = now;
	x->retry_at = now + NODE_SYNC_REFUSAL_RETRY_S;
	x->count++;
	ls_strlcpy(x->detail, detail ? detail : "", sizeof x->detail);
	if (fresh)
		LS_ERROR("sync", "doc_refusal_remembered",
		         "peer=%s origin=%s seq=%llu direction=%s reason=%s "
		         "retry_s=%d detail=\"%.120s\" action=\"%s\"",
		         peer, origin, (unsigned long long)seq,
		         push ? "push" : "pull", ls_errname(code),
		         NODE_SYNC_REFUSAL_RETRY_S, x->detail,
		         node_sync_refusal_advice(x));
}

static int refusal_holds(struct node_sync *ns, const char *peer,
                         const char *origin, uint64_t seq, int push,
                         int64_t now)
{
	struct node_sync_refusal *x =
	    refusal_find(ns, peer, origin, seq, push);
	return x != NULL && node_sync_refusal_live(ns, x, now);
}

/* Codes a peer's push result names for a document it refused. */
static int push_refusal(int code)
{
	switch (code) {
	case LS_EDECODE:
	case LS_ELIMIT:
	case LS_ESIG:
	case LS_EKEY:
	case LS_EREVOKED:
	case LS_EEXPIRED:
	case LS_EDENIED:
	case LS_EPOLICY:
		return 1;
	default:
		return 0;
	}
}

static void own_head_learned(struct node_sync_round *r, const char *how)
{
	if (!r->ns->own_head_known)
		LS_INFO("sync", "own_head_known", "node=%s peer=%s source=%s",
		        r->ns->self_id, r->peer, how);
	r->ns->own_head_known = 1;
	r->own_needed = 0;
}

/* After a page: has the own feed reached what the peer holds of it? */
static int own_head_check(struct node_sync_round *r)
{
	uint8_t hash[LS_HASH_BYTES];
	uint64_t seq;
	int rc;
	if (r->own_needed == 0)
		return LS_OK;
	rc = store_feed_head(r->ns->store, r->ns->self_id, &seq, hash);
	if (rc != LS_OK)
		return rc;
	if (seq >= r->own_needed)
		own_head_learned(r, "fetched");
	return LS_OK;
}

/* What the peer holds that this node lacks: wanted; its fork reports
 * kept for the fork proofs. */
static int plan_pulls(struct node_sync_round *r, const struct ls_vv *mine)
{
	struct ls_vv_diff pull;
	int rc;

	memset(&pull, 0, sizeof pull);
	if ((rc = proto_vv_diff(mine, &r->theirs, &pull)) != LS_OK)
		return rc;
	for (size_t i = 0; i < pull.n_wants && rc == LS_OK; i++)
		rc = want_add(r, pull.wants[i].origin, pull.wants[i].from,
		              pull.wants[i].to, 0);
	if (rc == LS_OK && pull.n_forks > 0) {
		r->forks = pull.forks;
		r->n_forks = pull.n_forks;
		pull.forks = NULL;
	}
	proto_vv_diff_fini(&pull);
	return rc;
}

/* Where we are ahead: does the peer's head match our document at
 * that position? If not, fetch theirs: it proves a fork. */
static int plan_fork_checks(struct node_sync_round *r,
                            const struct ls_vv *mine)
{
	int rc;

	for (size_t j = 0; j < r->theirs.n; j++) {
		const struct ls_vv_entry *t = &r->theirs.entries[j];
		const struct ls_vv_entry *m = vv_find(mine, t->origin);
		struct store_doc_meta held;
		if (m == NULL || m->seq <= t->seq ||
		    ((m->flags | t->flags) & LS_VV_FORKED))
			continue;
		rc = store_feed_get(r->ns->store, t->origin, t->seq, &held, NULL,
		                    NULL);
		if (rc != LS_OK)
			return rc;
		if (memcmp(held.hash, t->head, LS_HASH_BYTES) != 0 &&
		    ((rc = want_add(r, t->origin, t->seq, t->seq, 0)) !=
		         LS_OK ||
		     (rc = id_add(&r->diverged, &r->n_diverged, t->origin)) !=
		         LS_OK))
			return rc;
	}
	return LS_OK;
}

/* Positions this peer sent before and we refused: not again. */
static void plan_hold_back(struct node_sync_round *r, int64_t now)
{
	for (size_t i = 0; i < r->n_wants;) {
		if (refusal_holds(r->ns, r->peer, r->wants[i].origin,
		                  r->wants[i].from, 0, now)) {
			LS_DEBUG("sync", "want_held_back",
			         "peer=%s origin=%s seq=%llu", r->peer,
			         r->wants[i].origin,
			         (unsigned long long)r->wants[i].from);
			r->info.held_back++;
			wants_remove(r, i);
		} else {
			i++;
		}
	}
}

/* Restore from backup: what does the peer hold of our own feed? */
static void plan_own_feed(struct node_sync_round *r, const struct ls_vv *mine)
{
	const struct ls_vv_entry *own_theirs, *own_mine;

	own_theirs = vv_find(&r->theirs, r->ns->self_id);
	own_mine = vv_find(mine, r->ns->self_id);
	if (own_theirs == NULL ||
	    (own_mine != NULL && own_theirs->seq < own_mine->seq))
		own_head_learned(r, "vv");
	else if (own_mine != NULL && own_theirs->seq == own_mine->seq) {
		if (memcmp(own_theirs->head, own_mine->head, LS_HASH_BYTES) ==
		    0)
			own_head_learned(r, "vv");
		else
			LS_ERROR("sync", "own_feed_diverged",
			         "peer=%s seq=%llu", r->peer,
			         (unsigned long long)own_theirs->seq);
	} else {
		r->own_needed = own_theirs->seq;
		LS_WARN("sync", "own_feed_behind",
		        "peer=%s held=%llu peer_has=%llu action=fetch", r->peer,
		        (unsigned long long)(own_mine ? own_mine->seq : 0),
		        (unsigned long long)own_theirs->seq);
	}
}

/* What the peer lacks, except feeds this node has stopped; for those,
 * the peer gets the fork proof's documents instead. */
static int plan_pushes(struct node_sync_round *r, const struct ls_vv *mine,
                       int64_t now)
{
	struct ls_vv_diff push;
	int rc;

	memset(&push, 0, sizeof push);
	if ((rc = proto_vv_diff(&r->theirs, mine, &push)) != LS_OK)
		return rc;
	r->pushes = push.wants;
	push.wants = NULL;
	r->n_pushes = 0;
	for (size_t i = 0; i < push.n_wants; i++) {
		const struct ls_vv_entry *m =
		    vv_find(mine, r->pushes[i].origin);
		if (m != NULL && (m->flags & LS_VV_FORKED))
			continue;
		if (refusal_holds(r->ns, r->peer, r->pushes[i].origin,
		                  r->pushes[i].from, 1, now)) {
			r->info.held_back++;
			continue;
		}
		/* A diverged feed: push our document at the peer's head
		 * too, so the peer sees the fork itself. */
		if (r->pushes[i].from > 1 &&
		    id_in(r->diverged, r->n_diverged, r->pushes[i].origin))
			r->pushes[i].from--;
		r->pushes[r->n_pushes++] = r->pushes[i];
	}
	r->push_forks = push.forks;
	r->n_push_forks = push.n_forks;
	push.forks = NULL;
	proto_vv_diff_fini(&push);
	return LS_OK;
}

/* The VV reply: plan the pulls, fork proofs and pushes. */
static int plan(struct node_sync_round *r, int64_t now)
{
	const struct ls_vv *mine;
	int rc;

	if ((rc = node_sync_vector(r->ns, &mine, NULL)) != LS_OK ||
	    (rc = plan_pulls(r, mine)) != LS_OK ||
	    (rc = plan_fork_checks(r, mine)) != LS_OK)
		return rc;
	wants_federation_first(r);
	plan_hold_back(r, now);
	plan_own_feed(r, mine);
	if (!r->ns->opt.push)
		return LS_OK;
	return plan_pushes(r, mine, now);
}

/* The feed fields of an envelope (already verified or refused by the
 * ingest; this only locates it). */
static int envelope_header(const uint8_t *data, size_t len,
                           struct ls_doc_header *hdr)
{
	struct ls_envelope env;
	int rc = proto_envelope_decode(data, len, &env, NULL);
	if (rc != LS_OK)
		return rc;
	return proto_doc_decode_header(env.payload, env.payload_len, hdr, NULL);
}

/* One document of a page that did not go in: its origin stops for this
 * round; one that does not follow our head gets our head's position
 * fetched, to prove a fork if there is one. */
static int took_doc_refused(struct node_sync_round *r, int64_t now,
                            const struct node_ingest_doc *d)
{
	uint64_t seq;
	uint8_t hash[LS_HASH_BYTES];
	int rc;

	if (d->outcome == NODE_INGEST_REJECTED)
		r->info.rejected++;
	if (!d->has_hdr)
		return LS_OK;
	if (d->outcome == NODE_INGEST_REJECTED)
		refusal_note(r->ns, r->peer, d->hdr.origin, d->hdr.seq, 0,
		             d->code, d->detail, now);
	if (!id_in(r->stopped, r->n_stopped, d->hdr.origin) &&
	    (rc = id_add(&r->stopped, &r->n_stopped, d->hdr.origin)) != LS_OK)
		return rc;
	if (d->outcome != NODE_INGEST_CHAIN || d->hdr.seq <= 1 ||
	    id_in(r->probed, r->n_probed, d->hdr.origin))
		return LS_OK;
	if ((rc = store_feed_head(r->ns->store, d->hdr.origin, &seq, hash)) !=
	    LS_OK)
		return rc;
	if (seq + 1 != d->hdr.seq)
		return LS_OK;
	if ((rc = id_add(&r->probed, &r->n_probed, d->hdr.origin)) != LS_OK)
		return rc;
	return want_add(r, d->hdr.origin, seq, seq, 0);
}

static void wants_remove_first(struct node_sync_round *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wants_remove(r, 0);
}

/* Advance the sent first wants: without `more` every want sent is done;
 * with it, the wants before the last document's are done and that one
 * goes on after its last seq. */
static void wants_advance(struct node_sync_round *r,
                          const struct ls_sync_msg *rep, size_t sent)
{
	struct ls_doc_header last;
	const struct ls_bytes *b;
	size_t k = sent;

	if (!rep->more || rep->n_docs == 0) {
		wants_remove_first(r, sent);
		return;
	}
	b = &rep->docs[rep->n_docs - 1];
	if (envelope_header(b->data, b->len, &last) != LS_OK) {
		wants_remove_first(r, sent);
		return;
	}
	for (size_t i = 0; i < sent; i++)
		if (strcmp(r->wants[i].origin, last.origin) == 0) {
			k = i;
			break;
		}
	if (k == sent) {
		wants_remove_first(r, sent);
		return;
	}
	r->wants[k].from = last.seq + 1;
	wants_remove_first(r, k);
	if (r->wants[0].to != 0 && r->wants[0].from > r->wants[0].to)
		wants_remove(r, 0);
}

/* Drop the wants of stopped origins (the probes stay). */
static void wants_drop_stopped(struct node_sync_round *r)
{
	for (size_t i = 0; i < r->n_wants;) {
		if (id_in(r->stopped, r->n_stopped, r->wants[i].origin) &&
		    !(r->wants[i].from == r->wants[i].to &&
		      id_in(r->probed, r->n_probed, r->wants[i].origin)))
			wants_remove(r, i);
		else
			i++;
	}
}

/* Take a page in (with the verification started when it arrived, or
 * NULL), note what did not go in, and drop the wants of origins that
 * stopped. The wants were advanced past the page when it arrived. */
static int take_in(struct node_sync_round *r, int64_t now,
                   const struct ls_sync_msg *rep, struct node_ingest_pre *pre)
{
	struct node_sync *ns = r->ns;
	struct node_ingest_doc *docs = NULL;
	struct node_ingest_page pg;
	struct ls_errinfo e;
	int rc;

	if (rep->n_docs > 0) {
		docs = ls_calloc(rep->n_docs, sizeof *docs);
		if (docs == NULL) {
			node_ingest_pre_drop(pre);
			return LS_ENOMEM;
		}
	}
	rc = node_ingest_page_pre(ns->ingest, pre, rep->docs, rep->n_docs, now,
	                          r->peer, docs, &pg, &e);
	if (rc != LS_OK) {
		ls_free(docs);
		return rc;
	}
	r->pages++;
	r->info.docs_in += rep->n_docs;
	r->info.docs_stored += pg.stored;
	r->info.forks += pg.forks;
	if (pg.trust_changed)
		r->info.trust_changed = 1;
	for (size_t i = 0; i < rep->n_docs && rc == LS_OK; i++)
		if (docs[i].outcome != NODE_INGEST_STORED &&
		    docs[i].outcome != NODE_INGEST_EXISTS)
			rc = took_doc_refused(r, now, &docs[i]);
	ls_free(docs);
	if (rc != LS_OK)
		return rc;
	wants_drop_stopped(r);
	return own_head_check(r);
}

/* Take in the page held ahead, if any. */
static int held_take_in(struct node_sync_round *r, int64_t now)
{
	int rc;
	if (!r->held.has)
		return LS_OK;
	rc = take_in(r, now, &r->held.rep, r->held.pre);
	r->held.pre = NULL; /* consumed */
	held_drop(r);
	return rc;
}

/* Is the outstanding docs_req (which went out before the page held
 * ahead was taken in) the very request the round would send now? Only
 * then is its page what a round without asking ahead would get. */
static int request_still_wanted(const struct node_sync_round *r)
{
	size_t k = r->n_wants < LS_SYNC_MAX_WANTS ? r->n_wants
	                                          : LS_SYNC_MAX_WANTS;
	if (r->pages >= r->ns->opt.max_pages || k == 0 ||
	    r->req.n_wants != k || r->req.max_docs != r->ns->opt.page_docs ||
	    r->req.max_bytes != r->ns->opt.page_bytes)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (strcmp(r->req.wants[i].origin, r->wants[i].origin) != 0 ||
		    r->req.wants[i].from != r->wants[i].from ||
		    r->req.wants[i].to != r->wants[i].to)
			return 0;
	return 1;
}

/*
 * A DOCS reply. Without a verify pool: take the page in at once. With
 * one, the round asks ahead: the page's verification starts now, the
 * page held before it (if any) is taken in and committed meanwhile, and
 * the new page is held while the next request goes out — unless taking
 * in the held page changed what the round wants (a refusal stopped an
 * origin, a probe was added, the page budget ran out): then the new page
 * is stale and dropped unseen, and the next request asks anew. So pages
 * are taken in in order, and exactly the pages a round without asking
 * ahead takes in. *plain and rep are taken over when the page is held
 * (then zeroed), else stay the caller's.
 */
static int took_page(struct node_sync_round *r, int64_t now,
                     struct ls_sync_msg *rep, uint8_t **plain)
{
	struct node_sync *ns = r->ns;
	struct node_ingest_pre *pre = NULL;
	int ahead = ns->ingest->pool != NULL, rc;

	if (ahead && rep->n_docs > 0 &&
	    node_ingest_prefetch(ns->ingest, rep->docs, rep->n_docs, now,
	                         &pre) != LS_OK)
		pre = NULL; /* no memory: verified in turn */
	if (r->held.has) {
		if ((rc = held_take_in(r, now)) != LS_OK) {
			node_ingest_pre_drop(pre);
			return rc;
		}
		if (!request_still_wanted(r)) {
			node_ingest_pre_drop(pre);
			r->info.pages_stale++;
			LS_DEBUG("sync", "page_ahead_stale", "peer=%s docs=%zu",
			         r->peer, rep->n_docs);
			return LS_OK;
		}
	}
	wants_advance(r, rep, r->req_wants);
	if (!ahead)
		return take_in(r, now, rep, NULL);
	r->held.has = 1;
	r->held.rep = *rep;
	r->held.plain = *plain;
	r->held.pre = pre;
	memset(rep, 0, sizeof *rep);
	*plain = NULL;
	return LS_OK;
}

/* Build the next push page from r->pushes (advancing them). */
static int build_push(struct node_sync_round *r, struct ls_sync_msg *m,
                      int64_t now)
{
	struct sent_docs sent = {0};
	struct page_fill pf;
	int rc = LS_OK;

	proto_sync_msg_init(m, LS_SYNC_PUSH_REQ);
	memset(&pf, 0, sizeof pf);
	pf.page = m;
	pf.max_docs = r->ns->opt.page_docs;
	pf.max_bytes = r->ns->opt.page_bytes;
	pf.arena = &r->req_arena;
	pf.self = r->ns->self_id;
	pf.sent = &sent;
	while (r->n_pushes > 0 && !pf.full) {
		struct ls_sync_want *w = &r->pushes[0];
		rc = node_sync_page_fill_want(r->ns->store, &pf, w);
		if (rc != LS_OK)
			break;
		if (pf.full && pf.last != 0) {
			w->from = pf.last + 1;
			if (w->to == 0 || w->from <= w->to)
				break;
		} else if (pf.full) {
			break;
		}
		memmove(&r->pushes[0], &r->pushes[1],
		        (r->n_pushes - 1) * sizeof *r->pushes);
		r->n_pushes--;
	}
	if (rc == LS_OK)
		rc = node_sync_sent_record(r->ns, r->peer, &sent, now);
	ls_free(sent.v);
	return rc;
}

/* The two envelopes of our proof for origin, as a push page. */
static int build_push_fork(struct node_sync_round *r, const char *origin,
                           struct ls_sync_msg *m)
{
	struct fork_find ff = {.origin = origin};
	const uint8_t *d[2];
	size_t dl[2];
	int rc = store_fork_list(r->ns->store, 0, node_sync_fork_find_cb, &ff);
	if (rc == WALK_STOP)
		rc = ff.rc;
	if (rc != LS_OK)
		return rc;
	proto_sync_msg_init(m, LS_SYNC_PUSH_REQ);
	if (ff.proof == NULL)
		return LS_OK; /* resolved meanwhile: nothing to push */
	rc = proto_fork_proof_decode(ff.proof, ff.len, &d[0], &dl[0], &d[1],
	                             &dl[1], NULL);
	for (int i = 0; i < 2 && rc == LS_OK; i++) {
		uint8_t *copy = node_sync_arena_copy(&r->req_arena, d[i], dl[i]);
		rc = copy == NULL ? LS_ENOMEM
		                  : proto_sync_page_add(m, NULL, copy, dl[i]);
	}
	ls_free(ff.proof);
	return rc;
}

/* The next request of the round in r->req, or the round ends. */
static int next_request(struct node_sync_round *r, int64_t now)
{
	struct node_sync *ns = r->ns;
	const struct ls_vv *vv;
	const uint8_t *digest;
	int rc;

	for (;;) {
		switch (r->info.state) {
		case NODE_SYNC_DIGEST:
			if ((rc = node_sync_vector(ns, &vv, &digest)) != LS_OK)
				return rc;
			proto_sync_msg_init(&r->req, LS_SYNC_DIGEST_REQ);
			memcpy(r->req.digest, digest, LS_HASH_BYTES);
			r->req.n_origins = (uint32_t)vv->n;
			return LS_OK;
		case NODE_SYNC_VV:
			proto_sync_msg_init(&r->req, LS_SYNC_VV_REQ);
			return LS_OK;
		case NODE_SYNC_DOCS:
			/* Ask ahead only for a page the round would take in
			 * after the held one; else take that in first. */
			if (r->held.has &&
			    (r->n_wants == 0 ||
			     r->pages + 1 >= ns->opt.max_pages)) {
				if ((rc = held_take_in(r, now)) != LS_OK)
					return rc;
				continue;
			}
			if (r->n_wants == 0 || r->pages >= ns->opt.max_pages) {
				r->info.state = NODE_SYNC_FORK;
				continue;
			}
			if (r->held.has)
				r->info.pages_ahead++;
			proto_sync_msg_init(&r->req, LS_SYNC_DOCS_REQ);
			r->req_wants = r->n_wants < LS_SYNC_MAX_WANTS
			                   ? r->n_wants
			                   : LS_SYNC_MAX_WANTS;
			r->req.wants =
			    ls_calloc(r->req_wants, sizeof *r->req.wants);
			if (r->req.wants == NULL)
				return LS_ENOMEM;
			memcpy(r->req.wants, r->wants,
			       r->req_wants * sizeof *r->req.wants);
			r->req.n_wants = r->req_wants;
			r->req.max_docs = ns->opt.page_docs;
			r->req.max_bytes = ns->opt.page_bytes;
			return LS_OK;
		case NODE_SYNC_FORK:
			if (r->i_fork >= r->n_forks) {
				r->info.state = NODE_SYNC_PUSH;
				continue;
			}
			proto_sync_msg_init(&r->req, LS_SYNC_FORK_REQ);
			memcpy(r->req.origin, r->forks[r->i_fork++],
			       LS_NODE_ID_SIZE);
			return LS_OK;
		case NODE_SYNC_PUSH:
			if (r->pages >= ns->opt.max_pages ||
			    (r->n_pushes == 0 &&
			     r->i_push_fork >= r->n_push_forks)) {
				r->info.state = NODE_SYNC_DONE;
				continue;
			}
			if (r->n_pushes > 0)
				rc = build_push(r, &r->req, now);
			else
				rc = build_push_fork(
				    r, r->push_forks[r->i_push_fork++],
				    &r->req);
			if (rc != LS_OK)
				return rc;
			if (r->req.n_docs == 0) {
				proto_sync_msg_fini(&r->req);
				node_sync_arena_free(&r->req_arena);
				if (r->n_pushes > 0)
					r->n_pushes = 0; /* nothing held */
				continue;
			}
			return LS_OK;
		default:
			return LS_ENOTFOUND;
		}
	}
}

int node_sync_round_next(struct node_sync_round *r, int64_t now,
                         uint8_t **frame, size_t *len)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	struct ls_errinfo e;
	int rc;

	*frame = NULL;
	*len = 0;
	if (r->call != NULL)
		return LS_ESTATE;
	if (r->info.state == NODE_SYNC_FAILED)
		return LS_ENOTFOUND;
	rc = r->info.state == NODE_SYNC_DONE ? LS_OK : next_request(r, now);
	if (rc == LS_ENOTFOUND ||
	    (rc == LS_OK && r->info.state == NODE_SYNC_DONE)) {
		round_clear_request(r);
		/* A finished round carries the extension's requests. */
		if (r->ns->ext == NULL || r->n_ext >= NODE_SYNC_EXT_MAX ||
		    r->ns->ext->next_cb(r->ns->ext->arg, r->peer, now, &plain,
		                        &plain_len) != LS_OK)
			return LS_ENOTFOUND;
		r->ext_call = 1;
		r->n_ext++;
		rc = LS_OK;
	} else if (rc == LS_OK) {
		rc = proto_sync_encode(&r->req, &plain, &plain_len, &e);
	}
	if (rc == LS_OK)
		rc = proto_session_seal_request(
		    r->ns->session, r->peer_key_id, r->peer_pk, now, plain,
		    plain_len, frame, len, &r->call);
	ls_free(plain);
	if (rc != LS_OK) {
		round_clear_request(r);
		(void)held_take_in(r, now); /* good, whatever failed here */
		round_fail(r, rc);
		return rc;
	}
	r->info.requests++;
	r->info.bytes_out += *len;
	if (r->req.type == LS_SYNC_PUSH_REQ)
		r->info.docs_pushed += r->req.n_docs;
	return LS_OK;
}

/* The fork proof the peer sent: stored (or rejected as a proof, which
 * only counts); fails the round only when the local store does. */
static int took_fork_proof(struct node_sync_round *r, int64_t now,
                           const struct ls_sync_msg *rep, struct ls_errinfo *e)
{
	int rc = node_ingest_fork_proof(r->ns->ingest, rep->docs[0].data,
	                                rep->docs[0].len, rep->docs[1].data,
	                                rep->docs[1].len, now, r->peer, e);
	if (rc == LS_ENOMEM || rc == LS_ESTORE || rc == LS_EIO ||
	    rc == LS_EBUSY)
		return rc;
	if (rc == LS_OK)
		r->info.forks++;
	else
		r->info.rejected++;
	return LS_OK;
}

/* The peer's verdict on each document pushed: counted, and a refusal
 * noted against its origin and seq. */
static void took_push_results(struct node_sync_round *r, int64_t now,
                              const struct ls_sync_msg *rep)
{
	r->pages++;
	for (size_t i = 0; i < rep->n_results; i++) {
		int code = proto_wire_code_to_err(rep->results[i]);
		struct ls_doc_header h;
		if (rep->results[i] == 0)
			r->info.push_stored++;
		if (!push_refusal(code) || i >= r->req.n_docs ||
		    envelope_header(r->req.docs[i].data, r->req.docs[i].len,
		                    &h) != LS_OK)
			continue;
		r->info.push_refused++;
		refusal_note(r->ns, r->peer, h.origin, h.seq, 1, code,
		             "the peer refused it", now);
	}
}

/* What the outcome rc of opening the reply says about the peer's key:
 * 1 if the peer refused the key addressed and the round now addresses
 * another (send the request again); 0 otherwise. The first reply that
 * opens names the key that works (remembered, and logged once when a
 * fallback found it). */
static int reply_key(struct node_sync_round *r, int rc, const uint8_t *frame,
                     size_t len, int64_t now)
{
	char from[2 * LS_KEY_ID_BYTES + 1], to[2 * LS_KEY_ID_BYTES + 1];

	if (rc == LS_EDENIED && !r->ext_call &&
	    proto_session_frame_kind(frame, len) == LS_SESSION_REFUSAL)
		return round_key_fallback(r, now);
	if (rc != LS_OK || r->opened)
		return 0;
	r->opened = 1;
	peer_key_note(r->ns, r->peer, r->peer_key_id);
	if (r->info.key_fallbacks > 0) {
		ls_hex_encode(r->tried[0], LS_KEY_ID_BYTES, from);
		ls_hex_encode(r->peer_key_id, LS_KEY_ID_BYTES, to);
		LS_INFO("sync", "session_key_fallback",
		        "peer=%s refused_key_id=%s key_id=%s tries=%zu", r->peer,
		        from, to, r->n_tried);
	}
	return 0;
}

int node_sync_round_reply(struct node_sync_round *r, int64_t now,
                          const uint8_t *frame, size_t len)
{
	struct node_sync *ns = r->ns;
	struct ls_sync_msg rep;
	struct ls_errinfo e;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int rc;

	if (r->call == NULL)
		return LS_ESTATE;
	r->info.bytes_in += len;
	memset(&rep, 0, sizeof rep);
	rc = proto_session_open_reply(r->call, frame, len, &plain, &plain_len,
	                              &e);
	if (reply_key(r, rc, frame, len, now)) {
		round_clear_request(r); /* the same request, to another key */
		return LS_OK;
	}
	if (r->ext_call) { /* the extension judges its own replies */
		r->ext_call = 0;
		ns->ext->reply_cb(ns->ext->arg, r->peer, now, rc,
		                  rc == LS_OK ? plain : NULL, plain_len);
		ls_free(plain);
		round_clear_request(r);
		return LS_OK;
	}
	if (rc == LS_OK)
		rc = proto_sync_decode(plain, plain_len, &rep, &e);
	if (rc == LS_OK)
		rc = proto_sync_check_reply(&r->req, &rep, &e);
	if (rc == LS_OK && rep.type == LS_SYNC_ERROR) {
		rc = proto_wire_code_to_err(rep.code);
		if (rc == LS_OK)
			rc = LS_EINTERNAL;
		ls_errf(&e, rc, "peer answered error %s", ls_errname(rc));
	}
	if (rc != LS_OK) {
		LS_WARN("sync", "reply_refused",
		        "peer=%s state=%s reason=%s detail=\"%.100s\"", r->peer,
		        node_sync_state_name(r->info.state), ls_errname(rc),
		        e.msg);
		goto fail;
	}

	switch (r->info.state) {
	case NODE_SYNC_DIGEST:
		if (memcmp(rep.digest, r->req.digest, LS_HASH_BYTES) == 0) {
			r->info.in_sync = 1;
			r->info.state = NODE_SYNC_DONE;
			own_head_learned(r, "digest");
		} else {
			r->info.state = NODE_SYNC_VV;
		}
		break;
	case NODE_SYNC_VV:
		r->theirs = rep.vv;
		memset(&rep.vv, 0, sizeof rep.vv);
		r->info.peer_vv = &r->theirs;
		if ((rc = plan(r, now)) != LS_OK)
			goto fail;
		r->info.state = NODE_SYNC_DOCS;
		break;
	case NODE_SYNC_DOCS:
		if ((rc = took_page(r, now, &rep, &plain)) != LS_OK)
			goto fail;
		break;
	case NODE_SYNC_FORK:
		if ((rc = took_fork_proof(r, now, &rep, &e)) != LS_OK)
			goto fail;
		break;
	case NODE_SYNC_PUSH:
		took_push_results(r, now, &rep);
		break;
	default:
		rc = LS_ESTATE;
		goto fail;
	}
	proto_sync_msg_fini(&rep);
	ls_free(plain);
	round_clear_request(r);
	return LS_OK;

fail:
	proto_sync_msg_fini(&rep);
	ls_free(plain);
	round_clear_request(r);
	/* The page held ahead is good whatever became of the next
	 * request: taken in, as a round without asking ahead would have
	 * before it sent that request. */
	if (held_take_in(r, now) != LS_OK)
		LS_WARN("sync", "page_ahead_lost", "peer=%s", r->peer);
	round_fail(r, rc);
	return rc;
}
