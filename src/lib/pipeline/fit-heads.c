/* SPDX-License-Identifier: MIT */
/*
 * fit-heads.c: the heads a cover crop keeps (part of stage 4, fit).
 *
 * A head is a face box grown by a third upward (hair, the top of the
 * head) and a tenth on the other sides. A face-aware crop moves its
 * window, along the slack the photo leaves, to the position nearest the
 * one attention or entropy chose among those that keep every head whole.
 * When no window of the preset's shape holds them all, the largest heads
 * are kept (by area, as many as fit together), the window avoids cutting
 * the others where it can, and the output is flagged faces-cut. An
 * explicit crop (centre, a focus point) is not moved: a head it cuts is
 * only reported. Geometry only: a few dozen comparisons per face.
 */
#include "private.h"

#include <math.h>
#include <stdlib.h>

#define HEAD_UP 0.30   /* of the face's height, above it */
#define HEAD_SIDE 0.10 /* of the face's size, left, right and below */
/* headroom a moved window gives when it can give it to every head: a
 * detector's box ends at the brow, and hair may rise ~0.6 face above it */
#define ROOM_UP 0.60
#define ROOM_SIDE 0.20
#define HEADS_MAX 64 /* more faces than this: the largest 64 count */
#define TOL 1.0		 /* pixels of rounding an edge may overlap a head */

static void
grown_box(const AttacheRegion *face, double up, double side, double head[4])
{
	double x0 = face->x - side * face->w, x1 = face->x + (1 + side) * face->w;
	double y0 = face->y - up * face->h, y1 = face->y + (1 + side) * face->h;
	x0 = CLAMP(x0, 0.0, 1.0);
	x1 = CLAMP(x1, 0.0, 1.0);
	y0 = CLAMP(y0, 0.0, 1.0);
	y1 = CLAMP(y1, 0.0, 1.0);
	head[0] = x0;
	head[1] = y0;
	head[2] = x1 - x0;
	head[3] = y1 - y0;
}

void
attache__head_box(const AttacheRegion *face, double head[4])
{
	grown_box(face, HEAD_UP, HEAD_SIDE, head);
}

typedef struct {
	double a[2], b[2]; /* the head's extent on x and y, photo pixels */
	double area;	   /* of its face box, pixels */
	double cx, cy;	   /* its face box's centre, fractions */
} Head;

typedef enum { WHOLE,
	OUT,
	CUT } HeadFate;

static HeadFate
fate(const Head *hd, const double at[2], const int size[2])
{
	gboolean whole = TRUE;
	for (int k = 0; k < 2; k++) {
		if (hd->b[k] <= at[k] + TOL || hd->a[k] >= at[k] + size[k] - TOL)
			return OUT;
		whole &= hd->a[k] >= at[k] - TOL && hd->b[k] <= at[k] + size[k] + TOL;
	}
	return whole ? WHOLE : CUT;
}

static int
by_area(const void *x, const void *y)
{
	double d = ((const Head *)y)->area - ((const Head *)x)->area;
	return d > 0 ? 1 : d < 0 ? -1
							 : 0;
}

/* The heads of @faces in an @rw x @rh photo, largest first; returns how
 * many (at most HEADS_MAX). */
static int
heads_of(const GPtrArray *faces, int rw, int rh, gboolean roomy, Head *out)
{
	int n = 0;
	g_autofree Head *all = g_new0(Head, faces->len);
	for (guint i = 0; i < faces->len; i++) {
		const AttacheRegion *f = faces->pdata[i];
		double hb[4];
		grown_box(f, roomy ? ROOM_UP : HEAD_UP, roomy ? ROOM_SIDE : HEAD_SIDE, hb);
		if (hb[2] <= 0 || hb[3] <= 0)
			continue;
		Head *h = &all[n++];
		h->a[0] = hb[0] * rw;
		h->b[0] = (hb[0] + hb[2]) * rw;
		h->a[1] = hb[1] * rh;
		h->b[1] = (hb[1] + hb[3]) * rh;
		h->area = f->w * rw * f->h * rh;
		h->cx = f->x + f->w / 2;
		h->cy = f->y + f->h / 2;
	}
	qsort(all, n, sizeof(Head), by_area);
	n = MIN(n, HEADS_MAX);
	memcpy(out, all, n * sizeof(Head));
	return n;
}

/* Grows the set of kept heads, largest first: lo..hi on each axis are
 * the window positions that keep every head taken so far whole. The
 * largest head is taken even when it is larger than the window (which
 * then stays inside it). Sets taken[i]. */
