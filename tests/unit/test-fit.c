/* SPDX-License-Identifier: MIT */
/* Unit tests for fit.c: exact sizes, crops, padding, small photos. */
#include "testutil.h"

static VipsImage *
fit(VipsImage *in, int w, int h, AttacheFit mode, AttacheCrop crop,
	gboolean upscale, guint *flags)
{
	AttacheFitParams p = { 0 };
	p.width = w;
	p.height = h;
	p.fit = mode;
	p.crop = crop;
	p.pad = ATTACHE_PAD_BLUR;
	p.upscale = upscale;
	VipsImage *out = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache__fit(in, &p, &out, flags, &error), ==, ATTACHE_OK);
	return out;
}

static void
test_cover_exact(void)
{
	/* odd aspect ratios, both directions, awkward sizes */
	static const int src[][2] = { { 4032, 3024 }, { 3024, 4032 },
		{ 2957, 4089 }, { 1999, 1001 }, { 5000, 700 }, { 1700, 1700 } };
	static const int dst[][2] = { { 1600, 900 }, { 1080, 1350 },
		{ 1080, 566 }, { 1200, 627 }, { 1200, 1200 } };
	for (guint i = 0; i < G_N_ELEMENTS(src); i++) {
		g_autoptr(VipsImage) in = tu_ramp(src[i][0], src[i][1]);
		for (guint j = 0; j < G_N_ELEMENTS(dst); j++) {
			guint flags;
			g_autoptr(VipsImage) out = fit(in, dst[j][0], dst[j][1],
				ATTACHE_FIT_COVER, ATTACHE_CROP_CENTRE, FALSE, &flags);
			if (src[i][0] >= dst[j][0] && src[i][1] >= dst[j][1]) {
				g_assert_cmpint(out->Xsize, ==, dst[j][0]);
				g_assert_cmpint(out->Ysize, ==, dst[j][1]);
				g_assert_false(flags & ATTACHE_FLAG_SMALL);
			}
			else {
				/* smaller than the box: same shape, never larger */
				g_assert_true(flags & ATTACHE_FLAG_SMALL);
				g_assert_cmpint(out->Xsize, <=, dst[j][0]);
				g_assert_cmpint(out->Ysize, <=, dst[j][1]);
				double want = (double)dst[j][0] / dst[j][1];
				double got = (double)out->Xsize / out->Ysize;
				g_assert_cmpfloat(fabs(got - want) / want, <, 0.01);
			}
		}
	}
}

