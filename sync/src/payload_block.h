// The hub keeps every event's exact JSON, but not one row per event: the JSON of the events one
// store transaction inserts goes into blocks of up to kPayloadBlockLines lines, compressed
// together with zstd (JSON lines of one kiosk repeat their keys and most values, so a block
// shrinks ~10-20x for ~0.2 us per event). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "touchpoint/core/status.h"

namespace touchpoint::sync {

// How payloads.data is encoded (stored per block; never renumber).
enum class PayloadCodec : int64_t {
  kRawJson = 0,    // the data is one event's JSON text (rows migrated from schema v1)
  kZstdLines = 1,  // zstd frame of lines, each a 4-byte little-endian length then the bytes
};

constexpr size_t kPayloadBlockLines = 1024;

// Collects lines, then compresses them into one kZstdLines block.
class PayloadBlockBuilder {
 public:
  void Add(std::string_view line);
  size_t lines() const { return lines_; }
  bool empty() const { return lines_ == 0; }
  // The compressed block of the lines added since the last Finish (then starts empty).
  Result<std::string> Finish();

 private:
  std::string raw_;
  size_t lines_ = 0;
};

// Line `index` (0-based) of a stored block.
Result<std::string> PayloadLine(PayloadCodec codec, std::string_view data, int64_t index);

}  // namespace touchpoint::sync
