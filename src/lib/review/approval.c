/* SPDX-License-Identifier: MIT */
/*
 * approval.c: the two-person rule (docs/review.md).
 *
 * DIR/approvals.json records who approved which bytes (SHA-256) of which
 * output; DIR/attache-manifest.jsonl records who prepared them. An output
 * may be published when its current bytes were approved by someone who did
 * not prepare those bytes. Anything damaged counts as "not approved".
 *
 * approvals.json is only ever replaced whole (attache_write_atomic()),
 * read-modify-written under an flock on DIR/.approvals.json.lock so that
 * reviewers approving at the same time lose nothing.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define APPROVALS_NAME "approvals.json"
#define APPROVALS_LOCK ".approvals.json.lock"
#define APPROVALS_FORMAT 1
#define APPROVALS_MAX_BYTES (64 * 1024 * 1024)
#define NAME_MAX_BYTES 256
/* how long approve waits for another approve to finish */
#define LOCK_WAIT_US (60 * G_USEC_PER_SEC)

void
attache_approval_free(AttacheApproval *a)
{
	if (!a)
		return;
	g_free(a->file);
	g_free(a->sha256);
	g_free(a->by);
	g_free(a->at);
	g_free(a);
}

void
attache_approval_status_free(AttacheApprovalStatus *s)
{
	if (!s)
		return;
	g_free(s->file);
	g_free(s->sha256);
	g_free(s->prepared_by);
	g_free(s->approved_by);
	g_free(s->approved_at);
	g_free(s->message);
	g_free(s->note);
	g_free(s);
}

void
attache_approve_result_free(AttacheApproveResult *r)
{
	if (!r)
		return;
	g_free(r->file);
	g_free(r->sha256);
	g_free(r->prepared_by);
	g_free(r->error);
	g_strfreev(r->reasons);
	g_free(r);
}

const char *
attache_approval_state_name(AttacheApprovalState state)
{
	switch (state) {
	case ATTACHE_APPROVAL_APPROVED:
		return "approved";
	case ATTACHE_APPROVAL_NONE:
		return "not-approved";
	case ATTACHE_APPROVAL_SELF_ONLY:
		return "self-approved";
	case ATTACHE_APPROVAL_CHANGED:
		return "changed";
	case ATTACHE_APPROVAL_NO_PREPARER:
		return "no-preparer";
	case ATTACHE_APPROVAL_DAMAGED:
		return "damaged";
	}
	return "unknown";
}

/* Who a name is, for comparing (person.c): "Alice", " alice", "ＡＬＩＣＥ",
 * "alice\u200b" and a Cyrillic "аlice" are one person. (transfer full) */
static char *
person_key(const char *name)
{
	return attache__person_key(name);
}

/* ---- approvals.json ---- */

static AttacheCode
damaged(GError **error, const char *path, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

static AttacheCode
damaged(GError **error, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL,
		"%s is damaged (%s): no output in its folder counts as approved "
		"until it is repaired",
		path, why);
	return ATTACHE_E_APPROVAL;
}

static const char *
string_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static AttacheCode
approvals_parse(const char *path, const char *text, gsize len,
	GPtrArray *out, GError **error)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(GError) err = NULL;

	if (len == 0)
		return damaged(error, path, "empty file");
	if (!g_utf8_validate(text, (gssize)len, NULL))
		return damaged(error, path, "not UTF-8");
	if (!json_parser_load_from_data(p, text, (gssize)len, &err))
		return damaged(error, path, "not JSON: %s", err->message);
	JsonNode *root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return damaged(error, path, "not a JSON object");
	JsonObject *o = json_node_get_object(root);
	JsonNode *v = json_object_get_member(o, "attache_approvals");
	if (!v || !JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_INT64)
		return damaged(error, path, "no \"attache_approvals\" format number");
	if (json_node_get_int(v) != APPROVALS_FORMAT)
		return damaged(error, path,
			"format %" G_GINT64_FORMAT ", this attache reads format %d",
			json_node_get_int(v), APPROVALS_FORMAT);
	JsonNode *an = json_object_get_member(o, "approvals");
	if (!an || !JSON_NODE_HOLDS_ARRAY(an))
		return damaged(error, path, "no \"approvals\" array");
	JsonArray *a = json_node_get_array(an);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		if (!JSON_NODE_HOLDS_OBJECT(e))
			return damaged(error, path, "approval %u is not an object", i + 1);
		JsonObject *eo = json_node_get_object(e);
		const char *file = string_member(eo, "file");
		const char *sha = string_member(eo, "sha256");
		const char *by = string_member(eo, "by");
		const char *at = string_member(eo, "at");
		if (!attache__is_relative_name(file))
			return damaged(error, path, "approval %u: no valid \"file\"",
				i + 1);
		if (!attache__is_sha256(sha))
			return damaged(error, path, "approval %u: no valid \"sha256\"",
				i + 1);
		g_autofree char *key = person_key(by);
		if (!key)
			return damaged(error, path, "approval %u: no \"by\"", i + 1);
		g_autoptr(GDateTime) t = at ? g_date_time_new_from_iso8601(at, NULL)
									: NULL;
		if (!t)
			return damaged(error, path, "approval %u: no valid \"at\" time",
				i + 1);
		AttacheApproval *r = g_new0(AttacheApproval, 1);
		r->file = g_strdup(file);
		r->sha256 = g_strdup(sha);
		r->by = g_strdup(by);
		r->at = g_strdup(at);
		g_ptr_array_add(out, r);
	}
	return ATTACHE_OK;
}

