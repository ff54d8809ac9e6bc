/* SPDX-License-Identifier: MIT */
/*
 * watch-settings.c: a hot folder's settings, INBOX/attache.ini (GKeyFile).
 *
 * Every key is declared once in setting_keys[]; the same table checks a
 * value from the file and one from the command line, so `-p x-square` and
 * `presets = x-square` mean the same and fail the same way. Settings are
 * resolved in three layers: built-in defaults, then attache.ini, then the
 * caller's overrides (the command line wins: docs/watch.md).
 *
 * Keys for features this build does not have yet (approval) are recognised and their values checked, and
 * a value that would turn the feature on is refused: a photo must never go
 * out without the branding or upload a team asked for because the watcher
 * quietly ignored a line.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum {
	T_PRESETS, /* comma list of preset names */
	T_FOLDER,  /* a folder, relative to the inbox */
	T_KEEP,
	T_FIT,
	T_CROP,
	T_FOCUS,  /* X,Y fractions */
	T_PIXELS, /* 100MP */
	T_TEXT,	  /* UTF-8 text */
	T_LANG,	  /* a language tag */
	T_NAME,	  /* a non-empty word */
	T_BOOL,
	T_TARGETS, /* comma list of upload targets */
	T_FILE,	   /* a file, relative to the inbox (or a campaign name) */
	T_DIRS,	   /* absolute folders, one a line */
} SettingType;

/* Who may give a key (docs/watch.md, docs/security.md) */
enum {
	K_ANY = 0,
	/* given on the command line, attache.ini cannot change it: a line for
	 * it is refused */
	K_PINNABLE = 1 << 0,
	/* the command line only: it says what an inbox writer may reach */
	K_OPERATOR = 1 << 1,
};

typedef struct {
	const char *key;
	SettingType type;
	/* set for keys whose feature is not in this build: what it is */
	const char *later;
	guint who;
} SettingKey;

static const SettingKey setting_keys[] = {
	{ "presets", T_PRESETS, NULL },
	{ "out", T_FOLDER, NULL, K_PINNABLE },
	{ "keep", T_KEEP, NULL, K_PINNABLE },
	{ "fit", T_FIT, NULL },
	{ "crop", T_CROP, NULL },
	{ "focus", T_FOCUS, NULL },
	{ "max-pixels", T_PIXELS, NULL },
	{ "alt", T_TEXT, NULL },
	{ "alt-long", T_TEXT, NULL },
	{ "by", T_TEXT, NULL },
	{ "lang", T_LANG, NULL },
	/* wired when their features land (issues 4, 5 and approval) */
	{ "campaign", T_FILE, NULL },
	{ "alt-file", T_FILE, NULL },
	{ "alt-manifest", T_FILE, NULL },
	{ "require-alt", T_BOOL, NULL },
	{ "upload", T_TARGETS, NULL, K_PINNABLE },
	{ "require-approval", T_BOOL, NULL, K_PINNABLE },
	{ "allow-path", T_DIRS, NULL, K_OPERATOR },
};

#define INI_GROUP "attache"

static const SettingKey *
find_key(const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(setting_keys); i++)
		if (g_str_equal(setting_keys[i].key, key))
			return &setting_keys[i];
	return NULL;
}

static AttacheCode
bad(GError **error, const char *key, const char *value, const char *expect)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"%s: \"%s\": expected %s", key, value, expect);
	return ATTACHE_E_USAGE;
}

/* Checks @value for @k; sets *on for a later-feature key that would turn
 * its feature on. */
