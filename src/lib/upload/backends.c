/* SPDX-License-Identifier: MIT */
/*
 * backends.c: the upload platforms, one line each, as curl lists its TLS
 * backends. Adding a platform is one upload-<platform>.c defining its
 * AttacheUploadBackend and one line here (docs/architecture.md). The
 * target names and their spellings come from this table, so credentials.c
 * and the dispatcher (upload.c), both above it, ask here.
 */
#include "upload-private.h"

/* Each defined in its upload-<platform>.c. */
extern const AttacheUploadBackend attache__backend_x;
extern const AttacheUploadBackend attache__backend_mastodon;
extern const AttacheUploadBackend attache__backend_bluesky;

/* In AttacheTarget order, as the docs list them. */
static const AttacheUploadBackend *const backends[] = {
	&attache__backend_x,
	&attache__backend_mastodon,
	&attache__backend_bluesky,
};

/* Returns: (transfer none) the backend, or %NULL for an unknown target. */
const AttacheUploadBackend *
attache__upload_backend(AttacheTarget target)
{
	for (guint i = 0; i < G_N_ELEMENTS(backends); i++)
		if (backends[i]->target == target)
			return backends[i];
	return NULL;
}

/* Returns: (transfer none) the @i-th backend, %NULL past the end. */
const AttacheUploadBackend *
attache__upload_backend_nth(guint i)
{
	return i < G_N_ELEMENTS(backends) ? backends[i] : NULL;
}

/* Returns: (transfer none) the preset that fits @t's limits (a static
 * name), or %NULL for an unknown target. */
const char *
attache__upload_preset(AttacheTarget t)
{
	const AttacheUploadBackend *b = attache__upload_backend(t);
	return b ? b->preset : NULL;
}

/* Returns: (transfer none) a static name, "unknown" for no platform. */
const char *
attache_target_name(AttacheTarget t)
{
	const AttacheUploadBackend *b = attache__upload_backend(t);
	return b ? b->name : "unknown";
}

/* @s: (transfer none) (nullable); case does not matter. */
gboolean
attache_target_from_string(const char *s, AttacheTarget *out)
{
	if (!s)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(backends); i++) {
		const AttacheUploadBackend *b = backends[i];
		gboolean match = !g_ascii_strcasecmp(s, b->name);
		for (guint k = 0; !match && b->aliases && b->aliases[k]; k++)
			match = !g_ascii_strcasecmp(s, b->aliases[k]);
		if (match) {
			*out = b->target;
			return TRUE;
		}
	}
	return FALSE;
}
