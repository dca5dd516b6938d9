#include "touchpoint/core/data_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace touchpoint {

namespace fs = std::filesystem;

namespace {

// Below this much free space an I/O error is taken to be the full disk: SQLite needs a few pages
// (WAL frame, -shm region of 32 KiB) for any write.
constexpr int64_t kAlmostFullBytes = 256 * 1024;

std::string ParentOf(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

Status ErrnoStatus(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return Status::DiskFull(msg);
  return Status::IoError(msg);
}

}  // namespace

Status CreateDataDir(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("data folder: empty path");
  // Walk up to the nearest existing folder, then make each missing one with an explicit mode.
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = fs::path(dir).lexically_normal(); !p.empty();
       p = p.has_relative_path() ? p.parent_path() : fs::path()) {
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const std::string p = it->string();
    if (::mkdir(p.c_str(), kDataDirMode) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create data folder " + p, errno);
    }
    // mkdir applied the umask; the folder gets exactly kDataDirMode.
    if (::chmod(p.c_str(), kDataDirMode) != 0) {
      return ErrnoStatus("cannot set the mode of data folder " + p, errno);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return ErrnoStatus("data folder " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::IoError("data folder " + dir + ": not a folder");
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot write " + tmp, errno);
  int err = 0;
  if (::fchmod(fd, mode) != 0) err = errno;  // O_CREAT's mode went through the umask
  size_t done = 0;
  while (err == 0 && done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
    } else {
      done += static_cast<size_t>(n);
    }
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot write " + path, err);
  }
  // The rename is durable once the folder is.
  int dfd = ::open(ParentOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus("cannot sync the folder of " + path, errno);
  int rc = ::fsync(dfd);
  int sync_err = errno;
  ::close(dfd);
  if (rc != 0) return ErrnoStatus("cannot sync the folder of " + path, sync_err);
  return Status::Ok();
}

Status CreateFileWithMode(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return ErrnoStatus("cannot create " + path, errno);
  }
  int err = ::fchmod(fd, mode) != 0 ? errno : 0;
  ::close(fd);
  if (err != 0) return ErrnoStatus("cannot set the mode of " + path, err);
  return Status::Ok();
}

void RemoveOtherAccess(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  mode_t mode = st.st_mode & 07777;
  if ((mode & 0027) != 0) (void)::chmod(path.c_str(), mode & ~static_cast<mode_t>(0027));
}

int64_t FreeBytesAt(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::path(path);
  while (!p.empty() && !fs::exists(p, ec)) {
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  struct statvfs sv {};
  if (::statvfs(p.empty() ? "." : p.c_str(), &sv) != 0) return -1;
  return static_cast<int64_t>(sv.f_bavail) * static_cast<int64_t>(sv.f_frsize);
}

Status ExplainStorageError(const Status& s, const std::string& path) {
  if (s.code() != Status::Code::kIoError && s.code() != Status::Code::kDiskFull) return s;
  int64_t free_bytes = FreeBytesAt(path);
  if (s.code() == Status::Code::kIoError && (free_bytes < 0 || free_bytes >= kAlmostFullBytes)) {
    return s;
  }
  const std::string prefix = "no space left in ";
  if (s.message().rfind(prefix, 0) == 0) return s;  // explained already
  std::string msg = prefix + ParentOf(path);
  if (free_bytes >= 0) msg += " (" + std::to_string(free_bytes / 1024) + " KiB free)";
  return Status::DiskFull(msg + ": " + s.message());
}

}  // namespace touchpoint
