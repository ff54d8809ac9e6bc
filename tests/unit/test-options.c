/* SPDX-License-Identifier: MIT */
/* test-options.c: the option table and attache_prep_options_set(), as a
 * scheduler written in C uses them instead of `attache prep`'s flags. */
#include <attache.h>
#include <string.h>

static void
assert_says(GError **e, const char *start)
{
	g_assert_nonnull(*e);
	if (!g_str_has_prefix((*e)->message, start))
		g_error("\"%s\" does not start with \"%s\"", (*e)->message, start);
	g_clear_error(e);
}

/* Values land in the options' fields; bad ones are refused, named the
 * way the caller named the setting. */
static void
test_set_values(void)
{
	AttachePrepOptions *o = attache_prep_options_new();
	GError *e = NULL;
	g_assert_cmpint(attache_prep_options_set(o, "fit", "contain", &e), ==,
		ATTACHE_OK);
	g_assert_cmpint(o->fit, ==, ATTACHE_FIT_CONTAIN);
	g_assert_cmpint(attache_prep_options_set(o, "focus", "0.25,0.75", &e), ==,
		ATTACHE_OK);
	g_assert_true(o->have_focus);
	g_assert_cmpfloat(o->focus_y, ==, 0.75);
	g_assert_cmpint(attache_prep_options_set(o, "max-pixels", "40MP", &e), ==,
		ATTACHE_OK);
	g_assert_cmpint(o->max_pixels, ==, 40000000);
	g_assert_cmpint(attache_prep_options_set(o, "keep", "camera,datetime",
						&e),
		==, ATTACHE_OK);
	g_assert_cmpuint(o->keep, ==, ATTACHE_KEEP_CAMERA | ATTACHE_KEEP_DATETIME);
	g_assert_cmpint(attache_prep_options_set(o, "max-memory", "64M", &e), ==,
		ATTACHE_OK);
	g_assert_cmpint(attache_memory_budget_total(o->memory), ==, 64 << 20);
	g_assert_cmpint(attache_prep_options_set(o, "alt", "  A well. ", &e), ==,
		ATTACHE_OK);
	g_assert_cmpstr(o->alt_text, ==, "A well.");
	/* one photo's masks, as the desk sets them: boxes add up, the faces
	 * left unmasked are replaced (bit N-1 for face N) */
	g_assert_cmpint(attache_prep_options_set(o, "mask", "0.1,0.1,0.2,0.2 0.5,0.5,0.9,0.1", &e), ==, ATTACHE_OK);
	g_assert_cmpint(attache_prep_options_set(o, "mask", "0.7,0,0.1,0.1", &e), ==, ATTACHE_OK);
	g_assert_cmpuint(o->masks->len, ==, 3);
	g_assert_cmpfloat_with_epsilon(((AttacheRegion *)o->masks->pdata[1])->w, 0.5, 1e-9); /* clipped */
	g_assert_cmpint(attache_prep_options_set(o, "unmask", "1,3", &e), ==, ATTACHE_OK);
	g_assert_cmpuint(o->unmask, ==, 5);
	g_assert_cmpint(attache_prep_options_set(o, "unmask", "2", &e), ==, ATTACHE_OK);
	g_assert_cmpuint(o->unmask, ==, 2);
	g_assert_no_error(e);
	attache_prep_options_set(o, "unmask", "0", &e);
	assert_says(&e, "unmask: \"0\": expected face numbers");
	g_assert_cmpuint(o->unmask, ==, 2); /* unchanged */
	attache_prep_options_set(o, "mask", "1.2,0,0.1,0.1", &e);
	assert_says(&e, "mask: ");
	g_assert_cmpuint(o->masks->len, ==, 3);

	g_assert_cmpint(attache_prep_options_set(o, "fit", "stretch", &e), ==,
		ATTACHE_E_USAGE);
	assert_says(&e, "fit: \"stretch\": expected cover, contain or inside");
	g_assert_cmpint(o->fit, ==, ATTACHE_FIT_CONTAIN); /* unchanged */
	attache_prep_options_set(o, "--fit", "stretch", &e);
	assert_says(&e, "--fit: \"stretch\": expected cover");
	attache_prep_options_set(o, "lang", "e", &e);
	assert_says(&e, "lang: \"e\": expected a language tag");
	attache_prep_options_set(o, "require-alt", "maybe", &e);
	assert_says(&e, "require-alt: \"maybe\": expected true or false");
	/* not a setting of the options: the batch's, or none at all */
	attache_prep_options_set(o, "jobs", "4", &e);
	assert_says(&e, "jobs: not a setting");
	attache_prep_options_set(o, "colour", "#fff", &e);
	assert_says(&e, "colour: not a setting");
	attache_prep_options_free(o);
}

