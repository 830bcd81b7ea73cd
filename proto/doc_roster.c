/*
 * Roster body codec, key lookup and key validity.
 *
 * Decoding reads the members (each with its keys and endpoints, counts
 * checked against limits and bytes left before allocation), the federation
 * keys and the revocations, then runs the same validation as the encoder
 * and builds the key-id index used by verification and sessions.
 *
 * Validity of a key for a document is judged at the document's creation
 * time and feed position, never at the time of checking: that is what
 * keeps old documents valid after a key is rotated out. A revocation cuts
 * both by time and by position (after_seq), because a thief with the key
 * can backdate a creation time but cannot take a feed position that is
 * already taken without producing a fork.
 */
#include "proto/body.h"
#include "proto/field.h"

#include "common/alloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { K_FEDERATION = 0, K_FED_KEYS = 1, K_MEMBERS = 2, K_REVOCATIONS = 3 };
#define ROSTER_REQUIRED 0xfu
enum {
	M_NODE_ID = 0,
	M_NAME = 1,
	M_ROLE = 2,
	M_KEYS = 3,
	M_ENDPOINTS = 4,
	M_LEFT = 5,
	M_LEFT_SEQ = 6, /* optional */
};
#define MEMBER_REQUIRED 0x3fu

/* Smallest encodings, for count checks before allocation. */
#define KEY_MIN 47        /* fixarray, bin8 8, bin8 32, two fixints */
#define MEMBER_MIN 60     /* fixmap of 6 with the smallest values */
#define REVOCATION_MIN 14 /* fixarray, bin8 8, fixint, fixint, fixstr */
#define ENDPOINT_MIN 9    /* "tcp://h:1" */

/* Validation. */

static int key_valid(const struct ls_roster_key *k)
{
	uint8_t id[LS_KEY_ID_BYTES], x[crypto_scalarmult_curve25519_BYTES];
	proto_key_id(k->pk, id);
	if (memcmp(id, k->key_id, LS_KEY_ID_BYTES) != 0)
		return 0;
	if (k->valid_from < 0 || k->valid_from >= LS_TIME_MAX)
		return 0;
	if (k->valid_until != 0 &&
	    (k->valid_until <= k->valid_from || k->valid_until > LS_TIME_MAX))
		return 0;
	/* A key must be a usable Ed25519 point, and convertible for the
	 * session key exchange. */
	if (crypto_core_ed25519_is_valid_point(k->pk) != 1 ||
	    crypto_sign_ed25519_pk_to_curve25519(x, k->pk) != 0)
		return 0;
	return 1;
}

static int keys_valid(const struct ls_roster_key *keys, size_t n,
                      const char *who, struct ls_errinfo *e)
{
	if (n < 1 || n > LS_ROSTER_MAX_KEYS || keys == NULL)
		return ls_errf(e, LS_EINVAL, "roster: %s: needs 1..%d keys",
		               who, LS_ROSTER_MAX_KEYS);
	for (size_t i = 0; i < n; i++)
		if (!key_valid(&keys[i]))
			return ls_errf(e, LS_EINVAL,
			               "roster: %s: key %zu is invalid (id, "
			               "point or validity window)",
			               who, i);
	return LS_OK;
}

static int member_valid(const struct ls_roster_member *m, size_t i,
                        struct ls_errinfo *e)
{
	char who[LS_NODE_ID_SIZE + 16];
	size_t id_len = strnlen(m->node_id, sizeof m->node_id);
	size_t name_len = strnlen(m->name, sizeof m->name);
	int rc;

