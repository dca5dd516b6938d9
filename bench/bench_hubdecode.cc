// touchpoint-bench hubdecode [--events N] [--batch B] [--seconds S] [--rounds R]: the hub's decode
// step alone, what each tp-hub-decode thread does per message (PrepareMessage: zstd, the batch
// header, the strict decoder on every line, the HubEvent), on the compressed batches the kiosk's
// uplink sends for `touchpoint-bench sync`'s events (the same fill: one answer, every 4th a
// footfall minute). Prints the thread CPU µs per event, the lowest of R rounds (default 100, about
// S seconds in all, default 2; each round decodes all N events, default 10,000, at least once):
// many short rounds, so that the lowest is one that other load on a shared machine did not inflate.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "ingest.h"
#include "sync_test_util.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/config.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::bench {
namespace {

using synctest::kT0;

int Run(const std::vector<std::string>& args) {
  int64_t n = 10000, batch_events = MqttConfig().batch_max_events, rounds = 100;
  double seconds = 2.0;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--events") n = std::stoll(args[i + 1]);
    if (args[i] == "--batch") batch_events = std::stoll(args[i + 1]);
    if (args[i] == "--seconds") seconds = std::stod(args[i + 1]);
    if (args[i] == "--rounds") rounds = std::max<int64_t>(1, std::stoll(args[i + 1]));
  }
  KioskConfig kiosk;
  kiosk.kiosk_id = "bench-k1";
  kiosk.store_id = "bench-s1";
  EventStamper stamper(kiosk, std::make_shared<ManualClock>(kT0));
  std::vector<std::string> payloads;
  for (int64_t i = 0; i < n;) {
    sync::BatchBuilder b("batch", kiosk.kiosk_id, kiosk.store_id);
    for (int64_t j = 0; j < batch_events && i < n; ++j, ++i) {
      Event e = synctest::FillEvent(stamper, i, kT0, 500, /*with_reason=*/false);
      e.seq = static_cast<uint64_t>(i + 1);
      e.boot_count = 1;
      b.Add(e.seq, EncodeEvent(e));
    }
    payloads.push_back(sync::CompressBatch(b.Finish()));
  }
  hub::KioskRegistry registry = {{kiosk.kiosk_id, kiosk.store_id}};
  hub::IngestPolicy policy;
  policy.registered = &registry;
  const std::string topic = policy.topic_prefix + "/bench-s1/bench-k1/events";
  const int64_t now_ms = kT0 + n * 500;

  int64_t checked = 0;
  for (const std::string& p : payloads) {
    hub::PreparedMessage m = hub::PrepareMessage(policy, topic, p, now_ms);
    if (!m.write.rejects.empty()) {
      std::fprintf(stderr, "hubdecode: rejected: %s\n", m.write.rejects[0].reason.c_str());
      return 1;
    }
    checked += static_cast<int64_t>(m.write.events.size());
  }
  if (checked != n) return 1;

  double best = 1e30;
  size_t sink = 0;
  std::vector<hub::HubEvent> recycled;  // as a decode thread: a written message's events reused
  for (int64_t round = 0; round < rounds; ++round) {
    int64_t events = 0;
    double start = ThreadCpuSeconds(), now;
    do {
      for (const std::string& p : payloads) {
        hub::PreparedMessage m = hub::PrepareMessage(policy, topic, p, now_ms, &recycled);
        sink += m.acked.size();
        recycled = std::move(m.write.events);
      }
      events += n;
      now = ThreadCpuSeconds();
    } while (now - start < seconds / static_cast<double>(rounds));
    best = std::min(best, (now - start) * 1e6 / static_cast<double>(events));
  }
  PrintBench("hubdecode_us_per_event", best, "us");
  return sink == 0 ? 1 : 0;
}

static Registrar reg("hubdecode", "the hub's decode step (PrepareMessage) alone: CPU us per event",
                     &Run);

}  // namespace
}  // namespace touchpoint::bench
