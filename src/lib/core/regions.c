/* SPDX-License-Identifier: MIT */
/*
 * regions.c: the words and numbers of pixel protection (docs/masking.md,
 * "Masking"): `protect = faces,text`, `mask = X,Y,W,H ...`, `unmask = N`,
 * a face's head margin, a region's box in one output, and the JSON of a
 * list of regions. Every list is bounded (ATTACHE_REGIONS_MAX): the values
 * come from settings files an inbox writer may supply.
 */
#include "private.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* AttacheRegion itself (attache.h), here with the lists that use it, so
 * that output.c, which writes the lists, does not need them back. */
/* @r: (transfer none). Returns: (transfer full). */
AttacheRegion *
attache_region_copy(const AttacheRegion *r)
{
	AttacheRegion *c = g_memdup2(r, sizeof *r);
	c->text = g_strdup(r->text);
	return c;
}

/* @r: (transfer full). */
void
attache_region_free(AttacheRegion *r)
{
	if (!r)
		return;
	g_free(r->text);
	g_free(r);
}

/* The numbers of @value, separated by commas, semicolons or white space;
 * at most @max. FALSE when an item is not a number. (transfer full) */
static gboolean
numbers(const char *value, guint max, GArray **out)
{
	g_auto(GStrv) parts = g_strsplit_set(value ? value : "", ",; \t", -1);
	g_autoptr(GArray) a = g_array_new(FALSE, FALSE, sizeof(double));
	for (int i = 0; parts[i]; i++) {
		if (!*parts[i])
			continue;
		char *end;
		errno = 0;
		double d = g_ascii_strtod(parts[i], &end);
		if (errno || end == parts[i] || *end || d != d || a->len >= max)
			return FALSE;
		g_array_append_val(a, d);
	}
	*out = g_steal_pointer(&a);
	return TRUE;
}

gboolean
attache__protect_from_string(const char *value, guint *out)
{
	g_auto(GStrv) parts = g_strsplit(value ? value : "", ",", -1);
	guint bits = 0;
	for (int i = 0; parts[i]; i++) {
		char *w = g_strstrip(parts[i]);
		if (!*w)
			continue;
		if (!g_ascii_strcasecmp(w, "faces") || !g_ascii_strcasecmp(w, "face"))
			bits |= ATTACHE_PROTECT_FACES;
		else if (!g_ascii_strcasecmp(w, "text"))
			bits |= ATTACHE_PROTECT_TEXT;
		else
			return FALSE;
	}
	if (!bits)
		return FALSE;
	if (out)
		*out = bits;
	return TRUE;
}

AttacheCode
attache__regions_from_string(const char *value, GPtrArray **out, GError **error)
{
	g_autoptr(GArray) n = NULL;
	if (!numbers(value, 4 * ATTACHE_REGIONS_MAX + 1, &n) || n->len == 0 || n->len % 4 || n->len > 4 * ATTACHE_REGIONS_MAX) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"\"%s\": expected X,Y,W,H boxes (fractions 0..1 of the upright photo), at most %d, separated by spaces",
			value, ATTACHE_REGIONS_MAX);
		return ATTACHE_E_USAGE;
	}
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	for (guint i = 0; i < n->len; i += 4) {
		double *v = &g_array_index(n, double, i);
		/* a box that reaches past an edge by rounding is clipped; one that
		 * starts outside the photo or has no area is a mistake */
		if (!(v[0] >= 0 && v[0] < 1 && v[1] >= 0 && v[1] < 1 && v[2] > 0 && v[2] <= 1 && v[3] > 0 && v[3] <= 1)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"\"%s\": box %u (%g,%g,%g,%g) is not inside the photo: X and Y from 0 to below 1, W and H above 0 "
				"and at most 1",
				value, i / 4 + 1, v[0], v[1], v[2], v[3]);
			return ATTACHE_E_USAGE;
		}
		AttacheRegion *r = g_new0(AttacheRegion, 1);
		r->kind = ATTACHE_REGION_HAND;
		r->x = v[0];
		r->y = v[1];
		r->w = MIN(v[2], 1 - v[0]);
		r->h = MIN(v[3], 1 - v[1]);
		g_ptr_array_add(list, r);
	}
	*out = g_steal_pointer(&list);
	return ATTACHE_OK;
}

AttacheCode
attache__unmask_from_string(const char *value, guint64 *out, GError **error)
{
	g_autoptr(GArray) n = NULL;
	guint64 bits = 0;
	gboolean ok = numbers(value, 64, &n) && n->len > 0;
	for (guint i = 0; ok && i < n->len; i++) {
		double d = g_array_index(n, double, i);
		ok = d >= 1 && d <= 64 && d == (int)d;
		if (ok)
			bits |= (guint64)1 << ((int)d - 1);
	}
	if (!ok) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"\"%s\": expected face numbers from 1 to 64 (as the review page numbers them), separated by commas", value);
		return ATTACHE_E_USAGE;
	}
	*out = bits;
	return ATTACHE_OK;
}

AttacheRegion *
attache__region_head(const AttacheRegion *face)
{
	AttacheRegion *r = attache_region_copy(face);
	/* the head: hair and forehead above the box, ears beside it, the chin
	 * below; what identifies a person is more than the detector's box */
	double x0 = face->x - ATTACHE_HEAD_SIDE * face->w, x1 = face->x + face->w * (1 + ATTACHE_HEAD_SIDE);
	double y0 = face->y - ATTACHE_HEAD_UP * face->h, y1 = face->y + face->h * (1 + ATTACHE_HEAD_DOWN);
	x0 = CLAMP(x0, 0, 1);
	x1 = CLAMP(x1, 0, 1);
	y0 = CLAMP(y0, 0, 1);
	y1 = CLAMP(y1, 0, 1);
	r->x = x0;
	r->y = y0;
	r->w = x1 - x0;
	r->h = y1 - y0;
	return r;
}