	if (!proto_field_node_id_valid(m->node_id, id_len))
		return ls_errf(e, LS_EINVAL, "roster: member %zu: bad node id",
		               i);
	snprintf(who, sizeof who, "member %s", m->node_id);
	if (name_len < 1 || name_len > LS_NAME_MAX ||
	    !proto_field_text_valid(m->name, name_len))
		return ls_errf(e, LS_EINVAL, "roster: %s: bad name", who);
	if (m->role != LS_ROLE_MUNICIPALITY && m->role != LS_ROLE_AGGREGATOR)
		return ls_errf(e, LS_EINVAL, "roster: %s: unknown role %u", who,
		               m->role);
	if (m->left != 0 && (m->left < LS_TIME_MIN || m->left >= LS_TIME_MAX))
		return ls_errf(e, LS_EINVAL, "roster: %s: bad left time", who);
	if (m->has_left_seq && (m->left == 0 || m->left_seq > LS_SEQ_MAX))
		return ls_errf(e, LS_EINVAL,
		               "roster: %s: left_seq without a left time", who);
	rc = keys_valid(m->keys, m->n_keys, who, e);
	if (rc != LS_OK)
		return rc;
	if (m->n_endpoints > LS_ROSTER_MAX_ENDPOINTS ||
	    (m->n_endpoints > 0 && m->endpoints == NULL))
		return ls_errf(e, LS_EINVAL, "roster: %s: too many endpoints",
		               who);
	for (size_t j = 0; j < m->n_endpoints; j++)
		if (!ls_endpoint_valid(
		        m->endpoints[j],
		        strnlen(m->endpoints[j], LS_ENDPOINT_MAX + 1)))
			return ls_errf(e, LS_EINVAL,
			               "roster: %s: bad endpoint %zu", who, j);
	return LS_OK;
}

static int keyref_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ls_roster_keyref *)a)->key_id,
	              ((const struct ls_roster_keyref *)b)->key_id,
	              LS_KEY_ID_BYTES);
}

/* A sorted index of every key; LS_EINVAL on a duplicate key id. */
static int index_build(const struct ls_roster *r, struct ls_roster_keyref **out,
                       size_t *n_out)
{
	struct ls_roster_keyref *idx;
	size_t n = r->n_fed_keys, k = 0;
	for (size_t i = 0; i < r->n_members; i++)
		n += r->members[i].n_keys;
	idx = ls_calloc(n, sizeof *idx);
	if (idx == NULL)
		return LS_ENOMEM;
	for (size_t j = 0; j < r->n_fed_keys; j++, k++) {
		memcpy(idx[k].key_id, r->fed_keys[j].key_id, LS_KEY_ID_BYTES);
		idx[k].member = -1;
		idx[k].key = (uint32_t)j;
	}
	for (size_t i = 0; i < r->n_members; i++)
		for (size_t j = 0; j < r->members[i].n_keys; j++, k++) {
			memcpy(idx[k].key_id, r->members[i].keys[j].key_id,
			       LS_KEY_ID_BYTES);
			idx[k].member = (int32_t)i;
			idx[k].key = (uint32_t)j;
		}
	qsort(idx, n, sizeof *idx, keyref_cmp);
	for (size_t i = 1; i < n; i++)
		if (keyref_cmp(&idx[i - 1], &idx[i]) == 0) {
			ls_free(idx);
			return LS_EINVAL;
		}
	*out = idx;
	*n_out = n;
	return LS_OK;
}

static int keyref_find(const struct ls_roster_keyref *idx, size_t n,
                       const uint8_t key_id[LS_KEY_ID_BYTES])
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(idx[mid].key_id, key_id, LS_KEY_ID_BYTES);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Everything but key-id uniqueness and revoked keys being listed, which
 * need the index. */
