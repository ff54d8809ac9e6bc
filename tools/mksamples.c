/* SPDX-License-Identifier: MIT */
/*
 * mksamples.c: draws the project's own sample photos (make samples).
 *
 * Scenes are drawn with libvips; each carries what a field photo carries:
 * EXIF written with libexif (GPS, serial number, owner, a comment naming the
 * place, an IFD1 thumbnail of the whole frame), one stored sideways with
 * Orientation 6, one in Display P3 with the profile embedded, a PNG, a WebP
 * and a HEIC. attache must undo all of it: they are the demo's inputs and a
 * test's.
 *
 *   mksamples OUTDIR
 */
#include <libexif/exif-data.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <vips/vips.h>
#include <zlib.h>

static void
die(const char *what)
{
	fprintf(stderr, "mksamples: %s: %s\n", what, vips_error_buffer());
	exit(1);
}

/* ---- drawing ---- */

/* A vertical gradient from @top to @bottom (RGB), @w x @h. */
static VipsImage *
gradient(int w, int h, const double top[3], const double bottom[3])
{
	VipsImage *y, *t, *bands[3], *out;
	/* ramp 0..1 down the image */
	if (vips_xyz(&t, 1, h, NULL) || vips_extract_band(t, &y, 1, NULL))
		die("xyz");
	g_object_unref(t);
	for (int b = 0; b < 3; b++) {
		VipsImage *r;
		double a = (bottom[b] - top[b]) / (h - 1);
		if (vips_linear1(y, &r, a, top[b], NULL))
			die("linear");
		VipsImage *wide;
		if (vips_embed(r, &wide, 0, 0, w, h, "extend", VIPS_EXTEND_COPY, NULL))
			die("embed");
		g_object_unref(r);
		bands[b] = wide;
	}
	VipsImage *u;
	if (vips_bandjoin(bands, &t, 3, NULL) || vips_cast_uchar(t, &u, NULL) || vips_copy(u, &out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
		die("bandjoin");
	g_object_unref(t);
	g_object_unref(u);
	for (int b = 0; b < 3; b++)
		g_object_unref(bands[b]);
	g_object_unref(y);
	return out;
}

/* Adds film-like noise so the JPEG sizes are those of a photo. */
static VipsImage *
grain(VipsImage *in, double sigma)
{
	VipsImage *n, *sum, *out;
	if (vips_gaussnoise(&n, in->Xsize, in->Ysize, "sigma", sigma, "mean", 0.0,
			NULL)
		|| vips_add(in, n, &sum, NULL) || vips_cast_uchar(sum, &out, NULL))
		die("noise");
	g_object_unref(n);
	g_object_unref(sum);
	return out;
}

static void
rect(VipsImage *im, int x, int y, int w, int h, double r, double g, double b)
{
	double ink[3] = { r, g, b };
	if (vips_draw_rect(im, ink, 3, x, y, w, h, "fill", TRUE, NULL))
		die("rect");
}

static void
circle(VipsImage *im, int cx, int cy, int rad, double r, double g, double b)
{
	double ink[3] = { r, g, b };
	if (vips_draw_circle(im, ink, 3, cx, cy, rad, "fill", TRUE, NULL))
		die("circle");
}

/* A pale board with @text on it in dark letters, at x, y. */
static void
sign(VipsImage **im, const char *text, int x, int y, int height)
{
	VipsImage *t, *black, *ink, *joined, *rgba, *comp, *rgb, *out;
	char *font = g_strdup_printf("DejaVu Sans Bold %d", height);
	if (vips_text(&t, text, "font", font, "dpi", 72, NULL))
		die("text");
	g_free(font);
	rect(*im, x, y, t->Xsize + height, t->Ysize + height / 2, 235, 225, 190);
	double dark[3] = { 35, 30, 30 }, zero[3] = { 0, 0, 0 };
	if (vips_black(&black, t->Xsize, t->Ysize, "bands", 3, NULL) || vips_linear(black, &ink, zero, dark, 3, NULL) || vips_bandjoin2(ink, t, &joined, NULL) || vips_copy(joined, &rgba, "interpretation", VIPS_INTERPRETATION_sRGB, NULL) || vips_composite2(*im, rgba, &comp, VIPS_BLEND_MODE_OVER, "x", x + height / 2, "y", y + height / 4, NULL) || vips_extract_band(comp, &rgb, 0, "n", 3, NULL) || vips_cast_uchar(rgb, &out, NULL))
		die("sign");
	VipsImage *mem = vips_image_copy_memory(out);
	g_object_unref(*im);
	*im = mem;
	g_object_unref(t);
	g_object_unref(black);
	g_object_unref(ink);
	g_object_unref(rgba);
	g_object_unref(comp);
	g_object_unref(joined);
	g_object_unref(rgb);
	g_object_unref(out);
}

static VipsImage *
to_memory(VipsImage *im)
{
	VipsImage *m = vips_image_copy_memory(im);
	if (!m)
		die("memory");
	g_object_unref(im);
	return m;
}

/* A camp by a road: sky, hills, tents, people, a water-point sign. */
static VipsImage *
scene_camp(int w, int h)
{
	double sky_top[3] = { 70, 120, 200 }, sky_bottom[3] = { 185, 210, 235 };
	VipsImage *im = to_memory(gradient(w, h, sky_top, sky_bottom));
	int horizon = h * 55 / 100;
	rect(im, 0, horizon, w, h - horizon, 176, 150, 110);
	/* hills */
	for (int i = 0; i < 5; i++)
		circle(im, w * (i * 2 + 1) / 10, horizon + h / 5, h / 4, 120 - i * 6,
			135 - i * 4, 90);
	rect(im, 0, horizon + h / 8, w, h, 176, 150, 110);
	/* tents in rows */
	for (int row = 0; row < 3; row++)
		for (int i = 0; i < 7; i++) {
			int tw = w / 12, th = h / 14;
			int x = w / 20 + i * w / 7 + row * w / 40;
			int y = horizon + h / 10 + row * h / 9;
			rect(im, x, y, tw, th, 230 - row * 10, 232 - row * 10, 225);
			rect(im, x + tw / 2 - tw / 10, y + th / 3, tw / 5, th * 2 / 3, 60,
				80, 110);
		}
	/* people: skin-toned heads, coloured clothes (attention crop finds them) */
	for (int i = 0; i < 6; i++) {
		int x = w * 58 / 100 + i * w / 28, y = h * 80 / 100;
		circle(im, x, y, h / 60, 140 - i * 10, 95 - i * 5, 70);
		rect(im, x - h / 70, y + h / 60, h / 35, h / 14, 200 - i * 20,
			40 + i * 25, 60 + i * 20);
	}
	sign(&im, "WATER POINT 3", w / 16, h * 62 / 100, h / 22);
	return grain(im, 6);
}

/* A clinic doorway, taller than wide. */
static VipsImage *
scene_doorway(int w, int h)
{
	double top[3] = { 225, 220, 205 }, bottom[3] = { 160, 150, 135 };
	VipsImage *im = to_memory(gradient(w, h, top, bottom));
	rect(im, w / 4, h / 4, w / 2, h * 3 / 4, 70, 95, 120); /* door */
	rect(im, w / 4 - w / 30, h / 4 - h / 40, w / 2 + w / 15, h / 40, 40, 40,
		40);
	circle(im, w * 69 / 100, h * 62 / 100, w / 60, 220, 190, 60); /* handle */
	/* a person by the door */
	circle(im, w / 8 + w / 20, h * 55 / 100, w / 16, 150, 105, 80);
	rect(im, w / 8, h * 55 / 100 + w / 16, w / 10, h * 3 / 10, 30, 110, 170);
	sign(&im, "CLINIC", w * 30 / 100, h / 10, h / 28);
	return grain(im, 5);
}

/* Saturated market stalls: colours outside sRGB once in Display P3. */
static VipsImage *
scene_market(int w, int h)
{
	double top[3] = { 250, 240, 220 }, bottom[3] = { 200, 180, 150 };
	VipsImage *im = to_memory(gradient(w, h, top, bottom));
	const double fruit[][3] = { { 250, 20, 20 }, { 255, 140, 0 },
		{ 30, 200, 40 }, { 250, 220, 0 }, { 200, 0, 120 }, { 0, 120, 255 } };
	for (int row = 0; row < 4; row++)
		for (int i = 0; i < 14; i++) {
			const double *c = fruit[(row + i) % 6];
			circle(im, w / 28 + i * w / 14, h / 5 + row * h / 5, h / 14, c[0],
				c[1], c[2]);
		}
	sign(&im, "MARKET", w / 3, h * 85 / 100, h / 25);
	return grain(im, 4);
}

/* ---- EXIF with libexif ---- */

static ExifEntry *
entry(ExifData *ed, ExifIfd ifd, ExifTag tag, ExifFormat fmt,
	unsigned long n)
{
	ExifEntry *e = exif_entry_new();
	/* the tag first: add_entry refuses a tag already present */
	e->tag = tag;
	e->format = fmt;
	e->components = n;
	e->size = exif_format_get_size(fmt) * n;
	ExifMem *mem = exif_mem_new_default();
	e->data = exif_mem_alloc(mem, e->size);
	exif_mem_unref(mem);
	exif_content_add_entry(ed->ifd[ifd], e);
	exif_entry_unref(e);
	return e;
}

static void
ascii(ExifData *ed, ExifIfd ifd, ExifTag tag, const char *s)
{
	ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_ASCII, strlen(s) + 1);
	memcpy(e->data, s, strlen(s) + 1);
}

static void
short1(ExifData *ed, ExifIfd ifd, ExifTag tag, int v)
{
	ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_SHORT, 1);
	exif_set_short(e->data, exif_data_get_byte_order(ed), (ExifShort)v);
}

