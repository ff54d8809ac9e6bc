/* SPDX-License-Identifier: MIT */
/*
 * publish.c: POST /api/v1/outputs/{id}/publish and its job. Only an
 * output whose current bytes are approved is sent, through the library's
 * uploaders (src/lib/upload), with its own alt text and focus point, to
 * the account of its language; credentials stay in the server's
 * credentials.ini. A failure the platform answered (refused, auth) is
 * "failed" and may be sent again; a network failure is "unknown" (the
 * platform may hold a media) and is sent again only with "retry": true.
 */
#include "server-private.h"

#include <string.h>

/* The campaign's account for @lang, from the photo's options. (transfer
 * full) or %NULL: the default account. */
static char *
account_for(Server *s, const char *photo, const char *lang)
{
	g_autoptr(JsonObject) row = db_photo_get(s->db, photo);
	g_autoptr(JsonParser) p = json_parser_new();
	if (!row || !json_parser_load_from_data(p, json_object_get_string_member(row, "options"), -1, NULL)
		|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return NULL;
	const char *name = json_str(json_node_get_object(json_parser_get_root(p)), "campaign");
	AttacheCampaign *c = NULL;
	if (!name || attache_campaign_load(name, NULL, &c, NULL))
		return NULL;
	char *acc = g_strdup(attache_campaign_account(c, *lang ? lang : NULL));
	attache_campaign_free(c);
	return acc;
}

void
output_publish(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row)
{
	g_autoptr(JsonObject) body = http_body_object(msg);
	if (!body)
		return;
	const char *id = json_object_get_string_member(row, "id"), *sha = json_object_get_string_member(row, "sha256");
	g_autoptr(JsonObject) shown = api_output_json(s, row);
	const char *to = json_str(body, "to") ? json_str(body, "to") : json_str(shown, "platform");
	JsonNode *rn = json_object_get_member(body, "retry");
	gboolean retry = rn && JSON_NODE_HOLDS_VALUE(rn) && json_node_get_value_type(rn) == G_TYPE_BOOLEAN && json_node_get_boolean(rn);
	AttacheTarget target;
	if (!to || !attache_target_from_string(to, &target)) {
		http_error(msg, 400, "bad-request", "\"to\": \"%s\" is not x, mastodon or bluesky", to ? to : "");
		return;
	}
	const char *rs = state_output_review(s, row, NULL);
	if (strcmp(rs, "approved")) {
		http_error(msg, 409, "not-approved", "%s is not approved: %s", id,
			!strcmp(rs, "changes") ? "changes were requested on these bytes"
			: !strcmp(rs, "void")  ? "it changed since it was approved, and nobody approved the new bytes"
								   : "nobody approved these bytes yet");
		return;
	}
	g_autoptr(JsonArray) media = db_media_of(s->db, id);
	for (guint i = 0; i < json_array_get_length(media); i++) {
		JsonObject *m = json_array_get_object_element(media, i);
		if (strcmp(json_object_get_string_member(m, "sha256"), sha) || strcmp(json_object_get_string_member(m, "to"), to))
			continue;
		const char *st = json_object_get_string_member(m, "state");
		if (!strcmp(st, "done")) {
			http_error(msg, 409, "already-published", "these bytes are on %s already: media %s", to, json_str(m, "media_id"));
			return;
		}
		if (!strcmp(st, "pending")) {
			http_error(msg, 409, "busy", "a publication of these bytes to %s is running", to);
			return;
		}
		if (!strcmp(st, "unknown") && !retry) {
			http_error(msg, 409, "unknown-outcome",
				"the last publication to %s may have reached the platform (the connection dropped): check there, then send "
				"\"retry\": true",
				to);
			return;
		}
	}
	g_autofree char *account = account_for(s, json_object_get_string_member(row, "photo"), json_object_get_string_member(row, "lang"));
	AttacheCredentials *creds = NULL;
	g_autoptr(GError) e = NULL;
	if (attache_credentials_load_account(target, account, s->credentials, &creds, &e)) {
		server_log(s, "publish: %s", e->message);
		http_error(msg, 503, "not-configured", "this server has no usable credentials for %s%s%s (its log says why)", to,
			account ? " account " : "", account ? account : "");
		return;
	}
	attache_credentials_free(creds);
	gint64 mrow = db_media_start(s->db, id, sha, to, account);
	db_event_add(s->db, json_object_get_string_member(row, "photo"), id, a->name, "publish", sha, to, NULL);
	work_queue_publish(s, id, mrow, to);
	g_autoptr(JsonArray) now = db_media_of(s->db, id);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "id", id);
	for (guint i = 0; i < json_array_get_length(now); i++) {
		JsonObject *m = json_array_get_object_element(now, i);
		if (json_object_get_int_member(m, "id") == mrow) {
			JsonObject *c = json_object_ref(m);
			json_object_remove_member(c, "id");
			api_time_member(c, "at");
			json_object_set_object_member(o, "media", c);
		}
	}
	http_object(msg, 202, o);
}

