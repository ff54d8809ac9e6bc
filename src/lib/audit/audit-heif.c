/* SPDX-License-Identifier: MIT */
/*
 * audit-heif.c: HEIF/HEIC/AVIF boxes (ISO/IEC 23008-12, ISO BMFF).
 *
 * The meta box lists the items (iinf), where their bytes are (iloc: in the
 * file, often at its very end, or in idat), how they relate (iref) and
 * their properties (iprp). Found here:
 *
 *   Exif items        EXIF (audit-exif.c), after the TIFF header offset
 *   mime items        XMP when application/rdf+xml, else other
 *   thmb references   thumbnail items
 *   auxl references   auxiliary images (depth, gain maps): previews of the
 *                     same frame; an alpha plane is part of the image
 *   other images      neither the primary item nor its grid tiles
 *   colr prof/rICC    an ICC profile
 *
 * Boxes are read with their declared sizes checked against their parent;
 * counts are bounded by what the box can hold and by AUDIT_MAX_ITEMS.
 */
#include "audit-int.h"

#include <string.h>

#define FOURCC(a, b, c, d) \
	(((guint32)(a) << 24) | ((guint32)(b) << 16) | ((guint32)(c) << 8) | (d))
#define MAX_EXTENTS 64

typedef struct {
	guint32 type;
	const guint8 *p, *end; /* payload */
} Box;

typedef struct {
	guint32 id, type;
	gboolean hidden;
	char content_type[64];
	gboolean located, loc_bad;
	guint method;
	guint64 base;
	guint n_ext;
	guint64 *ext;	   /* offset, length pairs */
	guint32 described; /* cdsc target, 0 if none */
} Item;

typedef struct {
	guint32 type, from, to;
} Ref;

typedef struct {
	AuditCtx *a;
	const guint8 *d;
	gsize n;
	GArray *items; /* Item */
	GArray *refs;  /* Ref */
	GArray *props; /* Box, ipco order (index 1 is props[0]) */
	GArray *assoc; /* guint32 pairs: item, property index */
	guint32 primary;
	const guint8 *idat, *idat_end;
	guint aux_lookups; /* bounded: each scans the associations */
} Heif;

static gboolean
box_read(const guint8 **pos, const guint8 *end, Box *b)
{
	const guint8 *p = *pos;
	if (end - p < 8)
		return FALSE;
	guint64 size = audit__be32(p);
	b->type = audit__be32(p + 4);
	gsize header = 8;
	if (size == 1) {
		if (end - p < 16)
			return FALSE;
		size = audit__be64(p + 8);
		header = 16;
	}
	else if (size == 0)
		size = (guint64)(end - p);
	if (size < header || size > (guint64)(end - p))
		return FALSE;
	b->p = p + header;
	b->end = p + size;
	*pos = p + size;
	return TRUE;
}

static char *
fourcc_str(guint32 t)
{
	guint8 c[4] = { t >> 24, t >> 16, t >> 8, t };
	return audit__printable(c, 4);
}

/* A reader over [p, end) that fails once and stays failed. */
typedef struct {
	const guint8 *p, *end;
	gboolean bad;
} Rd;

static guint64
rd_n(Rd *r, guint bytes)
{
	if (r->bad || (gsize)(r->end - r->p) < bytes) {
		r->bad = TRUE;
		return 0;
	}
	guint64 v = 0;
	for (guint i = 0; i < bytes; i++)
		v = (v << 8) | r->p[i];
	r->p += bytes;
	return v;
}

static void
rd_cstr(Rd *r, char *out, gsize outlen)
{
	if (r->bad)
		return;
	const guint8 *z = memchr(r->p, 0, (gsize)(r->end - r->p));
	if (!z) {
		/* some writers omit the last NUL: take the rest */
		z = r->end;
	}
	if (out && outlen) {
		gsize k = MIN((gsize)(z - r->p), outlen - 1);
		memcpy(out, r->p, k);
		out[k] = '\0';
	}
	r->p = z < r->end ? z + 1 : z;
}

