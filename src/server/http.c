/* SPDX-License-Identifier: MIT */
/* http.c: the server's answers (JSON bodies, errors with stable codes)
 * and what it reads from requests (JSON bodies, ids, the client's
 * address). docs/http-api.md, "Errors". */
#include "server-private.h"

#include <string.h>

void
http_json(SoupServerMessage *msg, guint status, JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	json_generator_set_root(gen, node);
	gsize len = 0;
	char *text = json_generator_to_data(gen, &len);
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE, text, len);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	json_node_unref(node);
}

void
http_object(SoupServerMessage *msg, guint status, JsonObject *obj)
{
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(n, obj);
	http_json(msg, status, n);
}

void
http_error(SoupServerMessage *msg, guint status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	JsonObject *e = json_object_new();
	json_object_set_string_member(e, "code", code);
	json_object_set_string_member(e, "message", text);
	JsonObject *o = json_object_new();
	json_object_set_object_member(o, "error", e);
	http_object(msg, status, o);
}

#define MAX_JSON_BODY (256 * 1024)

JsonObject *
http_body_object(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *ct = soup_message_headers_get_content_type(h, NULL);
	if (!ct || g_ascii_strcasecmp(ct, "application/json")) {
		http_error(msg, 415, "bad-content-type", "the body must be JSON (Content-Type: application/json)");
		return NULL;
	}
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	if (body->length > MAX_JSON_BODY) {
		http_error(msg, 413, "too-large", "a JSON body is at most %d bytes", MAX_JSON_BODY);
		return NULL;
	}
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) e = NULL;
	if (!json_parser_load_from_data(p, body->data ? body->data : "", body->length, &e)
		|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		http_error(msg, 400, "bad-request", "the body is not a JSON object%s%s", e ? ": " : "", e ? e->message : "");
		return NULL;
	}
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

const char *
json_str(JsonObject *o, const char *member)
{
	JsonNode *n = o ? json_object_get_member(o, member) : NULL;
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

char *
http_client_address(Server *s, SoupServerMessage *msg)
{
	const char *peer = soup_server_message_get_remote_host(msg);
	if (s->proxy && peer && !strcmp(peer, s->proxy)) {
		/* the proxy appends the address it saw: the last one is its own
		 * word, the earlier ones the client's and can be forged */
		const char *xff = soup_message_headers_get_list(soup_server_message_get_request_headers(msg), "X-Forwarded-For");
		if (xff) {
			g_auto(GStrv) parts = g_strsplit(xff, ",", -1);
			guint n = g_strv_length(parts);
			if (n > 0)
				return g_strdup(g_strstrip(parts[n - 1]));
		}
	}
	return g_strdup(peer ? peer : "?");
}

gboolean
http_valid_id(const char *id, char prefix)
{
	if (!id || strlen(id) != 34 || id[0] != prefix || id[1] != '_')
		return FALSE;
	for (int i = 2; i < 34; i++)
		if (!g_ascii_isdigit(id[i]) && !(id[i] >= 'a' && id[i] <= 'f'))
			return FALSE;
	return TRUE;
}
