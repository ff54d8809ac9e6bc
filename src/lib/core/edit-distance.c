/* SPDX-License-Identifier: MIT */
/*
 * edit-distance.c: how far apart two names are, for "did you mean" (a row
 * of the alt-text manifest that names no photo of the batch).
 */
#include "private.h"

/* The Levenshtein distance between @a and @b (UTF-8, compared by code
 * point, case-sensitive), or @max + 1 when it is larger than @max (names
 * longer than 256 code points are not compared). Both borrowed. */
int
attache__edit_distance(const char *a, const char *b, int max)
{
	glong la = g_utf8_strlen(a, -1), lb = g_utf8_strlen(b, -1);
	if (la > 256 || lb > 256 || ABS(la - lb) > max)
		return max + 1;
	g_autofree gunichar *ua = g_utf8_to_ucs4_fast(a, -1, NULL);
	g_autofree gunichar *ub = g_utf8_to_ucs4_fast(b, -1, NULL);
	g_autofree int *row = g_new(int, lb + 1);
	for (glong j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (glong i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (glong j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = ua[i - 1] == ub[j - 1] ? 0 : 1;
			row[j] = MIN(MIN(up + 1, row[j - 1] + 1), diag + cost);
			diag = up;
		}
	}
	return MIN(row[lb], max + 1);
}
