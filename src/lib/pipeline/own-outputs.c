/* SPDX-License-Identifier: MIT */
/*
 * own-outputs.c: which files of a folder are attache's own outputs, so
 * that `attache prep -o same same` (or a folder that holds an earlier
 * run's outputs) does not prepare them again (x-landscape.x-landscape.jpg).
 * The output folder's manifest says which they are.
 */
#include "private.h"

#include <stdlib.h>

GHashTable *
attache_output_folder_files(const char *dir)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		NULL);
	g_autoptr(AttacheManifest) m = NULL;
	g_autoptr(GError) e = NULL;
	/* a manifest that cannot be read lists nothing: the inputs are then
	 * prepared, and the write of the new lines reports the trouble */
	attache__manifest_load(dir, &m, &e);
	for (guint i = 0; m && i < m->lines->len; i++) {
		const AttacheRecord *r = m->lines->pdata[i];
		g_autofree char *path = g_build_filename(dir, r->file, NULL);
		char *real = realpath(path, NULL);
		if (real) {
			g_hash_table_add(set, g_strdup(real));
			free(real);
		}
	}
	return set;
}
