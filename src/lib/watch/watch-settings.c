/* SPDX-License-Identifier: MIT */
/*
 * watch-settings.c: a hot folder's settings, INBOX/attache.ini (GKeyFile).
 *
 * Its keys are the option table's attache.ini rows (config/options.c), and
 * the prep settings among them are applied by attache_prep_options_set(),
 * so `-p x-square` and `presets = x-square` mean the same and fail the
 * same way. Settings are resolved in three layers: built-in defaults, then
 * attache.ini, then the caller's overrides (the command line wins:
 * docs/watch.md).
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INI_GROUP "attache"

static const AttacheOption *
find_key(const char *key)
{
	return attache_option_find(key, ATTACHE_SCOPE_INI);
}

/* The table's attache.ini keys, for the message about an unknown one. */
static char *
known_keys(void)
{
	guint n;
	const AttacheOption *t = attache_options(&n);
	GString *known = g_string_new(NULL);
	for (guint i = 0; i < n; i++)
		if (t[i].scope & ATTACHE_SCOPE_INI)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "",
				t[i].name);
	return g_string_free(known, FALSE);
}

AttacheCode
attache__watch_setting_check(const char *key, const char *value,
	GError **error)
{
	const AttacheOption *k = find_key(key);
	if (!k) {
		g_autofree char *known = known_keys();
		/* GKeyFile takes any bytes in a key; the message goes to the log's
		 * JSON */
		g_autofree char *shown = g_utf8_make_valid(key, -1);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown setting \"%s\" (known: %s)", shown, known);
		return ATTACHE_E_USAGE;
	}
	AttacheCode code = attache_option_check(k, value, error);
	if (code || k->type != ATTACHE_VALUE_TARGETS)
		return code;
	/* the platforms' names are the upload layer's */
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	for (int i = 0; parts[i]; i++) {
		AttacheTarget t;
		char *name = g_strstrip(parts[i]);
		if (*name && !attache_target_from_string(name, &t)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s: \"%s\": expected a comma list of x, mastodon, bluesky "
				"(or nothing)",
				key, value);
			return ATTACHE_E_USAGE;
		}
	}
	return ATTACHE_OK;
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
	const AttacheOption *k = find_key(key);
	if (k && (k->flags & ATTACHE_OPTION_OPERATOR)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: only the operator can give this, on the command line "
			"(attache watch --%s DIR); remove the line",
			key, key);
		return ATTACHE_E_USAGE;
	}
	if (k && (k->flags & ATTACHE_OPTION_PINNABLE) && overrides && g_hash_table_contains(overrides, key)) {
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
		AttacheOptionsGiven *g = attache__options_given(o);
		g->alt = *value ? g->alt | 2 : g->alt & ~2u;
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

/* The presets' names, for messages and the log. (transfer full) */
static char *
preset_names(const AttachePrepOptions *o)
{
	GString *names = g_string_new(NULL);
	for (guint i = 0; i < o->presets->len; i++)
		g_string_append_printf(names, "%s%s", i ? "," : "",
			((AttachePreset *)o->presets->pdata[i])->name);
	return g_string_free(names, FALSE);
}

/* --allow-path, one folder a line, canonical. */
static void
apply_allow(AttacheWatchSettings *s, const char *value)
{
	g_auto(GStrv) dirs = g_strsplit(value, "\n", -1);
	GPtrArray *a = g_ptr_array_new();
	for (int i = 0; dirs[i]; i++)
		if (*dirs[i])
			g_ptr_array_add(a, g_canonicalize_filename(dirs[i], NULL));
	g_ptr_array_add(a, NULL);
	g_strfreev(s->allow);
	s->allow = (char **)g_ptr_array_free(a, FALSE);
}

/* upload: the targets' own names, each once. */
static void
apply_upload(AttacheWatchSettings *s, const char *value)
{
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

/* notes-lang: one of the six languages of data/messages.ini;
 * keep-originals: days, 1 or more (0 would delete at once). */
static AttacheCode
apply_notes(AttacheWatchSettings *s, const char *key, const char *value,
	GError **error)
{
	if (g_str_equal(key, "notes-lang")) {
		s->notes_lang = attache__notes_lang(value);
		if (s->notes_lang)
			return ATTACHE_OK;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"notes-lang: \"%s\": expected en, fr, es, ar, zh or ru", value);
		return ATTACHE_E_USAGE;
	}
	gint64 days = g_ascii_strtoll(value, NULL, 10);
	if (days < 1 || days > 100000) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"keep-originals: \"%s\": expected a number of days, 1 or more "
			"(remove the line to keep the originals for ever)",
			value);
		return ATTACHE_E_USAGE;
	}
	s->keep_days = (int)days;
	return ATTACHE_OK;
}