static void
take_heads(const Head *hd, int n, const int size[2], double lo[2], double hi[2],
	gboolean *taken)
{
	for (int i = 0; i < n; i++) {
		double nlo[2], nhi[2];
		gboolean fits = TRUE;
		for (int k = 0; k < 2; k++) {
			nlo[k] = MAX(lo[k], hd[i].b[k] - size[k]);
			nhi[k] = MIN(hi[k], hd[i].a[k]);
			if (nlo[k] > nhi[k] && i == 0) {
				/* larger than the window: the window inside it */
				nlo[k] = MAX(lo[k], hd[i].a[k]);
				nhi[k] = MIN(hi[k], hd[i].b[k] - size[k]);
			}
			fits &= nlo[k] <= nhi[k];
		}
		if (!fits)
			continue;
		taken[i] = TRUE;
		memcpy(lo, nlo, sizeof(nlo));
		memcpy(hi, nhi, sizeof(nhi));
	}
}

/* Candidate window positions on axis @k: the wanted one and the ends of
 * lo..hi, and those that just clear each head not taken; clamped. */
static int
candidates(const Head *hd, int n, const gboolean *taken, int k, int size,
	double want, double lo, double hi, double *c)
{
	int m = 0;
	c[m++] = CLAMP(want, lo, hi);
	c[m++] = lo;
	c[m++] = hi;
	for (int i = 0; i < n; i++)
		if (!taken[i]) {
			c[m++] = CLAMP(hd[i].b[k], lo, hi);
			c[m++] = CLAMP(hd[i].a[k] - size, lo, hi);
		}
	return m;
}

/* Of the positions in @cx x @cy, the one that cuts the fewest heads,
 * then the one nearest @want. */
static void
best_position(const Head *hd, int n, const int size[2], const double *cx, int nx,
	const double *cy, int ny, const double want[2], double at[2])
{
	int best_cuts = G_MAXINT;
	double best_d = G_MAXDOUBLE;
	for (int i = 0; i < nx; i++)
		for (int j = 0; j < ny; j++) {
			double p[2] = { cx[i], cy[j] };
			int cuts = 0;
			for (int h = 0; h < n; h++)
				cuts += fate(&hd[h], p, size) == CUT;
			double d = fabs(p[0] - want[0]) + fabs(p[1] - want[1]);
			if (cuts < best_cuts || (cuts == best_cuts && d < best_d)) {
				best_cuts = cuts;
				best_d = d;
				at[0] = p[0];
				at[1] = p[1];
			}
		}
}

void
attache__fit_heads(const GPtrArray *faces, int rw, int rh, int w, int h,
	gboolean move, int *left, int *top, AttacheHeads *out)
{
	memset(out, 0, sizeof(*out));
	if (!faces || !faces->len)
		return;
	Head hd[HEADS_MAX], room[HEADS_MAX];
	int n = heads_of(faces, rw, rh, FALSE, hd);
	const int size[2] = { w, h };
	double at[2] = { *left, *top };
	if (move && n) {
		/* with headroom for every head when some window gives it, else
		 * the heads themselves */
		double lo[2] = { 0, 0 }, hi[2] = { rw - w, rh - h };
		gboolean taken[HEADS_MAX] = { FALSE };
		heads_of(faces, rw, rh, TRUE, room);
		take_heads(room, n, size, lo, hi, taken);
		for (int i = 0; i < n; i++)
			if (!taken[i] || room[i].b[0] - room[i].a[0] > w || room[i].b[1] - room[i].a[1] > h) {
				memset(taken, 0, sizeof(taken));
				lo[0] = lo[1] = 0;
				hi[0] = rw - w;
				hi[1] = rh - h;
				take_heads(hd, n, size, lo, hi, taken);
				break;
			}
		double cx[2 * HEADS_MAX + 3], cy[2 * HEADS_MAX + 3];
		int nx = candidates(hd, n, taken, 0, w, at[0], lo[0], hi[0], cx);
		int ny = candidates(hd, n, taken, 1, h, at[1], lo[1], hi[1], cy);
		double want[2] = { at[0], at[1] };
		best_position(hd, n, size, cx, nx, cy, ny, want, at);
		/* whole pixels: half a pixel off at most, within TOL */
		*left = VIPS_CLIP(0, (int)lround(at[0]), rw - w);
		*top = VIPS_CLIP(0, (int)lround(at[1]), rh - h);
		at[0] = *left;
		at[1] = *top;
	}
	double sum = 0, sx = 0, sy = 0;
	for (int i = 0; i < n; i++) {
		HeadFate f = fate(&hd[i], at, size);
		/* a face-aware crop owes every head; an explicit one only
		 * answers for the heads its edges cut */
		if (f == CUT || (move && f == OUT))
			out->cut = TRUE;
		if (f != WHOLE)
			continue;
		out->kept++;
		sum += hd[i].area;
		sx += hd[i].area * hd[i].cx;
		sy += hd[i].area * hd[i].cy;
	}
	if (out->kept && sum > 0) {
		out->cx = sx / sum;
		out->cy = sy / sum;
	}
}
