/* SPDX-License-Identifier: MIT */
/*
 * inbox.c: `attache serve --inbox DIR`, the hot folder feeding the desk.
 * The hot folder runs as `attache watch DIR` does (src/lib/watch: its
 * completeness check, its journal, INBOX/attache.ini, done/ and
 * failed/), on a thread and main context of its own, except that it
 * prepares nothing: each complete photo is handed over (on_take(), the
 * watch's take hook, journalled so that a crash hands it over again with
 * the same id) and the desk alone prepares it, so one photo dropped is one
 * photo row, one "upload" event and one set of outputs. The desk stores
 * it as an upload's, keyed by the hand-over's id, prepared with the
 * folder's presets (and attache.ini's lang and alt) by the account
 * attache.ini's `by =` names, else the one named after the inbox; only
 * then does the photo move to done/. A start also takes in what
 * attache.log says a plain `attache watch` did while the desk was not
 * running (from done/, once).
 */
#include "server-private.h"

#include <string.h>

#define MAX_LOG (64 * 1024 * 1024)

/* The account the inbox's photos are prepared by (attache.ini's by =,
 * else the inbox's name), and the prep settings of its attache.ini the
 * desk keeps for them (lang, alt) into @options. (transfer full) */
static char *
inbox_settings(const char *inbox, JsonObject *options)
{
	g_autofree char *ini = g_build_filename(inbox, "attache.ini", NULL);
	char *text = NULL;
	gsize len = 0;
	char *by = NULL;
	if (!attache_read_small_file(ini, 256 * 1024, &text, &len, NULL)) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		if (g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL)) {
			by = g_key_file_get_string(kf, "attache", "by", NULL);
			static const char *const keys[] = { "lang", "alt" };
			for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
				g_autofree char *v = g_key_file_get_string(kf, "attache", keys[i], NULL);
				if (v && *g_strstrip(v))
					json_object_set_string_member(options, keys[i], v);
			}
		}
		g_free(text);
	}
	if (by && *g_strstrip(by))
		return by;
	g_free(by);
	return g_path_get_basename(inbox);
}

/* Takes photo @path (hot folder id @pid, file name @name, its @presets)
 * into the desk, once: its original is stored and its row committed
 * before this returns, as an upload's. %ATTACHE_E_WRITE when it cannot be
 * stored now; the read's code, or %ATTACHE_E_UNSUPPORTED, when it is no
 * photo the desk takes. */
static AttacheCode
take_in(Server *s, const char *path, const char *pid, const char *name, const char *presets, GError **error)
{
	g_autofree char *source = g_strconcat("inbox:", pid, NULL);
	if (db_photo_has_source(s->db, source))
		return ATTACHE_OK;
	char *data = NULL;
	gsize len = 0;
	AttacheCode rc = attache_read_small_file(path, (gsize)s->max_upload, &data, &len, error);
	if (rc)
		return rc;
	const char *ext = photo_sniff((const guint8 *)data, len);
	g_autoptr(JsonObject) options = json_object_new();
	if (presets)
		json_object_set_string_member(options, "presets", presets);
	g_autofree char *by = inbox_settings(s->opts.inbox, options);
	g_autofree char *id = NULL;
	if (!ext) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UNSUPPORTED,
			"%s: not a photo attache reads (JPEG, PNG, WebP, HEIC/HEIF, AVIF or TIFF)", name);
		rc = ATTACHE_E_UNSUPPORTED;
	}
	else if (!(id = photo_store(s, name, ext, data, len, options, by, source, error)))
		rc = ATTACHE_E_WRITE;
	else
		server_log(s, "inbox: %s taken in as %s, prepared by %s", name, id, by);
	g_free(data);
	return rc;
}

/* The hot folder hands a complete photo over (AttacheWatchOptions.take):
 * the desk alone prepares it, so the photo has one set of outputs. On the
 * hot folder's worker thread. */
