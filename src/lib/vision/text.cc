/* SPDX-License-Identifier: MIT */
/*
 * text.cc: readable text in a photo (--scan-text; docs/prep.md, "Text in
 * the photo").
 *
 * Tesseract reads documents: a page of level lines. On a whole scene it
 * finds nothing or noise, so the lines are found first. OpenCV's MSER
 * gives the stable dark and bright blobs (letters are), which are grouped
 * into lines of blobs of like height side by side; each line is then
 * straightened by a perspective warp from the lines through its letters'
 * tops and bottoms (a sign at an angle, or seen from the side), scaled to
 * a height Tesseract reads well, turned dark on light, and read as one
 * line. Each word's box goes back through the inverse warp.
 */
#include "vision/text.h"

#include <cstdlib>
#include <cstring>

#include <leptonica/allheaders.h>
#include <opencv2/core.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

namespace {

/* Tuning, measured on the tests' signs (tests/cli/test_text.py). */
const double LINE_HEIGHT = 40;	   /* px: a line's letters as Tesseract reads them */
const double MARGIN = 0.3;		   /* of the letters' height, above and below a line */
const double END_MARGIN = 0.8;	   /* and at its ends (a letter MSER missed, a word space) */
const int MIN_LETTER = 8;		   /* px: smaller blobs are not letters at this scale */
const size_t MAX_LINES = 24;	   /* the longest lines first: each is one Tesseract call */
const size_t MIN_BLOBS = 3;		   /* a line of fewer is a pair of leaves, not a word */
const double MAX_HEIGHT_SD = 0.3;  /* letters' heights' deviation / their mean: above, not print */
const double MIN_INKED = 0.2;	   /* of a word's box, in its letters' boxes */
const double MAX_OFF_LINE = 0.06;  /* median distance of tops or bottoms from their line / height */
const int MIN_WORD_CONF = 55;	   /* a word Tesseract is less sure of is dropped */
const double MIN_LINE_CONF = 65.0; /* a line's mean confidence, else noise */

struct Blob {
	cv::Rect box;
	const std::vector<cv::Point> *pts;
};

/* A Tesseract per thread, for its last language list: starting one
 * loads each language's model (about 0.1 s each), so a batch's worker
 * keeps it for its next photo. */
struct Reader {
	std::string langs;
	std::unique_ptr<tesseract::TessBaseAPI> api;
	~Reader()
	{
		if (api)
			api->End();
	}
};
thread_local Reader reader;

tesseract::TessBaseAPI *
reader_for(const char *langs)
{
	if (reader.api && reader.langs == langs)
		return reader.api.get();
	reader.api.reset();
	/* the library never prints: Tesseract's and Leptonica's messages go
	 * nowhere (a missing language is our error instead) */
	setMsgSeverity(L_SEVERITY_NONE);
	std::vector<std::string> names = { "debug_file" }, values = { "/dev/null" };
	auto api = std::make_unique<tesseract::TessBaseAPI>();
	if (api->Init(nullptr, langs, tesseract::OEM_LSTM_ONLY, nullptr, 0, &names, &values, false) != 0)
		return nullptr;
	api->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
	reader.api = std::move(api);
	reader.langs = langs;
	return reader.api.get();
}

/* MSER's blobs that can be letters: none too small or too large, nested
 * duplicates (one letter at several thresholds) and holes reduced to the
 * outermost, and the plates round a sign's letters dropped. */
std::vector<Blob>
letters(const cv::Mat &grey, std::vector<std::vector<cv::Point> > &regions)
{
	std::vector<cv::Rect> boxes;
	auto mser = cv::MSER::create(5, 20, (int)(grey.total() / 100), 0.25, 0.2);
	mser->detectRegions(grey, regions, boxes);
	std::vector<Blob> b;
	for (size_t i = 0; i < boxes.size(); i++) {
		const cv::Rect &r = boxes[i];
		if (r.height < MIN_LETTER || r.height > grey.rows / 4 || r.width > 12 * r.height || r.height > 8 * r.width)
			continue;
		b.push_back({ r, &regions[i] });
	}
	std::sort(b.begin(), b.end(), [](const Blob &x, const Blob &y) { return x.box.area() > y.box.area(); });
	/* one letter at several thresholds: the largest */
	std::vector<Blob> once;
	for (const Blob &x : b) {
		bool dup = false;
		for (const Blob &k : once)
			if ((x.box & k.box).area() * 10 > (x.box | k.box).area() * 7) {
				dup = true;
				break;
			}
		if (!dup)
			once.push_back(x);
	}
	b.swap(once);
	auto inside = [](const cv::Rect &in, const cv::Rect &out) {
		return in.x >= out.x - 1 && in.y >= out.y - 1 && in.br().x <= out.br().x + 1 && in.br().y <= out.br().y + 1;
	};
	std::vector<char> drop(b.size(), 0);
	/* a blob holding three letter-sized blobs is a plate, a word's
	 * background or a window: not a letter */
	for (size_t i = 0; i < b.size(); i++) {
		int n = 0;
		for (size_t j = i + 1; j < b.size() && n < 3; j++)
			if (inside(b[j].box, b[i].box) && b[j].box.height * 4 >= b[i].box.height
				&& b[j].box.height * 5 <= b[i].box.height * 4)
				n++;
		drop[i] = n >= 3;
	}
	std::vector<Blob> kept;
	for (size_t i = 0; i < b.size(); i++) {
		if (drop[i])
			continue;
		bool nested = false;
		for (const Blob &k : kept)
			if (inside(b[i].box, k.box)) {
				nested = true;
				break;
			}
		if (!nested)
			kept.push_back(b[i]);
	}
	return kept;
}

int
find(std::vector<int> &up, int i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

/* Blobs of like height, level with each other (within about 30 degrees)
 * and at most a letter's height apart, chained into lines. */
std::vector<std::vector<int> >
lines_of(const std::vector<Blob> &b)
{
	std::vector<int> up(b.size());
	std::iota(up.begin(), up.end(), 0);
	for (size_t i = 0; i < b.size(); i++)
		for (size_t j = i + 1; j < b.size(); j++) {
			const cv::Rect &p = b[i].box, &q = b[j].box;
			int hmax = std::max(p.height, q.height), hmin = std::min(p.height, q.height);
			if (hmax > 2 * hmin)
				continue;
			double dy = std::fabs((p.y + p.height / 2.0) - (q.y + q.height / 2.0));
			int gap = std::max(p.x, q.x) - std::min(p.br().x, q.br().x);
			if (dy <= 0.6 * hmax && gap <= hmax)
				up[find(up, (int)i)] = find(up, (int)j);
		}
	std::vector<std::vector<int> > groups(b.size());
	for (size_t i = 0; i < b.size(); i++)
		groups[find(up, (int)i)].push_back((int)i);
	std::vector<std::vector<int> > out;
	for (auto &g : groups) {
		if (g.size() < MIN_BLOBS)
			continue;
		/* print keeps its letters' heights (caps, x-height and
		 * ascenders, a perspective's gradual change); texture does not */
		double sum = 0, sq = 0;
		for (int i : g) {
			sum += b[i].box.height;
			sq += (double)b[i].box.height * b[i].box.height;
		}
		double mean = sum / (double)g.size();
		if (std::sqrt(std::max(0.0, sq / (double)g.size() - mean * mean)) <= MAX_HEIGHT_SD * mean)
			out.push_back(g);
	}
	/* the longest first: with MAX_LINES, a scene of noise still reads
	 * its large sign */
	auto width = [&](const std::vector<int> &g) {
		int x0 = INT32_MAX, x1 = 0;
		for (int i : g) {
			x0 = std::min(x0, b[i].box.x);
			x1 = std::max(x1, b[i].box.br().x);
		}
		return x1 - x0;
	};
	std::sort(out.begin(), out.end(), [&](const auto &x, const auto &y) { return width(x) > width(y); });
	if (out.size() > MAX_LINES)
		out.resize(MAX_LINES);
	return out;
}

/* Least squares y = a x + c through @pts; a = 0 for fewer than two. */
void
fit_line(const std::vector<cv::Point2d> &pts, double &a, double &c)
{
	double n = (double)pts.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (auto &p : pts) {
		sx += p.x;
		sy += p.y;
		sxx += p.x * p.x;
		sxy += p.x * p.y;
	}
	double d = n * sxx - sx * sx;
	a = (n >= 2 && std::fabs(d) > 1e-9) ? (n * sxy - sx * sy) / d : 0;
	c = n > 0 ? (sy - a * sx) / n : 0;
}

/* The quadrilateral round line @g (in @grey's pixels: top-left, top-right,
 * bottom-right, bottom-left) from the lines through its letters' tops and
 * bottoms, along the line's own direction; @h receives the letters' mean
 * height, @aligned whether they stand on a line as print does. */
std::vector<cv::Point2f>
line_quad(const std::vector<Blob> &b, const std::vector<int> &g, double &h, bool &aligned)
{
	std::vector<cv::Point2d> centres;
	for (int i : g)
		centres.push_back({ b[i].box.x + b[i].box.width / 2.0, b[i].box.y + b[i].box.height / 2.0 });
	double slope, c0;
	fit_line(centres, slope, c0);
	double th = std::atan(slope), cs = std::cos(th), sn = std::sin(th);
	std::vector<cv::Point2d> tops, bottoms;
	double u0 = 1e18, u1 = -1e18;
	h = 0;
	for (int i : g) {
		double vmin = 1e18, vmax = -1e18, umin = 1e18, umax = -1e18;
		for (const cv::Point &p : *b[i].pts) {
			double u = p.x * cs + p.y * sn, v = -p.x * sn + p.y * cs;
			vmin = std::min(vmin, v);
			vmax = std::max(vmax, v + 1);
			umin = std::min(umin, u);
			umax = std::max(umax, u + 1);
		}
		tops.push_back({ (umin + umax) / 2, vmin });
		bottoms.push_back({ (umin + umax) / 2, vmax });
		u0 = std::min(u0, umin);
		u1 = std::max(u1, umax);
		h += vmax - vmin;
	}
	h /= (double)g.size();
	double at, ct, ab, cb;
	fit_line(tops, at, ct);
	fit_line(bottoms, ab, cb);
	/* print stands on a line (and hangs from one): the letters' bottoms
	 * or tops, but for a few (descenders, ascenders), lie on a straight
	 * line; grass and leaves do not */
	std::vector<double> rt, rb;
	for (auto &p : tops)
		rt.push_back(std::fabs(p.y - (at * p.x + ct)) / h);
	for (auto &p : bottoms)
		rb.push_back(std::fabs(p.y - (ab * p.x + cb)) / h);
	std::nth_element(rt.begin(), rt.begin() + rt.size() / 2, rt.end());
	std::nth_element(rb.begin(), rb.begin() + rb.size() / 2, rb.end());
	aligned = std::min(rt[rt.size() / 2], rb[rb.size() / 2]) <= MAX_OFF_LINE;
	if (g.size() < 3)
		at = ab = 0, ct = tops[0].y, cb = bottoms[0].y;
	/* a perspective narrows a line one way; never let its lines cross */
	double m = MARGIN * h;
	u0 -= END_MARGIN * h;
	u1 += END_MARGIN * h;
	double t0 = at * u0 + ct - m, t1 = at * u1 + ct - m, b0 = ab * u0 + cb + m, b1 = ab * u1 + cb + m;
	if (b0 - t0 < h || b1 - t1 < h) {
		double mid0 = (t0 + b0) / 2, mid1 = (t1 + b1) / 2, half = h / 2 + m;
		t0 = mid0 - half, b0 = mid0 + half, t1 = mid1 - half, b1 = mid1 + half;
	}
	auto back = [&](double u, double v) { return cv::Point2f((float)(u * cs - v * sn), (float)(u * sn + v * cs)); };
	return { back(u0, t0), back(u1, t1), back(u1, b1), back(u0, b0) };
}

/* Whether line @g's letters are lighter than what is round them. */
bool
light_letters(const cv::Mat &grey, const std::vector<Blob> &b, const std::vector<int> &g, const cv::Mat &line)
{
	double in = 0;
	size_t n = 0;
	for (int i : g)
		for (const cv::Point &p : *b[i].pts) {
			in += grey.at<uchar>(p);
			n++;
		}
	return n && in / (double)n > cv::mean(line)[0];
}

struct Word {
	std::string text;
	float conf;
	cv::Rect2f box;
};

/* Reads line @g: its words, appended to @words. */
void
read_line(tesseract::TessBaseAPI *api, const cv::Mat &grey, const std::vector<Blob> &b, const std::vector<int> &g,
	std::vector<Word> &words)
{
	double h;
	bool aligned;
	std::vector<cv::Point2f> quad = line_quad(b, g, h, aligned);
	if (!aligned)
		return;
	double scale = LINE_HEIGHT / std::max(h, 1.0);
	double len = std::hypot(quad[1].x - quad[0].x, quad[1].y - quad[0].y);
	double left = std::hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y);
	double right = std::hypot(quad[2].x - quad[1].x, quad[2].y - quad[1].y);
	int dw = std::min(4000, std::max(8, (int)std::lround(len * scale)));
	int dh = std::max(8, (int)std::lround(std::max(left, right) * scale));
	std::vector<cv::Point2f> rect = { { 0, 0 }, { (float)dw, 0 }, { (float)dw, (float)dh }, { 0, (float)dh } };
	cv::Mat warp = cv::getPerspectiveTransform(quad, rect), unwarp = warp.inv(), line;
	cv::warpPerspective(grey, line, warp, cv::Size(dw, dh), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
	if (light_letters(grey, b, g, line))
		cv::bitwise_not(line, line);

	api->SetImage(line.data, line.cols, line.rows, 1, (int)line.step);
	api->SetSourceResolution(300);
	if (api->Recognize(nullptr) != 0)
		return;
	std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
	if (!it)
		return;
	std::vector<Word> found;
	double sum = 0;
	size_t chars = 0;
	do {
		std::unique_ptr<char[]> t(it->GetUTF8Text(tesseract::RIL_WORD));
		int x0, y0, x1, y1;
		if (!t || !it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1))
			continue;
		float conf = it->Confidence(tesseract::RIL_WORD);
		std::vector<cv::Point2f> box = { { (float)x0, (float)y0 }, { (float)x1, (float)y0 }, { (float)x1, (float)y1 },
			{ (float)x0, (float)y1 } },
								 back;
		cv::perspectiveTransform(box, back, unwarp);
		found.push_back({ t.get(), conf, cv::boundingRect(back) });
		/* the line's confidence: of its letters and digits, weighted by
		 * their count (a plate's rim read as "|" does not count) */
		for (const char *p = t.get(); *p; p++)
			if ((unsigned char)*p >= 0xC0 || std::isalnum((unsigned char)*p)) {
				sum += conf;
				chars++;
			}
	} while (it->Next(tesseract::RIL_WORD));
	if (!chars || sum / (double)chars < MIN_LINE_CONF)
		return;
	for (const Word &w : found) {
		if (w.conf < MIN_WORD_CONF)
			continue;
		/* a word is made of the letters MSER found, not read off the
		 * margin (a rim, the scene beyond the sign's end); its box
		 * grows to hold them whole, since Tesseract's, warped back, can
		 * fall short of a letter that --protect text must cover */
		double covered = 0;
		cv::Rect2f box = w.box;
		for (int i : g) {
			cv::Rect2f r(b[i].box);
			double in = (r & w.box).area();
			covered += in;
			if (in >= 0.25 * r.area())
				box |= r;
		}
		if (covered < MIN_INKED * w.box.area())
			continue;
		/* the box inside the photo */
		double x0 = std::max(0.0, (double)box.x), y0 = std::max(0.0, (double)box.y);
		double x1 = std::min((double)grey.cols, (double)box.br().x);
		double y1 = std::min((double)grey.rows, (double)box.br().y);
		if (x1 > x0 && y1 > y0)
			words.push_back({ w.text, w.conf, cv::Rect2f((float)x0, (float)y0, (float)(x1 - x0), (float)(y1 - y0)) });
	}
}

} // namespace

