/* SPDX-License-Identifier: MIT */
/*
 * serve.c: `attache serve` (docs/serve.md): the data folder and its lock,
 * the listening socket (loopback, TLS or behind a named proxy), the
 * routes, the page's files from the GResource, and the main loop. Prep and
 * publishing run on the worker pool (work.c), never on the loop.
 */
#include "server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:8480"
#define DEFAULT_MAX_UPLOAD ((gint64)64 * 1024 * 1024)
/* slow or greedy clients (limits.c; docs/serve.md, "Limits") */
#define DEFAULT_CLIENT_TIMEOUT 30
#define DEFAULT_MAX_CONNECTIONS 256
#define DEFAULT_MAX_PER_ADDRESS 32
#define DEFAULT_MAX_UPLOADS 8
#define DEFAULT_MIN_RATE 4096

char *
attache_server_default_data_dir(void)
{
	return g_build_filename(g_get_user_data_dir(), "attache", "desk", NULL);
}

void
server_log(Server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (s->opts.log)
		s->opts.log(line, s->opts.user_data);
}

/* DATA/lock, held with flock for the server's life: a second server on
 * the same folder refuses. @fd: (out) the open lock. */
static AttacheCode
data_lock(const char *data, int *fd, GError **error)
{
	g_autofree char *path = g_build_filename(data, "lock", NULL);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: cannot open the lock: %s", path, g_strerror(errno));
		return ATTACHE_E_WRITE;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(*fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		g_strstrip(pid);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: another attache serve (pid %s) uses this data folder; stop it first, or give another --data", data,
			*pid ? pid : "?");
		close(*fd);
		*fd = -1;
		return ATTACHE_E_WRITE;
	}
	g_autofree char *me = g_strdup_printf("%d\n", (int)getpid());
	if (ftruncate(*fd, 0) == 0 && pwrite(*fd, me, strlen(me), 0) < 0)
		g_debug("%s: cannot write the pid", path);
	return ATTACHE_OK;
}

static AttacheCode
data_folders(const char *data, GError **error)
{
	static const char *const sub[] = { "", "originals", "outputs", "spool" };
	for (guint i = 0; i < G_N_ELEMENTS(sub); i++) {
		g_autofree char *p = g_build_filename(data, sub[i], NULL);
		if (g_mkdir_with_parents(p, 0700) != 0) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: cannot make the folder: %s", p, g_strerror(errno));
			return ATTACHE_E_WRITE;
		}
	}
	return ATTACHE_OK;
}

/* ---- the page's files (GResource /attache/desk/, src/server/page/) ---- */

static const char *
mime_of(const char *name)
{
	static const struct {
		const char *ext, *mime;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ini", "text/plain; charset=utf-8" },
		{ ".woff2", "font/woff2" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(name, types[i].ext))
			return types[i].mime;
	return "application/octet-stream";
}

static gboolean
resource_name_ok(const char *name)
{
	if (!*name || name[0] == '.' || strlen(name) > 128)
		return FALSE;
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_')
			return FALSE;
	return TRUE;
}

static void
serve_resource(SoupServerMessage *msg, const char *prefix, const char *name)
{
	g_autofree char *path = g_strconcat(prefix, name, NULL);
	GBytes *b = resource_name_ok(name) ? g_resources_lookup_data(path, 0, NULL) : NULL;
	if (!b) {
		http_error(msg, 404, "not-found", "no such file");
		return;
	}
	gsize len = 0;
	const char *data = g_bytes_get_data(b, &len);
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, mime_of(name), SOUP_MEMORY_COPY, data, len);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_message_headers_replace(h, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	g_bytes_unref(b);
}

/* ---- routes ---- */

static gboolean
method_is(SoupServerMessage *msg, const char *m)
{
	return !strcmp(soup_server_message_get_method(msg), m);
}

static void
route_api(Server *s, SoupServerMessage *msg, char **parts)
{
	/* parts: after "/api/v1/" */
	const char *p0 = parts[0] ? parts[0] : "";
	gboolean one = parts[0] && !parts[1];
	if (one && !strcmp(p0, "login") && method_is(msg, "POST"))
		auth_login(s, msg);
	else if (one && !strcmp(p0, "logout") && method_is(msg, "POST"))
		auth_logout(s, msg);
	else if (one && !strcmp(p0, "session") && method_is(msg, "GET"))
		auth_session(s, msg);
	else if (one && !strcmp(p0, "openapi.json") && method_is(msg, "GET"))
		serve_resource(msg, "/attache/api/", "openapi.json");
	else if (one && !strcmp(p0, "events") && method_is(msg, "GET"))
		api_events(s, msg);
	else if (parts[0] && parts[1] && !parts[2] && !strcmp(p0, "events") && !strcmp(parts[1], "stream") && method_is(msg, "GET"))
		api_events_stream(s, msg);
	else if (!strcmp(p0, "photos"))
		api_photos(s, msg, parts + 1);
	else if (!strcmp(p0, "outputs"))
		api_outputs(s, msg, parts + 1);
	else
		http_error(msg, 404, "not-found", "no such endpoint");
}

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
	Server *s = data;
	if (g_str_has_prefix(path, "/api/v1/")) {
		g_auto(GStrv) parts = g_strsplit(path + strlen("/api/v1/"), "/", 8);
		/* a trailing slash is no extra part */
		guint n = g_strv_length(parts);
		if (n > 1 && !*parts[n - 1])
			g_clear_pointer(&parts[n - 1], g_free);
		route_api(s, msg, parts);
	}
	else if (!strcmp(path, "/") || !strcmp(path, "/desk")) {
		soup_server_message_set_redirect(msg, 302, "/desk/");
	}
	else if (g_str_has_prefix(path, "/desk/") && (method_is(msg, "GET") || method_is(msg, "HEAD"))) {
		const char *name = path + strlen("/desk/");
		if (g_str_has_prefix(name, "messages/"))
			desk_words(msg, name + strlen("messages/"));
		else
			serve_resource(msg, "/attache/desk/", *name ? name : "index.html");
	}
	else
		http_error(msg, 404, "not-found", "no such page");
}

