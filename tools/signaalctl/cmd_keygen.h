/*
 * signaalctl keygen: create a node key or the federation key.
 */
#ifndef LS_TOOLS_CMD_KEYGEN_H
#define LS_TOOLS_CMD_KEYGEN_H

struct ctl_context;

/* The `keygen` subcommand (see ctl.h for the contract). */
int cmd_keygen(const struct ctl_context *ctx, int argc, char **argv);

#endif