static void
rationals(ExifData *ed, ExifIfd ifd, ExifTag tag, const double *v, int n,
	int den)
{
	ExifEntry *e = entry(ed, ifd, tag, EXIF_FORMAT_RATIONAL, n);
	for (int i = 0; i < n; i++) {
		ExifRational r = { (ExifLong)lround(v[i] * den), (ExifLong)den };
		exif_set_rational(e->data + 8 * i, exif_data_get_byte_order(ed), r);
	}
}

static void
gps(ExifData *ed, double lat, double lon, double alt)
{
	ExifEntry *e = entry(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_VERSION_ID,
		EXIF_FORMAT_BYTE, 4);
	memcpy(e->data, "\2\2\0\0", 4);
	ascii(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF, lat >= 0 ? "N" : "S");
	ascii(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF, lon >= 0 ? "E" : "W");
	double a = fabs(lat), o = fabs(lon);
	double dlat[3] = { floor(a), floor(fmod(a * 60, 60)), fmod(a * 3600, 60) };
	double dlon[3] = { floor(o), floor(fmod(o * 60, 60)), fmod(o * 3600, 60) };
	rationals(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE, dlat, 3, 1000);
	rationals(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE, dlon, 3, 1000);
	e = entry(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE_REF, EXIF_FORMAT_BYTE,
		1);
	e->data[0] = 0;
	rationals(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_ALTITUDE, &alt, 1, 10);
}

