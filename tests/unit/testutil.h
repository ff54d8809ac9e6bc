/* SPDX-License-Identifier: MIT */
/* Helpers for the unit tests: synthetic images made with libvips. */
#ifndef ATTACHE_TESTUTIL_H
#define ATTACHE_TESTUTIL_H

#include "private.h"

/* An sRGB image @w x @h whose pixel (x, y) encodes its own position:
 * R = 255 * x / (w-1), G = 255 * y / (h-1), B = 128. Any crop, flip or
 * rotation is visible in the corners. (transfer full) */
static inline VipsImage *
tu_ramp(int w, int h)
{
	VipsImage *xyz, *x, *y, *rx, *ry, *b, *bands[3], *j, *u, *out;
	g_assert_cmpint(vips_xyz(&xyz, w, h, NULL), ==, 0);
	g_assert_cmpint(vips_extract_band(xyz, &x, 0, NULL), ==, 0);
	g_assert_cmpint(vips_extract_band(xyz, &y, 1, NULL), ==, 0);
	g_assert_cmpint(vips_linear1(x, &rx, 255.0 / (w - 1), 0, NULL), ==, 0);
	g_assert_cmpint(vips_linear1(y, &ry, 255.0 / (h - 1), 0, NULL), ==, 0);
	g_assert_cmpint(vips_linear1(x, &b, 0, 128, NULL), ==, 0);
	bands[0] = rx;
	bands[1] = ry;
	bands[2] = b;
	g_assert_cmpint(vips_bandjoin(bands, &j, 3, NULL), ==, 0);
	g_assert_cmpint(vips_cast_uchar(j, &u, NULL), ==, 0);
	g_assert_cmpint(vips_copy(u, &out, "interpretation",
						VIPS_INTERPRETATION_sRGB, NULL),
		==, 0);
	VipsImage *mem = vips_image_copy_memory(out);
	g_object_unref(xyz);
	g_object_unref(x);
	g_object_unref(y);
	g_object_unref(rx);
	g_object_unref(ry);
	g_object_unref(b);
	g_object_unref(j);
	g_object_unref(u);
	g_object_unref(out);
	return mem;
}

/* Gaussian noise around mid-grey: the worst case for an encoder. */
static inline VipsImage *
tu_noise(int w, int h, double sigma)
{
	VipsImage *n, *bands[3], *j, *u, *out;
	for (int i = 0; i < 3; i++) {
		g_assert_cmpint(vips_gaussnoise(&n, w, h, "sigma", sigma, "mean",
							128.0, NULL),
			==, 0);
		bands[i] = n;
	}
	g_assert_cmpint(vips_bandjoin(bands, &j, 3, NULL), ==, 0);
	g_assert_cmpint(vips_cast_uchar(j, &u, NULL), ==, 0);
	g_assert_cmpint(vips_copy(u, &out, "interpretation",
						VIPS_INTERPRETATION_sRGB, NULL),
		==, 0);
	VipsImage *mem = vips_image_copy_memory(out);
	for (int i = 0; i < 3; i++)
		g_object_unref(bands[i]);
	g_object_unref(j);
	g_object_unref(u);
	g_object_unref(out);
	return mem;
}

static inline void
tu_pixel(VipsImage *im, int x, int y, double out[3])
{
	double *v;
	int n;
	g_assert_cmpint(vips_getpoint(im, &v, &n, x, y, NULL), ==, 0);
	for (int i = 0; i < 3 && i < n; i++)
		out[i] = v[i];
	g_free(v);
}

#endif
