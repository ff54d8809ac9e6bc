/* SPDX-License-Identifier: MIT */
/* suggest.c: "did you mean" for a mistyped command, option or preset name:
 * the Damerau-Levenshtein distance (optimal string alignment, as git's
 * help.c and curl's tool do), over Unicode characters, case folded. */
#include "private.h"

#include <string.h>

/* names are short; longer words are not typos of one */
#define SUGGEST_MAX_CHARS 64
#define SUGGEST_DISTANCE 2

static glong
chars_of(const char *s, gunichar *out)
{
	g_autofree char *folded = g_utf8_casefold(s, -1);
	glong n = 0;
	for (const char *c = folded; *c && n < SUGGEST_MAX_CHARS + 1; c = g_utf8_next_char(c))
		out[n++] = g_utf8_get_char(c);
	return n;
}

guint
attache_edit_distance(const char *a, const char *b, guint max)
{
	if (!a || !b || !g_utf8_validate(a, -1, NULL) || !g_utf8_validate(b, -1, NULL))
		return max + 1;
	gunichar x[SUGGEST_MAX_CHARS + 1], y[SUGGEST_MAX_CHARS + 1];
	glong m = chars_of(a, x), n = chars_of(b, y);
	if (m > SUGGEST_MAX_CHARS || n > SUGGEST_MAX_CHARS || (guint)ABS(m - n) > max)
		return max + 1;
	/* three rows of the table: two back, one back, this one */
	guint rows[3][SUGGEST_MAX_CHARS + 1];
	guint *pp = rows[0], *p = rows[1], *c = rows[2];
	for (glong j = 0; j <= n; j++)
		p[j] = (guint)j;
	for (glong i = 1; i <= m; i++) {
		c[0] = (guint)i;
		guint best = c[0];
		for (glong j = 1; j <= n; j++) {
			guint cost = x[i - 1] != y[j - 1];
			guint d = MIN(MIN(p[j] + 1, c[j - 1] + 1), p[j - 1] + cost);
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
				d = MIN(d, pp[j - 2] + 1);
			c[j] = d;
			best = MIN(best, d);
		}
		if (best > max)
			return max + 1;
		guint *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return MIN(p[n], max + 1);
}

const char *
attache_suggest(const char *word, const char *const *candidates, gssize n)
{
	const char *best = NULL;
	guint best_d = SUGGEST_DISTANCE + 1;
	if (!word || !*word || !candidates)
		return NULL;
	glong len = g_utf8_validate(word, -1, NULL) ? g_utf8_strlen(word, -1) : 0;
	for (gssize i = 0; n < 0 ? candidates[i] != NULL : i < n; i++) {
		if (!candidates[i])
			continue;
		guint d = attache_edit_distance(word, candidates[i], SUGGEST_DISTANCE);
		if (d == 0)
			return NULL; /* not a typo */
		/* "ab" is two edits from any two-letter name: not a suggestion */
		if (d < best_d && (glong)d < len) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
