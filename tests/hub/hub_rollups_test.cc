// The rollup cells and the views over them: every view equals a recomputation from the raw
// events the store holds (property test over random streams), store-local time (DST, two time
// zones), rebuild-rollups and the migration from a version 3 database.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "../core/sample_events.h"
#include "hub_store_queries.h"
#include "rollups.h"
#include "sync_test_util.h"
#include "test_support.h"
#include "touchpoint/core/event_json.h"
#include "touchpoint/core/metrics.h"
#include "touchpoint/core/sqlite.h"
#include "touchpoint/hub/hub_store.h"
#include "touchpoint/hub/journey_map.h"

namespace touchpoint::hub {
namespace {

using synctest::kT0;  // 2026-11-23T10:00:00Z, a Monday
constexpr int64_t kH = 3600 * 1000;
constexpr int64_t kDay = 24 * kH;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0 ? 1 : 0); }

// A stored event as the hub receives it (encoded and strictly decoded, like ingest does).
HubEvent Received(Event e, uint64_t seq, int32_t offset_min) {
  e.seq = seq;
  e.boot_count = 1;
  e.utc_offset_min = offset_min;
  std::string json = EncodeEvent(e);
  auto back = DecodeEvent(json);
  EXPECT_TRUE(back.ok()) << back.status().ToString() << "\n" << json;
  return ToHubEvent(back.value(), json, "mqtt");
}

Event Scored(const EventStamper& st, int64_t t, std::vector<Answer> answers, bool suspect) {
  FeedbackPayload p;
  p.survey_id = "visit";
  p.survey_version = 1;
  p.language = "en";
  p.duration_ms = 3000;
  p.answers = std::move(answers);
  p.suspect = suspect;
  if (suspect) p.suspect_reason = "rapid_repeat";
  return st.MakeAt(p, t);
}

Answer Score(const std::string& id, QuestionType type, int score) {
  Answer a;
  a.question_id = id;
  a.type = type;
  a.score = score;
  return a;
}

Answer Tags(std::vector<std::string> tags) {
  Answer a;
  a.question_id = "reasons";
  a.type = QuestionType::kTags;
  a.tags = std::move(tags);
  return a;
}

std::unique_ptr<HubStore> Open(const std::string& path) {
  auto s = OpenSqliteHubStore(path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s.value()) : nullptr;
}

std::vector<ViewRow> ViewOf(HubStore* store, const ViewFilter& f, ViewBy by) {
  auto v = store->View(f, by);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? v.value() : std::vector<ViewRow>{};
}

// ---- the reference: cells recomputed from the raw events the store holds -------------------

struct RefKey {
  std::string store, touchpoint, stage;
  int64_t hour_local;
  int32_t offset;
  auto operator<=>(const RefKey&) const = default;
};
struct RefCell {
  metrics::Sums sums;
  int64_t gap_s = 0;
};
using RefCells = std::map<RefKey, RefCell>;

// What each view should hold: every held event that is not superseded (a held footfall event of
// the same kiosk lists it) and not flagged out of range, added with metrics::Sums::AddEvent to
// the cell of its local hour; camera/kiosk coverage split over local hours.
RefCells Reference(HubStore* store, const std::map<std::string, std::set<uint64_t>>& seqs,
                   const std::set<std::string>& out_of_range_ids) {
  std::map<std::pair<std::string, uint64_t>, Event> held;
  for (const auto& [kiosk, ks] : seqs) {
    for (uint64_t seq : ks) {
      auto json = store->EventJson(kiosk, seq);
      EXPECT_TRUE(json.ok());
      if (!json.ok() || !json->has_value()) continue;
      auto e = DecodeEvent(**json);
      EXPECT_TRUE(e.ok());
      held.emplace(std::make_pair(kiosk, seq), e.value());
    }
  }
  std::set<std::pair<std::string, uint64_t>> superseded;
  for (const auto& [key, e] : held) {
    const auto* ff = std::get_if<FootfallPayload>(&e.payload);
    if (!ff) continue;
    for (uint64_t s : ff->compacted_seqs) {
      auto it = held.find({key.first, s});
      if (s != key.second && it != held.end() && it->second.type() == EventType::kFootfall) {
        superseded.insert({key.first, s});
      }
    }
  }
  RefCells cells;
  for (const auto& [key, e] : held) {
    if (superseded.count(key) || out_of_range_ids.count(e.id)) continue;
    int64_t off = int64_t{e.utc_offset_min} * 60000;
    auto cell = [&](int64_t local_hour) -> RefCell& {
      return cells[{e.store_id, e.touchpoint, e.journey_stage, local_hour, e.utc_offset_min}];
    };
    if (const auto* cv = std::get_if<CoveragePayload>(&e.payload)) {
      if (cv->source != "camera" && cv->source != "kiosk") continue;
      for (int64_t t = cv->start_ms + off; t < cv->end_ms + off;) {
        int64_t h = FloorDiv(t, kH);
        int64_t end = std::min(cv->end_ms + off, (h + 1) * kH);
        cell(h).gap_s += (end - t) / 1000;
        t = end;
      }
      continue;
    }
    if (e.type() == EventType::kStatus) continue;
    int64_t t = e.time_ms;
    if (const auto* ff = std::get_if<FootfallPayload>(&e.payload)) t = ff->interval_start_ms;
    cell(FloorDiv(t + off, kH)).sums.AddEvent(e);
  }
  return cells;
}

bool Selected(const RefKey& k, const ViewFilter& f) {
  if (!f.stores.empty() && std::find(f.stores.begin(), f.stores.end(), k.store) == f.stores.end()) {
    return false;
  }
  if (!f.touchpoint.empty() && k.touchpoint != f.touchpoint) return false;
  if (!f.stage.empty() && k.stage != f.stage) return false;
  int64_t start = k.hour_local * kH;
  if (f.basis == ViewFilter::Basis::kUtc) start -= int64_t{k.offset} * 60000;
  if (f.from_ms && start < *f.from_ms) return false;
  if (f.to_ms && start >= *f.to_ms) return false;
  return true;
}

