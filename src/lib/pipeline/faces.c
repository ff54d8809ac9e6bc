/* SPDX-License-Identifier: MIT */
/*
 * faces.c: the faces stage, after the decode: the photo's faces, found
 * once (vision/faces.c) for every output; the fit keeps them whole, the
 * outputs report them (docs/faces.md).
 */
#include "private.h"

/* See private.h. Every crop that may cut a head needs them, and a
 * whole-photo fit takes its focus point from them; --crop attention-only
 * (and a whole-photo fit with --focus) does not (attache__fit_needs_faces),
 * unless the faces are to be protected. The fit and crop are the preset's
 * unless the options override them, as prep's fit_params() says. */
gboolean
attache__faces_needed(const AttachePrepOptions *opts)
{
	if (opts && (opts->protect & ATTACHE_PROTECT_FACES))
		return TRUE;
	for (guint i = 0; opts && opts->presets && i < opts->presets->len; i++) {
		const AttachePreset *p = opts->presets->pdata[i];
		AttacheFitParams fp = { 0 };
		fp.fit = opts->fit >= 0 ? (AttacheFit)opts->fit : p->fit;
		if (p->fit_pixels && (p->width <= 0 || p->height <= 0))
			fp.fit = ATTACHE_FIT_INSIDE;
		fp.crop = opts->crop >= 0 ? (AttacheCrop)opts->crop : p->crop;
		if (opts->have_focus && opts->crop < 0)
			fp.crop = ATTACHE_CROP_FOCUS;
		fp.have_focus = opts->have_focus;
		if (attache__fit_needs_faces(&fp))
			return TRUE;
	}
	return FALSE;
}

/* See private.h. --protect faces asks for the thorough mode: there a
 * missed face is a harm, not a worse crop. */
AttacheFacesMode
attache__faces_mode(const AttachePrepOptions *opts)
{
	return opts && (opts->protect & ATTACHE_PROTECT_FACES) ? ATTACHE_FACES_THOROUGH : ATTACHE_FACES_DEFAULT;
}

/* See private.h. @opts: (transfer none). The detection copy is made from
 * the decoded photo: a decode smaller than the copy (a 500 px JPEG
 * decoded at half size beside a full-size output, photo_stream_preset())
 * found 16 of the 60 labelled faces instead of 20. */
double
attache__faces_decode_scale(const AttachePrepOptions *opts, int ow, int oh)
{
	if (!attache__faces_needed(opts))
		return 0;
	double side = attache__faces_copy_side(attache__faces_mode(opts));
	return MIN(1.0, side / MAX(1, MAX(ow, oh)));
}

/* See private.h. The default mode's copy (320 px) is smaller than the
 * proxy (400 px): made from it, it costs a tenth of a copy made from the
 * decode, and finds the same faces (20 of 60, docs/faces.md). */
gboolean
attache__faces_on_proxy(const AttachePrepOptions *opts)
{
	return attache__faces_needed(opts) && attache__faces_mode(opts) == ATTACHE_FACES_DEFAULT;
}

/* See private.h. @base, @proxy: (transfer none); *@faces: (transfer
 * full) or NULL. */
AttacheCode
attache__prep_faces(const AttachePrepOptions *opts, VipsImage *base,
	VipsImage *proxy, const char *input, GPtrArray **faces, GError **error)
{
	*faces = NULL;
	if (!attache__faces_needed(opts))
		return ATTACHE_OK;
	int mode = attache__faces_mode(opts);
	int side = attache__faces_copy_side(mode);
	/* a proxy as large as the copy, or the whole photo */
	gboolean small = proxy && (MAX(proxy->Xsize, proxy->Ysize) >= side || (proxy->Xsize == base->Xsize && proxy->Ysize == base->Ysize));
	return attache__faces_detect(small ? proxy : base, mode, input, faces, error);
}
