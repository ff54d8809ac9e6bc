/* SPDX-License-Identifier: MIT */
/*
 * cmd-prep.c: `attache prep [OPTIONS] FILE|DIR...`, the batch loop.
 *
 * Photos go to a pool of -j workers (one photo each at a time; libvips'
 * own threads are divided among them), results come back to the main
 * thread, which alone prints. One bad photo never stops the batch.
 */
#include "cli.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	char *input;
	char *stem;
	GPtrArray *outputs; /* AttacheOutput* */
	AttacheCode code;
	char *error;
} Job;

typedef struct {
	AttachePrepOptions *opts;
	GAsyncQueue *done;
} Shared;

static void
job_free(Job *j)
{
	g_free(j->input);
	g_free(j->stem);
	if (j->outputs)
		g_ptr_array_unref(j->outputs);
	g_free(j->error);
	g_free(j);
}

static void
worker(gpointer data, gpointer user)
{
	Job *j = data;
	Shared *s = user;
	g_autoptr(GError) error = NULL;
	j->code = attache_prep_photo_as(s->opts, j->input, j->stem, &j->outputs,
		&error);
	if (error)
		j->error = g_strdup(error->message);
	g_async_queue_push(s->done, j);
}

/* Output names are STEM.PRESET.EXT: two photos of one batch with the same
 * stem (a/IMG_1.jpg, b/IMG_1.jpg, IMG_1.heic) would overwrite each other,
 * so later ones get -2, -3 ... in input order, which is stable. */
static GPtrArray *
unique_stems(GPtrArray *inputs)
{
	GPtrArray *stems = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; i < inputs->len; i++) {
		/* UTF-8 and short enough, with room for the -N (docs/prep.md) */
		g_autofree char *base = attache_output_stem(inputs->pdata[i]);
		char *stem = g_strdup(base);
		for (int n = 2; g_hash_table_contains(seen, stem); n++) {
			g_free(stem);
			stem = g_strdup_printf("%s-%d", base, n);
		}
		if (!g_str_equal(stem, base))
			cli_warn("%s: another photo in this batch is also called \"%s\"; "
					 "its outputs are named \"%s.*\"",
				(char *)inputs->pdata[i], base, stem);
		g_hash_table_add(seen, g_strdup(stem));
		g_ptr_array_add(stems, stem);
	}
	return stems;
}

/* Warnings (alt text, campaign) once per photo, though every output
 * carries them in its JSON line. */
static void
print_warnings(const Job *j)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint k = 0; j->outputs && k < j->outputs->len; k++) {
		const AttacheOutput *o = j->outputs->pdata[k];
		for (guint w = 0; o->warnings && w < o->warnings->len; w++) {
			char *msg = o->warnings->pdata[w];
			if (g_hash_table_contains(seen, msg))
				continue;
			g_hash_table_add(seen, msg);
			cli_warn("%s: %s", j->input, msg);
		}
	}
}

/* A manifest row that names no photo of the batch is most likely a typo. */
static void
warn_unmatched_rows(GHashTable *manifest, const char *path,
	GPtrArray *inputs)
{
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; i < inputs->len; i++) {
		const char *in = inputs->pdata[i];
		char *base = g_path_get_basename(in);
		char *stem = g_strdup(base);
		char *dot = strrchr(stem, '.');
		if (dot && dot != stem)
			*dot = '\0';
		g_hash_table_add(names, base);
		g_hash_table_add(names, stem);
		g_hash_table_add(names, g_canonicalize_filename(in, NULL));
	}
	GHashTableIter it;
	gpointer key;
	g_hash_table_iter_init(&it, manifest);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (!g_hash_table_contains(names, key))
			cli_warn("%s: a row for \"%s\", which is not among the photos "
					 "given",
				path, (char *)key);
}

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

/* --upload: one uploader per target, made before any photo is touched, so
 * missing credentials are a usage error and not a failure per photo. */
typedef struct {
	AttacheTarget target;
	AttacheCredentials *creds;
	AttacheUploader *up;
} Upload;

static void
upload_free(Upload *u)
{
	attache_uploader_free(u->up);
	attache_credentials_free(u->creds);
	g_free(u);
}

static void
upload_log(const char *line, gpointer data)
{
	cli_note("%s", line);
}

/* Makes the uploaders for a comma list of targets, each for the presets
 * made for its platform. FALSE (message printed) on a usage error. */
static gboolean
uploads_new(const char *list, const AttachePrepOptions *opts,
	AttacheUploadOptions *uopts, GPtrArray *uploads)
{
	g_auto(GStrv) parts = g_strsplit(list, ",", -1);
	for (int i = 0; parts[i]; i++) {
		char *name = g_strstrip(parts[i]);
		AttacheTarget t;
		g_autoptr(GError) error = NULL;
		if (!*name)
			continue;
		if (!attache_target_from_string(name, &t)) {
			cli_error("--upload: \"%s\": expected x, mastodon or bluesky",
				name);
			return FALSE;
		}
		gboolean any = FALSE;
		for (guint k = 0; k < opts->presets->len; k++)
			any |= g_strcmp0(((AttachePreset *)opts->presets->pdata[k])
								 ->platform,
					   attache_target_name(t))
				   == 0;
		if (!any) {
			cli_error("--upload %s: none of the presets given is made for %s "
					  "(each output is uploaded to its own platform; add a "
					  "preset such as %s)",
				name, name,
				t == ATTACHE_TARGET_X		   ? "x-landscape"
				: t == ATTACHE_TARGET_MASTODON ? "mastodon"
											   : "bluesky");
			return FALSE;
		}
		Upload *u = g_new0(Upload, 1);
		u->target = t;
		g_ptr_array_add(uploads, u);
		if (attache_credentials_load(t, NULL, &u->creds, &error) || attache_uploader_new(u->creds, uopts, &u->up, &error)) {
			cli_error("%s", error->message);
			return FALSE;
		}
	}
	return TRUE;
}

