/* SPDX-License-Identifier: MIT */
/*
 * upload-mastodon.c: Mastodon media upload.
 *
 * The instance's media limits (GET /api/v2/instance, cached on disk for a
 * day) are checked before sending (upload.c). POST /api/v2/media with the
 * file, its description (the alt text) and focus; a 202 is polled with
 * GET /api/v1/media/:id (206 while processing) until 200.
 */
#include "upload-private.h"

#include <string.h>

#define MASTODON_INSTANCE "/api/v2/instance"
#define MASTODON_MEDIA "/api/v2/media"
#define MASTODON_MEDIA_GET "/api/v1/media/%s"
/* documented defaults, used when the instance does not say */
#define MASTODON_MAX_BYTES 16777216
#define MASTODON_MAX_PIXELS 33177600
#define MASTODON_ALT_MAX 1500
#define MASTODON_CACHE_SECONDS (24 * 3600)

/* The instance's media limits, asked once per uploader (up->state). */
typedef struct {
	gboolean have_limits;
	gint64 max_bytes;
	gint64 max_pixels;
	int alt_max;
	char **mimes; /* %NULL: not said */
} MastodonState;

/* The state_new() of Mastodon. Returns: (transfer full) */
static gpointer
state_new(void)
{
	return g_new0(MastodonState, 1);
}

/* The state_free() of Mastodon. @p: (transfer full) (nullable) */
static void
state_free(gpointer p)
{
	MastodonState *st = p;
	if (!st)
		return;
	g_strfreev(st->mimes);
	g_free(st);
}

static char *
bearer(gpointer data, const char *method, const char *url)
{
	const AttacheCredentials *c = ((AttacheUploader *)data)->creds;
	return g_strdup_printf("Bearer %s", c->mastodon_token);
}

/* Sends one request to the instance with the token, multipart when
 * @n_parts > 0. @resp: (out) filled on %ATTACHE_OK, to be cleared by the
 * caller; @parts, @what: (transfer none). */
static AttacheCode
send(AttacheUploader *up, const char *method, const char *url,
	const AttacheHttpPart *parts, guint n_parts, gboolean creates,
	const char *what, AttacheHttpResponse *resp, GError **error)
{
	AttacheHttpRequest req = {
		.method = method,
		.url = url,
		.auth = bearer,
		.auth_data = up,
		.parts = parts,
		.n_parts = n_parts,
		.creates = creates,
		.what = what,
	};
	return attache__http_send(up->http, &req, resp, error);
}

