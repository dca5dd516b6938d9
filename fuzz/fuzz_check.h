// What the fuzz targets assert: a failed check prints where and aborts, which libFuzzer
// reports as a crash with its reproducer.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace touchpoint::fuzz {

// An error message or reject reason may quote input, but never a control character: no
// newline, no terminal escape (C0, DEL, C1 as UTF-8).
inline bool PrintableMessage(std::string_view m) {
  for (size_t i = 0; i < m.size(); ++i) {
    auto c = static_cast<unsigned char>(m[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < m.size() && static_cast<unsigned char>(m[i + 1]) < 0xA0) return false;
  }
  return true;
}

// A refusal of a document (config, survey): at least one problem, one per line, each printable.
inline bool PrintableProblemLines(std::string_view m) {
  if (m.empty()) return false;
  while (!m.empty()) {
    size_t nl = m.find('\n');
    if (!PrintableMessage(m.substr(0, nl))) return false;
    if (nl == std::string_view::npos) break;
    m.remove_prefix(nl + 1);
  }
  return true;
}

}  // namespace touchpoint::fuzz
