/* SPDX-License-Identifier: MIT */
/*
 * gen-privacy.c: fixtures for the location-privacy tests (issue 3).
 *
 *   gen-privacy OUTDIR
 *
 * Writes OUTDIR/hidden/: photos in every input format attache reads (JPEG,
 * PNG, WebP, HEIC, TIFF) that hide a location, an identity or free text in
 * one place each (and all at once), with OUTDIR/hidden.tsv saying what
 * each holds; and OUTDIR/malformed/: metadata built to hurt a parser (IFD
 * loops, huge counts, offsets past the end, truncated segments, malformed
 * XMP and IPTC), listed in OUTDIR/malformed.tsv.
 *
 * hidden.tsv: file, kinds an output must report as removed (the forbidden
 * ones plus xmp and iptc), then "kind=where" needles the audit must find
 * in the input, separated by '|', then the Artist and Copyright bytes in
 * hex ("-" when none).
 *
 * The containers are assembled here, by hand or with libpng and libheif,
 * never with attache's own writer; EXIF blocks are built with libexif.
 */
#include <libexif/exif-data.h>
#include <libheif/heif.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <vips/vips.h>

static int W = 400, H = 300;
static guint8 *pixels; /* W x H RGB */
static const char *outdir;
/* folders under OUTDIR; --seeds puts both in "audit" */
static const char *hidden_sub = "hidden", *malformed_sub = "malformed";
static gboolean seeds;
static FILE *hidden_tsv, *malformed_tsv;

/* ---- what a fixture holds ---- */
enum {
	E_CAMERA = 1 << 0, /* Make, Model, DateTimeOriginal, ExposureTime */
	E_GPS = 1 << 1,
	E_IDS = 1 << 2,	  /* serials, owner */
	E_TEXT = 1 << 3,  /* ImageDescription, UserComment, XP* */
	E_MNOTE = 1 << 4, /* MakerNote */
	E_THUMB = 1 << 5, /* IFD1 thumbnail */
	E_CREDIT = 1 << 6,
	E_BIG = 1 << 7, /* 80 KB of private tags: the GPS IFD lands past 64 KiB */
};
enum {
	X_GPS = 1 << 0,		/* exif:GPS* as attributes */
	X_PLACE = 1 << 1,	/* photoshop:City ..., Iptc4xmpCore as elements */
	X_EXT = 1 << 2,		/* Iptc4xmpExt:LocationCreated/Shown structs */
	X_IDS = 1 << 3,		/* aux:SerialNumber, exifEX owner, dc:description */
	X_CREDIT = 1 << 4,	/* dc:creator, dc:rights */
	X_ODD = 1 << 5,		/* unusual prefixes for the same namespaces */
	X_EXTNOTE = 1 << 6, /* xmpNote:HasExtendedXMP (the main packet) */
};

static const char ARTIST[] = "Zo\xc3\xab Ng\xc5\xa9g\xc4\xa9 (field team)";
/* photographer and editor, NUL-separated, as EXIF allows */
static const char COPYRIGHT[] = "\xc2\xa9 2024 Example Relief Org\0Photo desk";
static const char XMP_CREATOR[] = "Zo\xc3\xab Ng\xc5\xa9g\xc4\xa9";
static const char XMP_RIGHTS[] = "\xc2\xa9 2024 Example Relief Org";

static void
die(const char *what)
{
	fprintf(stderr, "gen-privacy: %s\n", what);
	exit(1);
}

static GBytes *
take(GByteArray *a)
{
	return g_byte_array_free_to_bytes(a);
}

static void
write_file(const char *sub, const char *name, GBytes *b)
{
	g_autofree char *dir = g_build_filename(outdir, sub, NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_mkdir_with_parents(dir, 0777);
	gsize n;
	const char *d = g_bytes_get_data(b, &n);
	if (!g_file_set_contents(path, d, (gssize)n, NULL))
		die(path);
}

/* ---- pixels, encoded by libvips without metadata ---- */

static GBytes *
vips_encode(const char *suffix, int w, int h)
{
	VipsImage *im = vips_image_new_from_memory(pixels, (gsize)W * H * 3, W,
		H, 3, VIPS_FORMAT_UCHAR);
	VipsImage *t = NULL;
	if (w != W) {
		if (vips_resize(im, &t, (double)w / W, "vscale", (double)h / H,
				NULL))
			die(vips_error_buffer());
		g_object_unref(im);
		im = t;
	}
	void *buf;
	size_t len;
	if (vips_image_write_to_buffer(im, suffix, &buf, &len, NULL))
		die(vips_error_buffer());
	g_object_unref(im);
	return g_bytes_new_take(buf, len);
}

/* ---- EXIF values, shared by the libexif blocks and the TIFF files ---- */

typedef struct {
	guint what;
	ExifIfd ifd;
	guint16 tag, type;
	guint32 count;
	GBytes *data; /* little-endian */
} Val;

static GArray *vals;

static void
val(guint what, ExifIfd ifd, guint16 tag, guint16 type, guint32 count,
	const void *data, gsize size)
{
	Val v = { what, ifd, tag, type, count, g_bytes_new(data, size) };
	g_array_append_val(vals, v);
}

static void
val_ascii(guint what, ExifIfd ifd, guint16 tag, const char *s, gsize n)
{
	val(what, ifd, tag, EXIF_FORMAT_ASCII, (guint32)n, s, n);
}

static void
val_str(guint what, ExifIfd ifd, guint16 tag, const char *s)
{
	val_ascii(what, ifd, tag, s, strlen(s) + 1);
}

static void
val_rational(guint what, ExifIfd ifd, guint16 tag, const guint32 *nd, int n)
{
	guint8 b[64];
	for (int i = 0; i < 2 * n; i++)
		exif_set_long(b + 4 * i, EXIF_BYTE_ORDER_INTEL, nd[i]);
	val(what, ifd, tag, EXIF_FORMAT_RATIONAL, (guint32)n, b, 8 * (gsize)n);
}

static void
val_short(guint what, ExifIfd ifd, guint16 tag, guint16 s)
{
	guint8 b[2];
	exif_set_short(b, EXIF_BYTE_ORDER_INTEL, s);
	val(what, ifd, tag, EXIF_FORMAT_SHORT, 1, b, 2);
}

/* Windows XP* tags: UCS-2LE bytes */
static void
val_xp(guint what, guint16 tag, const char *s)
{
	glong n = 0;
	gunichar2 *u = g_utf8_to_utf16(s, -1, NULL, &n, NULL);
	guint8 *b = g_malloc(2 * (gsize)(n + 1));
	for (glong i = 0; i <= n; i++) {
		b[2 * i] = (guint8)u[i];
		b[2 * i + 1] = (guint8)(u[i] >> 8);
	}
	val(what, EXIF_IFD_0, tag, EXIF_FORMAT_BYTE, (guint32)(2 * (n + 1)), b,
		2 * (gsize)(n + 1));
	g_free(b);
	g_free(u);
}

static void
vals_init(void)
{
	vals = g_array_new(FALSE, FALSE, sizeof(Val));
	val_str(E_CAMERA, EXIF_IFD_0, EXIF_TAG_MAKE, "AttacheTestCam");
	val_str(E_CAMERA, EXIF_IFD_0, EXIF_TAG_MODEL, "Field Unit 7");
	val_str(E_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL,
		"2024:05:17 09:41:12");
	guint32 et[] = { 1, 250 };
	val_rational(E_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_TIME, et, 1);

	val_ascii(E_CREDIT, EXIF_IFD_0, EXIF_TAG_ARTIST, ARTIST, sizeof(ARTIST));
	val_ascii(E_CREDIT, EXIF_IFD_0, EXIF_TAG_COPYRIGHT, COPYRIGHT,
		sizeof(COPYRIGHT));

	guint8 ver[4] = { 2, 3, 0, 0 };
	val(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_VERSION_ID, EXIF_FORMAT_BYTE, 4, ver,
		4);
	val_str(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF, "N");
	guint32 lat[] = { 3, 1, 42, 1, 522, 10 };
	val_rational(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE, lat, 3);
	val_str(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF, "E");
	guint32 lon[] = { 34, 1, 51, 1, 119, 10 };
	val_rational(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE, lon, 3);
	guint32 alt[] = { 6120, 10 };
	val_rational(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE, alt, 1);
	val_str(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_DATE_STAMP, "2024:05:17");
	static const char area[] = "ASCII\0\0\0Kakuma camp, north gate";
	val(E_GPS, EXIF_IFD_GPS, EXIF_TAG_GPS_AREA_INFORMATION,
		EXIF_FORMAT_UNDEFINED, sizeof(area) - 1, area, sizeof(area) - 1);

	val_str(E_IDS, EXIF_IFD_EXIF, EXIF_TAG_BODY_SERIAL_NUMBER, "SN-0042-7781");
	val_str(E_IDS, EXIF_IFD_EXIF, EXIF_TAG_LENS_SERIAL_NUMBER, "LN-99812");
	val_str(E_IDS, EXIF_IFD_EXIF, EXIF_TAG_IMAGE_UNIQUE_ID,
		"4f3c2a19e0b7d6c5a4938271605f4e3d");
	val_str(E_IDS, EXIF_IFD_EXIF, EXIF_TAG_CAMERA_OWNER_NAME,
		"Field Officer Amina K.");

	val_str(E_TEXT, EXIF_IFD_0, EXIF_TAG_IMAGE_DESCRIPTION,
		"Distribution at Kakuma camp, Turkana");
	static const char uc[] = "ASCII\0\0\0Taken near the north gate of Kakuma";
	val(E_TEXT, EXIF_IFD_EXIF, EXIF_TAG_USER_COMMENT, EXIF_FORMAT_UNDEFINED,
		sizeof(uc) - 1, uc, sizeof(uc) - 1);
	val_xp(E_TEXT, EXIF_TAG_XP_TITLE, "Kakuma, day 3");
	val_xp(E_TEXT, EXIF_TAG_XP_COMMENT, "Truck route via Lodwar");
	val_xp(E_TEXT, EXIF_TAG_XP_KEYWORDS, "Kakuma;Turkana;Kenya");
	val_xp(E_TEXT, EXIF_TAG_XP_SUBJECT, "North gate distribution");

	static const char mn[] = "ATTACHEMN\0\0\0fix 3.7145N 34.8533E";
	val(E_MNOTE, EXIF_IFD_EXIF, EXIF_TAG_MAKER_NOTE, EXIF_FORMAT_UNDEFINED,
		sizeof(mn) - 1, mn, sizeof(mn) - 1);

	val_short(E_THUMB, EXIF_IFD_1, EXIF_TAG_COMPRESSION, 6);

	/* libexif (and so a reader built on it) sees 64 KiB of a block only */
	guint8 *big = g_malloc0(40000);
	val(E_BIG, EXIF_IFD_EXIF, 0xc000, EXIF_FORMAT_UNDEFINED, 40000, big, 40000);
	val(E_BIG, EXIF_IFD_EXIF, 0xc001, EXIF_FORMAT_UNDEFINED, 40000, big, 40000);
	g_free(big);
}

/* An EXIF block ("Exif\0\0" + TIFF) with the values in @what, built with
 * libexif. */
static GBytes *
make_exif(guint what)
{
	ExifData *ed = exif_data_new();
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
	exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_INTEL);
	exif_data_set_data_type(ed, EXIF_DATA_TYPE_COMPRESSED);
	ExifMem *mem = exif_mem_new_default();

	for (guint i = 0; i < vals->len; i++) {
		Val *v = &g_array_index(vals, Val, i);
		if (!(v->what & what))
			continue;
		gsize n;
		const guint8 *d = g_bytes_get_data(v->data, &n);
		ExifEntry *e = exif_entry_new();
		/* the tag first: libexif refuses a second entry with the same
		 * tag, and a new entry's is 0, which GPSVersionID is */
		e->tag = v->tag;
		e->format = v->type;
		e->components = v->count;
		e->size = (unsigned int)n;
		e->data = exif_mem_alloc(mem, (ExifLong)n);
		memcpy(e->data, d, n);
		exif_content_add_entry(ed->ifd[v->ifd], e);
		exif_entry_unref(e);
	}
	if (what & E_THUMB) {
		GBytes *t = vips_encode(".jpg[Q=60,strip]", 80, 60);
		gsize n;
		const guint8 *d = g_bytes_get_data(t, &n);
		ed->data = exif_mem_alloc(mem, (ExifLong)n);
		memcpy(ed->data, d, n);
		ed->size = (unsigned int)n;
		g_bytes_unref(t);
	}
	exif_mem_unref(mem);

	unsigned char *buf = NULL;
	unsigned int len = 0;
	exif_data_save_data(ed, &buf, &len);
	exif_data_unref(ed);
	if (!buf)
		die("libexif could not save");
	GBytes *b = g_bytes_new(buf, len);
	free(buf);
	return b;
}

