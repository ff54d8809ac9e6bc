/* SPDX-License-Identifier: MIT */
/*
 * damage.c: part of stage 1 (load), a check of decoded pixels for damage
 * no decoder reports.
 *
 * libde265 (HEIC), libaom/dav1d (AVIF) and libwebp decode a bit-flipped
 * stream without a word: the codec loses its place and fills the rest of
 * a tile or a frame with blocks of wrong colour. Those blocks have edges
 * on the codec's block grid that the source cannot explain: a real photo,
 * even compressed hard, is as smooth across a block edge as it is beside
 * it (the codecs deblock), while a desynchronised decode jumps there. So
 * every edge of the 16-pixel grid (a VP8 macroblock or a JPEG MCU; HEVC
 * and AV1 blocks are multiples of it), in segments of 16 pixels, is compared with the rows or columns on either
 * side of it, and a photo in which a whole region has such edges is
 * refused. docs/prep.md says what this catches and what it cannot.
 */
#include "private.h"

#include <stdlib.h>

#define GRID 16	   /* block edge spacing checked, and segment length */
#define REGION 128 /* the unit a damaged area is counted in */
/* an edge is broken when its step is this large (0..255 per band) */
#define STEP_MIN 8.0
/* and this many times the steps beside it */
#define STEP_RATIO 2.5
/* a region is damaged when this share of its edges is broken */
#define REGION_SHARE 0.10
/* and the photo when this many regions are (or one in a thousand) */
#define REGIONS_MIN 1
/* the same for JPEG, which does not deblock */
#define JPEG_REGION_SHARE 0.15
#define JPEG_REGIONS_MIN 2

typedef struct {
	const VipsImage *im;
	int grid;  /* block edge spacing in this picture */
	int bands; /* colour bands looked at (alpha is not) */
	int shift; /* to 8 bits */
} Px;

static inline int
px(const Px *p, int x, int y, int b)
{
	const VipsPel *a = VIPS_IMAGE_ADDR(p->im, x, y);
	if (p->im->BandFmt == VIPS_FORMAT_USHORT)
		return ((const guint16 *)a)[b] >> p->shift;
	return a[b];
}

/* Mean absolute step between rows y0 and y1 (vertical: columns) over
 * the GRID pixels from @at, per band. */
static double
step(const Px *p, gboolean rows, int at, int y0, int y1)
{
	int sum = 0;
	for (int i = at; i < at + GRID; i++)
		for (int b = 0; b < p->bands; b++)
			sum += rows ? abs(px(p, i, y0, b) - px(p, i, y1, b))
						: abs(px(p, y0, i, b) - px(p, y1, i, b));
	return (double)sum / (GRID * p->bands);
}

/* Counts the broken edge segments of one direction into @broken, a
 * region-sized grid of counters. */
static void
scan_edges(const Px *p, gboolean rows, int *broken, int rw)
{
	int len = rows ? p->im->Xsize : p->im->Ysize;
	int across = rows ? p->im->Ysize : p->im->Xsize;
	for (int e = p->grid; e + 1 < across; e += p->grid)
		for (int at = 0; at + GRID <= len; at += GRID) {
			double s = step(p, rows, at, e, e - 1);
			if (s < STEP_MIN || e < 2)
				continue;
			double before = step(p, rows, at, e - 1, e - 2);
			double after = step(p, rows, at, e + 1, e);
			if (s > STEP_RATIO * MAX(before, after) + 2) {
				int rx = (rows ? at : e) / REGION, ry = (rows ? e : at) / REGION;
				broken[ry * rw + rx]++;
			}
		}
}

char *
attache__damage_check(VipsImage *im, int shrink, gboolean deblocked)
{
	/* ownership: @im is borrowed; it must be in memory (a decoded copy) */
	if (im->Xsize < 2 * GRID || im->Ysize < 2 * GRID || (im->BandFmt != VIPS_FORMAT_UCHAR && im->BandFmt != VIPS_FORMAT_USHORT) || !VIPS_IMAGE_ADDR(im, 0, 0))
		return NULL;
	/* a JPEG decoded at 1/shrink has its block grid shrunk too */
	Px p = { im, MAX(2, GRID / MAX(1, shrink)), im->Bands >= 3 ? 3 : 1, 8 };
	int rw = (im->Xsize + REGION - 1) / REGION;
	int rh = (im->Ysize + REGION - 1) / REGION;
	g_autofree int *broken = g_new0(int, (gsize)rw *rh);
	scan_edges(&p, TRUE, broken, rw);
	scan_edges(&p, FALSE, broken, rw);

	/* a full region has 2 * (REGION / GRID)^2 edge segments */
	int per_region = 2 * (REGION / GRID) * (REGION / GRID);
	int damaged = 0;
	/* JPEG does not deblock: its own block edges show at low quality, so
	 * it takes more to call it damage (no false refusal among ~110
	 * intact JPEGs at quality 40 to 95, docs/prep.md) */
	double share = deblocked ? REGION_SHARE : JPEG_REGION_SHARE;
	int least = deblocked ? REGIONS_MIN : JPEG_REGIONS_MIN;
	for (int i = 0; i < rw * rh; i++)
		if (broken[i] > share * per_region)
			damaged++;
	if (g_getenv("ATTACHE_DEBUG_DAMAGE"))
		g_printerr("damage: %d of %d regions\n", damaged, rw * rh);
	if (damaged < MAX(least, rw * rh / 1000))
		return NULL;
	return g_strdup_printf("the decoded picture has blocks of damage in %d "
						   "of its %d areas of %d x %d pixels (corrupt data "
						   "its decoder did not report)",
		damaged, rw * rh, REGION, REGION);
}
