/* SPDX-License-Identifier: MIT */
/* Unit tests for fit-heads.c and the face-aware crops of fit.c, with face
 * lists given as data: heads kept whole when a window can hold them all,
 * the window nearest the one attention chose, faces-cut otherwise. */
#include "testutil.h"

static GPtrArray *
faces_of(const double (*b)[4], int n)
{
	GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	for (int i = 0; i < n; i++) {
		AttacheRegion r = { ATTACHE_REGION_FACE, b[i][0], b[i][1], b[i][2], b[i][3], 1.0 };
		g_ptr_array_add(a, attache_region_copy(&r));
	}
	return a;
}

/* The head of @f in an @rw x @rh photo, in pixels: x0, x1, y0, y1. */
static void
head_px(const AttacheRegion *f, int rw, int rh, double hp[4])
{
	double hb[4];
	attache__head_box(f, hb);
	hp[0] = hb[0] * rw;
	hp[1] = (hb[0] + hb[2]) * rw;
	hp[2] = hb[1] * rh;
	hp[3] = (hb[1] + hb[3]) * rh;
}

static gboolean
holds(const double hp[4], int l, int t, int w, int h)
{
	return hp[0] >= l - 1 && hp[1] <= l + w + 1 && hp[2] >= t - 1 && hp[3] <= t + h + 1;
}

static void
test_head_box(void)
{
	AttacheRegion f = { ATTACHE_REGION_FACE, 0.4, 0.4, 0.1, 0.2, 1.0 };
	double hb[4];
	attache__head_box(&f, hb);
	/* a third of its height above, a tenth of its size on the other sides */
	g_assert_cmpfloat(fabs(hb[0] - 0.39), <, 1e-9);
	g_assert_cmpfloat(fabs(hb[1] - 0.34), <, 1e-9);
	g_assert_cmpfloat(fabs(hb[2] - 0.12), <, 1e-9);
	g_assert_cmpfloat(fabs(hb[3] - 0.28), <, 1e-9);
	/* clipped to the photo */
	AttacheRegion top = { ATTACHE_REGION_FACE, 0.0, 0.0, 0.2, 0.2, 1.0 };
	attache__head_box(&top, hb);
	g_assert_cmpfloat(hb[0], ==, 0);
	g_assert_cmpfloat(hb[1], ==, 0);
	g_assert_cmpfloat(fabs(hb[3] - 0.22), <, 1e-9);
}

