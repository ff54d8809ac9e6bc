/* SPDX-License-Identifier: MIT */
/*
 * options-md.c: prints what the docs generate from the option table
 * (config/options.c); built by the Makefile, run by tools/docs-options.py
 * (`make docs`) and tests/cli/test_options.py.
 *
 *   options-md prep|watch|ini|photo   the Markdown table of that scope
 *   options-md names            every row: SCOPES NAME [ALIAS] [-S]
 */
#include <attache.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	guint scope;
} scopes[] = {
	{ "prep", ATTACHE_SCOPE_PREP },
	{ "watch", ATTACHE_SCOPE_WATCH },
	{ "ini", ATTACHE_SCOPE_INI },
	{ "review", ATTACHE_SCOPE_REVIEW },
	{ "upload", ATTACHE_SCOPE_UPLOAD },
	{ "photo", ATTACHE_SCOPE_PHOTO },
};

/* One line per row, its scopes as words, for the docs test. */
static void
print_names(void)
{
	guint n;
	const AttacheOption *t = attache_options(&n);
	for (guint i = 0; i < n; i++) {
		GString *s = g_string_new(NULL);
		for (guint k = 0; k < G_N_ELEMENTS(scopes); k++)
			if (t[i].scope & scopes[k].scope)
				g_string_append_printf(s, "%s%s", s->len ? "," : "",
					scopes[k].name);
		printf("%s %s %s %c\n", s->str, t[i].name,
			t[i].alias ? t[i].alias : "-",
			t[i].short_name ? t[i].short_name : '-');
		g_string_free(s, TRUE);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: options-md prep|watch|ini|review|names\n");
		return 2;
	}
	if (!strcmp(argv[1], "names")) {
		print_names();
		return 0;
	}
	for (guint k = 0; k < G_N_ELEMENTS(scopes); k++)
		if (!strcmp(argv[1], scopes[k].name)) {
			g_autofree char *md = attache_options_markdown(scopes[k].scope);
			fputs(md, stdout);
			return 0;
		}
	fprintf(stderr, "options-md: unknown scope \"%s\"\n", argv[1]);
	return 2;
}
