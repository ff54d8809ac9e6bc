/* SPDX-License-Identifier: MIT */
/*
 * watch.c: the hot folder's loop (docs/watch.md).
 *
 * One thread (the caller's, on its thread-default main context) watches the
 * inbox and decides when a file is complete; a pool of -j workers prepares
 * photos (watch-photo.c), one photo each at a time, and hands the outcome
 * back to the loop, which alone reports.
 *
 * A file is complete when nobody has it open for writing (a read lease,
 * F_SETLEASE, can be taken only then) and its size and mtime held still
 * between two looks; or, where that cannot be told (another owner, a
 * network filesystem) and for writers that keep the file open, when size
 * and mtime held still for the settle time. GFileMonitor's
 * CHANGES_DONE_HINT alone is not enough: GLib also sends it after two quiet
 * seconds while the writer still has the file open.
 */
#define _GNU_SOURCE
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define INI_NAME "attache.ini"
#define LOG_NAME "attache.log"
#define INI_NOTE_NAME "attache.ini.error.txt"
/* a safety net under inotify: a rescan catches what an overflowed event
 * queue dropped */
#define RESCAN_SECONDS 30
/* keep-originals: done/ is looked at every hour (and at start) */
#define KEEP_CHECK_SECONDS 3600
/* disk trouble: first retry after this, doubling up to 10 minutes */
#define RETRY_FIRST_SECONDS 15
/* a closed file must also hold still this long (a writer that closes and
 * reopens between chunks) */
#define QUIET_USEC (100 * 1000)

/* ---- options ---- */

AttacheWatchOptions *
attache_watch_options_new(const char *inbox)
{
	AttacheWatchOptions *o = g_new0(AttacheWatchOptions, 1);
	o->inbox = g_strdup(inbox);
	o->settle = 2.0;
	o->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		g_free);
	return o;
}

void
attache_watch_options_free(AttacheWatchOptions *o)
{
	if (!o)
		return;
	g_free(o->inbox);
	g_free(o->preset_dir);
	g_hash_table_unref(o->settings);
	g_free(o);
}

AttacheCode
attache_watch_options_set(AttacheWatchOptions *opts, const char *key,
	const char *value, GError **error)
{
	AttacheCode code = attache__watch_setting_check(key, value, error);
	if (code != ATTACHE_OK)
		return code;
	/* --allow-path may be given more than once: one folder a line */
	const char *had = g_str_equal(key, "allow-path")
						  ? g_hash_table_lookup(opts->settings, key)
						  : NULL;
	g_hash_table_replace(opts->settings, g_strdup(key),
		had ? g_strconcat(had, "\n", value, NULL) : g_strdup(value));
	return code;
}

gboolean
attache_watch_ignores_name(const char *name)
{
	static const char *exact[] = { "thumbs.db", "ehthumbs.db", "desktop.ini",
		"icon\r", INI_NAME, LOG_NAME, INI_NOTE_NAME };
	/* partial downloads and copies in progress */
	static const char *suffix[] = { ".part", ".partial", ".crdownload",
		".download", ".tmp", ".temp", ".!qb", ".filepart", "~" };

	if (!name || !*name || name[0] == '.' || g_str_has_prefix(name, "~$"))
		return TRUE;
	g_autofree char *lower = g_ascii_strdown(name, -1);
	for (guint i = 0; i < G_N_ELEMENTS(exact); i++)
		if (g_str_equal(lower, exact[i]))
			return TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(suffix); i++)
		if (g_str_has_suffix(lower, suffix[i]))
			return TRUE;
	/* a photo's own settings (PHOTO.attache.ini) and alt-text sidecars
	 * (docs/alt-text.md): read with their photo */
	if (g_str_has_suffix(lower, ".attache.ini"))
		return TRUE;
	return g_regex_match_simple("\\.alt(\\.[A-Za-z0-9-]+)?\\.txt$", name, 0,
		0);
}

/* ---- the watch ---- */

typedef enum {
	P_WAITING, /* seen; not yet complete */
	P_READY,   /* complete, queued */
	P_RUNNING, /* a worker has it */
	P_RETRY,   /* disk trouble; again after not_before */
} PState;

typedef struct {
	char *name;
	PState state;
	gboolean have_stat;
	struct stat st;
	gint64 changed_at; /* monotonic µs of the last change seen */
	gint64 not_before; /* P_RETRY */
	int tries;
	/* could not be prepared while fresh: complete only once still for
	 * the settle time (no lease shortcut), then a failure counts */
	gboolean must_settle;
} Pending;

typedef struct {
	gboolean exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
} FileState;

struct _AttacheWatch {
	AttacheWatchOptions *opts;
	AttacheWatchFunc fn;
	gpointer user;
	AttacheWatchPlace place;
	char *ini_path;
	AttachePresetSet *presets;
	AttacheWatchSettings *settings;
	FileState ini_state;  /* the file as last read (or refused) */
	GPtrArray *dep_paths; /* files the settings were read from, besides */
	GArray *dep_states;	  /* FileState of each, as last read */
	int jobs;

