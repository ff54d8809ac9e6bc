/* SPDX-License-Identifier: MIT */
/*
 * brand.c: stage 5, the campaign's layers drawn on a fitted output.
 *
 * Geometry (docs/campaigns.md): every length is a fraction of the output's
 * shorter side, so a logo has the same pixel size on a landscape and a
 * portrait output with the same shorter side. Layers are placed at one of
 * nine anchors inside the preset's safe area, inset by their margin, and
 * shrunk when they would not fit in it.
 *
 * Each layer is rendered once per rendered size (text shaped by Pango through
 * vips_text, logos resized with premultiplied alpha, opacity applied) and
 * kept in the campaign for the rest of the batch, premultiplied, so that
 * blending is one multiply and one add per pixel under the layer (half what
 * vips_composite2 costs). Only the pixels under a layer are computed: each
 * is blended as a small patch and drawn into a copy of the output.
 */
#include "private.h"

#include <math.h>
#include <string.h>

typedef struct {
	int sl, st, sr, sb; /* safe area, [sl, sr) x [st, sb) */
	int il, it, ir, ib; /* safe area inset by the layer's margin */
	int m;
	int s; /* the shorter side */
} Frame;

static void
frame_for(const AttachePreset *p, int W, int H, double margin, Frame *f)
{
	f->s = VIPS_MIN(W, H);
	f->st = (int)lround(p->safe_area[0] * H);
	f->sr = W - (int)lround(p->safe_area[1] * W);
	f->sb = H - (int)lround(p->safe_area[2] * H);
	f->sl = (int)lround(p->safe_area[3] * W);
	f->m = (int)lround(margin * f->s);
	/* a margin that leaves nothing (a tiny output) is dropped */
	if (f->sr - f->sl - 2 * f->m < 1 || f->sb - f->st - 2 * f->m < 1)
		f->m = 0;
	f->il = f->sl + f->m;
	f->it = f->st + f->m;
	f->ir = f->sr - f->m;
	f->ib = f->sb - f->m;
}

/* Resizes an RGBA image with premultiplied alpha (no dark fringes). */
static int
resize_rgba(VipsImage *in, int w, int h, VipsImage **out)
{
	g_autoptr(VipsImage) a = NULL, b = NULL, c = NULL, d = NULL;
	if (in->Xsize == w && in->Ysize == h) {
		*out = g_object_ref(in);
		return 0;
	}
	if (vips_premultiply(in, &a, NULL) || attache__resize_exact(a, w, h, &b) || vips_unpremultiply(b, &c, NULL) || vips_cast(c, &d, VIPS_FORMAT_UCHAR, NULL))
		return -1;
	return vips_copy(d, out, "interpretation", VIPS_INTERPRETATION_sRGB,
		NULL);
}

/* The form a layer is blended in: float bands R*a, G*a, B*a (+0.5, so
 * the final cast rounds) and 1 - a, with a the alpha (0..1) times
 * @opacity. "Over" is then out = photo * (1 - a) + that: one multiply and
 * one add per pixel under the layer. Computed as each patch is blended,
 * from the 8-bit RGBA kept in memory: a quarter of the bytes a float
 * copy takes in the campaign's cache (a full-width band at mastodon's
 * size: 3 MB instead of 13), for a few float operations on the pixels
 * under the layer. (transfer full), NULL on error. */
static VipsImage *
blend_ready(VipsImage *rgba_in, double opacity)
{
	g_autoptr(VipsImage) rgba = vips_image_copy_memory(rgba_in);
	g_autoptr(VipsImage) rgb = NULL, alpha = NULL, a = NULL, prem = NULL,
						 inv = NULL, j = NULL;
	if (!rgba || vips_extract_band(rgba, &rgb, 0, "n", 3, NULL)
		|| vips_extract_band(rgba, &alpha, 3, NULL)
		|| vips_linear1(alpha, &a, opacity / 255.0, 0, NULL)
		|| vips_multiply(rgb, a, &prem, NULL)
		|| vips_linear1(a, &inv, -1, 1, NULL))
		return NULL;
	g_autoptr(VipsImage) premr = NULL;
	if (vips_linear1(prem, &premr, 1, 0.5, NULL) || vips_bandjoin2(premr, inv, &j, NULL))
		return NULL;
	return g_steal_pointer(&j);
}

/* A flat RGBA rectangle. */
static int
flat_rgba(int w, int h, const double rgba[4], VipsImage **out)
{
	g_autoptr(VipsImage) black = NULL, flat = NULL;
	if (vips_black(&black, w, h, NULL))
		return -1;
	flat = vips_image_new_from_image(black, rgba, 4);
	if (!flat)
		return -1;
	return vips_copy(flat, out, "interpretation", VIPS_INTERPRETATION_sRGB,
		NULL);
}

