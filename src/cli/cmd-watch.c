/* SPDX-License-Identifier: MIT */
/*
 * cmd-watch.c: `attache watch INBOX [-o OUTDIR] [prep options]`, the hot
 * folder (docs/watch.md). A thin layer over attache_watch_*(): options
 * become settings (the keys of INBOX/attache.ini, which they override),
 * events become lines, SIGINT/SIGTERM become attache_watch_stop().
 */
#include "cli.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	AttacheWatch *watch;
	gboolean json, quiet, verbose;
	int signals;
} Cli;

static void
on_event(const AttacheWatchEvent *ev, gpointer user)
{
	Cli *c = user;

	if (c->json && ev->json)
		cli_out("%s", ev->json);
	switch (ev->kind) {
	case ATTACHE_WATCH_DONE:
		if (!c->json && !c->quiet)
			cli_out("%s", ev->message);
		break;
	case ATTACHE_WATCH_FAILED:
		cli_error("%s", ev->message);
		break;
	case ATTACHE_WATCH_RETRY:
		cli_warn("%s", ev->message);
		break;
	case ATTACHE_WATCH_SETTINGS:
		if (ev->code != ATTACHE_OK)
			cli_error("%s", ev->message);
		else if (!c->quiet)
			cli_note("%s", ev->message);
		break;
	case ATTACHE_WATCH_AWAITING:
		if (!c->json && !c->quiet)
			cli_note("%s", ev->message);
		break;
	case ATTACHE_WATCH_NOTICE:
		if (ev->code != ATTACHE_OK)
			cli_warn("%s", ev->message);
		else if (!c->quiet && (c->verbose || ev->json))
			cli_note("%s", ev->message);
		break;
	}
}

static gboolean
on_signal(gpointer user)
{
	Cli *c = user;
	if (++c->signals == 1) {
		if (!c->quiet)
			cli_note("attache watch: stopping once the photos in hand are "
					 "done (signal again to stop at once)");
		attache_watch_stop(c->watch);
		return G_SOURCE_CONTINUE;
	}
	/* safe at any moment: the next start finishes what is in hand */
	cli_note("attache watch: stopping now; the photos in hand are finished "
			 "on the next start");
	_exit(EXIT_SOME_FAILED);
}

/* Sets @key from an option, reporting a bad value as the option's. */
static gboolean
set(AttacheWatchOptions *o, const char *option, const char *key,
	const char *value)
{
	g_autoptr(GError) error = NULL;
	if (!value)
		return TRUE;
	if (attache_watch_options_set(o, key, value, &error)) {
		cli_error("%s: %s", option, error->message);
		return FALSE;
	}
	return TRUE;
}

/* The options that are settings (the keys of attache.ini), into @o.
 * @approval: "true", "false" or NULL. FALSE after saying what is wrong. */
static gboolean
set_settings(AttacheWatchOptions *o, CliPrepArgs *a, const char *out_dir,
	const char *approval, char **allow)
{
	if (a->presets) {
		g_autofree char *list = g_strjoinv(",", a->presets);
		if (!set(o, "--preset", "presets", list))
			return FALSE;
	}
	/* files named on the command line are relative to where it runs */
	if (a->campaign && (strchr(a->campaign, '/') || g_str_has_suffix(a->campaign, ".ini"))) {
		char *abs = g_canonicalize_filename(a->campaign, NULL);
		g_free(a->campaign);
		a->campaign = abs;
	}
	if (a->alt_file) {
		char *abs = g_canonicalize_filename(a->alt_file, NULL);
		g_free(a->alt_file);
		a->alt_file = abs;
	}
	if (a->alt_manifest) {
		char *abs = g_canonicalize_filename(a->alt_manifest, NULL);
		g_free(a->alt_manifest);
		a->alt_manifest = abs;
	}
	if (!set(o, "--campaign", "campaign", a->campaign) || !set(o, "--alt-file", "alt-file", a->alt_file) || !set(o, "--alt-manifest", "alt-manifest", a->alt_manifest) || !set(o, "--require-alt", "require-alt", a->require_alt ? "true" : NULL))
		return FALSE;
	if (out_dir) {
		/* relative to where the command runs, as the user typed it */
		g_autofree char *abs = g_canonicalize_filename(out_dir, NULL);
		if (!set(o, "--out", "out", abs))
			return FALSE;
	}
	if (!set(o, "--fit", "fit", a->fit) || !set(o, "--crop", "crop", a->crop) || !set(o, "--focus", "focus", a->focus) || !set(o, "--keep", "keep", a->keep) || !set(o, "--max-pixels", "max-pixels", a->max_pixels) || !set(o, "--alt", "alt", a->alt) || !set(o, "--alt-long", "alt-long", a->alt_long) || !set(o, "--by", "by", a->by) || !set(o, "--lang", "lang", a->lang) || !set(o, "--upload", "upload", a->upload))
		return FALSE;

	/* pins: attache.ini cannot change these (docs/watch.md) */
	if (!set(o, "--require-approval", "require-approval", approval))
		return FALSE;
	for (int i = 0; allow && allow[i]; i++) {
		g_autofree char *abs = g_canonicalize_filename(allow[i], NULL);
		if (!set(o, "--allow-path", "allow-path", abs))
			return FALSE;
	}
	return TRUE;
}

