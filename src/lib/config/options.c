/* SPDX-License-Identifier: MIT */
/*
 * options.c: the option table. Every setting of `attache prep`, `attache
 * watch` and INBOX/attache.ini (and review's languages) is declared here
 * once: the commands build their flags and --help from it, attache.ini
 * looks its keys up in it, attache_prep_options_set() takes its names, and
 * the option tables of docs/prep.md and docs/watch.md are generated from
 * it (`make docs`; tests/cli/test_options.py checks them).
 */
#include "private.h"

#include <errno.h>
#include <string.h>

#define P ATTACHE_SCOPE_PREP
#define W ATTACHE_SCOPE_WATCH
#define I ATTACHE_SCOPE_INI
#define A ATTACHE_SCOPE_API
#define PIN ATTACHE_OPTION_PINNABLE
#define REP ATTACHE_OPTION_REPEATABLE

static const AttacheOption options[] = {
	{ "presets", "preset", 'p', ATTACHE_VALUE_NAMES, P | W | I | A, REP,
		"`x-landscape`", "NAME",
		"Presets to make, repeatable or a comma list (default x-landscape)",
		"presets to make, a comma list (`attache presets` lists them); "
		"the flag may also be repeated" },
	{ "out", NULL, 'o', ATTACHE_VALUE_FOLDER, P | A, 0, "`./out`", "DIR",
		"Output folder (default ./out)", "output folder, created if missing" },
	{ "out", NULL, 'o', ATTACHE_VALUE_FOLDER, W | I, PIN, "`INBOX/out`", "DIR",
		"Output folder (default INBOX/out)",
		"output folder: `-o` is relative to where the command runs; `out =` "
		"to INBOX, and must lie inside it or in an `--allow-path` folder" },
	{ "jobs", NULL, 'j', ATTACHE_VALUE_INT, P | W, 0, "the number of cores", "N",
		"Photos prepared at once (default: number of cores)",
		"photos prepared at once; libvips' threads are divided among them" },
	{ "json", NULL, 0, ATTACHE_VALUE_FLAG, P, 0, NULL, NULL,
		"One JSON object per output on stdout",
		"one JSON line per output (docs/json.md)" },
	{ "json", NULL, 0, ATTACHE_VALUE_FLAG, W, 0, NULL, NULL,
		"Print each attache.log line (one per photo) on stdout",
		"print each `attache.log` line (one per photo) on stdout" },
	{ "fit", NULL, 0, ATTACHE_VALUE_FIT, P | W | I | A, 0, "the preset's", "MODE",
		"Override the presets' fit: cover, contain or inside",
		"`cover`, `contain` or `inside`: overrides the presets' fit" },
	{ "crop", NULL, 0, ATTACHE_VALUE_CROP, P | W | I | A, 0, "the preset's",
		"HOW", "Crop for cover: attention, entropy, centre, focus or attention-only",
		"`attention`, `entropy`, `centre`, `focus` or `attention-only`: "
		"overrides the presets' crop; attention and entropy keep the "
		"photo's heads whole, attention-only does not look for faces "
		"(docs/presets.md, \"Faces\")" },
	{ "focus", NULL, 0, ATTACHE_VALUE_FOCUS, P | W | I | A | ATTACHE_SCOPE_PHOTO, 0, NULL, "X,Y",
		"Focus point as fractions of the upright photo (for --crop focus)",
		"focus point, fractions 0..1 of the upright photo, after its "
		"orientation and `rotate` (for `--crop focus`, which needs it)" },
	{ "rotate", NULL, 0, ATTACHE_VALUE_ROTATE, P | W | I | A | ATTACHE_SCOPE_PHOTO, 0,
		"`0`", "DEGREES",
		"Turn the photo 90, 180 or 270 degrees clockwise, after its EXIF "
		"orientation (when that is wrong)",
		"`90`, `180` or `270` degrees clockwise (or `0`), turned after the "
		"EXIF orientation, for photos whose orientation is wrong; recorded "
		"in the manifest and the JSON line (`rotate`)" },
	{ "protect", NULL, 0, ATTACHE_VALUE_PROTECT, P | W | I | A | ATTACHE_SCOPE_PHOTO, REP, NULL, "LIST",
		"Fill faces (and text) solid in every output, before any crop: faces, text or faces,text",
		"fill `faces` (each with its head), `text` (the words `--scan-text` reads; protect text reads "
		"them by itself) or both solid in every output, before any crop; only adds: once the command "
		"line, attache.ini, the campaign or the photo's own file turns it on, nothing turns it off for that photo (docs/masking.md)" },
	{ "mask", NULL, 0, ATTACHE_VALUE_REGIONS, P | A | ATTACHE_SCOPE_PHOTO, REP, NULL, "X,Y,W,H",
		"Also fill this box solid (fractions of the upright photo; repeatable; one photo only)",
		"boxes to fill solid in every output, `X,Y,W,H` fractions of the upright photo, several separated "
		"by spaces (at most 64); `--mask` is for a single photo, a photo's own file for each of many" },
	{ "unmask", NULL, 0, ATTACHE_VALUE_FACES, A | ATTACHE_SCOPE_PHOTO, 0, NULL, "N,...", NULL,
		"a reviewer's decision: the faces, numbered as the review page and `faces` list them, left "
		"unmasked; flagged `faces-visible` when the photo is protected" },
	{ "keep", NULL, 0, ATTACHE_VALUE_KEEP, P | W | I | A, PIN, "`credit`",
		"LIST",
		"Metadata to keep: none, or a list of credit, datetime, camera "
		"(default credit)",
		"metadata to keep: `none`, or a list of `credit`, `datetime`, "
		"`camera` (docs/metadata.md)" },
	{ "max-pixels", NULL, 0, ATTACHE_VALUE_PIXELS, P | W | I | A, 0, "`100MP`",
		"N", "Refuse photos larger than this, from the header (default 100MP)",
		"refuse larger photos, from the header, before decoding" },
	{ "max-memory", NULL, 0, ATTACHE_VALUE_SIZE, P | W | A, 0, "`512M`", "SIZE",
		"Memory the photos decoded at once may use, estimated from their "
		"headers (default 512M; K, M, G)",
		"memory the photos decoded at once may use, estimated from their "
		"headers (`K`, `M`, `G`; docs/prep.md, \"Memory budget\"); not a key "
		"of attache.ini, so whoever writes into an inbox cannot raise it" },
	{ "preset-dir", NULL, 0, ATTACHE_VALUE_FOLDER, P | W | A, 0,
		"`$XDG_CONFIG_HOME/attache/presets`", "DIR", "Read user presets from DIR",
		"user presets (docs/presets.md)" },
	{ "campaign", NULL, 'c', ATTACHE_VALUE_FILE, P | W | I | A, 0, NULL,
		"FILE|NAME",
		"Draw a campaign's logo and text layers (a .ini file, or NAME in "
		"$XDG_CONFIG_HOME/attache/campaigns/)",
		"draw a campaign's logo and text layers: a .ini file, or a NAME in "
		"`~/.config/attache/campaigns/` or the shipped ones (`demo`; "
		"docs/campaigns.md); in attache.ini "
		"a file inside INBOX or an `--allow-path` folder" },
	{ "lang", "langs", 0, ATTACHE_VALUE_LANGS_ALL, P | W | I | A, 0,
		"the campaign's", "LIST",
		"Languages to make, a comma list (fr,ar,zh) or all (the campaign's "
		"languages); one output per preset and language",
		"languages to make from one decode: a comma list (`fr,ar,zh`) or "
		"`all` (the campaign's `languages =`); each language's text and "
		"alt text; with more than one, outputs are named "
		"STEM.PRESET.LANG.EXT (docs/prep.md, \"Languages\")" },
	{ "alt", NULL, 0, ATTACHE_VALUE_TEXT, P | W | I | A,
		0, NULL, "TEXT", "Alt text for every photo without its own (x-default)",
		"alt text for every photo without its own (docs/alt-text.md)" },
	{ "alt", NULL, 0, ATTACHE_VALUE_TEXT, ATTACHE_SCOPE_PHOTO, 0, NULL, "TEXT",
		NULL,
		"the photo's alt text, x-default; `alt.LANG` (`alt.fr`, `alt.zh-Hans`) "
		"in a language, or `LANG =` in an `[alt]` group" },
	{ "alt-file", NULL, 0, ATTACHE_VALUE_FILE, P | W | I | A, 0, NULL, "FILE",
		"Read that alt text from a UTF-8 file",
		"the same, from a UTF-8 file (in attache.ini: inside INBOX or an "
		"`--allow-path` folder)" },
	{ "alt-manifest", NULL, 0, ATTACHE_VALUE_FILE,
		P | W | I | A, 0, NULL, "FILE",
		"Alt text per photo and language from a CSV file (file,lang,alt)",
		"alt text per photo and language, a CSV file `file,lang,alt`" },
	{ "require-alt", NULL, 0, ATTACHE_VALUE_FLAG, P | W | I | A, 0, "`false`",
		NULL, "A photo without alt text is an error",
		"a photo without alt text is an error (prep: exit 1; watch: to "
		"failed/)" },
	{ "scan-text", NULL, 0, ATTACHE_VALUE_FLAG, P | W | I | A | ATTACHE_SCOPE_CAMPAIGN, 0, "`false`", NULL,
		"Read text in the photo (signs, shop names) that may name where it was taken: flag shows-text",
		"read the text in each photo with Tesseract, in the run's languages "
		"and English (signs, shop names, plates can name the place): each "
		"word's box in the JSON line and the manifest (`text_found`), the "
		"flag `shows-text`, the words on the review page; also "
		"`scan-text = yes` in a campaign's `[campaign]` (docs/prep.md, "
		"\"Text in the photo\")" },
	{ "alt-long", NULL, 0, ATTACHE_VALUE_TEXT, P | W | I | A, 0, NULL, "TEXT",
		"Long description (ExtDescrAccessibility)",
		"long description (ExtDescrAccessibility)" },
	{ "upload", NULL, 0, ATTACHE_VALUE_TARGETS, P | W | I, PIN, NULL,
		"TARGETS",
		"Then upload each output to its platform: x, mastodon, bluesky (a "
		"comma list; see attache upload --help for credentials)",
		"then upload each output to its own platform: a list of `x`, "
		"`mastodon`, `bluesky` (docs/upload.md)" },
	{ "campaign", NULL, 'c', ATTACHE_VALUE_FILE, ATTACHE_SCOPE_UPLOAD, 0, NULL,
		"FILE|NAME",
		"Upload each language's output to the account the campaign's "
		"[accounts] names for it",
		"upload each output to the account the campaign's `[accounts]` names "
		"for its language (docs/upload.md, \"Accounts per language\")" },
	{ "allow-no-alt", NULL, 0, ATTACHE_VALUE_FLAG, ATTACHE_SCOPE_UPLOAD, 0, NULL,
		NULL, "Upload a file that has no alt text (refused otherwise)",
		"upload a file that has no alt text of its own or given; without "
		"it such a file is refused (code `alt-text`, docs/upload.md)" },
	{ "by", NULL, 0, ATTACHE_VALUE_TEXT, P | W | I | A, 0, "the login name",
		"NAME", "Who prepares (recorded for approval; default: login name)",
		"who prepares (recorded in the manifest, for the approval gate)" },
	{ "require-approval", NULL, 0, ATTACHE_VALUE_FLAG, W | I, PIN,
		"on whenever `upload` is", NULL,
		"Upload only what a second person approved, whatever attache.ini "
		"says",
		"upload only what a second person approved (docs/review.md)" },
	{ "no-approval", NULL, 0, ATTACHE_VALUE_FLAG, W, 0, NULL, NULL,
		"Upload without waiting for approval (attache.ini cannot say this)",
		"upload without waiting for approval; attache.ini cannot say this" },
	{ "allow-path", NULL, 0, ATTACHE_VALUE_DIRS, W | I,
		ATTACHE_OPTION_OPERATOR | REP, NULL, "DIR",
		"attache.ini may name files and folders in DIR too (out, campaign, "
		"alt-file, alt-manifest); repeatable",
		"attache.ini may name files and folders beneath DIR too; "
		"repeatable; the operator's only (not a key of attache.ini)" },
	{ "notes-lang", NULL, 0, ATTACHE_VALUE_LANG, W | I, 0, "`en`", "LANG",
		"Language of the notes for people (failed/PHOTO.error.txt, "
		"attache.ini.error.txt): en, fr, es, ar, zh or ru (default en)",
		"language of the notes for people (`failed/PHOTO.error.txt`, "
		"`attache.ini.error.txt`): `en`, `fr`, `es`, `ar`, `zh` or `ru`" },
	{ "keep-originals", NULL, 0, ATTACHE_VALUE_INT, W | I, 0, "keep for ever",
		"DAYS",
		"Delete originals from INBOX/done/ DAYS days after they were done "
		"(they still carry their GPS)",
		"delete originals from `INBOX/done/` DAYS days (1 or more) after "
		"they were done; they still carry their GPS (below)" },
	{ "once", NULL, 0, ATTACHE_VALUE_FLAG, W, 0, NULL, NULL,
		"Process what is in INBOX, then exit (for cron)",
		"finish what an interrupted run left, take what is in INBOX, exit" },
	{ "poll", NULL, 0, ATTACHE_VALUE_SECONDS, W, 0, NULL, "SECONDS",
		"Look for new files every SECONDS instead of being told (for network "
		"and synced folders without inotify)",
		"look for new files every SECONDS instead of being told (network "
		"and synced folders without inotify)" },
	{ "settle", NULL, 0, ATTACHE_VALUE_SECONDS, W, 0, "`2`", "SECONDS",
		"A file still open is complete once unchanged this long (default 2)",
		"a file still open is complete once unchanged this long" },
	{ "dry-run", NULL, 'n', ATTACHE_VALUE_FLAG, P, 0, NULL, NULL,
		"Print what would be written, where and under which names; write "
		"nothing",
		"print each output that would be written, where and under which "
		"name (the real one, `-2` included), and write nothing: no output "
		"folder, no manifest, no upload; photos are checked but not "
		"decoded (\"Dry run\" below)" },
	{ "quiet", NULL, 'q', ATTACHE_VALUE_FLAG, P | W, 0, NULL, NULL,
		"Print nothing but errors", "print nothing but errors" },
	{ "verbose", NULL, 'v', ATTACHE_VALUE_FLAG, P | W, 0, NULL, NULL,
		"Say more about each step", "say more about each step" },
	{ "lang", "langs", 0, ATTACHE_VALUE_LANGS, ATTACHE_SCOPE_REVIEW, 0, NULL,
		"LIST",
		"Languages every photo needs alt text in, a comma list (en,fr,ar)",
		"languages every photo needs alt text in, a comma list" },
};

