// touchpoint-bench footfall [VIDEO EXPECTED.json]: the footfall pipeline on one core, scored
// against ground truth. Defaults to the shared PETS 2009 clip (../shared/data/footfall/...).
#include <cstdio>
#include <cstdlib>

#include <opencv2/core.hpp>

#include "bench.h"
#include "test_support.h"
#include "touchpoint/sensors/footfall_eval.h"

namespace touchpoint::bench {
namespace {

int Run(const std::vector<std::string>& args) {
  const std::string dir = touchpoint::testing::SharedDataPath("footfall/pets09-s2l1-vtest");
  const std::string video = args.size() > 0 ? args[0] : dir + "/vtest.avi";
  const std::string expected = args.size() > 1 ? args[1] : dir + "/expected.json";
  cv::setNumThreads(1);
  setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "threads;1", 1);  // one decoder thread
  auto clip = sensors::LoadExpectedClip(expected);
  if (!clip.ok()) {
    std::fprintf(stderr, "footfall: %s\n", clip.status().message().c_str());
    return 2;
  }
  CameraConfig config;
  config.process_width = 384;
  config.lines = sensors::LinesOf(*clip);
  auto run = sensors::RunOnVideo(video, config);
  if (!run.ok()) {
    std::fprintf(stderr, "footfall: %s\n", run.status().message().c_str());
    return 2;
  }
  sensors::EvalScore score = sensors::ScoreCrossings(*clip, run->crossings);
  PrintBench("footfall_count_accuracy_pct", score.accuracy_pct, "pct");
  PrintBench("footfall_event_f1", score.f1, "ratio");
  PrintBench("footfall_fps_one_core", run->cpu_seconds > 0 ? run->frames / run->cpu_seconds : 0,
             "fps");
  return 0;
}

Registrar reg("footfall", "footfall pipeline: count accuracy, event F1, one-core fps", &Run);

}  // namespace
}  // namespace touchpoint::bench
