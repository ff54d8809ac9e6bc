/* SPDX-License-Identifier: MIT */
/*
 * photo-settings.c: a photo's own settings file, PHOTO.attache.ini beside
 * it (docs/prep.md, "A photo's own settings"). IMG_1.jpg reads
 * IMG_1.jpg.attache.ini, else IMG_1.attache.ini: the whole name wins, as
 * for alt-text sidecars, since only it tells IMG_1.jpg from IMG_1.heic.
 *
 *   [photo]              (may be left out: keys before any group are its)
 *   rotate = 90
 *   focus = 0.3,0.4
 *   protect = faces
 *   mask = 0.62,0.10,0.08,0.12 0.05,0.4,0.1,0.1
 *   unmask = 2
 *   alt = Two volunteers unload a van      (x-default)
 *   alt.fr = Deux bénévoles déchargent une camionnette
 *   [alt]
 *   ar = متطوعان يفرغان شاحنة
 *
 * The keys of [photo] are the option table's per-photo rows
 * (ATTACHE_SCOPE_PHOTO), checked by the table. The file comes from whoever
 * supplied the photo, so it is read beneath the photo's folder (no symbolic
 * link, no FIFO, at most 64 KiB), and GKeyFile parses it. An error names
 * the file and line, and fails that photo only.
 */
#include "private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define SETTINGS_MAX (64 * 1024)
#define SUFFIX ".attache.ini"

void
attache__photo_settings_free(AttachePhotoSettings *s)
{
	if (!s)
		return;
	g_free(s->path);
	if (s->alt)
		g_ptr_array_unref(s->alt);
	if (s->masks)
		g_ptr_array_unref(s->masks);
	g_free(s);
}

static AttacheCode
bad(GError **error, const char *path, int line, const char *why)
{
	if (line > 0)
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s:%d: %s", path, line, why);
	else
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: %s", path, why);
	return ATTACHE_E_INPUT;
}

/* Whether @line (trimmed) is something GKeyFile reads. */
static gboolean
line_ok(const char *line)
{
	return !*line || *line == '#' || (*line == '[' && line[strlen(line) - 1] == ']') || strchr(line, '=');
}

/* The line (1-based, in the file as written) of @key in @group, or of the
 * first line GKeyFile cannot read when @key is NULL; 0 when not found.
 * @lines: the file's lines; @implicit: the file had no group before its
 * first key (it is [photo]). */
static int
line_of_nth(char **lines, gboolean implicit, const char *group, const char *key, int nth);

static int
line_of(char **lines, gboolean implicit, const char *group, const char *key)
{
	return line_of_nth(lines, implicit, group, key, 1);
}

/* The same for the @nth line of @key (a key written twice). */
static int
line_of_nth(char **lines, gboolean implicit, const char *group, const char *key, int nth)
{
	const char *in = implicit ? "photo" : NULL;
	g_autofree char *at = NULL;
	for (int i = 0; lines[i]; i++) {
		g_autofree char *l = g_strstrip(g_strdup(lines[i]));
		if (!key) {
			if (!line_ok(l))
				return i + 1;
			continue;
		}
		if (*l == '[' && l[strlen(l) - 1] == ']') {
			g_free(at);
			at = g_strndup(l + 1, strlen(l) - 2);
			in = at;
			continue;
		}
		char *eq = strchr(l, '=');
		if (*l == '#' || !eq || g_strcmp0(in, group))
			continue;
		*eq = '\0';
		if (g_str_equal(g_strstrip(l), key) && --nth == 0)
			return i + 1;
	}
	return 0;
}

/* "alt" -> x-default, "alt.fr" or "alt[fr]" -> fr, in [photo]; any key
 * in [alt] ("x-default" or "default" for x-default). NULL when @key is no
 * alt text. (transfer full) */
static char *
alt_lang(const char *group, const char *key)
{
	if (g_str_equal(group, "alt"))
		return g_strdup(!g_ascii_strcasecmp(key, "default") ? "x-default" : key);
	if (g_str_equal(key, "alt"))
		return g_strdup("x-default");
	if (g_str_has_prefix(key, "alt."))
		return g_strdup(key + 4);
	if (g_str_has_prefix(key, "alt[") && g_str_has_suffix(key, "]"))
		return g_strndup(key + 4, strlen(key) - 5);
	return NULL;
}

