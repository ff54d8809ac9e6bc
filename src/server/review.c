/* SPDX-License-Identifier: MIT */
/*
 * review.c: a reviewer's decision on an output's current bytes, or on
 * every output of a photo (all or nothing). Nobody approves bytes they
 * made (403 own-bytes); an output with a flag that needs a deliberate yes
 * is approved only with "confirm": true; a blocking flag is never
 * approved. docs/http-api.md, "Outputs".
 */
#include "server-private.h"

#include <string.h>

#define MAX_COMMENT 4000

typedef struct {
	const char *decision, *comment, *sha256;
	gboolean confirm;
} Decision;

/* Reads the body; FALSE after answering 400. */
static gboolean
decision_read(SoupServerMessage *msg, JsonObject *body, Decision *d)
{
	d->decision = json_str(body, "decision");
	d->comment = json_str(body, "comment");
	d->sha256 = json_str(body, "sha256");
	JsonNode *c = json_object_get_member(body, "confirm");
	d->confirm = c && JSON_NODE_HOLDS_VALUE(c) && json_node_get_value_type(c) == G_TYPE_BOOLEAN && json_node_get_boolean(c);
	if (!d->decision || (strcmp(d->decision, "approve") && strcmp(d->decision, "changes"))) {
		http_error(msg, 400, "bad-request", "\"decision\" is \"approve\" or \"changes\"");
		return FALSE;
	}
	if (d->comment && (strlen(d->comment) > MAX_COMMENT || !g_utf8_validate(d->comment, -1, NULL))) {
		http_error(msg, 400, "bad-request", "a comment is at most %d bytes of text", MAX_COMMENT);
		return FALSE;
	}
	g_autofree char *bare = g_strstrip(g_strdup(d->comment ? d->comment : ""));
	if (!strcmp(d->decision, "changes") && !*bare) {
		http_error(msg, 400, "bad-request", "a request for changes says which in \"comment\"");
		return FALSE;
	}
	return TRUE;
}

static void
error_with_flags(SoupServerMessage *msg, guint status, const char *code, const char *text, GPtrArray *flags)
{
	JsonObject *e = json_object_new();
	json_object_set_string_member(e, "code", code);
	json_object_set_string_member(e, "message", text);
	JsonArray *a = json_array_new();
	for (guint i = 0; flags && i < flags->len; i++)
		json_array_add_string_element(a, flags->pdata[i]);
	json_object_set_array_member(e, "flags", a);
	JsonObject *o = json_object_new();
	json_object_set_object_member(o, "error", e);
	http_object(msg, status, o);
}

static char *
output_label(JsonObject *row)
{
	const char *lang = json_object_get_string_member(row, "lang");
	return g_strdup_printf("%s (%s%s%s)", json_object_get_string_member(row, "id"), json_object_get_string_member(row, "preset"),
		*lang ? ", " : "", lang);
}

/* Whether @a may record @d on @row; FALSE after answering why. */
static gboolean
review_allowed(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row, const Decision *d)
{
	const char *id = json_object_get_string_member(row, "id"), *sha = json_object_get_string_member(row, "sha256");
	g_autofree char *label = output_label(row);
	g_autoptr(JsonObject) photo = db_photo_get(s->db, json_object_get_string_member(row, "photo"));
	if (!photo || json_object_get_int_member(photo, "done_version") < json_object_get_int_member(photo, "version")) {
		http_error(msg, 409, "busy", "%s is being prepared again: decide on its new bytes", label);
		return FALSE;
	}
	if (d->sha256 && strcmp(d->sha256, sha)) {
		http_error(msg, 409, "busy", "%s changed since you looked (its bytes are %s now): look again", label, sha);
		return FALSE;
	}
	if (strcmp(d->decision, "approve"))
		return TRUE;
	if (db_is_maker(s->db, id, sha, a->name)) {
		http_error(msg, 403, "own-bytes", "%s: %s made these bytes, so another person approves them", label, a->name);
		return FALSE;
	}
	g_autoptr(GPtrArray) flags = state_output_flags(row);
	g_autoptr(GPtrArray) yes = g_ptr_array_new();
	for (guint i = 0; i < flags->len; i++) {
		AttacheSeverity sev = attache_flag_severity(flags->pdata[i]);
		if (sev == ATTACHE_SEVERITY_BLOCKING) {
			g_autofree char *t = g_strdup_printf("%s: %s: it is never approved", label, attache_flag_label(flags->pdata[i]));
			error_with_flags(msg, 409, "blocked", t, flags);
			return FALSE;
		}
		if (sev == ATTACHE_SEVERITY_NEEDS_YES)
			g_ptr_array_add(yes, flags->pdata[i]);
	}
	if (yes->len && !d->confirm) {
		g_autofree char *t = g_strdup_printf("%s: %s: approve it deliberately (\"confirm\": true)", label,
			attache_flag_label(yes->pdata[0]));
		error_with_flags(msg, 409, "needs-confirm", t, yes);
		return FALSE;
	}
	return TRUE;
}

static gboolean
review_record(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row, const Decision *d)
{
	const char *id = json_object_get_string_member(row, "id"), *sha = json_object_get_string_member(row, "sha256");
	g_autoptr(GError) e = NULL;
	if (db_review_put(s->db, id, sha, d->decision, a->name, d->comment, &e)) {
		server_log(s, "review: %s", e->message);
		http_error(msg, 500, "internal", "the review could not be recorded");
		return FALSE;
	}
	db_event_add(s->db, json_object_get_string_member(row, "photo"), id, a->name, strcmp(d->decision, "approve") ? "changes" : "approve",
		sha, d->comment, NULL);
	return TRUE;
}

void
output_review(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row)
{
	g_autoptr(JsonObject) body = http_body_object(msg);
	Decision d;
	if (!body || !decision_read(msg, body, &d) || !review_allowed(s, msg, a, row, &d) || !review_record(s, msg, a, row, &d))
		return;
	work_photo_refresh(s, json_object_get_string_member(row, "photo"), a->name);
	http_object(msg, 200, api_output_json(s, row));
}

void
photo_review(Server *s, SoupServerMessage *msg, const char *id)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_REVIEW);
	if (!a)
		return;
	g_autoptr(JsonObject) body = http_body_object(msg);
	Decision d;
	if (!body || !decision_read(msg, body, &d))
		return;
	if (d.sha256) {
		http_error(msg, 400, "bad-request", "\"sha256\" names one output's bytes: review that output");
		return;
	}
	g_autoptr(JsonArray) outs = db_outputs_of(s->db, id);
	guint n = json_array_get_length(outs);
	if (!n) {
		http_error(msg, 404, "not-found", "photo %s has no outputs", id);
		return;
	}
	for (guint i = 0; i < n; i++)
		if (!review_allowed(s, msg, a, json_array_get_object_element(outs, i), &d))
			return;
	JsonArray *list = json_array_new();
	for (guint i = 0; i < n; i++) {
		JsonObject *row = json_array_get_object_element(outs, i);
		if (!review_record(s, msg, a, row, &d)) {
			json_array_unref(list);
			return;
		}
		json_array_add_object_element(list, api_output_json(s, row));
	}
	work_photo_refresh(s, id, a->name);
	JsonObject *o = json_object_new();
	json_object_set_array_member(o, "outputs", list);
	http_object(msg, 200, o);
}
