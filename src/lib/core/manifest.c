/* SPDX-License-Identifier: MIT */
/*
 * manifest.c: an output folder's attache-manifest.jsonl, written and read
 * back (docs/json.md), for the review page and the approval gate
 * (docs/review.md).
 *
 * Writing: one JSON line per output written (kind "output") and one per
 * photo that failed (kind "failure"), each carrying "attache_manifest": 2.
 * prep and the hot folder both append through here.
 *
 * Reading: each line is read on its own. A version 1 line (no
 * attache_manifest member, as attache wrote before) reads as an output.
 * A line that is not a JSON object with the members the gate relies on
 * (output, sha256), or that says a version above 2, is "damaged" and
 * reported with its number; the gate then refuses the folder, because a
 * lost line may hide who prepared an output. Failure lines and failed
 * outputs (error != null) are skipped where outputs are listed.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_NAME "attache-manifest.jsonl"

/* Lines longer than this are not something prep wrote. */
#define MANIFEST_LINE_MAX (1024 * 1024)

static void
alt_free(AttacheAlt *a)
{
	g_free(a->lang);
	g_free(a->text);
	g_free(a);
}

static void
failure_free(AttacheFailure *f)
{
	g_free(f->input);
	g_free(f->code);
	g_free(f->error);
	g_free(f->reason);
	g_free(f->original);
	g_free(f->error_file);
	g_free(f->prepared_by);
	g_free(f->prepared_at);
	g_free(f);
}

const AttacheAlt *
attache__record_alt(const AttacheRecord *r, const char *lang)
{
	for (guint i = 0; i < r->alt->len; i++) {
		const AttacheAlt *a = r->alt->pdata[i];
		if (!g_ascii_strcasecmp(a->lang, lang))
			return a;
	}
	return NULL;
}

void
attache__record_free(AttacheRecord *r)
{
	if (!r)
		return;
	g_free(r->file);
	g_free(r->output);
	g_free(r->input);
	g_free(r->input_sha256);
	g_free(r->preset);
	g_free(r->format);
	g_strfreev(r->flags);
	g_strfreev(r->removed);
	g_strfreev(r->kept);
	g_strfreev(r->warnings);
	if (r->alt)
		g_ptr_array_unref(r->alt);
	g_free(r->alt_long);
	g_free(r->sha256);
	g_free(r->campaign);
	g_free(r->lang);
	g_free(r->prepared_by);
	g_free(r->prepared_at);
	g_clear_pointer(&r->faces, g_ptr_array_unref);
	g_clear_pointer(&r->regions, g_ptr_array_unref);
	g_clear_pointer(&r->text_found, g_ptr_array_unref);
	g_free(r->audit);
	g_free(r);
}

void
attache__manifest_free(AttacheManifest *m)
{
	if (!m)
		return;
	g_free(m->dir);
	g_free(m->dir_abs);
	g_free(m->dir_real);
	g_free(m->path);
	g_ptr_array_unref(m->lines);
	g_ptr_array_unref(m->latest);
	g_ptr_array_unref(m->damaged);
	g_ptr_array_unref(m->damaged_text);
	if (m->failed)
		g_ptr_array_unref(m->failed);
	if (m->failures)
		g_ptr_array_unref(m->failures);
	g_free(m);
}

