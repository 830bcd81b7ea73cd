/*
 * libFuzzer: every sync message type through the strict decoder. What it
 * accepts must encode again to a message that decodes the same; version
 * vectors also go through the digest and the difference.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_sync_msg m, again;
	uint8_t *out, *out2, digest[32];
	size_t len, len2;

	if (proto_sync_decode(data, size, &m, NULL) != LS_OK)
		return 0;
	if (proto_sync_encode(&m, &out, &len, NULL) != LS_OK)
		abort();
	if (proto_sync_decode(out, len, &again, NULL) != LS_OK ||
	    proto_sync_encode(&again, &out2, &len2, NULL) != LS_OK ||
	    len != len2 || memcmp(out, out2, len) != 0)
		abort();
	if (m.type == LS_SYNC_VV_REP) {
		struct ls_vv_diff diff;
		proto_vv_digest(&m.vv, digest);
		if (proto_vv_diff(&m.vv, &m.vv, &diff) == LS_OK) {
			if (diff.n_wants != 0)
				abort();
			proto_vv_diff_fini(&diff);
		}
	}
	ls_free(out);
	ls_free(out2);
	proto_sync_msg_fini(&again);
	proto_sync_msg_fini(&m);
	return 0;
}
