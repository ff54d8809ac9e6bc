/* SPDX-License-Identifier: MIT */
/*
 * state.c: where a photo and its outputs stand (docs/http-api.md, "Ids
 * and states"), worked out from the database after each change: the
 * outputs' reviews of their current bytes, their flags and media. A
 * change of a photo's state is an event, and a webhook.
 */
#include "server-private.h"

#include <string.h>

const char *
state_output_review(Server *s, JsonObject *row, JsonObject **latest)
{
	gboolean earlier = FALSE;
	JsonObject *r = db_review_latest(s->db, json_object_get_string_member(row, "id"),
		json_object_get_string_member(row, "sha256"), &earlier);
	const char *state = !r																   ? (earlier ? "void" : "waiting")
						: !strcmp(json_object_get_string_member(r, "decision"), "approve") ? "approved"
																						   : "changes";
	if (latest)
		*latest = r;
	else if (r)
		json_object_unref(r);
	return state;
}

GPtrArray *
state_output_flags(JsonObject *row)
{
	GPtrArray *flags = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_data(p, json_object_get_string_member(row, "json"), -1, NULL)
		|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return flags;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	JsonArray *f = json_object_has_member(o, "flags") ? json_object_get_array_member(o, "flags") : NULL;
	for (guint i = 0; f && i < json_array_get_length(f); i++)
		g_ptr_array_add(flags, g_strdup(json_array_get_string_element(f, i)));
	JsonObject *alt = json_object_has_member(o, "alt") ? json_object_get_object_member(o, "alt") : NULL;
	if (!alt || json_object_get_size(alt) == 0)
		g_ptr_array_add(flags, g_strdup("alt-missing"));
	return flags;
}

static gboolean
published(Server *s, JsonObject *row)
{
	g_autoptr(JsonArray) media = db_media_of(s->db, json_object_get_string_member(row, "id"));
	for (guint i = 0; i < json_array_get_length(media); i++) {
		JsonObject *m = json_array_get_object_element(media, i);
		if (!strcmp(json_object_get_string_member(m, "state"), "done")
			&& !strcmp(json_object_get_string_member(m, "sha256"), json_object_get_string_member(row, "sha256")))
			return TRUE;
	}
	return FALSE;
}

/* The state of a prepared photo from its outputs. */
static const char *
photo_state(Server *s, const char *photo)
{
	g_autoptr(JsonArray) outs = db_outputs_of(s->db, photo);
	guint n = json_array_get_length(outs), approved = 0, pub = 0, changes = 0, flagged = 0;
	for (guint i = 0; i < n; i++) {
		JsonObject *o = json_array_get_object_element(outs, i);
		const char *rs = state_output_review(s, o, NULL);
		gboolean is_pub = published(s, o);
		pub += is_pub;
		approved += is_pub || !strcmp(rs, "approved");
		changes += !strcmp(rs, "changes");
		g_autoptr(GPtrArray) flags = state_output_flags(o);
		for (guint k = 0; k < flags->len && strcmp(rs, "approved"); k++)
			if (attache_flag_severity(flags->pdata[k]) >= ATTACHE_SEVERITY_NEEDS_YES) {
				flagged++;
				break;
			}
	}
	if (!n)
		return "failed";
	if (pub == n)
		return "published";
	if (approved == n)
		return "approved";
	if (changes)
		return "changes";
	if (flagged)
		return "attention";
	return "review";
}

typedef struct {
	Server *s;
	gint64 event;
	char *photo, *state;
} Notice;

static gboolean
notify_on_loop(gpointer data)
{
	Notice *n = data;
	webhook_send(n->s, n->event, n->photo, n->state);
	g_free(n->photo);
	g_free(n->state);
	g_free(n);
	return G_SOURCE_REMOVE;
}

void
state_notify(Server *s, const char *photo, const char *actor, const char *state)
{
	gint64 ev = db_event_add(s->db, photo, NULL, actor, "state", NULL, NULL, state);
	Notice *n = g_new0(Notice, 1);
	n->s = s;
	n->event = ev;
	n->photo = g_strdup(photo);
	n->state = g_strdup(state);
	g_main_context_invoke(NULL, notify_on_loop, n);
}

void
work_photo_refresh(Server *s, const char *photo, const char *actor)
{
	g_autoptr(JsonObject) row = db_photo_get(s->db, photo);
	if (!row || json_object_get_int_member(row, "done_version") < json_object_get_int_member(row, "version")
		|| !strcmp(json_object_get_string_member(row, "state"), "failed"))
		return;
	const char *state = photo_state(s, photo);
	if (db_photo_state_set(s->db, photo, state))
		state_notify(s, photo, actor, state);
}
