/* SPDX-License-Identifier: MIT */
/*
 * xmp.c: the one XMP packet attache writes.
 *
 * It holds only what attache means to write: the credit a keep policy let
 * through (dc:creator, dc:rights, when the photo had them) and the alt text
 * (IPTC Core 1.3 Iptc4xmpCore:AltTextAccessibility and
 * ExtDescrAccessibility, lang-alt with x-default first).
 */
#include "private.h"

#include <string.h>

static void
lang_alt(GString *s, const char *prop, GPtrArray *alt)
{
	g_string_append_printf(s, "   <%s>\n    <rdf:Alt>\n", prop);
	for (guint i = 0; i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		g_autofree char *lang = g_markup_escape_text(a->lang, -1);
		g_autofree char *text = g_markup_escape_text(a->text, -1);
		g_string_append_printf(s,
			"     <rdf:li xml:lang=\"%s\">%s</rdf:li>\n", lang, text);
	}
	g_string_append_printf(s, "    </rdf:Alt>\n   </%s>\n", prop);
}

GBytes *
attache__xmp_build(const AttacheKept *k, GPtrArray *alt, const char *alt_long)
{
	gboolean creator = k && k->xmp_creator;
	gboolean rights = k && k->xmp_rights;
	gboolean have_alt = alt && alt->len > 0;
	gboolean have_long = alt_long && *alt_long;

	if (!creator && !rights && !have_alt && !have_long)
		return NULL;

	GString *s = g_string_new(NULL);
	g_string_append(s,
		"<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
		" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
		"  <rdf:Description rdf:about=\"\"");
	if (creator || rights)
		g_string_append(s,
			"\n    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"");
	if (have_alt || have_long)
		g_string_append(s, "\n    "
						   "xmlns:Iptc4xmpCore=\"http://iptc.org/std/"
						   "Iptc4xmpCore/1.0/xmlns/\"");
	g_string_append(s, ">\n");

	if (creator) {
		/* dc:creator is an ordered list: one rdf:li per line read */
		g_auto(GStrv) names = g_strsplit(k->xmp_creator, "\n", -1);
		g_string_append(s, "   <dc:creator>\n    <rdf:Seq>\n");
		for (int i = 0; names[i]; i++) {
			g_autofree char *e = g_markup_escape_text(names[i], -1);
			g_string_append_printf(s, "     <rdf:li>%s</rdf:li>\n", e);
		}
		g_string_append(s, "    </rdf:Seq>\n   </dc:creator>\n");
	}
	if (rights) {
		g_autofree char *e = g_markup_escape_text(k->xmp_rights, -1);
		g_string_append_printf(s,
			"   <dc:rights>\n    <rdf:Alt>\n     <rdf:li "
			"xml:lang=\"x-default\">%s</rdf:li>\n    </rdf:Alt>\n   "
			"</dc:rights>\n",
			e);
	}
	if (have_alt)
		lang_alt(s, "Iptc4xmpCore:AltTextAccessibility", alt);
	if (have_long) {
		g_autoptr(GPtrArray) one = g_ptr_array_new();
		AttacheAlt a = { (char *)"x-default", (char *)alt_long };
		g_ptr_array_add(one, &a);
		lang_alt(s, "Iptc4xmpCore:ExtDescrAccessibility", one);
	}
	g_string_append(s, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
					   "<?xpacket end=\"w\"?>");
	gsize len = s->len;
	return g_bytes_new_take(g_string_free(s, FALSE), len);
}