/* the TIFF part of an EXIF block */
static GBytes *
tiff_part(GBytes *exif)
{
	return g_bytes_new_from_bytes(exif, 6, g_bytes_get_size(exif) - 6);
}

/* ---- XMP ---- */

static GBytes *
make_xmp(guint what)
{
	const char *ps = what & X_ODD ? "loc" : "photoshop";
	const char *core = what & X_ODD ? "ic" : "Iptc4xmpCore";
	GString *s = g_string_new(
		"<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
		" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
		"  <rdf:Description rdf:about=\"\"\n"
		"    xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"\n"
		"    xmlns:aux=\"http://ns.adobe.com/exif/1.0/aux/\"\n"
		"    xmlns:exifEX=\"http://cipa.jp/exif/1.0/\"\n"
		"    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
		"    xmlns:xmpNote=\"http://ns.adobe.com/xmp/note/\"\n"
		"    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"\n");
	g_string_append_printf(s,
		"    xmlns:%s=\"http://ns.adobe.com/photoshop/1.0/\"\n"
		"    xmlns:%s=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\"\n",
		ps, core);
	/* attribute form */
	if (what & X_GPS)
		g_string_append(s,
			"    exif:GPSLatitude=\"3,42.87N\" exif:GPSLongitude=\"34,51.198E\"\n"
			"    exif:GPSAltitude=\"6120/10\"\n");
	if (what & X_PLACE)
		g_string_append_printf(s, "    %s:City=\"Kakuma\" %s:State=\"Turkana\"\n",
			ps, ps);
	if (what & X_IDS)
		g_string_append(s,
			"    aux:SerialNumber=\"SN-0042-7781\"\n"
			"    exifEX:CameraOwnerName=\"Field Officer Amina K.\"\n");
	if (what & X_EXTNOTE)
		g_string_append(s, "    xmpNote:HasExtendedXMP="
						   "\"0123456789ABCDEF0123456789ABCDEF\"\n");
	g_string_append(s, "    >\n");
	/* element form */
	if (what & X_PLACE)
		g_string_append_printf(s,
			"   <%s:Country>Kenya</%s:Country>\n"
			"   <%s:Location>North gate</%s:Location>\n"
			"   <%s:CountryCode>KE</%s:CountryCode>\n",
			ps, ps, core, core, core, core);
	if (what & X_EXT)
		g_string_append(s,
			"   <Iptc4xmpExt:LocationCreated>\n"
			"    <rdf:Bag>\n"
			"     <rdf:li rdf:parseType=\"Resource\">\n"
			"      <Iptc4xmpExt:City>Kakuma</Iptc4xmpExt:City>\n"
			"      <Iptc4xmpExt:CountryName>Kenya</Iptc4xmpExt:CountryName>\n"
			"      <exif:GPSLatitude>3,42.87N</exif:GPSLatitude>\n"
			"      <exif:GPSLongitude>34,51.198E</exif:GPSLongitude>\n"
			"     </rdf:li>\n"
			"    </rdf:Bag>\n"
			"   </Iptc4xmpExt:LocationCreated>\n"
			"   <Iptc4xmpExt:LocationShown>\n"
			"    <rdf:Bag>\n"
			"     <rdf:li Iptc4xmpExt:Sublocation=\"North gate\"\n"
			"       Iptc4xmpExt:ProvinceState=\"Turkana\"/>\n"
			"    </rdf:Bag>\n"
			"   </Iptc4xmpExt:LocationShown>\n");
	if (what & X_IDS)
		g_string_append(s,
			"   <exifEX:LensSerialNumber>LN-99812</exifEX:LensSerialNumber>\n"
			"   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">"
			"Distribution at Kakuma camp</rdf:li></rdf:Alt></dc:description>\n"
			"   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Kakuma, day 3"
			"</rdf:li></rdf:Alt></dc:title>\n");
	if (what & X_CREDIT)
		g_string_append_printf(s,
			"   <dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>\n"
			"   <dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li>"
			"</rdf:Alt></dc:rights>\n",
			XMP_CREATOR, XMP_RIGHTS);
	g_string_append(s, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
					   "<?xpacket end=\"w\"?>");
	gsize n = s->len;
	return g_bytes_new_take(g_string_free(s, FALSE), n);
}

/* ---- IPTC-IIM and Photoshop IRB ---- */

static void
iim(GByteArray *o, guint8 rec, guint8 ds, const char *s)
{
	gsize n = strlen(s);
	guint8 h[5] = { 0x1c, rec, ds, (guint8)(n >> 8), (guint8)n };
	g_byte_array_append(o, h, 5);
	g_byte_array_append(o, (const guint8 *)s, (guint)n);
}

static GBytes *
make_iim(void)
{
	GByteArray *o = g_byte_array_new();
	iim(o, 1, 90, "\x1b%G");
	static const guint8 version[] = { 0x1c, 2, 0, 0, 2, 0, 4 };
	g_byte_array_append(o, version, sizeof(version));
	iim(o, 2, 25, "Kakuma");
	iim(o, 2, 25, "Turkana");
	iim(o, 2, 80, "Field team");
	iim(o, 2, 90, "Kakuma");
	iim(o, 2, 92, "North gate");
	iim(o, 2, 95, "Turkana");
	iim(o, 2, 100, "KEN");
	iim(o, 2, 101, "Kenya");
	iim(o, 2, 120, "Distribution at Kakuma camp");
	return take(o);
}

static void
irb_res(GByteArray *o, guint16 id, const guint8 *d, gsize n)
{
	guint8 h[12] = { '8', 'B', 'I', 'M', (guint8)(id >> 8), (guint8)id, 0, 0,
		(guint8)(n >> 24), (guint8)(n >> 16), (guint8)(n >> 8), (guint8)n };
	g_byte_array_append(o, h, 12);
	g_byte_array_append(o, d, (guint)n);
	if (n & 1) {
		guint8 z = 0;
		g_byte_array_append(o, &z, 1);
	}
}

/* IRB with IPTC (when @iptc) and a thumbnail resource (when @thumb) */
static GBytes *
make_irb(gboolean iptc, gboolean thumb)
{
	GByteArray *o = g_byte_array_new();
	if (iptc) {
		g_autoptr(GBytes) i = make_iim();
		irb_res(o, 0x0404, g_bytes_get_data(i, NULL), g_bytes_get_size(i));
	}
	if (thumb) {
		g_autoptr(GBytes) j = vips_encode(".jpg[Q=60,strip]", 80, 60);
		gsize n = g_bytes_get_size(j);
		/* 28-byte header: format 1 (JFIF), width, height, ... */
		GByteArray *t = g_byte_array_new();
		guint8 h[28] = { 0, 0, 0, 1, 0, 0, 0, 80, 0, 0, 0, 60 };
		g_byte_array_append(t, h, 28);
		g_byte_array_append(t, g_bytes_get_data(j, NULL), (guint)n);
		irb_res(o, 0x040c, t->data, t->len);
		g_byte_array_unref(t);
	}
	return take(o);
}

/* ---- JPEG ---- */

static void
seg(GByteArray *o, guint8 m, const void *a, gsize al, const void *b,
	gsize bl)
{
	gsize len = 2 + al + bl;
	if (len > 65535)
		die("segment too large");
	guint8 h[4] = { 0xff, m, (guint8)(len >> 8), (guint8)len };
	g_byte_array_append(o, h, 4);
	if (al)
		g_byte_array_append(o, a, (guint)al);
	if (bl)
		g_byte_array_append(o, b, (guint)bl);
}

typedef struct {
	GBytes *exif, *xmp, *irb, *ext_xmp;
	const char *com;
	gboolean app_unknown, trailer;
	GBytes *raw_app1;  /* inserted as is (malformed cases) */
	GBytes *raw_after; /* appended after EOI as is */
} JpegParts;

static const char XMP_NS[] = "http://ns.adobe.com/xap/1.0/";
static const char XMP_EXT_NS[] = "http://ns.adobe.com/xmp/extension/";

static GBytes *
make_jpeg_at(const JpegParts *p, int w, int h)
{
	g_autoptr(GBytes) base = vips_encode(".jpg[Q=85,strip]", w, h);
	gsize n;
	const guint8 *d = g_bytes_get_data(base, &n);
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, d, 2); /* SOI */
	if (p->exif)
		seg(o, 0xe1, NULL, 0, g_bytes_get_data(p->exif, NULL),
			g_bytes_get_size(p->exif));
	if (p->xmp)
		seg(o, 0xe1, XMP_NS, sizeof(XMP_NS), g_bytes_get_data(p->xmp, NULL),
			g_bytes_get_size(p->xmp));
	if (p->ext_xmp) {
		/* extended XMP in two chunks: GUID, full length, offset, data */
		gsize el = g_bytes_get_size(p->ext_xmp), half = el / 2;
		const guint8 *ed = g_bytes_get_data(p->ext_xmp, NULL);
		for (int k = 0; k < 2; k++) {
			gsize off = k ? half : 0, cl = k ? el - half : half;
			GByteArray *c = g_byte_array_new();
			g_byte_array_append(c, (const guint8 *)XMP_EXT_NS,
				sizeof(XMP_EXT_NS));
			g_byte_array_append(c,
				(const guint8 *)"0123456789ABCDEF0123456789ABCDEF", 32);
			guint8 v[8] = { el >> 24, el >> 16, el >> 8, el, off >> 24,
				off >> 16, off >> 8, off };
			g_byte_array_append(c, v, 8);
			g_byte_array_append(c, ed + off, (guint)cl);
			seg(o, 0xe1, c->data, c->len, NULL, 0);
			g_byte_array_unref(c);
		}
	}
	if (p->raw_app1)
		seg(o, 0xe1, g_bytes_get_data(p->raw_app1, NULL),
			g_bytes_get_size(p->raw_app1), NULL, 0);
	if (p->irb)
		seg(o, 0xed, "Photoshop 3.0", 14, g_bytes_get_data(p->irb, NULL),
			g_bytes_get_size(p->irb));
	if (p->app_unknown) {
		static const char a5[] = "LOCX\0fix 3.7145N 34.8533E Kakuma";
		seg(o, 0xe5, a5, sizeof(a5), NULL, 0);
		static const char ab[] = "VENDOR\0owner=Amina;site=Kakuma";
		seg(o, 0xeb, ab, sizeof(ab), NULL, 0);
	}
	if (p->com)
		seg(o, 0xfe, p->com, strlen(p->com), NULL, 0);
	g_byte_array_append(o, d + 2, (guint)(n - 2));
	if (p->trailer) {
		/* another JPEG after EOI, with its own GPS */
		g_autoptr(GBytes) ex = make_exif(E_CAMERA | E_GPS);
		JpegParts q = { ex };
		g_autoptr(GBytes) t = make_jpeg_at(&q, 80, 60);
		g_byte_array_append(o, g_bytes_get_data(t, NULL),
			(guint)g_bytes_get_size(t));
	}
	if (p->raw_after)
		g_byte_array_append(o, g_bytes_get_data(p->raw_after, NULL),
			(guint)g_bytes_get_size(p->raw_after));
	return take(o);
}

