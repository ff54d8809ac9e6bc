/* SPDX-License-Identifier: MIT */
/*
 * campaign.c: campaign files (docs/campaigns.md) and their assets.
 *
 * A campaign is a GKeyFile .ini: [campaign], then layers drawn in file order
 * ([logo], [logo NAME], [text], [text NAME]) and per-preset overrides
 * ([LAYER@PRESET]). Any layer key may have a per-language variant, KEY.LANG
 * (text.fr, font.ar, file.zh ...).
 *
 * Everything is checked here, before any photo: every key and value, every
 * asset (decoded into memory once, so each photo of a batch reuses it: libvips
 * reads files sequentially and a second pass over a file image fails), Pango
 * markup, font families and whether an installed font can draw every
 * character of every text variant. Resolving a layer for one preset and
 * language later cannot fail.
 *
 * The brand stage (brand.c) keeps rendered layers here, per rendered size,
 * so a batch renders each one once.
 */
#include "private.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <pango/pango.h>
#include <string.h>

/* Limits for the assets a campaign names. */
#define ASSET_MAX_BYTES (32 * 1024 * 1024)
#define ASSET_MAX_PIXELS (40 * 1000 * 1000)
#define CAMPAIGN_MAX_BYTES (256 * 1024)
/* rendered layers kept per campaign before the cache is emptied */
#define CACHE_MAX 256

typedef enum {
	K_STRING,
	K_BOOL,
	K_FRACTION,
	K_ANCHOR,
	K_COLOUR,
	K_BACKGROUND,
	K_ALIGN,
	K_FILE,
	K_MARKUP,
	K_FONT,
	K_LANGS,
	K_LANG,
} KeyType;

enum { G_CAMPAIGN = 1,
	G_LOGO = 2,
	G_TEXT = 4 };

typedef struct {
	const char *key;
	guint groups; /* G_* where it may appear */
	KeyType type;
	double min, max; /* fractions */
} CampaignKey;

/* Every key, once: parsing, validation and messages come from here. */
static const CampaignKey campaign_keys[] = {
	{ "name", G_CAMPAIGN, K_STRING },
	{ "description", G_CAMPAIGN, K_STRING },
	{ "languages", G_CAMPAIGN, K_LANGS },
	{ "lang", G_CAMPAIGN, K_LANG },
	{ "protect", G_CAMPAIGN, K_STRING },
	{ "scan-text", G_CAMPAIGN, K_BOOL },
	{ "enabled", G_LOGO | G_TEXT, K_BOOL },
	{ "anchor", G_LOGO | G_TEXT, K_ANCHOR },
	{ "margin", G_LOGO | G_TEXT, K_FRACTION, 0, 0.25 },
	{ "opacity", G_LOGO | G_TEXT, K_FRACTION, 0, 1 },
	{ "file", G_LOGO, K_FILE },
	{ "size", G_LOGO, K_FRACTION, 0.01, 1 },
	{ "size", G_TEXT, K_FRACTION, 0.005, 0.5 },
	{ "text", G_TEXT, K_MARKUP },
	{ "font", G_TEXT, K_FONT },
	{ "colour", G_TEXT, K_COLOUR },
	{ "background", G_TEXT, K_BACKGROUND },
	{ "background-colour", G_TEXT, K_COLOUR },
	{ "padding", G_TEXT, K_FRACTION, 0, 0.2 },
	{ "max-width", G_TEXT, K_FRACTION, 0.05, 1 },
	{ "align", G_TEXT, K_ALIGN },
};

static const char *const anchor_names[3][3] = {
	/* [row][column] */
	{ "top-left", "top", "top-right" },
	{ "left", "centre", "right" },
	{ "bottom-left", "bottom", "bottom-right" },
};

typedef struct {
	char *name; /* group name: "logo", "text hashtag" */
	AttacheLayerType type;
	int line;
	GHashTable *keys;	   /* "key" or "key.lang" -> value (owned) */
	GHashTable *overrides; /* preset name -> GHashTable like keys */
} Layer;

struct _AttacheCampaign {
	char *path;
	char *dir;
	char *name;
	char *description;
	char **languages;	  /* NULL when the file declares none */
	char *lang;			  /* [campaign] lang, or NULL */
	gboolean scan_text;	  /* [campaign] scan-text (docs/prep.md) */
	GPtrArray *layers;	  /* Layer* */
	GHashTable *assets;	  /* absolute path -> AttacheAsset* */
	GHashTable *accounts; /* [accounts]: language (lower case) -> account */
	guint protect;		  /* #AttacheProtect: the campaign requires it */

	GMutex lock;		  /* guards rendered */
	GHashTable *rendered; /* key -> VipsImage* (memory) */
};

/* ---- small parsers, shared with brand.c through the resolved spec ---- */

static gboolean
parse_anchor(const char *s, int *row, int *col)
{
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++)
			if (!g_ascii_strcasecmp(s, anchor_names[r][c])) {
				*row = r;
				*col = c;
				return TRUE;
			}
	/* the usual aliases */
	static const struct {
		const char *name;
		int row, col;
	} alias[] = {
		{ "center", 1, 1 },
		{ "middle", 1, 1 },
		{ "top-centre", 0, 1 },
		{ "top-center", 0, 1 },
		{ "bottom-centre", 2, 1 },
		{ "bottom-center", 2, 1 },
		{ "centre-left", 1, 0 },
		{ "center-left", 1, 0 },
		{ "centre-right", 1, 2 },
		{ "center-right", 1, 2 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(alias); i++)
		if (!g_ascii_strcasecmp(s, alias[i].name)) {
			*row = alias[i].row;
			*col = alias[i].col;
			return TRUE;
		}
	return FALSE;
}

static gboolean
parse_background(const char *s, AttacheBackground *out)
{
	if (!g_ascii_strcasecmp(s, "none"))
		*out = ATTACHE_BACKGROUND_NONE;
	else if (!g_ascii_strcasecmp(s, "box"))
		*out = ATTACHE_BACKGROUND_BOX;
	else if (!g_ascii_strcasecmp(s, "band"))
		*out = ATTACHE_BACKGROUND_BAND;
	else
		return FALSE;
	return TRUE;
}

