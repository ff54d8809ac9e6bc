/* SPDX-License-Identifier: MIT */
/*
 * audit-webp.c: WebP RIFF chunks.
 *
 * VP8, VP8L, VP8X, ALPH and ANIM are the image; ICCP is a profile; EXIF
 * and "XMP " are read (audit-exif.c, audit-xmp.c); every other chunk is
 * "other", as is anything after the RIFF size or a truncated chunk.
 */
#include "audit-int.h"

#include <string.h>

#define WEBP_MAX_CHUNKS 100000

void
audit__webp(AuditCtx *a, const guint8 *d, gsize n)
{
	gsize riff = (gsize)audit__le32(d + 4) + 8;
	/* a RIFF size below the header's own 12 bytes: read what is there */
	gsize end = MIN(MAX(riff, 12), n);
	gsize pos = 12;
	guint chunks = 0, frames = 0;

	while (end - pos >= 8 && chunks++ < WEBP_MAX_CHUNKS) {
		const guint8 *cc = d + pos;
		gsize len = audit__le32(d + pos + 4);
		g_autofree char *name = audit__printable(cc, 4);
		if (len > end - pos - 8) {
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"WebP chunk '%s' (truncated)", name);
			return;
		}
		const guint8 *body = d + pos + 8;
		char *saved;

		if (!memcmp(cc, "VP8 ", 4) || !memcmp(cc, "VP8L", 4) || !memcmp(cc, "VP8X", 4) || !memcmp(cc, "ALPH", 4) || !memcmp(cc, "ANIM", 4))
			;
		else if (!memcmp(cc, "ANMF", 4)) {
			/* frames after the first are other pictures */
			if (++frames == 2)
				audit__add(a, ATTACHE_KIND_OTHER,
					"WebP animation (more than one frame)", NULL);
		}
		else if (!memcmp(cc, "ICCP", 4))
			audit__icc(a, body, len, "WebP ICCP chunk");
		else if (!memcmp(cc, "EXIF", 4)) {
			if (audit__enter(a, "WebP EXIF chunk", &saved)) {
				audit__exif(a, body, len);
				audit__leave(a, saved);
			}
		}
		else if (!memcmp(cc, "XMP ", 4)) {
			if (audit__enter(a, "WebP XMP chunk", &saved)) {
				audit__xmp(a, body, len);
				audit__leave(a, saved);
			}
		}
		else {
			g_autofree char *v = g_strdup_printf("%zu bytes", len);
			audit__addf(a, ATTACHE_KIND_OTHER, v, "WebP chunk '%s'", name);
		}
		pos += 8 + len + (len & 1);
		if (pos > end)
			break; /* the last chunk's pad byte is missing: harmless */
	}
	if (riff < n) {
		gsize k = riff;
		while (k < n && d[k] == 0)
			k++;
		if (k < n) {
			g_autofree char *v = g_strdup_printf("%zu bytes", n - riff);
			audit__add(a, ATTACHE_KIND_OTHER, "WebP data after RIFF", v);
		}
	}
}