typedef struct {
	int orientation;
	gboolean gps;
	double lat, lon;
	const char *description;
	VipsImage *thumb_of; /* IFD1 thumbnail of this image, or NULL */
} ExifSpec;

/* The EXIF block as an APP1 payload ("Exif\0\0" + TIFF). */
static unsigned char *
make_exif(const ExifSpec *s, unsigned int *len)
{
	ExifData *ed = exif_data_new();
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_MOTOROLA);

	ascii(ed, EXIF_IFD_0, EXIF_TAG_MAKE, "attache");
	ascii(ed, EXIF_IFD_0, EXIF_TAG_MODEL, "Sample Camera 1");
	ascii(ed, EXIF_IFD_0, EXIF_TAG_ARTIST, "Field Team North");
	ascii(ed, EXIF_IFD_0, EXIF_TAG_COPYRIGHT,
		"(c) 2026 attache authors, MIT licence");
	ascii(ed, EXIF_IFD_0, EXIF_TAG_IMAGE_DESCRIPTION, s->description);
	short1(ed, EXIF_IFD_0, EXIF_TAG_ORIENTATION, s->orientation);
	ascii(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL,
		"2026:03:14 09:26:53");
	ascii(ed, EXIF_IFD_EXIF, (ExifTag)0xa431, "SN-0042-7731"); /* BodySerial */
	ascii(ed, EXIF_IFD_EXIF, (ExifTag)0xa430, "Dr. R. Field"); /* Owner */
	ExifEntry *uc = entry(ed, EXIF_IFD_EXIF, EXIF_TAG_USER_COMMENT,
		EXIF_FORMAT_UNDEFINED, 8 + strlen(s->description));
	memcpy(uc->data, "ASCII\0\0\0", 8);
	memcpy(uc->data + 8, s->description, strlen(s->description));
	if (s->gps)
		gps(ed, s->lat, s->lon, 412.5);

	if (s->thumb_of) {
		/* the uncropped frame, small: what a careless strip leaves behind */
		VipsImage *t;
		void *buf;
		size_t n;
		if (vips_thumbnail_image(s->thumb_of, &t, 160, NULL) || vips_jpegsave_buffer(t, &buf, &n, "Q", 75, "strip", TRUE, NULL))
			die("thumbnail");
		g_object_unref(t);
		ed->data = buf; /* libexif frees it with free() */
		ed->size = (unsigned int)n;
	}

	unsigned char *d = NULL;
	exif_data_save_data(ed, &d, len);
	exif_data_unref(ed);
	return d;
}

