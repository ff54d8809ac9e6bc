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
 * refused. For JPEG, also a step in level (brightness or colour) along a
 * whole block-row boundary: a wrong DC difference after which libjpeg
 * stays in step. docs/prep.md says what this catches and what it cannot.
 */
#include "private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- JPEG level steps ----
 * A flipped bit that keeps libjpeg's Huffman decoder in step changes one
 * DC difference: every later block of that component (in scan order, up
 * to the end of the photo or the next restart) is offset by a constant,
 * so the photo turns darker, brighter or tinted from one block on. In the
 * picture that is a step on one block-row boundary, with a nearly
 * constant sign and size along the whole width: from the damaged block to
 * the right end on one boundary, from the left end to it on the next.
 * Natural edges are neither aligned to the grid nor that long and even;
 * JPEG's own blocking is, but it is as strong on every boundary. */

/* a step this large (0..255) on a block-row boundary, signed median */
#define LEVEL_STEP_MIN 6.0
/* and this many times the typical boundary's (its blocking) */
#define LEVEL_STEP_RATIO 8.0
/* where the damaged block may start along a boundary: so many splits */
#define LEVEL_SPLITS 32
#define LEVEL_SEG 8 /* pixels per measured segment */
/* the share of a boundary's segments whose step is within this of the
 * median step (0..255, or this share of it) */
#define LEVEL_EVEN 0.75
#define LEVEL_SLACK 3.0
#define LEVEL_SLACK_SHARE 0.3
#define LEVEL_LARGE MIN(LEVEL_STEP_MIN - LEVEL_SLACK, (1 - LEVEL_SLACK_SHARE) * LEVEL_STEP_MIN)

/* Luma, or one of the two chroma differences, of pixel (x, y). */
static inline double
ycc(const Px *p, int x, int y, int c)
{
	if (p->bands < 3)
		return px(p, x, y, 0);
	int r = px(p, x, y, 0), g = px(p, x, y, 1), b = px(p, x, y, 2);
	if (c == 0)
		return 0.299 * r + 0.587 * g + 0.114 * b;
	if (c == 1)
		return -0.1687 * r - 0.3313 * g + 0.5 * b;
	return 0.5 * r - 0.4187 * g - 0.0813 * b;
}

/* Fills @e (@n entries, one per LEVEL_SEG segment) with the signed step
 * of channel @c across the boundary above row @y, less the mean of the
 * steps between the rows beside it (a gradient is not a step). */
static void
level_steps(const Px *p, int y, int c, double *e, int n)
{
	for (int s = 0; s < n; s++) {
		double sum = 0;
		for (int x = s * LEVEL_SEG; x < (s + 1) * LEVEL_SEG; x++) {
			double a = ycc(p, x, y - 2, c), b = ycc(p, x, y - 1, c);
			double d = ycc(p, x, y, c), f = ycc(p, x, y + 1, c);
			sum += (d - b) - ((b - a) + (f - d)) / 2;
		}
		e[s] = sum / LEVEL_SEG;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of @n values (reordered). */
static double
median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @k-th smallest of @n values (reordered): quickselect, since this
 * runs for every split of every boundary. */
static double
select_kth(double *v, int n, int k)
{
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		int i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* The largest signed-median step of one channel over every pair of
 * boundaries and split point, into *@worst (its row into *@at), and the
 * median of the boundaries' own medians into *@typical. */
static void
level_scan(const Px *p, int c, double *worst, int *at, double *typical)
{
	int n = p->im->Xsize / LEVEL_SEG, rows = 0;
	int nb = (p->im->Ysize - 2) / p->grid + 1;
	/* ownership: the four arrays are freed here */
	g_autofree double *cur = g_new(double, n);
	g_autofree double *next = g_new(double, n);
	g_autofree double *tmp = g_new(double, MAX(n, nb));
	g_autofree double *meds = g_new(double, nb);
	*worst = 0;
	*at = 0;
	int y = p->grid;
	level_steps(p, y, c, cur, n);
	for (; y + 1 < p->im->Ysize; y += p->grid) {
		gboolean more = y + p->grid + 1 < p->im->Ysize;
		if (more)
			level_steps(p, y + p->grid, c, next, n);
		memcpy(tmp, cur, n * sizeof(double));
		meds[rows++] = fabs(median(tmp, n));
		/* cheap: a step needs LEVEL_EVEN of a boundary's segments to be
		 * large at least (the median less its slack) */
		int large = 0;
		for (int i = 0; i < n; i++)
			large += (fabs(cur[i]) >= LEVEL_LARGE) + (more && fabs(next[i]) >= LEVEL_LARGE);
		for (int k = 0; large >= LEVEL_EVEN * n && k < (more ? LEVEL_SPLITS : 1); k++) {
			int split = k * n / LEVEL_SPLITS;
			/* the damage from @split on here, before it on the next */
			memcpy(tmp, cur + split, (n - split) * sizeof(double));
			memcpy(tmp + n - split, next, split * sizeof(double));
			double m = select_kth(tmp, n, n / 2);
			/* a level offset is the same step everywhere (content
			 * only adds to it), a natural edge varies along itself */
			int even = 0;
			for (int i = 0; i < n; i++)
				even += fabs(tmp[i] - m) <= MAX(LEVEL_SLACK, LEVEL_SLACK_SHARE * fabs(m));
			m = fabs(m);
			if (even < LEVEL_EVEN * n)
				continue;
			if (m > *worst) {
				*worst = m;
				*at = y;
			}
		}
		double *t = cur;
		cur = next;
		next = t;
	}
	*typical = rows ? median(meds, rows) : 0;
}

/* NULL, or why the JPEG decode @p (at 1/@shrink) has a level step
 * (newly allocated, the caller frees it). */
static char *
level_check(const Px *p, int shrink)
{
	if (p->im->Xsize < 4 * LEVEL_SEG || p->im->Ysize < 3 * p->grid)
		return NULL;
	static const char *what[] = { "brightness", "colour", "colour" };
	for (int c = 0; c < (p->bands >= 3 ? 3 : 1); c++) {
		double worst, typical;
		int at;
		level_scan(p, c, &worst, &at, &typical);
		if (g_getenv("ATTACHE_DEBUG_DAMAGE"))
			g_printerr("damage: channel %d step %.2f at row %d, typical %.2f\n",
				c, worst, at, typical);
		if (worst >= LEVEL_STEP_MIN && worst >= LEVEL_STEP_RATIO * (typical + 0.25))
			return g_strdup_printf("the %s of the picture jumps by %.0f at "
								   "row %d, across its width (corrupt data "
								   "its decoder did not report)",
				what[c], worst, at * MAX(1, shrink));
	}
	return NULL;
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
		return deblocked ? NULL : level_check(&p, shrink);
	return g_strdup_printf("the decoded picture has blocks of damage in %d "
						   "of its %d areas of %d x %d pixels (corrupt data "
						   "its decoder did not report)",
		damaged, rw * rh, REGION, REGION);
}
