/* SPDX-License-Identifier: MIT */
/*
 * fit.c: stage 4, fit the oriented photo to a preset's box.
 *
 * cover:   exactly WxH, the excess cropped (attention, entropy, centre or a
 *          focus point);
 * contain: exactly WxH, the photo whole, the rest padded with a flat colour
 *          or a blurred, darkened copy of the photo;
 * inside:  within WxH, aspect kept; with a pixel budget (`[fit] pixels`),
 *          at most that many pixels as well (and WxH may be absent).
 *
 * A photo smaller than the box is not enlarged unless the preset says
 * upscale=true: cover and contain then give the largest W:H frame the photo
 * fills (same shape, fewer pixels), inside gives the photo as it is
 * (docs/presets.md, "Small photos").
 */
#include "private.h"

#include <math.h>
#include <string.h>

#define ATTACHE_FIT_MAX_SIDE 16384

/* The scale at which an @iw x @ih photo fits inside @p: its box (if any)
 * and its pixel budget (if any); above 1 when the photo is smaller. */
static double
inside_scale(const AttacheFitParams *p, int iw, int ih)
{
	/* no box: the largest a preset's box may be, 16384 a side */
	int W = p->width > 0 ? p->width : ATTACHE_FIT_MAX_SIDE, H = p->height > 0 ? p->height : ATTACHE_FIT_MAX_SIDE;
	double s = VIPS_MIN((double)W / iw, (double)H / ih);
	if (p->pixels > 0)
		s = VIPS_MIN(s, sqrt((double)p->pixels / ((double)iw * ih)));
	return s;
}

double
attache__fit_needed_scale(const AttacheFitParams *p, int ow, int oh)
{
	if (p->fit == ATTACHE_FIT_INSIDE)
		return inside_scale(p, ow, oh);
	double sx = (double)p->width / ow, sy = (double)p->height / oh;
	return p->fit == ATTACHE_FIT_COVER ? VIPS_MAX(sx, sy) : VIPS_MIN(sx, sy);
}

/* Resizes @in to exactly @w x @h (aspect may differ by rounding only). */
int
attache__resize_exact(VipsImage *in, int w, int h, VipsImage **out)
{
	if (in->Xsize == w && in->Ysize == h) {
		g_object_ref(in);
		*out = in;
		return 0;
	}
	/* libvips 8.14's horizontal reducer is slow (resize.c) */
	int fast = attache__resize_reduce(in, w, h, out);
	if (fast <= 0)
		return fast;
	VipsImage *r;
	if (vips_resize(in, &r, (double)w / in->Xsize, "vscale",
			(double)h / in->Ysize, NULL))
		return -1;
	if (r->Xsize == w && r->Ysize == h) {
		*out = r;
		return 0;
	}
	/* float rounding can leave one pixel too many or too few */
	VipsImage *e;
	int rc = vips_embed(r, &e, 0, 0, VIPS_MAX(w, r->Xsize),
		VIPS_MAX(h, r->Ysize), "extend", VIPS_EXTEND_COPY, NULL);
	g_object_unref(r);
	if (rc)
		return -1;
	rc = vips_crop(e, out, 0, 0, w, h, NULL);
	g_object_unref(e);
	return rc;
}

#define PROXY_SIDE 400

