/* SPDX-License-Identifier: MIT */
/*
 * upload.c: stage 10, upload. The uploader, the one entry point
 * attache_upload_file(), the checks every target shares, the result and its
 * JSON line.
 *
 * Before a byte goes out, the file is read once into memory, audited again
 * (the bytes audited are the bytes sent) and checked against the target's
 * type, byte, pixel and alt-text limits: a file over a limit is never sent.
 * The uploader's backend (backends.c: one upload-<platform>.c each) says
 * what the platform takes and then does the network part; this file knows
 * no platform by name.
 */
#include "upload-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
	/* the hosted service's since 2026-04; ATTACHE_BLUESKY_MAX_BYTES=1000000
	 * for a self-hosted server not yet upgraded (preset bluesky-1mb) */
	o->bluesky_max_bytes = ATTACHE_BLUESKY_MAX_BYTES_2MB;

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
	const AttacheUploadBackend *backend = attache__upload_backend(
		creds->target);
	if (!backend) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown upload target %d", (int)creds->target);
		return ATTACHE_E_USAGE;
	}
	g_autofree char *gap = attache__credentials_missing(creds);
	if (gap) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"no credentials for %s: missing %s",
			backend->name, gap);
		return ATTACHE_E_AUTH;
	}
	const char *base = creds->base_url;
	if (!base || !*base)
		base = backend->default_base;
	if (!attache__url_allowed(base, backend->name, error))
		return ATTACHE_E_USAGE;

	g_autoptr(AttacheUploadOptions) defaults = NULL;
	if (!opts)
		opts = defaults = attache_upload_options_new();

	AttacheUploader *up = g_new0(AttacheUploader, 1);
	up->target = creds->target;
	up->backend = backend;
	up->state = backend->state_new ? backend->state_new() : NULL;
	up->creds = attache__credentials_copy(creds);
	up->opts = *opts;
	up->opts.cache_dir = g_strdup(opts->cache_dir);
	up->opts.x_segment_bytes = CLAMP(opts->x_segment_bytes, 1024,
		ATTACHE_X_SEGMENT_MAX);
	if (opts->bluesky_max_bytes <= 0)
		up->opts.bluesky_max_bytes = ATTACHE_BLUESKY_MAX_BYTES_2MB;
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
	/* every platform's secrets: a caller may have filled more than one */
	const AttacheUploadBackend *b;
	for (guint i = 0; (b = attache__upload_backend_nth(i)); i++)
		for (guint k = 0; k < b->n_fields; k++)
			if (b->fields[k].secret)
				attache__http_add_secret(up->http,
					*(char **)G_STRUCT_MEMBER_P(up->creds, b->fields[k].offset));

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
	if (up->backend->state_free)
		up->backend->state_free(up->state);
	g_free(up);
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

/* Type, bytes, pixels, alt text against @up's target. */
static AttacheCode
check_limits(AttacheUploader *up, const char *path, const char *mime,
	gint64 bytes, int w, int h, const char *alt, GError **error)
{
	const char *name = up->backend->title;
	AttacheUploadLimits l = { 0 };
	up->backend->limits(up, &l);
	const char *preset = l.preset ? l.preset : up->backend->preset;

	if (l.mimes && !mime_in(mime, l.mimes))
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %s does not take %s files; not sent (make a JPEG with "
			"attache prep -p %s)",
			path, name, mime, preset);
	if (l.max_bytes > 0 && bytes > l.max_bytes)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %" G_GINT64_FORMAT " bytes is over %s's limit of "
			"%" G_GINT64_FORMAT " bytes; not sent (prepare it with "
			"attache prep -p %s)",
			path, bytes, name, l.max_bytes, preset);
	if (l.max_pixels > 0 && (gint64)w * h > l.max_pixels)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %d x %d (%" G_GINT64_FORMAT " pixels) is over %s's limit of "
			"%" G_GINT64_FORMAT " pixels; not sent (prepare it with "
			"attache prep -p %s)",
			path, w, h, (gint64)w * h, name, l.max_pixels, preset);
	if (l.max_side > 0 && MAX(w, h) > l.max_side)
		return refuse(error, ATTACHE_E_REJECTED,
			"%s: %d x %d is over %s's limit of %d pixels a side; not sent "
			"(prepare it with attache prep -p %s)",
			path, w, h, name, l.max_side, preset);
	if (alt && l.alt_max > 0 && g_utf8_strlen(alt, -1) > l.alt_max)
		return refuse(error, ATTACHE_E_ALT,
			"%s: the alt text has %ld characters, over %s's limit of %d; "
			"not sent",
			path, g_utf8_strlen(alt, -1), name, l.alt_max);
	return ATTACHE_OK;
}

