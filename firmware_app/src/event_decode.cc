// Strict decoding of wire formats v1 and v2 (docs/events.md), in one pass over the text straight
// into an Event: no JSON tree, no exceptions, no allocation beyond the strings the Event keeps.
//
// Fields may come in any order, but when an event has several problems the message names the
// same one as the schema-ordered checks always did (header fields in order, then data, then
// unknown fields). Every check therefore carries a Rank — its place in that order — and the
// lowest-ranked problem wins. A field whose meaning depends on one not read yet (data before
// type or schema_version, an answer's score before its type, suspect_reason before suspect) is
// skipped and read again from its Span afterwards. The v2 fields (feedback context, footfall
// zones) are unknown fields in a v1 event and required in a v2 one. Any syntax error anywhere wins
// over every field problem: "event: not valid JSON".
#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "json_field_reader.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json_fields::Bit;
using json_fields::FieldReader;
using json_fields::FindKey;
using json_fields::Index;
using json_fields::Key;
using json_fields::Keys;
using json_fields::Kind;
using json_fields::Lexer;
using json_fields::OutOfRange;
using json_fields::Path;
using json_fields::Quoted;
using json_fields::Rank;
using json_fields::Span;
using json_fields::UnknownFields;

constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr int64_t kMaxDurationMs = int64_t{7} * 24 * 3600 * 1000;
constexpr size_t kMaxItems = 64;
constexpr size_t kMaxTagChars = 64;        // tag ids are survey identifiers
constexpr size_t kMaxProblemChars = 4096;  // one line of a status event's problems
constexpr double kMaxDwellS = 7.0 * 24 * 3600;

// Letters, digits, '-', '_' and '.': one table lookup per byte (four ids per event).
constexpr auto kIdentifierChars = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
  t['-'] = t['_'] = t['.'] = true;
  return t;
}();

// Both checks look at every byte without a branch per byte: an id's characters (hex digits and
// letters mixed at random) would mispredict a per-byte branch about every other byte.
bool IsIdentifier(std::string_view s) {
  bool ok = !s.empty();
  for (char c : s) ok &= kIdentifierChars[static_cast<unsigned char>(c)];
  return ok;
}

// What a byte may be in a UUID (bit 1: a lower-case hex digit, bit 2: '-'), and which of the
// two each of the 36 places wants (8-4-4-4-12).
constexpr auto kUuidByteKind = [] {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = 1;
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = 1;
  t['-'] = 2;
  return t;
}();
constexpr auto kUuidPlaceKind = [] {
  std::array<uint8_t, 36> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = i == 8 || i == 13 || i == 18 || i == 23 ? 2 : 1;
  return t;
}();

bool IsUuid(std::string_view s) {
  if (s.size() != kUuidPlaceKind.size()) return false;
  unsigned bad = 0;
  for (size_t i = 0; i < kUuidPlaceKind.size(); ++i) {
    bad |= kUuidPlaceKind[i] & ~kUuidByteKind[static_cast<unsigned char>(s[i])];
  }
  return bad == 0;
}

constexpr Keys<5> kEventTypes = {"feedback", "feedback_abandoned", "footfall", "coverage",
                                 "status"};                                    // EventType order
constexpr Keys<5> kQuestionTypes = {"csat", "nps", "effort", "tags", "text"};  // QuestionType

std::optional<EventType> ParseEventTypeView(std::string_view s) {
  int i = FindKey(kEventTypes, s, 0);
  if (i < 0) return std::nullopt;
  return static_cast<EventType>(i);
}

std::optional<QuestionType> ParseQuestionTypeView(std::string_view s) {
  int i = FindKey(kQuestionTypes, s, 0);
  if (i < 0) return std::nullopt;
  return static_cast<QuestionType>(i);
}

bool Scored(QuestionType t) {
  return t == QuestionType::kCsat || t == QuestionType::kNps || t == QuestionType::kEffort;
}

constexpr Keys<13> kEventKeys = {"schema_version",
                                 "id",
                                 "type",
                                 "kiosk_id",
                                 "store_id",
                                 "touchpoint",
                                 "journey_stage",
                                 "seq",
                                 "boot_count",
                                 "time",
                                 "utc_offset_min",
                                 "clock_synced",
                                 "data"};
constexpr Keys<8> kFeedbackKeys = {"survey_id", "survey_version", "language",       "duration_ms",
                                   "answers",   "suspect",        "suspect_reason", "context"};
