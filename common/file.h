/*
 * Small-file I/O shared by the key files (proto/key.c), the noise secret
 * (node/secret.c) and files signaalctl writes: whole reads with a size
 * cap and a permission check, writes that survive EINTR, and making a
 * new name durable. Messages are Dutch and name the path.
 *
 * Every function returns LS_OK or a project code (ls_errno_code: LS_ENOTFOUND,
 * LS_EEXISTS, LS_EDENIED, LS_EFULL, LS_ENOMEM, LS_ELIMIT, LS_EIO) and leaves
 * errno set on failure, for a message that names the system's reason.
 */
#ifndef LS_COMMON_FILE_H
#define LS_COMMON_FILE_H

#include <stddef.h>

#include "common/err.h"

/*
 * Read the regular file at path into buf (size bytes, > 1), NUL-ended;
 * what names the content in messages ("sleutel"). With private_only, a
 * file that group or others may read is refused. Errors (Dutch, in *e):
 * LS_ENOTFOUND (no such file), LS_EIO (unreadable, not a regular file),
 * LS_EDENIED (readable by others), LS_EDECODE (size - 1 bytes or more:
 * too large to be what).
 */
int ls_file_read_small(const char *path, int private_only, const char *what,
                       char *buf, size_t size, struct ls_errinfo *e);

/*
 * Read the whole file at path into a new buffer *out (ls_malloc'd, the
 * caller's; NUL-ended after *len bytes). LS_ELIMIT (errno EFBIG) when the
 * file holds more than max bytes; *out is NULL on any failure.
 */
int ls_file_read_all(const char *path, size_t max, char **out, size_t *len);

/*
 * Write data to path so that path never holds a partial file: a
 * temporary file beside it (a name of its own, PATH.tmp.XXXXXX, so two
 * writers never share one; created 0600 and then given exactly `mode`,
 * whatever the umask) is written and fsynced, then renamed over path
 * (replace != 0) or linked to it (replace == 0: EEXIST when path exists,
 * which then is left alone: LS_EEXISTS), and the folder fsynced; the
 * temporary file is gone either way.
 */
int ls_file_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, int replace);

/*
 * The same in steps, for content written as a stream (exports, backups):
 *
 *   rc = ls_file_tmp_create(path, 0600, tmp, sizeof tmp, &fd);
 *   ... write to fd (or close it and let SQLite open tmp) ...
 *   ls_file_tmp_commit(fd, tmp, path, 0);   or   ls_file_tmp_abort(fd, tmp);
 *
 * create makes PATH.tmp.XXXXXX (its name into tmp, size bytes) with
 * exactly `mode` from the first byte; *fd is the caller's until commit or
 * abort (-1 on failure). commit fsyncs the file (fd, or tmp when fd < 0),
 * closes fd, renames or links it to path as ls_file_write_atomic does
 * and fsyncs the folder; on failure it removes tmp. abort closes fd
 * (when >= 0) and removes tmp, keeping errno.
 */
int ls_file_tmp_create(const char *path, unsigned mode, char *tmp, size_t size,
                       int *fd);
int ls_file_tmp_commit(int fd, const char *tmp, const char *path, int replace);
void ls_file_tmp_abort(int fd, const char *tmp);

/* Write len bytes to fd, retrying after EINTR and short writes. */
int ls_write_all(int fd, const void *buf, size_t len);

/* fsync the folder that holds path, so that a name just made or renamed
 * there survives a crash. */
int ls_fsync_dir_of(const char *path);

#endif
