/* SPDX-License-Identifier: MIT */
/*
 * budget.c: the memory budget of a batch (--max-memory, docs/prep.md).
 *
 * Each photo's decode is estimated from its header before a pixel is
 * decoded, and taken from the budget the photos of one batch (prep -j, a
 * hot folder's workers) share. A photo that fits in what is free starts at
 * once; one that does not waits until every other photo has finished and
 * then runs alone (no other photo starts meanwhile, so it cannot starve);
 * one that needs more than the whole budget is refused, naming the file.
 */
#include "private.h"

#include <math.h>
#include <string.h>

struct _AttacheMemoryBudget {
	gint ref;
	gint64 total;
	GMutex lock;
	GCond changed;
	gint64 used;	/* by the photos running */
	int waiting;	/* photos waiting to run alone */
	gboolean alone; /* a photo is running alone */
};

AttacheMemoryBudget *
attache_memory_budget_new(gint64 bytes)
{
	AttacheMemoryBudget *b = g_new0(AttacheMemoryBudget, 1);
	b->ref = 1;
	b->total = bytes > 0 ? bytes : ATTACHE_DEFAULT_MAX_MEMORY;
	g_mutex_init(&b->lock);
	g_cond_init(&b->changed);
	return b;
}

AttacheMemoryBudget *
attache_memory_budget_ref(AttacheMemoryBudget *b)
{
	g_atomic_int_inc(&b->ref);
	return b;
}

void
attache_memory_budget_unref(AttacheMemoryBudget *b)
{
	if (!b || !g_atomic_int_dec_and_test(&b->ref))
		return;
	g_mutex_clear(&b->lock);
	g_cond_clear(&b->changed);
	g_free(b);
}

gint64
attache_memory_budget_total(const AttacheMemoryBudget *b)
{
	return b->total;
}

/* "512M", "2G", "64MiB", "1048576": K, M, G (and KiB, MiB, GiB, KB, MB,
 * GB) are powers of 1024, as memory is counted. */
gboolean
attache_size_from_string(const char *s, gint64 *out)
{
	char *end;
	if (!s)
		return FALSE;
	double v = g_ascii_strtod(s, &end);
	if (end == s || !(v > 0))
		return FALSE;
	while (*end == ' ')
		end++;
	static const struct {
		const char *suffix;
		double mul;
	} units[] = {
		{ "", 1 },
		{ "b", 1 },
		{ "k", 1024.0 },
		{ "kb", 1024.0 },
		{ "kib", 1024.0 },
		{ "m", 1048576.0 },
		{ "mb", 1048576.0 },
		{ "mib", 1048576.0 },
		{ "g", 1073741824.0 },
		{ "gb", 1073741824.0 },
		{ "gib", 1073741824.0 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(units); i++)
		if (!g_ascii_strcasecmp(end, units[i].suffix)) {
			double bytes = v * units[i].mul;
			if (!(bytes >= 1 && bytes < 9e18))
				return FALSE;
			*out = (gint64)bytes;
			return TRUE;
		}
	return FALSE;
}

AttacheCode
attache__memory_take(AttacheMemoryBudget *b, const char *path, gint64 need,
	AttacheMemoryHold *hold, GError **error)
{
	hold->budget = NULL;
	hold->bytes = 0;
	if (!b)
		return ATTACHE_OK;
	if (need > b->total) {
		g_autofree char *n = g_format_size_full((guint64)need,
			G_FORMAT_SIZE_IEC_UNITS);
		g_autofree char *t = g_format_size_full((guint64)b->total,
			G_FORMAT_SIZE_IEC_UNITS);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_LIMIT,
			"%s: decoding it needs about %s, more than the whole memory "
			"budget of %s (refused before decoding; see --max-memory)",
			path, n, t);
		return ATTACHE_E_LIMIT;
	}
	g_mutex_lock(&b->lock);
	if (need > b->total - b->used) {
		/* does not fit in what is free: wait for the others to finish,
		 * then run alone; photos arriving meanwhile queue behind it */
		b->waiting++;
		while (b->used > 0 || b->alone)
			g_cond_wait(&b->changed, &b->lock);
		b->waiting--;
		b->alone = TRUE;
		b->used = need;
	}
	else {
		/* fits, but never ahead of a photo waiting to run alone */
		while (b->alone || b->waiting || b->used + need > b->total)
			g_cond_wait(&b->changed, &b->lock);
		b->used += need;
	}
	g_mutex_unlock(&b->lock);
	hold->budget = b;
	hold->bytes = need;
	return ATTACHE_OK;
}

void
attache__memory_hold_clear(AttacheMemoryHold *hold)
{
	AttacheMemoryBudget *b = hold->budget;
	if (!b)
		return;
	g_mutex_lock(&b->lock);
	b->used -= hold->bytes;
	if (b->alone)
		b->alone = FALSE;
	g_cond_broadcast(&b->changed);
	g_mutex_unlock(&b->lock);
	hold->budget = NULL;
	hold->bytes = 0;
}