static Item *
item_find(Heif *h, guint32 id)
{
	for (guint i = 0; i < h->items->len; i++) {
		Item *it = &g_array_index(h->items, Item, i);
		if (it->id == id)
			return it;
	}
	return NULL;
}

static void
parse_iinf(Heif *h, const Box *b)
{
	Rd r = { b->p, b->end, FALSE };
	guint version = (guint)rd_n(&r, 1);
	rd_n(&r, 3);
	rd_n(&r, version == 0 ? 2 : 4); /* entry_count: the boxes tell */
	const guint8 *q = r.p;
	Box e;
	while (!r.bad && box_read(&q, b->end, &e)) {
		if (e.type != FOURCC('i', 'n', 'f', 'e'))
			continue;
		if (h->items->len >= AUDIT_MAX_ITEMS)
			break;
		Rd s = { e.p, e.end, FALSE };
		guint v = (guint)rd_n(&s, 1);
		guint flags = (guint)rd_n(&s, 3);
		Item it = { 0 };
		it.hidden = flags & 1;
		if (v >= 2) {
			it.id = (guint32)rd_n(&s, v == 2 ? 2 : 4);
			rd_n(&s, 2); /* protection index */
			it.type = (guint32)rd_n(&s, 4);
			rd_cstr(&s, NULL, 0); /* name */
			if (it.type == FOURCC('m', 'i', 'm', 'e'))
				rd_cstr(&s, it.content_type, sizeof(it.content_type));
		}
		else {
			it.id = (guint32)rd_n(&s, 2);
			rd_n(&s, 2);
			rd_cstr(&s, NULL, 0);
			rd_cstr(&s, it.content_type, sizeof(it.content_type));
			it.type = FOURCC('m', 'i', 'm', 'e');
		}
		if (s.bad) {
			audit__add(h->a, ATTACHE_KIND_OTHER, "HEIF item info (damaged)",
				NULL);
			continue;
		}
		if (!item_find(h, it.id))
			g_array_append_val(h->items, it);
	}
}

static void
parse_iloc(Heif *h, const Box *b)
{
	Rd r = { b->p, b->end, FALSE };
	guint version = (guint)rd_n(&r, 1);
	rd_n(&r, 3);
	guint sizes = (guint)rd_n(&r, 2);
	guint off_size = sizes >> 12, len_size = (sizes >> 8) & 15,
		  base_size = (sizes >> 4) & 15,
		  idx_size = version >= 1 ? sizes & 15 : 0;
	for (guint s = 0; s < 4; s++) {
		guint v = s == 0 ? off_size : s == 1 ? len_size
								  : s == 2	 ? base_size
											 : idx_size;
		if (v != 0 && v != 4 && v != 8) {
			audit__add(h->a, ATTACHE_KIND_OTHER,
				"HEIF item locations (damaged)", NULL);
			return;
		}
	}
	guint64 count = rd_n(&r, version < 2 ? 2 : 4);
	for (guint64 i = 0; i < count && !r.bad && i < AUDIT_MAX_ITEMS; i++) {
		guint32 id = (guint32)rd_n(&r, version < 2 ? 2 : 4);
		guint method = 0;
		if (version >= 1)
			method = (guint)rd_n(&r, 2) & 15;
		rd_n(&r, 2); /* data reference index */
		guint64 base = rd_n(&r, base_size);
		guint n_ext = (guint)rd_n(&r, 2);
		Item *it = item_find(h, id);
		guint64 *ext = n_ext ? g_new0(guint64, 2 * MIN(n_ext, MAX_EXTENTS))
							 : NULL;
		for (guint e = 0; e < n_ext && !r.bad; e++) {
			if (idx_size)
				rd_n(&r, idx_size);
			guint64 o = rd_n(&r, off_size), l = rd_n(&r, len_size);
			if (e < MAX_EXTENTS) {
				ext[2 * e] = o;
				ext[2 * e + 1] = l;
			}
		}
		if (r.bad) {
			g_free(ext);
			break;
		}
		if (!it || it->located) {
			g_free(ext);
			continue;
		}
		it->located = TRUE;
		it->method = method;
		it->base = base;
		it->n_ext = MIN(n_ext, MAX_EXTENTS);
		it->ext = ext;
		it->loc_bad = n_ext > MAX_EXTENTS;
	}
	if (r.bad)
		audit__add(h->a, ATTACHE_KIND_OTHER, "HEIF item locations (damaged)",
			NULL);
}

