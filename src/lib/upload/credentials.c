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
 */
#include "upload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	const char *env;
	const char *key; /* in the target's [group] */
	gsize offset;	 /* in AttacheCredentials */
	gboolean secret;
} Field;

#define F(member) G_STRUCT_OFFSET(AttacheCredentials, member)

static const Field x_fields[] = {
	{ "ATTACHE_X_CONSUMER_KEY", "consumer_key", F(x_consumer_key), TRUE },
	{ "ATTACHE_X_CONSUMER_SECRET", "consumer_secret", F(x_consumer_secret),
		TRUE },
	{ "ATTACHE_X_ACCESS_TOKEN", "access_token", F(x_access_token), TRUE },
	{ "ATTACHE_X_ACCESS_SECRET", "access_secret", F(x_access_secret), TRUE },
	{ "ATTACHE_X_BEARER", "bearer", F(x_bearer), TRUE },
	{ "ATTACHE_X_API", "api", F(base_url), FALSE },
};
static const Field mastodon_fields[] = {
	{ "ATTACHE_MASTODON_URL", "url", F(base_url), FALSE },
	{ "ATTACHE_MASTODON_TOKEN", "token", F(mastodon_token), TRUE },
};
static const Field bluesky_fields[] = {
	{ "ATTACHE_BLUESKY_HANDLE", "handle", F(bluesky_handle), FALSE },
	{ "ATTACHE_BLUESKY_APP_PASSWORD", "app_password",
		F(bluesky_app_password), TRUE },
	{ "ATTACHE_BLUESKY_PDS", "pds", F(base_url), FALSE },
};

static const Field *
fields_for(AttacheTarget t, guint *n)
{
	switch (t) {
	case ATTACHE_TARGET_X:
		*n = G_N_ELEMENTS(x_fields);
		return x_fields;
	case ATTACHE_TARGET_MASTODON:
		*n = G_N_ELEMENTS(mastodon_fields);
		return mastodon_fields;
	case ATTACHE_TARGET_BLUESKY:
		*n = G_N_ELEMENTS(bluesky_fields);
		return bluesky_fields;
	}
	*n = 0;
	return NULL;
}

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
	return d;
}

static gboolean
have(const char *s)
{
	return s && *s;
}

char *
attache__credentials_missing(const AttacheCredentials *c)
{
	g_autoptr(GPtrArray) m = g_ptr_array_new();
	switch (c->target) {
	case ATTACHE_TARGET_X:
		if (have(c->x_bearer))
			break;
		if (!have(c->x_consumer_key) && !have(c->x_consumer_secret) && !have(c->x_access_token) && !have(c->x_access_secret))
			return g_strdup("ATTACHE_X_CONSUMER_KEY, ATTACHE_X_CONSUMER_SECRET, "
							"ATTACHE_X_ACCESS_TOKEN and ATTACHE_X_ACCESS_SECRET "
							"(OAuth 1.0a user context), or ATTACHE_X_BEARER (an "
							"OAuth 2.0 user token with the media.write scope)");
		if (!have(c->x_consumer_key))
			g_ptr_array_add(m, "ATTACHE_X_CONSUMER_KEY");
		if (!have(c->x_consumer_secret))
			g_ptr_array_add(m, "ATTACHE_X_CONSUMER_SECRET");
		if (!have(c->x_access_token))
			g_ptr_array_add(m, "ATTACHE_X_ACCESS_TOKEN");
		if (!have(c->x_access_secret))
			g_ptr_array_add(m, "ATTACHE_X_ACCESS_SECRET");
		break;
	case ATTACHE_TARGET_MASTODON:
		if (!have(c->base_url))
			g_ptr_array_add(m, "ATTACHE_MASTODON_URL");
		if (!have(c->mastodon_token))
			g_ptr_array_add(m, "ATTACHE_MASTODON_TOKEN");
		break;
	case ATTACHE_TARGET_BLUESKY:
		if (!have(c->bluesky_handle))
			g_ptr_array_add(m, "ATTACHE_BLUESKY_HANDLE");
		if (!have(c->bluesky_app_password))
			g_ptr_array_add(m, "ATTACHE_BLUESKY_APP_PASSWORD");
		break;
	}
	if (m->len == 0)
		return NULL;
	g_ptr_array_add(m, NULL);
	return g_strjoinv(", ", (char **)m->pdata);
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
	guint n;
	const Field *fields = fields_for(target, &n);
	if (!fields) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"unknown upload target %d", (int)target);
		return ATTACHE_E_USAGE;
	}
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
		const char *group = attache_target_name(target);
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
			attache_target_name(target), gap, attache_target_name(target),
			path);
		attache_credentials_free(c);
		return ATTACHE_E_AUTH;
	}

	if (c->base_url) {
		const char *what = target == ATTACHE_TARGET_X		   ? "ATTACHE_X_API"
						   : target == ATTACHE_TARGET_MASTODON ? "ATTACHE_MASTODON_URL"
															   : "ATTACHE_BLUESKY_PDS";
		if (!attache__url_allowed(c->base_url, what, error)) {
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