static gboolean
parse_align(const char *s, AttacheAlign *out)
{
	static const char *const names[] = { "left", "centre", "right", "start",
		"end" };
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (!g_ascii_strcasecmp(s, names[i])) {
			*out = (AttacheAlign)i;
			return TRUE;
		}
	if (!g_ascii_strcasecmp(s, "center")) {
		*out = ATTACHE_ALIGN_CENTRE;
		return TRUE;
	}
	return FALSE;
}

/* ---- fonts (fontconfig: the same fonts Pango uses) ---- */

static GMutex font_lock;
static FcCharSet *all_chars; /* union of every installed font's charset */

static FcCharSet *
installed_charset(void)
{
	g_mutex_lock(&font_lock);
	if (!all_chars) {
		FcInit();
		FcPattern *pat = FcPatternCreate();
		FcObjectSet *os = FcObjectSetBuild(FC_CHARSET, NULL);
		FcFontSet *fs = FcFontList(NULL, pat, os);
		all_chars = FcCharSetCreate();
		for (int i = 0; fs && i < fs->nfont; i++) {
			FcCharSet *cs;
			if (FcPatternGetCharSet(fs->fonts[i], FC_CHARSET, 0, &cs) == FcResultMatch)
				FcCharSetMerge(all_chars, cs, NULL);
		}
		if (fs)
			FcFontSetDestroy(fs);
		FcObjectSetDestroy(os);
		FcPatternDestroy(pat);
	}
	g_mutex_unlock(&font_lock);
	return all_chars;
}

static gboolean
family_installed(const char *family)
{
	static const char *const generic[] = { "sans", "sans-serif", "serif",
		"monospace", "mono", "system-ui", "cursive", "fantasy", "emoji" };
	for (guint i = 0; i < G_N_ELEMENTS(generic); i++)
		if (!g_ascii_strcasecmp(family, generic[i]))
			return TRUE;
	FcPattern *pat = FcPatternCreate();
	FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
	FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, NULL);
	FcFontSet *fs = FcFontList(NULL, pat, os);
	gboolean found = fs && fs->nfont > 0;
	if (fs)
		FcFontSetDestroy(fs);
	FcObjectSetDestroy(os);
	FcPatternDestroy(pat);
	return found;
}

/* ---- errors ---- */

typedef struct {
	const char *path;
	const char *text;
	AttacheCampaign *c;
	const AttachePresetSet *presets;
	/* set for a campaign from an inbox writer: its assets are read beneath
	 * this folder, with no link (docs/security.md) */
	const char *confine;
} Ctx;

static AttacheCode G_GNUC_PRINTF(5, 6)
	bad(GError **error, const Ctx *x, const char *group, const char *key,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	int line = attache__keyfile_line(x->text, group, key);
	g_autofree char *where = line ? g_strdup_printf("%s:%d", x->path, line)
								  : g_strdup(x->path);
	if (key)
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: [%s] %s: %s",
			where, group, key, why);
	else
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: [%s]: %s",
			where, group, why);
	return ATTACHE_E_USAGE;
}

/* ---- assets ---- */

static void
asset_free(AttacheAsset *a)
{
	if (!a)
		return;
	g_free(a->path);
	if (a->svg)
		g_bytes_unref(a->svg);
	if (a->image)
		g_object_unref(a->image);
	g_free(a);
}

/* @in to 8-bit sRGB with an alpha band, in memory. */
static VipsImage *
to_srgba(VipsImage *in)
{
	g_autoptr(VipsImage) a = NULL, b = NULL, c = NULL, d = NULL;

	if (vips_image_get_typeof(in, VIPS_META_ICC_NAME)) {
		if (vips_icc_transform(in, &a, "srgb", "embedded", TRUE,
				"intent", VIPS_INTENT_PERCEPTUAL, "depth", 8, NULL))
			return NULL;
	}
	else if (vips_colourspace(in, &a, VIPS_INTERPRETATION_sRGB, NULL))
		return NULL;
	if (vips_cast(a, &b, VIPS_FORMAT_UCHAR, NULL))
		return NULL;
	if (!vips_image_hasalpha(b)) {
		if (vips_addalpha(b, &c, NULL))
			return NULL;
	}
	else {
		c = b;
		b = NULL;
	}
	if (vips_copy(c, &d, "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
		return NULL;
	return vips_image_copy_memory(d);
}

/* Reads, decodes and keeps in memory the logo at @path (absolute). */
static AttacheCode
asset_load(const Ctx *x, const char *group, const char *key,
	const char *path, AttacheAsset **out, GError **error)
{
	g_autofree char *data = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;

	AttacheCode code;
	if (x->confine && !attache__path_is_beneath(x->confine, path))
		return bad(error, x, group, key,
			"%s: outside %s, where this campaign's files must be", path,
			x->confine);
	if (x->confine)
		code = attache__read_small_beneath(x->confine,
			path + strlen(x->confine) + 1, ASSET_MAX_BYTES, &data, &len,
			&local);
	else
		code = attache__read_small(path, ASSET_MAX_BYTES, 0, &data, &len,
			&local);
	if (code == ATTACHE_E_LIMIT)
		return bad(error, x, group, key, "%s: over the %d MiB limit for a "
										 "logo",
			path, ASSET_MAX_BYTES >> 20);
	if (code)
		return bad(error, x, group, key, "cannot read: %s", local->message);

	const char *loader = vips_foreign_find_load_buffer(data, len);
	if (!loader) {
		vips_error_clear();
		return bad(error, x, group, key,
			"%s: not an image libvips can read (a PNG with alpha or an SVG)",
			path);
	}
	AttacheAsset *a = g_new0(AttacheAsset, 1);
	a->path = g_strdup(path);
	gboolean is_svg = g_str_has_prefix(loader, "VipsForeignLoadSvg");

	/* decode fully now: a broken file fails here, not on the first photo */
	g_autoptr(VipsImage) img = vips_image_new_from_buffer(data, len, "",
		"access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR,
		NULL);
	if (img && (gint64)img->Xsize * img->Ysize > ASSET_MAX_PIXELS) {
		int w = img->Xsize, h = img->Ysize;
		asset_free(a);
		return bad(error, x, group, key,
			"%s: %dx%d pixels, over the %d MP limit for a logo", path, w, h,
			ASSET_MAX_PIXELS / 1000000);
	}
	if (img)
		a->image = to_srgba(img);
	if (!a->image) {
		g_autofree char *msg = g_strdup(vips_error_buffer());
		vips_error_clear();
		g_strchomp(msg);
		asset_free(a);
		return bad(error, x, group, key, "%s: cannot decode: %s", path, msg);
	}
	if (is_svg)
		a->svg = g_bytes_new_take(g_steal_pointer(&data), len);
	a->width = a->image->Xsize;
	a->height = a->image->Ysize;
	*out = a;
	return ATTACHE_OK;
}

/* ---- keys ---- */

static void
lower_in_place(char *s)
{
	for (; *s; s++)
		*s = g_ascii_tolower(*s);
}

static const CampaignKey *
find_key(guint group_kind, const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(campaign_keys); i++)
		if ((campaign_keys[i].groups & group_kind) && g_str_equal(campaign_keys[i].key, key))
			return &campaign_keys[i];
	return NULL;
}

static GString *
keys_of(guint group_kind)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(campaign_keys); i++)
		if (campaign_keys[i].groups & group_kind)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "",
				campaign_keys[i].key);
	return s;
}