static GBytes *
make_jpeg(const JpegParts *p)
{
	return make_jpeg_at(p, W, H);
}

/* ---- PNG, with libpng ---- */

enum {
	P_TEXT = 1 << 0,	/* tEXt Comment, zTXt Description after IDAT, iTXt */
	P_RAW = 1 << 1,		/* ImageMagick "Raw profile type exif/iptc" */
	P_UNKNOWN = 1 << 2, /* a private chunk */
};

typedef struct {
	GBytes *exif, *xmp; /* exif: the APP1 form */
	guint flags;
	GBytes *raw_exif; /* eXIf bytes as is (malformed cases) */
	GBytes *ztxt_bomb;
} PngParts;

static void
png_write_mem(png_structp png, png_bytep d, size_t n)
{
	g_byte_array_append(png_get_io_ptr(png), d, (guint)n);
}

static void
png_flush_mem(png_structp png)
{
}

static char *
hex_profile(const char *name, GBytes *b)
{
	gsize n;
	const guint8 *d = g_bytes_get_data(b, &n);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "\n%s\n%8zu\n", name, n);
	for (gsize i = 0; i < n; i++) {
		g_string_append_printf(s, "%02x", d[i]);
		if (i % 36 == 35)
			g_string_append_c(s, '\n');
	}
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static GBytes *
make_png(const PngParts *p)
{
	GByteArray *o = g_byte_array_new();
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
		NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_infop end = png_create_info_struct(png);
	if (setjmp(png_jmpbuf(png)))
		die("libpng write failed");
	png_set_write_fn(png, o, png_write_mem, png_flush_mem);
	png_set_IHDR(png, info, W, H, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (p->exif) {
		g_autoptr(GBytes) t = tiff_part(p->exif);
		png_set_eXIf_1(png, info, (png_uint_32)g_bytes_get_size(t),
			(png_bytep)g_bytes_get_data(t, NULL));
	}
	if (p->raw_exif)
		png_set_eXIf_1(png, info, (png_uint_32)g_bytes_get_size(p->raw_exif),
			(png_bytep)g_bytes_get_data(p->raw_exif, NULL));

	png_text before[4], after[4];
	int nb = 0, na = 0;
	memset(before, 0, sizeof(before));
	memset(after, 0, sizeof(after));
	g_autofree char *xmp = p->xmp ? g_strndup(g_bytes_get_data(p->xmp, NULL),
							   g_bytes_get_size(p->xmp))
								  : NULL;
	if (xmp) {
		before[nb].compression = PNG_ITXT_COMPRESSION_NONE;
		before[nb].key = (char *)"XML:com.adobe.xmp";
		before[nb++].text = xmp;
	}
	if (p->flags & P_TEXT) {
		before[nb].compression = PNG_TEXT_COMPRESSION_NONE;
		before[nb].key = (char *)"Comment";
		before[nb++].text = (char *)"Kakuma camp, north gate";
		before[nb].compression = PNG_ITXT_COMPRESSION_zTXt;
		before[nb].key = (char *)"Title";
		before[nb].lang = (char *)"en";
		before[nb++].text = (char *)"Distribution day, Turkana";
		/* after the image data: readers that stop at IDAT miss it */
		after[na].compression = PNG_TEXT_COMPRESSION_zTXt;
		after[na].key = (char *)"Description";
		after[na++].text = (char *)"Taken 3.7145N 34.8533E";
	}
	g_autofree char *raw_exif = NULL, *raw_iptc = NULL;
	if (p->flags & P_RAW) {
		g_autoptr(GBytes) ex = make_exif(E_CAMERA | E_GPS);
		g_autoptr(GBytes) ip = make_iim();
		raw_exif = hex_profile("exif", ex);
		raw_iptc = hex_profile("iptc", ip);
		before[nb].compression = PNG_TEXT_COMPRESSION_NONE;
		before[nb].key = (char *)"Raw profile type exif";
		before[nb++].text = raw_exif;
		after[na].compression = PNG_TEXT_COMPRESSION_zTXt;
		after[na].key = (char *)"Raw profile type iptc";
		after[na++].text = raw_iptc;
	}
	g_autofree char *bomb = NULL;
	if (p->ztxt_bomb) {
		bomb = g_strndup(g_bytes_get_data(p->ztxt_bomb, NULL),
			g_bytes_get_size(p->ztxt_bomb));
		after[na].compression = PNG_TEXT_COMPRESSION_zTXt;
		after[na].key = (char *)"Comment";
		after[na++].text = bomb;
	}
	if (nb)
		png_set_text(png, info, before, nb);
	if (na)
		png_set_text(png, end, after, na);
	if (p->flags & P_UNKNOWN) {
		static png_byte name[5] = "loCa";
		static char data[] = "site=Kakuma;lat=3.7145;lon=34.8533";
		png_unknown_chunk u = { { 'l', 'o', 'C', 'a', 0 }, (png_byte *)data,
			sizeof(data) - 1, PNG_HAVE_IHDR };
		png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, name, 1);
		png_set_unknown_chunks(png, info, &u, 1);
	}
	png_write_info(png, info);
	for (int y = 0; y < H; y++)
		png_write_row(png, pixels + (gsize)y * W * 3);
	png_write_end(png, end);
	png_destroy_info_struct(png, &end);
	png_destroy_write_struct(&png, &info);
	return take(o);
}

/* ---- WebP, assembled by hand around libvips' image chunk ---- */

static void
le32(guint8 *p, guint32 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
	p[2] = (guint8)(v >> 16);
	p[3] = (guint8)(v >> 24);
}

static void
riff(GByteArray *o, const char *cc, const void *d, gsize n)
{
	guint8 h[8];
	memcpy(h, cc, 4);
	le32(h + 4, (guint32)n);
	g_byte_array_append(o, h, 8);
	g_byte_array_append(o, d, (guint)n);
	if (n & 1) {
		guint8 z = 0;
		g_byte_array_append(o, &z, 1);
	}
}

