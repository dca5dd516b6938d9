// The hub's store and journey map, without a broker.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "hub_store_queries.h"
#include "hub_store_schema.h"
#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/hub/hub.h"
#include "touchpoint/hub/hub_store.h"
#include "touchpoint/hub/journey_map.h"

namespace touchpoint::hub {
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

// The journey map as the CLI shows it: from the rollup cells, streamed.
std::vector<MapCell> Map(HubStore* store, const ViewFilter& f = {}) {
  JourneyMapBuilder map(f);
  Status s = store->ForEachCell(f, [&](const ViewRow& cell) {
    map.Add(cell);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return map.Finish();
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
  auto map = Map(store_.get());
  ASSERT_EQ(map.size(), 3u);  // 10:00, 11:00 (missing, no data), 12:00
  EXPECT_EQ(map[0].coverage, "ok");
  EXPECT_EQ(map[0].visitors_in, 60);
  EXPECT_EQ(map[0].responses, 2);
  EXPECT_DOUBLE_EQ(*map[0].csat_mean, 4.0);
  EXPECT_NEAR(*map[0].response_rate, 2.0 / 60.0, 1e-9);
  ASSERT_EQ(map[0].top_reasons.size(), 1u);
  EXPECT_EQ(map[0].top_reasons[0].first, "staff");
  EXPECT_EQ(map[1].coverage, "missing");
  EXPECT_EQ(map[1].store, "s1");  // a missing hour keeps its group's keys
  EXPECT_EQ(map[2].touchpoint, map[0].touchpoint);
  EXPECT_FALSE(map[1].visitors_in.has_value());
  EXPECT_EQ(map[2].coverage, "missing");
  EXPECT_EQ(map[2].responses, 1);
  EXPECT_FALSE(map[2].response_rate.has_value());
  std::string csv = FormatJourneyMap(map, MapFormat::kCsv);
  EXPECT_NE(csv.find("s1,checkout,purchase,2026-11-23T10:00,+00:00,2026-11-23T10:00Z,ok,60,60,2"),
            std::string::npos)
      << csv;
  EXPECT_NE(FormatJourneyMap(map, MapFormat::kJson).find("\"visitors_in\": null"),
            std::string::npos);
  ViewFilter f;
  f.stores = {"other"};
  EXPECT_TRUE(store_->View(f, ViewBy::kCell)->empty());
}

// ForEachCell hands over the cells View(kCell) returns, in its order; the caller's error stops
// the scan and comes back as the caller gave it.
TEST_F(HubStoreTest, ForEachCellStreamsTheCellsAndStopsAtTheCallersError) {
  HubWrite w;
  for (int i = 0; i < 4; ++i) {
    w.events.push_back(Hub(synctest::Feedback(st_, kT0 + i * 3'600'000, 1 + i), 1 + i));
  }
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  auto cells = store_->View({}, ViewBy::kCell);
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), 4u);
  std::vector<ViewRow> streamed;
  Status s = store_->ForEachCell({}, [&](const ViewRow& r) {
    streamed.push_back(r);
    return streamed.size() == 3 ? Status::Busy("enough") : Status::Ok();
  });
  EXPECT_EQ(s.code(), Status::Code::kBusy);
  EXPECT_EQ(s.message(), "enough");
  ASSERT_EQ(streamed.size(), 3u);
  for (size_t i = 0; i < streamed.size(); ++i) {
    EXPECT_EQ(streamed[i].local_ms, (*cells)[i].local_ms);
    EXPECT_EQ(streamed[i].sums, (*cells)[i].sums);
    EXPECT_EQ(streamed[i].sums.ok.csat.n(), 1);
  }
}

// Over many dims ForEachCell reads on a second thread (in chunks of cells): the same cells in the
// same order, equal per store to the store view (summed by another path), and a caller's error
// still stops it at once.
TEST_F(HubStoreTest, ForEachCellOverManyStoresReadsOnTwoThreadsInOrder) {
  constexpr int kStores = 80, kHours = 40;  // 3,200 cells: more than one chunk
  HubWrite w;
  std::vector<EventStamper> stampers;
  for (int i = 0; i < kStores; ++i) {
    std::string n = std::to_string(100 + i);
    stampers.emplace_back(synctest::Kiosk("k" + n, "s" + n), std::make_shared<ManualClock>(kT0));
  }
  for (int i = 0; i < kStores; ++i) {
    for (int h = 0; h < kHours; ++h) {
      auto e = synctest::Feedback(stampers[i], kT0 + h * 3'600'000, 1 + (i + h) % 5, h % 3 == 0);
      w.events.push_back(Hub(e, 1 + h));
    }
  }
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  std::map<std::string, metrics::Sums> per_store;
  std::string last_key;
  int64_t cells = 0;
  Status s = store_->ForEachCell({}, [&](const ViewRow& r) {
    std::string key = r.store + "/" + std::to_string(r.local_ms);
    EXPECT_LT(last_key, key) << "out of order";
    last_key = key;
    per_store[r.store].Add(r.sums);
    ++cells;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(cells, kStores * kHours);
  auto stores = store_->View({}, ViewBy::kStore);
  ASSERT_TRUE(stores.ok());
  ASSERT_EQ(stores->size(), static_cast<size_t>(kStores));
  for (const ViewRow& r : *stores) {
    EXPECT_EQ(per_store[r.store], r.sums) << r.store;
    EXPECT_EQ(r.sums.ok.sessions, kHours);
  }
  int64_t seen = 0;
  s = store_->ForEachCell(
      {}, [&](const ViewRow&) { return ++seen == 2500 ? Status::Busy("enough") : Status::Ok(); });
  EXPECT_EQ(s.code(), Status::Code::kBusy);
  EXPECT_EQ(seen, 2500);
}

// Over many dims the reading thread decodes the chunks itself when the caller is behind: the rows
// it decodes equal the caller's, in the same order, and a damaged cell is located the same way.
TEST_F(HubStoreTest, ForEachCellRowsAreTheSameWhicheverThreadDecodes) {
  constexpr int kStores = 70, kHours = 50;  // 3,500 cells: four chunks, the last one partial
  HubWrite w;
  for (int i = 0; i < kStores; ++i) {
    std::string n = std::to_string(100 + i);
    EventStamper st(synctest::Kiosk("k" + n, "s" + n), std::make_shared<ManualClock>(kT0));
    for (int h = 0; h < kHours; ++h) {
      auto e = synctest::Feedback(st, kT0 + h * 3'600'000, 1 + (i * 7 + h) % 5, h % 4 == 0);
      w.events.push_back(Hub(e, 1 + 2 * h));
      if ((i + h) % 3 == 0) {
        w.events.push_back(
            Hub(synctest::Footfall(st, kT0 + h * 3'600'000, i % 9, h % 4), 2 + 2 * h));
      }
    }
  }
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  auto db = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto rows = [&](queries::CellDecoding how) {
    std::vector<ViewRow> out;
    Status s = queries::ForEachCell(
        db->get(), {},
        [&](const ViewRow& r) {
          out.push_back(r);
          return Status::Ok();
        },
        how);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  };
  std::vector<ViewRow> by_caller = rows(queries::CellDecoding::kOnCaller);
  ASSERT_EQ(by_caller.size(), static_cast<size_t>(kStores * kHours));
  for (auto how : {queries::CellDecoding::kOnReader, queries::CellDecoding::kBalanced}) {
    std::vector<ViewRow> got = rows(how);
    ASSERT_EQ(got.size(), by_caller.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].store, by_caller[i].store) << i;
      ASSERT_EQ(got[i].local_ms, by_caller[i].local_ms) << i;
      ASSERT_EQ(got[i].sums, by_caller[i].sums) << got[i].store << " cell " << i;
      ASSERT_EQ(got[i].gap_s, by_caller[i].gap_s) << i;
    }
  }
  // One damaged cell in the third chunk: the rows before it are handed over, then its error.
  const ViewRow& victim = by_caller[2'500];
  db->reset();
  {
    auto rw = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(rw.ok());
    ASSERT_TRUE((*rw)
                    ->Exec("UPDATE cells SET cell = x'0000000000000001ff' WHERE hour_local = " +
                           std::to_string(victim.local_ms / 3'600'000) +
                           " AND dim_key = (SELECT dim_key FROM dims WHERE store = '" +
                           victim.store + "')")
                    .ok());
  }
  db = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  for (auto how : {queries::CellDecoding::kOnReader, queries::CellDecoding::kOnCaller}) {
    size_t seen = 0;
    Status s = queries::ForEachCell(
        db->get(), {},
        [&](const ViewRow&) {
          ++seen;
          return Status::Ok();
        },
        how);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find("cells of " + victim.store + "/"), std::string::npos)
        << s.ToString();
    EXPECT_EQ(seen, 2'500u);
  }
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
  auto map = Map(store_.get());
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map[0].visitors_in, 7);
  auto seqs = store_->AccountedSeqs().value();
  EXPECT_EQ(seqs[0].ranges, (std::vector<SeqRange>{{1, 3}, {10, 10}}));
}

TEST_F(HubStoreTest, ImportMergesWithDedupAndKeepsBadLines) {
  std::string file = dir_.File("export.jsonl");
  std::vector<HubEvent> events;
  for (uint64_t seq = 1; seq <= 5; ++seq)
    events.push_back(Hub(synctest::Feedback(st_, kT0, 4), seq));
  {
    std::ofstream out(file);
    for (const HubEvent& e : events) out << e.json << "\n";
    out << "{not json\n";
    out << R"({"schema_version":1,"seq":6})"
        << "\n";
  }
  HubWrite w;
  w.events.push_back(events[1]);  // also came over MQTT
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  ASSERT_TRUE(store_->RegisterKiosk({"k1", "s1", kT0, "cli"}).ok());
  auto r = ImportJsonLines(store_.get(), file, /*enrol=*/false, kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->lines, 7);
  EXPECT_EQ(r->inserted, 4);
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->conflicts, 0);
  EXPECT_EQ(r->rejected, 2);
  EXPECT_TRUE(r->enrolled.empty());
  auto again = ImportJsonLines(store_.get(), file, /*enrol=*/false, kT0);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(*store_->CountEvents(), 5);
  auto rejects = store_->Rejects(10).value();
  ASSERT_GE(rejects.size(), 2u);
  EXPECT_NE(rejects.back().source.find("export.jsonl:6"), std::string::npos);
  EXPECT_FALSE(ImportJsonLines(store_.get(), dir_.File("absent"), false, kT0).ok());
}

