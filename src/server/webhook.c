/* SPDX-License-Identifier: MIT */
/*
 * webhook.c: a POST to --webhook on each change of a photo's state, signed
 * `Attache-Signature: t=UNIX,v1=HEX` (HMAC-SHA256 of "UNIX.BODY" under the
 * secret, GLib's GHmac), retried with backoff (1, 2, 4 ... s, 8 attempts),
 * each attempt logged (webhook_deliveries, and the server's log). On the
 * main loop, with libsoup's client.
 */
#include "server-private.h"

#include <string.h>

#define ATTEMPTS 8
#define TIMEOUT_S 10

typedef struct {
	Server *s;
	gint64 event;
	char *body;
	int attempt;
} Delivery;

static void deliver(Delivery *d);

static void
delivery_free(Delivery *d)
{
	g_free(d->body);
	g_free(d);
}

static gboolean
retry(gpointer data)
{
	deliver(data);
	return G_SOURCE_REMOVE;
}

static void
sent(GObject *src, GAsyncResult *res, gpointer data)
{
	Delivery *d = data;
	g_autoptr(GError) e = NULL;
	SoupMessage *m = soup_session_get_async_result_message(SOUP_SESSION(src), res);
	GBytes *reply = soup_session_send_and_read_finish(SOUP_SESSION(src), res, &e);
	if (reply)
		g_bytes_unref(reply);
	guint status = e ? 0 : soup_message_get_status(m);
	gboolean ok = status >= 200 && status < 300;
	db_webhook_log(d->s->db, d->event, d->attempt, (int)status, e ? e->message : ok ? NULL
																					: "not a 2xx answer");
	server_log(d->s, "webhook event %" G_GINT64_FORMAT " attempt %d: %s%u", d->event, d->attempt, e ? e->message : "",
		status);
	if (ok || d->attempt >= ATTEMPTS) {
		delivery_free(d);
		return;
	}
	g_timeout_add_seconds(1u << MIN(d->attempt - 1, 9), retry, d);
}

static void
deliver(Delivery *d)
{
	Server *s = d->s;
	d->attempt++;
	SoupMessage *m = soup_message_new("POST", s->webhook_url);
	if (!m) {
		server_log(s, "webhook: %s is not a URL", s->webhook_url);
		delivery_free(d);
		return;
	}
	g_autofree char *t = g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / G_USEC_PER_SEC);
	g_autofree char *signed_text = g_strconcat(t, ".", d->body, NULL);
	g_autofree char *hex = g_compute_hmac_for_string(G_CHECKSUM_SHA256, (const guchar *)s->webhook_secret,
		strlen(s->webhook_secret), signed_text, -1);
	g_autofree char *sig = g_strdup_printf("t=%s,v1=%s", t, hex);
	soup_message_headers_replace(soup_message_get_request_headers(m), "Attache-Signature", sig);
	g_autoptr(GBytes) body = g_bytes_new(d->body, strlen(d->body));
	soup_message_set_request_body_from_bytes(m, "application/json", body);
	soup_session_send_and_read_async(s->client, m, G_PRIORITY_DEFAULT, NULL, sent, d);
	g_object_unref(m);
}

void
webhook_send(Server *s, gint64 event, const char *photo, const char *state)
{
	if (!s->webhook_url)
		return;
	if (!s->client)
		s->client = soup_session_new_with_options("timeout", TIMEOUT_S, "user-agent", "attache-webhook", NULL);
	g_autofree char *at = api_time(g_get_real_time() / G_USEC_PER_SEC);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "event", "photo.state");
	json_object_set_string_member(o, "photo", photo);
	json_object_set_string_member(o, "state", state);
	json_object_set_string_member(o, "at", at);
	json_object_set_int_member(o, "event_id", event);
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(n, o);
	Delivery *d = g_new0(Delivery, 1);
	d->s = s;
	d->event = event;
	d->body = json_to_string(n, FALSE);
	json_node_unref(n);
	deliver(d);
}
