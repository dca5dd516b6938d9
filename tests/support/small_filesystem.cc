#include "small_filesystem.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace touchpoint::testing {

namespace {

// Once per thread: a mount namespace of our own whose mounts do not propagate to the host's.
bool PrivateMountNamespace(std::string* why) {
  thread_local int state = 0;  // 0 not tried, 1 ok, -1 failed
  thread_local std::string reason;
  if (state == 0) {
    if (::unshare(CLONE_NEWNS) != 0) {
      reason = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
      state = -1;
    } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      reason = std::string("making / private: ") + std::strerror(errno);
      state = -1;
    } else {
      state = 1;
    }
  }
  *why = reason;
  return state == 1;
}

}  // namespace

SmallFilesystem::SmallFilesystem(int64_t bytes) {
  if (!PrivateMountNamespace(&why_)) {
    why_ = "cannot make a full disk here (needs root): " + why_;
    return;
  }
  std::string opts = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("tmpfs", path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
    why_ = "cannot mount a " + std::to_string(bytes) + "-byte tmpfs on " + path() + ": " +
           std::strerror(errno);
    return;
  }
  mounted_ = true;
}

SmallFilesystem::~SmallFilesystem() {
  if (mounted_) ::umount2(path().c_str(), MNT_DETACH);
}

int64_t SmallFilesystem::Fill() {
  int fd = ::open(File(".filler").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  std::vector<char> block(4096, 'x');
  int64_t written = 0;
  while (true) {
    ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    written += n;
  }
  // The last partial block: byte by byte until the kernel says no.
  while (::write(fd, block.data(), 1) == 1) ++written;
  ::close(fd);
  return written;
}

void SmallFilesystem::Unfill() { ::unlink(File(".filler").c_str()); }

int64_t SmallFilesystem::FreeBytes() const {
  struct statvfs sv {};
  if (::statvfs(path().c_str(), &sv) != 0) return -1;
  return static_cast<int64_t>(sv.f_bavail) * static_cast<int64_t>(sv.f_frsize);
}

}  // namespace touchpoint::testing
