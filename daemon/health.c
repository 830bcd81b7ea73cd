/*
 * The node's health conditions in one place: what /readyz reports and
 * what the metrics (and so the alert rules in configs/prometheus/) see.
 *
 *   damaged   the store failed PRAGMA quick_check (at start signaald
 *             refuses to run at all; while running: the check repeated
 *             every HEALTH_CHECK_INTERVAL_S and on SIGHUP on a worker
 *             thread with a connection of its own, the check before
 *             every release, or SQLite reporting damage on any query)
 *   full      a write failed for lack of space and the file system has
 *             not got room again since (or it is all but full now)
 *   read-only the store's file system is mounted read-only (statvfs
 *             ST_RDONLY): most often the kernel's errors=remount-ro
 *             after a disk error; seen at once, before a write fails
 *   no writes the store refused a write (read-only, gone, I/O error)
 *             and no commit succeeded since
 *   gone      the database file is no longer there
 *
 * The reasons are Dutch (they reach the operator through /readyz); the
 * logs say the same in English.
 */
#include "daemon/daemon.h"
#include "daemon/storejob.h"

#include "common/log.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* How often a running node checks its store (quick_check reads every
 * page: seconds for a big city's store, on a worker thread). */
#define HEALTH_CHECK_INTERVAL_S (6 * 3600)
/* Below this much free space the node counts as full. */
#define HEALTH_DISK_FLOOR_BYTES (1024.0 * 1024)
#define HEALTH_PROBE_INTERVAL_S 5
/* After a write failed for lack of space, this much must be free again
 * before the node counts as ready (room for a few transactions). */
#define HEALTH_DISK_RECOVERED_BYTES (16.0 * 1024 * 1024)

void daemon_health_init(struct daemon *d, const char *store_path)
{
	struct daemon_health *h = &d->health;
	snprintf(h->path, sizeof h->path, "%s", store_path);
	h->check_rc = LS_OK;
	h->checked_at = daemon_now();
	h->check_msg[0] = '\0';
}

static int write_health(struct daemon *d);

void daemon_health_note_check(struct daemon *d, int rc, const char *msg_nl)
{
	struct daemon_health *h = &d->health;
	h->checked_at = daemon_now();
	h->check_rc = rc;
	snprintf(h->check_msg, sizeof h->check_msg, "%s",
	         rc == LS_OK ? "" : msg_nl);
	daemon_apipool_damaged(d->http.pool,
	                       rc != LS_OK || write_health(d) == LS_ECORRUPT);
	if (rc != LS_OK)
		LS_ERROR("health", "store_check_failed",
		         "file=%s reason=%s action=\"stop signaald, keep the "
		         "directory, restore the last backup\"",
		         h->path, ls_errname(rc));
}

static void check_work_cb(uv_work_t *w)
{
	struct daemon *d = w->data;
	struct daemon_health *h = &d->health;
	ls_errinfo_clear(&h->work_e);
	h->work_rc = store_verify_path(h->path, STORE_CHECK_QUICK, &h->work_e);
}

static void check_after_cb(uv_work_t *w, int status)
{
	struct daemon *d = w->data;
	struct daemon_health *h = &d->health;
	h->checking = 0;
	if (status != 0) /* cancelled at stop */
		return;
	/* A check that could not run (busy, out of memory) says nothing
	 * about the store: keep the last verdict. */
	if (h->work_rc == LS_OK || h->work_rc == LS_ECORRUPT) {
		daemon_health_note_check(d, h->work_rc, h->work_e.msg);
	} else {
		LS_WARN("health", "store_check_skipped", "file=%s reason=%s",
		        h->path, ls_errname(h->work_rc));
	}
}

void daemon_health_check_start(struct daemon *d)
{
	struct daemon_health *h = &d->health;
	if (h->checking || d->stopping || h->path[0] == '\0')
		return;
	h->work.data = d;
	if (uv_queue_work(d->loop, &h->work, check_work_cb, check_after_cb) ==
	    0)
		h->checking = 1;
}

/* Free and total bytes of the store's file system, and whether it is
 * mounted read-only; -1 when unknown. */
static int disk_space(const struct daemon_health *h, double *avail,
                      double *size, int *read_only)
{
	struct statvfs v;
	if (statvfs(h->path, &v) != 0)
		return -1;
	*avail = (double)v.f_bavail * (double)v.f_frsize;
	*size = (double)v.f_blocks * (double)v.f_frsize;
	*read_only = (v.f_flag & ST_RDONLY) != 0;
	return 0;
}

