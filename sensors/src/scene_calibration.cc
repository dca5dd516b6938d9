// Learned person size and person-sized grouping of foreground fragments.
#include "touchpoint/sensors/scene_calibration.h"

#include <algorithm>
#include <cmath>

namespace touchpoint::sensors {

PersonSizeLearner::PersonSizeLearner(int frame_height) : frame_height_(std::max(1, frame_height)) {
  for (Band& b : bands_) {
    b.heights.reserve(kPerBand);
    b.rows.reserve(kPerBand);
  }
}

void PersonSizeLearner::Observe(double foot_y, double height) {
  if (!(height > 0) || foot_y < 0 || foot_y > frame_height_) return;
  int band = std::clamp(static_cast<int>(foot_y * kBands / frame_height_), 0, kBands - 1);
  Band& b = bands_[band];
  if (b.heights.size() < static_cast<size_t>(kPerBand)) {
    b.heights.push_back(static_cast<float>(height));
    b.rows.push_back(static_cast<float>(foot_y));
  } else {
    b.heights[b.next] = static_cast<float>(height);
    b.rows[b.next] = static_cast<float>(foot_y);
    b.next = (b.next + 1) % kPerBand;
  }
  ++samples_;
}

PersonSizeModel PersonSizeLearner::model() const {
  PersonSizeModel m;
  if (!ready()) return m;
  // Per band: the 75th percentile height at the band's mean row, weighted by its samples.
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  int used = 0;
  for (const Band& b : bands_) {
    if (b.heights.size() < 10) continue;
    std::vector<float> h = b.heights;
    auto q = h.begin() + static_cast<std::ptrdiff_t>(h.size() * 3 / 4);
    std::nth_element(h.begin(), q, h.end());
    double row = 0;
    for (float r : b.rows) row += r;
    row /= static_cast<double>(b.rows.size());
    const double w = static_cast<double>(b.heights.size());
    sw += w;
    sx += w * row;
    sy += w * *q;
    sxx += w * row * row;
    sxy += w * row * *q;
    ++used;
  }
  if (used == 0) return m;
  const double mx = sx / sw, my = sy / sw;
  const double var = sxx / sw - mx * mx;
  // Rows too close together (one band) say nothing about perspective: constant height.
  double slope = used >= 2 && var > 1.0 ? (sxy / sw - mx * my) / var : 0.0;
  slope = std::max(0.0, slope);  // people do not grow towards the top of the image
  m.frame_height = frame_height_;
  m.height_at_top = my - slope * mx;
  m.height_at_bottom = std::max(1.0, my + slope * (frame_height_ - mx));
  return m;
}

void GroupPersonFragments(const PersonSizeModel& person, std::vector<Detection>* detections,
                          double max_height, double max_width) {
  if (!person.known()) return;
  std::vector<Detection>& d = *detections;
  bool merged = true;
  while (merged && d.size() > 1) {
    merged = false;
    for (size_t i = 0; i < d.size() && !merged; ++i) {
      for (size_t j = i + 1; j < d.size() && !merged; ++j) {
        const cv::Rect2f& a = d[i].box;
        const cv::Rect2f& b = d[j].box;
        const float overlap = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
        if (overlap < 0.5f * std::min(a.width, b.width)) continue;
        cv::Rect2f u = a | b;
        const double h = std::max(4.0, person.HeightAt(u.y + u.height));
        if (u.height > max_height * h || u.width > max_width * person.WidthAt(u.y + u.height)) {
          continue;
        }
        Detection m;
        m.box = u;
        m.fill = (d[i].fill * a.area() + d[j].fill * b.area()) / std::max(1.0f, u.area());
        m.split = d[i].split || d[j].split;
        d[i] = m;
        d.erase(d.begin() + static_cast<std::ptrdiff_t>(j));
        merged = true;
      }
    }
  }
}

}  // namespace touchpoint::sensors