TEST_F(HubStoreTest, KeepsEachEventsExactJsonAcrossBlocks) {
  // 2,500 events: more than two compressed blocks in one transaction, then duplicates.
  HubWrite w;
  for (uint64_t seq = 1; seq <= 2500; ++seq) {
    w.events.push_back(seq % 3 == 0 ? Hub(synctest::Footfall(st_, kT0 + 60000 * seq, 2, 1), seq)
                                    : Hub(synctest::Feedback(st_, kT0 + 1000 * seq, 4), seq));
  }
  ASSERT_TRUE(store_->Write(w, kT0).ok());
  HubWrite again;
  again.events.push_back(w.events[1]);  // seq 2, a duplicate
  again.events.push_back(Hub(synctest::Feedback(st_, kT0, 1), 9000));
  auto r = store_->Write(again, kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->inserted, 1);
  for (uint64_t seq : {1u, 2u, 3u, 1024u, 1025u, 2048u, 2500u}) {
    auto json = store_->EventJson("k1", seq);
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    ASSERT_TRUE(json->has_value()) << seq;
    EXPECT_EQ(**json, w.events[seq - 1].json) << seq;
  }
  EXPECT_EQ(**store_->EventJson("k1", 9000), again.events[1].json);
  EXPECT_FALSE(store_->EventJson("k1", 2501)->has_value());
  EXPECT_FALSE(store_->EventJson("k2", 1)->has_value());
}

