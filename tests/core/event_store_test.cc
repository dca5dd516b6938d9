#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/export.h"
#include "touchpoint/core/sqlite.h"

namespace touchpoint {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kT0 = 1795000000000;  // 2026-11-18T11:06:40Z

Event Feedback(int score, int64_t t = kT0) {
  Event e;
  e.id = NewUuidV7(t);
  e.kiosk_id = "k1";
  e.store_id = "s1";
  e.touchpoint = "entrance";
  e.journey_stage = "visit";
  e.time_ms = t;
  FeedbackPayload f;
  f.survey_id = "visit";
  f.language = "en";
  f.answers = {Answer{"overall", QuestionType::kCsat, score, {}, ""}};
  e.payload = f;
  return e;
}

Event Footfall(int64_t start, int in, int out) {
  Event e = Feedback(1, start);
  FootfallPayload p;
  p.interval_start_ms = start;
  p.interval_s = 60;
  p.lines = {{"door", in, out}};
  p.occupancy_min = 0;
  p.occupancy_max = in;
  p.occupancy_end = in - out > 0 ? in - out : 0;
  e.payload = p;
  return e;
}

class EventStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventStore> Open(EventStoreOptions o = {}) {
    if (o.path.empty()) o.path = dir_.File("events.db");
    if (!o.clock) o.clock = clock_;
    auto s = EventStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  testing::TempDir dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kT0 + 30 * 3600 * 1000);
};

TEST_F(EventStoreTest, AppendAssignsSeqsThatSurviveReopen) {
  {
    auto store = Open();
    EXPECT_EQ(store->boot_count(), 1u);
    for (int i = 1; i <= 5; ++i) {
      auto seq = store->Append(Feedback(3));
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
      EXPECT_EQ(*seq, static_cast<uint64_t>(i));
    }
  }
  auto store = Open();
  EXPECT_EQ(store->boot_count(), 2u);
  EXPECT_EQ(*store->Append(Feedback(3)), 6u);
  auto reader = store->NewReader();
  ASSERT_TRUE(reader.ok());
  auto all = (*reader)->ReadRange(1, 100, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);
  auto decoded = DecodeEvent(all->back().json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->seq, 6u);
  EXPECT_EQ(decoded->boot_count, 2u);
  auto first = DecodeEvent(all->front().json);
  EXPECT_EQ(first->boot_count, 1u);
}

TEST_F(EventStoreTest, BatchIsOneTransactionInOrder) {
  auto store = Open();
  std::vector<Event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(Feedback(1 + i % 5));
  auto seqs = store->AppendBatch(std::move(batch));
  ASSERT_TRUE(seqs.ok());
  ASSERT_EQ(seqs->size(), 100u);
  for (size_t i = 0; i < seqs->size(); ++i) EXPECT_EQ((*seqs)[i], i + 1);
  EXPECT_EQ(store->Stats().pending, 100);
}

TEST_F(EventStoreTest, ConcurrentAppendersGetUniqueDurableSeqs) {
  auto store = Open();
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        store->AppendAsync(Feedback(2), [&](const Result<uint64_t>& r) {
          ASSERT_TRUE(r.ok());
          std::lock_guard<std::mutex> lock(mu);
          seqs.insert(*r);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  store->Flush();
  EXPECT_EQ(seqs.size(), 1000u);
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), 1000u);
  auto reader = store->NewReader();
  EXPECT_EQ(*(*reader)->CountPending(), 1000);
}