// Expected rows of a view, by a straightforward grouping of the reference cells (days and
// weekdays through std::chrono).
std::map<std::string, RefCell> Expected(const RefCells& cells, const ViewFilter& f, ViewBy by) {
  using namespace std::chrono;
  std::map<std::string, RefCell> out;
  for (const auto& [k, c] : cells) {
    if (!Selected(k, f)) continue;
    sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(k.hour_local * kH)));
    unsigned iso_wd = weekday(day).iso_encoding();
    int64_t hour_of_day = k.hour_local - day.time_since_epoch().count() * 24;
    std::string key;
    switch (by) {
      case ViewBy::kCell:
        key = k.store + "|" + k.touchpoint + "|" + k.stage + "|" + std::to_string(k.hour_local) +
              "|" + std::to_string(k.offset);
        break;
      case ViewBy::kLocalDay:
        key = std::to_string(day.time_since_epoch().count());
        break;
      case ViewBy::kIsoWeek:
        key = std::to_string((day - days(iso_wd - 1)).time_since_epoch().count());
        break;
      case ViewBy::kWeekdayHour:
        key = std::to_string(iso_wd) + "|" + std::to_string(hour_of_day);
        break;
      case ViewBy::kStore:
        key = k.store;
        break;
      case ViewBy::kJourney:
        key = k.touchpoint + "|" + k.stage;
        break;
      case ViewBy::kTotal:
        key = "total";
        break;
    }
    RefCell& to = out[key];
    to.sums.Add(c.sums);
    to.gap_s += c.gap_s;
  }
  // A cell whose events cancel out (footfall compacted away) is not kept.
  std::erase_if(out, [](const auto& kv) {
    return kv.second.gap_s == 0 && kv.second.sums == metrics::Sums{};
  });
  return out;
}

std::string KeyOf(const ViewRow& r, ViewBy by) {
  switch (by) {
    case ViewBy::kCell:
      return r.store + "|" + r.touchpoint + "|" + r.stage + "|" + std::to_string(r.local_ms / kH) +
             "|" + std::to_string(r.utc_offset_min);
    case ViewBy::kLocalDay:
    case ViewBy::kIsoWeek:
      return std::to_string(r.local_ms / kDay);
    case ViewBy::kWeekdayHour:
      return std::to_string(r.weekday) + "|" + std::to_string(r.hour);
    case ViewBy::kStore:
      return r.store;
    case ViewBy::kJourney:
      return r.touchpoint + "|" + r.stage;
    case ViewBy::kTotal:
      return "total";
  }
  return "";
}

const char* Name(ViewBy by) {
  switch (by) {
    case ViewBy::kCell:
      return "cell";
    case ViewBy::kLocalDay:
      return "day";
    case ViewBy::kIsoWeek:
      return "week";
    case ViewBy::kWeekdayHour:
      return "weekday x hour";
    case ViewBy::kStore:
      return "store";
    case ViewBy::kJourney:
      return "journey";
    case ViewBy::kTotal:
      return "total";
  }
  return "";
}

constexpr ViewBy kAllViews[] = {ViewBy::kCell,        ViewBy::kLocalDay, ViewBy::kIsoWeek,
                                ViewBy::kWeekdayHour, ViewBy::kStore,    ViewBy::kJourney,
                                ViewBy::kTotal};

// Every view under every filter equals the reference; returns the number of rows compared.
int64_t ExpectViewsEqualReference(HubStore* store, const RefCells& ref,
                                  const std::vector<ViewFilter>& filters) {
  int64_t compared = 0;
  for (size_t fi = 0; fi < filters.size(); ++fi) {
    const ViewFilter& f = filters[fi];
    for (ViewBy by : kAllViews) {
      auto want = Expected(ref, f, by);
      auto got = ViewOf(store, f, by);
      SCOPED_TRACE(std::string("filter ") + std::to_string(fi) + ", view " + Name(by));
      EXPECT_EQ(got.size(), want.size());
      for (const ViewRow& r : got) {
        auto it = want.find(KeyOf(r, by));
        if (it == want.end()) {
          ADD_FAILURE() << "unexpected row " << KeyOf(r, by);
          continue;
        }
        EXPECT_TRUE(r.sums == it->second.sums) << "row " << KeyOf(r, by);
        EXPECT_EQ(r.gap_s, it->second.gap_s) << "row " << KeyOf(r, by);
        if (by == ViewBy::kTotal) {
          EXPECT_EQ(PainPoints(r.sums, f.include_suspect),
                    PainPoints(it->second.sums, f.include_suspect));
        }
        ++compared;
      }
    }
  }
  return compared;
}

// ---- the random stream --------------------------------------------------------------------

struct KioskSpec {
  std::string kiosk, store, touchpoint;
  int32_t offset, offset_after;  // the offset changes (DST) half-way through the stream
};

struct Stream {
  std::vector<HubWrite> writes;
  std::map<std::string, std::set<uint64_t>> seqs;  // every (kiosk, seq) sent
  std::set<std::string> out_of_range_ids;
  int64_t copies = 0, compactions = 0, conflicts = 0, rejects = 0;
};