/* Whether the store's file system refuses writes (EROFS), asked after
 * a write failed and every HEALTH_PROBE_INTERVAL_S from the state tick
 * (daemon_health_tick): ext4 after an error (errors=remount-ro) keeps the
 * mount "rw" for statvfs but refuses every write until it is unmounted.
 * A probe file beside the store, made and removed; never the store's own
 * files (closing a descriptor of them would drop SQLite's locks). */
static int refuses_writes(const struct daemon_health *h)
{
	char probe[DAEMON_PATH_SIZE + 32], *slash;
	int fd;
	if (snprintf(probe, sizeof probe, "%s", h->path) >= (int)sizeof probe)
		return 0;
	slash = strrchr(probe, '/');
	snprintf(slash != NULL ? slash + 1 : probe,
	         sizeof probe - (size_t)(slash != NULL ? slash + 1 - probe : 0),
	         "signaald.rwprobe");
	fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EROFS;
	close(fd);
	(void)unlink(probe);
	return 0;
}

/* Whether the store's file system refuses writes: statvfs says so
 * (statvfs_ro), the last probe found it, or a write failed with an I/O
 * error and a probe now finds it. */
static int fs_refuses(const struct daemon_health *h, int statvfs_ro, int w)
{
	return statvfs_ro || h->probe_ro || (w == LS_EIO && refuses_writes(h));
}

/* Whether the store takes writes: the loop's connection (sync), the
 * store jobs' write lane (releases, status, purge) and the API's writer
 * thread's, where captures are written. */
static int write_health(struct daemon *d)
{
	int w = d->store != NULL ? store_write_health(d->store) : LS_OK;
	if (w == LS_OK)
		w = daemon_storejobs_write_health(d->jobs);
	return w != LS_OK ? w : daemon_apipool_writer_health(d->http.pool);
}

/* daemon_health_reason, and whether the reason is a read-only file
 * system (*ro). */
static const char *reason_of(struct daemon *d, char *why, size_t size,
                             int *code, int *ro)
{
	struct daemon_health *h = &d->health;
	int w = write_health(d);
	double avail = 0, fs_size = 0;
	struct stat st;
	int read_only = 0;
	int have_disk = disk_space(h, &avail, &fs_size, &read_only) == 0;
	if (have_disk)
		read_only = fs_refuses(h, read_only, w);
	*ro = 0;

	if (code != NULL)
		*code = LS_OK;
	if (h->check_rc != LS_OK || w == LS_ECORRUPT) {
		if (code != NULL)
			*code = LS_ECORRUPT;
		snprintf(why, size, "%s",
		         h->check_rc != LS_OK && h->check_msg[0] != '\0'
		             ? h->check_msg
		             : "de databank is beschadigd: stop signaald en "
		               "zet de laatste back-up terug");
		return why;
	}
	if (h->path[0] != '\0' && stat(h->path, &st) != 0 && errno == ENOENT) {
		if (code != NULL)
			*code = LS_EIO;
		snprintf(
		    why, size,
		    "het databankbestand %.300s is verdwenen: stop signaald "
		    "en zet de laatste back-up terug",
		    h->path);
		return why;
	}
	if (have_disk && read_only) {
		/* ext4 keeps a file system it made read-only after an error
		 * so until it is unmounted; SQLite keeps its files open */
		if (code != NULL)
			*code = LS_EIO;
		*ro = 1;
		snprintf(why, size,
		         "het bestandssysteem van de databank %.300s is "
		         "alleen-lezen (na een schijffout, of zo gemount): "
		         "nieuwe signalen worden geweigerd. Stop signaald, "
		         "herstel het bestandssysteem (umount, fsck, mount) en "
		         "herstart signaald",
		         h->path);
		return why;
	}
	if (have_disk &&
	    (avail < HEALTH_DISK_FLOOR_BYTES ||
	     (w == LS_EFULL && avail < HEALTH_DISK_RECOVERED_BYTES))) {
		if (code != NULL)
			*code = LS_EFULL;
		snprintf(why, size,
		         "de schijf van de databank is vol (%.0f bytes vrij): "
		         "maak ruimte vrij; nieuwe signalen worden geweigerd "
		         "tot dan",
		         avail);
		return why;
	}
	if (w == LS_EIO) {
		if (code != NULL)
			*code = LS_EIO;
		snprintf(why, size,
		         "de databank %.300s aanvaardt geen schrijfopdrachten "
		         "meer (alleen-lezen, rechten of een schijffout): zie "
		         "het logboek van signaald",
		         h->path);
		return why;
	}
	return NULL;
}

