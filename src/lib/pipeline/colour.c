/* SPDX-License-Identifier: MIT */
/*
 * colour.c: stage 3, to 8-bit sRGB.
 *
 * Pixels are converted from the embedded ICC profile (Display P3, DCI-P3,
 * Adobe RGB ...) with lcms through libvips; the profile itself is then
 * dropped: outputs are untagged sRGB, which every browser and platform
 * assumes (docs/metadata.md).
 */
#include "private.h"

#include <lcms2.h>
#include <math.h>
#include <string.h>

/* Whether an ICC profile describes sRGB already (then no transform is
 * needed and the pixels stay bit-exact). Decided on the primaries, not the
 * name: Samsung's "DCI-P3 D65 Gamut with sRGB Transfer" has "sRGB" in its
 * description and P3 primaries. */
static gboolean
profile_is_srgb(const void *data, size_t len)
{
	/* sRGB's red, green and blue colorants, adapted to D50 (ICC PCS) */
	static const double srgb[3][3] = { { 0.4361, 0.2225, 0.0139 },
		{ 0.3851, 0.7169, 0.0971 }, { 0.1431, 0.0606, 0.7141 } };
	static const cmsTagSignature tags[3] = { cmsSigRedColorantTag,
		cmsSigGreenColorantTag, cmsSigBlueColorantTag };

	cmsHPROFILE h = cmsOpenProfileFromMem(data, (cmsUInt32Number)len);
	if (!h)
		return FALSE;
	gboolean same = cmsGetColorSpace(h) == cmsSigRgbData && cmsIsMatrixShaper(h);
	for (int i = 0; same && i < 3; i++) {
		const cmsCIEXYZ *c = cmsReadTag(h, tags[i]);
		same = c && fabs(c->X - srgb[i][0]) < 0.003 && fabs(c->Y - srgb[i][1]) < 0.003 && fabs(c->Z - srgb[i][2]) < 0.003;
	}
	cmsCloseProfile(h);
	return same;
}

AttacheCode
attache__colour(VipsImage *in, VipsImage **out, gboolean *converted,
	GError **error)
{
	g_autoptr(VipsImage) t = NULL;
	const void *icc = NULL;
	size_t icc_len = 0;

	*converted = FALSE;
	if (vips_image_get_typeof(in, VIPS_META_ICC_NAME))
		vips_image_get_blob(in, VIPS_META_ICC_NAME, &icc, &icc_len);

	if (icc && !profile_is_srgb(icc, icc_len)) {
		/* perceptual: wide-gamut colours are compressed, not clipped */
		if (vips_icc_transform(in, &t, "srgb", "embedded", TRUE, "intent",
				VIPS_INTENT_PERCEPTUAL, "depth", 8, NULL)) {
			/* an unusable profile: keep the pixels as they are rather
			 * than fail the photo */
			vips_error_clear();
			t = NULL;
		}
		else
			*converted = TRUE;
	}
	else if (in->Type == VIPS_INTERPRETATION_CMYK) {
		if (vips_icc_transform(in, &t, "srgb", "input_profile", "cmyk",
				"embedded", icc != NULL, "depth", 8, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE, "colour");
		*converted = TRUE;
	}
	if (!t) {
		t = in;
		g_object_ref(t);
	}

	/* grey, 16-bit, float ...: to 8-bit sRGB */
	if (t->Type != VIPS_INTERPRETATION_sRGB || t->BandFmt != VIPS_FORMAT_UCHAR) {
		VipsImage *c;
		if (vips_colourspace(t, &c, VIPS_INTERPRETATION_sRGB, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE, "colour");
		g_object_unref(t);
		t = c;
		if (t->BandFmt != VIPS_FORMAT_UCHAR) {
			if (vips_cast_uchar(t, &c, NULL))
				return attache__vips_error(error, ATTACHE_E_IMAGE, "colour");
			g_object_unref(t);
			t = c;
		}
	}

	VipsImage *copy;
	if (vips_copy(t, &copy, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "colour");
	vips_image_remove(copy, VIPS_META_ICC_NAME);
	*out = copy;
	return ATTACHE_OK;
}