/* What can be refused before the file is read: credentials refused
 * earlier in this run, alt text that is not UTF-8, a focus outside the
 * image. */
static AttacheCode
check_request(AttacheUploader *up, const char *path, const char *alt,
	gboolean have_focus, double fx, double fy, GError **error)
{
	if (up->refused)
		return refuse(error, up->refused_code, "%s: not sent: %s", path,
			up->refused);
	if (alt && !g_utf8_validate(alt, -1, NULL))
		return refuse(error, ATTACHE_E_ALT,
			"%s: the alt text is not valid UTF-8", path);
	if (have_focus && !(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1))
		return refuse(error, ATTACHE_E_USAGE,
			"%s: the focus point must be fractions 0..1 of the image", path);
	return ATTACHE_OK;
}

/* Reads @path once (these bytes are audited, checked and sent) into @src
 * (out) (transfer full), notes its size and type in @r, and refuses it when
 * the audit finds what must not leave the process. */
static AttacheCode
read_audited(const char *path, AttacheSource **src, AttacheUploadResult *r,
	GError **error)
{
	AttacheCode code;
	if ((code = attache__source_open(path, 256 * 1024 * 1024, 0, src,
			 error)))
		return code;
	gsize len;
	const guint8 *data = g_bytes_get_data((*src)->bytes, &len);
	attache__oriented_size((*src)->width, (*src)->height,
		(*src)->orientation, &r->width, &r->height);
	r->bytes = (gint64)len;
	r->mime = g_strdup(mime_for(*src));

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
	return ATTACHE_OK;
}

/* The two-person rule, on the very bytes that would be sent (SHA-256
 * @sum). The approval covers these bytes, so the alt text sent is the one
 * inside them, @own (from the XMP): never one given beside them (a
 * manifest, a journal or the command line, which anyone may edit after the
 * approval). On success *@alt is @own. */
static AttacheCode
approval_gate(const char *path, const char *sum, const char *own,
	const char **alt, AttacheUploadResult *r, GError **error)
{
	AttacheApprovalStatus *st = NULL;
	AttacheCode code = attache_approval_check(path, sum, &st, error);
	/* damage elsewhere in the manifest is reported, not fatal */
	if (!code && st && st->note)
		r->warning = g_strdup(st->note);
	attache_approval_status_free(st);
	if (code)
		return code;
	if (*alt && g_strcmp0(*alt, own) != 0)
		return refuse(error, ATTACHE_E_APPROVAL,
			"%s: not sent: the alt text given is not the one embedded in "
			"the approved file (with the approval gate, the file's own "
			"alt text is sent)",
			path);
	*alt = own;
	return ATTACHE_OK;
}

/* The alt text to send into *@alt: the caller's (@alt as given), else the
 * file's own (@own, out, transfer full); the gate's rule; none only when
 * allowed. Notes the language and the text in @r. */
static AttacheCode
choose_alt(AttacheUploader *up, const char *path, const AttacheSource *src,
	const char *sum, const char **alt, char **own, AttacheUploadResult *r,
	GError **error)
{
	const char *from = NULL;
	gboolean gate = up->opts.require_approval;
	attache__upload_own_alt(path, src, sum, gate, own, &r->lang, &from);
	AttacheCode code;
	if (gate && (code = approval_gate(path, sum, *own, alt, r, error)))
		return code;
	if (!*alt && *own)
		*alt = *own;
	if (*alt && from && *alt == *own)
		attache__http_log(up->http, "%s: its own alt text (%s%s%s)", path, from, r->lang ? ", " : "",
			r->lang ? r->lang : "");
	g_free(r->alt_text);
	r->alt_text = g_strdup(*alt);
	if (!*alt && up->opts.require_alt)
		return refuse(error, ATTACHE_E_ALT,
			"%s: no alt text: the file's XMP has none%s; not sent (prepare it "
			"with attache prep --alt or --alt-manifest, or upload it with "
			"--allow-no-alt)",
			path, gate ? " (under --require-approval only the approved file's own counts)" : " and neither has its manifest line");
	return ATTACHE_OK;
}

/* This run's record of the file: the same bytes with the same alt text and
 * focus, where the platform keeps them on the media, are one media however
 * often they are asked for (Bluesky's blobs are content-addressed: the
 * bytes alone). Returns: (transfer none) the entry, owned by @up. */
