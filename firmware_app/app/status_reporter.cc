#include "status_reporter.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include "touchpoint/core/data_files.h"

namespace touchpoint::app {

namespace {
constexpr int64_t kHeartbeatMs = 30 * 1000;
}

StatusReporter::StatusReporter(const KioskConfig& kiosk, EventStore* store,
                               const EventStamper* stamper, StatusSources sources)
    : kiosk_(kiosk),
      store_(store),
      stamper_(stamper),
      sources_(std::move(sources)),
      started_mono_ms_(stamper->clock().MonotonicMs()),
      heartbeat_path_(kiosk.data_dir + "/heartbeat") {}

StatusReporter::~StatusReporter() { Stop(); }

void StatusReporter::Start() {
  RecordKioskDowntime();
  thread_ = std::thread([this] { Run(); });
}

void StatusReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Beat();
}

StatusPayload StatusReporter::Current() const {
  StoreStats st = store_->Stats();
  StatusPayload p;
  p.software_version = TOUCHPOINT_VERSION;
  p.config_version = sources_.config_version;
  p.uptime_s = (stamper_->clock().MonotonicMs() - started_mono_ms_) / 1000;
  FillStorageStatus(st, stamper_->clock().NowUtcMs(), &p);
  if (sources_.sync) {
    SyncHealth s = sources_.sync();
    p.last_hub_ack_ms = s.last_hub_ack_ms;
    if (!s.config_push_error.empty())
      p.problems.push_back("config push refused: " + s.config_push_error);
    if (!s.applied_config_version.empty()) p.config_version = s.applied_config_version;
  }
  if (!p.last_hub_ack_ms) p.last_hub_ack_ms = st.last_ack_ms;
  if (sources_.camera) {
    CameraHealth c = sources_.camera();
    p.camera_state = c.state;
    p.camera_fps = c.fps;
    if (c.enabled) {
      p.camera_person_size =
          PersonSize{c.person_size, c.person_height_top_px, c.person_height_bottom_px};
    }
    if (!c.last_error.empty()) p.problems.push_back("camera: " + c.last_error);
  } else {
    p.camera_state = "off";
  }
  return p;
}

void StatusReporter::RecordKioskDowntime() {
  std::ifstream in(heartbeat_path_);
  int64_t last_alive = 0;
  if (!(in >> last_alive) || last_alive <= 0) return;
  int64_t now = stamper_->clock().NowUtcMs();
  // The heartbeat is written every 30 s: a gap well beyond that means the kiosk was not counting.
  if (now - last_alive <= 2 * kHeartbeatMs) return;
  CoveragePayload gap;
  gap.source = "kiosk";
  gap.start_ms = last_alive;
  gap.end_ms = now;
  gap.reason = "kiosk_down";
  store_->AppendAsync(stamper_->MakeAt(gap, last_alive), [](const Result<uint64_t>& r) {
    if (!r.ok()) spdlog::error("could not record the kiosk downtime: {}", r.status().ToString());
  });
  spdlog::info("kiosk was down for {} s; recorded a coverage gap", (now - last_alive) / 1000);
}

void StatusReporter::Beat() {
  // Atomic (temp + fsync + rename): a crash or power cut mid-write must not leave a torn or
  // empty heartbeat, which would hide (or invent) the next start's downtime.
  Status s =
      WriteFileAtomically(heartbeat_path_, std::to_string(stamper_->clock().NowUtcMs()) + "\n");
  if (!s.ok() && heartbeat_ok_) {
    // Once per failure spell; a full disk also shows in the store's status.
    spdlog::warn("heartbeat: {}", s.ToString());
  }
  heartbeat_ok_ = s.ok();
}

void StatusReporter::Run() {
  auto interval = std::chrono::seconds(kiosk_.status_interval_s);
  auto next_status = std::chrono::steady_clock::now();
  bool first = true;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    Beat();
    auto now = std::chrono::steady_clock::now();
    if (now >= next_status) {
      StatusPayload p = Current();
      if (first) {
        p.problems.insert(p.problems.end(), sources_.startup_problems.begin(),
                          sources_.startup_problems.end());
        first = false;
      }
      store_->AppendAsync(stamper_->Make(p), [](const Result<uint64_t>& r) {
        if (!r.ok()) spdlog::warn("status event not stored: {}", r.status().ToString());
      });
      next_status = now + interval;
    }
    lock.lock();
    auto wake = std::min(
        next_status, std::chrono::steady_clock::now() + std::chrono::milliseconds(kHeartbeatMs));
    cv_.wait_until(lock, wake, [&] { return stop_; });
  }
}

}  // namespace touchpoint::app
