/* SPDX-License-Identifier: MIT */
/*
 * audit-exif.c: EXIF blocks, decoded with libexif, and the tag table.
 *
 * Every entry libexif loads, in every IFD (IFD0, Exif, GPS, Interop, IFD1),
 * becomes a finding. libexif is told to load tags it does not know and not
 * to "fix" the block to the specification (which would invent entries).
 * The table below gives each tag its kind; a tag not in it is "other".
 * The IFD1 thumbnail is one finding; an IFD chained after IFD1 (which
 * libexif does not read) is found by a bounded walk of the IFD offsets.
 */
#include "audit-int.h"

#include <libexif/exif-data.h>
#include <libexif/exif-mnote-data.h>
#include <string.h>

#define K_GPS ATTACHE_KIND_GPS
#define K_SERIAL ATTACHE_KIND_SERIAL
#define K_OWNER ATTACHE_KIND_OWNER
#define K_MNOTE ATTACHE_KIND_MAKERNOTE
#define K_THUMB ATTACHE_KIND_THUMBNAIL
#define K_TEXT ATTACHE_KIND_FREETEXT
#define K_XMP ATTACHE_KIND_XMP
#define K_IPTC ATTACHE_KIND_IPTC
#define K_OTHER ATTACHE_KIND_OTHER
#define K_CREDIT ATTACHE_KIND_CREDIT
#define K_DATE ATTACHE_KIND_DATETIME
#define K_CAMERA ATTACHE_KIND_CAMERA
#define K_ICC ATTACHE_KIND_ICC
#define K_STRUCT 0 /* how the pixels are stored: not metadata */

/* IFD0 and Exif IFD tags (TIFF 6, EXIF 3.0, DNG, Windows). Names follow
 * exiftool where it differs from the specification's, so a report reads
 * like `exiftool -G1`. */
