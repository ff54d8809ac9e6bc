/* SPDX-License-Identifier: MIT */
/*
 * orient.c: stage 2, apply the photo's orientation exactly once.
 *
 * JPEG, PNG, WebP and TIFF: the EXIF Orientation (libvips parses it into the
 * "orientation" field). HEIF: libheif already applies the file's irot/imir
 * transform properties, and libvips 8.14 then drops the EXIF Orientation
 * field. The HEIF spec makes those properties authoritative, so when the
 * primary item has one the EXIF value is ignored (iPhone: EXIF 6 and
 * irot=270 describe the same turn). When it has none, some phones (Samsung)
 * still record the turn in EXIF only, so the EXIF value is applied.
 *
 * Then the user's own turn (--rotate, `rotate =` per photo), for a photo
 * whose orientation is wrong: after the orientation, so that it is what
 * the user sees in a viewer that honours EXIF, turned by that much.
 */
#include "private.h"

static guint32
be32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static guint16
be16(const guint8 *p)
{
	return (guint16)((p[0] << 8) | p[1]);
}

/* One ISO-BMFF box in [p, end): sets type, payload and returns the next
 * box, or NULL when the box does not fit. */
static const guint8 *
box_next(const guint8 *p, const guint8 *end, guint32 *type,
	const guint8 **payload, const guint8 **payload_end)
{
	if (end - p < 8)
		return NULL;
	guint64 size = be32(p);
	*type = be32(p + 4);
	gsize header = 8;
	if (size == 1) {
		if (end - p < 16)
			return NULL;
		size = ((guint64)be32(p + 8) << 32) | be32(p + 12);
		header = 16;
	}
	else if (size == 0)
		size = (guint64)(end - p);
	if (size < header || size > (guint64)(end - p))
		return NULL;
	*payload = p + header;
	*payload_end = p + size;
	return p + size;
}

#define FOURCC(a, b, c, d) \
	(((guint32)(a) << 24) | ((guint32)(b) << 16) | ((guint32)(c) << 8) | (d))

gboolean
attache__heif_has_transform(const guint8 *data, gsize len)
{
	if (!data || len < 16)
		return FALSE;
	const guint8 *end = data + len;
	const guint8 *p = data, *pl, *pe;
	guint32 type;
	const guint8 *meta = NULL, *meta_end = NULL;

	while (p && (p = box_next(p, end, &type, &pl, &pe)))
		if (type == FOURCC('m', 'e', 't', 'a')) {
			meta = pl + 4; /* full box: version and flags */
			meta_end = pe;
			break;
		}
	if (!meta || meta > meta_end)
		return FALSE;

	guint32 primary = 0;
	gboolean have_primary = FALSE;
	const guint8 *ipco = NULL, *ipco_end = NULL, *ipma = NULL,
				 *ipma_end = NULL;

	for (p = meta; (p = box_next(p, meta_end, &type, &pl, &pe));) {
		if (type == FOURCC('p', 'i', 't', 'm') && pe - pl >= 6) {
			primary = pl[0] == 0 ? be16(pl + 4) : (pe - pl >= 8 ? be32(pl + 4) : 0);
			have_primary = TRUE;
		}
		else if (type == FOURCC('i', 'p', 'r', 'p')) {
			const guint8 *q = pl, *ql, *qe;
			guint32 t2;
			while ((q = box_next(q, pe, &t2, &ql, &qe))) {
				if (t2 == FOURCC('i', 'p', 'c', 'o')) {
					ipco = ql;
					ipco_end = qe;
				}
				else if (t2 == FOURCC('i', 'p', 'm', 'a') && !ipma) {
					ipma = ql;
					ipma_end = qe;
				}
			}
		}
	}
	if (!ipco)
		return FALSE;

	/* property index (1-based) -> is it irot/imir? at most 256 checked */
	gboolean is_transform[257] = { FALSE };
	gboolean any = FALSE;
	int index = 1;
	for (p = ipco; index <= 256 && (p = box_next(p, ipco_end, &type, &pl, &pe));
		 index++)
		if (type == FOURCC('i', 'r', 'o', 't') || type == FOURCC('i', 'm', 'i', 'r')) {
			/* irot with angle 0 turns nothing but still says "HEIF
			 * transforms apply here" */
			is_transform[index] = TRUE;
			any = TRUE;
		}
	if (!any)
		return FALSE;
	if (!have_primary || !ipma || ipma_end - ipma < 8)
		return any;

	/* ipma: version/flags, entry_count, then per item its associations */
	int version = ipma[0];
	gboolean wide = (ipma[3] & 1) != 0;
	guint32 count = be32(ipma + 4);
	const guint8 *q = ipma + 8;
	for (guint32 i = 0; i < count && i < 65536; i++) {
		guint32 item;
		if (version < 1) {
			if (ipma_end - q < 3)
				return any;
			item = be16(q);
			q += 2;
		}
		else {
			if (ipma_end - q < 5)
				return any;
			item = be32(q);
			q += 4;
		}
		int n = *q++;
		for (int j = 0; j < n; j++) {
			int prop;
			if (wide) {
				if (ipma_end - q < 2)
					return any;
				prop = be16(q) & 0x7fff;
				q += 2;
			}
			else {
				if (ipma_end - q < 1)
					return any;
				prop = *q & 0x7f;
				q += 1;
			}
			if (item == primary && prop > 0 && prop <= 256 && is_transform[prop])
				return TRUE;
		}
	}
	return FALSE;
}