static AttacheCode
check_value(const SettingKey *k, const char *value, GError **error)
{
	const char *key = k->key;
	gboolean on = FALSE;

	if (!g_utf8_validate(value, -1, NULL))
		return bad(error, key, "?", "UTF-8 text");
	switch (k->type) {
	case T_PRESETS: {
		g_auto(GStrv) parts = g_strsplit(value, ",", -1);
		int n = 0;
		for (int i = 0; parts[i]; i++) {
			char *name = g_strstrip(parts[i]);
			if (!*name)
				continue;
			if (!attache__value_name(name))
				return bad(error, key, value, "a comma list of preset names");
			n++;
		}
		if (n == 0)
			return bad(error, key, value, "at least one preset name");
		break;
	}
	case T_FOLDER:
		if (!*value)
			return bad(error, key, value, "a folder");
		break;
	case T_KEEP: {
		guint keep;
		g_autoptr(GError) e = NULL;
		if (attache_keep_from_string(value, &keep, &e))
			return bad(error, key, value,
				"none, or a list of credit, datetime, camera");
		break;
	}
	case T_FIT: {
		AttacheFit f;
		if (!attache_fit_from_string(value, &f))
			return bad(error, key, value, "cover, contain or inside");
		break;
	}
	case T_CROP: {
		AttacheCrop c;
		if (!attache_crop_from_string(value, &c))
			return bad(error, key, value,
				"attention, entropy, centre or focus");
		break;
	}
	case T_FOCUS: {
		double x, y;
		if (!attache_focus_from_string(value, &x, &y))
			return bad(error, key, value,
				"X,Y with each between 0 and 1 (fractions of the photo's "
				"width and height)");
		break;
	}
	case T_PIXELS: {
		gint64 px;
		if (!attache_pixels_from_string(value, &px))
			return bad(error, key, value,
				"a number of pixels or megapixels (100MP)");
		break;
	}
	case T_TEXT:
		on = *value != '\0';
		break;
	case T_LANG:
		if (!attache__lang_tag_valid(value))
			return bad(error, key, value, "a language tag (en, fr, zh-Hans)");
		break;
	case T_NAME:
		if (*value && !attache__value_name(value))
			return bad(error, key, value,
				"a name (letters, digits, - _ . @ :)");
		on = *value != '\0';
		break;
	case T_BOOL:
		if (!attache__value_bool(value, &on))
			return bad(error, key, value, "true or false");
		break;
	case T_FILE:
		break;
	case T_DIRS: {
		g_auto(GStrv) dirs = g_strsplit(value, "\n", -1);
		for (int i = 0; dirs[i]; i++)
			if (*dirs[i] && !g_path_is_absolute(dirs[i]))
				return bad(error, key, dirs[i], "an absolute folder");
		break;
	}
	case T_TARGETS: {
		g_auto(GStrv) parts = g_strsplit(value, ",", -1);
		for (int i = 0; parts[i]; i++) {
			AttacheTarget t;
			char *name = g_strstrip(parts[i]);
			if (*name && !attache_target_from_string(name, &t))
				return bad(error, key, value,
					"a comma list of x, mastodon, bluesky (or nothing)");
		}
		break;
	}
	}
	if (k->later && on) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: %s is not available in this version of attache yet; "
			"remove the line (photos would otherwise go out without it)",
			key, k->later);
		return ATTACHE_E_USAGE;
	}
	return ATTACHE_OK;
}

AttacheCode
attache__watch_setting_check(const char *key, const char *value,
	GError **error)
{
	const SettingKey *k = find_key(key);
	if (!k) {
		GString *known = g_string_new(NULL);
		for (guint i = 0; i < G_N_ELEMENTS(setting_keys); i++)
			g_string_append_printf(known, "%s%s", i ? ", " : "",
				setting_keys[i].key);
		/* GKeyFile takes any bytes in a key; the message goes to the log's
		 * JSON */
		g_autofree char *shown = g_utf8_make_valid(key, -1);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown setting \"%s\" (known: %s)", shown, known->str);
		g_string_free(known, TRUE);
		return ATTACHE_E_USAGE;
	}
	return check_value(k, value, error);
}

/* The command-line option for a pinnable key, for messages. */
static const char *
option_of(const char *key)
{
	if (g_str_equal(key, "out"))
		return "-o/--out";
	if (g_str_equal(key, "require-approval"))
		return "--require-approval or --no-approval";
	return key; /* keep, upload: --keep, --upload */
}

/* Whether attache.ini may give @key: not an operator-only key, and not a
 * key the command line pinned (@overrides). */