extern "C" int
attache__text_find(const unsigned char *grey, int w, int h, int stride, const char *models, AttacheTextBox **boxes,
	int *n, char **err)
{
	*boxes = nullptr;
	*n = 0;
	*err = nullptr;
	try {
		tesseract::TessBaseAPI *api = reader_for(models);
		if (!api) {
			*err = strdup("Tesseract cannot load its language data");
			return -1;
		}
		cv::Mat img(h, w, CV_8UC1, (void *)grey, (size_t)stride);
		std::vector<std::vector<cv::Point> > regions;
		std::vector<Blob> b = letters(img, regions);
		std::vector<Word> words;
		for (const auto &g : lines_of(b))
			read_line(api, img, b, g, words);
		api->Clear();
		if (words.empty())
			return 0;
		auto *out = (AttacheTextBox *)calloc(words.size(), sizeof(AttacheTextBox));
		if (!out)
			throw std::bad_alloc();
		for (size_t i = 0; i < words.size(); i++) {
			const Word &wd = words[i];
			out[i] = { wd.box.x, wd.box.y, wd.box.width, wd.box.height, wd.conf, strdup(wd.text.c_str()) };
		}
		*boxes = out;
		*n = (int)words.size();
		return 0;
	}
	catch (const std::exception &e) {
		*err = strdup(e.what());
	}
	catch (...) {
		*err = strdup("the text detector failed");
	}
	return -1;
}
