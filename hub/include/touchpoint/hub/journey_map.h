// The journey map: per store x touchpoint x journey stage x store-LOCAL hour by event time (not
// arrival), from the hub store's rollup cells (HubStore::View, ViewBy::kCell) with every figure
// from metrics::Compute. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {

struct MapCell {
  std::string store, touchpoint, stage;
  int64_t hour_local_ms = 0;   // start of the local hour (wall clock written as UTC ms)
  int32_t utc_offset_min = 0;  // of the cell's events
  int64_t hour_ms = 0;         // the UTC instant the local hour starts at
  // Counting coverage: "ok" (the whole hour counted), "partial", or "missing" (no counting at
  // all: visitors are unknown, not zero).
  std::string coverage = "missing";
  double counted_fraction = 0;  // counted seconds / 3600
  int64_t gap_s = 0;            // seconds reported not counting (coverage events)
  std::optional<int64_t> visitors_in, visitors_out;  // nullopt when missing
  int64_t responses = 0;  // scored sessions (metrics::Figures: suspect ones only if included)
  int64_t suspect = 0;    // sessions flagged suspect (always counted apart)
  int64_t abandoned = 0;  // feedback_abandoned sessions
  std::optional<double> response_rate;   // responses / visitors_in
  std::array<int64_t, 5> csat_counts{};  // answers 1..5
  std::optional<double> csat_mean;
  std::optional<double> csat_satisfied_pct;  // % of CSAT answers 4-5
  int64_t nps_answers = 0;
  std::optional<double> nps;  // % promoters (9-10) - % detractors (0-6)
  int64_t effort_answers = 0;
  std::optional<double> effort_mean;                         // 1 (easy) .. 7
  std::vector<std::pair<std::string, int64_t>> top_reasons;  // at most 3, most frequent first
};

// The map from the rollup cells of View(filter, ViewBy::kCell), in (store, touchpoint, stage,
// local hour, offset) order, figures from metrics::Compute(sums, filter.include_suspect). Within
// each group every local hour from the first to the last with data (or the filter's local range,
// if given) appears, so missing hours show; such a row takes the offset of the cell before it. A
// day that turns the clocks back shows its repeated local hour twice, once per offset.
std::vector<MapCell> JourneyMapFromCells(const std::vector<ViewRow>& cells,
                                         const ViewFilter& filter);

// The same map built from cells given one at a time (HubStore::ForEachCell), in that order:
// only one group's cells are held before they become map cells, each handed to `sink` in map
// order (without a sink they are collected and returned by Finish).
class JourneyMapBuilder {
 public:
  using Sink = std::function<void(MapCell&&)>;
  explicit JourneyMapBuilder(const ViewFilter& filter, Sink sink = nullptr);
  void Add(const ViewRow& cell);
  std::vector<MapCell> Finish();  // the map (empty with a sink); the builder is empty afterwards

 private:
  void FlushGroup();  // the group's hours, the missing ones filled in, to the sink
  void Emit(MapCell&& c);
  ViewFilter filter_;
  Sink sink_;
  std::vector<MapCell> group_;  // the current (store, touchpoint, stage)'s cells so far
  std::vector<MapCell> out_;
};

enum class MapFormat { kTable, kCsv, kJson };
std::string FormatJourneyMap(const std::vector<MapCell>& cells, MapFormat format);

// The same text written as the cells come (the CLI's map over every store is ~400k rows): CSV
// and JSON exactly as FormatJourneyMap; the table is aligned on its first kTableLookahead rows
// (then exactly as FormatJourneyMap), and a later, wider value widens its column from there on.
class JourneyMapWriter {
 public:
  static constexpr size_t kTableLookahead = 4096;
  using Out = std::function<void(std::string_view text)>;  // where the text goes, piece by piece
  JourneyMapWriter(MapFormat format, Out out);
  void Write(const MapCell& c);
  void Finish();  // writes what is held back and the end (no data: the table says so); once

 private:
  void WriteRow(const std::vector<std::string>& row);
  void Align();  // the table's widths from the rows held, which are then written
  MapFormat format_;
  Out out_;
  size_t rows_ = 0;
  bool aligned_ = false;
  std::vector<std::vector<std::string>> held_;  // the header and rows until the widths are known
  std::vector<size_t> width_;
};

}  // namespace touchpoint::hub