static AttacheCode
check_who(const char *key, GHashTable *overrides, GError **error)
{
	const SettingKey *k = find_key(key);
	if (k && (k->who & K_OPERATOR)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: only the operator can give this, on the command line "
			"(attache watch --%s DIR); remove the line",
			key, key);
		return ATTACHE_E_USAGE;
	}
	if (k && (k->who & K_PINNABLE) && overrides && g_hash_table_contains(overrides, key)) {
		const char *opt = option_of(key);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: pinned on the command line (%s%s), so this folder's "
			"settings cannot change it; remove the line",
			key, g_str_has_prefix(opt, "-") ? "" : "--", opt);
		return ATTACHE_E_USAGE;
	}
	return ATTACHE_OK;
}

/* In the hot folder, uploading means a second person approves first,
 * unless the operator pinned require-approval (--no-approval). */
static AttacheCode
settle_approval(AttacheWatchSettings *s, GHashTable *overrides,
	GError **error)
{
	if (overrides && g_hash_table_contains(overrides, "require-approval"))
		return ATTACHE_OK;
	if (s->upload && s->ini_approval == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"require-approval = false: with upload, only the operator can "
			"switch the approval off (attache watch --no-approval); remove "
			"the line");
		return ATTACHE_E_USAGE;
	}
	if (s->upload)
		s->require_approval = TRUE;
	return ATTACHE_OK;
}

AttacheWatchSettings *
attache__watch_settings_ref(AttacheWatchSettings *s)
{
	g_atomic_int_inc(&s->ref);
	return s;
}

void
attache__watch_settings_unref(AttacheWatchSettings *s)
{
	if (!s || !g_atomic_int_dec_and_test(&s->ref))
		return;
	attache_prep_options_free(s->prep);
	g_free(s->out_dir);
	g_free(s->presets);
	g_free(s->upload);
	g_ptr_array_unref(s->files);
	g_strfreev(s->allow);
	g_free(s);
}

/* The folder an inbox writer's @path (absolute, canonical) may be read
 * from or written to: the inbox, or a folder the operator allowed with
 * --allow-path. Returns it (borrowed from @s or @inbox), or NULL. */
static const char *
confining_dir(const AttacheWatchSettings *s, const char *inbox,
	const char *path)
{
	if (attache__path_is_beneath(inbox, path))
		return inbox;
	for (int i = 0; s->allow && s->allow[i]; i++)
		if (attache__path_is_beneath(s->allow[i], path))
			return s->allow[i];
	return NULL;
}

/* @path relative to @dir, which it is beneath (both canonical).
 * Borrowed from @path; "." for the folder itself. */
static const char *
rel_to(const char *dir, const char *path)
{
	gsize n = strlen(dir);
	if (n == 1)
		return path[1] ? path + 1 : ".";
	return path[n] ? path + n + 1 : ".";
}

static AttacheCode
outside(GError **error, const char *key, const char *value,
	const char *path, const char *inbox)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"%s = %s: \"%s\" is outside the inbox %s; attache.ini may only "
		"name files and folders inside it, or in a folder the operator "
		"allows (attache watch --allow-path DIR; docs/security.md)",
		key, value, path, inbox);
	return ATTACHE_E_USAGE;
}

/* An output folder named by attache.ini: beneath the inbox or an allowed
 * folder, and no symbolic link on the part of the way that exists (what
 * does not exist yet is made as folders). */
static AttacheCode
check_out_dir(const AttacheWatchSettings *s, const char *inbox,
	const char *value, const char *path, GError **error)
{
	const char *root = confining_dir(s, inbox, path);
	if (!root)
		return outside(error, "out", value, path, inbox);
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return ATTACHE_OK; /* cannot be made either: a retry says so */
	g_autofree char *rel = g_strdup(rel_to(root, path));
	for (;;) {
		int fd = attache__open_beneath(rfd, rel, O_RDONLY | O_DIRECTORY, 0);
		int e = errno;
		if (fd >= 0)
			close(fd);
		/* found, or what is in the way is no link: disk trouble, which
		 * each photo reports and retries */
		if (fd >= 0 || (e != ENOENT && e != ELOOP && e != EXDEV) || (e == ENOENT && !strchr(rel, '/')))
			break;
		if (e != ENOENT) {
			close(rfd);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"out = %s: %s/%s %s", value, root, rel,
				attache__beneath_strerror(e));
			return ATTACHE_E_USAGE;
		}
		*strrchr(rel, '/') = '\0'; /* look at the parent */
	}
	close(rfd);
	return ATTACHE_OK;
}

