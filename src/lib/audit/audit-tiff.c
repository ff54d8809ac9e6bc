/* SPDX-License-Identifier: MIT */
/*
 * audit-tiff.c: TIFF files (and BigTIFF), IFD by IFD.
 *
 * A TIFF file is itself the EXIF structure, so its IFDs are walked here
 * with the same tag table as EXIF blocks (audit-exif.c): IFD0 is the
 * image, further IFDs in the chain and SubIFDs are other images (previews,
 * thumbnails), the Exif, GPS and Interop IFDs hang off pointer tags, and
 * IFD0 may carry XMP (tag 700), IPTC-NAA (33723), Photoshop IRB (34377) and
 * an ICC profile (34675).
 *
 * The same walk reads EXIF blocks too large for libexif (audit-exif.c).
 *
 * Bounded: IFD offsets are checked against the file, every IFD is read at
 * most once (loops end there), at most AUDIT_MAX_IFDS IFDs and
 * AUDIT_MAX_IFD_ENTRIES entries each, counts x sizes checked for overflow.
 */
#include "audit-int.h"

#include <string.h>

typedef enum {
	T_IMAGE, /* an image IFD: IFD0, the chain, SubIFDs */
	T_EXIF,
	T_GPS,
	T_INTEROP,
} TKind;

typedef struct {
	guint64 offset;
	TKind kind;
	char *label; /* "TIFF IFD0", "EXIF GPS IFD" ... */
	int chain;	 /* position in the IFD0 chain, -1 otherwise */
} TIfd;

typedef struct {
	AuditCtx *a;
	const guint8 *d;
	gsize n;
	gboolean le, big;
	gboolean exif; /* an EXIF block (audit-exif.c), not a file */
	GArray *queue; /* TIfd */
	GHashTable *seen;
} Tiff;

static guint64
rd(Tiff *t, gsize off, guint bytes)
{
	const guint8 *p = t->d + off;
	switch (bytes) {
	case 1:
		return p[0];
	case 2:
		return t->le ? audit__le16(p) : audit__be16(p);
	case 4:
		return t->le ? audit__le32(p) : audit__be32(p);
	default:
		return t->le ? audit__le64(p) : audit__be64(p);
	}
}

static guint
type_size(guint type)
{
	switch (type) {
	case 1: /* BYTE */
	case 2: /* ASCII */
	case 6: /* SBYTE */
	case 7: /* UNDEFINED */
		return 1;
	case 3: /* SHORT */
	case 8: /* SSHORT */
		return 2;
	case 4:	 /* LONG */
	case 9:	 /* SLONG */
	case 11: /* FLOAT */
	case 13: /* IFD */
		return 4;
	case 5:	 /* RATIONAL */
	case 10: /* SRATIONAL */
	case 12: /* DOUBLE */
	case 16: /* LONG8 */
	case 17: /* SLONG8 */
	case 18: /* IFD8 */
		return 8;
	default:
		return 0;
	}
}

static void
queue(Tiff *t, guint64 offset, TKind kind, int chain, const char *label)
{
	if (t->queue->len >= AUDIT_MAX_IFDS) {
		audit__add(t->a, ATTACHE_KIND_OTHER, "TIFF (too many IFDs to read)",
			NULL);
		return;
	}
	if (offset < 8 || offset >= t->n) {
		audit__addf(t->a, ATTACHE_KIND_OTHER, NULL,
			"%s (offset past the end of the file)", label);
		return;
	}
	TIfd i = { offset, kind, g_strdup(label), chain };
	g_array_append_val(t->queue, i);
}