/* attache_prep_options_set()'s bookkeeping lives here, below the
 * pipeline, so that attache_prep_options_free() can free it without a
 * cycle between prep.c and options-set.c. */
void
attache__options_given_free(AttacheOptionsGiven *g)
{
	if (!g)
		return;
	if (g->own_presets)
		attache_preset_set_free(g->presets);
	g_free(g);
}

AttacheOptionsGiven *
attache__options_given(AttachePrepOptions *opts)
{
	if (!opts->given)
		opts->given = g_new0(AttacheOptionsGiven, 1);
	return opts->given;
}

const AttacheOption *
attache_options(guint *n)
{
	if (n)
		*n = G_N_ELEMENTS(options);
	return options;
}

const AttacheOption *
attache_option_find(const char *name, guint scope)
{
	/* old spellings are the command line's (and C callers'): attache.ini
	 * never had them, and a typo there stays an error */
	gboolean aliases = (scope & ~ATTACHE_SCOPE_INI) != 0;
	for (guint i = 0; name && i < G_N_ELEMENTS(options); i++) {
		const AttacheOption *o = &options[i];
		gboolean alias = aliases && o->alias && g_str_equal(o->alias, name);
		if ((o->scope & scope) && (g_str_equal(o->name, name) || alias))
			return o;
	}
	return NULL;
}

