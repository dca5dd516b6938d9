// Scoring the footfall pipeline against ground truth (the expected.json format of
// ../shared/data/footfall/<clip>/): count accuracy and event F1 per line and direction.
// Used by touchpoint-footfall-eval and by the regression test. One thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "touchpoint/core/config.h"
#include "touchpoint/core/status.h"
#include "touchpoint/sensors/footfall_pipeline.h"

namespace touchpoint::sensors {

struct ExpectedCrossing {
  int64_t frame = 0;
  bool in = true;
  int track = 0;
};

struct ExpectedLine {
  std::string name;
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // source pixels
  double in_dx = 1, in_dy = 0;
  int64_t crossings_in = 0, crossings_out = 0;  // every crossing counts
  std::vector<ExpectedCrossing> crossings;
};

struct ExpectedClip {
  std::string video;
  int width = 0, height = 0;
  double fps = 0;
  std::vector<ExpectedLine> lines;
  // The file's `frame_tolerance` (largest over its lines), 0 when absent: how precise its
  // crossing frames are, so the event-matching window to use.
  int tolerance_frames = 0;
  // The file's `presence_intervals` (where present): each person's first and last visible
  // frame, for dwell; empty when the file has none.
  std::vector<std::pair<int64_t, int64_t>> presence_intervals;
};

// Reads expected.json. Errors name the file and the field.
Result<ExpectedClip> LoadExpectedClip(const std::string& path);

// The clip's lines as counting lines (source pixels), for CameraConfig::lines.
std::vector<CountingLine> LinesOf(const ExpectedClip& clip);

struct CountedCrossing {
  std::string line;
  bool in = true;
  int64_t frame = 0;
  int track = 0;  // the pipeline's track id (diagnostics)
};

struct LineScore {
  std::string line;
  int64_t counted_in = 0, counted_out = 0, expected_in = 0, expected_out = 0;
  int64_t matched = 0, counted = 0, expected = 0;  // event matching
  double accuracy_pct = 0;
  double f1 = 0;
};

struct EvalScore {
  std::vector<LineScore> lines;
  double accuracy_pct = 0;  // 100 * (1 - sum|counted - expected| / sum expected), all cells
  double f1 = 0;            // over all lines: one-to-one matches within the tolerance
};

// Scores counted crossings. `only_line` (non-empty) restricts scoring to that line.
EvalScore ScoreCrossings(const ExpectedClip& clip, const std::vector<CountedCrossing>& counted,
                         int tolerance_frames = 10, const std::string& only_line = "");

struct EvalRun {
  std::vector<CountedCrossing> crossings;
  int64_t frames = 0;
  double seconds = 0;      // decode + pipeline, wall time
  double cpu_seconds = 0;  // the same, CPU time of the whole process (all threads)
  // Person size at the end (processing pixels, feet at the top / bottom edge), and whether it
  // was learned (samples > 0) or configured.
  PersonSizeModel person;
  int64_t person_samples = 0;
  cv::Size processing_size;
  // Dwell in view: the visits of a zone covering the whole frame (ZoneDwell on media time),
  // seconds each.
  std::vector<double> dwell_s;
  double video_fps = 0;
};

// Dwell in view against the ground truth's presence intervals: total person-seconds in view
// (a person the tracker splits into two visits still adds up), counted vs expected.
struct DwellScore {
  bool has_truth = false;  // the clip has presence intervals
  int64_t expected_n = 0, counted_n = 0;
  double expected_s = 0, counted_s = 0;  // total seconds in view
  double error_pct = 0;                  // 100 * |counted_s - expected_s| / expected_s
};
DwellScore ScoreDwell(const ExpectedClip& clip, const EvalRun& run);

// Called after every processed frame (diagnostics: the eval tool's --trace).
using FrameObserver = std::function<void(int64_t frame, const FootfallPipeline& pipeline)>;

// Plays the video once through a pipeline built from `config` (its source/loop are ignored).
Result<EvalRun> RunOnVideo(const std::string& video, const CameraConfig& config,
                           const PipelineTuning& tuning = {}, const FrameObserver& observer = {});

}  // namespace touchpoint::sensors