static int
exif_orientation(VipsImage *header)
{
	const void *blob;
	size_t len;
	if (!vips_image_get_typeof(header, VIPS_META_EXIF_NAME) || vips_image_get_blob(header, VIPS_META_EXIF_NAME, &blob, &len))
		return 1;
	return attache__exif_orientation(blob, len);
}

int
attache__orientation_decide(AttacheSourceFormat format, VipsImage *header,
	gboolean heif_transformed)
{
	if (format == ATTACHE_SRC_HEIF)
		return heif_transformed ? 1 : exif_orientation(header);

	/* libvips maps missing and invalid values (0, 9 ...) to 1 */
	int o = vips_image_get_orientation(header);
	return o >= 1 && o <= 8 ? o : 1;
}

void
attache__oriented_size(int w, int h, int orientation, int *ow, int *oh)
{
	gboolean swap = orientation >= 5 && orientation <= 8;
	*ow = swap ? h : w;
	*oh = swap ? w : h;
}

AttacheCode
attache__rotate(VipsImage *in, int degrees, VipsImage **out, GError **error)
{
	VipsAngle angle = VIPS_ANGLE_D0;
	if (degrees == 90)
		angle = VIPS_ANGLE_D90;
	else if (degrees == 180)
		angle = VIPS_ANGLE_D180;
	else if (degrees == 270)
		angle = VIPS_ANGLE_D270;
	if (angle == VIPS_ANGLE_D0) {
		*out = g_object_ref(in);
		return ATTACHE_OK;
	}
	if (vips_rot(in, out, angle, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "rotate");
	return ATTACHE_OK;
}

AttacheCode
attache__orient(VipsImage *in, int orientation, VipsImage **out,
	GError **error)
{
	if (orientation <= 1 || orientation > 8) {
		g_object_ref(in);
		*out = in;
		return ATTACHE_OK;
	}

	/* vips_autorot() reads the orientation field: set it on a private copy,
	 * so the decision above, not whatever the loader left, is applied. */
	g_autoptr(VipsImage) t = NULL;
	if (vips_copy(in, &t, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "orient");
	vips_image_set_int(t, VIPS_META_ORIENTATION, orientation);
	if (vips_autorot(t, out, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "orient");
	vips_image_remove(*out, VIPS_META_ORIENTATION);
	return ATTACHE_OK;
}