typedef struct {
	GBytes *exif, *xmp; /* exif in the APP1 form: the chunk keeps it */
	gboolean unknown, trailer;
	GBytes *raw_chunk; /* a chunk as is, last (malformed cases) */
} WebpParts;

static GBytes *
make_webp(const WebpParts *p)
{
	g_autoptr(GBytes) base = vips_encode(".webp[Q=75,strip]", W, H);
	gsize n;
	const guint8 *d = g_bytes_get_data(base, &n);
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, (const guint8 *)"RIFF\0\0\0\0WEBP", 12);
	guint8 x[10] = { 0 };
	x[0] = (p->exif ? 0x08 : 0) | (p->xmp ? 0x04 : 0);
	x[4] = (W - 1) & 0xff;
	x[5] = (W - 1) >> 8;
	x[7] = (H - 1) & 0xff;
	x[8] = (H - 1) >> 8;
	riff(o, "VP8X", x, 10);
	/* libvips' image chunk (VP8 or VP8L), nothing else it wrote */
	for (gsize pos = 12; pos + 8 <= n;) {
		guint32 cl = d[pos + 4] | d[pos + 5] << 8 | d[pos + 6] << 16 | (guint32)d[pos + 7] << 24;
		if (!memcmp(d + pos, "VP8 ", 4) || !memcmp(d + pos, "VP8L", 4))
			g_byte_array_append(o, d + pos, 8 + cl + (cl & 1));
		pos += 8 + cl + (cl & 1);
	}
	if (p->unknown) {
		static const char u[] = "site=Kakuma;lat=3.7145;lon=34.8533";
		riff(o, "LOCN", u, sizeof(u) - 1);
	}
	if (p->exif) {
		/* the chunk holds the TIFF structure, without "Exif\0\0" */
		g_autoptr(GBytes) t = tiff_part(p->exif);
		riff(o, "EXIF", g_bytes_get_data(t, NULL), g_bytes_get_size(t));
	}
	if (p->xmp)
		riff(o, "XMP ", g_bytes_get_data(p->xmp, NULL),
			g_bytes_get_size(p->xmp));
	if (p->raw_chunk)
		g_byte_array_append(o, g_bytes_get_data(p->raw_chunk, NULL),
			(guint)g_bytes_get_size(p->raw_chunk));
	le32(o->data + 4, o->len - 8);
	if (p->trailer) {
		static const char t[] = "TRAILER owner=Amina site=Kakuma";
		g_byte_array_append(o, (const guint8 *)t, sizeof(t) - 1);
	}
	return take(o);
}

/* ---- HEIC, with libheif ---- */

typedef struct {
	GBytes *exif, *xmp;
	gboolean thumb;		/* a thumbnail item */
	GBytes *thumb_exif; /* EXIF describing the thumbnail */
} HeifParts;

static void
heif_check(struct heif_error e)
{
	if (e.code != heif_error_Ok)
		die(e.message);
}

static GBytes *
make_heic(const HeifParts *p, const char *path)
{
	struct heif_context *ctx = heif_context_alloc();
	struct heif_encoder *enc;
	heif_check(heif_context_get_encoder_for_format(ctx, heif_compression_HEVC,
		&enc));
	heif_check(heif_encoder_set_lossy_quality(enc, 50));
	struct heif_image *img;
	heif_check(heif_image_create(W, H, heif_colorspace_RGB,
		heif_chroma_interleaved_RGB, &img));
	heif_check(heif_image_add_plane(img, heif_channel_interleaved, W, H, 8));
	int stride;
	uint8_t *plane = heif_image_get_plane(img, heif_channel_interleaved,
		&stride);
	for (int y = 0; y < H; y++)
		memcpy(plane + (gsize)y * stride, pixels + (gsize)y * W * 3,
			(gsize)W * 3);
	struct heif_image_handle *handle, *thumb = NULL;
	heif_check(heif_context_encode_image(ctx, img, enc, NULL, &handle));
	if (p->thumb)
		heif_check(heif_context_encode_thumbnail(ctx, img, handle, enc, NULL,
			W >= 128 ? 64 : W / 2, &thumb));
	/* added after the image: its bytes land at the end of the file */
	if (p->exif)
		heif_check(heif_context_add_exif_metadata(ctx, handle,
			g_bytes_get_data(p->exif, NULL), (int)g_bytes_get_size(p->exif)));
	if (p->xmp)
		heif_check(heif_context_add_XMP_metadata(ctx, handle,
			g_bytes_get_data(p->xmp, NULL), (int)g_bytes_get_size(p->xmp)));
	if (thumb && p->thumb_exif)
		heif_check(heif_context_add_exif_metadata(ctx, thumb,
			g_bytes_get_data(p->thumb_exif, NULL),
			(int)g_bytes_get_size(p->thumb_exif)));
	heif_check(heif_context_write_to_file(ctx, path));
	if (thumb)
		heif_image_handle_release(thumb);
	heif_image_handle_release(handle);
	heif_image_release(img);
	heif_encoder_release(enc);
	heif_context_free(ctx);

	char *data;
	gsize len;
	if (!g_file_get_contents(path, &data, &len, NULL))
		die(path);
	return g_bytes_new_take(data, len);
}

/* ---- TIFF, by hand (little-endian, one uncompressed strip) ---- */

typedef struct {
	guint16 tag, type;
	guint32 count;
	GBytes *data;
} TEnt;

static void
tent(GArray *a, guint16 tag, guint16 type, guint32 count, const void *d,
	gsize n)
{
	TEnt e = { tag, type, count, g_bytes_new(d, n) };
	g_array_append_val(a, e);
}

static void
tent_long(GArray *a, guint16 tag, guint32 v)
{
	guint8 b[4];
	le32(b, v);
	tent(a, tag, 4, 1, b, 4);
}

static void
tent_short(GArray *a, guint16 tag, guint16 v)
{
	guint8 b[2] = { (guint8)v, (guint8)(v >> 8) };
	tent(a, tag, 3, 1, b, 2);
}

static int
tent_cmp(gconstpointer a, gconstpointer b)
{
	return (int)((const TEnt *)a)->tag - (int)((const TEnt *)b)->tag;
}

/* Writes an IFD (entries sorted, data after it); returns its offset. */
static guint32
tiff_ifd(GByteArray *f, GArray *ents, guint32 next)
{
	g_array_sort(ents, tent_cmp);
	if (f->len & 1)
		g_byte_array_append(f, (const guint8 *)"", 1);
	guint32 off = f->len;
	guint32 data_at = off + 2 + 12 * ents->len + 4;
	GByteArray *data = g_byte_array_new();
	guint8 c[2] = { (guint8)ents->len, (guint8)(ents->len >> 8) };
	g_byte_array_append(f, c, 2);
	for (guint i = 0; i < ents->len; i++) {
		TEnt *e = &g_array_index(ents, TEnt, i);
		gsize n;
		const guint8 *d = g_bytes_get_data(e->data, &n);
		guint8 b[12] = { (guint8)e->tag, (guint8)(e->tag >> 8),
			(guint8)e->type, (guint8)(e->type >> 8) };
		le32(b + 4, e->count);
		if (n <= 4)
			memcpy(b + 8, d, n);
		else {
			le32(b + 8, data_at + data->len);
			g_byte_array_append(data, d, (guint)n);
			if (n & 1)
				g_byte_array_append(data, (const guint8 *)"", 1);
		}
		g_byte_array_append(f, b, 12);
		g_bytes_unref(e->data);
	}
	guint8 nx[4];
	le32(nx, next);
	g_byte_array_append(f, nx, 4);
	g_byte_array_append(f, data->data, data->len);
	g_byte_array_unref(data);
	g_array_set_size(ents, 0);
	return off;
}

/* the image tags of an RGB strip of w x h at @strip */
static void
tiff_image_tags(GArray *a, int w, int h, guint32 strip, guint16 subfile)
{
	if (subfile)
		tent_long(a, 254, subfile);
	tent_long(a, 256, (guint32)w);
	tent_long(a, 257, (guint32)h);
	guint8 bps[6] = { 8, 0, 8, 0, 8, 0 };
	tent(a, 258, 3, 3, bps, 6);
	tent_short(a, 259, 1);
	tent_short(a, 262, 2);
	tent_long(a, 273, strip);
	tent_short(a, 277, 3);
	tent_long(a, 278, (guint32)h);
	tent_long(a, 279, (guint32)(w * h * 3));
	tent_short(a, 284, 1);
}

typedef struct {
	guint exif; /* E_* values placed in the IFDs */
	GBytes *xmp, *iim, *irb;
	gboolean subifd, page2;
	GBytes *raw; /* malformed cases: the whole file, as is */
} TiffParts;

static guint32
tiff_small_image(GByteArray *f)
{
	/* a 40 x 30 grey strip */
	guint32 at = f->len;
	guint8 px[40 * 30 * 3];
	memset(px, 128, sizeof(px));
	g_byte_array_append(f, px, sizeof(px));
	return at;
}

