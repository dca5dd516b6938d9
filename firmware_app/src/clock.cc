#include "touchpoint/core/clock.h"

#include <sys/timex.h>

#include <chrono>
#include <ctime>
#include <random>

namespace touchpoint {

namespace {

class RealClock : public Clock {
 public:
  int64_t NowUtcMs() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMs() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
  int32_t UtcOffsetMin(int64_t utc_ms) const override {
    time_t t = static_cast<time_t>(utc_ms / 1000);
    struct tm local {};
    localtime_r(&t, &local);
    return static_cast<int32_t>(local.tm_gmtoff / 60);
  }
  bool IsSynced() const override {
    struct timex tx {};
    int state = adjtimex(&tx);
    return state != TIME_ERROR && !(tx.status & STA_UNSYNC);
  }
};

}  // namespace

std::shared_ptr<Clock> SystemClock() {
  static std::shared_ptr<Clock> clock = std::make_shared<RealClock>();
  return clock;
}

std::string NewUuidV7(int64_t utc_ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint8_t b[16];
  uint64_t ms = static_cast<uint64_t>(utc_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  uint64_t r1 = rng(), r2 = rng();
  for (int i = 6; i < 16; ++i) {
    b[i] = static_cast<uint8_t>(i < 14 ? r1 >> (8 * (i - 6)) : r2 >> (8 * (i - 14)));
  }
  b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));  // variant 10
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace touchpoint
