/* SPDX-License-Identifier: MIT */
/*
 * audit-record.c: the audit's finding recorder, below every walker.
 *
 * The walkers (audit-*.c) record what they find here and nest blocks with
 * audit__enter()/audit__leave(); audit.c starts a report with
 * audit__begin() and closes it with audit__finish(). Keeping the recorder
 * out of audit.c means the dispatcher is the only file that calls the
 * walkers, and the only cycles left are the formats' own nesting.
 */
#include "audit-int.h"

#include <string.h>

static void
finding_free(AttacheFinding *f)
{
	g_free(f->where);
	g_free(f->value);
	g_free(f);
}

void
attache_audit_report_free(AttacheAuditReport *r)
{
	if (!r)
		return;
	g_free(r->format);
	if (r->findings)
		g_ptr_array_unref(r->findings);
	g_free(r);
}

/* Starts @a on a new, empty report that @a owns until audit__finish(). */
void
audit__begin(AuditCtx *a)
{
	memset(a, 0, sizeof *a);
	a->r = g_new0(AttacheAuditReport, 1);
	a->r->findings = g_ptr_array_new_with_free_func(
		(GDestroyNotify)finding_free);
}

/* Ends @a: past the findings cap, one "other" finding says how many were
 * not listed. Returns: (transfer full) the report, which @a no longer
 * holds. */
AttacheAuditReport *
audit__finish(AuditCtx *a)
{
	AttacheAuditReport *r = a->r;
	g_clear_pointer(&a->ctx, g_free);
	a->r = NULL;
	if (a->dropped) {
		/* past the cap the kinds still count: only the list is cut */
		g_ptr_array_set_size(r->findings, AUDIT_MAX_FINDINGS - 1);
		g_autofree char *v = g_strdup_printf("%u more", a->dropped + 1);
		AttacheFinding *f = g_new0(AttacheFinding, 1);
		f->kind = ATTACHE_KIND_OTHER;
		f->where = g_strdup("(findings not listed)");
		f->value = g_strdup(v);
		r->kinds |= ATTACHE_KIND_OTHER;
		g_ptr_array_add(r->findings, f);
	}
	return r;
}

int
audit__add(AuditCtx *a, AttacheKind kind, const char *where,
	const char *value)
{
	a->r->kinds |= kind;
	if (a->r->findings->len >= AUDIT_MAX_FINDINGS) {
		a->dropped++;
		return -1;
	}
	AttacheFinding *f = g_new0(AttacheFinding, 1);
	f->kind = kind;
	f->where = a->ctx ? g_strdup_printf("%s > %s", a->ctx, where)
					  : g_strdup(where);
	f->value = g_strdup(value);
	g_ptr_array_add(a->r->findings, f);
	return (int)a->r->findings->len - 1;
}

int
audit__addf(AuditCtx *a, AttacheKind kind, const char *value,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_autofree char *where = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return audit__add(a, kind, where, value);
}

void
audit__set_value(AuditCtx *a, int index, const char *value)
{
	if (index < 0 || (guint)index >= a->r->findings->len)
		return;
	AttacheFinding *f = a->r->findings->pdata[index];
	g_free(f->value);
	f->value = g_strdup(value);
}

char *
audit__printable(const guint8 *s, gsize n)
{
	GString *o = g_string_new(NULL);
	const char *p = (const char *)s, *end = (const char *)s + n;
	guint chars = 0;

	/* trailing NULs pad most EXIF strings */
	while (end > p && end[-1] == '\0')
		end--;
	while (p < end && chars < AUDIT_VALUE_CHARS) {
		gunichar c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(o, "\\x%02x", (guint8)*p);
			p++;
		}
		else {
			if (c < 0x20 || c == 0x7f)
				g_string_append_printf(o, "\\x%02x", c);
			else
				g_string_append_unichar(o, c);
			p = g_utf8_next_char(p);
		}
		chars++;
	}
	if (p < end)
		g_string_append(o, "\xe2\x80\xa6"); /* … */
	return g_string_free(o, FALSE);
}

gboolean
audit__enter(AuditCtx *a, const char *label, char **saved)
{
	*saved = NULL;
	if (a->depth >= AUDIT_MAX_DEPTH) {
		audit__addf(a, ATTACHE_KIND_OTHER, NULL,
			"%s (nested too deep to read)", label);
		return FALSE;
	}
	a->depth++;
	*saved = a->ctx;
	a->ctx = label ? (*saved ? g_strdup_printf("%s > %s", *saved, label)
							 : g_strdup(label))
				   : g_strdup(*saved);
	return TRUE;
}

void
audit__leave(AuditCtx *a, char *saved)
{
	g_free(a->ctx);
	a->ctx = saved;
	a->depth--;
}