static GBytes *
make_tiff(const TiffParts *p)
{
	GByteArray *f = g_byte_array_new();
	GArray *a = g_array_new(FALSE, FALSE, sizeof(TEnt));
	g_byte_array_append(f, (const guint8 *)"II*\0\0\0\0\0", 8);
	guint32 strip = f->len;
	g_byte_array_append(f, pixels, (guint)W * H * 3);

	guint32 exif_ifd = 0, gps_ifd = 0, sub = 0, page2 = 0;
	for (int pass = 0; pass < 2; pass++) {
		ExifIfd which = pass == 0 ? EXIF_IFD_GPS : EXIF_IFD_EXIF;
		for (guint i = 0; i < vals->len; i++) {
			Val *v = &g_array_index(vals, Val, i);
			if ((v->what & p->exif) && v->ifd == which)
				tent(a, v->tag, v->type, v->count,
					g_bytes_get_data(v->data, NULL), g_bytes_get_size(v->data));
		}
		if (a->len) {
			guint32 o = tiff_ifd(f, a, 0);
			*(pass == 0 ? &gps_ifd : &exif_ifd) = o;
		}
	}
	if (p->subifd) {
		guint32 s = tiff_small_image(f);
		tiff_image_tags(a, 40, 30, s, 1);
		sub = tiff_ifd(f, a, 0);
	}
	if (p->page2) {
		guint32 s = tiff_small_image(f);
		tiff_image_tags(a, 40, 30, s, 1);
		page2 = tiff_ifd(f, a, 0);
	}

	tiff_image_tags(a, W, H, strip, 0);
	for (guint i = 0; i < vals->len; i++) {
		Val *v = &g_array_index(vals, Val, i);
		if ((v->what & p->exif) && v->ifd == EXIF_IFD_0)
			tent(a, v->tag, v->type, v->count, g_bytes_get_data(v->data, NULL),
				g_bytes_get_size(v->data));
	}
	if (exif_ifd)
		tent_long(a, 0x8769, exif_ifd);
	if (gps_ifd)
		tent_long(a, 0x8825, gps_ifd);
	if (sub) {
		guint8 b[4];
		le32(b, sub);
		tent(a, 330, 13, 1, b, 4);
	}
	if (p->xmp)
		tent(a, 700, 1, (guint32)g_bytes_get_size(p->xmp),
			g_bytes_get_data(p->xmp, NULL), g_bytes_get_size(p->xmp));
	if (p->iim)
		tent(a, 33723, 7, (guint32)g_bytes_get_size(p->iim),
			g_bytes_get_data(p->iim, NULL), g_bytes_get_size(p->iim));
	if (p->irb)
		tent(a, 34377, 1, (guint32)g_bytes_get_size(p->irb),
			g_bytes_get_data(p->irb, NULL), g_bytes_get_size(p->irb));
	guint32 ifd0 = tiff_ifd(f, a, page2);
	le32(f->data + 4, ifd0);
	g_array_unref(a);
	return take(f);
}

/* ---- the fixtures ---- */

static char *
hex(const char *s, gsize n)
{
	GString *o = g_string_new(NULL);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(o, "%02x", (guint8)s[i]);
	return g_string_free(o, FALSE);
}

static void
hidden(const char *name, GBytes *b, const char *kinds, const char *needles,
	gboolean credit)
{
	write_file(hidden_sub, name, b);
	g_autofree char *ah = credit ? hex(ARTIST, sizeof(ARTIST)) : g_strdup("-");
	g_autofree char *ch = credit ? hex(COPYRIGHT, sizeof(COPYRIGHT))
								 : g_strdup("-");
	fprintf(hidden_tsv, "%s\t%s\t%s\t%s\t%s\n", name, kinds, needles, ah, ch);
	g_bytes_unref(b);
}

/* needles shared by the formats */
#define N_EXIF_GPS "gps=EXIF GPS IFD: GPSLatitude|gps=EXIF GPS IFD: GPSLongitude|gps=EXIF GPS IFD: GPSAreaInformation"
#define N_EXIF_IDS "serial=BodySerialNumber|serial=LensSerialNumber|serial=ImageUniqueID|owner=CameraOwnerName"
#define N_EXIF_TEXT "freetext=ImageDescription|freetext=UserComment|freetext=XPComment|freetext=XPKeywords|freetext=XPSubject|freetext=XPTitle"
#define N_XMP_GPS "gps=XMP exif:GPSLatitude|gps=XMP exif:GPSLongitude"
#define N_XMP_PLACE "place=XMP photoshop:City|place=XMP photoshop:State|place=XMP photoshop:Country|place=XMP Iptc4xmpCore:Location|place=XMP Iptc4xmpCore:CountryCode"
#define N_XMP_EXT "place=XMP Iptc4xmpExt:LocationCreated|place=XMP Iptc4xmpExt:LocationShown|place=Iptc4xmpExt:LocationCreated/Iptc4xmpExt:City|gps=Iptc4xmpExt:LocationCreated/exif:GPSLatitude|place=Iptc4xmpExt:LocationShown/Iptc4xmpExt:Sublocation"
#define N_XMP_IDS "serial=XMP aux:SerialNumber|serial=XMP exifEX:LensSerialNumber|owner=XMP exifEX:CameraOwnerName|freetext=XMP dc:description|freetext=XMP dc:title"
#define N_IPTC "place=IPTC 2:90 City|place=IPTC 2:92 Sub-location|place=IPTC 2:95 Province-State|place=IPTC 2:100 Country-PrimaryLocationCode|place=IPTC 2:101 Country-PrimaryLocationName|freetext=IPTC 2:120 Caption-Abstract"
#define N_CREDIT "credit=EXIF IFD0: Artist|credit=EXIF IFD0: Copyright|credit=XMP dc:creator|credit=XMP dc:rights"

static void
gen_jpeg(void)
{
	JpegParts p;
#define J(name, kinds, needles, credit, ...)                 \
	do {                                                     \
		memset(&p, 0, sizeof(p));                            \
		__VA_ARGS__;                                         \
		hidden(name, make_jpeg(&p), kinds, needles, credit); \
		if (p.exif)                                          \
			g_bytes_unref(p.exif);                           \
		if (p.xmp)                                           \
			g_bytes_unref(p.xmp);                            \
		if (p.irb)                                           \
			g_bytes_unref(p.irb);                            \
		if (p.ext_xmp)                                       \
			g_bytes_unref(p.ext_xmp);                        \
	} while (0)

	J("jpeg-exif-gps.jpg", "gps", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_GPS));
	J("jpeg-exif-ids.jpg", "serial,owner", N_EXIF_IDS, FALSE,
		p.exif = make_exif(E_CAMERA | E_IDS));
	J("jpeg-exif-text.jpg", "freetext", N_EXIF_TEXT, FALSE,
		p.exif = make_exif(E_CAMERA | E_TEXT));
	J("jpeg-exif-makernote.jpg", "makernote", "makernote=EXIF Exif IFD: MakerNote",
		FALSE, p.exif = make_exif(E_CAMERA | E_MNOTE));
	J("jpeg-exif-thumb.jpg", "thumbnail", "thumbnail=EXIF IFD1 thumbnail",
		FALSE, p.exif = make_exif(E_CAMERA | E_THUMB));
	J("jpeg-xmp-gps.jpg", "gps,xmp", N_XMP_GPS, FALSE,
		p.xmp = make_xmp(X_GPS));
	J("jpeg-xmp-place.jpg", "place,xmp", N_XMP_PLACE, FALSE,
		p.xmp = make_xmp(X_PLACE | X_ODD));
	J("jpeg-xmp-iptcext.jpg", "gps,place,xmp", N_XMP_EXT, FALSE,
		p.xmp = make_xmp(X_EXT));
	J("jpeg-xmp-ids.jpg", "serial,owner,freetext,xmp", N_XMP_IDS, FALSE,
		p.xmp = make_xmp(X_IDS));
	J("jpeg-xmp-extended.jpg", "place,xmp,other",
		"place=JPEG APP1 extended XMP > XMP photoshop:City|other=XMP xmpNote:HasExtendedXMP",
		FALSE, p.xmp = make_xmp(X_EXTNOTE);
		p.ext_xmp = make_xmp(X_PLACE));
	J("jpeg-iptc.jpg", "place,freetext,iptc",
		"iptc=JPEG APP13 Photoshop IRB|" N_IPTC, FALSE,
		p.irb = make_irb(TRUE, FALSE));
	J("jpeg-irb-thumb.jpg", "thumbnail,iptc",
		"thumbnail=Photoshop IRB 0x040c thumbnail", FALSE,
		p.irb = make_irb(FALSE, TRUE));
	J("jpeg-com.jpg", "freetext", "freetext=JPEG COM segment", FALSE,
		p.com = "Kakuma camp, north gate (3.7145N 34.8533E)");
	J("jpeg-app.jpg", "other",
		"other=JPEG APP5 segment|other=JPEG APP11 segment", FALSE,
		p.app_unknown = TRUE);
	J("jpeg-trailer.jpg", "gps,thumbnail",
		"thumbnail=JPEG data after end of image|gps=JPEG after end of image > EXIF GPS IFD: GPSLatitude",
		FALSE, p.trailer = TRUE);
	J("jpeg-credit.jpg", "xmp", N_CREDIT, TRUE,
		p.exif = make_exif(E_CAMERA | E_CREDIT);
		p.xmp = make_xmp(X_CREDIT));
	J("jpeg-everything.jpg",
		"gps,place,serial,owner,makernote,thumbnail,freetext,xmp,iptc,other",
		N_EXIF_GPS "|" N_EXIF_IDS "|" N_EXIF_TEXT "|" N_XMP_GPS "|" N_XMP_EXT
				   "|" N_IPTC "|" N_CREDIT,
		TRUE,
		p.exif = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);
		p.xmp = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT);
		p.irb = make_irb(TRUE, TRUE); p.com = "Kakuma"; p.app_unknown = TRUE;
		p.trailer = TRUE);
#undef J
}

