// The counting thread: frames -> pipeline -> per-interval footfall events and coverage events.
#include "touchpoint/sensors/footfall_service.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#include "zone_dwell.h"

namespace touchpoint::sensors {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t AlignDown(int64_t ms, int64_t step) {
  int64_t r = ms % step;
  if (r < 0) r += step;
  return ms - r;
}

constexpr int64_t kContextWindowMs = 15 * 60 * 1000;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace

struct FootfallService::Interval {
  int64_t start_ms = 0;
  bool counted = false;  // at least one frame processed in it
  // Every frame in it was timed by a synchronised clock (live sources; media time is exact): a
  // count made while the clock was at 1970 stays flagged after NTP sets it.
  bool clock_synced = true;
  std::map<std::string, std::pair<int64_t, int64_t>> by_line;
  int64_t occ_min = 0, occ_max = 0, occ_end = 0;
};

FootfallService::FootfallService(const CameraConfig& config, EventStore* store,
                                 const EventStamper* stamper)
    : FootfallService(config, store, stamper, FootfallServiceOptions{}) {}

FootfallService::FootfallService(const CameraConfig& config, EventStore* store,
                                 const EventStamper* stamper, FootfallServiceOptions options)
    : config_(config), store_(store), stamper_(stamper), options_(std::move(options)) {
  health_.enabled = config_.enabled;
  health_.state = "off";
  for (const CountingLine& l : config_.lines) health_.today_by_line.push_back({l.name, {0, 0}});
}

FootfallService::~FootfallService() { Stop(); }

std::optional<FeedbackContext> FootfallService::CrowdContext() const {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (health_.state != "ok") return std::nullopt;
  FeedbackContext c;
  c.occupancy_at_start = health_.occupancy;
  for (const auto& [minute_ms, ins] : ins_by_minute_) {
    if (minute_ms + 60000 > health_.last_frame_ms.value_or(0) - kContextWindowMs)
      c.visitors_in_15min += ins;
  }
  if (options_.footfall.has_kiosk_zone()) c.people_at_kiosk = people_at_kiosk_;
  return c;
}

Status FootfallService::Start() {
  if (thread_.joinable()) return Status::Ok();
  if (config_.interval_s <= 0) {
    return Status::InvalidArgument("camera.interval_s: must be > 0");
  }
  // Validate lines, ROI and detector now, on a nominal frame, so a bad config fails here.
  auto probe = FootfallPipeline::Create(config_, cv::Size(640, 480), options_.tuning);
  if (!probe.ok()) return probe.status();
  if (!options_.source)
    options_.source = MakeOpenCvSource(config_.source, config_.loop, config_.stream_timeout_ms);
  stop_ = false;
  SetState("starting", "");
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void FootfallService::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(wake_mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  // Every callback of ours has run once the store has done what we queued.
  if (store_ != nullptr) store_->Flush();
}

CameraHealth FootfallService::Health() const {
  std::lock_guard<std::mutex> lock(health_mu_);
  return health_;
}

bool FootfallService::Preview(cv::Mat* out) const {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (preview_.empty()) return false;
  preview_.copyTo(*out);
  return true;
}

void FootfallService::SetPreviewWanted(bool wanted) {
  preview_wanted_ = wanted;
  if (!wanted && !options_.keep_preview) {
    std::lock_guard<std::mutex> lock(health_mu_);
    preview_.release();  // nothing of the view outlives the screen
  }
}

bool FootfallService::SetupView(CameraSetupView* out) const {
  std::lock_guard<std::mutex> lock(health_mu_);
  out->camera = health_;
  if (preview_.empty()) return false;
  // The UI asks every frame; the camera draws ~10 views a second: convert only a new one.
  if (out->frame_index == preview_frame_ && !out->rgba.empty()) return true;
  cv::Mat rgba;
  cv::cvtColor(preview_, rgba, cv::COLOR_BGR2RGBA);
  out->width = rgba.cols;
  out->height = rgba.rows;
  out->rgba.assign(rgba.data, rgba.data + rgba.total() * rgba.elemSize());
  out->frame_index = preview_frame_;
  return true;
}

void FootfallService::SetState(const std::string& state, const std::string& error) {
  std::lock_guard<std::mutex> lock(health_mu_);
  health_.state = state;
  if (!error.empty()) health_.last_error = error;
  if (state != "ok") health_.fps = 0;
}

bool FootfallService::SleepFor(int64_t ms) {
  heartbeat_.Beat(ms);
  std::unique_lock<std::mutex> lock(wake_mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, ms)),
                 [this] { return stop_.load(); });
  return !stop_.load();
}