int
cmd_watch(int argc, char **argv)
{
	CliPrepArgs a = { 0 };
	char *out_dir = NULL;
	double poll = 0, settle = 2.0;
	gboolean once = FALSE, approval = FALSE, no_approval = FALSE;
	char **allow = NULL;
	Cli c = { 0 };

	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
			"Output folder (default INBOX/out)", "DIR" },
		{ "once", 0, 0, G_OPTION_ARG_NONE, &once,
			"Process what is in INBOX, then exit (for cron)", NULL },
		{ "poll", 0, 0, G_OPTION_ARG_DOUBLE, &poll,
			"Look for new files every SECONDS instead of being told (for "
			"network and synced folders without inotify)",
			"SECONDS" },
		{ "settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle,
			"A file still open is complete once unchanged this long "
			"(default 2)",
			"SECONDS" },
		{ "allow-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &allow,
			"attache.ini may name files and folders in DIR too (out, "
			"campaign, alt-file, alt-manifest); repeatable",
			"DIR" },
		{ "require-approval", 0, 0, G_OPTION_ARG_NONE, &approval,
			"Upload only what a second person approved, whatever "
			"attache.ini says",
			NULL },
		{ "no-approval", 0, 0, G_OPTION_ARG_NONE, &no_approval,
			"Upload without waiting for approval (attache.ini cannot say "
			"this)",
			NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &c.json,
			"Print each attache.log line (one per photo) on stdout", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &c.quiet,
			"Print nothing but errors", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &c.verbose,
			"Say more", NULL },
		{ NULL },
	};

	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"INBOX - prepare every photo dropped into a folder");
	g_option_context_add_main_entries(ctx, entries, NULL);
	cli_prep_args_add(ctx, &a);
	g_option_context_set_description(ctx,
		"Photos dropped into INBOX are prepared into OUTDIR/PHOTO/ (all of "
		"a photo's\noutputs appear at once), then moved to INBOX/done/; "
		"those that cannot be\nprepared go to INBOX/failed/ with "
		"PHOTO.error.txt. INBOX/attache.ini holds\nthe folder's settings "
		"(options given here win). See docs/watch.md.\n"
		"SIGINT/SIGTERM finish the photos in hand, then exit 0.\n"
		"Exit status: 0 done (with --once: no photo failed), 1 some photos "
		"failed,\n2 usage or configuration error, 4 the inbox was deleted "
		"or replaced.\n");
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;
	cli_set_verbose(c.verbose);

	int rc = EXIT_USAGE;
	AttacheWatchOptions *o = NULL;
	g_autoptr(GError) error = NULL;

	if (argc != 2) {
		cli_error("watch: give one INBOX folder (see attache watch --help)");
		goto out;
	}
	if (a.jobs < 0 || poll < 0 || settle < 0) {
		cli_error("watch: --jobs, --poll and --settle cannot be negative");
		goto out;
	}
	if (approval && no_approval) {
		cli_error("watch: give --require-approval or --no-approval, not "
				  "both");
		goto out;
	}
	o = attache_watch_options_new(argv[1]);
	o->jobs = a.jobs;
	o->poll = poll;
	o->settle = settle;
	o->once = once;
	o->preset_dir = g_strdup(a.preset_dir);
	if (!cli_prep_args_max_memory(&a, &o->max_memory))
		goto out;

	if (!set_settings(o, &a, out_dir,
			approval ? "true" : (no_approval ? "false" : NULL), allow))
		goto out;

	if (attache_watch_new(o, on_event, &c, &c.watch, &error)) {
		cli_error("%s", error->message);
		goto out;
	}
	guint sig_int = g_unix_signal_add(SIGINT, on_signal, &c);
	guint sig_term = g_unix_signal_add(SIGTERM, on_signal, &c);
	AttacheCode code = attache_watch_run(c.watch, &error);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	if (code) {
		cli_error("%s", error->message);
		rc = attache_watch_inbox_lost(c.watch)
				 ? EXIT_INBOX_GONE
				 : attache_code_exit_status(code);
	}
	else if (once)
		rc = attache_watch_failures(c.watch) ? EXIT_SOME_FAILED : EXIT_OK;
	else
		rc = EXIT_OK;
	attache_watch_free(c.watch);

out:
	attache_watch_options_free(o);
	cli_prep_args_clear(&a);
	g_free(out_dir);
	g_strfreev(allow);
	return rc;
}
