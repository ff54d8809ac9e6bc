/* SPDX-License-Identifier: MIT */
/*
 * upload.c: POST /api/v1/photos. The body is spooled to DATA/spool as it
 * arrives, never held in memory, with the size cap checked on the headers
 * and on every chunk: over it, the spool is deleted at once and the answer
 * is 413. Who is asking is checked on the headers too, so nobody without
 * the prepare scope gets a byte stored. The multipart form is then parsed
 * from the spool (mapped, not read), the photo sniffed (422 if it is not
 * one), its options checked (400), and the original written and its row
 * committed, both fsync'ed, before the 202: an accepted photo survives
 * kill -9.
 */
#include "server-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELD 16384 /* bytes of one text field */

typedef struct {
	Server *s;
	char *path;
	int fd;
	gint64 bytes;
	gboolean too_large, failed;
	Actor *actor;
} Spool;

static void
spool_free(Spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->path)
		g_unlink(sp->path);
	g_free(sp->path);
	actor_free(sp->actor);
	sp->s->uploads--;
	g_free(sp);
}

static void
spool_drop(Spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	if (sp->path)
		g_unlink(sp->path);
}

static void
got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer data)
{
	Spool *sp = data;
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(chunk, &len);
	sp->bytes += (gint64)len;
	if (sp->too_large || sp->failed)
		return;
	if (sp->bytes > sp->s->max_upload) {
		sp->too_large = TRUE;
		spool_drop(sp);
		return;
	}
	while (len > 0) {
		ssize_t w = write(sp->fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			sp->failed = TRUE;
			spool_drop(sp);
			return;
		}
		p += w;
		len -= (gsize)w;
	}
}

static void
got_headers(SoupServerMessage *msg, gpointer data)
{
	Server *s = data;
	if (strcmp(soup_server_message_get_method(msg), "POST")
		|| strcmp(g_uri_get_path(soup_server_message_get_uri(msg)), "/api/v1/photos"))
		return;
	Actor *a = auth_require(s, msg, SCOPE_PREPARE);
	if (!a)
		return; /* answered: the body is not read */
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *ct = soup_message_headers_get_content_type(h, NULL);
	goffset cl = soup_message_headers_get_content_length(h);
	if (!ct || g_ascii_strcasecmp(ct, "multipart/form-data")) {
		http_error(msg, 415, "bad-content-type", "a photo is sent as multipart/form-data");
	}
	else if (cl > s->max_upload) {
		http_error(msg, 413, "too-large", "the upload has %" G_GINT64_FORMAT " bytes, over the limit of %" G_GINT64_FORMAT,
			(gint64)cl, s->max_upload);
	}
	else if (s->uploads >= s->limits.max_uploads) {
		/* each upload being received holds a spool file and a connection */
		http_error(msg, 503, "too-many-uploads", "%u uploads are being received (--max-uploads): send it again in a moment",
			s->uploads);
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", "5");
	}
	else {
		Spool *sp = g_new0(Spool, 1);
		sp->s = s;
		s->uploads++;
		sp->actor = a;
		sp->path = g_build_filename(s->data, "spool", "upload-XXXXXX", NULL);
		sp->fd = g_mkstemp_full(sp->path, O_RDWR | O_CLOEXEC, 0600);
		if (sp->fd < 0) {
			g_clear_pointer(&sp->path, g_free);
			sp->failed = TRUE;
		}
		soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
		g_signal_connect(msg, "got-chunk", G_CALLBACK(got_chunk), sp);
		g_object_set_data_full(G_OBJECT(msg), "attache-spool", sp, (GDestroyNotify)spool_free);
		return;
	}
	actor_free(a);
}

static void
request_started(SoupServer *server, SoupServerMessage *msg, gpointer data)
{
	g_signal_connect(msg, "got-headers", G_CALLBACK(got_headers), data);
}

void
spool_install(Server *s)
{
	g_signal_connect(s->soup, "request-started", G_CALLBACK(request_started), s);
	/* a spool left by a killed server was never answered 202: drop it */
	g_autofree char *dir = g_build_filename(s->data, "spool", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);
		g_unlink(p);
	}
}

/* ---- the form ---- */

/* The photo's type from its first bytes: the extension its original is
 * stored under, or %NULL. */
