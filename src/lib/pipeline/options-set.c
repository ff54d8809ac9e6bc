/* SPDX-License-Identifier: MIT */
/*
 * options-set.c: attache_prep_options_set() and _finish(), the one mapping
 * from the option table's names (config/options.c) to AttachePrepOptions,
 * used by `attache prep` and the hot folder's settings alike. It sits in
 * the pipeline layer because alt text is read and checked here.
 *
 * Messages come in two dialects, chosen by how the caller names the
 * setting: "--fit" (the command line: "--fit: ...") or "fit" (attache.ini
 * and C callers: "fit: ...").
 */
#include "private.h"

#include <string.h>

void
attache__prep_options_use_presets(AttachePrepOptions *opts,
	const AttachePresetSet *set)
{
	AttacheOptionsGiven *g = attache__options_given(opts);
	if (g->own_presets)
		attache_preset_set_free(g->presets);
	g->presets = (AttachePresetSet *)set;
	g->own_presets = FALSE;
}

/* The presets "presets" and "campaign" name: preset-dir's, else the
 * default ones, loaded on first use. (transfer none) */
static const AttachePresetSet *
preset_set(AttacheOptionsGiven *g, GError **error)
{
	if (!g->presets && !attache_preset_set_load(NULL, NULL, &g->presets, error))
		g->own_presets = TRUE;
	return g->presets;
}

/* @e's message, after "LABEL: " unless @raw. Takes @e. */
static AttacheCode
fail(GError **error, GError *e, const char *label, gboolean raw)
{
	AttacheCode code = e->code;
	if (raw)
		g_propagate_error(error, e);
	else {
		g_set_error(error, ATTACHE_ERROR, code, "%s: %s", label, e->message);
		g_error_free(e);
	}
	return code;
}

/* The comma list @value as the presets, replacing those before. */
static AttacheCode
set_presets(AttachePrepOptions *opts, AttacheOptionsGiven *g,
	const char *value, const char *label, GError **error)
{
	GError *e = NULL;
	const AttachePresetSet *set = preset_set(g, &e);
	if (!set)
		return fail(error, e, label, g->cli);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	g_ptr_array_set_size(opts->presets, 0);
	for (int i = 0; parts[i]; i++) {
		char *name = g_strstrip(parts[i]);
		if (!*name || g_hash_table_contains(seen, name))
			continue;
		const AttachePreset *p = attache_preset_set_lookup(set, name, &e);
		if (!p)
			return fail(error, e, label, g->cli);
		g_hash_table_add(seen, name);
		attache_prep_options_add_preset(opts, p);
	}
	g->presets_set = TRUE;
	return ATTACHE_OK;
}

/* alt and alt-long: trimmed and checked; empty switches it off, but only
 * in attache.ini (on the command line it is a mistake). */
static AttacheCode
set_text(AttacheOptionsGiven *g, char **field, const char *value,
	const char *label, GError **error)
{
	g_autofree char *t = g_strstrip(g_strdup(value));
	if (!*t && !g->cli) {
		g_clear_pointer(field, g_free);
		return ATTACHE_OK;
	}
	AttacheCode code = attache_alt_validate(t, label, error);
	if (code)
		return code;
	g_free(*field);
	*field = g_steal_pointer(&t);
	return ATTACHE_OK;
}

/* campaign, alt-file, alt-manifest: read now, in full, where they are
 * (the hot folder reads attache.ini's own beneath the inbox itself). */
