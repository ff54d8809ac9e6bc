/* SPDX-License-Identifier: MIT */
/*
 * upload-private.h: declarations shared by the upload stage's files
 * (upload.c, http.c, oauth1.c, credentials.c, upload-x.c,
 * upload-mastodon.c, upload-bluesky.c), never installed. Kept apart from
 * private.h so the upload stage stays in its own files.
 */
#ifndef ATTACHE_UPLOAD_PRIVATE_H
#define ATTACHE_UPLOAD_PRIVATE_H

#include "private.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- endpoints and limits: the one table (docs/upload.md) ---- */

#define ATTACHE_X_API_DEFAULT "https://api.x.com"
#define ATTACHE_X_INITIALIZE "/2/media/upload/initialize"
#define ATTACHE_X_APPEND "/2/media/upload/%s/append"
#define ATTACHE_X_FINALIZE "/2/media/upload/%s/finalize"
#define ATTACHE_X_STATUS "/2/media/upload?command=STATUS&media_id=%s"
#define ATTACHE_X_METADATA "/2/media/metadata"
#define ATTACHE_X_MAX_BYTES 5000000 /* images via the API: 5 MB */
#define ATTACHE_X_MAX_SIDE 8192
#define ATTACHE_X_ALT_MAX 1000
#define ATTACHE_X_SEGMENT_MAX (4 * 1024 * 1024)
#define ATTACHE_X_SEGMENTS_MAX 1000 /* segment_index 0..999 */

#define ATTACHE_MASTODON_INSTANCE "/api/v2/instance"
#define ATTACHE_MASTODON_MEDIA "/api/v2/media"
#define ATTACHE_MASTODON_MEDIA_GET "/api/v1/media/%s"
/* documented defaults, used when the instance does not say */
#define ATTACHE_MASTODON_MAX_BYTES 16777216
#define ATTACHE_MASTODON_MAX_PIXELS 33177600
#define ATTACHE_MASTODON_ALT_MAX 1500
#define ATTACHE_MASTODON_CACHE_SECONDS (24 * 3600)

#define ATTACHE_BLUESKY_PDS_DEFAULT "https://bsky.social"
#define ATTACHE_BLUESKY_CREATE_SESSION "/xrpc/com.atproto.server.createSession"
#define ATTACHE_BLUESKY_REFRESH_SESSION \
	"/xrpc/com.atproto.server.refreshSession"
#define ATTACHE_BLUESKY_UPLOAD_BLOB "/xrpc/com.atproto.repo.uploadBlob"
#define ATTACHE_BLUESKY_MAX_BYTES 1000000	  /* docs, older PDS/AppView */
#define ATTACHE_BLUESKY_MAX_BYTES_2MB 2000000 /* lexicon since 2026-04 */
#define ATTACHE_BLUESKY_ALT_MAX 2000		  /* the official app's cap */
/* an access token this close to expiry is refreshed first */
#define ATTACHE_BLUESKY_EXPIRY_MARGIN 60

/* ---- http.c: one libcurl easy handle, retries, redaction ---- */

typedef struct {
	double timeout;			/* s without a byte either way */
	double connect_timeout; /* s */
	int retries;			/* after the first attempt */
	double retry_base;		/* first backoff delay, s */
	double max_wait;		/* longest wait for a 429/503 or a poll, s */
	gint64 max_response;	/* bytes of an answer kept */
	AttacheLogFunc log;		/* verbose lines, or NULL */
	gpointer log_data;
} AttacheHttpConfig;

typedef struct _AttacheHttp AttacheHttp;

/* Builds the Authorization header value for one attempt (OAuth 1.0a signs
 * each attempt afresh: new nonce and timestamp). (transfer full) */
typedef char *(*AttacheHttpAuthFunc)(gpointer data, const char *method,
	const char *url);

/* A multipart/form-data part: a file part when @filename is set. */
typedef struct {
	const char *name;
	const guint8 *data;
	gsize len;
	const char *filename;
	const char *type;
} AttacheHttpPart;