gboolean
attache__is_sha256(const char *s)
{
	if (!s || strlen(s) != 64)
		return FALSE;
	for (int i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return FALSE;
	return TRUE;
}

gboolean
attache__is_relative_name(const char *s)
{
	if (!s || !*s || *s == '/')
		return FALSE;
	g_auto(GStrv) parts = g_strsplit(s, "/", -1);
	for (int i = 0; parts[i]; i++)
		if (!*parts[i] || g_str_equal(parts[i], ".") || g_str_equal(parts[i], ".."))
			return FALSE;
	return TRUE;
}

/* @path relative to the folder @base (canonical), or NULL when it is not
 * inside. (transfer full) */
static char *
inside(const char *path, const char *base)
{
	if (!path || !base)
		return NULL;
	gsize n = g_str_equal(base, "/") ? 0 : strlen(base);
	if (strncmp(path, base, n) != 0 || path[n] != '/')
		return NULL;
	return attache__is_relative_name(path + n + 1) ? g_strdup(path + n + 1)
												   : NULL;
}

/* Where an output recorded as @output is, relative to the manifest's
 * folder. prep writes its outputs beside the manifest (OUT/NAME), the hot
 * folder one level down (OUT/PHOTO/NAME); a path is recorded as it was
 * given, absolute or relative to where the command ran. An absolute path
 * inside the folder says it exactly; otherwise the shortest tail of the
 * path that exists in the folder, else the file name. (transfer full) */
static char *
resolve_output(const AttacheManifest *m, const char *output)
{
	if (g_path_is_absolute(output)) {
		g_autofree char *canon = g_canonicalize_filename(output, NULL);
		char *rel = inside(canon, m->dir_abs);
		if (!rel)
			rel = inside(canon, m->dir_real);
		if (rel)
			return rel;
	}
	g_auto(GStrv) parts = g_strsplit(output, "/", -1);
	guint n = g_strv_length(parts);
	for (guint k = 1; k <= MIN(n, 4); k++) {
		g_autofree char *tail = g_strjoinv("/", parts + (n - k));
		if (!attache__is_relative_name(tail))
			break;
		g_autofree char *p = g_build_filename(m->dir, tail, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&tail);
	}
	return g_path_get_basename(output);
}

static char *
member_string(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

static gint64
member_int(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return 0;
	return json_node_get_int(n);
}

static char **
member_strv(JsonObject *o, const char *name)
{
	GPtrArray *v = g_ptr_array_new();
	JsonNode *n = json_object_get_member(o, name);
	if (n && JSON_NODE_HOLDS_ARRAY(n)) {
		JsonArray *a = json_node_get_array(n);
		for (guint i = 0; i < json_array_get_length(a); i++) {
			JsonNode *e = json_array_get_element(a, i);
			if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING)
				g_ptr_array_add(v, g_strdup(json_node_get_string(e)));
		}
	}
	g_ptr_array_add(v, NULL);
	return (char **)g_ptr_array_free(v, FALSE);
}

/* Whether @o is an output's line by its version and kind: version 1 (no
 * "attache_manifest") is always one; a version 2 failure line is not. A
 * version this attache does not know, or a kind it does not, is damage
 * (*why, transfer full): skipping it could hide who prepared an output. */
static gboolean
is_output_line(JsonObject *o, char **why)
{
	JsonNode *v = json_object_get_member(o, "attache_manifest");
	if (!v)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_INT64 || json_node_get_int(v) < 1) {
		*why = g_strdup("\"attache_manifest\" is not a version number");
		return FALSE;
	}
	gint64 version = json_node_get_int(v);
	if (version > ATTACHE_MANIFEST_VERSION) {
		*why = g_strdup_printf("written by a newer attache (\"attache_manifest\": %" G_GINT64_FORMAT
							   "; this one reads up to version %d)",
			version, ATTACHE_MANIFEST_VERSION);
		return FALSE;
	}
	if (version == 1)
		return TRUE;
	g_autofree char *kind = member_string(o, "kind");
	if (kind && g_str_equal(kind, "output"))
		return TRUE;
	if (!kind || !g_str_equal(kind, "failure"))
		*why = g_strdup("no known \"kind\" (output or failure)");
	return FALSE;
}

/* A failure line's members. (transfer full) */
static AttacheFailure *
parse_failure(JsonObject *o, int number)
{
	AttacheFailure *f = g_new0(AttacheFailure, 1);
	f->line = number;
	f->input = member_string(o, "input");
	f->code = member_string(o, "code");
	f->error = member_string(o, "error");
	f->reason = member_string(o, "reason");
	f->original = member_string(o, "original");
	f->error_file = member_string(o, "error_file");
	f->prepared_by = member_string(o, "prepared_by");
	f->prepared_at = member_string(o, "prepared_at");
	return f;
}

