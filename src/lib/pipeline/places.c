/* SPDX-License-Identifier: MIT */
/*
 * places.c: alt text that names where the photo was taken
 * (docs/alt-text.md, "Place names").
 *
 * attache removes the GPS and the place names from every output, but alt
 * text written from the photo's caption often says the city again. The
 * places a photo's own metadata names (IPTC City, Sub-location,
 * Province-State, Country; XMP photoshop:City, State, Country,
 * Iptc4xmpCore:Location, and the Iptc4xmpExt location structures) are
 * taken from the audit of the original, the independent reader that
 * already finds them, and each alt text is searched for them: NFKC,
 * casefolded, on word boundaries. A hit flags the output
 * (`alt-names-place`) and warns, naming the place; it does not fail,
 * since a place may be named on purpose (a reviewer says yes).
 */
#include "private.h"

#include <string.h>

/* The fields that hold a place's name (not its codes: "US" would match
 * "us"). Matched at the end of a finding's "where". */
static const char *const place_fields[] = {
	" City",
	" Sub-location",
	" Province-State",
	" Country-PrimaryLocationName",
	"photoshop:City",
	"photoshop:State",
	"photoshop:Country",
	"Iptc4xmpCore:Location",
	"Iptc4xmpExt:City",
	"Iptc4xmpExt:Sublocation",
	"Iptc4xmpExt:ProvinceState",
	"Iptc4xmpExt:CountryName",
};

/* NFKC, casefolded, NFKC again (folding can undo the normal form).
 * (transfer full) */
static char *
fold(const char *s)
{
	g_autofree char *n = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	if (!n)
		return NULL;
	g_autofree char *f = g_utf8_casefold(n, -1);
	return g_utf8_normalize(f, -1, G_NORMALIZE_NFKC);
}

GPtrArray *
attache__places_from_report(const AttacheAuditReport *r)
{
	GPtrArray *places = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
		g_str_equal, g_free, NULL);
	for (guint i = 0; r && i < r->findings->len; i++) {
		const AttacheFinding *f = r->findings->pdata[i];
		gboolean field = FALSE;
		for (guint k = 0; k < G_N_ELEMENTS(place_fields) && !field; k++)
			field = g_str_has_suffix(f->where, place_fields[k]);
		/* a value cut short (…) or not UTF-8 (\xNN: Latin-1 IPTC) is not
		 * the place's name as written: left out rather than guessed */
		if (!field || !f->value || strstr(f->value, "\\x") || g_str_has_suffix(f->value, "\xe2\x80\xa6"))
			continue;
		g_autofree char *v = g_strstrip(g_strdup(f->value));
		g_autofree char *key = fold(v);
		if (!key || g_utf8_strlen(key, -1) < 2 || !g_hash_table_add(seen, g_steal_pointer(&key)))
			continue;
		g_ptr_array_add(places, g_steal_pointer(&v));
	}
	return places;
}

/* Whether a word may end between @before and @after (either may be 0: the
 * text's edge). Letters, digits and combining marks go on a word; scripts
 * written without spaces (Han, kana, Thai ...) put a boundary anywhere. */
static gboolean
boundary(gunichar before, gunichar after)
{
	if (!before || !after)
		return TRUE;
	GUnicodeType t = g_unichar_type(after);
	gboolean joins = g_unichar_isalnum(after) || t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK;
	if (!joins || !g_unichar_isalnum(before))
		return TRUE;
	GUnicodeScript a = g_unichar_get_script(before), b = g_unichar_get_script(after);
	static const GUnicodeScript spaceless[] = { G_UNICODE_SCRIPT_HAN, G_UNICODE_SCRIPT_HIRAGANA,
		G_UNICODE_SCRIPT_KATAKANA, G_UNICODE_SCRIPT_THAI, G_UNICODE_SCRIPT_LAO, G_UNICODE_SCRIPT_KHMER,
		G_UNICODE_SCRIPT_MYANMAR };
	for (guint i = 0; i < G_N_ELEMENTS(spaceless); i++)
		if (a == spaceless[i] || b == spaceless[i])
			return TRUE;
	return FALSE;
}

/* Whether folded @text holds folded @place as whole words. */
static gboolean
names(const char *text, const char *place)
{
	size_t n = strlen(place);
	for (const char *p = strstr(text, place); p; p = strstr(p + 1, place)) {
		gunichar before = p > text ? g_utf8_get_char(g_utf8_find_prev_char(text, p)) : 0;
		gunichar first = g_utf8_get_char(p);
		gunichar last = g_utf8_get_char(g_utf8_find_prev_char(p, p + n));
		gunichar after = p[n] ? g_utf8_get_char(p + n) : 0;
		if (boundary(before, first) && boundary(last, after))
			return TRUE;
	}
	return FALSE;
}

const char *
attache__alt_names_place(const char *text, GPtrArray *places)
{
	g_autofree char *t = text ? fold(text) : NULL;
	for (guint i = 0; t && places && i < places->len; i++) {
		g_autofree char *p = fold(places->pdata[i]);
		if (p && *p && names(t, p))
			return places->pdata[i];
	}
	return NULL;
}