constexpr Keys<9> kAbandonedKeys = {"survey_id",        "survey_version",  "language",
                                    "duration_ms",      "questions_total", "questions_answered",
                                    "last_question_id", "answers",         "context"};
constexpr Keys<8> kFootfallKeys = {"interval_start", "interval_s",    "lines",
                                   "occupancy_min",  "occupancy_max", "occupancy_end",
                                   "compacted_seqs", "zones"};
constexpr Keys<3> kContextKeys = {"occupancy_at_start", "visitors_in_15min", "people_at_kiosk"};
constexpr Keys<8> kZoneKeys = {"id",           "visits",      "occupancy_max", "occupancy_mean",
                               "dwell_mean_s", "dwell_p90_s", "dwell_n",       "dwell_hist"};
constexpr Keys<3> kLineKeys = {"line", "in", "out"};
constexpr Keys<4> kCoverageKeys = {"source", "start", "end", "reason"};
constexpr Keys<16> kStatusKeys = {"software_version",  "config_version",       "uptime_s",
                                  "queue_depth",       "oldest_pending_age_s", "last_hub_ack",
                                  "camera_state",      "camera_fps",           "db_bytes",
                                  "disk_budget_bytes", "feedback_lost",        "events_lost",
                                  "events_pruned",     "footfall_compacted",   "problems",
                                  "camera_person_size"};
constexpr Keys<3> kPersonSizeKeys = {"source", "height_top_px", "height_bottom_px"};
constexpr Keys<5> kAnswerKeys = {"question_id", "type", "score", "tags", "text"};

class Decoder : private FieldReader {
 public:
  explicit Decoder(std::string_view text) : FieldReader(text), text_size_(text.size()) {}

  // On success every field of *out is set from the text (all header fields are required and the
  // payload is emplaced anew), so *out may be an Event decoded into before.
  Status Run(Event* out, uint64_t* claimed_seq) {
    if (claimed_seq) *claimed_seq = 0;
    if (text_size_ > kMaxEventBytes) {
      return Status::InvalidArgument("event: " + std::to_string(text_size_) +
                                     " bytes exceeds the limit of " +
                                     std::to_string(kMaxEventBytes));
    }
    Kind kind;
    if (!lex_.Peek(&kind)) return NotJson();
    if (kind != Kind::kObject) {
      lex_.SkipValue();
      if (!lex_.failed() && lex_.AtEnd())
        return Status::InvalidArgument("event: expected an object");
      return NotJson();
    }
    Event& e = *out;
    Rank root;
    std::optional<EventType> type;
    bool type_seen = false;
    bool seq_ok = false;
    bool version_seen = false;
    Span data;  // data read before type or schema_version
    UnknownFields unknown;
    uint32_t seen = Members(root, nullptr, kEventKeys, &unknown, [&](int i, Rank r, const Path& p) {
      Rank c = r.Checks();
      switch (i) {
        case 0:
          version_seen = true;
          if (IntAs(c, p, 1, 1000, &e.schema_version)) {
            if (e.schema_version < kMinSchemaVersion || e.schema_version > kSchemaVersion) {
              problems_.Add(c, p,
                            std::to_string(e.schema_version) + " is not supported (expected " +
                                std::to_string(kMinSchemaVersion) + ".." +
                                std::to_string(kSchemaVersion) + ")");
            } else {
              version_ = e.schema_version;
            }
          }
          break;
        case 1:
          if (String(c, p, &e.id) && !IsUuid(e.id)) {
            problems_.Add(c, p, Quoted(e.id) + " is not a lower-case UUID");
          }
          break;
        case 2: {
          type_seen = true;
          std::string_view s;
          if (!StringView(c, p, &s)) break;
          type = ParseEventTypeView(s);
          if (!type) {
            problems_.Add(c, p,
                          Quoted(s) +
                              " is not one of feedback, feedback_abandoned, footfall, "
                              "coverage, status");
          }
          break;
        }
        case 3:
        case 4:
        case 5:
        case 6: {
          std::string* field = i == 3   ? &e.kiosk_id
                               : i == 4 ? &e.store_id
                               : i == 5 ? &e.touchpoint
                                        : &e.journey_stage;
          if (String(c, p, field, false, 64) && !IsIdentifier(*field)) {
            problems_.Add(c, p, Quoted(*field) + " may use only letters, digits, '-', '_' and '.'");
          }
          break;
        }
        case 7:
          seq_ok = IntAs(c, p, 1, INT64_MAX, &e.seq);
          break;
        case 8:
          IntAs(c, p, 0, UINT32_MAX, &e.boot_count);
          break;
        case 9:
          Time(c, p, &e.time_ms);
          break;
        case 10:
          IntAs(c, p, -14 * 60, 14 * 60, &e.utc_offset_min);
          break;
        case 11:
          Boolean(c, p, &e.clock_synced);
          break;
        case 12:
          if (!ObjectStart(c, p)) break;
          if (type && version_seen) {
            DecodePayload(*type, c, p, &e);
          } else if (type_seen && !type) {
            lex_.SkipValue();  // the type's own problem is reported
          } else {
            data = lex_.SkipToSpan();
          }
          break;
      }
    });
    lex_.ExpectEnd();
    if (lex_.failed()) return NotJson();
    if (!data.empty() && type) {
      Span saved = lex_.Seek(data);
      Path p = Key(nullptr, "data");
      DecodePayload(*type, root.Member(12).Checks(), p, &e);
      lex_.Resume(saved);
      if (lex_.failed()) return NotJson();
    }
    Missing(root, nullptr, kEventKeys, seen, Bit(13) - 1);
    ReportUnknown(root, nullptr, unknown);
    if (problems_.any()) {
      if (claimed_seq && seq_ok) *claimed_seq = e.seq;  // valid JSON with a valid seq
      return Status::InvalidArgument(problems_.message());
    }
    return Status::Ok();
  }

