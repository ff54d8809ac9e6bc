/* SPDX-License-Identifier: MIT */
/*
 * upload-x.c: X (Twitter) v2 chunked media upload.
 *
 * initialize (JSON) -> append (multipart, segments of at most 4 MiB with
 * segment_index; a failing segment alone is retried) -> finalize -> STATUS
 * polls while processing_info says so -> POST /2/media/metadata with the
 * alt text. Auth: OAuth 1.0a user context, signed afresh for every attempt
 * (multipart and JSON bodies are not signed), or an OAuth 2.0 user token
 * with media.write as a bearer. The media id stays a string end to end.
 */
#include "upload-private.h"

#include <string.h>

#define X_API_DEFAULT "https://api.x.com"
#define X_INITIALIZE "/2/media/upload/initialize"
#define X_APPEND "/2/media/upload/%s/append"
#define X_FINALIZE "/2/media/upload/%s/finalize"
#define X_STATUS "/2/media/upload?command=STATUS&media_id=%s"
#define X_METADATA "/2/media/metadata"
#define X_MAX_BYTES 5000000 /* images via the API: 5 MB */
#define X_MAX_SIDE 8192
#define X_ALT_MAX 1000
#define X_SEGMENTS_MAX 1000 /* segment_index 0..999 */

/* OAuth 1.0a when all four values are there, else the bearer token. */
static gboolean
oauth1(const AttacheCredentials *c)
{
	return c->x_consumer_key && c->x_consumer_secret && c->x_access_token && c->x_access_secret;
}

static char *
x_auth(gpointer data, const char *method, const char *url)
{
	const AttacheCredentials *c = ((AttacheUploader *)data)->creds;
	if (oauth1(c)) {
		AttacheOAuth1Keys k = { c->x_consumer_key, c->x_consumer_secret,
			c->x_access_token, c->x_access_secret };
		g_autofree char *nonce = attache__oauth1_nonce();
		return attache__oauth1_header(&k, method, url, NULL, nonce,
			g_get_real_time() / G_USEC_PER_SEC, NULL, NULL);
	}
	return g_strdup_printf("Bearer %s", c->x_bearer);
}

