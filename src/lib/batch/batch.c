/* SPDX-License-Identifier: MIT */
/*
 * batch.c: one batch path for every caller (the CLI's prep, the hot
 * folder, a C scheduler, the coming server): files and folders in, photos
 * walked, stems made unique, the cores split, photos on a pool of
 * workers, outputs recorded and uploaded, everything reported through a
 * sink (AttacheBatchSink). It sits above upload/ (it routes uploads) and
 * below watch/ (the hot folder prepares each photo through it).
 */
#include "private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

AttacheBatchOptions *
attache_batch_options_new(void)
{
	AttacheBatchOptions *b = g_new0(AttacheBatchOptions, 1);
	b->upload_options = attache_upload_options_new();
	return b;
}

void
attache_batch_options_free(AttacheBatchOptions *b)
{
	if (!b)
		return;
	g_free(b->upload);
	g_free(b->alt_manifest);
	attache_upload_options_free(b->upload_options);
	g_free(b);
}

/* The caller's callbacks and data, never NULL inside this file. */
typedef struct {
	const AttacheBatchSink *sink;
	gpointer data;
} Sink;

static void
say(const Sink *s, AttacheBatchLevel level, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static void
say(const Sink *s, AttacheBatchLevel level, const char *fmt, ...)
{
	if (!s->sink || !s->sink->message)
		return;
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	s->sink->message(level, text, s->data);
}

/* ---- the walk (what the CLI's cli_collect_inputs() did) ---- */

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
walk(const Sink *s, const char *dir, const char *skip_real, GHashTable *own,
	GPtrArray *out, int depth)
{
	if (depth > 32)
		return;
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	if (!d) {
		say(s, ATTACHE_BATCH_ERROR, "%s: cannot open folder", dir);
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
			walk(s, path, skip_real, own, out, depth + 1);
		}
		else if (attache_is_image_name(path) && !is_own_output(own, path))
			g_ptr_array_add(out, g_steal_pointer(&path));
	}
}

/* The photos named by @args, files as given and folders walked, without
 * @skip_dir (the output folder) and its outputs. (transfer full) */
static GPtrArray *
collect_inputs(const Sink *s, const char *const *args, const char *skip_dir)
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
			walk(s, args[i], skip_real, own, out, 0);
		else if (is_own_output(own, args[i]))
			/* named, perhaps by a shell glob: say why it is left out */
			say(s, ATTACHE_BATCH_NOTE,
				"%s: skipped: an output of an earlier run (listed in "
				"%s/attache-manifest.jsonl)",
				args[i], skip_dir);
		else
			/* a file named on the command line is always tried, so a
			 * mistake gets an error instead of silence */
			g_ptr_array_add(out, g_strdup(args[i]));
	}
	return out;
}

/* Whether the output folder's manifest @m has outputs named @stem (STEM
 * .PRESET.*, at its top) made from another photo than @input: another
 * SHA-256 of the bytes (@sha: @input's, computed on first need, (transfer
 * full)), or, for a line older than input_sha256, another input path.
 * Its earlier outputs are then another photo's; a photo's own are
 * replaced (docs/prep.md). @whose: (transfer none) that photo's input. */
static gboolean
stem_taken(const AttacheManifest *m, const char *stem, const char *input,
	char **sha, const char **whose)
{
	for (guint i = 0; m && i < m->latest->len; i++) {
		const AttacheRecord *r = m->latest->pdata[i];
		if (!r->preset || strchr(r->file, '/'))
			continue;
		g_autofree char *prefix = g_strconcat(stem, ".", r->preset, ".", NULL);
		if (!g_str_has_prefix(r->file, prefix))
			continue;
		gboolean own;
		if (r->input_sha256) {
			if (!*sha)
				*sha = attache_file_sha256(input, NULL);
			own = *sha && g_str_equal(*sha, r->input_sha256);
		}
		else {
			g_autofree char *a = g_canonicalize_filename(input, NULL);
			g_autofree char *b = r->input ? g_canonicalize_filename(r->input, NULL) : NULL;
			own = b && g_str_equal(a, b);
		}
		if (!own) {
			*whose = r->input ? r->input : r->file;
			return TRUE;
		}
	}
	return FALSE;
}

