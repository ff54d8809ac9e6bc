/* SPDX-License-Identifier: MIT */
/*
 * upload.c: stage 10, upload. The uploader, the one entry point
 * attache_upload_file(), the checks every target shares, the result and its
 * JSON line.
 *
 * Before a byte goes out, the file is read once into memory, audited again
 * (the bytes audited are the bytes sent) and checked against the target's
 * type, byte, pixel and alt-text limits: a file over a limit is never sent.
 * The platform backends (upload-x.c, upload-mastodon.c, upload-bluesky.c)
 * then do the network part.
 */
#include "upload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
attache_target_name(AttacheTarget t)
{
	switch (t) {
	case ATTACHE_TARGET_X:
		return "x";
	case ATTACHE_TARGET_MASTODON:
		return "mastodon";
	case ATTACHE_TARGET_BLUESKY:
		return "bluesky";
	}
	return "unknown";
}

gboolean
attache_target_from_string(const char *s, AttacheTarget *out)
{
	if (!s)
		return FALSE;
	if (!g_ascii_strcasecmp(s, "x") || !g_ascii_strcasecmp(s, "twitter"))
		*out = ATTACHE_TARGET_X;
	else if (!g_ascii_strcasecmp(s, "mastodon"))
		*out = ATTACHE_TARGET_MASTODON;
	else if (!g_ascii_strcasecmp(s, "bluesky") || !g_ascii_strcasecmp(s, "bsky"))
		*out = ATTACHE_TARGET_BLUESKY;
	else
		return FALSE;
	return TRUE;
}

/* ---- options ---- */

static void
env_double(const char *name, double *v, double min, double max)
{
	const char *s = g_getenv(name);
	if (!s || !*s)
		return;
	char *end;
	double d = g_ascii_strtod(s, &end);
	if (end != s && !*end && isfinite(d) && d >= min && d <= max)
		*v = d;
}

AttacheUploadOptions *
attache_upload_options_new(void)
{
	AttacheUploadOptions *o = g_new0(AttacheUploadOptions, 1);
	o->timeout = 30;
	o->connect_timeout = 10;
	o->retries = 4;
	o->retry_base = 1;
	o->max_wait = 120;
	o->poll_interval = 1;
	o->processing_timeout = 600;
	o->x_segment_bytes = ATTACHE_X_SEGMENT_MAX;
	o->bluesky_max_bytes = ATTACHE_BLUESKY_MAX_BYTES;

	/* tests and impatient schedulers shorten these */
	env_double("ATTACHE_HTTP_TIMEOUT", &o->timeout, 0.1, 3600);
	o->connect_timeout = MIN(o->connect_timeout, MAX(o->timeout, 1));
	double retries = o->retries;
	env_double("ATTACHE_HTTP_RETRIES", &retries, 0, 20);
	o->retries = (int)retries;
	env_double("ATTACHE_HTTP_RETRY_BASE", &o->retry_base, 0.001, 60);
	env_double("ATTACHE_HTTP_MAX_WAIT", &o->max_wait, 0, 24 * 3600);
	env_double("ATTACHE_HTTP_POLL_INTERVAL", &o->poll_interval, 0.001, 600);
	env_double("ATTACHE_HTTP_PROCESSING_TIMEOUT", &o->processing_timeout, 0.1,
		24 * 3600);
	double seg = (double)o->x_segment_bytes;
	env_double("ATTACHE_X_SEGMENT_BYTES", &seg, 1024, ATTACHE_X_SEGMENT_MAX);
	o->x_segment_bytes = (gint64)seg;
	double bmax = (double)o->bluesky_max_bytes;
	env_double("ATTACHE_BLUESKY_MAX_BYTES", &bmax, 1,
		ATTACHE_BLUESKY_MAX_BYTES_2MB);
	o->bluesky_max_bytes = (gint64)bmax;
	return o;
}

void
attache_upload_options_free(AttacheUploadOptions *o)
{
	if (!o)
		return;
	g_free(o->cache_dir);
	g_free(o);
}

/* ---- the uploader ---- */

static void
entry_free(gpointer p)
{
	AttacheUploadEntry *e = p;
	g_free(e->media_id);
	g_free(e->blob);
	g_free(e);
}

