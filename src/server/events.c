/* SPDX-License-Identifier: MIT */
/* events.c: GET /api/v1/events?after=N, what happened since the page's
 * last poll (docs/http-api.md, "Events"), and the JSON of one event. */
#include "server-private.h"

#include <string.h>

#define EVENTS_MAX 200

char *
api_time(gint64 unix_s)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_s);
	return t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");
}

/* Replaces the integer member @m (Unix s) by its ISO 8601 text. */
void
api_time_member(JsonObject *o, const char *m)
{
	JsonNode *n = json_object_get_member(o, m);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return;
	g_autofree char *t = api_time(json_node_get_int(n));
	json_object_set_string_member(o, m, t);
}

JsonArray *
api_events_json(JsonArray *rows)
{
	for (guint i = 0; i < json_array_get_length(rows); i++)
		api_time_member(json_array_get_object_element(rows, i), "at");
	return rows;
}

void
api_events(Server *s, SoupServerMessage *msg)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_READ);
	if (!a)
		return;
	GUri *uri = soup_server_message_get_uri(msg);
	const char *q = g_uri_get_query(uri);
	gint64 after = 0;
	if (q) {
		g_autoptr(GHashTable) form = soup_form_decode(q);
		const char *v = g_hash_table_lookup(form, "after");
		guint64 n = 0;
		if (v && !g_ascii_string_to_unsigned(v, 10, 0, G_MAXINT64, &n, NULL)) {
			http_error(msg, 400, "bad-request", "after: \"%s\" is not an event id", v);
			return;
		}
		after = (gint64)n;
	}
	JsonArray *ev = api_events_json(db_events_after(s->db, after, EVENTS_MAX));
	gint64 last = after;
	guint n = json_array_get_length(ev);
	if (n)
		last = json_object_get_int_member(json_array_get_object_element(ev, n - 1), "id");
	JsonObject *o = json_object_new();
	json_object_set_array_member(o, "events", ev);
	json_object_set_int_member(o, "last", last);
	http_object(msg, 200, o);
}
