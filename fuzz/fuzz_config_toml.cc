// The kiosk's TOML config parser on any text: never crashes; a refusal lists its problems one
// per line ("FILE:LINE:COL: ...") with no control character inside a line; an accepted config
// is accepted again when parsed a second time (same version).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "touchpoint/core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = touchpoint::ParseConfig(text, "fuzz.toml");
  if (!c.ok()) {
    FUZZ_CHECK(touchpoint::fuzz::PrintableProblemLines(c.status().message()));
    return 0;
  }
  auto again = touchpoint::ParseConfig(text, "fuzz.toml");
  FUZZ_CHECK(again.ok() && again->version == c->version);
  return 0;
}