AttacheCode
attache__watch_out_dir_check(const AttacheWatchSettings *s,
	const char *inbox, GError **error)
{
	if (!attache__path_is_beneath(inbox, s->out_dir))
		return ATTACHE_OK;
	return check_out_dir(s, inbox, s->out_dir, s->out_dir, error);
}

/* Reads the campaign, alt-file or alt-manifest @path that attache.ini
 * named, beneath the folder it must stay in, with no link. */
static AttacheCode
load_confined(AttacheWatchSettings *s, const char *inbox, const char *key,
	const char *value, const char *path, const AttachePresetSet *presets,
	GError **error)
{
	AttachePrepOptions *o = s->prep;
	const char *root = confining_dir(s, inbox, path);
	if (!root)
		return outside(error, key, value, path, inbox);
	const char *rel = rel_to(root, path);
	if (g_str_equal(key, "campaign"))
		return attache__campaign_load_beneath(root, rel, presets,
			&o->campaign, error);
	if (g_str_equal(key, "alt-file"))
		return attache__alt_read_file_beneath(root, rel, &o->alt_text, error);
	return attache__alt_manifest_load_beneath(root, rel, &o->manifest, error);
}

/* campaign, alt-file, alt-manifest: read now, in full (a broken one is a
 * broken setting), and remembered as a file the settings depend on. A
 * campaign without a / and not ending in .ini is a NAME looked up in
 * $XDG_CONFIG_HOME/attache/campaigns (the operator's own folder). An empty
 * value switches it off. @from_ini: the value is an inbox writer's, read
 * beneath the inbox (or an allowed folder); else the operator's, read
 * where it is. */
static AttacheCode
apply_file(AttacheWatchSettings *s, const char *inbox, const char *key,
	const char *value, const AttachePresetSet *presets, gboolean from_ini,
	GError **error)
{
	AttachePrepOptions *o = s->prep;
	g_autoptr(GError) e = NULL;
	gboolean campaign = g_str_equal(key, "campaign");
	gboolean name = campaign && !strchr(value, '/') && !g_str_has_suffix(value, ".ini");
	g_autofree char *path = NULL;
	if (name && *value) {
		/* never a file of that name where the watcher happens to run */
		g_autofree char *base = g_strconcat(value, ".ini", NULL);
		path = g_build_filename(g_get_user_config_dir(), "attache",
			"campaigns", base, NULL);
	}
	else
		path = *value ? g_canonicalize_filename(value, inbox)
					  : g_strdup(value);

	if (campaign) {
		attache_campaign_free(o->campaign);
		o->campaign = NULL;
	}
	else if (g_str_equal(key, "alt-file")) {
		s->alt_given = *value ? s->alt_given | 2 : s->alt_given & ~2;
		g_clear_pointer(&o->alt_text, g_free);
	}
	else
		g_clear_pointer(&o->manifest, g_hash_table_unref);

	AttacheCode code = ATTACHE_OK;
	if (*value && from_ini && !name)
		code = load_confined(s, inbox, key, value, path, presets, &e);
	else if (*value && campaign)
		code = attache_campaign_load(path, presets, &o->campaign, &e);
	else if (*value && g_str_equal(key, "alt-file"))
		code = attache_alt_read_file(path, &o->alt_text, &e);
	else if (*value)
		code = attache_alt_manifest_load(path, &o->manifest, &e);
	if (code) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s", key,
			e->message);
		return ATTACHE_E_USAGE;
	}
	if (*value)
		g_ptr_array_add(s->files,
			g_strdup(campaign ? attache_campaign_path(o->campaign) : path));
	return ATTACHE_OK;
}

