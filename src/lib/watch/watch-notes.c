/* SPDX-License-Identifier: MIT */
/*
 * watch-notes.c: INBOX/attache.ini.error.txt, the note that tells whoever
 * edits a folder's settings, in plain words and in the folder's
 * notes-lang, which line of attache.ini is wrong (docs/watch.md). The
 * watcher writes it when the settings are refused and deletes it once
 * they are good again; the log and stderr keep the technical message.
 */
#include "private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define INI_NAME "attache.ini"
#define NOTE_NAME "attache.ini.error.txt"

/* What the settings loader's message says is wrong, and where. */
typedef struct {
	const char *kind; /* a message id of data/messages.ini, or NULL */
	char *key;		  /* the setting, or NULL */
	int line;		  /* 1-based, 0: not one line */
	char *text;		  /* that line as written, or NULL */
} Diagnosis;

static void
diagnosis_clear(Diagnosis *d)
{
	g_free(d->key);
	g_free(d->text);
}

/* The last line of @lines that sets @key in [attache] (GKeyFile keeps the
 * last), or 0. */
static int
line_of_key(char **lines, const char *key)
{
	int found = 0;
	gboolean ours = FALSE;
	gsize n = strlen(key);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '[')
			ours = g_str_has_prefix(l, "[attache]");
		else if (ours && strncmp(l, key, n) == 0) {
			const char *r = l + n;
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r == '=')
				found = i + 1;
		}
	}
	return found;
}

/* The line that starts section [@group], or 0. */
static int
line_of_group(char **lines, const char *group)
{
	g_autofree char *want = g_strdup_printf("[%s]", group);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		while (*l == ' ' || *l == '\t')
			l++;
		if (g_str_has_prefix(l, want))
			return i + 1;
	}
	return 0;
}

/* The first line GKeyFile cannot read: neither blank, a comment, a
 * [section] nor a key = value inside one; or 0. */
static int
line_unreadable(char **lines)
{
	gboolean in_group = FALSE;
	for (int i = 0; lines[i]; i++) {
		g_autofree char *l = g_strstrip(g_strdup(lines[i]));
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			if (!g_str_has_suffix(l, "]"))
				return i + 1;
			in_group = TRUE;
		}
		else if (!strchr(l, '=') || !in_group || *l == '=')
			return i + 1;
	}
	return 0;
}

/* Reads @msg (the loader's message, "ini_path: " taken off) against the
 * file's @lines (NULL when it could not be read). */
static void
diagnose(const char *msg, char **lines, Diagnosis *d)
{
	memset(d, 0, sizeof(*d));
	if (g_str_has_prefix(msg, "unknown setting \"")) {
		const char *k = msg + strlen("unknown setting \"");
		const char *q = strchr(k, '"');
		d->key = g_strndup(k, q ? (gsize)(q - k) : strlen(k));
		d->kind = "settings.unknown-key";
		d->line = lines ? line_of_key(lines, d->key) : 0;
	}
	else if (g_str_has_prefix(msg, "unknown section [")) {
		const char *g = msg + strlen("unknown section [");
		const char *q = strchr(g, ']');
		g_autofree char *group = g_strndup(g, q ? (gsize)(q - g) : strlen(g));
		d->kind = "settings.unknown-section";
		d->line = lines ? line_of_group(lines, group) : 0;
	}
	else {
		/* "KEY: ...", "KEY = VALUE: ...": the settings' own messages */
		g_autofree char *first = g_strndup(msg, strcspn(msg, " :="));
		if (attache_option_find(first, ATTACHE_SCOPE_INI)) {
			d->key = g_steal_pointer(&first);
			d->kind = strstr(msg, "only the operator") || strstr(msg, "pinned on the command line")
						  ? "settings.operator"
						  : "settings.value";
			d->line = lines ? line_of_key(lines, d->key) : 0;
		}
		else if (lines && (d->line = line_unreadable(lines)))
			d->kind = "settings.syntax"; /* GKeyFile's own message */
	}
	if (d->line)
		d->text = g_strdup(lines[d->line - 1]);
}

/* The note's language: the file's own notes-lang line when it names one
 * of the six (the file may be broken elsewhere), else @lang. Static. */