AttacheCode
attache_uploader_new(const AttacheCredentials *creds,
	const AttacheUploadOptions *opts, AttacheUploader **out, GError **error)
{
	g_autofree char *gap = attache__credentials_missing(creds);
	if (gap) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"no credentials for %s: missing %s",
			attache_target_name(creds->target), gap);
		return ATTACHE_E_AUTH;
	}
	const char *base = creds->base_url;
	if (!base || !*base)
		base = creds->target == ATTACHE_TARGET_X ? ATTACHE_X_API_DEFAULT
			   : creds->target == ATTACHE_TARGET_BLUESKY
				   ? ATTACHE_BLUESKY_PDS_DEFAULT
				   : NULL;
	if (!attache__url_allowed(base, attache_target_name(creds->target),
			error))
		return ATTACHE_E_USAGE;

	g_autoptr(AttacheUploadOptions) defaults = NULL;
	if (!opts)
		opts = defaults = attache_upload_options_new();

	AttacheUploader *up = g_new0(AttacheUploader, 1);
	up->target = creds->target;
	up->creds = attache__credentials_copy(creds);
	up->opts = *opts;
	up->opts.cache_dir = g_strdup(opts->cache_dir);
	up->opts.x_segment_bytes = CLAMP(opts->x_segment_bytes, 1024,
		ATTACHE_X_SEGMENT_MAX);
	if (opts->bluesky_max_bytes <= 0)
		up->opts.bluesky_max_bytes = ATTACHE_BLUESKY_MAX_BYTES;
	up->opts.bluesky_max_bytes = MIN(up->opts.bluesky_max_bytes,
		ATTACHE_BLUESKY_MAX_BYTES_2MB);
	up->base = g_strdup(base);
	for (gsize n = strlen(up->base); n > 0 && up->base[n - 1] == '/'; n--)
		up->base[n - 1] = '\0';

	AttacheHttpConfig cfg = {
		.timeout = opts->timeout > 0 ? opts->timeout : 30,
		.connect_timeout = opts->connect_timeout > 0 ? opts->connect_timeout
													 : 10,
		.retries = MAX(0, opts->retries),
		.retry_base = opts->retry_base > 0 ? opts->retry_base : 1,
		.max_wait = MAX(0, opts->max_wait),
		.max_response = 1024 * 1024,
		.log = opts->log,
		.log_data = opts->log_data,
	};
	up->http = attache__http_new(&cfg);
	const AttacheCredentials *c = up->creds;
	const char *secrets[] = { c->x_consumer_key, c->x_consumer_secret,
		c->x_access_token, c->x_access_secret, c->x_bearer, c->mastodon_token,
		c->bluesky_app_password };
	for (guint i = 0; i < G_N_ELEMENTS(secrets); i++)
		attache__http_add_secret(up->http, secrets[i]);

	g_mutex_init(&up->lock);
	up->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		entry_free);
	*out = up;
	return ATTACHE_OK;
}

void
attache_uploader_free(AttacheUploader *up)
{
	if (!up)
		return;
	attache_credentials_free(up->creds);
	g_free(up->opts.cache_dir);
	g_free(up->base);
	attache__http_free(up->http);
	g_mutex_clear(&up->lock);
	g_hash_table_unref(up->entries);
	g_free(up->refused);
	g_strfreev(up->limits.mimes);
	attache__bluesky_session_free(up->session);
	g_free(up);
}

/* ---- shared helpers for the backends ---- */

char *
attache__upload_url(AttacheUploader *up, const char *path)
{
	return g_strconcat(up->base, path, NULL);
}

const char *
attache__upload_cache_dir(AttacheUploader *up, GError **error)
{
	if (!up->opts.cache_dir)
		up->opts.cache_dir = g_build_filename(g_get_user_cache_dir(),
			"attache", NULL);
	if (g_mkdir_with_parents(up->opts.cache_dir, 0700) != 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: cannot create the cache folder: %s", up->opts.cache_dir,
			g_strerror(errno));
		return NULL;
	}
	return up->opts.cache_dir;
}

char *
attache__upload_cache_path(AttacheUploader *up, const char *kind,
	const char *key, GError **error)
{
	const char *dir = attache__upload_cache_dir(up, error);
	if (!dir)
		return NULL;
	g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
		key, -1);
	sum[16] = '\0';
	g_autofree char *name = g_strdup_printf("%s-%s.json", kind, sum);
	return g_build_filename(dir, name, NULL);
}