static gboolean
lang_declared(const AttacheCampaign *c, const char *lang)
{
	if (!c->languages)
		return TRUE;
	for (int i = 0; c->languages[i]; i++)
		if (!g_ascii_strcasecmp(c->languages[i], lang))
			return TRUE;
	return FALSE;
}

/* Checks the text of one markup value: Pango parses it, and an installed
 * font has every character (else Pango would draw missing-glyph boxes). */
static AttacheCode
check_markup(const Ctx *x, const char *group, const char *key,
	const char *value, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *plain = NULL;

	if (!g_utf8_validate(value, -1, NULL))
		return bad(error, x, group, key, "not valid UTF-8");
	if (!pango_parse_markup(value, -1, 0, NULL, &plain, NULL, &local)) {
		/* GMarkup's message may quote half a character (found by
		 * fuzz-campaign) */
		g_autofree char *why = g_utf8_make_valid(local->message, -1);
		return bad(error, x, group, key, "bad Pango markup: %s", why);
	}
	g_autofree char *stripped = g_strstrip(g_strdup(plain));
	if (!*stripped)
		return bad(error, x, group, key, "the text is blank");
	FcCharSet *cs = installed_charset();
	GString *missing = g_string_new(NULL);
	int n = 0;
	for (const char *p = plain; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		if (g_unichar_isspace(ch) || g_unichar_iscntrl(ch) || g_unichar_type(ch) == G_UNICODE_FORMAT)
			continue;
		if (!FcCharSetHasChar(cs, ch) && n++ < 8)
			g_string_append_printf(missing, "%sU+%04X", n > 1 ? ", " : "",
				ch);
	}
	if (n) {
		AttacheCode code = bad(error, x, group, key,
			"no installed font has %d of its characters (%s); install a font "
			"for this script (make deps installs fonts-noto-core and "
			"fonts-noto-cjk)",
			n, missing->str);
		g_string_free(missing, TRUE);
		return code;
	}
	g_string_free(missing, TRUE);
	return ATTACHE_OK;
}

static AttacheCode
check_font(const Ctx *x, const char *group, const char *key,
	const char *value, GError **error)
{
	PangoFontDescription *fd = pango_font_description_from_string(value);
	const char *families = pango_font_description_get_family(fd);
	AttacheCode code = ATTACHE_OK;

	if (!families || !*families)
		code = bad(error, x, group, key,
			"\"%s\": no font family (e.g. \"Noto Sans Bold\")", value);
	else if (pango_font_description_get_set_fields(fd) & PANGO_FONT_MASK_SIZE)
		code = bad(error, x, group, key,
			"\"%s\": give the family and style only; the size comes from "
			"size=",
			value);
	else {
		g_auto(GStrv) fams = g_strsplit(families, ",", -1);
		for (int i = 0; fams[i] && !code; i++) {
			char *f = g_strstrip(fams[i]);
			if (*f && !family_installed(f))
				code = bad(error, x, group, key,
					"no installed font family \"%s\" (fc-list : family "
					"lists them)",
					f);
		}
	}
	pango_font_description_free(fd);
	return code;
}