static void
parse_iref(Heif *h, const Box *b)
{
	Rd r = { b->p, b->end, FALSE };
	guint version = (guint)rd_n(&r, 1);
	rd_n(&r, 3);
	const guint8 *q = r.p;
	Box e;
	while (!r.bad && box_read(&q, b->end, &e)) {
		Rd s = { e.p, e.end, FALSE };
		guint32 from = (guint32)rd_n(&s, version == 0 ? 2 : 4);
		guint count = (guint)rd_n(&s, 2);
		for (guint i = 0; i < count && !s.bad; i++) {
			guint32 to = (guint32)rd_n(&s, version == 0 ? 2 : 4);
			if (s.bad || h->refs->len >= 16 * AUDIT_MAX_ITEMS)
				break;
			Ref ref = { e.type, from, to };
			g_array_append_val(h->refs, ref);
		}
	}
}

static void
parse_iprp(Heif *h, const Box *b)
{
	const guint8 *q = b->p;
	Box c;
	while (box_read(&q, b->end, &c)) {
		if (c.type == FOURCC('i', 'p', 'c', 'o')) {
			const guint8 *p = c.p;
			Box prop;
			while (h->props->len < AUDIT_MAX_ITEMS && box_read(&p, c.end, &prop))
				g_array_append_val(h->props, prop);
		}
		else if (c.type == FOURCC('i', 'p', 'm', 'a')) {
			Rd r = { c.p, c.end, FALSE };
			guint version = (guint)rd_n(&r, 1);
			guint flags = (guint)rd_n(&r, 3);
			guint64 count = rd_n(&r, 4);
			for (guint64 i = 0; i < count && !r.bad && i < AUDIT_MAX_ITEMS;
				 i++) {
				guint32 item = (guint32)rd_n(&r, version < 1 ? 2 : 4);
				guint n = (guint)rd_n(&r, 1);
				for (guint j = 0; j < n && !r.bad; j++) {
					guint32 idx = (flags & 1) ? (guint32)rd_n(&r, 2) & 0x7fff
											  : (guint32)rd_n(&r, 1) & 0x7f;
					if (!r.bad && h->assoc->len < 32 * AUDIT_MAX_ITEMS) {
						guint32 pair[2] = { item, idx };
						g_array_append_vals(h->assoc, pair, 2);
					}
				}
			}
		}
	}
}

/* The item's bytes, copied out of the file or idat (several extents are
 * joined). NULL with @why set when they cannot be read. (transfer full) */
static guint8 *
item_data(Heif *h, const Item *it, gsize max, gsize *len, const char **why)
{
	*why = NULL;
	if (!it->located || it->n_ext == 0) {
		*why = "no location";
		return NULL;
	}
	if (it->loc_bad || (it->method != 0 && it->method != 1)) {
		*why = "unsupported location";
		return NULL;
	}
	const guint8 *src = it->method == 1 ? h->idat : h->d;
	gsize src_len = it->method == 1
						? (h->idat ? (gsize)(h->idat_end - h->idat) : 0)
						: h->n;
	if (!src) {
		*why = "no idat";
		return NULL;
	}
	GByteArray *out = g_byte_array_new();
	for (guint e = 0; e < it->n_ext; e++) {
		guint64 off = it->base + it->ext[2 * e], l = it->ext[2 * e + 1];
		if (off < it->base || off > src_len) {
			*why = "data past the end of the file";
			break;
		}
		if (l == 0)
			l = src_len - off;
		if (l > src_len - off) {
			*why = "data past the end of the file";
			break;
		}
		if (l > max - out->len) {
			*why = "too large";
			break;
		}
		g_byte_array_append(out, src + off, (guint)l);
	}
	if (*why) {
		g_byte_array_unref(out);
		return NULL;
	}
	*len = out->len;
	return g_byte_array_free(out, FALSE);
}

