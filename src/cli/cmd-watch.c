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
set(AttacheWatchOptions *o, const char *key, const char *value)
{
	g_autoptr(GError) error = NULL;
	if (!value)
		return TRUE;
	if (attache_watch_options_set(o, key, value, &error)) {
		cli_error("--%s: %s", key, error->message);
		return FALSE;
	}
	return TRUE;
}

/* A path the operator typed, relative to where the command runs (each
 * line of a list); a campaign NAME stays a name. (transfer full) */
static char *
operator_path(const AttacheOption *row, const char *value)
{
	gboolean name = g_str_equal(row->name, "campaign") && !strchr(value, '/') && !g_str_has_suffix(value, ".ini");
	AttacheValueType t = row->type;
	gboolean path = t == ATTACHE_VALUE_FILE || t == ATTACHE_VALUE_FOLDER || t == ATTACHE_VALUE_DIRS;
	if (name || !path)
		return g_strdup(value);
	g_auto(GStrv) lines = g_strsplit(value, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		char *abs = g_canonicalize_filename(lines[i], NULL);
		g_free(lines[i]);
		lines[i] = abs;
	}
	return g_strjoinv("\n", lines);
}

/* The options that are settings (the table's attache.ini keys), into @o;
 * --require-approval and --no-approval are one setting. FALSE after
 * saying what is wrong. */
static gboolean
set_settings(AttacheWatchOptions *o, const CliArgs *a)
{
	guint n;
	const AttacheOption *t = attache_options(&n);
	for (guint i = 0; i < n; i++) {
		const char *v = cli_arg(a, t[i].name);
		if (!v || !(t[i].scope & ATTACHE_SCOPE_WATCH) || !(t[i].scope & ATTACHE_SCOPE_INI))
			continue;
		/* preset-dir is not a setting; the folder is the operator's */
		g_autofree char *value = operator_path(&t[i], v);
		if (!set(o, t[i].name, value))
			return FALSE;
	}
	/* a pin either way: attache.ini cannot change it (docs/watch.md) */
	if (cli_arg_flag(a, "no-approval"))
		return set(o, "require-approval", "false");
	return TRUE;
}

/* The scalar options, checked, into a new AttacheWatchOptions for
 * @inbox; NULL after saying what is wrong. (transfer full) */
static AttacheWatchOptions *
watch_options(const CliArgs *a, const char *inbox)
{
	double jobs = 0, poll = 0, settle = 2.0;
	if (!cli_arg_number(a, "jobs", &jobs) || !cli_arg_number(a, "poll", &poll) || !cli_arg_number(a, "settle", &settle))
		return NULL;
	if (jobs < 0 || poll < 0 || settle < 0) {
		cli_error("watch: --jobs, --poll and --settle cannot be negative");
		return NULL;
	}
	if (jobs > 4096 || jobs != (int)jobs) {
		cli_error("--jobs: \"%s\": expected a whole number of photos", cli_arg(a, "jobs"));
		return NULL;
	}
	if (cli_arg_flag(a, "require-approval") && cli_arg_flag(a, "no-approval")) {
		cli_error("watch: give --require-approval or --no-approval, not "
				  "both");
		return NULL;
	}
	AttacheWatchOptions *o = attache_watch_options_new(inbox);
	o->jobs = (int)jobs;
	o->poll = poll;
	o->settle = settle;
	o->once = cli_arg_flag(a, "once");
	o->preset_dir = g_strdup(cli_arg(a, "preset-dir"));
	if (!cli_args_max_memory(a, &o->max_memory) || !set_settings(o, a)) {
		attache_watch_options_free(o);
		return NULL;
	}
	return o;
}

/* Runs the watch until it stops; the exit status. */
static int
run(Cli *c, const AttacheWatchOptions *o)
{
	g_autoptr(GError) error = NULL;
	int rc = EXIT_OK;
	if (attache_watch_new(o, on_event, c, &c->watch, &error)) {
		cli_error("%s", error->message);
		return EXIT_USAGE;
	}
	guint sig_int = g_unix_signal_add(SIGINT, on_signal, c);
	guint sig_term = g_unix_signal_add(SIGTERM, on_signal, c);
	AttacheCode code = attache_watch_run(c->watch, &error);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	if (code) {
		cli_error("%s", error->message);
		rc = attache_watch_inbox_lost(c->watch)
				 ? EXIT_INBOX_GONE
				 : attache_code_exit_status(code);
	}
	else if (o->once && attache_watch_failures(c->watch))
		rc = EXIT_SOME_FAILED;
	attache_watch_free(c->watch);
	return rc;
}

int
cmd_watch(int argc, char **argv)
{
	CliArgs a = { 0 };
	Cli c = { 0 };
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"INBOX - prepare every photo dropped into a folder");
	cli_args_add(ctx, &a, ATTACHE_SCOPE_WATCH);
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
	c.json = cli_arg_flag(&a, "json");
	c.quiet = cli_arg_flag(&a, "quiet");
	c.verbose = cli_arg_flag(&a, "verbose");
	cli_set_verbose(c.verbose);

	int rc = EXIT_USAGE;
	AttacheWatchOptions *o = NULL;
	if (argc != 2)
		cli_error("watch: give one INBOX folder (see attache watch --help)");
	else if ((o = watch_options(&a, argv[1])))
		rc = run(&c, o);
	attache_watch_options_free(o);
	cli_args_clear(&a);
	return rc;
}
