/* SPDX-License-Identifier: MIT */
/* output.c: AttacheOutput, and its JSON line (the contract in docs/json.md). */
#include "private.h"

#include <json-glib/json-glib.h>

void
attache_output_free(AttacheOutput *o)
{
	if (!o)
		return;
	g_free(o->input);
	g_free(o->input_sha256);
	g_free(o->preset);
	g_free(o->output);
	g_free(o->sha256);
	if (o->alt)
		g_ptr_array_unref(o->alt);
	g_free(o->alt_long);
	if (o->warnings)
		g_ptr_array_unref(o->warnings);
	g_free(o->campaign);
	g_free(o->lang);
	g_free(o->prepared_by);
	g_free(o->error);
	g_clear_pointer(&o->faces, g_ptr_array_unref);
	g_clear_pointer(&o->regions, g_ptr_array_unref);
	g_clear_pointer(&o->text_found, g_ptr_array_unref);
	g_free(o);
}

static void
add_list(JsonBuilder *b, const char *name, guint bits,
	char *(*to_string)(guint))
{
	g_autofree char *s = to_string(bits);
	g_auto(GStrv) parts = g_strsplit(s, ",", -1);
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (int i = 0; parts[i]; i++)
		if (*parts[i])
			json_builder_add_string_value(b, parts[i]);
	json_builder_end_array(b);
}

static void
add_string_or_null(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

JsonNode *
attache__output_to_node(const AttacheOutput *o, gboolean manifest)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	gboolean ok = o->code == ATTACHE_OK;

	json_builder_begin_object(b);
	add_string_or_null(b, "input", o->input);
	add_string_or_null(b, "input_sha256", o->input_sha256);
	add_string_or_null(b, "preset", o->preset);
	add_string_or_null(b, "output", o->output);
	json_builder_set_member_name(b, "width");
	json_builder_add_int_value(b, ok ? o->width : 0);
	json_builder_set_member_name(b, "height");
	json_builder_add_int_value(b, ok ? o->height : 0);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, ok ? o->bytes : 0);
	json_builder_set_member_name(b, "max_bytes");
	json_builder_add_int_value(b, o->max_bytes);
	add_string_or_null(b, "format", ok ? attache_format_name(o->format) : NULL);
	json_builder_set_member_name(b, "quality");
	json_builder_add_int_value(b, ok ? o->quality : 0);
	add_list(b, "flags", o->flags, attache_flags_to_string);
	add_list(b, "removed", o->removed, attache_kinds_to_string);
	add_list(b, "kept", o->kept, attache_kinds_to_string);

	/* alt text: the x-default string, and every language */
	const char *alt_default = NULL;
	json_builder_set_member_name(b, "alt");
	json_builder_begin_object(b);
	for (guint i = 0; o->alt && i < o->alt->len; i++) {
		const AttacheAlt *a = o->alt->pdata[i];
		if (!alt_default || g_str_equal(a->lang, "x-default"))
			alt_default = alt_default ? alt_default : a->text;
		json_builder_set_member_name(b, a->lang);
		json_builder_add_string_value(b, a->text);
	}
	json_builder_end_object(b);
	add_string_or_null(b, "alt_text", alt_default);
	if (o->alt_long)
		add_string_or_null(b, "alt_long", o->alt_long);

	json_builder_set_member_name(b, "warnings");
	json_builder_begin_array(b);
	for (guint i = 0; o->warnings && i < o->warnings->len; i++)
		json_builder_add_string_value(b, o->warnings->pdata[i]);
	json_builder_end_array(b);

	add_string_or_null(b, "sha256", o->sha256);
	json_builder_set_member_name(b, "focus");
	if (ok && o->have_focus) {
		json_builder_begin_array(b);
		json_builder_add_double_value(b, o->focus_x);
		json_builder_add_double_value(b, o->focus_y);
		json_builder_end_array(b);
	}
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "rotate");
	json_builder_add_int_value(b, o->rotate);
	/* what is in the pixels (docs/json.md): faces and text_found are
	 * null when not looked for; regions, the boxes masked by hand ([]
	 * for none) */
	attache__regions_to_json(b, "faces", ok ? o->faces : NULL);
	if (ok && o->regions)
		attache__regions_to_json(b, "regions", o->regions);
	else {
		json_builder_set_member_name(b, "regions");
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
	/* text_found is there in every line, null when not scanned */
	attache__regions_to_json(b, "text_found", ok ? o->text_found : NULL);
	if (o->campaign || manifest)
		add_string_or_null(b, "campaign", o->campaign);
	if (o->lang || manifest)
		add_string_or_null(b, "lang", o->lang);
	if (manifest) {
		add_string_or_null(b, "prepared_by", o->prepared_by);
		g_autoptr(GDateTime) now = g_date_time_new_now_utc();
		g_autofree char *iso = g_date_time_format_iso8601(now);
		add_string_or_null(b, "prepared_at", iso);
		add_string_or_null(b, "audit", ok ? "clean" : NULL);
	}
	add_string_or_null(b, "error", ok ? NULL : (o->error ? o->error : "failed"));
	json_builder_end_object(b);
	/* a name that is not UTF-8: input shown with U+FFFD, input_bytes */
	JsonNode *root = json_builder_get_root(b);
	attache__json_make_valid(root);
	return root;
}

char *
attache_output_to_json(const AttacheOutput *o)
{
	JsonNode *n = attache__output_to_node(o, FALSE);
	char *s = json_to_string(n, FALSE);
	json_node_unref(n);
	return s;
}
