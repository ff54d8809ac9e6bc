/* SPDX-License-Identifier: MIT */
/* server-private.h: what the server's files share (src/server). */
#ifndef ATTACHE_SERVER_PRIVATE_H
#define ATTACHE_SERVER_PRIVATE_H

#include "attache-server.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* ---- db.c: all SQL lives there ---- */
typedef struct _Db Db;

#define DB_SCHEMA_VERSION 3

/* Opens (creating) DATA/attache.db in WAL mode and migrates its schema
 * forward. @out: (transfer full), db_close() it. */
AttacheCode db_open(const char *data_dir, Db **out, GError **error);
void db_close(Db *db);
int db_schema_version(Db *db);

/* Accounts. */
AttacheCode db_user_put(Db *db, const char *name, const char *role,
	const char *pwhash, gboolean replace, GError **error);
/* (transfer full) the role and hash of @name; FALSE when there is none. */
gboolean db_user_get(Db *db, const char *name, char **role, char **pwhash);
AttacheCode db_token_put(Db *db, const char *hash, const char *user,
	const char *scopes, GError **error);
/* (transfer full) the account and scopes of the token whose hash is
 * @hash; FALSE when unknown. */
gboolean db_token_get(Db *db, const char *hash, char **user, char **scopes);
gboolean db_session_put(Db *db, const char *hash, const char *user,
	const char *csrf, gint64 expires);
/* (transfer full) the account and CSRF token of a live session; its
 * expiry moves to @expires. FALSE when unknown or expired. */
gboolean db_session_get(Db *db, const char *hash, gint64 now, gint64 expires,
	char **user, char **csrf);
void db_session_delete(Db *db, const char *hash);

/* Photos. @options: a JSON object's text; @source: where it came from
 * other than an upload (%NULL), taken in once. */
AttacheCode db_photo_insert(Db *db, const char *id, const char *name,
	const char *ext, const char *options, const char *by, const char *source,
	GError **error);
gboolean db_photo_has_source(Db *db, const char *source);
/* (transfer full) the queue: photo objects, newest first; @counts: state ->
 * number for every state (transfer full). */
JsonArray *db_photo_list(Db *db, const char *state, JsonObject **counts);
/* (transfer full) one photo's row as an object, %NULL when unknown. */
JsonObject *db_photo_get(Db *db, const char *id);
/* The photos a restart must prepare: ids (transfer full). */
GPtrArray *db_photos_unfinished(Db *db);
/* Closes version @version of the photo's work: its state, error (for
 * support, English) and the error's stable @code (attache_code_name(), or
 * "original-deleted"), when no newer version started meanwhile. */
void db_photo_finish(Db *db, const char *id, int version, const char *state,
	const char *error, const char *code);
/* Sets the state of a photo that is not being prepared; TRUE when it
 * changed. */
gboolean db_photo_state_set(Db *db, const char *id, const char *state);
/* Starts a new version of the photo's work by @actor with @options
 * (%NULL: unchanged); the new version number, or -1 when it is being
 * prepared already. */
int db_photo_remake(Db *db, const char *id, const char *options,
	const char *actor);
void db_photo_set_preview(Db *db, const char *id, const char *path,
	const char *sha256);
/* Photos whose originals are older than @before (Unix s) and still kept. */
GPtrArray *db_photos_original_older(Db *db, gint64 before);
void db_photo_original_gone(Db *db, const char *id);

/* Outputs. One row per slot (photo, preset, lang); @json: the output's
 * attache_output_to_json(). Records @actor as a maker of these bytes. */
AttacheCode db_output_put(Db *db, const char *id, const char *photo,
	const char *preset, const char *lang, const char *path,
	const char *sha256, const char *json, int version, const char *actor,
	GError **error);
/* The slot's output id, %NULL when new (transfer full). */
char *db_output_id(Db *db, const char *photo, const char *preset,
	const char *lang);