static AttacheCode
bad(GError **error, const char *key, const char *value, const char *expect)
{
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
		"%s: \"%s\": expected %s", key, value, expect);
	return ATTACHE_E_USAGE;
}

/* What a value of @type looks like, for messages. */
static const char *
expected(AttacheValueType type)
{
	switch (type) {
	case ATTACHE_VALUE_FLAG:
	case ATTACHE_VALUE_BOOL:
		return "true or false";
	case ATTACHE_VALUE_INT:
		return "a whole number, 0 or more";
	case ATTACHE_VALUE_SECONDS:
		return "a number of seconds, 0 or more";
	case ATTACHE_VALUE_LANG:
		return "a language tag (en, fr, zh-Hans)";
	case ATTACHE_VALUE_LANGS:
		return "a comma list of language tags (en,fr,ar)";
	case ATTACHE_VALUE_LANGS_ALL:
		return "a comma list of language tags (fr,ar,zh), or all";
	case ATTACHE_VALUE_NAMES:
		return "a comma list of preset names";
	case ATTACHE_VALUE_FIT:
		return "cover, contain or inside";
	case ATTACHE_VALUE_CROP:
		return "attention, entropy, centre, focus or attention-only";
	case ATTACHE_VALUE_FOCUS:
		return "X,Y with each between 0 and 1 (fractions of the photo's "
			   "width and height)";
	case ATTACHE_VALUE_KEEP:
		return "none, or a list of credit, datetime, camera";
	case ATTACHE_VALUE_PIXELS:
		return "a number of pixels or megapixels (100MP)";
	case ATTACHE_VALUE_SIZE:
		return "a size (512M, 2G, 65536K)";
	case ATTACHE_VALUE_FOLDER:
		return "a folder";
	case ATTACHE_VALUE_DIRS:
		return "an absolute folder";
	case ATTACHE_VALUE_TARGETS:
		return "a comma list of x, mastodon, bluesky (or nothing)";
	case ATTACHE_VALUE_ROTATE:
		return "0, 90, 180 or 270 (degrees clockwise)";
	case ATTACHE_VALUE_PROTECT:
		return "faces, text or faces,text";
	case ATTACHE_VALUE_REGIONS:
		return "X,Y,W,H boxes, fractions of the upright photo";
	case ATTACHE_VALUE_FACES:
		return "face numbers from 1 to 64";
	case ATTACHE_VALUE_TEXT:
	case ATTACHE_VALUE_FILE:
		break;
	}
	return "UTF-8 text";
}

