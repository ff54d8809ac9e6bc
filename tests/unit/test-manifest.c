/* SPDX-License-Identifier: MIT */
/* Unit tests for manifest.c's writers and its version rule (docs/json.md):
 * what a C caller and the approval gate rely on. Lines are read back with
 * json-glib, and through attache__manifest_load() as review and approve
 * read them. */
#include "testutil.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#define NAME "attache-manifest.jsonl"

static char *
tmpdir(void)
{
	char *d = g_dir_make_tmp("attache-manifest-XXXXXX", NULL);
	g_assert_nonnull(d);
	return d;
}

static void
rm_rf(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		g_unlink(p);
	}
	g_rmdir(dir);
}

/* The lines of DIR/attache-manifest.jsonl as JSON objects. */
static GPtrArray *
read_lines(const char *dir)
{
	g_autofree char *p = g_build_filename(dir, NAME, NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
	g_auto(GStrv) rows = g_strsplit(text, "\n", -1);
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	for (int i = 0; rows[i]; i++) {
		if (!*rows[i])
			continue;
		g_autoptr(JsonParser) jp = json_parser_new();
		g_assert_true(json_parser_load_from_data(jp, rows[i], -1, NULL));
		g_ptr_array_add(out, json_node_copy(json_parser_get_root(jp)));
	}
	return out;
}

static JsonObject *
obj(GPtrArray *lines, guint i)
{
	return json_node_get_object(lines->pdata[i]);
}

/* An output of photo in/a.jpg, written at DIR/NAME with real bytes. */
static AttacheOutput *
output(const char *dir, const char *name)
{
	AttacheOutput *o = g_new0(AttacheOutput, 1);
	o->input = g_strdup("in/a.jpg");
	o->preset = g_strdup("x-landscape");
	o->output = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(o->output, name, -1, NULL));
	o->sha256 = attache_file_sha256(o->output, NULL);
	o->format = ATTACHE_FORMAT_JPEG;
	o->width = 1600;
	o->height = 900;
	o->bytes = (gint64)strlen(name);
	o->max_bytes = 5000000;
	o->quality = 85;
	o->prepared_by = g_strdup("alice");
	o->code = ATTACHE_OK;
	return o;
}

static void
test_output_line(void)
{
	g_autofree char *dir = tmpdir();
	AttacheOutput *o = output(dir, "a.x-landscape.jpg");
	g_autoptr(GError) e = NULL;
	g_assert_true(attache__manifest_append_output(dir, o, &e));
	g_assert_no_error(e);

	g_autoptr(GPtrArray) lines = read_lines(dir);
	g_assert_cmpuint(lines->len, ==, 1);
	JsonObject *l = obj(lines, 0);
	/* the version and kind come first, so a reader sees them at once */
	g_autoptr(GList) names = json_object_get_members(l);
	g_assert_cmpstr(names->data, ==, "attache_manifest");
	g_assert_cmpstr(names->next->data, ==, "kind");
	g_assert_cmpint(json_object_get_int_member(l, "attache_manifest"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(l, "kind"), ==, "output");
	g_assert_cmpstr(json_object_get_string_member(l, "sha256"), ==, o->sha256);
	g_assert_cmpstr(json_object_get_string_member(l, "prepared_by"), ==, "alice");
	g_assert_cmpstr(json_object_get_string_member(l, "audit"), ==, "clean");

	/* read back as review and approve read it */
	g_autoptr(AttacheManifest) m = NULL;
	g_assert_cmpint(attache__manifest_load(dir, &m, NULL), ==, ATTACHE_OK);
	g_assert_cmpuint(m->lines->len, ==, 1);
	g_assert_cmpuint(m->damaged->len, ==, 0);
	const AttacheRecord *r = attache__manifest_latest(m, "a.x-landscape.jpg");
	g_assert_nonnull(r);
	g_assert_cmpstr(r->prepared_by, ==, "alice");
	g_assert_cmpint(r->width, ==, 1600);
	attache_output_free(o);
	rm_rf(dir);
}

static void
test_failure_line(void)
{
	g_autofree char *dir = tmpdir();
	g_autoptr(GError) e = NULL;
	g_assert_true(attache__manifest_append_failure(dir, "in/notes.jpg", ATTACHE_E_UNSUPPORTED,
		"in/notes.jpg: not a photo attache can read", "alice", &e));
	g_assert_no_error(e);
	/* no preparer known: null, not a missing member */
	g_assert_true(attache__manifest_append_failure(dir, "in/b.jpg", ATTACHE_E_INPUT, "in/b.jpg: truncated",
		NULL, &e));

	g_autoptr(GPtrArray) lines = read_lines(dir);
	g_assert_cmpuint(lines->len, ==, 2);
	JsonObject *l = obj(lines, 0);
	g_assert_cmpint(json_object_get_int_member(l, "attache_manifest"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(l, "kind"), ==, "failure");
	g_assert_cmpstr(json_object_get_string_member(l, "input"), ==, "in/notes.jpg");
	g_assert_cmpstr(json_object_get_string_member(l, "code"), ==, "unsupported");
	g_assert_cmpstr(json_object_get_string_member(l, "error"), ==, "in/notes.jpg: not a photo attache can read");
	g_assert_cmpstr(json_object_get_string_member(l, "prepared_by"), ==, "alice");
	g_autoptr(GDateTime) at = g_date_time_new_from_iso8601(json_object_get_string_member(l, "prepared_at"), NULL);
	g_assert_nonnull(at);
	g_assert_false(json_object_has_member(l, "output"));
	g_assert_true(json_object_get_null_member(obj(lines, 1), "prepared_by"));
	g_assert_cmpstr(json_object_get_string_member(obj(lines, 1), "code"), ==, "input");

	/* where outputs are expected, failure lines are not outputs and not
	 * damage: the gate must not refuse the folder for them */
	g_autoptr(AttacheManifest) m = NULL;
	g_assert_cmpint(attache__manifest_load(dir, &m, NULL), ==, ATTACHE_OK);
	g_assert_true(m->exists);
	g_assert_cmpuint(m->lines->len, ==, 0);
	g_assert_cmpuint(m->damaged->len, ==, 0);
	rm_rf(dir);
}

static void
test_failure_not_through_a_link(void)
{
	g_autofree char *dir = tmpdir();
	g_autofree char *victim = g_build_filename(dir, "victim", NULL);
	g_autofree char *link = g_build_filename(dir, NAME, NULL);
	g_assert_true(g_file_set_contents(victim, "keep\n", -1, NULL));
	g_assert_cmpint(symlink("victim", link), ==, 0);
	g_autoptr(GError) e = NULL;
	g_assert_false(attache__manifest_append_failure(dir, "a.jpg", ATTACHE_E_INPUT, "a.jpg: bad", "alice", &e));
	g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_WRITE);
	g_assert_nonnull(strstr(e->message, link));
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(victim, &text, NULL, NULL));
	g_assert_cmpstr(text, ==, "keep\n");
	rm_rf(dir);
}