TEST_F(EventStoreTest, OutboxReadsPendingInBatchesAndAcks) {
  auto store = Open();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store->Append(Feedback(4)).ok());
  auto reader = std::move(*store->NewReader());
  auto batch = reader->ReadPending(0, 20, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 20u);
  EXPECT_EQ(batch->front().seq, 1u);
  EXPECT_EQ(batch->back().seq, 20u);
  // Byte bound: at least one event, then stop once the bound is reached.
  auto small = reader->ReadPending(0, 20, 10);
  ASSERT_EQ(small->size(), 1u);
  auto next = reader->ReadPending(20, 100, 1 << 20);
  EXPECT_EQ(next->size(), 30u);

  EXPECT_EQ(*store->MarkAcknowledged(1, 20), 20);
  EXPECT_EQ(*store->MarkAcknowledged(1, 20), 0);  // idempotent
  EXPECT_EQ(*store->MarkAcknowledged(45, 1000), 6);
  EXPECT_EQ(store->Stats().pending, 24);
  EXPECT_EQ(*reader->CountPending(), 24);
  auto rest = reader->ReadPending(0, 100, 1 << 20);
  EXPECT_EQ(rest->front().seq, 21u);
  EXPECT_EQ(rest->back().seq, 44u);
  EXPECT_TRUE(store->Stats().last_ack_ms.has_value());
  // Acknowledged events are still readable (dashboard, export --all) until pruned.
  auto range = reader->ReadRange(1, 5, 10);
  ASSERT_EQ(range->size(), 5u);
  EXPECT_TRUE(range->front().acked);
}

// The pending seqs as the store reports them: every ReadPending batch from the start.
std::vector<uint64_t> PendingSeqs(EventReader& reader, size_t batch) {
  std::vector<uint64_t> out;
  uint64_t after = 0;
  while (true) {
    auto b = reader.ReadPending(after, batch, 1 << 20);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    if (!b.ok() || b->empty()) return out;
    for (const auto& e : *b) out.push_back(e.seq);
    after = b->back().seq;
  }
}

// The outbox is kept as ranges (schema v2): acks that split ranges, overlap, repeat and come in
// any order, interleaved with appends, leave exactly the unacknowledged seqs pending, and each
// ack reports how many seqs it newly acknowledged.
TEST_F(EventStoreTest, AcksInAnyOrderLeaveExactlyTheUnacknowledgedSeqsPending) {
  auto store = Open();
  auto reader = std::move(*store->NewReader());
  std::set<uint64_t> model;  // pending
  uint64_t next = 1;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    if (rng() % 4 == 0 || model.empty()) {
      std::vector<Event> batch;
      size_t n = 1 + rng() % 40;
      for (size_t i = 0; i < n; ++i) batch.push_back(Feedback(1 + i % 5));
      ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
      for (size_t i = 0; i < n; ++i) model.insert(next++);
    } else {
      uint64_t first = 1 + rng() % (next + 2);
      uint64_t last = first + rng() % 12;
      int64_t expected = 0;
      for (uint64_t s = first; s <= last; ++s) expected += static_cast<int64_t>(model.erase(s));
      auto acked = store->MarkAcknowledged(first, last);
      ASSERT_TRUE(acked.ok()) << acked.status().ToString();
      ASSERT_EQ(*acked, expected) << "ack " << first << ".." << last << " in round " << round;
    }
    if (round % 20 == 19) {
      ASSERT_EQ(*reader->CountPending(), static_cast<int64_t>(model.size()));
      ASSERT_EQ(store->Stats().pending, static_cast<int64_t>(model.size()));
      ASSERT_EQ(PendingSeqs(*reader, 7), std::vector<uint64_t>(model.begin(), model.end()));
      auto all = reader->ReadRange(1, next, next);
      ASSERT_TRUE(all.ok());
      ASSERT_EQ(all->size(), next - 1);
      for (const auto& e : *all) EXPECT_EQ(e.acked, model.count(e.seq) == 0) << e.seq;
    }
  }
  // Acks beyond every seq, and of nothing held, change nothing.
  EXPECT_EQ(*store->MarkAcknowledged(next + 10, next + 20), 0);
  EXPECT_EQ(*reader->CountPending(), static_cast<int64_t>(model.size()));
  // A reader resumes after any seq, pending or not.
  for (uint64_t after : {uint64_t{0}, next / 3, next / 2, next - 1}) {
    std::vector<uint64_t> want(model.upper_bound(after), model.end());
    if (want.size() > 5) want.resize(5);
    auto batch = reader->ReadPending(after, 5, 1 << 20);
    ASSERT_TRUE(batch.ok());
    std::vector<uint64_t> got;
    for (const auto& e : *batch) got.push_back(e.seq);
    EXPECT_EQ(got, want) << "after " << after;
  }
}

