/* SPDX-License-Identifier: MIT */
/*
 * audit-iptc.c: IPTC-IIM datasets and the Photoshop image resource blocks
 * (IRB, "8BIM") that usually carry them.
 *
 * IIM: 0x1C, record, dataset, 16-bit length (or an extended length of up
 * to 4 bytes), data. IRB: signature, 16-bit id, even-padded Pascal name,
 * 32-bit size, even-padded data. Every length is checked against what is
 * left before it is used; a damaged block ends the walk with an "other"
 * finding, keeping what was read before the damage.
 */
#include "audit-int.h"

#include <string.h>

/* Application record (2:n) datasets, exiftool's names. */
static const struct {
	guint8 ds;
	const char *name;
	guint kind;
} app_record[] = {
	{ 0, "ApplicationRecordVersion", ATTACHE_KIND_IPTC },
	{ 3, "ObjectTypeReference", ATTACHE_KIND_IPTC },
	{ 4, "ObjectAttributeReference", ATTACHE_KIND_IPTC },
	{ 5, "ObjectName", ATTACHE_KIND_FREETEXT },
	{ 7, "EditStatus", ATTACHE_KIND_IPTC },
	{ 10, "Urgency", ATTACHE_KIND_IPTC },
	{ 12, "SubjectReference", ATTACHE_KIND_FREETEXT },
	{ 15, "Category", ATTACHE_KIND_FREETEXT },
	{ 20, "SupplementalCategories", ATTACHE_KIND_FREETEXT },
	{ 22, "FixtureIdentifier", ATTACHE_KIND_FREETEXT },
	{ 25, "Keywords", ATTACHE_KIND_FREETEXT },
	{ 26, "ContentLocationCode", ATTACHE_KIND_PLACE },
	{ 27, "ContentLocationName", ATTACHE_KIND_PLACE },
	{ 30, "ReleaseDate", ATTACHE_KIND_DATETIME },
	{ 35, "ReleaseTime", ATTACHE_KIND_DATETIME },
	{ 37, "ExpirationDate", ATTACHE_KIND_DATETIME },
	{ 38, "ExpirationTime", ATTACHE_KIND_DATETIME },
	{ 40, "SpecialInstructions", ATTACHE_KIND_FREETEXT },
	{ 42, "ActionAdvised", ATTACHE_KIND_IPTC },
	{ 45, "ReferenceService", ATTACHE_KIND_IPTC },
	{ 47, "ReferenceDate", ATTACHE_KIND_DATETIME },
	{ 50, "ReferenceNumber", ATTACHE_KIND_IPTC },
	{ 55, "DateCreated", ATTACHE_KIND_DATETIME },
	{ 60, "TimeCreated", ATTACHE_KIND_DATETIME },
	{ 62, "DigitalCreationDate", ATTACHE_KIND_DATETIME },
	{ 63, "DigitalCreationTime", ATTACHE_KIND_DATETIME },
	{ 65, "OriginatingProgram", ATTACHE_KIND_CAMERA },
	{ 70, "ProgramVersion", ATTACHE_KIND_CAMERA },
	{ 75, "ObjectCycle", ATTACHE_KIND_IPTC },
	{ 80, "By-line", ATTACHE_KIND_CREDIT },
	{ 85, "By-lineTitle", ATTACHE_KIND_CREDIT },
	{ 90, "City", ATTACHE_KIND_PLACE },
	{ 92, "Sub-location", ATTACHE_KIND_PLACE },
	{ 95, "Province-State", ATTACHE_KIND_PLACE },
	{ 100, "Country-PrimaryLocationCode", ATTACHE_KIND_PLACE },
	{ 101, "Country-PrimaryLocationName", ATTACHE_KIND_PLACE },
	{ 103, "OriginalTransmissionReference", ATTACHE_KIND_FREETEXT },
	{ 105, "Headline", ATTACHE_KIND_FREETEXT },
	{ 110, "Credit", ATTACHE_KIND_CREDIT },
	{ 115, "Source", ATTACHE_KIND_CREDIT },
	{ 116, "CopyrightNotice", ATTACHE_KIND_CREDIT },
	{ 118, "Contact", ATTACHE_KIND_OWNER },
	{ 120, "Caption-Abstract", ATTACHE_KIND_FREETEXT },
	{ 121, "LocalCaption", ATTACHE_KIND_FREETEXT },
	{ 122, "Writer-Editor", ATTACHE_KIND_OWNER },
	{ 125, "RasterizedCaption", ATTACHE_KIND_FREETEXT },
	{ 130, "ImageType", ATTACHE_KIND_IPTC },
	{ 131, "ImageOrientation", ATTACHE_KIND_IPTC },
	{ 135, "LanguageIdentifier", ATTACHE_KIND_IPTC },
	{ 150, "AudioType", ATTACHE_KIND_IPTC },
	{ 200, "ObjectPreviewFileFormat", ATTACHE_KIND_THUMBNAIL },
	{ 201, "ObjectPreviewFileVersion", ATTACHE_KIND_THUMBNAIL },
	{ 202, "ObjectPreviewData", ATTACHE_KIND_THUMBNAIL },
};