static gboolean
is_image_type(guint32 t)
{
	static const guint32 types[] = { FOURCC('h', 'v', 'c', '1'),
		FOURCC('a', 'v', '0', '1'), FOURCC('g', 'r', 'i', 'd'),
		FOURCC('i', 'd', 'e', 'n'), FOURCC('i', 'o', 'v', 'l'),
		FOURCC('j', 'p', 'e', 'g'), FOURCC('u', 'n', 'c', 'i'),
		FOURCC('h', 'v', 't', '1'), FOURCC('j', '2', 'k', '1'),
		FOURCC('v', 'v', 'c', '1'), FOURCC('t', 'm', 'a', 'p'),
		FOURCC('a', 'v', 'c', '1'), FOURCC('m', 's', 'k', ' ') };
	for (guint i = 0; i < G_N_ELEMENTS(types); i++)
		if (types[i] == t)
			return TRUE;
	return FALSE;
}

/* The URN of an item's auxC property, or NULL. */
static char *
aux_type(Heif *h, guint32 id)
{
	if (h->aux_lookups++ > 256)
		return NULL;
	for (guint i = 0; i + 1 < h->assoc->len; i += 2) {
		if (g_array_index(h->assoc, guint32, i) != id)
			continue;
		guint32 idx = g_array_index(h->assoc, guint32, i + 1);
		if (idx == 0 || idx > h->props->len)
			continue;
		Box *p = &g_array_index(h->props, Box, idx - 1);
		if (p->type != FOURCC('a', 'u', 'x', 'C') || p->end - p->p < 5)
			continue;
		gsize n = (gsize)(p->end - p->p) - 4;
		const guint8 *z = memchr(p->p + 4, 0, n);
		return audit__printable(p->p + 4, z ? (gsize)(z - p->p - 4) : n);
	}
	return NULL;
}

/* Index of the item with @id, or -1 (first one wins: ids are unique). */
static int
item_index(GHashTable *ids, guint32 id)
{
	gpointer v;
	if (!g_hash_table_lookup_extended(ids, GUINT_TO_POINTER(id), NULL, &v))
		return -1;
	return GPOINTER_TO_INT(v);
}

/* What each item is to the others: @primary the primary image and its
 * tiles and inputs, however deep; @input a tile or an input of another
 * image; @role its thmb or auxl reference. Also sets each item's cdsc
 * target. The arrays have one slot per item. */