/* Each item of a comma list: present and @valid. At least one when @one. */
static gboolean
list_ok(const char *value, gboolean (*valid)(const char *), gboolean one)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	int n = 0;
	for (int i = 0; parts[i]; i++) {
		char *item = g_strstrip(parts[i]);
		if (!*item)
			continue;
		if (!valid(item))
			return FALSE;
		n++;
	}
	return n > 0 || !one;
}

static gboolean
number_ok(const char *s, gboolean whole)
{
	char *end;
	errno = 0;
	double d = whole ? (double)g_ascii_strtoll(s, &end, 10)
					 : g_ascii_strtod(s, &end);
	return !errno && end != s && !*end && d >= 0 && d < 1e9;
}

/* Checks the types whose words live in core (names.c, budget.c). */
static gboolean
core_value_ok(AttacheValueType type, const char *value)
{
	AttacheFit f;
	AttacheCrop c;
	double x, y;
	gint64 n;
	guint keep;
	switch (type) {
	case ATTACHE_VALUE_FIT:
		return attache_fit_from_string(value, &f);
	case ATTACHE_VALUE_CROP:
		return attache_crop_from_string(value, &c);
	case ATTACHE_VALUE_FOCUS:
		return attache_focus_from_string(value, &x, &y);
	case ATTACHE_VALUE_KEEP:
		return attache_keep_from_string(value, &keep, NULL) == ATTACHE_OK;
	case ATTACHE_VALUE_PIXELS:
		return attache_pixels_from_string(value, &n);
	case ATTACHE_VALUE_SIZE:
		return attache_size_from_string(value, &n);
	case ATTACHE_VALUE_ROTATE:
		return attache_rotate_from_string(value, NULL);
	case ATTACHE_VALUE_PROTECT:
		return attache__protect_from_string(value, NULL);
	default:
		return TRUE;
	}
}

