/* SPDX-License-Identifier: MIT */
/* common.c: option parsing and presets shared by the sub-commands (the
 * inputs are walked by the library's batch, attache_prep_batch()). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The long options @ctx advertises, from its own --help text (GLib keeps
 * its entries to itself): hidden old spellings are not suggested, their
 * current names are. (transfer full) */
static GPtrArray *
advertised_options(GOptionContext *ctx)
{
	g_autofree char *help = g_option_context_get_help(ctx, FALSE, NULL);
	g_auto(GStrv) lines = g_strsplit(help, "\n", -1);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		while (*l == ' ')
			l++;
		if (l[0] == '-' && l[1] != '-' && l[1] && l[2] == ',') /* "-p, --presets" */
			l += 3;
		while (*l == ' ')
			l++;
		if (!g_str_has_prefix(l, "--") || !l[2])
			continue;
		gsize n = strcspn(l, " =\t");
		g_ptr_array_add(names, g_strndup(l, n));
	}
	g_ptr_array_add(names, NULL);
	return names;
}

/* The word of @argv that GLib's message names as the unknown option. */
static const char *
unknown_word(const GError *error, int argc, char **argv)
{
	const char *best = NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		g_autofree char *name = g_strndup(argv[i], strcspn(argv[i], "="));
		if (g_str_has_prefix(name, "--") && strstr(error->message, name) && (!best || strlen(name) > strlen(best)))
			best = argv[i];
	}
	return best;
}

gboolean
cli_parse(GOptionContext *ctx, int *argc, char ***argv)
{
	g_autoptr(GError) error = NULL;
	/* kept: GLib takes the words it parsed out of argv */
	g_auto(GStrv) words = g_strdupv(*argv);
	int n = *argc;
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		const char *word = NULL, *near = NULL;
		g_autoptr(GPtrArray) names = NULL;
		if (g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION)
			&& (word = unknown_word(error, n, words))) {
			names = advertised_options(ctx);
			g_autofree char *name = g_strndup(word, strcspn(word, "="));
			near = attache_suggest(name, (const char *const *)names->pdata, -1);
		}
		if (near)
			cli_error("%s; did you mean %s? (see --help)", error->message, near);
		else
			cli_error("%s (see --help)", error->message);
		return FALSE;
	}
	return TRUE;
}

AttachePresetSet *
cli_load_presets(const char *preset_dir)
{
	AttachePresetSet *set = NULL;
	g_autoptr(GError) error = NULL;
	if (attache_preset_set_load(NULL, preset_dir, &set, &error)) {
		cli_error("%s", error->message);
		return NULL;
	}
	return set;
}
