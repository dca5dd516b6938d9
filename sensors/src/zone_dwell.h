// Dwell per zone: from confirmed tracks' foot points, who is in each configured zone now, and
// each person's time in it (a visit: enter -> leave). Per footfall interval: visits completed,
// occupancy max and mean over the processed frames, dwell mean, p90, n and the fixed-bucket
// histogram of docs/events.md (footfall `zones`).
//
// A visit starts at the first frame a confirmed track is seen (matched, not coasting) with its
// foot point inside the zone, and ends at its last such sighting once it has been seen outside
// for `exit_grace_ms` (a person swaying on the edge stays one visit), or once its track ends
// (lost inside: the visit closes at its last sighting). Time is the caller's (ms), so live
// cameras and media time (evaluation) work alike.
//
// Pure computation: no I/O, no threads. One thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <opencv2/core.hpp>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event.h"
#include "touchpoint/sensors/tracker.h"

namespace touchpoint::sensors {

struct ZoneDwellOptions {
  int64_t exit_grace_ms = 1000;  // seen outside this long before a visit ends
  int max_misses = 2;            // a coasting track counts as present for this many frames
  bool keep_visits = false;      // keep every completed visit (evaluation)
};

struct ZoneVisit {
  int track_id = 0;
  int64_t enter_ms = 0, leave_ms = 0;
  double seconds() const { return static_cast<double>(leave_ms - enter_ms) / 1000.0; }
};

class ZoneDwell {
 public:
  // `zones`: normalised polygons (config). REQUIRES: every zone has >= 3 points.
  explicit ZoneDwell(const std::vector<FootfallZone>& zones, ZoneDwellOptions options = {});

  // One processed frame at time now_ms (non-decreasing); `frame` is the size of the image the
  // tracks' foot points are in (the pipeline's processing size; it may change between calls).
  void Update(const std::vector<Track>& tracks, cv::Size frame, int64_t now_ms);
  // Ends every open visit at its last sighting (end of a clip, source lost).
  void Finish();

  size_t zone_count() const { return zones_.size(); }
  // People in zone i at the last Update().
  int64_t people_in(size_t i) const { return zones_[i].present; }
  // The figures since the last call (or construction), one per zone in config order; resets.
  std::vector<ZoneStats> TakeInterval();
  // Every completed visit of zone i (only with keep_visits).
  const std::vector<ZoneVisit>& visits(size_t i) const { return zones_[i].visits; }

 private:
  struct Open {
    int64_t enter_ms = 0;
    int64_t last_inside_ms = 0;
  };
  struct Zone {
    std::string id;
    std::vector<cv::Point2f> polygon;  // normalised 0..1
    std::map<int, Open> open;          // by track id
    int64_t present = 0;
    // The interval so far.
    int64_t frames = 0, occupancy_sum = 0, occupancy_max = 0;
    std::vector<double> dwell_s;
    std::vector<ZoneVisit> visits;
  };
  void Close(Zone& z, int track_id, const Open& o);

  std::vector<Zone> zones_;
  ZoneDwellOptions options_;
};

}  // namespace touchpoint::sensors
