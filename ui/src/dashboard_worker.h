// The dashboard's background thread: owns one EventReader, re-reads and aggregates the last
// 7 days at most every dashboard_refresh_s while the dashboard is shown, polls the health
// providers, lists export folders and runs exports. The UI thread only swaps in the latest
// snapshot, so it never waits on the database or the network.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stats.h"
#include "touchpoint/ui/kiosk_ui.h"

namespace touchpoint::ui {

struct DashboardData {
  int64_t computed_at_ms = 0;  // UTC
  int32_t utc_offset_min = 0;
  std::string error;  // reading the store failed
  std::vector<double> in_by_hour = std::vector<double>(24), out_by_hour = std::vector<double>(24),
                      responses_by_hour = std::vector<double>(24);
  // The figures of the core metrics (docs/metrics.md), computed here on the worker thread so
  // that the screen only draws them.
  metrics::Figures today, week;
  std::vector<metrics::Figures> days;  // the last 7 local days, oldest first (today last)
  std::vector<std::string> day_labels;
  std::vector<std::pair<std::string, int64_t>>
      top_reasons;  // last 7 days, scored sessions, most frequent first
  bool has_store = false;
  StoreStats store;
  bool has_sync = false;
  SyncHealth sync;
  bool has_camera = false;
  CameraHealth camera;
  UiHealth ui_health;
  std::vector<std::string> export_folders;  // mounted media first, then data_dir/exports
};

struct ExportState {
  bool running = false;
  bool ok = false;
  std::string message;  // empty until an export was requested
};

class DashboardWorker {
 public:
  explicit DashboardWorker(const UiContext& ctx);  // starts the thread
  ~DashboardWorker();                              // stops and joins it
  DashboardWorker(const DashboardWorker&) = delete;
  DashboardWorker& operator=(const DashboardWorker&) = delete;

  // While active, refreshes every dashboard_refresh_s; activating refreshes at once.
  void SetActive(bool active);
  std::shared_ptr<const DashboardData> Latest() const;
  void RequestExport(const std::string& folder);
  ExportState export_state() const;

  // The aggregation itself, for a reader on the calling thread (also used by the tour).
  static DashboardData Load(const UiContext& ctx, EventReader* reader);

 private:
  void Loop();
  UiContext ctx_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool active_ = false, stop_ = false, refresh_now_ = false;
  std::string export_folder_;
  ExportState export_;
  std::shared_ptr<const DashboardData> latest_;
  std::thread thread_;
};

}  // namespace touchpoint::ui
