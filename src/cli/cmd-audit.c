/* SPDX-License-Identifier: MIT */
/*
 * cmd-audit.c: `attache audit [--json] [--keep LIST] FILE...`
 *
 * Lists what each file tells about where it was taken and by whom, with
 * the independent reader of the library (attache_audit_file). Kinds the
 * keep policy allows (credit by default; alt-text, xmp and icc always) are
 * listed but do not count. Exit status (docs/audit.md): 0 every file
 * clean, 1 a finding in some file, 2 a file unreadable or a usage error.
 */
#include "cli.h"

#include <string.h>

static void
print_human(const char *file, const AttacheAuditReport *r, guint allowed)
{
	guint counted = r->kinds & ~allowed;
	guint n = 0;
	for (guint i = 0; i < r->findings->len; i++)
		if (!(((AttacheFinding *)r->findings->pdata[i])->kind & allowed))
			n++;
	g_autofree char *kinds = attache_kinds_to_string(counted);
	if (counted)
		cli_out("%s: %s, %u finding%s (%s)", file, r->format, n,
			n == 1 ? "" : "s", kinds);
	else
		cli_out("%s: %s, clean", file, r->format);

	for (guint i = 0; i < r->findings->len; i++) {
		const AttacheFinding *f = r->findings->pdata[i];
		gboolean ok = (f->kind & allowed) != 0;
		cli_out("  %-10s %s%s%s%s", attache_kind_name(f->kind), f->where,
			f->value && *f->value ? " = " : "", f->value ? f->value : "",
			ok ? "  (allowed)" : "");
	}
}

int
cmd_audit(int argc, char **argv)
{
	gboolean json = FALSE;
	char *keep = NULL;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
			"One JSON object per file on stdout", NULL },
		{ "keep", 0, 0, G_OPTION_ARG_STRING, &keep,
			"Kinds the policy keeps, listed but not counted: none, or a "
			"list of credit, datetime, camera (default credit)",
			"LIST" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"FILE... - list the location, identity, free-text and thumbnail "
		"metadata in images");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Reads JPEG, PNG, WebP, HEIF/HEIC/AVIF and TIFF without decoding "
		"pixels.\n"
		"Exit status: 0 every file clean, 1 findings in some file, 2 a file\n"
		"could not be read (or a usage error).\n");
	if (!cli_parse(ctx, &argc, &argv)) {
		g_free(keep);
		return EXIT_USAGE;
	}

	guint policy = ATTACHE_KEEP_CREDIT;
	g_autoptr(GError) error = NULL;
	if (keep && attache_keep_from_string(keep, &policy, &error)) {
		cli_error("%s", error->message);
		g_free(keep);
		return EXIT_USAGE;
	}
	g_free(keep);
	if (argc < 2) {
		cli_error("audit: no file given (see attache audit --help)");
		return EXIT_USAGE;
	}

	guint allowed = attache_keep_allowed_kinds(policy);
	int rc = EXIT_OK;
	for (int i = 1; i < argc; i++) {
		AttacheAuditReport *r = NULL;
		g_autoptr(GError) e = NULL;
		if (attache_audit_file(argv[i], &r, &e)) {
			if (json) {
				g_autofree char *line = attache_audit_report_to_json(NULL,
					argv[i], policy, e->message);
				cli_out("%s", line);
			}
			cli_error("%s", e->message);
			rc = 2;
			continue;
		}
		if (json) {
			g_autofree char *line = attache_audit_report_to_json(r, argv[i],
				policy, NULL);
			cli_out("%s", line);
		}
		else
			print_human(argv[i], r, allowed);
		if ((r->kinds & ~allowed) && rc == EXIT_OK)
			rc = 1;
		attache_audit_report_free(r);
	}
	return rc;
}
