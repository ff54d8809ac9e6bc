/* SPDX-License-Identifier: MIT */
/*
 * outputs.c: /api/v1/outputs/{id}: an output's JSON, its bytes (ETag =
 * SHA-256), a review of its current bytes and a publish request
 * (docs/http-api.md, "Outputs"). The two-person rule is checked here, on
 * the server: nobody approves bytes they made (the makers table, per
 * SHA-256), and an approval holds for those bytes only.
 */
#include "server-private.h"

#include <string.h>

static void
set_nullable(JsonObject *o, const char *m, const char *v)
{
	if (v)
		json_object_set_string_member(o, m, v);
	else
		json_object_set_null_member(o, m);
}

/* The preset's own facts the page needs: platform, alt-text limit. */
static void
preset_facts(Server *s, JsonObject *o, const char *name)
{
	static AttachePresetSet *set;
	static gsize once;
	if (g_once_init_enter(&once)) {
		if (attache_preset_set_load(NULL, s->preset_dir, &set, NULL))
			set = NULL;
		g_once_init_leave(&once, 1);
	}
	const AttachePreset *p = set ? attache_preset_set_lookup(set, name, NULL) : NULL;
	set_nullable(o, "platform", p ? p->platform : NULL);
	json_object_set_int_member(o, "alt_limit", p ? p->alt_max_chars : 0);
}

/* Copies the prep JSON's members the API shows, reshaped. */
static void
from_prep_json(JsonObject *o, JsonObject *prep, GPtrArray *flags)
{
	static const char *const ints[] = { "width", "height", "bytes" };
	for (guint i = 0; i < G_N_ELEMENTS(ints); i++)
		json_object_set_int_member(o, ints[i], json_object_get_int_member_with_default(prep, ints[i], 0));
	set_nullable(o, "format", json_object_get_string_member_with_default(prep, "format", NULL));
	JsonArray *alt = json_array_new();
	JsonObject *a = json_object_has_member(prep, "alt") ? json_object_get_object_member(prep, "alt") : NULL;
	g_autoptr(GList) langs = a ? json_object_get_members(a) : NULL;
	for (GList *l = langs; l; l = l->next) {
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "lang", l->data);
		json_object_set_string_member(e, "text", json_object_get_string_member(a, l->data));
		json_array_add_object_element(alt, e);
	}
	json_object_set_array_member(o, "alt", alt);
	JsonArray *fl = json_array_new();
	for (guint i = 0; i < flags->len; i++) {
		JsonObject *e = json_object_new();
		json_object_set_string_member(e, "flag", flags->pdata[i]);
		json_object_set_string_member(e, "label", attache_flag_label(flags->pdata[i]));
		json_object_set_string_member(e, "severity", attache_severity_name(attache_flag_severity(flags->pdata[i])));
		json_array_add_object_element(fl, e);
	}
	json_object_set_array_member(o, "flags", fl);
	static const char *const copied[] = { "faces", "regions", "focus" };
	for (guint i = 0; i < G_N_ELEMENTS(copied); i++) {
		JsonNode *n = json_object_get_member(prep, copied[i]);
		if (n)
			json_object_set_member(o, copied[i], json_node_copy(n));
		else
			json_object_set_null_member(o, copied[i]);
	}
}

