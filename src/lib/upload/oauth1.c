/* SPDX-License-Identifier: MIT */
/*
 * oauth1.c: OAuth 1.0a HMAC-SHA1 request signing, as X documents it
 * (RFC 5849 §3.4; docs.x.com "Creating a signature").
 *
 * The parameters signed are the URL's query and the oauth_* ones (plus a
 * form-urlencoded body, which attache never sends): multipart and JSON
 * bodies are not part of the signature. GLib does the HMAC, base64 and the
 * percent-encoding; only the assembly is here.
 */
#include "upload-private.h"

#include <string.h>
#include <sys/random.h>

char *
attache__pct_encode(const char *s)
{
	/* GLib leaves exactly RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~)
	 * and writes uppercase hex, byte by byte: what X asks for. */
	return g_uri_escape_string(s ? s : "", NULL, FALSE);
}

typedef struct {
	char *key; /* percent-encoded */
	char *value;
} Param;

static void
param_free(gpointer p)
{
	Param *q = p;
	g_free(q->key);
	g_free(q->value);
	g_free(q);
}

static void
add_param(GPtrArray *params, const char *key, const char *value)
{
	Param *p = g_new(Param, 1);
	p->key = attache__pct_encode(key);
	p->value = attache__pct_encode(value);
	g_ptr_array_add(params, p);
}

static int
param_cmp(gconstpointer a, gconstpointer b)
{
	const Param *p = *(Param *const *)a;
	const Param *q = *(Param *const *)b;
	int c = strcmp(p->key, q->key);
	return c ? c : strcmp(p->value, q->value);
}

/* The base URL (scheme://host[:port]/path, no query, default port left
 * out, scheme and host in lowercase) and the raw query parameters. */
static char *
split_url(const char *url, GPtrArray *params)
{
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	if (!uri)
		return NULL;
	g_autofree char *scheme = g_ascii_strdown(g_uri_get_scheme(uri), -1);
	g_autofree char *host = g_ascii_strdown(g_uri_get_host(uri), -1);
	int port = g_uri_get_port(uri);
	if ((port == 80 && g_str_equal(scheme, "http")) || (port == 443 && g_str_equal(scheme, "https")))
		port = -1;
	const char *path = g_uri_get_path(uri);
	gboolean v6 = strchr(host, ':') != NULL;
	char *base = port > 0
					 ? g_strdup_printf("%s://%s%s%s:%d%s", scheme, v6 ? "[" : "", host,
						 v6 ? "]" : "", port, *path ? path : "/")
					 : g_strdup_printf("%s://%s%s%s%s", scheme, v6 ? "[" : "", host,
						 v6 ? "]" : "", *path ? path : "/");

	const char *query = g_uri_get_query(uri);
	if (query && *query) {
		g_auto(GStrv) pairs = g_strsplit(query, "&", -1);
		for (int i = 0; pairs[i]; i++) {
			if (!*pairs[i])
				continue;
			char *eq = strchr(pairs[i], '=');
			if (eq)
				*eq = '\0';
			g_autofree char *k = g_uri_unescape_string(pairs[i], NULL);
			g_autofree char *v = g_uri_unescape_string(eq ? eq + 1 : "",
				NULL);
			add_param(params, k ? k : pairs[i], v ? v : (eq ? eq + 1 : ""));
		}
	}
	return base;
}

char *
attache__oauth1_header(const AttacheOAuth1Keys *keys, const char *method,
	const char *url, const char *const *extra, const char *nonce,
	gint64 timestamp, char **base_string, char **signature)
{
	g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func(param_free);
	g_autofree char *base_url = split_url(url, params);
	if (!base_url)
		return NULL;
	for (int i = 0; extra && extra[i] && extra[i + 1]; i += 2)
		add_param(params, extra[i], extra[i + 1]);

	g_autofree char *ts = g_strdup_printf("%" G_GINT64_FORMAT, timestamp);
	const char *oauth[][2] = {
		{ "oauth_consumer_key", keys->consumer_key },
		{ "oauth_nonce", nonce },
		{ "oauth_signature_method", "HMAC-SHA1" },
		{ "oauth_timestamp", ts },
		{ "oauth_token", keys->token },
		{ "oauth_version", "1.0" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(oauth); i++)
		if (oauth[i][1])
			add_param(params, oauth[i][0], oauth[i][1]);
	g_ptr_array_sort(params, param_cmp);

	/* parameter string: k=v&k=v, each already encoded once */
	GString *ps = g_string_new(NULL);
	for (guint i = 0; i < params->len; i++) {
		const Param *p = params->pdata[i];
		g_string_append_printf(ps, "%s%s=%s", i ? "&" : "", p->key,
			p->value);
	}
	g_autofree char *ps_str = g_string_free(ps, FALSE);

	/* base string: METHOD&pct(base url)&pct(parameter string) */
	g_autofree char *m = g_ascii_strup(method, -1);
	g_autofree char *enc_url = attache__pct_encode(base_url);
	g_autofree char *enc_ps = attache__pct_encode(ps_str);
	g_autofree char *base = g_strdup_printf("%s&%s&%s", m, enc_url, enc_ps);

	/* key: pct(consumer secret)&pct(token secret), the & always there */
	g_autofree char *ck = attache__pct_encode(keys->consumer_secret);
	g_autofree char *tk = attache__pct_encode(keys->token_secret);
	g_autofree char *key = g_strdup_printf("%s&%s", ck, tk);

	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)key,
		strlen(key));
	g_hmac_update(hmac, (const guchar *)base, (gssize)strlen(base));
	guint8 digest[20];
	gsize dlen = sizeof(digest);
	g_hmac_get_digest(hmac, digest, &dlen);
	g_autofree char *sig = g_base64_encode(digest, dlen);
	memset(key, 0, strlen(key));

	/* header: the oauth_* pairs (signature included) sorted, each
	 * pct(k)="pct(v)" */
	g_autoptr(GPtrArray) hp = g_ptr_array_new_with_free_func(param_free);
	for (guint i = 0; i < G_N_ELEMENTS(oauth); i++)
		if (oauth[i][1])
			add_param(hp, oauth[i][0], oauth[i][1]);
	add_param(hp, "oauth_signature", sig);
	g_ptr_array_sort(hp, param_cmp);
	GString *h = g_string_new("OAuth ");
	for (guint i = 0; i < hp->len; i++) {
		const Param *p = hp->pdata[i];
		g_string_append_printf(h, "%s%s=\"%s\"", i ? ", " : "", p->key,
			p->value);
	}

	if (base_string)
		*base_string = g_steal_pointer(&base);
	if (signature)
		*signature = g_steal_pointer(&sig);
	return g_string_free(h, FALSE);
}

char *
attache__oauth1_nonce(void)
{
	guint8 raw[32];
	gsize got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n <= 0) {
			/* no kernel randomness: a nonce need only be unique */
			for (; got < sizeof(raw); got++)
				raw[got] = (guint8)g_random_int();
			break;
		}
		got += (gsize)n;
	}
	char *b64 = g_base64_encode(raw, sizeof(raw));
	char *w = b64;
	for (const char *r = b64; *r; r++)
		if (g_ascii_isalnum(*r))
			*w++ = *r;
	*w = '\0';
	return b64;
}
