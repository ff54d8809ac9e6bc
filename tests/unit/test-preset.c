/* SPDX-License-Identifier: MIT */
/* Unit tests for preset.c: the shipped presets load, broken files are
 * refused with file, line and key, user presets override built-in ones. */
#include "private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *
write_tmp(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static const char *good = "[preset]\ndescription=Test\nplatform=test\n"
						  "[fit]\nwidth=640\nheight=480\n"
						  "[encode]\nmax-bytes=200kB\n";

static void
test_shipped(void)
{
	AttachePresetSet *set = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_build_filename(ATTACHE_SRCDIR, "presets", NULL);
	g_autofree char *empty = g_dir_make_tmp("attache-XXXXXX", NULL);

	g_assert_cmpint(attache_preset_set_load(dir, empty, &set, &error), ==,
		ATTACHE_OK);
	g_assert_no_error(error);

	/* the list, with its sizes */
	static const struct {
		const char *name;
		int w, h;
		AttacheFit fit;
	} want[] = {
		{ "x-landscape", 1600, 900, ATTACHE_FIT_COVER },
		{ "x-square", 1200, 1200, ATTACHE_FIT_COVER },
		{ "x-portrait", 1080, 1350, ATTACHE_FIT_COVER },
		{ "instagram-square", 1080, 1080, ATTACHE_FIT_COVER },
		{ "instagram-portrait", 1080, 1350, ATTACHE_FIT_COVER },
		{ "instagram-landscape", 1080, 566, ATTACHE_FIT_COVER },
		{ "facebook-link", 1200, 630, ATTACHE_FIT_COVER },
		{ "linkedin", 1200, 627, ATTACHE_FIT_COVER },
		/* a pixel budget, no box (issue 13) */
		{ "mastodon", 0, 0, ATTACHE_FIT_INSIDE },
		{ "bluesky", 2000, 2000, ATTACHE_FIT_INSIDE },
		{ "bluesky-1mb", 2000, 2000, ATTACHE_FIT_INSIDE },
		{ "threads", 1440, 14400, ATTACHE_FIT_INSIDE },
	};
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const AttachePreset *p = attache_preset_set_lookup(set, want[i].name,
			NULL);
		g_assert_nonnull(p);
		g_assert_cmpint(p->width, ==, want[i].w);
		g_assert_cmpint(p->height, ==, want[i].h);
		g_assert_cmpint(p->fit, ==, want[i].fit);
		g_assert_cmpint(p->max_bytes, >, 0);
		g_assert_cmpint(p->alt_max_chars, >, 0);
		if (g_str_has_prefix(p->name, "x-"))
			g_assert_cmpint(p->quality_max, <=, 85);
	}
	/* the lexicon's 2,000,000 since 2026-04; 1 MB for older servers */
	g_assert_cmpint(attache_preset_set_lookup(set, "bluesky", NULL)->max_bytes,
		==, 2000000);
	g_assert_cmpint(attache_preset_set_lookup(set, "bluesky-1mb", NULL)->max_bytes, ==, 1000000);
	g_assert_cmpint(attache_preset_set_lookup(set, "mastodon", NULL)->fit_pixels, ==, 8294400);
	/* the 3:4 profile grid trims a 4:5 post at the sides, 34 px at 1080 */
	const AttachePreset *ig = attache_preset_set_lookup(set, "instagram-portrait", NULL);
	g_assert_cmpfloat(ig->safe_area[0], ==, 0);
	g_assert_cmpfloat(ig->safe_area[2], ==, 0);
	g_assert_cmpint(lround(ig->safe_area[1] * 1080), ==, 34);
	g_assert_cmpint(lround(ig->safe_area[3] * 1080), ==, 34);
	g_assert_cmpint(
		attache_preset_set_lookup(set, "mastodon", NULL)->max_bytes, ==,
		16 * 1024 * 1024);
	/* each shipped file says where its figures come from and when */
	g_autoptr(GPtrArray) all = attache_preset_set_list(set);
	for (guint i = 0; i < all->len; i++) {
		const AttachePreset *p = all->pdata[i];
		g_autofree char *text = NULL;
		g_assert_true(g_file_get_contents(p->path, &text, NULL, NULL));
		g_assert_nonnull(strstr(text, "# Source:"));
		g_assert_nonnull(strstr(text, "# Checked: "));
		/* alt-text limits nobody documents say they are guesses */
		if (g_str_equal(p->platform, "linkedin") || g_str_equal(p->platform, "facebook")
			|| g_str_equal(p->platform, "instagram") || g_str_equal(p->platform, "threads"))
			g_assert_nonnull(strstr(text, "documents no limit; "));
		if (g_str_equal(p->platform, "mastodon"))
			g_assert_nonnull(strstr(text, "description_limit"));
	}
	g_assert_null(attache_preset_set_lookup(set, "nope", &error));
	g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(error->message, "x-landscape"));
	attache_preset_set_free(set);
	g_rmdir(empty);
}

