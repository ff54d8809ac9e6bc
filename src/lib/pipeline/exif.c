/* SPDX-License-Identifier: MIT */
/*
 * exif.c: the metadata whitelist, EXIF side.
 *
 * Nothing is deleted from the photo's EXIF: the few entries a keep policy
 * allows are copied, byte for byte, into a block built afresh with libexif.
 * Whatever is not on the list below (GPS, MakerNote, serials, owner names,
 * comments, the IFD1 thumbnail, OffsetTime* which gives away the time zone)
 * cannot reach an output because nothing ever copies it.
 */
#include "private.h"

#include <libexif/exif-data.h>
#include <string.h>

/* What each keep flag lets through: (IFD, tag). */
static const struct {
	guint keep;
	ExifIfd ifd;
	ExifTag tag;
} whitelist[] = {
	{ ATTACHE_KEEP_CREDIT, EXIF_IFD_0, EXIF_TAG_ARTIST },
	{ ATTACHE_KEEP_CREDIT, EXIF_IFD_0, EXIF_TAG_COPYRIGHT },
	{ ATTACHE_KEEP_DATETIME, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_0, EXIF_TAG_MAKE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_0, EXIF_TAG_MODEL },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_TIME },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_FNUMBER },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_PROGRAM },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_ISO_SPEED_RATINGS },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_SHUTTER_SPEED_VALUE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_APERTURE_VALUE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_BIAS_VALUE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_METERING_MODE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_FLASH },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_FOCAL_LENGTH },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF,
		EXIF_TAG_FOCAL_LENGTH_IN_35MM_FILM },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_WHITE_BALANCE },
	{ ATTACHE_KEEP_CAMERA, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_MODE },
};

/* A copied entry; the bytes are in the source's byte order. */
typedef struct {
	ExifIfd ifd;
	ExifTag tag;
	ExifFormat format;
	unsigned long components;
	GBytes *data;
} KeptEntry;

static void
kept_entry_free(KeptEntry *e)
{
	g_bytes_unref(e->data);
	g_free(e);
}

void
attache__kept_free(AttacheKept *k)
{
	if (!k)
		return;
	g_free(k->artist);
	g_free(k->copyright);
	g_free(k->xmp_creator);
	g_free(k->xmp_rights);
	g_free(k->datetime_original);
	g_free(k->make);
	g_free(k->model);
	if (k->exposure)
		g_ptr_array_unref(k->exposure);
	g_free(k);
}

/* libexif wants the APP1 payload ("Exif\0\0" + TIFF); libvips and the HEIF
 * and PNG containers sometimes give the TIFF part alone. */
static ExifData *
exif_open(const guint8 *exif, gsize len)
{
	/* libvips' own bound: anything larger is not a real EXIF block */
	if (!exif || len < 8 || len > (1 << 23))
		return NULL;

	g_autofree guint8 *buf = NULL;
	if (memcmp(exif, "Exif\0\0", 6) != 0 && (memcmp(exif, "II*\0", 4) == 0 || memcmp(exif, "MM\0*", 4) == 0)) {
		buf = g_malloc(len + 6);
		memcpy(buf, "Exif\0\0", 6);
		memcpy(buf + 6, exif, len);
		exif = buf;
		len += 6;
	}
	ExifData *ed = exif_data_new();
	if (!ed)
		return NULL;
	/* read as found: no "fixing" to the spec, which invents entries */
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(ed, exif, (unsigned int)len);
	return ed;
}

/* dc:creator (rdf:Seq of rdf:li) and dc:rights (rdf:Alt, x-default) from
 * an XMP packet, with GMarkup: no DTDs, no entity expansion beyond XML's
 * five, bounded by the packet's size. */
typedef struct {
	int in_creator, in_rights, in_li;
	GString *creator, *rights;
	gboolean rights_done;
} XmpCredit;

static void
xc_start(GMarkupParseContext *c, const char *name, const char **an,
	const char **av, gpointer data, GError **error)
{
	XmpCredit *x = data;
	if (g_str_equal(name, "dc:creator"))
		x->in_creator++;
	else if (g_str_equal(name, "dc:rights"))
		x->in_rights++;
	else if (g_str_equal(name, "rdf:li"))
		x->in_li++;
}

static void
xc_end(GMarkupParseContext *c, const char *name, gpointer data,
	GError **error)
{
	XmpCredit *x = data;
	if (g_str_equal(name, "dc:creator") && x->in_creator)
		x->in_creator--;
	else if (g_str_equal(name, "dc:rights") && x->in_rights) {
		x->in_rights--;
		x->rights_done = TRUE;
	}
	else if (g_str_equal(name, "rdf:li") && x->in_li) {
		x->in_li--;
		if (x->in_creator && x->creator->len && x->creator->str[x->creator->len - 1] != '\n')
			g_string_append_c(x->creator, '\n');
		if (x->in_rights && x->rights->len)
			x->rights_done = TRUE;
	}
}