 private:
  Status NotJson() const {
    if (lex_.too_deep()) {
      return Status::InvalidArgument("event: nested deeper than " +
                                     std::to_string(Lexer::kMaxDepth) + " levels");
    }
    return Status::InvalidArgument("event: not valid JSON");
  }

  // ---- payloads

  void DecodePayload(EventType type, Rank base, const Path& path, Event* e) {
    switch (type) {
      case EventType::kFeedback:
        Feedback(base, path, FreshPayload<FeedbackPayload>(e));
        return;
      case EventType::kFeedbackAbandoned:
        Abandoned(base, path, FreshPayload<FeedbackAbandonedPayload>(e));
        return;
      case EventType::kFootfall:
        Footfall(base, path, FreshPayload<FootfallPayload>(e));
        return;
      case EventType::kCoverage:
        Coverage(base, path, FreshPayload<CoveragePayload>(e));
        return;
      case EventType::kStatus:
        StatusData(base, path, FreshPayload<StatusPayload>(e));
        return;
    }
  }

  // The vectors a payload keeps (emptied) when the next event of its type is decoded into it.
  static void KeepItems(FeedbackPayload* from, FeedbackPayload* to) {
    to->answers.swap(from->answers);
    to->answers.clear();
  }
  static void KeepItems(FeedbackAbandonedPayload* from, FeedbackAbandonedPayload* to) {
    to->answers.swap(from->answers);
    to->answers.clear();
  }
  static void KeepItems(FootfallPayload* from, FootfallPayload* to) {
    to->lines.swap(from->lines);
    to->lines.clear();
    to->compacted_seqs.swap(from->compacted_seqs);
    to->compacted_seqs.clear();
    to->zones.swap(from->zones);
    to->zones.clear();
  }
  template <typename P>
  static void KeepItems(P*, P*) {}
  // One for every type (a thread_local in FreshPayload would be one per P).
  static std::array<Payload, std::variant_size_v<Payload>>& Parked() {
    thread_local std::array<Payload, std::variant_size_v<Payload>> parked;
    return parked;
  }
  template <typename P, size_t... I>
  static constexpr size_t IndexOf(std::index_sequence<I...>) {
    size_t at = 0;
    ((std::is_same_v<P, std::variant_alternative_t<I, Payload>> ? (at = I) : 0), ...);
    return at;
  }

  // *e's payload as a default P. An Event decoded into again (the hub's per-line loop) that
  // already holds a P keeps the memory of its strings and vectors: no allocation per event.
  // When the type changes, the payload it held is parked (per thread, one per type) and the one
  // parked for P taken back: lines of mixed types keep their memory too.
  template <typename P>
  static P* FreshPayload(Event* e) {
    P* p = std::get_if<P>(&e->payload);
    if (!p) {
      auto& parked = Parked();
      constexpr size_t to = IndexOf<P>(std::make_index_sequence<std::variant_size_v<Payload>>());
      if (!e->payload.valueless_by_exception()) parked[e->payload.index()] = std::move(e->payload);
      if (parked[to].index() != to) return &e->payload.emplace<P>();
      e->payload = std::move(parked[to]);
      p = std::get_if<P>(&e->payload);
    }
    P fresh;
    KeepItems(p, &fresh);
    *p = std::move(fresh);  // strings assigned from empty ones keep their buffers
    return p;
  }