/* A short rendering of an entry's value: text, or a few numbers. */
static char *
value_of(Tiff *t, guint type, guint64 count, gsize at, gsize size)
{
	if (type == 2 || type == 7)
		return audit__printable(t->d + at, MIN(size, 4096));
	guint ts = type_size(type);
	GString *s = g_string_new(NULL);
	for (guint64 i = 0; i < count && i < 4; i++) {
		gsize o = at + i * ts;
		if (s->len)
			g_string_append_c(s, ' ');
		if (type == 5 || type == 10) {
			guint64 num = rd(t, o, 4), den = rd(t, o + 4, 4);
			if (type == 10)
				g_string_append_printf(s, "%d/%d", (gint32)num, (gint32)den);
			else
				g_string_append_printf(s, "%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, num, den);
		}
		else if (ts == 1 || ts == 2 || ts == 4 || ts == 8)
			g_string_append_printf(s, "%" G_GUINT64_FORMAT, rd(t, o, ts));
	}
	if (count > 4)
		g_string_append(s, " ...");
	return g_string_free(s, FALSE);
}

/* One IFD entry, and where its value is when that is inside the file. */
typedef struct {
	guint16 tag;
	guint type, ts; /* the type and the size of one value */
	guint64 n;		/* the number of values */
	gboolean have;	/* the value lies inside the file, at @at */
	gsize at, size;
	const char *where; /* "TIFF IFD0: Artist" (borrowed) */
} TEntry;

/* What an EXIF IFD1 (the thumbnail's) lists: only what would be a finding
 * anywhere; the thumbnail itself is one finding of its own. */
#define THUMB_IFD_KINDS \
	(ATTACHE_KIND_GPS | ATTACHE_KIND_SERIAL | ATTACHE_KIND_OWNER | ATTACHE_KIND_MAKERNOTE | ATTACHE_KIND_FREETEXT | ATTACHE_KIND_OTHER)

/* Reads the entry at @e into @x (all but @x->where). */
static void
read_entry(Tiff *t, gsize e, TEntry *x)
{
	guint val_size = t->big ? 8 : 4;
	gsize vo = e + 4 + val_size;

	x->tag = (guint16)rd(t, e, 2);
	x->type = (guint)rd(t, e + 2, 2);
	x->n = rd(t, e + 4, val_size);
	x->ts = type_size(x->type);
	x->have = FALSE;
	x->at = x->size = 0;
	if (!x->ts || x->n > G_MAXUINT32)
		return;
	guint64 sz = x->n * x->ts;
	if (sz <= val_size) {
		x->have = TRUE;
		x->at = vo;
		x->size = (gsize)sz;
		return;
	}
	guint64 p = rd(t, vo, val_size);
	if (p <= t->n && sz <= t->n - p) {
		x->have = TRUE;
		x->at = (gsize)p;
		x->size = (gsize)sz;
	}
}

/* Queues the IFD that a pointer tag in an image or Exif IFD names.
 * Returns TRUE when @x was such a tag. */
static gboolean
follow_pointer(Tiff *t, const TIfd *ifd, const TEntry *x)
{
	if (ifd->kind != T_IMAGE && ifd->kind != T_EXIF)
		return FALSE;
	guint64 ptr = x->have && x->size >= 4
					  ? rd(t, x->at, x->size >= 8 && t->big ? 8 : 4)
					  : 0;
	if (x->tag == 0x8769 && ifd->kind == T_IMAGE) {
		queue(t, ptr, T_EXIF, -1, "EXIF Exif IFD");
		return TRUE;
	}
	if (x->tag == 0x8825) {
		audit__add(t->a, ATTACHE_KIND_GPS, x->where, NULL);
		queue(t, ptr, T_GPS, -1, "EXIF GPS IFD");
		return TRUE;
	}
	if (x->tag == 0xa005) {
		queue(t, ptr, T_INTEROP, -1, "EXIF Interop IFD");
		return TRUE;
	}
	if (x->tag != 0x014a || ifd->kind != T_IMAGE)
		return FALSE;
	/* SubIFDs: reduced-resolution copies (previews) */
	gboolean offsets = x->have && (x->ts == 4 || x->ts == 8);
	for (guint64 k = 0; offsets && k < x->n && k < 16; k++) {
		guint64 p = rd(t, x->at + k * x->ts, x->ts >= 8 ? 8 : 4);
		g_autofree char *l = g_strdup_printf("%s SubIFD %" G_GUINT64_FORMAT,
			ifd->label, k + 1);
		audit__addf(t->a, ATTACHE_KIND_THUMBNAIL, NULL, "%s (another image)",
			l);
		queue(t, p, T_IMAGE, -1, l);
	}
	return TRUE;
}

/* Hands an embedded block of IFD0 (XMP, IPTC-NAA, Photoshop IRB, ICC) to
 * its parser. Returns TRUE when @x was one (or one past the file's end). */
static gboolean
read_block(Tiff *t, AuditIfd which, const TEntry *x)
{
	AuditCtx *a = t->a;
	const guint8 *at = t->d + x->at;
	guint16 tag = x->tag;
	char *saved;

	if (!x->have && (tag == 0x02bc || tag == 0x83bb || tag == 0x8649 || tag == 0x8773)) {
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"%s (data past the end of the file)", x->where);
		return TRUE;
	}
	if (which != AUDIT_IFD_0)
		return FALSE;
	if (tag == 0x02bc) {
		if (audit__enter(a, x->where, &saved)) {
			audit__xmp(a, at, x->size);
			audit__leave(a, saved);
		}
		return TRUE;
	}
	if (tag == 0x83bb || tag == 0x8649) {
		audit__add(a, ATTACHE_KIND_IPTC, x->where, NULL);
		if (audit__enter(a, x->where, &saved)) {
			/* IPTC-NAA is often typed LONG: the bytes are what count */
			if (tag == 0x83bb)
				audit__iim(a, at, x->size);
			else
				audit__irb(a, at, x->size);
			audit__leave(a, saved);
		}
		return TRUE;
	}
	if (tag == 0x8773) {
		audit__icc(a, at, x->size, x->where);
		return TRUE;
	}
	return FALSE;
}