/* ---- logo ---- */

static AttacheCode
render_logo(AttacheCampaign *c, const AttacheLayerSpec *s, const Frame *f,
	VipsImage **out, GPtrArray *warnings, GError **error)
{
	const AttacheAsset *a = s->asset;
	int iw = f->ir - f->il, ih = f->ib - f->it;
	double target = s->size * f->s;
	double scale = target / VIPS_MAX(a->width, a->height);
	/* the safe area wins over the size asked for */
	scale = VIPS_MIN(scale,
		VIPS_MIN((double)iw / a->width, (double)ih / a->height));
	int w = VIPS_MAX(1, (int)lround(a->width * scale));
	int h = VIPS_MAX(1, (int)lround(a->height * scale));
	w = VIPS_MIN(w, iw);
	h = VIPS_MIN(h, ih);

	if (!a->svg && scale > 1.01 && warnings) {
		g_autofree char *base = g_path_get_basename(a->path);
		g_ptr_array_add(warnings,
			g_strdup_printf("campaign logo %s (%dx%d) is enlarged %.1fx to "
							"%dx%d and may look blurred: use an SVG or a "
							"larger PNG",
				base, a->width, a->height, scale, w, h));
	}

	g_autofree char *key = g_strdup_printf("logo\n%s\n%dx%d\n%.4f", a->path,
		w, h, s->opacity);
	if ((*out = attache__campaign_cache_get(c, key)))
		return ATTACHE_OK;

	g_autoptr(VipsImage) sized = NULL, svg = NULL, svga = NULL;
	if (a->svg) {
		/* vector: drawn afresh at the size needed, sharp at any size */
		gsize len;
		const void *d = g_bytes_get_data(a->svg, &len);
		if (vips_svgload_buffer((void *)d, len, &svg, "scale",
				(double)w / a->width, NULL)
			|| vips_cast(svg, &svga, VIPS_FORMAT_UCHAR, NULL) || resize_rgba(svga, w, h, &sized))
			return attache__vips_error(error, ATTACHE_E_IMAGE,
				"brand: logo");
	}
	else if (resize_rgba(a->image, w, h, &sized))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "brand: logo");

	VipsImage *done = blend_ready(sized, s->opacity);
	if (!done)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "brand: logo");
	attache__campaign_cache_put(c, key, done);
	*out = done;
	return ATTACHE_OK;
}

/* ---- text ---- */

static VipsAlign
vips_align_for(const AttacheLayerSpec *s)
{
	AttacheAlign a = s->align;
	if (a == ATTACHE_ALIGN_AUTO)
		a = s->col == 0	  ? ATTACHE_ALIGN_LEFT
			: s->col == 1 ? ATTACHE_ALIGN_CENTRE
						  : ATTACHE_ALIGN_RIGHT;
	switch (a) {
	case ATTACHE_ALIGN_CENTRE:
		return VIPS_ALIGN_CENTRE;
	/* Pango treats its alignment as start/end: it swaps left and right
	 * for a right-to-left paragraph */
	case ATTACHE_ALIGN_START:
		return VIPS_ALIGN_LOW;
	case ATTACHE_ALIGN_END:
		return VIPS_ALIGN_HIGH;
	case ATTACHE_ALIGN_LEFT:
		return s->rtl ? VIPS_ALIGN_HIGH : VIPS_ALIGN_LOW;
	case ATTACHE_ALIGN_RIGHT:
	default:
		return s->rtl ? VIPS_ALIGN_LOW : VIPS_ALIGN_HIGH;
	}
}

/* Wraps each #hashtag and @handle of the markup's text in a first-strong
 * isolate (U+2068 ... U+2069), so the bidi algorithm keeps "#Action2015"
 * whole inside Arabic text instead of moving the "#" to the far end.
 * Tags and entities (&#233;) are left alone. */
static char *
isolate_tags(const char *markup)
{
	GString *o = g_string_new(NULL);
	const char *p = markup;
	gboolean in_tag = FALSE;
	while (*p) {
		if (in_tag) {
			in_tag = *p != '>';
			g_string_append_c(o, *p++);
			continue;
		}
		if (*p == '<') {
			in_tag = TRUE;
			g_string_append_c(o, *p++);
			continue;
		}
		gboolean starts = (*p == '#' || *p == '@') && (p == markup || (p[-1] != '&' && !g_ascii_isalnum(p[-1])));
		const char *q = p + 1;
		while (starts && *q) {
			gunichar ch = g_utf8_get_char(q);
			if (!g_unichar_isalnum(ch) && ch != '_' && g_unichar_type(ch) != G_UNICODE_NON_SPACING_MARK && g_unichar_type(ch) != G_UNICODE_SPACING_MARK)
				break;
			q = g_utf8_next_char(q);
		}
		if (starts && q > p + 1) {
			g_string_append(o, "\u2068");
			g_string_append_len(o, p, q - p);
			g_string_append(o, "\u2069");
			p = q;
			continue;
		}
		g_string_append_c(o, *p++);
	}
	return g_string_free(o, FALSE);
}