Stream RandomStream(uint32_t seed, int events_per_kiosk) {
  std::mt19937 rng(seed);
  auto uniform = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](int percent) { return uniform(1, 100) <= percent; };
  const std::vector<KioskSpec> kiosks = {{"k1", "s1", "entrance", 60, 120},
                                         {"k2", "s1", "checkout", 60, 120},
                                         {"k3", "s2", "checkout", -300, -240},
                                         {"k4", "s3", "entrance", 330, 330},
                                         {"k5", "s3", "checkout", 330, 330}};
  const std::vector<std::string> reasons = {"staff", "queue", "price", "stock", "clean"};
  Stream s;
  std::vector<HubEvent> copies;
  for (const KioskSpec& k : kiosks) {
    KioskConfig cfg = synctest::Kiosk(k.kiosk, k.store, k.touchpoint);
    EventStamper st(cfg, std::make_shared<ManualClock>(kT0));
    std::vector<uint64_t> open_footfall;  // footfall seqs no compaction lists yet
    for (uint64_t seq = 1; seq <= static_cast<uint64_t>(events_per_kiosk); ++seq) {
      int64_t t = kT0 + uniform(-10 * kDay, 10 * kDay) + uniform(0, 999);
      int32_t offset =
          seq * 2 <= static_cast<uint64_t>(events_per_kiosk) ? k.offset : k.offset_after;
      int64_t kind = uniform(0, 99);
      Event e;
      if (kind < 40) {
        std::vector<Answer> answers;
        if (chance(85)) answers.push_back(Score("overall", QuestionType::kCsat, uniform(1, 5)));
        if (chance(30)) answers.push_back(Score("staff_csat", QuestionType::kCsat, uniform(1, 5)));
        if (chance(50)) answers.push_back(Score("nps", QuestionType::kNps, uniform(0, 10)));
        if (chance(40)) answers.push_back(Score("effort", QuestionType::kEffort, uniform(1, 7)));
        if (chance(60)) {
          std::vector<std::string> tags;
          for (const std::string& r : reasons) {
            if (chance(30)) tags.push_back(r);
          }
          if (!tags.empty()) answers.push_back(Tags(tags));
          if (!tags.empty() && chance(20)) {  // a second tag question naming some again
            Answer again = Tags({tags[0], reasons[static_cast<size_t>(uniform(0, 4))]});
            if (again.tags[0] == again.tags[1]) again.tags.pop_back();
            again.question_id = "more_reasons";
            answers.push_back(again);
          }
        }
        std::shuffle(answers.begin(), answers.end(), rng);
        e = Scored(st, t, answers, chance(15));
      } else if (kind < 50) {
        FeedbackAbandonedPayload p;
        p.survey_id = "visit";
        p.survey_version = 1;
        p.language = "en";
        p.duration_ms = 30000;
        p.questions_total = 3;
        p.questions_answered = 1;
        p.last_question_id = "nps";
        p.answers.push_back(Score("overall", QuestionType::kCsat, uniform(1, 5)));
        e = st.MakeAt(p, t);
      } else if (kind < 82) {
        FootfallPayload p;
        p.interval_start_ms = t - t % 60000;
        p.interval_s = 60;
        p.lines.push_back({"door", uniform(0, 9), uniform(0, 9)});
        if (chance(30)) p.lines.push_back({"side", uniform(0, 3), uniform(0, 3)});
        if (chance(50)) {  // v2: dwell in a zone or two, which compactions must take back too
          p.zones.push_back(samples::SampleZone("queue"));
          if (chance(30)) p.zones.push_back(samples::SampleZone("fitting"));
        }
        if (open_footfall.size() >= 2 && chance(25)) {
          // A compaction of some earlier footfall (possibly compactions themselves).
          std::shuffle(open_footfall.begin(), open_footfall.end(), rng);
          size_t n = static_cast<size_t>(uniform(1, std::min<int64_t>(4, open_footfall.size())));
          p.compacted_seqs.assign(open_footfall.end() - n, open_footfall.end());
          std::sort(p.compacted_seqs.begin(), p.compacted_seqs.end());
          open_footfall.resize(open_footfall.size() - n);
          p.interval_s = 600;
          ++s.compactions;
        }
        e = st.MakeAt(p, p.interval_start_ms);
        open_footfall.push_back(seq);
      } else if (kind < 92) {
        CoveragePayload p;
        p.source = chance(50) ? "camera" : "kiosk";
        p.start_ms = t;
        p.end_ms = t + uniform(1000, 3 * kH);
        p.reason = "frame_timeout";
        e = st.MakeAt(p, t);
      } else {
        StatusPayload p;
        p.software_version = "1.0";
        p.config_version = "c1";
        p.camera_state = "ok";
        e = st.Make(p);
        e.time_ms = t;
      }
      HubEvent h = Received(e, seq, offset);
      if (chance(5)) {
        h.time_out_of_range = true;  // as ingest marks a clock far off
        s.out_of_range_ids.insert(h.id);
      }
      int n = chance(30) ? static_cast<int>(uniform(2, 3)) : 1;
      for (int i = 0; i < n; ++i) copies.push_back(h);
      if (chance(3)) {  // another event under the same seq: whichever comes first is held
        copies.push_back(Received(Scored(st, t, {Score("overall", QuestionType::kCsat, 1)}, false),
                                  seq, offset));
        ++s.conflicts;
      }
      s.seqs[k.kiosk].insert(seq);
    }
  }
  std::shuffle(copies.begin(), copies.end(), rng);
  s.copies = static_cast<int64_t>(copies.size());
  for (size_t i = 0; i < copies.size();) {
    HubWrite w;
    size_t n = static_cast<size_t>(uniform(1, 20));
    for (; n > 0 && i < copies.size(); --n) w.events.push_back(copies[i++]);
    if (chance(20)) {
      Reject r;
      r.source = "mqtt:test";
      r.kiosk = "k1";
      r.seq = static_cast<uint64_t>(uniform(1, 1000));
      r.reason = "bad json";
      r.payload = "{not json";
      w.rejects.push_back(r);
      ++s.rejects;
    }
    s.writes.push_back(std::move(w));
  }
  return s;
}

// ---- the kiosk counters: recomputed from the rows the store holds ---------------------------

// Compares the counters kept at ingest (Kiosks(), AccountedSeqs()) with a recomputation from the
// events, rejects, known gaps and compactions in the database file at `path`.
void ExpectKioskCountersEqualTheRows(HubStore* store, const std::string& path) {
  auto db = sql::Database::Open(path, sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  struct Counts {
    int64_t events = 0, max_seq = 0, last_received_ms = 0;
  };
  std::map<std::string, Counts> counts;
  auto st = (*db)->Prepare(
      "SELECT k.kiosk, COUNT(*), MAX(e.seq), MAX(p.received_ms) FROM events e JOIN kiosks k "
      "ON k.kiosk_key = e.kiosk_key JOIN payloads p ON p.id = e.payload_id GROUP BY k.kiosk");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(
      st->ForEachRow([&] {
          counts[st->ColumnText(0)] = {st->ColumnInt(1), st->ColumnInt(2), st->ColumnInt(3)};
        }).ok());
  std::map<std::string, std::vector<SeqRange>> accounted;
  for (const char* q : {"SELECT k.kiosk, e.seq, e.seq FROM events e JOIN kiosks k "
                        "ON k.kiosk_key = e.kiosk_key",
                        "SELECT kiosk, seq, seq FROM rejects WHERE seq IS NOT NULL",
                        "SELECT kiosk, first_seq, last_seq FROM known_gaps",
                        "SELECT kiosk, first_seq, last_seq FROM compactions"}) {
    auto r = (*db)->Prepare(q);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ForEachRow([&] {
                   accounted[r->ColumnText(0)].push_back({static_cast<uint64_t>(r->ColumnInt(1)),
                                                          static_cast<uint64_t>(r->ColumnInt(2))});
                 }).ok());
  }
  for (auto& [kiosk, ranges] : accounted) ranges = MergeRanges(std::move(ranges));

  auto kiosks = store->Kiosks();
  ASSERT_TRUE(kiosks.ok()) << kiosks.status().ToString();
  size_t with_events = 0;
  for (const KioskSummary& k : *kiosks) {
    SCOPED_TRACE("kiosk " + k.kiosk);
    auto c = counts.find(k.kiosk);
    Counts want = c == counts.end() ? Counts{} : c->second;
    with_events += c != counts.end();
    EXPECT_EQ(k.events, want.events);
    EXPECT_EQ(k.max_seq, static_cast<uint64_t>(want.max_seq));
    EXPECT_EQ(k.last_received_ms, want.last_received_ms);
    // Seqs missing below the highest accounted one.
    int64_t gaps = 0;
    uint64_t next = 1;
    for (const SeqRange& r : accounted[k.kiosk]) {
      if (r.first > next) gaps += static_cast<int64_t>(r.first - next);
      next = std::max(next, r.last + 1);
    }
    EXPECT_EQ(k.seq_gaps, gaps);
  }
  EXPECT_EQ(with_events, counts.size());
  auto seqs = store->AccountedSeqs();
  ASSERT_TRUE(seqs.ok()) << seqs.status().ToString();
  std::map<std::string, std::vector<SeqRange>> got;
  for (const KioskSeqs& k : *seqs) got[k.kiosk] = k.ranges;
  std::erase_if(accounted, [](const auto& kv) { return kv.second.empty(); });
  ASSERT_EQ(got.size(), accounted.size());
  for (const auto& [kiosk, ranges] : accounted) {
    SCOPED_TRACE("accounted seqs of " + kiosk);
    ASSERT_EQ(got[kiosk].size(), ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) {
      EXPECT_EQ(got[kiosk][i].first, ranges[i].first);
      EXPECT_EQ(got[kiosk][i].last, ranges[i].last);
    }
  }
}

