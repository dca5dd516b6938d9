// The simulated fleet (touchpoint-bench fleet) that the demo and the web app's tests show: its
// history lands in a hub store and shows what its header promises (a store in trouble at one
// stage, two time zones, a kiosk that went quiet, a camera gap), so a screenshot of the journey
// map has something to find.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

int64_t Day(const char* date) { return *ParseUtcMs(std::string(date) + "T00:00:00.000Z"); }

std::optional<double> CsatOf(HubStore& store, const char* from, const char* to) {
  ViewFilter f;
  f.from_ms = Day(from);
  f.to_ms = Day(to);
  f.stores = {"store-05"};
  f.stage = "try";
  auto rows = store.View(f, ViewBy::kTotal);
  EXPECT_TRUE(rows.ok());
  if (!rows.ok() || rows->empty()) return std::nullopt;
  return rows->front().Figures(false).csat_mean;
}

TEST(FleetSim, HistoryShowsTheTroubledStageTwoTimeZonesAQuietKioskAndACameraGap) {
  testing::TempDir dir;
  const std::string jsonl = dir.File("fleet.jsonl");
  ASSERT_TRUE(testing::RunToSuccess({testing::BinaryPath("touchpoint-bench"), "fleet", "--jsonl",
                                     jsonl, "--end-day", "2026-11-29"},
                                    std::chrono::seconds(60)));
  auto store = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto report = ImportJsonLines(store->get(), jsonl, /*enrol=*/true, Day("2026-11-30"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rejected, 0);
  EXPECT_GT(report->inserted, 20000);

  auto kiosks = (*store)->Kiosks();
  ASSERT_TRUE(kiosks.ok());
  EXPECT_EQ(kiosks->size(), 36u);

  // store-05's fitting room turns bad over the last 10 days.
  auto before = CsatOf(**store, "2026-10-31", "2026-11-19");
  auto after = CsatOf(**store, "2026-11-20", "2026-11-30");
  ASSERT_TRUE(before && after);
  EXPECT_GT(*before, 3.0);
  EXPECT_LT(*after, 2.2);
  EXPECT_GT(*before - *after, 1.0);

  // Two time zones: cells at UTC+1 and at UTC+0, every store open from 08:00 local.
  ViewFilter all;
  all.from_ms = Day("2026-11-23");
  all.to_ms = Day("2026-11-24");  // a Monday
  auto cells = (*store)->View(all, ViewBy::kCell);
  ASSERT_TRUE(cells.ok());
  std::set<int32_t> offsets;
  int first_hour = 24;
  for (const ViewRow& r : *cells) {
    offsets.insert(r.utc_offset_min);
    if (r.sums.visitors_in > 0) first_hour = std::min(first_hour, r.hour);
  }
  EXPECT_EQ(offsets, (std::set<int32_t>{0, 60}));
  EXPECT_EQ(first_hour, 8);

  // store-11's checkout went quiet 2 days before the end; its other kiosks did not.
  auto quiet = [&](const std::string& touchpoint) {
    ViewFilter f;
    f.from_ms = Day("2026-11-28");
    f.to_ms = Day("2026-11-30");
    f.stores = {"store-11"};
    f.touchpoint = touchpoint;
    auto rows = (*store)->View(f, ViewBy::kTotal);
    return rows.ok() && rows->empty();
  };
  EXPECT_TRUE(quiet("checkout"));
  EXPECT_FALSE(quiet("entrance"));

  // store-03's entrance camera did not count for 4 hours on 2026-11-26.
  ViewFilter gap;
  gap.from_ms = Day("2026-11-26");
  gap.to_ms = Day("2026-11-27");
  gap.stores = {"store-03"};
  gap.touchpoint = "entrance";
  auto day = (*store)->View(gap, ViewBy::kTotal);
  ASSERT_TRUE(day.ok());
  ASSERT_EQ(day->size(), 1u);
  EXPECT_EQ(day->front().gap_s, 4 * 3600);

  // Dwell per touchpoint zone (store-05's fitting rooms take twice as long in their bad days)
  // and ratings that carry their crowding, rated lower in a crowd than in an empty space.
  ViewFilter month;
  month.from_ms = Day("2026-10-31");
  month.to_ms = Day("2026-11-30");
  auto total = (*store)->View(month, ViewBy::kTotal);
  ASSERT_TRUE(total.ok());
  ASSERT_EQ(total->size(), 1u);
  metrics::Figures fig = total->front().Figures(false);
  EXPECT_EQ((std::set<std::string>{"entrance", "fitting-rooms", "queue"}), [&] {
    std::set<std::string> zones;
    for (const auto& [zone, d] : fig.dwell_by_zone) zones.insert(zone);
    return zones;
  }());
  ASSERT_TRUE(fig.dwell_by_zone["queue"].mean_s && fig.dwell_by_zone["entrance"].mean_s);
  EXPECT_GT(*fig.dwell_by_zone["queue"].mean_s, 3 * *fig.dwell_by_zone["entrance"].mean_s);
  EXPECT_EQ(fig.scored.with_context, fig.responses);
  ASSERT_TRUE(fig.csat_satisfied_pct_by_crowd[0] && fig.csat_satisfied_pct_by_crowd[3]);
  EXPECT_GT(fig.csat_n_by_crowd[3], 100);
  EXPECT_GT(*fig.csat_satisfied_pct_by_crowd[0], *fig.csat_satisfied_pct_by_crowd[3] + 5);
}

}  // namespace
}  // namespace touchpoint::hub