// A store of schema v1 (one outbox row per pending seq) opens as v2 with the same seqs pending,
// holes included, and drains as before.
TEST_F(EventStoreTest, AVersion1OutboxBecomesRangesOnOpen) {
  {
    auto store = Open();
    std::vector<Event> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(Feedback(1 + i % 5));
    ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  }
  const std::vector<uint64_t> pending = {2, 3, 4, 9, 11, 12, 20, 21, 22, 23, 30};
  {
    auto db = sql::Database::Open(dir_.File("events.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    std::string sql =
        "DROP TABLE pending; CREATE TABLE outbox(seq INTEGER PRIMARY KEY); "
        "PRAGMA user_version=1;";
    for (uint64_t s : pending) sql += "INSERT INTO outbox(seq) VALUES(" + std::to_string(s) + ");";
    ASSERT_TRUE((*db)->Exec(sql).ok());
  }
  auto store = Open();
  auto reader = std::move(*store->NewReader());
  EXPECT_EQ(store->Stats().pending, static_cast<int64_t>(pending.size()));
  EXPECT_EQ(PendingSeqs(*reader, 4), pending);
  EXPECT_EQ(*store->MarkAcknowledged(3, 11), 4);  // 3, 4, 9, 11
  EXPECT_EQ(PendingSeqs(*reader, 100), (std::vector<uint64_t>{2, 12, 20, 21, 22, 23, 30}));
  {
    auto db = sql::Database::Open(dir_.File("events.db"), sql::Database::Mode::kReadOnly);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ((*db)->QueryInt("PRAGMA user_version")->value_or(0), 2);
    EXPECT_EQ(
        (*db)->QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'outbox'")->value_or(-1),
        0);
    EXPECT_EQ((*db)->QueryInt("SELECT count(*) FROM pending")->value_or(-1), 4);  // 2 12 20-23 30
  }
  // New events join the pending seqs after the migrated ones.
  EXPECT_EQ(*store->Append(Feedback(3)), 31u);
  EXPECT_EQ(PendingSeqs(*reader, 3).back(), 31u);
}

TEST_F(EventStoreTest, ReadByTimeFiltersTypeAndRange) {
  auto store = Open();
  ASSERT_TRUE(store->Append(Feedback(5, kT0)).ok());
  ASSERT_TRUE(store->Append(Footfall(kT0 + 1000, 2, 1)).ok());
  ASSERT_TRUE(store->Append(Feedback(1, kT0 + 5000)).ok());
  auto reader = std::move(*store->NewReader());
  auto fb = reader->ReadByTime(EventType::kFeedback, kT0, kT0 + 10000);
  ASSERT_EQ(fb->size(), 2u);
  auto early = reader->ReadByTime(std::nullopt, kT0, kT0 + 2000);
  ASSERT_EQ(early->size(), 2u);
  EXPECT_EQ(early->back().type, EventType::kFootfall);
}

// The page size of the file, read with a connection of its own (0 if it cannot be read).
int64_t PageSizeOf(const std::string& path) {
  auto db = sql::Database::Open(path, sql::Database::Mode::kReadOnly);
  if (!db.ok()) return 0;
  auto size = (*db)->QueryInt("PRAGMA page_size");
  return size.ok() ? size->value_or(0) : 0;
}

TEST_F(EventStoreTest, ANewStoreHas16KiBPagesAndAnOlderOneKeepsItsOwn) {
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(PageSizeOf(dir_.File("events.db")), 16384);

  // A store made before (4 KiB pages, SQLite's default): opened, written and read as it is.
  const std::string old_path = dir_.File("old.db");
  {
    auto db = sql::Database::Open(old_path, sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(
        (*db)->Exec("PRAGMA page_size=4096; CREATE TABLE scratch(x); DROP TABLE scratch").ok());
  }
  EventStoreOptions o;
  o.path = old_path;
  auto store = Open(o);
  ASSERT_NE(store, nullptr);
  std::vector<Event> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(Feedback(1 + i % 5, kT0 + i));
  ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  auto reader = std::move(*store->NewReader());
  auto pending = reader->ReadPending(0, 1000, std::numeric_limits<size_t>::max());
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->size(), 500u);
  EXPECT_EQ(PageSizeOf(old_path), 4096);
}

TEST_F(EventStoreTest, DiskFullRejectsCleanlyAndRecoversWhenSpaceIsFreed) {
  EventStoreOptions o;
  o.max_page_count = 40;  // 40 pages of 16 KiB: a tiny "disk"
  o.disk_budget_bytes = 0;
  auto store = Open(o);
  uint64_t last_ok = 0;
  Status failure;
  for (int i = 0; i < 5000; ++i) {
    auto r = store->Append(Feedback(3));
    if (!r.ok()) {
      failure = r.status();
      break;
    }
    last_ok = *r;
  }
  ASSERT_FALSE(failure.ok()) << "the database never filled up";
  EXPECT_EQ(failure.code(), Status::Code::kDiskFull) << failure.ToString();
  ASSERT_GT(last_ok, 10u);
  StoreStats st = store->Stats();
  EXPECT_EQ(st.feedback_lost, 1);
  EXPECT_EQ(st.events_lost, 1);
  EXPECT_FALSE(st.last_write_error.empty());
  // Still full: a second attempt fails the same way, the store keeps running.
  EXPECT_EQ(store->Append(Feedback(3)).status().code(), Status::Code::kDiskFull);
  // The hub acknowledges what it has; the store makes room by pruning those and goes on.
  ASSERT_TRUE(store->MarkAcknowledged(1, last_ok / 2).ok());
  auto after = store->Append(Feedback(4));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, last_ok + 1);  // failed appends used no seq
  EXPECT_TRUE(store->Stats().last_write_error.empty());
  EXPECT_GT(store->Stats().events_pruned, 0);
  store.reset();

  // Space returns (a bigger limit): everything not acknowledged is still there, counts persisted.
  o.max_page_count = 0;
  store = Open(o);
  auto reader = std::move(*store->NewReader());
  auto pending = reader->ReadPending(0, 100000, std::numeric_limits<size_t>::max());
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), last_ok - last_ok / 2 + 1);
  EXPECT_EQ(pending->back().seq, last_ok + 1);
  EXPECT_EQ(store->Stats().feedback_lost, 2);
  EXPECT_TRUE(store->Append(Feedback(5)).ok());
}