/* Validates one value of @group (a layer or override of @kind). */
static AttacheCode
check_value(const Ctx *x, const char *group, guint kind, const char *key,
	const CampaignKey *k, const char *v, GError **error)
{
	double d, rgba[4];
	gboolean b;
	int r, col;
	AttacheBackground bg;
	AttacheAlign al;

	switch (k->type) {
	case K_STRING:
		if (!g_utf8_validate(v, -1, NULL))
			return bad(error, x, group, key, "not valid UTF-8");
		return ATTACHE_OK;
	case K_BOOL:
		if (!attache__value_bool(v, &b))
			return bad(error, x, group, key,
				"\"%s\": expected true or false", v);
		return ATTACHE_OK;
	case K_FRACTION:
		if (!attache__value_fraction(v, &d))
			return bad(error, x, group, key,
				"\"%s\": expected a number (a fraction like 0.05, or 5%%)", v);
		if (!(d >= k->min && d <= k->max)) /* nan too */
			return bad(error, x, group, key, "%s: out of range %g..%g", v,
				k->min, k->max);
		return ATTACHE_OK;
	case K_ANCHOR:
		if (!parse_anchor(v, &r, &col))
			return bad(error, x, group, key,
				"\"%s\": expected top-left, top, top-right, left, centre, "
				"right, bottom-left, bottom or bottom-right",
				v);
		return ATTACHE_OK;
	case K_COLOUR:
		if (!attache__value_colour(v, TRUE, rgba))
			return bad(error, x, group, key,
				"\"%s\": expected a colour as #rrggbb or #rrggbbaa", v);
		return ATTACHE_OK;
	case K_BACKGROUND:
		if (!parse_background(v, &bg))
			return bad(error, x, group, key,
				"\"%s\": expected none, box or band", v);
		return ATTACHE_OK;
	case K_ALIGN:
		if (!parse_align(v, &al))
			return bad(error, x, group, key,
				"\"%s\": expected left, centre, right, start or end", v);
		return ATTACHE_OK;
	case K_FILE: {
		g_autofree char *path = g_path_is_absolute(v)
									? g_strdup(v)
									: g_build_filename(x->c->dir, v, NULL);
		g_autofree char *canon = g_canonicalize_filename(path, NULL);
		if (g_hash_table_contains(x->c->assets, canon))
			return ATTACHE_OK;
		AttacheAsset *a = NULL;
		if (asset_load(x, group, key, canon, &a, error))
			return ATTACHE_E_USAGE;
		g_hash_table_insert(x->c->assets, g_strdup(canon), a);
		return ATTACHE_OK;
	}
	case K_MARKUP:
		return check_markup(x, group, key, v, error);
	case K_FONT:
		return check_font(x, group, key, v, error);
	case K_LANGS:
	case K_LANG:
		return ATTACHE_OK; /* [campaign] only, checked by the caller */
	}
	(void)kind;
	return ATTACHE_E_INTERNAL;
}

/* Copies and checks the keys of @group into a new table. */
static AttacheCode
read_group(const Ctx *x, GKeyFile *kf, const char *group, guint kind,
	GHashTable **out, GError **error)
{
	g_autoptr(GHashTable) t = g_hash_table_new_full(g_str_hash, g_str_equal,
		g_free, g_free);
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (int i = 0; keys && keys[i]; i++) {
		g_autofree char *base = g_strdup(keys[i]);
		char *dot = strchr(base, '.');
		const char *lang = NULL;
		if (dot) {
			*dot = '\0';
			lang = dot + 1;
		}
		const CampaignKey *k = find_key(kind, base);
		if (!k) {
			g_autoptr(GString) known = keys_of(kind);
			return bad(error, x, group, keys[i],
				"unknown key (known here: %s; a language variant is "
				"KEY.LANG, e.g. text.fr)",
				known->str);
		}
		if (lang) {
			if (kind == G_CAMPAIGN)
				return bad(error, x, group, keys[i],
					"[campaign] keys have no language variants");
			if (!attache__lang_tag_valid(lang))
				return bad(error, x, group, keys[i],
					"\"%s\" is not a language tag (en, fr, ar, zh-Hans ...)",
					lang);
			if (!lang_declared(x->c, lang))
				return bad(error, x, group, keys[i],
					"language \"%s\" is not in [campaign] languages", lang);
		}
		g_autofree char *raw = g_key_file_get_value(kf, group, keys[i], NULL);
		/* GKeyFile keeps escapes (\n, \s) in raw values; decode them */
		g_autofree char *v = g_key_file_get_string(kf, group, keys[i], NULL);
		if (!v)
			v = g_strdup(raw ? raw : "");
		g_strstrip(v);
		if (!*v && k->type != K_STRING)
			return bad(error, x, group, keys[i], "empty value");
		if (check_value(x, group, kind, keys[i], k, v, error))
			return ATTACHE_E_USAGE;
		/* language tags are case-insensitive: kept in lower case */
		g_hash_table_insert(t, g_ascii_strdown(keys[i], -1),
			g_steal_pointer(&v));
	}
	*out = g_steal_pointer(&t);
	return ATTACHE_OK;
}

static void
layer_free(Layer *l)
{
	g_free(l->name);
	if (l->keys)
		g_hash_table_unref(l->keys);
	if (l->overrides)
		g_hash_table_unref(l->overrides);
	g_free(l);
}

static Layer *
find_layer(AttacheCampaign *c, const char *name)
{
	for (guint i = 0; i < c->layers->len; i++) {
		Layer *l = c->layers->pdata[i];
		if (g_str_equal(l->name, name))
			return l;
	}
	return NULL;
}

/* "logo", "logo NAME", "text", "text NAME" */
static gboolean
layer_type_of(const char *group, AttacheLayerType *type)
{
	const char *rest;
	if (g_str_has_prefix(group, "logo")) {
		*type = ATTACHE_LAYER_LOGO;
		rest = group + 4;
	}
	else if (g_str_has_prefix(group, "text")) {
		*type = ATTACHE_LAYER_TEXT;
		rest = group + 4;
	}
	else
		return FALSE;
	if (!*rest)
		return TRUE;
	if (*rest != ' ' || !rest[1])
		return FALSE;
	for (const char *p = rest + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	return TRUE;
}

/* A duplicated [group] header: GKeyFile would merge the two silently. */
static const char *
duplicate_group(const char *text, int *line)
{
	static char name[256];
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		size_t n = strlen(l);
		if (n < 2 || l[0] != '[' || l[n - 1] != ']')
			continue;
		if (g_hash_table_contains(seen, l)) {
			g_strlcpy(name, l, sizeof(name));
			*line = i + 1;
			return name;
		}
		g_hash_table_add(seen, g_strdup(l));
	}
	return NULL;
}

/* The campaign name nearest @name among the user's and the shipped ones,
 * or %NULL. (transfer full) */
static char *
campaign_suggest(const char *name)
{
	g_autofree char *user = g_build_filename(g_get_user_config_dir(), "attache", "campaigns", NULL);
	const char *dirs[] = { user, attache__builtin_campaign_dir() };
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autoptr(GDir) d = g_dir_open(dirs[i], 0, NULL);
		const char *n;
		while (d && (n = g_dir_read_name(d)) && names->len < 256)
			if (g_str_has_suffix(n, ".ini") && n[0] != '.')
				g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
	}
	const char *near = attache_suggest(name, (const char *const *)names->pdata, names->len);
	return g_strdup(near);
}

