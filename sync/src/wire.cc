#include "touchpoint/sync/wire.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "touchpoint/core/input_bounds.h"

namespace touchpoint::sync {

using nlohmann::json;

std::vector<SeqRange> MergeRanges(std::vector<SeqRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const SeqRange& a, const SeqRange& b) { return a.first < b.first; });
  std::vector<SeqRange> out;
  for (const SeqRange& r : ranges) {
    if (r.last < r.first) continue;
    // Overlapping or adjacent; written so that a last of UINT64_MAX does not wrap.
    if (!out.empty() && (r.first <= out.back().last || r.first - out.back().last == 1)) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<SeqRange> RangesOf(std::vector<uint64_t> seqs) {
  std::sort(seqs.begin(), seqs.end());
  std::vector<SeqRange> out;
  for (uint64_t s : seqs) {
    if (!out.empty() && (s <= out.back().last || s - out.back().last == 1)) {
      out.back().last = std::max(out.back().last, s);
    } else {
      out.push_back({s, s});
    }
  }
  return out;
}

KioskTopics TopicsFor(const std::string& prefix, const std::string& store,
                      const std::string& kiosk) {
  std::string base = prefix + "/" + store + "/" + kiosk + "/";
  return {base + "events", base + "ack", base + "status", base + "config"};
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::optional<TopicParts> ParseTopic(std::string_view prefix, std::string_view topic) {
  if (topic.size() <= prefix.size() + 1 || topic.substr(0, prefix.size()) != prefix ||
      topic[prefix.size()] != '/') {
    return std::nullopt;
  }
  std::string_view rest = topic.substr(prefix.size() + 1);
  std::vector<std::string_view> parts;
  while (true) {
    size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() != 3 || !IsValidId(parts[0]) || !IsValidId(parts[1]) || parts[2].empty()) {
    return std::nullopt;
  }
  return TopicParts{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

// ---- batches --------------------------------------------------------------------------------

BatchBuilder::BatchBuilder(std::string kind, std::string kiosk, std::string store)
    : kind_(std::move(kind)), kiosk_(std::move(kiosk)), store_(std::move(store)) {}

void BatchBuilder::Add(uint64_t seq, std::string_view event_json) {
  if (body_.empty()) {
    body_.assign(kHeaderRoom, ' ');
    room_ = kHeaderRoom;
  }
  if (count_ == 0) first_ = seq;
  last_ = seq;
  ++count_;
  body_.push_back('\n');
  body_.append(event_json);
}

namespace {

json RangesToJson(const std::vector<SeqRange>& ranges) {
  json a = json::array();
  for (const SeqRange& r : ranges) a.push_back(json::array({r.first, r.last}));
  return a;
}

// Ids and kinds the hub or a kiosk wrote come from config; replace rather than throw on bytes
// that are not UTF-8.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<std::vector<SeqRange>> RangesFromJson(const json& a, const std::string& field,
                                             size_t max_ranges) {
  if (!a.is_array()) return Status::InvalidArgument(field + ": expected an array of [first,last]");
  if (a.size() > max_ranges) {
    return Status::InvalidArgument(field + ": " + std::to_string(a.size()) +
                                   " ranges exceed the limit of " + std::to_string(max_ranges));
  }
  std::vector<SeqRange> out;
  for (size_t i = 0; i < a.size(); ++i) {
    const json& r = a[i];
    // Seqs are SQLite integers on both ends: at most INT64_MAX.
    if (!r.is_array() || r.size() != 2 || !r[0].is_number_unsigned() ||
        !r[1].is_number_unsigned() || r[0].get<uint64_t>() == 0 ||
        r[1].get<uint64_t>() < r[0].get<uint64_t>() ||
        r[1].get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Status::InvalidArgument(
          field + "[" + std::to_string(i) +
          "]: expected [first,last] with 1 <= first <= last <= 9223372036854775807");
    }
    out.push_back({r[0].get<uint64_t>(), r[1].get<uint64_t>()});
  }
  return out;
}

}  // namespace

std::string BatchBuilder::Header() const {
  json h = {{"v", kWireVersion}, {"kind", kind_}, {"kiosk", kiosk_}, {"store", store_},
            {"first", first_},   {"last", last_}, {"count", count_}};
  if (!missing_.empty()) h["missing"] = RangesToJson(MergeRanges(missing_));
  return Dump(h);
}

std::string BatchBuilder::Finish() const {
  std::string out = Header();
  out.append(body_, room_);
  return out;
}

std::string_view BatchBuilder::FinishInPlace() {
  std::string header = Header();
  size_t start = 0;
  if (header.size() <= room_) {
    start = room_ - header.size();
    body_.replace(start, header.size(), header);
  } else {
    body_.replace(0, room_, header);  // no room for it: the lines move once
  }
  room_ = 0;
  return std::string_view(body_).substr(start);
}

void BatchBuilder::UseBuffer(std::string buffer) {
  body_ = std::move(buffer);
  body_.clear();
  room_ = 0;
}

Result<DecodedBatch> DecodeBatch(std::string_view payload) {
  DecodedBatch out;
  size_t nl = payload.find('\n');
  std::string_view head = payload.substr(0, nl);
  if (Status b = CheckJsonBounds(head, kMaxBatchHeaderBytes, kMaxBatchHeaderDepth, "header");
      !b.ok()) {
    return b;
  }
  json h = json::parse(head, nullptr, /*allow_exceptions=*/false);
  if (h.is_discarded() || !h.is_object()) {
    return Status::InvalidArgument("header: not a JSON object");
  }
  auto field = [&](const char* name) -> const json* {
    auto it = h.find(name);
    return it == h.end() ? nullptr : &*it;
  };
  const json* v = field("v");
  if (!v || !v->is_number_integer() || v->get<int64_t>() != kWireVersion) {
    return Status::InvalidArgument("header.v: expected 1");
  }
  const json* kind = field("kind");
  if (!kind || !kind->is_string() ||
      (kind->get<std::string>() != "batch" && kind->get<std::string>() != "resend")) {
    return Status::InvalidArgument("header.kind: expected \"batch\" or \"resend\"");
  }
  out.header.kind = kind->get<std::string>();
  for (const char* name : {"kiosk", "store"}) {
    const json* s = field(name);
    if (!s || !s->is_string() || !IsValidId(s->get<std::string>())) {
      return Status::InvalidArgument(std::string("header.") + name + ": expected an id");
    }
  }
  out.header.kiosk = h["kiosk"].get<std::string>();
  out.header.store = h["store"].get<std::string>();
  for (const char* name : {"first", "last", "count"}) {
    const json* n = field(name);
    if (!n || !n->is_number_unsigned()) {
      return Status::InvalidArgument(std::string("header.") + name +
                                     ": expected a non-negative integer");
    }
  }
  out.header.first = h["first"].get<uint64_t>();
  out.header.last = h["last"].get<uint64_t>();
  if (h["count"].get<uint64_t>() > kMaxBatchEvents) {
    return Status::InvalidArgument("header.count: " + std::to_string(h["count"].get<uint64_t>()) +
                                   " exceeds the limit of " + std::to_string(kMaxBatchEvents));
  }
  out.header.count = h["count"].get<size_t>();
  if (const json* m = field("missing")) {
    auto ranges = RangesFromJson(*m, "header.missing", kMaxMissingRanges);
    if (!ranges.ok()) return ranges.status();
    out.header.missing = std::move(ranges.value());
  }
  size_t lines = 0;
  // Each line takes at least two bytes: a lying count cannot reserve more than the payload's size.
  out.lines.reserve(std::min(out.header.count, payload.size() / 2));
  if (nl != std::string_view::npos) {
    std::string_view rest = payload.substr(nl + 1);
    while (!rest.empty()) {
      size_t e = rest.find('\n');
      std::string_view line = rest.substr(0, e);
      if (!line.empty()) {
        // Counted, but never kept beyond the header's count.
        if (out.lines.size() < out.header.count) out.lines.push_back(line);
        ++lines;
      }
      if (e == std::string_view::npos) break;
      rest.remove_prefix(e + 1);
    }
  }
  if (lines != out.header.count) {
    return Status::InvalidArgument("header.count: " + std::to_string(out.header.count) + " but " +
                                   std::to_string(lines) + " event lines");
  }
  if (out.header.count > 0 && out.header.first > out.header.last) {
    return Status::InvalidArgument("header: first > last");
  }
  return out;
}

std::string EncodeHubMessage(const HubMessage& m) {
  json j = {{"v", kWireVersion},
            {"kind", m.kind == HubMessage::Kind::kAck ? "ack" : "resend"},
            {"ranges", RangesToJson(m.ranges)}};
  return Dump(j);
}

Result<HubMessage> DecodeHubMessage(std::string_view payload) {
  if (Status b = CheckJsonBounds(payload, kMaxHubMessageBytes, kMaxHubMessageDepth, "message");
      !b.ok()) {
    return b;
  }
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer() || v->get<int64_t>() != kWireVersion) {
    return Status::InvalidArgument("v: expected 1");
  }
  HubMessage m;
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) return Status::InvalidArgument("kind: missing");
  if (*kind == "ack") {
    m.kind = HubMessage::Kind::kAck;
  } else if (*kind == "resend") {
    m.kind = HubMessage::Kind::kResend;
  } else {
    return Status::InvalidArgument("kind: expected \"ack\" or \"resend\"");
  }
  auto ranges = j.find("ranges");
  if (ranges == j.end()) return Status::InvalidArgument("ranges: missing");
  auto r = RangesFromJson(*ranges, "ranges", kMaxHubMessageRanges);
  if (!r.ok()) return r.status();
  m.ranges = std::move(r.value());
  return m;
}

namespace {

// zstd's fast mode, level -2, with a 128 KiB window and a 64 Ki-entry hash table. On the bench's
// batches of 2,000 events (~0.9 MB of JSON lines), against level 1 with the same window and hash:
// ≈ 0.08 µs less kiosk CPU per event to compress and ≈ 0.03 µs less hub CPU to decompress, for
// ≈ 30 instead of ≈ 18.5 bytes per event on the wire (docs/sync.md). Levels -1 and -2 give the
// same bytes, -2 for less CPU; -4 is no faster and larger. No checksum (MQTT and TCP carry the
// bytes; the hub checks every line); the content size recorded, as the hub requires.
bool SetBatchParameters(ZSTD_CCtx* ctx) {
  for (auto [param, value] : {std::pair{ZSTD_c_compressionLevel, -2},
                              {ZSTD_c_windowLog, 17},
                              {ZSTD_c_hashLog, 16},
                              {ZSTD_c_checksumFlag, 0},
                              {ZSTD_c_contentSizeFlag, 1}}) {
    if (ZSTD_isError(ZSTD_CCtx_setParameter(ctx, param, value))) return false;
  }
  return true;
}

}  // namespace

std::string CompressBatch(std::string_view batch) {
  // One context and one output buffer per thread: creating a context costs more than compressing
  // a batch, and a fresh bound-sized output (~1 MiB, zeroed) per batch costs about as much again
  // as the copy of the compressed bytes out of the kept one. The parameters stay set on it.
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(),
                                                                        &ZSTD_freeCCtx);
  thread_local bool ctx_ready = ctx && SetBatchParameters(ctx.get());
  thread_local std::string scratch;
  size_t bound = ZSTD_compressBound(batch.size());
  if (scratch.size() < bound) scratch.resize(bound);
  size_t n = ctx_ready
                 ? ZSTD_compress2(ctx.get(), scratch.data(), bound, batch.data(), batch.size())
                 : ZSTD_compress(scratch.data(), bound, batch.data(), batch.size(), -2);
  if (ZSTD_isError(n)) return std::string(batch);  // cannot happen with a bound-sized buffer
  return std::string(scratch.data(), n);
}