/* The output's own alt text in its language (else x-default) and its
 * focus point, from its prep JSON. */
static char *
own_alt(JsonObject *row, gboolean *have_focus, double *fx, double *fy)
{
	g_autoptr(JsonParser) p = json_parser_new();
	*have_focus = FALSE;
	if (!json_parser_load_from_data(p, json_object_get_string_member(row, "json"), -1, NULL)
		|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return NULL;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	JsonNode *f = json_object_get_member(o, "focus");
	if (f && JSON_NODE_HOLDS_ARRAY(f) && json_array_get_length(json_node_get_array(f)) == 2) {
		*have_focus = TRUE;
		*fx = json_array_get_double_element(json_node_get_array(f), 0);
		*fy = json_array_get_double_element(json_node_get_array(f), 1);
	}
	JsonObject *alt = json_object_has_member(o, "alt") ? json_object_get_object_member(o, "alt") : NULL;
	const char *lang = json_object_get_string_member(row, "lang");
	const char *t = alt && *lang ? json_str(alt, lang) : NULL;
	if (!t && alt)
		t = json_str(alt, "x-default");
	return g_strdup(t);
}

void
work_publish(Server *s, const char *output, gint64 media_row, const char *to)
{
	g_autoptr(JsonObject) row = db_output_get(s->db, output);
	g_autoptr(JsonArray) media = db_media_of(s->db, output);
	const char *account = NULL;
	for (guint i = 0; i < json_array_get_length(media); i++)
		if (json_object_get_int_member(json_array_get_object_element(media, i), "id") == media_row)
			account = json_str(json_array_get_object_element(media, i), "account");
	AttacheTarget target = ATTACHE_TARGET_X;
	attache_target_from_string(to, &target);
	g_autoptr(GError) e = NULL;
	AttacheCredentials *creds = NULL;
	AttacheUploader *up = NULL;
	AttacheUploadResult *res = NULL;
	AttacheCode code = row ? ATTACHE_OK : ATTACHE_E_INPUT;
	gboolean have_focus = FALSE;
	double fx = 0, fy = 0;
	g_autofree char *alt = row ? own_alt(row, &have_focus, &fx, &fy) : NULL;
	AttacheUploadOptions *uo = attache_upload_options_new();
	if (!code)
		code = attache_credentials_load_account(target, account, s->credentials, &creds, &e);
	if (!code)
		code = attache_uploader_new(creds, uo, &up, &e);
	if (!code)
		code = attache_upload_file(up, json_object_get_string_member(row, "path"), alt, have_focus, fx, fy, &res, &e);
	const char *id = res && res->media_id ? res->media_id : res ? res->blob
																: NULL;
	/* the library retries what the platform did not act on; what stays
	 * unknown is a create that went out and got no answer */
	gboolean ambiguous = code == ATTACHE_E_UPLOAD && e && strstr(e->message, "may have created");
	const char *state = !code ? "done" : ambiguous ? "unknown"
												   : "failed";
	db_media_finish(s->db, media_row, state, id, code ? (e ? e->message : "failed") : NULL, res ? res->expires_at : 0);
	const char *photo = row ? json_object_get_string_member(row, "photo") : NULL;
	db_event_add(s->db, photo, output, NULL, code ? "publish-failed" : "published", row ? json_object_get_string_member(row, "sha256") : NULL,
		code ? (e ? e->message : "failed") : id, NULL);
	server_log(s, "publish %s to %s: %s", output, to, code ? (e ? e->message : "failed") : "done");
	if (photo)
		work_photo_refresh(s, photo, NULL);
	attache_upload_result_free(res);
	attache_uploader_free(up);
	attache_credentials_free(creds);
	attache_upload_options_free(uo);
}
