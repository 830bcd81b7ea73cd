/*
 * A secure-aggregation round without I/O: the aggregator's state machine
 * and the participant's steps (node/secagg.h).
 *
 * Happy path: the aggregator signs an open message; members answer with
 * key messages; the aggregator signs the key set (the key messages
 * verbatim, so each member checks every other member's signature
 * itself); members answer with masked contributions; the aggregator
 * signs the close (who is in); members reveal; the aggregator unmasks
 * (proto_secagg_unmask) and signs the total. Failure modes: every message
 * is verified before anything is kept, and a refused message leaves the
 * state unchanged; a member that goes silent before contributing is
 * removed with the survivors' reveals; one that goes silent after the
 * close leaves the round unfinishable (LS_ESTATE) and the caller runs a
 * new attempt without it.
 */
#include "node/secagg.h"

#include "common/alloc.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct node_secagg_slot {
	uint8_t *key_msg; /* owned, verified key message */
	size_t key_len;
	uint8_t pk[LS_X25519_BYTES];
	uint8_t contrib_hash[LS_HASH_BYTES];
	uint64_t *vec; /* owned masked vector */
	int in_keyset, included, revealed;
	uint8_t reveal_hash[LS_HASH_BYTES];
	uint8_t self_seed[LS_SECAGG_SEED_BYTES];
	struct ls_secagg_pair_reveal *pairs; /* owned */
	size_t n_pairs;
};

static const struct node_secagg_peer *
peer_find(const struct node_secagg_peer *p, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].id, id) == 0)
			return &p[i];
	return NULL;
}