static void
item_roles(Heif *h, gboolean *primary, gboolean *input, guint32 *role)
{
	guint n = h->items->len;
	GHashTable *ids = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < n; i++) {
		Item *it = &g_array_index(h->items, Item, i);
		if (!g_hash_table_contains(ids, GUINT_TO_POINTER(it->id)))
			g_hash_table_insert(ids, GUINT_TO_POINTER(it->id),
				GINT_TO_POINTER((int)i));
		if (it->id == h->primary)
			primary[i] = TRUE;
	}
	for (guint k = 0; k < h->refs->len; k++) {
		Ref *r = &g_array_index(h->refs, Ref, k);
		int from = item_index(ids, r->from), to = item_index(ids, r->to);
		if (from < 0)
			continue;
		if (r->type == FOURCC('t', 'h', 'm', 'b') || r->type == FOURCC('a', 'u', 'x', 'l'))
			role[from] = r->type;
		else if (r->type == FOURCC('c', 'd', 's', 'c'))
			g_array_index(h->items, Item, from).described = r->to;
		else if (r->type == FOURCC('d', 'i', 'm', 'g') && to >= 0)
			input[to] = TRUE; /* a tile, or an input of a derived image */
	}
	/* the primary image's tiles and inputs, however deep: bounded passes */
	for (int pass = 0; pass < 16; pass++) {
		gboolean changed = FALSE;
		for (guint k = 0; k < h->refs->len; k++) {
			Ref *r = &g_array_index(h->refs, Ref, k);
			if (r->type != FOURCC('d', 'i', 'm', 'g'))
				continue;
			int from = item_index(ids, r->from), to = item_index(ids, r->to);
			if (from >= 0 && to >= 0 && primary[from] && !primary[to]) {
				primary[to] = TRUE;
				changed = TRUE;
			}
		}
		if (!changed)
			break;
	}
	g_hash_table_destroy(ids);
}

static gboolean
is_xmp_item(const Item *it)
{
	return it->type == FOURCC('m', 'i', 'm', 'e') && !strcmp(it->content_type, "application/rdf+xml");
}

/* An Exif or XMP item, read as its block. */
static void
report_metadata_item(Heif *h, const Item *it)
{
	AuditCtx *a = h->a;
	gboolean exif = it->type == FOURCC('E', 'x', 'i', 'f');
	const char *why;
	gsize len = 0;
	char *saved;
	g_autofree guint8 *data = item_data(h, it,
		exif ? AUDIT_MAX_EXIF + 4096 : AUDIT_MAX_XMP, &len, &why);
	g_autofree char *label = it->described && it->described != h->primary
								 ? g_strdup_printf("HEIF %s item %u (of item %u)",
									 exif ? "Exif" : "XMP", it->id, it->described)
								 : NULL;
	if (!data) {
		audit__addf(a, ATTACHE_KIND_OTHER, why, "HEIF %s item %u (%s)",
			exif ? "Exif" : "XMP", it->id, "unreadable");
		return;
	}
	if (!audit__enter(a, label, &saved))
		return;
	if (exif) {
		/* 4 bytes: offset of the TIFF header after them */
		guint32 off = len >= 4 ? audit__be32(data) : 0;
		if (len < 4 || off > len - 4)
			audit__addf(a, ATTACHE_KIND_OTHER, NULL,
				"HEIF Exif item %u (damaged header offset)", it->id);
		else
			audit__exif(a, data + 4 + off, len - 4 - off);
	}
	else
		audit__xmp(a, data, len);
	audit__leave(a, saved);
}

/* An image item other than the primary image (and its tiles, inputs and
 * alpha): a thumbnail, a depth or gain map, another picture. */
static void
report_image_item(Heif *h, const Item *it, gboolean input, guint32 role,
	const char *type)
{
	if (role == FOURCC('t', 'h', 'm', 'b'))
		audit__addf(h->a, ATTACHE_KIND_THUMBNAIL, type,
			"HEIF thumbnail item %u", it->id);
	else if (role == FOURCC('a', 'u', 'x', 'l')) {
		g_autofree char *urn = aux_type(h, it->id);
		if (urn && strstr(urn, "alpha"))
			return; /* transparency of its master image */
		audit__addf(h->a, ATTACHE_KIND_THUMBNAIL, urn ? urn : type,
			"HEIF auxiliary image item %u", it->id);
	}
	else if (!input)
		/* tiles and inputs of another image are part of it */
		audit__addf(h->a, ATTACHE_KIND_THUMBNAIL, type,
			"HEIF image item %u (not the primary image)", it->id);
}

