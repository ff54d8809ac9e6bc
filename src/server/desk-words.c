/* SPDX-License-Identifier: MIT */
/*
 * desk-words.c: the desk page's words, GET /desk/messages/LANG.json: every
 * message of data/messages.ini in one of the six languages, as one JSON
 * object (docs/desk.md, "Languages"). The page reads it at start and when
 * its language is changed. The API's own words for people (why a photo
 * failed, failure.CODE) come from the same messages, in the asker's
 * language (?lang=, Accept-Language).
 */
#include "server-private.h"

#include <string.h>

void
desk_words(SoupServerMessage *msg, const char *name)
{
	/* LANG.json, LANG one of attache's six */
	g_autofree char *lang = g_str_has_suffix(name, ".json") ? g_strndup(name, strlen(name) - 5) : NULL;
	g_autofree char *json = lang ? attache_messages_json(lang) : NULL;
	if (!json) {
		http_error(msg, 404, "not-found", "the desk has words in en, fr, es, ar, zh and ru");
		return;
	}
	soup_server_message_set_status(msg, 200, NULL);
	gsize len = strlen(json);
	soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, g_steal_pointer(&json), len);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
}

static const char *const desk_langs[] = { "en", "fr", "es", "ar", "zh", "ru" };

/* The words of @lang's index in desk_langs, parsed once. (transfer none) */
static JsonObject *
words_of(guint i)
{
	static gsize once[G_N_ELEMENTS(desk_langs)];
	static JsonObject *words[G_N_ELEMENTS(desk_langs)];
	if (g_once_init_enter(&once[i])) {
		g_autofree char *json = attache_messages_json(desk_langs[i]);
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *o = NULL;
		if (json && json_parser_load_from_data(p, json, -1, NULL) && JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
		words[i] = o ? o : json_object_new();
		g_once_init_leave(&once[i], 1);
	}
	return words[i];
}

/* One of the six for a language tag (fr-CA is fr), or %NULL. */
static const char *
lang_of(const char *tag)
{
	gsize n = tag ? strcspn(tag, "-_") : 0;
	for (guint i = 0; n && i < G_N_ELEMENTS(desk_langs); i++)
		if (n == strlen(desk_langs[i]) && !g_ascii_strncasecmp(tag, desk_langs[i], n))
			return desk_langs[i];
	return NULL;
}

const char *
desk_lang(SoupServerMessage *msg)
{
	const char *q = g_uri_get_query(soup_server_message_get_uri(msg));
	if (q) {
		g_autoptr(GHashTable) form = soup_form_decode(q);
		const char *l = lang_of(g_hash_table_lookup(form, "lang"));
		if (l)
			return l;
	}
	const char *al = soup_message_headers_get_list(soup_server_message_get_request_headers(msg), "Accept-Language");
	GSList *tags = al ? soup_header_parse_quality_list(al, NULL) : NULL;
	const char *found = NULL;
	for (GSList *t = tags; t && !found; t = t->next)
		found = lang_of(t->data);
	soup_header_free_list(tags);
	return found ? found : "en";
}

const char *
desk_word(const char *id, const char *lang)
{
	for (guint i = 0; i < G_N_ELEMENTS(desk_langs); i++)
		if (!g_strcmp0(lang, desk_langs[i]))
			return json_str(words_of(i), id);
	return NULL;
}

JsonObject *
desk_failure(const char *code, const char *detail, const char *lang)
{
	/* a row from before codes were kept (schema 2) has none */
	const char *c = code ? code : "internal";
	g_autofree char *id = g_strconcat("failure.", c, NULL);
	const char *words = desk_word(id, lang);
	if (!words)
		words = desk_word("failure.internal", lang);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "code", c);
	json_object_set_string_member(o, "message", words ? words : detail);
	json_object_set_string_member(o, "detail", detail);
	return o;
}