TEST_F(HubStoreTest, LargeWritesCountEachEventOnceWithResendsRepeatsAndConflicts) {
  // New events go many rows per statement; resends, repeats in one write and conflicts among
  // them are still found one by one, for two kiosks' batches in one write.
  EventStamper st2{synctest::Kiosk("k2", "s1"), std::make_shared<ManualClock>(kT0)};
  std::vector<HubEvent> k1(301), k2(41);
  for (uint64_t seq = 1; seq <= 300; ++seq) {
    k1[seq] = Hub(synctest::Feedback(st_, kT0 + 1000 * static_cast<int64_t>(seq), 4), seq);
  }
  for (uint64_t seq = 1; seq <= 40; ++seq) {
    k2[seq] = Hub(synctest::Feedback(st2, kT0 + 7000 * static_cast<int64_t>(seq), 2), seq);
  }
  HubWrite a;
  for (uint64_t seq = 1; seq <= 100; ++seq) a.events.push_back(k1[seq]);
  auto ra = store_->Write(a, kT0);
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  EXPECT_EQ(ra->inserted, 100);

  HubWrite b;
  for (uint64_t seq = 50; seq <= 250; ++seq) {
    if (seq == 60) {
      b.events.push_back(Hub(synctest::Feedback(st_, kT0, 1), 60));  // another event: conflict
    } else {
      b.events.push_back(k1[seq]);  // 50..100: resent
    }
    if (seq == 120) b.events.push_back(k1[seq]);  // repeated in the same write
    if (seq == 180) {
      for (uint64_t s2 = 1; s2 <= 40; ++s2) b.events.push_back(k2[s2]);  // another kiosk's batch
    }
  }
  auto rb = store_->Write(b, kT0);
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(rb->inserted, 150 + 40);
  EXPECT_EQ(rb->duplicates, 50 + 1);
  EXPECT_EQ(rb->conflicts, 1);
  EXPECT_EQ(*store_->CountEvents(), 290);

  auto total = store_->View({}, ViewBy::kTotal);
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  ASSERT_EQ(total->size(), 1u);
  metrics::Figures f = (*total)[0].Figures(true);
  EXPECT_EQ(f.responses, 290);
  EXPECT_EQ(f.csat_n, 290);
  EXPECT_EQ(f.scored.csat.CountIn(4, 4), 250);
  EXPECT_EQ(f.scored.csat.CountIn(2, 2), 40);
  for (uint64_t seq : {1u, 60u, 101u, 120u, 250u}) {
    EXPECT_EQ(**store_->EventJson("k1", seq), k1[seq].json) << seq;
  }
  EXPECT_EQ(**store_->EventJson("k2", 40), k2[40].json);
  EXPECT_FALSE(store_->EventJson("k1", 251)->has_value());
}

