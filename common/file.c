/*
 * Small-file I/O (common/file.h). Everything retries EINTR and closes
 * what it opened on every path.
 */
#include "common/file.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ls_file_read_small(const char *path, int private_only, const char *what,
                       char *buf, size_t size, struct ls_errinfo *e)
{
	struct stat st;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ls_errf(e, errno == ENOENT ? LS_ENOTFOUND : LS_EIO,
		               "%s: %s", path, ls_errno_nl(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ls_errf(e, LS_EIO, "%s: geen gewoon bestand", path);
	}
	if (private_only && (st.st_mode & 077) != 0) {
		close(fd);
		return ls_errf(e, LS_EDENIED,
		               "%s: %s leesbaar voor anderen (modus %03o); "
		               "voer chmod 600 uit",
		               path, what, (unsigned)(st.st_mode & 0777));
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			return ls_errf(e, LS_EIO, "%s: %s", path,
			               ls_errno_nl(err));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			close(fd);
			return ls_errf(e, LS_EDECODE,
			               "%s: te groot voor een %s", path, what);
		}
	}
	close(fd);
	buf[len] = '\0';
	return LS_OK;
}

/* Fail with errno's code, keeping errno for the caller's message. */
static int fail_errno(void)
{
	return ls_errno_code(errno);
}

int ls_file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	int err;

	*out = NULL;
	*len = 0;
	if (fp == NULL)
		return fail_errno();
	if (max > SIZE_MAX - 2 || (buf = ls_malloc(max + 2)) == NULL) {
		fclose(fp);
		errno = ENOMEM;
		return LS_ENOMEM;
	}
	*len = fread(buf, 1, max + 1, fp);
	err = ferror(fp) ? EIO : *len > max ? EFBIG : 0;
	fclose(fp);
	if (err != 0) {
		ls_free(buf);
		*len = 0;
		errno = err;
		return ls_errno_code(err);
	}
	buf[*len] = '\0';
	*out = buf;
	return LS_OK;
}

int ls_file_tmp_create(const char *path, unsigned mode, char *tmp, size_t size,
                       int *fd)
{
	int err;

	*fd = -1;
	if (snprintf(tmp, size, "%s.tmp.XXXXXX", path) >= (int)size) {
		errno = ENAMETOOLONG;
		return LS_ELIMIT;
	}
	/* mkstemp creates the file 0600 (never wider, whatever the
	 * umask); the mode asked for is set before any byte goes in. */
	if ((*fd = mkstemp(tmp)) < 0)
		return fail_errno();
	if (fcntl(*fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fchmod(*fd, (mode_t)mode) != 0) {
		err = errno;
		ls_file_tmp_abort(*fd, tmp);
		*fd = -1;
		errno = err;
		return ls_errno_code(err);
	}
	return LS_OK;
}

void ls_file_tmp_abort(int fd, const char *tmp)
{
	int err = errno;
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	errno = err;
}

int ls_file_tmp_commit(int fd, const char *tmp, const char *path, int replace)
{
	int err;
	if (fd < 0 && (fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	if (fsync(fd) != 0) {
		err = errno;
		close(fd);
		errno = err;
		goto fail;
	}
	if (close(fd) != 0)
		goto fail;
	if (replace ? rename(tmp, path) != 0 : link(tmp, path) != 0)
		goto fail;
	if (!replace)
		(void)unlink(tmp);
	(void)ls_fsync_dir_of(path); /* the data is complete either way */
	return LS_OK;

fail:
	ls_file_tmp_abort(-1, tmp);
	return fail_errno();
}

int ls_file_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, int replace)
{
	char tmp[4200];
	int fd, rc;

	if ((rc = ls_file_tmp_create(path, mode, tmp, sizeof tmp, &fd)) !=
	    LS_OK)
		return rc;
	if ((rc = ls_write_all(fd, data, len)) != LS_OK) {
		ls_file_tmp_abort(fd, tmp);
		return rc;
	}
	return ls_file_tmp_commit(fd, tmp, path, replace);
}

int ls_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno();
		if (n == 0) {
			errno = EIO;
			return LS_EIO;
		}
		done += (size_t)n;
	}
	return LS_OK;
}

int ls_fsync_dir_of(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, rc, err;
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return LS_ELIMIT;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno();
	rc = fsync(fd);
	err = errno;
	close(fd);
	errno = err;
	return rc == 0 ? LS_OK : ls_errno_code(err);
}
