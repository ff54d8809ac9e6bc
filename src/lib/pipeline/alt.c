/* SPDX-License-Identifier: MIT */
/*
 * alt.c: alt text for each photo (docs/alt-text.md).
 *
 * Sources, per language, the first that has it:
 *   1. the CSV manifest (--alt-manifest): a row for the photo's path, its
 *      file name (IMG_0001.jpg) or its stem (IMG_0001);
 *   2. sidecars beside the photo: IMG_0001.jpg.alt[.LANG].txt, then
 *      IMG_0001.alt[.LANG].txt;
 *   3. the photo's own PHOTO.attache.ini (alt, alt.LANG, [alt]);
 *   4. --alt TEXT or --alt-file FILE (x-default, for every photo).
 * x-default comes first; when no source gives a language-neutral text, it is
 * the text in (the first language of) --lang, else in English, else the
 * first language by tag. Each language's output then has its own text as
 * x-default (prep.c).
 *
 * Validation: valid UTF-8, not blank, no control characters, and (per
 * preset) at most the platform's number of characters. Warnings for alt text
 * that only repeats the file name or starts with "image of". One check,
 * attache__alt_check(), finds all of these, for prep and the review page.
 */
#include "private.h"

#include <string.h>

#define ALT_FILE_MAX (64 * 1024)
#define MANIFEST_MAX (16 * 1024 * 1024)

void
attache_alt_free(AttacheAlt *a)
{
	if (!a)
		return;
	g_free(a->lang);
	g_free(a->text);
	g_free(a);
}

static AttacheAlt *
alt_new(const char *lang, const char *text)
{
	AttacheAlt *a = g_new0(AttacheAlt, 1);
	a->lang = g_strdup(lang);
	a->text = g_strdup(text);
	return a;
}

static GPtrArray *
alt_array(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)attache_alt_free);
}

GPtrArray *
attache__alt_copy(GPtrArray *alt)
{
	GPtrArray *c = alt_array();
	for (guint i = 0; alt && i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		g_ptr_array_add(c, alt_new(a->lang, a->text));
	}
	return c;
}

GPtrArray *
attache__alt_for_lang(GPtrArray *alt, const char *lang)
{
	GPtrArray *c = attache__alt_copy(alt);
	const AttacheAlt *own = NULL;
	for (guint i = 0; lang && i < c->len && !own; i++)
		if (!g_ascii_strcasecmp(((AttacheAlt *)c->pdata[i])->lang, lang))
			own = c->pdata[i];
	/* x-default is first (attache__alt_resolve() puts it there) */
	AttacheAlt *def = c->len ? c->pdata[0] : NULL;
	if (own && def && g_str_equal(def->lang, "x-default")) {
		g_free(def->text);
		def->text = g_strdup(own->text);
	}
	return c;
}

static char *
letters_only(const char *s)
{
	g_autofree char *f = g_utf8_casefold(s, -1);
	GString *o = g_string_new(NULL);
	for (const char *p = f; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		if (g_unichar_isalnum(ch))
			g_string_append_unichar(o, ch);
	}
	return g_string_free(o, FALSE);
}

/* Openings that tell a screen-reader user nothing: it already says
 * "image". English first, then the campaign languages that use them. */
static const char *const redundant[] = {
	"image of",
	"picture of",
	"photo of",
	"photograph of",
	"an image of",
	"a picture of",
	"a photo of",
	"a photograph of",
	"image de",
	"photo de",
	"une image de",
	"une photo de",
	"imagen de",
	"foto de",
	"una imagen de",
	"una foto de",
};

void
attache__alt_check(const char *text, const char *const *names, int max_chars,
	AttacheAltCheck *out)
{
	memset(out, 0, sizeof(*out));
	out->blank = TRUE;
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar ch = g_utf8_get_char(p);
		if (!out->control && g_unichar_iscntrl(ch) && ch != '\n' && ch != '\t')
			out->control = ch;
		if (!g_unichar_isspace(ch) && g_unichar_type(ch) != G_UNICODE_FORMAT)
			out->blank = FALSE;
		out->chars++;
	}
	out->over = max_chars > 0 && out->chars > max_chars;

	/* the same words as a file name: letters and digits, case-folded */
	g_autofree char *letters = letters_only(text);
	for (int i = 0; *letters && names && names[i] && !out->repeats_name; i++) {
		g_autofree char *ln = letters_only(names[i]);
		out->repeats_name = g_str_equal(letters, ln);
	}

	g_autofree char *folded = g_utf8_casefold(text, -1);
	for (guint i = 0; i < G_N_ELEMENTS(redundant) && !out->opening; i++) {
		size_t n = strlen(redundant[i]);
		if (!strncmp(folded, redundant[i], n) && (folded[n] == ' ' || folded[n] == '\0' || folded[n] == ':'))
			out->opening = redundant[i];
	}
}

