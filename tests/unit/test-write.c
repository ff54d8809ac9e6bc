/* SPDX-License-Identifier: MIT */
/* Unit tests for write.c: atomic replace, nothing half-written, nothing
 * left behind, errors that name the file. */
#include "testutil.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int
count_entries(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	int n = 0;
	while (g_dir_read_name(d))
		n++;
	return n;
}

static void
test_replace(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "a.jpg", NULL);

	g_assert_cmpint(attache_write_atomic(path, "first", 5, NULL), ==,
		ATTACHE_OK);
	/* a reader holding the old file keeps reading the old bytes */
	FILE *reader = fopen(path, "rb");
	g_assert_nonnull(reader);
	g_assert_cmpint(attache_write_atomic(path, "second!", 7, NULL), ==,
		ATTACHE_OK);
	char buf[16] = { 0 };
	g_assert_cmpint(fread(buf, 1, sizeof(buf), reader), ==, 5);
	g_assert_cmpstr(buf, ==, "first");
	fclose(reader);

	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "second!");
	/* no temporary left */
	g_assert_cmpint(count_entries(dir), ==, 1);
	/* an ordinary file's mode, not mkstemp's 0600 */
	struct stat st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	mode_t um = umask(0);
	umask(um);
	g_assert_cmpint(st.st_mode & 0777, ==, 0666 & ~um);

	g_autofree char *sum = attache_file_sha256(path, NULL);
	/* sha256("second!") */
	g_autofree char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
		"second!", -1);
	g_assert_cmpstr(sum, ==, want);
	g_unlink(path);
	g_rmdir(dir);
}

static void
test_errors(void)
{
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache_write_atomic("/nonexistent-dir/x/y.jpg", "x", 1,
						&error),
		==, ATTACHE_E_WRITE);
	g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE);
	g_assert_nonnull(strstr(error->message, "/nonexistent-dir/x/y.jpg"));

	if (geteuid() == 0) {
		/* root writes into read-only folders anyway */
		g_test_skip("running as root: read-only folders are writable");
		return;
	}
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "keep.jpg", NULL);
	g_assert_cmpint(attache_write_atomic(path, "old", 3, NULL), ==,
		ATTACHE_OK);
	g_chmod(dir, 0555);
	g_clear_error(&error);
	g_assert_cmpint(attache_write_atomic(path, "new", 3, &error), ==,
		ATTACHE_E_WRITE);
	g_chmod(dir, 0755);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "old");
	g_unlink(path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/write/replace", test_replace);
	g_test_add_func("/write/errors", test_errors);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