  // The fields feedback and feedback_abandoned share: keys 0..3 of both key lists.
  template <typename SurveyPayload>
  void SurveyField(int i, Rank c, const Path& fp, SurveyPayload* p) {
    switch (i) {
      case 0:
        String(c, fp, &p->survey_id, false, 64);
        break;
      case 1:
        IntAs(c, fp, 0, INT32_MAX, &p->survey_version);
        break;
      case 2:
        String(c, fp, &p->language, false, 35);
        break;
      default:
        Int(c, fp, 0, kMaxDurationMs, &p->duration_ms);
        break;
    }
  }

  void Feedback(Rank base, const Path& path, FeedbackPayload* p) {
    UnknownFields unknown;
    bool suspect_ok = false;
    Span reason;  // read once suspect is known
    uint32_t seen =
        Members(base, &path, kFeedbackKeys, &unknown, [&](int i, Rank r, const Path& fp) {
          Rank c = r.Checks();
          switch (i) {
            case 0:
            case 1:
            case 2:
            case 3:
              SurveyField(i, c, fp, p);
              break;
            case 4:
              Answers(r, fp, &p->answers);
              break;
            case 5:
              suspect_ok = Boolean(c, fp, &p->suspect);
              break;
            case 6:
              reason = lex_.SkipToSpan();
              break;
            case 7:
              if (version_ < 2) {
                unknown.Add(kFeedbackKeys[7]);
                lex_.SkipValue();
              } else {
                Context(r, fp, &p->context);
              }
              break;
          }
        });
    uint32_t required = (Bit(6) - 1) | (version_ >= 2 ? Bit(7) : 0);
    if (suspect_ok && p->suspect) {
      required |= Bit(6);
      if (!reason.empty()) {
        Span saved = lex_.Seek(reason);
        String(base.Member(6).Checks(), Key(&path, kFeedbackKeys[6]), &p->suspect_reason, false,
               256);
        lex_.Resume(saved);
      }
    } else if (suspect_ok && (seen & Bit(6))) {
      unknown.Add(kFeedbackKeys[6]);
    }
    Missing(base, &path, kFeedbackKeys, seen, required);
    ReportUnknown(base, &path, unknown);
  }

  void Abandoned(Rank base, const Path& path, FeedbackAbandonedPayload* p) {
    UnknownFields unknown;
    bool total_ok = false, answered_ok = false;
    int64_t answered = 0;
    uint32_t seen =
        Members(base, &path, kAbandonedKeys, &unknown, [&](int i, Rank r, const Path& fp) {
          Rank c = r.Checks();
          switch (i) {
            case 0:
            case 1:
            case 2:
            case 3:
              SurveyField(i, c, fp, p);
              break;
            case 4:
              total_ok = IntAs(c, fp, 0, 64, &p->questions_total);
              break;
            case 5:
              answered_ok = IntValue(c, fp, &answered);  // range checked once the total is known
              break;
            case 6:
              String(c, fp, &p->last_question_id, true, 64);
              break;
            case 7:
              Answers(r, fp, &p->answers);
              break;
            case 8:
              if (version_ < 2) {
                unknown.Add(kAbandonedKeys[8]);
                lex_.SkipValue();
              } else {
                Context(r, fp, &p->context);
              }
              break;
          }
        });
    if (total_ok && answered_ok) {
      if (answered < 0 || answered > p->questions_total) {
        problems_.Add(base.Member(5).Checks(), Key(&path, kAbandonedKeys[5]),
                      OutOfRange(answered, 0, p->questions_total));
      }
      p->questions_answered = static_cast<int>(answered);
    }
    Missing(base, &path, kAbandonedKeys, seen, (Bit(8) - 1) | (version_ >= 2 ? Bit(8) : 0));
    ReportUnknown(base, &path, unknown);
  }

  void Answers(Rank r, const Path& path, std::vector<Answer>* out) {
    Items(r, path, kMaxItems, nullptr, [&](size_t i, Rank ir, const Path& ip) {
      if (i == 0) out->reserve(4);
      Answer& a = out->emplace_back();
      AnswerObject(ir, ip, *out, &a);
    });
  }