static void
request_finished(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	Server *s = data;
	GUri *uri = soup_server_message_get_uri(msg);
	server_log(s, "%s %s %u", soup_server_message_get_method(msg), g_uri_get_path(uri), soup_server_message_get_status(msg));
}

/* ---- start ---- */

static gboolean
is_loopback(const char *host)
{
	g_autoptr(GInetAddress) a = g_inet_address_new_from_string(host);
	return a && g_inet_address_get_is_loopback(a);
}

/* Splits ADDR:PORT ([v6]:PORT too). */
static gboolean
parse_listen(const char *listen, char **host, guint *port, GError **error)
{
	const char *colon = strrchr(listen, ':');
	guint64 p = 0;
	if (colon && g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &p, NULL)) {
		*host = g_strndup(listen, colon - listen);
		if (**host == '[' && g_str_has_suffix(*host, "]")) {
			char *in = g_strndup(*host + 1, strlen(*host) - 2);
			g_free(*host);
			*host = in;
		}
		*port = (guint)p;
		g_autoptr(GInetAddress) a = g_inet_address_new_from_string(*host);
		if (a)
			return TRUE;
		g_clear_pointer(host, g_free);
	}
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--listen: \"%s\": expected ADDRESS:PORT (127.0.0.1:8480)", listen);
	return FALSE;
}

static AttacheCode
start_listening(Server *s, const AttacheServeOptions *o, GError **error)
{
	g_autofree char *host = NULL;
	guint port = 0;
	if (!parse_listen(o->listen ? o->listen : DEFAULT_LISTEN, &host, &port, error))
		return ATTACHE_E_USAGE;
	if ((o->tls_cert != NULL) != (o->tls_key != NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--tls-cert and --tls-key go together");
		return ATTACHE_E_USAGE;
	}
	s->tls = o->tls_cert != NULL;
	if (!is_loopback(host) && !s->tls && !o->behind_proxy) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--listen %s is not a loopback address: passwords and session cookies would cross the network in clear. "
			"Give --tls-cert and --tls-key, or --behind-proxy ADDRESS of the TLS proxy in front",
			o->listen);
		return ATTACHE_E_USAGE;
	}
	g_autoptr(GTlsCertificate) cert = NULL;
	if (s->tls) {
		cert = g_tls_certificate_new_from_files(o->tls_cert, o->tls_key, error);
		if (!cert) {
			g_prefix_error(error, "%s: ", o->tls_cert);
			(*error)->domain = ATTACHE_ERROR;
			(*error)->code = ATTACHE_E_USAGE;
			return ATTACHE_E_USAGE;
		}
	}
	s->soup = soup_server_new("server-header", "attache", cert ? "tls-certificate" : NULL, cert, NULL);
	soup_server_add_handler(s->soup, NULL, handler, s, NULL);
	g_signal_connect(s->soup, "request-finished", G_CALLBACK(request_finished), s);
	limits_install(s);
	stream_install(s);
	spool_install(s);
	g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(host);
	g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(ia, port);
	GError *e = NULL;
	if (!soup_server_listen(s->soup, sa, s->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &e)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--listen %s: %s", o->listen ? o->listen : DEFAULT_LISTEN, e->message);
		g_error_free(e);
		return ATTACHE_E_USAGE;
	}
	GSList *uris = soup_server_get_uris(s->soup);
	g_autofree char *url = uris ? g_uri_to_string(uris->data) : g_strdup("?");
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	if (!is_loopback(host))
		server_log(s, "listening on %s, %s", url,
			s->tls ? "with TLS" : "without TLS: the proxy in front must add it (--behind-proxy)");
	if (o->listening)
		o->listening(url, o->user_data);
	return ATTACHE_OK;
}