TEST_F(EventStoreTest, GarbageFileIsQuarantinedAndSeqsContinue) {
  {
    auto store = Open();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Append(Feedback(2)).ok());
  }
  {
    std::ofstream out(dir_.File("events.db"), std::ios::trunc | std::ios::binary);
    out << std::string(8192, 'x');
  }
  fs::remove(dir_.File("events.db-wal"));
  fs::remove(dir_.File("events.db-shm"));
  auto store = Open();
  ASSERT_NE(store, nullptr);
  const auto& report = store->open_report();
  ASSERT_FALSE(report.quarantined_to.empty());
  EXPECT_TRUE(fs::exists(report.quarantined_to));  // moved aside, never deleted
  EXPECT_EQ(fs::file_size(report.quarantined_to), 8192u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("corrupt"), std::string::npos);
  EXPECT_EQ(store->boot_count(), 2u);  // the boot count survives too
  auto seq = store->Append(Feedback(4));
  ASSERT_TRUE(seq.ok());
  EXPECT_GT(*seq, 3u) << "a seq the hub may have seen was reused";
}

TEST_F(EventStoreTest, DamagedPagesFailIntegrityCheckAndAreQuarantined) {
  {
    auto store = Open();
    std::vector<Event> batch;
    for (int i = 0; i < 2000; ++i) batch.push_back(Feedback(1 + i % 5));
    ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  }
  {
    // Checkpoint the WAL into the main file, then scribble over the middle of it.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.File("events.db").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::fstream f(dir_.File("events.db"), std::ios::in | std::ios::out | std::ios::binary);
    auto size = fs::file_size(dir_.File("events.db"));
    f.seekp(static_cast<std::streamoff>(size / 2));
    f << std::string(3 * 4096, '\x5a');
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->open_report().quarantined_to.empty());
  auto seq = store->Append(Feedback(3));
  ASSERT_TRUE(seq.ok());
  EXPECT_GT(*seq, 2000u);
}