TEST_F(HubStoreTest, InsertsReusedForOtherTypesLeaveNoColumnOfTheRowsBefore) {
  // The multi-row inserts keep their bindings between uses: a feedback row in the place of a
  // footfall row of the statement's last use (and the reverse) must not keep its columns.
  auto write = [&](uint64_t first, bool footfall, std::vector<HubWrite>* parts) {
    HubWrite w;
    for (uint64_t seq = first; seq < first + 40; ++seq) {
      int64_t t = kT0 + 60000 * static_cast<int64_t>(seq);
      w.events.push_back(
          Hub(footfall ? synctest::Footfall(st_, t, 3, 2) : synctest::Feedback(st_, t, 5), seq));
    }
    parts->push_back(std::move(w));
  };
  std::vector<HubWrite> parts;
  write(1, true, &parts);
  write(41, false, &parts);
  write(81, true, &parts);
  ASSERT_TRUE(store_->Write(parts[0], kT0).ok());
  ASSERT_TRUE(store_->Write(parts[1], kT0).ok());
  // Several writes in one transaction, as the hub's writer commits its messages.
  std::vector<HubWrite> more;
  write(121, false, &more);
  write(161, true, &more);
  const HubWrite* all[] = {&parts[2], &more[0], &more[1]};
  auto r = store_->WriteDeferredAll(all, kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 120);
  ASSERT_TRUE(store_->Sync().ok());
  auto db = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto count = [&](const std::string& where) {
    auto n = (*db)->QueryInt("SELECT count(*) FROM events WHERE " + where);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? n->value_or(-1) : -1;
  };
  const std::string feedback = "(seq BETWEEN 41 AND 80 OR seq BETWEEN 121 AND 160)";
  EXPECT_EQ(count("1"), 200);
  EXPECT_EQ(count(feedback + " AND type = 1 AND f_in IS NULL AND f_out IS NULL AND "
                             "f_interval_s IS NULL AND superseded_by IS NULL"),
            80);
  EXPECT_EQ(count("NOT " + feedback + " AND type = 3 AND f_in = 3 AND f_out = 2"), 120);
  EXPECT_EQ(count("flags IS NOT NULL"), 0);
  auto total = store_->View({}, ViewBy::kTotal);
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  ASSERT_EQ(total->size(), 1u);
  metrics::Figures f = (*total)[0].Figures(true);
  EXPECT_EQ(f.responses, 80);
  EXPECT_EQ(f.visitors_in, 360);
}

