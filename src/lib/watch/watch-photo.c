/* SPDX-License-Identifier: MIT */
/*
 * watch-photo.c: one photo of a hot folder, from the inbox to done/ or
 * failed/, such that kill -9 at any moment loses nothing and duplicates
 * nothing (docs/watch.md, "Durability").
 *
 *   1. hash the photo (SHA-256), prepare every output into a staging
 *      folder OUT/.attache-staging/KEY/ID/ (each file fsync'ed), with a
 *      receipt .attache-photo.json naming the photo and its hash;
 *   2. write the journal INBOX/.attache/journal/ID.json: every name the
 *      next steps will use (output folder, done/ path, log line);
 *   3. rename the staging folder to OUT/STEM/: all outputs appear at once;
 *   4. append the outputs to OUT/attache-manifest.jsonl;
 *   5. move the original to done/ (failed/ with NAME.error.txt instead of
 *      3-4 when it cannot be prepared);
 *   6. append the photo's line to INBOX/attache.log; delete the journal.
 *
 * A crash before 2 leaves the photo in the inbox and a staging folder no
 * journal names: the next start deletes it and prepares the photo again. A
 * crash after 2 leaves a journal: the next start redoes 3-6, each step
 * recognising when it was already done (the folder's receipt carries the
 * journal's id; manifest and log lines are looked up before appending).
 * Names never overwrite: renames use RENAME_NOREPLACE and collisions get
 * -2, -3 ...
 */
#define _GNU_SOURCE
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECEIPT ".attache-photo.json"
#define STAGING ".attache-staging"
#define REPLACED ".attache-replaced"

void
attache__watch_job_free(AttacheWatchJob *job)
{
	if (!job)
		return;
	g_free(job->name);
	if (job->settings)
		attache__watch_settings_unref(job->settings);
	g_free(job->message);
	g_free(job->json);
	g_free(job->journal);
	g_free(job->notice);
	g_free(job);
}

/* Test hook (docs/watch.md): ATTACHE_WATCH_CRASH=POINT kills the process
 * when the first photo reaches POINT, as kill -9 would. */
/* attache.log is read whole only after a crash, to skip a line written
 * already: a bigger log just gets the line again */
#define WATCH_LOG_MAX_BYTES (64 * 1024 * 1024)

static void
crash_point(AttacheWatchPlace *place, const char *point)
{
	if (place->crash_at && g_str_equal(place->crash_at, point))
		kill(getpid(), SIGKILL);
}

/* ---- small file-system helpers ---- */

static const char *
ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && dot != name ? dot : "";
}

static gboolean
exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* rename(2) that never replaces an existing name. */
static int
rename_noreplace(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* a filesystem without it: check, then rename; the window is ours
	 * alone (one watcher per inbox, names reserved in-process) */
	if (exists(to)) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* Deletes a staging folder (files and the folder; it holds no more). */
static void
remove_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			remove_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
}

/* SHA-256 of the file, read (not mapped: a writer truncating it must not
 * crash us), and its stat. NULL with errno set on failure. */
