/* SPDX-License-Identifier: MIT */
/* Unit tests for safefile.c: small files are read bounded, a FIFO or a
 * device never blocks or floods, and a confined read never leaves its
 * folder (issue 11, points 3 and 4). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
test_regular(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *p = write_file(dir, "a.txt", "hello");
	g_autofree char *text = NULL;
	gsize len = 0;
	g_assert_cmpint(attache__read_small(p, 100, 0, &text, &len, NULL), ==,
		ATTACHE_OK);
	g_assert_cmpstr(text, ==, "hello");
	g_assert_cmpuint(len, ==, 5);
	g_clear_pointer(&text, g_free);
	/* exactly at the limit is fine, one over is not */
	g_assert_cmpint(attache__read_small(p, 5, 0, &text, NULL, NULL), ==,
		ATTACHE_OK);
	g_clear_pointer(&text, g_free);
	g_autoptr(GError) e = NULL;
	g_assert_cmpint(attache__read_small(p, 4, 0, &text, NULL, &e), ==,
		ATTACHE_E_LIMIT);
	g_assert_nonnull(strstr(e->message, p));
	g_assert_null(text);
	g_unlink(p);
	g_rmdir(dir);
}

static void
test_devices_and_fifos(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) e = NULL;
	/* /dev/zero never ends: refused before a byte is read */
	g_assert_cmpint(attache__read_small("/dev/zero", 1 << 20, 0, &text, NULL,
						&e),
		==, ATTACHE_E_INPUT);
	g_assert_nonnull(strstr(e->message, "/dev/zero"));
	g_clear_error(&e);
	/* a link to it, with NOFOLLOW: the link itself is refused */
	g_autofree char *link = g_build_filename(dir, "p.alt.txt", NULL);
	g_assert_cmpint(symlink("/dev/zero", link), ==, 0);
	g_assert_cmpint(attache__read_small(link, 1 << 20, ATTACHE_READ_NOFOLLOW,
						&text, NULL, &e),
		==, ATTACHE_E_INPUT);
	g_assert_nonnull(strstr(e->message, "symbolic link"));
	g_clear_error(&e);
	/* a FIFO with no writer: the open does not wait, the read is refused */
	g_autofree char *fifo = g_build_filename(dir, "attache.ini", NULL);
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	g_assert_cmpint(attache__read_small(fifo, 1 << 20, 0, &text, NULL, &e),
		==, ATTACHE_E_INPUT);
	g_clear_error(&e);
	g_assert_cmpint(attache__read_small(dir, 1 << 20, 0, &text, NULL, &e), ==,
		ATTACHE_E_INPUT);
	g_assert_nonnull(strstr(e->message, "folder"));
	g_unlink(link);
	g_unlink(fifo);
	g_rmdir(dir);
}

static void
test_beneath(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *outside = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *secret = write_file(outside, "credentials.ini", "k=v");
	g_autofree char *sub = g_build_filename(dir, "sub", NULL);
	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
	g_autofree char *inside = write_file(sub, "p.alt.txt", "ok");
	g_autofree char *text = NULL;
	g_assert_cmpint(attache__read_small_beneath(dir, "sub/p.alt.txt", 100,
						&text, NULL, NULL),
		==, ATTACHE_OK);
	g_assert_cmpstr(text, ==, "ok");
	g_clear_pointer(&text, g_free);

	/* absolute, '..' and a link anywhere on the way are all refused */
	g_autofree char *link = g_build_filename(dir, "l.alt.txt", NULL);
	g_assert_cmpint(symlink(secret, link), ==, 0);
	g_autofree char *dirlink = g_build_filename(dir, "d", NULL);
	g_assert_cmpint(symlink(outside, dirlink), ==, 0);
	g_autofree char *up = g_strdup_printf("../%s/credentials.ini",
		strrchr(outside, '/') + 1);
	const char *bad[] = { secret, up, "l.alt.txt", "d/credentials.ini" };
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_assert_cmpint(attache__read_small_beneath(dir, bad[i], 100, &text,
							NULL, &e),
			==, ATTACHE_E_INPUT);
		g_assert_null(text);
		g_assert_nonnull(strstr(e->message, dir));
	}
	g_assert_true(attache__path_is_beneath(dir, inside));
	g_assert_false(attache__path_is_beneath(dir, secret));
	g_assert_false(attache__path_is_beneath(sub, dir));
	g_unlink(link);
	g_unlink(dirlink);
	g_unlink(inside);
	g_rmdir(sub);
	g_unlink(secret);
	g_rmdir(outside);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/safefile/regular", test_regular);
	g_test_add_func("/safefile/devices-and-fifos", test_devices_and_fifos);
	g_test_add_func("/safefile/beneath", test_beneath);
	return g_test_run();
}