static AttacheCode
on_take(const AttacheWatchTake *t, gpointer data, GError **error)
{
	Server *s = data;
	AttacheCode rc = take_in(s, t->path, t->id, t->name, t->presets, error);
	if (rc)
		server_log(s, "inbox: %s not taken in: %s", t->name, *error ? (*error)->message : "?");
	return rc;
}

/* A done line of attache.log (a photo a plain `attache watch` prepared
 * while the desk was not running): its original, from done/, taken in. */
static void
take_line(Server *s, const char *inbox, JsonObject *o)
{
	const char *pid = json_str(o, "id"), *orig = json_str(o, "original"), *name = json_str(o, "photo");
	if (!pid || !orig || !name)
		return;
	g_autofree char *path = g_path_is_absolute(orig) ? g_strdup(orig) : g_build_filename(inbox, orig, NULL);
	g_autoptr(GError) e = NULL;
	if (take_in(s, path, pid, name, json_str(o, "presets"), &e))
		server_log(s, "inbox: %s not taken in: %s", name, e ? e->message : "?");
}

static JsonObject *
parse_line(const char *line)
{
	g_autoptr(JsonParser) p = json_parser_new();
	if (!line || !json_parser_load_from_data(p, line, -1, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return NULL;
	JsonObject *o = json_node_get_object(json_parser_get_root(p));
	return g_strcmp0(json_str(o, "event"), "done") ? NULL : json_object_ref(o);
}

static void
on_event(const AttacheWatchEvent *ev, gpointer data)
{
	Server *s = data;
	if (ev->kind == ATTACHE_WATCH_DONE) {
		g_autoptr(JsonObject) o = parse_line(ev->json);
		if (o)
			take_line(s, s->opts.inbox, o);
	}
	else if (ev->kind == ATTACHE_WATCH_FAILED || ev->kind == ATTACHE_WATCH_NOTICE || ev->kind == ATTACHE_WATCH_SETTINGS)
		server_log(s, "inbox: %s%s%s", ev->photo ? ev->photo : "", ev->photo ? ": " : "", ev->message ? ev->message : "");
}

/* What attache.log says was done while the desk was away. */
static void
catch_up(Server *s)
{
	g_autofree char *log = g_build_filename(s->opts.inbox, "attache.log", NULL);
	char *text = NULL;
	if (attache_read_small_file(log, MAX_LOG, &text, NULL, NULL))
		return;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_free(text);
	for (int i = 0; lines[i]; i++) {
		g_autoptr(JsonObject) o = parse_line(lines[i]);
		if (o)
			take_line(s, s->opts.inbox, o);
	}
}

static gpointer
watch_thread(gpointer data)
{
	Server *s = data;
	GMainContext *ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	g_autoptr(GError) e = NULL;
	if (attache_watch_run(s->watch, &e))
		server_log(s, "inbox: the hot folder stopped: %s", e->message);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	return NULL;
}

AttacheCode
inbox_start(Server *s, GError **error)
{
	if (!s->opts.inbox)
		return ATTACHE_OK;
	AttacheWatchOptions *wo = attache_watch_options_new(s->opts.inbox);
	g_free(wo->preset_dir);
	wo->preset_dir = g_strdup(s->preset_dir);
	if (s->opts.jobs > 0)
		wo->jobs = s->opts.jobs;
	wo->take = on_take;
	wo->take_data = s;
	AttacheCode rc = attache_watch_new(wo, on_event, s, &s->watch, error);
	attache_watch_options_free(wo);
	if (rc)
		return rc;
	catch_up(s);
	s->watch_thread = g_thread_new("attache-inbox", watch_thread, s);
	server_log(s, "inbox: %s feeds the desk", s->opts.inbox);
	return ATTACHE_OK;
}

void
inbox_stop(Server *s)
{
	if (!s->watch)
		return;
	attache_watch_stop(s->watch);
	g_thread_join(s->watch_thread);
	attache_watch_free(s->watch);
	s->watch = NULL;
}
