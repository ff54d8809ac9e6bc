/* SPDX-License-Identifier: MIT */
/*
 * audit-jpeg.c: JPEG segments.
 *
 * Walks the markers from SOI to EOI (skipping entropy-coded data after
 * each SOS) and looks at every APPn and COM segment:
 *
 *   APP0 JFIF/JFXX   only a thumbnail inside is a finding
 *   APP1 Exif        EXIF (audit-exif.c)
 *   APP1 XMP         XMP, and extended XMP reassembled from its chunks
 *   APP2 ICC_PROFILE icc;  APP2 MPF: more than one image is a preview
 *   APP13 Photoshop  IRB with IPTC (audit-iptc.c)
 *   APP14 Adobe      colour transform flag: image structure
 *   COM              free text
 *   any other APPn   other
 *
 * Data after EOI is a preview (MPF gain maps, vendor trailers), unless it
 * is zero padding. Segment lengths are checked against the bytes left; a
 * truncated segment is an "other" finding and ends the walk.
 */
#include "audit-int.h"

#include <string.h>

static const char XMP_ID[] = "http://ns.adobe.com/xap/1.0/";
static const char XMP_EXT_ID[] = "http://ns.adobe.com/xmp/extension/";

#define MAX_EXT_XMP 4 /* extended XMP packets (GUIDs) reassembled */

typedef struct {
	char guid[33];
	guint8 *data; /* full length, zero-filled until chunks arrive */
	gsize len;
} ExtXmp;

static char *
app_ident(const guint8 *p, gsize n)
{
	gsize k = 0;
	while (k < n && k < 32 && p[k] >= 0x20 && p[k] < 0x7f)
		k++;
	return k ? g_strndup((const char *)p, k) : g_strdup("");
}

/* JPEG APP2 "MPF\0": a TIFF-structured index of the images in the file.
 * NumberOfImages (0xB001) above one means a second image: a preview, or
 * a gain map made from the same frame. */
static void
mpf(AuditCtx *a, const guint8 *p, gsize n)
{
	if (n < 8 || (memcmp(p, "II*\0", 4) != 0 && memcmp(p, "MM\0*", 4) != 0)) {
		audit__add(a, ATTACHE_KIND_OTHER, "JPEG APP2 MPF (unreadable)", NULL);
		return;
	}
	gboolean le = p[0] == 'I';
	guint32 off = le ? audit__le32(p + 4) : audit__be32(p + 4);
	guint32 images = 0;
	if (off >= 8 && off <= n - 2) {
		guint16 count = le ? audit__le16(p + off) : audit__be16(p + off);
		for (guint i = 0; i < count && off + 2 + 12 * (gsize)(i + 1) <= n;
			 i++) {
			const guint8 *e = p + off + 2 + 12 * i;
			guint16 tag = le ? audit__le16(e) : audit__be16(e);
			if (tag == 0xb001)
				images = le ? audit__le32(e + 8) : audit__be32(e + 8);
		}
	}
	g_autofree char *v = g_strdup_printf("%u images", images);
	if (images > 1)
		audit__add(a, ATTACHE_KIND_THUMBNAIL,
			"JPEG APP2 MPF (second image: preview or gain map)", v);
	else
		audit__add(a, ATTACHE_KIND_OTHER, "JPEG APP2 MPF", v);
}

static void
ext_xmp_chunk(AuditCtx *a, ExtXmp *ext, guint *n_ext, const guint8 *p,
	gsize n)
{
	/* GUID (32 hex), full length, offset, data */
	if (n < 40) {
		audit__add(a, ATTACHE_KIND_OTHER,
			"JPEG APP1 extended XMP (damaged chunk)", NULL);
		return;
	}
	char guid[33];
	memcpy(guid, p, 32);
	guid[32] = '\0';
	guint32 full = audit__be32(p + 32), off = audit__be32(p + 36);
	const guint8 *chunk = p + 40;
	gsize clen = n - 40;

	ExtXmp *e = NULL;
	for (guint i = 0; i < *n_ext; i++)
		if (strcmp(ext[i].guid, guid) == 0)
			e = &ext[i];
	if (!e) {
		if (*n_ext >= MAX_EXT_XMP || full == 0 || full > AUDIT_MAX_XMP) {
			g_autofree char *v = g_strdup_printf("%u bytes", full);
			audit__add(a, ATTACHE_KIND_OTHER,
				"JPEG APP1 extended XMP (not read)", v);
			return;
		}
		e = &ext[(*n_ext)++];
		memcpy(e->guid, guid, 33);
		e->len = full;
		e->data = g_malloc0(full);
	}
	if (full != e->len || off > e->len || clen > e->len - off) {
		audit__add(a, ATTACHE_KIND_OTHER,
			"JPEG APP1 extended XMP (chunk out of range)", NULL);
		return;
	}
	memcpy(e->data + off, chunk, clen);
}

