/* SPDX-License-Identifier: MIT */
/*
 * embed.c: splice attache's own EXIF and XMP into an encoded file.
 *
 * libvips 8.14 cannot be trusted with this: given an exif-data blob, its
 * savers update it with their own entries (Orientation, resolution,
 * ExifVersion ...). So the encoder writes pixels only (strip) and the blocks
 * built from the whitelist are inserted here, at the places each container
 * defines. No library in the stack does this for the three containers.
 *
 * JPEG: APP1 "Exif\0\0" then APP1 XMP, after SOI and any APP0 (JFIF).
 * PNG:  eXIf and iTXt "XML:com.adobe.xmp" chunks after IHDR.
 * WebP: a VP8X header with the EXIF/XMP flags, the image chunks (nothing
 *       else the encoder wrote), then the EXIF and "XMP " chunks.
 */
#include "private.h"

#include <string.h>
#include <zlib.h>

static const char XMP_NS[] = "http://ns.adobe.com/xap/1.0/";

static AttacheCode
too_big(GError **error, const char *what, gsize n)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
		"%s is %zu bytes, over the 64 KiB a JPEG segment can hold "
		"(shorten the alt text or long description)",
		what, n);
	return ATTACHE_E_ALT;
}

static void
jpeg_segment(GByteArray *o, guint8 marker, const void *prefix, gsize plen,
	const guint8 *data, gsize len)
{
	gsize seg = 2 + plen + len;
	guint8 h[4] = { 0xff, marker, (guint8)(seg >> 8), (guint8)seg };
	g_byte_array_append(o, h, 4);
	g_byte_array_append(o, prefix, (guint)plen);
	g_byte_array_append(o, data, (guint)len);
}

static AttacheCode
embed_jpeg(const guint8 *in, gsize n, GBytes *exif, GBytes *xmp,
	GByteArray *o, GError **error)
{
	if (n < 4 || in[0] != 0xff || in[1] != 0xd8)
		goto bad;
	gsize pos = 2;
	/* keep libjpeg's APP0 JFIF first, as JFIF requires */
	if (n >= pos + 4 && in[pos] == 0xff && in[pos + 1] == 0xe0) {
		gsize l = (gsize)(in[pos + 2] << 8 | in[pos + 3]);
		if (pos + 2 + l > n)
			goto bad;
		pos += 2 + l;
	}
	g_byte_array_append(o, in, (guint)pos);

	gsize len;
	const guint8 *d;
	if (exif) {
		d = g_bytes_get_data(exif, &len);
		if (len + 8 > 65533)
			return too_big(error, "EXIF", len);
		jpeg_segment(o, 0xe1, "Exif\0\0", 6, d, len);
	}
	if (xmp) {
		d = g_bytes_get_data(xmp, &len);
		if (len + sizeof(XMP_NS) + 2 > 65533)
			return too_big(error, "XMP (alt text)", len);
		jpeg_segment(o, 0xe1, XMP_NS, sizeof(XMP_NS), d, len);
	}
	g_byte_array_append(o, in + pos, (guint)(n - pos));
	return ATTACHE_OK;
bad:
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL,
		"embed: the encoder's JPEG does not start as expected");
	return ATTACHE_E_INTERNAL;
}

static void
png_chunk(GByteArray *o, const char *type, const guint8 *a, gsize alen,
	const guint8 *b, gsize blen)
{
	guint32 len = (guint32)(alen + blen);
	guint8 h[8] = { len >> 24, len >> 16, len >> 8, len, (guint8)type[0],
		(guint8)type[1], (guint8)type[2], (guint8)type[3] };
	g_byte_array_append(o, h, 8);
	if (alen)
		g_byte_array_append(o, a, (guint)alen);
	if (blen)
		g_byte_array_append(o, b, (guint)blen);
	uLong crc = crc32(0L, (const Bytef *)type, 4);
	if (alen)
		crc = crc32(crc, a, (uInt)alen);
	if (blen)
		crc = crc32(crc, b, (uInt)blen);
	guint8 c[4] = { crc >> 24, crc >> 16, crc >> 8, crc };
	g_byte_array_append(o, c, 4);
}

static AttacheCode
embed_png(const guint8 *in, gsize n, GBytes *exif, GBytes *xmp,
	GByteArray *o, GError **error)
{
	static const guint8 sig[8] = { 137, 'P', 'N', 'G', 13, 10, 26, 10 };
	/* signature + IHDR (8 + 4+4+13+4) */
	if (n < 33 || memcmp(in, sig, 8) != 0 || memcmp(in + 12, "IHDR", 4) != 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL,
			"embed: the encoder's PNG does not start as expected");
		return ATTACHE_E_INTERNAL;
	}
	g_byte_array_append(o, in, 33);
	gsize len;
	const guint8 *d;
	if (exif) {
		d = g_bytes_get_data(exif, &len);
		png_chunk(o, "eXIf", d, len, NULL, 0);
	}
	if (xmp) {
		/* keyword, NUL, compression flag 0, method 0, empty language tag
		 * and translated keyword (each NUL-terminated) */
		static const guint8 head[] = "XML:com.adobe.xmp\0\0\0\0\0";
		d = g_bytes_get_data(xmp, &len);
		png_chunk(o, "iTXt", head, sizeof(head) - 1, d, len);
	}
	g_byte_array_append(o, in + 33, (guint)(n - 33));
	return ATTACHE_OK;
}

