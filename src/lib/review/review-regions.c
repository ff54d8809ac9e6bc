/* SPDX-License-Identifier: MIT */
/*
 * review-regions.c: what the review page shows of an output's pixels
 * (docs/review.md, "Faces and masks"): each face found and each region
 * filled drawn as a box over the output's image, from the boxes its
 * manifest line gives in the output's own pixels, and a sentence a
 * reviewer reads: "3 faces, masked", "3 faces visible, not masked".
 *
 * The page holds no script: the boxes are positioned by CSS alone, in
 * per cent of the image, so they follow it at any width.
 */
#include "private.h"

#include <string.h>

/* Appends @text escaped for HTML. */
static void
esc(GString *s, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text ? text : "", -1);
	g_string_append(s, e);
}

/* A percentage, with a dot whatever the locale. */
static void
pct(GString *s, const char *prop, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append_printf(s, "%s:%s%%;", prop, g_ascii_formatd(buf, sizeof buf, "%.3f", CLAMP(v, 0, 100)));
}

/* One box of @list (kind @kind), number @n, over a @w x @h image. */
static void
write_box(GString *s, const AttacheRegion *r, const char *kind, guint n, int w, int h)
{
	const char *state = r->masked ? "masked" : "visible";
	g_string_append_printf(s, "<span class=\"box %s %s\" data-kind=\"%s\" data-n=\"%u\" data-masked=\"%s\" style=\"",
		kind, state, kind, n, r->masked ? "yes" : "no");
	pct(s, "left", 100.0 * r->ox / w);
	pct(s, "top", 100.0 * r->oy / h);
	pct(s, "width", 100.0 * r->ow / w);
	pct(s, "height", 100.0 * r->oh / h);
	g_string_append(s, "\" title=\"");
	if (g_str_equal(kind, "face"))
		g_string_append_printf(s, "face %u, %s", n, r->masked ? "masked" : "visible, not masked");
	else if (g_str_equal(kind, "text")) {
		g_string_append(s, "text: ");
		esc(s, r->text);
		g_string_append(s, r->masked ? ", masked" : "");
	}
	else
		g_string_append_printf(s, "region %u, masked by hand", n);
	g_string_append(s, "\"></span>");
}

static void
write_boxes(GString *s, const GPtrArray *list, const char *kind, int w, int h)
{
	for (guint i = 0; list && i < list->len; i++) {
		const AttacheRegion *r = list->pdata[i];
		if (r->in_output && r->ow > 0 && r->oh > 0)
			write_box(s, r, kind, i + 1, w, h);
	}
}

void
attache__review_regions_overlay(GString *s, const AttacheRecord *r)
{
	int w = MAX(r->width, 1), h = MAX(r->height, 1);
	if (!(r->faces && r->faces->len) && !(r->regions && r->regions->len) && !(r->text_found && r->text_found->len))
		return;
	/* decoration over the image: the sentence below says it in words */
	g_string_append(s, "<div class=\"boxes\" aria-hidden=\"true\">");
	write_boxes(s, r->regions, "hand", w, h);
	write_boxes(s, r->text_found, "text", w, h);
	write_boxes(s, r->faces, "face", w, h);
	g_string_append(s, "</div>");
}

/* "face" or "faces". */
static const char *
faces_word(guint n)
{
	return n == 1 ? "face" : "faces";
}

void
attache__review_regions_summary(GString *s, const AttacheRecord *r)
{
	guint masked = 0, n = r->faces ? r->faces->len : 0, cut = 0;
	for (guint i = 0; i < n; i++) {
		const AttacheRegion *f = r->faces->pdata[i];
		masked += f->masked ? 1 : 0;
		cut += f->in_output ? 0 : 1;
	}
	if (r->faces) {
		g_string_append_printf(s, "<div class=\"faces%s\" data-faces=\"%u\" data-masked=\"%u\">",
			n > masked ? " visible" : "", n, masked);
		if (n == 0)
			g_string_append(s, "No face found");
		else if (masked == n)
			g_string_append_printf(s, "%u %s, masked", n, faces_word(n));
		else if (masked == 0)
			g_string_append_printf(s, "%u %s visible, not masked", n, faces_word(n));
		else {
			g_string_append_printf(s, "%u %s: %u masked, %u visible, not masked (", n, faces_word(n), masked, n - masked);
			for (guint i = 0, k = 0; i < n; i++)
				if (!((const AttacheRegion *)r->faces->pdata[i])->masked)
					g_string_append_printf(s, "%sface %u", k++ ? ", " : "", i + 1);
			g_string_append(s, ")");
		}
		if (cut && n)
			g_string_append_printf(s, " <span class=\"muted\">(%u outside this crop)</span>", cut);
		g_string_append(s, "</div>");
	}
	if (r->regions && r->regions->len)
		g_string_append_printf(s, "<div class=\"regions\" data-regions=\"%u\">%u %s masked by hand</div>",
			r->regions->len, r->regions->len, r->regions->len == 1 ? "region" : "regions");
}