/* Records the entry at @e of @ifd (of the tag table's @which). */
static void
walk_entry(Tiff *t, const TIfd *ifd, AuditIfd which, gsize e)
{
	TEntry x;
	read_entry(t, e, &x);
	AuditTag tg = audit__exif_tag(which, x.tag);
	char num[16];
	g_snprintf(num, sizeof(num), "0x%04x", x.tag);
	g_autofree char *where = g_strdup_printf("%s: %s", ifd->label,
		tg.name ? tg.name : num);
	x.where = where;

	if (follow_pointer(t, ifd, &x) || read_block(t, which, &x))
		return;
	guint kind = tg.kind;
	if (kind == 0) {
		if (!t->exif)
			return; /* how the pixels are stored */
		kind = ATTACHE_KIND_CAMERA;
	}
	if (t->exif && ifd->chain >= 1 && !(kind & THUMB_IFD_KINDS))
		return;
	g_autofree char *value = x.have && x.tag != 0x927c
								 ? value_of(t, x.type, x.n, x.at, x.size)
								 : g_strdup_printf("%" G_GUINT64_FORMAT " values", x.n);
	audit__add(t->a, kind, where, value);
}

/* Queues the next image of the IFD0 chain, whose offset follows the
 * entries of @ifd at @next_at. */
static void
queue_next(Tiff *t, const TIfd *ifd, gsize next_at)
{
	guint val_size = t->big ? 8 : 4;
	if (next_at > t->n - val_size)
		return;
	guint64 next = rd(t, next_at, val_size);
	/* loops end here: an IFD already read is not news */
	if (!next || g_hash_table_contains(t->seen, &next))
		return;
	g_autofree char *l = g_strdup_printf("%s IFD%d", t->exif ? "EXIF" : "TIFF",
		ifd->chain + 1);
	if (t->exif && ifd->chain == 0)
		audit__add(t->a, ATTACHE_KIND_THUMBNAIL, "EXIF IFD1 thumbnail", NULL);
	else
		audit__addf(t->a, ATTACHE_KIND_THUMBNAIL, NULL, "%s (another image)",
			l);
	TIfd nx = { next, T_IMAGE, NULL, ifd->chain + 1 };
	if (t->queue->len < AUDIT_MAX_IFDS && next >= 8 && next < t->n) {
		nx.label = g_steal_pointer(&l);
		g_array_append_val(t->queue, nx);
	}
}

