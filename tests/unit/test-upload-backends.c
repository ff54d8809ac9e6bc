/* SPDX-License-Identifier: MIT */
/*
 * test-upload-backends.c: the upload backend table (backends.c). Every
 * platform in it is reachable by the names --to takes, declares what the
 * dispatcher needs, and every credential it reads is in docs/upload.md,
 * and the docs name no credential variable that no backend reads.
 */
#include "upload/upload-private.h"

#include <string.h>

static void
test_names_round_trip(void)
{
	const AttacheUploadBackend *b;
	guint n = 0;
	for (guint i = 0; (b = attache__upload_backend_nth(i)); i++, n++) {
		AttacheTarget t = (AttacheTarget)-1;
		g_assert_true(attache_target_from_string(b->name, &t));
		g_assert_cmpint(t, ==, b->target);
		g_assert_cmpstr(attache_target_name(b->target), ==, b->name);
		g_assert_true(attache__upload_backend(b->target) == b);
		/* --to is case-blind, and each alias names the same platform */
		g_autofree char *upper = g_ascii_strup(b->name, -1);
		g_assert_true(attache_target_from_string(upper, &t));
		g_assert_cmpint(t, ==, b->target);
		for (guint k = 0; b->aliases && b->aliases[k]; k++) {
			t = (AttacheTarget)-1;
			g_assert_true(attache_target_from_string(b->aliases[k], &t));
			g_assert_cmpint(t, ==, b->target);
		}
		/* no two platforms share a name */
		for (guint k = 0; k < i; k++)
			g_assert_cmpstr(attache__upload_backend_nth(k)->name, !=, b->name);
	}
	g_assert_cmpuint(n, ==, 3);
	/* the spellings accepted before the table, which schedulers may use */
	AttacheTarget t;
	g_assert_true(attache_target_from_string("twitter", &t));
	g_assert_cmpint(t, ==, ATTACHE_TARGET_X);
	g_assert_true(attache_target_from_string("Bsky", &t));
	g_assert_cmpint(t, ==, ATTACHE_TARGET_BLUESKY);
	g_assert_false(attache_target_from_string("myspace", &t));
	g_assert_false(attache_target_from_string(NULL, &t));
	g_assert_cmpstr(attache_target_name((AttacheTarget)99), ==, "unknown");
}

static void
test_backends_complete(void)
{
	const AttacheUploadBackend *b;
	for (guint i = 0; (b = attache__upload_backend_nth(i)); i++) {
		g_assert_nonnull(b->title);
		g_assert_nonnull(b->preset);
		g_assert_nonnull(b->limits);
		g_assert_nonnull(b->upload);
		/* state comes and goes in pairs */
		g_assert_true(!b->state_new == !b->state_free);
		g_assert_cmpuint(b->n_fields, >, 0);
		gboolean base = FALSE;
		for (guint k = 0; k < b->n_fields; k++) {
			const AttacheCredentialField *f = &b->fields[k];
			g_assert_true(g_str_has_prefix(f->env, "ATTACHE_"));
			g_assert_true(*f->key);
			g_assert_cmpuint(f->offset + sizeof(char *), <=,
				sizeof(AttacheCredentials));
			base |= f->offset == G_STRUCT_OFFSET(AttacheCredentials, base_url);
		}
		/* the test servers are reached by overriding the base URL */
		g_assert_true(base);
	}
}

/* An unknown target is a usage error, not a crash or an empty load. */
static void
test_unknown_target(void)
{
	g_autoptr(GError) e = NULL;
	AttacheCredentials *c = NULL;
	g_assert_cmpint(attache_credentials_load((AttacheTarget)99, "/nonexistent",
						&c, &e),
		==, ATTACHE_E_USAGE);
	g_assert_null(c);
	g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_USAGE);

	AttacheCredentials bad = { .target = (AttacheTarget)99 };
	AttacheUploader *up = NULL;
	g_clear_error(&e);
	g_assert_cmpint(attache_uploader_new(&bad, NULL, &up, &e), ==,
		ATTACHE_E_USAGE);
	g_assert_null(up);
}

/* What the error message lists as missing: the default (required fields)
 * for Mastodon and Bluesky, X's own rule (four OAuth 1.0a values or a
 * bearer token). */
