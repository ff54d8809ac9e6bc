/* SPDX-License-Identifier: MIT */
/*
 * upload-common.c: what every upload backend (upload-<platform>.c) uses
 * besides http.c and oauth1.c: the base URL, the private cache, JSON
 * members, and the errors for a server's refusal or an answer that is not
 * what its API promises. It knows no platform: the hints for a refusal
 * come from the uploader's backend.
 */
#include "upload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()
		|| (st.st_mode & 077) || st.st_size > 1024 * 1024) {
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
	const char *hint = s == 401	  ? up->backend->hint_401
					   : s == 403 ? up->backend->hint_403
								  : NULL;
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

void
attache__json_member_string(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}
