/* SPDX-License-Identifier: MIT */
/*
 * auth.c: who is asking, and what they may do (docs/http-api.md,
 * "Authentication"). Passwords are libsodium's crypto_pwhash_str
 * (Argon2id), checked on a worker thread so the loop never waits on one;
 * session ids and API tokens are random, and only their SHA-256 is stored.
 * Failed logins are counted per (account, address) pair in memory.
 */
#include "server-private.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define SESSION_SECONDS (12 * 3600)
#define COOKIE "attache_session"
#define SLOW_FROM 3		   /* failures before answers are delayed */
#define BLOCK_AT 10		   /* failures in a row that block the pair */
#define BLOCK_SECONDS 900  /* for 15 minutes */
#define DELAY_FIRST_MS 250 /* then doubled, up to DELAY_MAX_MS */
#define DELAY_MAX_MS 2000

static const struct {
	const char *name;
	guint scope;
} scope_names[] = {
	{ "read", SCOPE_READ },
	{ "prepare", SCOPE_PREPARE },
	{ "review", SCOPE_REVIEW },
	{ "publish", SCOPE_PUBLISH },
};

guint
auth_role_scopes(const char *role)
{
	if (!role)
		return 0;
	if (!strcmp(role, "preparer"))
		return SCOPE_READ | SCOPE_PREPARE | SCOPE_REVIEW;
	if (!strcmp(role, "reviewer"))
		return SCOPE_READ | SCOPE_PREPARE | SCOPE_REVIEW | SCOPE_PUBLISH;
	if (!strcmp(role, "admin"))
		return SCOPE_READ | SCOPE_PREPARE | SCOPE_REVIEW | SCOPE_PUBLISH | SCOPE_ADMIN;
	return 0;
}

gboolean
auth_scopes_parse(const char *list, guint *out, GError **error)
{
	*out = 0;
	g_auto(GStrv) parts = g_strsplit(list ? list : "read", ",", -1);
	for (int i = 0; parts[i]; i++) {
		const char *p = g_strstrip(parts[i]);
		guint bit = 0;
		for (guint j = 0; j < G_N_ELEMENTS(scope_names); j++)
			if (!strcmp(p, scope_names[j].name))
				bit = scope_names[j].scope;
		if (!bit) {
			g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
				"--scope: \"%s\" is not a scope (read, prepare, review, publish)", p);
			return FALSE;
		}
		*out |= bit;
	}
	return TRUE;
}

JsonArray *
auth_scopes_json(guint scopes)
{
	JsonArray *a = json_array_new();
	for (guint j = 0; j < G_N_ELEMENTS(scope_names); j++)
		if (scopes & scope_names[j].scope)
			json_array_add_string_element(a, scope_names[j].name);
	if (scopes & SCOPE_ADMIN)
		json_array_add_string_element(a, "admin");
	return a;
}

static char *
scopes_to_string(guint scopes)
{
	GString *s = g_string_new(NULL);
	for (guint j = 0; j < G_N_ELEMENTS(scope_names); j++)
		if (scopes & scope_names[j].scope)
			g_string_append_printf(s, "%s%s", s->len ? "," : "", scope_names[j].name);
	return g_string_free(s, FALSE);
}

char *
auth_hash(const char *s)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, s, -1);
}

char *
auth_random_hex(gsize bytes)
{
	guint8 buf[64];
	g_assert(bytes <= sizeof buf);
	randombytes_buf(buf, bytes);
	GString *s = g_string_sized_new(bytes * 2);
	for (gsize i = 0; i < bytes; i++)
		g_string_append_printf(s, "%02x", buf[i]);
	sodium_memzero(buf, sizeof buf);
	return g_string_free(s, FALSE);
}

void
actor_free(Actor *a)
{
	if (!a)
		return;
	g_free(a->name);
	g_free(a->role);
	g_free(a->session);
	g_free(a->csrf);
	g_free(a);
}

/* ---- the command's side: accounts and tokens ---- */

static AttacheCode
open_data(const char *data_dir, Db **db, GError **error)
{
	g_autofree char *dflt = data_dir ? NULL : attache_server_default_data_dir();
	const char *dir = data_dir ? data_dir : dflt;
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_WRITE, "%s: cannot make the data folder: %s", dir, g_strerror(errno));
		return ATTACHE_E_WRITE;
	}
	return db_open(dir, db, error);
}

