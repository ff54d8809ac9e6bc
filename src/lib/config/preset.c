/* SPDX-License-Identifier: MIT */
/*
 * preset.c: platform presets, one GKeyFile .ini per preset (docs/presets.md).
 *
 * Every key is declared once in preset_keys[]: parsing, validation, the
 * error messages and `attache presets NAME` all come from that table.
 */
#include "private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
	KEY_STRING,
	KEY_INT,
	KEY_BYTES,
	KEY_BOOL,
	KEY_DOUBLE,
	KEY_FIT,
	KEY_CROP,
	KEY_PAD,
	KEY_COLOUR,
	KEY_FORMAT,
} KeyType;

typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	gsize offset;
	double min, max; /* numbers */
	gboolean required;
} PresetKey;

#define OFF(f) G_STRUCT_OFFSET(AttachePreset, f)

static const PresetKey preset_keys[] = {
	{ "preset", "description", KEY_STRING, OFF(description), 0, 0, TRUE },
	{ "preset", "platform", KEY_STRING, OFF(platform), 0, 0, TRUE },
	/* required unless [fit] pixels= gives a pixel budget instead */
	{ "fit", "width", KEY_INT, OFF(width), 16, 16384, TRUE },
	{ "fit", "height", KEY_INT, OFF(height), 16, 16384, TRUE },
	{ "fit", "mode", KEY_FIT, OFF(fit), 0, 0, FALSE },
	{ "fit", "crop", KEY_CROP, OFF(crop), 0, 0, FALSE },
	{ "fit", "pad", KEY_PAD, OFF(pad), 0, 0, FALSE },
	{ "fit", "pad-colour", KEY_COLOUR, OFF(pad_colour), 0, 0, FALSE },
	{ "fit", "upscale", KEY_BOOL, OFF(upscale), 0, 0, FALSE },
	/* the output's pixel budget (not max-pixels, the input's limit) */
	{ "fit", "pixels", KEY_BYTES, OFF(fit_pixels), 0, 268435456, FALSE },
	{ "encode", "format", KEY_FORMAT, OFF(format), 0, 0, FALSE },
	{ "encode", "fallback", KEY_FORMAT, OFF(fallback), 0, 0, FALSE },
	{ "encode", "max-bytes", KEY_BYTES, OFF(max_bytes), 1024, 1e12, TRUE },
	{ "encode", "quality-max", KEY_INT, OFF(quality_max), 1, 100, FALSE },
	{ "encode", "quality-min", KEY_INT, OFF(quality_min), 1, 100, FALSE },
	{ "encode", "min-side", KEY_INT, OFF(min_side), 16, 16384, FALSE },
	{ "limits", "max-pixels", KEY_BYTES, OFF(max_pixels), 0, 1e12, FALSE },
	{ "alt", "max-chars", KEY_INT, OFF(alt_max_chars), 0, 1000000, FALSE },
	{ "safe-area", "top", KEY_DOUBLE, OFF(safe_area[0]), 0, 0.45, FALSE },
	{ "safe-area", "right", KEY_DOUBLE, OFF(safe_area[1]), 0, 0.45, FALSE },
	{ "safe-area", "bottom", KEY_DOUBLE, OFF(safe_area[2]), 0, 0.45, FALSE },
	{ "safe-area", "left", KEY_DOUBLE, OFF(safe_area[3]), 0, 0.45, FALSE },
};

struct _AttachePresetSet {
	GHashTable *by_name; /* name -> AttachePreset* (owned) */
};

static void
preset_defaults(AttachePreset *p)
{
	p->fit = ATTACHE_FIT_COVER;
	p->crop = ATTACHE_CROP_ATTENTION;
	p->pad = ATTACHE_PAD_BLUR;
	p->format = ATTACHE_FORMAT_JPEG;
	p->fallback = ATTACHE_FORMAT_JPEG;
	p->quality_max = 85;
	p->quality_min = 60;
	p->min_side = 320;
}

