/* SPDX-License-Identifier: MIT */
/*
 * fuzz-alt.c: libFuzzer target for the alt-text readers (`make fuzz`): the
 * CSV manifest (attache__alt_manifest_parse) and an alt-text file
 * (attache__alt_text_parse), each given the whole input.
 *
 * Beyond "no crash, hang or leak": every text either accepts is one that
 * attache_alt_validate() accepts (valid UTF-8, not blank, no control
 * characters), with a valid language tag, since it goes into the photo's
 * XMP and to the platform as is.
 */
#include "private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_alt_check(const AttacheAlt *a)
{
	if (!a->lang || !a->text || attache_alt_validate(a->text, "fuzz", NULL))
		abort();
	if (g_strcmp0(a->lang, "x-default") && !attache__lang_tag_valid(a->lang))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	GHashTable *table = NULL;
	g_autoptr(GError) e = NULL;
	if (attache__alt_manifest_parse("/fuzz/alt.csv", text, size, &table, &e) == ATTACHE_OK) {
		GHashTableIter it;
		gpointer key, value;
		g_hash_table_iter_init(&it, table);
		while (g_hash_table_iter_next(&it, &key, &value)) {
			GPtrArray *list = value;
			if (!g_utf8_validate(key, -1, NULL) || !*(char *)key || list->len == 0)
				abort();
			for (guint i = 0; i < list->len; i++)
				fuzz_alt_check(list->pdata[i]);
		}
		g_hash_table_unref(table);
	}
	else if (!e || !g_utf8_validate(e->message, -1, NULL))
		abort();

	char *alt = NULL;
	g_autoptr(GError) e2 = NULL;
	if (attache__alt_text_parse("/fuzz/p.alt.txt", text, size, &alt, &e2) == ATTACHE_OK) {
		AttacheAlt a = { (char *)"x-default", alt };
		fuzz_alt_check(&a);
		/* cleaned: no CR, no surrounding white space */
		gsize n = strlen(alt);
		if (strchr(alt, '\r') || g_ascii_isspace(alt[0]) || g_ascii_isspace(alt[n - 1]))
			abort();
		g_free(alt);
	}
	else if (!e2 || !g_utf8_validate(e2->message, -1, NULL))
		abort();
	return 0;
}
