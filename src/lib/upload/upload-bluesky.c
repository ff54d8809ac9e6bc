/* SPDX-License-Identifier: MIT */
/*
 * upload-bluesky.c: Bluesky (AT Protocol) blob upload.
 *
 * createSession is limited to 30 per 5 minutes and 300 a day per account,
 * so the session is cached on disk (mode 0600, one file per PDS and handle)
 * and refreshed with refreshSession when its access token is about to
 * expire or the PDS says it has; a fresh login happens only when there is
 * no session or the refresh token is refused. A lock file keeps two
 * attache processes from refreshing the same session at once (a refresh
 * token is good for one use). uploadBlob takes the raw bytes with their
 * real Content-Type; the blob goes back to the caller with the alt text and
 * aspect ratio for app.bsky.embed.images.
 */
#include "upload-private.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define BLUESKY_PDS_DEFAULT "https://bsky.social"
#define BLUESKY_CREATE_SESSION "/xrpc/com.atproto.server.createSession"
#define BLUESKY_REFRESH_SESSION "/xrpc/com.atproto.server.refreshSession"
#define BLUESKY_UPLOAD_BLOB "/xrpc/com.atproto.repo.uploadBlob"
#define BLUESKY_ALT_MAX 2000 /* the official app's cap */
/* an access token this close to expiry is refreshed first */
#define BLUESKY_EXPIRY_MARGIN 60

typedef struct {
	char *did, *handle;
	char *access, *refresh;
	gint64 access_exp; /* epoch seconds, 0 when unknown */
} AttacheBlueskySession;

/* The uploader's state: this run's session. */
typedef struct {
	AttacheBlueskySession *session; /* or %NULL before the first login */
} BlueskyState;

static BlueskyState *
state_of(AttacheUploader *up)
{
	return up->state;
}

/* Wipes the tokens, then frees. @s: (transfer full) (nullable) */
static void
session_free(AttacheBlueskySession *s)
{
	if (!s)
		return;
	g_free(s->did);
	g_free(s->handle);
	if (s->access)
		memset(s->access, 0, strlen(s->access));
	if (s->refresh)
		memset(s->refresh, 0, strlen(s->refresh));
	g_free(s->access);
	g_free(s->refresh);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheBlueskySession, session_free)

/* The state_new() of Bluesky. Returns: (transfer full) */
static gpointer
state_new(void)
{
	return g_new0(BlueskyState, 1);
}

/* The state_free() of Bluesky. @p: (transfer full) (nullable) */
static void
state_free(gpointer p)
{
	BlueskyState *st = p;
	if (!st)
		return;
	session_free(st->session);
	g_free(st);
}

gint64
attache__jwt_exp(const char *jwt)
{
	if (!jwt)
		return 0;
	g_auto(GStrv) parts = g_strsplit(jwt, ".", 4);
	if (g_strv_length(parts) != 3 || strlen(parts[1]) > 8192)
		return 0;
	/* base64url without padding -> base64 */
	GString *b = g_string_new(parts[1]);
	for (gsize i = 0; i < b->len; i++)
		b->str[i] = b->str[i] == '-' ? '+' : b->str[i] == '_' ? '/'
															  : b->str[i];
	while (b->len % 4)
		g_string_append_c(b, '=');
	gsize len;
	g_autofree guchar *raw = g_base64_decode(b->str, &len);
	g_string_free(b, TRUE);
	if (!raw || len == 0)
		return 0;
	g_autofree char *text = g_strndup((const char *)raw, len);
	g_autoptr(JsonNode) n = json_from_string(text, NULL);
	if (!n || !JSON_NODE_HOLDS_OBJECT(n))
		return 0;
	return attache__json_int(json_node_get_object(n), "exp", 0);
}

static char *
bearer(gpointer data, const char *method, const char *url)
{
	return g_strdup_printf("Bearer %s", (const char *)data);
}

/* A session from a createSession/refreshSession answer or our cache. */
static AttacheBlueskySession *
session_from(JsonObject *o)
{
	const char *access = attache__json_string(o, "accessJwt");
	const char *refresh = attache__json_string(o, "refreshJwt");
	if (!access || !*access || !refresh || !*refresh)
		return NULL;
	AttacheBlueskySession *s = g_new0(AttacheBlueskySession, 1);
	s->access = g_strdup(access);
	s->refresh = g_strdup(refresh);
	s->did = g_strdup(attache__json_string(o, "did"));
	s->handle = g_strdup(attache__json_string(o, "handle"));
	s->access_exp = attache__jwt_exp(access);
	return s;
}

