/* SPDX-License-Identifier: MIT */
/*
 * text.h: the text detector's C entry point (text.cc; docs/prep.md,
 * "Text in the photo"), in vision.h's manner: a plain grey buffer in,
 * boxes in its pixels out, no GLib or libvips type across the line and no
 * C++ exception out of it.
 */
#ifndef ATTACHE_VISION_TEXT_H
#define ATTACHE_VISION_TEXT_H

#ifdef __cplusplus
extern "C" {
#endif

/* A word read, its box in the grey buffer's pixels (axis-aligned round
 * the word's straightened box), Tesseract's confidence 0..100, and its
 * text (UTF-8 as Tesseract gives it, malloc()ed). */
typedef struct {
	double x, y, w, h;
	double conf;
	char *text;
} AttacheTextBox;

/* The words readable in @grey (@w x @h, rows @stride bytes apart,
 * borrowed): OpenCV's MSER blobs grouped into lines, each line
 * straightened (rotation and perspective) and read by Tesseract in
 * @models (its model names joined by '+': "eng+fra"). Thread-safe: each
 * thread keeps a Tesseract for its last @models. *@boxes: (transfer full)
 * free() each text, then the array; *@n boxes. Returns 0, or -1 with
 * *@err (transfer full, free()) saying why (no model for @models). */
int attache__text_find(const unsigned char *grey, int w, int h, int stride,
	const char *models, AttacheTextBox **boxes, int *n, char **err);

#ifdef __cplusplus
}
#endif

#endif
