/* SPDX-License-Identifier: MIT */
/*
 * load.c: stage 1, read a photo and decode it once, shrunk on load.
 *
 * The file is read into memory (so a writer replacing it mid-way cannot tear
 * the decode; a FIFO or a device is refused without blocking, safefile.c), sniffed by content, and its header checked against the limits
 * before a single pixel is decoded.
 */
#include "private.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *loader; /* libvips buffer loader class */
	AttacheSourceFormat format;
	const char *nick;
} loaders[] = {
	{ "VipsForeignLoadJpegBuffer", ATTACHE_SRC_JPEG, "jpeg" },
	{ "VipsForeignLoadPngBuffer", ATTACHE_SRC_PNG, "png" },
	{ "VipsForeignLoadWebpBuffer", ATTACHE_SRC_WEBP, "webp" },
	{ "VipsForeignLoadTiffBuffer", ATTACHE_SRC_TIFF, "tiff" },
	{ "VipsForeignLoadHeifBuffer", ATTACHE_SRC_HEIF, "heif" },
};

void
attache__source_free(AttacheSource *src)
{
	if (!src)
		return;
	g_free(src->path);
	if (src->bytes)
		g_bytes_unref(src->bytes);
	if (src->exif)
		g_bytes_unref(src->exif);
	if (src->xmp)
		g_bytes_unref(src->xmp);
	g_free(src);
}

/* Whether a JPEG's frame is arithmetic-coded (SOF9-11, SOF13-15), which
 * codes a flat picture in far fewer bits than Huffman does. */
static gboolean
jpeg_is_arithmetic(const guint8 *d, gsize n)
{
	gsize i = 2;
	while (i + 4 <= n && d[i] == 0xFF) {
		guint8 m = d[i + 1];
		if (m == 0xFF) {
			i++;
			continue;
		}
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
			return m >= 0xC9;
		if (m == 0xDA || m == 0xD9)
			break;
		i += 2 + ((gsize)d[i + 2] << 8 | d[i + 3]);
	}
	return FALSE;
}

/* Refuses a header whose size the file's bytes cannot possibly cover (a
 * forged or damaged SOF or IHDR: an 863-byte JPEG claiming 65500 x 1500
 * would cost 435 MB to decode into grey). The floors are far below any
 * real photo's: a Huffman JPEG spends at least 2 bits on every 8 x 8 block
 * (a DC code and an end of block), so 1/8 bit per block is allowed; a PNG
 * row of at least one bit per pixel deflates at most 1032:1. HEIF grids:
 * attache__heif_check_coverage(). Formats whose decoders check their sizes
 * themselves (WebP, TIFF, single HEIF images) are left to them. */
static AttacheCode
check_coverage(const AttacheSource *src, const guint8 *d, gsize n,
	GError **error)
{
	double px = (double)src->width * src->height, need = 0;
	g_autofree char *why = NULL;
	AttacheJpegLayout layout;
	if (src->format == ATTACHE_SRC_JPEG && !attache__jpeg_walk(d, n, &layout)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: the file is cut short (an incomplete copy or download?): "
			"its JPEG data ends before the end-of-image marker, so it cannot "
			"be decoded in full",
			src->path);
		return ATTACHE_E_INPUT;
	}
	if (src->format == ATTACHE_SRC_JPEG)
		need = px / (jpeg_is_arithmetic(d, n) ? 1 << 20 : 4096);
	else if (src->format == ATTACHE_SRC_PNG)
		need = (double)src->height * (1 + (src->width + 7) / 8) / 1032;
	else if (src->format == ATTACHE_SRC_HEIF)
		why = attache__heif_check_coverage(d, n);
	if (need > (double)n)
		why = g_strdup_printf("its %" G_GSIZE_FORMAT " bytes cannot hold the "
							  "%d x %d pixels its header claims",
			n, src->width, src->height);
	if (!why)
		return ATTACHE_OK;
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
		"%s: damaged %s file: %s (refused before decoding)", src->path,
		src->loader, why);
	return ATTACHE_E_INPUT;
}

