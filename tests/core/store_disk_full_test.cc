// The event store on a really full disk (a small tmpfs, the kernel's own ENOSPC), an unwritable
// data folder, and the modes of what it creates. Skipped where no filesystem can be mounted.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "small_filesystem.h"
#include "test_support.h"
#include "touchpoint/core/data_files.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/sqlite.h"

namespace touchpoint {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

Event Feedback(int score) {
  Event e;
  e.id = NewUuidV7(1795000000000);
  e.kiosk_id = "k1";
  e.store_id = "s1";
  e.touchpoint = "entrance";
  e.journey_stage = "visit";
  e.time_ms = 1795000000000;
  FeedbackPayload f;
  f.survey_id = "visit";
  f.language = "en";
  f.answers = {Answer{"overall", QuestionType::kCsat, score, {}, ""}};
  e.payload = f;
  return e;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

EventStoreOptions Degrading(const std::string& path) {
  EventStoreOptions o;
  o.path = path;
  o.degrade_on_storage_error = true;
  o.retry_min_ms = 20;
  o.retry_max_ms = 200;
  return o;
}

#define REQUIRE_SMALL_FS(fs_)                     \
  do {                                            \
    if (!(fs_).ok()) GTEST_SKIP() << (fs_).why(); \
  } while (0)

TEST(StoreDiskFull, FullDiskAtFirstStartDegradesThenOpensWhenSpaceReturns) {
  testing::SmallFilesystem disk(1024 * 1024);
  REQUIRE_SMALL_FS(disk);
  ASSERT_GT(disk.Fill(), 0);
  ASSERT_EQ(disk.FreeBytes(), 0);

  // Without degrading, Open() fails, and says the disk is full (not "disk I/O error").
  EventStoreOptions strict;
  strict.path = disk.File("data/events.db");
  auto failed = EventStore::Open(strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Status::Code::kDiskFull) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("no space left in " + disk.File("data")),
            std::string::npos)
      << failed.status().ToString();

  auto opened = EventStore::Open(Degrading(disk.File("data/events.db")));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto store = std::move(*opened);
  EXPECT_TRUE(store->WritesFailing());
  EXPECT_NE(store->Stats().last_write_error.find("no space left"), std::string::npos)
      << store->Stats().last_write_error;
  ASSERT_FALSE(store->open_report().problems.empty());

  // Writes fail at once with the reason, and count as lost; readers answer with errors.
  auto r = store->Append(Feedback(3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDiskFull) << r.status().ToString();
  auto reader = store->NewReader();
  ASSERT_TRUE(reader.ok()) << "a degraded store still hands out readers";
  EXPECT_FALSE((*reader)->ReadPending(0, 10, 1 << 20).ok());
  EXPECT_EQ(store->Stats().feedback_lost, 1);

  // Space returns: the writer's retry opens the store with no write from us.
  disk.Unfill();
  ASSERT_TRUE(testing::WaitFor([&] { return !store->WritesFailing(); }, seconds(10)))
      << store->Stats().last_write_error;
  EXPECT_TRUE(store->Stats().last_write_error.empty());
  auto ok = store->Append(Feedback(4));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  auto pending = (*reader)->ReadPending(0, 10, 1 << 20);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().seq, *ok);
  store->Flush();
  store.reset();

  // The loss counted while degraded was persisted once the database opened.
  auto again = EventStore::Open(Degrading(disk.File("data/events.db")));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Stats().feedback_lost, 1);
  EXPECT_FALSE((*again)->WritesFailing());
}

TEST(StoreDiskFull, ExistingDatabaseOnAFullDiskDegradesAndKeepsItsEvents) {
  testing::SmallFilesystem disk(2 * 1024 * 1024);
  REQUIRE_SMALL_FS(disk);
  const std::string path = disk.File("events.db");
  uint64_t stored = 0;
  {
    auto store = EventStore::Open(Degrading(path));
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 20; ++i) {
      auto r = (*store)->Append(Feedback(i % 5 + 1));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      stored = *r;
    }
  }
  ASSERT_GT(disk.Fill(), 0);
  // The open itself may work; the first write (boot count, WAL, -shm) cannot.
  auto opened = EventStore::Open(Degrading(path));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto store = std::move(*opened);
  EXPECT_TRUE(store->WritesFailing());
  EXPECT_EQ(store->Append(Feedback(1)).status().code(), Status::Code::kDiskFull);

  disk.Unfill();
  ASSERT_TRUE(testing::WaitFor([&] { return !store->WritesFailing(); }, seconds(10)))
      << store->Stats().last_write_error;
  EXPECT_EQ(store->boot_count(), 2u);
  auto next = store->Append(Feedback(5));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, stored + 1) << "no seq is lost or reused across the degraded start";
  EXPECT_EQ(store->Stats().pending, 21);
}

