/* SPDX-License-Identifier: MIT */
/*
 * safefile.c: bounded, confined reads of the small files attache is given
 * (settings, campaigns, presets, sidecars, alt-text files, manifests,
 * approvals), and confined opens beneath a folder.
 *
 * Every one of these files may come from someone we do not trust (an inbox
 * writer, an output-folder writer). So: O_NONBLOCK (a FIFO never blocks),
 * fstat on the descriptor we read (no check-then-open race), only a regular
 * file, the size checked before a byte is read, and the read capped anyway
 * in case the file grows. Paths that must stay beneath a folder are opened
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): O_NOFOLLOW guards only
 * the last component. docs/security.md says which reads use which.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static AttacheCode
io_error(GError **error, AttacheCode code, const char *path, const char *why)
{
	g_set_error(error, ATTACHE_ERROR, code, "%s: %s", path, why);
	return code;
}

/* Reads the regular file open on @fd (taken: always closed) into a
 * NUL-terminated buffer. @label names it in messages. */
AttacheCode
attache__read_small_fd(int fd, const char *label, gsize max_bytes, char **out, gsize *len,
	GError **error)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return io_error(error, ATTACHE_E_INPUT, label, g_strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return io_error(error, ATTACHE_E_INPUT, label,
			S_ISDIR(st.st_mode) ? "is a folder, not a file"
								: "not a regular file (a device, FIFO or "
								  "socket is never read)");
	}
	if ((guint64)st.st_size > max_bytes) {
		close(fd);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_LIMIT,
			"%s: %" G_GINT64_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT
			" bytes for this file",
			label, (gint64)st.st_size, max_bytes);
		return ATTACHE_E_LIMIT;
	}
	/* O_NONBLOCK has done its job (the open did not wait on a FIFO); a
	 * regular file reads the same either way. */
	gsize cap = (gsize)st.st_size + 1, n = 0;
	char *buf = g_malloc(cap + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			g_free(buf);
			close(fd);
			return io_error(error, ATTACHE_E_INPUT, label, g_strerror(e));
		}
		if (r == 0)
			break;
		n += (gsize)r;
		if (n > max_bytes) {
			g_free(buf);
			close(fd);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_LIMIT,
				"%s: grew past the limit of %" G_GSIZE_FORMAT
				" bytes while being read",
				label, max_bytes);
			return ATTACHE_E_LIMIT;
		}
		if (n == cap) {
			cap = MIN(cap * 2, max_bytes + 1);
			buf = g_realloc(buf, cap + 1);
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return ATTACHE_OK;
}

AttacheCode
attache__read_small(const char *path, gsize max_bytes, guint flags,
	char **out, gsize *len, GError **error)
{
	int oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	if (flags & ATTACHE_READ_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	int fd = open(path, oflags);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP && (flags & ATTACHE_READ_NOFOLLOW))
			return io_error(error, ATTACHE_E_INPUT, path,
				"is a symbolic link, which is not followed here");
		return io_error(error, ATTACHE_E_INPUT, path, g_strerror(e));
	}
	return attache__read_small_fd(fd, path, max_bytes, out, len, error);
}

