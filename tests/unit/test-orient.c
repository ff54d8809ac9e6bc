/* SPDX-License-Identifier: MIT */
/* Unit tests for orient.c: all eight EXIF orientations, the HEIF irot rule,
 * EXIF Orientation reading. */
#include "testutil.h"

#include <libexif/exif-data.h>

/* which stored corner lands at the display's top-left and top-right, for
 * EXIF orientation 1..8 (TIFF 6.0 / EXIF 2.32, tag 0x0112) */
enum { TL,
	TR,
	BL,
	BR };
static const int want_tl[9] = { 0, TL, TR, BR, BL, TL, BL, BR, TR };
static const int want_tr[9] = { 0, TR, TL, BL, BR, BL, TL, TR, BR };

static int
corner_of(const double px[3])
{
	gboolean right = px[0] > 128, bottom = px[1] > 128;
	return bottom ? (right ? BR : BL) : (right ? TR : TL);
}

static void
test_eight(void)
{
	g_autoptr(VipsImage) in = tu_ramp(300, 200);
	for (int o = 1; o <= 8; o++) {
		VipsImage *out = NULL;
		g_assert_cmpint(attache__orient(in, o, &out, NULL), ==, ATTACHE_OK);
		int ow, oh;
		attache__oriented_size(300, 200, o, &ow, &oh);
		g_assert_cmpint(out->Xsize, ==, ow);
		g_assert_cmpint(out->Ysize, ==, oh);
		g_assert_cmpint(o >= 5 ? 200 : 300, ==, ow);
		double a[3], b[3];
		tu_pixel(out, 0, 0, a);
		tu_pixel(out, out->Xsize - 1, 0, b);
		if (corner_of(a) != want_tl[o] || corner_of(b) != want_tr[o])
			g_error("orientation %d: top-left is corner %d (want %d), "
					"top-right %d (want %d)",
				o, corner_of(a), want_tl[o], corner_of(b), want_tr[o]);
		/* the tag is not carried further */
		g_assert_false(vips_image_get_typeof(out, VIPS_META_ORIENTATION) && vips_image_get_orientation(out) != 1);
		g_object_unref(out);
	}
}

/* ---- HEIF boxes ---- */

static void
put32(GByteArray *a, guint32 v)
{
	guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
	g_byte_array_append(a, b, 4);
}

static void
put16(GByteArray *a, guint16 v)
{
	guint8 b[2] = { v >> 8, v };
	g_byte_array_append(a, b, 2);
}

static GByteArray *
box(const char *type, GByteArray *payload)
{
	GByteArray *a = g_byte_array_new();
	put32(a, 8 + (payload ? payload->len : 0));
	g_byte_array_append(a, (const guint8 *)type, 4);
	if (payload) {
		g_byte_array_append(a, payload->data, payload->len);
		g_byte_array_unref(payload);
	}
	return a;
}

static GByteArray *
cat(GByteArray *a, GByteArray *b)
{
	g_byte_array_append(a, b->data, b->len);
	g_byte_array_unref(b);
	return a;
}

/* ftyp + meta { pitm(primary) iprp { ipco { ispe, irot? } ipma } } with
 * the irot (property 2) associated to item @irot_item. */
static GByteArray *
heif(guint16 primary, gboolean with_irot, guint16 irot_item)
{
	GByteArray *ftyp = g_byte_array_new();
	g_byte_array_append(ftyp, (const guint8 *)"heic\0\0\0\0mif1heic", 16);

	GByteArray *pitm = g_byte_array_new();
	put32(pitm, 0); /* version 0, flags */
	put16(pitm, primary);

	GByteArray *ispe = g_byte_array_new();
	put32(ispe, 0);
	put32(ispe, 64);
	put32(ispe, 48);
	GByteArray *ipco = box("ispe", ispe);
	if (with_irot) {
		GByteArray *rot = g_byte_array_new();
		guint8 angle = 3;
		g_byte_array_append(rot, &angle, 1);
		ipco = cat(ipco, box("irot", rot));
	}

	GByteArray *ipma = g_byte_array_new();
	put32(ipma, 0); /* version 0, flags 0 */
	put32(ipma, 2); /* two items */
	put16(ipma, primary);
	guint8 n1 = 1, p1 = 0x81; /* essential, property 1 (ispe) */
	g_byte_array_append(ipma, &n1, 1);
	g_byte_array_append(ipma, &p1, 1);
	put16(ipma, irot_item);
	guint8 n2 = 1, p2 = 0x82; /* property 2 (irot) */
	g_byte_array_append(ipma, &n2, 1);
	g_byte_array_append(ipma, &p2, 1);

	GByteArray *iprp = cat(box("ipco", ipco), box("ipma", ipma));
	GByteArray *meta_payload = g_byte_array_new();
	put32(meta_payload, 0);
	meta_payload = cat(meta_payload, box("pitm", pitm));
	meta_payload = cat(meta_payload, box("iprp", iprp));
	return cat(box("ftyp", ftyp), box("meta", meta_payload));
}

