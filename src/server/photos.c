/* SPDX-License-Identifier: MIT */
/* photos.c: /api/v1/photos: the queue, one photo, an upload, a new focus,
 * alt text or masks, a review of every output (docs/http-api.md,
 * "Photos"). */
#include "server-private.h"

#include <string.h>

/* The list's fields of a photo row (transfer full). */
static JsonObject *
photo_summary(JsonObject *row, const char *lang)
{
	JsonObject *o = json_object_new();
	const char *id = json_object_get_string_member(row, "id");
	json_object_set_string_member(o, "id", id);
	json_object_set_string_member(o, "name", json_object_get_string_member(row, "name"));
	json_object_set_string_member(o, "state", json_object_get_string_member(row, "state"));
	/* why it failed: the stable code, its plain words in @lang, and the
	 * technical text for support */
	const char *err = json_str(row, "error");
	if (err)
		json_object_set_object_member(o, "error", desk_failure(json_str(row, "error_code"), err, lang));
	else
		json_object_set_null_member(o, "error");
	g_autofree char *c = api_time(json_object_get_int_member(row, "created_at"));
	g_autofree char *u = api_time(json_object_get_int_member(row, "updated_at"));
	json_object_set_string_member(o, "created_at", c);
	json_object_set_string_member(o, "updated_at", u);
	json_object_set_string_member(o, "prepared_by", json_object_get_string_member(row, "prepared_by"));
	json_object_set_int_member(o, "outputs", json_object_get_int_member(row, "outputs"));
	if (json_str(row, "preview")) {
		g_autofree char *url = g_strdup_printf("/api/v1/photos/%s/preview", id);
		json_object_set_string_member(o, "preview_url", url);
		json_object_set_string_member(o, "preview_sha256", json_str(row, "preview_sha256") ? json_str(row, "preview_sha256") : "");
	}
	else {
		json_object_set_null_member(o, "preview_url");
		json_object_set_null_member(o, "preview_sha256");
	}
	return o;
}

JsonObject *
api_photo_json(Server *s, const char *id, gboolean full, const char *lang)
{
	g_autoptr(JsonObject) row = db_photo_get(s->db, id);
	if (!row)
		return NULL;
	JsonObject *o = photo_summary(row, lang);
	if (!full)
		return o;
	g_autoptr(JsonParser) p = json_parser_new();
	if (json_parser_load_from_data(p, json_object_get_string_member(row, "options"), -1, NULL)
		&& JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		json_object_set_member(o, "options", json_node_copy(json_parser_get_root(p)));
		json_object_set_object_member(o, "masks", masks_json(json_node_get_object(json_parser_get_root(p))));
	}
	gboolean protect = FALSE;
	JsonArray *faces = masks_faces(s, id, &protect);
	if (faces)
		json_object_set_array_member(o, "faces", faces);
	else
		json_object_set_null_member(o, "faces");
	json_object_set_boolean_member(o, "faces_protected", protect);
	g_autoptr(JsonArray) outs = db_outputs_of(s->db, id);
	JsonArray *list = json_array_new();
	for (guint i = 0; i < json_array_get_length(outs); i++)
		json_array_add_object_element(list, api_output_json(s, json_array_get_object_element(outs, i)));
	json_object_set_array_member(o, "outputs", list);
	json_object_set_array_member(o, "history", api_events_json(db_events_of(s->db, id)));
	return o;
}

static void
photo_list(Server *s, SoupServerMessage *msg)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_READ);
	if (!a)
		return;
	const char *q = g_uri_get_query(soup_server_message_get_uri(msg));
	g_autoptr(GHashTable) form = q ? soup_form_decode(q) : NULL;
	const char *state = form ? g_hash_table_lookup(form, "state") : NULL;
	JsonObject *counts = NULL;
	g_autoptr(JsonArray) r = db_photo_list(s->db, state, &counts);
	JsonArray *list = json_array_new();
	const char *lang = desk_lang(msg);
	for (guint i = 0; i < json_array_get_length(r); i++)
		json_array_add_object_element(list, photo_summary(json_array_get_object_element(r, i), lang));
	JsonObject *o = json_object_new();
	json_object_set_array_member(o, "photos", list);
	json_object_set_object_member(o, "counts", counts);
	http_object(msg, 200, o);
}

static void
photo_get(Server *s, SoupServerMessage *msg, const char *id)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_READ);
	if (!a)
		return;
	JsonObject *o = api_photo_json(s, id, TRUE, desk_lang(msg));
	if (!o) {
		http_error(msg, 404, "not-found", "no photo %s", id);
		return;
	}
	http_object(msg, 200, o);
}

void
api_photos(Server *s, SoupServerMessage *msg, char **parts)
{
	const char *m = soup_server_message_get_method(msg);
	if (!parts[0]) {
		if (!strcmp(m, "GET"))
			photo_list(s, msg);
		else if (!strcmp(m, "POST"))
			photo_upload(s, msg);
		else
			http_error(msg, 405, "method-not-allowed", "GET or POST");
		return;
	}
	if (!http_valid_id(parts[0], 'p')) {
		http_error(msg, 400, "bad-id", "not a photo id (p_ and 32 hex digits)");
		return;
	}
	const char *what = parts[1];
	if (!what && !strcmp(m, "GET"))
		photo_get(s, msg, parts[0]);
	else if (what && !parts[2] && !strcmp(what, "preview") && !strcmp(m, "GET"))
		photo_preview(s, msg, parts[0]);
	else if (what && !parts[2] && !strcmp(what, "focus") && !strcmp(m, "POST"))
		photo_change(s, msg, parts[0], "focus");
	else if (what && !parts[2] && !strcmp(what, "alt") && !strcmp(m, "POST"))
		photo_change(s, msg, parts[0], "alt");
	else if (what && !parts[2] && !strcmp(what, "masks") && !strcmp(m, "PUT"))
		photo_change(s, msg, parts[0], "masks");
	else if (what && !parts[2] && !strcmp(what, "review") && !strcmp(m, "POST"))
		photo_review(s, msg, parts[0]);
	else
		http_error(msg, 404, "not-found", "no such endpoint");
}
