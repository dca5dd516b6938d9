// The footfall pipeline for one camera: scale to the processing resolution, crop the region of
// interest, detect people, track them, count line crossings, measure occupancy.
//
// Pure computation on frames handed in by the caller (FootfallService's thread, the evaluation
// tool, tests); no I/O, no threads, no clock. Frames and masks stay in memory: nothing here
// writes or sends an image. One thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "touchpoint/core/config.h"
#include "touchpoint/core/status.h"
#include "touchpoint/sensors/detector.h"
#include "touchpoint/sensors/line_counter.h"
#include "touchpoint/sensors/scene_calibration.h"
#include "touchpoint/sensors/tracker.h"

namespace touchpoint::sensors {

// Algorithm tuning beyond the config file. Sizes that depend on the scene (person size, line
// hysteresis, lines, ROI, processing width) come from CameraConfig and overwrite these.
struct PipelineTuning {
  DetectorOptions detector;
  TrackerOptions tracker;
  LineCounterOptions counter;
  // Dwell takes sightings only from tracks that look like a whole person (people()). Off:
  // from every confirmed track (fragments of one person add their time).
  bool dwell_people = true;
};

class FootfallPipeline {
 public:
  // REQUIRES: source_size is the size of every frame later passed to Process().
  // Fails on lines that are degenerate or outside the frame, or an empty ROI.
  static Result<std::unique_ptr<FootfallPipeline>> Create(const CameraConfig& config,
                                                          cv::Size source_size,
                                                          PipelineTuning tuning = {});

  // Processes one source frame (8-bit BGR at source_size); appends confirmed crossings.
  void Process(const cv::Mat& frame, int64_t frame_index, std::vector<LineCrossing>* crossings);

  // Ends every track (end of a clip, source lost): crossings still waiting for confirmation
  // are appended. The pipeline keeps working; later frames start new tracks.
  void Finish(int64_t frame_index, std::vector<LineCrossing>* crossings);

  // Confirmed tracks currently in view.
  int64_t occupancy() const;
  const std::vector<LineSpec>& lines() const { return counter_->lines(); }
  const std::vector<Track>& tracks() const { return tracker_->tracks(); }
  // What dwell and zones take: the confirmed tracks, those that are no whole person this frame
  // (a sliver, a fragment, a flat shadow, a part of the body the track was:
  // LineCounter::PersonLike; or a box mostly inside another person's) as unsupported
  // (misses >= 1), so they give no sighting. With
  // PipelineTuning::dwell_people off, every track as it is.
  const std::vector<Track>& people() const { return people_; }
  // The last frame's detections (processing pixels).
  const std::vector<Detection>& detections() const { return detections_; }
  // The detector's last foreground mask (ROI of the processing frame; in memory only).
  const cv::Mat& foreground() const { return detector_->foreground(); }
  cv::Size processing_size() const { return proc_size_; }
  cv::Size source_size() const { return source_size_; }
  // The person size in use (processing pixels): the configured one, else the learned one once
  // enough confirmed tracks were seen, else unknown.
  const PersonSizeModel& person_size() const { return person_; }
  bool person_size_configured() const { return person_configured_; }
  // Observations the learner has (0 when the size is configured).
  int64_t person_size_samples() const { return learner_ ? learner_->samples() : 0; }
  // The installer's setup view (processing pixels, BGR): the edges of a blurred copy of the
  // frame on black, never the picture, with the ROI, the lines and their "in" side, detections,
  // confirmed tracks (id, box, foot) and the person size in use at four rows. In memory only.
  void DrawPreview(cv::Mat* out) const;

 private:
  FootfallPipeline() = default;
  void Learn();
  // Tells the detector where still people stand (DetectorOptions::hold_after).
  void HoldStillPeople();
  // Fills people_ from this frame's tracks.
  void SelectPeople();
  bool learned_splits_ = false;  // the detector splits groups by the learned size too
  int hold_after_ = 0, hold_frames_ = 0;
  double hold_radius_ = 0;
  struct Still {
    cv::Point2f anchor;  // where the track stands
    int frames = 0;      // frames it has stayed within hold_radius of it
  };
  std::map<int, Still> still_;  // per track id
  std::vector<cv::Rect> holds_;
  cv::Size source_size_, proc_size_;
  cv::Rect roi_;  // processing pixels
  cv::Mat scaled_, prescaled_;
  std::unique_ptr<Detector> detector_;
  std::unique_ptr<Tracker> tracker_;
  std::unique_ptr<LineCounter> counter_;
  std::vector<Detection> detections_;
  std::vector<Track> people_;
  bool dwell_people_ = true;
  PersonSizeModel person_;
  bool person_configured_ = false;
  std::unique_ptr<PersonSizeLearner> learner_;  // null when the size is configured
  int64_t frames_since_refit_ = 0;
};

}  // namespace touchpoint::sensors