static void
report_items(Heif *h)
{
	guint n = h->items->len;
	g_autofree gboolean *primary = g_new0(gboolean, n + 1);
	g_autofree gboolean *input = g_new0(gboolean, n + 1);
	g_autofree guint32 *role = g_new0(guint32, n + 1);

	item_roles(h, primary, input, role);
	for (guint i = 0; i < n; i++) {
		Item *it = &g_array_index(h->items, Item, i);
		g_autofree char *type = fourcc_str(it->type);

		if (it->type == FOURCC('E', 'x', 'i', 'f') || is_xmp_item(it))
			report_metadata_item(h, it);
		else if (it->type == FOURCC('m', 'i', 'm', 'e')) {
			g_autofree char *ct = audit__printable(
				(const guint8 *)it->content_type, strlen(it->content_type));
			audit__addf(h->a, ATTACHE_KIND_OTHER, ct, "HEIF mime item %u",
				it->id);
		}
		else if (is_image_type(it->type)) {
			if (!primary[i])
				report_image_item(h, it, input[i], role[i], type);
		}
		else
			audit__addf(h->a, ATTACHE_KIND_OTHER, type, "HEIF item %u",
				it->id);
	}
}

static void
report_props(Heif *h)
{
	for (guint i = 0; i < h->props->len; i++) {
		Box *p = &g_array_index(h->props, Box, i);
		if (p->type == FOURCC('c', 'o', 'l', 'r') && p->end - p->p >= 4) {
			guint32 ct = audit__be32(p->p);
			if (ct == FOURCC('p', 'r', 'o', 'f') || ct == FOURCC('r', 'I', 'C', 'C')) {
				g_autofree char *w = g_strdup_printf(
					"HEIF colr property %u (ICC)", i + 1);
				audit__icc(h->a, p->p + 4, (gsize)(p->end - p->p - 4), w);
			}
		}
		else if (p->type == FOURCC('u', 'd', 'e', 's')) {
			/* user description: name, description, tags */
			g_autofree char *v = audit__printable(p->p,
				(gsize)(p->end - p->p));
			audit__addf(h->a, ATTACHE_KIND_FREETEXT, v,
				"HEIF udes property %u", i + 1);
		}
	}
}

/* A box of meta other than the four read after it (iinf, iloc, iref,
 * iprp). */
static void
meta_box(Heif *h, const Box *b)
{
	switch (b->type) {
	case FOURCC('p', 'i', 't', 'm'): {
		Rd r = { b->p, b->end, FALSE };
		guint v = (guint)rd_n(&r, 1);
		rd_n(&r, 3);
		h->primary = (guint32)rd_n(&r, v == 0 ? 2 : 4);
		break;
	}
	case FOURCC('i', 'd', 'a', 't'):
		h->idat = b->p;
		h->idat_end = b->end;
		break;
	case FOURCC('h', 'd', 'l', 'r'):
	case FOURCC('d', 'i', 'n', 'f'):
	case FOURCC('g', 'r', 'p', 'l'):
	case FOURCC('f', 'r', 'e', 'e'):
		break;
	default: {
		g_autofree char *t = fourcc_str(b->type);
		audit__addf(h->a, ATTACHE_KIND_OTHER, NULL, "HEIF meta box '%s'", t);
	}
	}
}

