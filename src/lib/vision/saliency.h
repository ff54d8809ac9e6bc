/* SPDX-License-Identifier: MIT */
/*
 * saliency.h: the C entry point of OpenCV contrib's saliency (C++), as
 * vision.h does for the face detectors: a plain grey buffer in, a plain
 * float map out, no exception across the line.
 */
#ifndef ATTACHE_SALIENCY_H
#define ATTACHE_SALIENCY_H

#ifdef __cplusplus
extern "C" {
#endif

/* OpenCV's fine-grained static saliency (centre-surround differences of
 * intensity at several scales) of @grey (@w x @h, rows @stride bytes
 * apart, borrowed), into @map (@w x @h floats 0..1, the caller's).
 * Returns 0, or -1 with *@err (transfer full, free()) saying why. */
int attache__saliency_fine(const unsigned char *grey, int w, int h, int stride, float *map, char **err);
/* OpenCV's spectral residual saliency (Hou and Zhang 2007: what the log
 * spectrum does not predict) of @grey as above, worked out on a copy
 * @side px on its longer side, the photo's shape kept, into @map (@w x @h
 * floats 0..1, the caller's). Returns 0, or -1 with *@err as above. */
int attache__saliency_spectral(const unsigned char *grey, int w, int h, int stride, int side, float *map, char **err);

#ifdef __cplusplus
}
#endif

#endif