/* The text as a coloured RGBA image, its ink box exactly. */
static int
text_rgba(const AttacheLayerSpec *s, int px, int wrap, VipsImage **out)
{
	g_autoptr(VipsImage) mask = NULL, alpha = NULL, rgb = NULL, j = NULL;
	char size[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_dtostr(size, sizeof(size), px);
	g_autofree char *font = g_strdup_printf("%s %s", s->font, size);
	g_autofree char *text = isolate_tags(s->text);

	/* dpi 72: Pango's points are then pixels */
	if (vips_text(&mask, text, "font", font, "width", VIPS_MAX(1, wrap),
			"align", vips_align_for(s), "dpi", 72, "wrap",
			VIPS_TEXT_WRAP_WORD_CHAR, NULL)
		|| vips_linear1(mask, &alpha, s->colour[3] / 255.0, 0, "uchar", TRUE,
			NULL))
		return -1;
	rgb = vips_image_new_from_image(mask, s->colour, 3);
	if (!rgb || vips_bandjoin2(rgb, alpha, &j, NULL))
		return -1;
	return vips_copy(j, out, "interpretation", VIPS_INTERPRETATION_sRGB,
		NULL);
}

static AttacheCode
render_text(AttacheCampaign *c, const AttacheLayerSpec *s, const Frame *f,
	VipsImage **out, GError **error)
{
	int px = VIPS_MAX(4, (int)lround(s->size * f->s));
	int pad = s->background == ATTACHE_BACKGROUND_NONE
				  ? 0
				  : (int)lround(s->padding * f->s);
	int iw = f->ir - f->il, ih = f->ib - f->it;
	int band_w = f->sr - f->sl;
	int inset = VIPS_MAX(f->m, pad); /* text to band ends */
	int wrap;

	if (s->background == ATTACHE_BACKGROUND_BAND)
		wrap = (int)floor(s->max_width * (band_w - 2 * inset));
	else
		wrap = (int)floor(s->max_width * iw) - 2 * pad;
	wrap = VIPS_MAX(px, wrap);

	g_autofree char *key = g_strdup_printf(
		"text\n%s\n%s\n%d %d %d %d %d %d %d %d\n%g %g %g %g\n%g %g %g %g\n%g",
		s->text, s->font, px, wrap, pad, band_w, inset, s->background,
		(int)vips_align_for(s), s->col, s->colour[0], s->colour[1],
		s->colour[2], s->colour[3], s->background_colour[0],
		s->background_colour[1], s->background_colour[2],
		s->background_colour[3], s->opacity);
	VipsImage *cached = attache__campaign_cache_get(c, key);
	if (cached) {
		*out = cached;
		return ATTACHE_OK;
	}

	g_autoptr(VipsImage) txt = NULL, bg = NULL, comp = NULL, flat = NULL,
						 fitted = NULL;
	if (text_rgba(s, px, wrap, &txt))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "brand: text");
	int tw = txt->Xsize, th = txt->Ysize;
	VipsImage *layer = txt;

	if (s->background != ATTACHE_BACKGROUND_NONE) {
		int bw, tx;
		if (s->background == ATTACHE_BACKGROUND_BAND) {
			bw = band_w;
			tw = VIPS_MIN(tw, bw);
			tx = s->col == 0   ? inset
				 : s->col == 1 ? (bw - tw) / 2
							   : bw - inset - tw;
			tx = VIPS_CLIP(0, tx, bw - tw);
		}
		else {
			bw = tw + 2 * pad;
			tx = pad;
		}
		if (flat_rgba(bw, th + 2 * pad, s->background_colour, &bg)
			|| vips_composite2(bg, txt, &comp, VIPS_BLEND_MODE_OVER, "x", tx, "y", pad, NULL)
			|| vips_cast(comp, &flat, VIPS_FORMAT_UCHAR, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE,
				"brand: text background");
		layer = flat;
	}

	/* too big for the safe area (a long text, a small output): shrink */
	int lw = layer->Xsize, lh = layer->Ysize;
	int maxw = s->background == ATTACHE_BACKGROUND_BAND ? band_w : iw;
	if (lw > maxw || lh > ih) {
		double k = VIPS_MIN((double)maxw / lw, (double)ih / lh);
		int nw = s->background == ATTACHE_BACKGROUND_BAND
					 ? band_w
					 : VIPS_MAX(1, (int)floor(lw * k));
		if (resize_rgba(layer, nw, VIPS_MAX(1, (int)floor(lh * k)),
				&fitted))
			return attache__vips_error(error, ATTACHE_E_IMAGE,
				"brand: text");
		layer = fitted;
	}

	VipsImage *done = blend_ready(layer, s->opacity);
	if (!done)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "brand: text");
	attache__campaign_cache_put(c, key, done);
	*out = done;
	return ATTACHE_OK;
}

