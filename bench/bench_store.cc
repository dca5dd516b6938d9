// touchpoint-bench store [--events N]: durable single appends (rate, p99 latency), concurrent
// appends that share commits, batched appends, and the outbox drain (read + mark acknowledged)
// over N stored events (default 1,000,000). Real SQLite file in $TMPDIR.
#include <chrono>
#include <cstdio>
#include <limits>
#include <thread>

#include "bench.h"
#include "test_support.h"
#include "touchpoint/core/event_store.h"

namespace touchpoint::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

Event MakeFeedback(int i) {
  Event e;
  e.id = NewUuidV7(1795000000000 + i);
  e.kiosk_id = "bench-kiosk";
  e.store_id = "bench-store";
  e.touchpoint = "entrance";
  e.journey_stage = "visit";
  e.time_ms = 1795000000000 + int64_t{i} * 1000;
  e.clock_synced = true;
  FeedbackPayload f;
  f.survey_id = "store-visit";
  f.survey_version = 3;
  f.language = "en";
  f.duration_ms = 6000 + i % 5000;
  f.answers = {Answer{"overall", QuestionType::kCsat, 1 + i % 5, {}, ""},
               Answer{"reasons", QuestionType::kTags, std::nullopt, {"staff", "queue"}, ""},
               Answer{"recommend", QuestionType::kNps, i % 11, {}, ""}};
  e.payload = f;
  return e;
}

int Run(const std::vector<std::string>& args) {
  int64_t total = 1000000;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--events") total = std::stoll(args[i + 1]);
  }
  testing::TempDir dir;
  EventStoreOptions o;
  o.path = dir.File("bench.db");
  o.disk_budget_bytes = 0;
  auto opened = EventStore::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto store = std::move(*opened);

  // 1. Durable single appends, one caller: each waits for its own fsync'd commit.
  const int singles = 2000;
  std::vector<double> latencies;
  auto t0 = Clock::now();
  for (int i = 0; i < singles; ++i) {
    auto a = Clock::now();
    if (!store->Append(MakeFeedback(i)).ok()) return 1;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
  }
  double single_s = Seconds(t0, Clock::now());
  PrintBench("store_single_appends_per_s", singles / single_s, "events/s");
  PrintBench("store_single_append_ms_p50", Percentile(latencies, 50), "ms");
  PrintBench("store_single_append_ms_p99", Percentile(latencies, 99), "ms");

  // 2. Durable appends from 8 concurrent callers: the writer commits what is queued together.
  const int per_thread = 2000, threads = 8;
  t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) (void)store->Append(MakeFeedback(t * per_thread + i));
    });
  }
  for (auto& th : pool) th.join();
  PrintBench("store_concurrent_appends_per_s", per_thread * threads / Seconds(t0, Clock::now()),
             "events/s");

  // 3. Batched appends (1,000 events per transaction) up to `total` stored events.
  int64_t stored = singles + int64_t{per_thread} * threads;
  t0 = Clock::now();
  int64_t batched = 0;
  while (stored < total) {
    std::vector<Event> batch;
    int64_t n = std::min<int64_t>(1000, total - stored);
    for (int64_t i = 0; i < n; ++i) batch.push_back(MakeFeedback(static_cast<int>(stored + i)));
    if (!store->AppendBatch(std::move(batch)).ok()) return 1;
    stored += n;
    batched += n;
  }
  if (batched > 0) {
    PrintBench("store_batched_appends_per_s", batched / Seconds(t0, Clock::now()), "events/s");
  }

  // 4. Outbox drain: read the next batch by seq and mark it acknowledged, until empty.
  auto reader = std::move(*store->NewReader());
  t0 = Clock::now();
  uint64_t after = 0;
  int64_t drained = 0;
  while (true) {
    auto batch = reader->ReadPending(after, 1000, std::numeric_limits<size_t>::max());
    if (!batch.ok()) return 1;
    if (batch->empty()) break;
    if (!store->MarkAcknowledged(batch->front().seq, batch->back().seq).ok()) return 1;
    drained += static_cast<int64_t>(batch->size());
    after = batch->back().seq;
  }
  double drain_s = Seconds(t0, Clock::now());
  PrintBench("store_outbox_drain_events_per_s", drained / drain_s, "events/s");
  PrintBench("store_outbox_drained_events", static_cast<double>(drained), "events");
  PrintBench("store_file_mb", store->Stats().file_bytes / 1048576.0, "MiB");
  return 0;
}

Registrar reg("store", "event store: durable appends, batched appends, outbox drain", &Run);

}  // namespace
}  // namespace touchpoint::bench
