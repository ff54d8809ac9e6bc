/* SPDX-License-Identifier: MIT */
/*
 * http.c: the upload stage's HTTP client, one libcurl easy handle.
 *
 * What a misbehaving server gets from us:
 * - timeouts: connecting, and a stall (no byte either way for `timeout` s);
 * - 429: wait what Retry-After / x-rate-limit-reset / ratelimit-reset say,
 *   capped at max_wait (beyond it: fail now, and send nothing more to that
 *   server until then);
 * - 5xx and dropped connections: exponential backoff with jitter, a bounded
 *   number of times; a request that creates something is not retried after
 *   it went out unanswered (it may have been acted on: no duplicate media);
 * - answers are capped at max_response bytes; redirects are not followed
 *   (they would carry the Authorization header elsewhere); only https, or
 *   plain http to loopback.
 * Verbose lines show requests and answers with Authorization, cookies and
 * every known secret redacted; bodies are never logged.
 */
#include "upload-private.h"

#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

struct _AttacheHttp {
	CURL *curl;
	AttacheHttpConfig cfg;
	GPtrArray *secrets;
	gint64 blocked_until; /* real time, s: rate limited until then */
};

typedef struct {
	AttacheHttp *h;
	GByteArray *body;
	gboolean too_large;
	gboolean stalled;
	gint64 last_move; /* monotonic µs when a byte last moved */
	curl_off_t last_ul, last_dl;
	char *retry_after, *reset, *content_type;
} Sink;

static void
sink_clear(Sink *s)
{
	if (s->body)
		g_byte_array_unref(s->body);
	g_free(s->retry_after);
	g_free(s->reset);
	g_free(s->content_type);
	memset(s, 0, sizeof(*s));
}

static gpointer
curl_init_once(gpointer data)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return NULL;
}

AttacheHttp *
attache__http_new(const AttacheHttpConfig *cfg)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, curl_init_once, NULL);

	AttacheHttp *h = g_new0(AttacheHttp, 1);
	h->cfg = *cfg;
	h->curl = curl_easy_init();
	h->secrets = g_ptr_array_new_with_free_func(g_free);
	return h;
}

static void
wipe_free(gpointer p)
{
	if (p) {
		memset(p, 0, strlen(p));
		g_free(p);
	}
}

void
attache__http_free(AttacheHttp *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	for (guint i = 0; i < h->secrets->len; i++)
		wipe_free(h->secrets->pdata[i]);
	g_ptr_array_set_free_func(h->secrets, NULL);
	g_ptr_array_unref(h->secrets);
	g_free(h);
}

void
attache__http_add_secret(AttacheHttp *h, const char *secret)
{
	/* short strings would redact ordinary words; none of ours are short */
	if (secret && strlen(secret) >= 4)
		g_ptr_array_add(h->secrets, g_strdup(secret));
}

