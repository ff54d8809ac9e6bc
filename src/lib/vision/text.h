/* SPDX-License-Identifier: MIT */
/* text.h: the text detector's C entry point (text.cc; docs/prep.md,
 * "Text in the photo"). In a header of its own so that the pipeline's
 * text stage is its only user. */
#ifndef ATTACHE_VISION_TEXT_H
#define ATTACHE_VISION_TEXT_H

#include "private.h"

G_BEGIN_DECLS

/* Readable text in @grey (@width x @height, one byte a pixel, @stride
 * bytes a row): OpenCV's MSER regions grouped into lines, each line
 * straightened (rotation and perspective) and read by Tesseract in
 * @langs (Tesseract's names joined by '+': "eng+fra"). *@words:
 * (transfer full) AttacheRegion* of kind ATTACHE_REGION_TEXT, one per
 * word read, boxes in fractions of @grey, score the word's confidence
 * (0..1). Thread-safe: each thread keeps its own Tesseract for its
 * last @langs. %ATTACHE_E_IMAGE when Tesseract cannot start (no data
 * for @langs) or OpenCV fails; @error does not name a file (the caller
 * knows it). */
AttacheCode attache__text_find(const guint8 *grey, int width, int height,
	int stride, const char *langs, GPtrArray **words, GError **error);

G_END_DECLS

#endif
