/* SPDX-License-Identifier: MIT */
/* stubs.c: endpoints not written yet (501). */
#include "server-private.h"

static void
todo(SoupServerMessage *msg)
{
	http_error(msg, 501, "not-implemented", "not yet");
}
void
photo_upload(Server *s, SoupServerMessage *msg)
{
	todo(msg);
}
void
photo_preview(Server *s, SoupServerMessage *msg, const char *id)
{
	todo(msg);
}
void
photo_change(Server *s, SoupServerMessage *msg, const char *id, const char *what)
{
	todo(msg);
}
void
photo_review(Server *s, SoupServerMessage *msg, const char *id)
{
	todo(msg);
}
void
api_outputs(Server *s, SoupServerMessage *msg, char **parts)
{
	todo(msg);
}
JsonObject *
api_output_json(Server *s, JsonObject *row)
{
	return json_object_ref(row);
}
void
spool_install(Server *s)
{
}
AttacheCode
work_start(Server *s, GError **error)
{
	return ATTACHE_OK;
}
void
work_resume(Server *s)
{
}
