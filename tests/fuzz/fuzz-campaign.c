/* SPDX-License-Identifier: MIT */
/*
 * fuzz-campaign.c: libFuzzer target for the campaign parser (`make fuzz`).
 *
 * Any bytes as a campaign .ini: attache__campaign_load_data() must return,
 * with no crash, hang or leak. The file is named as if it sat in the
 * source tree's campaigns/, so `file = demo-logo.svg` finds the demo logo.
 *
 * Beyond that, the promise brand.c relies on: a campaign that loads resolves
 * every layer for every preset and every language that
 * attache_campaign_check_lang() accepts without a missing logo,
 * a missing text or a value out of range ("never fails: every value was
 * checked when the campaign was loaded").
 */
#include "private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef ATTACHE_SRCDIR
#define ATTACHE_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The built-in presets, loaded once. (transfer none) */
static const AttachePresetSet *
fuzz_campaign_presets(void)
{
	static AttachePresetSet *set;
	if (!set) {
		if (attache_init("fuzz-campaign", NULL) || attache_preset_set_load(ATTACHE_SRCDIR "/presets", "/nonexistent", &set, NULL))
			abort();
	}
	return set;
}

static void
fuzz_campaign_check_layer(const AttacheCampaign *c, guint i,
	const char *preset, const char *lang)
{
	AttacheLayerSpec s;
	/* prep asks this first, and refuses the photo otherwise */
	if (attache_campaign_check_lang(c, lang, NULL))
		return;
	attache__campaign_layer_resolve(c, i, preset, lang, &s);
	/* written so that nan fails too */
	if (!(s.opacity >= 0 && s.opacity <= 1) || !(s.margin >= 0 && s.margin <= 1) || !(s.size > 0 && s.size <= 1))
		abort();
	if (s.type == ATTACHE_LAYER_LOGO && !s.asset)
		abort();
	if (s.type == ATTACHE_LAYER_TEXT && (!s.text || !s.font || !g_utf8_validate(s.text, -1, NULL) || !(s.padding >= 0 && s.padding <= 1) || !(s.max_width > 0 && s.max_width <= 1)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const AttachePresetSet *presets = fuzz_campaign_presets();
	g_autofree char *text = g_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	AttacheCampaign *c = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__campaign_load_data(ATTACHE_SRCDIR "/campaigns/fuzz.ini", text, size, presets, &c, &e)) {
		if (c || !e || !g_utf8_validate(e->message, -1, NULL))
			abort();
		return 0;
	}
	if (!g_utf8_validate(attache_campaign_name(c), -1, NULL))
		abort();
	g_autoptr(GPtrArray) list = attache_preset_set_list(presets);
	const char *const *langs = (const char *const *)attache_campaign_languages(c);
	for (guint i = 0; i < attache__campaign_n_layers(c); i++)
		for (guint k = 0; k < list->len; k++) {
			const char *preset = ((const AttachePreset *)list->pdata[k])->name;
			fuzz_campaign_check_layer(c, i, preset, NULL);
			for (int l = 0; langs && langs[l]; l++)
				fuzz_campaign_check_layer(c, i, preset, langs[l]);
		}
	attache_campaign_free(c);
	return 0;
}
