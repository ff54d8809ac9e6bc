/* SPDX-License-Identifier: MIT */
/*
 * audit-png.c: PNG chunks, with libpng.
 *
 * Two passes. A bounded walk of the chunk list sees every chunk as stored
 * (where it is, duplicates, truncation, data after IEND) and copies all but
 * the image data into a small stream. libpng then reads that stream's
 * metadata without decoding a pixel: text chunks (tEXt, zTXt, iTXt, the
 * compressed ones inflated under libpng's memory limit) and every chunk it
 * does not know, through the unknown-chunk callback. eXIf and iCCP are read
 * from the walk, as libpng keeps only the first of each.
 *
 * Text: "XML:com.adobe.xmp" is XMP; ImageMagick's "Raw profile type
 * exif/xmp/iptc/8bim/icc" hex profiles are decoded and read as what they
 * hold; any other text is free text (attache writes none).
 */
#include "audit-int.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>

#define PNG_MAX_CHUNKS 100000
#define PNG_MAX_TEXT (1u << 24) /* libpng's limit for one inflated chunk */

typedef struct {
	AuditCtx *a;
	const guint8 *d;
	gsize n, pos;
} Stream;

static void
png_read_mem(png_structp png, png_bytep out, size_t len)
{
	Stream *s = png_get_io_ptr(png);
	if (len > s->n - s->pos)
		png_error(png, "read past the end");
	memcpy(out, s->d + s->pos, len);
	s->pos += len;
}

static void
png_err(png_structp png, png_const_charp msg)
{
	char *dst = png_get_error_ptr(png);
	g_strlcpy(dst, msg ? msg : "libpng error", 128);
	png_longjmp(png, 1);
}

static void
png_warn(png_structp png, png_const_charp msg)
{
}

static int
unknown_chunk(png_structp png, png_unknown_chunkp c)
{
	Stream *s = png_get_user_chunk_ptr(png);
	char type[5];
	memcpy(type, c->name, 4);
	type[4] = '\0';
	g_autofree char *t = audit__printable((const guint8 *)type, 4);
	g_autofree char *v = g_strdup_printf("%zu bytes", (gsize)c->size);
	audit__addf(s->a, ATTACHE_KIND_OTHER, v, "PNG chunk '%s'", t);
	return 1; /* handled: libpng need not keep it */
}

/* ImageMagick: "\n<name>\n<spaces><length>\n" then hex, 72 per line */
static guint8 *
raw_profile(const char *text, gsize tl, gsize *out_len)
{
	const char *p = text, *end = text + tl;
	while (p < end && *p == '\n')
		p++;
	while (p < end && *p != '\n')
		p++; /* name */
	while (p < end && (*p == '\n' || *p == ' '))
		p++;
	guint64 len = 0;
	while (p < end && g_ascii_isdigit(*p) && len <= AUDIT_MAX_XMP)
		len = len * 10 + (guint64)(*p++ - '0');
	if (len == 0 || len > AUDIT_MAX_XMP || len > tl)
		return NULL;
	guint8 *buf = g_malloc(len);
	gsize k = 0;
	int hi = -1;
	for (; p < end && k < len; p++) {
		int v = g_ascii_xdigit_value(*p);
		if (v < 0)
			continue;
		if (hi < 0)
			hi = v;
		else {
			buf[k++] = (guint8)(hi << 4 | v);
			hi = -1;
		}
	}
	*out_len = k;
	return buf;
}

static void
text_chunk(AuditCtx *a, const png_text *t)
{
	const char *type = t->compression == PNG_TEXT_COMPRESSION_NONE	 ? "tEXt"
					   : t->compression == PNG_TEXT_COMPRESSION_zTXt ? "zTXt"
																	 : "iTXt";
	const char *key = t->key ? t->key : "";
	const char *text = t->text ? t->text : "";
	gsize tl = strlen(text);
	g_autofree char *k = audit__printable((const guint8 *)key, strlen(key));
	g_autofree char *where = g_strdup_printf("PNG %s '%s'", type, k);
	char *saved;

	if (strcmp(key, "XML:com.adobe.xmp") == 0) {
		if (audit__enter(a, where, &saved)) {
			audit__xmp(a, (const guint8 *)text, tl);
			audit__leave(a, saved);
		}
		return;
	}
	if (g_ascii_strncasecmp(key, "Raw profile type ", 17) == 0) {
		const char *what = key + 17;
		gsize len = 0;
		g_autofree guint8 *blob = raw_profile(text, tl, &len);
		if (!blob) {
			audit__add(a, ATTACHE_KIND_OTHER, where, "unreadable profile");
			return;
		}
		if (!g_ascii_strcasecmp(what, "icc") || !g_ascii_strcasecmp(what, "icm")) {
			audit__icc(a, blob, len, where);
			return;
		}
		if (!audit__enter(a, where, &saved))
			return;
		if (!g_ascii_strcasecmp(what, "exif") || !g_ascii_strcasecmp(what, "APP1"))
			audit__exif(a, blob, len);
		else if (!g_ascii_strcasecmp(what, "xmp"))
			audit__xmp(a, blob, len);
		else if (!g_ascii_strcasecmp(what, "iptc") || !g_ascii_strcasecmp(what, "8bim")) {
			audit__add(a, ATTACHE_KIND_IPTC, "IPTC profile", NULL);
			/* ImageMagick stores IPTC as IIM, or wrapped in an IRB */
			if (len >= 4 && memcmp(blob, "8BIM", 4) == 0)
				audit__irb(a, blob, len);
			else
				audit__iim(a, blob, len);
		}
		else {
			/* keywords are Latin-1, not UTF-8: escaped like any value */
			g_autofree char *w = audit__printable((const guint8 *)what,
				strlen(what));
			audit__add(a, ATTACHE_KIND_OTHER, "profile", w);
		}
		audit__leave(a, saved);
		return;
	}
	/* Comment, Description, Title, Author, Location ...: free text, none
	 * of which attache writes */
	g_autofree char *v = audit__printable((const guint8 *)text, MIN(tl, 4096));
	audit__add(a, ATTACHE_KIND_FREETEXT, where, v);
}

