/* SPDX-License-Identifier: MIT */
/*
 * faces-cascade.cc: OpenCV's LBP cascades (opencv-data), frontal and
 * profile; the profile cascade knows faces turned one way only, so it runs
 * on the mirror image too (docs/faces.md says why LBP and not Haar: the
 * tests' independent oracle is OpenCV's Haar cascades).
 */
#include "vision/vision.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#ifndef ATTACHE_OPENCV_DATA
#define ATTACHE_OPENCV_DATA "/usr/share/opencv4"
#endif

namespace {

/* A classifier is not safe to share between threads: each thread that
 * detects loads its own, once. */
struct Cascades {
	cv::CascadeClassifier frontal, profile;
	bool tried = false;
	std::string error;
};
thread_local Cascades cascades;

/* Loads the two cascades on first use: false with @c.error when a file
 * is missing or unreadable. */
bool
cascades_load(Cascades &c)
{
	if (c.tried)
		return c.error.empty();
	c.tried = true;
	const std::string dir = ATTACHE_OPENCV_DATA "/lbpcascades/";
	const char *names[2] = { "lbpcascade_frontalface.xml", "lbpcascade_profileface.xml" };
	cv::CascadeClassifier *into[2] = { &c.frontal, &c.profile };
	for (int i = 0; i < 2; i++)
		if (!into[i]->load(dir + names[i])) {
			c.error = dir + names[i] + ": cannot load the face cascade (is opencv-data installed?)";
			return false;
		}
	return true;
}

/* Runs @cc on @img and appends its boxes (mirrored back when @mirrored)
 * to @out, the number of merged neighbours as the score. */
void
run_one(cv::CascadeClassifier &cc, const cv::Mat &img, int min_px, double step, bool mirrored, int detector,
	std::vector<AttacheFaceBox> &out)
{
	std::vector<cv::Rect> found;
	std::vector<int> neighbours;
	cc.detectMultiScale(img, found, neighbours, step, 3, 0, cv::Size(min_px, min_px));
	for (size_t i = 0; i < found.size(); i++) {
		const cv::Rect &r = found[i];
		AttacheFaceBox b;
		b.x = mirrored ? img.cols - r.x - r.width : r.x;
		b.y = r.y;
		b.w = r.width;
		b.h = r.height;
		b.score = i < neighbours.size() ? neighbours[i] : 0;
		b.detector = detector;
		out.push_back(b);
	}
}

/* Copies @v to a malloc'd array for C. */
void
hand_over(const std::vector<AttacheFaceBox> &v, AttacheFaceBox **boxes, int *n)
{
	*n = (int)v.size();
	*boxes = (AttacheFaceBox *)std::malloc((v.size() + 1) * sizeof(AttacheFaceBox));
	if (!v.empty())
		std::memcpy(*boxes, v.data(), v.size() * sizeof(AttacheFaceBox));
}

} // namespace

/* See vision.h. @grey: (transfer none); *@boxes, *@err: (transfer full). */
extern "C" int
attache__faces_cascade(const unsigned char *grey, int w, int h, int stride, int which, int min_px,
	double step, AttacheFaceBox **boxes, int *n, char **err)
{
	*boxes = nullptr;
	*n = 0;
	*err = nullptr;
	try {
		/* attache runs photos in parallel itself: OpenCV's own threads
		 * would only add their start and wait to the CPU time */
		if (cv::getNumThreads() != 1)
			cv::setNumThreads(1);
		if (!cascades_load(cascades)) {
			*err = strdup(cascades.error.c_str());
			return -1;
		}
		cv::Mat img(h, w, CV_8UC1, const_cast<unsigned char *>(grey), (size_t)stride);
		cv::Mat eq;
		cv::equalizeHist(img, eq);
		std::vector<AttacheFaceBox> v;
		if (which & ATTACHE_FACES_LBP_FRONTAL)
			run_one(cascades.frontal, eq, min_px, step, false, ATTACHE_FACES_LBP_FRONTAL, v);
		if (which & ATTACHE_FACES_LBP_PROFILE) {
			run_one(cascades.profile, eq, min_px, step, false, ATTACHE_FACES_LBP_PROFILE, v);
			cv::Mat flipped;
			cv::flip(eq, flipped, 1);
			run_one(cascades.profile, flipped, min_px, step, true, ATTACHE_FACES_LBP_PROFILE, v);
		}
		hand_over(v, boxes, n);
		return 0;
	}
	catch (const std::exception &e) {
		*err = strdup(e.what());
		return -1;
	}
}
