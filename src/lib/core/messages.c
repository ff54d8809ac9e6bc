/* SPDX-License-Identifier: MIT */
/*
 * messages.c: attache's words for people, in the six UN languages.
 *
 * They live in one data file, data/messages.ini (one GKeyFile group per
 * message id, one key per language), which the review desk will read
 * too; it is compiled into the library with GResource (the Makefile runs
 * glib-compile-resources), so an installed binary needs no data path.
 */
#include "private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define MESSAGES_PATH "/org/attache/messages.ini"

static const char *const langs[] = { "en", "fr", "es", "ar", "zh", "ru" };

/* The messages, read once. (transfer none): lives as long as the process. */
static GKeyFile *
messages(void)
{
	static gsize once = 0;
	static GKeyFile *kf;
	if (g_once_init_enter(&once)) {
		GKeyFile *k = g_key_file_new();
		g_autoptr(GError) e = NULL;
		g_autoptr(GBytes) b = g_resource_lookup_data(attache__res_get_resource(), MESSAGES_PATH,
			G_RESOURCE_LOOKUP_FLAGS_NONE, &e);
		gsize len = 0;
		const char *data = b ? g_bytes_get_data(b, &len) : NULL;
		/* built in: missing or broken only in a broken build */
		if (!data || !g_key_file_load_from_data(k, data, len, G_KEY_FILE_NONE, &e))
			g_warning("%s: %s", MESSAGES_PATH, e ? e->message : "empty");
		kf = k;
		g_once_init_leave(&once, 1);
	}
	return kf;
}

const char *
attache__notes_lang(const char *tag)
{
	if (!tag)
		return NULL;
	/* the language of a tag: fr-CA is fr, zh-Hans is zh */
	gsize n = strcspn(tag, "-_");
	for (guint i = 0; i < G_N_ELEMENTS(langs); i++)
		if (n == strlen(langs[i]) && g_ascii_strncasecmp(tag, langs[i], n) == 0)
			return langs[i];
	return NULL;
}

char *
attache__message(const char *id, const char *lang, ...)
{
	GKeyFile *kf = messages();
	const char *l = attache__notes_lang(lang);
	char *text = g_key_file_get_string(kf, id, l ? l : "en", NULL);
	if (!text)
		text = g_key_file_get_string(kf, id, "en", NULL);
	if (!text) {
		g_debug("message %s: not in %s", id, MESSAGES_PATH);
		return g_strdup(id);
	}
	va_list ap;
	va_start(ap, lang);
	const char *key;
	while ((key = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		g_autofree char *brace = g_strdup_printf("{%s}", key);
		g_auto(GStrv) parts = g_strsplit(text, brace, -1);
		g_free(text);
		text = g_strjoinv(value ? value : "", parts);
	}
	va_end(ap);
	return text;
}

char *
attache__messages_json(const char *lang)
{
	const char *l = attache__notes_lang(lang);
	if (!l || strlen(l) != strlen(lang))
		return NULL;
	GKeyFile *kf = messages();
	g_auto(GStrv) ids = g_key_file_get_groups(kf, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	for (guint i = 0; ids[i]; i++) {
		g_autofree char *text = g_key_file_get_string(kf, ids[i], l, NULL);
		if (!text)
			text = g_key_file_get_string(kf, ids[i], "en", NULL);
		if (!text)
			continue;
		json_builder_set_member_name(b, ids[i]);
		json_builder_add_string_value(b, text);
	}
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

char *
attache_messages_json(const char *lang)
{
	return lang ? attache__messages_json(lang) : NULL;
}
