/*
 * libFuzzer, differential: the payload decoder of this tree against the
 * one of an older revision (its library linked in with every symbol
 * renamed to old_*, see differential.sh). Both must give the same
 * verdict and error code, and what both accept must encode to the same
 * bytes. The old revision's structs may differ in layout: its document
 * lives in an opaque buffer and only its own functions touch it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "proto/doc.h"

int old_proto_doc_decode_payload(const uint8_t *data, size_t len, void *doc,
                                 struct ls_errinfo *e);
int old_proto_doc_encode_payload(const void *doc, uint8_t **out,
                                 size_t *len, struct ls_errinfo *e);
void old_proto_doc_fini(void *doc);
void old_ls_free(void *p);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* larger than any revision's struct ls_doc */
	static _Alignas(64) unsigned char old_doc[1 << 16];
	struct ls_errinfo e_new, e_old;
	struct ls_doc doc;
	uint8_t *out_new, *out_old;
	size_t len_new, len_old;

	memset(old_doc, 0, sizeof old_doc);
	int rc_new = proto_doc_decode_payload(data, size, &doc, &e_new);
	int rc_old = old_proto_doc_decode_payload(data, size, old_doc, &e_old);
	if (rc_new != rc_old) {
		fprintf(stderr, "verdicts differ: this tree %d (%s), old %d (%s)\n",
		        rc_new, e_new.msg, rc_old, e_old.msg);
		abort();
	}
	if (rc_new != LS_OK)
		return 0;
	if (proto_doc_encode_payload(&doc, &out_new, &len_new, NULL) != LS_OK ||
	    old_proto_doc_encode_payload(old_doc, &out_old, &len_old, NULL) !=
	        LS_OK)
		abort();
	if (len_new != len_old || memcmp(out_new, out_old, len_new) != 0) {
		fprintf(stderr, "accepted, but encoded differently\n");
		abort();
	}
	ls_free(out_new);
	old_ls_free(out_old);
	proto_doc_fini(&doc);
	old_proto_doc_fini(old_doc);
	return 0;
}