static void
parse_meta(Heif *h, const Box *meta)
{
	if (meta->end - meta->p < 4)
		return;
	/* iloc may come before iinf: collect first, then read in order */
	Box iinf = { 0 }, iloc = { 0 }, iref = { 0 }, iprp = { 0 };
	const struct {
		guint32 type;
		Box *box;
	} slots[] = {
		{ FOURCC('i', 'i', 'n', 'f'), &iinf },
		{ FOURCC('i', 'l', 'o', 'c'), &iloc },
		{ FOURCC('i', 'r', 'e', 'f'), &iref },
		{ FOURCC('i', 'p', 'r', 'p'), &iprp },
	};
	const guint8 *q = meta->p + 4; /* full box */
	Box b;
	while (box_read(&q, meta->end, &b)) {
		Box *slot = NULL;
		for (guint i = 0; i < G_N_ELEMENTS(slots); i++)
			if (b.type == slots[i].type)
				slot = slots[i].box;
		if (slot && slot->p) {
			g_autofree char *t = fourcc_str(b.type);
			audit__addf(h->a, ATTACHE_KIND_OTHER, NULL,
				"HEIF second '%s' box (not read)", t);
		}
		else if (slot)
			*slot = b;
		else
			meta_box(h, &b);
	}
	if (q < meta->end)
		audit__add(h->a, ATTACHE_KIND_OTHER, "HEIF meta box (damaged)", NULL);
	if (iinf.p)
		parse_iinf(h, &iinf);
	if (iloc.p)
		parse_iloc(h, &iloc);
	if (iref.p)
		parse_iref(h, &iref);
	if (iprp.p)
		parse_iprp(h, &iprp);
}

AttacheCode
audit__heif(AuditCtx *a, const guint8 *d, gsize n, GError **error)
{
	Heif h = { a, d, n };
	const guint8 *q = d;
	Box b;
	gboolean have_meta = FALSE;
	guint boxes = 0;

	h.items = g_array_new(FALSE, TRUE, sizeof(Item));
	h.refs = g_array_new(FALSE, FALSE, sizeof(Ref));
	h.props = g_array_new(FALSE, FALSE, sizeof(Box));
	h.assoc = g_array_new(FALSE, FALSE, sizeof(guint32));

	while (boxes++ < 100000 && box_read(&q, d + n, &b)) {
		switch (b.type) {
		case FOURCC('m', 'e', 't', 'a'):
			if (!have_meta)
				parse_meta(&h, &b);
			else
				audit__add(a, ATTACHE_KIND_OTHER, "HEIF second meta box",
					NULL);
			have_meta = TRUE;
			break;
		case FOURCC('f', 't', 'y', 'p'):
		case FOURCC('m', 'd', 'a', 't'):
		case FOURCC('f', 'r', 'e', 'e'):
		case FOURCC('s', 'k', 'i', 'p'):
		case FOURCC('w', 'i', 'd', 'e'):
			break;
		default: {
			g_autofree char *t = fourcc_str(b.type);
			g_autofree char *v = g_strdup_printf("%td bytes", b.end - b.p);
			audit__addf(a, ATTACHE_KIND_OTHER, v, "HEIF box '%s'", t);
		}
		}
	}
	if (q < d + n)
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"HEIF data that is not a box (at byte %td)", q - d);

	AttacheCode code = ATTACHE_OK;
	if (!have_meta) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"HEIF file without a meta box: unreadable");
		code = ATTACHE_E_INPUT;
	}
	else {
		report_props(&h);
		report_items(&h);
	}
	for (guint i = 0; i < h.items->len; i++)
		g_free(g_array_index(h.items, Item, i).ext);
	g_array_free(h.items, TRUE);
	g_array_free(h.refs, TRUE);
	g_array_free(h.props, TRUE);
	g_array_free(h.assoc, TRUE);
	return code;
}

/* The ispe (width, height) associated with @item; FALSE when none. */
static gboolean
item_ispe(Heif *h, guint32 item, guint32 *w, guint32 *ht)
{
	for (guint i = 0; i + 1 < h->assoc->len; i += 2) {
		guint32 idx = g_array_index(h->assoc, guint32, i + 1);
		if (g_array_index(h->assoc, guint32, i) != item || idx == 0 || idx > h->props->len)
			continue;
		const Box *p = &g_array_index(h->props, Box, idx - 1);
		if (p->type == FOURCC('i', 's', 'p', 'e') && p->end - p->p >= 12) {
			*w = audit__be32(p->p + 4);
			*ht = audit__be32(p->p + 8);
			return TRUE;
		}
	}
	return FALSE;
}

/* Whether the primary grid's tiles cover what it claims (rows x columns
 * tiles of the first tile's size against the grid's output size and its
 * ispe). NULL when they do; else why not (transfer full). */