AttacheCode
attache__fit_proxy(VipsImage *in, VipsImage **out, GError **error)
{
	double s = VIPS_MIN(1.0,
		(double)PROXY_SIDE / VIPS_MAX(in->Xsize, in->Ysize));
	/* one lanczos2 reduction: libvips 8.14's box shrink (vips_resize's
	 * first step) costs more than it, and the faces found on it are
	 * those found on a lanczos3 copy of the decode (docs/faces.md) */
	VipsImage *t;
	if (s < 1 ? vips_reduce(in, &t, 1 / s, 1 / s, "kernel", VIPS_KERNEL_LANCZOS2, NULL) : vips_copy(in, &t, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	*out = vips_image_copy_memory(t);
	g_object_unref(t);
	if (!*out)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	return ATTACHE_OK;
}

static gboolean
is_attention(AttacheCrop crop)
{
	return crop == ATTACHE_CROP_ATTENTION || crop == ATTACHE_CROP_ATTENTION_ONLY;
}

/* Where the @w x @h window goes in a photo fitted to @rw x @rh (both in
 * output pixels): centred on the focus point, or on what libvips'
 * smartcrop finds interesting, measured on the small proxy. Deciding on
 * the proxy and cutting the window before resizing means each preset
 * resizes only the pixels it keeps, and reads them once. Attention and
 * entropy then move it to keep the photo's heads whole; the other crops
 * only report the heads they cut (fit-heads.c). */
static int
window(const AttacheFitParams *p, VipsImage *proxy, int rw, int rh, int w,
	int h, int *left, int *top, AttacheHeads *heads)
{
	double cx = 0.5, cy = 0.5; /* window centre, fractions of rw x rh */

	if (p->crop == ATTACHE_CROP_FOCUS && p->have_focus) {
		cx = p->focus_x;
		cy = p->focus_y;
	}
	else if (is_attention(p->crop) && p->have_attention) {
		cx = p->attention_x;
		cy = p->attention_y;
	}
	else if (is_attention(p->crop) || p->crop == ATTACHE_CROP_ENTROPY) {
		double q = (double)proxy->Xsize / rw;
		int cw = VIPS_CLIP(1, (int)lround(w * q), proxy->Xsize);
		int ch = VIPS_CLIP(1, (int)lround(h * (double)proxy->Ysize / rh),
			proxy->Ysize);
		VipsImage *c;
		if (vips_smartcrop(proxy, &c, cw, ch, "interesting",
				p->crop == ATTACHE_CROP_ENTROPY ? VIPS_INTERESTING_ENTROPY
												: VIPS_INTERESTING_ATTENTION,
				NULL))
			return -1;
		/* the crop's origin, as extract_area records it */
		cx = (-c->Xoffset + cw / 2.0) / proxy->Xsize;
		cy = (-c->Yoffset + ch / 2.0) / proxy->Ysize;
		g_object_unref(c);
	}
	*left = VIPS_CLIP(0, (int)lround(cx * rw - w / 2.0), rw - w);
	*top = VIPS_CLIP(0, (int)lround(cy * rh - h / 2.0), rh - h);
	if (p->crop != ATTACHE_CROP_ATTENTION_ONLY) {
		gboolean move = p->crop == ATTACHE_CROP_ATTENTION || p->crop == ATTACHE_CROP_ENTROPY;
		attache__fit_heads(p->faces, rw, rh, w, h, move, left, top, heads);
	}
	return 0;
}

/* Cover: the @w x @h window at (left, top) of @in scaled to @rw x @rh,
 * cut from @in first and then resized to exactly @w x @h. */
static int
cover(VipsImage *in, int rw, int rh, int left, int top, int w, int h,
	VipsImage **out)
{
	double sx = (double)in->Xsize / rw, sy = (double)in->Ysize / rh;
	int x0 = (int)floor(left * sx), y0 = (int)floor(top * sy);
	int x1 = (int)ceil((left + w) * sx), y1 = (int)ceil((top + h) * sy);
	x1 = VIPS_MIN(x1, in->Xsize);
	y1 = VIPS_MIN(y1, in->Ysize);
	VipsImage *region;
	if (vips_extract_area(in, &region, x0, y0, x1 - x0, y1 - y0, NULL))
		return -1;
	int rc = attache__resize_exact(region, w, h, out);
	g_object_unref(region);
	return rc;
}

/* The usual treatment for a portrait photo in a landscape slot: the photo
 * itself, cover-fitted, blurred and darkened, behind it. Blurred at 1/8
 * size, which looks the same and costs 64 times less. */
static int
blur_background(VipsImage *in, int w, int h, VipsImage **out)
{
	int sw = VIPS_MAX(8, w / 8), sh = VIPS_MAX(8, h / 8);
	double s = VIPS_MAX((double)sw / in->Xsize, (double)sh / in->Ysize);
	VipsImage *t[6] = { NULL };
	int rc = -1;

	int cw = VIPS_MAX(sw, (int)ceil(in->Xsize * s));
	int ch = VIPS_MAX(sh, (int)ceil(in->Ysize * s));
	if (attache__resize_exact(in, cw, ch, &t[0])
		|| vips_crop(t[0], &t[1], (cw - sw) / 2, (ch - sh) / 2, sw, sh, NULL)
		|| vips_gaussblur(t[1], &t[2], 3.0, NULL)
		|| vips_linear1(t[2], &t[3], 0.55, 0.0, "uchar", TRUE, NULL)
		|| vips_resize(t[3], &t[4], (double)w / sw, "vscale", (double)h / sh,
			"kernel", VIPS_KERNEL_LINEAR, NULL)
		|| attache__resize_exact(t[4], w, h, &t[5]))
		goto done;
	*out = t[5];
	t[5] = NULL;
	rc = 0;
done:
	for (int i = 0; i < 6; i++)
		if (t[i])
			g_object_unref(t[i]);
	return rc;
}

static int
flatten(VipsImage *in, const double colour[3], VipsImage **out)
{
	if (!vips_image_hasalpha(in)) {
		g_object_ref(in);
		*out = in;
		return 0;
	}
	VipsArrayDouble *bg = vips_array_double_new(colour, 3);
	int rc = vips_flatten(in, out, "background", bg, NULL);
	vips_area_unref(VIPS_AREA(bg));
	return rc;
}

/* Inside: within W x H, aspect kept; a smaller photo stays as it is
 * unless the preset upscales. @out: (transfer full). */
static AttacheCode
fit_inside(VipsImage *in, const AttacheFitParams *p, int iw, int ih,
	VipsImage **out, guint *flags, GError **error)
{
	int W = p->width > 0 ? p->width : ATTACHE_FIT_MAX_SIDE;
	int H = p->height > 0 ? p->height : ATTACHE_FIT_MAX_SIDE;
	/* a bounding box, not a target size: a smaller photo is shown
	 * whole at its own size, nothing to flag */
	double s = inside_scale(p, iw, ih);
	if (s > 1) {
		if (p->upscale && !p->pixels)
			*flags |= ATTACHE_FLAG_UPSCALED | ATTACHE_FLAG_SMALL;
		else
			s = 1;
	}
	int rw = VIPS_CLIP(1, (int)lround(iw * s), W);
	int rh = VIPS_CLIP(1, (int)lround(ih * s), H);
	/* a budget is a ceiling: rounded down until within it */
	if (p->pixels > 0 && (gint64)rw * rh > p->pixels) {
		rw = VIPS_MAX(1, (int)floor(iw * s));
		rh = VIPS_MAX(1, (int)floor(ih * s));
	}
	if (attache__resize_exact(in, rw, rh, out))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	if (p->place)
		memcpy(p->place, (double[]){ 0, 0, rw, rh }, 4 * sizeof(double));
	return ATTACHE_OK;
}

/* Cover: exactly W x H (or the largest W:H frame inside a smaller photo),
 * the excess cropped where the window lands. @out: (transfer full). */
static AttacheCode
fit_cover(VipsImage *in, const AttacheFitParams *p, int iw, int ih,
	VipsImage **out, guint *flags, GError **error)
{
	int W = p->width, H = p->height, OW = W, OH = H;
	if (VIPS_MAX((double)W / iw, (double)H / ih) > 1) {
		*flags |= ATTACHE_FLAG_SMALL;
		if (p->upscale)
			*flags |= ATTACHE_FLAG_UPSCALED;
		else {
			/* the largest W:H frame inside the photo */
			double k = VIPS_MIN((double)iw / W, (double)ih / H);
			OW = VIPS_CLIP(1, (int)floor(W * k + 1e-9), iw);
			OH = VIPS_CLIP(1, (int)floor(H * k + 1e-9), ih);
		}
	}
	int rw, rh;
	if ((gint64)iw * OH > (gint64)ih * OW) {
		rh = OH;
		rw = VIPS_MAX(OW, (int)lround((double)iw * OH / ih));
	}
	else {
		rw = OW;
		rh = VIPS_MAX(OH, (int)lround((double)ih * OW / iw));
	}
	int left = 0, top = 0;
	g_autoptr(VipsImage) own_proxy = NULL;
	VipsImage *proxy = p->proxy;
	if (!proxy && ((is_attention(p->crop) && !p->have_attention) || p->crop == ATTACHE_CROP_ENTROPY)) {
		if (attache__fit_proxy(in, &own_proxy, error))
			return ATTACHE_E_IMAGE;
		proxy = own_proxy;
	}
	AttacheHeads heads = { 0 };
	if (window(p, proxy, rw, rh, OW, OH, &left, &top, &heads) || cover(in, rw, rh, left, top, OW, OH, out))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	if (heads.cut)
		*flags |= ATTACHE_FLAG_FACES_CUT;
	if (p->heads)
		*p->heads = heads;
	if (p->place)
		memcpy(p->place, (double[]){ -left, -top, rw, rh },
			4 * sizeof(double));
	return ATTACHE_OK;
}

/* Contain's padding around the fitted photo @b (rw x rh) on an OW x OH
 * canvas: blurred from @flat, or a flat colour. @out: (transfer full). */
static AttacheCode
pad(VipsImage *flat, VipsImage *b, const AttacheFitParams *p, int OW, int OH,
	VipsImage **out, GError **error)
{
	int left = (OW - b->Xsize) / 2, top = (OH - b->Ysize) / 2;
	if (p->pad == ATTACHE_PAD_BLUR) {
		g_autoptr(VipsImage) c = NULL;
		if (blur_background(flat, OW, OH, &c) || vips_insert(c, b, out, left, top, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE,
				"fit: padding");
		return ATTACHE_OK;
	}
	VipsArrayDouble *bg = vips_array_double_new(p->pad_colour, 3);
	int rc = vips_embed(b, out, left, top, OW, OH, "extend",
		VIPS_EXTEND_BACKGROUND, "background", bg, NULL);
	vips_area_unref(VIPS_AREA(bg));
	if (rc)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit: padding");
	return ATTACHE_OK;
}

/* Contain: exactly W x H (or the smallest W:H canvas that holds a smaller
 * photo 1:1), the photo whole and the rest padded. @out: (transfer full). */
static AttacheCode
fit_contain(VipsImage *in, const AttacheFitParams *p, int iw, int ih,
	VipsImage **out, guint *flags, GError **error)
{
	int W = p->width, H = p->height, OW = W, OH = H;
	if (VIPS_MIN((double)W / iw, (double)H / ih) > 1) {
		*flags |= ATTACHE_FLAG_SMALL;
		if (p->upscale)
			*flags |= ATTACHE_FLAG_UPSCALED;
		else {
			/* the smallest W:H canvas that holds the photo 1:1 */
			double k = VIPS_MAX((double)iw / W, (double)ih / H);
			OW = VIPS_MAX(iw, (int)ceil(W * k - 1e-9));
			OH = VIPS_MAX(ih, (int)ceil(H * k - 1e-9));
		}
	}
	int rw, rh;
	if ((gint64)iw * OH > (gint64)ih * OW) {
		rw = OW;
		rh = VIPS_CLIP(1, (int)lround((double)ih * OW / iw), OH);
	}
	else {
		rh = OH;
		rw = VIPS_CLIP(1, (int)lround((double)iw * OH / ih), OW);
	}
	g_autoptr(VipsImage) flat = NULL, b = NULL;
	if (flatten(in, p->pad_colour, &flat) || attache__resize_exact(flat, rw, rh, &b))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	if (p->place)
		memcpy(p->place,
			(double[]){ (OW - rw) / 2, (OH - rh) / 2, rw, rh },
			4 * sizeof(double));
	if (rw == OW && rh == OH) {
		*out = g_steal_pointer(&b);
		return ATTACHE_OK;
	}
	*flags |= ATTACHE_FLAG_PADDED;
	return pad(flat, b, p, OW, OH, out, error);
}

gboolean
attache__fit_needs_faces(const AttacheFitParams *p)
{
	if (p->fit == ATTACHE_FIT_COVER)
		return p->crop != ATTACHE_CROP_ATTENTION_ONLY;
	/* the whole photo: faces give its focus point, unless the user did
	 * (or asked for attention only) */
	return !p->have_focus && p->crop != ATTACHE_CROP_ATTENTION_ONLY;
}

/* Contain and inside keep the whole photo, and so every head. */
static void
all_heads(const AttacheFitParams *p)
{
	if (!p->heads)
		return;
	int big = ATTACHE_FIT_MAX_SIDE;
	int left = 0, top = 0;
	attache__fit_heads(p->faces, big, big, big, big, FALSE, &left, &top, p->heads);
}

AttacheCode
attache__fit(VipsImage *in, const AttacheFitParams *p, VipsImage **out,
	guint *flags, GError **error)
{
	int iw = p->source_width > 0 ? p->source_width : in->Xsize;
	int ih = p->source_height > 0 ? p->source_height : in->Ysize;
	g_autoptr(VipsImage) a = NULL;
	AttacheCode code;

	*flags = 0;
	if (p->fit == ATTACHE_FIT_INSIDE)
		code = fit_inside(in, p, iw, ih, &a, flags, error);
	else if (p->fit == ATTACHE_FIT_COVER)
		code = fit_cover(in, p, iw, ih, &a, flags, error);
	else
		code = fit_contain(in, p, iw, ih, &a, flags, error);
	if (code)
		return code;
	if (p->fit != ATTACHE_FIT_COVER)
		all_heads(p);
	/* lazy: the pixels are computed as the encoder reads them, which
	 * keeps them in memory only if it needs a second try */
	*out = g_steal_pointer(&a);
	return ATTACHE_OK;
}
