/* SPDX-License-Identifier: MIT */
/* Unit tests for sha256.c: the digest is GLib's own (an independent
 * implementation), and a worker thread that hashed keeps no OpenSSL state
 * of its own afterwards.
 *
 * The second point is seen only under make asan: a batch worker that
 * g_thread_pool_free() has asked to stop can still be ending while the
 * process exits, after OpenSSL's exit handler has dropped its per-thread
 * keys, and any state the thread still held is then leaked. This test
 * builds that order on purpose: its own exit handler, registered before
 * OpenSSL's (so it runs after it), is the one that lets the worker end.
 * LeakSanitizer then fails the binary if the worker kept state. */
#include "testutil.h"

#include <stdlib.h>

static struct {
	GMutex lock;
	GCond cond;
	gboolean hashed, release;
	GThread *thread;
} worker;

static gpointer
hash_then_wait(gpointer data)
{
	GBytes *bytes = data;
	gsize len = 0;
	const void *p = g_bytes_get_data(bytes, &len);
	char *hex = attache__sha256_hex(p, len);
	g_autofree char *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		p, len);
	g_assert_cmpstr(hex, ==, want);
	g_free(hex);
	g_mutex_lock(&worker.lock);
	worker.hashed = TRUE;
	g_cond_broadcast(&worker.cond);
	while (!worker.release)
		g_cond_wait(&worker.cond, &worker.lock);
	g_mutex_unlock(&worker.lock);
	return NULL;
}

/* Runs at exit, after OpenSSL's own handler: the worker ends only now. */
static void
end_worker(void)
{
	if (!worker.thread)
		return;
	g_mutex_lock(&worker.lock);
	worker.release = TRUE;
	g_cond_broadcast(&worker.cond);
	g_mutex_unlock(&worker.lock);
	g_thread_join(worker.thread);
}

static void
test_digest_matches_glib(void)
{
	static const char *inputs[] = { "", "abc", "attache" };
	for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
		gsize n = strlen(inputs[i]);
		g_autofree char *hex = attache__sha256_hex(inputs[i], n);
		g_autofree char *want = g_compute_checksum_for_data(
			G_CHECKSUM_SHA256, (const guchar *)inputs[i], n);
		g_assert_cmpstr(hex, ==, want);
	}
	/* a megabyte of varied bytes, where SHA instructions take over */
	g_autofree guchar *big = g_malloc(1 << 20);
	for (guint i = 0; i < 1 << 20; i++)
		big[i] = (guchar)(i * 2654435761u >> 13);
	g_autofree char *hex = attache__sha256_hex(big, 1 << 20);
	g_autofree char *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		big, 1 << 20);
	g_assert_cmpstr(hex, ==, want);
}

static void
test_worker_alive_at_exit(void)
{
	GBytes *bytes = g_bytes_new_static("a photo's bytes", 15);
	worker.thread = g_thread_new("sha256-worker", hash_then_wait, bytes);
	g_mutex_lock(&worker.lock);
	while (!worker.hashed)
		g_cond_wait(&worker.cond, &worker.lock);
	g_mutex_unlock(&worker.lock);
	/* the worker is left waiting: end_worker() lets it go at exit */
}

int
main(int argc, char **argv)
{
	/* before any OpenSSL call, so that it runs after OpenSSL's handler */
	atexit(end_worker);
	g_test_init(&argc, &argv, NULL);
	/* first: OpenSSL must be initialised by the worker, as in a batch
	 * (its first call gives the calling thread an error queue) */
	g_test_add_func("/sha256/worker-alive-at-exit", test_worker_alive_at_exit);
	g_test_add_func("/sha256/digest-matches-glib", test_digest_matches_glib);
	return g_test_run();
}
