// Wire format v1 (docs/events.md). Decoding is strict: every problem names the field path.
#include "touchpoint/core/event_json.h"

#include <ctime>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>

namespace touchpoint {

using json = nlohmann::json;

// ---- time -------------------------------------------------------------------------------------

std::string FormatUtcMs(int64_t ms) {
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
  return buf;
}

std::optional<int64_t> ParseUtcMs(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  auto digits = [&](size_t pos, size_t n, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, &y) || text[4] != '-' || !digits(5, 2, &mo) || text[7] != '-' ||
      !digits(8, 2, &d) || text[10] != 'T' || !digits(11, 2, &h) || text[13] != ':' ||
      !digits(14, 2, &mi) || text[16] != ':' || !digits(17, 2, &s)) {
    return std::nullopt;
  }
  int ms = 0;
  size_t pos = 19;
  if (text[pos] == '.') {
    size_t start = ++pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - start < 3) ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos != text.size() - 1) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  time_t t = timegm(&tm);
  struct tm check {};
  gmtime_r(&t, &check);
  if (check.tm_mday != d) return std::nullopt;  // e.g. February 30th
  return static_cast<int64_t>(t) * 1000 + ms;
}

// ---- encoding ---------------------------------------------------------------------------------
// Hand-written: events are encoded on the store's writer thread for every append, and building
// a JSON tree first costs several times more than appending to one string.

namespace {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(*out) {}

