/* SPDX-License-Identifier: MIT */
/*
 * regions.c: a list of AttacheRegion in an output's JSON line and back
 * (the "faces" member, docs/json.md). A manifest is untrusted: what is
 * read back is bounded and checked (docs/security.md).
 */
#include "private.h"

#include <json-glib/json-glib.h>
#include <math.h>

/* The most regions read back from one manifest line. */
#define REGIONS_MAX 1024

static void
add_box(JsonBuilder *b, double x, double y, double w, double h)
{
	const char *names[4] = { "x", "y", "w", "h" };
	double v[4] = { x, y, w, h };
	for (int i = 0; i < 4; i++) {
		json_builder_set_member_name(b, names[i]);
		json_builder_add_double_value(b, v[i]);
	}
}

/* See private.h. @regions: (transfer none), NULL written as null. */
void
attache__regions_to_json(JsonBuilder *b, const char *name, const GPtrArray *regions)
{
	json_builder_set_member_name(b, name);
	if (!regions) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_array(b);
	for (guint i = 0; i < regions->len; i++) {
		const AttacheRegion *r = regions->pdata[i];
		json_builder_begin_object(b);
		add_box(b, r->x, r->y, r->w, r->h);
		json_builder_set_member_name(b, "score");
		json_builder_add_double_value(b, r->score);
		json_builder_set_member_name(b, "in_output");
		if (r->in_output) {
			json_builder_begin_object(b);
			add_box(b, r->ox, r->oy, r->ow, r->oh);
			json_builder_end_object(b);
		}
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* The number @name of @o, when it is one and finite. */
static gboolean
member_number(JsonObject *o, const char *name, double *v)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		return FALSE;
	GType t = json_node_get_value_type(n);
	if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
		return FALSE;
	*v = json_node_get_double(n);
	return isfinite(*v);
}

/* Reads x, y, w, h of @o into @v: FALSE unless all four are numbers in
 * [0, @limit] (w, h too). */
static gboolean
read_box(JsonObject *o, double limit, double v[4])
{
	const char *names[4] = { "x", "y", "w", "h" };
	for (int i = 0; i < 4; i++)
		if (!member_number(o, names[i], &v[i]) || v[i] < 0 || v[i] > limit)
			return FALSE;
	return TRUE;
}

/* One region of a manifest line, or NULL when it is not one. (transfer full) */
static AttacheRegion *
region_from_node(JsonNode *n, AttacheRegionKind kind)
{
	double v[4], o[4], score = 0;
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	JsonObject *ob = json_node_get_object(n);
	if (!read_box(ob, 1, v))
		return NULL;
	AttacheRegion *r = g_new0(AttacheRegion, 1);
	r->kind = kind;
	r->x = v[0];
	r->y = v[1];
	r->w = MIN(v[2], 1 - v[0]);
	r->h = MIN(v[3], 1 - v[1]);
	if (member_number(ob, "score", &score))
		r->score = CLAMP(score, 0, 1);
	JsonNode *in = json_object_get_member(ob, "in_output");
	if (in && JSON_NODE_HOLDS_OBJECT(in) && read_box(json_node_get_object(in), G_MAXINT, o)) {
		r->in_output = TRUE;
		r->ox = o[0];
		r->oy = o[1];
		r->ow = o[2];
		r->oh = o[3];
	}
	return r;
}

/* See private.h. (transfer full) or NULL. */
GPtrArray *
attache__regions_from_json(JsonObject *o, const char *name, AttacheRegionKind kind)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_ARRAY(n))
		return NULL;
	JsonArray *a = json_node_get_array(n);
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	guint len = MIN(json_array_get_length(a), REGIONS_MAX);
	for (guint i = 0; i < len; i++) {
		AttacheRegion *r = region_from_node(json_array_get_element(a, i), kind);
		if (r)
			g_ptr_array_add(out, r);
	}
	return out;
}