/* Deletes the photo's outputs that version @version did not make. */
void db_outputs_prune(Db *db, const char *photo, int version);
JsonArray *db_outputs_of(Db *db, const char *photo);
JsonObject *db_output_get(Db *db, const char *id);
JsonArray *db_makers(Db *db, const char *output, const char *sha256);
gboolean db_is_maker(Db *db, const char *output, const char *sha256,
	const char *user);

/* Reviews: the latest decision on @sha256 (%NULL when none), and whether
 * another sha256 of the output had one. */
JsonObject *db_review_latest(Db *db, const char *output, const char *sha256,
	gboolean *earlier);
AttacheCode db_review_put(Db *db, const char *output, const char *sha256,
	const char *decision, const char *by, const char *comment,
	GError **error);

/* Media: publications of an output. */
JsonArray *db_media_of(Db *db, const char *output);
/* The row id of a new pending publication. */
gint64 db_media_start(Db *db, const char *output, const char *sha256,
	const char *target, const char *account);
void db_media_finish(Db *db, gint64 id, const char *state,
	const char *media_id, const char *error, gint64 expires_at);
/* Publications left pending by a server killed mid-upload: unknown. */
void db_media_orphans_unknown(Db *db);

/* Events: the new id. */
gint64 db_event_add(Db *db, const char *photo, const char *output,
	const char *actor, const char *kind, const char *sha256,
	const char *detail, const char *state);
JsonArray *db_events_after(Db *db, gint64 after, int limit);
/* The newest event's id, 0 when none. */
gint64 db_event_last(Db *db);
JsonArray *db_events_of(Db *db, const char *photo);
void db_webhook_log(Db *db, gint64 event, int attempt, int status,
	const char *error);

/* ---- scopes and roles (auth.c) ---- */
enum {
	SCOPE_READ = 1 << 0,
	SCOPE_PREPARE = 1 << 1,
	SCOPE_REVIEW = 1 << 2,
	SCOPE_PUBLISH = 1 << 3,
	SCOPE_ADMIN = 1 << 4,
};
/* The scopes of role @role (0: not a role). */
guint auth_role_scopes(const char *role);
/* A comma list of scopes; FALSE naming the bad one. */
gboolean auth_scopes_parse(const char *list, guint *out, GError **error);
/* (transfer full) a JSON array of the scope names in @scopes. */
JsonArray *auth_scopes_json(guint scopes);
/* (transfer full) hex SHA-256 of @s: how tokens and session ids are kept. */
char *auth_hash(const char *s);
/* (transfer full) @bytes random bytes as hex. */
char *auth_random_hex(gsize bytes);

/* ---- the server ---- */
typedef struct {
	char *name, *role;
	guint scopes;
	gboolean by_token;
	char *session; /* the session's hash (cookie logins) */
	char *csrf;
} Actor;

typedef struct _Server Server;
struct _Server {
	char *data;
	Db *db;
	SoupServer *soup;
	GMainLoop *loop;
	GThreadPool *pool;	   /* prep and publish jobs */
	GMutex lock;		   /* the tables below */
	GHashTable *throttle;  /* "name\naddress" -> Throttle* */
	GHashTable *preparing; /* photo ids being prepared */
	GHashTable *jobs;	   /* queued and running jobs (work.c owns them) */
	gboolean tls;
	char *proxy; /* --behind-proxy address, or %NULL */
	gint64 max_upload;
	int keep_days;
	char *presets, *preset_dir, *credentials;
	char *webhook_url, *webhook_secret;
	SoupSession *client; /* webhooks */
	AttacheServeOptions opts;
	char *preview_preset;		 /* DATA/desk-preview.ini */
	struct _AttacheWatch *watch; /* serve --inbox, or %NULL */
	GThread *watch_thread;
	struct {
		guint timeout; /* --client-timeout seconds */
		guint max_connections, max_per_address, max_uploads;
		gint64 min_rate; /* bytes a second */
	} limits;
	/* on the main loop only (limits.c, upload.c) */
	GHashTable *conns;		 /* GSocket -> its Conn (limits.c) */
	guint sweep;			 /* the timer that closes idle ones */
	guint connections;		 /* counted connections */
	GHashTable *per_address; /* address -> connections (GUINT_TO_POINTER) */
	guint uploads;			 /* uploads being received */
	GPtrArray *streams;		 /* open event streams (stream.c) */
	guint stream_timer;
};