/* What one walk of a stream keeps between segments. */
typedef struct {
	AuditCtx *a;
	ExtXmp ext[MAX_EXT_XMP];
	guint n_ext;
	gboolean icc_seen;
} JWalk;

/* APP0: JFIF (a thumbnail when it gives one's size), JFXX, or other. */
static void
app0(AuditCtx *a, const guint8 *p, gsize pl, const char *ident)
{
	/* JFIF: thumbnail width x height at bytes 12, 13 */
	if (pl >= 14 && memcmp(p, "JFIF\0", 5) == 0) {
		if (p[12] && p[13])
			audit__addf(a, ATTACHE_KIND_THUMBNAIL, NULL,
				"JPEG APP0 JFIF thumbnail (%ux%u)", p[12], p[13]);
	}
	else if (pl >= 5 && memcmp(p, "JFXX\0", 5) == 0)
		audit__add(a, ATTACHE_KIND_THUMBNAIL, "JPEG APP0 JFXX thumbnail",
			NULL);
	else
		audit__addf(a, ATTACHE_KIND_OTHER, NULL, "JPEG APP0 segment (%s)",
			ident);
}

/* APP2 ICC_PROFILE chunks (seq, count): named once, described when whole. */
static void
app2_icc(JWalk *w, const guint8 *p, gsize pl)
{
	if (w->icc_seen)
		return;
	w->icc_seen = TRUE;
	if (p[13] == 1)
		audit__icc(w->a, p + 14, pl - 14, "JPEG APP2 ICC profile");
	else
		audit__addf(w->a, ATTACHE_KIND_ICC, NULL,
			"JPEG APP2 ICC profile (%u chunks)", p[13]);
}

static gboolean
starts(const guint8 *p, gsize pl, const char *id, gsize id_len)
{
	return pl >= id_len && memcmp(p, id, id_len) == 0;
}

/* Records the segment with marker @m and payload @p of @pl bytes. */
static void
segment(JWalk *w, guint8 m, const guint8 *p, gsize pl)
{
	AuditCtx *a = w->a;
	gboolean app = m >= 0xe0 && m <= 0xef;
	g_autofree char *ident = app ? app_ident(p, pl) : NULL;

	if (m == 0xe0)
		app0(a, p, pl, ident);
	else if (m == 0xe1 && pl >= 6 && memcmp(p, "Exif\0", 5) == 0)
		audit__exif(a, p, pl);
	else if (m == 0xe1 && starts(p, pl, XMP_ID, sizeof(XMP_ID)))
		audit__xmp(a, p + sizeof(XMP_ID), pl - sizeof(XMP_ID));
	else if (m == 0xe1 && starts(p, pl, XMP_EXT_ID, sizeof(XMP_EXT_ID)))
		ext_xmp_chunk(a, w->ext, &w->n_ext, p + sizeof(XMP_EXT_ID),
			pl - sizeof(XMP_EXT_ID));
	else if (m == 0xe2 && pl >= 14 && memcmp(p, "ICC_PROFILE\0", 12) == 0)
		app2_icc(w, p, pl);
	else if (m == 0xe2 && starts(p, pl, "MPF\0", 4))
		mpf(a, p + 4, pl - 4);
	else if (m == 0xed && starts(p, pl, "Photoshop 3.0\0", 14)) {
		audit__add(a, ATTACHE_KIND_IPTC, "JPEG APP13 Photoshop IRB", NULL);
		audit__irb(a, p + 14, pl - 14);
	}
	else if (m == 0xee && starts(p, pl, "Adobe", 5))
		; /* colour transform: image structure */
	else if (app)
		audit__addf(a, ATTACHE_KIND_OTHER, NULL, "JPEG APP%d segment (%s)",
			m - 0xe0, ident);
	else if (m == 0xfe) {
		g_autofree char *v = audit__printable(p, pl);
		audit__add(a, ATTACHE_KIND_FREETEXT, "JPEG COM segment", v);
	}
}