static void
expect_error(const char *text, const char *needle, const char *needle2)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *path = write_tmp(dir, "broken.ini", text);
	AttachePreset *p = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(attache_preset_load_file(path, &p, &error), ==,
		ATTACHE_E_USAGE);
	g_assert_null(p);
	g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(error->message, path));
	if (!strstr(error->message, needle) || (needle2 && !strstr(error->message, needle2)))
		g_error("message \"%s\" lacks \"%s\"", error->message, needle);
	g_unlink(path);
	g_rmdir(dir);
}

static void
test_broken(void)
{
	/* unknown key: file, line and key */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=100\n"
				 "height=200\nwidht=3\n[encode]\nmax-bytes=1000\n",
		":7:", "widht");
	/* out of range, with its line */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=2\n"
				 "height=200\n[encode]\nmax-bytes=100000\n",
		":5:", "width=2");
	/* not a number */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=abc\n"
				 "height=200\n[encode]\nmax-bytes=100000\n",
		":5:", "not a whole number");
	/* bad size */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "height=200\n[encode]\nmax-bytes=lots\n",
		":8:", "max-bytes");
	/* bad enum */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "height=200\nmode=stretch\n[encode]\nmax-bytes=100000\n",
		":7:", "cover, contain or inside");
	/* missing required */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "[encode]\nmax-bytes=100000\n",
		"missing required key", "height");
	/* unknown group */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fiit]\nwidth=200\n",
		":4:", "[fiit]");
	/* not an INI at all: GKeyFile names the line */
	expect_error("[preset]\nthis is not a key\n", "line", NULL);
	/* sizes past gint64 and not-a-number (fuzz-preset) */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "height=200\n[encode]\nmax-bytes=1e40MiB\n",
		":8:", "max-bytes");
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "height=200\n[encode]\nmax-bytes=100000\n[safe-area]\n"
				 "top=nan\n",
		":10:", "top=nan");
	/* a pixel budget keeps the whole photo, never enlarged */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\npixels=100000\nmode=cover\n"
				 "[encode]\nmax-bytes=100000\n",
		":5:", "mode must be inside");
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\npixels=100000\nupscale=true\n"
				 "[encode]\nmax-bytes=100000\n",
		":5:", "upscale must be false");
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\npixels=100000\nwidth=300\n"
				 "[encode]\nmax-bytes=100000\n",
		"both width and height", NULL);
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\npixels=1e12\n"
				 "[encode]\nmax-bytes=100000\n",
		":5:", "out of range");
	/* quality floor above ceiling */
	expect_error("[preset]\ndescription=x\nplatform=x\n[fit]\nwidth=200\n"
				 "height=200\n[encode]\nmax-bytes=100000\nquality-max=50\n"
				 "quality-min=70\n",
		"quality-min=70", NULL);
}

