/* SPDX-License-Identifier: MIT */
/* attache-server.h: the desk's server (libattache-server; docs/serve.md,
 * docs/http-api.md), for the command's `serve`, `user` and `token`. It
 * uses libattache through attache.h only; libattache.so never links it. */
#ifndef ATTACHE_SERVER_H
#define ATTACHE_SERVER_H

#include "attache.h"

G_BEGIN_DECLS

/* How `attache serve` runs. Strings are borrowed from the caller. */
typedef struct {
	const char *data_dir; /* %NULL: attache_server_default_data_dir() */
	const char *listen;	  /* ADDR:PORT; %NULL: 127.0.0.1:8480 */
	const char *tls_cert; /* PEM files: HTTPS */
	const char *tls_key;
	const char *behind_proxy; /* the proxy's address: X-Forwarded-For
							   * believed only from it */
	gint64 max_upload;		  /* bytes of one upload; 0: 64 MiB */
	int keep_originals_days;  /* 0: kept until the photo is deleted */
	const char *presets;	  /* default presets of an upload */
	const char *preset_dir;	  /* more presets */
	const char *credentials;  /* credentials.ini; %NULL: DATA/credentials.ini */
	const char *webhook_url;
	const char *webhook_secret_file;
	int jobs;		   /* photos prepared at once; 0: cores */
	const char *inbox; /* a hot folder feeding the desk (serve --inbox) */
	/* slow or greedy clients (docs/serve.md, "Limits"); 0: the default */
	int client_timeout;				 /* seconds a client may be silent, and to
									  * send a request's headers; 30 */
	int max_connections;			 /* connections at once; 256 */
	int max_connections_per_address; /* from one address; 32 */
	int max_uploads;				 /* uploads being received at once; 8 */
	gint64 min_rate;				 /* bytes/s a request body must average
									  * after client_timeout; 4096 */
	/* called once the server listens, with the URL it listens on */
	void (*listening)(const char *url, gpointer user_data);
	/* a line for the server's log (no secret is ever in one) */
	void (*log)(const char *line, gpointer user_data);
	gpointer user_data;
} AttacheServeOptions;

/* $XDG_DATA_HOME/attache/desk. (transfer full) */
char *attache_server_default_data_dir(void);

/* Runs the server until SIGINT or SIGTERM. %ATTACHE_E_USAGE for an address
 * that needs TLS or --behind-proxy, %ATTACHE_E_WRITE when the data folder
 * cannot be used or another server holds it. */
AttacheCode attache_serve_run(const AttacheServeOptions *opts, GError **error);

/* Adds account @name (or sets its role and password, @replace) in @data_dir's
 * database. @role: "preparer", "reviewer" or "admin". @password is hashed
 * with libsodium's crypto_pwhash_str (Argon2id) and never stored. */
AttacheCode attache_server_user_add(const char *data_dir, const char *name,
	const char *role, const char *password, gboolean replace, GError **error);

/* Makes an API token acting as account @name with @scopes (comma list of
 * read, prepare, review, publish; %NULL: read). Only its hash is stored.
 * @token: (out) (transfer full): the token, to show once. */
AttacheCode attache_server_token_add(const char *data_dir, const char *name,
	const char *scopes, char **token, GError **error);

G_END_DECLS

#endif