const char *
photo_sniff(const guint8 *p, gsize n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "jpg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "png";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "webp";
	if (n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4)))
		return "tif";
	if (n >= 12 && !memcmp(p + 4, "ftyp", 4)) {
		if (!memcmp(p + 8, "avif", 4) || !memcmp(p + 8, "avis", 4))
			return "avif";
		static const char *const heif[] = { "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1" };
		for (guint i = 0; i < G_N_ELEMENTS(heif); i++)
			if (!memcmp(p + 8, heif[i], 4))
				return "heic";
	}
	return NULL;
}

static gboolean
field_name_ok(const char *name)
{
	static const char *const known[] = { "presets", "campaign", "lang", "alt", "protect", "focus" };
	for (guint i = 0; i < G_N_ELEMENTS(known); i++)
		if (!strcmp(name, known[i]))
			return TRUE;
	if (!g_str_has_prefix(name, "alt.") || strlen(name) > 40)
		return FALSE;
	for (const char *p = name + 4; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-')
			return FALSE;
	return name[4] != 0;
}

/* The file name as the person named it: browsers send a double quote,
 * CR and LF as %22, %0D, %0A (WHATWG's multipart/form-data encoding);
 * the quote comes back, CR and LF become spaces. (transfer full) */
static char *
file_name(const char *fn)
{
	if (!fn || !*fn || !g_utf8_validate(fn, -1, NULL))
		return g_strdup("photo");
	GString *s = g_string_new(NULL);
	for (const char *p = fn; *p; p++) {
		if (!g_ascii_strncasecmp(p, "%22", 3)) {
			g_string_append_c(s, '"');
			p += 2;
		}
		else if (!g_ascii_strncasecmp(p, "%0D", 3) || !g_ascii_strncasecmp(p, "%0A", 3)) {
			g_string_append_c(s, ' ');
			p += 2;
		}
		else
			g_string_append_c(s, (guchar)*p < 0x20 ? ' ' : *p);
	}
	if (s->len > 255)
		g_string_truncate(s, 255); /* may cut a character: made valid below */
	char *out = g_utf8_make_valid(s->str, -1);
	g_string_free(s, TRUE);
	return out;
}

typedef struct {
	GBytes *file;
	char *filename;
	JsonObject *options;
} Form;

/* Reads the parts; FALSE after answering 400. */
static gboolean
form_read(SoupServerMessage *msg, SoupMultipart *mp, Form *f)
{
	f->options = json_object_new();
	for (int i = 0; i < soup_multipart_get_length(mp); i++) {
		SoupMessageHeaders *ph = NULL;
		GBytes *body = NULL;
		soup_multipart_get_part(mp, i, &ph, &body);
		char *disp = NULL;
		GHashTable *params = NULL;
		if (!soup_message_headers_get_content_disposition(ph, &disp, &params)) {
			http_error(msg, 400, "bad-request", "part %d has no Content-Disposition", i + 1);
			return FALSE;
		}
		const char *name = g_hash_table_lookup(params, "name");
		gboolean ok = TRUE;
		if (name && !strcmp(name, "file")) {
			if (f->file) {
				http_error(msg, 400, "bad-request", "one photo per request: two \"file\" parts");
				ok = FALSE;
			}
			else {
				f->file = g_bytes_ref(body);
				const char *fn = g_hash_table_lookup(params, "filename");
				f->filename = file_name(fn);
			}
		}
		else if (name && field_name_ok(name)) {
			gsize n = 0;
			const char *v = g_bytes_get_data(body, &n);
			if (n > MAX_FIELD || !g_utf8_validate(v ? v : "", (gssize)n, NULL)) {
				http_error(msg, 400, "bad-option", "%s: not UTF-8 text of at most %d bytes", name, MAX_FIELD);
				ok = FALSE;
			}
			else {
				g_autofree char *text = g_strndup(v ? v : "", n);
				json_object_set_string_member(f->options, name, text);
			}
		}
		else {
			http_error(msg, 400, "bad-option", "\"%s\" is not a field of a photo upload (docs/http-api.md)", name ? name : "");
			ok = FALSE;
		}
		g_free(disp);
		g_hash_table_destroy(params);
		if (!ok)
			return FALSE;
	}
	if (!f->file) {
		http_error(msg, 400, "bad-request", "no \"file\" part: which photo?");
		return FALSE;
	}
	return TRUE;
}

static void
form_clear(Form *f)
{
	if (f->file)
		g_bytes_unref(f->file);
	g_free(f->filename);
	if (f->options)
		json_object_unref(f->options);
}

static char *
options_text(JsonObject *o)
{
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(n, o);
	char *t = json_to_string(n, FALSE);
	json_node_unref(n);
	return t;
}

char *
photo_store(Server *s, const char *name, const char *ext, const void *data, gsize len, JsonObject *options, const char *by,
	const char *source, GError **error)
{
	g_autofree char *hex = auth_random_hex(16);
	char *id = g_strconcat("p_", hex, NULL);
	g_autofree char *orig = g_strdup_printf("%s/originals/%s.%s", s->data, id, ext);
	g_autofree char *opts = options_text(options);
	if (attache_write_atomic(orig, data, len, error) || db_photo_insert(s->db, id, name, ext, opts, by, source, error)) {
		g_unlink(orig);
		g_free(id);
		return NULL;
	}
	db_event_add(s->db, id, NULL, by, "upload", NULL, name, "processing");
	work_queue_prep(s, id);
	return id;
}

/* Stores the photo and answers 202. */
static void
accept_photo(Server *s, SoupServerMessage *msg, Spool *sp, Form *f, const char *ext)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *field = NULL;
	AttachePrepOptions *check = NULL;
	if (work_prep_options(s, f->options, "check", s->data, sp->actor->name, &check, &field, &e)) {
		http_error(msg, 400, "bad-option", "%s", e ? e->message : field);
		return;
	}
	attache_prep_options_free(check);
	gsize n = 0;
	const void *data = g_bytes_get_data(f->file, &n);
	g_autofree char *id = photo_store(s, f->filename, ext, data, n, f->options, sp->actor->name, NULL, &e);
	if (!id) {
		server_log(s, "upload refused: %s", e->message);
		http_error(msg, 500, "internal", "the photo could not be stored (the server's log says why)");
		return;
	}
	g_autofree char *loc = g_strdup_printf("/api/v1/photos/%s", id);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Location", loc);
	JsonObject *o = json_object_new();
	json_object_set_string_member(o, "id", id);
	http_object(msg, 202, o);
}