	GMainContext *ctx;
	GMainLoop *loop;
	GFileMonitor *monitor;
	AttachePool *pool;
	GHashTable *pending; /* name -> Pending* */
	GQueue ready;		 /* Pending*, in the order they became ready */
	GPtrArray *journals; /* journal paths to retry (disk, network) */
	gint64 journals_at;
	/* names whose journal is unfinished: never prepared again meanwhile
	 * (their outputs may have landed) */
	GHashTable *blocked;
	int running;
	gint stop_requested; /* atomic */
	gboolean stopping, quit;
	guint tick_id, rescan_id, inbox_id, keep_id;
	int failures;
	int lock_fd;
	/* the inbox folder this run started on: deleted or replaced (another
	 * inode under its name), the run stops (docs/watch.md) */
	dev_t inbox_dev;
	ino_t inbox_ino;
	gboolean inbox_lost;
};

static void
pending_free(Pending *p)
{
	g_free(p->name);
	g_free(p);
}

static void
emit(AttacheWatch *w, AttacheWatchEventKind kind, const char *photo,
	AttacheCode code, const char *message, const char *json)
{
	if (!w->fn)
		return;
	AttacheWatchEvent ev = { kind, photo, code, message, json };
	w->fn(&ev, w->user);
}

static char *
now_iso(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}

/* A log line that is not a photo's: start, stop, settings, retry. */
static char *
log_event(AttacheWatch *w, const char *event, const char *k1,
	const char *v1, const char *k2, const char *v2)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *now = now_iso();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, event);
	json_builder_set_member_name(b, "time");
	json_builder_add_string_value(b, now);
	if (k1) {
		json_builder_set_member_name(b, k1);
		json_builder_add_string_value(b, v1);
	}
	if (k2) {
		json_builder_set_member_name(b, k2);
		json_builder_add_string_value(b, v2);
	}
	if (w->settings) {
		json_builder_set_member_name(b, "presets");
		json_builder_add_string_value(b, w->settings->presets);
		json_builder_set_member_name(b, "out");
		json_builder_add_string_value(b, w->settings->out_dir);
	}
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	char *line = json_to_string(root, FALSE);
	json_node_unref(root);
	attache__append_line(w->place.log_path, line, NULL);
	return line;
}

static void
file_state(const char *path, FileState *fs)
{
	struct stat st;
	memset(fs, 0, sizeof(*fs));
	if (stat(path, &st) != 0)
		return;
	fs->exists = TRUE;
	fs->dev = st.st_dev;
	fs->ino = st.st_ino;
	fs->size = st.st_size;
	fs->mtime = st.st_mtim;
	fs->ctime = st.st_ctim;
}

static gboolean
file_state_equal(const FileState *a, const FileState *b)
{
	gboolean same_id = a->exists == b->exists && a->dev == b->dev && a->ino == b->ino;
	gboolean same_size = a->size == b->size;
	gboolean same_mtime = a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
	gboolean same_ctime = a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
	return same_id && same_size && same_mtime && same_ctime;
}

/* Remembers attache.ini and @paths as they are now. */
static void
remember_files(AttacheWatch *w, GPtrArray *paths)
{
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < paths->len; i++)
		g_ptr_array_add(keep, g_strdup(paths->pdata[i]));
	file_state(w->ini_path, &w->ini_state);
	g_ptr_array_set_size(w->dep_paths, 0);
	g_array_set_size(w->dep_states, 0);
	for (guint i = 0; i < keep->len; i++) {
		FileState fs;
		file_state(keep->pdata[i], &fs);
		g_ptr_array_add(w->dep_paths, g_strdup(keep->pdata[i]));
		g_array_append_val(w->dep_states, fs);
	}
}

static gboolean
settings_files_changed(AttacheWatch *w)
{
	FileState fs;
	file_state(w->ini_path, &fs);
	if (!file_state_equal(&fs, &w->ini_state))
		return TRUE;
	for (guint i = 0; i < w->dep_paths->len; i++) {
		file_state(w->dep_paths->pdata[i], &fs);
		if (!file_state_equal(&fs, &g_array_index(w->dep_states, FileState, i)))
			return TRUE;
	}
	return FALSE;
}

/* keep-originals = DAYS: the originals done DAYS days ago leave done/,
 * each with an "expired" log line. */
static void
prune_done(AttacheWatch *w)
{
	if (!w->settings || w->settings->keep_days <= 0)
		return;
	g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) e = NULL;
	g_autofree char *days = g_strdup_printf("%d", w->settings->keep_days);
	if (attache__watch_prune_done(w->place.done_dir, w->settings->keep_days,
			g_get_real_time() / G_USEC_PER_SEC, removed, &e))
		emit(w, ATTACHE_WATCH_NOTICE, NULL, e->code, e->message, NULL);
	for (guint i = 0; i < removed->len; i++) {
		const char *path = removed->pdata[i];
		g_autofree char *line = log_event(w, "expired", "original", path,
			"keep_originals_days", days);
		g_autofree char *msg = g_strdup_printf("%s: deleted, done more than "
											   "%s days ago (keep-originals)",
			path, days);
		emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_OK, msg, line);
	}
}

static gboolean
on_keep_check(gpointer data)
{
	prune_done(data);
	return G_SOURCE_CONTINUE;
}

/* INBOX/attache.ini.error.txt for the people who edit the file; one
 * that cannot be written is a notice. */
static void
write_ini_note(AttacheWatch *w, const char *message, gboolean running)
{
	g_autoptr(GError) e = NULL;
	if (attache__watch_ini_note(w->place.inbox, message,
			w->settings ? w->settings->notes_lang : "en", running, &e))
		emit(w, ATTACHE_WATCH_NOTICE, NULL, e->code, e->message, NULL);
}

