/* SPDX-License-Identifier: MIT */
/*
 * encode.c: stage 7, encode under a byte budget.
 *
 * JPEG and WebP: quality first, from the preset's ceiling down to its floor;
 * only when the floor still does not fit, smaller pixels. PNG: lossless,
 * then a quantised palette, then the preset's fallback format. The fitted
 * pixels are computed once: a JPEG or WebP's first encode reads them as they
 * are made (most outputs fit at once), later attempts reuse a copy in
 * memory. The number of encodes is capped (MAX_ENCODES), so the work per
 * output is bounded whatever the photo.
 *
 * JPEGs are progressive with optimised Huffman tables, except the large
 * ones (LARGE_PIXELS: mastodon's 8.3 MP): both make libjpeg hold every
 * coefficient of the image until the end (2 bytes a sample: 50 MB for
 * 8.3 MP at 4:4:4), where a baseline encode with the standard tables
 * streams its rows, at a quarter of the CPU, for 8% more bytes and the
 * same pixels.
 *
 * Metadata is never written here (strip): the metadata stage splices in
 * exactly what the policy allows, afterwards.
 */
#include "private.h"

#include <math.h>

#define MAX_ENCODES 6
#define LARGE_PIXELS (4 << 20)

static int
encode_once(VipsImage *in, AttacheFormat format, int q, gboolean palette,
	guint8 **data, gsize *len)
{
	void *buf = NULL;
	size_t n = 0;
	int rc;

	switch (format) {
	case ATTACHE_FORMAT_PNG:
		rc = vips_pngsave_buffer(in, &buf, &n, "strip", TRUE, "compression", 6,
			"palette", palette, "Q", palette ? q : 100, "effort", 4, NULL);
		break;
	case ATTACHE_FORMAT_WEBP:
		rc = vips_webpsave_buffer(in, &buf, &n, "strip", TRUE, "Q", q,
			"effort", 4, NULL);
		break;
	case ATTACHE_FORMAT_JPEG:
	default: {
		/* progressive: smaller, and shows a preview early on slow links */
		gboolean whole = (gint64)in->Xsize * in->Ysize <= LARGE_PIXELS;
		rc = vips_jpegsave_buffer(in, &buf, &n, "strip", TRUE, "Q", q,
			"interlace", whole, "optimize_coding", whole, NULL);
		break;
	}
	}
	if (rc)
		return -1;
	*data = buf;
	*len = n;
	return 0;
}

typedef struct {
	VipsImage *im;
	AttacheFormat format;
	int encodes;
} Search;

static void
take(AttacheEncoded *best, guint8 *data, gsize len, int q, VipsImage *im,
	AttacheFormat format)
{
	g_free(best->data);
	best->data = data;
	best->len = len;
	best->quality = q;
	best->width = im->Xsize;
	best->height = im->Ysize;
	best->format = format;
}

/* Lossy search on one image between a fitting quality and a too-big one.
 * @lo_len/@hi_len: sizes at lo and hi, 0 when unknown. The best fitting
 * encode so far is in @best. */
static int
refine(Search *s, const AttacheEncodeParams *p, AttacheEncoded *best, int lo,
	gsize lo_len, int hi, gsize hi_len)
{
	guint8 *d;
	gsize n;

	while (hi - lo > 1 && s->encodes < MAX_ENCODES) {
		int q;
		if (hi_len > lo_len && lo_len > 0) {
			/* log(size) is close to linear in quality: interpolate */
			double t = (log((double)(p->max_bytes - p->reserve)) - log((double)lo_len)) / (log((double)hi_len) - log((double)lo_len));
			q = lo + (int)floor(t * (hi - lo));
		}
		else
			q = (lo + hi + 1) / 2;
		q = VIPS_CLIP(lo + 1, q, hi - 1);
		if (encode_once(s->im, s->format, q, FALSE, &d, &n))
			return -1;
		s->encodes++;
		if ((gint64)n + p->reserve <= p->max_bytes) {
			take(best, d, n, q, s->im, s->format);
			lo = q;
			lo_len = n;
		}
		else {
			g_free(d);
			hi = q;
			hi_len = n;
		}
	}
	return 1;
}

/* Encodes at @q; returns 1 and keeps it when it fits, 0 (size in @len)
 * when not, -1 on error. */
static int
try_quality(Search *s, const AttacheEncodeParams *p, AttacheEncoded *best,
	int q, gsize *len)
{
	guint8 *d;
	if (encode_once(s->im, s->format, q, FALSE, &d, len))
		return -1;
	s->encodes++;
	if ((gint64)*len + p->reserve <= p->max_bytes) {
		take(best, d, *len, q, s->im, s->format);
		return 1;
	}
	g_free(d);
	return 0;
}

