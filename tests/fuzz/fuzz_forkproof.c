/*
 * libFuzzer: fork proofs as a node receives them (two envelopes in an
 * array), split (the envelopes must lie inside the input) and verified
 * against the test roster.
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
	struct ls_fork_info fi;
	const uint8_t *a, *b;
	size_t a_len, b_len;
	if (proto_fork_proof_decode(data, size, &a, &a_len, &b, &b_len, NULL) ==
	        LS_OK &&
	    (a < data || a + a_len > data + size || b < data ||
	     b + b_len > data + size))
		__builtin_trap();
	(void)proto_fork_proof_verify(&trust, data, size, FX_NOW, &fi, NULL);
	return 0;
}