/* attache.ini (or a file it names: alt-text manifest, campaign) changed
 * since it was last read: read it again. A broken file is reported once
 * per version and the settings in force stay. */
static void
refresh_settings(AttacheWatch *w)
{
	if (!settings_files_changed(w))
		return;
	FileState fs;
	file_state(w->ini_path, &fs);
	remember_files(w, w->dep_paths);

	AttacheWatchSettings *s = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__watch_settings_load(w->place.inbox, w->ini_path,
			w->opts->settings, w->presets, &s, &e)) {
		g_autofree char *msg = g_strdup_printf("%s; the settings in force "
											   "stay until it is fixed",
			e->message);
		g_autofree char *line = log_event(w, "settings", "error", msg,
			"file", w->ini_path);
		emit(w, ATTACHE_WATCH_SETTINGS, NULL, ATTACHE_E_USAGE, msg, line);
		write_ini_note(w, e->message, TRUE);
		return;
	}
	attache__watch_ini_note_clear(w->place.inbox);
	attache__watch_settings_unref(w->settings);
	w->settings = s;
	prune_done(w); /* a new keep-originals applies at once */
	remember_files(w, s->files);
	g_autofree char *msg = g_strdup_printf("%s: %s; presets %s, outputs in "
										   "%s",
		w->ini_path, fs.exists ? "read" : "removed, built-in settings",
		s->presets, s->out_dir);
	g_autofree char *line = log_event(w, "settings", "file", w->ini_path,
		NULL, NULL);
	emit(w, ATTACHE_WATCH_SETTINGS, NULL, ATTACHE_OK, msg, line);
}

/* 1: nobody has the file open for writing; 0: somebody has; -1: cannot
 * tell here (not our file, a filesystem without leases). */
static int
writer_state(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	/* a writer opening the file while we hold the lease breaks it with a
	 * signal: make that one ignored by default, not SIGIO (which kills) */
	int r = -1;
	if (fcntl(fd, F_SETSIG, SIGURG) == 0) {
		if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
			fcntl(fd, F_SETLEASE, F_UNLCK);
			r = 1;
		}
		else if (errno == EAGAIN || errno == EBUSY)
			r = 0;
	}
	close(fd);
	return r;
}

static void schedule_tick(AttacheWatch *w);

/* The candidates, as a list that survives removals while walking it.
 * (transfer container) */
static GPtrArray *
pending_list(AttacheWatch *w)
{
	GPtrArray *a = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, w->pending);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(a, v);
	return a;
}
static void dispatch(AttacheWatch *w);

static void
forget(AttacheWatch *w, const char *name)
{
	Pending *p = g_hash_table_lookup(w->pending, name);
	if (!p || p->state == P_RUNNING)
		return;
	if (p->state == P_READY)
		g_queue_remove(&w->ready, p);
	g_hash_table_remove(w->pending, name);
}

/* Looks at one candidate: gone, changed, or complete. */
static void
check(AttacheWatch *w, Pending *p, gint64 now)
{
	if (p->state == P_RUNNING || p->state == P_READY)
		return;
	if (p->state == P_RETRY && now < p->not_before)
		return;

	g_autofree char *path = g_build_filename(w->place.inbox, p->name, NULL);
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		/* gone, or a folder, link or device: not ours to move */
		forget(w, p->name);
		return;
	}
	gboolean changed = st.st_size != p->st.st_size || st.st_ino != p->st.st_ino
					   || st.st_mtim.tv_sec != p->st.st_mtim.tv_sec
					   || st.st_mtim.tv_nsec != p->st.st_mtim.tv_nsec;
	if (!p->have_stat || changed) {
		p->st = st;
		p->have_stat = TRUE;
		p->changed_at = now;
		if (p->state == P_RETRY)
			p->state = P_WAITING;
		return;
	}
	/* unchanged since the last look: complete once still for the settle
	 * time, or closed and still for a tenth of a second */
	gint64 still = now - p->changed_at;
	gint64 settle = (gint64)(w->opts->settle * G_USEC_PER_SEC);
	gboolean complete = still >= settle;
	if (!complete && !p->must_settle && st.st_size > 0 && still >= MIN(settle, QUIET_USEC))
		complete = writer_state(path) == 1;
	if (complete) {
		p->state = P_READY;
		g_queue_push_tail(&w->ready, p);
	}
}

static void
note(AttacheWatch *w, const char *name)
{
	if (w->stopping || attache_watch_ignores_name(name) || g_hash_table_contains(w->blocked, name))
		return;
	/* a manifest or alt-text file the settings read, kept in the inbox */
	g_autofree char *path = g_build_filename(w->place.inbox, name, NULL);
	for (guint i = 0; i < w->dep_paths->len; i++)
		if (g_str_equal(w->dep_paths->pdata[i], path))
			return;
	Pending *p = g_hash_table_lookup(w->pending, name);
	if (!p) {
		p = g_new0(Pending, 1);
		p->name = g_strdup(name);
		p->state = P_WAITING;
		g_hash_table_insert(w->pending, p->name, p);
	}
	else if (p->state == P_READY) {
		/* changed again before a worker took it: look again */
		g_queue_remove(&w->ready, p);
		p->state = P_WAITING;
	}
	check(w, p, g_get_monotonic_time());
	schedule_tick(w);
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
scan(AttacheWatch *w)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GDir) d = g_dir_open(w->place.inbox, 0, &e);
	if (!d) {
		emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_E_INPUT, e->message,
			NULL);
		return;
	}
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (!attache_watch_ignores_name(n))
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, cmp_str);
	for (guint i = 0; i < names->len; i++)
		note(w, names->pdata[i]);
	/* and forget those that went away without an event */
	g_autoptr(GPtrArray) all = pending_list(w);
	for (guint i = 0; i < all->len; i++) {
		Pending *p = all->pdata[i];
		g_autofree char *path = g_build_filename(w->place.inbox, p->name,
			NULL);
		struct stat st;
		if (lstat(path, &st) != 0)
			forget(w, p->name);
	}
	dispatch(w);
}