/* The uploader for an output's platform, or NULL. */
static Upload *
upload_for(GPtrArray *uploads, const AttachePrepOptions *opts,
	const AttacheOutput *o)
{
	for (guint k = 0; k < opts->presets->len; k++) {
		const AttachePreset *p = opts->presets->pdata[k];
		if (!g_str_equal(p->name, o->preset))
			continue;
		for (guint i = 0; i < uploads->len; i++) {
			Upload *u = uploads->pdata[i];
			if (g_strcmp0(p->platform, attache_target_name(u->target)) == 0)
				return u;
		}
	}
	return NULL;
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
	g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func(
		(GDestroyNotify)upload_free);
	AttacheUploadOptions *uopts = attache_upload_options_new();
	g_autoptr(GHashTable) said = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	g_autoptr(GPtrArray) inputs = NULL;
	g_autoptr(GPtrArray) stems = NULL;
	double jobs = 0;

	if (argc < 2) {
		cli_error("prep: no photo given (see attache prep --help)");
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

	if (g_mkdir_with_parents(opts->out_dir, 0777) != 0) {
		cli_error("%s: cannot create the output folder: %s", opts->out_dir,
			g_strerror(errno));
		goto out;
	}

	if (a.upload) {
		if (verbose)
			uopts->log = upload_log;
		if (!uploads_new(a.upload, opts, uopts, uploads))
			goto out;
	}

	inputs = cli_collect_inputs(argv + 1, opts->out_dir);
	if (inputs->len == 0) {
		cli_error("prep: no photos found in the files and folders given");
		rc = EXIT_SOME_FAILED;
		goto out;
	}
	stems = unique_stems(inputs);
	if (opts->manifest)
		warn_unmatched_rows(opts->manifest, a.alt_manifest, inputs);

	/* photos x outputs at once x libvips threads = cores: all busy, none
	 * oversubscribed. A lone photo makes its outputs in parallel. */
	a.jobs = MIN(a.jobs, (int)inputs->len);
	int cores = (int)g_get_num_processors();
	opts->preset_threads = MAX(1, MIN(cores / a.jobs, (int)opts->presets->len));
	attache_set_concurrency(MAX(1, cores / (a.jobs * opts->preset_threads)));

	Shared shared = { opts, g_async_queue_new() };
	GThreadPool *pool = g_thread_pool_new(worker, &shared, a.jobs, TRUE, NULL);
	for (guint i = 0; i < inputs->len; i++) {
		Job *j = g_new0(Job, 1);
		j->input = g_strdup(inputs->pdata[i]);
		j->stem = g_strdup(stems->pdata[i]);
		g_thread_pool_push(pool, j, NULL);
	}

	cli_progress_start((int)inputs->len, !json && !quiet);
	int failed = 0, outputs_ok = 0, uploads_failed = 0;
	for (guint n = 0; n < inputs->len; n++) {
		Job *j = g_async_queue_pop(shared.done);
		print_warnings(j);
		for (guint k = 0; j->outputs && k < j->outputs->len; k++) {
			AttacheOutput *o = j->outputs->pdata[k];
			/* uploads run here, one at a time, while the workers go on
			 * preparing the next photos */
			AttacheUploadResult *r = NULL;
			Upload *u = o->code == ATTACHE_OK
							? upload_for(uploads, opts, o)
							: NULL;
			if (u) {
				const char *alt_text = o->alt && o->alt->len
										   ? ((AttacheAlt *)o->alt->pdata[0])->text
										   : NULL;
				attache_upload_file(u->up, o->output, alt_text,
					o->have_focus, o->focus_x, o->focus_y, &r, NULL);
				if (r->code != ATTACHE_OK) {
					uploads_failed++;
					cli_error("%s", r->error);
				}
			}
			if (json) {
				g_autofree char *line = json_with_upload(o, r);
				cli_out("%s", line);
			}
			else if (!quiet) {
				print_human(o);
				if (r && r->code == ATTACHE_OK)
					cli_out("  uploaded to %s: %s", attache_target_name(r->target),
						r->media_id ? r->media_id : "blob");
			}
			if (r)
				attache_upload_result_free(r);
			if (o->code == ATTACHE_OK)
				outputs_ok++;
			else if (g_hash_table_add(said, g_strdup(o->error)))
				/* one line per distinct failure (a photo that cannot be
				 * read fails every preset alike), naming the file */
				cli_error("%s", o->error);
		}
		g_hash_table_remove_all(said);
		if (j->code != ATTACHE_OK)
			failed++;
		cli_progress_step();
		job_free(j);
	}
	cli_progress_end();
	g_thread_pool_free(pool, FALSE, TRUE);
	g_async_queue_unref(shared.done);

	if (!json && !quiet) {
		g_autofree char *tail = failed
									? g_strdup_printf(", %d photo%s failed", failed,
										failed == 1 ? "" : "s")
									: g_strdup("");
		cli_note("%u photo%s, %d output%s in %s/%s", inputs->len,
			inputs->len == 1 ? "" : "s", outputs_ok, outputs_ok == 1 ? "" : "s",
			opts->out_dir, tail);
	}
	rc = failed			  ? EXIT_SOME_FAILED
		 : uploads_failed ? EXIT_UPLOAD_FAILED
						  : EXIT_OK;

out:
	g_ptr_array_set_size(uploads, 0);
	attache_upload_options_free(uopts);
	cli_args_clear(&args);
	attache_prep_options_free(opts);
	return rc;
}