TEST_F(EventStoreTest, DeletedDatabaseDoesNotReuseSeqs) {
  {
    auto store = Open();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->Append(Feedback(2)).ok());
  }
  fs::remove(dir_.File("events.db"));
  fs::remove(dir_.File("events.db-wal"));
  auto store = Open();
  EXPECT_GT(*store->Append(Feedback(2)), 10u);
}

TEST_F(EventStoreTest, NewerSchemaIsRefusedNotDestroyed) {
  {
    auto store = Open();
    ASSERT_TRUE(store->Append(Feedback(2)).ok());
  }
  sqlite3* db = nullptr;
  sqlite3_open(dir_.File("events.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EventStoreOptions o;
  o.path = dir_.File("events.db");
  auto s = EventStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("newer than this program"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_.File("events.db")));
}

TEST_F(EventStoreTest, BudgetPrunesAcknowledgedFirstAndKeepsFeedback) {
  EventStoreOptions o;
  o.disk_budget_bytes = 256 * 1024;
  auto store = Open(o);
  std::vector<Event> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(Feedback(1 + i % 5));
  ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  ASSERT_TRUE(store->MarkAcknowledged(1, 1500).ok());
  // Unacknowledged feedback beyond the budget is kept: only acknowledged events may go.
  batch.clear();
  for (int i = 0; i < 1500; ++i) batch.push_back(Feedback(2));
  ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  store->Flush();  // the budget work follows the commit
  StoreStats st = store->Stats();
  EXPECT_GT(st.events_pruned, 0);
  EXPECT_EQ(st.pending, 1500);
  auto reader = std::move(*store->NewReader());
  EXPECT_EQ(*reader->CountPending(), 1500);
  EXPECT_EQ(st.feedback_lost, 0);
}

TEST_F(EventStoreTest, OverBudgetCompactsOldFootfallIntoHours) {
  EventStoreOptions o;
  o.disk_budget_bytes = 0;  // no budget while filling
  auto store = Open(o);
  std::vector<Event> batch;
  int64_t total_in = 0, total_out = 0, total_dwell_n = 0;
  for (int m = 0; m < 24 * 60; ++m) {  // one day of one-minute intervals, hour-aligned start
    int64_t start = (kT0 / 3600000) * 3600000 + int64_t{m} * 60000;
    batch.push_back(Footfall(start, m % 7, m % 3));
    total_in += m % 7;
    total_out += m % 3;
    // Schema v2: a zone with m % 4 visits of 6 s each (none every fourth minute).
    ZoneStats z;
    z.id = "queue";
    z.visits = z.dwell_n = m % 4;
    z.occupancy_max = m % 4;
    z.occupancy_mean = (m % 4) / 2.0;
    if (z.dwell_n > 0) {
      z.dwell_mean_s = z.dwell_p90_s = 6.0;
      z.dwell_hist[DwellBucketOf(6.0)] = z.dwell_n;
    }
    std::get<FootfallPayload>(batch.back().payload).zones = {z};
    total_dwell_n += z.dwell_n;
  }
  ASSERT_TRUE(store->AppendBatch(std::move(batch)).ok());
  ASSERT_TRUE(store->Append(Feedback(5)).ok());
  store.reset();
  o.disk_budget_bytes = 64 * 1024;
  store = Open(o);
  ASSERT_TRUE(store->Append(Feedback(4)).ok());  // a write triggers the budget check
  store->Flush();
  StoreStats st = store->Stats();
  EXPECT_GT(st.footfall_compacted, 0);
  auto reader = std::move(*store->NewReader());
  auto all = reader->ReadPending(0, 100000, std::numeric_limits<size_t>::max());
  int64_t in = 0, out = 0, feedback = 0, hourly = 0, dwell_n = 0;
  double dwell_s = 0;
  std::set<uint64_t> replaced;
  for (const auto& s : *all) {
    auto e = DecodeEvent(s.json);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    if (e->type() == EventType::kFeedback) ++feedback;
    if (e->type() != EventType::kFootfall) continue;
    const auto& p = std::get<FootfallPayload>(e->payload);
    for (const auto& l : p.lines) {
      in += l.in;
      out += l.out;
    }
    for (const ZoneStats& z : p.zones) {
      dwell_n += z.dwell_n;
      dwell_s += z.dwell_mean_s.value_or(0) * static_cast<double>(z.dwell_n);
    }
    if (p.interval_s == 3600) {
      ++hourly;
      EXPECT_EQ(p.interval_start_ms % 3600000, 0);
      ASSERT_EQ(p.zones.size(), 1u);
      EXPECT_EQ(p.zones[0].occupancy_max, 3);
      EXPECT_NEAR(p.zones[0].occupancy_mean, 0.75, 1e-9);  // (0 + 0.5 + 1 + 1.5) / 4
      EXPECT_DOUBLE_EQ(*p.zones[0].dwell_p90_s, *DwellQuantileOf(p.zones[0].dwell_hist, 0.9));
      replaced.insert(p.compacted_seqs.begin(), p.compacted_seqs.end());
    }
  }
  EXPECT_EQ(feedback, 2);   // feedback untouched
  EXPECT_EQ(in, total_in);  // no count lost in the merge
  EXPECT_EQ(out, total_out);
  EXPECT_EQ(dwell_n, total_dwell_n);  // zones merged, not dropped
  EXPECT_NEAR(dwell_s, 6.0 * static_cast<double>(total_dwell_n), 1e-6);
  EXPECT_GT(hourly, 0);
  EXPECT_EQ(static_cast<int64_t>(replaced.size()), st.footfall_compacted);
}

TEST_F(EventStoreTest, ExportWritesJsonLines) {
  auto store = Open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->Append(Feedback(3)).ok());
  ASSERT_TRUE(store->MarkAcknowledged(1, 4).ok());
  auto reader = std::move(*store->NewReader());
  auto n = ExportEventsJsonl(*reader, dir_.File("pending.jsonl"), ExportOptions{true});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 6);
  auto all = ExportEventsJsonl(*reader, dir_.File("all.jsonl"), ExportOptions{false});
  EXPECT_EQ(*all, 10);
  std::ifstream in(dir_.File("pending.jsonl"));
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    auto e = DecodeEvent(line);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->seq, static_cast<uint64_t>(5 + lines));
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  EXPECT_FALSE(fs::exists(dir_.File("pending.jsonl.partial")));
  auto bad = ExportEventsJsonl(*reader, dir_.File("no/such/dir/x.jsonl"), ExportOptions{});
  EXPECT_EQ(bad.status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace touchpoint