static void
test_values(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *path = write_tmp(dir, "t.ini",
		"[preset]\ndescription=T\nplatform=t\n[fit]\nwidth=640\nheight=480\n"
		"mode=contain\npad=colour\npad-colour=#ff8000\nupscale=yes\n"
		"[encode]\nformat=png\nfallback=webp\nmax-bytes=2MiB\n"
		"quality-max=80\nquality-min=40\n[alt]\nmax-chars=300\n"
		"[safe-area]\ntop=0.1\n");
	AttachePreset *p = NULL;
	g_assert_cmpint(attache_preset_load_file(path, &p, NULL), ==, ATTACHE_OK);
	g_assert_cmpstr(p->name, ==, "t");
	g_assert_cmpint(p->fit, ==, ATTACHE_FIT_CONTAIN);
	g_assert_cmpint(p->pad, ==, ATTACHE_PAD_COLOUR);
	g_assert_cmpfloat(p->pad_colour[0], ==, 255);
	g_assert_cmpfloat(p->pad_colour[1], ==, 128);
	g_assert_true(p->upscale);
	g_assert_cmpint(p->format, ==, ATTACHE_FORMAT_PNG);
	g_assert_cmpint(p->fallback, ==, ATTACHE_FORMAT_WEBP);
	g_assert_cmpint(p->max_bytes, ==, 2 * 1024 * 1024);
	g_assert_cmpint(p->alt_max_chars, ==, 300);
	g_assert_cmpfloat(p->safe_area[0], ==, 0.1);

	/* round trip: what `attache presets NAME` prints loads back the same */
	g_autofree char *text = attache_preset_to_string(p);
	g_autofree char *again = write_tmp(dir, "t2.ini", text);
	AttachePreset *q = NULL;
	g_assert_cmpint(attache_preset_load_file(again, &q, NULL), ==, ATTACHE_OK);
	g_assert_cmpint(q->width, ==, p->width);
	g_assert_cmpint(q->max_bytes, ==, p->max_bytes);
	g_assert_cmpint(q->fit, ==, p->fit);
	g_assert_cmpint(q->format, ==, p->format);
	g_assert_cmpint(q->quality_min, ==, p->quality_min);
	g_assert_cmpfloat(q->safe_area[0], ==, p->safe_area[0]);
	attache_preset_free(p);
	attache_preset_free(q);
	g_unlink(path);
	g_unlink(again);

	/* a pixel budget without a box: inside, and it prints and loads back
	 * without width and height */
	g_autofree char *bpath = write_tmp(dir, "b.ini",
		"[preset]\ndescription=B\nplatform=t\n[fit]\npixels=8294400\n[encode]\nmax-bytes=16MiB\n");
	g_assert_cmpint(attache_preset_load_file(bpath, &p, NULL), ==, ATTACHE_OK);
	g_assert_cmpint(p->fit, ==, ATTACHE_FIT_INSIDE);
	g_assert_cmpint(p->fit_pixels, ==, 8294400);
	g_assert_cmpint(p->width, ==, 0);
	g_autofree char *btext = attache_preset_to_string(p);
	g_assert_null(strstr(btext, "width="));
	g_autofree char *bagain = write_tmp(dir, "b2.ini", btext);
	g_assert_cmpint(attache_preset_load_file(bagain, &q, NULL), ==, ATTACHE_OK);
	g_assert_cmpint(q->fit_pixels, ==, 8294400);
	attache_preset_free(p);
	attache_preset_free(q);
	g_unlink(bpath);
	g_unlink(bagain);
	g_rmdir(dir);
}

static void
test_user_overrides(void)
{
	g_autofree char *builtin = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *user = g_dir_make_tmp("attache-XXXXXX", NULL);
	g_autofree char *a = write_tmp(builtin, "same.ini", good);
	g_autofree char *b = write_tmp(user, "same.ini",
		"[preset]\ndescription=Mine\nplatform=test\n"
		"[fit]\nwidth=320\nheight=240\n[encode]\nmax-bytes=100000\n");
	g_autofree char *c = write_tmp(user, "extra.ini", good);
	AttachePresetSet *set = NULL;
	g_assert_cmpint(attache_preset_set_load(builtin, user, &set, NULL), ==,
		ATTACHE_OK);
	const AttachePreset *p = attache_preset_set_lookup(set, "same", NULL);
	g_assert_cmpstr(p->description, ==, "Mine");
	g_assert_cmpint(p->width, ==, 320);
	g_assert_nonnull(attache_preset_set_lookup(set, "extra", NULL));
	attache_preset_set_free(set);

	/* a broken user preset is an error, not silently skipped */
	g_autofree char *d = write_tmp(user, "zbroken.ini", "[fit]\nwidth=x\n");
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache_preset_set_load(builtin, user, &set, &error), ==,
		ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(error->message, "zbroken.ini"));
	g_unlink(a);
	g_unlink(b);
	g_unlink(c);
	g_unlink(d);
	g_rmdir(builtin);
	g_rmdir(user);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/preset/shipped", test_shipped);
	g_test_add_func("/preset/broken", test_broken);
	g_test_add_func("/preset/values", test_values);
	g_test_add_func("/preset/user-overrides", test_user_overrides);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
