/* SPDX-License-Identifier: MIT */
/*
 * write.c: stage 9, atomic writes.
 *
 * A temporary dotfile in the destination folder (same filesystem, hidden
 * from hot-folder readers), fsync, rename over the final name, fsync of the
 * folder. A reader sees the old file or the whole new one, never half; a
 * crash leaves at most a stray .tmp dotfile, never a torn output.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static AttacheCode
io_error(GError **error, const char *path, const char *what, int err)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s: %s", path,
		what, g_strerror(err));
	return ATTACHE_E_WRITE;
}

int
attache__fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

AttacheCode
attache_write_atomic(const char *path, const void *data, gsize len,
	GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *tmpl = g_strdup_printf("%s/.%s.XXXXXX.tmp", dir, base);

	int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_error(error, path, "cannot create a temporary file", errno);

	/* mkstemp makes 0600; an output is an ordinary file: 0666 & ~umask */
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);

	const guint8 *p = data;
	gsize left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			g_unlink(tmpl);
			return io_error(error, path, "write failed", err);
		}
		p += w;
		left -= (gsize)w;
	}
	if (fsync(fd) != 0) {
		int err = errno;
		close(fd);
		g_unlink(tmpl);
		return io_error(error, path, "fsync failed", err);
	}
	if (close(fd) != 0) {
		int err = errno;
		g_unlink(tmpl);
		return io_error(error, path, "close failed", err);
	}
	if (g_rename(tmpl, path) != 0) {
		int err = errno;
		g_unlink(tmpl);
		return io_error(error, path, "rename failed", err);
	}
	/* the rename itself is durable only once the folder is synced */
	attache__fsync_dir(dir);
	return ATTACHE_OK;
}

char *
attache_file_sha256(const char *path, GError **error)
{
	/* read, not mapped: a file truncated under us must not SIGBUS, and a
	 * FIFO or device planted in an output folder must not block */
	int fd = attache__open_photo(path, G_MAXINT64, NULL, error);
	if (fd < 0)
		return NULL;
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	guchar buf[64 * 1024];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: %s", path,
				g_strerror(e));
			return NULL;
		}
		if (r == 0)
			break;
		g_checksum_update(sum, buf, (gssize)r);
	}
	close(fd);
	return g_strdup(g_checksum_get_string(sum));
}