static void
maybe_quit(AttacheWatch *w)
{
	if (w->running > 0 || w->quit)
		return;
	if (w->stopping || (w->opts->once && g_hash_table_size(w->pending) == 0)) {
		w->quit = TRUE;
		g_main_loop_quit(w->loop);
	}
}

/* A photo's journal is left to finish later: its name is blocked (the
 * photo must not be prepared again), the journal retried (not with
 * --once: the next run does it). */
static void
keep_journal(AttacheWatch *w, const char *name, const char *journal,
	gboolean failure)
{
	if (name)
		g_hash_table_add(w->blocked, g_strdup(name));
	if (w->opts->once && failure)
		w->failures++;
	for (guint i = 0; i < w->journals->len; i++)
		if (g_str_equal(w->journals->pdata[i], journal))
			return;
	g_ptr_array_add(w->journals, g_strdup(journal));
	if (w->journals->len == 1)
		w->journals_at = g_get_monotonic_time() + RETRY_FIRST_SECONDS * G_USEC_PER_SEC;
}

/* Reports what a photo came to (done, failed, a retry, waiting for
 * approval), the same for a new photo and a journal finished again. */
static void
emit_outcome(AttacheWatch *w, AttacheWatchJob *job)
{
	if (job->notice)
		emit(w, ATTACHE_WATCH_NOTICE, job->name, ATTACHE_E_WRITE, job->notice,
			NULL);
	switch (job->outcome) {
	case ATTACHE__PHOTO_DONE:
		emit(w, ATTACHE_WATCH_DONE, job->name, job->code, job->message,
			job->json);
		break;
	case ATTACHE__PHOTO_FAILED:
		w->failures++;
		emit(w, ATTACHE_WATCH_FAILED, job->name, job->code, job->message,
			job->json);
		break;
	case ATTACHE__PHOTO_RETRY: {
		g_autofree char *line = log_event(w, "retry", "photo", job->name,
			"error", job->message);
		emit(w, ATTACHE_WATCH_RETRY, job->name, job->code, job->message,
			line);
		break;
	}
	case ATTACHE__PHOTO_AWAITING:
		/* not a failure: a person has still to approve (said once) */
		if (job->json)
			emit(w, ATTACHE_WATCH_AWAITING, job->name, job->code,
				job->message, job->json);
		break;
	default:
		break;
	}
}

/* What finishing a journal came to, at start or on a retry. */
static void
journal_result(AttacheWatch *w, AttacheWatchJob *job)
{
	switch (job->outcome) {
	case ATTACHE__PHOTO_DONE:
	case ATTACHE__PHOTO_FAILED:
		/* json is NULL when the killed run had written the line */
		emit_outcome(w, job);
		break;
	case ATTACHE__PHOTO_RETRY:
		emit_outcome(w, job);
		if (job->journal) {
			keep_journal(w, job->name, job->journal, TRUE);
			return;
		}
		break;
	case ATTACHE__PHOTO_AWAITING:
		emit_outcome(w, job);
		keep_journal(w, job->name, job->journal, FALSE);
		return;
	default:
		if (job->message)
			emit(w, ATTACHE_WATCH_NOTICE, job->name, job->code, job->message,
				NULL);
		break;
	}
	/* settled: the name is free again (a file under it now is a new
	 * photo, prepared in its turn) */
	if (job->name && g_hash_table_remove(w->blocked, job->name))
		note(w, job->name);
}

static void
job_clear(AttacheWatchJob *job)
{
	g_free(job->name);
	g_free(job->message);
	g_free(job->json);
	g_free(job->journal);
}

static void
retry_journals(AttacheWatch *w, gint64 now)
{
	if (w->journals->len == 0 || now < w->journals_at || w->opts->once)
		return;
	GPtrArray *todo = w->journals;
	w->journals = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < todo->len; i++) {
		AttacheWatchJob job = { 0 };
		attache__watch_recover(&w->place, todo->pdata[i], &job);
		journal_result(w, &job);
		job_clear(&job);
	}
	g_ptr_array_unref(todo);
	w->journals_at = now + 60 * G_USEC_PER_SEC;
}

static gboolean
on_tick(gpointer data)
{
	AttacheWatch *w = data;
	gint64 now = g_get_monotonic_time();
	gboolean waiting = FALSE;

	g_autoptr(GPtrArray) all = pending_list(w);
	for (guint i = 0; i < all->len; i++) {
		Pending *p = all->pdata[i];
		check(w, p, now);
	}
	retry_journals(w, now);
	dispatch(w);

	/* keep ticking only while something waits */
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, w->pending);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((Pending *)v)->state == P_WAITING || ((Pending *)v)->state == P_RETRY)
			waiting = TRUE;
	if (waiting || (w->journals->len && !w->opts->once))
		return G_SOURCE_CONTINUE;
	w->tick_id = 0;
	return G_SOURCE_REMOVE;
}