static gboolean
valid_id(const char *id)
{
	if (!id || !*id || strlen(id) > 64)
		return FALSE;
	for (const char *p = id; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			return FALSE;
	return TRUE;
}

/* configuration.media_attachments of an instance answer (or of our cache,
 * which keeps just that object) into the uploader's state. */
static gboolean
read_limits(AttacheUploader *up, JsonObject *ma)
{
	if (!ma)
		return FALSE;
	MastodonState *l = up->state;
	l->max_bytes = attache__json_int(ma, "image_size_limit",
		MASTODON_MAX_BYTES);
	l->max_pixels = attache__json_int(ma, "image_matrix_limit",
		MASTODON_MAX_PIXELS);
	l->alt_max = (int)MIN(attache__json_int(ma, "description_limit",
							  MASTODON_ALT_MAX),
		1000000);
	g_clear_pointer(&l->mimes, g_strfreev);
	JsonNode *m = json_object_get_member(ma, "supported_mime_types");
	if (m && JSON_NODE_HOLDS_ARRAY(m)) {
		JsonArray *a = json_node_get_array(m);
		GPtrArray *v = g_ptr_array_new();
		for (guint i = 0; i < json_array_get_length(a) && i < 256; i++) {
			JsonNode *n = json_array_get_element(a, i);
			if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
				g_ptr_array_add(v, g_strdup(json_node_get_string(n)));
		}
		g_ptr_array_add(v, NULL);
		l->mimes = (char **)g_ptr_array_free(v, FALSE);
	}
	return TRUE;
}

static JsonObject *
object_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* Fetches (or reads from the cache) the instance's media limits into the
 * uploader's state, once. Never fails: falls back to the documented
 * defaults. */
static void
fetch_limits(AttacheUploader *up)
{
	MastodonState *st = up->state;
	if (st->have_limits)
		return;
	st->have_limits = TRUE;
	st->max_bytes = MASTODON_MAX_BYTES;
	st->max_pixels = MASTODON_MAX_PIXELS;
	st->alt_max = MASTODON_ALT_MAX;

	g_autoptr(GError) local = NULL;
	g_autofree char *cache = attache__upload_cache_path(up,
		"mastodon-instance", up->base, &local);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	/* the cache: {"url", "fetched_at", "media_attachments"} */
	g_autofree char *text = cache ? attache__upload_read_private(cache)
								  : NULL;
	g_autoptr(JsonNode) cached = text ? json_from_string(text, NULL) : NULL;
	JsonObject *co = cached && JSON_NODE_HOLDS_OBJECT(cached)
						 ? json_node_get_object(cached)
						 : NULL;
	gboolean cache_ok = co && g_strcmp0(attache__json_string(co, "url"), up->base) == 0
						&& object_member(co, "media_attachments");
	gint64 fetched = cache_ok ? attache__json_int(co, "fetched_at", 0) : 0;
	if (cache_ok && fetched <= now && now - fetched < MASTODON_CACHE_SECONDS) {
		read_limits(up, object_member(co, "media_attachments"));
		attache__http_log(up->http, "Mastodon limits from the cache %s",
			cache);
		return;
	}

	g_autofree char *url = attache__upload_url(up, MASTODON_INSTANCE);
	AttacheHttpRequest req = {
		.method = "GET",
		.url = url,
		.what = "Mastodon instance limits",
	};
	AttacheHttpResponse resp;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *ma = NULL;
	if (!attache__http_send(up->http, &req, &resp, &local) && resp.status == 200 && (root = attache__http_json(&resp)))
		ma = object_member(object_member(json_node_get_object(root),
							   "configuration"),
			"media_attachments");
	attache__http_response_clear(&resp);

	if (ma) {
		read_limits(up, ma);
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "url");
		json_builder_add_string_value(b, up->base);
		json_builder_set_member_name(b, "fetched_at");
		json_builder_add_int_value(b, now);
		json_builder_set_member_name(b, "media_attachments");
		JsonNode *copy = json_node_new(JSON_NODE_OBJECT);
		json_node_set_object(copy, ma);
		json_builder_add_value(b, copy);
		json_builder_end_object(b);
		g_autoptr(JsonNode) out = json_builder_get_root(b);
		g_autofree char *s = json_to_string(out, FALSE);
		if (cache)
			attache__upload_write_private(cache, s, NULL);
		return;
	}
	/* unreachable or not saying: an old answer is better than none, and the
	 * documented defaults better than nothing (the server still checks) */
	if (cache_ok) {
		read_limits(up, object_member(co, "media_attachments"));
		attache__http_log(up->http, "Mastodon limits: instance not "
									"answering; using the cached ones");
	}
	else
		attache__http_log(up->http, "Mastodon limits: instance not "
									"answering; using the documented "
									"defaults");
}

