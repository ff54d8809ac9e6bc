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
	{ "serve", cmd_serve, "run the review desk: a web page and an HTTP API" },
	{ "user", cmd_user, "add an account of the review desk" },
	{ "token", cmd_token, "make an API token for the review desk" },
};

/* libvips reports some problems as GLib warnings as well as errors
 * ("error in tile 0 x 8"): the error already names the file, so these only
 * show with --verbose. */
static void
vips_log(const char *msg, gpointer data)
{
	if (cli_verbose())
		cli_warn("libvips: %s", msg);
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: attache COMMAND [OPTIONS] ...\n\nCommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'attache help COMMAND' (or 'attache COMMAND --help') describes each; "
			   "'attache -V' gives the version. attache %s\n",
		ATTACHE_VERSION);
}

static int
find_command(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

/* An unknown command: the nearest name, if one is near, and the list. */
static int
unknown_command(const char *cmd)
{
	const char *names[G_N_ELEMENTS(commands) + 2] = { NULL };
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		names[i] = commands[i].name;
	names[G_N_ELEMENTS(commands)] = "help";
	const char *near = attache_suggest(cmd, names, -1);
	if (near)
		cli_error("unknown command \"%s\"; did you mean \"%s\"?", cmd, near);
	else
		cli_error("unknown command \"%s\"", cmd);
	fputc('\n', stderr);
	usage(stderr);
	return EXIT_USAGE;
}

/* Runs command @i; "attache prep" names it in its --help and messages. */
static int
run_command(guint i, int argc, char **argv, const char *argv0)
{
	g_autoptr(GError) error = NULL;
	if (attache_init(argv0, &error)) {
		cli_error("%s", error->message);
		return EXIT_USAGE;
	}
	g_autofree char *prgname = g_strdup_printf("attache %s", commands[i].name);
	g_set_prgname(prgname);
	attache_set_vips_log(vips_log, NULL);
	int rc = commands[i].fn(argc, argv);
	attache_shutdown();
	return rc;
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
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || (!strcmp(cmd, "help") && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("attache %s\n", ATTACHE_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "help")) {
		/* attache help COMMAND: that command's --help */
		int i = find_command(argv[2]);
		if (i < 0)
			return unknown_command(argv[2]);
		char *help_argv[] = { argv[2], (char *)"--help", NULL };
		return run_command((guint)i, 2, help_argv, argv[0]);
	}
	int i = find_command(cmd);
	if (i < 0)
		return unknown_command(cmd);
	return run_command((guint)i, argc - 1, argv + 1, argv[0]);
}
