/* SPDX-License-Identifier: MIT */
/*
 * faces.c: the photo's faces, from the detectors behind vision.h.
 *
 * Detection runs once per photo on a grey copy sized for the job (its
 * long side from the mode's tunables below), not on every output: the
 * boxes are fractions of the upright photo, the same for every preset.
 * The figures behind each tunable are in docs/faces.md.
 */
#include "private.h"
#include "vision/vision.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
	int long_side;	  /* the detection copy's long side, px */
	gboolean enlarge; /* a smaller photo is enlarged to it too */
	int detectors;	  /* ATTACHE_FACES_* */
	int min_px;		  /* smallest face, px of the copy */
	double step;	  /* the cascades' scale step */
	int lbp_floor;	  /* merged neighbours a cascade box needs */
	int hog_upsample;
	double hog_floor; /* dlib's detection confidence */
} Tunables;

static const Tunables tunables[] = {
	/* within the budget: faces of 7.5 % of the long side and more (the
	 * cascades' 24 px window in a 320 px copy) */
	[ATTACHE_FACES_DEFAULT] = { 320, FALSE, ATTACHE_FACES_LBP_FRONTAL | ATTACHE_FACES_LBP_PROFILE, 24, 1.2, 3, 0, 0.0 },
	/* --protect: a missed face is a harm, so dlib's HOG joins the
	 * cascades on a 1600 px copy, upsampled once: it finds the 30-40 px
	 * faces of a crowd (7 of 7 on 2007_007763, 2 without), down to a
	 * confidence of -0.3 (the man by the train scores -0.29) */
	[ATTACHE_FACES_THOROUGH] = { 1600, TRUE, ATTACHE_FACES_LBP_FRONTAL | ATTACHE_FACES_LBP_PROFILE | ATTACHE_FACES_HOG_FRONTAL, 24,
		1.1, 6, 0, 0.0 },
};

/* A 0..1 score from a detector's own: merged neighbours for a cascade,
 * dlib's confidence for HOG. */
static double
unit_score(const AttacheFaceBox *b)
{
	if (b->detector == ATTACHE_FACES_HOG_FRONTAL)
		return CLAMP(0.5 + b->score / 2, 0, 1);
	return CLAMP(1 - exp(-b->score / 8), 0, 1);
}

static double
overlap(const AttacheFaceBox *a, const AttacheFaceBox *b, double *of_smaller)
{
	double ix = MAX(0, MIN(a->x + a->w, b->x + b->w) - MAX(a->x, b->x));
	double iy = MAX(0, MIN(a->y + a->h, b->y + b->h) - MAX(a->y, b->y));
	double inter = ix * iy, aa = a->w * a->h, ab = b->w * b->h;
	*of_smaller = inter / MAX(1e-9, MIN(aa, ab));
	return inter / MAX(1e-9, aa + ab - inter);
}

static int
by_score_desc(const void *pa, const void *pb)
{
	const AttacheFaceBox *a = pa, *b = pb;
	return a->score < b->score ? 1 : a->score > b->score ? -1
														 : 0;
}

/* One face per person: the best-scored of boxes that overlap (the same
 * face seen by two detectors, or a box inside another). @v is reordered
 * and its scores made 0..1; returns how many of its first entries stay. */
static int
merge(AttacheFaceBox *v, int n)
{
	for (int i = 0; i < n; i++)
		v[i].score = unit_score(&v[i]);
	if (n > 1) /* an empty GArray's data is NULL */
		qsort(v, (size_t)n, sizeof *v, by_score_desc);
	int kept = 0;
	for (int i = 0; i < n; i++) {
		gboolean dup = FALSE;
		for (int k = 0; k < kept && !dup; k++) {
			double inside, iou = overlap(&v[k], &v[i], &inside);
			dup = iou > 0.3 || inside > 0.6;
		}
		if (!dup)
			v[kept++] = v[i];
	}
	return kept;
}

/* The grey copy of @in the detectors run on, its long side @t's (at most,
 * unless @t enlarges). @out: (transfer full), in memory. */
static int
grey_copy(VipsImage *in, const Tunables *t, VipsImage **out)
{
	g_autoptr(VipsImage) small = NULL, grey = NULL, band = NULL;
	double scale = (double)t->long_side / MAX(in->Xsize, in->Ysize);
	if (!t->enlarge)
		scale = MIN(1.0, scale);
	if (fabs(scale - 1) > 1e-6 ? vips_resize(in, &small, scale, NULL) : vips_copy(in, &small, NULL))
		return -1;
	if (vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL) || vips_extract_band(grey, &band, 0, NULL))
		return -1;
	if (vips_cast_uchar(band, out, NULL))
		return -1;
	return vips_image_wio_input(*out);
}

/* Runs the detectors of @t on @g, appending to @all. */
static int
run_detectors(VipsImage *g, const Tunables *t, GArray *all, char **err)
{
	const unsigned char *px = (const unsigned char *)VIPS_IMAGE_ADDR(g, 0, 0);
	int stride = (int)VIPS_IMAGE_SIZEOF_LINE(g);
	AttacheFaceBox *b = NULL;
	int n = 0;
	int lbp = t->detectors & (ATTACHE_FACES_LBP_FRONTAL | ATTACHE_FACES_LBP_PROFILE);
	if (lbp) {
		if (attache__faces_cascade(px, g->Xsize, g->Ysize, stride, lbp, t->min_px, t->step, &b, &n, err))
			return -1;
		for (int i = 0; i < n; i++)
			if (b[i].score >= t->lbp_floor)
				g_array_append_val(all, b[i]);
		free(b);
	}
	if (t->detectors & ATTACHE_FACES_HOG_FRONTAL) {
		if (attache__faces_hog(px, g->Xsize, g->Ysize, stride, t->hog_upsample, t->hog_floor, &b, &n, err))
			return -1;
		g_array_append_vals(all, b, (guint)n);
		free(b);
	}
	return 0;
}

/* See private.h. Nothing to free. */
int
attache__faces_copy_side(int mode)
{
	return tunables[mode == ATTACHE_FACES_THOROUGH].long_side;
}

/* See private.h. @upright_srgb: (transfer none); *@faces: (transfer full). */
AttacheCode
attache__faces_detect(VipsImage *upright_srgb, int mode, const char *what,
	GPtrArray **faces, GError **error)
{
	const Tunables *t = &tunables[mode == ATTACHE_FACES_THOROUGH];
	g_autoptr(VipsImage) g = NULL;
	*faces = NULL;
	if (grey_copy(upright_srgb, t, &g))
		return attache__vips_error(error, ATTACHE_E_IMAGE, what);

	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(AttacheFaceBox));
	char *err = NULL;
	if (run_detectors(g, t, all, &err)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_IMAGE, "%s: face detection failed: %s", what, err);
		free(err);
		return ATTACHE_E_IMAGE;
	}
	int n = merge((AttacheFaceBox *)(void *)all->data, (int)all->len);
	*faces = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	for (int i = 0; i < n; i++) {
		const AttacheFaceBox *b = &g_array_index(all, AttacheFaceBox, i);
		AttacheRegion *r = g_new0(AttacheRegion, 1);
		r->kind = ATTACHE_REGION_FACE;
		r->x = CLAMP(b->x / g->Xsize, 0, 1);
		r->y = CLAMP(b->y / g->Ysize, 0, 1);
		r->w = MIN(b->w / g->Xsize, 1 - r->x);
		r->h = MIN(b->h / g->Ysize, 1 - r->y);
		r->score = b->score;
		g_ptr_array_add(*faces, r);
	}
	return ATTACHE_OK;
}