// Known gaps (overlapping, adjacent, inside held seqs, for a kiosk without events) and rejects
// with and without a seq, for the counters' ranges.
std::vector<HubWrite> GapsAndRejects(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  std::vector<HubWrite> out;
  for (int i = 0; i < 30; ++i) {
    HubWrite w;
    std::string kiosk = i % 7 == 0 ? "k9" : "k" + std::to_string(uniform(1, 5));
    uint64_t first = static_cast<uint64_t>(uniform(1, 400));
    w.gaps.push_back({kiosk, {first, first + static_cast<uint64_t>(uniform(0, 30))}, 0});
    if (i % 3 == 0) {
      Reject r;
      r.source = "mqtt:test";
      r.kiosk = kiosk;
      if (i % 2) r.seq = static_cast<uint64_t>(uniform(150, 500));
      r.reason = "bad json";
      r.payload = "{";
      w.rejects.push_back(r);
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<ViewFilter> Filters() {
  std::vector<ViewFilter> fs(1);  // everything
  ViewFilter f;
  f.stores = {"s1", "s3"};
  fs.push_back(f);
  f = {};
  f.touchpoint = "checkout";
  f.include_suspect = true;
  fs.push_back(f);
  f = {};
  f.stage = "purchase";
  f.stores = {"s2"};
  fs.push_back(f);
  f = {};
  f.from_ms = kT0 - 3 * kDay - 4 * kH;  // local, not on a day boundary
  f.to_ms = kT0 + 2 * kDay;
  fs.push_back(f);
  f.basis = ViewFilter::Basis::kUtc;
  f.touchpoint = "entrance";
  fs.push_back(f);
  f = {};
  f.from_ms = kT0 - kDay;
  f.to_ms = kT0 - kDay + 30 * 60000;  // half an hour: no cell starts in it
  fs.push_back(f);
  f = {};
  f.from_ms = kT0 - 10 * kH - 4 * kDay;  // whole local days: the day level answers
  f.to_ms = kT0 - 10 * kH + 3 * kDay;
  f.stores = {"s2", "s3"};
  fs.push_back(f);
  f.stores = {};  // whole local days over every store: the chain day level answers
  f.stage = "purchase";
  fs.push_back(f);
  f = {};
  f.stores = {"absent"};
  fs.push_back(f);
  return fs;
}

TEST(HubRollupsProperty, EveryViewAndFilterEqualsARecomputationFromTheRawEvents) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::TempDir dir;
    auto store = Open(dir.File("hub.db"));
    ASSERT_TRUE(store);
    Stream s = RandomStream(seed, 160);
    int64_t inserted = 0, conflicts = 0;
    // Received times go up, and back once (a hub clock stepped back): the last received stays
    // the highest.
    for (size_t i = 0; i < s.writes.size(); ++i) {
      int64_t now = kT0 + static_cast<int64_t>(i) * 1000 - (i > s.writes.size() / 2 ? 60000 : 0);
      auto r = i % 2 ? store->WriteDeferred(s.writes[i], now) : store->Write(s.writes[i], now);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      inserted += r->inserted;
      conflicts += r->conflicts;
      if (i == s.writes.size() / 3)
        ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
    }
    for (const HubWrite& w : GapsAndRejects(seed)) ASSERT_TRUE(store->Write(w, kT0).ok());
    ASSERT_TRUE(store->Sync().ok());
    EXPECT_EQ(inserted, 5 * 160);
    ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
    RefCells ref = Reference(store.get(), s.seqs, s.out_of_range_ids);
    int64_t compared = ExpectViewsEqualReference(store.get(), ref, Filters());
    std::printf(
        "seed %u: %lld copies in %zu writes, %lld compactions, %lld conflicts sent "
        "(%lld met a held seq), %lld rejects; %zu reference cells, %lld view rows equal\n",
        seed, static_cast<long long>(s.copies), s.writes.size(),
        static_cast<long long>(s.compactions), static_cast<long long>(s.conflicts),
        static_cast<long long>(conflicts), static_cast<long long>(s.rejects), ref.size(),
        static_cast<long long>(compared));
    EXPECT_GT(compared, 1000);
    for (ViewFilter f : Filters()) {  // the fleet's coverage gaps: gap_s only, the same
      std::map<std::string, int64_t> want, got;
      for (const ViewRow& r : ViewOf(store.get(), f, ViewBy::kStore)) want[r.store] = r.gap_s;
      f.gaps_only = true;
      for (const ViewRow& r : ViewOf(store.get(), f, ViewBy::kStore)) {
        got[r.store] = r.gap_s;
        EXPECT_TRUE(r.sums == metrics::Sums{});
      }
      EXPECT_EQ(got, want);
    }

    // rebuild-rollups recomputes exactly the incremental cells.
    auto rebuilt = store->RebuildRollups();
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    EXPECT_EQ(rebuilt->events, 5 * 160);
    EXPECT_EQ(rebuilt->added, 0);
    EXPECT_EQ(rebuilt->removed, 0);
    EXPECT_EQ(rebuilt->changed, 0);
    EXPECT_EQ(rebuilt->kiosks, 6);  // k1..k5 and k9 (gaps and rejects only)
    EXPECT_EQ(rebuilt->kiosks_changed, 0);
    ExpectViewsEqualReference(store.get(), ref, Filters());
    ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
  }
}

// A hub before a migration: writes the first half of `s` into a new store at `path` (each
// received at kT0 + its index), then `after` (received at kT0). Returns where the half ends.
size_t WriteFirstHalf(const std::string& path, const Stream& s,
                      const std::vector<HubWrite>& after = {}) {
  const size_t half = s.writes.size() / 2;
  auto store = Open(path);
  EXPECT_TRUE(store);
  if (!store) return half;
  for (size_t i = 0; i < half; ++i) {
    EXPECT_TRUE(store->Write(s.writes[i], kT0 + static_cast<int64_t>(i)).ok());
  }
  for (const HubWrite& w : after) EXPECT_TRUE(store->Write(w, kT0).ok());
  return half;
}

// A database written before version 4 (no offsets, no cells) is migrated in place by
// recomputing from the events' JSON: every figure stays.
TEST(HubRollupsMigration, Version3DatabaseGetsItsCellsFromTheEvents) {
  testing::TempDir dir;
  Stream s = RandomStream(7, 120);
  std::vector<std::vector<ViewRow>> before;
  {
    auto store = Open(dir.File("hub.db"));
    ASSERT_TRUE(store);
    for (const HubWrite& w : s.writes) ASSERT_TRUE(store->Write(w, kT0).ok());
    for (ViewBy by : kAllViews) before.push_back(ViewOf(store.get(), {}, by));
  }
  {
    // Back to version 3's layout, as a hub at main before this change left it.
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE cells; DROP TABLE cells_day; DROP TABLE cells_chain; "
                           "DROP TABLE cells_chain_day; DROP TABLE chain_dims; "
                           "ALTER TABLE events DROP COLUMN utc_offset_min; "
                           "DROP TABLE kiosk_counts; DROP TABLE accounted_seqs; "
                           "PRAGMA user_version = 3")
                    .ok());
  }
  auto store = Open(dir.File("hub.db"));
  ASSERT_TRUE(store);
  RefCells ref = Reference(store.get(), s.seqs, s.out_of_range_ids);
  ExpectViewsEqualReference(store.get(), ref, Filters());
  size_t i = 0;
  for (ViewBy by : kAllViews) {
    auto after = ViewOf(store.get(), {}, by);
    ASSERT_EQ(after.size(), before[i].size()) << Name(by);
    for (size_t j = 0; j < after.size(); ++j) {
      EXPECT_TRUE(after[j].sums == before[i][j].sums) << Name(by) << " row " << j;
      EXPECT_EQ(after[j].local_ms, before[i][j].local_ms);
      EXPECT_EQ(after[j].utc_offset_min, before[i][j].utc_offset_min);
    }
    ++i;
  }
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM events WHERE utc_offset_min IS NULL"), 0);
  ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
}

