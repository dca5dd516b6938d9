// One definition of the metrics (docs/metrics.md): the same events give the kiosk dashboard's
// figures and the hub's figures exactly, per local hour and in total, with suspect sessions
// (left out by default, included on request), two CSAT questions in one survey, reasons,
// abandoned sessions, footfall with dwell per zone and ratings with a crowd context, in a store
// at UTC+1.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rollups.h"  // the cells' detail blob (hub/src)
#include "stats.h"    // the dashboard's aggregation (ui/src)
#include "test_support.h"
#include "touchpoint/core/clock.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/core/metrics.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {
namespace {

constexpr int64_t kT0 = 1795428000000;  // 2026-11-23T10:00:00Z = 11:00 local at UTC+1
constexpr int64_t kMin = 60'000;

Answer Score(const char* id, QuestionType t, int s) { return Answer{id, t, s, {}, ""}; }

std::vector<Event> Events(const EventStamper& st) {
  std::vector<Event> out;
  auto feedback = [&](int64_t t, int store_csat, int checkout_csat, int nps, int effort,
                      std::vector<std::string> tags, bool suspect) {
    FeedbackPayload p;
    p.survey_id = "visit";
    p.survey_version = 2;
    p.language = "de";
    p.duration_ms = 8000;
    p.answers = {Score("store", QuestionType::kCsat, store_csat),
                 Score("checkout", QuestionType::kCsat, checkout_csat),
                 Answer{"why", QuestionType::kTags, std::nullopt, std::move(tags), ""},
                 Score("recommend", QuestionType::kNps, nps),
                 Score("effort", QuestionType::kEffort, effort)};
    p.suspect = suspect;
    if (suspect) p.suspect_reason = "rapid_repeat";
    // v2 context on most: the crowd grows with the minute; every fourth is from a v1 kiosk.
    if (t / kMin % 4 != 0) p.context = FeedbackContext{t / kMin % 13, 7, std::nullopt};
    Event e = st.MakeAt(p, t);
    if (!p.context) e.schema_version = 1;
    out.push_back(e);
  };
  for (int h = 0; h < 3; ++h) {
    for (int m = 0; m < 60; m += 15) {
      FootfallPayload f;
      f.interval_start_ms = kT0 + h * 60 * kMin + m * kMin;
      f.interval_s = 900;
      f.lines = {{"door", 3 + h + m / 15, 2 + m / 15}, {"side", 1, 1}};
      ZoneStats queue;
      queue.id = "queue";
      queue.visits = queue.dwell_n = 1 + m / 15;
      queue.occupancy_max = 2;
      queue.occupancy_mean = 0.5;
      queue.dwell_mean_s = 7.25 + h * 40;
      queue.dwell_p90_s = 9.0 + h * 40;
      queue.dwell_hist[DwellBucketOf(*queue.dwell_mean_s)] = queue.dwell_n;
      ZoneStats empty;
      empty.id = "shelf";
      f.zones = {queue, empty};
      out.push_back(st.MakeAt(f, f.interval_start_ms));
    }
    feedback(kT0 + h * 60 * kMin + 5 * kMin, 5, 2, 10, 2, {"staff"}, false);
    feedback(kT0 + h * 60 * kMin + 20 * kMin, 1 + h, 4, 3, 6, {"queue", "price"}, false);
    feedback(kT0 + h * 60 * kMin + 21 * kMin, 1, 1, 0, 7, {"queue"}, true);  // a robot
    FeedbackAbandonedPayload a;
    a.survey_id = "visit";
    a.questions_total = 5;
    a.questions_answered = 1;
    a.answers = {Score("store", QuestionType::kCsat, 1)};
    out.push_back(st.MakeAt(a, kT0 + h * 60 * kMin + 40 * kMin));
  }
  uint64_t seq = 0;
  for (Event& e : out) e.seq = ++seq;
  return out;
}

void ExpectSameFigures(const metrics::Figures& kiosk, const metrics::Figures& hub) {
  EXPECT_EQ(kiosk.responses, hub.responses);
  EXPECT_EQ(kiosk.suspect, hub.suspect);
  EXPECT_EQ(kiosk.abandoned, hub.abandoned);
  EXPECT_EQ(kiosk.visitors_in, hub.visitors_in);
  EXPECT_EQ(kiosk.visitors_out, hub.visitors_out);
  EXPECT_EQ(kiosk.response_rate, hub.response_rate);
  EXPECT_EQ(kiosk.csat_mean, hub.csat_mean);
  EXPECT_EQ(kiosk.csat_satisfied_pct, hub.csat_satisfied_pct);
  EXPECT_EQ(kiosk.nps, hub.nps);
  EXPECT_EQ(kiosk.effort_mean, hub.effort_mean);
  EXPECT_EQ(kiosk.csat_n, hub.csat_n);
  EXPECT_EQ(kiosk.nps_n, hub.nps_n);
  EXPECT_EQ(kiosk.effort_n, hub.effort_n);
  EXPECT_EQ(kiosk.scored, hub.scored);  // per question id, reasons, unhappy reasons
  EXPECT_EQ(kiosk.dwell_mean_s, hub.dwell_mean_s);
  EXPECT_EQ(kiosk.dwell_p90_s, hub.dwell_p90_s);
  EXPECT_EQ(kiosk.dwell_n, hub.dwell_n);
  EXPECT_EQ(kiosk.csat_satisfied_pct_by_crowd, hub.csat_satisfied_pct_by_crowd);
  EXPECT_EQ(kiosk.csat_n_by_crowd, hub.csat_n_by_crowd);
}

TEST(MetricsEquality, TheDashboardAndTheHubShowTheSameFiguresForTheSameEvents) {
  KioskConfig k;
  k.kiosk_id = "k1";
  k.store_id = "s1";
  k.touchpoint = "checkout";
  k.journey_stage = "pay";
  EventStamper st(k, std::make_shared<ManualClock>(kT0, /*offset_min=*/60));
  std::vector<Event> events = Events(st);

  ui::HourlyStats dashboard;
  HubWrite w;
  for (const Event& e : events) {
    dashboard.Add(e);
    w.events.push_back(ToHubEvent(e, EncodeEvent(e), "import"));
  }
  testing::TempDir dir;
  auto store = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Write(w, kT0 + 86400'000).ok());

  // In total, as the dashboard's "today" and the hub's store row.
  const int64_t local_from = kT0 + 60 * kMin - 60 * kMin * 11;  // local midnight
  metrics::Sums kiosk_total = dashboard.Sum(local_from, local_from + 24 * 60 * kMin);
  ViewFilter f;
  f.from_ms = local_from;
  f.to_ms = local_from + 24 * 60 * kMin;
  auto total = (*store)->View(f, ViewBy::kTotal);
  ASSERT_TRUE(total.ok());
  ASSERT_EQ(total->size(), 1u);
  EXPECT_EQ(kiosk_total, total->front().sums);
  for (bool include_suspect : {false, true}) {
    SCOPED_TRACE(include_suspect ? "suspect included" : "suspect left out");
    ExpectSameFigures(metrics::Compute(kiosk_total, include_suspect),
                      total->front().Figures(include_suspect));
  }
  // Two CSAT questions: the headline is the first ("store"), "checkout" kept apart.
  metrics::Figures fig = total->front().Figures(false);
  EXPECT_EQ(fig.csat_n, 6);
  ASSERT_EQ(fig.scored.questions.count("checkout"), 1u);
  EXPECT_EQ(fig.scored.questions.at("checkout").scores.n(), 6);
  EXPECT_EQ(fig.suspect, 3);
  EXPECT_EQ(fig.responses, 6);
  // Dwell: 3 hours x (1+2+3+4) visits in "queue", none in "shelf".
  EXPECT_EQ(fig.dwell_n, 30);
  ASSERT_TRUE(fig.dwell_mean_s);
  EXPECT_NEAR(*fig.dwell_mean_s, (10 * 7.25 + 10 * 47.25 + 10 * 87.25) / 30, 1e-9);
  ASSERT_TRUE(fig.dwell_p90_s);
  EXPECT_GE(*fig.dwell_p90_s, 60.0);  // the third hour's 87 s visits: bucket 60..120 s
  EXPECT_EQ(fig.dwell_by_zone.count("shelf"), 0u);
  int64_t crowd_n = 0;
  for (int64_t n : fig.csat_n_by_crowd) crowd_n += n;
  EXPECT_GT(crowd_n, 0);
  EXPECT_LT(crowd_n, fig.csat_n) << "v1 ratings carry no context";

  // Per local hour: the dashboard's buckets are the hub's cells.
  auto cells = (*store)->View(f, ViewBy::kCell);
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), dashboard.hours().size());
  for (const ViewRow& c : *cells) {
    auto it = dashboard.hours().find(c.local_ms);
    ASSERT_NE(it, dashboard.hours().end()) << "hub cell at local " << c.local_ms;
    EXPECT_EQ(it->second, c.sums) << "local hour " << c.hour;
    EXPECT_EQ(c.hour, ui::LocalHour(c.local_ms));
  }
}