/* Puts the checked @value of @key into @s. @from_ini: the value comes
 * from attache.ini (an inbox writer), not from the operator. The watch's
 * own keys are here; the prep settings go through
 * attache_prep_options_set(), but for the files, which an inbox writer
 * may only name inside the inbox (apply_file()). */
static AttacheCode
apply(AttacheWatchSettings *s, const char *inbox, const char *key,
	const char *value, const AttachePresetSet *presets, gboolean from_ini,
	GError **error)
{
	if (g_str_equal(key, "out")) {
		g_autofree char *dir = g_canonicalize_filename(value, inbox);
		if (from_ini && check_out_dir(s, inbox, value, dir, error))
			return ATTACHE_E_USAGE;
		g_free(s->out_dir);
		s->out_dir = g_steal_pointer(&dir);
	}
	else if (g_str_equal(key, "campaign") || g_str_equal(key, "alt-file") || g_str_equal(key, "alt-manifest"))
		return apply_file(s, inbox, key, value, presets, from_ini, error);
	else if (g_str_equal(key, "require-approval")) {
		attache__value_bool(value, &s->require_approval);
		if (from_ini)
			s->ini_approval = s->require_approval;
	}
	else if (g_str_equal(key, "allow-path"))
		apply_allow(s, value);
	else if (g_str_equal(key, "upload"))
		apply_upload(s, value);
	else if (g_str_equal(key, "notes-lang") || g_str_equal(key, "keep-originals"))
		return apply_notes(s, key, value, error);
	else {
		AttacheCode code = attache_prep_options_set(s->prep, key, value,
			error);
		if (code || !g_str_equal(key, "presets"))
			return code;
		g_free(s->presets);
		s->presets = preset_names(s->prep);
	}
	return ATTACHE_OK;
}

/* The credentials of every account @target's uploads go to, one per
 * language made (the campaign's [accounts], docs/upload.md "Accounts per
 * language"), load now: a missing one is a settings error, not a photo
 * that waits for ever. */
static AttacheCode
check_accounts(const AttacheWatchSettings *s, const char *target,
	GError **error)
{
	AttacheTarget t;
	g_autoptr(GPtrArray) langs = NULL;
	g_autoptr(GError) e = NULL;
	attache_target_from_string(target, &t);
	if (attache__prep_langs(s->prep, FALSE, &langs, error))
		return ATTACHE_E_USAGE;
	for (guint i = 0; i < MAX(1, langs->len); i++) {
		const char *lang = i < langs->len ? langs->pdata[i] : NULL;
		const char *account = attache_campaign_account(s->prep->campaign, lang);
		AttacheCredentials *c = NULL;
		if (attache_credentials_load_account(t, account, NULL, &c, &e)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"upload = %s: %s", target, e->message);
			return ATTACHE_E_USAGE;
		}
		attache_credentials_free(c);
	}
	return ATTACHE_OK;
}

/* The settings after every layer: checks that need all of them at once. */
static AttacheCode
check_whole(AttacheWatchSettings *s, const char *inbox, GError **error)
{
	/* crop = focus needs focus; alt or alt-file; lang and the campaign */
	AttacheCode code = attache_prep_options_finish(s->prep, error);
	if (code)
		return code;
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
		if ((code = check_accounts(s, targets[i], error)))
			return code;
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
	attache__prep_options_use_presets(s->prep, presets);
	s->prep->prepared_by = g_strdup(g_get_user_name());
	s->out_dir = g_build_filename(inbox, "out", NULL);
	s->ini_approval = -1;
	s->notes_lang = "en";
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
			if (!v || (code = attache__watch_setting_check(keys[i], v, &e))
				|| (code = check_who(keys[i], overrides, &e))
				|| (code = apply(s, inbox, keys[i], v, presets, TRUE, &e)))
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