static char *
hash_file(const char *path, struct stat *st)
{
	/* O_NONBLOCK: a FIFO planted in the inbox must not block the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		int err = S_ISREG(st->st_mode) ? errno : EINVAL;
		close(fd);
		errno = err;
		return NULL;
	}
	g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
	guchar buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			errno = err;
			return NULL;
		}
		g_checksum_update(c, buf, (gssize)n);
	}
	close(fd);
	return g_strdup(g_checksum_get_string(c));
}

static gboolean
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino
		   && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
		   && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* ---- names: collisions get -2, -3 ..., never an overwrite ---- */

/* A free path DIR/STEM[-N]EXT, reserved until release_name(): free means
 * absent on disk, not reserved by another photo in flight, and (for
 * failed/) with no PATH.error.txt either. */
static char *
reserve_name(AttacheWatchPlace *place, const char *dir, const char *stem,
	const char *ext, gboolean error_file)
{
	/* failed/NAME.error.txt (and a -N) must fit in 255 bytes too: a long
	 * name is shortened there the way output names are (docs/prep.md) */
	g_autofree char *short_stem = NULL;
	if (error_file && strlen(stem) + strlen(ext) + strlen(".error.txt") + 6 > 255) {
		g_autofree char *whole = g_strconcat(stem, ".x", NULL);
		stem = short_stem = attache_output_stem(whole);
	}
	g_mutex_lock(&place->names_lock);
	for (int n = 1;; n++) {
		g_autofree char *base = n == 1
									? g_strconcat(stem, ext, NULL)
									: g_strdup_printf("%s-%d%s", stem, n, ext);
		char *path = g_build_filename(dir, base, NULL);
		g_autofree char *errf = g_strconcat(path, ".error.txt", NULL);
		if (!g_hash_table_contains(place->reserved, path) && !exists(path) && !(error_file && exists(errf))) {
			g_hash_table_add(place->reserved, g_strdup(path));
			g_mutex_unlock(&place->names_lock);
			return path;
		}
		g_free(path);
	}
}

/* The output folder for the photo whose SHA-256 is @sha: its own earlier
 * folder OUT/STEM[-N] when one holds only that photo's outputs (dropped
 * again: @replaces is set to that folder's receipt id, (transfer full)),
 * else the first free name, as reserve_name(). */
static char *
reserve_folder(AttacheWatchPlace *place, const char *dir, const char *stem,
	const char *sha, char **replaces)
{
	*replaces = NULL;
	g_mutex_lock(&place->names_lock);
	char *own = NULL;
	for (int n = 1;; n++) {
		g_autofree char *base = n == 1 ? g_strdup(stem)
									   : g_strdup_printf("%s-%d", stem, n);
		char *path = g_build_filename(dir, base, NULL);
		gboolean reserved = g_hash_table_contains(place->reserved, path);
		if (!reserved && !exists(path)) {
			if (own)
				g_free(path);
			else
				own = path;
			break;
		}
		if (!own && !reserved && attache__watch_folder_is_own(path, sha, replaces))
			own = path;
		else
			g_free(path);
	}
	g_hash_table_add(place->reserved, g_strdup(own));
	g_mutex_unlock(&place->names_lock);
	return own;
}

static void
release_name(AttacheWatchPlace *place, const char *path)
{
	if (!path)
		return;
	g_mutex_lock(&place->names_lock);
	g_hash_table_remove(place->reserved, path);
	g_mutex_unlock(&place->names_lock);
}

/* ---- the journal ---- */

typedef struct {
	char *path; /* INBOX/.attache/journal/ID.json */
	JsonObject *o;
} Journal;

static void
journal_clear(Journal *j)
{
	g_free(j->path);
	if (j->o)
		json_object_unref(j->o);
}

static const char *
jstr(JsonObject *o, const char *name)
{
	return json_object_has_member(o, name)
			   ? json_object_get_string_member(o, name)
			   : NULL;
}

static gboolean
journal_save(Journal *j, GError **error)
{
	JsonNode *n = json_node_init_object(json_node_alloc(), j->o);
	g_autofree char *text = json_to_string(n, FALSE);
	json_node_unref(n);
	return attache_write_atomic(j->path, text, strlen(text), error) == ATTACHE_OK;
}

static void
journal_delete(AttacheWatchPlace *place, Journal *j)
{
	g_unlink(j->path);
	attache__fsync_dir(place->journal_dir);
}

/* ---- words for a person (the error file) ---- */

/* The message ids of data/messages.ini for a failure with @code: PREFIX
 * .what and PREFIX.todo. Static string. */
static const char *
reason_id(AttacheCode code)
{
	switch (code) {
	case ATTACHE_E_INPUT:
		return "photo.input";
	case ATTACHE_E_UNSUPPORTED:
		return "photo.unsupported";
	case ATTACHE_E_LIMIT:
		return "photo.limit";
	case ATTACHE_E_BUDGET:
		return "photo.budget";
	case ATTACHE_E_AUDIT:
		return "photo.audit";
	case ATTACHE_E_ALT:
		return "photo.alt";
	case ATTACHE_E_REJECTED:
		return "photo.rejected";
	case ATTACHE_E_UPLOAD:
	case ATTACHE_E_AUTH:
		return "photo.upload";
	case ATTACHE_E_IMAGE:
		return "photo.image";
	default:
		return "photo.internal";
	}
}

/* What went wrong, or what to do (@part: "what", "todo"), in @lang.
 * (transfer full) */
static char *
reason_text(AttacheCode code, const char *part, const char *lang)
{
	g_autofree char *id = g_strdup_printf("%s.%s", reason_id(code), part);
	return attache__message(id, lang, NULL);
}

/* The error file, in @lang (the folder's notes-lang); the technical
 * detail stays as the code wrote it, in English. (transfer full) */
static char *
error_text(const char *photo, AttacheCode code, const char *technical,
	const char *when, const char *lang)
{
	/* read with cat: the names in it are escaped like the terminal's */
	g_autofree char *name = attache_escape_text(photo);
	g_autofree char *tech = attache_escape_text(technical);
	g_autofree char *title = attache__message("note.photo.title", lang,
		"photo", name, NULL);
	g_autofree char *what_l = attache__message("note.what", lang, NULL);
	g_autofree char *what = reason_text(code, "what", lang);
	g_autofree char *todo_l = attache__message("note.todo", lang, NULL);
	g_autofree char *todo = reason_text(code, "todo", lang);
	g_autofree char *again = attache__message("note.photo.retry", lang, NULL);
	g_autofree char *tech_l = attache__message("note.technical", lang, NULL);
	g_autofree char *time_l = attache__message("note.time", lang, NULL);
	return g_strdup_printf("%s\n\n%s %s\n\n%s %s\n\n%s\n\n%s %s\n%s %s\n",
		title, what_l, what, todo_l, todo, again, tech_l, tech, time_l,
		when);
}

/* ---- the log line ---- */

static char *
now_iso(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}

/* The photo's log line, from the journal: the same whether written now or
 * by a restart. */
static char *
log_line(Journal *j, gboolean recovered)
{
	JsonObject *o = j->o;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *now = now_iso();
	gboolean done = g_strcmp0(jstr(o, "result"), "done") == 0;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, done ? "done" : "failed");
	json_builder_set_member_name(b, "time");
	json_builder_add_string_value(b, now);
	static const char *same[] = { "id", "photo", "sha256" };
	for (guint i = 0; i < G_N_ELEMENTS(same); i++) {
		json_builder_set_member_name(b, same[i]);
		json_builder_add_string_value(b, jstr(o, same[i]));
	}
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, json_object_get_int_member(o, "bytes"));
	json_builder_set_member_name(b, "original");
	json_builder_add_string_value(b, jstr(o, "original"));
	/* the outputs, when they landed (a photo the platform refused has
	 * them too) */
	if (json_object_has_member(o, "folder")) {
		const char *folder = jstr(o, "folder");
		json_builder_set_member_name(b, "presets");
		json_builder_add_string_value(b, jstr(o, "presets"));
		json_builder_set_member_name(b, "folder");
		json_builder_add_string_value(b, folder);
		json_builder_set_member_name(b, "outputs");
		json_builder_begin_array(b);
		JsonArray *outs = json_object_get_array_member(o, "outputs");
		for (guint i = 0; i < json_array_get_length(outs); i++) {
			JsonObject *m = json_array_get_object_element(outs, i);
			g_autofree char *p = g_build_filename(folder,
				jstr(m, "output"), NULL);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "preset");
			json_builder_add_string_value(b, jstr(m, "preset"));
			json_builder_set_member_name(b, "output");
			json_builder_add_string_value(b, p);
			static const char *ints[] = { "width", "height", "bytes",
				"quality" };
			for (guint k = 0; k < G_N_ELEMENTS(ints); k++) {
				json_builder_set_member_name(b, ints[k]);
				json_builder_add_int_value(b,
					json_object_get_int_member(m, ints[k]));
			}
			json_builder_set_member_name(b, "format");
			json_builder_add_string_value(b, jstr(m, "format"));
			json_builder_set_member_name(b, "sha256");
			json_builder_add_string_value(b, jstr(m, "sha256"));
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	/* handed over (AttacheWatchOptions.take): prepared elsewhere */
	if (json_object_has_member(o, "taken")) {
		json_builder_set_member_name(b, "taken");
		json_builder_add_boolean_value(b, TRUE);
		json_builder_set_member_name(b, "presets");
		json_builder_add_string_value(b, jstr(o, "presets"));
	}
	if (json_object_has_member(o, "uploads")) {
		json_builder_set_member_name(b, "uploads");
		json_builder_add_value(b,
			json_node_copy(json_object_get_member(o, "uploads")));
	}
	if (!done) {
		static const char *fail[] = { "error_file", "code", "error",
			"reason" };
		for (guint i = 0; i < G_N_ELEMENTS(fail); i++) {
			json_builder_set_member_name(b, fail[i]);
			json_builder_add_string_value(b, jstr(o, fail[i]));
		}
	}
	if (json_object_has_member(o, "ms") && !recovered) {
		json_builder_set_member_name(b, "ms");
		json_builder_add_int_value(b, json_object_get_int_member(o, "ms"));
	}
	json_builder_set_member_name(b, "recovered");
	json_builder_add_boolean_value(b, recovered);
	json_builder_end_object(b);

	JsonNode *root = json_builder_get_root(b);
	attache__json_make_valid(root); /* photo_bytes for a non-UTF-8 name */
	char *s = json_to_string(root, FALSE);
	json_node_unref(root);
	return s;
}

/* Whether attache.log in the inbox already has the line of photo @id
 * (after a crash). An inbox writer's file: no link, a regular file,
 * bounded; one that cannot be read counts as not having it. */
static gboolean
log_has(const char *log_path, const char *id)
{
	g_autofree char *text = NULL;
	gsize len;
	if (attache__read_small(log_path, WATCH_LOG_MAX_BYTES,
			ATTACHE_READ_NOFOLLOW, &text, &len, NULL))
		return FALSE;
	g_autofree char *needle = g_strdup_printf("\"id\":\"%s\"", id);
	return strstr(text, needle) != NULL;
}

/* The manifest lines of the outputs (manifest.c), output paths in the
 * landed folder, without the journal's own members. */
static GPtrArray *
manifest_lines(Journal *j)
{
	static const char *const ours[] = { "platform", "send", NULL };
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	const char *folder = jstr(j->o, "folder");
	JsonArray *outs = json_object_get_array_member(j->o, "outputs");
	for (guint i = 0; i < json_array_get_length(outs); i++) {
		JsonObject *m = json_array_get_object_element(outs, i);
		g_autofree char *p = g_build_filename(folder, jstr(m, "output"),
			NULL);
		g_ptr_array_add(lines, attache__manifest_line_from_fields(m, p, ours));
	}
	return lines;
}

/* Appends the outputs to OUT/attache-manifest.jsonl; after a crash, only
 * those not there yet (same output path and hash). */
