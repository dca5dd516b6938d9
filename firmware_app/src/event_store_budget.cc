// The event store's disk budget: pruning what the hub has acknowledged, merging old footfall
// minutes into hours, and the size/age statistics. Writer thread only.
#include <algorithm>

#include "event_store_impl.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {

using store::FileSize;
using store::kHourMs;
using store::kSeqReservation;

int64_t EventStore::Impl::UsedBytes() {
  auto pages = db->QueryInt("PRAGMA page_count");
  auto free_pages = db->QueryInt("PRAGMA freelist_count");
  auto page_size = db->QueryInt("PRAGMA page_size");
  if (!pages.ok() || !free_pages.ok() || !page_size.ok()) return 0;
  return (pages->value_or(0) - free_pages->value_or(0)) * page_size->value_or(4096);
}

// Deletes the oldest acknowledged events until used bytes <= target_used (0: just delete up
// to max_rows). Returns how many were deleted.
int64_t EventStore::Impl::PruneAcknowledged(int64_t target_used, int64_t max_rows) {
  int64_t deleted = 0;
  while (deleted < max_rows) {
    int64_t chunk = std::min<int64_t>(1000, max_rows - deleted);
    if (!db->Exec("BEGIN IMMEDIATE").ok()) break;
    auto del = db->Prepare(std::string("DELETE FROM events WHERE seq IN (SELECT seq FROM events e "
                                       "WHERE NOT ") +
                           store::kEventIsPendingSql + " ORDER BY seq LIMIT ?)");
    if (!del.ok()) {
      db->RollbackQuietly();
      break;
    }
    del->Bind(1, chunk);
    if (!del->Run().ok()) {
      db->RollbackQuietly();
      break;
    }
    int64_t n = db->Changes();
    counters["events_pruned"] += n;
    bool ok = store::WriteMeta(*db, "events_pruned", counters["events_pruned"]).ok() &&
              db->Exec("COMMIT").ok();
    if (!ok) {
      db->RollbackQuietly();
      counters["events_pruned"] -= n;
      break;
    }
    deleted += n;
    if (n < chunk) break;
    if (target_used > 0 && UsedBytes() <= target_used) break;
  }
  return deleted;
}

// Merges unacknowledged footfall intervals of past hours into one event per hour.
int64_t EventStore::Impl::CompactFootfall(int64_t target_used) {
  int64_t merged_total = 0;
  int64_t before = (clock->NowUtcMs() / kHourMs) * kHourMs;
  for (int round = 0; round < 100 && UsedBytes() > target_used; ++round) {
    auto sel = db->Prepare(
        std::string("SELECT e.seq, e.body FROM events e WHERE e.type = ? AND e.time_ms < ? AND ") +
        store::kEventIsPendingSql + " ORDER BY e.time_ms LIMIT 5000");
    if (!sel.ok()) break;
    sel->Bind(1, static_cast<int64_t>(EventType::kFootfall)).Bind(2, before);
    std::map<std::pair<std::string, int64_t>, std::vector<Event>> by_hour;
    while (true) {
      auto row = sel->Step();
      if (!row.ok() || !*row) break;
      auto e = DecodeEvent(sel->ColumnTextView(1));
      if (!e.ok()) continue;
      const auto& p = std::get<FootfallPayload>(e->payload);
      if (p.interval_s >= 3600) continue;
      by_hour[{e->kiosk_id, (p.interval_start_ms / kHourMs) * kHourMs}].push_back(*e);
    }
    int64_t merged_round = 0;
    for (auto& [key, events] : by_hour) {
      if (events.size() < 2) continue;
      if (MergeHour(key.second, events)) merged_round += static_cast<int64_t>(events.size());
    }
    if (merged_round == 0) break;
    merged_total += merged_round;
  }
  return merged_total;
}

namespace {

// Adds one interval's zone figures to an hour's: counts and histograms add, occupancy_max is
// the maximum, means are weighted (occupancy by interval length, dwell by visits), p90 comes
// from the summed histogram.
void AddZones(const FootfallPayload& p, int64_t* seconds_so_far, std::vector<ZoneStats>* zones) {
  for (const ZoneStats& z : p.zones) {
    auto it = std::find_if(zones->begin(), zones->end(),
                           [&](const ZoneStats& o) { return o.id == z.id; });
    if (it == zones->end()) {
      if (zones->size() >= kMaxZones) continue;
      zones->push_back(ZoneStats{});
      it = zones->end() - 1;
      it->id = z.id;
    }
    const double before_s = static_cast<double>(*seconds_so_far);
    it->occupancy_mean = (it->occupancy_mean * before_s + z.occupancy_mean * p.interval_s) /
                         std::max(1.0, before_s + p.interval_s);
    it->occupancy_max = std::max(it->occupancy_max, z.occupancy_max);
    const double sum_s = it->dwell_mean_s.value_or(0) * static_cast<double>(it->dwell_n) +
                         z.dwell_mean_s.value_or(0) * static_cast<double>(z.dwell_n);
    it->visits += z.visits;
    it->dwell_n += z.dwell_n;
    for (size_t b = 0; b < kDwellBuckets; ++b) it->dwell_hist[b] += z.dwell_hist[b];
    if (it->dwell_n > 0) {
      it->dwell_mean_s = sum_s / static_cast<double>(it->dwell_n);
      it->dwell_p90_s = DwellQuantileOf(it->dwell_hist, 0.9);
    }
  }
  *seconds_so_far += p.interval_s;
}

}  // namespace

