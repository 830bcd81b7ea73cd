/*
 * Own feed: head from the store -> proto_doc_sign -> store_feed_append,
 * inside one transaction so two publishers on one store (signaald and a
 * signaalctl) cannot both take the same seq: the second one waits for the
 * write lock and then sees the new head.
 *
 * The checked variant first asks whether the roster the node holds lets
 * its key sign the next document (PROTOCOL.md 6, "Rotation"): a document
 * signed with a closed, revoked or unlisted key would be refused by every
 * receiver and stop the node's feed there, so it is never made.
 */
#include "node/feed.h"

#include "common/alloc.h"
#include "common/text.h"
#include "proto/envelope.h"

#include <string.h>

void node_feed_key_of(const struct ls_roster *r, const char *node_id,
                      const uint8_t key_id[LS_KEY_ID_BYTES],
                      struct node_feed_key *out)
{
	struct ls_key_ref ref;

	memset(out, 0, sizeof *out);
	if (r == NULL)
		return;
	out->has_roster = 1;
	/* Listed, and as this node's key: a key of another member or of
	 * the federation signs nothing of ours (receivers: denied). */
	if (proto_roster_find_key(r, key_id, &ref) != LS_OK ||
	    ref.member == NULL || strcmp(ref.member->node_id, node_id) != 0)
		return;
	out->listed = 1;
	out->key = *ref.key;
	if (ref.revocation != NULL) {
		out->revoked = 1;
		out->revocation = *ref.revocation;
	}
	out->left = ref.member->left;
	out->has_left_seq = ref.member->has_left_seq;
	out->left_seq = ref.member->left_seq;
}

int node_feed_key_check(const struct node_feed_key *k, int64_t created,
                        uint64_t seq)
{
	struct ls_roster_member m;
	struct ls_key_ref ref;

	if (!k->has_roster)
		return LS_OK;
	if (!k->listed)
		return LS_EKEY;
	/* The receivers' own rule (proto_key_check_doc), on the copy. */
	memset(&m, 0, sizeof m);
	m.left = k->left;
	m.has_left_seq = k->has_left_seq;
	m.left_seq = k->left_seq;
	ref.key = &k->key;
	ref.member = &m;
	ref.revocation = k->revoked ? &k->revocation : NULL;
	/* An unknown position is judged by time alone. */
	return proto_key_check_doc(&ref, created, seq == 0 ? 1 : seq);
}

int64_t node_feed_key_closes(const struct node_feed_key *k)
{
	int64_t t = 0;

	if (!k->has_roster || !k->listed)
		return 0;
	t = k->key.valid_until;
	if (k->revoked && (t == 0 || k->revocation.at < t))
		t = k->revocation.at;
	if (k->left != 0 && (t == 0 || k->left < t))
		t = k->left;
	return t;
}

static int publish_in_tx(struct store *s, const struct ls_keypair *kp,
                         const struct node_feed_key *own, struct ls_doc *doc,
                         int64_t created, struct store_doc_meta *meta,
                         struct ls_errinfo *e)
{
	struct ls_feed_head head, new_head;
	struct store_doc_meta m;
	uint8_t *envelope = NULL;
	size_t len = 0;
	int rc;