// A version 4 database (cells by dim, no chain levels) is migrated in place: the chain levels
// are the sums of its hour cells, every view keeps its figures, and a rebuild finds nothing to
// change.
TEST(HubRollupsMigration, Version4DatabaseGetsItsChainLevelsFromItsCells) {
  testing::TempDir dir;
  Stream s = RandomStream(11, 120);
  {
    auto store = Open(dir.File("hub.db"));
    ASSERT_TRUE(store);
    for (const HubWrite& w : s.writes) ASSERT_TRUE(store->Write(w, kT0).ok());
  }
  {
    // Back to version 4's layout.
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE cells_chain; DROP TABLE cells_chain_day; "
                           "DROP TABLE chain_dims; DROP TABLE kiosk_counts; "
                           "DROP TABLE accounted_seqs; PRAGMA user_version = 4")
                    .ok());
  }
  auto store = Open(dir.File("hub.db"));
  ASSERT_TRUE(store);
  RefCells ref = Reference(store.get(), s.seqs, s.out_of_range_ids);
  EXPECT_GT(ExpectViewsEqualReference(store.get(), ref, Filters()), 1000);
  auto rebuilt = store->RebuildRollups();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->added, 0);
  EXPECT_EQ(rebuilt->removed, 0);
  EXPECT_EQ(rebuilt->changed, 0);
  store.reset();
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
  EXPECT_GT(*(*db)->QueryInt("SELECT COUNT(*) FROM cells_chain"), 0);
}

// A version 7 database (each cell as seven integer columns and a detail blob) is packed in place
// into one blob per cell: every view keeps its figures, a rebuild finds nothing to change, and
// writes after the migration go on adding to the packed cells.
TEST(HubRollupsMigration, Version7DatabaseGetsOneBlobPerCell) {
  testing::TempDir dir;
  Stream s = RandomStream(17, 120);
  const size_t half = WriteFirstHalf(dir.File("hub.db"), s);
  ASSERT_FALSE(::testing::Test::HasFailure());
  {
    // Back to version 7's layout, each cell's figures from its blob.
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    sqlite3* h = (*db)->handle();
    for (const char* t : rollups::kLevelTables) {
      const std::string old = std::string(t) + "_old";
      ASSERT_TRUE((*db)
                      ->Exec("CREATE TABLE " + old +
                             "(dim_key INTEGER NOT NULL, hour_local INTEGER NOT NULL, "
                             "utc_offset_min INTEGER NOT NULL, visitors_in INTEGER NOT NULL, "
                             "visitors_out INTEGER NOT NULL, counted_s INTEGER NOT NULL, "
                             "gap_s INTEGER NOT NULL, abandoned INTEGER NOT NULL, "
                             "ok_sessions INTEGER NOT NULL, suspect_sessions INTEGER NOT NULL, "
                             "detail BLOB, PRIMARY KEY(dim_key, hour_local, utc_offset_min)) "
                             "WITHOUT ROWID")
                      .ok());
      sqlite3_stmt *read = nullptr, *write = nullptr;
      ASSERT_EQ(
          sqlite3_prepare_v2(
              h,
              (std::string("SELECT dim_key, hour_local, utc_offset_min, cell FROM ") + t).c_str(),
              -1, &read, nullptr),
          SQLITE_OK);
      ASSERT_EQ(sqlite3_prepare_v2(
                    h,
                    ("INSERT INTO " + old + " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                        .c_str(),
                    -1, &write, nullptr),
                SQLITE_OK);
      int rows = 0;
      while (sqlite3_step(read) == SQLITE_ROW) {
        rollups::CellSums c;
        ASSERT_TRUE(rollups::AddCellRow(read, 3, &c).ok());
        const metrics::Sums& m = c.sums;
        const int64_t values[10] = {sqlite3_column_int64(read, 0),
                                    sqlite3_column_int64(read, 1),
                                    sqlite3_column_int64(read, 2),
                                    m.visitors_in,
                                    m.visitors_out,
                                    m.counted_s,
                                    c.gap_s,
                                    m.abandoned,
                                    m.ok.sessions,
                                    m.suspect.sessions};
        sqlite3_reset(write);
        for (int i = 0; i < 10; ++i) sqlite3_bind_int64(write, i + 1, values[i]);
        std::string detail = rollups::EncodeDetail(m);
        if (detail.empty()) {
          sqlite3_bind_null(write, 11);
        } else {
          sqlite3_bind_blob(write, 11, detail.data(), static_cast<int>(detail.size()),
                            SQLITE_TRANSIENT);
        }
        ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
        ++rows;
      }
      sqlite3_finalize(read);
      sqlite3_finalize(write);
      EXPECT_GT(rows, 0) << t;
      ASSERT_TRUE((*db)
                      ->Exec("DROP TABLE " + std::string(t) + "; ALTER TABLE " + old +
                             " RENAME TO " + t + "; PRAGMA user_version = 7")
                      .ok());
    }
  }
  auto store = Open(dir.File("hub.db"));
  ASSERT_TRUE(store);
  for (size_t i = half; i < s.writes.size(); ++i) {
    ASSERT_TRUE(store->Write(s.writes[i], kT0 + static_cast<int64_t>(i)).ok());
  }
  RefCells ref = Reference(store.get(), s.seqs, s.out_of_range_ids);
  EXPECT_GT(ExpectViewsEqualReference(store.get(), ref, Filters()), 1000);
  auto rebuilt = store->RebuildRollups();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->changed + rebuilt->added + rebuilt->removed, 0);
  store.reset();
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
  for (const char* t : rollups::kLevelTables) {
    EXPECT_EQ(*(*db)->QueryInt(std::string("SELECT COUNT(*) FROM pragma_table_info('") + t +
                               "') WHERE name IN ('detail', 'visitors_in')"),
              0)
        << t;
    EXPECT_EQ(*(*db)->QueryInt(std::string("SELECT COUNT(*) FROM sqlite_master WHERE name = '") +
                               t + "_v7'"),
              0);
  }
}

