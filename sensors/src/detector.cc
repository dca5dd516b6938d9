// Detectors: MOG2 background subtraction with shadow removal and group splitting, and HOG.
#include "touchpoint/sensors/detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/video/background_segm.hpp>

namespace touchpoint::sensors {
namespace {

// Foreground pixels of label `id` per column of `box` (labels is CV_32S).
std::vector<int> ColumnProfile(const cv::Mat& labels, const cv::Rect& box, int id) {
  std::vector<int> profile(box.width, 0);
  for (int y = box.y; y < box.y + box.height; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < box.width; ++x) profile[x] += row[box.x + x] == id;
  }
  return profile;
}

// The part of blob `id` between columns [x0, x1) of the frame as a detection (tight box).
bool PartOf(const cv::Mat& labels, int id, int x0, int x1, int y0, int y1, Detection* out) {
  int top = y1, bottom = -1, area = 0;
  for (int y = y0; y < y1; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = x0; x < x1; ++x) {
      if (row[x] != id) continue;
      top = std::min(top, y);
      bottom = y;
      ++area;
    }
  }
  if (bottom < 0) return false;
  out->box = cv::Rect2f(static_cast<float>(x0), static_cast<float>(top),
                        static_cast<float>(x1 - x0), static_cast<float>(bottom + 1 - top));
  out->fill = static_cast<float>(area) / std::max(1.0f, out->box.area());
  out->split = true;
  return true;
}

class Mog2Detector final : public Detector {
 public:
  explicit Mog2Detector(const DetectorOptions& o) : o_(o) {
    bg_ = cv::createBackgroundSubtractorMOG2(o.history, o.var_threshold, /*detectShadows=*/true);
    bg_->setShadowThreshold(o.shadow_threshold);
    if (o.open_size > 0) {
      open_kernel_ = cv::getStructuringElement(cv::MORPH_RECT, {o.open_size, o.open_size});
    }
    if (o.close_width > 0 && o.close_height > 0) {
      close_kernel_ = cv::getStructuringElement(cv::MORPH_ELLIPSE, {o.close_width, o.close_height});
    }
  }

  void Hold(const std::vector<cv::Rect>& regions) override { holding_ = !regions.empty(); }
  void SetPerson(const PersonSizeModel& person) override { o_.person = person; }

  std::vector<Detection> Detect(const cv::Mat& frame) override {
    // While someone stands still the whole model learns slower (OpenCV's MOG2 has one learning
    // rate per frame, not per pixel): they are not absorbed, and the scene still adapts. A
    // model that is clearly wrong (a sudden lighting change: a third of the frame foreground)
    // learns at full speed again.
    double rate = o_.learning_rate;
    if (holding_ && o_.hold_learning > 0 && fg_fraction_ < 0.3) {
      const double full = rate >= 0 ? rate : 1.0 / std::max(1, o_.history);
      rate = full * o_.hold_learning;
    }
    bg_->apply(frame, raw_, rate);
    // MOG2 marks shadows 127 and foreground 255: keep only the foreground.
    cv::threshold(raw_, fg_, 200, 255, cv::THRESH_BINARY);
    if (!open_kernel_.empty()) cv::morphologyEx(fg_, fg_, cv::MORPH_OPEN, open_kernel_);
    if (!close_kernel_.empty()) cv::morphologyEx(fg_, fg_, cv::MORPH_CLOSE, close_kernel_);
    int n = cv::connectedComponentsWithStats(fg_, labels_, stats_, centroids_, 8, CV_32S);
    int64_t fg_pixels = 0;
    for (int i = 1; i < n; ++i) fg_pixels += stats_.ptr<int>(i)[cv::CC_STAT_AREA];
    fg_fraction_ = static_cast<double>(fg_pixels) / std::max(1, frame.cols * frame.rows);
    const double min_area = o_.min_area_frac * frame.cols * frame.rows;
    std::vector<Detection> out;
    for (int i = 1; i < n; ++i) {
      const int* s = stats_.ptr<int>(i);
      if (s[cv::CC_STAT_AREA] < min_area) continue;
      cv::Rect box(s[cv::CC_STAT_LEFT], s[cv::CC_STAT_TOP], s[cv::CC_STAT_WIDTH],
                   s[cv::CC_STAT_HEIGHT]);
      if (o_.split_groups && o_.person.known() && SplitGroup(i, box, &out)) continue;
      Detection d;
      d.box = cv::Rect2f(box);
      d.fill = static_cast<float>(s[cv::CC_STAT_AREA]) / static_cast<float>(box.area());
      out.push_back(d);
    }
    if (o_.shadow_feet > 0) {
      for (Detection& d : out) ExtendThroughShadow(&d);
    } else if (o_.shadow_legs && o_.person.known()) {
      for (Detection& d : out) ExtendLegsThroughShadow(&d);
    }
    return out;
  }

  const cv::Mat& foreground() const override { return fg_; }
  const char* name() const override { return "mog2"; }