gboolean
attache__alt_none(GPtrArray *alt)
{
	for (guint i = 0; alt && i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		AttacheAltCheck c;
		attache__alt_check(a->text, NULL, 0, &c);
		if (!c.blank)
			return FALSE;
	}
	return TRUE;
}

AttacheCode
attache_alt_validate(const char *text, const char *what, GError **error)
{
	if (!text || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
			"%s: alt text is not valid UTF-8", what);
		return ATTACHE_E_ALT;
	}
	AttacheAltCheck c;
	attache__alt_check(text, NULL, 0, &c);
	if (c.control) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
			"%s: alt text holds a control character (U+%04X)", what, c.control);
		return ATTACHE_E_ALT;
	}
	if (c.blank) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
			"%s: alt text is blank", what);
		return ATTACHE_E_ALT;
	}
	return ATTACHE_OK;
}

/* Drops a BOM, turns CRLF and CR into LF, trims white space. */
static char *
clean_text(const char *data, gsize len)
{
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	GString *s = g_string_sized_new(len);
	for (gsize i = 0; i < len; i++) {
		if (data[i] == '\r') {
			g_string_append_c(s, '\n');
			if (i + 1 < len && data[i + 1] == '\n')
				i++;
		}
		else
			g_string_append_c(s, data[i]);
	}
	return g_strstrip(g_string_free(s, FALSE));
}

/* Alt text from the bytes of @label (read by the caller): UTF-8, no NUL,
 * line ends made \n, trimmed and validated; also the fuzz target's entry
 * point. @data: borrowed. @out: (transfer full). */
AttacheCode
attache__alt_text_parse(const char *label, const char *data, gsize len, char **out,
	GError **error)
{
	/* with the length: a NUL byte inside is invalid too */
	if (!g_utf8_validate_len(data, len, NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
			"%s: alt text is not valid UTF-8", label);
		return ATTACHE_E_ALT;
	}
	g_autofree char *text = clean_text(data, len);
	if (attache_alt_validate(text, label, error))
		return ATTACHE_E_ALT;
	*out = g_steal_pointer(&text);
	return ATTACHE_OK;
}

/* What the safe reader said about an alt-text file, as an alt-text error:
 * too large is the text's fault (E_ALT), unreadable the file's (E_INPUT). */
static AttacheCode
alt_read_error(AttacheCode code, GError *local, GError **error)
{
	code = code == ATTACHE_E_LIMIT ? ATTACHE_E_ALT : ATTACHE_E_INPUT;
	g_set_error(error, ATTACHE_ERROR, code, "cannot read alt text: %s",
		local->message);
	return code;
}

AttacheCode
attache_alt_read_file(const char *path, char **out, GError **error)
{
	g_autofree char *data = NULL;
	gsize len;
	g_autoptr(GError) local = NULL;

	*out = NULL;
	/* a path the caller chose (an option): links are followed, but only a
	 * small regular file is read (never /dev/zero or a FIFO) */
	AttacheCode code = attache__read_small(path, ALT_FILE_MAX, 0, &data,
		&len, &local);
	if (code)
		return alt_read_error(code, local, error);
	return attache__alt_text_parse(path, data, len, out, error);
}

AttacheCode
attache__alt_read_file_beneath(const char *dir, const char *rel, char **out,
	GError **error)
{
	g_autofree char *data = NULL;
	g_autofree char *label = g_build_filename(dir, rel, NULL);
	gsize len;
	g_autoptr(GError) local = NULL;

	*out = NULL;
	AttacheCode code = attache__read_small_beneath(dir, rel, ALT_FILE_MAX,
		&data, &len, &local);
	if (code)
		return alt_read_error(code, local, error);
	return attache__alt_text_parse(label, data, len, out, error);
}

/* ---- the CSV manifest (RFC 4180) ---- */

typedef struct {
	const char *p, *end;
	int line;
	char sep; /* ',' or ';' (Excel in French and many other locales) */
} Csv;

