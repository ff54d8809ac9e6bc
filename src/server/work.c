/* SPDX-License-Identifier: MIT */
/*
 * work.c: the worker pool. Each photo is prepared through the library's
 * batch path (attache_prep_batch(), one call per photo) with a database
 * sink: each output is recorded in its slot as it is written, into a fresh
 * folder DATA/outputs/PHOTO/vN.XXXXXX (with the page's preview, one more
 * preset of the same decode), so a kill mid-photo leaves only
 * whole files, and the restart prepares that version again. The state the
 * queue shows is worked out here from the outputs, their reviews and
 * media (docs/http-api.md, "Ids and states").
 */
#include "server-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	JobKind kind;
	char *id;
	gint64 media_row;
	char *target;
} Job;

static void
job_free(Job *j)
{
	g_free(j->id);
	g_free(j->target);
	g_free(j);
}

static const char preview_ini[] = "# The desk's preview: the whole photo, stripped, for the focus click\n"
								  "[preset]\ndescription=desk preview\nplatform=desk\n\n"
								  "[fit]\nwidth=1280\nheight=1280\nmode=inside\n\n"
								  "[encode]\nformat=jpeg\nmax-bytes=2000000\nquality-max=80\nquality-min=50\n";

AttacheCode
work_start(Server *s, GError **error)
{
	s->preview_preset = g_build_filename(s->data, "desk-preview.ini", NULL);
	if (attache_write_atomic(s->preview_preset, preview_ini, strlen(preview_ini), error))
		return ATTACHE_E_WRITE;
	int n = s->opts.jobs > 0 ? s->opts.jobs : (int)g_get_num_processors();
	/* photos in parallel, one libvips thread each (set before any batch) */
	attache_set_concurrency(1);
	GError *e = NULL;
	/* a job still queued when the server stops is dropped, and freed by
	 * work_stop(): GLib frees a freed pool's items in its last thread, which
	 * may not run before the process ends (make asan found them leaked); the
	 * database still says what was left, and work_resume() takes
	 * unfinished photos up at the next start */
	s->jobs = g_hash_table_new_full(g_direct_hash, g_direct_equal, (GDestroyNotify)job_free, NULL);
	s->pool = g_thread_pool_new(work_pool_run, s, MAX(n, 1), FALSE, &e);
	if (!s->pool) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL, "cannot start the workers: %s", e->message);
		g_error_free(e);
		return ATTACHE_E_INTERNAL;
	}
	return ATTACHE_OK;
}

/* Queues @j (transfer full: s->jobs holds it until it has run). */
static void
job_push(Server *s, Job *j)
{
	g_mutex_lock(&s->lock);
	g_hash_table_add(s->jobs, j);
	g_mutex_unlock(&s->lock);
	g_thread_pool_push(s->pool, j, NULL);
}

void
work_stop(Server *s)
{
	/* the running jobs end first; the queued ones are dropped */
	if (s->pool)
		g_thread_pool_free(s->pool, TRUE, TRUE);
	s->pool = NULL;
	if (s->jobs)
		g_hash_table_unref(s->jobs);
	s->jobs = NULL;
}

void
work_queue_prep(Server *s, const char *photo)
{
	g_mutex_lock(&s->lock);
	gboolean queued = g_hash_table_contains(s->preparing, photo);
	if (!queued)
		g_hash_table_add(s->preparing, g_strdup(photo));
	g_mutex_unlock(&s->lock);
	if (queued)
		return;
	Job *j = g_new0(Job, 1);
	j->kind = JOB_PREP;
	j->id = g_strdup(photo);
	job_push(s, j);
}

void
work_queue_publish(Server *s, const char *output, gint64 media_row, const char *target)
{
	Job *j = g_new0(Job, 1);
	j->kind = JOB_PUBLISH;
	j->id = g_strdup(output);
	j->media_row = media_row;
	j->target = g_strdup(target);
	job_push(s, j);
}

/* ---- the options of a photo ---- */