// The cells' detail blob carries dwell and crowding (version 2) and still reads version 1 blobs
// that cells written before them hold.
TEST(MetricsEquality, CellDetailCarriesDwellAndCrowdAndReadsOldBlobs) {
  metrics::Sums v1_only;
  FeedbackPayload f;
  f.answers = {Score("store", QuestionType::kCsat, 4), Score("recommend", QuestionType::kNps, 9)};
  v1_only.ok.AddFeedback(f);
  std::string blob = rollups::EncodeDetail(v1_only);
  ASSERT_EQ(blob[0], 2);
  // The same cell as a version 1 blob: without the 13 bytes of empty crowd and dwell sections.
  std::string old = std::string(1, '\x01') + blob.substr(1, blob.size() - 1 - 13);
  metrics::Sums back;
  back.ok.sessions = v1_only.ok.sessions;  // a column, not in the blob
  ASSERT_TRUE(rollups::DecodeDetail(old, &back).ok());
  EXPECT_EQ(back, v1_only);

  metrics::Sums full = v1_only;
  f.context = FeedbackContext{4, 20, 1};
  full.ok.AddFeedback(f);
  ZoneStats z;
  z.id = "queue";
  z.visits = z.dwell_n = 2;
  z.dwell_mean_s = 12.5;
  z.dwell_p90_s = 15;
  z.dwell_hist[2] = 2;
  full.AddZones({z});
  metrics::Sums round;
  round.ok.sessions = full.ok.sessions;
  ASSERT_TRUE(rollups::DecodeDetail(rollups::EncodeDetail(full), &round).ok());
  EXPECT_EQ(round, full);
  EXPECT_EQ(round.dwell.at("queue").sum_ms, 25000);
  EXPECT_EQ(round.ok.csat_by_crowd[metrics::CrowdBandOf(4)].n(), 1);
  // A blob cut short is corrupt, with where.
  std::string cut = rollups::EncodeDetail(full);
  cut.pop_back();
  metrics::Sums bad;
  Status s = rollups::DecodeDetail(cut, &bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cells.detail: malformed at byte"), std::string::npos) << s.message();
}

// ForEachCell reads cell after cell into one reused row: each read equals a fresh read of that
// cell alone, whichever question, reason and zone keys the cell before held (more, fewer, other
// ones, none), for version 1 and 2 blobs and cells without detail. A blob whose keys are not in
// strictly increasing order is corrupt.
TEST(MetricsEquality, CellsReadIntoOneReusedRowEqualFreshReads) {
  auto session = [](std::vector<std::string> tags, std::vector<const char*> questions, int csat,
                    std::optional<FeedbackContext> context) {
    FeedbackPayload f;
    for (const char* q : questions) f.answers.push_back(Score(q, QuestionType::kCsat, csat));
    f.answers.push_back(Answer{"why", QuestionType::kTags, std::nullopt, std::move(tags), ""});
    f.context = context;
    return f;
  };
  auto zone = [](const char* id, int n) {
    ZoneStats z;
    z.id = id;
    z.visits = z.dwell_n = n;
    z.dwell_mean_s = 10;
    z.dwell_p90_s = 12;
    z.dwell_hist[1] = n;
    return z;
  };
  std::vector<metrics::Sums> cells(5);
  cells[0].ok.AddFeedback(session({"queue", "staff"}, {"store", "checkout"}, 2, std::nullopt));
  cells[0].suspect.AddFeedback(session({"price"}, {"store"}, 5, FeedbackContext{3, 10, 1}));
  cells[0].AddZones({zone("entrance", 3), zone("queue", 1)});
  cells[0].visitors_in = 7;
  cells[1].ok.AddFeedback(session({"staff", "tidy"}, {"checkout"}, 5, FeedbackContext{0, 0, 0}));
  cells[1].AddZones({zone("queue", 2)});
  cells[2].abandoned = 1;  // no detail at all
  cells[3].ok.AddFeedback(session({"aisle"}, {"entrance", "store"}, 4, std::nullopt));
  cells[4].ok.AddFeedback(session({"queue", "staff"}, {"store", "checkout"}, 1, std::nullopt));
  cells[4].AddZones({zone("entrance", 1)});

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &raw), SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  ASSERT_EQ(sqlite3_exec(raw, rollups::CellsTableSql("cells").c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "INSERT INTO cells VALUES(1, ?1, 0, ?2)", -1, &insert, nullptr),
            SQLITE_OK);
  auto put = [&](int hour, const metrics::Sums& c, const std::string& detail) {
    sqlite3_reset(insert);
    sqlite3_bind_int64(insert, 1, hour);
    std::string cell = rollups::EncodeCellValues(
        {c.visitors_in, 0, 0, 0, c.abandoned, c.ok.sessions, c.suspect.sessions});
    cell += detail;
    sqlite3_bind_blob(insert, 2, cell.data(), static_cast<int>(cell.size()), SQLITE_TRANSIENT);
    return sqlite3_step(insert) == SQLITE_DONE;
  };
  for (size_t i = 0; i < cells.size(); ++i) {
    ASSERT_TRUE(put(static_cast<int>(i), cells[i], rollups::EncodeDetail(cells[i])));
  }
  // Cell 3 again as a version 1 blob (without the 13 bytes of empty crowd and dwell sections):
  // it must leave no dwell of the cell before behind.
  std::string v2 = rollups::EncodeDetail(cells[3]);
  ASSERT_TRUE(put(5, cells[3], std::string(1, '\x01') + v2.substr(1, v2.size() - 1 - 13)));
  cells.push_back(cells[3]);
  sqlite3_finalize(insert);

  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               (std::string("SELECT ") + rollups::kCellValueColumns +
                                " FROM cells ORDER BY hour_local")
                                   .c_str(),
                               -1, &select, nullptr),
            SQLITE_OK);
  metrics::Sums reused, memo;  // memo: with the row's last detail, to skip repeated sections
  int64_t reused_gap = 99, memo_gap = 99;
  rollups::RowReuse reuse;
  size_t row = 0;
  while (sqlite3_step(select) == SQLITE_ROW) {
    ASSERT_LT(row, cells.size());
    metrics::Sums fresh;
    int64_t fresh_gap = 0;
    ASSERT_TRUE(rollups::AddCellRow(select, 0, &fresh, &fresh_gap).ok());
    ASSERT_TRUE(
        rollups::ReadCellValues(rollups::CellValuesOf(select, 0), &reused, &reused_gap).ok());
    EXPECT_EQ(fresh, cells[row]) << "cell " << row;
    ASSERT_TRUE(
        rollups::ReadCellValues(rollups::CellValuesOf(select, 0), &memo, &memo_gap, &reuse).ok());
    EXPECT_EQ(reused, fresh) << "cell " << row << " read into the row of cell " << row - 1;
    EXPECT_EQ(memo, fresh) << "cell " << row << " read with the row's memo";
    EXPECT_EQ(reused_gap, fresh_gap);
    EXPECT_EQ(memo_gap, fresh_gap);
    ++row;
  }
  EXPECT_EQ(row, cells.size());
  sqlite3_finalize(select);

  // Keys out of order: the blob of a cell whose two reasons are swapped.
  metrics::Sums two;
  two.ok.AddFeedback(session({"aa", "bb"}, {}, 3, std::nullopt));
  std::string blob = rollups::EncodeDetail(two);
  size_t a = blob.find("aa"), b = blob.find("bb");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  std::swap(blob[a], blob[b]);
  std::swap(blob[a + 1], blob[b + 1]);
  metrics::Sums bad;
  Status s = rollups::DecodeDetail(blob, &bad);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cells.detail: malformed at byte"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace touchpoint::hub
