/* SPDX-License-Identifier: MIT */
/* test-alt.c: the alt-text manifest reader (RFC 4180 corner cases),
 * validation, the one alt-text check prep and review share, and the
 * campaign API used by a scheduler. */
#include <attache.h>
#include "private.h"
#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static char *
write_tmp(const char *name, const char *data, gssize len)
{
	char *path = g_build_filename(tmpdir, name, NULL);
	g_assert_true(g_file_set_contents(path, data, len, NULL));
	return path;
}

/* The texts the manifest holds for @key, as "lang=text;..." */
static char *
rows_of(GHashTable *m, const char *key)
{
	GPtrArray *rows = g_hash_table_lookup(m, key);
	GString *s = g_string_new(NULL);
	for (guint i = 0; rows && i < rows->len; i++) {
		const AttacheAlt *a = rows->pdata[i];
		g_string_append_printf(s, "%s=%s;", a->lang, a->text);
	}
	return g_string_free(s, FALSE);
}

static void
test_manifest_quoting(void)
{
	static const char csv[] = "\xEF\xBB\xBF"
							  "Alt,File,Lang\r\n"					/* any column order, any case */
							  "\"a, b and \"\"c\"\"\",x.jpg,en\r\n" /* comma and quotes */
							  "\"two\r\nlines\",x.jpg,fr\r\n"		/* CRLF inside a field */
							  "plain,y,\n"							/* empty lang: x-default */
							  "\n"									/* blank line */
							  "last,y,AR";							/* no final newline */
	g_autofree char *path = write_tmp("m.csv", csv, -1);
	GHashTable *m = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(attache_alt_manifest_load(path, &m, &error), ==,
		ATTACHE_OK);
	g_assert_no_error(error);
	g_autofree char *x = rows_of(m, "x.jpg");
	g_assert_cmpstr(x, ==, "en=a, b and \"c\";fr=two\nlines;");
	g_autofree char *y = rows_of(m, "y");
	g_assert_cmpstr(y, ==, "x-default=plain;AR=last;");
	g_hash_table_unref(m);
}

static void
expect_bad(const char *csv, gssize len, const char *where)
{
	g_autofree char *path = write_tmp("bad.csv", csv, len);
	GHashTable *m = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(attache_alt_manifest_load(path, &m, &error), ==,
		ATTACHE_E_USAGE);
	g_assert_null(m);
	g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE);
	g_autofree char *want = g_strconcat(path, where, NULL);
	if (!strstr(error->message, want))
		g_error("\"%s\" does not name %s", error->message, want);
}

static void
test_manifest_errors(void)
{
	expect_bad("", 0, ":1:");
	expect_bad("file,alt\n", -1, ":1:");
	expect_bad("file,lang,alt,notes\n", -1, ":1:");
	expect_bad("file,lang,alt\nx,en,\"open\n\nstill open", -1, ":2:");
	expect_bad("file,lang,alt\nx,en,\"closed\"junk\n", -1, ":2:");
	expect_bad("file,lang,alt\nx,en,half\"quote\n", -1, ":2:");
	expect_bad("file,lang,alt\nx,en,a\n\nx,EN,b\n", -1, ":4:");
	expect_bad("file,lang,alt\n,en,a\n", -1, ":2:");
	expect_bad("file,lang,alt\nx,e,a\n", -1, ":2:");
	expect_bad("file,lang,alt\nx,en,\"\t \"\n", -1, ":2:");
	expect_bad("file,lang,alt\nx,en,ok\ny,fr,\xC3\x28\n", -1, ":3:");
	expect_bad("file,lang,alt\nx,en,a\0b\n", 22, ":2:");
}

