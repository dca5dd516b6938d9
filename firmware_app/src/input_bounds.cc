#include "touchpoint/core/input_bounds.h"

#include <cstdio>

namespace touchpoint {

namespace {

// Length of the well-formed UTF-8 sequence (RFC 3629) at s[0] (a byte >= 0x80), or 0.
size_t Utf8Length(std::string_view s) {
  auto c = static_cast<unsigned char>(s[0]);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  auto c1 = static_cast<unsigned char>(s[1]);
  if (c1 < lo || c1 > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    auto ci = static_cast<unsigned char>(s[i]);
    if (ci < 0x80 || ci > 0xBF) return 0;
  }
  return n;
}

void AppendHex(std::string* out, const char* format, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, v);
  *out += buf;
}

}  // namespace

std::string EscapeForMessage(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      AppendHex(&out, "\\u%04x", c);
      ++i;
    } else if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (size_t n = Utf8Length(text.substr(i)); n == 0) {
      AppendHex(&out, "\\x%02x", c);
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      AppendHex(&out, "\\u%04x", static_cast<unsigned char>(text[i + 1]));  // C1 control
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

std::string QuoteForMessage(std::string_view text, size_t max_bytes) {
  return "\"" + EscapeForMessage(text, max_bytes) + "\"";
}

Status CheckJsonBounds(std::string_view text, size_t max_bytes, int max_depth,
                       std::string_view what) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(text.size()) +
                                   " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument(std::string(what) + ": nested deeper than " +
                                       std::to_string(max_depth) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace touchpoint
