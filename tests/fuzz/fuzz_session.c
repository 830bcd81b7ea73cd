/*
 * libFuzzer: session frames as a server receives them (requests, opened
 * as kortrijk against the test roster) and as a client receives them
 * (replies and refusals, opened for a request gent made), plus the replay
 * guard on whatever authenticates.
 */
#include <stddef.h>
#include <stdint.h>

#include "proto/replay.h"
#include "proto/session.h"
#include "tests/fixture.h"

static struct ls_roster roster;
static struct proto_session_self *kortrijk;
static struct proto_session_call *call;
static struct proto_replay *guard;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ls_keypair *k = fx_key("kortrijk"), *g = fx_key("gent");
	struct proto_session_self *gent;
	uint8_t eph[32], nonce[24], *req;
	size_t len;
	(void)argc;
	(void)argv;
	fx_roster(&roster);
	memset(eph, 1, sizeof eph);
	memset(nonce, 2, sizeof nonce);
	if (proto_session_self_new(k, &kortrijk) != LS_OK ||
	    proto_session_self_new(g, &gent) != LS_OK ||
	    proto_session_seal_request_with(gent, k->key_id, k->pk, FX_NOW,
	                                    (const uint8_t *)"x", 1, eph, nonce,
	                                    &req, &len, &call) != LS_OK ||
	    proto_replay_new(1024, 1 << 16, &guard) != LS_OK)
		abort();
	ls_free(req);
	proto_session_self_free(gent);
	proto_keypair_free(k);
	proto_keypair_free(g);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_session_request info;
	struct proto_session_reply *reply;
	uint8_t *plain;
	size_t plain_len;

	(void)proto_session_frame_kind(data, size);
	if (proto_session_open_request(kortrijk, &roster, FX_NOW, data, size,
	                               &info, &plain, &plain_len, &reply,
	                               NULL) == LS_OK) {
		const uint8_t *cached;
		size_t clen;
		int verdict;
		if (proto_replay_check(guard, &info, FX_NOW, &verdict, &cached,
		                       &clen) == LS_OK &&
		    verdict == PROTO_REPLAY_NEW)
			(void)proto_replay_remember_reply(guard, &info, data,
			                                  size);
		ls_free(plain);
		proto_session_reply_free(reply);
	}
	if (proto_session_open_reply(call, data, size, &plain, &plain_len,
	                             NULL) == LS_OK)
		ls_free(plain);
	return 0;
}
