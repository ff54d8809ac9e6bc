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
	gboolean json, quiet, dry_run;
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

/* --dry-run: the output that would be written, as a person or a JSON line
 * reads it (docs/json.md, "Dry run"). */
static void
print_planned(const Printer *p, const AttacheOutput *o)
{
	gboolean exists = o->output && g_file_test(o->output, G_FILE_TEST_EXISTS);
	if (p->json) {
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autofree char *line = attache_output_to_json(o);
		json_parser_load_from_data(parser, line, -1, NULL);
		JsonObject *obj = json_node_get_object(json_parser_get_root(parser));
		static const char *const unknown[] = { "width", "height", "bytes", "quality", "removed", "kept", "sha256",
			"focus", "faces" };
		for (guint i = 0; i < G_N_ELEMENTS(unknown); i++)
			json_object_remove_member(obj, unknown[i]);
		json_object_set_boolean_member(obj, "dry_run", TRUE);
		json_object_set_boolean_member(obj, "exists", exists);
		g_autofree char *out = json_to_string(json_parser_get_root(parser), FALSE);
		cli_out("%s", out);
	}
	else if (!p->quiet && o->code == ATTACHE_OK)
		cli_out("would write %s (%s, %s)%s", o->output, o->preset, attache_format_name(o->format),
			exists ? ": replaces the file there" : "");
}

static void
on_output(const AttacheOutput *o, const AttacheUploadResult *r, gpointer data)
{
	Printer *p = data;
	if (p->dry_run) {
		print_planned(p, o);
		if (o->code != ATTACHE_OK && g_hash_table_add(p->said, g_strdup(o->error)))
			cli_error("%s", o->error);
		return;
	}
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
	Printer p = { json, quiet, bopts->dry_run,
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
	if (!json && !quiet && bopts->dry_run) {
		g_autofree char *tail = g_strdup_printf(sum.failed ? ", %d photo%s would fail" : "", sum.failed,
			sum.failed == 1 ? "" : "s");
		cli_note("dry run: %d photo%s, %d output%s would be written in %s/%s; nothing was written", sum.photos,
			sum.photos == 1 ? "" : "s", sum.outputs, sum.outputs == 1 ? "" : "s", opts->out_dir, tail);
	}
	else if (!json && !quiet) {
		g_autofree char *tail = sum.failed
									? g_strdup_printf(", %d photo%s failed", sum.failed,
										sum.failed == 1 ? "" : "s")
									: g_strdup("");
		g_autofree char *alt = sum.without_alt
								   ? g_strdup_printf(", %d photo%s without alt text", sum.without_alt,
									   sum.without_alt == 1 ? "" : "s")
								   : g_strdup("");
		cli_note("%d photo%s, %d output%s in %s/%s%s", sum.photos,
			sum.photos == 1 ? "" : "s", sum.outputs, sum.outputs == 1 ? "" : "s",
			opts->out_dir, tail, alt);
	}
	return sum.failed			? EXIT_SOME_FAILED
		   : sum.uploads_failed ? EXIT_UPLOAD_FAILED
								: EXIT_OK;
}

int
cmd_prep(int argc, char **argv)
{
	CliArgs args = { 0 };
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"FILE|DIR... - prepare photos for social-media presets");
	cli_args_add(ctx, &args, ATTACHE_SCOPE_PREP);
	g_option_context_set_description(ctx,
		"Writes OUT/STEM.PRESET.EXT for each photo and preset.\n"
		"Exit status: 0 all done, 1 some photos failed (the others are "
		"done),\n2 usage or configuration error, 3 (with --upload) all "
		"photos done but\nsome uploads failed.\n");
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;
	gboolean json = cli_arg_flag(&args, "json");
	gboolean quiet = cli_arg_flag(&args, "quiet");
	gboolean verbose = cli_arg_flag(&args, "verbose");
	cli_set_verbose(verbose);
	/* what the batch below needs beyond the options */
	struct {
		int jobs;
		const char *upload, *alt_manifest;
	} a = { 0, cli_arg(&args, "upload"), cli_arg(&args, "alt-manifest") };

	int rc = EXIT_USAGE;
	AttachePrepOptions *opts = attache_prep_options_new();
	double jobs = 0;

	if (argc < 2) {
		cli_error("prep: no photo given (see attache prep --help)");
		goto out;
	}
	/* a box is a place in one photo: for many, each photo's own file
	 * says where (mask = in PHOTO.attache.ini) */
	if (cli_arg(&args, "mask") && (argc != 2 || g_file_test(argv[1], G_FILE_TEST_IS_DIR))) {
		cli_error("--mask: for a single photo; for several, write `mask = X,Y,W,H` in each photo's "
				  "PHOTO.attache.ini (docs/masking.md)");
		goto out;
	}
	/* every option through the library's one mapping (options-set.c) */
	if (!cli_args_to_prep_options(&args, opts) || !cli_arg_number(&args, "jobs", &jobs))
		goto out;
	if (jobs < 0) {
		cli_error("--jobs: must be 1 or more");
		goto out;
	}
	if (jobs > 4096 || jobs != (int)jobs) {
		cli_error("--jobs: \"%s\": expected a whole number of photos", cli_arg(&args, "jobs"));
		goto out;
	}
	a.jobs = jobs == 0 ? (int)g_get_num_processors() : (int)jobs;
	if (!opts->memory)
		opts->memory = attache_memory_budget_new(ATTACHE_DEFAULT_MAX_MEMORY);

	AttacheBatchOptions *bopts = attache_batch_options_new();
	bopts->jobs = a.jobs;
	bopts->upload = g_strdup(a.upload);
	bopts->alt_manifest = g_strdup(a.alt_manifest);
	bopts->dry_run = cli_arg_flag(&args, "dry-run");
	if (verbose)
		bopts->upload_options->log = upload_log;
	rc = run_batch(opts, bopts, argv + 1, json, quiet);
	attache_batch_options_free(bopts);

out:
	cli_args_clear(&args);
	attache_prep_options_free(opts);
	return rc;
}
