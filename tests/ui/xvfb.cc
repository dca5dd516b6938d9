#include "xvfb.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

namespace touchpoint::testing {

namespace {
bool PathExists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

Xvfb::Xvfb(const std::string& screen) {
  // Spread start points by pid so parallel test processes rarely race for the same number.
  int start = 100 + static_cast<int>(::getpid() % 400);
  for (int i = 0; i < 50 && child_ == nullptr; ++i) {
    int n = start + i;
    std::string socket = "/tmp/.X11-unix/X" + std::to_string(n);
    std::string lock = "/tmp/.X" + std::to_string(n) + "-lock";
    if (PathExists(socket) || PathExists(lock)) continue;
    ChildProcess::Options opts;
    opts.quiet_stderr = true;
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{"Xvfb", ":" + std::to_string(n), "-screen", "0", screen,
                                 "-nolisten", "tcp"},
        opts);
    bool up =
        WaitFor([&] { return PathExists(socket) || !child->running(); }, std::chrono::seconds(10));
    if (up && child->running()) {
      child_ = std::move(child);
      display_ = ":" + std::to_string(n);
    }
  }
}

Xvfb::~Xvfb() {
  if (child_) {
    child_->Kill(SIGTERM);
    child_->Wait(std::chrono::seconds(5));
  }
}

}  // namespace touchpoint::testing