/* Reads one record into @fields; FALSE at the end of the data. Sets
 * *bad to a message on a syntax error. */
static gboolean
csv_record(Csv *c, GPtrArray *fields, char **bad)
{
	g_ptr_array_set_size(fields, 0);
	if (c->p >= c->end)
		return FALSE;
	GString *f = g_string_new(NULL);
	for (;;) {
		if (c->p < c->end && *c->p == '"') {
			int opened = c->line;
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					*bad = g_strdup_printf(
						"the quoted field opened on line %d never closes",
						opened);
					g_string_free(f, TRUE);
					return FALSE;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						g_string_append_c(f, '"');
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				g_string_append_c(f, *c->p++);
			}
			if (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r') {
				*bad = g_strdup("text after a closing quote (a quote inside "
								"a quoted field is written \"\")");
				g_string_free(f, TRUE);
				return FALSE;
			}
		}
		else {
			while (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r') {
				if (*c->p == '"') {
					*bad = g_strdup("a quote inside an unquoted field (quote "
									"the whole field)");
					g_string_free(f, TRUE);
					return FALSE;
				}
				g_string_append_c(f, *c->p++);
			}
		}
		g_ptr_array_add(fields, g_string_free(f, FALSE));
		if (c->p < c->end && *c->p == c->sep) {
			c->p++;
			f = g_string_new(NULL);
			continue;
		}
		/* end of record: CRLF, LF, CR or the end of the data */
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		c->line++;
		return TRUE;
	}
}

static AttacheCode
manifest_bad(GError **error, const char *path, int line, const char *why)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s:%d: %s", path,
		line, why);
	return ATTACHE_E_USAGE;
}

/* The table key for a manifest's file column: a bare name as written
 * (matched against the photo's file name or stem), a path made absolute
 * from the manifest's folder. */
static char *
manifest_key(const char *dir, const char *file)
{
	if (!strchr(file, '/'))
		return g_strdup(file);
	g_autofree char *p = g_path_is_absolute(file)
							 ? g_strdup(file)
							 : g_build_filename(dir, file, NULL);
	return g_canonicalize_filename(p, NULL);
}

/* Reads the manifest's bytes: @rel beneath @dir when @dir is given (a path
 * from an inbox writer), else @path as the caller named it. */
static AttacheCode
manifest_read(const char *dir, const char *path, char **data, gsize *len,
	GError **error)
{
	g_autoptr(GError) local = NULL;
	AttacheCode code = dir ? attache__read_small_beneath(dir, path,
						   MANIFEST_MAX, data, len, &local)
						   : attache__read_small(path, MANIFEST_MAX, 0,
							   data, len, &local);
	if (code) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"cannot read the alt-text manifest: %s", local->message);
		return ATTACHE_E_USAGE;
	}
	return ATTACHE_OK;
}

AttacheCode
attache_alt_manifest_load(const char *path, GHashTable **out, GError **error)
{
	g_autofree char *data = NULL;
	gsize len;

	*out = NULL;
	if (manifest_read(NULL, path, &data, &len, error))
		return ATTACHE_E_USAGE;
	return attache__alt_manifest_parse(path, data, len, out, error);
}

AttacheCode
attache__alt_manifest_load_beneath(const char *dir, const char *rel,
	GHashTable **out, GError **error)
{
	g_autofree char *data = NULL;
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	gsize len;

	*out = NULL;
	if (manifest_read(dir, rel, &data, &len, error))
		return ATTACHE_E_USAGE;
	return attache__alt_manifest_parse(path, data, len, out, error);
}

/* Spreadsheets save "CSV" in the encoding of their locale unless told
 * otherwise: UTF-16 ("Unicode text": a BOM, or a NUL byte beside the
 * first ASCII letter) and Windows-1252 (bytes that are not UTF-8) are refused with
 * what to do, naming the file (and the line of the first bad byte). */