static void
schedule_tick(AttacheWatch *w)
{
	if (w->tick_id || w->stopping)
		return;
	guint ms = (guint)CLAMP(w->opts->settle * 1000 / 4, 50, 250);
	GSource *s = g_timeout_source_new(ms);
	g_source_set_callback(s, on_tick, w, NULL);
	w->tick_id = g_source_attach(s, w->ctx);
	g_source_unref(s);
}

static gboolean on_stop(gpointer data);

/* Whether the inbox is still the folder this run started on. If it was
 * deleted or replaced, says so and stops: the lock, the journal and
 * every path are the old folder's, and a new folder is a new inbox for
 * a new run (the systemd unit starts it once the folder exists). */
static gboolean
inbox_still_there(AttacheWatch *w)
{
	struct stat st;
	if (w->inbox_lost)
		return FALSE;
	if (stat(w->place.inbox, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == w->inbox_dev && st.st_ino == w->inbox_ino)
		return TRUE;
	w->inbox_lost = TRUE;
	g_autofree char *msg = g_strdup_printf(
		"%s: the inbox folder was %s while being watched; stopping (the "
		"photos in hand are finished). Start attache watch again once "
		"the folder is back (the systemd unit does this by itself)",
		w->place.inbox,
		g_file_test(w->place.inbox, G_FILE_TEST_IS_DIR)
			? "replaced by another folder of the same name"
			: "deleted or moved away");
	emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_E_INPUT, msg, NULL);
	on_stop(w);
	return FALSE;
}

static gboolean
on_inbox_check(gpointer data)
{
	AttacheWatch *w = data;
	if (inbox_still_there(w))
		return G_SOURCE_CONTINUE;
	w->inbox_id = 0;
	return G_SOURCE_REMOVE;
}

gboolean
attache_watch_inbox_lost(const AttacheWatch *w)
{
	return w->inbox_lost;
}

static gboolean
on_rescan(gpointer data)
{
	AttacheWatch *w = data;
	if (!inbox_still_there(w))
		return G_SOURCE_CONTINUE;
	/* an edit no event told of (--poll, a dropped event): its note and
	 * log line come now, not with the next photo */
	refresh_settings(w);
	scan(w);
	return G_SOURCE_CONTINUE;
}

typedef struct {
	AttacheWatch *w;
	AttacheWatchJob *job;
} Done;

static void
job_done(AttacheWatch *w, AttacheWatchJob *job)
{
	Pending *p = g_hash_table_lookup(w->pending, job->name);
	gint64 now = g_get_monotonic_time();
	w->running--;

	emit_outcome(w, job);
	switch (job->outcome) {
	case ATTACHE__PHOTO_DONE:
	case ATTACHE__PHOTO_FAILED:
		g_hash_table_remove(w->pending, job->name);
		break;
	case ATTACHE__PHOTO_RETRY: {
		if (job->journal) {
			g_hash_table_remove(w->pending, job->name);
			keep_journal(w, job->name, job->journal, TRUE);
		}
		else if (w->opts->once) {
			/* cron runs again later; this run reports the failure */
			w->failures++;
			g_hash_table_remove(w->pending, job->name);
		}
		else if (p) {
			p->state = P_RETRY;
			p->tries++;
			gint64 wait = (gint64)RETRY_FIRST_SECONDS
						  << MIN(p->tries - 1, 5);
			p->not_before = now + MIN(wait, 600) * G_USEC_PER_SEC;
		}
		break;
	}
	case ATTACHE__PHOTO_AWAITING:
		g_hash_table_remove(w->pending, job->name);
		keep_journal(w, job->name, job->journal, FALSE);
		break;
	case ATTACHE__PHOTO_CHANGED:
		if (p) {
			p->state = P_WAITING;
			p->have_stat = FALSE;
		}
		break;
	case ATTACHE__PHOTO_UNSETTLED:
		/* the still time counts from the last change the loop saw */
		if (p) {
			p->state = P_WAITING;
			p->must_settle = TRUE;
		}
		break;
	case ATTACHE__PHOTO_GONE:
		g_hash_table_remove(w->pending, job->name);
		break;
	}
	attache__watch_job_free(job);
	schedule_tick(w);
	dispatch(w);
}

static gboolean
on_job_done(gpointer data)
{
	Done *d = data;
	job_done(d->w, d->job);
	g_free(d);
	return G_SOURCE_REMOVE;
}

static void
worker(gpointer data, gpointer user)
{
	AttacheWatch *w = user;
	AttacheWatchJob *job = data;
	attache__watch_photo(&w->place, job);
	Done *d = g_new(Done, 1);
	d->w = w;
	d->job = job;
	g_main_context_invoke(w->ctx, on_job_done, d);
}

static void
dispatch(AttacheWatch *w)
{
	while (!w->stopping && w->running < w->jobs && !g_queue_is_empty(&w->ready)) {
		Pending *p = g_queue_pop_head(&w->ready);
		/* an edit to attache.ini applies from the next photo on */
		refresh_settings(w);
		AttacheWatchJob *job = g_new0(AttacheWatchJob, 1);
		job->name = g_strdup(p->name);
		job->settings = attache__watch_settings_ref(w->settings);
		job->settle_usec = (gint64)(w->opts->settle * G_USEC_PER_SEC);
		job->settled = p->must_settle;
		p->state = P_RUNNING;
		w->running++;
		attache__pool_push(w->pool, job);
	}
	maybe_quit(w);
}

