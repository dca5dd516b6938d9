// Counting lines: turns track positions into directed line crossings.
//
// A crossing of a line by another track in the same direction shortly before, at the
// same place or stacked on it (torso and legs tracked apart), is the same person.
// A track's side of a line is only known once its foot point is more than `hysteresis` pixels
// away from the line; a crossing is a change of known side whose path passes within the line
// segment. It is confirmed only after the track stayed on the new side for `confirm_frames`
// frames, so a person who steps over the line and back (a U-turn) or touches the line and
// leaves is not counted. One thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "touchpoint/sensors/tracker.h"

namespace touchpoint::sensors {

struct LineSpec {
  std::string name;
  cv::Point2f p1, p2;  // processing pixels
  cv::Point2f in_dir;  // points to the "in" side
};

struct LineCrossing {
  int line = 0;       // index into the counter's lines
  bool in = true;     // direction
  int64_t frame = 0;  // frame at which the foot point reached the new side
  int track_id = 0;
};

struct LineCounterOptions {
  double hysteresis = 6;           // pixels each side of the line, at least
  double band_person_frac = 0.15;  // ... and at least this fraction of the person's height
  PersonSizeModel person;          // expected height; unknown: the track's own height
  // Frames a track may coast (no detection) and still move between sides. Limiting it (0)
  // cost 1.5-4.5 points on PETS and the second TwoLeaveShop count; the sliver rule and the
  // person-sized band already stop a swaying person. Large = no limit.
  int max_unsupported = 1000;
  bool refractory_stacked = false;  // also suppress crossings of tracks stacked on another
  int confirm_frames = 2;           // frames beyond the band before a crossing counts
  double segment_margin = 0.05;     // crossing point may lie this fraction beyond p1/p2
  // One person, one count: a crossing of a line in the same direction as another one within
  // `refractory_frames` frames and `refractory_px` pixels (along the line) by a different
  // track is the same person (a fragment track, a track that split). 0 frames = off;
  // 0 pixels = the hysteresis band's width.
  int refractory_frames = 8;
  double refractory_px = 0;
  // ... and a crossing in the same direction within refractory_frames by a track whose body
  // is part of the same person: one box mostly inside the other, or the two stacked (torso
  // and legs) no taller together than a person (when the person size is known).
  bool refractory_same_body = true;
  // A track that appears inside the band of a line where another track was lost shortly
  // before (a person who stood still, faded into the background and walks on) takes over
  // that track's side of the line, so the crossing it then makes counts. Frames, 0 = off.
  int handover_frames = 500;
  double handover_reach = 1.0;  // ... within this many person heights of where it was lost
  // Tracks hidden in another track's blob ("merged": they follow the blob) move between
  // sides too.
  bool count_merged = true;
  // Tracks narrower than this fraction of a person's width there move no sides (needs the
  // person size). 0 = off.
  double min_width = 0.3;
  // Tracks never seen taller than this fraction of a person's height there (a fragment that
  // follows a person: a bag, an arm, a head over another's shoulder) move no sides (needs the
  // person size). 0 = off.
  double min_height = 0.45;
  // Tracks whose height never reached this fraction of their width lie flat on the floor (a
  // cast shadow, a reflection, with or without the person size): they move no sides. 0 = off.
  double min_aspect = 0.6;
  // A track that was such a sliver, fragment or flat shape for more than this many
  // consecutive frames forgets its side of every line: it takes the side where it is a person
  // again without counting. -1 = off (it keeps its side).
  int max_unfit = 3;
  // A track now shorter than this fraction of the tallest it lately was (Track::full_height)
  // is a part of a body (a head, a torso whose legs faded): where its bottom is says little
  // about where anyone's feet are, so it moves no sides either. 0 = off.
  double min_shrink = 0.4;
};

class LineCounter {
 public:
  LineCounter(std::vector<LineSpec> lines, LineCounterOptions options);

  // Feeds this frame's tracks (only confirmed ones count) and the ids that ended; appends the
  // crossings confirmed in this frame.
  void Update(const std::vector<Track>& tracks, const std::vector<int>& ended, int64_t frame,
              std::vector<LineCrossing>* out);

  const std::vector<LineSpec>& lines() const { return lines_; }
  // Replaces the expected person size (a learned calibration).
  void set_person(const PersonSizeModel& person) { options_.person = person; }
  // Whether track t looks like a whole person now: not a sliver, a fragment, a flat shape or a
  // part of the body it was (min_width, min_height, min_aspect, min_shrink). Only such tracks
  // move between sides.
  bool PersonLike(const Track& t) const;
  // Signed distance of p to line i: > 0 on the in side.
  double SignedDistance(int line, cv::Point2f p) const;

 private:
  struct State {
    int side = 0;             // -1 out, +1 in, 0 unknown
    cv::Point2f last_point;   // where the track was at the last known-side frame
    int64_t sign_frame = -1;  // first frame of the current raw sign
    int raw_sign = 0;
    int pending = 0;  // side a crossing is waiting to be confirmed on, 0 = none
    int pending_frames = 0;
    int64_t pending_frame = 0;
    cv::Point2f pending_point;  // where the track was when the crossing became pending
    cv::Rect2f pending_body;    // and its body box
    bool seen = false;          // the track was seen (confirmed) before
    int unfit_frames = 0;       // consecutive frames as a sliver, fragment or flat shape
  };
  bool WithinSegment(int line, cv::Point2f a, cv::Point2f b) const;
  // Position of p along line i (pixels from p1).
  double Along(int line, cv::Point2f p) const;
  // Whether a crossing is a repeat of a recent one (see refractory_*); records it if not.
  bool Repeats(const LineCrossing& c, double along, const cv::Rect2f& body);
  struct Recent {
    LineCrossing crossing;
    double along = 0;
    cv::Rect2f body;
  };
  std::vector<Recent> recent_;
  // Where tracks were lost, and on which side of each line they were (handover_frames).
  struct Lost {
    cv::Point2f foot;
    double height = 0;
    int64_t frame = 0;
    std::vector<int> sides;  // per line
  };
  std::vector<Lost> lost_;
  std::vector<Track> last_tracks_;  // the previous frame's confirmed tracks
  // The side a track seen for the first time inside line i's band takes over, 0 = none.
  int HandedOverSide(int line, const Track& t, int64_t frame);
  std::vector<LineSpec> lines_;
  std::vector<cv::Point2f> normals_;
  LineCounterOptions options_;
  std::map<std::pair<int, int>, State> states_;  // (track id, line)
};

}  // namespace touchpoint::sensors
