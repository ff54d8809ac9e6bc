/* SPDX-License-Identifier: MIT */
/*
 * db.c: the desk's storage, SQLite in WAL mode. All SQL lives here, so that
 * another database can come later without touching the rest.
 *
 * One connection (serialized mode) under one mutex: the loop's requests and
 * the workers' records take turns; every statement is short. synchronous =
 * FULL: a row committed before an answer survives a power cut, as the
 * photo's 202 promises. The schema's version is PRAGMA user_version;
 * db_open() migrates it forward one step at a time and refuses a newer one.
 */
#include "server-private.h"

#include <sqlite3.h>
#include <string.h>

struct _Db {
	sqlite3 *sql;
	GRecMutex lock;
	char *path;
};

/* Version 1: the first schema. Later versions append a step. */
static const char *const migrations[] = {
	"CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL,"
	" pwhash TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE tokens (hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name),"
	" scopes TEXT NOT NULL, created_at INTEGER NOT NULL);"
	"CREATE TABLE sessions (hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name),"
	" csrf TEXT NOT NULL, expires INTEGER NOT NULL);"
	"CREATE TABLE photos (id TEXT PRIMARY KEY, name TEXT NOT NULL, ext TEXT NOT NULL,"
	" state TEXT NOT NULL, error TEXT, options TEXT NOT NULL, prepared_by TEXT NOT NULL,"
	" actor TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0, done_version INTEGER NOT NULL DEFAULT 0,"
	" preview TEXT, preview_sha256 TEXT, original_gone INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX photos_state ON photos(state);"
	"CREATE TABLE outputs (id TEXT PRIMARY KEY, photo TEXT NOT NULL REFERENCES photos(id),"
	" preset TEXT NOT NULL, lang TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,"
	" json TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" UNIQUE (photo, preset, lang));"
	"CREATE TABLE makers (output TEXT NOT NULL, sha256 TEXT NOT NULL, user TEXT NOT NULL,"
	" PRIMARY KEY (output, sha256, user));"
	"CREATE TABLE reviews (id INTEGER PRIMARY KEY, output TEXT NOT NULL, sha256 TEXT NOT NULL,"
	" decision TEXT NOT NULL, by TEXT NOT NULL, comment TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX reviews_output ON reviews(output, sha256);"
	"CREATE TABLE media (id INTEGER PRIMARY KEY, output TEXT NOT NULL, sha256 TEXT NOT NULL,"
	" target TEXT NOT NULL, account TEXT, state TEXT NOT NULL, media_id TEXT, error TEXT,"
	" expires_at INTEGER, at INTEGER NOT NULL);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
	" photo TEXT, output TEXT, actor TEXT, kind TEXT NOT NULL, sha256 TEXT, detail TEXT, state TEXT);"
	"CREATE INDEX events_photo ON events(photo);"
	"CREATE TABLE webhook_deliveries (id INTEGER PRIMARY KEY, event INTEGER NOT NULL,"
	" attempt INTEGER NOT NULL, at INTEGER NOT NULL, status INTEGER, error TEXT);",
	/* 2: where a photo came from other than an upload (serve --inbox: the
	 * hot folder's photo id), so that it is taken in once */
	"ALTER TABLE photos ADD COLUMN source TEXT;"
	"CREATE UNIQUE INDEX photos_source ON photos(source) WHERE source IS NOT NULL;",
	/* 3: why prep failed as the library's stable code (attache_code_name()),
	 * so that the desk says it in each language */
	"ALTER TABLE photos ADD COLUMN error_code TEXT;",
};

static const char *const photo_states[] = { "processing", "failed", "attention",
	"review", "changes", "approved", "published" };

static gint64
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static AttacheCode
sql_error(Db *db, GError **error, const char *what)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s: %s", db->path,
		what, sqlite3_errmsg(db->sql));
	return ATTACHE_E_WRITE;
}

/* Prepares @sql and binds the arguments @fmt describes: s text (NULL
 * allowed), i gint64, d int. (transfer full) or %NULL. */