void server_log(Server *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- http.c: answers ---- */
void http_json(SoupServerMessage *msg, guint status, JsonNode *node);
void http_object(SoupServerMessage *msg, guint status, JsonObject *obj);
void http_error(SoupServerMessage *msg, guint status, const char *code,
	const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* desk-words.c: answers GET /desk/messages/@name (LANG.json): the page's
 * words in LANG, or 404. */
void desk_words(SoupServerMessage *msg, const char *name);
/* The language of @msg's words: ?lang=, else the best of Accept-Language
 * that attache speaks, else "en". (transfer none) a static string. */
const char *desk_lang(SoupServerMessage *msg);
/* Message @id of data/messages.ini in @lang (one of the six), %NULL when
 * there is none. (transfer none): kept for the server's life. */
const char *desk_word(const char *id, const char *lang);
/* (transfer full) a failed photo's error for the API: {code, message: the
 * plain words of failure.CODE in @lang, detail: @detail}. */
JsonObject *desk_failure(const char *code, const char *detail, const char *lang);
/* The request's body as a JSON object, or %NULL after answering 400/415. */
JsonObject *http_body_object(SoupServerMessage *msg);
/* The client's address (X-Forwarded-For only from the proxy). (transfer
 * full) */
char *http_client_address(Server *s, SoupServerMessage *msg);
gboolean http_valid_id(const char *id, char prefix);
/* A member of @o as a string, %NULL when absent or not a string. */
const char *json_str(JsonObject *o, const char *member);

/* ---- auth.c: who is asking ---- */
/* The actor of @msg, or %NULL after answering 401/403 (CSRF for a
 * state-changing request, @need scopes). (transfer full) actor_free(). */
Actor *auth_require(Server *s, SoupServerMessage *msg, guint need);
void actor_free(Actor *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Actor, actor_free)
void auth_login(Server *s, SoupServerMessage *msg);
void auth_logout(Server *s, SoupServerMessage *msg);
void auth_session(Server *s, SoupServerMessage *msg);

/* ---- photos.c, outputs.c, events.c: the API ---- */
void api_photos(Server *s, SoupServerMessage *msg, char **parts);
void api_outputs(Server *s, SoupServerMessage *msg, char **parts);
void api_events(Server *s, SoupServerMessage *msg);
/* upload.c: POST /api/v1/photos */
void photo_upload(Server *s, SoupServerMessage *msg);
/* change.c: a photo's preview, new focus, alt text or masks (@what), review */
void photo_preview(Server *s, SoupServerMessage *msg, const char *id);
void photo_change(Server *s, SoupServerMessage *msg, const char *id, const char *what);
void photo_review(Server *s, SoupServerMessage *msg, const char *id);
/* masks.c: the faces the photo's outputs list, numbered from 1, with
 * whether faces are protected in it (a face masked, or flagged
 * faces-visible or no-face-found); %NULL when no output looked for faces.
 * (transfer full) */
JsonArray *masks_faces(Server *s, const char *photo, gboolean *protect);
/* The photo's {"regions": [...], "unmask": [...]} from its stored
 * @options (transfer none). Returns: (transfer full). */
JsonObject *masks_json(JsonObject *options);
/* PUT .../masks' @body into @o, the photo's options (transfer none);
 * FALSE after a 400. */
gboolean masks_set(Server *s, SoupServerMessage *msg, const char *photo, JsonObject *body, JsonObject *o);
/* review.c, publish.c: POST /api/v1/outputs/{id}/review, .../publish */
void output_review(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row);
void output_publish(Server *s, SoupServerMessage *msg, Actor *a, JsonObject *row);
/* (transfer full) a photo's full JSON (outputs, history), %NULL unknown. */
JsonObject *api_photo_json(Server *s, const char *id, gboolean full, const char *lang);
JsonObject *api_output_json(Server *s, JsonObject *row);
/* events.c: ISO 8601 of Unix seconds (transfer full); the member @m of @o
 * turned so; event rows with their times turned (returns @rows). */
char *api_time(gint64 unix_s);
void api_time_member(JsonObject *o, const char *m);
JsonArray *api_events_json(JsonArray *rows);

/* ---- stream.c: GET /api/v1/events/stream (server-sent events) ---- */
void stream_install(Server *s);
void api_events_stream(Server *s, SoupServerMessage *msg);
/* Before the server goes: its streams forgotten, the timer removed. */
void stream_stop(Server *s);

/* ---- limits.c: slow or greedy clients ---- */
/* Socket timeouts, the request clock (headers, body rate) and the
 * connection caps, on every request. */
void limits_install(Server *s);

/* ---- spool.c: uploads ---- */
/* Streams bodies of POST /api/v1/photos to a spool file with a size cap. */
void spool_install(Server *s);
/* The spooled body of @msg, or %NULL (transfer none). */
const char *spool_path(SoupServerMessage *msg);
gboolean spool_too_large(SoupServerMessage *msg);

/* ---- work.c: the worker pool ---- */
typedef enum { JOB_PREP,
	JOB_PUBLISH } JobKind;
/* Makes the pool and DATA/desk-preview.ini. */
AttacheCode work_start(Server *s, GError **error);
/* Waits for the running jobs, drops and frees the queued ones. */
void work_stop(Server *s);
/* After a restart: queues every photo not prepared yet, marks the
 * publications a kill left pending as unknown; prunes originals. */
void work_resume(Server *s);
void work_queue_prep(Server *s, const char *photo);
void work_queue_publish(Server *s, const char *output, gint64 media_row,
	const char *target);
void work_pool_run(gpointer job, gpointer server);
/* The AttachePrepOptions of a photo's stored options @o, its outputs named
 * @stem in @out_dir, prepared by @by. On a refused value, @field names it
 * (transfer full) and @error says why. */
AttacheCode work_prep_options(Server *s, JsonObject *o, const char *stem,
	const char *out_dir, const char *by, AttachePrepOptions **out,
	char **field, GError **error);
/* publish.c: the job of one publication (a worker) */
void work_publish(Server *s, const char *output, gint64 media_row,
	const char *target);
/* Deletes the originals older than --keep-originals (and again daily). */
void work_prune_originals(Server *s);
/* state.c: an output row's review state ("waiting", "approved",
 * "changes", "void") and its latest decision on its current bytes
 * (@latest: (out) (optional) (transfer full), %NULL when none). */
const char *state_output_review(Server *s, JsonObject *row, JsonObject **latest);
/* The flags of an output row's JSON (strings, transfer full), plus
 * alt-missing when it has no alt text. */
GPtrArray *state_output_flags(JsonObject *row);
/* The photo's state from its outputs, stored, with a `state` event and
 * a webhook when it changed; on the main loop. */
void work_photo_refresh(Server *s, const char *photo, const char *actor);

/* An event that @photo is now @state, and its webhook (any thread). */
void state_notify(Server *s, const char *photo, const char *actor, const char *state);

/* ---- inbox.c: serve --inbox ---- */
/* Starts the hot folder on a thread of its own; each photo it has done is
 * taken into the desk. */
AttacheCode inbox_start(Server *s, GError **error);
void inbox_stop(Server *s);
/* Stores @data as a new photo's original and its row, then queues its
 * prep: the photo's id (transfer full), or %NULL with @error. */
char *photo_store(Server *s, const char *name, const char *ext, const void *data,
	gsize len, JsonObject *options, const char *by, const char *source,
	GError **error);
/* The extension a photo's first bytes say it is, or %NULL. */
const char *photo_sniff(const guint8 *p, gsize n);

/* ---- webhook.c ---- */
void webhook_send(Server *s, gint64 event, const char *photo,
	const char *state);

#endif