static gboolean
manifest_write(Journal *j, gboolean recovered, GError **error)
{
	g_autofree char *path = g_build_filename(jstr(j->o, "out_dir"),
		"attache-manifest.jsonl", NULL);
	g_autoptr(GPtrArray) lines = manifest_lines(j);
	g_autoptr(GHashTable) have = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	g_autofree char *text = NULL;

	gsize text_len;
	if (recovered && attache__read_small(path, ATTACHE_MAX_TABLE_BYTES, ATTACHE_READ_NOFOLLOW, &text, &text_len, NULL) == ATTACHE_OK) {
		g_auto(GStrv) all = g_strsplit(text, "\n", -1);
		for (int i = 0; all[i]; i++) {
			g_autoptr(JsonParser) p = json_parser_new();
			if (!*all[i] || !json_parser_load_from_data(p, all[i], -1, NULL))
				continue;
			JsonNode *r = json_parser_get_root(p);
			if (!JSON_NODE_HOLDS_OBJECT(r))
				continue;
			JsonObject *m = json_node_get_object(r);
			if (jstr(m, "output") && jstr(m, "sha256"))
				g_hash_table_add(have, g_strconcat(jstr(m, "output"), "\n",
										   jstr(m, "sha256"), NULL));
		}
	}
	JsonArray *outs = json_object_get_array_member(j->o, "outputs");
	for (guint i = 0; i < lines->len; i++) {
		JsonObject *m = json_array_get_object_element(outs, i);
		g_autofree char *p = g_build_filename(jstr(j->o, "folder"),
			jstr(m, "output"), NULL);
		g_autofree char *key = g_strconcat(p, "\n", jstr(m, "sha256"), NULL);
		if (g_hash_table_contains(have, key))
			continue;
		if (!attache__append_line(path, lines->pdata[i], error))
			return FALSE;
	}
	return TRUE;
}

/* ---- the steps after the journal, shared by a run and a restart ---- */

typedef enum {
	FINISH_OK,
	FINISH_AGAIN,	 /* disk trouble: keep the journal, try it later */
	FINISH_GONE,	 /* the staged outputs are gone: start the photo over */
	FINISH_APPROVAL, /* require-approval: an output is not approved yet;
					  * keep the journal, look again later */
} Finish;

/* Moves the original to the journal's "original" path (a new free name if
 * a stranger took it meanwhile). After a crash the photo is moved only if
 * it is still the same file (same SHA-256). */
static gboolean
move_original(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	const char *dir, GError **error)
{
	const char *photo = jstr(j->o, "photo");
	g_autofree char *src = g_build_filename(place->inbox, photo, NULL);

	if (recovered) {
		struct stat st;
		g_autofree char *sha = hash_file(src, &st);
		if (!sha || !g_str_equal(sha, jstr(j->o, "sha256")))
			return TRUE; /* moved before the crash (or replaced since) */
	}
	for (int tries = 0; tries < 1000; tries++) {
		const char *to = jstr(j->o, "original");
		if (rename_noreplace(src, to) == 0) {
			/* keep-originals counts from now, not from a date a sync
			 * client or camera kept on the file (docs/watch.md) */
			if (g_str_equal(dir, place->done_dir) && utimensat(AT_FDCWD, to, NULL, AT_SYMLINK_NOFOLLOW) != 0)
				g_debug("%s: cannot set the time it was done: %s", to,
					g_strerror(errno));
			attache__fsync_dir(dir);
			attache__fsync_dir(place->inbox);
			return TRUE;
		}
		if (errno != EEXIST) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
				"%s: cannot move to %s: %s", src, to, g_strerror(errno));
			return FALSE;
		}
		/* someone put a file there after we chose the name */
		g_autofree char *stem = attache__file_stem(photo);
		g_autofree char *old = g_strdup(to);
		char *next = reserve_name(place, dir, stem, ext_of(photo),
			!g_str_equal(dir, place->done_dir));
		json_object_set_string_member(j->o, "original", next);
		if (json_object_has_member(j->o, "error_file")) {
			g_autofree char *errf = g_strconcat(next, ".error.txt", NULL);
			g_autofree char *olderr = g_strdup(jstr(j->o, "error_file"));
			if (exists(olderr) && rename_noreplace(olderr, errf) == 0)
				attache__fsync_dir(dir);
			json_object_set_string_member(j->o, "error_file", errf);
		}
		release_name(place, old);
		g_free(next);
		if (!journal_save(j, error))
			return FALSE;
	}
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
		"%s: no free name in %s", src, dir);
	return FALSE;
}

/* Something the operator should know, reported with the photo's outcome
 * on the run's thread (ATTACHE_WATCH_NOTICE). */
static void
job_notice(AttacheWatchJob *job, const char *text)
{
	char *all = job->notice ? g_strconcat(job->notice, "; ", text, NULL)
							: g_strdup(text);
	g_free(job->notice);
	job->notice = all;
}

static void
finish_log(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job)
{
	if (recovered && log_has(place->log_path, jstr(j->o, "id")))
		return;
	g_autofree char *line = log_line(j, recovered);
	g_autoptr(GError) e = NULL;
	/* an unwritable log does not undo the photo: it is reported, by the
	 * run's event callback (the library never prints) */
	if (!attache__append_line(place->log_path, line, &e))
		job_notice(job, e->message);
	job->json = g_steal_pointer(&line);
}

/* ---- upload (docs/upload.md): after landing, before the original moves ---- */

/* The key of the uploader for @t and @account (NULL: the default one),
 * with or without the approval gate. (transfer full) */
static char *
uploader_key(AttacheTarget t, gboolean gate, const char *account)
{
	return g_strdup_printf("%d/%d/%s", (int)t, gate ? 1 : 0, account ? account : "");
}

/* The run's uploader for @t and @account (the output's language's,
 * docs/upload.md "Accounts per language"), made on first use (one per
 * target, account and run: it holds the connection, the session and what
 * was already sent). With @gate, it checks the approval of the very bytes
 * it sends (docs/review.md). */
static AttacheUploader *
uploader_get(AttacheWatchPlace *place, AttacheTarget t, gboolean gate,
	const char *account, GError **error)
{
	g_autofree char *key = uploader_key(t, gate, account);
	g_mutex_lock(&place->upload_lock);
	AttacheUploader *up = g_hash_table_lookup(place->uploaders, key);
	if (!up) {
		AttacheCredentials *c = NULL;
		AttacheUploadOptions *o = attache_upload_options_new();
		o->require_approval = gate;
		if (attache_credentials_load_account(t, account, NULL, &c, error) == ATTACHE_OK && attache_uploader_new(c, o, &up, error) == ATTACHE_OK)
			g_hash_table_insert(place->uploaders, g_steal_pointer(&key), up);
		attache_credentials_free(c);
		attache_upload_options_free(o);
	}
	g_mutex_unlock(&place->upload_lock);
	return up;
}

/* Credentials refused: the next try makes a new uploader (the credentials
 * may have been fixed); this one may still be in use by another worker,
 * so it is freed at the end of the run. */
static void
uploader_retire(AttacheWatchPlace *place, AttacheTarget t, gboolean gate,
	const char *account, AttacheUploader *up)
{
	g_autofree char *key = uploader_key(t, gate, account);
	g_mutex_lock(&place->upload_lock);
	if (g_hash_table_lookup(place->uploaders, key) == up) {
		g_hash_table_remove(place->uploaders, key);
		g_ptr_array_add(place->retired, up);
	}
	g_mutex_unlock(&place->upload_lock);
}

