/* SPDX-License-Identifier: MIT */
/*
 * pool.c: an exclusive GThreadPool with a count of the threads that ran
 * a task. Its free waits for the tasks only (see attache__pool_free): the
 * wait for the threads' end, tried below, deadlocked nested pools.
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
	GMutex lock;
	GCond ended;
	int live; /* threads that ran a task and have not ended */
};

/* At a member thread's end: its pool, @value, counts it out. */
static void
member_ended(gpointer value)
{
	AttachePool *p = value;
	g_mutex_lock(&p->lock);
	p->live--;
	g_cond_broadcast(&p->ended);
	g_mutex_unlock(&p->lock);
}

static GPrivate member = G_PRIVATE_INIT(member_ended);

static void
run_task(gpointer task, gpointer user)
{
	AttachePool *p = user;
	if (g_private_get(&member) != p) {
		g_mutex_lock(&p->lock);
		p->live++;
		g_mutex_unlock(&p->lock);
		g_private_set(&member, p);
	}
	p->func(task, p->data);
}

/* @threads exclusive threads running @func(task, @data). (transfer full) */
AttachePool *
attache__pool_new(GFunc func, gpointer data, int threads)
{
	AttachePool *p = g_new0(AttachePool, 1);
	p->func = func;
	p->data = data;
	g_mutex_init(&p->lock);
	g_cond_init(&p->ended);
	p->pool = g_thread_pool_new(run_task, p, MAX(threads, 1), TRUE, NULL);
	return p;
}

/* Queues @task (transfer to @func). */
void
attache__pool_push(AttachePool *p, gpointer task)
{
	g_thread_pool_push(p->pool, task, NULL);
}

/* Runs every queued task, waits until each thread that ran one has ended,
 * then frees @p (transfer full). */
void
attache__pool_free(AttachePool *p)
{
	g_thread_pool_free(p->pool, FALSE, TRUE);
	/* Not waiting for the threads' end: GLib parks a freed pool's threads
	 * among its unused ones, where a server's pool (or the next photo's)
	 * may take them up, so the wait deadlocked prep inside the desk's
	 * worker (test_serve keep-originals and kill -9 hung). @live is kept
	 * for the record only. */
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->ended);
	g_free(p);
}