void
attache_preset_free(AttachePreset *p)
{
	if (!p)
		return;
	g_free(p->name);
	g_free(p->description);
	g_free(p->platform);
	g_free(p->path);
	g_free(p);
}

static AttachePreset *
preset_copy(const AttachePreset *p)
{
	AttachePreset *c = g_memdup2(p, sizeof(*p));
	c->name = g_strdup(p->name);
	c->description = g_strdup(p->description);
	c->platform = g_strdup(p->platform);
	c->path = g_strdup(p->path);
	return c;
}

/* The line a key sits on, for error messages (GKeyFile does not keep it). */
int
attache__keyfile_line(const char *text, const char *group, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	gboolean in_group = group == NULL;
	for (int i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]);
		if (*l == '[') {
			g_autofree char *g = g_strdup_printf("[%s]", group ? group : "");
			in_group = group && g_str_equal(l, g);
			if (!key && in_group)
				return i + 1;
			continue;
		}
		if (in_group && key && g_str_has_prefix(l, key)) {
			const char *rest = l + strlen(key);
			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest == '=')
				return i + 1;
		}
	}
	return 0;
}

static AttacheCode
bad_value(GError **error, const char *path, const char *text,
	const PresetKey *k, const char *value, const char *why)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"%s:%d: [%s] %s=%s: %s", path, attache__keyfile_line(text, k->group, k->key),
		k->group, k->key, value, why);
	return ATTACHE_E_USAGE;
}

static AttacheCode
set_key(AttachePreset *p, const PresetKey *k, const char *raw,
	const char *path, const char *text, GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(raw));
	guint8 *field = (guint8 *)p + k->offset;
	char *end;

	switch (k->type) {
	case KEY_STRING:
		g_free(*(char **)field);
		*(char **)field = g_strdup(v);
		return ATTACHE_OK;
	case KEY_INT: {
		errno = 0;
		gint64 n = g_ascii_strtoll(v, &end, 10);
		if (errno || end == v || *end)
			return bad_value(error, path, text, k, v, "not a whole number");
		if (n < k->min || n > k->max) {
			g_autofree char *why = g_strdup_printf("out of range %g..%g",
				k->min, k->max);
			return bad_value(error, path, text, k, v, why);
		}
		*(int *)field = (int)n;
		return ATTACHE_OK;
	}
	case KEY_BYTES: {
		gint64 n;
		if (!attache__value_bytes(v, &n))
			return bad_value(error, path, text, k, v,
				"not a size (e.g. 5000000, 5MB, 16MiB)");
		if (n < k->min || n > k->max) {
			g_autofree char *why = g_strdup_printf("out of range %.0f..%.0f",
				k->min, k->max);
			return bad_value(error, path, text, k, v, why);
		}
		*(gint64 *)field = n;
		return ATTACHE_OK;
	}
	case KEY_DOUBLE: {
		errno = 0;
		double d = g_ascii_strtod(v, &end);
		if (errno || end == v || *end)
			return bad_value(error, path, text, k, v, "not a number");
		if (!(d >= k->min && d <= k->max)) { /* nan too */
			g_autofree char *why = g_strdup_printf("out of range %g..%g",
				k->min, k->max);
			return bad_value(error, path, text, k, v, why);
		}
		*(double *)field = d;
		return ATTACHE_OK;
	}
	case KEY_BOOL:
		if (!attache__value_bool(v, (gboolean *)field))
			return bad_value(error, path, text, k, v, "expected true or false");
		return ATTACHE_OK;
	case KEY_FIT:
		if (!attache_fit_from_string(v, (AttacheFit *)field))
			return bad_value(error, path, text, k, v,
				"expected cover, contain or inside");
		return ATTACHE_OK;
	case KEY_CROP:
		if (!attache_crop_from_string(v, (AttacheCrop *)field) || *(AttacheCrop *)field == ATTACHE_CROP_FOCUS)
			return bad_value(error, path, text, k, v,
				"expected attention, entropy, centre or attention-only");
		return ATTACHE_OK;
	case KEY_PAD:
		if (!g_ascii_strcasecmp(v, "blur"))
			*(AttachePad *)field = ATTACHE_PAD_BLUR;
		else if (!g_ascii_strcasecmp(v, "colour") || !g_ascii_strcasecmp(v, "color"))
			*(AttachePad *)field = ATTACHE_PAD_COLOUR;
		else
			return bad_value(error, path, text, k, v,
				"expected blur or colour");
		return ATTACHE_OK;
	case KEY_COLOUR:
		if (!attache__value_colour(v, FALSE, (double *)field))
			return bad_value(error, path, text, k, v,
				"expected a colour as #rrggbb");
		return ATTACHE_OK;
	case KEY_FORMAT:
		if (!attache_format_from_string(v, (AttacheFormat *)field))
			return bad_value(error, path, text, k, v,
				"expected jpeg, png or webp");
		return ATTACHE_OK;
	}
	return ATTACHE_E_INTERNAL;
}