/* Output names are STEM.PRESET.EXT: two photos of one batch with the same
 * stem (a/IMG_1.jpg, b/IMG_1.jpg, IMG_1.heic) would overwrite each other,
 * so later ones get -2, -3 ... in input order, which is stable; and so do
 * photos whose stem an earlier run's outputs in @out_dir carry for another
 * photo (phones reuse IMG_0001). A photo prepared again keeps its stem and
 * replaces its own outputs.
 * Returns: (transfer full) one stem per input. */
static GPtrArray *
unique_stems(const Sink *s, GPtrArray *inputs, const char *out_dir)
{
	g_autoptr(AttacheManifest) m = NULL;
	/* an unreadable manifest: no earlier outputs known, as own-outputs.c */
	attache__manifest_load(out_dir, &m, NULL);
	GPtrArray *stems = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; i < inputs->len; i++) {
		/* UTF-8 and short enough, with room for the -N (docs/prep.md) */
		g_autofree char *base = attache_output_stem(inputs->pdata[i]);
		char *stem = g_strdup(base);
		g_autofree char *sha = NULL;
		const char *whose = NULL, *earlier = NULL;
		for (int n = 2; g_hash_table_contains(seen, stem) || stem_taken(m, stem, inputs->pdata[i], &sha, &whose); n++) {
			earlier = earlier ? earlier : whose;
			g_free(stem);
			stem = g_strdup_printf("%s-%d", base, n);
		}
		if (earlier)
			say(s, ATTACHE_BATCH_WARNING,
				"%s: %s already holds outputs named \"%s.*\" of another "
				"photo (%s); this one's are named \"%s.*\"",
				(char *)inputs->pdata[i], out_dir, base, earlier, stem);
		else if (!g_str_equal(stem, base))
			say(s, ATTACHE_BATCH_WARNING,
				"%s: another photo in this batch is also called \"%s\"; "
				"its outputs are named \"%s.*\"",
				(char *)inputs->pdata[i], base, stem);
		g_hash_table_add(seen, g_strdup(stem));
		g_ptr_array_add(stems, stem);
	}
	return stems;
}

/* The name of a photo of the batch within edit distance 2 of @key (a
 * manifest's file column; a path is compared by its file name), or NULL.
 * @names: file names and stems. (transfer none) */
static const char *
near_name(GHashTable *names, const char *key)
{
	g_autofree char *base = g_path_get_basename(key);
	const char *best = NULL;
	int best_d = 3;
	GHashTableIter it;
	gpointer name;
	g_hash_table_iter_init(&it, names);
	while (g_hash_table_iter_next(&it, &name, NULL)) {
		if (strchr(name, '/'))
			continue;
		int d = (int)attache_edit_distance(base, name, 2);
		if (d < best_d || (d == best_d && best && strcmp(name, best) < 0)) {
			best = name;
			best_d = d;
		}
	}
	return best;
}

/* Rows of the alt-text manifest that name no photo of the batch: a
 * manifest usually covers more photos than one run (a day's, a
 * campaign's), so they are one count; but a row within edit distance 2 of
 * a photo's name is most likely a typo that leaves that photo without its
 * alt text, and is always named (docs/alt-text.md). */
static void
warn_unmatched_rows(const Sink *s, GHashTable *manifest, const char *path,
	GPtrArray *inputs)
{
	g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; i < inputs->len; i++) {
		const char *in = inputs->pdata[i];
		g_hash_table_add(names, g_path_get_basename(in));
		g_hash_table_add(names, attache__file_stem(in));
		g_hash_table_add(names, g_canonicalize_filename(in, NULL));
	}
	const char *label = path ? path : "the alt-text manifest";
	g_autoptr(GPtrArray) keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, rows;
	g_hash_table_iter_init(&it, manifest);
	while (g_hash_table_iter_next(&it, &key, &rows))
		if (!g_hash_table_contains(names, key))
			g_ptr_array_add(keys, key);
	g_ptr_array_sort(keys, cmp_str);
	guint others = 0;
	for (guint i = 0; i < keys->len; i++) {
		const char *k = keys->pdata[i];
		const char *near = near_name(names, k);
		if (near)
			say(s, ATTACHE_BATCH_WARNING,
				"%s: a row for \"%s\", which is not among the photos given: "
				"did you mean \"%s\"?",
				label, k, near);
		else
			others += ((GPtrArray *)g_hash_table_lookup(manifest, k))->len;
	}
	if (others)
		say(s, ATTACHE_BATCH_NOTE,
			"%s: %u %s for photos not in this run", label, others,
			others == 1 ? "row is" : "rows are");
}