AttacheCode
attache_approvals_load(const char *dir, GPtrArray **out, GError **error)
{
	g_autofree char *path = g_build_filename(dir, APPROVALS_NAME, NULL);
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache_approval_free);
	g_autoptr(GError) err = NULL;

	*out = NULL;
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT) {
			*out = g_steal_pointer(&list);
			return ATTACHE_OK;
		}
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL, "%s: %s", path,
			g_strerror(errno));
		return ATTACHE_E_APPROVAL;
	}
	if (S_ISLNK(st.st_mode))
		return damaged(error, path, "a symbolic link, which is not followed");
	if (!S_ISREG(st.st_mode))
		return damaged(error, path, "not a regular file");
	if (st.st_size > APPROVALS_MAX_BYTES)
		return damaged(error, path, "larger than %d MiB",
			APPROVALS_MAX_BYTES >> 20);
	/* bounded, and never through a link swapped in since the lstat */
	g_autofree char *text = NULL;
	gsize len = 0;
	if (attache__read_small_beneath(dir, APPROVALS_NAME, APPROVALS_MAX_BYTES,
			&text, &len, &err)) {
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL,
			err->message);
		return ATTACHE_E_APPROVAL;
	}
	AttacheCode code = approvals_parse(path, text, len, list, error);
	if (code)
		return code;
	*out = g_steal_pointer(&list);
	return ATTACHE_OK;
}

static char *
approvals_to_json(GPtrArray *list)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "attache_approvals");
	json_builder_add_int_value(b, APPROVALS_FORMAT);
	json_builder_set_member_name(b, "approvals");
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++) {
		const AttacheApproval *a = list->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, a->file);
		json_builder_set_member_name(b, "sha256");
		json_builder_add_string_value(b, a->sha256);
		json_builder_set_member_name(b, "by");
		json_builder_add_string_value(b, a->by);
		json_builder_set_member_name(b, "at");
		json_builder_add_string_value(b, a->at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);

	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 1);
	json_generator_set_indent_char(gen, '\t');
	char *text = json_generator_to_data(gen, NULL);
	char *with_nl = g_strconcat(text, "\n", NULL);
	g_free(text);
	return with_nl;
}

/* ---- the gate ---- */

static void
add_name(GPtrArray *names, GHashTable *keys, const char *name)
{
	g_autofree char *key = person_key(name);
	if (key && !g_hash_table_contains(keys, key)) {
		g_hash_table_add(keys, g_steal_pointer(&key));
		g_ptr_array_add(names, (gpointer)name);
	}
}

static char *
join_names(GPtrArray *names)
{
	if (!names->len)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < names->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
			(const char *)names->pdata[i]);
	return g_string_free(s, FALSE);
}

static char *
short_sha(const char *sha)
{
	return g_strndup(sha, 12);
}

/* What the manifest and approvals say about one output's bytes. Names
 * are borrowed from the records and approvals. */
typedef struct {
	gboolean recorded;					/* a manifest line has these bytes */
	gboolean anonymous;					/* one such line names nobody */
	GPtrArray *preparers;				/* every name on those lines, once per person */
	GHashTable *prep_keys;				/* their attache__person_key()s */
	GPtrArray *approvers;				/* approvals of these bytes by someone else */
	GPtrArray *self;					/* ... and by a preparer */
	const AttacheApproval *first;		/* the first that counts */
	const AttacheApproval *other_bytes; /* the latest of this file's other bytes */
} Tally;

static void
tally_clear(Tally *t)
{
	g_ptr_array_unref(t->preparers);
	g_hash_table_unref(t->prep_keys);
	g_ptr_array_unref(t->approvers);
	g_ptr_array_unref(t->self);
}

/* Who prepared the bytes @sha: every line with them, in any name. */
static void
tally_preparers(Tally *t, const AttacheManifest *m, const char *sha)
{
	t->preparers = g_ptr_array_new();
	t->prep_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		NULL);
	for (guint i = 0; i < m->lines->len; i++) {
		const AttacheRecord *r = m->lines->pdata[i];
		if (!g_str_equal(r->sha256, sha))
			continue;
		t->recorded = TRUE;
		g_autofree char *key = person_key(r->prepared_by);
		if (!key)
			t->anonymous = TRUE;
		else
			add_name(t->preparers, t->prep_keys, r->prepared_by);
	}
}

