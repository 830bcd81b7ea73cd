/*
 * What `signaalctl trends` and `signaalctl bundle` share: the window and
 * municipality options, opening the node, and loading its summaries,
 * dossier notes and member names into finished trends.
 */
#ifndef LS_TOOLS_SIGNAALCTL_TRENDS_CTL_H
#define LS_TOOLS_SIGNAALCTL_TRENDS_CTL_H

#include <stddef.h>

#include "core/structural.h"
#include "core/trends.h"
#include "node/trends_load.h"
#include "tools/signaalctl/ctl.h"

#define TRENDS_CTL_MAX_ORIGINS 64

struct trends_ctl_args {
	const char *from, *to; /* "JJJJ-MM" or "JJJJ-MM+N"; NULL: default */
	const char *origins[TRENDS_CTL_MAX_ORIGINS];
	size_t n_origins;
};

/* Add a --gemeente value (checked). CTL_EXIT_OK or a usage error. */
int trends_ctl_add_origin(const char *cmd, struct trends_ctl_args *a,
                          const char *id);

struct trends_ctl {
	struct ctl_node node;
	int node_open;
	struct trends *t;
	struct structural *notes;
	struct node_names names;
	struct node_trends_report report;
};

/*
 * Open the node, choose the window (the options, else the [trends]
 * config and the latest period held), load and finish the trends, and
 * (need_notes) the dossier notes. Prints Dutch errors and warnings and
 * returns the exit code; on CTL_EXIT_OK the caller must
 * trends_ctl_close(), also after an error (it is safe on a failed load).
 */
int trends_ctl_load(const struct ctl_context *ctx, const char *cmd,
                    const struct trends_ctl_args *a, int need_notes,
                    struct trends_ctl *out);
void trends_ctl_close(struct trends_ctl *c);

/* trends_name_fn over the loaded roster names (ctx: struct trends_ctl). */
const char *trends_ctl_name(void *ctx, const char *origin);

/* Display width of UTF-8 text (code points). */
size_t trends_ctl_width(const char *s);

#endif