  // One answer; `all` holds it and the ones before it (for "answered twice").
  void AnswerObject(Rank base, const Path& path, const std::vector<Answer>& all, Answer* a) {
    if (!ObjectStart(base, path)) return;
    UnknownFields unknown;
    bool type_seen = false;
    std::optional<QuestionType> type;
    std::array<Span, 3> pending;  // score, tags, text read before the type
    auto detail = [&](int i, Rank r, const Path& fp) {
      int wanted = Scored(*type) ? 2 : (*type == QuestionType::kTags ? 3 : 4);
      if (i != wanted) {
        unknown.Add(kAnswerKeys[static_cast<size_t>(i)]);
        lex_.SkipValue();
        return;
      }
      Rank c = r.Checks();
      if (i == 2) {
        int64_t v;
        if (!IntValue(c, fp, &v)) return;
        ScoreRange range = *ScoreRangeOf(*type);
        if (v < range.min || v > range.max) {
          problems_.Add(c, fp,
                        OutOfRange(v, range.min, range.max) + " for " + QuestionTypeName(*type));
          return;
        }
        a->score = static_cast<int>(v);
      } else if (i == 3) {
        Items(r, fp, kMaxItems, nullptr, [&](size_t, Rank tr, const Path& tp) {
          std::string_view s;
          Kind k;
          if (!lex_.Peek(&k)) return;
          if (k != Kind::kString) {
            problems_.Add(tr, tp, "expected a non-empty string");
            lex_.SkipValue();
          } else if (lex_.ReadString(&s)) {
            if (s.empty()) problems_.Add(tr, tp, "expected a non-empty string");
            if (s.size() > kMaxTagChars) {
              problems_.Add(tr, tp, "longer than " + std::to_string(kMaxTagChars));
            }
            a->tags.emplace_back(s);
          }
        });
      } else {
        String(c, fp, &a->text, true, 2000);
      }
    };
    uint32_t seen = Members(base, &path, kAnswerKeys, &unknown, [&](int i, Rank r, const Path& fp) {
      Rank c = r.Checks();
      switch (i) {
        case 0:
          if (String(c, fp, &a->question_id, false, 64)) {
            for (const Answer& other : all) {
              if (&other != a && other.question_id == a->question_id) {
                problems_.Add(c, fp, "answered twice");
                break;
              }
            }
          }
          break;
        case 1: {
          type_seen = true;
          std::string_view s;
          if (!StringView(c, fp, &s)) break;
          type = ParseQuestionTypeView(s);
          if (!type) {
            problems_.Add(c, fp, Quoted(s) + " is not one of csat, nps, effort, tags, text");
          } else {
            a->type = *type;
          }
          break;
        }
        default:
          if (type) {
            detail(i, r, fp);
          } else if (type_seen) {
            lex_.SkipValue();  // the type's own problem is reported
          } else {
            pending[static_cast<size_t>(i - 2)] = lex_.SkipToSpan();
          }
      }
    });
    uint32_t required = Bit(0) | Bit(1);
    if (type) {
      for (int i = 2; i < 5; ++i) {
        Span s = pending[static_cast<size_t>(i - 2)];
        if (s.empty()) continue;
        Span saved = lex_.Seek(s);
        Path fp = Key(&path, kAnswerKeys[static_cast<size_t>(i)]);
        detail(i, base.Member(static_cast<size_t>(i)), fp);
        lex_.Resume(saved);
      }
      required |= Scored(*type) ? Bit(2) : (*type == QuestionType::kTags ? Bit(3) : Bit(4));
    }
    Missing(base, &path, kAnswerKeys, seen, required);
    ReportUnknown(base, &path, unknown);
  }