static gboolean
uploaded(JsonArray *ups, const char *file, const char *target)
{
	for (guint i = 0; i < json_array_get_length(ups); i++) {
		JsonObject *u = json_array_get_object_element(ups, i);
		if (g_strcmp0(jstr(u, "file"), file) == 0 && g_strcmp0(jstr(u, "target"), target) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Uploads each output to each target of its preset's platform, recording
 * each result in the journal as soon as it is known, so a restart sends
 * nothing twice. Network trouble and refused credentials: FINISH_AGAIN
 * (later); a refusal of the media itself: *refused is set. With
 * require-approval, an output not approved (yet) is skipped and the
 * others go; then FINISH_APPROVAL, @error saying what is missing. */
static Finish
upload_outputs(AttacheWatchPlace *place, Journal *j, AttacheCode *refused,
	GError **error)
{
	const char *targets = jstr(j->o, "upload");
	if (!targets || !*targets)
		return FINISH_OK;
	if (!json_object_has_member(j->o, "uploads"))
		json_object_set_array_member(j->o, "uploads", json_array_new());
	JsonArray *ups = json_object_get_array_member(j->o, "uploads");
	JsonArray *outs = json_object_get_array_member(j->o, "outputs");
	g_auto(GStrv) list = g_strsplit(targets, ",", -1);
	gboolean gate = json_object_has_member(j->o, "require_approval") && json_object_get_boolean_member(j->o, "require_approval");
	g_autofree char *waiting = NULL; /* why the first one waits */

	for (guint i = 0; i < json_array_get_length(outs); i++) {
		JsonObject *m = json_array_get_object_element(outs, i);
		g_autofree char *path = g_build_filename(jstr(j->o, "folder"),
			jstr(m, "output"), NULL);
		for (int k = 0; list[k]; k++) {
			AttacheTarget t;
			if (g_strcmp0(jstr(m, "platform"), list[k]) != 0 || !attache_target_from_string(list[k], &t) || uploaded(ups, path, list[k]))
				continue;
			if (gate) {
				/* asked first, so an output still waiting costs no
				 * connection; the uploader asks again of the bytes sent */
				AttacheApprovalStatus *st = NULL;
				if (attache_approval_check(path, NULL, &st, NULL)) {
					if (!waiting)
						waiting = g_strdup(st ? st->message : path);
					attache_approval_status_free(st);
					continue;
				}
				attache_approval_status_free(st);
			}
			JsonObject *send = json_object_has_member(m, "send")
								   ? json_object_get_object_member(m, "send")
								   : NULL;
			const char *account = send ? jstr(send, "account") : NULL;
			AttacheUploader *up = uploader_get(place, t, gate, account, error);
			if (!up)
				return FINISH_AGAIN;
			AttacheUploadResult *r = NULL;
			g_autoptr(GError) e = NULL;
			gboolean focus = send && json_object_has_member(send, "focus_x");
			AttacheCode code = attache_upload_file(up, path,
				send ? jstr(send, "alt") : NULL, focus,
				focus ? json_object_get_double_member(send, "focus_x") : 0,
				focus ? json_object_get_double_member(send, "focus_y") : 0,
				&r, &e);
			if (code == ATTACHE_OK) {
				g_autofree char *text = attache_upload_result_to_json(r);
				JsonNode *n = json_from_string(text, NULL);
				if (n)
					json_array_add_element(ups, n);
				attache_upload_result_free(r);
				if (!journal_save(j, error))
					return FINISH_AGAIN;
				crash_point(place, "uploaded");
				continue;
			}
			attache_upload_result_free(r);
			if (code == ATTACHE_E_APPROVAL) {
				/* changed between the two looks */
				if (!waiting)
					waiting = g_strdup(e->message);
				continue;
			}
			g_propagate_error(error, g_steal_pointer(&e));
			if (code == ATTACHE_E_AUTH)
				uploader_retire(place, t, gate, account, up);
			if (code == ATTACHE_E_UPLOAD || code == ATTACHE_E_AUTH)
				return FINISH_AGAIN;
			*refused = code;
			return FINISH_OK;
		}
	}
	if (waiting) {
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL,
			waiting);
		return FINISH_APPROVAL;
	}
	return FINISH_OK;
}

static Finish finish_failed(AttacheWatchPlace *place, Journal *j,
	gboolean recovered, AttacheWatchJob *job, GError **error);

/* The outputs landed but the platform refused one: the photo fails (its
 * outputs stay, listed in the log line), the original goes to failed/. */
static Finish
fail_after_landing(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job, AttacheCode code, GError **error)
{
	const char *photo = jstr(j->o, "photo");
	g_autofree char *stem = attache__file_stem(photo);
	g_autofree char *technical = g_strdup((*error)->message);
	/* the log's reason is for support: English, like the code's message */
	g_autofree char *what = reason_text(code, "what", "en");
	g_clear_error(error);

	char *dest = reserve_name(place, place->failed_dir, stem, ext_of(photo),
		TRUE);
	g_autofree char *errf = g_strconcat(dest, ".error.txt", NULL);
	release_name(place, jstr(j->o, "original"));
	json_object_set_string_member(j->o, "result", "failed");
	json_object_set_string_member(j->o, "original", dest);
	json_object_set_string_member(j->o, "error_file", errf);
	json_object_set_string_member(j->o, "code", attache_code_name(code));
	json_object_set_int_member(j->o, "code_number", code);
	json_object_set_string_member(j->o, "error", technical);
	json_object_set_string_member(j->o, "reason", what);
	g_free(dest);
	if (!journal_save(j, error))
		return FINISH_AGAIN;
	return finish_failed(place, j, recovered, job, error);
}

/* Steps 5 and 6, the same for a photo done and one failed: the original
 * to @dir, the log line, the journal gone. FALSE (@error set) when the
 * move fails: the journal stays for the next try. */
static gboolean
move_and_log(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job, const char *dir, GError **error)
{
	if (!move_original(place, j, recovered, dir, error))
		return FALSE;
	crash_point(place, "moved");
	finish_log(place, j, recovered, job);
	crash_point(place, "logged");
	journal_delete(place, j);
	return TRUE;
}

/* Whether @dir's receipt carries photo id @id. */
static gboolean
receipt_has_id(const char *dir, const char *id)
{
	g_autofree char *receipt = g_build_filename(dir, RECEIPT, NULL);
	g_autofree char *text = NULL;
	g_autofree char *needle = g_strdup_printf("\"id\":\"%s\"", id);
	gsize len;
	return attache__read_small(receipt, ATTACHE_MAX_SETTINGS_BYTES,
			   ATTACHE_READ_NOFOLLOW, &text, &len, NULL)
			   == ATTACHE_OK
		   && strstr(text, needle);
}

/* A photo dropped again (the journal's "replaces"): its staging folder
 * and its earlier folder trade places in one rename (RENAME_EXCHANGE), so
 * the folder's outputs change all at once, then the earlier outputs move
 * to OUT/.attache-replaced/ID/ (docs/watch.md). After a crash each part
 * is recognised by the receipts' ids. 1: landed so; 0: land as usual (no
 * replacement, or the earlier folder is gone or changed); -1: disk
 * trouble, @error set. */
static int
swap_own_folder(AttacheWatchPlace *place, Journal *j, GError **error)
{
	const char *old_id = jstr(j->o, "replaces");
	const char *staging = jstr(j->o, "staging");
	const char *folder = jstr(j->o, "folder");
	if (!old_id)
		return 0;
	gboolean landed = receipt_has_id(folder, jstr(j->o, "id"));
	if (!landed && exists(staging)) {
		if (!receipt_has_id(folder, old_id))
			return 0; /* deleted or taken since: the next free name */
#ifdef RENAME_EXCHANGE
		if (renameat2(AT_FDCWD, staging, AT_FDCWD, folder, RENAME_EXCHANGE) != 0)
#endif
		{
			/* no exchange here: the earlier folder first, then ours */
			g_autofree char *aside = g_strconcat(staging, ".old", NULL);
			if (rename_noreplace(folder, aside) != 0 || rename_noreplace(staging, folder) != 0 || rename(aside, staging) != 0) {
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
					"%s: cannot replace the earlier outputs: %s", folder,
					g_strerror(errno));
				return -1;
			}
		}
		attache__fsync_dir(jstr(j->o, "out_dir"));
		landed = TRUE;
	}
	if (!landed)
		return 0;
	/* the staging name now holds the earlier outputs */
	if (exists(staging) && receipt_has_id(staging, old_id)) {
		g_autofree char *dir = g_build_filename(jstr(j->o, "out_dir"),
			REPLACED, NULL);
		g_autofree char *to = g_build_filename(dir, old_id, NULL);
		/* never through a link someone put in the output folder */
		if (attache__mkdir_beneath(jstr(j->o, "out_dir"), REPLACED) != 0 || rename_noreplace(staging, to) != 0)
			remove_tree(staging); /* moved already once: drop the copy */
		attache__fsync_dir(dir);
	}
	g_autofree char *parent = g_path_get_dirname(staging);
	attache__fsync_dir(parent);
	return 1;
}

/* 3-6 for a photo that was prepared. */
static Finish
finish_done(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job, GError **error)
{
	const char *staging = jstr(j->o, "staging");
	const char *out_dir = jstr(j->o, "out_dir");

	/* 3: land every output at once */
	int swapped = swap_own_folder(place, j, error);
	if (swapped < 0)
		return FINISH_AGAIN;
	/* (swapped: landed in place of its earlier outputs) */
	if (!swapped && exists(staging)) {
		for (;;) {
			const char *folder = jstr(j->o, "folder");
			if (rename_noreplace(staging, folder) == 0)
				break;
			if (errno != EEXIST) {
				g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
					"%s: cannot move the outputs into place: %s", folder,
					g_strerror(errno));
				return FINISH_AGAIN;
			}
			/* taken since we chose it: the next free name (the files
			 * inside keep their names) */
			g_autofree char *old = g_strdup(folder);
			g_autofree char *base = g_path_get_basename(old);
			char *next = reserve_name(place, out_dir, base, "", FALSE);
			json_object_set_string_member(j->o, "folder", next);
			release_name(place, old);
			g_free(next);
			if (!journal_save(j, error))
				return FINISH_AGAIN;
		}
		attache__fsync_dir(out_dir);
		g_autofree char *parent = g_path_get_dirname(staging);
		attache__fsync_dir(parent);
	}
	else if (!swapped) {
		/* landed before a crash? its receipt says which photo it holds */
		g_autofree char *receipt = g_build_filename(jstr(j->o, "folder"),
			RECEIPT, NULL);
		g_autofree char *text = NULL;
		g_autofree char *needle = g_strdup_printf("\"id\":\"%s\"",
			jstr(j->o, "id"));
		gsize text_len;
		if (attache__read_small(receipt, ATTACHE_MAX_SETTINGS_BYTES,
				ATTACHE_READ_NOFOLLOW, &text, &text_len, NULL)
			|| !strstr(text, needle)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
				"%s: the prepared outputs are gone; preparing the photo again",
				jstr(j->o, "folder"));
			return FINISH_GONE;
		}
	}
	crash_point(place, "landed");

	/* 4 */
	if (!manifest_write(j, recovered, error))
		return FINISH_AGAIN;
	crash_point(place, "manifest");

	/* upload, when the settings name targets */
	AttacheCode refused = ATTACHE_OK;
	Finish f = upload_outputs(place, j, &refused, error);
	if (f != FINISH_OK)
		return f;
	if (refused)
		return fail_after_landing(place, j, recovered, job, refused, error);

	/* 5, 6 */
	if (!move_and_log(place, j, recovered, job, place->done_dir, error))
		return FINISH_AGAIN;

	job->outcome = ATTACHE__PHOTO_DONE;
	job->code = ATTACHE_OK;
	JsonArray *outs = json_object_get_array_member(j->o, "outputs");
	guint n = json_array_get_length(outs);
	job->message = g_strdup_printf("%s: %u output%s in %s", job->name, n,
		n == 1 ? "" : "s", jstr(j->o, "folder"));
	return FINISH_OK;
}

