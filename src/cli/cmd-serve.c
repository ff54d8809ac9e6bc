/* SPDX-License-Identifier: MIT */
/*
 * cmd-serve.c: `attache serve` (the review desk's server), `attache user
 * add` and `attache token add` (its accounts and API tokens). The server
 * itself is libattache-server (src/server; docs/serve.md).
 */
#include "cli.h"

#include "attache-server.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void
serve_log(const char *line, gpointer data)
{
	cli_note("serve: %s", line);
}

static void
serve_listening(const char *url, gpointer data)
{
	cli_out("attache serve: listening on %s (the desk: %sdesk/)", url, url);
	fflush(stdout);
}

int
cmd_serve(int argc, char **argv)
{
	char *data = NULL, *listen = NULL, *cert = NULL, *key = NULL, *proxy = NULL, *max_upload = NULL;
	char *presets = NULL, *preset_dir = NULL, *creds = NULL, *hook = NULL, *hook_secret = NULL, *inbox = NULL;
	char *min_rate = NULL;
	int keep = 0, jobs = 0, timeout = 0, max_conn = 0, max_per = 0, max_uploads = 0;
	GOptionEntry entries[] = {
		{ "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "The data folder (default $XDG_DATA_HOME/attache/desk)", "DIR" },
		{ "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address and port (default 127.0.0.1:8480)", "ADDR:PORT" },
		{ "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "HTTPS: the certificate (PEM)", "FILE" },
		{ "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key, "HTTPS: its private key (PEM)", "FILE" },
		{ "behind-proxy", 0, 0, G_OPTION_ARG_STRING, &proxy,
			"The address of the TLS proxy in front: X-Forwarded-For is believed from it only", "ADDR" },
		{ "max-upload", 0, 0, G_OPTION_ARG_STRING, &max_upload, "Largest photo upload (default 64M)", "SIZE" },
		{ "keep-originals", 0, 0, G_OPTION_ARG_INT, &keep,
			"Delete uploaded originals (they hold GPS) DAYS after upload (default: keep)", "DAYS" },
		{ "presets", 'p', 0, G_OPTION_ARG_STRING, &presets, "Default presets of an upload (default x-landscape)", "LIST" },
		{ "preset-dir", 0, 0, G_OPTION_ARG_FILENAME, &preset_dir, "More presets", "DIR" },
		{ "credentials", 0, 0, G_OPTION_ARG_FILENAME, &creds, "Platform credentials (default DATA/credentials.ini)", "FILE" },
		{ "webhook", 0, 0, G_OPTION_ARG_STRING, &hook, "POST each photo's state changes to URL", "URL" },
		{ "webhook-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &hook_secret, "The webhooks' HMAC secret (first line)",
			"FILE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Photos prepared at once (default: the cores)", "N" },
		{ "inbox", 0, 0, G_OPTION_ARG_FILENAME, &inbox, "A hot folder (as attache watch DIR) whose photos feed the desk",
			"DIR" },
		{ "client-timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
			"Seconds a client may be silent, and may take to send a request's headers (default 30)", "SECONDS" },
		{ "max-connections", 0, 0, G_OPTION_ARG_INT, &max_conn, "Connections held at once (default 256)", "N" },
		{ "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &max_per,
			"Connections held at once from one address, the proxy's excepted (default 32)", "N" },
		{ "max-uploads", 0, 0, G_OPTION_ARG_INT, &max_uploads, "Uploads received at once; more are 503 (default 8)", "N" },
		{ "min-rate", 0, 0, G_OPTION_ARG_STRING, &min_rate,
			"Bytes a second a request body must average once --client-timeout has passed (default 4K)", "SIZE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- run the review desk: a web page and an HTTP API for the team");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Serves the desk at http://127.0.0.1:8480/desk/ and the API at /api/v1/ (docs/serve.md,\n"
		"docs/http-api.md). Another address needs --tls-cert and --tls-key, or --behind-proxy.\n"
		"Accounts: attache user add; API tokens: attache token add (the same --data).\n"
		"Exit status: 0 stopped by SIGINT or SIGTERM, 2 usage error or the data folder in use.\n");
	int rc = EXIT_USAGE;
	g_autoptr(GError) error = NULL;
	if (!cli_parse(ctx, &argc, &argv))
		goto out;
	AttacheServeOptions o = { 0 };
	o.data_dir = data;
	o.listen = listen;
	o.tls_cert = cert;
	o.tls_key = key;
	o.behind_proxy = proxy;
	o.keep_originals_days = keep;
	o.presets = presets;
	o.preset_dir = preset_dir;
	o.credentials = creds;
	o.webhook_url = hook;
	o.webhook_secret_file = hook_secret;
	o.jobs = jobs;
	o.inbox = inbox;
	o.client_timeout = timeout;
	o.max_connections = max_conn;
	o.max_connections_per_address = max_per;
	o.max_uploads = max_uploads;
	if (timeout < 0 || max_conn < 0 || max_per < 0 || max_uploads < 0) {
		cli_error("serve: --client-timeout, --max-connections, --max-connections-per-address and --max-uploads are 1 or more");
		goto out;
	}
	if (min_rate && (!attache_size_from_string(min_rate, &o.min_rate) || o.min_rate <= 0)) {
		cli_error("serve: --min-rate: \"%s\" is not a size (4K)", min_rate);
		goto out;
	}
	o.log = serve_log;
	o.listening = serve_listening;
	if (max_upload && !attache_size_from_string(max_upload, &o.max_upload)) {
		cli_error("serve: --max-upload: \"%s\" is not a size (64M)", max_upload);
		goto out;
	}
	if (attache_serve_run(&o, &error))
		cli_error("serve: %s", error->message);
	else
		rc = EXIT_OK;
out:
	g_free(data);
	g_free(listen);
	g_free(cert);
	g_free(key);
	g_free(proxy);
	g_free(max_upload);
	g_free(presets);
	g_free(preset_dir);
	g_free(creds);
	g_free(hook);
	g_free(hook_secret);
	g_free(inbox);
	g_free(min_rate);
	return rc;
}

/* A line from the terminal with echo off. (transfer full) or %NULL. */
static char *
ask_password(const char *prompt)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	struct termios old, quiet;
	int fd = fileno(tty);
	gboolean termios_ok = tcgetattr(fd, &old) == 0;
	if (termios_ok) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	fputs(prompt, tty);
	fflush(tty);
	char buf[1024];
	char *got = fgets(buf, sizeof buf, tty);
	if (termios_ok)
		tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!got)
		return NULL;
	buf[strcspn(buf, "\r\n")] = 0;
	char *pw = g_strdup(buf);
	memset(buf, 0, sizeof buf);
	return pw;
}

static char *
password_from(const char *file)
{
	if (file) {
		char *text = NULL;
		g_autoptr(GError) e = NULL;
		if (attache_read_small_file(file, 4096, &text, NULL, &e)) {
			cli_error("user: %s", e->message);
			return NULL;
		}
		text[strcspn(text, "\r\n")] = 0;
		return text;
	}
	g_autofree char *a = ask_password("Password: ");
	if (!a) {
		cli_error("user: no terminal to ask the password on: give --password-file FILE");
		return NULL;
	}
	g_autofree char *b = ask_password("Again: ");
	if (!b || strcmp(a, b)) {
		cli_error("user: the two passwords differ");
		return NULL;
	}
	return g_steal_pointer(&a);
}

int
cmd_user(int argc, char **argv)
{
	char *data = NULL, *role = NULL, *pwfile = NULL;
	gboolean replace = FALSE;
	GOptionEntry entries[] = {
		{ "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "The server's data folder", "DIR" },
		{ "role", 0, 0, G_OPTION_ARG_STRING, &role, "preparer, reviewer or admin", "ROLE" },
		{ "password-file", 0, 0, G_OPTION_ARG_FILENAME, &pwfile, "Read the password from FILE's first line", "FILE" },
		{ "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Change an existing account's role and password", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("add NAME --role ROLE - add an account of the review desk");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "The password is asked on the terminal (not shown), or read from\n"
										  "--password-file; only its Argon2id hash is stored. docs/serve.md.\n");
	int rc = EXIT_USAGE;
	g_autoptr(GError) error = NULL;
	if (!cli_parse(ctx, &argc, &argv))
		goto out;
	if (argc != 3 || strcmp(argv[1], "add")) {
		cli_error("user: expected: attache user add NAME --role preparer|reviewer|admin");
		goto out;
	}
	if (!role) {
		cli_error("user: --role is required (preparer, reviewer or admin)");
		goto out;
	}
	char *pw = password_from(pwfile);
	if (!pw)
		goto out;
	AttacheCode c = attache_server_user_add(data, argv[2], role, pw, replace, &error);
	memset(pw, 0, strlen(pw));
	g_free(pw);
	if (c)
		cli_error("user: %s", error->message);
	else {
		cli_note("user: %s \"%s\" %s", role, argv[2], replace ? "set" : "added");
		rc = EXIT_OK;
	}
out:
	g_free(data);
	g_free(role);
	g_free(pwfile);
	return rc;
}

int
cmd_token(int argc, char **argv)
{
	char *data = NULL, *scope = NULL;
	GOptionEntry entries[] = {
		{ "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "The server's data folder", "DIR" },
		{ "scope", 0, 0, G_OPTION_ARG_STRING, &scope, "Comma list of read, prepare, review, publish (default read)",
			"LIST" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("add NAME - make an API token acting as account NAME");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "Prints the token once on stdout; only its hash is stored. A scheduler\n"
										  "usually needs --scope read,publish. docs/http-api.md.\n");
	int rc = EXIT_USAGE;
	g_autoptr(GError) error = NULL;
	if (!cli_parse(ctx, &argc, &argv))
		goto out;
	if (argc != 3 || strcmp(argv[1], "add")) {
		cli_error("token: expected: attache token add NAME [--scope read,publish]");
		goto out;
	}
	char *token = NULL;
	if (attache_server_token_add(data, argv[2], scope, &token, &error))
		cli_error("token: %s", error->message);
	else {
		cli_out("%s", token);
		memset(token, 0, strlen(token));
		g_free(token);
		rc = EXIT_OK;
	}
out:
	g_free(data);
	g_free(scope);
	return rc;
}
