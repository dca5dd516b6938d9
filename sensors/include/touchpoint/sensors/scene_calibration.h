// Scene calibration: how tall a standing person is at each image row (perspective), and what
// follows from it: grouping foreground fragments into person-sized objects.
//
// The size comes from the config ([camera] person_height_* keys) or is learned from confirmed
// tracks over the first minutes (PersonSizeLearner). One thread (the pipeline's).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "touchpoint/sensors/detector.h"

namespace touchpoint::sensors {

// Learns PersonSizeModel from the heights of confirmed, moving tracks at their foot rows: per
// band of rows a high percentile of the observed heights (fragments are shorter than people,
// groups are as tall), then a weighted straight line through the bands (a flat floor).
class PersonSizeLearner {
 public:
  // REQUIRES: frame_height > 0 (processing pixels).
  explicit PersonSizeLearner(int frame_height);
  // One observation: a track whose feet are at row foot_y was `height` pixels tall.
  void Observe(double foot_y, double height);
  // Enough observations (at least kMinSamples, spread over the frame or not) for a model.
  bool ready() const { return samples_ >= kMinSamples; }
  int64_t samples() const { return samples_; }
  // The learned model; unknown (all zero) until ready().
  PersonSizeModel model() const;

  static constexpr int kBands = 8;
  static constexpr int kPerBand = 128;  // newest heights kept per band (bounded memory)
  static constexpr int64_t kMinSamples = 150;

 private:
  int frame_height_;
  int64_t samples_ = 0;
  struct Band {
    std::vector<float> heights;  // ring of the newest kPerBand
    std::vector<float> rows;
    size_t next = 0;
  };
  std::array<Band, kBands> bands_;
};

// Merges detections that are parts of one person (head, torso, legs, a bag split by the
// background subtraction): boxes that overlap horizontally and whose union is no taller than
// a person at its foot row and no wider than `max_width` persons. Needs a known model (no-op
// otherwise).
void GroupPersonFragments(const PersonSizeModel& person, std::vector<Detection>* detections,
                          double max_height = 1.2, double max_width = 1.6);

}  // namespace touchpoint::sensors