static int roster_validate_fields(const struct ls_roster *r,
                                  struct ls_errinfo *e)
{
	int rc;
	if (!proto_field_node_id_valid(r->federation,
	                               strnlen(r->federation, LS_NODE_ID_SIZE)))
		return ls_errf(e, LS_EINVAL, "roster: bad federation id");
	rc = keys_valid(r->fed_keys, r->n_fed_keys, "federation", e);
	if (rc != LS_OK)
		return rc;
	if (r->n_members > LS_ROSTER_MAX_MEMBERS ||
	    (r->n_members > 0 && r->members == NULL))
		return ls_errf(e, LS_EINVAL, "roster: too many members");
	for (size_t i = 0; i < r->n_members; i++) {
		rc = member_valid(&r->members[i], i, e);
		if (rc != LS_OK)
			return rc;
		if (i > 0 && strcmp(r->members[i - 1].node_id,
		                    r->members[i].node_id) >= 0)
			return ls_errf(
			    e, LS_EINVAL,
			    "roster: members not sorted and unique at "
			    "%s",
			    r->members[i].node_id);
		if (strcmp(r->members[i].node_id, r->federation) == 0)
			return ls_errf(e, LS_EINVAL,
			               "roster: member %s has the federation's "
			               "id",
			               r->federation);
	}
	if (r->n_revocations > LS_ROSTER_MAX_REVOCATIONS ||
	    (r->n_revocations > 0 && r->revocations == NULL))
		return ls_errf(e, LS_EINVAL, "roster: too many revocations");
	for (size_t i = 0; i < r->n_revocations; i++) {
		const struct ls_roster_revocation *v = &r->revocations[i];
		size_t rlen = strnlen(v->reason, LS_CODE_SIZE);
		if (i > 0 && memcmp(r->revocations[i - 1].key_id, v->key_id,
		                    LS_KEY_ID_BYTES) >= 0)
			return ls_errf(e, LS_EINVAL,
			               "roster: revocations not sorted and "
			               "unique at %zu",
			               i);
		if (v->at < 0 || v->at >= LS_TIME_MAX ||
		    v->after_seq > LS_SEQ_MAX ||
		    (rlen > 0 && !proto_field_code_valid(v->reason, rlen)))
			return ls_errf(e, LS_EINVAL,
			               "roster: revocation %zu out of range",
			               i);
	}
	return LS_OK;
}

static int revocations_listed(const struct ls_roster *r,
                              const struct ls_roster_keyref *idx, size_t n,
                              struct ls_errinfo *e)
{
	for (size_t i = 0; i < r->n_revocations; i++)
		if (keyref_find(idx, n, r->revocations[i].key_id) < 0)
			return ls_errf(e, LS_EINVAL,
			               "roster: revocation %zu names a key the "
			               "roster does not list",
			               i);
	return LS_OK;
}

int proto_roster_validate(const struct ls_roster *r, struct ls_errinfo *e)
{
	struct ls_roster_keyref *idx;
	size_t n;
	int rc = roster_validate_fields(r, e);
	if (rc != LS_OK)
		return rc;
	rc = index_build(r, &idx, &n);
	if (rc == LS_EINVAL)
		return ls_errf(e, rc, "roster: a key id is listed twice");
	if (rc != LS_OK)
		return ls_errf(e, rc, "roster: no memory for the key index");
	rc = revocations_listed(r, idx, n, e);
	ls_free(idx);
	return rc;
}

int proto_roster_index(struct ls_roster *r)
{
	struct ls_roster_keyref *idx;
	size_t n;
	int rc = index_build(r, &idx, &n);
	if (rc != LS_OK)
		return rc;
	ls_free(r->index);
	r->index = idx;
	r->n_index = n;
	return LS_OK;
}

void proto_roster_fini(struct ls_roster *r)
{
	for (size_t i = 0; r->members != NULL && i < r->n_members; i++) {
		ls_free(r->members[i].keys);
		ls_free(r->members[i].endpoints);
	}
	ls_free(r->members);
	ls_free(r->fed_keys);
	ls_free(r->revocations);
	ls_free(r->index);
	memset(r, 0, sizeof *r);
}

/* Lookup. */