static void
session_use(AttacheUploader *up, AttacheBlueskySession *s)
{
	attache__http_add_secret(up->http, s->access);
	attache__http_add_secret(up->http, s->refresh);
	session_free(state_of(up)->session);
	state_of(up)->session = s;
}

static gboolean
session_fresh(const AttacheBlueskySession *s)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	/* no exp claim: let the PDS tell us */
	return s->access_exp == 0 || s->access_exp - now > BLUESKY_EXPIRY_MARGIN;
}

static void
session_save(AttacheUploader *up, const char *path,
	const AttacheBlueskySession *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "pds");
	json_builder_add_string_value(b, up->base);
	json_builder_set_member_name(b, "identifier");
	json_builder_add_string_value(b, up->creds->bluesky_handle);
	json_builder_set_member_name(b, "did");
	json_builder_add_string_value(b, s->did ? s->did : "");
	json_builder_set_member_name(b, "handle");
	json_builder_add_string_value(b, s->handle ? s->handle : "");
	json_builder_set_member_name(b, "accessJwt");
	json_builder_add_string_value(b, s->access);
	json_builder_set_member_name(b, "refreshJwt");
	json_builder_add_string_value(b, s->refresh);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = json_to_string(root, FALSE);
	g_autoptr(GError) local = NULL;
	if (!attache__upload_write_private(path, text, &local))
		attache__http_log(up->http, "Bluesky session not cached: %s",
			local->message);
	memset(text, 0, strlen(text));
}

static AttacheBlueskySession *
session_load(AttacheUploader *up, const char *path)
{
	g_autofree char *text = attache__upload_read_private(path);
	if (!text)
		return NULL;
	g_autoptr(JsonNode) n = json_from_string(text, NULL);
	memset(text, 0, strlen(text));
	if (!n || !JSON_NODE_HOLDS_OBJECT(n))
		return NULL;
	JsonObject *o = json_node_get_object(n);
	if (g_strcmp0(attache__json_string(o, "pds"), up->base)
		|| g_strcmp0(attache__json_string(o, "identifier"), up->creds->bluesky_handle))
		return NULL;
	return session_from(o);
}

/* createSession (@refresh NULL) or refreshSession. On a 400/401 for a
 * refresh, *refused is set: the refresh token is spent or revoked. */
static AttacheCode
session_call(AttacheUploader *up, const char *path, const char *refresh,
	AttacheBlueskySession **out, gboolean *refused, GError **error)
{
	g_autofree char *body = NULL;
	if (!refresh) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "identifier");
		json_builder_add_string_value(b, up->creds->bluesky_handle);
		json_builder_set_member_name(b, "password");
		json_builder_add_string_value(b, up->creds->bluesky_app_password);
		json_builder_end_object(b);
		g_autoptr(JsonNode) root = json_builder_get_root(b);
		body = json_to_string(root, FALSE);
	}
	g_autofree char *url = attache__upload_url(up,
		refresh ? BLUESKY_REFRESH_SESSION
				: BLUESKY_CREATE_SESSION);
	g_autofree char *what = g_strdup_printf("%s: Bluesky %s", path,
		refresh ? "session refresh" : "login (createSession)");
	AttacheHttpRequest req = {
		.method = "POST",
		.url = url,
		.auth = refresh ? bearer : NULL,
		.auth_data = (gpointer)refresh,
		.content_type = body ? "application/json" : NULL,
		.body = (const guint8 *)body,
		.body_len = body ? strlen(body) : 0,
		.what = what,
	};
	AttacheHttpResponse resp;
	AttacheCode code = attache__http_send(up->http, &req, &resp, error);
	if (body)
		memset(body, 0, strlen(body));
	if (code)
		return code;
	if (resp.status != 200) {
		if (refresh && (resp.status == 400 || resp.status == 401))
			*refused = TRUE;
		code = attache__upload_http_error(up, &resp, what, error);
		attache__http_response_clear(&resp);
		return code;
	}
	g_autoptr(JsonNode) root = attache__http_json(&resp);
	AttacheBlueskySession *s = root ? session_from(json_node_get_object(root))
									: NULL;
	if (!s)
		code = attache__upload_bad_answer(up, &resp, what,
			"no accessJwt and refreshJwt", error);
	attache__http_response_clear(&resp);
	*out = s;
	return code;
}

/* Makes state_of(up)->session usable: the cached one, refreshed if needed, or a
 * new login. @stale: the access token the PDS just refused, or NULL. */
