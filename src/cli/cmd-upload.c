/* SPDX-License-Identifier: MIT */
/*
 * cmd-upload.c: `attache upload --to x|mastodon|bluesky FILE...`, the
 * step the post scheduler calls so that it only attaches ids
 * (docs/upload.md). Files go one after another: the platforms rate-limit
 * per account, so parallel uploads would only meet the limit sooner.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static char *
read_alt_file(const char *path)
{
	char *text = NULL;
	gsize len = 0;
	g_autoptr(GError) error = NULL;
	/* bounded: --alt-file /dev/zero or a FIFO is refused, never read */
	if (attache_read_small_file(path, 64 * 1024, &text, &len, &error)) {
		cli_error("--alt-file: %s", error->message);
		return NULL;
	}
	if (strlen(text) != len || !g_utf8_validate(text, (gssize)len, NULL)) {
		cli_error("--alt-file: %s: not a UTF-8 text of at most 64 KiB", path);
		g_free(text);
		return NULL;
	}
	/* a text editor's final newline is not part of the alt text */
	return g_strchomp(text);
}

static void
log_line(const char *line, gpointer data)
{
	cli_note("* %s", line);
}

static void
print_human(const AttacheUploadResult *r)
{
	g_autofree char *size = g_format_size((guint64)r->bytes);
	g_autofree char *acct = r->account ? g_strdup_printf(", account %s", r->account)
									   : g_strdup("");
	if (r->media_id)
		cli_out("%s: %s media %s (%dx%d, %s)%s%s", r->file,
			attache_target_name(r->target), r->media_id, r->width, r->height,
			size, r->reused ? ", reused" : "", acct);
	else
		cli_out("%s: %s blob %s (%dx%d, %s)%s%s", r->file,
			attache_target_name(r->target), r->blob ? r->blob : "", r->width,
			r->height, size, r->reused ? ", reused" : "", acct);
}

/* What the command line said; the strings are owned (g_free). */
typedef struct {
	char *to, *alt, *alt_file, *focus, *campaign;
	gboolean json, quiet, verbose, require_approval, allow_no_alt;
} UploadArgs;

static void
upload_args_clear(UploadArgs *a)
{
	g_free(a->to);
	g_free(a->alt);
	g_free(a->alt_file);
	g_free(a->focus);
	g_free(a->campaign);
}

/* Parses the options into @a (out), leaving the files in @argv. FALSE
 * after a usage error (printed). */
