#include "touchpoint/ui/export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "stats.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_stamper.h"
#include "touchpoint/ui/demo_data.h"

namespace touchpoint::ui {
namespace {

using touchpoint::testing::TempDir;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct Fixture {
  TempDir dir;
  std::shared_ptr<ManualClock> clock =
      std::make_shared<ManualClock>(1'795'428'000'000 /* 2026-11-23T10:00Z */, 60);
  KioskConfig kiosk{"kiosk-1", "store-9"};
  std::unique_ptr<EventStore> store;
  std::unique_ptr<EventStamper> stamper;
  Fixture() {
    EventStoreOptions o;
    o.path = dir.File("events.db");
    o.clock = clock;
    auto s = EventStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(s.value());
    stamper = std::make_unique<EventStamper>(kiosk, clock);
  }
};

TEST(ExportTest, JsonLinesAreExactlyTheStoredEventsAndCsvSumsPerHour) {
  Fixture fx;
  FeedbackPayload good;
  good.survey_id = "default";
  good.survey_version = 1;
  good.language = "en";
  good.duration_ms = 9000;
  good.answers.push_back(Answer{"overall", QuestionType::kCsat, 4, {}, ""});
  good.answers.push_back(Answer{"recommend", QuestionType::kNps, 10, {}, ""});
  FeedbackPayload spam = good;
  spam.suspect = true;
  spam.suspect_reason = "rapid_repeat";
  FootfallPayload ff;
  ff.interval_start_ms = fx.clock->NowUtcMs();
  ff.lines.push_back(LineCount{"door", 12, 9});
  ASSERT_TRUE(fx.store->Append(fx.stamper->Make(good)).ok());
  ASSERT_TRUE(fx.store->Append(fx.stamper->Make(spam)).ok());
  ASSERT_TRUE(fx.store->Append(fx.stamper->MakeAt(ff, fx.clock->NowUtcMs())).ok());

  auto reader = fx.store->NewReader();
  ASSERT_TRUE(reader.ok());
  mode_t old_umask = ::umask(0);  // the worst case: the files' own mode is all that protects them
  auto res = ExportEvents(**reader, fx.dir.path(), "kiosk-1", fx.clock->NowUtcMs());
  ::umask(old_umask);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->events, 3);
  for (const std::string& f : {res->jsonl_path, res->csv_path}) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0640u) << f << ": exports are not world-readable";
  }

  auto stored = (*reader)->ReadByTime(std::nullopt, 0, INT64_MAX / 2);
  ASSERT_TRUE(stored.ok());
  std::vector<std::string> lines = Lines(res->jsonl_path);
  ASSERT_EQ(lines.size(), stored->size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i], (*stored)[i].json);
    EXPECT_TRUE(DecodeEvent(lines[i]).ok()) << "what touchpoint-hub import reads";
  }

  std::vector<std::string> csv = Lines(res->csv_path);
  ASSERT_EQ(csv.size(), 2u) << "header + one local hour (11:00 at UTC+1)";
  EXPECT_EQ(csv[0].rfind("date,hour,visitors_in,visitors_out,responses,flagged", 0), 0u);
  EXPECT_EQ(csv[1], "2026-11-23,11,12,9,1,1,0,4.00,1,100.0,1,,0") << csv[1];
}

TEST(ExportTest, UnwritableFolderIsAClearError) {
  Fixture fx;
  auto reader = fx.store->NewReader();
  ASSERT_TRUE(reader.ok());
  auto res = ExportEvents(**reader, fx.dir.File("no/such/folder"), "kiosk-1", 0);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.status().message().find("no/such/folder"), std::string::npos);
}

TEST(DemoDataTest, AWeekOfPlausibleData) {
  Fixture fx;
  auto n = SeedDemoData(*fx.store, *fx.stamper, DefaultSurvey(), 7);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_GT(*n, 300);
  auto reader = fx.store->NewReader();
  auto rows = (*reader)->ReadByTime(EventType::kFeedback, 0, INT64_MAX / 2);
  ASSERT_TRUE(rows.ok());
  EXPECT_GT(rows->size(), 50u);
  for (const auto& r : *rows) ASSERT_TRUE(DecodeEvent(r.json).ok()) << r.json;
}

}  // namespace
}  // namespace touchpoint::ui
