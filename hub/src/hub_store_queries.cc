#include "hub_store_queries.h"

#include <algorithm>
#include <map>

#include "hub_store_schema.h"
#include "kiosk_counts.h"
#include "payload_block.h"

namespace touchpoint::hub::queries {

namespace {

int64_t ToInt(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

// The ranges kept at ingest (kiosk_counts.h) and the seqs of the rejects kept (index
// `rejects_kiosk`): no event is read.
Result<std::vector<KioskSeqs>> AccountedSeqs(sql::Database* db) {
  auto st = db->Prepare(
      "SELECT a.kiosk, COALESCE(k.store, ''), a.first, a.last FROM ("
      "SELECT kiosk, first_seq AS first, last_seq AS last FROM accounted_seqs UNION ALL "
      "SELECT kiosk, seq, seq FROM rejects WHERE seq IS NOT NULL) a "
      "LEFT JOIN kiosks k ON k.kiosk = a.kiosk ORDER BY a.kiosk, a.first");
  if (!st.ok()) return st.status();
  std::vector<KioskSeqs> out;
  Status rows = st->ForEachRow([&] {
    std::string_view kiosk = st->ColumnTextView(0);
    if (out.empty() || out.back().kiosk != kiosk) {
      out.push_back({std::string(kiosk), st->ColumnText(1), {}});
    }
    out.back().ranges.push_back(
        {static_cast<uint64_t>(st->ColumnInt(2)), static_cast<uint64_t>(st->ColumnInt(3))});
  });
  if (!rows.ok()) return rows;
  for (KioskSeqs& k : out) k.ranges = MergeRanges(std::move(k.ranges));
  return out;
}

Result<std::vector<SeqRange>> AccountedSeqsIn(sql::Database* db, const std::string& kiosk,
                                              SeqRange within) {
  std::vector<SeqRange> ranges;
  auto add = [&ranges, within](uint64_t first, uint64_t last) {
    first = std::max(first, within.first);
    last = std::min(last, within.last);
    if (first > last) return;
    if (!ranges.empty() && first <= ranges.back().last + 1 && first >= ranges.back().first) {
      ranges.back().last = std::max(ranges.back().last, last);
    } else {
      ranges.push_back({first, last});
    }
  };
  // Events by primary key range; then the small tables.
  for (const char* q :
       {"SELECT e.seq, e.seq FROM kiosks k JOIN events e ON e.kiosk_key = k.kiosk_key "
        "WHERE k.kiosk = ?1 AND e.seq BETWEEN ?2 AND ?3 ORDER BY e.seq",
        "SELECT seq, seq FROM rejects WHERE kiosk = ?1 AND seq BETWEEN ?2 AND ?3",
        "SELECT first_seq, last_seq FROM known_gaps WHERE kiosk = ?1 AND last_seq >= ?2 AND "
        "first_seq <= ?3",
        "SELECT first_seq, last_seq FROM compactions WHERE kiosk = ?1 AND last_seq >= ?2 AND "
        "first_seq <= ?3"}) {
    auto st = db->Prepare(q);
    if (!st.ok()) return st.status();
    st->Bind(1, kiosk).Bind(2, ToInt(within.first)).Bind(3, ToInt(within.last));
    Status rows = st->ForEachRow([&] {
      add(static_cast<uint64_t>(st->ColumnInt(0)), static_cast<uint64_t>(st->ColumnInt(1)));
    });
    if (!rows.ok()) return rows;
  }
  return MergeRanges(std::move(ranges));
}

Result<std::optional<std::string>> EventJson(sql::Database* db, const std::string& kiosk,
                                             uint64_t seq) {
  auto st = db->Prepare(
      "SELECT p.codec, p.data, e.payload_line FROM kiosks k "
      "JOIN events e ON e.kiosk_key = k.kiosk_key AND e.seq = ?2 "
      "JOIN payloads p ON p.id = e.payload_id WHERE k.kiosk = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, kiosk).Bind(2, ToInt(seq));
  auto step = st->Step();
  if (!step.ok()) return step.status();
  if (!*step) return std::optional<std::string>();
  auto line = PayloadLine(static_cast<PayloadCodec>(st->ColumnInt(0)), st->ColumnTextView(1),
                          st->ColumnInt(2));
  if (!line.ok()) {
    return Status::Corruption(kiosk + "/" + std::to_string(seq) + ": " + line.status().message());
  }
  return std::optional<std::string>(std::move(line.value()));
}

Result<std::vector<Reject>> Rejects(sql::Database* db, size_t limit) {
  auto st = db->Prepare(
      "SELECT received_ms, source, kiosk, seq, reason, payload, payload_bytes, payload_sha256 "
      "FROM rejects "
      "ORDER BY id DESC LIMIT ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, static_cast<int64_t>(limit));
  std::vector<Reject> out;
  Status rows = st->ForEachRow([&] {
    Reject r;
    r.received_ms = st->ColumnInt(0);
    r.source = st->ColumnText(1);
    r.kiosk = st->ColumnText(2);
    if (!st->ColumnIsNull(3)) r.seq = static_cast<uint64_t>(st->ColumnInt(3));
    r.reason = st->ColumnText(4);
    r.payload = st->ColumnText(5);
    if (!st->ColumnIsNull(6)) r.payload_bytes = st->ColumnInt(6);
    if (!st->ColumnIsNull(7)) r.payload_sha256 = st->ColumnText(7);
    out.push_back(std::move(r));
  });
  if (!rows.ok()) return rows;
  return out;
}

Result<int64_t> RejectCount(sql::Database* db) {
  auto n = db->QueryInt("SELECT value FROM hub_counters WHERE kiosk = '' AND name = 'rejects'");
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<std::vector<KioskRegistration>> RegisteredKiosks(sql::Database* db) {
  auto st = db->Prepare("SELECT kiosk, store, added_ms, how FROM registered_kiosks ORDER BY kiosk");
  if (!st.ok()) return st.status();
  std::vector<KioskRegistration> out;
  Status rows = st->ForEachRow([&] {
    out.push_back({st->ColumnText(0), st->ColumnText(1), st->ColumnInt(2), st->ColumnText(3)});
  });
  if (!rows.ok()) return rows;
  return out;
}

Result<std::vector<KnownGap>> KnownGaps(sql::Database* db) {
  auto st = db->Prepare(
      "SELECT kiosk, first_seq, last_seq, reported_ms FROM known_gaps ORDER BY kiosk, "
      "first_seq");
  if (!st.ok()) return st.status();
  std::vector<KnownGap> out;
  Status rows = st->ForEachRow([&] {
    out.push_back(
        {st->ColumnText(0),
         {static_cast<uint64_t>(st->ColumnInt(1)), static_cast<uint64_t>(st->ColumnInt(2))},
         st->ColumnInt(3)});
  });
  if (!rows.ok()) return rows;
  return out;
}

Result<std::vector<KioskSummary>> Kiosks(sql::Database* db) {
  std::map<std::string, KioskSummary> by_kiosk;
  {
    // The counters kept at ingest (kiosk_counts.h), not a scan of the events.
    auto st = db->Prepare(
        "SELECT k.kiosk, k.store, c.events, c.max_seq, c.last_received_ms FROM kiosk_counts c "
        "JOIN kiosks k ON k.kiosk_key = c.kiosk_key WHERE c.events > 0");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      KioskSummary& k = by_kiosk[st->ColumnText(0)];
      k.kiosk = st->ColumnText(0);
      k.store = st->ColumnText(1);
      k.events = st->ColumnInt(2);
      k.max_seq = static_cast<uint64_t>(st->ColumnInt(3));
      k.last_received_ms = st->ColumnInt(4);
    });
    if (!rows.ok()) return rows;
  }
  auto st = db->Prepare(
      "SELECT kiosk, store, state, status_time_ms, received_ms, queue_depth, "
      "software_version, config_version, json FROM kiosk_status");
  if (!st.ok()) return st.status();
  Status rows = st->ForEachRow([&] {
    KioskStatus k;
    k.kiosk = st->ColumnText(0);
    k.store = st->ColumnText(1);
    k.state = st->ColumnText(2);
    k.status_time_ms = st->ColumnInt(3);
    k.received_ms = st->ColumnInt(4);
    if (!st->ColumnIsNull(5)) k.queue_depth = st->ColumnInt(5);
    k.software_version = st->ColumnText(6);
    k.config_version = st->ColumnText(7);
    k.json = st->ColumnText(8);
    KioskSummary& sum = by_kiosk[k.kiosk];
    sum.kiosk = k.kiosk;
    if (sum.store.empty()) sum.store = k.store;
    sum.status = std::move(k);
  });
  if (!rows.ok()) return rows;
  auto reg = RegisteredKiosks(db);
  if (!reg.ok()) return reg.status();
  for (KioskRegistration& r : *reg) {
    KioskSummary& sum = by_kiosk[r.kiosk];
    sum.kiosk = r.kiosk;
    if (sum.store.empty()) sum.store = r.store;
    sum.registration = std::move(r);
  }
  auto counters = db->Prepare("SELECT kiosk, name, value FROM hub_counters WHERE kiosk != ''");
  if (!counters.ok()) return counters.status();
  rows = counters->ForEachRow([&] {
    auto it = by_kiosk.find(counters->ColumnText(0));
    if (it == by_kiosk.end()) return;  // counted before it was unregistered and had no events
    std::string name = counters->ColumnText(1);
    if (name == "conflicts") it->second.conflicts = counters->ColumnInt(2);
    if (name == "time_out_of_range") it->second.time_out_of_range = counters->ColumnInt(2);
  });
  if (!rows.ok()) return rows;
  auto seqs = AccountedSeqs(db);
  if (!seqs.ok()) return seqs.status();
  for (const KioskSeqs& k : *seqs) {
    auto it = by_kiosk.find(k.kiosk);
    if (it != by_kiosk.end()) it->second.seq_gaps = kiosk_counts::SeqGaps(k.ranges);
  }
  std::vector<KioskSummary> out;
  for (auto& [kiosk, sum] : by_kiosk) out.push_back(std::move(sum));
  return out;
}

Result<int64_t> CountEvents(sql::Database* db) {
  auto n = db->QueryInt("SELECT COUNT(*) FROM events");
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<MetaDims> RecentMetaDims(sql::Database* db, const std::vector<std::string>* stores,
                                int64_t from_day, int64_t to_day, int64_t offsets_from_day) {
  struct Dim {
    int64_t key;
    std::string store, touchpoint, stage;
  };
  std::vector<Dim> dims, chain;
  auto read_dims = [](sql::Statement* st, std::vector<Dim>* out) {
    return st->ForEachRow([&] {
      out->push_back({st->ColumnInt(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3)});
    });
  };
  if (stores) {
    auto st = db->Prepare("SELECT dim_key, store, touchpoint, stage FROM dims WHERE store = ?1");
    if (!st.ok()) return st.status();
    for (const std::string& store : *stores) {
      st->Reset();
      st->Bind(1, store);
      if (Status s = read_dims(&*st, &dims); !s.ok()) return s;
    }
  } else {
    auto st = db->Prepare("SELECT dim_key, store, touchpoint, stage FROM dims");
    if (!st.ok()) return st.status();
    if (Status s = read_dims(&*st, &dims); !s.ok()) return s;
    auto ch = db->Prepare("SELECT chain_key, '', touchpoint, stage FROM chain_dims");
    if (!ch.ok()) return ch.status();
    if (Status s = read_dims(&*ch, &chain); !s.ok()) return s;
  }
  MetaDims out;
  // Stages and touchpoints: a dim with any day cell in the period.
  auto any =
      db->Prepare(std::string("SELECT 1 FROM ") + (stores ? "cells_day" : "cells_chain_day") +
                  " WHERE dim_key = ?1 AND hour_local >= ?2 AND hour_local < ?3 LIMIT 1");
  if (!any.ok()) return any.status();
  for (const Dim& d : stores ? dims : chain) {
    any->Reset();
    any->Bind(1, d.key).Bind(2, from_day * 24).Bind(3, to_day * 24);
    auto row = any->Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    out.touchpoints.insert(d.touchpoint);
    out.stages.insert(d.stage);
  }
  // Offsets: per store, the offset of its latest local hour cell; of two cells of one local hour
  // (the clocks went back), the one with the smaller offset (the later one).
  auto last = db->Prepare(
      "SELECT hour_local, utc_offset_min FROM cells WHERE dim_key = ?1 AND hour_local >= ?2 AND "
      "hour_local < ?3 ORDER BY hour_local DESC, utc_offset_min ASC LIMIT 1");
  if (!last.ok()) return last.status();
  std::map<std::string, std::pair<int64_t, int64_t>> latest;  // store -> hour, -offset
  for (const Dim& d : dims) {
    last->Reset();
    last->Bind(1, d.key).Bind(2, offsets_from_day * 24).Bind(3, to_day * 24);
    auto row = last->Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;
    std::pair<int64_t, int64_t> key{last->ColumnInt(0), -last->ColumnInt(1)};
    auto it = latest.find(d.store);
    if (it != latest.end() && it->second >= key) continue;
    latest[d.store] = key;
    out.offsets[d.store] = static_cast<int32_t>(-key.second);
  }
  return out;
}

}  // namespace touchpoint::hub::queries
