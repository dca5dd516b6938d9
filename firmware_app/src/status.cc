#include "touchpoint/core/status.h"

namespace touchpoint {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid argument";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kIoError:
      return "I/O error";
    case Status::Code::kDiskFull:
      return "disk full";
    case Status::Code::kBusy:
      return "busy";
    case Status::Code::kUnavailable:
      return "unavailable";
    case Status::Code::kShutdown:
      return "shutting down";
    case Status::Code::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string EscapeControlChars(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace touchpoint
