/*
 * Small-file I/O (common/file.h). Everything retries EINTR and closes
 * what it opened on every path.
 */
#include "common/file.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
		               "%s: %s", path, strerror(errno));
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
			               strerror(err));
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

char *ls_file_read_all(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	int err;
	if (fp == NULL)
		return NULL;
	if ((buf = ls_malloc(max + 2)) == NULL) {
		fclose(fp);
		errno = ENOMEM;
		return NULL;
	}
	*len = fread(buf, 1, max + 1, fp);
	err = ferror(fp) ? EIO : *len > max ? EFBIG : 0;
	fclose(fp);
	if (err != 0) {
		ls_free(buf);
		errno = err;
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

int ls_file_write_atomic(const char *path, const void *data, size_t len,
                         unsigned mode, int replace)
{
	char tmp[4200];
	int fd, err;
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	(void)unlink(tmp); /* a leftover of a crashed attempt */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return -1;
	if (fchmod(fd, (mode_t)mode) != 0 || ls_write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		err = errno;
		goto fail;
	}
	if (replace ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		err = errno;
		goto fail;
	}
	if (!replace)
		(void)unlink(tmp);
	(void)ls_fsync_dir_of(path); /* the data is complete either way */
	return 0;

fail:
	(void)unlink(tmp);
	errno = err;
	return -1;
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
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int ls_fsync_dir_of(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, rc, err;
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
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
		return -1;
	rc = fsync(fd);
	err = errno;
	close(fd);
	errno = err;
	return rc;
}
