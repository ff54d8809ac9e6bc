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
	json_builder_set_member_name(b, "left");
	json_builder_add_boolean_value(b, r->left);
	json_builder_set_member_name(b, "severity");
	json_builder_add_string_value(b, attache_severity_name(r->severity));
	json_builder_set_member_name(b, "reasons");
	json_builder_begin_array(b);
	for (int i = 0; r->reasons && r->reasons[i]; i++)
		json_builder_add_string_value(b, r->reasons[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) n = json_builder_get_root(b);
	return json_to_string(n, FALSE);
}

/* What was not approved, grouped by why. */
typedef struct {
	int approved, self, left, needs_yes, blocking, failed;
	GHashTable *count; /* worst reason -> int, for each not approved */
	GPtrArray *order;  /* those reasons, as first seen */
} Tally;

static void
tally_add(Tally *t, const AttacheApproveResult *r)
{
	if (r->code == ATTACHE_OK) {
		/* recorded, but the approver prepared it: it does not count */
		if (r->self)
			t->self++;
		else
			t->approved++;
		return;
	}
	t->left++;
	const char *why = r->reasons && r->reasons[0] ? r->reasons[0] : NULL;
	if (r->left)
		t->needs_yes++;
	else if (r->severity == ATTACHE_SEVERITY_BLOCKING)
		t->blocking++;
	else {
		t->failed++;
		return;
	}
	int n = GPOINTER_TO_INT(g_hash_table_lookup(t->count, why));
	if (!n)
		g_ptr_array_add(t->order, (gpointer)why);
	g_hash_table_insert(t->count, (gpointer)why, GINT_TO_POINTER(n + 1));
}

/* "No alt text: 2, Changed since prep: 1" for the reasons of @sev. */
static char *
tally_reasons(const Tally *t, gboolean blocking)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < t->order->len; i++) {
		const char *why = t->order->pdata[i];
		if ((attache_flag_severity(why) == ATTACHE_SEVERITY_BLOCKING) != blocking)
			continue;
		g_string_append_printf(s, "%s%s: %d", s->len ? ", " : "",
			attache_flag_label(why),
			GPOINTER_TO_INT(g_hash_table_lookup(t->count, why)));
	}
	return g_string_free(s, FALSE);
}

/* The closing lines: how many were approved, how many left, and why. */
static void
print_tally(const Tally *t, const char *by, gboolean json)
{
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "summary");
		json_builder_begin_object(b);
		const char *names[] = { "approved", "self", "left", "needs_yes",
			"blocking", "failed" };
		const int values[] = { t->approved, t->self, t->left, t->needs_yes,
			t->blocking, t->failed };
		for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
			json_builder_set_member_name(b, names[i]);
			json_builder_add_int_value(b, values[i]);
		}
		json_builder_set_member_name(b, "reasons");
		json_builder_begin_object(b);
		for (guint i = 0; i < t->order->len; i++) {
			json_builder_set_member_name(b, t->order->pdata[i]);
			json_builder_add_int_value(b,
				GPOINTER_TO_INT(g_hash_table_lookup(t->count, t->order->pdata[i])));
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
		json_builder_end_object(b);
		g_autoptr(JsonNode) n = json_builder_get_root(b);
		g_autofree char *line = json_to_string(n, FALSE);
		cli_out("%s", line);
		return;
	}
	cli_note("%d output%s approved by %s, %d left", t->approved,
		t->approved == 1 ? "" : "s", by, t->left);
	if (t->self)
		cli_note("  %d recorded but not counted: %s (or a name that looks the "
				 "same) prepared %s; a second person must approve %s",
			t->self, by, t->self == 1 ? "it" : "them",
			t->self == 1 ? "it" : "them");
	if (t->needs_yes) {
		g_autofree char *why = tally_reasons(t, FALSE);
		cli_note("  %d need%s a deliberate yes (%s): approve each by name "
				 "with --output NAME, or all of them with --include-flagged",
			t->needs_yes, t->needs_yes == 1 ? "s" : "", why);
	}
	if (t->blocking) {
		g_autofree char *why = tally_reasons(t, TRUE);
		cli_note("  %d blocked, never approved (%s): prepare %s again",
			t->blocking, why, t->blocking == 1 ? "it" : "them");
	}
	if (t->failed)
		cli_note("  %d could not be approved (the errors above say why)",
			t->failed);
}

int
cmd_approve(int argc, char **argv)
{
	char *by = NULL;
	char **named = NULL;
	gboolean json = FALSE, quiet = FALSE, include_flagged = FALSE;
	GOptionEntry entries[] = {
		{ "by", 0, 0, G_OPTION_ARG_STRING, &by,
			"Who approves (required; not the person who prepared them)",
			"NAME" },
		{ "output", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &named,
			"Approve this output even if it needs a deliberate yes "
			"(repeatable; FILE arguments, a shell glob, never count as naming "
			"one)",
			"NAME" },
		{ "include-flagged", 0, 0, G_OPTION_ARG_NONE, &include_flagged,
			"Approve the outputs that need a deliberate yes too (never the "
			"blocked ones)",
			NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
			"One JSON object per file on stdout", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
			"Print nothing but errors", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"DIR [FILE...] - approve outputs in DIR (all of them when no FILE "
		"or --output is given)");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Records in DIR/approvals.json who approved the current bytes "
		"(SHA-256) of each\noutput. upload --require-approval then sends "
		"only outputs approved by someone\nother than who prepared them. "
		"Outputs that need a deliberate yes (no alt text ...) are left "
		"unless named with\n--output or --include-flagged is given; blocked "
		"ones (changed since prep,\naudit failed) are never approved. See "
		"docs/review.md.\n"
		"Exit status: 0 all recorded or left for a deliberate yes, 1 some "
		"files were not\n(blocked, not an output, damaged approvals.json), 2 "
		"usage error.\n");
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

	AttacheApproveOptions aopts = {
		.files = (const char *const *)(argc > 2 ? argv + 2 : NULL),
		.named = (const char *const *)named,
		.include_flagged = include_flagged,
	};
	AttacheCode code = attache_approve_with(argv[1], by, &aopts, &results,
		&error);
	if (code == ATTACHE_E_USAGE) {
		cli_error("%s", error->message);
		goto out;
	}
	Tally t = { .count = g_hash_table_new(g_str_hash, g_str_equal),
		.order = g_ptr_array_new() };
	for (guint i = 0; i < results->len; i++) {
		const AttacheApproveResult *r = results->pdata[i];
		tally_add(&t, r);
		if (json) {
			g_autofree char *line = result_json(r, by);
			cli_out("%s", line);
		}
		if (r->left) {
			if (!json && !quiet)
				cli_note("%s", r->error);
			continue;
		}
		if (r->code) {
			cli_error("%s", r->error);
			continue;
		}
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
	/* even with -q when some were left: leaving them is never silent */
	if (results->len && (json || !quiet || t.left || t.self))
		print_tally(&t, by, json);
	g_hash_table_unref(t.count);
	g_ptr_array_unref(t.order);
	rc = code ? EXIT_SOME_FAILED : EXIT_OK;

out:
	if (results)
		g_ptr_array_unref(results);
	g_free(by);
	g_strfreev(named);
	return rc;
}
