/* SPDX-License-Identifier: MIT */
/* cli.h: the attache command's shared pieces. The CLI uses only the public
 * API in attache.h, so a scheduler written in C can do what it does. */
#ifndef ATTACHE_CLI_H
#define ATTACHE_CLI_H

#include "attache.h"

/* Exit statuses (docs/exit-codes.md). */
#define EXIT_OK 0
#define EXIT_SOME_FAILED 1
#define EXIT_USAGE 2
#define EXIT_UPLOAD_FAILED 3
#define EXIT_INBOX_GONE 4 /* attache watch: the inbox was deleted or replaced */

/* msgs.c: the only code that writes to stderr. Each keeps a progress bar,
 * if one is shown, from being torn. */
void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void cli_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void cli_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* A line on stdout, for results (JSON lines or human lines). */
void cli_out(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void cli_set_verbose(gboolean verbose);
gboolean cli_verbose(void);

/* progress.c: a bar on stderr, only when stderr is a terminal. */
void cli_progress_start(int total, gboolean enabled);
void cli_progress_step(void);
void cli_progress_end(void);
/* redraws after a message (msgs.c) */
void cli_progress_redraw_locked(void);
void cli_progress_clear_locked(void);
GMutex *cli_term_lock(void);

/* Loads the preset set (built-in + user dir, --preset-dir first), exiting
 * with a usage error message on failure. */
AttachePresetSet *cli_load_presets(const char *preset_dir);

/* Parses an option context, printing the error with the command name. */
gboolean cli_parse(GOptionContext *ctx, int *argc, char ***argv);

/* prep-args.c: the options prep and watch share, declared once. */
typedef struct {
	char **presets;
	char *fit, *crop, *focus, *keep, *max_pixels, *preset_dir;
	char *max_memory;
	char *campaign, *lang;
	char *alt, *alt_file, *alt_manifest, *alt_long;
	gboolean require_alt;
	char *upload, *by;
	int jobs;
} CliPrepArgs;
/* Adds the shared options to @ctx's main group, writing into @a. */
void cli_prep_args_add(GOptionContext *ctx, CliPrepArgs *a);
void cli_prep_args_clear(CliPrepArgs *a);
/* --max-memory in bytes (the default when not given); FALSE, message
 * printed, when it is not a size. */
gboolean cli_prep_args_max_memory(const CliPrepArgs *a, gint64 *out);

int cmd_prep(int argc, char **argv);
int cmd_presets(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_approve(int argc, char **argv);

#endif