bool EventStore::Impl::MergeHour(int64_t hour_start, const std::vector<Event>& events) {
  Event merged = events.front();
  FootfallPayload out;
  int64_t zone_seconds = 0;
  out.interval_start_ms = hour_start;
  out.interval_s = 3600;
  std::map<std::string, LineCount> lines;
  bool first = true;
  for (const auto& e : events) {
    const auto& p = std::get<FootfallPayload>(e.payload);
    for (const auto& l : p.lines) {
      auto& acc = lines[l.line];
      acc.line = l.line;
      acc.in += l.in;
      acc.out += l.out;
    }
    out.occupancy_min = first ? p.occupancy_min : std::min(out.occupancy_min, p.occupancy_min);
    out.occupancy_max = first ? p.occupancy_max : std::max(out.occupancy_max, p.occupancy_max);
    out.occupancy_end = p.occupancy_end;
    AddZones(p, &zone_seconds, &out.zones);
    merged.schema_version = std::max(merged.schema_version, e.schema_version);
    first = false;
    out.compacted_seqs.push_back(e.seq);
    out.compacted_seqs.insert(out.compacted_seqs.end(), p.compacted_seqs.begin(),
                              p.compacted_seqs.end());
  }
  for (auto& [name, lc] : lines) out.lines.push_back(lc);
  merged.payload = out;
  merged.time_ms = hour_start;
  merged.id = NewUuidV7(clock->NowUtcMs());
  merged.seq = next_seq;
  merged.boot_count = report.boot_count;

  if (next_seq > sidecar.reserved_through) {
    store::SeqSidecar next = sidecar;
    next.reserved_through = next_seq + kSeqReservation;
    if (!store::WriteSidecar(opt.path, next).ok()) return false;
    sidecar = next;
  }
  if (!db->Exec("BEGIN IMMEDIATE").ok()) return false;
  auto del = db->Prepare("DELETE FROM events WHERE seq = ?");
  auto ins = db->Prepare("INSERT INTO events(seq, type, time_ms, body) VALUES(?,?,?,?)");
  bool ok = del.ok() && ins.ok();
  for (size_t i = 0; ok && i < events.size(); ++i) {
    del->Bind(1, static_cast<int64_t>(events[i].seq));
    ok = del->Run().ok() && store::RemovePending(*db, events[i].seq, events[i].seq).ok();
  }
  if (ok) {
    ins->Bind(1, static_cast<int64_t>(merged.seq))
        .Bind(2, static_cast<int64_t>(EventType::kFootfall))
        .Bind(3, merged.time_ms)
        .Bind(4, EncodeEvent(merged));
    ok = ins->Run().ok() && store::AddPending(*db, merged.seq, merged.seq).ok();
  }
  counters["footfall_compacted"] += static_cast<int64_t>(events.size());
  ok = ok && store::WriteMeta(*db, "next_seq", static_cast<int64_t>(next_seq + 1)).ok() &&
       store::WriteMeta(*db, "footfall_compacted", counters["footfall_compacted"]).ok() &&
       db->Exec("COMMIT").ok();
  if (!ok) {
    db->RollbackQuietly();
    counters["footfall_compacted"] -= static_cast<int64_t>(events.size());
    return false;
  }
  ++next_seq;
  std::lock_guard<std::mutex> lock(stats_mu);
  stats.pending -= static_cast<int64_t>(events.size()) - 1;
  stats.last_seq = next_seq - 1;
  return true;
}

void EventStore::Impl::EnforceBudget() {
  if (opt.disk_budget_bytes <= 0) return;
  int64_t used = UsedBytes();
  if (used <= opt.disk_budget_bytes) return;
  // Prune to 90% of the budget so that pruning does not run after every write.
  int64_t target = opt.disk_budget_bytes * 9 / 10;
  PruneAcknowledged(target, INT64_MAX);
  if (UsedBytes() > opt.disk_budget_bytes) CompactFootfall(target);
}

void EventStore::Impl::RefreshStats() {
  if (db == nullptr) {
    std::lock_guard<std::mutex> lock(stats_mu);
    CopyCounters();
    return;
  }
  int64_t used = UsedBytes();
  std::optional<int64_t> oldest;
  if (auto q = db->Prepare(store::PendingEventsSql("e.time_ms")); q.ok()) {
    q->Bind(1, int64_t{0}).Bind(2, int64_t{1});  // the first pending event
    if (auto row = q->Step(); row.ok() && *row) oldest = q->ColumnInt(0);
  }
  int64_t files = FileSize(opt.path) + FileSize(opt.path + "-wal");
  std::lock_guard<std::mutex> lock(stats_mu);
  stats.used_bytes = used;
  stats.file_bytes = files;
  stats.oldest_pending_ms = oldest;
  CopyCounters();
}

}  // namespace touchpoint