/* X ids are 1 to 19 digits; anything else never goes into a URL. */
static gboolean
valid_id(const char *id)
{
	if (!id || !*id || strlen(id) > 19)
		return FALSE;
	for (const char *p = id; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	return TRUE;
}

static char *
json_text(JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

/* POST or GET @path; on 2xx, the answer's "data" object into *data. */
static AttacheCode
call(AttacheUploader *up, const char *method, const char *path,
	const char *json, const AttacheHttpPart *parts, guint n_parts,
	gboolean creates, const char *what, JsonNode **root, JsonObject **data,
	AttacheHttpResponse *resp, GError **error)
{
	g_autofree char *url = attache__upload_url(up, path);
	AttacheHttpRequest req = {
		.method = method,
		.url = url,
		.auth = x_auth,
		.auth_data = up,
		.content_type = json ? "application/json" : NULL,
		.body = (const guint8 *)json,
		.body_len = json ? strlen(json) : 0,
		.parts = parts,
		.n_parts = n_parts,
		.creates = creates,
		.single_use = oauth1(up->creds),
		.what = what,
	};
	AttacheCode code = attache__http_send(up->http, &req, resp, error);
	if (code)
		return code;
	if (resp->status < 200 || resp->status >= 300)
		return attache__upload_http_error(up, resp, what, error);
	if (root) {
		*root = attache__http_json(resp);
		JsonObject *o = *root ? json_node_get_object(*root) : NULL;
		JsonNode *d = o ? json_object_get_member(o, "data") : NULL;
		if (!d || !JSON_NODE_HOLDS_OBJECT(d)) {
			/* a 200 can still carry errors[] */
			g_autofree char *problem = attache__http_problem(up->http, resp);
			return attache__upload_bad_answer(up, resp, what,
				problem ? problem : "no \"data\" object", error);
		}
		*data = json_node_get_object(d);
	}
	return ATTACHE_OK;
}

/* X says in each answer how long the media lives unused
 * (expires_after_secs): the latest answer's word counts. */
static void
note_expiry(AttacheUploadEntry *e, JsonObject *data)
{
	gint64 secs = data ? attache__json_int(data, "expires_after_secs", -1) : -1;
	if (secs > 0 && secs < G_MAXINT32)
		e->expires_at = g_get_real_time() / G_USEC_PER_SEC + secs;
}

static AttacheCode
initialize(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "media_type");
	json_builder_add_string_value(b, job->mime);
	json_builder_set_member_name(b, "total_bytes");
	json_builder_add_int_value(b, (gint64)g_bytes_get_size(job->bytes));
	json_builder_set_member_name(b, "media_category");
	json_builder_add_string_value(b, "tweet_image");
	json_builder_end_object(b);
	g_autofree char *body = json_text(b);

	g_autofree char *what = g_strdup_printf("%s: X initialize", job->path);
	g_autoptr(JsonNode) root = NULL;
	JsonObject *data = NULL;
	AttacheHttpResponse resp;
	AttacheCode code = call(up, "POST", X_INITIALIZE, body, NULL, 0,
		TRUE, what, &root, &data, &resp, error);
	if (!code) {
		const char *id = attache__json_string(data, "id");
		if (!valid_id(id))
			code = attache__upload_bad_answer(up, &resp, what,
				"no valid media id (a string of digits)", error);
		else {
			job->entry->media_id = g_strdup(id);
			note_expiry(job->entry, data);
			attache__http_log(up->http, "%s: media %s", job->path, id);
		}
	}
	attache__http_response_clear(&resp);
	return code;
}

static AttacheCode
append_all(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(job->bytes, &len);
	/* at most 1000 segments (segment_index 0..999) */
	gsize seg = (gsize)up->opts.x_segment_bytes;
	seg = MAX(seg, (len + X_SEGMENTS_MAX - 1) / X_SEGMENTS_MAX);
	seg = MIN(seg, (gsize)ATTACHE_X_SEGMENT_MAX);
	guint n = (guint)((len + seg - 1) / seg);
	g_autofree char *path = g_strdup_printf(X_APPEND,
		job->entry->media_id);

	for (guint i = 0; i < n; i++) {
		gsize off = (gsize)i * seg;
		char index[16];
		g_snprintf(index, sizeof(index), "%u", i);
		AttacheHttpPart parts[] = {
			{ "segment_index", (const guint8 *)index, strlen(index), NULL,
				NULL },
			{ "media", data + off, MIN(seg, len - off), "media",
				"application/octet-stream" },
		};
		g_autofree char *what = g_strdup_printf("%s: X append segment %u of "
												"%u",
			job->path, i + 1, n);
		AttacheHttpResponse resp;
		AttacheCode code = call(up, "POST", path, NULL, parts, 2, FALSE, what,
			NULL, NULL, &resp, error);
		attache__http_response_clear(&resp);
		if (code)
			return code;
	}
	return ATTACHE_OK;
}

/* The processing state in @data: NULL when there is no processing_info
 * (nothing to wait for). Sets *after to check_after_secs, *detail to the
 * error's message for "failed". */
static const char *
processing_state(JsonObject *data, double *after, const char **detail)
{
	JsonNode *pi = json_object_get_member(data, "processing_info");
	if (!pi || !JSON_NODE_HOLDS_OBJECT(pi))
		return NULL;
	JsonObject *p = json_node_get_object(pi);
	*after = (double)attache__json_int(p, "check_after_secs", 0);
	JsonNode *e = json_object_get_member(p, "error");
	if (e && JSON_NODE_HOLDS_OBJECT(e)) {
		JsonObject *eo = json_node_get_object(e);
		*detail = attache__json_string(eo, "message");
		if (!*detail)
			*detail = attache__json_string(eo, "name");
	}
	const char *s = attache__json_string(p, "state");
	return s ? s : "";
}

static AttacheCode
status(AttacheUploader *up, AttacheUploadJob *job, JsonNode **root,
	JsonObject **data, GError **error)
{
	g_autofree char *path = g_strdup_printf(X_STATUS,
		job->entry->media_id);
	g_autofree char *what = g_strdup_printf("%s: X status of media %s",
		job->path, job->entry->media_id);
	AttacheHttpResponse resp;
	AttacheCode code = call(up, "GET", path, NULL, NULL, 0, FALSE, what, root,
		data, &resp, error);
	attache__http_response_clear(&resp);
	return code;
}

/* Finalizes (once) and waits for processing to end. */
static AttacheCode
finalize_and_wait(AttacheUploader *up, AttacheUploadJob *job,
	GError **error)
{
	AttacheUploadEntry *e = job->entry;
	g_autoptr(JsonNode) root = NULL;
	JsonObject *data = NULL;
	AttacheCode code;

	if (!e->sent) {
		g_autofree char *path = g_strdup_printf(X_FINALIZE,
			e->media_id);
		g_autofree char *what = g_strdup_printf("%s: X finalize", job->path);
		AttacheHttpResponse resp;
		code = call(up, "POST", path, NULL, NULL, 0, FALSE, what, &root,
			&data, &resp, error);
		gboolean unsure = resp.ambiguous_retry && resp.status >= 400 && resp.status < 500;
		attache__http_response_clear(&resp);
		if (code && unsure) {
			/* the first finalize may have landed before its answer was
			 * lost, and the repeat was refused: ask what the media is */
			g_autoptr(GError) first = NULL;
			if (error) {
				first = *error;
				*error = NULL;
			}
			g_clear_pointer(&root, json_node_unref);
			code = status(up, job, &root, &data, NULL);
			if (code) {
				if (error)
					*error = g_steal_pointer(&first);
				return ATTACHE_E_UPLOAD;
			}
		}
		else if (code)
			return code;
		e->sent = TRUE;
	}
	else if ((code = status(up, job, &root, &data, error)))
		return code;

	gint64 start = g_get_monotonic_time();
	for (;;) {
		double after = 0;
		const char *detail = NULL;
		const char *state = processing_state(data, &after, &detail);
		if (!state || g_str_equal(state, "succeeded"))
			break;
		if (g_str_equal(state, "failed")) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_REJECTED,
				"%s: X could not process media %s: %s", job->path,
				e->media_id, detail ? detail : "failed");
			return ATTACHE_E_REJECTED;
		}
		if (!g_str_equal(state, "pending") && !g_str_equal(state, "in_progress")) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
				"%s: X answered an unknown processing state \"%.40s\" for "
				"media %s",
				job->path, state, e->media_id);
			return ATTACHE_E_UPLOAD;
		}
		double wait = after > 0 ? after : up->opts.poll_interval;
		wait = MIN(wait, MAX(up->opts.max_wait, up->opts.poll_interval));
		double spent = (g_get_monotonic_time() - start) / 1e6;
		if (spent + wait > up->opts.processing_timeout) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
				"%s: X still processing media %s after %.0f s; gave up "
				"waiting",
				job->path, e->media_id, spent);
			return ATTACHE_E_UPLOAD;
		}
		attache__http_log(up->http, "%s: X processing (%s); next look in "
									"%.2f s",
			job->path, state, wait);
		attache__sleep(wait);
		g_clear_pointer(&root, json_node_unref);
		if ((code = status(up, job, &root, &data, error)))
			return code;
	}
	note_expiry(e, data);
	e->ready = TRUE;
	return ATTACHE_OK;
}

