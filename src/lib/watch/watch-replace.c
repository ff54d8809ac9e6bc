/* SPDX-License-Identifier: MIT */
/*
 * watch-replace.c: a photo dropped again (the same bytes, the same name)
 * replaces its own earlier output folder instead of landing beside it as
 * STEM-2 (docs/watch.md, "Dropped again"). "Its own" is decided by the
 * folder's receipt: the same SHA-256 of the original, and nothing in the
 * folder but the outputs the receipt lists, unchanged. A folder a person
 * added a file to, or whose output someone edited, is never replaced.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECEIPT ".attache-photo.json"

/* The receipt's outputs, file name -> SHA-256. (transfer full) */
static GHashTable *
receipt_outputs(JsonObject *o)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		g_free);
	JsonNode *n = json_object_get_member(o, "outputs");
	JsonArray *a = n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n)
												 : NULL;
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		if (!JSON_NODE_HOLDS_OBJECT(e))
			continue;
		JsonObject *m = json_node_get_object(e);
		const char *f = json_object_get_string_member_with_default(m, "file", NULL);
		const char *h = json_object_get_string_member_with_default(m, "sha256", NULL);
		if (f && h && !strchr(f, '/') && attache__is_sha256(h))
			g_hash_table_replace(t, g_strdup(f), g_strdup(h));
	}
	return t;
}

/* Every entry of @folder is the receipt or one of @outputs with its hash;
 * every one of @outputs is there. */
static gboolean
holds_only(const char *folder, GHashTable *outputs)
{
	g_autoptr(GDir) d = g_dir_open(folder, 0, NULL);
	if (!d)
		return FALSE;
	guint seen = 0;
	const char *n;
	while ((n = g_dir_read_name(d))) {
		if (g_str_equal(n, RECEIPT))
			continue;
		const char *want = g_hash_table_lookup(outputs, n);
		g_autofree char *p = g_build_filename(folder, n, NULL);
		struct stat st;
		if (!want || lstat(p, &st) != 0 || !S_ISREG(st.st_mode))
			return FALSE;
		g_autofree char *got = attache_file_sha256(p, NULL);
		if (!got || !g_str_equal(got, want))
			return FALSE;
		seen++;
	}
	return seen == g_hash_table_size(outputs);
}

gboolean
attache__watch_folder_is_own(const char *folder, const char *sha,
	char **old_id)
{
	struct stat st;
	if (lstat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
		return FALSE;
	g_autofree char *receipt = g_build_filename(folder, RECEIPT, NULL);
	g_autofree char *text = NULL;
	gsize len;
	if (attache__read_small(receipt, ATTACHE_MAX_SETTINGS_BYTES,
			ATTACHE_READ_NOFOLLOW, &text, &len, NULL))
		return FALSE;
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_data(p, text, (gssize)len, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return FALSE;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	const char *h = json_object_get_string_member_with_default(o, "sha256", NULL);
	const char *id = json_object_get_string_member_with_default(o, "id", NULL);
	if (!h || !id || g_strcmp0(h, sha) != 0)
		return FALSE;
	g_autoptr(GHashTable) outputs = receipt_outputs(o);
	if (!holds_only(folder, outputs))
		return FALSE;
	*old_id = g_strdup(id);
	return TRUE;
}