  void Footfall(Rank base, const Path& path, FootfallPayload* p) {
    UnknownFields unknown;
    bool min_ok = false, max_ok = false;
    int64_t max = 0;
    uint32_t seen =
        Members(base, &path, kFootfallKeys, &unknown, [&](int i, Rank r, const Path& fp) {
          Rank c = r.Checks();
          switch (i) {
            case 0:
              Time(c, fp, &p->interval_start_ms);
              break;
            case 1:
              IntAs(c, fp, 1, 86400, &p->interval_s);
              break;
            case 2:
              Items(r, fp, kMaxItems, nullptr, [&](size_t, Rank ir, const Path& ip) {
                Line(ir, ip, &p->lines.emplace_back());
              });
              break;
            case 3:
              min_ok = Int(c, fp, 0, kMaxCount, &p->occupancy_min);
              break;
            case 4:
              max_ok = IntValue(c, fp, &max);  // range checked once the minimum is known
              break;
            case 5:
              Int(c, fp, 0, kMaxCount, &p->occupancy_end);
              break;
            case 6:
              Items(r, fp, kMaxCompactedSeqs, "expected an array of sequence numbers",
                    [&](size_t, Rank ir, const Path& ip) {
                      int64_t s;
                      if (Int(ir, ip, 1, INT64_MAX, &s)) {
                        p->compacted_seqs.push_back(static_cast<uint64_t>(s));
                      }
                    });
              break;
            case 7:
              if (version_ < 2) {
                unknown.Add(kFootfallKeys[7]);
                lex_.SkipValue();
              } else {
                Zones(r, fp, &p->zones);
              }
              break;
          }
        });
    if (min_ok && max_ok) {
      if (max < p->occupancy_min || max > kMaxCount) {
        problems_.Add(base.Member(4).Checks(), Key(&path, kFootfallKeys[4]),
                      OutOfRange(max, p->occupancy_min, kMaxCount));
      }
      p->occupancy_max = max;
    }
    Missing(base, &path, kFootfallKeys, seen, (Bit(6) - 1) | (version_ >= 2 ? Bit(7) : 0));
    ReportUnknown(base, &path, unknown);
  }

  void Line(Rank base, const Path& path, LineCount* l) {
    if (!ObjectStart(base, path)) return;
    UnknownFields unknown;
    uint32_t seen = Members(base, &path, kLineKeys, &unknown, [&](int i, Rank r, const Path& fp) {
      Rank c = r.Checks();
      if (i == 0) {
        String(c, fp, &l->line, false, 64);
      } else {
        Int(c, fp, 0, kMaxCount, i == 1 ? &l->in : &l->out);
      }
    });
    Missing(base, &path, kLineKeys, seen, Bit(3) - 1);
    ReportUnknown(base, &path, unknown);
  }

  void Coverage(Rank base, const Path& path, CoveragePayload* p) {
    UnknownFields unknown;
    bool start_ok = false, end_ok = false;
    uint32_t seen =
        Members(base, &path, kCoverageKeys, &unknown, [&](int i, Rank r, const Path& fp) {
          Rank c = r.Checks();
          switch (i) {
            case 0:
              if (String(c, fp, &p->source, false, 32) && p->source != "camera" &&
                  p->source != "kiosk") {
                problems_.Add(c, fp, Quoted(p->source) + " is not one of camera, kiosk");
              }
              break;
            case 1:
              start_ok = Time(c, fp, &p->start_ms);
              break;
            case 2:
              end_ok = Time(c, fp, &p->end_ms);
              break;
            case 3:
              String(c, fp, &p->reason, false, 256);
              break;
          }
        });
    if (start_ok && end_ok && p->end_ms <= p->start_ms) {
      problems_.Add(base.Member(2).Checks(), Key(&path, kCoverageKeys[2]),
                    "must be after data.start");
    }
    Missing(base, &path, kCoverageKeys, seen, Bit(4) - 1);
    ReportUnknown(base, &path, unknown);
  }

  void StatusData(Rank base, const Path& path, StatusPayload* p) {
    UnknownFields unknown;
    int64_t* counters[] = {&p->db_bytes,    &p->disk_budget_bytes, &p->feedback_lost,
                           &p->events_lost, &p->events_pruned,     &p->footfall_compacted};
    uint32_t seen = Members(base, &path, kStatusKeys, &unknown, [&](int i, Rank r, const Path& fp) {
      Rank c = r.Checks();
      switch (i) {
        case 0:
          String(c, fp, &p->software_version, false, 128);
          break;
        case 1:
          String(c, fp, &p->config_version, true, 128);
          break;
        case 2:
          Int(c, fp, 0, kMaxCount, &p->uptime_s);
          break;
        case 3:
          Int(c, fp, 0, kMaxCount, &p->queue_depth);
          break;
        case 4:
          Int(c, fp, 0, kMaxCount, &p->oldest_pending_age_s);
          break;
        case 5:
          NullOr([&] {
            int64_t t;
            if (Time(c, fp, &t)) p->last_hub_ack_ms = t;
          });
          break;
        case 6:
          String(c, fp, &p->camera_state, true, 32);
          break;
        case 7:
          Double(c, fp, 0, 1e6, &p->camera_fps);
          break;
        case 14:
          Items(r, fp, kMaxItems, nullptr, [&](size_t, Rank ir, const Path& ip) {
            std::string_view s;
            Kind k;
            if (!lex_.Peek(&k)) return;
            if (k != Kind::kString) {
              problems_.Add(ir, ip, "expected a string");
              lex_.SkipValue();
            } else if (lex_.ReadString(&s)) {
              if (s.size() > kMaxProblemChars) {
                problems_.Add(ir, ip, "longer than " + std::to_string(kMaxProblemChars));
              }
              p->problems.emplace_back(s);
            }
          });
          break;
        case 15:
          if (version_ < 2) {
            unknown.Add(kStatusKeys[15]);
            lex_.SkipValue();
          } else {
            PersonSizeOf(r, fp, &p->camera_person_size);
          }
          break;
        default:
          Int(c, fp, 0, INT64_MAX, counters[i - 8]);
      }
    });
    Missing(base, &path, kStatusKeys, seen, (Bit(15) - 1) | (version_ >= 2 ? Bit(15) : 0));
    ReportUnknown(base, &path, unknown);
  }