static AttacheCode
manifest_encoding(const char *path, const char *data, gsize len,
	GError **error)
{
	static const char fix[] = "save it as CSV UTF-8 (in Excel: Save As, "
							  "\"CSV UTF-8 (Comma delimited)\")";
	gboolean bom16 = len >= 2 && ((guchar)data[0] == 0xFF || (guchar)data[0] == 0xFE) && (guchar)data[1] == ((guchar)data[0] ^ 0x01);
	/* without a BOM, UTF-16 text starting with an ASCII letter ("file")
	 * has a NUL in its first two bytes; a stray NUL further on is the
	 * line's own fault, below */
	if (bom16 || (len >= 2 && (!data[0] || !data[1]))) {
		g_autofree char *why = g_strdup_printf("the file is UTF-16, not "
											   "UTF-8: %s",
			fix);
		return manifest_bad(error, path, 1, why);
	}
	const char *bad_at;
	if (g_utf8_validate_len(data, len, &bad_at))
		return ATTACHE_OK;
	int line = 1;
	for (const char *p = data; p < bad_at; p++)
		line += *p == '\n';
	g_autofree char *why = g_strdup_printf("not valid UTF-8 (Windows-1252 or "
										   "another legacy encoding?): %s",
		fix);
	return manifest_bad(error, path, line, why);
}

/* The separator, from the header line: ';' when it has more semicolons
 * than commas outside quotes (Excel writes ';' where the decimal mark is a
 * comma), else ','. Only the header decides: alt text holds both. */
