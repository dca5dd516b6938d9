// touchpoint-bench hubweb [--stores N] [--days D] [--db PATH] [--repeat R] [--page-runs P]:
// the hub's web app over a long history (issue 12).
//
// Builds (or, with --db of an existing file, reuses; a new --db is kept) a hub store of the
// simulated fleet (fleet_history.h; default 250 stores x 3 touchpoints, a year ending yesterday:
// about 10M events, through the store's writer with its rollups), starts the hub's WebServer on
// it in this process, creates the admin through the setup link, and then:
//   - asks each view's API call of the web app (meta, journey, daily and weekly trends, heatmap,
//     stores, a store's page, pain points, fleet), for the last 28 days with the previous period
//     (compare=1, as the app's switch does), for all stores and for one store, R times each
//     (default 20); prints BENCH hubweb_api_ms_p95_<view>_<scope> and the worst of them as
//     BENCH hubweb_api_ms_p95 (target <= 150 ms), and the first call of each (the server's
//     caches cold: meta's is the server's first request) as BENCH hubweb_api_ms_first_<view>_
//     <scope>, the worst as BENCH hubweb_api_ms_first;
//   - loads the journey map page in headless Chromium (tools/hub-page-load.mjs: a new tab with
//     the cache off per run, navigation start to the drawn view), P times (default 5); prints the
//     median as BENCH hubweb_page_load_ms (target <= 1,500 ms) and the slowest as
//     BENCH hubweb_page_load_ms_max. Needs node, hub/web/node_modules and chromium.
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench.h"
#include "fleet_history.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/hub/hub_store.h"
#include "touchpoint/hub/web_server.h"

namespace touchpoint::bench {
namespace {

using namespace fleet;  // NOLINT: the fleet's vocabulary (fleet_history.h)
using SteadyClock = std::chrono::steady_clock;

std::string DateOf(int64_t day_ms) { return FormatUtcMs(day_ms).substr(0, 10); }

// Writes the fleet's history into the store at `path`, one transaction per day. Returns the
// number of events, or an error.
Result<int64_t> Build(const std::string& path, const FleetSpec& spec) {
  auto hs = hub::OpenSqliteHubStore(path);
  if (!hs.ok()) return hs.status();
  hub::HubStore& store = **hs;
  std::vector<SimKiosk> kiosks = spec.Kiosks();
  for (const SimKiosk& k : kiosks) {
    if (Status s = store.RegisterKiosk({k.kiosk, k.store, spec.end_day_ms, "cli"}); !s.ok()) {
      return s;
    }
  }
  HistoryMaker maker(spec);
  std::vector<std::shared_ptr<ManualClock>> clocks;
  std::vector<std::unique_ptr<EventStamper>> stampers;
  for (const SimKiosk& k : kiosks) {
    clocks.push_back(std::make_shared<ManualClock>(spec.end_day_ms, k.offset_min));
    stampers.push_back(std::make_unique<EventStamper>(KioskOf(k), clocks.back()));
  }
  std::vector<uint64_t> seqs(kiosks.size(), 0);
  int64_t events = 0;
  double write_s = 0;
  for (int64_t day = spec.end_day_ms - spec.days * kDayMs; day < spec.end_day_ms; day += kDayMs) {
    hub::HubWrite w;
    for (size_t i = 0; i < kiosks.size(); ++i) {
      if (day >= LastDayOf(spec, kiosks[i])) continue;
      for (Event& e : maker.Day(kiosks[i], day, *stampers[i], clocks[i].get())) {
        e.seq = ++seqs[i];
        e.boot_count = 1;
        std::string json = EncodeEvent(e);
        w.events.push_back(hub::ToHubEvent(std::move(e), std::move(json), "import"));
      }
    }
    events += static_cast<int64_t>(w.events.size());
    auto t0 = SteadyClock::now();
    auto r = store.Write(w, day + kDayMs);
    if (!r.ok()) return r.status();
    write_s += std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }
  std::fprintf(stderr, "bench hubweb: %lld events written in %.0f s (%.0f events/s)\n",
               static_cast<long long>(events), write_s,
               write_s > 0 ? static_cast<double>(events) / write_s : 0.0);
  return events;
}

int Run(const std::vector<std::string>& args) {
  FleetSpec spec;
  spec.stores = 250;
  spec.days = 365;
  std::string db;
  int repeat = 20, page_runs = 5;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--stores" && has_value) {
      spec.stores = std::atoi(args[++i].c_str());
    } else if (args[i] == "--days" && has_value) {
      spec.days = std::atoi(args[++i].c_str());
    } else if (args[i] == "--db" && has_value) {
      db = args[++i];
    } else if (args[i] == "--repeat" && has_value) {
      repeat = std::atoi(args[++i].c_str());
    } else if (args[i] == "--page-runs" && has_value) {
      page_runs = std::atoi(args[++i].c_str());
    } else {
      std::fprintf(stderr,
                   "usage: touchpoint-bench hubweb [--stores N] [--days D] [--db PATH] "
                   "[--repeat R] [--page-runs P]\n(bad argument: %s)\n",
                   args[i].c_str());
      return 2;
    }
  }
  if (spec.stores < 1 || spec.stores > 999 || spec.days < 30 || spec.days > 800 || repeat < 1 ||
      repeat > 1000 || page_runs < 0 || page_runs > 100) {
    std::fprintf(stderr,
                 "bench hubweb: --stores 1..999, --days 30..800, --repeat 1..1000, "
                 "--page-runs 0..100\n");
    return 2;
  }
  spec.end_day_ms = SystemClock()->NowUtcMs() / kDayMs * kDayMs;

