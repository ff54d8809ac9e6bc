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

int
cmd_watch(int argc, char **argv)
{
	char **presets = NULL;
	char *out_dir = NULL, *fit = NULL, *crop = NULL, *focus = NULL;
	char *keep = NULL, *max_pixels = NULL, *preset_dir = NULL;
	char *alt = NULL, *alt_long = NULL, *by = NULL, *lang = NULL;
	char *upload = NULL, *campaign = NULL, *alt_file = NULL;
	char *alt_manifest = NULL;
	gboolean require_alt = FALSE;
	int jobs = 0;
	double poll = 0, settle = 2.0;
	gboolean once = FALSE;
	Cli c = { 0 };

	GOptionEntry entries[] = {
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
			"Output folder (default INBOX/out)", "DIR" },
		{ "preset", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &presets,
			"Preset(s) to make, repeatable or a comma list (default "
			"x-landscape)",
			"NAME" },
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
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
			"Photos prepared at once (default: number of cores)", "N" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &c.json,
			"Print each attache.log line (one per photo) on stdout", NULL },
		{ "fit", 0, 0, G_OPTION_ARG_STRING, &fit,
			"Override the presets' fit: cover, contain or inside", "MODE" },
		{ "crop", 0, 0, G_OPTION_ARG_STRING, &crop,
			"Crop for cover: attention, entropy, centre or focus", "HOW" },
		{ "focus", 0, 0, G_OPTION_ARG_STRING, &focus,
			"Focus point as fractions of the oriented photo", "X,Y" },
		{ "keep", 0, 0, G_OPTION_ARG_STRING, &keep,
			"Metadata to keep: none, or a list of credit, datetime, camera "
			"(default credit)",
			"LIST" },
		{ "max-pixels", 0, 0, G_OPTION_ARG_STRING, &max_pixels,
			"Refuse photos larger than this (default 100MP)", "N" },
		{ "preset-dir", 0, 0, G_OPTION_ARG_FILENAME, &preset_dir,
			"Read user presets from DIR", "DIR" },
		{ "alt", 0, 0, G_OPTION_ARG_STRING, &alt,
			"Alt text for every photo", "TEXT" },
		{ "alt-long", 0, 0, G_OPTION_ARG_STRING, &alt_long,
			"Long description (ExtDescrAccessibility)", "TEXT" },
		{ "by", 0, 0, G_OPTION_ARG_STRING, &by,
			"Who prepares (recorded in the manifest; default: login name)",
			"NAME" },
		{ "campaign", 'c', 0, G_OPTION_ARG_FILENAME, &campaign,
			"Draw a campaign's logo and text layers (a .ini file, or NAME in "
			"$XDG_CONFIG_HOME/attache/campaigns/)",
			"FILE|NAME" },
		{ "alt-file", 0, 0, G_OPTION_ARG_FILENAME, &alt_file,
			"Alt text for every photo, from a UTF-8 file", "FILE" },
		{ "alt-manifest", 0, 0, G_OPTION_ARG_FILENAME, &alt_manifest,
			"Alt text per photo and language from a CSV file (file,lang,alt)",
			"FILE" },
		{ "require-alt", 0, 0, G_OPTION_ARG_NONE, &require_alt,
			"A photo without alt text fails (to failed/)", NULL },
		{ "upload", 0, 0, G_OPTION_ARG_STRING, &upload,
			"Upload each output to these targets (x, mastodon, bluesky) "
			"before the photo is done; credentials as for attache upload",
			"LIST" },
		{ "lang", 0, 0, G_OPTION_ARG_STRING, &lang,
			"Language of the campaign's text (en, fr, ar ...)", "LANG" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &c.quiet,
			"Print nothing but errors", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &c.verbose,
			"Say more", NULL },
		{ NULL },
	};

	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"INBOX - prepare every photo dropped into a folder");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Photos dropped into INBOX are prepared into OUTDIR/PHOTO/ (all of "
		"a photo's\noutputs appear at once), then moved to INBOX/done/; "
		"those that cannot be\nprepared go to INBOX/failed/ with "
		"PHOTO.error.txt. INBOX/attache.ini holds\nthe folder's settings "
		"(options given here win). See docs/watch.md.\n"
		"SIGINT/SIGTERM finish the photos in hand, then exit 0.\n"
		"Exit status: 0 done (with --once: no photo failed), 1 some photos "
		"failed,\n2 usage or configuration error.\n");
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
	if (jobs < 0 || poll < 0 || settle < 0) {
		cli_error("watch: --jobs, --poll and --settle cannot be negative");
		goto out;
	}
	o = attache_watch_options_new(argv[1]);
	o->jobs = jobs;
	o->poll = poll;
	o->settle = settle;
	o->once = once;
	o->preset_dir = g_strdup(preset_dir);

	if (presets) {
		g_autofree char *list = g_strjoinv(",", presets);
		if (!set(o, "--preset", "presets", list))
			goto out;
	}
	/* files named on the command line are relative to where it runs */
	if (campaign && (strchr(campaign, '/') || g_str_has_suffix(campaign, ".ini"))) {
		char *abs = g_canonicalize_filename(campaign, NULL);
		g_free(campaign);
		campaign = abs;
	}
	if (alt_file) {
		char *abs = g_canonicalize_filename(alt_file, NULL);
		g_free(alt_file);
		alt_file = abs;
	}
	if (alt_manifest) {
		char *abs = g_canonicalize_filename(alt_manifest, NULL);
		g_free(alt_manifest);
		alt_manifest = abs;
	}
	if (!set(o, "--campaign", "campaign", campaign) || !set(o, "--alt-file", "alt-file", alt_file) || !set(o, "--alt-manifest", "alt-manifest", alt_manifest) || !set(o, "--require-alt", "require-alt", require_alt ? "true" : NULL))
		goto out;
	if (out_dir) {
		/* relative to where the command runs, as the user typed it */
		g_autofree char *abs = g_canonicalize_filename(out_dir, NULL);
		if (!set(o, "--out", "out", abs))
			goto out;
	}
	if (!set(o, "--fit", "fit", fit) || !set(o, "--crop", "crop", crop) || !set(o, "--focus", "focus", focus) || !set(o, "--keep", "keep", keep) || !set(o, "--max-pixels", "max-pixels", max_pixels) || !set(o, "--alt", "alt", alt) || !set(o, "--alt-long", "alt-long", alt_long) || !set(o, "--by", "by", by) || !set(o, "--lang", "lang", lang) || !set(o, "--upload", "upload", upload))
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
		rc = attache_code_exit_status(code);
	}
	else if (once)
		rc = attache_watch_failures(c.watch) ? EXIT_SOME_FAILED : EXIT_OK;
	else
		rc = EXIT_OK;
	attache_watch_free(c.watch);

out:
	attache_watch_options_free(o);
	g_strfreev(presets);
	g_free(out_dir);
	g_free(fit);
	g_free(crop);
	g_free(focus);
	g_free(keep);
	g_free(max_pixels);
	g_free(preset_dir);
	g_free(alt);
	g_free(alt_long);
	g_free(by);
	g_free(lang);
	g_free(upload);
	g_free(campaign);
	g_free(alt_file);
	g_free(alt_manifest);
	return rc;
}