static char *
resolve_path(const char *file_or_name, GError **error)
{
	if (g_file_test(file_or_name, G_FILE_TEST_EXISTS) || strchr(file_or_name, '/')
		|| g_str_has_suffix(file_or_name, ".ini"))
		return g_strdup(file_or_name);
	g_autofree char *base = g_strconcat(file_or_name, ".ini", NULL);
	char *user = g_build_filename(g_get_user_config_dir(), "attache",
		"campaigns", base, NULL);
	if (g_file_test(user, G_FILE_TEST_EXISTS))
		return user;
	/* then the shipped ones (the demo), installed with the presets */
	char *shipped = g_build_filename(attache__builtin_campaign_dir(), base, NULL);
	if (g_file_test(shipped, G_FILE_TEST_EXISTS)) {
		g_free(user);
		return shipped;
	}
	g_autofree char *near = campaign_suggest(file_or_name);
	g_autofree char *hint = near ? g_strdup_printf(" (did you mean \"%s\"?)", near) : NULL;
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"campaign \"%s\": no such file, and no %s or %s%s", file_or_name, user, shipped, hint ? hint : "");
	g_free(user);
	g_free(shipped);
	return NULL;
}

static AttacheCode campaign_parse(const char *path, const char *text,
	gsize len, const char *confine, const AttachePresetSet *presets,
	AttacheCampaign **out, GError **error);

AttacheCode
attache_campaign_load(const char *file_or_name,
	const AttachePresetSet *presets, AttacheCampaign **out, GError **error)
{
	g_autofree char *path = resolve_path(file_or_name, error);
	g_autofree char *text = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;

	*out = NULL;
	if (!path)
		return ATTACHE_E_USAGE;
	if (attache__read_small(path, CAMPAIGN_MAX_BYTES, 0, &text, &len,
			&local)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"cannot read campaign: %s", local->message);
		return ATTACHE_E_USAGE;
	}
	return campaign_parse(path, text, len, NULL, presets, out, error);
}

/* The parse of attache_campaign_load(), from memory (the fuzz target's
 * entry point): logos may be anywhere. @text: borrowed, NUL-terminated at
 * @len; @path names the campaign and the folder its logos are relative
 * to. @out: (transfer full). */
AttacheCode
attache__campaign_load_data(const char *path, const char *text, gsize len,
	const AttachePresetSet *presets, AttacheCampaign **out, GError **error)
{
	return campaign_parse(path, text, len, NULL, presets, out, error);
}

AttacheCode
attache__campaign_load_beneath(const char *dir, const char *rel,
	const AttachePresetSet *presets, AttacheCampaign **out, GError **error)
{
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	g_autofree char *text = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;

	*out = NULL;
	if (attache__read_small_beneath(dir, rel, CAMPAIGN_MAX_BYTES, &text,
			&len, &local)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"cannot read campaign: %s", local->message);
		return ATTACHE_E_USAGE;
	}
	return campaign_parse(path, text, len, dir, presets, out, error);
}

/* Parses the campaign @text read from @path; @confine as in Ctx.
 * @out: (transfer full). */
/* The file as a GKeyFile: UTF-8, GKeyFile's syntax, no group twice.
 * @out: (transfer full). */
static AttacheCode
campaign_keyfile(const char *path, const char *text, gsize len,
	GKeyFile **out, GError **error)
{
	g_autoptr(GError) local = NULL;
	if (!g_utf8_validate(text, (gssize)len, NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: not valid UTF-8", path);
		return ATTACHE_E_USAGE;
	}
	g_autoptr(GKeyFile) kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s", path,
			local->message);
		return ATTACHE_E_USAGE;
	}
	int dup_line;
	const char *dup = duplicate_group(text, &dup_line);
	if (dup) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s:%d: %s appears twice (name each layer: [text hashtag], "
			"[text credit])",
			path, dup_line, dup);
		return ATTACHE_E_USAGE;
	}
	*out = g_steal_pointer(&kf);
	return ATTACHE_OK;
}

/* An empty campaign read from @path. (transfer full) */
static AttacheCampaign *
campaign_new(const char *path)
{
	AttacheCampaign *c = g_new0(AttacheCampaign, 1);
	c->path = g_strdup(path);
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	c->dir = g_path_get_dirname(abs);
	c->layers = g_ptr_array_new_with_free_func((GDestroyNotify)layer_free);
	c->assets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)asset_free);
	c->rendered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		g_object_unref);
	c->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		g_free);
	g_mutex_init(&c->lock);
	return c;
}

/* [campaign] languages: the tags, into x->c->languages. */
static AttacheCode
read_languages(const Ctx *x, const char *langs, GError **error)
{
	g_auto(GStrv) parts = g_strsplit_set(langs, ",; ", -1);
	/* frees the tags when a later one is refused */
	g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; parts[i]; i++) {
		if (!*parts[i])
			continue;
		if (!attache__lang_tag_valid(parts[i]))
			return bad(error, x, "campaign", "languages",
				"\"%s\" is not a language tag (en, fr, ar, zh-Hans ...)",
				parts[i]);
		g_ptr_array_add(l, g_strdup(parts[i]));
	}
	if (l->len == 0)
		return bad(error, x, "campaign", "languages", "empty list");
	g_ptr_array_add(l, NULL);
	g_ptr_array_set_free_func(l, NULL);
	x->c->languages = (char **)g_ptr_array_free(g_steal_pointer(&l), FALSE);
	return ATTACHE_OK;
}

/* [campaign] first: languages decide which KEY.LANG are allowed. Then
 * the name, the file's stem when it gives none. */