 private:
  // Moves the bottom of `d` down through shadow-class pixels (raw_ == 127) under the middle
  // of the box: legs darker than the floor. Stops at the first rows without any.
  void ExtendThroughShadow(Detection* d) const {
    const int x0 = static_cast<int>(d->box.x + 0.2f * d->box.width);
    const int x1 = std::max(x0 + 1, static_cast<int>(d->box.x + 0.8f * d->box.width));
    const int y0 = static_cast<int>(d->box.y + d->box.height);
    const int limit =
        std::min(raw_.rows, y0 + static_cast<int>(std::ceil(o_.shadow_feet * d->box.height)));
    const int need = std::max(1, (x1 - x0) / 8);
    int bottom = y0, gap = 0;
    for (int y = y0; y < limit && gap <= 1; ++y) {
      const uint8_t* row = raw_.ptr<uint8_t>(y);
      int n = 0;
      for (int x = x0; x < x1 && x < raw_.cols; ++x) n += row[x] != 0;
      if (n >= need) {
        bottom = y + 1;
        gap = 0;
      } else {
        ++gap;
      }
    }
    d->box.height = static_cast<float>(bottom) - d->box.y;
  }

  // A blob much shorter than a person (dark legs over a bright floor are classed "shadow")
  // grows down through shadow-class pixels under its middle, but never past a person's height
  // below its top (a glossy floor mirrors the legs under the feet: that reflection stays out).
  void ExtendLegsThroughShadow(Detection* d) const {
    const float top = d->box.y;
    const float bottom = d->box.y + d->box.height;
    const double expected = o_.person.HeightAt(bottom);
    if (expected < 8 || d->box.height >= 0.8 * expected) return;
    const int x0 = static_cast<int>(d->box.x + 0.25f * d->box.width);
    const int x1 = std::max(x0 + 1, static_cast<int>(d->box.x + 0.75f * d->box.width));
    const int limit = std::min(raw_.rows, static_cast<int>(std::lround(top + expected)));
    const int need = std::max(1, (x1 - x0) / 4);
    int y_end = static_cast<int>(bottom);
    for (int y = y_end; y < limit; ++y) {
      const uint8_t* row = raw_.ptr<uint8_t>(y);
      int n = 0;
      for (int x = std::max(0, x0); x < x1 && x < raw_.cols; ++x) n += row[x] != 0;
      if (n < need) break;  // the first row without legs ends them
      y_end = y + 1;
    }
    d->box.height = static_cast<float>(y_end) - top;
  }

  // Cuts a blob wider than one person into person-wide parts at the valleys of its column
  // profile. Returns false (and adds nothing) when the blob is one person wide.
  bool SplitGroup(int id, const cv::Rect& box, std::vector<Detection>* out) {
    const double person_w = o_.person.WidthAt(box.y + box.height);
    if (person_w < 2 || box.width < o_.split_width * person_w) return false;
    int parts = static_cast<int>(std::lround(box.width / person_w));
    parts = std::clamp(parts, 2, 8);
    std::vector<int> profile = ColumnProfile(labels_, box, id);
    std::vector<int> cuts{0};
    const double step = static_cast<double>(box.width) / parts;
    const int search = std::max(1, static_cast<int>(step / 3));
    for (int k = 1; k < parts; ++k) {
      int centre = static_cast<int>(std::lround(k * step));
      int best = centre;
      for (int x = std::max(cuts.back() + 1, centre - search);
           x <= std::min(box.width - 2, centre + search); ++x) {
        if (profile[x] < profile[best]) best = x;
      }
      cuts.push_back(best);
    }
    cuts.push_back(box.width);
    size_t before = out->size();
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      Detection d;
      if (cuts[k + 1] - cuts[k] < 2) continue;
      if (PartOf(labels_, id, box.x + cuts[k], box.x + cuts[k + 1], box.y, box.y + box.height,
                 &d)) {
        out->push_back(d);
      }
    }
    return out->size() > before;
  }

  DetectorOptions o_;
  cv::Ptr<cv::BackgroundSubtractorMOG2> bg_;
  cv::Mat open_kernel_, close_kernel_;
  cv::Mat raw_, fg_, labels_, stats_, centroids_;
  bool holding_ = false;
  double fg_fraction_ = 0;  // of the last frame
};

class HogDetector final : public Detector {
 public:
  explicit HogDetector(const DetectorOptions& o) : o_(o) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }
  std::vector<Detection> Detect(const cv::Mat& frame) override {
    std::vector<cv::Rect> found;
    std::vector<double> weights;
    hog_.detectMultiScale(frame, found, weights, o_.hog_hit_threshold, cv::Size(8, 8), cv::Size(),
                          o_.hog_scale, 2.0);
    std::vector<Detection> out;
    for (const cv::Rect& r : found) {
      // The default people window has ~12% margin below the feet and ~10% each side.
      Detection d;
      d.box = cv::Rect2f(r.x + 0.1f * r.width, r.y + 0.06f * r.height, 0.8f * r.width,
                         0.82f * r.height);
      out.push_back(d);
    }
    return out;
  }
  const cv::Mat& foreground() const override { return empty_; }
  const char* name() const override { return "hog"; }

 private:
  DetectorOptions o_;
  cv::HOGDescriptor hog_;
  cv::Mat empty_;
};

}  // namespace

Result<std::unique_ptr<Detector>> MakeDetector(const DetectorOptions& options) {
  try {
    if (options.kind == "mog2") return std::unique_ptr<Detector>(new Mog2Detector(options));
    if (options.kind == "hog") return std::unique_ptr<Detector>(new HogDetector(options));
  } catch (const cv::Exception& e) {
    return Status::Internal("detector " + options.kind + ": " + e.what());
  }
  return Status::InvalidArgument("camera.detector: unknown detector \"" + options.kind +
                                 "\" (expected \"mog2\" or \"hog\")");
}

}  // namespace touchpoint::sensors