static gboolean
account_name_ok(const char *name)
{
	if (!name || !*name || strlen(name) > 64 || !g_utf8_validate(name, -1, NULL))
		return FALSE;
	for (const char *p = name; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f || *p == ',' || *p == '\n')
			return FALSE;
	return TRUE;
}

AttacheCode
attache_server_user_add(const char *data_dir, const char *name, const char *role,
	const char *password, gboolean replace, GError **error)
{
	if (sodium_init() < 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL, "libsodium cannot start");
		return ATTACHE_E_INTERNAL;
	}
	if (!account_name_ok(name)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE,
			"\"%s\": an account name is 1 to 64 characters, without control characters or commas", name ? name : "");
		return ATTACHE_E_USAGE;
	}
	if (!auth_role_scopes(role)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--role: \"%s\": expected preparer, reviewer or admin",
			role ? role : "");
		return ATTACHE_E_USAGE;
	}
	if (!password || strlen(password) < 8) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "the password must have at least 8 characters");
		return ATTACHE_E_USAGE;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE)
		!= 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INTERNAL, "out of memory hashing the password");
		return ATTACHE_E_INTERNAL;
	}
	Db *db = NULL;
	AttacheCode rc = open_data(data_dir, &db, error);
	if (!rc)
		rc = db_user_put(db, name, role, hash, replace, error);
	db_close(db);
	return rc;
}

AttacheCode
attache_server_token_add(const char *data_dir, const char *name, const char *scopes,
	char **token, GError **error)
{
	guint bits = 0;
	if (sodium_init() < 0 || !auth_scopes_parse(scopes, &bits, error))
		return ATTACHE_E_USAGE;
	Db *db = NULL;
	AttacheCode rc = open_data(data_dir, &db, error);
	if (rc)
		return rc;
	g_autofree char *role = NULL;
	if (!db_user_get(db, name, &role, NULL)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "no account \"%s\" (attache user add %s --role ...)", name, name);
		db_close(db);
		return ATTACHE_E_USAGE;
	}
	if (bits & ~auth_role_scopes(role)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "--scope: account \"%s\" is a %s, whose role does not allow all of \"%s\"",
			name, role, scopes);
		db_close(db);
		return ATTACHE_E_USAGE;
	}
	g_autofree char *secret = auth_random_hex(32);
	g_autofree char *list = scopes_to_string(bits);
	*token = g_strconcat("atk_", secret, NULL);
	g_autofree char *hash = auth_hash(*token);
	rc = db_token_put(db, hash, name, list, error);
	db_close(db);
	if (rc)
		g_clear_pointer(token, g_free);
	return rc;
}

/* ---- requests ---- */

static gboolean
state_changing(SoupServerMessage *msg)
{
	const char *m = soup_server_message_get_method(msg);
	return strcmp(m, "GET") && strcmp(m, "HEAD");
}

/* The session cookie's value, or %NULL. (transfer full) */
static char *
session_cookie(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *cookie = soup_message_headers_get_list(h, "Cookie");
	if (!cookie)
		return NULL;
	GHashTable *t = soup_header_parse_semi_param_list(cookie);
	char *v = g_strdup(g_hash_table_lookup(t, COOKIE));
	soup_header_free_param_list(t);
	return v;
}

static gboolean
same_secret(const char *a, const char *b)
{
	return a && b && strlen(a) == strlen(b) && sodium_memcmp(a, b, strlen(a)) == 0;
}

static Actor *
actor_of(Server *s, const char *name, guint limit)
{
	g_autofree char *role = NULL;
	if (!db_user_get(s->db, name, &role, NULL))
		return NULL;
	Actor *a = g_new0(Actor, 1);
	a->name = g_strdup(name);
	a->role = g_steal_pointer(&role);
	a->scopes = auth_role_scopes(a->role) & limit;
	return a;
}