static const struct ls_roster_revocation *
revocation_find(const struct ls_roster *r, const uint8_t *key_id)
{
	size_t lo = 0, hi = r->n_revocations;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c =
		    memcmp(r->revocations[mid].key_id, key_id, LS_KEY_ID_BYTES);
		if (c == 0)
			return &r->revocations[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void ref_fill(const struct ls_roster *r, int32_t member, uint32_t key,
                     struct ls_key_ref *out)
{
	if (member < 0) {
		out->member = NULL;
		out->key = &r->fed_keys[key];
	} else {
		out->member = &r->members[member];
		out->key = &r->members[member].keys[key];
	}
	out->revocation = revocation_find(r, out->key->key_id);
}

int proto_roster_find_key(const struct ls_roster *r,
                          const uint8_t key_id[LS_KEY_ID_BYTES],
                          struct ls_key_ref *out)
{
	if (r->index != NULL) {
		int i = keyref_find(r->index, r->n_index, key_id);
		if (i < 0)
			return LS_EKEY;
		ref_fill(r, r->index[i].member, r->index[i].key, out);
		return LS_OK;
	}
	/* A roster built by hand and not indexed: scan. */
	for (size_t j = 0; j < r->n_fed_keys; j++)
		if (memcmp(r->fed_keys[j].key_id, key_id, LS_KEY_ID_BYTES) ==
		    0) {
			ref_fill(r, -1, (uint32_t)j, out);
			return LS_OK;
		}
	for (size_t i = 0; i < r->n_members; i++)
		for (size_t j = 0; j < r->members[i].n_keys; j++)
			if (memcmp(r->members[i].keys[j].key_id, key_id,
			           LS_KEY_ID_BYTES) == 0) {
				ref_fill(r, (int32_t)i, (uint32_t)j, out);
				return LS_OK;
			}
	return LS_EKEY;
}

const struct ls_roster_member *
proto_roster_find_member(const struct ls_roster *r, const char *node_id)
{
	size_t lo = 0, hi = r->n_members;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->members[mid].node_id, node_id);
		if (c == 0)
			return &r->members[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int in_window(const struct ls_roster_key *k, int64_t t)
{
	return t >= k->valid_from &&
	       (k->valid_until == 0 || t < k->valid_until);
}

int proto_key_check_doc(const struct ls_key_ref *k, int64_t created,
                        uint64_t seq)
{
	if (!in_window(k->key, created))
		return LS_EEXPIRED;
	if (k->revocation != NULL &&
	    (created >= k->revocation->at || seq > k->revocation->after_seq))
		return LS_EREVOKED;
	if (k->member != NULL && k->member->left != 0 &&
	    created >= k->member->left)
		return LS_EREVOKED;
	if (k->member != NULL && k->member->has_left_seq &&
	    seq > k->member->left_seq)
		return LS_EREVOKED;
	return LS_OK;
}

int proto_key_check_session(const struct ls_key_ref *k, int64_t now)
{
	if (k->member == NULL)
		return LS_EDENIED;
	if (!in_window(k->key, now))
		return LS_EEXPIRED;
	if (k->revocation != NULL && now >= k->revocation->at)
		return LS_EREVOKED;
	if (k->member->left != 0 && now >= k->member->left)
		return LS_EREVOKED;
	return LS_OK;
}

const struct ls_roster_key *
proto_roster_member_key(const struct ls_roster *r,
                        const struct ls_roster_member *m, int64_t now)
{
	const struct ls_roster_key *best = NULL;
	for (size_t i = 0; i < m->n_keys; i++) {
		struct ls_key_ref ref = {.key = &m->keys[i], .member = m};
		ref.revocation = revocation_find(r, m->keys[i].key_id);
		if (proto_key_check_session(&ref, now) != LS_OK)
			continue;
		if (best == NULL || m->keys[i].valid_from > best->valid_from)
			best = &m->keys[i];
	}
	return best;
}

/* Successor rule. */

static int key_kept(const struct ls_roster_key *old,
                    const struct ls_roster_key *now, int64_t created)
{
	if (memcmp(old->pk, now->pk, LS_PUBKEY_BYTES) != 0 ||
	    old->valid_from != now->valid_from)
		return 0;
	if (old->valid_until == now->valid_until)
		return 1;
	/* A window may only be closed, and not in the past. */
	return old->valid_until == 0 && now->valid_until >= created;
}

/* One member of the roster in force, against the new roster: present,
 * the same role, its departure unchanged (or newly set, not in the
 * past), every key kept. */
static int member_kept(const struct ls_roster_member *om,
                       const struct ls_roster *next, int64_t created,
                       struct ls_errinfo *e)
{
	const struct ls_roster_member *nm =
	    proto_roster_find_member(next, om->node_id);
	if (nm == NULL)
		return ls_errf(e, LS_EINVAL,
		               "roster: member %s dropped (set its left time "
		               "instead)",
		               om->node_id);
	/* Documents are verified against the latest roster, so a role
	 * change would turn what the member authored under its old role
	 * (summaries, federation summaries) denied for receivers that meet
	 * it later, and not for the others. */
	if (nm->role != om->role)
		return ls_errf(e, LS_EINVAL, "roster: member %s: role changed",
		               om->node_id);
	if (om->left != 0 && nm->left != om->left)
		return ls_errf(e, LS_EINVAL,
		               "roster: member %s: left time changed",
		               om->node_id);
	if (om->has_left_seq &&
	    (!nm->has_left_seq || nm->left_seq != om->left_seq))
		return ls_errf(e, LS_EINVAL,
		               "roster: member %s: left_seq changed",
		               om->node_id);
	if (om->left == 0 && nm->left != 0 && nm->left < created)
		return ls_errf(e, LS_EINVAL,
		               "roster: member %s: left in the past",
		               om->node_id);
	for (size_t j = 0; j < om->n_keys; j++) {
		struct ls_key_ref ref;
		if (proto_roster_find_key(next, om->keys[j].key_id, &ref) !=
		        LS_OK ||
		    ref.member == NULL ||
		    strcmp(ref.member->node_id, om->node_id) != 0 ||
		    !key_kept(&om->keys[j], ref.key, created))
			return ls_errf(e, LS_EINVAL,
			               "roster: member %s: key %zu dropped or "
			               "changed",
			               om->node_id, j);
	}
	return LS_OK;
}

int proto_roster_check_successor(const struct ls_roster *prev,
                                 const struct ls_roster *next, int64_t created,
                                 struct ls_errinfo *e)
{
	int rc;
	if (strcmp(prev->federation, next->federation) != 0)
		return ls_errf(e, LS_EINVAL, "roster: federation id changed");
	for (size_t i = 0; i < prev->n_fed_keys; i++) {
		const struct ls_roster_key *old = &prev->fed_keys[i];
		struct ls_key_ref ref;
		if (proto_roster_find_key(next, old->key_id, &ref) != LS_OK ||
		    ref.member != NULL || !key_kept(old, ref.key, created))
			return ls_errf(e, LS_EINVAL,
			               "roster: federation key %zu dropped or "
			               "changed",
			               i);
	}
	for (size_t i = 0; i < prev->n_members; i++)
		if ((rc = member_kept(&prev->members[i], next, created, e)) !=
		    LS_OK)
			return rc;
	for (size_t i = 0; i < prev->n_revocations; i++) {
		const struct ls_roster_revocation *ov = &prev->revocations[i];
		const struct ls_roster_revocation *nv =
		    revocation_find(next, ov->key_id);
		if (nv == NULL || nv->at > ov->at ||
		    nv->after_seq > ov->after_seq)
			return ls_errf(e, LS_EINVAL,
			               "roster: revocation %zu withdrawn or "
			               "weakened",
			               i);
	}
	return LS_OK;
}

/* Encoding. */

static void key_write(struct mp_writer *w, const struct ls_roster_key *k)
{
	proto_mp_write_array(w, 4);
	proto_mp_write_bin(w, k->key_id, LS_KEY_ID_BYTES);
	proto_mp_write_bin(w, k->pk, LS_PUBKEY_BYTES);
	proto_mp_write_int(w, k->valid_from);
	proto_mp_write_int(w, k->valid_until);
}

static void roster_encode(struct mp_writer *w, const struct ls_doc *d)
{
	const struct ls_roster *r = &d->body.roster;
	proto_mp_write_map(w, 4);
	proto_mp_write_uint(w, K_FEDERATION);
	proto_mp_write_cstr(w, r->federation);
	proto_mp_write_uint(w, K_FED_KEYS);
	proto_mp_write_array(w, (uint32_t)r->n_fed_keys);
	for (size_t i = 0; i < r->n_fed_keys; i++)
		key_write(w, &r->fed_keys[i]);
	proto_mp_write_uint(w, K_MEMBERS);
	proto_mp_write_array(w, (uint32_t)r->n_members);
	for (size_t i = 0; i < r->n_members; i++) {
		const struct ls_roster_member *m = &r->members[i];
		proto_mp_write_map(w, m->has_left_seq ? 7 : 6);
		proto_mp_write_uint(w, M_NODE_ID);
		proto_mp_write_cstr(w, m->node_id);
		proto_mp_write_uint(w, M_NAME);
		proto_mp_write_cstr(w, m->name);
		proto_mp_write_uint(w, M_ROLE);
		proto_mp_write_uint(w, m->role);
		proto_mp_write_uint(w, M_KEYS);
		proto_mp_write_array(w, (uint32_t)m->n_keys);
		for (size_t j = 0; j < m->n_keys; j++)
			key_write(w, &m->keys[j]);
		proto_mp_write_uint(w, M_ENDPOINTS);
		proto_mp_write_array(w, (uint32_t)m->n_endpoints);
		for (size_t j = 0; j < m->n_endpoints; j++)
			proto_mp_write_cstr(w, m->endpoints[j]);
		proto_mp_write_uint(w, M_LEFT);
		proto_mp_write_int(w, m->left);
		if (m->has_left_seq) {
			proto_mp_write_uint(w, M_LEFT_SEQ);
			proto_mp_write_uint(w, m->left_seq);
		}
	}
	proto_mp_write_uint(w, K_REVOCATIONS);
	proto_mp_write_array(w, (uint32_t)r->n_revocations);
	for (size_t i = 0; i < r->n_revocations; i++) {
		const struct ls_roster_revocation *v = &r->revocations[i];
		proto_mp_write_array(w, 4);
		proto_mp_write_bin(w, v->key_id, LS_KEY_ID_BYTES);
		proto_mp_write_int(w, v->at);
		proto_mp_write_uint(w, v->after_seq);
		proto_mp_write_cstr(w, v->reason);
	}
}

/* Decoding. */

static int key_read(struct mp_reader *r, struct ls_roster_key *k,
                    struct ls_errinfo *e, const char *who, uint32_t i)
{
	const uint8_t *b;
	FIELD_TRY(proto_mp_read_array_exact(r, 4), "roster: %s key %u", who, i);
	FIELD_TRY(proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &b),
	          "roster: %s key %u id", who, i);
	memcpy(k->key_id, b, LS_KEY_ID_BYTES);
	FIELD_TRY(proto_mp_read_bin_exact(r, LS_PUBKEY_BYTES, &b),
	          "roster: %s key %u public key", who, i);
	memcpy(k->pk, b, LS_PUBKEY_BYTES);
	FIELD_TRY(proto_mp_read_int(r, 0, LS_TIME_MAX, &k->valid_from),
	          "roster: %s key %u valid_from", who, i);
	FIELD_TRY(proto_mp_read_int(r, 0, LS_TIME_MAX, &k->valid_until),
	          "roster: %s key %u valid_until", who, i);
	return LS_OK;
}

static int keys_read(struct mp_reader *r, struct ls_roster_key **keys,
                     size_t *n_keys, const char *who, struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_ROSTER_MAX_KEYS, KEY_MIN, &n),
	          "roster: %s keys", who);
	if (n == 0)
		return proto_field_err(e, LS_EDECODE, r,
		                       "roster: %s has no key", who);
	*keys = ls_calloc(n, sizeof **keys);
	if (*keys == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "roster: %s keys", who);
	*n_keys = n;
	for (uint32_t i = 0; i < n; i++) {
		int rc = key_read(r, &(*keys)[i], e, who, i);
		if (rc != LS_OK)
			return rc;
	}
	return LS_OK;
}