/* ---- writing ---- */

static void
write_file(const char *dir, const char *name, const void *d, size_t n)
{
	char *path = g_build_filename(dir, name, NULL);
	GError *error = NULL;
	if (!g_file_set_contents(path, d, (gssize)n, &error)) {
		fprintf(stderr, "mksamples: %s: %s\n", path, error->message);
		exit(1);
	}
	printf("  %s (%zu bytes)\n", path, n);
	g_free(path);
}

/* JPEG: libvips encodes the pixels (strip), the APP1 EXIF goes after SOI and
 * JFIF APP0. */
static void
save_jpeg(VipsImage *im, const char *dir, const char *name,
	const ExifSpec *spec, VipsImage *profile_from)
{
	void *buf;
	size_t n;
	if (vips_jpegsave_buffer(im, &buf, &n, "Q", 88, "strip",
			profile_from ? FALSE : TRUE, NULL))
		die("jpegsave");
	unsigned int elen;
	unsigned char *exif = make_exif(spec, &elen);
	const unsigned char *p = buf;
	size_t pos = 2;
	if (p[2] == 0xff && p[3] == 0xe0)
		pos += 2 + (size_t)(p[4] << 8 | p[5]);
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, p, (guint)pos);
	guint8 h[4] = { 0xff, 0xe1, (guint8)((elen + 2) >> 8),
		(guint8)(elen + 2) };
	g_byte_array_append(o, h, 4);
	g_byte_array_append(o, exif, elen);
	g_byte_array_append(o, p + pos, (guint)(n - pos));
	write_file(dir, name, o->data, o->len);
	g_byte_array_unref(o);
	g_free(buf);
	free(exif);
}

static void
png_chunk(GByteArray *o, const char *type, const void *d, size_t n)
{
	guint8 h[8] = { (guint8)(n >> 24), (guint8)(n >> 16), (guint8)(n >> 8),
		(guint8)n, (guint8)type[0], (guint8)type[1], (guint8)type[2],
		(guint8)type[3] };
	g_byte_array_append(o, h, 8);
	g_byte_array_append(o, d, (guint)n);
	uLong crc = crc32(crc32(0, (const Bytef *)type, 4), d, (uInt)n);
	guint8 c[4] = { (guint8)(crc >> 24), (guint8)(crc >> 16),
		(guint8)(crc >> 8), (guint8)crc };
	g_byte_array_append(o, c, 4);
}

/* PNG: eXIf with GPS and a tEXt comment naming the place, after IHDR. */
static void
save_png(VipsImage *im, const char *dir, const char *name,
	const ExifSpec *spec)
{
	void *buf;
	size_t n;
	if (vips_pngsave_buffer(im, &buf, &n, "strip", TRUE, "compression", 9,
			NULL))
		die("pngsave");
	unsigned int elen;
	unsigned char *exif = make_exif(spec, &elen);
	GByteArray *o = g_byte_array_new();
	g_byte_array_append(o, buf, 33);
	png_chunk(o, "eXIf", exif + 6, elen - 6);
	char text[256];
	int tl = g_snprintf(text, sizeof(text), "Comment%c%s", 0,
		spec->description);
	png_chunk(o, "tEXt", text, (size_t)tl);
	g_byte_array_append(o, (guint8 *)buf + 33, (guint)(n - 33));
	write_file(dir, name, o->data, o->len);
	g_byte_array_unref(o);
	g_free(buf);
	free(exif);
}