static AttacheCode
session_ensure(AttacheUploader *up, const char *path, const char *stale,
	GError **error)
{
	if (state_of(up)->session && !stale && session_fresh(state_of(up)->session))
		return ATTACHE_OK;

	g_autofree char *key = g_strconcat(up->base, "\n",
		up->creds->bluesky_handle, NULL);
	g_autofree char *cache = attache__upload_cache_path(up, "bluesky-session",
		key, error);
	if (!cache)
		return ATTACHE_E_WRITE;
	/* one process at a time past this point, for this session */
	g_autofree char *lock_path = g_strconcat(cache, ".lock", NULL);
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock >= 0)
		flock(lock, LOCK_EX);

	AttacheCode code = ATTACHE_OK;
	g_autoptr(AttacheBlueskySession) cached = session_load(up, cache);
	if (cached && g_strcmp0(cached->access, stale) && session_fresh(cached)) {
		/* ours from an earlier run, or one another process refreshed */
		attache__http_log(up->http, "Bluesky session from the cache");
		session_use(up, g_steal_pointer(&cached));
		goto out;
	}
	const char *refresh = cached				  ? cached->refresh
						  : state_of(up)->session ? state_of(up)->session->refresh
												  : NULL;
	if (refresh) {
		AttacheBlueskySession *s = NULL;
		gboolean refused = FALSE;
		g_autoptr(GError) local = NULL;
		code = session_call(up, path, refresh, &s, &refused, &local);
		if (!code) {
			attache__http_log(up->http, "Bluesky session refreshed");
			session_use(up, s);
			session_save(up, cache, s);
			goto out;
		}
		if (!refused) {
			g_propagate_error(error, g_steal_pointer(&local));
			goto out;
		}
		attache__http_log(up->http, "Bluesky refresh token refused; logging "
									"in again");
	}
	{
		AttacheBlueskySession *s = NULL;
		gboolean refused = FALSE;
		code = session_call(up, path, NULL, &s, &refused, error);
		if (!code) {
			attache__http_log(up->http, "Bluesky login: new session");
			session_use(up, s);
			session_save(up, cache, s);
		}
	}
out:
	if (lock >= 0) {
		flock(lock, LOCK_UN);
		close(lock);
	}
	return code;
}

static gboolean
valid_blob(JsonObject *blob)
{
	if (!blob || g_strcmp0(attache__json_string(blob, "$type"), "blob"))
		return FALSE;
	JsonNode *ref = json_object_get_member(blob, "ref");
	if (!ref || !JSON_NODE_HOLDS_OBJECT(ref))
		return FALSE;
	const char *link = attache__json_string(json_node_get_object(ref),
		"$link");
	return link && *link && attache__json_string(blob, "mimeType") && attache__json_int(blob, "size", -1) >= 0;
}

/* uploadBlob; *expired when the PDS refused the access token. */
static AttacheCode
upload_blob(AttacheUploader *up, AttacheUploadJob *job, gboolean *expired,
	GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(job->bytes, &len);
	g_autofree char *url = attache__upload_url(up, BLUESKY_UPLOAD_BLOB);
	g_autofree char *what = g_strdup_printf("%s: Bluesky uploadBlob",
		job->path);
	AttacheHttpRequest req = {
		.method = "POST",
		.url = url,
		.auth = bearer,
		.auth_data = state_of(up)->session->access,
		.content_type = job->mime,
		.body = data,
		.body_len = len,
		/* blobs are content-addressed: sending again makes the same blob */
		.creates = FALSE,
		.what = what,
	};
	AttacheHttpResponse resp;
	AttacheCode code = attache__http_send(up->http, &req, &resp, error);
	if (code)
		return code;
	g_autoptr(JsonNode) root = attache__http_json(&resp);
	JsonObject *o = root ? json_node_get_object(root) : NULL;
	if (resp.status != 200) {
		const char *err = attache__json_string(o, "error");
		if (resp.status == 401
			|| (resp.status == 400 && (!g_strcmp0(err, "ExpiredToken") || !g_strcmp0(err, "InvalidToken"))))
			*expired = TRUE;
		code = attache__upload_http_error(up, &resp, what, error);
		attache__http_response_clear(&resp);
		return code;
	}
	JsonNode *blob = o ? json_object_get_member(o, "blob") : NULL;
	if (!blob || !JSON_NODE_HOLDS_OBJECT(blob) || !valid_blob(json_node_get_object(blob)))
		code = attache__upload_bad_answer(up, &resp, what,
			"no blob object ($type, ref.$link, mimeType, size)", error);
	else {
		job->entry->blob = json_to_string(blob, FALSE);
		job->entry->sent = job->entry->ready = TRUE;
	}
	attache__http_response_clear(&resp);
	return code;
}

