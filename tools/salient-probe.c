/* SPDX-License-Identifier: MIT */
/*
 * salient-probe: the cost figures in docs/presets.md ("Subjects that are
 * not faces"). Makes IMAGE's proxy as prep does (fit.c), then prints the
 * CPU milliseconds per run, over RUNS runs, of the whole salience
 * analysis (salient.c: grey copy, both maps, summed-area tables, window
 * search) and of each OpenCV map alone on the 200 px grey copy.
 *
 * usage: salient-probe IMAGE RUNS
 * Built by `make build/salient-probe`; not installed.
 */
#include "private.h"
#include "vision/saliency.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	if (argc != 3 || VIPS_INIT(argv[0]))
		return 2;
	int runs = MAX(1, atoi(argv[2]));
	VipsImage *in = vips_image_new_from_file(argv[1], NULL), *rot = NULL, *mem = NULL, *proxy = NULL;
	if (!in || vips_autorot(in, &rot, NULL) || !(mem = vips_image_copy_memory(rot))
		|| attache__fit_proxy(mem, &proxy, NULL))
		return 1;
	/* the grey copy the maps are made from, as salient.c makes it */
	VipsImage *small = NULL, *grey = NULL, *band = NULL, *g = NULL;
	double f = MIN(1.0, 200.0 / MAX(proxy->Xsize, proxy->Ysize));
	if (vips_resize(proxy, &small, f, "kernel", VIPS_KERNEL_LINEAR, NULL)
		|| vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL) || vips_extract_band(grey, &band, 0, NULL)
		|| vips_cast_uchar(band, &g, NULL) || vips_image_wio_input(g))
		return 1;
	const unsigned char *px = VIPS_IMAGE_ADDR(g, 0, 0);
	int stride = (int)VIPS_IMAGE_SIZEOF_LINE(g);
	float *map = g_new(float, (gsize)g->Xsize * g->Ysize);
	char *err = NULL;
	double all = 0, fine = 0, spectral = 0;
	for (int run = -1; run < runs; run++) { /* run -1 warms up */
		double t0 = cpu_ms();
		AttacheSalience *s = NULL;
		double cx = 0, cy = 0.5;
		if (attache__salience_of(proxy, &s, NULL))
			return 1;
		attache__salient_centre(s, 0.5, 0.5, &cx, &cy);
		attache__salience_free(s);
		double t1 = cpu_ms();
		if (attache__saliency_fine(px, g->Xsize, g->Ysize, stride, map, &err))
			return 1;
		double t2 = cpu_ms();
		if (attache__saliency_spectral(px, g->Xsize, g->Ysize, stride, 128, map, &err))
			return 1;
		double t3 = cpu_ms();
		if (run >= 0) {
			all += t1 - t0;
			fine += t2 - t1;
			spectral += t3 - t2;
		}
	}
	printf("%dx%d proxy %dx%d: salience %.2f ms (fine-grained %.2f, spectral residual %.2f) per run, %d runs\n",
		mem->Xsize, mem->Ysize, proxy->Xsize, proxy->Ysize, all / runs, fine / runs, spectral / runs, runs);
	g_free(map);
	g_object_unref(g);
	g_object_unref(band);
	g_object_unref(grey);
	g_object_unref(small);
	g_object_unref(proxy);
	g_object_unref(mem);
	g_object_unref(rot);
	g_object_unref(in);
	return 0;
}
