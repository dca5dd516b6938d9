// touchpoint-bench fleet: a simulated fleet of kiosks with a month of realistic history, for the
// demo, the web app's screenshots and its tests (issue 12). Not a benchmark: it prints no BENCH
// lines.
//
//   touchpoint-bench fleet --list [--stores N]
//       "KIOSK STORE" per line: what to register at the hub and to make certificates for.
//   touchpoint-bench fleet --hub-config FILE [--stores N]
//       writes the hub config of the fleet: the journey's stage order, the regions and the
//       opening hours below.
//   touchpoint-bench fleet --jsonl FILE [--stores N] [--days D] [--end-day YYYY-MM-DD]
//       writes the history as a kiosk export (JSON lines) for `touchpoint-hub import --enrol`.
//   touchpoint-bench fleet --broker URI [--pki DIR] [--stores N] [--days D] [--end-day ...]
//                          [--live-s S] [--work DIR] [--timeout-s S]
//       every kiosk stores its history in its own event store and delivers it through the real
//       uplink (batches, hub acks) to the broker, with DIR/ca.crt and DIR/<kiosk>.crt/.key for
//       TLS (tools/pki kiosk); then stays online for S seconds (default 0), recording a new
//       session somewhere in the fleet every ~2 s and each minute every camera's footfall of the
//       minute just ended, and stops cleanly (status "offline").
//
// The fleet (default 12 stores x 3 touchpoints, one kiosk each, 30 days ending yesterday): stores
// in two time zones (UTC+1 and UTC+0) and three regions; opening hours 08-20 (Sunday 10-18);
// footfall every open hour, busier at midday, late afternoon and Saturdays; feedback from ~4-10%
// of visitors, CSAT by store and touchpoint quality, NPS and effort with it, reasons on unhappy
// answers, ~5% abandoned and ~1.5% suspect sessions. Made visible on purpose:
//   - store-05's fitting room ("try") turns bad over the last 10 days (queue, staff);
//   - store-11's checkout kiosk stops reporting 2 days before the end and goes offline;
//   - store-03's entrance camera does not count for 4 hours one afternoon (a coverage gap), and
//     live (--live-s) not at all: its status says "retrying" and it sends no footfall, so a
//     camera_not_counting_min rule raises it while store-03 is open.
// Deterministic for a seed (--seed, default 7), apart from event ids.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "fleet_history.h"
#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/survey.h"
#include "touchpoint/sync/uplink.h"