static char *
replace_all(const char *text, const char *what, const char *with)
{
	GString *out = g_string_new(NULL);
	gsize wl = strlen(what);
	const char *p = text, *q;
	while ((q = strstr(p, what))) {
		g_string_append_len(out, p, q - p);
		g_string_append(out, with);
		p = q + wl;
	}
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

char *
attache__http_redact(AttacheHttp *h, const char *text)
{
	char *s = g_strdup(text ? text : "");
	for (guint i = 0; h && i < h->secrets->len; i++) {
		const char *secret = h->secrets->pdata[i];
		if (!strstr(s, secret)) {
			/* also as percent-encoded (an OAuth header, a form) */
			g_autofree char *enc = attache__pct_encode(secret);
			if (!g_str_equal(enc, secret) && strstr(s, enc)) {
				char *r = replace_all(s, enc, "[redacted]");
				g_free(s);
				s = r;
			}
			continue;
		}
		char *r = replace_all(s, secret, "[redacted]");
		g_free(s);
		s = r;
	}
	return s;
}

void
attache__http_log(AttacheHttp *h, const char *fmt, ...)
{
	if (!h->cfg.log)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_autofree char *safe = attache__http_redact(h, line);
	h->cfg.log(safe, h->cfg.log_data);
}

void
attache__sleep(double seconds)
{
	if (seconds > 0)
		g_usleep((gulong)(seconds * G_USEC_PER_SEC));
}

/* ---- URL policy ---- */

static gboolean
is_loopback(const char *host)
{
	if (!host)
		return FALSE;
	if (!g_ascii_strcasecmp(host, "localhost") || g_str_equal(host, "::1") || g_str_equal(host, "[::1]"))
		return TRUE;
	/* 127.0.0.0/8 */
	unsigned a, b, c, d;
	char tail;
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 && c < 256 && d < 256;
}

static gboolean
url_check(const char *url, const char *what, gboolean base, GError **error);

gboolean
attache__url_allowed(const char *url, const char *what, GError **error)
{
	return url_check(url, what, TRUE, error);
}

static gboolean
url_check(const char *url, const char *what, gboolean base, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GUri) uri = url ? g_uri_parse(url, G_URI_FLAGS_ENCODED, &local)
							  : NULL;
	if (!uri || !g_uri_get_host(uri) || !*g_uri_get_host(uri)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: \"%s\" is not a URL (expected https://HOST)", what,
			url ? url : "");
		return FALSE;
	}
	const char *scheme = g_uri_get_scheme(uri);
	if (g_uri_get_userinfo(uri) || (base && (g_uri_get_query(uri) || g_uri_get_fragment(uri)))) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: a base URL carries no user, query or fragment", what);
		return FALSE;
	}
	if (!g_ascii_strcasecmp(scheme, "https"))
		return TRUE;
	if (!g_ascii_strcasecmp(scheme, "http") && is_loopback(g_uri_get_host(uri)))
		return TRUE;
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"%s: \"%s\": only https is allowed (plain http only to a loopback "
		"address, for tests)",
		what, url);
	return FALSE;
}

/* ---- rate-limit headers ---- */

double
attache__http_parse_wait(const char *value, gint64 now)
{
	if (!value)
		return -1;
	g_autofree char *v = g_strstrip(g_strdup(value));
	if (!*v)
		return -1;
	char *end;
	double n = g_ascii_strtod(v, &end);
	if (end != v && *end == '\0') {
		if (n < 0 || !isfinite(n))
			return -1;
		/* a large number is a Unix time (x-rate-limit-reset,
		 * ratelimit-reset on Bluesky), a small one delta seconds
		 * (Retry-After) */
		return n > 1e9 ? MAX(0.0, n - (double)now) : n;
	}
	/* ISO 8601 (Mastodon's X-RateLimit-Reset) */
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(v, utc);
	if (dt)
		return MAX(0.0, (double)(g_date_time_to_unix(dt) - now));
	/* an HTTP date (Retry-After) */
	time_t t = curl_getdate(v, NULL);
	if (t > 0)
		return MAX(0.0, (double)((gint64)t - now));
	return -1;
}

/* ---- libcurl callbacks ---- */

static size_t
on_body(char *data, size_t size, size_t n, void *user)
{
	Sink *s = user;
	size_t len = size * n;
	if ((gint64)(s->body->len + len) > s->h->cfg.max_response) {
		s->too_large = TRUE;
		return 0; /* aborts the transfer */
	}
	g_byte_array_append(s->body, (const guint8 *)data, (guint)len);
	return len;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || g_ascii_strncasecmp(line, name, nl) || line[nl] != ':')
		return NULL;
	char *v = g_strndup(line + nl + 1, len - nl - 1);
	return g_strstrip(v);
}

static size_t
on_header(char *data, size_t size, size_t n, void *user)
{
	Sink *s = user;
	size_t len = size * n;
	char *v;
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new answer (after a 100 Continue): forget the last one's */
		g_clear_pointer(&s->retry_after, g_free);
		g_clear_pointer(&s->reset, g_free);
		g_clear_pointer(&s->content_type, g_free);
	}
	else if ((v = header_value(data, len, "retry-after"))) {
		g_free(s->retry_after);
		s->retry_after = v;
	}
	else if ((v = header_value(data, len, "x-rate-limit-reset"))
			 || (v = header_value(data, len, "x-ratelimit-reset"))
			 || (v = header_value(data, len, "ratelimit-reset"))) {
		g_free(s->reset);
		s->reset = v;
	}
	else if ((v = header_value(data, len, "content-type"))) {
		g_free(s->content_type);
		s->content_type = v;
	}
	return len;
}