// A hub database as version 1 of the layout wrote it (wide rows, JSON inline).
void MakeVersion1Database(const std::string& path, const std::vector<HubEvent>& events) {
  auto db = sql::Database::Open(path, sql::Database::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)
                  ->Exec(R"sql(
CREATE TABLE events(
  kiosk TEXT NOT NULL, seq INTEGER NOT NULL,
  store TEXT NOT NULL, touchpoint TEXT NOT NULL, stage TEXT NOT NULL,
  type TEXT NOT NULL, time_ms INTEGER NOT NULL, id TEXT NOT NULL,
  received_ms INTEGER NOT NULL, source TEXT NOT NULL,
  superseded_by INTEGER,
  f_in INTEGER, f_out INTEGER, f_interval_s INTEGER,
  csat INTEGER, nps INTEGER, effort INTEGER, tags TEXT, suspect INTEGER,
  c_source TEXT, c_start_ms INTEGER, c_end_ms INTEGER,
  json TEXT NOT NULL,
  UNIQUE(kiosk, seq));
CREATE INDEX events_time ON events(time_ms);
CREATE TABLE compactions(
  kiosk TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  by_seq INTEGER NOT NULL, PRIMARY KEY(kiosk, by_seq, first_seq));
CREATE TABLE rejects(
  id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL, source TEXT NOT NULL,
  kiosk TEXT NOT NULL, seq INTEGER, reason TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE known_gaps(
  kiosk TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  reported_ms INTEGER NOT NULL, PRIMARY KEY(kiosk, first_seq));
CREATE TABLE kiosk_status(
  kiosk TEXT PRIMARY KEY, store TEXT NOT NULL, state TEXT NOT NULL,
  status_time_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, queue_depth INTEGER,
  software_version TEXT NOT NULL, config_version TEXT NOT NULL, json TEXT NOT NULL);
PRAGMA user_version = 1;
)sql")
                  .ok());
  for (const HubEvent& e : events) {
    auto st = (*db)->Prepare(
        "INSERT INTO events(kiosk, seq, store, touchpoint, stage, type, time_ms, id, "
        "received_ms, source, superseded_by, f_in, f_out, f_interval_s, csat, nps, effort, tags, "
        "suspect, c_source, c_start_ms, c_end_ms, json) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, 'mqtt', ?10, ?11, ?12, ?13, ?14, NULL, NULL, ?15, ?16, '', 0, 0, ?17)");
    ASSERT_TRUE(st.ok());
    st->Bind(1, e.kiosk).Bind(2, static_cast<int64_t>(e.seq)).Bind(3, e.store);
    st->Bind(4, e.touchpoint).Bind(5, e.stage).Bind(6, std::string(EventTypeName(e.type)));
    st->Bind(7, e.time_ms).Bind(8, e.id).Bind(9, kT0);
    if (e.seq == 3) {
      st->Bind(10, int64_t{10});  // replaced by a compaction
    } else {
      st->BindNull(10);
    }
    st->Bind(11, e.visitors_in).Bind(12, e.visitors_out).Bind(13, int64_t{e.interval_s});
    // A version 1 hub kept the first CSAT answer and the reasons as columns.
    std::optional<int> csat;
    std::string tags;
    for (const Answer& a : e.answers) {
      if (a.type == QuestionType::kCsat && !csat) csat = a.score;
      for (const std::string& t : a.tags) tags += (tags.empty() ? "" : ",") + t;
    }
    if (csat) {
      st->Bind(14, int64_t{*csat});
    } else {
      st->BindNull(14);
    }
    st->Bind(15, tags).Bind(16, int64_t{e.suspect ? 1 : 0}).Bind(17, e.json);
    ASSERT_TRUE(st->Run().ok());
  }
  ASSERT_TRUE((*db)->Exec("INSERT INTO compactions VALUES('k1', 3, 3, 10)").ok());
}

