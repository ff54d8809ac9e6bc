/* SPDX-License-Identifier: MIT */
/* Unit tests for suggest.c: the Damerau-Levenshtein distance and the
 * "did you mean" choice (issue 13, section 7). */
#include "private.h"

static void
test_distance(void)
{
	g_assert_cmpuint(attache_edit_distance("prep", "prep", 2), ==, 0);
	/* a swap of neighbours is one edit (Levenshtein would say two) */
	g_assert_cmpuint(attache_edit_distance("prpe", "prep", 2), ==, 1);
	g_assert_cmpuint(attache_edit_distance("x-landscpe", "x-landscape", 2), ==, 1);
	g_assert_cmpuint(attache_edit_distance("--prest", "--presets", 2), ==, 2);
	g_assert_cmpuint(attache_edit_distance("--prest", "--preset", 2), ==, 1);
	g_assert_cmpuint(attache_edit_distance("PREP", "prep", 2), ==, 0);
	/* characters, not bytes */
	g_assert_cmpuint(attache_edit_distance("café", "cafe", 2), ==, 1);
	/* beyond max: max + 1, whatever the real distance */
	g_assert_cmpuint(attache_edit_distance("watch", "approve", 2), ==, 3);
	g_assert_cmpuint(attache_edit_distance("", "abc", 5), ==, 3);
	g_assert_cmpuint(attache_edit_distance("\xff", "a", 2), ==, 3);
}

static void
test_suggest(void)
{
	static const char *const cmds[] = { "prep", "presets", "watch", "audit", "upload", "review", "approve", NULL };
	g_assert_cmpstr(attache_suggest("prpe", cmds, -1), ==, "prep");
	g_assert_cmpstr(attache_suggest("preset", cmds, -1), ==, "presets");
	g_assert_cmpstr(attache_suggest("aprove", cmds, -1), ==, "approve");
	g_assert_cmpstr(attache_suggest("wacth", cmds, 7), ==, "watch");
	/* an exact name is not a typo; nothing near is no guess */
	g_assert_null(attache_suggest("prep", cmds, -1));
	g_assert_null(attache_suggest("frobnicate", cmds, -1));
	/* two letters are two edits from anything of two letters */
	static const char *const shorts[] = { "x", "ab", NULL };
	g_assert_null(attache_suggest("cd", shorts, -1));
	g_assert_null(attache_suggest(NULL, cmds, -1));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/suggest/distance", test_distance);
	g_test_add_func("/suggest/suggest", test_suggest);
	return g_test_run();
}
