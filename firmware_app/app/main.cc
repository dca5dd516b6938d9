// touchpoint-kiosk: the in-store appliance. Parses flags and hands over to KioskApp.
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "kiosk_app.h"
#include "touchpoint/core/config.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/export.h"

using namespace touchpoint;

namespace {

Result<Config> LoadOrDefault(const std::string& path) {
  if (!path.empty()) return LoadConfig(path);
  return ParseConfig(ExampleConfigToml(), "<built-in example config>");
}

// Prints the last `n` stored events and a count per type.
int ShowStored(EventStore& store, int n) {
  auto reader = store.NewReader();
  if (!reader.ok()) {
    std::cerr << reader.status().ToString() << "\n";
    return 1;
  }
  StoreStats st = store.Stats();
  uint64_t first = st.last_seq > static_cast<uint64_t>(n) ? st.last_seq - n + 1 : 1;
  auto events = (*reader)->ReadRange(first, st.last_seq, static_cast<size_t>(n));
  if (!events.ok()) {
    std::cerr << events.status().ToString() << "\n";
    return 1;
  }
  auto all = (*reader)->ReadByTime(std::nullopt, std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max());
  std::map<std::string, int64_t> by_type;
  if (all.ok()) {
    for (const auto& e : *all) by_type[EventTypeName(e.type)]++;
  }
  std::cout << "stored events: " << (all.ok() ? all->size() : 0)
            << " (pending for the hub: " << st.pending << ", last seq " << st.last_seq
            << ", database " << st.file_bytes / 1024 << " KiB)\n";
  for (const auto& [type, count] : by_type) std::cout << "  " << type << ": " << count << "\n";
  std::cout << "last " << events->size() << " events:\n";
  for (const auto& e : *events) std::cout << e.json << "\n";
  return 0;
}

}  // namespace

// Under systemd (JOURNAL_STREAM names the journal as our stderr), log to the journal directly:
// each line keeps its priority (error, warning, info) and the unit's identifier.
void LogToJournalUnderSystemd() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr || *stream == '\0') return;
  auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("touchpoint-kiosk");
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("touchpoint-kiosk", sink));
}

int main(int argc, char** argv) {
  // Files the kiosk creates are not world-readable (its data, exports, PIN hash); the code also
  // sets explicit modes where it creates them (touchpoint/core/data_files.h).
  ::umask(027);
  LogToJournalUnderSystemd();
  CLI::App cli{"Touchpoint kiosk: in-store feedback and footfall appliance"};
  std::string config_path;
  bool check_config = false, print_default = false, headless = false;
  int run_for_s = 0, show_stored = -1;
  app::RunOptions run;
  cli.add_option("-c,--config", config_path, "kiosk config file (TOML)");
  cli.add_flag("--check-config", check_config, "validate the config and exit (0 = good)");
  cli.add_flag("--print-default-config", print_default, "print a documented example config");
  cli.add_flag("--headless", headless, "never open a window");
  cli.add_option("--run-for-s", run_for_s, "stop by itself after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--show-stored", show_stored, "print the last N stored events and exit");
  // === ui flags ===
  cli.add_option("--screenshot-tour", run.screenshot_tour,
                 "render every screen to PNG files in this folder and exit");
  // === end ui flags ===

  auto* export_cmd = cli.add_subcommand("export", "write events as JSON lines for a USB stick");
  std::string export_out;
  bool export_all = false;
  export_cmd->add_option("-o,--out", export_out, "output file (.jsonl)")->required();
  export_cmd->add_flag("--all", export_all, "every stored event, not only those pending");

  CLI11_PARSE(cli, argc, argv);

  if (print_default) {
    std::cout << ExampleConfigToml();
    return 0;
  }
  auto config = LoadOrDefault(config_path);
  ::unsetenv("TOUCHPOINT_MQTT_PASSWORD");  // read; children need not inherit it
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 2;
  }
  if (check_config) {
    std::cout << config->source << ": ok (kiosk " << config->kiosk.kiosk_id << ", store "
              << config->kiosk.store_id << ", config version " << config->version << ")\n";
    return 0;
  }

  // Signals are blocked before any thread starts, so only the signal thread receives them.
  static std::atomic<bool> stop{false};
  app::HandleStopSignals(&stop);

  app::KioskApp kiosk(std::move(*config), &stop);
  if (Status s = kiosk.Init(show_stored >= 0 || export_cmd->parsed()); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 1;
  }
  if (show_stored >= 0) return ShowStored(*kiosk.store(), show_stored);
  if (export_cmd->parsed()) {
    auto reader = kiosk.store()->NewReader();
    if (!reader.ok()) {
      std::cerr << reader.status().ToString() << "\n";
      return 1;
    }
    ExportOptions opts;
    opts.pending_only = !export_all;
    auto n = ExportEventsJsonl(**reader, export_out, opts);
    if (!n.ok()) {
      std::cerr << n.status().ToString() << "\n";
      return 1;
    }
    std::cout << "exported " << *n << (export_all ? " events" : " pending events") << " to "
              << export_out << "\n";
    return 0;
  }
  run.headless = headless;
  run.run_for_s = run_for_s;
  return kiosk.Run(run);
}
