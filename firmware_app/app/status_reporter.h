// Records `status` events on a timer (and once at start) from the store's counters and the
// components' health, and `coverage` events for the time the kiosk itself was down.
// Owns one thread; Start()/Stop() from the main thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "touchpoint/core/config.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/health.h"

namespace touchpoint::app {

struct StatusSources {
  std::function<SyncHealth()> sync;
  std::function<CameraHealth()> camera;
  std::string config_version;
  std::vector<std::string> startup_problems;  // reported in the first status event
};

class StatusReporter {
 public:
  // REQUIRES: store and stamper outlive this object.
  StatusReporter(const KioskConfig& kiosk, EventStore* store, const EventStamper* stamper,
                 StatusSources sources);
  ~StatusReporter();

  // Records a kiosk coverage gap if the heartbeat file says the kiosk was down, then the first
  // status event, then one every status_interval_s.
  void Start();
  void Stop();

  // The status the kiosk would report now (also what sync publishes as retained status).
  StatusPayload Current() const;

 private:
  void Run();
  void RecordKioskDowntime();
  void Beat();

  KioskConfig kiosk_;
  EventStore* store_;
  const EventStamper* stamper_;
  StatusSources sources_;
  int64_t started_mono_ms_;
  std::string heartbeat_path_;
  bool heartbeat_ok_ = true;  // the last Beat() wrote the file (Run thread, then Stop())
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace touchpoint::app