/* One alt text of @lang, checked. */
static AttacheCode
add_alt(AttachePhotoSettings *s, const char *lang, const char *value, const char *where, GError **error)
{
	if (g_ascii_strcasecmp(lang, "x-default") && !attache__lang_tag_valid(lang)) {
		g_autofree char *why = g_strdup_printf("\"%s\" is not a language tag (alt.fr, alt.zh-Hans ...)", lang);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: %s", where, why);
		return ATTACHE_E_INPUT;
	}
	g_autofree char *text = g_strstrip(g_strdup(value));
	g_autoptr(GError) e = NULL;
	if (attache_alt_validate(text, where, &e)) {
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_INPUT, e->message);
		return ATTACHE_E_INPUT;
	}
	for (guint i = 0; i < s->alt->len; i++)
		if (!g_ascii_strcasecmp(((AttacheAlt *)s->alt->pdata[i])->lang, lang)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: a second alt text in %s", where, lang);
			return ATTACHE_E_INPUT;
		}
	AttacheAlt *a = g_new0(AttacheAlt, 1);
	a->lang = g_ascii_strcasecmp(lang, "x-default") ? g_strdup(lang) : g_strdup("x-default");
	a->text = g_steal_pointer(&text);
	g_ptr_array_add(s->alt, a);
	return ATTACHE_OK;
}

/* A key of [photo] that is not alt text: a per-photo row of the option
 * table, its value checked by the table. */
static AttacheCode
set_key(AttachePhotoSettings *s, const char *key, const char *value, const char *where, GError **error)
{
	const AttacheOption *o = attache_option_find(key, ATTACHE_SCOPE_PHOTO);
	g_autoptr(GError) e = NULL;
	if (!o || g_str_equal(o->name, "alt")) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: \"%s\" is not a setting of a photo (rotate, focus, protect, mask, unmask, alt, alt.LANG; "
			"docs/prep.md)",
			where, key);
		return ATTACHE_E_INPUT;
	}
	if (attache_option_check(o, value, &e)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: %s", where, e->message);
		return ATTACHE_E_INPUT;
	}
	if (g_str_equal(o->name, "protect"))
		attache__protect_from_string(value, &s->protect);
	else if (g_str_equal(o->name, "mask")) {
		/* one key: GKeyFile keeps the last of a repeated one, so all the
		 * boxes are on its line */
		g_clear_pointer(&s->masks, g_ptr_array_unref);
		attache__regions_from_string(value, &s->masks, NULL);
	}
	else if (g_str_equal(o->name, "unmask"))
		attache__unmask_from_string(value, &s->unmask, NULL);
	else if (g_str_equal(o->name, "rotate")) {
		attache_rotate_from_string(value, &s->rotate);
		s->have_rotate = TRUE;
	}
	else {
		attache_focus_from_string(value, &s->focus_x, &s->focus_y);
		s->have_focus = TRUE;
	}
	return ATTACHE_OK;
}

/* Every key of @group ("photo" or "alt"). */
static AttacheCode
read_group(AttachePhotoSettings *s, GKeyFile *kf, char **lines, gboolean implicit, const char *group,
	GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	for (int i = 0; keys && keys[i]; i++) {
		int line = line_of(lines, implicit, group, keys[i]);
		g_autofree char *where = line ? g_strdup_printf("%s:%d", s->path, line) : g_strdup(s->path);
		g_autoptr(GError) e = NULL;
		g_autofree char *value = g_key_file_get_string(kf, group, keys[i], &e);
		if (!value) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s: %s", where, e->message);
			return ATTACHE_E_INPUT;
		}
		/* GKeyFile keeps the last of a key written twice: a box of a
		 * first `mask =` line would be dropped without a word */
		int again = line_of_nth(lines, implicit, group, keys[i], 2);
		if (again) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "%s:%d: \"%s\" a second time (line %d has it): write it once%s",
				s->path, again, keys[i], line, g_str_equal(keys[i], "mask") ? ", with every box on its line" : "");
			return ATTACHE_E_INPUT;
		}
		g_autofree char *lang = alt_lang(group, keys[i]);
		AttacheCode code = lang ? add_alt(s, lang, value, where, error) : set_key(s, keys[i], value, where, error);
		if (code)
			return code;
	}
	return ATTACHE_OK;
}

