/*
 * Own feed: head from the store -> proto_doc_sign -> store_feed_append,
 * inside one transaction so two publishers on one store (signaald and a
 * signaalctl) cannot both take the same seq: the second one waits for the
 * write lock and then sees the new head.
 */
#include "node/feed.h"

#include "common/alloc.h"
#include "proto/envelope.h"

#include <string.h>

static int publish_in_tx(struct store *s, const struct ls_keypair *kp,
                         struct ls_doc *doc, int64_t created,
                         struct store_doc_meta *meta, struct ls_errinfo *e)
{
	struct ls_feed_head head, new_head;
	struct store_doc_meta m;
	uint8_t *envelope = NULL;
	size_t len = 0;
	int rc;

	rc = store_feed_head(s, doc->hdr.origin, &head.seq, head.hash);
	if (rc != LS_OK)
		return ls_errf(e, rc, "feed head of %s", doc->hdr.origin);
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

int node_feed_publish(struct store *s, const struct ls_keypair *kp,
                      struct ls_doc *doc, int64_t created,
                      struct store_doc_meta *meta, struct ls_errinfo *e)
{
	int rc, owned = !store_in_tx(s);

	if (owned && (rc = store_tx_begin(s)) != LS_OK)
		return ls_errf(e, rc, "cannot begin a transaction");
	rc = publish_in_tx(s, kp, doc, created, meta, e);
	if (!owned)
		return rc;
	if (rc != LS_OK) {
		store_tx_rollback(s);
		return rc;
	}
	rc = store_tx_commit(s);
	return rc == LS_OK ? LS_OK : ls_errf(e, rc, "commit failed");
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
