// systemd integration (docs/operations.md): READY / STOPPING / STATUS notifications and the
// service watchdog. Started by systemd with WatchdogSec=, the kiosk pings WATCHDOG=1 only while
// every watched thread is alive and the store's writer answers a probe, so a hung thread gets
// the service restarted. Without NOTIFY_SOCKET (not run by systemd) every call is a no-op.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "touchpoint/core/heartbeat.h"

namespace touchpoint {

class EventStore;

class ServiceWatchdog {
 public:
  // Called from the supervisor thread when the set of unresponsive parts changes ("" = all
  // responsive again), e.g. to log it.
  using OnChange = std::function<void(const std::string& unresponsive)>;

  // `store` (may be null) is probed through its writer queue.
  explicit ServiceWatchdog(EventStore* store, OnChange on_change = nullptr);
  ~ServiceWatchdog();  // Stop()
  ServiceWatchdog(const ServiceWatchdog&) = delete;
  ServiceWatchdog& operator=(const ServiceWatchdog&) = delete;

  // A thread to watch; it must outlive Stop(). Call before Start().
  void Watch(std::string name, const Heartbeat* heartbeat);
  // READY=1 with a status line; starts the supervisor thread if systemd set a watchdog.
  void Ready(const std::string& status);
  // STOPPING=1; stops the supervisor (no more pings).
  void Stop();

  // The watchdog interval systemd asked for (WATCHDOG_USEC), 0 when none. A part that is
  // overdue by more than this stops the pings.
  int64_t interval_ms() const { return interval_ms_; }
  bool notifying() const { return notify_; }

 private:
  void Loop();
  std::string Unresponsive();

  EventStore* store_;
  OnChange on_change_;
  std::vector<std::pair<std::string, const Heartbeat*>> watched_;
  bool notify_ = false;
  int64_t interval_ms_ = 0;
  // The store probe in flight: posted at this steady time, cleared by the writer.
  std::atomic<int64_t> probe_posted_ms_{0};
  std::atomic<bool> probe_in_flight_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace touchpoint