AttacheCode
attache__source_open(const char *path, gint64 max_input_bytes,
	gint64 max_pixels, AttacheSource **out, GError **error)
{
	g_autoptr(AttacheSource) src = g_new0(AttacheSource, 1);
	AttacheCode code;

	src->path = g_strdup(path);
	if ((code = attache__read_photo(path, max_input_bytes, &src->bytes,
			 error)))
		return code;

	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);

	const char *loader = vips_foreign_find_load_buffer(data, len);
	vips_error_clear();
	int which = -1;
	for (guint i = 0; loader && i < G_N_ELEMENTS(loaders); i++)
		if (g_str_equal(loader, loaders[i].loader))
			which = (int)i;
	if (which < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UNSUPPORTED,
			"%s: not a photo attache can read (expected JPEG, HEIC/HEIF, "
			"AVIF, PNG, WebP or TIFF)",
			path);
		return ATTACHE_E_UNSUPPORTED;
	}
	src->format = loaders[which].format;
	src->loader = loaders[which].nick;

	/* Header only: libvips reads dimensions without decoding pixels. */
	g_autoptr(VipsImage) header = vips_image_new_from_buffer(data, len, "",
		"access", VIPS_ACCESS_SEQUENTIAL, NULL);
	if (!header) {
		g_autofree char *what = g_strdup_printf("%s: damaged %s file", path,
			src->loader);
		return attache__vips_error(error, ATTACHE_E_INPUT, what);
	}
	src->width = header->Xsize;
	src->height = header->Ysize;
	src->bands = header->Bands;
	src->sample_bytes = (int)vips_format_sizeof(header->BandFmt);

	if (max_pixels > 0 && (gint64)src->width * src->height > max_pixels) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_LIMIT,
			"%s: %d x %d pixels (%.1f MP) is over the pixel limit of %.1f MP "
			"(refused before decoding; see --max-pixels)",
			path, src->width, src->height,
			(double)src->width * src->height / 1e6, max_pixels / 1e6);
		return ATTACHE_E_LIMIT;
	}

	if ((code = check_coverage(src, data, len, error)))
		return code;

	if (src->format == ATTACHE_SRC_HEIF)
		src->heif_transformed = attache__heif_has_transform(data, len);
	src->orientation = attache__orientation_decide(src->format, header,
		src->heif_transformed);
	src->has_icc = vips_image_get_typeof(header, VIPS_META_ICC_NAME) != 0;

	/* the blocks the keep policy may copy from (bounded: see exif.c) */
	const void *blob;
	size_t blen;
	if (vips_image_get_typeof(header, VIPS_META_EXIF_NAME) && !vips_image_get_blob(header, VIPS_META_EXIF_NAME, &blob, &blen) && blen > 0 && blen <= (1 << 23))
		src->exif = g_bytes_new(blob, blen);
	if (vips_image_get_typeof(header, VIPS_META_XMP_NAME) && !vips_image_get_blob(header, VIPS_META_XMP_NAME, &blob, &blen) && blen > 0 && blen <= (1 << 22))
		src->xmp = g_bytes_new(blob, blen);
	/* libvips 8.14 names a HEIF file's XMP item "heif-mime-N", not
	 * xmp-data: without this, --keep credit lost dc:creator/dc:rights */
	for (int i = 1; !src->xmp && src->format == ATTACHE_SRC_HEIF && i <= 8;
		 i++) {
		g_autofree char *name = g_strdup_printf("heif-mime-%d", i);
		if (vips_image_get_typeof(header, name)
			&& !vips_image_get_blob(header, name, &blob, &blen)
			&& blen > 0 && blen <= (1 << 22)
			&& (g_strstr_len(blob, (gssize)blen, "<x:xmpmeta")
				|| g_strstr_len(blob, (gssize)blen, "<rdf:RDF")))
			src->xmp = g_bytes_new(blob, blen);
	}
	/* a TIFF file has no EXIF block: its IFD0 is one, which libvips does
	 * not hand over. exif.c reads the whitelist from the file itself */
	if (!src->exif && src->format == ATTACHE_SRC_TIFF)
		src->exif = g_bytes_ref(src->bytes);
	vips_error_clear();

	*out = g_steal_pointer(&src);
	return ATTACHE_OK;
}

/* A memory copy of @im that owns its ICC profile and carries no other
 * metadata. heifload's blobs live only as long as the loader (libvips
 * 8.14): a plain copy_memory keeps dangling pointers to them once the
 * loader is gone (ASan: webpsave's vips__exif_update read the freed EXIF
 * blob of every HEIC made into WebP). The writer takes the photo's
 * metadata from the header (src->exif, src->xmp), never from the pixels,
 * so the rest is dropped here: nothing for a saver to re-emit either. */