/* 3-6 for a photo handed over (AttacheWatchOptions.take): the taker
 * keeps it, then the original moves to done/ and the log line says so.
 * After a crash the photo is handed over again (same id) unless it has
 * moved already; a plain hot folder that finds such a journal (the desk
 * is not running) starts the photo over and prepares it itself. */
static Finish
finish_taken(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job, GError **error)
{
	const char *photo = jstr(j->o, "photo");
	g_autofree char *src = g_build_filename(place->inbox, photo, NULL);
	if (!place->take) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: was being handed to attache serve --inbox; prepared here instead", src);
		return FINISH_GONE;
	}
	struct stat st;
	g_autofree char *now = recovered ? hash_file(src, &st) : NULL;
	/* after a crash: still the same photo, or moved to done/ already */
	if (recovered && (now ? !g_str_equal(now, jstr(j->o, "sha256")) : !exists(jstr(j->o, "original")))) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: changed or gone before it was handed over", src);
		return FINISH_GONE;
	}
	if (!recovered || now) {
		AttacheWatchTake t = { src, photo, jstr(j->o, "id"), jstr(j->o, "sha256"), jstr(j->o, "presets") };
		AttacheCode code = place->take(&t, place->take_data, error);
		if (code == ATTACHE_E_WRITE)
			return FINISH_AGAIN;
		if (code) {
			if (!*error)
				g_set_error(error, ATTACHE_ERROR, code, "%s: refused", src);
			return fail_after_landing(place, j, recovered, job, code, error);
		}
		crash_point(place, "taken");
	}
	if (!move_and_log(place, j, recovered, job, place->done_dir, error))
		return FINISH_AGAIN;
	job->outcome = ATTACHE__PHOTO_DONE;
	job->code = ATTACHE_OK;
	job->message = g_strdup_printf("%s: handed over", job->name);
	return FINISH_OK;
}

/* The failure line in OUTDIR's manifest, once (the journal notes it),
 * so that the review page lists the photo with where its original is
 * (docs/watch.md). The photo has failed already: a line that cannot be
 * written is noted and changes nothing. */
static void
manifest_failure(AttacheWatchPlace *place, Journal *j, AttacheWatchJob *job,
	AttacheCode code)
{
	const char *out_dir = jstr(j->o, "out_dir");
	if (!out_dir || json_object_has_member(j->o, "manifest_failure"))
		return;
	g_autofree char *input = g_build_filename(place->inbox, jstr(j->o, "photo"), NULL);
	JsonObject *extra = json_object_new();
	const char *keep[] = { "original", "error_file", "reason", "id" };
	for (guint i = 0; i < G_N_ELEMENTS(keep); i++)
		if (jstr(j->o, keep[i]))
			json_object_set_string_member(extra, keep[i], jstr(j->o, keep[i]));
	const char *by = job->settings ? job->settings->prep->prepared_by : NULL;
	g_autofree char *line = attache__manifest_failure_line_with(input, code,
		jstr(j->o, "error"), by, extra);
	json_object_unref(extra);
	g_autoptr(GError) e = NULL;
	if (!attache__append_line_beneath(out_dir, "attache-manifest.jsonl", line, &e))
		job_notice(job, e->message);
	json_object_set_boolean_member(j->o, "manifest_failure", TRUE);
	journal_save(j, NULL);
}

