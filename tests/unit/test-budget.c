/* SPDX-License-Identifier: MIT */
/* Unit tests for budget.c, the memory budget of a batch (--max-memory;
 * issue 11, point 11): sizes, the refusal over the whole budget, a photo
 * that does not fit waiting for the others and then running alone, and
 * the estimate counting the decode that load.c really makes. */
#include "testutil.h"

static void
test_sizes(void)
{
	static const struct {
		const char *s;
		gint64 bytes;
	} good[] = {
		{ "1048576", 1048576 },
		{ "512M", (gint64)512 << 20 },
		{ "64MiB", (gint64)64 << 20 },
		{ "2G", (gint64)2 << 30 },
		{ "1.5K", 1536 },
		{ "100 mb", (gint64)100 << 20 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		gint64 v = 0;
		g_assert_true(attache_size_from_string(good[i].s, &v));
		g_assert_cmpint(v, ==, good[i].bytes);
	}
	static const char *const bad[] = { "", "lots", "-1M", "0", "12X", "nan",
		"inf", "1e40G" };
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		gint64 v = 0;
		g_assert_false(attache_size_from_string(bad[i], &v));
	}
}

static void
test_over_the_whole_budget(void)
{
	AttacheMemoryBudget *b = attache_memory_budget_new(64 << 20);
	g_auto(AttacheMemoryHold) hold = { NULL, 0 };
	g_autoptr(GError) e = NULL;
	g_assert_cmpint(attache__memory_take(b, "/in/big.png", (gint64)65 << 20,
						&hold, &e),
		==, ATTACHE_E_LIMIT);
	g_assert_error(e, ATTACHE_ERROR, ATTACHE_E_LIMIT);
	g_assert_nonnull(strstr(e->message, "/in/big.png"));
	g_assert_nonnull(strstr(e->message, "--max-memory"));
	g_assert_null(hold.budget);
	attache_memory_budget_unref(b);
}

typedef struct {
	AttacheMemoryBudget *b;
	gint64 need;
	gint started; /* set once the bytes are taken */
	gint release; /* set by the test: give them back */
} Taker;

static gpointer
taker(gpointer data)
{
	Taker *t = data;
	g_auto(AttacheMemoryHold) hold = { NULL, 0 };
	g_assert_cmpint(attache__memory_take(t->b, "p.jpg", t->need, &hold, NULL),
		==, ATTACHE_OK);
	g_atomic_int_set(&t->started, 1);
	while (!g_atomic_int_get(&t->release))
		g_usleep(1000);
	return NULL;
}

/* Waits up to a second for @t to start; whether it did. */
static gboolean
started(Taker *t)
{
	for (int i = 0; i < 1000 && !g_atomic_int_get(&t->started); i++)
		g_usleep(1000);
	return g_atomic_int_get(&t->started);
}

static void
test_waits_then_runs_alone(void)
{
	AttacheMemoryBudget *b = attache_memory_budget_new(100);
	Taker a = { b, 60, 0, 0 }, big = { b, 50, 0, 0 }, small = { b, 10, 0, 0 };
	GThread *ta = g_thread_new("a", taker, &a);
	g_assert_true(started(&a));
	/* 50 does not fit in the 40 free: it waits */
	GThread *tb = g_thread_new("big", taker, &big);
	g_usleep(100000);
	g_assert_false(g_atomic_int_get(&big.started));
	/* 10 would fit, but must not pass the photo waiting before it */
	GThread *ts = g_thread_new("small", taker, &small);
	g_usleep(100000);
	g_assert_false(g_atomic_int_get(&small.started));
	/* a done: big runs, alone */
	g_atomic_int_set(&a.release, 1);
	g_thread_join(ta);
	g_assert_true(started(&big));
	g_usleep(100000);
	g_assert_false(g_atomic_int_get(&small.started));
	/* big done: small runs */
	g_atomic_int_set(&big.release, 1);
	g_thread_join(tb);
	g_assert_true(started(&small));
	g_atomic_int_set(&small.release, 1);
	g_thread_join(ts);
	attache_memory_budget_unref(b);
}

/* The JPEG photos the estimate is checked on: the samples, and the phone
 * photos beside the checkout when they are there. */
static GPtrArray *
jpeg_photos(void)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *phone = g_build_filename(ATTACHE_SRCDIR, "..", "shared",
		"samples", "phone", NULL);
	g_autofree char *samples = g_build_filename(ATTACHE_SRCDIR, "samples",
		NULL);
	const char *dirs[] = { samples, phone };
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autoptr(GDir) d = g_dir_open(dirs[i], 0, NULL);
		const char *name;
		while (d && (name = g_dir_read_name(d)))
			if (g_str_has_suffix(name, ".jpg"))
				g_ptr_array_add(out, g_build_filename(dirs[i], name, NULL));
	}
	return out;
}

/* What the estimate counts for the decoder's output is what attache__load()
 * decodes: the same shrink-on-load factor (jpeg_shrink() in load.c), at
 * every scale. A different factor would be off by 4 times or more. */
static void
test_estimate_is_the_decode(void)
{
	static const double scales[] = { 1, 0.6, 0.5, 0.3, 0.13, 0.07, 0.01 };
	g_autoptr(GPtrArray) photos = jpeg_photos();
	guint shrunk = 0, checked = 0;
	g_assert_cmpuint(photos->len, >=, 3);
	for (guint i = 0; i < photos->len; i++) {
		g_autoptr(AttacheSource) src = NULL;
		g_autoptr(GError) e = NULL;
		if (attache__source_open(photos->pdata[i], 256 << 20,
				(gint64)100000000, &src, &e))
			continue; /* a damaged sample: refused before any decode */
		gint64 file = (gint64)g_bytes_get_size(src->bytes);
		for (guint k = 0; k < G_N_ELEMENTS(scales); k++) {
			VipsImage *im = NULL;
			if (attache__load(src, scales[k], &im, NULL))
				break; /* damaged pixels: refused whatever the scale */
			gint64 decoded = (gint64)im->Xsize * im->Ysize * im->Bands
							 * VIPS_IMAGE_SIZEOF_ELEMENT(im);
			g_test_message("%s at %g: %dx%d", (char *)photos->pdata[i],
				scales[k], im->Xsize, im->Ysize);
			/* libvips 8.14 rounds a shrunk side down, the estimate up:
			 * at most one row and one column more, never less */
			gint64 px = (gint64)im->Bands * VIPS_IMAGE_SIZEOF_ELEMENT(im);
			gint64 est = attache__decode_estimate(src, scales[k], 1) - file;
			g_assert_cmpint(est, >=, decoded);
			g_assert_cmpint(est, <=, (gint64)(im->Xsize + 1) * (im->Ysize + 1) * px);
			shrunk += im->Xsize < src->width;
			checked++;
			g_object_unref(im);
		}
	}
	/* the shrink factors were exercised, not only full decodes */
	g_assert_cmpuint(checked, >=, 15);
	g_assert_cmpuint(shrunk, >=, checked / 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/budget/estimate-is-the-decode",
		test_estimate_is_the_decode);
	g_test_add_func("/budget/sizes", test_sizes);
	g_test_add_func("/budget/over-the-whole-budget",
		test_over_the_whole_budget);
	g_test_add_func("/budget/waits-then-runs-alone",
		test_waits_then_runs_alone);
	return g_test_run();
}
