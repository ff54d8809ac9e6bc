/* SPDX-License-Identifier: MIT */
/* init.c: library start-up and shut-down. */
#include "private.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

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

/* Process-wide malloc tuning, before any worker thread exists. */
static void
tune_malloc(void)
{
#ifdef __GLIBC__
	/* glibc gives each thread its own heap arena, 8 per core: with libvips'
	 * worker threads that multiplies the peak RSS for nothing */
	mallopt(M_ARENA_MAX, 2);
	/* glibc's defaults hand every freed pixel buffer back to the kernel
	 * (mmap above a moving threshold, trim above 128 KiB) and fault it in
	 * again for the next photo: a third of a batch's time went to page
	 * faults. Keep buffers up to 8 MiB on the heap and trim only beyond
	 * 32 MiB free; make bench checks that peak RSS stays flat. */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}

AttacheCode
attache_init(const char *argv0, GError **error)
{
	tune_malloc();
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

/* Set once libvips' threads are chosen, by the caller or the first batch:
 * libvips has one scheduler per process, so a later batch (a server runs
 * many) must not retune it under the ones still running. */
static gint concurrency_chosen;

void
attache_set_concurrency(int threads)
{
	g_atomic_int_set(&concurrency_chosen, 1);
	vips_concurrency_set(threads > 0 ? threads : 0);
}

void
attache__concurrency_default(int threads)
{
	if (g_atomic_int_compare_and_exchange(&concurrency_chosen, 0, 1))
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

const char *
attache__builtin_campaign_dir(void)
{
	/* as the presets: the data dir when installed (make install puts the
	 * example campaign there), else the source tree's campaigns/ */
	if (g_file_test(ATTACHE_DATADIR "/campaigns", G_FILE_TEST_IS_DIR))
		return ATTACHE_DATADIR "/campaigns";
	return ATTACHE_SRCDIR "/campaigns";
}
