// touchpoint-hub: the central side. Subcommands: run, serve, map, rebuild-rollups, import,
// gaps, rejects, kiosks.
#include <sys/stat.h>
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "config_push_cmd.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/service_watchdog.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/journey_map.h"
#include "touchpoint/hub/web_server.h"

namespace {

using namespace touchpoint;
using namespace touchpoint::hub;
using touchpoint::sync::IsValidId;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kDefaultSpanMs = 30LL * 24 * 3600 * 1000;
constexpr int64_t kMaxEventTimeAheadMs = 24LL * 3600 * 1000;  // as the hub's ingest
constexpr int64_t kMaxSpanMs = 400LL * 24 * 3600 * 1000;
constexpr int64_t kMaxOffsetMs = 14LL * 3600 * 1000;  // the largest UTC offset

// A secret from a file (first line, at most 4 KiB) or else from the environment; empty if
// neither is given.
Result<std::string> ReadSecret(const std::string& file, const char* env) {
  if (file.empty()) {
    const char* v = std::getenv(env);
    return std::string(v ? v : "");
  }
  std::ifstream in(file);
  if (!in) return Status::NotFound(file + ": cannot open the password file");
  std::string secret(4097, '\0');
  in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
  secret.resize(static_cast<size_t>(in.gcount()));
  if (secret.size() > 4096) return Status::InvalidArgument(file + ": longer than 4 KiB");
  secret = secret.substr(0, secret.find_first_of("\r\n"));
  return secret;
}

// The web server's options shared by `serve` and `run --http`.
void AddWebOptions(CLI::App* cmd, WebOptions* web, bool required) {
  auto* http = cmd->add_option("--http", web->listen,
                               "serve the web app and its API on HOST:PORT (docs/hub-api.md)");
  if (required) http->capture_default_str();
  cmd->add_option("--hub-config", web->hub_config,
                  "hub config (TOML): journey stage order and regions");
  cmd->add_option("--web-root", web->web_root,
                  "the web app's files (default: <dir of this program>/web, else "
                  "/usr/share/touchpoint/web)");
  cmd->add_option("--tls-cert", web->tls_cert, "serve HTTPS with this certificate (PEM)");
  cmd->add_option("--tls-key", web->tls_key, "the certificate's key (PEM)");
}

// Starts the web server; prints its URL once listening and, while no user exists, the one-time
// setup link.
Result<std::unique_ptr<WebServer>> StartWeb(WebOptions web) {
  auto server = WebServer::Create(std::move(web));
  if (!server.ok()) return server.status();
  if (Status s = (*server)->Start(); !s.ok()) return s;
  std::printf("hub: web app at %s\n", (*server)->url().c_str());
  if (std::string setup = (*server)->SetupUrl(); !setup.empty()) {
    std::printf("hub: first start: create the admin at %s\n", setup.c_str());
  }
  std::fflush(stdout);
  return server;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "touchpoint-hub: %s\n", s.ToString().c_str());
  return 1;
}

std::unique_ptr<HubStore> OpenOrExit(const std::string& db) {
  auto store = OpenSqliteHubStore(db);
  if (!store.ok()) {
    std::fprintf(stderr, "touchpoint-hub: %s: %s\n", db.c_str(), store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store.value());
}

// A --from/--to time: store-local by default ("2026-11-23", "2026-11-23T10",
// "2026-11-23T10:00", "2026-11-23T10:00:00"), UTC with a trailing Z. Local times come back as
// wall-clock ms written as UTC (ViewFilter::Basis::kLocal).
struct MapTime {
  int64_t ms = 0;
  bool utc = false;
};

std::optional<MapTime> ParseTime(const std::string& s, const char* what) {
  if (s.empty()) return std::nullopt;
  std::string t = s;
  bool utc = !t.empty() && (t.back() == 'Z' || t.back() == 'z');
  if (utc) t.pop_back();
  if (t.size() == 10) t += "T00:00:00.000";
  if (t.size() == 13) t += ":00:00.000";
  if (t.size() == 16) t += ":00.000";
  if (t.size() == 19) t += ".000";
  auto ms = t.size() == 23 ? ParseUtcMs(t + "Z") : std::nullopt;
  if (!ms) {
    std::fprintf(stderr,
                 "touchpoint-hub: --%s: '%s' is not a store-local time like 2026-11-23T10:00 "
                 "(or a UTC time like 2026-11-23T10:00Z)\n",
                 what, s.c_str());
    std::exit(2);
  }
  return MapTime{*ms, utc};
}

}  // namespace

