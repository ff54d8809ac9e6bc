/* SPDX-License-Identifier: MIT */
/* prep-args.c: the options `attache prep` and `attache watch` share,
 * declared once. */
#include "cli.h"

#include <string.h>

void
cli_prep_args_add(GOptionContext *ctx, CliPrepArgs *a)
{
	GOptionEntry entries[] = {
		{ "preset", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &a->presets,
			"Preset(s) to make, repeatable or a comma list (default "
			"x-landscape)",
			"NAME" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &a->jobs,
			"Photos prepared at once (default: number of cores)", "N" },
		{ "fit", 0, 0, G_OPTION_ARG_STRING, &a->fit,
			"Override the presets' fit: cover, contain or inside", "MODE" },
		{ "crop", 0, 0, G_OPTION_ARG_STRING, &a->crop,
			"Crop for cover: attention, entropy, centre or focus", "HOW" },
		{ "focus", 0, 0, G_OPTION_ARG_STRING, &a->focus,
			"Focus point as fractions of the oriented photo (implies "
			"--crop focus)",
			"X,Y" },
		{ "keep", 0, 0, G_OPTION_ARG_STRING, &a->keep,
			"Metadata to keep: none, or a list of credit, datetime, camera "
			"(default credit)",
			"LIST" },
		{ "max-pixels", 0, 0, G_OPTION_ARG_STRING, &a->max_pixels,
			"Refuse photos larger than this, from the header (default "
			"100MP)",
			"N" },
		{ "max-memory", 0, 0, G_OPTION_ARG_STRING, &a->max_memory,
			"Memory the photos decoded at once may use, estimated from "
			"their headers (default 512M; K, M, G)",
			"SIZE" },
		{ "preset-dir", 0, 0, G_OPTION_ARG_FILENAME, &a->preset_dir,
			"Read user presets from DIR", "DIR" },
		{ "campaign", 'c', 0, G_OPTION_ARG_FILENAME, &a->campaign,
			"Draw a campaign's logo and text layers (a .ini file, or NAME in "
			"$XDG_CONFIG_HOME/attache/campaigns/)",
			"FILE|NAME" },
		{ "lang", 0, 0, G_OPTION_ARG_STRING, &a->lang,
			"Language of the campaign's text (en, fr, es, ar, zh, ru ...)",
			"LANG" },
		{ "alt", 0, 0, G_OPTION_ARG_STRING, &a->alt,
			"Alt text for every photo without its own (x-default)", "TEXT" },
		{ "alt-file", 0, 0, G_OPTION_ARG_FILENAME, &a->alt_file,
			"Read that alt text from a UTF-8 file", "FILE" },
		{ "alt-manifest", 0, 0, G_OPTION_ARG_FILENAME, &a->alt_manifest,
			"Alt text per photo and language from a CSV file "
			"(file,lang,alt)",
			"FILE" },
		{ "require-alt", 0, 0, G_OPTION_ARG_NONE, &a->require_alt,
			"A photo without alt text is an error", NULL },
		{ "alt-long", 0, 0, G_OPTION_ARG_STRING, &a->alt_long,
			"Long description (ExtDescrAccessibility)", "TEXT" },
		{ "upload", 0, 0, G_OPTION_ARG_STRING, &a->upload,
			"Then upload each output to its platform: x, mastodon, bluesky "
			"(a comma list; see attache upload --help for credentials)",
			"TARGETS" },
		{ "by", 0, 0, G_OPTION_ARG_STRING, &a->by,
			"Who prepares (recorded for approval; default: login name)",
			"NAME" },
		{ NULL },
	};
	/* the entries are copied into the context's main group */
	g_option_context_add_main_entries(ctx, entries, NULL);
}

void
cli_prep_args_clear(CliPrepArgs *a)
{
	g_strfreev(a->presets);
	g_free(a->fit);
	g_free(a->crop);
	g_free(a->focus);
	g_free(a->keep);
	g_free(a->max_pixels);
	g_free(a->max_memory);
	g_free(a->preset_dir);
	g_free(a->campaign);
	g_free(a->lang);
	g_free(a->alt);
	g_free(a->alt_file);
	g_free(a->alt_manifest);
	g_free(a->alt_long);
	g_free(a->upload);
	g_free(a->by);
	memset(a, 0, sizeof(*a));
}

gboolean
cli_prep_args_max_memory(const CliPrepArgs *a, gint64 *out)
{
	*out = ATTACHE_DEFAULT_MAX_MEMORY;
	if (a->max_memory && !attache_size_from_string(a->max_memory, out)) {
		cli_error("--max-memory: \"%s\": expected a size (512M, 2G, "
				  "65536K)",
			a->max_memory);
		return FALSE;
	}
	return TRUE;
}