  JsonWriter& Key(std::string_view k) {
    Comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    first_ = true;  // the value follows without a comma
    pending_value_ = true;
    return *this;
  }
  void Str(std::string_view v) {
    Comma();
    out_ += '"';
    for (char c : v) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out_ += buf;
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }
  void Int(int64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void UInt(uint64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Bool(bool v) {
    Comma();
    out_ += v ? "true" : "false";
  }
  void Null() {
    Comma();
    out_ += "null";
  }
  void Double(double v) {
    Comma();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out_ += buf;
    if (std::string_view(buf).find_first_of(".eEn") == std::string_view::npos) out_ += ".0";
  }
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  JsonWriter& S(std::string_view k, std::string_view v) {
    Key(k).Str(v);
    return *this;
  }
  JsonWriter& I(std::string_view k, int64_t v) {
    Key(k).Int(v);
    return *this;
  }
  JsonWriter& B(std::string_view k, bool v) {
    Key(k).Bool(v);
    return *this;
  }

 private:
  void Comma() {
    if (pending_value_) {
      pending_value_ = false;
      first_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void Open(char c) {
    Comma();
    out_ += c;
    first_ = true;
  }
  void Close(char c) {
    out_ += c;
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
  bool pending_value_ = false;
};

void WriteAnswers(JsonWriter& w, const std::vector<Answer>& answers) {
  w.Key("answers").BeginArray();
  for (const auto& a : answers) {
    w.BeginObject();
    w.S("question_id", a.question_id).S("type", QuestionTypeName(a.type));
    if (a.score) w.I("score", *a.score);
    if (a.type == QuestionType::kTags) {
      w.Key("tags").BeginArray();
      for (const auto& t : a.tags) w.Str(t);
      w.EndArray();
    }
    if (a.type == QuestionType::kText) w.S("text", a.text);
    w.EndObject();
  }
  w.EndArray();
}

struct PayloadWriter {
  JsonWriter& w;
  void operator()(const FeedbackPayload& p) const {
    w.S("survey_id", p.survey_id).I("survey_version", p.survey_version).S("language", p.language);
    w.I("duration_ms", p.duration_ms);
    WriteAnswers(w, p.answers);
    w.B("suspect", p.suspect);
    if (p.suspect) w.S("suspect_reason", p.suspect_reason);
  }
  void operator()(const FeedbackAbandonedPayload& p) const {
    w.S("survey_id", p.survey_id).I("survey_version", p.survey_version).S("language", p.language);
    w.I("duration_ms", p.duration_ms).I("questions_total", p.questions_total);
    w.I("questions_answered", p.questions_answered).S("last_question_id", p.last_question_id);
    WriteAnswers(w, p.answers);
  }
  void operator()(const FootfallPayload& p) const {
    w.S("interval_start", FormatUtcMs(p.interval_start_ms)).I("interval_s", p.interval_s);
    w.Key("lines").BeginArray();
    for (const auto& l : p.lines) {
      w.BeginObject();
      w.S("line", l.line).I("in", l.in).I("out", l.out);
      w.EndObject();
    }
    w.EndArray();
    w.I("occupancy_min", p.occupancy_min).I("occupancy_max", p.occupancy_max);
    w.I("occupancy_end", p.occupancy_end);
    if (!p.compacted_seqs.empty()) {
      w.Key("compacted_seqs").BeginArray();
      for (uint64_t s : p.compacted_seqs) w.UInt(s);
      w.EndArray();
    }
  }
  void operator()(const CoveragePayload& p) const {
    w.S("source", p.source).S("start", FormatUtcMs(p.start_ms)).S("end", FormatUtcMs(p.end_ms));
    w.S("reason", p.reason);
  }
  void operator()(const StatusPayload& p) const {
    w.S("software_version", p.software_version).S("config_version", p.config_version);
    w.I("uptime_s", p.uptime_s).I("queue_depth", p.queue_depth);
    w.I("oldest_pending_age_s", p.oldest_pending_age_s);
    if (p.last_hub_ack_ms) {
      w.S("last_hub_ack", FormatUtcMs(*p.last_hub_ack_ms));
    } else {
      w.Key("last_hub_ack").Null();
    }
    w.S("camera_state", p.camera_state);
    w.Key("camera_fps").Double(p.camera_fps);
    w.I("db_bytes", p.db_bytes).I("disk_budget_bytes", p.disk_budget_bytes);
    w.I("feedback_lost", p.feedback_lost).I("events_lost", p.events_lost);
    w.I("events_pruned", p.events_pruned).I("footfall_compacted", p.footfall_compacted);
    w.Key("problems").BeginArray();
    for (const auto& s : p.problems) w.Str(s);
    w.EndArray();
  }
};

}  // namespace

std::string EncodeEvent(const Event& e) {
  std::string out;
  out.reserve(512);
  JsonWriter w(&out);
  w.BeginObject();
  w.I("schema_version", e.schema_version).S("id", e.id).S("type", EventTypeName(e.type()));
  w.S("kiosk_id", e.kiosk_id).S("store_id", e.store_id).S("touchpoint", e.touchpoint);
  w.S("journey_stage", e.journey_stage);
  w.Key("seq").UInt(e.seq);
  w.I("boot_count", e.boot_count).S("time", FormatUtcMs(e.time_ms));
  w.I("utc_offset_min", e.utc_offset_min).B("clock_synced", e.clock_synced);
  w.Key("data").BeginObject();
  std::visit(PayloadWriter{w}, e.payload);
  w.EndObject();
  w.EndObject();
  return out;
}

// ---- strict decoding --------------------------------------------------------------------------

namespace {

struct DecodeError {
  std::string message;
};

[[noreturn]] void Fail(const std::string& path, const std::string& why) {
  throw DecodeError{path + ": " + why};
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// An object whose fields are read one by one; Done() rejects fields nobody asked for.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) Fail(path_.empty() ? "event" : path_, "expected an object");
  }

  const json* Find(const char* key, bool required) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) Fail(Join(path_, key), "missing");
      return nullptr;
    }
    return &*it;
  }

  std::string String(const char* key, bool allow_empty = false, size_t max_len = 256) {
    const json* v = Find(key, true);
    if (!v->is_string()) Fail(Join(path_, key), "expected a string, got " + TypeOf(*v));
    const auto& s = v->get_ref<const std::string&>();
    if (!allow_empty && s.empty()) Fail(Join(path_, key), "must not be empty");
    if (s.size() > max_len) Fail(Join(path_, key), "longer than " + std::to_string(max_len));
    return s;
  }

  int64_t Int(const char* key, int64_t min, int64_t max) {
    return IntValue(*Find(key, true), Join(path_, key), min, max);
  }

  std::optional<int64_t> OptionalInt(const char* key, int64_t min, int64_t max) {
    const json* v = Find(key, false);
    if (!v) return std::nullopt;
    return IntValue(*v, Join(path_, key), min, max);
  }

  double Number(const char* key, double min, double max) {
    const json* v = Find(key, true);
    if (!v->is_number()) Fail(Join(path_, key), "expected a number, got " + TypeOf(*v));
    double d = v->get<double>();
    if (d < min || d > max) Fail(Join(path_, key), "out of range");
    return d;
  }

  bool Bool(const char* key) {
    const json* v = Find(key, true);
    if (!v->is_boolean()) Fail(Join(path_, key), "expected true or false, got " + TypeOf(*v));
    return v->get<bool>();
  }

  int64_t Time(const char* key) {
    std::string s = String(key);
    auto t = ParseUtcMs(s);
    if (!t)
      Fail(Join(path_, key),
           "\"" + s + "\" is not an RFC 3339 UTC time like 2026-01-31T12:00:00.000Z");
    return *t;
  }

  const json& Array(const char* key, size_t max_items) {
    const json* v = Find(key, true);
    if (!v->is_array()) Fail(Join(path_, key), "expected an array, got " + TypeOf(*v));
    if (v->size() > max_items)
      Fail(Join(path_, key), "more than " + std::to_string(max_items) + " items");
    return *v;
  }

  void Done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!seen_.count(it.key())) Fail(Join(path_, it.key()), "unknown field");
    }
  }

  const std::string& path() const { return path_; }
  std::string Sub(const char* key) const { return Join(path_, key); }

  static std::string TypeOf(const json& v) { return v.type_name(); }

  static int64_t IntValue(const json& v, const std::string& path, int64_t min, int64_t max) {
    if (!v.is_number_integer()) Fail(path, "expected an integer, got " + TypeOf(v));
    int64_t n;
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) Fail(path, "out of range");
      n = static_cast<int64_t>(u);
    } else {
      n = v.get<int64_t>();
    }
    if (n < min || n > max) {
      Fail(path, std::to_string(n) + " is out of range " + std::to_string(min) + ".." +
                     std::to_string(max));
    }
    return n;
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

