/* SPDX-License-Identifier: MIT */
/*
 * flags.c: the one table of what a reviewer is told about an output, each
 * flag with its severity (docs/review.md, "Severities"), and the flags of
 * one output as its manifest line and its bytes now say. The review page
 * shows them; attache approve approves by their severity.
 *
 * A flag this table does not know (a newer attache's, such as the coming
 * faces and text found in the picture) needs a deliberate yes: doubt
 * never approves in bulk.
 */
#include "private.h"

#include <string.h>

/* worst first: an output's reasons are listed in this order */
static const AttacheFlagInfo flags[] = {
	{ "audit-failed", ATTACHE_SEVERITY_BLOCKING, "Audit failed",
		"the file carries location, serial numbers or other forbidden "
		"metadata, or cannot be audited: it must not be published" },
	{ "changed", ATTACHE_SEVERITY_BLOCKING, "Changed since prep",
		"these are not the bytes attache made: prepare it again" },
	{ "alt-missing", ATTACHE_SEVERITY_NEEDS_YES, "No alt text",
		"screen-reader users get nothing" },
	{ "alt-language", ATTACHE_SEVERITY_NEEDS_YES,
		"No alt text in its language",
		"readers in the language it is posted in get the x-default text" },
	{ "alt-filename", ATTACHE_SEVERITY_NEEDS_YES,
		"Alt text only repeats the file name",
		"describe what the photo shows" },
	{ "alt-over", ATTACHE_SEVERITY_NEEDS_YES, "Alt text over the limit",
		"longer than its platform takes" },
	{ "alt-names-place", ATTACHE_SEVERITY_NEEDS_YES, "Alt text names a place",
		"the alt text names a place the photo's metadata gave (city, region "
		"or country): the GPS was removed, but the text still says where it "
		"was taken; publish only if that is meant" },
	{ "faces-visible", ATTACHE_SEVERITY_NEEDS_YES, "Faces visible, not masked",
		"the campaign requires protection and a face in the photo is not "
		"masked: publish only if that person may be shown" },
	{ "no-face-found", ATTACHE_SEVERITY_NEEDS_YES, "Protected, no face found",
		"the photo was to have its faces masked and attache found none: "
		"look for faces it missed (profiles, small or covered faces) and "
		"mask them by hand" },
	{ "shows-text", ATTACHE_SEVERITY_NEEDS_YES, "The photo shows text",
		"readable text (a sign, a shop name, a number plate) may say where "
		"it was taken: mask it or publish only if that is meant" },
	{ "faces-cut", ATTACHE_SEVERITY_NEEDS_YES, "A crop cuts a head",
		"a crop edge runs through a person's head: no frame of this shape "
		"holds every head, or the crop was chosen by hand" },
	{ "quality-floor", ATTACHE_SEVERITY_INFO, "Quality floor",
		"the byte budget forced the lowest quality the preset allows: look "
		"for blocky artefacts" },
	{ "downscaled", ATTACHE_SEVERITY_INFO, "Downscaled",
		"made smaller than the preset's size to meet the byte budget" },
	{ "upscaled", ATTACHE_SEVERITY_INFO, "Upscaled",
		"enlarged beyond the photo's own pixels: it may look soft" },
	{ "padded", ATTACHE_SEVERITY_INFO, "Padding",
		"the photo does not fill the frame: bands were added around it" },
	{ "small-source", ATTACHE_SEVERITY_INFO, "Small source",
		"the photo has fewer pixels than the preset asks for" },
	{ "format-fallback", ATTACHE_SEVERITY_INFO, "Format fallback",
		"saved in another format than the preset's, to meet the budget" },
	{ "warning", ATTACHE_SEVERITY_INFO, "Prep warning",
		"attache prep noted something about the photo (shown as written)" },
};

/* what a flag this attache does not know is */
static const AttacheFlagInfo unknown = { "unknown", ATTACHE_SEVERITY_NEEDS_YES,
	"Unknown flag", "a flag this attache does not know: look at the output" };

const char *
attache_severity_name(AttacheSeverity severity)
{
	switch (severity) {
	case ATTACHE_SEVERITY_NONE:
		return "none";
	case ATTACHE_SEVERITY_INFO:
		return "info";
	case ATTACHE_SEVERITY_NEEDS_YES:
		return "needs-yes";
	case ATTACHE_SEVERITY_BLOCKING:
		return "blocking";
	}
	return "none";
}

AttacheSeverity
attache_flag_severity(const char *flag)
{
	return attache__flag_info(flag)->severity;
}

const char *
attache_flag_label(const char *flag)
{
	const AttacheFlagInfo *f = attache__flag_info(flag);
	return f == &unknown ? flag : f->label;
}