typedef struct {
	const char *method; /* "GET" or "POST" */
	const char *url;
	AttacheHttpAuthFunc auth; /* or NULL */
	gpointer auth_data;
	const char *content_type; /* of @body */
	const guint8 *body;		  /* raw body (JSON, image bytes) or NULL */
	gsize body_len;
	const AttacheHttpPart *parts; /* multipart when n_parts > 0 */
	guint n_parts;
	/* Creates something on the server (a media): a failure after the
	 * request went out with no answer is not retried, since the server
	 * may have acted on it. 429, 502, 503, 504 are retried. */
	gboolean creates;
	/* The Authorization value may be used once (an OAuth 1.0a nonce). */
	gboolean single_use;
	const char *what; /* "photo.jpg: X append segment 2/3", for messages */
} AttacheHttpRequest;

typedef struct {
	long status;
	GBytes *body;
	char *content_type;
	int attempts;			  /* how many were made */
	gboolean ambiguous_retry; /* an earlier attempt got no answer */
} AttacheHttpResponse;

/* @cfg is copied. (transfer full) */
AttacheHttp *attache__http_new(const AttacheHttpConfig *cfg);
void attache__http_free(AttacheHttp *h);
/* Adds a string that must never appear in a log line or an error
 * message (a token, a password). Copied. */