gboolean
attache__upload_write_private(const char *path, const char *data,
	GError **error)
{
	/* a temporary file made 0600, renamed over: never a moment with the
	 * secrets readable, never half a file */
	return g_file_set_contents_full(path, data, -1,
		G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

char *
attache__upload_read_private(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) || st.st_size > 1024 * 1024) {
		close(fd);
		return NULL;
	}
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	close(fd);
	return g_string_free(s, FALSE);
}

const char *
attache__json_string(JsonObject *o, const char *name)
{
	if (!o)
		return NULL;
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

gint64
attache__json_int(JsonObject *o, const char *name, gint64 fallback)
{
	if (!o)
		return fallback;
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		return fallback;
	GType t = json_node_get_value_type(n);
	if (t == G_TYPE_INT64) {
		gint64 v = json_node_get_int(n);
		return v >= 0 ? v : fallback;
	}
	if (t == G_TYPE_DOUBLE) {
		double d = json_node_get_double(n);
		return d >= 0 && d < 9e15 ? (gint64)d : fallback;
	}
	return fallback;
}

static const char *
hint_for(AttacheTarget t, long status)
{
	if (status == 401)
		switch (t) {
		case ATTACHE_TARGET_X:
			return "X refused the authorization: check the four OAuth 1.0a "
				   "values (or that the OAuth 2.0 token has not expired), and "
				   "that this computer's clock is right: a signature made with "
				   "a clock a few minutes off is refused";
		case ATTACHE_TARGET_MASTODON:
			return "the access token is wrong or was revoked";
		case ATTACHE_TARGET_BLUESKY:
			return "check the handle and the app password";
		}
	if (status == 403)
		switch (t) {
		case ATTACHE_TARGET_X:
			return "the token may not upload media: an OAuth 2.0 token needs "
				   "the media.write scope (authorize the app again with it), "
				   "and the app needs access to the v2 media endpoints";
		case ATTACHE_TARGET_MASTODON:
			return "the token needs the write:media scope";
		case ATTACHE_TARGET_BLUESKY:
			return "the account may not upload blobs (suspended, or the app "
				   "password lacks the permission)";
		}
	return NULL;
}

AttacheCode
attache__upload_http_error(AttacheUploader *up,
	const AttacheHttpResponse *resp, const char *what, GError **error)
{
	long s = resp->status;
	AttacheCode code = s == 401 || s == 403 ? ATTACHE_E_AUTH
					   : s == 400 || s == 413 || s == 415 || s == 422
						   ? ATTACHE_E_REJECTED
						   : ATTACHE_E_UPLOAD;
	g_autofree char *problem = attache__http_problem(up->http, resp);
	const char *hint = hint_for(up->target, s);
	g_set_error(error, ATTACHE_ERROR, code,
		"%s: the server answered %ld%s%s%s%s%s", what, s,
		s >= 300 && s < 400 ? " (a redirect; not followed)" : "",
		problem ? ": " : "", problem ? problem : "", hint ? " (" : "",
		hint ? hint : "");
	if (hint) {
		char *m = g_strconcat((*error)->message, ")", NULL);
		g_free((*error)->message);
		(*error)->message = m;
	}
	return code;
}

AttacheCode
attache__upload_bad_answer(AttacheUploader *up,
	const AttacheHttpResponse *resp, const char *what, const char *why,
	GError **error)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_UPLOAD,
		"%s: unexpected answer from the server (status %ld): %s", what,
		resp->status, why);
	return ATTACHE_E_UPLOAD;
}

/* ---- the checks every upload goes through ---- */

static const char *
mime_for(const AttacheSource *src)
{
	switch (src->format) {
	case ATTACHE_SRC_JPEG:
		return "image/jpeg";
	case ATTACHE_SRC_PNG:
		return "image/png";
	case ATTACHE_SRC_WEBP:
		return "image/webp";
	case ATTACHE_SRC_TIFF:
		return "image/tiff";
	case ATTACHE_SRC_HEIF: {
		gsize len;
		const guint8 *d = g_bytes_get_data(src->bytes, &len);
		if (len >= 12 && !memcmp(d + 4, "ftyp", 4) && (!memcmp(d + 8, "avif", 4) || !memcmp(d + 8, "avis", 4)))
			return "image/avif";
		return "image/heic";
	}
	}
	return "application/octet-stream";
}