static AttacheCode
set_file(AttachePrepOptions *opts, AttacheOptionsGiven *g, const char *key,
	const char *value, const char *label, GError **error)
{
	GError *e = NULL;
	AttacheCode code = ATTACHE_OK;
	if (g_str_equal(key, "campaign")) {
		const AttachePresetSet *set = preset_set(g, &e);
		g_clear_pointer(&opts->campaign, attache_campaign_free);
		if (!set || (*value && attache_campaign_load(value, set, &opts->campaign, &e)))
			return fail(error, e, label, g->cli);
		return ATTACHE_OK;
	}
	if (g_str_equal(key, "alt-file")) {
		g_clear_pointer(&opts->alt_text, g_free);
		g->alt = *value ? g->alt | 2 : g->alt & ~2u;
		if (*value)
			code = attache_alt_read_file(value, &opts->alt_text, &e);
	}
	else {
		g_clear_pointer(&opts->manifest, g_hash_table_unref);
		if (*value)
			code = attache_alt_manifest_load(value, &opts->manifest, &e);
	}
	return code ? fail(error, e, label, FALSE) : ATTACHE_OK;
}

/* A table row with the API scope that this file does not map: a bug. */
static AttacheCode
unmapped(const AttacheOption *o, GError **error)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL,
		"%s: in the option table but not mapped by "
		"attache_prep_options_set()",
		o->name);
	return ATTACHE_E_INTERNAL;
}

/* The options whose values are words or numbers, checked by the table;
 * on the command line keep and lang keep their own messages. */
static AttacheCode
set_value(AttachePrepOptions *opts, AttacheOptionsGiven *g,
	const AttacheOption *o, const char *value, GError **error)
{
	GError *e = NULL;
	if (g_str_equal(o->name, "keep") && g->cli)
		return attache_keep_from_string(value, &opts->keep, error);
	if (g_str_equal(o->name, "lang")) {
		/* its own messages: which item of the list is wrong */
		g_autoptr(GPtrArray) langs = NULL;
		if (attache__langs_parse(value, g->cli, &langs, error))
			return ATTACHE_E_USAGE;
		g_free(opts->lang);
		opts->lang = langs->len ? g_strdup(value) : NULL;
		return ATTACHE_OK;
	}
	if (attache_option_check(o, value, &e)) {
		if (g->cli) /* "--fit: \"x\": expected ..." */
			g_prefix_error(&e, "--");
		g_propagate_error(error, e);
		return ATTACHE_E_USAGE;
	}
	AttacheFit f;
	AttacheCrop c;
	gint64 n;
	switch (o->type) {
	case ATTACHE_VALUE_FIT:
		attache_fit_from_string(value, &f);
		opts->fit = f;
		break;
	case ATTACHE_VALUE_CROP:
		attache_crop_from_string(value, &c);
		opts->crop = c;
		break;
	case ATTACHE_VALUE_FOCUS:
		attache_focus_from_string(value, &opts->focus_x, &opts->focus_y);
		opts->have_focus = TRUE;
		break;
	case ATTACHE_VALUE_KEEP:
		attache_keep_from_string(value, &opts->keep, NULL);
		break;
	case ATTACHE_VALUE_PIXELS:
		attache_pixels_from_string(value, &opts->max_pixels);
		break;
	case ATTACHE_VALUE_SIZE:
		attache_size_from_string(value, &n);
		attache_memory_budget_unref(opts->memory);
		opts->memory = attache_memory_budget_new(n);
		break;
	case ATTACHE_VALUE_FLAG: /* require-alt, scan-text */
		if (g_str_equal(o->name, "require-alt"))
			attache__value_bool(value, &opts->require_alt);
		else if (g_str_equal(o->name, "scan-text"))
			attache__value_bool(value, &opts->scan_text);
		else
			return unmapped(o, error);
		break;
	case ATTACHE_VALUE_ROTATE:
		attache_rotate_from_string(value, &opts->rotate);
		break;
	case ATTACHE_VALUE_PROTECT: {
		/* only adds: a later source (attache.ini, the campaign, the
		 * photo's own file) cannot take protection away */
		guint bits = 0;
		attache__protect_from_string(value, &bits);
		opts->protect |= bits;
		break;
	}
	case ATTACHE_VALUE_REGIONS: {
		g_autoptr(GPtrArray) r = NULL;
		attache__regions_from_string(value, &r, NULL);
		if (!opts->masks)
			opts->masks = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
		for (guint i = 0; i < r->len && opts->masks->len < ATTACHE_REGIONS_MAX; i++)
			g_ptr_array_add(opts->masks, attache_region_copy(r->pdata[i]));
		break;
	}
	case ATTACHE_VALUE_FACES: /* unmask: a reviewer's decision, replaced */
		attache__unmask_from_string(value, &opts->unmask, NULL);
		break;
	default:
		return unmapped(o, error);
	}
	return ATTACHE_OK;
}

