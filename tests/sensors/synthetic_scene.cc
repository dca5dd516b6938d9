// Rendering of the synthetic footfall scene (in memory only).
#include "synthetic_scene.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace touchpoint::testing {

SyntheticScene::SyntheticScene(cv::Size size, double height_top, double height_bottom,
                               uint32_t seed)
    : size_(size), height_top_(height_top), height_bottom_(height_bottom), seed_(seed) {
  // A floor-like texture: smooth blotches plus fine grain, mid-grey with some colour.
  cv::RNG rng(seed);
  cv::Mat coarse(size.height / 8 + 1, size.width / 8 + 1, CV_8UC3);
  rng.fill(coarse, cv::RNG::UNIFORM, cv::Scalar(120, 130, 140), cv::Scalar(180, 185, 190));
  cv::resize(coarse, background_, size, 0, 0, cv::INTER_CUBIC);
  cv::Mat grain(size, CV_8UC3);
  rng.fill(grain, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
  cv::add(background_, grain, background_);
  // Tiles: a regular pattern the camera sees every frame.
  for (int x = 0; x < size.width; x += 24) {
    cv::line(background_, {x, 0}, {x, size.height}, cv::Scalar(110, 115, 120), 1);
  }
}

void SyntheticScene::SetLighting(int64_t from, int64_t to, double gain) {
  light_from_ = from;
  light_to_ = to;
  light_gain_ = gain;
}

double SyntheticScene::PersonHeight(double foot_y) const {
  return height_top_ + (height_bottom_ - height_top_) * foot_y / size_.height;
}

bool SyntheticScene::Interpolate(const std::vector<Waypoint>& path, int64_t index,
                                 cv::Point2f* foot) {
  if (path.empty() || index < path.front().frame || index > path.back().frame) return false;
  for (size_t k = 0; k + 1 < path.size(); ++k) {
    const Waypoint& a = path[k];
    const Waypoint& b = path[k + 1];
    if (index > b.frame) continue;
    const float t = b.frame > a.frame ? static_cast<float>(index - a.frame) /
                                            static_cast<float>(b.frame - a.frame)
                                      : 0.0f;
    *foot = a.foot + t * (b.foot - a.foot);
    return true;
  }
  *foot = path.back().foot;
  return true;
}

bool SyntheticScene::FootAt(size_t i, int64_t index, cv::Point2f* foot) const {
  if (!Interpolate(people_[i].path, index, foot)) return false;
  const SyntheticPerson& p = people_[i];
  if (p.sway_px > 0) foot->x += p.sway_px * std::sin(0.4f * static_cast<float>(index));
  return true;
}

void SyntheticScene::DrawShadow(cv::Mat* frame, cv::Point2f foot, double h) const {
  // A soft cast shadow on the floor to the right of the feet: the floor at ~65% brightness.
  cv::Mat mask = cv::Mat::zeros(frame->size(), CV_8U);
  cv::ellipse(mask, cv::Point(static_cast<int>(foot.x + 0.35 * h), static_cast<int>(foot.y)),
              cv::Size(static_cast<int>(0.3 * h), static_cast<int>(0.06 * h) + 1), 0, 0, 360,
              cv::Scalar(255), cv::FILLED);
  cv::Mat darker;
  frame->convertTo(darker, -1, 0.65);
  darker.copyTo(*frame, mask);
}

void SyntheticScene::DrawPerson(cv::Mat* frame, const SyntheticPerson& p, cv::Point2f foot) const {
  const double h = PersonHeight(foot.y);
  if (p.shadow) DrawShadow(frame, foot, h);
  if (p.shade > 0) {
    // The same shapes in white on a mask, then the floor under them darkened.
    cv::Mat mask = cv::Mat::zeros(frame->size(), CV_8U);
    SyntheticPerson shape = p;
    shape.shade = 0;
    shape.shadow = false;
    shape.torso = cv::Scalar::all(255);
    DrawPersonShape(&mask, shape, foot, cv::Scalar::all(255), cv::Scalar::all(255));
    cv::Mat darker;
    frame->convertTo(darker, -1, p.shade);
    darker.copyTo(*frame, mask);
    return;
  }
  DrawPersonShape(frame, p, foot, cv::Scalar(35, 35, 45), cv::Scalar(110, 150, 200));
}

void SyntheticScene::DrawPersonShape(cv::Mat* frame, const SyntheticPerson& p, cv::Point2f foot,
                                     const cv::Scalar& legs, const cv::Scalar& skin) const {
  const double h = PersonHeight(foot.y);
  const int fx = static_cast<int>(std::lround(foot.x)), fy = static_cast<int>(std::lround(foot.y));
  auto px = [&](double f) { return static_cast<int>(std::lround(f * h)); };
  // Legs: two dark bars, hip (0.47 h) to feet.
  const int hip = fy - px(0.47);
  cv::rectangle(*frame, cv::Point(fx - px(0.13), hip), cv::Point(fx - px(0.02), fy), legs,
                cv::FILLED);
  cv::rectangle(*frame, cv::Point(fx + px(0.02), hip), cv::Point(fx + px(0.13), fy), legs,
                cv::FILLED);
  // Torso: shoulders 0.36 h wide, from 0.82 h to the hip (or above a gap when split).
  const int torso_bottom = p.split_body ? fy - px(0.62) : hip;
  cv::rectangle(*frame, cv::Point(fx - px(0.18), fy - px(0.82)),
                cv::Point(fx + px(0.18), torso_bottom), p.torso, cv::FILLED);
  // Head.
  cv::circle(*frame, cv::Point(fx, fy - px(0.91)), std::max(1, px(0.08)), skin, cv::FILLED);
}

cv::Mat SyntheticScene::Render(int64_t index) const {
  cv::Mat frame = background_.clone();
  for (const auto& path : lone_shadows_) {
    cv::Point2f foot;
    if (Interpolate(path, index, &foot)) DrawShadow(&frame, foot, PersonHeight(foot.y));
  }
  // Far people first, so nearer ones are drawn over them.
  std::vector<std::pair<float, size_t>> order;
  for (size_t i = 0; i < people_.size(); ++i) {
    cv::Point2f foot;
    if (FootAt(i, index, &foot)) order.push_back({foot.y, i});
  }
  std::sort(order.begin(), order.end());
  for (const auto& [y, i] : order) {
    cv::Point2f foot;
    FootAt(i, index, &foot);
    DrawPerson(&frame, people_[i], foot);
  }
  for (const auto& [box, colour] : occluders_) cv::rectangle(frame, box, colour, cv::FILLED);
  double gain = 1;
  if (light_from_ >= 0 && index >= light_from_) {
    const double t = light_to_ > light_from_
                         ? std::min(1.0, static_cast<double>(index - light_from_) /
                                             static_cast<double>(light_to_ - light_from_))
                         : 1.0;
    gain = 1 + (light_gain_ - 1) * t;
  }
  // Sensor noise, different every frame but deterministic.
  cv::RNG rng(seed_ * 7919u + static_cast<uint32_t>(index));
  cv::Mat noise(frame.size(), CV_16SC3);
  rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(2));
  cv::Mat out;
  frame.convertTo(out, CV_16SC3, gain);
  out += noise;
  out.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace touchpoint::testing