static sqlite3_stmt *
stmt_v(Db *db, const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		g_warning("db: %s: %s", sql, sqlite3_errmsg(db->sql));
		return NULL;
	}
	for (int i = 0; fmt && fmt[i]; i++) {
		if (fmt[i] == 's') {
			const char *v = va_arg(ap, const char *);
			if (v)
				sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i + 1);
		}
		else if (fmt[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, gint64));
		else
			sqlite3_bind_int(st, i + 1, va_arg(ap, int));
	}
	return st;
}

/* Runs a statement that returns no rows. SQLITE_DONE or the error. */
static int
exec(Db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_rec_mutex_lock(&db->lock);
	sqlite3_stmt *st = stmt_v(db, sql, fmt, ap);
	va_end(ap);
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_CONSTRAINT)
		g_warning("db: %s: %s", sql, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	g_rec_mutex_unlock(&db->lock);
	return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* The rows of a query as JSON objects keyed by column name. (transfer
 * full) */
static JsonArray *
rows(Db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	JsonArray *out = json_array_new();
	g_rec_mutex_lock(&db->lock);
	sqlite3_stmt *st = stmt_v(db, sql, fmt, ap);
	va_end(ap);
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		JsonObject *o = json_object_new();
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *name = sqlite3_column_name(st, c);
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_INTEGER:
				json_object_set_int_member(o, name, sqlite3_column_int64(st, c));
				break;
			case SQLITE_NULL:
				json_object_set_null_member(o, name);
				break;
			default:
				json_object_set_string_member(o, name, (const char *)sqlite3_column_text(st, c));
			}
		}
		json_array_add_object_element(out, o);
	}
	sqlite3_finalize(st);
	g_rec_mutex_unlock(&db->lock);
	return out;
}

/* The first row of a query, or %NULL. (transfer full) */
static JsonObject *
row(Db *db, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_rec_mutex_lock(&db->lock);
	sqlite3_stmt *st = stmt_v(db, sql, fmt, ap);
	va_end(ap);
	JsonObject *o = NULL;
	if (st && sqlite3_step(st) == SQLITE_ROW) {
		o = json_object_new();
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *name = sqlite3_column_name(st, c);
			if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
				json_object_set_int_member(o, name, sqlite3_column_int64(st, c));
			else if (sqlite3_column_type(st, c) == SQLITE_NULL)
				json_object_set_null_member(o, name);
			else
				json_object_set_string_member(o, name, (const char *)sqlite3_column_text(st, c));
		}
	}
	sqlite3_finalize(st);
	g_rec_mutex_unlock(&db->lock);
	return o;
}

static char *
dup_member(JsonObject *o, const char *m)
{
	JsonNode *n = json_object_get_member(o, m);
	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
			   ? g_strdup(json_node_get_string(n))
			   : NULL;
}

static AttacheCode
migrate(Db *db, GError **error)
{
	int have = db_schema_version(db);
	int known = (int)G_N_ELEMENTS(migrations);
	if (have > known) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: schema version %d is newer than this attache's (%d): use a newer attache", db->path, have, known);
		return ATTACHE_E_WRITE;
	}
	for (int v = have; v < known; v++) {
		char *msg = NULL;
		g_autofree char *sql = g_strdup_printf("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;", migrations[v], v + 1);
		if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: cannot migrate the schema to version %d: %s", db->path,
				v + 1, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
			return ATTACHE_E_WRITE;
		}
	}
	return ATTACHE_OK;
}

