/* SPDX-License-Identifier: MIT */
/*
 * masks.c: a photo's mask rectangles drawn by hand and the faces found
 * that a person chose to leave unmasked (PUT /api/v1/photos/{id}/masks,
 * docs/http-api.md, "Masks"). They are kept in the photo's options in the
 * library's own words (`mask = X,Y,W,H ...`, `unmask = N,...`,
 * docs/masking.md), so every output is made again from the stored
 * original through the batch path, as a focus change is; the library
 * fills the boxes and flags a protected photo's unmasked face
 * faces-visible.
 */
#include "server-private.h"

#include <math.h>
#include <string.h>

/* the library's bound on boxes (docs/masking.md) and on face numbers */
#define MASKS_MAX 64

JsonArray *
masks_faces(Server *s, const char *photo, gboolean *protect)
{
	g_autoptr(JsonArray) outs = db_outputs_of(s->db, photo);
	JsonArray *faces = NULL;
	*protect = FALSE;
	for (guint i = 0; i < json_array_get_length(outs); i++) {
		JsonObject *row = json_array_get_object_element(outs, i);
		g_autoptr(JsonParser) p = json_parser_new();
		if (!json_parser_load_from_data(p, json_object_get_string_member(row, "json"), -1, NULL)
			|| !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
			continue;
		JsonObject *prep = json_node_get_object(json_parser_get_root(p));
		JsonNode *f = json_object_get_member(prep, "faces");
		/* each output lists the same faces, in the same order (the
		 * numbers unmask uses), as fractions of the upright photo */
		if (!faces && f && JSON_NODE_HOLDS_ARRAY(f)) {
			faces = json_array_new();
			JsonArray *a = json_node_get_array(f);
			for (guint k = 0; k < json_array_get_length(a) && k < 4 * MASKS_MAX; k++) {
				if (!JSON_NODE_HOLDS_OBJECT(json_array_get_element(a, k)))
					continue;
				JsonObject *in = json_array_get_object_element(a, k), *o = json_object_new();
				static const char *const m[] = { "x", "y", "w", "h", "score" };
				json_object_set_int_member(o, "n", k + 1);
				for (guint j = 0; j < G_N_ELEMENTS(m); j++)
					json_object_set_double_member(o, m[j], json_object_get_double_member_with_default(in, m[j], 0));
				gboolean masked = json_object_get_boolean_member_with_default(in, "masked", FALSE);
				json_object_set_boolean_member(o, "masked", masked);
				*protect |= masked;
				json_array_add_object_element(faces, o);
			}
		}
		g_autoptr(GPtrArray) flags = state_output_flags(row);
		for (guint k = 0; k < flags->len; k++)
			*protect |= !strcmp(flags->pdata[k], "faces-visible") || !strcmp(flags->pdata[k], "no-face-found");
	}
	return faces;
}

JsonObject *
masks_json(JsonObject *options)
{
	JsonObject *m = json_object_new();
	JsonArray *regions = json_array_new(), *unmask = json_array_new();
	const char *v = json_str(options, "mask");
	g_auto(GStrv) boxes = g_strsplit(v ? v : "", " ", -1);
	for (int i = 0; boxes[i]; i++) {
		g_auto(GStrv) n = g_strsplit(boxes[i], ",", -1);
		if (g_strv_length(n) != 4)
			continue;
		JsonObject *r = json_object_new();
		static const char *const k[] = { "x", "y", "w", "h" };
		for (int j = 0; j < 4; j++)
			json_object_set_double_member(r, k[j], g_ascii_strtod(n[j], NULL));
		json_array_add_object_element(regions, r);
	}
	v = json_str(options, "unmask");
	g_auto(GStrv) faces = g_strsplit(v ? v : "", ",", -1);
	for (int i = 0; faces[i]; i++)
		if (*faces[i])
			json_array_add_int_element(unmask, g_ascii_strtoll(faces[i], NULL, 10));
	json_object_set_array_member(m, "regions", regions);
	json_object_set_array_member(m, "unmask", unmask);
	return m;
}

/* A number member of @o, or NAN. */
static double
number(JsonObject *o, const char *m)
{
	JsonNode *n = json_object_get_member(o, m);
	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		return NAN;
	GType t = json_node_get_value_type(n);
	return t == G_TYPE_DOUBLE || t == G_TYPE_INT64 ? json_node_get_double(n) : NAN;
}

/* "regions" as `mask =`'s words in @out; FALSE after a 400. */
static gboolean
regions_words(SoupServerMessage *msg, JsonNode *node, GString *out)
{
	if (!JSON_NODE_HOLDS_ARRAY(node) || json_array_get_length(json_node_get_array(node)) > MASKS_MAX) {
		http_error(msg, 400, "bad-option", "masks: \"regions\" is a list of at most %d boxes {x, y, w, h}", MASKS_MAX);
		return FALSE;
	}
	JsonArray *a = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		JsonObject *r = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
		double x = r ? number(r, "x") : NAN, y = r ? number(r, "y") : NAN;
		double w = r ? number(r, "w") : NAN, h = r ? number(r, "h") : NAN;
		/* as the library takes them: starts inside, has an area; the part
		 * past an edge is clipped */
		if (!(x >= 0 && x < 1 && y >= 0 && y < 1 && w >= 0.0001 && w <= 1 && h >= 0.0001 && h <= 1)) {
			http_error(msg, 400, "bad-option",
				"masks: box %u is not inside the photo: x and y are fractions from 0 to below 1 of the upright photo, "
				"w and h from 0.0001 to 1",
				i + 1);
			return FALSE;
		}
		char b[4][G_ASCII_DTOSTR_BUF_SIZE];
		g_string_append_printf(out, "%s%s,%s,%s,%s", i ? " " : "", g_ascii_formatd(b[0], sizeof b[0], "%.5f", x),
			g_ascii_formatd(b[1], sizeof b[1], "%.5f", y), g_ascii_formatd(b[2], sizeof b[2], "%.5f", MIN(w, 1 - x)),
			g_ascii_formatd(b[3], sizeof b[3], "%.5f", MIN(h, 1 - y)));
	}
	return TRUE;
}

