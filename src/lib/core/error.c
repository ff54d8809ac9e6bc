/* SPDX-License-Identifier: MIT */
/* error.c: the ATTACHE_ERROR domain, code names, exit statuses. */
#include "private.h"

/* clang-format would split the token into "attache - error - quark" */
// clang-format off
G_DEFINE_QUARK(attache-error-quark, attache_error)
// clang-format on

const char *
attache_code_name(AttacheCode code)
{
	switch (code) {
	case ATTACHE_OK:
		return "ok";
	case ATTACHE_E_USAGE:
		return "usage";
	case ATTACHE_E_INPUT:
		return "input";
	case ATTACHE_E_LIMIT:
		return "limit";
	case ATTACHE_E_IMAGE:
		return "image";
	case ATTACHE_E_BUDGET:
		return "budget";
	case ATTACHE_E_WRITE:
		return "write";
	case ATTACHE_E_AUDIT:
		return "audit";
	case ATTACHE_E_ALT:
		return "alt-text";
	case ATTACHE_E_UNSUPPORTED:
		return "unsupported";
	case ATTACHE_E_UPLOAD:
		return "upload";
	case ATTACHE_E_AUTH:
		return "auth";
	case ATTACHE_E_REJECTED:
		return "rejected";
	case ATTACHE_E_APPROVAL:
		return "approval";
	case ATTACHE_E_INTERNAL:
		return "internal";
	}
	return "unknown";
}

int
attache_code_exit_status(AttacheCode code)
{
	switch (code) {
	case ATTACHE_OK:
		return 0;
	case ATTACHE_E_USAGE:
		return 2;
	case ATTACHE_E_UPLOAD:
	case ATTACHE_E_AUTH:
	case ATTACHE_E_REJECTED:
	case ATTACHE_E_APPROVAL:
		return 3;
	default:
		return 1;
	}
}

AttacheCode
attache__vips_error(GError **error, AttacheCode code, const char *what)
{
	/* libvips appends to a per-thread-shared buffer; take it and clear it */
	g_autofree char *msg = g_strdup(vips_error_buffer());
	vips_error_clear();
	g_strchomp(msg);
	/* keep the first line: later ones repeat it from outer operations */
	char *nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	g_set_error(error, ATTACHE_ERROR, code, "%s%s%s", what,
		*msg ? ": " : "", msg);
	return code;
}
