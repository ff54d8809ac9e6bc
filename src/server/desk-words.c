/* SPDX-License-Identifier: MIT */
/*
 * desk-words.c: the desk page's words, GET /desk/messages/LANG.json: every
 * message of data/messages.ini in one of the six languages, as one JSON
 * object (docs/desk.md, "Languages"). The page reads it at start and when
 * its language is changed.
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
