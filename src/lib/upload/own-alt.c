/* SPDX-License-Identifier: MIT */
/*
 * own-alt.c: a prepared file's own alt text and language, for
 * `attache upload` (docs/upload.md, "Alt text").
 *
 * The text comes from the file's XMP (AltTextAccessibility, else
 * dc:description; its x-default, the output's own language), inside the
 * bytes an approval's SHA-256 covers; only when
 * the file has none, and never under the approval gate, from the line of
 * the output folder's manifest that records these very bytes. The
 * language is that line's `lang`, else the one x-default stands for in the
 * XMP. The manifest is read bounded and beneath its folder (manifest.c); a
 * damaged line is no line.
 */
#include "upload-private.h"

#include <string.h>

/* The text of @alt for an output in @lang: x-default, which prep writes
 * as the output's own language (and which prep --upload and the hot
 * folder send too, so every path agrees), else the @lang entry, else the
 * first. (transfer none) */
static const char *
pick(GPtrArray *alt, const char *lang)
{
	for (guint i = 0; i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		if (!g_ascii_strcasecmp(a->lang, "x-default"))
			return a->text;
	}
	return attache__alt_pick(alt, lang);
}

/* The latest line of @m for @file with the bytes @sha256, or %NULL.
 * (transfer none) */
static const AttacheRecord *
record_of(const AttacheManifest *m, const char *file, const char *sha256)
{
	for (guint i = m->lines->len; i > 0; i--) {
		const AttacheRecord *r = m->lines->pdata[i - 1];
		if (g_str_equal(r->file, file) && !g_ascii_strcasecmp(r->sha256, sha256))
			return r;
	}
	return NULL;
}

void
attache__upload_own_alt(const char *path, const AttacheSource *src,
	const char *sha256, gboolean xmp_only, char **alt, char **lang,
	const char **from)
{
	*alt = *lang = NULL;
	*from = NULL;
	gsize xlen = 0;
	const char *x = src->xmp ? g_bytes_get_data(src->xmp, &xlen) : NULL;
	g_autoptr(GPtrArray) xmp = attache__xmp_alts(x, xlen);

	g_autofree char *dir = NULL;
	g_autofree char *file = NULL;
	attache__output_folder(path, &dir, &file);
	g_autoptr(AttacheManifest) m = NULL;
	const AttacheRecord *rec = NULL;
	/* an unreadable manifest (too big, a link) is no manifest here */
	if (!attache__manifest_load(dir, &m, NULL))
		rec = record_of(m, file, sha256);

	const char *l = rec && rec->lang && *rec->lang ? rec->lang
												   : attache__alt_default_lang(xmp);
	*lang = g_strdup(l);
	if (xmp->len) {
		*alt = g_strdup(pick(xmp, l));
		*from = "xmp";
	}
	else if (!xmp_only && rec && rec->alt->len) {
		*alt = g_strdup(pick(rec->alt, l));
		*from = "manifest";
	}
}

char *
attache_upload_file_lang(const char *path)
{
	g_autoptr(AttacheSource) src = NULL;
	if (attache__source_open(path, 256 * 1024 * 1024, 0, &src, NULL))
		return NULL;
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		data, len);
	g_autofree char *alt = NULL;
	char *lang = NULL;
	const char *from;
	attache__upload_own_alt(path, src, sum, FALSE, &alt, &lang, &from);
	return lang;
}
