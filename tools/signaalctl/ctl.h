/*
 * signaalctl: the contract between main.c (option parsing, dispatch table)
 * and the subcommands, one file each (cmd_NAME.c).
 *
 * A subcommand receives argv with argv[0] = its own name and the global
 * options already removed, prints Dutch text for the user, and returns one
 * of the exit codes below (documented in the README).
 */
#ifndef LS_TOOLS_CTL_H
#define LS_TOOLS_CTL_H

enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAIL = 1,      /* the operation failed (I/O, database, ...) */
	CTL_EXIT_USAGE = 2,     /* wrong command line */
	CTL_EXIT_INPUT = 3,     /* bad input data; nothing was changed */
	CTL_EXIT_NOTFOUND = 4,  /* the named node, signal, dossier ... */
	CTL_EXIT_CONFLICT = 5,  /* exists already, or not allowed now */
};

struct ctl_context {
	const char *node_dir; /* -d DIR, else $SIGNAAL_DIR, else "." */
};

typedef int (*ctl_run_fn)(const struct ctl_context *ctx, int argc,
			  char **argv);

#endif