int64_t FootfallService::NowMs(const Frame* frame) const {
  if (!media_time_) return stamper_->clock().NowUtcMs();
  int64_t index = frame != nullptr ? frame->index : last_media_index_;
  return start_ms_ + static_cast<int64_t>(std::llround(index * 1000.0 / media_fps_));
}

void FootfallService::Run() {
  FrameSource& source = *options_.source;
  start_ms_ = stamper_->clock().NowUtcMs();
  const int64_t interval_ms = static_cast<int64_t>(config_.interval_s) * 1000;
  interval_ = std::make_unique<Interval>();
  interval_->start_ms = AlignDown(start_ms_, interval_ms);
  gap_start_ms_ = start_ms_;
  gap_reason_ = "camera_starting";
  int64_t backoff = std::max(1, config_.retry_min_ms);
  bool ended = false;

  while (!stop_ && !ended) {
    heartbeat_.Beat();
    Status opened = source.Open();
    if (!opened.ok()) {
      if (gap_reason_ == "camera_starting") gap_reason_ = "camera_open_failed";
      BeginGap(NowMs(nullptr), "camera_open_failed");
      SetState("retrying", opened.message());
      CloseIntervalsUntil(NowMs(nullptr));
      if (!SleepFor(backoff)) break;
      backoff =
          std::min<int64_t>(backoff * 2, std::max(config_.retry_max_ms, config_.retry_min_ms));
      continue;
    }
    media_time_ = !source.live() && !config_.realtime;
    media_fps_ = source.fps() > 0 ? source.fps() : 10.0;
    // Pacing: files at their own rate when realtime, everything at most max_fps.
    double pace_fps = (!source.live() && config_.realtime) ? media_fps_ : 0;
    if (config_.max_fps > 0)
      pace_fps = pace_fps > 0 ? std::min(pace_fps, config_.max_fps) : config_.max_fps;
    const double period_ms = pace_fps > 0 ? 1000.0 / pace_fps : 0;
    double due_ms = static_cast<double>(SteadyMs());
    int64_t fps_window_start = SteadyMs(), fps_frames = 0;

    while (!stop_) {
      heartbeat_.Beat();
      Frame frame;
      ReadResult r = source.Read(&frame);
      if (r == ReadResult::kFrame) {
        backoff = std::max(1, config_.retry_min_ms);
        if (period_ms > 0) {
          double now = static_cast<double>(SteadyMs());
          if (source.live() && now < due_ms) continue;  // over max_fps: drop this frame
          if (!source.live() && now < due_ms && !SleepFor(std::lround(due_ms - now))) break;
          due_ms = std::max(due_ms + period_ms, now - 1000.0);
        }
        if (media_time_) last_media_index_ = frame.index;
        OnFrame(frame, NowMs(&frame));
        ++fps_frames;
        int64_t steady = SteadyMs();
        if (steady - fps_window_start >= 1000) {
          std::lock_guard<std::mutex> lock(health_mu_);
          health_.fps = fps_frames * 1000.0 / static_cast<double>(steady - fps_window_start);
          fps_window_start = steady;
          fps_frames = 0;
        }
        continue;
      }
      // The source stopped: tracks are lost, crossings waiting for confirmation count.
      if (pipeline_) {
        std::vector<LineCrossing> crossings;
        pipeline_->Finish(frame.index, &crossings);
        CountCrossings(crossings, NowMs(nullptr));
      }
      if (zones_) zones_->Finish();
      int64_t now = NowMs(nullptr);
      CloseIntervalsUntil(now);
      if (r == ReadResult::kEnd) {
        BeginGap(now, "ended");
        SetState("ended", source.description() + ": end of file");
        ended = true;
        break;
      }
      BeginGap(now, "camera_read_failed");
      SetState("retrying", source.description() + ": stopped delivering frames");
      source.Close();
      SleepFor(backoff);
      backoff =
          std::min<int64_t>(backoff * 2, std::max(config_.retry_max_ms, config_.retry_min_ms));
      break;
    }
  }
  // Wait for Stop() after a file ended, so the end-of-counting gap is closed at stop time.
  while (!stop_ && SleepFor(1000)) {
  }
  int64_t now = NowMs(nullptr);
  CloseIntervalsUntil(now);
  EndGap(now);
  FlushInterval();
  source.Close();
  SetState("off", "");
}