/* Version 1 lines (no attache_manifest), version 2 of both kinds and a
 * version from the future, in one folder. */
static void
test_versions(void)
{
	g_autofree char *dir = tmpdir();
	AttacheOutput *o1 = output(dir, "old.jpg");
	AttacheOutput *o2 = output(dir, "new.jpg");
	AttacheOutput *o3 = output(dir, "future.jpg");
	/* a version 1 line as attache wrote it before version 2 */
	g_autofree char *v1 = g_strdup_printf("{\"input\":\"in/old.jpg\",\"preset\":\"x-landscape\","
										  "\"output\":\"%s\",\"width\":1600,\"height\":900,\"sha256\":\"%s\","
										  "\"prepared_by\":\"carol\",\"audit\":\"clean\",\"error\":null}\n",
		o1->output, o1->sha256);
	g_autofree char *v3 = g_strdup_printf("{\"attache_manifest\":3,\"kind\":\"output\",\"output\":\"%s\","
										  "\"sha256\":\"%s\",\"prepared_by\":\"mallory\"}",
		o3->output, o3->sha256);
	g_autofree char *path = g_build_filename(dir, NAME, NULL);
	g_assert_true(g_file_set_contents(path, v1, -1, NULL));
	/* appended to as version 2 */
	g_assert_true(attache__manifest_append_output(dir, o2, NULL));
	g_assert_true(attache__manifest_append_failure(dir, "in/x.jpg", ATTACHE_E_INPUT, "in/x.jpg: bad", "alice", NULL));
	g_assert_true(attache__append_line_beneath(dir, NAME, v3, NULL));
	g_assert_true(attache__append_line_beneath(dir, NAME, "{\"attache_manifest\":2,\"kind\":\"album\"}", NULL));
	g_assert_true(attache__append_line_beneath(dir, NAME, "{\"attache_manifest\":\"2\",\"kind\":\"output\"}", NULL));

	g_autoptr(AttacheManifest) m = NULL;
	g_assert_cmpint(attache__manifest_load(dir, &m, NULL), ==, ATTACHE_OK);
	g_assert_cmpuint(m->lines->len, ==, 2);
	const AttacheRecord *r1 = attache__manifest_latest(m, "old.jpg");
	const AttacheRecord *r2 = attache__manifest_latest(m, "new.jpg");
	g_assert_nonnull(r1);
	g_assert_nonnull(r2);
	g_assert_cmpstr(r1->prepared_by, ==, "carol");
	g_assert_cmpint(r1->line, ==, 1);
	g_assert_cmpint(r2->line, ==, 2);
	g_assert_null(attache__manifest_latest(m, "future.jpg"));
	/* a newer version is refused with its line number and what it is, and
	 * counts as the future output's own damage (the gate refuses it) */
	g_assert_cmpuint(m->damaged->len, ==, 3);
	g_autofree char *want = g_strdup_printf("%s line 4 is damaged: written by a newer attache "
											"(\"attache_manifest\": 3; this one reads up to version 2)",
		path);
	g_assert_cmpstr(m->damaged->pdata[0], ==, want);
	g_assert_cmpstr(attache__manifest_damaged_for(m, "future.jpg", o3->sha256), ==, want);
	g_assert_null(attache__manifest_damaged_for(m, "old.jpg", o1->sha256));
	g_assert_nonnull(strstr(m->damaged->pdata[1], "line 5 is damaged: no known \"kind\""));
	g_assert_nonnull(strstr(m->damaged->pdata[2], "line 6 is damaged: \"attache_manifest\" is not a version"));
	attache_output_free(o1);
	attache_output_free(o2);
	attache_output_free(o3);
	rm_rf(dir);
}

