/* SPDX-License-Identifier: MIT */
/*
 * vision.h: the C entry points of the detectors written in C++ (dlib,
 * OpenCV). They take a plain 8-bit grey buffer and give boxes in its
 * pixels; no GLib or libvips type crosses the line, and no C++ exception
 * leaves it (each entry point catches and reports in @err).
 */
#ifndef ATTACHE_VISION_H
#define ATTACHE_VISION_H

#ifdef __cplusplus
extern "C" {
#endif

/* A box found, in the grey buffer's pixels, and the detector's own score
 * (comparable only between boxes of one detector). */
typedef struct {
	double x, y, w, h;
	double score;
	int detector; /* ATTACHE_FACES_* below */
} AttacheFaceBox;

enum {
	ATTACHE_FACES_LBP_FRONTAL = 1 << 0, /* OpenCV lbpcascade_frontalface */
	ATTACHE_FACES_LBP_PROFILE = 1 << 1, /* OpenCV lbpcascade_profileface, and on the mirror */
	ATTACHE_FACES_HOG_FRONTAL = 1 << 2, /* dlib's HOG frontal detector (no model file) */
};

/* Runs the cascades in @which (ATTACHE_FACES_LBP_*) on @grey (@w x @h,
 * rows @stride bytes apart, borrowed), faces at least @min_px wide, the
 * window growing by @step (1.1: 10 %) from one scale to the next.
 * *@boxes: (transfer full) free(); *@n boxes. Returns 0, or -1 with *@err
 * (transfer full, free()) saying why (a cascade file missing). */
int attache__faces_cascade(const unsigned char *grey, int w, int h, int stride,
	int which, int min_px, double step, AttacheFaceBox **boxes, int *n, char **err);

/* dlib's HOG frontal detector on @grey, upsampled @upsample times (0: faces
 * of 80 px and more). Boxes with a score below @floor are dropped. As
 * attache__faces_cascade(). */
int attache__faces_hog(const unsigned char *grey, int w, int h, int stride,
	int upsample, double floor, AttacheFaceBox **boxes, int *n, char **err);

#ifdef __cplusplus
}
#endif

#endif