/* The layer @ov (from blend_ready()) over the pixels of @img under it, at
 * @x, @y: a small lazy image, the same bands as @img. */
static VipsImage *
blend_patch(VipsImage *img, VipsImage *ov, int x, int y)
{
	g_autoptr(VipsImage) region = NULL, prem = NULL, inv = NULL, mul = NULL,
						 sum = NULL;
	VipsImage *cast = NULL;
	if (x < 0 || y < 0 || x + ov->Xsize > img->Xsize || y + ov->Ysize > img->Ysize) {
		vips_error("brand", "layer outside the image");
		return NULL;
	}
	if (vips_crop(img, &region, x, y, ov->Xsize, ov->Ysize, NULL) || vips_extract_band(ov, &prem, 0, "n", 3, NULL) || vips_extract_band(ov, &inv, 3, NULL))
		return NULL;

	if (region->Bands == 3) {
		if (vips_multiply(region, inv, &mul, NULL) || vips_add(mul, prem, &sum, NULL) || vips_cast(sum, &cast, VIPS_FORMAT_UCHAR, NULL))
			return NULL;
	}
	else {
		/* a photo with alpha (a transparent PNG fitted "inside"): over
		 * in premultiplied form, alpha = a + alpha * (1 - a) */
		g_autoptr(VipsImage) rp = NULL, a = NULL, p0 = NULL, ov4 = NULL,
							 un = NULL;
		if (vips_premultiply(region, &rp, NULL)
			|| vips_linear1(inv, &a, -255, 255, NULL)
			|| vips_linear1(prem, &p0, 1, -0.5, NULL)
			|| vips_bandjoin2(p0, a, &ov4, NULL)
			|| vips_multiply(rp, inv, &mul, NULL)
			|| vips_add(mul, ov4, &sum, NULL)
			|| vips_unpremultiply(sum, &un, NULL)
			|| vips_cast(un, &cast, VIPS_FORMAT_UCHAR, NULL))
			return NULL;
	}
	return cast;
}

AttacheCode
attache__brand(AttacheCampaign *c, const AttachePreset *preset,
	const char *lang, VipsImage *in, VipsImage **out, GPtrArray *warnings,
	GError **error)
{
	int W = in->Xsize, H = in->Ysize;
	g_autoptr(VipsImage) canvas = NULL;

	if (in->Bands < 3 || in->BandFmt != VIPS_FORMAT_UCHAR) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL,
			"brand: expected 8-bit sRGB, got %d bands", in->Bands);
		return ATTACHE_E_INTERNAL;
	}
	/* Each layer is blended as a small patch and inserted, lazily (@in
	 * may be shared with other presets: never drawn on); the encoder
	 * computes it all in one pass, which costs less than a copy to draw
	 * on plus a pipeline per layer. */
	canvas = g_object_ref(in);

	for (guint i = 0; i < attache__campaign_n_layers(c); i++) {
		AttacheLayerSpec s;
		Frame f;
		g_autoptr(VipsImage) ov = NULL, patch = NULL;
		AttacheCode code;

		attache__campaign_layer_resolve(c, i, preset->name, lang, &s);
		if (!s.enabled)
			continue;
		frame_for(preset, W, H, s.margin, &f);
		if (s.type == ATTACHE_LAYER_LOGO)
			code = render_logo(c, &s, &f, &ov, warnings, error);
		else
			code = render_text(c, &s, &f, &ov, error);
		if (code)
			return code;

		int x, y;
		int iw = f.ir - f.il, ih = f.ib - f.it;
		if (s.type == ATTACHE_LAYER_TEXT && s.background == ATTACHE_BACKGROUND_BAND)
			x = f.sl;
		else
			x = f.il + s.col * (iw - ov->Xsize) / 2;
		y = f.it + s.row * (ih - ov->Ysize) / 2;

		VipsImage *next = NULL;
		if (!(patch = blend_patch(canvas, ov, x, y)) || vips_insert(canvas, patch, &next, x, y, NULL)) {
			g_autofree char *what = g_strdup_printf("brand: [%s]", s.name);
			return attache__vips_error(error, ATTACHE_E_IMAGE, what);
		}
		g_object_unref(canvas);
		canvas = next;
	}
	*out = g_steal_pointer(&canvas);
	return ATTACHE_OK;
}