/* 5-6 for a photo that failed: error file, original to failed/, log. */
static Finish
finish_failed(AttacheWatchPlace *place, Journal *j, gboolean recovered,
	AttacheWatchJob *job, GError **error)
{
	const char *errf = jstr(j->o, "error_file");
	AttacheCode code = (AttacheCode)json_object_get_int_member(j->o,
		"code_number");

	if (!exists(errf)) {
		g_autofree char *when = now_iso();
		const char *lang = jstr(j->o, "notes_lang");
		g_autofree char *text = error_text(jstr(j->o, "photo"), code,
			jstr(j->o, "error"), when, lang ? lang : "en");
		if (attache_write_atomic(errf, text, strlen(text), error))
			return FINISH_AGAIN;
	}
	crash_point(place, "landed");
	manifest_failure(place, j, job, code);
	if (!move_and_log(place, j, recovered, job, place->failed_dir, error))
		return FINISH_AGAIN;

	job->outcome = ATTACHE__PHOTO_FAILED;
	job->code = code;
	job->message = g_strdup_printf("%s: %s (see %s)", job->name,
		jstr(j->o, "reason"), jstr(j->o, "error_file"));
	return FINISH_OK;
}

static void
retry(AttacheWatchJob *job, AttacheCode code, const char *why)
{
	job->outcome = ATTACHE__PHOTO_RETRY;
	job->code = code;
	g_free(job->message);
	job->message = g_strdup_printf("%s: cannot finish it now (%s); it stays "
								   "in the folder and is tried again later",
		job->name, why);
}

/* The journal is written and a later step failed: the photo must not be
 * prepared again (its outputs may have landed), the journal is retried. */
static void
retry_journal(AttacheWatchJob *job, Journal *j, const char *why)
{
	retry(job, ATTACHE_E_WRITE, why);
	g_free(job->journal);
	job->journal = g_strdup(j->path);
}

/* The outputs landed; their upload waits for a second person's approval
 * (require-approval, docs/review.md). Like disk trouble, the journal stays
 * (the photo waits in the inbox, its name blocked) and is looked at again
 * with the retries; unlike it, this is no failure, and it is logged once
 * per state ("awaiting-approval"), not at every look. */
static void
await_approval(AttacheWatchPlace *place, AttacheWatchJob *job, Journal *j,
	const char *why)
{
	job->outcome = ATTACHE__PHOTO_AWAITING;
	job->code = ATTACHE_E_APPROVAL;
	g_free(job->message);
	job->message = g_strdup_printf("%s: outputs in %s; the upload waits "
								   "for approval (%s)",
		job->name, jstr(j->o, "folder"), why);
	g_free(job->journal);
	job->journal = g_strdup(j->path);
	if (g_strcmp0(jstr(j->o, "awaiting"), why) == 0)
		return;

	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *now = now_iso();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, "awaiting-approval");
	json_builder_set_member_name(b, "time");
	json_builder_add_string_value(b, now);
	/* not "id": log_has() finds the photo's own line by that */
	json_builder_set_member_name(b, "photo_id");
	json_builder_add_string_value(b, jstr(j->o, "id"));
	json_builder_set_member_name(b, "photo");
	json_builder_add_string_value(b, jstr(j->o, "photo"));
	json_builder_set_member_name(b, "folder");
	json_builder_add_string_value(b, jstr(j->o, "folder"));
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, why);
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	char *line = json_to_string(root, FALSE);
	json_node_unref(root);
	/* the line first: a crash before the journal notes it repeats the
	 * line, never loses it */
	g_autoptr(GError) e = NULL;
	if (!attache__append_line(place->log_path, line, &e))
		job_notice(job, e->message);
	json_object_set_string_member(j->o, "awaiting", why);
	journal_save(j, NULL);
	g_free(job->json);
	job->json = line;
}

static Journal
journal_start(AttacheWatchPlace *place, const char *id, const char *name,
	const char *sha, const struct stat *st, const char *result)
{
	Journal j = { 0 };
	g_autofree char *file = g_strconcat(id, ".json", NULL);
	j.path = g_build_filename(place->journal_dir, file, NULL);
	j.o = json_object_new();
	json_object_set_string_member(j.o, "id", id);
	json_object_set_string_member(j.o, "photo", name);
	json_object_set_string_member(j.o, "sha256", sha);
	json_object_set_int_member(j.o, "bytes", (gint64)st->st_size);
	json_object_set_string_member(j.o, "result", result);
	return j;
}

/* The photo cannot be prepared: journal, error file, failed/, log. */
static void
fail_photo(AttacheWatchPlace *place, AttacheWatchJob *job, const char *id,
	const char *sha, const struct stat *st, AttacheCode code,
	const char *technical, double seconds)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *stem = attache__file_stem(job->name);
	g_autofree char *what = reason_text(code, "what", "en");

	Journal j = journal_start(place, id, job->name, sha, st, "failed");
	if (job->settings) /* for the failure line of its manifest */
		json_object_set_string_member(j.o, "out_dir", job->settings->out_dir);
	char *dest = reserve_name(place, place->failed_dir, stem,
		ext_of(job->name), TRUE);
	g_autofree char *errf = g_strconcat(dest, ".error.txt", NULL);
	json_object_set_string_member(j.o, "original", dest);
	json_object_set_string_member(j.o, "error_file", errf);
	json_object_set_string_member(j.o, "code", attache_code_name(code));
	json_object_set_int_member(j.o, "code_number", code);
	json_object_set_string_member(j.o, "error", technical);
	json_object_set_string_member(j.o, "reason", what);
	json_object_set_string_member(j.o, "notes_lang",
		job->settings ? job->settings->notes_lang : "en");
	json_object_set_int_member(j.o, "ms", (gint64)(seconds * 1000));

	if (!journal_save(&j, &e))
		retry(job, ATTACHE_E_WRITE, e->message);
	else {
		crash_point(place, "journal");
		if (finish_failed(place, &j, FALSE, job, &e) != FINISH_OK)
			retry_journal(job, &j, e->message);
	}
	release_name(place, jstr(j.o, "original"));
	release_name(place, dest);
	g_free(dest);
	journal_clear(&j);
}

static char *
new_id(void)
{
	g_autofree char *u = g_uuid_string_random();
	GString *s = g_string_new(NULL);
	for (const char *p = u; *p; p++)
		if (*p != '-')
			g_string_append_c(s, *p);
	return g_string_free(s, FALSE);
}

static char *
staging_path(AttacheWatchPlace *place, const char *out_dir, const char *id)
{
	return g_build_filename(out_dir, STAGING, place->inbox_key, id, NULL);
}

