/* SPDX-License-Identifier: MIT */
/* msgs.c: every message the tool writes goes through here (curl's
 * tool_msgs.c): one line at a time, under a lock, so worker threads and the
 * progress bar never tear each other's lines. Every message is escaped
 * with attache_escape_text() (control and bidi characters). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

static GMutex term_lock;
static gboolean verbose;

GMutex *
cli_term_lock(void)
{
	return &term_lock;
}

void
cli_set_verbose(gboolean v)
{
	verbose = v;
}

gboolean
cli_verbose(void)
{
	return verbose;
}

static void
emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	g_autofree char *raw = g_strdup_vprintf(fmt, ap);
	/* results on stdout may be JSON lines, which must stay UTF-8 JSON:
	 * a byte that is not UTF-8 becomes U+FFFD there, \xNN in messages */
	g_autofree char *text = f == stdout ? attache_display_name(raw) : NULL;
	/* names come from whoever wrote the files: no escape sequence, line
	 * break or bidi override of theirs reaches the terminal or a log */
	g_autofree char *msg = attache_escape_text(text ? text : raw);
	g_mutex_lock(&term_lock);
	cli_progress_clear_locked();
	fprintf(f, "%s%s\n", prefix, msg);
	fflush(f);
	cli_progress_redraw_locked();
	g_mutex_unlock(&term_lock);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stderr, "attache: ", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stderr, "attache: warning: ", fmt, ap);
	va_end(ap);
}

void
cli_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stderr, "", fmt, ap);
	va_end(ap);
}

void
cli_out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stdout, "", fmt, ap);
	va_end(ap);
}
