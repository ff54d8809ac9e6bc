/* SPDX-License-Identifier: MIT */
/*
 * credentials.c: upload credentials from the environment or from
 * $XDG_CONFIG_HOME/attache/credentials.ini (GKeyFile).
 *
 * Each value comes from its environment variable when set, else from the
 * file. The file is read only when the environment lacks something, and is
 * refused, as ssh refuses a private key, when it is not the user's own or
 * when group or others may read or write it: the mode is checked on the
 * opened file, so a swap between check and read cannot slip through.
 *
 * Named accounts ([x.fr], docs/upload.md "Accounts per language") come from
 * their group of the file alone: the environment holds one account's
 * secrets, the default one's.
 */
#include "upload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef AttacheCredentialField Field;

static char **
slot(AttacheCredentials *c, const Field *f)
{
	return G_STRUCT_MEMBER_P(c, f->offset);
}

static void
wipe(char **s)
{
	if (*s) {
		memset(*s, 0, strlen(*s));
		g_clear_pointer(s, g_free);
	}
}

void
attache_credentials_free(AttacheCredentials *c)
{
	if (!c)
		return;
	g_free(c->base_url);
	wipe(&c->x_consumer_key);
	wipe(&c->x_consumer_secret);
	wipe(&c->x_access_token);
	wipe(&c->x_access_secret);
	wipe(&c->x_bearer);
	wipe(&c->mastodon_token);
	g_free(c->bluesky_handle);
	wipe(&c->bluesky_app_password);
	g_free(c->source);
	g_free(c->account);
	g_free(c);
}

AttacheCredentials *
attache__credentials_copy(const AttacheCredentials *c)
{
	AttacheCredentials *d = g_new0(AttacheCredentials, 1);
	d->target = c->target;
	d->base_url = g_strdup(c->base_url);
	d->x_consumer_key = g_strdup(c->x_consumer_key);
	d->x_consumer_secret = g_strdup(c->x_consumer_secret);
	d->x_access_token = g_strdup(c->x_access_token);
	d->x_access_secret = g_strdup(c->x_access_secret);
	d->x_bearer = g_strdup(c->x_bearer);
	d->mastodon_token = g_strdup(c->mastodon_token);
	d->bluesky_handle = g_strdup(c->bluesky_handle);
	d->bluesky_app_password = g_strdup(c->bluesky_app_password);
	d->source = g_strdup(c->source);
	d->account = g_strdup(c->account);
	return d;
}

/* The default missing(): the environment names of the unset required
 * fields, or %NULL. (transfer full) */
static char *
missing_required(const AttacheUploadBackend *b, const AttacheCredentials *c)
{
	g_autoptr(GPtrArray) m = g_ptr_array_new();
	for (guint i = 0; i < b->n_fields; i++) {
		const char *v = *(char **)G_STRUCT_MEMBER_P(c, b->fields[i].offset);
		if (b->fields[i].required && !(v && *v))
			g_ptr_array_add(m, (gpointer)b->fields[i].env);
	}
	if (m->len == 0)
		return NULL;
	g_ptr_array_add(m, NULL);
	return g_strjoinv(", ", (char **)m->pdata);
}

char *
attache__credentials_missing(const AttacheCredentials *c)
{
	const AttacheUploadBackend *b = attache__upload_backend(c->target);
	if (!b)
		return NULL;
	return b->missing ? b->missing(c) : missing_required(b, c);
}

/* The environment name of @b's base URL, for messages. (transfer none) */
static const char *
base_url_env(const AttacheUploadBackend *b)
{
	for (guint i = 0; i < b->n_fields; i++)
		if (b->fields[i].offset == G_STRUCT_OFFSET(AttacheCredentials, base_url))
			return b->fields[i].env;
	return "the base URL";
}

/* Reads @path if it is the user's own and private. Returns NULL with
 * *refused set (and @error) when it exists but may not be used, NULL with
 * nothing set when it does not exist. */
