// The hub's storage, behind an interface so that a server database can replace the embedded
// SQLite default. Events are stored idempotently keyed by (kiosk, seq).
//
// Threads: a HubStore is used by one thread at a time (the hub's writer thread, or a CLI
// command); open another for another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "touchpoint/core/event.h"
#include "touchpoint/core/metrics.h"
#include "touchpoint/core/status.h"
#include "touchpoint/sync/wire.h"

namespace touchpoint::hub {

// The wire vocabulary the hub shares with kiosks (touchpoint_sync).
using sync::MergeRanges;
using sync::SeqRange;

// One validated event with the facts the journey map needs, extracted once at ingest.
struct HubEvent {
  std::string kiosk, store, touchpoint, stage, id;
  uint64_t seq = 0;
  EventType type = EventType::kStatus;
  int64_t time_ms = 0;         // event time; footfall: interval start
  int32_t utc_offset_min = 0;  // the kiosk's offset at event time: its cell's local hour
  std::string source;          // "mqtt" or "import"
  // The event time is more than a day after it reached the hub, or before 2020 (a kiosk clock
  // at 1970): stored, counted per kiosk, kept off the map.
  bool time_out_of_range = false;
  std::string json;  // the exact event JSON (may be empty when `block` holds it)
  // When the event came in a compressed batch: HubWrite::blocks[block] holds that batch, and the
  // event's line starts at byte `block_offset` of its content (up to the next newline); the store
  // keeps the batch as it came instead of compressing the JSON again. -1: only `json`.
  int32_t block = -1;
  uint32_t block_offset = 0;
  // footfall
  int64_t visitors_in = 0, visitors_out = 0;
  int32_t interval_s = 0;
  std::vector<SeqRange> compacted;  // footfall events this one replaces (store compaction)
  std::vector<ZoneStats> zones;     // footfall v2: dwell per zone (metrics::Sums::AddZones)
  // feedback: every answer (moved from the event), what its rollup cell adds
  // (metrics::SessionSums::AddAnswers); empty for other types.
  std::vector<Answer> answers;
  std::optional<FeedbackContext> context;  // v2: the crowd when the session started
  bool suspect = false;
  // coverage
  std::string coverage_source;
  int64_t coverage_start_ms = 0, coverage_end_ms = 0;
};

// Builds a HubEvent from a decoded event (its strings are moved, not copied) and its exact JSON.
HubEvent ToHubEvent(Event e, std::string json, std::string source);
// The same into a default-constructed `*h` (e.g. one just emplaced in HubWrite::events): the
// ingest's per-event path, without a temporary HubEvent and Event to move and destroy.
void FillHubEvent(Event&& e, std::string json, std::string source, HubEvent* h);

// A refused payload. The store keeps an excerpt (the first kRejectExcerptBytes) with the whole
// payload's size and SHA-256, and at most kMaxRejectsKept rows (the oldest go first); the total
// ever refused is counted apart.
struct Reject {
  int64_t received_ms = 0;
  std::string source;  // "mqtt:<topic>" or "import:<file>:<line>"
  std::string kiosk;   // as claimed (may be empty)
  std::optional<uint64_t> seq;
  std::string reason;
  std::string payload;         // the rejected bytes: an excerpt once stored
  int64_t payload_bytes = -1;  // size of the whole payload (-1: payload.size())
  std::string payload_sha256;  // hex, of the whole payload (empty: computed by the store)
};
inline constexpr size_t kRejectExcerptBytes = 2048;
inline constexpr int64_t kMaxRejectsKept = 100000;

// A kiosk the hub accepts events from: registered by an operator (`touchpoint-hub kiosks add`),
// enrolled on first sight (demo option, `import --enrol`), or carried over from an older hub.
struct KioskRegistration {
  std::string kiosk, store;
  int64_t added_ms = 0;
  std::string how;  // "cli", "enrol:mqtt", "enrol:import", "migrated"
};

struct KnownGap {
  std::string kiosk;
  SeqRange range;
  int64_t reported_ms = 0;
};

// A kiosk's latest retained status message (birth/periodic "online", or the will / clean stop
// "offline"), as the hub last received it.
struct KioskStatus {
  std::string kiosk, store;
  std::string state;           // "online" or "offline"
  int64_t status_time_ms = 0;  // the status' own "time" (kiosk clock)
  int64_t received_ms = 0;     // hub clock
  std::optional<int64_t> queue_depth;
  std::string software_version, config_version;
  std::string json;  // the payload as received
};

// Everything one transaction writes.
struct HubWrite {
  std::vector<HubEvent> events;
  std::vector<std::string> blocks;  // compressed wire batches events point into (HubEvent::block)
  std::vector<Reject> rejects;
  std::vector<KnownGap> gaps;
  // Replace the kiosk's previous status; fields a status lacks (an offline will has no versions
  // or queue depth) keep their last known values.
  std::vector<KioskStatus> statuses;
  std::vector<KioskRegistration> enrolments;  // registered in the same transaction
};

struct HubWriteResult {
  int64_t inserted = 0;    // new events
  int64_t duplicates = 0;  // already held: ignored
  // Another event (different id) already held under the same (kiosk, seq): kept as a reject,
  // counted per kiosk, never a silent duplicate.
  int64_t conflicts = 0;
};

// ---- Rollup cells and the views over them (docs/hub.md, "Rollups and views") ----------------
//
// At ingest the store keeps one cell per (store, touchpoint, stage, store-LOCAL hour, UTC offset)
// with the metrics::Sums of the events in it (plus coverage gap seconds), and one per local day,
// in the same transaction as the events. Every view below reads cells only, never events: its cost
// depends on the cells the filter selects, not on the length of history.

// Which cells a view reads. A cell is selected when its hour STARTS in [from_ms, to_ms).
struct ViewFilter {
  enum class Basis {
    kLocal,  // from/to are store-local wall-clock times written as UTC ms (local 2026-11-23
             // 08:00 is ParseUtcMs("2026-11-23T08:00:00.000Z")), compared with local hours
    kUtc,    // from/to are instants, compared with each cell's UTC hour
  };
  Basis basis = Basis::kLocal;
  std::optional<int64_t> from_ms, to_ms;  // unbounded when absent
  std::vector<std::string> stores;        // empty: every store
  std::string touchpoint, stage;          // empty: any
  // Sums always keep suspect sessions apart; this is what Figures() and PainPoints() use.
  bool include_suspect = false;
  // Only ViewRow::gap_s is wanted (the fleet's coverage gaps): in views other than kCell the
  // rows' sums stay empty and the cells' detail is not decoded.
  bool gaps_only = false;
};

enum class ViewBy {
  kCell,         // the journey map: store x touchpoint x stage x local hour x UTC offset
  kLocalDay,     // trend per local calendar day
  kIsoWeek,      // trend per ISO 8601 week (Monday..Sunday, local days)
  kWeekdayHour,  // ISO weekday (1 Monday .. 7 Sunday) x local hour of day (0..23)
  kStore,        // per store
  kJourney,      // the journey map over the period: touchpoint x stage, across the stores
  kTotal,        // one row: everything the filter selects (no row when nothing is selected)
};

// One group of a view. Keys not used by the grouping stay empty / 0.
struct ViewRow {
  std::string store, touchpoint, stage;  // kCell: all three; kStore: store; kJourney: the last two
  // Local wall-clock time as UTC ms: kCell the local hour's start, kLocalDay the day's start,
  // kIsoWeek the Monday's start.
  int64_t local_ms = 0;
  // kCell: the offset of the cell's events; the UTC hour it came from starts at
  // local_ms - utc_offset_min * 60000. A day that turns the clocks back has two cells with the
  // same local hour and different offsets.
  int32_t utc_offset_min = 0;
  int iso_year = 0, iso_week = 0;  // kIsoWeek
  int weekday = 0, hour = 0;       // kWeekdayHour (and kCell): ISO weekday 1..7, hour 0..23
  metrics::Sums sums;
  int64_t gap_s = 0;  // seconds camera/kiosk coverage events reported not counting (summed)

