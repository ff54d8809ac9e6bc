/* SPDX-License-Identifier: MIT */
/*
 * audit-icc.c: an ICC profile as one "icc" finding that names it. Called
 * by the walkers of every container that carries a profile.
 */
#include "audit-int.h"

#include <string.h>

/* ICC: the profile's description ('desc' tag, as text or mluc) names it,
 * so "Display P3" or "sRGB IEC61966-2.1" shows in the report. */
static char *
icc_description(const guint8 *d, gsize n)
{
	if (n < 132 || memcmp(d + 36, "acsp", 4) != 0)
		return NULL;
	guint32 count = audit__be32(d + 128);
	for (guint32 i = 0; i < count && i < 256 && 132 + 12 * (gsize)(i + 1) <= n;
		 i++) {
		const guint8 *t = d + 132 + 12 * i;
		if (memcmp(t, "desc", 4) != 0)
			continue;
		guint32 off = audit__be32(t + 4), len = audit__be32(t + 8);
		if (off > n || len > n - off || len < 12)
			return NULL;
		const guint8 *e = d + off;
		if (memcmp(e, "desc", 4) == 0) {
			guint32 sl = audit__be32(e + 8);
			if (sl > len - 12)
				sl = len - 12;
			return audit__printable(e + 12, sl);
		}
		if (memcmp(e, "mluc", 4) == 0 && len >= 28) {
			guint32 rlen = audit__be32(e + 20), roff = audit__be32(e + 24);
			if (roff > len || rlen > len - roff || rlen > 512)
				return NULL;
			/* UTF-16BE to UTF-8, by hand: the length is even and small */
			gunichar2 buf[256];
			guint k = 0;
			for (guint32 j = 0; j + 1 < rlen && k < G_N_ELEMENTS(buf); j += 2)
				buf[k++] = audit__be16(e + roff + j);
			char *u = g_utf16_to_utf8(buf, k, NULL, NULL, NULL);
			char *p = u ? audit__printable((const guint8 *)u, strlen(u))
						: NULL;
			g_free(u);
			return p;
		}
		return NULL;
	}
	return NULL;
}

void
audit__icc(AuditCtx *a, const guint8 *d, gsize n, const char *where)
{
	g_autofree char *desc = icc_description(d, n);
	g_autofree char *value = desc ? g_strdup_printf("%s, %zu bytes", desc, n)
								  : g_strdup_printf("%zu bytes", n);
	audit__add(a, ATTACHE_KIND_ICC, where, value);
}