static GKeyFile *
read_ini(const char *path, gboolean *refused, GError **error)
{
	*refused = FALSE;
	/* O_NONBLOCK: a FIFO put in its place never blocks the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return NULL;
		*refused = TRUE;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH, "%s: %s", path,
			g_strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*refused = TRUE;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"%s: not a regular file", path);
		return NULL;
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		*refused = TRUE;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"%s: refused: the file belongs to another user", path);
		return NULL;
	}
	if (st.st_mode & 077) {
		close(fd);
		*refused = TRUE;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"%s: refused: it holds secrets and its mode %04o lets group or "
			"others read or write it; run: chmod 600 %s",
			path, (unsigned)(st.st_mode & 07777), path);
		return NULL;
	}
	/* the checks above were on this descriptor; now the bounded read */
	char *text = NULL;
	gsize len = 0;
	g_autoptr(GError) rerr = NULL;
	if (attache__read_small_fd(fd, path, 64 * 1024, &text, &len, &rerr)) {
		*refused = TRUE;
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"%s; not a credentials file", rerr->message);
		return NULL;
	}
	GKeyFile *kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	gboolean ok = g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE,
		&local);
	memset(text, 0, len);
	g_free(text);
	if (!ok) {
		g_key_file_free(kf);
		*refused = TRUE;
		/* GKeyFile's message quotes no values, only line numbers */
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH, "%s: %s", path,
			local->message);
		return NULL;
	}
	return kf;
}

static gboolean
check_value(const Field *f, const char *v, const char *where, GError **error)
{
	for (const char *p = v; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
				"%s: %s contains a control character (a stray newline?)",
				where, f->env);
			return FALSE;
		}
	return TRUE;
}

AttacheCode
attache_credentials_load(AttacheTarget target, const char *ini_path,
	AttacheCredentials **out, GError **error)
{
	const AttacheUploadBackend *b = attache__upload_backend(target);
	if (!b) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown upload target %d", (int)target);
		return ATTACHE_E_USAGE;
	}
	const Field *fields = b->fields;
	guint n = b->n_fields;
	AttacheCredentials *c = g_new0(AttacheCredentials, 1);
	c->target = target;
	gboolean from_env = FALSE, from_file = FALSE;

	for (guint i = 0; i < n; i++) {
		const char *v = g_getenv(fields[i].env);
		if (v && *v) {
			if (!check_value(&fields[i], v, "environment", error)) {
				attache_credentials_free(c);
				return ATTACHE_E_AUTH;
			}
			*slot(c, &fields[i]) = g_strdup(v);
			if (fields[i].secret)
				from_env = TRUE;
		}
	}

	g_autofree char *path = ini_path
								? g_strdup(ini_path)
								: g_build_filename(g_get_user_config_dir(), "attache",
									"credentials.ini", NULL);
	g_autofree char *gap = attache__credentials_missing(c);
	if (gap) {
		gboolean refused;
		GKeyFile *kf = read_ini(path, &refused, error);
		if (refused) {
			attache_credentials_free(c);
			return ATTACHE_E_AUTH;
		}
		const char *group = b->name;
		for (guint i = 0; kf && i < n; i++) {
			char **s = slot(c, &fields[i]);
			if (*s)
				continue;
			char *v = g_key_file_get_string(kf, group, fields[i].key, NULL);
			if (v)
				g_strstrip(v);
			if (v && *v) {
				g_autofree char *where = g_strdup_printf("%s [%s] %s", path,
					group, fields[i].key);
				if (!check_value(&fields[i], v, where, error)) {
					wipe(&v);
					g_key_file_free(kf);
					attache_credentials_free(c);
					return ATTACHE_E_AUTH;
				}
				*s = v;
				from_file = TRUE;
			}
			else
				wipe(&v);
		}
		if (kf)
			g_key_file_free(kf);
		g_free(gap);
		gap = attache__credentials_missing(c);
	}
	if (gap) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"no credentials for %s: set %s, or put them in the [%s] group "
			"of %s (mode 600)",
			b->name, gap, b->name, path);
		attache_credentials_free(c);
		return ATTACHE_E_AUTH;
	}

	if (c->base_url) {
		if (!attache__url_allowed(c->base_url, base_url_env(b), error)) {
			attache_credentials_free(c);
			return ATTACHE_E_USAGE;
		}
	}
	c->source = from_file && from_env
					? g_strdup_printf("environment and %s", path)
				: from_file ? g_strdup(path)
							: g_strdup("environment");
	*out = c;
	return ATTACHE_OK;
}

