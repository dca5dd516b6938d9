#include "kiosk_counts.h"

#include <algorithm>
#include <limits>
#include <tuple>

namespace touchpoint::hub::kiosk_counts {

namespace {

int64_t ToInt(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t ToSeq(int64_t v) { return static_cast<uint64_t>(v); }

// Every kiosk's id by its key.
Result<std::map<int64_t, std::string>> KioskNames(sql::Database* db) {
  std::map<int64_t, std::string> names;
  auto ks = db->Prepare("SELECT kiosk_key, kiosk FROM kiosks");
  if (!ks.ok()) return ks.status();
  Status rows = ks->ForEachRow([&] { names[ks->ColumnInt(0)] = ks->ColumnText(1); });
  if (!rows.ok()) return rows;
  return names;
}

struct Fresh {
  std::map<int64_t, std::tuple<int64_t, int64_t, int64_t>> counts;  // key -> events, max, last
  std::map<std::string, std::vector<SeqRange>> accounted;
};

Result<Fresh> Compute(sql::Database* db) {
  Fresh f;
  auto kiosks_read = KioskNames(db);
  if (!kiosks_read.ok()) return kiosks_read.status();
  const std::map<int64_t, std::string>& kiosks = *kiosks_read;
  // In key order: each kiosk's seqs come together and ascending.
  // An event arrived with its payload block (schema v9: the block's time is the write's).
  auto st = db->Prepare(
      "SELECT e.kiosk_key, e.seq, COALESCE(p.received_ms, 0) FROM events e "
      "LEFT JOIN payloads p ON p.id = e.payload_id ORDER BY e.kiosk_key, e.seq");
  if (!st.ok()) return st.status();
  int64_t current = std::numeric_limits<int64_t>::min();
  std::tuple<int64_t, int64_t, int64_t>* counts = nullptr;
  std::vector<SeqRange>* ranges = nullptr;
  Status rows = st->ForEachRow([&] {
    int64_t key = st->ColumnInt(0);
    if (key != current || !counts) {
      auto it = kiosks.find(key);
      if (it == kiosks.end()) {
        return Status::Corruption("events: unknown kiosk_key " + std::to_string(key));
      }
      current = key;
      counts = &f.counts[key];
      ranges = &f.accounted[it->second];
    }
    int64_t seq = st->ColumnInt(1);
    ++std::get<0>(*counts);
    std::get<1>(*counts) = std::max(std::get<1>(*counts), seq);
    std::get<2>(*counts) = std::max(std::get<2>(*counts), st->ColumnInt(2));
    uint64_t s = ToSeq(seq);
    if (!ranges->empty() && s - ranges->back().last == 1) {
      ranges->back().last = s;
    } else {
      ranges->push_back({s, s});
    }
    return Status::Ok();
  });
  if (!rows.ok()) return rows;
  for (const char* q : {"SELECT kiosk, first_seq, last_seq FROM known_gaps",
                        "SELECT kiosk, first_seq, last_seq FROM compactions"}) {
    auto more = db->Prepare(q);
    if (!more.ok()) return more.status();
    rows = more->ForEachRow([&] {
      f.accounted[more->ColumnText(0)].push_back(
          {ToSeq(more->ColumnInt(1)), ToSeq(more->ColumnInt(2))});
    });
    if (!rows.ok()) return rows;
  }
  for (auto& [kiosk, r] : f.accounted) r = MergeRanges(std::move(r));
  return f;
}

}  // namespace

int64_t SeqGaps(const std::vector<SeqRange>& ranges) {
  uint64_t next = 1;
  int64_t missing = 0;
  for (const SeqRange& r : ranges) {
    if (r.first > next) missing += static_cast<int64_t>(r.first - next);
    if (r.last >= next) next = r.last + 1;
  }
  return missing;
}

void Deltas::Inserted(int64_t kiosk_key, const HubEvent& e, int64_t received_ms) {
  Counts& c = counts_[kiosk_key];
  ++c.events;
  c.max_seq = std::max(c.max_seq, e.seq);
  c.last_received_ms = std::max(c.last_received_ms, received_ms);
  if (!last_ranges_ || e.kiosk != last_kiosk_) {
    last_kiosk_ = e.kiosk;
    last_ranges_ = &accounted_[e.kiosk];
  }
  std::vector<SeqRange>& r = *last_ranges_;
  if (!r.empty() && e.seq - r.back().last == 1) {
    r.back().last = e.seq;  // the common case: a kiosk's batch in order
  } else {
    r.push_back({e.seq, e.seq});
  }
  for (const SeqRange& replaced : e.compacted) r.push_back(replaced);
}

void Deltas::Clear() {
  counts_.clear();
  accounted_.clear();
  last_kiosk_.clear();
  last_ranges_ = nullptr;
}

Status Deltas::Flush(sql::Database* db, std::span<const HubWrite* const> writes) {
  last_ranges_ = nullptr;  // accounted_ changes below
  for (const HubWrite* w : writes) {
    for (const KnownGap& g : w->gaps) accounted_[g.kiosk].push_back(g.range);
  }
  Status s = Status::Ok();
  if (!counts_.empty()) {
    auto up =
        db->PrepareOnce(&upsert_,
                        "INSERT INTO kiosk_counts(kiosk_key, events, max_seq, last_received_ms) "
                        "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(kiosk_key) DO UPDATE SET "
                        "events = events + excluded.events, "
                        "max_seq = MAX(max_seq, excluded.max_seq), "
                        "last_received_ms = MAX(last_received_ms, excluded.last_received_ms)");
    if (!up.ok()) return up.status();
    for (const auto& [key, c] : counts_) {
      (*up)->Reset();
      (*up)->Bind(1, key).Bind(2, c.events).Bind(3, ToInt(c.max_seq)).Bind(4, c.last_received_ms);
      if (s = (*up)->Run(); !s.ok()) break;
    }
  }
  for (auto& [kiosk, ranges] : accounted_) {
    if (!s.ok()) break;
    for (const SeqRange& r : MergeRanges(std::move(ranges))) {
      // The ranges held that overlap or touch r: walking down from the last one starting at or
      // before r.last + 1, until one ends before r.first - 1 (they are disjoint and sorted).
      auto over =
          db->PrepareOnce(&overlapping_,
                          "SELECT first_seq, last_seq FROM accounted_seqs WHERE kiosk = ?1 AND "
                          "first_seq <= ?2 ORDER BY first_seq DESC");
      if (!over.ok()) return over.status();
      sql::Statement& o = **over;
      uint64_t upper = r.last == std::numeric_limits<uint64_t>::max() ? r.last : r.last + 1;
      o.Bind(1, kiosk).Bind(2, ToInt(upper));
      SeqRange merged = r;
      std::vector<uint64_t> replaced;  // first seqs of the rows merged into `merged`
      bool covered = false;
      while (true) {
        auto row = o.Step();
        if (!row.ok()) {
          s = row.status();
          break;
        }
        if (!*row) break;
        SeqRange held{ToSeq(o.ColumnInt(0)), ToSeq(o.ColumnInt(1))};
        if (held.last < r.first && r.first - held.last > 1) break;  // before r, apart
        if (held.first <= r.first && held.last >= r.last) covered = true;
        merged.first = std::min(merged.first, held.first);
        merged.last = std::max(merged.last, held.last);
        replaced.push_back(held.first);
      }
      o.Reset();
      if (!s.ok()) break;
      if (covered) continue;  // nothing new
      auto del = db->PrepareOnce(&delete_,
                                 "DELETE FROM accounted_seqs WHERE kiosk = ?1 AND first_seq = ?2");
      if (!del.ok()) return del.status();
      for (uint64_t first : replaced) {
        if (first == merged.first) continue;  // replaced by the insert below
        (*del)->Reset();
        (*del)->Bind(1, kiosk).Bind(2, ToInt(first));
        if (s = (*del)->Run(); !s.ok()) break;
      }
      if (!s.ok()) break;
      auto ins =
          db->PrepareOnce(&insert_,
                          "INSERT OR REPLACE INTO accounted_seqs(kiosk, first_seq, last_seq) "
                          "VALUES(?1, ?2, ?3)");
      if (!ins.ok()) return ins.status();
      (*ins)->Bind(1, kiosk).Bind(2, ToInt(merged.first)).Bind(3, ToInt(merged.last));
      if (s = (*ins)->Run(); !s.ok()) break;
    }
  }
  Clear();
  return s;
}

Result<RecomputeResult> Recompute(sql::Database* db) {
  auto fresh = Compute(db);
  if (!fresh.ok()) return fresh.status();
  // What the tables held, to say what differed.
  Fresh old;
  {
    auto st = db->Prepare("SELECT kiosk_key, events, max_seq, last_received_ms FROM kiosk_counts");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      old.counts[st->ColumnInt(0)] = {st->ColumnInt(1), st->ColumnInt(2), st->ColumnInt(3)};
    });
    if (!rows.ok()) return rows;
    auto ranges = db->Prepare(
        "SELECT kiosk, first_seq, last_seq FROM accounted_seqs ORDER BY kiosk, first_seq");
    if (!ranges.ok()) return ranges.status();
    rows = ranges->ForEachRow([&] {
      old.accounted[ranges->ColumnText(0)].push_back(
          {ToSeq(ranges->ColumnInt(1)), ToSeq(ranges->ColumnInt(2))});
    });
    if (!rows.ok()) return rows;
  }
  RecomputeResult out;
  auto names_read = KioskNames(db);
  if (!names_read.ok()) return names_read.status();
  const std::map<int64_t, std::string>& names = *names_read;
  std::map<std::string, bool> differs;  // by kiosk id
  auto name_of = [&names](int64_t key) {
    auto it = names.find(key);
    return it == names.end() ? "#" + std::to_string(key) : it->second;
  };
  for (const auto& [key, c] : fresh->counts) {
    auto it = old.counts.find(key);
    differs[name_of(key)] |= it == old.counts.end() || it->second != c;
  }
  for (const auto& [key, c] : old.counts) differs[name_of(key)] |= !fresh->counts.count(key);
  for (const auto& [kiosk, r] : fresh->accounted) {
    auto it = old.accounted.find(kiosk);
    differs[kiosk] |= it == old.accounted.end() ? !r.empty() : it->second != r;
  }
  for (const auto& [kiosk, r] : old.accounted) {
    differs[kiosk] |= !fresh->accounted.count(kiosk) && !r.empty();
  }
  for (const auto& [kiosk, d] : differs) out.changed += d ? 1 : 0;
  if (Status s = db->Exec("DELETE FROM kiosk_counts; DELETE FROM accounted_seqs"); !s.ok()) {
    return s;
  }
  auto ins = db->Prepare(
      "INSERT INTO kiosk_counts(kiosk_key, events, max_seq, last_received_ms) "
      "VALUES(?1, ?2, ?3, ?4)");
  if (!ins.ok()) return ins.status();
  for (const auto& [key, c] : fresh->counts) {
    ins->Reset();
    ins->Bind(1, key).Bind(2, std::get<0>(c)).Bind(3, std::get<1>(c)).Bind(4, std::get<2>(c));
    if (Status s = ins->Run(); !s.ok()) return s;
  }
  auto ranges =
      db->Prepare("INSERT INTO accounted_seqs(kiosk, first_seq, last_seq) VALUES(?1, ?2, ?3)");
  if (!ranges.ok()) return ranges.status();
  for (const auto& [kiosk, rs] : fresh->accounted) {
    for (const SeqRange& r : rs) {
      ranges->Reset();
      ranges->Bind(1, kiosk).Bind(2, ToInt(r.first)).Bind(3, ToInt(r.last));
      if (Status s = ranges->Run(); !s.ok()) return s;
    }
  }
  std::map<std::string, bool> kiosks;
  for (const auto& [key, c] : fresh->counts) kiosks[name_of(key)] = true;
  for (const auto& [kiosk, r] : fresh->accounted) kiosks[kiosk] = true;
  out.kiosks = static_cast<int64_t>(kiosks.size());
  return out;
}

}  // namespace touchpoint::hub::kiosk_counts