const char *daemon_health_reason(struct daemon *d, char *why, size_t size,
                                 int *code)
{
	int ro;
	return reason_of(d, why, size, code, &ro);
}

int daemon_health_hook(void *arg, char *reason, size_t size)
{
	int code;
	if (daemon_health_reason(arg, reason, size, &code) == NULL)
		return LS_OK;
	return code;
}

/* daemon_health.said for a read-only file system (an LS_E* otherwise) */
#define HEALTH_READ_ONLY (-1)

/* One log line when the node's condition changes (the causes below it
 * log at debug level after their first time, so that a refused capture
 * a second does not flood the log). */
static void log_change(struct daemon *d, int code)
{
	struct daemon_health *h = &d->health;
	if (code == h->said)
		return;
	if (code == HEALTH_READ_ONLY)
		LS_ERROR("health", "store_read_only",
		         "file=%s action=\"stop signaald, repair the file "
		         "system (umount, fsck, mount), start signaald\"",
		         h->path);
	else if (code != LS_OK)
		LS_ERROR("health", "not_ready", "file=%s reason=%s", h->path,
		         ls_errname(code));
	else
		LS_INFO("health", "ready_again", "file=%s", h->path);
	h->said = code;
}

/* The periodic write probe runs on libuv's thread pool: creating a file
 * waits on the file system's journal, which a big commit can hold for a
 * while, and the loop never waits on the disk. Its finding counts from
 * the next tick. */
static void probe_work_cb(uv_work_t *w)
{
	struct daemon_health *h = w->data;
	h->probe_result = refuses_writes(h);
}

static void probe_after_cb(uv_work_t *w, int status)
{
	struct daemon_health *h = w->data;
	h->probing = 0;
	if (status == 0) /* not cancelled at stop */
		h->probe_ro = h->probe_result;
}

static void probe_start(struct daemon *d)
{
	struct daemon_health *h = &d->health;
	if (h->probing || d->stopping || h->path[0] == '\0' ||
	    daemon_now() - h->probed_at < HEALTH_PROBE_INTERVAL_S)
		return;
	h->probe.data = h;
	if (uv_queue_work(d->loop, &h->probe, probe_work_cb, probe_after_cb) ==
	    0) {
		h->probing = 1;
		h->probed_at = daemon_now();
	}
}

void daemon_health_tick(struct daemon *d)
{
	struct daemon_health *h = &d->health;
	char why[600];
	double avail, size;
	int code;

	if (!d->stopping &&
	    daemon_now() - h->checked_at >= HEALTH_CHECK_INTERVAL_S)
		daemon_health_check_start(d);
	int read_only = 0, ro = 0;
	const char *reason;
	if (disk_space(h, &avail, &size, &read_only) == 0) {
		daemon_metrics_set(d->metrics, "signaal_disk_free_bytes",
		                   avail);
		daemon_metrics_set(d->metrics, "signaal_disk_size_bytes", size);
	}
	/* A file system that refuses writes while statvfs still says
	 * "rw" (ext4 after an error: since Linux 6.x it shuts itself
	 * down instead of turning read-only) is otherwise seen only when
	 * a write fails, and a quiet node writes nothing for a while:
	 * /readyz would stay 200. A probe file, at most every
	 * HEALTH_PROBE_INTERVAL_S. */
	if (!read_only)
		probe_start(d);
	reason = reason_of(d, why, sizeof why, &code, &ro);
	log_change(d, reason == NULL ? LS_OK : ro ? HEALTH_READ_ONLY : code);
	daemon_metrics_set(d->metrics, "signaal_store_check_ok",
	                   h->check_rc == LS_OK);
	daemon_metrics_set(d->metrics, "signaal_store_check_timestamp_seconds",
	                   (double)h->checked_at);
	daemon_metrics_set(d->metrics, "signaal_store_writable",
	                   d->store != NULL && !read_only && !ro &&
	                       write_health(d) == LS_OK);
	daemon_apipool_damaged(d->http.pool,
	                       h->check_rc != LS_OK ||
	                           write_health(d) == LS_ECORRUPT);
	daemon_metrics_set(d->metrics, "signaal_health_ok", reason == NULL);
	daemon_metrics_set(d->metrics, "signaal_release_due_periods",
	                   (double)d->release_due);
}