static const char *
note_lang(char **lines, const char *lang)
{
	int n = lines ? line_of_key(lines, "notes-lang") : 0;
	if (n) {
		const char *v = strchr(lines[n - 1], '=') + 1;
		g_autofree char *value = g_strstrip(g_strdup(v));
		if (attache__notes_lang(value))
			return attache__notes_lang(value);
	}
	return attache__notes_lang(lang) ? attache__notes_lang(lang) : "en";
}

/* The note's text. (transfer full) */
static char *
note_text(const Diagnosis *d, const char *lang, const char *technical,
	gboolean running)
{
	GString *t = g_string_new(NULL);
	g_autofree char *title = attache__message("note.settings.title", lang,
		NULL);
	g_string_append_printf(t, "%s\n\n", title);
	if (d->line) {
		g_autofree char *n = g_strdup_printf("%d", d->line);
		g_autofree char *where = attache__message("note.settings.line", lang,
			"line", n, NULL);
		/* read with cat: the line is escaped like the terminal's */
		g_autofree char *shown = attache_escape_text(g_strstrip(d->text));
		g_string_append_printf(t, "%s\n\n    %s\n\n", where, shown);
	}
	else {
		g_autofree char *whole = attache__message("note.settings.whole",
			lang, NULL);
		g_string_append_printf(t, "%s\n\n", whole);
	}
	if (d->kind) {
		g_autofree char *label = attache__message("note.what", lang, NULL);
		g_autofree char *key = d->key ? attache_escape_text(d->key) : NULL;
		g_autofree char *what = attache__message(d->kind, lang, "key",
			key ? key : "", NULL);
		g_string_append_printf(t, "%s %s\n\n", label, what);
	}
	g_autofree char *todo_l = attache__message("note.todo", lang, NULL);
	g_autofree char *todo = attache__message("note.settings.todo", lang,
		NULL);
	g_autofree char *meanwhile = attache__message(running
													  ? "note.settings.running"
													  : "note.settings.stopped",
		lang, NULL);
	g_autofree char *tech_l = attache__message("note.technical", lang, NULL);
	g_autofree char *tech = attache_escape_text(technical);
	g_autofree char *time_l = attache__message("note.time", lang, NULL);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *when = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	g_string_append_printf(t, "%s %s\n\n%s\n\n%s %s\n%s %s\n", todo_l, todo,
		meanwhile, tech_l, tech, time_l, when);
	return g_string_free(t, FALSE);
}

AttacheCode
attache__watch_ini_note(const char *inbox, const char *message,
	const char *lang, gboolean running, GError **error)
{
	g_autofree char *ini = g_build_filename(inbox, INI_NAME, NULL);
	g_autofree char *prefix = g_strconcat(ini, ": ", NULL);
	/* a broken option of the operator's is not the file's fault */
	if (!g_str_has_prefix(message, prefix))
		return ATTACHE_OK;
	g_autofree char *text = NULL;
	gsize len = 0;
	g_auto(GStrv) lines = NULL;
	/* the same bounded, confined read as the settings' */
	if (attache__read_small_beneath(inbox, INI_NAME,
			ATTACHE_MAX_SETTINGS_BYTES, &text, &len, NULL)
			== ATTACHE_OK
		&& strlen(text) == len)
		lines = g_strsplit(text, "\n", -1);
	Diagnosis d;
	diagnose(message + strlen(prefix), lines, &d);
	g_autofree char *note = note_text(&d, note_lang(lines, lang), message,
		running);
	diagnosis_clear(&d);
	/* a temporary dotfile renamed over the name: never written through a
	 * link someone put there */
	g_autofree char *path = g_build_filename(inbox, NOTE_NAME, NULL);
	return attache_write_atomic(path, note, strlen(note), error);
}

void
attache__watch_ini_note_clear(const char *inbox)
{
	g_autofree char *path = g_build_filename(inbox, NOTE_NAME, NULL);
	/* unlink removes a link itself, never what it points to */
	if (g_unlink(path) == 0)
		attache__fsync_dir(inbox);
	else if (errno != ENOENT)
		g_debug("%s: %s", path, g_strerror(errno));
}