int node_secagg_member_index(const struct ls_secagg_open *o, const char *id,
                             size_t *out)
{
	size_t lo = 0, hi = o->n_members;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(o->members[mid], id);
		if (c == 0) {
			*out = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int node_secagg_peer_verify(const struct node_secagg_peer *p,
                            const uint8_t *msg, size_t len,
                            struct ls_secagg_msg *m, struct ls_errinfo *e)
{
	uint8_t type, kid[LS_KEY_ID_BYTES], id[LS_KEY_ID_BYTES];
	char signer[LS_NODE_ID_SIZE];
	const uint8_t *pk = p->pk;
	int rc = proto_secagg_msg_peek(msg, len, &type, signer, kid, e);
	if (rc != LS_OK)
		return rc;
	proto_key_id(p->pk, id);
	if (memcmp(id, kid, sizeof id) != 0) {
		pk = NULL;
		for (size_t i = 0;
		     i < p->n_other && i < NODE_SECAGG_PEER_KEYS - 1; i++) {
			proto_key_id(p->other_pk[i], id);
			if (memcmp(id, kid, sizeof id) == 0) {
				pk = p->other_pk[i];
				break;
			}
		}
		if (pk == NULL)
			return ls_errf(e, LS_EKEY,
			               "secagg: %s's message is signed with "
			               "none of its valid keys",
			               p->id);
	}
	return proto_secagg_msg_verify(msg, len, pk, m, e);
}

/* The aggregator's message to a participant, verified into *m. */
static int verify_aggregator(const struct node_secagg_self *s,
                             const uint8_t *msg, size_t len,
                             struct ls_secagg_msg *m, struct ls_errinfo *e)
{
	if (s->aggregator != NULL)
		return node_secagg_peer_verify(s->aggregator, msg, len, m, e);
	return proto_secagg_msg_verify(msg, len, s->aggregator_pk, m, e);
}

/* Verify a message from `who` (looked up in peers) into *m. */
static int verify_from(const struct node_secagg_peer *peers, size_t n_peers,
                       const uint8_t *msg, size_t len, struct ls_secagg_msg *m,
                       struct ls_errinfo *e)
{
	uint8_t type, kid[LS_KEY_ID_BYTES];
	char signer[LS_NODE_ID_SIZE];
	const struct node_secagg_peer *p;
	int rc = proto_secagg_msg_peek(msg, len, &type, signer, kid, e);
	if (rc != LS_OK)
		return rc;
	p = peer_find(peers, n_peers, signer);
	if (p == NULL)
		return ls_errf(e, LS_EDENIED, "secagg: %s is not a member",
		               signer);
	memset(m, 0, sizeof *m);
	return node_secagg_peer_verify(p, msg, len, m, e);
}

/* ---- aggregator ------------------------------------------------------ */

void node_secagg_agg_fini(struct node_secagg_agg *a)
{
	if (a->slots != NULL)
		for (size_t i = 0; i < a->open.u.open.n_members; i++) {
			ls_free(a->slots[i].key_msg);
			ls_free(a->slots[i].vec);
			ls_free(a->slots[i].pairs);
		}
	ls_free(a->slots);
	ls_free(a->open_bytes);
	proto_secagg_msg_fini(&a->open);
	memset(a, 0, sizeof *a);
}

int node_secagg_agg_open(struct node_secagg_agg *a,
                         const struct ls_secagg_open *o, const char *self,
                         const struct ls_keypair *kp,
                         const struct node_secagg_peer *peers, size_t n_peers,
                         uint8_t **out, size_t *len, struct ls_errinfo *e)
{
	struct ls_secagg_msg m;
	int rc;

	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < o->n_members; i++)
		if (peer_find(peers, n_peers, o->members[i]) == NULL)
			return ls_errf(e, LS_EINVAL,
			               "secagg: %s is not in the roster",
			               o->members[i]);
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_OPEN;
	snprintf(m.signer, sizeof m.signer, "%s", self);
	m.u.open = *o;
	if ((rc = proto_secagg_msg_sign(&m, kp, &a->open_bytes, &a->open_len,
	                                e)) != LS_OK)
		return rc;
	/* Verify our own message: the decoder computes the round id. */
	if ((rc = proto_secagg_msg_verify(a->open_bytes, a->open_len, kp->pk,
	                                  &a->open, e)) != LS_OK)
		goto err;
	a->slots = ls_calloc(o->n_members, sizeof *a->slots);
	if (a->slots == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto err;
	}
	*out = ls_malloc(a->open_len);
	if (*out == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto err;
	}
	memcpy(*out, a->open_bytes, a->open_len);
	*len = a->open_len;
	memcpy(a->round, a->open.round, sizeof a->round);
	snprintf(a->self, sizeof a->self, "%s", self);
	a->peers = peers;
	a->n_peers = n_peers;
	a->phase = NODE_SECAGG_KEYS;
	return LS_OK;
err:
	node_secagg_agg_fini(a);
	return rc;
}

static int take_key(struct node_secagg_agg *a, struct node_secagg_slot *s,
                    const struct ls_secagg_msg *m, const uint8_t *msg,
                    size_t len, struct ls_errinfo *e)
{
	if (s->key_msg != NULL)
		return sodium_memcmp(s->pk, m->u.key.pk, LS_X25519_BYTES) == 0
		           ? LS_OK
		           : ls_errf(e, LS_EEXISTS,
		                     "secagg: %s sent a second, different key",
		                     m->signer);
	if (a->phase != NODE_SECAGG_KEYS)
		return ls_errf(e, LS_ESTATE,
		               "secagg: key of %s after the key set",
		               m->signer);
	if (len > LS_SECAGG_KEY_MSG_MAX)
		return ls_errf(e, LS_ELIMIT, "secagg: key message too long");
	s->key_msg = ls_malloc(len);
	if (s->key_msg == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	memcpy(s->key_msg, msg, len);
	s->key_len = len;
	memcpy(s->pk, m->u.key.pk, LS_X25519_BYTES);
	a->n_keys++;
	return LS_OK;
}

static int take_contrib(struct node_secagg_agg *a, struct node_secagg_slot *s,
                        const struct ls_secagg_msg *m, struct ls_errinfo *e)
{
	const struct ls_secagg_vector *v = &m->u.contrib;
	if (s->vec != NULL)
		return sodium_memcmp(s->contrib_hash, m->hash, LS_HASH_BYTES) ==
		               0
		           ? LS_OK
		           : ls_errf(e, LS_EEXISTS,
		                     "secagg: %s sent a second, different "
		                     "contribution",
		                     m->signer);
	if (a->phase != NODE_SECAGG_CONTRIB)
		return ls_errf(e, LS_ESTATE,
		               a->phase < NODE_SECAGG_CONTRIB
		                   ? "secagg: contribution of %s before the "
		                     "key set"
		                   : "secagg: contribution of %s after the "
		                     "round closed",
		               m->signer);
	if (!s->in_keyset ||
	    sodium_memcmp(v->keyset, a->keyset_hash, LS_HASH_BYTES) != 0)
		return ls_errf(e, LS_EDENIED,
		               "secagg: contribution of %s for another key set",
		               m->signer);
	if (v->n != a->open.u.open.n_entries)
		return ls_errf(e, LS_EINVAL,
		               "secagg: contribution of %s has %zu entries, "
		               "round has %u",
		               m->signer, v->n, a->open.u.open.n_entries);
	s->vec = ls_calloc(v->n, sizeof *s->vec);
	if (s->vec == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	for (size_t i = 0; i < v->n; i++)
		s->vec[i] = proto_secagg_word(v->bytes, i);
	memcpy(s->contrib_hash, m->hash, LS_HASH_BYTES);
	a->n_contrib++;
	return LS_OK;
}

static int take_reveal(struct node_secagg_agg *a, struct node_secagg_slot *s,
                       struct ls_secagg_msg *m, struct ls_errinfo *e)
{
	struct ls_secagg_reveal *r = &m->u.reveal;
	if (s->revealed)
		return sodium_memcmp(s->reveal_hash, m->hash, LS_HASH_BYTES) ==
		               0
		           ? LS_OK
		           : ls_errf(e, LS_EEXISTS,
		                     "secagg: %s sent a second, different "
		                     "reveal",
		                     m->signer);
	if (a->phase != NODE_SECAGG_REVEAL)
		return ls_errf(e, LS_ESTATE,
		               "secagg: reveal of %s out of phase", m->signer);
	if (!s->included ||
	    sodium_memcmp(r->close, a->close_hash, LS_HASH_BYTES) != 0)
		return ls_errf(e, LS_EDENIED,
		               "secagg: reveal of %s for another close",
		               m->signer);
	/* Exactly the dropped members of the key set, no included one. */
	size_t want = a->n_keys - a->n_contrib;
	if (r->n_pairs != want)
		return ls_errf(e, LS_EDENIED,
		               "secagg: reveal of %s names %zu seeds, %zu "
		               "dropped",
		               m->signer, r->n_pairs, want);
	for (size_t i = 0; i < r->n_pairs; i++) {
		size_t j;
		if (!node_secagg_member_index(&a->open.u.open, r->pairs[i].peer,
		                              &j) ||
		    !a->slots[j].in_keyset || a->slots[j].included)
			return ls_errf(e, LS_EDENIED,
			               "secagg: reveal of %s names %s, not a "
			               "dropped member",
			               m->signer, r->pairs[i].peer);
	}
	memcpy(s->self_seed, r->self_seed, sizeof s->self_seed);
	memcpy(s->reveal_hash, m->hash, LS_HASH_BYTES);
	s->pairs = r->pairs; /* take ownership */
	s->n_pairs = r->n_pairs;
	r->pairs = NULL;
	r->n_pairs = 0;
	s->revealed = 1;
	a->n_reveal++;
	return LS_OK;
}

int node_secagg_agg_take(struct node_secagg_agg *a, const uint8_t *msg,
                         size_t len, int64_t now, struct ls_errinfo *e)
{
	struct ls_secagg_msg m;
	size_t idx;
	int rc = verify_from(a->peers, a->n_peers, msg, len, &m, e);

	if (rc != LS_OK) {
		a->refused++;
		return rc;
	}
	if (sodium_memcmp(m.round, a->round, sizeof a->round) != 0)
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: message of %s for "
		             "another round",
		             m.signer);
	else if (!node_secagg_member_index(&a->open.u.open, m.signer, &idx))
		rc = ls_errf(e, LS_EDENIED, "secagg: %s is not in this round",
		             m.signer);
	else if (now > a->open.u.open.deadline)
		rc = ls_errf(e, LS_EEXPIRED,
		             "secagg: %s message of %s after the deadline",
		             proto_secagg_type_name(m.type), m.signer);
	else if (m.type == LS_SECAGG_KEY)
		rc = take_key(a, &a->slots[idx], &m, msg, len, e);
	else if (m.type == LS_SECAGG_CONTRIB)
		rc = take_contrib(a, &a->slots[idx], &m, e);
	else if (m.type == LS_SECAGG_REVEAL)
		rc = take_reveal(a, &a->slots[idx], &m, e);
	else
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: %s is not a member's "
		             "message",
		             proto_secagg_type_name(m.type));
	if (rc != LS_OK)
		a->refused++;
	proto_secagg_msg_fini(&m);
	return rc;
}

static int sign_out(struct ls_secagg_msg *m, const struct node_secagg_agg *a,
                    const struct ls_keypair *kp, uint8_t hash[LS_HASH_BYTES],
                    uint8_t **out, size_t *len, struct ls_errinfo *e)
{
	int rc;
	snprintf(m->signer, sizeof m->signer, "%s", a->self);
	memcpy(m->round, a->round, sizeof m->round);
	rc = proto_secagg_msg_sign(m, kp, out, len, e);
	if (rc == LS_OK && hash != NULL) {
		struct ls_secagg_msg back;
		memset(&back, 0, sizeof back);
		rc = proto_secagg_msg_verify(*out, *len, kp->pk, &back, e);
		if (rc == LS_OK)
			memcpy(hash, back.hash, LS_HASH_BYTES);
		proto_secagg_msg_fini(&back);
		if (rc != LS_OK) {
			ls_free(*out);
			*out = NULL;
		}
	}
	return rc;
}

int node_secagg_agg_keyset(struct node_secagg_agg *a,
                           const struct ls_keypair *kp, uint8_t **out,
                           size_t *len, struct ls_errinfo *e)
{
	const struct ls_secagg_open *o = &a->open.u.open;
	struct ls_secagg_msg m;
	int rc;

	if (a->phase != NODE_SECAGG_KEYS)
		return ls_errf(e, LS_ESTATE, "secagg: key set already sent");
	if (a->n_keys < o->min_parties)
		return ls_errf(e, LS_ESTATE,
		               "secagg: %zu keys, the round needs %u",
		               a->n_keys, o->min_parties);
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_KEYSET;
	m.u.keyset.msgs = ls_calloc(a->n_keys, sizeof *m.u.keyset.msgs);
	m.u.keyset.lens = ls_calloc(a->n_keys, sizeof *m.u.keyset.lens);
	if (m.u.keyset.msgs == NULL || m.u.keyset.lens == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto done;
	}
	for (size_t i = 0; i < o->n_members; i++) {
		if (a->slots[i].key_msg == NULL)
			continue;
		m.u.keyset.msgs[m.u.keyset.n] = a->slots[i].key_msg;
		m.u.keyset.lens[m.u.keyset.n++] = a->slots[i].key_len;
	}
	rc = sign_out(&m, a, kp, a->keyset_hash, out, len, e);
	if (rc == LS_OK) {
		for (size_t i = 0; i < o->n_members; i++)
			a->slots[i].in_keyset = a->slots[i].key_msg != NULL;
		a->phase = NODE_SECAGG_CONTRIB;
	}
done:
	ls_free((void *)m.u.keyset.msgs);
	ls_free(m.u.keyset.lens);
	return rc;
}

int node_secagg_agg_close(struct node_secagg_agg *a,
                          const struct ls_keypair *kp, uint8_t **out,
                          size_t *len, struct ls_errinfo *e)
{
	const struct ls_secagg_open *o = &a->open.u.open;
	struct ls_secagg_msg m;
	int rc;

	if (a->phase != NODE_SECAGG_CONTRIB)
		return ls_errf(e, LS_ESTATE, "secagg: not collecting");
	if (a->n_contrib < o->min_parties)
		return ls_errf(e, LS_ESTATE,
		               "secagg: %zu contributions, the round needs %u",
		               a->n_contrib, o->min_parties);
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_CLOSE;
	memcpy(m.u.close.keyset, a->keyset_hash, LS_HASH_BYTES);
	m.u.close.included = ls_calloc(a->n_contrib, sizeof(ls_secagg_id));
	if (m.u.close.included == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	for (size_t i = 0; i < o->n_members; i++)
		if (a->slots[i].vec != NULL)
			memcpy(m.u.close.included[m.u.close.n_included++],
			       o->members[i], LS_NODE_ID_SIZE);
	rc = sign_out(&m, a, kp, a->close_hash, out, len, e);
	if (rc == LS_OK) {
		for (size_t i = 0; i < o->n_members; i++)
			a->slots[i].included = a->slots[i].vec != NULL;
		a->phase = NODE_SECAGG_REVEAL;
	}
	ls_free(m.u.close.included);
	return rc;
}

int node_secagg_agg_finish(struct node_secagg_agg *a,
                           const struct ls_keypair *kp, int64_t *total,
                           uint8_t **out, size_t *len, struct ls_errinfo *e)
{
	const struct ls_secagg_open *o = &a->open.u.open;
	struct ls_secagg_member *keys = NULL;
	uint8_t *included = NULL, (*self)[LS_SECAGG_SEED_BYTES] = NULL;
	const struct ls_secagg_pair_reveal **pairs = NULL;
	size_t *n_pairs = NULL, k = 0, n = o->n_entries;
	uint64_t *sum = NULL;
	uint8_t *bytes = NULL;
	struct ls_secagg_msg m;
	int rc;

	if (a->phase != NODE_SECAGG_REVEAL)
		return ls_errf(e, LS_ESTATE, "secagg: not revealing");
	if (a->n_reveal < a->n_contrib)
		return ls_errf(e, LS_ESTATE,
		               "secagg: %zu of %zu included members revealed",
		               a->n_reveal, a->n_contrib);
	keys = ls_calloc(a->n_keys, sizeof *keys);
	included = ls_calloc(a->n_keys, 1);
	self = ls_calloc(a->n_keys, sizeof *self);
	pairs = ls_calloc(a->n_keys, sizeof *pairs);
	n_pairs = ls_calloc(a->n_keys, sizeof *n_pairs);
	sum = ls_calloc(n, sizeof *sum);
	bytes = ls_malloc(8 * n);
	memset(&m, 0, sizeof m);
	m.u.total.included = ls_calloc(a->n_contrib, sizeof(ls_secagg_id));
	if (!keys || !included || !self || !pairs || !n_pairs || !sum ||
	    !bytes || !m.u.total.included) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto done;
	}
	for (size_t i = 0; i < o->n_members; i++) {
		struct node_secagg_slot *s = &a->slots[i];
		if (!s->in_keyset)
			continue;
		memcpy(keys[k].id, o->members[i], LS_NODE_ID_SIZE);
		memcpy(keys[k].pk, s->pk, LS_X25519_BYTES);
		included[k] = (uint8_t)s->included;
		if (s->included) {
			ls_secagg_vec_add(sum, s->vec, n);
			memcpy(self[k], s->self_seed, LS_SECAGG_SEED_BYTES);
			pairs[k] = s->pairs;
			n_pairs[k] = s->n_pairs;
			memcpy(m.u.total.included[m.u.total.n_included++],
			       o->members[i], LS_NODE_ID_SIZE);
		}
		k++;
	}
	rc = proto_secagg_unmask(a->round, keys, k, included,
	                         (const uint8_t(*)[LS_SECAGG_SEED_BYTES])self,
	                         pairs, n_pairs, sum, n, e);
	if (rc != LS_OK)
		goto done;
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			bytes[i * 8 + (size_t)b] = (uint8_t)(sum[i] >> (8 * b));
	m.type = LS_SECAGG_TOTAL;
	memcpy(m.u.total.close, a->close_hash, LS_HASH_BYTES);
	m.u.total.period = o->period;
	/* The noise in the total: n_contrib shares of mu / n_keys each. */
	for (int ms = 0; ms < SECAGG_MEASURES; ms++) {
		m.u.total.noise.mu[ms].num = o->noise.mu[ms].num * a->n_contrib;
		m.u.total.noise.mu[ms].den = o->noise.mu[ms].den * a->n_keys;
	}
	m.u.total.n = n;
	m.u.total.bytes = bytes;
	rc = sign_out(&m, a, kp, NULL, out, len, e);
	if (rc != LS_OK)
		goto done;
	if (total != NULL)
		for (size_t i = 0; i < n; i++)
			total[i] = (int64_t)sum[i];
	a->phase = NODE_SECAGG_DONE;
done:
	ls_free(keys);
	ls_free(included);
	ls_free(self);
	ls_free(pairs);
	ls_free(n_pairs);
	ls_free(sum);
	ls_free(bytes);
	ls_free(m.u.total.included);
	return rc;
}

int node_secagg_agg_fedsum(const struct node_secagg_agg *a,
                           const struct secagg_layout *l, const int64_t *total,
                           uint32_t persons_cap, struct ls_fedsum *out,
                           struct ls_errinfo *e)
{
	const struct ls_secagg_open *o = &a->open.u.open;
	uint32_t withhold_below = o->k;
	struct ls_summary tables;
	double eps;
	int rc;

	if (a->phase != NODE_SECAGG_DONE)
		return ls_errf(e, LS_ESTATE, "secagg: the round is not done");
	if (l->n_entries != o->n_entries ||
	    sodium_memcmp(l->digest, o->layout, LS_SECAGG_DIGEST_BYTES) != 0)
		return ls_errf(e, LS_EINVAL,
		               "secagg: not the layout of the round");
	memset(out, 0, sizeof *out);
	out->period = o->period;
	memcpy(out->round, a->round, sizeof out->round);
	for (int m = 0; m < SECAGG_MEASURES; m++) {
		out->noise.mu[m].num = o->noise.mu[m].num * a->n_contrib;
		out->noise.mu[m].den = o->noise.mu[m].den * a->n_keys;
	}
	eps = ls_secagg_total_epsilon(&out->noise, persons_cap);
	if (!(eps * 1000 <= LS_FEDSUM_EPSILON_MILLI_MAX))
		return ls_errf(e, LS_EINVAL,
		               "secagg: too little noise to state an epsilon");
	out->epsilon_milli = (uint64_t)ceil(eps * 1000);
	out->withhold_below = withhold_below;
	out->persons_cap = persons_cap;
	out->included = ls_calloc(a->n_contrib, sizeof *out->included);
	if (out->included == NULL)
		return ls_errf(e, LS_ENOMEM, "secagg: out of memory");
	for (size_t i = 0; i < o->n_members; i++)
		if (a->slots[i].included)
			memcpy(out->included[out->n_included++], o->members[i],
			       LS_NODE_ID_SIZE);
	ls_summary_init(&tables);
	rc = ls_secagg_federation_tables(l, total, &out->noise, withhold_below,
	                                 persons_cap, &tables, e);
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		out->tables[t] = tables.tables[t]; /* moved */
	if (rc == LS_OK)
		rc = proto_fedsum_validate(out, e);
	if (rc != LS_OK)
		proto_fedsum_fini(out);
	return rc;
}

/* ---- participant ------------------------------------------------------ */

static int open_verify(const struct node_secagg_self *s, const uint8_t *open,
                       size_t open_len, struct ls_secagg_msg *o, size_t *me,
                       struct ls_errinfo *e)
{
	int rc;
	memset(o, 0, sizeof *o);
	rc = verify_aggregator(s, open, open_len, o, e);
	if (rc != LS_OK)
		return rc;
	if (o->type != LS_SECAGG_OPEN)
		rc = ls_errf(e, LS_EDENIED, "secagg: not an open message");
	else if (!node_secagg_member_index(&o->u.open, s->id, me))
		rc = ls_errf(e, LS_EDENIED, "secagg: %s is not invited", s->id);
	if (rc != LS_OK)
		proto_secagg_msg_fini(o);
	return rc;
}

static int sign_mine(const struct node_secagg_self *s, struct ls_secagg_msg *m,
                     const uint8_t round[LS_SECAGG_ID_BYTES], uint8_t **out,
                     size_t *len, struct ls_errinfo *e)
{
	snprintf(m->signer, sizeof m->signer, "%s", s->id);
	memcpy(m->round, round, LS_SECAGG_ID_BYTES);
	return proto_secagg_msg_sign(m, s->kp, out, len, e);
}

int node_secagg_part_key(const struct node_secagg_self *s, const uint8_t *open,
                         size_t open_len, uint8_t **out, size_t *len,
                         struct ls_errinfo *e)
{
	struct ls_secagg_msg o, m;
	uint8_t sk[LS_X25519_BYTES];
	size_t me;
	int rc = open_verify(s, open, open_len, &o, &me, e);
	if (rc != LS_OK)
		return rc;
	memset(&m, 0, sizeof m);
	m.type = LS_SECAGG_KEY;
	rc = proto_secagg_ephemeral(s->secret, o.round, sk, m.u.key.pk);
	sodium_memzero(sk, sizeof sk);
	if (rc == LS_OK)
		rc = sign_mine(s, &m, o.round, out, len, e);
	proto_secagg_msg_fini(&o);
	return rc;
}

/* Verify a key set into keys[] (sorted by id). *n_keys, *me.
 *
 * members: also verify every key message's own signature (before
 * contributing: that is what keeps the aggregator from putting a key of
 * its own in a member's place and learning the pair seed). Before
 * revealing it is not needed: a key in the set that is not the member's
 * own yields a pair seed its forger could compute anyway, and whether a
 * genuine seed is revealed depends only on the close (the equivocation
 * guard), so the reveal checks the aggregator's signature alone and
 * decodes the key messages without theirs (they are inside the signed
 * key set). This halves a member's signature checks per round. */
static int keyset_verify(const struct node_secagg_self *s,
                         const struct ls_secagg_msg *o, const uint8_t *keyset,
                         size_t keyset_len, int members,
                         struct ls_secagg_member **keys_out, size_t *n_keys,
                         size_t *me, uint8_t hash[LS_HASH_BYTES],
                         struct ls_errinfo *e)
{
	struct ls_secagg_msg ks;
	struct ls_secagg_member *keys = NULL;
	int rc, found = 0;

	memset(&ks, 0, sizeof ks);
	rc = verify_aggregator(s, keyset, keyset_len, &ks, e);
	if (rc != LS_OK)
		return rc;
	if (ks.type != LS_SECAGG_KEYSET ||
	    sodium_memcmp(ks.round, o->round, LS_SECAGG_ID_BYTES) != 0) {
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: not a key set of this round");
		goto done;
	}
	keys = ls_calloc(ks.u.keyset.n, sizeof *keys);
	if (keys == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto done;
	}
	for (size_t i = 0; i < ks.u.keyset.n; i++) {
		struct ls_secagg_msg km;
		size_t idx;
		if (members)
			rc = verify_from(s->peers, s->n_peers,
			                 ks.u.keyset.msgs[i],
			                 ks.u.keyset.lens[i], &km, e);
		else
			rc = proto_secagg_msg_decode_signed(
			    ks.u.keyset.msgs[i], ks.u.keyset.lens[i], &km, e);
		if (rc != LS_OK)
			goto done;
		if (km.type != LS_SECAGG_KEY ||
		    sodium_memcmp(km.round, o->round, LS_SECAGG_ID_BYTES) !=
		        0 ||
		    !node_secagg_member_index(&o->u.open, km.signer, &idx) ||
		    (i > 0 && strcmp(keys[i - 1].id, km.signer) >= 0)) {
			rc = ls_errf(e, LS_EDENIED,
			             "secagg: key %zu of the key set is not a "
			             "member's key for this round, in order",
			             i);
			proto_secagg_msg_fini(&km);
			goto done;
		}
		memcpy(keys[i].id, km.signer, LS_NODE_ID_SIZE);
		memcpy(keys[i].pk, km.u.key.pk, LS_X25519_BYTES);
		if (strcmp(km.signer, s->id) == 0) {
			*me = i;
			found = 1;
		}
		proto_secagg_msg_fini(&km);
	}
	if (!found) {
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: own key not in the key set");
		goto done;
	}
	*keys_out = keys;
	keys = NULL;
	*n_keys = ks.u.keyset.n;
	memcpy(hash, ks.hash, LS_HASH_BYTES);
done:
	ls_free(keys);
	proto_secagg_msg_fini(&ks);
	return rc;
}

int node_secagg_part_contrib(const struct node_secagg_self *s,
                             const uint8_t *open, size_t open_len,
                             const uint8_t *keyset, size_t keyset_len,
                             const uint64_t *counts, size_t n, uint8_t **out,
                             size_t *len, struct ls_errinfo *e)
{
	struct ls_secagg_msg o, m;
	struct ls_secagg_member *keys = NULL;
	struct secagg_layout dummy;
	uint8_t sk[LS_X25519_BYTES], pk[LS_X25519_BYTES];
	uint8_t self_seed[LS_SECAGG_SEED_BYTES], noise_key[NOISE_KEY_BYTES];
	uint64_t *vec = NULL;
	int64_t *noise = NULL;
	uint8_t *bytes = NULL;
	size_t me, n_keys = 0;
	int rc = open_verify(s, open, open_len, &o, &me, e);

	if (rc != LS_OK)
		return rc;
	memset(&m, 0, sizeof m);
	if (n != o.u.open.n_entries) {
		rc = ls_errf(e, LS_EINVAL,
		             "secagg: %zu counts, the round has %u entries", n,
		             o.u.open.n_entries);
		goto done;
	}
	rc = keyset_verify(s, &o, keyset, keyset_len, 1, &keys, &n_keys, &me,
	                   m.u.contrib.keyset, e);
	if (rc != LS_OK)
		goto done;
	vec = ls_calloc(n, sizeof *vec);
	noise = ls_calloc(n, sizeof *noise);
	bytes = ls_malloc(8 * n);
	if (vec == NULL || noise == NULL || bytes == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto done;
	}
	/* The noise shares: only the entry count of a layout matters. */
	memset(&dummy, 0, sizeof dummy);
	dummy.n_entries = n;
	proto_secagg_derive(s->secret, o.round, LS_SECAGG_NOISE, noise_key);
	rc = ls_secagg_noise_shares(&dummy, &o.u.open.noise, (uint32_t)n_keys,
	                            noise_key, noise, e);
	if (rc != LS_OK)
		goto done;
	memcpy(vec, counts, n * sizeof *vec);
	ls_secagg_vec_add_signed(vec, noise, n);
	if ((rc = proto_secagg_ephemeral(s->secret, o.round, sk, pk)) != LS_OK)
		goto done;
	proto_secagg_derive(s->secret, o.round, LS_SECAGG_SELF, self_seed);
	rc =
	    proto_secagg_mask(o.round, keys, n_keys, me, sk, self_seed, vec, n);
	if (rc != LS_OK) {
		rc = ls_errf(e, rc, "secagg: masking failed (a bad key?)");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			bytes[i * 8 + (size_t)b] = (uint8_t)(vec[i] >> (8 * b));
	m.type = LS_SECAGG_CONTRIB;
	m.u.contrib.n = n;
	m.u.contrib.bytes = bytes;
	rc = sign_mine(s, &m, o.round, out, len, e);
done:
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(self_seed, sizeof self_seed);
	sodium_memzero(noise_key, sizeof noise_key);
	if (noise != NULL)
		sodium_memzero(noise, n * sizeof *noise);
	if (vec != NULL)
		sodium_memzero(vec, n * sizeof *vec);
	ls_free(noise);
	ls_free(vec);
	ls_free(bytes);
	ls_free(keys);
	proto_secagg_msg_fini(&o);
	return rc;
}

/* Every member the close includes is in the key set (both sorted), and
 * so is this node (keys[me]). */
static int close_members_check(const struct node_secagg_self *s,
                               const struct ls_secagg_close *close,
                               const struct ls_secagg_member *keys,
                               size_t n_keys, size_t me, struct ls_errinfo *e)
{
	size_t j = 0, self_in = 0;
	for (size_t i = 0; i < close->n_included; i++) {
		while (j < n_keys && strcmp(keys[j].id, close->included[i]) < 0)
			j++;
		if (j == n_keys || strcmp(keys[j].id, close->included[i]) != 0)
			return ls_errf(e, LS_EDENIED,
			               "secagg: close includes %s, not "
			               "in the key set",
			               close->included[i]);
		self_in |= j == me;
	}
	if (!self_in)
		return ls_errf(e, LS_EDENIED, "secagg: %s is not in the close",
		               s->id);
	return LS_OK;
}

int node_secagg_part_reveal(const struct node_secagg_self *s,
                            const uint8_t *open, size_t open_len,
                            const uint8_t *keyset, size_t keyset_len,
                            const uint8_t *close, size_t close_len,
                            const uint8_t *revealed, uint8_t close_hash[32],
                            uint8_t **out, size_t *len, struct ls_errinfo *e)
{
	struct ls_secagg_msg o, c, m;
	struct ls_secagg_member *keys = NULL;
	uint8_t ks_hash[LS_HASH_BYTES], sk[LS_X25519_BYTES];
	size_t me, n_keys = 0;
	int rc = open_verify(s, open, open_len, &o, &me, e);

	if (rc != LS_OK)
		return rc;
	memset(&c, 0, sizeof c);
	memset(&m, 0, sizeof m);
	rc = keyset_verify(s, &o, keyset, keyset_len, 0, &keys, &n_keys, &me,
	                   ks_hash, e);
	if (rc != LS_OK)
		goto done;
	rc = verify_aggregator(s, close, close_len, &c, e);
	if (rc != LS_OK)
		goto done;
	if (c.type != LS_SECAGG_CLOSE ||
	    sodium_memcmp(c.round, o.round, LS_SECAGG_ID_BYTES) != 0 ||
	    sodium_memcmp(c.u.close.keyset, ks_hash, LS_HASH_BYTES) != 0) {
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: not a close of this round and key set");
		goto done;
	}
	if (revealed != NULL &&
	    sodium_memcmp(revealed, c.hash, LS_HASH_BYTES) != 0) {
		rc = ls_errf(e, LS_EDENIED,
		             "secagg: a second, different close for this "
		             "round: refused (the aggregator equivocates)");
		goto done;
	}
	rc = close_members_check(s, &c.u.close, keys, n_keys, me, e);
	if (rc != LS_OK)
		goto done;
	m.type = LS_SECAGG_REVEAL;
	memcpy(m.u.reveal.close, c.hash, LS_HASH_BYTES);
	proto_secagg_derive(s->secret, o.round, LS_SECAGG_SELF,
	                    m.u.reveal.self_seed);
	m.u.reveal.pairs = ls_calloc(n_keys - c.u.close.n_included + 1,
	                             sizeof *m.u.reveal.pairs);
	if (m.u.reveal.pairs == NULL) {
		rc = ls_errf(e, LS_ENOMEM, "secagg: out of memory");
		goto done;
	}
	{
		uint8_t pk[LS_X25519_BYTES];
		if ((rc = proto_secagg_ephemeral(s->secret, o.round, sk, pk)) !=
		    LS_OK)
			goto done;
		if (sodium_memcmp(pk, keys[me].pk, sizeof pk) != 0) {
			rc = ls_errf(e, LS_EDENIED,
			             "secagg: the key set holds another key of "
			             "%s",
			             s->id);
			goto done;
		}
	}
	for (size_t j = 0, i = 0; j < n_keys; j++) {
		struct ls_secagg_pair_reveal *p;
		while (i < c.u.close.n_included &&
		       strcmp(c.u.close.included[i], keys[j].id) < 0)
			i++;
		if (i < c.u.close.n_included &&
		    strcmp(c.u.close.included[i], keys[j].id) == 0)
			continue; /* included: never reveal */
		p = &m.u.reveal.pairs[m.u.reveal.n_pairs++];
		memcpy(p->peer, keys[j].id, LS_NODE_ID_SIZE);
		rc = proto_secagg_pair_seed(o.round, s->id, sk, keys[me].pk,
		                            keys[j].id, keys[j].pk, p->seed);
		if (rc != LS_OK)
			goto done;
	}
	rc = sign_mine(s, &m, o.round, out, len, e);
	if (rc == LS_OK)
		memcpy(close_hash, c.hash, LS_HASH_BYTES);
done:
	sodium_memzero(sk, sizeof sk);
	if (m.u.reveal.pairs != NULL)
		sodium_memzero(m.u.reveal.pairs,
		               m.u.reveal.n_pairs * sizeof *m.u.reveal.pairs);
	sodium_memzero(m.u.reveal.self_seed, LS_SECAGG_SEED_BYTES);
	ls_free(m.u.reveal.pairs);
	ls_free(keys);
	proto_secagg_msg_fini(&c);
	proto_secagg_msg_fini(&o);
	return rc;
}
