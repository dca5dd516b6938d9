// Time and identity seams: a Clock interface so tests can drive time, and UUIDv7 ids.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace touchpoint {

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC wall time, ms since the Unix epoch.
  virtual int64_t NowUtcMs() const = 0;
  // Monotonic time in ms (for timeouts and durations; unrelated to wall time).
  virtual int64_t MonotonicMs() const = 0;
  // Local offset from UTC in minutes at the given UTC time.
  virtual int32_t UtcOffsetMin(int64_t utc_ms) const = 0;
  // Whether the wall clock is synchronised (NTP). Unsynced clocks are still used, but flagged.
  virtual bool IsSynced() const = 0;
};

// The real clock. IsSynced() asks the kernel (adjtimex) whether NTP sync is established.
// Thread-safe.
std::shared_ptr<Clock> SystemClock();

// A clock that tests set by hand. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t utc_ms, int32_t offset_min = 0)
      : utc_ms_(utc_ms), offset_(offset_min) {}
  int64_t NowUtcMs() const override { return utc_ms_.load(); }
  int64_t MonotonicMs() const override { return mono_ms_.load(); }
  int32_t UtcOffsetMin(int64_t) const override { return offset_; }
  bool IsSynced() const override { return synced_; }
  void AdvanceMs(int64_t ms) {
    utc_ms_ += ms;
    mono_ms_ += ms;
  }
  void SetUtcMs(int64_t ms) { utc_ms_ = ms; }
  void SetSynced(bool s) { synced_ = s; }

 private:
  std::atomic<int64_t> utc_ms_;
  std::atomic<int64_t> mono_ms_{0};
  int32_t offset_;
  std::atomic<bool> synced_{true};
};

// A new random UUIDv7 (RFC 9562) for the given UTC ms: time-ordered, 74 random bits.
// Thread-safe.
std::string NewUuidV7(int64_t utc_ms);

}  // namespace touchpoint