static VipsImage *
load_to_memory(VipsImage *im)
{
	VipsImage *mem = vips_image_copy_memory(im);
	if (!mem)
		return NULL;
	const void *icc;
	size_t len;
	g_autofree void *copy = NULL;
	if (vips_image_get_typeof(mem, VIPS_META_ICC_NAME) && !vips_image_get_blob(mem, VIPS_META_ICC_NAME, &icc, &len))
		copy = g_memdup2(icc, len);
	gchar **fields = vips_image_get_fields(mem);
	for (int i = 0; fields[i]; i++)
		if (vips_image_get_typeof(mem, fields[i]) == VIPS_TYPE_BLOB || g_str_has_prefix(fields[i], "exif-") || g_str_has_prefix(fields[i], "heif-"))
			vips_image_remove(mem, fields[i]);
	g_strfreev(fields);
	if (copy)
		vips_image_set_blob_copy(mem, VIPS_META_ICC_NAME, copy, len);
	return mem;
}

/* HEIF (HEIC, AVIF) and WebP: decoded in full and checked for the damage
 * their decoders do not report (damage.c), then shrunk. @out: (transfer
 * full). ATTACHE_E_IMAGE (with no error set) when the decode fails, for
 * the caller's message; ATTACHE_E_INPUT when damage is found. */
static AttacheCode
load_checked(const AttacheSource *src, int tw, int th, VipsImage **out,
	GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	/* the full decode is what libheif makes anyway; WebP loses its
	 * shrink-on-load, a price paid for the check */
	g_autoptr(VipsImage) full = vips_image_new_from_buffer(data, len, "",
		"fail_on", VIPS_FAIL_ON_WARNING, NULL);
	g_autoptr(VipsImage) mem = full ? vips_image_copy_memory(full) : NULL;
	if (!mem)
		return ATTACHE_E_IMAGE;
	g_autofree char *why = attache__damage_check(mem, 1, 16, TRUE);
	if (why) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: damaged %s file: %s", src->path, src->loader, why);
		return ATTACHE_E_INPUT;
	}
	g_autoptr(VipsImage) im = NULL;
	if (vips_thumbnail_image(mem, &im, tw, "height", th, "size",
			VIPS_SIZE_DOWN, "no_rotate", TRUE, NULL))
		return ATTACHE_E_IMAGE;
	if (!(*out = load_to_memory(im)))
		return ATTACHE_E_IMAGE;
	return ATTACHE_OK;
}

/* The factor libjpeg shrinks @src by while decoding it for @scale (at
 * most 1): the largest of 4 and 2 that leaves every side at least @scale
 * of the original, else 1. Never 8: at 1/8 an 8 x 8 block is one pixel,
 * so the damage checks (block edges, level steps on MCU rows) cannot tell
 * blocks from content, and flat drawings were refused as damaged.
 * attache__load() decodes with it and attache__decode_estimate() counts
 * with it, so the two agree. */
static int
jpeg_shrink(const AttacheSource *src, double scale)
{
	int tw = VIPS_MAX(1, (int)ceil(src->width * scale));
	int th = VIPS_MAX(1, (int)ceil(src->height * scale));
	for (int s = 4; s >= 2; s /= 2)
		if ((src->width + s - 1) / s >= tw && (src->height + s - 1) / s >= th)
			return s;
	return 1;
}

int
attache__load_jpeg_shrink(const AttacheSource *src, double scale)
{
	return jpeg_shrink(src, VIPS_MIN(1.0, scale));
}

AttacheCode
attache__load_full(const AttacheSource *src, gboolean sequential,
	VipsImage **out, GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	/* the damage and tail checks ran on the smaller decode of the same
	 * data; libjpeg's warnings still fail this one. Sequential: the
	 * output's encoder pulls strips through it, so the 12 MP decode is
	 * never in memory whole; random access: decoded whole when first
	 * read (the caller's fallback, prep.c) */
	if (vips_jpegload_buffer((void *)data, len, out, "fail_on",
			VIPS_FAIL_ON_WARNING, "access",
			sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM, NULL)) {
		g_autofree char *what = g_strdup_printf("%s: cannot decode the %s data",
			src->path, src->loader);
		return attache__vips_error(error, ATTACHE_E_INPUT, what);
	}
	return ATTACHE_OK;
}

/* Beside the decode it counts, so that the two cannot drift apart;
 * budget.c takes what it says from the batch's memory budget. */
gint64
attache__decode_estimate(const AttacheSource *src, double scale,
	guint n_presets)
{
	if (scale > 1 || scale <= 0)
		scale = 1;
	gint64 px = MAX(1, src->bands) * (gint64)MAX(1, src->sample_bytes);
	/* the decoder's output, at its shrink-on-load factor: libjpeg's DCT
	 * scaling; the other decoders are counted at full size (libheif and
	 * libwebp decode the whole image, libpng and libtiff may) */
	int s = src->format == ATTACHE_SRC_JPEG ? jpeg_shrink(src, scale) : 1;
	gint64 decode = (gint64)((src->width + s - 1) / s) * ((src->height + s - 1) / s) * px;
	/* with several presets, the decode at the load scale stays in memory
	 * while each of them is made */
	gint64 kept = 0;
	if (n_presets > 1)
		kept = (gint64)ceil(src->width * scale) * (gint64)ceil(src->height * scale) * px;
	gsize file = src->bytes ? g_bytes_get_size(src->bytes) : 0;
	return (gint64)file + decode + kept;
}