Actor *
auth_require(Server *s, SoupServerMessage *msg, guint need)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *authz = soup_message_headers_get_one(h, "Authorization");
	Actor *a = NULL;
	if (authz && g_ascii_strncasecmp(authz, "Bearer ", 7) == 0) {
		g_autofree char *hash = auth_hash(authz + 7);
		g_autofree char *user = NULL, *scopes = NULL;
		guint bits = 0;
		if (db_token_get(s->db, hash, &user, &scopes) && auth_scopes_parse(scopes, &bits, NULL))
			a = actor_of(s, user, bits);
		if (a)
			a->by_token = TRUE;
	}
	else {
		g_autofree char *cookie = session_cookie(msg);
		g_autofree char *hash = cookie ? auth_hash(cookie) : NULL;
		g_autofree char *user = NULL, *csrf = NULL;
		gint64 now = g_get_real_time() / G_USEC_PER_SEC;
		if (hash && db_session_get(s->db, hash, now, now + SESSION_SECONDS, &user, &csrf))
			a = actor_of(s, user, ~0u);
		if (a) {
			a->session = g_steal_pointer(&hash);
			a->csrf = g_steal_pointer(&csrf);
		}
	}
	if (!a) {
		http_error(msg, 401, "unauthenticated", "log in, or send an API token (Authorization: Bearer ...)");
		return NULL;
	}
	if (!a->by_token && state_changing(msg)
		&& !same_secret(soup_message_headers_get_one(h, "X-CSRF-Token"), a->csrf)) {
		http_error(msg, 403, "csrf", "this request needs the session's CSRF token (X-CSRF-Token)");
		actor_free(a);
		return NULL;
	}
	if (need & ~a->scopes) {
		g_autofree char *want = scopes_to_string(need & ~a->scopes);
		http_error(msg, 403, "forbidden", "%s \"%s\" may not do this (it needs %s)", a->by_token ? "the token of" : "account",
			a->name, want);
		actor_free(a);
		return NULL;
	}
	return a;
}

/* ---- login ---- */

typedef struct {
	int fails;
	gint64 blocked_until; /* monotonic s */
	gboolean busy;		  /* a check is running */
} Throttle;

typedef struct {
	Server *s;
	SoupServerMessage *msg;
	char *name, *password, *key, *hash, *role;
	gboolean ok;
} Login;

static void
login_free(Login *l)
{
	if (l->password)
		sodium_memzero(l->password, strlen(l->password));
	g_free(l->password);
	g_free(l->name);
	g_free(l->key);
	g_free(l->hash);
	g_free(l->role);
	g_object_unref(l->msg);
	g_free(l);
}

/* A hash to check unknown names against, so they take as long. */
static const char *
dummy_hash(void)
{
	static char hash[crypto_pwhash_STRBYTES];
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		if (crypto_pwhash_str(hash, "not a password", 14, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				crypto_pwhash_MEMLIMIT_INTERACTIVE)
			!= 0)
			g_strlcpy(hash, "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$invalid", sizeof hash);
		g_once_init_leave(&once, 1);
	}
	return hash;
}

static void
login_check(GTask *task, gpointer src, gpointer data, GCancellable *c)
{
	Login *l = data;
	const char *h = l->hash ? l->hash : dummy_hash();
	l->ok = crypto_pwhash_str_verify(h, l->password, strlen(l->password)) == 0 && l->hash;
	g_task_return_boolean(task, TRUE);
}

static void
login_answer(Login *l)
{
	Server *s = l->s;
	if (!l->ok) {
		http_error(l->msg, 401, "bad-login", "wrong account name or password");
		soup_server_message_unpause(l->msg);
		return;
	}
	g_autofree char *sid = auth_random_hex(32);
	g_autofree char *sid_hash = auth_hash(sid);
	g_autofree char *csrf = auth_random_hex(32);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (!db_session_put(s->db, sid_hash, l->name, csrf, now + SESSION_SECONDS)) {
		http_error(l->msg, 500, "internal", "cannot record the session in the database");
		soup_server_message_unpause(l->msg);
		return;
	}
	SoupMessageHeaders *rh = soup_server_message_get_request_headers(l->msg);
	const char *proto = soup_message_headers_get_one(rh, "X-Forwarded-Proto");
	gboolean secure = s->tls || (s->proxy && proto && !g_ascii_strcasecmp(proto, "https"));
	g_autofree char *cookie = g_strdup_printf(COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sid,
		SESSION_SECONDS, secure ? "; Secure" : "");
	soup_message_headers_append(soup_server_message_get_response_headers(l->msg), "Set-Cookie", cookie);
	JsonObject *o = json_object_new();
	JsonObject *u = json_object_new();
	json_object_set_string_member(u, "name", l->name);
	json_object_set_string_member(u, "role", l->role);
	json_object_set_array_member(u, "scopes", auth_scopes_json(auth_role_scopes(l->role)));
	json_object_set_object_member(o, "user", u);
	json_object_set_string_member(o, "csrf", csrf);
	http_object(l->msg, 200, o);
	server_log(s, "login: %s", l->name);
	soup_server_message_unpause(l->msg);
}

static gboolean
login_delayed(gpointer data)
{
	Login *l = data;
	login_answer(l);
	login_free(l);
	return G_SOURCE_REMOVE;
}

