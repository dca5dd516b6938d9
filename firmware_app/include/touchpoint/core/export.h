// Offline transfer: events as JSON lines (one event per line, exactly the wire JSON of
// docs/events.md), the format `touchpoint-hub import` reads. Written to a temporary file,
// fsync'd and renamed, so a stick pulled mid-export never holds a half file under the final name.
#pragma once

#include <cstdint>
#include <string>

#include "touchpoint/core/event_store.h"
#include "touchpoint/core/status.h"

namespace touchpoint {

struct ExportOptions {
  bool pending_only = true;  // false: every event still stored, acknowledged or not
};

// Returns how many events were written. REQUIRES: `reader` is used by this thread only.
Result<int64_t> ExportEventsJsonl(EventReader& reader, const std::string& path,
                                  const ExportOptions& options);

}  // namespace touchpoint