static gboolean
campaign_name_ok(const char *v)
{
	if (!*v || strlen(v) > 64)
		return FALSE;
	for (const char *p = v; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
			return FALSE;
	return TRUE;
}

/* The upload's `protect`: true (the page's tick box) is faces, false is
 * nothing asked (a campaign may still require it); else the library's own
 * words (faces, text, faces,text). */
static const char *
protect_words(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };
	for (guint i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (!g_ascii_strcasecmp(v, yes[i]))
			return "faces";
		if (!g_ascii_strcasecmp(v, no[i]))
			return NULL;
	}
	return v;
}

AttacheCode
work_prep_options(Server *s, JsonObject *o, const char *stem, const char *out_dir, const char *by,
	AttachePrepOptions **out, char **field, GError **error)
{
	g_autoptr(GError) e = NULL;
	AttachePrepOptions *opts = attache_prep_options_new();
	const char *presets = json_str(o, "presets") ? json_str(o, "presets") : s->presets;
	static const char *const keys[] = { "campaign", "lang", "alt", "focus", "protect", "mask", "unmask" };
	*field = NULL;
	if (s->preset_dir && attache_prep_options_set(opts, "preset-dir", s->preset_dir, &e))
		*field = g_strdup("preset-dir");
	if (!*field && presets && attache_prep_options_set(opts, "presets", presets, &e))
		*field = g_strdup("presets");
	for (guint i = 0; !*field && i < G_N_ELEMENTS(keys); i++) {
		const char *v = json_str(o, keys[i]);
		if (v && !strcmp(keys[i], "protect"))
			v = protect_words(v);
		if (!v)
			continue;
		if (!strcmp(keys[i], "campaign") && !campaign_name_ok(v))
			g_set_error(&e, ATTACHE_ERROR, ATTACHE_E_USAGE, "campaign: \"%s\" is not a campaign name", v);
		else
			attache_prep_options_set(opts, keys[i], v, &e);
		if (e)
			*field = g_strdup(keys[i]);
	}
	/* alt.LANG: the photo's own alt text per language, by its stem */
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)attache_alt_free);
	g_autoptr(GList) members = json_object_get_members(o);
	for (GList *l = members; l && !*field; l = l->next) {
		const char *k = l->data, *v = json_str(o, k);
		if (!g_str_has_prefix(k, "alt.") || !v || !*v)
			continue;
		if (attache_alt_validate(v, k, &e)) {
			*field = g_strdup(k);
			break;
		}
		AttacheAlt *a = g_new0(AttacheAlt, 1);
		a->lang = g_strdup(k + 4);
		a->text = g_strdup(v);
		g_ptr_array_add(rows, a);
	}
	opts->manifest = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_hash_table_insert(opts->manifest, g_strdup(stem), rows);
	opts->write_manifest = FALSE;
	if (!*field) {
		attache_prep_options_set(opts, "out", out_dir, NULL);
		attache_prep_options_set(opts, "by", by, NULL);
		if (attache_prep_options_finish(opts, &e))
			*field = g_strdup("options");
	}
	if (*field) {
		g_propagate_error(error, g_steal_pointer(&e));
		attache_prep_options_free(opts);
		return ATTACHE_E_USAGE;
	}
	*out = opts;
	return ATTACHE_OK;
}

/* ---- one photo ---- */

typedef struct {
	Server *s;
	const char *photo, *actor;
	int version;
	AttacheCode code;
	char *message;
	int outputs;
	gboolean preview; /* recorded in this run */
} PrepRun;

#define PREVIEW "desk-preview"

static gboolean
record_output(const AttacheOutput *out, gpointer data, GError **error)
{
	PrepRun *r = data;
	if (!strcmp(out->preset, PREVIEW)) {
		/* the page's preview, made from the same decode (the first
		 * language's: the whole photo looks the same in each) */
		if (!r->preview)
			db_photo_set_preview(r->s->db, r->photo, out->output, out->sha256);
		r->preview = TRUE;
		return TRUE;
	}
	const char *lang = out->lang ? out->lang : "";
	g_autofree char *id = db_output_id(r->s->db, r->photo, out->preset, lang);
	if (!id) {
		g_autofree char *hex = auth_random_hex(16);
		id = g_strconcat("o_", hex, NULL);
	}
	g_autofree char *json = attache_output_to_json(out);
	if (db_output_put(r->s->db, id, r->photo, out->preset, lang, out->output, out->sha256, json, r->version, r->actor, error))
		return FALSE;
	r->outputs++;
	return TRUE;
}