static const struct {
	guint16 tag;
	const char *name;
	guint kind;
} tags[] = {
	{ 0x000b, "ProcessingSoftware", K_CAMERA },
	{ 0x00fe, "SubfileType", K_STRUCT },
	{ 0x00ff, "OldSubfileType", K_STRUCT },
	{ 0x0100, "ImageWidth", K_STRUCT },
	{ 0x0101, "ImageHeight", K_STRUCT },
	{ 0x0102, "BitsPerSample", K_STRUCT },
	{ 0x0103, "Compression", K_STRUCT },
	{ 0x0106, "PhotometricInterpretation", K_STRUCT },
	{ 0x0107, "Thresholding", K_STRUCT },
	{ 0x010a, "FillOrder", K_STRUCT },
	{ 0x010d, "DocumentName", K_TEXT },
	{ 0x010e, "ImageDescription", K_TEXT },
	{ 0x010f, "Make", K_CAMERA },
	{ 0x0110, "Model", K_CAMERA },
	{ 0x0111, "StripOffsets", K_STRUCT },
	{ 0x0112, "Orientation", K_CAMERA },
	{ 0x0115, "SamplesPerPixel", K_STRUCT },
	{ 0x0116, "RowsPerStrip", K_STRUCT },
	{ 0x0117, "StripByteCounts", K_STRUCT },
	{ 0x0118, "MinSampleValue", K_STRUCT },
	{ 0x0119, "MaxSampleValue", K_STRUCT },
	{ 0x011a, "XResolution", K_CAMERA },
	{ 0x011b, "YResolution", K_CAMERA },
	{ 0x011c, "PlanarConfiguration", K_STRUCT },
	{ 0x011d, "PageName", K_TEXT },
	{ 0x011e, "XPosition", K_STRUCT },
	{ 0x011f, "YPosition", K_STRUCT },
	{ 0x0128, "ResolutionUnit", K_CAMERA },
	{ 0x0129, "PageNumber", K_STRUCT },
	{ 0x012d, "TransferFunction", K_CAMERA },
	{ 0x0131, "Software", K_CAMERA },
	{ 0x0132, "ModifyDate", K_DATE },
	{ 0x013b, "Artist", K_CREDIT },
	{ 0x013c, "HostComputer", K_CAMERA },
	{ 0x013d, "Predictor", K_STRUCT },
	{ 0x013e, "WhitePoint", K_CAMERA },
	{ 0x013f, "PrimaryChromaticities", K_CAMERA },
	{ 0x0140, "ColorMap", K_STRUCT },
	{ 0x0141, "HalftoneHints", K_STRUCT },
	{ 0x0142, "TileWidth", K_STRUCT },
	{ 0x0143, "TileLength", K_STRUCT },
	{ 0x0144, "TileOffsets", K_STRUCT },
	{ 0x0145, "TileByteCounts", K_STRUCT },
	{ 0x014a, "SubIFDs", K_THUMB },
	{ 0x014c, "InkSet", K_STRUCT },
	{ 0x0152, "ExtraSamples", K_STRUCT },
	{ 0x0153, "SampleFormat", K_STRUCT },
	{ 0x015b, "JPEGTables", K_STRUCT },
	{ 0x0200, "JPEGProc", K_STRUCT },
	{ 0x0201, "ThumbnailOffset", K_THUMB },
	{ 0x0202, "ThumbnailLength", K_THUMB },
	{ 0x0211, "YCbCrCoefficients", K_CAMERA },
	{ 0x0212, "YCbCrSubSampling", K_STRUCT },
	{ 0x0213, "YCbCrPositioning", K_CAMERA },
	{ 0x0214, "ReferenceBlackWhite", K_CAMERA },
	{ 0x02bc, "ApplicationNotes", K_XMP }, /* an XMP packet */
	{ 0x4746, "Rating", K_OTHER },
	{ 0x4749, "RatingPercent", K_OTHER },
	{ 0x8298, "Copyright", K_CREDIT },
	{ 0x829a, "ExposureTime", K_CAMERA },
	{ 0x829d, "FNumber", K_CAMERA },
	{ 0x83bb, "IPTC-NAA", K_IPTC },
	{ 0x8649, "PhotoshopSettings", K_IPTC },
	{ 0x8769, "ExifOffset", K_STRUCT },
	{ 0x8773, "ICC_Profile", K_ICC },
	{ 0x8822, "ExposureProgram", K_CAMERA },
	{ 0x8824, "SpectralSensitivity", K_CAMERA },
	{ 0x8825, "GPSInfo", K_GPS },
	{ 0x8827, "ISO", K_CAMERA },
	{ 0x8828, "Opto-ElectricConvFactor", K_CAMERA },
	{ 0x8830, "SensitivityType", K_CAMERA },
	{ 0x8831, "StandardOutputSensitivity", K_CAMERA },
	{ 0x8832, "RecommendedExposureIndex", K_CAMERA },
	{ 0x8833, "ISOSpeed", K_CAMERA },
	{ 0x8834, "ISOSpeedLatitudeyyy", K_CAMERA },
	{ 0x8835, "ISOSpeedLatitudezzz", K_CAMERA },
	{ 0x9000, "ExifVersion", K_CAMERA },
	{ 0x9003, "DateTimeOriginal", K_DATE },
	{ 0x9004, "CreateDate", K_DATE },
	{ 0x9009, "GooglePlusUploadCode", K_OTHER },
	/* the time zone narrows down where: never kept (see exif.c) */
	{ 0x9010, "OffsetTime", K_DATE },
	{ 0x9011, "OffsetTimeOriginal", K_DATE },
	{ 0x9012, "OffsetTimeDigitized", K_DATE },
	{ 0x9101, "ComponentsConfiguration", K_CAMERA },
	{ 0x9102, "CompressedBitsPerPixel", K_CAMERA },
	{ 0x9201, "ShutterSpeedValue", K_CAMERA },
	{ 0x9202, "ApertureValue", K_CAMERA },
	{ 0x9203, "BrightnessValue", K_CAMERA },
	{ 0x9204, "ExposureCompensation", K_CAMERA },
	{ 0x9205, "MaxApertureValue", K_CAMERA },
	{ 0x9206, "SubjectDistance", K_CAMERA },
	{ 0x9207, "MeteringMode", K_CAMERA },
	{ 0x9208, "LightSource", K_CAMERA },
	{ 0x9209, "Flash", K_CAMERA },
	{ 0x920a, "FocalLength", K_CAMERA },
	{ 0x9211, "ImageNumber", K_CAMERA },
	{ 0x9214, "SubjectArea", K_CAMERA },
	{ 0x927c, "MakerNote", K_MNOTE },
	{ 0x9286, "UserComment", K_TEXT },
	{ 0x9290, "SubSecTime", K_DATE },
	{ 0x9291, "SubSecTimeOriginal", K_DATE },
	{ 0x9292, "SubSecTimeDigitized", K_DATE },
	{ 0x9400, "AmbientTemperature", K_CAMERA },
	{ 0x9401, "Humidity", K_CAMERA },
	{ 0x9402, "Pressure", K_CAMERA },
	{ 0x9403, "WaterDepth", K_CAMERA },
	{ 0x9404, "Acceleration", K_CAMERA },
	{ 0x9405, "CameraElevationAngle", K_CAMERA },
	{ 0x9c9b, "XPTitle", K_TEXT },
	{ 0x9c9c, "XPComment", K_TEXT },
	{ 0x9c9d, "XPAuthor", K_OWNER },
	{ 0x9c9e, "XPKeywords", K_TEXT },
	{ 0x9c9f, "XPSubject", K_TEXT },
	{ 0xa000, "FlashpixVersion", K_CAMERA },
	{ 0xa001, "ColorSpace", K_CAMERA },
	{ 0xa002, "ExifImageWidth", K_CAMERA },
	{ 0xa003, "ExifImageHeight", K_CAMERA },
	{ 0xa004, "RelatedSoundFile", K_TEXT },
	{ 0xa005, "InteropOffset", K_STRUCT },
	{ 0xa20b, "FlashEnergy", K_CAMERA },
	{ 0xa20c, "SpatialFrequencyResponse", K_CAMERA },
	{ 0xa20e, "FocalPlaneXResolution", K_CAMERA },
	{ 0xa20f, "FocalPlaneYResolution", K_CAMERA },
	{ 0xa210, "FocalPlaneResolutionUnit", K_CAMERA },
	{ 0xa214, "SubjectLocation", K_CAMERA }, /* pixels, not places */
	{ 0xa215, "ExposureIndex", K_CAMERA },
	{ 0xa217, "SensingMethod", K_CAMERA },
	{ 0xa300, "FileSource", K_CAMERA },
	{ 0xa301, "SceneType", K_CAMERA },
	{ 0xa302, "CFAPattern", K_CAMERA },
	{ 0xa401, "CustomRendered", K_CAMERA },
	{ 0xa402, "ExposureMode", K_CAMERA },
	{ 0xa403, "WhiteBalance", K_CAMERA },
	{ 0xa404, "DigitalZoomRatio", K_CAMERA },
	{ 0xa405, "FocalLengthIn35mmFormat", K_CAMERA },
	{ 0xa406, "SceneCaptureType", K_CAMERA },
	{ 0xa407, "GainControl", K_CAMERA },
	{ 0xa408, "Contrast", K_CAMERA },
	{ 0xa409, "Saturation", K_CAMERA },
	{ 0xa40a, "Sharpness", K_CAMERA },
	{ 0xa40b, "DeviceSettingDescription", K_CAMERA },
	{ 0xa40c, "SubjectDistanceRange", K_CAMERA },
	/* ties photos to one body: a serial in all but name */
	{ 0xa420, "ImageUniqueID", K_SERIAL },
	{ 0xa430, "CameraOwnerName", K_OWNER },
	{ 0xa431, "BodySerialNumber", K_SERIAL },
	{ 0xa432, "LensSpecification", K_CAMERA },
	{ 0xa433, "LensMake", K_CAMERA },
	{ 0xa434, "LensModel", K_CAMERA },
	{ 0xa435, "LensSerialNumber", K_SERIAL },
	{ 0xa436, "ImageTitle", K_TEXT },
	{ 0xa437, "Photographer", K_OWNER },
	{ 0xa438, "ImageEditor", K_OWNER },
	{ 0xa439, "CameraFirmware", K_CAMERA },
	{ 0xa43a, "RAWDevelopingSoftware", K_CAMERA },
	{ 0xa43b, "ImageEditingSoftware", K_CAMERA },
	{ 0xa43c, "MetadataEditingSoftware", K_CAMERA },
	{ 0xa460, "CompositeImage", K_CAMERA },
	{ 0xa461, "CompositeImageCount", K_CAMERA },
	{ 0xa462, "CompositeImageExposureTimes", K_CAMERA },
	{ 0xa500, "Gamma", K_CAMERA },
	{ 0xc4a5, "PrintIM", K_OTHER },
	{ 0xc612, "DNGVersion", K_CAMERA },
	{ 0xc613, "DNGBackwardVersion", K_CAMERA },
	{ 0xc614, "UniqueCameraModel", K_CAMERA },
	{ 0xc615, "LocalizedCameraModel", K_CAMERA },
	{ 0xc62f, "CameraSerialNumber", K_SERIAL },
	{ 0xc634, "DNGPrivateData", K_MNOTE }, /* holds the MakerNote */
	{ 0xea1c, "Padding", K_STRUCT },
	{ 0xea1d, "OffsetSchema", K_CAMERA },
	{ 0xfde8, "OwnerName", K_OWNER },
	{ 0xfde9, "SerialNumber", K_SERIAL },
	{ 0xfdea, "Lens", K_CAMERA },
};

