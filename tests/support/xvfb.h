// A private X server for UI tests: Xvfb on a free display number, started in the constructor
// (reads the display number Xvfb picks with -displayfd) and killed in the destructor.
#pragma once

#include <memory>
#include <string>

#include "test_support.h"

namespace touchpoint::testing {

class Xvfb {
 public:
  explicit Xvfb(const std::string& screen = "1080x1920x24");
  ~Xvfb();
  bool ok() const { return child_ != nullptr; }
  const std::string& display() const { return display_; }  // ":N"

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string display_;
};

}  // namespace touchpoint::testing