static void
test_centre_crop_keeps_centre(void)
{
	/* a wide ramp cropped to a square keeps the middle columns: the red
	 * channel (x) at the left and right edges is about 1/4 and 3/4 */
	g_autoptr(VipsImage) in = tu_ramp(2000, 1000);
	guint flags;
	g_autoptr(VipsImage) out = fit(in, 500, 500, ATTACHE_FIT_COVER,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	double l[3], r[3], t[3], b[3];
	tu_pixel(out, 0, 250, l);
	tu_pixel(out, 499, 250, r);
	tu_pixel(out, 250, 0, t);
	tu_pixel(out, 250, 499, b);
	g_assert_cmpfloat(fabs(l[0] - 255 * 0.25), <, 4);
	g_assert_cmpfloat(fabs(r[0] - 255 * 0.75), <, 4);
	/* the full height is kept */
	g_assert_cmpfloat(t[1], <, 4);
	g_assert_cmpfloat(b[1], >, 251);
}

static void
test_focus(void)
{
	g_autoptr(VipsImage) in = tu_ramp(2000, 1000);
	AttacheFitParams p = { 0 };
	p.width = 500;
	p.height = 500;
	p.fit = ATTACHE_FIT_COVER;
	p.crop = ATTACHE_CROP_FOCUS;
	p.have_focus = TRUE;
	p.focus_x = 0.0; /* clamped to the left edge */
	p.focus_y = 0.5;
	VipsImage *out;
	guint flags;
	g_assert_cmpint(attache__fit(in, &p, &out, &flags, NULL), ==, ATTACHE_OK);
	double l[3];
	tu_pixel(out, 0, 250, l);
	g_assert_cmpfloat(l[0], <, 3);
	g_object_unref(out);

	p.focus_x = 0.6; /* window centred on x = 0.6 of the width */
	g_assert_cmpint(attache__fit(in, &p, &out, &flags, NULL), ==, ATTACHE_OK);
	double c[3];
	tu_pixel(out, 250, 250, c);
	g_assert_cmpfloat(fabs(c[0] - 255 * 0.6), <, 4);
	g_object_unref(out);
}

static void
test_attention_finds_subject(void)
{
	/* a grey field with one saturated, skin-toned blob near the right:
	 * attention must keep it */
	VipsImage *grey, *im;
	double g[3] = { 120, 120, 120 };
	g_assert_cmpint(vips_black(&grey, 3000, 1000, "bands", 3, NULL), ==, 0);
	g_assert_cmpint(vips_linear(grey, &im, (double[]){ 1, 1, 1 }, g, 3,
						"uchar", TRUE, NULL),
		==, 0);
	VipsImage *mem = vips_image_copy_memory(im);
	VipsImage *srgb;
	vips_copy(mem, &srgb, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
	VipsImage *drawn = vips_image_copy_memory(srgb);
	double skin[3] = { 230, 160, 120 };
	g_assert_cmpint(vips_draw_circle(drawn, skin, 3, 2600, 500, 120, "fill",
						TRUE, NULL),
		==, 0);
	guint flags;
	g_autoptr(VipsImage) out = fit(drawn, 800, 800, ATTACHE_FIT_COVER,
		ATTACHE_CROP_ATTENTION, FALSE, &flags);
	/* 3000x1000 -> 2400x800, the blob at x = 2080 of it: in the crop */
	double p[3], max = 0;
	for (int x = 0; x < 800; x += 20) {
		tu_pixel(out, x, 400, p);
		max = MAX(max, p[0]);
	}
	g_assert_cmpfloat(max, >, 200);
	g_object_unref(grey);
	g_object_unref(im);
	g_object_unref(mem);
	g_object_unref(srgb);
	g_object_unref(drawn);
}

static void
test_contain(void)
{
	g_autoptr(VipsImage) in = tu_ramp(1000, 2000); /* portrait */
	guint flags;
	g_autoptr(VipsImage) out = fit(in, 1600, 900, ATTACHE_FIT_CONTAIN,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	g_assert_cmpint(out->Xsize, ==, 1600);
	g_assert_cmpint(out->Ysize, ==, 900);
	g_assert_true(flags & ATTACHE_FLAG_PADDED);
	/* the photo, whole, in the middle: 450 wide, top row y = 0 */
	double mid_top[3], mid_bottom[3], edge[3];
	tu_pixel(out, 800, 0, mid_top);
	tu_pixel(out, 800, 899, mid_bottom);
	g_assert_cmpfloat(mid_top[1], <, 6);
	g_assert_cmpfloat(mid_bottom[1], >, 249);
	/* blurred, darkened background: not black, darker than the photo */
	tu_pixel(out, 50, 450, edge);
	g_assert_cmpfloat(edge[2], >, 20);
	g_assert_cmpfloat(edge[2], <, 128);

	/* a flat colour */
	AttacheFitParams p = { 0 };
	p.width = 1600;
	p.height = 900;
	p.fit = ATTACHE_FIT_CONTAIN;
	p.pad = ATTACHE_PAD_COLOUR;
	p.pad_colour[0] = 255;
	p.pad_colour[1] = 0;
	p.pad_colour[2] = 255;
	VipsImage *o2;
	g_assert_cmpint(attache__fit(in, &p, &o2, &flags, NULL), ==, ATTACHE_OK);
	tu_pixel(o2, 10, 10, edge);
	g_assert_cmpfloat(edge[0], ==, 255);
	g_assert_cmpfloat(edge[1], ==, 0);
	g_object_unref(o2);
}

static void
test_inside_and_small(void)
{
	g_autoptr(VipsImage) in = tu_ramp(4000, 3000);
	guint flags;
	g_autoptr(VipsImage) a = fit(in, 2000, 2000, ATTACHE_FIT_INSIDE,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	g_assert_cmpint(a->Xsize, ==, 2000);
	g_assert_cmpint(a->Ysize, ==, 1500);

	g_autoptr(VipsImage) small = tu_ramp(640, 480);
	g_autoptr(VipsImage) b = fit(small, 2000, 2000, ATTACHE_FIT_INSIDE,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	g_assert_cmpint(b->Xsize, ==, 640);
	g_assert_cmpint(b->Ysize, ==, 480);
	/* inside is a bounding box: a smaller photo is nothing to flag */
	g_assert_false(flags & ATTACHE_FLAG_SMALL);
	g_assert_false(flags & ATTACHE_FLAG_UPSCALED);

	/* cover of a small photo: the largest 16:9 frame in it */
	g_autoptr(VipsImage) c = fit(small, 1600, 900, ATTACHE_FIT_COVER,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	g_assert_cmpint(c->Xsize, ==, 640);
	g_assert_cmpint(c->Ysize, ==, 360);
	g_assert_true(flags & ATTACHE_FLAG_SMALL);

	/* upscale allowed: exact size, flagged */
	g_autoptr(VipsImage) d = fit(small, 1600, 900, ATTACHE_FIT_COVER,
		ATTACHE_CROP_CENTRE, TRUE, &flags);
	g_assert_cmpint(d->Xsize, ==, 1600);
	g_assert_cmpint(d->Ysize, ==, 900);
	g_assert_true(flags & ATTACHE_FLAG_UPSCALED);

	/* contain of a small photo: the smallest 16:9 canvas around it */
	g_autoptr(VipsImage) e = fit(small, 1600, 900, ATTACHE_FIT_CONTAIN,
		ATTACHE_CROP_CENTRE, FALSE, &flags);
	g_assert_cmpint(e->Xsize, ==, 854);
	g_assert_cmpint(e->Ysize, ==, 480);
	g_assert_true(flags & ATTACHE_FLAG_PADDED);
}

/* [fit] pixels (issue 13): at most the budget, aspect kept, never
 * enlarged, with or without a box; the decode scale agrees. */
static void
test_pixel_budget(void)
{
	static const int src[][2] = { { 3024, 4032 }, { 4032, 3024 }, { 2957, 4089 }, { 9000, 1000 }, { 1999, 1001 },
		{ 640, 480 } };
	const gint64 budget = 8294400;
	for (guint i = 0; i < G_N_ELEMENTS(src); i++) {
		int w0 = src[i][0], h0 = src[i][1];
		g_autoptr(VipsImage) in = tu_ramp(w0, h0);
		for (int box = 0; box < 2; box++) {
			AttacheFitParams p = { 0 };
			p.fit = ATTACHE_FIT_INSIDE;
			p.pixels = budget;
			p.width = box ? 4000 : 0;
			p.height = box ? 4000 : 0;
			guint flags;
			g_autoptr(VipsImage) out = NULL;
			g_assert_cmpint(attache__fit(in, &p, &out, &flags, NULL), ==, ATTACHE_OK);
			gint64 px = (gint64)out->Xsize * out->Ysize;
			g_assert_cmpint(px, <=, budget);
			g_assert_false(flags & (ATTACHE_FLAG_UPSCALED | ATTACHE_FLAG_SMALL));
			if ((gint64)w0 * h0 <= budget && (!box || VIPS_MAX(w0, h0) <= 4000)) {
				g_assert_cmpint(out->Xsize, ==, w0); /* never enlarged */
				g_assert_cmpint(out->Ysize, ==, h0);
				continue;
			}
			if (box) {
				g_assert_cmpint(out->Xsize, <=, 4000);
				g_assert_cmpint(out->Ysize, <=, 4000);
			}
			else /* the budget alone: within 0.2 % of it */
				g_assert_cmpint(px, >, budget * 998 / 1000);
			double aspect = (double)w0 / h0; /* kept, to a pixel's rounding */
			g_assert_cmpfloat(fabs((double)out->Xsize / out->Ysize - aspect) / aspect, <,
				2.0 / VIPS_MIN(out->Xsize, out->Ysize));
			/* the decode scale asked of the loader covers the output */
			double s = attache__fit_needed_scale(&p, w0, h0);
			g_assert_cmpfloat(s * w0, >=, out->Xsize - 1);
			g_assert_cmpfloat(s * h0, >=, out->Ysize - 1);
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/fit/cover-exact", test_cover_exact);
	g_test_add_func("/fit/centre-crop", test_centre_crop_keeps_centre);
	g_test_add_func("/fit/focus", test_focus);
	g_test_add_func("/fit/attention", test_attention_finds_subject);
	g_test_add_func("/fit/contain", test_contain);
	g_test_add_func("/fit/inside-and-small", test_inside_and_small);
	g_test_add_func("/fit/pixel-budget", test_pixel_budget);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
