// A pushed survey document (ParseSurveyDocument) on any text: never crashes; a refusal lists
// its problems one per line with no control character inside a line; an accepted survey has
// languages and questions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "touchpoint/core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = touchpoint::ParseSurveyDocument(text, "push");
  if (!s.ok()) {
    FUZZ_CHECK(touchpoint::fuzz::PrintableProblemLines(s.status().message()));
    return 0;
  }
  FUZZ_CHECK(!s->languages.empty());
  FUZZ_CHECK(!s->questions.empty());
  return 0;
}