static gboolean
write_receipt(const char *staging, const char *id, const char *name,
	const char *sha, GPtrArray *outputs, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *now = now_iso();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, id);
	json_builder_set_member_name(b, "photo");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "sha256");
	json_builder_add_string_value(b, sha);
	json_builder_set_member_name(b, "prepared_at");
	json_builder_add_string_value(b, now);
	json_builder_set_member_name(b, "outputs");
	json_builder_begin_array(b);
	for (guint i = 0; i < outputs->len; i++) {
		const AttacheOutput *o = outputs->pdata[i];
		g_autofree char *base = g_path_get_basename(o->output);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "preset");
		json_builder_add_string_value(b, o->preset);
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, base);
		json_builder_set_member_name(b, "sha256");
		json_builder_add_string_value(b, o->sha256);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	JsonNode *root = json_builder_get_root(b);
	g_autofree char *text = json_to_string(root, FALSE);
	json_node_unref(root);
	g_autofree char *path = g_build_filename(staging, RECEIPT, NULL);
	return attache_write_atomic(path, text, strlen(text), error) == ATTACHE_OK;
}

/* Whether a photo that could not be prepared counts as failed: it has
 * held still for the settle time (the loop saw it so, or its mtime is
 * that old). A writer that appends in chunks and closes the file between
 * them looks complete for a moment; the photo is then cut short. */
static gboolean
settled(const AttacheWatchJob *job, const struct stat *st)
{
	gint64 mtime = (gint64)st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
	return job->settled || g_get_real_time() - mtime >= job->settle_usec;
}

/* A complete photo handed over instead of prepared: its journal (with
 * the name it will have in done/), then finish_taken(). */
static void
take_photo(AttacheWatchPlace *place, AttacheWatchJob *job, const char *id,
	const char *sha, const struct stat *st0)
{
	g_autofree char *stem = attache__file_stem(job->name);
	char *dest = reserve_name(place, place->done_dir, stem, ext_of(job->name),
		FALSE);
	Journal j = journal_start(place, id, job->name, sha, st0, "done");
	json_object_set_boolean_member(j.o, "taken", TRUE);
	json_object_set_string_member(j.o, "original", dest);
	json_object_set_string_member(j.o, "presets", job->settings->presets);
	json_object_set_string_member(j.o, "notes_lang", job->settings->notes_lang);
	g_autoptr(GError) e = NULL;
	if (!journal_save(&j, &e))
		retry(job, ATTACHE_E_WRITE, e->message);
	else {
		crash_point(place, "journal");
		if (finish_taken(place, &j, FALSE, job, &e) != FINISH_OK)
			retry_journal(job, &j, e->message);
	}
	release_name(place, jstr(j.o, "original"));
	release_name(place, dest);
	g_free(dest);
	journal_clear(&j);
}

/* Step 1: what exactly is being prepared. Returns: (transfer full) the
 * photo's SHA-256 with *@st its stat, or %NULL when the job is settled
 * already (gone, unreadable or not a photo: failed/). */
static char *
photo_identify(AttacheWatchPlace *place, AttacheWatchJob *job,
	const char *path, const char *id, struct stat *st)
{
	char *sha = hash_file(path, st);
	if (!sha) {
		if (errno == ENOENT) {
			job->outcome = ATTACHE__PHOTO_GONE;
			return NULL;
		}
		memset(st, 0, sizeof(*st));
		g_autofree char *msg = g_strdup_printf("%s: cannot read: %s", path,
			g_strerror(errno));
		fail_photo(place, job, id, "", st, ATTACHE_E_INPUT, msg, 0);
		return NULL;
	}
	if (!attache_is_image_name(job->name)) {
		g_autofree char *msg = g_strdup_printf("%s: not a photo: the name "
											   "ends in \"%s\"; attache "
											   "prepares JPEG, HEIC, PNG, "
											   "WebP and TIFF files",
			path, ext_of(job->name));
		fail_photo(place, job, id, sha, st, ATTACHE_E_UNSUPPORTED, msg, 0);
		g_free(sha);
		return NULL;
	}
	return sha;
}

/* The output folder (checked, made) and the photo's staging folder in it.
 * Returns: (transfer full) the staging path, or %NULL with a retry set. */
static char *
staging_make(AttacheWatchPlace *place, AttacheWatchJob *job,
	AttacheWatchSettings *s, const char *id)
{
	g_autoptr(GError) err = NULL;
	if (attache__watch_out_dir_check(s, place->inbox, &err)) {
		retry(job, ATTACHE_E_WRITE, err->message);
		return NULL;
	}
	if (g_mkdir_with_parents(s->out_dir, 0777) != 0) {
		g_autofree char *why = g_strdup_printf("%s: cannot create the "
											   "output folder: %s",
			s->out_dir, g_strerror(errno));
		retry(job, ATTACHE_E_WRITE, why);
		return NULL;
	}
	char *staging = staging_path(place, s->out_dir, id);
	g_autofree char *rel = g_build_filename(STAGING, place->inbox_key, id, NULL);
	/* never through a link someone put in the output folder */
	if (attache__mkdir_beneath(s->out_dir, rel) != 0) {
		g_autofree char *why = g_strdup_printf("%s: %s", staging,
			g_strerror(errno));
		retry(job, ATTACHE_E_WRITE, why);
		g_free(staging);
		return NULL;
	}
	return staging;
}

/* The photo prepared through the batch's per-photo path, into @staging
 * with the settings in force. Its sink records nothing per output: the
 * outputs are recorded once they have landed (steps 2-4). @outputs:
 * (transfer full). */
static AttacheCode
stage_outputs(AttacheWatchPlace *place, AttacheWatchSettings *s,
	const char *path, char *staging, const char *stem, GPtrArray **outputs,
	GError **error)
{
	AttachePrepOptions o = *s->prep;
	o.out_dir = staging;
	o.write_manifest = FALSE;
	o.memory = place->memory;
	return attache__batch_photo(&o, path, stem, NULL, NULL, outputs, error);
}

/* The photo could not be prepared: the staging folder goes, and the
 * photo is retried (disk), looked at again (changed, still being
 * written) or failed. */
static void
stage_failed(AttacheWatchPlace *place, AttacheWatchJob *job,
	const char *path, const char *id, const char *sha,
	const struct stat *st0, AttacheCode code, const char *why,
	double seconds)
{
	struct stat st1;
	if (code == ATTACHE_E_WRITE)
		retry(job, code, why);
	else if (lstat(path, &st1) == 0 && !same_file(st0, &st1))
		job->outcome = ATTACHE__PHOTO_CHANGED;
	else if (!settled(job, st0))
		job->outcome = ATTACHE__PHOTO_UNSETTLED;
	else
		fail_photo(place, job, id, sha, st0, code, why, seconds);
}

/* The journal's outputs: each manifest line (output as a name in the
 * landed folder), its preset's platform and what an upload sends with it.
 * Returns: (transfer full). */
static JsonArray *
journal_outputs(AttacheWatchSettings *s, GPtrArray *outputs)
{
	JsonArray *outs = json_array_new();
	for (guint i = 0; i < outputs->len; i++) {
		const AttacheOutput *out = outputs->pdata[i];
		JsonNode *n = attache__output_to_node(out, TRUE);
		g_autofree char *base = g_path_get_basename(out->output);
		json_object_set_string_member(json_node_get_object(n), "output",
			base);
		json_array_add_element(outs, n);
		/* its preset's (each preset is made in each language) */
		const AttachePreset *pr = NULL;
		for (guint k = 0; k < s->prep->presets->len && !pr; k++)
			if (g_strcmp0(((AttachePreset *)s->prep->presets->pdata[k])->name, out->preset) == 0)
				pr = s->prep->presets->pdata[k];
		json_object_set_string_member(json_node_get_object(n), "platform",
			pr ? pr->platform : NULL);
		/* what an upload sends with it: the photo's own alt text (x-default
		 * first) and focal point inside this output */
		JsonObject *up = json_object_new();
		if (out->alt && out->alt->len)
			json_object_set_string_member(up, "alt",
				((AttacheAlt *)out->alt->pdata[0])->text);
		if (out->have_focus) {
			json_object_set_double_member(up, "focus_x", out->focus_x);
			json_object_set_double_member(up, "focus_y", out->focus_y);
		}
		/* and the account of its language (the campaign's [accounts]) */
		const char *account = attache_campaign_account(s->prep->campaign, out->lang);
		if (account)
			json_object_set_string_member(up, "account", account);
		json_object_set_object_member(json_node_get_object(n), "send", up);
	}
	return outs;
}