/* WebP and HEIC: libvips writes the EXIF (and XMP) it is given. */
static void
save_with_blobs(VipsImage *im, const char *dir, const char *name,
	const ExifSpec *spec, const char *suffix)
{
	VipsImage *c;
	if (vips_copy(im, &c, NULL))
		die("copy");
	unsigned int elen;
	unsigned char *exif = make_exif(spec, &elen);
	vips_image_set_blob_copy(c, VIPS_META_EXIF_NAME, exif, elen);
	const char *xmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
					  "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
					  "<rdf:Description rdf:about=\"\" "
					  "xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" "
					  "photoshop:City=\"Camp Alpha\" photoshop:Country=\"Nowhere\"/>"
					  "</rdf:RDF></x:xmpmeta>";
	vips_image_set_blob_copy(c, VIPS_META_XMP_NAME, xmp, strlen(xmp));
	void *buf;
	size_t n;
	if (vips_image_write_to_buffer(c, suffix, &buf, &n, NULL))
		die(suffix);
	write_file(dir, name, buf, n);
	g_free(buf);
	free(exif);
	g_object_unref(c);
}

int
main(int argc, char **argv)
{
	if (VIPS_INIT(argv[0]))
		vips_error_exit(NULL);
	if (argc != 2) {
		fprintf(stderr, "usage: mksamples OUTDIR\n");
		return 2;
	}
	const char *dir = argv[1];
	g_mkdir_with_parents(dir, 0777);

	/* 1. a landscape camp, GPS, serial, owner, place comment, thumbnail */
	VipsImage *camp = to_memory(scene_camp(2400, 1600));
	ExifSpec s1 = { 1, TRUE, 12.3456, 45.6789, "North gate, Camp Alpha",
		camp };
	save_jpeg(camp, dir, "camp-gps-thumbnail.jpg", &s1, NULL);

	/* 2. a portrait doorway stored sideways: Orientation 6 means "turn 90
	 * degrees clockwise to display", so store it turned the other way */
	VipsImage *door = to_memory(scene_doorway(1400, 2100)), *side;
	if (vips_rot(door, &side, VIPS_ANGLE_D270, NULL))
		die("rot");
	ExifSpec s2 = { 6, TRUE, -1.2921, 36.8219, "Clinic door, Block C",
		NULL };
	save_jpeg(side, dir, "doorway-orientation6.jpg", &s2, NULL);

	/* 3. a market in Display P3 with the profile embedded */
	VipsImage *market = to_memory(scene_market(2000, 1500)), *p3;
	if (vips_icc_transform(market, &p3, "p3", "input_profile", "srgb",
			"intent", VIPS_INTENT_RELATIVE, NULL))
		die("p3");
	ExifSpec s3 = { 1, TRUE, 33.5138, 36.2765, "Old market, east side",
		NULL };
	save_jpeg(p3, dir, "market-display-p3.jpg", &s3, p3);

	/* 4. the doorway as PNG with eXIf GPS and a place in tEXt */
	VipsImage *small_door;
	if (vips_resize(door, &small_door, 0.5, NULL))
		die("resize");
	ExifSpec s4 = { 1, TRUE, 48.8566, 2.3522, "Clinic, Rue de la Paix",
		NULL };
	save_png(small_door, dir, "doorway.png", &s4);

	/* 5. the camp as WebP and HEIC, EXIF + XMP city */
	VipsImage *small_camp;
	if (vips_resize(camp, &small_camp, 0.6, NULL))
		die("resize");
	ExifSpec s5 = { 1, TRUE, 12.3456, 45.6789, "South road, Camp Alpha",
		NULL };
	save_with_blobs(small_camp, dir, "camp.webp", &s5, ".webp[Q=85]");
	save_with_blobs(small_camp, dir, "camp-south-road.heic", &s5, ".heic[Q=60]");

	g_object_unref(camp);
	g_object_unref(door);
	g_object_unref(side);
	g_object_unref(market);
	g_object_unref(p3);
	g_object_unref(small_door);
	g_object_unref(small_camp);
	vips_shutdown();
	return 0;
}