static const PresetKey *
find_key(const char *group, const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(preset_keys); i++)
		if (g_str_equal(preset_keys[i].group, group) && g_str_equal(preset_keys[i].key, key))
			return &preset_keys[i];
	return NULL;
}

static gboolean
known_group(const char *group)
{
	for (guint i = 0; i < G_N_ELEMENTS(preset_keys); i++)
		if (g_str_equal(preset_keys[i].group, group))
			return TRUE;
	return FALSE;
}

/* [fit] pixels: the photo whole, aspect kept, at most that many pixels and
 * never enlarged; width and height, when given, are a box as well. */
static AttacheCode
check_pixels(AttachePreset *p, GKeyFile *kf, const char *path, const char *text, GError **error)
{
	if (!p->fit_pixels)
		return ATTACHE_OK;
	const char *why = NULL;
	if (g_key_file_has_key(kf, "fit", "mode", NULL) && p->fit != ATTACHE_FIT_INSIDE)
		why = "a pixel budget keeps the whole photo: mode must be inside";
	else if (p->upscale)
		why = "a pixel budget never enlarges a photo: upscale must be false";
	else if (g_key_file_has_key(kf, "fit", "width", NULL) != g_key_file_has_key(kf, "fit", "height", NULL))
		why = "give both width and height (a box), or neither";
	if (why) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s:%d: [fit] pixels: %s", path,
			attache__keyfile_line(text, "fit", "pixels"), why);
		return ATTACHE_E_USAGE;
	}
	p->fit = ATTACHE_FIT_INSIDE;
	return ATTACHE_OK;
}

AttacheCode
attache_preset_load_file(const char *path, AttachePreset **out,
	GError **error)
{
	g_autofree char *text = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;

	/* bounded: a FIFO or a device named as a preset never blocks */
	if (attache__read_small(path, 65536, 0, &text, &len, &local)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"cannot read preset: %s", local->message);
		return ATTACHE_E_USAGE;
	}
	return attache__preset_load_data(path, text, len, out, error);
}

/* The parse of attache_preset_load_file(), from memory (the fuzz target's
 * entry point). @text: borrowed, NUL-terminated at @len; @path names the
 * preset and its messages. @out: (transfer full). */
