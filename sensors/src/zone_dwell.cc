// Dwell per zone from tracks' foot points.
#include "zone_dwell.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <opencv2/imgproc.hpp>

namespace touchpoint::sensors {

ZoneDwell::ZoneDwell(const std::vector<FootfallZone>& zones, ZoneDwellOptions options)
    : options_(options) {
  for (const FootfallZone& fz : zones) {
    Zone z;
    z.id = fz.id;
    for (const auto& p : fz.polygon) {
      z.polygon.emplace_back(static_cast<float>(p[0]), static_cast<float>(p[1]));
    }
    zones_.push_back(std::move(z));
  }
}

void ZoneDwell::Close(Zone& z, int track_id, const Open& o) {
  ZoneVisit v{track_id, o.enter_ms, o.last_inside_ms};
  z.dwell_s.push_back(v.seconds());
  if (options_.keep_visits) z.visits.push_back(v);
}

void ZoneDwell::Update(const std::vector<Track>& tracks, cv::Size frame, int64_t now_ms) {
  std::set<int> alive;
  for (const Track& t : tracks) alive.insert(t.id);
  const float sx = 1.0f / static_cast<float>(std::max(1, frame.width));
  const float sy = 1.0f / static_cast<float>(std::max(1, frame.height));
  auto inside = [&](const std::vector<cv::Point2f>& polygon, const Track& t) {
    return cv::pointPolygonTest(polygon, cv::Point2f(t.foot.x * sx, t.foot.y * sy), false) >= 0;
  };
  for (Zone& z : zones_) {
    z.present = 0;
    for (const Track& t : tracks) {
      if (!t.confirmed) continue;
      auto it = z.open.find(t.id);
      if (t.misses > 0) {
        // Coasting: no new sighting; still counted as present for a few frames.
        if (it != z.open.end() && t.misses <= options_.max_misses && inside(z.polygon, t)) {
          ++z.present;
        }
        continue;
      }
      if (inside(z.polygon, t)) {
        ++z.present;
        if (it == z.open.end()) {
          z.open.emplace(t.id, Open{now_ms, now_ms});
        } else {
          it->second.last_inside_ms = now_ms;
        }
      } else if (it != z.open.end() &&
                 now_ms - it->second.last_inside_ms >= options_.exit_grace_ms) {
        Close(z, t.id, it->second);
        z.open.erase(it);
      }
    }
    // Tracks that ended: lost inside, their visit closes at the last sighting.
    for (auto it = z.open.begin(); it != z.open.end();) {
      if (alive.count(it->first) == 0) {
        Close(z, it->first, it->second);
        it = z.open.erase(it);
      } else {
        ++it;
      }
    }
    ++z.frames;
    z.occupancy_sum += z.present;
    z.occupancy_max = std::max(z.occupancy_max, z.present);
  }
}

void ZoneDwell::Finish() {
  for (Zone& z : zones_) {
    for (const auto& [id, o] : z.open) Close(z, id, o);
    z.open.clear();
    z.present = 0;
  }
}

std::vector<ZoneStats> ZoneDwell::TakeInterval() {
  std::vector<ZoneStats> out;
  for (Zone& z : zones_) {
    ZoneStats s;
    s.id = z.id;
    s.visits = static_cast<int64_t>(z.dwell_s.size());
    s.dwell_n = s.visits;
    s.occupancy_max = z.occupancy_max;
    s.occupancy_mean = z.frames > 0 ? static_cast<double>(z.occupancy_sum) / z.frames : 0.0;
    if (!z.dwell_s.empty()) {
      std::sort(z.dwell_s.begin(), z.dwell_s.end());
      const double n = static_cast<double>(z.dwell_s.size());
      s.dwell_mean_s = std::accumulate(z.dwell_s.begin(), z.dwell_s.end(), 0.0) / n;
      // Nearest rank.
      const size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(0.9 * n)));
      s.dwell_p90_s = z.dwell_s[rank - 1];
      for (double d : z.dwell_s) ++s.dwell_hist[DwellBucketOf(d)];
    }
    out.push_back(std::move(s));
    z.frames = z.occupancy_sum = z.occupancy_max = 0;
    z.dwell_s.clear();
  }
  return out;
}

}  // namespace touchpoint::sensors