/* Puts the checked @value of @key into @s. @from_ini: the value comes
 * from attache.ini (an inbox writer), not from the operator. */
static AttacheCode
apply(AttacheWatchSettings *s, const char *inbox, const char *key,
	const char *value, const AttachePresetSet *presets, gboolean from_ini,
	GError **error)
{
	AttachePrepOptions *o = s->prep;

	if (g_str_equal(key, "presets")) {
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash,
			g_str_equal);
		g_auto(GStrv) parts = g_strsplit(value, ",", -1);
		GString *names = g_string_new(NULL);
		g_ptr_array_set_size(o->presets, 0);
		for (int i = 0; parts[i]; i++) {
			char *name = g_strstrip(parts[i]);
			if (!*name || g_hash_table_contains(seen, name))
				continue;
			g_autoptr(GError) e = NULL;
			const AttachePreset *p = attache_preset_set_lookup(presets, name,
				&e);
			if (!p) {
				g_string_free(names, TRUE);
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"presets: %s", e->message);
				return ATTACHE_E_USAGE;
			}
			g_hash_table_add(seen, name);
			attache_prep_options_add_preset(o, p);
			g_string_append_printf(names, "%s%s", names->len ? "," : "",
				name);
		}
		g_free(s->presets);
		s->presets = g_string_free(names, FALSE);
	}
	else if (g_str_equal(key, "out")) {
		g_autofree char *dir = g_canonicalize_filename(value, inbox);
		if (from_ini && check_out_dir(s, inbox, value, dir, error))
			return ATTACHE_E_USAGE;
		g_free(s->out_dir);
		s->out_dir = g_steal_pointer(&dir);
	}
	else if (g_str_equal(key, "keep"))
		attache_keep_from_string(value, &o->keep, NULL);
	else if (g_str_equal(key, "fit")) {
		AttacheFit f;
		attache_fit_from_string(value, &f);
		o->fit = f;
	}
	else if (g_str_equal(key, "crop")) {
		AttacheCrop c;
		attache_crop_from_string(value, &c);
		o->crop = c;
	}
	else if (g_str_equal(key, "focus")) {
		attache_focus_from_string(value, &o->focus_x, &o->focus_y);
		o->have_focus = TRUE;
	}
	else if (g_str_equal(key, "max-pixels"))
		attache_pixels_from_string(value, &o->max_pixels);
	else if (g_str_equal(key, "alt")) {
		s->alt_given = *value ? s->alt_given | 1 : s->alt_given & ~1;
		g_free(o->alt_text);
		o->alt_text = *value ? g_strdup(value) : NULL;
	}
	else if (g_str_equal(key, "alt-long")) {
		g_free(o->alt_long);
		o->alt_long = *value ? g_strdup(value) : NULL;
	}
	else if (g_str_equal(key, "by")) {
		g_free(o->prepared_by);
		o->prepared_by = g_strdup(value);
	}
	else if (g_str_equal(key, "lang")) {
		g_free(o->lang);
		o->lang = g_strdup(value);
	}
	else if (g_str_equal(key, "campaign") || g_str_equal(key, "alt-file") || g_str_equal(key, "alt-manifest"))
		return apply_file(s, inbox, key, value, presets, from_ini, error);
	else if (g_str_equal(key, "require-alt"))
		attache__value_bool(value, &o->require_alt);
	else if (g_str_equal(key, "require-approval")) {
		attache__value_bool(value, &s->require_approval);
		if (from_ini)
			s->ini_approval = s->require_approval;
	}
	else if (g_str_equal(key, "allow-path")) {
		g_auto(GStrv) dirs = g_strsplit(value, "\n", -1);
		GPtrArray *a = g_ptr_array_new();
		for (int i = 0; dirs[i]; i++)
			if (*dirs[i])
				g_ptr_array_add(a, g_canonicalize_filename(dirs[i], NULL));
		g_ptr_array_add(a, NULL);
		g_strfreev(s->allow);
		s->allow = (char **)g_ptr_array_free(a, FALSE);
	}
	else if (g_str_equal(key, "upload")) {
		g_auto(GStrv) parts = g_strsplit(value, ",", -1);
		GString *t = g_string_new(NULL);
		for (int i = 0; parts[i]; i++) {
			AttacheTarget target;
			char *name = g_strstrip(parts[i]);
			if (*name && attache_target_from_string(name, &target) && !strstr(t->str, attache_target_name(target)))
				g_string_append_printf(t, "%s%s", t->len ? "," : "",
					attache_target_name(target));
		}
		g_free(s->upload);
		s->upload = t->len ? g_string_free(t, FALSE)
						   : (g_string_free(t, TRUE), NULL);
	}
	/* the later-feature keys only reach here switched off */
	return ATTACHE_OK;
}

