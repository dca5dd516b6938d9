// The journey map: rollups by EVENT time (not arrival) per store x touchpoint x journey stage x
// UTC hour, built from the hub store's facts. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

struct MapCell {
  std::string store, touchpoint, stage;
  int64_t hour_ms = 0;  // start of the UTC hour
  // Counting coverage: "ok" (the whole hour counted), "partial", or "missing" (no counting at
  // all: visitors are unknown, not zero).
  std::string coverage = "missing";
  double counted_fraction = 0;  // counted seconds / 3600
  int64_t gap_s = 0;            // seconds reported not counting (coverage events)
  std::optional<int64_t> visitors_in, visitors_out;  // nullopt when missing
  int64_t responses = 0;                             // feedback sessions (suspect ones included)
  int64_t suspect = 0;                               // of which flagged suspect
  int64_t abandoned = 0;                             // feedback_abandoned sessions
  std::optional<double> response_rate;               // responses / visitors_in
  std::array<int64_t, 5> csat_counts{};              // answers 1..5
  std::optional<double> csat_mean;
  int64_t nps_answers = 0;
  std::optional<double> nps;  // % promoters (9-10) - % detractors (0-6)
  int64_t effort_answers = 0;
  std::optional<double> effort_mean;                         // 1 (easy) .. 7
  std::vector<std::pair<std::string, int64_t>> top_reasons;  // at most 3, most frequent first
};

// Cells in (store, touchpoint, stage, hour) order. Within each group every hour from the first
// to the last with data (or the filter's range, if given) appears, so missing hours show.
std::vector<MapCell> BuildJourneyMap(const std::vector<MapFact>& facts, const MapFilter& filter);

enum class MapFormat { kTable, kCsv, kJson };
std::string FormatJourneyMap(const std::vector<MapCell>& cells, MapFormat format);

}  // namespace touchpoint::hub