bool IsCompressedBatch(std::string_view payload) {
  return payload.size() >= 4 && static_cast<unsigned char>(payload[0]) == 0x28 &&
         static_cast<unsigned char>(payload[1]) == 0xB5 &&
         static_cast<unsigned char>(payload[2]) == 0x2F &&
         static_cast<unsigned char>(payload[3]) == 0xFD;
}

Result<std::string_view> DecompressBatchInto(std::string_view payload, size_t max_bytes,
                                             std::string* buffer) {
  unsigned long long size = ZSTD_getFrameContentSize(payload.data(), payload.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return Status::InvalidArgument("zstd: not a valid frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Status::InvalidArgument("zstd: the frame does not record its content size");
  }
  if (size > max_bytes) {
    return Status::InvalidArgument("zstd: content of " + std::to_string(size) +
                                   " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  // One context per thread: ZSTD_decompress would create (allocate and initialise) one per call.
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(),
                                                                        &ZSTD_freeDCtx);
  // Only grown: a buffer reused for every message is zero-filled (and its pages faulted in) once,
  // not per message.
  if (buffer->size() < size) buffer->resize(static_cast<size_t>(size));
  size_t n = ctx ? ZSTD_decompressDCtx(ctx.get(), buffer->data(), static_cast<size_t>(size),
                                       payload.data(), payload.size())
                 : ZSTD_decompress(buffer->data(), static_cast<size_t>(size), payload.data(),
                                   payload.size());
  if (ZSTD_isError(n)) return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != size) return Status::InvalidArgument("zstd: frame shorter than its content size");
  return std::string_view(buffer->data(), n);
}

Result<std::string> DecompressBatch(std::string_view payload, size_t max_bytes) {
  std::string out;
  auto raw = DecompressBatchInto(payload, max_bytes, &out);
  if (!raw.ok()) return raw.status();
  return out;
}

}  // namespace touchpoint::sync