static char
header_separator(const char *p, const char *end)
{
	int commas = 0, semis = 0;
	gboolean quoted = FALSE;
	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			commas++;
		else if (!quoted && *p == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

/* Parses the CSV bytes @data of the manifest at @path (named in messages,
 * and the folder for relative file columns); also the fuzz target's entry
 * point. @data: borrowed, NUL-terminated at @len. @out: (transfer full)
 * file -> GPtrArray of AttacheAlt. */
AttacheCode
attache__alt_manifest_parse(const char *path, const char *data, gsize len,
	GHashTable **out, GError **error)
{
	*out = NULL;
	if (manifest_encoding(path, data, len, error))
		return ATTACHE_E_USAGE;

	Csv c = { data, data + len, 1, ',' };
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		c.p += 3;
	c.sep = header_separator(c.p, c.end);
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	g_autofree char *dir = g_path_get_dirname(abs);
	g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	char *bad = NULL;
	int col[3] = { -1, -1, -1 }; /* file, lang, alt */
	gboolean header = TRUE;

	for (;;) {
		int line = c.line;
		if (!csv_record(&c, fields, &bad)) {
			if (bad) {
				AttacheCode code = manifest_bad(error, path, line, bad);
				g_free(bad);
				return code;
			}
			break;
		}
		/* blank lines are allowed */
		if (fields->len == 1 && !*(char *)fields->pdata[0])
			continue;
		if (header) {
			static const char *const names[] = { "file", "lang", "alt" };
			for (guint i = 0; i < fields->len; i++) {
				g_autofree char *h = g_strstrip(
					g_ascii_strdown(fields->pdata[i], -1));
				int k = -1;
				for (int n = 0; n < 3; n++)
					if (g_str_equal(h, names[n]))
						k = n;
				if (k < 0 || col[k] >= 0) {
					g_autofree char *why = g_strdup_printf(
						"the first line must name the columns file,lang,alt "
						"(got \"%s\")",
						(char *)fields->pdata[i]);
					return manifest_bad(error, path, line, why);
				}
				col[k] = (int)i;
			}
			if (col[0] < 0 || col[1] < 0 || col[2] < 0)
				return manifest_bad(error, path, line,
					"the first line must name the columns file,lang,alt");
			header = FALSE;
			continue;
		}
		if (fields->len != 3) {
			g_autofree char *why = g_strdup_printf(
				"%u fields, expected 3 (file%clang%calt; quote a field that "
				"holds a \"%c\")",
				fields->len, c.sep, c.sep, c.sep);
			return manifest_bad(error, path, line, why);
		}
		g_autofree char *file = g_strstrip(g_strdup(fields->pdata[col[0]]));
		g_autofree char *lang = g_strstrip(g_strdup(fields->pdata[col[1]]));
		const char *raw = fields->pdata[col[2]];
		if (!*file)
			return manifest_bad(error, path, line, "empty file name");
		if (!*lang || !g_ascii_strcasecmp(lang, "x-default")) {
			g_free(lang);
			lang = g_strdup("x-default");
		}
		else if (!attache__lang_tag_valid(lang)) {
			g_autofree char *why = g_strdup_printf(
				"\"%s\" is not a language tag (en, fr, ar, zh-Hans ...; empty "
				"for x-default)",
				lang);
			return manifest_bad(error, path, line, why);
		}
		g_autofree char *text = clean_text(raw, strlen(raw));
		g_autofree char *what = g_strdup_printf("%s:%d", path, line);
		g_autoptr(GError) e2 = NULL;
		if (attache_alt_validate(text, what, &e2)) {
			g_set_error_literal(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				e2->message);
			return ATTACHE_E_USAGE;
		}
		g_autofree char *key = manifest_key(dir, file);
		g_autofree char *lower = g_ascii_strdown(lang, -1);
		char *dup = g_strdup_printf("%s\n%s", key, lower);
		if (g_hash_table_contains(seen, dup)) {
			g_autofree char *why = g_strdup_printf(
				"a second row for %s in %s (the first is on line %d)", file,
				lang, GPOINTER_TO_INT(g_hash_table_lookup(seen, dup)));
			g_free(dup);
			return manifest_bad(error, path, line, why);
		}
		g_hash_table_insert(seen, dup, GINT_TO_POINTER(line));
		GPtrArray *list = g_hash_table_lookup(table, key);
		if (!list) {
			list = alt_array();
			g_hash_table_insert(table, g_strdup(key), list);
		}
		g_ptr_array_add(list, alt_new(lang, text));
	}
	if (header)
		return manifest_bad(error, path, 1,
			"empty: the first line must name the columns file,lang,alt");
	*out = g_steal_pointer(&table);
	return ATTACHE_OK;
}

/* ---- per photo ---- */

/* lang (lower case) -> AttacheAlt*, the sources applied in order of rising
 * precedence: each replaces what the previous gave. */
static void
put(GHashTable *by_lang, const char *lang, const char *text)
{
	g_hash_table_replace(by_lang, g_ascii_strdown(lang, -1),
		alt_new(lang, text));
}

static int
by_tag(gconstpointer a, gconstpointer b)
{
	const AttacheAlt *x = *(AttacheAlt *const *)a;
	const AttacheAlt *y = *(AttacheAlt *const *)b;
	return g_ascii_strcasecmp(x->lang, y->lang);
}

/* Sidecars for @input: NAME.alt.txt and NAME.alt.LANG.txt, where NAME is
 * the photo's stem and then its whole file name (the more specific, which
 * wins). Invalid ones are errors for the photo. */
static AttacheCode
read_sidecars(const char *input, const char *base, const char *stem,
	GHashTable *by_lang, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(input);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	if (!d)
		return ATTACHE_OK;

	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)))
		if (g_str_has_suffix(n, ".txt") && strstr(n, ".alt"))
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);

	const char *prefixes[2] = { stem, base };
	for (int k = 0; k < 2; k++) {
		if (k == 1 && g_str_equal(stem, base))
			break;
		g_autofree char *prefix = g_strconcat(prefixes[k], ".alt", NULL);
		size_t pl = strlen(prefix);
		for (guint i = 0; i < names->len; i++) {
			const char *name = names->pdata[i];
			if (strncmp(name, prefix, pl) != 0)
				continue;
			const char *rest = name + pl;
			g_autofree char *lang = NULL;
			if (g_str_equal(rest, ".txt"))
				lang = g_strdup("x-default");
			else if (rest[0] == '.') {
				lang = g_strndup(rest + 1, strlen(rest + 1) - 4);
				if (!attache__lang_tag_valid(lang))
					continue; /* IMG.alt.old.txt: not ours */
			}
			else
				continue;
			/* beside the photo, never through a link: a sidecar comes
			 * from whoever dropped the photo (docs/security.md) */
			g_autofree char *text = NULL;
			if (attache__alt_read_file_beneath(dir, name, &text, error)) {
				/* the photo cannot be published as the sidecar asks */
				if (error && *error)
					(*error)->code = ATTACHE_E_ALT;
				return ATTACHE_E_ALT;
			}
			put(by_lang, lang, text);
		}
	}
	return ATTACHE_OK;
}

static void
warn_about(const AttacheAlt *a, const char *base, const char *stem,
	GPtrArray *warnings)
{
	const char *names[] = { base, stem, NULL };
	AttacheAltCheck c;
	attache__alt_check(a->text, names, 0, &c);
	if (c.repeats_name)
		g_ptr_array_add(warnings,
			g_strdup_printf("alt text (%s) only repeats the file name %s: "
							"describe what the photo shows",
				a->lang, base));
	else if (c.opening)
		g_ptr_array_add(warnings,
			g_strdup_printf("alt text (%s) starts with \"%.*s\": screen "
							"readers already say it is an image",
				a->lang, (int)g_utf8_strlen(c.opening, -1), a->text));
}

