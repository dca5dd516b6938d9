// Alpha-beta foot-point tracker with greedy gated assignment and merged-blob coasting.
#include "touchpoint/sensors/tracker.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace touchpoint::sensors {
namespace {

struct Candidate {
  double cost;
  size_t track;
  size_t detection;
};

// Whether point p lies in box grown by `grow_x` of its width each side and `grow_y` (pixels)
// below its bottom.
bool InsideGrown(const cv::Rect2f& box, cv::Point2f p, float grow_x, float grow_y) {
  float gx = grow_x * box.width;
  return p.x >= box.x - gx && p.x <= box.x + box.width + gx && p.y >= box.y &&
         p.y <= box.y + box.height + grow_y;
}

}  // namespace

Tracker::Tracker(TrackerOptions options) : options_(std::move(options)) {}

double Tracker::ExpectedHeight(const Track& t) const {
  if (options_.person.known()) return std::max(8.0, options_.person.HeightAt(t.foot.y));
  return std::max(8.0, static_cast<double>(t.height));
}

bool Tracker::GroupHost(size_t i, const Detection& d) const {
  const Track& t = tracks_[i];
  if (!t.confirmed || t.width <= 0 || d.box.width < options_.group_width * t.width) return false;
  for (size_t k = 0; k < tracks_.size(); ++k) {
    const Track& o = tracks_[k];
    if (k == i || !o.confirmed || o.misses > 2) continue;
    if (std::abs(o.foot.x - t.foot.x) < 0.5f * t.width) continue;  // the same place: no help
    if (o.foot.x >= d.box.x && o.foot.x <= d.box.x + d.box.width && o.foot.y >= d.box.y &&
        o.foot.y <= d.box.y + d.box.height + 0.25f * d.box.height) {
      return true;
    }
  }
  return false;
}

void Tracker::ClampSpeed(Track* t) const {
  const float limit = static_cast<float>(options_.max_speed * ExpectedHeight(*t));
  const float speed = std::hypot(t->velocity.x, t->velocity.y);
  if (speed > limit && speed > 0) t->velocity *= limit / speed;
}