AttacheCode
attache_prep_options_set(AttachePrepOptions *opts, const char *key,
	const char *value, GError **error)
{
	AttacheOptionsGiven *g = attache__options_given(opts);
	g->cli = g_str_has_prefix(key, "--");
	const char *label = key;
	const AttacheOption *o = attache_option_find(g->cli ? key + 2 : key,
		ATTACHE_SCOPE_API);
	if (!o || !value) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			!o ? "%s: not a setting (docs/prep.md lists them)"
			   : "%s: no value",
			key);
		return ATTACHE_E_USAGE;
	}
	const char *name = o->name; /* aliases too */
	if (g_str_equal(name, "presets"))
		return set_presets(opts, g, value, label, error);
	if (g_str_equal(name, "preset-dir")) {
		GError *e = NULL;
		AttachePresetSet *set = NULL;
		if (attache_preset_set_load(NULL, value, &set, &e))
			return fail(error, e, label, TRUE);
		attache__prep_options_use_presets(opts, NULL);
		g->presets = set;
		g->own_presets = TRUE;
		return ATTACHE_OK;
	}
	if (g_str_equal(name, "out")) {
		g_free(opts->out_dir);
		opts->out_dir = g_strdup(value);
		return ATTACHE_OK;
	}
	if (g_str_equal(name, "by")) {
		g_free(opts->prepared_by);
		opts->prepared_by = g_strdup(value);
		return ATTACHE_OK;
	}
	if (g_str_equal(name, "alt")) {
		AttacheCode code = set_text(g, &opts->alt_text, value, label, error);
		if (!code)
			g->alt = opts->alt_text ? g->alt | 1 : g->alt & ~1u;
		return code;
	}
	if (g_str_equal(name, "alt-long"))
		return set_text(g, &opts->alt_long, value, label, error);
	if (o->type == ATTACHE_VALUE_FILE)
		return set_file(opts, g, name, value, label, error);
	return set_value(opts, g, o, value, error);
}

AttacheCode
attache_prep_options_finish(AttachePrepOptions *opts, GError **error)
{
	AttacheOptionsGiven *g = attache__options_given(opts);
	gboolean cli = g->cli;
	if (!g->presets_set && !opts->presets->len) {
		gboolean was = g->cli;
		g->cli = TRUE; /* the default's failure is no option's */
		AttacheCode code = set_presets(opts, g, "x-landscape", NULL, error);
		g->cli = was;
		if (code)
			return code;
	}
	if (opts->crop == ATTACHE_CROP_FOCUS && !opts->have_focus) {
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			cli ? "--crop focus needs --focus X,Y"
				: "crop = focus needs focus = X,Y");
		return ATTACHE_E_USAGE;
	}
	if (g->alt == 3) {
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			cli ? "--alt and --alt-file both give the alt text for every "
				  "photo: use one"
				: "alt and alt-file both give the alt text for every photo; "
				  "keep one");
		return ATTACHE_E_USAGE;
	}
	GError *e = NULL;
	g_autoptr(GPtrArray) langs = NULL;
	if (attache__prep_langs(opts, cli, &langs, &e))
		return fail(error, e, "lang", cli);
	if (!opts->prepared_by)
		opts->prepared_by = g_strdup(g_get_user_name());
	return ATTACHE_OK;
}
