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

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace touchpoint