static AttacheCode
create(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(job->bytes, &len);
	g_autofree char *name = g_path_get_basename(job->path);
	char focus[64];
	if (job->have_focus) {
		char x[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
		g_ascii_formatd(x, sizeof(x), "%.2f", job->focus_x);
		g_ascii_formatd(y, sizeof(y), "%.2f", job->focus_y);
		g_snprintf(focus, sizeof(focus), "%s,%s", x, y);
	}
	AttacheHttpPart parts[3];
	guint n = 0;
	parts[n++] = (AttacheHttpPart){ "file", data, len, name, job->mime };
	if (job->alt)
		parts[n++] = (AttacheHttpPart){ "description",
			(const guint8 *)job->alt, strlen(job->alt), NULL, NULL };
	if (job->have_focus)
		parts[n++] = (AttacheHttpPart){ "focus", (const guint8 *)focus,
			strlen(focus), NULL, NULL };

	g_autofree char *url = attache__upload_url(up, MASTODON_MEDIA);
	g_autofree char *what = g_strdup_printf("%s: Mastodon upload", job->path);
	AttacheHttpResponse resp;
	AttacheCode code = send(up, "POST", url, parts, n, TRUE, what, &resp,
		error);
	if (code)
		return code;
	if (resp.status != 200 && resp.status != 202) {
		code = attache__upload_http_error(up, &resp, what, error);
		attache__http_response_clear(&resp);
		return code;
	}
	g_autoptr(JsonNode) root = attache__http_json(&resp);
	const char *id = root
						 ? attache__json_string(json_node_get_object(root), "id")
						 : NULL;
	if (!valid_id(id))
		code = attache__upload_bad_answer(up, &resp, what, "no valid media id",
			error);
	else {
		job->entry->media_id = g_strdup(id);
		job->entry->sent = TRUE;
		job->entry->ready = resp.status == 200;
		attache__http_log(up->http, "%s: media %s%s", job->path, id,
			resp.status == 202 ? " (processing)" : "");
	}
	attache__http_response_clear(&resp);
	return code;
}

static AttacheCode
wait_processed(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	const char *id = job->entry->media_id;
	g_autofree char *path = g_strdup_printf(MASTODON_MEDIA_GET, id);
	g_autofree char *url = attache__upload_url(up, path);
	g_autofree char *what = g_strdup_printf("%s: Mastodon media %s",
		job->path, id);
	gint64 start = g_get_monotonic_time();
	for (;;) {
		double spent = (g_get_monotonic_time() - start) / 1e6;
		double wait = up->opts.poll_interval;
		if (spent + wait > up->opts.processing_timeout) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
				"%s: still processing after %.0f s; gave up waiting", what,
				spent);
			return ATTACHE_E_UPLOAD;
		}
		attache__sleep(wait);
		AttacheHttpResponse resp;
		AttacheCode code = send(up, "GET", url, NULL, 0, FALSE, what, &resp,
			error);
		if (code)
			return code;
		long s = resp.status;
		if (s == 200) {
			attache__http_response_clear(&resp);
			job->entry->ready = TRUE;
			return ATTACHE_OK;
		}
		if (s != 206) {
			code = attache__upload_http_error(up, &resp, what, error);
			attache__http_response_clear(&resp);
			return code;
		}
		attache__http_response_clear(&resp);
		attache__http_log(up->http, "%s: processing", what);
	}
}

/* The Mastodon backend's upload(): create the media once, then wait for
 * its processing. */
static AttacheCode
mastodon_upload(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	AttacheCode code;
	if (!job->entry->media_id && (code = create(up, job, error)))
		return code;
	if (!job->entry->ready && (code = wait_processed(up, job, error)))
		return code;
	return ATTACHE_OK;
}

/* The limits() of Mastodon: the instance's. @l: (out caller-allocates),
 * its mimes owned by the uploader's state. */
static void
mastodon_limits(AttacheUploader *up, AttacheUploadLimits *l)
{
	fetch_limits(up);
	const MastodonState *st = up->state;
	*l = (AttacheUploadLimits){
		.mimes = (const char *const *)st->mimes,
		.max_bytes = st->max_bytes,
		.max_pixels = st->max_pixels,
		.alt_max = st->alt_max,
	};
}

#define F(member) G_STRUCT_OFFSET(AttacheCredentials, member)

static const AttacheCredentialField mastodon_fields[] = {
	{ "ATTACHE_MASTODON_URL", "url", F(base_url), FALSE, TRUE },
	{ "ATTACHE_MASTODON_TOKEN", "token", F(mastodon_token), TRUE, TRUE },
};

const AttacheUploadBackend attache__backend_mastodon = {
	.target = ATTACHE_TARGET_MASTODON,
	.name = "mastodon",
	.title = "Mastodon",
	.default_base = NULL, /* every instance is its own */
	.preset = "mastodon",
	.fields = mastodon_fields,
	.n_fields = G_N_ELEMENTS(mastodon_fields),
	.hint_401 = "the access token is wrong or was revoked",
	.hint_403 = "the token needs the write:media scope",
	.media_has_alt = TRUE,
	.media_has_focus = TRUE,
	.limits = mastodon_limits,
	.upload = mastodon_upload,
	.state_new = state_new,
	.state_free = state_free,
};
