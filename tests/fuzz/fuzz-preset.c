/* SPDX-License-Identifier: MIT */
/*
 * fuzz-preset.c: libFuzzer target for the preset parser (`make fuzz`).
 *
 * Any bytes as a preset .ini: attache__preset_load_data() must return, with
 * no crash, hang or leak. Beyond that: a preset it accepts prints
 * (`attache presets show`) as a file that loads again to the same preset,
 * since users copy that output to make their own presets.
 */
#include "private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the parser gets what the reader gives: NUL-terminated */
	g_autofree char *text = g_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	AttachePreset *p = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__preset_load_data("/fuzz/fuzz.ini", text, size, &p, &e)) {
		if (!e || !e->message || !g_utf8_validate(e->message, -1, NULL))
			abort();
		return 0;
	}
	g_autofree char *shown = attache_preset_to_string(p);
	AttachePreset *again = NULL;
	g_autoptr(GError) e2 = NULL;
	if (attache__preset_load_data("/fuzz/fuzz.ini", shown, strlen(shown), &again, &e2))
		abort(); /* what show prints does not load */
	g_autofree char *shown2 = attache_preset_to_string(again);
	if (!g_str_equal(shown, shown2))
		abort(); /* it loads as a different preset */
	attache_preset_free(again);
	attache_preset_free(p);
	return 0;
}
