#include "rollups.h"

#include <algorithm>
#include <bit>
#include <vector>

#include "touchpoint/core/event_json.h"

namespace touchpoint::hub::rollups {

void AddFootfall(CellMap* cells, int64_t dim_key, int64_t start_ms, int32_t offset_min, int64_t in,
                 int64_t out, int64_t interval_s, int sign, const std::vector<ZoneStats>& zones) {
  CellSums& c = (*cells)[{dim_key, LocalHourOf(start_ms, offset_min), offset_min}];
  c.sums.visitors_in += sign * in;
  c.sums.visitors_out += sign * out;
  c.sums.counted_s += sign * interval_s;
  for (const ZoneStats& z : zones) {
    if (z.dwell_n <= 0) continue;
    metrics::DwellSums d;
    d.AddZone(z);
    metrics::Sums delta;
    delta.dwell[z.id] = sign < 0 ? d.Negated() : d;
    c.sums.Add(delta);
  }
}

void AddDays(const CellMap& hours, CellMap* days) {
  for (const auto& [key, delta] : hours) (*days)[DayOf(key)].Add(delta);
}

void AddEvent(CellMap* cells, int64_t dim_key, const HubEvent& e) {
  // What metrics::Sums::AddEvent adds for the event (footfall lines are summed in HubEvent).
  switch (e.type) {
    case EventType::kFootfall:
      AddFootfall(cells, dim_key, e.time_ms, e.utc_offset_min, e.visitors_in, e.visitors_out,
                  e.interval_s, 1);
      if (!e.zones.empty()) {
        (*cells)[{dim_key, LocalHourOf(e.time_ms, e.utc_offset_min), e.utc_offset_min}]
            .sums.AddZones(e.zones);
      }
      return;
    case EventType::kFeedback: {
      CellSums& c = (*cells)[{dim_key, LocalHourOf(e.time_ms, e.utc_offset_min), e.utc_offset_min}];
      (e.suspect ? c.sums.suspect : c.sums.ok).AddAnswers(e.answers, e.context);
      return;
    }
    case EventType::kFeedbackAbandoned:
      ++(*cells)[{dim_key, LocalHourOf(e.time_ms, e.utc_offset_min), e.utc_offset_min}]
            .sums.abandoned;
      return;
    case EventType::kCoverage: {
      if (e.coverage_source != "camera" && e.coverage_source != "kiosk") return;
      // Split over the local hours of the kiosk's offset (the coverage event's own).
      int64_t off = int64_t{e.utc_offset_min} * kMinuteMs;
      int64_t start = e.coverage_start_ms + off, end = e.coverage_end_ms + off;
      int64_t h = FloorDiv(start, kHourMs);
      for (int64_t n = 0; h * kHourMs < end && n < kMaxCoverageHours; ++h, ++n) {
        int64_t overlap = std::min(end, (h + 1) * kHourMs) - std::max(start, h * kHourMs);
        if (overlap > 0) (*cells)[{dim_key, h, e.utc_offset_min}].gap_s += overlap / 1000;
      }
      return;
    }
    case EventType::kStatus:
      return;
  }
}

// ---- detail blob ----------------------------------------------------------------------------
// Version byte 1, then for the ok and then the suspect sessions: unhappy, the csat, nps and
// effort headline distributions, the questions (id, type, distribution), reasons and unhappy
// reasons (id, count). Integers are LEB128 varints (signed ones zigzag); a distribution is a
// bit mask of its non-zero scores then those counts; maps in key order (canonical: equal sums
// give equal blobs).
// Version 2 (footfall zones, feedback context) appends, for the ok and then the suspect sessions,
// with_context and the CSAT distribution of each crowd band, then the dwell map (count, then per
// zone: id, n, sum_ms, the 12 histogram counts). Version 1 blobs are still read (none of these).

namespace {

constexpr char kDetailVersion = 2;
constexpr char kDetailVersion1 = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutSigned(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

void PutDist(std::string* out, const metrics::ScoreDist& d) {
  uint64_t mask = 0;
  for (size_t i = 0; i < d.counts.size(); ++i) {
    if (d.counts[i] != 0) mask |= uint64_t{1} << i;
  }
  PutVarint(out, mask);
  for (int64_t c : d.counts) {
    if (c != 0) PutSigned(out, c);
  }
}

void PutCounts(std::string* out, const FlatMap<int64_t>& m) {
  PutVarint(out, m.size());
  for (const auto& [k, v] : m) {
    PutString(out, k);
    PutSigned(out, v);
  }
}

void PutSession(std::string* out, const metrics::SessionSums& s) {
  PutSigned(out, s.unhappy);
  PutDist(out, s.csat);
  PutDist(out, s.nps);
  PutDist(out, s.effort);
  PutVarint(out, s.questions.size());
  for (const auto& [id, q] : s.questions) {
    PutString(out, id);
    PutVarint(out, static_cast<uint64_t>(q.type));
    PutDist(out, q.scores);
  }
  PutCounts(out, s.reasons);
  PutCounts(out, s.reasons_unhappy);
}

void PutCrowd(std::string* out, const metrics::SessionSums& s) {
  PutSigned(out, s.with_context);
  for (const metrics::ScoreDist& d : s.csat_by_crowd) PutDist(out, d);
}

void PutDwell(std::string* out, const FlatMap<metrics::DwellSums>& dwell) {
  PutVarint(out, dwell.size());
  for (const auto& [zone, d] : dwell) {
    PutString(out, zone);
    PutSigned(out, d.n);
    PutSigned(out, d.sum_ms);
    for (int64_t c : d.hist) PutSigned(out, c);
  }
}

bool DetailEmpty(const metrics::SessionSums& s) {
  return s.unhappy == 0 && s.csat == metrics::ScoreDist{} && s.nps == metrics::ScoreDist{} &&
         s.effort == metrics::ScoreDist{} && s.questions.empty() && s.reasons.empty() &&
         s.reasons_unhappy.empty() && s.with_context == 0 &&
         s.csat_by_crowd == decltype(s.csat_by_crowd){};
}

// a <=> b as std::string_view::compare orders them, byte by byte: the keys of a cell are short
// (tag, question and zone ids), for which a call to memcmp costs more than the loop.
inline int CompareKey(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

class Reader {
 public:
  // replace: the sums read into hold another cell's contents, which every section read replaces
  // rather than adds to (ReadCellValues).
  explicit Reader(std::string_view in, bool replace = false) : in_(in), replace_(replace) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }

  uint64_t Varint() {
    // Most values of a cell are below 128: one byte.
    if (pos_ < in_.size() && !(static_cast<uint8_t>(in_[pos_]) & 0x80)) {
      return static_cast<uint8_t>(in_[pos_++]);
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      if (pos_ >= in_.size()) break;
      auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }
  int64_t Signed() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  void Skip(size_t n) { pos_ += n; }  // REQUIRES: n bytes are left
  std::string_view String() {
    uint64_t n = Varint();
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // Adds v to *slot, or replacing, sets it.
  void Put(int64_t* slot, int64_t v) { *slot = replace_ ? v : *slot + v; }
  void Dist(metrics::ScoreDist* d) {
    uint64_t mask = Varint();
    if (mask >> d->counts.size()) ok_ = false;
    if (replace_) d->counts.fill(0);  // then those the mask names are set
    for (; mask != 0 && ok_; mask &= mask - 1) d->counts[std::countr_zero(mask)] += Signed();
  }

  // One map of the blob, whose keys come strictly increasing (the map's order), read into a map.
  // Replacing, entry i of the map becomes the blob's i-th (its key string kept when the key is
  // the same, as it mostly is from one cell to the next) and the entries after the blob's last
  // are dropped: the map ends as a fresh read would leave it, without a string built unless a
  // key changed. Adding, each key is found or inserted.
  template <typename V>
  class Walk {
   public:
    Walk(Reader* r, FlatMap<V>* m) : r_(r), m_(m) {}
    ~Walk() {
      if (r_->replace_) m_->Truncate(n_);
    }
    // The entry of `key` (*fresh: it was just created or reset), or nullptr on a key out of order.
    V* Entry(std::string_view key, bool* fresh = nullptr) {
      if (n_ > 0 && CompareKey(key, last_) <= 0) {
        r_->ok_ = false;
        return nullptr;
      }
      last_ = key;  // points into the blob
      if (r_->replace_) {
        bool same = false;
        V* v = &m_->Rewrite(n_++, key, &same);
        *v = V{};
        if (fresh) *fresh = true;
        return v;
      }
      ++n_;
      auto [it, is_new] = m_->try_emplace(key);
      if (fresh) *fresh = is_new;
      return &it->second;
    }

   private:
    Reader* r_;
    FlatMap<V>* m_;
    size_t n_ = 0;  // keys read
    std::string_view last_;
  };

  void Counts(FlatMap<int64_t>* m) {
    uint64_t n = Varint();
    Walk<int64_t> walk(this, m);
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string_view k = String();
      int64_t v = Signed();
      if (!ok_) break;
      if (int64_t* e = walk.Entry(k)) *e += v;
    }
  }
  void Session(metrics::SessionSums* s) {
    Put(&s->unhappy, Signed());
    Dist(&s->csat);
    Dist(&s->nps);
    Dist(&s->effort);
    uint64_t n = Varint();
    {
      Walk<metrics::QuestionSums> walk(this, &s->questions);
      for (uint64_t i = 0; i < n && ok_; ++i) {
        std::string_view id = String();
        uint64_t type = Varint();
        if (type > static_cast<uint64_t>(QuestionType::kText)) ok_ = false;
        if (!ok_) break;
        bool fresh = false;
        metrics::QuestionSums* q = walk.Entry(id, &fresh);
        if (!q) break;
        if (fresh) q->type = static_cast<QuestionType>(type);
        Dist(&q->scores);
      }
    }
    Counts(&s->reasons);
    Counts(&s->reasons_unhappy);
  }
  void Crowd(metrics::SessionSums* s) {
    Put(&s->with_context, Signed());
    for (metrics::ScoreDist& d : s->csat_by_crowd) Dist(&d);
  }
  void Dwell(FlatMap<metrics::DwellSums>* dwell) {
    uint64_t n = Varint();
    Walk<metrics::DwellSums> walk(this, dwell);
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string_view zone = String();
      if (!ok_) break;
      metrics::DwellSums* d = walk.Entry(zone);
      if (!d) break;
      d->n += Signed();
      d->sum_ms += Signed();
      for (int64_t& c : d->hist) c += Signed();
    }
  }

 private:
  std::string_view in_;
  bool replace_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string EncodeDetail(const metrics::Sums& s) {
  std::string out;
  if (DetailEmpty(s.ok) && DetailEmpty(s.suspect) && s.dwell.empty()) return out;
  out.push_back(kDetailVersion);
  PutSession(&out, s.ok);
  PutSession(&out, s.suspect);
  PutCrowd(&out, s.ok);
  PutCrowd(&out, s.suspect);
  PutDwell(&out, s.dwell);
  return out;
}

std::string EncodeCellValues(const std::array<int64_t, 7>& values) {
  std::string out;
  for (int64_t v : values) PutSigned(&out, v);
  return out;
}

std::string EncodeCell(const CellSums& c) {
  const metrics::Sums& t = c.sums;
  std::string out = EncodeCellValues({t.visitors_in, t.visitors_out, t.counted_s, c.gap_s,
                                      t.abandoned, t.ok.sessions, t.suspect.sessions});
  out += EncodeDetail(t);
  return out;
}

namespace {

// What a blob's crowd and dwell sections hold (version 2), emptied.
void ClearCrowdAndDwell(metrics::Sums* s) {
  for (metrics::SessionSums* session : {&s->ok, &s->suspect}) {
    session->with_context = 0;
    session->csat_by_crowd = {};
  }
  s->dwell.clear();
}

// What a blob holds (every figure but the sessions, footfall and abandoned columns), emptied.
void ClearDetail(metrics::Sums* s) {
  for (metrics::SessionSums* session : {&s->ok, &s->suspect}) {
    session->unhappy = 0;
    session->csat = session->nps = session->effort = metrics::ScoreDist{};
    session->questions.clear();
    session->reasons.clear();
    session->reasons_unhappy.clear();
  }
  ClearCrowdAndDwell(s);
}

// replace: *s holds another cell, whose every figure the blob's replaces (ReadCellValues; the
// columns' figures are set by the caller): a section the blob lacks is emptied.
Status ReadDetail(std::string_view blob, metrics::Sums* s, bool replace, RowReuse* reuse) {
  // Replacing the row's last detail: a section whose bytes are the same as there is kept as is.
  const bool memo =
      replace && reuse && reuse->last_valid && !blob.empty() && blob[0] == kDetailVersion;
  if (reuse) reuse->last_valid = false;  // until this read succeeds
  if (replace && blob.empty()) ClearDetail(s);
  if (blob.empty()) return Status::Ok();
  if (blob[0] != kDetailVersion && blob[0] != kDetailVersion1) {
    return Status::Corruption("cells.detail: unknown version " +
                              std::to_string(static_cast<unsigned char>(blob[0])));
  }
  std::string_view body = blob.substr(1);
  Reader r(body, replace);
  std::array<size_t, 5> ends{};
  auto section = [&](size_t k, auto&& decode) {
    if (memo) {
      size_t from = k == 0 ? 0 : reuse->last_ends[k - 1], n = reuse->last_ends[k] - from;
      if (body.size() - r.pos() >= n &&
          body.compare(r.pos(), n, reuse->last_detail, from, n) == 0) {
        r.Skip(n);
        ends[k] = r.pos();
        return;
      }
    }
    decode();
    ends[k] = r.pos();
  };
  section(0, [&] { r.Session(&s->ok); });
  section(1, [&] { r.Session(&s->suspect); });
  if (blob[0] == kDetailVersion) {
    section(2, [&] { r.Crowd(&s->ok); });
    section(3, [&] { r.Crowd(&s->suspect); });
    section(4, [&] { r.Dwell(&s->dwell); });
  } else if (replace) {
    ClearCrowdAndDwell(s);
  }
  if (!r.ok() || !r.done()) {
    return Status::Corruption("cells.detail: malformed at byte " + std::to_string(r.pos() + 1) +
                              " of " + std::to_string(blob.size()));
  }
  if (replace && reuse && blob[0] == kDetailVersion) {
    reuse->last_detail.assign(body);
    reuse->last_ends = ends;
    reuse->last_valid = true;
  }
  return Status::Ok();
}

std::string_view BlobColumn(sqlite3_stmt* st, int col) {
  const void* blob = sqlite3_column_blob(st, col);
  if (!blob) return {};
  return {static_cast<const char*>(blob), static_cast<size_t>(sqlite3_column_bytes(st, col))};
}

}  // namespace

Status DecodeDetail(std::string_view blob, metrics::Sums* s) {
  return ReadDetail(blob, s, /*replace=*/false, nullptr);
}

CellValues CellValuesOf(sqlite3_stmt* st, int col) { return {BlobColumn(st, col)}; }

namespace {

// A cell's seven figures (EncodeCell's order); *detail: the rest of the blob.
Status ReadCellFigures(const CellValues& v, std::array<int64_t, 7>* figures,
                       std::string_view* detail) {
  Reader r(v.cell);
  for (int64_t& f : *figures) f = r.Signed();
  if (!r.ok()) {
    return Status::Corruption("cells.cell: malformed figures (" + std::to_string(v.cell.size()) +
                              " bytes)");
  }
  *detail = v.cell.substr(r.pos());
  return Status::Ok();
}

// The cell's figures into *sums and *gap_s: added, or replacing those of another cell (each
// figure set, no zeroing pass over the ~2 KB of sums first).
Status PutCellValues(const CellValues& v, metrics::Sums* sums, int64_t* gap_s, bool replace,
                     RowReuse* reuse) {
  std::array<int64_t, 7> figures;
  std::string_view detail;
  if (Status bad = ReadCellFigures(v, &figures, &detail); !bad.ok()) return bad;
  metrics::Sums& s = *sums;
  int64_t* slots[7] = {&s.visitors_in, &s.visitors_out, &s.counted_s,       gap_s,
                       &s.abandoned,   &s.ok.sessions,  &s.suspect.sessions};
  for (size_t i = 0; i < figures.size(); ++i) {
    *slots[i] = replace ? figures[i] : *slots[i] + figures[i];
  }
  return ReadDetail(detail, &s, replace, reuse);
}

}  // namespace

Status AddCellGap(const CellValues& v, int64_t* gap_s) {
  std::array<int64_t, 7> figures;
  std::string_view detail;
  if (Status bad = ReadCellFigures(v, &figures, &detail); !bad.ok()) return bad;
  *gap_s += figures[3];
  return Status::Ok();
}

Status AddCellValues(const CellValues& v, metrics::Sums* sums, int64_t* gap_s) {
  return PutCellValues(v, sums, gap_s, /*replace=*/false, nullptr);
}

Status ReadCellValues(const CellValues& v, metrics::Sums* sums, int64_t* gap_s, RowReuse* reuse) {
  return PutCellValues(v, sums, gap_s, /*replace=*/true, reuse);
}

std::string CellsTableSql(const std::string& table) {
  return "CREATE TABLE IF NOT EXISTS " + table +
         "(dim_key INTEGER NOT NULL, hour_local INTEGER NOT NULL, "
         "utc_offset_min INTEGER NOT NULL, cell BLOB NOT NULL, "
         "PRIMARY KEY(dim_key, hour_local, utc_offset_min)) WITHOUT ROWID;";
}

namespace {

// tp_pack_cell(visitors_in, visitors_out, counted_s, gap_s, abandoned, ok_sessions,
// suspect_sessions, detail): a version 7 row's cell as version 8 stores it.
void PackCellFunction(sqlite3_context* ctx, int /*argc: 8, as registered*/, sqlite3_value** argv) {
  std::array<int64_t, 7> values;
  for (int i = 0; i < 7; ++i) values[i] = sqlite3_value_int64(argv[i]);
  std::string cell = EncodeCellValues(values);
  if (sqlite3_value_type(argv[7]) != SQLITE_NULL) {
    const void* b = sqlite3_value_blob(argv[7]);
    cell.append(static_cast<const char*>(b), static_cast<size_t>(sqlite3_value_bytes(argv[7])));
  }
  sqlite3_result_blob64(ctx, cell.data(), cell.size(), SQLITE_TRANSIENT);
}

}  // namespace

Status PackCellTables(sql::Database* db) {
  sqlite3* h = db->handle();
  int rc = sqlite3_create_function(h, "tp_pack_cell", 8, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   nullptr, &PackCellFunction, nullptr, nullptr);
  if (rc != SQLITE_OK) return sql::FromSqlite(rc, "cells: register tp_pack_cell", h);
  Status s;
  for (const char* t : kLevelTables) {
    auto old_layout = db->HasColumn(t, "detail");
    if (!old_layout.ok()) {
      s = old_layout.status();
      break;
    }
    if (!*old_layout) continue;  // no such table, or packed already
    const std::string old = std::string(t) + "_v7";
    s = db->Exec("ALTER TABLE " + std::string(t) + " RENAME TO " + old + ";" + CellsTableSql(t) +
                 "INSERT INTO " + t +
                 "(dim_key, hour_local, utc_offset_min, cell) SELECT dim_key, hour_local, "
                 "utc_offset_min, tp_pack_cell(visitors_in, visitors_out, counted_s, gap_s, "
                 "abandoned, ok_sessions, suspect_sessions, detail) FROM " +
                 old + " ORDER BY dim_key, hour_local, utc_offset_min; DROP TABLE " + old);
    if (!s.ok()) break;
  }
  sqlite3_create_function(h, "tp_pack_cell", 8, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr);
  return s;
}

// ---- CellTable ------------------------------------------------------------------------------

CellTable::~CellTable() {
  sqlite3_finalize(select_);
  sqlite3_finalize(upsert_);
  sqlite3_finalize(delete_);
}

Status CellTable::Prepare() {
  if (select_) return Status::Ok();
  const std::string key = " WHERE dim_key = ?1 AND hour_local = ?2 AND utc_offset_min = ?3";
  const std::string sqls[3] = {
      std::string("SELECT ") + kCellValueColumns + " FROM " + table_ + key,
      "INSERT OR REPLACE INTO " + table_ +
          "(dim_key, hour_local, utc_offset_min, cell) VALUES(?1, ?2, ?3, ?4)",
      "DELETE FROM " + table_ + key};
  sqlite3_stmt** out[3] = {&select_, &upsert_, &delete_};
  for (int i = 0; i < 3; ++i) {
    int rc =
        sqlite3_prepare_v3(db_, sqls[i].c_str(), -1, SQLITE_PREPARE_PERSISTENT, out[i], nullptr);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "prepare " + sqls[i], db_);
  }
  return Status::Ok();
}

namespace {

Status BindKey(sqlite3_stmt* st, const CellKey& k) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  int rc = sqlite3_bind_int64(st, 1, k.dim_key);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, k.hour_local);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, k.offset_min);
  if (rc != SQLITE_OK) return sql::FromSqlite(rc, "cells: bind key", nullptr);
  return Status::Ok();
}

Status StepDone(sqlite3_stmt* st, sqlite3* db, const char* what) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return sql::FromSqlite(rc, what, db);
  return Status::Ok();
}

}  // namespace