/* Who approved the bytes @sha of @file, and whether that counts (not a
 * preparer). */
static void
tally_approvers(Tally *t, GPtrArray *approvals, const char *file,
	const char *sha)
{
	t->approvers = g_ptr_array_new();
	t->self = g_ptr_array_new();
	g_autoptr(GHashTable) appr_keys = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) self_keys = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; approvals && i < approvals->len; i++) {
		const AttacheApproval *a = approvals->pdata[i];
		if (!g_str_equal(a->sha256, sha)) {
			if (g_str_equal(a->file, file))
				t->other_bytes = a; /* the latest for this file */
			continue;
		}
		g_autofree char *key = person_key(a->by);
		if (g_hash_table_contains(t->prep_keys, key))
			add_name(t->self, self_keys, a->by);
		else {
			add_name(t->approvers, appr_keys, a->by);
			if (!t->first)
				t->first = a;
		}
	}
}

/* No line names who prepared the bytes @sha: changed after approval into
 * bytes attache did not make, or no record of the preparer. */
static void
status_no_preparer(AttacheApprovalStatus *st, const AttacheManifest *m,
	const Tally *t, const char *display, const char *sha)
{
	g_autofree char *sha12 = short_sha(sha);
	if (!t->recorded && t->other_bytes && !t->approvers->len && !t->self->len) {
		g_autofree char *was = short_sha(t->other_bytes->sha256);
		st->state = ATTACHE_APPROVAL_CHANGED;
		st->message = g_strdup_printf("%s: not approved: changed after "
									  "approval (%s approved SHA-256 "
									  "%s…, the file is now %s…, which "
									  "attache prep did not make)",
			display, t->other_bytes->by, was, sha12);
		return;
	}
	st->state = ATTACHE_APPROVAL_NO_PREPARER;
	if (!m->exists)
		st->message = g_strdup_printf("%s: not approved: no record of "
									  "who prepared it (%s does not "
									  "exist; outputs of attache prep "
									  "have one)",
			display, m->path);
	else if (!t->recorded)
		st->message = g_strdup_printf("%s: not approved: no record of "
									  "who prepared it (no line of %s "
									  "has its SHA-256 %s…)",
			display, m->path, sha12);
	else
		st->message = g_strdup_printf("%s: not approved: no record of "
									  "who prepared it (the line of "
									  "%s with its SHA-256 %s… names "
									  "nobody)",
			display, m->path, sha12);
}

/* Approved: by whom, when, and a note naming other outputs' damaged
 * lines. */
static void
status_approved(AttacheApprovalStatus *st, const AttacheManifest *m,
	const Tally *t, const char *display)
{
	st->state = ATTACHE_APPROVAL_APPROVED;
	st->approved_by = join_names(t->approvers);
	st->approved_at = g_strdup(t->first->at);
	if (m->damaged->len == 1)
		st->note = g_strdup_printf("%s (not %s's line, which is intact)",
			(const char *)m->damaged->pdata[0], display);
	else if (m->damaged->len > 1)
		st->note = g_strdup_printf("%s, and %u more lines (none is %s's, "
								   "which is intact)",
			(const char *)m->damaged->pdata[0], m->damaged->len - 1,
			display);
}

/* Recorded, but approved by nobody else: only by a preparer, for other
 * bytes, or not at all. */
static void
status_refused(AttacheApprovalStatus *st, const AttacheManifest *m,
	const Tally *t, const char *display, const char *sha)
{
	if (t->self->len) {
		g_autofree char *who = join_names(t->self);
		st->state = ATTACHE_APPROVAL_SELF_ONLY;
		st->message = g_strdup_printf("%s: not approved: approved only by %s, "
									  "who prepared it; someone else must "
									  "approve it",
			display, who);
		return;
	}
	if (t->other_bytes) {
		g_autofree char *was = short_sha(t->other_bytes->sha256);
		g_autofree char *sha12 = short_sha(sha);
		st->state = ATTACHE_APPROVAL_CHANGED;
		st->message = g_strdup_printf("%s: not approved: changed after "
									  "approval (%s approved SHA-256 %s…, "
									  "the file is now %s…); review it and "
									  "approve it again",
			display, t->other_bytes->by, was, sha12);
		return;
	}
	st->state = ATTACHE_APPROVAL_NONE;
	st->message = g_strdup_printf("%s: not approved: nobody has approved it "
								  "(a second person runs attache approve "
								  "%s --by NAME)",
		display, m->dir);
}

