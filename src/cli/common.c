/* SPDX-License-Identifier: MIT */
/* common.c: option parsing, presets and input collection shared by the
 * sub-commands. */
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

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether @path is one of the output folder's own outputs (@own: realpaths,
 * from attache_output_folder_files()). */
static gboolean
is_own_output(GHashTable *own, const char *path)
{
	if (!own || !g_hash_table_size(own))
		return FALSE;
	char *real = realpath(path, NULL);
	gboolean yes = real && g_hash_table_contains(own, real);
	free(real);
	return yes;
}

static void
walk(const char *dir, const char *skip_real, GHashTable *own, GPtrArray *out,
	int depth)
{
	if (depth > 32)
		return;
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	if (!d) {
		cli_error("%s: cannot open folder", dir);
		return;
	}
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (n[0] != '.')
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, cmp_str);

	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir,
			(char *)names->pdata[i], NULL);
		if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			continue; /* no loops, no escaping the folder */
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			g_autofree char *real = realpath(path, NULL);
			if (skip_real && real && g_str_equal(real, skip_real))
				continue; /* our own output folder */
			walk(path, skip_real, own, out, depth + 1);
		}
		else if (attache_is_image_name(path) && !is_own_output(own, path))
			g_ptr_array_add(out, g_steal_pointer(&path));
	}
}

GPtrArray *
cli_collect_inputs(char **args, const char *skip_dir)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *skip_real = skip_dir ? realpath(skip_dir, NULL) : NULL;
	/* the output folder's own outputs are never inputs, also when it is
	 * an input folder itself (prep -o same same) */
	g_autoptr(GHashTable) own = skip_dir
									? attache_output_folder_files(skip_dir)
									: NULL;
	for (int i = 0; args && args[i]; i++) {
		if (g_file_test(args[i], G_FILE_TEST_IS_DIR))
			walk(args[i], skip_real, own, out, 0);
		else if (is_own_output(own, args[i]))
			/* named, perhaps by a shell glob: say why it is left out */
			cli_note("%s: skipped: an output of an earlier run (listed in "
					 "%s/attache-manifest.jsonl)",
				args[i], skip_dir);
		else
			/* a file named on the command line is always tried, so a
			 * mistake gets an error instead of silence */
			g_ptr_array_add(out, g_strdup(args[i]));
	}
	return out;
}