TEST(HubStoreMigration, Version1DatabaseIsMigratedInPlace) {
  testing::TempDir dir;
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  std::vector<HubEvent> old = {Hub(synctest::Feedback(st, kT0, 5), 1),
                               Hub(synctest::Footfall(st, kT0, 4, 0), 2),
                               Hub(synctest::Footfall(st, kT0 + 60000, 9, 0), 3)};
  MakeVersion1Database(dir.File("hub.db"), old);
  auto store = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->CountEvents(), 3);
  for (const HubEvent& e : old) EXPECT_EQ(**(*store)->EventJson("k1", e.seq), e.json);
  auto seqs = (*store)->AccountedSeqs().value();
  ASSERT_EQ(seqs.size(), 1u);
  EXPECT_EQ(seqs[0].store, "s1");
  // The replaced footfall (seq 3) stays out of the map; a late replaced one (seq 3's compaction
  // range) written after the migration is also superseded.
  auto map = Map(store->get());
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map[0].visitors_in, 4);
  EXPECT_EQ(map[0].responses, 1);
  HubWrite w;
  w.events.push_back(old[0]);                                       // duplicate
  w.events.push_back(Hub(synctest::Footfall(st, kT0, 100, 0), 3));  // duplicate
  w.events.push_back(Hub(synctest::Feedback(st, kT0 + 10, 1), 4));  // new
  auto r = (*store)->Write(w, kT0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->duplicates, 2);
  EXPECT_EQ((*store)->Kiosks()->at(0).events, 4);
  // Kiosks an older hub accepted stay accepted (registered as "migrated").
  auto regs = (*store)->RegisteredKiosks();
  ASSERT_TRUE(regs.ok());
  ASSERT_EQ(regs->size(), 1u);
  EXPECT_EQ(regs->at(0).kiosk, "k1");
  EXPECT_EQ(regs->at(0).store, "s1");
  EXPECT_EQ(regs->at(0).how, "migrated");
  store->reset();
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
}

