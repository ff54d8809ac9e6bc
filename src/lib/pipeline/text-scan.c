/* SPDX-License-Identifier: MIT */
/*
 * text-scan.c: the text stage (--scan-text; docs/prep.md, "Text in the
 * photo"). Once per photo, on the upright photo before any fit or mask:
 * a grey copy at most SCAN_SIDE pixels on its long side goes to the
 * detector (vision/text.cc), in the run's languages and English.
 */
#include "private.h"
#include "vision/text.h"

#include <stdlib.h>
#include <string.h>

/* Long side of the copy read (ATTACHE_TEXT_SCAN_SIDE, 1600): a sign's
 * letters of 1.5% of the photo's height are still 16 px there, and
 * MSER's cost grows with the pixels. */
#define SCAN_SIDE ATTACHE_TEXT_SCAN_SIDE

/* attache's language tags (their primary subtag) to Tesseract's models:
 * the six languages of the team's posts, which `make deps` installs. */
static const struct {
	const char *tag, *model;
} models[] = {
	{ "en", "eng" },
	{ "fr", "fra" },
	{ "es", "spa" },
	{ "ar", "ara" },
	{ "zh", "chi_sim" },
	{ "ru", "rus" },
};

static const char *
model_of(const char *tag)
{
	g_autofree char *primary = g_ascii_strdown(tag, -1);
	char *dash = strchr(primary, '-');
	if (dash)
		*dash = '\0';
	for (guint i = 0; i < G_N_ELEMENTS(models); i++)
		if (g_str_equal(primary, models[i].tag))
			return models[i].model;
	return NULL;
}

char *
attache__text_models(const GPtrArray *langs)
{
	GString *s = g_string_new("eng");
	for (guint i = 0; langs && i < langs->len; i++) {
		const char *m = model_of(langs->pdata[i]);
		g_autofree char *plus = m ? g_strdup_printf("+%s", m) : NULL;
		if (m && !g_str_equal(m, "eng") && !strstr(s->str, plus))
			g_string_append(s, plus);
	}
	return g_string_free(s, FALSE);
}

/* @in as one band of 8-bit grey at most SCAN_SIDE on its long side.
 * @out: (transfer full). */
static int
scan_copy(VipsImage *in, VipsImage **out)
{
	g_autoptr(VipsImage) small = NULL, grey = NULL;
	int side = VIPS_MAX(in->Xsize, in->Ysize);
	if (side > SCAN_SIDE) {
		if (vips_resize(in, &small, (double)SCAN_SIDE / side, NULL))
			return -1;
	}
	else
		small = g_object_ref(in);
	if (vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL))
		return -1;
	return vips_extract_band(grey, out, 0, NULL);
}

/* Whether @s holds a letter or a digit: "|" and "--" are MSER's
 * stripes and fences, read as punctuation. */
static gboolean
readable(const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char(p))
		if (g_unichar_isalnum(g_utf8_get_char(p)))
			return TRUE;
	return FALSE;
}

/* @boxes (in pixels of a @w x @h copy) as AttacheRegion*, fractions.
 * Each text made valid UTF-8 and trimmed; at most 4 * ATTACHE_REGIONS_MAX (what a manifest reader takes). */
static GPtrArray *
regions_of(const AttacheTextBox *boxes, int n, int w, int h)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	for (int i = 0; i < n && out->len < 4 * ATTACHE_REGIONS_MAX; i++) {
		const AttacheTextBox *b = &boxes[i];
		g_autofree char *t = g_utf8_make_valid(b->text ? b->text : "", -1);
		g_strstrip(t);
		if (!readable(t))
			continue;
		AttacheRegion *r = g_new0(AttacheRegion, 1);
		r->kind = ATTACHE_REGION_TEXT;
		r->x = b->x / w;
		r->y = b->y / h;
		r->w = b->w / w;
		r->h = b->h / h;
		r->score = b->conf / 100.0;
		r->text = g_steal_pointer(&t);
		g_ptr_array_add(out, r);
	}
	return out;
}

AttacheCode
attache__text_scan(VipsImage *upright, const GPtrArray *langs,
	GPtrArray **found, GError **error)
{
	g_autoptr(VipsImage) grey = NULL;
	*found = NULL;
	if (scan_copy(upright, &grey))
		return attache__vips_error(error, ATTACHE_E_IMAGE, "text scan");
	size_t len = 0;
	guint8 *pix = vips_image_write_to_memory(grey, &len);
	if (!pix)
		return attache__vips_error(error, ATTACHE_E_IMAGE, "text scan");
	g_autofree char *models_list = attache__text_models(langs);
	AttacheTextBox *boxes = NULL;
	int n = 0;
	char *why = NULL;
	int r = attache__text_find(pix, grey->Xsize, grey->Ysize, grey->Xsize,
		models_list, &boxes, &n, &why);
	g_free(pix);
	if (r) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_IMAGE, "text scan (%s): %s", models_list, why);
		free(why);
		return ATTACHE_E_IMAGE;
	}
	*found = regions_of(boxes, n, grey->Xsize, grey->Ysize);
	for (int i = 0; i < n; i++)
		free(boxes[i].text);
	free(boxes);
	return ATTACHE_OK;
}