static AttacheCode
set_alt(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, job->entry->media_id);
	json_builder_set_member_name(b, "metadata");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "alt_text");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, job->alt);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	g_autofree char *body = json_text(b);

	g_autofree char *what = g_strdup_printf("%s: X alt text for media %s",
		job->path, job->entry->media_id);
	AttacheHttpResponse resp;
	AttacheCode code = call(up, "POST", X_METADATA, body, NULL, 0,
		FALSE, what, NULL, NULL, &resp, error);
	attache__http_response_clear(&resp);
	if (!code)
		job->entry->alt_done = TRUE;
	return code;
}

/* The X backend's upload(): each step once, resuming where this run left
 * the file. */
static AttacheCode
x_upload(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	AttacheUploadEntry *e = job->entry;
	AttacheCode code;
	if (!e->media_id && (code = initialize(up, job, error)))
		return code;
	if (!e->sent && (code = append_all(up, job, error)))
		return code;
	if (!e->ready && (code = finalize_and_wait(up, job, error)))
		return code;
	g_autoptr(GError) local = NULL;
	if (job->alt && !e->alt_done && (code = set_alt(up, job, &local))) {
		/* the media exists: say so, so nobody posts it without alt text */
		const char *why = local->message;
		if (g_str_has_prefix(why, job->path) && why[strlen(job->path)] == ':')
			why += strlen(job->path) + 2;
		g_set_error(error, ATTACHE_ERROR, code,
			"%s: media %s uploaded, but its alt text was not set: %s",
			job->path, e->media_id, why);
		return code;
	}
	return ATTACHE_OK;
}

