/* SPDX-License-Identifier: MIT */
/* test-batch.c: attache_prep_batch() through the public C API, as a
 * scheduler written in C would call it: a folder in, a sink that counts,
 * the manifest checked line by line. */
#include "attache.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define PHONE ATTACHE_SRCDIR "/../shared/samples/phone/"

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(path, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			rm_rf(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static void
copy_in(const char *dir, const char *sample)
{
	g_autofree char *from = g_strconcat(PHONE, sample, NULL);
	g_autofree char *to = g_build_filename(dir, sample, NULL);
	g_autofree char *data = NULL;
	gsize len;
	g_assert_true(g_file_get_contents(from, &data, &len, NULL));
	g_assert_true(g_file_set_contents(to, data, (gssize)len, NULL));
}

/* What the sink saw. */
typedef struct {
	int started, outputs_ok, outputs_failed, photos_ok, photos_failed;
	GPtrArray *files;	  /* paths of the outputs written */
	char *failed_message; /* the failed photo's message */
	const char *refuse;	  /* record: refuse this preset's outputs */
	GMutex lock;		  /* record runs on the workers */
	int recorded;
} Seen;

static void
on_started(int photos, gpointer data)
{
	((Seen *)data)->started = photos;
}

static void
on_output(const AttacheOutput *o, const AttacheUploadResult *r,
	gpointer data)
{
	Seen *s = data;
	g_assert_null(r); /* nothing to upload to */
	if (o->code == ATTACHE_OK) {
		s->outputs_ok++;
		g_ptr_array_add(s->files, g_strdup(o->output));
	}
	else
		s->outputs_failed++;
}

static void
on_done(const char *input, AttacheCode code, const char *message,
	gpointer data)
{
	Seen *s = data;
	if (code == ATTACHE_OK)
		s->photos_ok++;
	else {
		s->photos_failed++;
		g_free(s->failed_message);
		s->failed_message = g_strdup(message);
	}
}

static gboolean
on_record(const AttacheOutput *o, gpointer data, GError **error)
{
	Seen *s = data;
	g_mutex_lock(&s->lock);
	s->recorded++;
	g_mutex_unlock(&s->lock);
	if (s->refuse && g_str_equal(o->preset, s->refuse)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "the database is "
														   "away");
		return FALSE;
	}
	return TRUE;
}

/* The output paths and hashes OUT/attache-manifest.jsonl records; its
 * failure lines' inputs go to @failed (may be NULL). */
static GHashTable *
manifest_read(const char *out, GPtrArray *failed)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		g_free);
	g_autofree char *path = g_build_filename(out, "attache-manifest.jsonl",
		NULL);
	g_autofree char *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return t;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		if (!*lines[i])
			continue;
		g_autoptr(JsonParser) p = json_parser_new();
		g_assert_true(json_parser_load_from_data(p, lines[i], -1, NULL));
		JsonObject *o = json_node_get_object(json_parser_get_root(p));
		g_assert_cmpint(json_object_get_int_member(o, "attache_manifest"), ==,
			2);
		const char *kind = json_object_get_string_member(o, "kind");
		if (g_str_equal(kind, "failure")) {
			g_assert_false(json_object_has_member(o, "output"));
			if (failed)
				g_ptr_array_add(failed,
					g_strdup(json_object_get_string_member(o, "input")));
			continue;
		}
		g_assert_cmpstr(kind, ==, "output");
		g_hash_table_insert(t,
			g_strdup(json_object_get_string_member(o, "output")),
			g_strdup(json_object_get_string_member(o, "sha256")));
	}
	return t;
}