static AttacheCode
read_campaign_group(const Ctx *x, GKeyFile *kf, GError **error)
{
	AttacheCampaign *c = x->c;
	AttacheCode code;
	if (g_key_file_has_group(kf, "campaign")) {
		g_autoptr(GHashTable) t = NULL;
		if ((code = read_group(x, kf, "campaign", G_CAMPAIGN, &t, error)))
			return code;
		c->name = g_strdup(g_hash_table_lookup(t, "name"));
		c->description = g_strdup(g_hash_table_lookup(t, "description"));
		const char *langs = g_hash_table_lookup(t, "languages");
		if (langs && (code = read_languages(x, langs, error)))
			return code;
		const char *lang = g_hash_table_lookup(t, "lang");
		if (lang && !attache__lang_tag_valid(lang))
			return bad(error, x, "campaign", "lang",
				"\"%s\" is not a language tag (en, fr, ar ...)", lang);
		if (lang && !lang_declared(c, lang))
			return bad(error, x, "campaign", "lang",
				"\"%s\" is not in languages", lang);
		c->lang = g_strdup(lang);
		const char *scan = g_hash_table_lookup(t, "scan-text");
		if (scan)
			attache__value_bool(scan, &c->scan_text);
		const char *protect = g_hash_table_lookup(t, "protect");
		if (protect && !attache__protect_from_string(protect, &c->protect))
			return bad(error, x, "campaign", "protect", "\"%s\": expected faces, text or faces,text", protect);
	}
	if (!c->name) {
		g_autofree char *base = g_path_get_basename(x->path);
		char *dot = strrchr(base, '.');
		if (dot && dot != base)
			*dot = '\0';
		c->name = g_strdup(base);
	}
	return ATTACHE_OK;
}

/* Whether layer @l has "text.LANG" for @lang (keys are in lower case). */
static gboolean
has_text_for(const Layer *l, const char *lang)
{
	g_autofree char *k = g_strdup_printf("text.%s", lang);
	lower_in_place(k);
	return g_hash_table_contains(l->keys, k);
}

/* A logo needs file=, a text text= or a variant for every language. */
static AttacheCode
check_required(const Ctx *x, const Layer *l, GError **error)
{
	const char **langs = (const char **)x->c->languages;
	gboolean text = l->type == ATTACHE_LAYER_TEXT;
	const char *must = text ? "text" : "file";
	if (g_hash_table_contains(l->keys, must))
		return ATTACHE_OK;
	/* text may come in variants only, one per declared language */
	GString *missing = g_string_new(NULL);
	for (int i = 0; text && langs && langs[i]; i++)
		if (!has_text_for(l, langs[i]))
			g_string_append_printf(missing, "%stext.%s",
				missing->len ? ", " : "", langs[i]);
	if (text && langs && !missing->len) {
		g_string_free(missing, TRUE);
		return ATTACHE_OK;
	}
	g_autofree char *list = g_ascii_strdown(missing->str, -1);
	g_string_free(missing, TRUE);
	if (*list)
		return bad(error, x, l->name, NULL,
			"no text= and no %s (text= serves languages without their own "
			"text.LANG)",
			list);
	return bad(error, x, l->name, NULL, "missing required key \"%s\"", must);
}

/* A layer translated into some languages must be into all the campaign
 * declares: else one language would silently get the default text. */
static AttacheCode
check_translations(const Ctx *x, const Layer *l, GError **error)
{
	const AttacheCampaign *c = x->c;
	gboolean any = FALSE;
	GHashTableIter it;
	gpointer key;
	if (l->type != ATTACHE_LAYER_TEXT || !c->languages)
		return ATTACHE_OK;
	g_hash_table_iter_init(&it, l->keys);
	while (g_hash_table_iter_next(&it, &key, NULL))
		any |= g_str_has_prefix(key, "text.");
	/* text= serves the campaign's own language */
	gboolean text = g_hash_table_contains(l->keys, "text");
	for (int i = 0; any && c->languages[i]; i++) {
		const char *lang = c->languages[i];
		if (has_text_for(l, lang) || (c->lang && text && !g_ascii_strcasecmp(c->lang, lang)))
			continue;
		g_autofree char *k = g_strdup_printf("text.%s", lang);
		lower_in_place(k);
		return bad(error, x, l->name, NULL,
			"has translations but no %s for \"%s\", which [campaign] "
			"languages lists (text= serves only the language in [campaign] "
			"lang)",
			k, lang);
	}
	return ATTACHE_OK;
}

/* The layers, in file order. */
static AttacheCode
read_layers(const Ctx *x, GKeyFile *kf, char **groups, GError **error)
{
	AttacheCode code;
	for (int g = 0; groups[g]; g++) {
		const char *group = groups[g];
		AttacheLayerType type;
		if (g_str_equal(group, "campaign") || g_str_equal(group, "accounts") || strchr(group, '@'))
			continue;
		if (!layer_type_of(group, &type))
			return bad(error, x, group, NULL,
				"unknown group (layers are [logo], [logo NAME], [text], "
				"[text NAME]; per-preset overrides [LAYER@PRESET])");
		Layer *l = g_new0(Layer, 1);
		l->name = g_strdup(group);
		l->type = type;
		g_ptr_array_add(x->c->layers, l);
		guint kind = type == ATTACHE_LAYER_LOGO ? G_LOGO : G_TEXT;
		if ((code = read_group(x, kf, group, kind, &l->keys, error)))
			return code;
		l->overrides = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
			(GDestroyNotify)g_hash_table_unref);
		if ((code = check_required(x, l, error)) || (code = check_translations(x, l, error)))
			return code;
	}
	return ATTACHE_OK;
}

/* The per-preset overrides, [LAYER@PRESET]. */
static AttacheCode
read_overrides(const Ctx *x, GKeyFile *kf, char **groups, GError **error)
{
	AttacheCode code;
	for (int g = 0; groups[g]; g++) {
		const char *group = groups[g];
		const char *at = strchr(group, '@');
		if (!at)
			continue;
		g_autofree char *lname = g_strndup(group, (gsize)(at - group));
		g_strstrip(lname);
		g_autofree char *preset = g_strstrip(g_strdup(at + 1));
		Layer *l = find_layer(x->c, lname);
		if (!l)
			return bad(error, x, group, NULL,
				"override for \"%s\", which is not a layer of this campaign",
				lname);
		if (!*preset)
			return bad(error, x, group, NULL, "no preset after @");
		g_autoptr(GError) e2 = NULL;
		if (x->presets && !attache_preset_set_lookup(x->presets, preset, &e2))
			return bad(error, x, group, NULL, "%s", e2->message);
		GHashTable *t;
		guint kind = l->type == ATTACHE_LAYER_LOGO ? G_LOGO : G_TEXT;
		if ((code = read_group(x, kf, group, kind, &t, error)))
			return code;
		g_hash_table_replace(l->overrides, g_strdup(preset), t);
	}
	return ATTACHE_OK;
}

