/*
 * signaalctl: the contract between main.c (option parsing, dispatch table)
 * and the subcommands, one file each (cmd_NAME.c).
 *
 * A subcommand receives argv with argv[0] = its own name and the global
 * options already removed, prints Dutch text for the user, and returns one
 * of the exit codes below (docs/OPERATING.md, "Exit codes of signaalctl").
 */
#ifndef LS_TOOLS_CTL_H
#define LS_TOOLS_CTL_H

enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAIL = 1,     /* the operation failed (I/O, database, ...) */
	CTL_EXIT_USAGE = 2,    /* wrong command line */
	CTL_EXIT_INPUT = 3,    /* bad input data; nothing was changed */
	CTL_EXIT_NOTFOUND = 4, /* the named node, signal, dossier ... */
	CTL_EXIT_CONFLICT = 5, /* exists already, or not allowed now */
};

struct ctl_context {
	const char *node_dir; /* -d DIR, else $SIGNAAL_DIR, else "." */
};

typedef int (*ctl_run_fn)(const struct ctl_context *ctx, int argc, char **argv);

/* Everything below was added after the contract above, which stays
 * byte-for-byte as it was (other subcommands are written against it). */

#include <stddef.h>

#include "common/err.h"
#include "core/config.h"

/* --- helpers shared by the subcommands (ctl.c) --------------------- */

struct store;

/* An opened node: its config and its store. */
struct ctl_node {
	struct ls_config config;
	struct store *store;
};

/*
 * Read DIR/signaal.ini and open the store it names, through the start
 * check signaald makes (store_open_node): a missing, empty, truncated,
 * foreign or newer store is refused, the file left as it was. On failure
 * prints a Dutch message (naming the file and what to do) and returns
 * the exit code; on success CTL_EXIT_OK and the caller must
 * ctl_node_close().
 *
 * ctl_node_open: for a command that writes, with PRAGMA quick_check
 * (seconds on a store of a million signals: docs/OPERATING.md).
 * ctl_node_open_read: for a command that only reads (status, list,
 * show, export ...), with the header check (a stat and a read), raised
 * to quick_check when a WAL was left behind by a process that is gone.
 */
int ctl_node_open(const struct ctl_context *ctx, struct ctl_node *node);
int ctl_node_open_read(const struct ctl_context *ctx, struct ctl_node *node);
void ctl_node_close(struct ctl_node *node);

/* Join the node directory and a relative path into buf (absolute paths
 * are kept). Returns buf, or NULL if it does not fit. */
char *ctl_node_path(const struct ctl_context *ctx, const char *rel, char *buf,
                    size_t size);

/* The exit code for a project error code (LS_E*). */
int ctl_exit_for(int code);

/* Print "signaalctl: <message>" on stderr. */
void ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The text of an error for the operator, from a layer whose messages are
 * Dutch by design (core/ parsers, store/, node/release ...): e->msg, or the
 * Dutch description of the code when the layer left no message. code is
 * used when e->code is LS_OK. Never NULL.
 */
const char *ctl_errmsg(int code, const struct ls_errinfo *e);

/*
 * The text of an error for the operator, from a layer that speaks to
 * developers (proto/, node/trust, node/ingest, node/feed: their messages
 * are English): the Dutch description of the code, plus the part of the
 * document at fault when the message names one ("ledenregister",
 * "handtekening" ...), in a static buffer valid until the next call. The
 * English message goes to the log (SIGNAAL_LOG=info shows it), never to
 * the operator.
 */
const char *ctl_errmsg_dev(int code, const struct ls_errinfo *e);

/* Print a usage error with a hint to --help; returns CTL_EXIT_USAGE. */
int ctl_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The usage error for the option getopt_long just refused (unknown, or
 * without its value): names it, from argv[optind - 1]. getopt's own
 * English message is off (opterr = 0 in main). Returns CTL_EXIT_USAGE. */
int ctl_usage_option(const char *cmd, char **argv);

/* 1 if argv[1] is -h or --help. */
int ctl_is_help(int argc, char **argv);

/* One verb of a command with verbs ("signaalctl dossier new"). */
struct ctl_verb {
	const char *name;
	int (*run)(const struct ctl_context *ctx, int argc, char **argv);
	const char *summary; /* one Dutch line for a generated help, or NULL */
};

/*
 * Run the verb argv[1] of `command` with argv shifted by one: help (to
 * stdout for -h/--help; to stderr and CTL_EXIT_USAGE when no verb is
 * given) or a usage error naming an unknown verb. help NULL: the help is
 * made from the verbs' summaries.
 */
int ctl_run_verb(const char *command, const char *help,
                 const struct ctl_verb *verbs, size_t n,
                 const struct ctl_context *ctx, int argc, char **argv);

/* Who makes a change, for dossier histories: --door if given, else
 * $SIGNAAL_USER, else $USER, else "onbekend". */
const char *ctl_actor(const char *given);

/* A Unix time as "YYYY-MM-DD HH:MM" (UTC) into buf (>= 20 bytes). */
const char *ctl_time(long long t, char *buf, size_t size);

struct node_trust;

/* The trust in force of an opened node: the federation ([federation] id
 * and anchor of its config) and its feed in the store, verified from
 * seq 1 (node_trust_load). A node without [federation] id gets an empty
 * trust. On failure prints a Dutch message and returns the exit code;
 * on success CTL_EXIT_OK and the caller must node_trust_fini(). */
int ctl_trust_load(const struct ctl_context *ctx, struct ctl_node *node,
                   struct node_trust *t);

#endif
