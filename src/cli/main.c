/* SPDX-License-Identifier: MIT */
/* main.c: sub-command dispatch. Exit statuses are documented in
 * docs/exit-codes.md. */
#include "cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "prep", cmd_prep, "prepare photos for every platform preset" },
	{ "presets", cmd_presets, "list the presets, or show one" },
	{ "watch", cmd_watch, "prepare every photo dropped into a folder" },
	{ "audit", cmd_audit, "list location and identity metadata in images" },
	{ "upload", cmd_upload, "upload prepared media to X, Mastodon or Bluesky" },
	{ "review", cmd_review, "write a review page for the outputs in a folder" },
	{ "approve", cmd_approve, "approve reviewed outputs (the two-person rule)" },
};

static void
usage(FILE *f)
{
	fprintf(f, "Usage: attache COMMAND [OPTIONS] ...\n\nCommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'attache COMMAND --help' describes each. attache %s\n",
		ATTACHE_VERSION);
}

/* libvips reports some problems as GLib warnings as well as errors
 * ("error in tile 0 x 8"): the error already names the file, so these only
 * show with --verbose. */
static void
vips_log(const char *msg, gpointer data)
{
	if (cli_verbose())
		cli_warn("libvips: %s", msg);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* the malloc tuning and libvips' threads are the library's
	 * (attache_init(), attache_prep_batch()) */
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("attache %s\n", ATTACHE_VERSION);
		return EXIT_OK;
	}
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(cmd, commands[i].name)) {
			g_autoptr(GError) error = NULL;
			if (attache_init(argv[0], &error)) {
				cli_error("%s", error->message);
				return EXIT_USAGE;
			}
			attache_set_vips_log(vips_log, NULL);
			int rc = commands[i].fn(argc - 1, argv + 1);
			attache_shutdown();
			return rc;
		}
	fprintf(stderr, "attache: unknown command \"%s\"\n\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