static void
le32_put(guint8 *p, guint32 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
	p[2] = (guint8)(v >> 16);
	p[3] = (guint8)(v >> 24);
}

static guint32
le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static void
riff_chunk(GByteArray *o, const char *fourcc, const guint8 *d, gsize len)
{
	guint8 h[8];
	memcpy(h, fourcc, 4);
	le32_put(h + 4, (guint32)len);
	g_byte_array_append(o, h, 8);
	g_byte_array_append(o, d, (guint)len);
	if (len & 1) {
		guint8 pad = 0;
		g_byte_array_append(o, &pad, 1);
	}
}

static AttacheCode
embed_webp(const guint8 *in, gsize n, GBytes *exif, GBytes *xmp, int width,
	int height, GByteArray *o, GError **error)
{
	if (n < 20 || memcmp(in, "RIFF", 4) != 0 || memcmp(in + 8, "WEBP", 4) != 0)
		goto bad;

	guint8 riff[12];
	memcpy(riff, in, 12);
	g_byte_array_append(o, riff, 12);

	gsize pos = 12;
	gboolean have_vp8x = n >= pos + 18 && memcmp(in + pos, "VP8X", 4) == 0;
	guint8 flags = (exif ? 0x08 : 0) | (xmp ? 0x04 : 0);
	if (have_vp8x) {
		guint8 x[18];
		memcpy(x, in + pos, 18);
		/* ICC, EXIF and XMP flags: only what is added below */
		x[8] = (guint8)((x[8] & ~0x2c) | flags);
		g_byte_array_append(o, x, 18);
		pos += 18;
	}
	else {
		/* simple format (VP8 or VP8L alone): add the extended header */
		guint8 x[10] = { 0 };
		x[0] = flags;
		if (n >= pos + 8 && memcmp(in + pos, "VP8L", 4) == 0)
			x[0] |= 0x10; /* VP8L may carry alpha: say so, harmless */
		guint32 w1 = (guint32)width - 1, h1 = (guint32)height - 1;
		x[4] = (guint8)w1;
		x[5] = (guint8)(w1 >> 8);
		x[6] = (guint8)(w1 >> 16);
		x[7] = (guint8)h1;
		x[8] = (guint8)(h1 >> 8);
		x[9] = (guint8)(h1 >> 16);
		riff_chunk(o, "VP8X", x, 10);
	}
	/* The image chunks, as they are, and nothing else: libvips 8.14's
	 * webpsave writes an EXIF chunk even with strip (Orientation,
	 * resolution; the photo's whole EXIF, GPS included, when the image
	 * still carries it) and may write ICCP. */
	while (pos + 8 <= n) {
		gsize clen = le32(in + pos + 4);
		gsize total = 8 + clen + (clen & 1);
		if (pos + total > n)
			goto bad;
		const guint8 *cc = in + pos;
		if (!memcmp(cc, "VP8 ", 4) || !memcmp(cc, "VP8L", 4) || !memcmp(cc, "ALPH", 4) || !memcmp(cc, "ANIM", 4) || !memcmp(cc, "ANMF", 4))
			g_byte_array_append(o, in + pos, (guint)total);
		pos += total;
	}
	gsize len;
	const guint8 *d;
	if (exif) {
		d = g_bytes_get_data(exif, &len);
		riff_chunk(o, "EXIF", d, len);
	}
	if (xmp) {
		d = g_bytes_get_data(xmp, &len);
		riff_chunk(o, "XMP ", d, len);
	}
	le32_put(o->data + 4, (guint32)(o->len - 8));
	return ATTACHE_OK;
bad:
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL,
		"embed: the encoder's WebP is not as expected");
	return ATTACHE_E_INTERNAL;
}

AttacheCode
attache__embed(AttacheFormat format, guint8 **data, gsize *len, GBytes *exif,
	GBytes *xmp, int width, int height, GError **error)
{
	/* WebP always goes through: its encoder's own chunks are dropped */
	if (!exif && !xmp && format != ATTACHE_FORMAT_WEBP)
		return ATTACHE_OK;

	GByteArray *o = g_byte_array_sized_new((guint)*len + 70000);
	AttacheCode code;
	switch (format) {
	case ATTACHE_FORMAT_PNG:
		code = embed_png(*data, *len, exif, xmp, o, error);
		break;
	case ATTACHE_FORMAT_WEBP:
		code = embed_webp(*data, *len, exif, xmp, width, height, o, error);
		break;
	default:
		code = embed_jpeg(*data, *len, exif, xmp, o, error);
		break;
	}
	if (code) {
		g_byte_array_unref(o);
		return code;
	}
	g_free(*data);
	*len = o->len;
	*data = g_byte_array_free(o, FALSE);
	return ATTACHE_OK;
}
