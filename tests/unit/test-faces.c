/* SPDX-License-Identifier: MIT */
/* test-faces.c: attache__faces_detect() in both modes on real photos
 * (../shared/samples): the thorough mode (--protect's, not reachable from
 * the command line until --protect exists) finds what the default finds
 * and more, and neither finds faces in a fir tree. The labelled set's
 * figures are tests/cli/test_faces.py's. */
#include <attache.h>
#include "private.h"

#define SAMPLES ATTACHE_SRCDIR "/../shared/samples/"

/* The upright sRGB photo at @rel, as prep's decode gives it, or NULL
 * (the test is then skipped). (transfer full) */
static VipsImage *
upright(const char *rel)
{
	g_autofree char *path = g_strconcat(SAMPLES, rel, NULL);
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return NULL;
	VipsImage *in = vips_image_new_from_file(path, NULL), *out = NULL;
	g_assert_nonnull(in);
	g_assert_cmpint(vips_autorot(in, &out, NULL), ==, 0);
	g_object_unref(in);
	return out;
}

static GPtrArray *
detect(VipsImage *im, int mode)
{
	GPtrArray *faces = NULL;
	g_autoptr(GError) e = NULL;
	g_assert_cmpint(attache__faces_detect(im, mode, "test", &faces, &e), ==, ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_nonnull(faces);
	for (guint i = 0; i < faces->len; i++) {
		const AttacheRegion *r = faces->pdata[i];
		g_assert_cmpint(r->kind, ==, ATTACHE_REGION_FACE);
		g_assert_true(r->x >= 0 && r->y >= 0 && r->w > 0 && r->h > 0);
		g_assert_true(r->x + r->w <= 1 + 1e-9 && r->y + r->h <= 1 + 1e-9);
		g_assert_true(r->score >= 0 && r->score <= 1);
	}
	return faces;
}

static double
iou(const AttacheRegion *r, double x, double y, double w, double h)
{
	double ix = MAX(0, MIN(r->x + r->w, x + w) - MAX(r->x, x));
	double iy = MAX(0, MIN(r->y + r->h, y + h) - MAX(r->y, y));
	double inter = ix * iy;
	return inter / (r->w * r->h + w * h - inter);
}

/* The man by the train window, side-on (tests/faces/labels.tsv: 85, 120,
 * 115 x 145 of the upright 480 x 640), in both modes. */
static void
test_profile_in_both_modes(void)
{
	g_autoptr(VipsImage) im = upright("phone/samsung-galaxy-s_o6_gps-zero_thumb.jpg");
	if (!im) {
		g_test_skip("../shared/samples is absent");
		return;
	}
	g_assert_cmpint(im->Xsize, ==, 480);
	for (int mode = ATTACHE_FACES_DEFAULT; mode <= ATTACHE_FACES_THOROUGH; mode++) {
		g_autoptr(GPtrArray) faces = detect(im, mode);
		gboolean found = FALSE;
		for (guint i = 0; i < faces->len; i++)
			found |= iou(faces->pdata[i], 85 / 480., 120 / 640., 115 / 480., 145 / 640.) >= 0.3;
		g_assert_true(found);
	}
}

/* A group photo of 7 faces of 37 to 45 px (faces.tsv): the thorough mode
 * finds more of them than the default. */
static void
test_thorough_finds_more(void)
{
	g_autoptr(VipsImage) im = upright("faces/2007_007763.jpg");
	if (!im) {
		g_test_skip("../shared/samples is absent");
		return;
	}
	g_autoptr(GPtrArray) d = detect(im, ATTACHE_FACES_DEFAULT);
	g_autoptr(GPtrArray) t = detect(im, ATTACHE_FACES_THOROUGH);
	g_assert_cmpuint(t->len, >, d->len);
	g_assert_cmpuint(t->len, >=, 4);
}

/* No face in a fir's branches, whichever mode. */
static void
test_no_face_in_a_tree(void)
{
	g_autoptr(VipsImage) im = upright("phone/apple-iphone-6-plus_gps_xmp_iptc.jpg");
	if (!im) {
		g_test_skip("../shared/samples is absent");
		return;
	}
	for (int mode = ATTACHE_FACES_DEFAULT; mode <= ATTACHE_FACES_THOROUGH; mode++) {
		g_autoptr(GPtrArray) faces = detect(im, mode);
		g_assert_cmpuint(faces->len, ==, 0);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/faces/profile-both-modes", test_profile_in_both_modes);
	g_test_add_func("/faces/thorough-finds-more", test_thorough_finds_more);
	g_test_add_func("/faces/no-face-in-a-tree", test_no_face_in_a_tree);
	return g_test_run();
}
