// DecodeEvent on any bytes: never crashes, stays within its limits, and what it accepts
// encodes to JSON that decodes to the same event and encodes to the same text again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "touchpoint/core/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t claimed = 0;
  auto e = touchpoint::DecodeEvent(text, &claimed);
  if (!e.ok()) {
    FUZZ_CHECK(!e.status().message().empty());
    FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(e.status().message()));
    return 0;
  }
  FUZZ_CHECK(claimed == 0);
  FUZZ_CHECK(size <= touchpoint::kMaxEventBytes);
  std::string once = touchpoint::EncodeEvent(*e);
  auto again = touchpoint::DecodeEvent(once);
  FUZZ_CHECK(again.ok());
  std::string twice = touchpoint::EncodeEvent(*again);
  FUZZ_CHECK(once == twice);
  return 0;
}