/* The stall timeout: libcurl's low-speed check averages over seconds, so
 * after a fast upload it would notice a silent server late. */
static int
on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow,
	curl_off_t ultotal, curl_off_t ulnow)
{
	Sink *s = user;
	gint64 now = g_get_monotonic_time();
	if (dlnow != s->last_dl || ulnow != s->last_ul || !s->last_move) {
		s->last_dl = dlnow;
		s->last_ul = ulnow;
		s->last_move = now;
		return 0;
	}
	if ((now - s->last_move) / 1e6 > s->h->cfg.timeout) {
		s->stalled = TRUE;
		return 1; /* aborts the transfer */
	}
	return 0;
}

static gboolean
sensitive_header(const char *line)
{
	static const char *names[] = { "authorization:", "proxy-authorization:",
		"cookie:", "set-cookie:" };
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (!g_ascii_strncasecmp(line, names[i], strlen(names[i])))
			return TRUE;
	return FALSE;
}

static int
on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *user)
{
	AttacheHttp *h = user;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
		return 0;
	g_autofree char *text = g_strndup(data, size);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	const char *dir = type == CURLINFO_HEADER_OUT ? ">" : "<";
	for (int i = 0; lines[i]; i++) {
		char *line = g_strchomp(lines[i]);
		if (!*line)
			continue;
		if (sensitive_header(line)) {
			char *colon = strchr(line, ':');
			*colon = '\0';
			attache__http_log(h, "%s %s: [redacted]", dir, line);
		}
		else
			attache__http_log(h, "%s %s", dir, line);
	}
	return 0;
}

/* ---- one attempt ---- */

static CURLcode
perform(AttacheHttp *h, const AttacheHttpRequest *req, Sink *sink,
	long *status, char *errbuf)
{
	CURL *c = h->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* On a reused connection that turns out dead, libcurl sends the request
	 * again by itself: a second media for a create, a replayed nonce for
	 * OAuth 1.0a. Those go on a connection of their own, where it does
	 * not; the retry policy here decides instead. */
	if (req->creates || req->single_use)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	/* a proxy from the environment must not see loopback test traffic */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "attache/" ATTACHE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
		(long)(h->cfg.connect_timeout * 1000));
	/* a stall, not a slow link: no byte either way for `timeout` s */
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, sink);
	/* and a bound on the whole request */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
		(long)(MAX(h->cfg.timeout * 20, 600.0) * 1000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, sink);
	if (h->cfg.log) {
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
	}

	struct curl_slist *hdrs = NULL;
	hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue wait */
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	char *auth = req->auth ? req->auth(req->auth_data, req->method, req->url)
						   : NULL;
	if (auth) {
		g_autofree char *line = g_strdup_printf("Authorization: %s", auth);
		hdrs = curl_slist_append(hdrs, line);
		memset(line, 0, strlen(line));
		memset(auth, 0, strlen(auth));
		g_free(auth);
	}

	curl_mime *mime = NULL;
	if (req->n_parts > 0) {
		mime = curl_mime_init(c);
		for (guint i = 0; i < req->n_parts; i++) {
			const AttacheHttpPart *p = &req->parts[i];
			curl_mimepart *part = curl_mime_addpart(mime);
			curl_mime_name(part, p->name);
			curl_mime_data(part, (const char *)p->data, p->len);
			if (p->filename)
				curl_mime_filename(part, p->filename);
			if (p->type)
				curl_mime_type(part, p->type);
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	}
	else if (g_str_equal(req->method, "POST")) {
		/* no type for an empty body: libcurl would say form-urlencoded */
		g_autofree char *ct = g_strdup_printf("Content-Type:%s%s",
			req->content_type ? " " : "",
			req->content_type ? req->content_type : "");
		hdrs = curl_slist_append(hdrs, ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
			req->body ? (const char *)req->body : "");
	}
	else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	CURLcode rc = curl_easy_perform(c);
	*status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);

	/* the header list held the secret: wipe it before freeing */
	for (struct curl_slist *l = hdrs; l; l = l->next)
		if (sensitive_header(l->data))
			memset(l->data, 0, strlen(l->data));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	if (mime) {
		curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
		curl_mime_free(mime);
	}
	return rc;
}

