/* SPDX-License-Identifier: MIT */
/*
 * change.c: a photo's preview (the stripped whole photo the page shows for
 * the focus click), and the changes that make its outputs again from the
 * stored original: a new focus point, an alt text in one language, the
 * masks (masks.c). The
 * outputs whose bytes change lose their review (it holds for a SHA-256);
 * the others keep it. docs/http-api.md, "Photos".
 */
#include "server-private.h"

#include <string.h>

void
photo_preview(Server *s, SoupServerMessage *msg, const char *id)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_READ);
	if (!a)
		return;
	g_autoptr(JsonObject) row = db_photo_get(s->db, id);
	const char *path = row ? json_str(row, "preview") : NULL;
	if (!path) {
		http_error(msg, 404, "not-found", row ? "the preview is not made yet" : "no such photo");
		return;
	}
	const char *sha = json_str(row, "preview_sha256");
	g_autofree char *etag = g_strdup_printf("\"%s\"", sha ? sha : "");
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(rh, "ETag", etag);
	soup_message_headers_replace(rh, "Cache-Control", "private, no-cache");
	soup_message_headers_replace(rh, "X-Content-Type-Options", "nosniff");
	g_autoptr(GMappedFile) map = g_mapped_file_new(path, FALSE, NULL);
	if (!map) {
		http_error(msg, 404, "not-found", "the preview is gone");
		return;
	}
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "image/jpeg", SOUP_MEMORY_COPY, g_mapped_file_get_contents(map),
		g_mapped_file_get_length(map));
}

/* @o's focus from {"x": X, "y": Y} (null: none); FALSE after a 400. */
static gboolean
set_focus(SoupServerMessage *msg, JsonObject *body, JsonObject *o)
{
	JsonNode *x = json_object_get_member(body, "x"), *y = json_object_get_member(body, "y");
	if (x && JSON_NODE_HOLDS_NULL(x)) {
		json_object_remove_member(o, "focus");
		return TRUE;
	}
	double fx = x && JSON_NODE_HOLDS_VALUE(x) ? json_node_get_double(x) : -1;
	double fy = y && JSON_NODE_HOLDS_VALUE(y) ? json_node_get_double(y) : -1;
	if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) {
		http_error(msg, 400, "bad-option", "focus: \"x\" and \"y\" are fractions 0..1 of the preview");
		return FALSE;
	}
	char bx[G_ASCII_DTOSTR_BUF_SIZE], by[G_ASCII_DTOSTR_BUF_SIZE];
	g_autofree char *v = g_strdup_printf("%s,%s", g_ascii_formatd(bx, sizeof bx, "%.4f", fx), g_ascii_formatd(by, sizeof by, "%.4f", fy));
	json_object_set_string_member(o, "focus", v);
	return TRUE;
}

static gboolean
set_alt(SoupServerMessage *msg, JsonObject *body, JsonObject *o)
{
	const char *lang = json_str(body, "lang"), *text = json_str(body, "text");
	g_autoptr(GError) e = NULL;
	if (!lang || !text || (strcmp(lang, "x-default") && attache_campaign_check_lang(NULL, lang, &e))) {
		http_error(msg, 400, "bad-option", "alt: needs \"lang\" (a language tag or x-default) and \"text\"%s%s", e ? ": " : "",
			e ? e->message : "");
		return FALSE;
	}
	g_autofree char *key = strcmp(lang, "x-default") ? g_strconcat("alt.", lang, NULL) : g_strdup("alt");
	if (*text && attache_alt_validate(text, key, &e)) {
		http_error(msg, 400, "bad-option", "%s", e->message);
		return FALSE;
	}
	if (*text)
		json_object_set_string_member(o, key, text);
	else if (json_object_has_member(o, key))
		json_object_remove_member(o, key);
	return TRUE;
}

void
photo_change(Server *s, SoupServerMessage *msg, const char *id, const char *what)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_PREPARE);
	if (!a)
		return;
	g_autoptr(JsonObject) body = http_body_object(msg);
	if (!body)
		return;
	g_autoptr(JsonObject) row = db_photo_get(s->db, id);
	if (!row) {
		http_error(msg, 404, "not-found", "no photo %s", id);
		return;
	}
	if (json_object_get_int_member(row, "original_gone")) {
		http_error(msg, 409, "original-deleted",
			"the original of %s was deleted after the days --keep-originals gives: its outputs cannot be made again", id);
		return;
	}
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_data(p, json_object_get_string_member(row, "options"), -1, NULL)
		|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		http_error(msg, 500, "internal", "the photo's options are damaged");
		return;
	}
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	gboolean ok = !strcmp(what, "focus") ? set_focus(msg, body, o)
				  : !strcmp(what, "alt") ? set_alt(msg, body, o)
										 : masks_set(s, msg, id, body, o);
	if (!ok)
		return;
	g_autoptr(GError) e = NULL;
	g_autofree char *field = NULL;
	AttachePrepOptions *check = NULL;
	if (work_prep_options(s, o, id, s->data, a->name, &check, &field, &e)) {
		http_error(msg, 400, "bad-option", "%s", e ? e->message : field);
		return;
	}
	attache_prep_options_free(check);
	g_autofree char *text = json_to_string(json_parser_get_root(p), FALSE);
	if (db_photo_remake(s->db, id, text, a->name) < 0) {
		http_error(msg, 409, "busy", "photo %s is being prepared: change it when it is done", id);
		return;
	}
	g_autofree char *masks = g_strdup_printf("mask = %s; unmask = %s", json_str(o, "mask") ? json_str(o, "mask") : "",
		json_str(o, "unmask") ? json_str(o, "unmask") : "");
	const char *detail = !strcmp(what, "focus") ? json_str(o, "focus") : !strcmp(what, "alt") ? json_str(body, "lang")
																							  : masks;
	db_event_add(s->db, id, NULL, a->name, what, NULL, detail, "processing");
	state_notify(s, id, a->name, "processing");
	work_queue_prep(s, id);
	JsonObject *r = json_object_new();
	json_object_set_string_member(r, "id", id);
	http_object(msg, 202, r);
}
