/* SPDX-License-Identifier: MIT */
/*
 * audit.c: the independent privacy audit, entry points.
 *
 * attache_audit_buffer() recognises the container by its first bytes and
 * hands it to its walker (audit-jpeg.c, audit-png.c, audit-webp.c,
 * audit-heif.c, audit-tiff.c); the walkers hand each metadata block to its
 * parser (audit-exif.c with libexif, audit-xmp.c with GMarkup,
 * audit-iptc.c). None of this calls the writer's code (exif.c, xmp.c,
 * embed.c): the audit is a second opinion, not a re-run of the first.
 *
 * Every finding has a kind (what it reveals) and a "where" (which block,
 * which tag), e.g. gps at "EXIF GPS IFD: GPSLatitude". Anything the reader
 * cannot identify is reported as "other", never skipped: an output may
 * carry nothing but what the policy names.
 */
#include "audit-int.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
finding_free(AttacheFinding *f)
{
	g_free(f->where);
	g_free(f->value);
	g_free(f);
}

void
attache_audit_report_free(AttacheAuditReport *r)
{
	if (!r)
		return;
	g_free(r->format);
	if (r->findings)
		g_ptr_array_unref(r->findings);
	g_free(r);
}

int
audit__add(AuditCtx *a, AttacheKind kind, const char *where,
	const char *value)
{
	a->r->kinds |= kind;
	if (a->r->findings->len >= AUDIT_MAX_FINDINGS) {
		a->dropped++;
		return -1;
	}
	AttacheFinding *f = g_new0(AttacheFinding, 1);
	f->kind = kind;
	f->where = a->ctx ? g_strdup_printf("%s > %s", a->ctx, where)
					  : g_strdup(where);
	f->value = g_strdup(value);
	g_ptr_array_add(a->r->findings, f);
	return (int)a->r->findings->len - 1;
}

int
audit__addf(AuditCtx *a, AttacheKind kind, const char *value,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *where = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return audit__add(a, kind, where, value);
}

void
audit__set_value(AuditCtx *a, int index, const char *value)
{
	if (index < 0 || (guint)index >= a->r->findings->len)
		return;
	AttacheFinding *f = a->r->findings->pdata[index];
	g_free(f->value);
	f->value = g_strdup(value);
}

char *
audit__printable(const guint8 *s, gsize n)
{
	GString *o = g_string_new(NULL);
	const char *p = (const char *)s, *end = (const char *)s + n;
	guint chars = 0;

	/* trailing NULs pad most EXIF strings */
	while (end > p && end[-1] == '\0')
		end--;
	while (p < end && chars < AUDIT_VALUE_CHARS) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(o, "\\x%02x", (guint8)*p);
			p++;
		}
		else {
			if (c < 0x20 || c == 0x7f)
				g_string_append_printf(o, "\\x%02x", c);
			else
				g_string_append_unichar(o, c);
			p = g_utf8_next_char(p);
		}
		chars++;
	}
	if (p < end)
		g_string_append(o, "\xe2\x80\xa6"); /* … */
	return g_string_free(o, FALSE);
}

gboolean
audit__enter(AuditCtx *a, const char *label, char **saved)
{
	*saved = NULL;
	if (a->depth >= AUDIT_MAX_DEPTH) {
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"%s (nested too deep to read)", label);
		return FALSE;
	}
	a->depth++;
	*saved = a->ctx;
	a->ctx = label ? (*saved ? g_strdup_printf("%s > %s", *saved, label)
							 : g_strdup(label))
				   : g_strdup(*saved);
	return TRUE;
}

void
audit__leave(AuditCtx *a, char *saved)
{
	g_free(a->ctx);
	a->ctx = saved;
	a->depth--;
}

/* ICC: the profile's description ('desc' tag, as text or mluc) names it,
 * so "Display P3" or "sRGB IEC61966-2.1" shows in the report. */