// Schema v9 narrowed the events row: a version 8 database (each event's arrival time and
// source in its own row, 24 columns) is migrated in place; the arrival time and source move to
// the payload blocks, and counters, views and JSON are as before.
TEST(HubStoreMigration, Version8EventsBecomeNarrowRowsInPlace) {
  testing::TempDir dir;
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  std::map<int64_t, std::pair<int64_t, int64_t>> payloads;  // id -> received_ms, source
  std::vector<KioskSummary> kiosks_before;
  std::vector<MapCell> map_before;
  std::vector<HubEvent> written;
  {
    auto store = OpenSqliteHubStore(dir.File("hub.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int write = 0; write < 3; ++write) {
      HubWrite w;
      for (uint64_t i = 1; i <= 20; ++i) {
        uint64_t seq = static_cast<uint64_t>(write) * 20 + i;
        int64_t t = kT0 + 60000 * static_cast<int64_t>(seq);
        HubEvent e = Hub(i % 4 == 0 ? synctest::Footfall(st, t, 3, 1)
                                    : synctest::Feedback(st, t, 1 + static_cast<int>(i % 5)),
                         seq);
        if (write == 1) e.source = "import";
        written.push_back(e);
        w.events.push_back(std::move(e));
      }
      ASSERT_TRUE((*store)->Write(w, kT0 + 1000 * write).ok());
    }
    kiosks_before = (*store)->Kiosks().value();
    map_before = Map(store->get());
  }
  {
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    auto st8 = (*db)->Prepare("SELECT id, received_ms, source FROM payloads");
    ASSERT_TRUE(st8.ok());
    ASSERT_TRUE(st8->ForEachRow([&] {
                     payloads[st8->ColumnInt(0)] = {st8->ColumnInt(1), st8->ColumnInt(2)};
                   })
                    .ok());
    ASSERT_EQ(payloads.size(), 3u);  // one block per write
    // Back to version 8's layout.
    ASSERT_TRUE(
        (*db)
            ->Exec("CREATE TABLE events_v8(kiosk_key INTEGER NOT NULL, seq INTEGER NOT NULL, "
                   "dim_key INTEGER NOT NULL, type INTEGER NOT NULL, time_ms INTEGER NOT NULL, "
                   "received_ms INTEGER NOT NULL, source INTEGER NOT NULL, superseded_by INTEGER, "
                   "f_in INTEGER, f_out INTEGER, f_interval_s INTEGER, csat INTEGER, nps INTEGER, "
                   "effort INTEGER, tags TEXT, suspect INTEGER, c_source TEXT, c_start_ms "
                   "INTEGER, c_end_ms INTEGER, payload_id INTEGER NOT NULL, payload_line INTEGER "
                   "NOT NULL, id_hash INTEGER, flags INTEGER, utc_offset_min INTEGER, "
                   "PRIMARY KEY(kiosk_key, seq)) WITHOUT ROWID; "
                   "INSERT INTO events_v8 SELECT e.kiosk_key, e.seq, e.dim_key, e.type, "
                   "e.time_ms, p.received_ms, p.source, e.superseded_by, e.f_in, e.f_out, "
                   "e.f_interval_s, NULL, NULL, NULL, NULL, CASE e.type WHEN 1 THEN 0 END, NULL, "
                   "NULL, NULL, e.payload_id, e.payload_line, e.id_hash, e.flags, "
                   "e.utc_offset_min FROM events e JOIN payloads p ON p.id = e.payload_id; "
                   "DROP TABLE events; ALTER TABLE events_v8 RENAME TO events; "
                   "ALTER TABLE payloads DROP COLUMN received_ms; "
                   "ALTER TABLE payloads DROP COLUMN source; PRAGMA user_version = 8")
            .ok());
  }
  auto store = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
    EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM pragma_table_info('events')"), 14);
    EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM events"), 60);
    std::map<int64_t, std::pair<int64_t, int64_t>> after;
    auto st9 = (*db)->Prepare("SELECT id, received_ms, source FROM payloads");
    ASSERT_TRUE(st9.ok());
    ASSERT_TRUE(st9->ForEachRow([&] {
                     after[st9->ColumnInt(0)] = {st9->ColumnInt(1), st9->ColumnInt(2)};
                   })
                    .ok());
    EXPECT_EQ(after, payloads);
    std::set<std::pair<int64_t, int64_t>> seen(
        {after.begin()->second, std::next(after.begin())->second, after.rbegin()->second});
    EXPECT_EQ(seen,
              (std::set<std::pair<int64_t, int64_t>>{
                  {kT0, kSourceMqtt}, {kT0 + 1000, kSourceImport}, {kT0 + 2000, kSourceMqtt}}));
  }
  auto kiosks = (*store)->Kiosks().value();
  ASSERT_EQ(kiosks.size(), kiosks_before.size());
  EXPECT_EQ(kiosks[0].events, kiosks_before[0].events);
  EXPECT_EQ(kiosks[0].last_received_ms, kiosks_before[0].last_received_ms);
  EXPECT_EQ(kiosks[0].last_received_ms, kT0 + 2000);
  auto map = Map(store->get());
  ASSERT_EQ(map.size(), map_before.size());
  for (size_t i = 0; i < map.size(); ++i) {
    EXPECT_EQ(map[i].visitors_in, map_before[i].visitors_in);
    EXPECT_EQ(map[i].responses, map_before[i].responses);
  }
  for (const HubEvent& e : written) EXPECT_EQ(**(*store)->EventJson("k1", e.seq), e.json);
  // The dedup by (kiosk, seq) holds across the migration.
  HubWrite again;
  again.events.push_back(written[5]);
  auto r = (*store)->Write(again, kT0 + 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 1);
  EXPECT_EQ(r->inserted, 0);
}