/* ---- upload routing (docs/upload.md) ---- */

/* One uploader per target, made before any photo is touched, so missing
 * credentials are a usage error and not a failure per photo. */
typedef struct {
	AttacheTarget target;
	char *account; /* the campaign's [accounts] name, %NULL: the default */
	AttacheCredentials *creds;
	AttacheUploader *up;
} Upload;

static void
upload_free(Upload *u)
{
	attache_uploader_free(u->up);
	attache_credentials_free(u->creds);
	g_free(u->account);
	g_free(u);
}

/* @t's uploader for @account, made now with that account's credentials
 * (docs/upload.md, "Accounts per language"), added to @uploads. */
static gboolean
upload_add(GPtrArray *uploads, AttacheTarget t, const char *account,
	const AttacheUploadOptions *uopts, GError **error)
{
	Upload *u = g_new0(Upload, 1);
	u->target = t;
	u->account = g_strdup(account);
	g_ptr_array_add(uploads, u);
	return !attache_credentials_load_account(t, account, NULL, &u->creds, error)
		   && !attache_uploader_new(u->creds, uopts, &u->up, error);
}

/* One uploader of @t per account the run's languages go to (each
 * language's, docs/upload.md "Accounts per language"), made before any
 * photo, so that a missing account stops the run before anything is sent. */
static gboolean
uploads_for_langs(GPtrArray *uploads, AttacheTarget t,
	const AttachePrepOptions *opts, const AttacheUploadOptions *uopts,
	GError **error)
{
	g_autoptr(GPtrArray) langs = NULL;
	if (attache__prep_langs(opts, FALSE, &langs, error))
		return FALSE;
	guint n = MAX(1, langs->len);
	for (guint i = 0; i < n; i++) {
		const char *lang = i < langs->len ? langs->pdata[i] : NULL;
		const char *account = attache_campaign_account(opts->campaign, lang);
		gboolean have = FALSE;
		for (guint k = 0; k < uploads->len && !have; k++) {
			const Upload *u = uploads->pdata[k];
			have = u->target == t && g_strcmp0(u->account, account) == 0;
		}
		if (!have && !upload_add(uploads, t, account, uopts, error))
			return FALSE;
	}
	return TRUE;
}

/* Whether any preset of @opts is made for @t's platform. */
static gboolean
any_preset_for(const AttachePrepOptions *opts, AttacheTarget t)
{
	for (guint k = 0; k < opts->presets->len; k++)
		if (g_strcmp0(((AttachePreset *)opts->presets->pdata[k])->platform,
				attache_target_name(t))
			== 0)
			return TRUE;
	return FALSE;
}

/* The uploaders for a comma list of targets, each for the presets made for
 * its platform. Returns: (transfer full) Upload*, or %NULL with @error
 * (%ATTACHE_E_USAGE, or the credentials' code). */
static GPtrArray *
uploads_new(const char *list, const AttachePrepOptions *opts,
	const AttacheUploadOptions *uopts, GError **error)
{
	g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func(
		(GDestroyNotify)upload_free);
	g_auto(GStrv) parts = g_strsplit(list, ",", -1);
	for (int i = 0; parts[i]; i++) {
		char *name = g_strstrip(parts[i]);
		AttacheTarget t;
		if (!*name)
			continue;
		if (!attache_target_from_string(name, &t)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"--upload: \"%s\": expected x, mastodon or bluesky", name);
			return NULL;
		}
		if (!any_preset_for(opts, t)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"--upload %s: none of the presets given is made for %s "
				"(each output is uploaded to its own platform; add a "
				"preset such as %s)",
				name, name, attache__upload_preset(t));
			return NULL;
		}
		if (!uploads_for_langs(uploads, t, opts, uopts, error))
			return NULL;
	}
	return g_steal_pointer(&uploads);
}