static AttacheUploadEntry *
entry_for(AttacheUploader *up, const char *path, const char *sum,
	const char *alt, gboolean have_focus, double fx, double fy,
	AttacheUploadResult *r)
{
	const AttacheUploadBackend *b = up->backend;
	gboolean focus = b->media_has_focus && have_focus;
	g_autofree char *key = !b->media_has_alt && !b->media_has_focus
							   ? g_strdup(sum)
							   : g_strdup_printf("%s\n%s\n%d:%.4f,%.4f", sum,
								   b->media_has_alt && alt ? alt : "", focus,
								   focus ? fx : 0, focus ? fy : 0);
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
	return e;
}

/* The backend's network part; a refusal of the credentials stops this
 * uploader's later uploads. */
static AttacheCode
send_job(AttacheUploader *up, AttacheUploadJob *job, GError **error)
{
	AttacheCode code = up->backend->upload(up, job, error);
	if (code == ATTACHE_E_AUTH && error && *error) {
		/* the same credentials would be refused again */
		up->refused = g_strdup_printf("%s refused the credentials earlier "
									  "in this run",
			up->backend->name);
		up->refused_code = code;
	}
	if (!code)
		job->entry->complete = TRUE;
	return code;
}

/* One upload under up->lock, step by step; fills @r (transfer none). */
static AttacheCode
upload_locked(AttacheUploader *up, const char *path, const char *alt,
	gboolean have_focus, double fx, double fy, AttacheUploadResult *r,
	GError **error)
{
	AttacheCode code;
	if ((code = check_request(up, path, alt, have_focus, fx, fy, error)))
		return code;
	g_autoptr(AttacheSource) src = NULL;
	if ((code = read_audited(path, &src, r, error)))
		return code;
	gsize len;
	const guint8 *data = g_bytes_get_data(src->bytes, &len);
	g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		data, len);
	g_autofree char *own_alt = NULL;
	if ((code = choose_alt(up, path, src, sum, &alt, &own_alt, r, error)))
		return code;
	if ((code = check_limits(up, path, r->mime, (gint64)len, r->width,
			 r->height, alt, error)))
		return code;

	AttacheUploadEntry *e = entry_for(up, path, sum, alt, have_focus, fx, fy,
		r);
	if (!e->complete) {
		AttacheUploadJob job = {
			.path = path,
			.bytes = src->bytes,
			.mime = r->mime,
			.width = r->width,
			.height = r->height,
			.alt = alt,
			.have_focus = have_focus,
			/* Mastodon's focus: -1..1, x to the right, y up */
			.focus_x = 2 * fx - 1,
			.focus_y = 1 - 2 * fy,
			.entry = e,
		};
		if ((code = send_job(up, &job, error)))
			return code;
	}
	r->media_id = g_strdup(e->media_id);
	r->blob = g_strdup(e->blob);
	r->expires_at = e->expires_at;
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
	r->account = g_strdup(up->creds->account);
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
	g_free(r->lang);
	g_free(r->account);
	g_free(r);
}

char *
attache_upload_result_to_json(const AttacheUploadResult *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	gboolean ok = r->code == ATTACHE_OK;
	json_builder_begin_object(b);
	attache__json_member_string(b, "file", r->file);
	attache__json_member_string(b, "target", attache_target_name(r->target));
	attache__json_member_string(b, "account", r->account);
	attache__json_member_string(b, "media_id", ok ? r->media_id : NULL);
	const AttacheUploadBackend *backend = attache__upload_backend(r->target);
	if (backend && backend->result_json)
		backend->result_json(b, r);
	attache__json_member_string(b, "alt_text", r->alt_text);
	attache__json_member_string(b, "lang", r->lang);
	g_autofree char *expires = NULL;
	if (ok && r->expires_at > 0) {
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(r->expires_at);
		expires = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
	}
	attache__json_member_string(b, "expires_at", expires);
	json_builder_set_member_name(b, "width");
	json_builder_add_int_value(b, r->width);
	json_builder_set_member_name(b, "height");
	json_builder_add_int_value(b, r->height);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, r->bytes);
	attache__json_member_string(b, "mime", r->mime);
	json_builder_set_member_name(b, "reused");
	json_builder_add_boolean_value(b, r->reused);
	attache__json_member_string(b, "code", attache_code_name(r->code));
	attache__json_member_string(b, "error", ok ? NULL : (r->error ? r->error : "failed"));
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	attache__json_make_valid(root); /* file_bytes for a non-UTF-8 name */
	return json_to_string(root, FALSE);
}