static const char *gps_names[] = { "GPSVersionID", "GPSLatitudeRef",
	"GPSLatitude", "GPSLongitudeRef", "GPSLongitude", "GPSAltitudeRef",
	"GPSAltitude", "GPSTimeStamp", "GPSSatellites", "GPSStatus",
	"GPSMeasureMode", "GPSDOP", "GPSSpeedRef", "GPSSpeed", "GPSTrackRef",
	"GPSTrack", "GPSImgDirectionRef", "GPSImgDirection", "GPSMapDatum",
	"GPSDestLatitudeRef", "GPSDestLatitude", "GPSDestLongitudeRef",
	"GPSDestLongitude", "GPSDestBearingRef", "GPSDestBearing",
	"GPSDestDistanceRef", "GPSDestDistance", "GPSProcessingMethod",
	"GPSAreaInformation", "GPSDateStamp", "GPSDifferential",
	"GPSHPositioningError" };

AuditTag
audit__exif_tag(AuditIfd ifd, guint16 tag)
{
	AuditTag t = { NULL, K_OTHER };
	if (ifd == AUDIT_IFD_GPS) {
		/* everything in the GPS IFD is location, known or not */
		t.kind = K_GPS;
		if (tag < G_N_ELEMENTS(gps_names))
			t.name = gps_names[tag];
		return t;
	}
	if (ifd == AUDIT_IFD_INTEROP || (tag <= 0x0002 || (tag >= 0x1000 && tag <= 0x1002))) {
		/* Interop tags, also when a writer put them in another IFD */
		t.kind = K_CAMERA;
		switch (tag) {
		case 0x0001:
			t.name = "InteropIndex";
			break;
		case 0x0002:
			t.name = "InteropVersion";
			break;
		case 0x1000:
			t.name = "RelatedImageFileFormat";
			break;
		case 0x1001:
			t.name = "RelatedImageWidth";
			break;
		case 0x1002:
			t.name = "RelatedImageHeight";
			break;
		default:
			t.kind = K_OTHER;
		}
		return t;
	}
	/* sorted by tag: binary search */
	guint lo = 0, hi = G_N_ELEMENTS(tags);
	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		if (tags[mid].tag == tag) {
			t.name = tags[mid].name;
			t.kind = tags[mid].kind;
			return t;
		}
		if (tags[mid].tag < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t;
}

static const char *ifd_label[EXIF_IFD_COUNT] = { "EXIF IFD0", "EXIF IFD1",
	"EXIF Exif IFD", "EXIF GPS IFD", "EXIF Interop IFD" };

/* A value to show: text as text, numbers via libexif's own formatting. */
static char *
entry_value(ExifEntry *e)
{
	if (!e->data || e->size == 0)
		return g_strdup("");
	if (e->format == EXIF_FORMAT_ASCII)
		return audit__printable(e->data, MIN(e->size, 4096u));
	if (e->tag == EXIF_TAG_MAKER_NOTE || e->size > 4096)
		return g_strdup_printf("%u bytes", e->size);
	char buf[256] = "";
	exif_entry_get_value(e, buf, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	return audit__printable((const guint8 *)buf, strlen(buf));
}

typedef struct {
	AuditCtx *a;
	ExifIfd ifd;
} ForeachData;

static void
one_entry(ExifEntry *e, void *user)
{
	ForeachData *fd = user;
	AuditCtx *a = fd->a;
	AuditIfd which = fd->ifd == EXIF_IFD_GPS				? AUDIT_IFD_GPS
					 : fd->ifd == EXIF_IFD_INTEROPERABILITY ? AUDIT_IFD_INTEROP
					 : fd->ifd == EXIF_IFD_EXIF				? AUDIT_IFD_EXIF
															: AUDIT_IFD_0;
	AuditTag t = audit__exif_tag(which, (guint16)e->tag);
	char num[16];
	const char *name = t.name;
	if (!name) {
		/* libexif's own name for tags the table lacks, else the number */
		name = exif_tag_get_name_in_ifd(e->tag, fd->ifd);
		if (!name) {
			g_snprintf(num, sizeof(num), "0x%04x", e->tag);
			name = num;
		}
	}
	guint kind = t.kind ? t.kind : K_CAMERA; /* structure in EXIF: odd */

	/* IFD1 describes the thumbnail: one finding for it (below), plus any
	 * entry that would be a finding of its own anywhere */
	if (fd->ifd == EXIF_IFD_1 && !(kind & (K_GPS | K_SERIAL | K_OWNER | K_MNOTE | K_TEXT | K_OTHER)))
		return;

	g_autofree char *where = g_strdup_printf("%s: %s", ifd_label[fd->ifd],
		name);
	if (e->tag == 0x02bc && e->data) {
		audit__add(a, K_XMP, where, NULL);
		char *saved;
		if (audit__enter(a, where, &saved)) {
			audit__xmp(a, e->data, e->size);
			audit__leave(a, saved);
		}
		return;
	}
	if ((e->tag == 0x83bb || e->tag == 0x8649) && e->data) {
		audit__add(a, K_IPTC, where, NULL);
		char *saved;
		if (audit__enter(a, where, &saved)) {
			if (e->tag == 0x83bb)
				audit__iim(a, e->data, e->size);
			else
				audit__irb(a, e->data, e->size);
			audit__leave(a, saved);
		}
		return;
	}
	if (e->tag == 0x8773 && e->data && fd->ifd != EXIF_IFD_GPS) {
		audit__icc(a, e->data, e->size, where);
		return;
	}
	g_autofree char *value = entry_value(e);
	audit__add(a, kind, where, value);
}

/* Inside a MakerNote libexif can decode (Canon, Fuji, Olympus, Pentax,
 * Apple): entries that name an owner, a serial or a place get their own
 * finding, as exiftool lists them (Canon OwnerName, SerialNumber, Pentax
 * HometownCity ...). The rest is covered by the MakerNote finding. */
static void
makernote_entries(AuditCtx *a, ExifData *ed)
{
	ExifMnoteData *md = exif_data_get_mnote_data(ed);
	if (!md)
		return;
	unsigned int count = exif_mnote_data_count(md);
	for (unsigned int i = 0; i < count && i < 4096; i++) {
		const char *name = exif_mnote_data_get_name(md, i);
		if (!name)
			continue;
		guint kind = 0;
		g_autofree char *lower = g_ascii_strdown(name, -1);
		if (strstr(lower, "owner") || strstr(lower, "artist"))
			kind = K_OWNER;
		else if (strstr(lower, "serial"))
			kind = K_SERIAL;
		else if (strstr(lower, "gps"))
			kind = K_GPS;
		else if (strstr(lower, "city") || strstr(lower, "location"))
			kind = ATTACHE_KIND_PLACE;
		if (!kind)
			continue;
		char buf[256] = "";
		exif_mnote_data_get_value(md, i, buf, sizeof(buf) - 1);
		buf[sizeof(buf) - 1] = '\0';
		g_autofree char *v = audit__printable((const guint8 *)buf,
			strlen(buf));
		g_autofree char *n = audit__printable((const guint8 *)name,
			strlen(name));
		audit__addf(a, kind, v, "EXIF MakerNote: %s", n);
	}
}

/* The IFD chain as stored: libexif reads IFD0 and IFD1 only, so a further
 * IFD (another image) is found here. Bounded: offsets must move forward
 * inside the block, at most a few IFDs. */
static void
extra_ifds(AuditCtx *a, const guint8 *t, gsize n)
{
	gboolean le = t[0] == 'I';
	guint32 seen[3] = { 0 };
	guint32 off = le ? audit__le32(t + 4) : audit__be32(t + 4);
	for (int i = 0; i < 3; i++) {
		if (off < 8 || off > n - 2)
			return;
		for (int j = 0; j < i; j++)
			if (seen[j] == off)
				return; /* a loop: nothing new */
		seen[i] = off;
		if (i == 2) {
			audit__add(a, K_THUMB, "EXIF IFD2 (another image)", NULL);
			return;
		}
		guint16 count = le ? audit__le16(t + off) : audit__be16(t + off);
		gsize next_at = (gsize)off + 2 + 12 * (gsize)count;
		if (next_at + 4 > n)
			return;
		off = le ? audit__le32(t + next_at) : audit__be32(t + next_at);
		if (off == 0)
			return;
	}
}

void
audit__exif(AuditCtx *a, const guint8 *d, gsize n)
{
	/* "Exif\0\0" (JPEG APP1, often WebP and PNG too), some writers
	 * "Exif\0\xff", else the TIFF header directly (HEIF, PNG eXIf) */
	if (n >= 6 && memcmp(d, "Exif", 4) == 0 && d[4] == 0) {
		d += 6;
		n -= 6;
	}
	if (n < 8 || (memcmp(d, "II*\0", 4) != 0 && memcmp(d, "MM\0*", 4) != 0)) {
		audit__add(a, K_OTHER, "EXIF block (no TIFF header: unreadable)",
			NULL);
		return;
	}
	if (n > AUDIT_MAX_EXIF) {
		g_autofree char *v = g_strdup_printf("%zu bytes", n);
		audit__add(a, K_OTHER, "EXIF block (too large to read)", v);
		return;
	}

	/* libexif reads the first 64 KiB only (a JPEG segment's limit): past
	 * that, in PNG, WebP and HEIF, an IFD could hide from it. Such blocks
	 * are walked IFD by IFD instead. */
	if (n > 0xfffe - 6) {
		audit__exif_ifds(a, d, n);
		return;
	}

	/* libexif wants the APP1 form */
	guint8 *buf = g_malloc(n + 6);
	memcpy(buf, "Exif\0\0", 6);
	memcpy(buf + 6, d, n);

	ExifData *ed = exif_data_new();
	if (!ed) {
		g_free(buf);
		audit__add(a, K_OTHER, "EXIF block (unreadable)", NULL);
		return;
	}
	exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(ed, buf, (unsigned int)(n + 6));
	g_free(buf);

	guint before = a->r->findings->len + a->dropped;
	static const ExifIfd order[] = { EXIF_IFD_0, EXIF_IFD_EXIF, EXIF_IFD_GPS,
		EXIF_IFD_INTEROPERABILITY, EXIF_IFD_1 };
	for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
		ForeachData fd = { a, order[i] };
		if (ed->ifd[order[i]])
			exif_content_foreach_entry(ed->ifd[order[i]], one_entry, &fd);
	}
	makernote_entries(a, ed);
	if (ed->size > 0) {
		g_autofree char *v = g_strdup_printf("%u bytes", ed->size);
		audit__add(a, K_THUMB, "EXIF IFD1 thumbnail", v);
	}
	else if (ed->ifd[EXIF_IFD_1] && ed->ifd[EXIF_IFD_1]->count > 0)
		audit__add(a, K_THUMB, "EXIF IFD1 thumbnail",
			"IFD1 present, image data unreadable");
	exif_data_unref(ed);

	/* IFD0 declared entries but libexif could read none: the block is
	 * damaged and its content unknown */
	if (a->r->findings->len + a->dropped == before) {
		gboolean le = d[0] == 'I';
		guint32 off = le ? audit__le32(d + 4) : audit__be32(d + 4);
		if (off >= 8 && off <= n - 2 && (le ? audit__le16(d + off) : audit__be16(d + off)) > 0)
			audit__add(a, K_OTHER, "EXIF block (damaged: no entry readable)",
				NULL);
	}
	extra_ifds(a, d, n);
}