JsonObject *
api_output_json(Server *s, JsonObject *row)
{
	const char *id = json_object_get_string_member(row, "id");
	const char *sha = json_object_get_string_member(row, "sha256");
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "id", id);
	json_object_set_string_member(o, "photo", json_object_get_string_member(row, "photo"));
	g_autofree char *url = g_strdup_printf("/api/v1/outputs/%s/file", id);
	json_object_set_string_member(o, "url", url);
	json_object_set_string_member(o, "preset", json_object_get_string_member(row, "preset"));
	preset_facts(s, o, json_object_get_string_member(row, "preset"));
	const char *lang = json_object_get_string_member(row, "lang");
	set_nullable(o, "lang", *lang ? lang : NULL);
	json_object_set_string_member(o, "sha256", sha);
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GPtrArray) flags = state_output_flags(row);
	if (json_parser_load_from_data(p, json_object_get_string_member(row, "json"), -1, NULL)
		&& JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		from_prep_json(o, json_node_get_object(json_parser_get_root(p)), flags);
	JsonArray *makers = json_array_new();
	g_autoptr(JsonArray) mk = db_makers(s->db, id, sha);
	for (guint i = 0; i < json_array_get_length(mk); i++)
		json_array_add_string_element(makers, json_object_get_string_member(json_array_get_object_element(mk, i), "user"));
	json_object_set_array_member(o, "prepared_by", makers);
	JsonObject *latest = NULL;
	JsonObject *rv = json_object_new();
	json_object_set_string_member(rv, "state", state_output_review(s, row, &latest));
	set_nullable(rv, "by", latest ? json_object_get_string_member(latest, "by") : NULL);
	g_autofree char *at = latest ? api_time(json_object_get_int_member(latest, "at")) : NULL;
	set_nullable(rv, "at", at);
	set_nullable(rv, "comment", latest ? json_str(latest, "comment") : NULL);
	json_object_set_object_member(o, "review", rv);
	if (latest)
		json_object_unref(latest);
	JsonArray *media = db_media_of(s->db, id);
	for (guint i = 0; i < json_array_get_length(media); i++) {
		JsonObject *m = json_array_get_object_element(media, i);
		json_object_remove_member(m, "id");
		api_time_member(m, "at");
		api_time_member(m, "expires_at");
	}
	json_object_set_array_member(o, "media", media);
	return o;
}

static void
output_file(Server *s, SoupServerMessage *msg, JsonObject *row)
{
	const char *sha = json_object_get_string_member(row, "sha256");
	g_autofree char *etag = g_strdup_printf("\"%s\"", sha);
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(rh, "ETag", etag);
	soup_message_headers_replace(rh, "Cache-Control", "private, no-cache");
	soup_message_headers_replace(rh, "X-Content-Type-Options", "nosniff");
	const char *inm = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "If-None-Match");
	if (inm && strstr(inm, sha)) {
		soup_server_message_set_status(msg, 304, NULL);
		return;
	}
	g_autoptr(GError) e = NULL;
	g_autoptr(GMappedFile) map = g_mapped_file_new(json_object_get_string_member(row, "path"), FALSE, &e);
	if (!map) {
		http_error(msg, 404, "not-found", "the output's file is gone");
		return;
	}
	g_autoptr(GBytes) b = g_mapped_file_get_bytes(map);
	AttacheFormat fmt = ATTACHE_FORMAT_JPEG;
	const char *path = json_object_get_string_member(row, "path");
	const char *dot = strrchr(path, '.');
	if (!dot || !attache_format_from_string(dot + 1, &fmt))
		fmt = ATTACHE_FORMAT_JPEG;
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, attache_format_mime(fmt), SOUP_MEMORY_COPY, g_bytes_get_data(b, NULL),
		g_bytes_get_size(b));
}

void
api_outputs(Server *s, SoupServerMessage *msg, char **parts)
{
	const char *m = soup_server_message_get_method(msg);
	if (!parts[0] || !http_valid_id(parts[0], 'o')) {
		http_error(msg, 400, "bad-id", "not an output id (o_ and 32 hex digits)");
		return;
	}
	const char *what = parts[1];
	gboolean get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
	guint need = (!what || !strcmp(what, "file")) && get	? SCOPE_READ
				 : what && !strcmp(what, "review") && post	? SCOPE_REVIEW
				 : what && !strcmp(what, "publish") && post ? SCOPE_PUBLISH
															: 0;
	if (!need || (what && parts[2])) {
		http_error(msg, 404, "not-found", "no such endpoint");
		return;
	}
	g_autoptr(Actor) a = auth_require(s, msg, need);
	if (!a)
		return;
	g_autoptr(JsonObject) row = db_output_get(s->db, parts[0]);
	if (!row) {
		http_error(msg, 404, "not-found", "no output %s", parts[0]);
		return;
	}
	if (!what)
		http_object(msg, 200, api_output_json(s, row));
	else if (!strcmp(what, "file"))
		output_file(s, msg, row);
	else if (!strcmp(what, "review"))
		output_review(s, msg, a, row);
	else
		output_publish(s, msg, a, row);
}
