/* SPDX-License-Identifier: MIT */
/*
 * langs.c: the languages one run makes (--lang fr,ar,zh, or all: the
 * campaign's `languages =`; docs/prep.md, "Languages"). Every language of
 * a photo is made from its one decode; with more than one, the outputs are
 * named STEM.PRESET.LANG.EXT.
 */
#include "private.h"

#include <string.h>

/* "--lang" on the command line, "lang" elsewhere. */
static const char *
label(gboolean cli)
{
	return cli ? "--lang" : "lang";
}

AttacheCode
attache__langs_parse(const char *value, gboolean cli, GPtrArray **out,
	GError **error)
{
	g_autoptr(GPtrArray) v = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) parts = g_strsplit(value ? value : "", ",", -1);
	*out = NULL;
	for (int i = 0; parts[i]; i++) {
		const char *l = g_strstrip(parts[i]);
		if (!*l)
			continue;
		if (!g_ascii_strcasecmp(l, "all")) {
			if (g_strv_length(parts) > 1) {
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"%s \"%s\": all (the campaign's languages) stands alone, "
					"not in a list",
					label(cli), value);
				return ATTACHE_E_USAGE;
			}
			g_ptr_array_add(v, g_strdup("all"));
			break;
		}
		if (!attache__lang_tag_valid(l)) {
			/* the command line's words, and the option table's elsewhere */
			if (cli)
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"--lang \"%s\": not a language tag (en, fr, es, ar, zh, ru ...)", l);
			else
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
					"lang: \"%s\": expected a language tag (en, fr, zh-Hans), a "
					"comma list of them, or all",
					l);
			return ATTACHE_E_USAGE;
		}
		/* the tag is part of the output names, whose length is budgeted */
		if (strlen(l) > ATTACHE_LANG_NAME_MAX) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s \"%s\": longer than %d characters, the most a language "
				"tag may have in an output's name",
				label(cli), l, ATTACHE_LANG_NAME_MAX);
			return ATTACHE_E_USAGE;
		}
		gboolean dup = FALSE;
		for (guint k = 0; k < v->len && !dup; k++)
			dup = !g_ascii_strcasecmp(v->pdata[k], l);
		if (!dup)
			g_ptr_array_add(v, g_strdup(l));
	}
	*out = g_steal_pointer(&v);
	return ATTACHE_OK;
}

/* The campaign's languages for "all". (transfer full) */
static AttacheCode
campaign_langs(const AttacheCampaign *c, gboolean cli, GPtrArray *v,
	GError **error)
{
	const char *const *langs = c ? attache_campaign_languages(c) : NULL;
	if (!langs || !langs[0]) {
		if (c)
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%sall: campaign \"%s\" (%s) declares no languages = in "
				"[campaign] to take",
				cli ? "--lang " : "", attache_campaign_name(c), attache_campaign_path(c));
		else
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%sall means the campaign's languages, and no campaign is "
				"given (-c NAME)",
				cli ? "--lang " : "");
		return ATTACHE_E_USAGE;
	}
	for (int i = 0; langs[i]; i++)
		g_ptr_array_add(v, g_strdup(langs[i]));
	return ATTACHE_OK;
}

AttacheCode
attache__prep_langs(const AttachePrepOptions *opts, gboolean cli,
	GPtrArray **out, GError **error)
{
	g_autoptr(GPtrArray) v = NULL;
	*out = NULL;
	AttacheCode code = attache__langs_parse(opts->lang, cli, &v, error);
	if (code)
		return code;
	if (v->len == 1 && g_str_equal(v->pdata[0], "all")) {
		g_ptr_array_set_size(v, 0);
		if ((code = campaign_langs(opts->campaign, cli, v, error)))
			return code;
	}
	/* none given: the campaign's own language, else none */
	const char *def = opts->campaign ? attache_campaign_default_lang(opts->campaign) : NULL;
	if (v->len == 0 && def)
		g_ptr_array_add(v, g_strdup(def));
	for (guint i = 0; i < v->len; i++) {
		const char *l = v->pdata[i];
		if (strlen(l) > ATTACHE_LANG_NAME_MAX && v->len > 1) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"%s: language \"%s\" is longer than %d characters, the most "
				"a language tag may have in an output's name",
				attache_campaign_path(opts->campaign), l,
				ATTACHE_LANG_NAME_MAX);
			return ATTACHE_E_USAGE;
		}
		if ((code = attache_campaign_check_lang(opts->campaign, l, error)))
			return code;
	}
	if (v->len == 0 && (code = attache_campaign_check_lang(opts->campaign, NULL, error)))
		return code;
	*out = g_steal_pointer(&v);
	return ATTACHE_OK;
}

char *
attache__prep_first_lang(const AttachePrepOptions *opts)
{
	g_autoptr(GPtrArray) v = NULL;
	if (attache__langs_parse(opts->lang, FALSE, &v, NULL) || v->len == 0)
		return NULL;
	if (g_str_equal(v->pdata[0], "all")) {
		const char *const *l = opts->campaign ? attache_campaign_languages(opts->campaign) : NULL;
		return l && l[0] ? g_strdup(l[0]) : NULL;
	}
	return g_strdup(v->pdata[0]);
}
