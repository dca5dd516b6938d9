// One line of an export file as `touchpoint-hub import` reads it: at most one event or one
// reject, never a trusted seq from a malformed line, reasons without control characters.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "ingest.h"

namespace th = touchpoint::hub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  th::IngestPolicy policy;
  th::HubWrite write;
  th::PrepareImportLine(policy, line, "fuzz.jsonl", 7, 1764500000000, &write);
  FUZZ_CHECK(write.events.size() + write.rejects.size() <= 1);
  for (const auto& r : write.rejects) {
    FUZZ_CHECK(!r.seq.has_value());
    FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(r.reason));
    FUZZ_CHECK(r.source == "import:fuzz.jsonl:7");
  }
  for (const auto& e : write.events) FUZZ_CHECK(e.seq >= 1);
  return 0;
}