// A version 6 database (no kiosk counters) gets them in place from its rows; a rebuild then finds
// nothing to change, and writes after the migration keep them exact.
TEST(HubRollupsMigration, Version6DatabaseGetsItsKioskCountersFromItsRows) {
  testing::TempDir dir;
  Stream s = RandomStream(13, 120);
  const size_t half = WriteFirstHalf(dir.File("hub.db"), s, GapsAndRejects(13));
  ASSERT_FALSE(::testing::Test::HasFailure());
  {
    auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("DROP TABLE kiosk_counts; DROP TABLE accounted_seqs; "
                           "PRAGMA user_version = 6")
                    .ok());
  }
  auto store = Open(dir.File("hub.db"));
  ASSERT_TRUE(store);
  ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
  for (size_t i = half; i < s.writes.size(); ++i) {
    ASSERT_TRUE(store->Write(s.writes[i], kT0 + static_cast<int64_t>(i)).ok());
  }
  ExpectKioskCountersEqualTheRows(store.get(), dir.File("hub.db"));
  auto rebuilt = store->RebuildRollups();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->kiosks_changed, 0);
  EXPECT_EQ(rebuilt->changed + rebuilt->added + rebuilt->removed, 0);
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  EXPECT_EQ(*(*db)->QueryInt("PRAGMA user_version"), 9);
}

// The web app's meta facts (queries::RecentMetaDims: index seeks per dim) equal what the views
// over the cells say: the touchpoints and stages of kJourney over the period, and per store the
// offset of its latest local hour cell (kCell; of one local hour, the smaller offset).
TEST(HubRollupsMeta, RecentDimsAndOffsetsEqualTheViews) {
  testing::TempDir dir;
  auto store = Open(dir.File("hub.db"));
  ASSERT_TRUE(store);
  Stream s = RandomStream(5, 160);
  for (const HubWrite& w : s.writes) ASSERT_TRUE(store->Write(w, kT0).ok());
  auto db = sql::Database::Open(dir.File("hub.db"), sql::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  const int64_t today = kT0 / kDay;
  const std::vector<std::vector<std::string>> scopes = {{}, {"s1"}, {"s2", "s3"}, {"absent"}};
  int64_t offsets_seen = 0;
  for (int64_t back : {1, 4, 12}) {
    for (const std::vector<std::string>& scope : scopes) {
      SCOPED_TRACE("days back " + std::to_string(back) + ", stores " +
                   std::to_string(scope.size()));
      const int64_t from_day = today - back, to_day = today + 2, offsets_from = today - back / 2;
      auto got = queries::RecentMetaDims(db->get(), scope.empty() ? nullptr : &scope, from_day,
                                         to_day, offsets_from);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ViewFilter f;
      f.stores = scope;
      f.from_ms = from_day * kDay;
      f.to_ms = to_day * kDay;
      std::set<std::string> stages, touchpoints;
      for (const ViewRow& r : ViewOf(store.get(), f, ViewBy::kJourney)) {
        stages.insert(r.stage);
        touchpoints.insert(r.touchpoint);
      }
      EXPECT_EQ(got->stages, stages);
      EXPECT_EQ(got->touchpoints, touchpoints);
      f.from_ms = offsets_from * kDay;
      std::map<std::string, std::pair<int64_t, int32_t>> latest;  // store -> local ms, -offset
      for (const ViewRow& r : ViewOf(store.get(), f, ViewBy::kCell)) {
        std::pair<int64_t, int32_t> key{r.local_ms, -r.utc_offset_min};
        auto it = latest.find(r.store);
        if (it == latest.end() || it->second < key) latest[r.store] = key;
      }
      std::map<std::string, int32_t> offsets;
      for (const auto& [st, key] : latest) offsets[st] = -key.second;
      EXPECT_EQ(got->offsets, offsets);
      offsets_seen += static_cast<int64_t>(offsets.size());
    }
  }
  EXPECT_GT(offsets_seen, 10);
}

// ---- store-local time --------------------------------------------------------------------

class HubLocalTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Open(dir_.File("hub.db"));
    ASSERT_TRUE(store_);
  }
  void Write(std::vector<HubEvent> events) {
    HubWrite w;
    w.events = std::move(events);
    auto r = store_->Write(w, kT0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  testing::TempDir dir_;
  std::unique_ptr<HubStore> store_;
};

// Europe/Berlin style: +60 in winter, +120 in summer. On the spring day (2026-03-29, clocks go
// from 02:00 to 03:00 local at 01:00Z) every event lands in its own local hour; on the autumn day
// (2026-10-25, 03:00 back to 02:00 local at 01:00Z) local 02:00 happens twice, as two cells with
// their own offsets and UTC hours.
TEST_F(HubLocalTimeTest, DstEachEventInItsOwnLocalHour) {
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  const int64_t spring = *ParseUtcMs("2026-03-29T01:00:00.000Z");  // the switch, in UTC
  const int64_t autumn = *ParseUtcMs("2026-10-25T01:00:00.000Z");
  uint64_t seq = 0;
  auto fb = [&](int64_t t, int csat, int32_t off) {
    return Received(Scored(st, t, {Score("overall", QuestionType::kCsat, csat)}, false), ++seq,
                    off);
  };
  Write({fb(spring - 30 * 60000, 5, 60),    // 00:30Z at +60: 01:30 local
         fb(spring + 30 * 60000, 4, 120),   // 01:30Z at +120: 03:30 local
         fb(autumn - 30 * 60000, 3, 120),   // 00:30Z at +120: 02:30 local
         fb(autumn + 30 * 60000, 2, 60)});  // 01:30Z at +60: 02:30 local again
  auto cells = ViewOf(store_.get(), {}, ViewBy::kCell);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(FormatUtcMs(cells[0].local_ms), "2026-03-29T01:00:00.000Z");
  EXPECT_EQ(cells[0].utc_offset_min, 60);
  EXPECT_EQ(FormatUtcMs(cells[0].utc_ms()), "2026-03-29T00:00:00.000Z");
  EXPECT_EQ(FormatUtcMs(cells[1].local_ms), "2026-03-29T03:00:00.000Z");
  EXPECT_EQ(cells[1].utc_offset_min, 120);
  EXPECT_EQ(FormatUtcMs(cells[1].utc_ms()), "2026-03-29T01:00:00.000Z");
  for (int i : {2, 3}) EXPECT_EQ(FormatUtcMs(cells[i].local_ms), "2026-10-25T02:00:00.000Z");
  EXPECT_EQ(cells[2].utc_offset_min, 60);  // ordered by offset within a local hour
  EXPECT_EQ(FormatUtcMs(cells[2].utc_ms()), "2026-10-25T01:00:00.000Z");
  EXPECT_EQ(cells[2].sums.ok.csat.counts[2], 1);
  EXPECT_EQ(cells[3].utc_offset_min, 120);
  EXPECT_EQ(FormatUtcMs(cells[3].utc_ms()), "2026-10-25T00:00:00.000Z");
  EXPECT_EQ(cells[3].sums.ok.csat.counts[3], 1);

  // The map lists the spring day's hours 01:00 and 03:00 (no 02:00 existed) and the autumn
  // day's 02:00 twice; weekday x hour puts both 02:00 cells (Sundays) in one hour of day.
  ViewFilter spring_day;
  spring_day.from_ms = *ParseUtcMs("2026-03-29T01:00:00.000Z");  // local
  spring_day.to_ms = *ParseUtcMs("2026-03-29T04:00:00.000Z");
  auto map = JourneyMapFromCells(ViewOf(store_.get(), spring_day, ViewBy::kCell), spring_day);
  ASSERT_EQ(map.size(), 3u);  // 01:00, 02:00 (no data), 03:00
  EXPECT_EQ(map[0].responses, 1);
  EXPECT_EQ(map[1].responses, 0);
  EXPECT_EQ(map[2].responses, 1);
  EXPECT_EQ(map[2].utc_offset_min, 120);
  std::string csv = FormatJourneyMap(map, MapFormat::kCsv);
  EXPECT_NE(csv.find("s1,checkout,purchase,2026-03-29T03:00,+02:00,2026-03-29T01:00Z"),
            std::string::npos)
      << csv;
  auto wh = ViewOf(store_.get(), {}, ViewBy::kWeekdayHour);
  ASSERT_EQ(wh.size(), 3u);
  EXPECT_EQ(wh[1].weekday, 7);
  EXPECT_EQ(wh[1].hour, 2);
  EXPECT_EQ(wh[1].sums.ok.sessions, 2);
  // A UTC range picks cells by their UTC hour: 00:00Z..01:00Z on the autumn day is the first
  // 02:00 local (+120) only.
  ViewFilter utc;
  utc.basis = ViewFilter::Basis::kUtc;
  utc.from_ms = autumn - kH;
  utc.to_ms = autumn;
  auto first = ViewOf(store_.get(), utc, ViewBy::kCell);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].utc_offset_min, 120);
}