AttacheApprovalStatus *
attache__approval_status(const AttacheManifest *m, GPtrArray *approvals,
	const char *approvals_error, const char *file, const char *display,
	const char *sha)
{
	AttacheApprovalStatus *st = g_new0(AttacheApprovalStatus, 1);
	st->file = g_strdup(display);
	st->sha256 = g_strdup(sha);

	if (approvals_error) {
		st->state = ATTACHE_APPROVAL_DAMAGED;
		st->message = g_strdup_printf("%s: not approved: %s", display,
			approvals_error);
		return st;
	}
	/* only a damaged line that may be this output's own: approvals are
	 * bound to each output's bytes, so other outputs' lines do not count
	 * (a line with this output's name or hash, cut short, does) */
	const char *own = attache__manifest_damaged_for(m, file, sha);
	if (own) {
		st->state = ATTACHE_APPROVAL_DAMAGED;
		st->message = g_strdup_printf("%s: not approved: %s, so who prepared "
									  "it cannot be established (repair or "
									  "remove that line)",
			display, own);
		return st;
	}

	Tally t = { 0 };
	tally_preparers(&t, m, sha);
	st->prepared_by = join_names(t.preparers);
	tally_approvers(&t, approvals, file, sha);
	if (!t.recorded || t.anonymous)
		status_no_preparer(st, m, &t, display, sha);
	else if (t.approvers->len)
		status_approved(st, m, &t, display);
	else
		status_refused(st, m, &t, display, sha);
	tally_clear(&t);
	return st;
}

/* The output folder of the output @path: the one that holds the manifest,
 * its own folder (prep) or the one above (the hot folder's OUT/PHOTO/),
 * and @path relative to it. */
void
attache__output_folder(const char *path, char **dir, char **file)
{
	g_autofree char *parent = g_path_get_dirname(path);
	g_autofree char *name = g_path_get_basename(path);
	g_autofree char *grand = g_path_get_dirname(parent);
	g_autofree char *sub = g_path_get_basename(parent);
	g_autofree char *here = g_build_filename(parent, "attache-manifest.jsonl",
		NULL);
	g_autofree char *above = g_build_filename(grand, "attache-manifest.jsonl",
		NULL);

	if (!g_file_test(here, G_FILE_TEST_EXISTS) && g_file_test(above, G_FILE_TEST_EXISTS)
		&& attache__is_relative_name(sub)) {
		*dir = g_steal_pointer(&grand);
		*file = g_build_filename(sub, name, NULL);
	}
	else {
		*dir = g_steal_pointer(&parent);
		*file = g_steal_pointer(&name);
	}
}

AttacheCode
attache_approval_check(const char *path, const char *sha256,
	AttacheApprovalStatus **out, GError **error)
{
	g_autofree char *dir = NULL;
	g_autofree char *file = NULL;
	attache__output_folder(path, &dir, &file);
	g_autofree char *sha = sha256 ? g_ascii_strdown(sha256, -1) : NULL;
	g_autoptr(AttacheManifest) m = NULL;
	g_autoptr(GPtrArray) approvals = NULL;
	g_autoptr(GError) aerr = NULL;
	AttacheCode code;

	if (out)
		*out = NULL;
	if (!sha && !(sha = attache_file_sha256(path, error)))
		return ATTACHE_E_INPUT;
	if (!attache__is_sha256(sha)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"%s: \"%s\" is not a SHA-256", path, sha);
		return ATTACHE_E_USAGE;
	}
	g_autoptr(GError) merr = NULL;
	if (attache__manifest_load(dir, &m, &merr)) {
		/* who prepared it cannot be read: not approved */
		char *msg = g_strdup_printf("%s: not approved: %s", path,
			merr->message);
		g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL, msg);
		if (out) {
			*out = g_new0(AttacheApprovalStatus, 1);
			(*out)->file = g_strdup(path);
			(*out)->sha256 = g_strdup(sha);
			(*out)->state = ATTACHE_APPROVAL_DAMAGED;
			(*out)->message = msg;
		}
		else
			g_free(msg);
		return ATTACHE_E_APPROVAL;
	}
	attache_approvals_load(dir, &approvals, &aerr);

	AttacheApprovalStatus *st = attache__approval_status(m, approvals,
		aerr ? aerr->message : NULL, file, path, sha);
	code = st->state == ATTACHE_APPROVAL_APPROVED ? ATTACHE_OK
												  : ATTACHE_E_APPROVAL;
	if (code)
		g_set_error_literal(error, ATTACHE_ERROR, code, st->message);
	if (out)
		*out = st;
	else
		attache_approval_status_free(st);
	return code;
}

/* ---- approve ---- */

static AttacheCode
check_name(const char *by, GError **error)
{
	if (!by || !g_utf8_validate(by, -1, NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--by: a reviewer's name is required (UTF-8)");
		return ATTACHE_E_USAGE;
	}
	g_autofree char *key = person_key(by);
	if (!key) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--by: the reviewer's name is blank");
		return ATTACHE_E_USAGE;
	}
	if (strlen(by) > NAME_MAX_BYTES) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"--by: the name is longer than %d bytes", NAME_MAX_BYTES);
		return ATTACHE_E_USAGE;
	}
	for (const char *p = by; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c)) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"--by: the name holds a control character");
			return ATTACHE_E_USAGE;
		}
	}
	return ATTACHE_OK;
}

