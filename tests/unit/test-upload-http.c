/* SPDX-License-Identifier: MIT */
/*
 * test-upload-http.c: the upload stage's small parsers and policies: the
 * rate-limit header forms, the https-only URL rule, redaction of secrets,
 * the JWT expiry read for Bluesky sessions, credentials from the
 * environment.
 */
#include "upload/upload-private.h"

#include <string.h>

static void
test_parse_wait(void)
{
	gint64 now = 1700000000;
	/* Retry-After: delta seconds */
	g_assert_cmpfloat(attache__http_parse_wait("7", now), ==, 7);
	/* x-rate-limit-reset (X), ratelimit-reset (Bluesky): Unix time */
	g_assert_cmpfloat(attache__http_parse_wait("1700000042", now), ==, 42);
	/* a reset in the past: no wait */
	g_assert_cmpfloat(attache__http_parse_wait("1699999000", now), ==, 0);
	/* Mastodon's X-RateLimit-Reset: ISO 8601 */
	g_assert_cmpfloat(
		attache__http_parse_wait("2023-11-14T22:13:40.000Z", now), ==, 20);
	/* Retry-After: an HTTP date */
	g_assert_cmpfloat(
		attache__http_parse_wait("Tue, 14 Nov 2023 22:14:20 GMT", now), ==,
		60);
	g_assert_cmpfloat(attache__http_parse_wait("soon", now), <, 0);
	g_assert_cmpfloat(attache__http_parse_wait("", now), <, 0);
	g_assert_cmpfloat(attache__http_parse_wait(NULL, now), <, 0);
	g_assert_cmpfloat(attache__http_parse_wait("-5", now), <, 0);
}

static void
test_url_policy(void)
{
	const char *ok[] = { "https://api.x.com", "https://mastodon.social/",
		"http://127.0.0.1:8080", "http://localhost:1234/base",
		"http://[::1]:9000", "http://127.1.2.3" };
	const char *bad[] = { "http://api.x.com", "ftp://127.0.0.1/",
		"http://127.0.0.1.example.com", "https://user:pw@api.x.com",
		"https://api.x.com/?q=1", "api.x.com", "", "file:///etc/passwd",
		"http://10.0.0.1" };
	for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_autoptr(GError) e = NULL;
		if (!attache__url_allowed(ok[i], "test", &e))
			g_error("%s refused: %s", ok[i], e->message);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		if (attache__url_allowed(bad[i], "test", &e))
			g_error("%s allowed", bad[i]);
		g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_USAGE);
	}
}

static void
test_redact(void)
{
	AttacheHttpConfig cfg = { .timeout = 1, .max_response = 1024 };
	AttacheHttp *h = attache__http_new(&cfg);
	attache__http_add_secret(h, "s3cret/token+value");
	attache__http_add_secret(h, "ab"); /* too short to redact words */
	g_autofree char *a = attache__http_redact(h,
		"token s3cret/token+value here, and s3cret/token+value again");
	g_assert_cmpstr(a, ==, "token [redacted] here, and [redacted] again");
	/* percent-encoded, as in an OAuth header */
	g_autofree char *b = attache__http_redact(h,
		"oauth_token=\"s3cret%2Ftoken%2Bvalue\"");
	g_assert_cmpstr(b, ==, "oauth_token=\"[redacted]\"");
	g_autofree char *c = attache__http_redact(h, "about a cab");
	g_assert_cmpstr(c, ==, "about a cab");
	attache__http_free(h);
}

static char *
jwt(const char *payload)
{
	g_autofree char *p = g_base64_encode((const guchar *)payload,
		strlen(payload));
	/* base64url, no padding */
	for (char *q = p; *q; q++)
		*q = *q == '+' ? '-' : *q == '/' ? '_'
										 : *q;
	char *eq = strchr(p, '=');
	if (eq)
		*eq = '\0';
	return g_strdup_printf("eyJhbGciOiJIUzI1NiJ9.%s.c2ln", p);
}

