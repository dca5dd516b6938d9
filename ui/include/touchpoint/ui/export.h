// Export for the store manager (a USB stick): every stored event as JSON lines, exactly the
// stored wire JSON one per line (what `touchpoint-hub import` reads), plus a CSV summary per
// local day and hour for spreadsheets. Runs on the caller's thread with the caller's reader.
#pragma once

#include <cstdint>
#include <string>

#include "touchpoint/core/event_store.h"
#include "touchpoint/core/status.h"

namespace touchpoint::ui {

struct ExportResult {
  std::string jsonl_path;  // <folder>/touchpoint-<kiosk>-<UTC stamp>.jsonl
  std::string csv_path;    // <folder>/touchpoint-<kiosk>-<UTC stamp>-summary.csv
  int64_t events = 0;
};

// Writes both files (to temporaries renamed when complete, then fsync'd). `now_ms` names the
// files. CSV columns: date,hour,visitors_in,visitors_out,responses,flagged,abandoned,
// csat_mean,csat_n,nps,nps_n,effort_mean,effort_n (local time of each event).
Result<ExportResult> ExportEvents(EventReader& reader, const std::string& folder,
                                  const std::string& kiosk_id, int64_t now_ms);

}  // namespace touchpoint::ui
