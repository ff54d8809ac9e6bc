/* SPDX-License-Identifier: MIT */
/* progress.c: done/total, rate and ETA on stderr, redrawn in place. Only on
 * a terminal: a pipe or a log file gets none of it. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

static struct {
	gboolean on;
	int total, done;
	gint64 start;
	gboolean drawn;
} bar;

void
cli_progress_start(int total, gboolean enabled)
{
	bar.on = enabled && total > 1 && isatty(STDERR_FILENO);
	bar.total = total;
	bar.done = 0;
	bar.start = g_get_monotonic_time();
	g_mutex_lock(cli_term_lock());
	cli_progress_redraw_locked();
	g_mutex_unlock(cli_term_lock());
}

void
cli_progress_clear_locked(void)
{
	if (bar.on && bar.drawn) {
		fputs("\r\033[K", stderr);
		bar.drawn = FALSE;
	}
}

void
cli_progress_redraw_locked(void)
{
	if (!bar.on)
		return;
	const int width = 24;
	int fill = bar.total ? bar.done * width / bar.total : 0;
	double secs = (g_get_monotonic_time() - bar.start) / 1e6;
	double rate = secs > 0 ? bar.done / secs : 0;
	char eta[32] = "--";
	if (rate > 0 && bar.done < bar.total) {
		int left = (int)((bar.total - bar.done) / rate + 0.5);
		g_snprintf(eta, sizeof(eta), "%dm%02ds", left / 60, left % 60);
	}
	else if (bar.done == bar.total)
		g_snprintf(eta, sizeof(eta), "done");
	fputs("\r\033[K[", stderr);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %d/%d  %.1f photos/s  ETA %s", bar.done, bar.total,
		rate, eta);
	fflush(stderr);
	bar.drawn = TRUE;
}

void
cli_progress_step(void)
{
	g_mutex_lock(cli_term_lock());
	bar.done++;
	cli_progress_redraw_locked();
	g_mutex_unlock(cli_term_lock());
}

void
cli_progress_end(void)
{
	g_mutex_lock(cli_term_lock());
	cli_progress_clear_locked();
	bar.on = FALSE;
	g_mutex_unlock(cli_term_lock());
}