static char *
icc_description(const guint8 *d, gsize n)
{
	if (n < 132 || memcmp(d + 36, "acsp", 4) != 0)
		return NULL;
	guint32 count = audit__be32(d + 128);
	for (guint32 i = 0; i < count && i < 256 && 132 + 12 * (gsize)(i + 1) <= n;
		 i++) {
		const guint8 *t = d + 132 + 12 * i;
		if (memcmp(t, "desc", 4) != 0)
			continue;
		guint32 off = audit__be32(t + 4), len = audit__be32(t + 8);
		if (off > n || len > n - off || len < 12)
			return NULL;
		const guint8 *e = d + off;
		if (memcmp(e, "desc", 4) == 0) {
			guint32 sl = audit__be32(e + 8);
			if (sl > len - 12)
				sl = len - 12;
			return audit__printable(e + 12, sl);
		}
		if (memcmp(e, "mluc", 4) == 0 && len >= 28) {
			guint32 rlen = audit__be32(e + 20), roff = audit__be32(e + 24);
			if (roff > len || rlen > len - roff || rlen > 512)
				return NULL;
			/* UTF-16BE to UTF-8, by hand: the length is even and small */
			gunichar2 buf[256];
			guint k = 0;
			for (guint32 j = 0; j + 1 < rlen && k < G_N_ELEMENTS(buf); j += 2)
				buf[k++] = audit__be16(e + roff + j);
			char *u = g_utf16_to_utf8(buf, k, NULL, NULL, NULL);
			char *p = u ? audit__printable((const guint8 *)u, strlen(u))
						: NULL;
			g_free(u);
			return p;
		}
		return NULL;
	}
	return NULL;
}

void
audit__icc(AuditCtx *a, const guint8 *d, gsize n, const char *where)
{
	g_autofree char *desc = icc_description(d, n);
	g_autofree char *value = desc ? g_strdup_printf("%s, %zu bytes", desc, n)
								  : g_strdup_printf("%zu bytes", n);
	audit__add(a, ATTACHE_KIND_ICC, where, value);
}

static gboolean
is_heif(const guint8 *d, gsize n)
{
	static const char *brands[] = { "heic", "heix", "hevc", "hevx", "heim",
		"heis", "hevm", "hevs", "mif1", "msf1", "mif2", "miaf", "avif",
		"avis", "MiHE", "MiHA", "MiHB" };
	if (n < 16 || memcmp(d + 4, "ftyp", 4) != 0)
		return FALSE;
	gsize size = audit__be32(d);
	if (size < 16 || size > n)
		size = MIN(n, 256);
	for (gsize off = 8; off + 4 <= size; off += 4) {
		if (off == 12)
			continue; /* minor_version */
		for (guint i = 0; i < G_N_ELEMENTS(brands); i++)
			if (memcmp(d + off, brands[i], 4) == 0)
				return TRUE;
	}
	return FALSE;
}

AttacheCode
attache_audit_buffer(const guint8 *data, gsize len, AttacheAuditReport **out,
	GError **error)
{
	static const guint8 png_sig[8] = { 137, 'P', 'N', 'G', 13, 10, 26, 10 };
	AttacheAuditReport *r = g_new0(AttacheAuditReport, 1);
	AuditCtx a = { r, 0, 0, NULL };
	AttacheCode code = ATTACHE_OK;

	*out = NULL;
	r->findings = g_ptr_array_new_with_free_func(
		(GDestroyNotify)finding_free);
	if (!data)
		len = 0;

	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
		r->format = g_strdup("jpeg");
		audit__jpeg(&a, data, len);
	}
	else if (len >= 8 && memcmp(data, png_sig, 8) == 0) {
		r->format = g_strdup("png");
		audit__png(&a, data, len);
	}
	else if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
		r->format = g_strdup("webp");
		audit__webp(&a, data, len);
	}
	else if (is_heif(data, len)) {
		r->format = g_strdup("heif");
		code = audit__heif(&a, data, len, error);
	}
	else if (len >= 8 && (!memcmp(data, "II*\0", 4) || !memcmp(data, "MM\0*", 4) || !memcmp(data, "II+\0", 4) || !memcmp(data, "MM\0+", 4))) {
		r->format = g_strdup("tiff");
		code = audit__tiff(&a, data, len, error);
	}
	else {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"not an image the audit can read (expected JPEG, PNG, WebP, "
			"HEIF or TIFF)");
		code = ATTACHE_E_INPUT;
	}
	g_free(a.ctx);

	if (code) {
		attache_audit_report_free(r);
		return code;
	}
	if (a.dropped) {
		/* past the cap the kinds still count: only the list is cut */
		g_ptr_array_set_size(r->findings, AUDIT_MAX_FINDINGS - 1);
		g_autofree char *v = g_strdup_printf("%u more", a.dropped + 1);
		AttacheFinding *f = g_new0(AttacheFinding, 1);
		f->kind = ATTACHE_KIND_OTHER;
		f->where = g_strdup("(findings not listed)");
		f->value = g_strdup(v);
		r->kinds |= ATTACHE_KIND_OTHER;
		g_ptr_array_add(r->findings, f);
	}
	*out = r;
	return ATTACHE_OK;
}

