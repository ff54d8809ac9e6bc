/* SPDX-License-Identifier: MIT */
/*
 * resize.c: part of stage 4 (fit), a lanczos3 reduction made with libvips'
 * vertical reducer in both directions.
 *
 * libvips 8.14's horizontal reducer (reduceh) is plain C, one output pixel
 * at a time, while its vertical one (reducev) has a vector path: on a 12 MP
 * photo's 2016 x 1134 window made 1600 x 900, vips_resize() spends 57 ms
 * of CPU, 50 of them in reduceh, the largest cost of a photo after libjpeg.
 * So the window is reduced vertically, turned a quarter (vips_rot, a
 * copy in tiles, a few ms), reduced "vertically" again, which is
 * horizontally, and turned back: the same kernel, about 25 ms. The
 * result differs from vips_resize()'s by rounding only (57 dB PSNR, no
 * sample more than 4 apart: the two paths' fixed point).
 *
 * Only for what it is measured on: 8-bit images reduced by less than 2 in
 * both directions (vips_resize() does the same two reductions there, with
 * no box shrink first), whose vertically reduced copy is at most
 * MAX_BYTES; the rest goes to vips_resize(). The copies are in memory, so
 * the fitted image is computed here rather than as the encoder reads it.
 */
#include "private.h"

/* the largest vertically reduced copy made (a 2016 x 1512 decode's full
 * height is 9 MiB): a full-resolution preset (mastodon) keeps libvips'
 * lazy path and its memory */
#define MAX_BYTES (16 << 20)
/* @in turned by @angle, in memory (libvips' vips_rot: a copy in tiles).
 * (transfer full), NULL on error. */
static VipsImage *
turn(VipsImage *in, VipsAngle angle)
{
	VipsImage *t;
	if (vips_rot(in, &t, angle, NULL))
		return NULL;
	VipsImage *mem = vips_image_copy_memory(t);
	g_object_unref(t);
	return mem;
}

/* @in reduced vertically by @shrink with lanczos3, in memory. (transfer
 * full), NULL on error. */
static VipsImage *
reduce_rows(VipsImage *in, double shrink)
{
	VipsImage *t;
	if (vips_reducev(in, &t, shrink, "kernel", VIPS_KERNEL_LANCZOS3, NULL))
		return NULL;
	VipsImage *mem = vips_image_copy_memory(t);
	g_object_unref(t);
	return mem;
}

int
attache__resize_reduce(VipsImage *in, int w, int h, VipsImage **out)
{
	/* ownership: @in is borrowed; *@out (transfer full) on 0 */
	int iw = in->Xsize, ih = in->Ysize;
	if (in->BandFmt != VIPS_FORMAT_UCHAR || in->Coding != VIPS_CODING_NONE || in->Bands > 4 || w >= iw || h >= ih
		|| iw >= 2 * w || ih >= 2 * h || (gint64)iw * h * in->Bands > MAX_BYTES)
		return 1;
	/* each copy is freed as soon as the next is made: two at a time */
	g_autoptr(VipsImage) a = reduce_rows(in, (double)ih / h);
	if (!a)
		return -1;
	if (a->Ysize != h)
		return 1; /* rounded otherwise: vips_resize() and its fix-up */
	g_autoptr(VipsImage) b = turn(a, VIPS_ANGLE_D90);
	g_clear_object(&a);
	g_autoptr(VipsImage) c = b ? reduce_rows(b, (double)iw / w) : NULL;
	g_clear_object(&b);
	if (!c)
		return -1;
	if (c->Ysize != w)
		return 1;
	if (!(*out = turn(c, VIPS_ANGLE_D270)))
		return -1;
	return 0;
}