/* Entropy-coded data after an SOS at @pos: returns the offset of the next
 * marker that is not a stuffed 0xFF00 or a restart marker, or @n. */
static gsize
skip_scan(const guint8 *d, gsize n, gsize pos)
{
	while (pos < n) {
		const guint8 *ff = memchr(d + pos, 0xff, n - pos);
		if (!ff)
			return n;
		pos = (gsize)(ff - d);
		if (pos + 1 >= n)
			return n;
		guint8 c = d[pos + 1];
		if (c == 0x00 || c == 0xff || (c >= 0xd0 && c <= 0xd7))
			pos += c == 0xff ? 1 : 2;
		else
			return pos;
	}
	return pos;
}

/* The extended XMP packets, whole now, each read as XMP. */
static void
ext_xmp_read(JWalk *w)
{
	for (guint i = 0; i < w->n_ext; i++) {
		char *saved;
		if (audit__enter(w->a, "JPEG APP1 extended XMP", &saved)) {
			audit__xmp(w->a, w->ext[i].data, w->ext[i].len);
			audit__leave(w->a, saved);
		}
		g_free(w->ext[i].data);
	}
}

/* One JPEG stream from SOI; returns the offset after its EOI, or 0 when
 * the stream ends without one. */
static gsize
walk(AuditCtx *a, const guint8 *d, gsize n)
{
	JWalk w = { .a = a };
	gboolean stray_seen = FALSE;
	gsize pos = 2, eoi = 0;

	while (pos < n) {
		if (d[pos] != 0xff) {
			/* bytes outside any segment: decoders skip them, so may
			 * anything else hidden there; find the next marker */
			if (!stray_seen) {
				audit__addf(a, ATTACHE_KIND_OTHER, NULL,
					"JPEG stray data at byte %zu", pos);
				stray_seen = TRUE;
			}
			const guint8 *ff = memchr(d + pos, 0xff, n - pos);
			if (!ff)
				break;
			pos = (gsize)(ff - d);
			continue;
		}
		while (pos + 1 < n && d[pos + 1] == 0xff)
			pos++; /* fill bytes */
		if (pos + 1 >= n)
			break;
		guint8 m = d[pos + 1];
		if (m == 0xd9) {
			eoi = pos + 2;
			break;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7) || m == 0x00) {
			pos += 2;
			continue;
		}
		if (n - pos < 4) {
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"JPEG marker 0x%02X (truncated)", m);
			break;
		}
		gsize len = audit__be16(d + pos + 2);
		if (len < 2 || len > n - pos - 2) {
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"JPEG %s0x%02X segment (truncated: %zu bytes declared, %zu "
				"left)",
				m >= 0xe0 && m <= 0xef ? "APP " : "", m, len, n - pos - 2);
			break;
		}
		segment(&w, m, d + pos + 4, len - 2);
		pos += 2 + len;
		if (m == 0xda)
			pos = skip_scan(d, n, pos);
	}
	ext_xmp_read(&w);
	return eoi;
}

void
audit__jpeg(AuditCtx *a, const guint8 *d, gsize n)
{
	gsize eoi = walk(a, d, n);
	if (!eoi || eoi >= n)
		return;

	/* after the end of the image */
	const guint8 *t = d + eoi;
	gsize tl = n - eoi, k = 0;
	while (k < tl && (t[k] == 0x00 || t[k] == 0xff))
		k++;
	if (k == tl)
		return; /* padding only */
	g_autofree char *v = g_strdup_printf("%zu bytes", tl);
	gboolean image = tl - k >= 3 && t[k] == 0xd8 && k > 0 && t[k - 1] == 0xff;
	audit__add(a, ATTACHE_KIND_THUMBNAIL,
		image ? "JPEG data after end of image (another JPEG)"
			  : "JPEG data after end of image",
		v);
	/* a JPEG there may carry its own EXIF: read it too, one level */
	if (image) {
		char *saved;
		if (audit__enter(a, "JPEG after end of image", &saved)) {
			audit__jpeg(a, t + k - 1, tl - k + 1);
			audit__leave(a, saved);
		}
	}
}
