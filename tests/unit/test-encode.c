/* SPDX-License-Identifier: MIT */
/* Unit tests for encode.c: every output under its budget, the quality
 * search bounded, downscale only when the floor does not fit. */
#include "testutil.h"

static AttacheEncoded
encode(VipsImage *in, AttacheFormat f, gint64 max, int qmax, int qmin,
	AttacheCode want)
{
	AttacheEncodeParams p = { f, ATTACHE_FORMAT_JPEG, max, qmax, qmin, 200 };
	AttacheEncoded e;
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache__encode(in, &p, &e, &error), ==, want);
	if (want == ATTACHE_OK) {
		g_assert_cmpint((gint64)e.len, <=, max);
		g_assert_cmpint(e.encodes, <=, 8);
		/* what was returned is what it says it is */
		g_autoptr(VipsImage) back = vips_image_new_from_buffer(e.data, e.len,
			"", NULL);
		g_assert_nonnull(back);
		g_assert_cmpint(back->Xsize, ==, e.width);
		g_assert_cmpint(back->Ysize, ==, e.height);
	}
	else
		g_assert_nonnull(error);
	return e;
}

static void
test_ceiling_fits(void)
{
	g_autoptr(VipsImage) im = tu_ramp(1600, 900);
	AttacheEncoded e = encode(im, ATTACHE_FORMAT_JPEG, 5000000, 85, 60,
		ATTACHE_OK);
	g_assert_cmpint(e.quality, ==, 85);
	g_assert_cmpint(e.encodes, ==, 1);
	g_assert_cmpint(e.flags, ==, 0);
	/* progressive JPEG: SOF2 */
	gboolean sof2 = FALSE;
	for (gsize i = 0; i + 1 < e.len; i++)
		if (e.data[i] == 0xff && e.data[i + 1] == 0xc2)
			sof2 = TRUE;
	g_assert_true(sof2);
	g_free(e.data);
}

static void
test_quality_search(void)
{
	g_autoptr(VipsImage) im = tu_noise(1200, 800, 25);
	/* sizes at the two ends, to put the budget in between */
	AttacheEncoded hi = encode(im, ATTACHE_FORMAT_JPEG, 1 << 30, 85, 85,
		ATTACHE_OK);
	AttacheEncoded lo = encode(im, ATTACHE_FORMAT_JPEG, 1 << 30, 50, 50,
		ATTACHE_OK);
	gint64 budget = (gint64)(lo.len + (hi.len - lo.len) / 2);
	AttacheEncoded e = encode(im, ATTACHE_FORMAT_JPEG, budget, 85, 50,
		ATTACHE_OK);
	g_assert_cmpint(e.quality, >, 50);
	g_assert_cmpint(e.quality, <, 85);
	g_assert_cmpint(e.width, ==, 1200);
	g_assert_false(e.flags & ATTACHE_FLAG_DOWNSCALED);
	g_assert_cmpint(e.encodes, <=, 6);
	/* the search is not lazy: one step up would not fit */
	AttacheEncoded up = encode(im, ATTACHE_FORMAT_JPEG, 1 << 30, e.quality + 1,
		e.quality + 1, ATTACHE_OK);
	g_assert_cmpint((gint64)up.len, >, budget - budget / 20);
	g_free(hi.data);
	g_free(lo.data);
	g_free(e.data);
	g_free(up.data);
}

static void
test_downscale(void)
{
	g_autoptr(VipsImage) im = tu_noise(1600, 900, 40);
	AttacheEncoded e = encode(im, ATTACHE_FORMAT_JPEG, 60000, 85, 60,
		ATTACHE_OK);
	g_assert_true(e.flags & ATTACHE_FLAG_DOWNSCALED);
	g_assert_cmpint(e.width, <, 1600);
	/* aspect kept */
	g_assert_cmpfloat(fabs((double)e.width / e.height - 16.0 / 9), <, 0.02);
	g_free(e.data);
}

static void
test_impossible(void)
{
	g_autoptr(VipsImage) im = tu_noise(1600, 900, 40);
	encode(im, ATTACHE_FORMAT_JPEG, 2000, 85, 60, ATTACHE_E_BUDGET);
}

static void
test_webp(void)
{
	g_autoptr(VipsImage) im = tu_noise(1000, 1000, 20);
	AttacheEncoded e = encode(im, ATTACHE_FORMAT_WEBP, 150000, 85, 40,
		ATTACHE_OK);
	g_assert_cmpint(e.format, ==, ATTACHE_FORMAT_WEBP);
	g_assert_true(e.len > 12 && memcmp(e.data + 8, "WEBP", 4) == 0);
	g_free(e.data);
}

static void
test_png(void)
{
	/* a flat graphic: lossless fits */
	g_autoptr(VipsImage) flat = tu_ramp(800, 600);
	AttacheEncoded a = encode(flat, ATTACHE_FORMAT_PNG, 2000000, 90, 60,
		ATTACHE_OK);
	g_assert_cmpint(a.format, ==, ATTACHE_FORMAT_PNG);
	g_assert_cmpint(a.quality, ==, 100);
	g_free(a.data);

	/* noise: lossless too big, the palette may fit */
	g_autoptr(VipsImage) noise = tu_noise(800, 600, 30);
	AttacheEncoded b = encode(noise, ATTACHE_FORMAT_PNG, 500000, 90, 60,
		ATTACHE_OK);
	g_assert_cmpint(b.format, ==, ATTACHE_FORMAT_PNG);
	g_assert_cmpint(b.quality, <, 100);
	g_free(b.data);

	/* neither fits: the fallback (JPEG) */
	AttacheEncoded c = encode(noise, ATTACHE_FORMAT_PNG, 120000, 90, 60,
		ATTACHE_OK);
	g_assert_cmpint(c.format, ==, ATTACHE_FORMAT_JPEG);
	g_assert_true(c.flags & ATTACHE_FLAG_FALLBACK);
	g_free(c.data);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/encode/ceiling-fits", test_ceiling_fits);
	g_test_add_func("/encode/quality-search", test_quality_search);
	g_test_add_func("/encode/downscale", test_downscale);
	g_test_add_func("/encode/impossible", test_impossible);
	g_test_add_func("/encode/webp", test_webp);
	g_test_add_func("/encode/png", test_png);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