AttacheCode
attache__photo_settings_parse(const char *path, const char *data, gsize len, AttachePhotoSettings **out,
	GError **error)
{
	*out = NULL;
	const char *end;
	if (!g_utf8_validate_len(data, len, &end)) {
		int line = 1;
		for (const char *p = data; p < end; p++)
			line += *p == '\n';
		return bad(error, path, line, "not valid UTF-8 (save the file as UTF-8)");
	}
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	g_autofree char *text = g_strndup(data, len);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	/* keys before any group are [photo]'s: the short form of the file */
	gboolean implicit = FALSE;
	for (int i = 0; lines[i]; i++) {
		g_autofree char *l = g_strstrip(g_strdup(lines[i]));
		if (!*l || *l == '#')
			continue;
		implicit = *l != '[';
		break;
	}
	g_autofree char *whole = implicit ? g_strconcat("[photo]\n", text, NULL) : g_strdup(text);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) e = NULL;
	if (!g_key_file_load_from_data(kf, whole, (gsize)-1, G_KEY_FILE_NONE, &e)) {
		int line = line_of(lines, implicit, NULL, NULL);
		return bad(error, path, line, line ? "not a key = value line, a [group] or a # comment" : e->message);
	}
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (int i = 0; groups[i]; i++)
		if (!g_str_equal(groups[i], "photo") && !g_str_equal(groups[i], "alt")) {
			g_autofree char *want = g_strdup_printf("[%s]", groups[i]);
			int line = 0;
			for (int k = 0; lines[k] && !line; k++) {
				g_autofree char *l = g_strstrip(g_strdup(lines[k]));
				line = g_str_equal(l, want) ? k + 1 : 0;
			}
			g_autofree char *why = g_strdup_printf("unknown group [%s] (a photo's settings have [photo] and [alt])",
				groups[i]);
			return bad(error, path, line, why);
		}

	AttachePhotoSettings *s = g_new0(AttachePhotoSettings, 1);
	s->path = g_strdup(path);
	s->alt = g_ptr_array_new_with_free_func((GDestroyNotify)attache_alt_free);
	if (read_group(s, kf, lines, implicit, "photo", error) || read_group(s, kf, lines, implicit, "alt", error)) {
		attache__photo_settings_free(s);
		return ATTACHE_E_INPUT;
	}
	*out = s;
	return ATTACHE_OK;
}

AttacheCode
attache__photo_settings_load(const char *input, AttachePhotoSettings **out, GError **error)
{
	*out = NULL;
	g_autofree char *dir = g_path_get_dirname(input);
	g_autofree char *base = g_path_get_basename(input);
	g_autofree char *stem = attache__file_stem(input);
	const char *names[2] = { base, stem };
	for (int k = 0; k < 2; k++) {
		g_autofree char *rel = g_strconcat(names[k], SUFFIX, NULL);
		g_autofree char *path = g_build_filename(dir, rel, NULL);
		GStatBuf st;
		/* lstat: a link named like the settings is refused below, not
		 * taken for "none"; a photo whose name is too long for the
		 * suffix cannot have one */
		if (g_lstat(path, &st) != 0 && (errno == ENOENT || errno == ENAMETOOLONG || errno == ENOTDIR))
			continue;
		g_autofree char *data = NULL;
		gsize len;
		g_autoptr(GError) e = NULL;
		if (attache__read_small_beneath(dir, rel, SETTINGS_MAX, &data, &len, &e)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT, "cannot read the photo's settings: %s", e->message);
			return ATTACHE_E_INPUT;
		}
		return attache__photo_settings_parse(path, data, len, out, error);
	}
	return ATTACHE_OK;
}