void attache__http_add_secret(AttacheHttp *h, const char *secret);
/* @text with every secret replaced by "[redacted]". (transfer full) */
char *attache__http_redact(AttacheHttp *h, const char *text);
/* A verbose line (redacted), when logging is on. */
void attache__http_log(AttacheHttp *h, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

/* Sends @req, retrying 429, 5xx and dropped connections with exponential
 * backoff and jitter, at most cfg.retries times. Returns %ATTACHE_OK with
 * @resp filled for any other answer (2xx, 3xx, 4xx), to be judged by the
 * caller; an error (%ATTACHE_E_UPLOAD) when retries ran out, a wait was
 * longer than cfg.max_wait, or the request may not be retried.
 * Free @resp with attache__http_response_clear(). */
AttacheCode attache__http_send(AttacheHttp *h, const AttacheHttpRequest *req,
	AttacheHttpResponse *resp, GError **error);
void attache__http_response_clear(AttacheHttpResponse *resp);

/* The answer parsed as a JSON object, or %NULL. (transfer full) */
JsonNode *attache__http_json(const AttacheHttpResponse *resp);
/* The server's problem detail from an error answer (RFC 7807 title and
 * detail, errors[], error/message), one line, bounded, redacted; %NULL
 * when there is none. (transfer full) */
char *attache__http_problem(AttacheHttp *h, const AttacheHttpResponse *resp);

/* Whether @url may be used: https, or plain http to a loopback address.
 * Sets @error (%ATTACHE_E_USAGE) naming @what otherwise. */
gboolean attache__url_allowed(const char *url, const char *what,
	GError **error);

/* Seconds to wait from a rate-limit header value: delta seconds, epoch
 * seconds, an HTTP date or an ISO 8601 time; -1 when unparsable. */
double attache__http_parse_wait(const char *value, gint64 now);
/* Sleeps @seconds (fractions allowed). */
void attache__sleep(double seconds);

/* ---- oauth1.c: OAuth 1.0a HMAC-SHA1 signing (RFC 5849) ---- */

/* RFC 3986 percent-encoding of every byte but A-Z a-z 0-9 - . _ ~,
 * uppercase hex. (transfer full) */
char *attache__pct_encode(const char *s);

typedef struct {
	const char *consumer_key, *consumer_secret;
	const char *token, *token_secret;
} AttacheOAuth1Keys;

/* The Authorization header value ("OAuth oauth_consumer_key=...") for
 * @method @url. The signature covers the URL's query parameters, @extra
 * (raw name, value pairs, %NULL-terminated: a form-urlencoded body, never
 * multipart or JSON) and the oauth_* parameters. @nonce and @timestamp
 * are the caller's (tests pass fixed ones). @base_string, @signature: (out)
 * (optional) (transfer full). (transfer full) */
char *attache__oauth1_header(const AttacheOAuth1Keys *keys,
	const char *method, const char *url, const char *const *extra,
	const char *nonce, gint64 timestamp, char **base_string,
	char **signature);
/* 32 random bytes, base64, letters and digits only. (transfer full) */
char *attache__oauth1_nonce(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheUploadOptions,
	attache_upload_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheCredentials, attache_credentials_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheUploader, attache_uploader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheUploadResult, attache_upload_result_free)

/* ---- credentials.c ---- */

/* The names still missing for @c to be usable, or %NULL. (transfer full) */
char *attache__credentials_missing(const AttacheCredentials *c);
/* A deep copy. (transfer full) */
AttacheCredentials *attache__credentials_copy(const AttacheCredentials *c);

/* ---- upload.c: the uploader and the backends' shared pieces ---- */

/* What this run already did for one file (same bytes, alt text, focus):
 * a second request for it resumes or reuses, never creates again. */
typedef struct {
	char *media_id; /* X, Mastodon */
	char *blob;		/* Bluesky: the blob object, JSON text */
	gboolean sent;	/* every byte sent (X: appended and finalized) */
	gboolean ready; /* processing finished */
	gboolean alt_done;
	gboolean complete;
} AttacheUploadEntry;

typedef struct {
	const char *path;
	GBytes *bytes;
	const char *mime;
	int width, height; /* as displayed (EXIF orientation applied) */
	const char *alt;   /* %NULL or non-empty */
	gboolean have_focus;
	double focus_x, focus_y; /* Mastodon's: -1..1, y up */
	AttacheUploadEntry *entry;
} AttacheUploadJob;

typedef struct {
	gint64 max_bytes;
	gint64 max_pixels;
	int alt_max;
	char **mimes; /* %NULL: not said */
} AttacheMastodonLimits;

typedef struct {
	char *did, *handle;
	char *access, *refresh;
	gint64 access_exp; /* epoch seconds, 0 when unknown */
} AttacheBlueskySession;

struct _AttacheUploader {
	AttacheTarget target;
	AttacheCredentials *creds;
	AttacheUploadOptions opts; /* copy; cache_dir owned */
	char *base;				   /* base URL without the trailing slash */
	AttacheHttp *http;
	GMutex lock;
	GHashTable *entries; /* key -> AttacheUploadEntry* */
	/* set after the server refused the credentials: later uploads are not
	 * sent (they would fail the same way and may lock the account) */
	char *refused;
	AttacheCode refused_code;
	gboolean have_limits;
	AttacheMastodonLimits limits;
	AttacheBlueskySession *session;
};

/* Turns a final non-2xx answer into an error whose message carries the
 * server's problem detail and a hint for 401/403. Returns the code:
 * %ATTACHE_E_AUTH for 401/403, %ATTACHE_E_REJECTED for 400/413/415/422,
 * %ATTACHE_E_UPLOAD otherwise. */
AttacheCode attache__upload_http_error(AttacheUploader *up,
	const AttacheHttpResponse *resp, const char *what, GError **error);
/* An error for an answer that is not what the API promises. */
AttacheCode attache__upload_bad_answer(AttacheUploader *up,
	const AttacheHttpResponse *resp, const char *what, const char *why,
	GError **error);
/* base + path. (transfer full) */
char *attache__upload_url(AttacheUploader *up, const char *path);
/* The folder for cached instance limits and sessions, created 0700.
 * (transfer none) */
const char *attache__upload_cache_dir(AttacheUploader *up, GError **error);
/* A cache file name for @kind and @key: KIND-HASH.json. (transfer full) */
char *attache__upload_cache_path(AttacheUploader *up, const char *kind,
	const char *key, GError **error);
/* Writes @data atomically with mode 0600. */
gboolean attache__upload_write_private(const char *path, const char *data,
	GError **error);
/* Reads a file only when it is ours and not readable by others.
 * (transfer full) or %NULL. */
char *attache__upload_read_private(const char *path);
/* A JSON member as a string, or %NULL. (transfer none) */
const char *attache__json_string(JsonObject *o, const char *name);
/* A JSON member as a non-negative integer, or @fallback. */
gint64 attache__json_int(JsonObject *o, const char *name, gint64 fallback);

/* ---- the three backends ---- */

AttacheCode attache__x_upload(AttacheUploader *up, AttacheUploadJob *job,
	GError **error);

/* Fetches (or reads from the cache) the instance's media limits into
 * up->limits. Never fails: falls back to the documented defaults. */
void attache__mastodon_limits(AttacheUploader *up);
AttacheCode attache__mastodon_upload(AttacheUploader *up,
	AttacheUploadJob *job, GError **error);

AttacheCode attache__bluesky_upload(AttacheUploader *up,
	AttacheUploadJob *job, GError **error);
void attache__bluesky_session_free(AttacheBlueskySession *s);
/* The "exp" claim of a JWT (unverified: only to know when to refresh);
 * 0 when absent. */
gint64 attache__jwt_exp(const char *jwt);

G_END_DECLS

#endif /* ATTACHE_UPLOAD_PRIVATE_H */