const AttacheFlagInfo *
attache__flag_table(guint *n)
{
	*n = G_N_ELEMENTS(flags);
	return flags;
}

const AttacheFlagInfo *
attache__flag_info(const char *name)
{
	for (guint i = 0; name && i < G_N_ELEMENTS(flags); i++)
		if (g_str_equal(flags[i].name, name))
			return &flags[i];
	return &unknown;
}

void
attache__record_check_alt(const char *text, const AttacheRecord *r,
	int max_chars, AttacheAltCheck *c)
{
	char *names[7] = { NULL };
	int n = 0;
	const char *files[2] = { r->input, r->file };
	for (int i = 0; i < 2; i++) {
		if (!files[i])
			continue;
		names[n++] = g_path_get_basename(files[i]);
		names[n] = attache__file_stem(names[n - 1]);
		n++;
		if (r->preset && i == 1) { /* STEM.PRESET[.LANG].EXT -> STEM */
			g_autofree char *own = r->lang ? g_strdup_printf(".%s", r->lang) : NULL;
			const char *cut = names[n - 1];
			g_autofree char *nolang = own && g_str_has_suffix(cut, own)
										  ? g_strndup(cut, strlen(cut) - strlen(own))
										  : NULL;
			names[n] = nolang ? attache__file_stem(nolang) : attache__output_name_stem(names[n - 2]);
			n++;
		}
	}
	attache__alt_check(text, (const char *const *)names, max_chars, c);
	for (int i = 0; i < n; i++)
		g_free(names[i]);
}

/* The alt-text flags of @r: none at all, none in a language it is posted
 * in (its own, and @expected), only the file name, over @max_chars. */
static void
alt_flags(const AttacheRecord *r, int max_chars, char **expected,
	gboolean *set)
{
	/* nothing a screen reader could read: the test prep counts with */
	if (attache__alt_none(r->alt)) {
		set[0] = TRUE;
		return;
	}
	for (guint i = 0; i < r->alt->len; i++) {
		const AttacheAlt *a = r->alt->pdata[i];
		AttacheAltCheck c;
		attache__record_check_alt(a->text, r, max_chars, &c);
		if (c.blank) { /* blank in one language: none in it */
			set[1] |= g_ascii_strcasecmp(a->lang, "x-default") != 0;
			continue;
		}
		set[2] |= c.repeats_name;
		set[3] |= c.over;
	}
	if (r->lang && *r->lang && !attache__record_alt(r, r->lang))
		set[1] = TRUE;
	for (int i = 0; expected && expected[i]; i++)
		set[1] |= !attache__record_alt(r, expected[i]);
}

/* The place of flag @name in the table's order: worst first, a flag
 * this attache does not know after the other needs-yes ones. */
static guint
rank(const char *name)
{
	const AttacheFlagInfo *f = attache__flag_info(name);
	if (f != &unknown)
		return (guint)(f - flags) * 2;
	for (guint i = 0; i < G_N_ELEMENTS(flags); i++)
		if (flags[i].severity < ATTACHE_SEVERITY_NEEDS_YES)
			return i * 2 - 1;
	return G_N_ELEMENTS(flags) * 2;
}

static int
by_rank(gconstpointer a, gconstpointer b)
{
	guint x = rank(*(const char *const *)a), y = rank(*(const char *const *)b);
	return x < y ? -1 : x > y;
}

void
attache__record_flags(const AttacheRecord *r, const AttachePreset *preset,
	char **expected, gboolean changed, gboolean audit_failed, GPtrArray *out)
{
	/* alt-missing, alt-language, alt-filename, alt-over */
	gboolean alt[4] = { FALSE };
	alt_flags(r, preset ? preset->alt_max_chars : 0, expected, alt);
	const gboolean derived[] = { audit_failed, changed, alt[0], alt[1], alt[2],
		alt[3] };
	for (guint i = 0; i < G_N_ELEMENTS(derived); i++)
		if (derived[i])
			g_ptr_array_add(out, (gpointer)flags[i].name);
	if (r->warnings[0])
		g_ptr_array_add(out, (gpointer) "warning");
	/* the manifest's own, a newer attache's included */
	for (int i = 0; r->flags[i]; i++)
		if (!g_ptr_array_find_with_equal_func(out, r->flags[i], g_str_equal, NULL))
			g_ptr_array_add(out, r->flags[i]);
	g_ptr_array_sort(out, by_rank);
}

AttacheSeverity
attache__flags_severity(GPtrArray *names)
{
	AttacheSeverity s = ATTACHE_SEVERITY_NONE;
	for (guint i = 0; names && i < names->len; i++)
		s = MAX(s, attache__flag_info(names->pdata[i])->severity);
	return s;
}