  testing::TempDir dir;
  if (db.empty()) db = dir.File("hub.db");
  if (::access(db.c_str(), F_OK) == 0) {
    std::fprintf(stderr, "bench hubweb: reusing %s (its web users, the bench's own, go)\n",
                 db.c_str());
    auto d = sql::Database::Open(db, sql::Database::Mode::kReadWriteCreate);
    if (!d.ok() || !(*d)->Exec("DELETE FROM web_users").ok()) {
      std::fprintf(stderr, "bench hubweb: %s is not a hub store made by this bench\n", db.c_str());
      return 1;
    }
  } else {
    std::fprintf(stderr, "bench hubweb: building %d stores x %zu touchpoints x %d days in %s\n",
                 spec.stores, Touchpoints().size(), spec.days, db.c_str());
    auto built = Build(db, spec);
    if (!built.ok()) {
      std::fprintf(stderr, "bench hubweb: %s\n", built.status().ToString().c_str());
      return 1;
    }
  }
  { std::ofstream(dir.File("hub.toml")) << HubConfig(spec); }

  hub::WebOptions o;
  o.listen = "127.0.0.1:0";
  o.db_path = db;
  o.hub_config = dir.File("hub.toml");
  o.poll_data_version = false;
  auto server = hub::WebServer::Create(o);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::fprintf(stderr, "bench hubweb: the web server did not start: %s\n",
                 server.ok() ? "Start failed" : server.status().ToString().c_str());
    return 1;
  }
  const std::string setup = (*server)->SetupUrl();
  const std::string password = "bench-" + std::to_string(SystemClock()->NowUtcMs());
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_read_timeout(60, 0);
  std::string cookie;
  {
    if (setup.empty()) {
      std::fprintf(stderr, "bench hubweb: the store has users already: use a new --db\n");
      return 1;
    }
    nlohmann::json body = {{"user", "bench"},
                           {"password", password},
                           {"token", setup.substr(setup.find("#token=") + 7)}};
    httplib::Result r = client.Post("/api/v1/setup", body.dump(), "application/json");
    if (!r || (r->status != 200 && r->status != 201)) {
      std::fprintf(stderr, "bench hubweb: setup failed (%d)\n", r ? r->status : -1);
      return 1;
    }
    std::string set_cookie = r->get_header_value("Set-Cookie");
    cookie = set_cookie.substr(0, set_cookie.find(';'));
  }
  httplib::Headers headers = {{"Cookie", cookie}};

  const std::string from = DateOf(spec.end_day_ms - 28 * kDayMs);
  const std::string to = DateOf(spec.end_day_ms - kDayMs);
  const std::string one = spec.StoreId(4);
  const std::string period = "from=" + from + "&to=" + to + "&compare=1";
  struct Call {
    std::string name, path;
  };
  const std::vector<Call> views = {
      {"meta", "/api/v1/meta?"},
      {"journey", "/api/v1/journey?curve_by=region&"},
      {"trends_day", "/api/v1/trends?bucket=day&by=stage&"},
      {"trends_week", "/api/v1/trends?bucket=week&by=stage&"},
      {"heatmap", "/api/v1/heatmap?"},
      {"stores", "/api/v1/stores?"},
      {"store_page", "/api/v1/stores/" + one + "?"},
      {"painpoints", "/api/v1/painpoints?"},
      {"fleet", "/api/v1/fleet?"},
  };
  double worst = 0, worst_first = 0;
  int failures = 0;
  for (const Call& v : views) {
    for (const char* scope : {"all", "store"}) {
      if (v.name == "store_page" && std::string(scope) == "all") continue;
      std::string path = v.path + period + (std::string(scope) == "store" ? "&store=" + one : "");
      std::vector<double> ms;
      for (int i = 0; i < repeat; ++i) {
        auto t0 = SteadyClock::now();
        auto r = client.Get(path, headers);
        double elapsed = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
        if (!r || r->status != 200) {
          std::fprintf(stderr, "bench hubweb: %s answered %d\n", path.c_str(), r ? r->status : -1);
          ++failures;
          break;
        }
        ms.push_back(elapsed);
      }
      if (ms.empty()) continue;
      double p95 = Percentile(ms, 95);
      worst = std::max(worst, p95);
      worst_first = std::max(worst_first, ms.front());
      PrintBench("hubweb_api_ms_p95_" + v.name + "_" + scope, p95, "ms");
      PrintBench("hubweb_api_ms_first_" + v.name + "_" + scope, ms.front(), "ms");
    }
  }
  PrintBench("hubweb_api_ms_p95", worst, "ms");
  PrintBench("hubweb_api_ms_first", worst_first, "ms");

  if (page_runs > 0) {
    std::ofstream(dir.File("password")) << password << "\n";
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "node",
                                     testing::SourcePath("tools/hub-page-load.mjs"),
                                     "--url",
                                     (*server)->url(),
                                     "--user",
                                     "bench",
                                     "--password-file",
                                     dir.File("password"),
                                     "--runs",
                                     std::to_string(page_runs)};
    testing::ChildProcess::Options po;
    po.capture_stdout = true;
    testing::ChildProcess node(argv, po);
    std::string out = node.ReadAll();
    std::optional<int> rc = node.Wait(std::chrono::seconds(300));
    auto parsed = nlohmann::json::parse(out, nullptr, false);
    if (!rc || *rc != 0 || parsed.is_discarded() || !parsed.contains("runs")) {
      std::fprintf(stderr,
                   "bench hubweb: the page load did not run (node, chromium and "
                   "hub/web/node_modules are needed: tools/dev deps)\n");
      ++failures;
    } else {
      std::vector<double> runs = parsed["runs"].get<std::vector<double>>();
      double max = *std::max_element(runs.begin(), runs.end());
      PrintBench("hubweb_page_load_ms", Percentile(runs, 50), "ms");
      PrintBench("hubweb_page_load_ms_max", max, "ms");
    }
  }
  (*server)->Stop();
  return failures == 0 ? 0 : 1;
}

static Registrar reg("hubweb",
                     "the hub's web API and journey page over ~10M events (p95 per view, "
                     "page load in Chromium)",
                     &Run);

}  // namespace
}  // namespace touchpoint::bench
