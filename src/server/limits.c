/* SPDX-License-Identifier: MIT */
/*
 * limits.c: clients that are slow or greedy must not hold the server
 * (docs/security.md, "The desk's clients"; docs/serve.md, "Limits").
 * Each connection's socket gets a timeout (GSocket's: a read or write
 * that waits longer fails and libsoup closes the connection); a request's
 * headers must be whole within that time from its start (an idle
 * keep-alive connection is closed then too); a request body must average
 * --min-rate bytes a second once that time has passed; and the server
 * holds at most --max-connections connections, --max-connections-per-
 * address of them from one address (the proxy's own is not counted so:
 * the proxy bounds its clients). Each answer closes its connection (no
 * keep-alive: libsoup leaks what it does not close itself); one idle
 * between requests all the same is closed after that time, or as soon
 * as its client has closed its end. A
 * client over a limit is dropped: its socket is shut down, its spool
 * deleted with its request, and the loop goes on serving the others. On
 * the main loop only.
 */
#include "server-private.h"

#include <string.h>

#define CHECK_MS 250

/* One connection counted, in s->conns (and referenced by the clocks of
 * its requests: a g_rc_box). */
typedef struct {
	Server *s;
	GSocket *sock; /* a reference: closed is told from it */
	char *address; /* counted per address, or %NULL (the proxy) */
	guint active;  /* requests started and not finished */
	gint64 idle_since;
	gboolean gone; /* no longer counted */
} Conn;

static void
conn_clear(Conn *c)
{
	g_object_unref(c->sock);
	g_free(c->address);
}

static void
conn_unref(Conn *c)
{
	g_rc_box_release_full(c, (GDestroyNotify)conn_clear);
}

static void
drop(Server *s, GSocket *sock, const char *address, const char *why)
{
	server_log(s, "client %s dropped: %s", address ? address : "?", why);
	g_socket_shutdown(sock, TRUE, TRUE, NULL);
}

/* The connection no longer counts (closed, or closed by us now). */
static void
conn_forget(Conn *c)
{
	Server *s = c->s;
	c->gone = TRUE;
	s->connections--;
	if (c->address) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->per_address, c->address));
		if (n <= 1)
			g_hash_table_remove(s->per_address, c->address);
		else
			g_hash_table_insert(s->per_address, g_strdup(c->address), GUINT_TO_POINTER(n - 1));
	}
}

/* Whether an idle connection's client has closed its end: libsoup 3.2
 * does not watch a keep-alive connection between requests, so without
 * this it would stay open (CLOSE_WAIT) for the server's life. */
static gboolean
peer_closed(GSocket *sock)
{
	GIOCondition c = g_socket_condition_check(sock, G_IO_IN | G_IO_HUP | G_IO_ERR);
	if (c & (G_IO_HUP | G_IO_ERR))
		return TRUE;
	if (!(c & G_IO_IN))
		return FALSE;
	char b;
	GInputVector v = { &b, 1 };
	gint flags = G_SOCKET_MSG_PEEK;
	gssize n = g_socket_receive_message(sock, NULL, &v, 1, NULL, NULL, &flags, NULL, NULL);
	return n == 0;
}

/* Every CHECK_MS: forgets closed connections, closes idle ones whose
 * client left or that were idle for --client-timeout. */
static gboolean
sweep(gpointer data)
{
	Server *s = data;
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, s->conns);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		Conn *c = v;
		gboolean closed = g_socket_is_closed(c->sock);
		if (!closed && !c->active
			&& (peer_closed(c->sock) || now - c->idle_since > (gint64)s->limits.timeout * G_USEC_PER_SEC)) {
			/* nothing of libsoup's waits on it: closing frees the fd */
			g_socket_close(c->sock, NULL);
			closed = TRUE;
		}
		if (closed) {
			conn_forget(c);
			g_hash_table_iter_remove(&it);
		}
	}
	return G_SOURCE_CONTINUE;
}

/* The connection of @sock, counted now if new; %NULL when over a cap
 * (the socket is then dropped). (transfer none) */