static void
xc_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data,
	GError **error)
{
	XmpCredit *x = data;
	if (!x->in_li)
		return;
	if (x->in_creator && x->creator->len < 4096)
		g_string_append_len(x->creator, text, (gssize)len);
	else if (x->in_rights && !x->rights_done && x->rights->len < 4096)
		g_string_append_len(x->rights, text, (gssize)len);
}

static void
xmp_credit(const char *xmp, gsize len, AttacheKept *k)
{
	if (!xmp || len == 0 || len > (1 << 22))
		return;
	/* skip to the x:xmpmeta element: the xpacket PI and BOM are fine for
	 * GMarkup, but some writers put junk before it */
	const char *start = g_strstr_len(xmp, (gssize)len, "<x:xmpmeta");
	if (!start)
		start = g_strstr_len(xmp, (gssize)len, "<rdf:RDF");
	if (!start)
		return;
	const char *end = g_strrstr_len(start, (gssize)(xmp + len - start),
		"</x:xmpmeta>");
	gsize n = end ? (gsize)(end - start) + strlen("</x:xmpmeta>")
				  : (gsize)(xmp + len - start);

	GMarkupParser parser = { xc_start, xc_end, xc_text, NULL, NULL };
	XmpCredit x = { 0 };
	x.creator = g_string_new(NULL);
	x.rights = g_string_new(NULL);
	GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, &x,
		NULL);
	/* a malformed packet: keep what was read before the error */
	g_markup_parse_context_parse(ctx, start, (gssize)n, NULL);
	g_markup_parse_context_free(ctx);

	g_strchomp(x.creator->str);
	x.creator->len = strlen(x.creator->str);
	if (x.creator->len && g_utf8_validate(x.creator->str, -1, NULL))
		k->xmp_creator = g_strdup(x.creator->str);
	if (x.rights->len && g_utf8_validate(x.rights->str, -1, NULL))
		k->xmp_rights = g_strdup(x.rights->str);
	g_string_free(x.creator, TRUE);
	g_string_free(x.rights, TRUE);
}

/* Copies one whitelisted entry; numbers are stored in the source's byte
 * order and converted on copy. */
static void
keep_entry(AttacheKept *k, ExifIfd ifd, ExifTag tag, ExifFormat format,
	unsigned long components, const guint8 *data, gsize size,
	ExifByteOrder from)
{
	/* sanity: size must be format x components */
	if (!data || size == 0 || size > 65000 || size != exif_format_get_size(format) * components)
		return;
	KeptEntry *ke = g_new0(KeptEntry, 1);
	ke->ifd = ifd;
	ke->tag = tag;
	ke->format = format;
	ke->components = components;
	guint8 *copy = g_memdup2(data, size);
	if (from != EXIF_BYTE_ORDER_INTEL)
		exif_array_set_byte_order(format, copy, components, from,
			EXIF_BYTE_ORDER_INTEL);
	ke->data = g_bytes_new_take(copy, size);
	g_ptr_array_add(k->exposure, ke);

	/* up to the first NUL; Copyright may hold "photographer\0editor" */
	char *text = format == EXIF_FORMAT_ASCII
					 ? g_strndup((const char *)data, size)
					 : NULL;
	char **slot = tag == EXIF_TAG_ARTIST			   ? &k->artist
				  : tag == EXIF_TAG_COPYRIGHT		   ? &k->copyright
				  : tag == EXIF_TAG_DATE_TIME_ORIGINAL ? &k->datetime_original
				  : tag == EXIF_TAG_MAKE			   ? &k->make
				  : tag == EXIF_TAG_MODEL			   ? &k->model
													   : NULL;
	if (slot && !*slot)
		*slot = g_steal_pointer(&text);
	g_free(text);
}

/* The whitelist from a TIFF file's IFD0 and Exif IFD, read here: libexif
 * reads 64 KiB of a block at most, and a TIFF's IFD0 usually sits at the
 * end of the file. Bounded: entries and data are checked against the
 * file, the Exif IFD is followed once. */