/* Parses one line; NULL with *why set when it is damaged, NULL with *why
 * unset when it is a failed output or a failure line (then in *failure,
 * transfer full). */
static AttacheRecord *
parse_line(const AttacheManifest *m, const char *text, gsize len,
	int number, char **why, AttacheFailure **failure)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) err = NULL;

	*why = NULL;
	if (len > MANIFEST_LINE_MAX) {
		*why = g_strdup_printf("longer than %d bytes", MANIFEST_LINE_MAX);
		return NULL;
	}
	if (!g_utf8_validate(text, (gssize)len, NULL)) {
		*why = g_strdup("not UTF-8");
		return NULL;
	}
	if (!json_parser_load_from_data(p, text, (gssize)len, &err)) {
		*why = g_strdup_printf("not JSON (%s)", err->message);
		return NULL;
	}
	JsonNode *root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		*why = g_strdup("not a JSON object");
		return NULL;
	}
	JsonObject *o = json_node_get_object(root);
	if (!is_output_line(o, why)) {
		if (!*why)
			*failure = parse_failure(o, number);
		return NULL; /* damaged (*why), or a failure line: no output */
	}
	JsonNode *e = json_object_get_member(o, "error");
	if (e && !JSON_NODE_HOLDS_NULL(e))
		return NULL; /* a failed output: nothing was written */

	g_autofree char *output = member_string(o, "output");
	g_autofree char *base = output ? g_path_get_basename(output) : NULL;
	if (!base || !attache__is_relative_name(base)) {
		*why = g_strdup("no \"output\" file name");
		return NULL;
	}
	g_autofree char *sha = member_string(o, "sha256");
	if (!attache__is_sha256(sha)) {
		*why = g_strdup("no valid \"sha256\"");
		return NULL;
	}

	AttacheRecord *r = g_new0(AttacheRecord, 1);
	r->line = number;
	r->file = resolve_output(m, output);
	r->output = g_steal_pointer(&output);
	r->sha256 = g_steal_pointer(&sha);
	r->input = member_string(o, "input");
	r->input_sha256 = member_string(o, "input_sha256");
	if (r->input_sha256 && !attache__is_sha256(r->input_sha256))
		g_clear_pointer(&r->input_sha256, g_free);
	r->preset = member_string(o, "preset");
	r->format = member_string(o, "format");
	r->width = (int)CLAMP(member_int(o, "width"), 0, G_MAXINT);
	r->height = (int)CLAMP(member_int(o, "height"), 0, G_MAXINT);
	r->quality = (int)CLAMP(member_int(o, "quality"), 0, 100);
	r->bytes = member_int(o, "bytes");
	r->max_bytes = member_int(o, "max_bytes");
	r->flags = member_strv(o, "flags");
	r->removed = member_strv(o, "removed");
	r->kept = member_strv(o, "kept");
	r->warnings = member_strv(o, "warnings");
	r->alt_long = member_string(o, "alt_long");
	r->campaign = member_string(o, "campaign");
	r->lang = member_string(o, "lang");
	r->prepared_by = member_string(o, "prepared_by");
	r->prepared_at = member_string(o, "prepared_at");
	r->audit = member_string(o, "audit");
	r->faces = attache__regions_from_json(json_object_get_member(o, "faces"), ATTACHE_REGION_FACE);
	r->regions = attache__regions_from_json(json_object_get_member(o, "regions"), ATTACHE_REGION_HAND);
	r->text_found = attache__regions_from_json(json_object_get_member(o, "text_found"), ATTACHE_REGION_TEXT);

	r->alt = g_ptr_array_new_with_free_func((GDestroyNotify)alt_free);
	JsonNode *an = json_object_get_member(o, "alt");
	if (an && JSON_NODE_HOLDS_OBJECT(an)) {
		JsonObject *ao = json_node_get_object(an);
		GList *members = json_object_get_members(ao);
		for (GList *l = members; l; l = l->next) {
			char *t = member_string(ao, l->data);
			if (!t)
				continue;
			AttacheAlt *a = g_new0(AttacheAlt, 1);
			a->lang = g_strdup(l->data);
			a->text = t;
			g_ptr_array_add(r->alt, a);
		}
		g_list_free(members);
	}
	/* an older line with only alt_text */
	if (r->alt->len == 0) {
		char *t = member_string(o, "alt_text");
		if (t && *t) {
			AttacheAlt *a = g_new0(AttacheAlt, 1);
			a->lang = g_strdup("x-default");
			a->text = t;
			g_ptr_array_add(r->alt, a);
		}
		else
			g_free(t);
	}
	return r;
}