/* The uploader for an output's platform and its language's account, or
 * NULL. (transfer none) */
static Upload *
upload_for(GPtrArray *uploads, const AttachePrepOptions *opts,
	const AttacheOutput *o)
{
	const char *account = attache_campaign_account(opts->campaign, o->lang);
	for (guint k = 0; uploads && k < opts->presets->len; k++) {
		const AttachePreset *p = opts->presets->pdata[k];
		if (!g_str_equal(p->name, o->preset))
			continue;
		for (guint i = 0; i < uploads->len; i++) {
			Upload *u = uploads->pdata[i];
			if (g_strcmp0(p->platform, attache_target_name(u->target)) == 0
				&& g_strcmp0(u->account, account) == 0)
				return u;
		}
	}
	return NULL;
}

/* Uploads @o when a target takes its platform. Returns: (transfer full)
 * the result, or %NULL when it is not uploaded. */
static AttacheUploadResult *
upload_output(GPtrArray *uploads, const AttachePrepOptions *opts,
	const AttacheOutput *o)
{
	Upload *u = o->code == ATTACHE_OK ? upload_for(uploads, opts, o) : NULL;
	if (!u)
		return NULL;
	const char *alt_text = o->alt && o->alt->len
							   ? ((AttacheAlt *)o->alt->pdata[0])->text
							   : NULL;
	AttacheUploadResult *r = NULL;
	attache_upload_file(u->up, o->output, alt_text, o->have_focus,
		o->focus_x, o->focus_y, &r, NULL);
	return r;
}

/* ---- one photo: prepare, record ---- */

/* The default recorder: one line per output in OUT/attache-manifest.jsonl
 * (who prepared it, when, its hash, alt text and flags; review and approve
 * read it), all or nothing, never through a link (manifest.c). */
static gboolean
manifest_record(const AttachePrepOptions *opts, const AttacheOutput *o,
	GError **error)
{
	return attache__manifest_append_output(opts->out_dir, o, error);
}

/* The default recorder's line for a photo that failed ("kind": "failure",
 * docs/json.md). The photo has failed already: a line that cannot be
 * written changes nothing about it, and its outputs, if any, are
 * recorded. */
static void
manifest_record_failure(const AttachePrepOptions *opts,
	const AttacheBatchSink *sink, const char *input, AttacheCode code,
	const char *message)
{
	if ((sink && sink->record) || !opts->write_manifest)
		return;
	attache__manifest_append_failure(opts->out_dir, input, code, message,
		opts->prepared_by, NULL);
}

/* Records each output written through @sink (or the manifest); one that
 * cannot be recorded is deleted and fails: the gate would refuse it and
 * review would not list it. *@code and @error take the first failure. */
static void
record_outputs(const AttachePrepOptions *opts, const AttacheBatchSink *sink,
	gpointer data, GPtrArray *outs, AttacheCode *code, GError **error)
{
	gboolean (*rec)(const AttacheOutput *, gpointer, GError **) = sink ? sink->record : NULL;
	if (!rec && !opts->write_manifest)
		return;
	for (guint i = 0; i < outs->len; i++) {
		AttacheOutput *o = outs->pdata[i];
		g_autoptr(GError) e = NULL;
		if (o->code != ATTACHE_OK || !o->output)
			continue;
		if (rec ? rec(o, data, &e) : manifest_record(opts, o, &e))
			continue;
		g_autofree char *msg = g_strdup_printf("%s: %s: not written, since "
											   "it could not be recorded: %s",
			o->input, o->preset, e ? e->message : "?");
		g_unlink(o->output);
		g_clear_pointer(&o->output, g_free);
		o->code = ATTACHE_E_WRITE;
		g_free(o->error);
		o->error = g_strdup(msg);
		if (*code == ATTACHE_OK) {
			*code = ATTACHE_E_WRITE;
			g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_WRITE, msg);
		}
	}
}