/* Failures before the request could have reached the server. */
static gboolean
not_sent(CURLcode rc)
{
	return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY
		   || rc == CURLE_COULDNT_CONNECT || rc == CURLE_SSL_CONNECT_ERROR;
}

/* Failures where the request may have arrived but no answer came. */
static gboolean
no_answer(CURLcode rc)
{
	return rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SEND_ERROR
		   || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING
		   || rc == CURLE_PARTIAL_FILE || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM;
}

static char *
describe_curl(AttacheHttp *h, CURLcode rc, const char *errbuf)
{
	if (rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_ABORTED_BY_CALLBACK)
		return g_strdup_printf("no answer within %g s (timeout)",
			h->cfg.timeout);
	if (rc == CURLE_GOT_NOTHING)
		return g_strdup("the server closed the connection without an answer");
	g_autofree char *detail = attache__http_redact(h, errbuf);
	return *detail && !g_str_equal(detail, curl_easy_strerror(rc))
			   ? g_strdup_printf("%s (%s)", curl_easy_strerror(rc), detail)
			   : g_strdup(curl_easy_strerror(rc));
}

static double
backoff(AttacheHttp *h, int attempt)
{
	double d = h->cfg.retry_base * pow(2.0, attempt - 1);
	d = MIN(d, MAX(h->cfg.retry_base, 30.0));
	/* equal jitter: half fixed, half random, so clients that failed
	 * together do not come back together */
	return d / 2 + g_random_double_range(0, d / 2);
}

/* Refuses a request before it goes out: a URL we may not use, or a server
 * that rate-limited this run for longer than we may wait. */
static AttacheCode
check_sendable(AttacheHttp *h, const AttacheHttpRequest *req, GError **error)
{
	if (!url_check(req->url, req->what, FALSE, error))
		return ATTACHE_E_USAGE;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (h->blocked_until > now) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(
			h->blocked_until);
		g_autofree char *when = g_date_time_format(t, "%H:%M:%S");
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
			"%s: not sent: the server rate-limited this run until %s",
			req->what, when);
		return ATTACHE_E_UPLOAD;
	}
	return ATTACHE_OK;
}

/* What one attempt that got no usable answer came to. */
typedef struct {
	long status;	/* 0 when no HTTP answer came */
	gboolean retry; /* may be tried again */
	double wait;	/* s the server asked for, or -1 */
	char *why;		/* for messages and the log; owned */
} Attempt;

/* The server's problem detail from the error answer in @sink, whose body
 * it takes. (transfer full) or %NULL */
static char *
sink_problem(AttacheHttp *h, Sink *sink, long status)
{
	AttacheHttpResponse tmp = { status,
		g_byte_array_free_to_bytes(g_steal_pointer(&sink->body)) };
	char *problem = attache__http_problem(h, &tmp);
	attache__http_response_clear(&tmp);
	return problem;
}

/* The transfer failed (no HTTP answer): whether to retry, in @a. Fails
 * now for an answer over the size bound, and for a create that went out
 * unanswered (the server may have acted on it). @ambiguous: (inout) set
 * when the request may have arrived. */
static AttacheCode
transfer_failed(AttacheHttp *h, const AttacheHttpRequest *req, Sink *sink,
	CURLcode rc, const char *errbuf, gboolean *ambiguous, Attempt *a,
	GError **error)
{
	if (sink->too_large) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
			"%s: the answer is larger than %" G_GINT64_FORMAT
			" bytes; refused",
			req->what, h->cfg.max_response);
		return ATTACHE_E_UPLOAD;
	}
	if (sink->stalled)
		rc = CURLE_OPERATION_TIMEDOUT;
	a->why = describe_curl(h, rc, errbuf);
	a->retry = FALSE;
	if (not_sent(rc))
		a->retry = TRUE;
	else if (no_answer(rc)) {
		*ambiguous = TRUE;
		if (req->creates) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
				"%s: %s; not retried, since the server may have "
				"created the media already (no duplicates)",
				req->what, a->why);
			return ATTACHE_E_UPLOAD;
		}
		a->retry = TRUE;
	}
	return ATTACHE_OK;
}