// An event's source is its payload block's (schema v9): a write whose events change source
// starts a new block there, and every event's JSON still reads back.
TEST_F(HubStoreTest, APayloadBlockHoldsEventsOfOneSource) {
  HubWrite w;
  const char* sources[] = {"mqtt", "mqtt", "import", "import", "mqtt"};
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    HubEvent e = Hub(synctest::Feedback(st_, kT0 + static_cast<int64_t>(seq), 4), seq);
    e.source = sources[seq - 1];
    w.events.push_back(std::move(e));
  }
  ASSERT_TRUE(store_->Write(w, kT0 + 7).ok());
  for (const HubEvent& e : w.events) EXPECT_EQ(**store_->EventJson("k1", e.seq), e.json);
  auto db = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto st = (*db)->Prepare(
      "SELECT e.seq, p.source, p.received_ms FROM events e JOIN payloads p ON p.id = e.payload_id "
      "ORDER BY e.seq");
  ASSERT_TRUE(st.ok());
  std::vector<int64_t> got;
  ASSERT_TRUE(st->ForEachRow([&] {
                  got.push_back(st->ColumnInt(1));
                  EXPECT_EQ(st->ColumnInt(2), kT0 + 7);
                }).ok());
  EXPECT_EQ(got, (std::vector<int64_t>{kSourceMqtt, kSourceMqtt, kSourceImport, kSourceImport,
                                       kSourceMqtt}));
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM payloads"), 3);
}

TEST(HubStoreMigration, NewerDatabaseIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  {
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE((*db)->Exec("CREATE TABLE events(x); PRAGMA user_version = 99").ok());
  }
  auto store = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("newer"), std::string::npos) << store.status().ToString();
}

// Hubs on one shared subscription share one database file: two stores (connections) writing
// the same events concurrently hold each once, and a compaction one writes supersedes footfall
// the other writes later.
TEST(HubStoreShared, TwoWritersOnOneFileDedupAndSeeEachOthersCompactions) {
  testing::TempDir dir;
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  auto a = OpenSqliteHubStore(dir.File("hub.db"));
  auto b = OpenSqliteHubStore(dir.File("hub.db"));
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<HubEvent> events;
  for (uint64_t seq = 1; seq <= 4000; ++seq) {
    events.push_back(Hub(synctest::Feedback(st, kT0 + 1000 * seq, 3), seq));
  }
  auto writer = [&events](HubStore* store, int64_t* inserted, bool* ok) {
    // Overlapping batches of 100, in a different order per writer: most are written by both.
    for (size_t i = 0; i < events.size(); i += 100) {
      HubWrite w;
      for (size_t j = i; j < i + 100; ++j) w.events.push_back(events[j]);
      auto r = store->WriteDeferred(w, kT0);
      if (!r.ok() || !store->Sync().ok()) {
        *ok = false;
        return;
      }
      *inserted += r->inserted;
    }
  };
  int64_t in_a = 0, in_b = 0;
  bool ok_a = true, ok_b = true;
  std::thread ta(writer, a->get(), &in_a, &ok_a);
  std::thread tb(writer, b->get(), &in_b, &ok_b);
  ta.join();
  tb.join();
  ASSERT_TRUE(ok_a && ok_b);
  EXPECT_EQ(in_a + in_b, 4000);
  EXPECT_EQ(*(*a)->CountEvents(), 4000);
  EXPECT_EQ((*b)->AccountedSeqs()->at(0).ranges, (std::vector<SeqRange>{{1, 4000}}));

  // A compacts footfall 5001..5003 into 5010; B then receives 5002 late.
  Event merged = synctest::Footfall(st, kT0, 7, 0);
  std::get<FootfallPayload>(merged.payload).compacted_seqs = {5001, 5002, 5003};
  HubWrite wa;
  wa.events.push_back(Hub(merged, 5010));
  ASSERT_TRUE((*a)->Write(wa, kT0).ok());
  HubWrite wb;
  wb.events.push_back(Hub(synctest::Footfall(st, kT0 + 60000, 4, 0), 5002));
  ASSERT_TRUE((*b)->Write(wb, kT0).ok());
  int64_t visitors = 0;
  for (const MapCell& c : Map(a->get())) {
    visitors += c.visitors_in.value_or(0);
  }
  EXPECT_EQ(visitors, 7);
}

}  // namespace
}  // namespace touchpoint::hub