/* The Bluesky backend's upload(): a usable session, then uploadBlob, once
 * more after a refresh when the PDS says the token expired. */
static AttacheCode
bluesky_upload(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	if (job->entry->blob)
		return ATTACHE_OK;
	AttacheCode code = session_ensure(up, job->path, NULL, error);
	if (code)
		return code;
	gboolean expired = FALSE;
	g_autoptr(GError) local = NULL;
	code = upload_blob(up, job, &expired, &local);
	if (code && expired) {
		/* the PDS's clock or a revocation disagrees with the token's exp:
		 * refresh once and send again */
		g_autofree char *stale = g_strdup(state_of(up)->session->access);
		g_clear_error(&local);
		if ((code = session_ensure(up, job->path, stale, error)))
			return code;
		expired = FALSE;
		code = upload_blob(up, job, &expired, &local);
	}
	if (code)
		g_propagate_error(error, g_steal_pointer(&local));
	return code;
}

/* The limits() of Bluesky: the official client's sizes for the byte limit
 * the options chose. @l: (out caller-allocates) */
static void
bluesky_limits(AttacheUploader *up, AttacheUploadLimits *l)
{
	static const char *const mimes[] = { "image/jpeg", "image/png",
		"image/webp", NULL };
	gint64 max_bytes = up->opts.bluesky_max_bytes;
	*l = (AttacheUploadLimits){
		.mimes = mimes,
		.max_bytes = max_bytes,
		/* the official client's: 2000 px with 1 MB, 4000 px with 2 MB */
		.max_side = max_bytes > ATTACHE_BLUESKY_MAX_BYTES ? 4000 : 2000,
		.alt_max = BLUESKY_ALT_MAX,
		/* a server still at 1 MB: the preset made for it */
		.preset = max_bytes <= ATTACHE_BLUESKY_MAX_BYTES ? "bluesky-1mb" : "bluesky",
	};
}

/* The result_json() of Bluesky: the blob, and the
 * app.bsky.embed.images#image object ready to embed. @r: (transfer none) */
static void
bluesky_result_json(JsonBuilder *b, const AttacheUploadResult *r)
{
	gboolean ok = r->code == ATTACHE_OK;
	g_autoptr(JsonNode) blob = ok && r->blob
								   ? json_from_string(r->blob, NULL)
								   : NULL;
	json_builder_set_member_name(b, "blob");
	if (blob)
		json_builder_add_value(b, json_node_copy(blob));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "image");
	if (!blob) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	attache__json_member_string(b, "alt", r->alt_text ? r->alt_text : "");
	json_builder_set_member_name(b, "image");
	json_builder_add_value(b, json_node_copy(blob));
	if (r->width > 0 && r->height > 0) {
		json_builder_set_member_name(b, "aspectRatio");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "width");
		json_builder_add_int_value(b, r->width);
		json_builder_set_member_name(b, "height");
		json_builder_add_int_value(b, r->height);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

#define F(member) G_STRUCT_OFFSET(AttacheCredentials, member)

static const AttacheCredentialField bluesky_fields[] = {
	{ "ATTACHE_BLUESKY_HANDLE", "handle", F(bluesky_handle), FALSE, TRUE },
	{ "ATTACHE_BLUESKY_APP_PASSWORD", "app_password",
		F(bluesky_app_password), TRUE, TRUE },
	{ "ATTACHE_BLUESKY_PDS", "pds", F(base_url), FALSE },
};

static const char *const bluesky_aliases[] = { "bsky", NULL };

const AttacheUploadBackend attache__backend_bluesky = {
	.target = ATTACHE_TARGET_BLUESKY,
	.name = "bluesky",
	.aliases = bluesky_aliases,
	.title = "Bluesky",
	.default_base = BLUESKY_PDS_DEFAULT,
	.preset = "bluesky",
	.fields = bluesky_fields,
	.n_fields = G_N_ELEMENTS(bluesky_fields),
	.hint_401 = "check the handle and the app password",
	.hint_403 = "the account may not upload blobs (suspended, or the app "
				"password lacks the permission)",
	/* the post keeps the alt text, and blobs are content-addressed */
	.limits = bluesky_limits,
	.upload = bluesky_upload,
	.state_new = state_new,
	.state_free = state_free,
	.result_json = bluesky_result_json,
};