namespace touchpoint::bench {
namespace {

using namespace fleet;  // NOLINT: the fleet's vocabulary (fleet_history.h)

// What a simulated kiosk reports in its status messages, as touchpoint-kiosk would.
StatusPayload StatusOf(const EventStore& store, int64_t started_ms, bool camera_down) {
  StoreStats st = store.Stats();
  StatusPayload p;
  p.software_version = "1.4.2-sim";
  p.config_version = "store-visit@1";
  int64_t now = SystemClock()->NowUtcMs();
  p.uptime_s = (now - started_ms) / 1000;
  p.queue_depth = st.pending;
  p.oldest_pending_age_s =
      st.oldest_pending_ms ? std::max<int64_t>(0, (now - *st.oldest_pending_ms) / 1000) : 0;
  p.last_hub_ack_ms = st.last_ack_ms;
  p.camera_state = camera_down ? "retrying" : "ok";
  p.camera_fps = camera_down ? 0 : 10;
  p.db_bytes = st.file_bytes;
  p.disk_budget_bytes = st.disk_budget_bytes;
  return p;
}

int WriteJsonLines(const FleetSpec& spec, const std::string& path) {
  std::ofstream out(path);
  if (!out) {
    std::fprintf(stderr, "bench fleet: cannot write %s\n", path.c_str());
    return 1;
  }
  HistoryMaker maker(spec);
  int64_t events = 0;
  for (const SimKiosk& k : spec.Kiosks()) {
    auto clock = std::make_shared<ManualClock>(spec.end_day_ms, k.offset_min);
    EventStamper stamper(KioskOf(k), clock);
    uint64_t seq = 0;
    for (int64_t day = spec.end_day_ms - spec.days * kDayMs; day < LastDayOf(spec, k);
         day += kDayMs) {
      for (Event& e : maker.Day(k, day, stamper, clock.get())) {
        e.seq = ++seq;
        e.boot_count = 1;
        out << EncodeEvent(e) << '\n';
        ++events;
      }
    }
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "bench fleet: writing %s failed\n", path.c_str());
    return 1;
  }
  std::fprintf(stderr, "bench fleet: %lld events of %zu kiosks written to %s\n",
               static_cast<long long>(events), spec.Kiosks().size(), path.c_str());
  return 0;
}

// One simulated kiosk delivering through the real uplink.
struct LiveKiosk {
  SimKiosk sim;
  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<EventStamper> stamper;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<SurveySlot> survey;
  std::unique_ptr<sync::Uplink> uplink;
};

int RunFleet(const FleetSpec& spec, const std::string& broker, const std::string& pki,
             std::string work, int live_s, int timeout_s) {
  std::unique_ptr<testing::TempDir> temp;
  if (work.empty()) {
    temp = std::make_unique<testing::TempDir>();
    work = temp->path();
  }
  ::mkdir(work.c_str(), 0755);
  HistoryMaker maker(spec);
  std::vector<std::unique_ptr<LiveKiosk>> fleet;
  int64_t events = 0;
  for (const SimKiosk& k : spec.Kiosks()) {
    auto lk = std::make_unique<LiveKiosk>();
    lk->sim = k;
    lk->clock = std::make_shared<ManualClock>(spec.end_day_ms, k.offset_min);
    lk->stamper = std::make_unique<EventStamper>(KioskOf(k), lk->clock);
    EventStoreOptions o;
    o.path = work + "/" + k.kiosk + ".db";
    auto store = EventStore::Open(std::move(o));
    if (!store.ok()) {
      std::fprintf(stderr, "bench fleet: %s: %s\n", k.kiosk.c_str(),
                   store.status().ToString().c_str());
      return 1;
    }
    lk->store = std::move(store.value());
    for (int64_t day = spec.end_day_ms - spec.days * kDayMs; day < LastDayOf(spec, k);
         day += kDayMs) {
      std::vector<Event> batch = maker.Day(k, day, *lk->stamper, lk->clock.get());
      events += static_cast<int64_t>(batch.size());
      if (Status s = lk->store->AppendBatch(std::move(batch)).status(); !s.ok()) {
        std::fprintf(stderr, "bench fleet: %s: %s\n", k.kiosk.c_str(), s.ToString().c_str());
        return 1;
      }
    }
    lk->survey = std::make_unique<SurveySlot>(DefaultSurvey());
    fleet.push_back(std::move(lk));
  }
  std::fprintf(stderr, "bench fleet: %lld events of %zu kiosks stored; delivering to %s\n",
               static_cast<long long>(events), fleet.size(), broker.c_str());

  for (auto& lk : fleet) {
    MqttConfig m;
    m.enabled = true;
    m.uri = broker;
    m.backoff_min_ms = 200;
    m.reconnect_spread_s = 0;
    if (!pki.empty()) {
      m.ca_file = pki + "/ca.crt";
      m.cert_file = pki + "/" + lk->sim.kiosk + ".crt";
      m.key_file = pki + "/" + lk->sim.kiosk + ".key";
    }
    sync::UplinkHooks hooks;
    const EventStore* store = lk->store.get();
    const int64_t started_ms = SystemClock()->NowUtcMs();
    // Live, one camera is down (FleetSpec::LiveCameraDown): its status says so.
    const bool camera_down = live_s > 0 && spec.LiveCameraDown(lk->sim);
    hooks.status = [store, started_ms, camera_down] {
      return StatusOf(*store, started_ms, camera_down);
    };
    lk->uplink = std::make_unique<sync::Uplink>(m, KioskOf(lk->sim), lk->store.get(),
                                                lk->survey.get(), std::move(hooks));
    if (Status s = lk->uplink->Start(); !s.ok()) {
      std::fprintf(stderr, "bench fleet: %s: %s\n", lk->sim.kiosk.c_str(), s.ToString().c_str());
      return 1;
    }
  }
  auto pending = [&] {
    int64_t n = 0;
    for (auto& lk : fleet) n += lk->store->Stats().pending;
    return n;
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (!testing::WaitFor([&] { return pending() == 0; }, std::chrono::seconds(timeout_s))) {
    std::fprintf(stderr,
                 "bench fleet: %lld events still unacknowledged after %d s (is the hub running "
                 "and are the kiosks registered?)\n",
                 static_cast<long long>(pending()), timeout_s);
    return 1;
  }
  std::fprintf(stderr, "bench fleet: all %lld events acknowledged by the hub in %.1f s\n",
               static_cast<long long>(events),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  for (auto& lk : fleet) {
    if (spec.Offline(lk->sim)) lk->uplink->Stop();  // gone: the hub shows it offline
  }

  // Live: a session somewhere in the fleet every ~2 s, stamped now, and each minute every
  // camera's footfall of the minute just ended (but for the one that is down), until live_s is up.
  std::mt19937_64 rng(spec.seed + 1);
  const auto live_end = std::chrono::steady_clock::now() + std::chrono::seconds(live_s);
  int64_t live_events = 0;
  int64_t footfall_minute = SystemClock()->NowUtcMs() / kMinuteMs;
  while (std::chrono::steady_clock::now() < live_end) {
    if (int64_t minute = SystemClock()->NowUtcMs() / kMinuteMs; minute > footfall_minute) {
      footfall_minute = minute;
      for (auto& fk : fleet) {
        if (spec.Offline(fk->sim) || spec.LiveCameraDown(fk->sim)) continue;
        FootfallPayload f;
        f.interval_start_ms = (minute - 1) * kMinuteMs;
        f.interval_s = 60;
        int64_t in = static_cast<int64_t>(rng() % 4);
        f.lines = {{"door", in, static_cast<int64_t>(rng() % 4)}};
        fk->clock->SetUtcMs(minute * kMinuteMs);
        Event e = fk->stamper->MakeAt(std::move(f), minute * kMinuteMs);
        if (fk->store->AppendBatch({std::move(e)}).ok()) ++live_events;
      }
    }
    LiveKiosk& lk = *fleet[std::uniform_int_distribution<size_t>(0, fleet.size() - 1)(rng)];
    if (spec.Offline(lk.sim)) continue;
    int64_t now = SystemClock()->NowUtcMs();
    lk.clock->SetUtcMs(now);
    Event e = lk.stamper->MakeAt(maker.Session(lk.sim, lk.sim.quality, false), now);
    if (lk.store->AppendBatch({std::move(e)}).ok()) ++live_events;
    // The interval between sessions of a simulated fleet: pacing, not synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + rng() % 1000));
  }
  if (live_s > 0) {
    testing::WaitFor([&] { return pending() == 0; }, std::chrono::seconds(30));
    std::fprintf(stderr,
                 "bench fleet: %lld live events (sessions, footfall) recorded and delivered\n",
                 static_cast<long long>(live_events));
  }
  for (auto& lk : fleet) lk->uplink->Stop();
  return 0;
}

int Usage(const std::string& bad) {
  std::fprintf(stderr,
               "usage: touchpoint-bench fleet (--list | --hub-config FILE | --jsonl FILE | "
               "--broker URI [--pki DIR] [--live-s S] [--work DIR] [--timeout-s S])\n"
               "       [--stores N] [--days D] [--end-day YYYY-MM-DD] [--seed N]\n"
               "(bad argument: %s)\n",
               bad.c_str());
  return 2;
}

int Run(const std::vector<std::string>& args) {
  FleetSpec spec;
  std::string list, hub_config, jsonl, broker, pki, work, end_day;
  bool do_list = false;
  int live_s = 0, timeout_s = 300;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    const std::string& a = args[i];
    if (a == "--list") {
      do_list = true;
    } else if (!has_value) {
      return Usage(a);
    } else if (a == "--hub-config") {
      hub_config = args[++i];
    } else if (a == "--jsonl") {
      jsonl = args[++i];
    } else if (a == "--broker") {
      broker = args[++i];
    } else if (a == "--pki") {
      pki = args[++i];
    } else if (a == "--work") {
      work = args[++i];
    } else if (a == "--end-day") {
      end_day = args[++i];
    } else if (a == "--stores") {
      spec.stores = std::atoi(args[++i].c_str());
    } else if (a == "--days") {
      spec.days = std::atoi(args[++i].c_str());
    } else if (a == "--live-s") {
      live_s = std::atoi(args[++i].c_str());
    } else if (a == "--timeout-s") {
      timeout_s = std::atoi(args[++i].c_str());
    } else if (a == "--seed") {
      spec.seed = std::strtoull(args[++i].c_str(), nullptr, 10);
    } else {
      return Usage(a);
    }
  }
  if (spec.stores < 1 || spec.stores > 99 || spec.days < 1 || spec.days > 400 || live_s < 0 ||
      live_s > 86400 || timeout_s < 1 || timeout_s > 3600) {
    std::fprintf(stderr,
                 "bench fleet: --stores must be 1..99, --days 1..400, --live-s 0..86400, "
                 "--timeout-s 1..3600\n");
    return 2;
  }
  // The history ends with yesterday (UTC date) unless --end-day names its last day.
  if (end_day.empty()) {
    spec.end_day_ms = SystemClock()->NowUtcMs() / kDayMs * kDayMs;
  } else {
    auto t = ParseUtcMs(end_day + "T00:00:00.000Z");
    if (!t || *t % kDayMs != 0) {
      std::fprintf(stderr, "bench fleet: --end-day: not a date YYYY-MM-DD (%s)\n", end_day.c_str());
      return 2;
    }
    spec.end_day_ms = *t + kDayMs;
  }
  if (do_list) {
    for (const SimKiosk& k : spec.Kiosks())
      std::printf("%s %s\n", k.kiosk.c_str(), k.store.c_str());
    return 0;
  }
  if (!hub_config.empty()) {
    std::ofstream out(hub_config);
    out << HubConfig(spec);
    out.close();
    if (!out) {
      std::fprintf(stderr, "bench fleet: cannot write %s\n", hub_config.c_str());
      return 1;
    }
    if (jsonl.empty() && broker.empty()) return 0;
  }
  if (!jsonl.empty()) return WriteJsonLines(spec, jsonl);
  if (!broker.empty()) return RunFleet(spec, broker, pki, work, live_s, timeout_s);
  return Usage("one of --list, --hub-config, --jsonl, --broker is needed");
}

static Registrar reg("fleet",
                     "a simulated fleet (12 stores x 3 touchpoints, 30 days) through the real "
                     "uplink, or as an export file (not a benchmark)",
                     &Run);

}  // namespace
}  // namespace touchpoint::bench