  int64_t utc_ms() const { return local_ms - int64_t{utc_offset_min} * 60000; }  // kCell
  metrics::Figures Figures(bool include_suspect) const {
    return metrics::Compute(sums, include_suspect);
  }
};

// A reason (tag id) as a pain point: sessions naming it and of those the unhappy ones.
struct ReasonRow {
  std::string reason;
  int64_t sessions = 0, unhappy = 0;
  bool operator==(const ReasonRow&) const = default;
};
// The reasons of `sums` (suspect sessions' only when included), most unhappy sessions first,
// then most sessions, then by id.
std::vector<ReasonRow> PainPoints(const metrics::Sums& sums, bool include_suspect);

// What HubStore::RebuildRollups found, comparing the recomputed cells with those it replaced.
struct RollupRebuild {
  int64_t events = 0;                           // events read (every held event)
  int64_t cells = 0;                            // hour cells after the rebuild
  int64_t added = 0, removed = 0, changed = 0;  // hour and day cells
  // The per-kiosk counters (events, highest seq, last received, accounted seqs) recomputed from
  // the held rows: kiosks with any, and those whose counters differed (normally none).
  int64_t kiosks = 0, kiosks_changed = 0;
};

struct KioskSummary {
  std::string kiosk, store;
  int64_t events = 0;
  uint64_t max_seq = 0;
  int64_t last_received_ms = 0;                   // last event received (0: none yet)
  std::optional<KioskStatus> status;              // latest status message, if any was received
  std::optional<KioskRegistration> registration;  // nullopt: not registered (events refused)
  int64_t conflicts = 0;                          // copies of held seqs with another event id
  int64_t time_out_of_range = 0;                  // events kept off the map for their time
  int64_t seq_gaps = 0;  // seqs below its highest accounted one that the hub does not account for
};

// Per kiosk: every seq the hub accounts for (held, finally rejected, known gap or replaced by a
// compaction), as merged ranges. Read from the ranges kept at ingest (schema v7) and the rejects
// kept: as before, a reject rotated out of the rejects kept is no longer accounted.
struct KioskSeqs {
  std::string kiosk, store;
  std::vector<SeqRange> ranges;
};

class HubStore {
 public:
  virtual ~HubStore() = default;
  // One transaction: inserts new events (ignoring held (kiosk, seq)), records rejects and gaps,
  // applies footfall compactions.
  virtual Result<HubWriteResult> Write(const HubWrite& w, int64_t now_ms) = 0;
  // Like Write, but may return before the transaction is durable; Sync() makes every transaction
  // committed before it was called durable. Sync() may run on another thread than the writes (so
  // one transaction's flush overlaps the next one's work). Never acknowledge before Sync().
  virtual Result<HubWriteResult> WriteDeferred(const HubWrite& w, int64_t now_ms) {
    return Write(w, now_ms);
  }
  // WriteDeferred of several writes in one transaction, as of one write holding everything they
  // hold in their order (each write's events point into its own blocks): the hub's writer
  // commits the messages decoded meanwhile together without moving every event into one
  // HubWrite. This default copies them into one.
  virtual Result<HubWriteResult> WriteDeferredAll(std::span<const HubWrite* const> writes,
                                                  int64_t now_ms) {
    HubWrite all;
    for (const HubWrite* w : writes) {
      auto block_base = static_cast<int32_t>(all.blocks.size());
      all.blocks.insert(all.blocks.end(), w->blocks.begin(), w->blocks.end());
      for (const HubEvent& e : w->events) {
        all.events.push_back(e);
        if (e.block >= 0) all.events.back().block += block_base;
      }
      all.rejects.insert(all.rejects.end(), w->rejects.begin(), w->rejects.end());
      all.gaps.insert(all.gaps.end(), w->gaps.begin(), w->gaps.end());
      all.statuses.insert(all.statuses.end(), w->statuses.begin(), w->statuses.end());
      all.enrolments.insert(all.enrolments.end(), w->enrolments.begin(), w->enrolments.end());
    }
    return WriteDeferred(all, now_ms);
  }
  virtual Status Sync() { return Status::Ok(); }
  virtual Result<std::vector<KioskSeqs>> AccountedSeqs() = 0;
  // The seqs of one kiosk within `within` that the store accounts for (as AccountedSeqs), merged.
  // Lets a hub that shares the store with other hubs see what they wrote before it asks a kiosk
  // to resend a hole.
  virtual Result<std::vector<SeqRange>> AccountedSeqsIn(const std::string& kiosk,
                                                        SeqRange within) = 0;
  // The exact JSON of a held event as it was received; nullopt if (kiosk, seq) is not held.
  virtual Result<std::optional<std::string>> EventJson(const std::string& kiosk, uint64_t seq) = 0;
  virtual Result<std::vector<Reject>> Rejects(size_t limit) = 0;
  // Every payload ever refused (also those rotated out of the rejects kept).
  virtual Result<int64_t> RejectCount() = 0;
  // Registers a kiosk at a store, or moves it to another store. Idempotent.
  virtual Status RegisterKiosk(const KioskRegistration& r) = 0;
  // False if the kiosk was not registered. Its events stay; new ones are refused.
  virtual Result<bool> UnregisterKiosk(const std::string& kiosk) = 0;
  virtual Result<std::vector<KioskRegistration>> RegisteredKiosks() = 0;
  virtual Result<std::vector<KnownGap>> KnownGaps() = 0;
  // Every kiosk registered or with events or a status message, by kiosk id.
  virtual Result<std::vector<KioskSummary>> Kiosks() = 0;
  // Number of held events.
  virtual Result<int64_t> CountEvents() = 0;

