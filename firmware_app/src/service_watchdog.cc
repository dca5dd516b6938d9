#include "touchpoint/core/service_watchdog.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

#include "touchpoint/core/event_store.h"

namespace touchpoint {

ServiceWatchdog::ServiceWatchdog(EventStore* store, OnChange on_change)
    : store_(store), on_change_(std::move(on_change)) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  notify_ = socket != nullptr && *socket != '\0';
  uint64_t usec = 0;
  // > 0 only if WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is this process).
  if (notify_ && sd_watchdog_enabled(0, &usec) > 0) {
    interval_ms_ = static_cast<int64_t>(usec / 1000);
  }
}

ServiceWatchdog::~ServiceWatchdog() { Stop(); }

void ServiceWatchdog::Watch(std::string name, const Heartbeat* heartbeat) {
  watched_.emplace_back(std::move(name), heartbeat);
}

void ServiceWatchdog::Ready(const std::string& status) {
  if (!notify_) return;
  std::string msg = "READY=1\nSTATUS=" + status;
  sd_notify(0, msg.c_str());
  if (interval_ms_ > 0 && !thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void ServiceWatchdog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (notify_) sd_notify(0, "STOPPING=1");
}

std::string ServiceWatchdog::Unresponsive() {
  std::string out;
  auto add = [&out](const std::string& name, int64_t overdue_ms) {
    if (!out.empty()) out += ", ";
    out += name + " (" + std::to_string(overdue_ms / 1000) + " s)";
  };
  for (const auto& [name, hb] : watched_) {
    int64_t overdue = hb->OverdueMs();
    if (overdue > interval_ms_) add(name, overdue);
  }
  if (store_ != nullptr) {
    if (probe_in_flight_.load()) {
      int64_t waiting = Heartbeat::NowMs() - probe_posted_ms_.load();
      if (waiting > interval_ms_) add("store writer", waiting);
    } else {
      probe_posted_ms_.store(Heartbeat::NowMs());
      probe_in_flight_.store(true);
      // Blocks only while the writer's queue is full, i.e. when it is not writing either: then
      // no ping goes out, which is right.
      store_->Probe([this] { probe_in_flight_.store(false); });
    }
  }
  return out;
}

void ServiceWatchdog::Loop() {
  // Ping four times per interval while everything answers (systemd's advice: at least twice).
  const auto period = std::chrono::milliseconds(std::max<int64_t>(interval_ms_ / 4, 50));
  std::string last;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    std::string unresponsive = Unresponsive();
    if (unresponsive.empty()) {
      sd_notify(0, "WATCHDOG=1");
    }
    if (unresponsive != last) {
      std::string status =
          unresponsive.empty() ? "STATUS=running" : "STATUS=not responding: " + unresponsive;
      sd_notify(0, status.c_str());
      if (on_change_) on_change_(unresponsive);
      last = unresponsive;
    }
    lock.lock();
    wake_.wait_for(lock, period, [this] { return stopping_; });
  }
}

}  // namespace touchpoint
