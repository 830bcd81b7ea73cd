#include "node/config_file.h"

#include "common/alloc.h"
#include "common/file.h"

#include <errno.h>
#include <string.h>

int node_config_load(const char *path, struct ls_config *c,
                     struct ls_errinfo *e)
{
	char *text;
	size_t len;
	int rc = ls_file_read_all(path, LS_CONFIG_MAX_BYTES, &text, &len);

	if (rc == LS_ELIMIT)
		return ls_errf(e, LS_ECONFIG, "%s is te groot (max %d bytes)",
		               path, LS_CONFIG_MAX_BYTES);
	if (rc != LS_OK)
		return ls_errf(e, rc, "kan %s niet lezen: %s", path,
		               ls_errno_nl(errno));
	rc = ls_config_parse(text, len, c, e);
	ls_free(text);
	return rc;
}
