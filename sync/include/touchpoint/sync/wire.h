// The sync wire format v1 (docs/sync.md): topics, event batches, hub acknowledgements and
// resend requests. Pure functions and plain values; thread-safe.
//
// Topics (one subtree per kiosk):
//   <prefix>/<store>/<kiosk>/events   kiosk -> hub   batches (QoS 1)
//   <prefix>/<store>/<kiosk>/ack      hub -> kiosk   acks and resend requests (QoS 0)
//   <prefix>/<store>/<kiosk>/status   kiosk -> all   retained birth/status, last will "offline"
//   <prefix>/<store>/<kiosk>/config   central -> kiosk  retained survey document (TOML)
//
// A batch is JSON lines: one header object, then one event per line, each exactly the stored
// event JSON (the same lines `touchpoint-kiosk export` writes):
//   {"v":1,"kind":"batch","kiosk":"k1","store":"s1","first":1,"last":500,"count":500}
//   {"schema_version":1,...,"seq":1,...}
//   ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "touchpoint/core/status.h"

namespace touchpoint::sync {

inline constexpr int kWireVersion = 1;

// An inclusive range of sequence numbers.
struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

// Sorts and merges overlapping or adjacent ranges.
std::vector<SeqRange> MergeRanges(std::vector<SeqRange> ranges);
// Ranges covering the given seqs (any order, duplicates allowed).
std::vector<SeqRange> RangesOf(std::vector<uint64_t> seqs);

// ---- topics ---------------------------------------------------------------------------------

struct KioskTopics {
  std::string events, ack, status, config;
};
KioskTopics TopicsFor(const std::string& prefix, const std::string& store,
                      const std::string& kiosk);

struct TopicParts {
  std::string store, kiosk, leaf;  // leaf: "events", "ack", "status", "config"
};
// Splits "<prefix>/<store>/<kiosk>/<leaf>"; nullopt if the topic is not under the prefix or has
// another shape.
std::optional<TopicParts> ParseTopic(std::string_view prefix, std::string_view topic);

// True for ids the topic tree accepts: [A-Za-z0-9_-], 1..64 chars.
bool IsValidId(std::string_view id);

// ---- batches (kiosk -> hub) -----------------------------------------------------------------

struct BatchHeader {
  std::string kind = "batch";  // "batch", or "resend" (answer to a resend request)
  std::string kiosk, store;
  uint64_t first = 0;  // seq of the first and last event line (0 when there are none)
  uint64_t last = 0;
  size_t count = 0;               // number of event lines
  std::vector<SeqRange> missing;  // "resend": requested seqs the kiosk no longer has
};

// Builds a batch payload; events are appended as exact JSON text.
class BatchBuilder {
 public:
  BatchBuilder(std::string kind, std::string kiosk, std::string store);
  void Add(uint64_t seq, std::string_view event_json);
  void AddMissing(SeqRange r) { missing_.push_back(r); }
  size_t count() const { return count_; }
  size_t body_bytes() const { return body_.size() - room_; }
  uint64_t first() const { return first_; }
  uint64_t last() const { return last_; }
  // The whole payload: header line + event lines.
  std::string Finish() const;
  // The same payload, built in the builder's own buffer (the header goes into room kept in
  // front of the event lines: they are not copied again); valid until the builder changes.
  // Ends the builder's use: add nothing after it.
  std::string_view FinishInPlace();
  // Builds in `buffer`'s memory (its contents are dropped), e.g. the one TakeBuffer() gave back
  // after the previous batch: a sender keeps one buffer of a batch's size instead of growing a
  // new one per batch. Call before the first Add.
  void UseBuffer(std::string buffer);
  std::string TakeBuffer() { return std::move(body_); }

 private:
  // Bytes kept in front of the first event line for FinishInPlace's header (a header with
  // missing ranges may not fit: it is then put in front by a copy).
  static constexpr size_t kHeaderRoom = 512;
  std::string Header() const;
  std::string kind_, kiosk_, store_;
  std::string body_;  // room_ bytes, then "\n" + JSON per event
  size_t room_ = 0;
  size_t count_ = 0;
  uint64_t first_ = 0, last_ = 0;
  std::vector<SeqRange> missing_;
};

// Limits DecodeBatch enforces before and while parsing (docs/sync.md). The event lines are
// bounded by the message size limit and DecodeEvent's own limits.
inline constexpr size_t kMaxBatchHeaderBytes = 512 * 1024;
inline constexpr int kMaxBatchHeaderDepth = 3;  // {"missing":[[first,last]]}
inline constexpr size_t kMaxMissingRanges = 10000;
inline constexpr size_t kMaxBatchEvents = 100000;  // mqtt.batch_max_events allows as many

struct DecodedBatch {
  BatchHeader header;
  std::vector<std::string_view> lines;  // views into the payload passed to DecodeBatch
};
// Checks the header and splits the event lines (events themselves are validated by the hub).
// Errors say what is wrong, e.g. "header: count 3 but 2 event lines".
Result<DecodedBatch> DecodeBatch(std::string_view payload);

// A batch travels compressed: one zstd frame (that records its content size) of exactly the
// payload above. JSON lines of one kiosk repeat their keys and most values, so a 1,000-event
// batch shrinks ~20x for ~0.2 us per event: the broker, the TCP stack and Paho move a twentieth
// of the bytes. The hub tells the two apart by the zstd magic number (a plain batch starts with
// '{') and accepts both.
std::string CompressBatch(std::string_view batch);
bool IsCompressedBatch(std::string_view payload);
// The batch inside a compressed payload; kInvalidArgument for a broken frame, one without a
// content size, or one whose content exceeds max_bytes (checked before decompressing).
Result<std::string> DecompressBatch(std::string_view payload, size_t max_bytes);
// The same into *buffer, which is only ever grown (a decoder reuses one for every message); the
// batch is the returned view of its first bytes, valid until the buffer is next used.
Result<std::string_view> DecompressBatchInto(std::string_view payload, size_t max_bytes,
                                             std::string* buffer);

// ---- hub -> kiosk (ack topic) ---------------------------------------------------------------

struct HubMessage {
  enum class Kind { kAck, kResend };
  Kind kind = Kind::kAck;
  std::vector<SeqRange> ranges;  // kAck: persisted (or finally rejected); kResend: wanted again
};
// The hub acks at most 20,000 events per store commit, so as many single-seq ranges.
inline constexpr size_t kMaxHubMessageBytes = 4 * 1024 * 1024;
inline constexpr int kMaxHubMessageDepth = 3;  // {"ranges":[[first,last]]}
inline constexpr size_t kMaxHubMessageRanges = 100000;
std::string EncodeHubMessage(const HubMessage& m);
Result<HubMessage> DecodeHubMessage(std::string_view payload);

}  // namespace touchpoint::sync
