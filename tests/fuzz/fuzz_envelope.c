/*
 * libFuzzer: a document envelope through the whole receiving path
 * (proto_doc_verify against the test roster), and the fork-proof
 * encoder on what it accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "tests/fixture.h"

static struct ls_roster roster;
static struct ls_trust trust;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fx_roster(&roster);
	trust.roster = &roster;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_doc d;
	struct ls_doc_info info;
	struct ls_errinfo e;
	if (proto_doc_verify(&trust, data, size, FX_NOW, &d, &info, &e) ==
	    LS_OK) {
		uint8_t *proof;
		size_t len;
		/* the same document twice is no fork */
		if (proto_fork_proof_encode(data, size, data, size, &proof,
		                            &len) != LS_EINVAL)
			abort();
		proto_doc_fini(&d);
	}
	return 0;
}
