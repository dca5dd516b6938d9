// FootfallService: the kiosk's camera counter. Owns one thread that reads frames, runs the
// footfall pipeline and records `footfall` events (one per interval: in/out per line,
// occupancy min/max/end) and `coverage` events (spans when the camera was not counting).
//
// Zones (FootfallServiceOptions::footfall): per interval, each zone's visits, occupancy and dwell
// go into the footfall event's `zones` (schema v2; docs/footfall.md "Zones and dwell").
//
// Threads and ownership:
//  - Start() starts the counting thread; Stop() (or the destructor) ends it. Call both from one
//    thread (the app's wiring). Health() and CrowdContext() are thread-safe (dashboard, status
//    reporter, the UI thread at the start of a survey session).
//  - The store and stamper are borrowed: they must outlive the service (Stop() first).
//  - Counting never waits for storage: events go through EventStore::AppendAsync, which blocks
//    only while the store's queue is full.
//
// Time: interval boundaries are multiples of config.interval_s in UTC from the stamper's clock.
// A file that is not paced (config.realtime = false, evaluation) runs on media time instead:
// the clock's time at Start() plus frame index / frame rate.
//
// Coverage: the service records what it observed itself: from Start() until the first frame
// ("camera_starting"), from a failure until frames flow again ("camera_open_failed",
// "frame_timeout"/"camera_read_failed"), and a gap that spans interval boundaries is recorded
// per interval so the hub learns about it while it lasts. Time before Start() and after Stop()
// is the app's ("kiosk" coverage). A file that ends stops counting ("ended").
//
// Privacy: frames stay in this process's memory; nothing is written or sent but counts.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <opencv2/core.hpp>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/health.h"
#include "touchpoint/core/heartbeat.h"
#include "touchpoint/core/status.h"
#include "touchpoint/sensors/footfall_pipeline.h"
#include "touchpoint/sensors/frame_source.h"

namespace touchpoint::sensors {

struct FootfallServiceOptions {
  // nullptr: MakeOpenCvSource(config.source, config.loop, config.stream_timeout_ms).
  std::unique_ptr<FrameSource> source;
  PipelineTuning tuning;
  // Always keep the in-memory setup view (Preview()), not only while one is wanted
  // (SetPreviewWanted); costs an edge image per frame.
  bool keep_preview = false;
  // Dwell zones and the kiosk's own zone (config [footfall]); none by default.
  FootfallConfig footfall;
};

class ZoneDwell;

class FootfallService {
 public:
  // REQUIRES: store and stamper outlive the service.
  FootfallService(const CameraConfig& config, EventStore* store, const EventStamper* stamper);
  FootfallService(const CameraConfig& config, EventStore* store, const EventStamper* stamper,
                  FootfallServiceOptions options);
  ~FootfallService();  // Stop()
  FootfallService(const FootfallService&) = delete;
  FootfallService& operator=(const FootfallService&) = delete;

  // Checks the config (lines, detector) and starts the counting thread. The camera itself is
  // opened on that thread, so a missing camera is not an error here: it shows in Health() and
  // coverage events. Returns InvalidArgument for a bad config; no thread is started then.
  Status Start();
  // Records the current partial interval and any open gap, then joins the thread. Idempotent.
  void Stop();

  CameraHealth Health() const;
  // The crowd now, for a rating's context: people in view, "in" crossings in the last 15 min
  // (before the latest frame) and, with a kiosk zone, the people in it. nullopt while the camera
  // is not counting (off, starting, retrying, ended). Cheap: one mutex, no waiting on frames.
  std::optional<FeedbackContext> CrowdContext() const;
  // The latest setup view (FootfallPipeline::DrawPreview: edges only, lines, tracks), drawn
  // while keep_preview or while a setup screen wants it. False when there is none yet.
  bool Preview(cv::Mat* out) const;
  // The installer's setup screen opened (true) or closed (false): the counting thread draws the
  // setup view only in between. Any thread.
  void SetPreviewWanted(bool wanted);
  // The setup view as RGBA with the camera's health, for the kiosk UI. Any thread. When *out
  // already holds the latest view (same frame_index), only its health is refreshed.
  bool SetupView(CameraSetupView* out) const;
  // Events handed to the store so far / confirmed stored (for tests and status).
  int64_t events_submitted() const { return submitted_.load(); }
  int64_t events_stored() const { return stored_.load(); }

  // The camera thread's proof of life for the service watchdog (it beats per frame and before
  // each bounded wait; a read or an open that hangs makes it overdue).
  const Heartbeat& heartbeat() const { return heartbeat_; }

 private:
  struct Interval;
  void Run();
  void OnFrame(const Frame& frame, int64_t now_ms);
  void CountCrossings(const std::vector<LineCrossing>& crossings, int64_t now_ms);
  void CloseIntervalsUntil(int64_t now_ms);
  void FlushInterval();
  // The zones' figures for the interval being flushed (configured zones only).
  std::vector<ZoneStats> ZoneFigures();
  void BeginGap(int64_t now_ms, const std::string& reason);
  void EndGap(int64_t now_ms);
  void RecordCoverage(int64_t start_ms, int64_t end_ms, const std::string& reason);
  // `clock_synced`: false when the event's time came from an unsynchronised clock, even if the
  // clock is synchronised by the time it is stamped.
  void Submit(Payload payload, int64_t time_ms, bool clock_synced = true);
  bool SleepFor(int64_t ms);  // false when stopping
  int64_t NowMs(const Frame* frame) const;
  void SetState(const std::string& state, const std::string& error);

  CameraConfig config_;
  EventStore* store_;
  const EventStamper* stamper_;
  FootfallServiceOptions options_;
  std::unique_ptr<FootfallPipeline> pipeline_;
  std::unique_ptr<ZoneDwell> zones_;  // configured zones, then the kiosk zone if any

  // Counting thread only.
  std::unique_ptr<Interval> interval_;
  bool media_time_ = false;
  double media_fps_ = 10;
  int64_t last_media_index_ = 0;
  int64_t start_ms_ = 0;
  int64_t gap_start_ms_ = -1;  // -1: counting
  std::string gap_reason_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  Heartbeat heartbeat_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  std::atomic<int64_t> submitted_{0}, stored_{0};

  mutable std::mutex health_mu_;
  CameraHealth health_;
  // Guarded by health_mu_: "in" crossings per minute over the last 15 min, people at the kiosk.
  std::deque<std::pair<int64_t, int64_t>> ins_by_minute_;
  int64_t people_at_kiosk_ = 0;
  cv::Mat preview_;
  int64_t preview_frame_ = 0;
  std::atomic<bool> preview_wanted_{false};
};

}  // namespace touchpoint::sensors