static void
photo_done(const char *input, AttacheCode code, const char *message, gpointer data)
{
	PrepRun *r = data;
	if (code && !r->code) {
		r->code = code;
		r->message = g_strdup(message);
	}
}

static void
batch_message(AttacheBatchLevel level, const char *text, gpointer data)
{
	PrepRun *r = data;
	if (level == ATTACHE_BATCH_ERROR && !r->message)
		r->message = g_strdup(text);
}

/* Removes DIR's version folders other than @keep (whole files only: a
 * reader that has one open keeps it). */
static void
prune_versions(const char *dir, const char *keep)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		if (!strcmp(name, keep) || name[0] != 'v')
			continue;
		g_autofree char *sub = g_build_filename(dir, name, NULL);
		g_autoptr(GDir) sd = g_dir_open(sub, 0, NULL);
		const char *f;
		while (sd && (f = g_dir_read_name(sd))) {
			g_autofree char *p = g_build_filename(sub, f, NULL);
			g_unlink(p);
		}
		g_rmdir(sub);
	}
}

static void
run_prep(Server *s, const char *photo)
{
	g_autoptr(JsonObject) row = db_photo_get(s->db, photo);
	if (!row)
		return;
	PrepRun r = { s, photo, json_object_get_string_member(row, "actor"), (int)json_object_get_int_member(row, "version") };
	g_autofree char *original = g_strdup_printf("%s/originals/%s.%s", s->data, photo, json_object_get_string_member(row, "ext"));
	g_autofree char *pdir = g_build_filename(s->data, "outputs", photo, NULL);
	g_autofree char *tmpl = g_strdup_printf("%s/v%d.XXXXXX", pdir, r.version);
	g_mkdir_with_parents(pdir, 0700);
	g_autoptr(JsonParser) jp = json_parser_new();
	json_parser_load_from_data(jp, json_object_get_string_member(row, "options"), -1, NULL);
	JsonObject *options = JSON_NODE_HOLDS_OBJECT(json_parser_get_root(jp)) ? json_node_get_object(json_parser_get_root(jp)) : NULL;
	g_autoptr(GError) e = NULL;
	g_autofree char *field = NULL;
	AttachePrepOptions *opts = NULL;
	const char *code = NULL; /* the failure's stable name, when not r.code's */
	if (json_object_get_int_member(row, "original_gone")) {
		r.message = g_strdup("the original was deleted after the days --keep-originals gives: it cannot be prepared again");
		code = "original-deleted";
	}
	else if (!g_mkdtemp(tmpl)) {
		r.message = g_strdup_printf("%s: cannot make the folder: %s", tmpl, g_strerror(errno));
		r.code = ATTACHE_E_WRITE;
	}
	else if (!options || work_prep_options(s, options, photo, tmpl, r.actor, &opts, &field, &e)) {
		r.message = g_strdup(e ? e->message : "the photo's options are damaged");
		r.code = e && e->domain == ATTACHE_ERROR ? (AttacheCode)e->code : ATTACHE_E_USAGE;
	}
	AttachePreset *preview = NULL;
	if (opts && !attache_preset_load_file(s->preview_preset, &preview, NULL)) {
		attache_prep_options_add_preset(opts, preview);
		attache_preset_free(preview);
	}
	if (opts) {
		AttacheBatchOptions *b = attache_batch_options_new();
		b->jobs = 1;
		AttacheBatchSink sink = { .message = batch_message, .record = record_output, .photo_done = photo_done };
		const char *inputs[] = { original, NULL };
		AttacheBatchSummary sum = { 0 };
		if (attache_prep_batch(opts, b, inputs, &sink, &r, &sum, &e) && !r.message) {
			r.message = g_strdup(e->message);
			if (!r.code)
				r.code = e->domain == ATTACHE_ERROR ? (AttacheCode)e->code : ATTACHE_E_INTERNAL;
		}
		attache_batch_options_free(b);
		attache_prep_options_free(opts);
		if (!r.message && sum.failed)
			r.message = g_strdup("the photo could not be prepared");
	}
	if (r.message && strstr(r.message, original)) {
		/* the original's path means nothing to the page: name the photo */
		g_auto(GStrv) parts = g_strsplit(r.message, original, -1);
		g_free(r.message);
		r.message = g_strjoinv(json_object_get_string_member(row, "name"), parts);
	}
	if (r.message && !code)
		code = attache_code_name(r.code ? r.code : ATTACHE_E_INTERNAL);
	if (r.message && !r.outputs) {
		db_photo_finish(s->db, photo, r.version, "failed", r.message, code);
		db_event_add(s->db, photo, NULL, r.actor, "failed", NULL, r.message, "failed");
		state_notify(s, photo, r.actor, "failed");
		server_log(s, "photo %s failed: %s", photo, r.message);
	}
	else {
		db_outputs_prune(s->db, photo, r.version);
		g_autofree char *keep = g_path_get_basename(tmpl);
		prune_versions(pdir, keep);
		db_photo_finish(s->db, photo, r.version, NULL, r.message, code);
		db_event_add(s->db, photo, NULL, r.actor, "prepared", NULL, r.message, NULL);
	}
	g_free(r.message);
	work_photo_refresh(s, photo, r.actor);
}

