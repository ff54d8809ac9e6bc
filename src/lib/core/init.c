/* SPDX-License-Identifier: MIT */
/* init.c: library start-up and shut-down. */
#include "private.h"

#ifndef ATTACHE_DATADIR
#define ATTACHE_DATADIR "/usr/local/share/attache"
#endif
#ifndef ATTACHE_SRCDIR
#define ATTACHE_SRCDIR "."
#endif

AttacheCode
attache_init(const char *argv0, GError **error)
{
	if (VIPS_INIT(argv0 ? argv0 : "attache"))
		return attache__vips_error(error, ATTACHE_E_INTERNAL,
			"cannot start libvips");

	/* Each photo is decoded once and never revisited: an operation cache
	 * would only hold on to memory across a long batch. */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	return ATTACHE_OK;
}

void
attache_shutdown(void)
{
	vips_shutdown();
}

void
attache_set_concurrency(int threads)
{
	vips_concurrency_set(threads > 0 ? threads : 0);
}

const char *
attache__builtin_preset_dir(void)
{
	/* An uninstalled build (make, make check) finds the source tree's
	 * presets/; an installed one, the data dir. ATTACHE_PRESET_DIR wins. */
	const char *env = g_getenv("ATTACHE_PRESET_DIR");
	if (env && *env)
		return env;
	if (g_file_test(ATTACHE_DATADIR "/presets", G_FILE_TEST_IS_DIR))
		return ATTACHE_DATADIR "/presets";
	return ATTACHE_SRCDIR "/presets";
}