/* An output's faces (docs/json.md) round the manifest: written with
 * in_output, read back as review reads them; a hand-edited line's faces
 * outside the photo, not numbers, or not objects are skipped, and null
 * faces read as not looked for. */
static void
test_faces_round_trip(void)
{
	g_autofree char *dir = tmpdir();
	AttacheOutput *o = output(dir, "f.jpg");
	o->faces = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	AttacheRegion in = { ATTACHE_REGION_FACE, 0.25, 0.2, 0.125, 0.25, 0.75, NULL, FALSE, TRUE, 400, 180, 200, 225 };
	AttacheRegion out = { ATTACHE_REGION_FACE, 0.875, 0.5, 0.1, 0.1, 0.5, NULL, FALSE, FALSE, 0, 0, 0, 0 };
	g_ptr_array_add(o->faces, attache_region_copy(&in));
	g_ptr_array_add(o->faces, attache_region_copy(&out));
	g_assert_true(attache__manifest_append_output(dir, o, NULL));
	AttacheOutput *o2 = output(dir, "g.jpg");
	g_autofree char *bad = g_strdup_printf("{\"attache_manifest\":2,\"kind\":\"output\",\"output\":\"%s\","
										   "\"sha256\":\"%s\",\"faces\":[{\"x\":2,\"y\":0,\"w\":0.1,\"h\":0.1},"
										   "{\"x\":\"0.1\",\"y\":0,\"w\":0.1,\"h\":0.1},7,{\"x\":0.5,\"y\":0.5,"
										   "\"w\":0.9,\"h\":0.2,\"score\":9,\"in_output\":{\"x\":-1}}],\"error\":null}",
		o2->output, o2->sha256);
	g_assert_true(attache__append_line_beneath(dir, NAME, bad, NULL));
	AttacheOutput *o3 = output(dir, "h.jpg");
	g_assert_true(attache__manifest_append_output(dir, o3, NULL));

	g_autoptr(AttacheManifest) m = NULL;
	g_assert_cmpint(attache__manifest_load(dir, &m, NULL), ==, ATTACHE_OK);
	const AttacheRecord *r = attache__manifest_latest(m, "f.jpg");
	g_assert_nonnull(r);
	g_assert_nonnull(r->faces);
	g_assert_cmpuint(r->faces->len, ==, 2);
	const AttacheRegion *a = r->faces->pdata[0], *b = r->faces->pdata[1];
	g_assert_cmpfloat(a->x, ==, 0.25);
	g_assert_cmpfloat(a->h, ==, 0.25);
	g_assert_cmpfloat(a->score, ==, 0.75);
	g_assert_true(a->in_output);
	g_assert_cmpfloat(a->ox, ==, 400);
	g_assert_cmpfloat(a->oh, ==, 225);
	g_assert_false(b->in_output);
	/* the hand-edited line: only the last face stays, clipped to the
	 * photo, its score to 1, its bad in_output dropped */
	const AttacheRecord *g = attache__manifest_latest(m, "g.jpg");
	g_assert_nonnull(g);
	g_assert_cmpuint(g->faces->len, ==, 1);
	const AttacheRegion *c = g->faces->pdata[0];
	g_assert_cmpfloat(c->w, ==, 0.5);
	g_assert_cmpfloat(c->score, ==, 1);
	g_assert_false(c->in_output);
	/* no faces member (NULL in the output): not looked for */
	g_assert_null(attache__manifest_latest(m, "h.jpg")->faces);
	attache_output_free(o);
	attache_output_free(o2);
	attache_output_free(o3);
	rm_rf(dir);
}

/* A journal's stored output object made into a line: the caller's own
 * members left out, the output path set, the journal's object untouched. */