AttacheCode
attache__load(const AttacheSource *src, double scale, VipsImage **out,
	GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	VipsImage *im = NULL;

	if (scale > 1)
		scale = 1;
	/* vips_thumbnail fits inside the box, so ceil() keeps every side at
	 * least @scale of the original: later stages only ever shrink. */
	int tw = VIPS_MAX(1, (int)ceil(src->width * scale));
	int th = VIPS_MAX(1, (int)ceil(src->height * scale));

	/* JPEG: libjpeg scales by 1/2, 1/4 or 1/8 while decoding (DCT
	 * scaling), far cheaper than decoding in full. Take the largest that
	 * still leaves every preset enough pixels; the fit stage does the
	 * rest with lanczos3. (vips_thumbnail keeps a factor of two in hand for
	 * its own resize, which decodes most 12 MP photos in full.)
	 * A truncated or corrupt photo decodes with a grey lower part or
	 * garbage: never publish that, fail instead. libjpeg reports corrupt
	 * data only as a warning, so fail_on=warning (which accepts every
	 * intact sample, docs/prep.md). */
	if (src->format == ATTACHE_SRC_JPEG) {
		int shrink = jpeg_shrink(src, scale);
		VipsImage *j = NULL;
		g_autoptr(AttacheJpegTail) tail = attache__jpeg_tail_new(data, len);
		if (vips_jpegload_source(attache__jpeg_tail_source(tail), &j, "shrink",
				shrink, "fail_on", VIPS_FAIL_ON_WARNING, "access",
				VIPS_ACCESS_SEQUENTIAL, NULL)
			== 0) {
			VipsImage *mem = load_to_memory(j);
			g_object_unref(j);
			/* libjpeg decodes many bit flips without a warning */
			g_autofree char *why = mem ? attache__damage_check(mem, shrink,
									   attache__jpeg_tail_mcu_rows(tail), FALSE)
									   : NULL;
			if (mem && !why)
				why = attache__jpeg_tail_check(tail, shrink);
			if (why) {
				g_object_unref(mem);
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
					"%s: damaged %s file: %s", src->path, src->loader, why);
				return ATTACHE_E_INPUT;
			}
			if (mem) {
				*out = mem;
				return ATTACHE_OK;
			}
		}
	}
	else if (src->format == ATTACHE_SRC_HEIF || src->format == ATTACHE_SRC_WEBP) {
		AttacheCode code = load_checked(src, tw, th, out, error);
		if (code != ATTACHE_E_IMAGE)
			return code;
	}
	else if (vips_thumbnail_buffer((void *)data, len, &im, tw, "height", th,
				 "size", VIPS_SIZE_DOWN, "no_rotate", TRUE, "option_string",
				 "fail_on=warning", NULL)
			 == 0) {
		VipsImage *mem = load_to_memory(im);
		g_object_unref(im);
		if (mem) {
			*out = mem;
			return ATTACHE_OK;
		}
	}

	/* say what it means for the user, keep libvips' words after it */
	const char *why = vips_error_buffer();
	gboolean truncated = strstr(why, "Premature end") || strstr(why, "truncated") || strstr(why, "Truncated") || strstr(why, "unexpected end");
	g_autofree char *what = g_strdup_printf(truncated
												? "%s: the file is cut short (an incomplete copy or download?); "
												  "%s decoder says"
												: "%s: cannot decode the %s data",
		src->path, src->loader);
	return attache__vips_error(error, ATTACHE_E_INPUT, what);
}

gboolean
attache_is_image_name(const char *path)
{
	static const char *exts[] = { ".jpg", ".jpeg", ".jpe", ".heic", ".heif",
		".hif", ".avif", ".png", ".webp", ".tif", ".tiff" };
	g_autofree char *base = g_path_get_basename(path);
	if (base[0] == '.')
		return FALSE;
	g_autofree char *lower = g_ascii_strdown(base, -1);
	for (guint i = 0; i < G_N_ELEMENTS(exts); i++)
		if (g_str_has_suffix(lower, exts[i]))
			return TRUE;
	return FALSE;
}