static gboolean
parse_args(int *argc, char ***argv, UploadArgs *a)
{
	/* declared in the option table (options.c), like prep's */
	const AttacheOption *no_alt = attache_option_find("allow-no-alt",
		ATTACHE_SCOPE_UPLOAD);
	const AttacheOption *camp = attache_option_find("campaign",
		ATTACHE_SCOPE_UPLOAD);
	GOptionEntry entries[] = {
		{ "to", 't', 0, G_OPTION_ARG_STRING, &a->to,
			"Where to upload: x, mastodon or bluesky", "TARGET" },
		{ "alt", 0, 0, G_OPTION_ARG_STRING, &a->alt,
			"Alt text for every file, instead of each file's own (not with "
			"--require-approval)",
			"TEXT" },
		{ "alt-file", 0, 0, G_OPTION_ARG_FILENAME, &a->alt_file,
			"Read the alt text from a UTF-8 file", "FILE" },
		{ no_alt->name, 0, 0, G_OPTION_ARG_NONE, &a->allow_no_alt,
			no_alt->help, NULL },
		{ camp->name, camp->short_name, 0, G_OPTION_ARG_FILENAME,
			&a->campaign, camp->help, camp->metavar },
		{ "focus", 0, 0, G_OPTION_ARG_STRING, &a->focus,
			"Focal point (Mastodon), fractions of the image from its "
			"top-left corner",
			"X,Y" },
		{ "require-approval", 0, 0, G_OPTION_ARG_NONE, &a->require_approval,
			"Upload only outputs approved by someone other than who "
			"prepared them (attache approve; docs/review.md)",
			NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &a->json,
			"One JSON object per file on stdout", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet,
			"Print nothing but errors", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &a->verbose,
			"Print each request and retry (secrets redacted)", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"FILE... - upload prepared media, for the post scheduler");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Credentials come from the environment (ATTACHE_X_*, "
		"ATTACHE_MASTODON_*,\nATTACHE_BLUESKY_*) or from "
		"$XDG_CONFIG_HOME/attache/credentials.ini (mode 600).\n"
		"Exit status: 0 all uploaded, 3 some uploads failed (the others are "
		"done),\n2 usage or configuration error. See docs/upload.md.\n");
	if (!cli_parse(ctx, argc, argv))
		return FALSE;
	cli_set_verbose(a->verbose);
	return TRUE;
}

/* Checks the options against each other and reads the alt text into
 * @alt_text (out) (transfer full) (nullable). FALSE after a usage error
 * (printed). */
static gboolean
check_args(const UploadArgs *a, int argc, AttacheTarget *target,
	char **alt_text, double *fx, double *fy)
{
	if (!a->to) {
		cli_error("upload: --to x|mastodon|bluesky is required");
		return FALSE;
	}
	if (!attache_target_from_string(a->to, target)) {
		cli_error("--to: \"%s\": expected x, mastodon or bluesky", a->to);
		return FALSE;
	}
	if (a->require_approval && (a->alt || a->alt_file)) {
		cli_error("%s: not with --require-approval: the alt text sent is the "
				  "one embedded in the approved file, which the approval "
				  "covers",
			a->alt ? "--alt" : "--alt-file");
		return FALSE;
	}
	if (a->alt && a->alt_file) {
		cli_error("--alt and --alt-file: give one or the other");
		return FALSE;
	}
	if (a->alt) {
		if (!g_utf8_validate(a->alt, -1, NULL)) {
			cli_error("--alt: not valid UTF-8");
			return FALSE;
		}
		*alt_text = g_strdup(a->alt);
	}
	else if (a->alt_file && !(*alt_text = read_alt_file(a->alt_file)))
		return FALSE;
	if (a->focus && !attache_focus_from_string(a->focus, fx, fy)) {
		cli_error("--focus: \"%s\": expected X,Y with each between 0 and 1",
			a->focus);
		return FALSE;
	}
	if (argc < 2) {
		cli_error("upload: no file given (see attache upload --help)");
		return FALSE;
	}
	return TRUE;
}

/* The uploader for @target's @account (%NULL: the default) with the
 * user's credentials, or %NULL after an error (printed).
 * Returns: (transfer full) */
static AttacheUploader *
make_uploader(const UploadArgs *a, AttacheTarget target, const char *account)
{
	g_autoptr(GError) error = NULL;
	AttacheCredentials *creds = NULL;
	if (attache_credentials_load_account(target, account, NULL, &creds,
			&error)) {
		cli_error("%s", error->message);
		return NULL;
	}
	AttacheUploadOptions *opts = attache_upload_options_new();
	opts->require_approval = a->require_approval;
	opts->require_alt = !a->allow_no_alt;
	if (a->verbose) {
		opts->log = log_line;
		cli_note("* %s credentials%s%s from %s", attache_target_name(target),
			account ? " of the account " : "", account ? account : "",
			creds->source);
	}
	AttacheUploader *up = NULL;
	if (attache_uploader_new(creds, opts, &up, &error))
		cli_error("%s", error->message);
	attache_upload_options_free(opts);
	attache_credentials_free(creds);
	return up;
}

/* Each file's account, from its language and the campaign's [accounts]
 * (docs/upload.md, "Accounts per language"), into @accounts (out): one
 * (transfer none) name or %NULL per file; and one uploader per account
 * used, made before anything is sent, into the returned table ("" for
 * the default). %NULL after an error (printed). (transfer full) */
static GHashTable *
make_uploaders(const UploadArgs *a, AttacheTarget target, char **files,
	int n, const char **accounts)
{
	AttacheCampaign *campaign = NULL;
	g_autoptr(GError) error = NULL;
	if (a->campaign && attache_campaign_load(a->campaign, NULL, &campaign, &error)) {
		cli_error("%s", error->message);
		return NULL;
	}
	GHashTable *ups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)attache_uploader_free);
	for (int i = 0; i < n; i++) {
		g_autofree char *lang = campaign ? attache_upload_file_lang(files[i])
										 : NULL;
		const char *acct = attache_campaign_account(campaign, lang);
		const char *key = acct ? acct : "";
		if (!g_hash_table_contains(ups, key)) {
			AttacheUploader *up = make_uploader(a, target, acct);
			if (!up) {
				g_hash_table_unref(ups);
				attache_campaign_free(campaign);
				return NULL;
			}
			g_hash_table_insert(ups, g_strdup(key), up);
		}
		/* the table's key lives as long as the table (transfer none) */
		g_hash_table_lookup_extended(ups, key, (gpointer *)&accounts[i], NULL);
		if (!*accounts[i])
			accounts[i] = NULL;
	}
	attache_campaign_free(campaign);
	return ups;
}

/* Uploads @files one after another, each with its account's uploader,
 * printing each result. Returns how many failed. @files: (transfer none) */
static int
upload_all(GHashTable *ups, const char **accounts, const UploadArgs *a,
	char **files, int n, const char *alt_text, double fx, double fy)
{
	int failed = 0;
	for (int i = 0; i < n; i++) {
		AttacheUploader *up = g_hash_table_lookup(ups,
			accounts[i] ? accounts[i] : "");
		AttacheUploadResult *r = NULL;
		attache_upload_file(up, files[i], alt_text, a->focus != NULL, fx, fy,
			&r, NULL);
		if (a->json) {
			g_autofree char *line = attache_upload_result_to_json(r);
			cli_out("%s", line);
		}
		else if (!a->quiet && r->code == ATTACHE_OK)
			print_human(r);
		if (r->code != ATTACHE_OK) {
			cli_error("%s", r->error);
			failed++;
		}
		else if (r->warning)
			cli_warn("%s", r->warning);
		attache_upload_result_free(r);
	}
	return failed;
}

int
cmd_upload(int argc, char **argv)
{
	UploadArgs a = { 0 };
	if (!parse_args(&argc, &argv, &a)) {
		upload_args_clear(&a);
		return EXIT_USAGE;
	}
	int rc = EXIT_USAGE;
	AttacheTarget target;
	double fx = 0, fy = 0;
	char *alt_text = NULL;
	GHashTable *ups = NULL;
	const char **accounts = g_new0(const char *, MAX(argc, 1));
	if (!check_args(&a, argc, &target, &alt_text, &fx, &fy)
		|| !(ups = make_uploaders(&a, target, argv + 1, argc - 1, accounts)))
		goto out;
	int failed = upload_all(ups, accounts, &a, argv + 1, argc - 1, alt_text,
		fx, fy);
	if (!a.json && !a.quiet && argc > 2)
		cli_note("%d of %d uploaded to %s", argc - 1 - failed, argc - 1,
			attache_target_name(target));
	rc = failed ? EXIT_UPLOAD_FAILED : EXIT_OK;

out:
	if (ups)
		g_hash_table_unref(ups);
	g_free(accounts);
	g_free(alt_text);
	upload_args_clear(&a);
	return rc;
}
