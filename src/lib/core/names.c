/* SPDX-License-Identifier: MIT */
/* names.c: the words for kinds, flags and keep policies (the JSON contract
 * and the CLI use these; docs/json.md lists them). */
#include "private.h"

#include <string.h>

static const struct {
	guint bit;
	const char *name;
} kind_names[] = {
	{ ATTACHE_KIND_GPS, "gps" },
	{ ATTACHE_KIND_PLACE, "place" },
	{ ATTACHE_KIND_SERIAL, "serial" },
	{ ATTACHE_KIND_OWNER, "owner" },
	{ ATTACHE_KIND_MAKERNOTE, "makernote" },
	{ ATTACHE_KIND_THUMBNAIL, "thumbnail" },
	{ ATTACHE_KIND_FREETEXT, "freetext" },
	{ ATTACHE_KIND_XMP, "xmp" },
	{ ATTACHE_KIND_IPTC, "iptc" },
	{ ATTACHE_KIND_ICC_CONVERTED, "icc-converted" },
	{ ATTACHE_KIND_OTHER, "other" },
	{ ATTACHE_KIND_CREDIT, "credit" },
	{ ATTACHE_KIND_DATETIME, "datetime" },
	{ ATTACHE_KIND_CAMERA, "camera" },
	{ ATTACHE_KIND_ALTTEXT, "alt-text" },
	{ ATTACHE_KIND_ICC, "icc" },
};

static const struct {
	guint bit;
	const char *name;
} flag_names[] = {
	{ ATTACHE_FLAG_QUALITY_FLOOR, "quality-floor" },
	{ ATTACHE_FLAG_DOWNSCALED, "downscaled" },
	{ ATTACHE_FLAG_UPSCALED, "upscaled" },
	{ ATTACHE_FLAG_PADDED, "padded" },
	{ ATTACHE_FLAG_SMALL, "small-source" },
	{ ATTACHE_FLAG_FALLBACK, "format-fallback" },
	{ ATTACHE_FLAG_ALT_NAMES_PLACE, "alt-names-place" },
	{ ATTACHE_FLAG_FACES_CUT, "faces-cut" },
	{ ATTACHE_FLAG_NO_FACE_FOUND, "no-face-found" },
	{ ATTACHE_FLAG_FACES_VISIBLE, "faces-visible" },
	{ ATTACHE_FLAG_SHOWS_TEXT, "shows-text" },
};

const char *
attache_kind_name(AttacheKind kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++)
		if (kind_names[i].bit == (guint)kind)
			return kind_names[i].name;
	return "unknown";
}

char *
attache_kinds_to_string(guint kinds)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++)
		if (kinds & kind_names[i].bit) {
			if (s->len)
				g_string_append_c(s, ',');
			g_string_append(s, kind_names[i].name);
		}
	return g_string_free(s, FALSE);
}

char *
attache_flags_to_string(guint flags)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(flag_names); i++)
		if (flags & flag_names[i].bit) {
			if (s->len)
				g_string_append_c(s, ',');
			g_string_append(s, flag_names[i].name);
		}
	return g_string_free(s, FALSE);
}

AttacheCode
attache_keep_from_string(const char *s, guint *out, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(s ? s : "", ",", -1);
	guint keep = 0;
	gboolean none = FALSE;
	int n = 0;

	for (int i = 0; parts[i]; i++) {
		char *p = g_strstrip(parts[i]);
		if (!*p)
			continue;
		n++;
		if (g_str_equal(p, "none"))
			none = TRUE;
		else if (g_str_equal(p, "credit"))
			keep |= ATTACHE_KEEP_CREDIT;
		else if (g_str_equal(p, "datetime"))
			keep |= ATTACHE_KEEP_DATETIME;
		else if (g_str_equal(p, "camera"))
			keep |= ATTACHE_KEEP_CAMERA;
		else {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"--keep: unknown value \"%s\" (expected none, credit, "
				"datetime, camera)",
				p);
			return ATTACHE_E_USAGE;
		}
	}
	if (n == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--keep: empty list (use \"none\" to keep nothing)");
		return ATTACHE_E_USAGE;
	}
	if (none && keep) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--keep: \"none\" cannot be combined with other values");
		return ATTACHE_E_USAGE;
	}
	*out = keep;
	return ATTACHE_OK;
}

static const char *fit_names[] = { "cover", "contain", "inside" };
static const char *crop_names[] = { "attention", "entropy", "centre",
	"focus", "attention-only" };
static const char *format_names[] = { "jpeg", "png", "webp" };

const char *
attache_fit_name(AttacheFit fit)
{
	return (guint)fit < G_N_ELEMENTS(fit_names) ? fit_names[fit] : "?";
}

const char *
attache_crop_name(AttacheCrop crop)
{
	return (guint)crop < G_N_ELEMENTS(crop_names) ? crop_names[crop] : "?";
}

