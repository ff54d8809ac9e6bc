/* SPDX-License-Identifier: MIT */
/* test-watch.c: the hot folder through the public C API, as a scheduler
 * written in C would run it (the CLI's behaviour is in tests/cli). */
#include "attache.h"

#include <glib/gstdio.h>
#include <string.h>

#define PHOTO ATTACHE_SRCDIR "/../shared/samples/phone/htc-desire_gps_small.jpg"

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(path, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			rm_rf(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static void
test_ignored_names(void)
{
	const char *ignored[] = { ".DS_Store", "._IMG_1.jpg", ".hidden.jpg",
		"IMG_1.jpg.part", "IMG_1.JPG.PART", "photo.crdownload", "x.tmp",
		"~$report.docx", "Thumbs.db", "thumbs.db", "desktop.ini",
		"attache.ini", "attache.log", "IMG_1.jpg~", "a.partial",
		"IMG_1.alt.txt", "IMG_1.jpg.alt.fr.txt", "IMG_1.alt.zh-Hans.txt",
		"IMG_1.attache.ini", "IMG_1.jpg.attache.ini", "" };
	const char *taken[] = { "IMG_1.jpg", "IMG_1.HEIC", "notes.txt",
		"part.jpg", "tmp.png", "my attache.ini.jpg", "~IMG.jpg", "alt.jpg",
		"notes.txt", "IMG_1.attache.ini.jpg" };

	for (guint i = 0; i < G_N_ELEMENTS(ignored); i++)
		g_assert_true(attache_watch_ignores_name(ignored[i]));
	for (guint i = 0; i < G_N_ELEMENTS(taken); i++)
		g_assert_false(attache_watch_ignores_name(taken[i]));
}

static void
test_settings_checked(void)
{
	AttacheWatchOptions *o = attache_watch_options_new("/nonexistent");
	GError *e = NULL;
	static const struct {
		const char *key, *value;
		gboolean ok;
		const char *says;
	} cases[] = {
		{ "presets", "x-square, bluesky", TRUE, NULL },
		{ "presets", " , ", FALSE, "at least one preset" },
		{ "preset", "x-square", FALSE, "unknown setting" },
		{ "keep", "camera,credit", TRUE, NULL },
		{ "keep", "everything", FALSE, "keep" },
		{ "fit", "inside", TRUE, NULL },
		{ "crop", "middle", FALSE, "crop" },
		{ "focus", "0.5,1.2", FALSE, "focus" },
		{ "max-pixels", "40MP", TRUE, NULL },
		{ "lang", "zh-Hans", TRUE, NULL },
		{ "lang", "e", FALSE, "language tag" },
		/* booleans */
		{ "require-alt", "false", TRUE, NULL },
		{ "require-alt", "maybe", FALSE, "true or false" },
		{ "require-alt", "yes", TRUE, NULL },
		{ "campaign", "", TRUE, NULL },
		{ "campaign", "world-water-day", TRUE, NULL },
		{ "require-approval", "true", TRUE, NULL },
		{ "require-approval", "perhaps", FALSE, "true or false" },
		{ "upload", "mastodon, x", TRUE, NULL },
		{ "upload", "", TRUE, NULL },
		{ "upload", "myspace", FALSE, "x, mastodon, bluesky" },
		{ "require-approval", "off", TRUE, NULL },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		AttacheCode code = attache_watch_options_set(o, cases[i].key,
			cases[i].value, &e);
		if (cases[i].ok) {
			g_assert_no_error(e);
			g_assert_cmpint(code, ==, ATTACHE_OK);
		}
		else {
			g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_USAGE);
			g_assert_cmpint(code, ==, ATTACHE_E_USAGE);
			if (!strstr(e->message, cases[i].says))
				g_error("%s = %s: \"%s\" does not say \"%s\"", cases[i].key,
					cases[i].value, e->message, cases[i].says);
			g_clear_error(&e);
		}
	}
	/* a missing inbox is a usage error naming it */
	AttacheWatch *w = NULL;
	g_assert_cmpint(attache_watch_new(o, NULL, NULL, &w, &e), ==,
		ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(e->message, "/nonexistent"));
	g_assert_null(w);
	g_clear_error(&e);
	attache_watch_options_free(o);
}

typedef struct {
	int done, failed;
	char *json;
} Seen;

static void
on_event(const AttacheWatchEvent *ev, gpointer user)
{
	Seen *s = user;
	if (ev->kind == ATTACHE_WATCH_DONE) {
		s->done++;
		g_free(s->json);
		s->json = g_strdup(ev->json);
	}
	else if (ev->kind == ATTACHE_WATCH_FAILED)
		s->failed++;
}

static char *
copy_photo(const char *dir, const char *name)
{
	char *data;
	gsize len;
	char *dst = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_get_contents(PHOTO, &data, &len, NULL));
	g_assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
	g_free(data);
	return dst;
}

