/*
 * The subcommands of signaalctl, one file each (cmd_NAME.c), dispatched
 * from the table in main.c.
 */
#ifndef LS_TOOLS_SIGNAALCTL_COMMANDS_H
#define LS_TOOLS_SIGNAALCTL_COMMANDS_H

#include "tools/signaalctl/ctl.h"

int cmd_init(const struct ctl_context *ctx, int argc, char **argv);
int cmd_signal(const struct ctl_context *ctx, int argc, char **argv);
int cmd_dossier(const struct ctl_context *ctx, int argc, char **argv);
int cmd_purge(const struct ctl_context *ctx, int argc, char **argv);
int cmd_backup(const struct ctl_context *ctx, int argc, char **argv);
int cmd_check(const struct ctl_context *ctx, int argc, char **argv);
int cmd_taxonomy(const struct ctl_context *ctx, int argc, char **argv);
int cmd_stats(const struct ctl_context *ctx, int argc, char **argv);
int cmd_keygen(const struct ctl_context *ctx, int argc, char **argv);
int cmd_token(const struct ctl_context *ctx, int argc, char **argv);
int cmd_trends(const struct ctl_context *ctx, int argc, char **argv);
int cmd_bundle(const struct ctl_context *ctx, int argc, char **argv);
int cmd_summary(const struct ctl_context *ctx, int argc, char **argv);
int cmd_audit(const struct ctl_context *ctx, int argc, char **argv);
int cmd_federation(const struct ctl_context *ctx, int argc, char **argv);
int cmd_fork(const struct ctl_context *ctx, int argc, char **argv);
int cmd_sync(const struct ctl_context *ctx, int argc, char **argv);
int cmd_status(const struct ctl_context *ctx, int argc, char **argv);

#endif