static int endpoints_read(struct mp_reader *r, struct ls_roster_member *m,
                          struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(
	    proto_mp_read_array(r, LS_ROSTER_MAX_ENDPOINTS, ENDPOINT_MIN, &n),
	    "roster: member %s endpoints", m->node_id);
	if (n == 0)
		return LS_OK;
	m->endpoints = ls_calloc(n, sizeof *m->endpoints);
	if (m->endpoints == NULL)
		return proto_field_err(
		    e, LS_ENOMEM, r, "roster: member %s endpoints", m->node_id);
	m->n_endpoints = n;
	for (uint32_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		FIELD_TRY(proto_mp_read_str(r, LS_ENDPOINT_MAX, &s, &len),
		          "roster: member %s endpoint %u", m->node_id, i);
		if (!ls_endpoint_valid(s, len))
			return proto_field_err(
			    e, LS_EDECODE, r,
			    "roster: member %s endpoint %u: not "
			    "tcp://host:port",
			    m->node_id, i);
		memcpy(m->endpoints[i], s, len);
		m->endpoints[i][len] = '\0';
	}
	return LS_OK;
}

static int member_read(struct mp_reader *r, struct ls_roster_member *m,
                       uint32_t idx, struct ls_errinfo *e)
{
	struct mp_map map;
	int key, rc;
	uint32_t role;

	FIELD_TRY(proto_mp_map_begin(r, &map, MP_KEY_MAX + 1),
	          "roster: member %u", idx);
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &map, &key),
		          "roster: member %u key", idx);
		if (key < 0)
			break;
		rc = LS_OK;
		switch (key) {
		case M_NODE_ID:
			FIELD_TRY(proto_field_read_node_id(r, m->node_id),
			          "roster: member %u node id", idx);
			break;
		case M_NAME:
			FIELD_TRY(
			    proto_field_read_text(r, m->name, 1, LS_NAME_MAX),
			    "roster: member %u name", idx);
			break;
		case M_ROLE:
			FIELD_TRY(proto_mp_read_u32(r, LS_ROLE_MUNICIPALITY,
			                            LS_ROLE_AGGREGATOR, &role),
			          "roster: member %u role", idx);
			m->role = (uint8_t)role;
			break;
		case M_KEYS:
			rc =
			    keys_read(r, &m->keys, &m->n_keys,
			              m->node_id[0] ? m->node_id : "member", e);
			break;
		case M_ENDPOINTS:
			rc = endpoints_read(r, m, e);
			break;
		case M_LEFT:
			FIELD_TRY(
			    proto_mp_read_int(r, 0, LS_TIME_MAX, &m->left),
			    "roster: member %u left", idx);
			break;
		case M_LEFT_SEQ:
			FIELD_TRY(
			    proto_mp_read_uint(r, 0, LS_SEQ_MAX, &m->left_seq),
			    "roster: member %u left_seq", idx);
			m->has_left_seq = 1;
			break;
		default:
			rc = proto_field_unknown(e, r, key, "roster: member");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	return proto_field_map_done(e, r, &map, MEMBER_REQUIRED,
	                            "roster: member");
}

