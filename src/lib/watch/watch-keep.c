/* SPDX-License-Identifier: MIT */
/*
 * watch-keep.c: keep-originals = DAYS, the originals in INBOX/done/
 * deleted DAYS days after they were done (docs/watch.md). An original's
 * age is its mtime, which the watcher sets when it moves the photo to
 * done/. Only regular files at the top of done/ are deleted, never
 * through a link, never anything outside it.
 */
#define _GNU_SOURCE
#include "private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

AttacheCode
attache__watch_prune_done(const char *done_dir, int days, gint64 now,
	GPtrArray *removed, GError **error)
{
	/* the folder itself, not a link put in its place */
	int dfd = open(done_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		int e = errno;
		if (e == ENOENT)
			return ATTACHE_OK;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s",
			done_dir, e == ELOOP ? "is a symbolic link" : g_strerror(e));
		return ATTACHE_E_WRITE;
	}
	int lfd = dup(dfd);
	DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
	if (!d) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s",
			done_dir, g_strerror(e));
		return ATTACHE_E_WRITE;
	}
	gint64 cutoff = now - (gint64)days * 86400;
	gboolean any = FALSE;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (!S_ISREG(st.st_mode) || st.st_mtim.tv_sec > cutoff)
			continue;
		/* unlinkat removes the name in this folder: a file swapped for a
		 * link meanwhile loses the link, never what it points to */
		if (unlinkat(dfd, de->d_name, 0) == 0) {
			any = TRUE;
			if (removed)
				g_ptr_array_add(removed,
					g_build_filename(done_dir, de->d_name, NULL));
		}
		else
			g_debug("%s/%s: %s", done_dir, de->d_name, g_strerror(errno));
	}
	closedir(d);
	if (any)
		fsync(dfd);
	close(dfd);
	return ATTACHE_OK;
}