/* An flock on DIR/.approvals.json.lock, waited for at most LOCK_WAIT_US.
 * Returns the descriptor, or -1 with @error set. The lock file stays: removing
 * it would let two runs lock two different files. */
static int
lock_dir(const char *dir, GError **error)
{
	g_autofree char *path = g_build_filename(dir, APPROVALS_LOCK, NULL);
	/* never through a link: a link would have us create its target */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dfd < 0 ? -1
					 : attache__open_beneath(dfd, APPROVALS_LOCK,
						 O_RDWR | O_CREAT | O_NONBLOCK, 0666);
	int oerr = errno;
	if (dfd >= 0)
		close(dfd);
	if (fd < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: %s", path,
			attache__beneath_strerror(oerr));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
			"%s: not a regular file", path);
		return -1;
	}
	gint64 deadline = g_get_monotonic_time() + LOCK_WAIT_US;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || g_get_monotonic_time() > deadline) {
			int err = errno;
			close(fd);
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE,
				"%s: cannot lock (%s): is another attache approve stuck?",
				path, err == EWOULDBLOCK ? "still held after 60 s" : g_strerror(err));
			return -1;
		}
		g_usleep(10000);
	}
	return fd;
}

/* The output @given (a path, a path inside the folder, or a bare file
 * name) means, relative to the folder of @m, or NULL with *why set. */
static char *
resolve(const AttacheManifest *m, const char *given, char **why)
{
	*why = NULL;
	if (!strchr(given, '/')) {
		/* a bare name: in the folder, else the one output of that name in
		 * a sub-folder (the hot folder's OUT/PHOTO/NAME) */
		g_autofree char *p = g_build_filename(m->dir, given, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			return g_strdup(given);
		const char *found = NULL;
		for (guint i = 0; i < m->latest->len; i++) {
			const AttacheRecord *r = m->latest->pdata[i];
			g_autofree char *base = g_path_get_basename(r->file);
			if (!g_str_equal(base, given))
				continue;
			if (found) {
				*why = g_strdup_printf("%s: several outputs in %s have this "
									   "name; give its path",
					given, m->dir);
				return NULL;
			}
			found = r->file;
		}
		if (found)
			return g_strdup(found);
		*why = g_strdup_printf("%s: no such output in %s", given, m->dir);
		return NULL;
	}
	/* a path: it must lie inside the folder */
	g_autofree char *real = realpath(given, NULL);
	if (!real) {
		int err = errno;
		g_autofree char *in_dir = g_build_filename(m->dir, given, NULL);
		if (attache__is_relative_name(given) && g_file_test(in_dir, G_FILE_TEST_IS_REGULAR))
			return g_strdup(given);
		*why = g_strdup_printf("%s: %s", given, g_strerror(err));
		return NULL;
	}
	gsize n = m->dir_real ? strlen(m->dir_real) : 0;
	if (!m->dir_real || strncmp(real, m->dir_real, n) != 0 || real[n] != '/'
		|| !attache__is_relative_name(real + n + 1) || !g_file_test(real, G_FILE_TEST_IS_REGULAR)) {
		*why = g_strdup_printf("%s: not in %s (approvals are kept per "
							   "output folder)",
			given, m->dir);
		return NULL;
	}
	/* the manifest's name for it (a symbolic link in the way may make
	 * the two differ) */
	for (guint i = 0; i < m->latest->len; i++) {
		const AttacheRecord *r = m->latest->pdata[i];
		g_autofree char *p = g_build_filename(m->dir, r->file, NULL);
		g_autofree char *rr = realpath(p, NULL);
		if (rr && g_str_equal(rr, real))
			return g_strdup(r->file);
	}
	return g_strdup(real + n + 1);
}

static AttacheApproveResult *
result_new(const char *dir, const char *name)
{
	AttacheApproveResult *r = g_new0(AttacheApproveResult, 1);
	r->file = g_build_filename(dir, name, NULL);
	return r;
}

static void
result_fail(AttacheApproveResult *r, AttacheCode code, char *msg)
{
	r->code = code;
	g_free(r->error);
	r->error = msg;
}

/* One failed result per damaged line of @m, added to @res: reported, each
 * once; an output whose own line may be one of them is refused later. */
static void
report_damaged(const AttacheManifest *m, GPtrArray *res)
{
	for (guint i = 0; i < m->damaged->len; i++) {
		AttacheApproveResult *r = g_new0(AttacheApproveResult, 1);
		r->file = g_strdup(m->path);
		result_fail(r, ATTACHE_E_APPROVAL,
			g_strdup_printf("%s (outputs whose own line is intact are "
							"approved as usual)",
				(const char *)m->damaged->pdata[i]));
		g_ptr_array_add(res, r);
	}
}

/* @dir's manifest, which must exist. @m: (transfer full), set also on
 * failure. */
static AttacheCode
open_folder(const char *dir, AttacheManifest **m, GError **error)
{
	AttacheCode code;
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: not a folder", dir);
		return ATTACHE_E_INPUT;
	}
	if ((code = attache__manifest_load(dir, m, error)))
		return code;
	if (!(*m)->exists) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: no attache-manifest.jsonl: not a folder attache prep wrote "
			"outputs to",
			dir);
		return ATTACHE_E_INPUT;
	}
	return ATTACHE_OK;
}

