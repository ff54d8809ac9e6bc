/* SPDX-License-Identifier: MIT */
/*
 * mask.c: the mask stage (docs/masking.md). Every region of
 * the photo's masks (faces with their heads, boxes given by hand, text) is
 * filled solid on the decoded, upright sRGB photo, before any preset's
 * fit, crop or resize, so that no output can show what is under it.
 *
 * A solid fill, not a blur or pixelation: both can be reversed (neural
 * models sharpen a blur, and a pixelated block keeps its mean), while a
 * fill leaves nothing of what it covers. The fill is opaque black; an alpha
 * band is made opaque there too, so a PNG cannot hide a transparent hole
 * that a viewer shows in its own colour.
 *
 * Each region becomes its pixel box, rounded outwards (a box never
 * covers less than its fractions say), inserted over the photo: lazy, so
 * a 12 MP photo is not copied.
 */
#include "private.h"

#include <math.h>

/* @in with a @w x @h opaque black block at @left, @top. @out: (transfer
 * full). */
static int
fill_box(VipsImage *in, int left, int top, int w, int h, VipsImage **out)
{
	g_autoptr(VipsImage) black = NULL, block = NULL, cast = NULL;
	double a[4] = { 1, 1, 1, 1 }, b[4] = { 0, 0, 0, 0 };
	int bands = MIN(in->Bands, 4);
	/* the last band of 2 or 4 is alpha: opaque */
	if (vips_image_hasalpha(in))
		b[bands - 1] = in->BandFmt == VIPS_FORMAT_UCHAR ? 255 : 65535;
	if (vips_black(&black, w, h, "bands", in->Bands, NULL) || vips_linear(black, &block, a, b, bands, NULL)
		|| vips_cast(block, &cast, in->BandFmt, NULL))
		return -1;
	return vips_insert(in, cast, out, left, top, NULL);
}

AttacheCode
attache__mask(VipsImage *in, const GPtrArray *masks, VipsImage **out, GError **error)
{
	g_object_ref(in);
	g_autoptr(VipsImage) cur = in;
	for (guint i = 0; masks && i < masks->len; i++) {
		const AttacheRegion *r = masks->pdata[i];
		int x0 = (int)floor(CLAMP(r->x, 0, 1) * in->Xsize), y0 = (int)floor(CLAMP(r->y, 0, 1) * in->Ysize);
		int x1 = (int)ceil(CLAMP(r->x + r->w, 0, 1) * in->Xsize), y1 = (int)ceil(CLAMP(r->y + r->h, 0, 1) * in->Ysize);
		if (x1 <= x0 || y1 <= y0)
			continue;
		VipsImage *next = NULL;
		if (fill_box(cur, x0, y0, x1 - x0, y1 - y0, &next)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL, "cannot fill the mask (%s)", vips_error_buffer());
			vips_error_clear();
			return ATTACHE_E_INTERNAL;
		}
		g_object_unref(cur);
		cur = next;
	}
	*out = g_steal_pointer(&cur);
	return ATTACHE_OK;
}