/* The missing() of X: the four OAuth 1.0a values, or the bearer token.
 * Returns: (transfer full) the names, or %NULL when nothing is missing. */
static char *
x_missing(const AttacheCredentials *c)
{
	if (c->x_bearer && *c->x_bearer)
		return NULL;
	const char *four[][2] = {
		{ c->x_consumer_key, "ATTACHE_X_CONSUMER_KEY" },
		{ c->x_consumer_secret, "ATTACHE_X_CONSUMER_SECRET" },
		{ c->x_access_token, "ATTACHE_X_ACCESS_TOKEN" },
		{ c->x_access_secret, "ATTACHE_X_ACCESS_SECRET" },
	};
	g_autoptr(GPtrArray) m = g_ptr_array_new();
	for (guint i = 0; i < G_N_ELEMENTS(four); i++)
		if (!four[i][0] || !*four[i][0])
			g_ptr_array_add(m, (gpointer)four[i][1]);
	if (m->len == G_N_ELEMENTS(four))
		return g_strdup("ATTACHE_X_CONSUMER_KEY, ATTACHE_X_CONSUMER_SECRET, "
						"ATTACHE_X_ACCESS_TOKEN and ATTACHE_X_ACCESS_SECRET "
						"(OAuth 1.0a user context), or ATTACHE_X_BEARER (an "
						"OAuth 2.0 user token with the media.write scope)");
	if (m->len == 0)
		return NULL;
	g_ptr_array_add(m, NULL);
	return g_strjoinv(", ", (char **)m->pdata);
}

/* The limits() of X: fixed. @l: (out caller-allocates) */
static void
x_limits(AttacheUploader *up, AttacheUploadLimits *l)
{
	static const char *const mimes[] = { "image/jpeg", "image/png",
		"image/webp", "image/tiff", NULL };
	*l = (AttacheUploadLimits){
		.mimes = mimes,
		.max_bytes = X_MAX_BYTES,
		.max_side = X_MAX_SIDE,
		.alt_max = X_ALT_MAX,
	};
}

#define F(member) G_STRUCT_OFFSET(AttacheCredentials, member)

static const AttacheCredentialField x_fields[] = {
	{ "ATTACHE_X_CONSUMER_KEY", "consumer_key", F(x_consumer_key), TRUE },
	{ "ATTACHE_X_CONSUMER_SECRET", "consumer_secret", F(x_consumer_secret),
		TRUE },
	{ "ATTACHE_X_ACCESS_TOKEN", "access_token", F(x_access_token), TRUE },
	{ "ATTACHE_X_ACCESS_SECRET", "access_secret", F(x_access_secret), TRUE },
	{ "ATTACHE_X_BEARER", "bearer", F(x_bearer), TRUE },
	{ "ATTACHE_X_API", "api", F(base_url), FALSE },
};

static const char *const x_aliases[] = { "twitter", NULL };

const AttacheUploadBackend attache__backend_x = {
	.target = ATTACHE_TARGET_X,
	.name = "x",
	.aliases = x_aliases,
	.title = "X",
	.default_base = X_API_DEFAULT,
	.preset = "x-landscape",
	.fields = x_fields,
	.n_fields = G_N_ELEMENTS(x_fields),
	.missing = x_missing,
	.hint_401 = "X refused the authorization: check the four OAuth 1.0a "
				"values (or that the OAuth 2.0 token has not expired), and "
				"that this computer's clock is right: a signature made with "
				"a clock a few minutes off is refused",
	.hint_403 = "the token may not upload media: an OAuth 2.0 token needs "
				"the media.write scope (authorize the app again with it), "
				"and the app needs access to the v2 media endpoints",
	.media_has_alt = TRUE,
	.limits = x_limits,
	.upload = x_upload,
};