/* Step 2's journal: every name the next steps will use. */
static Journal
journal_for_done(AttacheWatchPlace *place, AttacheWatchJob *job,
	AttacheWatchSettings *s, const char *id, const char *sha,
	const struct stat *st0, const char *staging, const char *folder,
	const char *replaces, const char *dest, GPtrArray *outputs,
	double seconds)
{
	Journal j = journal_start(place, id, job->name, sha, st0, "done");
	/* dropped again: the folder holds this photo's earlier outputs, which
	 * step 3 swaps for the new ones */
	if (replaces)
		json_object_set_string_member(j.o, "replaces", replaces);
	json_object_set_string_member(j.o, "out_dir", s->out_dir);
	json_object_set_string_member(j.o, "staging", staging);
	json_object_set_string_member(j.o, "folder", folder);
	json_object_set_string_member(j.o, "original", dest);
	json_object_set_string_member(j.o, "presets", s->presets);
	/* a failure found later (the platform refuses) is told in it too */
	json_object_set_string_member(j.o, "notes_lang", s->notes_lang);
	if (s->upload)
		json_object_set_string_member(j.o, "upload", s->upload);
	if (s->upload && s->require_approval)
		json_object_set_boolean_member(j.o, "require_approval", TRUE);
	json_object_set_int_member(j.o, "ms", (gint64)(seconds * 1000));
	json_object_set_array_member(j.o, "outputs",
		journal_outputs(s, outputs));
	return j;
}

/* Steps 2-6 for staged outputs: the journal, then landing, manifest,
 * upload, done/ and the log (finish_done()). */
static void
land(AttacheWatchPlace *place, AttacheWatchJob *job, Journal *j,
	const char *staging)
{
	g_autoptr(GError) err = NULL;
	if (!journal_save(j, &err)) {
		remove_tree(staging);
		retry(job, ATTACHE_E_WRITE, err->message);
		return;
	}
	crash_point(place, "journal");
	Finish f = finish_done(place, j, FALSE, job, &err);
	if (f == FINISH_APPROVAL)
		await_approval(place, job, j, err->message);
	else if (f != FINISH_OK)
		retry_journal(job, j, err->message);
}

void
attache__watch_photo(AttacheWatchPlace *place, AttacheWatchJob *job)
{
	AttacheWatchSettings *s = job->settings;
	g_autofree char *path = g_build_filename(place->inbox, job->name, NULL);
	g_autofree char *id = new_id();
	g_autofree char *stem = attache__file_stem(job->name);
	/* the outputs' folder and names: UTF-8, short enough (docs/prep.md) */
	g_autofree char *out_stem = attache_output_stem(job->name);
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) outputs = NULL;
	gint64 t0 = g_get_monotonic_time();
	struct stat st0, st1;

	g_autofree char *sha = photo_identify(place, job, path, id, &st0);
	if (!sha)
		return;
	if (place->take) {
		take_photo(place, job, id, sha, &st0);
		return;
	}
	g_autofree char *staging = staging_make(place, job, s, id);
	if (!staging)
		return;
	g_autofree char *replaces = NULL;
	char *folder = reserve_folder(place, s->out_dir, out_stem, sha,
		&replaces);
	g_autofree char *folder_base = g_path_get_basename(folder);
	AttacheCode code = stage_outputs(place, s, path, staging, folder_base,
		&outputs, &err);
	double seconds = (g_get_monotonic_time() - t0) / 1e6;

	if (code) {
		remove_tree(staging);
		release_name(place, folder);
		g_free(folder);
		stage_failed(place, job, path, id, sha, &st0, code, err->message,
			seconds);
		return;
	}
	/* a writer came back while we worked: these outputs are of an old
	 * version; the new one is prepared when it settles */
	if (lstat(path, &st1) != 0 || !same_file(&st0, &st1) || !write_receipt(staging, id, job->name, sha, outputs, &err)) {
		remove_tree(staging);
		release_name(place, folder);
		g_free(folder);
		if (err)
			retry(job, ATTACHE_E_WRITE, err->message);
		else
			job->outcome = exists(path) ? ATTACHE__PHOTO_CHANGED
										: ATTACHE__PHOTO_GONE;
		return;
	}
	crash_point(place, "staged");

	/* 2: the journal names every step to come; 3-6 */
	char *dest = reserve_name(place, place->done_dir, stem, ext_of(job->name),
		FALSE);
	Journal j = journal_for_done(place, job, s, id, sha, &st0, staging,
		folder, replaces, dest, outputs, seconds);
	land(place, job, &j, staging);
	/* the journal may have moved to other names on a collision */
	release_name(place, jstr(j.o, "folder"));
	release_name(place, jstr(j.o, "original"));
	release_name(place, folder);
	release_name(place, dest);
	g_free(folder);
	g_free(dest);
	journal_clear(&j);
}

void
attache__watch_recover(AttacheWatchPlace *place, const char *journal,
	AttacheWatchJob *job)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) e = NULL;
	Journal j = { 0 };

	if (!json_parser_load_from_file(p, journal, &e) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		/* written atomically, so this is damage from outside: keep it
		 * aside for a person, redo the photo from the start */
		g_autofree char *aside = g_strconcat(journal, ".damaged", NULL);
		g_rename(journal, aside);
		job->outcome = ATTACHE__PHOTO_CHANGED;
		job->message = g_strdup_printf("%s: unreadable journal, moved to %s",
			journal, aside);
		return;
	}
	j.path = g_strdup(journal);
	j.o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
	job->name = g_strdup(jstr(j.o, "photo"));

	Finish f;
	if (g_strcmp0(jstr(j.o, "result"), "done") == 0 && json_object_has_member(j.o, "taken"))
		f = finish_taken(place, &j, TRUE, job, &e);
	else if (g_strcmp0(jstr(j.o, "result"), "done") == 0)
		f = finish_done(place, &j, TRUE, job, &e);
	else
		f = finish_failed(place, &j, TRUE, job, &e);
	if (f == FINISH_GONE) {
		/* someone deleted the outputs before they were recorded: the
		 * photo is still in the inbox (it moves last); start it over */
		journal_delete(place, &j);
		job->outcome = ATTACHE__PHOTO_CHANGED;
		job->message = g_strdup(e->message);
	}
	else if (f == FINISH_AGAIN)
		retry_journal(job, &j, e->message);
	else if (f == FINISH_APPROVAL)
		await_approval(place, job, &j, e->message);
	journal_clear(&j);
}

void
attache__watch_clean_staging(AttacheWatchPlace *place, const char *out_dir,
	GHashTable *keep)
{
	g_autofree char *dir = g_build_filename(out_dir, STAGING,
		place->inbox_key, NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		if (!keep || !g_hash_table_contains(keep, p))
			remove_tree(p);
	}
}