static void
test_once_from_c(void)
{
	if (!g_file_test(PHOTO, G_FILE_TEST_EXISTS)) {
		g_test_skip("../shared/samples/phone is absent");
		return;
	}
	GError *e = NULL;
	char *inbox = g_dir_make_tmp("attache-watch-XXXXXX", &e);
	g_assert_no_error(e);
	g_free(copy_photo(inbox, "field.jpg"));
	char *bad = g_build_filename(inbox, "bad.jpg", NULL);
	g_assert_true(g_file_set_contents(bad, "not a jpeg", -1, NULL));

	AttacheWatchOptions *o = attache_watch_options_new(inbox);
	o->once = TRUE;
	o->settle = 0.2;
	o->jobs = 1;
	g_assert_cmpint(attache_watch_options_set(o, "presets", "x-square", &e),
		==, ATTACHE_OK);
	Seen seen = { 0 };
	AttacheWatch *w = NULL;
	g_assert_cmpint(attache_watch_new(o, on_event, &seen, &w, &e), ==,
		ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_cmpint(attache_watch_run(w, &e), ==, ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_cmpint(seen.done, ==, 1);
	g_assert_cmpint(seen.failed, ==, 1);
	g_assert_cmpint(attache_watch_failures(w), ==, 1);
	g_assert_nonnull(strstr(seen.json, "\"event\":\"done\""));

	char *done = g_build_filename(inbox, "done", "field.jpg", NULL);
	char *out = g_build_filename(inbox, "out", "field", "field.x-square.jpg",
		NULL);
	char *failed = g_build_filename(inbox, "failed", "bad.jpg.error.txt",
		NULL);
	g_assert_true(g_file_test(done, G_FILE_TEST_IS_REGULAR));
	g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
	g_assert_true(g_file_test(failed, G_FILE_TEST_IS_REGULAR));
	char *in_place = g_build_filename(inbox, "field.jpg", NULL);
	g_assert_false(g_file_test(in_place, G_FILE_TEST_EXISTS));

	attache_watch_free(w);
	attache_watch_options_free(o);
	g_free(seen.json);
	g_free(in_place);
	g_free(done);
	g_free(out);
	g_free(failed);
	g_free(bad);
	rm_rf(inbox);
	g_free(inbox);
}

static gpointer
stop_later(gpointer data)
{
	g_usleep(300 * 1000);
	attache_watch_stop(data);
	return NULL;
}

/* attache_watch_stop() from another thread ends a watch that would
 * otherwise run for ever. */
static void
test_stop_from_another_thread(void)
{
	GError *e = NULL;
	char *inbox = g_dir_make_tmp("attache-watch-XXXXXX", &e);
	AttacheWatchOptions *o = attache_watch_options_new(inbox);
	AttacheWatch *w = NULL;
	g_assert_cmpint(attache_watch_new(o, NULL, NULL, &w, &e), ==,
		ATTACHE_OK);
	GThread *t = g_thread_new("stop", stop_later, w);
	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpint(attache_watch_run(w, &e), ==, ATTACHE_OK);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);
	g_thread_join(t);

	/* the folder is free again: a second run starts (and stops) */
	AttacheWatch *w2 = NULL;
	o->once = TRUE;
	g_assert_cmpint(attache_watch_new(o, NULL, NULL, &w2, &e), ==,
		ATTACHE_OK);
	g_assert_cmpint(attache_watch_run(w2, &e), ==, ATTACHE_OK);
	g_assert_no_error(e);
	attache_watch_free(w2);
	attache_watch_free(w);
	attache_watch_options_free(o);
	rm_rf(inbox);
	g_free(inbox);
}

int
main(int argc, char **argv)
{
	g_setenv("ATTACHE_PRESET_DIR", ATTACHE_SRCDIR "/presets", TRUE);
	g_setenv("XDG_CONFIG_HOME", "/nonexistent-attache-test", TRUE);
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/watch/ignored-names", test_ignored_names);
	g_test_add_func("/watch/settings-checked", test_settings_checked);
	g_test_add_func("/watch/once-from-c", test_once_from_c);
	g_test_add_func("/watch/stop-from-another-thread",
		test_stop_from_another_thread);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