// Two stores in different time zones compare by local hour: both open at 09:00 local.
TEST_F(HubLocalTimeTest, TwoTimeZonesCompareByLocalHour) {
  EventStamper berlin(synctest::Kiosk("kb", "berlin"), std::make_shared<ManualClock>(kT0));
  EventStamper ny(synctest::Kiosk("kn", "new-york"), std::make_shared<ManualClock>(kT0));
  const int64_t day = *ParseUtcMs("2026-11-24T00:00:00.000Z");  // a Tuesday
  std::vector<HubEvent> events;
  for (int i = 0; i < 3; ++i) {
    // 09:10 local in each store: 08:10Z in Berlin (+60), 14:10Z in New York (-300).
    events.push_back(Received(Scored(berlin, day + 8 * kH + 10 * 60000 + i,
                                     {Score("overall", QuestionType::kCsat, 5)}, false),
                              1 + i, 60));
    events.push_back(Received(Scored(ny, day + 14 * kH + 10 * 60000 + i,
                                     {Score("overall", QuestionType::kCsat, 1)}, false),
                              1 + i, -300));
  }
  FootfallPayload ff;
  ff.interval_start_ms = day + 14 * kH;  // 09:00 local in New York
  ff.interval_s = 3600;
  ff.lines.push_back({"door", 30, 28});
  events.push_back(Received(ny.MakeAt(ff, ff.interval_start_ms), 10, -300));
  Write(std::move(events));

  auto wh = ViewOf(store_.get(), {}, ViewBy::kWeekdayHour);
  ASSERT_EQ(wh.size(), 1u);
  EXPECT_EQ(wh[0].weekday, 2);
  EXPECT_EQ(wh[0].hour, 9);
  EXPECT_EQ(wh[0].sums.ok.sessions, 6);
  auto stores = ViewOf(store_.get(), {}, ViewBy::kStore);
  ASSERT_EQ(stores.size(), 2u);
  EXPECT_EQ(stores[0].store, "berlin");
  EXPECT_DOUBLE_EQ(*stores[0].Figures(false).csat_mean, 5.0);
  EXPECT_EQ(stores[1].store, "new-york");
  EXPECT_DOUBLE_EQ(*stores[1].Figures(false).csat_mean, 1.0);
  EXPECT_DOUBLE_EQ(*stores[1].Figures(false).response_rate, 3.0 / 30.0);

  // Local 09:00-10:00 selects both stores; the same range in UTC selects neither.
  ViewFilter local;
  local.from_ms = day + 9 * kH;
  local.to_ms = day + 10 * kH;
  auto map = JourneyMapFromCells(ViewOf(store_.get(), local, ViewBy::kCell), local);
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map[0].store, "berlin");
  EXPECT_EQ(FormatUtcMs(map[0].hour_ms), "2026-11-24T08:00:00.000Z");
  EXPECT_EQ(map[1].store, "new-york");
  EXPECT_EQ(FormatUtcMs(map[1].hour_ms), "2026-11-24T14:00:00.000Z");
  EXPECT_EQ(map[1].coverage, "ok");
  ViewFilter utc = local;
  utc.basis = ViewFilter::Basis::kUtc;
  EXPECT_TRUE(ViewOf(store_.get(), utc, ViewBy::kCell).empty());
  // ISO weeks: 2026-11-24 is in week 48 of 2026.
  auto weeks = ViewOf(store_.get(), {}, ViewBy::kIsoWeek);
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].iso_year, 2026);
  EXPECT_EQ(weeks[0].iso_week, 48);
  EXPECT_EQ(FormatUtcMs(weeks[0].local_ms), "2026-11-23T00:00:00.000Z");
}

