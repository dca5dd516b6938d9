// The hub's defences in its store and import, without a broker: kiosk registration, conflicts
// under a held (kiosk, seq), rejects kept as bounded excerpts, event times kept off the map,
// and compactions that cost the same however many there are.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/hub_store.h"

namespace touchpoint::hub {
namespace {

using synctest::kT0;

Reject MakeReject(const std::string& kiosk, const std::string& reason, std::string payload) {
  Reject r;
  r.received_ms = kT0;
  r.source = "mqtt:t";
  r.kiosk = kiosk;
  r.reason = reason;
  r.payload = std::move(payload);
  return r;
}

HubEvent Hub(Event e, uint64_t seq) {
  e.seq = seq;
  e.boot_count = 1;
  std::string json = EncodeEvent(e);
  return ToHubEvent(DecodeEvent(json).value(), json, "mqtt");
}

std::string Line(Event e, uint64_t seq) {
  e.seq = seq;
  e.boot_count = 1;
  return EncodeEvent(e);
}

class HubTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = OpenSqliteHubStore(dir_.File("hub.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
  }
  std::string WriteFile(const std::string& name, const std::vector<std::string>& lines) {
    std::ofstream out(dir_.File(name));
    for (const std::string& l : lines) out << l << "\n";
    return dir_.File(name);
  }
  const KioskSummary* Summary(const std::string& kiosk) {
    auto ks = store_->Kiosks();
    EXPECT_TRUE(ks.ok());
    if (!ks.ok()) return nullptr;
    kiosks_ = std::move(ks.value());
    for (const KioskSummary& k : kiosks_) {
      if (k.kiosk == kiosk) return &k;
    }
    return nullptr;
  }
  testing::TempDir dir_;
  std::unique_ptr<HubStore> store_;
  std::vector<KioskSummary> kiosks_;
  EventStamper st_{synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0)};
};

TEST_F(HubTrustTest, ADifferentEventUnderAHeldSeqIsAConflictNotADuplicate) {
  HubWrite first;
  first.events.push_back(Hub(synctest::Feedback(st_, kT0, 1), 5));  // e.g. a squatter's
  ASSERT_TRUE(store_->Write(first, kT0).ok());
  HubWrite other;
  other.events.push_back(Hub(synctest::Feedback(st_, kT0, 5), 5));  // the real seq 5
  auto r = store_->Write(other, kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 0);
  EXPECT_EQ(r->duplicates, 0);
  EXPECT_EQ(r->conflicts, 1);
  auto again = store_->Write(first, kT0);  // the held event itself again: a plain duplicate
  EXPECT_EQ(again->duplicates, 1);
  EXPECT_EQ(again->conflicts, 0);
  auto rejects = store_->Rejects(10).value();
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_NE(rejects[0].reason.find("conflict: seq 5 of kiosk k1"), std::string::npos)
      << rejects[0].reason;
  EXPECT_EQ(rejects[0].payload, other.events[0].json) << "the refused copy is kept";
  EXPECT_EQ(rejects[0].seq, 5u);
  const KioskSummary* k1 = Summary("k1");
  ASSERT_TRUE(k1);
  EXPECT_EQ(k1->conflicts, 1);
}

TEST_F(HubTrustTest, RejectsKeepABoundedExcerptWithSizeAndHashAndRotate) {
  HubWrite w;
  std::string big(100 * 1000, 'x');
  w.rejects.push_back(MakeReject("k9", "oversized", big));
  w.rejects.push_back(MakeReject("k9", "oversized", big));
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  auto rejects = store_->Rejects(10).value();
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_EQ(rejects[0].payload.size(), kRejectExcerptBytes);
  EXPECT_EQ(rejects[0].payload_bytes, 100000);
  EXPECT_EQ(rejects[0].payload_sha256.size(), 64u);
  EXPECT_EQ(rejects[0].payload_sha256, rejects[1].payload_sha256);
  // A flood keeps at most kMaxRejectsKept (+ one rotation step) rows; the total is counted.
  const int64_t flood = kMaxRejectsKept + 3000;
  for (int64_t done = 2; done < flood;) {
    HubWrite f;
    for (int i = 0; i < 5000 && done < flood; ++i, ++done) {
      f.rejects.push_back(MakeReject("k" + std::to_string(done), "unregistered kiosk", "{}"));
    }
    ASSERT_TRUE(store_->Write(f, kT0).ok());
  }
  EXPECT_EQ(*store_->RejectCount(), flood);
  auto kept = store_->Rejects(static_cast<size_t>(flood)).value();
  EXPECT_LE(static_cast<int64_t>(kept.size()), kMaxRejectsKept + 1000);
  EXPECT_GE(static_cast<int64_t>(kept.size()), kMaxRejectsKept);
  EXPECT_EQ(kept.front().kiosk, "k" + std::to_string(flood - 1)) << "newest kept";
  // None of the flood's kiosk ids became a kiosk.
  EXPECT_TRUE(store_->Kiosks()->empty());
}

TEST_F(HubTrustTest, ImportTakesOnlyRegisteredKiosksUnlessEnrolling) {
  std::string file = WriteFile("k1.jsonl", {Line(synctest::Feedback(st_, kT0, 4), 1),
                                            Line(synctest::Feedback(st_, kT0, 5), 2)});
  auto refused = ImportJsonLines(store_.get(), file, /*enrol=*/false, kT0);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->inserted, 0);
  EXPECT_EQ(refused->rejected, 2);
  EXPECT_NE(store_->Rejects(1).value()[0].reason.find("unregistered kiosk 'k1'"),
            std::string::npos);
  EXPECT_NE(store_->Rejects(1).value()[0].reason.find("--enrol"), std::string::npos);
  EXPECT_TRUE(store_->RegisteredKiosks()->empty());