/* m->failed: the latest failure line of each input, unless a later line
 * has outputs of that input (the photo was prepared again since). */
static void
latest_failures(AttacheManifest *m)
{
	g_autoptr(GHashTable) last = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < m->failures->len; i++) {
		AttacheFailure *f = m->failures->pdata[i];
		if (f->input)
			g_hash_table_insert(last, f->input, f);
	}
	for (guint i = 0; i < m->failures->len; i++) {
		AttacheFailure *f = m->failures->pdata[i];
		if (!f->input || g_hash_table_lookup(last, f->input) != f)
			continue;
		gboolean again = FALSE;
		for (guint k = 0; k < m->lines->len && !again; k++) {
			const AttacheRecord *r = m->lines->pdata[k];
			again = r->line > f->line && g_strcmp0(r->input, f->input) == 0;
		}
		if (!again)
			g_ptr_array_add(m->failed, f);
	}
}

AttacheCode
attache__manifest_load(const char *dir, AttacheManifest **out,
	GError **error)
{
	AttacheManifest *m = g_new0(AttacheManifest, 1);
	m->dir = g_strdup(dir);
	m->dir_abs = g_canonicalize_filename(dir, NULL);
	m->dir_real = realpath(dir, NULL);
	m->path = g_build_filename(dir, MANIFEST_NAME, NULL);
	m->lines = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache__record_free);
	m->latest = g_ptr_array_new();
	m->damaged = g_ptr_array_new_with_free_func(g_free);
	m->damaged_text = g_ptr_array_new_with_free_func(g_free);
	m->failures = g_ptr_array_new_with_free_func((GDestroyNotify)failure_free);
	m->failed = g_ptr_array_new();
	*out = m;

	/* never through a link: whoever writes the folder could point it at
	 * any file (docs/security.md) */
	struct stat st;
	if (lstat(m->path, &st) != 0 && errno == ENOENT)
		return ATTACHE_OK; /* m->exists stays FALSE */
	g_autofree char *data = NULL;
	gsize len = 0;
	AttacheCode code = attache__read_small_beneath(dir, MANIFEST_NAME,
		ATTACHE_MAX_TABLE_BYTES, &data, &len, error);
	if (code)
		return code == ATTACHE_E_LIMIT ? code : ATTACHE_E_INPUT;
	m->exists = TRUE;

	gsize pos = 0;
	int number = 0;
	while (pos < len) {
		const char *start = data + pos;
		const char *nl = memchr(start, '\n', len - pos);
		gsize l = nl ? (gsize)(nl - start) : len - pos;
		pos += l + 1;
		number++;
		/* blank lines (an editor's final newline) are not damage */
		gsize k = 0;
		while (k < l && g_ascii_isspace(start[k]))
			k++;
		if (k == l)
			continue;
		g_autofree char *why = NULL;
		AttacheFailure *f = NULL;
		AttacheRecord *r = parse_line(m, start, l, number, &why, &f);
		if (r)
			g_ptr_array_add(m->lines, r);
		else if (f)
			g_ptr_array_add(m->failures, f);
		else if (why) {
			g_ptr_array_add(m->damaged,
				g_strdup_printf("%s line %d is damaged: %s", m->path, number,
					why));
			/* kept to tell whose line it was (the gate) */
			g_ptr_array_add(m->damaged_text,
				g_strndup(start, MIN(l, MANIFEST_LINE_MAX)));
		}
	}

	/* the latest line per output whose file is still there, in the order
	 * of those lines */
	g_autoptr(GHashTable) last = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < m->lines->len; i++) {
		AttacheRecord *r = m->lines->pdata[i];
		g_hash_table_insert(last, r->file, r);
	}
	for (guint i = 0; i < m->lines->len; i++) {
		AttacheRecord *r = m->lines->pdata[i];
		if (g_hash_table_lookup(last, r->file) != r)
			continue;
		g_autofree char *path = g_build_filename(dir, r->file, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(m->latest, r);
	}
	latest_failures(m);
	return ATTACHE_OK;
}