/* The value of @f for account @group of @kf into @c, checked; FALSE with
 * @error. */
static gboolean
account_value(GKeyFile *kf, const char *path, const char *group,
	const Field *f, AttacheCredentials *c, GError **error)
{
	char **s = slot(c, f);
	char *v = g_key_file_get_string(kf, group, f->key, NULL);
	if (v)
		g_strstrip(v);
	if (!v || !*v) {
		wipe(&v);
		return TRUE;
	}
	g_autofree char *where = g_strdup_printf("%s [%s] %s", path, group,
		f->key);
	if (!check_value(f, v, where, error)) {
		wipe(&v);
		return FALSE;
	}
	*s = v;
	return TRUE;
}

AttacheCode
attache_credentials_load_account(AttacheTarget target, const char *account,
	const char *ini_path, AttacheCredentials **out, GError **error)
{
	if (!account)
		return attache_credentials_load(target, ini_path, out, error);
	const AttacheUploadBackend *b = attache__upload_backend(target);
	if (!b || !attache_account_name_valid(account)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"\"%s\": not an upload account name (letters, digits, - and _)",
			account);
		return ATTACHE_E_USAGE;
	}
	g_autofree char *path = ini_path
								? g_strdup(ini_path)
								: g_build_filename(g_get_user_config_dir(), "attache",
									"credentials.ini", NULL);
	g_autofree char *group = g_strdup_printf("%s.%s", b->name, account);
	gboolean refused;
	GKeyFile *kf = read_ini(path, &refused, error);
	if (refused)
		return ATTACHE_E_AUTH;
	if (!kf || !g_key_file_has_group(kf, group)) {
		if (kf)
			g_key_file_free(kf);
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"no credentials for the %s account \"%s\": %s has no [%s] group "
			"(mode 600; docs/upload.md)",
			b->name, account, path, group);
		return ATTACHE_E_AUTH;
	}
	AttacheCredentials *c = g_new0(AttacheCredentials, 1);
	c->target = target;
	c->account = g_strdup(account);
	gboolean ok = TRUE;
	for (guint i = 0; ok && i < b->n_fields; i++)
		ok = account_value(kf, path, group, &b->fields[i], c, error);
	/* the server, unlike the secrets, is often the same for every account */
	for (guint i = 0; ok && i < b->n_fields; i++) {
		const Field *f = &b->fields[i];
		const char *env = g_getenv(f->env);
		if (f->offset != G_STRUCT_OFFSET(AttacheCredentials, base_url) || c->base_url)
			continue;
		if (env && *env && check_value(f, env, "environment", NULL))
			c->base_url = g_strdup(env);
		else
			ok = account_value(kf, path, b->name, f, c, error);
	}
	g_key_file_free(kf);
	g_autofree char *gap = ok ? attache__credentials_missing(c) : NULL;
	if (ok && gap) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUTH,
			"no credentials for the %s account \"%s\": [%s] of %s lacks %s",
			b->name, account, group, path, gap);
		ok = FALSE;
	}
	if (ok && c->base_url && !attache__url_allowed(c->base_url, base_url_env(b), error)) {
		attache_credentials_free(c);
		return ATTACHE_E_USAGE;
	}
	if (!ok) {
		attache_credentials_free(c);
		return ATTACHE_E_AUTH;
	}
	c->source = g_strdup_printf("%s [%s]", path, group);
	*out = c;
	return ATTACHE_OK;
}