AttacheCode
attache__alt_resolve(const AttachePrepOptions *opts, const char *input,
	GPtrArray *own, GPtrArray **alt_out, GPtrArray **warnings_out, GError **error)
{
	g_autofree char *base = g_path_get_basename(input);
	g_autofree char *stem = attache__file_stem(input);
	g_autoptr(GHashTable) by_lang = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, (GDestroyNotify)attache_alt_free);

	*alt_out = NULL;
	*warnings_out = NULL;

	/* 3. --alt / --alt-file: every photo */
	if (opts->alt_text && *opts->alt_text)
		put(by_lang, "x-default", opts->alt_text);
	/* 2b. the photo's own settings file (PHOTO.attache.ini), below the
	 * one-text sidecars, which were there first */
	for (guint i = 0; own && i < own->len; i++) {
		const AttacheAlt *a = own->pdata[i];
		put(by_lang, a->lang, a->text);
	}
	/* 2. sidecars */
	if (read_sidecars(input, base, stem, by_lang, error))
		return ATTACHE_E_ALT;
	/* 1. the manifest: by stem, file name, then path (most specific) */
	if (opts->manifest) {
		g_autofree char *canon = g_canonicalize_filename(input, NULL);
		const char *keys[3] = { stem, base, canon };
		for (int k = 0; k < 3; k++) {
			GPtrArray *rows = g_hash_table_lookup(opts->manifest, keys[k]);
			for (guint i = 0; rows && i < rows->len; i++) {
				const AttacheAlt *a = rows->pdata[i];
				put(by_lang, a->lang, a->text);
			}
		}
	}

	if (g_hash_table_size(by_lang) == 0 && opts->require_alt) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
			"%s: no alt text, and --require-alt is given (write %s.alt.txt "
			"beside it, add it to the --alt-manifest, or give --alt)",
			input, stem);
		return ATTACHE_E_ALT;
	}

	GPtrArray *alt = alt_array();
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	AttacheAlt *def = g_hash_table_lookup(by_lang, "x-default");
	GPtrArray *langs = alt_array();
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, by_lang);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		AttacheAlt *a = v;
		if (a != def)
			g_ptr_array_add(langs, alt_new(a->lang, a->text));
	}
	g_ptr_array_sort(langs, by_tag);

	if (!def && langs->len) {
		/* no language-neutral text: the one in --lang, English, the first */
		const AttacheAlt *pick = NULL;
		g_autofree char *first = attache__prep_first_lang(opts);
		const char *want[2] = { first, "en" };
		for (int w = 0; w < 2 && !pick; w++)
			for (guint i = 0; want[w] && i < langs->len && !pick; i++)
				if (!g_ascii_strcasecmp(
						((AttacheAlt *)langs->pdata[i])->lang, want[w]))
					pick = langs->pdata[i];
		if (!pick)
			pick = langs->pdata[0];
		g_ptr_array_add(alt, alt_new("x-default", pick->text));
	}
	else if (def)
		g_ptr_array_add(alt, alt_new("x-default", def->text));
	for (guint i = 0; i < langs->len; i++) {
		AttacheAlt *a = langs->pdata[i];
		g_ptr_array_add(alt, alt_new(a->lang, a->text));
	}
	g_ptr_array_unref(langs);

	/* warnings, once per distinct text */
	g_autoptr(GHashTable) warned = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		if (g_hash_table_contains(warned, a->text))
			continue;
		g_hash_table_add(warned, a->text);
		warn_about(a, base, stem, warnings);
	}

	*alt_out = alt;
	*warnings_out = warnings;
	return ATTACHE_OK;
}

AttacheCode
attache__alt_check_preset(GPtrArray *alt, const AttachePreset *preset,
	GError **error)
{
	if (!preset->alt_max_chars)
		return ATTACHE_OK;
	for (guint i = 0; alt && i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		AttacheAltCheck c;
		attache__alt_check(a->text, NULL, preset->alt_max_chars, &c);
		if (c.over) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_ALT,
				"alt text (%s) is %ld characters, over the limit of %d for "
				"%s ([alt] max-chars in %s)",
				a->lang, c.chars, preset->alt_max_chars,
				preset->platform ? preset->platform : preset->name,
				preset->path ? preset->path : preset->name);
			return ATTACHE_E_ALT;
		}
	}
	return ATTACHE_OK;
}