static void
test_validate(void)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;
	g_assert_cmpint(attache_alt_validate("A red kite\nover a field", "t",
						NULL),
		==, ATTACHE_OK);
	g_assert_cmpint(attache_alt_validate(" \t\n\u3000", "t", &e1), ==,
		ATTACHE_E_ALT);
	g_assert_nonnull(strstr(e1->message, "blank"));
	g_assert_cmpint(attache_alt_validate("\u200B\u200D", "t", &e2), ==,
		ATTACHE_E_ALT); /* format characters only: nothing to read */
	g_assert_cmpint(attache_alt_validate("bell\a", "t", &e3), ==,
		ATTACHE_E_ALT);
	g_assert_nonnull(strstr(e3->message, "U+0007"));
	g_assert_cmpint(attache_alt_validate("caf\xE9", "t", &e4), ==,
		ATTACHE_E_ALT);
	g_assert_nonnull(strstr(e4->message, "UTF-8"));
}

/* The one check prep and the review page share: what each finds. */
static void
test_check(void)
{
	AttacheAltCheck c;
	const char *const names[] = { "IMG_0001.jpg", "IMG_0001", NULL };
	attache__alt_check("img 0001", names, 0, &c);
	g_assert_true(c.repeats_name);
	g_assert_false(c.blank);
	attache__alt_check("IMG_0001 at dawn", names, 0, &c);
	g_assert_false(c.repeats_name);
	/* no letters or digits is not a file name, but it is not blank */
	attache__alt_check("...", names, 0, &c);
	g_assert_false(c.repeats_name);
	g_assert_false(c.blank);
	attache__alt_check(" \u200b\t", NULL, 0, &c);
	g_assert_true(c.blank);
	g_assert_cmpuint(c.control, ==, 0);
	attache__alt_check("a\x1b[2Jb\x07", NULL, 0, &c);
	g_assert_cmpuint(c.control, ==, 0x1b);
	attache__alt_check("Photo of: volunteers", NULL, 0, &c);
	g_assert_cmpstr(c.opening, ==, "photo of");
	attache__alt_check("Photographers at work", NULL, 0, &c);
	g_assert_null(c.opening);
	/* characters, not bytes, against the limit */
	attache__alt_check("café", NULL, 4, &c);
	g_assert_cmpint(c.chars, ==, 4);
	g_assert_false(c.over);
	attache__alt_check("cafés", NULL, 4, &c);
	g_assert_true(c.over);
	attache__alt_check("cafés", NULL, 0, &c);
	g_assert_false(c.over);
}

static void
test_read_file(void)
{
	g_autofree char *p = write_tmp("a.txt", "\xEF\xBB\xBF  one\r\ntwo\r\n\r\n",
		-1);
	g_autofree char *text = NULL;
	g_assert_cmpint(attache_alt_read_file(p, &text, NULL), ==, ATTACHE_OK);
	g_assert_cmpstr(text, ==, "one\ntwo");
	g_autofree char *missing = g_build_filename(tmpdir, "none.txt", NULL);
	g_autofree char *t2 = NULL;
	g_autoptr(GError) e = NULL;
	g_assert_cmpint(attache_alt_read_file(missing, &t2, &e), ==,
		ATTACHE_E_INPUT);
	g_assert_nonnull(strstr(e->message, "none.txt"));
}

static void
test_demo_campaign(void)
{
	AttacheCampaign *c = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(ATTACHE_SRCDIR, "campaigns",
		"demo.ini", NULL);
	g_assert_cmpint(attache_campaign_load(path, NULL, &c, &error), ==,
		ATTACHE_OK);
	g_assert_no_error(error);
	g_assert_cmpstr(attache_campaign_name(c), ==, "demo");
	g_assert_cmpstr(attache_campaign_default_lang(c), ==, "en");
	const char *const *langs = attache_campaign_languages(c);
	g_autofree char *joined = g_strjoinv(",", (char **)langs);
	g_assert_cmpstr(joined, ==, "en,fr,es,ar,zh,ru");
	const char *ok[] = { NULL, "en", "fr", "es", "ar", "zh", "ru" };
	for (guint i = 0; i < G_N_ELEMENTS(ok); i++)
		g_assert_cmpint(attache_campaign_check_lang(c, ok[i], NULL), ==,
			ATTACHE_OK);
	g_autoptr(GError) e2 = NULL;
	g_assert_cmpint(attache_campaign_check_lang(c, "de", &e2), ==,
		ATTACHE_E_USAGE);
	g_assert_nonnull(strstr(e2->message, "de"));
	g_assert_cmpint(attache_campaign_check_lang(NULL, "not a tag", NULL),
		==, ATTACHE_E_USAGE);
	attache_campaign_free(c);
}