static void
kept_from_tiff(const guint8 *d, gsize n, guint keep, AttacheKept *k)
{
	ExifByteOrder bo = d[0] == 'I' ? EXIF_BYTE_ORDER_INTEL
								   : EXIF_BYTE_ORDER_MOTOROLA;
	guint32 off = exif_get_long(d + 4, bo), exif_ifd = 0;
	for (int pass = 0; pass < 2; pass++) {
		ExifIfd ifd = pass == 0 ? EXIF_IFD_0 : EXIF_IFD_EXIF;
		if (pass == 1)
			off = exif_ifd;
		if (off < 8 || off > n - 2)
			return;
		gsize count = exif_get_short(d + off, bo);
		count = MIN(count, (n - off - 2) / 12);
		for (gsize i = 0; i < count; i++) {
			const guint8 *e = d + off + 2 + 12 * i;
			ExifTag tag = exif_get_short(e, bo);
			ExifFormat format = exif_get_short(e + 2, bo);
			guint32 components = exif_get_long(e + 4, bo);
			if (pass == 0 && tag == EXIF_TAG_EXIF_IFD_POINTER)
				exif_ifd = exif_get_long(e + 8, bo);
			gboolean listed = FALSE;
			for (guint w = 0; w < G_N_ELEMENTS(whitelist); w++)
				if ((keep & whitelist[w].keep) && whitelist[w].ifd == ifd && whitelist[w].tag == tag)
					listed = TRUE;
			guint64 size = (guint64)exif_format_get_size(format) * components;
			if (!listed || size == 0 || size > 65000)
				continue;
			const guint8 *data = e + 8;
			if (size > 4) {
				guint32 at = exif_get_long(e + 8, bo);
				if (at > n || size > n - at)
					continue;
				data = d + at;
			}
			keep_entry(k, ifd, tag, format, components, data, (gsize)size, bo);
		}
	}
}

AttacheKept *
attache__kept_read(const guint8 *exif, gsize exif_len, const char *xmp,
	gsize xmp_len, guint keep)
{
	AttacheKept *k = g_new0(AttacheKept, 1);
	k->exposure = g_ptr_array_new_with_free_func(
		(GDestroyNotify)kept_entry_free);

	if (keep & ATTACHE_KEEP_CREDIT)
		xmp_credit(xmp, xmp_len, k);

	/* a whole TIFF file (load.c): read past libexif's 64 KiB */
	if (exif && exif_len > 0xfffe && (!memcmp(exif, "II*\0", 4) || !memcmp(exif, "MM\0*", 4))) {
		kept_from_tiff(exif, exif_len, keep, k);
		return k;
	}

	ExifData *ed = exif_open(exif, exif_len);
	if (!ed)
		return k;

	for (guint i = 0; i < G_N_ELEMENTS(whitelist); i++) {
		if (!(keep & whitelist[i].keep))
			continue;
		ExifEntry *e = exif_content_get_entry(ed->ifd[whitelist[i].ifd],
			whitelist[i].tag);
		if (e)
			keep_entry(k, whitelist[i].ifd, e->tag, e->format, e->components,
				e->data, e->size, exif_data_get_byte_order(ed));
	}
	exif_data_unref(ed);
	return k;
}

GBytes *
attache__exif_build(const AttacheKept *k)
{
	if (!k || !k->exposure || k->exposure->len == 0)
		return NULL;

	ExifData *ed = exif_data_new();
	/* libexif "fixes" blocks to the spec on save by adding the mandatory
	 * entries (resolution, ExifVersion, ColorSpace ...): not wanted, the
	 * block must hold exactly the whitelist */
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
	exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_INTEL);
	exif_data_set_data_type(ed, EXIF_DATA_TYPE_COMPRESSED);

	for (guint i = 0; i < k->exposure->len; i++) {
		const KeptEntry *ke = k->exposure->pdata[i];
		gsize n;
		const guint8 *d = g_bytes_get_data(ke->data, &n);
		ExifEntry *e = exif_entry_new();
		/* the tag before adding: add_entry refuses a tag already present */
		e->tag = ke->tag;
		e->format = ke->format;
		e->components = ke->components;
		e->size = (unsigned int)n;
		/* libexif frees entry data with its own allocator */
		ExifMem *mem = exif_mem_new_default();
		e->data = exif_mem_alloc(mem, (ExifLong)n);
		exif_mem_unref(mem);
		memcpy(e->data, d, n);
		exif_content_add_entry(ed->ifd[ke->ifd], e);
		exif_entry_unref(e);
	}

	unsigned char *buf = NULL;
	unsigned int len = 0;
	exif_data_save_data(ed, &buf, &len);
	exif_data_unref(ed);
	if (!buf || len <= 6) {
		free(buf);
		return NULL;
	}
	/* drop the "Exif\0\0" APP1 prefix: containers differ about it */
	GBytes *out = g_bytes_new(buf + 6, len - 6);
	free(buf);
	return out;
}

/* Orientation from an EXIF block, for HEIF (libvips drops its field). */
int
attache__exif_orientation(const guint8 *exif, gsize len)
{
	ExifData *ed = exif_open(exif, len);
	if (!ed)
		return 1;
	int o = 1;
	ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0],
		EXIF_TAG_ORIENTATION);
	if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->size >= 2)
		o = exif_get_short(e->data, exif_data_get_byte_order(ed));
	exif_data_unref(ed);
	return o >= 1 && o <= 8 ? o : 1;
}