static void
on_changed(GFileMonitor *m, GFile *file, GFile *other,
	GFileMonitorEvent event, gpointer data)
{
	AttacheWatch *w = data;
	g_autofree char *name = g_file_get_basename(file);
	g_autofree char *other_name = other ? g_file_get_basename(other) : NULL;
	g_autoptr(GFile) parent = g_file_get_parent(file);
	g_autofree char *dir = parent ? g_file_get_path(parent) : NULL;

	/* events about the inbox itself, or deeper */
	if (!dir || g_strcmp0(dir, w->place.inbox) != 0)
		return;
	switch (event) {
	case G_FILE_MONITOR_EVENT_CREATED:
	case G_FILE_MONITOR_EVENT_CHANGED:
	case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
	case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
	case G_FILE_MONITOR_EVENT_MOVED_IN:
		note(w, name);
		break;
	case G_FILE_MONITOR_EVENT_RENAMED:
		forget(w, name);
		if (other_name) {
			note(w, other_name);
			if (g_str_equal(other_name, INI_NAME))
				refresh_settings(w);
		}
		break;
	case G_FILE_MONITOR_EVENT_DELETED:
	case G_FILE_MONITOR_EVENT_MOVED_OUT:
		forget(w, name);
		break;
	default:
		break;
	}
	/* report a broken attache.ini when it is saved, not at the next photo */
	if (g_str_equal(name, INI_NAME) && event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
		refresh_settings(w);
	dispatch(w);
}

/* ---- set-up ---- */

AttacheCode
attache_watch_new(const AttacheWatchOptions *opts, AttacheWatchFunc fn,
	gpointer user_data, AttacheWatch **out, GError **error)
{
	g_autoptr(GError) e = NULL;
	AttacheCode code;

	if (!opts->inbox || !g_file_test(opts->inbox, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: no such folder", opts->inbox ? opts->inbox : "(none)");
		return ATTACHE_E_USAGE;
	}
	if (opts->settle < 0 || opts->poll < 0 || opts->jobs < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"settle, poll and jobs cannot be negative");
		return ATTACHE_E_USAGE;
	}

	AttacheWatch *w = g_new0(AttacheWatch, 1);
	w->lock_fd = -1;
	w->fn = fn;
	w->user = user_data;
	w->opts = attache_watch_options_new(opts->inbox);
	w->opts->jobs = opts->jobs;
	w->opts->settle = opts->settle;
	w->opts->poll = opts->poll;
	w->opts->once = opts->once;
	w->opts->preset_dir = g_strdup(opts->preset_dir);
	w->opts->max_memory = opts->max_memory;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, opts->settings);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_replace(w->opts->settings, g_strdup(k), g_strdup(v));
	w->jobs = opts->jobs > 0 ? opts->jobs : (int)g_get_num_processors();

	/* one absolute name for the inbox: paths in the log are unambiguous
	 * and the journal's paths survive a restart from another folder */
	char *real = realpath(opts->inbox, NULL);
	AttacheWatchPlace *pl = &w->place;
	pl->inbox = g_strdup(real ? real : opts->inbox);
	free(real);
	pl->done_dir = g_build_filename(pl->inbox, "done", NULL);
	/* one budget for the workers, whatever attache.ini becomes */
	pl->memory = attache_memory_budget_new(opts->max_memory);
	pl->take = opts->take;
	pl->take_data = opts->take_data;
	pl->failed_dir = g_build_filename(pl->inbox, "failed", NULL);
	pl->state_dir = g_build_filename(pl->inbox, ".attache", NULL);
	pl->journal_dir = g_build_filename(pl->state_dir, "journal", NULL);
	pl->log_path = g_build_filename(pl->inbox, LOG_NAME, NULL);
	g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
		pl->inbox, -1);
	pl->inbox_key = g_strndup(key, 16);
	g_mutex_init(&pl->names_lock);
	pl->reserved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		NULL);
	pl->crash_at = g_getenv("ATTACHE_WATCH_CRASH");
	g_mutex_init(&pl->upload_lock);
	pl->uploaders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)attache_uploader_free);
	pl->retired = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache_uploader_free);
	w->ini_path = g_build_filename(pl->inbox, INI_NAME, NULL);
	w->pending = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
		(GDestroyNotify)pending_free);
	w->journals = g_ptr_array_new_with_free_func(g_free);
	w->blocked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		NULL);
	w->dep_paths = g_ptr_array_new_with_free_func(g_free);
	w->dep_states = g_array_new(FALSE, TRUE, sizeof(FileState));

	if ((code = attache_preset_set_load(NULL, opts->preset_dir, &w->presets,
			 &e))
		|| (file_state(w->ini_path, &w->ini_state),
			code = attache__watch_settings_load(pl->inbox, w->ini_path,
				w->opts->settings, w->presets, &w->settings, &e))) {
		/* nothing runs: the folder's editors learn why from the note */
		if (e && w->presets)
			attache__watch_ini_note(pl->inbox, e->message, "en", FALSE, NULL);
		g_propagate_error(error, g_steal_pointer(&e));
		attache_watch_free(w);
		return code;
	}
	attache__watch_ini_note_clear(pl->inbox);
	remember_files(w, w->settings->files);
	*out = w;
	return ATTACHE_OK;
}

