/* SPDX-License-Identifier: MIT */
/*
 * cmd-approve.c: `attache approve DIR --by NAME [FILE...]`, the second
 * person's approval of the bytes they reviewed (docs/review.md).
 */
#include "cli.h"

#include <json-glib/json-glib.h>
#include <string.h>

static char *
result_json(const AttacheApproveResult *r, const char *by)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, r->file);
	json_builder_set_member_name(b, "sha256");
	if (r->sha256)
		json_builder_add_string_value(b, r->sha256);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "by");
	json_builder_add_string_value(b, by);
	json_builder_set_member_name(b, "recorded");
	json_builder_add_boolean_value(b, r->code == ATTACHE_OK);
	json_builder_set_member_name(b, "again");
	json_builder_add_boolean_value(b, r->again);
	json_builder_set_member_name(b, "self");
	json_builder_add_boolean_value(b, r->self);
	json_builder_set_member_name(b, "prepared_by");
	if (r->prepared_by)
		json_builder_add_string_value(b, r->prepared_by);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "error");
	if (r->code)
		json_builder_add_string_value(b, r->error);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) n = json_builder_get_root(b);
	return json_to_string(n, FALSE);
}

int
cmd_approve(int argc, char **argv)
{
	char *by = NULL;
	gboolean json = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "by", 0, 0, G_OPTION_ARG_STRING, &by,
			"Who approves (required; not the person who prepared them)",
			"NAME" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
			"One JSON object per file on stdout", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
			"Print nothing but errors", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"DIR [FILE...] - approve outputs in DIR (all of them when no FILE "
		"is given)");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Records in DIR/approvals.json who approved the current bytes "
		"(SHA-256) of each\noutput. upload --require-approval then sends "
		"only outputs approved by someone\nother than who prepared them. "
		"See docs/review.md.\n"
		"Exit status: 0 all recorded, 1 some files were not (changed since "
		"prep, not an\noutput, damaged approvals.json), 2 usage error.\n");
	if (!cli_parse(ctx, &argc, &argv))
		return EXIT_USAGE;

	int rc = EXIT_USAGE;
	g_autoptr(GError) error = NULL;
	GPtrArray *results = NULL;

	if (argc < 2) {
		cli_error("approve: give the output folder (see attache approve "
				  "--help)");
		goto out;
	}
	if (!by) {
		cli_error("approve: --by NAME is required: an approval says who "
				  "approved");
		goto out;
	}

	AttacheCode code = attache_approve(argv[1], by,
		(const char *const *)(argc > 2 ? argv + 2 : NULL), &results,
		&error);
	if (code == ATTACHE_E_USAGE) {
		cli_error("%s", error->message);
		goto out;
	}
	int ok = 0;
	for (guint i = 0; i < results->len; i++) {
		const AttacheApproveResult *r = results->pdata[i];
		if (json) {
			g_autofree char *line = result_json(r, by);
			cli_out("%s", line);
		}
		if (r->code) {
			cli_error("%s", r->error);
			continue;
		}
		ok++;
		if (r->self)
			cli_warn("%s: %s prepared it: this approval is recorded but does "
					 "not count; a second person must approve it",
				r->file, r->prepared_by);
		if (!json && !quiet)
			cli_out("%s: %s by %s (SHA-256 %.12s…)", r->file,
				r->again ? "already approved" : "approved", by, r->sha256);
	}
	/* an error that concerns no single file (no manifest, damaged
	 * approvals.json when nothing was tried) */
	if (code && results->len == 0)
		cli_error("%s", error->message);
	if (!json && !quiet && results->len > 1)
		cli_note("%d of %u approved by %s", ok, results->len, by);
	rc = code ? EXIT_SOME_FAILED : EXIT_OK;

out:
	if (results)
		g_ptr_array_unref(results);
	g_free(by);
	return rc;
}
