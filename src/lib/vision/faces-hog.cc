/* SPDX-License-Identifier: MIT */
/*
 * faces-hog.cc: dlib's HOG frontal face detector (its model is compiled
 * into dlib: no file to find). Frontal faces only, and faces of 80 px and
 * more unless the image is upsampled.
 */
#include "vision/vision.h"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

namespace {

/* The detector holds scratch state: one per thread, built once. */
dlib::frontal_face_detector &
detector(void)
{
	thread_local dlib::frontal_face_detector d = dlib::get_frontal_face_detector();
	return d;
}

} // namespace

/* See vision.h. @grey: (transfer none); *@boxes, *@err: (transfer full). */
extern "C" int
attache__faces_hog(const unsigned char *grey, int w, int h, int stride, int upsample, double floor,
	AttacheFaceBox **boxes, int *n, char **err)
{
	*boxes = nullptr;
	*n = 0;
	*err = nullptr;
	try {
		dlib::array2d<unsigned char> img(h, w);
		for (int y = 0; y < h; y++)
			std::memcpy(&img[y][0], grey + (size_t)y * stride, (size_t)w);
		double scale = 1;
		for (int i = 0; i < upsample; i++) {
			dlib::pyramid_up(img);
			scale *= 2;
		}
		std::vector<dlib::rect_detection> found;
		detector()(img, found, floor);
		std::vector<AttacheFaceBox> v;
		for (const dlib::rect_detection &d : found) {
			AttacheFaceBox b;
			b.x = d.rect.left() / scale;
			b.y = d.rect.top() / scale;
			b.w = d.rect.width() / scale;
			b.h = d.rect.height() / scale;
			b.score = d.detection_confidence;
			b.detector = ATTACHE_FACES_HOG_FRONTAL;
			v.push_back(b);
		}
		*n = (int)v.size();
		*boxes = (AttacheFaceBox *)std::malloc((v.size() + 1) * sizeof(AttacheFaceBox));
		if (!v.empty())
			std::memcpy(*boxes, v.data(), v.size() * sizeof(AttacheFaceBox));
		return 0;
	}
	catch (const std::exception &e) {
		*err = strdup(e.what());
		return -1;
	}
}