GPtrArray *
attache__regions_in_output(const GPtrArray *list, const double *place, int fw, int fh, int ew, int eh)
{
	if (!list)
		return NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	/* the encoder may have made the frame smaller to meet the budget */
	double sx = fw > 0 ? (double)ew / fw : 1, sy = fh > 0 ? (double)eh / fh : 1;
	for (guint i = 0; i < list->len; i++) {
		AttacheRegion *r = attache_region_copy(list->pdata[i]);
		double x0 = place[0] + r->x * place[2], y0 = place[1] + r->y * place[3];
		double x1 = x0 + r->w * place[2], y1 = y0 + r->h * place[3];
		x0 = CLAMP(x0, 0, fw) * sx;
		x1 = CLAMP(x1, 0, fw) * sx;
		y0 = CLAMP(y0, 0, fh) * sy;
		y1 = CLAMP(y1, 0, fh) * sy;
		r->in_output = place[2] > 0 && place[3] > 0 && x1 - x0 >= 0.5 && y1 - y0 >= 0.5;
		r->ox = r->in_output ? x0 : 0;
		r->oy = r->in_output ? y0 : 0;
		r->ow = r->in_output ? x1 - x0 : 0;
		r->oh = r->in_output ? y1 - y0 : 0;
		g_ptr_array_add(out, r);
	}
	return out;
}

static void
member_double(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	/* a fraction to 1/10000, a pixel to 1/10: what a reader can use */
	json_builder_add_double_value(b, v);
}

void
attache__regions_to_json(JsonBuilder *b, const char *name, const GPtrArray *list)
{
	json_builder_set_member_name(b, name);
	if (!list) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++) {
		const AttacheRegion *r = list->pdata[i];
		json_builder_begin_object(b);
		if (r->text) {
			json_builder_set_member_name(b, "text");
			json_builder_add_string_value(b, r->text);
		}
		member_double(b, "x", round(r->x * 1e4) / 1e4);
		member_double(b, "y", round(r->y * 1e4) / 1e4);
		member_double(b, "w", round(r->w * 1e4) / 1e4);
		member_double(b, "h", round(r->h * 1e4) / 1e4);
		if (r->kind != ATTACHE_REGION_HAND)
			member_double(b, "score", round(r->score * 1e3) / 1e3);
		json_builder_set_member_name(b, "masked");
		json_builder_add_boolean_value(b, r->masked);
		json_builder_set_member_name(b, "in_output");
		if (r->in_output) {
			json_builder_begin_object(b);
			member_double(b, "x", round(r->ox * 10) / 10);
			member_double(b, "y", round(r->oy * 10) / 10);
			member_double(b, "w", round(r->ow * 10) / 10);
			member_double(b, "h", round(r->oh * 10) / 10);
			json_builder_end_object(b);
		}
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* A number member of @o in [@lo, @hi], or FALSE. */
static gboolean
read_number(JsonObject *o, const char *name, double lo, double hi, double *out)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE || json_node_get_value_type(n) == G_TYPE_STRING
		|| json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return FALSE;
	double d = json_node_get_double(n);
	if (!(d >= lo && d <= hi))
		return FALSE;
	*out = d;
	return TRUE;
}

GPtrArray *
attache__regions_from_json(JsonNode *node, AttacheRegionKind kind)
{
	if (!node || JSON_NODE_TYPE(node) != JSON_NODE_ARRAY)
		return NULL;
	JsonArray *a = json_node_get_array(node);
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	/* a manifest line comes from a shared folder: bounded, and a box that
	 * is not one is left out rather than drawn somewhere */
	for (guint i = 0; i < json_array_get_length(a) && out->len < 4 * ATTACHE_REGIONS_MAX; i++) {
		JsonNode *e = json_array_get_element(a, i);
		if (JSON_NODE_TYPE(e) != JSON_NODE_OBJECT)
			continue;
		JsonObject *o = json_node_get_object(e);
		AttacheRegion r = { .kind = kind };
		if (!read_number(o, "x", 0, 1, &r.x) || !read_number(o, "y", 0, 1, &r.y) || !read_number(o, "w", 0, 1, &r.w)
			|| !read_number(o, "h", 0, 1, &r.h))
			continue;
		/* a box reaching past an edge is clipped to the photo, a score
		 * kept to 0..1 */
		r.w = MIN(r.w, 1 - r.x);
		r.h = MIN(r.h, 1 - r.y);
		if (read_number(o, "score", -1e6, 1e6, &r.score))
			r.score = CLAMP(r.score, 0, 1);
		r.masked = json_object_get_boolean_member_with_default(o, "masked", FALSE);
		JsonNode *in = json_object_get_member(o, "in_output");
		if (in && JSON_NODE_TYPE(in) == JSON_NODE_OBJECT) {
			JsonObject *io = json_node_get_object(in);
			r.in_output = read_number(io, "x", 0, 1e6, &r.ox) && read_number(io, "y", 0, 1e6, &r.oy)
						  && read_number(io, "w", 0, 1e6, &r.ow) && read_number(io, "h", 0, 1e6, &r.oh);
		}
		const char *text = json_object_get_string_member_with_default(o, "text", NULL);
		if (text && g_utf8_validate(text, -1, NULL))
			r.text = g_utf8_substring(text, 0, MIN(g_utf8_strlen(text, -1), 200));
		g_ptr_array_add(out, g_memdup2(&r, sizeof r));
	}
	return out;
}
