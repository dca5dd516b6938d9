// Readers: one SQLite connection each, for one thread (WAL lets them read while the writer
// commits).
#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>

#include "pending_ranges.h"
#include "touchpoint/core/event_store.h"
#include "touchpoint/core/sqlite.h"

namespace touchpoint {

struct EventReader::Impl {
  std::string path;
  std::shared_ptr<const std::atomic<bool>> store_ready;
  std::unique_ptr<sql::Database> db;  // opened once the store is ready
  // The uplink's read, once per batch: prepared once (parsing it cost ~7 % of the uplink thread).
  // Declared after `db`, so finalized before the connection closes.
  std::optional<sql::Statement> pending;

  // Opens the connection if the store has opened its database; errors until then.
  Status Connect() {
    if (db != nullptr) return Status::Ok();
    if (!store_ready->load()) {
      return Status::IoError(path + ": the event store is not open (see its storage problem)");
    }
    auto opened = sql::Database::Open(path, sql::Database::Mode::kReadWriteCreate);
    if (!opened.ok()) return opened.status();
    Status s = (*opened)->Exec("PRAGMA query_only=1");
    if (!s.ok()) return s;
    db = std::move(*opened);
    return Status::Ok();
  }
};

Result<std::unique_ptr<EventReader>> EventStore::NewReader() const {
  auto impl = std::make_unique<EventReader::Impl>();
  impl->path = DatabasePath();
  impl->store_ready = ReadyFlag();
  // A degraded store (not open yet) still hands out readers: they connect once it opens.
  if (impl->store_ready->load()) {
    Status s = impl->Connect();
    if (!s.ok()) return s;
  }
  return std::unique_ptr<EventReader>(new EventReader(std::move(impl)));
}

EventReader::EventReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventReader::~EventReader() = default;

namespace {

Result<std::vector<StoredEvent>> Collect(sql::Statement& stmt, size_t max_bytes, size_t max_count) {
  std::vector<StoredEvent> out;
  out.reserve(std::min<size_t>(max_count, 4096));  // a batch without regrowing
  size_t bytes = 0;
  while (true) {
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredEvent e;
    e.seq = static_cast<uint64_t>(stmt.ColumnInt(0));
    e.type = static_cast<EventType>(stmt.ColumnInt(1));
    e.time_ms = stmt.ColumnInt(2);
    e.acked = stmt.ColumnInt(3) != 0;
    e.json = stmt.ColumnText(4);
    bytes += e.json.size();
    out.push_back(std::move(e));
    if (bytes >= max_bytes) break;
  }
  return out;
}

}  // namespace

Result<std::vector<StoredEvent>> EventReader::ReadPending(uint64_t after_seq, size_t max_count,
                                                          size_t max_bytes) {
  if (Status c = impl_->Connect(); !c.ok()) return c;
  auto stmt = impl_->db->Prepare(store::PendingEventsSql("e.seq, e.type, e.time_ms, 0, e.body"));
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(after_seq)).Bind(2, static_cast<int64_t>(max_count));
  return Collect(*stmt, max_bytes, max_count);
}

Result<size_t> EventReader::VisitPending(
    uint64_t after_seq, size_t max_count, size_t max_bytes,
    const std::function<void(uint64_t seq, std::string_view json)>& fn) {
  if (Status c = impl_->Connect(); !c.ok()) return c;
  auto prepared = impl_->db->PrepareOnce(&impl_->pending, store::PendingEventsSql("e.seq, e.body"));
  if (!prepared.ok()) return prepared.status();
  sql::Statement& stmt = **prepared;
  // Reset on every way out: a statement left mid-scan keeps its read transaction open, which
  // would hold back the store's checkpoints until the next batch.
  struct ResetOnExit {
    sql::Statement& st;
    ~ResetOnExit() { st.Reset(); }
  } reset_on_exit{stmt};
  stmt.Bind(1, static_cast<int64_t>(after_seq)).Bind(2, static_cast<int64_t>(max_count));
  size_t n = 0, bytes = 0;
  while (true) {  // as Collect: stops once about max_bytes of JSON are read
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string_view json = stmt.ColumnTextView(1);
    fn(static_cast<uint64_t>(stmt.ColumnInt(0)), json);
    ++n;
    bytes += json.size();
    if (bytes >= max_bytes) break;
  }
  return n;
}

Result<std::vector<StoredEvent>> EventReader::ReadRange(uint64_t first_seq, uint64_t last_seq,
                                                        size_t max_count) {
  if (Status c = impl_->Connect(); !c.ok()) return c;
  auto stmt = impl_->db->Prepare(std::string("SELECT e.seq, e.type, e.time_ms, NOT ") +
                                 store::kEventIsPendingSql +
                                 ", e.body FROM events e WHERE e.seq BETWEEN ? AND ? "
                                 "ORDER BY e.seq LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(first_seq))
      .Bind(2, static_cast<int64_t>(std::min<uint64_t>(last_seq, INT64_MAX)))
      .Bind(3, static_cast<int64_t>(max_count));
  return Collect(*stmt, std::numeric_limits<size_t>::max(), max_count);
}

Result<std::vector<StoredEvent>> EventReader::ReadByTime(std::optional<EventType> type,
                                                         int64_t from_ms, int64_t to_ms) {
  if (Status c = impl_->Connect(); !c.ok()) return c;
  std::string sql = std::string("SELECT e.seq, e.type, e.time_ms, NOT ") +
                    store::kEventIsPendingSql +
                    ", e.body FROM events e WHERE e.time_ms >= ? AND e.time_ms < ?";
  if (type) sql += " AND e.type = ?";
  sql += " ORDER BY e.time_ms, e.seq";
  auto stmt = impl_->db->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, from_ms).Bind(2, to_ms);
  if (type) stmt->Bind(3, static_cast<int64_t>(*type));
  return Collect(*stmt, std::numeric_limits<size_t>::max(), 0);
}

Result<int64_t> EventReader::CountPending() {
  if (Status c = impl_->Connect(); !c.ok()) return c;
  auto n = impl_->db->QueryInt(store::kCountPendingSql);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

}  // namespace touchpoint
