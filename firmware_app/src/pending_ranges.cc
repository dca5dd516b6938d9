#include "pending_ranges.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace touchpoint::store {

namespace {

int64_t ToInt(uint64_t seq) {
  return static_cast<int64_t>(std::min<uint64_t>(seq, std::numeric_limits<int64_t>::max()));
}

}  // namespace

std::string PendingEventsSql(const char* columns) {
  // Ranges in order from the one holding ?1 (or the first after it), and each range's events by
  // seq: both loops walk a rowid in order, so the ORDER BY needs no sort and LIMIT stops early.
  // The events' lower bound is one expression, so that SQLite starts each range's scan there
  // (not at the range's first seq, which for a long backlog's range is far behind ?1).
  return std::string("SELECT ") + columns +
         " FROM pending p CROSS JOIN events e ON e.seq >= MAX(p.first_seq, ?1 + 1) AND "
         "e.seq <= p.last_seq WHERE p.first_seq >= COALESCE((SELECT MAX(first_seq) FROM pending "
         "WHERE first_seq <= ?1), 0) ORDER BY p.first_seq, e.seq LIMIT ?2";
}

Status AddPending(sql::Database& db, uint64_t first, uint64_t last) {
  if (last < first) return Status::Ok();
  auto extend = db.Prepare(
      "UPDATE pending SET last_seq = ?2 WHERE first_seq = (SELECT MAX(first_seq) FROM pending) "
      "AND last_seq = ?1 - 1");
  if (!extend.ok()) return extend.status();
  extend->Bind(1, ToInt(first)).Bind(2, ToInt(last));
  if (Status s = extend->Run(); !s.ok()) return s;
  if (db.Changes() > 0) return Status::Ok();
  auto insert = db.Prepare("INSERT INTO pending(first_seq, last_seq) VALUES(?1, ?2)");
  if (!insert.ok()) return insert.status();
  insert->Bind(1, ToInt(first)).Bind(2, ToInt(last));
  return insert->Run();
}

Result<int64_t> RemovePending(sql::Database& db, uint64_t first, uint64_t last) {
  if (last < first) return int64_t{0};
  const int64_t f = ToInt(first), l = ToInt(last);
  // The range holding `first` (if any) and every range that starts inside [first, last].
  auto overlapping = db.Prepare(
      "SELECT first_seq, last_seq FROM pending WHERE first_seq >= COALESCE((SELECT "
      "MAX(first_seq) FROM pending WHERE first_seq <= ?1), ?1) AND first_seq <= ?2 "
      "ORDER BY first_seq");
  if (!overlapping.ok()) return overlapping.status();
  overlapping->Bind(1, f).Bind(2, l);
  std::vector<std::pair<int64_t, int64_t>> ranges;
  Status read = overlapping->ForEachRow(
      [&] { ranges.emplace_back(overlapping->ColumnInt(0), overlapping->ColumnInt(1)); });
  if (!read.ok()) return read;
  int64_t removed = 0;
  std::optional<sql::Statement> shorten, remove, insert;
  for (const auto& [a, b] : ranges) {
    if (b < f) continue;  // the range before `first` ends before it
    removed += std::min(b, l) - std::max(a, f) + 1;
    if (a < f) {  // keep [a, first - 1]
      auto st = db.PrepareOnce(&shorten, "UPDATE pending SET last_seq = ?2 WHERE first_seq = ?1");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, a).Bind(2, f - 1);
      if (Status s = (*st)->Run(); !s.ok()) return s;
    } else {
      auto st = db.PrepareOnce(&remove, "DELETE FROM pending WHERE first_seq = ?1");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, a);
      if (Status s = (*st)->Run(); !s.ok()) return s;
    }
    if (b > l) {  // keep [last + 1, b]
      auto st = db.PrepareOnce(&insert, "INSERT INTO pending(first_seq, last_seq) VALUES(?1, ?2)");
      if (!st.ok()) return st.status();
      (*st)->Bind(1, l + 1).Bind(2, b);
      if (Status s = (*st)->Run(); !s.ok()) return s;
    }
  }
  return removed;
}

}  // namespace touchpoint::store
