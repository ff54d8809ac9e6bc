/* SPDX-License-Identifier: MIT */
/*
 * faces-probe: the figures behind docs/faces.md. Runs one detector set
 * of vision/vision.h on IMAGE (oriented first), at a detection copy of
 * LONG_SIDE px (+LONG_SIDE: enlarged to it too), and prints each box (in IMAGE's pixels), the detector's
 * raw score and the CPU milliseconds of the copy and of the detection.
 *
 * usage: faces-probe IMAGE LONG_SIDE DETECTORS MIN_PX HOG_UPSAMPLE STEP
 *   DETECTORS: sum of 1 (LBP frontal), 2 (LBP profile + mirror), 4 (HOG)
 * Built by `make build/faces-probe`; not installed.
 */
#include "private.h"
#include "vision/vision.h"

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
	if (argc != 7 || VIPS_INIT(argv[0]))
		return 2;
	int long_side = atoi(argv[2]), which = atoi(argv[3]), min_px = atoi(argv[4]), up = atoi(argv[5]);
	double step = atof(argv[6]);
	VipsImage *in = vips_image_new_from_file(argv[1], NULL), *rot = NULL, *mem = NULL;
	if (!in || vips_autorot(in, &rot, NULL) || !(mem = vips_image_copy_memory(rot)))
		return 1;
	double t0 = cpu_ms(), t1 = t0;
	VipsImage *small = NULL, *grey = NULL, *band = NULL, *g = NULL;
	/* a LONG_SIDE of +N may enlarge a smaller photo (the thorough mode) */
	double scale = (double)long_side / MAX(mem->Xsize, mem->Ysize);
	if (argv[2][0] != '+')
		scale = MIN(1.0, scale);
	if ((scale != 1 ? vips_resize(mem, &small, scale, NULL) : vips_copy(mem, &small, NULL))
		|| vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL) || vips_extract_band(grey, &band, 0, NULL)
		|| vips_cast_uchar(band, &g, NULL) || vips_image_wio_input(g))
		return 1;
	const unsigned char *px = VIPS_IMAGE_ADDR(g, 0, 0);
	int stride = (int)VIPS_IMAGE_SIZEOF_LINE(g);
	AttacheFaceBox *b = NULL;
	int n = 0;
	char *err = NULL;
	double sx = (double)mem->Xsize / g->Xsize, sy = (double)mem->Ysize / g->Ysize;
	/* a first run loads the cascades and builds dlib's detector: time the second */
	for (int run = 0; run < 2; run++) {
		gboolean show = run == 1;
		if (run == 0)
			t1 = cpu_ms();
		double td = cpu_ms();
		if (which & 3) {
			if (attache__faces_cascade(px, g->Xsize, g->Ysize, stride, which & 3, min_px, step, &b, &n, &err))
				return fprintf(stderr, "%s\n", err), 1;
			for (int i = 0; show && i < n; i++)
				printf("box %d %.1f %.1f %.1f %.1f %.3f\n", b[i].detector, b[i].x * sx, b[i].y * sy, b[i].w * sx, b[i].h * sy, b[i].score);
			free(b);
		}
		if (which & 4) {
			if (attache__faces_hog(px, g->Xsize, g->Ysize, stride, up, -0.5, &b, &n, &err))
				return fprintf(stderr, "%s\n", err), 1;
			for (int i = 0; show && i < n; i++)
				printf("box %d %.1f %.1f %.1f %.1f %.3f\n", b[i].detector, b[i].x * sx, b[i].y * sy, b[i].w * sx, b[i].h * sy, b[i].score);
			free(b);
		}
		double t2 = cpu_ms();
		if (show)
			printf("size %d %d copy %d %d ms %.1f %.1f\n", mem->Xsize, mem->Ysize, g->Xsize, g->Ysize, t1 - t0, t2 - td);
	}
	return 0;
}