constexpr int64_t kMaxCount = int64_t{1} << 40;
constexpr int64_t kMaxDurationMs = int64_t{7} * 24 * 3600 * 1000;

std::vector<Answer> DecodeAnswers(ObjectReader& r) {
  std::vector<Answer> out;
  const json& arr = r.Array("answers", 64);
  std::set<std::string> ids;
  for (size_t i = 0; i < arr.size(); ++i) {
    ObjectReader a(arr[i], r.Sub("answers") + "[" + std::to_string(i) + "]");
    Answer ans;
    ans.question_id = a.String("question_id", false, 64);
    if (!ids.insert(ans.question_id).second) Fail(a.Sub("question_id"), "answered twice");
    std::string type = a.String("type");
    auto qt = ParseQuestionType(type);
    if (!qt) Fail(a.Sub("type"), "\"" + type + "\" is not one of csat, nps, effort, tags, text");
    ans.type = *qt;
    if (auto range = ScoreRangeOf(*qt)) {
      const json* s = a.Find("score", true);
      int64_t v = ObjectReader::IntValue(*s, a.Sub("score"), INT64_MIN, INT64_MAX);
      if (v < range->min || v > range->max) {
        Fail(a.Sub("score"), std::to_string(v) + " is out of range " + std::to_string(range->min) +
                                 ".." + std::to_string(range->max) + " for " + type);
      }
      ans.score = static_cast<int>(v);
    } else if (*qt == QuestionType::kTags) {
      const json& tags = a.Array("tags", 64);
      for (size_t k = 0; k < tags.size(); ++k) {
        std::string p = a.Sub("tags") + "[" + std::to_string(k) + "]";
        if (!tags[k].is_string() || tags[k].get_ref<const std::string&>().empty()) {
          Fail(p, "expected a non-empty string");
        }
        ans.tags.push_back(tags[k].get<std::string>());
      }
    } else {
      ans.text = a.String("text", true, 2000);
    }
    a.Done();
    out.push_back(std::move(ans));
  }
  return out;
}

