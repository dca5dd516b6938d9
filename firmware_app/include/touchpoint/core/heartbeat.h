// A thread's proof of life for the service watchdog (docs/operations.md): the thread beats as
// it loops, and says so before a bounded wait it knows about; a supervisor asks whether it is
// overdue. Lock-free; any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace touchpoint {

class Heartbeat {
 public:
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // Alive now, and quiet for at most `quiet_ms` more (a sleep or a wait the thread is entering).
  void Beat(int64_t quiet_ms = 0) { due_ms_.store(NowMs() + (quiet_ms > 0 ? quiet_ms : 0)); }
  // How long past its promise the thread is (0 while it is not): a hung thread's grows.
  int64_t OverdueMs() const {
    int64_t due = due_ms_.load();
    int64_t now = NowMs();
    return now > due ? now - due : 0;
  }

 private:
  std::atomic<int64_t> due_ms_{NowMs()};
};

}  // namespace touchpoint