static void
dataset_name(guint8 rec, guint8 ds, const char **name, guint *kind)
{
	*name = NULL;
	*kind = ATTACHE_KIND_IPTC; /* an IIM dataset: IPTC by definition */
	if (rec == 1 && ds == 90)
		*name = "CodedCharacterSet";
	if (rec != 2)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(app_record); i++)
		if (app_record[i].ds == ds) {
			*name = app_record[i].name;
			*kind = app_record[i].kind;
		}
}

void
audit__iim(AuditCtx *a, const guint8 *d, gsize n)
{
	gsize pos = 0;
	guint count = 0;

	while (pos < n) {
		/* zero padding after the last dataset is common */
		if (d[pos] == 0 && pos + 1 == n)
			break;
		if (d[pos] != 0x1c || n - pos < 5) {
			if (d[pos] == 0 && memchr(d + pos, 0x1c, n - pos) == NULL)
				break; /* trailing zeros */
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"IPTC data (damaged at byte %zu)", pos);
			return;
		}
		guint8 rec = d[pos + 1], ds = d[pos + 2];
		gsize len = audit__be16(d + pos + 3);
		pos += 5;
		if (len & 0x8000) {
			/* extended dataset: the length of the length */
			gsize nb = len & 0x7fff;
			if (nb == 0 || nb > 4 || n - pos < nb) {
				audit__addf(a, ATTACHE_KIND_OTHER, NULL,
					"IPTC %u:%u (damaged length)", rec, ds);
				return;
			}
			len = 0;
			for (gsize i = 0; i < nb; i++)
				len = (len << 8) | d[pos + i];
			pos += nb;
		}
		const char *name;
		guint kind;
		dataset_name(rec, ds, &name, &kind);
		gboolean truncated = len > n - pos;
		gsize have = truncated ? n - pos : len;
		g_autofree char *value = kind == ATTACHE_KIND_THUMBNAIL
									 ? g_strdup_printf("%zu bytes", have)
									 : audit__printable(d + pos, MIN(have, 1024));
		audit__addf(a, kind, value, "IPTC %u:%u%s%s%s", rec, ds,
			name ? " " : "", name ? name : "",
			truncated ? " (truncated)" : "");
		if (truncated)
			return;
		pos += len;
		if (++count > 65536)
			return;
	}
}

static const char *
irb_name(guint16 id)
{
	switch (id) {
	case 0x0404:
		return "IPTC-NAA";
	case 0x0409:
	case 0x040c:
		return "thumbnail";
	case 0x040f:
		return "ICC profile";
	case 0x0422:
	case 0x0423:
		return "EXIF";
	case 0x0424:
		return "XMP";
	default:
		return NULL;
	}
}

/* The signatures an image resource block may start with. */
static gboolean
irb_signature(const guint8 *p)
{
	static const char sigs[][5] = { "8BIM", "PHUT", "AgHg", "DCSR", "MeSa" };
	for (guint i = 0; i < G_N_ELEMENTS(sigs); i++)
		if (memcmp(p, sigs[i], 4) == 0)
			return TRUE;
	return FALSE;
}

void
audit__irb(AuditCtx *a, const guint8 *d, gsize n)
{
	gsize pos = 0;
	guint count = 0;

	while (n - pos >= 12) {
		if (!irb_signature(d + pos)) {
			/* zero padding at the end is common */
			gsize z = pos;
			while (z < n && d[z] == 0)
				z++;
			if (z < n)
				audit__addf(a, ATTACHE_KIND_OTHER, NULL,
					"Photoshop IRB (damaged at byte %zu)", pos);
			return;
		}
		guint16 id = audit__be16(d + pos + 4);
		gsize namelen = d[pos + 6];
		gsize namefield = (1 + namelen + 1) & ~(gsize)1; /* even */
		gsize at = pos + 6 + namefield;
		if (at > n || n - at < 4) {
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"Photoshop IRB 0x%04x (truncated)", id);
			return;
		}
		gsize size = audit__be32(d + at);
		at += 4;
		if (size > n - at) {
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"Photoshop IRB 0x%04x (truncated)", id);
			return;
		}
		const guint8 *res = d + at;
		g_autofree char *where = g_strdup_printf("Photoshop IRB 0x%04x%s%s",
			id, irb_name(id) ? " " : "", irb_name(id) ? irb_name(id) : "");
		char *saved;
		switch (id) {
		case 0x0404:
			if (audit__enter(a, where, &saved)) {
				audit__iim(a, res, size);
				audit__leave(a, saved);
			}
			break;
		case 0x0409:
		case 0x040c: {
			g_autofree char *v = g_strdup_printf("%zu bytes", size);
			audit__add(a, ATTACHE_KIND_THUMBNAIL, where, v);
			break;
		}
		case 0x040f:
			audit__icc(a, res, size, where);
			break;
		case 0x0422:
		case 0x0423:
			if (audit__enter(a, where, &saved)) {
				audit__exif(a, res, size);
				audit__leave(a, saved);
			}
			break;
		case 0x0424:
			if (audit__enter(a, where, &saved)) {
				audit__xmp(a, res, size);
				audit__leave(a, saved);
			}
			break;
		default:
			/* layout, print and slice settings: covered by the IRB
			 * finding of the container, which is never kept */
			break;
		}
		pos = at + size + (size & 1);
		if (pos > n || ++count > 65536)
			return;
	}
}