AttacheCode
attache_option_check(const AttacheOption *o, const char *value,
	GError **error)
{
	gboolean b;
	if (!g_utf8_validate(value, -1, NULL))
		return bad(error, o->name, "?", "UTF-8 text");
	switch (o->type) {
	case ATTACHE_VALUE_FLAG:
	case ATTACHE_VALUE_BOOL:
		if (!attache__value_bool(value, &b))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_INT:
	case ATTACHE_VALUE_SECONDS:
		if (!number_ok(value, o->type == ATTACHE_VALUE_INT))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_LANG:
		if (!attache__lang_tag_valid(value))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_LANGS:
		if (!list_ok(value, attache__lang_tag_valid, FALSE))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_LANGS_ALL:
		if (g_ascii_strcasecmp(value, "all") != 0 && !list_ok(value, attache__lang_tag_valid, FALSE))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_NAMES:
		if (!list_ok(value, attache__value_name, FALSE))
			return bad(error, o->name, value, expected(o->type));
		if (!list_ok(value, attache__value_name, TRUE))
			return bad(error, o->name, value, "at least one preset name");
		return ATTACHE_OK;
	case ATTACHE_VALUE_FOLDER:
		if (!*value)
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_DIRS: {
		g_auto(GStrv) dirs = g_strsplit(value, "\n", -1);
		for (int i = 0; dirs[i]; i++)
			if (*dirs[i] && !g_path_is_absolute(dirs[i]))
				return bad(error, o->name, dirs[i], expected(o->type));
		return ATTACHE_OK;
	}
	case ATTACHE_VALUE_TARGETS: /* the names: the upload layer's */
		if (!list_ok(value, attache__value_name, FALSE))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	case ATTACHE_VALUE_TEXT:
	case ATTACHE_VALUE_FILE:
		return ATTACHE_OK;
	case ATTACHE_VALUE_REGIONS:
	case ATTACHE_VALUE_FACES: {
		g_autoptr(GPtrArray) r = NULL;
		guint64 bits;
		g_autoptr(GError) e = NULL;
		AttacheCode code = o->type == ATTACHE_VALUE_REGIONS ? attache__regions_from_string(value, &r, &e)
															: attache__unmask_from_string(value, &bits, &e);
		if (code)
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "%s: %s", o->name, e->message);
		return code;
	}
	default:
		if (!core_value_ok(o->type, value))
			return bad(error, o->name, value, expected(o->type));
		return ATTACHE_OK;
	}
}

