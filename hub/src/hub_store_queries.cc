#include "hub_store_queries.h"

#include <algorithm>
#include <map>

#include "hub_store_schema.h"
#include "payload_block.h"

namespace touchpoint::hub::queries {

namespace {

int64_t ToInt(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

Result<std::vector<KioskSeqs>> AccountedSeqs(sql::Database* db) {
  std::map<std::string, KioskSeqs> by_kiosk;
  auto add_range = [&](const std::string& kiosk, SeqRange r) {
    KioskSeqs& k = by_kiosk[kiosk];
    k.kiosk = kiosk;
    if (!k.ranges.empty() && r.first >= k.ranges.back().first &&
        r.first <= k.ranges.back().last + 1) {
      k.ranges.back().last = std::max(k.ranges.back().last, r.last);
    } else {
      k.ranges.push_back(r);
    }
  };
  {
    std::map<int64_t, std::pair<std::string, std::string>> kiosks;  // key -> kiosk, store
    auto ks = db->Prepare("SELECT kiosk_key, kiosk, store FROM kiosks");
    if (!ks.ok()) return ks.status();
    Status rows = ks->ForEachRow([&] {
      kiosks[ks->ColumnInt(0)] = {ks->ColumnText(1), ks->ColumnText(2)};
    });
    if (!rows.ok()) return rows;
    // In key order: each kiosk's seqs come together and ascending.
    auto st = db->Prepare("SELECT kiosk_key, seq FROM events ORDER BY kiosk_key, seq");
    if (!st.ok()) return st.status();
    int64_t current_key = -1;
    const std::string* kiosk = nullptr;
    rows = st->ForEachRow([&] {
      int64_t key = st->ColumnInt(0);
      if (key != current_key || !kiosk) {
        auto it = kiosks.find(key);
        if (it == kiosks.end()) return Status::Corruption("events: unknown kiosk_key");
        current_key = key;
        kiosk = &it->second.first;
        by_kiosk[*kiosk].store = it->second.second;
      }
      uint64_t seq = static_cast<uint64_t>(st->ColumnInt(1));
      add_range(*kiosk, {seq, seq});
      return Status::Ok();
    });
    if (!rows.ok()) return rows;
  }
  for (const char* q : {"SELECT kiosk, seq, seq FROM rejects WHERE seq IS NOT NULL",
                        "SELECT kiosk, first_seq, last_seq FROM known_gaps",
                        "SELECT kiosk, first_seq, last_seq FROM compactions"}) {
    auto st = db->Prepare(q);
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] {
      KioskSeqs& k = by_kiosk[st->ColumnText(0)];
      k.kiosk = st->ColumnText(0);
      k.ranges.push_back(
          {static_cast<uint64_t>(st->ColumnInt(1)), static_cast<uint64_t>(st->ColumnInt(2))});
    });
    if (!rows.ok()) return rows;
  }
  std::vector<KioskSeqs> out;
  for (auto& [kiosk, k] : by_kiosk) {
    k.ranges = MergeRanges(std::move(k.ranges));
    out.push_back(std::move(k));
  }
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
    auto st = db->Prepare(
        "SELECT k.kiosk, k.store, COUNT(*), MAX(e.seq), MAX(e.received_ms) FROM events e "
        "JOIN kiosks k ON k.kiosk_key = e.kiosk_key GROUP BY e.kiosk_key");
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
  std::vector<KioskSummary> out;
  for (auto& [kiosk, sum] : by_kiosk) out.push_back(std::move(sum));
  return out;
}

Result<int64_t> CountEvents(sql::Database* db) {
  auto n = db->QueryInt("SELECT COUNT(*) FROM events");
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

}  // namespace touchpoint::hub::queries