TEST(StoreDiskFull, DiskFillingWhileRunningIsReportedAndClearsWithoutANewWrite) {
  testing::SmallFilesystem disk(2 * 1024 * 1024);
  REQUIRE_SMALL_FS(disk);
  auto opened = EventStore::Open(Degrading(disk.File("events.db")));
  ASSERT_TRUE(opened.ok());
  auto store = std::move(*opened);
  ASSERT_TRUE(store->Append(Feedback(1)).ok());
  ASSERT_FALSE(store->WritesFailing());

  disk.Fill();
  // Appends until one fails: the WAL must grow past what it already has.
  Status failure;
  for (int i = 0; i < 5000 && failure.ok(); ++i) failure = store->Append(Feedback(2)).status();
  ASSERT_FALSE(failure.ok()) << "the disk never filled up";
  EXPECT_EQ(failure.code(), Status::Code::kDiskFull) << failure.ToString();
  EXPECT_TRUE(store->WritesFailing());
  EXPECT_FALSE(store->Stats().last_write_error.empty());

  disk.Unfill();
  // Nobody writes: the writer's own probe finds the space again.
  ASSERT_TRUE(testing::WaitFor([&] { return !store->WritesFailing(); }, seconds(10)))
      << store->Stats().last_write_error;
  EXPECT_TRUE(store->Stats().last_write_error.empty());
  EXPECT_TRUE(store->Append(Feedback(3)).ok());
  EXPECT_GE(store->Stats().events_lost, 1);
}

TEST(StoreDiskFull, UnwritableDataFolderDegradesUntilItCanBeMade) {
  testing::TempDir dir;
  // The data folder's parent is a file: the folder cannot be made, whoever we are (even root).
  std::ofstream(dir.File("blocker")) << "not a folder\n";
  auto opened = EventStore::Open(Degrading(dir.File("blocker/data/events.db")));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto store = std::move(*opened);
  EXPECT_TRUE(store->WritesFailing());
  EXPECT_NE(store->Stats().last_write_error.find(dir.File("blocker")), std::string::npos)
      << store->Stats().last_write_error;
  EXPECT_FALSE(store->Append(Feedback(1)).ok());

  fs::remove(dir.File("blocker"));
  fs::create_directory(dir.File("blocker"));
  ASSERT_TRUE(testing::WaitFor([&] { return !store->WritesFailing(); }, seconds(10)))
      << store->Stats().last_write_error;
  EXPECT_TRUE(store->Append(Feedback(2)).ok());
  EXPECT_EQ(ModeOf(dir.File("blocker/data")), 0750u);

  // Without degrading (inspection), the same problem is an error naming the folder.
  fs::remove_all(dir.File("blocker"));
  std::ofstream(dir.File("blocker")) << "not a folder\n";
  EventStoreOptions strict;
  strict.path = dir.File("blocker/data/events.db");
  auto failed = EventStore::Open(strict);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(dir.File("blocker")), std::string::npos)
      << failed.status().ToString();
}

TEST(StoreFiles, DataFilesArePrivateWhateverTheUmask) {
  testing::TempDir dir;
  mode_t old = ::umask(0);  // the worst case: nothing masked
  {
    auto opened = EventStore::Open(Degrading(dir.File("a/b/events.db")));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ASSERT_TRUE((*opened)->Append(Feedback(1)).ok());
    // While open (WAL mode) the -wal and -shm files exist.
    for (const char* f : {"events.db", "events.db-wal", "events.db-shm", "events.db.seq"}) {
      EXPECT_EQ(ModeOf(dir.File(std::string("a/b/") + f)), 0600u) << f;
    }
    EXPECT_EQ(ModeOf(dir.File("a")), 0750u);
    EXPECT_EQ(ModeOf(dir.File("a/b")), 0750u);
  }
  // A database left world-readable by an older version loses "other" access at the next open.
  ::chmod(dir.File("a/b/events.db").c_str(), 0644);
  {
    auto opened = EventStore::Open(Degrading(dir.File("a/b/events.db")));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(ModeOf(dir.File("a/b/events.db")), 0640u);
  }
  ::umask(old);
}

TEST(DataFiles, WriteFileAtomicallyReplacesWholeOrNotAtAll) {
  testing::SmallFilesystem disk(256 * 1024);
  REQUIRE_SMALL_FS(disk);
  const std::string path = disk.File("heartbeat");
  mode_t old = ::umask(0);
  ASSERT_TRUE(WriteFileAtomically(path, "1000\n").ok());
  ::umask(old);
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_TRUE(WriteFileAtomically(path, "2000\n").ok());
  std::string content;
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "2000");

  // Full: the new content cannot be written; the old one is intact and no temp file is left.
  disk.Fill();
  Status s = WriteFileAtomically(path, std::string(64 * 1024, '9'));
  EXPECT_EQ(s.code(), Status::Code::kDiskFull) << s.ToString();
  std::getline(std::ifstream(path), content);
  EXPECT_EQ(content, "2000");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(SqliteBind, AFailedBindStopsTheStatementAndNamesTheParameter) {
  testing::TempDir dir;
  auto db = sql::Database::Open(dir.File("t.db"), sql::Database::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(a INTEGER NOT NULL DEFAULT 7, b TEXT)").ok());
  auto ins = (*db)->Prepare("INSERT INTO t(b) VALUES(?)");
  ASSERT_TRUE(ins.ok());
  // Index 2 does not exist: SQLITE_RANGE. Without checking, the row would go in with b = NULL.
  Status s = ins->Bind(2, std::string_view("x")).Run();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("bind parameter 2"), std::string::npos) << s.ToString();
  auto n = (*db)->QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->value_or(-1), 0) << "nothing was inserted";
  // After Reset() the statement works again with a good bind.
  ins->Reset();
  EXPECT_TRUE(ins->Bind(1, std::string_view("y")).Run().ok());
  n = (*db)->QueryInt("SELECT count(*) FROM t");
  EXPECT_EQ(n->value_or(-1), 1);
}

}  // namespace
}  // namespace touchpoint