/* Adds the output @given means to @names (once), or a failed result to
 * @res; the name, borrowed from @names, or NULL. */
static const char *
pick_one(const AttacheManifest *m, const char *given, GPtrArray *names,
	GPtrArray *res)
{
	char *why = NULL;
	char *name = resolve(m, given, &why);
	if (!name) {
		AttacheApproveResult *r = g_new0(AttacheApproveResult, 1);
		r->file = g_strdup(given);
		result_fail(r, ATTACHE_E_INPUT, why);
		g_ptr_array_add(res, r);
		return NULL;
	}
	guint at;
	if (g_ptr_array_find_with_equal_func(names, name, g_str_equal, &at)) {
		g_free(name);
		return names->pdata[at];
	}
	g_ptr_array_add(names, name);
	return name;
}

/* The outputs to approve, as names in @m's folder, into @names: @files
 * and @named (a failed result in @res for each that is none; those of
 * @named also in @named_set), else every output of the manifest still
 * there. */
static void
pick_outputs(const AttacheManifest *m, const char *const *files,
	const char *const *named, GPtrArray *names, GHashTable *named_set,
	GPtrArray *res)
{
	if ((!files || !files[0]) && (!named || !named[0])) {
		for (guint i = 0; i < m->latest->len; i++)
			g_ptr_array_add(names,
				g_strdup(((AttacheRecord *)m->latest->pdata[i])->file));
		return;
	}
	for (int i = 0; files && files[i]; i++)
		pick_one(m, files[i], names, res);
	for (int i = 0; named && named[i]; i++) {
		const char *name = pick_one(m, named[i], names, res);
		if (name)
			g_hash_table_add(named_set, (gpointer)name);
	}
}

/* What approving a list of outputs needs beyond each one. Borrowed. */
typedef struct {
	const AttacheManifest *m;
	const char *dir;
	const char *by_key;
	const AttachePresetSet *presets; /* for the alt-text limits; may be NULL */
	GHashTable *named;				 /* names given one by one */
	gboolean include_flagged;
	GPtrArray *approvals; /* as read before the lock; may be NULL */
} Approving;

/* Whether @a's reviewer approved the bytes @sha of @name before: said
 * yes once, they are not left again (the record stands; "again"). */