static void
login_done(GObject *src, GAsyncResult *res, gpointer data)
{
	Login *l = data;
	Server *s = l->s;
	guint delay = 0;
	g_mutex_lock(&s->lock);
	Throttle *t = g_hash_table_lookup(s->throttle, l->key);
	t->busy = FALSE;
	if (l->ok)
		g_hash_table_remove(s->throttle, l->key);
	else if (++t->fails >= SLOW_FROM) {
		delay = MIN(DELAY_MAX_MS, DELAY_FIRST_MS << MIN(t->fails - SLOW_FROM, 8));
		if (t->fails >= BLOCK_AT)
			t->blocked_until = g_get_monotonic_time() / G_USEC_PER_SEC + BLOCK_SECONDS;
	}
	int fails = l->ok ? 0 : t->fails;
	g_mutex_unlock(&s->lock);
	if (!l->ok)
		server_log(s, "login refused: \"%s\" (%d in a row from this address)", l->name, fails);
	if (delay) {
		g_timeout_add(delay, login_delayed, l);
		return;
	}
	login_answer(l);
	login_free(l);
}

/* FALSE after answering 429 when the pair is blocked or busy. */
static gboolean
throttle_enter(Server *s, SoupServerMessage *msg, const char *key)
{
	g_mutex_lock(&s->lock);
	Throttle *t = g_hash_table_lookup(s->throttle, key);
	if (!t) {
		t = g_new0(Throttle, 1);
		g_hash_table_insert(s->throttle, g_strdup(key), t);
	}
	gint64 now = g_get_monotonic_time() / G_USEC_PER_SEC;
	gint64 wait = t->blocked_until > now ? t->blocked_until - now : 0;
	gboolean busy = t->busy;
	if (!wait && !busy)
		t->busy = TRUE;
	g_mutex_unlock(&s->lock);
	if (wait || busy) {
		g_autofree char *ra = g_strdup_printf("%" G_GINT64_FORMAT, MAX(wait, 1));
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Retry-After", ra);
		if (wait)
			http_error(msg, 429, "login-blocked",
				"too many wrong passwords: logins for this account from this address are blocked for %" G_GINT64_FORMAT " s",
				wait);
		else
			http_error(msg, 429, "login-blocked", "another login for this account from this address is being checked");
		return FALSE;
	}
	return TRUE;
}

void
auth_login(Server *s, SoupServerMessage *msg)
{
	g_autoptr(JsonObject) body = http_body_object(msg);
	if (!body)
		return;
	const char *name = json_str(body, "name"), *password = json_str(body, "password");
	if (!name || !password || strlen(name) > 256 || strlen(password) > 1024) {
		http_error(msg, 400, "bad-request", "a login needs \"name\" and \"password\"");
		return;
	}
	g_autofree char *addr = http_client_address(s, msg);
	g_autofree char *key = g_strdup_printf("%s\n%s", name, addr);
	if (!throttle_enter(s, msg, key))
		return;
	Login *l = g_new0(Login, 1);
	l->s = s;
	l->msg = g_object_ref(msg);
	l->name = g_strdup(name);
	l->password = g_strdup(password);
	l->key = g_steal_pointer(&key);
	db_user_get(s->db, name, &l->role, &l->hash);
	soup_server_message_pause(msg);
	GTask *task = g_task_new(NULL, NULL, login_done, l);
	g_task_set_task_data(task, l, NULL);
	g_task_run_in_thread(task, login_check);
	g_object_unref(task);
}

void
auth_session(Server *s, SoupServerMessage *msg)
{
	g_autoptr(Actor) a = auth_require(s, msg, 0);
	if (!a)
		return;
	JsonObject *o = json_object_new();
	JsonObject *u = json_object_new();
	json_object_set_string_member(u, "name", a->name);
	json_object_set_string_member(u, "role", a->role);
	json_object_set_array_member(u, "scopes", auth_scopes_json(a->scopes));
	json_object_set_object_member(o, "user", u);
	if (a->csrf)
		json_object_set_string_member(o, "csrf", a->csrf);
	http_object(msg, 200, o);
}

void
auth_logout(Server *s, SoupServerMessage *msg)
{
	g_autoptr(Actor) a = auth_require(s, msg, 0);
	if (!a)
		return;
	if (a->session)
		db_session_delete(s->db, a->session);
	soup_message_headers_append(soup_server_message_get_response_headers(msg), "Set-Cookie",
		COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	soup_server_message_set_status(msg, 204, NULL);
}
