#include "ingest.h"

#include <nlohmann/json.hpp>

#include "sha256.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/input_bounds.h"

namespace touchpoint::hub {

using sync::BatchHeader;
using sync::DecodeBatch;
using sync::DecompressBatchInto;
using sync::IsCompressedBatch;
using sync::IsValidId;
using sync::ParseTopic;
using sync::TopicParts;

namespace {

constexpr size_t kMaxStatusBytes = 64 * 1024;
constexpr int kMaxStatusDepth = 4;           // the kiosk's status nests objects two deep
constexpr size_t kMaxStatusTextChars = 128;  // as DecodeEvent allows in a status event

// Empty if `kiosk` may deliver for `store` under the policy; otherwise why not. Sets *enrol when
// the kiosk is to be registered by this write.
std::string CheckRegistration(const IngestPolicy& policy, const std::string& kiosk,
                              const std::string& store, bool* enrol) {
  *enrol = false;
  if (!policy.registered) return "";
  auto it = policy.registered->find(kiosk);
  if (it == policy.registered->end()) {
    if (policy.enrol_unknown) {
      *enrol = true;
      return "";
    }
    return "unregistered kiosk '" + kiosk + "' (register it: touchpoint-hub kiosks add " + kiosk +
           " --store " + store + ")";
  }
  if (it->second != store) {
    return "unauthorised: kiosk '" + kiosk + "' is registered at store '" + it->second +
           "', not '" + store + "'";
  }
  return "";
}

void MarkTime(HubEvent* e, int64_t now_ms) {
  e->time_out_of_range =
      e->time_ms > now_ms + kMaxEventTimeAheadMs || e->time_ms < kEarliestEventTimeMs;
}

Reject MakeReject(int64_t now_ms, std::string source, std::string kiosk,
                  std::optional<uint64_t> seq, std::string reason, std::string_view payload) {
  // The store keeps an excerpt, the size and the hash; the excerpt is cut here already so that a
  // refused 4 MiB payload is not copied whole.
  Reject r;
  r.received_ms = now_ms;
  r.source = std::move(source);
  r.kiosk = std::move(kiosk);
  r.seq = seq;
  r.reason = std::move(reason);
  r.payload = std::string(payload.substr(0, kRejectExcerptBytes));
  r.payload_bytes = static_cast<int64_t>(payload.size());
  if (payload.size() > kRejectExcerptBytes) r.payload_sha256 = Sha256Hex(payload);
  return r;
}

// A retained status message: kept as the kiosk's latest status (never acknowledged).
PreparedMessage PrepareStatus(const IngestPolicy& policy, const TopicParts& parts,
                              const std::string& source, std::string_view payload, int64_t now_ms) {
  PreparedMessage out;
  auto reject = [&](std::string reason) {
    out.write.rejects.push_back(MakeReject(now_ms, source, parts.kiosk, std::nullopt,
                                           "status: " + std::move(reason), payload));
    return out;
  };
  if (payload.empty()) return out;  // a cleared retained message
  if (payload.size() > kMaxStatusBytes) return reject("oversized");
  bool enrol = false;
  if (std::string why = CheckRegistration(policy, parts.kiosk, parts.store, &enrol); !why.empty()) {
    return reject(why);
  }
  if (Status b = CheckJsonBounds(payload, kMaxStatusBytes, kMaxStatusDepth, "payload"); !b.ok()) {
    return reject(b.message());
  }
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return reject("not a JSON object");
  auto text = [&j](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  KioskStatus k;
  k.kiosk = parts.kiosk;
  k.store = parts.store;
  auto state = text("state");
  if (!state || (*state != "online" && *state != "offline")) {
    return reject("state: expected \"online\" or \"offline\"");
  }
  k.state = *state;
  if (text("kiosk").value_or(parts.kiosk) != parts.kiosk ||
      text("store").value_or(parts.store) != parts.store) {
    return reject("unauthorised: status of another kiosk on the topic of " + parts.store + "/" +
                  parts.kiosk);
  }
  if (auto t = text("time")) k.status_time_ms = ParseUtcMs(*t).value_or(0);
  auto q = j.find("queue_depth");
  if (q != j.end() && q->is_number_integer()) k.queue_depth = q->get<int64_t>();
  // Shown as they are by `touchpoint-hub kiosks`: short, and no control characters.
  for (const char* key : {"software_version", "config_version"}) {
    std::string v = text(key).value_or("");
    if (v.size() > kMaxStatusTextChars) {
      return reject(std::string(key) + ": longer than " + std::to_string(kMaxStatusTextChars));
    }
    if (EscapeForMessage(v, v.size()) != v) {
      return reject(std::string(key) + ": " + QuoteForMessage(v) + " has control characters");
    }
  }
  k.software_version = text("software_version").value_or("");
  k.config_version = text("config_version").value_or("");
  k.received_ms = now_ms;
  k.json = std::string(payload);
  out.write.statuses.push_back(std::move(k));
  if (enrol) out.write.enrolments.push_back({parts.kiosk, parts.store, now_ms, policy.enrol_how});
  return out;
}

}  // namespace

PreparedMessage PrepareMessage(const IngestPolicy& policy, std::string_view topic,
                               std::string_view payload, int64_t now_ms,
                               std::vector<HubEvent>* reuse) {
  PreparedMessage out;
  std::string source = "mqtt:" + std::string(topic);
  auto parts = ParseTopic(policy.topic_prefix, topic);
  auto reject_all = [&](std::string kiosk, std::string reason) {
    out.write.rejects.push_back(
        MakeReject(now_ms, source, std::move(kiosk), std::nullopt, std::move(reason), payload));
    return out;
  };
  if (parts && parts->leaf == "status")
    return PrepareStatus(policy, *parts, source, payload, now_ms);
  if (!parts || parts->leaf != "events") {
    return reject_all("", "topic is not <prefix>/<store>/<kiosk>/events");
  }
  if (payload.size() > policy.max_message_bytes) {
    return reject_all(parts->kiosk, "oversized: message of " + std::to_string(payload.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(policy.max_message_bytes));
  }
  bool enrol = false;
  if (std::string why = CheckRegistration(policy, parts->kiosk, parts->store, &enrol);
      !why.empty()) {
    return reject_all(parts->kiosk, why);
  }
  std::string_view compressed;
  if (IsCompressedBatch(payload)) {
    compressed = payload;
    // One buffer per decode thread, reused for every message (at most max_message_bytes): the
    // batch is needed only while this call reads it (the store keeps the compressed payload).
    thread_local std::string decompressed;
    auto raw = DecompressBatchInto(payload, policy.max_message_bytes, &decompressed);
    if (!raw.ok()) {
      return reject_all(parts->kiosk, "malformed batch: " + raw.status().message());
    }
    payload = *raw;
  }
  auto batch = DecodeBatch(payload);
  if (!batch.ok()) return reject_all(parts->kiosk, "malformed batch: " + batch.status().message());
  const BatchHeader& h = batch->header;
  if (h.kiosk != parts->kiosk || h.store != parts->store) {
    return reject_all(parts->kiosk, "unauthorised: batch of " + h.store + "/" + h.kiosk +
                                        " on the topic of " + parts->store + "/" + parts->kiosk);
  }
  out.kiosk = parts->kiosk;
  out.store = parts->store;
  // Events filled before (a written message's) are filled again, keeping their memory, and `e`
  // (which every line is decoded into) keeps its own: the common path allocates little.
  size_t filled = 0;
  if (reuse) out.write.events.swap(*reuse);
  out.write.events.reserve(batch->lines.size());
  out.acked.reserve(batch->lines.size());
  Event e;  // decoded into again for every line (DecodeEventInto sets all of it)
  for (size_t i = 0; i < batch->lines.size(); ++i) {
    std::string_view line = batch->lines[i];
    uint64_t claimed = 0;
    Status decoded = DecodeEventInto(line, &e, &claimed);
    // Built only for a reject: the common path allocates nothing per event for it.
    auto where = [i] { return "event line " + std::to_string(i + 1) + ": "; };
    if (!decoded.ok()) {
      std::optional<uint64_t> seq;
      if (claimed != 0) seq = claimed;
      out.write.rejects.push_back(
          MakeReject(now_ms, source, out.kiosk, seq, where() + decoded.message(), line));
      if (seq) out.acked.push_back(*seq);
      continue;
    }
    if (e.kiosk_id != out.kiosk || e.store_id != out.store) {
      out.write.rejects.push_back(MakeReject(now_ms, source, out.kiosk, e.seq,
                                             where() + "unauthorised: event of " + e.store_id +
                                                 "/" + e.kiosk_id + " on the topic of " +
                                                 out.store + "/" + out.kiosk,
                                             line));
      out.acked.push_back(e.seq);
      continue;
    }
    if (e.seq == 0) {
      out.write.rejects.push_back(
          MakeReject(now_ms, source, out.kiosk, std::nullopt, where() + "seq: must be >= 1", line));
      continue;
    }
    out.acked.push_back(e.seq);
    HubEvent& he = filled < out.write.events.size() ? out.write.events[filled]
                                                    : out.write.events.emplace_back();
    ++filled;
    if (compressed.empty()) {
      FillHubEvent(std::move(e), std::string(line), "mqtt", &he);
    } else {
      // The store keeps the compressed batch itself; the event points at its line.
      FillHubEvent(std::move(e), std::string(), "mqtt", &he);
      he.block = 0;
      he.block_offset = static_cast<uint32_t>(line.data() - payload.data());
    }
    MarkTime(&he, now_ms);
  }
  if (filled < out.write.events.size()) {
    out.write.events.erase(out.write.events.begin() + static_cast<ptrdiff_t>(filled),
                           out.write.events.end());
  }
  if (!compressed.empty() && !out.write.events.empty()) {
    out.write.blocks.emplace_back(compressed);
  }
  for (const SeqRange& r : h.missing) {
    out.write.gaps.push_back(KnownGap{out.kiosk, r, now_ms});
  }
  if (enrol) out.write.enrolments.push_back({out.kiosk, out.store, now_ms, policy.enrol_how});
  return out;
}

void PrepareImportLine(const IngestPolicy& policy, std::string_view line, const std::string& source,
                       size_t line_no, int64_t now_ms, HubWrite* write) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return;
  std::string where = "import:" + source + ":" + std::to_string(line_no);
  auto ev = DecodeEvent(line);
  if (!ev.ok()) {
    // A malformed line's seq is not trusted: it is not acknowledged nor accounted.
    write->rejects.push_back(
        MakeReject(now_ms, where, "", std::nullopt, ev.status().message(), line));
    return;
  }
  Event& e = ev.value();
  if (!IsValidId(e.kiosk_id) || !IsValidId(e.store_id)) {
    write->rejects.push_back(
        MakeReject(now_ms, where, "", std::nullopt, "kiosk_id/store_id: not a valid id", line));
    return;
  }
  bool enrol = false;
  if (std::string why = CheckRegistration(policy, e.kiosk_id, e.store_id, &enrol); !why.empty()) {
    if (policy.registered && !policy.registered->count(e.kiosk_id)) {
      why += " or import with --enrol";
    }
    write->rejects.push_back(MakeReject(now_ms, where, e.kiosk_id, std::nullopt, why, line));
    return;
  }
  if (e.seq == 0) {
    write->rejects.push_back(
        MakeReject(now_ms, where, e.kiosk_id, std::nullopt, "seq: must be >= 1", line));
    return;
  }
  if (enrol) write->enrolments.push_back({e.kiosk_id, e.store_id, now_ms, policy.enrol_how});
  write->events.push_back(ToHubEvent(std::move(e), std::string(line), "import"));
  MarkTime(&write->events.back(), now_ms);
}

}  // namespace touchpoint::hub
