// Strict decoding of wire format v1 (docs/events.md), in one pass over the text straight into
// an Event: no JSON tree, no exceptions, no allocation beyond the strings the Event keeps.
//
// Fields may come in any order, but when an event has several problems the message names the
// same one as the schema-ordered checks always did (header fields in order, then data, then
// unknown fields). Every check therefore carries a Rank — its place in that order — and the
// lowest-ranked problem wins. A field whose meaning depends on one not read yet (data before
// type, an answer's score before its type, suspect_reason before suspect) is skipped and read
// again from its Span afterwards. Any syntax error anywhere wins over every field problem:
// "event: not valid JSON".
#include <algorithm>
#include <array>
#include <optional>

#include "json_lexer.h"
#include "touchpoint/core/event_json.h"

namespace touchpoint {
namespace {

using json_lexer::Kind;
using json_lexer::KindName;
using json_lexer::Lexer;
using json_lexer::Number;
using json_lexer::Span;

constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr int64_t kMaxDurationMs = int64_t{7} * 24 * 3600 * 1000;
constexpr size_t kMaxItems = 64;

// Where a check stands in the schema order: one byte per nesting level, most significant first.
// For a field with rank F: F.Sub(0) duplicate key, F.Checks() its value's checks (and, for an
// object value, "expected an object"), F.Item(i) the i-th array item; an object's members are
// at Checks().Sub(1 + index) and its unknown fields at Checks().Sub(255).
class Rank {
 public:
  Rank Sub(unsigned digit) const {
    Rank r = *this;
    if (level_ < 8) r.value_ |= uint64_t{digit & 0xFF} << (56 - 8 * level_);
    ++r.level_;
    return r;
  }
  Rank Checks() const { return Sub(1); }
  Rank Item(size_t i) const { return Sub(2 + static_cast<unsigned>(std::min<size_t>(i, 250))); }
  Rank Member(size_t i) const { return Sub(1 + static_cast<unsigned>(i)); }
  Rank Unknown() const { return Sub(255); }
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0;
  int level_ = 0;
};

// A field path such as data.answers[2].score, kept as a chain on the stack and spelled out
// only for a message.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;
  size_t index = 0;
  bool is_index = false;

  std::string ToString() const {
    std::string s = parent ? parent->ToString() : std::string();
    if (is_index) {
      s += '[';
      s += std::to_string(index);
      s += ']';
    } else {
      if (parent) s += '.';
      s += key;
    }
    return s;
  }
};

Path Key(const Path* parent, std::string_view key) { return Path{parent, key, 0, false}; }
Path Index(const Path& parent, size_t i) { return Path{&parent, {}, i, true}; }

class Problems {
 public:
  void Add(Rank r, const Path& p, const std::string& why) {
    if (r.value() >= best_) return;
    best_ = r.value();
    message_ = p.ToString() + ": " + why;
  }
  bool any() const { return best_ != UINT64_MAX; }
  const std::string& message() const { return message_; }

 private:
  uint64_t best_ = UINT64_MAX;
  std::string message_;
};

// The alphabetically first unknown field of an object, as the tree-based decoder reported it.
class UnknownFields {
 public:
  void Add(std::string_view key) {
    if (!has_ || key < std::string_view(key_)) key_.assign(key.data(), key.size());
    has_ = true;
  }
  bool has() const { return has_; }
  const std::string& key() const { return key_; }

