/* SPDX-License-Identifier: MIT */
/*
 * fuzz-audit.c: libFuzzer target for the privacy audit (`make fuzz`).
 *
 * Any bytes: attache_audit_buffer() must return, without a crash, a hang or
 * an unbounded allocation, and every string it reports must be valid UTF-8
 * (the CLI prints it and puts it in JSON).
 */
#include "attache.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AttacheAuditReport *r = NULL;
	if (attache_audit_buffer(data, size, &r, NULL) != ATTACHE_OK)
		return 0;
	guint kinds = 0;
	for (guint i = 0; i < r->findings->len; i++) {
		const AttacheFinding *f = r->findings->pdata[i];
		if (!f->where || !g_utf8_validate(f->where, -1, NULL) || (f->value && !g_utf8_validate(f->value, -1, NULL)))
			abort();
		kinds |= f->kind;
	}
	/* the union of the kinds covers every finding listed */
	if ((kinds & r->kinds) != kinds)
		abort();
	/* (not attache_audit_report_to_json: json-glib's allocations would
	 * cost half the executions; valid UTF-8 is what it needs) */
	attache_audit_report_free(r);
	return 0;
}
