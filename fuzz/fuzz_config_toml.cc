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
    const std::string message = c.status().message();  // status() is a copy
    std::string_view m = message;
    FUZZ_CHECK(!m.empty());
    while (!m.empty()) {
      size_t nl = m.find('\n');
      FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(m.substr(0, nl)));
      if (nl == std::string_view::npos) break;
      m.remove_prefix(nl + 1);
    }
    return 0;
  }
  auto again = touchpoint::ParseConfig(text, "fuzz.toml");
  FUZZ_CHECK(again.ok() && again->version == c->version);
  return 0;
}
