/* SPDX-License-Identifier: MIT */
/*
 * cmd-prep.c: `attache prep [OPTIONS] FILE|DIR...`: options in, the
 * library's batch (attache_prep_batch(): walk, stems, workers, uploads,
 * the manifest), and a sink that prints what it reports, on this thread
 * alone. One bad photo never stops the batch.
 */
#include "cli.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
print_human(const AttacheOutput *o)
{
	if (o->code != ATTACHE_OK)
		return;
	g_autofree char *size = g_format_size((guint64)o->bytes);
	g_autofree char *flags = attache_flags_to_string(o->flags);
	cli_out("%s  %dx%d  %s  %s q%d%s%s", o->output, o->width, o->height, size,
		attache_format_name(o->format), o->quality, *flags ? "  " : "",
		flags);
}

/* The output's JSON line with its upload result as member "upload". */
static char *
json_with_upload(const AttacheOutput *o, const AttacheUploadResult *r)
{
	g_autofree char *line = attache_output_to_json(o);
	if (!r)
		return g_steal_pointer(&line);
	g_autofree char *up = attache_upload_result_to_json(r);
	g_autoptr(JsonParser) a = json_parser_new();
	g_autoptr(JsonParser) b = json_parser_new();
	if (!json_parser_load_from_data(a, line, -1, NULL) || !json_parser_load_from_data(b, up, -1, NULL))
		return g_steal_pointer(&line);
	JsonObject *obj = json_node_get_object(json_parser_get_root(a));
	json_object_set_member(obj, "upload",
		json_node_copy(json_parser_get_root(b)));
	return json_to_string(json_parser_get_root(a), FALSE);
}

/* What the sink prints with. */
typedef struct {
	gboolean json, quiet;
	GHashTable *said; /* distinct failures of the photo at hand */
} Printer;

static void
on_message(AttacheBatchLevel level, const char *text, gpointer data)
{
	if (level == ATTACHE_BATCH_ERROR)
		cli_error("%s", text);
	else if (level == ATTACHE_BATCH_WARNING)
		cli_warn("%s", text);
	else
		cli_note("%s", text);
}

static void
on_started(int photos, gpointer data)
{
	Printer *p = data;
	cli_progress_start(photos, !p->json && !p->quiet);
}

static void
on_warning(const char *input, const char *text, gpointer data)
{
	cli_warn("%s: %s", input, text);
}

static void
on_output(const AttacheOutput *o, const AttacheUploadResult *r, gpointer data)
{
	Printer *p = data;
	if (r && r->code != ATTACHE_OK)
		cli_error("%s", r->error);
	if (p->json) {
		g_autofree char *line = json_with_upload(o, r);
		cli_out("%s", line);
	}
	else if (!p->quiet) {
		print_human(o);
		if (r && r->code == ATTACHE_OK)
			cli_out("  uploaded to %s: %s", attache_target_name(r->target),
				r->media_id ? r->media_id : "blob");
	}
	/* one line per distinct failure (a photo that cannot be read fails
	 * every preset alike), naming the file */
	if (o->code != ATTACHE_OK && g_hash_table_add(p->said, g_strdup(o->error)))
		cli_error("%s", o->error);
}

static void
on_photo_done(const char *input, AttacheCode code, const char *message,
	gpointer data)
{
	Printer *p = data;
	g_hash_table_remove_all(p->said);
	cli_progress_step();
}

static void
upload_log(const char *line, gpointer data)
{
	cli_note("%s", line);
}