/* presets by name, old spelling too; an unknown one is refused. */
static void
test_presets_and_alias(void)
{
	AttachePrepOptions *o = attache_prep_options_new();
	GError *e = NULL;
	g_assert_cmpint(attache_prep_options_set(o, "preset",
						"x-square, bluesky,x-square", &e),
		==, ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_cmpuint(o->presets->len, ==, 2);
	g_assert_cmpstr(((AttachePreset *)o->presets->pdata[1])->name, ==,
		"bluesky");
	attache_prep_options_set(o, "presets", "x-square,nope", &e);
	g_assert_nonnull(e);
	g_assert_nonnull(strstr(e->message, "nope"));
	g_assert_true(g_str_has_prefix(e->message, "presets: "));
	g_clear_error(&e);
	attache_prep_options_free(o);

	/* the table: the alias is the command line's, never attache.ini's */
	const AttacheOption *p = attache_option_find("preset",
		ATTACHE_SCOPE_PREP);
	g_assert_nonnull(p);
	g_assert_cmpstr(p->name, ==, "presets");
	g_assert_cmpint(p->short_name, ==, 'p');
	g_assert_null(attache_option_find("preset", ATTACHE_SCOPE_INI));
	g_assert_nonnull(attache_option_find("presets", ATTACHE_SCOPE_INI));
	const AttacheOption *l = attache_option_find("langs",
		ATTACHE_SCOPE_REVIEW);
	g_assert_nonnull(l);
	g_assert_cmpstr(l->name, ==, "lang");
	g_assert_cmpint(l->type, ==, ATTACHE_VALUE_LANGS);
	/* --max-memory is the operator's: not an attache.ini key */
	g_assert_null(attache_option_find("max-memory", ATTACHE_SCOPE_INI));
}

/* finish: the checks across settings, and the defaults. */
static void
test_finish(void)
{
	GError *e = NULL;
	AttachePrepOptions *o = attache_prep_options_new();
	attache_prep_options_set(o, "--crop", "focus", &e);
	g_assert_no_error(e);
	g_assert_cmpint(attache_prep_options_finish(o, &e), ==, ATTACHE_E_USAGE);
	assert_says(&e, "--crop focus needs --focus X,Y");
	attache_prep_options_free(o);

	o = attache_prep_options_new();
	attache_prep_options_set(o, "crop", "focus", &e);
	attache_prep_options_finish(o, &e);
	assert_says(&e, "crop = focus needs focus = X,Y");
	attache_prep_options_free(o);

	o = attache_prep_options_new();
	g_assert_cmpint(attache_prep_options_finish(o, &e), ==, ATTACHE_OK);
	g_assert_no_error(e);
	g_assert_cmpuint(o->presets->len, ==, 1);
	g_assert_cmpstr(((AttachePreset *)o->presets->pdata[0])->name, ==,
		"x-landscape");
	g_assert_cmpstr(o->prepared_by, ==, g_get_user_name());
	attache_prep_options_free(o);

	/* a campaign's language against --lang */
	g_autofree char *demo = g_build_filename(ATTACHE_SRCDIR, "campaigns",
		"demo.ini", NULL);
	o = attache_prep_options_new();
	g_assert_cmpint(attache_prep_options_set(o, "campaign", demo, &e), ==,
		ATTACHE_OK);
	g_assert_no_error(e);
	attache_prep_options_set(o, "lang", "de", &e);
	g_assert_cmpint(attache_prep_options_finish(o, &e), ==, ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(e->message, "has no language \"de\""));
	g_clear_error(&e);
	attache_prep_options_free(o);
}

/* The generated docs table carries every row of its scope. */
static void
test_markdown(void)
{
	g_autofree char *md = attache_options_markdown(ATTACHE_SCOPE_WATCH);
	guint n;
	const AttacheOption *t = attache_options(&n);
	for (guint i = 0; i < n; i++) {
		if (!(t[i].scope & ATTACHE_SCOPE_WATCH))
			continue;
		g_autofree char *flag = g_strdup_printf("--%s", t[i].name);
		if (!strstr(md, flag))
			g_error("%s is not in the watch table", flag);
	}
	g_autofree char *ini = attache_options_markdown(ATTACHE_SCOPE_INI);
	g_assert_nonnull(strstr(ini, "| `presets` |"));
	g_assert_null(strstr(ini, "| `allow-path` |")); /* the operator's only */
}

/* Every row a C caller may set is mapped by attache_prep_options_set():
 * a row added to the table without its case would be refused as a bug. */
static void
test_every_api_row_is_mapped(void)
{
	static const char *sample[] = {
		[ATTACHE_VALUE_FLAG] = "true",
		[ATTACHE_VALUE_BOOL] = "true",
		[ATTACHE_VALUE_INT] = "1",
		[ATTACHE_VALUE_SECONDS] = "1",
		[ATTACHE_VALUE_TEXT] = "A well.",
		[ATTACHE_VALUE_LANG] = "en",
		[ATTACHE_VALUE_LANGS] = "en,fr",
		[ATTACHE_VALUE_NAMES] = "x-square",
		[ATTACHE_VALUE_FIT] = "cover",
		[ATTACHE_VALUE_CROP] = "centre",
		[ATTACHE_VALUE_FOCUS] = "0.5,0.5",
		[ATTACHE_VALUE_KEEP] = "none",
		[ATTACHE_VALUE_PIXELS] = "1MP",
		[ATTACHE_VALUE_SIZE] = "1M",
		[ATTACHE_VALUE_FILE] = "", /* empty: switched off */
		[ATTACHE_VALUE_FOLDER] = "/nonexistent-attache-test",
		[ATTACHE_VALUE_DIRS] = "/tmp",
		[ATTACHE_VALUE_TARGETS] = "x",
		[ATTACHE_VALUE_LANGS_ALL] = "fr,ar",
		[ATTACHE_VALUE_ROTATE] = "90",
		[ATTACHE_VALUE_PROTECT] = "faces",
		[ATTACHE_VALUE_REGIONS] = "0.1,0.1,0.2,0.2",
		[ATTACHE_VALUE_FACES] = "1",
	};
	guint n, api = 0;
	const AttacheOption *t = attache_options(&n);
	for (guint i = 0; i < n; i++) {
		if (!(t[i].scope & ATTACHE_SCOPE_API))
			continue;
		AttachePrepOptions *o = attache_prep_options_new();
		GError *e = NULL;
		AttacheCode code = attache_prep_options_set(o, t[i].name,
			sample[t[i].type], &e);
		if (code == ATTACHE_E_INTERNAL)
			g_error("%s: %s", t[i].name, e->message);
		g_clear_error(&e);
		attache_prep_options_free(o);
		api++;
	}
	g_assert_cmpuint(api, >=, 15);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	g_test_add_func("/options/set-values", test_set_values);
	g_test_add_func("/options/presets-and-alias", test_presets_and_alias);
	g_test_add_func("/options/finish", test_finish);
	g_test_add_func("/options/markdown", test_markdown);
	g_test_add_func("/options/every-api-row-is-mapped",
		test_every_api_row_is_mapped);
	return g_test_run();
}
