/* SPDX-License-Identifier: MIT */
/*
 * fuzz-exif.c: libFuzzer target for the metadata reading path of the
 * writer (`make fuzz`): attache__kept_read() on an EXIF block and an XMP
 * packet, attache__exif_orientation() and attache__heif_has_transform().
 *
 * Input: byte 0 the keep flags, bytes 1-2 the EXIF length (big-endian;
 * 0xFFFF: the rest is a whole TIFF file, zero-padded past 64 KiB), then
 * the EXIF block, then the XMP packet. The whole input after the
 * header also goes to the HEIF box reader.
 *
 * Beyond "no crash": whatever the input, the blocks the writer builds from
 * what it kept must audit clean of every forbidden kind. That is the
 * whitelist's promise, checked here against the independent reader.
 */
#include "private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Wraps @block in a minimal JPEG (SOI, APP1 with @prefix, EOI) and fails
 * when the audit finds anything forbidden in it. */
static void
fuzz_exif_check_clean(GBytes *block, const char *prefix, gsize plen)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(block, &n);
	if (n + plen + 2 > 65535)
		return; /* embed.c refuses these */
	GByteArray *j = g_byte_array_new();
	gsize seg = n + plen + 2;
	guint8 h[6] = { 0xff, 0xd8, 0xff, 0xe1, (guint8)(seg >> 8), (guint8)seg };
	g_byte_array_append(j, h, 6);
	g_byte_array_append(j, (const guint8 *)prefix, (guint)plen);
	g_byte_array_append(j, d, (guint)n);
	g_byte_array_append(j, (const guint8 *)"\xff\xd9", 2);
	AttacheAuditReport *r = NULL;
	if (attache_audit_buffer(j->data, j->len, &r, NULL) != ATTACHE_OK || (r->kinds & ATTACHE_KINDS_FORBIDDEN))
		abort();
	attache_audit_report_free(r);
	g_byte_array_unref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	guint keep = data[0] & (ATTACHE_KEEP_CREDIT | ATTACHE_KEEP_DATETIME | ATTACHE_KEEP_CAMERA);
	gsize elen = (gsize)data[1] << 8 | data[2];
	data += 3;
	size -= 3;
	/* 0xFFFF: the rest is a whole TIFF file, zero-padded past 64 KiB so
	 * that exif.c reads it itself (kept_from_tiff), not with libexif */
	g_autofree guint8 *padded = NULL;
	const guint8 *block = data;
	if (elen == 0xffff) {
		elen = MAX(size, (gsize)0x10000);
		padded = g_malloc0(elen);
		memcpy(padded, data, size);
		block = padded;
		size = elen;
	}
	if (elen > size)
		elen = size;

	AttacheKept *k = attache__kept_read(elen ? block : NULL, elen,
		size > elen ? (const char *)block + elen : NULL, size - elen, keep);
	GBytes *exif = attache__exif_build(k);
	GBytes *xmp = attache__xmp_build(k, NULL, NULL);
	if (exif) {
		fuzz_exif_check_clean(exif, "Exif\0\0", 6);
		g_bytes_unref(exif);
	}
	if (xmp) {
		static const char ns[] = "http://ns.adobe.com/xap/1.0/";
		fuzz_exif_check_clean(xmp, ns, sizeof(ns));
		g_bytes_unref(xmp);
	}
	attache__kept_free(k);

	int o = attache__exif_orientation(block, elen);
	if (o < 1 || o > 8)
		abort();
	(void)attache__heif_has_transform(block, size);
	return 0;
}