const std::vector<Track>& Tracker::Update(const std::vector<Detection>& detections) {
  ended_.clear();
  // 1. Predict.
  for (Track& t : tracks_) {
    t.foot += t.velocity;
    ++t.age;
  }
  // 2. Gated costs, cheapest first; one detection per track and one track per detection.
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < tracks_.size(); ++i) {
    const Track& t = tracks_[i];
    const double h = ExpectedHeight(t);
    const double gate = options_.gate * (1.0 + 0.15 * std::min(t.misses, 6));
    for (size_t j = 0; j < detections.size(); ++j) {
      cv::Point2f f = detections[j].foot();
      double d = std::hypot(f.x - t.foot.x, f.y - t.foot.y) / h;
      if (d > gate) continue;
      double size = t.height > 0 ? std::abs(std::log(detections[j].box.height / t.height)) : 0;
      // Prefer long-lived tracks so a fragment does not steal a person's detection.
      double cost = d + 0.3 * size + (t.confirmed ? 0.0 : 0.2);
      candidates.push_back({cost, i, j});
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.cost < b.cost; });
  std::vector<int> track_det(tracks_.size(), -1), det_track(detections.size(), -1);
  for (const Candidate& c : candidates) {
    if (track_det[c.track] >= 0 || det_track[c.detection] >= 0) continue;
    track_det[c.track] = static_cast<int>(c.detection);
    det_track[c.detection] = static_cast<int>(c.track);
  }
  // 3. Correct matched tracks; unmatched ones coast, inside a blob if one covers them.
  for (size_t i = 0; i < tracks_.size(); ++i) {
    Track& t = tracks_[i];
    if (track_det[i] >= 0) {
      const Detection& d = detections[track_det[i]];
      cv::Point2f r = d.foot() - t.foot;
      // A detection much shorter than a person here is a fragment (head and torso whose legs
      // the background subtraction lost, or legs only): its bottom says little about where
      // the feet are, so it moves the track sideways only.
      const bool partial =
          options_.person.known() && d.box.height < options_.partial_height * ExpectedHeight(t);
      // The top where it was and the bottom much higher: legs hidden, not a step.
      const bool occluded = options_.occluded_height > 0 && t.confirmed && t.height > 0 &&
                            d.box.height < options_.occluded_height * t.height &&
                            std::abs(d.box.y - (t.foot.y - t.height)) < 0.25f * t.height;
      if (partial || occluded) r.y = 0;
      // A sliver much narrower than this track has been (one leg or an arm of a person who
      // stands still and fades into the background) does not move it sideways either.
      const bool sliver = t.full_width > 0 && d.box.width < options_.sliver_width * t.full_width;
      if (sliver) r.x = 0;
      // A group blob (this person and someone beside them): follow the group's edge on this
      // track's side, keeping the track's own width, instead of the group's centre.
      const bool group = GroupHost(i, d);
      if (group) {
        const float half = 0.5f * t.width;
        const float left = d.box.x + half, right = d.box.x + d.box.width - half;
        const float anchored =
            std::abs(left - t.foot.x) <= std::abs(right - t.foot.x) ? left : right;
        r.x = anchored - t.foot.x;
      }
      if (options_.foot_from_head && options_.person.known()) {
        // Heads stand out against the background more reliably than feet (dark shoes on a
        // dark floor, reflections, shadows): the foot row whose person height reaches the
        // box top. h(y) = a + b*y, y - h(y) = top  =>  y = (top + a) / (1 - b).
        const PersonSizeModel& m = options_.person;
        const double b = (m.height_at_bottom - m.height_at_top) / m.frame_height;
        if (b < 0.9) {
          const double y = (d.box.y + m.height_at_top) / (1.0 - b);
          r.y = static_cast<float>(y) - t.foot.y;
        }
      }
      t.foot += static_cast<float>(options_.position_gain) * r;
      t.velocity += static_cast<float>(options_.velocity_gain) * r;
      if (partial) t.velocity.y *= 0.8f;
      if (sliver) t.velocity.x *= 0.5f;
      ClampSpeed(&t);
      t.travelled = std::max(t.travelled, static_cast<float>(cv::norm(t.foot - t.first_foot)));
      t.partial = partial || sliver;
      if (!group) {
        t.full_width = std::max(0.995f * t.full_width, d.box.width);
        t.full_height = std::max(0.995f * t.full_height, d.box.height);
        t.width = t.width > 0 ? 0.7f * t.width + 0.3f * d.box.width : d.box.width;
        if (!occluded) {
          t.height = t.height > 0 ? 0.7f * t.height + 0.3f * d.box.height : d.box.height;
        }
      }
      ++t.hits;
      t.misses = 0;
      t.merged = false;
      t.merged_frames = 0;
      if (t.hits >= options_.confirm_hits) t.confirmed = true;
      continue;
    }
    const Detection* host = nullptr;
    if (t.confirmed && t.hits >= options_.merge_min_hits) {
      const float below = static_cast<float>(0.25 * ExpectedHeight(t));
      for (const Detection& d : detections) {
        if (InsideGrown(d.box, t.foot, 0.15f, below)) {
          host = &d;
          break;
        }
      }
    }
    if (host != nullptr) {
      // Hidden in a group (or behind an obstacle inside a blob): follow the blob.
      // Sideways it keeps its own motion inside the blob (paths that cross); its foot row
      // keeps its height above the blob's bottom (beside or behind the others), so the blob's
      // changing height does not move it across a line.
      const float host_bottom = host->box.y + host->box.height;
      if (!t.merged) {
        t.merge_offset.y = std::clamp(t.foot.y - host_bottom, -0.5f * host->box.height, 0.0f);
      }
      t.foot.x = std::clamp(t.foot.x, host->box.x, host->box.x + host->box.width);
      t.foot.y = host_bottom + t.merge_offset.y;
      t.velocity *= 0.95f;
      t.merged = true;
      t.misses = 0;
      ++t.merged_frames;
    } else {
      t.velocity *= 0.9f;
      t.merged = false;
      t.merged_frames = 0;
      ++t.misses;
    }
  }
  // 4. Remove lost tracks.
  std::vector<Track> kept;
  kept.reserve(tracks_.size() + detections.size());
  for (Track& t : tracks_) {
    bool lost = t.confirmed
                    ? t.misses > options_.max_misses || t.merged_frames > options_.max_merged
                    : t.misses >= 2;
    if (lost) {
      ended_.push_back(t.id);
      continue;
    }
    kept.push_back(t);
  }
  tracks_ = std::move(kept);
  // 5. New tentative tracks from unmatched detections that are not part of a tracked person.
  for (size_t j = 0; j < detections.size(); ++j) {
    if (det_track[j] >= 0) continue;
    const Detection& d = detections[j];
    cv::Point2f c(d.box.x + d.box.width / 2, d.box.y + d.box.height / 2);
    bool fragment = false;
    for (const Track& t : tracks_) {
      if (!t.confirmed) continue;
      cv::Rect2f body(t.foot.x - t.width / 2, t.foot.y - t.height, t.width, t.height);
      if (body.contains(c)) {
        fragment = true;
        break;
      }
    }
    if (fragment) continue;
    Track t;
    t.id = next_id_++;
    t.foot = d.foot();
    t.first_foot = t.foot;
    t.width = d.box.width;
    t.height = d.box.height;
    t.full_height = d.box.height;
    t.hits = 1;
    t.confirmed = options_.confirm_hits <= 1;
    tracks_.push_back(t);
  }
  return tracks_;
}

}  // namespace touchpoint::sensors