AttacheCode
attache__batch_photo(const AttachePrepOptions *opts, const char *input,
	const char *stem, const AttacheBatchSink *sink, gpointer data,
	GPtrArray **outputs, GError **error)
{
	/* recorded here, after the photo, through the sink */
	AttachePrepOptions o = *opts;
	o.write_manifest = FALSE;
	AttacheCode code = attache_prep_photo_as(&o, input, stem, outputs,
		error);
	record_outputs(opts, sink, data, *outputs, &code, error);
	if (code)
		manifest_record_failure(opts, sink, input, code,
			error && *error ? (*error)->message : NULL);
	return code;
}

void
attache__batch_threads(int jobs, int photos, int presets, int *jobs_out,
	int *preset_threads, int *vips_threads)
{
	int cores = (int)g_get_num_processors();
	if (jobs <= 0)
		jobs = cores;
	/* photos x outputs at once x libvips threads = cores: all busy, none
	 * oversubscribed. A lone photo makes its outputs in parallel. */
	jobs = MAX(1, MIN(jobs, photos));
	*jobs_out = jobs;
	*preset_threads = MAX(1, MIN(cores / jobs, presets));
	*vips_threads = MAX(1, cores / (jobs * *preset_threads));
}

/* ---- the pool ---- */

typedef struct {
	char *input;
	char *stem;
	GPtrArray *outputs; /* AttacheOutput* */
	AttacheCode code;
	char *error;
} Job;

typedef struct {
	const AttachePrepOptions *opts;
	const AttacheBatchSink *sink;
	gpointer data;
	GAsyncQueue *done;
	gboolean dry_run;
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
	j->code = s->dry_run ? attache__prep_photo_plan(s->opts, j->input, j->stem, &j->outputs, &error)
						 : attache__batch_photo(s->opts, j->input, j->stem, s->sink, s->data, &j->outputs, &error);
	if (error)
		j->error = g_strdup(error->message);
	g_async_queue_push(s->done, j);
}

/* Warnings (alt text, campaign) once per photo, though every output
 * carries them. */
static void
report_warnings(const Sink *s, const Job *j)
{
	if (!s->sink || !s->sink->warning)
		return;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint k = 0; j->outputs && k < j->outputs->len; k++) {
		const AttacheOutput *o = j->outputs->pdata[k];
		for (guint w = 0; o->warnings && w < o->warnings->len; w++) {
			char *msg = o->warnings->pdata[w];
			if (g_hash_table_add(seen, msg))
				s->sink->warning(j->input, msg, s->data);
		}
	}
}

/* A finished photo, on the calling thread: warnings, then each output
 * with its upload (one at a time, while the workers go on), then done. */
static void
report_photo(const Sink *s, const AttachePrepOptions *opts,
	GPtrArray *uploads, Job *j, AttacheBatchSummary *sum)
{
	report_warnings(s, j);
	gboolean no_alt = FALSE;
	for (guint k = 0; j->outputs && k < j->outputs->len; k++) {
		const AttacheOutput *o = j->outputs->pdata[k];
		no_alt |= o->code == ATTACHE_OK && attache__alt_none(o->alt);
		AttacheUploadResult *r = upload_output(uploads, opts, o);
		if (r && r->code != ATTACHE_OK)
			sum->uploads_failed++;
		if (s->sink && s->sink->output)
			s->sink->output(o, r, s->data);
		if (r)
			attache_upload_result_free(r);
		if (o->code == ATTACHE_OK)
			sum->outputs++;
	}
	if (j->code != ATTACHE_OK)
		sum->failed++;
	/* as the review page counts them: a photo with an output no screen
	 * reader can describe */
	sum->without_alt += no_alt;
	if (s->sink && s->sink->photo_done)
		s->sink->photo_done(j->input, j->code, j->error, s->data);
}

/* Prepares @inputs with @stems on @jobs workers and reports each photo as
 * it finishes. */