/* The XMP reader of the upload: every language, x-default's own tag,
 * dc:description only when there is no AltTextAccessibility. */
static void
test_xmp_alts(void)
{
	const char *xmp = "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
					  "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
					  "<rdf:Description xmlns:Iptc4xmpCore='http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/' "
					  "xmlns:dc='http://purl.org/dc/elements/1.1/'>"
					  "<dc:description><rdf:Alt><rdf:li xml:lang='x-default'>desc</rdf:li></rdf:Alt></dc:description>"
					  "<Iptc4xmpCore:AltTextAccessibility><rdf:Alt>"
					  "<rdf:li xml:lang='x-default'>Texte</rdf:li>"
					  "<rdf:li xml:lang='ar'>\u0646\u0635</rdf:li>"
					  "<rdf:li xml:lang='fr'>Texte</rdf:li>"
					  "<rdf:li xml:lang='es'>  </rdf:li>"
					  "</rdf:Alt></Iptc4xmpCore:AltTextAccessibility>"
					  "</rdf:Description></rdf:RDF></x:xmpmeta>";
	g_autoptr(GPtrArray) a = attache__xmp_alts(xmp, strlen(xmp));
	g_assert_cmpuint(a->len, ==, 3); /* the blank es is no alt text */
	g_assert_cmpstr(attache__alt_pick(a, NULL), ==, "Texte");
	g_assert_cmpstr(attache__alt_pick(a, "AR"), ==, "\u0646\u0635");
	g_assert_cmpstr(attache__alt_pick(a, "zh"), ==, "Texte");
	g_assert_cmpstr(attache__alt_default_lang(a), ==, "fr");

	const char *desc = "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
					   "<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/'>"
					   "<dc:description><rdf:Alt><rdf:li xml:lang='x-default'>only desc</rdf:li>"
					   "</rdf:Alt></dc:description></rdf:Description></rdf:RDF>";
	g_autoptr(GPtrArray) d = attache__xmp_alts(desc, strlen(desc));
	g_assert_cmpstr(attache__alt_pick(d, "fr"), ==, "only desc");
	g_assert_null(attache__alt_default_lang(d));

	g_autoptr(GPtrArray) none = attache__xmp_alts(NULL, 0);
	g_assert_cmpuint(none->len, ==, 0);
	g_assert_null(attache__alt_pick(none, NULL));
	g_autofree char *cut = attache__xmp_alt_text(xmp, 400); /* cut short */
	(void)cut;
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (attache_init(argv[0], NULL))
		return 1;
	tmpdir = g_dir_make_tmp("attache-test-alt-XXXXXX", NULL);
	g_test_add_func("/alt/manifest-quoting", test_manifest_quoting);
	g_test_add_func("/alt/manifest-errors", test_manifest_errors);
	g_test_add_func("/alt/validate", test_validate);
	g_test_add_func("/alt/check", test_check);
	g_test_add_func("/alt/read-file", test_read_file);
	g_test_add_func("/alt/xmp-alts", test_xmp_alts);
	g_test_add_func("/campaign/demo", test_demo_campaign);
	int rc = g_test_run();
	g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(tmpdir, n, NULL);
		g_unlink(p);
	}
	g_rmdir(tmpdir);
	g_free(tmpdir);
	attache_shutdown();
	return rc;
}