void FootfallService::OnFrame(const Frame& frame, int64_t now_ms) {
  if (!pipeline_ || pipeline_->source_size() != frame.image.size()) {
    auto p = FootfallPipeline::Create(config_, frame.image.size(), options_.tuning);
    if (!p.ok()) {
      SetState("retrying", p.status().message());
      BeginGap(now_ms, "camera_config_invalid");
      return;
    }
    pipeline_ = std::move(p).value();
  }
  if (!zones_) {
    std::vector<FootfallZone> zones = options_.footfall.zones;
    if (options_.footfall.has_kiosk_zone()) zones.push_back(options_.footfall.kiosk_zone);
    zones_ = std::make_unique<ZoneDwell>(zones);
  }
  CloseIntervalsUntil(now_ms);
  EndGap(now_ms);
  std::vector<LineCrossing> crossings;
  pipeline_->Process(frame.image, frame.index, &crossings);
  CountCrossings(crossings, now_ms);
  zones_->Update(pipeline_->people(), pipeline_->processing_size(), now_ms);
  const int64_t occ = pipeline_->occupancy();
  Interval& iv = *interval_;
  if (!iv.counted) {
    iv.occ_min = iv.occ_max = occ;
    iv.counted = true;
  }
  if (!media_time_ && !stamper_->clock().IsSynced()) iv.clock_synced = false;
  iv.occ_min = std::min(iv.occ_min, occ);
  iv.occ_max = std::max(iv.occ_max, occ);
  iv.occ_end = occ;
  std::lock_guard<std::mutex> lock(health_mu_);
  if (health_.state != "ok") {
    health_.state = "ok";
    health_.last_error.clear();
  }
  health_.last_frame_ms = now_ms;
  health_.occupancy = occ;
  if (options_.footfall.has_kiosk_zone()) {
    people_at_kiosk_ = zones_->people_in(options_.footfall.zones.size());
  }
  const PersonSizeModel& person = pipeline_->person_size();
  const double to_source = static_cast<double>(pipeline_->source_size().width) /
                           std::max(1, pipeline_->processing_size().width);
  health_.person_height_top_px = person.height_at_top * to_source;
  health_.person_height_bottom_px = person.height_at_bottom * to_source;
  health_.person_size = pipeline_->person_size_configured() ? "configured"
                        : person.known()                    ? "learned"
                                                            : "learning";
  if (options_.keep_preview || preview_wanted_) {
    pipeline_->DrawPreview(&preview_);
    ++preview_frame_;
  }
}

void FootfallService::CountCrossings(const std::vector<LineCrossing>& crossings, int64_t now_ms) {
  if (crossings.empty() || !pipeline_) return;
  std::lock_guard<std::mutex> lock(health_mu_);
  const int64_t minute = AlignDown(now_ms, 60000);
  while (!ins_by_minute_.empty() &&
         (ins_by_minute_.front().first + 60000 <= now_ms - kContextWindowMs ||
          ins_by_minute_.front().first > now_ms)) {
    ins_by_minute_.pop_front();  // out of the window (or the clock stepped back)
  }
  for (const LineCrossing& c : crossings) {
    if (c.in) {
      if (ins_by_minute_.empty() || ins_by_minute_.back().first != minute) {
        ins_by_minute_.emplace_back(minute, 0);
      }
      ++ins_by_minute_.back().second;
    }
    const std::string& name = pipeline_->lines()[c.line].name;
    auto& counts = interval_->by_line[name];
    (c.in ? counts.first : counts.second) += 1;
    for (auto& [line, today] : health_.today_by_line) {
      if (line == name) (c.in ? today.first : today.second) += 1;
    }
  }
}