static void
test_moves_to_keep_head(void)
{
	/* a 2000 x 1000 photo, a 1000 x 1000 window chosen at the left edge,
	 * a face at x 0.7..0.8: the window moves right just far enough */
	static const double b[][4] = { { 0.7, 0.3, 0.1, 0.2 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 1);
	int left = 0, top = 0;
	AttacheHeads hs;
	attache__fit_heads(faces, 2000, 1000, 1000, 1000, TRUE, &left, &top, &hs);
	double hp[4];
	head_px(faces->pdata[0], 2000, 1000, hp);
	g_assert_true(holds(hp, left, top, 1000, 1000));
	/* with headroom: a fifth of the face's width on its right */
	g_assert_cmpint(abs(left - (int)lround((0.8 + 0.2 * 0.1) * 2000 - 1000)), <=, 1);
	g_assert_false(hs.cut);
	g_assert_cmpint(hs.kept, ==, 1);
	g_assert_cmpfloat(fabs(hs.cx - 0.75), <, 1e-9);
	g_assert_cmpfloat(fabs(hs.cy - 0.4), <, 1e-9);

	/* a window that already holds it is not moved */
	left = 900;
	attache__fit_heads(faces, 2000, 1000, 1000, 1000, TRUE, &left, &top, &hs);
	g_assert_cmpint(left, ==, 900);
	g_assert_false(hs.cut);
}

static void
test_explicit_crop_only_reports(void)
{
	static const double b[][4] = { { 0.45, 0.3, 0.1, 0.2 }, { 0.9, 0.3, 0.05, 0.1 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 2);
	/* the window's right edge at x 1000 runs through the first head */
	int left = 0, top = 0;
	AttacheHeads hs;
	attache__fit_heads(faces, 2000, 1000, 1000, 1000, FALSE, &left, &top, &hs);
	g_assert_cmpint(left, ==, 0);
	g_assert_true(hs.cut);
	g_assert_cmpint(hs.kept, ==, 0);
	/* one further left leaves both heads out, whole: not a cut */
	static const double c[][4] = { { 0.6, 0.3, 0.1, 0.2 } };
	g_autoptr(GPtrArray) right = faces_of(c, 1);
	attache__fit_heads(right, 2000, 1000, 1000, 1000, FALSE, &left, &top, &hs);
	g_assert_false(hs.cut);
	g_assert_cmpint(hs.kept, ==, 0);
}

static void
test_largest_kept_when_not_all_fit(void)
{
	/* two faces 1500 px apart in a 2000-wide photo, a 1000-wide window:
	 * the larger head (right) is kept whole, the smaller left out whole,
	 * and the output is flagged */
	static const double b[][4] = { { 0.05, 0.3, 0.05, 0.1 }, { 0.8, 0.3, 0.1, 0.2 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 2);
	int left = 0, top = 0;
	AttacheHeads hs;
	attache__fit_heads(faces, 2000, 1000, 1000, 1000, TRUE, &left, &top, &hs);
	double big[4], small[4];
	head_px(faces->pdata[1], 2000, 1000, big);
	head_px(faces->pdata[0], 2000, 1000, small);
	g_assert_true(holds(big, left, top, 1000, 1000));
	g_assert_cmpfloat(small[1], <=, left + 1); /* out, not cut */
	g_assert_true(hs.cut);
	g_assert_cmpint(hs.kept, ==, 1);
	g_assert_cmpfloat(fabs(hs.cx - 0.85), <, 1e-9);
}

static void
test_head_larger_than_window(void)
{
	/* a face filling most of a landscape photo cropped to a narrow
	 * strip: the window stays inside the head, flagged */
	static const double b[][4] = { { 0.2, 0.2, 0.6, 0.7 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 1);
	int left = 0, top = 0;
	AttacheHeads hs;
	attache__fit_heads(faces, 2000, 1000, 500, 1000, TRUE, &left, &top, &hs);
	double hp[4];
	head_px(faces->pdata[0], 2000, 1000, hp);
	g_assert_cmpfloat(left, >=, hp[0] - 1);
	g_assert_cmpfloat(left + 500, <=, hp[1] + 1);
	g_assert_true(hs.cut);
}

/* The face @f grown by @up above and @side on the other sides, in
 * pixels, clipped: x0, x1, y0, y1. */
static void
grown_px(const AttacheRegion *f, double up, double side, int rw, int rh, double hp[4])
{
	hp[0] = MAX(0, f->x - side * f->w) * rw;
	hp[1] = MIN(1, f->x + (1 + side) * f->w) * rw;
	hp[2] = MAX(0, f->y - up * f->h) * rh;
	hp[3] = MIN(1, f->y + (1 + side) * f->h) * rh;
}

/* The nearest position to @want on both axes (L1) among those whose
 * window holds every head grown by @up and @side, by trying them all;
 * FALSE when none does. */
static gboolean
brute_nearest(GPtrArray *faces, double up, double side, int rw, int rh, int w, int h, int want_l, int want_t,
	int *dist)
{
	*dist = G_MAXINT;
	for (int l = 0; l <= rw - w; l++)
		for (int t = 0; t <= rh - h; t++) {
			gboolean all = TRUE;
			for (guint i = 0; i < faces->len && all; i++) {
				double hp[4];
				grown_px(faces->pdata[i], up, side, rw, rh, hp);
				/* strictly inside: the window under test gets a pixel
				 * of rounding either side */
				all = hp[0] >= l && hp[1] <= l + w && hp[2] >= t && hp[3] <= t + h;
			}
			if (all)
				*dist = MIN(*dist, abs(l - want_l) + abs(t - want_t));
		}
	return *dist < G_MAXINT;
}

static void
test_random_layouts(void)
{
	/* random faces and windows on small photos, against every position
	 * tried in turn: when some window holds every head, the one chosen
	 * does, and is as near the wanted one as any (to a pixel's rounding) */
	GRand *r = g_rand_new_with_seed(14);
	int holdable = 0;
	for (int round = 0; round < 400; round++) {
		gboolean wide = g_rand_boolean(r);
		int rw = wide ? g_rand_int_range(r, 120, 240) : 100;
		int rh = wide ? 100 : g_rand_int_range(r, 120, 240);
		int w = 100, h = 100;
		int n = g_rand_int_range(r, 1, 5);
		double b[4][4];
		for (int i = 0; i < n; i++) {
			double fw = g_rand_double_range(r, 0.03, 0.2), fh = g_rand_double_range(r, 0.03, 0.2);
			b[i][0] = g_rand_double_range(r, 0, 1 - fw);
			b[i][1] = g_rand_double_range(r, 0, 1 - fh);
			b[i][2] = fw;
			b[i][3] = fh;
		}
		g_autoptr(GPtrArray) faces = faces_of(b, n);
		int want_l = g_rand_int_range(r, 0, rw - w + 1), want_t = g_rand_int_range(r, 0, rh - h + 1);
		int left = want_l, top = want_t, dist;
		AttacheHeads hs;
		attache__fit_heads(faces, rw, rh, w, h, TRUE, &left, &top, &hs);
		g_assert_cmpint(left, >=, 0);
		g_assert_cmpint(top, >=, 0);
		g_assert_cmpint(left + w, <=, rw);
		g_assert_cmpint(top + h, <=, rh);
		/* a window with headroom for every head (a fifth of the face
		 * around it, 0.6 above) when there is one, else the heads */
		if (!brute_nearest(faces, 0.6, 0.2, rw, rh, w, h, want_l, want_t, &dist)
			&& !brute_nearest(faces, 0.3, 0.1, rw, rh, w, h, want_l, want_t, &dist)) {
			/* no window holds them all: the largest head is kept */
			continue;
		}
		holdable++;
		for (int i = 0; i < n; i++) {
			double hp[4];
			head_px(faces->pdata[i], rw, rh, hp);
			g_assert_true(holds(hp, left, top, w, h));
		}
		g_assert_false(hs.cut);
		g_assert_cmpint(hs.kept, ==, n);
		g_assert_cmpint(abs(left - want_l) + abs(top - want_t), <=, dist + 2);
	}
	g_assert_cmpint(holdable, >, 100); /* the test tried enough of them */
	g_rand_free(r);
}

static VipsImage *
fit_with(VipsImage *in, AttacheFitParams *p, guint *flags)
{
	VipsImage *out = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache__fit(in, p, &out, flags, &error), ==, ATTACHE_OK);
	return out;
}

static void
test_fit_modes(void)
{
	/* 2000 x 1000 ramp to a 500 x 500 square (1000 x 1000 window in the
	 * photo), attention at the left edge, a face on the right */
	g_autoptr(VipsImage) in = tu_ramp(2000, 1000);
	static const double b[][4] = { { 0.8, 0.4, 0.08, 0.16 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 1);
	AttacheFitParams p = { 0 };
	AttacheHeads hs;
	double place[4];
	p.width = p.height = 500;
	p.fit = ATTACHE_FIT_COVER;
	p.have_attention = TRUE;
	p.attention_x = 0.0;
	p.attention_y = 0.5;
	p.faces = faces;
	p.heads = &hs;
	p.place = place;
	guint flags;

	/* attention: moved right to keep the head; x of the output's right
	 * edge on the ramp is past the head's right end (0.888) */
	p.crop = ATTACHE_CROP_ATTENTION;
	g_autoptr(VipsImage) a = fit_with(in, &p, &flags);
	double px[3];
	tu_pixel(a, 499, 250, px);
	g_assert_cmpfloat(px[0], >, 255 * 0.885);
	g_assert_false(flags & ATTACHE_FLAG_FACES_CUT);
	g_assert_cmpint(hs.kept, ==, 1);

	/* attention-only: today's crop at the left edge, no faces looked at */
	p.crop = ATTACHE_CROP_ATTENTION_ONLY;
	g_autoptr(VipsImage) o = fit_with(in, &p, &flags);
	tu_pixel(o, 0, 250, px);
	g_assert_cmpfloat(px[0], <, 3);
	g_assert_false(flags & ATTACHE_FLAG_FACES_CUT);
	g_assert_false(attache__fit_needs_faces(&p));

	/* a focus point whose window cuts the head: obeyed, flagged */
	p.crop = ATTACHE_CROP_FOCUS;
	p.have_focus = TRUE;
	p.focus_x = 0.6;
	p.focus_y = 0.5;
	g_autoptr(VipsImage) f = fit_with(in, &p, &flags);
	tu_pixel(f, 250, 250, px);
	g_assert_cmpfloat(fabs(px[0] - 255 * 0.6), <, 4);
	g_assert_true(flags & ATTACHE_FLAG_FACES_CUT);

	/* centre: the window 0.25..0.75 leaves the head out whole: no flag */
	p.crop = ATTACHE_CROP_CENTRE;
	p.have_focus = FALSE;
	g_autoptr(VipsImage) c = fit_with(in, &p, &flags);
	g_assert_false(flags & ATTACHE_FLAG_FACES_CUT);
	g_assert_cmpint(hs.kept, ==, 0);

	/* inside keeps the whole photo: every face, the focus on it */
	p.fit = ATTACHE_FIT_INSIDE;
	p.crop = ATTACHE_CROP_ATTENTION;
	g_autoptr(VipsImage) w = fit_with(in, &p, &flags);
	g_assert_cmpint(hs.kept, ==, 1);
	g_assert_false(hs.cut);
	g_assert_cmpfloat(fabs(hs.cx - 0.84), <, 1e-9);
	g_assert_true(attache__fit_needs_faces(&p));
	p.have_focus = TRUE; /* the user's point wins: no detection */
	g_assert_false(attache__fit_needs_faces(&p));
}

static void
test_entropy_is_face_aware(void)
{
	/* entropy picks the noisy left half; the face on the right wins */
	g_autoptr(VipsImage) noise = tu_noise(1000, 1000, 60);
	g_autoptr(VipsImage) flat = tu_ramp(1000, 1000);
	VipsImage *both;
	g_assert_cmpint(vips_join(noise, flat, &both, VIPS_DIRECTION_HORIZONTAL, NULL), ==, 0);
	static const double b[][4] = { { 0.85, 0.4, 0.05, 0.1 } };
	g_autoptr(GPtrArray) faces = faces_of(b, 1);
	AttacheFitParams p = { 0 };
	AttacheHeads hs;
	double place[4];
	p.width = p.height = 500;
	p.fit = ATTACHE_FIT_COVER;
	p.crop = ATTACHE_CROP_ENTROPY;
	p.faces = faces;
	p.heads = &hs;
	p.place = place;
	guint flags;
	g_autoptr(VipsImage) out = fit_with(both, &p, &flags);
	/* the window (500 px wide, 1000 x 500 of the photo) ends past the
	 * head's right end at 0.905 of 1000 */
	g_assert_cmpfloat(-place[0] + 500, >=, 0.905 * 1000 - 1);
	g_assert_false(flags & ATTACHE_FLAG_FACES_CUT);
	p.faces = NULL; /* without it, entropy's own choice: the noise */
	g_autoptr(VipsImage) bare = fit_with(both, &p, &flags);
	g_assert_cmpfloat(-place[0] + 500, <, 0.905 * 1000 - 1);
	g_object_unref(both);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/fit-heads/head-box", test_head_box);
	g_test_add_func("/fit-heads/moves-to-keep-head", test_moves_to_keep_head);
	g_test_add_func("/fit-heads/explicit-only-reports", test_explicit_crop_only_reports);
	g_test_add_func("/fit-heads/largest-kept", test_largest_kept_when_not_all_fit);
	g_test_add_func("/fit-heads/head-larger-than-window", test_head_larger_than_window);
	g_test_add_func("/fit-heads/random-layouts", test_random_layouts);
	g_test_add_func("/fit-heads/fit-modes", test_fit_modes);
	g_test_add_func("/fit-heads/entropy", test_entropy_is_face_aware);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
