// The hub's store and journey map, without a broker.
#include <gtest/gtest.h>

#include <fstream>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/sync/hub.h"
#include "touchpoint/sync/hub_store.h"
#include "touchpoint/sync/journey_map.h"

namespace touchpoint::sync {
namespace {

using synctest::kT0;

HubEvent Hub(Event e, uint64_t seq) {
  e.seq = seq;
  e.boot_count = 1;
  std::string json = EncodeEvent(e);
  auto back = DecodeEvent(json);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return ToHubEvent(back.value(), json, "mqtt");
}

class HubStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteHubStore(dir_.File("hub.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
  }
  testing::TempDir dir_;
  std::unique_ptr<HubStore> store_;
  EventStamper st_{synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0)};
};

TEST_F(HubStoreTest, SameEventTwiceCountsOnce) {
  HubWrite w;
  w.events.push_back(Hub(synctest::Feedback(st_, kT0, 5), 1));
  w.events.push_back(Hub(synctest::Feedback(st_, kT0, 4), 2));
  auto r1 = store_->Write(w, kT0);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->inserted, 2);
  auto r2 = store_->Write(w, kT0);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->inserted, 0);
  EXPECT_EQ(r2->duplicates, 2);
  EXPECT_EQ(*store_->CountEvents(), 2);
  auto seqs = store_->AccountedSeqs();
  ASSERT_TRUE(seqs.ok());
  ASSERT_EQ(seqs->size(), 1u);
  EXPECT_EQ((*seqs)[0].ranges, (std::vector<SeqRange>{{1, 2}}));
}

TEST_F(HubStoreTest, MapUsesEventTimeAndMarksMissingHours) {
  HubWrite w;
  // Hour 10: counted all hour (60 one-minute intervals), 2 responses.
  for (int i = 0; i < 60; ++i) {
    w.events.push_back(Hub(synctest::Footfall(st_, kT0 + i * 60000, 1, 1), 100 + i));
  }
  w.events.push_back(Hub(synctest::Feedback(st_, kT0 + 5 * 60000, 5), 1));
  w.events.push_back(Hub(synctest::Feedback(st_, kT0 + 6 * 60000, 3), 2));
  // Hour 12: one late feedback, no counting at all.
  w.events.push_back(Hub(synctest::Feedback(st_, kT0 + 2 * 3600000 + 10, 1), 3));
  ASSERT_TRUE(store_->Write(w, kT0 + 48 * 3600000).ok());
  auto facts = store_->Facts({});
  ASSERT_TRUE(facts.ok());
  auto map = BuildJourneyMap(facts.value(), {});
  ASSERT_EQ(map.size(), 3u);  // 10:00, 11:00 (missing, no data), 12:00
  EXPECT_EQ(map[0].coverage, "ok");
  EXPECT_EQ(map[0].visitors_in, 60);
  EXPECT_EQ(map[0].responses, 2);
  EXPECT_DOUBLE_EQ(*map[0].csat_mean, 4.0);
  EXPECT_NEAR(*map[0].response_rate, 2.0 / 60.0, 1e-9);
  ASSERT_EQ(map[0].top_reasons.size(), 1u);
  EXPECT_EQ(map[0].top_reasons[0].first, "staff");
  EXPECT_EQ(map[1].coverage, "missing");
  EXPECT_FALSE(map[1].visitors_in.has_value());
  EXPECT_EQ(map[2].coverage, "missing");
  EXPECT_EQ(map[2].responses, 1);
  EXPECT_FALSE(map[2].response_rate.has_value());
  std::string csv = FormatJourneyMap(map, MapFormat::kCsv);
  EXPECT_NE(csv.find("s1,checkout,purchase,2026-11-23T10:00Z,ok,60,60,2"), std::string::npos)
      << csv;
  EXPECT_NE(FormatJourneyMap(map, MapFormat::kJson).find("\"visitors_in\": null"),
            std::string::npos);
  MapFilter f;
  f.store = "other";
  EXPECT_TRUE(store_->Facts(f)->empty());
}

TEST_F(HubStoreTest, CompactedFootfallReplacesOriginalsInAnyOrder) {
  HubWrite w;
  w.events.push_back(Hub(synctest::Footfall(st_, kT0, 3, 0), 1));
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  // The kiosk merged seqs 1..3 into seq 10 (7 in); seq 2 arrives late, after the merge.
  Event merged = synctest::Footfall(st_, kT0, 7, 0);
  std::get<FootfallPayload>(merged.payload).interval_s = 3600;
  std::get<FootfallPayload>(merged.payload).compacted_seqs = {1, 2, 3};
  HubWrite w2;
  w2.events.push_back(Hub(merged, 10));
  ASSERT_TRUE(store_->Write(w2, kT0).ok());
  HubWrite w3;
  w3.events.push_back(Hub(synctest::Footfall(st_, kT0 + 60000, 4, 0), 2));
  ASSERT_TRUE(store_->Write(w3, kT0).ok());
  auto map = BuildJourneyMap(store_->Facts({}).value(), {});
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map[0].visitors_in, 7);
  auto seqs = store_->AccountedSeqs().value();
  EXPECT_EQ(seqs[0].ranges, (std::vector<SeqRange>{{1, 3}, {10, 10}}));
}

TEST_F(HubStoreTest, ImportMergesWithDedupAndKeepsBadLines) {
  std::string file = dir_.File("export.jsonl");
  {
    std::ofstream out(file);
    for (uint64_t seq = 1; seq <= 5; ++seq) {
      out << Hub(synctest::Feedback(st_, kT0, 4), seq).json << "\n";
    }
    out << "{not json\n";
    out << R"({"schema_version":1,"seq":6})"
        << "\n";
  }
  HubWrite w;
  w.events.push_back(Hub(synctest::Feedback(st_, kT0, 4), 2));  // also came over MQTT
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  auto r = ImportJsonLines(store_.get(), file, {}, kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->lines, 7);
  EXPECT_EQ(r->inserted, 4);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->rejected, 2);
  auto again = ImportJsonLines(store_.get(), file, {}, kT0);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(*store_->CountEvents(), 5);
  auto rejects = store_->Rejects(10).value();
  ASSERT_GE(rejects.size(), 2u);
  EXPECT_NE(rejects.back().source.find("export.jsonl:6"), std::string::npos);
  EXPECT_FALSE(ImportJsonLines(store_.get(), dir_.File("absent"), {}, kT0).ok());
}

}  // namespace
}  // namespace touchpoint::sync
