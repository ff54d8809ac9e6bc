/* SPDX-License-Identifier: MIT */
/*
 * faces.c: the faces stage, after the decode: the photo's faces, found
 * once (vision/faces.c) for every output; the fit keeps them whole, the
 * outputs report them (docs/faces.md).
 */
#include "private.h"

/* See private.h. Every crop that may cut a head needs them; a crop that
 * is told to ignore them (--crop attention-only, issue 14) does not,
 * unless the faces are to be protected. Until those options exist, every
 * prep looks. */
gboolean
attache__faces_needed(const AttachePrepOptions *opts)
{
	return opts != NULL;
}

/* See private.h. --protect (issue 14) will ask for the thorough mode. */
AttacheFacesMode
attache__faces_mode(const AttachePrepOptions *opts)
{
	return ATTACHE_FACES_DEFAULT;
}

/* See private.h. @base: (transfer none); *@faces: (transfer full) or NULL. */
AttacheCode
attache__prep_faces(const AttachePrepOptions *opts, VipsImage *base,
	const char *input, GPtrArray **faces, GError **error)
{
	*faces = NULL;
	if (!attache__faces_needed(opts))
		return ATTACHE_OK;
	return attache__faces_detect(base, attache__faces_mode(opts), input, faces, error);
}