  // A v2 object that may be null (nullopt): every one of `keys` required, none other allowed;
  // on_field(index, rank, path, object) reads one member into the object made for it.
  template <class T, size_t N, class OnField>
  void NullableObject(Rank r, const Path& path, const Keys<N>& keys, std::optional<T>* out,
                      OnField on_field) {
    Rank c = r.Checks();
    NullOr([&] {
      if (!ObjectStart(c, path)) return;
      T& object = out->emplace();
      UnknownFields unknown;
      uint32_t seen = Members(c, &path, keys, &unknown, [&](int i, Rank fr, const Path& fp) {
        on_field(i, fr.Checks(), fp, object);
      });
      Missing(c, &path, keys, seen, Bit(static_cast<int>(N)) - 1);
      ReportUnknown(c, &path, unknown);
    });
  }

  // Reads a null (nothing set) or, for any other value, read().
  template <class Read>
  void NullOr(Read read) {
    Kind k;
    if (!lex_.Peek(&k)) return;
    if (k == Kind::kNull) {
      lex_.ReadNull();
      return;
    }
    read();
  }

  // The camera's person size in a status (v2): null, or source and two heights.
  void PersonSizeOf(Rank r, const Path& path, std::optional<PersonSize>* out) {
    NullableObject(
        r, path, kPersonSizeKeys, out, [&](int i, Rank fc, const Path& fp, PersonSize& size) {
          if (i == 0) {
            if (String(fc, fp, &size.source, false, 16) && size.source != "configured" &&
                size.source != "learned" && size.source != "learning") {
              problems_.Add(fc, fp,
                            Quoted(size.source) + " is not one of configured, learned, learning");
            }
          } else {
            Double(fc, fp, -1e5, 1e5, i == 1 ? &size.height_top_px : &size.height_bottom_px);
          }
        });
  }

  // Context of a feedback or feedback_abandoned event (v2): null, or the three figures.
  void Context(Rank r, const Path& path, std::optional<FeedbackContext>* out) {
    NullableObject(r, path, kContextKeys, out,
                   [&](int i, Rank fc, const Path& fp, FeedbackContext& ctx) {
                     if (i == 0) {
                       Int(fc, fp, 0, kMaxCount, &ctx.occupancy_at_start);
                     } else if (i == 1) {
                       Int(fc, fp, 0, kMaxCount, &ctx.visitors_in_15min);
                     } else {
                       NullOr([&] {
                         int64_t v;
                         if (Int(fc, fp, 0, kMaxCount, &v)) ctx.people_at_kiosk = v;
                       });
                     }
                   });
  }

  // A number or null (nullopt); `ok` tells whether the value was valid.
  bool OptionalDouble(Rank c, const Path& p, double max, std::optional<double>* out) {
    Kind k;
    if (!lex_.Peek(&k)) return false;
    if (k == Kind::kNull) {
      lex_.ReadNull();
      out->reset();
      return true;
    }
    double d;
    if (!Double(c, p, 0, max, &d)) return false;
    *out = d;
    return true;
  }

  void Zones(Rank r, const Path& path, std::vector<ZoneStats>* out) {
    Items(r, path, kMaxZones, nullptr, [&](size_t, Rank ir, const Path& ip) {
      ZoneStats& z = out->emplace_back();
      Zone(ir, ip, *out, &z);
    });
  }

