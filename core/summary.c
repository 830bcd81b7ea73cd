#include "core/summary.h"
#include "common/alloc.h"

#include <string.h>

void ls_summary_init(struct ls_summary *s)
{
	memset(s, 0, sizeof *s);
}

void ls_summary_fini(struct ls_summary *s)
{
	for (int t = 0; t < LS_TABLE_COUNT_; t++)
		ls_free(s->tables[t].rows);
	ls_free(s->recurrence);
	memset(s, 0, sizeof *s);
}