static void
run_pool(const Sink *s, const AttachePrepOptions *opts, int jobs,
	GPtrArray *uploads, GPtrArray *inputs, GPtrArray *stems,
	gboolean dry_run, AttacheBatchSummary *sum)
{
	Shared shared = { opts, s->sink, s->data, g_async_queue_new(), dry_run };
	AttachePool *pool = attache__pool_new(worker, &shared, jobs);
	for (guint i = 0; i < inputs->len; i++) {
		Job *j = g_new0(Job, 1);
		j->input = g_strdup(inputs->pdata[i]);
		j->stem = g_strdup(stems->pdata[i]);
		attache__pool_push(pool, j);
	}
	for (guint n = 0; n < inputs->len; n++) {
		Job *j = g_async_queue_pop(shared.done);
		report_photo(s, opts, uploads, j, sum);
		job_free(j);
	}
	attache__pool_free(pool);
	g_async_queue_unref(shared.done);
}

/* The batch with its options settled; @sum filled as it goes. */
static AttacheCode
batch_run(const Sink *s, const AttachePrepOptions *opts,
	const AttacheBatchOptions *bopts, const char *const *inputs_in,
	AttacheBatchSummary *sum, GError **error)
{
	g_autoptr(GPtrArray) uploads = NULL;
	if (opts->presets->len == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "no preset given");
		return ATTACHE_E_USAGE;
	}
	/* each preset is made in each language */
	g_autoptr(GPtrArray) langs = NULL;
	if (attache__prep_langs(opts, FALSE, &langs, error))
		return ATTACHE_E_USAGE;
	if (!bopts->dry_run && g_mkdir_with_parents(opts->out_dir, 0777) != 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: cannot create the output folder: %s", opts->out_dir,
			g_strerror(errno));
		return ATTACHE_E_WRITE;
	}
	if (bopts->upload) {
		g_autoptr(GError) e = NULL;
		uploads = uploads_new(bopts->upload, opts, bopts->upload_options, &e);
		if (!uploads) {
			AttacheCode c = (AttacheCode)e->code;
			g_propagate_error(error, g_steal_pointer(&e));
			return c;
		}
	}

	g_autoptr(GPtrArray) inputs = collect_inputs(s, inputs_in,
		opts->out_dir);
	if (inputs->len == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"prep: no photos found in the files and folders given");
		return ATTACHE_E_INPUT;
	}
	g_autoptr(GPtrArray) stems = unique_stems(s, inputs, opts->out_dir);
	if (opts->manifest)
		warn_unmatched_rows(s, opts->manifest, bopts->alt_manifest, inputs);

	int jobs, vips_threads;
	AttachePrepOptions o = *opts; /* a shallow copy: preset_threads only */
	attache__batch_threads(bopts->jobs, (int)inputs->len,
		(int)(opts->presets->len * MAX(1, langs->len)), &jobs, &o.preset_threads, &vips_threads);
	attache__concurrency_default(vips_threads);

	sum->photos = (int)inputs->len;
	if (s->sink && s->sink->started)
		s->sink->started(sum->photos, s->data);
	/* a dry run checks the targets and credentials, and uploads nothing */
	run_pool(s, &o, jobs, bopts->dry_run ? NULL : uploads, inputs, stems,
		bopts->dry_run, sum);
	return ATTACHE_OK;
}

/* Everything is borrowed; the summary is the caller's. */
AttacheCode
attache_prep_batch(const AttachePrepOptions *opts,
	const AttacheBatchOptions *bopts, const char *const *inputs,
	const AttacheBatchSink *sink, gpointer user_data,
	AttacheBatchSummary *summary, GError **error)
{
	AttacheBatchSummary sum = { 0 };
	Sink s = { sink, user_data };
	AttacheBatchOptions *defaults = NULL;
	if (!bopts)
		bopts = defaults = attache_batch_options_new();
	AttacheCode code = batch_run(&s, opts, bopts, inputs, &sum, error);
	attache_batch_options_free(defaults);
	if (summary)
		*summary = sum;
	return code;
}
