/* SPDX-License-Identifier: MIT */
/* Unit tests for the names attache prints and writes (names.c,
 * display.c): escaping for a terminal, display names, output stems. */
#include "testutil.h"

#include <string.h>

static void
test_escape(void)
{
	struct {
		const char *in, *want;
	} cases[] = {
		{ "plain café 🍚.jpg", "plain café 🍚.jpg" },
		{ "a\x1b[2Jb", "a\\u001b[2Jb" },
		{ "line\nattache: forged", "line\\u000aattache: forged" },
		{ "tab\there\r", "tab\\u0009here\\u000d" },
		{ "photo\u202egpj.exe", "photo\\u202egpj.exe" },
		{ "\u2066x\u2069\u200e\u200f\u061c", "\\u2066x\\u2069\\u200e\\u200f\\u061c" },
		{ "del\x7f c1\xc2\x9b", "del\\u007f c1\\u009b" },
		{ "caf\xe9", "caf\\xe9" },
		{ "back\\slash", "back\\slash" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = attache_escape_text(cases[i].in);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
	g_assert_null(attache_escape_text(NULL));
}

static void
test_display_and_stem(void)
{
	g_autofree char *d = attache_display_name("in/caf\xe9\xff.jpg");
	g_assert_cmpstr(d, ==, "in/caf\xef\xbf\xbd\xef\xbf\xbd.jpg");
	g_autofree char *s = attache_output_stem("in/caf\xe9 100%.jpg");
	g_assert_cmpstr(s, ==, "caf%E9 100%");
	g_autofree char *same = attache_output_stem("IMG_0001.HEIC");
	g_assert_cmpstr(same, ==, "IMG_0001");

	/* long: cut, ~hash, unique, within the budget, whole characters */
	GString *a = g_string_new(NULL), *b = NULL;
	for (int i = 0; i < 123; i++)
		g_string_append(a, "é");
	b = g_string_new(a->str);
	g_string_append(a, "1.jpg");
	g_string_append(b, "2.jpg");
	g_autofree char *sa = attache_output_stem(a->str);
	g_autofree char *sb = attache_output_stem(b->str);
	g_assert_cmpuint(strlen(sa), <=, ATTACHE_STEM_MAX);
	g_assert_true(g_utf8_validate(sa, -1, NULL));
	g_assert_cmpstr(sa, !=, sb);
	g_assert_nonnull(strchr(sa, '~'));
	g_autofree char *again = attache_output_stem(a->str);
	g_assert_cmpstr(sa, ==, again);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);

	/* a cut never splits a %XX */
	GString *c = g_string_new(NULL);
	for (int i = 0; i < 100; i++)
		g_string_append(c, "\xe9");
	g_autofree char *sc = attache_output_stem(c->str);
	g_assert_cmpuint(strlen(sc), <=, ATTACHE_STEM_MAX);
	const char *tilde = strchr(sc, '~');
	g_assert_nonnull(tilde);
	g_assert_cmpint((tilde - sc) % 3, ==, 0);
	g_string_free(c, TRUE);
}

/* One stem for every name attache derives from a photo: the folder and
 * the last extension go, a leading dot is no extension, bytes stay. */
static void
test_file_stem(void)
{
	struct {
		const char *in, *want;
	} cases[] = {
		{ "IMG_0001.HEIC", "IMG_0001" },
		{ "in/sub/IMG_1.jpg", "IMG_1" },
		{ "a.b.jpg", "a.b" },
		{ ".hidden", ".hidden" },
		{ "noext", "noext" },
		{ "dir.d/noext", "noext" },
		{ "caf\xe9.jpg", "caf\xe9" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = attache__file_stem(cases[i].in);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
	/* an output's name gives back the photo's stem, dots and all */
	g_autofree char *o = attache__output_name_stem("out/IMG.1.x-landscape.jpg");
	g_assert_cmpstr(o, ==, "IMG.1");
	g_autofree char *bare = attache__output_name_stem("IMG.jpg");
	g_assert_cmpstr(bare, ==, "IMG");
	/* the output stem is built on the same stem */
	g_autofree char *s = attache_output_stem("in/a.b.jpg");
	g_assert_cmpstr(s, ==, "a.b");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/names/escape", test_escape);
	g_test_add_func("/names/display-and-stem", test_display_and_stem);
	g_test_add_func("/names/file-stem", test_file_stem);
	return g_test_run();
}