static void
gen_png(void)
{
	PngParts p;
#define P(name, kinds, needles, credit, ...)                \
	do {                                                    \
		memset(&p, 0, sizeof(p));                           \
		__VA_ARGS__;                                        \
		hidden(name, make_png(&p), kinds, needles, credit); \
		if (p.exif)                                         \
			g_bytes_unref(p.exif);                          \
		if (p.xmp)                                          \
			g_bytes_unref(p.xmp);                           \
	} while (0)

	P("png-exif-gps.png", "gps", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_GPS));
	P("png-exif-ids.png", "serial,owner", N_EXIF_IDS, FALSE,
		p.exif = make_exif(E_CAMERA | E_IDS));
	P("png-exif-thumb.png", "thumbnail", "thumbnail=EXIF IFD1 thumbnail", FALSE,
		p.exif = make_exif(E_CAMERA | E_THUMB));
	P("png-exif-big.png", "gps,other", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_BIG | E_GPS));
	P("png-xmp-place.png", "place,xmp", N_XMP_PLACE, FALSE,
		p.xmp = make_xmp(X_PLACE | X_ODD));
	P("png-xmp-iptcext.png", "gps,place,xmp", N_XMP_EXT, FALSE,
		p.xmp = make_xmp(X_EXT | X_GPS));
	P("png-text.png", "freetext",
		"freetext=PNG tEXt 'Comment'|freetext=PNG zTXt 'Description'|freetext=PNG iTXt 'Title'",
		FALSE, p.flags = P_TEXT);
	P("png-rawprofile.png", "gps,place,freetext,iptc",
		"gps=PNG tEXt 'Raw profile type exif' > EXIF GPS IFD: GPSLatitude|place=PNG zTXt 'Raw profile type iptc' > IPTC 2:90 City",
		FALSE, p.flags = P_RAW);
	P("png-unknown.png", "other", "other=PNG chunk 'loCa'", FALSE,
		p.flags = P_UNKNOWN);
	P("png-credit.png", "xmp", N_CREDIT, TRUE,
		p.exif = make_exif(E_CAMERA | E_CREDIT);
		p.xmp = make_xmp(X_CREDIT));
	P("png-everything.png",
		"gps,place,serial,owner,makernote,thumbnail,freetext,xmp,iptc,other",
		N_EXIF_GPS "|" N_EXIF_IDS "|" N_EXIF_TEXT "|" N_XMP_EXT "|" N_CREDIT,
		TRUE,
		p.exif = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);
		p.xmp = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT);
		p.flags = P_TEXT | P_RAW | P_UNKNOWN);
#undef P
}

static void
gen_webp(void)
{
	WebpParts p;
#define WB(name, kinds, needles, credit, ...)                \
	do {                                                     \
		memset(&p, 0, sizeof(p));                            \
		__VA_ARGS__;                                         \
		hidden(name, make_webp(&p), kinds, needles, credit); \
		if (p.exif)                                          \
			g_bytes_unref(p.exif);                           \
		if (p.xmp)                                           \
			g_bytes_unref(p.xmp);                            \
	} while (0)

	WB("webp-exif-gps.webp", "gps", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_GPS));
	WB("webp-exif-ids.webp", "serial,owner", N_EXIF_IDS, FALSE,
		p.exif = make_exif(E_CAMERA | E_IDS));
	WB("webp-exif-text.webp", "freetext", N_EXIF_TEXT, FALSE,
		p.exif = make_exif(E_CAMERA | E_TEXT));
	WB("webp-exif-thumb.webp", "thumbnail", "thumbnail=EXIF IFD1 thumbnail",
		FALSE, p.exif = make_exif(E_CAMERA | E_THUMB));
	WB("webp-exif-big.webp", "gps,other", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_BIG | E_GPS));
	WB("webp-xmp-place.webp", "place,xmp", N_XMP_PLACE, FALSE,
		p.xmp = make_xmp(X_PLACE | X_ODD));
	WB("webp-xmp-iptcext.webp", "gps,place,xmp", N_XMP_EXT, FALSE,
		p.xmp = make_xmp(X_EXT));
	WB("webp-unknown.webp", "other", "other=WebP chunk 'LOCN'", FALSE,
		p.unknown = TRUE);
	WB("webp-trailer.webp", "other", "other=WebP data after RIFF", FALSE,
		p.trailer = TRUE);
	WB("webp-credit.webp", "xmp", N_CREDIT, TRUE,
		p.exif = make_exif(E_CAMERA | E_CREDIT);
		p.xmp = make_xmp(X_CREDIT));
	WB("webp-everything.webp",
		"gps,place,serial,owner,makernote,thumbnail,freetext,xmp,other",
		N_EXIF_GPS "|" N_EXIF_IDS "|" N_EXIF_TEXT "|" N_XMP_GPS "|" N_XMP_EXT
				   "|" N_CREDIT,
		TRUE,
		p.exif = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);
		p.xmp = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT);
		p.unknown = TRUE; p.trailer = TRUE);
#undef WB
}

static void
heic(const char *name, const HeifParts *p, const char *kinds,
	const char *needles, gboolean credit)
{
	g_autofree char *dir = g_build_filename(outdir, hidden_sub, NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_mkdir_with_parents(dir, 0777);
	hidden(name, make_heic(p, path), kinds, needles, credit);
}

static void
gen_heic(void)
{
	HeifParts p;
#define HF(name, kinds, needles, credit, ...)   \
	do {                                        \
		memset(&p, 0, sizeof(p));               \
		__VA_ARGS__;                            \
		heic(name, &p, kinds, needles, credit); \
		if (p.exif)                             \
			g_bytes_unref(p.exif);              \
		if (p.xmp)                              \
			g_bytes_unref(p.xmp);               \
		if (p.thumb_exif)                       \
			g_bytes_unref(p.thumb_exif);        \
	} while (0)

	HF("heic-exif-gps.heic", "gps", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_GPS));
	HF("heic-exif-ids.heic", "serial,owner", N_EXIF_IDS, FALSE,
		p.exif = make_exif(E_CAMERA | E_IDS));
	HF("heic-exif-text.heic", "freetext,makernote",
		N_EXIF_TEXT "|makernote=EXIF Exif IFD: MakerNote", FALSE,
		p.exif = make_exif(E_CAMERA | E_TEXT | E_MNOTE));
	HF("heic-exif-thumb.heic", "thumbnail", "thumbnail=EXIF IFD1 thumbnail",
		FALSE, p.exif = make_exif(E_CAMERA | E_THUMB));
	HF("heic-exif-big.heic", "gps,other", N_EXIF_GPS, FALSE,
		p.exif = make_exif(E_CAMERA | E_BIG | E_GPS));
	HF("heic-xmp-place.heic", "place,xmp", N_XMP_PLACE, FALSE,
		p.xmp = make_xmp(X_PLACE | X_ODD));
	HF("heic-xmp-iptcext.heic", "gps,place,xmp", N_XMP_EXT "|" N_XMP_GPS,
		FALSE, p.xmp = make_xmp(X_EXT | X_GPS));
	HF("heic-thumb-item.heic", "gps,thumbnail",
		"thumbnail=HEIF thumbnail item|gps=EXIF GPS IFD: GPSLatitude", FALSE,
		p.thumb = TRUE;
		p.thumb_exif = make_exif(E_CAMERA | E_GPS));
	HF("heic-credit.heic", "xmp", N_CREDIT, TRUE,
		p.exif = make_exif(E_CAMERA | E_CREDIT);
		p.xmp = make_xmp(X_CREDIT));
	HF("heic-everything.heic",
		"gps,place,serial,owner,makernote,thumbnail,freetext,xmp",
		N_EXIF_GPS "|" N_EXIF_IDS "|" N_EXIF_TEXT "|" N_XMP_EXT "|" N_XMP_IDS
				   "|" N_CREDIT "|thumbnail=HEIF thumbnail item",
		TRUE,
		p.exif = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);
		p.xmp = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT);
		p.thumb = TRUE; p.thumb_exif = make_exif(E_CAMERA | E_GPS));
#undef HF
}

static void
gen_tiff(void)
{
	TiffParts p;
#define T(name, kinds, needles, credit, ...)                 \
	do {                                                     \
		memset(&p, 0, sizeof(p));                            \
		__VA_ARGS__;                                         \
		hidden(name, make_tiff(&p), kinds, needles, credit); \
		if (p.xmp)                                           \
			g_bytes_unref(p.xmp);                            \
		if (p.iim)                                           \
			g_bytes_unref(p.iim);                            \
		if (p.irb)                                           \
			g_bytes_unref(p.irb);                            \
	} while (0)

	T("tiff-exif-gps.tif", "gps", N_EXIF_GPS "|gps=TIFF IFD0: GPSInfo", FALSE,
		p.exif = E_CAMERA | E_GPS);
	T("tiff-exif-ids.tif", "serial,owner", N_EXIF_IDS, FALSE,
		p.exif = E_CAMERA | E_IDS);
	T("tiff-exif-text.tif", "freetext,makernote",
		"freetext=TIFF IFD0: ImageDescription|freetext=EXIF Exif IFD: UserComment|freetext=TIFF IFD0: XPComment|makernote=EXIF Exif IFD: MakerNote",
		FALSE, p.exif = E_CAMERA | E_TEXT | E_MNOTE);
	T("tiff-xmp-place.tif", "place,xmp",
		"xmp=TIFF IFD0: ApplicationNotes > XMP packet|" N_XMP_PLACE, FALSE,
		p.xmp = make_xmp(X_PLACE | X_ODD));
	T("tiff-iptc.tif", "place,freetext,iptc",
		"iptc=TIFF IFD0: IPTC-NAA|" N_IPTC, FALSE, p.iim = make_iim());
	T("tiff-irb.tif", "place,freetext,thumbnail,iptc",
		"iptc=TIFF IFD0: PhotoshopSettings|thumbnail=Photoshop IRB 0x040c thumbnail|" N_IPTC,
		FALSE, p.irb = make_irb(TRUE, TRUE));
	T("tiff-subifd.tif", "thumbnail", "thumbnail=TIFF IFD0 SubIFD 1", FALSE,
		p.subifd = TRUE);
	T("tiff-page2.tif", "thumbnail", "thumbnail=TIFF IFD1 (another image)",
		FALSE, p.page2 = TRUE);
	T("tiff-credit.tif", "xmp",
		"credit=TIFF IFD0: Artist|credit=TIFF IFD0: Copyright|credit=XMP dc:creator|credit=XMP dc:rights",
		TRUE, p.exif = E_CAMERA | E_CREDIT;
		p.xmp = make_xmp(X_CREDIT));
	T("tiff-everything.tif",
		"gps,place,serial,owner,makernote,thumbnail,freetext,xmp,iptc",
		N_EXIF_GPS "|" N_EXIF_IDS "|" N_XMP_EXT "|" N_IPTC, TRUE,
		p.exif = E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_CREDIT;
		p.xmp = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT);
		p.iim = make_iim(); p.irb = make_irb(FALSE, TRUE); p.subifd = TRUE;
		p.page2 = TRUE);
