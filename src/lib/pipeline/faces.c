/* SPDX-License-Identifier: MIT */
/*
 * faces.c: the faces stage, after the decode: the photo's faces, found
 * once (vision/faces.c) for every output; the fit keeps them whole, the
 * outputs report them (docs/faces.md).
 */
#include "private.h"

/* See private.h. Every crop that may cut a head needs them; a crop that
 * is told to ignore them (--crop attention-only, issue 14) does not,
 * unless the faces are to be protected. Until those options exist, every
 * prep looks. */
gboolean
attache__faces_needed(const AttachePrepOptions *opts)
{
	return opts != NULL;
}

/* See private.h. --protect faces asks for the thorough mode: there a
 * missed face is a harm, not a worse crop. */
AttacheFacesMode
attache__faces_mode(const AttachePrepOptions *opts)
{
	return opts && (opts->protect & ATTACHE_PROTECT_FACES) ? ATTACHE_FACES_THOROUGH : ATTACHE_FACES_DEFAULT;
}

/* See private.h. @base: (transfer none); *@faces: (transfer full) or NULL. */
AttacheCode
attache__prep_faces(const AttachePrepOptions *opts, VipsImage *base,
	const char *input, GPtrArray **faces, GError **error)
{
	*faces = NULL;
	if (!attache__faces_needed(opts))
		return ATTACHE_OK;
	return attache__faces_detect(base, attache__faces_mode(opts), input, faces, error);
}

/* See private.h. @faces, @place: (transfer none). */
GPtrArray *
attache__faces_in_output(const GPtrArray *faces, const double *place,
	int fit_w, int fit_h, int out_w, int out_h)
{
	if (!faces)
		return NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	/* the encoder may have shrunk the fitted frame to meet the budget */
	double sx = fit_w > 0 ? (double)out_w / fit_w : 1, sy = fit_h > 0 ? (double)out_h / fit_h : 1;
	for (guint i = 0; i < faces->len; i++) {
		AttacheRegion *r = attache_region_copy(faces->pdata[i]);
		double x0 = (place[0] + r->x * place[2]) * sx, y0 = (place[1] + r->y * place[3]) * sy;
		double x1 = x0 + r->w * place[2] * sx, y1 = y0 + r->h * place[3] * sy;
		x0 = CLAMP(x0, 0, out_w);
		x1 = CLAMP(x1, 0, out_w);
		y0 = CLAMP(y0, 0, out_h);
		y1 = CLAMP(y1, 0, out_h);
		r->in_output = place[2] > 0 && place[3] > 0 && x1 - x0 >= 1 && y1 - y0 >= 1;
		r->ox = r->in_output ? x0 : 0;
		r->oy = r->in_output ? y0 : 0;
		r->ow = r->in_output ? x1 - x0 : 0;
		r->oh = r->in_output ? y1 - y0 : 0;
		g_ptr_array_add(out, r);
	}
	return out;
}
