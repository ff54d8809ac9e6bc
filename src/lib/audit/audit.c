/* SPDX-License-Identifier: MIT */
/*
 * audit.c: the independent privacy audit, entry points.
 *
 * attache_audit_buffer() recognises the container by its first bytes and
 * hands it to its walker (audit-jpeg.c, audit-png.c, audit-webp.c,
 * audit-heif.c, audit-tiff.c); the walkers hand each metadata block to its
 * parser (audit-exif.c with libexif, audit-xmp.c with GMarkup,
 * audit-iptc.c), and all of them record findings through audit-record.c,
 * which sits below them. None of this calls the writer's code (exif.c, xmp.c,
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
	AuditCtx a;
	AttacheCode code = ATTACHE_OK;

	*out = NULL;
	audit__begin(&a);
	AttacheAuditReport *r = a.r;
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
	r = audit__finish(&a);
	if (code) {
		attache_audit_report_free(r);
		return code;
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