/* [accounts]: each language's upload account, LANG = NAME, the
 * credentials.ini group [TARGET.NAME] (docs/campaigns.md, "Accounts"). */
static AttacheCode
read_accounts(const Ctx *x, GKeyFile *kf, GError **error)
{
	if (!g_key_file_has_group(kf, "accounts"))
		return ATTACHE_OK;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, "accounts", NULL, NULL);
	for (int i = 0; keys && keys[i]; i++) {
		const char *lang = keys[i];
		if (!attache__lang_tag_valid(lang))
			return bad(error, x, "accounts", lang,
				"\"%s\" is not a language tag (en, fr, ar ...)", lang);
		if (!lang_declared(x->c, lang))
			return bad(error, x, "accounts", lang,
				"language \"%s\" is not in [campaign] languages", lang);
		g_autofree char *v = g_key_file_get_string(kf, "accounts", lang, NULL);
		if (v)
			g_strstrip(v);
		if (!attache_account_name_valid(v))
			return bad(error, x, "accounts", lang,
				"\"%s\" is not an account name (letters, digits, - and _; "
				"credentials.ini then has [x.NAME], [mastodon.NAME] ...)",
				v ? v : "");
		g_autofree char *key = g_ascii_strdown(lang, -1);
		g_hash_table_replace(x->c->accounts, g_steal_pointer(&key),
			g_steal_pointer(&v));
	}
	return ATTACHE_OK;
}

gboolean
attache_account_name_valid(const char *name)
{
	gsize n = name ? strlen(name) : 0;
	if (n == 0 || n > 64)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_')
			return FALSE;
	return TRUE;
}

const char *
attache_campaign_account(const AttacheCampaign *c, const char *lang)
{
	if (!c || !lang)
		return NULL;
	g_autofree char *key = g_ascii_strdown(lang, -1);
	const char *a = g_hash_table_lookup(c->accounts, key);
	/* fr-CA without its own line goes with fr */
	char *dash = strchr(key, '-');
	if (!a && dash) {
		*dash = '\0';
		a = g_hash_table_lookup(c->accounts, key);
	}
	return a;
}

/* Reads and checks the whole campaign in its steps. @out: (transfer
 * full), %NULL on failure. */
static AttacheCode
campaign_parse(const char *path, const char *text, gsize len,
	const char *confine, const AttachePresetSet *presets,
	AttacheCampaign **out, GError **error)
{
	g_autoptr(GKeyFile) kf = NULL;
	AttacheCode code;
	*out = NULL;
	if ((code = campaign_keyfile(path, text, len, &kf, error)))
		return code;
	AttacheCampaign *c = campaign_new(path);
	Ctx x = { path, text, c, presets, confine };
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	if ((code = read_campaign_group(&x, kf, error)) || (code = read_layers(&x, kf, groups, error))
		|| (code = read_overrides(&x, kf, groups, error)) || (code = read_accounts(&x, kf, error))) {
		attache_campaign_free(c);
		return code;
	}
	/* a campaign may be there only to require protection */
	if (c->layers->len == 0 && !c->protect) {
		attache_campaign_free(c);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: no layers ([logo] or [text ...]) and no protect =", path);
		return ATTACHE_E_USAGE;
	}
	*out = c;
	return ATTACHE_OK;
}

void
attache_campaign_free(AttacheCampaign *c)
{
	if (!c)
		return;
	g_free(c->path);
	g_free(c->dir);
	g_free(c->name);
	g_free(c->description);
	g_strfreev(c->languages);
	g_free(c->lang);
	g_ptr_array_unref(c->layers);
	g_hash_table_unref(c->assets);
	g_hash_table_unref(c->accounts);
	g_hash_table_unref(c->rendered);
	g_mutex_clear(&c->lock);
	g_free(c);
}

guint
attache__campaign_protect(const AttacheCampaign *c)
{
	return c ? c->protect : 0;
}

const char *
attache_campaign_name(const AttacheCampaign *c)
{
	return c->name;
}

const char *
attache_campaign_path(const AttacheCampaign *c)
{
	return c->path;
}

const char *const *
attache_campaign_languages(const AttacheCampaign *c)
{
	return (const char *const *)c->languages;
}

const char *
attache_campaign_default_lang(const AttacheCampaign *c)
{
	return c->lang;
}

gboolean
attache__campaign_scans_text(const AttacheCampaign *c)
{
	return c && c->scan_text;
}

AttacheCode
attache_campaign_check_lang(const AttacheCampaign *c, const char *lang,
	GError **error)
{
	if (lang && !attache__lang_tag_valid(lang)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--lang \"%s\": not a language tag (en, fr, es, ar, zh, ru ...)",
			lang);
		return ATTACHE_E_USAGE;
	}
	if (!c)
		return ATTACHE_OK;
	if (!lang)
		lang = c->lang;
	if (lang && !lang_declared(c, lang)) {
		g_autofree char *list = g_strjoinv(", ", c->languages);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: campaign \"%s\" has no language \"%s\" (it has %s)", c->path,
			c->name, lang, list);
		return ATTACHE_E_USAGE;
	}
	/* every text layer needs a text for this language (or a default) */
	for (guint i = 0; i < c->layers->len; i++) {
		Layer *l = c->layers->pdata[i];
		if (l->type != ATTACHE_LAYER_TEXT || g_hash_table_contains(l->keys, "text"))
			continue;
		g_autofree char *k = lang ? g_strdup_printf("text.%s", lang) : NULL;
		if (k)
			lower_in_place(k);
		if (!k || !g_hash_table_contains(l->keys, k)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s: [%s] has no text for %s%s (give --lang, or text= as the "
				"default)",
				c->path, l->name, lang ? "language " : "no language",
				lang ? lang : "");
			return ATTACHE_E_USAGE;
		}
	}
	return ATTACHE_OK;
}