const char *
attache_format_name(AttacheFormat format)
{
	return (guint)format < G_N_ELEMENTS(format_names) ? format_names[format]
													  : "?";
}

const char *
attache_format_extension(AttacheFormat format)
{
	switch (format) {
	case ATTACHE_FORMAT_PNG:
		return "png";
	case ATTACHE_FORMAT_WEBP:
		return "webp";
	default:
		return "jpg";
	}
}

const char *
attache_format_mime(AttacheFormat format)
{
	switch (format) {
	case ATTACHE_FORMAT_PNG:
		return "image/png";
	case ATTACHE_FORMAT_WEBP:
		return "image/webp";
	default:
		return "image/jpeg";
	}
}

static gboolean
lookup(const char **names, guint n, const char *s, int *out)
{
	for (guint i = 0; i < n; i++)
		if (s && g_ascii_strcasecmp(s, names[i]) == 0) {
			*out = (int)i;
			return TRUE;
		}
	return FALSE;
}

gboolean
attache_fit_from_string(const char *s, AttacheFit *out)
{
	int v;
	if (!lookup(fit_names, G_N_ELEMENTS(fit_names), s, &v))
		return FALSE;
	*out = (AttacheFit)v;
	return TRUE;
}

gboolean
attache_crop_from_string(const char *s, AttacheCrop *out)
{
	int v;
	/* accept the US spelling too */
	if (s && g_ascii_strcasecmp(s, "center") == 0)
		s = "centre";
	if (!lookup(crop_names, G_N_ELEMENTS(crop_names), s, &v))
		return FALSE;
	*out = (AttacheCrop)v;
	return TRUE;
}

gboolean
attache_format_from_string(const char *s, AttacheFormat *out)
{
	int v;
	if (s && g_ascii_strcasecmp(s, "jpg") == 0)
		s = "jpeg";
	if (!lookup(format_names, G_N_ELEMENTS(format_names), s, &v))
		return FALSE;
	*out = (AttacheFormat)v;
	return TRUE;
}

gboolean
attache_focus_from_string(const char *s, double *x, double *y)
{
	char *end;
	if (!s)
		return FALSE;
	double fx = g_ascii_strtod(s, &end);
	if (end == s || *end != ',')
		return FALSE;
	const char *p = end + 1;
	double fy = g_ascii_strtod(p, &end);
	if (end == p || *end || !(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1))
		return FALSE;
	*x = fx;
	*y = fy;
	return TRUE;
}

gboolean
attache_rotate_from_string(const char *s, int *out)
{
	static const int turns[] = { 0, 90, 180, 270 };
	for (guint i = 0; s && i < G_N_ELEMENTS(turns); i++) {
		char word[4];
		g_snprintf(word, sizeof(word), "%d", turns[i]);
		if (g_str_equal(s, word)) {
			if (out)
				*out = turns[i];
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
attache_pixels_from_string(const char *s, gint64 *out)
{
	char *end;
	if (!s)
		return FALSE;
	double v = g_ascii_strtod(s, &end);
	if (end == s || !(v > 0) || v > 1e12)
		return FALSE;
	while (*end == ' ')
		end++;
	if (!g_ascii_strcasecmp(end, "mp"))
		v *= 1e6;
	else if (*end)
		return FALSE;
	*out = (gint64)v;
	return TRUE;
}

/* Characters that change how a terminal shows the text around them:
 * controls (ESC sequences, newlines that forge a line), and the bidi
 * formatting characters that reorder it (U+202E). */
static gboolean
must_escape(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e
		   || c == 0x200f || (c >= 0x202a && c <= 0x202e)
		   || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

char *
attache_escape_text(const char *s)
{
	if (!s)
		return NULL;
	GString *out = g_string_sized_new(strlen(s));
	const char *p = s;
	while (*p) {
		const char *end;
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			/* not UTF-8: the byte, visibly */
			g_string_append_printf(out, "\\x%02x", (guchar)*p);
			p++;
			continue;
		}
		end = g_utf8_next_char(p);
		if (must_escape(c))
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_len(out, p, end - p);
		p = end;
	}
	return g_string_free(out, FALSE);
}

/* The one place a file's stem is worked out: every name attache derives
 * from a photo (outputs, done/ and failed/ names, alt-text manifest rows,
 * review's checks) must agree on it. A leading dot is no extension
 * (".hidden" stays). Returns: (transfer full). */
char *
attache__file_stem(const char *path)
{
	char *base = g_path_get_basename(path);
	char *dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	return base;
}

/* STEM.PRESET.EXT (an output's name) -> STEM: the photo's stem an output
 * was named after. Returns: (transfer full). */
char *
attache__output_name_stem(const char *name)
{
	g_autofree char *once = attache__file_stem(name);
	return attache__file_stem(once);
}
