#include "touchpoint/core/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <limits>

namespace touchpoint {

Result<int64_t> ExportEventsJsonl(EventReader& reader, const std::string& path,
                                  const ExportOptions& options) {
  std::string tmp = path + ".partial";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return Status::IoError(tmp + ": cannot create the export file");
  int64_t written = 0;
  uint64_t after = 0;
  Status status;
  while (true) {
    Result<std::vector<StoredEvent>> batch =
        options.pending_only
            ? reader.ReadPending(after, 5000, std::numeric_limits<size_t>::max())
            : reader.ReadRange(after + 1, std::numeric_limits<int64_t>::max(), 5000);
    if (!batch.ok()) {
      status = batch.status();
      break;
    }
    if (batch->empty()) break;
    for (const auto& e : *batch) {
      if (std::fwrite(e.json.data(), 1, e.json.size(), f) != e.json.size() ||
          std::fputc('\n', f) == EOF) {
        status = Status::IoError(tmp + ": write failed (disk full?)");
        break;
      }
      ++written;
      after = e.seq;
    }
    if (!status.ok()) break;
  }
  bool flushed = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  std::fclose(f);
  if (status.ok() && !flushed) status = Status::IoError(tmp + ": could not flush to disk");
  if (status.ok() && std::rename(tmp.c_str(), path.c_str()) != 0) {
    status = Status::IoError("cannot rename " + tmp + " to " + path);
  }
  if (!status.ok()) {
    std::remove(tmp.c_str());
    return status;
  }
  return written;
}

}  // namespace touchpoint
