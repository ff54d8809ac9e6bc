/* SPDX-License-Identifier: MIT */
/* audit.c: TEMPORARY placeholder while the independent reader is written
 * (issue 3). Reports nothing. Must be replaced before it lands. */
#include "private.h"

void
attache_audit_report_free(AttacheAuditReport *r)
{
	if (!r)
		return;
	g_free(r->format);
	g_ptr_array_unref(r->findings);
	g_free(r);
}

AttacheCode
attache_audit_buffer(const guint8 *data, gsize len, AttacheAuditReport **out,
	GError **error)
{
	AttacheAuditReport *r = g_new0(AttacheAuditReport, 1);
	r->format = g_strdup("unknown");
	r->findings = g_ptr_array_new();
	*out = r;
	return ATTACHE_OK;
}

AttacheCode
attache_audit_file(const char *path, AttacheAuditReport **out, GError **error)
{
	return attache_audit_buffer(NULL, 0, out, error);
}
