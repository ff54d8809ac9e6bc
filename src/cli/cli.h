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

/* prep-args.c: a command's flags, from the library's option table. */
typedef struct {
	guint scope;	   /* ATTACHE_SCOPE_PREP, _WATCH or _REVIEW */
	GHashTable *given; /* table name -> value given (owned) */
} CliArgs;
/* Makes the table's rows of @scope the main group of @ctx, writing into
 * @a (cli_args_clear() it). */
void cli_args_add(GOptionContext *ctx, CliArgs *a, guint scope);
void cli_args_clear(CliArgs *a);
/* The value given for @name (repeated ones joined), or %NULL. (transfer
 * none) */
const char *cli_arg(const CliArgs *a, const char *name);
gboolean cli_arg_flag(const CliArgs *a, const char *name);
/* @name as a number into @out, left alone when not given; FALSE, message
 * printed, when it is not a number. */
gboolean cli_arg_number(const CliArgs *a, const char *name, double *out);
/* Every given setting attache_prep_options_set() takes, then
 * attache_prep_options_finish(); FALSE after printing the error. */
gboolean cli_args_to_prep_options(const CliArgs *a, AttachePrepOptions *opts);
/* --max-memory in bytes (the default when not given); FALSE, message
 * printed, when it is not a size. */
gboolean cli_args_max_memory(const CliArgs *a, gint64 *out);

int cmd_prep(int argc, char **argv);
int cmd_presets(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_approve(int argc, char **argv);
/* cmd-serve.c: the desk's server, its accounts and tokens */
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