/* A 429: wait what the server says, unless that is longer than max_wait,
 * which fails now and blocks this run's later requests until then. */
static AttacheCode
rate_limited(AttacheHttp *h, const AttacheHttpRequest *req, Sink *sink,
	Attempt *a, GError **error)
{
	a->retry = TRUE;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	a->wait = attache__http_parse_wait(sink->retry_after, now);
	if (a->wait < 0)
		a->wait = attache__http_parse_wait(sink->reset, now);
	if (a->wait >= 0)
		a->wait += g_random_double_range(0, MIN(1.0, h->cfg.retry_base));
	a->why = g_strdup("rate limited (429)");
	if (a->wait <= h->cfg.max_wait)
		return ATTACHE_OK;
	g_autofree char *problem = sink_problem(h, sink, a->status);
	h->blocked_until = now + (gint64)ceil(a->wait);
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
		"%s: rate limited (429)%s%s: the server asks to wait "
		"%.0f s, more than the %g s allowed "
		"(ATTACHE_HTTP_MAX_WAIT); try again later",
		req->what, problem ? ": " : "", problem ? problem : "", a->wait,
		h->cfg.max_wait);
	return ATTACHE_E_UPLOAD;
}

/* A 5xx: retried, but a 500 from a create may come after the media was
 * made, and a Retry-After beyond max_wait is not waited for. */
static void
server_error(AttacheHttp *h, const AttacheHttpRequest *req,
	const Sink *sink, Attempt *a)
{
	long st = a->status;
	a->retry = !req->creates || st == 502 || st == 503 || st == 504;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	double ra = attache__http_parse_wait(sink->retry_after, now);
	if (ra > h->cfg.max_wait)
		a->retry = FALSE;
	a->wait = ra;
	a->why = g_strdup_printf("server error %ld", st);
}

/* The error once retries are over or not allowed. */
static AttacheCode
give_up(AttacheHttp *h, const AttacheHttpRequest *req, Sink *sink,
	const Attempt *a, int attempt, GError **error)
{
	g_autofree char *problem = a->status >= 500
								   ? sink_problem(h, sink, a->status)
								   : NULL;
	g_autofree char *tail = a->retry && attempt > 1
								? g_strdup_printf("; gave up after %d attempts", attempt)
								: g_strdup("");
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD, "%s: %s%s%s%s",
		req->what, a->why, problem ? ": " : "", problem ? problem : "",
		tail);
	return ATTACHE_E_UPLOAD;
}

/* Moves the answer in @sink into @resp (out) (transfer full). */
static void
take_answer(AttacheHttp *h, Sink *sink, long status, int attempt,
	gboolean ambiguous, AttacheHttpResponse *resp)
{
	resp->status = status;
	resp->body = g_byte_array_free_to_bytes(g_steal_pointer(&sink->body));
	resp->content_type = g_steal_pointer(&sink->content_type);
	resp->attempts = attempt;
	resp->ambiguous_retry = ambiguous;
	attache__http_log(h, "answer %ld, %zu bytes", status,
		g_bytes_get_size(resp->body));
}

