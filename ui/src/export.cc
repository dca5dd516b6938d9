#include "touchpoint/ui/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>

#include "stats.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint::ui {

namespace {

// Writes `text` to path via a temporary file, fsync'd, then renamed (a half-written file never
// carries the final name, so a stick pulled mid-export is obvious).
Status WriteFileDurably(const std::string& path, const std::string& text) {
  std::string tmp = path + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::IoError(tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return errno == ENOSPC ? Status::DiskFull(tmp + ": " + err)
                             : Status::IoError(tmp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Status::IoError(tmp + ": " + err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IoError(path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string Stamp(int64_t utc_ms) {
  time_t secs = static_cast<time_t>(utc_ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Num(double v, const char* fmt) {
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

Result<ExportResult> ExportEvents(EventReader& reader, const std::string& folder,
                                  const std::string& kiosk_id, int64_t now_ms) {
  auto rows = reader.ReadByTime(std::nullopt, std::numeric_limits<int64_t>::min() / 2,
                                std::numeric_limits<int64_t>::max() / 2);
  if (!rows.ok()) return rows.status();
  ExportResult result;
  std::string base = folder + "/touchpoint-" + kiosk_id + "-" + Stamp(now_ms);
  result.jsonl_path = base + ".jsonl";
  result.csv_path = base + "-summary.csv";

  std::string jsonl;
  HourlyStats stats;
  for (const StoredEvent& row : *rows) {
    jsonl += row.json;
    jsonl += '\n';
    ++result.events;
    if (row.type == EventType::kFootfall || row.type == EventType::kFeedback ||
        row.type == EventType::kFeedbackAbandoned) {
      auto ev = DecodeEvent(row.json);
      if (ev.ok()) stats.Add(*ev);
    }
  }
  std::string csv =
      "date,hour,visitors_in,visitors_out,responses,flagged,abandoned,csat_mean,csat_n,nps,nps_n,"
      "effort_mean,effort_n\n";
  auto opt = [](std::optional<double> v, const char* fmt) { return v ? Num(*v, fmt) : ""; };
  for (const auto& [hour, sums] : stats.hours()) {
    metrics::Figures f = metrics::Compute(sums);
    csv += LocalDate(hour) + "," + std::to_string(LocalHour(hour)) + "," +
           std::to_string(f.visitors_in) + "," + std::to_string(f.visitors_out) + "," +
           std::to_string(f.responses) + "," + std::to_string(f.suspect) + "," +
           std::to_string(f.abandoned) + "," + opt(f.csat_mean, "%.2f") + "," +
           std::to_string(f.csat_n) + "," + opt(f.nps, "%.1f") + "," + std::to_string(f.nps_n) +
           "," + opt(f.effort_mean, "%.2f") + "," + std::to_string(f.effort_n) + "\n";
  }
  Status st = WriteFileDurably(result.jsonl_path, jsonl);
  if (st.ok()) st = WriteFileDurably(result.csv_path, csv);
  if (!st.ok()) return st;
  return result;
}

}  // namespace touchpoint::ui