int main(int argc, char** argv) {
  // The database holds every store's feedback: files 0640 at most (owner writes, group reads).
  ::umask(027);
  CLI::App app{"touchpoint-hub: merges kiosk events into the journey map"};
  app.require_subcommand(1);
  std::string db = "hub.db";
  app.add_option("--db", db, "hub database file")->capture_default_str();

  HubOptions opts;
  std::string password_file;
  auto* run = app.add_subcommand("run", "subscribe to all kiosks, store idempotently, ack");
  run->add_option("--broker", opts.broker_uri, "broker URI (tcp:// or ssl://)")
      ->capture_default_str();
  run->add_option("--prefix", opts.topic_prefix, "topic prefix")->capture_default_str();
  run->add_option("--client-id", opts.client_id, "MQTT client id")->capture_default_str();
  run->add_option("--shared-group", opts.shared_group,
                  "subscribe as $share/<group>/... so several hubs split the load");
  run->add_option("--username", opts.username, "broker user name");
  run->add_option("--password-file", password_file,
                  "file holding the broker password (or set TOUCHPOINT_MQTT_PASSWORD); never "
                  "on the command line, where every user sees it");
  run->add_option("--ca-file", opts.ca_file, "TLS: broker CA");
  run->add_option("--cert-file", opts.cert_file, "TLS: client certificate");
  run->add_option("--key-file", opts.key_file, "TLS: client key");
  run->add_flag("--enrol-on-first-sight", opts.enrol_on_first_sight,
                "accept unregistered kiosks and register them at the store they name (demos "
                "only: anyone who may publish on the broker becomes a kiosk)");
  run->add_option("--max-message-bytes", opts.max_message_bytes, "larger messages are rejected")
      ->capture_default_str();
  run->add_option("--decode-threads", opts.decode_threads,
                  "threads validating messages (0: one per core, at most 4)")
      ->capture_default_str();
  run->add_option("--gap-timeout-ms", opts.gap_timeout_ms,
                  "re-request a sequence hole older than this (0: never)")
      ->capture_default_str();

  WebOptions web;
  std::string run_http;
  run->add_option("--http", run_http,
                  "also serve the web app and its API on HOST:PORT (as `serve`; live notices "
                  "come from this hub's writer)");
  run->add_option("--hub-config", web.hub_config, "with --http: the hub config (TOML)");
  run->add_option("--web-root", web.web_root, "with --http: the web app's files");
  run->add_option("--tls-cert", web.tls_cert, "with --http: HTTPS certificate (PEM)");
  run->add_option("--tls-key", web.tls_key, "with --http: the certificate's key (PEM)");
  auto* serve = app.add_subcommand(
      "serve",
      "serve the web app and its JSON API over the hub database (another process may run the "
      "hub on the same file: live notices follow its commits)");
  AddWebOptions(serve, &web, true);

  ViewFilter filter;
  std::string from, to, format = "table";
  auto* map = app.add_subcommand(
      "map",
      "print the journey map from the rollup cells (event time, store-local hours; default: the "
      "last 30 days)");
  map->add_option("--store", filter.stores, "only these stores (repeat, or comma-separated)")
      ->delimiter(',');
  map->add_option("--touchpoint", filter.touchpoint, "only this touchpoint");
  map->add_option("--stage", filter.stage, "only this journey stage");
  map->add_option("--from", from,
                  "from this store-local time (inclusive), e.g. 2026-11-23 or 2026-11-23T08:00; "
                  "a trailing Z means UTC");
  map->add_option("--to", to, "to this store-local time (exclusive); trailing Z: UTC");
  map->add_flag("--include-suspect", filter.include_suspect,
                "count sessions flagged suspect in responses and scores");
  map->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();

  std::string import_file;
  auto* imp = app.add_subcommand("import", "merge a kiosk export file (JSON lines) with dedup");
  imp->add_option("file", import_file, "file written by touchpoint-kiosk export")->required();
  bool enrol = false;
  imp->add_flag("--enrol", enrol,
                "register kiosks that are not registered yet at the store their events name");

  auto* rebuild = app.add_subcommand(
      "rebuild-rollups",
      "recompute every rollup cell and the kiosk counters from the stored events and report "
      "what differed");

  auto* gaps = app.add_subcommand("gaps", "sequence holes per kiosk, and gaps kiosks confirmed");
  size_t limit = 50;
  auto* rejects = app.add_subcommand("rejects", "rejected payloads with the reason");
  rejects->add_option("--limit", limit, "newest N")->capture_default_str();
  auto* kiosks = app.add_subcommand(
      "kiosks",
      "kiosks: registration, online/offline, last status, queue depth, versions, events held, "
      "conflicts; `kiosks add` / `kiosks remove` register and unregister");
  kiosks->require_subcommand(0, 1);
  std::string reg_kiosk, reg_store;
  auto* kiosks_add = kiosks->add_subcommand("add", "register a kiosk at its store");
  kiosks_add->add_option("kiosk", reg_kiosk, "kiosk id (its certificate's CN)")->required();
  kiosks_add->add_option("--store", reg_store, "the store it stands in")->required();
  auto* kiosks_remove =
      kiosks->add_subcommand("remove", "unregister a kiosk: its events stay, new ones are refused");
  kiosks_remove->add_option("kiosk", reg_kiosk, "kiosk id")->required();

  AddConfigCommands(app);
  CLI11_PARSE(app, argc, argv);
  if (std::optional<int> rc = RunConfigCommands()) return *rc;

  if (*run) {
    opts.db_path = db;
    if (auto pw = ReadSecret(password_file, "TOUCHPOINT_MQTT_PASSWORD"); !pw.ok()) {
      return Fail(pw.status());
    } else {
      opts.password = std::move(pw.value());
    }
    // With --http the web server shares the process; the writer tells it of each commit.
    std::unique_ptr<WebServer> web_server;
    std::atomic<WebServer*> web_notify{nullptr};
    if (!run_http.empty()) {
      opts.on_commit = [&web_notify](int64_t inserted) {
        if (WebServer* w = web_notify.load()) w->NotifyCommit(inserted);
      };
    }
    auto hub = Hub::Create(opts);
    if (!hub.ok()) return Fail(hub.status());
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    if (!run_http.empty()) {
      web.listen = run_http;
      web.db_path = db;
      web.poll_data_version = false;
      // Alerts the rules open go out on <prefix>/alerts.
      web.on_alert = [h = hub->get()](const std::string& alert) { h->PublishAlert(alert); };
      auto w = StartWeb(web);
      if (!w.ok()) return Fail(w.status());
      web_server = std::move(w.value());
      web_notify = web_server.get();
    }
    if (Status s = (*hub)->Start(); !s.ok()) return Fail(s);
    // systemd (docs/operations.md): READY once the store is open and the writer runs; pings
    // while the writer and this loop answer.
    Heartbeat main_loop;
    ServiceWatchdog watchdog(nullptr, [](const std::string& unresponsive) {
      if (!unresponsive.empty()) {
        std::fprintf(stderr, "hub: watchdog: not responding: %s\n", unresponsive.c_str());
      }
    });
    watchdog.Watch("main loop", &main_loop);
    watchdog.Watch("writer", &(*hub)->writer_heartbeat());
    watchdog.Ready("hub running");
    bool announced = false;
    while (!g_stop) {
      main_loop.Beat(50);
      if (!announced && (*hub)->Subscribed()) {
        std::printf("hub: subscribed to %s/+/+/events on %s\n", opts.topic_prefix.c_str(),
                    opts.broker_uri.c_str());
        std::fflush(stdout);
        announced = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    watchdog.Stop();
    (*hub)->Stop();
    web_notify = nullptr;
    if (web_server) web_server->Stop();
    HubCounters c = (*hub)->Counters();
    std::printf("hub: stopped: %lld messages, %lld events stored, %lld duplicates, %lld rejects\n",
                static_cast<long long>(c.messages), static_cast<long long>(c.events_inserted),
                static_cast<long long>(c.duplicates), static_cast<long long>(c.rejects));
    return 0;
  }

  if (*serve) {
    web.db_path = db;
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    auto server = StartWeb(web);
    if (!server.ok()) return Fail(server.status());
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (*server)->Stop();
    std::printf("hub: web app stopped\n");
    return 0;
  }

  auto store = OpenOrExit(db);
  if (*map) {
    auto from_t = ParseTime(from, "from");
    auto to_t = ParseTime(to, "to");
    if (from_t && to_t && from_t->utc != to_t->utc) {
      std::fprintf(stderr,
                   "touchpoint-hub: map: --from and --to must both be store-local times or both "
                   "UTC (trailing Z)\n");
      return 2;
    }
    bool utc = (from_t && from_t->utc) || (to_t && to_t->utc);
    filter.basis = utc ? ViewFilter::Basis::kUtc : ViewFilter::Basis::kLocal;
    if (from_t) filter.from_ms = from_t->ms;
    if (to_t) filter.to_ms = to_t->ms;
    // Bounded by default: up to now (and the next day, which the hub accepts ahead of its own
    // clock; local: plus the largest offset, 14 h), from 30 days before the end. An event dated
    // years ahead cannot stretch it.
    if (!filter.to_ms) filter.to_ms = NowMs() + kMaxEventTimeAheadMs + (utc ? 0 : kMaxOffsetMs);
    if (!filter.from_ms) filter.from_ms = *filter.to_ms - kDefaultSpanMs;
    if (*filter.to_ms - *filter.from_ms > kMaxSpanMs) {
      std::fprintf(stderr, "touchpoint-hub: map: --from %s --to %s spans more than 400 days\n",
                   from.empty() ? "(default)" : from.c_str(),
                   to.empty() ? "(default)" : to.c_str());
      return 2;
    }
    // Hours are listed over the range asked for; within a default range, from the first to the
    // last hour with data.
    ViewFilter shown = filter;
    if (from.empty()) shown.from_ms.reset();
    if (to.empty()) shown.to_ms.reset();
    MapFormat f = format == "csv"    ? MapFormat::kCsv
                  : format == "json" ? MapFormat::kJson
                                     : MapFormat::kTable;
    // Streamed: a month of every store is ~400k rows, written as they are read (flat memory).
    // A cell that cannot be read stops the map with an error and exit status 1 after the rows
    // before it.
    JourneyMapWriter out(
        f, [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); });
    JourneyMapBuilder journey(shown, [&](MapCell&& c) { out.Write(c); });
    Status read = store->ForEachCell(filter, [&](const ViewRow& cell) {
      journey.Add(cell);
      return Status::Ok();
    });
    if (!read.ok()) return Fail(read);
    journey.Finish();
    out.Finish();
    return 0;
  }
  if (*rebuild) {
    auto r = store->RebuildRollups();
    if (!r.ok()) return Fail(r.status());
    std::printf(
        "rebuild-rollups: %lld events read; %lld cells: %lld added, %lld removed, %lld changed%s\n",
        static_cast<long long>(r->events), static_cast<long long>(r->cells),
        static_cast<long long>(r->added), static_cast<long long>(r->removed),
        static_cast<long long>(r->changed),
        r->added + r->removed + r->changed == 0 ? " (the cells matched the events)" : "");
    std::printf("rebuild-rollups: kiosk counters of %lld kiosks recomputed, %lld changed%s\n",
                static_cast<long long>(r->kiosks), static_cast<long long>(r->kiosks_changed),
                r->kiosks_changed == 0 ? " (they matched the events)" : "");
    return 0;
  }
  if (*imp) {
    auto r = ImportJsonLines(store.get(), import_file, enrol, NowMs());
    if (!r.ok()) return Fail(r.status());
    for (const KioskRegistration& k : r->enrolled) {
      std::printf("enrolled kiosk %s at store %s\n", k.kiosk.c_str(), k.store.c_str());
    }
    std::printf(
        "imported %s: %lld lines, %lld new events, %lld already held, %lld rejected (%lld "
        "conflicts)\n",
        import_file.c_str(), static_cast<long long>(r->lines), static_cast<long long>(r->inserted),
        static_cast<long long>(r->duplicates), static_cast<long long>(r->rejected),
        static_cast<long long>(r->conflicts));
    if (r->rejected > 0) std::printf("see: touchpoint-hub --db %s rejects\n", db.c_str());
    return 0;
  }
  if (*gaps) {
    auto seqs = store->AccountedSeqs();
    if (!seqs.ok()) return Fail(seqs.status());
    std::printf("%-24s %-12s %s\n", "kiosk", "state", "seqs");
    for (const KioskSeqs& k : seqs.value()) {
      uint64_t next = 1;
      for (const SeqRange& r : k.ranges) {
        if (r.first > next) {
          std::printf("%-24s %-12s %llu..%llu\n", k.kiosk.c_str(), "open",
                      static_cast<unsigned long long>(next),
                      static_cast<unsigned long long>(r.first - 1));
        }
        next = r.last + 1;
      }
    }
    auto known = store->KnownGaps();
    if (!known.ok()) return Fail(known.status());
    for (const KnownGap& g : known.value()) {
      std::printf("%-24s %-12s %llu..%llu (kiosk no longer has them, reported %s)\n",
                  g.kiosk.c_str(), "known", static_cast<unsigned long long>(g.range.first),
                  static_cast<unsigned long long>(g.range.last),
                  FormatUtcMs(g.reported_ms).c_str());
    }
    return 0;
  }
  if (*rejects) {
    auto n = store->RejectCount();
    auto rs = store->Rejects(limit);
    if (!n.ok()) return Fail(n.status());
    if (!rs.ok()) return Fail(rs.status());
    std::printf("%lld rejected payloads (newest first)\n", static_cast<long long>(*n));
    for (const Reject& r : rs.value()) {
      std::printf("%s  %s  kiosk=%s seq=%s bytes=%lld sha256=%s\n  reason: %s\n",
                  FormatUtcMs(r.received_ms).c_str(), r.source.c_str(),
                  r.kiosk.empty() ? "?" : r.kiosk.c_str(),
                  r.seq ? std::to_string(*r.seq).c_str() : "?",
                  static_cast<long long>(r.payload_bytes),
                  r.payload_sha256.empty() ? "-" : r.payload_sha256.c_str(), r.reason.c_str());
    }
    return 0;
  }
  if (*kiosks_add) {
    if (!IsValidId(reg_kiosk) || !IsValidId(reg_store)) {
      std::fprintf(stderr, "touchpoint-hub: kiosks add: ids are [A-Za-z0-9_-]{1,64}\n");
      return 2;
    }
    if (Status s = store->RegisterKiosk({reg_kiosk, reg_store, NowMs(), "cli"}); !s.ok()) {
      return Fail(s);
    }
    std::printf("registered kiosk %s at store %s\n", reg_kiosk.c_str(), reg_store.c_str());
    return 0;
  }
  if (*kiosks_remove) {
    auto removed = store->UnregisterKiosk(reg_kiosk);
    if (!removed.ok()) return Fail(removed.status());
    if (!*removed) {
      std::fprintf(stderr, "touchpoint-hub: kiosks remove: %s is not registered\n",
                   reg_kiosk.c_str());
      return 1;
    }
    std::printf("unregistered kiosk %s: its events stay, new ones are refused\n",
                reg_kiosk.c_str());
    return 0;
  }
  if (*kiosks) {
    auto ks = store->Kiosks();
    if (!ks.ok()) return Fail(ks.status());
    // state/last_status/queue/versions: from the kiosk's latest retained status message (the
    // broker publishes its last will, "offline", when it disappears); "-" if none yet.
    std::printf("%-20s %-14s %-10s %-8s %-24s %8s %-14s %-16s %10s %10s %9s %8s  %s\n", "kiosk",
                "store", "registered", "state", "last_status", "queue", "software", "config",
                "events", "max_seq", "conflicts", "bad_time", "last_event_received");
    for (const KioskSummary& k : ks.value()) {
      const std::optional<KioskStatus>& st = k.status;
      auto or_dash = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
      std::string queue = st && st->queue_depth ? std::to_string(*st->queue_depth) : "-";
      std::printf("%-20s %-14s %-10s %-8s %-24s %8s %-14s %-16s %10lld %10llu %9lld %8lld  %s\n",
                  k.kiosk.c_str(), k.store.c_str(),
                  k.registration ? k.registration->how.c_str() : "NO", st ? st->state.c_str() : "-",
                  st ? FormatUtcMs(st->received_ms).c_str() : "-", queue.c_str(),
                  st ? or_dash(st->software_version).c_str() : "-",
                  st ? or_dash(st->config_version).c_str() : "-", static_cast<long long>(k.events),
                  static_cast<unsigned long long>(k.max_seq), static_cast<long long>(k.conflicts),
                  static_cast<long long>(k.time_out_of_range),
                  k.last_received_ms ? FormatUtcMs(k.last_received_ms).c_str() : "-");
    }
    return 0;
  }
  return 0;
}