Payload DecodePayload(EventType type, const json& data) {
  ObjectReader r(data, "data");
  switch (type) {
    case EventType::kFeedback: {
      FeedbackPayload p;
      p.survey_id = r.String("survey_id", false, 64);
      p.survey_version = static_cast<int>(r.Int("survey_version", 0, INT32_MAX));
      p.language = r.String("language", false, 35);
      p.duration_ms = r.Int("duration_ms", 0, kMaxDurationMs);
      p.answers = DecodeAnswers(r);
      p.suspect = r.Bool("suspect");
      if (p.suspect) p.suspect_reason = r.String("suspect_reason", false, 256);
      r.Done();
      return p;
    }
    case EventType::kFeedbackAbandoned: {
      FeedbackAbandonedPayload p;
      p.survey_id = r.String("survey_id", false, 64);
      p.survey_version = static_cast<int>(r.Int("survey_version", 0, INT32_MAX));
      p.language = r.String("language", false, 35);
      p.duration_ms = r.Int("duration_ms", 0, kMaxDurationMs);
      p.questions_total = static_cast<int>(r.Int("questions_total", 0, 64));
      p.questions_answered = static_cast<int>(r.Int("questions_answered", 0, p.questions_total));
      p.last_question_id = r.String("last_question_id", true, 64);
      p.answers = DecodeAnswers(r);
      r.Done();
      return p;
    }
    case EventType::kFootfall: {
      FootfallPayload p;
      p.interval_start_ms = r.Time("interval_start");
      p.interval_s = static_cast<int32_t>(r.Int("interval_s", 1, 86400));
      const json& lines = r.Array("lines", 64);
      for (size_t i = 0; i < lines.size(); ++i) {
        ObjectReader l(lines[i], "data.lines[" + std::to_string(i) + "]");
        LineCount c;
        c.line = l.String("line", false, 64);
        c.in = l.Int("in", 0, kMaxCount);
        c.out = l.Int("out", 0, kMaxCount);
        l.Done();
        p.lines.push_back(std::move(c));
      }
      p.occupancy_min = r.Int("occupancy_min", 0, kMaxCount);
      p.occupancy_max = r.Int("occupancy_max", p.occupancy_min, kMaxCount);
      p.occupancy_end = r.Int("occupancy_end", 0, kMaxCount);
      if (const json* c = r.Find("compacted_seqs", false)) {
        if (!c->is_array()) Fail("data.compacted_seqs", "expected an array of sequence numbers");
        for (size_t i = 0; i < c->size(); ++i) {
          p.compacted_seqs.push_back(static_cast<uint64_t>(ObjectReader::IntValue(
              (*c)[i], "data.compacted_seqs[" + std::to_string(i) + "]", 1, INT64_MAX)));
        }
      }
      r.Done();
      return p;
    }
    case EventType::kCoverage: {
      CoveragePayload p;
      p.source = r.String("source", false, 32);
      if (p.source != "camera" && p.source != "kiosk") {
        Fail("data.source", "\"" + p.source + "\" is not one of camera, kiosk");
      }
      p.start_ms = r.Time("start");
      p.end_ms = r.Time("end");
      if (p.end_ms <= p.start_ms) Fail("data.end", "must be after data.start");
      p.reason = r.String("reason", false, 256);
      r.Done();
      return p;
    }
    case EventType::kStatus: {
      StatusPayload p;
      p.software_version = r.String("software_version", false, 128);
      p.config_version = r.String("config_version", true, 128);
      p.uptime_s = r.Int("uptime_s", 0, kMaxCount);
      p.queue_depth = r.Int("queue_depth", 0, kMaxCount);
      p.oldest_pending_age_s = r.Int("oldest_pending_age_s", 0, kMaxCount);
      const json* ack = r.Find("last_hub_ack", true);
      if (!ack->is_null()) p.last_hub_ack_ms = r.Time("last_hub_ack");
      p.camera_state = r.String("camera_state", true, 32);
      p.camera_fps = r.Number("camera_fps", 0, 1e6);
      p.db_bytes = r.Int("db_bytes", 0, INT64_MAX);
      p.disk_budget_bytes = r.Int("disk_budget_bytes", 0, INT64_MAX);
      p.feedback_lost = r.Int("feedback_lost", 0, INT64_MAX);
      p.events_lost = r.Int("events_lost", 0, INT64_MAX);
      p.events_pruned = r.Int("events_pruned", 0, INT64_MAX);
      p.footfall_compacted = r.Int("footfall_compacted", 0, INT64_MAX);
      const json& problems = r.Array("problems", 64);
      for (size_t i = 0; i < problems.size(); ++i) {
        if (!problems[i].is_string()) {
          Fail("data.problems[" + std::to_string(i) + "]", "expected a string");
        }
        p.problems.push_back(problems[i].get<std::string>());
      }
      r.Done();
      return p;
    }
  }
  Fail("type", "unsupported");
}

bool IsIdentifier(const std::string& s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return !s.empty();
}

bool IsUuid(const std::string& s) {
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

}  // namespace

Result<Event> DecodeEvent(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("event: not valid JSON");
  try {
    ObjectReader r(j, "");
    Event e;
    e.schema_version = static_cast<int>(r.Int("schema_version", 1, 1000));
    if (e.schema_version != kSchemaVersion) {
      Fail("schema_version", std::to_string(e.schema_version) + " is not supported (expected " +
                                 std::to_string(kSchemaVersion) + ")");
    }
    e.id = r.String("id");
    if (!IsUuid(e.id)) Fail("id", "\"" + e.id + "\" is not a lower-case UUID");
    std::string type = r.String("type");
    auto t = ParseEventType(type);
    if (!t) {
      Fail("type", "\"" + type +
                       "\" is not one of feedback, feedback_abandoned, footfall, coverage, status");
    }
    for (auto [key, field] : {std::pair{"kiosk_id", &e.kiosk_id},
                              {"store_id", &e.store_id},
                              {"touchpoint", &e.touchpoint},
                              {"journey_stage", &e.journey_stage}}) {
      *field = r.String(key, false, 64);
      if (!IsIdentifier(*field))
        Fail(key, "\"" + *field + "\" may use only letters, digits, '-', '_' and '.'");
    }
    e.seq = static_cast<uint64_t>(r.Int("seq", 1, INT64_MAX));
    e.boot_count = static_cast<uint32_t>(r.Int("boot_count", 0, UINT32_MAX));
    e.time_ms = r.Time("time");
    e.utc_offset_min = static_cast<int32_t>(r.Int("utc_offset_min", -14 * 60, 14 * 60));
    e.clock_synced = r.Bool("clock_synced");
    e.payload = DecodePayload(*t, *r.Find("data", true));
    r.Done();
    return e;
  } catch (const DecodeError& err) {
    return Status::InvalidArgument(err.message);
  }
}

}  // namespace touchpoint