static gboolean
said_yes_before(const Approving *a, const char *name, const char *sha)
{
	for (guint i = 0; a->approvals && i < a->approvals->len; i++) {
		const AttacheApproval *p = a->approvals->pdata[i];
		if (!g_str_equal(p->file, name) || !g_str_equal(p->sha256, sha))
			continue;
		g_autofree char *key = person_key(p->by);
		if (g_strcmp0(key, a->by_key) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Sets @r's reasons to @names (borrowed) and its severity. */
static void
set_reasons(AttacheApproveResult *r, GPtrArray *names)
{
	g_strfreev(r->reasons);
	r->reasons = g_new0(char *, names->len + 1);
	for (guint i = 0; i < names->len; i++)
		r->reasons[i] = g_strdup(names->pdata[i]);
	r->severity = attache__flags_severity(names);
}

/* Why the bytes of @r (output @name, hashed) are none attache prep made
 * as they are: changed since (blocking), or never recorded. */
static void
not_prepared(const AttacheManifest *m, const char *name,
	AttacheApproveResult *r)
{
	const AttacheRecord *latest = attache__manifest_latest(m, name);
	if (!latest) {
		result_fail(r, ATTACHE_E_APPROVAL,
			g_strdup_printf("%s: not an output recorded in %s; not approved",
				r->file, m->path));
		return;
	}
	g_autofree char *was = short_sha(latest->sha256);
	g_autofree char *now = short_sha(r->sha256);
	result_fail(r, ATTACHE_E_APPROVAL,
		g_strdup_printf("%s: changed since attache prep made it (SHA-256 "
						"%s…, the manifest says %s…); not approved: "
						"prepare it again and review it",
			r->file, now, was));
	g_autoptr(GPtrArray) why = g_ptr_array_new();
	g_ptr_array_add(why, (gpointer) "changed");
	set_reasons(r, why);
}

/* @r's bytes now, read once (bounded): their SHA-256, and whether the
 * audit finds anything forbidden in them (*@forbidden, the kinds, as
 * words; NULL when clean). FALSE when they cannot be read (@r failed). */
static gboolean
read_output(AttacheApproveResult *r, char **forbidden)
{
	g_autoptr(GError) e = NULL;
	g_autoptr(GBytes) bytes = NULL;
	*forbidden = NULL;
	if (attache__read_photo(r->file, 0, &bytes, &e)) {
		result_fail(r, ATTACHE_E_INPUT, g_strdup(e->message));
		return FALSE;
	}
	gsize n;
	const guchar *d = g_bytes_get_data(bytes, &n);
	r->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, d, n);
	AttacheAuditReport *audit = NULL;
	if (attache_audit_buffer(d, n, &audit, &e))
		*forbidden = g_strdup(e ? e->message : "cannot be audited");
	else if (audit->kinds & ATTACHE_KINDS_FORBIDDEN)
		*forbidden = attache_kinds_to_string(audit->kinds & ATTACHE_KINDS_FORBIDDEN);
	attache_audit_report_free(audit);
	return TRUE;
}

/* The labels of @r's reasons, "No alt text, Quality floor". (transfer
 * full) */
static char *
reason_labels(const AttacheApproveResult *r)
{
	GString *s = g_string_new(NULL);
	for (int i = 0; r->reasons && r->reasons[i]; i++) {
		const AttacheFlagInfo *f = attache__flag_info(r->reasons[i]);
		if (f->severity < ATTACHE_SEVERITY_NEEDS_YES)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? ", " : "",
			g_str_equal(f->name, r->reasons[i]) ? f->label : r->reasons[i]);
	}
	return g_string_free(s, FALSE);
}

/* Whether the recorded output @r (its line @rec) may be approved by its
 * flags: blocking never, a deliberate yes only when named or with
 * include_flagged (else it is left). */
static gboolean
judge_flags(const Approving *a, const char *name, const AttacheRecord *rec,
	const char *forbidden, AttacheApproveResult *r)
{
	const AttachePreset *preset = a->presets && rec->preset
									  ? attache_preset_set_lookup(a->presets, rec->preset, NULL)
									  : NULL;
	g_autoptr(GPtrArray) flags = g_ptr_array_new();
	attache__record_flags(rec, preset, NULL, FALSE, forbidden != NULL, flags);
	set_reasons(r, flags);
	if (r->severity == ATTACHE_SEVERITY_BLOCKING) {
		result_fail(r, ATTACHE_E_APPROVAL,
			g_strdup_printf("%s: not approved: the audit of its bytes now "
							"fails (%s): it must not be published",
				r->file, forbidden));
		return FALSE;
	}
	if (r->severity < ATTACHE_SEVERITY_NEEDS_YES || a->include_flagged || g_hash_table_contains(a->named, name)
		|| said_yes_before(a, name, r->sha256))
		return TRUE;
	g_autofree char *labels = reason_labels(r);
	g_autofree char *base = g_path_get_basename(name);
	r->left = TRUE;
	result_fail(r, ATTACHE_E_APPROVAL,
		g_strdup_printf("%s: left unapproved: it needs a deliberate yes (%s); "
						"approve it by name (--output %s) or with "
						"--include-flagged",
			r->file, labels, base));
	return FALSE;
}

/* Output @name's result, added to @res: its bytes now, who prepared
 * exactly those bytes and what its flags allow. Whether it may be
 * recorded (else @r has failed or is left). */
static gboolean
check_output(const Approving *a, const char *name, GPtrArray *res)
{
	const AttacheManifest *m = a->m;
	AttacheApproveResult *r = result_new(a->dir, name);
	g_ptr_array_add(res, r);
	g_autofree char *forbidden = NULL;
	if (!read_output(r, &forbidden))
		return FALSE;
	const char *own = attache__manifest_damaged_for(m, name, r->sha256);
	if (own) {
		result_fail(r, ATTACHE_E_APPROVAL,
			g_strdup_printf("%s: not approved: %s, so who prepared it "
							"cannot be established",
				r->file, own));
		return FALSE;
	}
	const AttacheRecord *match = NULL;
	g_autoptr(GPtrArray) preparers = g_ptr_array_new();
	g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint k = 0; k < m->lines->len; k++) {
		const AttacheRecord *rec = m->lines->pdata[k];
		if (g_str_equal(rec->file, name) && g_str_equal(rec->sha256, r->sha256)) {
			match = rec;
			add_name(preparers, keys, rec->prepared_by);
		}
	}
	if (!match) {
		not_prepared(m, name, r);
		return FALSE;
	}
	r->prepared_by = join_names(preparers);
	r->self = g_hash_table_contains(keys, a->by_key);
	return judge_flags(a, name, match, forbidden, r);
}