  auto enrolled = ImportJsonLines(store_.get(), file, /*enrol=*/true, kT0);
  ASSERT_TRUE(enrolled.ok());
  EXPECT_EQ(enrolled->inserted, 2);
  ASSERT_EQ(enrolled->enrolled.size(), 1u);
  EXPECT_EQ(enrolled->enrolled[0].kiosk, "k1");
  EXPECT_EQ(enrolled->enrolled[0].store, "s1");
  auto regs = store_->RegisteredKiosks().value();
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].how, "enrol:import");

  // Registered at s1: k1's events naming another store are refused, even with --enrol.
  EventStamper moved(synctest::Kiosk("k1", "s2"), std::make_shared<ManualClock>(kT0));
  std::string other = WriteFile("k1-s2.jsonl", {Line(synctest::Feedback(moved, kT0, 1), 3)});
  auto wrong_store = ImportJsonLines(store_.get(), other, /*enrol=*/true, kT0);
  EXPECT_EQ(wrong_store->inserted, 0);
  EXPECT_NE(store_->Rejects(1).value()[0].reason.find("registered at store 's1', not 's2'"),
            std::string::npos)
      << store_->Rejects(1).value()[0].reason;
  ASSERT_TRUE(store_->UnregisterKiosk("k1").value());
  EXPECT_FALSE(store_->UnregisterKiosk("k1").value());
  std::string later = WriteFile("k1-later.jsonl", {Line(synctest::Feedback(st_, kT0, 3), 4)});
  EXPECT_EQ(ImportJsonLines(store_.get(), later, false, kT0)->inserted, 0);
  EXPECT_EQ(*store_->CountEvents(), 2) << "unregistering keeps what was held";
}

TEST_F(HubTrustTest, ImportRefusesAnOverlongLineWithoutParsingItAndGoesOn) {
  ASSERT_TRUE(store_->RegisterKiosk({"k1", "s1", kT0, "cli"}).ok());
  std::string huge(kMaxImportLineBytes + 10, '[');
  std::string file = WriteFile("x.jsonl", {huge, Line(synctest::Feedback(st_, kT0, 4), 1)});
  auto r = ImportJsonLines(store_.get(), file, false, kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines, 2);
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->rejected, 1);
  auto rejects = store_->Rejects(10).value();
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_NE(rejects[0].reason.find("line longer than"), std::string::npos);
  EXPECT_EQ(rejects[0].payload.size(), kRejectExcerptBytes);
}

TEST_F(HubTrustTest, EventTimesFarAheadOrBefore2020AreKeptOffTheMap) {
  ASSERT_TRUE(store_->RegisterKiosk({"k1", "s1", kT0, "cli"}).ok());
  const int64_t day = 24 * 3600 * 1000LL;
  std::string file =
      WriteFile("t.jsonl", {Line(synctest::Feedback(st_, kT0, 4), 1),
                            Line(synctest::Feedback(st_, kT0 + 2 * day, 1), 2),    // two days ahead
                            Line(synctest::Feedback(st_, 253402214400000, 1), 3),  // 9999-12-31
                            Line(synctest::Feedback(st_, 86400000, 1), 4),         // 1970-01-02
                            Line(synctest::Feedback(st_, kT0 + day / 2, 5), 5)});  // within the day
  auto r = ImportJsonLines(store_.get(), file, false, kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 5) << "stored, not lost";
  // On the map (the rollup cells): only the two within range, neither of the CSAT 1 ones.
  auto total = store_->View({}, ViewBy::kTotal).value();
  ASSERT_EQ(total.size(), 1u);
  metrics::Figures on_map = total.front().Figures(true);
  ASSERT_EQ(on_map.responses, 2);
  EXPECT_EQ(on_map.scored.csat.counts[1], 0);
  const KioskSummary* k1 = Summary("k1");
  ASSERT_TRUE(k1);
  EXPECT_EQ(k1->time_out_of_range, 3);
}

TEST_F(HubTrustTest, TwoHundredThousandCompactedRangesDoNotSlowLaterWrites) {
  // One footfall event claiming to replace 200,000 single seqs (the decoder caps this; the store
  // must not depend on it): later footfall writes look each seq up in one search.
  HubEvent bomb = Hub(synctest::Footfall(st_, kT0, 1, 0), 1000000);
  for (uint64_t s = 1; s <= 200000; ++s) bomb.compacted.push_back({2 * s, 2 * s});
  HubWrite w;
  w.events.push_back(std::move(bomb));
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  HubWrite next;
  for (uint64_t seq = 1; seq <= 4001; seq += 2) {
    next.events.push_back(Hub(synctest::Footfall(st_, kT0 + 60000, 1, 0), seq));
  }
  auto start = std::chrono::steady_clock::now();
  auto r = store_->Write(next, kT0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 2001);
  EXPECT_LT(ms, 1000) << "the next batch must be stored within a second";
}

}  // namespace
}  // namespace touchpoint::hub
