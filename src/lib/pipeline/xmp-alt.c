/* SPDX-License-Identifier: MIT */
/*
 * xmp-alt.c: the alt text embedded in a file's XMP
 * (Iptc4xmpCore:AltTextAccessibility, a language alternative), read back
 * for the upload gate: under --require-approval the text sent is the one
 * inside the approved bytes, which their SHA-256 covers (docs/upload.md).
 * dc:description, another language alternative some tools fill, counts
 * when the packet has no AltTextAccessibility.
 */
#include "private.h"

#include <string.h>

typedef struct {
	int depth;		  /* > 0 inside one of the two properties */
	gboolean in_desc; /* that property is dc:description */
	gboolean in_li;
	char *li_lang;
	GString *text;
	GPtrArray *alt, *desc; /* AttacheAlt*, in the packet's order */
} AltParse;

static gboolean
local_is(const char *qname, const char *local)
{
	const char *colon = strchr(qname, ':');
	return g_str_equal(colon ? colon + 1 : qname, local);
}

static void
a_start(GMarkupParseContext *c, const char *name, const char **an,
	const char **av, gpointer data, GError **error)
{
	AltParse *p = data;
	if (p->depth > 0)
		p->depth++;
	else if (local_is(name, "AltTextAccessibility") || g_str_equal(name, "dc:description")) {
		p->depth = 1;
		p->in_desc = g_str_equal(name, "dc:description");
	}
	if (p->depth > 0 && g_str_equal(name, "rdf:li")) {
		p->in_li = TRUE;
		g_free(p->li_lang);
		p->li_lang = NULL;
		for (int i = 0; an[i]; i++)
			if (g_str_equal(an[i], "xml:lang"))
				p->li_lang = g_strdup(av[i]);
		g_string_truncate(p->text, 0);
	}
}

static void
a_end(GMarkupParseContext *c, const char *name, gpointer data,
	GError **error)
{
	AltParse *p = data;
	/* bounded: a packet of a thousand languages is not one prep wrote */
	GPtrArray *to = p->in_desc ? p->desc : p->alt;
	if (p->depth > 0 && p->in_li && g_str_equal(name, "rdf:li") && to->len < 256) {
		p->in_li = FALSE;
		AttacheAlt *a = g_new0(AttacheAlt, 1);
		a->lang = g_strdup(p->li_lang ? p->li_lang : "x-default");
		a->text = g_strdup(p->text->str);
		g_ptr_array_add(to, a);
	}
	if (p->depth > 0)
		p->depth--;
}

static void
a_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data,
	GError **error)
{
	AltParse *p = data;
	if (p->depth > 0 && p->in_li)
		g_string_append_len(p->text, text, (gssize)len);
}

static gboolean
blank(const char *s)
{
	while (g_ascii_isspace(*s))
		s++;
	return *s == '\0';
}

GPtrArray *
attache__xmp_alts(const char *xmp, gsize len)
{
	static const GMarkupParser parser = { a_start, a_end, a_text, NULL,
		NULL };
	AltParse p = { 0 };
	p.alt = g_ptr_array_new_with_free_func((GDestroyNotify)attache_alt_free);
	p.desc = g_ptr_array_new_with_free_func((GDestroyNotify)attache_alt_free);
	/* the packet: from <x:xmpmeta (or <rdf:RDF) to its end tag */
	const char *start = xmp && len ? g_strstr_len(xmp, (gssize)len, "<x:xmpmeta") : NULL;
	if (!start && xmp && len)
		start = g_strstr_len(xmp, (gssize)len, "<rdf:RDF");
	if (start) {
		p.text = g_string_new(NULL);
		GMarkupParseContext *ctx = g_markup_parse_context_new(&parser,
			G_MARKUP_TREAT_CDATA_AS_TEXT, &p, NULL);
		gsize n = len - (gsize)(start - xmp);
		/* a packet ends with <?xpacket end?>: GMarkup takes PIs as they
		 * are; what was read before an error counts */
		g_markup_parse_context_parse(ctx, start, (gssize)n, NULL);
		g_markup_parse_context_free(ctx);
		g_string_free(p.text, TRUE);
	}
	g_free(p.li_lang);
	/* blank entries are no alt text */
	for (GPtrArray *a = p.alt; a; a = a == p.alt ? p.desc : NULL)
		for (guint i = a->len; i > 0; i--)
			if (blank(((AttacheAlt *)a->pdata[i - 1])->text))
				g_ptr_array_remove_index(a, i - 1);
	if (p.alt->len) {
		g_ptr_array_unref(p.desc);
		return p.alt;
	}
	g_ptr_array_unref(p.alt);
	return p.desc;
}

const char *
attache__alt_pick(GPtrArray *alt, const char *lang)
{
	const char *x_default = NULL;
	for (guint i = 0; alt && i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		if (lang && !g_ascii_strcasecmp(a->lang, lang))
			return a->text;
		if (!x_default && !g_ascii_strcasecmp(a->lang, "x-default"))
			x_default = a->text;
	}
	if (x_default)
		return x_default;
	return alt && alt->len ? ((AttacheAlt *)alt->pdata[0])->text : NULL;
}

const char *
attache__alt_default_lang(GPtrArray *alt)
{
	const char *x_default = attache__alt_pick(alt, NULL);
	for (guint i = 0; x_default && i < alt->len; i++) {
		const AttacheAlt *a = alt->pdata[i];
		if (g_ascii_strcasecmp(a->lang, "x-default") && g_str_equal(a->text, x_default))
			return a->lang;
	}
	return NULL;
}

char *
attache__xmp_alt_text(const char *xmp, gsize len)
{
	g_autoptr(GPtrArray) alt = attache__xmp_alts(xmp, len);
	return g_strdup(attache__alt_pick(alt, NULL));
}
