/* SPDX-License-Identifier: MIT */
/* common.c: option parsing and presets shared by the sub-commands (the
 * inputs are walked by the library's batch, attache_prep_batch()). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

gboolean
cli_parse(GOptionContext *ctx, int *argc, char ***argv)
{
	g_autoptr(GError) error = NULL;
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
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