void
attache_watch_free(AttacheWatch *w)
{
	if (!w)
		return;
	AttacheWatchPlace *pl = &w->place;
	g_free(pl->inbox);
	g_free(pl->done_dir);
	g_free(pl->failed_dir);
	g_free(pl->state_dir);
	g_free(pl->journal_dir);
	g_free(pl->log_path);
	g_free(pl->inbox_key);
	g_mutex_clear(&pl->names_lock);
	g_hash_table_unref(pl->reserved);
	g_mutex_clear(&pl->upload_lock);
	g_hash_table_unref(pl->uploaders);
	g_ptr_array_unref(pl->retired);
	attache_memory_budget_unref(pl->memory);
	g_free(w->ini_path);
	attache_preset_set_free(w->presets);
	if (w->settings)
		attache__watch_settings_unref(w->settings);
	g_hash_table_unref(w->pending);
	g_queue_clear(&w->ready);
	g_ptr_array_unref(w->journals);
	g_hash_table_unref(w->blocked);
	g_ptr_array_unref(w->dep_paths);
	g_array_unref(w->dep_states);
	attache_watch_options_free(w->opts);
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	g_free(w);
}

int
attache_watch_failures(const AttacheWatch *w)
{
	return w->failures;
}

static gboolean
on_stop(gpointer data)
{
	AttacheWatch *w = data;
	if (w->stopping)
		return G_SOURCE_REMOVE;
	w->stopping = TRUE;
	/* photos not yet started stay in the inbox for the next run */
	while (!g_queue_is_empty(&w->ready)) {
		Pending *p = g_queue_pop_head(&w->ready);
		p->state = P_WAITING;
	}
	if (w->running)
		emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_OK,
			"stopping: finishing the photos in hand", NULL);
	maybe_quit(w);
	return G_SOURCE_REMOVE;
}

void
attache_watch_stop(AttacheWatch *w)
{
	g_atomic_int_set(&w->stop_requested, 1);
	GMainContext *ctx = g_atomic_pointer_get(&w->ctx);
	if (ctx)
		g_main_context_invoke(ctx, on_stop, w);
}

static AttacheCode
make_dir(const char *dir, GError **error)
{
	if (g_mkdir_with_parents(dir, 0777) == 0)
		return ATTACHE_OK;
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
		"%s: cannot create the folder: %s", dir, g_strerror(errno));
	return ATTACHE_E_WRITE;
}

/* One watcher per inbox: the second would race the first for every file.
 * flock is released by the kernel when the holder dies, even by kill -9. */
static AttacheCode
take_lock(AttacheWatch *w, GError **error)
{
	g_autofree char *path = g_build_filename(w->place.state_dir, "lock",
		NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s", path,
			g_strerror(errno));
		return ATTACHE_E_WRITE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		g_strchomp(pid);
		close(fd);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: another attache watch is already running on this folder%s%s%s",
			w->place.inbox, *pid ? " (process " : "", pid, *pid ? ")" : "");
		return ATTACHE_E_USAGE;
	}
	/* the pid is a courtesy for the error above */
	g_autofree char *me = g_strdup_printf("%d\n", (int)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, me, strlen(me), 0) < 0)
		g_debug("%s: cannot record the pid", path);
	w->lock_fd = fd;
	return ATTACHE_OK;
}

/* Finishes what a killed run left: every journal, then the staging
 * folders no journal names. A journal that cannot be finished now (disk,
 * network) waits for a retry, its photo blocked meanwhile. */
static AttacheCode
recover(AttacheWatch *w, GError **error)
{
	g_autoptr(GDir) d = g_dir_open(w->place.journal_dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(w->place.journal_dir, n, NULL);
		if (n[0] == '.')
			g_unlink(p); /* a journal write cut short: never acted on */
		else if (g_str_has_suffix(n, ".json"))
			g_ptr_array_add(names, g_steal_pointer(&p));
	}
	g_ptr_array_sort(names, cmp_str);
	for (guint i = 0; i < names->len; i++) {
		AttacheWatchJob job = { 0 };
		attache__watch_recover(&w->place, names->pdata[i], &job);
		journal_result(w, &job);
		job_clear(&job);
	}
	if (w->journals->len)
		schedule_tick(w);
	/* the staging folders of journals still waiting are kept */
	g_autoptr(GHashTable) keep = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; i < w->journals->len; i++) {
		g_autoptr(JsonParser) jp = json_parser_new();
		if (json_parser_load_from_file(jp, w->journals->pdata[i], NULL) && JSON_NODE_HOLDS_OBJECT(json_parser_get_root(jp))) {
			JsonObject *o = json_node_get_object(json_parser_get_root(jp));
			if (json_object_has_member(o, "staging"))
				g_hash_table_add(keep,
					g_strdup(json_object_get_string_member(o, "staging")));
		}
	}
	attache__watch_clean_staging(&w->place, w->settings->out_dir, keep);
	return ATTACHE_OK;
}

/* Events (inotify, or a rescan every --poll seconds), the rescan under
 * inotify, and the check that the inbox is still there. */