AttacheCode
attache_audit_file(const char *path, AttacheAuditReport **out, GError **error)
{
	g_autoptr(GError) local = NULL;
	*out = NULL;

	/* read, bounded, never blocking: a FIFO or device is refused, and a
	 * file truncated while mapped cannot SIGBUS us (safefile.c) */
	g_autoptr(GBytes) bytes = NULL;
	AttacheCode code = attache__read_photo(path, ATTACHE_MAX_PHOTO_BYTES,
		&bytes, error);
	if (code)
		return code;
	gsize len;
	const guint8 *d = g_bytes_get_data(bytes, &len);
	if ((code = attache_audit_buffer(d, len, out, &local)))
		g_set_error(error, ATTACHE_ERROR, code, "%s: %s", path,
			local->message);
	return code;
}

guint
attache_keep_allowed_kinds(guint keep)
{
	guint k = ATTACHE_KIND_ALTTEXT | ATTACHE_KIND_XMP | ATTACHE_KIND_ICC;
	if (keep & ATTACHE_KEEP_CREDIT)
		k |= ATTACHE_KIND_CREDIT;
	if (keep & ATTACHE_KEEP_DATETIME)
		k |= ATTACHE_KIND_DATETIME;
	if (keep & ATTACHE_KEEP_CAMERA)
		k |= ATTACHE_KIND_CAMERA;
	return k;
}

char *
attache_audit_report_to_json(const AttacheAuditReport *r, const char *file,
	guint keep, const char *error_message)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	guint allowed = attache_keep_allowed_kinds(keep);
	guint counted = r ? r->kinds & ~allowed : 0;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, file);
	json_builder_set_member_name(b, "format");
	if (r)
		json_builder_add_string_value(b, r->format);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b,
		!r ? "unreadable" : (counted ? "findings" : "clean"));

	json_builder_set_member_name(b, "kinds");
	json_builder_begin_array(b);
	for (guint bit = 1; r && bit; bit <<= 1)
		if (counted & bit)
			json_builder_add_string_value(b, attache_kind_name(bit));
	json_builder_end_array(b);

	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (guint i = 0; r && i < r->findings->len; i++) {
		const AttacheFinding *f = r->findings->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, attache_kind_name(f->kind));
		json_builder_set_member_name(b, "where");
		json_builder_add_string_value(b, f->where);
		json_builder_set_member_name(b, "value");
		if (f->value)
			json_builder_add_string_value(b, f->value);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "counts");
		json_builder_add_boolean_value(b, (f->kind & allowed) == 0);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);

	json_builder_set_member_name(b, "error");
	if (error_message)
		json_builder_add_string_value(b, error_message);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);

	JsonNode *root = json_builder_get_root(b);
	char *s = json_to_string(root, FALSE);
	json_node_unref(root);
	return s;
}
