// The hub keeps every event's exact JSON, but not one row per event: an event that came in a
// compressed batch points into that batch, stored as it came; the JSON of other events one store
// transaction inserts (plain batches, imports) goes into blocks of up to kPayloadBlockLines
// lines, compressed together with zstd (JSON lines of one kiosk repeat their keys and most values,
// so a block shrinks ~10-20x for ~0.2 us per event). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "touchpoint/core/status.h"

namespace touchpoint::hub {

// How payloads.data is encoded (stored per block; never renumber).
enum class PayloadCodec : int64_t {
  kRawJson = 0,    // the data is one event's JSON text (rows migrated from schema v1)
  kZstdLines = 1,  // zstd frame of lines, each a 4-byte little-endian length then the bytes
  kZstdBatch = 2,  // a compressed wire batch as it arrived (wire.h); line = byte offset of the
                   // event's line in the batch, which runs to the next newline
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

// The event JSON at `line` of a stored block: a line index (kRawJson: 0, kZstdLines) or a byte
// offset (kZstdBatch).
Result<std::string> PayloadLine(PayloadCodec codec, std::string_view data, int64_t line);

// A stored block decompressed once, to read many of its lines (rollup rebuilds, migrations).
class PayloadBlockReader {
 public:
  static Result<PayloadBlockReader> Open(PayloadCodec codec, std::string_view data);
  // As PayloadLine; valid while the reader lives.
  Result<std::string_view> Line(int64_t line) const;

 private:
  PayloadCodec codec_ = PayloadCodec::kRawJson;
  std::string raw_;
  std::vector<std::pair<size_t, size_t>> lines_;  // kZstdLines: offset and length in raw_
};

}  // namespace touchpoint::hub