static gboolean
on_signal(gpointer data)
{
	Server *s = data;
	server_log(s, "stopping");
	g_main_loop_quit(s->loop);
	return G_SOURCE_CONTINUE;
}

static void
server_free(Server *s)
{
	work_stop(s);
	if (s->sweep)
		g_source_remove(s->sweep);
	stream_stop(s);
	g_clear_object(&s->soup);
	if (s->conns)
		g_hash_table_unref(s->conns);
	if (s->per_address)
		g_hash_table_unref(s->per_address);
	g_clear_object(&s->client);
	db_close(s->db);
	if (s->loop)
		g_main_loop_unref(s->loop);
	g_hash_table_unref(s->throttle);
	g_hash_table_unref(s->preparing);
	g_mutex_clear(&s->lock);
	if (s->webhook_secret)
		memset(s->webhook_secret, 0, strlen(s->webhook_secret));
	g_free(s->webhook_secret);
	g_free(s->data);
	g_free(s->proxy);
	g_free(s->presets);
	g_free(s->preset_dir);
	g_free(s->credentials);
	g_free(s->webhook_url);
	g_free(s->preview_preset);
	g_free(s);
}

/* Reads what the options name (the webhook's secret) and sets defaults. */
static AttacheCode
server_configure(Server *s, const AttacheServeOptions *o, GError **error)
{
	s->opts = *o;
	s->proxy = g_strdup(o->behind_proxy);
	s->max_upload = o->max_upload > 0 ? o->max_upload : DEFAULT_MAX_UPLOAD;
	s->keep_days = o->keep_originals_days;
	s->limits.timeout = o->client_timeout > 0 ? (guint)o->client_timeout : DEFAULT_CLIENT_TIMEOUT;
	s->limits.max_connections = o->max_connections > 0 ? (guint)o->max_connections : DEFAULT_MAX_CONNECTIONS;
	s->limits.max_per_address = o->max_connections_per_address > 0 ? (guint)o->max_connections_per_address : DEFAULT_MAX_PER_ADDRESS;
	s->limits.max_uploads = o->max_uploads > 0 ? (guint)o->max_uploads : DEFAULT_MAX_UPLOADS;
	s->limits.min_rate = o->min_rate > 0 ? o->min_rate : DEFAULT_MIN_RATE;
	s->presets = g_strdup(o->presets);
	s->preset_dir = g_strdup(o->preset_dir);
	s->credentials = o->credentials ? g_strdup(o->credentials) : g_build_filename(s->data, "credentials.ini", NULL);
	s->webhook_url = g_strdup(o->webhook_url);
	if (o->webhook_url && !o->webhook_secret_file) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--webhook needs --webhook-secret-file");
		return ATTACHE_E_USAGE;
	}
	if (o->webhook_secret_file) {
		char *text = NULL;
		if (attache_read_small_file(o->webhook_secret_file, 4096, &text, NULL, error))
			return ATTACHE_E_USAGE;
		char *nl = strchr(text, '\n');
		if (nl)
			*nl = 0;
		if (strlen(g_strstrip(text)) < 16) {
			g_free(text);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: the webhook secret needs at least 16 characters",
				o->webhook_secret_file);
			return ATTACHE_E_USAGE;
		}
		s->webhook_secret = text;
	}
	return ATTACHE_OK;
}

AttacheCode
attache_serve_run(const AttacheServeOptions *o, GError **error)
{
	Server *s = g_new0(Server, 1);
	g_mutex_init(&s->lock);
	s->throttle = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	s->preparing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->data = o->data_dir ? g_strdup(o->data_dir) : attache_server_default_data_dir();
	int lock = -1;
	AttacheCode rc = server_configure(s, o, error);
	if (!rc)
		rc = data_folders(s->data, error);
	if (!rc)
		rc = data_lock(s->data, &lock, error);
	if (!rc)
		rc = db_open(s->data, &s->db, error);
	if (!rc)
		rc = work_start(s, error);
	if (!rc)
		rc = inbox_start(s, error);
	/* before the first request: re-queue, mark, prune (--keep-originals) */
	if (!rc)
		work_resume(s);
	if (!rc)
		rc = start_listening(s, o, error);
	if (!rc) {
		s->loop = g_main_loop_new(NULL, FALSE);
		guint sig1 = g_unix_signal_add(SIGINT, on_signal, s);
		guint sig2 = g_unix_signal_add(SIGTERM, on_signal, s);
		g_main_loop_run(s->loop);
		g_source_remove(sig1);
		g_source_remove(sig2);
		soup_server_disconnect(s->soup);
	}
	inbox_stop(s);
	server_free(s);
	if (lock >= 0)
		close(lock);
	return rc;
}
