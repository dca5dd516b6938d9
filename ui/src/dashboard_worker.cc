#include "dashboard_worker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>

#include "touchpoint/core/data_files.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/ui/export.h"

namespace touchpoint::ui {

namespace {

bool IsDir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> SubDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string p = dir + "/" + name;
    if (IsDir(p)) out.push_back(p);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Mounted media: <root>/<label> and <root>/<user>/<label> that are mount points (their device
// differs from the root's).
std::vector<std::string> ExportFolders(const UiConfig& ui, const KioskConfig& kiosk) {
  std::vector<std::string> out;
  for (const std::string& root : ui.export_roots) {
    struct stat root_st {};
    if (::stat(root.c_str(), &root_st) != 0) continue;
    auto consider = [&](const std::string& p) {
      struct stat st {};
      if (::stat(p.c_str(), &st) == 0 && st.st_dev != root_st.st_dev) out.push_back(p);
    };
    for (const std::string& a : SubDirs(root)) {
      consider(a);
      for (const std::string& b : SubDirs(a)) consider(b);
    }
  }
  out.push_back(kiosk.data_dir + "/exports");
  return out;
}

}  // namespace

DashboardWorker::DashboardWorker(const UiContext& ctx) : ctx_(ctx) {
  thread_ = std::thread([this] { Loop(); });
}

DashboardWorker::~DashboardWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void DashboardWorker::SetActive(bool active) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (active && !active_) refresh_now_ = true;
    active_ = active;
  }
  cv_.notify_all();
}

std::shared_ptr<const DashboardData> DashboardWorker::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

void DashboardWorker::RequestExport(const std::string& folder) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (export_.running) return;
    export_folder_ = folder;
    export_ = ExportState{true, false, "Exporting to " + folder + " …"};
  }
  cv_.notify_all();
}

ExportState DashboardWorker::export_state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return export_;
}

DashboardData DashboardWorker::Load(const UiContext& ctx, EventReader* reader) {
  DashboardData d;
  const Clock& clock = ctx.stamper->clock();
  d.computed_at_ms = clock.NowUtcMs();
  d.utc_offset_min = clock.UtcOffsetMin(d.computed_at_ms);
  int64_t offset_ms = static_cast<int64_t>(d.utc_offset_min) * 60'000;
  int64_t today_local = LocalDayStart(d.computed_at_ms + offset_ms);
  int64_t from_local = today_local - 6 * kDayMs;
  HourlyStats stats;
  if (reader != nullptr) {
    // Events are stamped with their own offset; read a day of margin on both sides.
    auto rows = reader->ReadByTime(std::nullopt, from_local - offset_ms - kDayMs,
                                   today_local - offset_ms + 2 * kDayMs);
    if (!rows.ok()) {
      d.error = rows.status().ToString();
    } else {
      for (const StoredEvent& row : *rows) {
        if (row.type != EventType::kFootfall && row.type != EventType::kFeedback &&
            row.type != EventType::kFeedbackAbandoned) {
          continue;
        }
        auto ev = DecodeEvent(row.json);
        if (ev.ok()) stats.Add(*ev);
      }
    }
  }
  for (int h = 0; h < 24; ++h) {
    metrics::Sums b = stats.Sum(today_local + h * kHourMs, today_local + (h + 1) * kHourMs);
    d.in_by_hour[static_cast<size_t>(h)] = static_cast<double>(b.visitors_in);
    d.out_by_hour[static_cast<size_t>(h)] = static_cast<double>(b.visitors_out);
    d.responses_by_hour[static_cast<size_t>(h)] =
        static_cast<double>(metrics::Compute(b).responses);
  }
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // epoch: Thu
  metrics::Sums week;
  for (int i = 0; i < 7; ++i) {
    int64_t day = from_local + i * kDayMs;
    metrics::Sums sums = stats.Sum(day, day + kDayMs);
    week.Add(sums);
    d.days.push_back(metrics::Compute(sums));
    d.day_labels.push_back(i == 6 ? "Today" : kDays[((day / kDayMs) % 7 + 7) % 7]);
  }
  d.today = d.days.back();
  d.week = metrics::Compute(week);
  const auto& reasons = d.week.scored.reasons;
  d.top_reasons.assign(reasons.begin(), reasons.end());
  std::sort(d.top_reasons.begin(), d.top_reasons.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (d.top_reasons.size() > 6) d.top_reasons.resize(6);
  if (ctx.store != nullptr) {
    d.has_store = true;
    d.store = ctx.store->Stats();
  }
  if (ctx.sync_health) {
    d.has_sync = true;
    d.sync = ctx.sync_health();
  }
  if (ctx.camera_health) {
    d.has_camera = true;
    d.camera = ctx.camera_health();
  }
  if (ctx.ui_health != nullptr) d.ui_health = ctx.ui_health->Get();
  d.export_folders = ExportFolders(*ctx.ui, *ctx.kiosk);
  return d;
}

void DashboardWorker::Loop() {
  std::unique_ptr<EventReader> reader;
  std::string reader_error;
  if (ctx_.store != nullptr) {
    auto r = ctx_.store->NewReader();
    if (r.ok()) {
      reader = std::move(r.value());
    } else {
      reader_error = r.status().ToString();
    }
  }
  auto period = std::chrono::seconds(std::max(1, ctx_.ui->dashboard_refresh_s));
  auto next = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (!export_folder_.empty()) {
      std::string folder = std::move(export_folder_);
      export_folder_.clear();
      lock.unlock();
      ExportState st;
      if (reader == nullptr) {
        st = {false, false, "Export failed: no database (" + reader_error + ")"};
      } else {
        (void)CreateDataDir(folder);  // data_dir/exports may not exist yet (0750; errors below)
        auto res =
            ExportEvents(*reader, folder, ctx_.kiosk->kiosk_id, ctx_.stamper->clock().NowUtcMs());
        if (res.ok()) {
          st = {false, true,
                "Exported " + std::to_string(res->events) + " events to " + res->jsonl_path};
        } else {
          st = {false, false, "Export failed: " + res.status().ToString()};
        }
      }
      lock.lock();
      export_ = st;
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (active_ && (refresh_now_ || now >= next)) {
      refresh_now_ = false;
      lock.unlock();
      auto data = std::make_shared<DashboardData>(Load(ctx_, reader.get()));
      if (data->error.empty() && !reader_error.empty()) data->error = reader_error;
      lock.lock();
      latest_ = std::move(data);
      next = std::chrono::steady_clock::now() + period;
      continue;
    }
    if (active_) {
      cv_.wait_until(lock, next);
    } else {
      cv_.wait(lock);
    }
  }
}

}  // namespace touchpoint::ui
