/*
 * libFuzzer harness for the node config parser (inih underneath, with our
 * pre-checks). A parsed config must format and parse back to itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ls_config c, back;
	struct ls_errinfo e;
	static char buf[8192];
	if (ls_config_parse((const char *)data, size, &c, &e) != LS_OK) {
		if (e.code != LS_ECONFIG && e.code != LS_ENOMEM)
			__builtin_trap();
		return 0;
	}
	if (ls_config_format(&c, buf, sizeof buf) != LS_OK)
		__builtin_trap();
	if (ls_config_parse(buf, strlen(buf), &back, &e) != LS_OK)
		__builtin_trap();
	if (memcmp(&c, &back, sizeof c) != 0)
		__builtin_trap();
	return 0;
}
