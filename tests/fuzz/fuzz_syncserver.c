/*
 * libFuzzer: a node's sync server (node_sync_handle_frame) with a real
 * store and the test roster. The first input byte chooses what the rest
 * is:
 *   even: a sync message, sealed by the harness as a good request from a
 *         member (so the fuzzer reaches the decoder, the answers from the
 *         store, and node_ingest through push_req with its envelopes);
 *   odd:  a whole frame as it came off the wire (session refusals).
 * Whatever comes in, the server must answer with a frame (a sealed reply
 * or a refusal) or a store failure, never crash, and never store a
 * document that does not verify (checked: every stored envelope verifies
 * against the roster). The clock moves a second per input, so the replay
 * guard forgets as it would in a daemon.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/log.h"
#include "node/ingest.h"
#include "node/sync.h"
#include "node/trust.h"
#include "proto/session.h"
#include "store/feed.h"
#include "tests/fixture.h"

static struct store *store;
static struct node_trust trust;
static struct node_ingest in;
static struct node_sync ns;
static struct proto_session_self *client;
static struct ls_keypair *server_kp;
static char dir[64];
static int64_t clock_now = FX_NOW;
static uint64_t counter;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void)
{
	char cmd[128];
	node_sync_fini(&ns);
	node_trust_fini(&trust);
	store_close(store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_options so = {
	    .create = 1, .synchronous = LS_SYNC_NORMAL, .busy_timeout_ms = -1};
	struct ls_keypair *fed = fx_key("federation"), *kp;
	struct ls_feed_head head = {0};
	struct ls_bytes b[2];
	struct ls_doc d;
	char path[128];
	(void)argc;
	(void)argv;
	ls_log_set_level(LS_LOG_OFF);
	snprintf(dir, sizeof dir, "%s/fuzz-syncserver.XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/signaal.db", dir);
	if (store_open(path, &so, &store, NULL) != LS_OK)
		abort();
	node_trust_init(&trust, FX_FEDERATION, fed->pk);
	node_ingest_init(&in, store, &trust);
	proto_doc_init(&d, LS_DOC_ROSTER);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_roster(&d.body.roster);
	b[0].data = fx_sign(&d, &head, FX_NOW - 86400, "federation", &b[0].len);
	proto_doc_fini(&d);
	proto_doc_init(&d, LS_DOC_POLICY);
	strcpy(d.hdr.origin, FX_FEDERATION);
	fx_policy(&d.body.policy);
	b[1].data = fx_sign(&d, &head, FX_NOW - 86400, "federation", &b[1].len);
	proto_doc_fini(&d);
	if (node_ingest_page(&in, b, 2, FX_NOW, "init", NULL, NULL, NULL) !=
	    LS_OK)
		abort();
	ls_free((void *)b[0].data);
	ls_free((void *)b[1].data);
	server_kp = fx_key("vvsg");
	if (node_sync_init(&ns, store, &in, "vvsg", server_kp, NULL) != LS_OK)
		abort();
	kp = fx_key("kortrijk");
	if (proto_session_self_new(kp, &client) != LS_OK)
		abort();
	proto_keypair_free(kp);
	proto_keypair_free(fed);
	atexit(cleanup);
	return 0;
}

static int verify_cb(void *arg, const struct store_doc_meta *m,
                     const uint8_t *env, size_t len)
{
	struct ls_trust view;
	struct ls_doc d;
	(void)arg;
	(void)m;
	node_trust_view(&trust, &view);
	memset(&d, 0, sizeof d);
	if (proto_doc_verify(&view, env, len, clock_now, &d, NULL, NULL) !=
	    LS_OK)
		abort(); /* a stored document that does not verify */
	proto_doc_fini(&d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame = NULL, *reply = NULL;
	size_t frame_len = 0, reply_len = 0;
	struct proto_session_call *call = NULL;
	uint64_t docs_before, docs_after, bytes;
	int rc;

	if (size < 1)
		return 0;
	clock_now++;
	(void)store_feed_count(store, &docs_before, &bytes);
	if ((data[0] & 1) == 0) {
		uint8_t eph[32] = {0}, nonce[LS_SESSION_NONCE_BYTES] = {0};
		counter++;
		memcpy(eph, &counter, sizeof counter);
		eph[31] = 0x40;
		memcpy(nonce, &counter, sizeof counter);
		if (proto_session_seal_request_with(
		        client, server_kp->key_id, server_kp->pk, clock_now,
		        data + 1, size - 1, eph, nonce, &frame, &frame_len,
		        &call) != LS_OK)
			return 0;
		rc = node_sync_handle_frame(&ns, clock_now, frame, frame_len,
		                            &reply, &reply_len, NULL);
	} else {
		rc = node_sync_handle_frame(&ns, clock_now, data + 1, size - 1,
		                            &reply, &reply_len, NULL);
	}
	if (rc == LS_OK && (reply == NULL || reply_len == 0))
		abort();
	if (rc == LS_OK && call != NULL) {
		uint8_t *plain = NULL;
		size_t plain_len;
		/* A sealed request gets a reply that opens for its caller. */
		if (proto_session_open_reply(call, reply, reply_len, &plain,
		                             &plain_len, NULL) != LS_OK)
			abort();
		ls_free(plain);
	}
	(void)store_feed_count(store, &docs_after, &bytes);
	if (docs_after != docs_before)
		(void)store_feed_list(store, 0, NULL, verify_cb, NULL);
	ls_free(frame);
	ls_free(reply);
	proto_session_call_free(call);
	return 0;
}