/* Adds @by's approval of each of @todo (results, the outputs' names in
 * @todo_names) to @list, but those it already holds (r->again). Whether
 * any was added. */
static gboolean
add_approvals(GPtrArray *list, const char *by, const char *by_key,
	GPtrArray *todo, GPtrArray *todo_names)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *at = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	gboolean added = FALSE;
	for (guint i = 0; i < todo->len; i++) {
		AttacheApproveResult *r = todo->pdata[i];
		const char *name = todo_names->pdata[i];
		for (guint k = 0; k < list->len && !r->again; k++) {
			const AttacheApproval *a = list->pdata[k];
			g_autofree char *key = person_key(a->by);
			r->again = g_str_equal(a->file, name) && g_str_equal(a->sha256, r->sha256) && g_str_equal(key, by_key);
		}
		if (r->again)
			continue;
		AttacheApproval *a = g_new0(AttacheApproval, 1);
		a->file = g_strdup(name);
		a->sha256 = g_strdup(r->sha256);
		a->by = attache__person_name(by);
		a->at = g_strdup(at);
		g_ptr_array_add(list, a);
		added = TRUE;
	}
	return added;
}

/* Read, add, write: approvals.json under the folder's lock. On failure
 * nothing was recorded, and every one of @todo fails. */
static AttacheCode
record_approvals(const char *dir, const char *by, const char *by_key,
	GPtrArray *todo, GPtrArray *todo_names, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(GPtrArray) list = NULL;
	AttacheCode code;
	int fd = lock_dir(dir, &local);
	if (fd < 0)
		code = ATTACHE_E_WRITE;
	else
		code = attache_approvals_load(dir, &list, &local);
	if (!code && add_approvals(list, by, by_key, todo, todo_names)) {
		g_autofree char *json = approvals_to_json(list);
		g_autofree char *path = g_build_filename(dir, APPROVALS_NAME, NULL);
		code = attache_write_atomic(path, json, strlen(json), &local);
	}
	if (fd >= 0)
		close(fd); /* releases the lock */
	if (!code)
		return ATTACHE_OK;
	for (guint i = 0; i < todo->len; i++) {
		AttacheApproveResult *r = todo->pdata[i];
		r->again = FALSE;
		result_fail(r, code, g_strdup_printf("%s: not approved: %s", r->file, local->message));
	}
	g_propagate_error(error, g_steal_pointer(&local));
	return code;
}

AttacheCode
attache_approve(const char *dir, const char *by, const char *const *files,
	GPtrArray **results, GError **error)
{
	AttacheApproveOptions opts = { .files = files };
	return attache_approve_with(dir, by, &opts, results, error);
}

AttacheCode
attache_approve_with(const char *dir, const char *by,
	const AttacheApproveOptions *opts, GPtrArray **results, GError **error)
{
	GPtrArray *res = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache_approve_result_free);
	g_autoptr(AttacheManifest) m = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) named = g_hash_table_new(g_str_hash, g_str_equal);
	AttacheApproveOptions none = { 0 };
	AttacheCode code, first = ATTACHE_OK;

	*results = res;
	if (!opts)
		opts = &none;
	if ((code = check_name(by, error)))
		return code;
	if ((code = open_folder(dir, &m, error)))
		return code;
	report_damaged(m, res);
	pick_outputs(m, opts->files, opts->named, names, named, res);

	/* the presets as the page reads them, for the alt-text limits */
	AttachePresetSet *presets = NULL;
	if (attache_preset_set_load(NULL, NULL, &presets, NULL))
		presets = NULL;
	g_autofree char *by_key = person_key(by);
	g_autoptr(GPtrArray) before = NULL;
	attache_approvals_load(dir, &before, NULL); /* damaged: refused later */
	Approving a = { m, dir, by_key, presets, named, opts->include_flagged, before };
	g_autoptr(GPtrArray) todo = g_ptr_array_new();
	g_autoptr(GPtrArray) todo_names = g_ptr_array_new();
	for (guint i = 0; i < names->len; i++)
		if (check_output(&a, names->pdata[i], res)) {
			g_ptr_array_add(todo, g_ptr_array_index(res, res->len - 1));
			g_ptr_array_add(todo_names, names->pdata[i]);
		}
	attache_preset_set_free(presets);
	if (todo->len && (code = record_approvals(dir, by, by_key, todo, todo_names, error)))
		return code;

	for (guint i = 0; i < res->len; i++) {
		AttacheApproveResult *r = res->pdata[i];
		if (r->code && !r->left && !first) {
			first = r->code;
			g_set_error_literal(error, ATTACHE_ERROR, first, r->error);
		}
	}
	if (res->len == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: no output to approve (the manifest lists none that is "
			"still there)",
			dir);
		return ATTACHE_E_INPUT;
	}
	return first;
}
