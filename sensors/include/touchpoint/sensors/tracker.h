// Multi-object tracker for foot points of detected people.
//
// Each track is a person hypothesis with a constant-velocity prediction. Detections are matched
// to predictions one to one (cheapest first, gated by the expected person size); a track that
// loses its detection inside another track's blob is kept as "merged" and follows the blob, so
// identities survive groups that merge and split and short occlusions. One thread.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "touchpoint/sensors/detector.h"

namespace touchpoint::sensors {

struct Track {
  int id = 0;
  cv::Point2f foot;      // bottom centre, processing pixels (smoothed)
  cv::Point2f velocity;  // pixels per frame
  float width = 0, height = 0;
  int hits = 0;              // frames with a matched detection
  int misses = 0;            // consecutive frames without one
  int age = 0;               // frames since creation
  bool confirmed = false;    // enough hits to be a person
  bool merged = false;       // currently hidden inside another track's blob
  int merged_frames = 0;     // consecutive frames merged
  bool partial = false;      // last matched detection was a fragment (too short or too narrow)
  float full_width = 0;      // widest matched detection, slowly forgotten
  float full_height = 0;     // tallest matched detection, slowly forgotten
  cv::Point2f merge_offset;  // foot minus the host blob's bottom centre when it merged
  cv::Point2f first_foot;    // where the track was born
  float travelled = 0;       // farthest distance from first_foot so far (pixels)
};

struct TrackerOptions {
  PersonSizeModel person;     // processing pixels; when unknown, sizes come from detections
  double gate = 0.9;          // max match distance, in expected person heights
  int confirm_hits = 3;       // hits before a track is confirmed
  int max_misses = 12;        // frames a confirmed track coasts without any support
  int max_merged = 60;        // frames a track may stay merged in a group blob
  int merge_min_hits = 0;     // matched frames a track needs before it may hide in a blob
  double sliver_width = 0.4;  // detections narrower than this many track widths are slivers
  double partial_height = 0;  // detections shorter than this many persons are fragments; 0 = off
  // A detection shorter than this fraction of the track's own height whose top stays where the
  // track's top was (within a quarter of its height) is the person with their legs hidden (a
  // pillar, a counter, someone in front): it moves the track sideways only and leaves its
  // height. 0 = off.
  double occluded_height = 0.75;
  bool foot_from_head = false;  // foot row = box top + person height there (needs `person`)
  double position_gain = 0.7;   // weight of the detection vs the prediction
  double velocity_gain = 0.4;
  // People do not move faster than this many of their heights per frame (a track that
  // matched a far fragment would otherwise fly off and cross lines it never reached).
  double max_speed = 0.25;
  // A detection this many times wider than a track, with another confirmed track inside it,
  // is a group: the track keeps its own width and follows the group's edge nearest to it
  // instead of jumping to the group's centre (two people meeting on either side of a line).
  double group_width = 1.5;
};

class Tracker {
 public:
  explicit Tracker(TrackerOptions options);
  // Advances one frame with its detections. Returns the live tracks (tentative ones included).
  const std::vector<Track>& Update(const std::vector<Detection>& detections);
  const std::vector<Track>& tracks() const { return tracks_; }
  // Drops every track (their ids are not reused).
  void Reset() {
    tracks_.clear();
    ended_.clear();
  }
  // Replaces the expected person size (a learned calibration).
  void set_person(const PersonSizeModel& person) { options_.person = person; }
  // Ids of tracks removed in the last Update().
  const std::vector<int>& ended() const { return ended_; }

 private:
  double ExpectedHeight(const Track& t) const;
  // Whether detection d, matched to track i, is a group holding another confirmed track.
  bool GroupHost(size_t i, const Detection& d) const;
  void ClampSpeed(Track* t) const;
  TrackerOptions options_;
  std::vector<Track> tracks_;
  std::vector<int> ended_;
  int next_id_ = 1;
};

}  // namespace touchpoint::sensors