/* The settings after every layer: checks that need all of them at once. */
static AttacheCode
check_whole(AttacheWatchSettings *s, const char *inbox, GError **error)
{
	g_autoptr(GError) le = NULL;
	if (attache_campaign_check_lang(s->prep->campaign, s->prep->lang, &le)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "lang: %s",
			le->message);
		return ATTACHE_E_USAGE;
	}
	if (s->alt_given == 3) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"alt and alt-file both give the alt text for every photo; keep "
			"one");
		return ATTACHE_E_USAGE;
	}
	if (s->prep->crop == ATTACHE_CROP_FOCUS && !s->prep->have_focus) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"crop = focus needs focus = X,Y");
		return ATTACHE_E_USAGE;
	}
	/* each upload target gets the outputs of its platform's presets: one
	 * at least, and credentials that load */
	g_auto(GStrv) targets = g_strsplit(s->upload ? s->upload : "", ",", -1);
	for (int i = 0; targets[i] && *targets[i]; i++) {
		gboolean have = FALSE;
		for (guint k = 0; k < s->prep->presets->len; k++)
			have |= g_strcmp0(((AttachePreset *)s->prep->presets->pdata[k])
								  ->platform,
						targets[i])
					== 0;
		if (!have) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"upload = %s: none of the presets (%s) is for %s; add one "
				"(attache presets lists them)",
				targets[i], s->presets, targets[i]);
			return ATTACHE_E_USAGE;
		}
		AttacheTarget t;
		AttacheCredentials *c = NULL;
		g_autoptr(GError) e = NULL;
		attache_target_from_string(targets[i], &t);
		if (attache_credentials_load(t, NULL, &c, &e)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"upload = %s: %s", targets[i], e->message);
			return ATTACHE_E_USAGE;
		}
		attache_credentials_free(c);
	}

	/* the output folder may sit inside the inbox (the default, out/), but
	 * must not be the inbox or one of its own folders */
	static const char *own[] = { "", "done", "failed", ".attache" };
	/* also through a link: -o /path/link-to-inbox is the inbox */
	char *out_real = realpath(s->out_dir, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(own); i++) {
		g_autofree char *p = g_build_filename(inbox, own[i], NULL);
		g_autofree char *c = g_canonicalize_filename(p, NULL);
		char *real = realpath(p, NULL);
		gboolean same = g_str_equal(c, s->out_dir) || (real && out_real && g_str_equal(real, out_real));
		free(real);
		if (same) {
			free(out_real);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"out: \"%s\" is the inbox or one of its own folders; choose "
				"another output folder",
				s->out_dir);
			return ATTACHE_E_USAGE;
		}
	}
	free(out_real);
	return ATTACHE_OK;
}

/* GKeyFile's messages quote the line or key they could not read, whatever
 * its bytes: made valid UTF-8 for the log's JSON. @e: borrowed. */
static AttacheCode
keyfile_error(GError **error, const char *label, const GError *e)
{
	g_autofree char *shown = g_utf8_make_valid(e->message, -1);
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s", label,
		shown);
	return ATTACHE_E_USAGE;
}

/* Resolves the settings: defaults, then @kf (NULL: no attache.ini; @label
 * names it in messages), then @overrides. @kf: borrowed. @out: (transfer
 * full). */
