// Person detectors: turn one processing-resolution frame into candidate person boxes.
//
// A Detector is stateful (background models learn over time) and is used by ONE thread: the
// footfall pipeline's. Implementations: background subtraction (MOG2 with shadow removal, the
// baseline) and OpenCV's HOG people detector (for angled cameras with large people). A DNN
// detector can be added behind the same interface later.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "touchpoint/core/status.h"

namespace touchpoint::sensors {

// Expected height (pixels) of a standing person whose feet are at image row y, in the frame the
// detector sees. Linear in y (a flat floor seen by a pinhole camera). Unknown when both are 0.
struct PersonSizeModel {
  double height_at_top = 0;     // pixels, feet at y = 0 (may be < 0: a line through two rows)
  double height_at_bottom = 0;  // pixels, feet at y = frame_height
  double frame_height = 1;

  bool known() const { return height_at_bottom > 0; }
  double HeightAt(double y) const {
    double t = frame_height > 0 ? y / frame_height : 0;
    // The line may cross zero above the horizon (negative at the top edge): never below 0.
    return std::max(0.0, height_at_top + (height_at_bottom - height_at_top) * t);
  }
  // Shoulder width of the same person (pedestrians are about 0.36 of their height wide).
  double WidthAt(double y) const { return 0.36 * HeightAt(y); }
};

struct Detection {
  cv::Rect2f box;      // processing pixels
  float fill = 1.0f;   // fraction of the box that is foreground (1 for box detectors)
  bool split = false;  // cut out of a wider group blob
  cv::Point2f foot() const { return {box.x + box.width * 0.5f, box.y + box.height}; }
};

struct DetectorOptions {
  std::string kind = "mog2";  // "mog2" or "hog"
  PersonSizeModel person;     // in processing pixels
  // MOG2
  int history = 300;
  double var_threshold = 16;
  double learning_rate = -1;  // -1: automatic (1/history)
  // MOG2 tau: a pixel at least this fraction of the background's brightness (and of its
  // colour) is shadow. 0.5 (OpenCV's default) classed dark clothes over a bright floor as
  // shadow: whole dark-clothed people vanished (CAVIAR). At 0.7 they stay; a cast shadow
  // darker than that becomes foreground, but it lies flat and moves no sides
  // (LineCounterOptions::min_aspect).
  double shadow_threshold = 0.7;
  // Legs and feet darker than the floor (dark trousers, a glossy floor) are classed "shadow":
  // a blob's bottom extends down through shadow pixels under its middle, at most this
  // fraction of its height (0 = off).
  double shadow_feet = 0.0;
  // A blob shorter than 0.8 of a person grows down through shadow-class pixels under its
  // middle, up to a person's height (needs the person size; the legs of dark trousers over a
  // bright floor). Off when shadow_feet is set.
  bool shadow_legs = true;
  double min_area_frac = 0.00035;  // blobs below this fraction of the frame are noise
  int open_size = 3;               // morphology kernel sizes (pixels; 0 = off)
  int close_width = 5;
  int close_height = 9;
  bool split_groups = true;   // cut wide blobs into person-wide parts (needs `person`)
  bool split_learned = true;  // ... also with a learned person size (not only a configured one)
  double split_width = 2.0;   // ... when at least this many person widths wide
  // Someone who has stood still (within `hold_radius` of their height) for `hold_after`
  // frames is held: while anyone is, the background learns at `hold_learning` of its rate, so
  // a person who stops on a threshold is not absorbed before walking on. For at most
  // `hold_frames` frames per track (a false track must not slow the model for ever).
  // hold_frames 0 = off.
  int hold_after = 15;
  double hold_radius = 0.15;
  int hold_frames = 3000;
  double hold_learning = 0.1;
  // HOG
  double hog_scale = 1.05;
  double hog_hit_threshold = 0;
};

class Detector {
 public:
  virtual ~Detector() = default;
  // Candidate people in `frame` (8-bit BGR, processing resolution). Learns from the frame.
  virtual std::vector<Detection> Detect(const cv::Mat& frame) = 0;
  // Regions (pixels of the frames given to Detect) where the next frames show people who
  // stand still: a background model must not absorb them (on a threshold, at a shelf) before
  // they walk on. Replaces the previous regions; empty = nobody. Detectors without a
  // background model ignore it.
  virtual void Hold(const std::vector<cv::Rect>& regions) { (void)regions; }
  // Replaces the expected person size (a learned calibration; pixels of the frames given to
  // Detect). Detectors that do not use it ignore it.
  virtual void SetPerson(const PersonSizeModel& person) { (void)person; }
  // The last foreground mask (empty for detectors without one). In memory only: the sensors
  // library never writes images anywhere.
  virtual const cv::Mat& foreground() const = 0;
  virtual const char* name() const = 0;
};

Result<std::unique_ptr<Detector>> MakeDetector(const DetectorOptions& options);

}  // namespace touchpoint::sensors