/* "unmask" as `unmask =`'s words in @out, each a face of the @faces
 * found; FALSE after a 400. */
static gboolean
unmask_words(SoupServerMessage *msg, JsonNode *node, guint faces, GString *out)
{
	if (!JSON_NODE_HOLDS_ARRAY(node) || json_array_get_length(json_node_get_array(node)) > MASKS_MAX) {
		http_error(msg, 400, "bad-option", "masks: \"unmask\" is a list of face numbers");
		return FALSE;
	}
	JsonArray *a = json_node_get_array(node);
	guint64 seen = 0;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		gint64 n = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_INT64 ? json_node_get_int(e) : 0;
		if (n < 1 || n > MIN(faces, MASKS_MAX)) {
			http_error(msg, 400, "bad-option", "masks: unmask: item %u is not the number of a face found in this photo (%u found, numbered from 1)",
				i + 1, faces);
			return FALSE;
		}
		if (seen & ((guint64)1 << (n - 1)))
			continue;
		seen |= (guint64)1 << (n - 1);
		g_string_append_printf(out, "%s%" G_GINT64_FORMAT, out->len ? "," : "", n);
	}
	return TRUE;
}

gboolean
masks_set(Server *s, SoupServerMessage *msg, const char *photo, JsonObject *body, JsonObject *o)
{
	JsonNode *regions = json_object_get_member(body, "regions"), *unmask = json_object_get_member(body, "unmask");
	if (!regions && !unmask) {
		http_error(msg, 400, "bad-option", "masks: give \"regions\" (boxes drawn by hand), \"unmask\" (faces left unmasked) or both");
		return FALSE;
	}
	g_autoptr(GString) r = g_string_new(NULL), u = g_string_new(NULL);
	if (regions && !regions_words(msg, regions, r))
		return FALSE;
	if (unmask) {
		gboolean protect = FALSE;
		g_autoptr(JsonArray) faces = masks_faces(s, photo, &protect);
		if (!unmask_words(msg, unmask, faces ? json_array_get_length(faces) : 0, u))
			return FALSE;
	}
	/* a member left out keeps its value; an empty list clears it */
	static const char *const keys[] = { "mask", "unmask" };
	GString *words[] = { r, u };
	JsonNode *given[] = { regions, unmask };
	for (int i = 0; i < 2; i++) {
		if (!given[i])
			continue;
		if (words[i]->len)
			json_object_set_string_member(o, keys[i], words[i]->str);
		else if (json_object_has_member(o, keys[i]))
			json_object_remove_member(o, keys[i]);
	}
	return TRUE;
}
