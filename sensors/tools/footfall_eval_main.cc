// touchpoint-footfall-eval --video V --expected E.json [--line NAME]: runs the footfall
// pipeline on a clip and scores it against ground-truth line crossings.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <opencv2/core.hpp>

#include "touchpoint/sensors/footfall_eval.h"

int main(int argc, char** argv) {
  using namespace touchpoint;
  using namespace touchpoint::sensors;
  CLI::App app{"Footfall counting evaluation against ground-truth line crossings"};
  std::string video, expected_path, only_line;
  CameraConfig config;         // the kiosk defaults, overridable below
  config.process_width = 384;  // half of 768: integer INTER_AREA, see docs/footfall.md
  PipelineTuning tuning;
  int tolerance = -1;
  bool verbose = false;
  std::vector<int64_t> trace;
  app.add_option("--video", video, "video file")->required();
  app.add_option("--expected", expected_path, "expected.json")->required();
  app.add_option("--line", only_line, "score only this line");
  app.add_option("--tolerance", tolerance,
                 "event match window, frames (default: the file's frame_tolerance, else 10)");
  app.add_option("--trace", trace, "print detections and tracks of frames FROM TO")->expected(2);
  app.add_flag("-v,--verbose", verbose, "print every counted crossing");
  app.add_option("--process-width", config.process_width)->capture_default_str();
  app.add_option("--detector", config.detector)->capture_default_str();
  app.add_option("--person-height-top", config.person_height_top)->capture_default_str();
  app.add_option("--person-height-bottom", config.person_height_bottom)->capture_default_str();
  std::vector<double> person_heights;
  app.add_option("--person-heights", person_heights,
                 "installer calibration: ROW1 HEIGHT1 ROW2 HEIGHT2 (source pixels)")
      ->expected(4);
  app.add_option("--hysteresis", config.line_hysteresis)->capture_default_str();
  app.add_option("--history", tuning.detector.history)->capture_default_str();
  app.add_option("--var-threshold", tuning.detector.var_threshold)->capture_default_str();
  app.add_option("--shadow-threshold", tuning.detector.shadow_threshold)->capture_default_str();
  app.add_option("--shadow-feet", tuning.detector.shadow_feet)->capture_default_str();
  app.add_option("--shadow-legs", tuning.detector.shadow_legs)->capture_default_str();
  app.add_option("--min-area", tuning.detector.min_area_frac)->capture_default_str();
  app.add_option("--min-aspect", tuning.counter.min_aspect)->capture_default_str();
  app.add_option("--open", tuning.detector.open_size)->capture_default_str();
  app.add_option("--close-w", tuning.detector.close_width)->capture_default_str();
  app.add_option("--close-h", tuning.detector.close_height)->capture_default_str();
  app.add_option("--split", tuning.detector.split_groups)->capture_default_str();
  app.add_option("--gate", tuning.tracker.gate)->capture_default_str();
  app.add_option("--confirm-hits", tuning.tracker.confirm_hits)->capture_default_str();
  app.add_option("--max-misses", tuning.tracker.max_misses)->capture_default_str();
  app.add_option("--max-merged", tuning.tracker.max_merged)->capture_default_str();
  app.add_option("--merge-min-hits", tuning.tracker.merge_min_hits)->capture_default_str();
  app.add_option("--partial-height", tuning.tracker.partial_height)->capture_default_str();
  app.add_option("--occluded-height", tuning.tracker.occluded_height)->capture_default_str();
  app.add_option("--foot-from-head", tuning.tracker.foot_from_head)->capture_default_str();
  app.add_option("--sliver-width", tuning.tracker.sliver_width)->capture_default_str();
  app.add_option("--pos-gain", tuning.tracker.position_gain)->capture_default_str();
  app.add_option("--vel-gain", tuning.tracker.velocity_gain)->capture_default_str();
  app.add_option("--refractory-frames", tuning.counter.refractory_frames)->capture_default_str();
  app.add_option("--refractory-px", tuning.counter.refractory_px)->capture_default_str();
  app.add_option("--band-person", tuning.counter.band_person_frac)->capture_default_str();
  app.add_option("--max-unsupported", tuning.counter.max_unsupported)->capture_default_str();
  app.add_option("--refractory-stacked", tuning.counter.refractory_stacked)->capture_default_str();
  app.add_option("--confirm-frames", tuning.counter.confirm_frames)->capture_default_str();
  app.add_option("--hold-after", tuning.detector.hold_after)->capture_default_str();
  app.add_option("--hold-radius", tuning.detector.hold_radius)->capture_default_str();
  app.add_option("--hold-frames", tuning.detector.hold_frames)->capture_default_str();
  app.add_option("--split-learned", tuning.detector.split_learned)->capture_default_str();
  app.add_option("--split-width", tuning.detector.split_width)->capture_default_str();
  app.add_option("--hold-learning", tuning.detector.hold_learning)->capture_default_str();
  app.add_option("--max-speed", tuning.tracker.max_speed)->capture_default_str();
  app.add_option("--group-width", tuning.tracker.group_width)->capture_default_str();
  app.add_option("--same-body", tuning.counter.refractory_same_body)->capture_default_str();
  app.add_option("--handover-frames", tuning.counter.handover_frames)->capture_default_str();
  app.add_option("--handover-reach", tuning.counter.handover_reach)->capture_default_str();
  app.add_option("--count-merged", tuning.counter.count_merged)->capture_default_str();
  app.add_option("--min-width", tuning.counter.min_width)->capture_default_str();
  app.add_option("--min-height", tuning.counter.min_height)->capture_default_str();
  app.add_option("--max-unfit", tuning.counter.max_unfit)->capture_default_str();
  app.add_option("--min-shrink", tuning.counter.min_shrink)->capture_default_str();
  app.add_option("--dwell-people", tuning.dwell_people)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // One core: OpenCV's own thread pool and FFmpeg's decoder threads.
  cv::setNumThreads(1);
  setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "threads;1", 1);

  if (person_heights.size() == 4) {
    config.person_heights = {{{person_heights[0], person_heights[1]}},
                             {{person_heights[2], person_heights[3]}}};
  }
  auto clip = LoadExpectedClip(expected_path);
  if (!clip.ok()) {
    std::fprintf(stderr, "error: %s\n", clip.status().message().c_str());
    return 2;
  }
  config.lines = LinesOf(*clip);
  if (tolerance < 0) tolerance = clip->tolerance_frames > 0 ? clip->tolerance_frames : 10;
  FrameObserver observer;
  if (trace.size() == 2) {
    observer = [&trace](int64_t frame, const FootfallPipeline& p) {
      if (frame < trace[0] || frame > trace[1]) return;
      std::printf("frame %lld:", static_cast<long long>(frame));
      for (const Detection& d : p.detections()) {
        std::printf(" D[%.0f,%.0f %.0fx%.0f f%.2f]", d.box.x, d.box.y, d.box.width, d.box.height,
                    d.fill);
      }
      for (const Track& t : p.tracks()) {
        std::printf(" T%d%s(%.1f,%.1f %.0fx%.0f h%d m%d%s)", t.id, t.confirmed ? "" : "?", t.foot.x,
                    t.foot.y, t.width, t.height, t.hits, t.misses, t.merged ? " merged" : "");
      }
      // The people dwell takes a sighting from this frame.
      std::printf(" |");
      for (const Track& t : p.people()) {
        if (t.misses == 0) std::printf(" P%d", t.id);
      }
      std::printf("\n");
    };
  }
  auto run = RunOnVideo(video, config, tuning, observer);
  if (!run.ok()) {
    std::fprintf(stderr, "error: %s\n", run.status().message().c_str());
    return 2;
  }
  if (verbose) {
    for (const CountedCrossing& c : run->crossings) {
      std::printf("crossing %s %s frame %lld track %d\n", c.line.c_str(), c.in ? "in" : "out",
                  static_cast<long long>(c.frame), c.track);
    }
  }
  std::printf(
      "person height (processing %dx%d px): %.1f px at the top edge, %.1f at the bottom "
      "(%s, %lld samples)\n",
      run->processing_size.width, run->processing_size.height, run->person.height_at_top,
      run->person.height_at_bottom,
      run->person_samples > 0 ? "learned" : (run->person.known() ? "configured" : "unknown"),
      static_cast<long long>(run->person_samples));
  EvalScore score = ScoreCrossings(*clip, run->crossings, tolerance, only_line);
  std::printf("%-8s %-4s %8s %8s\n", "line", "dir", "counted", "expected");
  for (const LineScore& l : score.lines) {
    std::printf("%-8s %-4s %8lld %8lld\n", l.line.c_str(), "in",
                static_cast<long long>(l.counted_in), static_cast<long long>(l.expected_in));
    std::printf("%-8s %-4s %8lld %8lld\n", l.line.c_str(), "out",
                static_cast<long long>(l.counted_out), static_cast<long long>(l.expected_out));
    std::printf("%-8s accuracy %.1f%%  event F1 %.3f (matched %lld of %lld counted, %lld true)\n",
                l.line.c_str(), l.accuracy_pct, l.f1, static_cast<long long>(l.matched),
                static_cast<long long>(l.counted), static_cast<long long>(l.expected));
  }
  // Frames per CPU-second of the whole process: with one OpenCV thread and one decoder thread
  // this is the one-core rate, and it does not drop when other jobs share the machine.
  const double fps = run->cpu_seconds > 0 ? run->frames / run->cpu_seconds : 0;
  std::printf("frames %lld in %.2f s wall, %.2f s CPU (wall rate %.0f fps)\n",
              static_cast<long long>(run->frames), run->seconds, run->cpu_seconds,
              run->seconds > 0 ? run->frames / run->seconds : 0);
  std::printf("BENCH footfall_count_accuracy_pct %.1f pct\n", score.accuracy_pct);
  std::printf("BENCH footfall_event_f1 %.3f ratio\n", score.f1);
  std::printf("BENCH footfall_fps_one_core %.0f fps\n", fps);
  const DwellScore dwell = ScoreDwell(*clip, *run);
  if (dwell.has_truth) {
    std::printf("dwell in view: %.1f s over %lld visits counted, %.1f s over %lld people true\n",
                dwell.counted_s, static_cast<long long>(dwell.counted_n), dwell.expected_s,
                static_cast<long long>(dwell.expected_n));
    std::printf("BENCH footfall_dwell_error_pct %.1f %%\n", dwell.error_pct);
  }
  return 0;
}
