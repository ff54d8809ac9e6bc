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
 * stays in step (at every MCU row). docs/prep.md says what this catches and what it cannot.
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
	/* the layout, worked out once: this runs for every pixel looked at */
	const VipsPel *base;
	size_t line, pel;
	gboolean u16;
} Px;

static inline int
px(const Px *p, int x, int y, int b)
{
	const VipsPel *a = p->base + (size_t)y * p->line + (size_t)x * p->pel;
	if (p->u16)
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

/* Marks a broken segment: a step of @s (per band, mean) between steps of
 * @before and @after beside it. */
static inline void
count_broken(double s, double before, double after, int *cell)
{
	if (s >= STEP_MIN && s > STEP_RATIO * MAX(before, after) + 2)
		(*cell)++;
}

/* Counts the broken edge segments of one direction into @broken, a
 * region-sized grid of counters: any picture (16-bit too), one segment at
 * a time. */
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
			int rx = (rows ? at : e) / REGION, ry = (rows ? e : at) / REGION;
			count_broken(s, step(p, rows, at, e - 1, e - 2), step(p, rows, at, e + 1, e), &broken[ry * rw + rx]);
		}
}

/* Sum of |a[i] - b[i]| over @n bytes: a loop the compiler vectorises. */
static inline int
sad(const VipsPel *a, const VipsPel *b, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += abs((int)a[i] - (int)b[i]);
	return sum;
}

/* Adds each byte's step from the byte @pel before it to @acc (@n bytes
 * of a row; the first pixel's are left). restrict: @acc and @row do not
 * overlap, so the loop vectorises. */
static void
add_steps(guint16 *restrict acc, const VipsPel *restrict row, size_t n, int pel)
{
	for (size_t i = (size_t)pel; i < n; i++) {
		int d = (int)row[i] - (int)row[i - pel];
		acc[i] += (guint16)(d < 0 ? -d : d);
	}
}

/* scan_edges() for 8-bit pictures, the same counts at a fraction of the
 * cost (it runs on every decode): a row edge's segments are contiguous
 * bytes (without alpha); a column edge's are summed row by row, in memory order, into one
 * counter per edge and segment of rows. */
