/* SPDX-License-Identifier: MIT */
/*
 * pool.c: an exclusive GThreadPool whose free waits for its tasks. A wait
 * for its threads' end as well was tried and deadlocked nested pools
 * (GLib hands parked threads on); what follows says why it was wanted.
 *
 * g_thread_pool_free() waits for the tasks, then asks the threads to stop
 * and returns while they are still ending. A thread that detected faces
 * or read text ends by destroying its thread_local OpenCV, dlib and
 * Tesseract objects; when the CLI returns from main() meanwhile, exit()
 * destroys those libraries' statics at the same time. make asan saw a
 * worker's "attempting double-free" at the end of a prep run (the report
 * cut short by the exit) and OpenSSL state lost by a worker still ending
 * (sha256.c). Each thread that ran a task counts itself in; a GPrivate's
 * notify, which glibc runs after the thread's C++ thread_local
 * destructors, counts it out.
 */
#include "private.h"

struct AttachePool {
	GThreadPool *pool;
	GFunc func;
	gpointer data;
};

static void
run_task(gpointer task, gpointer user)
{
	AttachePool *p = user;
	p->func(task, p->data);
}

/* @threads exclusive threads running @func(task, @data). (transfer full) */
AttachePool *
attache__pool_new(GFunc func, gpointer data, int threads)
{
	AttachePool *p = g_new0(AttachePool, 1);
	p->func = func;
	p->data = data;
	p->pool = g_thread_pool_new(run_task, p, MAX(threads, 1), TRUE, NULL);
	return p;
}

/* Queues @task (transfer to @func). */
void
attache__pool_push(AttachePool *p, gpointer task)
{
	g_thread_pool_push(p->pool, task, NULL);
}

/* Runs every queued task, then frees @p (transfer full). */
void
attache__pool_free(AttachePool *p)
{
	g_thread_pool_free(p->pool, FALSE, TRUE);
	/* Not waiting for the threads' end: GLib parks a freed pool's threads
	 * among its unused ones, where another pool may take them up, so the
	 * wait deadlocked prep inside the desk's worker. */
	g_free(p);
}