/* libpng over the metadata-only stream. Returns FALSE with @msg set when
 * libpng gave up. */
static gboolean
read_with_libpng(AuditCtx *a, Stream *s, guint *n_text, char *msg)
{
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, msg,
		png_err, png_warn);
	if (!png) {
		g_strlcpy(msg, "libpng: out of memory", 128);
		return FALSE;
	}
	png_infop info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		g_strlcpy(msg, "libpng: out of memory", 128);
		return FALSE;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_read_struct(&png, &info, NULL);
		return FALSE;
	}
	png_set_read_fn(png, s, png_read_mem);
	/* read what is there even when a CRC is wrong: another reader may */
	png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
	png_set_benign_errors(png, 1);
	png_set_chunk_malloc_max(png, PNG_MAX_TEXT);
	png_set_chunk_cache_max(png, PNG_MAX_CHUNKS);
	/* no pixel is decoded: the header's size does not matter here */
	png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, NULL, 0);
	png_set_read_user_chunk_fn(png, s, unknown_chunk);
	png_read_info(png, info);

	png_textp text = NULL;
	int count = 0;
	png_get_text(png, info, &text, &count);
	for (int i = 0; i < count; i++)
		text_chunk(a, &text[i]);
	*n_text = (guint)count;
	png_destroy_read_struct(&png, &info, NULL);
	return TRUE;
}

void
audit__png(AuditCtx *a, const guint8 *d, gsize n)
{
	GByteArray *meta = g_byte_array_new();
	gsize pos = 8;
	guint chunks = 0, texts = 0;
	gboolean iend = FALSE, idat = FALSE;

	g_byte_array_append(meta, d, 8);
	while (n - pos >= 12 && chunks++ < PNG_MAX_CHUNKS) {
		guint32 len = audit__be32(d + pos);
		const guint8 *type = d + pos + 4;
		if (len > 0x7fffffffu || len > n - pos - 12) {
			g_autofree char *t = audit__printable(type, 4);
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"PNG chunk '%s' (truncated)", t);
			pos = n;
			break;
		}
		const guint8 *body = d + pos + 8;
		gsize total = 12 + (gsize)len;
		if (!memcmp(type, "IEND", 4)) {
			iend = TRUE;
			pos += total;
			break;
		}
		if (!memcmp(type, "IDAT", 4))
			idat = TRUE;
		else if (!memcmp(type, "eXIf", 4)) {
			char *saved;
			if (audit__enter(a, "PNG eXIf chunk", &saved)) {
				audit__exif(a, body, len);
				audit__leave(a, saved);
			}
		}
		else if (!memcmp(type, "iCCP", 4)) {
			const guint8 *z = memchr(body, 0, MIN(len, 80));
			g_autofree char *name = audit__printable(body,
				z ? (gsize)(z - body) : MIN(len, 79));
			audit__add(a, ATTACHE_KIND_ICC, "PNG iCCP chunk", name);
		}
		else {
			if (!memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4) || !memcmp(type, "iTXt", 4))
				texts++;
			else if (!memcmp(type, "tIME", 4))
				audit__add(a, ATTACHE_KIND_DATETIME, "PNG tIME chunk", NULL);
			/* libpng reads the rest (IHDR first, as it must) */
			g_byte_array_append(meta, d + pos, (guint)total);
		}
		pos += total;
	}
	if (!iend && pos < n)
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"PNG data after %u chunks (unreadable)", chunks);
	if (iend && pos < n) {
		g_autofree char *v = g_strdup_printf("%zu bytes", n - pos);
		audit__add(a, ATTACHE_KIND_OTHER, "PNG data after IEND", v);
	}

	/* the image data libpng stops at, never read */
	static const guint8 idat_head[8] = { 0, 0, 0, 0, 'I', 'D', 'A', 'T' };
	g_byte_array_append(meta, idat_head, 8);
	Stream s = { a, meta->data, meta->len, 0 };
	char msg[128] = "";
	guint n_text = 0;
	if (!read_with_libpng(a, &s, &n_text, msg)) {
		g_autofree char *v = audit__printable((const guint8 *)msg,
			strlen(msg));
		audit__add(a, ATTACHE_KIND_OTHER, "PNG metadata (unreadable by libpng)",
			v);
	}
	else if (n_text < texts)
		/* damaged or over the inflate limit: content unknown */
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"PNG text chunks (%u of %u unreadable)", texts - n_text, texts);
	(void)idat;
	g_byte_array_unref(meta);
}
