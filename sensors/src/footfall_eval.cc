// expected.json reader, crossing scorer and a plain video runner for evaluation.
#include "touchpoint/sensors/footfall_eval.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "zone_dwell.h"

namespace touchpoint::sensors {

Result<ExpectedClip> LoadExpectedClip(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot open");
  ExpectedClip clip;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    clip.video = j.value("video", "");
    if (j.contains("frame_size")) {
      clip.width = j.at("frame_size").at(0).get<int>();
      clip.height = j.at("frame_size").at(1).get<int>();
    }
    clip.fps = j.value("fps", 0.0);
    for (const auto& l : j.at("lines")) {
      ExpectedLine line;
      line.name = l.at("name").get<std::string>();
      line.x1 = l.at("p1").at(0).get<double>();
      line.y1 = l.at("p1").at(1).get<double>();
      line.x2 = l.at("p2").at(0).get<double>();
      line.y2 = l.at("p2").at(1).get<double>();
      line.in_dx = l.at("in_vector").at(0).get<double>();
      line.in_dy = l.at("in_vector").at(1).get<double>();
      line.crossings_in = l.at("crossings_in").get<int64_t>();
      line.crossings_out = l.at("crossings_out").get<int64_t>();
      clip.tolerance_frames = std::max(clip.tolerance_frames, l.value("frame_tolerance", 0));
      for (const auto& t : l.value("tracks_crossing_foot", nlohmann::json::array())) {
        for (const auto& c : t.at("crossings")) {
          ExpectedCrossing e;
          e.frame = c.at(0).get<int64_t>();
          e.in = c.at(1).get<std::string>() == "in";
          e.track = t.at("track").get<int>();
          line.crossings.push_back(e);
        }
      }
      clip.lines.push_back(std::move(line));
    }
    for (const auto& iv : j.value("presence_intervals", nlohmann::json::array())) {
      const int64_t first = iv.at(0).get<int64_t>(), last = iv.at(1).get<int64_t>();
      if (first < 0 || last < first) {
        return Status::InvalidArgument(path + ": presence_intervals: [" + std::to_string(first) +
                                       ", " + std::to_string(last) +
                                       "] is not a [first, last] frame pair");
      }
      clip.presence_intervals.emplace_back(first, last);
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return clip;
}

std::vector<CountingLine> LinesOf(const ExpectedClip& clip) {
  std::vector<CountingLine> out;
  for (const ExpectedLine& l : clip.lines) {
    CountingLine c;
    c.name = l.name;
    c.x1 = l.x1;
    c.y1 = l.y1;
    c.x2 = l.x2;
    c.y2 = l.y2;
    c.in_dx = l.in_dx;
    c.in_dy = l.in_dy;
    out.push_back(c);
  }
  return out;
}

namespace {

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One-to-one matches between two sorted frame lists within +-tol (greedy on sorted lists is
// optimal for equal-width windows).
int64_t MatchSorted(std::vector<int64_t> a, std::vector<int64_t> b, int tol) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t j = 0;
  int64_t matched = 0;
  for (int64_t f : a) {
    while (j < b.size() && b[j] < f - tol) ++j;
    if (j < b.size() && b[j] <= f + tol) {
      ++matched;
      ++j;
    }
  }
  return matched;
}

double F1(int64_t matched, int64_t counted, int64_t expected) {
  if (counted + expected == 0) return 1.0;
  return 2.0 * matched / static_cast<double>(counted + expected);
}

}  // namespace

EvalScore ScoreCrossings(const ExpectedClip& clip, const std::vector<CountedCrossing>& counted,
                         int tolerance_frames, const std::string& only_line) {
  EvalScore score;
  int64_t abs_err = 0, expected_total = 0, matched = 0, n_counted = 0, n_expected = 0;
  for (const ExpectedLine& l : clip.lines) {
    if (!only_line.empty() && l.name != only_line) continue;
    LineScore s;
    s.line = l.name;
    s.expected_in = l.crossings_in;
    s.expected_out = l.crossings_out;
    for (bool in : {true, false}) {
      std::vector<int64_t> got, want;
      for (const CountedCrossing& c : counted) {
        if (c.line == l.name && c.in == in) got.push_back(c.frame);
      }
      for (const ExpectedCrossing& e : l.crossings) {
        if (e.in == in) want.push_back(e.frame);
      }
      (in ? s.counted_in : s.counted_out) = static_cast<int64_t>(got.size());
      s.matched += MatchSorted(got, want, tolerance_frames);
      s.counted += static_cast<int64_t>(got.size());
      s.expected += static_cast<int64_t>(want.size());
    }
    int64_t err = std::abs(s.counted_in - s.expected_in) + std::abs(s.counted_out - s.expected_out);
    int64_t exp = s.expected_in + s.expected_out;
    s.accuracy_pct = exp > 0 ? 100.0 * (1.0 - static_cast<double>(err) / exp) : 100.0;
    s.f1 = F1(s.matched, s.counted, s.expected);
    abs_err += err;
    expected_total += exp;
    matched += s.matched;
    n_counted += s.counted;
    n_expected += s.expected;
    score.lines.push_back(s);
  }
  score.accuracy_pct =
      expected_total > 0 ? 100.0 * (1.0 - static_cast<double>(abs_err) / expected_total) : 100.0;
  score.f1 = F1(matched, n_counted, n_expected);
  return score;
}

Result<EvalRun> RunOnVideo(const std::string& video, const CameraConfig& config,
                           const PipelineTuning& tuning, const FrameObserver& observer) {
  EvalRun run;
  try {
    auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = ProcessCpuSeconds();
    cv::VideoCapture cap(video, cv::CAP_FFMPEG);
    if (!cap.isOpened()) return Status::NotFound(video + ": cannot open video");
    cv::Mat frame;
    std::unique_ptr<FootfallPipeline> pipeline;
    std::vector<LineCrossing> crossings;
    run.video_fps = cap.get(cv::CAP_PROP_FPS) > 0 ? cap.get(cv::CAP_PROP_FPS) : 10.0;
    ZoneDwellOptions dwell_options;
    dwell_options.keep_visits = true;
    ZoneDwell in_view({FootfallZone{"view", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, dwell_options);
    for (int64_t index = 0; cap.read(frame); ++index) {
      if (!pipeline) {
        auto p = FootfallPipeline::Create(config, frame.size(), tuning);
        if (!p.ok()) return p.status();
        pipeline = std::move(p).value();
      }
      crossings.clear();
      pipeline->Process(frame, index, &crossings);
      in_view.Update(pipeline->people(), pipeline->processing_size(),
                     std::llround(static_cast<double>(index) * 1000.0 / run.video_fps));
      if (observer) observer(index, *pipeline);
      for (const LineCrossing& c : crossings) {
        run.crossings.push_back({pipeline->lines()[c.line].name, c.in, c.frame, c.track_id});
      }
      run.frames = index + 1;
    }
    if (pipeline) {
      run.person = pipeline->person_size();
      run.person_samples = pipeline->person_size_samples();
      run.processing_size = pipeline->processing_size();
      // Tracks still pending at the end of the clip: let them end.
      crossings.clear();
      pipeline->Finish(run.frames, &crossings);
      for (const LineCrossing& c : crossings) {
        run.crossings.push_back({pipeline->lines()[c.line].name, c.in, c.frame, c.track_id});
      }
    }
    in_view.Finish();
    for (const ZoneVisit& v : in_view.visits(0)) run.dwell_s.push_back(v.seconds());
    run.cpu_seconds = ProcessCpuSeconds() - cpu0;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } catch (const cv::Exception& e) {
    return Status::Internal(video + ": " + e.what());
  }
  return run;
}

DwellScore ScoreDwell(const ExpectedClip& clip, const EvalRun& run) {
  DwellScore d;
  d.has_truth = !clip.presence_intervals.empty();
  const double fps = clip.fps > 0 ? clip.fps : run.video_fps;
  for (const auto& [first, last] : clip.presence_intervals) {
    d.expected_s += static_cast<double>(last - first) / fps;
  }
  d.expected_n = static_cast<int64_t>(clip.presence_intervals.size());
  for (double s : run.dwell_s) d.counted_s += s;
  d.counted_n = static_cast<int64_t>(run.dwell_s.size());
  if (d.expected_s > 0) d.error_pct = 100.0 * std::abs(d.counted_s - d.expected_s) / d.expected_s;
  return d;
}

}  // namespace touchpoint::sensors
