/* SPDX-License-Identifier: MIT */
/*
 * saliency.cc: OpenCV contrib's fine-grained static saliency, behind the
 * C entry point of saliency.h. Chosen over spectral residual, which on the
 * phone photos lit up bright leaves and sky edges (docs/presets.md,
 * "Subjects that are not faces").
 */
#include "vision/saliency.h"

#include <opencv2/core.hpp>
#include <opencv2/saliency.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>

extern "C" int
attache__saliency_fine(const unsigned char *grey, int w, int h, int stride, float *map, char **err)
{
	*err = nullptr;
	try {
		cv::Mat in(h, w, CV_8UC1, const_cast<unsigned char *>(grey), (size_t)stride);
		cv::Ptr<cv::saliency::StaticSaliencyFineGrained> fg = cv::saliency::StaticSaliencyFineGrained::create();
		cv::Mat out;
		if (!fg->computeSaliency(in, out) || out.rows != h || out.cols != w) {
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