static char *
grid_coverage(Heif *h, const Item *grid)
{
	const char *why = NULL;
	gsize len = 0;
	g_autofree guint8 *g = item_data(h, grid, 64, &len, &why);
	if (!g || len < 8)
		return g_strdup_printf("its image grid cannot be read (%s)",
			why ? why : "too short");
	gboolean wide = g[1] & 1;
	if (len < (wide ? 12u : 8u))
		return g_strdup("its image grid is cut short");
	guint64 rows = g[2] + 1u, cols = g[3] + 1u;
	guint64 ow = wide ? audit__be32(g + 4) : audit__be16(g + 4);
	guint64 oh = wide ? audit__be32(g + 8) : audit__be16(g + 6);
	guint32 first = 0, tiles = 0, tw = 0, th = 0, gw = 0, gh = 0;
	for (guint i = 0; i < h->refs->len; i++) {
		const Ref *r = &g_array_index(h->refs, Ref, i);
		if (r->type == FOURCC('d', 'i', 'm', 'g') && r->from == grid->id && tiles++ == 0)
			first = r->to;
	}
	if (tiles != rows * cols)
		return g_strdup_printf("its image grid of %" G_GUINT64_FORMAT " x "
							   "%" G_GUINT64_FORMAT " tiles lists %u",
			cols, rows, tiles);
	if (!item_ispe(h, first, &tw, &th))
		return NULL; /* libheif decides; nothing to compare */
	if (cols * tw < ow || rows * th < oh)
		return g_strdup_printf("its %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT
							   " tiles of %u x %u pixels cover %" G_GUINT64_FORMAT
							   " x %" G_GUINT64_FORMAT ", not the %" G_GUINT64_FORMAT
							   " x %" G_GUINT64_FORMAT " it claims",
			cols, rows, tw, th, cols * tw, rows * th, ow, oh);
	if (item_ispe(h, grid->id, &gw, &gh) && (gw != ow || gh != oh))
		return g_strdup_printf("its grid is %" G_GUINT64_FORMAT
							   " x %" G_GUINT64_FORMAT " pixels but its header "
							   "says %u x %u",
			ow, oh, gw, gh);
	return NULL;
}

char *
attache__heif_check_coverage(const guint8 *d, gsize n)
{
	/* the audit's reader, its findings thrown away */
	AttacheAuditReport r = { 0 };
	r.findings = g_ptr_array_new();
	AuditCtx a = { &r, 0, 0, NULL };
	Heif h = { &a, d, n };
	h.items = g_array_new(FALSE, TRUE, sizeof(Item));
	h.refs = g_array_new(FALSE, FALSE, sizeof(Ref));
	h.props = g_array_new(FALSE, FALSE, sizeof(Box));
	h.assoc = g_array_new(FALSE, FALSE, sizeof(guint32));
	const guint8 *q = d;
	Box b;
	for (guint boxes = 0; boxes++ < 100000 && box_read(&q, d + n, &b);)
		if (b.type == FOURCC('m', 'e', 't', 'a')) {
			parse_meta(&h, &b);
			break;
		}
	char *why = NULL;
	const Item *p = item_find(&h, h.primary);
	if (p && p->type == FOURCC('g', 'r', 'i', 'd'))
		why = grid_coverage(&h, p);
	for (guint i = 0; i < h.items->len; i++)
		g_free(g_array_index(h.items, Item, i).ext);
	g_array_free(h.items, TRUE);
	g_array_free(h.refs, TRUE);
	g_array_free(h.props, TRUE);
	g_array_free(h.assoc, TRUE);
	for (guint i = 0; i < r.findings->len; i++) {
		AttacheFinding *f = r.findings->pdata[i];
		g_free(f->where);
		g_free(f->value);
		g_free(f);
	}
	g_ptr_array_unref(r.findings);
	return why;
}
