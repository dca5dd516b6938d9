// Validation of what reaches the hub (MQTT batches, imported JSON lines) into store writes.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "touchpoint/sync/hub_store.h"

namespace touchpoint::sync {

struct IngestPolicy {
  std::string topic_prefix = "touchpoint/v1";
  std::set<std::string> allowed_kiosks;  // empty: any kiosk with a valid id
  size_t max_message_bytes = 4 * 1024 * 1024;
};

struct PreparedMessage {
  HubWrite write;
  std::string kiosk, store;     // from the topic (empty if the topic was invalid)
  std::vector<uint64_t> acked;  // seqs to acknowledge once the write is durable
};

// A message from the events topic (or, with leaf "status", a kiosk's status). Never fails:
// problems become rejects.
PreparedMessage PrepareMessage(const IngestPolicy& policy, std::string_view topic,
                               std::string_view payload, int64_t now_ms);

// One line of an export file. Problems become rejects with source "import:<source>:<line_no>".
void PrepareImportLine(const IngestPolicy& policy, std::string_view line, const std::string& source,
                       size_t line_no, int64_t now_ms, HubWrite* write);

}  // namespace touchpoint::sync