/* Runs the batch with the printing sink; the exit status. */
static int
run_batch(const AttachePrepOptions *opts, AttacheBatchOptions *bopts,
	char **inputs, gboolean json, gboolean quiet)
{
	static const AttacheBatchSink sink = { on_message, on_started, NULL,
		on_warning, on_output, on_photo_done };
	Printer p = { json, quiet,
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
	AttacheBatchSummary sum;
	g_autoptr(GError) error = NULL;
	AttacheCode code = attache_prep_batch(opts, bopts,
		(const char *const *)inputs, &sink, &p, &sum, &error);
	cli_progress_end();
	g_hash_table_unref(p.said);
	if (code) {
		cli_error("%s", error->message);
		/* no photo found: a batch with nothing done; else configuration */
		return code == ATTACHE_E_INPUT ? EXIT_SOME_FAILED : EXIT_USAGE;
	}
	if (!json && !quiet) {
		g_autofree char *tail = sum.failed
									? g_strdup_printf(", %d photo%s failed", sum.failed,
										sum.failed == 1 ? "" : "s")
									: g_strdup("");
		cli_note("%d photo%s, %d output%s in %s/%s", sum.photos,
			sum.photos == 1 ? "" : "s", sum.outputs, sum.outputs == 1 ? "" : "s",
			opts->out_dir, tail);
	}
	return sum.failed			? EXIT_SOME_FAILED
		   : sum.uploads_failed ? EXIT_UPLOAD_FAILED
								: EXIT_OK;
}

int
cmd_prep(int argc, char **argv)
{
	CliPrepArgs a = { 0 };
	char *out_dir = NULL;
	gboolean json = FALSE, quiet = FALSE, verbose = FALSE;

	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
			"Output folder (default ./out)", "DIR" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
			"One JSON object per output on stdout", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
			"Print nothing but errors", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
			"Say more about each step", NULL },
		{ NULL },
	};

	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"FILE|DIR... - prepare photos for social-media presets");
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_prep_args_add(ctx, &a);
	g_option_context_set_description(ctx,
		"Writes OUT/STEM.PRESET.EXT for each photo and preset.\n"
		"Exit status: 0 all done, 1 some photos failed (the others are "
		"done),\n2 usage or configuration error, 3 (with --upload) all "
		"photos done but\nsome uploads failed.\n");
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;
	cli_set_verbose(verbose);

	int rc = EXIT_USAGE;
	AttachePrepOptions *opts = attache_prep_options_new();
	AttachePresetSet *set = NULL;
	g_autoptr(GError) error = NULL;

	if (argc < 2) {
		cli_error("prep: no photo given (see attache prep --help)");
		goto out;
	}
	if (!(set = cli_load_presets(a.preset_dir)))
		goto out;

	/* presets: repeatable and comma lists, duplicates dropped */
	{
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash,
			g_str_equal);
		char *def[] = { (char *)"x-landscape", NULL };
		char **list = a.presets ? a.presets : def;
		for (int i = 0; list[i]; i++) {
			g_auto(GStrv) parts = g_strsplit(list[i], ",", -1);
			for (int k = 0; parts[k]; k++) {
				char *name = g_strstrip(parts[k]);
				if (!*name || g_hash_table_contains(seen, name))
					continue;
				const AttachePreset *p = attache_preset_set_lookup(set, name,
					&error);
				if (!p) {
					cli_error("%s", error->message);
					goto out;
				}
				g_hash_table_add(seen, (char *)p->name);
				attache_prep_options_add_preset(opts, p);
			}
		}
	}

	if (out_dir) {
		g_free(opts->out_dir);
		opts->out_dir = g_strdup(out_dir);
	}
	if (a.fit) {
		AttacheFit f;
		if (!attache_fit_from_string(a.fit, &f)) {
			cli_error("--fit: \"%s\": expected cover, contain or inside", a.fit);
			goto out;
		}
		opts->fit = f;
	}
	if (a.crop) {
		AttacheCrop c;
		if (!attache_crop_from_string(a.crop, &c)) {
			cli_error("--crop: \"%s\": expected attention, entropy, centre "
					  "or focus",
				a.crop);
			goto out;
		}
		opts->crop = c;
		if (c == ATTACHE_CROP_FOCUS && !a.focus) {
			cli_error("--crop focus needs --focus X,Y");
			goto out;
		}
	}
	if (a.focus) {
		if (!attache_focus_from_string(a.focus, &opts->focus_x, &opts->focus_y)) {
			cli_error("--focus: \"%s\": expected X,Y with each between 0 and "
					  "1 (fractions of the photo's width and height)",
				a.focus);
			goto out;
		}
		opts->have_focus = TRUE;
	}
	if (a.keep && attache_keep_from_string(a.keep, &opts->keep, &error)) {
		cli_error("%s", error->message);
		goto out;
	}
	if (a.max_pixels && !attache_pixels_from_string(a.max_pixels, &opts->max_pixels)) {
		cli_error("--max-pixels: \"%s\": expected a number of pixels or "
				  "megapixels (100MP)",
			a.max_pixels);
		goto out;
	}
	/* alt text and campaign: checked in full before any photo */
	if (a.alt && a.alt_file) {
		cli_error("--alt and --alt-file both give the alt text for every "
				  "photo: use one");
		goto out;
	}
	if (a.alt) {
		g_autofree char *t = g_strstrip(g_strdup(a.alt));
		if (attache_alt_validate(t, "--alt", &error)) {
			cli_error("%s", error->message);
			goto out;
		}
		opts->alt_text = g_steal_pointer(&t);
	}
	if (a.alt_file && attache_alt_read_file(a.alt_file, &opts->alt_text, &error)) {
		cli_error("--alt-file: %s", error->message);
		goto out;
	}
	if (a.alt_long) {
		g_autofree char *t = g_strstrip(g_strdup(a.alt_long));
		if (attache_alt_validate(t, "--alt-long", &error)) {
			cli_error("%s", error->message);
			goto out;
		}
		opts->alt_long = g_steal_pointer(&t);
	}
	if (a.alt_manifest && attache_alt_manifest_load(a.alt_manifest, &opts->manifest, &error)) {
		cli_error("--alt-manifest: %s", error->message);
		goto out;
	}
	opts->require_alt = a.require_alt;
	if (a.campaign && attache_campaign_load(a.campaign, set, &opts->campaign, &error)) {
		cli_error("%s", error->message);
		goto out;
	}
	if (a.lang || opts->campaign) {
		if (attache_campaign_check_lang(opts->campaign, a.lang, &error)) {
			cli_error("%s", error->message);
			goto out;
		}
		opts->lang = g_strdup(a.lang);
	}
	opts->prepared_by = g_strdup(a.by ? a.by : g_get_user_name());
	if (a.jobs < 0) {
		cli_error("--jobs: must be 1 or more");
		goto out;
	}
	if (a.jobs == 0)
		a.jobs = (int)g_get_num_processors();
	{
		gint64 budget;
		if (!cli_prep_args_max_memory(&a, &budget))
			goto out;
		opts->memory = attache_memory_budget_new(budget);
	}

	AttacheBatchOptions *bopts = attache_batch_options_new();
	bopts->jobs = a.jobs;
	bopts->upload = g_strdup(a.upload);
	bopts->alt_manifest = g_strdup(a.alt_manifest);
	if (verbose)
		bopts->upload_options->log = upload_log;
	rc = run_batch(opts, bopts, argv + 1, json, quiet);
	attache_batch_options_free(bopts);

out:
	cli_prep_args_clear(&a);
	attache_prep_options_free(opts);
	attache_preset_set_free(set);
	g_free(out_dir);
	return rc;
}