static gboolean
mime_in(const char *mime, const char *const *list)
{
	for (int i = 0; list && list[i]; i++)
		if (!g_ascii_strcasecmp(list[i], mime))
			return TRUE;
	return FALSE;
}

static AttacheCode
refuse(GError **error, AttacheCode code, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static AttacheCode
refuse(GError **error, AttacheCode code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, ATTACHE_ERROR, code, "%s", msg);
	return code;
}

static const char *
preset_hint(AttacheTarget t)
{
	return t == ATTACHE_TARGET_X		  ? "attache prep -p x-landscape"
		   : t == ATTACHE_TARGET_MASTODON ? "attache prep -p mastodon"
										  : "attache prep -p bluesky";
}

/* Type, bytes, pixels, alt text against @up's target. */
static AttacheCode
check_limits(AttacheUploader *up, const char *path, const char *mime,
	gint64 bytes, int w, int h, const char *alt, GError **error)
{
	const char *name = up->target == ATTACHE_TARGET_X		   ? "X"
					   : up->target == ATTACHE_TARGET_MASTODON ? "Mastodon"
															   : "Bluesky";
	static const char *x_mimes[] = { "image/jpeg", "image/png", "image/webp",
		"image/tiff", NULL };
	static const char *bsky_mimes[] = { "image/jpeg", "image/png",
		"image/webp", NULL };
	const char *const *mimes = NULL;
	gint64 max_bytes = 0, max_pixels = 0;
	int max_side = 0, alt_max = 0;

	switch (up->target) {
	case ATTACHE_TARGET_X:
		mimes = x_mimes;
		max_bytes = ATTACHE_X_MAX_BYTES;
		max_side = ATTACHE_X_MAX_SIDE;
		alt_max = ATTACHE_X_ALT_MAX;
		break;
	case ATTACHE_TARGET_MASTODON:
		mimes = (const char *const *)up->limits.mimes;
		max_bytes = up->limits.max_bytes;
		max_pixels = up->limits.max_pixels;
		alt_max = up->limits.alt_max;
		break;
	case ATTACHE_TARGET_BLUESKY:
		mimes = bsky_mimes;
		max_bytes = up->opts.bluesky_max_bytes;
		/* the official client's: 2000 px with 1 MB, 4000 px with 2 MB */
		max_side = max_bytes > ATTACHE_BLUESKY_MAX_BYTES ? 4000 : 2000;
		alt_max = ATTACHE_BLUESKY_ALT_MAX;
		break;
	}

	if (mimes && !mime_in(mime, mimes))
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %s does not take %s files; not sent (make a JPEG with %s)",
			path, name, mime, preset_hint(up->target));
	if (max_bytes > 0 && bytes > max_bytes)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %" G_GINT64_FORMAT " bytes is over %s's limit of "
			"%" G_GINT64_FORMAT " bytes; not sent (prepare it with %s)",
			path, bytes, name, max_bytes, preset_hint(up->target));
	if (max_pixels > 0 && (gint64)w * h > max_pixels)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %d x %d (%" G_GINT64_FORMAT " pixels) is over %s's limit of "
			"%" G_GINT64_FORMAT " pixels; not sent (prepare it with %s)",
			path, w, h, (gint64)w * h, name, max_pixels,
			preset_hint(up->target));
	if (max_side > 0 && MAX(w, h) > max_side)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %d x %d is over %s's limit of %d pixels a side; not sent "
			"(prepare it with %s)",
			path, w, h, name, max_side, preset_hint(up->target));
	if (alt && alt_max > 0 && g_utf8_strlen(alt, -1) > alt_max)
		return refuse(error, ATTACHE_E_ALT,
			"%s: the alt text has %ld characters, over %s's limit of %d; "
			"not sent",
			path, g_utf8_strlen(alt, -1), name, alt_max);
	return ATTACHE_OK;
}

