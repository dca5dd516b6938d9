// touchpoint-bench footfall [VIDEO EXPECTED.json]: the footfall pipeline on one core, scored
// against ground truth. Defaults to every shared clip (../shared/data/footfall/...): the PETS
// 2009 walkway (names kept from before: footfall_count_accuracy_pct, footfall_event_f1,
// footfall_fps_one_core at process width 384), then per clip footfall_<clip>_accuracy_pct and
// footfall_<clip>_f1, and the one-core rate at the kiosk's default settings (CameraConfig{}).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <opencv2/core.hpp>

#include "bench.h"
#include "test_support.h"
#include "touchpoint/sensors/footfall_eval.h"

namespace touchpoint::bench {
namespace {

struct Scored {
  sensors::EvalScore score;
  sensors::DwellScore dwell;
  double fps = 0;
};

// REQUIRES: cv::setNumThreads(1) and one FFmpeg decoder thread (set by Run()).
bool Score(const std::string& video, const std::string& expected, CameraConfig config,
           Scored* out) {
  auto clip = sensors::LoadExpectedClip(expected);
  if (!clip.ok()) {
    std::fprintf(stderr, "footfall: %s\n", clip.status().message().c_str());
    return false;
  }
  config.lines = sensors::LinesOf(*clip);
  auto run = sensors::RunOnVideo(video, config);
  if (!run.ok()) {
    std::fprintf(stderr, "footfall: %s\n", run.status().message().c_str());
    return false;
  }
  const int tolerance = clip->tolerance_frames > 0 ? clip->tolerance_frames : 10;
  out->score = sensors::ScoreCrossings(*clip, run->crossings, tolerance);
  out->dwell = sensors::ScoreDwell(*clip, *run);
  out->fps = run->cpu_seconds > 0 ? run->frames / run->cpu_seconds : 0;
  return true;
}

int Run(const std::vector<std::string>& args) {
  cv::setNumThreads(1);
  setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "threads;1", 1);  // one decoder thread
  CameraConfig half;
  half.process_width = 384;
  Scored s;
  if (args.size() >= 2) {
    if (!Score(args[0], args[1], half, &s)) return 2;
    PrintBench("footfall_count_accuracy_pct", s.score.accuracy_pct, "pct");
    PrintBench("footfall_event_f1", s.score.f1, "ratio");
    PrintBench("footfall_fps_one_core", s.fps, "fps");
    return 0;
  }
  const std::string pets = touchpoint::testing::SharedDataPath("footfall/pets09-s2l1-vtest");
  if (!Score(pets + "/vtest.avi", pets + "/expected.json", half, &s)) return 2;
  PrintBench("footfall_count_accuracy_pct", s.score.accuracy_pct, "pct");
  PrintBench("footfall_event_f1", s.score.f1, "ratio");
  PrintBench("footfall_fps_one_core", s.fps, "fps");
  // The kiosk's defaults (process width 384, everything else as shipped).
  if (!Score(pets + "/vtest.avi", pets + "/expected.json", CameraConfig{}, &s)) return 2;
  PrintBench("footfall_pets_default_settings_accuracy_pct", s.score.accuracy_pct, "pct");
  PrintBench("footfall_fps_one_core_default_settings", s.fps, "fps");
  struct Clip {
    const char* name;
    const char* dir;
    const char* video;
  };
  const Clip clips[] = {
      {"caviar_two_leave_shop", "caviar-two-leave-shop", "caviar_TwoLeaveShop2front.mpg"},
      {"caviar_enter_exit_crossing", "caviar-enter-exit-crossing",
       "caviar_EnterExitCrossingPaths1front.mpg"},
  };
  // Dwell in view against presence intervals, per clip that has them and over all of them
  // (100 x sum |counted - expected| / sum expected person-seconds).
  double dwell_abs_error_s = 0, dwell_expected_s = 0;
  for (const Clip& c : clips) {
    const std::string dir = touchpoint::testing::SharedDataPath(std::string("footfall/") + c.dir);
    if (!std::filesystem::exists(dir + "/" + c.video)) continue;
    if (!Score(dir + "/" + c.video, dir + "/expected.json", half, &s)) return 2;
    const std::string name = std::string("footfall_") + c.name;
    PrintBench(name + "_accuracy_pct", s.score.accuracy_pct, "pct");
    PrintBench(name + "_f1", s.score.f1, "ratio");
    PrintBench(name + "_fps_one_core", s.fps, "fps");
    if (s.dwell.has_truth) {
      PrintBench(name + "_dwell_error_pct", s.dwell.error_pct, "%");
      dwell_abs_error_s += std::abs(s.dwell.counted_s - s.dwell.expected_s);
      dwell_expected_s += s.dwell.expected_s;
    }
  }
  if (dwell_expected_s > 0) {
    PrintBench("footfall_dwell_error_pct", 100.0 * dwell_abs_error_s / dwell_expected_s, "%");
  }
  return 0;
}

Registrar reg("footfall", "footfall pipeline: count accuracy, event F1, one-core fps per clip",
              &Run);

}  // namespace
}  // namespace touchpoint::bench
