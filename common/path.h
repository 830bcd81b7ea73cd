/*
 * Paths inside a node directory. Config values such as `store` or
 * `web_dir` are relative to the node's directory unless they start
 * with '/'.
 */
#ifndef LS_COMMON_PATH_H
#define LS_COMMON_PATH_H

#include <stddef.h>

/* rel itself when absolute, else "dir/rel", into out[size]. LS_OK, or
 * LS_ELIMIT when it does not fit (out is then an empty string). */
int ls_path_join(const char *dir, const char *rel, char *out, size_t size);

#endif
