/*
 * Small-file I/O shared by the key files (proto/key.c), the noise secret
 * (node/secret.c) and files signaalctl writes: whole reads with a size
 * cap and a permission check, writes that survive EINTR, and making a
 * new name durable. Messages are Dutch and name the path.
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
 * Read the whole file at path into a new buffer (ls_malloc'd, the
 * caller's; NUL-ended after *len bytes). NULL with errno set: from
 * open/read, ENOMEM, or EFBIG when the file holds more than max bytes.
 */
char *ls_file_read_all(const char *path, size_t max, size_t *len);

/*
 * Write data to path so that path never holds a partial file: a
 * temporary file beside it (exactly `mode`, whatever the umask) is
 * written and fsynced, then renamed over path (replace != 0) or linked
 * to it (replace == 0: EEXIST when path exists, which then is left
 * alone), and the folder fsynced. 0, or -1 with errno set; the temporary
 * file is gone either way.
 */
int ls_file_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, int replace);

/* Write len bytes to fd, retrying after EINTR and short writes. 0, or -1
 * with errno set. */
int ls_write_all(int fd, const void *buf, size_t len);

/* fsync the folder that holds path, so that a name just made or renamed
 * there survives a crash. 0, or -1 with errno set. */
int ls_fsync_dir_of(const char *path);

#endif
