/* SPDX-License-Identifier: MIT */
/*
 * test-oauth.c: the OAuth 1.0a signer against X's published vectors
 * (../shared/reference/upload-apis.md §2.4): both "Creating a signature"
 * vectors (api.twitter.com and api.x.com), the four percent-encoding
 * examples, and the properties of the nonce and the header.
 */
#include "upload/upload-private.h"

#include <string.h>

static const AttacheOAuth1Keys keys = {
	.consumer_key = "xvz1evFS4wEEPTGEFPHBog",
	.consumer_secret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	.token = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
	.token_secret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
};
#define NONCE "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
#define TIMESTAMP 1318622958
/* the form-urlencoded body of the example request, as raw values */
static const char *const status_body[] = { "status",
	"Hello Ladies + Gentlemen, a signed OAuth request!", NULL };

static void
test_vector_a(void)
{
	g_autofree char *base = NULL, *sig = NULL;
	g_autofree char *header = attache__oauth1_header(&keys, "POST",
		"https://api.twitter.com/1.1/statuses/update.json?include_entities="
		"true",
		status_body, NONCE, TIMESTAMP, &base, &sig);
	g_assert_cmpstr(base, ==,
		"POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&"
		"include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%"
		"26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_"
		"signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_"
		"token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_"
		"version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%"
		"252C%2520a%2520signed%2520OAuth%2520request%2521");
	g_assert_cmpuint(strlen(base), ==, 452);
	g_assert_cmpstr(sig, ==, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
	g_assert_cmpstr(header, ==,
		"OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
		"oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
		"oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", "
		"oauth_signature_method=\"HMAC-SHA1\", "
		"oauth_timestamp=\"1318622958\", "
		"oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
		"oauth_version=\"1.0\"");
}

static void
test_vector_b(void)
{
	g_autofree char *base = NULL, *sig = NULL;
	g_autofree char *header = attache__oauth1_header(&keys, "POST",
		"https://api.x.com/1.1/statuses/update.json?include_entities=true",
		status_body, NONCE, TIMESTAMP, &base, &sig);
	g_assert_cmpuint(strlen(base), ==, 446);
	g_assert_true(g_str_has_prefix(base,
		"POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&"));
	g_assert_cmpstr(sig, ==, "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");
	g_assert_nonnull(
		strstr(header, "oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\""));
}

/* The host is part of the signature: the legacy value with the new host is
 * the classic mistake the reference warns about. */
static void
test_host_matters(void)
{
	g_autofree char *sig = NULL;
	g_free(attache__oauth1_header(&keys, "POST",
		"https://api.x.com/1.1/statuses/update.json?include_entities=true",
		status_body, NONCE, TIMESTAMP, NULL, &sig));
	g_assert_cmpstr(sig, !=, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
}

/* Scheme and host are normalised to lowercase, the default port dropped. */
static void
test_base_url_normalised(void)
{
	g_autofree char *a = NULL, *b = NULL;
	g_free(attache__oauth1_header(&keys, "post",
		"HTTPS://API.X.COM:443/1.1/statuses/update.json?include_entities=true",
		status_body, NONCE, TIMESTAMP, NULL, &a));
	g_free(attache__oauth1_header(&keys, "POST",
		"https://api.x.com/1.1/statuses/update.json?include_entities=true",
		status_body, NONCE, TIMESTAMP, NULL, &b));
	g_assert_cmpstr(a, ==, b);
}

static void
test_percent_encoding(void)
{
	static const char *cases[][2] = {
		{ "Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen" },
		{ "An encoded string!", "An%20encoded%20string%21" },
		{ "Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice" },
		{ "\xe2\x98\x83", "%E2%98%83" },
		/* the unreserved set stays as it is */
		{ "AZaz09-._~", "AZaz09-._~" },
		{ "/=?&", "%2F%3D%3F%26" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *e = attache__pct_encode(cases[i][0]);
		g_assert_cmpstr(e, ==, cases[i][1]);
	}
}

/* No token secret yet (the request-token step): the key keeps its '&'.
 * Checked against the signature GLib's HMAC gives for that key. */
static void
test_empty_token_secret(void)
{
	AttacheOAuth1Keys k = keys;
	k.token_secret = "";
	g_autofree char *base = NULL, *sig = NULL;
	g_free(attache__oauth1_header(&k, "POST",
		"https://api.x.com/1.1/statuses/update.json?include_entities=true",
		status_body, NONCE, TIMESTAMP, &base, &sig));
	const char *key = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&";
	g_autoptr(GHmac) h = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)key,
		strlen(key));
	g_hmac_update(h, (const guchar *)base, -1);
	guint8 d[20];
	gsize n = sizeof(d);
	g_hmac_get_digest(h, d, &n);
	g_autofree char *expect = g_base64_encode(d, n);
	g_assert_cmpstr(sig, ==, expect);
}

/* Query parameters are signed (decoded, then encoded again); the
 * X status URL attache really signs. */
static void
test_query_is_signed(void)
{
	g_autofree char *b1 = NULL, *b2 = NULL;
	g_free(attache__oauth1_header(&keys, "GET",
		"https://api.x.com/2/media/upload?command=STATUS&media_id=123", NULL,
		NONCE, TIMESTAMP, &b1, NULL));
	g_assert_nonnull(strstr(b1, "command%3DSTATUS"));
	g_assert_nonnull(strstr(b1, "media_id%3D123"));
	g_assert_true(g_str_has_prefix(b1,
		"GET&https%3A%2F%2Fapi.x.com%2F2%2Fmedia%2Fupload&"));
	/* a loopback test server keeps its port in the base URL */
	g_free(attache__oauth1_header(&keys, "POST",
		"http://127.0.0.1:8443/2/media/upload/initialize", NULL, NONCE,
		TIMESTAMP, &b2, NULL));
	g_assert_true(g_str_has_prefix(b2,
		"POST&http%3A%2F%2F127.0.0.1%3A8443%2F2%2Fmedia%2Fupload%"
		"2Finitialize&"));
}

static void
test_nonce(void)
{
	g_autofree char *a = attache__oauth1_nonce();
	g_autofree char *b = attache__oauth1_nonce();
	g_assert_cmpstr(a, !=, b);
	g_assert_cmpuint(strlen(a), >=, 32);
	for (const char *p = a; *p; p++)
		g_assert_true(g_ascii_isalnum(*p));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/oauth/vector-a-api.twitter.com", test_vector_a);
	g_test_add_func("/oauth/vector-b-api.x.com", test_vector_b);
	g_test_add_func("/oauth/host-matters", test_host_matters);
	g_test_add_func("/oauth/base-url-normalised", test_base_url_normalised);
	g_test_add_func("/oauth/percent-encoding", test_percent_encoding);
	g_test_add_func("/oauth/empty-token-secret", test_empty_token_secret);
	g_test_add_func("/oauth/query-is-signed", test_query_is_signed);
	g_test_add_func("/oauth/nonce", test_nonce);
	return g_test_run();
}
