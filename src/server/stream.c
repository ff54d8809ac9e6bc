/* SPDX-License-Identifier: MIT */
/*
 * stream.c: GET /api/v1/events/stream, the events as server-sent events
 * (docs/http-api.md, "Events"): the page's updates without a reload (it
 * polls GET /api/v1/events while a stream is down). One timer on the main
 * loop, while a stream is open, reads the events after each stream's last
 * one (the same table GET /api/v1/events reads, so both say the same) and
 * writes them as chunks; a comment line every 15 s keeps proxies from
 * closing a quiet stream and tells a gone client. At most a quarter of
 * --max-connections streams are open at once: more are 503.
 */
#include "server-private.h"

#include <string.h>

#define TICK_MS 400
#define BEAT_USEC (15 * G_USEC_PER_SEC)
#define EVENTS_MAX 200

typedef struct {
	Server *s;
	SoupServerMessage *msg; /* a reference, until finished */
	gint64 last;			/* the last event id sent */
	gint64 beat;			/* when a line was last written */
} Stream;

static void
stream_write(Stream *st, const char *text)
{
	SoupMessageBody *b = soup_server_message_get_response_body(st->msg);
	soup_message_body_append(b, SOUP_MEMORY_COPY, text, strlen(text));
	soup_server_message_unpause(st->msg);
	st->beat = g_get_monotonic_time();
}

/* Writes the events after st->last; FALSE when none. */
static void
stream_send(Stream *st)
{
	g_autoptr(JsonArray) ev = api_events_json(db_events_after(st->s->db, st->last, EVENTS_MAX));
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < json_array_get_length(ev); i++) {
		JsonObject *o = json_array_get_object_element(ev, i);
		JsonNode *n = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(n, o);
		g_autofree char *data = json_to_string(n, FALSE);
		json_node_unref(n);
		st->last = json_object_get_int_member(o, "id");
		/* the JSON text has no newline: one data line */
		g_string_append_printf(out, "id: %" G_GINT64_FORMAT "\ndata: %s\n\n", st->last, data);
	}
	if (out->len)
		stream_write(st, out->str);
	else if (g_get_monotonic_time() - st->beat > BEAT_USEC)
		stream_write(st, ": still here\n\n");
	g_string_free(out, TRUE);
}

static gboolean
tick(gpointer data)
{
	Server *s = data;
	for (guint i = 0; i < s->streams->len; i++)
		stream_send(s->streams->pdata[i]);
	if (s->streams->len)
		return G_SOURCE_CONTINUE;
	s->stream_timer = 0;
	return G_SOURCE_REMOVE;
}

static void
stream_free(Stream *st)
{
	g_object_unref(st->msg);
	g_free(st);
}

static void
finished(SoupServerMessage *msg, gpointer data)
{
	Stream *st = data;
	g_signal_handlers_disconnect_by_data(msg, st);
	g_ptr_array_remove(st->s->streams, st); /* frees it */
}

/* Where a stream starts: after Last-Event-ID (a reconnect), ?after=N,
 * else after the newest event (only what happens from now). */
static gint64
stream_start(Server *s, SoupServerMessage *msg)
{
	const char *id = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Last-Event-ID");
	g_autofree char *after = NULL;
	const char *q = g_uri_get_query(soup_server_message_get_uri(msg));
	if (!id && q) {
		g_autoptr(GHashTable) form = soup_form_decode(q);
		after = g_strdup(g_hash_table_lookup(form, "after"));
		id = after;
	}
	guint64 n = 0;
	if (id && g_ascii_string_to_unsigned(id, 10, 0, G_MAXINT64, &n, NULL))
		return (gint64)n;
	return db_event_last(s->db);
}

void
api_events_stream(Server *s, SoupServerMessage *msg)
{
	g_autoptr(Actor) a = auth_require(s, msg, SCOPE_READ);
	if (!a)
		return;
	guint cap = MAX(s->limits.max_connections / 4, 1);
	if (s->streams->len >= cap) {
		http_error(msg, 503, "too-many-streams", "%u event streams are open (a quarter of --max-connections): poll GET /api/v1/events",
			s->streams->len);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "10");
		return;
	}
	Stream *st = g_new0(Stream, 1);
	st->s = s;
	st->msg = g_object_ref(msg);
	st->last = stream_start(s, msg);
	soup_server_message_set_status(msg, 200, NULL);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_set_encoding(h, SOUP_ENCODING_CHUNKED);
	soup_message_headers_replace(h, "Content-Type", "text/event-stream; charset=utf-8");
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Accel-Buffering", "no"); /* nginx: do not hold it back */
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	g_signal_connect(msg, "finished", G_CALLBACK(finished), st);
	g_ptr_array_add(s->streams, st);
	stream_write(st, "retry: 2000\n\n");
	if (!s->stream_timer)
		s->stream_timer = g_timeout_add(TICK_MS, tick, s);
}

void
stream_install(Server *s)
{
	s->streams = g_ptr_array_new_with_free_func((GDestroyNotify)stream_free);
}

void
stream_stop(Server *s)
{
	if (s->stream_timer)
		g_source_remove(s->stream_timer);
	s->stream_timer = 0;
	for (guint i = 0; s->streams && i < s->streams->len; i++)
		g_signal_handlers_disconnect_by_data(((Stream *)s->streams->pdata[i])->msg, s->streams->pdata[i]);
	if (s->streams)
		g_ptr_array_unref(s->streams);
	s->streams = NULL;
}
