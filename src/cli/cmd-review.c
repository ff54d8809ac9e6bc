/* SPDX-License-Identifier: MIT */
/*
 * cmd-review.c: `attache review DIR [-o FILE] [--embed]`, the page the
 * second person looks at before approving (docs/review.md).
 */
#include "cli.h"

#include <string.h>

int
cmd_review(int argc, char **argv)
{
	char *out = NULL, *preset_dir = NULL;
	CliArgs args = { 0 }; /* --lang (or --langs), from the option table */
	gboolean embed = FALSE, quiet = FALSE;
	int preview = 640;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
			"Where to write the page (default DIR/review.html)", "FILE" },
		{ "embed", 0, 0, G_OPTION_ARG_NONE, &embed,
			"Embed small previews, so the page travels alone", NULL },
		{ "preview-size", 0, 0, G_OPTION_ARG_INT, &preview,
			"Longest side of an embedded preview (default 640)", "PX" },
		{ "preset-dir", 0, 0, G_OPTION_ARG_FILENAME, &preset_dir,
			"Read user presets from DIR (for the alt-text limits)", "DIR" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
			"Print nothing but errors", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"DIR - write a review page for the outputs in DIR");
	cli_args_add(ctx, &args, ATTACHE_SCOPE_REVIEW);
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"A static HTML page (no script, nothing from the network) showing "
		"every output\nof every photo, its flags, alt text, audit and "
		"approval. See docs/review.md.\n"
		"Exit status: 0 written, 1 DIR has no manifest or the page cannot "
		"be written,\n2 usage error.\n");
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;

	int rc = EXIT_USAGE;
	AttachePresetSet *set = NULL;
	AttacheReviewOptions *opts = attache_review_options_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *page = NULL;

	if (argc != 2) {
		cli_error("review: give one folder (see attache review --help)");
		goto out;
	}
	if (!g_file_test(argv[1], G_FILE_TEST_IS_DIR)) {
		cli_error("%s: not a folder", argv[1]);
		rc = EXIT_SOME_FAILED;
		goto out;
	}
	if (preview < 16 || preview > 4096) {
		cli_error("--preview-size: %d: expected 16 to 4096", preview);
		goto out;
	}
	if (!(set = cli_load_presets(preset_dir)))
		goto out;
	opts->embed = embed;
	opts->preview_size = preview;
	opts->presets = set;
	const char *langs = cli_arg(&args, "lang");
	if (langs) {
		g_auto(GStrv) parts = g_strsplit(langs, ",", -1);
		GPtrArray *v = g_ptr_array_new();
		for (int i = 0; parts[i]; i++) {
			char *l = g_strstrip(parts[i]);
			if (!*l)
				continue;
			for (const char *p = l; *p; p++)
				if (!g_ascii_isalnum(*p) && *p != '-') {
					cli_error("--lang: \"%s\" is not a language tag", l);
					g_ptr_array_free(v, TRUE);
					goto out;
				}
			g_ptr_array_add(v, g_strdup(l));
		}
		g_ptr_array_add(v, NULL);
		opts->languages = (char **)g_ptr_array_free(v, FALSE);
	}

	page = out ? g_strdup(out)
			   : g_build_filename(argv[1], "review.html", NULL);
	AttacheReviewSummary sum;
	if (attache_review_write(argv[1], page, opts, &sum, &error)) {
		cli_error("%s", error->message);
		rc = EXIT_SOME_FAILED;
		goto out;
	}
	if (sum.damaged)
		cli_warn("%s: the manifest or approvals.json is damaged; the page "
				 "says where",
			argv[1]);
	if (!quiet) {
		/* the severities (docs/review.md), when there are any */
		GString *more = g_string_new(NULL);
		if (sum.blocking)
			g_string_append_printf(more, ", %d blocked", sum.blocking);
		if (sum.needs_yes)
			g_string_append_printf(more, ", %d need%s a deliberate yes", sum.needs_yes, sum.needs_yes == 1 ? "s" : "");
		if (sum.without_alt)
			g_string_append_printf(more, ", %d photo%s without alt text", sum.without_alt,
				sum.without_alt == 1 ? "" : "s");
		if (sum.failed)
			g_string_append_printf(more, ", %d photo%s failed", sum.failed, sum.failed == 1 ? "" : "s");
		cli_out("%s: %d photo%s, %d output%s, %d need%s attention, %d "
				"approved%s",
			page, sum.photos, sum.photos == 1 ? "" : "s", sum.outputs,
			sum.outputs == 1 ? "" : "s", sum.attention,
			sum.attention == 1 ? "s" : "", sum.approved, more->str);
		g_string_free(more, TRUE);
	}
	rc = EXIT_OK;

out:
	attache_review_options_free(opts);
	attache_preset_set_free(set);
	g_free(out);
	cli_args_clear(&args);
	g_free(preset_dir);
	return rc;
}
