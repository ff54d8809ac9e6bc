/* SPDX-License-Identifier: MIT */
/*
 * display.c: file names as they are shown, recorded and given to outputs
 * (docs/json.md, docs/prep.md). A name on Linux is bytes: it need not be
 * UTF-8 and may be 255 bytes long. JSON must be UTF-8, and an output's
 * name is the photo's stem with more added to it.
 */
#include "private.h"

#include <json-glib/json-glib.h>
#include <string.h>

char *
attache_display_name(const char *raw)
{
	if (!raw)
		return NULL;
	/* g_utf8_make_valid() puts one U+FFFD per invalid sequence; per byte
	 * is what the JSON contract says, so a reader can count them */
	GString *out = g_string_sized_new(strlen(raw));
	const char *p = raw;
	while (*p) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(out, "\xef\xbf\xbd");
			p++;
			continue;
		}
		const char *end = g_utf8_next_char(p);
		g_string_append_len(out, p, end - p);
		p = end;
	}
	return g_string_free(out, FALSE);
}

/* @stem with each byte that is not UTF-8 as %XX. (transfer full) */
static char *
percent_invalid(const char *stem)
{
	GString *out = g_string_sized_new(strlen(stem));
	const char *p = stem;
	while (*p) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(out, "%%%02X", (guchar)*p);
			p++;
			continue;
		}
		const char *end = g_utf8_next_char(p);
		g_string_append_len(out, p, end - p);
		p = end;
	}
	return g_string_free(out, FALSE);
}

char *
attache_output_stem(const char *input)
{
	g_autofree char *base = attache__file_stem(input);
	char *stem = percent_invalid(base);
	gsize len = strlen(stem);
	if (len <= ATTACHE_STEM_MAX)
		return stem;

	/* too long: the start, readable, then ~ and 8 digits of the whole
	 * stem's SHA-256, so names that share their start stay apart */
	gsize keep = ATTACHE_STEM_MAX - 9;
	while (keep > 0 && (stem[keep] & 0xc0) == 0x80)
		keep--; /* not inside a UTF-8 character */
	if (keep >= 1 && stem[keep - 1] == '%')
		keep -= 1; /* nor inside a %XX */
	else if (keep >= 2 && stem[keep - 2] == '%')
		keep -= 2;
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
		stem, (gssize)len);
	char *out = g_strdup_printf("%.*s~%.8s", (int)keep, stem, sum);
	g_free(stem);
	return out;
}

static void make_valid_node(JsonNode *n);

/* In @o, each string member that is not UTF-8 becomes its display name,
 * and NAME_bytes beside it holds the raw bytes in base64. */
static void
make_valid_object(JsonObject *o)
{
	g_autoptr(GList) names = json_object_get_members(o);
	for (GList *l = names; l; l = l->next) {
		/* a copy: replacing the member frees the key */
		g_autofree char *name = g_strdup(l->data);
		JsonNode *n = json_object_get_member(o, name);
		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
			make_valid_node(n);
			continue;
		}
		const char *s = json_node_get_string(n);
		if (g_utf8_validate(s, -1, NULL))
			continue;
		g_autofree char *b64 = g_base64_encode((const guchar *)s, strlen(s));
		g_autofree char *shown = attache_display_name(s);
		g_autofree char *key = g_strconcat(name, "_bytes", NULL);
		json_object_set_string_member(o, key, b64);
		json_object_set_string_member(o, name, shown);
	}
}

static void
make_valid_node(JsonNode *n)
{
	if (!n)
		return;
	if (JSON_NODE_HOLDS_OBJECT(n))
		make_valid_object(json_node_get_object(n));
	else if (JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);
			if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING && !g_utf8_validate(json_node_get_string(e), -1, NULL)) {
				g_autofree char *shown = attache_display_name(
					json_node_get_string(e));
				json_node_set_string(e, shown);
			}
			else
				make_valid_node(e);
		}
	}
}

void
attache__json_make_valid(JsonNode *root)
{
	make_valid_node(root);
}