const AttacheRecord *
attache__manifest_latest(const AttacheManifest *m, const char *file)
{
	for (guint i = m->latest->len; i > 0; i--) {
		const AttacheRecord *r = m->latest->pdata[i - 1];
		if (g_str_equal(r->file, file))
			return r;
	}
	return NULL;
}

/* ---- appending a line (the manifest, attache.log) ---- */

static gboolean
append_error(GError **error, const char *label, const char *why)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
		"%s: cannot add a line: %s", label, why);
	return FALSE;
}

/* write(2) all of @buf, or -1 with errno (ENOSPC, EFBIG, EIO...). */
static int
write_all(int fd, const char *buf, gsize len)
{
	gsize done = 0;
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		done += (gsize)w;
	}
	return 0;
}

/* Appends under the lock held on @fd: the text is "\n"? LINE "\n", the
 * first newline only when the file does not end with one. */
static int
append_locked(int fd, const char *line)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	char last = '\n';
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return -1;
	g_autofree char *text = g_strconcat(last == '\n' ? "" : "\n", line, "\n",
		NULL);
	if (write_all(fd, text, strlen(text)) != 0 || fdatasync(fd) != 0) {
		int e = errno;
		/* all or nothing: cut off what went in (the lock keeps other
		 * attache writers out meanwhile) */
		if (ftruncate(fd, st.st_size) == 0)
			fdatasync(fd);
		errno = e;
		return -1;
	}
	return 0;
}

gboolean
attache__append_line_at(int dirfd, const char *name, const char *label,
	const char *line, GError **error)
{
	/* a JSON line stays JSON: bytes that are not UTF-8 (a caller that did
	 * not use attache__json_make_valid()) as U+FFFD, then controls and
	 * bidi characters as \uXXXX, which mean the same inside a string */
	g_autofree char *valid = attache_display_name(line);
	g_autofree char *safe = attache_escape_text(valid);
	int fd = attache__open_beneath(dirfd, name,
		O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK, 0666);
	if (fd < 0)
		return append_error(error, label, attache__beneath_strerror(errno));
	int rc;
	while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (rc == 0)
		rc = append_locked(fd, safe);
	int e = errno;
	close(fd); /* releases the lock */
	if (rc != 0)
		return append_error(error, label,
			e == EINVAL ? "not a regular file" : g_strerror(e));
	return TRUE;
}

gboolean
attache__append_line_beneath(const char *dir, const char *name,
	const char *line, GError **error)
{
	g_autofree char *label = g_build_filename(dir, name, NULL);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return append_error(error, label, g_strerror(errno));
	gboolean ok = attache__append_line_at(dfd, name, label, line, error);
	close(dfd);
	return ok;
}

gboolean
attache__append_line(const char *path, const char *line, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *name = g_path_get_basename(path);
	return attache__append_line_beneath(dir, name, line, error);
}

const char *
attache__manifest_damaged_for(const AttacheManifest *m, const char *file,
	const char *sha256)
{
	g_autofree char *base = file ? g_path_get_basename(file) : NULL;
	for (guint i = 0; i < m->damaged->len; i++) {
		const char *t = m->damaged_text->pdata[i];
		/* a line cut short may end inside either: a prefix of 12 hex
		 * digits of the hash is as good as the name */
		if ((base && strstr(t, base)) || (sha256 && strstr(t, sha256)))
			return m->damaged->pdata[i];
		g_autofree char *sha12 = sha256 ? g_strndup(sha256, 12) : NULL;
		if (sha12 && strlen(sha12) == 12 && strstr(t, sha12))
			return m->damaged->pdata[i];
	}
	return NULL;
}