static void
walk_ifd(Tiff *t, const TIfd *ifd)
{
	AuditCtx *a = t->a;
	gsize off = (gsize)ifd->offset;
	guint cnt_size = t->big ? 8 : 2, entry_size = t->big ? 20 : 12;

	if (off > t->n - cnt_size) {
		audit__addf(a, ATTACHE_KIND_OTHER, NULL, "%s (truncated)",
			ifd->label);
		return;
	}
	guint64 count = rd(t, off, cnt_size);
	gsize first = off + cnt_size;
	guint64 fits = (t->n - first) / entry_size;
	if (count > fits || count > AUDIT_MAX_IFD_ENTRIES) {
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"%s (%" G_GUINT64_FORMAT " entries declared, %s)", ifd->label,
			count, count > fits ? "truncated" : "too many to read");
		count = MIN(MIN(count, fits), AUDIT_MAX_IFD_ENTRIES);
	}
	AuditIfd which = ifd->kind == T_EXIF	  ? AUDIT_IFD_EXIF
					 : ifd->kind == T_GPS	  ? AUDIT_IFD_GPS
					 : ifd->kind == T_INTEROP ? AUDIT_IFD_INTEROP
											  : AUDIT_IFD_0;

	for (guint64 i = 0; i < count; i++)
		walk_entry(t, ifd, which, first + i * entry_size);
	if (ifd->chain >= 0)
		queue_next(t, ifd, first + (gsize)count * entry_size);
}

static void
walk_all(Tiff *t, guint64 first)
{
	t->queue = g_array_new(FALSE, FALSE, sizeof(TIfd));
	t->seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	queue(t, first, T_IMAGE, 0, t->exif ? "EXIF IFD0" : "TIFF IFD0");
	for (guint i = 0; i < t->queue->len; i++) {
		TIfd ifd = g_array_index(t->queue, TIfd, i);
		if (g_hash_table_contains(t->seen, &ifd.offset))
			continue;
		g_hash_table_add(t->seen, g_memdup2(&ifd.offset, sizeof(guint64)));
		walk_ifd(t, &ifd);
	}
	for (guint i = 0; i < t->queue->len; i++)
		g_free(g_array_index(t->queue, TIfd, i).label);
	g_array_free(t->queue, TRUE);
	g_hash_table_destroy(t->seen);
}

void
audit__exif_ifds(AuditCtx *a, const guint8 *d, gsize n)
{
	Tiff t = { a, d, n, d[0] == 'I', FALSE, TRUE };
	guint64 first = rd(&t, 4, 4);
	if (first < 8 || first >= n) {
		audit__add(a, ATTACHE_KIND_OTHER, "EXIF block (damaged header)", NULL);
		return;
	}
	walk_all(&t, first);
}

AttacheCode
audit__tiff(AuditCtx *a, const guint8 *d, gsize n, GError **error)
{
	Tiff t = { a, d, n, d[0] == 'I', d[2] == '+' || d[3] == '+', FALSE };
	guint64 first;

	if (t.big) {
		if (n < 16 || rd(&t, 4, 2) != 8) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
				"damaged BigTIFF header");
			return ATTACHE_E_INPUT;
		}
		first = rd(&t, 8, 8);
	}
	else
		first = rd(&t, 4, 4);
	if (first < 8 || first >= n) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"damaged TIFF header (first IFD at %" G_GUINT64_FORMAT
			", file is %zu bytes)",
			first, n);
		return ATTACHE_E_INPUT;
	}
	walk_all(&t, first);
	return ATTACHE_OK;
}