void
photo_upload(Server *s, SoupServerMessage *msg)
{
	Spool *sp = g_object_get_data(G_OBJECT(msg), "attache-spool");
	if (!sp)
		return; /* answered on its headers */
	if (sp->too_large) {
		http_error(msg, 413, "too-large", "the upload is over the limit of %" G_GINT64_FORMAT " bytes: nothing was kept",
			s->max_upload);
		return;
	}
	if (sp->failed || sp->fd < 0) {
		http_error(msg, 500, "internal", "the upload could not be spooled to %s/spool", s->data);
		return;
	}
	g_autoptr(GError) e = NULL;
	g_autoptr(GMappedFile) map = g_mapped_file_new_from_fd(sp->fd, FALSE, &e);
	if (!map) {
		http_error(msg, 500, "internal", "the spooled upload cannot be read");
		return;
	}
	g_autoptr(GBytes) body = g_mapped_file_get_bytes(map);
	SoupMultipart *mp = soup_multipart_new_from_message(soup_server_message_get_request_headers(msg), body);
	if (!mp) {
		http_error(msg, 400, "bad-request", "the body is not a multipart/form-data form");
		return;
	}
	Form f = { 0 };
	if (form_read(msg, mp, &f)) {
		gsize n = 0;
		const guint8 *p = g_bytes_get_data(f.file, &n);
		const char *ext = photo_sniff(p, n);
		if (!ext)
			http_error(msg, 422, "not-an-image", "%s is not a photo attache reads (JPEG, PNG, WebP, HEIC/HEIF, AVIF or TIFF)",
				f.filename);
		else
			accept_photo(s, msg, sp, &f, ext);
	}
	form_clear(&f);
	soup_multipart_free(mp);
	g_clear_pointer(&body, g_bytes_unref);
	g_clear_pointer(&map, g_mapped_file_unref);
	spool_drop(sp);
}