static AttacheCode
upload_locked(AttacheUploader *up, const char *path, const char *alt,
	gboolean have_focus, double fx, double fy, AttacheUploadResult *r,
	GError **error)
{
	AttacheCode code;

	if (up->refused)
		return refuse(error, up->refused_code, "%s: not sent: %s", path,
			up->refused);
	if (alt && !g_utf8_validate(alt, -1, NULL))
		return refuse(error, ATTACHE_E_ALT,
			"%s: the alt text is not valid UTF-8", path);
	if (have_focus && !(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1))
		return refuse(error, ATTACHE_E_USAGE,
			"%s: the focus point must be fractions 0..1 of the image", path);

	/* read once: these bytes are audited, checked and sent */
	g_autoptr(AttacheSource) src = NULL;
	if ((code = attache__source_open(path, 256 * 1024 * 1024, 0, &src,
			 error)))
		return code;
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	const char *mime = mime_for(src);
	int w, h;
	attache__oriented_size(src->width, src->height, src->orientation, &w, &h);
	r->width = w;
	r->height = h;
	r->bytes = (gint64)len;
	r->mime = g_strdup(mime);

	/* privacy first: what fails the audit never leaves the process */
	g_autoptr(AttacheAuditReport) report = NULL;
	if ((code = attache_audit_buffer(data, len, &report, error)))
		return code;
	guint bad = report->kinds & ATTACHE_KINDS_FORBIDDEN;
	if (bad) {
		g_autofree char *kinds = attache_kinds_to_string(bad);
		return refuse(error, ATTACHE_E_AUDIT,
			"%s: refused: the file carries %s; not sent (prepare it with "
			"attache prep, which removes them)",
			path, kinds);
	}

	/* the two-person rule, on the very bytes that would be sent */
	g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		data, len);
	if (up->opts.require_approval) {
		AttacheApprovalStatus *st = NULL;
		code = attache_approval_check(path, sum, &st, error);
		/* damage elsewhere in the manifest is reported, not fatal */
		if (!code && st && st->note)
			r->warning = g_strdup(st->note);
		attache_approval_status_free(st);
		if (code)
			return code;
	}
	/* the approval covers these bytes, so the alt text sent is the one
	 * inside them: never one given beside them (a manifest, a journal or
	 * the command line, which anyone may edit after the approval) */
	g_autofree char *approved_alt = NULL;
	if (up->opts.require_approval) {
		gsize xlen = 0;
		const char *x = src->xmp ? g_bytes_get_data(src->xmp, &xlen) : NULL;
		approved_alt = attache__xmp_alt_text(x, xlen);
		if (alt && g_strcmp0(alt, approved_alt) != 0)
			return refuse(error, ATTACHE_E_APPROVAL,
				"%s: not sent: the alt text given is not the one embedded in "
				"the approved file (with the approval gate, the file's own "
				"alt text is sent)",
				path);
		alt = approved_alt;
		g_free(r->alt_text);
		r->alt_text = g_strdup(alt);
	}

	if (up->target == ATTACHE_TARGET_MASTODON)
		attache__mastodon_limits(up);
	if ((code = check_limits(up, path, mime, (gint64)len, w, h, alt, error)))
		return code;

	/* this run's record of the file: the same bytes with the same alt text
	 * (X, Mastodon) and focus (Mastodon) are one media, however often they
	 * are asked for. Bluesky keeps neither on the blob (the post does), and
	 * its blobs are content-addressed: the bytes alone. */
	gboolean masto = up->target == ATTACHE_TARGET_MASTODON;
	g_autofree char *key = up->target == ATTACHE_TARGET_BLUESKY
							   ? g_strdup(sum)
							   : g_strdup_printf("%s\n%s\n%d:%.4f,%.4f", sum, alt ? alt : "",
								   masto && have_focus, masto && have_focus ? fx : 0,
								   masto && have_focus ? fy : 0);
	AttacheUploadEntry *e = g_hash_table_lookup(up->entries, key);
	if (!e) {
		e = g_new0(AttacheUploadEntry, 1);
		g_hash_table_insert(up->entries, g_steal_pointer(&key), e);
	}
	else if (e->complete) {
		attache__http_log(up->http, "%s: the same file was uploaded in this "
									"run; reusing it",
			path);
		r->reused = TRUE;
	}
	else
		attache__http_log(up->http, "%s: resuming this run's earlier upload",
			path);

	if (!e->complete) {
		AttacheUploadJob job = {
			.path = path,
			.bytes = src->bytes,
			.mime = mime,
			.width = w,
			.height = h,
			.alt = alt,
			.have_focus = have_focus,
			/* Mastodon's focus: -1..1, x to the right, y up */
			.focus_x = 2 * fx - 1,
			.focus_y = 1 - 2 * fy,
			.entry = e,
		};
		switch (up->target) {
		case ATTACHE_TARGET_X:
			code = attache__x_upload(up, &job, error);
			break;
		case ATTACHE_TARGET_MASTODON:
			code = attache__mastodon_upload(up, &job, error);
			break;
		case ATTACHE_TARGET_BLUESKY:
			code = attache__bluesky_upload(up, &job, error);
			break;
		}
		if (code) {
			if (code == ATTACHE_E_AUTH && error && *error) {
				/* the same credentials would be refused again */
				up->refused = g_strdup_printf("%s refused the credentials "
											  "earlier in this run",
					attache_target_name(up->target));
				up->refused_code = code;
			}
			return code;
		}
		e->complete = TRUE;
	}
	r->media_id = g_strdup(e->media_id);
	r->blob = g_strdup(e->blob);
	return ATTACHE_OK;
}