AttacheCode
db_open(const char *data_dir, Db **out, GError **error)
{
	Db *db = g_new0(Db, 1);
	g_rec_mutex_init(&db->lock);
	db->path = g_build_filename(data_dir, "attache.db", NULL);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(db->path, &db->sql, flags, NULL) != SQLITE_OK) {
		sql_error(db, error, "cannot open the database");
		db_close(db);
		return ATTACHE_E_WRITE;
	}
	sqlite3_busy_timeout(db->sql, 10000);
	char *msg = NULL;
	if (sqlite3_exec(db->sql, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", NULL,
			NULL, &msg)
		!= SQLITE_OK) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s", db->path, msg ? msg : "cannot set WAL mode");
		sqlite3_free(msg);
		db_close(db);
		return ATTACHE_E_WRITE;
	}
	if (migrate(db, error)) {
		db_close(db);
		return ATTACHE_E_WRITE;
	}
	*out = db;
	return ATTACHE_OK;
}

void
db_close(Db *db)
{
	if (!db)
		return;
	sqlite3_close(db->sql);
	g_rec_mutex_clear(&db->lock);
	g_free(db->path);
	g_free(db);
}

int
db_schema_version(Db *db)
{
	g_autoptr(JsonObject) o = row(db, "PRAGMA user_version", NULL);
	return o ? (int)json_object_get_int_member(o, "user_version") : 0;
}

/* ---- accounts ---- */

AttacheCode
db_user_put(Db *db, const char *name, const char *role, const char *pwhash,
	gboolean replace, GError **error)
{
	const char *sql = replace ? "INSERT INTO users VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role,"
								" pwhash = excluded.pwhash"
							  : "INSERT INTO users VALUES (?, ?, ?, ?)";
	int rc = exec(db, sql, "sssi", name, role, pwhash, now_s());
	if (rc == SQLITE_CONSTRAINT) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: account \"%s\" exists already (--replace changes it)",
			db->path, name);
		return ATTACHE_E_USAGE;
	}
	if (rc != SQLITE_DONE)
		return sql_error(db, error, "cannot add the account");
	if (replace) /* a new password ends the account's sessions */
		exec(db, "DELETE FROM sessions WHERE user = ?", "s", name);
	return ATTACHE_OK;
}

gboolean
db_user_get(Db *db, const char *name, char **role, char **pwhash)
{
	g_autoptr(JsonObject) o = row(db, "SELECT role, pwhash FROM users WHERE name = ?", "s", name);
	if (!o)
		return FALSE;
	if (role)
		*role = dup_member(o, "role");
	if (pwhash)
		*pwhash = dup_member(o, "pwhash");
	return TRUE;
}

AttacheCode
db_token_put(Db *db, const char *hash, const char *user, const char *scopes,
	GError **error)
{
	if (exec(db, "INSERT INTO tokens VALUES (?, ?, ?, ?)", "sssi", hash, user, scopes, now_s()) != SQLITE_DONE)
		return sql_error(db, error, "cannot add the token");
	return ATTACHE_OK;
}

gboolean
db_token_get(Db *db, const char *hash, char **user, char **scopes)
{
	g_autoptr(JsonObject) o = row(db, "SELECT user, scopes FROM tokens WHERE hash = ?", "s", hash);
	if (!o)
		return FALSE;
	*user = dup_member(o, "user");
	*scopes = dup_member(o, "scopes");
	return TRUE;
}

gboolean
db_session_put(Db *db, const char *hash, const char *user, const char *csrf,
	gint64 expires)
{
	exec(db, "DELETE FROM sessions WHERE expires < ?", "i", now_s());
	return exec(db, "INSERT INTO sessions VALUES (?, ?, ?, ?)", "sssi", hash, user, csrf, expires) == SQLITE_DONE;
}

gboolean
db_session_get(Db *db, const char *hash, gint64 now, gint64 expires,
	char **user, char **csrf)
{
	g_autoptr(JsonObject) o = row(db, "SELECT user, csrf FROM sessions WHERE hash = ? AND expires >= ?", "si", hash, now);
	if (!o)
		return FALSE;
	exec(db, "UPDATE sessions SET expires = ? WHERE hash = ?", "is", expires, hash);
	*user = dup_member(o, "user");
	*csrf = dup_member(o, "csrf");
	return TRUE;
}