static Conn *
conn_admit(Server *s, SoupServerMessage *msg, GSocket *sock)
{
	Conn *c = g_hash_table_lookup(s->conns, sock);
	if (c)
		return c;
	if (g_object_get_data(G_OBJECT(sock), "attache-refused"))
		return NULL;
	sweep(s); /* the counts as they are now */
	const char *peer = soup_server_message_get_remote_host(msg);
	/* behind the proxy, every client has its address: the proxy's caps */
	gboolean per = peer && g_strcmp0(peer, s->proxy);
	guint n = per ? GPOINTER_TO_UINT(g_hash_table_lookup(s->per_address, peer)) : 0;
	const char *over = NULL;
	if (s->connections >= s->limits.max_connections)
		over = "the server holds --max-connections connections already";
	else if (per && n >= s->limits.max_per_address)
		over = "this address holds --max-connections-per-address connections already";
	if (over) {
		g_object_set_data(G_OBJECT(sock), "attache-refused", GINT_TO_POINTER(1));
		drop(s, sock, peer, over);
		return NULL;
	}
	c = g_rc_box_new0(Conn);
	c->s = s;
	c->sock = g_object_ref(sock);
	c->address = per ? g_strdup(peer) : NULL;
	c->idle_since = g_get_monotonic_time();
	if (per)
		g_hash_table_insert(s->per_address, g_strdup(peer), GUINT_TO_POINTER(n + 1));
	s->connections++;
	g_hash_table_insert(s->conns, sock, c);
	g_socket_set_timeout(sock, s->limits.timeout);
	return c;
}

/* One request's clock. */
typedef struct {
	Server *s;
	SoupServerMessage *msg; /* borrowed: this lives as its data */
	GSocket *sock;			/* borrowed: @conn keeps it */
	Conn *conn;				/* a reference */
	gboolean finished;
	guint timer;
	gint64 started, headers_at;
	gint64 bytes;
	gboolean body_done, dropped;
} Clock;

/* The request is over: its connection is idle from now. */
static void
clock_done(Clock *k)
{
	if (k->finished)
		return;
	k->finished = TRUE;
	k->conn->active--;
	k->conn->idle_since = g_get_monotonic_time();
}

static void
clock_free(Clock *k)
{
	if (k->timer)
		g_source_remove(k->timer);
	clock_done(k);
	conn_unref(k->conn);
	g_free(k);
}

static void
finished(SoupServerMessage *msg, gpointer data)
{
	clock_done(data);
}

static gboolean
clock_check(gpointer data)
{
	Clock *k = data;
	gint64 now = g_get_monotonic_time();
	double t = (double)k->s->limits.timeout;
	if (!k->headers_at && now - k->started > (gint64)(t * G_USEC_PER_SEC)) {
		k->dropped = TRUE;
		drop(k->s, k->sock, soup_server_message_get_remote_host(k->msg), "its request's headers took longer than --client-timeout");
	}
	else if (k->headers_at && !k->body_done) {
		double secs = (double)(now - k->headers_at) / G_USEC_PER_SEC;
		if (secs > t && (double)k->bytes < (double)k->s->limits.min_rate * secs) {
			k->dropped = TRUE;
			g_autofree char *why = g_strdup_printf("its body came at %.0f bytes/s, under --min-rate %" G_GINT64_FORMAT,
				(double)k->bytes / secs, k->s->limits.min_rate);
			drop(k->s, k->sock, soup_server_message_get_remote_host(k->msg), why);
		}
	}
	if (!k->dropped && !k->body_done)
		return G_SOURCE_CONTINUE;
	k->timer = 0;
	return G_SOURCE_REMOVE;
}

static void
got_headers(SoupServerMessage *msg, gpointer data)
{
	Clock *k = data;
	k->headers_at = g_get_monotonic_time();
	/* one request a connection: libsoup 3.2 closes and frees a
	 * connection it was told to close, but one whose client left between
	 * requests it neither watches nor frees (closing it in sweep() frees
	 * the fd, not libsoup's 2 KB of it) */
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection", "close");
}

static void
got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	Clock *k = data;
	k->bytes += (gint64)g_bytes_get_size(chunk);
}

static void
got_body(SoupServerMessage *msg, gpointer data)
{
	Clock *k = data;
	k->body_done = TRUE;
}

static void
request_started(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	Server *s = data;
	GSocket *sock = soup_server_message_get_socket(msg);
	Conn *c = sock ? conn_admit(s, msg, sock) : NULL;
	if (!c)
		return;
	c->active++;
	Clock *k = g_new0(Clock, 1);
	k->s = s;
	k->msg = msg;
	k->sock = sock;
	k->conn = g_rc_box_acquire(c);
	k->started = g_get_monotonic_time();
	k->timer = g_timeout_add(CHECK_MS, clock_check, k);
	g_signal_connect(msg, "got-headers", G_CALLBACK(got_headers), k);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(got_chunk), k);
	g_signal_connect(msg, "got-body", G_CALLBACK(got_body), k);
	g_signal_connect(msg, "finished", G_CALLBACK(finished), k);
	g_object_set_data_full(G_OBJECT(msg), "attache-clock", k, (GDestroyNotify)clock_free);
}

void
limits_install(Server *s)
{
	s->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)conn_unref);
	s->sweep = g_timeout_add(CHECK_MS, sweep, s);
	g_signal_connect(s->soup, "request-started", G_CALLBACK(request_started), s);
}