AttacheCode
attache__preset_load_data(const char *path, const char *text, gsize len,
	AttachePreset **out, GError **error)
{
	g_autoptr(GError) local = NULL;
	const char *bad_at;
	/* GKeyFile takes any bytes in values: checked here, so that every
	 * message and `attache presets show` print text */
	if (!g_utf8_validate_len(text, len, &bad_at)) {
		int line = 1;
		for (const char *c = text; c < bad_at; c++)
			line += *c == '\n';
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s:%d: not valid UTF-8 (save the file as UTF-8)", path, line);
		return ATTACHE_E_USAGE;
	}
	g_autoptr(GKeyFile) kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
		/* GKeyFile's own message names the line */
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s", path,
			local->message);
		return ATTACHE_E_USAGE;
	}

	g_autoptr(AttachePreset) p = g_new0(AttachePreset, 1);
	preset_defaults(p);
	g_autofree char *base = g_path_get_basename(path);
	char *dot = strrchr(base, '.');
	if (dot)
		*dot = '\0';
	p->name = g_strdup(base);
	p->path = g_strdup(path);

	/* Unknown groups and keys are errors: a typo must not be silently
	 * ignored in something that decides what gets published. */
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (int g = 0; groups[g]; g++) {
		if (!known_group(groups[g])) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s:%d: unknown group [%s]", path,
				attache__keyfile_line(text, groups[g], NULL), groups[g]);
			return ATTACHE_E_USAGE;
		}
		g_auto(GStrv) keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);
		for (int i = 0; keys && keys[i]; i++) {
			const PresetKey *k = find_key(groups[g], keys[i]);
			if (!k) {
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"%s:%d: [%s] unknown key \"%s\"", path,
					attache__keyfile_line(text, groups[g], keys[i]), groups[g], keys[i]);
				return ATTACHE_E_USAGE;
			}
			g_autofree char *v = g_key_file_get_value(kf, groups[g],
				keys[i], NULL);
			if (set_key(p, k, v, path, text, error))
				return ATTACHE_E_USAGE;
		}
	}

	if (check_pixels(p, kf, path, text, error))
		return ATTACHE_E_USAGE;
	for (guint i = 0; i < G_N_ELEMENTS(preset_keys); i++) {
		const PresetKey *k = &preset_keys[i];
		if (k->required && !(p->fit_pixels && g_str_equal(k->group, "fit"))
			&& !g_key_file_has_key(kf, k->group, k->key, NULL)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s: [%s] missing required key \"%s\"", path, k->group,
				k->key);
			return ATTACHE_E_USAGE;
		}
	}
	if (p->quality_min > p->quality_max) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s:%d: [encode] quality-min=%d is above quality-max=%d", path,
			attache__keyfile_line(text, "encode", "quality-min"), p->quality_min,
			p->quality_max);
		return ATTACHE_E_USAGE;
	}
	if (p->fallback == ATTACHE_FORMAT_PNG) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s:%d: [encode] fallback=png: the fallback must be a lossy "
			"format (jpeg or webp)",
			path, attache__keyfile_line(text, "encode", "fallback"));
		return ATTACHE_E_USAGE;
	}
	if (p->safe_area[0] + p->safe_area[2] > 0.8 || p->safe_area[1] + p->safe_area[3] > 0.8) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: [safe-area] margins leave less than 20%% of the image",
			path);
		return ATTACHE_E_USAGE;
	}

	*out = g_steal_pointer(&p);
	return ATTACHE_OK;
}

