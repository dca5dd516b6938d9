// touchpoint-hub config sign|push: central signs survey documents for one kiosk and publishes
// them (docs/sync.md "Downlink (config)").
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace touchpoint::hub {

// Adds the `config` subcommand (with `sign` and `push`) to the hub's command line.
void AddConfigCommands(CLI::App& app);
// After parsing: runs `config sign|push` and returns its exit code, or nullopt when another
// subcommand was chosen.
std::optional<int> RunConfigCommands();

}  // namespace touchpoint::hub
