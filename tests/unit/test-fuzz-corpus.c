/* SPDX-License-Identifier: MIT */
/*
 * test-fuzz-corpus.c: replays the fuzz corpus in the normal build.
 *
 * Every file in tests/fuzz/corpus/<target>/ (the seeds) and
 * tests/fuzz/regressions/<target>/ (each crash a fuzzer ever found, kept
 * once fixed) goes through the target's LLVMFuzzerTestOneInput, as
 * libFuzzer would run it, without libFuzzer: a crash, an abort or a
 * sanitizer report (under `make asan`) fails the test.
 */
#include "attache.h"

#include <glib.h>
#include <string.h>

#define LLVMFuzzerTestOneInput fuzz_audit_one
#include "../fuzz/fuzz-audit.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_exif_one
#include "../fuzz/fuzz-exif.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_watch_settings_one
#include "../fuzz/fuzz-watch-settings.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_campaign_one
#include "../fuzz/fuzz-campaign.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_preset_one
#include "../fuzz/fuzz-preset.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_alt_one
#include "../fuzz/fuzz-alt.c"
#undef LLVMFuzzerTestOneInput

#ifndef ATTACHE_SRCDIR
#define ATTACHE_SRCDIR "."
#endif

typedef int (*Target)(const uint8_t *data, size_t size);

/* Runs every file under tests/fuzz/@kind/@target; returns how many. */
static guint
replay(const char *kind, const char *target, Target fn)
{
	g_autofree char *dir = g_build_filename(ATTACHE_SRCDIR, "tests", "fuzz",
		kind, target, NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		if (name[0] == '.')
			continue;
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		g_test_message("%s", path);
		fn((const uint8_t *)data, len);
		n++;
	}
	return n;
}

static void
test_audit_corpus(void)
{
	guint n = replay("corpus", "audit", fuzz_audit_one);
	replay("regressions", "audit", fuzz_audit_one);
	g_assert_cmpuint(n, >, 10);
}

static void
test_exif_corpus(void)
{
	guint n = replay("corpus", "exif", fuzz_exif_one);
	replay("regressions", "exif", fuzz_exif_one);
	g_assert_cmpuint(n, >, 3);
}

static void
test_watch_settings_corpus(void)
{
	guint n = replay("corpus", "watch-settings", fuzz_watch_settings_one);
	replay("regressions", "watch-settings", fuzz_watch_settings_one);
	g_assert_cmpuint(n, >=, 4);
}

static void
test_campaign_corpus(void)
{
	guint n = replay("corpus", "campaign", fuzz_campaign_one);
	replay("regressions", "campaign", fuzz_campaign_one);
	g_assert_cmpuint(n, >=, 5);
}

static void
test_preset_corpus(void)
{
	guint n = replay("corpus", "preset", fuzz_preset_one);
	replay("regressions", "preset", fuzz_preset_one);
	g_assert_cmpuint(n, >=, 11);
}

static void
test_alt_corpus(void)
{
	guint n = replay("corpus", "alt", fuzz_alt_one);
	replay("regressions", "alt", fuzz_alt_one);
	g_assert_cmpuint(n, >=, 3);
}

/* Edge sizes no corpus file covers: empty and one-byte inputs, and every
 * prefix of a real seed (each one a truncated file). */
static void
test_truncations(void)
{
	fuzz_audit_one((const uint8_t *)"", 0);
	fuzz_exif_one((const uint8_t *)"", 0);
	g_autofree char *dir = g_build_filename(ATTACHE_SRCDIR, "tests", "fuzz",
		"corpus", "audit", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	const char *name;
	while ((name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, "-everything.jpg") && !g_str_has_suffix(name, "-everything.heic") && !g_str_has_suffix(name, "-everything.tif"))
			continue;
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		for (gsize cut = 0; cut < len; cut += 1 + cut / 64)
			fuzz_audit_one((const uint8_t *)data, cut);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fuzz/audit-corpus", test_audit_corpus);
	g_test_add_func("/fuzz/exif-corpus", test_exif_corpus);
	g_test_add_func("/fuzz/watch-settings-corpus",
		test_watch_settings_corpus);
	g_test_add_func("/fuzz/campaign-corpus", test_campaign_corpus);
	g_test_add_func("/fuzz/preset-corpus", test_preset_corpus);
	g_test_add_func("/fuzz/alt-corpus", test_alt_corpus);
	g_test_add_func("/fuzz/truncations", test_truncations);
	return g_test_run();
}
