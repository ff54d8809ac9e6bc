/* SPDX-License-Identifier: MIT */
/*
 * xmp-alt.c: the alt text embedded in a file's XMP
 * (Iptc4xmpCore:AltTextAccessibility, a language alternative), read back
 * for the upload gate: under --require-approval the text sent is the one
 * inside the approved bytes, which their SHA-256 covers (docs/upload.md).
 */
#include "private.h"

#include <string.h>

typedef struct {
	int depth_alt; /* > 0 inside AltTextAccessibility */
	gboolean in_li;
	char *li_lang;
	GString *text;
	char *x_default, *first;
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
	if (p->depth_alt > 0)
		p->depth_alt++;
	else if (local_is(name, "AltTextAccessibility"))
		p->depth_alt = 1;
	if (p->depth_alt > 0 && g_str_equal(name, "rdf:li")) {
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
	if (p->depth_alt > 0 && p->in_li && g_str_equal(name, "rdf:li")) {
		p->in_li = FALSE;
		if (!p->first)
			p->first = g_strdup(p->text->str);
		if (!p->x_default && p->li_lang && !g_ascii_strcasecmp(p->li_lang, "x-default"))
			p->x_default = g_strdup(p->text->str);
	}
	if (p->depth_alt > 0)
		p->depth_alt--;
}

static void
a_text(GMarkupParseContext *c, const char *text, gsize len, gpointer data,
	GError **error)
{
	AltParse *p = data;
	if (p->depth_alt > 0 && p->in_li)
		g_string_append_len(p->text, text, (gssize)len);
}

char *
attache__xmp_alt_text(const char *xmp, gsize len)
{
	static const GMarkupParser parser = { a_start, a_end, a_text, NULL,
		NULL };
	AltParse p = { 0 };
	if (!xmp || !len)
		return NULL;
	/* the packet: from <x:xmpmeta (or <rdf:RDF) to its end tag */
	const char *start = g_strstr_len(xmp, (gssize)len, "<x:xmpmeta");
	if (!start)
		start = g_strstr_len(xmp, (gssize)len, "<rdf:RDF");
	if (!start)
		return NULL;
	p.text = g_string_new(NULL);
	GMarkupParseContext *ctx = g_markup_parse_context_new(&parser,
		G_MARKUP_TREAT_CDATA_AS_TEXT, &p, NULL);
	gsize n = len - (gsize)(start - xmp);
	/* a packet ends with <?xpacket end?>: GMarkup takes PIs as they are */
	gboolean ok = g_markup_parse_context_parse(ctx, start, (gssize)n, NULL);
	g_markup_parse_context_free(ctx);
	char *out = ok || p.x_default || p.first
					? g_strdup(p.x_default ? p.x_default : p.first)
					: NULL;
	g_free(p.li_lang);
	g_string_free(p.text, TRUE);
	g_free(p.x_default);
	g_free(p.first);
	return out;
}
