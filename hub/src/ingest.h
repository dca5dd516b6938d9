// Validation of what reaches the hub (MQTT batches, imported JSON lines) into store writes.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

// Registered kiosks: kiosk id -> its store.
using KioskRegistry = std::unordered_map<std::string, std::string>;

struct IngestPolicy {
  std::string topic_prefix = "touchpoint/v1";
  // Events and statuses are accepted only from these kiosks at their store; the rest are
  // refused before anything is decompressed or parsed. nullptr: any kiosk (codec tests only).
  const KioskRegistry* registered = nullptr;
  // Accept an unregistered kiosk and register it at the store it names (HubWrite::enrolments,
  // how = enrol_how). For demos and `import --enrol`; a registered kiosk's store still holds.
  bool enrol_unknown = false;
  std::string enrol_how = "enrol:mqtt";
  size_t max_message_bytes = 4 * 1024 * 1024;
};

// Event times the map does not trust: more than this after they reached the hub, or before 2020.
inline constexpr int64_t kMaxEventTimeAheadMs = 24 * 3600 * 1000;
inline constexpr int64_t kEarliestEventTimeMs = 1577836800000;  // 2020-01-01T00:00:00Z

struct PreparedMessage {
  HubWrite write;
  std::string kiosk, store;     // from the topic (empty if the topic was invalid)
  std::vector<uint64_t> acked;  // seqs to acknowledge once the write is durable
};

// A message from the events topic (or, with leaf "status", a kiosk's status). Never fails:
// problems become rejects. `reuse`, if given, may hold the events of a message already written:
// an events message takes them (leaving *reuse empty) and fills them again, reusing their memory.
PreparedMessage PrepareMessage(const IngestPolicy& policy, std::string_view topic,
                               std::string_view payload, int64_t now_ms,
                               std::vector<HubEvent>* reuse = nullptr);

// One line of an export file. Problems become rejects with source "import:<source>:<line_no>".
void PrepareImportLine(const IngestPolicy& policy, std::string_view line, const std::string& source,
                       size_t line_no, int64_t now_ms, HubWrite* write);

}  // namespace touchpoint::hub