static void
test_heif_irot(void)
{
	GByteArray *a = heif(1, TRUE, 1);
	g_assert_true(attache__heif_has_transform(a->data, a->len));
	/* every truncation: no crash, no read past the end */
	for (guint n = 0; n < a->len; n++) {
		guint8 *copy = g_memdup2(a->data, n);
		attache__heif_has_transform(copy, n);
		g_free(copy);
	}
	g_byte_array_unref(a);

	/* irot on another item (a thumbnail): the primary has none */
	a = heif(1, TRUE, 2);
	g_assert_false(attache__heif_has_transform(a->data, a->len));
	g_byte_array_unref(a);

	a = heif(1, FALSE, 1);
	g_assert_false(attache__heif_has_transform(a->data, a->len));
	g_byte_array_unref(a);
}

static void
test_heif_real(void)
{
	g_autofree char *phone = g_build_filename(ATTACHE_SRCDIR, "..", "shared",
		"samples", "phone", NULL);
	if (!g_file_test(phone, G_FILE_TEST_IS_DIR)) {
		g_test_skip("../shared/samples/phone is absent");
		return;
	}
	static const struct {
		const char *file;
		gboolean irot;
	} cases[] = {
		{ "apple-iphone-13_o6-irot_gps_p3.heic", TRUE },
		{ "samsung-galaxy-s24fe_o6-no-irot_dcip3_gainmap.heic", FALSE },
		{ "oneplus-13_gps_exifthumb_p3.heic", FALSE },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_build_filename(phone, cases[i].file, NULL);
		g_autofree char *data = NULL;
		gsize len;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		g_assert_cmpint(attache__heif_has_transform((guint8 *)data, len), ==,
			cases[i].irot);
	}
}

static GBytes *
exif_with_orientation(int o, ExifByteOrder order)
{
	ExifData *ed = exif_data_new();
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_set_byte_order(ed, order);
	ExifEntry *e = exif_entry_new();
	e->tag = EXIF_TAG_ORIENTATION;
	e->format = EXIF_FORMAT_SHORT;
	e->components = 1;
	e->size = 2;
	ExifMem *mem = exif_mem_new_default();
	e->data = exif_mem_alloc(mem, 2);
	exif_mem_unref(mem);
	exif_set_short(e->data, order, (ExifShort)o);
	exif_content_add_entry(ed->ifd[EXIF_IFD_0], e);
	exif_entry_unref(e);
	unsigned char *d;
	unsigned int n;
	exif_data_save_data(ed, &d, &n);
	exif_data_unref(ed);
	GBytes *b = g_bytes_new(d, n);
	free(d);
	return b;
}

static void
test_exif_orientation(void)
{
	for (int o = 0; o <= 9; o++) {
		g_autoptr(GBytes) b = exif_with_orientation(o,
			o % 2 ? EXIF_BYTE_ORDER_MOTOROLA : EXIF_BYTE_ORDER_INTEL);
		gsize n;
		const guint8 *d = g_bytes_get_data(b, &n);
		/* 0 and 9 are invalid: treated as "no rotation" */
		g_assert_cmpint(attache__exif_orientation(d, n), ==,
			o >= 1 && o <= 8 ? o : 1);
		/* without the "Exif\0\0" prefix (PNG eXIf, WebP, HEIF) too */
		g_assert_cmpint(attache__exif_orientation(d + 6, n - 6), ==,
			o >= 1 && o <= 8 ? o : 1);
	}
	guint8 junk[64];
	for (guint i = 0; i < sizeof(junk); i++)
		junk[i] = (guint8)(i * 37);
	g_assert_cmpint(attache__exif_orientation(junk, sizeof(junk)), ==, 1);
	g_assert_cmpint(attache__exif_orientation(NULL, 0), ==, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/orient/eight", test_eight);
	g_test_add_func("/orient/heif-irot", test_heif_irot);
	g_test_add_func("/orient/heif-real", test_heif_real);
	g_test_add_func("/orient/exif", test_exif_orientation);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