 private:
  bool has_ = false;
  std::string key_;
};

template <size_t N>
using Keys = std::array<std::string_view, N>;

// Keys are short: a plain loop beats a call to memcmp.
bool Same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

template <size_t N>
int FindKey(const Keys<N>& keys, std::string_view key, size_t hint) {
  if (hint < N && Same(keys[hint], key)) return static_cast<int>(hint);  // usually in order
  for (size_t i = 0; i < N; ++i) {
    if (Same(keys[i], key)) return static_cast<int>(i);
  }
  return -1;
}

constexpr uint32_t Bit(int i) { return uint32_t{1} << i; }

bool IsIdentifier(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return !s.empty();
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
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

std::string OutOfRange(int64_t v, int64_t min, int64_t max) {
  return std::to_string(v) + " is out of range " + std::to_string(min) + ".." + std::to_string(max);
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

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
constexpr Keys<7> kFeedbackKeys = {"survey_id", "survey_version", "language",      "duration_ms",
                                   "answers",   "suspect",        "suspect_reason"};
constexpr Keys<8> kAbandonedKeys = {"survey_id",        "survey_version",  "language",
                                    "duration_ms",      "questions_total", "questions_answered",
                                    "last_question_id", "answers"};
constexpr Keys<7> kFootfallKeys = {"interval_start", "interval_s",    "lines",
                                   "occupancy_min",  "occupancy_max", "occupancy_end",
                                   "compacted_seqs"};
constexpr Keys<3> kLineKeys = {"line", "in", "out"};
constexpr Keys<4> kCoverageKeys = {"source", "start", "end", "reason"};
constexpr Keys<15> kStatusKeys = {"software_version",  "config_version",       "uptime_s",
                                  "queue_depth",       "oldest_pending_age_s", "last_hub_ack",
                                  "camera_state",      "camera_fps",           "db_bytes",
                                  "disk_budget_bytes", "feedback_lost",        "events_lost",
                                  "events_pruned",     "footfall_compacted",   "problems"};
constexpr Keys<5> kAnswerKeys = {"question_id", "type", "score", "tags", "text"};

class Decoder {
 public:
  explicit Decoder(std::string_view text) : lex_(text) {}

  Result<Event> Run() {
    Kind kind;
    if (!lex_.Peek(&kind)) return NotJson();
    if (kind != Kind::kObject) {
      lex_.SkipValue();
      if (!lex_.failed() && lex_.AtEnd())
        return Status::InvalidArgument("event: expected an object");
      return NotJson();
    }
    Event e;
    Rank root;
    std::optional<EventType> type;
    bool type_seen = false;
    Span data;  // data read before type
    UnknownFields unknown;
    uint32_t seen = Members(root, nullptr, kEventKeys, &unknown, [&](int i, Rank r, const Path& p) {
      Rank c = r.Checks();
      switch (i) {
        case 0:
          if (IntAs(c, p, 1, 1000, &e.schema_version) && e.schema_version != kSchemaVersion) {
            problems_.Add(c, p,
                          std::to_string(e.schema_version) + " is not supported (expected " +
                              std::to_string(kSchemaVersion) + ")");
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
          IntAs(c, p, 1, INT64_MAX, &e.seq);
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
          if (type) {
            DecodePayload(*type, c, p, &e);
          } else if (type_seen) {
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
    if (problems_.any()) return Status::InvalidArgument(problems_.message());
    return e;
  }

 private:
  Status NotJson() const {
    if (lex_.too_deep()) {
      return Status::InvalidArgument("event: nested deeper than " +
                                     std::to_string(Lexer::kMaxDepth) + " levels");
    }
    return Status::InvalidArgument("event: not valid JSON");
  }

  // ---- one value each: the readers below always consume exactly one value (or fail the
  // lexer) and return whether it was acceptable; if not, the problem is recorded at rank r.

  // The next value's kind, or nullopt after recording "<prefix> <kind>" and skipping it.
  bool Expect(Kind want, Rank r, const Path& p, const char* prefix) {
    Kind k;
    if (!lex_.Peek(&k)) return false;
    if (k == want) return true;
    problems_.Add(r, p, std::string(prefix) + KindName(k));
    lex_.SkipValue();
    return false;
  }

  bool ObjectStart(Rank r, const Path& p) {
    Kind k;
    if (!lex_.Peek(&k)) return false;
    if (k == Kind::kObject) return true;
    problems_.Add(r, p, "expected an object");
    lex_.SkipValue();
    return false;
  }

  bool StringView(Rank r, const Path& p, std::string_view* out, bool allow_empty = false,
                  size_t max_len = 256) {
    if (!Expect(Kind::kString, r, p, "expected a string, got ")) return false;
    if (!lex_.ReadString(out)) return false;
    if (!allow_empty && out->empty()) {
      problems_.Add(r, p, "must not be empty");
      return false;
    }
    if (out->size() > max_len) {
      problems_.Add(r, p, "longer than " + std::to_string(max_len));
      return false;
    }
    return true;
  }

  bool String(Rank r, const Path& p, std::string* out, bool allow_empty = false,
              size_t max_len = 256) {
    std::string_view s;
    if (!StringView(r, p, &s, allow_empty, max_len)) return false;
    out->assign(s.data(), s.size());
    return true;
  }

  // Any integer that fits int64.
  bool IntValue(Rank r, const Path& p, int64_t* out) {
    if (!Expect(Kind::kNumber, r, p, "expected an integer, got ")) return false;
    Number n;
    if (!lex_.ReadNumber(&n)) return false;
    if (!n.integer) {
      problems_.Add(r, p, "expected an integer, got number");
      return false;
    }
    if (!n.negative && n.magnitude > static_cast<uint64_t>(INT64_MAX)) {
      problems_.Add(r, p, "out of range");
      return false;
    }
    *out = n.negative ? static_cast<int64_t>(~n.magnitude + 1) : static_cast<int64_t>(n.magnitude);
    return true;
  }

  bool Int(Rank r, const Path& p, int64_t min, int64_t max, int64_t* out) {
    int64_t v;
    if (!IntValue(r, p, &v)) return false;
    if (v < min || v > max) {
      problems_.Add(r, p, OutOfRange(v, min, max));
      return false;
    }
    *out = v;
    return true;
  }

  template <class T>
  bool IntAs(Rank r, const Path& p, int64_t min, int64_t max, T* out) {
    int64_t v;
    if (!Int(r, p, min, max, &v)) return false;
    *out = static_cast<T>(v);
    return true;
  }

  bool Double(Rank r, const Path& p, double min, double max, double* out) {
    if (!Expect(Kind::kNumber, r, p, "expected a number, got ")) return false;
    Number n;
    if (!lex_.ReadNumber(&n)) return false;
    double d = n.AsDouble();
    if (d < min || d > max) {
      problems_.Add(r, p, "out of range");
      return false;
    }
    *out = d;
    return true;
  }

  bool Boolean(Rank r, const Path& p, bool* out) {
    if (!Expect(Kind::kBoolean, r, p, "expected true or false, got ")) return false;
    return lex_.ReadBoolean(out);
  }

  bool Time(Rank r, const Path& p, int64_t* out) {
    std::string_view s;
    if (!StringView(r, p, &s)) return false;
    auto t = ParseUtcMs(s);
    if (!t) {
      problems_.Add(r, p, Quoted(s) + " is not an RFC 3339 UTC time like 2026-01-31T12:00:00.000Z");
      return false;
    }
    *out = *t;
    return true;
  }

  // ---- containers

  // The members of the object that is the next value (ObjectStart() checked it is one).
  // on_field(index, rank, path) reads the value of each known field; unknown fields are
  // collected, duplicates reported. Returns the bit set of the fields seen.
  template <size_t N, class OnField>
  uint32_t Members(Rank base, const Path* path, const Keys<N>& keys, UnknownFields* unknown,
                   OnField&& on_field) {
    static_assert(N <= 32);
    uint32_t seen = 0;
    if (!lex_.BeginObject()) return seen;
    bool first = true;
    std::string_view key;
    size_t hint = 0;
    while (lex_.NextMember(&first, &key)) {
      int i = FindKey(keys, key, hint);
      if (i < 0) {
        unknown->Add(key);
        lex_.SkipValue();
        continue;
      }
      hint = static_cast<size_t>(i) + 1;
      Path p = Key(path, keys[static_cast<size_t>(i)]);
      Rank r = base.Member(static_cast<size_t>(i));
      if (seen & Bit(i)) {
        problems_.Add(r, p, "duplicate field");
        lex_.SkipValue();
        continue;
      }
      seen |= Bit(i);
      on_field(i, r, p);
    }
    return seen;
  }

  template <size_t N>
  void Missing(Rank base, const Path* path, const Keys<N>& keys, uint32_t seen, uint32_t required) {
    uint32_t missing = required & ~seen;
    for (size_t i = 0; missing != 0 && i < N; ++i) {
      if (missing & Bit(static_cast<int>(i))) {
        problems_.Add(base.Member(i).Checks(), Key(path, keys[i]), "missing");
        return;  // the first in schema order outranks the rest
      }
    }
  }

  void ReportUnknown(Rank base, const Path* path, const UnknownFields& unknown) {
    if (unknown.has()) problems_.Add(base.Unknown(), Key(path, unknown.key()), "unknown field");
  }

  // An array of at most max_items values; on_item(i, rank, path) reads each.
  template <class OnItem>
  void Items(Rank r, const Path& p, size_t max_items, const char* not_array, OnItem&& on_item) {
    Kind k;
    if (!lex_.Peek(&k)) return;
    if (k != Kind::kArray) {
      problems_.Add(r.Checks(), p,
                    not_array ? std::string(not_array)
                              : std::string("expected an array, got ") + KindName(k));
      lex_.SkipValue();
      return;
    }
    lex_.BeginArray();
    bool first = true;
    size_t i = 0;
    while (lex_.NextElement(&first)) {
      if (i >= max_items) {
        if (i == max_items) {
          problems_.Add(r.Checks(), p, "more than " + std::to_string(max_items) + " items");
        }
        lex_.SkipValue();
      } else {
        on_item(i, r.Item(i), Index(p, i));
      }
      ++i;
    }
  }

  // ---- payloads

  void DecodePayload(EventType type, Rank base, const Path& path, Event* e) {
    switch (type) {
      case EventType::kFeedback:
        Feedback(base, path, &e->payload.emplace<FeedbackPayload>());
        return;
      case EventType::kFeedbackAbandoned:
        Abandoned(base, path, &e->payload.emplace<FeedbackAbandonedPayload>());
        return;
      case EventType::kFootfall:
        Footfall(base, path, &e->payload.emplace<FootfallPayload>());
        return;
      case EventType::kCoverage:
        Coverage(base, path, &e->payload.emplace<CoveragePayload>());
        return;
      case EventType::kStatus:
        StatusData(base, path, &e->payload.emplace<StatusPayload>());
        return;
    }
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
          }
        });
    uint32_t required = Bit(6) - 1;
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
          }
        });
    if (total_ok && answered_ok) {
      if (answered < 0 || answered > p->questions_total) {
        problems_.Add(base.Member(5).Checks(), Key(&path, kAbandonedKeys[5]),
                      OutOfRange(answered, 0, p->questions_total));
      }
      p->questions_answered = static_cast<int>(answered);
    }
    Missing(base, &path, kAbandonedKeys, seen, Bit(8) - 1);
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
              Items(r, fp, SIZE_MAX, "expected an array of sequence numbers",
                    [&](size_t, Rank ir, const Path& ip) {
                      int64_t s;
                      if (Int(ir, ip, 1, INT64_MAX, &s)) {
                        p->compacted_seqs.push_back(static_cast<uint64_t>(s));
                      }
                    });
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
    Missing(base, &path, kFootfallKeys, seen, Bit(6) - 1);
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
        case 5: {
          Kind k;
          if (!lex_.Peek(&k)) break;
          if (k == Kind::kNull) {
            lex_.ReadNull();
          } else {
            int64_t t;
            if (Time(c, fp, &t)) p->last_hub_ack_ms = t;
          }
          break;
        }
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
              p->problems.emplace_back(s);
            }
          });
          break;
        default:
          Int(c, fp, 0, INT64_MAX, counters[i - 8]);
      }
    });
    Missing(base, &path, kStatusKeys, seen, Bit(15) - 1);
    ReportUnknown(base, &path, unknown);
  }

  Lexer lex_;
  Problems problems_;
};

}  // namespace

Result<Event> DecodeEvent(std::string_view text) { return Decoder(text).Run(); }

}  // namespace touchpoint
