/* SPDX-License-Identifier: MIT */
/* prep-args.c: a command's flags and --help, built from the library's
 * option table (attache_options()); nothing is listed here. */
#include "cli.h"

#include <errno.h>
#include <string.h>

/* The row an option name from GOption ("--fit", "-p") stands for. */
static const AttacheOption *
row_of(const CliArgs *a, const char *option_name)
{
	if (option_name[0] == '-' && option_name[1] == '-')
		return attache_option_find(option_name + 2, a->scope);
	guint n;
	const AttacheOption *t = attache_options(&n);
	for (guint i = 0; i < n; i++)
		if ((t[i].scope & a->scope) && t[i].short_name == option_name[1])
			return &t[i];
	return NULL;
}

/* Every flag lands here: its value under the table name, repeated ones
 * joined (a comma list, or one folder a line). */
static gboolean
on_option(const char *option_name, const char *value, gpointer data,
	GError **error)
{
	CliArgs *a = data;
	const AttacheOption *o = row_of(a, option_name);
	if (!o) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
			"%s: not an option of this command", option_name);
		return FALSE;
	}
	const char *had = g_hash_table_lookup(a->given, o->name);
	char *v = o->type == ATTACHE_VALUE_FLAG ? g_strdup("true")
			  : had && (o->flags & ATTACHE_OPTION_REPEATABLE)
				  ? g_strconcat(had,
					  o->type == ATTACHE_VALUE_DIRS ? "\n" : ",", value, NULL)
				  : g_strdup(value);
	g_hash_table_replace(a->given, g_strdup(o->name), v);
	return TRUE;
}

static GOptionEntry
entry_for(const AttacheOption *o, const char *long_name, gboolean alias)
{
	GOptionEntry e = { long_name, alias ? 0 : o->short_name, 0,
		G_OPTION_ARG_CALLBACK, (gpointer)on_option, o->help, o->metavar };
	if (o->type == ATTACHE_VALUE_FLAG)
		e.flags |= G_OPTION_FLAG_NO_ARG;
	if (o->type == ATTACHE_VALUE_FILE || o->type == ATTACHE_VALUE_FOLDER || o->type == ATTACHE_VALUE_DIRS)
		e.flags |= G_OPTION_FLAG_FILENAME;
	if (alias) /* accepted, not advertised */
		e.flags |= G_OPTION_FLAG_HIDDEN;
	return e;
}

void
cli_args_add(GOptionContext *ctx, CliArgs *a, guint scope)
{
	guint n, k = 0;
	const AttacheOption *t = attache_options(&n);
	a->scope = scope;
	a->given = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	/* one entry per row, one more per alias, and the terminator */
	GOptionEntry *entries = g_new0(GOptionEntry, 2 * n + 1);
	for (guint i = 0; i < n; i++) {
		if (!(t[i].scope & scope))
			continue;
		entries[k++] = entry_for(&t[i], t[i].name, FALSE);
		if (t[i].alias)
			entries[k++] = entry_for(&t[i], t[i].alias, TRUE);
	}
	GOptionGroup *group = g_option_group_new(NULL, NULL, NULL, a, NULL);
	/* copies the array; the strings are the table's, static */
	g_option_group_add_entries(group, entries);
	g_free(entries);
	g_option_context_set_main_group(ctx, group);
}

void
cli_args_clear(CliArgs *a)
{
	if (a->given)
		g_hash_table_unref(a->given);
	memset(a, 0, sizeof(*a));
}

const char *
cli_arg(const CliArgs *a, const char *name)
{
	return a->given ? g_hash_table_lookup(a->given, name) : NULL;
}

gboolean
cli_arg_flag(const CliArgs *a, const char *name)
{
	return cli_arg(a, name) != NULL;
}

gboolean
cli_arg_number(const CliArgs *a, const char *name, double *out)
{
	const char *v = cli_arg(a, name);
	char *end;
	if (!v)
		return TRUE;
	errno = 0;
	double d = g_ascii_strtod(v, &end);
	if (errno || end == v || *end || d != d) {
		cli_error("--%s: \"%s\": expected a number", name, v);
		return FALSE;
	}
	*out = d;
	return TRUE;
}

gboolean
cli_args_to_prep_options(const CliArgs *a, AttachePrepOptions *opts)
{
	guint n;
	const AttacheOption *t = attache_options(&n);
	g_autoptr(GError) error = NULL;
	/* preset-dir first: presets and the campaign name presets in it */
	const char *dir = cli_arg(a, "preset-dir");
	if (dir && attache_prep_options_set(opts, "--preset-dir", dir, &error)) {
		cli_error("%s", error->message);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		const char *v = cli_arg(a, t[i].name);
		if (!v || !(t[i].scope & a->scope) || !(t[i].scope & ATTACHE_SCOPE_API) || g_str_equal(t[i].name, "preset-dir"))
			continue;
		g_autofree char *flag = g_strconcat("--", t[i].name, NULL);
		if (attache_prep_options_set(opts, flag, v, &error)) {
			cli_error("%s", error->message);
			return FALSE;
		}
	}
	if (attache_prep_options_finish(opts, &error)) {
		cli_error("%s", error->message);
		return FALSE;
	}
	return TRUE;
}

gboolean
cli_args_max_memory(const CliArgs *a, gint64 *out)
{
	const char *v = cli_arg(a, "max-memory");
	*out = ATTACHE_DEFAULT_MAX_MEMORY;
	if (v && !attache_size_from_string(v, out)) {
		cli_error("--max-memory: \"%s\": expected a size (512M, 2G, "
				  "65536K)",
			v);
		return FALSE;
	}
	return TRUE;
}
