// touchpoint-bench sync [--events N] [--naive-events M] [--batch B] [--window W]
// [--decode-threads D] [--warmup K]: a kiosk store pre-filled with N events
// drains through a real Mosquitto into the hub (persisted + acknowledged); then the naive
// baseline publishes M of the same events one per QoS 1 message.
// The hub measured is a running one: K events (default 400,000; 0: none) drain through it first,
// so that its SQLite page cache (64 MiB) is full, as it is in a hub that has been up a while; a
// fresh hub's first 64 MiB of writes also fault that memory in (printed apart, from the K).
#include <mqtt/async_client.h>

#include <time.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "bench.h"
#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/hub_store.h"
#include "touchpoint/sync/uplink.h"

namespace touchpoint::bench {
namespace {

using Clock = std::chrono::steady_clock;
using synctest::kT0;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Bytes this process has caused to be written to storage so far (/proc/self/io), 0 if unknown.
double WrittenBytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  double value = 0;
  while (in >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

// The tests' fill without the reason tag: one csat answer, every 4th event a footfall minute.
Event MakeEvent(const EventStamper& st, int64_t i) {
  return synctest::FillEvent(st, i, kT0, 500, /*with_reason=*/false);
}

int Run(const std::vector<std::string>& args) {
  const MqttConfig defaults;  // the kiosk's shipped batch size and window
  int64_t n = 1000000, naive_n = 50000, batch_events = defaults.batch_max_events,
          window_batches = defaults.max_inflight_batches, decode_threads = 0, warmup = 400000;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--events") n = std::stoll(args[i + 1]);
    if (args[i] == "--naive-events") naive_n = std::stoll(args[i + 1]);
    if (args[i] == "--batch") batch_events = std::stoll(args[i + 1]);
    if (args[i] == "--window") window_batches = std::stoll(args[i + 1]);
    if (args[i] == "--decode-threads") decode_threads = std::stoll(args[i + 1]);
    if (args[i] == "--warmup") warmup = std::max<int64_t>(0, std::stoll(args[i + 1]));
  }
  const int64_t total = warmup + n;  // events 0..warmup-1 warm the hub, the next n are measured
  testing::TempDir dir;
  testing::MosquittoBroker broker;
  KioskConfig kiosk;
  kiosk.kiosk_id = "bench-k1";
  kiosk.store_id = "bench-s1";
  EventStamper stamper(kiosk, std::make_shared<ManualClock>(kT0));
  EventStoreOptions so;
  so.path = dir.File("kiosk.db");
  so.disk_budget_bytes = 8ll * 1024 * 1024 * 1024;
  auto store = EventStore::Open(so);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  // Appends events [from, to) of the fill.
  auto prefill = [&](int64_t from, int64_t to) {
    for (int64_t i = from; i < to;) {
      std::vector<Event> batch;
      for (int j = 0; j < 5000 && i < to; ++j, ++i) batch.push_back(MakeEvent(stamper, i));
      if (auto r = (*store)->AppendBatch(std::move(batch)); !r.ok()) {
        std::fprintf(stderr, "fill: %s\n", r.status().ToString().c_str());
        return false;
      }
    }
    return true;
  };
  if (!prefill(0, warmup)) return 1;

  // The operator registers the kiosk first: the hub accepts registered kiosks only.
  {
    auto hub_store = hub::OpenSqliteHubStore(dir.File("hub.db"));
    if (!hub_store.ok() ||
        !(*hub_store)->RegisterKiosk({kiosk.kiosk_id, kiosk.store_id, kT0, "cli"}).ok()) {
      std::fprintf(stderr, "hub store: cannot register %s\n", kiosk.kiosk_id.c_str());
      return 1;
    }
  }
  hub::HubOptions ho;
  ho.broker_uri = broker.uri();
  ho.db_path = dir.File("hub.db");
  ho.decode_threads = static_cast<int32_t>(decode_threads);
  auto hub = hub::Hub::Create(ho);
  if (!hub.ok() || !(*hub)->Start().ok()) return 1;
  testing::WaitFor([&] { return (*hub)->Subscribed(); });

  MqttConfig mc;
  mc.enabled = true;
  mc.uri = broker.uri();
  mc.backoff_min_ms = 10;
  mc.linger_ms = 5;
  mc.batch_max_events = static_cast<int32_t>(batch_events);        // the kiosk's defaults unless
  mc.max_inflight_batches = static_cast<int32_t>(window_batches);  // --batch / --window
  sync::UplinkHooks hooks;
  hooks.jitter_seed = 1;
  if (warmup > 0) {
    sync::Uplink first(mc, kiosk, store->get(), nullptr, hooks);
    double cpu_start = ProcessCpuSeconds();
    if (!first.Start().ok()) return 1;
    if (!testing::WaitFor([&] { return (*store)->Stats().pending == 0; },
                          std::chrono::seconds(600))) {
      std::fprintf(stderr, "warm-up drain did not finish\n");
      return 1;
    }
    PrintBench("sync_warmup_drain_cpu_us_per_event",
               (ProcessCpuSeconds() - cpu_start) * 1e6 / static_cast<double>(warmup), "us");
    first.Stop();
  }
  auto fill_start = Clock::now();
  if (!prefill(warmup, total)) return 1;
  PrintBench("sync_prefill_events_per_s", static_cast<double>(n) / Seconds(fill_start), "events/s");
  sync::Uplink uplink(mc, kiosk, store->get(), nullptr, hooks);
  auto threads_before = CpuSecondsByThreadName(::getpid());
  auto drain_start = Clock::now();
  double drain_cpu_start = ProcessCpuSeconds();
  int64_t faults_start = MinorFaults();
  if (!uplink.Start().ok()) return 1;
  bool drained =
      testing::WaitFor([&] { return (*store)->Stats().pending == 0; }, std::chrono::seconds(600));
  double drain_s = Seconds(drain_start);
  double drain_cpu_s = ProcessCpuSeconds() - drain_cpu_start;
  int64_t drain_faults = MinorFaults() - faults_start;
  auto threads_after = CpuSecondsByThreadName(::getpid());
  uplink.Stop();
  (*hub)->Stop();
  hub::HubCounters hc = (*hub)->Counters();
  if (!drained)
    std::fprintf(stderr, "drain did not finish: %lld pending\n",
                 static_cast<long long>((*store)->Stats().pending));
  PrintBench("sync_drain_events_per_s", static_cast<double>(n) / drain_s, "events/s");
  // CPU of kiosk + hub (this process, every thread; the broker not included) per event: what
  // the drain costs whatever else runs on the machine.
  PrintBench("sync_drain_cpu_us_per_event", drain_cpu_s * 1e6 / static_cast<double>(n), "us");
  // Page faults (minor: memory first touched, or given back to the kernel and taken again) are
  // costly in a VM; part of the CPU above.
  PrintBench("sync_drain_page_faults_per_1k_events",
             static_cast<double>(drain_faults) * 1e3 / static_cast<double>(n), "faults");
  // The same per thread name (the kiosk store's writer is tp-store; the main thread, which only
  // polls the pending count every 5 ms, has the program's name; Paho's are MQTTAsync_*).
  for (const auto& [name, cpu] : threads_after) {
    double us = (cpu - threads_before[name]) * 1e6 / static_cast<double>(n);
    std::string key;
    for (char c : name) key += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    if (us >= 0.005) PrintBench("sync_drain_cpu_us_per_event_thread_" + key, us, "us");
  }
  // Where the hub's time went (decode is summed over its decode threads).
  double hub_events = static_cast<double>(std::max<int64_t>(1, hc.events_inserted));
  PrintBench("sync_hub_decode_us_per_event", static_cast<double>(hc.decode_us) / hub_events, "us");
  PrintBench("sync_hub_write_us_per_event", static_cast<double>(hc.write_us) / hub_events, "us");
  PrintBench("sync_hub_events_per_commit",
             hub_events / static_cast<double>(std::max<int64_t>(1, hc.commits)), "events");

  // Exactly once: every seq 1..n held, and the map counts each event once.
  auto hs = hub::OpenSqliteHubStore(ho.db_path);
  if (!hs.ok()) return 1;
  int64_t held = 0;
  auto accounted = (*hs)->AccountedSeqs();
  if (!accounted.ok()) return 1;
  for (const auto& k : accounted.value()) {
    for (const auto& r : k.ranges) {
      uint64_t last = std::min<uint64_t>(r.last, static_cast<uint64_t>(total));
      if (r.first <= last) held += static_cast<int64_t>(last - r.first + 1);
    }
  }
  int64_t rows = (*hs)->CountEvents().value();
  int64_t responses = 0;
  auto map_total = (*hs)->View({}, hub::ViewBy::kTotal);
  if (!map_total.ok()) return 1;
  for (const hub::ViewRow& r : map_total.value()) responses += r.Figures(true).responses;
  int64_t expected_responses = total - (total + 3) / 4;  // every 4th event is a footfall minute
  PrintBench("sync_lost", static_cast<double>(total - held), "events");
  PrintBench(
      "sync_duplicated",
      static_cast<double>((rows - held) + std::max<int64_t>(0, responses - expected_responses)),
      "events");

  // Naive baseline: one event per QoS 1 message, the same events, a window of 16 outstanding.
  auto reader = (*store)->NewReader();
  if (!reader.ok()) return 1;
  auto events =
      (*reader)->ReadRange(1, static_cast<uint64_t>(naive_n), static_cast<size_t>(naive_n));
  if (!events.ok()) return 1;
  try {
    mqtt::async_client client(broker.uri(), "bench-naive", mqtt::create_options(MQTTVERSION_5));
    mqtt::connect_options co;
    co.set_mqtt_version(MQTTVERSION_5);
    co.set_max_inflight(20);
    client.connect(co)->wait();
    std::deque<mqtt::delivery_token_ptr> window;
    auto naive_start = Clock::now();
    for (const StoredEvent& e : *events) {
      if (window.size() >= 16) {
        window.front()->wait();
        window.pop_front();
      }
      window.push_back(client.publish(
          mqtt::make_message("touchpoint/v1/bench-s1/bench-k1/naive", e.json, 1, false)));
    }
    while (!window.empty()) {
      window.front()->wait();
      window.pop_front();
    }
    double naive_s = Seconds(naive_start);
    client.disconnect()->wait();
    PrintBench("naive_qos1_events_per_s", static_cast<double>(events->size()) / naive_s,
               "events/s");
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "naive: %s\n", e.what());
    return 1;
  }
  return drained ? 0 : 1;
}

// touchpoint-bench hubstore [--events N] [--per-commit M]: the hub store alone, events already
// validated: durable inserts per second in transactions of M.
int RunHubStore(const std::vector<std::string>& args) {
  int64_t n = 200000, per_commit = 5000;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--events") n = std::stoll(args[i + 1]);
    if (args[i] == "--per-commit") per_commit = std::stoll(args[i + 1]);
  }
  testing::TempDir dir;
  KioskConfig kiosk;
  kiosk.kiosk_id = "bench-k1";
  kiosk.store_id = "bench-s1";
  EventStamper stamper(kiosk, std::make_shared<ManualClock>(kT0));
  std::vector<hub::HubEvent> events;
  events.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    Event e = MakeEvent(stamper, i);
    e.seq = static_cast<uint64_t>(i + 1);
    e.boot_count = 1;
    std::string json = EncodeEvent(e);
    events.push_back(hub::ToHubEvent(e, std::move(json), "mqtt"));
  }
  double json_bytes = 0;
  for (const hub::HubEvent& e : events) json_bytes += static_cast<double>(e.json.size());
  auto hs = hub::OpenSqliteHubStore(dir.File("hub.db"));
  if (!hs.ok()) return 1;
  double written_start = WrittenBytes();
  auto start = Clock::now();
  double cpu_start = ProcessCpuSeconds();
  for (int64_t i = 0; i < n; i += per_commit) {
    hub::HubWrite w;
    for (int64_t j = i; j < std::min(n, i + per_commit); ++j) {
      w.events.push_back(std::move(events[static_cast<size_t>(j)]));
    }
    if (!(*hs)->Write(w, kT0).ok()) return 1;
  }
  PrintBench("hubstore_insert_events_per_s", static_cast<double>(n) / Seconds(start), "events/s");
  PrintBench("hubstore_cpu_us_per_event",
             (ProcessCpuSeconds() - cpu_start) * 1e6 / static_cast<double>(n), "us");
  // Closing the store checkpoints what is left in the WAL: every byte the events cost on disk
  // (WAL + database) is then written.
  hs->reset();
  PrintBench("hubstore_disk_bytes_per_event",
             (WrittenBytes() - written_start) / static_cast<double>(n), "bytes");
  PrintBench("hubstore_json_bytes_per_event", json_bytes / static_cast<double>(n), "bytes");
  return 0;
}

Registrar reg_store("hubstore", "hub store: durable inserts of validated events", &RunHubStore);

Registrar reg("sync", "kiosk outbox -> Mosquitto -> hub drain vs one event per QoS1 message", &Run);

}  // namespace
}  // namespace touchpoint::bench
