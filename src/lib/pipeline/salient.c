/* SPDX-License-Identifier: MIT */
/*
 * salient.c: where the subject is when it is not a face (part of the
 * attention analysis, once per photo). libvips' attention prefers edges,
 * skin tones and saturation, so a grey-brown animal among saturated leaves
 * loses to the leaves. OpenCV's fine-grained saliency (vision/saliency.cc)
 * finds what stands out from its surroundings instead. The two are
 * combined: attention's point is kept unless the most salient window of
 * the same size holds clearly more salience than attention's own window,
 * and a second, independent measure (spectral residual) finds nearly as
 * much in it as in attention's: fine-grained alone would take the gift
 * bag's top off for the table's edge below it (docs/presets.md, "Subjects
 * that are not faces").
 */
#include "private.h"
#include "vision/saliency.h"

#include <math.h>
#include <stdlib.h>

/* The map's longer side: the proxy halved; the map costs ~6 ms here */
#define SALIENT_SIDE 200
/* attention's window must hold this share of the best window's salience */
#define SALIENT_KEEP 0.95
/* spectral residual's working copy, longer side (the paper's is 64 px; at
 * 128 the squirrel and the gift bag lie further apart, docs/presets.md) */
#define SPECTRAL_SIDE 128
/* a move needs spectral residual to find this share of what it finds in
 * attention's window: squirrel 0.997, gift bag 0.654 */
#define SPECTRAL_AGREE 0.9

struct _AttacheSalience {
	int w, h;
	double *fine;	  /* summed-area tables, (w + 1) x (h + 1): fine-grained */
	double *spectral; /* and spectral residual */
};

void
attache__salience_free(AttacheSalience *s)
{
	if (!s)
		return;
	g_free(s->fine);
	g_free(s->spectral);
	g_free(s);
}

/* The summed-area table of @map (@w x @h). (transfer full) */
static double *
table_of(const float *map, int w, int h)
{
	double *sum = g_new0(double, (gsize)(w + 1) * (h + 1));
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			sum[(y + 1) * (w + 1) + x + 1] = map[y * w + x] + sum[y * (w + 1) + x + 1] + sum[(y + 1) * (w + 1) + x]
											 - sum[y * (w + 1) + x];
	return sum;
}

/* The grey copy of @proxy the map is made from. (transfer full) */
static VipsImage *
grey_of(VipsImage *proxy)
{
	double f = VIPS_MIN(1.0, (double)SALIENT_SIDE / VIPS_MAX(proxy->Xsize, proxy->Ysize));
	VipsImage *t[4] = { NULL };
	VipsImage *out = NULL;
	if (!vips_resize(proxy, &t[0], f, "kernel", VIPS_KERNEL_LINEAR, NULL)
		&& !vips_colourspace(t[0], &t[1], VIPS_INTERPRETATION_B_W, NULL)
		&& !vips_extract_band(t[1], &t[2], 0, NULL) && !vips_cast_uchar(t[2], &t[3], NULL))
		out = vips_image_copy_memory(t[3]);
	for (int i = 0; i < 4; i++)
		if (t[i])
			g_object_unref(t[i]);
	return out;
}

AttacheCode
attache__salience_of(VipsImage *proxy, AttacheSalience **out, GError **error)
{
	*out = NULL;
	g_autoptr(VipsImage) g = grey_of(proxy);
	if (!g)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "saliency");
	int w = g->Xsize, h = g->Ysize, stride = (int)VIPS_IMAGE_SIZEOF_LINE(g);
	g_autofree float *fine = g_new(float, (gsize)w *h);
	g_autofree float *spectral = g_new(float, (gsize)w *h);
	char *why = NULL;
	const unsigned char *px = (const unsigned char *)VIPS_IMAGE_ADDR(g, 0, 0);
	if (attache__saliency_fine(px, w, h, stride, fine, &why)
		|| attache__saliency_spectral(px, w, h, stride, SPECTRAL_SIDE, spectral, &why)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_IMAGE, "saliency: %s", why ? why : "failed");
		free(why);
		return ATTACHE_E_IMAGE;
	}
	AttacheSalience *s = g_new0(AttacheSalience, 1);
	s->w = w;
	s->h = h;
	s->fine = table_of(fine, w, h);
	s->spectral = table_of(spectral, w, h);
	*out = s;
	return ATTACHE_OK;
}

/* The salience in @sum's window at (x, y), @w x @h cells. */
static double
window_sum(const AttacheSalience *s, const double *sum, int x, int y, int w, int h)
{
	int W = s->w + 1;
	return sum[(y + h) * W + x + w] - sum[y * W + x + w] - sum[(y + h) * W + x] + sum[y * W + x];
}

void
attache__salient_centre(const AttacheSalience *s, double fw, double fh, double *cx, double *cy)
{
	if (!s)
		return;
	int w = VIPS_CLIP(1, (int)lround(fw * s->w), s->w);
	int h = VIPS_CLIP(1, (int)lround(fh * s->h), s->h);
	/* attention's own window, clipped to the photo as a crop would be */
	int ax = VIPS_CLIP(0, (int)lround(*cx * s->w - w / 2.0), s->w - w);
	int ay = VIPS_CLIP(0, (int)lround(*cy * s->h - h / 2.0), s->h - h);
	double att = window_sum(s, s->fine, ax, ay, w, h), best = -1;
	int bx = ax, by = ay;
	for (int y = 0; y <= s->h - h; y++)
		for (int x = 0; x <= s->w - w; x++) {
			double v = window_sum(s, s->fine, x, y, w, h);
			if (v > best) {
				best = v;
				bx = x;
				by = y;
			}
		}
	if (best <= 0 || att >= SALIENT_KEEP * best)
		return;
	/* the second opinion: spectral residual must not find clearly less */
	if (window_sum(s, s->spectral, bx, by, w, h) < SPECTRAL_AGREE * window_sum(s, s->spectral, ax, ay, w, h))
		return;
	*cx = (bx + w / 2.0) / s->w;
	*cy = (by + h / 2.0) / s->h;
}
