/* SPDX-License-Identifier: MIT */
/*
 * upload-private.h: declarations shared by the upload stage's files,
 * never installed. Kept apart from private.h so the upload stage stays in
 * its own files. The sections go bottom-up, as the files depend: http.c
 * and oauth1.c, upload-common.c, the backends (upload-<platform>.c, listed
 * by backends.c), then credentials.c and the dispatcher upload.c.
 */
#ifndef ATTACHE_UPLOAD_PRIVATE_H
#define ATTACHE_UPLOAD_PRIVATE_H

#include "private.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- platform figures the public options name (upload.c) ---- */

#define ATTACHE_X_SEGMENT_MAX (4 * 1024 * 1024)
#define ATTACHE_BLUESKY_MAX_BYTES 1000000	  /* docs, older PDS/AppView */
#define ATTACHE_BLUESKY_MAX_BYTES_2MB 2000000 /* lexicon since 2026-04 */

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

/* ---- the uploader and one upload, as the backends see them ---- */

typedef struct _AttacheUploadBackend AttacheUploadBackend;

/* What this run already did for one file (same bytes, alt text, focus):
 * a second request for it resumes or reuses, never creates again. */
typedef struct {
	char *media_id; /* X, Mastodon */
	char *blob;		/* Bluesky: the blob object, JSON text */
	gboolean sent;	/* every byte sent (X: appended and finalized) */
	gboolean ready; /* processing finished */
	gboolean alt_done;
	gboolean complete;
	gint64 expires_at; /* Unix s when the platform drops it unused; 0: unsaid */
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

struct _AttacheUploader {
	AttacheTarget target;
	const AttacheUploadBackend *backend;
	gpointer state; /* the backend's own (state_new), or %NULL */
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
};

/* ---- upload-common.c: what every backend uses ---- */

/* Turns a final non-2xx answer into an error whose message carries the
 * server's problem detail and the backend's hint for 401/403. Returns the
 * code: %ATTACHE_E_AUTH for 401/403, %ATTACHE_E_REJECTED for
 * 400/413/415/422, %ATTACHE_E_UPLOAD otherwise. */
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
/* Adds member @name: @v, or null. @v: (transfer none) (nullable) */
void attache__json_member_string(JsonBuilder *b, const char *name,
	const char *v);

/* ---- the backend table: one AttacheUploadBackend per platform ---- */

/* One credential: its environment variable, its key in the platform's
 * [group] of credentials.ini, where it goes in AttacheCredentials. */
typedef struct {
	const char *env;
	const char *key;
	gsize offset;	   /* G_STRUCT_OFFSET(AttacheCredentials, member) */
	gboolean secret;   /* never logged; wiped when freed */
	gboolean required; /* for the default missing() */
} AttacheCredentialField;

/* What a file may be, for one uploader (limits()). A limit of 0 is not
 * checked. */
typedef struct {
	const char *const *mimes; /* %NULL: any; (transfer none) */
	gint64 max_bytes;
	gint64 max_pixels; /* width x height */
	int max_side;
	int alt_max;		/* characters (code points) */
	const char *preset; /* for these limits, in hints; %NULL: the backend's */
} AttacheUploadLimits;

/* Everything the dispatcher (upload.c) and credentials.c know about a
 * platform. One constant per upload-<platform>.c; backends.c lists them.
 * The strings are static. */
struct _AttacheUploadBackend {
	AttacheTarget target;
	const char *name;			/* "x": --to, [group], JSON "target" */
	const char *const *aliases; /* other spellings of --to, or %NULL */
	const char *title;			/* "X", in messages */
	const char *default_base;	/* %NULL: the user must give one */
	const char *preset;			/* the preset that fits it, in hints */
	const AttacheCredentialField *fields;
	guint n_fields;
	/* The names still missing for @c to be usable, or %NULL.
	 * (transfer full). %NULL: the environment names of the unset
	 * required fields. */
	char *(*missing)(const AttacheCredentials *c);
	const char *hint_401, *hint_403; /* why a server refuses, or %NULL */
	/* whether the server keeps the alt text / focus on the media, so that
	 * a different one makes a different media (else the bytes alone) */
	gboolean media_has_alt, media_has_focus;
	/* Fills @l for @up (may ask the server once; never fails). */
	void (*limits)(AttacheUploader *up, AttacheUploadLimits *l);
	/* The network part of one upload, resuming from job->entry. */
	AttacheCode (*upload)(AttacheUploader *up, AttacheUploadJob *job,
		GError **error);
	/* up->state: (transfer full) from state_new, freed by state_free;
	 * both %NULL when the backend keeps none. */
	gpointer (*state_new)(void);
	void (*state_free)(gpointer state);
	/* Adds the platform's own members to a result's JSON line, after
	 * "media_id", or %NULL. */
	void (*result_json)(JsonBuilder *b, const AttacheUploadResult *r);
};

/* backends.c: the backend for @target, or %NULL. (transfer none) */
const AttacheUploadBackend *attache__upload_backend(AttacheTarget target);
/* The @i-th backend of the table, %NULL past the end. (transfer none) */
const AttacheUploadBackend *attache__upload_backend_nth(guint i);

/* The "exp" claim of a JWT (unverified: only to know when to refresh);
 * 0 when absent (upload-bluesky.c). */
gint64 attache__jwt_exp(const char *jwt);

/* ---- credentials.c ---- */

/* The names still missing for @c to be usable, or %NULL. (transfer full) */
char *attache__credentials_missing(const AttacheCredentials *c);
/* A deep copy. (transfer full) */
AttacheCredentials *attache__credentials_copy(const AttacheCredentials *c);

/* ---- own-alt.c ---- */

/* The own alt text of the prepared file @path (read into @src, bytes
 * @sha256): its XMP's x-default (prep's output language), else its entry
 * in the output's language, else the first;
 * when the XMP has none and not @xmp_only, its manifest line's. @alt,
 * @lang: (out) (transfer full) (nullable); @from: (out) "xmp", "manifest"
 * or %NULL. */
void attache__upload_own_alt(const char *path, const AttacheSource *src,
	const char *sha256, gboolean xmp_only, char **alt, char **lang,
	const char **from);

G_END_DECLS

#endif /* ATTACHE_UPLOAD_PRIVATE_H */