static void
start_watching(AttacheWatch *w)
{
	AttacheWatchPlace *pl = &w->place;
	double poll = w->opts->poll;
	if (poll <= 0) {
		g_autoptr(GFile) dir = g_file_new_for_path(pl->inbox);
		g_autoptr(GError) e = NULL;
		w->monitor = g_file_monitor_directory(dir,
			G_FILE_MONITOR_WATCH_MOVES, NULL, &e);
		if (w->monitor)
			g_signal_connect(w->monitor, "changed",
				G_CALLBACK(on_changed), w);
		else {
			g_autofree char *msg = g_strdup_printf(
				"%s: cannot watch for changes (%s); looking every 2 "
				"seconds instead",
				pl->inbox, e->message);
			emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_OK, msg, NULL);
			poll = 2;
		}
	}
	GSource *s = g_timeout_source_new(
		(guint)((poll > 0 ? poll : RESCAN_SECONDS) * 1000));
	g_source_set_callback(s, on_rescan, w, NULL);
	w->rescan_id = g_source_attach(s, w->ctx);
	g_source_unref(s);
	/* one stat a second: a deleted inbox raises no event we can
	 * count on (a synced or network folder raises none at all) */
	GSource *c = g_timeout_source_new_seconds(1);
	g_source_set_callback(c, on_inbox_check, w, NULL);
	w->inbox_id = g_source_attach(c, w->ctx);
	g_source_unref(c);
	GSource *k = g_timeout_source_new_seconds(KEEP_CHECK_SECONDS);
	g_source_set_callback(k, on_keep_check, w, NULL);
	w->keep_id = g_source_attach(k, w->ctx);
	g_source_unref(k);
}

AttacheCode
attache_watch_run(AttacheWatch *w, GError **error)
{
	AttacheCode code;
	AttacheWatchPlace *pl = &w->place;

	if ((code = make_dir(pl->journal_dir, error))
		|| (code = make_dir(pl->done_dir, error))
		|| (code = make_dir(pl->failed_dir, error)) || (code = take_lock(w, error)))
		return code;
	struct stat ist;
	if (stat(pl->inbox, &ist) != 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s",
			pl->inbox, g_strerror(errno));
		return ATTACHE_E_USAGE;
	}
	w->inbox_dev = ist.st_dev;
	w->inbox_ino = ist.st_ino;
	w->inbox_lost = FALSE;

	w->ctx = g_main_context_ref_thread_default();
	w->loop = g_main_loop_new(w->ctx, FALSE);
	w->stopping = w->quit = FALSE;

	if ((code = recover(w, error))) {
		g_main_loop_unref(w->loop);
		g_main_context_unref(w->ctx);
		w->ctx = NULL;
		return code;
	}

	/* the batch's split (workers x outputs at once x libvips threads =
	 * cores), with one output at a time: the inbox keeps the workers busy */
	int jobs, preset_threads, vips_threads;
	attache__batch_threads(w->jobs, G_MAXINT, 1, &jobs, &preset_threads,
		&vips_threads);
	attache__concurrency_default(vips_threads);
	w->pool = attache__pool_new(worker, w, w->jobs);

	{
		g_autofree char *line = log_event(w, "start", "inbox", pl->inbox,
			"mode",
			w->opts->once ? "once"
						  : (w->opts->poll > 0 ? "poll" : "inotify"));
		g_autofree char *msg = g_strdup_printf("%s %s: presets %s, outputs "
											   "in %s",
			w->opts->once ? "processing" : "watching", pl->inbox,
			w->settings->presets, w->settings->out_dir);
		emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_OK, msg, line);
	}

	/* after the journals: a photo finished just now is not old */
	prune_done(w);
	if (!w->opts->once)
		start_watching(w);

	/* what is already there, then whatever comes */
	if (g_atomic_int_get(&w->stop_requested))
		on_stop(w);
	else
		scan(w);
	maybe_quit(w);
	if (!w->quit)
		g_main_loop_run(w->loop);

	if (w->monitor) {
		g_file_monitor_cancel(w->monitor);
		g_clear_object(&w->monitor);
	}
	if (w->rescan_id)
		g_source_destroy(g_main_context_find_source_by_id(w->ctx,
			w->rescan_id));
	if (w->tick_id)
		g_source_destroy(g_main_context_find_source_by_id(w->ctx,
			w->tick_id));
	if (w->inbox_id)
		g_source_destroy(g_main_context_find_source_by_id(w->ctx,
			w->inbox_id));
	if (w->keep_id)
		g_source_destroy(g_main_context_find_source_by_id(w->ctx,
			w->keep_id));
	w->rescan_id = w->tick_id = w->inbox_id = w->keep_id = 0;
	attache__pool_free(w->pool);
	w->pool = NULL;
	/* results the workers posted after the loop stopped */
	while (g_main_context_iteration(w->ctx, FALSE))
		;
	/* a lost inbox gets no stop line: its log is gone, or another's */
	if (!w->inbox_lost) {
		g_autofree char *line = log_event(w, "stop", "inbox", pl->inbox,
			NULL, NULL);
		emit(w, ATTACHE_WATCH_NOTICE, NULL, ATTACHE_OK, "stopped", line);
	}
	g_main_loop_unref(w->loop);
	w->loop = NULL;
	GMainContext *ctx = w->ctx;
	g_atomic_pointer_set(&w->ctx, NULL);
	g_main_context_unref(ctx);
	close(w->lock_fd);
	w->lock_fd = -1;
	if (w->inbox_lost) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: the inbox folder is gone or was replaced; stopped",
			pl->inbox);
		return ATTACHE_E_INPUT;
	}
	return ATTACHE_OK;
}