int
attache__open_photo(const char *path, gint64 max_bytes, gint64 *size,
	GError **error)
{
	if (max_bytes <= 0)
		max_bytes = ATTACHE_MAX_PHOTO_BYTES;
	/* a FIFO or a device given as a photo must not block or flood us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		io_error(error, ATTACHE_E_INPUT, path, g_strerror(errno));
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) != 0)
		why = g_strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "is a folder, not a photo";
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file (a device, FIFO or socket is never read "
			  "as a photo)";
	else if (st.st_size == 0)
		why = "empty file (0 bytes)";
	if (why) {
		close(fd);
		io_error(error, ATTACHE_E_INPUT, path, why);
		return -1;
	}
	if (st.st_size > max_bytes) {
		close(fd);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_LIMIT,
			"%s: file is %" G_GINT64_FORMAT " bytes, over the input limit of "
			"%" G_GINT64_FORMAT " bytes",
			path, (gint64)st.st_size, max_bytes);
		return -1;
	}
	if (size)
		*size = (gint64)st.st_size;
	return fd;
}

AttacheCode
attache__read_photo(const char *path, gint64 max_bytes, GBytes **out,
	GError **error)
{
	if (max_bytes <= 0)
		max_bytes = ATTACHE_MAX_PHOTO_BYTES;
	GError *local = NULL;
	int fd = attache__open_photo(path, max_bytes, NULL, &local);
	if (fd < 0) {
		AttacheCode code = local->code;
		g_propagate_error(error, local);
		return code;
	}
	char *buf;
	gsize len;
	AttacheCode code = attache__read_small_fd(fd, path, (gsize)max_bytes, &buf, &len,
		error);
	if (code)
		return code;
	if (len == 0) {
		/* emptied between the fstat and the read */
		g_free(buf);
		return io_error(error, ATTACHE_E_INPUT, path, "empty file (0 bytes)");
	}
	*out = g_bytes_new_take(buf, len);
	return ATTACHE_OK;
}

int
attache__open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how how = { 0 };
	how.flags = (guint64)(flags | O_CLOEXEC | O_NOCTTY);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	long fd;
	do
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && errno == ENOSYS) {
		/* kernels before 5.6: refuse what we cannot confine */
		if (rel[0] == '/' || strstr(rel, "..") || strchr(rel, '/')) {
			errno = EXDEV;
			return -1;
		}
		fd = openat(dirfd, rel, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			mode);
	}
	return (int)fd;
}

int
attache__mkdir_beneath(const char *dir, const char *rel)
{
	/* ownership: the folder fds are closed here */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
	for (int i = 0; fd >= 0 && parts[i]; i++) {
		if (!*parts[i])
			continue;
		if (g_str_equal(parts[i], "..") || g_str_equal(parts[i], ".")) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		if (mkdirat(fd, parts[i], 0777) != 0 && errno != EEXIST) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		/* a link planted in a shared folder is not followed */
		int next = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		errno = e;
		fd = next;
	}
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* A message for an errno from attache__open_beneath(). Static string. */
const char *
attache__beneath_strerror(int e)
{
	switch (e) {
	case EXDEV:
		return "leads outside its folder (an absolute path, '..' or a "
			   "symbolic link), which is not allowed here";
	case ELOOP:
		return "is or passes through a symbolic link, which is not "
			   "followed here";
	default:
		return g_strerror(e);
	}
}

AttacheCode
attache__read_small_beneath(const char *dir, const char *rel,
	gsize max_bytes, char **out, gsize *len, GError **error)
{
	g_autofree char *label = g_build_filename(dir, rel, NULL);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return io_error(error, ATTACHE_E_INPUT, dir, g_strerror(errno));
	int fd = attache__open_beneath(dfd, rel, O_RDONLY | O_NONBLOCK, 0);
	int e = errno;
	close(dfd);
	if (fd < 0)
		return io_error(error, ATTACHE_E_INPUT, label,
			attache__beneath_strerror(e));
	return attache__read_small_fd(fd, label, max_bytes, out, len, error);
}

gboolean
attache__path_is_beneath(const char *dir, const char *path)
{
	g_autofree char *cdir = g_canonicalize_filename(dir, NULL);
	g_autofree char *cpath = g_canonicalize_filename(path, NULL);
	gsize n = strlen(cdir);
	if (n == 1 && cdir[0] == '/')
		return TRUE;
	return strncmp(cdir, cpath, n) == 0 && (cpath[n] == '/' || cpath[n] == '\0');
}

AttacheCode
attache_read_small_file(const char *path, gsize max_bytes, char **out,
	gsize *len, GError **error)
{
	return attache__read_small(path, max_bytes, 0, out, len, error);
}