static int members_read(struct mp_reader *r, struct ls_roster *ro,
                        struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_ROSTER_MAX_MEMBERS, MEMBER_MIN, &n),
	          "roster: members");
	if (n == 0)
		return LS_OK;
	ro->members = ls_calloc(n, sizeof *ro->members);
	if (ro->members == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "roster: members");
	ro->n_members = n;
	for (uint32_t i = 0; i < n; i++) {
		int rc = member_read(r, &ro->members[i], i, e);
		if (rc != LS_OK)
			return rc;
	}
	return LS_OK;
}

static int revocations_read(struct mp_reader *r, struct ls_roster *ro,
                            struct ls_errinfo *e)
{
	uint32_t n;
	FIELD_TRY(proto_mp_read_array(r, LS_ROSTER_MAX_REVOCATIONS,
	                              REVOCATION_MIN, &n),
	          "roster: revocations");
	if (n == 0)
		return LS_OK;
	ro->revocations = ls_calloc(n, sizeof *ro->revocations);
	if (ro->revocations == NULL)
		return proto_field_err(e, LS_ENOMEM, r, "roster: revocations");
	ro->n_revocations = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ls_roster_revocation *v = &ro->revocations[i];
		const uint8_t *b;
		FIELD_TRY(proto_mp_read_array_exact(r, 4),
		          "roster: revocation %u", i);
		FIELD_TRY(proto_mp_read_bin_exact(r, LS_KEY_ID_BYTES, &b),
		          "roster: revocation %u key id", i);
		memcpy(v->key_id, b, LS_KEY_ID_BYTES);
		FIELD_TRY(proto_mp_read_int(r, 0, LS_TIME_MAX, &v->at),
		          "roster: revocation %u at", i);
		FIELD_TRY(proto_mp_read_uint(r, 0, LS_SEQ_MAX, &v->after_seq),
		          "roster: revocation %u after_seq", i);
		FIELD_TRY(proto_field_read_code(r, v->reason, 1),
		          "roster: revocation %u reason", i);
	}
	return LS_OK;
}

