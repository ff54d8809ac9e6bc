/* SPDX-License-Identifier: MIT */
/* init.c: library start-up and shut-down. */
#include "private.h"

#ifndef ATTACHE_DATADIR
#define ATTACHE_DATADIR "/usr/local/share/attache"
#endif
#ifndef ATTACHE_SRCDIR
#define ATTACHE_SRCDIR "."
#endif

static AttacheLogFunc vips_log_func;
static gpointer vips_log_data;
/* the current thread's count of decoders that gave warnings, or NULL */
static GPrivate decoder_warnings;

/* libvips' loaders report some damage only as a warning when they are
 * freed ("read gave 1 warnings": libjpeg's in the last strip, after
 * fail_on's last look), in the thread that frees them. */
static void
on_vips_log(const char *domain, GLogLevelFlags level, const char *msg,
	gpointer data)
{
	int *count = g_private_get(&decoder_warnings);
	if (count && g_str_has_prefix(msg, "read gave "))
		(*count)++;
	if (vips_log_func)
		vips_log_func(msg, vips_log_data);
}

void
attache_set_vips_log(AttacheLogFunc func, gpointer user_data)
{
	vips_log_func = func;
	vips_log_data = user_data;
}

/* @count: (nullable): counts, until called again with NULL, the decoders
 * freed in this thread that gave warnings. */
void
attache__count_decoder_warnings(int *count)
{
	g_private_set(&decoder_warnings, count);
}

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
	g_log_set_handler("VIPS",
		G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, on_vips_log,
		NULL);
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