#undef T
}

/* ---- malformed metadata ---- */

static void
malformed(const char *name, GBytes *b, const char *what)
{
	write_file(malformed_sub, name, b);
	fprintf(malformed_tsv, "%s\t%s\n", name, what);
	g_bytes_unref(b);
}

/* A little-endian TIFF/EXIF structure written byte by byte. */
static void
put16(GByteArray *o, guint16 v)
{
	guint8 b[2] = { (guint8)v, (guint8)(v >> 8) };
	g_byte_array_append(o, b, 2);
}

static void
put32(GByteArray *o, guint32 v)
{
	guint8 b[4];
	le32(b, v);
	g_byte_array_append(o, b, 4);
}

static void
entry(GByteArray *o, guint16 tag, guint16 type, guint32 count, guint32 v)
{
	put16(o, tag);
	put16(o, type);
	put32(o, count);
	put32(o, v);
}

static GBytes *
exif_with(GByteArray *tiff)
{
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, (const guint8 *)"Exif\0\0", 6);
	g_byte_array_append(o, tiff->data, tiff->len);
	g_byte_array_unref(tiff);
	return take(o);
}

/* IFD0 at 8 whose next IFD is itself; the Exif and GPS pointers point
 * back at IFD0 too */
static GBytes *
exif_loop(void)
{
	GByteArray *t = g_byte_array_new();
	g_byte_array_append(t, (const guint8 *)"II*\0", 4);
	put32(t, 8);
	put16(t, 4);
	entry(t, 0x010f, 2, 4, 0x00414141); /* Make "AAA" */
	entry(t, 0x8769, 4, 1, 8);
	entry(t, 0x8825, 4, 1, 8);
	entry(t, 0xa005, 4, 1, 8);
	put32(t, 8); /* next: itself */
	return exif_with(t);
}

/* counts that cannot be: 65535 entries declared, components 0xFFFFFFFF */
static GBytes *
exif_huge(void)
{
	GByteArray *t = g_byte_array_new();
	g_byte_array_append(t, (const guint8 *)"II*\0", 4);
	put32(t, 8);
	put16(t, 0xffff);
	entry(t, 0x010e, 2, 0xffffffff, 26);
	entry(t, 0x8825, 4, 1, 38);
	/* GPS IFD at 38: 3 entries, each too large */
	put16(t, 3);
	entry(t, 0x0002, 5, 0x20000000, 8);
	entry(t, 0x0004, 5, 0xffffffff, 8);
	entry(t, 0x001b, 7, 0x7fffffff, 8);
	put32(t, 0);
	return exif_with(t);
}

/* offsets past the end of the block */
static GBytes *
exif_past_end(void)
{
	GByteArray *t = g_byte_array_new();
	g_byte_array_append(t, (const guint8 *)"MM\0*", 4);
	/* big-endian by hand */
	guint8 h[] = { 0, 0, 0, 8, 0, 3,
		/* ImageDescription, ASCII, 64, at 0x7ffffff0 */
		0x01, 0x0e, 0, 2, 0, 0, 0, 64, 0x7f, 0xff, 0xff, 0xf0,
		/* GPS pointer past the end */
		0x88, 0x25, 0, 4, 0, 0, 0, 1, 0x00, 0x10, 0x00, 0x00,
		/* Exif pointer to the last byte */
		0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 49,
		/* next IFD past the end */
		0xff, 0xff, 0xff, 0x00, 0 };
	g_byte_array_append(t, h, sizeof(h));
	return exif_with(t);
}

static GBytes *
truncated(GBytes *b, gsize keep)
{
	return g_bytes_new_from_bytes(b, 0, MIN(keep, g_bytes_get_size(b)));
}

static GBytes *
str_bytes(const char *s)
{
	return g_bytes_new(s, strlen(s));
}

static void
gen_malformed(void)
{
	JpegParts j;
	g_autoptr(GBytes) good_exif = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);

#define MJ(name, what, ...)                   \
	do {                                      \
		memset(&j, 0, sizeof(j));             \
		__VA_ARGS__;                          \
		malformed(name, make_jpeg(&j), what); \
		if (j.exif)                           \
			g_bytes_unref(j.exif);            \
		if (j.xmp)                            \
			g_bytes_unref(j.xmp);             \
		if (j.irb)                            \
			g_bytes_unref(j.irb);             \
		if (j.raw_app1)                       \
			g_bytes_unref(j.raw_app1);        \
		if (j.raw_after)                      \
			g_bytes_unref(j.raw_after);       \
	} while (0)

	MJ("exif-ifd-loop.jpg", "EXIF IFD loops", j.exif = exif_loop());
	MJ("exif-huge-counts.jpg", "EXIF huge counts", j.exif = exif_huge());
	MJ("exif-past-end.jpg", "EXIF offsets past the end",
		j.exif = exif_past_end());
	MJ("exif-truncated.jpg", "EXIF block cut in half",
		j.exif = truncated(good_exif, g_bytes_get_size(good_exif) / 2));
	MJ("exif-no-tiff.jpg", "EXIF header without TIFF",
		j.exif = str_bytes("Exif\0\0XX"));
	MJ("xmp-unclosed.jpg", "XMP with unclosed elements",
		j.xmp = str_bytes("<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
						  "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
						  "<rdf:Description xmlns:photoshop='http://ns.adobe.com/"
						  "photoshop/1.0/' photoshop:City='Kakuma'><photoshop:State>"
						  "Turkana"));
	MJ("xmp-bad-utf8.jpg", "XMP with invalid UTF-8",
		j.xmp = str_bytes("<x:xmpmeta xmlns:x='adobe:ns:meta/'>\xff\xfe\xc3"
						  "<a b='\x80'/></x:xmpmeta>"));
	MJ("xmp-entities.jpg", "XMP with a DTD and entity bombs",
		j.xmp = str_bytes("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a "
						  "'aaaaaaaaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
						  "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]><x:xmpmeta "
						  "xmlns:x='adobe:ns:meta/'>&c;&c;&c;&unknown;</x:xmpmeta>"));
	{
		/* 5000 levels of nesting */
		GString *s = g_string_new("<x:xmpmeta xmlns:x='adobe:ns:meta/'>");
		for (int i = 0; i < 5000; i++)
			g_string_append(s, "<a:b>");
		for (int i = 0; i < 5000; i++)
			g_string_append(s, "</a:b>");
		g_string_append(s, "</x:xmpmeta>");
		MJ("xmp-deep.jpg", "XMP nested 5000 deep",
			j.xmp = g_bytes_new(s->str, s->len));
		g_string_free(s, TRUE);
	}
	{
		/* IIM: extended length of 0xFFFFFFFF, then a length past the end */
		static const guint8 bad[] = { 0x1c, 2, 90, 0x80, 0x04, 0xff, 0xff,
			0xff, 0xff, 'K', 'a', 'k' };
		GByteArray *i = g_byte_array_new();
		g_byte_array_append(i, bad, sizeof(bad));
		GByteArray *o = g_byte_array_new();
		irb_res(o, 0x0404, i->data, i->len);
		g_byte_array_unref(i);
		MJ("iptc-huge-length.jpg", "IPTC dataset longer than the block",
			j.irb = take(o));
	}
	{
		/* IRB whose size is past the end */
		static const guint8 bad[] = { '8', 'B', 'I', 'M', 4, 4, 0, 0, 0xff,
			0xff, 0xff, 0xf0, 0x1c, 2, 90, 0, 6 };
		MJ("irb-past-end.jpg", "Photoshop IRB size past the end",
			j.irb = g_bytes_new(bad, sizeof(bad)));
	}
	{
		/* an APP1 whose length runs past the end of the file */
		static const guint8 cut[] = { 0xff, 0xd8, 0xff, 0xe1, 0xf0, 0x00, 'E',
			'x', 'i', 'f', 0, 0, 'I', 'I', '*', 0, 8, 0, 0, 0 };
		malformed("segment-past-end.jpg", g_bytes_new(cut, sizeof(cut)),
			"APP1 length past the end of the file");
		/* the same after the image, where a reader may still look */
		MJ("trailer-segment-past-end.jpg", "APP1 cut short after EOI",
			j.raw_after = g_bytes_new(cut, sizeof(cut)));
	}
	{
		/* extended XMP chunks out of range */
		GByteArray *c = g_byte_array_new();
		g_byte_array_append(c, (const guint8 *)XMP_EXT_NS, sizeof(XMP_EXT_NS));
		g_byte_array_append(c,
			(const guint8 *)"0123456789ABCDEF0123456789ABCDEF", 32);
		guint8 v[8] = { 0, 0, 0x10, 0, 0xff, 0xff, 0xff, 0x00 };
		g_byte_array_append(c, v, 8);
		g_byte_array_append(c, (const guint8 *)"<x:xmpmeta>", 11);
		MJ("xmp-extended-bad.jpg", "extended XMP offset out of range",
			j.raw_app1 = take(c));
	}
	{
		/* MPF claiming 2^32-1 images, entries past the end */
		GByteArray *m = g_byte_array_new();
		g_byte_array_append(m, (const guint8 *)"MPF\0II*\0", 8);
		put32(m, 8);
		put16(m, 2);
		entry(m, 0xb001, 4, 1, 0xffffffff);
		entry(m, 0xb002, 7, 0x10000000, 0x00fffff0);
		put32(m, 0);
		GByteArray *o = g_byte_array_new();
		seg(o, 0xe2, m->data, m->len, NULL, 0);
		g_byte_array_unref(m);
		/* spliced by hand: after SOI */
		g_autoptr(GBytes) base = vips_encode(".jpg[Q=85,strip]", W, H);
		GByteArray *f = g_byte_array_new();
		g_byte_array_append(f, g_bytes_get_data(base, NULL), 2);
		g_byte_array_append(f, o->data, o->len);
		g_byte_array_append(f, (const guint8 *)g_bytes_get_data(base, NULL) + 2,
			(guint)g_bytes_get_size(base) - 2);
		g_byte_array_unref(o);
		malformed("mpf-huge.jpg", take(f), "MPF index with 2^32-1 images");
	}