/* `-p, --presets NAME` */
static void
append_flag(GString *s, const AttacheOption *o)
{
	g_string_append(s, "`");
	if (o->short_name)
		g_string_append_printf(s, "-%c, ", o->short_name);
	g_string_append_printf(s, "--%s", o->name);
	if (o->metavar)
		g_string_append_printf(s, " %s", o->metavar);
	g_string_append(s, "`");
	if (o->alias)
		g_string_append_printf(s, " (or `--%s`)", o->alias);
}

/* Markdown's table cells: a | inside one would end it. */
static void
append_cell(GString *s, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '|')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *p);
	}
}

char *
attache_options_markdown(guint scope)
{
	GString *s = g_string_new(NULL);
	/* the settings files' tables name keys, not flags */
	gboolean ini = scope == ATTACHE_SCOPE_INI || scope == ATTACHE_SCOPE_PHOTO;
	g_string_append(s, ini ? "| key | value | default |\n|---|---|---|\n"
						   : "| option | | default |\n|---|---|---|\n");
	for (guint i = 0; i < G_N_ELEMENTS(options); i++) {
		const AttacheOption *o = &options[i];
		if (!(o->scope & scope) || (ini && (o->flags & ATTACHE_OPTION_OPERATOR)))
			continue;
		GString *cell = g_string_new(NULL);
		if (ini)
			g_string_append_printf(cell, "`%s`", o->name);
		else
			append_flag(cell, o);
		g_string_append(s, "| ");
		append_cell(s, cell->str);
		g_string_append(s, " | ");
		append_cell(s, o->doc);
		if (!ini && (o->flags & ATTACHE_OPTION_PINNABLE) && (scope & ATTACHE_SCOPE_WATCH))
			g_string_append(s, "; pinned (below)");
		g_string_append(s, " | ");
		if (o->default_value)
			append_cell(s, o->default_value);
		g_string_append(s, " |\n");
		g_string_free(cell, TRUE);
	}
	return g_string_free(s, FALSE);
}