AttacheCode
attache__http_send(AttacheHttp *h, const AttacheHttpRequest *req,
	AttacheHttpResponse *resp, GError **error)
{
	memset(resp, 0, sizeof(*resp));
	AttacheCode code = check_sendable(h, req, error);
	if (code)
		return code;

	gboolean ambiguous = FALSE;
	for (int attempt = 1;; attempt++) {
		Sink sink = { h, g_byte_array_new() };
		char errbuf[CURL_ERROR_SIZE] = "";
		Attempt a = { .wait = -1 };
		attache__http_log(h, "%s %s%s", req->method, req->url,
			attempt > 1 ? " (again)" : "");
		CURLcode rc = perform(h, req, &sink, &a.status, errbuf);

		gboolean answered = FALSE;
		if (rc != CURLE_OK)
			code = transfer_failed(h, req, &sink, rc, errbuf, &ambiguous, &a,
				error);
		else if (a.status == 429)
			code = rate_limited(h, req, &sink, &a, error);
		else if (a.status >= 500)
			server_error(h, req, &sink, &a);
		else {
			take_answer(h, &sink, a.status, attempt, ambiguous, resp);
			answered = TRUE;
		}
		if (!code && !answered && (!a.retry || attempt > h->cfg.retries))
			code = give_up(h, req, &sink, &a, attempt, error);
		double d = 0;
		if (!code && !answered) {
			d = MAX(a.wait, backoff(h, attempt));
			if (a.wait >= 0 && a.status == 429)
				d = a.wait;
			attache__http_log(h, "%s: %s; retry %d of %d in %.2f s",
				req->what, a.why, attempt, h->cfg.retries, d);
		}
		sink_clear(&sink);
		g_free(a.why);
		if (code || answered)
			return code;
		attache__sleep(d);
	}
}

void
attache__http_response_clear(AttacheHttpResponse *resp)
{
	if (resp->body)
		g_bytes_unref(resp->body);
	g_free(resp->content_type);
	memset(resp, 0, sizeof(*resp));
}

JsonNode *
attache__http_json(const AttacheHttpResponse *resp)
{
	if (!resp->body)
		return NULL;
	gsize len;
	const char *data = g_bytes_get_data(resp->body, &len);
	if (!data || len == 0)
		return NULL;
	g_autoptr(JsonParser) p = json_parser_new_immutable();
	if (!json_parser_load_from_data(p, data, (gssize)len, NULL))
		return NULL;
	JsonNode *root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_ref(root);
}

static const char *
member_text(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	const char *s = json_node_get_string(n);
	return s && *s ? s : NULL;
}

/* one printable line, at most 300 characters */
static char *
tidy(const char *s)
{
	if (!g_utf8_validate(s, -1, NULL))
		return NULL;
	GString *out = g_string_new(NULL);
	for (const char *p = s; *p && out->len < 300; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c))
			g_string_append_c(out, ' ');
		else
			g_string_append_unichar(out, c);
	}
	if (*s && strlen(s) > out->len && out->len >= 300)
		g_string_append(out, "...");
	char *r = g_string_free(out, FALSE);
	g_strstrip(r);
	if (!*r) {
		g_free(r);
		return NULL;
	}
	return r;
}

char *
attache__http_problem(AttacheHttp *h, const AttacheHttpResponse *resp)
{
	g_autoptr(JsonNode) root = attache__http_json(resp);
	g_autofree char *text = NULL;
	if (root) {
		JsonObject *o = json_node_get_object(root);
		const char *title = member_text(o, "title");
		const char *detail = member_text(o, "detail");
		const char *message = member_text(o, "message");
		const char *err = member_text(o, "error");
		const char *desc = member_text(o, "error_description");
		if (!detail && !message && json_object_has_member(o, "errors")) {
			JsonNode *e = json_object_get_member(o, "errors");
			if (JSON_NODE_HOLDS_ARRAY(e) && json_array_get_length(json_node_get_array(e)) > 0) {
				JsonNode *first = json_array_get_element(
					json_node_get_array(e), 0);
				if (JSON_NODE_HOLDS_OBJECT(first)) {
					JsonObject *fo = json_node_get_object(first);
					detail = member_text(fo, "detail");
					message = member_text(fo, "message");
					if (!title)
						title = member_text(fo, "title");
				}
			}
		}
		const char *main = detail ? detail : message ? message
													 : desc;
		const char *head = title ? title : err;
		if (head && main && !g_str_equal(head, main))
			text = g_strdup_printf("%s: %s", head, main);
		else if (head || main)
			text = g_strdup(head ? head : main);
	}
	else if (resp->body && g_bytes_get_size(resp->body) > 0 && resp->content_type
			 && g_str_has_prefix(resp->content_type, "text/plain")) {
		gsize len;
		const char *data = g_bytes_get_data(resp->body, &len);
		text = g_strndup(data, MIN(len, 1000));
	}
	if (!text)
		return NULL;
	g_autofree char *line = tidy(text);
	return line ? attache__http_redact(h, line) : NULL;
}