static AttacheCode
lossy(VipsImage *in, AttacheFormat format, const AttacheEncodeParams *p,
	int encodes_used, AttacheEncoded *out, GError **error)
{
	Search s = { in, format, encodes_used };
	g_autoptr(VipsImage) small = NULL;
	gsize hi_len = 0, lo_len = 0;
	int r;

	/* the common case: the ceiling fits first time */
	if ((r = try_quality(&s, p, out, p->quality_max, &hi_len)) < 0)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
	if (r == 1) {
		out->encodes = s.encodes;
		return ATTACHE_OK;
	}
	/* more encodes to come: from pixels computed once, in memory */
	g_autoptr(VipsImage) mem = vips_image_copy_memory(in);
	if (!mem)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
	s.im = mem;
	if (p->quality_min < p->quality_max) {
		if ((r = try_quality(&s, p, out, p->quality_min, &lo_len)) < 0)
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		if (r == 1) {
			if (refine(&s, p, out, p->quality_min, lo_len, p->quality_max,
					hi_len)
				< 0)
				return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
			goto done;
		}
	}
	else
		lo_len = hi_len;

	/* Even the floor is too big: fewer pixels, in steps. Bytes scale
	 * roughly with the pixel count: shrink by sqrt(budget/size), with a
	 * margin, then search quality again at the new size. */
	g_object_ref(mem);
	small = mem;
	for (;;) {
		double f = sqrt((double)(p->max_bytes - p->reserve) / lo_len) * 0.92;
		f = VIPS_MIN(f, 0.9);
		int nw = (int)floor(small->Xsize * f);
		int nh = (int)floor(small->Ysize * f);
		if (VIPS_MIN(nw, nh) < p->min_side || s.encodes >= MAX_ENCODES + 2) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_BUDGET,
				"cannot fit %" G_GINT64_FORMAT " bytes: %s at quality %d and "
				"%dx%d is still %zu bytes (min-side %d)",
				p->max_bytes, attache_format_name(format), p->quality_min,
				small->Xsize, small->Ysize, lo_len, p->min_side);
			return ATTACHE_E_BUDGET;
		}
		VipsImage *t, *m;
		if (vips_resize(small, &t, (double)nw / small->Xsize, "vscale",
				(double)nh / small->Ysize, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		m = vips_image_copy_memory(t);
		g_object_unref(t);
		if (!m)
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		g_object_unref(small);
		small = m;
		s.im = small;
		out->flags |= ATTACHE_FLAG_DOWNSCALED;

		if ((r = try_quality(&s, p, out, p->quality_min, &lo_len)) < 0)
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		if (r == 1) {
			if (refine(&s, p, out, p->quality_min, lo_len, p->quality_max + 1,
					0)
				< 0)
				return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
			break;
		}
	}
done:
	if (out->quality <= p->quality_min)
		out->flags |= ATTACHE_FLAG_QUALITY_FLOOR;
	out->encodes = s.encodes;
	return ATTACHE_OK;
}

AttacheCode
attache__encode(VipsImage *in, const AttacheEncodeParams *p,
	AttacheEncoded *out, GError **error)
{
	g_autoptr(VipsImage) flat = NULL;
	guint8 *d;
	gsize n;

	memset(out, 0, sizeof(*out));

	/* JPEG has no alpha: flatten on white, as a viewer would show it */
	if (vips_image_hasalpha(in) && (p->format == ATTACHE_FORMAT_JPEG || (p->format == ATTACHE_FORMAT_PNG && p->fallback == ATTACHE_FORMAT_JPEG))) {
		if (p->format == ATTACHE_FORMAT_JPEG) {
			double white[3] = { 255, 255, 255 };
			VipsArrayDouble *bg = vips_array_double_new(white, 3);
			int rc = vips_flatten(in, &flat, "background", bg, NULL);
			vips_area_unref(VIPS_AREA(bg));
			if (rc)
				return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
			in = flat;
		}
	}

	if (p->format != ATTACHE_FORMAT_PNG)
		return lossy(in, p->format, p, 0, out, error);

	/* PNG nearly always takes more than one encode (a photo rarely fits
	 * losslessly): compute the pixels once, in memory, for all of them
	 * (lossy() below then finds them there) */
	g_autoptr(VipsImage) mem = vips_image_copy_memory(in);
	if (!mem)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
	in = mem;

	/* PNG: lossless when it can fit; a 3-byte pixel rarely compresses below
	 * a third, so skip the attempt when that is already over budget. */
	int used = 0;
	gint64 raw = (gint64)in->Xsize * in->Ysize * in->Bands;
	if (raw / 3 + p->reserve <= p->max_bytes) {
		if (encode_once(in, ATTACHE_FORMAT_PNG, 100, FALSE, &d, &n))
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		used++;
		if ((gint64)n + p->reserve <= p->max_bytes) {
			take(out, d, n, 100, in, ATTACHE_FORMAT_PNG);
			out->encodes = used;
			return ATTACHE_OK;
		}
		g_free(d);
	}
	/* quantised to a palette (libimagequant), at the preset's ceiling */
	if (encode_once(in, ATTACHE_FORMAT_PNG, p->quality_max, TRUE, &d, &n))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
	used++;
	if ((gint64)n + p->reserve <= p->max_bytes) {
		take(out, d, n, p->quality_max, in, ATTACHE_FORMAT_PNG);
		out->encodes = used;
		return ATTACHE_OK;
	}
	g_free(d);

	/* does not fit as PNG: the preset's fallback format */
	g_autoptr(VipsImage) f2 = NULL;
	if (p->fallback == ATTACHE_FORMAT_JPEG && vips_image_hasalpha(in)) {
		double white[3] = { 255, 255, 255 };
		VipsArrayDouble *bg = vips_array_double_new(white, 3);
		int rc = vips_flatten(in, &f2, "background", bg, NULL);
		vips_area_unref(VIPS_AREA(bg));
		if (rc)
			return attache__vips_error(error, ATTACHE_E_IMAGE, "encode");
		in = f2;
	}
	AttacheCode code = lossy(in, p->fallback, p, used, out, error);
	out->flags |= ATTACHE_FLAG_FALLBACK;
	return code;
}