Status CellTable::Flush(CellMap* deltas) {
  if (deltas->empty()) return Status::Ok();
  if (Status s = Prepare(); !s.ok()) return s;
  std::string cell;
  for (const auto& [key, delta] : *deltas) {
    if (delta.Empty()) continue;
    if (Status s = BindKey(select_, key); !s.ok()) return s;
    int rc = sqlite3_step(select_);
    CellSums total;
    bool held = rc == SQLITE_ROW;
    if (held) {
      Status s = AddCellRow(select_, 0, &total);
      if (!s.ok()) {
        sqlite3_reset(select_);
        return Status::Corruption(table_ + " (dim " + std::to_string(key.dim_key) +
                                  ", local hour " + std::to_string(key.hour_local) +
                                  "): " + s.message());
      }
    } else if (rc != SQLITE_DONE) {
      Status s = sql::FromSqlite(rc, "cells: read", db_);
      sqlite3_reset(select_);
      return s;
    }
    sqlite3_reset(select_);
    total.Add(delta);
    if (total.Empty()) {
      if (!held) continue;
      if (Status s = BindKey(delete_, key); !s.ok()) return s;
      if (Status s = StepDone(delete_, db_, "cells: delete"); !s.ok()) return s;
      continue;
    }
    if (Status s = BindKey(upsert_, key); !s.ok()) return s;
    cell = EncodeCell(total);
    int rc2 =
        sqlite3_bind_blob(upsert_, 4, cell.data(), static_cast<int>(cell.size()), SQLITE_STATIC);
    if (rc2 != SQLITE_OK) return sql::FromSqlite(rc2, "cells: bind", nullptr);
    if (Status s = StepDone(upsert_, db_, "cells: write"); !s.ok()) return s;
  }
  deltas->clear();
  return Status::Ok();
}

