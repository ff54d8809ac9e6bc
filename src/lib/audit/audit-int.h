/* SPDX-License-Identifier: MIT */
/*
 * audit-int.h: shared by the audit-*.c files only (the independent reader).
 *
 * The reader never calls the writer (exif.c, xmp.c, embed.c): it walks the
 * containers itself and hands each metadata block it finds to the parser for
 * that block. Every parser treats its input as hostile: lengths are checked
 * before use, loops are bounded, nesting has a depth limit, and no
 * allocation is larger than a fixed cap.
 */
#ifndef ATTACHE_AUDIT_INT_H
#define ATTACHE_AUDIT_INT_H

#include "private.h"

G_BEGIN_DECLS

/* Limits for untrusted input (docs/metadata.md). */
#define AUDIT_MAX_FINDINGS 4096	   /* listed; kinds are still counted */
#define AUDIT_MAX_DEPTH 4		   /* EXIF in IRB in EXIF ... */
#define AUDIT_MAX_EXIF (1 << 23)   /* libvips' own EXIF bound */
#define AUDIT_MAX_XMP (1 << 24)	   /* one XMP packet, or extended XMP */
#define AUDIT_MAX_ITEMS 4096	   /* HEIF items, properties, references */
#define AUDIT_MAX_IFDS 64		   /* TIFF IFDs followed in one file */
#define AUDIT_MAX_IFD_ENTRIES 4096 /* entries read from one IFD */
#define AUDIT_VALUE_CHARS 120	   /* a finding's value is cut here */

typedef struct {
	AttacheAuditReport *r;
	guint dropped; /* findings not listed past AUDIT_MAX_FINDINGS */
	int depth;	   /* nesting of metadata blocks */
	char *ctx;	   /* prefix for "where", or NULL (a nested block) */
} AuditCtx;

/* The recorder (audit-record.c). */
/* Starts @a on a new, empty report. */
void audit__begin(AuditCtx *a);
/* Ends @a and hands over its report. (transfer full) */
AttacheAuditReport *audit__finish(AuditCtx *a);
/* Records a finding; @value may be NULL. Kinds are always counted, the
 * finding is listed only below AUDIT_MAX_FINDINGS. Returns its index in the
 * findings array, or -1 when not listed. */
int audit__add(AuditCtx *a, AttacheKind kind, const char *where,
	const char *value);
int audit__addf(AuditCtx *a, AttacheKind kind, const char *value,
	const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Replaces the value of finding @index (from audit__add). */
void audit__set_value(AuditCtx *a, int index, const char *value);

/* A short printable copy of @n bytes (invalid UTF-8 and control characters
 * escaped, cut at AUDIT_VALUE_CHARS). (transfer full) */
char *audit__printable(const guint8 *s, gsize n);

/* Enters a nested block whose findings are prefixed with @label; returns
 * FALSE (and records an "other" finding) past AUDIT_MAX_DEPTH. Pair with
 * audit__leave(). */
gboolean audit__enter(AuditCtx *a, const char *label, char **saved);
void audit__leave(AuditCtx *a, char *saved);

/* Byte readers. */
static inline guint16
audit__be16(const guint8 *p)
{
	return (guint16)((p[0] << 8) | p[1]);
}
static inline guint32
audit__be32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}
static inline guint64
audit__be64(const guint8 *p)
{
	return ((guint64)audit__be32(p) << 32) | audit__be32(p + 4);
}
static inline guint16
audit__le16(const guint8 *p)
{
	return (guint16)(p[0] | (p[1] << 8));
}
static inline guint32
audit__le32(const guint8 *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}
static inline guint64
audit__le64(const guint8 *p)
{
	return (guint64)audit__le32(p) | ((guint64)audit__le32(p + 4) << 32);
}

/* The containers (one file each). */
void audit__jpeg(AuditCtx *a, const guint8 *d, gsize n);
void audit__png(AuditCtx *a, const guint8 *d, gsize n);
void audit__webp(AuditCtx *a, const guint8 *d, gsize n);
AttacheCode audit__heif(AuditCtx *a, const guint8 *d, gsize n,
	GError **error);
AttacheCode audit__tiff(AuditCtx *a, const guint8 *d, gsize n,
	GError **error);

/* The metadata blocks. */
/* EXIF: "Exif\0\0" + TIFF header, or the TIFF header alone (audit-exif.c) */
void audit__exif(AuditCtx *a, const guint8 *d, gsize n);
/* An EXIF block from its TIFF header, walked IFD by IFD (audit-tiff.c):
 * for blocks past libexif's 64 KiB. */
void audit__exif_ifds(AuditCtx *a, const guint8 *d, gsize n);
/* XMP packet, with or without the xpacket wrapper (audit-xmp.c) */
void audit__xmp(AuditCtx *a, const guint8 *d, gsize n);
/* IPTC-IIM datasets (audit-iptc.c) */
void audit__iim(AuditCtx *a, const guint8 *d, gsize n);
/* Photoshop image resource blocks, "8BIM" ... (audit-iptc.c) */
void audit__irb(AuditCtx *a, const guint8 *d, gsize n);
/* An ICC profile: one "icc" finding naming it (audit-icc.c) */
void audit__icc(AuditCtx *a, const guint8 *d, gsize n, const char *where);

/* The EXIF/TIFF tag table (audit-exif.c), shared by the libexif path and
 * the TIFF walker. */
typedef enum {
	AUDIT_IFD_0,	   /* IFD0 / a TIFF image IFD */
	AUDIT_IFD_EXIF,	   /* the Exif IFD */
	AUDIT_IFD_GPS,	   /* the GPS IFD */
	AUDIT_IFD_INTEROP, /* the Interoperability IFD */
} AuditIfd;

typedef struct {
	const char *name; /* exiftool's name where it has one */
	guint kind;		  /* an #AttacheKind; 0 for image structure */
} AuditTag;

/* How the audit names and classifies @tag in @ifd. Unknown tags: kind
 * "other" and a NULL name (the caller prints the number). */
AuditTag audit__exif_tag(AuditIfd ifd, guint16 tag);

G_END_DECLS

#endif /* ATTACHE_AUDIT_INT_H */