static AttacheCode
settings_resolve(const char *inbox, const char *label, GKeyFile *kf,
	GHashTable *overrides, const AttachePresetSet *presets,
	AttacheWatchSettings **out, GError **error)
{
	g_autoptr(AttacheWatchSettings) s = g_new0(AttacheWatchSettings, 1);
	g_autoptr(GError) e = NULL;
	AttacheCode code;

	s->ref = 1;
	s->files = g_ptr_array_new_with_free_func(g_free);
	s->prep = attache_prep_options_new();
	s->prep->prepared_by = g_strdup(g_get_user_name());
	s->out_dir = g_build_filename(inbox, "out", NULL);
	s->ini_approval = -1;
	s->allow = g_new0(char *, 1);
	/* what the operator allows must be known before the file is read */
	const char *allow = overrides ? g_hash_table_lookup(overrides,
							"allow-path")
								  : NULL;
	if ((allow && (code = apply(s, inbox, "allow-path", allow, presets, FALSE, &e)))
		|| (code = apply(s, inbox, "presets", "x-landscape", presets, FALSE,
				&e))) {
		g_propagate_error(error, g_steal_pointer(&e));
		return code;
	}

	if (kf) {
		g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
		for (int g = 0; groups[g]; g++)
			if (!g_str_equal(groups[g], INI_GROUP)) {
				/* any bytes, like a key: the log's JSON needs UTF-8 */
				g_autofree char *shown = g_utf8_make_valid(groups[g], -1);
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"%s: unknown section [%s] (settings go under "
					"[" INI_GROUP "])",
					label, shown);
				return ATTACHE_E_USAGE;
			}
		g_auto(GStrv) keys = g_key_file_get_keys(kf, INI_GROUP, NULL, NULL);
		/* every key is checked, also those the command line overrides
		 * below: a broken file is reported whatever wins */
		for (int i = 0; keys && keys[i]; i++) {
			g_autofree char *v = g_key_file_get_string(kf, INI_GROUP,
				keys[i], &e);
			if (!v || (code = attache__watch_setting_check(keys[i], v, &e)) || (code = check_who(keys[i], overrides, &e)) || (code = apply(s, inbox, keys[i], v, presets, TRUE, &e)))
				return keyfile_error(error, label, e);
		}
	}

	if (overrides) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, overrides);
		while (g_hash_table_iter_next(&it, &k, &v))
			if ((code = apply(s, inbox, k, v, presets, FALSE, error)))
				return code;
	}
	if ((code = settle_approval(s, overrides, &e)) || (code = check_whole(s, inbox, &e))) {
		if (kf)
			g_prefix_error(&e, "%s: ", label);
		g_propagate_error(error, g_steal_pointer(&e));
		return code;
	}
	*out = g_steal_pointer(&s);
	return ATTACHE_OK;
}

AttacheCode
attache__watch_settings_load(const char *inbox, const char *ini_path,
	GHashTable *overrides, const AttachePresetSet *presets,
	AttacheWatchSettings **out, GError **error)
{
	g_autoptr(GKeyFile) kf = NULL;
	g_autoptr(GError) e = NULL;

	if (ini_path && g_file_test(ini_path, G_FILE_TEST_EXISTS)) {
		g_autofree char *text = NULL;
		g_autofree char *ini_name = g_path_get_basename(ini_path);
		gsize len;
		/* an inbox writer's file: in the inbox itself, not a link, a
		 * regular file (a FIFO would block the watcher), bounded */
		if (attache__read_small_beneath(inbox, ini_name,
				ATTACHE_MAX_SETTINGS_BYTES, &text, &len, &e)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s",
				e->message);
			return ATTACHE_E_USAGE;
		}
		kf = g_key_file_new();
		if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e))
			return keyfile_error(error, ini_path, e);
	}
	return settings_resolve(inbox, ini_path, kf, overrides, presets, out,
		error);
}

AttacheCode
attache__watch_settings_load_data(const char *inbox, const char *label,
	const char *data, gsize len, GHashTable *overrides,
	const AttachePresetSet *presets, AttacheWatchSettings **out,
	GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) e = NULL;

	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &e))
		return keyfile_error(error, label, e);
	return settings_resolve(inbox, label, kf, overrides, presets, out,
		error);
}
