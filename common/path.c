#include "common/path.h"
#include "common/err.h"

#include <stdio.h>

int ls_path_join(const char *dir, const char *rel, char *out, size_t size)
{
	int n = rel[0] == '/' ? snprintf(out, size, "%s", rel)
	                      : snprintf(out, size, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			out[0] = '\0';
		return LS_ELIMIT;
	}
	return LS_OK;
}