	rc = store_feed_head(s, doc->hdr.origin, &head.seq, head.hash);
	if (rc != LS_OK)
		return ls_errf(e, rc, "feed head of %s", doc->hdr.origin);
	if (own != NULL &&
	    (rc = node_feed_key_check(own, created, head.seq + 1)) != LS_OK) {
		char kid[2 * LS_KEY_ID_BYTES + 1];
		ls_hex_encode(kp->key_id, LS_KEY_ID_BYTES, kid);
		return ls_errf(e, rc,
		               "the roster held does not let key %s sign %s "
		               "%llu: %s",
		               kid, doc->hdr.origin,
		               (unsigned long long)(head.seq + 1),
		               ls_errname(rc));
	}
	rc = proto_doc_sign(doc, &head, created, kp, &envelope, &len, &new_head,
	                    e);
	if (rc != LS_OK)
		return rc;
	memset(&m, 0, sizeof m);
	memcpy(m.origin, doc->hdr.origin, sizeof m.origin);
	m.seq = doc->hdr.seq;
	m.type = doc->hdr.type;
	memcpy(m.hash, new_head.hash, LS_HASH_BYTES);
	memcpy(m.prev, doc->hdr.prev, LS_HASH_BYTES);
	m.created = doc->hdr.created;
	rc = store_feed_append(s, &m, envelope, len);
	ls_free(envelope);
	if (rc != LS_OK)
		return ls_errf(e, rc, "cannot append %s %llu to its feed: %s",
		               doc->hdr.origin, (unsigned long long)m.seq,
		               ls_strerror(rc));
	if (meta != NULL)
		*meta = m;
	return LS_OK;
}

static int publish(struct store *s, const struct ls_keypair *kp,
                   const struct node_feed_key *own, struct ls_doc *doc,
                   int64_t created, struct store_doc_meta *meta,
                   struct ls_errinfo *e)
{
	int rc, owned = !store_in_tx(s);

	if (owned && (rc = store_tx_begin(s)) != LS_OK)
		return ls_errf(e, rc, "cannot begin a transaction");
	rc = publish_in_tx(s, kp, own, doc, created, meta, e);
	if (!owned)
		return rc;
	if (rc != LS_OK) {
		store_tx_rollback(s);
		return rc;
	}
	rc = store_tx_commit(s);
	return rc == LS_OK ? LS_OK : ls_errf(e, rc, "commit failed");
}

int node_feed_publish(struct store *s, const struct ls_keypair *kp,
                      struct ls_doc *doc, int64_t created,
                      struct store_doc_meta *meta, struct ls_errinfo *e)
{
	return publish(s, kp, NULL, doc, created, meta, e);
}

int node_feed_publish_checked(struct store *s, const struct ls_keypair *kp,
                              const struct node_feed_key *own,
                              struct ls_doc *doc, int64_t created,
                              struct store_doc_meta *meta, struct ls_errinfo *e)
{
	if (own == NULL) /* the check is not optional here */
		return ls_errf(e, LS_EINVAL, "no own key to check against");
	return publish(s, kp, own, doc, created, meta, e);
}

int node_feed_signer(struct store *s, const char *origin,
                     uint8_t key_id[LS_KEY_ID_BYTES])
{
	struct ls_envelope env;
	uint8_t hash[LS_HASH_BYTES], *envelope = NULL;
	uint64_t seq = 0;
	size_t len = 0;
	int rc;

	if ((rc = store_feed_head(s, origin, &seq, hash)) != LS_OK)
		return rc;
	if (seq == 0)
		return LS_ENOTFOUND;
	if ((rc = store_feed_get(s, origin, seq, NULL, &envelope, &len)) !=
	    LS_OK)
		return rc;
	rc = proto_envelope_decode(envelope, len, &env, NULL);
	if (rc == LS_OK)
		memcpy(key_id, env.key_id, LS_KEY_ID_BYTES);
	ls_free(envelope);
	return rc;
}

int node_feed_decode(const uint8_t *envelope, size_t len, struct ls_doc *out,
                     struct ls_errinfo *e)
{
	struct ls_envelope env;
	int rc = proto_envelope_decode(envelope, len, &env, e);
	if (rc != LS_OK)
		return rc;
	return proto_doc_decode_payload(env.payload, env.payload_len, out, e);
}

int node_feed_read(struct store *s, const char *origin, uint64_t seq,
                   struct ls_doc *out, struct ls_errinfo *e)
{
	uint8_t *envelope;
	size_t len;
	int rc = store_feed_get(s, origin, seq, NULL, &envelope, &len);
	if (rc != LS_OK)
		return ls_errf(e, rc, "document %s %llu: %s", origin,
		               (unsigned long long)seq, ls_strerror(rc));
	rc = node_feed_decode(envelope, len, out, e);
	ls_free(envelope);
	return rc;
}
