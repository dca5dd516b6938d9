// Recomputing the rollup cells from the held events' JSON (rebuild-rollups, migration to v4).
#include <unordered_map>
#include <vector>

#include "hub_store_schema.h"
#include "payload_block.h"
#include "rollups.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint::hub::rollups {

namespace {

constexpr size_t kFlushCells = 50000;  // cells held in memory before they are written
constexpr size_t kCachedBlocks = 64;   // decompressed payload blocks kept while scanning
// The scratch copies of the levels' tables while rebuilding.
constexpr const char* kScratch = "_rebuild";

// Decompressed payload blocks by id, dropped all at once when full (events of one kiosk in seq
// order mostly share blocks, so a small cache reads each block about once).
class BlockCache {
 public:
  explicit BlockCache(sql::Database* db) : db_(db) {}

  Result<std::string_view> Line(int64_t id, int64_t line) {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) {
      if (blocks_.size() >= kCachedBlocks) blocks_.clear();
      if (!select_) {
        auto st = db_->Prepare("SELECT codec, data FROM payloads WHERE id = ?1");
        if (!st.ok()) return st.status();
        select_.emplace(std::move(st.value()));
      }
      select_->Reset();
      select_->Bind(1, id);
      auto row = select_->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Corruption("payload block " + std::to_string(id) + " is missing");
      auto block = PayloadBlockReader::Open(static_cast<PayloadCodec>(select_->ColumnInt(0)),
                                            select_->ColumnTextView(1));
      if (!block.ok()) return block.status();
      it = blocks_.emplace(id, std::move(block.value())).first;
    }
    return it->second.Line(line);
  }

 private:
  sql::Database* db_;
  std::optional<sql::Statement> select_;
  std::unordered_map<int64_t, PayloadBlockReader> blocks_;
};

Result<int64_t> Count(sql::Database* db, const std::string& q) {
  auto n = db->QueryInt(q);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

struct OffsetFix {
  int64_t kiosk_key, seq, offset_min;
};

// Reads every event; adds the counted ones to the scratch table's cells.
Status Recompute(sql::Database* db, RollupRebuild* r) {
  Levels out(db->handle(), kScratch);
  CellMap cells;
  auto flush = [&]() -> Status { return out.Flush(&cells); };
  BlockCache blocks(db);
  std::vector<OffsetFix> fixes;
  auto st = db->Prepare(
      "SELECT e.kiosk_key, e.seq, e.dim_key, e.superseded_by IS NOT NULL, "
      "COALESCE(e.flags, 0), e.utc_offset_min, e.payload_id, e.payload_line, k.kiosk "
      "FROM events e JOIN kiosks k ON k.kiosk_key = e.kiosk_key");
  if (!st.ok()) return st.status();
  Status rows = st->ForEachRow([&]() -> Status {
    ++r->events;
    bool counted = st->ColumnInt(3) == 0 && (st->ColumnInt(4) & kEventFlagTimeOutOfRange) == 0;
    bool offset_known = !st->ColumnIsNull(5);
    if (!counted && offset_known) return Status::Ok();
    int64_t kiosk_key = st->ColumnInt(0), seq = st->ColumnInt(1);
    auto where = [&] { return st->ColumnText(8) + "/" + std::to_string(seq) + ": "; };
    auto line = blocks.Line(st->ColumnInt(6), st->ColumnInt(7));
    if (!line.ok()) return Status::Corruption(where() + line.status().message());
    auto event = DecodeEvent(*line);
    if (!event.ok())
      return Status::Corruption(where() + "stored JSON: " + event.status().message());
    if (!offset_known || st->ColumnInt(5) != event->utc_offset_min) {
      fixes.push_back({kiosk_key, seq, event->utc_offset_min});
    }
    if (!counted) return Status::Ok();
    AddEvent(&cells, st->ColumnInt(2), ToHubEvent(std::move(event.value()), {}, {}));
    if (cells.size() >= kFlushCells) return flush();
    return Status::Ok();
  });
  if (!rows.ok()) return rows;
  if (Status s = flush(); !s.ok()) return s;
  auto fix = db->Prepare("UPDATE events SET utc_offset_min = ?3 WHERE kiosk_key = ?1 AND seq = ?2");
  if (!fix.ok()) return fix.status();
  for (const OffsetFix& f : fixes) {
    fix->Reset();
    fix->Bind(1, f.kiosk_key).Bind(2, f.seq).Bind(3, f.offset_min);
    if (Status s = fix->Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Result<RollupRebuild> Rebuild(sql::Database* db) {
  RollupRebuild r;
  for (const char* t : kLevelTables) {
    const std::string scratch = std::string(t) + kScratch;
    if (Status s = db->Exec("DROP TABLE IF EXISTS " + scratch + ";" + CellsTableSql(scratch));
        !s.ok()) {
      return s;
    }
  }
  if (Status s = Recompute(db, &r); !s.ok()) return s;
  for (const char* t : kLevelTables) {
    const std::string live = t, scratch = std::string(t) + kScratch;
    const std::string same_key =
        "o.dim_key = n.dim_key AND o.hour_local = n.hour_local AND "
        "o.utc_offset_min = n.utc_offset_min";
    auto added =
        Count(db, "SELECT COUNT(*) FROM " + scratch + " n WHERE NOT EXISTS (SELECT 1 FROM " + live +
                      " o WHERE " + same_key + ")");
    auto removed =
        Count(db, "SELECT COUNT(*) FROM " + live + " o WHERE NOT EXISTS (SELECT 1 FROM " + scratch +
                      " n WHERE " + same_key + ")");
    auto changed = Count(db, "SELECT COUNT(*) FROM " + scratch + " n JOIN " + live + " o ON " +
                                 same_key + " WHERE o.cell != n.cell");  // canonical (EncodeCell)
    for (auto* n : {&added, &removed, &changed}) {
      if (!n->ok()) return n->status();
    }
    r.added += *added;
    r.removed += *removed;
    r.changed += *changed;
    if (Status s = db->Exec("DELETE FROM " + live + "; INSERT INTO " + live + " SELECT * FROM " +
                            scratch + "; DROP TABLE " + scratch + ";");
        !s.ok()) {
      return s;
    }
  }
  auto cells = Count(db, "SELECT COUNT(*) FROM cells");
  if (!cells.ok()) return cells.status();
  r.cells = *cells;
  return r;
}

}  // namespace touchpoint::hub::rollups
