/* SPDX-License-Identifier: MIT */
/* cmd-presets.c: `attache presets [NAME]`. */
#include "cli.h"

#include <stdio.h>

int
cmd_presets(int argc, char **argv)
{
	char *preset_dir = NULL;
	GOptionEntry entries[] = {
		{ "preset-dir", 0, 0, G_OPTION_ARG_FILENAME, &preset_dir,
			"Read user presets from DIR (default "
			"$XDG_CONFIG_HOME/attache/presets)",
			"DIR" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[NAME] - list the presets, or show one");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;

	AttachePresetSet *set = cli_load_presets(preset_dir);
	g_free(preset_dir);
	if (!set)
		return EXIT_USAGE;

	int rc = EXIT_OK;
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			g_autoptr(GError) error = NULL;
			const AttachePreset *p = attache_preset_set_lookup(set, argv[i],
				&error);
			if (!p) {
				cli_error("%s", error->message);
				rc = EXIT_USAGE;
				continue;
			}
			g_autofree char *s = attache_preset_to_string(p);
			/* line by line: a message's own newlines are escaped */
			g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
			for (int k = 0; lines[k]; k++)
				if (*lines[k] || lines[k + 1])
					cli_out("%s", lines[k]);
		}
	}
	else {
		g_autoptr(GPtrArray) all = attache_preset_set_list(set);
		for (guint i = 0; i < all->len; i++) {
			const AttachePreset *p = all->pdata[i];
			g_autofree char *size = g_format_size((guint64)p->max_bytes);
			/* a pixel budget without a box: its megapixels */
			g_autofree char *box = p->width > 0 ? g_strdup_printf("%5dx%-5d", p->width, p->height)
												: g_strdup_printf("%8.1fMP", p->fit_pixels / 1e6);
			cli_out("%-20s %-11s %-7s %-4s %9s  %s", p->name, box, attache_fit_name(p->fit),
				attache_format_extension(p->format), size, p->description);
		}
	}
	attache_preset_set_free(set);
	return rc;
}