  // One zone; `all` holds it and the ones before it (for a repeated id).
  void Zone(Rank base, const Path& path, const std::vector<ZoneStats>& all, ZoneStats* z) {
    if (!ObjectStart(base, path)) return;
    UnknownFields unknown;
    bool ok[8] = {};
    size_t hist_items = 0;
    int64_t hist_sum = 0;
    uint32_t seen = Members(base, &path, kZoneKeys, &unknown, [&](int i, Rank r, const Path& fp) {
      Rank c = r.Checks();
      switch (i) {
        case 0:
          if (String(c, fp, &z->id, false, 64)) {
            if (!IsIdentifier(z->id)) {
              problems_.Add(c, fp,
                            Quoted(z->id) + " may use only letters, digits, '-', '_' and '.'");
              break;
            }
            for (const ZoneStats& other : all) {
              if (&other != z && other.id == z->id) {
                problems_.Add(c, fp, Quoted(z->id) + " is used by another zone");
                break;
              }
            }
          }
          break;
        case 1:
          ok[1] = Int(c, fp, 0, kMaxCount, &z->visits);
          break;
        case 2:
          ok[2] = Int(c, fp, 0, kMaxCount, &z->occupancy_max);
          break;
        case 3:
          ok[3] = Double(c, fp, 0, static_cast<double>(kMaxCount), &z->occupancy_mean);
          break;
        case 4:
          ok[4] = OptionalDouble(c, fp, kMaxDwellS, &z->dwell_mean_s);
          break;
        case 5:
          ok[5] = OptionalDouble(c, fp, kMaxDwellS, &z->dwell_p90_s);
          break;
        case 6:
          ok[6] = Int(c, fp, 0, kMaxCount, &z->dwell_n);
          break;
        case 7:
          ok[7] = true;
          Items(r, fp, kDwellBuckets, "expected an array of counts",
                [&](size_t j, Rank jr, const Path& jp) {
                  int64_t v;
                  if (Int(jr, jp, 0, kMaxCount, &v)) {
                    z->dwell_hist[j] = v;
                    hist_sum += v;
                  } else {
                    ok[7] = false;
                  }
                  hist_items = j + 1;
                });
          if (ok[7] && hist_items != kDwellBuckets) {
            problems_.Add(c, fp,
                          "expected " + std::to_string(kDwellBuckets) + " counts, got " +
                              std::to_string(hist_items));
            ok[7] = false;
          }
          break;
      }
    });
    auto at = [&](size_t i) { return Key(&path, kZoneKeys[i]); };
    if (ok[2] && ok[3] && z->occupancy_mean > static_cast<double>(z->occupancy_max) + 1e-6) {
      problems_.Add(base.Member(3).Checks(), at(3), "is above occupancy_max");
    }
    if (ok[6]) {
      for (size_t i : {size_t{4}, size_t{5}}) {
        const std::optional<double>& v = i == 4 ? z->dwell_mean_s : z->dwell_p90_s;
        if (!ok[i]) continue;
        if (z->dwell_n == 0 && v) {
          problems_.Add(base.Member(i).Checks(), at(i), "must be null when dwell_n is 0");
        } else if (z->dwell_n > 0 && !v) {
          problems_.Add(base.Member(i).Checks(), at(i), "must be a number when dwell_n > 0");
        }
      }
      if (ok[1] && z->dwell_n > z->visits) {
        problems_.Add(base.Member(6).Checks(), at(6), "is above visits");
      }
      if (ok[7] && hist_sum != z->dwell_n) {
        problems_.Add(base.Member(7).Checks(), at(7),
                      "counts sum to " + std::to_string(hist_sum) + ", not dwell_n (" +
                          std::to_string(z->dwell_n) + ")");
      }
    }
    Missing(base, &path, kZoneKeys, seen, Bit(8) - 1);
    ReportUnknown(base, &path, unknown);
  }

  int version_ = kSchemaVersion;
  size_t text_size_;
};

}  // namespace

Result<Event> DecodeEvent(std::string_view text) { return DecodeEvent(text, nullptr); }

Result<Event> DecodeEvent(std::string_view text, uint64_t* claimed_seq) {
  // Decoded in place (one named result, returned without a move of the decoded Event).
  Result<Event> result(Event{});
  if (Status s = Decoder(text).Run(&result.value(), claimed_seq); !s.ok()) {
    result = Result<Event>(std::move(s));
  }
  return result;
}

Status DecodeEventInto(std::string_view text, Event* out, uint64_t* claimed_seq) {
  return Decoder(text).Run(out, claimed_seq);
}

}  // namespace touchpoint