AttacheCode
attache_upload_file(AttacheUploader *up, const char *path,
	const char *alt_text, gboolean have_focus, double focus_x,
	double focus_y, AttacheUploadResult **out, GError **error)
{
	AttacheUploadResult *r = g_new0(AttacheUploadResult, 1);
	r->file = g_strdup(path);
	r->target = up->target;
	const char *alt = alt_text && *alt_text ? alt_text : NULL;
	r->alt_text = g_strdup(alt);

	g_autoptr(GError) local = NULL;
	g_mutex_lock(&up->lock);
	AttacheCode code = upload_locked(up, path, alt, have_focus, focus_x,
		focus_y, r, &local);
	g_mutex_unlock(&up->lock);
	if (code) {
		if (!local)
			g_set_error(&local, ATTACHE_ERROR, code, "%s: upload failed",
				path);
		r->code = code;
		r->error = attache__http_redact(up->http, local->message);
		g_set_error_literal(error, ATTACHE_ERROR, code, r->error);
	}
	*out = r;
	return code;
}

void
attache_upload_result_free(AttacheUploadResult *r)
{
	if (!r)
		return;
	g_free(r->file);
	g_free(r->media_id);
	g_free(r->blob);
	g_free(r->alt_text);
	g_free(r->mime);
	g_free(r->error);
	g_free(r->warning);
	g_free(r);
}

static void
member_string(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

char *
attache_upload_result_to_json(const AttacheUploadResult *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	gboolean ok = r->code == ATTACHE_OK;
	json_builder_begin_object(b);
	member_string(b, "file", r->file);
	member_string(b, "target", attache_target_name(r->target));
	member_string(b, "media_id", ok ? r->media_id : NULL);
	if (r->target == ATTACHE_TARGET_BLUESKY) {
		g_autoptr(JsonNode) blob = ok && r->blob
									   ? json_from_string(r->blob, NULL)
									   : NULL;
		json_builder_set_member_name(b, "blob");
		if (blob)
			json_builder_add_value(b, json_node_copy(blob));
		else
			json_builder_add_null_value(b);
		/* the app.bsky.embed.images#image object, ready to embed */
		json_builder_set_member_name(b, "image");
		if (blob) {
			json_builder_begin_object(b);
			member_string(b, "alt", r->alt_text ? r->alt_text : "");
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
		else
			json_builder_add_null_value(b);
	}
	member_string(b, "alt_text", r->alt_text);
	json_builder_set_member_name(b, "width");
	json_builder_add_int_value(b, r->width);
	json_builder_set_member_name(b, "height");
	json_builder_add_int_value(b, r->height);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, r->bytes);
	member_string(b, "mime", r->mime);
	json_builder_set_member_name(b, "reused");
	json_builder_add_boolean_value(b, r->reused);
	member_string(b, "code", attache_code_name(r->code));
	member_string(b, "error", ok ? NULL : (r->error ? r->error : "failed"));
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	attache__json_make_valid(root); /* file_bytes for a non-UTF-8 name */
	return json_to_string(root, FALSE);
}
