/*
 * libFuzzer: a document payload (feed fields and body of any type) through
 * the strict decoder. What it accepts must encode again (encoder and
 * decoder share their rules), and decode to the same bytes a second time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_doc d, again;
	struct ls_doc_header h;
	uint8_t *out, *out2;
	size_t len, len2;

	(void)proto_doc_decode_header(data, size, &h, NULL);
	if (proto_doc_decode_payload(data, size, &d, NULL) != LS_OK)
		return 0;
	if (proto_doc_encode_payload(&d, &out, &len, NULL) != LS_OK)
		abort();
	if (proto_doc_decode_payload(out, len, &again, NULL) != LS_OK)
		abort();
	if (proto_doc_encode_payload(&again, &out2, &len2, NULL) != LS_OK ||
	    len2 != len || memcmp(out, out2, len) != 0)
		abort();
	ls_free(out);
	ls_free(out2);
	proto_doc_fini(&again);
	proto_doc_fini(&d);
	return 0;
}