static void
scan_edges_8(const Px *p, int *broken, int rw)
{
	int w = p->im->Xsize, h = p->im->Ysize, pel = (int)p->pel, nb = p->bands;
	int seg = GRID * pel;
	/* with alpha, the generic row scan (alpha is not looked at) */
	if (pel != nb)
		scan_edges(p, TRUE, broken, rw);
	for (int e = p->grid; pel == nb && e + 1 < h; e += p->grid) {
		const VipsPel *r0 = p->base + (size_t)(e - 2) * p->line, *r1 = r0 + p->line;
		const VipsPel *r2 = r1 + p->line, *r3 = r2 + p->line;
		for (int at = 0; at + GRID <= w; at += GRID) {
			size_t o = (size_t)at * pel;
			double s = (double)sad(r2 + o, r1 + o, seg) / (GRID * nb);
			if (s >= STEP_MIN)
				count_broken(s, (double)sad(r1 + o, r0 + o, seg) / (GRID * nb),
					(double)sad(r3 + o, r2 + o, seg) / (GRID * nb), &broken[(e / REGION) * rw + at / REGION]);
		}
	}
	/* column edges: x = e against e - 1 (and its neighbours), for rows in
	 * segments of GRID. Each byte's step from the pixel before it is
	 * summed down a segment in a loop the compiler vectorises (at most
	 * 16 * 255: 16 bits suffice); then each edge takes its three pixels'. */
	int ne = 0;
	while (p->grid * (ne + 1) + 1 < w)
		ne++;
	if (!ne)
		return;
	size_t bytes = (size_t)w * pel;
	/* ownership: freed here */
	g_autofree guint16 *acc = g_new(guint16, bytes);
	for (int at = 0; at + GRID <= h; at += GRID) {
		memset(acc, 0, bytes * sizeof(guint16));
		for (int y = at; y < at + GRID; y++) {
			add_steps(acc, p->base + (size_t)y * p->line, bytes, pel);
		}
		for (int k = 0; k < ne; k++) {
			int e = p->grid * (k + 1);
			int sum[3] = { 0, 0, 0 };
			for (int d = 0; d < 3; d++) /* pixels e, e - 1, e + 1 */
				for (int b = 0; b < nb; b++)
					sum[d] += acc[(size_t)(e + (d == 1 ? -1 : d == 2 ? 1
																	 : 0))
									  * pel
								  + b];
			double st = (double)sum[0] / (GRID * nb);
			if (st >= STEP_MIN && e >= 2)
				count_broken(st, (double)sum[1] / (GRID * nb), (double)sum[2] / (GRID * nb),
					&broken[(at / REGION) * rw + e / REGION]);
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
/* below the boundary, a level this close to 0 or 255 may be clipped: the
 * offset cannot show there in full, so the segment does not count */
#define LEVEL_CLIP 5
/* and a boundary needs this share of its segments unclipped */
#define LEVEL_USABLE 0.625

/* level_steps()'s band sums for the LEVEL_SEG pixels from @x0 of an
 * 8-bit picture, into @sum (added); whether a pixel below the boundary
 * may be clipped. */
static gboolean
level_sums_8(const Px *p, int y, int x0, int *sum)
{
	const VipsPel *a = p->base + (size_t)(y - 2) * p->line + (size_t)x0 * p->pel;
	const VipsPel *b = a + p->line, *d = b + p->line, *f = d + p->line;
	int clipped = 0;
	for (int x = 0; x < LEVEL_SEG; x++, a += p->pel, b += p->pel, d += p->pel, f += p->pel)
		for (int k = 0; k < p->bands; k++) {
			sum[k] += 3 * (d[k] - b[k]) + a[k] - f[k];
			clipped |= d[k] < LEVEL_CLIP || d[k] > 255 - LEVEL_CLIP || f[k] < LEVEL_CLIP || f[k] > 255 - LEVEL_CLIP;
		}
	return clipped;
}

/* Fills @e (@nch channels of @n entries, one per LEVEL_SEG segment) with
 * the signed step of each channel across the boundary above row @y, less
 * the mean of the steps between the rows beside it (a gradient is not a
 * step), in luma and two chroma differences (one value when the picture
 * is grey). Both the step and the conversion are linear, so each
 * segment's band sums of the four rows are converted once. */
static void
level_steps(const Px *p, int y, int nch, double *e, guint8 *clip, int n)
{
	for (int s = 0; s < n; s++) {
		/* 1.5 (row y - row y-1) - 0.5 (row y-1 - row y-2) - 0.5 (row y+1 - row y), doubled */
		int sum[3] = { 0, 0, 0 };
		gboolean clipped = FALSE;
		if (!p->u16)
			clipped = level_sums_8(p, y, s * LEVEL_SEG, sum);
		else
			for (int x = s * LEVEL_SEG; x < (s + 1) * LEVEL_SEG; x++)
				for (int b = 0; b < p->bands; b++) {
					int va = px(p, x, y - 2, b), vb = px(p, x, y - 1, b);
					int vd = px(p, x, y, b), vf = px(p, x, y + 1, b);
					sum[b] += 3 * (vd - vb) + va - vf;
					clipped |= vd < LEVEL_CLIP || vd > 255 - LEVEL_CLIP || vf < LEVEL_CLIP || vf > 255 - LEVEL_CLIP;
				}
		double v[3];
		if (p->bands < 3)
			v[0] = sum[0];
		else {
			double r = sum[0], g = sum[1], bl = sum[2];
			v[0] = 0.299 * r + 0.587 * g + 0.114 * bl;
			v[1] = -0.1687 * r - 0.3313 * g + 0.5 * bl;
			v[2] = 0.5 * r - 0.4187 * g - 0.0813 * bl;
		}
		for (int c = 0; c < nch; c++)
			e[c * n + s] = v[c] / (2 * LEVEL_SEG);
		clip[s] = clipped;
	}
}

/* Copies the @n values of @from to @to, or only those @clip does not mark
 * when @unclipped; returns how many. */
static int
gather(double *to, const double *from, const guint8 *clip, int n,
	gboolean unclipped)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!unclipped || !clip[i])
			to[k++] = from[i];
	return k;
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

/* Median of @n values (reordered): quickselect leaves the values before
 * the middle one no larger than it, so the other middle one of an even
 * count is the largest of those. */
static double
median(double *v, int n)
{
	double hi = select_kth(v, n, n / 2);
	if (n % 2)
		return hi;
	double lo = v[0];
	for (int i = 1; i < n / 2; i++)
		lo = MAX(lo, v[i]);
	return (lo + hi) / 2;
}

/* The largest signed-median step of channel @c over every pair of
 * boundaries and split point, into *@worst (its row into *@at), and the
 * median of the boundaries' own medians into *@typical. @table: the
 * steps of level_steps() for the @nb boundaries (row grid * (k + 1)),
 * @nch channels of @n segments each, borrowed. */
/* The signed median of @tmp's @k steps when they are even enough for a
 * level offset, else NaN (@tmp is reordered). */
static double
even_step(double *tmp, int k)
{
	double m = select_kth(tmp, k, k / 2);
	/* a level offset is the same step everywhere (content only adds to
	 * it), a natural edge varies along itself */
	int even = 0;
	for (int i = 0; i < k; i++)
		even += fabs(tmp[i] - m) <= MAX(LEVEL_SLACK, LEVEL_SLACK_SHARE * fabs(m));
	return even >= LEVEL_EVEN * k ? m : NAN;
}

/* The steps of boundary @cur from @split on and of @next before it (with
 * their clip marks), into @tmp: all, or the unclipped ones when
 * @unclipped. Returns how many. */
static int
split_steps(double *tmp, const double *cur, const guint8 *ccur,
	const double *next, const guint8 *cnext, int split, int n,
	gboolean unclipped)
{
	int k = gather(tmp, cur + split, ccur + split, n - split, unclipped);
	if (split)
		k += gather(tmp + k, next, cnext, split, unclipped);
	return k;
}

/* The median of the boundaries' own medians (*@typical, what JPEG's own
 * blocking gives) for level_scan(): @tmp has room for MAX(n, nb). */
static double
level_typical(const double *table, const guint8 *clips, int nb, int nch,
	int n, int c, gboolean unclipped, double *tmp)
{
	int rows = 0;
	/* ownership: freed here */
	g_autofree double *meds = g_new(double, MAX(nb, 1));
	for (int k = 0; k < nb; k++) {
		int u = gather(tmp, table + ((size_t)k * nch + c) * n,
			clips + (size_t)k * n, n, unclipped);
		if (u)
			meds[rows++] = fabs(median(tmp, u));
	}
	return rows ? median(meds, rows) : 0;
}

/* Counts, for a split of level_scan(), of the segments of @v (@n, with
 * their @clip marks) counted (@all), at least @t (@pos) and at most -@t
 * (@neg), as prefix sums: entry i covers the first i segments. */
static void
level_prefix(const double *v, const guint8 *clip, int n, gboolean unclipped,
	double t, int *all, int *pos, int *neg)
{
	all[0] = pos[0] = neg[0] = 0;
	for (int i = 0; i < n; i++) {
		gboolean in = !(unclipped && clip[i]);
		all[i + 1] = all[i] + in;
		pos[i + 1] = pos[i] + (in && v[i] >= t);
		neg[i + 1] = neg[i] + (in && v[i] <= -t);
	}
}

/* @unclipped: the second look, without the segments clipped below each
 * boundary (a white window, where an offset cannot show in full): they
 * count neither in the boundary's step nor in the typical one, and a
 * boundary needs LEVEL_USABLE of its segments left.
 *
 * Only a step of at least *@need_step (from the typical step) can make
 * level_check() refuse the photo, so a split is measured only when its
 * median can reach it: then at least half its segments are that large,
 * with one sign, which prefix counts tell at once (most boundaries of a
 * photo have none). *@worst is the largest step found, or 0 when none
 * reaches *@need_step. */
static void
level_scan(const double *table, const guint8 *clips, int nb, int nch, int n,
	int c, gboolean unclipped, double *worst, int *at, double *typical,
	double *need_step, int grid)
{
	/* ownership: the arrays are freed here */
	g_autofree double *tmp = g_new(double, MAX(n, nb));
	g_autofree int *counts = g_new(int, 6 * ((gsize)n + 1));
	int *all = counts, *pos = all + n + 1, *neg = pos + n + 1;
	int *nall = neg + n + 1, *npos = nall + n + 1, *nneg = npos + n + 1;
	double need = unclipped ? LEVEL_USABLE * n : n;
	*worst = 0;
	*at = 0;
	*typical = level_typical(table, clips, nb, nch, n, c, unclipped, tmp);
	double t = *need_step = MAX(LEVEL_STEP_MIN, LEVEL_STEP_RATIO * (*typical + 0.25));
	for (int k = 0; k < nb; k++) {
		int y = grid * (k + 1);
		gboolean more = k + 1 < nb;
		const double *cur = table + ((size_t)k * nch + c) * n;
		const double *next = more ? table + ((size_t)(k + 1) * nch + c) * n
								  : NULL;
		const guint8 *ccur = clips + (size_t)k * n;
		const guint8 *cnext = more ? ccur + n : NULL;
		/* cheap: a step needs LEVEL_EVEN of a boundary's segments to be
		 * large at least (the median less its slack) */
		int large = 0;
		for (int i = 0; i < n; i++)
			large += (!(unclipped && ccur[i]) && fabs(cur[i]) >= LEVEL_LARGE)
					 + (more && !(unclipped && cnext[i]) && fabs(next[i]) >= LEVEL_LARGE);
		if (large < LEVEL_EVEN * need)
			continue;
		level_prefix(cur, ccur, n, unclipped, t, all, pos, neg);
		if (more)
			level_prefix(next, cnext, n, unclipped, t, nall, npos, nneg);
		for (int sp = 0; sp < (more ? LEVEL_SPLITS : 1); sp++) {
			/* the damage from @split on here, before it on the next */
			int split = sp * n / LEVEL_SPLITS;
			int s0 = split ? nall[split] : 0;
			int got = all[n] - all[split] + s0;
			/* the median is the (got / 2)-th smallest: got - got / 2
			 * segments are at least it, got / 2 + 1 at most it */
			int up = pos[n] - pos[split] + (split ? npos[split] : 0);
			int down = neg[n] - neg[split] + (split ? nneg[split] : 0);
			if (got < need || (up < got - got / 2 && down < got / 2 + 1))
				continue;
			split_steps(tmp, cur, ccur, next, cnext, split, n, unclipped);
			double m = even_step(tmp, got);
			if (!isnan(m) && fabs(m) >= t && fabs(m) > *worst) {
				*worst = fabs(m);
				*at = y;
			}
		}
	}
}

/* NULL, or why the JPEG decode @p (at 1/@shrink) has a level step
 * (newly allocated, the caller frees it). */
static char *
level_check(const Px *p, int shrink)
{
	if (p->im->Xsize < 4 * LEVEL_SEG || p->im->Ysize < 3 * p->grid)
		return NULL;
	static const char *what[] = { "brightness", "colour", "colour" };
	int nch = p->bands >= 3 ? 3 : 1, n = p->im->Xsize / LEVEL_SEG, nb = 0;
	while (p->grid * (nb + 1) + 1 < p->im->Ysize)
		nb++;
	/* every boundary's steps, all channels, in one pass over the rows;
	 * ownership: freed here */
	g_autofree double *table = g_new(double, (gsize)nb *nch *n);
	g_autofree guint8 *clips = g_new(guint8, (gsize)nb * n);
	for (int k = 0; k < nb; k++)
		level_steps(p, p->grid * (k + 1), nch, table + (size_t)k * nch * n,
			clips + (size_t)k * n, n);
	for (int look = 0; look < 2 * nch; look++) {
		int c = look % nch;
		double worst, typical, need_step;
		int at;
		level_scan(table, clips, nb, nch, n, c, look >= nch, &worst, &at,
			&typical, &need_step, p->grid);
		/* GLib's log, which the application routes (G_MESSAGES_DEBUG=attache
		 * with the default handler): the library itself never prints */
		g_log("attache", G_LOG_LEVEL_DEBUG,
			"damage: channel %d%s step %.2f at row %d (0: none of %.2f or more), typical %.2f", c,
			look >= nch ? " (unclipped)" : "", worst, at, need_step, typical);
		if (worst >= LEVEL_STEP_MIN && worst >= LEVEL_STEP_RATIO * (typical + 0.25))
			return g_strdup_printf("the %s of the picture jumps by %.0f at "
								   "row %d, across its width (corrupt data "
								   "its decoder did not report)",
				what[c], worst, at * MAX(1, shrink));
	}
	return NULL;
}

char *
attache__damage_check(VipsImage *im, int shrink, int mcu_rows,
	gboolean deblocked)
{
	/* ownership: @im is borrowed; it must be in memory (a decoded copy) */
	if (im->Xsize < 2 * GRID || im->Ysize < 2 * GRID || (im->BandFmt != VIPS_FORMAT_UCHAR && im->BandFmt != VIPS_FORMAT_USHORT) || !VIPS_IMAGE_ADDR(im, 0, 0))
		return NULL;
	/* a JPEG decoded at 1/shrink has its block grid shrunk too */
	Px p = { im, MAX(2, GRID / MAX(1, shrink)), im->Bands >= 3 ? 3 : 1, 8,
		VIPS_IMAGE_ADDR(im, 0, 0), VIPS_IMAGE_SIZEOF_LINE(im),
		VIPS_IMAGE_SIZEOF_PEL(im), im->BandFmt == VIPS_FORMAT_USHORT };
	int rw = (im->Xsize + REGION - 1) / REGION;
	int rh = (im->Ysize + REGION - 1) / REGION;
	g_autofree int *broken = g_new0(int, (gsize)rw *rh);
	if (p.u16) {
		scan_edges(&p, TRUE, broken, rw);
		scan_edges(&p, FALSE, broken, rw);
	}
	else
		scan_edges_8(&p, broken, rw);

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
	g_log("attache", G_LOG_LEVEL_DEBUG, "damage: %d of %d regions", damaged,
		rw * rh);
	if (damaged < MAX(least, rw * rh / 1000)) {
		/* a level offset starts at an MCU row: 8 rows in 4:4:4 and
		 * 4:2:2 JPEGs, 16 in 4:2:0 */
		Px rows = p;
		rows.grid = MAX(2, mcu_rows / MAX(1, shrink));
		return deblocked ? NULL : level_check(&rows, shrink);
	}
	return g_strdup_printf("the decoded picture has blocks of damage in %d "
						   "of its %d areas of %d x %d pixels (corrupt data "
						   "its decoder did not report)",
		damaged, rw * rh, REGION, REGION);
}