#undef MJ

	/* PNG */
	PngParts p;
	memset(&p, 0, sizeof(p));
	{
		g_autoptr(GBytes) l = exif_loop();
		p.raw_exif = g_bytes_new_from_bytes(l, 6, g_bytes_get_size(l) - 6);
		malformed("png-exif-loop.png", make_png(&p), "eXIf with an IFD loop");
		g_bytes_unref(p.raw_exif);
	}
	memset(&p, 0, sizeof(p));
	p.raw_exif = str_bytes("not a TIFF header at all");
	malformed("png-exif-garbage.png", make_png(&p), "eXIf with garbage");
	g_bytes_unref(p.raw_exif);
	memset(&p, 0, sizeof(p));
	if (!seeds) {
		/* 40 MB of text: over the audit's inflate limit (not a seed: every
		 * fuzz run would inflate it) */
		gsize n = 40u << 20;
		char *z = g_malloc(n);
		memset(z, 'A', n);
		p.ztxt_bomb = g_bytes_new_take(z, n);
		malformed("png-ztxt-bomb.png", make_png(&p),
			"zTXt inflating to 40 MB");
		g_bytes_unref(p.ztxt_bomb);
	}

	/* WebP: an EXIF chunk whose size runs past the end; garbage EXIF */
	WebpParts w;
	memset(&w, 0, sizeof(w));
	{
		guint8 c[16] = { 'E', 'X', 'I', 'F', 0xf0, 0xff, 0xff, 0x0f, 'E', 'x',
			'i', 'f', 0, 0, 'I', 'I' };
		w.raw_chunk = g_bytes_new(c, sizeof(c));
		malformed("webp-chunk-past-end.webp", make_webp(&w),
			"EXIF chunk size past the end");
		g_bytes_unref(w.raw_chunk);
	}
	memset(&w, 0, sizeof(w));
	w.exif = exif_huge();
	malformed("webp-exif-huge.webp", make_webp(&w), "EXIF huge counts");
	g_bytes_unref(w.exif);

	/* HEIC: a looping EXIF; an Exif item whose header offset is absurd */
	HeifParts hp;
	memset(&hp, 0, sizeof(hp));
	g_autofree char *mdir = g_build_filename(outdir, malformed_sub, NULL);
	g_mkdir_with_parents(mdir, 0777);
	{
		hp.exif = exif_loop();
		g_autofree char *path = g_build_filename(mdir, "heic-exif-loop.heic",
			NULL);
		malformed("heic-exif-loop.heic", make_heic(&hp, path),
			"Exif item with an IFD loop");
		g_bytes_unref(hp.exif);
	}
	{
		hp.exif = make_exif(E_CAMERA | E_GPS);
		g_autofree char *path = g_build_filename(mdir, "heic-exif-offset.heic",
			NULL);
		GBytes *b = make_heic(&hp, path);
		g_bytes_unref(hp.exif);
		/* the item starts with the TIFF header's offset: make it absurd */
		gsize n;
		guint8 *d = g_bytes_unref_to_data(b, &n);
		for (gsize i = 4; i + 10 <= n; i++)
			if (!memcmp(d + i, "Exif\0\0II*", 9) || !memcmp(d + i, "II*\0\x08\0", 6)) {
				d[i - 4] = 0xff;
				d[i - 3] = 0xff;
				d[i - 2] = 0xff;
				d[i - 1] = 0xf0;
				break;
			}
		malformed("heic-exif-offset.heic", g_bytes_new_take(d, n),
			"Exif item header offset past the end");
	}

	/* TIFF: IFD0 chains to itself; GPS IFD with a huge count */
	{
		GByteArray *t = g_byte_array_new();
		g_byte_array_append(t, (const guint8 *)"II*\0", 4);
		put32(t, 8 + 48 * 3 * 4);
		/* 48 x 4 RGB strip at 8 */
		guint8 px[48 * 4 * 3];
		memset(px, 200, sizeof(px));
		g_byte_array_append(t, px, sizeof(px));
		guint32 ifd = t->len;
		put16(t, 12);
		entry(t, 256, 4, 1, 48);
		entry(t, 257, 4, 1, 4);
		entry(t, 258, 3, 1, 8);
		entry(t, 259, 3, 1, 1);
		entry(t, 262, 3, 1, 1);
		entry(t, 273, 4, 1, 8);
		entry(t, 277, 3, 1, 1);
		entry(t, 278, 4, 1, 4);
		entry(t, 279, 4, 1, 48 * 4);
		entry(t, 700, 1, 0x00100000, 0x7ffffff0); /* XMP past the end */
		entry(t, 0x8825, 4, 1, ifd + 2 + 12 * 12 + 4);
		entry(t, 33723, 7, 0xffffffff, 16);
		put32(t, ifd);	  /* next: itself */
		put16(t, 0xffff); /* GPS IFD: 65535 entries declared */
		entry(t, 2, 5, 3, 0x7fffff00);
		put32(t, 0);
		malformed("tiff-loops.tif", take(t),
			"TIFF IFD chain loop, huge GPS count, tags past the end");
	}
}

/* Seeds for the EXIF/XMP fuzz target (tests/fuzz/fuzz-exif.c): keep
 * flags, the EXIF length (2 bytes), the EXIF block, the XMP packet. */
static void
exif_seed(const char *name, guint keep, GBytes *exif, GBytes *xmp)
{
	GByteArray *o = g_byte_array_new();
	gsize el = exif ? MIN(g_bytes_get_size(exif), 65535) : 0;
	guint8 h[3] = { (guint8)keep, (guint8)(el >> 8), (guint8)el };
	g_byte_array_append(o, h, 3);
	if (exif)
		g_byte_array_append(o, g_bytes_get_data(exif, NULL), (guint)el);
	if (xmp)
		g_byte_array_append(o, g_bytes_get_data(xmp, NULL),
			(guint)g_bytes_get_size(xmp));
	write_file("exif", name, take(o));
}

static void
gen_exif_seeds(void)
{
	g_autoptr(GBytes) credit = make_exif(E_CAMERA | E_CREDIT);
	g_autoptr(GBytes) all = make_exif(E_CAMERA | E_GPS | E_IDS | E_TEXT | E_MNOTE | E_THUMB | E_CREDIT);
	g_autoptr(GBytes) xcredit = make_xmp(X_CREDIT);
	g_autoptr(GBytes) xall = make_xmp(X_GPS | X_PLACE | X_EXT | X_IDS | X_CREDIT | X_ODD);
	g_autoptr(GBytes) tiff_only = tiff_part(all);
	g_autoptr(GBytes) loop = exif_loop();
	g_autoptr(GBytes) huge = exif_huge();
	g_autoptr(GBytes) past = exif_past_end();
	exif_seed("credit", 7, credit, xcredit);
	exif_seed("everything", 7, all, xall);
	exif_seed("tiff-header-only", 7, tiff_only, NULL);
	exif_seed("ifd-loop", 7, loop, NULL);
	exif_seed("huge-counts", 7, huge, NULL);
	exif_seed("past-end", 4, past, xcredit);
	exif_seed("xmp-only", 1, NULL, xall);
	{
		/* a whole TIFF file (length 0xFFFF: the rest, padded past 64 KiB) */
		TiffParts tp = { E_CAMERA | E_CREDIT | E_GPS | E_IDS };
		g_autoptr(GBytes) t = make_tiff(&tp);
		GByteArray *o = g_byte_array_new();
		g_byte_array_append(o, (const guint8 *)"ÿÿ", 3);
		g_byte_array_append(o, g_bytes_get_data(t, NULL),
			(guint)g_bytes_get_size(t));
		write_file("exif", "tiff-file", take(o));
	}
	/* a whole HEIC after an empty EXIF part: heif_has_transform reads it */
	g_autofree char *tmp = g_build_filename(outdir, "seed.heic", NULL);
	HeifParts hp = { 0 };
	g_autoptr(GBytes) heif = make_heic(&hp, tmp);
	g_unlink(tmp);
	exif_seed("heic", 0, NULL, heif);
}

int
main(int argc, char **argv)
{
	if (VIPS_INIT(argv[0]))
		die("cannot start libvips");
	if (argc == 3 && !strcmp(argv[1], "--seeds")) {
		/* small images: the fuzzers care about the metadata */
		seeds = TRUE;
		W = 24;
		H = 16;
		hidden_sub = malformed_sub = "audit";
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: gen-privacy [--seeds] OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	g_mkdir_with_parents(outdir, 0777);
	pixels = g_malloc((gsize)W * H * 3);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			guint8 *p = pixels + ((gsize)y * W + x) * 3;
			p[0] = (guint8)(x * 255 / W);
			p[1] = (guint8)(y * 255 / H);
			p[2] = ((x / 25 + y / 25) & 1) ? 200 : 40;
		}
	vals_init();

	g_autofree char *ht = g_build_filename(outdir, "hidden.tsv", NULL);
	g_autofree char *mt = g_build_filename(outdir, "malformed.tsv", NULL);
	hidden_tsv = fopen(ht, "w");
	malformed_tsv = fopen(mt, "w");
	if (!hidden_tsv || !malformed_tsv)
		die("cannot write the lists");
	gen_jpeg();
	gen_png();
	gen_webp();
	gen_heic();
	gen_tiff();
	gen_malformed();
	fclose(hidden_tsv);
	fclose(malformed_tsv);
	if (seeds) {
		gen_exif_seeds();
		g_unlink(ht);
		g_unlink(mt);
	}
	g_free(pixels);
	vips_shutdown();
	return 0;
}