/* ---- resolution (brand.c) ---- */

/* Whether the first letter is of a right-to-left script: how Pango picks
 * a paragraph's direction (the Unicode bidi rule P2, for letters). */
static gboolean
first_strong_rtl(const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		if (!g_unichar_isalpha(ch))
			continue;
		switch (g_unichar_get_script(ch)) {
		case G_UNICODE_SCRIPT_ARABIC:
		case G_UNICODE_SCRIPT_HEBREW:
		case G_UNICODE_SCRIPT_SYRIAC:
		case G_UNICODE_SCRIPT_THAANA:
		case G_UNICODE_SCRIPT_NKO:
		case G_UNICODE_SCRIPT_SAMARITAN:
		case G_UNICODE_SCRIPT_MANDAIC:
		case G_UNICODE_SCRIPT_ADLAM:
		case G_UNICODE_SCRIPT_HANIFI_ROHINGYA:
			return TRUE;
		default:
			return FALSE;
		}
	}
	return FALSE;
}

guint
attache__campaign_n_layers(const AttacheCampaign *c)
{
	return c->layers->len;
}

/* KEY for @preset and @lang: override.KEY.LANG > override.KEY >
 * layer.KEY.LANG > layer.KEY (keys are stored in lower case). */
static const char *
lookup(const Layer *l, const char *preset, const char *lang,
	const char *key)
{
	GHashTable *o = preset ? g_hash_table_lookup(l->overrides, preset)
						   : NULL;
	GHashTable *tables[2] = { o, l->keys };
	g_autofree char *k = lang ? g_strdup_printf("%s.%s", key, lang) : NULL;
	if (k)
		lower_in_place(k);
	for (int t = 0; t < 2; t++) {
		const char *v;
		if (!tables[t])
			continue;
		if (k && (v = g_hash_table_lookup(tables[t], k)))
			return v;
		if ((v = g_hash_table_lookup(tables[t], key)))
			return v;
	}
	return NULL;
}

void
attache__campaign_layer_resolve(const AttacheCampaign *c, guint i,
	const char *preset, const char *lang, AttacheLayerSpec *s)
{
	const Layer *l = c->layers->pdata[i];
	const char *v;

	if (!lang)
		lang = c->lang;
	memset(s, 0, sizeof(*s));
	s->type = l->type;
	s->name = l->name;
	s->enabled = TRUE;
	s->margin = 0.03;
	s->opacity = 1;
	s->row = 2;
	s->col = l->type == ATTACHE_LAYER_LOGO ? 2 : 0;
	s->align = ATTACHE_ALIGN_AUTO;

	if ((v = lookup(l, preset, lang, "enabled")))
		attache__value_bool(v, &s->enabled);
	if ((v = lookup(l, preset, lang, "anchor")))
		parse_anchor(v, &s->row, &s->col);
	if ((v = lookup(l, preset, lang, "margin")))
		attache__value_fraction(v, &s->margin);
	if ((v = lookup(l, preset, lang, "opacity")))
		attache__value_fraction(v, &s->opacity);

	if (l->type == ATTACHE_LAYER_LOGO) {
		s->size = 0.12;
		if ((v = lookup(l, preset, lang, "size")))
			attache__value_fraction(v, &s->size);
		v = lookup(l, preset, lang, "file");
		g_autofree char *p = g_path_is_absolute(v)
								 ? g_strdup(v)
								 : g_build_filename(c->dir, v, NULL);
		g_autofree char *canon = g_canonicalize_filename(p, NULL);
		s->asset = g_hash_table_lookup(c->assets, canon);
		return;
	}

	s->size = 0.045;
	s->text = lookup(l, preset, lang, "text");
	s->font = lookup(l, preset, lang, "font");
	if (!s->font)
		s->font = "Noto Sans Bold";
	s->colour[0] = s->colour[1] = s->colour[2] = s->colour[3] = 255;
	s->background = ATTACHE_BACKGROUND_NONE;
	s->background_colour[3] = 160; /* black at 63 % */
	s->padding = 0.015;
	s->max_width = 1;
	if ((v = lookup(l, preset, lang, "size")))
		attache__value_fraction(v, &s->size);
	if ((v = lookup(l, preset, lang, "colour")))
		attache__value_colour(v, TRUE, s->colour);
	if ((v = lookup(l, preset, lang, "background")))
		parse_background(v, &s->background);
	if ((v = lookup(l, preset, lang, "background-colour")))
		attache__value_colour(v, TRUE, s->background_colour);
	if ((v = lookup(l, preset, lang, "padding")))
		attache__value_fraction(v, &s->padding);
	if ((v = lookup(l, preset, lang, "max-width")))
		attache__value_fraction(v, &s->max_width);
	if ((v = lookup(l, preset, lang, "align")))
		parse_align(v, &s->align);
	/* the paragraph direction, for physical alignment (Pango swaps
	 * left and right for right-to-left paragraphs) */
	g_autofree char *plain = NULL;
	if (s->text && pango_parse_markup(s->text, -1, 0, NULL, &plain, NULL, NULL))
		s->rtl = first_strong_rtl(plain);
}

VipsImage *
attache__campaign_cache_get(AttacheCampaign *c, const char *key)
{
	g_mutex_lock(&c->lock);
	VipsImage *im = g_hash_table_lookup(c->rendered, key);
	if (im)
		g_object_ref(im);
	g_mutex_unlock(&c->lock);
	return im;
}

void
attache__campaign_cache_put(AttacheCampaign *c, const char *key,
	VipsImage *im)
{
	g_mutex_lock(&c->lock);
	/* bounded: a batch of "inside" presets makes many sizes */
	if (g_hash_table_size(c->rendered) >= CACHE_MAX)
		g_hash_table_remove_all(c->rendered);
	g_hash_table_replace(c->rendered, g_strdup(key), g_object_ref(im));
	g_mutex_unlock(&c->lock);
}