static void
test_jwt_exp(void)
{
	g_autofree char *a = jwt("{\"scope\":\"com.atproto.access\","
							 "\"sub\":\"did:plc:abc\",\"exp\":1700000123}");
	g_assert_cmpint(attache__jwt_exp(a), ==, 1700000123);
	g_autofree char *b = jwt("{\"sub\":\"x\"}");
	g_assert_cmpint(attache__jwt_exp(b), ==, 0);
	g_assert_cmpint(attache__jwt_exp("not-a-jwt"), ==, 0);
	g_assert_cmpint(attache__jwt_exp("a.%%%.c"), ==, 0);
	g_assert_cmpint(attache__jwt_exp(NULL), ==, 0);
}

static void
test_credentials_env(void)
{
	g_autofree char *dir = g_dir_make_tmp("attache-creds-XXXXXX", NULL);
	g_autofree char *ini = g_build_filename(dir, "none.ini", NULL);
	g_setenv("ATTACHE_MASTODON_URL", "https://example.social", TRUE);
	g_setenv("ATTACHE_MASTODON_TOKEN", "tok-123456", TRUE);
	AttacheCredentials *c = NULL;
	g_autoptr(GError) e = NULL;
	g_assert_cmpint(attache_credentials_load(ATTACHE_TARGET_MASTODON, ini, &c,
						&e),
		==, ATTACHE_OK);
	g_assert_cmpstr(c->mastodon_token, ==, "tok-123456");
	g_assert_cmpstr(c->base_url, ==, "https://example.social");
	g_assert_cmpstr(c->source, ==, "environment");
	attache_credentials_free(c);

	/* a newline in a token would split the Authorization header */
	g_setenv("ATTACHE_MASTODON_TOKEN", "tok\r\nX-Evil: 1", TRUE);
	c = NULL;
	g_assert_cmpint(attache_credentials_load(ATTACHE_TARGET_MASTODON, ini, &c,
						&e),
		==, ATTACHE_E_AUTH);
	g_assert_null(c);
	g_assert_null(strstr(e->message, "Evil"));
	g_clear_error(&e);

	/* a plain-http instance that is not loopback */
	g_setenv("ATTACHE_MASTODON_TOKEN", "tok-123456", TRUE);
	g_setenv("ATTACHE_MASTODON_URL", "http://example.social", TRUE);
	g_assert_cmpint(attache_credentials_load(ATTACHE_TARGET_MASTODON, ini, &c,
						&e),
		==, ATTACHE_E_USAGE);
	g_clear_error(&e);
	g_unsetenv("ATTACHE_MASTODON_URL");
	g_unsetenv("ATTACHE_MASTODON_TOKEN");

	/* X: three of the four OAuth values name the missing one */
	g_setenv("ATTACHE_X_CONSUMER_KEY", "ck-123456", TRUE);
	g_setenv("ATTACHE_X_CONSUMER_SECRET", "cs-123456", TRUE);
	g_setenv("ATTACHE_X_ACCESS_TOKEN", "at-123456", TRUE);
	g_unsetenv("ATTACHE_X_ACCESS_SECRET");
	g_unsetenv("ATTACHE_X_BEARER");
	g_assert_cmpint(attache_credentials_load(ATTACHE_TARGET_X, ini, &c, &e),
		==, ATTACHE_E_AUTH);
	g_assert_nonnull(strstr(e->message, "ATTACHE_X_ACCESS_SECRET"));
	g_assert_null(strstr(e->message, "cs-123456"));
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/upload/parse-wait", test_parse_wait);
	g_test_add_func("/upload/url-policy", test_url_policy);
	g_test_add_func("/upload/redact", test_redact);
	g_test_add_func("/upload/jwt-exp", test_jwt_exp);
	g_test_add_func("/upload/credentials-env", test_credentials_env);
	return g_test_run();
}