char *
attache_preset_to_string(const AttachePreset *p)
{
	GString *s = g_string_new(NULL);
	const char *group = NULL;

	g_string_append_printf(s, "# %s (%s)\n", p->name, p->path);
	for (guint i = 0; i < G_N_ELEMENTS(preset_keys); i++) {
		const PresetKey *k = &preset_keys[i];
		const guint8 *field = (const guint8 *)p + k->offset;
		/* a pixel budget without a box: no width or height to show */
		if (k->type == KEY_INT && k->required && !*(const int *)field)
			continue;
		if (!group || !g_str_equal(group, k->group)) {
			group = k->group;
			g_string_append_printf(s, "%s[%s]\n", s->len ? "\n" : "", group);
		}
		g_string_append_printf(s, "%s=", k->key);
		switch (k->type) {
		case KEY_STRING:
			g_string_append(s, *(char *const *)field ? *(char *const *)field
													 : "");
			break;
		case KEY_INT:
			g_string_append_printf(s, "%d", *(const int *)field);
			break;
		case KEY_BYTES:
			g_string_append_printf(s, "%" G_GINT64_FORMAT,
				*(const gint64 *)field);
			break;
		case KEY_DOUBLE: {
			char buf[G_ASCII_DTOSTR_BUF_SIZE];
			g_string_append(s,
				g_ascii_dtostr(buf, sizeof(buf), *(const double *)field));
			break;
		}
		case KEY_BOOL:
			g_string_append(s, *(const gboolean *)field ? "true" : "false");
			break;
		case KEY_FIT:
			g_string_append(s, attache_fit_name(*(const AttacheFit *)field));
			break;
		case KEY_CROP:
			g_string_append(s,
				attache_crop_name(*(const AttacheCrop *)field));
			break;
		case KEY_PAD:
			g_string_append(s, *(const AttachePad *)field == ATTACHE_PAD_BLUR
								   ? "blur"
								   : "colour");
			break;
		case KEY_COLOUR: {
			const double *c = (const double *)field;
			g_string_append_printf(s, "#%02x%02x%02x", (int)c[0], (int)c[1],
				(int)c[2]);
			break;
		}
		case KEY_FORMAT:
			g_string_append(s,
				attache_format_name(*(const AttacheFormat *)field));
			break;
		}
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

/* Adds every *.ini in @dir to @set, replacing same-named ones. A missing
 * folder is fine (the user's is optional); a broken file is an error. */
static AttacheCode
load_dir(AttachePresetSet *set, const char *dir, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
	if (!d)
		return ATTACHE_OK;

	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, ".ini") && n[0] != '.')
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);

	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir,
			(char *)names->pdata[i], NULL);
		AttachePreset *p;
		if (attache_preset_load_file(path, &p, error))
			return ATTACHE_E_USAGE;
		g_hash_table_replace(set->by_name, p->name, p);
	}
	return ATTACHE_OK;
}

AttacheCode
attache_preset_set_load(const char *builtin_dir, const char *user_dir,
	AttachePresetSet **out, GError **error)
{
	AttachePresetSet *set = g_new0(AttachePresetSet, 1);
	set->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
		(GDestroyNotify)attache_preset_free);

	g_autofree char *user = user_dir
								? g_strdup(user_dir)
								: g_build_filename(g_get_user_config_dir(), "attache", "presets",
									NULL);

	if (load_dir(set, builtin_dir ? builtin_dir : attache__builtin_preset_dir(),
			error)
		|| load_dir(set, user, error)) {
		attache_preset_set_free(set);
		return ATTACHE_E_USAGE;
	}
	*out = set;
	return ATTACHE_OK;
}

void
attache_preset_set_free(AttachePresetSet *set)
{
	if (!set)
		return;
	g_hash_table_unref(set->by_name);
	g_free(set);
}

const AttachePreset *
attache_preset_set_lookup(const AttachePresetSet *set, const char *name,
	GError **error)
{
	const AttachePreset *p = g_hash_table_lookup(set->by_name, name);
	if (!p) {
		g_autoptr(GPtrArray) all = attache_preset_set_list(set);
		GString *known = g_string_new(NULL);
		g_autofree const char **names = g_new0(const char *, all->len + 1);
		for (guint i = 0; i < all->len; i++) {
			names[i] = ((AttachePreset *)all->pdata[i])->name;
			g_string_append_printf(known, "%s%s", i ? ", " : "", names[i]);
		}
		const char *near = attache_suggest(name, names, all->len);
		g_autofree char *hint = near ? g_strdup_printf("did you mean \"%s\"? ", near) : NULL;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown preset \"%s\" (%sknown: %s)", name, hint ? hint : "", known->str);
		g_string_free(known, TRUE);
	}
	return p;
}

static int
by_name(gconstpointer a, gconstpointer b)
{
	const AttachePreset *pa = *(AttachePreset *const *)a;
	const AttachePreset *pb = *(AttachePreset *const *)b;
	return strcmp(pa->name, pb->name);
}

GPtrArray *
attache_preset_set_list(const AttachePresetSet *set)
{
	GPtrArray *a = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, set->by_name);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(a, v);
	g_ptr_array_sort(a, by_name);
	return a;
}

/* Used by prep options: presets are copied so options outlive the set. */
AttachePreset *
attache__preset_copy(const AttachePreset *p)
{
	return preset_copy(p);
}