typedef struct {
	char *root, *in, *out;
	AttachePresetSet *presets;
	AttachePrepOptions *opts;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	f->root = g_dir_make_tmp("attache-batch-XXXXXX", NULL);
	f->in = g_build_filename(f->root, "in", NULL);
	f->out = g_build_filename(f->in, "out", NULL); /* inside the input folder */
	g_assert_cmpint(g_mkdir(f->in, 0700), ==, 0);
	copy_in(f->in, "htc-desire_gps_small.jpg");
	copy_in(f->in, "canon-powershot-a85_o8_thumb.jpg");
	/* a photo in name only: fails alone */
	g_autofree char *bad = g_build_filename(f->in, "broken.jpg", NULL);
	g_assert_true(g_file_set_contents(bad, "not a JPEG at all", -1, NULL));

	g_autofree char *presets = g_build_filename(f->root, "presets", NULL);
	g_assert_cmpint(attache_preset_set_load(NULL, presets, &f->presets,
						NULL),
		==, ATTACHE_OK);
	f->opts = attache_prep_options_new();
	g_free(f->opts->out_dir);
	f->opts->out_dir = g_strdup(f->out);
	f->opts->prepared_by = g_strdup("tester");
	const char *names[] = { "x-landscape", "bluesky" };
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		attache_prep_options_add_preset(f->opts,
			attache_preset_set_lookup(f->presets, names[i], NULL));
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	attache_prep_options_free(f->opts);
	attache_preset_set_free(f->presets);
	rm_rf(f->root);
	g_free(f->root);
	g_free(f->in);
	g_free(f->out);
}

/* Two photos and a broken one: 4 outputs, each in the manifest with its
 * bytes' hash; the broken photo fails alone; a second run does not take
 * the first run's outputs (inside the input folder) for photos. */
static void
test_folder(Fixture *f, gconstpointer data)
{
	AttacheBatchSink sink = { 0 };
	sink.started = on_started;
	sink.output = on_output;
	sink.photo_done = on_done;
	Seen s = { 0 };
	s.files = g_ptr_array_new_with_free_func(g_free);
	const char *inputs[] = { f->in, NULL };
	AttacheBatchSummary sum;
	GError *e = NULL;

	g_assert_cmpint(attache_prep_batch(f->opts, NULL, inputs, &sink, &s,
						&sum, &e),
		==, ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_cmpint(s.started, ==, 3);
	g_assert_cmpint(s.photos_ok, ==, 2);
	g_assert_cmpint(s.photos_failed, ==, 1);
	g_assert_nonnull(strstr(s.failed_message, "broken.jpg"));
	g_assert_cmpint(s.outputs_ok, ==, 4);
	g_assert_cmpint(s.outputs_failed, ==, 2);
	g_assert_cmpint(sum.photos, ==, 3);
	g_assert_cmpint(sum.failed, ==, 1);
	g_assert_cmpint(sum.outputs, ==, 4);

	g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) m = manifest_read(f->out, failed);
	g_assert_cmpuint(g_hash_table_size(m), ==, 4);
	/* and the photo that failed, once */
	g_assert_cmpuint(failed->len, ==, 1);
	g_assert_true(g_str_has_suffix(failed->pdata[0], "/broken.jpg"));
	for (guint i = 0; i < s.files->len; i++) {
		const char *file = s.files->pdata[i];
		g_autofree char *sha = attache_file_sha256(file, NULL);
		g_assert_cmpstr(g_hash_table_lookup(m, file), ==, sha);
	}

	/* again: the same three photos, not the outputs beside them */
	g_assert_cmpint(attache_prep_batch(f->opts, NULL, inputs, NULL, NULL,
						&sum, &e),
		==, ATTACHE_OK);
	g_assert_cmpint(sum.photos, ==, 3);
	g_assert_cmpint(sum.outputs, ==, 4);
	g_ptr_array_unref(s.files);
	g_free(s.failed_message);
}

/* A sink that records elsewhere: the manifest is not written, and an
 * output the sink cannot record is deleted and fails its photo. */