void
db_session_delete(Db *db, const char *hash)
{
	exec(db, "DELETE FROM sessions WHERE hash = ?", "s", hash);
}

/* ---- photos ---- */

AttacheCode
db_photo_insert(Db *db, const char *id, const char *name, const char *ext,
	const char *options, const char *by, const char *source, GError **error)
{
	gint64 t = now_s();
	if (exec(db,
			"INSERT INTO photos (id, name, ext, state, options, prepared_by, actor, version, created_at, updated_at, source)"
			" VALUES (?, ?, ?, 'processing', ?, ?, ?, 1, ?, ?, ?)",
			"ssssssiis", id, name, ext, options, by, by, t, t, source)
		!= SQLITE_DONE)
		return sql_error(db, error, "cannot record the photo");
	return ATTACHE_OK;
}

gboolean
db_photo_has_source(Db *db, const char *source)
{
	g_autoptr(JsonObject) o = row(db, "SELECT 1 AS y FROM photos WHERE source = ?", "s", source);
	return o != NULL;
}

#define PHOTO_COLS                                                                                                          \
	"id, name, ext, state, error, error_code, options, prepared_by, actor, version, done_version, preview, preview_sha256," \
	" original_gone, created_at, updated_at, (SELECT count(*) FROM outputs o WHERE o.photo = photos.id) AS outputs"

JsonArray *
db_photo_list(Db *db, const char *state, JsonObject **counts)
{
	if (counts) {
		*counts = json_object_new();
		for (guint i = 0; i < G_N_ELEMENTS(photo_states); i++)
			json_object_set_int_member(*counts, photo_states[i], 0);
		g_autoptr(JsonArray) c = rows(db, "SELECT state, count(*) AS n FROM photos GROUP BY state", NULL);
		for (guint i = 0; i < json_array_get_length(c); i++) {
			JsonObject *o = json_array_get_object_element(c, i);
			json_object_set_int_member(*counts, json_object_get_string_member(o, "state"),
				json_object_get_int_member(o, "n"));
		}
	}
	if (state)
		return rows(db, "SELECT " PHOTO_COLS " FROM photos WHERE state = ? ORDER BY created_at DESC, rowid DESC", "s", state);
	return rows(db, "SELECT " PHOTO_COLS " FROM photos ORDER BY created_at DESC, rowid DESC", NULL);
}

JsonObject *
db_photo_get(Db *db, const char *id)
{
	return row(db, "SELECT " PHOTO_COLS " FROM photos WHERE id = ?", "s", id);
}

GPtrArray *
db_photos_unfinished(Db *db)
{
	g_autoptr(JsonArray) r = rows(db, "SELECT id FROM photos WHERE done_version < version ORDER BY rowid", NULL);
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < json_array_get_length(r); i++)
		g_ptr_array_add(ids, g_strdup(json_object_get_string_member(json_array_get_object_element(r, i), "id")));
	return ids;
}

void
db_photo_finish(Db *db, const char *id, int version, const char *state, const char *error, const char *code)
{
	g_rec_mutex_lock(&db->lock);
	exec(db, "UPDATE photos SET state = coalesce(?, state), error = ?, error_code = ?, updated_at = ? WHERE id = ? AND version = ?",
		"sssisd", state, error, error ? code : NULL, now_s(), id, version);
	exec(db, "UPDATE photos SET done_version = max(done_version, ?) WHERE id = ?", "ds", version, id);
	g_rec_mutex_unlock(&db->lock);
}

gboolean
db_photo_state_set(Db *db, const char *id, const char *state)
{
	g_rec_mutex_lock(&db->lock);
	g_autoptr(JsonObject) o = row(db, "SELECT state FROM photos WHERE id = ? AND done_version >= version", "s", id);
	gboolean changed = o && strcmp(json_object_get_string_member(o, "state"), state);
	if (changed)
		exec(db, "UPDATE photos SET state = ?, updated_at = ? WHERE id = ?", "sis", state, now_s(), id);
	g_rec_mutex_unlock(&db->lock);
	return changed;
}