/* ---- writing the manifest's lines (version 2) ---- */

/* A version 2 line of @kind: "attache_manifest" and "kind" first, then
 * @fields' members but those named in @skip, "output" replaced by @output
 * when given. @fields is not changed. (transfer full) */
static char *
versioned_line(const char *kind, JsonObject *fields, const char *output,
	const char *const *skip)
{
	JsonObject *c = json_object_new();
	json_object_set_int_member(c, "attache_manifest", ATTACHE_MANIFEST_VERSION);
	json_object_set_string_member(c, "kind", kind);
	g_autoptr(GList) names = json_object_get_members(fields);
	for (GList *l = names; l; l = l->next) {
		const char *name = l->data;
		/* an older journal's object may say its version: ours is written */
		if (g_str_equal(name, "attache_manifest") || g_str_equal(name, "kind"))
			continue;
		if (skip && g_strv_contains(skip, name))
			continue;
		/* a copy: the caller's object (a journal's) stays its own */
		json_object_set_member(c, name,
			json_node_copy(json_object_get_member(fields, name)));
	}
	if (output)
		json_object_set_string_member(c, "output", output);
	JsonNode *n = json_node_init_object(json_node_alloc(), c);
	json_object_unref(c);
	attache__json_make_valid(n); /* NAME_bytes for a name that is not UTF-8 */
	char *s = json_to_string(n, FALSE);
	json_node_unref(n);
	return s;
}

char *
attache__manifest_output_line(const AttacheOutput *o)
{
	/* input_sha256, which photo it was made from, by its bytes: a
	 * re-prepared photo replaces its own outputs, another one of the name
	 * gets -2 (output.c writes it) */
	JsonNode *n = attache__output_to_node(o, TRUE);
	char *s = versioned_line("output", json_node_get_object(n), NULL, NULL);
	json_node_unref(n);
	return s;
}

char *
attache__manifest_line_from_fields(JsonObject *fields, const char *output,
	const char *const *skip)
{
	return versioned_line("output", fields, output, skip);
}

char *
attache__manifest_failure_line(const char *input, AttacheCode code,
	const char *message, const char *prepared_by)
{
	return attache__manifest_failure_line_with(input, code, message,
		prepared_by, NULL);
}

char *
attache__manifest_failure_line_with(const char *input, AttacheCode code,
	const char *message, const char *prepared_by, JsonObject *extra)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *iso = g_date_time_format_iso8601(now);
	JsonObject *f = json_object_new();
	json_object_set_string_member(f, "input", input);
	json_object_set_string_member(f, "code", attache_code_name(code));
	json_object_set_string_member(f, "error", message ? message : "failed");
	if (prepared_by)
		json_object_set_string_member(f, "prepared_by", prepared_by);
	else
		json_object_set_null_member(f, "prepared_by");
	json_object_set_string_member(f, "prepared_at", iso);
	g_autoptr(GList) names = extra ? json_object_get_members(extra) : NULL;
	for (GList *l = names; l; l = l->next)
		json_object_set_member(f, l->data,
			json_node_copy(json_object_get_member(extra, l->data)));
	char *s = versioned_line("failure", f, NULL, NULL);
	json_object_unref(f);
	return s;
}

gboolean
attache__manifest_append_output(const char *dir, const AttacheOutput *o,
	GError **error)
{
	g_autofree char *line = attache__manifest_output_line(o);
	return attache__append_line_beneath(dir, MANIFEST_NAME, line, error);
}

gboolean
attache__manifest_append_failure(const char *dir, const char *input,
	AttacheCode code, const char *message, const char *prepared_by,
	GError **error)
{
	g_autofree char *line = attache__manifest_failure_line(input, code,
		message, prepared_by);
	return attache__append_line_beneath(dir, MANIFEST_NAME, line, error);
}