static void
test_line_from_fields(void)
{
	g_autofree char *dir = tmpdir();
	AttacheOutput *o = output(dir, "a.jpg");
	JsonNode *n = attache__output_to_node(o, TRUE);
	JsonObject *f = json_node_get_object(n);
	json_object_set_string_member(f, "output", "a.jpg");
	json_object_set_string_member(f, "platform", "x");
	static const char *const skip[] = { "platform", NULL };
	g_autofree char *line = attache__manifest_line_from_fields(f, "OUT/STEM/a.jpg", skip);

	g_autoptr(JsonParser) jp = json_parser_new();
	g_assert_true(json_parser_load_from_data(jp, line, -1, NULL));
	JsonObject *l = json_node_get_object(json_parser_get_root(jp));
	g_assert_cmpint(json_object_get_int_member(l, "attache_manifest"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(l, "kind"), ==, "output");
	g_assert_cmpstr(json_object_get_string_member(l, "output"), ==, "OUT/STEM/a.jpg");
	g_assert_false(json_object_has_member(l, "platform"));
	g_assert_cmpstr(json_object_get_string_member(l, "sha256"), ==, o->sha256);
	/* every other member is the stored one */
	g_assert_cmpuint(json_object_get_size(l), ==, json_object_get_size(f) - 1 + 2);
	g_assert_cmpstr(json_object_get_string_member(f, "output"), ==, "a.jpg");
	g_assert_false(json_object_has_member(f, "kind"));
	json_node_unref(n);
	attache_output_free(o);
	rm_rf(dir);
}

/* The names in backticks in the first cell of each row of the table under
 * @heading in docs/json.md. (transfer full) */
static GHashTable *
doc_members(const char *heading)
{
	g_autofree char *path = g_build_filename(ATTACHE_SRCDIR, "docs", "json.md", NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	const char *at = strstr(text, heading);
	g_assert_nonnull(at);
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) rows = g_strsplit(at, "\n", -1);
	gboolean in_table = FALSE;
	for (int i = 1; rows[i] && rows[i][0] != '#'; i++) {
		if (!g_str_has_prefix(rows[i], "| `")) {
			if (in_table && rows[i][0] != '|')
				break;
			continue;
		}
		in_table = TRUE;
		g_auto(GStrv) cells = g_strsplit(rows[i], "|", 3);
		g_auto(GStrv) ticks = g_strsplit(cells[1], "`", -1);
		for (int k = 1; ticks[k]; k += 2)
			g_hash_table_add(names, g_strdup(ticks[k]));
	}
	g_assert_cmpuint(g_hash_table_size(names), >, 0);
	return names;
}

/* docs/json.md names every member of a real failure line, and no other
 * (input_bytes: a name that is not UTF-8). */
static void
test_failure_line_documented(void)
{
	g_autofree char *dir = tmpdir();
	/* the hot folder's members too (watch-photo.c) */
	JsonObject *extra = json_object_new();
	const char *hot[] = { "original", "error_file", "reason", "id" };
	for (guint i = 0; i < G_N_ELEMENTS(hot); i++)
		json_object_set_string_member(extra, hot[i], "x");
	g_autofree char *line = attache__manifest_failure_line_with("in/\xff.jpg", ATTACHE_E_INPUT, "bad", "alice", extra);
	json_object_unref(extra);
	g_assert_true(attache__append_line_beneath(dir, "attache-manifest.jsonl", line, NULL));
	g_autoptr(GPtrArray) lines = read_lines(dir);
	g_assert_cmpuint(lines->len, ==, 1);
	JsonObject *l = obj(lines, 0);
	g_autoptr(GHashTable) doc = doc_members("### Failure lines");
	g_autoptr(GList) names = json_object_get_members(l);
	for (GList *n = names; n; n = n->next) {
		if (!g_hash_table_contains(doc, n->data))
			g_error("docs/json.md does not name the failure line's \"%s\"", (char *)n->data);
		g_hash_table_remove(doc, n->data);
	}
	if (g_hash_table_size(doc)) {
		g_autoptr(GList) left = g_hash_table_get_keys(doc);
		g_error("docs/json.md names \"%s\", which no failure line has", (char *)left->data);
	}
	rm_rf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(attache_init(argv[0], NULL), ==, ATTACHE_OK);
	g_test_add_func("/manifest/output-line", test_output_line);
	g_test_add_func("/manifest/failure-line", test_failure_line);
	g_test_add_func("/manifest/failure-not-through-a-link", test_failure_not_through_a_link);
	g_test_add_func("/manifest/failure-line-documented", test_failure_line_documented);
	g_test_add_func("/manifest/versions", test_versions);
	g_test_add_func("/manifest/line-from-fields", test_line_from_fields);
	g_test_add_func("/manifest/faces", test_faces_round_trip);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
