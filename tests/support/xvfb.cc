#include "xvfb.h"

#include <chrono>
#include <csignal>

namespace touchpoint::testing {

Xvfb::Xvfb(const std::string& screen) {
  // -displayfd: the server picks a free display number itself (taking the lock atomically, so
  // parallel test processes never share one) and writes it to stdout once it accepts clients.
  ChildProcess::Options opts;
  opts.capture_stdout = true;
  opts.quiet_stderr = true;
  auto child =
      std::make_unique<ChildProcess>(std::vector<std::string>{"Xvfb", "-displayfd", "1", "-screen",
                                                              "0", screen, "-nolisten", "tcp"},
                                     opts);
  std::optional<std::string> line = child->ReadLine(std::chrono::seconds(20));
  if (!line || line->empty() || !child->running()) return;
  display_ = ":" + *line;
  child_ = std::move(child);
}

Xvfb::~Xvfb() {
  if (child_) {
    child_->Kill(SIGTERM);
    child_->Wait(std::chrono::seconds(5));
  }
}

}  // namespace touchpoint::testing
