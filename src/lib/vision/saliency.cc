/* SPDX-License-Identifier: MIT */
/*
 * saliency.cc: OpenCV contrib's fine-grained static saliency, behind the
 * C entry point of saliency.h. Fine-grained finds the subject; spectral
 * residual, which on its own lit up bright leaves and sky edges, is the
 * second opinion a move must also satisfy (docs/presets.md, "Subjects that
 * are not faces").
 */
#include "vision/saliency.h"

#include <opencv2/core.hpp>
#include <opencv2/saliency.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>

/* Runs @s on the @w x @h grey buffer and writes its map, 0..1, into @map
 * (caller's, w * h floats). Returns 0, or -1 with *err (malloc'd, the
 * caller frees it). */
static int
saliency_map(cv::saliency::StaticSaliency &s, const unsigned char *grey, int w, int h, int stride, float *map, char **err)
{
	*err = nullptr;
	try {
		cv::Mat in(h, w, CV_8UC1, const_cast<unsigned char *>(grey), (size_t)stride);
		cv::Mat out;
		if (!s.computeSaliency(in, out) || out.rows != h || out.cols != w) {
			*err = strdup("the saliency map could not be computed");
			return -1;
		}
		cv::Mat f(h, w, CV_32FC1, map);
		out.convertTo(f, CV_32F, out.depth() == CV_8U ? 1.0 / 255 : 1.0);
		return 0;
	}
	catch (const std::exception &e) {
		*err = strdup(e.what());
		return -1;
	}
}

extern "C" int
attache__saliency_fine(const unsigned char *grey, int w, int h, int stride, float *map, char **err)
{
	cv::Ptr<cv::saliency::StaticSaliencyFineGrained> fg = cv::saliency::StaticSaliencyFineGrained::create();
	return saliency_map(*fg, grey, w, h, stride, map, err);
}

extern "C" int
attache__saliency_spectral(const unsigned char *grey, int w, int h, int stride, int side, float *map, char **err)
{
	cv::Ptr<cv::saliency::StaticSaliencySpectralResidual> sr = cv::saliency::StaticSaliencySpectralResidual::create();
	/* its default is a 64 x 64 square; the photo's shape is kept */
	sr->setImageWidth(w >= h ? side : std::max(1, (int)std::lround((double)side * w / h)));
	sr->setImageHeight(h >= w ? side : std::max(1, (int)std::lround((double)side * h / w)));
	return saliency_map(*sr, grey, w, h, stride, map, err);
}
