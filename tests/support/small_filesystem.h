// A real full disk for tests: a small tmpfs mounted in a private mount namespace of the calling
// thread (and the threads and child processes it starts afterwards), so that writes fail with
// the kernel's own ENOSPC and nothing leaks into the machine's mounts. Needs root (or
// CAP_SYS_ADMIN); where it cannot mount, ok() is false and why() says so: tests skip.
#pragma once

#include <cstdint>
#include <string>

#include "test_support.h"

namespace touchpoint::testing {

class SmallFilesystem {
 public:
  explicit SmallFilesystem(int64_t bytes = 1024 * 1024);
  ~SmallFilesystem();  // unmounts
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::string& path() const { return mount_dir_.path(); }
  std::string File(const std::string& name) const { return mount_dir_.File(name); }

  // Fills every free byte with "<path>/.filler" (until ENOSPC); returns the bytes written.
  int64_t Fill();
  // Removes the filler: the space is back.
  void Unfill();
  int64_t FreeBytes() const;

 private:
  TempDir mount_dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace touchpoint::testing