  // A view over the rollup cells (see ViewFilter, ViewBy), rows in key order. Reads cells only:
  // one store's month reads that store's cells of that month; views by day, week, store or in
  // total over whole local days (or unbounded) read the day level (one cell per dim and day).
  virtual Result<std::vector<ViewRow>> View(const ViewFilter& f, ViewBy by) = 0;
  // The kCell view streamed: fn is called for each cell, in View(f, kCell)'s order, with one row
  // reused from call to call (copy what you keep), so memory stays flat however many cells a
  // range selects (a month of every store's hours is ~200k cells). An error from fn stops the
  // scan and is returned as it is.
  virtual Status ForEachCell(const ViewFilter& f,
                             const std::function<Status(const ViewRow&)>& fn) = 0;
  // Recomputes every cell from the held events' JSON (as a migration does), in one transaction,
  // and says what differed from the cells it replaces (an audit: normally nothing).
  virtual Result<RollupRebuild> RebuildRollups() = 0;
};

// The embedded default: one SQLite file (WAL, synchronous=FULL), created if absent; an older
// layout is migrated at open (user_version; see docs/hub.md). Several processes may open one
// file (hubs on one shared subscription): writes serialise on SQLite's write lock (IMMEDIATE
// transactions, busy timeout) and dedup by (kiosk, seq) holds across them.
Result<std::unique_ptr<HubStore>> OpenSqliteHubStore(const std::string& path);

}  // namespace touchpoint::hub
