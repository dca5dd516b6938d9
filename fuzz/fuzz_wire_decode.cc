// The sync wire format's decoders on any bytes: a batch (DecodeBatch), a hub message on the ack
// topic (DecodeHubMessage) and a kiosk's status as the hub reads it (PrepareMessage on the
// status topic). What decodes must encode and decode to the same values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest.h"
#include "touchpoint/sync/wire.h"

namespace ts = touchpoint::sync;
namespace th = touchpoint::hub;

namespace {

void Batch(std::string_view text) {
  auto b = ts::DecodeBatch(text);
  if (!b.ok()) {
    FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(b.status().message()));
    return;
  }
  const ts::BatchHeader& h = b->header;
  FUZZ_CHECK(b->lines.size() == h.count);
  FUZZ_CHECK(h.count <= ts::kMaxBatchEvents);
  FUZZ_CHECK(h.missing.size() <= ts::kMaxMissingRanges);
  // Merged ranges are sorted, disjoint and not adjacent (no "last + 1" wrapping at UINT64_MAX).
  auto merged = ts::MergeRanges(h.missing);
  for (size_t i = 1; i < merged.size(); ++i) {
    FUZZ_CHECK(merged[i].first > merged[i - 1].last && merged[i].first - merged[i - 1].last > 1);
  }
  ts::BatchBuilder builder(h.kind, h.kiosk, h.store);
  for (auto r : h.missing) builder.AddMissing(r);
  for (std::string_view line : b->lines) builder.Add(1, line);
  std::string again = builder.Finish();
  auto b2 = ts::DecodeBatch(again);
  FUZZ_CHECK(b2.ok());
  FUZZ_CHECK(b2->header.kind == h.kind && b2->header.kiosk == h.kiosk &&
             b2->header.store == h.store);
  FUZZ_CHECK(b2->header.missing == merged);
  FUZZ_CHECK(b2->lines == b->lines);
}

void HubMessage(std::string_view text) {
  auto m = ts::DecodeHubMessage(text);
  if (!m.ok()) {
    FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(m.status().message()));
    return;
  }
  FUZZ_CHECK(m->ranges.size() <= ts::kMaxHubMessageRanges);
  auto m2 = ts::DecodeHubMessage(ts::EncodeHubMessage(*m));
  FUZZ_CHECK(m2.ok());
  FUZZ_CHECK(m2->kind == m->kind && m2->ranges == m->ranges);
}

void Status(std::string_view text) {
  th::IngestPolicy policy;
  auto p = th::PrepareMessage(policy, "touchpoint/v1/s1/k1/status", text, 1764500000000);
  FUZZ_CHECK(p.write.events.empty() && p.acked.empty());
  FUZZ_CHECK(p.write.statuses.size() + p.write.rejects.size() <= 1);
  for (const auto& r : p.write.rejects) FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(r.reason));
  for (const auto& s : p.write.statuses) FUZZ_CHECK(s.kiosk == "k1" && s.store == "s1");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Batch(text);
  HubMessage(text);
  Status(text);
  return 0;
}
