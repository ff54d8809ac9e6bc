/* SPDX-License-Identifier: MIT */
/*
 * audit-xmp.c: XMP packets, read with GMarkup.
 *
 * GMarkup knows XML's five entities and character references only: no DTD,
 * no entity expansion, no network. Namespaces are resolved here (a packet
 * may bind any prefix to any URI), and both RDF forms are read: properties
 * as elements and as attributes of rdf:Description (or of a struct).
 *
 * Each top-level property is one finding: its kind from the table below,
 * "other" when the property is unknown. Inside structs and arrays, a field
 * is reported on its own only when it names a place, coordinates, a serial,
 * an owner or free text, so that nothing of that sort hides in an unknown
 * struct (Iptc4xmpExt:LocationCreated/Iptc4xmpExt:City).
 */
#include "audit-int.h"

#include <string.h>

#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_X "adobe:ns:meta/"
#define NS_XML "http://www.w3.org/XML/1998/namespace"

/* URI -> the usual prefix: a packet's own prefixes are not trusted to
 * mean anything */
static const struct {
	const char *uri, *prefix;
} known_ns[] = {
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://ns.adobe.com/exif/1.0/", "exif" },
	{ "http://cipa.jp/exif/1.0/", "exifEX" },
	{ "http://ns.adobe.com/tiff/1.0/", "tiff" },
	{ "http://ns.adobe.com/exif/1.0/aux/", "aux" },
	{ "http://ns.adobe.com/photoshop/1.0/", "photoshop" },
	{ "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "Iptc4xmpCore" },
	{ "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt" },
	{ "http://ns.adobe.com/xap/1.0/", "xmp" },
	{ "http://ns.adobe.com/xap/1.0/rights/", "xmpRights" },
	{ "http://ns.adobe.com/xap/1.0/mm/", "xmpMM" },
	{ "http://ns.adobe.com/xap/1.0/g/img/", "xmpGImg" },
	{ "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "stEvt" },
	{ "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "stRef" },
	{ "http://ns.adobe.com/xmp/note/", "xmpNote" },
	{ "http://ns.adobe.com/camera-raw-settings/1.0/", "crs" },
	{ "http://ns.adobe.com/lightroom/1.0/", "lr" },
	{ "http://ns.adobe.com/pdf/1.3/", "pdf" },
	{ "http://ns.adobe.com/hdr-gain-map/1.0/", "hdrgm" },
	{ "http://ns.microsoft.com/photo/1.0/", "MicrosoftPhoto" },
	{ "http://ns.microsoft.com/photo/1.2/", "MP" },
	{ "http://www.metadataworkinggroup.com/schemas/regions/", "mwg-rs" },
	{ "http://ns.google.com/photos/1.0/camera/", "GCamera" },
	{ "http://ns.google.com/photos/1.0/container/", "Container" },
	{ "http://ns.google.com/photos/1.0/container/item/", "Item" },
	{ "http://ns.google.com/photos/1.0/panorama/", "GPano" },
	{ "http://ns.useplus.org/ldf/xmp/1.0/", "plus" },
	{ "http://ns.apple.com/HDRGainMap/1.0/", "HDRGainMap" },
};

/* (prefix, property) -> kind; "*" matches every property of the prefix,
 * "GPS*" every one starting with GPS. First match wins. */
static const struct {
	const char *prefix, *name;
	guint kind;
} rules[] = {
	/* coordinates wherever they are */
	{ "exif", "GPS*", ATTACHE_KIND_GPS },
	{ "exifEX", "GPS*", ATTACHE_KIND_GPS },
	{ "Iptc4xmpExt", "GPS*", ATTACHE_KIND_GPS },
	/* places */
	{ "photoshop", "City", ATTACHE_KIND_PLACE },
	{ "photoshop", "State", ATTACHE_KIND_PLACE },
	{ "photoshop", "Country", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpCore", "Location", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpCore", "CountryCode", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpCore", "CiAdr*", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "LocationCreated", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "LocationShown", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "City", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "CountryName", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "CountryCode", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "ProvinceState", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "Sublocation", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "WorldRegion", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "LocationName", ATTACHE_KIND_PLACE },
	{ "Iptc4xmpExt", "LocationId", ATTACHE_KIND_PLACE },
	/* serials and owners */
	{ "aux", "SerialNumber", ATTACHE_KIND_SERIAL },
	{ "aux", "LensSerialNumber", ATTACHE_KIND_SERIAL },
	{ "aux", "OwnerName", ATTACHE_KIND_OWNER },
	{ "exifEX", "BodySerialNumber", ATTACHE_KIND_SERIAL },
	{ "exifEX", "LensSerialNumber", ATTACHE_KIND_SERIAL },
	{ "exifEX", "CameraOwnerName", ATTACHE_KIND_OWNER },
	{ "exif", "ImageUniqueID", ATTACHE_KIND_SERIAL },
	{ "exifEX", "ImageUniqueID", ATTACHE_KIND_SERIAL },
	{ "photoshop", "AuthorsPosition", ATTACHE_KIND_OWNER },
	{ "photoshop", "CaptionWriter", ATTACHE_KIND_OWNER },
	{ "Iptc4xmpCore", "CreatorContactInfo", ATTACHE_KIND_OWNER },
	{ "Iptc4xmpCore", "Ci*", ATTACHE_KIND_OWNER },
	/* vendor blobs */
	{ "GCamera", "HdrPlusMakernote", ATTACHE_KIND_MAKERNOTE },
	{ "xmpGImg", "image", ATTACHE_KIND_THUMBNAIL },
	{ "xmp", "Thumbnails", ATTACHE_KIND_THUMBNAIL },
	/* free text */
	{ "dc", "title", ATTACHE_KIND_FREETEXT },
	{ "dc", "description", ATTACHE_KIND_FREETEXT },
	{ "dc", "subject", ATTACHE_KIND_FREETEXT },
	{ "exif", "UserComment", ATTACHE_KIND_FREETEXT },
	{ "tiff", "ImageDescription", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "Headline", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "Instructions", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "TransmissionReference", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "Category", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "SupplementalCategories", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "TextLayers", ATTACHE_KIND_FREETEXT },
	{ "photoshop", "History", ATTACHE_KIND_FREETEXT },
	{ "Iptc4xmpCore", "IntellectualGenre", ATTACHE_KIND_FREETEXT },
	{ "Iptc4xmpCore", "Scene", ATTACHE_KIND_FREETEXT },
	{ "Iptc4xmpCore", "SubjectCode", ATTACHE_KIND_FREETEXT },
	{ "Iptc4xmpExt", "PersonInImage", ATTACHE_KIND_FREETEXT },
	{ "lr", "hierarchicalSubject", ATTACHE_KIND_FREETEXT },
	{ "MicrosoftPhoto", "LastKeywordXMP", ATTACHE_KIND_FREETEXT },
	{ "MicrosoftPhoto", "LastKeywordIPTC", ATTACHE_KIND_FREETEXT },
	{ "mwg-rs", "Regions", ATTACHE_KIND_FREETEXT }, /* named people */
	{ "mwg-rs", "Name", ATTACHE_KIND_FREETEXT },
	{ "mwg-rs", "Description", ATTACHE_KIND_FREETEXT },
	/* what a policy may keep */
	{ "dc", "creator", ATTACHE_KIND_CREDIT },
	{ "dc", "rights", ATTACHE_KIND_CREDIT },
	{ "tiff", "Artist", ATTACHE_KIND_CREDIT },
	{ "tiff", "Copyright", ATTACHE_KIND_CREDIT },
	{ "xmpRights", "*", ATTACHE_KIND_CREDIT },
	{ "photoshop", "Credit", ATTACHE_KIND_CREDIT },
	{ "photoshop", "Source", ATTACHE_KIND_CREDIT },
	{ "Iptc4xmpCore", "AltTextAccessibility", ATTACHE_KIND_ALTTEXT },
	{ "Iptc4xmpCore", "ExtDescrAccessibility", ATTACHE_KIND_ALTTEXT },
	{ "exif", "DateTimeOriginal", ATTACHE_KIND_DATETIME },
	{ "exif", "DateTimeDigitized", ATTACHE_KIND_DATETIME },
	{ "tiff", "DateTime", ATTACHE_KIND_DATETIME },
	{ "xmp", "CreateDate", ATTACHE_KIND_DATETIME },
	{ "xmp", "ModifyDate", ATTACHE_KIND_DATETIME },
	{ "xmp", "MetadataDate", ATTACHE_KIND_DATETIME },
	{ "photoshop", "DateCreated", ATTACHE_KIND_DATETIME },
	{ "xmp", "CreatorTool", ATTACHE_KIND_CAMERA },
	/* technical capture data, whole namespaces */
	{ "exif", "*", ATTACHE_KIND_CAMERA },
	{ "exifEX", "*", ATTACHE_KIND_CAMERA },
	{ "tiff", "*", ATTACHE_KIND_CAMERA },
	{ "aux", "*", ATTACHE_KIND_CAMERA },
};

/* Kinds a nested field is reported for on its own. */
#define NESTED_KINDS \
	(ATTACHE_KIND_GPS | ATTACHE_KIND_PLACE | ATTACHE_KIND_SERIAL | ATTACHE_KIND_OWNER | ATTACHE_KIND_MAKERNOTE | ATTACHE_KIND_FREETEXT | ATTACHE_KIND_THUMBNAIL)

static guint
classify(const char *prefix, const char *name, gboolean *specific)
{
	*specific = FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(rules); i++) {
		if (strcmp(rules[i].prefix, prefix) != 0)
			continue;
		const char *r = rules[i].name;
		gsize rl = strlen(r);
		gboolean match = rl && r[rl - 1] == '*'
							 ? strncmp(r, name, rl - 1) == 0
							 : strcmp(r, name) == 0;
		if (match) {
			*specific = strcmp(r, "*") != 0;
			return rules[i].kind;
		}
	}
	return ATTACHE_KIND_OTHER;
}

typedef struct {
	char *prefix; /* "" for the default namespace */
	char *uri;
	int depth;
} NsDecl;

typedef struct {
	gboolean property;
	int finding;	/* index of this property's finding, or -1 */
	GString *value; /* text collected for that finding */
	gsize path_len; /* path length before this element */
} Frame;

typedef struct {
	AuditCtx *a;
	GArray *ns;		/* NsDecl */
	GArray *frames; /* Frame */
	GString *path;	/* canonical names of the open properties */
	int props;		/* open property elements */
	GHashTable *nested_seen;
	guint events;
} Xmp;

#define XMP_MAX_DEPTH 256
#define XMP_MAX_NS 4096
#define XMP_MAX_EVENTS (1u << 20)

static void
ns_decl_clear(NsDecl *d)
{
	g_free(d->prefix);
	g_free(d->uri);
}

static const char *
ns_lookup(Xmp *x, const char *prefix)
{
	for (guint i = x->ns->len; i > 0; i--) {
		NsDecl *d = &g_array_index(x->ns, NsDecl, i - 1);
		if (strcmp(d->prefix, prefix) == 0)
			return d->uri;
	}
	if (strcmp(prefix, "xml") == 0)
		return NS_XML;
	return NULL;
}

/* "pfx:local" -> the canonical "prefix:local", with the URI; undeclared
 * prefixes are taken at their word (a lenient reader would) */
static char *
canon_name(Xmp *x, const char *qname, const char **uri_out,
	const char **local_out, char **prefix_out)
{
	const char *colon = strchr(qname, ':');
	g_autofree char *prefix = colon ? g_strndup(qname, colon - qname)
									: g_strdup("");
	const char *local = colon ? colon + 1 : qname;
	const char *uri = ns_lookup(x, prefix);
	const char *canon = NULL;
	for (guint i = 0; uri && i < G_N_ELEMENTS(known_ns); i++)
		if (strcmp(known_ns[i].uri, uri) == 0)
			canon = known_ns[i].prefix;
	*uri_out = uri;
	*local_out = local;
	*prefix_out = g_strdup(canon ? canon : prefix);
	return g_strdup_printf("%s:%s", *prefix_out, local);
}

static gboolean
is_syntax(const char *uri, const char *prefix)
{
	if (uri)
		return strcmp(uri, NS_RDF) == 0 || strcmp(uri, NS_X) == 0 || strcmp(uri, NS_XML) == 0;
	/* undeclared: the conventional prefixes */
	return strcmp(prefix, "rdf") == 0 || strcmp(prefix, "x") == 0 || strcmp(prefix, "xml") == 0;
}

/* One property occurrence at nesting level @level (1 = top). Returns the
 * finding index, or -1. */
static int
report(Xmp *x, int level, const char *canon, const char *prefix,
	const char *local, const char *value)
{
	gboolean specific;
	guint kind = classify(prefix, local, &specific);
	g_autofree char *where = NULL;

	if (level <= 1)
		where = g_strdup_printf("XMP %s", canon);
	else {
		if (!specific || !(kind & NESTED_KINDS))
			return -1;
		where = g_strdup_printf("XMP %s%s%s", x->path->str,
			x->path->len ? "/" : "", canon);
		if (g_hash_table_contains(x->nested_seen, where)) {
			x->a->r->kinds |= kind;
			return -1;
		}
		g_hash_table_add(x->nested_seen, g_strdup(where));
	}
	g_autofree char *v = value
							 ? audit__printable((const guint8 *)value, strlen(value))
							 : NULL;
	return audit__add(x->a, kind, where, v);
}

static void
x_start(GMarkupParseContext *c, const char *name, const char **an,
	const char **av, gpointer data, GError **error)
{
	Xmp *x = data;
	int depth = (int)x->frames->len + 1;

	if (depth > XMP_MAX_DEPTH || ++x->events > XMP_MAX_EVENTS) {
		g_set_error_literal(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
			"too deeply nested or too large");
		return;
	}
	/* namespace declarations first: they apply to this element */
	for (int i = 0; an[i]; i++) {
		const char *p = NULL;
		if (strcmp(an[i], "xmlns") == 0)
			p = "";
		else if (g_str_has_prefix(an[i], "xmlns:"))
			p = an[i] + 6;
		if (!p)
			continue;
		if (x->ns->len >= XMP_MAX_NS) {
			g_set_error_literal(error, G_MARKUP_ERROR,
				G_MARKUP_ERROR_INVALID_CONTENT, "too many namespaces");
			return;
		}
		NsDecl d = { g_strdup(p), g_strdup(av[i]), depth };
		g_array_append_val(x->ns, d);
	}

	const char *uri, *local;
	g_autofree char *prefix = NULL;
	g_autofree char *canon = canon_name(x, name, &uri, &local, &prefix);
	Frame f = { FALSE, -1, NULL, x->path->len };

	if (!is_syntax(uri, prefix)) {
		/* a property element */
		f.property = TRUE;
		x->props++;
		f.finding = report(x, x->props, canon, prefix, local, NULL);
		if (f.finding >= 0)
			f.value = g_string_new(NULL);
		if (x->path->len < 512) {
			if (x->path->len)
				g_string_append_c(x->path, '/');
			g_string_append(x->path, canon);
		}
	}
	g_array_append_val(x->frames, f);

	/* attributes that are properties (or struct fields) */
	for (int i = 0; an[i]; i++) {
		if (strcmp(an[i], "xmlns") == 0 || g_str_has_prefix(an[i], "xmlns:"))
			continue;
		const char *auri, *alocal;
		g_autofree char *aprefix = NULL;
		g_autofree char *acanon = canon_name(x, an[i], &auri, &alocal,
			&aprefix);
		if (!*aprefix || is_syntax(auri, aprefix))
			continue; /* rdf:about, rdf:parseType, xml:lang ... */
		report(x, x->props + 1, acanon, aprefix, alocal, av[i]);
	}
}

static void
x_end(GMarkupParseContext *c, const char *name, gpointer data,
	GError **error)
{
	Xmp *x = data;
	if (x->frames->len == 0)
		return;
	int depth = (int)x->frames->len;
	Frame *f = &g_array_index(x->frames, Frame, x->frames->len - 1);
	if (f->property) {
		if (f->finding >= 0 && f->value)
			audit__set_value(x->a, f->finding, f->value->str);
		x->props--;
		g_string_truncate(x->path, f->path_len);
	}
	if (f->value)
		g_string_free(f->value, TRUE);
	g_array_set_size(x->frames, x->frames->len - 1);
	while (x->ns->len > 0 && g_array_index(x->ns, NsDecl, x->ns->len - 1).depth >= depth) {
		ns_decl_clear(&g_array_index(x->ns, NsDecl, x->ns->len - 1));
		g_array_set_size(x->ns, x->ns->len - 1);
	}
}

static void
x_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data,
	GError **error)
{
	Xmp *x = data;
	/* the innermost property with a finding gets the text */
	for (guint i = x->frames->len; i > 0; i--) {
		Frame *f = &g_array_index(x->frames, Frame, i - 1);
		if (!f->value)
			continue;
		if (f->value->len >= 4 * AUDIT_VALUE_CHARS)
			return;
		g_autofree char *t = g_strstrip(g_strndup(text, MIN(len, 1024)));
		if (*t) {
			if (f->value->len)
				g_string_append(f->value, "; ");
			g_string_append(f->value, t);
		}
		return;
	}
}

void
audit__xmp(AuditCtx *a, const guint8 *d, gsize n)
{
	g_autofree char *size = g_strdup_printf("%zu bytes", n);
	audit__add(a, ATTACHE_KIND_XMP, "XMP packet", size);
	if (n > AUDIT_MAX_XMP) {
		audit__add(a, ATTACHE_KIND_OTHER, "XMP packet (too large to read)",
			size);
		return;
	}

	/* the packet ends at the first NUL (some writers pad with them) */
	const guint8 *nul = memchr(d, '\0', n);
	if (nul)
		n = (gsize)(nul - d);
	if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
		d += 3;
		n -= 3;
	}
	const guint8 *lt = memchr(d, '<', n);
	if (!lt) {
		audit__add(a, ATTACHE_KIND_OTHER, "XMP packet (not XML: unreadable)",
			NULL);
		return;
	}
	n -= (gsize)(lt - d);
	d = lt;

	Xmp x = { a };
	x.ns = g_array_new(FALSE, FALSE, sizeof(NsDecl));
	x.frames = g_array_new(FALSE, FALSE, sizeof(Frame));
	x.path = g_string_new(NULL);
	x.nested_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		NULL);

	GMarkupParser parser = { x_start, x_end, x_text, NULL, NULL };
	GMarkupParseContext *ctx = g_markup_parse_context_new(&parser,
		G_MARKUP_TREAT_CDATA_AS_TEXT, &x, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_markup_parse_context_parse(ctx, (const char *)d, (gssize)n,
			&err)
		|| !g_markup_parse_context_end_parse(ctx, &err)) {
		g_autofree char *msg = audit__printable(
			(const guint8 *)err->message, strlen(err->message));
		/* what was read before the damage stands; the rest is unknown */
		audit__add(a, ATTACHE_KIND_OTHER, "XMP packet (malformed)", msg);
	}
	g_markup_parse_context_free(ctx);

	for (guint i = 0; i < x.frames->len; i++) {
		Frame *f = &g_array_index(x.frames, Frame, i);
		if (f->value)
			g_string_free(f->value, TRUE);
	}
	for (guint i = 0; i < x.ns->len; i++)
		ns_decl_clear(&g_array_index(x.ns, NsDecl, i));
	g_array_free(x.ns, TRUE);
	g_array_free(x.frames, TRUE);
	g_string_free(x.path, TRUE);
	g_hash_table_destroy(x.nested_seen);
}