// ---- Levels ---------------------------------------------------------------------------------

Levels::Levels(sqlite3* db, const std::string& suffix) : db_(db) {
  for (int i = 0; i < kLevels; ++i) {
    tables_[i] = std::make_unique<CellTable>(db, std::string(kLevelTables[i]) + suffix);
  }
}

Levels::~Levels() {
  sqlite3_finalize(insert_chain_);
  sqlite3_finalize(select_chain_);
}

Result<int64_t> Levels::ChainOf(int64_t dim_key) {
  auto it = chain_of_.find(dim_key);
  if (it != chain_of_.end()) return it->second;
  if (!insert_chain_) {
    const char* sqls[2] = {
        "INSERT OR IGNORE INTO chain_dims(touchpoint, stage) "
        "SELECT touchpoint, stage FROM dims WHERE dim_key = ?1",
        "SELECT c.chain_key FROM dims d JOIN chain_dims c "
        "ON c.touchpoint = d.touchpoint AND c.stage = d.stage WHERE d.dim_key = ?1"};
    sqlite3_stmt** out[2] = {&insert_chain_, &select_chain_};
    for (int i = 0; i < 2; ++i) {
      int rc = sqlite3_prepare_v3(db_, sqls[i], -1, SQLITE_PREPARE_PERSISTENT, out[i], nullptr);
      if (rc != SQLITE_OK) return sql::FromSqlite(rc, std::string("prepare ") + sqls[i], db_);
    }
  }
  int64_t key = 0;
  for (sqlite3_stmt* st : {insert_chain_, select_chain_}) {
    sqlite3_reset(st);
    int rc = sqlite3_bind_int64(st, 1, dim_key);
    if (rc != SQLITE_OK) return sql::FromSqlite(rc, "chain dim: bind", nullptr);
    rc = sqlite3_step(st);
    if (st == select_chain_ && rc == SQLITE_ROW) key = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (st == select_chain_ && rc == SQLITE_DONE) {
      return Status::Corruption("cells: dim " + std::to_string(dim_key) + " is not in dims");
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sql::FromSqlite(rc, "chain dim", db_);
  }
  chain_of_.emplace(dim_key, key);
  return key;
}

Status Levels::Flush(CellMap* hours) {
  days_.clear();
  chain_hours_.clear();
  chain_days_.clear();
  for (const auto& [key, delta] : *hours) {
    if (delta.Empty()) continue;
    auto chain = ChainOf(key.dim_key);
    if (!chain.ok()) return chain.status();
    CellKey chain_key{*chain, key.hour_local, key.offset_min};
    days_[DayOf(key)].Add(delta);
    chain_hours_[chain_key].Add(delta);
    chain_days_[DayOf(chain_key)].Add(delta);
  }
  CellMap* deltas[kLevels] = {hours, &days_, &chain_hours_, &chain_days_};
  for (int i = 0; i < kLevels; ++i) {
    if (Status s = tables_[i]->Flush(deltas[i]); !s.ok()) return s;
  }
  hours->clear();
  return Status::Ok();
}

Status FillChainLevels(sql::Database* db) {
  // One chain dim at a time, its stores' cells summed in memory (a year of one chain dim is at
  // most ~26k hour cells), so that each chain cell is written about once.
  constexpr size_t kFlushCells = 50000;
  if (Status s = db->Exec("INSERT OR IGNORE INTO chain_dims(touchpoint, stage) "
                          "SELECT DISTINCT touchpoint, stage FROM dims");
      !s.ok()) {
    return s;
  }
  std::vector<int64_t> chains;
  {
    auto st = db->Prepare("SELECT chain_key FROM chain_dims ORDER BY chain_key");
    if (!st.ok()) return st.status();
    Status rows = st->ForEachRow([&] { chains.push_back(st->ColumnInt(0)); });
    if (!rows.ok()) return rows;
  }
  CellTable hours_table(db->handle(), kLevelTables[kChainHourLevel]),
      days_table(db->handle(), kLevelTables[kChainDayLevel]);
  CellMap hours, days;
  auto flush = [&]() -> Status {
    days.clear();
    AddDays(hours, &days);
    if (Status s = hours_table.Flush(&hours); !s.ok()) return s;
    return days_table.Flush(&days);
  };
  const std::string q = std::string("SELECT c.dim_key, c.hour_local, c.utc_offset_min, c.") +
                        kCellValueColumns +
                        " FROM chain_dims h JOIN dims d ON d.touchpoint = h.touchpoint AND "
                        "d.stage = h.stage JOIN cells c ON c.dim_key = d.dim_key "
                        "WHERE h.chain_key = ?1";
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db->handle(), q.c_str(), -1, &st, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    return sql::FromSqlite(rc, "prepare " + q, db->handle());
  }
  Status s;
  for (size_t i = 0; i < chains.size() && s.ok(); ++i) {
    sqlite3_reset(st);
    rc = sqlite3_bind_int64(st, 1, chains[i]);
    if (rc != SQLITE_OK) {
      s = sql::FromSqlite(rc, "cells: bind", nullptr);
      break;
    }
    while (s.ok() && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      CellKey key{chains[i], sqlite3_column_int64(st, 1),
                  static_cast<int32_t>(sqlite3_column_int64(st, 2))};
      s = AddCellRow(st, 3, &hours[key]);
      if (!s.ok()) {
        s = Status::Corruption("cells (dim " + std::to_string(sqlite3_column_int64(st, 0)) +
                               ", local hour " + std::to_string(key.hour_local) +
                               "): " + s.message());
      } else if (hours.size() >= kFlushCells) {
        s = flush();
      }
    }
    if (s.ok() && rc != SQLITE_DONE) s = sql::FromSqlite(rc, "cells: read", db->handle());
    if (s.ok()) s = flush();
  }
  sqlite3_finalize(st);
  return s;
}

}  // namespace touchpoint::hub::rollups
