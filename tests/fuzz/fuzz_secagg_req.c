/*
 * libFuzzer: secure-aggregation requests and replies in the sync session
 * (proto/secagg_req.h) through the strict decoder. What it accepts must
 * encode again to bytes that decode the same; proto_secagg_req_is must
 * agree with the decoder on every input the decoder accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/secagg_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const struct ls_bytes *a, const struct ls_bytes *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_secagg_req q, again;
	uint8_t *out;
	size_t len;

	if (proto_secagg_req_decode(data, size, &q, NULL) != LS_OK)
		return 0;
	if (!proto_secagg_req_is(data, size))
		abort();
	if (proto_secagg_req_encode(&q, &out, &len, NULL) != LS_OK)
		abort();
	if (proto_secagg_req_decode(out, len, &again, NULL) != LS_OK ||
	    again.type != q.type || !same(&again.open, &q.open) ||
	    !same(&again.keyset, &q.keyset) || !same(&again.close, &q.close) ||
	    !same(&again.msg, &q.msg))
		abort();
	ls_free(out);
	return 0;
}
