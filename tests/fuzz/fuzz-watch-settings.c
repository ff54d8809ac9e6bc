/* SPDX-License-Identifier: MIT */
/*
 * fuzz-watch-settings.c: libFuzzer target for a hot folder's settings
 * parser, INBOX/attache.ini (`make fuzz`).
 *
 * Any bytes as attache.ini: attache__watch_settings_load_data() must
 * return, with no crash, hang or leak. The inbox is a private temporary
 * folder holding the demo campaign, an alt-text file and a manifest (so
 * that `campaign =`, `alt-file =` and `alt-manifest =` reach their
 * parsers), and $XDG_CONFIG_HOME an empty one of its own: no user file is
 * ever read.
 *
 * Beyond that: settings that load are whole (presets, an absolute output
 * folder that is not the inbox), as the watcher assumes.
 *
 * The same bytes as a photo's own settings file, PHOTO.attache.ini
 * (attache__photo_settings_parse): what it accepts is in range (rotate
 * 0/90/180/270, focus in 0..1) and every alt text valid, with a language
 * tag; what it refuses names the file.
 */
#include "private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTACHE_SRCDIR
#define ATTACHE_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_watch_root;

static void
fuzz_watch_cleanup(void)
{
	static const char *const files[] = { "inbox/demo.ini",
		"inbox/demo-logo.svg", "inbox/p.alt.txt", "inbox/alt.csv",
		"inbox", "config/attache/campaigns/demo.ini", "config/attache/campaigns",
		"config/attache", "config", "" };
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *p = g_build_filename(fuzz_watch_root, files[i], NULL);
		g_remove(p);
	}
}

static void
fuzz_watch_copy(const char *from, const char *to)
{
	g_autofree char *data = NULL;
	gsize len;
	if (!g_file_get_contents(from, &data, &len, NULL) || !g_file_set_contents(to, data, (gssize)len, NULL))
		abort();
}

/* The inbox (transfer none) and the built-in presets, made once. */
static const char *
fuzz_watch_setup(const AttachePresetSet **presets)
{
	static AttachePresetSet *set;
	static char *inbox;
	if (!inbox) {
		fuzz_watch_root = g_dir_make_tmp("fuzz-watch-XXXXXX", NULL);
		if (!fuzz_watch_root)
			abort();
		atexit(fuzz_watch_cleanup);
		inbox = g_build_filename(fuzz_watch_root, "inbox", NULL);
		g_autofree char *config = g_build_filename(fuzz_watch_root, "config", NULL);
		g_autofree char *campaigns = g_build_filename(config, "attache", "campaigns", NULL);
		g_mkdir_with_parents(inbox, 0700);
		g_mkdir_with_parents(campaigns, 0700);
		/* before anything asks GLib for it (it caches the answer) */
		g_setenv("XDG_CONFIG_HOME", config, TRUE);
		g_autofree char *c1 = g_build_filename(inbox, "demo.ini", NULL);
		g_autofree char *c2 = g_build_filename(campaigns, "demo.ini", NULL);
		g_autofree char *logo = g_build_filename(inbox, "demo-logo.svg", NULL);
		fuzz_watch_copy(ATTACHE_SRCDIR "/campaigns/demo.ini", c1);
		fuzz_watch_copy(ATTACHE_SRCDIR "/campaigns/demo.ini", c2);
		fuzz_watch_copy(ATTACHE_SRCDIR "/campaigns/demo-logo.svg", logo);
		g_autofree char *alt = g_build_filename(inbox, "p.alt.txt", NULL);
		g_autofree char *csv = g_build_filename(inbox, "alt.csv", NULL);
		if (!g_file_set_contents(alt, "Children at a water point\n", -1, NULL) || !g_file_set_contents(csv, "file,lang,alt\np.jpg,en,A well\np.jpg,fr,Un puits\n", -1, NULL))
			abort();
		if (attache_init("fuzz-watch-settings", NULL) || attache_preset_set_load(ATTACHE_SRCDIR "/presets", "/nonexistent", &set, NULL))
			abort();
	}
	*presets = set;
	return inbox;
}

static void
fuzz_photo_settings(const uint8_t *data, size_t size)
{
	AttachePhotoSettings *ps = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__photo_settings_parse("/fuzz/p.attache.ini", (const char *)data, size, &ps, &e)) {
		if (ps || !e || !g_utf8_validate(e->message, -1, NULL) || !strstr(e->message, "/fuzz/p.attache.ini"))
			abort();
		return;
	}
	if (ps->have_rotate && ps->rotate != 0 && ps->rotate != 90 && ps->rotate != 180 && ps->rotate != 270)
		abort();
	if (ps->have_focus && !(ps->focus_x >= 0 && ps->focus_x <= 1 && ps->focus_y >= 0 && ps->focus_y <= 1))
		abort();
	for (guint i = 0; i < ps->alt->len; i++) {
		const AttacheAlt *a = ps->alt->pdata[i];
		if (attache_alt_validate(a->text, "fuzz", NULL) || (g_strcmp0(a->lang, "x-default") && !attache__lang_tag_valid(a->lang)))
			abort();
	}
	attache__photo_settings_free(ps);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_photo_settings(data, size);
	const AttachePresetSet *presets;
	const char *inbox = fuzz_watch_setup(&presets);

	AttacheWatchSettings *s = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__watch_settings_load_data(inbox, "attache.ini", (const char *)data, size, NULL, presets, &s, &e)) {
		if (s || !e || !g_utf8_validate(e->message, -1, NULL))
			abort();
		return 0;
	}
	if (!s->prep->presets->len || !s->presets || !g_path_is_absolute(s->out_dir) || g_str_equal(s->out_dir, inbox))
		abort();
	attache__watch_settings_unref(s);
	return 0;
}
