/* SPDX-License-Identifier: MIT */
/*
 * own-outputs.c: which files of a folder are attache's own outputs, so
 * that `attache prep -o same same` (or a folder that holds an earlier
 * run's outputs) does not prepare them again (x-landscape.x-landscape.jpg).
 * The output folder's manifest says which they are, and so whether an
 * output already there is this photo's own (replaced) or another run's
 * (never replaced silently).
 */
#include "private.h"

#include <stdlib.h>
#include <sys/stat.h>

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

/* "IMG_0001.jpg in fr, campaign demo": what tells outputs apart.
 * (transfer full) */
static char *
describe(const char *input, const char *lang, const char *campaign)
{
	g_autofree char *base = input ? g_path_get_basename(input) : g_strdup("an unrecorded photo");
	g_autofree char *shown = attache_display_name(base);
	return g_strdup_printf("%s in %s, %s%s", shown, lang ? lang : "no language",
		campaign ? "campaign " : "no campaign", campaign ? campaign : "");
}

/* Whether record @r is an output of the photo, language and campaign of
 * @o. The photo is its bytes (input_sha256); a line written before that
 * was recorded is compared by the photo's path as given. */
static gboolean
same_run_kind(const AttacheRecord *r, const AttacheOutput *o)
{
	gboolean same_photo = r->input_sha256 && o->input_sha256
							  ? g_str_equal(r->input_sha256, o->input_sha256)
							  : g_strcmp0(r->input, o->input) == 0;
	gboolean same_lang = (!r->lang && !o->lang) || (r->lang && o->lang && !g_ascii_strcasecmp(r->lang, o->lang));
	return same_photo && same_lang && g_strcmp0(r->campaign, o->campaign) == 0;
}

AttacheCode
attache__output_may_replace(const char *dir, const char *name,
	const AttacheOutput *o, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autofree char *shown = attache_display_name(path);
	struct stat st;
	if (lstat(path, &st) != 0)
		return ATTACHE_OK; /* nothing there (or the write says why) */

	g_autoptr(AttacheManifest) m = NULL;
	const AttacheRecord *r = NULL;
	if (S_ISREG(st.st_mode) && attache__manifest_load(dir, &m, NULL) == ATTACHE_OK)
		r = attache__manifest_latest(m, name);
	if (!r) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s is already there and is not an output the folder's "
			"attache-manifest.jsonl records: not replaced (move it away, or "
			"choose another output folder)",
			shown);
		return ATTACHE_E_WRITE;
	}
	if (same_run_kind(r, o))
		return ATTACHE_OK; /* its own earlier output: replaced */
	g_autofree char *theirs = describe(r->input, r->lang, r->campaign);
	g_autofree char *ours = describe(o->input, o->lang, o->campaign);
	g_autofree char *hint = r->lang && o->lang && g_ascii_strcasecmp(r->lang, o->lang)
								? g_strdup_printf("prepare every language in one run (--lang %s,%s) or use "
												  "another output folder",
									r->lang, o->lang)
								: g_strdup("use another output folder, or move the earlier one away");
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
		"%s is already there, made from %s (manifest line %d); not replaced "
		"by this output of %s: %s",
		shown, theirs, r->line, ours, hint);
	return ATTACHE_E_WRITE;
}