static int roster_validate(const struct ls_doc *d, struct ls_errinfo *e)
{
	if (strcmp(d->body.roster.federation, d->hdr.origin) != 0)
		return ls_errf(e, LS_EINVAL,
		               "roster: the document's origin must be the "
		               "federation id");
	return proto_roster_validate(&d->body.roster, e);
}

static int roster_decode(struct mp_reader *r, struct ls_doc *d,
                         struct ls_errinfo *e)
{
	struct ls_roster *ro = &d->body.roster;
	struct mp_map m;
	int key, rc;

	FIELD_TRY(proto_mp_map_begin(r, &m, MP_KEY_MAX + 1), "roster");
	for (;;) {
		FIELD_TRY(proto_mp_map_key(r, &m, &key), "roster: key");
		if (key < 0)
			break;
		rc = LS_OK;
		switch (key) {
		case K_FEDERATION:
			FIELD_TRY(proto_field_read_node_id(r, ro->federation),
			          "roster: federation");
			break;
		case K_FED_KEYS:
			rc = keys_read(r, &ro->fed_keys, &ro->n_fed_keys,
			               "federation", e);
			break;
		case K_MEMBERS:
			rc = members_read(r, ro, e);
			break;
		case K_REVOCATIONS:
			rc = revocations_read(r, ro, e);
			break;
		default:
			rc = proto_field_unknown(e, r, key, "roster");
			break;
		}
		if (rc != LS_OK)
			return rc;
	}
	rc = proto_field_map_done(e, r, &m, ROSTER_REQUIRED, "roster");
	if (rc != LS_OK)
		return rc;
	if (strcmp(ro->federation, d->hdr.origin) != 0)
		return ls_errf(e, LS_EDECODE,
		               "roster: the document's origin must be the "
		               "federation id");
	rc = roster_validate_fields(ro, e);
	if (rc != LS_OK)
		return proto_field_invalid(e, rc);
	rc = proto_roster_index(ro);
	if (rc == LS_EINVAL)
		return ls_errf(e, LS_EDECODE,
		               "roster: a key id is listed twice");
	if (rc != LS_OK)
		return ls_errf(e, rc, "roster: key index");
	rc = revocations_listed(ro, ro->index, ro->n_index, e);
	return proto_field_invalid(e, rc);
}

static void roster_fini(struct ls_doc *d)
{
	proto_roster_fini(&d->body.roster);
}

const struct proto_body_codec proto_body_roster = {
    .type = LS_DOC_ROSTER,
    .name = "roster",
    .authors = PROTO_AUTHOR_FEDERATION,
    .validate = roster_validate,
    .encode = roster_encode,
    .decode = roster_decode,
    .fini = roster_fini,
};