TEST_F(HubLocalTimeTest, IsoWeekAtTheTurnOfTheYear) {
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  // Friday 2027-01-01 belongs to week 53 of 2026; Monday 2027-01-04 starts week 1 of 2027.
  Write({Received(Scored(st, *ParseUtcMs("2027-01-01T12:00:00.000Z"),
                         {Score("overall", QuestionType::kCsat, 4)}, false),
                  1, 0),
         Received(Scored(st, *ParseUtcMs("2027-01-04T12:00:00.000Z"),
                         {Score("overall", QuestionType::kCsat, 4)}, false),
                  2, 0)});
  auto weeks = ViewOf(store_.get(), {}, ViewBy::kIsoWeek);
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0].iso_year, 2026);
  EXPECT_EQ(weeks[0].iso_week, 53);
  EXPECT_EQ(FormatUtcMs(weeks[0].local_ms), "2026-12-28T00:00:00.000Z");
  EXPECT_EQ(weeks[1].iso_year, 2027);
  EXPECT_EQ(weeks[1].iso_week, 1);
}

// The hub adds a session's answers with metrics::SessionSums::AddAnswers: a reason named by two
// tag questions counts once, with few tags (a scan) and with many (a set).
TEST(HubRollupsMetrics, AReasonCountsOncePerSession) {
  metrics::SessionSums s;
  Answer more = Tags({"queue", "staff"});
  more.question_id = "more";
  s.AddAnswers({Score("overall", QuestionType::kCsat, 1), Tags({"staff", "price"}), more});
  EXPECT_EQ(s.reasons, (FlatMap<int64_t>{{"price", 1}, {"queue", 1}, {"staff", 1}}));
  EXPECT_EQ(s.reasons_unhappy, s.reasons);
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back("r" + std::to_string(i));
  Answer second = Tags({"r3", "r19", "extra"});
  second.question_id = "more";
  s.AddAnswers({Score("overall", QuestionType::kCsat, 5), Tags(many), second});
  EXPECT_EQ(s.reasons.size(), 3u + 21u);
  EXPECT_EQ(s.reasons["r3"], 1);
  EXPECT_EQ(s.reasons["extra"], 1);
  EXPECT_EQ(s.reasons_unhappy.size(), 3u);
  EXPECT_EQ(s.sessions, 2);
  EXPECT_EQ(s.unhappy, 1);
}

// Filter bounds at the ends of int64 select everything, in either basis, without overflow; the
// map lists a bounded number of hours per group.
TEST_F(HubLocalTimeTest, ExtremeRangesAreBounded) {
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  Write({Received(Scored(st, kT0, {Score("overall", QuestionType::kCsat, 4)}, false), 1, 60)});
  for (auto basis : {ViewFilter::Basis::kLocal, ViewFilter::Basis::kUtc}) {
    ViewFilter f;
    f.basis = basis;
    f.from_ms = std::numeric_limits<int64_t>::min();
    f.to_ms = std::numeric_limits<int64_t>::max();
    for (ViewBy by : kAllViews) EXPECT_EQ(ViewOf(store_.get(), f, by).size(), 1u) << Name(by);
    auto map = JourneyMapFromCells(ViewOf(store_.get(), f, ViewBy::kCell), f);
    ASSERT_EQ(map.size(), 1u);  // too long a range to list: the hours with data
    EXPECT_EQ(map[0].responses, 1);
  }
}

// A damaged cell is refused with what and where, not read as zeros.
TEST_F(HubLocalTimeTest, ADamagedCellIsAClearError) {
  EventStamper st(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  Write({Received(Scored(st, kT0, {Score("overall", QuestionType::kCsat, 4)}, false), 1, 0)});
  store_.reset();
  {
    auto db = sql::Database::Open(dir_.File("hub.db"), sql::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE cells SET cell = x'0000000000000001ff'; "
                           "UPDATE cells_day SET cell = x'0000000000000001ff'; "
                           "UPDATE cells_chain SET cell = x'0000000000000001ff'; "
                           "UPDATE cells_chain_day SET cell = x'0000000000000001ff'")
                    .ok());
  }
  store_ = Open(dir_.File("hub.db"));
  ViewFilter one;
  one.stores = {"s1"};
  // The hour and the day level of the store, and of the chain (every store).
  const std::tuple<ViewFilter, ViewBy, const char*> kCases[] = {
      {ViewFilter{}, ViewBy::kCell, "cells of s1/checkout/purchase"},
      {one, ViewBy::kTotal, "cells_day of s1/checkout/purchase"},
      {ViewFilter{}, ViewBy::kWeekdayHour, "cells_chain of every store/checkout/purchase"},
      {ViewFilter{}, ViewBy::kTotal, "cells_chain_day of every store/checkout/purchase"}};
  for (const auto& [f, by, where] : kCases) {
    auto v = store_->View(f, by);
    ASSERT_FALSE(v.ok());
    EXPECT_NE(v.status().message().find(where), std::string::npos) << v.status().ToString();
    EXPECT_NE(v.status().message().find("malformed"), std::string::npos) << v.status().ToString();
  }
  // A view that stopped on the damaged cell left no transaction open: the store still writes
  // (a day later, into cells that are not damaged) and reads what it wrote.
  Write(
      {Received(Scored(st, kT0 + kDay, {Score("overall", QuestionType::kCsat, 5)}, false), 2, 0)});
  ViewFilter later;
  later.from_ms = kT0 + kDay - 12 * kH;
  later.to_ms = kT0 + 2 * kDay;
  auto v = store_->View(later, ViewBy::kCell);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 1u);
}

// A view reads every dim in one snapshot: a commit that lands while it reads (here from another
// hub process's connection, between the first store's cells and the second's) is not half in it.
TEST_F(HubLocalTimeTest, AViewIsOneSnapshotWhileAnotherConnectionCommits) {
  EventStamper k1(synctest::Kiosk("k1", "s1"), std::make_shared<ManualClock>(kT0));
  EventStamper k2(synctest::Kiosk("k2", "s2"), std::make_shared<ManualClock>(kT0));
  auto csat = [](const EventStamper& st, int score) {
    return Scored(st, kT0, {Score("overall", QuestionType::kCsat, score)}, false);
  };
  Write({Received(csat(k1, 4), 1, 0), Received(csat(k2, 4), 1, 0)});
  auto other = Open(dir_.File("hub.db"));
  ASSERT_TRUE(other);
  std::map<std::string, int64_t> sessions;
  Status s = store_->ForEachCell(ViewFilter{}, [&](const ViewRow& r) {
    if (sessions.empty()) {  // s1's cell: s2's is read after this returns
      HubWrite w;
      w.events = {Received(csat(k2, 2), 2, 0)};
      auto written = other->Write(w, kT0);
      if (!written.ok()) return written.status();
    }
    sessions[r.store] += r.sums.ok.sessions;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(sessions, (std::map<std::string, int64_t>{{"s1", 1}, {"s2", 1}}));
  // The next view sees the commit.
  auto after = store_->View(ViewFilter{}, ViewBy::kStore);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[1].store, "s2");
  EXPECT_EQ((*after)[1].sums.ok.sessions, 2);
}

}  // namespace
}  // namespace touchpoint::hub
