/*
 * A node's configuration file (signaal.ini): read it and parse it with
 * core/config.h, which does no I/O itself.
 */
#ifndef LS_NODE_CONFIG_FILE_H
#define LS_NODE_CONFIG_FILE_H

#include "common/err.h"
#include "core/config.h"

/* Read and parse the file at path into *c. LS_ENOTFOUND (no such
 * file), LS_EIO or LS_EDENIED (cannot read it), LS_ECONFIG (too large
 * or not a valid config; the line in e's message). */
int node_config_load(const char *path, struct ls_config *c,
                     struct ls_errinfo *e);

#endif