static void
test_record_refused(Fixture *f, gconstpointer data)
{
	AttacheBatchSink sink = { 0 };
	sink.record = on_record;
	sink.output = on_output;
	sink.photo_done = on_done;
	Seen s = { 0 };
	g_mutex_init(&s.lock);
	s.files = g_ptr_array_new_with_free_func(g_free);
	s.refuse = "bluesky";
	g_autofree char *photo = g_build_filename(f->in,
		"htc-desire_gps_small.jpg", NULL);
	const char *inputs[] = { photo, NULL };
	AttacheBatchOptions *b = attache_batch_options_new();
	b->jobs = 1;
	AttacheBatchSummary sum;

	g_assert_cmpint(attache_prep_batch(f->opts, b, inputs, &sink, &s, &sum,
						NULL),
		==, ATTACHE_OK);
	g_assert_cmpint(s.recorded, ==, 2);
	g_assert_cmpint(s.outputs_ok, ==, 1);
	g_assert_cmpint(sum.failed, ==, 1);
	g_assert_nonnull(strstr(s.failed_message, "could not be recorded"));
	g_assert_nonnull(strstr(s.failed_message, "the database is away"));
	g_autofree char *gone = g_build_filename(f->out,
		"htc-desire_gps_small.bluesky.jpg", NULL);
	g_assert_false(g_file_test(gone, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(s.files->pdata[0], G_FILE_TEST_EXISTS));
	g_autoptr(GHashTable) m = manifest_read(f->out, NULL);
	g_assert_cmpuint(g_hash_table_size(m), ==, 0);
	attache_batch_options_free(b);
	g_ptr_array_unref(s.files);
	g_free(s.failed_message);
	g_mutex_clear(&s.lock);
}

/* dry_run: each output the run would write is reported with its path,
 * the broken photo fails as it would, and nothing is written or recorded:
 * no output folder, record never called. */
static void
test_dry_run(Fixture *f, gconstpointer data)
{
	AttacheBatchSink sink = { 0 };
	sink.record = on_record;
	sink.output = on_output;
	sink.photo_done = on_done;
	Seen s = { 0 };
	g_mutex_init(&s.lock);
	s.files = g_ptr_array_new_with_free_func(g_free);
	const char *inputs[] = { f->in, NULL };
	AttacheBatchOptions *b = attache_batch_options_new();
	b->dry_run = TRUE;
	AttacheBatchSummary sum;

	g_assert_cmpint(attache_prep_batch(f->opts, b, inputs, &sink, &s, &sum,
						NULL),
		==, ATTACHE_OK);
	g_assert_cmpint(sum.outputs, ==, 4);
	g_assert_cmpint(sum.failed, ==, 1);
	g_assert_cmpint(s.recorded, ==, 0);
	g_assert_false(g_file_test(f->out, G_FILE_TEST_EXISTS));
	g_autofree char *want = g_build_filename(f->out,
		"htc-desire_gps_small.bluesky.jpg", NULL);
	gboolean named = FALSE;
	for (guint i = 0; i < s.files->len; i++)
		named |= g_str_equal(s.files->pdata[i], want);
	g_assert_true(named);
	g_assert_nonnull(strstr(s.failed_message, "broken.jpg"));
	attache_batch_options_free(b);
	g_ptr_array_unref(s.files);
	g_free(s.failed_message);
	g_mutex_clear(&s.lock);
}

/* Errors of the batch as a whole are returned, not reported per photo. */
static void
test_batch_errors(Fixture *f, gconstpointer data)
{
	g_autofree char *empty = g_build_filename(f->root, "empty", NULL);
	g_assert_cmpint(g_mkdir(empty, 0700), ==, 0);
	const char *inputs[] = { empty, NULL };
	GError *e = NULL;
	g_assert_cmpint(attache_prep_batch(f->opts, NULL, inputs, NULL, NULL,
						NULL, &e),
		==, ATTACHE_E_INPUT);
	g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_INPUT);
	g_clear_error(&e);

	AttacheBatchOptions *b = attache_batch_options_new();
	b->upload = g_strdup("myspace");
	const char *in2[] = { f->in, NULL };
	g_assert_cmpint(attache_prep_batch(f->opts, b, in2, NULL, NULL, NULL,
						&e),
		==, ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(e->message, "myspace"));
	g_clear_error(&e);
	attache_batch_options_free(b);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(attache_init(argv[0], NULL), ==, ATTACHE_OK);
	if (!g_file_test(PHONE, G_FILE_TEST_IS_DIR)) {
		g_test_skip("../shared/samples/phone is absent");
		return g_test_run();
	}
	g_test_add("/batch/folder", Fixture, NULL, fixture_set_up, test_folder,
		fixture_tear_down);
	g_test_add("/batch/record-refused", Fixture, NULL, fixture_set_up,
		test_record_refused, fixture_tear_down);
	g_test_add("/batch/errors", Fixture, NULL, fixture_set_up,
		test_batch_errors, fixture_tear_down);
	g_test_add("/batch/dry-run", Fixture, NULL, fixture_set_up,
		test_dry_run, fixture_tear_down);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