int
db_photo_remake(Db *db, const char *id, const char *options, const char *actor)
{
	g_rec_mutex_lock(&db->lock);
	int v = -1;
	g_autoptr(JsonObject) o = row(db, "SELECT version, done_version FROM photos WHERE id = ?", "s", id);
	if (o && json_object_get_int_member(o, "done_version") >= json_object_get_int_member(o, "version")) {
		v = (int)json_object_get_int_member(o, "version") + 1;
		if (options)
			exec(db, "UPDATE photos SET options = ? WHERE id = ?", "ss", options, id);
		exec(db, "UPDATE photos SET version = ?, actor = ?, state = 'processing', error = NULL, error_code = NULL, updated_at = ? WHERE id = ?",
			"dsis", v, actor, now_s(), id);
	}
	g_rec_mutex_unlock(&db->lock);
	return v;
}

void
db_photo_set_preview(Db *db, const char *id, const char *path, const char *sha256)
{
	exec(db, "UPDATE photos SET preview = ?, preview_sha256 = ? WHERE id = ?", "sss", path, sha256, id);
}

GPtrArray *
db_photos_original_older(Db *db, gint64 before)
{
	g_autoptr(JsonArray) r = rows(db,
		"SELECT id FROM photos WHERE original_gone = 0 AND created_at < ? AND done_version >= version", "i", before);
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < json_array_get_length(r); i++)
		g_ptr_array_add(ids, g_strdup(json_object_get_string_member(json_array_get_object_element(r, i), "id")));
	return ids;
}

void
db_photo_original_gone(Db *db, const char *id)
{
	exec(db, "UPDATE photos SET original_gone = 1 WHERE id = ?", "s", id);
}

/* ---- outputs ---- */

AttacheCode
db_output_put(Db *db, const char *id, const char *photo, const char *preset,
	const char *lang, const char *path, const char *sha256, const char *json,
	int version, const char *actor, GError **error)
{
	g_rec_mutex_lock(&db->lock);
	int rc = exec(db,
		"INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET path = excluded.path,"
		" sha256 = excluded.sha256, json = excluded.json, version = excluded.version, updated_at = excluded.updated_at",
		"sssssssdi", id, photo, preset, lang, path, sha256, json, version, now_s());
	if (rc == SQLITE_DONE)
		rc = exec(db, "INSERT OR IGNORE INTO makers VALUES (?, ?, ?)", "sss", id, sha256, actor);
	g_rec_mutex_unlock(&db->lock);
	if (rc != SQLITE_DONE)
		return sql_error(db, error, "cannot record the output");
	return ATTACHE_OK;
}

char *
db_output_id(Db *db, const char *photo, const char *preset, const char *lang)
{
	g_autoptr(JsonObject) o = row(db, "SELECT id FROM outputs WHERE photo = ? AND preset = ? AND lang = ?", "sss", photo,
		preset, lang);
	return o ? dup_member(o, "id") : NULL;
}

void
db_outputs_prune(Db *db, const char *photo, int version)
{
	exec(db, "DELETE FROM outputs WHERE photo = ? AND version <> ?", "sd", photo, version);
}

JsonArray *
db_outputs_of(Db *db, const char *photo)
{
	return rows(db, "SELECT * FROM outputs WHERE photo = ? ORDER BY rowid", "s", photo);
}

JsonObject *
db_output_get(Db *db, const char *id)
{
	return row(db, "SELECT * FROM outputs WHERE id = ?", "s", id);
}

JsonArray *
db_makers(Db *db, const char *output, const char *sha256)
{
	return rows(db, "SELECT user FROM makers WHERE output = ? AND sha256 = ? ORDER BY rowid", "ss", output, sha256);
}

gboolean
db_is_maker(Db *db, const char *output, const char *sha256, const char *user)
{
	g_autoptr(JsonObject) o = row(db, "SELECT 1 AS y FROM makers WHERE output = ? AND sha256 = ? AND user = ?", "sss",
		output, sha256, user);
	return o != NULL;
}