void FootfallService::CloseIntervalsUntil(int64_t now_ms) {
  const int64_t interval_ms = static_cast<int64_t>(config_.interval_s) * 1000;
  if (now_ms < interval_->start_ms) {
    // The clock stepped back (NTP correcting a clock that ran ahead): close what was counted
    // under the old time and go on in the new time's interval, instead of holding every count
    // until the clock catches up again. Order stays by seq; a gap open at the old time ends
    // where its interval began.
    FlushInterval();
    const int64_t next = AlignDown(now_ms, interval_ms);
    if (gap_start_ms_ >= 0) {
      if (interval_->start_ms > gap_start_ms_) {
        RecordCoverage(gap_start_ms_, interval_->start_ms, gap_reason_);
      }
      gap_start_ms_ = next;
    }
    *interval_ = Interval{};
    interval_->start_ms = next;
    return;
  }
  if (now_ms < interval_->start_ms + interval_ms) return;
  // A long jump (clock step, days without frames): one coverage span, not one per interval.
  if (now_ms - interval_->start_ms > 1000 * interval_ms) {
    FlushInterval();
    const int64_t next = AlignDown(now_ms, interval_ms);
    if (gap_start_ms_ >= 0 && next > gap_start_ms_) {
      RecordCoverage(gap_start_ms_, next, gap_reason_);
      gap_start_ms_ = next;
    }
    *interval_ = Interval{};
    interval_->start_ms = next;
    return;
  }
  while (now_ms >= interval_->start_ms + interval_ms) {
    const int64_t end = interval_->start_ms + interval_ms;
    if (gap_start_ms_ >= 0 && end > gap_start_ms_) {
      RecordCoverage(gap_start_ms_, end, gap_reason_);
      gap_start_ms_ = end;
    }
    FlushInterval();
    *interval_ = Interval{};
    interval_->start_ms = end;
  }
}

void FootfallService::FlushInterval() {
  Interval& iv = *interval_;
  if (!iv.counted) return;
  FootfallPayload p;
  p.interval_start_ms = iv.start_ms;
  p.interval_s = config_.interval_s;
  for (const CountingLine& l : config_.lines) {
    auto it = iv.by_line.find(l.name);
    LineCount c;
    c.line = l.name;
    if (it != iv.by_line.end()) {
      c.in = it->second.first;
      c.out = it->second.second;
    }
    p.lines.push_back(c);
  }
  p.occupancy_min = iv.occ_min;
  p.occupancy_max = iv.occ_max;
  p.occupancy_end = iv.occ_end;
  p.zones = ZoneFigures();
  iv.counted = false;
  iv.by_line.clear();
  Submit(std::move(p), iv.start_ms, iv.clock_synced);
}

std::vector<ZoneStats> FootfallService::ZoneFigures() {
  const std::vector<FootfallZone>& configured = options_.footfall.zones;
  std::vector<ZoneStats> out(configured.size());
  for (size_t i = 0; i < configured.size(); ++i) out[i].id = configured[i].id;
  if (!zones_) return out;
  std::vector<ZoneStats> now = zones_->TakeInterval();
  now.resize(configured.size());  // the kiosk zone is not reported
  return now;
}

void FootfallService::BeginGap(int64_t now_ms, const std::string& reason) {
  if (gap_start_ms_ >= 0) return;
  gap_start_ms_ = now_ms;
  gap_reason_ = reason;
}

void FootfallService::EndGap(int64_t now_ms) {
  if (gap_start_ms_ < 0) return;
  if (now_ms > gap_start_ms_) RecordCoverage(gap_start_ms_, now_ms, gap_reason_);
  gap_start_ms_ = -1;
}

void FootfallService::RecordCoverage(int64_t start_ms, int64_t end_ms, const std::string& reason) {
  if (end_ms <= start_ms) return;
  CoveragePayload p;
  p.source = "camera";
  p.start_ms = start_ms;
  p.end_ms = end_ms;
  p.reason = reason;
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    ++health_.coverage_gaps;
  }
  Submit(std::move(p), start_ms);
}

void FootfallService::Submit(Payload payload, int64_t time_ms, bool clock_synced) {
  if (store_ == nullptr || stamper_ == nullptr) return;
  ++submitted_;
  Event e = stamper_->MakeAt(std::move(payload), time_ms);
  e.clock_synced = e.clock_synced && clock_synced;
  store_->AppendAsync(std::move(e), [this](const Result<uint64_t>& r) {
    if (r.ok()) {
      ++stored_;
      return;
    }
    std::lock_guard<std::mutex> lock(health_mu_);
    health_.last_error = "event not stored: " + r.status().message();
  });
}

}  // namespace touchpoint::sensors