static void
test_missing(void)
{
	AttacheCredentials m = { .target = ATTACHE_TARGET_MASTODON,
		.base_url = "https://mastodon.example" };
	g_autofree char *mm = attache__credentials_missing(&m);
	g_assert_cmpstr(mm, ==, "ATTACHE_MASTODON_TOKEN");

	AttacheCredentials bs = { .target = ATTACHE_TARGET_BLUESKY };
	g_autofree char *bm = attache__credentials_missing(&bs);
	g_assert_cmpstr(bm, ==, "ATTACHE_BLUESKY_HANDLE, ATTACHE_BLUESKY_APP_PASSWORD");

	AttacheCredentials x = { .target = ATTACHE_TARGET_X,
		.x_consumer_key = "k",
		.x_access_secret = "s" };
	g_autofree char *xm = attache__credentials_missing(&x);
	g_assert_cmpstr(xm, ==, "ATTACHE_X_CONSUMER_SECRET, ATTACHE_X_ACCESS_TOKEN");
	x.x_bearer = "b";
	g_autofree char *xb = attache__credentials_missing(&x);
	g_assert_null(xb);
	AttacheCredentials none = { .target = ATTACHE_TARGET_X };
	g_autofree char *xn = attache__credentials_missing(&none);
	g_assert_nonnull(strstr(xn, "or ATTACHE_X_BEARER"));
}

/* Bluesky's pixel limit follows the byte limit the options chose. */
static void
test_bluesky_limits_follow_options(void)
{
	AttacheCredentials c = { .target = ATTACHE_TARGET_BLUESKY,
		.bluesky_handle = "a.example",
		.bluesky_app_password = "pw",
		.base_url = "http://127.0.0.1:9" };
	const gint64 bytes[] = { 1000000, 2000000 };
	const int side[] = { 2000, 4000 };
	for (guint i = 0; i < G_N_ELEMENTS(bytes); i++) {
		g_autoptr(AttacheUploadOptions) o = attache_upload_options_new();
		o->bluesky_max_bytes = bytes[i];
		g_autoptr(AttacheUploader) up = NULL;
		g_autoptr(GError) e = NULL;
		g_assert_cmpint(attache_uploader_new(&c, o, &up, &e), ==, ATTACHE_OK);
		AttacheUploadLimits l = { 0 };
		up->backend->limits(up, &l);
		g_assert_cmpint(l.max_bytes, ==, bytes[i]);
		g_assert_cmpint(l.max_side, ==, side[i]);
	}
}

/* The `ATTACHE_...` names in docs/upload.md's credentials table. */
static GHashTable *
documented_variables(void)
{
	g_autofree char *path = g_build_filename(ATTACHE_SRCDIR, "docs",
		"upload.md", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	const char *table = strstr(text, "| variable | ini key |");
	g_assert_nonnull(table);
	const char *end = strstr(table, "\n\n");
	g_autofree char *rows = g_strndup(table, end ? (gsize)(end - table)
												 : strlen(table));
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal,
		g_free, NULL);
	g_autoptr(GRegex) re = g_regex_new("`(ATTACHE_[A-Z0-9_]+)`", 0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	g_regex_match(re, rows, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL))
		g_hash_table_add(names, g_match_info_fetch(m, 1));
	return names;
}

static void
test_docs_name_every_credential(void)
{
	g_autoptr(GHashTable) doc = documented_variables();
	g_autoptr(GHashTable) code = g_hash_table_new(g_str_hash, g_str_equal);
	const AttacheUploadBackend *b;
	for (guint i = 0; (b = attache__upload_backend_nth(i)); i++)
		for (guint k = 0; k < b->n_fields; k++) {
			g_hash_table_add(code, (gpointer)b->fields[k].env);
			if (!g_hash_table_contains(doc, b->fields[k].env))
				g_error("%s (%s) is read but not in docs/upload.md",
					b->fields[k].env, b->name);
		}
	GHashTableIter it;
	gpointer name;
	g_hash_table_iter_init(&it, doc);
	while (g_hash_table_iter_next(&it, &name, NULL))
		if (!g_hash_table_contains(code, name))
			g_error("docs/upload.md names %s, which no backend reads",
				(const char *)name);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/upload/backends/names", test_names_round_trip);
	g_test_add_func("/upload/backends/complete", test_backends_complete);
	g_test_add_func("/upload/backends/unknown", test_unknown_target);
	g_test_add_func("/upload/backends/missing", test_missing);
	g_test_add_func("/upload/backends/bluesky-limits",
		test_bluesky_limits_follow_options);
	g_test_add_func("/upload/backends/docs", test_docs_name_every_credential);
	return g_test_run();
}