/* ---- reviews ---- */

JsonObject *
db_review_latest(Db *db, const char *output, const char *sha256, gboolean *earlier)
{
	if (earlier) {
		g_autoptr(JsonObject) e = row(db, "SELECT 1 AS y FROM reviews WHERE output = ? AND sha256 <> ?", "ss", output, sha256);
		*earlier = e != NULL;
	}
	return row(db, "SELECT decision, by, comment, at FROM reviews WHERE output = ? AND sha256 = ? ORDER BY id DESC LIMIT 1",
		"ss", output, sha256);
}

AttacheCode
db_review_put(Db *db, const char *output, const char *sha256, const char *decision,
	const char *by, const char *comment, GError **error)
{
	if (exec(db, "INSERT INTO reviews (output, sha256, decision, by, comment, at) VALUES (?, ?, ?, ?, ?, ?)", "sssssi", output,
			sha256, decision, by, comment, now_s())
		!= SQLITE_DONE)
		return sql_error(db, error, "cannot record the review");
	return ATTACHE_OK;
}

/* ---- media ---- */

JsonArray *
db_media_of(Db *db, const char *output)
{
	return rows(db,
		"SELECT id, target AS \"to\", account, state, media_id, error, expires_at, at, sha256 FROM media WHERE output = ?"
		" ORDER BY id",
		"s", output);
}

gint64
db_media_start(Db *db, const char *output, const char *sha256, const char *target, const char *account)
{
	g_rec_mutex_lock(&db->lock);
	exec(db, "INSERT INTO media (output, sha256, target, account, state, at) VALUES (?, ?, ?, ?, 'pending', ?)", "ssssi",
		output, sha256, target, account, now_s());
	gint64 id = sqlite3_last_insert_rowid(db->sql);
	g_rec_mutex_unlock(&db->lock);
	return id;
}

void
db_media_finish(Db *db, gint64 id, const char *state, const char *media_id,
	const char *error, gint64 expires_at)
{
	exec(db, "UPDATE media SET state = ?, media_id = ?, error = ?, expires_at = ?, at = ? WHERE id = ?", "sssiii", state,
		media_id, error, expires_at, now_s(), id);
}

void
db_media_orphans_unknown(Db *db)
{
	exec(db,
		"UPDATE media SET state = 'unknown', error = 'the server stopped during the upload: the platform may hold the media'"
		" WHERE state = 'pending'",
		NULL);
}

/* ---- events ---- */

gint64
db_event_add(Db *db, const char *photo, const char *output, const char *actor,
	const char *kind, const char *sha256, const char *detail, const char *state)
{
	g_rec_mutex_lock(&db->lock);
	exec(db, "INSERT INTO events (at, photo, output, actor, kind, sha256, detail, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		"isssssss", now_s(), photo, output, actor, kind, sha256, detail, state);
	gint64 id = sqlite3_last_insert_rowid(db->sql);
	g_rec_mutex_unlock(&db->lock);
	return id;
}

JsonArray *
db_events_after(Db *db, gint64 after, int limit)
{
	return rows(db, "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", "id", after, limit);
}

gint64
db_event_last(Db *db)
{
	g_autoptr(JsonObject) o = row(db, "SELECT coalesce(max(id), 0) AS n FROM events", NULL);
	return o ? json_object_get_int_member(o, "n") : 0;
}

JsonArray *
db_events_of(Db *db, const char *photo)
{
	return rows(db, "SELECT * FROM events WHERE photo = ? ORDER BY id", "s", photo);
}

void
db_webhook_log(Db *db, gint64 event, int attempt, int status, const char *error)
{
	exec(db, "INSERT INTO webhook_deliveries (event, attempt, at, status, error) VALUES (?, ?, ?, ?, ?)", "idiis", event,
		attempt, now_s(), (gint64)status, error);
}
