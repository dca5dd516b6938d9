// The hub's preparation of a message on a kiosk's events topic, with the payload as it came
// and zstd-compressed as kiosks send it: never crashes, stays bounded, and every event it keeps
// is one the kiosk of the topic may send, acknowledged once stored.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ingest.h"
#include "touchpoint/sync/wire.h"

namespace ts = touchpoint::sync;
namespace th = touchpoint::hub;

namespace {

void Prepare(std::string_view payload, bool compressed) {
  th::IngestPolicy policy;
  auto p = th::PrepareMessage(policy, "touchpoint/v1/s1/k1/events", payload, 1764500000000);
  for (const auto& r : p.write.rejects) {
    FUZZ_CHECK(touchpoint::fuzz::PrintableMessage(r.reason));
    FUZZ_CHECK(r.payload.size() <= 64 * 1024);
  }
  size_t rejects_with_seq = 0;
  for (const auto& r : p.write.rejects) rejects_with_seq += r.seq.has_value();
  FUZZ_CHECK(p.acked.size() <= p.write.events.size() + rejects_with_seq);
  for (const auto& e : p.write.events) {
    FUZZ_CHECK(e.kiosk == "k1" && e.store == "s1");
    FUZZ_CHECK(e.seq >= 1);
  }
  FUZZ_CHECK(p.write.blocks.size() <= (compressed ? 1u : 0u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Prepare(text, ts::IsCompressedBatch(text));
  if (!ts::IsCompressedBatch(text)) Prepare(ts::CompressBatch(text), true);
  return 0;
}