void
work_pool_run(gpointer data, gpointer server)
{
	Job *j = data;
	Server *s = server;
	if (j->kind == JOB_PREP) {
		run_prep(s, j->id);
		g_mutex_lock(&s->lock);
		g_hash_table_remove(s->preparing, j->id);
		g_mutex_unlock(&s->lock);
		/* a change made while it ran starts the next version */
		g_autoptr(GPtrArray) left = db_photos_unfinished(s->db);
		for (guint i = 0; i < left->len; i++)
			if (!strcmp(left->pdata[i], j->id))
				work_queue_prep(s, j->id);
	}
	else
		work_publish(s, j->id, j->media_row, j->target);
	g_mutex_lock(&s->lock);
	g_hash_table_remove(s->jobs, j);
	g_mutex_unlock(&s->lock);
}

void
work_resume(Server *s)
{
	db_media_orphans_unknown(s->db);
	g_autoptr(GPtrArray) ids = db_photos_unfinished(s->db);
	for (guint i = 0; i < ids->len; i++)
		work_queue_prep(s, ids->pdata[i]);
	if (ids->len)
		server_log(s, "%u photo(s) accepted before the last stop are prepared now", ids->len);
	work_prune_originals(s);
}

static gboolean
prune_daily(gpointer data)
{
	work_prune_originals(data);
	return G_SOURCE_CONTINUE;
}

void
work_prune_originals(Server *s)
{
	static gboolean timer;
	if (s->keep_days <= 0)
		return;
	if (!timer) {
		timer = TRUE;
		g_timeout_add_seconds(3600, prune_daily, s);
	}
	gint64 before = g_get_real_time() / G_USEC_PER_SEC - (gint64)s->keep_days * 86400;
	g_autoptr(GPtrArray) ids = db_photos_original_older(s->db, before);
	for (guint i = 0; i < ids->len; i++) {
		g_autoptr(JsonObject) row = db_photo_get(s->db, ids->pdata[i]);
		g_autofree char *p = g_strdup_printf("%s/originals/%s.%s", s->data, (char *)ids->pdata[i], json_object_get_string_member(row, "ext"));
		if (g_unlink(p) == 0 || errno == ENOENT) {
			db_photo_original_gone(s->db, ids->pdata[i]);
			db_event_add(s->db, ids->pdata[i], NULL, NULL, "original-deleted", NULL, NULL, NULL);
		}
	}
	if (ids->len)
		server_log(s, "--keep-originals %d: %u original(s) deleted", s->keep_days, ids->len);
}
